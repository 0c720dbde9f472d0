//! What an operation is: the [`Operation`] trait that generated requests implement, the
//! request writers, response decoding, previews, files and operations named at run time.

pub mod dynamic;
pub(crate) mod file;
pub(crate) mod method;
mod writers;

pub use writers::{HeaderWriter, MultipartWriter, QueryWriter};

use serde::de::DeserializeOwned;

pub use crate::answer::RawResponse;
use crate::{Download, Error, LimitError};

pub use crate::runtime::method::Method;

/// The value of [`Operation::SEALED`], which only this crate can name.
#[doc(hidden)]
#[derive(Debug)]
pub struct Seal;

/// Where a request's parameters travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// In the query string (GET and DELETE), or a JSON body when tunnelled through `POST`.
    Query,
    Json,
    Multipart,
}

/// One kintone operation's request, generated from the spec.
///
/// The trait is sealed: the operations are the spec's (each checked against its limits before
/// it is sent), and the types its methods name are the client's own. An operation the spec
/// lacks is sent with [`dynamic`].
pub trait Operation: serde::Serialize + Send + Sync {
    /// Seals the trait: only this crate can name [`Seal`].
    #[doc(hidden)]
    const SEALED: Seal;
    /// What a successful call returns.
    type Response: FromResponse;
    /// The spec's `operationId`.
    const ID: &'static str;
    /// The HTTP method kintone documents for it.
    const METHOD: Method;
    /// The path after `/k/v1/`, such as `records.json`.
    const PATH: &'static str;
    /// Where its parameters travel.
    const BODY: BodyKind;
    /// Whether the operation exists under `/k/guest/{spaceId}/v1/`.
    const GUEST_SPACE: bool;

    /// Checks the documented limits before anything is sent.
    fn validate(&self) -> Result<(), LimitError>;

    /// [`Self::ID`]; a request described at run time ([`dynamic`](crate::dynamic)) answers its
    /// own. The client reads these four through the request, never through the constants.
    #[doc(hidden)]
    fn id(&self) -> &'static str {
        Self::ID
    }

    /// [`Self::METHOD`], or a run-time request's own.
    #[doc(hidden)]
    fn method(&self) -> Method {
        Self::METHOD
    }

    /// [`Self::BODY`], or a run-time request's own.
    #[doc(hidden)]
    fn body_kind(&self) -> BodyKind {
        Self::BODY
    }

    /// [`Self::GUEST_SPACE`], or a run-time request's own.
    #[doc(hidden)]
    fn in_guest_space(&self) -> bool {
        Self::GUEST_SPACE
    }

    /// The path after `/k/v1/` with this request's path parameters in it; [`Self::PATH`] for
    /// the operations that have none.
    fn path(&self) -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed(Self::PATH)
    }

    /// Adds the query-string parameters.
    fn write_query(&self, _query: &mut QueryWriter) {}

    /// Adds the header parameters.
    fn write_headers(&self, _headers: &mut HeaderWriter) {}

    /// Adds the parts of a multipart body.
    fn write_multipart(&self, _form: &mut MultipartWriter) {}

    /// Turns a 200 response into [`Self::Response`]: as its type reads one (JSON for every
    /// answer but a download).
    fn decode(response: RawResponse) -> Result<Self::Response, Error> {
        Self::Response::from_response(response)
    }
}

/// How a successful answer is read: every operation's answer is JSON but a download's, so the
/// generated operations leave [`Operation::decode`] to this.
pub trait FromResponse: Sized {
    /// Reads the answer.
    fn from_response(response: RawResponse) -> Result<Self, Error>;
}

impl<T: DeserializeOwned> FromResponse for T {
    fn from_response(response: RawResponse) -> Result<Self, Error> {
        decode_json(response)
    }
}

impl FromResponse for Download {
    fn from_response(response: RawResponse) -> Result<Self, Error> {
        decode_binary(response)
    }
}

impl FromResponse for RawResponse {
    fn from_response(response: RawResponse) -> Result<Self, Error> {
        Ok(response)
    }
}

/// The part of a generated operation's [`Operation`] impl that only names things: its response
/// type, the spec's id, method, path, body kind and guest-space availability, and, for the
/// path parameters (`path ["wireName" field, …]`), the checks and the expanded path. The
/// `validate` it writes is the one path every request's checks take: the path parameters'
/// values, then the request's own `validate` (`Self::validate` names the inherent one, which
/// comes before the trait's).
macro_rules! operation {
    (@consts $response:ty, $id:literal, $method:ident $path:literal, $body:ident, $guest:literal) => {
        type Response = $response;
        const SEALED: crate::runtime::Seal = crate::runtime::Seal;
        const ID: &'static str = $id;
        const METHOD: crate::runtime::Method = crate::runtime::Method::$method;
        const PATH: &'static str = $path;
        const BODY: crate::runtime::BodyKind = crate::runtime::BodyKind::$body;
        const GUEST_SPACE: bool = $guest;
    };
    ($response:ty, $id:literal, $method:ident $path:literal, $body:ident, guest $guest:literal) => {
        crate::runtime::operation!(@consts $response, $id, $method $path, $body, $guest);

        fn validate(&self) -> Result<(), crate::LimitError> {
            Self::validate(self)
        }
    };
    ($response:ty, $id:literal, $method:ident $path:literal, $body:ident, guest $guest:literal, path [$($wire:literal $field:ident),+]) => {
        crate::runtime::operation!(@consts $response, $id, $method $path, $body, $guest);

        fn validate(&self) -> Result<(), crate::LimitError> {
            $(crate::runtime::check_path_value($wire, &self.$field.to_string())?;)+
            Self::validate(self)
        }

        fn path(&self) -> ::std::borrow::Cow<'static, str> {
            crate::runtime::expand_path(Self::PATH, &[$(($wire, self.$field.to_string())),+])
        }
    };
}

pub(crate) use operation;

/// An operation that a bulk request may carry (record writes).
pub trait BulkOperation: Operation {}

/// An operation on an app's live settings whose twin acts on the preview (pre-deploy) settings:
/// the same request, sent to `preview/{path}`.
pub trait HasPreview: Operation {
    /// The twin's `operationId`.
    const PREVIEW_ID: &'static str;
    /// The twin's path after the API prefix.
    const PREVIEW_PATH: &'static str;
}

/// What a wrapper around a request (`Wrapper(request)`) sends as the request itself: its body,
/// checks, query, headers and parts.
macro_rules! serialize_as_request {
    ($wrapper:ident) => {
        impl<R: serde::Serialize> serde::Serialize for $wrapper<R> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                self.0.serialize(serializer)
            }
        }
    };
}

/// See [`serialize_as_request`]: the [`Operation`] methods such a wrapper forwards.
macro_rules! forward_request {
    () => {
        fn validate(&self) -> Result<(), LimitError> {
            self.0.validate()
        }

        fn write_query(&self, query: &mut QueryWriter) {
            self.0.write_query(query)
        }

        fn write_headers(&self, headers: &mut HeaderWriter) {
            self.0.write_headers(headers)
        }

        fn write_multipart(&self, form: &mut MultipartWriter) {
            self.0.write_multipart(form)
        }
    };
}

/// A request sent to its operation's preview twin: the app's settings before they are deployed.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview<R>(pub R);

serialize_as_request!(Preview);

impl<R: HasPreview> Operation for Preview<R> {
    type Response = R::Response;
    const SEALED: crate::runtime::Seal = crate::runtime::Seal;
    const ID: &'static str = R::PREVIEW_ID;
    const METHOD: Method = R::METHOD;
    const PATH: &'static str = R::PREVIEW_PATH;
    const BODY: BodyKind = R::BODY;
    const GUEST_SPACE: bool = R::GUEST_SPACE;

    forward_request!();

    fn decode(response: RawResponse) -> Result<Self::Response, Error> {
        R::decode(response)
    }
}

/// A request whose successful answer is kept as it came, for readers of their own (the record
/// stream's raw pages).
pub(crate) struct Undecoded<R>(pub R);

serialize_as_request!(Undecoded);

impl<R: Operation> Operation for Undecoded<R> {
    type Response = RawResponse;
    const SEALED: crate::runtime::Seal = crate::runtime::Seal;
    const ID: &'static str = R::ID;
    const METHOD: Method = R::METHOD;
    const PATH: &'static str = R::PATH;
    const BODY: BodyKind = R::BODY;
    const GUEST_SPACE: bool = R::GUEST_SPACE;

    forward_request!();

    fn path(&self) -> std::borrow::Cow<'static, str> {
        self.0.path()
    }

    fn decode(response: RawResponse) -> Result<RawResponse, Error> {
        Ok(response)
    }
}

/// Puts each `(name, value)` into `template` in place of `{name}`. A value keeps its `/` (kintone's
/// API ids are paths, such as `records/get`); every other byte outside the URI's unreserved
/// characters is percent-encoded.
pub fn expand_path(template: &str, values: &[(&str, String)]) -> std::borrow::Cow<'static, str> {
    let mut path = template.to_string();
    for (name, value) in values {
        let encoded: String = value
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                    char::from(b).to_string()
                }
                other => format!("%{other:02X}"),
            })
            .collect();
        path = path.replace(&format!("{{{name}}}"), &encoded);
    }
    std::borrow::Cow::Owned(path)
}

/// Refuses a path parameter value that would change which path is called: an empty value, or
/// one with an empty, `.` or `..` segment (URLs resolve dot segments). `%` is encoded by
/// [`expand_path`], so an encoded dot cannot slip through.
pub fn check_path_value(field: &'static str, value: &str) -> Result<(), LimitError> {
    let bad = value
        .split('/')
        .any(|segment| segment.is_empty() || segment.chars().all(|c| c == '.'));
    if bad {
        Err(LimitError::PathValue {
            field,
            value: value.to_string(),
        })
    } else {
        Ok(())
    }
}

/// Decodes a JSON body.
pub fn decode_json<T: DeserializeOwned>(response: RawResponse) -> Result<T, Error> {
    decode_json_with(response, read_json)
}

/// A JSON body read by serde. JSON is UTF-8: checking the whole body at once lets the reader
/// skip checking each string again, which is a fifth of the time a page of records takes. A body
/// that is not UTF-8 is read as bytes, for the reader's own error.
fn read_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    match crate::wire::utf8(body) {
        Some(text) => serde_json::from_str(text),
        None => serde_json::from_slice(body),
    }
}

/// Reads a JSON answer with `read`: serde's, or a type's own (`x-rust-response-reader`), whose
/// errors are serde's too.
pub(crate) fn decode_json_with<T>(
    response: RawResponse,
    read: fn(&[u8]) -> Result<T, serde_json::Error>,
) -> Result<T, Error> {
    read(&response.body).map_err(|source| Error::Decode {
        operation: response.operation,
        source,
        excerpt: crate::error::excerpt(&response.body),
    })
}

/// Keeps a binary body as it came.
pub fn decode_binary(response: RawResponse) -> Result<Download, Error> {
    Ok(Download::from_response(response.headers, response.body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::call::Call;
    use crate::Client;

    /// A live-settings read with a preview twin (no such operation is in the spec yet, so the
    /// rule is checked on a request written here).
    #[derive(serde::Serialize)]
    struct GetSettings {
        app: u64,
    }

    impl Operation for GetSettings {
        type Response = ();
        const SEALED: crate::runtime::Seal = crate::runtime::Seal;
        const ID: &'static str = "getSettings";
        const METHOD: Method = Method::Get;
        const PATH: &'static str = "app/settings.json";
        const BODY: BodyKind = BodyKind::Query;
        const GUEST_SPACE: bool = true;

        fn validate(&self) -> Result<(), LimitError> {
            Ok(())
        }

        fn write_query(&self, query: &mut QueryWriter) {
            query.push("app", &self.app);
        }

        fn decode(_: RawResponse) -> Result<(), Error> {
            Ok(())
        }
    }

    impl HasPreview for GetSettings {
        const PREVIEW_ID: &'static str = "getSettingsPreview";
        const PREVIEW_PATH: &'static str = "preview/app/settings.json";
    }

    #[test]
    fn a_preview_request_goes_to_the_twin_path_with_the_same_parameters() {
        let client = Client::builder("http://127.0.0.1:9")
            .api_token("T")
            .build()
            .unwrap();
        let call = Call::new(&client, GetSettings { app: 3 }).preview();
        assert_eq!(
            <Preview<GetSettings> as Operation>::ID,
            "getSettingsPreview"
        );
        let plan = crate::client::transport::plan(&client.inner, call.request()).unwrap();
        assert_eq!(plan.uri, "/k/v1/preview/app/settings.json?app=3");
        let guest = Client::builder("http://127.0.0.1:9")
            .api_token("T")
            .guest_space(4)
            .build()
            .unwrap();
        let plan =
            crate::client::transport::plan(&guest.inner, &Preview(GetSettings { app: 3 })).unwrap();
        assert_eq!(plan.uri, "/k/guest/4/v1/preview/app/settings.json?app=3");
    }
}
