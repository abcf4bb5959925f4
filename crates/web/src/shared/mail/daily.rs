//! The daily mail (issue #16), once a day from 07:00 Dutch time whatever the number of instances
//! (`store::outbox::claim_job`): each owner's overview of agreements that need them, the 7S
//! reminder three days before a round closes to those who have not handed in, and then each
//! person's digest of the mail they chose to receive bundled. Nothing is written when there is
//! nothing to say.

use super::{Content, Recipient, Sender, post};
use crate::shared::error::AppResult;
use crate::shared::register::{Line, Selection};
use crate::shared::state::AppState;
use askama::Template;
use domain::agreements::kinds::AgreementStatus;
use domain::authz::Capability;
use domain::notify::MailKind;
use domain::people::first_name;
use std::collections::BTreeMap;
use store::agreements::RegisterFilter;
use time::{Date, Duration};

/// The hour (Dutch time) from which the day's mail goes out.
const HOUR: u8 = 7;
/// Due within this many days counts as "coming up" in the agreements overview.
const SOON_DAYS: i64 = 14;
/// The reminder goes out this many days before a round closes.
const REMINDER_DAYS: i64 = 3;

/// How many mails each job wrote (`None`: the job had already run that day).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DailyRun {
    pub agreements: Option<usize>,
    pub reminders: Option<usize>,
    pub digests: Option<usize>,
}

/// Runs the day's jobs that have not run yet (on any instance). The digest comes last, so the
/// agreements overview of someone who bundles it is in that day's digest.
pub async fn run(state: &AppState, today: Date) -> AppResult<DailyRun> {
    Ok(DailyRun {
        agreements: once(state, "afspraken", today, MailKind::Afspraken, async {
            agreements(state, today).await
        })
        .await?,
        reminders: once(
            state,
            "zelfevaluatie-herinnering",
            today,
            MailKind::Zelfevaluatie,
            async { reminders(state, today).await },
        )
        .await?,
        digests: digests(state, today).await?,
    })
}

/// Writes a job's mails for the day unless it ran already. The claim is made in the
/// transaction that writes the mails: a failure leaves the job to the next attempt, and of two
/// instances at once only one writes (the other's claim waits, then finds the day taken).
async fn once(
    state: &AppState,
    job: &str,
    today: Date,
    kind: MailKind,
    letters: impl Future<Output = AppResult<Vec<(Recipient, Content)>>>,
) -> AppResult<Option<usize>> {
    if store::outbox::job_ran(&state.store, job, today).await? {
        return Ok(None);
    }
    let letters = letters.await?;
    let hospital = state.hospital_name();
    let from = Sender::of(state, &hospital);
    let mut tx = state.store.begin().await?;
    if !store::outbox::claim_job(&mut tx, job, today).await? {
        return Ok(None);
    }
    let n = post(&mut tx, &from, kind, letters).await?;
    store::commit(tx).await?;
    Ok(Some(n))
}

#[derive(Template)]
#[template(path = "mail/agreements_daily.txt")]
struct AgreementsText<'a> {
    name: &'a str,
    person: i64,
    lines: &'a [(String, String, String)],
    base: &'a str,
}

#[derive(Template)]
#[template(path = "mail/agreements_daily.html")]
struct AgreementsHtml<'a> {
    name: &'a str,
    person: i64,
    lines: &'a [(String, String, String)],
    base: &'a str,
}

/// Why a line is in the overview: its attention reasons, or that it is due soon.
fn why(line: &Line, today: Date) -> Option<String> {
    if !line.attention.is_empty() {
        return Some(line.attention_text());
    }
    let due = line.row.due_date?;
    (due >= today && due <= today + Duration::days(SOON_DAYS))
        .then(|| format!("einddatum {}", domain::nl::date(due)))
}

async fn agreements(state: &AppState, today: Date) -> AppResult<Vec<(Recipient, Content)>> {
    let owners = store::agreements::owners_of_open(&state.store).await?;
    let mut letters = Vec::new();
    for owner in owners {
        let person = match store::people::signed_in(&state.store, owner).await {
            Ok(p) => p,
            Err(store::StoreError::NotFound) => continue,
            Err(e) => return Err(e.into()),
        };
        // What the dashboard's "Mijn afspraken" shows this person, no more.
        if !person.actor.can(Capability::ViewRegister) {
            continue;
        }
        let filter = RegisterFilter {
            visible_bodies: person.actor.bodies.iter().copied().collect(),
            owner_id: Some(owner),
            statuses: AgreementStatus::ALL
                .iter()
                .copied()
                .filter(|s| s.is_open())
                .collect(),
            ..RegisterFilter::default()
        };
        let (all, _) =
            crate::shared::register::lines(state, &filter, today, Selection::default()).await?;
        let lines: Vec<(String, String, String)> = all
            .iter()
            .filter_map(|l| why(l, today).map(|w| (l.row.id.to_string(), l.row.title.clone(), w)))
            .collect();
        if lines.is_empty() {
            continue;
        }
        let name = first_name(&person.name).to_string();
        let base = &state.config.base_url;
        let content = Content {
            subject: format!(
                "Uw afspraken: {} {} aandacht",
                lines.len(),
                if lines.len() == 1 { "vraagt" } else { "vragen" }
            ),
            text: AgreementsText {
                name: &name,
                person: owner.get(),
                lines: &lines,
                base,
            }
            .render()?,
            html: AgreementsHtml {
                name: &name,
                person: owner.get(),
                lines: &lines,
                base,
            }
            .render()?,
            attachment: None,
        };
        letters.push((
            Recipient {
                person: owner,
                email: person.email,
            },
            content,
        ));
    }
    Ok(letters)
}

#[derive(Template)]
#[template(path = "mail/round_reminder.txt")]
struct ReminderText<'a> {
    name: &'a str,
    title: &'a str,
    closes_on: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/round_reminder.html")]
struct ReminderHtml<'a> {
    name: &'a str,
    title: &'a str,
    closes_on: &'a str,
    link: &'a str,
}

async fn reminders(state: &AppState, today: Date) -> AppResult<Vec<(Recipient, Content)>> {
    let closes_on = today + Duration::days(REMINDER_DAYS);
    let rounds = store::selfassessment::open_rounds_closing_on(&state.store, closes_on).await?;
    let closes = domain::nl::date(closes_on);
    let mut letters = Vec::new();
    let mut conn = state
        .store
        .pool()
        .acquire()
        .await
        .map_err(store::StoreError::from)?;
    for (round, title) in rounds {
        let link = format!(
            "{}/zelfevaluatie/rondes/{round}/invullen",
            state.config.base_url
        );
        for (person, email, full_name) in
            store::selfassessment::invitees_yet_to_answer(&mut conn, round).await?
        {
            let name = first_name(&full_name);
            let content = Content {
                subject: format!("Herinnering zelfevaluatie: {title}"),
                text: ReminderText {
                    name,
                    title: &title,
                    closes_on: &closes,
                    link: &link,
                }
                .render()?,
                html: ReminderHtml {
                    name,
                    title: &title,
                    closes_on: &closes,
                    link: &link,
                }
                .render()?,
                attachment: None,
            };
            letters.push((Recipient { person, email }, content));
        }
    }
    Ok(letters)
}

#[derive(Template)]
#[template(path = "mail/digest.txt")]
struct DigestText<'a> {
    held: &'a [store::outbox::Held],
}

#[derive(Template)]
#[template(path = "mail/digest.html")]
struct DigestHtml<'a> {
    held: &'a [store::outbox::Held],
}

/// One mail per person with everything held for their digest, taken and written in one
/// transaction: a crash leaves the held mail waiting for the next run, never lost or doubled.
async fn digests(state: &AppState, today: Date) -> AppResult<Option<usize>> {
    let mut tx = state.store.begin().await?;
    if !store::outbox::claim_job(&mut tx, "dagoverzicht", today).await? {
        return Ok(None);
    }
    let mut by_person: BTreeMap<_, Vec<store::outbox::Held>> = BTreeMap::new();
    for held in store::outbox::take_held(&mut tx).await? {
        by_person.entry(held.person_id).or_default().push(held);
    }
    let mut letters = Vec::new();
    for (person, held) in by_person {
        let email = held[0].recipient.clone();
        let content = Content {
            subject: format!(
                "Dagoverzicht Gelijkgericht: {} {}",
                held.len(),
                if held.len() == 1 {
                    "bericht"
                } else {
                    "berichten"
                }
            ),
            text: DigestText { held: &held }.render()?,
            html: DigestHtml { held: &held }.render()?,
            attachment: None,
        };
        letters.push((Recipient { person, email }, content));
    }
    let hospital = state.hospital_name();
    let from = Sender::of(state, &hospital);
    let n = post(&mut tx, &from, MailKind::Dagoverzicht, letters).await?;
    store::commit(tx).await?;
    Ok(Some(n))
}

/// Runs the day's jobs from 07:00 Dutch time, checking every minute; on every instance (the
/// claim keeps it to one).
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let now = domain::nl::to_amsterdam(time::OffsetDateTime::now_utc());
            if now.hour() >= HOUR
                && let Err(e) = run(&state, now.date()).await
            {
                tracing::warn!(error = ?e, "daily mail: will try again");
            }
            if state.store.pool().is_closed() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        }
    })
}
