//! Making and editing a scenario (D4, D5): name, years, passende-zorg variant with its weights,
//! the earmarked amount of variant 3, and which accepted trend inputs count.

use super::{Pairs, ids, one};
use crate::shared::error::AppResult;
use crate::shared::forms::{self, Refusal};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, DiffRow, Errors, Layout, diff_versions, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::budget::{Grondslag, PzVariant, ScenarioDraft, ScenarioForm, ScopeKind};
use domain::ids::{ScenarioId, TrendInputId};
use rust_decimal::Decimal;
use store::budget::Seen;
use store::{Invalid, StoreError};

pub(super) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub(super) struct TrendChoice {
    pub id: TrendInputId,
    pub label: String,
    pub checked: bool,
}

/// What the form shows, as typed, with the version it was based on.
#[derive(Default)]
struct Draft {
    version: i32,
    form: ScenarioForm,
}

fn draft_from(pairs: &Pairs) -> Draft {
    let s = |k: &str| one(pairs, k).to_string();
    Draft {
        version: one(pairs, "version").parse().unwrap_or(0),
        form: ScenarioForm {
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
        },
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
        form: ScenarioForm {
            name: s.name.clone(),
            description: s.description.clone(),
            year: s.year.to_string(),
            reference_year: s.reference_year.to_string(),
            variant: s.pz_variant.code().into(),
            w_out: percent(s.w_out),
            w_eff: percent(s.w_eff),
            w_pz: percent(s.w_pz),
            earmark: if s.earmarked_amount.is_zero() {
                String::new()
            } else {
                domain::nl::number(s.earmarked_amount, 2)
            },
            grondslag: s.grondslag.code().into(),
            previous: s
                .previous_scenario_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
            trends: s.trend_input_ids.clone(),
            overrides: s
                .variants
                .iter()
                .map(|o| (o.vakgroep_id, o.pz_variant.code().into()))
                .collect(),
        },
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
    version: i32,
    d: ScenarioForm,
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
    id: Option<ScenarioId>,
    draft: Draft,
    errors: Errors,
    conflict: Option<Vec<DiffRow>>,
) -> AppResult<Response> {
    let Draft { version, form: d } = draft;
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
            .filter(|t| t.status.counts_in_budget())
            .map(|t| TrendChoice {
                id: t.id,
                checked: d.trends.contains(&t.id),
                label: format!(
                    "{} · {} · {} · {}",
                    t.vakgroep_code,
                    t.change().text(),
                    if t.scope == ScopeKind::Vakgroep {
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
            .map(|&v| Choice {
                selected: selected == v.code(),
                value: v.code().into(),
                label: v.label().into(),
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
                .find(|(id, _)| id.get() == v.id)
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
            value: g.code().into(),
            label: g.label().into(),
            selected: d.grondslag == g.code(),
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
        version,
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

/// The form checked with the domain's scenario rules.
fn parse(d: &Draft) -> Result<ScenarioDraft, Errors> {
    ScenarioDraft::parse(&d.form).map_err(|fields| {
        let mut errors = Errors::default();
        for f in fields {
            errors.field(f);
        }
        errors
    })
}

/// How the store's refusals read on the form.
const REFUSALS: &[Refusal] = &[
    Refusal::Duplicate {
        constraint: None,
        field: "name",
        message: "Er is al een scenario met deze naam in dit jaar.",
    },
    Refusal::Invalid(invalid),
];

/// What the database guarantees about a scenario, at the field (only a forged form gets here:
/// the form offers last year's scenarios and this year's trend inputs only).
fn invalid(e: &Invalid) -> Option<(&'static str, String)> {
    Some(match e {
        Invalid::PreviousScenarioYear { year } => (
            "previous",
            format!(
                "Kies als begroting vorig jaar een scenario van {}.",
                year - 1
            ),
        ),
        Invalid::TrendInputYear { year } => (
            "trend",
            format!("Een scenario voor {year} kan alleen trendinputs van {year} bevatten."),
        ),
        Invalid::ScenarioYear => (
            "year",
            "Het begrotingsjaar van een scenario ligt vast; maak een nieuw scenario.".into(),
        ),
        _ => return None,
    })
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
        version: 0,
        form: ScenarioForm {
            year: year.to_string(),
            reference_year: (year - 2).to_string(),
            variant: PzVariant::Informatief.code().into(),
            grondslag: Grondslag::FormatiefFte.code().into(),
            previous,
            ..ScenarioForm::default()
        },
    };
    form_page(&state, &ctx, None, d, Errors::default(), None).await
}

pub(super) async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    let d = draft_from(&pairs);
    let input = match parse(&d) {
        Ok(input) => input,
        Err(errors) => return form_page(&state, &ctx, None, d, errors, None).await,
    };
    let who = who(&user);
    match forms::save(&state, REFUSALS, async |tx| {
        store::budget::create_scenario(tx, &who, &input).await
    })
    .await?
    {
        Ok(id) => {
            Ok(Redirect::to(&format!("/begroting/scenarios/{id}?ok=aangemaakt")).into_response())
        }
        Err(errors) => form_page(&state, &ctx, None, d, errors, None).await,
    }
}

pub(super) async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<ScenarioId>,
) -> AppResult<Response> {
    let s = store::budget::scenario(state.store.pool(), id).await?;
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
    Path(id): Path<ScenarioId>,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    let stored = store::budget::scenario(state.store.pool(), id).await?;
    let mut d = draft_from(&pairs);
    // The year is fixed (its trend inputs and master data are that year's).
    d.form.year = stored.year.to_string();
    let input = match parse(&d) {
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
            let now = store::budget::scenario(state.store.pool(), id).await?;
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
            drop(tx);
            match REFUSALS.iter().find_map(|r| r.errors(&e)) {
                Some(errors) => form_page(&state, &ctx, Some(id), d, errors, None).await,
                None => Err(e.into()),
            }
        }
    }
}

/// Names for the ids a draft holds, by id as the form has it: the scenarios of last year and
/// the vakgroepen.
struct Names {
    scenarios: Vec<(String, String)>,
    vakgroepen: Vec<(String, String)>,
}

impl Names {
    async fn load(state: &AppState, year: i16) -> AppResult<Names> {
        Ok(Names {
            scenarios: store::budget::scenarios(&state.store, Some(year - 1))
                .await?
                .into_iter()
                .map(|s| (s.id.to_string(), format!("{} ({})", s.name, s.year)))
                .collect(),
            vakgroepen: store::vakgroepen::list(&state.store)
                .await?
                .into_iter()
                .map(|v| (v.id.to_string(), v.code.to_string()))
                .collect(),
        })
    }

    fn name(list: &[(String, String)], id: &str) -> String {
        list.iter()
            .find(|(i, _)| i == id.trim())
            .map_or_else(|| id.trim().to_string(), |(_, n)| n.clone())
    }
}

/// A draft as a person reads it, field by field, for the conflict table.
fn shown(d: &Draft, names: &Names) -> Vec<(&'static str, String)> {
    let d = &d.form;
    let variant = |code: &str| {
        PzVariant::parse(code.trim()).map_or_else(|| code.to_string(), |v| v.label().to_string())
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
    let grondslag = Grondslag::parse(d.grondslag.trim())
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
