//! The day as people in the hospital count it.

use time::{Date, OffsetDateTime};

/// Today in the Netherlands: the day traffic lights, compliance and due dates are judged on.
pub fn today() -> Date {
    domain::nl::to_amsterdam(OffsetDateTime::now_utc()).date()
}
