//! How kintone's JSON differs from the types users see, as serde helpers the generated code uses.
//!
//! kintone sends ids, revisions and counts as JSON strings; these helpers read a string or a
//! number and write a string, except where a request body takes an id (`as_number`): there
//! the id goes out as a JSON number, as kintone's documentation writes it. Empty values of dates and numbers arrive as `""` or `null`; both
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

/// A number-like value kintone writes as a JSON string where its own description says number
/// (`x-kintone-number-or-string`): read from a string or a number, through the number's text,
/// so that `String` keeps `"1.5"` and an integer type parses it.
pub mod number_or_string {
    use super::*;

    pub fn deserialize<'de, T, D>(deserializer: D) -> Result<T, D::Error>
    where
        T: FromStr,
        T::Err: Display,
        D: Deserializer<'de>,
    {
        let text = deserializer.deserialize_any(TextVisitor)?;
        text.parse().map_err(de::Error::custom)
    }

    /// The same for an `Option`: `null` reads as `None`.
    pub fn option<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
    where
        T: FromStr,
        T::Err: Display,
        D: Deserializer<'de>,
    {
        match deserializer.deserialize_any(OptionalTextVisitor)? {
            None => Ok(None),
            // An empty string is "not set" to a type without an empty value (an integer).
            Some(text) if text.is_empty() => Ok(text.parse().ok()),
            Some(text) => text.parse().map(Some).map_err(de::Error::custom),
        }
    }

    /// The text of a string or a number; for enums whose values may arrive as either.
    pub fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_any(TextVisitor)
    }

    struct OptionalTextVisitor;

    impl<'de> Visitor<'de> for OptionalTextVisitor {
        type Value = Option<String>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON string or number, or null")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(TextVisitor).map(Some)
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            TextVisitor.visit_u64(v).map(Some)
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            TextVisitor.visit_i64(v).map(Some)
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            TextVisitor.visit_f64(v).map(Some)
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            TextVisitor.visit_str(v).map(Some)
        }
    }

    struct TextVisitor;

    impl Visitor<'_> for TextVisitor {
        type Value = String;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON string or number")
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
            Ok(v.to_string())
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }

        fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
            Ok(v)
        }
    }
}

/// An id type that a request body sends as a JSON number.
pub trait AsJsonNumber {
    fn serialize_number<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error>;
}

impl<T: AsJsonNumber> AsJsonNumber for Vec<T> {
    fn serialize_number<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        struct Number<'a, T>(&'a T);
        impl<T: AsJsonNumber> Serialize for Number<'_, T> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                self.0.serialize_number(serializer)
            }
        }
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for item in self {
            seq.serialize_element(&Number(item))?;
        }
        seq.end()
    }
}

/// Ids in request bodies (the spec's `*Input` schemas): sent as JSON numbers, as kintone's
/// documentation writes them and its official clients send them.
pub mod as_number {
    use super::*;

    pub fn serialize<T: AsJsonNumber, S: Serializer>(
        value: &T,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.serialize_number(serializer)
    }

    /// The same for an `Option`.
    pub mod option {
        use super::*;

        pub fn serialize<T: AsJsonNumber, S: Serializer>(
            value: &Option<T>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(v) => v.serialize_number(serializer),
                None => serializer.serialize_none(),
            }
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
        deserializer.deserialize_option(EmptyAsNone(FromStrVisitor::new()))
    }
}

/// Reads a JSON string into any `FromStr` type, parsing the text where the reader has it
/// (`Cow<str>` would copy it into a `String` first).
pub(crate) struct FromStrVisitor<T>(std::marker::PhantomData<T>);

impl<T> FromStrVisitor<T> {
    pub(crate) fn new() -> Self {
        Self(std::marker::PhantomData)
    }
}

impl<T: FromStr> Visitor<'_> for FromStrVisitor<T>
where
    T::Err: Display,
{
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        v.parse().map_err(E::custom)
    }
}

/// `null` or `""` as `None`, any other string parsed.
struct EmptyAsNone<T>(FromStrVisitor<T>);

impl<'de, T: FromStr> Visitor<'de> for EmptyAsNone<T>
where
    T::Err: Display,
{
    type Value = Option<T>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.is_empty() {
            Ok(None)
        } else {
            self.0.visit_str(v).map(Some)
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

/// A union tagged by a property of its JSON object (`discriminator.propertyName`), read by
/// [`deserialize_tagged`]. The generated code implements it for every union whose tag is on the
/// wire.
pub(crate) trait TaggedUnion: Sized {
    /// The property that names the variant.
    const TAG_PROPERTY: &'static str;

    /// Reads the variant that `tag` names from `body`, or keeps the raw JSON of an unknown tag, a
    /// missing one (`None`) or a value that is not an object.
    fn read_variant<'de, B: VariantBody<'de>>(tag: Option<&str>, body: B)
        -> Result<Self, B::Error>;
}

/// The rest of a tagged object, once its tag is known.
pub(crate) trait VariantBody<'de> {
    type Error: de::Error;

    /// Reads the object's other entries as the variant's struct.
    fn read<V: Deserialize<'de>>(self) -> Result<V, Self::Error>;

    /// The whole value as JSON, tag included.
    fn raw(self) -> Result<serde_json::Value, Self::Error>;
}

/// Reads a [`TaggedUnion`]. kintone writes the tag first, so the object's remaining entries are
/// read straight into the variant's struct, with nothing buffered; only an object whose tag comes
/// after other keys (or is missing) is first read into a `serde_json::Value`, which gives the
/// same result.
pub(crate) fn deserialize_tagged<'de, T: TaggedUnion, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_any(TaggedVisitor(std::marker::PhantomData))
}

struct TaggedVisitor<T>(std::marker::PhantomData<T>);

impl<T: TaggedUnion> TaggedVisitor<T> {
    /// A value that is not an object: an unknown variant, as `serde_json::Value` would read it.
    fn not_an_object<E: de::Error>(value: serde_json::Value) -> Result<T, E> {
        T::read_variant(None, Buffered::<E>::new(value))
    }
}

impl<'de, T: TaggedUnion> Visitor<'de> for TaggedVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "an object tagged by `{}`", T::TAG_PROPERTY)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let first = map.next_key_seed(KeySeed(T::TAG_PROPERTY))?;
        let mut buffered = serde_json::Map::new();
        match first {
            Some(Key::Tag) => match map.next_value::<TagValue<'de>>()? {
                TagValue::Str(tag) => {
                    let body = Streamed {
                        property: T::TAG_PROPERTY,
                        tag: &tag,
                        map,
                    };
                    return T::read_variant(Some(&tag), body);
                }
                TagValue::Other(value) => {
                    buffered.insert(T::TAG_PROPERTY.to_owned(), value);
                }
            },
            Some(Key::Other(key)) => {
                buffered.insert(key, map.next_value()?);
            }
            None => {}
        }
        while let Some((key, value)) = map.next_entry::<String, serde_json::Value>()? {
            buffered.insert(key, value);
        }
        let tag = match buffered.get(T::TAG_PROPERTY) {
            Some(serde_json::Value::String(tag)) => Some(tag.clone()),
            _ => None,
        };
        let body = Buffered::<A::Error>::new(serde_json::Value::Object(buffered));
        T::read_variant(tag.as_deref(), body)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        let value = Deserialize::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Self::not_an_object(value)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<T, E> {
        Self::not_an_object(v.into())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        Self::not_an_object(v.into())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        Self::not_an_object(v.into())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        Self::not_an_object(v.into())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        Self::not_an_object(v.into())
    }

    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        Self::not_an_object(serde_json::Value::Null)
    }
}

/// The first key of a tagged object: the tag property, or another key kept for buffering.
enum Key {
    Tag,
    Other(String),
}

struct KeySeed(&'static str);

impl<'de> de::DeserializeSeed<'de> for KeySeed {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = Key;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(if v == self.0 {
            Key::Tag
        } else {
            Key::Other(v.to_owned())
        })
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Key, E> {
        Ok(if v == self.0 { Key::Tag } else { Key::Other(v) })
    }
}

/// The tag's value: text, borrowed from the input when it can be, or any other JSON, which makes
/// the object an unknown variant.
enum TagValue<'de> {
    Str(std::borrow::Cow<'de, str>),
    Other(serde_json::Value),
}

impl<'de> Deserialize<'de> for TagValue<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TagVisitor;

        impl<'de> Visitor<'de> for TagVisitor {
            type Value = TagValue<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a type tag")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(TagValue::Str(v.into()))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(TagValue::Str(v.to_owned().into()))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(TagValue::Str(v.into()))
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(TagValue::Other(v.into()))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(TagValue::Other(v.into()))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(TagValue::Other(v.into()))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(TagValue::Other(v.into()))
            }

            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(TagValue::Other(serde_json::Value::Null))
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Deserialize::deserialize(de::value::SeqAccessDeserializer::new(seq))
                    .map(TagValue::Other)
            }

            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                Deserialize::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(TagValue::Other)
            }
        }

        deserializer.deserialize_any(TagVisitor)
    }
}

/// The entries after a leading tag, still unread.
struct Streamed<'t, A> {
    property: &'static str,
    tag: &'t str,
    map: A,
}

impl<'de, A: de::MapAccess<'de>> VariantBody<'de> for Streamed<'_, A> {
    type Error = A::Error;

    fn read<V: Deserialize<'de>>(self) -> Result<V, A::Error> {
        V::deserialize(de::value::MapAccessDeserializer::new(self.map))
    }

    fn raw(mut self) -> Result<serde_json::Value, A::Error> {
        let mut object = serde_json::Map::new();
        object.insert(self.property.to_owned(), self.tag.into());
        while let Some((key, value)) = self.map.next_entry::<String, serde_json::Value>()? {
            object.insert(key, value);
        }
        Ok(serde_json::Value::Object(object))
    }
}

/// A whole value already read into JSON.
struct Buffered<E> {
    value: serde_json::Value,
    error: std::marker::PhantomData<E>,
}

impl<E> Buffered<E> {
    fn new(value: serde_json::Value) -> Self {
        Self {
            value,
            error: std::marker::PhantomData,
        }
    }
}

impl<'de, E: de::Error> VariantBody<'de> for Buffered<E> {
    type Error = E;

    fn read<V: Deserialize<'de>>(self) -> Result<V, E> {
        V::deserialize(self.value).map_err(E::custom)
    }

    fn raw(self) -> Result<serde_json::Value, E> {
        Ok(self.value)
    }
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

        impl crate::wire::AsJsonNumber for $name {
            fn serialize_number<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_u64(self.0)
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

/// A generated enum of kintone's strings (`Variant = "WIRE"`): what every one of them shares,
/// written once. A value this version does not know yet is read as `Unknown` and never sent.
macro_rules! string_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($variant:ident = $wire:tt),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize)]
        #[non_exhaustive]
        pub enum $name {
            $(
                #[doc = concat!("`", $wire, "`")]
                #[serde(rename = $wire)]
                $variant,
            )*
            /// A value this version does not know yet; it is read, never sent.
            #[serde(skip_serializing)]
            Unknown,
        }

        // Read from a JSON number as well: kintone writes some closed lists of numbers
        // (`"150"`) as strings where its own description says number.
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = $crate::wire::number_or_string::text(deserializer)?;
                Ok(match text.as_str() {
                    $($wire => Self::$variant,)*
                    _ => Self::Unknown,
                })
            }
        }

        impl $name {
            /// The value as kintone writes it (empty for [`Self::Unknown`]).
            pub fn as_str(&self) -> &'static str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Unknown => "",
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// The setter of a generated struct's optional field, one line in the generated code:
/// `setter!(kind "wireName" rust_name: Type)`, where the kind says what the setter takes: `into`
/// (`impl Into<Type>`), `each` (any iterable of `impl Into<Type>`) or `plain` (`Type` itself,
/// for numbers, so that a literal needs no suffix). With `call` first, the same setter on an
/// operation's call type (`crate::client::handlers::call!`), which sets it on its request.
macro_rules! setter {
    (into $wire:literal $name:ident: $ty:ty) => {
        #[doc = concat!("Sets `", $wire, "`.")]
        pub fn $name(mut self, value: impl Into<$ty>) -> Self {
            self.$name = Some(value.into());
            self
        }
    };
    (each $wire:literal $name:ident: $ty:ty) => {
        #[doc = concat!("Sets `", $wire, "`.")]
        pub fn $name(mut self, value: impl IntoIterator<Item = impl Into<$ty>>) -> Self {
            self.$name = Some(value.into_iter().map(Into::into).collect());
            self
        }
    };
    (plain $wire:literal $name:ident: $ty:ty) => {
        #[doc = concat!("Sets `", $wire, "`.")]
        pub fn $name(mut self, value: $ty) -> Self {
            self.$name = Some(value);
            self
        }
    };
    (call into $wire:literal $name:ident: $ty:ty) => {
        #[doc = concat!("Sets `", $wire, "`.")]
        pub fn $name(self, value: impl Into<$ty>) -> Self {
            Self(self.0.map(|request| request.$name(value)))
        }
    };
    (call each $wire:literal $name:ident: $ty:ty) => {
        #[doc = concat!("Sets `", $wire, "`.")]
        pub fn $name(self, value: impl IntoIterator<Item = impl Into<$ty>>) -> Self {
            Self(self.0.map(|request| request.$name(value)))
        }
    };
    (call plain $wire:literal $name:ident: $ty:ty) => {
        #[doc = concat!("Sets `", $wire, "`.")]
        pub fn $name(self, value: $ty) -> Self {
            Self(self.0.map(|request| request.$name(value)))
        }
    };
}

/// The `validate` of a generated struct without a documented limit, so that every struct has
/// one and a struct holding it can check its fields alike.
macro_rules! no_limits {
    () => {
        /// Checks the documented limits, so that a request that kintone would refuse is never
        /// sent; this type has none of its own.
        pub fn validate(&self) -> Result<(), crate::LimitError> {
            Ok(())
        }
    };
}

/// The `new` of a generated struct: `constructor!(kind required: Type, …; optional, …)` takes
/// the required fields in order, each as its kind says (those of [`setter`]), and leaves the
/// optional ones unset.
macro_rules! constructor {
    ($($kind:ident $name:ident: $ty:ty),*; $($optional:ident),*) => {
        /// Creates the value from its required fields; the others start unset.
        pub fn new($($name: crate::wire::constructor!(@param $kind $ty)),*) -> Self {
            Self {
                $($name: crate::wire::constructor!(@convert $kind $name),)*
                $($optional: None,)*
            }
        }
    };
    (@param into $ty:ty) => { impl Into<$ty> };
    (@param each $ty:ty) => { impl IntoIterator<Item = impl Into<$ty>> };
    (@param plain $ty:ty) => { $ty };
    (@convert into $name:ident) => { $name.into() };
    (@convert each $name:ident) => { $name.into_iter().map(Into::into).collect() };
    (@convert plain $name:ident) => { $name };
}

pub(crate) use constructor;
pub(crate) use no_limits;
pub(crate) use numeric_id;
pub(crate) use setter;
pub(crate) use string_enum;
pub(crate) use string_id;

/// `bytes` as a `str` when they are UTF-8: as `std::str::from_utf8`, checked by SIMD (a page of
/// records is checked whole before it is read).
pub(crate) fn utf8(bytes: &[u8]) -> Option<&str> {
    simdutf8::basic::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use serde_json::json;

    use crate::FieldValue;

    proptest::proptest! {
        /// The SIMD check of a page's UTF-8 accepts exactly what std accepts: any bytes, and
        /// text with bytes changed (cut characters, overlong forms, surrogates, stray bytes).
        #[test]
        fn utf8_is_checked_as_std_checks_it(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
            text in "\\PC{0,80}",
            at in 0usize..400,
            byte in proptest::prelude::any::<u8>(),
        ) {
            proptest::prop_assert_eq!(super::utf8(&bytes), std::str::from_utf8(&bytes).ok());
            let mut changed = text.into_bytes();
            if !changed.is_empty() {
                let at = at % changed.len();
                changed[at] = byte;
            }
            proptest::prop_assert_eq!(super::utf8(&changed), std::str::from_utf8(&changed).ok());
        }
    }

    /// Reads `text` as kintone's bytes are read (borrowing), from a reader (owned strings) and
    /// from a `serde_json::Value`, and checks that all three agree.
    fn read_all_ways(text: &str) -> Result<FieldValue, String> {
        let from_slice = serde_json::from_slice::<FieldValue>(text.as_bytes());
        let from_reader = serde_json::from_reader::<_, FieldValue>(text.as_bytes());
        let from_value =
            serde_json::from_str::<serde_json::Value>(text).and_then(serde_json::from_value);
        let show = |r: serde_json::Result<FieldValue>| r.map_err(|e| e.to_string());
        let (a, b, c) = (show(from_slice), show(from_reader), show(from_value));
        assert_eq!(a.is_ok(), b.is_ok(), "{text}: {a:?} / {b:?}");
        assert_eq!(a.is_ok(), c.is_ok(), "{text}: {a:?} / {c:?}");
        if let (Ok(a), Ok(b), Ok(c)) = (&a, &b, &c) {
            assert_eq!(a, b, "{text}");
            assert_eq!(a, c, "{text}");
        }
        a
    }

    #[test]
    fn a_tagged_value_reads_the_same_whichever_key_comes_first() {
        let pairs = [
            (
                r#"{"type":"NUMBER","value":"1.50"}"#,
                r#"{"value":"1.50","type":"NUMBER"}"#,
            ),
            (
                r#"{"type":"DROP_DOWN","value":null}"#,
                r#"{"value":null,"type":"DROP_DOWN"}"#,
            ),
            (
                r#"{"type":"SUBTABLE","value":[{"id":"7","value":{"Item":{"type":"SINGLE_LINE_TEXT","value":"x"}}}]}"#,
                r#"{"value":[{"value":{"Item":{"value":"x","type":"SINGLE_LINE_TEXT"}},"id":"7"}],"type":"SUBTABLE"}"#,
            ),
            (
                r#"{"type":"USER_SELECT","value":[{"code":"sato","name":"Sato"}],"extra":1}"#,
                r#"{"extra":1,"value":[{"code":"sato","name":"Sato"}],"type":"USER_SELECT"}"#,
            ),
        ];
        for (tag_first, tag_last) in pairs {
            let a = read_all_ways(tag_first).unwrap();
            let b = read_all_ways(tag_last).unwrap();
            assert_eq!(a, b);
            assert!(!matches!(a, FieldValue::Unknown(_)), "{tag_first}");
            // What is read is written back with its tag, and reads the same again.
            let written = serde_json::to_string(&a).unwrap();
            assert_eq!(read_all_ways(&written).unwrap(), a);
        }
        match read_all_ways(r#"{"type":"NUMBER","value":"1.50"}"#).unwrap() {
            FieldValue::Number(n) => assert_eq!(n.value.unwrap().as_str(), "1.50"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_unknown_tag_keeps_its_json_as_it_came() {
        for text in [
            r#"{"type":"NEW_KIND","value":{"a":[1,2]},"extra":true}"#,
            r#"{"value":{"a":[1,2]},"type":"NEW_KIND","extra":true}"#,
        ] {
            let value = read_all_ways(text).unwrap();
            let raw: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(value, FieldValue::Unknown(raw.clone()));
            assert_eq!(value.field_type(), "NEW_KIND");
            assert_eq!(serde_json::to_value(&value).unwrap(), raw);
        }
    }

    #[test]
    fn a_missing_or_odd_tag_keeps_the_json_too() {
        for raw in [
            json!({"value": "x"}),
            json!({}),
            json!({"type": 3, "value": "x"}),
            json!({"value": "x", "type": null}),
            json!({"type": {"nested": true}}),
            json!("text"),
            json!([1, {"type": "NUMBER"}]),
            json!(null),
            json!(1.5),
        ] {
            let value = read_all_ways(&raw.to_string()).unwrap();
            assert_eq!(value, FieldValue::Unknown(raw.clone()), "{raw}");
            assert_eq!(value.field_type(), "");
        }
    }

    #[test]
    fn a_known_tag_with_a_bad_value_is_an_error_in_either_order() {
        for text in [
            r#"{"type":"NUMBER","value":"abc"}"#,
            r#"{"value":"abc","type":"NUMBER"}"#,
            r#"{"type":"CHECK_BOX","value":"not a list"}"#,
            r#"{"type":"SINGLE_LINE_TEXT"}"#,
        ] {
            assert!(read_all_ways(text).is_err(), "{text}");
        }
        // A broken document is an error, not an unknown value.
        assert!(serde_json::from_str::<FieldValue>(r#"{"type":"NUMBER","value":"1""#).is_err());
    }

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
