//! Production import (D2): upload through HTTP, the background import with its status page,
//! "al geïmporteerd", a corrected file that replaces the period, a bad file listing its lines,
//! and who may do what.

use crate::support::*;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use store::PgPool;
use tower::ServiceExt;

const BOUNDARY: &str = "----gelijkgericht-budget-51c2";

/// Posts a multipart form (text fields and one file `bestand`) with the CSRF token in the URL.
pub(crate) async fn upload(
    c: &mut Client,
    path: &str,
    fields: &[(&str, &str)],
    filename: &str,
    data: &[u8],
) -> Response {
    let token = c.csrf().await;
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"bestand\"; filename=\"{filename}\"\r\nContent-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(data);
    body.extend(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let jar: Vec<String> = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(format!("{path}{sep}_csrf={token}"))
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::COOKIE, jar.join("; "))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .unwrap();
    req.extensions_mut().insert(ConnectInfo(c.ip));
    let res = c.router.clone().oneshot(req).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Response {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
    }
}

/// Gives CAR and LON two care products each, so that a production file can refer to them.
pub(crate) async fn products(c: &Client) {
    let vakgroepen = store::vakgroepen::list(&c.store).await.unwrap();
    let mut tx = c.store.begin().await.unwrap();
    for code in ["CAR", "LON"] {
        let id = vakgroepen.iter().find(|v| v.code == code).unwrap().id;
        for product in ["990004006", "990004007"] {
            let input = store::budget::CareProductInput {
                vakgroep_id: domain::ids::VakgroepId::new(id),
                code: product.into(),
                description: format!("Zorgproduct {product}"),
                active: true,
            };
            store::budget::create_care_product(&mut tx, &store::audit::Who::system("test"), &input)
                .await
                .unwrap();
        }
    }
    store::commit(tx).await.unwrap();
}

/// Uploads a file and follows the status page until the import has finished.
async fn import(c: &mut Client, period: &str, data: &[u8]) -> Response {
    let status_page = start(c, period, data).await;
    assert!(status_page.starts_with("/begroting/productie/taken/"));
    follow(&mut [c], &status_page).await
}

/// Uploads on `a` and returns the status page's path.
pub(crate) async fn start(a: &mut Client, period: &str, data: &[u8]) -> String {
    let res = upload(
        a,
        "/begroting/productie",
        &[("year", "2025"), ("period", period)],
        "productie.csv",
        data,
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    res.location().to_string()
}

/// Follows the status page, asking the instances in turn, until the import has finished; returns
/// the finished page as the last instance asked showed it.
pub(crate) async fn follow(instances: &mut [&mut Client], status_page: &str) -> Response {
    for round in 0..400 {
        let c = &mut instances[round % instances.len()];
        let page = c.get(status_page).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        if !page.body.contains("data-import-status") {
            let progress = c.get(&format!("{status_page}/voortgang")).await;
            assert!(
                progress.body.contains("\"klaar\":true"),
                "{}",
                progress.body
            );
            return page;
        }
        // A running import refreshes itself without JavaScript too.
        assert!(page.body.contains("http-equiv=\"refresh\""));
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the import did not finish");
}

const GOOD: &[u8] =
    b"vakgroep;zorgproduct;volume\nCAR;990004006;12,5\nCAR;990004007;3\nLON;990004006;7\n";

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn controller_imports_a_file_again_and_a_correction(pool: PgPool) {
    let mut c = app(pool).await;
    products(&c).await;
    c.sign_in_as(CONTROLLER).await;
    let form = c.get("/begroting/productie").await;
    assert!(form.body.contains(r#"enctype="multipart/form-data""#));
    // The fields the upload reads are the ones the form sends.
    for name in ["year", "period", "bestand"] {
        assert!(form.body.contains(&format!(r#"name="{name}""#)), "{name}");
    }

    let done = import(&mut c, "3", GOOD).await;
    assert!(
        done.body.contains("Geïmporteerd: 3 regels"),
        "{}",
        done.body
    );
    let volumes = store::production::volumes(&c.store, 2025, 3).await.unwrap();
    assert_eq!(volumes.len(), 3);

    let again = import(&mut c, "3", GOOD).await;
    assert!(again.body.contains("al geïmporteerd"), "{}", again.body);

    let corrected = b"vakgroep;zorgproduct;volume\nCAR;990004006;14,25\n";
    let replaced = import(&mut c, "3", corrected).await;
    assert!(
        replaced
            .body
            .contains("vorige import van deze periode is vervangen")
    );
    assert_eq!(
        store::production::volumes(&c.store, 2025, 3)
            .await
            .unwrap()
            .len(),
        1
    );

    let list = c.get("/begroting/productie?jaar=2025").await;
    assert!(list.body.contains("productie.csv"));
    assert!(list.body.contains("vervangen op"));
    assert!(list.body.contains(">huidig<"));
    // Volumes as on the budget pages: up to two decimals (22,5 and 14,25, not 14,3).
    assert!(list.body.contains(">22,5<"), "{}", list.body);
    assert!(list.body.contains(">14,25<"), "{}", list.body);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_bad_file_lists_every_bad_line_and_changes_nothing(pool: PgPool) {
    let mut c = app(pool).await;
    products(&c).await;
    c.sign_in_as(CONTROLLER).await;
    import(&mut c, "4", GOOD).await;
    let bad = b"vakgroep;zorgproduct;volume\nCAR;990004006;12\nXYZ;1;3\nCAR;990004007;-1\nLON;990004006;1.234.567\n";
    let page = import(&mut c, "4", bad).await;
    assert!(page.body.contains("Er is niets gewijzigd"), "{}", page.body);
    for line in [
        "<td class=\"num\">3</td>",
        "<td class=\"num\">4</td>",
        "<td class=\"num\">5</td>",
    ] {
        assert!(page.body.contains(line), "{line} in {}", page.body);
    }
    assert!(page.body.contains("Negatief volume"));
    // The earlier import of the period is untouched.
    assert_eq!(
        store::production::volumes(&c.store, 2025, 4)
            .await
            .unwrap()
            .len(),
        3
    );

    // Many bad lines: the first 1,000 are listed, with the total.
    let mut many = b"vakgroep;zorgproduct;volume\n".to_vec();
    for i in 0..1005 {
        many.extend(format!("CAR;P{i};-1\n").as_bytes());
    }
    let page = import(&mut c, "4", &many).await;
    assert!(
        page.body.contains("de eerste 1.000 van 1.005"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("Er zijn er nog 5 meer (1.005 in totaal)"),
        "{}",
        page.body
    );
    assert_eq!(page.body.matches("<td class=\"num\">").count(), 1000);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_upload_form_checks_its_fields(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(CONTROLLER).await;
    let res = upload(
        &mut c,
        "/begroting/productie",
        &[("year", "2025"), ("period", "13")],
        "p.csv",
        GOOD,
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Kies een periode van 1 tot en met 12"));
    assert!(res.body.contains(r#"value="2025""#), "keeps the year typed");
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_file_error_keeps_the_fields_and_names_only_the_file(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(CONTROLLER).await;
    let fields = [("year", "2024"), ("period", "7")];
    for (name, data, message) in [
        ("", &b""[..], "Kies een bestand."),
        ("leeg.csv", &b""[..], "Het bestand is leeg."),
    ] {
        let res = upload(&mut c, "/begroting/productie", &fields, name, data).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
        assert!(res.body.contains(message), "{message} in {}", res.body);
        assert!(res.body.contains(r#"value="2024""#), "{}", res.body);
        assert!(res.body.contains(r#"value="7""#), "{}", res.body);
        assert!(!res.body.contains("Vul een jaar in"), "{}", res.body);
        assert!(!res.body.contains("Kies een periode"), "{}", res.body);
    }
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_file_with_absurd_volumes_is_refused_not_stuck(pool: PgPool) {
    let mut c = app(pool).await;
    products(&c).await;
    c.sign_in_as(CONTROLLER).await;
    let huge = "9".repeat(28);
    let file = format!(
        "vakgroep;zorgproduct;volume\nCAR;990004006;{huge}\nCAR;990004007;{huge}\nLON;990004006;{huge}\n"
    );
    let page = import(&mut c, "5", file.as_bytes()).await;
    assert!(page.body.contains("Niet geïmporteerd"), "{}", page.body);
    assert!(
        page.body.contains("ten hoogste 12 cijfers voor de komma"),
        "{}",
        page.body
    );
    assert!(
        store::production::volumes(&c.store, 2025, 5)
            .await
            .unwrap()
            .is_empty()
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn only_the_controller_imports_others_may_look(pool: PgPool) {
    let mut c = app(pool).await;
    products(&c).await;
    c.sign_in_as(CONTROLLER).await;
    let done = upload(
        &mut c,
        "/begroting/productie",
        &[("year", "2025"), ("period", "1")],
        "p.csv",
        GOOD,
    )
    .await;
    let status_page = done.location().to_string();
    for who in [VAKGROEP, BESTUURDER] {
        c.cookies.clear();
        c.sign_in_as(who).await;
        let list = c.get("/begroting/productie").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(!list.body.contains("multipart/form-data"));
        let res = upload(
            &mut c,
            "/begroting/productie",
            &[("year", "2025"), ("period", "2")],
            "p.csv",
            GOOD,
        )
        .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        assert_eq!(c.get(&status_page).await.status, StatusCode::FORBIDDEN);
    }
}
