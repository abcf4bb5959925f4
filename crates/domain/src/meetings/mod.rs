//! Meetings (product.md A1–A7): the life of a meeting, its agenda and timing, decisions per body,
//! voting rules and the iCal feed. Plain functions over plain data; the store and web crates
//! supply the rows and show the results.

/// Like `people::string_enum!`, which is private to that module. Serde goes through the code
/// rather than the variant name so that forms, the database and JSON all use one spelling.
macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident {
        $($(#[$vm:meta])* $variant:ident => $code:literal, $label:literal;)+
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code stored in the database and used in forms.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Dutch label shown to people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.label())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let code = <String as ::serde::Deserialize>::deserialize(d)?;
                Self::parse(&code).ok_or_else(|| {
                    <D::Error as ::serde::de::Error>::unknown_variant(&code, &[$($code),+])
                })
            }
        }
    };
}

pub mod agenda;
pub mod decisions;
pub mod filetype;
pub mod ical;
pub mod kinds;
pub mod status;
pub mod voting;
