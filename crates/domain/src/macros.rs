//! The one macro for the domain's code lists.

/// An enum of stable codes with Dutch labels: `ALL`, `code()`, `label()`, `parse()`, `Display`
/// (the label), and strict `TryFrom<&str>`/`TryFrom<String>` for decoding rows (the store's
/// `#[sqlx(try_from = "String")]`): an unknown code is an [`crate::codes::UnknownCode`]. Serde goes through the code rather than the variant name so that forms, the
/// database and JSON all use one spelling.
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

        impl ::std::convert::TryFrom<&str> for $name {
            type Error = $crate::codes::UnknownCode;

            fn try_from(code: &str) -> Result<Self, $crate::codes::UnknownCode> {
                Self::parse(code)
                    .ok_or_else(|| $crate::codes::UnknownCode::new(stringify!($name), code))
            }
        }

        impl ::std::convert::TryFrom<String> for $name {
            type Error = $crate::codes::UnknownCode;

            fn try_from(code: String) -> Result<Self, $crate::codes::UnknownCode> {
                Self::parse(&code)
                    .ok_or_else(|| $crate::codes::UnknownCode::new(stringify!($name), code))
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
