use super::*;
use Choice::*;
use EmploymentForm::*;
use proptest::prelude::*;

fn member(person_id: i64, form: Option<EmploymentForm>) -> Member {
    Member {
        person_id: PersonId::new(person_id),
        employment_form: form,
        has_seat: true,
    }
}

fn people(ids: &[i64]) -> Vec<PersonId> {
    ids.iter().copied().map(PersonId::new).collect()
}

fn ignored(r: &VoteResult) -> Vec<(i64, IgnoredReason)> {
    r.ignored.iter().map(|(p, why)| (p.get(), *why)).collect()
}

fn ballots(choices: &[(i64, Choice)]) -> Vec<Ballot> {
    choices
        .iter()
        .map(|&(person_id, choice)| Ballot {
            person_id: PersonId::new(person_id),
            choice,
        })
        .collect()
}

fn rules(quorum_percent: u8, majority: Majority) -> BodyRules {
    BodyRules {
        quorum_percent,
        majority,
    }
}

#[test]
fn codes_and_labels() {
    assert_eq!(Majority::TwoThirds.code(), "twee_derde");
    assert_eq!(Majority::parse("unaniem"), Some(Majority::Unanimous));
    assert_eq!(Majority::Simple.label(), "Gewone meerderheid");
    assert_eq!(Choice::parse("onthouding"), Some(Onthouding));
    assert_eq!(BodyRules::default(), rules(50, Majority::Simple));
}

#[test]
fn eligibility_follows_the_subject() {
    let free = member(1, Some(Vrijgevestigd));
    let employed = member(2, Some(Dienstverband));
    let board = member(3, None);
    let secretary = Member {
        has_seat: false,
        ..free
    };
    use Subject::*;
    assert!(eligible(MSB, FinancieelVrijgevestigd, &free));
    assert!(!eligible(VMS, FinancieelVrijgevestigd, &free));
    assert!(!eligible(RVB, FinancieelVrijgevestigd, &board));
    assert!(!eligible(MSB, FinancieelVrijgevestigd, &secretary));
    assert!(eligible(VMSD, ArbeidsvoorwaardenDienstverband, &employed));
    assert!(!eligible(VMS, ArbeidsvoorwaardenDienstverband, &employed));
    assert!(!eligible(VMSD, ArbeidsvoorwaardenDienstverband, &free));
    assert!(eligible(RVB, Algemeen, &board));
    assert!(!eligible(RVB, Algemeen, &secretary));
}

#[test]
fn quorum_needed_rounds_up_and_needs_someone() {
    assert_eq!(rules(50, Majority::Simple).quorum_needed(7), 4);
    assert_eq!(rules(50, Majority::Simple).quorum_needed(6), 3);
    assert_eq!(rules(100, Majority::Simple).quorum_needed(6), 6);
    assert_eq!(rules(1, Majority::Simple).quorum_needed(6), 1);
    assert_eq!(rules(50, Majority::Simple).quorum_needed(0), 1);
    assert_eq!(rules(200, Majority::Simple).quorum_needed(6), 6);
}

#[test]
fn majorities() {
    use Majority::*;
    assert!(Simple.met(3, 2));
    assert!(!Simple.met(2, 2));
    assert!(TwoThirds.met(4, 2));
    assert!(!TwoThirds.met(3, 2));
    assert!(!TwoThirds.met(0, 0));
    assert!(Unanimous.met(5, 0));
    assert!(!Unanimous.met(5, 1));
    assert!(!Unanimous.met(0, 0));
}

#[test]
fn a_named_vote_explained() {
    let members: Vec<_> = (1..=7).map(|id| member(id, Some(Vrijgevestigd))).collect();
    let present = people(&[1, 2, 3, 4, 5, 6]);
    let cast = ballots(&[
        (1, Voor),
        (2, Voor),
        (3, Voor),
        (4, Voor),
        (5, Voor),
        (6, Onthouding),
        (7, Tegen),
        (1, Tegen),
        (99, Tegen),
    ]);
    let r = tally(
        MSB,
        Subject::Algemeen,
        &BodyRules::default(),
        &members,
        &present,
        &cast,
    );
    assert_eq!((r.votes_for, r.votes_against, r.votes_abstain), (5, 0, 1));
    assert_eq!((r.eligible, r.present_eligible, r.quorum_needed), (7, 6, 4));
    assert_eq!(
        ignored(&r),
        vec![
            (7, IgnoredReason::NotPresent),
            (1, IgnoredReason::Duplicate),
            (99, IgnoredReason::NotEligible),
        ]
    );
    assert!(r.passed);
    assert_eq!(
        r.explain(),
        "aangenomen: 5 van 6 stemmen voor, quorum gehaald"
    );
    assert_eq!(r.suggested_outcome(), Some(DecisionOutcome::Aangenomen));
}

#[test]
fn only_self_employed_msb_members_vote_on_fees() {
    let members = [
        member(1, Some(Vrijgevestigd)),
        member(2, Some(Vrijgevestigd)),
        member(3, Some(Dienstverband)),
    ];
    let cast = ballots(&[(1, Voor), (2, Tegen), (3, Voor)]);
    let r = tally(
        MSB,
        Subject::FinancieelVrijgevestigd,
        &BodyRules::default(),
        &members,
        &people(&[1, 2, 3]),
        &cast,
    );
    assert_eq!(r.eligible, 2);
    assert_eq!(ignored(&r), vec![(3, IgnoredReason::NotEligible)]);
    assert!(!r.passed);
    assert_eq!(
        r.explain(),
        "verworpen: 1 van 2 stemmen voor, gewone meerderheid niet gehaald"
    );
    let r = tally(
        VMS,
        Subject::FinancieelVrijgevestigd,
        &BodyRules::default(),
        &members,
        &people(&[1, 2, 3]),
        &cast,
    );
    assert_eq!(r.eligible, 0);
    assert_eq!(
        r.explain(),
        "niet geldig: quorum niet gehaald (0 van 0 stemgerechtigden aanwezig, 1 nodig)"
    );
}

#[test]
fn explanations_by_count() {
    let two_thirds = rules(50, Majority::TwoThirds);
    let r = tally_counts(&two_thirds, 8, 6, 2, 3, 1).unwrap();
    assert_eq!(
        r.explain(),
        "verworpen: 2 van 6 stemmen voor, tweederdemeerderheid niet gehaald"
    );
    assert_eq!(r.suggested_outcome(), Some(DecisionOutcome::Verworpen));
    let r = tally_counts(&two_thirds, 7, 2, 2, 0, 0).unwrap();
    assert_eq!(
        r.explain(),
        "niet geldig: quorum niet gehaald (2 van 7 stemgerechtigden aanwezig, 4 nodig)"
    );
    assert_eq!(r.suggested_outcome(), None);
    let r = tally_counts(&rules(100, Majority::Unanimous), 1, 1, 1, 0, 0).unwrap();
    assert_eq!(r.explain(), "aangenomen: 1 van 1 stem voor, quorum gehaald");
    let r = tally_counts(&rules(100, Majority::Unanimous), 1, 0, 0, 0, 0).unwrap();
    assert_eq!(
        r.explain(),
        "niet geldig: quorum niet gehaald (0 van 1 stemgerechtigde aanwezig, 1 nodig)"
    );
}

#[test]
fn impossible_counts_are_refused() {
    let r = BodyRules::default();
    assert_eq!(
        tally_counts(&r, 5, 6, 0, 0, 0),
        Err(VoteError::PresentExceedsEligible {
            present: 6,
            eligible: 5
        })
    );
    let err = tally_counts(&r, 7, 4, 3, 2, 0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Er zijn 5 stemmen opgegeven, maar er zijn maar 4 stemgerechtigden aanwezig."
    );
    assert!(tally_counts(&r, 7, 4, u32::MAX, u32::MAX, u32::MAX).is_err());
}

/// Bodies as the eligibility rules see them: the employment form of their seats.
const MSB: Option<EmploymentForm> = Some(Vrijgevestigd);
const VMSD: Option<EmploymentForm> = Some(Dienstverband);
const VMS: Option<EmploymentForm> = None;
const RVB: Option<EmploymentForm> = None;
const BODIES: [Option<EmploymentForm>; 4] = [MSB, VMSD, VMS, RVB];

fn any_rules() -> impl Strategy<Value = BodyRules> {
    (1u8..=100, prop::sample::select(Majority::ALL)).prop_map(|(q, m)| rules(q, m))
}

fn subject() -> impl Strategy<Value = Subject> {
    prop::sample::select(Subject::ALL)
}

fn choice() -> impl Strategy<Value = Choice> {
    prop::sample::select(Choice::ALL)
}

/// Members 1..=n, presence and ballots that also name people who are not members (up to n+3).
fn vote() -> impl Strategy<Value = (Vec<Member>, Vec<PersonId>, Vec<Ballot>)> {
    let form = prop::option::of(prop::sample::select(EmploymentForm::ALL));
    prop::collection::vec((form, any::<bool>(), any::<bool>()), 0..12).prop_flat_map(|rows| {
        let n = rows.len() as i64;
        let members: Vec<Member> = rows
            .iter()
            .enumerate()
            .map(|(i, (form, seat, _))| Member {
                person_id: PersonId::new(i as i64 + 1),
                employment_form: *form,
                has_seat: *seat,
            })
            .collect();
        let present: Vec<PersonId> = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.2)
            .map(|(i, _)| PersonId::new(i as i64 + 1))
            .collect();
        let ballots = prop::collection::vec(
            (1..=n + 3, choice()).prop_map(|(person_id, choice)| Ballot {
                person_id: PersonId::new(person_id),
                choice,
            }),
            0..16,
        );
        (Just(members), Just(present), ballots)
    })
}

/// Eligible, present and votes for, against and abstaining that tally_counts accepts.
fn possible_counts() -> impl Strategy<Value = (u32, u32, u32, u32, u32)> {
    (0u32..30)
        .prop_flat_map(|e| (Just(e), 0..=e))
        .prop_flat_map(|(e, p)| (Just(e), Just(p), 0..=p))
        .prop_flat_map(|(e, p, f)| (Just(e), Just(p), Just(f), 0..=p - f))
        .prop_flat_map(|(e, p, f, a)| (Just(e), Just(p), Just(f), Just(a), 0..=p - f - a))
}

fn counts(r: &VoteResult) -> (u32, u32, u32) {
    (r.votes_for, r.votes_against, r.votes_abstain)
}

proptest! {
    #[test]
    fn never_passes_without_quorum(
        body in prop::sample::select(&BODIES[..]),
        subject in subject(),
        rules in any_rules(),
        (members, present, ballots) in vote(),
    ) {
        let r = tally(body, subject, &rules, &members, &present, &ballots);
        prop_assert!(!r.passed || r.quorum_met);
        prop_assert!(r.present_eligible <= r.eligible);
        prop_assert!(r.votes_cast() <= r.present_eligible);
        prop_assert_eq!(r.passed, r.explain().starts_with("aangenomen"));
        prop_assert_eq!(!r.quorum_met, r.explain().starts_with("niet geldig"));
        prop_assert_eq!(r.votes_cast() as usize + r.ignored.len(), ballots.len());
    }

    #[test]
    fn ballots_of_outsiders_and_absentees_change_nothing(
        body in prop::sample::select(&BODIES[..]),
        subject in subject(),
        rules in any_rules(),
        (members, present, ballots) in vote(),
        who in 0i64..20,
        choice in choice(),
        at in 0usize..20,
    ) {
        let who = PersonId::new(who);
        let counted = members.iter().any(|m| {
            m.person_id == who && eligible(body, subject, m) && present.contains(&who)
        });
        // A ballot that would count is swapped for one of somebody outside the body.
        let who = if counted { PersonId::new(1000) } else { who };
        let before = tally(body, subject, &rules, &members, &present, &ballots);
        let mut more = ballots.clone();
        more.insert(at.min(more.len()), Ballot { person_id: who, choice });
        let after = tally(body, subject, &rules, &members, &present, &more);
        prop_assert_eq!(counts(&before), counts(&after));
        prop_assert_eq!(before.passed, after.passed);
    }

    #[test]
    fn stricter_majorities_imply_weaker_ones(
        quorum in 1u8..=100,
        (eligible, present, f, a, ab) in possible_counts(),
    ) {
        let run = |m| tally_counts(&rules(quorum, m), eligible, present, f, a, ab).unwrap().passed;
        let (unanimous, two_thirds, simple) =
            (run(Majority::Unanimous), run(Majority::TwoThirds), run(Majority::Simple));
        prop_assert!(!unanimous || two_thirds);
        prop_assert!(!two_thirds || simple);
    }

    #[test]
    fn another_vote_for_never_hurts(
        body in prop::sample::select(&BODIES[..]),
        subject in subject(),
        rules in any_rules(),
        (mut members, mut present, ballots) in vote(),
    ) {
        // A newcomer who is eligible on the subject, present, and has not voted yet.
        let (body, form) = match subject {
            Subject::Algemeen => (body, None),
            Subject::FinancieelVrijgevestigd => (MSB, Some(Vrijgevestigd)),
            Subject::ArbeidsvoorwaardenDienstverband => (VMSD, Some(Dienstverband)),
        };
        members.push(member(100, form));
        present.push(PersonId::new(100));
        let before = tally(body, subject, &rules, &members, &present, &ballots);
        let mut more = ballots.clone();
        more.push(Ballot { person_id: PersonId::new(100), choice: Voor });
        let after = tally(body, subject, &rules, &members, &present, &more);
        prop_assert_eq!(after.votes_for, before.votes_for + 1);
        prop_assert!(!before.passed || after.passed);
    }

    #[test]
    fn named_and_counted_votes_agree(
        body in prop::sample::select(&BODIES[..]),
        subject in subject(),
        rules in any_rules(),
        (members, present, ballots) in vote(),
    ) {
        let named = tally(body, subject, &rules, &members, &present, &ballots);
        let (f, a, ab) = counts(&named);
        let counted = tally_counts(&rules, named.eligible, named.present_eligible, f, a, ab);
        prop_assert_eq!(counted, Ok(VoteResult { ignored: Vec::new(), ..named }));
    }

    #[test]
    fn quorum_matches_its_definition(
        rules in any_rules(),
        (eligible, present) in (0u32..200).prop_flat_map(|e| (Just(e), 0..=e)),
    ) {
        let r = tally_counts(&rules, eligible, present, 0, 0, 0).unwrap();
        let share = u64::from(rules.quorum_percent) * u64::from(eligible);
        let defined = u64::from(present) * 100 >= share && present >= 1;
        prop_assert_eq!(r.quorum_met, defined);
    }
}
