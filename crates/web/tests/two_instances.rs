//! Two real `gelijkgericht serve` processes on one database, and browsers whose requests go to
//! either of them in turn, as behind a load balancer (issue #17): an import started on one is
//! followed, and its rejected lines downloaded, on the other; an edit opened on one and saved on
//! the other gives the conflict page instead of an overwrite, and the kept pages of both follow
//! every change; a live stream on one hears a decision taken through the other; signing out on
//! one ends the session on the other, its kept pages and its live stream included.
//!
//! Needs `DATABASE_URL` like the other binary tests.

mod e2e_support;

use e2e_support::{App, DEMO_PASSWORD, fresh_database, head};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use store::Store;

const SECRETARY: &str = "s.bakker@rijnoever.example"; // RvB secretary
const CONTROLLER: &str = "r.hendriks@rijnoever.example";
const HANS: &str = "h.koster@rijnoever.example"; // MSB chair
const JOINT: &str = "Uitgangspunten capaciteitsbegroting 2027";

/// Guards against a hang only: what the instances tell each other goes through PostgreSQL's
/// notifications, which take milliseconds; nothing here depends on how many.
const PATIENCE: Duration = Duration::from_secs(20);

/// An answer, read completely.
struct Page {
    status: StatusCode,
    location: String,
    content_type: String,
    bytes: Vec<u8>,
    body: String,
}

impl Page {
    fn field(&self, name: &str) -> String {
        e2e_support::hidden_field(&self.body, name)
            .unwrap_or_else(|| panic!("no field {name}: {}", head(&self.body, 1500)))
    }

    /// The page, after checking its status (else the page is the message).
    fn expect(self, status: StatusCode) -> Page {
        assert_eq!(self.status, status, "{}", head(&self.body, 2000));
        self
    }

    /// Checks that the page shows each of `texts`.
    fn shows(&self, texts: &[&str]) {
        for text in texts {
            let shown = self.body.contains(text);
            assert!(shown, "{text:?} not in: {}", head(&self.body, 3000));
        }
    }

    fn is_sign_in(&self) -> bool {
        self.status == StatusCode::SEE_OTHER && self.location.starts_with("/inloggen")
    }
}

/// One browser: a cookie jar that goes with every request, whichever instance answers it (the
/// cookies of 127.0.0.1 hold for every port).
#[derive(Clone)]
struct Browser {
    http: reqwest::Client,
    cookies: BTreeMap<String, String>,
}

impl Browser {
    fn new() -> Browser {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client");
        Browser {
            http,
            cookies: BTreeMap::new(),
        }
    }

    fn with_cookies(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let jar: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        request.header(COOKIE, jar.join("; "))
    }

    async fn send(&mut self, what: String, request: reqwest::RequestBuilder) -> Page {
        let response = self
            .with_cookies(request)
            .timeout(PATIENCE)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let (location, content_type) = (header(LOCATION), header(CONTENT_TYPE));
        for set in response.headers().get_all(SET_COOKIE) {
            let set = set.to_str().unwrap_or_default();
            let pair = set.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                if set.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), v.to_string());
                }
            }
        }
        let status = response.status();
        let bytes = response.bytes().await.expect("reading the body").to_vec();
        Page {
            status,
            location,
            content_type,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }

    async fn get(&mut self, app: &App, path: &str) -> Page {
        let url = app.url(path);
        self.send(format!("GET {url}"), self.http.get(&url)).await
    }

    /// The CSRF token as the pages carry it: the cookie's value.
    fn token(&self) -> String {
        self.cookies
            .get("gg_csrf")
            .cloned()
            .expect("a gg_csrf cookie")
    }

    /// Posts a form as its page would, with the CSRF token.
    async fn post(&mut self, app: &App, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.token();
        let mut form = vec![("_csrf", token.as_str())];
        form.extend_from_slice(fields);
        let url = app.url(path);
        self.send(format!("POST {url}"), self.http.post(&url).form(&form))
            .await
    }

    /// Uploads a production file through the import form (the token in the action's URL).
    async fn upload(&mut self, app: &App, year: &str, period: &str, data: &[u8]) -> Page {
        const BOUNDARY: &str = "----twee-instanties-7f3a";
        let mut body = Vec::new();
        for (k, v) in [("year", year), ("period", period)] {
            body.extend(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"bestand\"; filename=\"productie.csv\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let url = app.url(&format!("/begroting/productie?_csrf={}", self.token()));
        let request = self
            .http
            .post(&url)
            .header(
                CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body);
        self.send(format!("POST {url}"), request).await
    }

    /// Takes the sign-in form from one instance and posts it to the other.
    async fn sign_in(&mut self, form_from: &App, post_to: &App, email: &str) {
        let form = self.get(form_from, "/inloggen").await;
        let token = form.field("_csrf");
        assert_eq!(token, self.token(), "the form carries the cookie's token");
        let fields = [
            ("email", email),
            ("password", DEMO_PASSWORD),
            ("volgende", "/"),
        ];
        let res = self.post(post_to, "/inloggen", &fields).await;
        assert!(
            res.status == StatusCode::SEE_OTHER && res.location == "/",
            "signing in as {email}: {} {}",
            res.status,
            head(&res.body, 1500)
        );
        assert_ne!(self.token(), token, "a fresh token at sign-in");
    }

    /// Asks for `path` until `accept` takes the answer; how many answers were turned down with
    /// it. Panics with the last answer after [`PATIENCE`].
    async fn get_until(
        &mut self,
        app: &App,
        path: &str,
        accept: impl Fn(&Page) -> bool,
    ) -> (Page, u32) {
        let started = Instant::now();
        let mut refused = 0;
        loop {
            let page = self.get(app, path).await;
            if accept(&page) {
                return (page, refused);
            }
            assert!(
                started.elapsed() < PATIENCE,
                "GET {path} never gave what was awaited; last answer {}: {}",
                page.status,
                head(&page.body, 2000)
            );
            refused += 1;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Opens the live stream of a meeting.
    async fn live(&self, app: &App, meeting: i64) -> Live {
        let url = app.url(&format!("/vergaderingen/{meeting}/live"));
        let response = self
            .with_cookies(self.http.get(&url))
            .header("accept", "text/event-stream")
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        assert_eq!(response.status(), StatusCode::OK, "GET {url}");
        Live {
            response,
            buffer: String::new(),
        }
    }
}

/// A live stream, read event by event.
struct Live {
    response: reqwest::Response,
    buffer: String,
}

impl Live {
    /// The next event (keep-alive comments skipped) as (name, data); `None` at the end.
    async fn next(&mut self) -> Option<(String, String)> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let raw: String = self.buffer.drain(..end + 2).collect();
                let mut name = "message".to_string();
                let mut data = Vec::new();
                for line in raw.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim_start().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push(v.strip_prefix(' ').unwrap_or(v).to_string());
                    }
                }
                if !data.is_empty() {
                    return Some((name, data.join("\n")));
                }
                continue;
            }
            let chunk = tokio::time::timeout(PATIENCE, self.response.chunk())
                .await
                .expect("the live stream sent nothing for a long time")
                .expect("reading the live stream")?;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// Reads `agenda` events until one contains `needle`.
    async fn agenda_with(&mut self, needle: &str) -> String {
        loop {
            let (name, data) = self.next().await.expect("the stream ended");
            assert_eq!(name, "agenda", "{data}");
            if data.contains(needle) {
                return data;
            }
        }
    }
}

/// The records of a rejected-lines CSV, after checking its form.
fn csv_records(page: &Page) -> Vec<Vec<String>> {
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.content_type, "text/csv; charset=utf-8");
    let header = b"\xEF\xBB\xBFregel;kolom;reden;inhoud\r\n";
    assert!(page.bytes.starts_with(header), "{}", head(&page.body, 200));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&page.bytes[3..]);
    let records = reader.records().map(|r| r.expect("a CSV record"));
    records
        .map(|r| r.iter().map(str::to_string).collect())
        .collect()
}

/// Posts the agreement form with a title (the other fields as few as the form allows), as a new
/// agreement or over `version`.
async fn save_agreement(
    browser: &mut Browser,
    app: &App,
    path: &str,
    title: &str,
    version: Option<&str>,
) -> Page {
    let mut fields = vec![("title", title), ("kind", "monitoring"), ("review", "geen")];
    fields.extend(version.map(|v| ("version", v)));
    browser.post(app, path, &fields).await
}

#[tokio::test]
async fn two_instances_behind_a_balancer_are_one_application() {
    let started = Instant::now();
    let url = fresh_database().await;
    let a = App::start(&url).await; // loads the demo hospital
    let b = App::serve(&url, &[]).await;
    let store = Store::connect_lazy(&url, 2).expect("the test database");

    import_on_one_is_followed_on_the_other(&a, &b, &store).await;
    let secretary = edit_conflict_across_instances(&a, &b).await;
    live_meeting_and_sign_out_across_instances(&a, &b, &store, secretary).await;
    println!("two instances: {:.1?} in all", started.elapsed());
}

/// Part 1: the import's progress, outcome and every rejected line are in the database.
async fn import_on_one_is_followed_on_the_other(a: &App, b: &App, store: &Store) {
    let products: Vec<(String, String)> = sqlx::query_as(
        "SELECT v.code, p.code FROM care_product p JOIN vakgroep v ON v.id = p.vakgroep_id
          WHERE p.active AND v.active ORDER BY p.id LIMIT 2",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert_eq!(products.len(), 2, "the demo has care products");
    let mut controller = Browser::new();
    controller.sign_in(b, a, CONTROLLER).await;
    let finished = |p: &Page| {
        assert_eq!(p.status, StatusCode::OK, "{}", head(&p.body, 1500));
        !p.body.contains("data-import-status")
    };

    // A good file, uploaded on A, followed on B until it is done.
    let [(v0, p0), (v1, p1)] = [&products[0], &products[1]];
    let good = format!("vakgroep;zorgproduct;volume\n{v0};{p0};12,5\n{v1};{p1};3\n");
    let res = controller.upload(a, "2027", "1", good.as_bytes()).await;
    let job = res.expect(StatusCode::SEE_OTHER).location;
    assert!(job.starts_with("/begroting/productie/taken/"), "{job}");
    let (done, _) = controller.get_until(b, &job, finished).await;
    done.shows(&["Geïmporteerd: 2 regels"]);
    let progress = controller.get(b, &format!("{job}/voortgang")).await;
    progress.shows(&["\"klaar\":true"]);
    controller
        .get(a, &job)
        .await
        .shows(&["Geïmporteerd: 2 regels"]);

    // A file with only bad lines, more than the status page lists, uploaded on B; A shows the
    // job and hands out every rejected line, in order, with its own text.
    let total = 1_500;
    let lines: Vec<String> = (0..total)
        .map(|i| match i % 2 {
            0 => format!("{v0};{p0};-{}", i + 1),
            _ => format!("XYZ;{i};3"),
        })
        .collect();
    let bad = format!("vakgroep;zorgproduct;volume\n{}\n", lines.join("\n"));
    let res = controller.upload(b, "2027", "2", bad.as_bytes()).await;
    let job = res.expect(StatusCode::SEE_OTHER).location;
    let (page, _) = controller.get_until(a, &job, finished).await;
    page.shows(&[
        "Niet geïmporteerd",
        "Onbekende vakgroep",
        "de eerste 1.000 van 1.500",
        "(1.500 in totaal)",
        &format!("{job}/fouten.csv"),
    ]);
    let from_a = controller.get(a, &format!("{job}/fouten.csv")).await;
    let records = csv_records(&from_a);
    assert_eq!(records.len(), total, "every rejected line");
    for (i, record) in records.iter().enumerate() {
        assert_eq!(record[0], (i + 2).to_string(), "in line order: {record:?}");
        assert_eq!(record[3], lines[i], "the line's own text");
        if i % 2 == 0 {
            assert_eq!(record[1], "volume");
            assert!(record[2].starts_with("Negatief volume"), "{record:?}");
        } else {
            assert_eq!(record[1..3], ["vakgroep", "Onbekende vakgroep \"XYZ\"."]);
        }
    }
    let from_b = controller.get(b, &format!("{job}/fouten.csv")).await;
    assert!(from_a.bytes == from_b.bytes, "one file, whoever asks");
}

/// Part 2: optimistic versioning holds across instances, and so do the kept pages. Returns the
/// secretary's browser, signed in, for the meeting.
async fn edit_conflict_across_instances(a: &App, b: &App) -> Browser {
    const FIRST: &str = "Wachttijden polikliniek terugdringen";
    const ON_B: &str = "Wachttijden polikliniek halveren (via B)";
    const ON_A: &str = "Wachttijden polikliniek terugdringen (via A)";
    let mut secretary = Browser::new();
    secretary.sign_in(a, b, SECRETARY).await;
    let created = save_agreement(&mut secretary, a, "/afspraken", FIRST, None).await;
    let created = created.expect(StatusCode::SEE_OTHER).location;
    let id: i64 = created
        .trim_start_matches("/afspraken/")
        .split('?')
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("an agreement's page: {created}"));
    let show = format!("/afspraken/{id}");
    let edit = format!("{show}/bewerken");

    // Both registers rendered (and kept) with the first title.
    for app in [a, b] {
        for _ in 0..2 {
            let register = secretary.get(app, "/afspraken").await;
            register.expect(StatusCode::OK).shows(&[FIRST]);
        }
    }

    // One tab opens the form on A; another opens it on B and saves there.
    let stale = secretary.get(a, &edit).await.field("version");
    let fresh = secretary.get(b, &edit).await.field("version");
    assert_eq!(stale, fresh);
    let saved = save_agreement(&mut secretary, b, &show, ON_B, Some(&fresh)).await;
    saved.expect(StatusCode::SEE_OTHER);

    // A's kept register gives way once the notification is in.
    let since = Instant::now();
    let (_, stale_views) = secretary
        .get_until(a, "/afspraken", |p| p.body.contains(ON_B))
        .await;
    let took = since.elapsed();
    println!("A's register showed B's change after {took:.1?} ({stale_views} views before)");

    // The stale form posted to A: refused with both versions, the typed one kept in the form.
    let refused = save_agreement(&mut secretary, a, &show, ON_A, Some(&stale)).await;
    let refused = refused.expect(StatusCode::CONFLICT);
    refused.shows(&[
        "Iemand anders heeft deze afspraak intussen gewijzigd.",
        ON_B,
        ON_A,
        "verschilt",
    ]);
    let newer = refused.field("version");
    assert_ne!(newer, stale, "the merge form carries the stored version");
    for app in [a, b] {
        let page = secretary.get(app, &show).await;
        page.shows(&[ON_B]);
        assert!(!page.body.contains(ON_A), "nothing overwritten");
    }

    // Saving the merge form on A replaces B's version deliberately; B's kept register follows.
    let merged = save_agreement(&mut secretary, a, &show, ON_A, Some(&newer)).await;
    merged.expect(StatusCode::SEE_OTHER);
    let merged_only = |p: &Page| p.body.contains(ON_A) && !p.body.contains(ON_B);
    secretary.get_until(b, "/afspraken", merged_only).await;
    secretary
}

/// Parts 3 and 4: a live stream on A follows what happens through B; signing out on A ends the
/// session on B, for its kept pages and its open stream alike.
async fn live_meeting_and_sign_out_across_instances(
    a: &App,
    b: &App,
    store: &Store,
    mut secretary: Browser,
) {
    let bodies = store::bodies::list(store.pool()).await.unwrap();
    let rvb = bodies.iter().find(|x| x.code == "RvB").unwrap().id;
    let meetings = store::meetings::list_for_bodies(store, &[rvb]).await;
    let meeting: i64 = meetings.unwrap()[0].id.into();
    let items = store::agenda::items(store.pool(), meeting.into()).await;
    let joint = items.unwrap().into_iter().find(|i| i.title == JOINT);
    let item: i64 = joint.expect("the joint item of the demo meeting").id.into();
    let page = format!("/vergaderingen/{meeting}");

    // Published on A, opened on B.
    for (app, to) in [(a, "gepubliceerd"), (b, "in_vergadering")] {
        let status = format!("{page}/status");
        let res = secretary.post(app, &status, &[("naar", to)]).await;
        res.expect(StatusCode::SEE_OTHER);
    }

    // The MSB chair follows on A; the RvB secretary records the RvB's decision through B.
    let mut hans = Browser::new();
    hans.sign_in(b, a, HANS).await;
    let mut on_a = hans.live(a, meeting).await;
    let first = on_a.agenda_with(JOINT).await;
    assert!(first.contains("In vergadering"), "{first}");
    const DECIDED: &str = "De RvB stemt in met de uitgangspunten (via B).";
    assert!(!first.contains(DECIDED));
    let rvb = rvb.to_string();
    let fields = [
        ("body_id", rvb.as_str()),
        ("outcome", "aangenomen"),
        ("text", DECIDED),
    ];
    let decide = format!("{page}/punten/{item}/besluit");
    secretary
        .post(b, &decide, &fields)
        .await
        .expect(StatusCode::SEE_OTHER);
    let since = Instant::now();
    on_a.agenda_with(DECIDED).await;
    let took = since.elapsed();
    println!("the stream on A carried B's decision after {took:.1?}");
    // Hans's page on A, whatever it kept, shows it too.
    hans.get_until(a, &page, |p| p.body.contains(DECIDED)).await;

    // Part 4. B has served the secretary's pages (and kept them) and streams the meeting.
    for path in ["/", "/afspraken", page.as_str()] {
        for _ in 0..2 {
            secretary.get(b, path).await.expect(StatusCode::OK);
        }
    }
    let mut on_b = secretary.live(b, meeting).await;
    on_b.agenda_with(JOINT).await;
    // The same session cookie, sent again after the sign-out.
    let mut replayed = secretary.clone();

    let res = secretary.post(a, "/uitloggen", &[]).await;
    assert!(res.is_sign_in(), "{} {}", res.status, res.location);
    assert!(!secretary.cookies.contains_key("gg_session"), "forgotten");
    let since = Instant::now();
    let mut served_after = 0;
    for path in ["/afspraken", "/", page.as_str()] {
        let signed_out = |p: &Page| {
            let served = p.status == StatusCode::OK;
            assert!(p.is_sign_in() || served, "{path}: {}", p.status);
            !served
        };
        served_after += replayed.get_until(b, path, signed_out).await.1;
    }
    let took = since.elapsed();
    println!("B refused the ended session after {took:.1?} ({served_after} pages served first)");
    // The instance that ended it waits for nothing; a change is refused everywhere by now.
    assert!(replayed.get(a, "/afspraken").await.is_sign_in());
    let close = format!("{page}/status");
    let res = replayed.post(b, &close, &[("naar", "gesloten")]).await;
    assert!(res.is_sign_in(), "changed with an ended session");
    // The open stream on B ends with the session.
    loop {
        match on_b.next().await {
            Some((name, data)) if name == "end" => break assert_eq!(data, "sessie"),
            Some((name, _)) => assert_eq!(name, "agenda"),
            None => panic!("the stream on B closed without an end event"),
        }
    }
    assert!(on_b.next().await.is_none(), "the stream closes after end");
}

/// A page may be read with a session ended on A for the moment `gg_person` takes to reach B (part
/// 4 waits for that), but a change never: B asks the database for every change.
#[tokio::test]
async fn a_session_signed_out_on_one_instance_changes_nothing_on_the_other() {
    let url = fresh_database().await;
    let a = App::start(&url).await;
    let b = App::serve(&url, &[]).await;
    for round in 0..5 {
        let mut browser = Browser::new();
        browser.sign_in(&a, &b, SECRETARY).await;
        browser.get(&b, "/afspraken").await.expect(StatusCode::OK);
        let mut replayed = browser.clone();
        assert!(browser.post(&a, "/uitloggen", &[]).await.is_sign_in());
        let title = format!("Na het uitloggen {round}");
        let res = save_agreement(&mut replayed, &b, "/afspraken", &title, None).await;
        assert!(
            res.is_sign_in(),
            "round {round}: B took a change from a session ended on A: {} {}",
            res.status,
            res.location
        );
    }
}
