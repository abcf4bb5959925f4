//! Attachments (A2): multipart upload with the CSRF token in the URL, content sniffing, the size
//! limit, download headers, and the compartments.

use crate::support::*;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use store::PgPool;
use tower::ServiceExt;

const EVA: &str = "e.mulder@rijnoever.example";
const HANS: &str = "h.koster@rijnoever.example";
const JOINT: &str = "Uitgangspunten capaciteitsbegroting 2027";
const MSB_ONLY: &str = "Interne verdeling honorariumbudget";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
const BOUNDARY: &str = "----gelijkgericht-test-7d93a1";

struct Raw {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Raw {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

fn multipart(filename: &str, data: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"omschrijving\"\r\n\r\nbijlage\r\n\
             --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"bestand\"; filename=\"{filename}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(data);
    body.extend(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Sends a request as the client's browser would (its cookies), with a body of our own.
async fn send(
    c: &Client,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Raw {
    let jar: Vec<String> = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::COOKIE, jar.join("; "));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut req = req.body(Body::from(body)).unwrap();
    req.extensions_mut().insert(ConnectInfo(c.ip));
    let res = c.router.clone().oneshot(req).await.unwrap();
    Raw {
        status: res.status(),
        headers: res.headers().clone(),
        body: res.into_body().collect().await.unwrap().to_bytes().to_vec(),
    }
}

async fn upload(c: &mut Client, meeting: i64, item: i64, filename: &str, data: &[u8]) -> Raw {
    let token = c.csrf().await;
    let path = format!("/vergaderingen/{meeting}/punten/{item}/bijlagen?_csrf={token}");
    upload_to(c, &path, &[], filename, data).await
}

async fn upload_to(
    c: &Client,
    path: &str,
    extra: &[(&str, &str)],
    filename: &str,
    data: &[u8],
) -> Raw {
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let mut headers = vec![("content-type", content_type.as_str())];
    headers.extend_from_slice(extra);
    send(c, Method::POST, path, &headers, multipart(filename, data)).await
}

async fn demo_meeting(c: &Client) -> i64 {
    let rvb = store::bodies::list(c.store.pool())
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.code == "RvB")
        .unwrap()
        .id;
    store::meetings::list_for_bodies(&c.store, &[rvb])
        .await
        .unwrap()[0]
        .id
        .into()
}

async fn item_id(c: &Client, meeting: i64, title: &str) -> i64 {
    store::agenda::items(c.store.pool(), meeting.into())
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.title == title)
        .unwrap()
        .id
        .into()
}

async fn stored(c: &Client, meeting: i64) -> Vec<store::attachments::Attachment> {
    store::attachments::for_meeting(&c.store, meeting.into())
        .await
        .unwrap()
}

async fn switch_to(c: &mut Client, email: &str) {
    c.cookies.clear();
    c.sign_in_as(email).await;
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_secretary_uploads_a_pdf_that_members_see_and_download(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    let meeting = demo_meeting(&c).await;
    let item = item_id(&c, meeting, JOINT).await;

    let res = upload(
        &mut c,
        meeting,
        item,
        "C:\\Stukken\\Voorstel capaciteit 2027.pdf",
        PDF,
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    assert!(
        res.header(header::LOCATION)
            .starts_with(&format!("/vergaderingen/{meeting}"))
    );
    let files = stored(&c, meeting).await;
    assert_eq!(files.len(), 1);
    let file = &files[0];
    assert_eq!(file.item_id, item.into());
    assert_eq!(
        file.filename, "Voorstel capaciteit 2027.pdf",
        "no path parts"
    );
    assert_eq!(file.content_type, "application/pdf");

    let page = c.get(&format!("/vergaderingen/{meeting}")).await;
    assert!(page.body.contains("Voorstel capaciteit 2027.pdf"));
    assert!(page.body.contains(&format!("{} bytes", PDF.len())));
    assert!(
        page.body
            .contains(&format!("/vergaderingen/{meeting}/bijlagen/{}", file.id))
    );
    assert!(
        page.body.contains(r#"enctype="multipart/form-data""#),
        "upload form"
    );

    // A board member sees it and downloads exactly the bytes, as a download.
    switch_to(&mut c, BESTUURDER).await;
    let page = c.get(&format!("/vergaderingen/{meeting}")).await;
    assert!(page.body.contains("Voorstel capaciteit 2027.pdf"));
    assert!(
        !page.body.contains(r#"enctype="multipart/form-data""#),
        "no upload form for members"
    );
    let path = format!("/vergaderingen/{meeting}/bijlagen/{}", file.id);
    let got = send(&c, Method::GET, &path, &[], Vec::new()).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body, PDF);
    assert_eq!(got.header(header::CONTENT_TYPE), "application/pdf");
    assert_eq!(got.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    let disposition = got.header(header::CONTENT_DISPOSITION);
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''Voorstel%20capaciteit%202027.pdf"),
        "{disposition}"
    );

    // An observer of another body does not find it.
    switch_to(&mut c, TOEHOORDER).await;
    assert_eq!(c.get(&path).await.status, StatusCode::NOT_FOUND);

    // Removed by the secretary: gone from the page and from the download.
    switch_to(&mut c, SECRETARIS).await;
    let res = c.post(&format!("{path}/verwijderen"), &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(stored(&c, meeting).await.is_empty());
    assert_eq!(c.get(&path).await.status, StatusCode::NOT_FOUND);
    let page = c.get(&format!("/vergaderingen/{meeting}")).await;
    assert!(!page.body.contains("Voorstel capaciteit 2027.pdf"));
    let (entries, _) = store::audit::list(
        &c.store,
        &store::audit::AuditFilter {
            object_type: Some("attachment".into()),
            ..Default::default()
        },
        10,
        0,
    )
    .await
    .unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["delete", "create"]);
    assert!(entries[1].actor_label.contains(SECRETARIS));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_content_decides_not_the_name(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    let meeting = demo_meeting(&c).await;
    let item = item_id(&c, meeting, JOINT).await;

    let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFFThis program cannot be run in DOS mode.";
    let res = upload(&mut c, meeting, item, "notulen.pdf", exe).await;
    assert_eq!(res.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(
        res.text()
            .contains("Dit soort bestand kan niet als bijlage"),
        "{}",
        res.text()
    );
    let res = upload(&mut c, meeting, item, "leeg.pdf", b"").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("leeg"));
    assert!(stored(&c, meeting).await.is_empty());

    // A PDF under another name is stored as a PDF, with a name that says so.
    let res = upload(&mut c, meeting, item, "scan.docx", PDF).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let files = stored(&c, meeting).await;
    assert_eq!(files[0].filename, "scan.docx.pdf");
    assert_eq!(files[0].content_type, "application/pdf");
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn an_upload_needs_the_csrf_token_in_the_url_or_header(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    let meeting = demo_meeting(&c).await;
    let item = item_id(&c, meeting, JOINT).await;
    let token = c.csrf().await;
    let base = format!("/vergaderingen/{meeting}/punten/{item}/bijlagen");

    let wrong = "niet-het-goede-token-niet-het-goede-token-x";
    for path in [
        base.clone(),
        format!("{base}?_csrf={wrong}"),
        format!("{base}?_csrf="),
    ] {
        let res = upload_to(&c, &path, &[], "a.pdf", PDF).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{path}");
        assert!(res.text().contains("Formulier verlopen"));
    }
    let res = upload_to(&c, &base, &[("x-csrf-token", wrong)], "a.pdf", PDF).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // Another site's form is refused even with the right token.
    let res = upload_to(
        &c,
        &format!("{base}?_csrf={token}"),
        &[("origin", "https://evil.example")],
        "a.pdf",
        PDF,
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(stored(&c, meeting).await.is_empty());

    let res = upload_to(&c, &base, &[("x-csrf-token", &token)], "a.pdf", PDF).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "the header works too");
    assert_eq!(stored(&c, meeting).await.len(), 1);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn files_over_25_mb_are_refused_in_dutch(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    let meeting = demo_meeting(&c).await;
    let item = item_id(&c, meeting, JOINT).await;

    // Just over the limit: stopped while reading the file.
    let mut big = PDF.to_vec();
    big.resize(25 * 1024 * 1024 + 1, b'0');
    let res = upload(&mut c, meeting, item, "groot.pdf", &big).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        res.text().contains("Het bestand is te groot"),
        "{}",
        res.text()
    );

    // Far over: stopped by the route's body limit.
    big.resize(30 * 1024 * 1024, b'0');
    let res = upload(&mut c, meeting, item, "groter.pdf", &big).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.text().contains("hoogstens 25 MB"));
    assert!(stored(&c, meeting).await.is_empty());

    // Exactly at the limit is fine.
    big.truncate(25 * 1024 * 1024);
    let res = upload(&mut c, meeting, item, "precies.pdf", &big).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let page = c.get(&format!("/vergaderingen/{meeting}")).await;
    assert!(page.body.contains("25,0 MB"));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn attachments_of_a_body_only_item_stay_in_that_body(pool: PgPool) {
    let mut c = app(pool).await;
    let meeting = demo_meeting(&c).await;
    let item = item_id(&c, meeting, MSB_ONLY).await;

    // The RvB secretary does not find the MSB-only item.
    c.sign_in_as(SECRETARIS).await;
    let res = upload(&mut c, meeting, item, "verdeelsleutel.pdf", PDF).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    switch_to(&mut c, EVA).await;
    let res = upload(&mut c, meeting, item, "Verdeelsleutel honorarium.pdf", PDF).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let id = stored(&c, meeting).await[0].id;
    let path = format!("/vergaderingen/{meeting}/bijlagen/{id}");

    switch_to(&mut c, HANS).await;
    assert!(
        c.get(&format!("/vergaderingen/{meeting}"))
            .await
            .body
            .contains("Verdeelsleutel honorarium.pdf")
    );
    assert_eq!(c.get(&path).await.status, StatusCode::OK);

    // RvB members: a board member may not remove at all, the secretary does not find it.
    for (outsider, removing) in [
        (BESTUURDER, StatusCode::FORBIDDEN),
        (SECRETARIS, StatusCode::NOT_FOUND),
    ] {
        switch_to(&mut c, outsider).await;
        let page = c.get(&format!("/vergaderingen/{meeting}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            !page.body.contains("Verdeelsleutel"),
            "{outsider} sees the name"
        );
        assert_eq!(
            c.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{outsider}"
        );
        let res = c.post(&format!("{path}/verwijderen"), &[]).await;
        assert_eq!(res.status, removing, "{outsider}");
    }
    // Asked through another meeting's URL, it does not exist either.
    switch_to(&mut c, HANS).await;
    let res = c
        .get(&format!("/vergaderingen/{}/bijlagen/{id}", meeting + 1000))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(stored(&c, meeting).await.len(), 1);
}
