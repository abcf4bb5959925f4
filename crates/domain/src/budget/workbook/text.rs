//! The Dutch texts the sheets share: the heading of every sheet and how a trend input reads.

use super::super::distribution::Band;
use super::super::inputs::TrendChange;
use super::model::{Cell, Row, RowStyle};
use super::source::WorkbookMeta;
use crate::nl;
use rust_decimal::Decimal;

/// The first two rows of every sheet: its title, and either the concept marking or what was
/// adopted (with the snapshot hash), so that a printed or forwarded sheet says which it is.
pub(super) fn heading(meta: &WorkbookMeta, title: String) -> Vec<Row> {
    let status = if meta.concept {
        Row::new(
            RowStyle::Warning,
            vec![Cell::text(format!(
                "CONCEPT – scenario \"{}\" is niet vastgesteld; de cijfers kunnen nog veranderen.",
                meta.scenario
            ))],
        )
    } else {
        let hash = meta
            .snapshot_hash
            .as_deref()
            .map(|h| format!(", snapshot-hash {h}"))
            .unwrap_or_default();
        Row::new(
            RowStyle::Note,
            vec![Cell::text(format!(
                "Vastgestelde begroting {}, scenario \"{}\"{hash}.",
                meta.year, meta.scenario
            ))],
        )
    };
    vec![Row::new(RowStyle::Title, vec![Cell::text(title)]), status]
}

/// A figure with its sign and as many decimals as it has (at most four): `+10`, `−2,5`, `0`.
pub(super) fn signed(value: Decimal) -> String {
    let decimals = value.normalize().scale().min(4);
    let text = nl::number(value.abs(), decimals);
    if value.is_zero() {
        text
    } else if value.is_sign_negative() {
        format!("−{text}")
    } else {
        format!("+{text}")
    }
}

/// `+10 %` or `−400` (an absolute volume).
pub(super) fn trend_change_text(change: TrendChange) -> String {
    match change {
        TrendChange::Percent(p) => format!("{} %", signed(p)),
        TrendChange::Absolute(a) => signed(a),
    }
}

/// `90,0 % – 115,0 %`.
pub(super) fn band_text(band: Band) -> String {
    let pct = |f: Decimal| {
        f.checked_mul(Decimal::ONE_HUNDRED)
            .map_or_else(|| f.to_string(), nl::percent)
    };
    format!("{} – {}", pct(band.floor), pct(band.cap))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn changes_read_with_their_sign() {
        assert_eq!(trend_change_text(TrendChange::Percent(dec!(10))), "+10 %");
        assert_eq!(
            trend_change_text(TrendChange::Percent(dec!(-2.5))),
            "−2,5 %"
        );
        assert_eq!(
            trend_change_text(TrendChange::Absolute(dec!(-1500))),
            "−1.500"
        );
        assert_eq!(signed(dec!(0)), "0");
        assert_eq!(
            band_text(Band {
                floor: dec!(0.9),
                cap: dec!(1.15)
            }),
            "90,0 % – 115,0 %"
        );
    }
}
