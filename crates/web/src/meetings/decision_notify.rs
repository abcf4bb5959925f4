//! Mail after a body's decision on a joint item (issue #16), to the chairs and secretaries:
//! the first decision of one body tells the bodies that have not decided yet that theirs is
//! awaited, and an item that became *verdeeld* tells every deciding body where it comes back.
//! Which news there is, is the domain's `decision_news`; a correction that changes nothing in the
//! picture sends nothing again. Written in the transaction of the decision. The mail names the
//! item and each body's outcome — what the meeting page shows a member of a deciding body — and
//! goes only to officers who may see the item.

use crate::shared::error::AppResult;
use crate::shared::mail::{self, Content, Recipient, Sender};
use crate::shared::state::AppState;
use askama::Template;
use domain::authz::{Capability, Visibility};
use domain::meetings::decisions::{BodyDecision, DecisionNews, decision_news};
use domain::nl;
use domain::notify::MailKind;
use domain::people::first_name;
use std::collections::HashMap;
use store::agenda::Item;
use store::meetings::Meeting;

/// What one mail says; the same for every recipient but their name.
struct Message {
    name: String,
    intro: String,
    /// "RvB: aangenomen", one per deciding body that decided.
    outcomes: Vec<String>,
    outro: String,
    link: String,
}

#[derive(Template)]
#[template(path = "mail/decision.txt")]
struct DecisionText<'a> {
    m: &'a Message,
}

#[derive(Template)]
#[template(path = "mail/decision.html")]
struct DecisionHtml<'a> {
    m: &'a Message,
}

/// The item's decisions as the domain judges them.
pub(super) async fn decisions_on(
    conn: &mut store::PgConnection,
    item: &Item,
) -> AppResult<Vec<BodyDecision>> {
    Ok(store::decisions::for_item(conn, item.id)
        .await?
        .into_iter()
        .map(|d| BodyDecision {
            body_id: d.body_id,
            outcome: d.outcome,
            text: d.text,
        })
        .collect())
}

fn joined(codes: &HashMap<i64, String>, bodies: &[i64]) -> String {
    let names: Vec<&str> = bodies
        .iter()
        .filter_map(|b| codes.get(b).map(String::as_str))
        .collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} en {last}", rest.join(", ")),
        _ => names.concat(),
    }
}

/// After `body` recorded its decision on `item`, given the item's decisions `before` it: the
/// mail of the news, if there is any. `follow_up` is the meeting the divided item was just put
/// on. Returns how many mails were written.
pub(super) async fn decision_recorded(
    state: &AppState,
    tx: &mut store::Tx,
    meeting: &Meeting,
    item: &Item,
    body: i64,
    before: &[BodyDecision],
    follow_up: Option<&Meeting>,
) -> AppResult<usize> {
    let after = decisions_on(tx, item).await?;
    let Some(news) = decision_news(&item.deciding_bodies, before, &after, body) else {
        return Ok(0);
    };
    let codes: HashMap<i64, String> = store::bodies::list(&mut **tx)
        .await?
        .into_iter()
        .map(|b| (b.id, b.code.to_string()))
        .collect();
    let code = |b: i64| codes.get(&b).cloned().unwrap_or_default();
    let outcomes: Vec<String> = item
        .deciding_bodies
        .iter()
        .filter_map(|b| after.iter().find(|d| d.body_id == *b))
        .map(|d| format!("{}: {}", code(d.body_id), d.outcome.label()))
        .collect();
    let when = nl::date(nl::to_amsterdam(meeting.starts_at).date());
    let (to, subject, intro, outro) = match news {
        DecisionNews::Awaited(awaited) => {
            let waiting = joined(&codes, &awaited);
            (
                awaited,
                format!("Besluit verwacht van {waiting}: {}", item.title),
                format!(
                    "In de vergadering \"{}\" van {when} heeft {} besloten over \"{}\". Het besluit van {waiting} wordt nog verwacht.",
                    meeting.title,
                    code(body),
                    item.title
                ),
                String::new(),
            )
        }
        DecisionNews::Divided => {
            let same = after.windows(2).all(|w| w[0].outcome == w[1].outcome);
            let back = match follow_up {
                Some(next) => format!(
                    "Het punt komt terug als vervolgpunt op de agenda van \"{}\" van {}.",
                    next.title,
                    nl::date(nl::to_amsterdam(next.starts_at).date())
                ),
                None => {
                    "Het punt komt terug als vervolgpunt op een volgende gezamenlijke vergadering."
                        .into()
                }
            };
            (
                item.deciding_bodies.clone(),
                format!("Verdeeld besluit: {}", item.title),
                format!(
                    "In de vergadering \"{}\" van {when} hebben de gremia verschillend besloten over \"{}\"{}.",
                    meeting.title,
                    item.title,
                    if same {
                        ": zij namen elk een andere besluittekst aan"
                    } else {
                        ""
                    }
                ),
                back,
            )
        }
    };
    let link = format!(
        "{}/vergaderingen/{}#punt-{}",
        state.config.base_url, meeting.id, item.id
    );
    let mut letters = Vec::new();
    for person in store::people::officers_of(tx, &to).await? {
        let actor = &person.actor;
        if !actor.can(Capability::ViewMeetings)
            || !actor.can_see_meeting(&meeting.bodies)
            || !actor.can_see(Visibility::of(item.visibility_body_id))
        {
            continue;
        }
        let m = Message {
            name: first_name(&person.name).to_string(),
            intro: intro.clone(),
            outcomes: outcomes.clone(),
            outro: outro.clone(),
            link: link.clone(),
        };
        let content = Content {
            subject: subject.clone(),
            text: DecisionText { m: &m }.render()?,
            html: DecisionHtml { m: &m }.render()?,
            attachment: None,
        };
        letters.push((Recipient::of(&person), content));
    }
    let hospital = state.hospital_name();
    let from = Sender::of(state, &hospital);
    mail::post(tx, &from, MailKind::Besluiten, letters).await
}
