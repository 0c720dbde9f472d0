//! The text of a record's text field, kept compact.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::str::FromStr;
use std::sync::Arc;

/// The value of a text field of a record (single- and multi-line text, rich text, link, radio
/// button, drop-down, record number, calculated, status), an option chosen in a check box or
/// multi-select, the code and name of an [`Entity`](crate::Entity), and an attached file's
/// content type, key and name: an immutable string that reads as a `&str`.
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
#[derive(Clone)]
pub struct Text(Repr);

/// Why not a small-string crate: a page's strings are copied here by a fixed-width copy of the
/// page's bytes (see [`Text::from_page`]), which a crate's constructors, copying exactly the
/// string's bytes, do not allow; that variable-length copy stalled every later move of the
/// value, and made up a tenth of decoding a page.
#[derive(Clone)]
enum Repr {
    Inline(Inline),
    Shared(Arc<str>),
}

/// Up to [`INLINE`] bytes of text, then bytes of no meaning.
#[derive(Clone, Copy)]
#[repr(C)]
struct Inline {
    // Invariant: `bytes[..len]` is UTF-8.
    bytes: [u8; INLINE],
    // Last, so that its unused values hold the other variant's tag and a `Text` (and an
    // `Option<Text>`) takes 24 bytes.
    len: InlineLen,
}

/// The longest text held inline.
const INLINE: usize = 23;

/// A length of inline text: `0..=INLINE`, as the type's values.
#[derive(Clone, Copy)]
#[repr(u8)]
#[rustfmt::skip]
enum InlineLen {
    L0, L1, L2, L3, L4, L5, L6, L7, L8, L9, L10, L11, L12, L13, L14, L15, L16, L17, L18, L19,
    L20, L21, L22, L23,
}

impl InlineLen {
    #[inline]
    fn new(len: usize) -> Option<InlineLen> {
        use InlineLen::*;
        const ALL: [InlineLen; INLINE + 1] = [
            L0, L1, L2, L3, L4, L5, L6, L7, L8, L9, L10, L11, L12, L13, L14, L15, L16, L17, L18,
            L19, L20, L21, L22, L23,
        ];
        ALL.get(len).copied()
    }
}

impl Inline {
    fn as_str(&self) -> &str {
        let text = &self.bytes[..self.len as usize];
        // SAFETY: `bytes[..len]` is UTF-8, as every constructor copies it from a `str` of that
        // length (the invariant of the type).
        unsafe { std::str::from_utf8_unchecked(text) }
    }
}

impl Text {
    /// The text.
    pub fn new(text: impl AsRef<str>) -> Self {
        Self::from(text.as_ref())
    }

    /// The text as a `&str`.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline(inline) => inline.as_str(),
            Repr::Shared(shared) => shared,
        }
    }

    /// The text of `page` at `range`, copied with the bytes after it when the page has enough
    /// of them, in one fixed-width copy.
    ///
    /// # Panics
    ///
    /// When `range` is not a `str` of `page` (out of it, or not on a character's boundaries).
    #[inline]
    pub(crate) fn from_page(page: &str, range: std::ops::Range<usize>) -> Self {
        let text = &page[range.clone()];
        match (
            InlineLen::new(text.len()),
            page.as_bytes().get(range.start..range.start + INLINE),
        ) {
            (Some(len), Some(window)) => {
                let mut bytes = [0; INLINE];
                bytes.copy_from_slice(window);
                // `bytes[..len]` is `text`: UTF-8.
                Self(Repr::Inline(Inline { bytes, len }))
            }
            _ => Self::from(text),
        }
    }
}

impl Default for Text {
    fn default() -> Self {
        Self::from("")
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for Text {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
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
        f.write_str(self.as_str())
    }
}

impl From<&str> for Text {
    #[inline]
    fn from(text: &str) -> Self {
        match InlineLen::new(text.len()) {
            Some(len) => {
                let mut bytes = [0; INLINE];
                bytes[..text.len()].copy_from_slice(text.as_bytes());
                Self(Repr::Inline(Inline { bytes, len }))
            }
            None => Self(Repr::Shared(Arc::from(text))),
        }
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        if text.len() <= INLINE {
            Self::from(text.as_str())
        } else {
            Self(Repr::Shared(Arc::from(text)))
        }
    }
}

impl From<&String> for Text {
    fn from(text: &String) -> Self {
        Self::from(text.as_str())
    }
}

impl From<Text> for String {
    fn from(text: Text) -> Self {
        text.as_str().to_owned()
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
        serializer.serialize_str(self.as_str())
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
    use std::collections::hash_map::DefaultHasher;
    use std::hash::{Hash, Hasher};

    use proptest::prelude::*;

    use super::Text;

    /// Records hold texts by the million: a text, set or not, takes three words.
    #[test]
    fn a_text_takes_three_words_and_so_does_an_optional_one() {
        assert_eq!(std::mem::size_of::<Text>(), 24);
        assert_eq!(std::mem::size_of::<Option<Text>>(), 24);
    }

    fn hash(value: &impl Hash) -> u64 {
        let mut hasher = DefaultHasher::new();
        value.hash(&mut hasher);
        hasher.finish()
    }

    proptest! {
        /// Any text, short or long, made from a `str` or from a page's bytes around it, reads,
        /// compares, orders and hashes as the `String` of it does.
        #[test]
        fn text_behaves_as_its_string(
            before in ".{0,3}",
            a in ".{0,30}",
            b in ".{0,30}",
            after in ".{0,30}",
        ) {
            let page = format!("{before}{a}{after}");
            let texts = [
                Text::from(a.as_str()),
                Text::from(a.clone()),
                Text::new(&a),
                Text::from_page(&page, before.len()..before.len() + a.len()),
            ];
            let other = Text::from(b.as_str());
            for text in &texts {
                prop_assert_eq!(text.as_str(), a.as_str());
                prop_assert_eq!(text, &texts[0]);
                prop_assert_eq!(text.cmp(&other), a.cmp(&b));
                prop_assert_eq!(text == &other, a == b);
                prop_assert_eq!(hash(text), hash(&a.as_str()));
                prop_assert_eq!(String::from(text.clone()), a.clone());
                prop_assert_eq!(format!("{text:?}"), format!("{a:?}"));
            }
        }
    }

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
