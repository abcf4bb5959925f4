//! Making and editing an agreement (product.md B1), from scratch or from a recorded decision, with
//! optimistic versioning and a conflict page that shows both versions side by side (F4).

use crate::shared::error::{AppError, AppResult};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, DiffRow, Errors, Layout, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::agreements::kinds::{
    AgreementKind, AgreementStatus, JzojpTheme, PartyKind, ReviewCadence, SevenS,
};
use domain::authz::{Capability, Visibility};
use serde::Deserialize;
use store::StoreError;
use store::register::{AgreementDetail, AgreementInput, PartyInput};
use time::Date;

/// The number of party rows the form offers.
const PARTY_ROWS: usize = 3;

pub(super) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub(super) struct PartyRowView {
    pub index: usize,
    pub kinds: Vec<Choice>,
    pub label: String,
    pub owners: Vec<Choice>,
}

/// What the form shows; shared by the form page and the conflict page.
pub(super) struct FormView {
    pub action: String,
    pub version: i32,
    pub besluit: String,
    pub title: String,
    pub description: String,
    pub insurer_deviation: String,
    pub kinds: Vec<Choice>,
    pub parties: Vec<PartyRowView>,
    pub seven_s: Vec<Choice>,
    pub themes: Vec<Choice>,
    pub start: String,
    pub due: String,
    pub reviews: Vec<Choice>,
    pub visibilities: Vec<Choice>,
    pub cancel: String,
    /// The active vakgroepen's names, offered as suggestions for a vakgroep party.
    pub vakgroepen: Vec<String>,
    /// Budget scenarios an insurer deviation can refer to (B5), with "—" first.
    pub scenarios: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "agreements/form.html")]
struct FormPage {
    layout: Layout,
    form: FormView,
    errors: Errors,
    /// Set for a frozen agreement: the form is not shown, only where to go instead.
    frozen_actions: Option<String>,
    origin: Option<(i64, String)>,
}

#[derive(Template)]
#[template(path = "agreements/conflict.html")]
struct ConflictPage {
    layout: Layout,
    id: i64,
    rows: Vec<DiffRow>,
    form: FormView,
    errors: Errors,
}

/// What the person typed, kept as typed.
#[derive(Debug, Default, Clone)]
struct Draft {
    version: i32,
    besluit: String,
    title: String,
    description: String,
    kind: String,
    party_kind: Vec<String>,
    party_label: Vec<String>,
    party_owner: Vec<String>,
    seven_s: Vec<String>,
    theme: String,
    start: String,
    due: String,
    review: String,
    visibility: String,
    insurer_deviation: String,
    budget_scenario: String,
}

fn draft_from(pairs: &[(String, String)]) -> Draft {
    let one = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let all = |k: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect()
    };
    Draft {
        version: one("version").parse().unwrap_or(0),
        besluit: one("besluit"),
        title: one("title"),
        description: one("description"),
        kind: one("kind"),
        party_kind: all("party_kind"),
        party_label: all("party_label"),
        party_owner: all("party_owner"),
        seven_s: all("seven_s"),
        theme: one("theme"),
        start: one("start"),
        due: one("due"),
        review: one("review"),
        visibility: one("visibility"),
        insurer_deviation: one("insurer_deviation"),
        budget_scenario: one("budget_scenario"),
    }
}

fn date_text(d: Option<Date>) -> String {
    d.map(domain::nl::date).unwrap_or_default()
}

fn review_code(months: Option<i16>) -> String {
    ReviewCadence::from_months(months.and_then(|m| u32::try_from(m).ok()))
        .map(|c| c.code().to_string())
        .unwrap_or_else(|| "geen".into())
}

fn draft_of(d: &AgreementDetail) -> Draft {
    let a = &d.agreement;
    Draft {
        version: a.version,
        besluit: String::new(),
        title: a.title.clone(),
        description: a.description.clone(),
        kind: a.kind.clone(),
        party_kind: d.parties.iter().map(|p| p.kind.clone()).collect(),
        // A vakgroep party without a label shows the vakgroep's name, so that the form checks.
        party_label: d
            .parties
            .iter()
            .map(|p| match (&p.vakgroep_name, p.label.trim().is_empty()) {
                (Some(name), true) => name.clone(),
                _ => p.label.clone(),
            })
            .collect(),
        party_owner: d
            .parties
            .iter()
            .map(|p| p.owner_id.map(|o| o.to_string()).unwrap_or_default())
            .collect(),
        seven_s: a.seven_s.clone(),
        theme: a.theme.clone().unwrap_or_default(),
        start: date_text(a.start_date),
        due: date_text(a.due_date),
        review: review_code(a.review_months),
        visibility: a
            .visibility_body_id
            .map(|b| b.to_string())
            .unwrap_or_default(),
        insurer_deviation: a.insurer_deviation.clone(),
        budget_scenario: a
            .budget_scenario_id
            .map(|s| s.to_string())
            .unwrap_or_default(),
    }
}

fn choices<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    selected: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|&x| Choice {
            value: code(x).into(),
            label: label(x).into(),
            selected: selected == code(x),
        })
        .collect()
}

async fn form_view(
    state: &AppState,
    user: &User,
    action: String,
    cancel: String,
    draft: &Draft,
) -> AppResult<FormView> {
    let people: Vec<_> = store::people::list(&state.store)
        .await?
        .into_iter()
        .filter(|p| p.disabled_at.is_none())
        .collect();
    let bodies = store::bodies::list(&state.store).await?;
    let vakgroepen = store::vakgroepen::list(&state.store)
        .await?
        .into_iter()
        .filter(|v| v.active)
        .map(|v| v.name)
        .collect();
    let mut scenarios = vec![Choice {
        value: String::new(),
        label: "—".into(),
        selected: draft.budget_scenario.is_empty(),
    }];
    scenarios.extend(
        visible_scenarios(state, user)
            .await?
            .into_iter()
            .map(|s| Choice {
                selected: draft.budget_scenario == s.id.to_string(),
                value: s.id.to_string(),
                label: format!("{} {}", s.year, s.name),
            }),
    );
    let at = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
    let parties = (0..PARTY_ROWS.max(draft.party_kind.len()))
        .map(|i| {
            let kind = at(&draft.party_kind, i);
            let owner = at(&draft.party_owner, i);
            let mut kinds = vec![Choice {
                value: String::new(),
                label: "—".into(),
                selected: kind.is_empty(),
            }];
            kinds.extend(choices(PartyKind::ALL, |k| k.code(), |k| k.label(), &kind));
            let mut owners = vec![Choice {
                value: String::new(),
                label: "—".into(),
                selected: owner.is_empty(),
            }];
            owners.extend(people.iter().map(|p| Choice {
                value: p.id.to_string(),
                label: p.name.clone(),
                selected: owner == p.id.to_string(),
            }));
            PartyRowView {
                index: i,
                kinds,
                label: at(&draft.party_label, i),
                owners,
            }
        })
        .collect();
    let mut themes = vec![Choice {
        value: String::new(),
        label: "Geen thema".into(),
        selected: draft.theme.is_empty(),
    }];
    themes.extend(choices(
        JzojpTheme::ALL,
        |t| t.code(),
        |t| t.label(),
        &draft.theme,
    ));
    let mut visibilities = vec![Choice {
        value: String::new(),
        label: "Gezamenlijk (alle gremia)".into(),
        selected: draft.visibility.is_empty(),
    }];
    visibilities.extend(
        bodies
            .iter()
            .filter(|b| user.actor.bodies.contains(&b.id))
            .map(|b| Choice {
                value: b.id.to_string(),
                label: format!("Alleen {}", b.code),
                selected: draft.visibility == b.id.to_string(),
            }),
    );
    Ok(FormView {
        action,
        version: draft.version,
        besluit: draft.besluit.clone(),
        title: draft.title.clone(),
        description: draft.description.clone(),
        insurer_deviation: draft.insurer_deviation.clone(),
        kinds: choices(AgreementKind::ALL, |k| k.code(), |k| k.label(), &draft.kind),
        parties,
        seven_s: SevenS::ALL
            .iter()
            .map(|s| Choice {
                value: s.code().into(),
                label: s.label().into(),
                selected: draft.seven_s.iter().any(|c| c == s.code()),
            })
            .collect(),
        themes,
        start: draft.start.clone(),
        due: draft.due.clone(),
        reviews: choices(
            ReviewCadence::ALL,
            |c| c.code(),
            |c| c.label(),
            &draft.review,
        ),
        visibilities,
        cancel,
        vakgroepen,
        scenarios,
    })
}

/// Checks the draft; origin fields are the caller's.
fn validate(draft: &Draft, user: &User, known: &Known) -> Result<AgreementInput, Errors> {
    let people = &known.people;
    let mut errors = Errors::default();
    let title = draft.title.trim().to_string();
    if title.is_empty() || title.chars().count() > 200 {
        errors.add("title", "Vul een titel in (hoogstens 200 tekens).");
    }
    let kind = AgreementKind::parse(&draft.kind);
    if kind.is_none() {
        errors.add("kind", "Kies het soort afspraak.");
    }
    errors.limit(
        "description",
        draft.description.trim(),
        domain::text::max::LONG,
    );
    errors.limit(
        "insurer_deviation",
        draft.insurer_deviation.trim(),
        domain::text::max::COMMENT,
    );
    for label in &draft.party_label {
        errors.limit("parties", label.trim(), domain::text::max::SHORT);
    }
    let mut parties = Vec::new();
    for i in 0..draft.party_kind.len() {
        let code = draft.party_kind[i].trim();
        let label = draft.party_label.get(i).map_or("", |s| s.trim());
        let owner = draft.party_owner.get(i).map_or("", |s| s.trim());
        if code.is_empty() {
            if !label.is_empty() || !owner.is_empty() {
                errors.add(
                    "parties",
                    "Kies bij elke ingevulde partij het soort partij.",
                );
            }
            continue;
        }
        let Some(pk) = PartyKind::parse(code) else {
            errors.add("parties", "Kies een bestaand soort partij.");
            continue;
        };
        if !matches!(pk, PartyKind::Rvb | PartyKind::MsbPlus) && label.is_empty() {
            errors.add(
                "parties",
                format!("Vul de naam in van de partij ‘{}’.", pk.label()),
            );
        }
        // A vakgroep party is one of the hospital's vakgroepen, by name or code, so that the
        // register can follow it (filters, the vakgroep's own overview) rather than a free text.
        let vakgroep_id = if pk == PartyKind::Vakgroep && !label.is_empty() {
            let found = known.vakgroepen.iter().find(|(_, code, name)| {
                name.to_lowercase() == label.to_lowercase() || code.eq_ignore_ascii_case(label)
            });
            if found.is_none() {
                errors.add(
                    "parties",
                    format!(
                        "‘{label}’ is geen vakgroep van het ziekenhuis; kies een naam uit de lijst."
                    ),
                );
            }
            found.map(|(id, _, _)| *id)
        } else {
            None
        };
        let owner_id = if owner.is_empty() {
            None
        } else {
            match owner.parse::<i64>().ok().filter(|o| people.contains(o)) {
                Some(o) => Some(o),
                None => {
                    errors.add("parties", "Kies een eigenaar uit de lijst.");
                    None
                }
            }
        };
        parties.push(PartyInput {
            kind: pk.code().into(),
            // A linked vakgroep shows its own (current) name.
            label: if vakgroep_id.is_some() {
                String::new()
            } else {
                label.into()
            },
            vakgroep_id,
            owner_id,
        });
    }
    let mut seven_s = Vec::new();
    for c in &draft.seven_s {
        match SevenS::parse(c) {
            Some(s) => seven_s.push(s.code().to_string()),
            None => errors.add("seven_s", "Kies elementen uit het 7S-model."),
        }
    }
    let theme = if draft.theme.is_empty() {
        None
    } else {
        match JzojpTheme::parse(&draft.theme) {
            Some(t) => Some(t.code().to_string()),
            None => {
                errors.add("theme", "Kies een thema uit de lijst.");
                None
            }
        }
    };
    let mut date = |field: &'static str, text: &str| {
        if text.trim().is_empty() {
            return None;
        }
        let d = domain::nl::parse_date(text);
        if d.is_none() {
            errors.add(field, "Vul een datum in als dd-mm-jjjj.");
        }
        d
    };
    let start_date = date("start", &draft.start);
    let due_date = date("due", &draft.due);
    if let (Some(s), Some(d)) = (start_date, due_date)
        && d < s
    {
        errors.add("due", "De einddatum ligt vóór de startdatum.");
    }
    let review_months = match ReviewCadence::parse(&draft.review) {
        Some(c) => c.months().and_then(|m| i16::try_from(m).ok()),
        None if draft.review.is_empty() => None,
        None => {
            errors.add("review", "Kies hoe vaak de afspraak herzien wordt.");
            None
        }
    };
    let visibility_body_id = if draft.visibility.is_empty() {
        None
    } else {
        match draft.visibility.parse::<i64>().ok() {
            Some(b) if user.actor.can_see(Visibility::Body(b)) => Some(b),
            _ => {
                errors.add("visibility", "Kies een gremium waarvan u lid bent.");
                None
            }
        }
    };
    let budget_scenario_id = match draft.budget_scenario.trim() {
        "" => None,
        v => match v
            .parse::<i64>()
            .ok()
            .filter(|s| known.scenarios.contains(s))
        {
            Some(s) => Some(s),
            None => {
                errors.add("budget_scenario", "Kies een bestaand begrotingsscenario.");
                None
            }
        },
    };
    // B5: a plan that cannot be aligned with the insurer contract is a financial agreement.
    if (budget_scenario_id.is_some() || !draft.insurer_deviation.trim().is_empty())
        && kind.is_some_and(|k| k != AgreementKind::Financieel)
    {
        errors.add(
            "insurer_deviation",
            "Een afwijking van het verzekeraarscontract of een begrotingsscenario hoort bij een afspraak van de soort Financieel.",
        );
    }
    match kind {
        Some(kind) if errors.is_empty() => Ok(AgreementInput {
            kind: kind.code().into(),
            title,
            description: draft.description.trim().to_string(),
            owner_id: None,
            parties,
            seven_s,
            theme,
            start_date,
            due_date,
            review_months,
            visibility_body_id,
            origin_meeting_id: None,
            origin_item_id: None,
            origin_decision_id: None,
            insurer_deviation: draft.insurer_deviation.trim().to_string(),
            budget_scenario_id,
        }),
        _ => Err(errors),
    }
}

/// What a form may refer to: active people (owners), vakgroepen (id, code, name) and budget
/// scenarios.
struct Known {
    people: Vec<i64>,
    vakgroepen: Vec<(i64, String, String)>,
    scenarios: Vec<i64>,
}

/// The budget scenarios a person may refer to: all of them with access to the budget, else none
/// (an id is then refused like one that does not exist).
async fn visible_scenarios(
    state: &AppState,
    user: &User,
) -> AppResult<Vec<store::budget::Scenario>> {
    if !user.actor.can(Capability::ViewBudget) {
        return Ok(Vec::new());
    }
    Ok(store::budget::scenarios(&state.store, None).await?)
}

async fn known(state: &AppState, user: &User) -> AppResult<Known> {
    let people = store::people::list(&state.store)
        .await?
        .into_iter()
        .filter(|p| p.disabled_at.is_none())
        .map(|p| p.id)
        .collect();
    let vakgroepen = store::vakgroepen::list(&state.store)
        .await?
        .into_iter()
        .filter(|v| v.active)
        .map(|v| (v.id, v.code, v.name))
        .collect();
    let scenarios = visible_scenarios(state, user)
        .await?
        .into_iter()
        .map(|s| s.id.get())
        .collect();
    Ok(Known {
        people,
        vakgroepen,
        scenarios,
    })
}

/// The origin of a new agreement: a recorded decision whose item the person may see.
struct Origin {
    meeting_id: i64,
    meeting_title: String,
    item_id: i64,
    decision_id: i64,
    item_title: String,
    text: String,
    visibility: Option<i64>,
}

async fn origin_of(state: &AppState, user: &User, decision: &str) -> AppResult<Option<Origin>> {
    if decision.trim().is_empty() {
        return Ok(None);
    }
    let id: i64 = decision.trim().parse().map_err(|_| AppError::NotFound)?;
    let d = store::decisions::get(&state.store, id).await?;
    let item = store::agenda::get(&state.store, d.item_id).await?;
    let meeting =
        crate::shared::meeting_access::visible_meeting(state, user, item.meeting_id).await?;
    user.actor.check(
        Capability::ManageAgreements,
        Visibility::of(item.visibility_body_id),
    )?;
    Ok(Some(Origin {
        meeting_id: meeting.id,
        meeting_title: meeting.title,
        item_id: item.id,
        decision_id: d.id,
        item_title: item.title,
        text: d.text,
        visibility: item.visibility_body_id,
    }))
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    id: Option<i64>,
    draft: &Draft,
    errors: Errors,
    origin: Option<(i64, String)>,
    frozen_actions: Option<String>,
) -> AppResult<Response> {
    let (action, cancel, title) = match id {
        Some(id) => (
            format!("/afspraken/{id}"),
            format!("/afspraken/{id}"),
            "Afspraak wijzigen",
        ),
        None => ("/afspraken".into(), "/afspraken".into(), "Nieuwe afspraak"),
    };
    let form = form_view(state, user, action, cancel, draft).await?;
    let status = if frozen_actions.is_some() {
        StatusCode::CONFLICT
    } else {
        errors.status()
    };
    let page = FormPage {
        layout: ctx.layout(title),
        form,
        errors,
        frozen_actions,
        origin,
    };
    Ok((status, render(page)?).into_response())
}

#[derive(Deserialize)]
pub(super) struct NewQuery {
    #[serde(default)]
    besluit: String,
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let origin = origin_of(&state, &user, &q.besluit).await?;
    let mut draft = Draft {
        kind: AgreementKind::StrategischeKeuze.code().into(),
        review: ReviewCadence::Geen.code().into(),
        ..Default::default()
    };
    if let Some(o) = &origin {
        draft.besluit = o.decision_id.to_string();
        draft.title = o.item_title.clone();
        draft.description = o.text.clone();
        draft.visibility = o.visibility.map(|b| b.to_string()).unwrap_or_default();
    }
    let shown = origin.map(|o| (o.meeting_id, o.meeting_title));
    form_page(
        &state,
        &ctx,
        &user,
        None,
        &draft,
        Errors::default(),
        shown,
        None,
    )
    .await
}

pub(super) async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let draft = draft_from(&pairs);
    let origin = origin_of(&state, &user, &draft.besluit).await?;
    let shown = origin
        .as_ref()
        .map(|o| (o.meeting_id, o.meeting_title.clone()));
    let mut input = match validate(&draft, &user, &known(&state, &user).await?) {
        Ok(i) => i,
        Err(errors) => {
            return form_page(&state, &ctx, &user, None, &draft, errors, shown, None).await;
        }
    };
    let status = match &origin {
        Some(o) => {
            input.origin_meeting_id = Some(o.meeting_id);
            input.origin_item_id = Some(o.item_id);
            input.origin_decision_id = Some(o.decision_id);
            AgreementStatus::Vastgesteld
        }
        None => AgreementStatus::Voorgesteld,
    };
    let mut tx = state.store.begin().await?;
    let id = store::register::create(&mut tx, &who(&user), &input, status).await?;
    store::commit(tx).await?;
    Ok(Redirect::to(&format!("/afspraken/{id}?ok=aangemaakt")).into_response())
}

/// The agreement if the person may see it (else 404): its compartment, and for an observer its
/// origin in a meeting their body attended (`Actor::can_see_agreement`).
pub(super) async fn visible_agreement(
    state: &AppState,
    user: &User,
    id: i64,
) -> AppResult<AgreementDetail> {
    let detail = store::register::detail(&state.store, id).await?;
    let visibility = Visibility::of(detail.agreement.visibility_body_id);
    if !user
        .actor
        .can_see_agreement(visibility, &detail.origin_bodies)
    {
        return Err(AppError::NotFound);
    }
    Ok(detail)
}

fn frozen_link(d: &AgreementDetail) -> Option<String> {
    d.agreement.frozen_at?;
    Some(match d.agreement.origin_meeting_id {
        Some(m) => format!("/vergaderingen/{m}/actielijst"),
        None => "/afspraken".into(),
    })
}

fn origin_shown(d: &AgreementDetail) -> Option<(i64, String)> {
    Some((
        d.agreement.origin_meeting_id?,
        d.agreement.origin_meeting_title.clone().unwrap_or_default(),
    ))
}

pub(super) async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let detail = visible_agreement(&state, &user, id).await?;
    let frozen = frozen_link(&detail);
    let draft = draft_of(&detail);
    form_page(
        &state,
        &ctx,
        &user,
        Some(id),
        &draft,
        Errors::default(),
        origin_shown(&detail),
        frozen,
    )
    .await
}

fn show_list(v: &[String]) -> String {
    v.join(", ")
}

/// Both versions, field by field, for the conflict page.
fn diff_rows(stored: &Draft, typed: &Draft, people: &[(i64, String)]) -> Vec<DiffRow> {
    let person = |id: &str| {
        people
            .iter()
            .find(|(p, _)| p.to_string() == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let parties = |d: &Draft| {
        let mut out = Vec::new();
        for (i, k) in d.party_kind.iter().enumerate() {
            if k.is_empty() {
                continue;
            }
            let kind = PartyKind::parse(k).map_or(k.as_str(), |p| p.label());
            let label = d.party_label.get(i).cloned().unwrap_or_default();
            let owner = person(d.party_owner.get(i).map_or("", |s| s.as_str()));
            let mut s = kind.to_string();
            if !label.trim().is_empty() {
                s.push_str(&format!(" ({})", label.trim()));
            }
            if !owner.is_empty() {
                s.push_str(&format!(" — {owner}"));
            }
            out.push(s);
        }
        out.join("; ")
    };
    let label_of = |code: &str, f: fn(&str) -> Option<&'static str>| {
        f(code).map_or_else(|| code.to_string(), str::to_string)
    };
    let kind = |c: &str| label_of(c, |c| AgreementKind::parse(c).map(|k| k.label()));
    let theme = |c: &str| label_of(c, |c| JzojpTheme::parse(c).map(|k| k.label()));
    let review = |c: &str| label_of(c, |c| ReviewCadence::parse(c).map(|k| k.label()));
    let seven = |v: &[String]| {
        show_list(
            &SevenS::ALL
                .iter()
                .filter(|s| v.iter().any(|c| c == s.code()))
                .map(|s| s.label().to_string())
                .collect::<Vec<_>>(),
        )
    };
    let date =
        |s: &str| domain::nl::parse_date(s).map_or_else(|| s.trim().to_string(), domain::nl::date);
    let pairs: Vec<(&'static str, String, String)> = vec![
        (
            "Titel",
            stored.title.clone(),
            typed.title.trim().to_string(),
        ),
        (
            "Beschrijving",
            stored.description.clone(),
            typed.description.trim().to_string(),
        ),
        ("Soort", kind(&stored.kind), kind(&typed.kind)),
        ("Partijen", parties(stored), parties(typed)),
        (
            "7S-elementen",
            seven(&stored.seven_s),
            seven(&typed.seven_s),
        ),
        ("Thema", theme(&stored.theme), theme(&typed.theme)),
        ("Startdatum", date(&stored.start), date(&typed.start)),
        ("Einddatum", date(&stored.due), date(&typed.due)),
        ("Herziening", review(&stored.review), review(&typed.review)),
        (
            "Zichtbaarheid",
            stored.visibility.clone(),
            typed.visibility.clone(),
        ),
        (
            "Afwijking zorgverzekeraar",
            stored.insurer_deviation.clone(),
            typed.insurer_deviation.trim().to_string(),
        ),
        (
            "Begrotingsscenario",
            stored.budget_scenario.clone(),
            typed.budget_scenario.trim().to_string(),
        ),
    ];
    crate::shared::views::diff_rows(pairs)
}

pub(super) async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let detail = visible_agreement(&state, &user, id).await?;
    let draft = draft_from(&pairs);
    if let Some(link) = frozen_link(&detail) {
        return form_page(
            &state,
            &ctx,
            &user,
            Some(id),
            &draft,
            Errors::default(),
            origin_shown(&detail),
            Some(link),
        )
        .await;
    }
    let mut input = match validate(&draft, &user, &known(&state, &user).await?) {
        Ok(i) => i,
        Err(errors) => {
            let shown = origin_shown(&detail);
            return form_page(&state, &ctx, &user, Some(id), &draft, errors, shown, None).await;
        }
    };
    let a = &detail.agreement;
    // The agreement's owner follows the first party owner; without party owners it stays.
    if !input.parties.iter().any(|p| p.owner_id.is_some()) {
        input.owner_id = a.owner_id;
    }
    input.origin_meeting_id = a.origin_meeting_id;
    input.origin_item_id = a.origin_item_id;
    input.origin_decision_id = a.origin_decision_id;
    let mut tx = state.store.begin().await?;
    match store::register::update(&mut tx, &who(&user), id, draft.version, &input).await {
        Ok(()) => {
            store::commit(tx).await?;
            Ok(Redirect::to(&format!("/afspraken/{id}?ok=opgeslagen")).into_response())
        }
        Err(StoreError::Conflict) => {
            drop(tx);
            // Compare with what is stored now, and carry its version so that saving again
            // overwrites deliberately.
            let now = store::register::detail(&state.store, id).await?;
            let stored = draft_of(&now);
            let people: Vec<(i64, String)> = store::people::list(&state.store)
                .await?
                .into_iter()
                .map(|p| (p.id, p.name))
                .collect();
            let mut rows = diff_rows(&stored, &draft, &people);
            let scenarios = store::budget::scenarios(&state.store, None).await?;
            if let Some(row) = rows.iter_mut().find(|r| r.label == "Begrotingsscenario") {
                let name = |v: &str| {
                    scenarios
                        .iter()
                        .find(|s| s.id.to_string() == v)
                        .map_or_else(String::new, |s| format!("{} {}", s.year, s.name))
                };
                row.stored = name(&row.stored);
                row.typed = name(&row.typed);
            }
            let bodies = store::bodies::list(&state.store).await?;
            if let Some(row) = rows.iter_mut().find(|r| r.label == "Zichtbaarheid") {
                let name = |v: &str| {
                    bodies.iter().find(|b| b.id.to_string() == v).map_or_else(
                        || "Gezamenlijk".to_string(),
                        |b| format!("Alleen {}", b.code),
                    )
                };
                row.stored = name(&row.stored);
                row.typed = name(&row.typed);
            }
            let merged = Draft {
                version: now.agreement.version,
                ..draft
            };
            let form = form_view(
                &state,
                &user,
                format!("/afspraken/{id}"),
                format!("/afspraken/{id}"),
                &merged,
            )
            .await?;
            let mut errors = Errors::default();
            errors.add(
                "_form",
                "Iemand anders heeft deze afspraak intussen gewijzigd. Hieronder staan beide versies; uw invoer staat in het formulier. Pas het zo nodig aan en sla opnieuw op om de opgeslagen versie bewust te vervangen.",
            );
            let page = ConflictPage {
                layout: ctx.layout("Afspraak intussen gewijzigd"),
                id,
                rows,
                form,
                errors,
            };
            Ok((StatusCode::CONFLICT, render(page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
