use super::*;
use proptest::prelude::*;

fn actor(roles: &[Role], bodies: &[i64]) -> Actor {
    Actor {
        person_id: crate::ids::PersonId::new(1),
        roles: roles.iter().copied().collect(),
        bodies: bodies.iter().copied().collect(),
        vakgroepen: BTreeSet::new(),
    }
}

#[test]
fn navigation_follows_roles() {
    use Section::*;
    assert_eq!(
        actor(&[Role::Beheerder], &[]).sections(),
        vec![Dashboard, Beheer]
    );
    assert_eq!(
        actor(&[Role::Bestuurder], &[1]).sections(),
        vec![
            Dashboard,
            Vergaderingen,
            Afspraken,
            Zelfevaluatie,
            Begroting
        ]
    );
    assert_eq!(
        actor(&[Role::Vakgroep], &[]).sections(),
        vec![Dashboard, Begroting]
    );
    assert_eq!(
        actor(&[Role::Controller], &[]).sections(),
        vec![Dashboard, Afspraken, Begroting]
    );
    // No register: an observer reaches an agreement from the meeting it arose in.
    assert_eq!(
        actor(&[Role::Toehoorder], &[5]).sections(),
        vec![Dashboard, Vergaderingen]
    );
    assert_eq!(actor(&[], &[]).sections(), vec![Dashboard]);
}

#[test]
fn body_only_objects_stay_in_their_body() {
    let rvb = actor(&[Role::Bestuurder], &[1]);
    let msb = actor(&[Role::Bestuurder], &[2]);
    assert!(rvb.can_see(Visibility::Body(1)));
    assert!(!rvb.can_see(Visibility::Body(2)));
    assert!(!msb.can_see(Visibility::Body(1)));
    assert!(rvb.can_see(Visibility::Gezamenlijk) && msb.can_see(Visibility::Gezamenlijk));
}

#[test]
fn a_secretary_is_not_above_the_compartments() {
    let secretary = actor(&[Role::Secretaris, Role::Beheerder], &[1]);
    assert_eq!(
        secretary.check(Capability::ManageMeetings, Visibility::Body(2)),
        Err(Denied::NotFound)
    );
    assert_eq!(
        secretary.check(Capability::ManageMeetings, Visibility::Body(1)),
        Ok(())
    );
}

#[test]
fn hidden_beats_forbidden() {
    let member = actor(&[Role::Bestuurder], &[1]);
    assert_eq!(
        member.check(Capability::ManageMeetings, Visibility::Body(1)),
        Err(Denied::Forbidden)
    );
    assert_eq!(
        member.check(Capability::ManageMeetings, Visibility::Body(3)),
        Err(Denied::NotFound)
    );
    let outsider = actor(&[Role::Vakgroep], &[]);
    assert_eq!(
        outsider.check(Capability::ViewAgreements, Visibility::Gezamenlijk),
        Err(Denied::NotFound)
    );
}

#[test]
fn the_controller_sees_joint_objects_but_no_compartment() {
    let controller = actor(&[Role::Controller], &[]);
    assert_eq!(
        controller.check(Capability::ViewAgreements, Visibility::Gezamenlijk),
        Ok(())
    );
    assert_eq!(
        controller.check(Capability::ViewAgreements, Visibility::Body(1)),
        Err(Denied::NotFound)
    );
    assert!(
        !controller.can(Capability::ViewMeetings),
        "no meetings without a body"
    );
}

#[test]
fn vakgroep_detail_is_for_its_representatives() {
    let mut rep = actor(&[Role::Vakgroep], &[]);
    rep.vakgroepen.insert(7);
    assert!(rep.can_see_vakgroep(7));
    assert!(!rep.can_see_vakgroep(8));
    assert!(actor(&[Role::Controller], &[]).can_see_vakgroep(8));
    assert!(actor(&[Role::Bestuurder], &[1]).can_see_vakgroep(8));
    // The budget's other readers see totals, not a vakgroep's detail: the same rule for master
    // data, trend inputs and a scenario's vakgroep page.
    for role in [Role::Secretaris, Role::Toehoorder, Role::Beheerder] {
        assert!(!actor(&[role], &[1]).can_see_vakgroep(8), "{role:?}");
    }
}

#[test]
fn vakgroepen_are_managed_by_the_admin_and_the_controller_only() {
    for role in Role::ALL {
        let a = actor(&[*role], &[1]);
        let expected = matches!(role, Role::Beheerder | Role::Controller);
        assert_eq!(a.can(Capability::ManageVakgroepen), expected, "{role:?}");
    }
    // The rest of Beheer stays the admin's.
    assert!(!actor(&[Role::Controller], &[]).can(Capability::Administer));
}

fn any_role() -> impl Strategy<Value = Role> {
    proptest::sample::select(Role::ALL.to_vec())
}

proptest! {
    #[test]
    fn check_never_allows_what_can_see_or_can_refuse(
        roles in proptest::collection::btree_set(any_role(), 0..4),
        bodies in proptest::collection::btree_set(0i64..5, 0..3),
        body in 0i64..5,
        joint in any::<bool>(),
    ) {
        let a = Actor { person_id: crate::ids::PersonId::new(9), roles, bodies, vakgroepen: BTreeSet::new() };
        let vis = if joint { Visibility::Gezamenlijk } else { Visibility::Body(body) };
        for cap in [Capability::ViewMeetings, Capability::ManageMeetings, Capability::ManageAgreements] {
            let allowed = a.check(cap, vis).is_ok();
            prop_assert_eq!(allowed, a.can_see(vis) && a.can(cap));
        }
    }

    #[test]
    fn adding_a_role_never_removes_a_section(
        roles in proptest::collection::btree_set(any_role(), 0..4),
        extra in any_role(),
    ) {
        let before = Actor { person_id: crate::ids::PersonId::new(1), roles: roles.clone(), bodies: BTreeSet::new(), vakgroepen: BTreeSet::new() };
        let mut more = roles;
        more.insert(extra);
        let after = Actor { roles: more, ..before.clone() };
        for s in before.sections() {
            prop_assert!(after.sections().contains(&s));
        }
    }
}

#[test]
fn an_observer_sees_only_the_agreements_of_meetings_their_body_attended() {
    let rvt = actor(&[Role::Toehoorder], &[5]);
    let joint = Visibility::Gezamenlijk;
    assert!(
        rvt.can_see_agreement(joint, &[1, 5]),
        "from a meeting with the RvT"
    );
    assert!(
        !rvt.can_see_agreement(joint, &[1, 2]),
        "from another meeting"
    );
    assert!(!rvt.can_see_agreement(joint, &[]), "not from a meeting");
    assert!(
        !rvt.can_see_agreement(Visibility::Body(1), &[1, 5]),
        "another body's agreement stays hidden"
    );
    assert!(!rvt.can(Capability::ViewRegister) && rvt.can(Capability::ViewAgreements));
    assert!(!rvt.can(Capability::ViewBudget));
    // Whoever sees the register sees every agreement of their compartments, from anywhere.
    let board = actor(&[Role::Bestuurder, Role::Toehoorder], &[1]);
    assert!(board.can_see_agreement(joint, &[]) && board.can_see_agreement(joint, &[2]));
    assert!(actor(&[Role::Controller], &[]).can_see_agreement(joint, &[]));
}

#[test]
fn meetings_are_for_members_of_a_participating_body() {
    let rvt = actor(&[Role::Toehoorder], &[5]);
    assert!(!rvt.can_see_meeting(&[1, 2]));
    assert!(rvt.can_see_meeting(&[1, 2, 5]));
    assert_eq!(Visibility::of(None), Visibility::Gezamenlijk);
    assert_eq!(Visibility::of(Some(3)), Visibility::Body(3));
}

#[test]
fn the_distribution_per_vakgroep_is_msb_internal_until_shared() {
    const MSB: i64 = 2;
    const RVB: i64 = 1;
    let msb_bodies = [MSB, 3, 4];
    let rvb = actor(&[Role::Bestuurder], &[RVB]);
    let msb = actor(&[Role::Bestuurder], &[MSB]);
    let msb_secretary = actor(&[Role::Secretaris], &[MSB]);
    let controller = actor(&[Role::Controller], &[]);
    let mut representative = actor(&[Role::Vakgroep], &[]);
    representative.vakgroepen.insert(7);
    let observer = actor(&[Role::Toehoorder], &[MSB]);
    for shared in [false, true] {
        assert!(msb.can_see_allocation(&msb_bodies, shared, 7));
        assert!(msb_secretary.can_see_allocation(&msb_bodies, shared, 7));
        assert!(!observer.can_see_allocation(&msb_bodies, shared, 7));
        assert!(!representative.can_see_allocation(&msb_bodies, shared, 8));
    }
    assert!(!rvb.can_see_allocation(&msb_bodies, false, 7));
    assert!(!controller.can_see_allocation(&msb_bodies, false, 7));
    assert!(!representative.can_see_allocation(&msb_bodies, false, 7));
    assert!(rvb.can_see_allocation(&msb_bodies, true, 7));
    assert!(controller.can_see_allocation(&msb_bodies, true, 7));
    assert!(representative.can_see_allocation(&msb_bodies, true, 7));

    assert!(msb.can_shape_distribution(&msb_bodies));
    assert!(!rvb.can_shape_distribution(&msb_bodies));
    assert!(!msb_secretary.can_shape_distribution(&msb_bodies));
    assert!(!controller.can_shape_distribution(&msb_bodies));
}
