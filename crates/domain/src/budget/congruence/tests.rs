use super::*;
use rust_decimal::dec;

fn insurer(id: i64, name: &str, ceiling: Decimal, share: Decimal) -> Insurer {
    Insurer {
        id,
        name: name.into(),
        ceiling,
        share,
    }
}

#[test]
fn shares_must_add_up_to_exactly_100() {
    assert_eq!(check_insurers(&[]), Err(CongruenceError::NoInsurers));
    let err = check_insurers(&[
        insurer(1, "A", dec!(10), dec!(60)),
        insurer(2, "B", dec!(10), dec!(39.99)),
    ])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "De aandelen van de zorgverzekeraars tellen op tot 99,99 %; dat moet precies 100 % zijn."
    );
    assert_eq!(
        check_insurers(&[insurer(1, "A", dec!(-1), dec!(100))]),
        Err(CongruenceError::Negative("A".into()))
    );
    assert_eq!(
        check_insurers(&[
            insurer(1, "A", dec!(0), dec!(33.33)),
            insurer(2, "B", dec!(0), dec!(33.33)),
            insurer(3, "C", dec!(0), dec!(33.34)),
        ]),
        Ok(())
    );
}

#[test]
fn the_split_adds_up_exactly_and_the_last_takes_the_rest() {
    let shares = [dec!(33.33), dec!(33.33), dec!(33.34)];
    let parts = split(dec!(100.01), &shares).unwrap();
    assert_eq!(parts, [dec!(33.333333), dec!(33.333333), dec!(33.343334)]);
    assert_eq!(parts.iter().sum::<Decimal>(), dec!(100.01));
    // A third of a total whose product has more than 28 digits: the last one absorbs the
    // rounding, so the sum still holds.
    let odd = Decimal::ONE / dec!(3);
    let parts = split(odd, &shares).unwrap();
    assert_eq!(parts.iter().sum::<Decimal>(), odd);
    assert_eq!(split(dec!(5), &[dec!(100)]).unwrap(), [dec!(5)]);
}
