//! Who may answer and how often, the one-transaction submit, and the anonymity model: no column,
//! key, order or transaction id connects an answer to the person who gave it.

use super::common::{self, admin};
use super::support::{TODAY, form, hospital, refused, who};
use gg_store::domain::agreements::kinds::SevenS;
use gg_store::domain::people::Position;
use gg_store::domain::selfassessment::{
    Answer, AnswersDraft, BodyResult, MIN_RESPONDENTS, Refusal, RoundDraft, RoundId, SideResult,
    StatementId, Submission, SubmittedAnswer,
};
use gg_store::selfassessment as sa;
use gg_store::{PgPool, StoreError};
use time::macros::date;

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn one_submit_per_person_and_the_draft_goes_with_it(pool: PgPool) {
    let h = hospital(pool).await;
    let p = h
        .person(
            "dubbel@example.org",
            &[(h.msb, Position::Lid), (h.vms, Position::Voorzitter)],
        )
        .await;
    let round = h
        .open(&[h.msb, h.vms], &h.statements(&[SevenS::Stijl]).await)
        .await;
    let id = round.round.id;
    let eligible = sa::eligible_bodies(h.s.pool(), id, p).await.unwrap();
    assert_eq!(
        eligible.iter().map(|b| b.id).collect::<Vec<_>>(),
        [h.msb, h.vms]
    );

    let ids = round.statement_ids();
    let draft = AnswersDraft::parse(&form(&ids, &["3"], Some("concept")), &ids).unwrap();
    let mut tx = h.s.begin().await.unwrap();
    sa::save_draft(&mut tx, id, p, &draft, TODAY).await.unwrap();
    gg_store::commit(tx).await.unwrap();

    h.submit(&round, p, h.vms, &["4"], None).await.unwrap();
    assert_eq!(
        h.count(
            "SELECT count(*) FROM sa_answer_draft WHERE round_id = $1",
            id
        )
        .await,
        0
    );
    assert_eq!(
        h.count("SELECT count(*) FROM sa_answer WHERE round_id = $1", id)
            .await,
        ids.len() as i64
    );

    // Again, for the same or the other body: refused, nothing added.
    for body in [h.vms, h.msb] {
        assert_eq!(
            refused(h.submit(&round, p, body, &["1"], None).await),
            Refusal::AlreadySubmitted
        );
    }
    let mut tx = h.s.begin().await.unwrap();
    let r = sa::save_draft(&mut tx, id, p, &draft, TODAY).await;
    assert_eq!(refused(r), Refusal::AlreadySubmitted);
    drop(tx);
    assert_eq!(
        h.count("SELECT count(*) FROM sa_answer WHERE round_id = $1", id)
            .await,
        ids.len() as i64
    );
    assert_eq!(
        h.count(
            "SELECT count(*) FROM sa_participation WHERE round_id = $1",
            id
        )
        .await,
        1
    );
    // The audit trail says who took part, not what they answered.
    let entry: serde_json::Value = sqlx::query_scalar(
        "SELECT after FROM audit_log WHERE object_type = 'sa_round' AND action = 'participate'",
    )
    .fetch_one(&h.pool)
    .await
    .unwrap();
    assert_eq!(entry, serde_json::json!({ "person_id": p.get() }));
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn a_submit_is_all_or_nothing(pool: PgPool) {
    let h = hospital(pool).await;
    let p = h.members("heel", h.rvb, 1).await[0];
    let round = h
        .open(&[h.rvb], &h.statements(&[SevenS::Strategie]).await)
        .await;
    let id = round.round.id;
    let ids = round.statement_ids();
    let draft = AnswersDraft::parse(&form(&ids, &["2"], None), &ids).unwrap();
    let mut tx = h.s.begin().await.unwrap();
    sa::save_draft(&mut tx, id, p, &draft, TODAY).await.unwrap();
    gg_store::commit(tx).await.unwrap();

    // A forged submission whose last answer the database refuses (a comment over the limit,
    // past the domain's parse): the participation row written before it is gone as well.
    let mut answers: Vec<SubmittedAnswer> = ids
        .iter()
        .map(|&statement| SubmittedAnswer {
            statement,
            answer: Answer::Eens,
            comment: None,
        })
        .collect();
    answers.last_mut().unwrap().comment = Some("x".repeat(5_000));
    let mut tx = h.s.begin().await.unwrap();
    let r = sa::submit(
        &mut tx,
        &who(p),
        id,
        p,
        h.rvb,
        Submission { answers },
        TODAY,
    )
    .await;
    assert!(matches!(r, Err(StoreError::Db(_))), "{r:?}");
    drop(tx);
    assert_eq!(
        h.count(
            "SELECT count(*) FROM sa_participation WHERE round_id = $1",
            id
        )
        .await,
        0
    );
    assert_eq!(
        h.count("SELECT count(*) FROM sa_answer WHERE round_id = $1", id)
            .await,
        0
    );
    assert_eq!(
        sa::draft(&h.s, id, p).await.unwrap(),
        draft,
        "the draft is kept"
    );
    assert_eq!(
        common::audit_count(&h.pool, "sa_round").await,
        2,
        "create and open only"
    );

    // Incomplete or foreign submissions are refused before anything is written.
    let short = Submission {
        answers: vec![SubmittedAnswer {
            statement: ids[0],
            answer: Answer::Eens,
            comment: None,
        }],
    };
    let mut tx = h.s.begin().await.unwrap();
    assert_eq!(
        refused(sa::submit(&mut tx, &who(p), id, p, h.rvb, short, TODAY).await),
        Refusal::Incomplete
    );
    drop(tx);
    let mut foreign = Submission::parse(&form(&ids, &["3"], None), &ids).unwrap();
    foreign.answers[0].statement = StatementId(ids[0].get() + 10_000);
    let mut tx = h.s.begin().await.unwrap();
    assert_eq!(
        refused(sa::submit(&mut tx, &who(p), id, p, h.rvb, foreign, TODAY).await),
        Refusal::ForeignStatement
    );
    drop(tx);

    // The honest submit afterwards goes through.
    h.submit(&round, p, h.rvb, &["3"], None).await.unwrap();
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn only_seated_members_of_invited_bodies_answer(pool: PgPool) {
    let h = hospital(pool).await;
    let round = h
        .open(&[h.rvb, h.msb], &h.statements(&[SevenS::Stijl]).await)
        .await;
    let id = round.round.id;
    let outsider = h
        .person("buiten@example.org", &[(h.vmsd, Position::Lid)])
        .await;
    let secretary = h
        .person("notulist@example.org", &[(h.rvb, Position::Secretaris)])
        .await;
    let observer = h
        .person("toezicht@example.org", &[(h.rvt, Position::Lid)])
        .await;
    let member = h.person("lid@example.org", &[(h.rvb, Position::Lid)]).await;
    let disabled = h.person("uit@example.org", &[(h.msb, Position::Lid)]).await;
    let mut tx = h.s.begin().await.unwrap();
    gg_store::people::set_disabled(&mut tx, &admin(), disabled, true)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();

    for p in [outsider, secretary, observer, disabled] {
        assert!(
            sa::eligible_bodies(h.s.pool(), id, p)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(sa::invitations(&h.s, p, TODAY).await.unwrap().is_empty());
        assert_eq!(
            refused(h.submit(&round, p, h.rvb, &["3"], None).await),
            Refusal::NotInvited
        );
        let ids = round.statement_ids();
        let draft = AnswersDraft::parse(&form(&ids, &["3"], None), &ids).unwrap();
        let mut tx = h.s.begin().await.unwrap();
        assert_eq!(
            refused(sa::save_draft(&mut tx, id, p, &draft, TODAY).await),
            Refusal::NotInvited
        );
    }
    // A member answers for their own body only.
    assert_eq!(
        refused(h.submit(&round, member, h.msb, &["3"], None).await),
        Refusal::BodyNotEligible
    );
    assert_eq!(
        refused(h.submit(&round, member, h.rvt, &["3"], None).await),
        Refusal::BodyNotEligible
    );
    h.submit(&round, member, h.rvb, &["3"], None).await.unwrap();

    // Observers cannot be invited at all.
    let mut tx = h.s.begin().await.unwrap();
    let draft = RoundDraft {
        title: "Met RvT".into(),
        body_ids: vec![h.rvt],
        opens_on: TODAY,
        closes_on: date!(2026 - 12 - 31),
    };
    let r = sa::create_round(&mut tx, &admin(), &draft, &[])
        .await
        .map(|_| ());
    assert_eq!(refused(r), Refusal::BodyNotInvitable);
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn leaving_the_body_or_being_disabled_changes_no_result(pool: PgPool) {
    let h = hospital(pool).await;
    let rvb = h.members("rvb", h.rvb, 3).await;
    let msb = h.members("msb", h.msb, 3).await;
    let round = h
        .open(&[h.rvb, h.msb], &h.statements(&[SevenS::Strategie]).await)
        .await;
    let id = round.round.id;
    for p in &rvb {
        h.submit(&round, *p, h.rvb, &["5", "4"], Some("Goed"))
            .await
            .unwrap();
    }
    for p in &msb {
        h.submit(&round, *p, h.msb, &["2", "1"], None)
            .await
            .unwrap();
    }
    // While the round is open, one leaves the RvB and one MSB member is disabled.
    let detail = gg_store::people::get(&h.s, rvb[0]).await.unwrap();
    let input = without_seats(&detail);
    let mut tx = h.s.begin().await.unwrap();
    gg_store::people::update(&mut tx, &admin(), rvb[0], detail.version, &input)
        .await
        .unwrap();
    gg_store::people::set_disabled(&mut tx, &admin(), msb[0], true)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    h.close(id).await;
    let before = sa::closed_round(&h.s, id).await.unwrap().results();
    let respondents: Vec<u32> = before
        .bodies
        .iter()
        .map(|b| b.figures().unwrap().respondents)
        .collect();
    assert_eq!(respondents, [3, 3]);
    assert!(matches!(before.rvb, SideResult::Shown(_)));

    // And after closing: another leaves, another is disabled. Nothing moves.
    let detail = gg_store::people::get(&h.s, msb[1]).await.unwrap();
    let input = without_seats(&detail);
    let mut tx = h.s.begin().await.unwrap();
    gg_store::people::update(&mut tx, &admin(), msb[1], detail.version, &input)
        .await
        .unwrap();
    gg_store::people::set_disabled(&mut tx, &admin(), rvb[1], true)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    assert_eq!(sa::closed_round(&h.s, id).await.unwrap().results(), before);
    assert_eq!(
        sa::alignments(&h.s).await.unwrap()[0].overall,
        before.overall_alignment
    );
    // The person who left still sees the round they took part in.
    assert_eq!(sa::rounds_for(&h.s, rvb[0]).await.unwrap().len(), 1);
}

/// The person as an edit form would send them back with every seat unticked.
fn without_seats(d: &gg_store::people::PersonDetail) -> gg_store::domain::people::PersonDraft {
    use gg_store::domain::people::{Email, PersonDraft, PersonName};
    PersonDraft {
        email: Email::parse(&d.email).unwrap(),
        name: PersonName::parse(&d.name).unwrap(),
        roles: d.roles.iter().copied().collect(),
        memberships: Vec::new(),
        vakgroepen: Default::default(),
    }
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn no_query_can_join_an_answer_to_a_person(pool: PgPool) {
    let h = hospital(pool).await;
    // The answer table: five columns, none of them a person, session, moment or sequence.
    let columns: Vec<(String, String, Option<String>, String, String)> = sqlx::query_as(
        "SELECT column_name::text, data_type::text, column_default::text, is_identity::text, is_generated::text
         FROM information_schema.columns WHERE table_name = 'sa_answer' ORDER BY ordinal_position",
    )
    .fetch_all(&h.pool)
    .await
    .unwrap();
    let names: Vec<&str> = columns.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(
        names,
        ["round_id", "body_id", "statement_id", "answer", "comment"]
    );
    for (name, data_type, default, identity, generated) in &columns {
        assert!(
            matches!(data_type.as_str(), "bigint" | "text"),
            "{name}: {data_type}"
        );
        assert_eq!(
            (default, identity.as_str(), generated.as_str()),
            (&None, "NO", "NEVER"),
            "{name}"
        );
    }
    // No key of its own, and whatever its foreign keys reach holds no person either.
    let keys: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_constraint WHERE conrelid = 'sa_answer'::regclass AND contype IN ('p', 'u')",
    )
    .fetch_one(&h.pool)
    .await
    .unwrap();
    assert_eq!(keys, 0);
    let reachable: Vec<String> = sqlx::query_scalar(
        "WITH RECURSIVE reach(rel) AS (
             SELECT 'sa_answer'::regclass::oid
             UNION SELECT c.confrelid FROM pg_constraint c JOIN reach r ON c.conrelid = r.rel WHERE c.contype = 'f')
         SELECT rel::regclass::text FROM reach ORDER BY 1",
    )
    .fetch_all(&h.pool)
    .await
    .unwrap();
    assert_eq!(
        reachable,
        [
            "body",
            "sa_answer",
            "sa_round",
            "sa_round_body",
            "sa_round_statement",
            "sa_statement"
        ]
    );
    let person_columns: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.columns
         WHERE table_name = ANY($1) AND (column_name LIKE '%person%' OR column_name LIKE '%session%'
               OR data_type LIKE 'timestamp%' OR data_type IN ('date', 'time', 'interval'))
           AND table_name <> 'sa_round' AND table_name <> 'sa_statement_version'",
    )
    .bind(&reachable)
    .fetch_one(&h.pool)
    .await
    .unwrap();
    assert_eq!(person_columns, 0);
    // Participation has no moment either.
    let participation: Vec<String> = sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns WHERE table_name = 'sa_participation' ORDER BY ordinal_position",
    )
    .fetch_all(&h.pool)
    .await
    .unwrap();
    assert_eq!(participation, ["round_id", "person_id", "body_id"]);

    // Four MSB members hand in one after the other, then three of the RvB, each marking every
    // answer with their name (only a test would; it lets us see whose row is where).
    let people = h.members("anoniem", h.msb, 4).await;
    let board = h.members("bestuur", h.rvb, 3).await;
    let round = h
        .open(
            &[h.msb, h.rvb],
            &h.statements(&[SevenS::Strategie, SevenS::Stijl]).await,
        )
        .await;
    let id = round.round.id;
    let submits = people
        .iter()
        .map(|p| (*p, h.msb, "p"))
        .chain(board.iter().map(|p| (*p, h.rvb, "r")));
    for (i, (p, body, marker)) in submits.enumerate() {
        h.submit(&round, p, body, &["3", "4"], Some(&format!("{marker}{i}")))
            .await
            .unwrap();
        // After every submit all answers of that body carry that submit's transaction id: the
        // system column xmin links a participation row to all of its body's answers or to none,
        // never to its own alone, and never to another body's.
        let singled_out: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM sa_participation p
             WHERE EXISTS (SELECT 1 FROM sa_answer a WHERE a.xmin = p.xmin)
               AND EXISTS (SELECT 1 FROM sa_answer a
                           WHERE a.round_id = p.round_id AND a.body_id = p.body_id AND a.xmin <> p.xmin)",
        )
        .fetch_one(&h.pool)
        .await
        .unwrap();
        assert_eq!(singled_out, 0);
        let across: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM sa_participation p JOIN sa_answer a ON a.xmin = p.xmin
             WHERE a.body_id <> p.body_id OR p.person_id <> $1 AND p.body_id = $2",
        )
        .bind(p.get())
        .bind(body.get())
        .fetch_one(&h.pool)
        .await
        .unwrap();
        assert_eq!(across, 0);
        if i == people.len() - 1 {
            assert_physical_order_is_mixed(&h, id, people.len()).await;
        }
    }
    h.close(id).await;
    assert_physical_order_is_mixed(&h, id, people.len() + board.len()).await;
    let linked: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sa_participation p JOIN sa_answer a ON a.xmin = p.xmin",
    )
    .fetch_one(&h.pool)
    .await
    .unwrap();
    assert_eq!(
        linked, 0,
        "after closing no answer carries a submit's transaction id"
    );
}

/// The answers in their physical order do not come in one block per person: counting the places
/// where the marker changes, blocks would give `people - 1`.
async fn assert_physical_order_is_mixed(
    h: &super::support::Hospital,
    round: RoundId,
    people: usize,
) {
    let markers: Vec<String> =
        sqlx::query_scalar("SELECT comment FROM sa_answer WHERE round_id = $1 ORDER BY ctid")
            .bind(round.get())
            .fetch_all(&h.pool)
            .await
            .unwrap();
    let changes = markers.windows(2).filter(|w| w[0] != w[1]).count();
    assert!(changes > 3 * people, "{changes} changes in {markers:?}");
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn two_people_at_the_same_moment_cannot_be_told_apart(pool: PgPool) {
    let h = hospital(pool).await;
    let people = h.members("tegelijk", h.rvb, 3).await;
    let round = h.open(&[h.rvb], &h.statements(&[]).await).await;
    let id = round.round.id;
    h.submit(&round, people[2], h.rvb, &["3"], Some("eerder"))
        .await
        .unwrap();
    let (a, b) = tokio::join!(
        h.submit(&round, people[0], h.rvb, &["1", "2"], Some("a")),
        h.submit(&round, people[1], h.rvb, &["5", "4"], Some("b")),
    );
    a.unwrap();
    b.unwrap();
    // All answers of the round in one random order, with one transaction id, no time anywhere.
    assert_eq!(
        h.count(
            "SELECT count(DISTINCT xmin::text) FROM sa_answer WHERE round_id = $1",
            id
        )
        .await,
        1
    );
    assert_physical_order_is_mixed(&h, id, 3).await;
    let timed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.columns
         WHERE table_name IN ('sa_answer', 'sa_participation') AND (data_type LIKE 'time%' OR data_type = 'date')",
    )
    .fetch_one(&h.pool)
    .await
    .unwrap();
    assert_eq!(timed, 0);
    h.close(id).await;
    let results = sa::closed_round(&h.s, id).await.unwrap().results();
    let BodyResult::Shown(rvb) = &results.bodies[0] else {
        panic!("3 respondents")
    };
    assert_eq!(rvb.respondents, MIN_RESPONDENTS);
}
