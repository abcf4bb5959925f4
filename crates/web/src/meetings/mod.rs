//! Vergaderingen: the joint agenda, the meeting page with a decision per body, and running the
//! meeting (product.md A1–A7).

mod announcement;
mod attachments;
mod attendance;
mod decide;
mod decision_notify;
mod follow_up;
pub(crate) mod form;
mod items;
mod lists;
pub mod live;
mod minutes;
mod notify;
mod page;

use crate::shared::error::{AppError, AppResult};
use crate::shared::routes::{Access, RouteDef, get, post};
use crate::shared::session::User;
use crate::shared::state::AppState;
use domain::authz::{Capability, Visibility};
use domain::ids::{ItemId, PersonId};
use store::agenda::Item;
use store::meetings::Meeting;

const VIEW: Access = Access::Needs(Capability::ViewMeetings);
const MANAGE: Access = Access::Needs(Capability::ManageMeetings);

pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/vergaderingen", VIEW, page::list),
        get("/vergaderingen/nieuw", MANAGE, form::new_form),
        post("/vergaderingen", MANAGE, form::create),
        get("/vergaderingen/{id}", VIEW, page::show),
        get("/vergaderingen/{id}/live", VIEW, live::stream),
        get("/vergaderingen/{id}/bewerken", MANAGE, form::edit_form),
        post("/vergaderingen/{id}", MANAGE, form::update),
        post("/vergaderingen/{id}/status", MANAGE, form::change_status),
        get("/vergaderingen/{id}/punten/nieuw", MANAGE, items::new_form),
        post("/vergaderingen/{id}/punten", MANAGE, items::create),
        get(
            "/vergaderingen/{id}/punten/{item}",
            MANAGE,
            items::edit_form,
        ),
        post("/vergaderingen/{id}/punten/{item}", MANAGE, items::update),
        post(
            "/vergaderingen/{id}/punten/{item}/omhoog",
            MANAGE,
            items::move_up,
        ),
        post(
            "/vergaderingen/{id}/punten/{item}/omlaag",
            MANAGE,
            items::move_down,
        ),
        post(
            "/vergaderingen/{id}/punten/{item}/verwijderen",
            MANAGE,
            items::delete,
        ),
        post(
            "/vergaderingen/{id}/punten/{item}/besluit",
            Access::Needs(Capability::RecordDecisions),
            decide::record_decision,
        ),
        post(
            "/vergaderingen/{id}/punten/{item}/actie",
            MANAGE,
            decide::add_action,
        ),
        post(
            "/vergaderingen/{id}/punten/{item}/notulen",
            MANAGE,
            decide::save_minutes,
        ),
        attachments::upload_route(),
        get(
            "/vergaderingen/{id}/bijlagen/{attachment}",
            VIEW,
            attachments::download,
        ),
        post(
            "/vergaderingen/{id}/bijlagen/{attachment}/verwijderen",
            MANAGE,
            attachments::delete,
        ),
        post("/vergaderingen/{id}/huidig", MANAGE, decide::set_current),
        get(
            "/vergaderingen/{id}/wijziging-aankondigen",
            MANAGE,
            announcement::form,
        ),
        post(
            "/vergaderingen/{id}/wijziging-aankondigen",
            MANAGE,
            announcement::announce,
        ),
        get("/vergaderingen/{id}/aanwezigheid", MANAGE, attendance::form),
        post("/vergaderingen/{id}/aanwezigheid", MANAGE, attendance::save),
        get(
            "/vergaderingen/{id}/besluitenlijst",
            VIEW,
            lists::decision_list,
        ),
        get("/vergaderingen/{id}/actielijst", VIEW, lists::action_list),
        post(
            "/vergaderingen/{id}/acties/{agreement}/addendum",
            MANAGE,
            lists::add_addendum,
        ),
        get("/vergaderingen/{id}/afdrukken", VIEW, lists::print_agenda),
        get("/vergaderingen/{id}/notulen", MANAGE, minutes::adopt_form),
        post("/vergaderingen/{id}/notulen", MANAGE, minutes::adopt),
        get("/vergaderingen/{id}/overnemen", MANAGE, minutes::carry_form),
        post("/vergaderingen/{id}/overnemen", MANAGE, minutes::carry),
    ]
}

pub(crate) use crate::shared::meeting_access::visible_meeting;

/// An item of that meeting the person may act on with `capability` (hidden: 404).
pub(crate) async fn visible_item(
    state: &AppState,
    user: &User,
    meeting: &Meeting,
    item_id: ItemId,
    capability: Capability,
) -> AppResult<Item> {
    let item = store::agenda::get(state.store.pool(), item_id).await?;
    if item.meeting_id != meeting.id {
        return Err(AppError::NotFound);
    }
    user.actor
        .check(capability, Visibility::of(item.visibility_body_id))?;
    Ok(item)
}

/// Every body's code by id, for labels and messages.
pub(crate) async fn body_codes(
    state: &AppState,
) -> AppResult<std::collections::HashMap<i64, String>> {
    Ok(store::bodies::list(state.store.pool())
        .await?
        .into_iter()
        .map(|b| (b.id, b.code.to_string()))
        .collect())
}

/// The items of a meeting this person may see, in stored order.
pub(crate) fn visible_items(user: &User, items: Vec<Item>) -> Vec<Item> {
    items
        .into_iter()
        .filter(|i| user.actor.can_see(Visibility::of(i.visibility_body_id)))
        .collect()
}

/// A link of an agenda item as one reader sees it.
pub(crate) struct LinkView {
    pub(crate) kind: &'static str,
    pub(crate) href: String,
    pub(crate) title: String,
}

/// The links of one item that this reader may follow; a link to something hidden from them is
/// left out entirely, so it leaves no trace on any page or in the live stream.
pub(crate) fn link_views(
    targets: &[store::agenda::LinkTarget],
    item_id: ItemId,
    user: &User,
) -> Vec<LinkView> {
    use domain::meetings::links::{LinkKind, may_see};
    targets
        .iter()
        .filter(|t| t.item_id == item_id)
        .filter(|t| may_see(&user.actor, t.kind, Visibility::of(t.visibility_body_id)))
        .map(|t| LinkView {
            kind: t.kind.label(),
            href: match t.kind {
                LinkKind::Afspraak => format!("/afspraken/{}", t.target),
                LinkKind::Scenario => format!("/begroting/scenarios/{}", t.target),
            },
            title: t.title.clone(),
        })
        .collect()
}

pub(crate) use store::agenda::{insertion_point, timings};

/// A body member as the voting rules see them: seat holders (voorzitter, lid) vote, secretaries
/// and advisers never do.
pub(crate) fn voter(m: &store::decisions::Member) -> domain::meetings::voting::Member {
    domain::meetings::voting::Member {
        person_id: m.person_id,
        employment_form: m.employment_form,
        has_seat: m.position.has_seat(),
    }
}

/// A person's own functions among these memberships, as (body, function): what
/// `decisions::may_record` needs to know.
pub(crate) fn functions_of(
    members: &[store::decisions::Member],
    person_id: PersonId,
) -> Vec<(i64, domain::people::Position)> {
    members
        .iter()
        .filter(|m| m.person_id == person_id)
        .map(|m| (m.body_id, m.position))
        .collect()
}

/// The employment form of the seats of a member's body.
pub(crate) fn seats(m: &store::decisions::Member) -> Option<domain::people::EmploymentForm> {
    m.body_seats
}

/// The members of one body who may vote on an item's subject and are recorded as present, for
/// a named vote.
pub(crate) fn present_voters(
    members: &[store::decisions::Member],
    present: &[PersonId],
    body_id: i64,
    subject: domain::meetings::kinds::Subject,
) -> Vec<(PersonId, String)> {
    members
        .iter()
        .filter(|m| m.body_id == body_id && present.contains(&m.person_id))
        .filter(|m| domain::meetings::voting::eligible(seats(m), subject, &voter(m)))
        .map(|m| (m.person_id, m.name.clone()))
        .collect()
}

/// Numbers and planned times of these items, from the meeting's start in Dutch time.
pub(crate) fn plan(meeting: &Meeting, items: &[Item]) -> domain::meetings::agenda::Schedule {
    let local = domain::nl::to_amsterdam(meeting.starts_at);
    domain::meetings::agenda::schedule(
        time::PrimitiveDateTime::new(local.date(), local.time()),
        &timings(items),
    )
}

/// "14-12-2026 16:00–18:00".
pub(crate) fn when(m: &Meeting) -> String {
    use domain::nl;
    format!(
        "{} {}–{}",
        nl::date(nl::to_amsterdam(m.starts_at).date()),
        nl::clock(m.starts_at),
        nl::clock(m.ends_at)
    )
}
