//! Mail about a trend input's review (issue #16): a submitted input to everyone who may review
//! it, a returned or accepted one to the representatives of its vakgroep. Written in the
//! transaction of the status change, so a refused or conflicting change mails nobody. The input
//! is a vakgroep's compartment (product.md §0): every recipient is asked the same rules as the
//! trend-input page ([`Actor::can_see_vakgroep`], and for review the domain's flow), so a
//! representative of another vakgroep never hears of it. The person who took the step is not
//! left out on principle, but never qualifies: a representative cannot review their own
//! vakgroep's input, and a reviewer who represents no vakgroep is told nothing as representative.

use super::scope_text;
use crate::shared::error::AppResult;
use crate::shared::mail::{self, Content, Recipient, Sender};
use crate::shared::state::AppState;
use askama::Template;
use domain::authz::{Actor, Capability};
use domain::budget::trend::{self, TrendActor, TrendStatus};
use domain::ids::{PersonId, TrendInputId};
use domain::notify::MailKind;
use domain::people::Role;
use store::budget::{Seen, TrendInput};
use store::people::SignedIn;

#[derive(Template)]
#[template(path = "mail/trend_input.txt")]
struct TrendText<'a> {
    m: &'a Message<'a>,
}

#[derive(Template)]
#[template(path = "mail/trend_input.html")]
struct TrendHtml<'a> {
    m: &'a Message<'a>,
}

/// What one mail says; the same for every recipient but their name, as they all see the input.
struct Message<'a> {
    name: String,
    /// The first sentence: who did what.
    intro: String,
    t: &'a TrendInput,
    scope: String,
    change: String,
    /// Why it was returned (empty otherwise).
    reason: &'a str,
    /// What the recipient is asked to do with the link.
    action: &'static str,
    link: String,
}

/// The roles that hold `capability`, asked of the rules rather than copied from them.
fn roles_with(capability: Capability) -> Vec<Role> {
    Role::ALL
        .iter()
        .copied()
        .filter(|&role| {
            Actor {
                person_id: PersonId::new(0),
                roles: [role].into(),
                bodies: Default::default(),
                vakgroepen: Default::default(),
            }
            .can(capability)
        })
        .collect()
}

fn trend_actor(actor: &Actor, t: &TrendInput) -> TrendActor {
    TrendActor {
        is_representative: actor.vakgroepen.contains(&t.vakgroep_id.get()),
        is_reviewer: actor.can(Capability::ReviewTrendInputs),
    }
}

/// Whether the trend-input page shows `t` to `actor` (its route and its compartment).
fn sees(actor: &Actor, t: &TrendInput) -> bool {
    actor.can(Capability::ViewBudget) && actor.can_see_vakgroep(t.vakgroep_id.get())
}

/// Writes the mails for trend input `id` having just been moved to `to` by `by` (a name), in
/// the transaction of that change; returns how many. Other steps (back to concept, processed)
/// mail nobody.
pub(super) async fn status_changed(
    state: &AppState,
    tx: &mut store::Tx,
    id: TrendInputId,
    to: TrendStatus,
    by: &str,
) -> AppResult<usize> {
    // Read as the system: each recipient is filtered below by their own rules.
    let t = store::budget::trend_input(&mut **tx, id, Seen::All).await?;
    let (candidates, intro, action): (Vec<SignedIn>, String, &'static str) = match to {
        TrendStatus::Ingediend => {
            let reviewers =
                store::people::with_roles(tx, &roles_with(Capability::ReviewTrendInputs)).await?;
            // Exactly those who may accept or return it now: a reviewer who represents this
            // vakgroep may not judge its input (the domain's flow), so is not asked to.
            let may_review = |s: &SignedIn| {
                trend::available(TrendStatus::Ingediend, trend_actor(&s.actor, &t))
                    .contains(&TrendStatus::Geaccepteerd)
            };
            (
                reviewers.into_iter().filter(may_review).collect(),
                format!(
                    "{by} heeft namens vakgroep {} ({}) een trendinput voor {} ingediend. Die wacht op uw beoordeling.",
                    t.vakgroep_code, t.vakgroep_name, t.year
                ),
                "Beoordelen",
            )
        }
        TrendStatus::Teruggestuurd | TrendStatus::Geaccepteerd => {
            let verb = if to == TrendStatus::Geaccepteerd {
                "geaccepteerd"
            } else {
                "teruggestuurd"
            };
            (
                store::people::representatives_of(tx, t.vakgroep_id.get()).await?,
                format!(
                    "{by} heeft de trendinput van vakgroep {} ({}) voor {} {verb}.",
                    t.vakgroep_code, t.vakgroep_name, t.year
                ),
                if to == TrendStatus::Geaccepteerd {
                    "Bekijken"
                } else {
                    "Aanpassen en opnieuw indienen"
                },
            )
        }
        _ => return Ok(0),
    };
    let subject = format!(
        "Trendinput {} {} {}",
        t.vakgroep_code,
        t.year,
        to.label().to_lowercase()
    );
    let link = format!("{}/begroting/trendinput/{id}", state.config.base_url);
    let reason = if to == TrendStatus::Teruggestuurd {
        t.return_reason.as_str()
    } else {
        ""
    };
    let mut letters = Vec::new();
    for person in candidates.into_iter().filter(|s| sees(&s.actor, &t)) {
        let m = Message {
            name: domain::people::first_name(&person.name).to_string(),
            intro: intro.clone(),
            t: &t,
            scope: scope_text(&t),
            change: t.change().text(),
            reason,
            action,
            link: link.clone(),
        };
        let content = Content {
            subject: subject.clone(),
            text: TrendText { m: &m }.render()?,
            html: TrendHtml { m: &m }.render()?,
            attachment: None,
        };
        letters.push((Recipient::of(&person), content));
    }
    let hospital = state.hospital_name();
    let from = Sender::of(state, &hospital);
    mail::post(tx, &from, MailKind::Trendinput, letters).await
}
