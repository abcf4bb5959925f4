//! Adoption of a budget by both boards (product.md D9, docs/adoption.md).
//!
//! A scenario is proposed on a joint meeting; when every deciding body adopted it unanimously
//! ([`verdict`]), the store keeps a [`Snapshot`]: every input the engine and the distribution
//! read, and every result they gave, with the SHA-256 of its canonical serialisation
//! ([`canonical`]). [`verify`] checks a stored snapshot against its hash and recomputes its
//! results from its inputs, so an adopted budget can be checked by anyone, years later.

pub mod canonical;

use super::distribution::{Band, Distribution, EarmarkPlacement, Frame, NoFrame};
use super::{BudgetInput, BudgetResult, Scenario, ScenarioError, compute, distribute};
use crate::meetings::decisions::{BodyDecision, JointOutcome, joint_outcome};
use crate::meetings::kinds::DecisionOutcome;
use crate::people::{BodyKind, EmploymentForm};
use canonical::{CanonicalError, content_hash, to_canonical};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;

/// The version of the snapshot's layout; a new layout gets a new name, old ones stay readable.
/// Layout 2 keeps of each care product in the master data only what `inputs.engine` lacks.
pub const FORMAT: &str = "gelijkgericht/adoption/2";
/// The first layout: the master data with every care product's figures.
pub const FORMAT_1: &str = "gelijkgericht/adoption/1";

code_enum! {
    /// Where a proposal for adoption stands.
    ProposalStatus {
        Voorgesteld => "voorgesteld", "Voorgesteld ter vaststelling";
        Vastgesteld => "vastgesteld", "Vastgesteld";
        Verworpen => "verworpen", "Verworpen";
        Verdeeld => "verdeeld", "Verdeeld: de gremia besloten verschillend";
        NietVastgesteld => "niet_vastgesteld", "Niet vastgesteld (aangehouden of gewijzigd aangenomen)";
    }
}

/// What the decisions recorded so far mean for a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Not every deciding body has decided.
    Open,
    /// Every deciding body adopted it, with the same text: the budget is adopted.
    Adopt,
    /// The bodies decided otherwise; the scenario stays as it was.
    Close(ProposalStatus),
}

/// The verdict on a proposal: adopted only when the joint outcome is unanimous and *aangenomen*
/// — a changed adoption adopts another text than the scenario, so it does not lock it.
pub fn verdict(deciding: &[i64], decisions: &[BodyDecision]) -> Verdict {
    match joint_outcome(deciding, decisions) {
        JointOutcome::Open => Verdict::Open,
        JointOutcome::Verdeeld => Verdict::Close(ProposalStatus::Verdeeld),
        JointOutcome::Eensgezind => {
            let outcome = decisions
                .iter()
                .find(|d| deciding.contains(&d.body_id))
                .map(|d| d.outcome);
            match outcome {
                Some(DecisionOutcome::Aangenomen) => Verdict::Adopt,
                Some(DecisionOutcome::Verworpen) => Verdict::Close(ProposalStatus::Verworpen),
                _ => Verdict::Close(ProposalStatus::NietVastgesteld),
            }
        }
    }
}

/// A body as the choice of deciding bodies reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyRef {
    pub id: i64,
    pub kind: BodyKind,
    pub seats: Option<EmploymentForm>,
    pub sort_order: i32,
}

/// The bodies that decide on a budget (D9): every executive board (kind *bestuur*), and of the
/// MSB+ the board of the self-employed specialists, whose fees the budget distributes — the
/// MSB+ body whose seats are for self-employed specialists, else the first MSB+ body in the
/// bodies' order. `None` when either side is missing.
pub fn deciding_bodies(bodies: &[BodyRef]) -> Option<Vec<i64>> {
    let mut boards: Vec<i64> = bodies
        .iter()
        .filter(|b| b.kind == BodyKind::Bestuur)
        .map(|b| b.id)
        .collect();
    let mut msb: Vec<&BodyRef> = bodies
        .iter()
        .filter(|b| b.kind == BodyKind::MsbPlus)
        .collect();
    msb.sort_by_key(|b| {
        (
            b.seats != Some(EmploymentForm::Vrijgevestigd),
            b.sort_order,
            b.id,
        )
    });
    let msb = msb.first()?.id;
    if boards.is_empty() {
        return None;
    }
    boards.push(msb);
    boards.sort_unstable();
    Some(boards)
}

/// The agenda item's title and description for a proposal.
pub fn item_title(scenario_name: &str, year: i16) -> String {
    format!("Vaststelling begroting {year}: {scenario_name}")
}

pub const ITEM_DESCRIPTION: &str = "Voorstel tot vaststelling van de begroting (scenario gekoppeld). Zodra RvB en MSB het voorstel beide aannemen, is de begroting vastgesteld: de invoer en de uitkomsten worden onveranderlijk vastgelegd met een controlegetal (SHA-256).";

/// The name of the `n`th *begrotingswijziging* of a scenario.
pub fn amendment_name(base: &str, n: i64) -> String {
    format!("{base} – begrotingswijziging {n}")
}

/// Why a proposal is refused, in Dutch.
pub const ALREADY_ADOPTED: &str =
    "Dit scenario is al vastgesteld; een wijziging gaat via een begrotingswijziging.";
pub const ALREADY_PROPOSED: &str =
    "Dit scenario is al voorgesteld ter vaststelling; wacht de besluiten op dat agendapunt af.";
pub const NO_BODIES: &str = "Er is geen Raad van Bestuur of geen MSB+-gremium om over de begroting te besluiten (Beheer › Gremia).";
pub const NO_MEETING: &str = "Kies een komende gezamenlijke vergadering waaraan RvB en MSB deelnemen en waarvan de agenda nog kan wijzigen.";
/// Why a locked scenario refuses a change.
pub const LOCKED: &str = "Deze begroting is vastgesteld door RvB en MSB en kan niet meer worden gewijzigd. Een wijziging gaat via een begrotingswijziging: maak die aan op de pagina van het scenario.";

/// Why a care product does not count in the norm hours (a gap in the data the engine cannot
/// see), as the pages list it.
pub fn missing_norm_time(vakgroep: &str, product: &str, year: i16) -> String {
    format!(
        "{vakgroep}: zorgproduct {product} heeft volume maar geen normtijd voor {year}; het telt niet mee in de normuren."
    )
}

/// Why the *begroting vorig jaar* gives no allocation to band around.
pub fn last_year_problem(name: &str, why: &str) -> String {
    format!("De begroting vorig jaar ({name}) heeft geen verdeling, dus geldt geen band: {why}")
}

/// The proposal form: the meeting chosen, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ProposalForm {
    #[serde(default)]
    pub meeting: String,
}

pub struct ProposalDraft;

impl ProposalDraft {
    /// The chosen meeting, which must be one of `candidates` (the meetings offered).
    pub fn parse(
        form: &ProposalForm,
        candidates: &[crate::ids::MeetingId],
    ) -> Result<crate::ids::MeetingId, Vec<crate::people::FieldError>> {
        form.meeting
            .trim()
            .parse::<crate::ids::MeetingId>()
            .ok()
            .filter(|m| candidates.contains(m))
            .ok_or_else(|| vec![crate::people::FieldError::new("meeting", NO_MEETING)])
    }
}

/// The year's settings as the distribution reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearFrame {
    pub fee_budget: Option<Decimal>,
    pub fixed_share: Decimal,
    pub band_min: Option<Decimal>,
    pub band_max: Option<Decimal>,
}

/// A scenario's distribution from its engine result and settings, or in Dutch why there is none:
/// the one reading of the settings, for the pages and the snapshot alike.
pub fn distribution_outcome(
    year: i16,
    settings: Option<&YearFrame>,
    placement: EarmarkPlacement,
    result: &BudgetResult,
    last_year: &HashMap<i64, Decimal>,
    overrides: &HashMap<i64, Band>,
) -> Result<Distribution, String> {
    let Some(y) = settings else {
        return Err(NoFrame::NoSettings(year).to_string());
    };
    let frame = Frame::from_settings(
        year,
        y.fee_budget,
        y.fixed_share,
        (y.band_min, y.band_max),
        placement,
    )
    .map_err(|e| e.to_string())?;
    super::distribution::inputs_from(result, last_year, overrides)
        .and_then(|inputs| distribute(&frame, &inputs))
        .map_err(|e| e.to_string())
}

/// Last year's allocation of one vakgroep, as the snapshot lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amount {
    pub vakgroep_id: i64,
    pub amount: Decimal,
}

/// A vakgroep's own band, as the snapshot lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnBand {
    pub vakgroep_id: i64,
    pub band: Band,
}

/// Everything the engine and the distribution compute from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inputs {
    pub year: i16,
    /// Per vakgroep: normuren, formative fte, care products with norm times and baseline volumes,
    /// KPIs, accepted trend inputs (and last year's norm-fte where variant 3 needs it).
    pub engine: BudgetInput,
    /// Variants, weights and earmark.
    pub params: Scenario,
    pub year_frame: Option<YearFrame>,
    pub placement: EarmarkPlacement,
    /// Where last year's allocation came from, in words.
    pub last_year_source: String,
    pub last_year: Vec<Amount>,
    pub own_bands: Vec<OwnBand>,
}

/// What was computed from [`Inputs`]: serialised, so that the snapshot keeps exactly what the
/// boards saw and a recomputation is compared with it as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Results {
    pub engine: Value,
    /// `{"verdeling": …}` or `{"geen_verdeling": "why, in Dutch"}`.
    pub distribution: Value,
}

/// The immutable record of an adopted budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub format: String,
    /// The scenario, its year and the adopted budget it changes, the meeting and the decisions
    /// (as the store read them; for the record, not recomputed).
    pub context: Value,
    /// The master data as read (names, descriptions, settings, KPIs, trend inputs with their
    /// ids, the periods of the baseline), for the record.
    pub master: Value,
    pub inputs: Inputs,
    pub results: Results,
}

/// Why a snapshot cannot be made or does not check out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdoptionError {
    #[error("the engine refused the scenario: {0}")]
    Engine(#[from] ScenarioError),
    #[error(transparent)]
    Canonical(#[from] CanonicalError),
    #[error("the snapshot is not readable: {0}")]
    Unreadable(String),
    #[error("the hash does not match: stored {stored}, computed {computed}")]
    Hash { stored: String, computed: String },
    #[error("the stored snapshot is not in canonical form")]
    NotCanonical,
    #[error("recomputing {0} gives another result than the snapshot holds")]
    Result(&'static str),
}

/// The engine's and the distribution's results from the inputs.
pub fn compute_results(
    inputs: &Inputs,
) -> Result<(BudgetResult, Result<Distribution, String>), AdoptionError> {
    let result = compute(&inputs.engine, &inputs.params)?;
    let last_year = inputs
        .last_year
        .iter()
        .map(|a| (a.vakgroep_id, a.amount))
        .collect();
    let overrides = inputs
        .own_bands
        .iter()
        .map(|b| (b.vakgroep_id, b.band))
        .collect();
    let distribution = distribution_outcome(
        inputs.year,
        inputs.year_frame.as_ref(),
        inputs.placement,
        &result,
        &last_year,
        &overrides,
    );
    Ok((result, distribution))
}

fn to_value<T: Serialize>(value: &T) -> Result<Value, AdoptionError> {
    serde_json::to_value(value).map_err(|e| CanonicalError::Serialise(e.to_string()).into())
}

fn results(
    result: &BudgetResult,
    distribution: &Result<Distribution, String>,
) -> Result<Results, AdoptionError> {
    let distribution = match distribution {
        Ok(d) => serde_json::json!({ "verdeling": to_value(d)? }),
        Err(why) => serde_json::json!({ "geen_verdeling": why }),
    };
    Ok(Results {
        engine: engine_results(result)?,
        distribution,
    })
}

/// The engine's result as the snapshot keeps it: per vakgroep (with its KPIs, trend inputs and
/// findings) and for the hospital. The lines per care product — 200,000 in a large hospital, a
/// third of the snapshot — follow from the inputs: the pages and [`verify`] recompute them.
fn engine_results(result: &BudgetResult) -> Result<Value, AdoptionError> {
    // Emptied in a copy rather than removed from the serialised value: serialising 200,000
    // product lines only to drop them took most of the time.
    let slim = BudgetResult {
        vakgroepen: result
            .vakgroepen
            .iter()
            .map(|v| super::VakgroepResult {
                products: Vec::new(),
                ..v.clone()
            })
            .collect(),
        totals: result.totals,
        issues: result.issues.clone(),
    };
    let mut value = to_value(&slim)?;
    if let Some(vakgroepen) = value.get_mut("vakgroepen").and_then(Value::as_array_mut) {
        for vakgroep in vakgroepen.iter_mut().filter_map(Value::as_object_mut) {
            vakgroep.remove("products");
        }
    }
    Ok(value)
}

impl Snapshot {
    /// Computes the results from the inputs and assembles the snapshot.
    pub fn build(context: Value, master: Value, inputs: Inputs) -> Result<Snapshot, AdoptionError> {
        let (result, distribution) = compute_results(&inputs)?;
        Snapshot::assemble(context, master, inputs, &result, &distribution)
    }

    /// The snapshot of results the caller computed from exactly these inputs
    /// ([`compute_results`]): adoption computed them already for the decision, and [`verify`]
    /// would name any difference.
    pub fn assemble(
        context: Value,
        master: Value,
        inputs: Inputs,
        result: &BudgetResult,
        distribution: &Result<Distribution, String>,
    ) -> Result<Snapshot, AdoptionError> {
        let results = results(result, distribution)?;
        Ok(Snapshot {
            format: FORMAT.into(),
            context,
            master,
            inputs,
            results,
        })
    }

    /// The adopted allocation per vakgroep, as (vakgroep id, allocation, earmark, total), by
    /// vakgroep id; empty when nothing was distributed.
    pub fn allocations(&self) -> Vec<(i64, Decimal, Decimal, Decimal)> {
        let figure = |v: &Value, key: &str| {
            v.get(key)
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<Decimal>().ok())
                .unwrap_or_default()
        };
        let mut out: Vec<_> = self.results.distribution["verdeling"]["vakgroepen"]
            .as_array()
            .map(|rows| {
                rows.iter()
                    .map(|v| {
                        (
                            v["vakgroep_id"].as_i64().unwrap_or_default(),
                            figure(v, "allocation"),
                            figure(v, "earmark"),
                            figure(v, "total"),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.sort_by_key(|r| r.0);
        out
    }

    /// The canonical text and its hash, as stored.
    pub fn seal(&self) -> Result<(String, String), AdoptionError> {
        // `to_canonical(self)`, without first copying the master data into one more value.
        let format = Value::String(self.format.clone());
        let inputs = to_value(&self.inputs)?;
        let results = to_value(&self.results)?;
        let text = canonical::object(&[
            ("format", &format),
            ("context", &self.context),
            ("master", &self.master),
            ("inputs", &inputs),
            ("results", &results),
        ])?;
        let hash = content_hash(&text);
        Ok((text, hash))
    }
}

/// Checks a stored snapshot: its text is canonical, its hash matches, and recomputing the
/// engine and the distribution from its inputs gives exactly the stored results.
pub fn verify(stored_text: &str, stored_hash: &str) -> Result<Snapshot, AdoptionError> {
    let computed = content_hash(stored_text);
    if computed != stored_hash {
        return Err(AdoptionError::Hash {
            stored: stored_hash.into(),
            computed,
        });
    }
    let value: Value =
        serde_json::from_str(stored_text).map_err(|e| AdoptionError::Unreadable(e.to_string()))?;
    if to_canonical(&value)? != stored_text {
        return Err(AdoptionError::NotCanonical);
    }
    let snapshot: Snapshot =
        serde_json::from_value(value).map_err(|e| AdoptionError::Unreadable(e.to_string()))?;
    let (result, distribution) = compute_results(&snapshot.inputs)?;
    let again = results(&result, &distribution)?;
    if again.engine != snapshot.results.engine {
        return Err(AdoptionError::Result("the engine"));
    }
    if again.distribution != snapshot.results.distribution {
        return Err(AdoptionError::Result("the distribution"));
    }
    Ok(snapshot)
}

#[cfg(test)]
mod tests;
