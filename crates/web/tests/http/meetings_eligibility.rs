//! A4: who may vote on a subject, and which employment form a membership needs, follow what a
//! body is (the employment form of its seats, set in Beheer › Gremia), not its code.

use crate::meetings_support::*;
use crate::support::*;
use axum::http::StatusCode;
use store::PgPool;

/// Renames the MSB in Beheer › Gremia, keeping everything else as the form shows it.
async fn rename_msb(admin: &mut Client, code: &str) {
    let msb = body(admin, "MSB").await;
    let form = admin.get(&format!("/beheer/gremia/{msb}")).await;
    assert!(
        form.body.contains("Arbeidsvorm van de zetels"),
        "the form shows the attribute: {}",
        form.body
    );
    assert!(
        form.body
            .contains(r#"<option value="vrijgevestigd" selected>"#),
        "the MSB's seats are for self-employed specialists"
    );
    let version = form.field("version").unwrap();
    let res = admin
        .post(
            &format!("/beheer/gremia/{msb}"),
            &[
                ("version", &version),
                ("code", code),
                ("name", "Medisch Specialistisch Bedrijf Rijnoever"),
                ("kind", "msbplus"),
                ("sort_order", "20"),
                ("quorum_percent", "50"),
                ("majority", "gewoon"),
                ("seat_employment_form", "vrijgevestigd"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_renamed_msb_still_votes_alone_on_fee_matters(pool: PgPool) {
    let mut admin = app(pool).await;
    admin.sign_in_as(BEHEERDER).await;
    rename_msb(&mut admin, "MSBR").await;

    let mut c = other(&admin, EVA).await;
    let id = demo_meeting(&c).await;
    let msbr = body(&c, "MSBR").await.to_string();
    open(&mut c, id).await;
    let mut present = Vec::new();
    for email in [
        HANS,
        "i.meijer@rijnoever.example",
        "k.bouzid@rijnoever.example",
        "s.dijkstra@rijnoever.example",
        "r.peters@rijnoever.example",
    ] {
        present.push(c.person_id(email).await.to_string());
    }
    let fields: Vec<(&str, &str)> = present.iter().map(|v| ("present", v.as_str())).collect();
    let res = c
        .post(&format!("/vergaderingen/{id}/aanwezigheid"), &fields)
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let item = item_id(&c, id, "Interne verdeling honorariumbudget").await;
    let decide = format!("/vergaderingen/{id}/punten/{item}/besluit");
    let four = c
        .post(
            &decide,
            &[
                ("body_id", &msbr),
                ("outcome", "aangenomen"),
                ("text", "Verdeelsleutel vastgesteld"),
                ("votes_for", "4"),
            ],
        )
        .await;
    assert_eq!(four.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        four.body
            .contains("maar er zijn maar 3 stemgerechtigden aanwezig"),
        "only the three self-employed members present count: {}",
        four.body
    );
    let three = c
        .post(
            &decide,
            &[
                ("body_id", &msbr),
                ("outcome", "aangenomen"),
                ("text", "Verdeelsleutel vastgesteld"),
                ("votes_for", "3"),
            ],
        )
        .await;
    assert_eq!(three.status, StatusCode::SEE_OTHER, "{}", three.body);
    assert!(
        c.get(&format!("/vergaderingen/{id}"))
            .await
            .body
            .contains("aangenomen: 3 van 3 stemmen voor, quorum gehaald")
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_renamed_msb_still_takes_only_self_employed_members(pool: PgPool) {
    let mut admin = app(pool).await;
    admin.sign_in_as(BEHEERDER).await;
    rename_msb(&mut admin, "MSBR").await;
    let msbr = body(&admin, "MSBR").await.to_string();
    let position = format!("position_{msbr}");
    let form = format!("form_{msbr}");
    let res = admin
        .post(
            "/beheer/personen",
            &[
                ("name", "Daan Vos"),
                ("email", "d.vos@rijnoever.example"),
                ("role", "bestuurder"),
                ("body", &msbr),
                (&position, "lid"),
                (&form, "dienstverband"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(
        res.body.contains("Leden van MSBR zijn vrijgevestigd"),
        "{}",
        res.body
    );
    assert!(
        store::people::credentials(&admin.store, "d.vos@rijnoever.example")
            .await
            .unwrap()
            .is_none()
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_seat_employment_form_is_set_in_beheer(pool: PgPool) {
    let mut admin = app(pool).await;
    admin.sign_in_as(BEHEERDER).await;
    let vms = body(&admin, "VMS").await;
    let form = admin.get(&format!("/beheer/gremia/{vms}")).await;
    assert!(
        form.body.contains(r#"<option value="" selected>"#),
        "VMS has both forms"
    );
    let version = form.field("version").unwrap();
    let fields = |seats: &'static str| {
        vec![
            ("version", version.clone()),
            ("code", "VMS".to_string()),
            ("name", "Vereniging Medische Staf".to_string()),
            ("kind", "msbplus".to_string()),
            ("sort_order", "40".to_string()),
            ("quorum_percent", "50".to_string()),
            ("majority", "gewoon".to_string()),
            ("seat_employment_form", seats.to_string()),
        ]
    };
    let bad = fields("zzp");
    let refs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = admin.post(&format!("/beheer/gremia/{vms}"), &refs).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains("Kies de arbeidsvorm van de zetels"),
        "{}",
        res.body
    );
    // VMS has members of both forms: binding it to one is refused, naming who does not fit.
    let employed = fields("dienstverband");
    let refs: Vec<(&str, &str)> = employed.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = admin.post(&format!("/beheer/gremia/{vms}"), &refs).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Hans Koster"), "{}", res.body);
    let stored: Option<String> =
        sqlx::query_scalar("SELECT seat_employment_form FROM body WHERE id = $1")
            .bind(vms)
            .fetch_one(admin.store.pool())
            .await
            .unwrap();
    assert_eq!(stored, None);
}
