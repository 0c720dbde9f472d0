//! Several record writes in one transaction, built from the same typed requests as single calls.

use serde::de::DeserializeOwned;

use crate::runtime::{BulkOperation, Operation};
use crate::{
    BulkRequestItem, BulkRequestItemMethod, BulkRequestRequest, BulkRequestResponse, Client, Error,
    LimitError, Response,
};

/// A list of record writes that kintone runs in order, all or nothing.
///
/// Only operations that kintone allows in a bulk request can be added; that is checked by the
/// compiler ([`BulkOperation`]). When one fails, the error's
/// [`bulk_index`](crate::ApiError::bulk_index) says which.
#[derive(Debug, Default)]
pub struct BulkRequest {
    items: Vec<Item>,
}

#[derive(Debug)]
struct Item {
    operation: &'static str,
    method: crate::runtime::Method,
    path: &'static str,
    payload: Result<serde_json::Map<String, serde_json::Value>, serde_json::Error>,
    validation: Result<(), LimitError>,
}

impl BulkRequest {
    /// An empty bulk request.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a write. Its checks run when the bulk request is sent.
    pub fn push<O: BulkOperation>(mut self, request: O) -> Self {
        let payload = match serde_json::to_value(&request) {
            Ok(serde_json::Value::Object(map)) => Ok(map),
            Ok(_) => Err(<serde_json::Error as serde::ser::Error>::custom(
                "the request is not a JSON object",
            )),
            Err(e) => Err(e),
        };
        self.items.push(Item {
            operation: O::ID,
            method: O::METHOD,
            path: O::PATH,
            payload,
            validation: request.validate(),
        });
        self
    }

    /// How many writes it holds.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether it holds no write.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn into_request(self, client: &Client) -> Result<BulkRequestRequest, Error> {
        let mut requests = Vec::with_capacity(self.items.len());
        for item in self.items {
            item.validation?;
            let payload = item.payload.map_err(|source| Error::Serialize {
                operation: item.operation,
                source,
            })?;
            let method = match item.method {
                crate::runtime::Method::Post => BulkRequestItemMethod::Post,
                crate::runtime::Method::Put => BulkRequestItemMethod::Put,
                crate::runtime::Method::Delete => BulkRequestItemMethod::Delete,
                crate::runtime::Method::Get => {
                    return Err(Error::NotABulkWrite {
                        operation: item.operation,
                    })
                }
            };
            requests.push(BulkRequestItem::new(
                method,
                client.api_path(item.path),
                payload,
            ));
        }
        Ok(BulkRequestRequest::new(requests))
    }
}

impl BulkRequestResponse {
    /// The response of the request at `index`, decoded as that operation's response.
    pub fn result<T: DeserializeOwned>(&self, index: usize) -> Result<T, Error> {
        let value = self.results.get(index).ok_or(Error::NoSuchBulkResult {
            index,
            len: self.results.len(),
        })?;
        serde_json::from_value(serde_json::Value::Object(value.clone())).map_err(|source| {
            Error::Decode {
                operation: "bulkRequest",
                source,
                excerpt: serde_json::Value::Object(value.clone()).to_string(),
            }
        })
    }

    /// The typed response of the request at `index`, for the operation `O` that was pushed there.
    pub fn result_of<O: Operation>(&self, index: usize) -> Result<O::Response, Error>
    where
        O::Response: DeserializeOwned,
    {
        self.result(index)
    }
}

impl Client {
    /// Sends a [`BulkRequest`]: every write's checks and the 20-request limit run first.
    pub async fn send_bulk(
        &self,
        bulk: BulkRequest,
    ) -> Result<Response<BulkRequestResponse>, Error> {
        let request = bulk.into_request(self)?;
        self.send(request).await
    }
}
