//! The agreements register: filters, compartments in the list and both exports, the file
//! formats, and the compliance rate page.

use crate::support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use domain::agreements::draft::Party;
use domain::agreements::kinds::AgreementStatus;
use domain::agreements::progress::{KpiDraft, MeasurementDraft};
use domain::ids::AgreementId;
use http_body_util::BodyExt;
use sqlx::types::Decimal;
use std::io::Read;
use store::PgPool;
use store::agreements::AgreementInput;
use store::audit::Who;
use time::{Date, Duration, OffsetDateTime};
use tower::ServiceExt;

fn today() -> Date {
    domain::nl::to_amsterdam(OffsetDateTime::now_utc()).date()
}

fn party(kind: &str, label: &str) -> Party {
    Party {
        kind: kind.try_into().unwrap(),
        label: label.into(),
        vakgroep_id: None,
        owner_id: None,
    }
}

fn input(title: &str) -> AgreementInput {
    AgreementInput {
        kind: "monitoring".try_into().unwrap(),
        title: title.into(),
        description: String::new(),
        owner_id: None,
        parties: vec![party("rvb", "")],
        seven_s: vec![],
        theme: None,
        start_date: None,
        due_date: None,
        review_months: None,
        visibility_body_id: None,
        origin_meeting_id: None,
        origin_item_id: None,
        origin_decision_id: None,
        insurer_deviation: String::new(),
        budget_scenario_id: None,
    }
}

async fn create(c: &Client, input: &AgreementInput, status: AgreementStatus) -> i64 {
    let mut tx = c.store.begin().await.unwrap();
    let id = store::agreements::create(&mut tx, &Who::system("test"), input, status)
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    id.get()
}

async fn body_id(c: &Client, code: &str) -> i64 {
    store::bodies::list(c.store.pool())
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.code == code)
        .unwrap()
        .id
}

/// A GET that keeps the body as bytes (the shared client reads it as text).
async fn get_bytes(c: &Client, path: &str) -> (StatusCode, header::HeaderMap, Vec<u8>) {
    let jar: Vec<String> = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut req = Request::builder()
        .uri(path)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::COOKIE, jar.join("; "))
        .body(Body::empty())
        .unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(c.ip));
    let res = c.router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, bytes)
}

fn xlsx_strings(bytes: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip file");
    assert!(
        archive.by_name("xl/worksheets/sheet1.xml").is_ok(),
        "the workbook has a sheet"
    );
    let mut text = String::new();
    for name in ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"] {
        if let Ok(mut f) = archive.by_name(name) {
            f.read_to_string(&mut text).unwrap();
        }
    }
    text
}

struct Seeded {
    alpha: &'static str,
    beta: &'static str,
    gamma: &'static str,
    secret: &'static str,
}

/// Three joint agreements and one for the MSB only.
async fn seed(c: &Client) -> Seeded {
    let today = today();
    let mut a = input("Pijler alpha thuiszorg");
    a.description = "Thuismonitoring bij hartfalen uitbreiden".into();
    a.parties = vec![party("rvb", ""), party("verzekeraar", "Zilveren Kruis")];
    a.theme = Some("zorg_thuis".try_into().unwrap());
    a.seven_s = vec!["strategie".try_into().unwrap()];
    a.due_date = Some(today + Duration::days(60));
    create(c, &a, AgreementStatus::Vastgesteld).await;

    let mut b = input("Pijler beta eerstelijn");
    b.parties = vec![party("msb_plus", "")];
    b.theme = Some("eerste_lijn".try_into().unwrap());
    b.due_date = Some(today + Duration::days(200));
    create(c, &b, AgreementStatus::Voorgesteld).await;

    let mut g = input("Pijler gamma achterstand");
    g.due_date = Some(today - Duration::days(10));
    g.start_date = Some(today - Duration::days(120));
    let gamma = create(c, &g, AgreementStatus::InUitvoering).await;
    let mut tx = c.store.begin().await.unwrap();
    let who = Who::system("test");
    let kpi = store::agreements::add_kpi(
        &mut tx,
        &who,
        AgreementId::new(gamma),
        &KpiDraft {
            name: "Wachttijd gehaald".into(),
            unit: "%".into(),
            direction: "hoger_beter".try_into().unwrap(),
            baseline: Decimal::from(0),
            target: Decimal::from(100),
        },
    )
    .await
    .unwrap();
    store::agreements::add_measurement(
        &mut tx,
        &who,
        kpi,
        &MeasurementDraft {
            measured_on: today - Duration::days(100),
            value: Decimal::from(5),
            note: String::new(),
        },
    )
    .await
    .unwrap();
    store::commit(tx).await.unwrap();

    let mut s = input("Geheime verdeling honorariumbudget");
    s.parties = vec![party("msb_plus", "")];
    s.visibility_body_id = Some(body_id(c, "MSB").await);
    s.due_date = Some(today + Duration::days(30));
    create(c, &s, AgreementStatus::Vastgesteld).await;

    Seeded {
        alpha: "Pijler alpha thuiszorg",
        beta: "Pijler beta eerstelijn",
        gamma: "Pijler gamma achterstand",
        secret: "Geheime verdeling honorariumbudget",
    }
}

/// Which of the seeded titles a page or file shows, as a string of letters `abg`.
fn shown(s: &Seeded, body: &str) -> String {
    [(s.alpha, 'a'), (s.beta, 'b'), (s.gamma, 'g')]
        .iter()
        .filter(|(t, _)| body.contains(t))
        .map(|(_, l)| *l)
        .collect()
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn filters_narrow_the_register(pool: PgPool) {
    let mut c = app(pool).await;
    let s = seed(&c).await;
    c.sign_in_as(BESTUURDER).await;
    let today = today();
    let later = domain::nl::date(today + Duration::days(100));
    let iso_today = format!(
        "{}-{:02}-{:02}",
        today.year(),
        u8::from(today.month()),
        today.day()
    );
    let cases = [
        ("/afspraken".to_string(), "abg"),
        ("/afspraken?status=voorgesteld".into(), "b"),
        ("/afspraken?partij=verzekeraar".into(), "a"),
        ("/afspraken?thema=eerste_lijn".into(), "b"),
        ("/afspraken?element=strategie".into(), "a"),
        (format!("/afspraken?van={later}"), "b"),
        (format!("/afspraken?tot={iso_today}"), "g"),
        ("/afspraken?q=hartfalen".into(), "a"),
        ("/afspraken?stoplicht=rood".into(), "g"),
        ("/afspraken?stoplicht=groen&status=vastgesteld".into(), "a"),
    ];
    for (path, want) in cases {
        let res = c.get(&path).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        assert_eq!(shown(&s, &res.body), want, "{path}");
        assert!(
            !res.body.contains(s.secret),
            "{path} shows an MSB-only agreement"
        );
    }
    // The chosen values stay in the form, and the export links carry them.
    let res = c.get("/afspraken?stoplicht=rood&q=achterstand").await;
    assert!(res.body.contains("<option value=\"rood\" selected>"));
    assert!(res.body.contains("value=\"achterstand\""));
    assert!(res.body.contains("/afspraken/export.csv?"));
    assert!(res.body.contains("stoplicht=rood"));
    assert!(res.body.contains("uit koers"), "the light's label");
    assert!(res.body.contains("verstreken"), "the reason of the light");

    // An unreadable date: a Dutch message at the field, the list not filtered by it.
    let res = c.get("/afspraken?van=31-02-2026").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.body
            .contains("Vul een geldige datum in als dd-mm-jjjj.")
    );
    assert!(res.body.contains("aria-invalid=\"true\""));
    assert_eq!(shown(&s, &res.body), "abg");

    // Nothing found: an empty state.
    let res = c.get("/afspraken?q=nergensgevonden").await;
    assert!(res.body.contains("Geen afspraken gevonden"));

    // Only the secretary gets the button for a new agreement.
    assert!(!res.body.contains("/afspraken/nieuw"));
    c.cookies.clear();
    c.sign_in_as(SECRETARIS).await;
    assert!(c.get("/afspraken").await.body.contains("/afspraken/nieuw"));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn exports_hold_exactly_what_the_list_shows(pool: PgPool) {
    let mut c = app(pool).await;
    let s = seed(&c).await;
    c.sign_in_as(BESTUURDER).await;

    let (status, headers, bytes) = get_bytes(&c, "/afspraken/export.csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv"),
        "export.csv is not taken for an agreement id"
    );
    assert_eq!(
        headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"afspraken.csv\""
    );
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let header_row = text.lines().next().unwrap();
    assert!(header_row.starts_with("Nummer;Titel;Soort;Partijen;Eigenaar;Status;"));
    assert!(header_row.contains("Einddatum"));
    assert_eq!(shown(&s, &text), "abg");
    assert!(!text.contains(s.secret));
    let due = domain::nl::date(today() + Duration::days(60));
    let alpha = text.lines().find(|l| l.contains(s.alpha)).unwrap();
    assert!(alpha.contains(&format!(";{due};")), "{alpha}");
    assert!(
        alpha.contains("Raad van Bestuur, Zilveren Kruis"),
        "{alpha}"
    );

    let (_, _, bytes) = get_bytes(&c, "/afspraken/export.csv?status=voorgesteld").await;
    assert_eq!(shown(&s, &String::from_utf8_lossy(&bytes)), "b");
    let (_, _, bytes) = get_bytes(&c, "/afspraken/export.csv?stoplicht=rood").await;
    assert_eq!(shown(&s, &String::from_utf8_lossy(&bytes)), "g");

    let (status, headers, bytes) = get_bytes(&c, "/afspraken/export.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(bytes.starts_with(b"PK"), "a ZIP container");
    let strings = xlsx_strings(&bytes);
    assert_eq!(shown(&s, &strings), "abg");
    assert!(!strings.contains(s.secret));
    assert!(strings.contains("Afspraken") || bytes.len() > 1000);

    let (_, _, bytes) = get_bytes(&c, "/afspraken/export.xlsx?thema=eerste_lijn").await;
    assert_eq!(shown(&s, &xlsx_strings(&bytes)), "b");

    // Without the right to view agreements there is no export either.
    c.cookies.clear();
    c.sign_in_as(VAKGROEP).await;
    assert_eq!(
        c.get("/afspraken/export.csv").await.status,
        StatusCode::FORBIDDEN
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn compliance_rate_per_party(pool: PgPool) {
    let mut c = app(pool).await;
    let today = today();
    let who = Who::system("test");
    for (title, due) in [
        ("Op tijd gerealiseerd", today),
        ("Te laat gerealiseerd", today - Duration::days(1)),
    ] {
        let mut a = input(title);
        a.parties = vec![party("regionale_partner", "Zorgnetwerk Testregio")];
        a.theme = Some("gepaste_zorg".try_into().unwrap());
        a.seven_s = vec!["systemen".try_into().unwrap()];
        a.due_date = Some(due);
        let id = create(&c, &a, AgreementStatus::InUitvoering).await;
        let version = store::agreements::detail(&c.store, AgreementId::new(id))
            .await
            .unwrap()
            .agreement
            .version;
        let mut tx = c.store.begin().await.unwrap();
        store::agreements::change_status(
            &mut tx,
            &who,
            AgreementId::new(id),
            version,
            AgreementStatus::Gerealiseerd,
            "klaar",
            Some(today),
        )
        .await
        .unwrap();
        store::commit(tx).await.unwrap();
    }
    c.sign_in_as(BESTUURDER).await;
    let res = c.get("/afspraken/nakoming").await;
    assert_eq!(res.status, StatusCode::OK);
    let row = res
        .body
        .lines()
        .find(|l| l.contains("Zorgnetwerk Testregio"))
        .expect("a row for the party");
    assert!(row.contains("50,0 %"), "{row}");
    let theme = res
        .body
        .lines()
        .find(|l| l.contains("Gepaste zorg"))
        .unwrap();
    assert!(theme.contains("50,0 %"), "{theme}");
    assert!(res.body.contains("—"), "nothing due shows a dash");
    assert!(res.body.contains("<svg"), "the trend chart");
    assert!(!res.body.contains("style="), "no inline styles (CSP)");
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_register_pages_by_a_hundred_and_keeps_the_filter(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    let mut tx = c.store.begin().await.unwrap();
    for n in 0..105 {
        let mut a = input(&format!("Afspraak nummer {n:03}"));
        a.kind = if n % 5 == 0 {
            "financieel"
        } else {
            "monitoring"
        }
        .try_into()
        .unwrap();
        a.due_date = Some(today() + Duration::days(n));
        store::agreements::create(
            &mut tx,
            &Who::system("test"),
            &a,
            AgreementStatus::Vastgesteld,
        )
        .await
        .unwrap();
    }
    store::commit(tx).await.unwrap();
    let rows = |body: &str| body.matches("<tr data-afspraak=").count();

    let first = c.get("/afspraken").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(rows(&first.body), 100);
    assert!(
        first.body.contains("105 afspraken (getoond: 1–100)"),
        "{}",
        first.body
    );
    assert!(
        first.body.contains("Afspraak nummer 000") && !first.body.contains("Afspraak nummer 100")
    );
    assert!(
        first
            .body
            .contains(r#"<a href="/afspraken?pagina=2" rel="next">"#)
    );

    let second = c.get("/afspraken?pagina=2").await;
    assert_eq!(rows(&second.body), 5);
    assert!(second.body.contains("Afspraak nummer 104"));
    assert!(second.body.contains("getoond: 101–105"));
    assert!(
        second
            .body
            .contains(r#"<a href="/afspraken?pagina=1" rel="prev">"#)
    );

    let beyond = c.get("/afspraken?soort=monitoring&pagina=9").await;
    assert_eq!(beyond.status, StatusCode::SEE_OTHER);
    assert_eq!(beyond.location(), "/afspraken?soort=monitoring&pagina=1");

    // A filter of 21 rows is one page; the exports hold every matching row, not one page.
    let financial = c.get("/afspraken?soort=financieel").await;
    assert_eq!(rows(&financial.body), 21);
    assert!(!financial.body.contains("rel=\"next\""));
    let (_, _, csv) = get_bytes(&c, "/afspraken/export.csv").await;
    assert_eq!(
        String::from_utf8(csv)
            .unwrap()
            .matches("Afspraak nummer")
            .count(),
        105
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_attention_filter_keeps_what_needs_attention(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    let mut late = input("Verlopen afspraak");
    late.due_date = Some(today() - Duration::days(3));
    let late = create(&c, &late, AgreementStatus::InUitvoering).await;
    let mut calm = input("Rustige afspraak");
    calm.due_date = Some(today() + Duration::days(30));
    create(&c, &calm, AgreementStatus::InUitvoering).await;
    let page = c.get("/afspraken?aandacht=ja").await.body;
    assert!(page.contains("Verlopen afspraak") && !page.contains("Rustige afspraak"));
    assert!(page.contains("Vraagt aandacht: verlopen sinds"));
    assert!(page.contains(r#"href="/afspraken/export.csv?aandacht=ja""#));
    let (_, _, csv) = get_bytes(&c, "/afspraken/export.csv?aandacht=ja").await;
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains("Verlopen afspraak") && !csv.contains("Rustige afspraak"));

    // Realised: the next view judges again (lights are kept per register revision).
    let version = store::agreements::detail(&c.store, AgreementId::new(late))
        .await
        .unwrap()
        .agreement
        .version;
    let res = c
        .post(
            &format!("/afspraken/{late}/status"),
            &[("version", &version.to_string()), ("to", "gerealiseerd")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = c.get("/afspraken?aandacht=ja").await.body;
    assert!(!page.contains("Verlopen afspraak"), "{page}");
    assert!(
        c.get("/afspraken?stoplicht=groen")
            .await
            .body
            .contains("Verlopen afspraak")
    );
}

/// The demo register (loaded by `serve --demo`) shows every part of the register at work.
#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_demo_register_has_something_to_show_everywhere(pool: PgPool) {
    let mut c = app(pool).await;
    demo::agreements::load(&c.store).await.unwrap();
    demo::agreements::load(&c.store).await.unwrap();
    let all = store::agreements::list(
        &c.store,
        &store::agreements::RegisterFilter {
            visible_bodies: store::bodies::list(c.store.pool())
                .await
                .unwrap()
                .iter()
                .map(|b| b.id)
                .collect(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(all.len(), 10, "loading twice changes nothing");

    c.sign_in_as(SECRETARIS).await;
    let register = c.get("/afspraken").await.body;
    assert!(
        register.contains("9 afspraken"),
        "the MSB-only one stays in the MSB"
    );
    for light in ["light-rood", "light-groen", "light-oranje"] {
        assert!(register.contains(light), "{light}");
    }
    assert!(register.contains("Vraagt aandacht: verlopen sinds"));
    let meeting = store::meetings::list_for_bodies(
        &c.store,
        &[store::bodies::list(c.store.pool())
            .await
            .unwrap()
            .iter()
            .find(|b| b.code == "RvB")
            .unwrap()
            .id],
    )
    .await
    .unwrap()[0]
        .id;
    let agenda = c.get(&format!("/vergaderingen/{meeting}")).await.body;
    let standing = &agenda[agenda.find("Afspraken die aandacht vragen").unwrap()..];
    assert!(standing.contains("Stabiele diabetespatiënten terug naar de huisarts"));
    assert!(standing.contains("Wachttijd polikliniek orthopedie terug naar vier weken"));
    assert!(
        !standing.contains("Verdeelmodel honorarium evalueren"),
        "MSB only"
    );
    let compliance = c.get("/afspraken/nakoming").await.body;
    assert!(
        compliance.contains("Raad van Bestuur") || compliance.contains("RvB"),
        "{compliance}"
    );
}
