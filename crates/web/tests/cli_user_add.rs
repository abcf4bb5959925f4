//! `gelijkgericht user add`: the real binary against a fresh test database with the demo's
//! bodies. The command checks a person by the rules of Beheer › Personen (`PersonDraft::parse`),
//! so it refuses what the form refuses, with the form's Dutch reasons, and creates nothing.

mod e2e_support;

use e2e_support::{run_cli, url_of};
use store::{PgPool, Store};

async fn add(url: &str, args: &[&str]) -> (Option<i32>, String) {
    let mut all = vec!["user", "add"];
    all.extend_from_slice(args);
    run_cli(url, &all).await
}

async fn people(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM person")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn user_add_follows_the_rules_of_the_people_form(pool: PgPool) {
    demo::load(&Store::from_pool(pool.clone())).await.unwrap();
    let url = url_of(&pool).await;
    let before = people(&pool).await;

    for (args, reason) in [
        (
            vec![
                "--email",
                "a.jansen@rijnoever.example",
                "--name",
                "Anna Jansen",
                "--role",
                "bestuurder",
                "--body",
                "MSB:lid",
            ],
            "Kies voor MSB of het lid vrijgevestigd is of in dienstverband.",
        ),
        (
            vec![
                "--email",
                "a.jansen@rijnoever.example",
                "--name",
                "Anna Jansen",
                "--role",
                "bestuurder",
                "--body",
                "MSB:lid:dienstverband",
            ],
            "Leden van MSB zijn vrijgevestigd",
        ),
        (
            vec![
                "--email",
                "geen-adres",
                "--name",
                "Anna Jansen",
                "--role",
                "bestuurder",
            ],
            "email: ",
        ),
        (
            vec![
                "--email",
                "a.jansen@rijnoever.example",
                "--name",
                "Anna Jansen",
                "--role",
                "koning",
            ],
            "Kies alleen rollen uit de lijst.",
        ),
        (
            vec![
                "--email",
                "a.jansen@rijnoever.example",
                "--name",
                "Anna Jansen",
                "--role",
                "bestuurder",
                "--body",
                "XYZ",
            ],
            "--body XYZ: unknown body",
        ),
    ] {
        let (code, text) = add(&url, &args).await;
        assert_eq!(code, Some(1), "{args:?}: {text}");
        assert!(text.contains(reason), "{args:?}: {text}");
    }
    assert_eq!(people(&pool).await, before, "nothing created");

    let (code, text) = add(
        &url,
        &[
            "--email",
            "a.jansen@rijnoever.example",
            "--name",
            "Anna Jansen",
            "--role",
            "bestuurder",
            "--body",
            "MSB:lid:vrijgevestigd",
        ],
    )
    .await;
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("Account a.jansen@rijnoever.example aangemaakt voor Anna Jansen."),
        "{text}"
    );
    assert!(text.contains("/wachtwoord-instellen/"), "{text}");
    assert_eq!(people(&pool).await, before + 1);
}
