//! An attacker's bytes in every form and search field of the application: never a 500, never a
//! stored NUL or bidi override (issue #10, point 8).
//!
//! The forms are found the way a person finds them: every page a persona reaches from the
//! dashboard by following links, one page per kind of address; every `<form method="post">`
//! on it is submitted with its own hidden fields and choices, and hostile text in every text
//! field. The parsing of the HTML is deliberately simple: our templates write attributes in
//! one way.

use crate::support::*;
use axum::http::{Method, StatusCode};
use std::collections::{BTreeSet, VecDeque};
use store::PgPool;

/// One form of a page: where it posts and its fields with their values as the page gives them.
#[derive(Debug, Clone)]
struct FormSpec {
    action: String,
    fields: Vec<Field>,
}

#[derive(Debug, Clone)]
struct Field {
    name: String,
    value: String,
    text: bool,
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let value = &tag[start..start + tag[start..].find('"')?];
    Some(
        value
            .replace("&amp;", "&")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">"),
    )
}

/// Every `<form method="post" action="/…">` of a page with its named fields.
fn forms(html: &str) -> Vec<FormSpec> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<form") {
        let block = &rest[start..];
        let end = block.find("</form>").unwrap_or(block.len());
        let body = &block[..end];
        rest = &block[end..];
        let tag = &body[..body.find('>').unwrap_or(body.len())];
        if attr(tag, "method").as_deref() != Some("post") {
            continue;
        }
        let Some(action) = attr(tag, "action").filter(|a| a.starts_with('/')) else {
            continue;
        };
        if tag.contains("multipart/form-data") || action == "/uitloggen" {
            continue;
        }
        found.push(FormSpec {
            action,
            fields: fields(body),
        });
    }
    found
}

fn fields(form: &str) -> Vec<Field> {
    let mut out = Vec::new();
    for (i, _) in form.match_indices('<') {
        let tag_end = form[i..].find('>').map_or(form.len(), |e| i + e);
        let tag = &form[i..tag_end];
        let Some(name) = attr(tag, "name") else {
            continue;
        };
        if tag.starts_with("<input") {
            let kind = attr(tag, "type").unwrap_or_else(|| "text".into());
            match kind.as_str() {
                "checkbox" | "radio" if !tag.contains(" checked") => continue,
                "submit" | "button" | "file" => continue,
                _ => {}
            }
            let text = matches!(kind.as_str(), "text" | "search" | "email" | "url" | "tel");
            out.push(Field {
                name,
                value: attr(tag, "value").unwrap_or_default(),
                text,
            });
        } else if tag.starts_with("<textarea") {
            let inner = &form[tag_end + 1..];
            let value = inner[..inner.find("</textarea>").unwrap_or(0)].to_string();
            out.push(Field {
                name,
                value,
                text: true,
            });
        } else if tag.starts_with("<select") {
            let inner = &form[tag_end..];
            let options = &inner[..inner.find("</select>").unwrap_or(inner.len())];
            let chosen = options
                .split("<option")
                .skip(1)
                .find(|o| o.contains(" selected"))
                .or_else(|| options.split("<option").nth(1))
                .and_then(|o| attr(&format!(" {o}"), "value"));
            if let Some(value) = chosen {
                out.push(Field {
                    name,
                    value,
                    text: false,
                });
            }
        }
    }
    out
}

/// `/afspraken/12?x=1` → `/afspraken/#`: one visit per kind of page.
fn kind_of(path: &str) -> String {
    let bare = path.split(['?', '#']).next().unwrap_or_default();
    let mut out = String::new();
    let mut digits = false;
    for c in bare.chars() {
        if c.is_ascii_digit() {
            if !digits {
                out.push('#');
            }
            digits = true;
        } else {
            out.push(c);
            digits = false;
        }
    }
    out
}

fn links(html: &str) -> Vec<String> {
    html.match_indices("href=\"/")
        .filter_map(|(i, _)| {
            let start = i + 6;
            let end = start + html[start..].find('"')?;
            let link = html[start..end].replace("&amp;", "&");
            let link = link.split('#').next().unwrap_or_default().to_string();
            let download = [
                "export",
                ".csv",
                ".xlsx",
                ".ics",
                "/bijlagen/",
                "/static/",
                "/live",
            ]
            .iter()
            .any(|d| link.contains(d));
            (!download && link != "/uitloggen").then_some(link)
        })
        .collect()
}

/// Text no person types on purpose: NUL, a bidi override, an escape sequence, a noncharacter.
const HOSTILE: &str = "Begroting\u{0} 2027 \u{202e}fdp.exe\u{1b}[31m \u{ffff}'\"<b>";

async fn submit(c: &mut Client, form: &FormSpec, text: &dyn Fn(&Field) -> String) -> Response {
    let values: Vec<(String, String)> = form
        .fields
        .iter()
        .filter(|f| f.name != "_csrf")
        .map(|f| {
            let v = if f.text { text(f) } else { f.value.clone() };
            (f.name.clone(), v)
        })
        .collect();
    let pairs: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    c.post(&form.action, &pairs).await
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn hostile_text_in_every_form_never_costs_a_500(pool: PgPool) {
    let mut c = app(pool).await;
    let personas = [
        SECRETARIS,
        "e.mulder@rijnoever.example",
        CONTROLLER,
        VAKGROEP,
        BESTUURDER,
        BEHEERDER,
    ];
    let mut failures = Vec::new();
    let mut submitted = 0;
    for persona in personas {
        c.cookies.clear();
        c.sign_in_as(persona).await;
        let mut seen = BTreeSet::new();
        let mut queue = VecDeque::from([String::from("/")]);
        while let Some(path) = queue.pop_front() {
            if seen.len() >= 60 || !seen.insert(kind_of(&path)) {
                continue;
            }
            let page = c.get(&path).await;
            if page.status.is_server_error() {
                failures.push(format!("{persona} GET {path}: {}", page.status));
            }
            queue.extend(
                links(&page.body)
                    .into_iter()
                    .filter(|l| !seen.contains(&kind_of(l))),
            );
            for form in forms(&page.body) {
                for variant in [
                    &(|_: &Field| HOSTILE.to_string()) as &dyn Fn(&Field) -> String,
                    &|f: &Field| format!("{}{}", f.value, "x".repeat(30_000)),
                ] {
                    let res = submit(&mut c, &form, variant).await;
                    submitted += 1;
                    if res.status.is_server_error() {
                        failures.push(format!(
                            "{persona} POST {} (from {path}): {}",
                            form.action, res.status
                        ));
                    }
                }
            }
        }
    }
    assert!(submitted > 80, "only {submitted} forms were tried");
    assert!(
        failures.is_empty(),
        "server errors:\n{}",
        failures.join("\n")
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn nul_in_search_exports_and_login_is_harmless(pool: PgPool) {
    let mut c = app(pool).await;
    let anonymous = c
        .post(
            "/inloggen",
            &[
                ("email", "p.smit\u{0}@rijnoever.example"),
                ("password", "x\u{0}"),
            ],
        )
        .await;
    assert!(
        !anonymous.status.is_server_error(),
        "login: {}",
        anonymous.status
    );
    c.sign_in_as(SECRETARIS).await;
    for path in [
        "/afspraken?q=%00",
        "/afspraken?q=%00bel%E2%80%AE&status=%00",
        "/afspraken/export.csv?q=%00",
        "/afspraken/export.xlsx?q=a%00b",
        "/beheer/audit?wie=%00",
        "/begroting?jaar=%00",
        "/agenda/abc%00def",
    ] {
        let res = c.get(path).await;
        assert!(!res.status.is_server_error(), "GET {path}: {}", res.status);
    }
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn invalid_utf8_is_refused_and_oversize_forms_get_a_dutch_413(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    let token = c.csrf().await;
    let res = c
        .request_raw(
            Method::POST,
            "/vergaderingen",
            &format!("_csrf={token}&title=Overleg%FF%FE&date=2027-01-05"),
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
    assert!(res.body.contains("Ongeldige invoer"), "{}", res.body);
    let res = c.get("/afspraken?q=%C3%28").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);

    let huge = "x".repeat(3 * 1024 * 1024);
    let res = c.post("/vergaderingen", &[("title", huge.as_str())]).await;
    assert_eq!(
        res.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        &res.body[..200.min(res.body.len())]
    );
    assert!(res.body.contains("Te veel gegevens"), "{}", res.body);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn stored_text_has_no_nul_or_bidi_overrides(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    let page = c.get("/afspraken/nieuw").await;
    let form = forms(&page.body)
        .into_iter()
        .find(|f| f.action == "/afspraken")
        .expect("the new-agreement form");
    let res = submit(&mut c, &form, &|f| match f.name.as_str() {
        "title" => "Wacht\u{0}tijd\u{202e}lijst".into(),
        "description" => "Regel 1\r\nRegel\u{7} 2".into(),
        _ => f.value.clone(),
    })
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let detail = c.get(res.location()).await;
    assert!(detail.body.contains("Wachttijdlijst"), "{}", detail.body);
    assert!(detail.body.contains("Regel 1\nRegel 2"), "{}", detail.body);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_text_too_long_is_answered_at_its_field_and_kept(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    let page = c.get("/afspraken/nieuw").await;
    let form = forms(&page.body)
        .into_iter()
        .find(|f| f.action == "/afspraken")
        .expect("the new-agreement form");
    let long = "Lange toelichting ".repeat(1200);
    let res = submit(&mut c, &form, &|f| match f.name.as_str() {
        "title" => "Een afspraak met een lange toelichting".into(),
        "description" => long.clone(),
        _ => f.value.clone(),
    })
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(
        res.body
            .contains("Gebruik ten hoogste 20.000 tekens (nu 21.599)."),
        "{}",
        res.body
    );
    assert!(res.body.contains("Een afspraak met een lange toelichting"));
    assert!(res.body.contains(long.trim()), "the typed text is kept");

    // A meeting's place: one line, 200 characters at most.
    let page = c.get("/vergaderingen/nieuw").await;
    let form = forms(&page.body)
        .into_iter()
        .find(|f| f.action == "/vergaderingen")
        .expect("the new-meeting form");
    let place = "Bestuurskamer ".repeat(20);
    let res = submit(&mut c, &form, &|f| match f.name.as_str() {
        "location" => place.clone(),
        _ => f.value.clone(),
    })
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(
        res.body
            .contains("Gebruik ten hoogste 200 tekens (nu 279)."),
        "{}",
        res.body
    );
}
