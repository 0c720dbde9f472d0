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
/// the kinds of `crate::wire::constructor!`) and returns the [`Call`] to set the others on.
macro_rules! entry {
    ($(#[$meta:meta])* $fn:ident($($kind:ident $name:ident: $ty:ty),*) -> $request:ident) => {
        $(#[$meta])*
        pub fn $fn(&self, $($name: crate::wire::constructor!(@param $kind $ty)),*) -> crate::client::call::Call<'c, $request, C> {
            crate::client::call::Call::new(self.client, $request::new($($name),*))
        }
    };
}

pub(crate) use entry;
