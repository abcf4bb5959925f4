//! Login, logout, set-password links and the password change page.

use super::signin;
use crate::shared::cookies;
use crate::shared::error::{AppError, AppResult};
use crate::shared::mail::account::Change;
use crate::shared::routes::{Access, RouteDef, get, post};
use crate::shared::session::{self, MaybeHalf, MaybeUser, User};
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Errors, Layout, render};
use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use domain::account::twofactor::{self, SignInStep};
use domain::account::{LinkProblem, check_new_password, check_set_password_link};
use domain::authz::Capability;
use serde::Deserialize;
use std::net::SocketAddr;
use store::audit::Who;
use time::OffsetDateTime;

pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/inloggen", Access::Public, login_page),
        post("/inloggen", Access::Public, login),
        post("/uitloggen", Access::AnySession, logout),
        get(
            "/wachtwoord-instellen/{token}",
            Access::Public,
            set_password_page,
        ),
        post(
            "/wachtwoord-instellen/{token}",
            Access::Public,
            set_password,
        ),
        get(
            "/account/wachtwoord",
            Access::Needs(Capability::SignedIn),
            change_password_page,
        ),
        post(
            "/account/wachtwoord",
            Access::Needs(Capability::SignedIn),
            change_password,
        ),
    ]
}

/// Only a local path may follow login: no scheme, no `//host`, no backslash tricks.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(|c| c.is_control())
                && n != "/inloggen" =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    layout: Layout,
    email: String,
    next: String,
    error: Option<String>,
    info: Option<&'static str>,
}

#[derive(Deserialize, Default)]
struct LoginQuery {
    volgende: Option<String>,
    reden: Option<String>,
}

async fn login_page(
    ctx: Ctx,
    MaybeUser(user): MaybeUser,
    Query(q): Query<LoginQuery>,
) -> AppResult<Response> {
    if user.is_some() {
        return Ok(Redirect::to(&safe_next(q.volgende.as_deref())).into_response());
    }
    let info = match q.reden.as_deref() {
        Some("uitgelogd") => Some("U bent uitgelogd."),
        Some("wachtwoord") => Some("Uw wachtwoord is ingesteld. U kunt nu inloggen."),
        _ => None,
    };
    render(LoginPage {
        layout: ctx.layout("Inloggen"),
        email: String::new(),
        next: safe_next(q.volgende.as_deref()),
        error: None,
        info,
    })
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    volgende: Option<String>,
}

/// The client's address: the TCP peer, or, when the peer is one of the configured proxies
/// (`GG_TRUSTED_PROXIES`), the client its `X-Forwarded-For` names (`TrustedProxies::client`).
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() else {
            return Ok(ClientIp("onbekend".into()));
        };
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let ip = state.config.trusted_proxies.client(peer.ip(), &forwarded);
        Ok(ClientIp(ip.to_string()))
    }
}

async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    MaybeHalf(half): MaybeHalf,
    ClientIp(ip): ClientIp,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let email = form.email.trim().to_lowercase();
    let next = safe_next(form.volgende.as_deref());
    let refuse = |status: StatusCode, message: String| -> AppResult<Response> {
        let page = LoginPage {
            layout: ctx.layout("Inloggen"),
            email: form.email.clone(),
            next: next.clone(),
            error: Some(message),
            info: None,
        };
        Ok((status, render(page)?).into_response())
    };

    let attempt = match signin::attempt(&state, &email, &ip).await? {
        Ok(attempt) => attempt,
        Err(message) => return refuse(StatusCode::TOO_MANY_REQUESTS, message),
    };

    let creds = store::people::credentials(&state.store, &email).await?;
    let usable = creds.as_ref().filter(|c| !c.disabled);
    let ok = state
        .passwords
        .verify(
            &form.password,
            usable.and_then(|c| c.password_hash.as_deref()),
        )
        .await;
    let Some(person) = usable.filter(|_| ok) else {
        tracing::info!(%ip, "login failed");
        return refuse(
            StatusCode::UNAUTHORIZED,
            "Het e-mailadres of het wachtwoord is onjuist.".into(),
        );
    };
    attempt.succeeded(&state).await?;
    if person.is_demo && state.config.is_production() {
        return refuse(
            StatusCode::FORBIDDEN,
            "Demo-accounts zijn uitgeschakeld in deze productieomgeving.".into(),
        );
    }

    let second_factor = store::twofactor::status(&state.store, person.id).await?;
    let required = !second_factor.enabled()
        && twofactor::required_for(
            &store::people::signed_in(&state.store, person.id)
                .await?
                .actor
                .roles,
            &store::twofactor::required(&state.store).await?,
        );
    let step = SignInStep::after_password(second_factor.enabled(), required);
    let signer = signin::Signer {
        person: person.id,
        email: &person.email,
        ip: &ip,
    };
    let previous = ctx.user.as_ref().map(|u| u.session_hash.as_slice());
    let previous = previous.or(half.as_ref().map(|h| h.session_hash.as_slice()));
    let to = match step {
        Some(step) => signin::step_path(step, &next),
        None => next,
    };
    signin::start_session(&state, &signer, previous, step, signin::Via::Password, &to).await
}

async fn logout(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    MaybeHalf(half): MaybeHalf,
) -> AppResult<Response> {
    let hash = user
        .map(|u| u.session_hash)
        .or(half.map(|h| h.session_hash));
    if let Some(hash) = hash {
        store::accounts::delete_session(&state.store, &hash).await?;
    }
    let mut response = Redirect::to("/inloggen?reden=uitgelogd").into_response();
    response
        .headers_mut()
        .append(SET_COOKIE, session::end_cookie(&state));
    Ok(response)
}

#[derive(Template)]
#[template(path = "auth/set_password.html")]
struct SetPasswordPage {
    layout: Layout,
    name: String,
    email: String,
    token: String,
    errors: Errors,
}

#[derive(Template)]
#[template(path = "auth/link_invalid.html")]
struct LinkInvalidPage {
    layout: Layout,
    reason: &'static str,
}

async fn valid_link(
    state: &AppState,
    token: &str,
) -> AppResult<Result<store::accounts::PasswordLink, &'static str>> {
    let Some(link) =
        store::accounts::find_password_link(&state.store, &cookies::sha256(token)).await?
    else {
        return Ok(Err(
            "Deze link is onbekend. Controleer of u de hele link uit de e-mail heeft gebruikt.",
        ));
    };
    Ok(
        match check_set_password_link(link.created_at, link.used_at, OffsetDateTime::now_utc()) {
            Ok(()) => Ok(link),
            Err(LinkProblem::Used) => {
                Err("Deze link is al gebruikt. Een link werkt maar één keer.")
            }
            Err(LinkProblem::Expired) => Err("Deze link is verlopen: een link is 72 uur geldig."),
        },
    )
}

fn link_invalid(ctx: &Ctx, reason: &'static str) -> AppResult<Response> {
    let page = LinkInvalidPage {
        layout: ctx.layout("Link niet geldig"),
        reason,
    };
    Ok((StatusCode::NOT_FOUND, render(page)?).into_response())
}

async fn set_password_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    match valid_link(&state, &token).await? {
        Err(reason) => link_invalid(&ctx, reason),
        Ok(link) => render(SetPasswordPage {
            layout: ctx.layout("Wachtwoord instellen"),
            name: link.name,
            email: link.email,
            token,
            errors: Errors::default(),
        }),
    }
}

#[derive(Deserialize)]
struct NewPasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
    #[serde(default)]
    current: String,
}

fn check_pair(form: &NewPasswordForm, email: &str) -> Errors {
    let mut errors = Errors::default();
    if let Err(e) = check_new_password(&form.password, email) {
        errors.field(e);
    } else if form.password != form.confirm {
        errors.add("confirm", "De twee wachtwoorden zijn niet gelijk.");
    }
    errors
}

async fn set_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(form): Form<NewPasswordForm>,
) -> AppResult<Response> {
    let link = match valid_link(&state, &token).await? {
        Err(reason) => return link_invalid(&ctx, reason),
        Ok(link) => link,
    };
    let errors = check_pair(&form, &link.email);
    if !errors.is_empty() {
        let page = SetPasswordPage {
            layout: ctx.layout("Wachtwoord instellen"),
            name: link.name,
            email: link.email,
            token,
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response());
    }
    let hash = state
        .passwords
        .hash(&form.password)
        .await
        .map_err(|e| AppError::Internal(e.context("hashing a password")))?;
    let mut tx = state.store.begin().await?;
    if !store::accounts::use_password_link(&mut tx, &cookies::sha256(&token)).await? {
        return link_invalid(
            &ctx,
            "Deze link is al gebruikt. Een link werkt maar één keer.",
        );
    }
    let who = Who {
        id: Some(link.person_id.get()),
        label: link.email.clone(),
    };
    store::people::set_password_hash(&mut tx, &who, link.person_id, &hash).await?;
    store::commit(tx).await?;
    Ok(Redirect::to("/inloggen?reden=wachtwoord").into_response())
}

#[derive(Template)]
#[template(path = "auth/change_password.html")]
struct ChangePasswordPage {
    layout: Layout,
    errors: Errors,
}

async fn change_password_page(ctx: Ctx) -> AppResult<Response> {
    render(ChangePasswordPage {
        layout: ctx.layout("Wachtwoord wijzigen"),
        errors: Errors::default(),
    })
}

async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ClientIp(ip): ClientIp,
    Form(form): Form<NewPasswordForm>,
) -> AppResult<Response> {
    let creds = store::people::credentials_by_id(&state.store, user.actor.person_id).await?;
    let mut errors = Errors::default();
    if !state
        .passwords
        .verify(&form.current, creds.password_hash.as_deref())
        .await
    {
        errors.add("current", "Uw huidige wachtwoord is onjuist.");
    } else {
        errors = check_pair(&form, &creds.email);
        if form.password == form.current && errors.is_empty() {
            errors.add("password", "Kies een ander wachtwoord dan uw huidige.");
        }
    }
    if !errors.is_empty() {
        let page = ChangePasswordPage {
            layout: ctx.layout("Wachtwoord wijzigen"),
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response());
    }
    let hash = state
        .passwords
        .hash(&form.password)
        .await
        .map_err(|e| AppError::Internal(e.context("hashing a password")))?;
    let who = Who {
        id: Some(creds.id.get()),
        label: creds.email.clone(),
    };
    let token = cookies::random_token();
    let mut tx = state.store.begin().await?;
    // Ends every session, this one included; this browser continues on a fresh one.
    store::people::set_password_hash(&mut tx, &who, creds.id, &hash).await?;
    signin::tell(&state, &mut tx, creds.id, &creds.email, Change::Password).await?;
    store::accounts::create_session(&mut tx, &cookies::sha256(&token), creds.id, &ip).await?;
    store::commit(tx).await?;
    let mut response = Redirect::to("/?ok=wachtwoord").into_response();
    response
        .headers_mut()
        .append(SET_COOKIE, session::session_cookie(&state, &token));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_follow_login() {
        assert_eq!(
            safe_next(Some("/beheer/personen?x=1")),
            "/beheer/personen?x=1"
        );
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "evil",
            "/inloggen",
            "/a\nb",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
