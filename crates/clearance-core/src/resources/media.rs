//! Live photos (selfies) and live videos, and the file shapes uploads and downloads share.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{CoreError, Result};
use crate::fields::{MAX_TEXT, Reader};

/// A selfie of the client.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LivePhoto {
    pub client_id: String,
    pub perform_liveness_check: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download_link: Option<String>,
    /// `images/jpg` or `images/png`, as ComplyCube spells it on this object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redacted: Option<bool>,
}

/// A live video of the client.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LiveVideo {
    pub client_id: String,
    pub language: String,
    pub challenges: Vec<Challenge>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redacted: Option<bool>,
}

/// A challenge the client performed on video.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Challenge {
    /// `voice` or `actions`.
    #[serde(rename = "type")]
    pub kind: String,
    pub value: Vec<String>,
}

impl LivePhoto {
    /// The record left after redaction: the file's fields gone, `redacted: true`.
    pub fn redacted(self) -> Self {
        LivePhoto {
            download_link: None,
            content_type: None,
            size: None,
            redacted: Some(true),
            ..self
        }
    }
}

impl LiveVideo {
    /// The record left after redaction: no frames, `redacted: true`.
    pub fn redacted(self) -> Self {
        LiveVideo {
            frame_count: None,
            redacted: Some(true),
            ..self
        }
    }
}

/// Body of `POST /v1/livePhotos`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LivePhotoUpload {
    pub client_id: String,
    /// Base64 JPG or PNG, 34 KB to 4 MB once decoded.
    pub data: String,
    pub perform_liveness_check: Option<bool>,
}

/// Body of `POST /v1/liveVideos` (used by capture flows).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LiveVideoCreate {
    pub client_id: String,
    pub language: Option<String>,
    /// Up to 12 base64 JPG or PNG frames.
    pub frames: Option<Vec<String>>,
}

/// Most frames a live video upload may carry.
pub const MAX_FRAMES: usize = 12;

impl LivePhotoUpload {
    /// Reads an upload request; `data` is checked as a file later.
    pub fn read(input: &Map<String, Value>) -> Result<Self> {
        let r = Reader::new(input);
        Ok(LivePhotoUpload {
            client_id: r.req_str("clientId", 64)?,
            perform_liveness_check: r.opt_bool("performLivenessCheck")?,
            data: String::new(),
        })
    }
}

impl LiveVideoCreate {
    /// Reads a create request: the language tag (default `en-GB`) and at most
    /// [`MAX_FRAMES`] frames, each checked as a file later.
    pub fn read(input: &Map<String, Value>) -> Result<Self> {
        let r = Reader::new(input);
        let client_id = r.req_str("clientId", 64)?;
        let language = r.opt_str("language", 16)?.unwrap_or_else(|| "en-GB".into());
        if !language
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(CoreError::invalid(
                "language",
                "'language' must be a language tag such as en-GB",
            ));
        }
        let bad = || {
            CoreError::invalid(
                "frames",
                format!(
                    "'frames' must be an array of at most {MAX_FRAMES} base64 JPG or PNG images"
                ),
            )
        };
        let frames = match r.raw("frames") {
            None => None,
            // Each frame is read as an upload's `data`, and refused with its words.
            Some(Value::Array(list)) if list.len() <= MAX_FRAMES => Some(
                list.iter()
                    .map(|f| match f {
                        Value::String(s) => Ok(s.clone()),
                        Value::Null => Err(CoreError::invalid("frames", "'data' must be provided")),
                        _ => Err(CoreError::invalid("frames", "'data' must be a string")),
                    })
                    .collect::<Result<Vec<_>>>()?,
            ),
            Some(_) => return Err(bad()),
        };
        Ok(LiveVideoCreate {
            client_id,
            language: Some(language),
            frames,
        })
    }
}

/// Body of an image upload: the file as base64 (34 KB to 4 MB once decoded).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ImageUpload {
    /// Ends in `.jpg`, `.jpeg`, `.png` or `.pdf`.
    pub file_name: String,
    /// Base64 of the file.
    pub data: String,
}

/// A downloaded file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FileDownload {
    pub file_name: String,
    pub content_type: String,
    /// Base64 of the file.
    pub data: String,
}

/// Reads the `fileName` of an upload: required, and named like a JPG, PNG or PDF file.
pub fn check_file_name(input: &Map<String, Value>) -> Result<String> {
    let name = Reader::new(input).req_str("fileName", MAX_TEXT)?;
    let lower = name.to_ascii_lowercase();
    if [".jpg", ".jpeg", ".png", ".pdf"]
        .iter()
        .any(|ext| lower.ends_with(ext))
        && !name.contains(['/', '\\'])
    {
        Ok(name)
    } else {
        Err(CoreError::invalid(
            "fileName",
            "'fileName' must be a file name ending in .jpg, .jpeg, .png or .pdf",
        ))
    }
}
