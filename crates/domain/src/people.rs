//! People, bodies (gremia), roles and vakgroepen (product.md §0).

mod body_draft;
mod draft;

pub use body_draft::{BodyDraft, BodyForm, VakgroepDraft, VakgroepForm};
pub use draft::{BodySeats, MembershipDraft, MembershipForm, PersonDraft, PersonForm};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A validation problem with one field, phrased in Dutch for the form that showed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// An e-mail address, trimmed and lower-cased so that logins are case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let value = input.trim().to_lowercase();
        let err = |m: &str| Err(FieldError::new("email", m));
        if value.is_empty() {
            return err("Vul een e-mailadres in.");
        }
        if value.len() > 254 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return err("Dit is geen geldig e-mailadres.");
        }
        match value.split_once('@') {
            Some((local, domain))
                if !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.') =>
            {
                Ok(Self(value))
            }
            _ => err("Dit is geen geldig e-mailadres."),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let value = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if value.is_empty() {
            return Err(FieldError::new("name", "Vul een naam in."));
        }
        if value.chars().count() > 120 {
            return Err(FieldError::new(
                "name",
                "Een naam mag hoogstens 120 tekens lang zijn.",
            ));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How a page or a mail addresses a person: the first word of their name ("Welkom, Marieke",
/// "Beste Marieke"); empty for an empty name.
pub fn first_name(full: &str) -> &str {
    full.split_whitespace().next().unwrap_or("")
}

code_enum! {
    /// What a person does in the application; a person can hold several roles.
    Role {
        Bestuurder => "bestuurder", "Bestuurder";
        Secretaris => "secretaris", "Secretaris";
        Vakgroep => "vakgroep", "Vakgroepvertegenwoordiger";
        Controller => "controller", "Controller";
        Beheerder => "beheerder", "Beheerder";
        Toehoorder => "toehoorder", "Toehoorder";
    }
}

code_enum! {
    /// A person's function in a body. Seats (voorzitter, lid) vote and speak for the body;
    /// a secretary records for it; an adviser only takes part.
    Position {
        Voorzitter => "voorzitter", "Voorzitter";
        Lid => "lid", "Lid";
        Secretaris => "secretaris", "Secretaris";
        Adviseur => "adviseur", "Adviseur";
    }
}

impl Position {
    pub fn has_seat(self) -> bool {
        matches!(self, Position::Voorzitter | Position::Lid)
    }
}

code_enum! {
    /// How a member of MSB+ works for the hospital.
    EmploymentForm {
        Vrijgevestigd => "vrijgevestigd", "Vrijgevestigd";
        Dienstverband => "dienstverband", "In dienstverband";
    }
}

code_enum! {
    /// The kind of a body: an executive board, part of MSB+, or an observer.
    BodyKind {
        Bestuur => "bestuur", "Raad van Bestuur";
        MsbPlus => "msbplus", "Onderdeel van MSB+";
        Toezicht => "toezicht", "Toehoorder (bv. RvT, Cliëntenraad)";
    }
}

code_enum! {
    /// The kind of a vakgroep (seed 003).
    VakgroepKind {
        Poort => "poortspecialisme", "Poortspecialisme";
        Ondersteunend => "ondersteunend", "Ondersteunend specialisme";
        Acuut => "acuut", "Acute zorg";
    }
}

/// A short code for a body (RvB, MSB, VMSD, VMS): letters, digits and '+', at most 12.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct BodyCode(String);

impl BodyCode {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let value = input.trim();
        if value.is_empty() {
            return Err(FieldError::new("code", "Vul een afkorting in."));
        }
        if value.chars().count() > 12
            || !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '+')
        {
            return Err(FieldError::new(
                "code",
                "Een afkorting bestaat uit hoogstens 12 letters, cijfers of '+'.",
            ));
        }
        Ok(Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A vakgroep code such as `CAR` or `KNO`: 2–10 capital letters or digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct VakgroepCode(String);

impl VakgroepCode {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let value = input.trim().to_uppercase();
        let len = value.chars().count();
        if !(2..=10).contains(&len) || !value.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(FieldError::new(
                "code",
                "Een vakgroepcode bestaat uit 2 tot 10 letters of cijfers, bijvoorbeeld CAR.",
            ));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The impls a hospital-defined code shares: read as stored (a stored code that does not follow
/// its rule is an error naming it, never repaired), shown as itself, compared with text.
macro_rules! stored_code {
    ($($name:ident, $what:literal;)+) => {$(
        impl TryFrom<String> for $name {
            type Error = FieldError;

            fn try_from(stored: String) -> Result<Self, Self::Error> {
                match Self::parse(&stored) {
                    Ok(code) if code.0 == stored => Ok(code),
                    _ => Err(FieldError::new("code", format!(concat!($what, " {:?}"), stored))),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    )+};
}

stored_code! {
    VakgroepCode, "ongeldige vakgroepcode";
    BodyCode, "ongeldige afkorting";
}

impl BodyCode {
    /// Codes as one line, e.g. `RvB, MSB`.
    pub fn join(codes: &[BodyCode], separator: &str) -> String {
        let codes: Vec<&str> = codes.iter().map(BodyCode::as_str).collect();
        codes.join(separator)
    }
}

/// The rule that ties employment form to bodies: a body whose seats are for one employment form
/// (`seats`, set in Beheer › Gremia: the MSB's for self-employed specialists, the VMSD's for
/// employed ones) takes no member of the other form; other bodies take both. `body_code` only
/// names the body in the message.
pub fn check_employment_form(
    body_code: &str,
    seats: Option<EmploymentForm>,
    form: Option<EmploymentForm>,
) -> Result<(), FieldError> {
    match (seats, form) {
        (Some(seats), Some(form)) if seats != form => Err(FieldError::new(
            "employment_form",
            misfit_message(body_code, seats),
        )),
        _ => Ok(()),
    }
}

fn misfit_message(body_code: &str, seats: EmploymentForm) -> String {
    match seats {
        EmploymentForm::Vrijgevestigd => format!(
            "Leden van {body_code} zijn vrijgevestigd; kies voor een specialist in dienstverband een gremium van specialisten in dienstverband."
        ),
        EmploymentForm::Dienstverband => format!(
            "Leden van {body_code} zijn in dienstverband; kies voor een vrijgevestigde specialist een gremium van vrijgevestigde specialisten."
        ),
    }
}

/// Binding a body's seats to one employment form must fit its members as they are: the members
/// of the other form are named, so the administrator can move them first.
pub fn check_seat_employment_form<'a>(
    body_code: &str,
    seats: Option<EmploymentForm>,
    members: impl IntoIterator<Item = (&'a str, Option<EmploymentForm>)>,
) -> Result<(), FieldError> {
    let Some(seats) = seats else {
        return Ok(());
    };
    let misfits: Vec<&str> = members
        .into_iter()
        .filter(|(_, form)| form.is_some_and(|f| f != seats))
        .map(|(name, _)| name)
        .collect();
    if misfits.is_empty() {
        return Ok(());
    }
    Err(FieldError::new(
        "seat_employment_form",
        format!(
            "{} Dat past niet bij: {}. Pas eerst hun lidmaatschap aan.",
            misfit_message(body_code, seats),
            misfits.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_person_is_addressed_by_the_first_word_of_their_name() {
        assert_eq!(first_name("Marieke van den Berg"), "Marieke");
        assert_eq!(first_name("  Hans  "), "Hans");
        assert_eq!(first_name(""), "");
    }

    #[test]
    fn stored_codes_are_read_as_they_are_or_refused() {
        assert_eq!(VakgroepCode::try_from("CAR".to_string()).unwrap(), "CAR");
        // A stored code is never repaired: lower case or padding means the row is wrong.
        assert!(VakgroepCode::try_from("car".to_string()).is_err());
        assert!(VakgroepCode::try_from(" CAR".to_string()).is_err());
        assert_eq!(
            BodyCode::try_from("MSB+".to_string()).unwrap().to_string(),
            "MSB+"
        );
        let e = BodyCode::try_from("R v B".to_string()).unwrap_err();
        assert!(e.message.contains("R v B"), "{e}");
        let codes = ["RvB", "MSB"].map(|c| BodyCode::try_from(c.to_string()).unwrap());
        assert_eq!(BodyCode::join(&codes, ", "), "RvB, MSB");
    }

    use super::*;

    #[test]
    fn email_is_normalised_and_validated() {
        assert_eq!(
            Email::parse("  A.Jansen@Rijnoever.NL ").unwrap().as_str(),
            "a.jansen@rijnoever.nl"
        );
        for bad in [
            "", "jansen", "a@b", "a b@c.nl", "@c.nl", "a@@c.nl", "a@c.nl.",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn names_collapse_whitespace_and_have_a_limit() {
        assert_eq!(
            PersonName::parse("  Anna   de  Vries ").unwrap().as_str(),
            "Anna de Vries"
        );
        assert_eq!(PersonName::parse("   ").unwrap_err().field, "name");
        assert!(PersonName::parse(&"x".repeat(121)).is_err());
    }

    #[test]
    fn enums_round_trip_through_their_codes() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.code()), Some(*role));
        }
        for form in EmploymentForm::ALL {
            assert_eq!(EmploymentForm::parse(form.code()), Some(*form));
        }
        assert_eq!(Role::parse("admin"), None);
    }

    #[test]
    fn codes_are_validated() {
        assert_eq!(VakgroepCode::parse(" car ").unwrap().as_str(), "CAR");
        assert!(VakgroepCode::parse("C").is_err());
        assert!(VakgroepCode::parse("CA-R").is_err());
        assert_eq!(BodyCode::parse("MSB+").unwrap().as_str(), "MSB+");
        assert!(BodyCode::parse("M S B").is_err());
    }

    #[test]
    fn employment_form_must_fit_the_body() {
        use EmploymentForm::{Dienstverband as D, Vrijgevestigd as V};
        assert!(check_employment_form("MSB", Some(V), Some(V)).is_ok());
        assert!(check_employment_form("MSB", Some(V), Some(D)).is_err());
        assert!(check_employment_form("VMSD", Some(D), Some(V)).is_err());
        assert!(check_employment_form("VMS", None, Some(D)).is_ok());
        assert!(check_employment_form("RvB", None, None).is_ok());
        assert!(check_employment_form("MSB", Some(V), None).is_ok());
        // The body's attribute decides, not its code.
        let renamed = check_employment_form("MSBR", Some(V), Some(D)).unwrap_err();
        assert!(
            renamed
                .message
                .starts_with("Leden van MSBR zijn vrijgevestigd")
        );
        assert!(check_employment_form("MSB", None, Some(D)).is_ok());
    }

    #[test]
    fn binding_seats_names_the_members_who_do_not_fit() {
        use EmploymentForm::{Dienstverband as D, Vrijgevestigd as V};
        let members = [("Hans", Some(V)), ("Noor", Some(D)), ("Eva", None)];
        assert!(check_seat_employment_form("VMS", None, members).is_ok());
        let err = check_seat_employment_form("VMS", Some(D), members).unwrap_err();
        assert_eq!(err.field, "seat_employment_form");
        assert!(
            err.message
                .ends_with("Dat past niet bij: Hans. Pas eerst hun lidmaatschap aan.")
        );
        assert!(check_seat_employment_form("VMS", Some(D), [("Noor", Some(D))]).is_ok());
    }
}
