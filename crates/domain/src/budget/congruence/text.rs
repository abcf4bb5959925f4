//! The agreement proposal for an insurer deviation (B5): a *financieel* agreement with the
//! insurer as party, its figures in the description and in the register's insurer-deviation
//! field.

use super::{Congruence, InsurerPosition, Position};
use crate::agreements::kinds::{AgreementKind, PartyKind};
use crate::budget::prefill::{AgreementPrefill, MAX_TITLE_CHARS, PrefillParty, fit};
use crate::nl;
use rust_decimal::Decimal;

/// How many vakgroepen the description names as moving with the deviation.
const NAMED_VAKGROEPEN: usize = 3;

/// A proposal to record insurer `index`'s deviation, when it is flagged. `scenario` is the
/// scenario's name, `year` the budget year, `names` the vakgroep names by id (the code when
/// missing).
pub fn agreement_prefill(
    c: &Congruence,
    index: usize,
    scenario: &str,
    year: i32,
    names: &std::collections::HashMap<i64, String>,
) -> Option<AgreementPrefill> {
    let p = c.insurers.get(index)?;
    if !p.flagged {
        return None;
    }
    let (word, side) = match p.position {
        Position::Excess => ("overschrijding", "boven"),
        Position::Shortfall => ("onderschrijding", "onder"),
        Position::Within => return None,
    };
    let size = p
        .fraction
        .map(|f| format!(" {}", percent(f.abs())))
        .unwrap_or_default();
    let title = fit(
        &format!(
            "Productie {year} {}{size} {side} contractplafond {}",
            if p.position == Position::Excess {
                "ligt"
            } else {
                "blijft"
            },
            p.name
        ),
        MAX_TITLE_CHARS,
    );
    let deviation = deviation_text(p, word);
    let mut lines = vec![
        format!(
            "In scenario \"{scenario}\" is de productiewaarde {year} (budgetvolume × tarief) {}. Het aandeel van {} ({} %) is {} tegen een contractplafond van {}: {deviation}.",
            nl::eur(c.total_value),
            p.name,
            nl::number(p.share, 2),
            nl::eur(p.value),
            nl::eur(p.ceiling),
        ),
        format!(
            "Tegen het referentiejaar (basisvolume × tarief, {}) is dat {}.",
            nl::eur(c.baseline_value),
            signed_eur(c.total_value - c.baseline_value)
        ),
    ];
    // The vakgroepen whose production value moved the way this insurer deviates.
    let mut movers: Vec<_> = c
        .vakgroepen
        .iter()
        .filter(|v| match p.position {
            Position::Excess => v.change > Decimal::ZERO,
            _ => v.change < Decimal::ZERO,
        })
        .collect();
    // The largest movers in the deviation's direction first; ties by code.
    movers.sort_by(|a, b| {
        b.change
            .abs()
            .cmp(&a.change.abs())
            .then(a.code.cmp(&b.code))
    });
    if !movers.is_empty() {
        let named: Vec<String> = movers
            .iter()
            .take(NAMED_VAKGROEPEN)
            .map(|v| {
                let name = names.get(&v.vakgroep_id).unwrap_or(&v.code);
                format!("{name} ({})", signed_eur(v.change))
            })
            .collect();
        lines.push(format!(
            "Grootste verandering in productiewaarde in dezelfde richting: {}.",
            named.join(", ")
        ));
    }
    let missing: usize = c.vakgroepen.iter().map(|v| v.without_tariff.len()).sum();
    match missing {
        0 => {}
        1 => lines.push(
            "1 zorgproduct met een budgetvolume heeft geen tarief en telt als € 0,00.".to_string(),
        ),
        n => lines.push(format!(
            "{} zorgproducten met een budgetvolume hebben geen tarief en tellen als € 0,00.",
            nl::count(n)
        )),
    }
    Some(AgreementPrefill {
        kind: AgreementKind::Financieel,
        title,
        description: lines.join("\n"),
        parties: vec![PrefillParty {
            kind: PartyKind::Verzekeraar,
            label: p.name.clone(),
            vakgroep_id: None,
        }],
        insurer_deviation: Some(format!(
            "Scenario \"{scenario}\" {year}: {deviation} van het contractplafond van {} ({}).",
            p.name,
            nl::eur(p.ceiling)
        )),
    })
}

/// `een overschrijding van € 400.000,00 (3,2 %)`.
fn deviation_text(p: &InsurerPosition, word: &str) -> String {
    let pct = p
        .fraction
        .map(|f| format!(" ({})", percent(f.abs())))
        .unwrap_or_default();
    format!("een {word} van {}{pct}", nl::eur(p.difference.abs()))
}

/// A fraction as `3,2 %`; one too large for that as the largest decimal.
fn percent(fraction: Decimal) -> String {
    nl::percent(
        fraction
            .checked_mul(Decimal::ONE_HUNDRED)
            .unwrap_or(Decimal::MAX),
    )
}

/// `+€ 1.234,56`, `−€ 1.234,56`, `€ 0,00`.
fn signed_eur(x: Decimal) -> String {
    let rounded = crate::budget::round_cents(x);
    let text = nl::eur(rounded.abs());
    if rounded.is_zero() {
        text
    } else if rounded.is_sign_negative() {
        format!("−{text}")
    } else {
        format!("+{text}")
    }
}
