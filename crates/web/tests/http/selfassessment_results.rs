//! The self-assessment's results (C4), the actions from insight to action (C5) and the
//! dashboard's reminder (C2), through the router on the demo hospital: three closed rounds (the
//! oldest with VMS below the threshold) and this year's open one.

use crate::support::*;
use axum::http::StatusCode;
use domain::agreements::kinds::{AgreementKind, AgreementStatus, SevenS};
use domain::ids::{AgreementId, ItemId, MeetingId, PersonId};
use domain::meetings::status::MeetingStatus;
use domain::selfassessment::{
    AnswersForm, MOST_DIVERGENT, RoundId, Submission, gap_text, mean_text, score_text,
};
use store::PgPool;
use store::audit::Who;
use store::selfassessment as sa;

const SCHOUTEN: &str = "w.schouten@rijnoever.example";
const ELAMRANI: &str = "f.elamrani@rijnoever.example";

/// The demo's rounds, oldest first: three closed, then the open one.
async fn rounds(c: &Client) -> Vec<RoundId> {
    let mut all = sa::rounds(&c.store).await.unwrap();
    all.reverse();
    assert_eq!(all.len(), 4, "the demo's rounds");
    all.into_iter().map(|r| r.id).collect()
}

/// The round's copy of the body with demo code `code`.
fn sa_body<'a>(closed: &'a sa::ClosedRound, code: &str) -> &'a domain::selfassessment::RoundBody {
    let name = match code {
        "RvB" => "Raad van Bestuur",
        "MSB" => "Medisch Specialistisch Bedrijf (vrijgevestigd)",
        "VMSD" => "Vereniging Medisch Specialisten in Dienstverband",
        _ => "Vereniging Medische Staf",
    };
    closed.bodies.iter().find(|b| b.name == name).expect(name)
}

fn results(id: RoundId) -> String {
    format!("/zelfevaluatie/rondes/{id}/resultaten")
}

/// The HTML of the table row `data-s="{code}"` of the per-element table.
fn s_row(body: &str, s: SevenS) -> &str {
    let start = body
        .find(&format!("data-s=\"{}\"", s.code()))
        .unwrap_or_else(|| panic!("a row for {s}"));
    let rest = &body[start..];
    &rest[..rest.find("</tr>").unwrap()]
}

/// The text between the first `<td class="num" data-…>` marker and its closing tag.
fn cell<'a>(row: &'a str, marker: &str) -> &'a str {
    let start = row.find(marker).unwrap() + marker.len();
    let rest = &row[start..];
    &rest[..rest.find("</td>").unwrap()]
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_body_below_the_threshold_shows_no_figure(pool: PgPool) {
    let mut c = app(pool).await;
    let oldest = rounds(&c).await[0];
    c.sign_in_as(SECRETARIS).await;
    let page = c.get(&results(oldest)).await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;

    let closed = sa::closed_round(&c.store, oldest).await.unwrap();
    let name = |code: &str| {
        let body = sa_body(&closed, code);
        (body.id, body.name.clone())
    };
    let (vms_id, vms) = name("VMS");

    // The respondent counts: VMS answered with two, "te weinig respondenten".
    let row = |name: &str| {
        let at = body.find(&format!("data-body=\"{name}\"")).unwrap();
        let rest = &body[at..];
        rest[..rest.find("</tr>").unwrap()].to_string()
    };
    let vms_row = row(&vms);
    assert!(vms_row.contains("data-respondents>2<"), "{vms_row}");
    assert!(vms_row.contains("te weinig respondenten"));
    for shown in ["RvB", "MSB", "VMSD"] {
        assert!(!row(&name(shown).1).contains("te weinig"), "{shown}");
    }

    // No column, no radar series, no comment heading of VMS; and MSB+ is hidden (side rule),
    // so there is no gap, score or divergent statement in this round.
    assert!(!body.contains(&format!("<th scope=\"col\">{vms}</th>")));
    assert!(body.contains(&format!("<th scope=\"col\">{}</th>", name("VMSD").1)));
    assert!(
        !body.contains(&format!("{vms}: ")),
        "the radar's description names VMS"
    );
    assert!(!body.contains(&format!("<h4>{vms}</h4>")));
    assert!(!body.contains("MSB+ (totaal)"));
    assert!(body.contains("data-side-note"));
    assert!(!body.contains("data-overall"));
    assert!(!body.contains("data-divergent"));
    for s in SevenS::ALL.iter().copied() {
        assert_eq!(cell(s_row(body, s), "data-gap>"), "–");
    }

    // Every comment written for VMS alone stays out of the page.
    let shown_comments: Vec<&str> = closed
        .answers
        .iter()
        .filter(|a| a.body_id != vms_id)
        .filter_map(|a| a.comment.as_deref())
        .collect();
    for a in closed.answers.iter().filter(|a| a.body_id == vms_id) {
        if let Some(comment) = a.comment.as_deref()
            && !shown_comments.contains(&comment)
        {
            assert!(!body.contains(comment), "a comment of VMS: {comment}");
        }
    }
    // The per-element table has one figure per shown body (RvB, MSB, VMSD) and shown side (the
    // RvB's, not MSB+).
    let row = s_row(body, SevenS::Structuur);
    assert_eq!(row.matches("<td class=\"num\">").count(), 4, "{row}");
    assert!(body.contains("RvB (totaal)"));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn gaps_and_scores_are_the_domains(pool: PgPool) {
    let mut c = app(pool).await;
    let latest = rounds(&c).await[2];
    let r = sa::closed_round(&c.store, latest).await.unwrap().results();
    c.sign_in_as(BESTUURDER).await;
    let page = c.get(&results(latest)).await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;

    for s in SevenS::ALL.iter().copied() {
        let g = r.s_gaps[s].expect("both sides shown in the latest round");
        let row = s_row(body, s);
        assert_eq!(cell(row, "data-gap>"), gap_text(g.gap), "{s}");
        assert_eq!(cell(row, "data-score>"), score_text(g.alignment), "{s}");
        // The sides' means are columns of the same row.
        assert!(row.contains(&format!(">{}<", mean_text(g.rvb))), "{row}");
        assert!(
            row.contains(&format!(">{}<", mean_text(g.msbplus))),
            "{row}"
        );
    }
    let overall = r.overall_alignment.unwrap();
    assert!(body.contains(&format!("data-overall>{}<", score_text(overall))));
    // Structure and systems are where the boards differ (the demo's story).
    assert!(r.s_gaps[SevenS::Structuur].unwrap().gap < rust_decimal::Decimal::ZERO);

    // The five most divergent statements, in the domain's order.
    assert_eq!(r.most_divergent.len(), MOST_DIVERGENT);
    let mut at = body.find("data-divergent").unwrap();
    for d in &r.most_divergent {
        let found = body[at..]
            .find(&d.text)
            .expect("divergent statement in order");
        at += found;
    }
    assert_eq!(body.matches("data-divergent").count(), MOST_DIVERGENT);

    // Radar with its text alternative, sparklines with the trend table over the three rounds.
    assert!(body.contains("role=\"img\""));
    assert!(body.contains("<desc id=\"radar-desc\">"));
    assert!(body.contains("MSB+ (totaal)"));
    assert!(body.contains("data-trend"));
    assert!(body.contains("id=\"trend-structuur-title\""));
    assert_eq!(
        body.matches(", deze ronde").count(),
        1,
        "this round marked in the trend"
    );
    // A board member has no action buttons.
    assert!(!body.contains("/agenderen"));
    assert!(!body.contains("/afspraak\""));
    assert!(!body.contains("data-actions"));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn an_open_round_has_no_results_and_hidden_rounds_are_missing(pool: PgPool) {
    let mut c = app(pool).await;
    let ids = rounds(&c).await;
    let open = ids[3];
    c.sign_in_as(BESTUURDER).await;
    let page = c.get(&results(open)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("data-no-results"));
    assert!(
        page.body
            .contains("De resultaten worden getoond zodra de ronde gesloten is.")
    );
    for figure in ["data-s=", "role=\"img\"", "data-gap", "data-respondents"] {
        assert!(!page.body.contains(figure), "{figure} on an open round");
    }

    // VMS was not invited two years ago: a VMS member finds no such round, like a missing one.
    c.sign_in_as(SCHOUTEN).await;
    assert_eq!(c.get(&results(ids[1])).await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.get(&results(ids[2])).await.status, StatusCode::OK);
    let oldest = c.get(&results(ids[0])).await;
    assert_eq!(oldest.status, StatusCode::OK);
    // Nor does that round show in the trend of a round they may see.
    let latest = c.get(&results(ids[2])).await;
    let hidden_title = sa::round(&c.store, ids[1]).await.unwrap().round.title;
    assert!(!latest.body.contains(&hidden_title), "{hidden_title}");
    assert_eq!(
        c.get("/zelfevaluatie/rondes/999999/resultaten")
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Neither observers nor the controller see the self-assessment.
    for who in [CONTROLLER, TOEHOORDER] {
        c.sign_in_as(who).await;
        assert_eq!(c.get(&results(ids[2])).await.status, StatusCode::FORBIDDEN);
    }
}

/// Items of every meeting whose title starts with `prefix`.
async fn items_titled(c: &Client, meeting: MeetingId, prefix: &str) -> Vec<store::agenda::Item> {
    store::agenda::items(c.store.pool(), meeting)
        .await
        .unwrap()
        .into_iter()
        .filter(|i| i.title.starts_with(prefix))
        .collect()
}

/// The actions block of `s` on the results page (the first, in the per-element table).
fn actions_of(body: &str, s: SevenS) -> &str {
    let start = body
        .find(&format!("data-actions=\"{}\"", s.code()))
        .unwrap_or_else(|| panic!("actions on {s}"));
    let rest = &body[start..];
    &rest[..rest.find("</td>").unwrap()]
}

fn ids_from(location: &str) -> (MeetingId, ItemId) {
    let rest = location.strip_prefix("/vergaderingen/").unwrap();
    let (m, i) = rest.split_once("#punt-").unwrap();
    (
        MeetingId::new(m.parse().unwrap()),
        ItemId::new(i.parse().unwrap()),
    )
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_result_goes_on_the_next_joint_agenda_once(pool: PgPool) {
    let mut c = app(pool).await;
    let latest = rounds(&c).await[2];
    let r = sa::closed_round(&c.store, latest).await.unwrap().results();
    let g = r.s_gaps[SevenS::Structuur].unwrap();
    let path = format!("{}/agenderen", results(latest));
    let structuur: &[(&str, &str)] = &[("element", "structuur")];

    // Board members, the controller and observers may not.
    for who in [BESTUURDER, CONTROLLER, TOEHOORDER] {
        c.sign_in_as(who).await;
        assert_eq!(
            c.post(&path, structuur).await.status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
    }

    c.sign_in_as(SECRETARIS).await;
    let page = c.get(&results(latest)).await;
    assert!(actions_of(&page.body, SevenS::Structuur).contains(&format!("action=\"{path}\"")));
    // Without the form's token the request is refused.
    let forged = c
        .request(
            axum::http::Method::POST,
            &path,
            Some(&[("_csrf", "vervalst"), ("element", "structuur")]),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let first = c.post(&path, structuur).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let (meeting, item) = ids_from(first.location());
    let m = store::meetings::get(c.store.pool(), meeting).await.unwrap();
    assert_eq!(m.kind, domain::meetings::kinds::MeetingKind::Gezamenlijk);
    assert!(m.starts_at > time::OffsetDateTime::now_utc());
    let made = items_titled(&c, meeting, "7S Structuur").await;
    assert_eq!(made.len(), 1);
    let it = &made[0];
    assert_eq!(it.id, item);
    assert!(it.title.contains(&score_text(g.alignment)), "{}", it.title);
    assert!(
        it.description.contains(&gap_text(g.gap)),
        "{}",
        it.description
    );
    assert!(it.description.contains(&score_text(g.alignment)));
    for st in r.statements.iter().filter(|s| s.s == SevenS::Structuur) {
        assert!(it.description.contains(&st.text), "{}", st.text);
    }
    assert!(
        !r.statements
            .iter()
            .filter(|s| s.s == SevenS::Systemen)
            .any(|s| it.description.contains(&s.text)),
        "only the statements of the S"
    );
    assert_eq!(it.purpose, domain::meetings::kinds::Purpose::Bespreking);
    assert_eq!(it.visibility_body_id, None, "for the joint meeting");
    // Before the rondvraag, which stays last.
    let all = store::agenda::items(c.store.pool(), meeting).await.unwrap();
    let last = all
        .iter()
        .filter(|i| i.parent_id.is_none())
        .max_by_key(|i| i.position)
        .unwrap();
    assert_eq!(
        last.standing,
        Some(domain::meetings::kinds::StandingItem::Rondvraag)
    );

    // The second click goes to the same item; nothing new on any agenda.
    let again = c.post(&path, structuur).await;
    assert_eq!(again.location(), first.location());
    assert_eq!(items_titled(&c, meeting, "7S Structuur").await.len(), 1);
    // Audited once, in the same transaction as the item.
    let (entries, _) = store::audit::list(
        &c.store,
        &store::audit::AuditFilter {
            object_type: Some("sa_round".into()),
            object_id: Some(latest.to_string()),
            action: Some("agenda".into()),
            ..Default::default()
        },
        10,
        0,
    )
    .await
    .unwrap();
    assert_eq!(entries.len(), 1);
    // The results page links to it instead of offering the button again.
    let page = c.get(&results(latest)).await;
    let block = actions_of(&page.body, SevenS::Structuur);
    assert!(block.contains(first.location()), "link to the item");
    assert!(!block.contains(&format!("action=\"{path}\"")));
    // The other elements keep their button.
    assert!(actions_of(&page.body, SevenS::Systemen).contains(&format!("action=\"{path}\"")));
    // The agenda shows it to a board member.
    c.sign_in_as(BESTUURDER).await;
    let agenda = c.get(&format!("/vergaderingen/{meeting}")).await;
    assert!(agenda.body.contains(&it.title));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn without_a_joint_meeting_nothing_is_scheduled(pool: PgPool) {
    let mut c = app(pool).await;
    let latest = rounds(&c).await[2];
    // The demo's upcoming joint meeting starts: its agenda is no longer open.
    let who = Who::system("test");
    let mut tx = c.store.begin().await.unwrap();
    let meeting = sa::next_joint_meeting(&mut tx, time::OffsetDateTime::now_utc())
        .await
        .unwrap()
        .expect("the demo's joint meeting");
    store::meetings::set_status(
        &mut tx,
        &who,
        meeting.id,
        meeting.status,
        MeetingStatus::InVergadering,
    )
    .await
    .unwrap();
    assert!(
        sa::next_joint_meeting(&mut tx, time::OffsetDateTime::now_utc())
            .await
            .unwrap()
            .is_none()
    );
    store::commit(tx).await.unwrap();
    let before = store::agenda::items(c.store.pool(), meeting.id)
        .await
        .unwrap()
        .len();

    c.sign_in_as(SECRETARIS).await;
    let res = c
        .post(
            &format!("{}/agenderen", results(latest)),
            &[("element", "systemen")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(
        res.location().contains("melding=geen-vergadering"),
        "{}",
        res.location()
    );
    let page = c.get(res.location()).await;
    assert!(page.body.contains("data-action-notice"));
    assert!(page.body.contains("‘Systemen’ is niet geagendeerd"));
    assert!(page.body.contains("geen komende gezamenlijke vergadering"));
    assert_eq!(
        store::agenda::items(c.store.pool(), meeting.id)
            .await
            .unwrap()
            .len(),
        before
    );
    // An unknown S or a round without a gap is not a result to act on.
    assert_eq!(
        c.post(
            &format!("{}/agenderen", results(latest)),
            &[("element", "cultuur")],
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let oldest = rounds(&c).await[0];
    assert_eq!(
        c.post(
            &format!("{}/agenderen", results(oldest)),
            &[("element", "structuur")],
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    // An open round has no results yet: back to its page, which says so.
    let open = rounds(&c).await[3];
    let res = c
        .post(
            &format!("{}/afspraak", results(open)),
            &[("element", "structuur")],
        )
        .await;
    assert_eq!(res.location(), results(open));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_result_becomes_one_proposed_agreement(pool: PgPool) {
    let mut c = app(pool).await;
    let latest = rounds(&c).await[2];
    let r = sa::closed_round(&c.store, latest).await.unwrap().results();
    let g = r.s_gaps[SevenS::Systemen].unwrap();
    let path = format!("{}/afspraak", results(latest));
    let systemen: &[(&str, &str)] = &[("element", "systemen")];

    for who in [BESTUURDER, CONTROLLER] {
        c.sign_in_as(who).await;
        assert_eq!(
            c.post(&path, systemen).await.status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
    }
    c.sign_in_as(SECRETARIS).await;
    let first = c.post(&path, systemen).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let id: i64 = first
        .location()
        .strip_prefix("/afspraken/")
        .unwrap()
        .parse()
        .unwrap();
    let a = store::agreements::get(&c.store, AgreementId::new(id))
        .await
        .unwrap();
    assert_eq!(a.status, AgreementStatus::Voorgesteld);
    assert_eq!(a.kind, AgreementKind::StrategischeKeuze);
    assert_eq!(a.seven_s, [SevenS::Systemen]);
    assert_eq!(a.visibility_body_id, None);
    assert!(a.title.starts_with("7S Systemen"), "{}", a.title);
    assert!(a.description.contains(&gap_text(g.gap)));
    assert!(a.description.contains(&score_text(g.alignment)));
    for st in r.statements.iter().filter(|s| s.s == SevenS::Systemen) {
        assert!(a.description.contains(&st.text));
    }
    let shown = c.get(first.location()).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains(&a.title));

    let again = c.post(&path, systemen).await;
    assert_eq!(again.location(), first.location());
    let register = store::agreements::list(&c.store, &store::agreements::RegisterFilter::default())
        .await
        .unwrap();
    assert_eq!(
        register.iter().filter(|row| row.title == a.title).count(),
        1,
        "one agreement"
    );
    // A divergent statement's actions are its S's: the same agreement.
    let page = c.get(&results(latest)).await;
    assert!(page.body.contains(&format!("href=\"/afspraken/{id}\"")));
}

/// Hands in every statement of `round` as "eens" for `person` through the store's submit.
async fn submit_all(c: &Client, round: RoundId, email: &str) {
    let detail = sa::round(&c.store, round).await.unwrap();
    let ids = detail.statement_ids();
    let mut form = AnswersForm::default();
    for id in &ids {
        form.answers.insert(*id, "4".into());
    }
    let submission = Submission::parse(&form, &ids).unwrap();
    let person = PersonId::new(c.person_id(email).await);
    let body = sa::eligible_bodies(c.store.pool(), round, person)
        .await
        .unwrap()[0]
        .id;
    let today = gg_web::shared::clock::today();
    let mut tx = c.store.begin().await.unwrap();
    sa::submit(
        &mut tx,
        &Who::system("test"),
        round,
        person,
        body,
        submission,
        today,
    )
    .await
    .unwrap();
    store::commit(tx).await.unwrap();
}

fn reminder(body: &str, round: RoundId) -> Option<&str> {
    let start = body.find(&format!("data-sa-reminder=\"{round}\""))?;
    let rest = &body[start..];
    Some(&rest[..rest.find("</li>").unwrap()])
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_dashboard_reminds_until_submitted(pool: PgPool) {
    let mut c = app(pool).await;
    let open = rounds(&c).await[3];
    let statements = sa::round(&c.store, open).await.unwrap().statements.len();

    // A member with a saved draft of half the statements.
    c.sign_in_as(ELAMRANI).await;
    let home = c.get("/").await;
    let line = reminder(&home.body, open).expect("a reminder");
    assert!(
        line.contains(&format!("{} van {statements} beantwoord", statements / 2)),
        "{line}"
    );
    assert!(line.contains(&format!("/zelfevaluatie/rondes/{open}/invullen")));

    // A chair who has not started; the reminder goes once they handed in.
    c.sign_in_as(BESTUURDER).await;
    let home = c.get("/").await;
    assert!(
        reminder(&home.body, open)
            .unwrap()
            .contains("nog niet begonnen")
    );
    submit_all(&c, open, BESTUURDER).await;
    let home = c.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(reminder(&home.body, open).is_none());
    assert!(!home.body.contains("data-sa-reminders"));

    // Who has handed in already, or does not answer, has none.
    for who in ["j.verhoeven@rijnoever.example", SECRETARIS, CONTROLLER] {
        c.sign_in_as(who).await;
        assert!(
            !c.get("/").await.body.contains("data-sa-reminders"),
            "{who}"
        );
    }
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn an_overdue_round_shows_its_results_at_the_first_visit(pool: PgPool) {
    let mut c = app(pool).await;
    let who = Who::system("test");
    let today = gg_web::shared::clock::today();
    let (opens_on, closes_on) = (
        today - time::Duration::days(30),
        today - time::Duration::days(2),
    );
    let bodies = store::bodies::list(c.store.pool()).await.unwrap();
    let body =
        |code: &str| domain::ids::BodyId::new(bodies.iter().find(|b| b.code == code).unwrap().id);
    let statements: Vec<_> = sa::catalogue(&c.store)
        .await
        .unwrap()
        .into_iter()
        .filter(|s| s.active)
        .map(|s| s.id)
        .collect();
    let draft = domain::selfassessment::RoundDraft {
        title: "Tussentijdse peiling".into(),
        body_ids: vec![body("RvB"), body("MSB")],
        opens_on,
        closes_on,
    };
    let mut tx = c.store.begin().await.unwrap();
    let round = sa::create_round(&mut tx, &who, &draft, &statements)
        .await
        .unwrap();
    sa::open_round(&mut tx, &who, round, 1, opens_on)
        .await
        .unwrap();
    let ids = sa::round_on(&mut tx, round).await.unwrap().statement_ids();
    for (key, code, score) in [
        ("m.vandenberg", "RvB", "4"),
        ("j.verhoeven", "RvB", "4"),
        ("f.elamrani", "RvB", "4"),
        ("h.koster", "MSB", "2"),
        ("i.meijer", "MSB", "2"),
        ("k.bouzid", "MSB", "2"),
    ] {
        let mut form = AnswersForm::default();
        for id in &ids {
            form.answers.insert(*id, score.into());
        }
        let person = PersonId::new(c.person_id(&format!("{key}@rijnoever.example")).await);
        let submission = Submission::parse(&form, &ids).unwrap();
        sa::submit(
            &mut tx,
            &who,
            round,
            person,
            body(code),
            submission,
            opens_on,
        )
        .await
        .unwrap();
    }
    store::commit(tx).await.unwrap();
    assert_eq!(
        sa::round(&c.store, round).await.unwrap().round.status,
        domain::selfassessment::RoundStatus::Open,
        "past its closing date, not closed yet"
    );

    c.sign_in_as(BESTUURDER).await;
    let page = c.get(&results(round)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.body.contains("data-no-results"),
        "closed by the visit"
    );
    for s in SevenS::ALL.iter().copied() {
        let row = s_row(&page.body, s);
        assert_eq!(cell(row, "data-gap>"), "-2,0");
        assert_eq!(cell(row, "data-score>"), "50 %");
    }
    // In its own trend, as the latest round.
    assert!(page.body.contains("Tussentijdse peiling<br>"));
}
