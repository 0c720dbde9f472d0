//! The spec's operations, as the `api` command needs them: the table
//! `generated/operations.rs`, which the code generator writes from the spec
//! (`cargo xtask regenerate`), so that nothing reads the spec when the command line runs.

use kintone_api::dynamic::{DynamicOperation, DynamicParam, Method, ParamLocation};

pub use crate::generated::operations::OPERATIONS;

/// What a parameter holds, as a flag reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    Text,
    Integer,
    /// No parameter of the spec is a plain number today; the generator has the kind for when
    /// one is.
    #[allow(dead_code)]
    Number,
    Bool,
    /// A file to upload, named by its path.
    File,
    /// Any JSON (objects, and values of types of their own).
    Json,
}

#[derive(Debug, Clone)]
pub struct ParamInfo {
    /// The name kintone reads.
    pub name: &'static str,
    pub location: ParamLocation,
    pub kind: ParamKind,
    /// An array of `kind`.
    pub list: bool,
    pub required: bool,
    pub doc: &'static str,
    pub min_items: Option<usize>,
    pub max_items: Option<usize>,
    pub max_length: Option<usize>,
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct OperationInfo {
    pub id: &'static str,
    pub summary: &'static str,
    pub description: Option<&'static str>,
    /// The family of operations it belongs to (the spec's tag).
    pub tag: &'static str,
    pub method: Method,
    pub path: &'static str,
    pub guest_space: bool,
    /// The request has a body (JSON or multipart); its parameters travel in the URL otherwise.
    pub has_body: bool,
    /// The answer is a file.
    pub download: bool,
    pub deprecated: bool,
    /// kintone answers it without authentication.
    pub anonymous: bool,
    pub params: &'static [ParamInfo],
}

impl OperationInfo {
    /// The operation as the client sends it.
    pub fn dynamic(&self) -> DynamicOperation {
        let mut operation =
            DynamicOperation::new(self.id, self.method, self.path).guest_space(self.guest_space);
        for param in self.params {
            let mut dynamic = DynamicParam::new(param.name, param.location);
            dynamic.min_items = param.min_items;
            dynamic.max_items = param.max_items;
            dynamic.max_length = param.max_length;
            dynamic.minimum = param.minimum;
            dynamic.maximum = param.maximum;
            operation = operation.param(dynamic);
        }
        operation
    }
}

/// Every operation of the spec, in the spec's order.
pub fn operations() -> &'static [OperationInfo] {
    OPERATIONS
}
