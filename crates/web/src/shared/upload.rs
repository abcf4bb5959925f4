//! Reading a multipart upload with one file and some text fields, stopping as soon as the file
//! exceeds its limit: the production import and the master data's norm-time import share it.

use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use axum::http::StatusCode;

/// A multipart form with one file (`bestand`) and some text fields.
pub struct Upload {
    pub fields: Vec<(String, String)>,
    pub file_name: String,
    pub data: Vec<u8>,
}

impl Upload {
    pub fn field(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }
}

/// Reads the whole form, stopping as soon as the file exceeds `max` bytes (then the error is
/// `too_large`). The error is the Dutch message for the `bestand` field.
pub async fn read_upload(
    multipart: Result<Multipart, MultipartRejection>,
    max: usize,
    too_large: &'static str,
) -> Result<Upload, &'static str> {
    read_upload_form(multipart, max, too_large)
        .await
        .map_err(|e| e.1)
}

/// Like [`read_upload`], but a failure keeps the text fields read before it (those before the
/// file in the form), so that the form can show them again.
pub async fn read_upload_form(
    multipart: Result<Multipart, MultipartRejection>,
    max: usize,
    too_large: &'static str,
) -> Result<Upload, (Vec<(String, String)>, &'static str)> {
    let mut upload = Upload {
        fields: Vec::new(),
        file_name: String::new(),
        data: Vec::new(),
    };
    match read_parts(multipart, max, too_large, &mut upload).await {
        Ok(()) => Ok(upload),
        Err(message) => Err((upload.fields, message)),
    }
}

async fn read_parts(
    multipart: Result<Multipart, MultipartRejection>,
    max: usize,
    too_large: &'static str,
    upload: &mut Upload,
) -> Result<(), &'static str> {
    const UNREADABLE: &str = "Het formulier kon niet worden gelezen. Kies het bestand opnieuw.";
    let mut multipart = multipart.map_err(|_| UNREADABLE)?;
    let mut has_file = false;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large),
            Err(_) => return Err(UNREADABLE),
        };
        let mut field = field;
        let name = field.name().unwrap_or_default().to_string();
        if name == "bestand" {
            upload.file_name = domain::text::line(field.file_name().unwrap_or_default());
            has_file = true;
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        if upload.data.len() + chunk.len() > max {
                            return Err(too_large);
                        }
                        upload.data.extend_from_slice(&chunk);
                    }
                    Ok(None) => break,
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        return Err(too_large);
                    }
                    Err(_) => return Err(UNREADABLE),
                }
            }
        } else {
            let value = field.text().await.map_err(|_| UNREADABLE)?;
            upload
                .fields
                .push((name, domain::text::clean(&value).into_owned()));
        }
    }
    if !has_file || (upload.file_name.is_empty() && upload.data.is_empty()) {
        return Err("Kies een bestand.");
    }
    if upload.data.is_empty() {
        return Err("Het bestand is leeg.");
    }
    Ok(())
}
