//! The command line and the second factor, with the real binary: `user reset-2fa` for the last
//! beheerder who lost phone and codes, and `serve` refusing a database without GG_SECRET_KEY.

mod e2e_support;

use e2e_support::{gelijkgericht, run_cli, url_of, wait_exit};
use std::process::Stdio;
use std::time::Duration;
use store::audit::Who;
use store::{PgPool, Store};

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn reset_2fa_removes_the_second_factor_and_ends_the_sessions(pool: PgPool) {
    let s = Store::from_pool(pool.clone());
    demo::load(&s).await.unwrap();
    let person = store::people::credentials(&s, "p.smit@rijnoever.example")
        .await
        .unwrap()
        .unwrap()
        .id;
    store::twofactor::begin_enrolment(&s, person, &[1; 61])
        .await
        .unwrap();
    let mut tx = s.begin().await.unwrap();
    assert!(
        store::twofactor::activate(
            &mut tx,
            &Who::system("test"),
            person,
            &[1; 61],
            7,
            &[[3; 32]],
            false
        )
        .await
        .unwrap()
    );
    store::accounts::create_session(&mut tx, b"sessie", person, "127.0.0.1")
        .await
        .unwrap();
    store::commit(tx).await.unwrap();

    let url = url_of(&pool).await;
    let (code, out) = run_cli(&url, &["user", "reset-2fa", " P.Smit@rijnoever.example "]).await;
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("is verwijderd"), "{out}");
    let status = store::twofactor::status(&s, person).await.unwrap();
    assert!(!status.enabled());
    assert_eq!(status.recovery_left, 0);
    assert!(
        store::accounts::find_session(&s, b"sessie")
            .await
            .unwrap()
            .is_none()
    );
    let audited: String =
        sqlx::query_scalar("SELECT actor_label FROM audit_log WHERE action = 'two_factor_reset'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(audited.contains("systeem"), "{audited}");

    let (code, out) = run_cli(&url, &["user", "reset-2fa", "niemand@rijnoever.example"]).await;
    assert_ne!(code, Some(0));
    assert!(out.contains("no account"), "{out}");
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn serve_on_a_database_refuses_to_start_without_the_key(pool: PgPool) {
    let url = url_of(&pool).await;
    let mut child = gelijkgericht()
        .env("DATABASE_URL", &url)
        .env_remove("GG_SECRET_KEY")
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{}", e2e_support::free_port()),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting serve");
    let status = wait_exit(&mut child, Duration::from_secs(20));
    if status.is_none() {
        let _ = child.kill();
    }
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(status.is_some_and(|s| !s.success()), "serve kept running");
    assert!(text.contains("GG_SECRET_KEY is not set"), "{text}");

    // A key that is not 32 random bytes is refused by name, and never echoed.
    let out = gelijkgericht()
        .env("DATABASE_URL", &url)
        .env("GG_SECRET_KEY", "mijn-geheime-wachtwoord")
        .args(["serve", "--addr", "127.0.0.1:1"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success());
    assert!(text.contains("GG_SECRET_KEY"), "{text}");
    assert!(!text.contains("mijn-geheime-wachtwoord"), "{text}");
}
