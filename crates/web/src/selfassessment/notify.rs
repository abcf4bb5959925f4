//! The mail that a 7S round opened, to everyone invited to answer it (issue #16). It says what
//! the round asks and until when, and that answers are anonymous; it says nothing about anyone's
//! answers or participation.

use crate::shared::error::AppResult;
use crate::shared::mail::{self, Content, Recipient, Sender};
use crate::shared::state::AppState;
use askama::Template;
use domain::notify::MailKind;
use domain::people::first_name;
use domain::selfassessment::RoundId;
use store::outbox::NewMail;

#[derive(Template)]
#[template(path = "mail/round_opened.txt")]
struct OpenedText<'a> {
    name: &'a str,
    title: &'a str,
    opens_on: &'a str,
    closes_on: &'a str,
    statements: usize,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/round_opened.html")]
struct OpenedHtml<'a> {
    name: &'a str,
    title: &'a str,
    opens_on: &'a str,
    closes_on: &'a str,
    statements: usize,
    link: &'a str,
}

/// The mails for the invitees of `round` (read before it opens: the invited bodies do not change
/// by opening), to be written in the opening's transaction.
pub(super) async fn round_opened(
    state: &AppState,
    round: RoundId,
    statements: usize,
) -> AppResult<Vec<NewMail>> {
    let detail = store::selfassessment::round(&state.store, round).await?;
    let mut conn = state
        .store
        .pool()
        .acquire()
        .await
        .map_err(store::StoreError::from)?;
    let invitees = store::selfassessment::invitees(&mut conn, round).await?;
    let link = format!(
        "{}/zelfevaluatie/rondes/{round}/invullen",
        state.config.base_url
    );
    let opens_on = domain::nl::date(detail.round.opens_on);
    let closes_on = domain::nl::date(detail.round.closes_on);
    let mut letters = Vec::new();
    for (person, email, full_name) in invitees {
        let name = first_name(&full_name).to_string();
        let content = Content {
            subject: format!("Zelfevaluatie: {}", detail.round.title),
            text: OpenedText {
                name: &name,
                title: &detail.round.title,
                opens_on: &opens_on,
                closes_on: &closes_on,
                statements,
                link: &link,
            }
            .render()?,
            html: OpenedHtml {
                name: &name,
                title: &detail.round.title,
                opens_on: &opens_on,
                closes_on: &closes_on,
                statements,
                link: &link,
            }
            .render()?,
            attachment: None,
        };
        letters.push((Recipient { person, email }, content));
    }
    let hospital = state.hospital_name();
    let from = Sender::of(state, &hospital);
    mail::prepare(&mut conn, &from, MailKind::Zelfevaluatie, letters).await
}
