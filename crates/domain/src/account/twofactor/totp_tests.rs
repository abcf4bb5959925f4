use super::*;
use proptest::prelude::*;
use time::macros::datetime;

/// RFC 6238 Appendix B's SHA-1 secret: the ASCII digits, 20 bytes.
fn rfc_secret() -> TotpSecret {
    TotpSecret::from_random(*b"12345678901234567890")
}

fn at(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).unwrap()
}

#[test]
fn rfc_6238_appendix_b_sha1_vectors() {
    // The RFC lists 8-digit codes. Dynamic truncation yields one 31-bit number per step and the
    // code is that number modulo 10^digits, so our 6-digit code is the last six of the eight.
    for (unix, eight) in [
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ] {
        assert_eq!(code_at(&rfc_secret(), at(unix)), eight[2..], "T = {unix}");
        assert_eq!(
            verify(&rfc_secret(), &eight[2..], at(unix), None),
            Ok(unix as u64 / 30)
        );
    }
}

#[test]
fn rfc_4226_appendix_d_vectors_as_steps() {
    // HOTP's counter is TOTP's step: counter c is the code for the instant 30·c.
    let expected = [
        "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
        "520489",
    ];
    for (counter, code) in expected.iter().enumerate() {
        assert_eq!(code_at(&rfc_secret(), at(counter as i64 * 30)), *code);
    }
}

const NOW: OffsetDateTime = datetime!(2026-11-23 10:00:10 UTC);

fn code_for_step(offset: i64) -> String {
    code_at(&rfc_secret(), NOW + time::Duration::seconds(offset * 30))
}

#[test]
fn one_step_either_side_is_accepted_and_named() {
    let now_step = step_at(NOW);
    // The premise of the window tests: these five codes differ for this secret and time.
    let codes: Vec<String> = (-2..=2).map(code_for_step).collect();
    let distinct: std::collections::HashSet<&String> = codes.iter().collect();
    assert_eq!(distinct.len(), 5, "{codes:?}");

    assert_eq!(
        verify(&rfc_secret(), &code_for_step(-1), NOW, None),
        Ok(now_step - 1)
    );
    assert_eq!(
        verify(&rfc_secret(), &code_for_step(0), NOW, None),
        Ok(now_step)
    );
    assert_eq!(
        verify(&rfc_secret(), &code_for_step(1), NOW, None),
        Ok(now_step + 1)
    );
}

#[test]
fn codes_two_steps_away_are_refused() {
    for offset in [-2, 2, 3, -10] {
        assert_eq!(
            verify(&rfc_secret(), &code_for_step(offset), NOW, None),
            Err(TotpError::Wrong),
            "step {offset}"
        );
    }
}

#[test]
fn a_used_code_or_an_older_one_is_refused() {
    let now_step = step_at(NOW);
    let used = verify(&rfc_secret(), &code_for_step(0), NOW, None).unwrap();
    assert_eq!(used, now_step);
    // The same code again, still within its 30 seconds or in the next step's window.
    assert_eq!(
        verify(&rfc_secret(), &code_for_step(0), NOW, Some(used)),
        Err(TotpError::AlreadyUsed)
    );
    let later = NOW + time::Duration::seconds(30);
    assert_eq!(
        verify(&rfc_secret(), &code_for_step(0), later, Some(used)),
        Err(TotpError::AlreadyUsed)
    );
    // An older code that is still in the window is refused as well.
    assert_eq!(
        verify(&rfc_secret(), &code_for_step(-1), NOW, Some(used)),
        Err(TotpError::AlreadyUsed)
    );
    // The next code works and moves the mark forward.
    assert_eq!(
        verify(&rfc_secret(), &code_for_step(1), later, Some(used)),
        Ok(now_step + 1)
    );
    // A wrong code stays "wrong" even with a mark set.
    assert_eq!(
        verify(&rfc_secret(), &code_for_step(5), NOW, Some(used)),
        Err(TotpError::Wrong)
    );
}

#[test]
fn codes_may_be_typed_with_spaces_and_nothing_else() {
    let code = code_for_step(0);
    let (a, b) = code.split_at(3);
    for typed in [
        format!("{a} {b}"),
        format!(" {code} "),
        format!("{a}\u{a0}{b}"),
        format!("{}  {}  {}", &code[..2], &code[2..4], &code[4..]),
    ] {
        assert_eq!(
            verify(&rfc_secret(), &typed, NOW, None),
            Ok(step_at(NOW)),
            "{typed:?}"
        );
    }
    for typed in [
        String::new(),
        "   ".into(),
        code[..5].to_string(),
        format!("{code}0"),
        format!("{a}-{b}"),
        format!("+{}", &code[1..]),
        "abcdef".into(),
        // Arabic-Indic digits are digits, but not the ones the app shows.
        "٢٨٧٠٨٢".into(),
    ] {
        assert_eq!(
            verify(&rfc_secret(), &typed, NOW, None),
            Err(TotpError::Malformed),
            "{typed:?}"
        );
    }
}

#[test]
fn the_secret_is_shown_in_groups_of_four_and_in_the_uri() {
    let secret = rfc_secret();
    assert_eq!(secret.base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    assert_eq!(
        secret.display_text(),
        "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"
    );
    let email = Email::parse("Jan.de.Vries+RvB@rijnoever.nl").unwrap();
    assert_eq!(
        secret.otpauth_uri(&email),
        "otpauth://totp/Gelijkgericht:jan.de.vries%2Brvb@rijnoever.nl\
         ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Gelijkgericht"
    );
}

#[test]
fn the_label_never_carries_a_raw_separator() {
    let email = Email::parse("a:b?c#d%e&f@x.nl").unwrap();
    let uri = rfc_secret().otpauth_uri(&email);
    let label = &uri["otpauth://totp/".len()..uri.find('?').unwrap()];
    assert_eq!(label, "Gelijkgericht:a%3Ab%3Fc%23d%25e%26f@x.nl");
}

#[test]
fn stored_secrets_must_have_twenty_bytes() {
    let secret = rfc_secret();
    assert_eq!(TotpSecret::from_bytes(secret.as_bytes()), Ok(secret));
    assert_eq!(
        TotpSecret::from_bytes(&[0; 19]),
        Err(TotpError::DamagedSecret)
    );
    assert_eq!(
        TotpSecret::from_bytes(&[0; 32]),
        Err(TotpError::DamagedSecret)
    );
}

#[test]
fn the_secret_stays_out_of_debug_output_and_messages_are_dutch() {
    assert_eq!(format!("{:?}", rfc_secret()), "TotpSecret(…)");
    assert!(TotpError::AlreadyUsed.to_string().contains("al gebruikt"));
    assert!(TotpError::Malformed.to_string().contains("zes cijfers"));
}

proptest! {
    #[test]
    fn the_apps_code_is_accepted_once(
        bytes in prop::array::uniform20(any::<u8>()),
        unix in 1_600_000_000i64..2_200_000_000,
    ) {
        let secret = TotpSecret::from_random(bytes);
        let now = at(unix);
        let code = code_at(&secret, now);
        prop_assert_eq!(code.len(), 6);
        // A neighbouring step with the very same code (one in a million) would rightly change
        // the answers below; such cases say nothing about the rule.
        let thirty = time::Duration::seconds(30);
        prop_assume!(code != code_at(&secret, now - thirty) && code != code_at(&secret, now + thirty));
        prop_assert_eq!(verify(&secret, &code, now, None), Ok(step_at(now)));
        prop_assert_eq!(
            verify(&secret, &code, now, Some(step_at(now))),
            Err(TotpError::AlreadyUsed)
        );
    }
}

#[test]
fn the_shown_key_reads_back_into_the_same_secret() {
    for seed in [0u8, 1, 77, 255] {
        let secret =
            TotpSecret::from_random(std::array::from_fn(|i| seed.wrapping_add(i as u8 * 13)));
        assert_eq!(
            TotpSecret::from_base32(&secret.display_text()),
            Ok(secret.clone())
        );
        assert_eq!(
            TotpSecret::from_base32(&secret.base32().to_lowercase()),
            Ok(secret)
        );
    }
    assert_eq!(
        TotpSecret::from_base32("ABC1"),
        Err(TotpError::DamagedSecret)
    );
    assert_eq!(
        TotpSecret::from_base32("ABCD"),
        Err(TotpError::DamagedSecret)
    );
}
