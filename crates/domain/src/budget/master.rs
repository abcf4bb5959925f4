//! Rules of the master data per year (D1) that are not about one figure's column (those are in
//! [`super::precision`]).

use crate::people::FieldError;

/// Copying a year's master data goes to another year: onto itself it would only find its own
/// data.
pub fn check_copy(from: i16, to: i16) -> Result<(), FieldError> {
    if from == to {
        return Err(FieldError::new(
            "naar",
            "Kies een ander jaar om naar te kopiëren.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_is_copied_to_another() {
        assert_eq!(check_copy(2026, 2027), Ok(()));
        let e = check_copy(2027, 2027).unwrap_err();
        assert_eq!(
            (e.field, e.message.as_str()),
            ("naar", "Kies een ander jaar om naar te kopiëren.")
        );
    }
}
