//! The signal's Dutch sentence and the agreement proposal made from it.

use super::{Deviation, Direction, Monitoring, Signal, Track, VakgroepMonitoring, month_name};
use crate::agreements::kinds::{AgreementKind, PartyKind};
use crate::budget::prefill::{AgreementPrefill, MAX_TITLE_CHARS, PrefillParty, fit};
use crate::nl;
use rust_decimal::Decimal;

/// The signal of a line through month `k`, when its deviation passes the threshold.
pub(super) fn signal(t: &Track, _year: i32, k: u8, threshold: Decimal) -> Option<Signal> {
    let month = t.months.get(usize::from(k).checked_sub(1)?)?;
    let deviation = month.deviation?;
    let direction = match deviation.fraction {
        Some(f) if f.abs() > threshold && f > Decimal::ZERO => Direction::Above,
        Some(f) if f.abs() > threshold => Direction::Below,
        Some(_) => return None,
        // Nothing was budgeted to date: any realisation is a deviation without a percentage.
        None if deviation.hours > Decimal::ZERO => Direction::Above,
        None => return None,
    };
    let realised = month.cumulative_realised.unwrap_or_default();
    let mut text = match deviation.fraction {
        Some(f) => format!(
            "{} ligt {} {} het budget tot en met {}: {} normuren gerealiseerd tegen {} begroot",
            t.label,
            nl::percent(hundred(f.abs())),
            if direction == Direction::Above {
                "boven"
            } else {
                "onder"
            },
            month_name(k),
            hours(realised),
            hours(month.cumulative_budget),
        ),
        None => format!(
            "{} heeft tot en met {} {} normuren gerealiseerd, terwijl daar geen normuren voor begroot waren",
            t.label,
            month_name(k),
            hours(realised),
        ),
    };
    match t.forecast {
        Some(f) => {
            text.push_str(&format!(
                "; prognose voor het jaar {} normuren",
                nl::number(f.hours, 0)
            ));
            if let Some(fraction) = f.deviation.fraction {
                text.push_str(&format!(" ({})", signed_percent(fraction)));
            }
            text.push('.');
        }
        None => text.push('.'),
    }
    Some(Signal {
        direction,
        through_month: k,
        deviation,
        explanation: text,
    })
}

/// A proposal for a *financieel* agreement with the vakgroep about its signal; `None` without
/// one.
pub fn agreement_prefill(m: &Monitoring, v: &VakgroepMonitoring) -> Option<AgreementPrefill> {
    let signal = v.track.signal.as_ref()?;
    let side = match signal.direction {
        Direction::Above => "boven",
        Direction::Below => "onder",
    };
    let size = signal
        .deviation
        .fraction
        .map(|f| format!(" {}", nl::percent(hundred(f.abs()))))
        .unwrap_or_default();
    let title = fit(
        &format!(
            "Realisatie {}{size} {side} budget t/m {} {}",
            v.track.label,
            month_name(signal.through_month),
            m.year
        ),
        MAX_TITLE_CHARS,
    );
    let mut lines = vec![signal.explanation.clone(), String::new()];
    lines.push(format!(
        "Afwijking tot en met {}: {}.",
        month_name(signal.through_month),
        deviation_text(&signal.deviation)
    ));
    if let Some(f) = v.track.forecast {
        lines.push(format!(
            "Prognose voor {}: {} normuren tegen een budget van {} ({}).",
            m.year,
            hours(f.hours),
            hours(v.track.budget_hours),
            deviation_text(&f.deviation)
        ));
    }
    lines.push(format!(
        "Spreiding van het budget over de maanden: {}.",
        v.profile.kind.label().to_lowercase()
    ));
    if let Some(reason) = &v.profile.reason {
        lines.push(reason.clone());
    }
    lines.push(format!(
        "Een signaal volgt bij een afwijking van meer dan {}.",
        nl::percent(hundred(m.threshold))
    ));
    if !v.without_norm_time.is_empty() {
        // Named up to a point: the register's description has a limit, and a list of
        // thousands of codes says no more than its count.
        const NAMED: usize = 20;
        let codes = &v.without_norm_time;
        let more = codes.len().saturating_sub(NAMED);
        lines.push(format!(
            "Zonder normtijd (als 0 normuren geteld): {}{}.",
            codes[..codes.len().min(NAMED)].join(", "),
            if more > 0 {
                format!(" en {} meer", nl::count(more))
            } else {
                String::new()
            }
        ));
    }
    Some(AgreementPrefill {
        kind: AgreementKind::Financieel,
        title,
        description: lines.join("\n"),
        parties: vec![PrefillParty {
            kind: PartyKind::Vakgroep,
            label: v.track.label.clone(),
            vakgroep_id: Some(v.vakgroep_id),
        }],
        insurer_deviation: None,
    })
}

/// `+83,2 normuren, +0,07 fte, +7,2 %`: whichever parts are known.
fn deviation_text(d: &Deviation) -> String {
    let mut parts = vec![format!("{} normuren", signed(d.hours, 1))];
    if let Some(fte) = d.fte {
        parts.push(format!("{} fte", signed(fte, 2)));
    }
    if let Some(f) = d.fraction {
        parts.push(signed_percent(f));
    }
    parts.join(", ")
}

/// Norm hours in a sentence: one decimal.
pub(super) fn hours(x: Decimal) -> String {
    nl::number(x, 1)
}

fn signed(x: Decimal, decimals: u32) -> String {
    let text = nl::number(x.abs(), decimals);
    let rounded = crate::budget::round_half_away(x, decimals);
    if rounded.is_zero() {
        text
    } else if rounded.is_sign_negative() {
        format!("−{text}")
    } else {
        format!("+{text}")
    }
}

/// `+6,8 %` from a fraction.
pub(super) fn signed_percent(fraction: Decimal) -> String {
    format!("{} %", signed(hundred(fraction), 1))
}

/// A fraction in percent; a fraction too large for that (a budget of next to nothing) stays
/// at the largest decimal rather than overflowing.
fn hundred(fraction: Decimal) -> Decimal {
    fraction
        .checked_mul(Decimal::ONE_HUNDRED)
        .unwrap_or(if fraction.is_sign_negative() {
            Decimal::MIN
        } else {
            Decimal::MAX
        })
}
