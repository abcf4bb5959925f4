use super::*;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn ok(input: &str) -> ParsedFile {
    let p = parse(input.as_bytes(), |_| {});
    assert!(p.errors.is_empty(), "{:?}", p.errors.clone().finish());
    p
}

fn errors(input: &str) -> Vec<LineError> {
    parse(input.as_bytes(), |_| {}).errors.finish().0
}

#[test]
fn semicolons_decimal_comma_bom_crlf() {
    let p =
        ok("\u{feff}Vakgroep;Zorgproduct;Volume\r\ncar;990004006;12,5\r\nCAR;990004007;3\r\n\r\n");
    assert_eq!(p.separator, b';');
    assert_eq!(p.vakgroepen, vec!["CAR"]);
    assert_eq!(p.lines.len(), 2);
    assert_eq!(p.lines[0].line, 2);
    assert_eq!(p.lines[0].volume, d("12.5"));
    assert_eq!(p.lines[1].product, "990004007");
}

#[test]
fn a_description_column_is_kept_per_line_when_filled() {
    let p = ok("vakgroep;zorgproduct;omschrijving;volume\nCAR;1;\"Consult; eerste\";3\nCAR;2;;4");
    assert_eq!(p.lines[0].description.as_deref(), Some("Consult; eerste"));
    assert_eq!(p.lines[1].description, None);
    assert_eq!(
        ok("vakgroep;zorgproduct;volume\nCAR;1;3").lines[0].description,
        None
    );
}

#[test]
fn commas_any_order_aliases_quotes_ignored_description() {
    let p = ok(
        "AANTAL,omschrijving,zorgactiviteit,specialisme\n1.25,\"Consult, eerste\",190013,\"lon\"\n0,x,190014,LON",
    );
    assert_eq!(p.separator, b',');
    assert_eq!(p.lines[0].volume, d("1.25"));
    assert_eq!(p.lines[0].product, "190013");
    assert_eq!(p.vakgroep_code(&p.lines[1]), "LON");
    assert_eq!(p.lines[1].volume, Decimal::ZERO);
}

#[test]
fn header_problems_are_reported_on_line_1() {
    let e = errors("vakgroep;product;aantal;kleur\nCAR;1;2");
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].line, 1);
    assert_eq!(e[0].column.as_deref(), Some("kleur"));
    assert!(e[0].reason.contains("Onbekende kolom"));
    let e = errors("vakgroep;volume\n");
    assert_eq!(e[0].column.as_deref(), Some("zorgproduct"));
    assert!(e[0].reason.contains("ontbreekt"));
    assert!(errors("")[0].reason.contains("leeg"));
}

#[test]
fn every_bad_line_is_reported_with_column_and_reason() {
    let e = errors(
        "vakgroep;zorgproduct;volume\n;1;2\nCAR;;2\nCAR;3;-1\nCAR;4;abc\nCAR;5;1.234.5\nCAR;6;1;9\nCAR;7;2\ncar;7;3\nCAR;8;\"4\n",
    );
    let got: Vec<(usize, Option<&str>)> = e.iter().map(|e| (e.line, e.column.as_deref())).collect();
    assert_eq!(
        got,
        vec![
            (2, Some("vakgroep")),
            (3, Some("zorgproduct")),
            (4, Some("volume")),
            (5, Some("volume")),
            (6, Some("volume")),
            (7, None),
            (9, Some("zorgproduct")),
            (10, None),
        ]
    );
    assert!(e[2].reason.contains("Negatief"));
    assert!(e[3].reason.contains("geen getal"));
    assert!(e[6].reason.contains("regel 8"));
}

#[test]
fn volumes() {
    assert_eq!(parse_volume(b" 007 ").unwrap(), d("7"));
    assert_eq!(parse_volume(b"0,50").unwrap(), d("0.5"));
    assert_eq!(parse_volume(b"-0").unwrap(), Decimal::ZERO);
    assert_eq!(parse_volume(b"+3.0").unwrap(), d("3"));
    for bad in ["", ",5", "5,", "1,2,3", "1e3", "€5", "1 000", "."] {
        assert!(parse_volume(bad.as_bytes()).is_err(), "{bad}");
    }
    assert!(matches!(parse_volume(b"-2"), Err(VolumeError::Negative(_))));
}

#[test]
fn absurd_volumes_are_refused_with_the_limit() {
    assert_eq!(parse_volume(b"999999999999").unwrap(), d("999999999999"));
    assert_eq!(parse_volume(b"000000000001,2345").unwrap(), d("1.2345"));
    // Trailing zeros add no precision, as a fixed-format export writes them.
    assert_eq!(parse_volume(b"3,500000").unwrap(), d("3.5"));
    assert!(matches!(
        parse_volume(b"1000000000000"),
        Err(VolumeError::TooLarge(_))
    ));
    assert!(matches!(
        parse_volume(b"1,23456"),
        Err(VolumeError::TooManyDecimals(_))
    ));
    let huge = "9".repeat(28);
    assert!(matches!(
        parse_volume(huge.as_bytes()),
        Err(VolumeError::TooLarge(_))
    ));
    let long = format!("1,{}1", "0".repeat(40));
    assert!(matches!(
        parse_volume(long.as_bytes()),
        Err(VolumeError::TooManyDecimals(_))
    ));
    let e = errors("vakgroep;zorgproduct;aantal\nCAR;1;10000000000000\nCAR;2;0,00001\n");
    assert_eq!((e[0].line, e[0].column.as_deref()), (2, Some("aantal")));
    assert!(e[0].reason.contains("te groot"), "{}", e[0].reason);
    assert!(e[0].reason.contains("12 cijfers voor de komma"));
    assert_eq!((e[1].line, e[1].column.as_deref()), (3, Some("aantal")));
    assert!(
        e[1].reason.contains("4 cijfers na de komma"),
        "{}",
        e[1].reason
    );
}

#[test]
fn a_duplicate_names_the_product_column_and_the_first_line() {
    let e = errors("Vakgroep;Productcode;Volume\nCAR;1;2\nLON;1;2\ncar;1;3\nCAR;1;4\n");
    assert_eq!(e.len(), 2);
    for (e, line) in e.iter().zip([4, 5]) {
        assert_eq!(e.line, line);
        assert_eq!(e.column.as_deref(), Some("Productcode"));
        assert!(e.reason.contains("staat ook op regel 2"), "{}", e.reason);
    }
}

#[test]
fn error_list_is_capped_but_counted() {
    let mut s = String::from("vakgroep;zorgproduct;volume\n");
    for i in 0..5_000 {
        s.push_str(&format!("CAR;{i};x\n"));
    }
    let (kept, total) = parse(s.as_bytes(), |_| {}).errors.finish();
    assert_eq!(total, 5_000);
    assert_eq!(kept.len(), MAX_REPORTED_ERRORS);
    assert_eq!(kept[0].line, 2);
    assert_eq!(kept.last().unwrap().line, MAX_REPORTED_ERRORS + 1);
}

#[test]
fn every_error_is_kept_when_asked() {
    let mut s = String::from("vakgroep;zorgproduct;volume\n");
    for i in 0..5_000 {
        s.push_str(&format!("CAR;{i};x\n"));
    }
    let (kept, total) = parse_keeping(s.as_bytes(), usize::MAX, |_| {})
        .errors
        .finish();
    assert_eq!((kept.len(), total), (5_000, 5_000));
    assert!(kept.iter().enumerate().all(|(i, e)| e.line == i + 2));
}

#[test]
fn periods() {
    assert!(check_period(2026, 1).is_ok());
    assert!(check_period(2026, 13).is_err());
    assert!(check_period(1999, 5).is_err());
}
