//! The demo budget's adoption (D9): last year's budget (2026) adopted by the RvB and the MSB in a
//! past joint meeting, with its hash, so that 2027 bands around an adopted allocation; and the
//! 2027 scenario with the vakgroepen' initiatives proposed on the upcoming joint meeting, so that
//! the boards can adopt it in the live meeting. Everything goes through the store's own paths
//! (proposal, decisions per body, the adoption in the deciding transaction).

use anyhow::Context;
use domain::meetings::kinds::{DecisionOutcome, MeetingKind};
use domain::meetings::meeting_draft::MeetingDraft;
use domain::meetings::status::MeetingStatus;
use store::Store;
use store::audit::Who;
use store::decisions::DecisionInput;
use time::macros::{date, time};
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

const LOADED: &str = "budget_demo_adoption_loaded";
/// The scenario proposed on the upcoming joint meeting.
pub const PROPOSED_2027: &str = "Met initiatieven";

/// Adopts the demo's 2026 budget and proposes a 2027 scenario, unless already done.
pub(super) async fn load(store: &Store, who: &Who) -> anyhow::Result<()> {
    if store::settings::get(store, LOADED).await?.is_some() {
        return Ok(());
    }
    let bodies = store::bodies::list(store.pool()).await?;
    let body = |code: &str| {
        bodies
            .iter()
            .find(|b| b.code == code)
            .map(|b| b.id)
            .with_context(|| format!("demo body {code}"))
    };
    let scenario = |year: i16, name: &'static str| async move {
        store::budget::scenarios(store, Some(year))
            .await?
            .into_iter()
            .find(|s| s.name == name)
            .map(|s| s.id)
            .with_context(|| format!("demo scenario {name} {year}"))
    };
    let last_year = scenario(super::LAST_BUDGET_YEAR - 1, "Begroting").await?;
    let proposed = scenario(super::LAST_BUDGET_YEAR, PROPOSED_2027).await?;
    let upcoming = store::budget::adoption::candidate_meetings(store, OffsetDateTime::now_utc())
        .await?
        .into_iter()
        .next()
        .context("the demo's upcoming joint meeting")?;

    let mut tx = store.begin().await?;
    let start =
        domain::nl::from_amsterdam(PrimitiveDateTime::new(date!(2025 - 12 - 11), time!(16:00)));
    let past = MeetingDraft {
        title: "Gezamenlijk overleg RvB en MSB+: begroting 2026".into(),
        kind: MeetingKind::Gezamenlijk,
        starts_at: start,
        ends_at: start + Duration::hours(2),
        location: "Bestuurskamer, gebouw A".into(),
        video_url: String::new(),
        bodies: vec![body("RvB")?, body("MSB")?, body("VMSD")?, body("VMS")?],
    };
    let meeting = store::meetings::create(&mut tx, who, &past, None).await?;
    // Proposed two weeks before that meeting, when it was still to come.
    let item = store::budget::adoption::propose(
        &mut tx,
        who,
        last_year,
        meeting,
        start - Duration::weeks(2),
    )
    .await?;
    for code in ["RvB", "MSB"] {
        let decision = DecisionInput {
            item_id: item,
            body_id: body(code)?,
            outcome: DecisionOutcome::Aangenomen,
            text: "De capaciteitsbegroting 2026 en de verdeling van het honorariumbudget worden vastgesteld.".into(),
            votes_for: None,
            votes_against: None,
            votes_abstain: None,
            vote_summary: String::new(),
            named: Vec::new(),
        };
        store::decisions::record(&mut tx, who, &decision, 0).await?;
    }
    for (from, to) in [
        (MeetingStatus::Concept, MeetingStatus::Gepubliceerd),
        (MeetingStatus::Gepubliceerd, MeetingStatus::InVergadering),
        (MeetingStatus::InVergadering, MeetingStatus::Gesloten),
    ] {
        store::meetings::set_status(&mut tx, who, meeting, from, to).await?;
    }
    store::budget::adoption::propose(
        &mut tx,
        who,
        proposed,
        upcoming.id,
        OffsetDateTime::now_utc(),
    )
    .await?;
    store::settings::put(&mut tx, LOADED, "1").await?;
    store::commit(tx).await?;
    Ok(())
}
