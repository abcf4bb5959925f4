//! Migration 0011 on a database that already holds meetings: shortcut adoptions go back to
//! "gesloten", the old free-text links move into the description, and the default MSB and VMSD
//! get the employment form of their seats.

use gg_store::{MIGRATOR, PgPool};
use sqlx::migrate::Migrator;

#[sqlx::test(migrations = false)]
async fn existing_meetings_are_migrated(pool: PgPool) {
    let before = Migrator::with_migrations(
        MIGRATOR
            .iter()
            .filter(|m| m.version < 11)
            .cloned()
            .collect(),
    );
    before.run(&pool).await.unwrap();

    let meeting = |title: &'static str, days: i32| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO meeting (title, kind, starts_at, ends_at, status)
             VALUES ($1, 'gezamenlijk', now() + make_interval(days => $2), now() + make_interval(days => $2, hours => 2), 'gesloten')
             RETURNING id",
        )
        .bind(title)
        .bind(days)
    };
    let shortcut = meeting("Via de knop", -30).fetch_one(&pool).await.unwrap();
    let adopted = meeting("Echt vastgesteld", -20)
        .fetch_one(&pool)
        .await
        .unwrap();
    let later = meeting("Later", -10).fetch_one(&pool).await.unwrap();
    sqlx::query("UPDATE meeting SET status = 'notulen_vastgesteld' WHERE id = $1")
        .bind(shortcut)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE meeting SET status = 'notulen_vastgesteld', minutes_adopted_in = $2 WHERE id = $1",
    )
    .bind(adopted)
    .bind(later)
    .execute(&pool)
    .await
    .unwrap();
    let item = |title: &'static str, description: &'static str, links: &'static str| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO agenda_item (meeting_id, position, title, description, links)
             VALUES ($1, 1, $2, $3, $4) RETURNING id",
        )
        .bind(later)
        .bind(title)
        .bind(description)
        .bind(links)
    };
    let bare = item("Alleen links", "", " https://intranet/stuk ")
        .fetch_one(&pool)
        .await
        .unwrap();
    let both = item("Beide", "Toelichting.", "Notitie A")
        .fetch_one(&pool)
        .await
        .unwrap();
    let none = item("Geen", "Toelichting.", "")
        .fetch_one(&pool)
        .await
        .unwrap();

    MIGRATOR.run(&pool).await.unwrap();

    let status = |id: i64| {
        sqlx::query_scalar::<_, String>("SELECT status FROM meeting WHERE id = $1").bind(id)
    };
    assert_eq!(status(shortcut).fetch_one(&pool).await.unwrap(), "gesloten");
    assert_eq!(
        status(adopted).fetch_one(&pool).await.unwrap(),
        "notulen_vastgesteld"
    );
    let description = |id: i64| {
        sqlx::query_scalar::<_, String>("SELECT description FROM agenda_item WHERE id = $1")
            .bind(id)
    };
    assert_eq!(
        description(bare).fetch_one(&pool).await.unwrap(),
        "Links: https://intranet/stuk"
    );
    assert_eq!(
        description(both).fetch_one(&pool).await.unwrap(),
        "Toelichting.\n\nLinks: Notitie A"
    );
    assert_eq!(
        description(none).fetch_one(&pool).await.unwrap(),
        "Toelichting."
    );
    let columns: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'agenda_item' AND column_name = 'links'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(columns, 0, "the free-text column is gone");
    let seats: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT code, seat_employment_form FROM body ORDER BY sort_order")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        seats,
        [
            ("RvB".to_string(), None),
            ("MSB".to_string(), Some("vrijgevestigd".to_string())),
            ("VMSD".to_string(), Some("dienstverband".to_string())),
            ("VMS".to_string(), None),
        ]
    );
}
