//! The person form's rules (Beheer › Personen, product.md §0): who a person is, which roles
//! they hold, in which bodies they sit and which vakgroepen they represent. The web reads the
//! form, the store writes the checked draft; every rule and its Dutch message lives here.

use super::{
    BodyKind, Email, EmploymentForm, FieldError, PersonName, Position, Role, check_employment_form,
};
use std::collections::BTreeSet;

/// The person form as typed, kept to show it again with the messages.
#[derive(Debug, Default, Clone)]
pub struct PersonForm {
    pub name: String,
    pub email: String,
    pub roles: BTreeSet<String>,
    pub memberships: Vec<MembershipForm>,
    pub vakgroepen: BTreeSet<i64>,
}

/// One ticked body with its typed function and employment form.
#[derive(Debug, Default, Clone)]
pub struct MembershipForm {
    pub body_id: i64,
    pub position: String,
    pub employment_form: String,
}

/// A body as far as the membership rules need it.
#[derive(Debug, Clone, Copy)]
pub struct BodySeats<'a> {
    pub id: i64,
    pub code: &'a str,
    pub kind: BodyKind,
    /// The employment form the body's seats are for (none: any).
    pub seats: Option<EmploymentForm>,
}

/// A person's seat in a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipDraft {
    pub body_id: i64,
    pub position: Position,
    pub employment_form: Option<EmploymentForm>,
}

/// Everything an administrator edits about a person, checked, for one form and one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonDraft {
    pub email: Email,
    pub name: PersonName,
    pub roles: BTreeSet<Role>,
    pub memberships: Vec<MembershipDraft>,
    pub vakgroepen: BTreeSet<i64>,
}

impl PersonDraft {
    /// Checks the whole form against the bodies as they are; every problem is reported at its
    /// field, all at once.
    pub fn parse(form: &PersonForm, bodies: &[BodySeats<'_>]) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let email = Email::parse(&form.email).map_err(|e| errors.push(e)).ok();
        let name = PersonName::parse(&form.name)
            .map_err(|e| errors.push(e))
            .ok();
        let mut roles = BTreeSet::new();
        for code in &form.roles {
            match Role::parse(code) {
                Some(r) => {
                    roles.insert(r);
                }
                None => errors.push(FieldError::new("roles", "Kies alleen rollen uit de lijst.")),
            }
        }
        let mut memberships = Vec::new();
        for m in &form.memberships {
            match membership(m, bodies) {
                Ok(Some(m)) => memberships.push(m),
                Ok(None) => {}
                Err(mut e) => errors.append(&mut e),
            }
        }
        if roles.contains(&Role::Vakgroep) && form.vakgroepen.is_empty() {
            errors.push(FieldError::new(
                "vakgroepen",
                "Kies de vakgroep(en) die deze vertegenwoordiger vertegenwoordigt.",
            ));
        }
        if !roles.contains(&Role::Vakgroep) && !form.vakgroepen.is_empty() {
            errors.push(FieldError::new(
                "vakgroepen",
                "Alleen een vakgroepvertegenwoordiger vertegenwoordigt vakgroepen: kies die rol of haal de vakgroepen weg.",
            ));
        }
        match (email, name) {
            (Some(email), Some(name)) if errors.is_empty() => Ok(PersonDraft {
                email,
                name,
                roles,
                memberships,
                vakgroepen: form.vakgroepen.clone(),
            }),
            _ => Err(errors),
        }
    }
}

impl PersonDraft {
    /// An administrator editing themselves keeps the administrator role, so that the
    /// installation never loses its last way in by accident.
    pub fn check_own_edit(&self, editing_self: bool) -> Result<(), FieldError> {
        if editing_self && !self.roles.contains(&Role::Beheerder) {
            return Err(FieldError::new(
                "roles",
                "U kunt uw eigen beheerdersrol niet verwijderen; laat een andere beheerder dat doen.",
            ));
        }
        Ok(())
    }
}

/// One membership; `Ok(None)` when its function is missing (reported, nothing to keep).
fn membership(
    m: &MembershipForm,
    bodies: &[BodySeats<'_>],
) -> Result<Option<MembershipDraft>, Vec<FieldError>> {
    let Some(body) = bodies.iter().find(|b| b.id == m.body_id) else {
        return Err(vec![FieldError::new(
            "bodies",
            "Een gekozen gremium bestaat niet meer; laad de pagina opnieuw.",
        )]);
    };
    let mut errors = Vec::new();
    let position = Position::parse(&m.position);
    if position.is_none() {
        errors.push(FieldError::new(
            "bodies",
            format!("Kies een functie in {}.", body.code),
        ));
    }
    // Specialists who are members of an MSB+ body record how they work; a secretary or adviser
    // of that body need not.
    let is_specialist_seat = position.is_some_and(Position::has_seat);
    let employment_form = if body.kind == BodyKind::MsbPlus
        && (is_specialist_seat || !m.employment_form.is_empty())
    {
        let parsed = EmploymentForm::parse(&m.employment_form);
        if parsed.is_none() {
            errors.push(FieldError::new(
                "bodies",
                format!(
                    "Kies voor {} of het lid vrijgevestigd is of in dienstverband.",
                    body.code
                ),
            ));
        }
        parsed
    } else {
        None
    };
    if let Err(e) = check_employment_form(body.code, body.seats, employment_form) {
        errors.push(FieldError::new("bodies", e.message));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(position.map(|position| MembershipDraft {
        body_id: m.body_id,
        position,
        employment_form,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bodies() -> Vec<BodySeats<'static>> {
        vec![
            BodySeats {
                id: 1,
                code: "RvB",
                kind: BodyKind::Bestuur,
                seats: None,
            },
            BodySeats {
                id: 2,
                code: "MSB",
                kind: BodyKind::MsbPlus,
                seats: Some(EmploymentForm::Vrijgevestigd),
            },
        ]
    }

    fn form() -> PersonForm {
        PersonForm {
            name: "  Anna de Vries ".into(),
            email: "Anna@Example.NL".into(),
            roles: ["bestuurder".to_string()].into(),
            memberships: vec![MembershipForm {
                body_id: 1,
                position: "lid".into(),
                employment_form: String::new(),
            }],
            vakgroepen: BTreeSet::new(),
        }
    }

    fn fields(form: &PersonForm) -> Vec<(&'static str, String)> {
        PersonDraft::parse(form, &bodies())
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.message))
            .collect()
    }

    #[test]
    fn a_complete_form_becomes_a_draft() {
        let draft = PersonDraft::parse(&form(), &bodies()).unwrap();
        assert_eq!(draft.email.as_str(), "anna@example.nl");
        assert_eq!(draft.name.as_str(), "Anna de Vries");
        assert_eq!(draft.roles, [Role::Bestuurder].into());
        assert_eq!(
            draft.memberships,
            vec![MembershipDraft {
                body_id: 1,
                position: Position::Lid,
                employment_form: None
            }]
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut f = form();
        f.email = "geen-adres".into();
        f.roles.insert("koning".into());
        f.memberships.push(MembershipForm {
            body_id: 2,
            position: "lid".into(),
            employment_form: String::new(),
        });
        f.memberships.push(MembershipForm {
            body_id: 99,
            position: "lid".into(),
            employment_form: String::new(),
        });
        f.vakgroepen.insert(4);
        let got = fields(&f);
        let names: Vec<_> = got.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            names,
            ["email", "roles", "bodies", "bodies", "vakgroepen"],
            "{got:?}"
        );
        assert!(got[2].1.contains("MSB"), "{got:?}");
        assert!(got[3].1.contains("bestaat niet meer"), "{got:?}");
    }

    #[test]
    fn a_seat_of_the_other_employment_form_is_refused() {
        let mut f = form();
        f.memberships = vec![MembershipForm {
            body_id: 2,
            position: "lid".into(),
            employment_form: "dienstverband".into(),
        }];
        let got = fields(&f);
        assert_eq!(got.len(), 1);
        assert!(got[0].1.contains("vrijgevestigd"), "{got:?}");
    }

    #[test]
    fn a_secretary_of_an_msb_body_needs_no_employment_form() {
        let mut f = form();
        f.memberships = vec![MembershipForm {
            body_id: 2,
            position: "secretaris".into(),
            employment_form: String::new(),
        }];
        let draft = PersonDraft::parse(&f, &bodies()).unwrap();
        assert_eq!(draft.memberships[0].employment_form, None);
    }

    #[test]
    fn an_administrator_keeps_their_own_role() {
        let draft = PersonDraft::parse(&form(), &bodies()).unwrap();
        assert!(draft.check_own_edit(false).is_ok());
        assert_eq!(draft.check_own_edit(true).unwrap_err().field, "roles");
        let mut f = form();
        f.roles.insert("beheerder".into());
        let draft = PersonDraft::parse(&f, &bodies()).unwrap();
        assert!(draft.check_own_edit(true).is_ok());
    }

    #[test]
    fn a_representative_needs_a_vakgroep() {
        let mut f = form();
        f.roles.insert("vakgroep".into());
        assert_eq!(fields(&f)[0].0, "vakgroepen");
        f.vakgroepen.insert(3);
        assert!(PersonDraft::parse(&f, &bodies()).is_ok());
    }
}
