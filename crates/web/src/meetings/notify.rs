//! The agenda by mail (issue #16) when a meeting's agenda is published, and again when a
//! secretary announces that it changed after publication: one mail per member of the
//! participating bodies, each rendered as the meeting page would show it to that member at that
//! moment — an item restricted to one body is not named in a mail to anyone outside it — with the
//! meeting as an iCal attachment, written in the transaction that publishes or announces.

use crate::shared::error::AppResult;
use crate::shared::mail::{self, Content, Recipient, Sender};
use crate::shared::meeting_event;
use crate::shared::state::AppState;
use askama::Template;
use domain::authz::{Capability, Visibility};
use domain::meetings::agenda::schedule;
use domain::meetings::ical;
use domain::notify::MailKind;
use domain::people::first_name;
use std::collections::HashMap;
use store::agenda::Item;
use store::meetings::Meeting;
use store::outbox::Attachment;

struct Line {
    number: String,
    /// The planned start, "14:05".
    time: String,
    title: String,
    purpose: &'static str,
    presenter: String,
    /// The body it is restricted to ("alleen MSB"), when it is.
    restricted: Option<String>,
}

/// What one member's mail says.
struct Message<'a> {
    name: String,
    /// "De agenda van … is gepubliceerd." or "… is gewijzigd."
    intro: &'a str,
    /// What changed, in the secretary's words (empty at publication).
    note: &'a str,
    when: &'a str,
    place: &'a str,
    lines: Vec<Line>,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/agenda.txt")]
struct AgendaText<'a> {
    m: &'a Message<'a>,
}

#[derive(Template)]
#[template(path = "mail/agenda.html")]
struct AgendaHtml<'a> {
    m: &'a Message<'a>,
}

/// Why the agenda goes out.
pub(super) enum Occasion<'a> {
    Published,
    /// Changed after publication, with the secretary's note of what changed.
    Changed {
        note: &'a str,
    },
}

/// The agenda's lines a reader with `sees` may see, in agenda order and numbered as the page
/// numbers them for that reader (1, 2, 2.1 …), with the planned time of each.
fn lines(
    meeting: &Meeting,
    items: &[Item],
    codes: &HashMap<i64, String>,
    sees: impl Fn(&Item) -> bool,
) -> Vec<Line> {
    let visible: Vec<Item> = items.iter().filter(|i| sees(i)).cloned().collect();
    let local = domain::nl::to_amsterdam(meeting.starts_at);
    let start = time::PrimitiveDateTime::new(local.date(), local.time());
    let by_id: HashMap<_, &Item> = visible.iter().map(|i| (i.id, i)).collect();
    schedule(start, &store::agenda::timings(&visible))
        .rows
        .into_iter()
        .filter_map(|row| {
            let item = by_id.get(&row.id)?;
            Some(Line {
                number: row.number,
                time: format!("{:02}:{:02}", row.starts_at.hour(), row.starts_at.minute()),
                title: item.title.clone(),
                purpose: item.purpose.label(),
                presenter: item.presenter.clone(),
                restricted: item
                    .visibility_body_id
                    .and_then(|b| codes.get(&b))
                    .map(|c| format!("alleen {c}")),
            })
        })
        .collect()
}

/// Writes the agenda mail for every member who may see the meeting; returns how many.
pub(super) async fn agenda(
    state: &AppState,
    tx: &mut store::Tx,
    meeting: &Meeting,
    occasion: Occasion<'_>,
) -> AppResult<usize> {
    let items = store::agenda::items(&mut **tx, meeting.id).await?;
    let codes: HashMap<i64, String> = store::bodies::list(&mut **tx)
        .await?
        .into_iter()
        .map(|b| (b.id, b.code.to_string()))
        .collect();
    let members = store::people::members_of(tx, &meeting.bodies).await?;
    let base = &state.config.base_url;
    let link = format!("{base}/vergaderingen/{}", meeting.id);
    let when = format!(
        "{} tot {}",
        domain::nl::datetime(meeting.starts_at),
        domain::nl::clock(meeting.ends_at)
    );
    let place = [meeting.location.as_str(), meeting.video_url.as_str()]
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" · ");
    let hospital = state.hospital_name();
    let event = meeting_event::event(base, meeting, &codes);
    let ics = ical::calendar(
        &format!("Vergaderingen {hospital}"),
        time::OffsetDateTime::now_utc(),
        std::slice::from_ref(&event),
    );
    let (intro, note, subject) = match occasion {
        Occasion::Published => ("is gepubliceerd", "", "Agenda"),
        Occasion::Changed { note } => ("is gewijzigd", note, "Agenda gewijzigd"),
    };
    let intro = format!("De agenda van \"{}\" {intro}.", meeting.title);
    let subject = format!(
        "{subject}: {}, {}",
        meeting.title,
        domain::nl::date(domain::nl::to_amsterdam(meeting.starts_at).date())
    );
    let mut letters = Vec::new();
    for member in members {
        let actor = &member.actor;
        if !actor.can(Capability::ViewMeetings) || !actor.can_see_meeting(&meeting.bodies) {
            continue;
        }
        let m = Message {
            name: first_name(&member.name).to_string(),
            intro: &intro,
            note,
            when: &when,
            place: &place,
            lines: lines(meeting, &items, &codes, |i| {
                actor.can_see(Visibility::of(i.visibility_body_id))
            }),
            link: &link,
        };
        let content = Content {
            subject: subject.clone(),
            text: AgendaText { m: &m }.render()?,
            html: AgendaHtml { m: &m }.render()?,
            attachment: Some(Attachment {
                name: "vergadering.ics".into(),
                content_type: "text/calendar; charset=utf-8; method=PUBLISH".into(),
                bytes: ics.clone().into_bytes(),
            }),
        };
        letters.push((Recipient::of(&member), content));
    }
    let from = Sender::of(state, &hospital);
    mail::post(tx, &from, MailKind::Agenda, letters).await
}
