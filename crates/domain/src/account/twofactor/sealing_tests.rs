use super::*;
use proptest::prelude::*;

/// Distinct-looking bytes without a random generator: 32 different values.
fn key_bytes(seed: u8) -> [u8; KEY_BYTES] {
    std::array::from_fn(|i| (i as u8).wrapping_mul(7).wrapping_add(seed))
}

fn key(seed: u8) -> SecretKey {
    SecretKey::from_bytes(key_bytes(seed))
}

const NONCE: [u8; NONCE_BYTES] = [9; NONCE_BYTES];
const TOTP_SECRET: &[u8] = b"12345678901234567890";

#[test]
fn sealed_secrets_open_again() {
    let sealed = seal(&key(1), &NONCE, TOTP_SECRET);
    assert_eq!(sealed.len(), 1 + 24 + 20 + 16);
    assert_eq!(sealed[0], SEAL_VERSION);
    assert_eq!(&sealed[1..25], &NONCE);
    assert!(
        !sealed.windows(TOTP_SECRET.len()).any(|w| w == TOTP_SECRET),
        "the plaintext must not appear in the sealed value"
    );
    assert_eq!(open(&key(1), &sealed).unwrap(), TOTP_SECRET);
    assert_eq!(open(&key(1), &seal(&key(1), &NONCE, b"")).unwrap(), b"");
}

#[test]
fn a_fresh_nonce_gives_a_different_sealed_value() {
    let a = seal(&key(1), &NONCE, TOTP_SECRET);
    let b = seal(&key(1), &[10; NONCE_BYTES], TOTP_SECRET);
    assert_ne!(a[25..], b[25..]);
    assert_eq!(open(&key(1), &b).unwrap(), TOTP_SECRET);
}

#[test]
fn every_altered_byte_is_detected() {
    let sealed = seal(&key(1), &NONCE, TOTP_SECRET);
    for i in 0..sealed.len() {
        let mut altered = sealed.clone();
        altered[i] ^= 0x01;
        let expected = if i == 0 {
            SealError::UnknownVersion(SEAL_VERSION ^ 0x01)
        } else {
            SealError::NotAuthentic
        };
        assert_eq!(open(&key(1), &altered), Err(expected), "byte {i}");
    }
}

#[test]
fn the_wrong_key_is_refused() {
    let sealed = seal(&key(1), &NONCE, TOTP_SECRET);
    assert_eq!(open(&key(2), &sealed), Err(SealError::NotAuthentic));
}

#[test]
fn truncated_and_unknown_values_are_refused() {
    let sealed = seal(&key(1), &NONCE, TOTP_SECRET);
    assert_eq!(open(&key(1), &[]), Err(SealError::Truncated(0)));
    assert_eq!(open(&key(1), &sealed[..40]), Err(SealError::Truncated(40)));
    assert_eq!(
        open(&key(1), &sealed[..sealed.len() - 1]),
        Err(SealError::NotAuthentic)
    );
    let mut v2 = sealed.clone();
    v2[0] = 2;
    assert_eq!(open(&key(1), &v2), Err(SealError::UnknownVersion(2)));
}

#[test]
fn keys_are_read_from_hex_or_base64() {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    let bytes = key_bytes(200);
    let expected = SecretKey::from_bytes(bytes);
    let hex_text = hex::encode(bytes);
    for text in [
        hex_text.clone(),
        hex_text.to_uppercase(),
        format!("  {hex_text}\n"),
        STANDARD.encode(bytes),
        URL_SAFE_NO_PAD.encode(bytes),
        format!("{}\r\n", STANDARD.encode(bytes)),
    ] {
        assert_eq!(SecretKey::parse(&text), Ok(expected.clone()), "{text:?}");
    }
    assert_eq!(SecretKey::parse(&expected.to_text()), Ok(expected));
}

#[test]
fn weak_or_malformed_keys_are_refused_with_a_clear_message() {
    use base64::engine::general_purpose::STANDARD;
    let bytes = key_bytes(5);
    assert_eq!(SecretKey::parse(""), Err(KeyError::Empty));
    assert_eq!(SecretKey::parse(" \n"), Err(KeyError::Empty));
    // Too short: 31 bytes in hex and in base64, 16 bytes (128 bits) in hex.
    assert_eq!(
        SecretKey::parse(&hex::encode(&bytes[..31])),
        Err(KeyError::WrongLength(31))
    );
    assert_eq!(
        SecretKey::parse(&STANDARD.encode(&bytes[..31])),
        Err(KeyError::WrongLength(31))
    );
    assert_eq!(
        SecretKey::parse(&hex::encode(&bytes[..16])),
        Err(KeyError::WrongLength(16))
    );
    // Too long is not cut down either.
    assert_eq!(
        SecretKey::parse(&format!("{}00", hex::encode(bytes))),
        Err(KeyError::WrongLength(33))
    );
    // A pass phrase is not a key.
    assert_eq!(
        SecretKey::parse("ons geheime ziekenhuiswachtwoord!"),
        Err(KeyError::NotEncoded(33))
    );
    assert_eq!(
        SecretKey::parse(&"g".repeat(64)),
        Err(KeyError::WrongLength(48))
    );
    assert_eq!(
        SecretKey::parse(&hex::encode(bytes)[..63]),
        Err(KeyError::NotEncoded(63))
    );
    // Right length, but not random.
    assert_eq!(SecretKey::parse(&"0".repeat(64)), Err(KeyError::NotRandom));
    assert_eq!(
        SecretKey::parse(&"0123456789abcdef".repeat(4)),
        Err(KeyError::NotRandom)
    );
    let message = KeyError::WrongLength(16).to_string();
    assert!(message.contains("GG_SECRET_KEY") && message.contains("exactly 32"));
    assert!(KeyError::Empty.to_string().contains("openssl rand -hex 32"));
}

#[test]
fn the_key_stays_out_of_debug_output() {
    assert_eq!(format!("{:?}", key(1)), "SecretKey(…)");
}

proptest! {
    #[test]
    fn anything_sealed_opens_with_its_key_only(
        plaintext in prop::collection::vec(any::<u8>(), 0..100),
        nonce in prop::array::uniform24(any::<u8>()),
        seed in 0u8..=255,
    ) {
        let sealed = seal(&key(seed), &nonce, &plaintext);
        prop_assert_eq!(open(&key(seed), &sealed), Ok(plaintext));
        prop_assert_eq!(open(&key(seed.wrapping_add(1)), &sealed), Err(SealError::NotAuthentic));
    }
}

#[test]
fn derived_keys_differ_per_purpose_and_from_the_key() {
    let key = SecretKey::from_bytes(std::array::from_fn(|i| i as u8 * 7 + 1));
    let a = key.derive("unsubscribe");
    assert_eq!(a, key.derive("unsubscribe"));
    assert_ne!(a, key.derive("other"));
    assert_ne!(a.to_vec(), key.to_text().into_bytes());
    let other = SecretKey::from_bytes(std::array::from_fn(|i| i as u8 * 5 + 2));
    assert_ne!(a, other.derive("unsubscribe"));
}
