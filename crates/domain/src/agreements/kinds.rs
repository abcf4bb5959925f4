//! The vocabularies of an agreement (B1): kind, status, 7S element, JZOJP theme, party and review
//! cadence. Codes match the `agreement` table's CHECK constraints.

use time::{Date, Month};

code_enum! {
    /// What sort of commitment an agreement is. `Actie` is the light action point from a meeting;
    /// it lives in the same register so that "wie doet wat, wanneer" has one answer.
    AgreementKind {
        StrategischeKeuze => "strategische_keuze", "Strategische keuze";
        Protocol => "protocol", "Protocol / richtlijn";
        Financieel => "financieel", "Financieel";
        Personeel => "personeel", "Personeel / aannamebeleid";
        Monitoring => "monitoring", "Monitoring";
        Actie => "actie", "Actie";
    }
}

code_enum! {
    /// Where an agreement is in its life (B2); the variant order is the order of the flow.
    AgreementStatus {
        Voorgesteld => "voorgesteld", "Voorgesteld";
        Vastgesteld => "vastgesteld", "Vastgesteld";
        InUitvoering => "in_uitvoering", "In uitvoering";
        Gerealiseerd => "gerealiseerd", "Gerealiseerd";
        NietNagekomen => "niet_nagekomen", "Niet nagekomen";
        Vervallen => "vervallen", "Vervallen";
    }
}

impl AgreementStatus {
    /// Still something someone has to do: these count as overdue once the due date passes.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            AgreementStatus::Voorgesteld
                | AgreementStatus::Vastgesteld
                | AgreementStatus::InUitvoering
        )
    }

    /// The outcome is known; only a correction (see `status::transition`) changes it.
    pub fn is_final(self) -> bool {
        !self.is_open()
    }
}

code_enum! {
    /// The elements of the McKinsey 7S model as seed 000 names them in Dutch, in the model's order
    /// (shared values first: they sit at the centre of the model).
    SevenS {
        GedeeldeWaarden => "gedeelde_waarden", "Gedeelde waarden";
        Strategie => "strategie", "Strategie";
        Structuur => "structuur", "Structuur";
        Systemen => "systemen", "Systemen";
        Personeel => "personeel", "Personeel";
        Vaardigheden => "vaardigheden", "Vaardigheden";
        Stijl => "stijl", "Stijl";
    }
}

impl SevenS {
    /// The three "hard" factors (seed 000 on the 7S model): easier to change and to write down
    /// as agreements than the four soft ones, worth showing when the register leans one way.
    pub fn is_hard(self) -> bool {
        matches!(
            self,
            SevenS::Strategie | SevenS::Structuur | SevenS::Systemen
        )
    }
}

code_enum! {
    /// The five themes of Juiste Zorg op de Juiste Plek that seed 000 §2.3 uses.
    JzojpTheme {
        LaagComplex => "laag_complex", "Concentratie van laag complexe / hoog volume zorg";
        HoogComplex => "hoog_complex", "Concentratie van hoog complexe / laag volume zorg";
        GepasteZorg => "gepaste_zorg", "Gepaste zorg";
        ZorgThuis => "zorg_thuis", "Verplaatsing van zorg naar de patiënt thuis";
        EersteLijn => "eerste_lijn", "Verplaatsing van zorg naar de eerste lijn";
    }
}

code_enum! {
    /// The kind of party to an agreement; the party itself (which vakgroep, which insurer) is data.
    PartyKind {
        Rvb => "rvb", "Raad van Bestuur";
        MsbPlus => "msb_plus", "MSB+";
        Vakgroep => "vakgroep", "Vakgroep";
        Verzekeraar => "verzekeraar", "Zorgverzekeraar";
        RegionalePartner => "regionale_partner", "Regionale partner";
    }
}

code_enum! {
    /// How often the boards look at an agreement again (B4: reviews that are due go on the agenda).
    ReviewCadence {
        Geen => "geen", "Geen";
        Maandelijks => "maandelijks", "Maandelijks";
        PerKwartaal => "per_kwartaal", "Per kwartaal";
        Halfjaarlijks => "halfjaarlijks", "Halfjaarlijks";
        Jaarlijks => "jaarlijks", "Jaarlijks";
    }
}

impl ReviewCadence {
    /// The interval in months, as stored in `agreement.review_months` (NULL for `Geen`).
    pub fn months(self) -> Option<u32> {
        match self {
            ReviewCadence::Geen => None,
            ReviewCadence::Maandelijks => Some(1),
            ReviewCadence::PerKwartaal => Some(3),
            ReviewCadence::Halfjaarlijks => Some(6),
            ReviewCadence::Jaarlijks => Some(12),
        }
    }

    /// Reads `agreement.review_months` back; intervals the form does not offer give `None`.
    pub fn from_months(months: Option<u32>) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.months() == months)
    }
}

/// The next review date after `after` (typically the last review, or the start date). `None` when
/// the agreement is not reviewed, or beyond the end of the calendar.
pub fn next_review(after: Date, cadence: ReviewCadence) -> Option<Date> {
    add_months(after, cadence.months()?)
}

/// Adds whole calendar months; the day is clamped to the month's end so that a review every month
/// from 31 January falls on 28/29 February rather than spilling into March.
pub fn add_months(date: Date, months: u32) -> Option<Date> {
    let index =
        i64::from(date.year()) * 12 + i64::from(u8::from(date.month())) - 1 + i64::from(months);
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = Month::try_from(u8::try_from(index.rem_euclid(12) + 1).ok()?).ok()?;
    let day = date.day().min(time::util::days_in_month(month, year));
    Date::from_calendar_date(year, month, day).ok()
}

#[cfg(test)]
mod tests;
