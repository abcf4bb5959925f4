//! The database connection can speak TLS (a managed PostgreSQL requires it; docs/operations.md).
//! The test cluster has no certificate, so `sslmode=require` must be refused by the *server's*
//! answer — not by a client built without TLS, which would refuse every managed database.

use sqlx::Connection;

#[tokio::test]
async fn sslmode_require_is_understood() {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL (scripts/test.sh sets it)");
    let sep = if url.contains('?') { '&' } else { '?' };
    let err = sqlx::PgConnection::connect(&format!("{url}{sep}sslmode=require"))
        .await
        .expect_err("the test cluster has no TLS");
    let text = err.to_string();
    assert!(!text.contains("without TLS support"), "{text}");
    assert!(text.to_lowercase().contains("tls"), "{text}");
}
