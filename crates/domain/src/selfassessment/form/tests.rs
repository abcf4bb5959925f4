use super::*;
use time::macros::date;

const TODAY: Date = date!(2026 - 11 - 23);

fn fields(errors: &[FieldError]) -> Vec<&'static str> {
    errors.iter().map(|e| e.field).collect()
}

#[test]
fn a_statement_needs_an_s_and_a_text() {
    let draft = StatementDraft::parse(&StatementForm {
        s: "stijl".into(),
        text: "  Er is\n wederzijds   vertrouwen. ".into(),
        source: " ".into(),
    })
    .unwrap();
    assert_eq!(draft.s, SevenS::Stijl);
    assert_eq!(draft.text, "Er is wederzijds vertrouwen.");
    assert_eq!(draft.source, None);

    let errors = StatementDraft::parse(&StatementForm {
        s: "cultuur".into(),
        text: " \t ".into(),
        source: "x".repeat(MAX_SOURCE_CHARS + 1),
    })
    .unwrap_err();
    assert_eq!(fields(&errors), ["s", "text", "source"]);
    assert_eq!(errors[1].message, "Vul de tekst van de stelling in.");
    assert_eq!(
        errors[2].message,
        "De bron is te lang: gebruik ten hoogste 200 tekens (nu 201)."
    );
}

#[test]
fn a_statement_has_at_most_400_characters() {
    let form = |n: usize| StatementForm {
        s: "strategie".into(),
        // Multi-byte characters: the limit counts characters, not bytes.
        text: "é".repeat(n),
        source: "SiRM §3.2.1".into(),
    };
    let ok = StatementDraft::parse(&form(MAX_STATEMENT_CHARS)).unwrap();
    assert_eq!(ok.source.as_deref(), Some("SiRM §3.2.1"));
    let errors = StatementDraft::parse(&form(MAX_STATEMENT_CHARS + 1)).unwrap_err();
    assert_eq!(
        errors[0].message,
        "De stelling is te lang: gebruik ten hoogste 400 tekens (nu 401)."
    );
}

fn bodies() -> Vec<(BodyId, BodyKind)> {
    [
        (1, BodyKind::Bestuur),
        (2, BodyKind::MsbPlus),
        (3, BodyKind::MsbPlus),
        (9, BodyKind::Toezicht),
    ]
    .into_iter()
    .map(|(id, kind)| (BodyId::new(id), kind))
    .collect()
}

fn ids(ids: &[i64]) -> Vec<BodyId> {
    ids.iter().copied().map(BodyId::new).collect()
}

fn round_form() -> RoundForm {
    RoundForm {
        title: " Zelfevaluatie  2026 ".into(),
        body_ids: ids(&[2, 1, 2]),
        opens_on: "01-12-2026".into(),
        closes_on: "2026-12-20".into(),
    }
}

#[test]
fn a_valid_round() {
    let draft = RoundDraft::parse(&round_form(), &bodies(), TODAY).unwrap();
    assert_eq!(draft.title, "Zelfevaluatie 2026");
    assert_eq!(draft.body_ids, ids(&[2, 1]));
    assert_eq!(draft.opens_on, date!(2026 - 12 - 01));
    assert_eq!(draft.closes_on, date!(2026 - 12 - 20));
    // An opening date in the past is allowed; closing today is too.
    let mut f = round_form();
    f.opens_on = "01-11-2026".into();
    f.closes_on = "23-11-2026".into();
    assert!(RoundDraft::parse(&f, &bodies(), TODAY).is_ok());
}

#[test]
fn every_round_problem_at_its_field() {
    let f = RoundForm {
        title: "".into(),
        body_ids: vec![],
        opens_on: "".into(),
        closes_on: "31-02-2026".into(),
    };
    let errors = RoundDraft::parse(&f, &bodies(), TODAY).unwrap_err();
    assert_eq!(
        fields(&errors),
        ["title", "bodies", "opens_on", "closes_on"]
    );
    assert_eq!(errors[2].message, "Vul een openingsdatum in.");
    assert_eq!(
        errors[3].message,
        "Dit is geen geldige datum. Schrijf bijvoorbeeld 23-11-2026."
    );

    let mut f = round_form();
    f.title = "t".repeat(MAX_TITLE_CHARS + 1);
    f.body_ids = ids(&[9, 7]);
    let errors = RoundDraft::parse(&f, &bodies(), TODAY).unwrap_err();
    assert_eq!(fields(&errors), ["title", "bodies", "bodies"]);
    assert!(errors[1].message.starts_with("Toehoorders zoals de RvT"));
    assert_eq!(errors[2].message, "Onbekend bestuur (nr. 7).");
}

#[test]
fn the_closing_date_follows_the_opening_and_is_not_past() {
    let check = |opens: &str, closes: &str| {
        let mut f = round_form();
        f.opens_on = opens.into();
        f.closes_on = closes.into();
        RoundDraft::parse(&f, &bodies(), TODAY).map_err(|e| e[0].message.clone())
    };
    assert_eq!(
        check("10-12-2026", "10-12-2026").unwrap_err(),
        "De sluitingsdatum moet na de openingsdatum liggen."
    );
    assert!(check("10-12-2026", "09-12-2026").is_err());
    assert_eq!(
        check("01-11-2026", "22-11-2026").unwrap_err(),
        "De sluitingsdatum ligt in het verleden; kies 23-11-2026 of later."
    );
    assert!(check("10-12-2026", "11-12-2026").is_ok());
}

#[test]
fn the_body_a_respondent_answers_for() {
    let b = BodyId::new;
    assert_eq!(choose_body("", &[b(2)]), Ok(b(2)));
    assert_eq!(choose_body("2", &[b(2)]), Ok(b(2)));
    assert_eq!(choose_body("3", &ids(&[2, 3])), Ok(b(3)));
    assert_eq!(choose_body("", &ids(&[2, 3])).unwrap_err().field, "body");
    assert!(choose_body("1", &ids(&[2, 3])).is_err(), "not a member");
    assert!(choose_body("x", &[b(2)]).is_err());
    assert_eq!(
        choose_body("2", &[]).unwrap_err().message,
        "U bent niet uitgenodigd voor deze ronde."
    );
}

const S: [StatementId; 3] = [StatementId(11), StatementId(12), StatementId(13)];

fn answers_form(pairs: &[(&str, &str)]) -> AnswersForm {
    AnswersForm::from_fields(pairs.iter().copied())
}

#[test]
fn field_names_round_trip() {
    for field in [
        AnswerField::Answer(StatementId(7)),
        AnswerField::Comment(StatementId(7)),
    ] {
        assert_eq!(AnswerField::from_name(&field.name()), Some(field));
    }
    assert_eq!(AnswerField::Answer(StatementId(7)).name(), "antwoord_7");
    assert_eq!(AnswerField::from_name("csrf"), None);
    assert_eq!(AnswerField::from_name("antwoord_x"), None);
    assert_eq!(AnswerField::from_name("formulier"), None);
    let form = answers_form(&[("csrf", "abc"), ("antwoord_11", "4"), ("antwoord_11", "5")]);
    assert_eq!(
        form.answers.get(&StatementId(11)).map(String::as_str),
        Some("5")
    );
}

#[test]
fn saving_keeps_what_was_filled_in() {
    let form = answers_form(&[
        ("antwoord_11", "4"),
        ("toelichting_11", "  Goed\r\nzo\u{0} "),
        ("antwoord_12", ""),
        ("toelichting_12", "Later invullen"),
        ("toelichting_13", "   "),
    ]);
    let draft = AnswersDraft::parse(&form, &S).unwrap();
    assert_eq!(
        draft.answers,
        [
            DraftAnswer {
                statement: StatementId(11),
                answer: Some(Answer::Eens),
                comment: Some("Goed\nzo".into()),
            },
            DraftAnswer {
                statement: StatementId(12),
                answer: None,
                comment: Some("Later invullen".into()),
            },
        ]
    );
    assert_eq!(draft.answered(), 1);
    assert!(AnswersDraft::parse(&AnswersForm::default(), &S).is_ok());
}

#[test]
fn unknown_statements_and_answers_are_refused() {
    let form = answers_form(&[
        ("antwoord_11", "6"),
        ("antwoord_99", "3"),
        ("toelichting_98", "x"),
    ]);
    let errors = AnswersDraft::parse(&form, &S).unwrap_err();
    let at: Vec<_> = errors.iter().map(|e| e.field).collect();
    // The unknown statements in one line, the unknown answer at its statement.
    assert_eq!(
        at,
        [AnswerField::Form, AnswerField::Answer(StatementId(11))]
    );
    assert!(
        errors[0]
            .message
            .contains("2 stellingen die niet bij deze ronde horen (nr. 98, 99)"),
        "{}",
        errors[0].message
    );
    assert_eq!(
        errors[1].message,
        "Onbekend antwoord ‘6’; kies een van de antwoorden."
    );
}

#[test]
fn comments_have_a_limit() {
    let long = "ë".repeat(MAX_COMMENT_CHARS + 1);
    let form = answers_form(&[("toelichting_12", &long)]);
    let errors = AnswersDraft::parse(&form, &S).unwrap_err();
    assert_eq!(errors[0].field, AnswerField::Comment(StatementId(12)));
    assert_eq!(
        errors[0].to_string(),
        "De toelichting is te lang: gebruik ten hoogste 1000 tekens (nu 1001)."
    );
    let fits = "ë".repeat(MAX_COMMENT_CHARS);
    assert!(AnswersDraft::parse(&answers_form(&[("toelichting_12", &fits)]), &S).is_ok());
}

#[test]
fn submitting_needs_every_statement_answered() {
    let form = answers_form(&[
        ("antwoord_11", "4"),
        ("toelichting_12", "Geen idee"),
        ("antwoord_13", "9"),
    ]);
    let errors = Submission::parse(&form, &S).unwrap_err();
    let at: Vec<_> = errors.iter().map(|e| e.field).collect();
    assert_eq!(
        at,
        [
            AnswerField::Answer(StatementId(12)),
            AnswerField::Answer(StatementId(13))
        ]
    );
    assert_eq!(
        errors[0].message,
        "Kies een antwoord; ‘Weet ik niet’ mag ook."
    );
    assert!(errors[1].message.starts_with("Onbekend antwoord ‘9’"));

    let form = answers_form(&[
        ("antwoord_11", "4"),
        ("antwoord_12", "weet_niet"),
        ("toelichting_12", "Geen idee"),
        ("antwoord_13", "1"),
    ]);
    let submission = Submission::parse(&form, &S).unwrap();
    assert_eq!(submission.answers.len(), 3);
    assert_eq!(submission.answers[1].answer, Answer::WeetNiet);
    assert_eq!(submission.answers[1].comment.as_deref(), Some("Geen idee"));

    let rows = submission.clone().into_rows(BodyId::new(2), 42);
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.body_id == BodyId::new(2)));
    let mut statements: Vec<_> = rows.iter().map(|r| r.statement).collect();
    statements.sort();
    assert_eq!(statements, S);
}

#[test]
fn a_forged_form_with_thousands_of_fields_gets_a_short_answer() {
    let names: Vec<String> = (1000..11_000).map(|i| format!("antwoord_{i}")).collect();
    let long = "x".repeat(100_000);
    let mut pairs: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "4")).collect();
    pairs.push(("antwoord_11", long.as_str()));
    let errors = AnswersDraft::parse(&answers_form(&pairs), &S).unwrap_err();
    let strangers: Vec<_> = errors
        .iter()
        .filter(|e| e.field == AnswerField::Form)
        .collect();
    assert_eq!(strangers.len(), 1, "one line for all unknown statements");
    assert!(
        strangers[0]
            .message
            .starts_with("Het formulier bevat 10000 stellingen die niet bij deze ronde horen (nr. 1000, 1001, 1002, 1003, 1004, …)"),
        "{}",
        strangers[0].message
    );
    // The unknown answer is echoed shortened, not in full.
    let unknown = errors
        .iter()
        .find(|e| e.field == AnswerField::Answer(StatementId(11)))
        .unwrap();
    assert!(unknown.message.chars().count() < 80, "{}", unknown.message);
}
