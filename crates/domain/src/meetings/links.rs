//! What an agenda item links to (A2): agreements of the register and budget scenarios. 7S
//! results are to follow as a third kind. A link is shown only to a reader who may see what it
//! points to; to anyone else it does not exist.

use crate::authz::{Actor, Capability, Visibility};

code_enum! {
    /// The kind of object a link points to; the code is stored with the link.
    LinkKind {
        Afspraak => "afspraak", "Afspraak";
        Scenario => "scenario", "Begrotingsscenario";
    }
}

/// One link of an agenda item, by the id of what it points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct ItemLink {
    pub kind: LinkKind,
    pub target: i64,
}

/// Whether a reader may see the object a link points to: an agreement as anywhere else (its
/// visibility, and the right to see agreements at all), a scenario only with access to the
/// budget. The same rule decides what a secretary may choose and what a reader is shown.
pub fn may_see(actor: &Actor, kind: LinkKind, visibility: Visibility) -> bool {
    match kind {
        LinkKind::Afspraak => actor.can(Capability::ViewAgreements) && actor.can_see(visibility),
        LinkKind::Scenario => actor.can(Capability::ViewBudget),
    }
}

/// Why chosen links are refused; the same answer whether an id is hidden from the person or
/// does not exist, so a form reveals nothing.
pub fn refusal(kind: LinkKind) -> &'static str {
    match kind {
        LinkKind::Afspraak => "Kies afspraken uit de lijst.",
        LinkKind::Scenario => "Kies begrotingsscenario’s uit de lijst.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::Role;

    fn actor(roles: &[Role], bodies: &[i64]) -> Actor {
        Actor {
            person_id: crate::ids::PersonId::new(1),
            roles: roles.iter().copied().collect(),
            bodies: bodies.iter().copied().collect(),
            vakgroepen: Default::default(),
        }
    }

    #[test]
    fn a_link_is_seen_only_by_who_may_see_its_target() {
        let rvb_member = actor(&[Role::Bestuurder], &[1]);
        let observer = actor(&[Role::Toehoorder], &[5]);
        let msb_only = Visibility::Body(2);
        assert!(may_see(
            &rvb_member,
            LinkKind::Afspraak,
            Visibility::Gezamenlijk
        ));
        assert!(!may_see(&rvb_member, LinkKind::Afspraak, msb_only));
        assert!(may_see(
            &actor(&[Role::Secretaris], &[2]),
            LinkKind::Afspraak,
            msb_only
        ));
        assert!(may_see(
            &rvb_member,
            LinkKind::Scenario,
            Visibility::Gezamenlijk
        ));
        assert!(may_see(
            &observer,
            LinkKind::Afspraak,
            Visibility::Gezamenlijk
        ));
        assert!(
            !may_see(&observer, LinkKind::Scenario, Visibility::Gezamenlijk),
            "an observer has no budget"
        );
        let no_agreements = actor(&[Role::Vakgroep], &[1]);
        assert!(!may_see(
            &no_agreements,
            LinkKind::Afspraak,
            Visibility::Gezamenlijk
        ));
    }

    #[test]
    fn kinds_round_trip() {
        for k in LinkKind::ALL {
            assert_eq!(LinkKind::parse(k.code()), Some(*k));
        }
        assert_eq!(refusal(LinkKind::Afspraak), "Kies afspraken uit de lijst.");
    }
}
