//! Mail about a budget's adoption (issue #16): that a scenario is proposed for adoption, and that
//! it was adopted, to the members of the bodies that decide on it (the RvB and the MSB+ bodies,
//! the proposal's agenda item's deciding bodies) and to the controllers. Written in the
//! transaction of the change. The mail names the year, the scenario, the meeting and (adopted)
//! the content hash, and no figure: the allocation per vakgroep is MSB-internal until shared
//! (`Actor::can_see_allocation`), so a mail that is the same for both boards holds none, and the
//! link leads to the scenario's page, which shows each reader what they may see. Like the agenda
//! mail, everyone in the lists hears of it, including whoever proposed it or recorded the last
//! decision: for the boards the mail is the record that it happened, not a notice to others.

use super::{Content, Recipient, Sender};
use crate::shared::error::AppResult;
use crate::shared::state::AppState;
use askama::Template;
use domain::authz::Capability;
use domain::ids::{ItemId, ScenarioId};
use domain::nl;
use domain::notify::MailKind;
use domain::people::Role;
use domain::people::first_name;
use store::people::SignedIn;

#[derive(Template)]
#[template(path = "mail/budget_adoption.txt")]
struct BudgetText<'a> {
    m: &'a Message<'a>,
}

#[derive(Template)]
#[template(path = "mail/budget_adoption.html")]
struct BudgetHtml<'a> {
    m: &'a Message<'a>,
}

/// What one mail says; the same for every recipient but their name.
struct Message<'a> {
    name: String,
    intro: &'a str,
    year: i16,
    scenario: &'a str,
    meeting: &'a str,
    /// The adopted snapshot's hash (empty for a proposal).
    hash: &'a str,
    link: &'a str,
}

/// The members of `bodies` and the controllers, once each, who may open the budget: one query
/// per list.
async fn recipients(tx: &mut store::Tx, bodies: &[i64]) -> AppResult<Vec<SignedIn>> {
    let mut people = store::people::members_of(tx, bodies).await?;
    for c in store::people::with_roles(tx, &[Role::Controller]).await? {
        if !people
            .iter()
            .any(|p| p.actor.person_id == c.actor.person_id)
        {
            people.push(c);
        }
    }
    people.retain(|p| p.actor.can(Capability::ViewBudget));
    Ok(people)
}

/// Writes one mail per recipient; returns how many were written.
async fn post(
    state: &AppState,
    tx: &mut store::Tx,
    bodies: &[i64],
    subject: String,
    m: Message<'_>,
) -> AppResult<usize> {
    let mut letters = Vec::new();
    for person in recipients(tx, bodies).await? {
        let m = Message {
            name: first_name(&person.name).to_string(),
            ..m
        };
        let content = Content {
            subject: subject.clone(),
            text: BudgetText { m: &m }.render()?,
            html: BudgetHtml { m: &m }.render()?,
            attachment: None,
        };
        letters.push((Recipient::of(&person), content));
    }
    let hospital = state.hospital_name();
    let from = Sender::of(state, &hospital);
    super::post(tx, &from, MailKind::Begroting, letters).await
}

fn link(state: &AppState, scenario: ScenarioId) -> String {
    format!(
        "{}/begroting/scenarios/{scenario}#vaststelling",
        state.config.base_url
    )
}

/// Scenario `scenario` was just proposed by `by` (a name) as agenda item `item`.
pub async fn proposed(
    state: &AppState,
    tx: &mut store::Tx,
    scenario: ScenarioId,
    item: ItemId,
    by: &str,
) -> AppResult<usize> {
    let s = store::budget::scenario(&mut **tx, scenario).await?;
    let item = store::agenda::get(&mut **tx, item).await?;
    let meeting = store::meetings::get(&mut **tx, item.meeting_id).await?;
    let meeting = format!("{} ({})", meeting.title, nl::datetime(meeting.starts_at));
    let intro = format!(
        "{by} heeft scenario \"{}\" voorgesteld ter vaststelling als begroting {}. De RvB en het MSB besluiten er elk afzonderlijk over.",
        s.name, s.year
    );
    let link = link(state, scenario);
    let m = Message {
        name: String::new(),
        intro: &intro,
        year: s.year,
        scenario: &s.name,
        meeting: &meeting,
        hash: "",
        link: &link,
    };
    let subject = format!(
        "Begroting {} voorgesteld ter vaststelling: {}",
        s.year, s.name
    );
    post(state, tx, &item.deciding_bodies, subject, m).await
}

/// After a decision on agenda item `item`, in its transaction: when that decision adopted a
/// budget, the mail that it was adopted; otherwise nothing. Here, one floor below both
/// sections, because the budget is adopted by the meetings section's decision.
pub async fn adopted(state: &AppState, tx: &mut store::Tx, item: ItemId) -> AppResult<usize> {
    let Some(a) = store::budget::adoption::just_adopted(tx, item).await? else {
        return Ok(0);
    };
    let deciding = store::agenda::get(&mut **tx, item).await?.deciding_bodies;
    let meeting = format!(
        "{} ({})",
        a.meeting_title,
        nl::datetime(a.meeting_starts_at)
    );
    let intro = format!(
        "De begroting {} is vastgesteld: RvB en MSB hebben scenario \"{}\" aangenomen. De vastgestelde begroting ligt vast; wijzigen kan alleen met een begrotingswijziging.",
        a.year, a.scenario_name
    );
    let link = link(state, a.scenario_id);
    let m = Message {
        name: String::new(),
        intro: &intro,
        year: a.year,
        scenario: &a.scenario_name,
        meeting: &meeting,
        hash: &a.content_hash,
        link: &link,
    };
    let subject = format!("Begroting {} vastgesteld: {}", a.year, a.scenario_name);
    post(state, tx, &deciding, subject, m).await
}
