//! Files going up (multipart parts) and coming down (binary bodies, whole or streamed).

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::Stream;
use http::HeaderMap;
use http_body_util::BodyDataStream;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::{Error, TransportError};

/// A file to upload: its name, content type and bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct FilePart {
    file_name: String,
    content_type: Option<String>,
    bytes: Bytes,
}

impl FilePart {
    /// A file with the given name and contents.
    pub fn new(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        Self {
            file_name: file_name.into(),
            content_type: None,
            bytes: bytes.into(),
        }
    }

    /// Sets the content type. Without one, it is guessed from the file name's extension
    /// (`report.pdf` is sent as `application/pdf`), as kintone's JavaScript client does; a name
    /// without a known extension is sent without one, and kintone decides.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The file's name.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The file's contents.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The content type the part is sent with: the one set, or the one the name suggests.
    pub fn effective_content_type(&self) -> Option<&str> {
        self.content_type
            .as_deref()
            .or_else(|| mime_guess::from_path(&self.file_name).first_raw())
    }

    /// The multipart part; a name that would break the part's header (CR or LF) or a content
    /// type that is not a MIME type is refused, so nothing is sent.
    pub(crate) fn to_part(&self) -> Result<reqwest::multipart::Part, PartError> {
        if self.file_name.contains(['\r', '\n']) {
            return Err(PartError::FileName);
        }
        let part = reqwest::multipart::Part::stream_with_length(
            reqwest::Body::from(self.bytes.clone()),
            self.bytes.len() as u64,
        )
        .file_name(self.file_name.clone());
        match self.effective_content_type() {
            Some(ct) => part.mime_str(ct).map_err(|_| PartError::ContentType),
            None => Ok(part),
        }
    }
}

/// Why a file cannot become a multipart part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PartError {
    FileName,
    ContentType,
}

impl std::fmt::Debug for FilePart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FilePart")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// A downloaded file.
#[derive(Clone, PartialEq, Eq)]
pub struct Download {
    content_type: Option<String>,
    bytes: Bytes,
}

impl Download {
    pub(crate) fn from_response(headers: HeaderMap, bytes: Bytes) -> Self {
        Self {
            content_type: content_type(&headers),
            bytes,
        }
    }

    /// The content type kintone gave, if any.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The file's contents.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The file's contents, owned.
    pub fn into_bytes(self) -> Bytes {
        self.bytes
    }
}

fn content_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// A downloaded file arriving chunk by chunk, from
/// [`send_stream`](crate::runtime::Call::send_stream): a
/// [`Stream`] of [`Bytes`] that never holds the file whole.
///
/// ```no_run
/// async fn save(
///     client: &kintone_api::Client,
///     file: &mut (impl tokio::io::AsyncWrite + Unpin),
/// ) -> Result<u64, kintone_api::Error> {
///     let download = client.files().download_file("FILE-KEY").send_stream().await?;
///     download.copy_to(file).await
/// }
/// ```
pub struct DownloadStream {
    content_type: Option<String>,
    content_length: Option<u64>,
    body: BodyDataStream<reqwest::Body>,
}

impl DownloadStream {
    pub(crate) fn new(headers: &HeaderMap, body: reqwest::Body) -> Self {
        let content_length = headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        Self {
            content_type: content_type(headers),
            content_length,
            body: BodyDataStream::new(body),
        }
    }

    /// The content type kintone gave, if any.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The size announced by `Content-Length`, when the body came with one (not when it came
    /// compressed or chunked).
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    /// Writes every chunk to `writer` as it arrives, then flushes it; returns the number of
    /// bytes written. A failure to write is [`Error::Write`].
    pub async fn copy_to<W>(mut self, writer: &mut W) -> Result<u64, Error>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let mut written = 0u64;
        while let Some(chunk) = futures_util::StreamExt::next(&mut self).await {
            let chunk = chunk?;
            writer.write_all(&chunk).await.map_err(Error::Write)?;
            written += chunk.len() as u64;
        }
        writer.flush().await.map_err(Error::Write)?;
        Ok(written)
    }
}

impl Stream for DownloadStream {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.body)
            .poll_next(cx)
            .map(|chunk| chunk.map(|c| c.map_err(|e| Error::Transport(TransportError::new(e)))))
    }
}

impl std::fmt::Debug for DownloadStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadStream")
            .field("content_type", &self.content_type)
            .field("content_length", &self.content_length)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}
