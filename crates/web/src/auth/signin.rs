//! What the password step, the code step and enrolment share: the throttle, starting a session
//! (full or half signed-in) and the sealing key.

use crate::shared::cookies;
use crate::shared::csrf::{CsrfToken, RotateCsrf};
use crate::shared::error::{AppError, AppResult};
use crate::shared::session;
use crate::shared::state::AppState;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use domain::account::ThrottlePolicy;
use domain::account::twofactor::{SecretKey, SignInStep, TotpSecret, open};
use domain::ids::PersonId;
use serde::Deserialize;
use serde_json::json;
use store::audit::Who;
use time::{Duration, OffsetDateTime};

/// An attempt to prove who one is (a password, a code), counted as failed *before* it is
/// checked: guesses sent at once then each see the others, so a burst gets no more tries than
/// guesses sent one by one, and no request holds a database connection while it waits.
/// [`Attempt::succeeded`] takes the count back.
pub struct Attempt(i64);

impl Attempt {
    pub async fn succeeded(self, state: &AppState) -> AppResult<()> {
        Ok(store::accounts::forget_login_failure(&state.store, self.0).await?)
    }
}

/// The attempt, or the refusal when the account or the address had too many failures already
/// (passwords and codes count alike); a refused attempt is not counted.
pub async fn attempt(
    state: &AppState,
    email: &str,
    ip: &str,
) -> AppResult<Result<Attempt, String>> {
    let id = store::accounts::record_login_failure(&state.store, email, ip).await?;
    match throttled(state, email, ip, id).await? {
        None => Ok(Ok(Attempt(id))),
        Some(refusal) => {
            store::accounts::forget_login_failure(&state.store, id).await?;
            Ok(Err(refusal))
        }
    }
}

async fn throttled(state: &AppState, email: &str, ip: &str, own: i64) -> AppResult<Option<String>> {
    let now = OffsetDateTime::now_utc();
    let window = ThrottlePolicy::DEFAULT.window;
    let (by_account, by_ip) =
        store::accounts::login_failures_since(&state.store, email, ip, now - window, Some(own))
            .await?;
    let account_policy = ThrottlePolicy {
        max_failures: state.config.max_failures_per_account,
        window,
    };
    let ip_policy = ThrottlePolicy {
        max_failures: state.config.max_failures_per_ip,
        window,
    };
    let locked = [
        account_policy.locked_until(&by_account, now),
        ip_policy.locked_until(&by_ip, now),
    ]
    .into_iter()
    .flatten()
    .max();
    Ok(locked.map(|until| {
        // Round up so "probeer het na 14:35" is never too early.
        let until = until + Duration::seconds(59);
        format!(
            "Te veel mislukte inlogpogingen. Om uw account te beschermen kunt u het opnieuw proberen na {} uur.",
            domain::nl::clock(until)
        )
    }))
}

/// How a person completed signing in, for the audit trail.
#[derive(Debug, Clone, Copy)]
pub enum Via {
    Password,
    Code,
    RecoveryCode,
    Enrolment,
}

impl Via {
    fn code(self) -> &'static str {
        match self {
            Via::Password => "wachtwoord",
            Via::Code => "code",
            Via::RecoveryCode => "herstelcode",
            Via::Enrolment => "instellen",
        }
    }
}

/// Who is signing in, from where.
pub struct Signer<'a> {
    pub person: PersonId,
    pub email: &'a str,
    pub ip: &'a str,
}

/// Starts a new session (`step`: half signed-in at that step) after ending `previous`, the
/// session this browser had, so an id planted before sign-in or kept from the password step is
/// worthless. A full sign-in is audited. Returns the response that sets the cookie and goes to
/// `to`.
pub async fn start_session(
    state: &AppState,
    signer: &Signer<'_>,
    previous: Option<&[u8]>,
    step: Option<SignInStep>,
    via: Via,
    to: &str,
) -> AppResult<Response> {
    let Signer { person, email, ip } = *signer;
    let token = cookies::random_token();
    let hash = cookies::sha256(&token);
    let mut tx = state.store.begin().await?;
    if let Some(previous) = previous {
        store::accounts::delete_session_in(&mut tx, previous).await?;
    }
    match step {
        Some(step) => {
            store::accounts::create_pending_session(&mut tx, &hash, person, ip, step).await?
        }
        None => {
            store::accounts::create_session(&mut tx, &hash, person, ip).await?;
            store::audit::record(
                &mut tx,
                &Who {
                    id: Some(person.get()),
                    label: email.to_string(),
                },
                store::audit::Change::new("person", person, "login")
                    .after(json!({ "via": via.code() })),
            )
            .await?;
        }
    }
    store::commit(tx).await?;
    if step.is_none() {
        store::accounts::clear_login_failures(&state.store, email).await?;
        tracing::info!(person = person.get(), via = via.code(), "login");
    }
    let mut response = Redirect::to(to).into_response();
    response
        .headers_mut()
        .append(SET_COOKIE, session::session_cookie(state, &token));
    response.extensions_mut().insert(RotateCsrf);
    response
        .extensions_mut()
        .insert(CsrfToken(cookies::random_token()));
    Ok(response)
}

/// The key that seals second-factor secrets; set at start-up (`Config::resolve_secret_key`).
pub fn key(state: &AppState) -> AppResult<&SecretKey> {
    state.config.secret_key.as_ref().ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!(
            "no key for second-factor secrets (GG_SECRET_KEY)"
        ))
    })
}

/// `volgende` carried through the steps: only a local path (see `handlers::safe_next`).
pub fn step_path(step: SignInStep, next: &str) -> String {
    if next == "/" {
        step.path().to_string()
    } else {
        let encoded = serde_urlencoded::to_string([("volgende", next)]).unwrap_or_default();
        format!("{}?{encoded}", step.path())
    }
}

/// A sealed secret as the app holds it; `None` when it does not open (another key, damaged row),
/// which is logged: it is the data's fault, not the person's.
pub fn open_secret(state: &AppState, sealed: &[u8]) -> AppResult<Option<TotpSecret>> {
    let secret = open(key(state)?, sealed)
        .ok()
        .and_then(|bytes| TotpSecret::from_bytes(&bytes).ok());
    if secret.is_none() {
        tracing::error!("a second-factor secret does not open with the configured key");
    }
    Ok(secret)
}

/// The form of every step that takes a code.
#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub volgende: Option<String>,
}

/// `?volgende=` on the pages of the steps.
#[derive(Deserialize, Default)]
pub struct NextQuery {
    pub volgende: Option<String>,
}

/// Tells the person by mail that something guarding their account changed, in the transaction
/// of the change (docs/notifications.md).
pub async fn tell(
    state: &AppState,
    conn: &mut store::PgConnection,
    person: PersonId,
    email: &str,
    change: crate::shared::mail::account::Change,
) -> AppResult<()> {
    let hospital = state.hospital_name();
    let from = crate::shared::mail::Sender::of(state, &hospital);
    let to = crate::shared::mail::Recipient {
        person,
        email: email.to_string(),
    };
    crate::shared::mail::account::notice(conn, &from, to, change).await
}
