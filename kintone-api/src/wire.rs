//! How kintone's JSON differs from the types users see, as serde helpers the generated code uses.
//!
//! kintone sends ids, revisions and counts as JSON strings; these helpers read a string or a
//! number and write a string. Empty values of dates and numbers arrive as `""` or `null`; both
//! read as `None`.

use std::fmt::Display;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

/// `u64` sent as a JSON string, read from a string or a number.
pub mod numeric_string {
    use super::*;

    pub fn serialize<S: Serializer>(value: &u64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
        deserializer.deserialize_any(NumericVisitor)
    }

    /// The same for `Option<u64>`; `null` and `""` read as `None`.
    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(
            value: &Option<u64>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(v) => serializer.collect_str(v),
                None => serializer.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<u64>, D::Error> {
            deserializer.deserialize_any(OptionalNumericVisitor)
        }
    }
}

struct NumericVisitor;

impl Visitor<'_> for NumericVisitor {
    type Value = u64;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a non-negative integer, as a JSON string or number")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
        v.parse()
            .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

struct OptionalNumericVisitor;

impl<'de> Visitor<'de> for OptionalNumericVisitor {
    type Value = Option<u64>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a non-negative integer as a JSON string or number, or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        NumericVisitor.visit_i64(v).map(Some)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.is_empty() {
            Ok(None)
        } else {
            NumericVisitor.visit_str(v).map(Some)
        }
    }
}

/// `Option<T>` where kintone writes an empty value as `""` or `null`; `None` is sent as `""`,
/// which clears the field.
pub mod empty_as_none {
    use super::*;

    pub fn serialize<T: Display, S: Serializer>(
        value: &Option<T>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => serializer.collect_str(v),
            None => serializer.serialize_str(""),
        }
    }

    pub fn deserialize<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
    where
        T: FromStr,
        T::Err: Display,
        D: Deserializer<'de>,
    {
        match Option::<std::borrow::Cow<'de, str>>::deserialize(deserializer)? {
            None => Ok(None),
            Some(s) if s.is_empty() => Ok(None),
            Some(s) => s.parse().map(Some).map_err(de::Error::custom),
        }
    }
}

/// Writes `{tag_property: tag, ...value's own keys}`: a variant of a union tagged by a property.
pub fn serialize_tagged<T: Serialize, S: Serializer>(
    tag_property: &'static str,
    tag: &'static str,
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let inner = serde_json::to_value(value).map_err(serde::ser::Error::custom)?;
    let serde_json::Value::Object(fields) = inner else {
        return Err(serde::ser::Error::custom(
            "a tagged variant must be a JSON object",
        ));
    };
    let mut map = serializer.serialize_map(Some(fields.len() + 1))?;
    map.serialize_entry(tag_property, tag)?;
    for (k, v) in &fields {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

/// Declares an id type: a `u64` that kintone sends as a JSON string.
///
/// It converts from `u64` alone, so that an integer literal (`get_record(1, 5)`) needs no suffix:
/// with a second integer `From`, the literal's type could not be inferred.
macro_rules! numeric_id {
    ($(#[$meta:meta])* pub struct $name:ident;) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u64);

        impl $name {
            /// The number.
            pub fn get(self) -> u64 {
                self.0
            }
        }

        impl From<u64> for $name {
            fn from(value: u64) -> Self {
                Self(value)
            }
        }

        impl From<$name> for u64 {
            fn from(value: $name) -> u64 {
                value.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                crate::wire::numeric_string::serialize(&self.0, serializer)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                crate::wire::numeric_string::deserialize(deserializer).map(Self)
            }
        }
    };
}

/// Declares a string id type.
macro_rules! string_id {
    ($(#[$meta:meta])* pub struct $name:ident;) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_string())
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

pub(crate) use numeric_id;
pub(crate) use string_id;

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Counted {
        #[serde(with = "super::numeric_string")]
        id: u64,
        #[serde(default, with = "super::numeric_string::option")]
        total: Option<u64>,
    }

    #[test]
    fn numbers_arrive_as_strings_or_numbers_and_leave_as_strings() {
        let a: Counted = serde_json::from_str(r#"{"id":"12","total":null}"#).unwrap();
        let b: Counted = serde_json::from_str(r#"{"id":12,"total":"7"}"#).unwrap();
        assert_eq!(
            a,
            Counted {
                id: 12,
                total: None
            }
        );
        assert_eq!(
            b,
            Counted {
                id: 12,
                total: Some(7)
            }
        );
        assert_eq!(
            serde_json::to_string(&b).unwrap(),
            r#"{"id":"12","total":"7"}"#
        );
        assert!(serde_json::from_str::<Counted>(r#"{"id":"-1"}"#).is_err());
        assert!(serde_json::from_str::<Counted>(r#"{"id":"x"}"#).is_err());
    }
}
