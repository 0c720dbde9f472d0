//! The exact decimal text of a kintone NUMBER value.

use std::fmt;
use std::str::FromStr;

use crate::Text;

/// A NUMBER field's value as kintone sends it (a JSON string), kept as text so that no digit is
/// ever rounded through floating point. Convert with [`Decimal::as_str`] into the decimal type of
/// your choice.
///
/// Accepted: an optional sign, digits, an optional fraction, an optional exponent (`-12.50`,
/// `1e3`, `+0.5`). A leading or trailing dot (`.5`, `5.`) is refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Decimal(
    /// Up to 23 bytes (any number a NUMBER field holds but the longest) inline, with no
    /// allocation: a page of records holds many.
    Text,
);

/// Text that is not a decimal number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a decimal number")]
pub struct DecimalError(pub String);

impl Decimal {
    /// The number's text, exactly as kintone sent it or as it was given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number at `range` of a page's text, as [`Text::from_page`] copies it.
    pub(crate) fn from_page(page: &str, range: std::ops::Range<usize>) -> Option<Self> {
        is_decimal(&page[range.clone()]).then(|| Self(Text::from_page(page, range)))
    }
}

fn is_decimal(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, frac)) => all_digits(whole) && all_digits(frac),
        None => all_digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| all_digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

impl FromStr for Decimal {
    type Err = DecimalError;

    fn from_str(s: &str) -> Result<Self, DecimalError> {
        if is_decimal(s) {
            Ok(Self(Text::from(s)))
        } else {
            Err(DecimalError(s.to_string()))
        }
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! from_integer {
    ($($t:ty),*) => {$(
        impl From<$t> for Decimal {
            fn from(value: $t) -> Self {
                Self(Text::from(value.to_string()))
            }
        }
    )*};
}

from_integer!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

impl TryFrom<&str> for Decimal {
    type Error = DecimalError;

    fn try_from(value: &str) -> Result<Self, DecimalError> {
        value.parse()
    }
}

impl TryFrom<String> for Decimal {
    type Error = DecimalError;

    fn try_from(value: String) -> Result<Self, DecimalError> {
        if is_decimal(&value) {
            Ok(Self(Text::from(value)))
        } else {
            Err(DecimalError(value))
        }
    }
}

impl serde::Serialize for Decimal {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Decimal {
    /// From a JSON string (kintone's form) or an integer. A JSON number with a fraction is
    /// refused: it has already been rounded to floating point by the JSON reader.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Decimal;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal number as a JSON string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Decimal, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Decimal, E> {
                Ok(Decimal::from(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Decimal, E> {
                Ok(Decimal::from(v))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_text_is_kept() {
        let n: Decimal = serde_json::from_str(r#""12345678901234567890.123456789""#).unwrap();
        assert_eq!(n.as_str(), "12345678901234567890.123456789");
        assert_eq!(
            serde_json::to_string(&n).unwrap(),
            r#""12345678901234567890.123456789""#
        );
        assert_eq!(
            serde_json::from_str::<Decimal>("42").unwrap().as_str(),
            "42"
        );
        assert!(
            serde_json::from_str::<Decimal>("0.1").is_err(),
            "already rounded by the JSON reader"
        );
    }

    #[test]
    fn only_decimals_are_accepted() {
        for good in ["0", "-12.50", "+3", "1e3", "2.5E-4"] {
            assert!(good.parse::<Decimal>().is_ok(), "{good}");
        }
        for bad in ["", ".5", "5.", "1,000", "NaN", "1e", "--1", "1.2.3", " 1"] {
            assert_eq!(
                bad.parse::<Decimal>(),
                Err(DecimalError(bad.to_string())),
                "{bad}"
            );
        }
    }
}
