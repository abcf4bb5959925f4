//! The code after the password (docs/two-factor.md, "Verification"): a code from the app or a
//! recovery code turns a half signed-in session into a full one, on a new session id.

use super::handlers::{ClientIp, safe_next};
use super::signin::{self, Signer, Via};
use crate::shared::error::AppResult;
use crate::shared::routes::{Access, RouteDef, get, post};
use crate::shared::session::{HalfSignedIn, MaybeHalf, MaybeUser};
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Layout, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::account::twofactor::{
    RecoveryError, SecondFactorInput, SignInStep, TotpError, TotpSecret, open, verify,
};
use serde::Deserialize;
use time::OffsetDateTime;

const STEP: Access = Access::Step(SignInStep::Code);

pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/inloggen/code", STEP, code_page),
        post("/inloggen/code", STEP, submit_code),
    ]
}

#[derive(Template)]
#[template(path = "auth/code.html")]
struct CodePage {
    layout: Layout,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct NextQuery {
    volgende: Option<String>,
}

fn page(ctx: &Ctx, next: String, error: Option<String>) -> AppResult<Response> {
    render(CodePage {
        layout: ctx.layout("Code invoeren"),
        next,
        error,
    })
}

async fn code_page(
    ctx: Ctx,
    MaybeUser(user): MaybeUser,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    let next = safe_next(q.volgende.as_deref());
    if user.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    page(&ctx, next, None)
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    volgende: Option<String>,
}

async fn submit_code(
    State(state): State<AppState>,
    ctx: Ctx,
    MaybeHalf(half): MaybeHalf,
    ClientIp(ip): ClientIp,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let next = safe_next(form.volgende.as_deref());
    // The guard lets a full session through; it has nothing to do here.
    let Some(half) = half else {
        return Ok(Redirect::to(&next).into_response());
    };
    let refuse = |status: StatusCode, message: String| -> AppResult<Response> {
        Ok((status, page(&ctx, next.clone(), Some(message))?).into_response())
    };
    let creds = store::people::credentials_by_id(&state.store, half.person_id).await?;
    if let Some(message) = signin::throttled(&state, &creds.email, &ip).await? {
        return refuse(StatusCode::TOO_MANY_REQUESTS, message);
    }
    let input = match SecondFactorInput::parse(&form.code) {
        Ok(input) => input,
        // Not a guess: the form did not hold a code at all.
        Err(e) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
    };
    let signer = Signer {
        person: half.person_id,
        email: &creds.email,
        ip: &ip,
    };
    match input {
        SecondFactorInput::Code(digits) => {
            match check_code(&state, &half, &digits).await? {
                Ok(()) => {}
                Err(e) => {
                    if e == TotpError::Wrong {
                        store::accounts::record_login_failure(&state.store, &creds.email, &ip)
                            .await?;
                        tracing::info!(%ip, "second factor: wrong code");
                    }
                    return refuse(StatusCode::UNAUTHORIZED, e.to_string());
                }
            }
            let previous = Some(half.session_hash.as_slice());
            signin::start_session(&state, &signer, previous, None, Via::Code, &next).await
        }
        SecondFactorInput::Recovery(hash) => {
            let mut tx = state.store.begin().await?;
            let left = store::twofactor::use_recovery_code(&mut tx, half.person_id, &hash).await?;
            store::commit(tx).await?;
            if left.is_none() {
                store::accounts::record_login_failure(&state.store, &creds.email, &ip).await?;
                tracing::info!(%ip, "second factor: unknown recovery code");
                return refuse(
                    StatusCode::UNAUTHORIZED,
                    RecoveryError::NotFound.to_string(),
                );
            }
            let previous = Some(half.session_hash.as_slice());
            let to = "/account/tweestapsverificatie?ok=herstelcode";
            signin::start_session(&state, &signer, previous, None, Via::RecoveryCode, to).await
        }
    }
}

/// Checks the code against the person's secret and uses its step, so it cannot be used again.
async fn check_code(
    state: &AppState,
    half: &HalfSignedIn,
    digits: &str,
) -> AppResult<Result<(), TotpError>> {
    let Some((sealed, last_used)) = store::twofactor::secret(&state.store, half.person_id).await?
    else {
        // Reset between the password and the code: the reset ended this session too.
        return Ok(Err(TotpError::DamagedSecret));
    };
    let secret = match open(signin::key(state)?, &sealed)
        .ok()
        .and_then(|bytes| TotpSecret::from_bytes(&bytes).ok())
    {
        Some(secret) => secret,
        None => {
            tracing::error!(
                person = half.person_id.get(),
                "a second-factor secret does not open"
            );
            return Ok(Err(TotpError::DamagedSecret));
        }
    };
    let step = match verify(&secret, digits, OffsetDateTime::now_utc(), Some(last_used)) {
        Ok(step) => step,
        Err(e) => return Ok(Err(e)),
    };
    let mut tx = state.store.begin().await?;
    let won = store::twofactor::use_step(&mut tx, half.person_id, step).await?;
    store::commit(tx).await?;
    Ok(if won {
        Ok(())
    } else {
        Err(TotpError::AlreadyUsed)
    })
}
