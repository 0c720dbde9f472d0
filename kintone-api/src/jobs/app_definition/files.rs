//! Files a definition keeps by their content (customization scripts, a file icon): upload keys
//! belong to one domain and expire, so a definition that is to be applied elsewhere, later,
//! carries the bytes and uploads them again.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::{Client, Error, FilePart};

/// A file kept in a definition by its content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EmbeddedFile {
    /// The file's name.
    pub name: String,
    /// The file's content type, as kintone gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// The file's bytes.
    pub content: FileContent,
}

/// A file's bytes: as text when they are UTF-8 (scripts and style sheets, readable and
/// diffable in a definition), in base64 otherwise (images). Written as a map of one key,
/// `text` or `base64`, which reads the same in JSON and YAML.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FileContent {
    /// UTF-8 text.
    Text(String),
    /// Any bytes, in standard base64.
    Base64(String),
}

/// The map a [`FileContent`] is written as.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContentMap {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    base64: Option<String>,
}

impl Serialize for FileContent {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let map = match self {
            Self::Text(text) => ContentMap {
                text: Some(text.clone()),
                base64: None,
            },
            Self::Base64(encoded) => ContentMap {
                text: None,
                base64: Some(encoded.clone()),
            },
        };
        map.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for FileContent {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match ContentMap::deserialize(deserializer)? {
            ContentMap {
                text: Some(text),
                base64: None,
            } => Ok(Self::Text(text)),
            ContentMap {
                text: None,
                base64: Some(encoded),
            } => Ok(Self::Base64(encoded)),
            _ => Err(serde::de::Error::custom(
                "a file's content is a map of exactly one of `text` and `base64`",
            )),
        }
    }
}

impl FileContent {
    /// Keeps bytes as text when they are UTF-8, in base64 otherwise.
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        match String::from_utf8(bytes) {
            Ok(text) => Self::Text(text),
            Err(e) => Self::Base64(base64::engine::general_purpose::STANDARD.encode(e.as_bytes())),
        }
    }

    /// The bytes, or why base64 content cannot be decoded.
    pub fn to_bytes(&self) -> Result<Vec<u8>, base64::DecodeError> {
        match self {
            Self::Text(text) => Ok(text.as_bytes().to_vec()),
            Self::Base64(encoded) => base64::engine::general_purpose::STANDARD.decode(encoded),
        }
    }
}

impl EmbeddedFile {
    /// A file from its name and bytes.
    pub fn new(name: impl Into<String>, content: impl Into<Vec<u8>>) -> Self {
        Self {
            name: name.into(),
            content_type: None,
            content: FileContent::from_bytes(content.into()),
        }
    }

    /// Sets the content type sent when the file is uploaded.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }
}

/// Downloads a file the settings name by upload key.
pub(super) async fn download(
    client: &Client,
    file_key: &str,
    name: Option<&str>,
    content_type: Option<&str>,
) -> Result<EmbeddedFile, Error> {
    let download = client
        .files()
        .download_file(file_key)
        .send()
        .await?
        .into_body();
    let content_type = content_type
        .map(str::to_string)
        .or_else(|| download.content_type().map(str::to_string));
    Ok(EmbeddedFile {
        name: name.unwrap_or(file_key).to_string(),
        content_type,
        content: FileContent::from_bytes(download.into_bytes().to_vec()),
    })
}

/// Uploads a kept file, giving the key the settings take. Its content was checked before
/// anything was written, so it decodes.
pub(super) async fn upload(client: &Client, file: &EmbeddedFile) -> Result<String, Error> {
    let bytes = file.content.to_bytes().unwrap_or_default();
    let mut part = FilePart::new(file.name.clone(), bytes);
    if let Some(content_type) = &file.content_type {
        part = part.content_type(content_type.clone());
    }
    let uploaded = client.files().upload_file(part).send().await?;
    Ok(uploaded.into_body().file_key)
}
