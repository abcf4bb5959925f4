//! Every route × every demo role (and anonymous): the expected outcome is written down here, so a
//! new route without an expectation — or a rule that changes — fails this test.

use crate::support::*;
use axum::http::{Method, StatusCode};
use domain::budget::trend::TrendStatus;
use domain::budget::{ChangeKind, Direction, KpiKind, ScopeKind, TrendCategory};
use store::PgPool;

/// A: the handler ran (any answer but a refusal); L: sent to the login page; F: 403; N: 404.
const PERSONAS: [Option<&str>; 7] = [
    None,
    Some(BESTUURDER),
    Some(SECRETARIS),
    Some(VAKGROEP),
    Some(CONTROLLER),
    Some(BEHEERDER),
    Some(TOEHOORDER),
];

//                          anon best secr vakg ctrl behr toeh
const EVERYONE: &str = "AAAAAAA";
const SIGNED_IN: &str = "LAAAAAA";
const ADMIN_ONLY: &str = "LFFFFAF";
/// ManageVakgroepen: the admin and the controller (master data, D1).
const VAKGROEPEN: &str = "LFFFAAF";
const NOBODY_FINDS: &str = "NNNNNNN";
const VIEW_MEETING: &str = "LAAFFFN";
const SECRETARY: &str = "LFAFFFF";

fn expectations() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        ("GET", "/health", EVERYONE),
        ("GET", "/ready", EVERYONE),
        ("GET", "/static/{name}", EVERYONE),
        ("GET", "/inloggen", EVERYONE),
        ("POST", "/inloggen", EVERYONE),
        ("POST", "/uitloggen", SIGNED_IN),
        ("GET", "/wachtwoord-instellen/{token}", NOBODY_FINDS),
        ("POST", "/wachtwoord-instellen/{token}", NOBODY_FINDS),
        ("GET", "/account/wachtwoord", SIGNED_IN),
        ("POST", "/account/wachtwoord", SIGNED_IN),
        // The code step sends a full session on (A); anonymous visitors to the login page.
        ("GET", "/inloggen/code", SIGNED_IN),
        ("POST", "/inloggen/code", SIGNED_IN),
        ("GET", "/account/tweestapsverificatie", SIGNED_IN),
        ("POST", "/account/tweestapsverificatie/starten", SIGNED_IN),
        (
            "POST",
            "/account/tweestapsverificatie/bevestigen",
            SIGNED_IN,
        ),
        (
            "POST",
            "/account/tweestapsverificatie/herstelcodes",
            SIGNED_IN,
        ),
        ("GET", "/", SIGNED_IN),
        ("GET", "/vergaderingen", "LAAFFFA"),
        ("GET", "/vergaderingen/nieuw", SECRETARY),
        ("POST", "/vergaderingen", SECRETARY),
        ("GET", "/vergaderingen/{id}", VIEW_MEETING),
        ("GET", "/vergaderingen/{id}/live", VIEW_MEETING),
        ("GET", "/vergaderingen/{id}/bewerken", SECRETARY),
        ("POST", "/vergaderingen/{id}", SECRETARY),
        ("POST", "/vergaderingen/{id}/status", SECRETARY),
        ("GET", "/vergaderingen/{id}/punten/nieuw", SECRETARY),
        ("POST", "/vergaderingen/{id}/punten", SECRETARY),
        ("GET", "/vergaderingen/{id}/punten/{item}", SECRETARY),
        ("POST", "/vergaderingen/{id}/punten/{item}", SECRETARY),
        (
            "POST",
            "/vergaderingen/{id}/punten/{item}/omhoog",
            SECRETARY,
        ),
        (
            "POST",
            "/vergaderingen/{id}/punten/{item}/omlaag",
            SECRETARY,
        ),
        (
            "POST",
            "/vergaderingen/{id}/punten/{item}/verwijderen",
            SECRETARY,
        ),
        (
            "POST",
            "/vergaderingen/{id}/punten/{item}/besluit",
            "LAAFFFF",
        ),
        ("POST", "/vergaderingen/{id}/punten/{item}/actie", SECRETARY),
        (
            "POST",
            "/vergaderingen/{id}/punten/{item}/notulen",
            SECRETARY,
        ),
        ("POST", "/vergaderingen/{id}/huidig", SECRETARY),
        (
            "GET",
            "/vergaderingen/{id}/wijziging-aankondigen",
            SECRETARY,
        ),
        (
            "POST",
            "/vergaderingen/{id}/wijziging-aankondigen",
            SECRETARY,
        ),
        ("GET", "/vergaderingen/{id}/aanwezigheid", SECRETARY),
        ("POST", "/vergaderingen/{id}/aanwezigheid", SECRETARY),
        ("GET", "/vergaderingen/{id}/besluitenlijst", VIEW_MEETING),
        ("GET", "/vergaderingen/{id}/actielijst", VIEW_MEETING),
        (
            "POST",
            "/vergaderingen/{id}/acties/{agreement}/addendum",
            SECRETARY,
        ),
        ("GET", "/vergaderingen/{id}/afdrukken", VIEW_MEETING),
        ("GET", "/vergaderingen/{id}/notulen", SECRETARY),
        ("POST", "/vergaderingen/{id}/notulen", SECRETARY),
        ("GET", "/vergaderingen/{id}/overnemen", SECRETARY),
        ("POST", "/vergaderingen/{id}/overnemen", SECRETARY),
        (
            "POST",
            "/vergaderingen/{id}/punten/{item}/bijlagen",
            SECRETARY,
        ),
        (
            "GET",
            "/vergaderingen/{id}/bijlagen/{attachment}",
            VIEW_MEETING,
        ),
        (
            "POST",
            "/vergaderingen/{id}/bijlagen/{attachment}/verwijderen",
            SECRETARY,
        ),
        ("GET", "/account/agenda", "LAAFFFA"),
        ("POST", "/account/agenda", "LAAFFFA"),
        ("POST", "/account/agenda/intrekken", "LAAFFFA"),
        ("GET", "/agenda/{token}", NOBODY_FINDS),
        // The register as a whole is not for observers (F): they open only the agreements of
        // meetings their body attended, and this one arose in a meeting without the RvT (N; the
        // other side is probed in `matrix_compartments`).
        ("GET", "/afspraken", "LAAFAFF"),
        ("GET", "/afspraken/export.csv", "LAAFAFF"),
        ("GET", "/afspraken/export.xlsx", "LAAFAFF"),
        ("GET", "/afspraken/nakoming", "LAAFAFF"),
        // Progress (status, comments, KPIs, measurements) is for the secretary and owners.
        ("GET", "/afspraken/nieuw", SECRETARY),
        ("POST", "/afspraken", SECRETARY),
        ("GET", "/afspraken/{agreement}", "LAAFAFN"),
        ("POST", "/afspraken/{agreement}", SECRETARY),
        ("GET", "/afspraken/{agreement}/bewerken", SECRETARY),
        ("POST", "/afspraken/{agreement}/status", "LFAFFFN"),
        ("POST", "/afspraken/{agreement}/opmerkingen", "LFAFFFN"),
        ("POST", "/afspraken/{agreement}/kpis", "LFAFFFN"),
        ("POST", "/afspraken/{agreement}/metingen", "LFAFFFN"),
        ("POST", "/afspraken/{agreement}/beoordeling", "LFAFFFN"),
        ("GET", "/afspraken/{agreement}/kpis/wijzigen", "LFAFFFN"),
        ("POST", "/afspraken/{agreement}/kpis/wijzigen", "LFAFFFN"),
        // Zelfevaluatie (C1–C3): ViewSelfAssessment (board members and secretaries) reads,
        // ManageSelfAssessment (the secretary) keeps the catalogue and the rounds,
        // AnswerSelfAssessment (board members) answers. The round is the demo's open one, to
        // which the RvB member is invited; the secretary's POSTs without a version change
        // nothing (400).
        ("GET", "/zelfevaluatie", "LAAFFFF"),
        ("GET", "/zelfevaluatie/stellingen", "LAAFFFF"),
        ("POST", "/zelfevaluatie/stellingen", SECRETARY),
        ("GET", "/zelfevaluatie/stellingen/{id}", "LAAFFFF"),
        ("POST", "/zelfevaluatie/stellingen/{id}", SECRETARY),
        ("POST", "/zelfevaluatie/stellingen/{id}/actief", SECRETARY),
        ("GET", "/zelfevaluatie/rondes/nieuw", SECRETARY),
        ("POST", "/zelfevaluatie/rondes", SECRETARY),
        ("GET", "/zelfevaluatie/rondes/{id}", "LAAFFFF"),
        ("GET", "/zelfevaluatie/rondes/{id}/bewerken", SECRETARY),
        ("POST", "/zelfevaluatie/rondes/{id}/bewerken", SECRETARY),
        ("POST", "/zelfevaluatie/rondes/{id}/verwijderen", SECRETARY),
        ("POST", "/zelfevaluatie/rondes/{id}/openen", SECRETARY),
        ("POST", "/zelfevaluatie/rondes/{id}/sluiten", SECRETARY),
        ("GET", "/zelfevaluatie/rondes/{id}/invullen", "LAFFFFF"),
        ("POST", "/zelfevaluatie/rondes/{id}/invullen", "LAFFFFF"),
        ("GET", "/zelfevaluatie/rondes/{id}/resultaten", "LAAFFFF"),
        (
            "POST",
            "/zelfevaluatie/rondes/{id}/resultaten/agenderen",
            "LFNFFFF",
        ),
        (
            "POST",
            "/zelfevaluatie/rondes/{id}/resultaten/afspraak",
            "LFNFFFF",
        ),
        ("GET", "/begroting", "LAAAAFF"),
        // Begroting: master data and production import (D1, D2).
        // ViewBudget: LAAAAFF; ManageBudget: LFFFAFF (N where the handler finds no object, e.g. a
        // norm-time POST whose empty form names no year).
        // A vakgroep's own figures are its compartment (product.md §0): the objects are ORT's
        // (see `budget_objects`), so the representative of CAR and the secretary, who see only
        // the hospital totals, find neither ORT's page nor its products (N). Every object of
        // another vakgroep is probed in `matrix_compartments`.
        ("GET", "/begroting/stamgegevens", "LAAAAFF"),
        ("POST", "/begroting/stamgegevens/instellingen", "LFFFNFF"),
        ("POST", "/begroting/stamgegevens/kopieren", "LFFFNFF"),
        ("GET", "/begroting/stamgegevens/vakgroepen/{id}", "LANNAFF"),
        ("POST", "/begroting/stamgegevens/vakgroepen/{id}", "LFFFNFF"),
        (
            "GET",
            "/begroting/stamgegevens/vakgroepen/{id}/kpis/nieuw",
            "LFFFAFF",
        ),
        (
            "POST",
            "/begroting/stamgegevens/vakgroepen/{id}/kpis",
            "LFFFAFF",
        ),
        ("GET", "/begroting/stamgegevens/kpis/{id}", "LFFFAFF"),
        ("POST", "/begroting/stamgegevens/kpis/{id}", "LFFFAFF"),
        (
            "POST",
            "/begroting/stamgegevens/kpis/{id}/verwijderen",
            "LFFFAFF",
        ),
        (
            "GET",
            "/begroting/stamgegevens/vakgroepen/{id}/zorgproducten",
            "LANNAFF",
        ),
        (
            "GET",
            "/begroting/stamgegevens/vakgroepen/{id}/zorgproducten/nieuw",
            "LFFFAFF",
        ),
        (
            "POST",
            "/begroting/stamgegevens/vakgroepen/{id}/zorgproducten",
            "LFFFAFF",
        ),
        (
            "GET",
            "/begroting/stamgegevens/zorgproducten/{id}",
            "LFFFAFF",
        ),
        (
            "POST",
            "/begroting/stamgegevens/zorgproducten/{id}",
            "LFFFAFF",
        ),
        (
            "GET",
            "/begroting/stamgegevens/zorgproducten/{id}/normtijd",
            "LFFFAFF",
        ),
        (
            "POST",
            "/begroting/stamgegevens/zorgproducten/{id}/normtijd",
            "LFFFNFF",
        ),
        (
            "GET",
            "/begroting/stamgegevens/zorgproducten/{id}/verwijderen",
            "LFFFAFF",
        ),
        (
            "POST",
            "/begroting/stamgegevens/zorgproducten/{id}/verwijderen",
            "LFFFAFF",
        ),
        (
            "GET",
            "/begroting/stamgegevens/zorgproducten/{id}/normtijd/verwijderen",
            "LFFFAFF",
        ),
        (
            "POST",
            "/begroting/stamgegevens/zorgproducten/{id}/normtijd/verwijderen",
            "LFFFNFF",
        ),
        ("GET", "/begroting/stamgegevens/normtijden", "LFFFAFF"),
        ("POST", "/begroting/stamgegevens/normtijden", "LFFFNFF"),
        ("GET", "/begroting/productie", "LAAAAFF"),
        ("POST", "/begroting/productie", "LFFFAFF"),
        ("GET", "/begroting/productie/taken/{id}", "LFFFNFF"),
        (
            "GET",
            "/begroting/productie/taken/{id}/voortgang",
            "LFFFNFF",
        ),
        (
            "GET",
            "/begroting/productie/taken/{id}/fouten.csv",
            "LFFFNFF",
        ),
        // Begroting: trend inputs and scenarios (D3, D4, D5, D7). The objects are ORT's (see
        // `budget_objects`): the representative of CAR finds neither ORT's input nor its detail
        // (N), a secretary sees budget figures but no trend inputs or vakgroep detail (N).
        ("GET", "/begroting/trendinput", "LAAAAFF"),
        ("GET", "/begroting/trendinput/nieuw", "LFFAFFF"),
        ("POST", "/begroting/trendinput", "LFFNFFF"),
        ("POST", "/begroting/trendinput/voorbeeld", "LFFNFFF"),
        ("GET", "/begroting/trendinput/{id}", "LANNAFF"),
        ("POST", "/begroting/trendinput/{id}", "LFFNFFF"),
        ("GET", "/begroting/trendinput/{id}/bewerken", "LFFNFFF"),
        ("POST", "/begroting/trendinput/{id}/status", "LANNAFF"),
        ("GET", "/begroting/scenarios/nieuw", "LFFFAFF"),
        ("POST", "/begroting/scenarios", "LFFFAFF"),
        ("GET", "/begroting/scenarios/vergelijken", "LAAAAFF"),
        ("GET", "/begroting/scenarios/{id}", "LAAAAFF"),
        ("POST", "/begroting/scenarios/{id}", "LFFFAFF"),
        ("GET", "/begroting/scenarios/{id}/bewerken", "LFFFAFF"),
        ("GET", "/begroting/scenarios/{id}/vakgroep", "LANNAFF"),
        ("GET", "/begroting/scenarios/{id}/watals", "LAFFAFF"),
        // Distribution (D6): the page for everyone who sees the budget; a vakgroep's allocation
        // is hidden (N, like a missing id) from all these personas until the MSB shares it, as
        // none of them sits in an MSB+ body (`budget_distribution` covers the MSB side).
        ("GET", "/begroting/scenarios/{id}/verdeling", "LAAAAFF"),
        ("GET", "/begroting/scenarios/{id}/export.xlsx", "LAAAAFF"),
        ("GET", "/begroting/scenarios/{id}/export.csv", "LAAAAFF"),
        ("GET", "/begroting/monitoring", "LAAAAFF"),
        ("GET", "/begroting/scenarios/{id}/congruentie", "LAAAAFF"),
        // No insurer of that id in the scenario's year.
        (
            "POST",
            "/begroting/scenarios/{id}/congruentie/verzekeraars/{insurer}/afspraak",
            "LFNFNFF",
        ),
        ("GET", "/begroting/verzekeraars", "LAAAAFF"),
        // The forms' answers: refused input (422) or the page again; no insurer of that id.
        ("POST", "/begroting/verzekeraars", "LFFFNFF"),
        ("GET", "/begroting/verzekeraars/{id}", "LFFFNFF"),
        ("POST", "/begroting/verzekeraars/{id}", "LFFFNFF"),
        (
            "POST",
            "/begroting/verzekeraars/{id}/verwijderen",
            "LFFFNFF",
        ),
        ("POST", "/begroting/verzekeraars/tarieven", "LFFFNFF"),
        // The matrix's hospital has no adopted budget: nothing to monitor per vakgroep.
        (
            "GET",
            "/begroting/monitoring/vakgroepen/{vakgroep}",
            "LNNNNFF",
        ),
        (
            "POST",
            "/begroting/monitoring/vakgroepen/{vakgroep}/afspraak",
            "LFNFNFF",
        ),
        (
            "GET",
            "/begroting/scenarios/{id}/verdeling/vakgroepen/{vakgroep}",
            "LNNNNFF",
        ),
        (
            "POST",
            "/begroting/scenarios/{id}/verdeling/vakgroepen/{vakgroep}/band",
            "LNFFFFF",
        ),
        (
            "POST",
            "/begroting/scenarios/{id}/verdeling/vakgroepen/{vakgroep}/band/verwijderen",
            "LNFFFFF",
        ),
        (
            "POST",
            "/begroting/scenarios/{id}/verdeling/kader",
            "LFFFAFF",
        ),
        (
            "POST",
            "/begroting/scenarios/{id}/verdeling/delen",
            "LFFFFFF",
        ),
        // Adoption (D9): the controller and the secretaries propose; the matrix's scenario is
        // not adopted, so a begrotingswijziging of it does not exist (N).
        ("POST", "/begroting/scenarios/{id}/vaststelling", "LFAFAFF"),
        (
            "POST",
            "/begroting/scenarios/{id}/begrotingswijziging",
            "LFFFNFF",
        ),
        ("GET", "/beheer", ADMIN_ONLY),
        ("GET", "/beheer/personen", ADMIN_ONLY),
        ("GET", "/beheer/personen/nieuw", ADMIN_ONLY),
        ("POST", "/beheer/personen", ADMIN_ONLY),
        ("GET", "/beheer/personen/{id}", ADMIN_ONLY),
        ("POST", "/beheer/personen/{id}", ADMIN_ONLY),
        ("POST", "/beheer/personen/{id}/blokkeren", ADMIN_ONLY),
        ("POST", "/beheer/personen/{id}/deblokkeren", ADMIN_ONLY),
        ("POST", "/beheer/personen/{id}/wachtwoordlink", ADMIN_ONLY),
        ("GET", "/beheer/gremia", ADMIN_ONLY),
        ("GET", "/beheer/gremia/nieuw", ADMIN_ONLY),
        ("POST", "/beheer/gremia", ADMIN_ONLY),
        ("GET", "/beheer/gremia/{id}", ADMIN_ONLY),
        ("POST", "/beheer/gremia/{id}", ADMIN_ONLY),
        ("GET", "/beheer/vakgroepen", VAKGROEPEN),
        ("GET", "/beheer/vakgroepen/nieuw", VAKGROEPEN),
        ("POST", "/beheer/vakgroepen", VAKGROEPEN),
        ("GET", "/beheer/vakgroepen/{id}", VAKGROEPEN),
        ("POST", "/beheer/vakgroepen/{id}", VAKGROEPEN),
        ("GET", "/beheer/audit", ADMIN_ONLY),
        ("GET", "/beheer/berichten", ADMIN_ONLY),
        ("GET", "/beheer/berichten/{id}", ADMIN_ONLY),
        ("GET", "/account/meldingen", SIGNED_IN),
        ("POST", "/account/meldingen", SIGNED_IN),
        // A token that is not signed is not found, for anyone (the genuine one: `http::mail`).
        ("GET", "/afmelden/{token}", NOBODY_FINDS),
        ("POST", "/afmelden/{token}", NOBODY_FINDS),
        ("GET", "/beheer/tweestapsverificatie", ADMIN_ONLY),
        ("POST", "/beheer/tweestapsverificatie", ADMIN_ONLY),
        (
            "POST",
            "/beheer/tweestapsverificatie/{id}/herstellen",
            ADMIN_ONLY,
        ),
    ]
}

pub(crate) fn outcome(res: &Response) -> char {
    match res.status {
        StatusCode::FORBIDDEN => 'F',
        StatusCode::NOT_FOUND => 'N',
        s if s.is_redirection()
            && (res.location() == "/inloggen"
                || res.location().starts_with("/inloggen?volgende=")) =>
        {
            'L'
        }
        _ => 'A',
    }
}

/// Budget objects of another vakgroep (ORT) than the representative's (CAR), so that the matrix
/// shows the compartment: a submitted trend input, a care product with a norm time, a KPI, and a
/// scenario.
struct BudgetObjects {
    ort: String,
    ort_input: String,
    ort_product: String,
    kpi: String,
    scenario: String,
}

async fn budget_objects(c: &Client) -> BudgetObjects {
    use crate::budget_trends::budget_fixture;
    let f = budget_fixture::load(&c.store).await;
    let scenario = budget_fixture::scenario(&c.store, "Basis", vec![]).await;
    let who = store::audit::Who::system("test");
    let mut tx = c.store.begin().await.unwrap();
    let ort_input = store::budget::create_trend_input(
        &mut tx,
        &who,
        &store::budget::TrendInputInput {
            year: 2031,
            vakgroep_id: f.ort,
            scope: ScopeKind::Vakgroep,
            product_ids: vec![],
            kind: ChangeKind::Percentage,
            value: "5".parse().unwrap(),
            category: TrendCategory::Demografie,
            rationale: "Vergrijzing".into(),
            source: String::new(),
        },
    )
    .await
    .unwrap();
    store::budget::change_trend_status(&mut tx, &who, ort_input, 1, TrendStatus::Ingediend, "")
        .await
        .unwrap();
    let kpi = store::budget::create_kpi(
        &mut tx,
        &who,
        2031,
        &store::budget::KpiInput {
            vakgroep_id: f.ort,
            kind: KpiKind::Efficiency,
            name: "Ligduur".into(),
            direction: Direction::LowerIsBetter,
            reference_value: "4".parse().unwrap(),
            local_value: "5".parse().unwrap(),
            source: String::new(),
        },
    )
    .await
    .unwrap();
    store::commit(tx).await.unwrap();
    BudgetObjects {
        ort: f.ort.to_string(),
        ort_input: ort_input.to_string(),
        ort_product: f.products[2].to_string(),
        kpi: kpi.to_string(),
        scenario: scenario.to_string(),
    }
}

/// The query a route needs to find its object: the vakgroep of a scenario's detail, the year of
/// a norm time.
fn query_for(pattern: &str, budget: &BudgetObjects) -> String {
    if pattern == "/begroting/scenarios/{id}/vakgroep" {
        format!("?v={}", budget.ort)
    } else if pattern.contains("/zorgproducten/{id}/normtijd") {
        "?jaar=2031".into()
    } else {
        String::new()
    }
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn every_route_answers_every_role_as_expected(pool: PgPool) {
    let mut probe = app(pool).await;
    let person = probe
        .person_id("t.jacobs@rijnoever.example")
        .await
        .to_string();
    let bodies = store::bodies::list(probe.store.pool()).await.unwrap();
    let body = bodies
        .iter()
        .find(|b| b.code == "VMS")
        .unwrap()
        .id
        .to_string();
    let vakgroepen = store::vakgroepen::list(&probe.store).await.unwrap();
    let vakgroep = vakgroepen
        .iter()
        .find(|v| v.code == "URO")
        .unwrap()
        .id
        .to_string();
    let meeting = store::meetings::list_for_bodies(&probe.store, &[bodies[0].id])
        .await
        .unwrap()[0]
        .id;
    let joint: Vec<String> = store::agenda::items(probe.store.pool(), meeting)
        .await
        .unwrap()
        .iter()
        .filter(|i| i.visibility_body_id.is_none() && i.standing.is_none())
        .map(|i| i.id.to_string())
        .collect();
    // Two attachments on a joint item: one to download, one to delete.
    let mut attachments = Vec::new();
    for _ in 0..2 {
        let mut tx = probe.store.begin().await.unwrap();
        let who = store::audit::Who::system("test");
        let pdf = b"%PDF-1.4\n%%EOF\n";
        let id = store::attachments::add(
            &mut tx,
            &who,
            joint[0].parse().unwrap(),
            "stuk.pdf",
            "application/pdf",
            pdf,
        )
        .await
        .unwrap();
        store::commit(tx).await.unwrap();
        attachments.push(id.to_string());
    }
    // An action on a joint item, for the addendum route.
    let mut tx = probe.store.begin().await.unwrap();
    let action = store::agreements::ActionInput {
        title: "Actie".into(),
        description: String::new(),
        owner_id: None,
        due_date: None,
        visibility_body_id: None,
        origin_meeting_id: meeting.get().into(),
        origin_item_id: Some(joint[0].parse().unwrap()),
        origin_decision_id: None,
    };
    let agreement =
        store::agreements::create_action(&mut tx, &store::audit::Who::system("test"), &action)
            .await
            .unwrap()
            .to_string();
    store::commit(tx).await.unwrap();
    let meeting = meeting.to_string();
    let budget = budget_objects(&probe).await;
    // The demo's open self-assessment round and a statement of the catalogue.
    let round = store::selfassessment::rounds(&probe.store)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.status == domain::selfassessment::RoundStatus::Open)
        .unwrap()
        .id
        .to_string();
    let statement = store::selfassessment::catalogue(&probe.store)
        .await
        .unwrap()[0]
        .id
        .to_string();

    // A mail in the outbox, for Beheer › Berichten.
    let mut tx = probe.store.begin().await.unwrap();
    store::outbox::enqueue(
        &mut tx,
        &[store::outbox::NewMail {
            person: None,
            recipient: "iemand@rijnoever.example".into(),
            kind: domain::notify::MailKind::Agenda,
            subject: "Onderwerp".into(),
            text: "Tekst".into(),
            html: "<p>Tekst</p>".into(),
            attachment: None,
            for_digest: false,
        }],
    )
    .await
    .unwrap();
    store::commit(tx).await.unwrap();
    let mail: String = sqlx::query_scalar::<_, i64>("SELECT max(id) FROM mail_outbox")
        .fetch_one(probe.store.pool())
        .await
        .unwrap()
        .to_string();

    let registered: Vec<(String, String)> = gg_web::routes::all()
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    let expected = expectations();
    for (m, p) in &registered {
        assert!(
            expected.iter().any(|(em, ep, _)| em == m && ep == p),
            "route {m} {p} has no expected outcome in the route×role matrix: add it"
        );
    }
    assert_eq!(
        registered.len(),
        expected.len(),
        "the matrix lists a route that does not exist"
    );

    let mut failures = Vec::new();
    for (method, pattern, outcomes) in expected {
        let id = if pattern.starts_with("/beheer/personen")
            || pattern.starts_with("/beheer/tweestapsverificatie")
        {
            &person
        } else if pattern.starts_with("/beheer/gremia") {
            &body
        } else if pattern.starts_with("/vergaderingen") {
            &meeting
        } else if pattern.starts_with("/begroting/trendinput/") {
            &budget.ort_input
        } else if pattern.starts_with("/begroting/scenarios/") {
            &budget.scenario
        } else if pattern.starts_with("/begroting/stamgegevens/zorgproducten/") {
            &budget.ort_product
        } else if pattern.starts_with("/begroting/stamgegevens/kpis/") {
            &budget.kpi
        } else if pattern.starts_with("/begroting/stamgegevens/vakgroepen/") {
            &budget.ort
        } else if pattern.starts_with("/beheer/berichten/") {
            &mail
        } else if pattern.starts_with("/zelfevaluatie/rondes/") {
            &round
        } else if pattern.starts_with("/zelfevaluatie/stellingen/") {
            &statement
        } else {
            &vakgroep
        };
        // Deleting gets an item of its own, so the other routes still find theirs.
        let item = if pattern.ends_with("/verwijderen") {
            &joint[1]
        } else {
            &joint[0]
        };
        let attachment = if pattern.ends_with("/verwijderen") {
            &attachments[1]
        } else {
            &attachments[0]
        };
        let path = pattern
            .replace("{id}", id)
            .replace("{item}", item)
            .replace("{attachment}", attachment)
            .replace("{agreement}", &agreement)
            .replace("{vakgroep}", &budget.ort)
            .replace("{insurer}", "999999")
            .replace("{token}", "onbekende-link")
            .replace("{name}", "app.css")
            + &query_for(pattern, &budget);
        for (persona, want) in PERSONAS.iter().zip(outcomes.chars()) {
            probe.cookies.clear();
            if let Some(email) = persona {
                probe.sign_in_as(email).await;
            }
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            let res = if method == Method::POST {
                probe.post(&path, &[]).await
            } else {
                probe.get(&path).await
            };
            let got = outcome(&res);
            if got != want {
                failures.push(format!(
                    "{method} {path} as {}: expected {want}, got {got} ({})",
                    persona.unwrap_or("anonymous"),
                    res.status
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "route×role matrix:\n{}",
        failures.join("\n")
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn every_state_change_without_a_csrf_token_is_refused(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(BEHEERDER).await;
    let person = c.person_id("t.jacobs@rijnoever.example").await.to_string();
    for r in gg_web::routes::all()
        .iter()
        .filter(|r| r.method == Method::POST)
    {
        let path = r.path.replace("{id}", &person).replace("{token}", "x");
        let res = c
            .request(
                Method::POST,
                &path,
                Some(&[("email", "p.smit@rijnoever.example")]),
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::FORBIDDEN,
            "POST {path} without token"
        );
        assert!(
            res.body.contains("Formulier verlopen"),
            "POST {path}: {}",
            res.body
        );
        let wrong = c
            .request(
                Method::POST,
                &path,
                Some(&[("_csrf", "niet-het-goede-token-niet-het-goede-tok")]),
            )
            .await;
        assert_eq!(
            wrong.status,
            StatusCode::FORBIDDEN,
            "POST {path} with a wrong token"
        );
    }
    // Nothing changed: Tom Jacobs is still active.
    assert!(
        !store::people::get(&c.store, person.parse().unwrap())
            .await
            .unwrap()
            .disabled
    );
}
