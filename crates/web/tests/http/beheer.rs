//! Beheer: people, bodies and vakgroepen through their forms, with validation and audit.

use crate::support::*;
use axum::http::StatusCode;
use store::PgPool;

async fn audit_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn an_invalid_person_form_keeps_the_input_and_changes_nothing(pool: PgPool) {
    let mut c = app(pool.clone()).await;
    c.sign_in_as(BEHEERDER).await;
    let msb = store::bodies::list(c.store.pool())
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.code == "MSB")
        .unwrap()
        .id
        .to_string();
    let before = audit_count(&pool).await;
    let res = c
        .post(
            "/beheer/personen",
            &[
                ("name", "Jan de Nieuwe"),
                ("email", "geen-adres"),
                ("role", "bestuurder"),
                ("body", &msb),
                (&format!("position_{msb}"), "lid"),
                (&format!("form_{msb}"), "dienstverband"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Dit is geen geldig e-mailadres."));
    assert!(
        res.body.contains("Leden van MSB zijn vrijgevestigd"),
        "employment form checked against the body"
    );
    assert!(
        res.body.contains(r#"value="Jan de Nieuwe""#),
        "typed name kept"
    );
    assert!(
        res.body.contains(r#"value="geen-adres""#),
        "typed e-mail kept"
    );
    assert!(
        res.body.contains(r#"value="bestuurder" checked"#),
        "ticked role kept"
    );
    assert_eq!(audit_count(&pool).await, before, "nothing was written");

    let dup = c
        .post(
            "/beheer/personen",
            &[("name", "Dubbel"), ("email", BESTUURDER)],
        )
        .await;
    assert!(dup.body.contains("al in gebruik"), "{}", dup.body);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_created_person_gets_a_single_use_link_and_everything_is_audited(pool: PgPool) {
    let mut admin = app(pool.clone()).await;
    admin.sign_in_as(BEHEERDER).await;
    let vmsd = store::bodies::list(admin.store.pool())
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.code == "VMSD")
        .unwrap()
        .id
        .to_string();
    let res = admin
        .post(
            "/beheer/personen",
            &[
                ("name", "Lisa Nieuw"),
                ("email", "L.Nieuw@Rijnoever.example"),
                ("role", "bestuurder"),
                ("body", &vmsd),
                (&format!("position_{vmsd}"), "lid"),
                (&format!("form_{vmsd}"), "dienstverband"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let start = res
        .body
        .find("http://127.0.0.1:8080/wachtwoord-instellen/")
        .expect("link shown");
    let link = res.body[start..]
        .split('"')
        .next()
        .unwrap()
        .replace("http://127.0.0.1:8080", "");

    let id = admin.person_id("l.nieuw@rijnoever.example").await;
    let audit: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE object_type = 'person' AND object_id = $1 ORDER BY seq",
    )
    .bind(id.to_string())
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(audit, ["create", "password_link_created"]);
    let actor: String = sqlx::query_scalar("SELECT actor_label FROM audit_log WHERE object_type = 'person' AND object_id = $1 AND action = 'create'")
        .bind(id.to_string())
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(actor.contains("Pieter Smit"));

    let mut newcomer = app(pool.clone()).await;
    let page = newcomer.get(&link).await;
    assert!(page.body.contains("l.nieuw@rijnoever.example"));
    let short = newcomer
        .post(&link, &[("password", "kort"), ("confirm", "kort")])
        .await;
    assert!(short.body.contains("minstens 12 tekens"));
    let ok = newcomer
        .post(
            &link,
            &[
                ("password", "paarse olifant fietst 42"),
                ("confirm", "paarse olifant fietst 42"),
            ],
        )
        .await;
    assert_eq!(ok.location(), "/inloggen?reden=wachtwoord");
    let again = newcomer.get(&link).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert!(again.body.contains("al gebruikt"));
    assert_eq!(
        newcomer
            .login("l.nieuw@rijnoever.example", "paarse olifant fietst 42")
            .await
            .location(),
        "/"
    );
    let home = newcomer.get("/").await;
    assert!(
        home.body.contains("VMSD"),
        "header shows the person's body: {}",
        home.body
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn an_expired_link_is_refused(pool: PgPool) {
    let mut admin = app(pool.clone()).await;
    admin.sign_in_as(BEHEERDER).await;
    let id = admin.person_id("t.jacobs@rijnoever.example").await;
    let res = admin
        .post(&format!("/beheer/personen/{id}/wachtwoordlink"), &[])
        .await;
    let start = res.body.find("/wachtwoord-instellen/").unwrap();
    let link = res.body[start..].split('"').next().unwrap().to_string();
    sqlx::query("UPDATE password_link SET created_at = now() - interval '72 hours 1 minute'")
        .execute(&pool)
        .await
        .unwrap();
    let page = admin.get(&link).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("verlopen"));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn blocking_ends_sessions_and_an_admin_cannot_lock_themselves_out(pool: PgPool) {
    let mut admin = app(pool.clone()).await;
    admin.sign_in_as(BEHEERDER).await;
    let mut member = app(pool.clone()).await;
    member.login(BESTUURDER, PASSWORD).await;
    let id = admin.person_id(BESTUURDER).await;
    let res = admin
        .post(&format!("/beheer/personen/{id}/blokkeren"), &[])
        .await;
    assert_eq!(
        res.location(),
        format!("/beheer/personen/{id}?ok=geblokkeerd")
    );
    assert_eq!(member.get("/").await.location(), "/inloggen");

    let me = admin.person_id(BEHEERDER).await;
    assert_eq!(
        admin
            .post(&format!("/beheer/personen/{me}/blokkeren"), &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let page = admin.get(&format!("/beheer/personen/{me}")).await;
    let version = page.field("version").unwrap();
    let res = admin
        .post(
            &format!("/beheer/personen/{me}"),
            &[
                ("version", &version),
                ("name", "Pieter Smit"),
                ("email", BEHEERDER),
                ("role", "controller"),
            ],
        )
        .await;
    assert!(res.body.contains("eigen beheerdersrol"), "{}", res.body);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn two_admins_editing_one_person_get_a_conflict_not_an_overwrite(pool: PgPool) {
    let mut a = app(pool.clone()).await;
    a.sign_in_as(BEHEERDER).await;
    let id = a.person_id(CONTROLLER).await;
    let version = a
        .get(&format!("/beheer/personen/{id}"))
        .await
        .field("version")
        .unwrap();
    let path = format!("/beheer/personen/{id}");
    let first = a
        .post(
            &path,
            &[
                ("version", &version),
                ("name", "Ruud Hendriks-Jansen"),
                ("email", CONTROLLER),
                ("role", "controller"),
            ],
        )
        .await;
    assert_eq!(first.location(), "/beheer/personen?ok=opgeslagen");
    let second = a
        .post(
            &path,
            &[
                ("version", &version),
                ("name", "R. Hendriks"),
                ("email", CONTROLLER),
                ("role", "controller"),
            ],
        )
        .await;
    assert_eq!(second.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        second
            .body
            .contains("Iemand anders heeft deze persoon gewijzigd")
    );
    assert!(
        second.body.contains("Ruud Hendriks-Jansen"),
        "shows what is stored now"
    );
    assert!(
        second.body.contains(r#"value="R. Hendriks""#),
        "keeps what was typed"
    );
    assert_eq!(
        store::people::get(&a.store, id.into()).await.unwrap().name,
        "Ruud Hendriks-Jansen"
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn bodies_and_vakgroepen_are_validated_and_saved(pool: PgPool) {
    let mut c = app(pool.clone()).await;
    c.sign_in_as(BEHEERDER).await;
    let bad = c
        .post(
            "/beheer/gremia",
            &[
                ("code", "M S B"),
                ("name", ""),
                ("kind", "x"),
                ("sort_order", "veel"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for msg in [
        "hoogstens 12 letters",
        "naam van het gremium",
        "soort gremium",
        "geheel getal",
    ] {
        assert!(bad.body.contains(msg), "{msg}");
    }
    let ok = c
        .post(
            "/beheer/gremia",
            &[
                ("code", "CR"),
                ("name", "Cliëntenraad"),
                ("kind", "toezicht"),
                ("sort_order", "95"),
            ],
        )
        .await;
    assert_eq!(ok.location(), "/beheer/gremia?ok=aangemaakt");
    assert!(
        c.get("/beheer/gremia?ok=aangemaakt")
            .await
            .body
            .contains("Cliëntenraad")
    );
    let dup = c
        .post(
            "/beheer/gremia",
            &[
                ("code", "MSB"),
                ("name", "Nog een"),
                ("kind", "msbplus"),
                ("sort_order", "1"),
            ],
        )
        .await;
    assert!(dup.body.contains("al een gremium"));

    let bad = c
        .post(
            "/beheer/vakgroepen",
            &[
                ("code", "X"),
                ("name", "Iets"),
                ("kind", "poortspecialisme"),
            ],
        )
        .await;
    assert!(bad.body.contains("2 tot 10 letters"));
    let ok = c
        .post(
            "/beheer/vakgroepen",
            &[
                ("code", "nch"),
                ("name", "Neurochirurgie"),
                ("kind", "poortspecialisme"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(ok.location(), "/beheer/vakgroepen?ok=aangemaakt");
    let list = c.get("/beheer/vakgroepen").await;
    assert!(list.body.contains("NCH") && list.body.contains("Neurochirurgie"));
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE object_type IN ('body', 'vakgroep') AND actor_label LIKE 'Pieter Smit%'").fetch_one(&pool).await.unwrap();
    assert_eq!(n, 2);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_audit_page_filters(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(BEHEERDER).await;
    let all = c.get("/beheer/audit").await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(all.body.contains("systeem (demo)"));
    let vak = c.get("/beheer/audit?soort=vakgroep").await;
    assert!(vak.body.contains("Vakgroep 1</a>") && !vak.body.contains("Persoon 1</a>"));
    let bad = c.get("/beheer/audit?van=gisteren").await;
    assert!(bad.body.contains("Vul een datum in als dd-mm-jjjj."));
    // The administrator does not take part in meetings: a meeting's entries name it without a
    // link to a page that would refuse them.
    let meetings = c.get("/beheer/audit?soort=meeting").await;
    assert!(meetings.body.contains("Vergadering 1"), "{}", meetings.body);
    assert!(!meetings.body.contains("href=\"/vergaderingen/"));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_controller_manages_vakgroepen_but_not_the_rest_of_beheer(pool: PgPool) {
    let mut c = app(pool.clone()).await;
    c.sign_in_as(CONTROLLER).await;
    let master = c.get("/begroting/stamgegevens").await;
    assert!(master.body.contains(r#"href="/beheer/vakgroepen""#));
    let ok = c
        .post(
            "/beheer/vakgroepen",
            &[
                ("code", "nch"),
                ("name", "Neurochirurgie"),
                ("kind", "poortspecialisme"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(ok.location(), "/beheer/vakgroepen?ok=aangemaakt");
    let nch = store::vakgroepen::list(&c.store)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.code == "NCH")
        .unwrap();
    let page = format!("/beheer/vakgroepen/{}", nch.id);
    assert_eq!(c.get(&page).await.status, StatusCode::OK);
    let version = nch.version.to_string();
    let edit = [
        ("version", version.as_str()),
        ("code", "NCH"),
        ("name", "Neurochirurgie en wervelkolom"),
        ("kind", "acuut"),
    ];
    let ok = c.post(&page, &edit).await;
    assert_eq!(ok.location(), "/beheer/vakgroepen?ok=opgeslagen");
    let saved = store::vakgroepen::get(&c.store, nch.id).await.unwrap();
    assert_eq!(
        (saved.name.as_str(), saved.kind.code(), saved.active),
        ("Neurochirurgie en wervelkolom", "acuut", false)
    );
    let audit: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE object_type = 'vakgroep' AND object_id = $1 AND actor_label LIKE '%<r.hendriks@rijnoever.example>' ORDER BY seq",
    )
    .bind(nch.id.to_string())
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(audit, ["create", "update"]);
    // The rest of Beheer stays the admin's.
    for path in [
        "/beheer",
        "/beheer/personen",
        "/beheer/gremia",
        "/beheer/audit",
    ] {
        assert_eq!(c.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
    }

    for person in [VAKGROEP, BESTUURDER] {
        c.cookies.clear();
        c.sign_in_as(person).await;
        let master = c.get("/begroting/stamgegevens").await;
        assert!(!master.body.contains(r#"href="/beheer/vakgroepen""#));
        assert_eq!(c.get(&page).await.status, StatusCode::FORBIDDEN);
        let res = c.post(&page, &edit).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{person}");
        let res = c
            .post(
                "/beheer/vakgroepen",
                &[("code", "XYZ"), ("name", "Iets"), ("kind", "acuut")],
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{person}");
    }
    let unchanged = store::vakgroepen::get(&c.store, nch.id).await.unwrap();
    assert_eq!(unchanged.version, saved.version);
}
