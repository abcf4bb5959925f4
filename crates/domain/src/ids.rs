//! Ids of the objects that cross layers, each its own type, so that a meeting's id can never be
//! passed where an agenda item's is meant. The store decodes them with
//! `#[sqlx(try_from = "i64")]` and binds them with [`MeetingId::get`] and friends; pages and
//! paths show them as the bare number.

macro_rules! id_type {
    ($($(#[$m:meta])* $name:ident;)+) => {$(
        $(#[$m])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            ::serde::Serialize, ::serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            pub const fn new(id: i64) -> Self {
                Self(id)
            }

            /// The number as the database keeps it.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                Self(id)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    )+};
}

id_type! {
    /// A person (account).
    PersonId;
    /// A body (gremium): RvB, MSB, VMSD, VMS, an observer body.
    BodyId;
    /// A meeting (A1).
    MeetingId;
    /// An agenda item of a meeting (A2).
    ItemId;
    /// A body's decision on an item (A3).
    DecisionId;
    /// An agreement of the register (B1), also an action from a meeting.
    AgreementId;
    /// A vakgroep (D1).
    VakgroepId;
    /// A care product of a vakgroep (D1).
    CareProductId;
    /// A budget scenario (D7).
    ScenarioId;
    /// A trend input of a vakgroep (D3).
    TrendInputId;
    /// A production import run in the background, with its progress and rejected lines (D2).
    ImportJobId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_and_show_as_bare_numbers() {
        let id: MeetingId = "42".parse().unwrap();
        assert_eq!(id, MeetingId::new(42));
        assert_eq!(id.to_string(), "42");
        assert_eq!(i64::from(id), 42);
        assert!("x".parse::<ItemId>().is_err());
    }
}
