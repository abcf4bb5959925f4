//! A round from concept to results, the dates and statuses that govern answering, the
//! catalogue's versions, and hostile input.

use super::common::{self, admin};
use super::support::{TODAY, form, hospital, refused, who};
use gg_store::domain::agreements::kinds::SevenS;
use gg_store::domain::people::Position;
use gg_store::domain::selfassessment::{
    AnswerField, AnswersDraft, AnswersForm, DEFAULT_CATALOGUE, Refusal, RoundDraft, RoundStatus,
    RoundStatusError, StatementDraft, StatementForm, StatementId, Submission,
};
use gg_store::selfassessment as sa;
use gg_store::{Invalid, PgPool, StoreError};
use time::macros::date;

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn a_round_from_concept_to_results(pool: PgPool) {
    let h = hospital(pool).await;
    let rvb = h.members("rvb", h.rvb, 3).await;
    let msb = h.members("msb", h.msb, 4).await;
    let chosen = h.statements(&[SevenS::Structuur, SevenS::Systemen]).await;
    assert_eq!(chosen.len(), 13);
    let round = h.open(&[h.rvb, h.msb], &chosen).await;
    assert_eq!(round.round.status, RoundStatus::Open);
    assert_eq!(round.statements.len(), 13);
    assert_eq!(round.statements[0].key, "structuur-1");
    assert_eq!(round.statements[7].key, "systemen-1");
    let id = round.round.id;

    // The dashboard reminds every member; the list shows the round.
    let inv = sa::invitations(&h.s, rvb[0], TODAY).await.unwrap();
    assert_eq!(inv.len(), 1);
    assert_eq!(
        (inv[0].statements, inv[0].drafted, inv[0].submitted),
        (13, 0, false)
    );
    assert_eq!(sa::rounds_for(&h.s, msb[0]).await.unwrap()[0].id, id);
    let eligible = sa::eligible_bodies(h.s.pool(), id, rvb[0]).await.unwrap();
    assert_eq!(eligible.iter().map(|b| b.id).collect::<Vec<_>>(), [h.rvb]);

    // Save and continue later: only what is filled in, read back in round order.
    let ids = round.statement_ids();
    let mut partial = AnswersForm::default();
    partial.answers.insert(ids[2], "4".into());
    partial.comments.insert(ids[0], "Nog over nadenken.".into());
    let draft = AnswersDraft::parse(&partial, &ids).unwrap();
    let mut tx = h.s.begin().await.unwrap();
    sa::save_draft(&mut tx, id, rvb[0], &draft, TODAY)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    assert_eq!(sa::draft(&h.s, id, rvb[0]).await.unwrap(), draft);
    assert!(
        sa::draft(&h.s, id, rvb[1])
            .await
            .unwrap()
            .answers
            .is_empty()
    );
    assert_eq!(
        sa::invitations(&h.s, rvb[0], TODAY).await.unwrap()[0].drafted,
        1
    );

    // The boards differ: the RvB is content with structure and systems, MSB+ is not.
    for p in &rvb {
        h.submit(&round, *p, h.rvb, &["4", "5"], None)
            .await
            .unwrap();
    }
    for (i, p) in msb.iter().enumerate() {
        let comment = format!("Opmerking {i}");
        h.submit(&round, *p, h.msb, &["2", "3", "weet_niet"], Some(&comment))
            .await
            .unwrap();
    }
    assert!(
        sa::draft(&h.s, id, rvb[0])
            .await
            .unwrap()
            .answers
            .is_empty()
    );
    assert!(sa::invitations(&h.s, rvb[0], TODAY).await.unwrap()[0].submitted);
    assert!(sa::has_participated(h.s.pool(), id, rvb[0]).await.unwrap());
    let counts = sa::participation(&h.s, id).await.unwrap();
    assert_eq!(
        counts
            .iter()
            .map(|c| (c.body_id, c.members, c.respondents))
            .collect::<Vec<_>>(),
        [(h.rvb, 3, 3), (h.msb, 4, 4)]
    );

    // No results while open.
    assert!(matches!(
        sa::closed_round(&h.s, id).await,
        Err(StoreError::Invalid(Invalid::SelfAssessment(
            Refusal::NoResultsYet
        )))
    ));
    // Editing the catalogue after opening changes nothing the round asked.
    let first = sa::catalogue(&h.s)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.key == "structuur-1")
        .unwrap();
    let edit = StatementDraft {
        s: SevenS::Structuur,
        text: "Herschreven.".into(),
        source: None,
    };
    let mut tx = h.s.begin().await.unwrap();
    sa::edit_statement(&mut tx, &admin(), first.id, first.version, &edit)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();

    h.close(id).await;
    let closed = sa::closed_round(&h.s, id).await.unwrap();
    assert_eq!(closed.statement_rows[0].text, round.statements[0].text);
    assert_eq!(closed.answers.len(), 7 * 13);
    let results = closed.results();
    let rvb_fig = results.bodies[0].figures().expect("3 RvB respondents");
    assert_eq!(rvb_fig.respondents, 3);
    let msb_fig = results.bodies[1].figures().expect("4 MSB respondents");
    assert_eq!(msb_fig.statements[0].comments.len(), 4);
    let gap = results.s_gaps[SevenS::Structuur].expect("both sides shown");
    assert!(
        gap.gap < sqlx::types::Decimal::ZERO,
        "MSB+ agrees less: {gap:?}"
    );
    assert!(results.s_gaps[SevenS::Stijl].is_none());

    // The alignment is kept at closing and equals the full computation.
    let kept = sa::alignments(&h.s).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(
        kept[0],
        results.alignment_summary(id, "Zelfevaluatie 2026", date!(2026 - 12 - 03))
    );
    assert_eq!(
        sa::round(&h.s, id).await.unwrap().round.overall_alignment,
        kept[0].overall
    );

    // C5: the S and its statements for an agenda item or agreement.
    let basis = sa::action_basis(&h.s, id, SevenS::Systemen).await.unwrap();
    assert_eq!(basis.statements.len(), 6);
    assert!(basis.statements.iter().all(|s| s.s == SevenS::Systemen));

    // Nothing left to remind of, and a closed round takes no answers.
    assert!(
        sa::invitations(&h.s, rvb[0], TODAY)
            .await
            .unwrap()
            .is_empty()
    );
    let late = h
        .person("laat@example.org", &[(h.rvb, Position::Lid)])
        .await;
    let r = h.submit(&round, late, h.rvb, &["3"], None).await;
    assert_eq!(refused(r), Refusal::NotAccepting);
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn answers_only_while_the_round_is_open(pool: PgPool) {
    let h = hospital(pool).await;
    let p = h.members("venster", h.rvb, 1).await[0];
    let chosen = h.statements(&[SevenS::Personeel]).await;
    let concept = h.concept(&[h.rvb], &chosen).await;
    let detail = sa::round(&h.s, concept).await.unwrap();
    assert!(detail.statements.is_empty(), "copied only when opened");
    assert_eq!(detail.choices.len(), chosen.len());
    // A concept round: nothing to answer, not even a draft.
    let mut tx = h.s.begin().await.unwrap();
    let empty = AnswersDraft { answers: vec![] };
    assert_eq!(
        refused(sa::save_draft(&mut tx, concept, p, &empty, TODAY).await),
        Refusal::NotAccepting
    );
    drop(tx);

    let mut tx = h.s.begin().await.unwrap();
    sa::open_round(&mut tx, &admin(), concept, 1, TODAY)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    let round = sa::round(&h.s, concept).await.unwrap();
    // Before the opening date and after the closing date: refused.
    for day in [date!(2026 - 11 - 21), date!(2026 - 12 - 04)] {
        let r = h.submit_on(&round, p, h.rvb, &["3"], None, day).await;
        assert_eq!(refused(r), Refusal::NotAccepting, "{day}");
    }
    // The last day still counts; a draft then is deleted unread when the round closes.
    let ids = round.statement_ids();
    let draft = AnswersDraft::parse(&form(&ids, &["5"], None), &ids).unwrap();
    let mut tx = h.s.begin().await.unwrap();
    sa::save_draft(&mut tx, concept, p, &draft, date!(2026 - 12 - 03))
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();

    // The first visit after the closing date closes the round.
    let mut tx = h.s.begin().await.unwrap();
    assert!(
        sa::close_overdue(&mut tx, &admin(), date!(2026 - 12 - 03))
            .await
            .unwrap()
            .is_empty()
    );
    let closed = sa::close_overdue(&mut tx, &admin(), date!(2026 - 12 - 04))
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    assert_eq!(closed, [concept]);
    let row = sa::round(&h.s, concept).await.unwrap().round;
    assert_eq!(row.status, RoundStatus::Gesloten);
    assert_eq!(
        h.count(
            "SELECT count(*) FROM sa_answer_draft WHERE round_id = $1",
            concept
        )
        .await,
        0
    );
    assert!(!sa::has_participated(h.s.pool(), concept, p).await.unwrap());

    // Closed is closed: no reopening, no answers, not even through SQL.
    let mut tx = h.s.begin().await.unwrap();
    let r = sa::open_round(&mut tx, &admin(), concept, row.version, TODAY).await;
    assert!(
        matches!(
            r,
            Err(StoreError::Invalid(Invalid::RoundStatus(
                RoundStatusError::NotAllowed { .. }
            )))
        ),
        "{r:?}"
    );
    drop(tx);
    let r = sqlx::query(
        "INSERT INTO sa_answer (round_id, body_id, statement_id, answer) VALUES ($1, $2, $3, '3')",
    )
    .bind(concept.get())
    .bind(h.rvb.get())
    .bind(ids[0].get())
    .execute(&h.pool)
    .await;
    assert!(
        r.unwrap_err()
            .to_string()
            .contains("only be written while their round is open")
    );
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn rounds_are_edited_in_concept_only_and_open_by_the_domain_rules(pool: PgPool) {
    let h = hospital(pool).await;
    let empty = h.concept(&[h.rvb], &[]).await;
    let mut tx = h.s.begin().await.unwrap();
    let r = sa::open_round(&mut tx, &admin(), empty, 1, TODAY).await;
    assert!(
        matches!(
            r,
            Err(StoreError::Invalid(Invalid::RoundStatus(
                RoundStatusError::NoStatements
            )))
        ),
        "{r:?}"
    );
    drop(tx);

    let chosen = h.statements(&[SevenS::Vaardigheden]).await;
    let draft = RoundDraft {
        title: "Bijgewerkt".into(),
        body_ids: vec![h.msb, h.rvb, h.msb],
        opens_on: TODAY,
        closes_on: date!(2026 - 12 - 31),
    };
    let mut tx = h.s.begin().await.unwrap();
    sa::update_round(&mut tx, &admin(), empty, 1, &draft, &chosen)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    // Someone else's stale form.
    let mut tx = h.s.begin().await.unwrap();
    let r = sa::update_round(&mut tx, &admin(), empty, 1, &draft, &chosen).await;
    assert!(matches!(r, Err(StoreError::Conflict)), "{r:?}");
    drop(tx);
    let detail = sa::round(&h.s, empty).await.unwrap();
    assert_eq!(
        detail.bodies.iter().map(|b| b.body_id).collect::<Vec<_>>(),
        [h.msb, h.rvb]
    );

    // A statement taken out of the catalogue leaves the concept round.
    let cat = sa::catalogue(&h.s).await.unwrap();
    let out = cat.iter().find(|c| c.id == chosen[0]).unwrap();
    let mut tx = h.s.begin().await.unwrap();
    sa::set_statement_active(&mut tx, &admin(), out.id, out.version, false)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    assert_eq!(
        sa::round(&h.s, empty).await.unwrap().choices.len(),
        chosen.len() - 1
    );
    let mut tx = h.s.begin().await.unwrap();
    let r = sa::update_round(&mut tx, &admin(), empty, 2, &draft, &chosen).await;
    assert_eq!(refused(r), Refusal::StatementUnavailable);
    drop(tx);

    let mut tx = h.s.begin().await.unwrap();
    sa::open_round(&mut tx, &admin(), empty, 2, TODAY)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    let open = sa::round(&h.s, empty).await.unwrap();
    assert_eq!(open.statements.len(), chosen.len() - 1);
    let mut tx = h.s.begin().await.unwrap();
    let r = sa::update_round(
        &mut tx,
        &admin(),
        empty,
        open.round.version,
        &draft,
        &chosen[1..],
    )
    .await;
    assert_eq!(refused(r), Refusal::NotEditable);
    drop(tx);
    let mut tx = h.s.begin().await.unwrap();
    let r = sa::close_round(&mut tx, &admin(), empty, 1, TODAY).await;
    assert!(matches!(r, Err(StoreError::Conflict)), "{r:?}");
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn the_catalogue_is_seeded_once_versioned_and_guarded(pool: PgPool) {
    let h = hospital(pool).await;
    let (a, b) = tokio::join!(sa::catalogue(&h.s), sa::catalogue(&h.s));
    assert_eq!(a.unwrap(), b.unwrap());
    let cat = sa::catalogue(&h.s).await.unwrap();
    assert_eq!(cat.len(), DEFAULT_CATALOGUE.len());
    for (row, default) in cat.iter().zip(DEFAULT_CATALOGUE) {
        assert_eq!(
            (row.key.as_str(), row.s, row.text.as_str()),
            (default.key, default.s, default.text)
        );
        assert_eq!(row.source.as_deref(), Some(default.source));
    }
    assert_eq!(common::audit_count(&h.pool, "sa_catalogue").await, 1);

    // A new statement continues its S's numbering, at the end of its S.
    let input = StatementDraft::parse(&StatementForm {
        s: "structuur".into(),
        text: "Nieuw.".into(),
        source: String::new(),
    })
    .unwrap();
    let mut tx = h.s.begin().await.unwrap();
    let new = sa::add_statement(&mut tx, &admin(), &input).await.unwrap();
    gg_store::commit(tx).await.unwrap();
    let cat = sa::catalogue(&h.s).await.unwrap();
    let pos = cat.iter().position(|c| c.id == new).unwrap();
    assert_eq!(cat[pos].key, "structuur-8");
    assert_eq!(cat[pos + 1].s, SevenS::Systemen);

    // Edits are versioned; a stale one is refused, and so is moving a statement to another S.
    let edit = StatementDraft {
        s: SevenS::Structuur,
        text: "Beter verwoord.".into(),
        source: Some("eigen".into()),
    };
    let mut tx = h.s.begin().await.unwrap();
    sa::edit_statement(&mut tx, &admin(), new, 1, &edit)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    let mut tx = h.s.begin().await.unwrap();
    let r = sa::edit_statement(&mut tx, &admin(), new, 1, &edit).await;
    assert!(matches!(r, Err(StoreError::Conflict)), "{r:?}");
    drop(tx);
    let moved = StatementDraft {
        s: SevenS::Stijl,
        ..edit.clone()
    };
    let mut tx = h.s.begin().await.unwrap();
    assert_eq!(
        refused(sa::edit_statement(&mut tx, &admin(), new, 2, &moved).await),
        Refusal::SFixed
    );
    drop(tx);
    let history = sa::statement_history(&h.s, new).await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|v| (v.version, v.text.as_str()))
            .collect::<Vec<_>>(),
        [(2, "Beter verwoord."), (1, "Nieuw.")]
    );
    assert_eq!(common::audit_count(&h.pool, "sa_statement").await, 2);
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn hostile_input_is_cleaned_or_refused_in_dutch(pool: PgPool) {
    let h = hospital(pool).await;
    let p = h.members("vijand", h.rvb, 1).await[0];
    let round = h
        .open(&[h.rvb], &h.statements(&[SevenS::Stijl]).await)
        .await;
    let ids = round.statement_ids();

    let nul = StatementDraft::parse(&StatementForm {
        s: "stijl".into(),
        text: "\0\0".into(),
        source: String::new(),
    })
    .unwrap_err();
    assert_eq!(nul[0].message, "Vul de tekst van de stelling in.");
    let odd = StatementDraft::parse(&StatementForm {
        s: "stijl'; DROP TABLE sa_answer;--".into(),
        text: "Tekst.".into(),
        source: String::new(),
    })
    .unwrap_err();
    assert_eq!(odd[0].field, "s");

    let mut hostile = form(&ids, &["4"], Some("voor\0na"));
    hostile.comments.insert(ids[1], "é".repeat(1_001));
    hostile.answers.insert(ids[2], "7".into());
    hostile
        .answers
        .insert(StatementId(ids[0].get() + 999), "3".into());
    let errors = Submission::parse(&hostile, &ids).unwrap_err();
    let messages: Vec<(AnswerField, String)> =
        errors.into_iter().map(|e| (e.field, e.message)).collect();
    assert!(
        messages.contains(&(
            AnswerField::Comment(ids[1]),
            "De toelichting is te lang: gebruik ten hoogste 1000 tekens (nu 1001).".into()
        )),
        "{messages:?}"
    );
    assert!(
        messages.contains(&(
            AnswerField::Answer(ids[2]),
            "Onbekend antwoord ‘7’; kies een van de antwoorden.".into()
        )),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|(f, m)| *f == AnswerField::Form && m.contains("niet bij deze ronde hoort")),
        "{messages:?}"
    );

    // NUL bytes are taken out by the parse, so PostgreSQL never sees them.
    let clean = Submission::parse(&form(&ids, &["4"], Some("voor\0na")), &ids).unwrap();
    assert_eq!(clean.answers[0].comment.as_deref(), Some("voorna"));
    let mut tx = h.s.begin().await.unwrap();
    sa::submit(&mut tx, &who(p), round.round.id, p, h.rvb, clean, TODAY)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn two_saves_of_one_person_at_once_take_turns(pool: PgPool) {
    let h = hospital(pool).await;
    let rvb = h.members("rvb", h.rvb, 1).await;
    let chosen = h.statements(&[SevenS::Stijl]).await;
    let round = h.open(&[h.rvb], &chosen).await;
    let id = round.round.id;
    let ids = round.statement_ids();
    // A double click: the same answers saved twice, each in its own transaction, at once. The
    // second waits for the first and replaces its draft instead of colliding with it.
    let draft = AnswersDraft::parse(&form(&ids, &["4", "2"], None), &ids).unwrap();
    let save = || async {
        let mut tx = h.s.begin().await.unwrap();
        sa::save_draft(&mut tx, id, rvb[0], &draft, TODAY).await?;
        gg_store::commit(tx).await
    };
    let (first, second) = tokio::join!(save(), save());
    first.unwrap();
    second.unwrap();
    assert_eq!(sa::draft(&h.s, id, rvb[0]).await.unwrap(), draft);
}
