//! Time-based one-time passwords (RFC 6238) as every authenticator app computes them: HMAC-SHA-1,
//! six digits, a new code every 30 seconds. The arithmetic is `totp-rs`; what is ours is the
//! window, the replay rule, what people may type, and the Dutch messages.

use crate::people::Email;
use std::fmt;
use time::OffsetDateTime;
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// Shown as the account's issuer in the app and used as the label's prefix.
pub const ISSUER: &str = "Gelijkgericht";
/// 160 bits, RFC 4226's recommended length, and what Google Authenticator and its kin expect.
pub const SECRET_BYTES: usize = 20;
/// Every app's default; other values are silently ignored by some apps, which then show codes
/// that never match.
pub const STEP_SECONDS: u64 = 30;
pub const DIGITS: usize = 6;
/// Codes from one step before or after the current one are accepted too (RFC 6238 §5.2): a phone
/// clock a little off, or a code typed just as it turned over. Wider would only help guessers.
pub const WINDOW_STEPS: u64 = 1;

/// Why a code was not accepted. The messages are for the person at the sign-in form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    #[error("Vul de zes cijfers in die uw authenticator-app nu toont.")]
    Malformed,
    #[error(
        "Deze code klopt niet. Gebruik de nieuwste code uit uw authenticator-app en controleer of de klok van uw telefoon goed staat."
    )]
    Wrong,
    #[error("Deze code is al gebruikt. Wacht tot uw authenticator-app een nieuwe code toont.")]
    AlreadyUsed,
    /// The stored secret has the wrong length: the data is damaged, not the person's fault.
    #[error(
        "De gegevens voor de tweede stap zijn beschadigd. Vraag de beheerder deze opnieuw in te stellen."
    )]
    DamagedSecret,
}

/// The secret shared with the authenticator app. Debug output never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret([u8; SECRET_BYTES]);

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(…)")
    }
}

impl TotpSecret {
    /// A new secret from 20 bytes the caller took from a cryptographically secure generator.
    pub fn from_random(bytes: [u8; SECRET_BYTES]) -> Self {
        Self(bytes)
    }

    /// The secret as stored (after `sealing::open`).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, TotpError> {
        <[u8; SECRET_BYTES]>::try_from(bytes)
            .map(Self)
            .map_err(|_| TotpError::DamagedSecret)
    }

    /// The secret from its base32 text as the enrolment page shows it (groups, any case): what an
    /// app does when someone types the key in by hand, and what tests do to play the app.
    pub fn from_base32(text: &str) -> Result<Self, TotpError> {
        const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        let (mut bits, mut count, mut out) = (0u32, 0u32, Vec::with_capacity(SECRET_BYTES));
        for c in text
            .bytes()
            .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        {
            let value = ALPHABET
                .iter()
                .position(|a| *a == c.to_ascii_uppercase())
                .ok_or(TotpError::DamagedSecret)?;
            bits = (bits << 5 | value as u32) & 0xFFFF;
            count += 5;
            if count >= 8 {
                count -= 8;
                out.push((bits >> count) as u8);
            }
        }
        Self::from_bytes(&out)
    }

    pub fn as_bytes(&self) -> &[u8; SECRET_BYTES] {
        &self.0
    }

    /// RFC 4648 base32 without padding (20 bytes make exactly 32 characters), as in the URI.
    pub fn base32(&self) -> String {
        Secret::new_stack(self.0).to_base32()
    }

    /// The base32 text in groups of four for someone typing it into an app by hand:
    /// `JBSW Y3DP EHPK 3PXP …`. Apps ignore the spaces.
    pub fn display_text(&self) -> String {
        let plain = self.base32();
        let groups: Vec<&str> = plain
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).expect("base32 is ASCII"))
            .collect();
        groups.join(" ")
    }

    /// The key URI that the QR code carries (Google's "Key Uri Format", which every app reads):
    /// `otpauth://totp/Gelijkgericht:<email>?secret=…&issuer=Gelijkgericht`. Algorithm, digits
    /// and period are the defaults and left out, as some apps mishandle them when present.
    pub fn otpauth_uri(&self, account: &Email) -> String {
        format!(
            "otpauth://totp/{ISSUER}:{}?secret={}&issuer={ISSUER}",
            encode_label(account.as_str()),
            self.base32()
        )
    }

    fn totp(&self) -> Totp {
        // Skew 0: `verify` walks the window itself, so it knows which step matched and can skip
        // the steps already used.
        Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(DIGITS as u8)
            .with_step_duration(STEP_SECONDS)
            .with_skew(0)
            .with_secret(Secret::new_stack(self.0))
            .build()
            .expect("20-byte secret, 6 digits and a 30 s step are valid RFC 6238 parameters")
    }
}

/// Percent-encodes an e-mail address for the URI's label. `@` may stay (RFC 3986 allows it in a
/// path, and apps show the label as typed); a `:` must not, as it separates issuer and account.
fn encode_label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'@') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The number of the 30-second step an instant falls in (RFC 6238's T). Instants before 1970
/// count as step 0; no real clock shows them.
pub fn step_at(now: OffsetDateTime) -> u64 {
    u64::try_from(now.unix_timestamp()).unwrap_or(0) / STEP_SECONDS
}

/// The code an app shows at `now`, for tests and demo tooling; sign-in goes through `verify`.
pub fn code_at(secret: &TotpSecret, now: OffsetDateTime) -> String {
    let unix = u64::try_from(now.unix_timestamp()).unwrap_or(0);
    secret.totp().generate(unix).to_string()
}

/// The six digits someone typed, with any spaces (`123 456`, as apps show it) removed.
fn typed_digits(code: &str) -> Result<String, TotpError> {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() == DIGITS && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(TotpError::Malformed)
    }
}

/// Checks a typed code at `now`. Accepted: the code of the current step or of one step either
/// side, provided that step is later than `last_used_step`. Returns the step that matched, which
/// the caller stores as the new `last_used_step` in the same transaction as the sign-in, so the
/// same code (or an older one) cannot be used again — RFC 6238 §5.2's "only once".
pub fn verify(
    secret: &TotpSecret,
    code: &str,
    now: OffsetDateTime,
    last_used_step: Option<u64>,
) -> Result<u64, TotpError> {
    let digits = typed_digits(code)?;
    let totp = secret.totp();
    let current = step_at(now);
    let mut replayed = false;
    // Every step of the window is computed, whatever matches first, so the time taken does not
    // say which step the code belonged to. The comparison itself is constant-time in totp-rs.
    let mut accepted = None;
    for step in current.saturating_sub(WINDOW_STEPS)..=current + WINDOW_STEPS {
        let matches = totp.check(&digits, step * STEP_SECONDS).is_some();
        if !matches {
            continue;
        }
        if last_used_step.is_some_and(|used| step <= used) {
            replayed = true;
        } else if accepted.is_none() {
            accepted = Some(step);
        }
    }
    match accepted {
        Some(step) => Ok(step),
        None if replayed => Err(TotpError::AlreadyUsed),
        None => Err(TotpError::Wrong),
    }
}

#[cfg(test)]
#[path = "totp_tests.rs"]
mod tests;
