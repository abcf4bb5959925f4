//! Trend inputs (D3) through the router: the representative's form with the engine's preview,
//! the compartment per vakgroep, and review with a reason.

use crate::support::*;
use axum::http::StatusCode;
use domain::budget::trend::TrendStatus;
use domain::budget::{ChangeKind, ScopeKind, TrendCategory};
use domain::ids::{ScenarioId, TrendInputId};
use store::PgPool;
use store::audit::Who;
use store::budget::{self, TrendInputInput};

#[path = "../budget_fixture/mod.rs"]
pub mod budget_fixture;
pub use budget_fixture::Fixture;

pub async fn fixture(c: &Client) -> Fixture {
    budget_fixture::load(&c.store).await
}

pub async fn scenario(c: &Client, name: &str, trend_input_ids: Vec<TrendInputId>) -> ScenarioId {
    budget_fixture::scenario(&c.store, name, trend_input_ids).await
}

pub const CAR_DEWIT: &str = "b.dewit@rijnoever.example";

pub fn ten_percent(vakgroep: &str) -> Vec<(&'static str, String)> {
    vec![
        ("jaar", "2031".into()),
        ("vakgroep", vakgroep.into()),
        ("scope", "vakgroep".into()),
        ("change_kind", "percentage".into()),
        ("value", "10".into()),
        ("category", "demografie".into()),
        ("rationale", "Vergrijzing in de regio".into()),
        ("source", "Regiobeeld 2026".into()),
    ]
}

pub fn fields<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, x)| (*k, x.as_str())).collect()
}

fn id_from(location: &str) -> TrendInputId {
    location
        .trim_start_matches("/begroting/trendinput/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// An ORT input written by its own representative, submitted.
async fn ort_input(c: &Client, f: &Fixture) -> TrendInputId {
    let who = Who {
        id: Some(c.person_id(CAR_DEWIT).await),
        label: "b.dewit".into(),
    };
    let mut tx = c.store.begin().await.unwrap();
    let id = budget::create_trend_input(
        &mut tx,
        &who,
        &TrendInputInput {
            year: 2031,
            vakgroep_id: f.ort,
            scope: ScopeKind::Vakgroep,
            product_ids: vec![],
            kind: ChangeKind::Absoluut,
            value: "5".parse().unwrap(),
            category: TrendCategory::Concentratie,
            rationale: "Geheime ORT-plannen".into(),
            source: String::new(),
        },
    )
    .await
    .unwrap();
    budget::change_trend_status(&mut tx, &who, id, 1, TrendStatus::Ingediend, "")
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    id
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_representative_previews_and_submits_for_their_own_vakgroep(pool: PgPool) {
    let mut c = app(pool).await;
    let f = fixture(&c).await;
    scenario(&c, "Basis", vec![]).await;
    c.sign_in_as(VAKGROEP).await;
    let car = f.car.to_string();

    let page = c
        .get(&format!(
            "/begroting/trendinput/nieuw?jaar=2031&vakgroep={car}"
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("CAR"), "{}", page.body);
    assert!(page.body.contains("/static/budget.js?v="));

    // The fragment budget.js asks for: CAR before → after, by hand in `fixture`.
    let form = ten_percent(&car);
    let preview = c
        .post("/begroting/trendinput/voorbeeld", &fields(&form))
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    for figure in ["100,00", "110,00", "+10,00", "2,50", "2,75", "+0,25"] {
        assert!(preview.body.contains(figure), "{figure}: {}", preview.body);
    }
    assert!(!preview.body.contains("<html"), "a fragment, not a page");

    // Without JavaScript: the button computes the same and saves nothing.
    let mut with_button = form.clone();
    with_button.push(("actie", "voorbeeld".into()));
    let shown = c.post("/begroting/trendinput", &fields(&with_button)).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("110,00") && shown.body.contains("+0,25"));
    assert!(
        shown.body.contains("Vergrijzing in de regio"),
        "typed input is kept"
    );
    assert!(
        budget::trend_inputs(&c.store, 2031, budget::Seen::All)
            .await
            .unwrap()
            .is_empty()
    );

    // A field error keeps what was typed and says what is wrong, in Dutch.
    let mut wrong = form.clone();
    wrong[4].1 = "-150".into();
    wrong.push(("actie", "opslaan".into()));
    let refused = c.post("/begroting/trendinput", &fields(&wrong)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("Vul een waarde in tussen -100 % en +1.000 %.")
    );
    assert!(refused.body.contains("value=\"-150\""));

    let mut submit = form.clone();
    submit.push(("actie", "indienen".into()));
    let saved = c.post("/begroting/trendinput", &fields(&submit)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let id = id_from(saved.location());
    let detail = c.get(&format!("/begroting/trendinput/{id}")).await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(detail.body.contains("data-status=\"ingediend\""));
    assert!(detail.body.contains("Lotte Visser"), "who, in the history");
    assert!(detail.body.contains("Terugtrekken"));
    assert!(!detail.body.contains("Accepteren"), "no self-review");
    let list = c.get("/begroting/trendinput?jaar=2031").await;
    assert!(list.body.contains(&format!("CAR #{id}")));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn another_vakgroeps_inputs_are_not_found(pool: PgPool) {
    let mut c = app(pool).await;
    let f = fixture(&c).await;
    let ort = ort_input(&c, &f).await;
    c.sign_in_as(VAKGROEP).await;
    let ort_id = f.ort.to_string();

    assert_eq!(
        c.get(&format!("/begroting/trendinput/{ort}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get(&format!("/begroting/trendinput/{ort}/bewerken"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let to = [("to", "concept"), ("version", "2")];
    assert_eq!(
        c.post(&format!("/begroting/trendinput/{ort}/status"), &to)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get(&format!(
            "/begroting/trendinput/nieuw?jaar=2031&vakgroep={ort_id}"
        ))
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let mut form = ten_percent(&ort_id);
    form.push(("actie", "opslaan".into()));
    assert_eq!(
        c.post("/begroting/trendinput", &fields(&form)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.post("/begroting/trendinput/voorbeeld", &fields(&form))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Editing its own form cannot move into ORT either: the id decides, not the fields.
    let mut edit = form.clone();
    edit.push(("version", "2".into()));
    assert_eq!(
        c.post(&format!("/begroting/trendinput/{ort}"), &fields(&edit))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let list = c.get("/begroting/trendinput?jaar=2031").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.body.contains("ORT"), "{}", list.body);
    assert_eq!(
        budget::trend_input(c.store.pool(), ort, budget::Seen::All)
            .await
            .unwrap()
            .version,
        2,
        "nothing changed"
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_reviewer_returns_with_a_reason_and_accepts(pool: PgPool) {
    let mut c = app(pool).await;
    let f = fixture(&c).await;
    c.sign_in_as(VAKGROEP).await;
    let mut form = ten_percent(&f.car.to_string());
    form.push(("actie", "indienen".into()));
    let saved = c.post("/begroting/trendinput", &fields(&form)).await;
    let id = id_from(saved.location());
    let path = format!("/begroting/trendinput/{id}");

    c.cookies.clear();
    c.sign_in_as(CONTROLLER).await;
    let list = c.get("/begroting/trendinput?jaar=2031").await;
    assert!(list.body.contains(&format!("CAR #{id}")));
    assert!(
        list.body.contains("1 trendinput te beoordelen"),
        "{}",
        list.body
    );
    let detail = c.get(&path).await;
    assert!(detail.body.contains("Accepteren") && detail.body.contains("Terugsturen"));

    let status = format!("{path}/status");
    let no_reason = c
        .post(
            &status,
            &[("to", "teruggestuurd"), ("version", "2"), ("reason", " ")],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_reason
            .body
            .contains("Geef een reden op waarom de trendinput wordt teruggestuurd.")
    );
    let returned = c
        .post(
            &status,
            &[
                ("to", "teruggestuurd"),
                ("version", "2"),
                ("reason", "Bron ontbreekt"),
            ],
        )
        .await;
    assert_eq!(returned.status, StatusCode::SEE_OTHER);
    // A stale version is refused, not applied twice.
    let stale = c
        .post(&status, &[("to", "geaccepteerd"), ("version", "2")])
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The representative reworks it (back to concept, with history) and submits again.
    c.cookies.clear();
    c.sign_in_as(VAKGROEP).await;
    let edit = c.get(&format!("{path}/bewerken")).await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.body.contains("Bron ontbreekt"));
    let mut again = ten_percent(&f.car.to_string());
    again.push(("version", "3".into()));
    again.push(("actie", "indienen".into()));
    let resubmitted = c.post(&path, &fields(&again)).await;
    assert_eq!(
        resubmitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        resubmitted.body
    );
    let t = budget::trend_input(c.store.pool(), id, budget::Seen::All)
        .await
        .unwrap();
    assert_eq!(t.status, TrendStatus::Ingediend);

    c.cookies.clear();
    c.sign_in_as(CONTROLLER).await;
    let version = t.version.to_string();
    let accepted = c
        .post(&status, &[("to", "geaccepteerd"), ("version", &version)])
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER);
    let detail = c.get(&path).await;
    assert!(detail.body.contains("data-status=\"geaccepteerd\""));
    let history: Vec<(String, String)> = budget::trend_history(&c.store, id, budget::Seen::All)
        .await
        .unwrap()
        .into_iter()
        .map(|h| (h.to_status.code().to_string(), h.reason))
        .collect();
    assert_eq!(
        history,
        vec![
            ("ingediend".into(), "".into()),
            ("teruggestuurd".into(), "Bron ontbreekt".into()),
            ("concept".into(), "Bewerkt na terugsturen".into()),
            ("ingediend".into(), "".into()),
            ("geaccepteerd".into(), "".into()),
        ]
    );
    assert!(
        detail.body.contains("Bron ontbreekt"),
        "reason in the history"
    );
    assert!(detail.body.contains("Ruud Hendriks"));
    // Content edits are in the history too, from the audit log.
    assert!(detail.body.contains("Aangemaakt") && detail.body.contains("Inhoud gewijzigd"));
    // Accepted is final for judgement; what is left is processing it into the budget.
    assert!(!detail.body.contains("Terugsturen"));
    let version = (t.version + 1).to_string();
    let processed = c
        .post(&status, &[("to", "verwerkt"), ("version", &version)])
        .await;
    assert_eq!(processed.status, StatusCode::SEE_OTHER);

    // The secretary may look at the budget but is neither representative nor reviewer.
    c.cookies.clear();
    c.sign_in_as(SECRETARIS).await;
    assert_eq!(c.get(&path).await.status, StatusCode::NOT_FOUND);
    let list = c.get("/begroting/trendinput?jaar=2031").await;
    assert!(!list.body.contains(&format!("CAR #{id}")));
}

/// Two tabs on the same concept: the later save sees both versions side by side and keeps its
/// text; saving again replaces the stored version deliberately. Once the input was submitted
/// in between, it can no longer be edited and the text is kept to copy.
#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_stale_edit_shows_both_versions(pool: PgPool) {
    let mut c = app(pool).await;
    let f = fixture(&c).await;
    c.sign_in_as(VAKGROEP).await;
    let mut form = ten_percent(&f.car.to_string());
    form.push(("actie", "opslaan".into()));
    let saved = c.post("/begroting/trendinput", &fields(&form)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let id = id_from(saved.location());
    let path = format!("/begroting/trendinput/{id}");

    let edit = |rationale: &str, version: &str| {
        let mut e = form.clone();
        e[6].1 = rationale.into();
        e.push(("version", version.into()));
        e
    };
    let first = c
        .post(&path, &fields(&edit("Vergrijzing, herzien", "1")))
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let stale = c
        .post(&path, &fields(&edit("Vergrijzing, andere tab", "1")))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("intussen gewijzigd"), "{}", stale.body);
    assert!(
        stale.body.contains(
            "<td><mark>Vergrijzing, herzien</mark></td>\n    <td><mark>Vergrijzing, andere tab</mark></td>"
        ),
        "{}",
        stale.body
    );
    assert!(
        stale.body.contains("<td>De hele vakgroep</td>"),
        "the same scope is not marked"
    );
    assert!(stale.body.contains(r#"name="version" value="2""#));
    let stored = budget::trend_input(c.store.pool(), id, budget::Seen::All)
        .await
        .unwrap();
    assert_eq!(stored.rationale, "Vergrijzing, herzien");

    let replaced = c
        .post(&path, &fields(&edit("Vergrijzing, andere tab", "2")))
        .await;
    assert_eq!(replaced.status, StatusCode::SEE_OTHER, "{}", replaced.body);

    // Submitted from the first tab; the second tab's edit cannot land any more.
    let mut submit = edit("Vergrijzing, andere tab", "3");
    submit.retain(|(k, _)| *k != "actie");
    submit.push(("actie", "indienen".into()));
    let submitted = c.post(&path, &fields(&submit)).await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );
    let late = c
        .post(&path, &fields(&edit("Nog een wijziging", "3")))
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert!(
        late.body
            .contains("heeft nu status ‘Ingediend’; hij kan niet meer worden bewerkt"),
        "{}",
        late.body
    );
    assert!(late.body.contains("Nog een wijziging"));
    let stored = budget::trend_input(c.store.pool(), id, budget::Seen::All)
        .await
        .unwrap();
    assert_eq!(
        (stored.status.code(), stored.rationale.as_str()),
        ("ingediend", "Vergrijzing, andere tab")
    );
}
