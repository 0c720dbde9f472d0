//! Files going up (multipart parts) and coming down (binary bodies, whole or streamed).

use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::Stream;
use http::HeaderMap;
use http_body_util::BodyDataStream;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::{Error, RequestKind, TransportError};

/// A file to upload: its name, content type and contents, held in memory or read from an
/// [`AsyncRead`] chunk by chunk as the upload goes.
#[derive(Clone, PartialEq, Eq)]
pub struct FilePart {
    file_name: String,
    content_type: Option<String>,
    contents: Contents,
}

#[derive(Clone)]
enum Contents {
    Bytes(Bytes),
    /// Read once, by the first request that sends the part.
    Reader {
        len: u64,
        body: Arc<Mutex<Option<reqwest::Body>>>,
    },
}

impl PartialEq for Contents {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Contents::Bytes(a), Contents::Bytes(b)) => a == b,
            // A reader is equal only to itself (a clone of the same part).
            (Contents::Reader { body: a, .. }, Contents::Reader { body: b, .. }) => {
                Arc::ptr_eq(a, b)
            }
            _ => false,
        }
    }
}

impl Eq for Contents {}

/// What [`FilePart::bytes`] gives for a part read from a reader.
static NO_BYTES: Bytes = Bytes::new();

impl FilePart {
    /// A file with the given name and contents.
    pub fn new(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        Self {
            file_name: file_name.into(),
            content_type: None,
            contents: Contents::Bytes(bytes.into()),
        }
    }

    /// A file read from `reader` while it is uploaded, chunk by chunk, never whole. `len` is
    /// its exact size in bytes, sent ahead of it (reading stops there; a reader that ends
    /// sooner breaks the upload). The part can be sent once: a clone sent again fails with a
    /// transport error.
    pub fn from_reader(
        file_name: impl Into<String>,
        reader: impl AsyncRead + Send + 'static,
        len: u64,
    ) -> Self {
        let chunks = tokio_util::io::ReaderStream::new(reader.take(len));
        Self {
            file_name: file_name.into(),
            content_type: None,
            contents: Contents::Reader {
                len,
                body: Arc::new(Mutex::new(Some(reqwest::Body::wrap_stream(chunks)))),
            },
        }
    }

    /// The file at `path`, named by its last component and read as it is uploaded (see
    /// [`from_reader`](Self::from_reader)).
    pub async fn from_path(path: impl AsRef<Path>) -> std::io::Result<Self> {
        let path = path.as_ref();
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path names no file")
            })?;
        let file = tokio::fs::File::open(path).await?;
        let len = file.metadata().await?.len();
        Ok(Self::from_reader(file_name, file, len))
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

    /// The file's contents when they are held in memory ([`new`](Self::new)); empty for a
    /// part read from a reader.
    pub fn bytes(&self) -> &Bytes {
        match &self.contents {
            Contents::Bytes(bytes) => bytes,
            Contents::Reader { .. } => &NO_BYTES,
        }
    }

    /// The file's size in bytes.
    pub fn len(&self) -> u64 {
        match &self.contents {
            Contents::Bytes(bytes) => bytes.len() as u64,
            Contents::Reader { len, .. } => *len,
        }
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
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
        let body = match &self.contents {
            Contents::Bytes(bytes) => reqwest::Body::from(bytes.clone()),
            Contents::Reader { body, .. } => body
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .take()
                .unwrap_or_else(already_sent),
        };
        let part = reqwest::multipart::Part::stream_with_length(body, self.len())
            .file_name(self.file_name.clone());
        match self.effective_content_type() {
            Some(ct) => part.mime_str(ct).map_err(|_| PartError::ContentType),
            None => Ok(part),
        }
    }
}

/// The body of a part whose reader an earlier request took: its first read fails.
fn already_sent() -> reqwest::Body {
    let failure = std::io::Error::other("this file part was read by an earlier upload");
    reqwest::Body::wrap_stream(futures_util::stream::iter([Err::<Bytes, _>(failure)]))
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
            .field("len", &self.len())
            .field(
                "from_reader",
                &matches!(self.contents, Contents::Reader { .. }),
            )
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
/// [`send_stream`](crate::Call::send_stream): a
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

    /// Writes the file to `path` (created, or truncated when it exists) as it arrives; returns
    /// the number of bytes written. A file that cannot be created or written is
    /// [`Error::Write`].
    pub async fn save_to_path(self, path: impl AsRef<Path>) -> Result<u64, Error> {
        let mut file = tokio::fs::File::create(path).await.map_err(Error::Write)?;
        self.copy_to(&mut file).await
    }
}

impl Stream for DownloadStream {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.body).poll_next(cx).map(|chunk| {
            chunk.map(|c| {
                // A download is a read: a body broken mid-way may be fetched again.
                c.map_err(|e| Error::Transport(TransportError::new(e)).answering(RequestKind::Read))
            })
        })
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
