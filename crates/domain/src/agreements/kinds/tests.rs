use super::*;
use proptest::prelude::*;
use time::macros::date;

#[test]
fn codes_round_trip_and_match_the_database() {
    for k in AgreementKind::ALL {
        assert_eq!(AgreementKind::parse(k.code()), Some(*k));
    }
    for s in AgreementStatus::ALL {
        assert_eq!(AgreementStatus::parse(s.code()), Some(*s));
    }
    for s in SevenS::ALL {
        assert_eq!(SevenS::parse(s.code()), Some(*s));
    }
    for t in JzojpTheme::ALL {
        assert_eq!(JzojpTheme::parse(t.code()), Some(*t));
    }
    for p in PartyKind::ALL {
        assert_eq!(PartyKind::parse(p.code()), Some(*p));
    }
    for c in ReviewCadence::ALL {
        assert_eq!(ReviewCadence::parse(c.code()), Some(*c));
    }
    // The CHECK constraints of migrations/0003_meetings.sql.
    let kinds: Vec<_> = AgreementKind::ALL.iter().map(|k| k.code()).collect();
    assert_eq!(
        kinds,
        [
            "strategische_keuze",
            "protocol",
            "financieel",
            "personeel",
            "monitoring",
            "actie"
        ]
    );
    let statuses: Vec<_> = AgreementStatus::ALL.iter().map(|s| s.code()).collect();
    assert_eq!(
        statuses,
        [
            "voorgesteld",
            "vastgesteld",
            "in_uitvoering",
            "gerealiseerd",
            "niet_nagekomen",
            "vervallen"
        ]
    );
}

#[test]
fn labels_are_dutch() {
    assert_eq!(AgreementKind::Protocol.label(), "Protocol / richtlijn");
    assert_eq!(
        AgreementKind::Personeel.label(),
        "Personeel / aannamebeleid"
    );
    assert_eq!(AgreementStatus::NietNagekomen.to_string(), "Niet nagekomen");
    assert_eq!(SevenS::GedeeldeWaarden.label(), "Gedeelde waarden");
    assert_eq!(SevenS::Vaardigheden.code(), "vaardigheden");
    assert_eq!(PartyKind::MsbPlus.label(), "MSB+");
    assert_eq!(ReviewCadence::PerKwartaal.label(), "Per kwartaal");
    assert_eq!(JzojpTheme::EersteLijn.code(), "eerste_lijn");
    assert_eq!(JzojpTheme::ALL.len(), 5);
    assert_eq!(SevenS::ALL.len(), 7);
}

#[test]
fn serde_uses_the_code() {
    use serde::Deserialize;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error, StrDeserializer};
    let d: StrDeserializer<'_, Error> = "in_uitvoering".into_deserializer();
    assert_eq!(
        AgreementStatus::deserialize(d),
        Ok(AgreementStatus::InUitvoering)
    );
    let d: StrDeserializer<'_, Error> = "InUitvoering".into_deserializer();
    assert!(AgreementStatus::deserialize(d).is_err());
}

#[test]
fn open_and_final_statuses_partition() {
    use AgreementStatus::*;
    let open: Vec<_> = AgreementStatus::ALL
        .iter()
        .copied()
        .filter(|s| s.is_open())
        .collect();
    assert_eq!(open, [Voorgesteld, Vastgesteld, InUitvoering]);
    for s in AgreementStatus::ALL {
        assert_ne!(s.is_open(), s.is_final());
    }
}

#[test]
fn hard_and_soft_s() {
    let hard: Vec<_> = SevenS::ALL
        .iter()
        .copied()
        .filter(|s| s.is_hard())
        .collect();
    assert_eq!(
        hard,
        [SevenS::Strategie, SevenS::Structuur, SevenS::Systemen]
    );
}

#[test]
fn cadence_months_round_trip() {
    for c in ReviewCadence::ALL {
        assert_eq!(ReviewCadence::from_months(c.months()), Some(*c));
    }
    assert_eq!(ReviewCadence::from_months(Some(2)), None);
    assert_eq!(ReviewCadence::Geen.months(), None);
}

#[test]
fn next_review_clamps_to_the_end_of_the_month() {
    use ReviewCadence::*;
    assert_eq!(next_review(date!(2026 - 01 - 31), Geen), None);
    assert_eq!(
        next_review(date!(2026 - 01 - 31), Maandelijks),
        Some(date!(2026 - 02 - 28))
    );
    assert_eq!(
        next_review(date!(2028 - 01 - 31), Maandelijks),
        Some(date!(2028 - 02 - 29))
    );
    assert_eq!(
        next_review(date!(2026 - 11 - 30), PerKwartaal),
        Some(date!(2027 - 02 - 28))
    );
    assert_eq!(
        next_review(date!(2026 - 08 - 31), Halfjaarlijks),
        Some(date!(2027 - 02 - 28))
    );
    assert_eq!(
        next_review(date!(2028 - 02 - 29), Jaarlijks),
        Some(date!(2029 - 02 - 28))
    );
    assert_eq!(
        next_review(date!(2026 - 03 - 15), Jaarlijks),
        Some(date!(2027 - 03 - 15))
    );
    assert_eq!(next_review(date!(9999 - 12 - 01), Maandelijks), None);
}

proptest! {
    #[test]
    fn next_review_moves_whole_months(days in 0i64..40_000, c in 1usize..5) {
        let after = date!(1990 - 01 - 01) + time::Duration::days(days);
        let cadence = ReviewCadence::ALL[c];
        let next = next_review(after, cadence).expect("in range");
        let months = |d: Date| i64::from(d.year()) * 12 + i64::from(u8::from(d.month()));
        prop_assert!(next > after);
        prop_assert_eq!(months(next) - months(after), i64::from(cadence.months().unwrap()));
        prop_assert!(next.day() <= after.day());
        // Clamped only when the month is too short.
        prop_assert!(
            next.day() == after.day()
                || next.day() == time::util::days_in_month(next.month(), next.year())
        );
    }
}
