//! The one place that decides who may see what and do what (product.md §0).
//!
//! The web crate asks these rules for every request: routes declare the [`Capability`] they need,
//! and objects with a [`Visibility`] go through [`Actor::check`], so a handler cannot forget either.

use crate::people::Role;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Who is asking: a signed-in person with their roles, bodies and vakgroepen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub person_id: crate::ids::PersonId,
    pub roles: BTreeSet<Role>,
    /// Ids of the bodies the person is a member of.
    pub bodies: BTreeSet<i64>,
    /// Ids of the vakgroepen the person represents.
    pub vakgroepen: BTreeSet<i64>,
}

/// Something a person may be allowed to do, independent of a particular object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Capability {
    /// Anything a signed-in person does for themselves: dashboard, own password, logout.
    SignedIn,
    ViewMeetings,
    ManageMeetings,
    /// Record a body's decision on an item in the meeting (A3): the body's own secretary or a
    /// member with a seat; which body is decided per item by `meetings::decisions::may_record`.
    RecordDecisions,
    /// Open an agreement's page. Which agreements is [`Actor::can_see_agreement`]'s question.
    ViewAgreements,
    /// The register as a whole: the list, its exports and the compliance figures (B4, B6). Not
    /// for observers, who see only the agreements of the meetings they were invited to.
    ViewRegister,
    ManageAgreements,
    AnswerSelfAssessment,
    ViewSelfAssessment,
    ManageSelfAssessment,
    ViewBudget,
    ManageBudget,
    /// Enter and submit trend inputs for the vakgroepen one represents (D3).
    SubmitTrendInputs,
    /// Accept or return submitted trend inputs (D3): the controller or a board member.
    ReviewTrendInputs,
    /// See the detail of every vakgroep (its master data, trend inputs and scenario detail), not
    /// only of the vakgroepen one represents: those who review the vakgroepen' budgets.
    ViewEveryVakgroep,
    /// Create and change vakgroepen (code, name, kind, active): master data of the budget the
    /// controller manages (product.md §0), and part of Beheer. Assigning representatives stays
    /// with the admin (people and roles).
    ManageVakgroepen,
    /// Set a vakgroep's own band in a scenario's distribution and share the distribution with
    /// the RvB (D6, §0): board members, and of those only the members of an MSB+ body
    /// ([`Actor::can_shape_distribution`]), as the distribution is the MSB's own.
    ShapeDistribution,
    /// Propose a scenario for adoption on a joint meeting (D9): the controller, who prepares the
    /// budget, and the secretaries, who keep the agenda.
    ProposeAdoption,
    /// Propose an agreement from a budget signal — a vakgroep's realisation off its adopted
    /// budget (D10), an insurer's ceiling exceeded (D8) — for the boards to adopt in the
    /// register: the controller, who watches the figures, and the secretaries.
    ProposeBudgetAgreement,
    Administer,
    ViewAudit,
}

/// Who may see an object: everyone in the joint meeting, or the members of one body only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Visibility {
    Gezamenlijk,
    Body(i64),
}

impl Visibility {
    /// As stored: no body means gezamenlijk.
    pub fn of(body: Option<i64>) -> Self {
        body.map_or(Visibility::Gezamenlijk, Visibility::Body)
    }
}

/// Why a request is refused. A hidden object is answered as if it did not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    NotFound,
    Forbidden,
}

/// The main sections of the application, in navigation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Dashboard,
    Vergaderingen,
    Afspraken,
    Zelfevaluatie,
    Begroting,
    Beheer,
}

impl Section {
    pub const ALL: [Section; 6] = [
        Section::Dashboard,
        Section::Vergaderingen,
        Section::Afspraken,
        Section::Zelfevaluatie,
        Section::Begroting,
        Section::Beheer,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Section::Dashboard => "Dashboard",
            Section::Vergaderingen => "Vergaderingen",
            Section::Afspraken => "Afspraken",
            Section::Zelfevaluatie => "Zelfevaluatie",
            Section::Begroting => "Begroting",
            Section::Beheer => "Beheer",
        }
    }

    pub fn path(self) -> &'static str {
        match self {
            Section::Dashboard => "/",
            Section::Vergaderingen => "/vergaderingen",
            Section::Afspraken => "/afspraken",
            Section::Zelfevaluatie => "/zelfevaluatie",
            Section::Begroting => "/begroting",
            Section::Beheer => "/beheer",
        }
    }

    /// The capability that opens the section.
    pub fn capability(self) -> Capability {
        match self {
            Section::Dashboard => Capability::SignedIn,
            Section::Vergaderingen => Capability::ViewMeetings,
            Section::Afspraken => Capability::ViewRegister,
            Section::Zelfevaluatie => Capability::ViewSelfAssessment,
            Section::Begroting => Capability::ViewBudget,
            Section::Beheer => Capability::Administer,
        }
    }
}

/// Which roles hold a capability. Keep this table the single source of truth.
fn roles_for(capability: Capability) -> &'static [Role] {
    use Role::*;
    match capability {
        Capability::SignedIn => Role::ALL,
        Capability::ViewMeetings => &[Bestuurder, Secretaris, Toehoorder],
        Capability::ManageMeetings => &[Secretaris],
        Capability::RecordDecisions => &[Secretaris, Bestuurder],
        Capability::ViewAgreements => &[Bestuurder, Secretaris, Controller, Toehoorder],
        Capability::ViewRegister => &[Bestuurder, Secretaris, Controller],
        Capability::ManageAgreements => &[Secretaris],
        Capability::AnswerSelfAssessment => &[Bestuurder],
        Capability::ViewSelfAssessment => &[Bestuurder, Secretaris],
        Capability::ManageSelfAssessment => &[Secretaris],
        Capability::ViewBudget => &[Bestuurder, Secretaris, Controller, Vakgroep],
        Capability::ManageBudget => &[Controller],
        Capability::SubmitTrendInputs => &[Vakgroep],
        Capability::ReviewTrendInputs | Capability::ViewEveryVakgroep => &[Controller, Bestuurder],
        Capability::ManageVakgroepen => &[Beheerder, Controller],
        Capability::ShapeDistribution => &[Bestuurder],
        Capability::ProposeAdoption | Capability::ProposeBudgetAgreement => {
            &[Controller, Secretaris]
        }
        Capability::Administer | Capability::ViewAudit => &[Beheerder],
    }
}

impl Actor {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Whether the person holds the capability through one of their roles. A person without
    /// any role is signed in but may do nothing else.
    pub fn can(&self, capability: Capability) -> bool {
        if capability == Capability::SignedIn {
            return true;
        }
        roles_for(capability).iter().any(|r| self.roles.contains(r))
    }

    /// Whether the person may see an object with this visibility. Joint objects are for the
    /// members of any body and for the controller, who works for both boards (budgets, B5
    /// insurer agreements); body-only objects for that body's members, whatever their roles:
    /// a secretary sees what their memberships allow, not automatically everything.
    pub fn can_see(&self, visibility: Visibility) -> bool {
        match visibility {
            Visibility::Gezamenlijk => !self.bodies.is_empty() || self.has_role(Role::Controller),
            Visibility::Body(body) => self.bodies.contains(&body),
        }
    }

    /// The one check for an action on an object: hidden objects are `NotFound`, visible ones
    /// the person may not act on are `Forbidden`.
    pub fn check(&self, capability: Capability, visibility: Visibility) -> Result<(), Denied> {
        if !self.can_see(visibility) {
            return Err(Denied::NotFound);
        }
        if !self.can(capability) {
            return Err(Denied::Forbidden);
        }
        Ok(())
    }

    /// Whether the person takes part in a meeting of these bodies: a member of at least one.
    pub fn can_see_meeting(&self, participating: &[i64]) -> bool {
        participating.iter().any(|b| self.bodies.contains(b))
    }

    /// Whether the person may see an agreement with this visibility that arose from a meeting of
    /// `origin_bodies` (empty: not from a meeting). Whoever sees the register sees every
    /// agreement their compartments allow; an observer (toehoorder, product.md §0) only those
    /// from a meeting their body was invited to ([`Actor::can_see_meeting`]).
    pub fn can_see_agreement(&self, visibility: Visibility, origin_bodies: &[i64]) -> bool {
        self.can_see(visibility)
            && (self.can(Capability::ViewRegister) || self.can_see_meeting(origin_bodies))
    }

    /// Whether the person may see a vakgroep's detail, its compartment (product.md §0): its
    /// master data (care products, norm times, normuren, formative fte, KPIs), its trend inputs
    /// and its detail in a scenario. Its representatives see it, and those who see every
    /// vakgroep (controller, bestuurder); to anyone else it does not exist (404).
    pub fn can_see_vakgroep(&self, vakgroep_id: i64) -> bool {
        self.can(Capability::ViewEveryVakgroep) || self.vakgroepen.contains(&vakgroep_id)
    }

    /// Whether a vakgroep's row of figures (norm hours, norm-fte, formative fte, mutation) is
    /// shown to the person in a scenario or a comparison. Everyone in a board sees the totals
    /// per vakgroep (product.md §0, so also the board secretary, who does not open a vakgroep's
    /// detail); a representative sees their own vakgroepen and the hospital totals only.
    pub fn can_see_vakgroep_figures(&self, vakgroep_id: i64) -> bool {
        self.can_see_vakgroep(vakgroep_id) || self.has_role(Role::Secretaris)
    }

    /// Whether the person sits in one of the MSB+ bodies (`msb_bodies`: the ids of the bodies of
    /// kind MSB+), the side whose internal matter the distribution per vakgroep is.
    pub fn is_msb_side(&self, msb_bodies: &[i64]) -> bool {
        msb_bodies.iter().any(|b| self.bodies.contains(b))
    }

    /// Whether the person may see a vakgroep's allocation (and its trace) in a scenario's
    /// distribution (D6, product.md §0). The totals and the components are for everyone who sees
    /// the budget; the allocation per vakgroep is MSB-internal until an MSB board member shares
    /// it: before that only the members of an MSB+ body see it — not the RvB, not the controller,
    /// not a vakgroep's representative. Once shared, whoever sees a vakgroep's figures sees its
    /// allocation ([`Actor::can_see_vakgroep_figures`]: a representative their own only).
    pub fn can_see_allocation(&self, msb_bodies: &[i64], shared: bool, vakgroep_id: i64) -> bool {
        if !self.can(Capability::ViewBudget) {
            return false;
        }
        self.is_msb_side(msb_bodies) || (shared && self.can_see_vakgroep_figures(vakgroep_id))
    }

    /// Whether the person may set the vakgroepen' own bands and share the distribution with the
    /// RvB: a board member of an MSB+ body.
    pub fn can_shape_distribution(&self, msb_bodies: &[i64]) -> bool {
        self.can(Capability::ShapeDistribution) && self.is_msb_side(msb_bodies)
    }

    /// The sections shown in this person's navigation.
    pub fn sections(&self) -> Vec<Section> {
        Section::ALL
            .into_iter()
            .filter(|s| self.can(s.capability()))
            .collect()
    }
}

#[cfg(test)]
mod tests;
