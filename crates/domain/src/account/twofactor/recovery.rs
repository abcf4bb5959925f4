//! Recovery codes: ten single-use codes for the day the phone is lost, shown once at enrolment
//! and stored only as hashes.
//!
//! Each code is 16 characters of Crockford's base32 (`0-9 a-z` without `i l o u`), shown as
//! `7kq2-m9xd-4hwt-0bzc`: 80 random bits. People read them off paper, so the alphabet has no
//! letters that look like a digit, and when checking, the look-alikes that do slip in (`o` for
//! `0`, `i`/`l` for `1`), upper case, dashes and spaces are forgiven.
//!
//! Why plain SHA-256 and not Argon2 like passwords: a slow hash protects secrets people choose,
//! which are few enough to try one by one. These codes are 80 bits from a secure generator: even
//! with a stolen table of ten thousand hashes, finding any one code takes about 2^67 SHA-256
//! computations, decades for a rack of GPUs. A slow hash would add nothing there, and would cost
//! every sign-in with a code ten Argon2 computations (one per unused code, each with its own
//! salt) — a lever for whoever wants to load the server. This is also why the codes have 16
//! characters and not 10: at 50 bits, a fast hash *would* fall within hours.

use sha2::{Digest, Sha256};

pub const RECOVERY_CODE_COUNT: usize = 10;
/// Characters per code, each carrying 5 bits.
pub const RECOVERY_CODE_CHARS: usize = 16;
/// One random byte per character: the low five bits pick it, so every character is equally
/// likely (256 is a multiple of 32) and the caller needs no bit-packing.
pub const RECOVERY_RANDOM_BYTES: usize = RECOVERY_CODE_COUNT * RECOVERY_CODE_CHARS;

/// Crockford's base32 alphabet, lower case: no i, l, o or u.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// Domain separation: these hashes can never equal a session or link token's hash.
const HASH_CONTEXT: &[u8] = b"gelijkgericht recovery code v1\0";

/// The SHA-256 of a code in its canonical form, as stored.
pub type RecoveryCodeHash = [u8; 32];

/// A code as shown once to the person, with the hash to store for it.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode {
    text: String,
}

impl std::fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCode(…)")
    }
}

impl RecoveryCode {
    /// `7kq2-m9xd-4hwt-0bzc`: groups of four are easier to copy and compare.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn hash(&self) -> RecoveryCodeHash {
        hash_canonical(&self.text.replace('-', ""))
    }
}

/// Why a typed recovery code was not accepted; the messages are for the sign-in form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RecoveryError {
    #[error(
        "Een herstelcode bestaat uit 16 letters en cijfers, zoals 7kq2-m9xd-4hwt-0bzc. Controleer wat u hebt ingevuld."
    )]
    Malformed,
    /// Unknown and already used look the same: the used ones are not passed in.
    #[error("Deze herstelcode klopt niet of is al gebruikt.")]
    NotFound,
}

/// Ten new codes from the caller's `RECOVERY_RANDOM_BYTES` bytes of a cryptographically secure
/// generator. They replace any earlier set entirely (the caller deletes the old hashes).
pub fn generate_recovery_codes(random: &[u8; RECOVERY_RANDOM_BYTES]) -> Vec<RecoveryCode> {
    random
        .chunks(RECOVERY_CODE_CHARS)
        .map(|chunk| {
            let chars: Vec<char> = chunk
                .iter()
                .map(|b| ALPHABET[usize::from(b & 0x1f)] as char)
                .collect();
            let groups: Vec<String> = chars.chunks(4).map(|g| g.iter().collect()).collect();
            RecoveryCode {
                text: groups.join("-"),
            }
        })
        .collect()
}

/// The canonical form of what someone typed: lower case, without dashes and white space, with
/// Crockford's look-alikes read as the digits they resemble. `None` when it cannot be a code.
fn canonical(typed: &str) -> Option<String> {
    let mut out = String::with_capacity(RECOVERY_CODE_CHARS);
    for c in typed.chars() {
        let c = match c.to_ascii_lowercase() {
            c if c == '-' || c.is_whitespace() => continue,
            'o' => '0',
            'i' | 'l' => '1',
            c if c.is_ascii() && ALPHABET.contains(&(c as u8)) => c,
            _ => return None,
        };
        out.push(c);
    }
    (out.len() == RECOVERY_CODE_CHARS).then_some(out)
}

fn hash_canonical(canonical: &str) -> RecoveryCodeHash {
    let mut hasher = Sha256::new();
    hasher.update(HASH_CONTEXT);
    hasher.update(canonical.as_bytes());
    hasher.finalize().into()
}

/// The hash to look up for a typed code, e.g. in a single
/// `UPDATE … SET used_at = now() WHERE person_id = $1 AND code_hash = $2 AND used_at IS NULL`,
/// which also settles two simultaneous uses of one code.
pub fn hash_typed_code(typed: &str) -> Result<RecoveryCodeHash, RecoveryError> {
    canonical(typed)
        .map(|c| hash_canonical(&c))
        .ok_or(RecoveryError::Malformed)
}

/// Which of the person's unused codes was typed: the index into `unused`, for the caller to mark
/// as used. A plain comparison suffices: timing could at most reveal bytes of a hash, and a
/// SHA-256 prefix tells nothing about the code behind it.
pub fn find_recovery_code(
    typed: &str,
    unused: &[RecoveryCodeHash],
) -> Result<usize, RecoveryError> {
    let hash = hash_typed_code(typed)?;
    unused
        .iter()
        .position(|stored| *stored == hash)
        .ok_or(RecoveryError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Deterministic bytes that look random enough for these tests.
    fn random(seed: u8) -> [u8; RECOVERY_RANDOM_BYTES] {
        std::array::from_fn(|i| Sha256::digest([seed, i as u8])[0])
    }

    #[test]
    fn ten_readable_codes_of_eighty_bits() {
        let codes = generate_recovery_codes(&random(1));
        assert_eq!(codes.len(), RECOVERY_CODE_COUNT);
        for code in &codes {
            let text = code.as_str();
            assert_eq!(text.len(), 19, "{text}");
            assert_eq!(text.matches('-').count(), 3);
            assert!(
                text.chars()
                    .all(|c| c == '-' || ALPHABET.contains(&(c as u8))),
                "{text}"
            );
            assert!(!text.contains(['i', 'l', 'o', 'u']), "{text}");
        }
        let distinct: std::collections::HashSet<_> = codes.iter().map(|c| c.hash()).collect();
        assert_eq!(distinct.len(), RECOVERY_CODE_COUNT);
        assert_eq!(ALPHABET.len(), 32);
    }

    #[test]
    fn every_character_is_equally_likely() {
        // 256 byte values map onto 32 characters exactly 8 times each.
        let mut counts = [0u32; 32];
        for b in 0..=255u8 {
            counts[usize::from(b & 0x1f)] += 1;
        }
        assert!(counts.iter().all(|&n| n == 8));
    }

    #[test]
    fn a_code_is_found_however_it_is_typed() {
        let codes = generate_recovery_codes(&random(7));
        let hashes: Vec<RecoveryCodeHash> = codes.iter().map(RecoveryCode::hash).collect();
        let third = codes[2].as_str();
        let plain = third.replace('-', "");
        for typed in [
            third.to_string(),
            third.to_uppercase(),
            plain.clone(),
            format!("  {} ", plain.to_uppercase()),
            third.replace('-', " "),
            // Someone reading 0 as the letter o and 1 as l.
            third.replace('0', "o").replace('1', "l"),
        ] {
            assert_eq!(find_recovery_code(&typed, &hashes), Ok(2), "{typed:?}");
        }
    }

    #[test]
    fn a_used_code_is_not_accepted_again() {
        let codes = generate_recovery_codes(&random(3));
        let mut unused: Vec<RecoveryCodeHash> = codes.iter().map(RecoveryCode::hash).collect();
        let typed = codes[4].as_str();
        let index = find_recovery_code(typed, &unused).unwrap();
        assert_eq!(index, 4);
        // The caller marks it used; the next lookup only gets the unused ones.
        unused.remove(index);
        assert_eq!(
            find_recovery_code(typed, &unused),
            Err(RecoveryError::NotFound)
        );
        // The others still work.
        assert_eq!(find_recovery_code(codes[5].as_str(), &unused), Ok(4));
    }

    #[test]
    fn malformed_and_unknown_codes_are_refused() {
        let codes = generate_recovery_codes(&random(9));
        let hashes: Vec<RecoveryCodeHash> = codes.iter().map(RecoveryCode::hash).collect();
        let good = codes[0].as_str().to_string();
        for typed in [
            String::new(),
            good[..18].to_string(),
            format!("{good}x"),
            good.replacen(|c: char| c.is_ascii_alphanumeric(), "u", 1),
            good.replacen(|c: char| c.is_ascii_alphanumeric(), "!", 1),
            good.replacen(|c: char| c.is_ascii_alphanumeric(), "é", 1),
        ] {
            assert_eq!(
                find_recovery_code(&typed, &hashes),
                Err(RecoveryError::Malformed),
                "{typed:?}"
            );
        }
        let other = generate_recovery_codes(&random(10));
        assert_eq!(
            find_recovery_code(other[0].as_str(), &hashes),
            Err(RecoveryError::NotFound)
        );
        assert_eq!(find_recovery_code(&good, &[]), Err(RecoveryError::NotFound));
    }

    #[test]
    fn hashes_are_sha256_of_the_canonical_code_with_a_context() {
        let code = &generate_recovery_codes(&[0; RECOVERY_RANDOM_BYTES])[0];
        assert_eq!(code.as_str(), "0000-0000-0000-0000");
        let mut expected = Sha256::new();
        expected.update(b"gelijkgericht recovery code v1\0");
        expected.update(b"0000000000000000");
        assert_eq!(code.hash(), <[u8; 32]>::from(expected.finalize()));
        assert_eq!(hash_typed_code("OOOO OOOO OOOO OOOO"), Ok(code.hash()));
        assert_eq!(format!("{code:?}"), "RecoveryCode(…)");
    }

    proptest! {
        #[test]
        fn generated_codes_always_check(
            bytes in prop::collection::vec(any::<u8>(), RECOVERY_RANDOM_BYTES),
        ) {
            let random: [u8; RECOVERY_RANDOM_BYTES] = bytes.try_into().unwrap();
            for code in generate_recovery_codes(&random) {
                prop_assert_eq!(hash_typed_code(code.as_str()), Ok(code.hash()));
                prop_assert_eq!(hash_typed_code(&code.as_str().to_uppercase()), Ok(code.hash()));
            }
        }
    }
}
