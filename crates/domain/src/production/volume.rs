//! Reading one volume field of a production file: a decimal with at most
//! `MAX_VOLUME_INTEGER_DIGITS` digits before and `MAX_VOLUME_DECIMALS` after the separator.

use super::{MAX_VOLUME_DECIMALS, MAX_VOLUME_INTEGER_DIGITS};
use rust_decimal::Decimal;

/// Why a volume could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VolumeError {
    Missing,
    NotANumber(String),
    Negative(String),
    /// More than [`MAX_VOLUME_INTEGER_DIGITS`] digits before the decimal mark.
    TooLarge(String),
    /// More than [`MAX_VOLUME_DECIMALS`] decimals.
    TooManyDecimals(String),
}

impl VolumeError {
    pub fn reason(&self) -> String {
        match self {
            VolumeError::Missing => "Volume ontbreekt.".into(),
            VolumeError::NotANumber(v) => format!(
                "\"{v}\" is geen getal. Schrijf bijvoorbeeld 12 of 12,5 (zonder scheidingstekens voor duizendtallen)."
            ),
            VolumeError::Negative(v) => format!("Negatief volume ({v}): een volume is 0 of meer."),
            VolumeError::TooLarge(v) => format!(
                "\"{v}\" is te groot: een volume heeft ten hoogste {MAX_VOLUME_INTEGER_DIGITS} cijfers voor de komma."
            ),
            VolumeError::TooManyDecimals(v) => format!(
                "\"{v}\" heeft te veel decimalen: een volume heeft ten hoogste {MAX_VOLUME_DECIMALS} cijfers na de komma."
            ),
        }
    }
}

/// A volume as a data warehouse writes it: digits with at most one decimal mark, comma or point
/// (`12`, `12,5`, `12.5`, `+3`). Grouping of thousands is refused: in a machine-written file
/// `1.234` is one point two three four, and guessing would silently import wrong numbers.
pub fn parse_volume(field: &[u8]) -> Result<Decimal, VolumeError> {
    let s = field.trim_ascii();
    let shown = || String::from_utf8_lossy(s).into_owned();
    if s.is_empty() {
        return Err(VolumeError::Missing);
    }
    let (negative, body) = match s[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let mut mantissa: i128 = 0;
    let mut digits = 0u32;
    let mut scale: Option<u32> = None;
    for &b in body {
        match b {
            b'0'..=b'9' => {
                if digits > 0 || b != b'0' {
                    digits += 1;
                }
                if scale.is_none() && digits > MAX_VOLUME_INTEGER_DIGITS {
                    return Err(VolumeError::TooLarge(shown()));
                }
                // The integer part is short by now, so this many digits means decimals; the
                // bound keeps the mantissa within a decimal's 28 digits (and an i128).
                if digits > 28 {
                    return Err(VolumeError::TooManyDecimals(shown()));
                }
                mantissa = mantissa * 10 + i128::from(b - b'0');
                if let Some(sc) = scale.as_mut() {
                    *sc += 1;
                    if *sc > 28 {
                        return Err(VolumeError::TooManyDecimals(shown()));
                    }
                }
            }
            b',' | b'.' if scale.is_none() => scale = Some(0),
            _ => return Err(VolumeError::NotANumber(shown())),
        }
    }
    let scale = scale.unwrap_or(0);
    // At least one digit, and not a bare decimal mark at either end ("5," or ",5" is a typo).
    let has_digit = body.iter().any(u8::is_ascii_digit);
    let mark_at_edge = matches!(body.first(), Some(b',' | b'.'))
        || (scale == 0 && matches!(body.last(), Some(b',' | b'.')));
    if !has_digit || mark_at_edge {
        return Err(VolumeError::NotANumber(shown()));
    }
    if negative && mantissa != 0 {
        return Err(VolumeError::Negative(shown()));
    }
    let value = Decimal::from_i128_with_scale(mantissa, scale).normalize();
    if value.scale() > MAX_VOLUME_DECIMALS {
        return Err(VolumeError::TooManyDecimals(shown()));
    }
    Ok(value)
}
