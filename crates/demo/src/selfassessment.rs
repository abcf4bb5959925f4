//! The demo hospital's 7S self-assessment: three closed yearly rounds and this year's open one, so
//! that the results, the threshold and the trend all have something to show.
//!
//! The boards agree on shared values and skills, and differ on structure and systems: the RvB
//! thinks the joint meetings, the distribution model and the management information work; the
//! medical specialists much less so. The gap narrows year by year. In the oldest round only two
//! VMS members answered, so VMS shows "te weinig respondenten" and, by the side rule, MSB+ is not
//! shown that year either. In the open round some members have handed in and one has a draft;
//! the chairs (Marieke van den Berg, Hans Koster) have not, so a demo visitor can answer.
//!
//! Every answer goes through the store's submit, like a real one: participation and anonymous
//! answers apart, shuffled, and the rounds closed by the store's close.

use anyhow::Context;
use domain::agreements::kinds::SevenS;
use domain::ids::{BodyId, PersonId};
use domain::nl;
use domain::selfassessment::{
    AnswersDraft, AnswersForm, CatalogueStatementId, RoundDraft, RoundId, StatementId, Submission,
};
use std::collections::HashMap;
use store::Store;
use store::audit::Who;
use store::selfassessment as sa;
use time::{Date, Duration, OffsetDateTime};

const LOADED: &str = "demo_selfassessment_loaded";

/// Who answers a round, and for which body.
type Respondents = &'static [(&'static str, &'static str)];

struct DemoRound {
    /// Years before this year; 0 is the open round.
    years_ago: i64,
    bodies: &'static [&'static str],
    respondents: Respondents,
}

const ROUNDS: &[DemoRound] = &[
    DemoRound {
        years_ago: 3,
        bodies: &["RvB", "MSB", "VMSD", "VMS"],
        respondents: &[
            ("m.vandenberg", "RvB"),
            ("j.verhoeven", "RvB"),
            ("f.elamrani", "RvB"),
            ("h.koster", "MSB"),
            ("i.meijer", "MSB"),
            ("k.bouzid", "MSB"),
            ("e.degroot", "MSB"),
            ("s.dijkstra", "VMSD"),
            ("r.peters", "VMSD"),
            ("a.brouwer", "VMSD"),
            // Two VMS members only: below the threshold.
            ("w.schouten", "VMS"),
            ("n.hermans", "VMS"),
        ],
    },
    DemoRound {
        years_ago: 2,
        bodies: &["RvB", "MSB", "VMSD"],
        respondents: &[
            ("m.vandenberg", "RvB"),
            ("j.verhoeven", "RvB"),
            ("f.elamrani", "RvB"),
            ("h.koster", "MSB"),
            ("i.meijer", "MSB"),
            ("k.bouzid", "MSB"),
            ("e.degroot", "MSB"),
            ("t.jacobs", "MSB"),
            ("s.dijkstra", "VMSD"),
            ("r.peters", "VMSD"),
            ("a.brouwer", "VMSD"),
        ],
    },
    DemoRound {
        years_ago: 1,
        bodies: &["RvB", "MSB", "VMSD", "VMS"],
        respondents: &[
            ("m.vandenberg", "RvB"),
            ("j.verhoeven", "RvB"),
            ("f.elamrani", "RvB"),
            ("i.meijer", "MSB"),
            ("k.bouzid", "MSB"),
            ("e.degroot", "MSB"),
            ("t.jacobs", "MSB"),
            ("s.dijkstra", "VMSD"),
            ("r.peters", "VMSD"),
            ("a.brouwer", "VMSD"),
            ("h.koster", "VMS"),
            ("w.schouten", "VMS"),
            ("n.hermans", "VMS"),
        ],
    },
    DemoRound {
        years_ago: 0,
        bodies: &["RvB", "MSB", "VMSD", "VMS"],
        respondents: &[
            ("j.verhoeven", "RvB"),
            ("i.meijer", "MSB"),
            ("k.bouzid", "MSB"),
            ("r.peters", "VMSD"),
            ("w.schouten", "VMS"),
        ],
    },
];

/// In the open round this member has saved half of the answers and not yet sent them.
const DRAFTING: &str = "f.elamrani";

/// Mean answers in tenths per S for (RvB, MSB+) in the latest closed round, in model order. MSB+
/// was 0.3 lower on strategy, structure and systems for every year further back.
const MEANS: [(SevenS, u32, u32); 7] = [
    (SevenS::GedeeldeWaarden, 40, 38),
    (SevenS::Strategie, 40, 34),
    (SevenS::Structuur, 42, 28),
    (SevenS::Systemen, 39, 26),
    (SevenS::Personeel, 36, 34),
    (SevenS::Vaardigheden, 37, 36),
    (SevenS::Stijl, 38, 33),
];

const COMMENTS_MSB: &[&str] = &[
    "Afspraken over de verdeling van capaciteit komen nog te vaak van één kant.",
    "De managementinformatie komt laat en sluit niet aan op wat de vakgroepen zelf meten.",
    "In de gezamenlijke vergadering worden besluiten vooral toegelicht, niet samen voorbereid.",
    "Wie waarover beslist, is bij grote investeringen nog niet duidelijk.",
];

const COMMENTS_RVB: &[&str] = &[
    "De vergaderstructuur is op orde; de voorbereiding kan eerder beginnen.",
    "Het dashboard bestaat, maar wordt nog weinig samen besproken.",
];

/// Loads the self-assessment of the demo hospital unless it is already there. Needs the demo's
/// people (`crate::load`).
pub async fn load(store: &Store) -> anyhow::Result<()> {
    if store::settings::get(store, LOADED).await?.is_some() {
        return Ok(());
    }
    let today: Date = nl::to_amsterdam(OffsetDateTime::now_utc()).date();
    let statements: Vec<(CatalogueStatementId, SevenS)> = sa::catalogue(store)
        .await?
        .into_iter()
        .filter(|s| s.active)
        .map(|s| (s.id, s.s))
        .collect();
    let people: HashMap<String, (PersonId, String)> = store::people::list(store)
        .await?
        .into_iter()
        .map(|p| (p.email, (p.id, p.name)))
        .collect();
    let bodies: HashMap<String, BodyId> = store::bodies::list(store.pool())
        .await?
        .into_iter()
        .map(|b| (b.code.as_str().to_string(), BodyId::new(b.id)))
        .collect();
    let person = |key: &str| {
        people
            .get(&format!("{key}@rijnoever.example"))
            .cloned()
            .with_context(|| format!("demo person {key}"))
    };
    let body = |code: &str| {
        bodies
            .get(code)
            .copied()
            .with_context(|| format!("demo body {code}"))
    };

    let who = Who::system("demo");
    let ids: Vec<CatalogueStatementId> = statements.iter().map(|(id, _)| *id).collect();
    let mut tx = store.begin().await?;
    store::settings::put(&mut tx, LOADED, "1").await?;
    for demo in ROUNDS {
        let opens_on = today - Duration::days(365 * demo.years_ago + 7);
        let closes_on = opens_on + Duration::days(28);
        let draft = RoundDraft {
            title: format!("Zelfevaluatie {}", today.year() - demo.years_ago as i32),
            body_ids: demo
                .bodies
                .iter()
                .map(|c| body(c))
                .collect::<Result<_, _>>()?,
            opens_on,
            closes_on,
        };
        let round = sa::create_round(&mut tx, &who, &draft, &ids).await?;
        sa::open_round(&mut tx, &who, round, 1, opens_on).await?;
        let detail = sa::round_on(&mut tx, round).await?;
        let round_statements: Vec<(StatementId, SevenS)> =
            detail.statements.iter().map(|s| (s.id, s.s)).collect();
        let mut rng = Lcg(2026 + demo.years_ago as u64);
        for (i, (key, code)) in demo.respondents.iter().enumerate() {
            let (person, name) = person(key)?;
            let form = answers(&round_statements, code, demo.years_ago, &mut rng);
            let submission = Submission::parse(&form, &detail.statement_ids())
                .map_err(|e| anyhow::anyhow!("demo answers: {e:?}"))?;
            let respondent = Who {
                id: Some(person.get()),
                label: name,
            };
            // One respondent a day, within the round's dates.
            let day = (opens_on + Duration::days(i as i64 + 1)).min(today);
            sa::submit(
                &mut tx,
                &respondent,
                round,
                person,
                body(code)?,
                submission,
                day,
            )
            .await?;
        }
        if demo.years_ago > 0 {
            let version = sa::round_on(&mut tx, round).await?.round.version;
            sa::close_round(&mut tx, &who, round, version, closes_on).await?;
        } else {
            save_draft(
                &mut tx,
                round,
                &detail.statement_ids(),
                person(DRAFTING)?.0,
                today,
            )
            .await?;
        }
    }
    store::commit(tx).await?;
    if let Err(e) = sa::vacuum(store).await {
        tracing::warn!(error = %e, "vacuuming the demo's answers");
    }
    tracing::info!(rounds = ROUNDS.len(), "demo self-assessment loaded");
    Ok(())
}

/// Half of the statements answered "eens" and saved, not sent.
async fn save_draft(
    tx: &mut store::Tx,
    round: RoundId,
    statements: &[StatementId],
    person: PersonId,
    today: Date,
) -> anyhow::Result<()> {
    let mut form = AnswersForm::default();
    for id in statements.iter().take(statements.len() / 2) {
        form.answers.insert(*id, "4".into());
    }
    let draft =
        AnswersDraft::parse(&form, statements).map_err(|e| anyhow::anyhow!("demo draft: {e:?}"))?;
    sa::save_draft(tx, round, person, &draft, today).await?;
    Ok(())
}

/// One respondent's answers: around the mean of their side for each S, now and then a point
/// higher or lower, a "weet ik niet" in twenty, and a comment on some structure and systems
/// statements.
fn answers(
    statements: &[(StatementId, SevenS)],
    body: &str,
    years_ago: i64,
    rng: &mut Lcg,
) -> AnswersForm {
    let rvb = body == "RvB";
    let mut form = AnswersForm::default();
    for (id, s) in statements {
        let (_, r, m) = MEANS
            .iter()
            .find(|(e, _, _)| e == s)
            .copied()
            .unwrap_or((*s, 35, 35));
        let hard = matches!(s, SevenS::Strategie | SevenS::Structuur | SevenS::Systemen);
        let back = if hard && !rvb {
            3 * years_ago.max(1) as u32 - 3
        } else {
            0
        };
        let mean = if rvb { r } else { m.saturating_sub(back) };
        let code = if rng.below(20) == 0 {
            "weet_niet".to_string()
        } else {
            let mut score = mean / 10 + u32::from(rng.below(10) < u64::from(mean % 10));
            match rng.below(10) {
                0 => score = score.saturating_sub(1),
                1 => score += 1,
                _ => {}
            }
            score.clamp(1, 5).to_string()
        };
        form.answers.insert(*id, code);
        if matches!(s, SevenS::Structuur | SevenS::Systemen) && rng.below(12) == 0 {
            let pool = if rvb { COMMENTS_RVB } else { COMMENTS_MSB };
            let text = pool[rng.below(pool.len() as u64) as usize];
            form.comments.insert(*id, text.to_string());
        }
    }
    form
}

/// A small deterministic generator: the same demo every time it is loaded.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}
