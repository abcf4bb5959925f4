//! The code after the password (docs/two-factor.md, "Verification"): a code from the app or a
//! recovery code turns a half signed-in session into a full one, on a new session id.

use super::handlers::{ClientIp, safe_next};
use super::signin::{self, CodeForm, NextQuery, Signer, Via};
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
use domain::account::twofactor::{RecoveryError, SecondFactorInput, SignInStep, TotpError, verify};
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
    let input = match SecondFactorInput::parse(&form.code) {
        Ok(input) => input,
        // Not a guess: the form did not hold a code at all.
        Err(e) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
    };
    let attempt = match signin::attempt(&state, &creds.email, &ip).await? {
        Ok(attempt) => attempt,
        Err(message) => return refuse(StatusCode::TOO_MANY_REQUESTS, message),
    };
    let mut tx = state.store.begin().await?;
    let (outcome, via, to) = match input {
        SecondFactorInput::Code(digits) => (
            check_code(&state, &mut tx, &half, &digits)
                .await?
                .map_err(|e| e.to_string()),
            Via::Code,
            next.clone(),
        ),
        SecondFactorInput::Recovery(hash) => (
            store::twofactor::use_recovery_code(&mut tx, half.person_id, &hash)
                .await?
                .map(|_| ())
                .ok_or_else(|| RecoveryError::NotFound.to_string()),
            Via::RecoveryCode,
            "/account/tweestapsverificatie?ok=herstelcode".to_string(),
        ),
    };
    if outcome.is_ok() && matches!(via, Via::RecoveryCode) {
        let change = crate::shared::mail::account::Change::RecoveryCodeUsed;
        signin::tell(&state, &mut tx, half.person_id, &creds.email, change).await?;
    }
    store::commit(tx).await?;
    if let Err(message) = outcome {
        tracing::info!(%ip, "second factor refused");
        return refuse(StatusCode::UNAUTHORIZED, message);
    }
    attempt.succeeded(&state).await?;
    let signer = Signer {
        person: half.person_id,
        email: &creds.email,
        ip: &ip,
    };
    let previous = Some(half.session_hash.as_slice());
    signin::start_session(&state, &signer, previous, None, via, &to).await
}

/// Checks the code against the person's secret and uses its step in `tx`, so it cannot be used
/// again once that commits.
async fn check_code(
    state: &AppState,
    tx: &mut store::Tx,
    half: &HalfSignedIn,
    digits: &str,
) -> AppResult<Result<(), TotpError>> {
    let Some((sealed, last_used)) = store::twofactor::secret(&mut **tx, half.person_id).await?
    else {
        // Reset between the password and the code: the reset ended this session too.
        return Ok(Err(TotpError::DamagedSecret));
    };
    let Some(secret) = signin::open_secret(state, &sealed)? else {
        return Ok(Err(TotpError::DamagedSecret));
    };
    let step = match verify(&secret, digits, OffsetDateTime::now_utc(), Some(last_used)) {
        Ok(step) => step,
        Err(e) => return Ok(Err(e)),
    };
    Ok(
        if store::twofactor::use_step(tx, half.person_id, step).await? {
            Ok(())
        } else {
            Err(TotpError::AlreadyUsed)
        },
    )
}
