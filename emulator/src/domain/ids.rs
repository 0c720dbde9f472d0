//! kintone's ids as its JSON gives them: numbers, or strings of digits.

use serde_json::Value;

/// An id kintone takes as a JSON string or number.
pub fn as_id(v: &Value) -> Option<u64> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}
