//! What the benches share: a fresh database per run and a signed-in session without Argon2.

use sqlx::Connection;
use store::Store;

/// A new, empty database `{prefix}_{pid}` on the server of `base`; returns its URL.
pub async fn fresh_database(base: &str, prefix: &str) -> String {
    let name = format!("{prefix}_{}", std::process::id());
    let mut conn = sqlx::PgConnection::connect(base)
        .await
        .expect("DATABASE_URL reachable");
    for sql in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let (head, _) = base.rsplit_once('/').expect("URL with a database");
    format!("{head}/{name}")
}

/// A session of the demo person `email`, created directly; returns the cookie's token.
pub async fn session_for(store: &Store, email: &str) -> String {
    let id = store::people::credentials(store, email)
        .await
        .unwrap()
        .unwrap()
        .id;
    let token = gg_web::shared::cookies::random_token();
    let mut tx = store.begin().await.unwrap();
    store::accounts::create_session(
        &mut tx,
        &gg_web::shared::cookies::sha256(&token),
        id,
        "127.0.0.1",
    )
    .await
    .unwrap();
    store::commit(tx).await.unwrap();
    token
}
