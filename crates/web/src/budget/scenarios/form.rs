//! Making and editing a scenario (D4, D5): name, years, passende-zorg variant with its weights,
//! the earmarked amount of variant 3, and which accepted trend inputs count.

use super::engine;
use super::{Pairs, ids, one};
use crate::shared::error::AppResult;
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, DiffRow, Errors, Layout, diff_versions, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::budget::{Grondslag, PzVariant, TrendStatus, Weights};
use rust_decimal::Decimal;
use store::StoreError;
use store::budget::{ScenarioInput, Seen, VariantOverride};

pub(super) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub(super) struct TrendChoice {
    pub id: i64,
    pub label: String,
    pub checked: bool,
}

/// What the form shows, as typed.
#[derive(Default)]
struct Draft {
    version: i32,
    name: String,
    description: String,
    year: String,
    reference_year: String,
    variant: String,
    w_out: String,
    w_eff: String,
    w_pz: String,
    earmark: String,
    grondslag: String,
    /// The id of "begroting vorig jaar", or empty.
    previous: String,
    trends: Vec<i64>,
    /// Per vakgroep id: `1`, `2`, `3`, or empty for the scenario's variant.
    overrides: Vec<(i64, String)>,
}

fn draft_from(pairs: &Pairs) -> Draft {
    let s = |k: &str| one(pairs, k).to_string();
    Draft {
        version: one(pairs, "version").parse().unwrap_or(0),
        name: s("name"),
        description: s("description"),
        year: s("year"),
        reference_year: s("reference_year"),
        variant: s("variant"),
        w_out: s("w_out"),
        w_eff: s("w_eff"),
        w_pz: s("w_pz"),
        earmark: s("earmark"),
        grondslag: s("grondslag"),
        previous: s("previous"),
        trends: ids(pairs, "trend"),
        overrides: pairs
            .iter()
            .filter_map(|(k, v)| {
                let id = k.strip_prefix("variant_")?.parse().ok()?;
                Some((id, v.trim().to_string()))
            })
            .collect(),
    }
}

fn percent(w: Decimal) -> String {
    domain::nl::number(
        w * Decimal::ONE_HUNDRED,
        (w * Decimal::ONE_HUNDRED).normalize().scale(),
    )
}

fn draft_of(s: &store::budget::Scenario) -> Draft {
    Draft {
        version: s.version,
        name: s.name.clone(),
        description: s.description.clone(),
        year: s.year.to_string(),
        reference_year: s.reference_year.to_string(),
        variant: s.pz_variant.to_string(),
        w_out: percent(s.w_out),
        w_eff: percent(s.w_eff),
        w_pz: percent(s.w_pz),
        earmark: if s.earmarked_amount.is_zero() {
            String::new()
        } else {
            domain::nl::number(s.earmarked_amount, 2)
        },
        grondslag: s.grondslag.clone(),
        previous: s
            .previous_scenario_id
            .map(|id| id.to_string())
            .unwrap_or_default(),
        trends: s.trend_input_ids.clone(),
        overrides: s
            .variants
            .iter()
            .map(|o| (o.vakgroep_id, o.pz_variant.to_string()))
            .collect(),
    }
}

pub(super) struct OverrideRow {
    pub id: i64,
    pub label: String,
    pub choices: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "budget/scenario_form.html")]
struct FormPage {
    layout: Layout,
    action: String,
    cancel: String,
    editing: bool,
    d: Draft,
    variants: Vec<Choice>,
    grondslagen: Vec<Choice>,
    previous: Vec<Choice>,
    trends: Vec<TrendChoice>,
    overrides: Vec<OverrideRow>,
    has_overrides: bool,
    errors: Errors,
    /// After a version conflict: the stored scenario next to what was typed.
    conflict: Option<Vec<DiffRow>>,
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    id: Option<i64>,
    d: Draft,
    errors: Errors,
    conflict: Option<Vec<DiffRow>>,
) -> AppResult<Response> {
    let year: Option<i16> = d
        .year
        .trim()
        .parse()
        .ok()
        .filter(|y| super::YEARS.contains(y));
    let trends = match year {
        Some(year) => store::budget::trend_inputs(&state.store, year, Seen::All)
            .await?
            .into_iter()
            .filter(|t| TrendStatus::parse(&t.status).is_some_and(|s| s.counts_in_budget()))
            .map(|t| TrendChoice {
                id: t.id,
                checked: d.trends.contains(&t.id),
                label: format!(
                    "{} · {} · {} · {}",
                    t.vakgroep_code,
                    engine::change_text(&t.kind, t.value),
                    if t.scope == "vakgroep" {
                        "hele vakgroep".to_string()
                    } else {
                        t.product_codes.join(", ")
                    },
                    t.rationale.chars().take(80).collect::<String>()
                ),
            })
            .collect(),
        None => Vec::new(),
    };
    let variant_choices = |selected: &str| -> Vec<Choice> {
        PzVariant::ALL
            .iter()
            .map(|&v| {
                let n = engine::variant_number(v).to_string();
                Choice {
                    selected: selected == n,
                    value: n,
                    label: v.label().into(),
                }
            })
            .collect()
    };
    let variants = variant_choices(&d.variant);
    let d_has_overrides = d.overrides.iter().any(|(_, v)| !v.is_empty());
    let overrides = store::vakgroepen::list(&state.store)
        .await?
        .into_iter()
        .filter(|v| v.active)
        .map(|v| {
            let chosen = d
                .overrides
                .iter()
                .find(|(id, _)| *id == v.id)
                .map(|(_, x)| x.as_str())
                .unwrap_or_default();
            let mut choices = vec![Choice {
                value: String::new(),
                label: "Zoals het scenario".into(),
                selected: chosen.is_empty(),
            }];
            choices.extend(variant_choices(chosen));
            OverrideRow {
                id: v.id,
                label: format!("{} – {}", v.code, v.name),
                choices,
            }
        })
        .collect();
    let grondslagen = Grondslag::ALL
        .iter()
        .map(|&g| Choice {
            value: engine::grondslag_code(g).into(),
            label: g.label().into(),
            selected: d.grondslag == engine::grondslag_code(g),
        })
        .collect();
    let mut previous = vec![Choice {
        value: String::new(),
        label: "Geen".into(),
        selected: d.previous.is_empty(),
    }];
    if let Some(year) = year {
        previous.extend(
            store::budget::scenarios(&state.store, Some(year - 1))
                .await?
                .into_iter()
                .map(|s| Choice {
                    selected: d.previous == s.id.to_string(),
                    value: s.id.to_string(),
                    label: format!("{} ({})", s.name, s.year),
                }),
        );
    }
    let status = if conflict.is_some() {
        StatusCode::CONFLICT
    } else {
        errors.status()
    };
    let page = FormPage {
        layout: ctx.layout(if id.is_some() {
            "Scenario bewerken"
        } else {
            "Nieuw scenario"
        }),
        action: id
            .map(|id| format!("/begroting/scenarios/{id}"))
            .unwrap_or("/begroting/scenarios".into()),
        cancel: id
            .map(|id| format!("/begroting/scenarios/{id}"))
            .unwrap_or_else(|| match d.year.trim().parse::<i32>() {
                Ok(year) => format!("/begroting?jaar={year}"),
                Err(_) => "/begroting".into(),
            }),
        editing: id.is_some(),
        d,
        variants,
        grondslagen,
        previous,
        trends,
        has_overrides: d_has_overrides,
        overrides,
        errors,
        conflict,
    };
    Ok((status, render(page)?).into_response())
}

/// Checks the form with the domain's scenario rules; the weights default by variant when left
/// empty (80/20/0, or 70/20/10 for variant 2).
fn validate(d: &Draft) -> Result<ScenarioInput, Errors> {
    let mut errors = Errors::default();
    let name = d.name.trim();
    if name.is_empty() {
        errors.add("name", "Geef het scenario een naam.");
    } else if name.chars().count() > 200 {
        errors.add("name", "Gebruik voor de naam ten hoogste 200 tekens.");
    }
    errors.limit("description", d.description.trim(), domain::text::max::LONG);
    let year =
        |field: &'static str, text: &str, errors: &mut Errors| match text.trim().parse::<i16>() {
            Ok(y) if super::YEARS.contains(&y) => Some(y),
            _ => {
                errors.add(field, "Vul een jaartal in, bijvoorbeeld 2027.");
                None
            }
        };
    let budget_year = year("year", &d.year, &mut errors);
    let reference_year = year("reference_year", &d.reference_year, &mut errors);
    let variant = match d.variant.trim() {
        "1" => Some(PzVariant::Informatief),
        "2" => Some(PzVariant::InNormFte),
        "3" => Some(PzVariant::Geoormerkt),
        _ => {
            errors.add("variant", "Kies variant 1, 2 of 3 voor passende zorg.");
            None
        }
    };
    let blank = [&d.w_out, &d.w_eff, &d.w_pz]
        .iter()
        .all(|w| w.trim().is_empty());
    let weights = if blank {
        Some(if variant == Some(PzVariant::InNormFte) {
            Weights::WITH_PZ
        } else {
            Weights::REGULAR
        })
    } else {
        let mut parse = |field: &'static str, text: &str| {
            domain::nl::parse_decimal(text.trim().trim_end_matches('%').trim())
                .map_err(|e| errors.add(field, e.to_string()))
                .ok()
        };
        match (
            parse("w_out", &d.w_out),
            parse("w_eff", &d.w_eff),
            parse("w_pz", &d.w_pz),
        ) {
            (Some(o), Some(e), Some(p)) => Weights::from_percent(o, e, p)
                .map_err(|e| errors.add("w_out", e.to_string()))
                .ok(),
            _ => None,
        }
    };
    let earmark = if d.earmark.trim().is_empty() {
        Some(Decimal::ZERO)
    } else {
        domain::nl::parse_decimal(d.earmark.trim().trim_start_matches('€').trim())
            .map_err(|e| e.to_string())
            .and_then(|v| {
                domain::budget::precision::Column::EARMARKED_AMOUNT
                    .check(v)
                    .map_err(|e| e.to_string())
            })
            .map_err(|e| errors.add("earmark", e))
            .ok()
    };
    let grondslag = Grondslag::ALL
        .iter()
        .copied()
        .find(|&g| engine::grondslag_code(g) == d.grondslag)
        .unwrap_or(Grondslag::FormatiefFte);
    let previous_scenario_id = match d.previous.trim() {
        "" => None,
        id => match id.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.add("previous", "Kies een scenario van vorig jaar uit de lijst.");
                None
            }
        },
    };
    let mut variants = Vec::new();
    for (vakgroep_id, code) in &d.overrides {
        match code.as_str() {
            "" => {}
            "1" | "2" | "3" => variants.push(VariantOverride {
                vakgroep_id: *vakgroep_id,
                pz_variant: code.parse().unwrap_or(1),
            }),
            _ => errors.add(
                "variant",
                "Kies per vakgroep variant 1, 2 of 3, of die van het scenario.",
            ),
        }
    }
    let (Some(year), Some(reference_year), Some(variant), Some(weights), Some(earmark)) =
        (budget_year, reference_year, variant, weights, earmark)
    else {
        return Err(errors);
    };
    let input = ScenarioInput {
        year,
        name: name.to_string(),
        description: d.description.trim().to_string(),
        reference_year,
        pz_variant: engine::variant_number(variant),
        w_out: weights.output(),
        w_eff: weights.efficiency(),
        w_pz: weights.passende_zorg(),
        earmarked_amount: earmark,
        grondslag: engine::grondslag_code(grondslag).into(),
        trend_input_ids: d.trends.clone(),
        variants,
        previous_scenario_id,
    };
    // The combination (weights for the variant, an earmark for variant 3) is the domain's rule.
    let probe = store::budget::Scenario {
        id: 0,
        year,
        name: String::new(),
        description: String::new(),
        reference_year,
        pz_variant: input.pz_variant,
        w_out: input.w_out,
        w_eff: input.w_eff,
        w_pz: input.w_pz,
        earmarked_amount: earmark,
        grondslag: input.grondslag.clone(),
        created_by: None,
        created_by_name: None,
        created_at: time::OffsetDateTime::UNIX_EPOCH,
        version: 0,
        trend_input_ids: Vec::new(),
        variants: Vec::new(),
        previous_scenario_id: None,
        previous_scenario_name: None,
    };
    let uses_earmark =
        variant == PzVariant::Geoormerkt || input.variants.iter().any(|o| o.pz_variant == 3);
    let overrides = input.variants.iter().map(|o| (o.vakgroep_id, o.pz_variant));
    if uses_earmark && earmark.is_zero() {
        errors.add(
            "earmark",
            "Vul bij variant 3 het geoormerkte bedrag voor passende zorg in.",
        );
    } else if let Err(e) = engine::params(&probe, overrides) {
        let field = if e.contains("bedrag") || e.contains("centen") {
            "earmark"
        } else {
            "w_pz"
        };
        errors.add(field, e);
    }
    if uses_earmark && grondslag == Grondslag::NormFteVorigJaar && previous_scenario_id.is_none() {
        errors.add(
            "previous",
            "Kies de begroting van vorig jaar: de grondslag norm-fte vorig jaar komt daaruit.",
        );
    }
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(errors)
    }
}

pub(super) async fn new(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(pairs): Query<Pairs>,
) -> AppResult<Response> {
    let year = super::year_of(&state, &pairs).await?;
    // With one scenario of last year there is no doubt which budget this one follows.
    let last_year = store::budget::scenarios(&state.store, Some(year - 1)).await?;
    let previous = match last_year.as_slice() {
        [only] => only.id.to_string(),
        _ => String::new(),
    };
    let d = Draft {
        year: year.to_string(),
        reference_year: (year - 2).to_string(),
        variant: "1".into(),
        grondslag: "formatief".into(),
        previous,
        ..Draft::default()
    };
    form_page(&state, &ctx, None, d, Errors::default(), None).await
}

fn store_error(e: StoreError, errors: &mut Errors) -> AppResult<()> {
    match e {
        StoreError::Conflict => {
            errors.add(
                "_versie",
                "Iemand anders heeft dit scenario intussen gewijzigd. Open het scenario opnieuw en breng uw wijziging dan aan.",
            );
            Ok(())
        }
        StoreError::Duplicate(_) => {
            errors.add("name", "Er is al een scenario met deze naam in dit jaar.");
            Ok(())
        }
        StoreError::Other(message) => {
            errors.add("_scenario", message);
            Ok(())
        }
        other => Err(other.into()),
    }
}

pub(super) async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    let d = draft_from(&pairs);
    let input = match validate(&d) {
        Ok(input) => input,
        Err(errors) => return form_page(&state, &ctx, None, d, errors, None).await,
    };
    let mut tx = state.store.begin().await?;
    match store::budget::create_scenario(&mut tx, &who(&user), &input).await {
        Ok(id) => {
            store::commit(tx).await?;
            Ok(Redirect::to(&format!("/begroting/scenarios/{id}?ok=aangemaakt")).into_response())
        }
        Err(e) => {
            let mut errors = Errors::default();
            store_error(e, &mut errors)?;
            form_page(&state, &ctx, None, d, errors, None).await
        }
    }
}

pub(super) async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let s = store::budget::scenario(&state.store, id).await?;
    form_page(
        &state,
        &ctx,
        Some(id),
        draft_of(&s),
        Errors::default(),
        None,
    )
    .await
}

pub(super) async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    let stored = store::budget::scenario(&state.store, id).await?;
    let mut d = draft_from(&pairs);
    // The year is fixed (its trend inputs and master data are that year's).
    d.year = stored.year.to_string();
    let input = match validate(&d) {
        Ok(input) => input,
        Err(errors) => return form_page(&state, &ctx, Some(id), d, errors, None).await,
    };
    let mut tx = state.store.begin().await?;
    match store::budget::update_scenario(&mut tx, &who(&user), id, d.version, &input).await {
        Ok(()) => {
            store::commit(tx).await?;
            Ok(Redirect::to(&format!("/begroting/scenarios/{id}?ok=opgeslagen")).into_response())
        }
        Err(StoreError::Conflict) => {
            drop(tx);
            // Both versions side by side; the form keeps what was typed and carries the stored
            // version, so saving again replaces it deliberately.
            let now = store::budget::scenario(&state.store, id).await?;
            let names = Names::load(&state, now.year).await?;
            let rows = diff_versions(shown(&draft_of(&now), &names), shown(&d, &names));
            let mut errors = Errors::default();
            errors.add(
                "_versie",
                "Iemand anders heeft dit scenario intussen gewijzigd. Hieronder staan beide versies; uw invoer staat in het formulier. Neem over wat u van de opgeslagen versie wilt houden en sla opnieuw op om die bewust te vervangen.",
            );
            let d = Draft {
                version: now.version,
                ..d
            };
            form_page(&state, &ctx, Some(id), d, errors, Some(rows)).await
        }
        Err(e) => {
            let mut errors = Errors::default();
            store_error(e, &mut errors)?;
            form_page(&state, &ctx, Some(id), d, errors, None).await
        }
    }
}

/// Names for the ids a draft holds: the scenarios of last year and the vakgroepen.
struct Names {
    scenarios: Vec<(i64, String)>,
    vakgroepen: Vec<(i64, String)>,
}

impl Names {
    async fn load(state: &AppState, year: i16) -> AppResult<Names> {
        Ok(Names {
            scenarios: store::budget::scenarios(&state.store, Some(year - 1))
                .await?
                .into_iter()
                .map(|s| (s.id, format!("{} ({})", s.name, s.year)))
                .collect(),
            vakgroepen: store::vakgroepen::list(&state.store)
                .await?
                .into_iter()
                .map(|v| (v.id, v.code))
                .collect(),
        })
    }

    fn name(list: &[(i64, String)], id: &str) -> String {
        list.iter()
            .find(|(i, _)| i.to_string() == id.trim())
            .map_or_else(|| id.trim().to_string(), |(_, n)| n.clone())
    }
}

/// A draft as a person reads it, field by field, for the conflict table.
fn shown(d: &Draft, names: &Names) -> Vec<(&'static str, String)> {
    let variant = |code: &str| match code.trim() {
        "1" => PzVariant::Informatief.label().to_string(),
        "2" => PzVariant::InNormFte.label().to_string(),
        "3" => PzVariant::Geoormerkt.label().to_string(),
        other => other.to_string(),
    };
    let weights = if [&d.w_out, &d.w_eff, &d.w_pz]
        .iter()
        .all(|w| w.trim().is_empty())
    {
        "standaard bij de variant".to_string()
    } else {
        format!(
            "productie {} · efficiëntie {} · passende zorg {}",
            d.w_out.trim(),
            d.w_eff.trim(),
            d.w_pz.trim()
        )
    };
    let grondslag = Grondslag::ALL
        .iter()
        .find(|&&g| engine::grondslag_code(g) == d.grondslag)
        .map_or_else(|| d.grondslag.clone(), |g| g.label().to_string());
    let mut trends = d.trends.clone();
    trends.sort_unstable();
    trends.dedup();
    let mut overrides: Vec<String> = d
        .overrides
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(id, v)| {
            format!(
                "{}: {}",
                Names::name(&names.vakgroepen, &id.to_string()),
                variant(v)
            )
        })
        .collect();
    overrides.sort();
    vec![
        ("Naam", d.name.trim().to_string()),
        ("Toelichting", d.description.trim().to_string()),
        ("Referentiejaar", d.reference_year.trim().to_string()),
        (
            "Begroting vorig jaar",
            if d.previous.trim().is_empty() {
                "Geen".to_string()
            } else {
                Names::name(&names.scenarios, &d.previous)
            },
        ),
        ("Variant passende zorg", variant(&d.variant)),
        ("Andere variant per vakgroep", overrides.join("; ")),
        ("Gewichten (%)", weights),
        ("Geoormerkt bedrag (€)", d.earmark.trim().to_string()),
        ("Grondslag", grondslag),
        (
            "Trendinputs",
            trends
                .iter()
                .map(|t| format!("#{t}"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ]
}
