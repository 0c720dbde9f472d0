//! What the emitted `validate` methods check, read from the model once for every emitter: which
//! types have a `validate` of their own, and which id types refuse 0.

use std::collections::BTreeSet;

use crate::model::{Api, TypeDef};

/// Names of the types that have a `validate` method.
pub fn struct_names(api: &Api) -> BTreeSet<String> {
    api.types
        .iter()
        .filter_map(|t| match t {
            TypeDef::Struct(s) => Some(s.name.clone()),
            _ => None,
        })
        .collect()
}

/// The id types whose values are checked against 0 before sending.
#[derive(Debug, Default)]
pub struct IdChecks {
    /// Id types whose pattern refuses 0 (`get()` is a `u64`).
    pub nonzero: BTreeSet<String>,
    /// Id types with a negative sentinel (`get()` is an `i64`): 0 is refused, the sentinel is not.
    pub sentinel: BTreeSet<String>,
}

/// The id types whose pattern refuses 0.
pub fn nonzero_ids(api: &Api) -> IdChecks {
    let mut checks = IdChecks::default();
    for t in &api.types {
        match t {
            TypeDef::NumericId {
                name,
                nonzero: true,
                ..
            } => {
                checks.nonzero.insert(name.clone());
            }
            TypeDef::SentinelId { name, .. } => {
                checks.sentinel.insert(name.clone());
            }
            _ => {}
        }
    }
    checks
}
