//! Making and editing an agreement (product.md B1), from scratch or from a recorded decision, with
//! optimistic versioning and a conflict page that shows both versions side by side (F4).

use super::{Choice, choices, visible_agreement};
use crate::shared::error::{AppError, AppResult};
use crate::shared::forms::{self, Refusal};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Errors, Layout, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::agreements::draft::{AgreementDraft, AgreementForm, KnownVakgroep, References};
use domain::agreements::kinds::{
    AgreementKind, AgreementStatus, JzojpTheme, PartyKind, ReviewCadence, SevenS,
};
use domain::authz::{Capability, Visibility};
use domain::ids::{AgreementId, ItemId, MeetingId};
use serde::Deserialize;
use store::agreements::{AgreementDetail, AgreementInput};
use time::Date;

/// The number of party rows the form offers.
const PARTY_ROWS: usize = 3;

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
    origin: Option<(MeetingId, String)>,
}

/// What the person typed, kept as typed, with the version it was based on and the decision it
/// starts from (if any).
#[derive(Debug, Default, Clone)]
pub(super) struct Draft {
    pub version: i32,
    pub besluit: String,
    pub form: AgreementForm,
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
        form: AgreementForm {
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
        },
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

pub(super) fn draft_of(d: &AgreementDetail) -> Draft {
    let a = &d.agreement;
    Draft {
        version: a.version,
        besluit: String::new(),
        form: AgreementForm {
            title: a.title.clone(),
            description: a.description.clone(),
            kind: a.kind.code().into(),
            party_kind: d.parties.iter().map(|p| p.kind.code().into()).collect(),
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
            seven_s: a.seven_s.iter().map(|s| s.code().into()).collect(),
            theme: a.theme.map(|t| t.code().into()).unwrap_or_default(),
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
        },
    }
}

pub(super) async fn form_view(
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
    let bodies = store::bodies::list(state.store.pool()).await?;
    let vakgroepen = store::vakgroepen::list(&state.store)
        .await?
        .into_iter()
        .filter(|v| v.active)
        .map(|v| v.name)
        .collect();
    let mut scenarios = vec![Choice {
        value: String::new(),
        label: "—".into(),
        selected: draft.form.budget_scenario.is_empty(),
    }];
    scenarios.extend(
        visible_scenarios(state, user)
            .await?
            .into_iter()
            .map(|s| Choice {
                selected: draft.form.budget_scenario == s.id.to_string(),
                value: s.id.to_string(),
                label: format!("{} {}", s.year, s.name),
            }),
    );
    let at = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
    let parties = (0..PARTY_ROWS.max(draft.form.party_kind.len()))
        .map(|i| {
            let kind = at(&draft.form.party_kind, i);
            let owner = at(&draft.form.party_owner, i);
            let mut kinds = vec![Choice {
                value: String::new(),
                label: "—".into(),
                selected: kind.is_empty(),
            }];
            kinds.extend(choices(
                PartyKind::ALL,
                PartyKind::code,
                PartyKind::label,
                &kind,
            ));
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
                label: at(&draft.form.party_label, i),
                owners,
            }
        })
        .collect();
    let mut themes = vec![Choice {
        value: String::new(),
        label: "Geen thema".into(),
        selected: draft.form.theme.is_empty(),
    }];
    themes.extend(choices(
        JzojpTheme::ALL,
        JzojpTheme::code,
        JzojpTheme::label,
        &draft.form.theme,
    ));
    let mut visibilities = vec![Choice {
        value: String::new(),
        label: "Gezamenlijk (alle gremia)".into(),
        selected: draft.form.visibility.is_empty(),
    }];
    visibilities.extend(
        bodies
            .iter()
            .filter(|b| user.actor.bodies.contains(&b.id))
            .map(|b| Choice {
                value: b.id.to_string(),
                label: format!("Alleen {}", b.code),
                selected: draft.form.visibility == b.id.to_string(),
            }),
    );
    Ok(FormView {
        action,
        version: draft.version,
        besluit: draft.besluit.clone(),
        title: draft.form.title.clone(),
        description: draft.form.description.clone(),
        insurer_deviation: draft.form.insurer_deviation.clone(),
        kinds: choices(
            AgreementKind::ALL,
            AgreementKind::code,
            AgreementKind::label,
            &draft.form.kind,
        ),
        parties,
        seven_s: SevenS::ALL
            .iter()
            .map(|s| Choice {
                value: s.code().into(),
                label: s.label().into(),
                selected: draft.form.seven_s.iter().any(|c| c == s.code()),
            })
            .collect(),
        themes,
        start: draft.form.start.clone(),
        due: draft.form.due.clone(),
        reviews: choices(
            ReviewCadence::ALL,
            ReviewCadence::code,
            ReviewCadence::label,
            &draft.form.review,
        ),
        visibilities,
        cancel,
        vakgroepen,
        scenarios,
    })
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

/// What the agreement form may refer to for this person: active people (owners), active
/// vakgroepen, their own bodies and the budget scenarios they see.
async fn references(state: &AppState, user: &User) -> AppResult<References> {
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
        .map(|v| KnownVakgroep {
            id: v.id,
            code: v.code.to_string(),
            name: v.name,
        })
        .collect();
    let scenarios = visible_scenarios(state, user)
        .await?
        .into_iter()
        .map(|s| s.id.get())
        .collect();
    Ok(References {
        people,
        vakgroepen,
        bodies: user.actor.bodies.iter().copied().collect(),
        scenarios,
    })
}

/// The form checked by the domain, or the messages at their fields.
async fn parse(
    state: &AppState,
    user: &User,
    draft: &Draft,
) -> AppResult<Result<AgreementInput, Errors>> {
    let refs = references(state, user).await?;
    Ok(AgreementDraft::parse(&draft.form, &refs)
        .map(AgreementInput::from)
        .map_err(|problems| {
            let mut errors = Errors::default();
            for e in problems {
                errors.field(e);
            }
            errors
        }))
}

/// The origin of a new agreement: a recorded decision whose item the person may see.
struct Origin {
    meeting_id: MeetingId,
    meeting_title: String,
    item_id: ItemId,
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
    let item = store::agenda::get(state.store.pool(), d.item_id).await?;
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
    id: Option<AgreementId>,
    draft: &Draft,
    errors: Errors,
    origin: Option<(MeetingId, String)>,
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
        form: AgreementForm {
            kind: AgreementKind::StrategischeKeuze.code().into(),
            review: ReviewCadence::Geen.code().into(),
            ..Default::default()
        },
        ..Default::default()
    };
    if let Some(o) = &origin {
        draft.besluit = o.decision_id.to_string();
        draft.form.title = o.item_title.clone();
        draft.form.description = o.text.clone();
        draft.form.visibility = o.visibility.map(|b| b.to_string()).unwrap_or_default();
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
    let mut input = match parse(&state, &user, &draft).await? {
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
    let who = who(&user);
    match forms::save(&state, &[], async |tx| {
        store::agreements::create(tx, &who, &input, status).await
    })
    .await?
    {
        Ok(id) => Ok(Redirect::to(&format!("/afspraken/{id}?ok=aangemaakt")).into_response()),
        Err(errors) => form_page(&state, &ctx, &user, None, &draft, errors, shown, None).await,
    }
}

fn frozen_link(d: &AgreementDetail) -> Option<String> {
    d.agreement.frozen_at?;
    Some(match d.agreement.origin_meeting_id {
        Some(m) => format!("/vergaderingen/{m}/actielijst"),
        None => "/afspraken".into(),
    })
}

fn origin_shown(d: &AgreementDetail) -> Option<(MeetingId, String)> {
    Some((
        d.agreement.origin_meeting_id?,
        d.agreement.origin_meeting_title.clone().unwrap_or_default(),
    ))
}

pub(super) async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<AgreementId>,
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

pub(super) async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<AgreementId>,
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
    let mut input = match parse(&state, &user, &draft).await? {
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
    let (who, version) = (who(&user), draft.version);
    match forms::save(&state, REFUSALS, async |tx| {
        store::agreements::update(tx, &who, id, version, &input).await
    })
    .await?
    {
        Ok(()) => Ok(Redirect::to(&format!("/afspraken/{id}?ok=opgeslagen")).into_response()),
        Err(errors) => super::conflict::page(&state, &ctx, &user, id, draft, errors).await,
    }
}

/// How the store's refusal reads on the agreement form: a newer version gets the conflict page.
const REFUSALS: &[Refusal] = &[Refusal::Conflict(
    "Iemand anders heeft deze afspraak intussen gewijzigd. Hieronder staan beide versies; uw invoer staat in het formulier. Pas het zo nodig aan en sla opnieuw op om de opgeslagen versie bewust te vervangen.",
)];
