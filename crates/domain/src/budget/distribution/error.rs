//! Why nothing was distributed, in Dutch with the figures and vakgroepen involved. The fields keep
//! the figures exact so that a page can show more than the sentence.

use super::Band;
use crate::nl;
use rust_decimal::Decimal;

code_enum! {
    /// An input figure of a vakgroep, for the message about it.
    Figure {
        FormatiefFte => "formatief_fte", "Formatieve fte";
        NormFte => "norm_fte", "Norm-fte";
        Earmark => "geoormerkt_deel", "Geoormerkt deel";
        LastYear => "vorig_jaar", "Toewijzing vorig jaar";
    }
}

/// Why [`super::distribute`] (or [`super::inputs_from`]) refused. Every message ends by saying
/// that nothing was distributed, because a half-done distribution is never shown as one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DistributionError {
    #[error("Er zijn geen vakgroepen om het honorariumbudget over te verdelen.")]
    NoVakgroepen,
    #[error("De vakgroepcode {0} komt meer dan eens voor; er is niets verdeeld.")]
    DuplicateCode(String),
    #[error("Het honorariumbudget mag niet negatief zijn (nu {}); er is niets verdeeld.", eur(.0))]
    NegativeBudget(Decimal),
    #[error(
        "Het honorariumbudget moet in hele centen zijn (nu {}); er is niets verdeeld.",
        exact(.0)
    )]
    BudgetNotCents(Decimal),
    #[error(
        "Het vaste aandeel φ moet tussen 0 en 1 liggen (0 % tot 100 %), nu is het {}; er is niets verdeeld.",
        exact(.0)
    )]
    FixedShareOutOfRange(Decimal),
    #[error(
        "{}: de onder- en bovengrens mogen niet negatief zijn ({}); er is niets verdeeld.",
        owner_text(.owner), band_text(.band)
    )]
    NegativeBand { owner: Option<String>, band: Band },
    #[error(
        "{}: de ondergrens ligt boven de bovengrens ({}); er is niets verdeeld.",
        owner_text(.owner), band_text(.band)
    )]
    FloorAboveCap { owner: Option<String>, band: Band },
    #[error(
        "Vakgroep {code}: {} mag niet negatief zijn (nu {}); er is niets verdeeld.",
        .figure.label().to_lowercase(), exact(.value)
    )]
    NegativeInput {
        code: String,
        figure: Figure,
        value: Decimal,
    },
    #[error(
        "Het geoormerkte deel van vakgroep {code} moet in hele centen zijn (nu {}); er is niets verdeeld.",
        exact(.value)
    )]
    EarmarkNotCents { code: String, value: Decimal },
    #[error(
        "Voor {} is geen norm-fte berekend, dus het capaciteitsdeel is niet te verdelen; los dat eerst op. Er is niets verdeeld.",
        .0.join(", ")
    )]
    MissingNormFte(Vec<String>),
    #[error(
        "Het geoormerkte bedrag is niet over de vakgroepen in variant 3 verdeeld (geen deel voor {}), dus het te verdelen bedrag is niet bekend; los dat eerst op. Er is niets verdeeld.",
        .0.join(", ")
    )]
    EarmarkNotDistributed(Vec<String>),
    #[error(
        "Het geoormerkte bedrag van {} komt uit het honorariumbudget, maar is groter dan dat budget ({}); er is niets verdeeld.",
        eur(.earmark), eur(.budget)
    )]
    EarmarkExceedsBudget { budget: Decimal, earmark: Decimal },
    #[error(
        "Het vaste deel van {} wordt per formatieve fte verdeeld, maar de formatieve fte tellen op tot 0; er is niets verdeeld.",
        eur(.0)
    )]
    NoFormatiefFte(Decimal),
    #[error(
        "Het capaciteitsdeel van {} wordt naar rato van de norm-fte verdeeld, maar de norm-fte tellen op tot 0; er is niets verdeeld.",
        eur(.0)
    )]
    NoNormFte(Decimal),
    #[error(
        "De band van vakgroep {code} bevat geen heel centbedrag: de ondergrens is naar boven afgerond {}, de bovengrens naar beneden {}; er is niets verdeeld.",
        eur(.floor_amount), eur(.cap_amount)
    )]
    BandTooNarrow {
        code: String,
        floor_amount: Decimal,
        cap_amount: Decimal,
    },
    #[error(
        "De ondergrenzen van de band tellen op tot {}, meer dan het te verdelen bedrag van {}; er is niets verdeeld.",
        eur(.floors), eur(.distributable)
    )]
    FloorsExceed {
        floors: Decimal,
        distributable: Decimal,
    },
    /// Every vakgroep has a band and together they cannot take D. `floor_only` are those whose
    /// unbounded allocation is 0: they can get their floor, not more, and count with it.
    #[error(
        "De bovengrenzen van de band tellen op tot {}, minder dan het te verdelen bedrag van {}{}; er is niets verdeeld.",
        eur(.caps), eur(.distributable), floor_only_text(.floor_only)
    )]
    CapsShort {
        caps: Decimal,
        distributable: Decimal,
        floor_only: Vec<String>,
    },
    #[error(
        "Boven de bovengrenzen blijft {} over voor de vakgroepen zonder band ({}), maar hun onbegrensde toewijzing is € 0,00, dus er is geen grondslag om het over hen te verdelen; er is niets verdeeld.",
        eur(.remainder), .codes.join(", ")
    )]
    NoBasisForRemainder {
        remainder: Decimal,
        codes: Vec<String>,
    },
    #[error(
        "De bedragen zijn te groot om mee te rekenen; controleer het honorariumbudget, de fte en de toewijzingen van vorig jaar. Er is niets verdeeld."
    )]
    TooLarge,
}

fn eur(x: &Decimal) -> String {
    nl::eur(*x)
}

/// A figure as entered, all its decimals (at least two).
fn exact(x: &Decimal) -> String {
    nl::number(*x, x.normalize().scale().max(2))
}

fn owner_text(owner: &Option<String>) -> String {
    match owner {
        None => "De standaardband".to_string(),
        Some(code) => format!("De band van vakgroep {code}"),
    }
}

fn band_text(b: &Band) -> String {
    format!("{} – {}", percent(b.floor), percent(b.cap))
}

/// A fraction as a percentage; a fraction too large for that (no real band) as it was given.
pub(super) fn percent(fraction: Decimal) -> String {
    fraction
        .checked_mul(Decimal::ONE_HUNDRED)
        .map_or_else(|| exact(&fraction), nl::percent)
}

fn floor_only_text(codes: &[String]) -> String {
    match codes {
        [] => String::new(),
        [one] => {
            format!(" ({one} telt mee met de ondergrens: de onbegrensde toewijzing is € 0,00)")
        }
        many => format!(
            " ({} tellen mee met de ondergrens: de onbegrensde toewijzing is € 0,00)",
            many.join(", ")
        ),
    }
}
