//! Setting up the second factor (docs/two-factor.md, "Enrolment"): a new secret shown as a QR
//! code, confirmed with one code, then ten recovery codes shown once. Reached from the account
//! (after typing the password again) or, for a role that requires it, right after the password.

use super::handlers::{ClientIp, safe_next};
use super::signin::{self, CodeForm, NextQuery, Signer, Via};
use crate::shared::error::{AppError, AppResult};
use crate::shared::mail::account::Change;
use crate::shared::routes::{Access, RouteDef, get, post};
use crate::shared::session::{MaybeHalf, MaybeUser};
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Errors, Layout, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::account::twofactor::{
    ENROLMENT_LIMIT, NONCE_BYTES, RECOVERY_RANDOM_BYTES, SignInStep, TotpError, TotpSecret,
    generate_recovery_codes, qr_svg, seal, verify,
};
use domain::ids::PersonId;
use domain::people::Email;
use serde::Deserialize;
use time::OffsetDateTime;

const STEP: Access = Access::Step(SignInStep::Enrol);
const PATH: &str = "/account/tweestapsverificatie";

pub fn routes() -> Vec<RouteDef> {
    vec![
        get(PATH, STEP, overview),
        post("/account/tweestapsverificatie/starten", STEP, start),
        post("/account/tweestapsverificatie/bevestigen", STEP, confirm),
        post(
            "/account/tweestapsverificatie/herstelcodes",
            STEP,
            new_codes,
        ),
    ]
}

/// Who is on these pages: a signed-in person, or one whose role requires a second factor and
/// who has passed only the password (`forced`).
struct Enroller {
    person: PersonId,
    email: String,
    forced: Option<std::sync::Arc<Vec<u8>>>,
}

fn enroller(user: MaybeUser, half: MaybeHalf, email_of_half: Option<String>) -> Option<Enroller> {
    match (user.0, half.0) {
        (Some(u), _) => Some(Enroller {
            person: u.actor.person_id,
            email: u.email.clone(),
            forced: None,
        }),
        (None, Some(h)) => Some(Enroller {
            person: h.person_id,
            email: email_of_half?,
            forced: Some(h.session_hash),
        }),
        (None, None) => None,
    }
}

async fn who(state: &AppState, user: MaybeUser, half: MaybeHalf) -> AppResult<Enroller> {
    let email = match &half.0 {
        Some(h) if user.0.is_none() => Some(
            store::people::credentials_by_id(&state.store, h.person_id)
                .await?
                .email,
        ),
        _ => None,
    };
    // The route's guard admits only these two kinds of session.
    enroller(user, half, email).ok_or(AppError::NotFound)
}

/// A forced enrolment whose person set up a second factor meanwhile (another browser): the half
/// session ends and they sign in again, now with a code. It must not replace that factor.
async fn enrolled_meanwhile(state: &AppState, me: &Enroller) -> AppResult<Option<Response>> {
    let Some(session) = &me.forced else {
        return Ok(None);
    };
    if !store::twofactor::status(&state.store, me.person)
        .await?
        .enabled()
    {
        return Ok(None);
    }
    store::accounts::delete_session(&state.store, session).await?;
    Ok(Some(Redirect::to("/inloggen").into_response()))
}

#[derive(Template)]
#[template(path = "auth/two_factor.html")]
struct OverviewPage {
    layout: Layout,
    forced: bool,
    enabled_since: Option<String>,
    recovery_left: i64,
    required: bool,
    next: String,
    errors: Errors,
    /// Why the person is back at the start (the QR code expired or was replaced).
    alert: Option<&'static str>,
}

async fn overview_page(
    state: &AppState,
    ctx: &Ctx,
    me: &Enroller,
    next: String,
    errors: Errors,
) -> AppResult<Response> {
    overview_with(state, ctx, me, next, errors, None).await
}

async fn overview_with(
    state: &AppState,
    ctx: &Ctx,
    me: &Enroller,
    next: String,
    errors: Errors,
    alert: Option<&'static str>,
) -> AppResult<Response> {
    let status = store::twofactor::status(&state.store, me.person).await?;
    let required = match &ctx.user {
        Some(u) => domain::account::twofactor::required_for(
            &u.actor.roles,
            &store::twofactor::required(&state.store).await?,
        ),
        None => true,
    };
    let status_code = if alert.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        errors.status()
    };
    let page = OverviewPage {
        layout: ctx.layout("Tweestapsverificatie"),
        forced: me.forced.is_some(),
        enabled_since: status.enabled_at.map(domain::nl::datetime),
        recovery_left: status.recovery_left,
        required,
        next,
        errors,
        alert,
    };
    Ok((status_code, render(page)?).into_response())
}

async fn overview(
    State(state): State<AppState>,
    ctx: Ctx,
    user: MaybeUser,
    half: MaybeHalf,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    let me = who(&state, user, half).await?;
    let next = safe_next(q.volgende.as_deref());
    overview_page(&state, &ctx, &me, next, Errors::default()).await
}

#[derive(Deserialize)]
struct StartForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    volgende: Option<String>,
}

#[derive(Template)]
#[template(path = "auth/two_factor_scan.html")]
struct ScanPage {
    layout: Layout,
    qr: String,
    key_text: String,
    next: String,
    errors: Errors,
}

fn scan_page(
    ctx: &Ctx,
    secret: &TotpSecret,
    email: &str,
    next: String,
    errors: Errors,
) -> AppResult<Response> {
    let email = Email::parse(email)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("stored e-mail: {}", e.message)))?;
    let qr = qr_svg(&secret.otpauth_uri(&email))
        .map_err(|_| AppError::Internal(anyhow::anyhow!("QR code too long")))?;
    let status = errors.status();
    let page = ScanPage {
        layout: ctx.layout("Tweestapsverificatie instellen"),
        qr,
        key_text: secret.display_text(),
        next,
        errors,
    };
    Ok((status, render(page)?).into_response())
}

/// A new secret, sealed and kept as pending; shown as a QR code.
async fn start(
    State(state): State<AppState>,
    ctx: Ctx,
    user: MaybeUser,
    half: MaybeHalf,
    ClientIp(ip): ClientIp,
    Form(form): Form<StartForm>,
) -> AppResult<Response> {
    let me = who(&state, user, half).await?;
    let next = safe_next(form.volgende.as_deref());
    if let Some(done) = enrolled_meanwhile(&state, &me).await? {
        return Ok(done);
    }
    // Someone who walks up to a signed-in screen must not be able to move the second factor to
    // their own phone: the password again, throttled like a sign-in. Right after the password
    // step it was just typed.
    if me.forced.is_none() {
        let attempt = match signin::attempt(&state, &me.email, &ip).await? {
            Ok(attempt) => attempt,
            Err(message) => {
                let mut errors = Errors::default();
                errors.add("password", message);
                return overview_page(&state, &ctx, &me, next, errors).await;
            }
        };
        let creds = store::people::credentials_by_id(&state.store, me.person).await?;
        if !state
            .passwords
            .verify(&form.password, creds.password_hash.as_deref())
            .await
        {
            let mut errors = Errors::default();
            errors.add("password", "Uw wachtwoord is onjuist.");
            return overview_page(&state, &ctx, &me, next, errors).await;
        }
        attempt.succeeded(&state).await?;
    }
    let secret = TotpSecret::from_random(rand::random());
    let nonce: [u8; NONCE_BYTES] = rand::random();
    let sealed = seal(signin::key(&state)?, &nonce, secret.as_bytes());
    store::twofactor::begin_enrolment(&state.store, me.person, &sealed).await?;
    scan_page(&ctx, &secret, &me.email, next, Errors::default())
}

#[derive(Template)]
#[template(path = "auth/recovery_codes.html")]
struct CodesPage {
    layout: Layout,
    codes: Vec<String>,
    next: String,
}

fn codes_page(ctx: &Ctx, codes: Vec<String>, next: String) -> AppResult<Response> {
    render(CodesPage {
        layout: ctx.layout("Uw herstelcodes"),
        codes,
        next,
    })
}

fn new_recovery_codes() -> (
    Vec<String>,
    Vec<domain::account::twofactor::RecoveryCodeHash>,
) {
    let random: [u8; RECOVERY_RANDOM_BYTES] = rand::random();
    let codes = generate_recovery_codes(&random);
    let hashes = codes.iter().map(|c| c.hash()).collect();
    (
        codes.iter().map(|c| c.as_str().to_string()).collect(),
        hashes,
    )
}

/// The code proves the app holds the pending secret; then it becomes the person's second factor.
async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    user: MaybeUser,
    half: MaybeHalf,
    ClientIp(ip): ClientIp,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let me = who(&state, user, half).await?;
    let next = safe_next(form.volgende.as_deref());
    if let Some(done) = enrolled_meanwhile(&state, &me).await? {
        return Ok(done);
    }
    let now = OffsetDateTime::now_utc();
    let pending = store::twofactor::pending(&state.store, me.person).await?;
    let secret = match pending.filter(|(_, created)| now - *created <= ENROLMENT_LIMIT) {
        Some((sealed, _)) => signin::open_secret(&state, &sealed)?.map(|s| (s, sealed)),
        None => None,
    };
    let Some((secret, sealed)) = secret else {
        let alert =
            "De QR-code is verlopen of vervangen. Begin opnieuw; u krijgt een nieuwe QR-code.";
        return overview_with(&state, &ctx, &me, next, Errors::default(), Some(alert)).await;
    };
    let step = match verify(&secret, &form.code, now, None) {
        Ok(step) => step,
        Err(e) => {
            let mut errors = Errors::default();
            errors.add("code", enrol_message(e));
            return scan_page(&ctx, &secret, &me.email, next, errors);
        }
    };
    let (codes, hashes) = new_recovery_codes();
    let audit_as = store::audit::Who {
        id: Some(me.person.get()),
        label: me.email.clone(),
    };
    // Only someone signed in who typed the password again may replace a second factor; the
    // forced path after the password alone may only create the first one.
    let may_replace = me.forced.is_none();
    let change = if store::twofactor::status(&state.store, me.person)
        .await?
        .enabled()
    {
        Change::SecondFactorReplaced
    } else {
        Change::SecondFactorOn
    };
    let mut tx = state.store.begin().await?;
    let activated = store::twofactor::activate(
        &mut tx,
        &audit_as,
        me.person,
        &sealed,
        step,
        &hashes,
        may_replace,
    )
    .await?;
    if activated {
        signin::tell(&state, &mut tx, me.person, &me.email, change).await?;
    }
    store::commit(tx).await?;
    if !activated {
        let alert = "Intussen is een nieuwe QR-code gemaakt of is tweestapsverificatie al ingesteld (in een ander venster?). Begin opnieuw.";
        return overview_with(&state, &ctx, &me, next, Errors::default(), Some(alert)).await;
    }
    let page = codes_page(&ctx, codes, next.clone())?;
    match me.forced {
        // Enrolment completes the sign-in: a full session on a new id, the codes shown once.
        Some(previous) => {
            let signer = Signer {
                person: me.person,
                email: &me.email,
                ip: &ip,
            };
            let started = signin::start_session(
                &state,
                &signer,
                Some(previous.as_slice()),
                None,
                Via::Enrolment,
                &next,
            )
            .await?;
            Ok(with_cookies_of(started, page))
        }
        None => Ok(page),
    }
}

/// `page` with the session cookie (and CSRF rotation) of `started`, so the recovery codes are
/// shown on the same response that completes the sign-in.
fn with_cookies_of(started: Response, page: Response) -> Response {
    let (started, _) = started.into_parts();
    let (mut parts, body) = page.into_parts();
    for value in started.headers.get_all(axum::http::header::SET_COOKIE) {
        parts
            .headers
            .append(axum::http::header::SET_COOKIE, value.clone());
    }
    parts.extensions.extend(started.extensions);
    Response::from_parts(parts, body)
}

fn enrol_message(e: TotpError) -> String {
    match e {
        TotpError::Wrong => "Deze code klopt niet. Controleer of u de QR-code van deze pagina hebt gescand, of de sleutel goed hebt overgenomen, en of de klok van uw telefoon goed staat.".to_string(),
        other => other.to_string(),
    }
}

/// A new set of ten recovery codes, after a current code; the old set stops working.
async fn new_codes(
    State(state): State<AppState>,
    ctx: Ctx,
    user: MaybeUser,
    half: MaybeHalf,
    ClientIp(ip): ClientIp,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let me = who(&state, user, half).await?;
    if me.forced.is_some() {
        return Ok(Redirect::to(PATH).into_response());
    }
    let next = safe_next(form.volgende.as_deref());
    let Some((sealed, last_used)) = store::twofactor::secret(state.store.pool(), me.person).await?
    else {
        return Ok(Redirect::to(PATH).into_response());
    };
    let secret = signin::open_secret(&state, &sealed)?.ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!("a second-factor secret does not open"))
    })?;
    let refuse = |message: String| {
        let mut errors = Errors::default();
        errors.add("code", message);
        errors
    };
    // A new set of codes is a way back in: guessing the app's code here is throttled and
    // counted like at sign-in.
    let attempt = match signin::attempt(&state, &me.email, &ip).await? {
        Ok(attempt) => attempt,
        Err(message) => return overview_page(&state, &ctx, &me, next, refuse(message)).await,
    };
    let now = OffsetDateTime::now_utc();
    let step = match verify(&secret, &form.code, now, Some(last_used)) {
        Ok(step) => step,
        Err(e) => {
            // Not a guess when the form held no code at all.
            if e == TotpError::Malformed {
                attempt.succeeded(&state).await?;
            }
            return overview_page(&state, &ctx, &me, next, refuse(e.to_string())).await;
        }
    };
    let (codes, hashes) = new_recovery_codes();
    let audit_as = store::audit::Who {
        id: Some(me.person.get()),
        label: me.email.clone(),
    };
    attempt.succeeded(&state).await?;
    let mut tx = state.store.begin().await?;
    let replaced =
        store::twofactor::replace_recovery_codes(&mut tx, &audit_as, me.person, step, &hashes)
            .await?;
    if replaced {
        let change = Change::RecoveryCodesReplaced;
        signin::tell(&state, &mut tx, me.person, &me.email, change).await?;
    }
    store::commit(tx).await?;
    if !replaced {
        let message = TotpError::AlreadyUsed.to_string();
        return overview_page(&state, &ctx, &me, next, refuse(message)).await;
    }
    codes_page(&ctx, codes, next)
}
