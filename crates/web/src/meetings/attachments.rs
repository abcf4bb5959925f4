//! Attachments of agenda items (product.md A2): upload by the secretary, download by whoever may
//! see the item, removal. The kind of a file is decided by its content
//! ([`domain::meetings::filetype`]); the name it was uploaded under is only a label.

use super::{MANAGE, page, visible_item, visible_meeting};
use crate::shared::error::{AppError, AppResult};
use crate::shared::routes::{RouteDef, post};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::Ctx;
use crate::shared::who::who;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::authz::{Capability, Visibility};
use domain::ids::{ItemId, MeetingId};
use domain::meetings::filetype::{self, FileKind, MAX_ATTACHMENT_BYTES};
use domain::meetings::status::{agenda_editable, decisions_open};
use store::attachments::Attachment;
use store::meetings::Meeting;

/// The whole request may be a little larger than the file: the multipart framing around it.
const MAX_UPLOAD_REQUEST: usize = MAX_ATTACHMENT_BYTES + 1024 * 1024;

/// The upload route, with a body limit of its own (every other route keeps axum's 2 MB).
pub(super) fn upload_route() -> RouteDef {
    let mut route = post("/vergaderingen/{id}/punten/{item}/bijlagen", MANAGE, upload);
    route.handler = route
        .handler
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_REQUEST));
    route
}

/// One attachment in an item's list.
pub(crate) struct AttachmentView {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub size: String,
}

/// What the attachments part of one agenda item shows (`templates/meetings/_attachments.html`);
/// it carries all it needs, so the partial works wherever the item is rendered.
pub(crate) struct AttachmentsView {
    pub meeting_id: MeetingId,
    pub list: Vec<AttachmentView>,
    /// Whether this person may add and remove attachments now.
    pub can_change: bool,
    pub csrf: String,
}

/// Whether files may be added or removed in this status: while the agenda is being prepared,
/// and during the meeting (a document tabled at the last minute).
fn changeable(meeting: &Meeting) -> bool {
    agenda_editable(meeting.status) || decisions_open(meeting.status)
}

/// The attachments of one item, from the meeting's list read in one query
/// ([`store::attachments::for_meeting`]); the caller renders only items the person may see.
pub(crate) fn view(
    all: &[Attachment],
    meeting: &Meeting,
    item_id: ItemId,
    user: &User,
    csrf: &str,
) -> AttachmentsView {
    AttachmentsView {
        meeting_id: meeting.id,
        list: all
            .iter()
            .filter(|a| a.item_id == item_id)
            .map(|a| AttachmentView {
                id: a.id,
                name: a.filename.clone(),
                kind: FileKind::from_content_type(&a.content_type)
                    .map(|k| k.label())
                    .unwrap_or(""),
                size: filetype::size_label(a.size_bytes.max(0) as u64),
            })
            .collect(),
        can_change: user.actor.can(Capability::ManageMeetings) && changeable(meeting),
        csrf: csrf.to_string(),
    }
}

const CLOSED: &str = "Bijlagen kunnen alleen worden toegevoegd of verwijderd zolang de agenda in voorbereiding is of tijdens de vergadering.";
const TOO_LARGE: &str = "Het bestand is te groot: een bijlage mag hoogstens 25 MB zijn. Verklein het bestand (bijvoorbeeld door een PDF te comprimeren) of verdeel het over meer bijlagen.";
const WRONG_KIND: &str = "Dit soort bestand kan niet als bijlage worden toegevoegd. Toegestaan zijn PDF, Word (.docx), Excel (.xlsx) en PowerPoint (.pptx); oudere Office-bestanden (.doc, .xls, .ppt) kunt u eerst opslaan in het nieuwe formaat of als PDF.";
const NO_FILE: &str = "Kies eerst een bestand om als bijlage toe te voegen.";
const EMPTY: &str = "Het gekozen bestand is leeg.";
const UNREADABLE: &str = "Het bestand kwam niet volledig aan. Probeer het opnieuw.";

/// Why an upload is refused: the status and the message shown on the meeting page.
struct Refusal(StatusCode, &'static str);

impl From<MultipartError> for Refusal {
    fn from(e: MultipartError) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Refusal(StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE)
        } else {
            Refusal(StatusCode::BAD_REQUEST, UNREADABLE)
        }
    }
}

/// Reads the `bestand` field, stopping as soon as it exceeds the limit.
async fn read_file(multipart: &mut Multipart) -> Result<(String, Vec<u8>), Refusal> {
    while let Some(mut field) = multipart.next_field().await? {
        if field.name() != Some("bestand") {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_string();
        let mut data = Vec::new();
        while let Some(chunk) = field.chunk().await? {
            if data.len() + chunk.len() > MAX_ATTACHMENT_BYTES {
                return Err(Refusal(StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE));
            }
            data.extend_from_slice(&chunk);
        }
        if name.is_empty() && data.is_empty() {
            // A form sent without choosing a file.
            return Err(Refusal(StatusCode::UNPROCESSABLE_ENTITY, NO_FILE));
        }
        return Ok((name, data));
    }
    Err(Refusal(StatusCode::UNPROCESSABLE_ENTITY, NO_FILE))
}

async fn refuse(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    meeting: Meeting,
    status: StatusCode,
    message: &str,
) -> AppResult<Response> {
    let mut response = page::show_with_error(state, ctx, user, meeting, message.into()).await?;
    *response.status_mut() = status;
    Ok(response)
}

pub(super) async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path((id, item_id)): Path<(MeetingId, ItemId)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    let item = visible_item(&state, &user, &meeting, item_id, Capability::ManageMeetings).await?;
    if !changeable(&meeting) {
        return refuse(&state, &ctx, &user, meeting, StatusCode::CONFLICT, CLOSED).await;
    }
    let Ok(mut multipart) = multipart else {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return refuse(&state, &ctx, &user, meeting, status, NO_FILE).await;
    };
    let (submitted_name, data) = match read_file(&mut multipart).await {
        Ok(file) => file,
        Err(Refusal(status, message)) => {
            return refuse(&state, &ctx, &user, meeting, status, message).await;
        }
    };
    if data.is_empty() {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return refuse(&state, &ctx, &user, meeting, status, EMPTY).await;
    }
    let Some(kind) = filetype::sniff(&data) else {
        let status = StatusCode::UNSUPPORTED_MEDIA_TYPE;
        return refuse(&state, &ctx, &user, meeting, status, WRONG_KIND).await;
    };
    let name = filetype::safe_filename(&submitted_name, kind);
    let mut tx = state.store.begin().await?;
    store::attachments::add(
        &mut tx,
        &who(&user),
        item.id,
        &name,
        kind.content_type(),
        &data,
    )
    .await?;
    store::commit(tx).await?;
    Ok(Redirect::to(&format!(
        "/vergaderingen/{id}?ok=opgeslagen#punt-{}",
        item.id
    ))
    .into_response())
}

/// An attachment of this meeting on an item the person may see; anything else does not exist.
async fn visible_attachment(
    state: &AppState,
    user: &User,
    meeting: &Meeting,
    attachment_id: i64,
) -> AppResult<Attachment> {
    let attachment = store::attachments::get(&state.store, attachment_id).await?;
    let item = store::agenda::get(state.store.pool(), attachment.item_id).await?;
    if item.meeting_id != meeting.id || !user.actor.can_see(Visibility::of(item.visibility_body_id))
    {
        return Err(AppError::NotFound);
    }
    Ok(attachment)
}

/// RFC 5987 `ext-value` characters that need no escaping.
fn attr_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b)
}

/// `Content-Disposition` for a download: the UTF-8 name for current browsers, an ASCII stand-in
/// for old ones.
fn disposition(name: &str) -> String {
    let encoded: String = name
        .bytes()
        .map(|b| {
            if attr_char(b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

pub(super) async fn download(
    State(state): State<AppState>,
    user: User,
    Path((id, attachment_id)): Path<(MeetingId, i64)>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    let attachment = visible_attachment(&state, &user, &meeting, attachment_id).await?;
    let data = store::attachments::data(&state.store, attachment.id).await?;
    // Only the kinds we accept are served as themselves; anything else stays opaque.
    let content_type = FileKind::from_content_type(&attachment.content_type)
        .map(|k| k.content_type())
        .unwrap_or("application/octet-stream");
    let disposition = HeaderValue::from_str(&disposition(&attachment.filename))
        .map_err(|e| AppError::internal("the content-disposition header", e))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        data,
    )
        .into_response())
}

pub(super) async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path((id, attachment_id)): Path<(MeetingId, i64)>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    let attachment = visible_attachment(&state, &user, &meeting, attachment_id).await?;
    let item = visible_item(
        &state,
        &user,
        &meeting,
        attachment.item_id,
        Capability::ManageMeetings,
    )
    .await?;
    if !changeable(&meeting) {
        return refuse(&state, &ctx, &user, meeting, StatusCode::CONFLICT, CLOSED).await;
    }
    let mut tx = state.store.begin().await?;
    store::attachments::delete(&mut tx, &who(&user), attachment.id).await?;
    store::commit(tx).await?;
    Ok(Redirect::to(&format!(
        "/vergaderingen/{id}?ok=opgeslagen#punt-{}",
        item.id
    ))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_names_are_encoded_for_every_browser() {
        assert_eq!(
            disposition("Begroting 2027.pdf"),
            "attachment; filename=\"Begroting 2027.pdf\"; filename*=UTF-8''Begroting%202027.pdf"
        );
        assert_eq!(
            disposition("één\"x;y.docx"),
            "attachment; filename=\"__n_x;y.docx\"; filename*=UTF-8''%C3%A9%C3%A9n%22x%3By.docx"
        );
        // Whatever the name, the header value is valid.
        assert!(HeaderValue::from_str(&disposition("a\u{7f}\u{202e}b.pdf")).is_ok());
    }
}
