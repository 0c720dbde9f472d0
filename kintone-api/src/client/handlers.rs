//! The macros that generated code uses to hang each operation on its group's handler
//! (`client.records().get_records(…)`), for both client flavours.

/// A group's handler (`client.records()`, …): the type, its `Clone` and `Copy`, and its
/// accessor on both clients, the same for every group but for the names and docs.
macro_rules! handler {
    ($(#[$meta:meta])* $handler:ident, $accessor:ident, $(#[$accessor_meta:meta])*) => {
        $(#[$meta])*
        ///
        /// `C` is the client's flavour: [`Client`](crate::Client), or, with the `blocking`
        /// feature, `blocking::Client`.
        #[derive(Debug)]
        pub struct $handler<'c, C = crate::Client> {
            client: &'c C,
        }

        impl<C> Clone for $handler<'_, C> {
            fn clone(&self) -> Self {
                *self
            }
        }

        impl<C> Copy for $handler<'_, C> {}

        impl crate::Client {
            $(#[$accessor_meta])*
            pub fn $accessor(&self) -> $handler<'_> {
                $handler { client: self }
            }
        }

        #[cfg(feature = "blocking")]
        impl crate::client::blocking::Client {
            $(#[$accessor_meta])*
            pub fn $accessor(&self) -> $handler<'_, crate::client::blocking::Client> {
                $handler { client: self }
            }
        }
    };
}

pub(crate) use handler;

/// An operation's entry point on its group's handler: takes the request's required fields (by
/// the kinds of `crate::wire::constructor!`) and returns the operation's call (see [`call!`]) to
/// set the others on.
macro_rules! entry {
    ($(#[$meta:meta])* $fn:ident($($kind:ident $name:ident: $ty:ty),*) -> $call:ident) => {
        $(#[$meta])*
        pub fn $fn(&self, $($name: crate::wire::constructor!(@param $kind $ty)),*) -> $call<'c, C> {
            let request = <<$call<'c, C> as crate::client::handlers::OperationCall>::Request>::new($($name),*);
            $call(crate::client::call::Call::new(self.client, request))
        }
    };
}

pub(crate) use entry;

/// Ties an operation's call type to its request, so that the handler's entry point builds the
/// request it sends.
#[doc(hidden)]
pub trait OperationCall {
    /// The request the call sends.
    type Request: crate::runtime::Operation;
}

/// An operation's call type and its request's setters: `call!(Call for Request, flags…; kind
/// "wire" name: Type, …)`, one optional field of the request after another (by the kinds of
/// `crate::wire::setter!`), written both on the request and on the call.
///
/// Each operation has a type of its own (as `GetRecordsCall` for Get Records), so that rustdoc
/// gives each operation's setters a page of their own; what every call does (send, the request
/// as it stands) is the generic [`Call`]'s, which the type wraps. The flags: `bulk` (the request
/// may be part of a bulk request), `download` (the answer is a file, which `send_stream` reads
/// chunk by chunk) and `preview "id" "path"` (its preview twin, see [`HasPreview`]).
macro_rules! call {
    ($call:ident for $request:ident $(, $flag:ident $($arg:literal)*)*; $($kind:ident $wire:literal $name:ident: $ty:ty),* $(,)?) => {
        #[doc = concat!(
            "[`", stringify!($request), "`] bound to a client, as its group's handler returns \
             it: set the optional parameters, then `send` it.\n\n`C` is the client's flavour: \
             [`Client`](crate::Client) (async `send`), or, with the `blocking` feature, \
             `blocking::Client` (a `send` that returns the result directly)."
        )]
        #[derive(Debug)]
        #[must_use = "a call does nothing until it is sent"]
        pub struct $call<'c, C = crate::Client>(pub(crate) crate::client::call::Call<'c, $request, C>);

        impl<C> crate::client::handlers::OperationCall for $call<'_, C> {
            type Request = $request;
        }

        impl<'c, C> From<$call<'c, C>> for crate::client::call::Call<'c, $request, C> {
            fn from(call: $call<'c, C>) -> Self {
                call.0
            }
        }

        impl<'c, C> $call<'c, C> {
            /// The request as it stands.
            pub fn request(&self) -> &$request {
                self.0.request()
            }

            /// The request, to send later or to put in a bulk request.
            pub fn into_request(self) -> $request {
                self.0.into_request()
            }

            $(crate::wire::setter!(call $kind $wire $name: $ty);)*
        }

        impl $call<'_> {
            /// Checks the request and sends it.
            pub async fn send(
                self,
            ) -> Result<crate::Response<<$request as crate::runtime::Operation>::Response>, crate::Error> {
                self.0.send().await
            }
        }

        #[cfg(feature = "blocking")]
        impl $call<'_, crate::blocking::Client> {
            /// Checks the request, sends it and waits for the answer.
            ///
            /// # Panics
            ///
            /// Inside an async runtime.
            pub fn send(
                self,
            ) -> Result<crate::Response<<$request as crate::runtime::Operation>::Response>, crate::Error> {
                self.0.send()
            }
        }

        impl $request {
            $(crate::wire::setter!($kind $wire $name: $ty);)*
        }

        $(crate::client::handlers::call!(@flag $flag $call $request $($arg)*);)*
    };
    (@flag bulk $call:ident $request:ident) => {
        impl crate::runtime::BulkOperation for $request {}
    };
    (@flag download $call:ident $request:ident) => {
        impl $call<'_> {
            /// Checks the request, sends it, and returns the file as a stream of chunks rather
            /// than whole: see [`Client::send_stream`](crate::Client::send_stream).
            pub async fn send_stream(self) -> Result<crate::DownloadStream, crate::Error> {
                self.0.send_stream().await
            }
        }
    };
    (@flag preview $call:ident $request:ident $id:literal $path:literal) => {
        impl crate::runtime::HasPreview for $request {
            const PREVIEW_ID: &'static str = $id;
            const PREVIEW_PATH: &'static str = $path;
        }

        impl<'c, C> $call<'c, C> {
            /// Sends the same request to the preview twin: the app's settings before they are
            /// deployed.
            pub fn preview(self) -> crate::client::call::Call<'c, crate::runtime::Preview<$request>, C> {
                self.0.preview()
            }
        }
    };
}

pub(crate) use call;

#[cfg(test)]
mod tests {
    use crate::client::call::Call;
    use crate::runtime::Preview;
    use crate::Client;

    /// Each operation's setters are on a type of its own (so rustdoc gives them a page of their
    /// own), and they set the request the call sends.
    #[test]
    fn each_operation_has_a_call_type_with_its_setters() {
        let client = Client::builder("http://127.0.0.1:9")
            .api_token("T")
            .build()
            .unwrap();
        let call: crate::GetRecordsCall<'_> = client
            .records()
            .get_records(1)
            .query("Amount > 1")
            .fields(["Title"])
            .total_count(true);
        assert_eq!(call.request().query.as_deref(), Some("Amount > 1"));
        assert_eq!(call.request().fields, Some(vec!["Title".to_string()]));
        let generic: Call<'_, crate::GetRecordsRequest> = call.into();
        let plan = crate::client::transport::plan(&client.inner, generic.request()).unwrap();
        assert!(
            plan.uri.starts_with("/k/v1/records.json?app=1"),
            "{}",
            plan.uri
        );
        let preview: Call<'_, Preview<crate::GetFormFieldsRequest>> = client
            .form()
            .get_form_fields(3)
            .accept_language("en")
            .preview();
        assert_eq!(preview.request().0.accept_language.as_deref(), Some("en"));
    }
}
