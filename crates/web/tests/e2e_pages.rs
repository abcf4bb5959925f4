//! Every main page, as every demo role sees it, checked in the browser by axe-core: no
//! violation of impact serious or critical (product.md F6). With `GG_SCREENSHOTS=dir` the test
//! also leaves a screenshot of each page, for a person to look at.
//!
//! The pages are found the way a person finds them: from the dashboard, following the
//! navigation and the links on each page, one page per kind of address (`/afspraken/12` and
//! `/afspraken/13` are one kind), at most [`PER_ROLE`] per role.

mod e2e_support;

use e2e_support::{App, Browser, fresh_database};
use serde_json::Value;
use std::collections::{BTreeSet, VecDeque};

const PER_ROLE: usize = 40;

const ROLES: &[(&str, &str)] = &[
    ("bestuurder", "m.vandenberg@rijnoever.example"),
    ("secretaris", "s.bakker@rijnoever.example"),
    ("secretaris-msb", "e.mulder@rijnoever.example"),
    ("vakgroep", "l.visser@rijnoever.example"),
    ("controller", "r.hendriks@rijnoever.example"),
    ("beheerder", "p.smit@rijnoever.example"),
    ("toehoorder", "h.vos@rijnoever.example"),
];

/// Addresses that are not pages: downloads, streams, feeds, and the way out.
fn is_page(path: &str) -> bool {
    const NOT_PAGES: &[&str] = &[
        "/uitloggen",
        "/live",
        "/bijlagen/",
        "/agenda/",
        "export",
        ".csv",
        ".xlsx",
        ".ics",
        "/voortgang",
        "/static/",
    ];
    path.starts_with('/') && !NOT_PAGES.iter().any(|n| path.contains(n))
}

/// `/afspraken/12?status=x#kpi` → `/afspraken/#`: one visit per kind of page.
fn kind_of(path: &str) -> String {
    let bare = path.split(['?', '#']).next().unwrap_or_default();
    let mut out = String::new();
    let mut in_digits = false;
    for c in bare.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('#');
            }
            in_digits = true;
        } else {
            out.push(c);
            in_digits = false;
        }
    }
    out
}

async fn links(browser: &Browser) -> Vec<String> {
    let found = browser
        .script(
            "return Array.from(document.querySelectorAll('nav.main-nav a, main a'))\
               .map(a => a.getAttribute('href')).filter(h => h);",
            vec![],
        )
        .await;
    match found {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|v| {
                v.as_str()
                    .map(|s| s.split('#').next().unwrap_or_default().to_string())
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The distribution pages of every demo scenario, and one vakgroep's trace of each; the
/// monitoring of the adopted year, for the hospital and one vakgroep.
async fn distribution_pages(database: &str) -> Vec<String> {
    use sqlx::Connection as _;
    let mut db = sqlx::PgConnection::connect(database)
        .await
        .expect("connecting to the app's database");
    let scenarios: Vec<i64> = sqlx::query_scalar("SELECT id FROM budget_scenario ORDER BY id")
        .fetch_all(&mut db)
        .await
        .expect("the demo's scenarios");
    let car: i64 = sqlx::query_scalar("SELECT id FROM vakgroep WHERE code = 'CAR'")
        .fetch_one(&mut db)
        .await
        .expect("vakgroep CAR");
    let _ = db.close().await;
    scenarios
        .iter()
        .flat_map(|id| {
            [
                format!("/begroting/scenarios/{id}"),
                format!("/begroting/scenarios/{id}/verdeling"),
                format!("/begroting/scenarios/{id}/verdeling/vakgroepen/{car}"),
            ]
        })
        .chain([
            "/begroting/monitoring?jaar=2026".to_string(),
            format!("/begroting/monitoring/vakgroepen/{car}?jaar=2026"),
        ])
        .collect()
}

#[tokio::test]
async fn every_main_page_passes_axe_for_every_role() {
    let database = fresh_database().await;
    let (app, browser) = tokio::join!(App::start(&database), Browser::start());
    let mut problems = Vec::new();
    let mut pages = 0;
    for (role, email) in ROLES {
        browser.login(&app, email).await;
        if pages == 0 {
            // The check can fail: an image without a text alternative is a critical violation.
            browser
                .script(
                    "document.querySelector('main').insertAdjacentHTML('beforeend', \
                     '<img src=\"/static/favicon.svg\">'); return true;",
                    vec![],
                )
                .await;
            let found = browser.axe_violations().await;
            assert!(
                found.iter().any(|v| v.contains("image-alt")),
                "axe-core did not see an image without alt: {found:?}"
            );
        }
        let mut seen_kinds = BTreeSet::new();
        let mut queue = VecDeque::from([String::from("/")]);
        while let Some(path) = queue.pop_front() {
            if seen_kinds.len() >= PER_ROLE || !seen_kinds.insert(kind_of(&path)) {
                continue;
            }
            browser.goto(&app.url(&path)).await;
            pages += 1;
            for violation in browser.axe_violations().await {
                problems.push(format!("{role} {path}: {violation}"));
            }
            let name = format!("{role}{}", kind_of(&path).replace(['/', '#', '?'], "_"));
            browser.screenshot_if_asked(&name).await;
            for link in links(&browser).await {
                if is_page(&link) && !seen_kinds.contains(&kind_of(&link)) {
                    queue.push_back(link);
                }
            }
        }
        if *role == "bestuurder" {
            // Three scenarios side by side: the widest table of the application.
            browser
                .goto(&app.url("/begroting/scenarios/vergelijken"))
                .await;
            browser
                .script(
                    "document.querySelectorAll('input[name=s]').forEach((b, i) => b.checked = i > 0); return true;",
                    vec![],
                )
                .await;
            browser
                .click_and_wait("form.filters button[type=submit]")
                .await;
            pages += 1;
            for violation in browser.axe_violations().await {
                problems.push(format!("{role} comparison of three: {violation}"));
            }
            browser
                .screenshot_if_asked("bestuurder_vergelijken_drie")
                .await;
        }
        browser.logout().await;
    }
    // The distribution as the MSB board sees it before sharing (every allocation and its
    // trace), of the demo's adopted 2026 budget and of the 2027 scenarios: pages a crawl of
    // 40 kinds per role may not reach.
    browser.login(&app, "h.koster@rijnoever.example").await;
    for path in distribution_pages(&database).await {
        browser.goto(&app.url(&path)).await;
        pages += 1;
        for violation in browser.axe_violations().await {
            problems.push(format!("msb-bestuurder {path}: {violation}"));
        }
        let name = format!(
            "msb-bestuurder{}",
            kind_of(&path).replace(['/', '#', '?'], "_")
        );
        browser.screenshot_if_asked(&name).await;
    }
    browser.logout().await;
    assert!(pages > 60, "only {pages} pages were checked");
    assert!(
        problems.is_empty(),
        "axe-core found {} serious or critical violations:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
