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
use domain::account::twofactor::{SecretKey, SignInStep};
use domain::ids::PersonId;
use serde_json::json;
use store::audit::Who;
use time::{Duration, OffsetDateTime};

/// The refusal when the account or the address had too many failures (passwords and codes
/// count alike), or `None` to go on.
pub async fn throttled(state: &AppState, email: &str, ip: &str) -> AppResult<Option<String>> {
    let now = OffsetDateTime::now_utc();
    let window = ThrottlePolicy::DEFAULT.window;
    let (by_account, by_ip) =
        store::accounts::login_failures_since(&state.store, email, ip, now - window).await?;
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

/// Starts a new session (`step`: half signed-in at that step) after ending `previous`, the
/// session this browser had, so an id planted before sign-in or kept from the password step is
/// worthless. A full sign-in is audited. Returns the response that sets the cookie and goes to
/// `to`.
/// Who is signing in, from where.
pub struct Signer<'a> {
    pub person: PersonId,
    pub email: &'a str,
    pub ip: &'a str,
}

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
