//! The TOTP secret at rest: sealed with XChaCha20-Poly1305 under the server's key
//! (`GG_SECRET_KEY`), so a copy of the database or a backup alone does not let anyone compute a
//! person's codes. The key never enters the database.
//!
//! A sealed value is `[version][24-byte nonce][ciphertext + 16-byte tag]`; 61 bytes for a TOTP
//! secret. Version 1 means "XChaCha20-Poly1305 under the current key" and is itself
//! authenticated (it is the associated data), so it cannot be flipped. Rotating the key later
//! gets a new version (e.g. one that names the key), and `open` can then try the old key for
//! old values while everything is re-sealed.
//!
//! The 24-byte nonce is what makes random nonces safe: with 192 bits, two values sealed under
//! one key never share a nonce in practice, so the caller just takes fresh random bytes every
//! time (ChaCha20-Poly1305's 12-byte nonce would need a counter kept somewhere).

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use std::fmt;

pub const KEY_BYTES: usize = 32;
pub const NONCE_BYTES: usize = 24;
const TAG_BYTES: usize = 16;
pub const SEAL_VERSION: u8 = 1;
/// Name of the environment variable, for messages to the operator.
pub const KEY_VARIABLE: &str = "GG_SECRET_KEY";

/// The 256-bit key that seals secrets. Debug output never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; KEY_BYTES]);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

/// Why the key text was refused. English: the reader is whoever runs the server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error(
        "{KEY_VARIABLE} is empty. Set it to 32 random bytes as 64 hexadecimal characters, e.g. the output of `openssl rand -hex 32`."
    )]
    Empty,
    #[error(
        "{KEY_VARIABLE} is not a key: it must be 32 random bytes written as 64 hexadecimal characters or as base64 (43 or 44 characters); the value given has {0} characters. Generate one with `openssl rand -hex 32`."
    )]
    NotEncoded(usize),
    #[error(
        "{KEY_VARIABLE} holds {0} bytes; it must be exactly 32 (256 bits). Generate one with `openssl rand -hex 32`."
    )]
    WrongLength(usize),
    #[error(
        "{KEY_VARIABLE} does not look random (it repeats too few byte values). Generate one with `openssl rand -hex 32`."
    )]
    NotRandom,
}

impl SecretKey {
    pub fn from_bytes(bytes: [u8; KEY_BYTES]) -> Self {
        Self(bytes)
    }

    /// Reads the key's text form: 64 hexadecimal characters (either case), or base64 of 32
    /// bytes (standard or URL-safe alphabet, with or without padding). Surrounding white space,
    /// such as a key file's final newline, is ignored. Anything shorter, longer or patterned is
    /// refused rather than stretched: a weak key would quietly make the encryption decorative.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(KeyError::Empty);
        }
        let characters = text.chars().count();
        // Hex unless it has base64's length: a 43- or 44-character text of hex digits is
        // base64 that happens to use only those letters, not a 21½-byte hex key.
        let hex_digits = text.bytes().all(|b| b.is_ascii_hexdigit());
        let bytes = if hex_digits && !matches!(text.len(), 43 | 44) {
            hex::decode(text).map_err(|_| KeyError::NotEncoded(characters))?
        } else {
            decode_base64(text).ok_or(KeyError::NotEncoded(characters))?
        };
        let bytes: [u8; KEY_BYTES] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| KeyError::WrongLength(bytes.len()))?;
        // 32 random bytes show about 30 different values; fewer than 16 happens by chance for
        // about one key in 2^55, but always for a typed pattern or a zeroed buffer.
        let distinct = bytes.iter().collect::<std::collections::HashSet<_>>().len();
        if distinct < 16 {
            return Err(KeyError::NotRandom);
        }
        Ok(Self(bytes))
    }

    /// The text form written to a new key file (hex and a newline), from 32 random bytes.
    pub fn to_text(&self) -> String {
        format!("{}\n", hex::encode(self.0))
    }

    /// A separate key for another purpose (e.g. signing unsubscribe links), so that one key in
    /// the configuration serves several uses without any two of them sharing key material:
    /// SHA-256 over a context label and the key.
    pub fn derive(&self, context: &str) -> [u8; KEY_BYTES] {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        hasher.update(b"gelijkgericht key derivation v1\0");
        hasher.update(context.as_bytes());
        hasher.update([0]);
        hasher.update(self.0);
        hasher.finalize().into()
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&Key::from(self.0))
    }
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(text).ok())
}

/// Why a sealed value could not be opened. English: this reaches the log, not a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("sealed value too short ({0} bytes)")]
    Truncated(usize),
    #[error("sealed value has unknown version {0}")]
    UnknownVersion(u8),
    /// The AEAD cannot tell a wrong key from altered bytes, and neither can we.
    #[error("sealed value does not open: wrong {KEY_VARIABLE} or altered data")]
    NotAuthentic,
}

/// Seals `plaintext` under `key`. `nonce` must be fresh random bytes for every call.
pub fn seal(key: &SecretKey, nonce: &[u8; NONCE_BYTES], plaintext: &[u8]) -> Vec<u8> {
    let header = [SEAL_VERSION];
    let ciphertext = key
        .cipher()
        .encrypt(
            &XNonce::from(*nonce),
            Payload {
                msg: plaintext,
                aad: &header,
            },
        )
        .expect("XChaCha20-Poly1305 encrypts any message shorter than 256 GiB");
    let mut out = Vec::with_capacity(1 + NONCE_BYTES + ciphertext.len());
    out.extend_from_slice(&header);
    out.extend_from_slice(nonce);
    out.extend_from_slice(&ciphertext);
    out
}

/// Opens what `seal` made, checking that it was made under this key and not changed since.
pub fn open(key: &SecretKey, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
    if sealed.len() < 1 + NONCE_BYTES + TAG_BYTES {
        return Err(SealError::Truncated(sealed.len()));
    }
    let (header, rest) = sealed.split_at(1);
    if header[0] != SEAL_VERSION {
        return Err(SealError::UnknownVersion(header[0]));
    }
    let (nonce, ciphertext) = rest.split_at(NONCE_BYTES);
    let nonce: [u8; NONCE_BYTES] = nonce.try_into().expect("split at NONCE_BYTES");
    key.cipher()
        .decrypt(
            &XNonce::from(nonce),
            Payload {
                msg: ciphertext,
                aad: header,
            },
        )
        .map_err(|_| SealError::NotAuthentic)
}

#[cfg(test)]
#[path = "sealing_tests.rs"]
mod tests;
