//! The web crate's one error type: each variant renders a Dutch page with the right status;
//! the cause is logged, never shown.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use domain::authz::Denied;
use store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("the form was expired or forged")]
    Csrf,
    /// Input no form of ours produces: invalid UTF-8, a field that does not parse.
    #[error("malformed input")]
    BadInput,
    /// A request body above the limit of its route.
    #[error("request too large")]
    TooLarge,
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A write to an adopted budget (D9): the database refused it.
    #[error("the budget is adopted")]
    Locked,
    /// Something that should not happen; the source error is kept for the log.
    #[error("internal error: {0:#}")]
    Internal(anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// An internal error with what was being done, keeping the source for the log.
    pub fn internal<E>(doing: &'static str, source: E) -> Self
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        AppError::Internal(anyhow::Error::new(source).context(doing))
    }

    /// An internal error without a source: a state that should not exist.
    pub fn bug(what: impl std::fmt::Display + Send + Sync + 'static) -> Self {
        AppError::Internal(anyhow::anyhow!("{what}"))
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Unavailable(m) => AppError::Unavailable(m),
            StoreError::Invalid(store::Invalid::Adopted) => AppError::Locked,
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<Denied> for AppError {
    fn from(d: Denied) -> Self {
        match d {
            Denied::NotFound => AppError::NotFound,
            Denied::Forbidden => AppError::Forbidden,
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::internal("rendering a template", e)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub title: &'static str,
    pub message: &'static str,
}

impl AppError {
    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "Pagina niet gevonden",
                "Deze pagina bestaat niet, of u heeft er geen toegang toe.",
            ),
            AppError::Forbidden => (
                StatusCode::FORBIDDEN,
                "Geen toegang",
                "U heeft niet de rol die nodig is voor deze pagina of handeling. Neem contact op met de beheerder als u denkt dat dit niet klopt.",
            ),
            AppError::Csrf => (
                StatusCode::FORBIDDEN,
                "Formulier verlopen",
                "Dit formulier is verlopen of kwam niet van deze website. Ga terug, laad de pagina opnieuw en probeer het nog eens.",
            ),
            AppError::BadInput => (
                StatusCode::BAD_REQUEST,
                "Ongeldige invoer",
                "Dit verzoek bevat gegevens die Gelijkgericht niet kan lezen, bijvoorbeeld tekens die geen geldige tekst zijn. Ga terug, laad de pagina opnieuw en probeer het nog eens.",
            ),
            AppError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "Te veel gegevens",
                "Dit formulier of bestand is groter dan Gelijkgericht in één keer aanneemt. Er is niets opgeslagen. Maak de tekst korter of kies een kleiner bestand.",
            ),
            AppError::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Tijdelijk niet beschikbaar",
                "Gelijkgericht is tijdelijk niet beschikbaar omdat de database niet bereikbaar is. Probeer het over een paar minuten opnieuw; er is niets verloren gegaan.",
            ),
            AppError::Locked => (
                StatusCode::CONFLICT,
                "Begroting vastgesteld",
                domain::budget::adoption::LOCKED,
            ),
            AppError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Er ging iets mis",
                "Er ging aan onze kant iets mis. Uw wijziging is niet opgeslagen. Probeer het opnieuw; blijft het misgaan, meld het dan bij de beheerder.",
            ),
        }
    }
}

/// Renders a Dutch error page for a status.
pub fn error_page(status: StatusCode, title: &'static str, message: &'static str) -> Response {
    let page = ErrorPage {
        status: status.as_u16(),
        title,
        message,
    };
    let body = page.render().unwrap_or_else(|_| title.to_string());
    (status, Html(body)).into_response()
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::Unavailable(cause) => tracing::warn!(%cause, "database unavailable"),
            AppError::Internal(cause) => {
                tracing::error!(cause = format!("{cause:#}"), "internal error")
            }
            _ => {}
        }
        let (status, title, message) = self.parts();
        let mut response = error_page(status, title, message);
        if matches!(self, AppError::Unavailable(_)) {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("30"),
            );
        }
        response
    }
}
