//! Exact decimal numbers as kintone's number fields hold them: compared digit by digit, never
//! through floating point, so `0.1 + 0.2`-style rounding and 17-digit ids stay exact.

use std::cmp::Ordering;

/// A decimal read from text (`-12.50`, `+3`, `.5`), normalised: no leading zeros in the whole
/// part, no trailing zeros in the fraction, and zero never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal<'a> {
    negative: bool,
    whole: &'a str,
    fraction: &'a str,
}

/// Reads a decimal; `None` for anything else (empty text included).
pub fn parse(text: &str) -> Option<Decimal<'_>> {
    let text = text.trim();
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole = whole.trim_start_matches('0');
    let fraction = fraction.trim_end_matches('0');
    Some(Decimal {
        negative: negative && !(whole.is_empty() && fraction.is_empty()),
        whole,
        fraction,
    })
}

impl Decimal<'_> {
    /// Digits before the point (leading zeros aside).
    pub fn whole_digits(&self) -> usize {
        self.whole.len()
    }

    fn cmp_magnitude(&self, other: &Self) -> Ordering {
        self.whole
            .len()
            .cmp(&other.whole.len())
            .then_with(|| self.whole.cmp(other.whole))
            .then_with(|| self.fraction.cmp(other.fraction))
    }
}

impl Ord for Decimal<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

impl PartialOrd for Decimal<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// How two decimal texts compare; `None` when either is not a number.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(parse(a)?.cmp(&parse(b)?))
}

/// Whether two decimal texts are the same number (`"1.50"` and `"1.5"`).
pub fn equal(a: &str, b: &str) -> bool {
    compare(a, b) == Some(Ordering::Equal)
}

/// A number to compute with (calculated fields): a value scaled by 10^`scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fixed {
    units: i128,
    scale: u32,
}

/// The digits a computation keeps after the point before rounding its result.
const WORK_SCALE: u32 = 10;

impl Fixed {
    pub fn read(text: &str) -> Option<Fixed> {
        let d = parse(text)?;
        let scale = d.fraction.len() as u32;
        let digits = format!("{}{}", d.whole, d.fraction);
        let units: i128 = if digits.is_empty() {
            0
        } else {
            digits.parse().ok()?
        };
        Some(Fixed {
            units: if d.negative { -units } else { units },
            scale,
        })
    }

    fn rescale(self, scale: u32) -> Option<Fixed> {
        if scale >= self.scale {
            let units = self
                .units
                .checked_mul(10i128.checked_pow(scale - self.scale)?)?;
            Some(Fixed { units, scale })
        } else {
            Some(Fixed {
                units: round_half_even(self.units, 10i128.pow(self.scale - scale)),
                scale,
            })
        }
    }

    pub fn add(self, other: Fixed) -> Option<Fixed> {
        let scale = self.scale.max(other.scale);
        let (a, b) = (self.rescale(scale)?, other.rescale(scale)?);
        Some(Fixed {
            units: a.units.checked_add(b.units)?,
            scale,
        })
    }

    pub fn sub(self, other: Fixed) -> Option<Fixed> {
        self.add(Fixed {
            units: other.units.checked_neg()?,
            scale: other.scale,
        })
    }

    pub fn mul(self, other: Fixed) -> Option<Fixed> {
        Fixed {
            units: self.units.checked_mul(other.units)?,
            scale: self.scale + other.scale,
        }
        .rescale((self.scale + other.scale).min(WORK_SCALE))
    }

    /// `None` on division by zero (kintone shows `#N/A!`; the emulator leaves the value empty).
    pub fn div(self, other: Fixed) -> Option<Fixed> {
        if other.units == 0 {
            return None;
        }
        // (a / 10^s) / (b / 10^t) = (a * 10^(t + W - s) / b) / 10^W, rounded half to even.
        let shift = (other.scale + WORK_SCALE).checked_sub(self.scale);
        let (num, den) = match shift {
            Some(k) => (self.units.checked_mul(10i128.checked_pow(k)?)?, other.units),
            None => (
                self.units,
                other
                    .units
                    .checked_mul(10i128.checked_pow(self.scale - other.scale - WORK_SCALE)?)?,
            ),
        };
        let (num, den) = if den < 0 { (-num, -den) } else { (num, den) };
        Some(Fixed {
            units: div_half_even(num, den),
            scale: WORK_SCALE,
        })
    }

    /// The value rounded half to even to `places` digits after the point, as kintone writes a
    /// number: no exponent, no trailing zeros.
    pub fn render(self, places: u32) -> Option<String> {
        let v = if self.scale > places {
            self.rescale(places)?
        } else {
            self
        };
        let negative = v.units < 0;
        let digits = v.units.unsigned_abs().to_string();
        let scale = v.scale as usize;
        let (whole, fraction) = if digits.len() > scale {
            digits.split_at(digits.len() - scale)
        } else {
            ("0", "")
        };
        let fraction = if digits.len() > scale {
            fraction.to_string()
        } else {
            format!("{}{}", "0".repeat(scale - digits.len()), digits)
        };
        let fraction = fraction.trim_end_matches('0');
        let sign = if negative && (whole != "0" || !fraction.is_empty()) {
            "-"
        } else {
            ""
        };
        Some(if fraction.is_empty() {
            format!("{sign}{whole}")
        } else {
            format!("{sign}{whole}.{fraction}")
        })
    }
}

fn round_half_even(units: i128, divisor: i128) -> i128 {
    div_half_even(units, divisor)
}

fn div_half_even(num: i128, den: i128) -> i128 {
    let q = num.div_euclid(den);
    let r = num.rem_euclid(den);
    match (2 * r).cmp(&den) {
        Ordering::Less => q,
        Ordering::Greater => q + 1,
        Ordering::Equal => q + (q & 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_are_exact() {
        assert_eq!(compare("0.1", "0.10"), Some(Ordering::Equal));
        assert_eq!(
            compare("12345678901234567890.1", "12345678901234567890.09"),
            Some(Ordering::Greater),
            "past f64's 17 digits"
        );
        assert_eq!(
            compare("9007199254740993", "9007199254740992"),
            Some(Ordering::Greater)
        );
        assert_eq!(compare("-0", "0"), Some(Ordering::Equal));
        assert_eq!(compare("-2", "-10"), Some(Ordering::Greater));
        assert_eq!(compare("007", "7.000"), Some(Ordering::Equal));
        assert_eq!(compare("", "1"), None);
        assert_eq!(compare("1e3", "1"), None);
        assert!(parse(".5").is_some() && parse("-").is_none() && parse(".").is_none());
    }

    #[test]
    fn arithmetic_is_decimal_and_rounds_half_to_even() {
        let f = |s| Fixed::read(s).unwrap();
        assert_eq!(f("0.1").add(f("0.2")).unwrap().render(4).unwrap(), "0.3");
        assert_eq!(f("1").div(f("3")).unwrap().render(4).unwrap(), "0.3333");
        assert_eq!(f("2").div(f("3")).unwrap().render(4).unwrap(), "0.6667");
        assert_eq!(f("0.00025").render(4).unwrap(), "0.0002");
        assert_eq!(f("0.00035").render(4).unwrap(), "0.0004");
        assert_eq!(f("-1.5").mul(f("4")).unwrap().render(4).unwrap(), "-6");
        assert_eq!(f("10").sub(f("10.25")).unwrap().render(4).unwrap(), "-0.25");
        assert_eq!(f("1").div(f("0")), None);
    }
}
