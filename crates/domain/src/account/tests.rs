use super::*;
use proptest::prelude::*;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-23 10:00 UTC);

#[test]
fn passwords_need_length_and_must_not_be_common() {
    assert!(check_new_password("kort", "a@b.nl").is_err());
    assert!(check_new_password("elf tekens!", "a@b.nl").is_err());
    assert!(check_new_password("Welkom2026!!!", "a@b.nl").is_err());
    assert!(check_new_password("123456789012", "a@b.nl").is_err());
    assert!(check_new_password("aaaaaaaaaaaaaaaa", "a@b.nl").is_err());
    assert!(check_new_password("Jansen123456789", "jansen@rijnoever.nl").is_err());
    assert!(check_new_password(&"x1!".repeat(100), "a@b.nl").is_err());
    assert!(check_new_password("paarse olifant fietst", "a@b.nl").is_ok());
    assert!(check_new_password("Tulpen-in-de-regen-7", "a@b.nl").is_ok());
}

#[test]
fn password_errors_are_dutch_and_name_the_field() {
    let e = check_new_password("kort", "a@b.nl").unwrap_err();
    assert_eq!(e.field, "password");
    assert!(e.message.contains("minstens 12 tekens"));
}

#[test]
fn five_failures_lock_until_the_oldest_ages_out() {
    let p = ThrottlePolicy::DEFAULT;
    let fails: Vec<_> = (0..4).map(|i| NOW - Duration::minutes(10 - i)).collect();
    assert_eq!(
        p.locked_until(&fails, NOW),
        None,
        "four failures still allow a fifth try"
    );
    let mut five = fails.clone();
    five.push(NOW - Duration::minutes(1));
    assert_eq!(
        p.locked_until(&five, NOW),
        Some(NOW - Duration::minutes(10) + Duration::minutes(15))
    );
    assert_eq!(p.locked_until(&five, NOW + Duration::minutes(6)), None);
}

#[test]
fn old_failures_do_not_count() {
    let p = ThrottlePolicy::DEFAULT;
    let fails: Vec<_> = (0..10).map(|i| NOW - Duration::minutes(20 + i)).collect();
    assert_eq!(p.locked_until(&fails, NOW), None);
}

#[test]
fn sessions_end_when_idle_or_old() {
    let p = SessionPolicy::DEFAULT;
    let login = NOW;
    assert!(p.is_alive(login, login, login + Duration::minutes(29)));
    assert!(!p.is_alive(login, login, login + Duration::minutes(30)));
    let late = login + Duration::hours(11) + Duration::minutes(59);
    assert!(p.is_alive(login, late, late));
    assert!(!p.is_alive(
        login,
        login + Duration::hours(12),
        login + Duration::hours(12)
    ));
}

#[test]
fn set_password_links_are_single_use_and_expire() {
    assert_eq!(
        check_set_password_link(NOW, None, NOW + Duration::hours(71)),
        Ok(())
    );
    assert_eq!(
        check_set_password_link(NOW, None, NOW + Duration::hours(72)),
        Err(LinkProblem::Expired)
    );
    assert_eq!(
        check_set_password_link(NOW, Some(NOW), NOW),
        Err(LinkProblem::Used)
    );
}

proptest! {
    #[test]
    fn fewer_recent_failures_than_the_limit_never_lock(offsets in proptest::collection::vec(0i64..900, 0..5)) {
        let fails: Vec<_> = offsets.iter().map(|s| NOW - Duration::seconds(*s)).collect();
        prop_assert_eq!(ThrottlePolicy::DEFAULT.locked_until(&fails, NOW), None);
    }

    #[test]
    fn a_lock_always_ends_within_the_window(offsets in proptest::collection::vec(0i64..899, 5..20)) {
        let fails: Vec<_> = offsets.iter().map(|s| NOW - Duration::seconds(*s)).collect();
        let until = ThrottlePolicy::DEFAULT.locked_until(&fails, NOW).expect("locked");
        prop_assert!(until > NOW && until <= NOW + Duration::minutes(15));
    }
}
