use super::*;
use DecisionOutcome::*;
use proptest::prelude::*;

fn d(body_id: i64, outcome: DecisionOutcome, text: &str) -> BodyDecision {
    BodyDecision {
        body_id,
        outcome,
        text: text.to_string(),
    }
}

#[test]
fn a_follow_up_goes_to_a_later_open_joint_meeting_of_the_deciding_bodies() {
    use crate::meetings::kinds::MeetingKind::{Gezamenlijk, Gremium};
    use crate::meetings::status::MeetingStatus::{Concept, Gepubliceerd, InVergadering};
    use time::macros::datetime;
    let may = datetime!(2026-05-12 14:00 UTC);
    let june = datetime!(2026-06-09 14:00 UTC);
    let fits = |kind, status, starts_at, bodies: &[i64]| {
        follow_up_fits(
            may,
            &[1, 2],
            &Candidate {
                kind,
                status,
                starts_at,
                bodies,
            },
        )
    };
    assert!(fits(Gezamenlijk, Concept, june, &[1, 2, 3]));
    assert!(fits(Gezamenlijk, Gepubliceerd, june, &[1, 2]));
    assert!(
        !fits(Gezamenlijk, InVergadering, june, &[1, 2]),
        "agenda fixed"
    );
    assert!(!fits(Gremium, Concept, june, &[1, 2]), "not joint");
    assert!(!fits(Gezamenlijk, Concept, may, &[1, 2]), "not later");
    assert!(
        !fits(Gezamenlijk, Concept, june, &[1, 3]),
        "a deciding body is missing"
    );
    assert_eq!(follow_up_title("Plan"), "Vervolg: Plan");
}

#[test]
fn a_body_records_its_own_decision() {
    use crate::authz::Actor;
    use crate::people::{Position::*, Role};
    let person = |roles: &[Role], bodies: &[i64]| Actor {
        person_id: crate::ids::PersonId::new(1),
        roles: roles.iter().copied().collect(),
        bodies: bodies.iter().copied().collect(),
        vakgroepen: Default::default(),
    };
    let (rvb, msb, vmsd) = (1, 2, 3);
    // The MSB+ secretary: secretary of MSB, VMSD and VMS, not of the RvB.
    let eva = person(&[Role::Secretaris], &[msb, vmsd]);
    let eva_functions = [(msb, Secretaris), (vmsd, Secretaris)];
    assert!(may_record(&eva, &eva_functions, msb));
    assert!(!may_record(&eva, &eva_functions, rvb));
    // The chair of the RvB has a seat; an adviser has none.
    let chair = person(&[Role::Bestuurder], &[rvb]);
    assert!(may_record(&chair, &[(rvb, Voorzitter)], rvb));
    assert!(may_record(&chair, &[(rvb, Lid)], rvb));
    assert!(!may_record(&chair, &[(rvb, Adviseur)], rvb));
    assert!(!may_record(&chair, &[(rvb, Voorzitter)], msb));
    // The function secretaris without the role (e.g. a minute-taker) does not record.
    assert!(!may_record(&chair, &[(rvb, Secretaris)], rvb));
    assert!(!may_record(&eva, &[], msb));
}

#[test]
fn open_until_every_deciding_body_decided() {
    assert_eq!(joint_outcome(&[], &[]), JointOutcome::Open);
    assert_eq!(
        joint_outcome(&[], &[d(1, Aangenomen, "x")]),
        JointOutcome::Open
    );
    assert_eq!(
        joint_outcome(&[1, 2], &[d(1, Aangenomen, "x")]),
        JointOutcome::Open
    );
    // A decision of a body that is not deciding does not fill the gap.
    assert_eq!(
        joint_outcome(&[1, 2], &[d(1, Aangenomen, "x"), d(3, Aangenomen, "x")]),
        JointOutcome::Open
    );
}

#[test]
fn same_adopted_text_is_eensgezind() {
    let text = "Het MSB en de RvB stellen de\ncapaciteitsbegroting 2027 vast.";
    let decisions = [
        d(1, Aangenomen, text),
        d(
            2,
            Aangenomen,
            "  Het MSB en de RvB stellen de capaciteitsbegroting   2027 vast. ",
        ),
    ];
    assert_eq!(joint_outcome(&[1, 2], &decisions), JointOutcome::Eensgezind);
}

#[test]
fn different_texts_or_outcomes_are_verdeeld() {
    let decisions = [
        d(1, Aangenomen, "Begroting vast."),
        d(2, Aangenomen, "begroting vast."),
    ];
    assert_eq!(joint_outcome(&[1, 2], &decisions), JointOutcome::Verdeeld);
    let decisions = [d(1, GewijzigdAangenomen, "A"), d(2, Aangenomen, "A")];
    assert_eq!(joint_outcome(&[1, 2], &decisions), JointOutcome::Verdeeld);
    let decisions = [d(1, Verworpen, "A"), d(2, Aangenomen, "A")];
    assert_eq!(joint_outcome(&[1, 2], &decisions), JointOutcome::Verdeeld);
}

#[test]
fn rejecting_or_postponing_together_needs_no_same_text() {
    let decisions = [d(1, Verworpen, "Niet nu."), d(2, Verworpen, "Te duur.")];
    assert_eq!(joint_outcome(&[1, 2], &decisions), JointOutcome::Eensgezind);
    let decisions = [d(1, Aangehouden, ""), d(2, Aangehouden, "Volgende keer.")];
    assert_eq!(joint_outcome(&[1, 2], &decisions), JointOutcome::Eensgezind);
}

#[test]
fn only_verdeeld_comes_back() {
    assert!(needs_follow_up(JointOutcome::Verdeeld));
    assert!(!needs_follow_up(JointOutcome::Eensgezind));
    assert!(!needs_follow_up(JointOutcome::Open));
    assert_eq!(JointOutcome::Eensgezind.label(), "eensgezind");
    assert_eq!(
        JointOutcome::parse("verdeeld"),
        Some(JointOutcome::Verdeeld)
    );
}

fn outcome() -> impl Strategy<Value = DecisionOutcome> {
    prop::sample::select(DecisionOutcome::ALL)
}

fn decision() -> impl Strategy<Value = BodyDecision> {
    // Few bodies and texts (with stray whitespace), so that collisions happen often.
    (
        1i64..6,
        outcome(),
        prop::sample::select(vec!["A", " A", "A  ", "B", "A\nB", "A B"]),
    )
        .prop_map(|(body, outcome, text)| d(body, outcome, text))
}

fn case() -> impl Strategy<Value = (Vec<i64>, Vec<BodyDecision>)> {
    (
        prop::collection::vec(1i64..6, 0..5),
        prop::collection::vec(decision(), 0..8),
    )
}

proptest! {
    #[test]
    fn order_does_not_matter(
        (bodies, decisions) in case(),
        seed in any::<u64>(),
    ) {
        let mut shuffled = decisions.clone();
        // A deterministic shuffle from the seed, so failures can be replayed.
        let mut s = seed;
        for i in (1..shuffled.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        let mut reversed_bodies = bodies.clone();
        reversed_bodies.reverse();
        prop_assert_eq!(
            joint_outcome(&bodies, &decisions),
            joint_outcome(&reversed_bodies, &shuffled)
        );
    }

    #[test]
    fn a_single_deciding_body_is_always_eensgezind(one in decision()) {
        prop_assert_eq!(joint_outcome(&[one.body_id], &[one]), JointOutcome::Eensgezind);
    }

    #[test]
    fn outsiders_do_not_count((bodies, decisions) in case(), mut extra in decision()) {
        // Deciding bodies are 1..6 in these cases.
        extra.body_id += 10;
        let mut more = decisions.clone();
        more.push(extra);
        prop_assert_eq!(joint_outcome(&bodies, &decisions), joint_outcome(&bodies, &more));
    }

    #[test]
    fn different_outcomes_are_verdeeld(
        (bodies, mut decisions) in case(),
        a in decision(),
        other_body in 1i64..5,
        other_outcome in 1usize..4,
        text in prop::sample::select(vec!["A", "B"]),
    ) {
        let outcomes = DecisionOutcome::ALL;
        let at = outcomes.iter().position(|o| *o == a.outcome).expect("listed");
        let b = d(
            (a.body_id - 1 + other_body) % 5 + 1,
            outcomes[(at + other_outcome) % outcomes.len()],
            text,
        );
        let mut bodies = bodies;
        bodies.extend([a.body_id, b.body_id]);
        // Every deciding body has a decision, so the result cannot be open.
        for body in &bodies {
            decisions.push(d(*body, Aangehouden, ""));
        }
        decisions.extend([a, b]);
        prop_assert_eq!(joint_outcome(&bodies, &decisions), JointOutcome::Verdeeld);
    }

    #[test]
    fn eensgezind_means_one_outcome(
        (bodies, decisions) in case(),
    ) {
        if joint_outcome(&bodies, &decisions) == JointOutcome::Eensgezind {
            let outcomes: BTreeSet<_> = decisions
                .iter()
                .filter(|d| bodies.contains(&d.body_id))
                .map(|d| d.outcome)
                .collect();
            prop_assert_eq!(outcomes.len(), 1);
        }
    }
}

#[test]
fn the_first_decision_of_one_body_awaits_the_others() {
    let deciding = [1, 2, 3];
    let after = [d(1, Aangenomen, "Ja")];
    assert_eq!(
        decision_news(&deciding, &[], &after, 1),
        Some(DecisionNews::Awaited(vec![2, 3]))
    );
    // A correction of that decision is no news: the others already heard.
    let corrected = [d(1, Verworpen, "")];
    assert_eq!(decision_news(&deciding, &after, &corrected, 1), None);
    // The second body's first decision still awaits the third.
    let second = [d(1, Aangenomen, "Ja"), d(2, Aangenomen, "Ja")];
    assert_eq!(
        decision_news(&deciding, &after, &second, 2),
        Some(DecisionNews::Awaited(vec![3]))
    );
}

#[test]
fn a_single_deciding_body_awaits_nobody() {
    assert_eq!(decision_news(&[1], &[], &[d(1, Aangenomen, "Ja")], 1), None);
}

#[test]
fn becoming_divided_is_news_once() {
    let deciding = [1, 2];
    let first = [d(1, Aangenomen, "Ja")];
    let divided = [d(1, Aangenomen, "Ja"), d(2, Verworpen, "")];
    assert_eq!(
        decision_news(&deciding, &first, &divided, 2),
        Some(DecisionNews::Divided)
    );
    // Still divided after a correction: nothing new.
    let still = [d(1, Aangenomen, "Ja"), d(2, Aangehouden, "")];
    assert_eq!(decision_news(&deciding, &divided, &still, 2), None);
    // Agreeing after all, and divided again: news again.
    let agreed = [d(1, Aangenomen, "Ja"), d(2, Aangenomen, "Ja")];
    assert_eq!(decision_news(&deciding, &divided, &agreed, 2), None);
    assert_eq!(
        decision_news(&deciding, &agreed, &divided, 2),
        Some(DecisionNews::Divided)
    );
    // Different texts divide as well.
    let texts = [d(1, Aangenomen, "Ja"), d(2, Aangenomen, "Ja, mits")];
    assert_eq!(
        decision_news(&deciding, &first, &texts, 2),
        Some(DecisionNews::Divided)
    );
}

proptest! {
    #[test]
    fn news_is_never_told_twice_for_the_same_picture(
        outcomes in proptest::collection::vec((1i64..=3, 0usize..4), 0..4),
        body in 1i64..=3,
    ) {
        let all = [Aangenomen, Verworpen, Aangehouden, GewijzigdAangenomen];
        let mut decisions: Vec<BodyDecision> = Vec::new();
        for (b, o) in outcomes {
            decisions.retain(|x| x.body_id != b);
            decisions.push(d(b, all[o], "Ja"));
        }
        // Recording exactly what is already there is never news.
        if decisions.iter().any(|x| x.body_id == body) {
            prop_assert_eq!(decision_news(&[1, 2, 3], &decisions, &decisions, body), None);
        }
    }
}
