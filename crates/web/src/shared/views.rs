//! What every page shares: the layout (header, navigation, CSRF token) and rendering.

use crate::shared::csrf::CsrfToken;
use crate::shared::error::AppError;
use crate::shared::session::CurrentUser;
use crate::shared::state::AppState;
use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use domain::people::Role;

pub struct NavLink {
    pub label: &'static str,
    pub href: &'static str,
    pub current: bool,
}

pub struct UserHeader {
    pub name: String,
    pub bodies: String,
    pub roles: String,
}

/// The frame of every page.
pub struct Layout {
    pub title: String,
    pub hospital: String,
    pub user: Option<UserHeader>,
    pub nav: Vec<NavLink>,
    pub csrf: String,
    pub css_url: &'static str,
    pub js_url: &'static str,
    /// A confirmation shown at the top after a successful change.
    pub notice: Option<&'static str>,
}

/// Extractor that gathers what the layout needs from the request.
pub struct Ctx {
    pub hospital: String,
    pub user: Option<CurrentUser>,
    pub csrf: String,
    pub path: String,
    notice: Option<&'static str>,
}

/// Confirmations after a redirect (`?ok=...`), so no free text from the URL reaches the page.
fn notice_for(code: &str) -> Option<&'static str> {
    Some(match code {
        "opgeslagen" => "De wijzigingen zijn opgeslagen.",
        "aangemaakt" => "Aangemaakt.",
        "verwijderd" => "Verwijderd.",
        "geblokkeerd" => {
            "Het account is geblokkeerd; alle sessies van deze persoon zijn beëindigd."
        }
        "gedeblokkeerd" => "Het account is weer actief.",
        "wachtwoord" => "Uw wachtwoord is gewijzigd. Andere sessies zijn beëindigd.",
        "herstelcode" => "U bent ingelogd met een herstelcode; die code werkt nu niet meer.",
        "tweestap-hersteld" => {
            "De tweestapsverificatie is gereset en alle sessies van deze persoon zijn beëindigd. Vraagt de rol erom, dan stelt de persoon bij de volgende keer inloggen een telefoon opnieuw in."
        }
        "tweestap-rollen" => "De rollen die tweestapsverificatie vereisen zijn opgeslagen.",
        "aangekondigd" => "De gewijzigde agenda is naar de leden verstuurd.",
        _ => return None,
    })
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let notice = parts
            .uri
            .query()
            .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "ok"))
            .and_then(|(_, v)| notice_for(&v));
        Ok(Ctx {
            hospital: state.hospital_name(),
            user: parts.extensions.get::<CurrentUser>().cloned(),
            csrf: parts
                .extensions
                .get::<CsrfToken>()
                .map(|t| t.0.clone())
                .unwrap_or_default(),
            path: parts.uri.path().to_string(),
            notice,
        })
    }
}

impl Ctx {
    pub fn layout(&self, title: impl Into<String>) -> Layout {
        let (user, nav) = match &self.user {
            None => (None, Vec::new()),
            Some(u) => {
                let mut roles: Vec<Role> = u.actor.roles.iter().copied().collect();
                roles.sort();
                let header = UserHeader {
                    name: u.name.clone(),
                    bodies: domain::people::BodyCode::join(&u.body_codes, ", "),
                    roles: roles
                        .iter()
                        .map(|r| r.label())
                        .collect::<Vec<_>>()
                        .join(", "),
                };
                let nav = u
                    .actor
                    .sections()
                    .into_iter()
                    .map(|s| NavLink {
                        label: s.label(),
                        href: s.path(),
                        current: if s.path() == "/" {
                            self.path == "/"
                        } else {
                            self.path.starts_with(s.path())
                        },
                    })
                    .collect();
                (Some(header), nav)
            }
        };
        Layout {
            title: title.into(),
            hospital: self.hospital.clone(),
            user,
            nav,
            csrf: self.csrf.clone(),
            css_url: crate::shared::assets::css_url(),
            js_url: crate::shared::assets::js_url(),
            notice: self.notice,
        }
    }
}

/// Renders a template into an HTML response.
pub fn render<T: Template>(page: T) -> Result<Response, AppError> {
    Ok(Html(page.render()?).into_response())
}

/// Validation messages per field, shown at the field and in a summary at the top of the form.
#[derive(Debug, Default, Clone)]
pub struct Errors(Vec<(&'static str, String)>);

/// The domain's refusal of a form (`…Draft::parse`), each message at its field.
impl From<Vec<domain::people::FieldError>> for Errors {
    fn from(problems: Vec<domain::people::FieldError>) -> Self {
        Errors(problems.into_iter().map(|e| (e.field, e.message)).collect())
    }
}

impl Errors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    /// The field's length limit (`domain::text::max`), with the Dutch message at the field.
    pub fn limit(&mut self, field: &'static str, value: &str, max: usize) {
        if let Some(message) = domain::text::too_long(value, max) {
            self.add(field, message);
        }
    }

    pub fn field(&mut self, e: domain::people::FieldError) {
        self.0.push((e.field, e.message));
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The answer for a form shown with these errors: 200 without, 422 with.
    pub fn status(&self) -> StatusCode {
        if self.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        }
    }

    pub fn all(&self) -> impl Iterator<Item = (&&'static str, &String)> {
        self.0.iter().map(|(f, m)| (f, m))
    }
}

/// One field of a version conflict (F4): what is stored now next to what the person typed.
pub struct DiffRow {
    pub label: &'static str,
    pub stored: String,
    pub typed: String,
    pub differs: bool,
}

/// The rows of a conflict table from two versions read field by field, as (label, text).
pub fn diff_versions(
    stored: Vec<(&'static str, String)>,
    typed: Vec<(&'static str, String)>,
) -> Vec<DiffRow> {
    diff_rows(
        stored
            .into_iter()
            .zip(typed)
            .map(|((label, stored), (_, typed))| (label, stored, typed))
            .collect(),
    )
}

/// The rows of a conflict table from (label, stored, typed), in that order.
pub fn diff_rows(fields: Vec<(&'static str, String, String)>) -> Vec<DiffRow> {
    fields
        .into_iter()
        .map(|(label, stored, typed)| DiffRow {
            label,
            differs: stored != typed,
            stored,
            typed,
        })
        .collect()
}
