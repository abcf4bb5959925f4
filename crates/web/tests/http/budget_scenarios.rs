//! Scenarios (D4, D5, D7) through the router: an accepted trend input changes the figures,
//! scenarios side by side, a vakgroep's trace, what-if, and the controller's form.

use crate::budget_trends::{fields, fixture, scenario, ten_percent};
use crate::support::*;
use axum::http::StatusCode;
use domain::budget::PzVariant;
use domain::ids::{ScenarioId, TrendInputId, VakgroepId};
use store::PgPool;
use store::budget;

/// A CAR input of +10 %, written by l.visser and accepted by the controller through the store.
async fn accepted_input(c: &mut Client, car: VakgroepId) -> TrendInputId {
    c.sign_in_as(VAKGROEP).await;
    let mut form = ten_percent(&car.to_string());
    form.push(("actie", "indienen".into()));
    let saved = c.post("/begroting/trendinput", &fields(&form)).await;
    let id: TrendInputId = saved
        .location()
        .trim_start_matches("/begroting/trendinput/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    c.cookies.clear();
    c.sign_in_as(CONTROLLER).await;
    let accepted = c
        .post(
            &format!("/begroting/trendinput/{id}/status"),
            &[("to", "geaccepteerd"), ("version", "2")],
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    id
}

/// The cells of the table row marked `data-vakgroep="{code}"`, as text.
pub fn row(body: &str, code: &str) -> Vec<String> {
    let marker = format!("data-vakgroep=\"{code}\"");
    let start = body
        .find(&marker)
        .unwrap_or_else(|| panic!("{code}: {body}"));
    let end = start + body[start..].find("</tr>").unwrap();
    body[start..end]
        .split("<td class=\"num\">")
        .skip(1)
        .map(|c| c.split('<').next().unwrap().trim().to_string())
        .collect()
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn an_accepted_trend_input_changes_the_scenario(pool: PgPool) {
    let mut c = app(pool).await;
    let f = fixture(&c).await;
    let input = accepted_input(&mut c, f.car).await;
    let basis = scenario(&c, "Basis", vec![]).await;

    // The controller makes the second scenario through the form, with the accepted input.
    let new = c.get("/begroting/scenarios/nieuw?jaar=2031").await;
    assert_eq!(new.status, StatusCode::OK);
    assert!(
        new.body.contains(&format!("value=\"{input}\"")),
        "accepted input offered"
    );
    let bad = c
        .post(
            "/begroting/scenarios",
            &[
                ("name", "Fout"),
                ("year", "2031"),
                ("reference_year", "2029"),
                ("variant", "1"),
                ("w_out", "70"),
                ("w_eff", "20"),
                ("w_pz", "5"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body
            .contains("De gewichten moeten samen precies 100 % zijn (nu 95,0 %).")
    );
    let input_id = input.to_string();
    let made = c
        .post(
            "/begroting/scenarios",
            &[
                ("name", "Met initiatieven"),
                ("year", "2031"),
                ("reference_year", "2029"),
                ("variant", "1"),
                ("trend", &input_id),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let with: ScenarioId = made
        .location()
        .trim_start_matches("/begroting/scenarios/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        budget::scenario(c.store.pool(), with)
            .await
            .unwrap()
            .trend_input_ids,
        vec![input]
    );

    // H, F0, E, Z, F, formatief, mutatie; by hand in budget_trends::fixture.
    let page = c.get(&format!("/begroting/scenarios/{basis}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        row(&page.body, "CAR"),
        [
            "100,00", "2,50", "100,0 %", "100,0 %", "2,50", "2,00", "+0,50"
        ]
    );
    assert_eq!(
        row(&page.body, "ORT"),
        [
            "20,00", "0,20", "100,0 %", "100,0 %", "0,20", "1,00", "−0,80"
        ]
    );
    assert_eq!(
        row(&page.body, "ziekenhuis"),
        [
            "120,00", "2,70", "100,0 %", "100,0 %", "2,70", "3,00", "−0,30"
        ]
    );
    // Vakgroepen without normuren are reported, not guessed.
    assert!(page.body.contains("Meldingen"));

    let page = c.get(&format!("/begroting/scenarios/{with}")).await;
    assert_eq!(
        row(&page.body, "CAR"),
        [
            "110,00", "2,75", "100,0 %", "100,0 %", "2,75", "2,00", "+0,75"
        ]
    );
    assert_eq!(
        row(&page.body, "ziekenhuis"),
        [
            "130,00", "2,95", "100,0 %", "100,0 %", "2,95", "3,00", "−0,05"
        ]
    );

    // The overview shows both with their hospital totals.
    let overview = c.get("/begroting?jaar=2031").await;
    assert_eq!(overview.status, StatusCode::OK);
    assert!(overview.body.contains("Basis") && overview.body.contains("Met initiatieven"));
    assert!(overview.body.contains("2,70") && overview.body.contains("2,95"));
    assert!(overview.body.contains("/begroting/stamgegevens"));

    // Side by side, with the difference and the realisation of 2029.
    let compare = c
        .get(&format!(
            "/begroting/scenarios/vergelijken?s={basis}&s={with}"
        ))
        .await;
    assert_eq!(compare.status, StatusCode::OK);
    assert!(
        compare.body.contains("Basis (2031)") && compare.body.contains("Met initiatieven (2031)")
    );
    assert!(compare.body.contains("Realisatie 2029"));
    let car = row(&compare.body, "CAR");
    assert_eq!(
        car,
        [
            // Each column ends with the difference of its allocation with last year: none here
            // (2031 has no fee budget, and its distribution is not shared).
            "100,00", "2,50", "2,00", "+0,50", "–", // Basis
            "110,00", "2,75", "2,00", "+0,75", "–", // Met initiatieven
            "100,00", "2,50", "2,00", "+0,50", "–", // Realisatie 2029
            "+0,25",
        ]
    );

    // The vakgroep's trace: the input and the products it touched; top movers.
    let detail = c
        .get(&format!("/begroting/scenarios/{with}/vakgroep?v={}", f.car))
        .await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(detail.body.contains(&format!("#{input}")));
    assert!(detail.body.contains("alle zorgproducten"));
    assert!(detail.body.contains("+10"), "{}", detail.body);
    assert!(detail.body.contains("Top 5 stijgers"));

    // What-if: the input left out again, nothing saved.
    let what_if = c
        .get(&format!("/begroting/scenarios/{with}/watals?x=1"))
        .await;
    assert_eq!(what_if.status, StatusCode::OK, "{}", what_if.body);
    assert_eq!(
        row(&what_if.body, "CAR"),
        ["110,00", "100,00", "−10,00", "2,75", "2,50", "−0,25"]
    );
    // ... or with another value: +20 % instead of +10 %.
    let what_if = c
        .get(&format!(
            "/begroting/scenarios/{with}/watals?met={input}&waarde_{input}=20"
        ))
        .await;
    assert_eq!(
        row(&what_if.body, "CAR"),
        ["110,00", "120,00", "+10,00", "2,75", "3,00", "+0,25"]
    );
    assert_eq!(
        row(&what_if.body, "ziekenhuis"),
        ["130,00", "140,00", "+10,00", "2,95", "3,20", "+0,25"]
    );
    assert_eq!(
        budget::scenario(c.store.pool(), with)
            .await
            .unwrap()
            .trend_input_ids,
        vec![input]
    );

    // A representative sees their own vakgroep's figures and detail and the hospital totals:
    // another's row, products, movers, trend inputs and problems are not there (product.md §0).
    let controller_page = c.get(&format!("/begroting/scenarios/{with}")).await.body;
    c.cookies.clear();
    c.sign_in_as(VAKGROEP).await;
    let ort = c
        .get(&format!("/begroting/scenarios/{with}/vakgroep?v={}", f.ort))
        .await;
    assert_eq!(ort.status, StatusCode::NOT_FOUND);
    let page = c.get(&format!("/begroting/scenarios/{with}")).await.body;
    assert!(
        !page.contains(r#"data-vakgroep="ORT""#),
        "ORT's figures shown to CAR"
    );
    assert_eq!(row(&page, "CAR"), row(&controller_page, "CAR"));
    assert_eq!(
        row(&page, "ziekenhuis"),
        row(&controller_page, "ziekenhuis")
    );
    assert!(!page.contains(&format!("vakgroep?v={}", f.ort)));
    assert!(page.contains(&format!("vakgroep?v={}", f.car)));
    assert!(controller_page.contains(&format!("vakgroep?v={}", f.ort)));
    // The other vakgroepen of the test database lack normuren: the controller reads each of
    // them, the representative of CAR (complete) only the hospital-wide line.
    let problems = |body: &str| -> Vec<String> {
        body.split("<li><strong>")
            .skip(1)
            .map(|l| l.split("</li>").next().unwrap().to_string())
            .collect()
    };
    assert!(problems(&controller_page).len() > 1);
    let own_problems = problems(&page);
    assert_eq!(own_problems.len(), 1, "{own_problems:?}");
    assert!(own_problems[0].contains("· Ziekenhuis:"));
    let own = c
        .get(&format!("/begroting/scenarios/{with}/vakgroep?v={}", f.car))
        .await;
    assert!(own.body.contains(&format!("#{input}")));
    assert_eq!(
        c.get(&format!("/begroting/scenarios/{with}/watals"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_controller_edits_a_scenario_with_a_version_check(pool: PgPool) {
    let mut c = app(pool).await;
    let f = fixture(&c).await;
    let id = scenario(&c, "Basis", vec![]).await;
    c.sign_in_as(CONTROLLER).await;
    let path = format!("/begroting/scenarios/{id}");
    let edit = c.get(&format!("{path}/bewerken")).await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.body.contains(r#"name="w_out" type="text" value="80""#));
    let form = |version: &'static str| {
        [
            ("version", version),
            ("name", "Basis met pz"),
            ("year", "2031"),
            ("reference_year", "2029"),
            ("variant", "2"),
        ]
    };
    let saved = c.post(&path, &form("1")).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let s = budget::scenario(c.store.pool(), id).await.unwrap();
    assert_eq!(
        (s.pz_variant, s.w_pz),
        (PzVariant::InNormFte, "0.1".parse().unwrap()),
        "70/20/10"
    );
    // A second person still on version 1: both versions side by side, their input kept in the
    // form with the stored version, so saving again replaces it deliberately.
    let mut stale = form("1");
    stale[1] = ("name", "Basis oud");
    let stale = c.post(&path, &stale).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("intussen gewijzigd"));
    assert!(
        stale.body.contains(
            "<th scope=\"row\">Naam <span class=\"badge badge-bad\">verschilt</span></th>\n    <td><mark>Basis met pz</mark></td>\n    <td><mark>Basis oud</mark></td>"
        ),
        "{}",
        stale.body
    );
    assert!(
        stale.body.contains("<td>2 – In de norm-fte</td>"),
        "the same variant is not marked"
    );
    assert!(stale.body.contains(r#"name="version" value="2""#));
    assert!(stale.body.contains(r#"value="Basis oud""#));
    assert_eq!(
        budget::scenario(c.store.pool(), id).await.unwrap().name,
        "Basis met pz"
    );
    let page = c.get(&path).await;
    assert!(
        page.body
            .contains("productie 70 % · efficiëntie 20 % · passende zorg 10 %")
    );

    // Variant 3 needs an amount; then € 1.000 is shared pro rata to formatief × Z (Z = 1
    // without KPIs): CAR 2 fte → 666,67, ORT 1 fte → 333,33, the rest 0 fte; in cents that add
    // up to the amount.
    let mut variant3 = vec![
        ("version", "2"),
        ("name", "Geoormerkt"),
        ("year", "2031"),
        ("reference_year", "2029"),
        ("variant", "3"),
        ("grondslag", "formatief"),
    ];
    let refused = c.post(&path, &variant3).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("geoormerkte bedrag"),
        "{}",
        refused.body
    );
    // An amount the column cannot hold is refused at the field, not by the database.
    variant3.push(("earmark", "100.000.000.000.000"));
    let refused = c.post(&path, &variant3).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("Vul een waarde in kleiner dan 100.000.000.000.000."),
        "{}",
        refused.body
    );
    variant3.pop();
    variant3.push(("earmark", "1.000,00"));
    let saved = c.post(&path, &variant3).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = c.get(&path).await;
    assert_eq!(row(&page.body, "CAR")[7], "€ 666,67");
    assert_eq!(row(&page.body, "ORT")[7], "€ 333,33");
    assert_eq!(row(&page.body, "ziekenhuis")[7], "€ 1.000,00");

    // Phased in per vakgroep: variant 1 for the hospital, 3 for ORT only, which then receives
    // the whole earmarked amount.
    let ort_variant = format!("variant_{}", f.ort);
    let phased = [
        ("version", "3"),
        ("name", "Ingefaseerd"),
        ("year", "2031"),
        ("reference_year", "2029"),
        ("variant", "1"),
        ("grondslag", "formatief"),
        ("earmark", "1000"),
        (ort_variant.as_str(), "3"),
    ];
    let saved = c.post(&path, &phased).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let s = budget::scenario(c.store.pool(), id).await.unwrap();
    assert_eq!(s.variants.len(), 1);
    let page = c.get(&path).await;
    assert_eq!(row(&page.body, "CAR")[7], "–");
    assert_eq!(row(&page.body, "ORT")[7], "€ 1.000,00");
}
