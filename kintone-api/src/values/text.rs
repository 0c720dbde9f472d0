//! The text of a record's text field, kept compact.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

use smol_str::SmolStr;

/// The value of a text field of a record (single- and multi-line text, rich text, link, radio
/// button, drop-down, record number, calculated, status), and the code and name of an
/// [`Entity`](crate::Entity): an immutable string that reads as a `&str`.
///
/// Text of up to 23 bytes (most values of these fields) is held inline with no allocation, and
/// longer text in one shared allocation, so that clones are cheap: clients read records by the
/// hundred thousand. It compares with `&str` and `String`, dereferences to `str`, and converts
/// to and from `String`:
///
/// ```
/// # use kintone_api::{FieldValue, Text};
/// # use kintone_api::types::SingleLineTextField;
/// let value = FieldValue::SingleLineText(SingleLineTextField::new("Hello"));
/// if let FieldValue::SingleLineText(title) = &value {
///     assert_eq!(title.value, "Hello");
///     assert!(title.value.starts_with("He"));
///     let owned: String = title.value.to_string();
///     assert_eq!(Text::from(owned), title.value);
/// }
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text(SmolStr);

impl Text {
    /// The text.
    pub fn new(text: impl AsRef<str>) -> Self {
        Self(SmolStr::new(text))
    }

    /// The text as a `&str`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Text {
    /// As a `String` is shown: quoted and escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Self(SmolStr::new(text))
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        Self(SmolStr::from(text))
    }
}

impl From<&String> for Text {
    fn from(text: &String) -> Self {
        Self(SmolStr::new(text))
    }
}

impl From<Text> for String {
    fn from(text: Text) -> Self {
        text.0.into()
    }
}

impl FromStr for Text {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::from(s))
    }
}

macro_rules! equal_to {
    ($($other:ty),*) => {$(
        impl PartialEq<$other> for Text {
            fn eq(&self, other: &$other) -> bool {
                self.as_str() == AsRef::<str>::as_ref(other)
            }
        }

        impl PartialEq<Text> for $other {
            fn eq(&self, other: &Text) -> bool {
                AsRef::<str>::as_ref(self) == other.as_str()
            }
        }
    )*};
}

equal_to!(str, &str, String);

impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;

        impl serde::de::Visitor<'_> for TextVisitor {
            type Value = Text;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text::from(v))
            }

            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Text, E> {
                Ok(Text::from(v))
            }
        }

        deserializer.deserialize_str(TextVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::Text;

    #[test]
    fn text_reads_compares_and_converts_as_a_string_does() {
        for s in [
            "",
            "short",
            "a text longer than twenty-three bytes, held apart",
        ] {
            let text = Text::from(s);
            assert_eq!(text, s);
            assert_eq!(s, text);
            assert_eq!(text, s.to_string());
            assert_eq!(&*text, s);
            assert_eq!(text.as_str(), s);
            assert_eq!(text.len(), s.len());
            assert_eq!(format!("{text:?}"), format!("{s:?}"));
            assert_eq!(text.to_string(), s);
            assert_eq!(String::from(text.clone()), s);
            assert_eq!(Text::from(s.to_string()), text);
            let json = serde_json::to_string(&text).unwrap();
            assert_eq!(json, serde_json::to_string(s).unwrap());
            assert_eq!(serde_json::from_str::<Text>(&json).unwrap(), text);
        }
        // Escaped text is read into an owned string by serde_json: the same text.
        assert_eq!(serde_json::from_str::<Text>(r#""a\nb""#).unwrap(), "a\nb");
        assert!(serde_json::from_str::<Text>("1").is_err());
    }
}
