//! The formulas of calculated fields, in the subset the emulator computes: numbers, field codes
//! of number and calculated fields, `+ - * /`, parentheses, unary minus, and `SUM(code)` over a
//! number field of a subtable. Arithmetic is decimal; an empty field counts as 0; the result is
//! rounded half to even to 4 places (kintone's default rounding settings).

use crate::domain::decimal::Fixed;

#[derive(Debug, Clone, PartialEq)]
pub enum Formula {
    Number(String),
    Field(String),
    Sum(String),
    Neg(Box<Formula>),
    Binary(Box<Formula>, char, Box<Formula>),
}

/// Reads a formula; the error says what is wrong.
pub fn parse(text: &str) -> Result<Formula, String> {
    let tokens = tokens(text)?;
    let mut p = Parser { tokens, pos: 0 };
    let f = p.sum()?;
    match p.tokens.get(p.pos) {
        None => Ok(f),
        Some(t) => Err(format!("unexpected {t:?} in the formula {text:?}")),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number(String),
    Name(String),
    Op(char),
    Open,
    Close,
}

fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c.is_ascii_digit() || c == '.' {
            let mut n = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit() || **d == '.') {
                n.push(d);
                chars.next();
            }
            out.push(Token::Number(n));
        } else if "+-*/".contains(c) {
            out.push(Token::Op(c));
            chars.next();
        } else if c == '(' {
            out.push(Token::Open);
            chars.next();
        } else if c == ')' {
            out.push(Token::Close);
            chars.next();
        } else if c.is_alphanumeric() || c == '_' || c == '$' {
            let mut name = String::new();
            while let Some(&d) = chars
                .peek()
                .filter(|d| d.is_alphanumeric() || **d == '_' || **d == '$')
            {
                name.push(d);
                chars.next();
            }
            out.push(Token::Name(name));
        } else {
            return Err(format!("{c:?} is not part of the formula subset"));
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn peek_op(&self, ops: &str) -> Option<char> {
        match self.tokens.get(self.pos) {
            Some(Token::Op(c)) if ops.contains(*c) => Some(*c),
            _ => None,
        }
    }

    fn sum(&mut self) -> Result<Formula, String> {
        let mut left = self.product()?;
        while let Some(op) = self.peek_op("+-") {
            self.pos += 1;
            left = Formula::Binary(Box::new(left), op, Box::new(self.product()?));
        }
        Ok(left)
    }

    fn product(&mut self) -> Result<Formula, String> {
        let mut left = self.unary()?;
        while let Some(op) = self.peek_op("*/") {
            self.pos += 1;
            left = Formula::Binary(Box::new(left), op, Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Formula, String> {
        if self.peek_op("-").is_some() {
            self.pos += 1;
            return Ok(Formula::Neg(Box::new(self.unary()?)));
        }
        match self.next() {
            Some(Token::Number(n)) if Fixed::read(&n).is_some() => Ok(Formula::Number(n)),
            Some(Token::Open) => {
                let inner = self.sum()?;
                match self.next() {
                    Some(Token::Close) => Ok(inner),
                    _ => Err("a parenthesis is not closed".into()),
                }
            }
            Some(Token::Name(name)) if self.tokens.get(self.pos) == Some(&Token::Open) => {
                self.pos += 1;
                let arg = match self.next() {
                    Some(Token::Name(arg)) => arg,
                    other => return Err(format!("{name}() needs a field code, not {other:?}")),
                };
                if self.next() != Some(Token::Close) || !name.eq_ignore_ascii_case("SUM") {
                    return Err(format!("only SUM(field) is computed, not {name}()"));
                }
                Ok(Formula::Sum(arg))
            }
            Some(Token::Name(name)) => Ok(Formula::Field(name)),
            other => Err(format!("expected a value, found {other:?}")),
        }
    }
}

impl Formula {
    /// The value, given the text of a field (`field`) and the texts of a subtable field's rows
    /// (`column`); `None` when it cannot be computed (division by zero, overflow).
    pub fn compute(
        &self,
        field: &dyn Fn(&str) -> String,
        column: &dyn Fn(&str) -> Vec<String>,
    ) -> Option<Fixed> {
        let number = |text: &str| {
            if text.is_empty() {
                Fixed::read("0")
            } else {
                Fixed::read(text)
            }
        };
        match self {
            Formula::Number(n) => Fixed::read(n),
            Formula::Field(code) => number(&field(code)),
            Formula::Sum(code) => column(code)
                .iter()
                .try_fold(Fixed::read("0")?, |acc, t| acc.add(number(t)?)),
            Formula::Neg(inner) => Fixed::read("0")?.sub(inner.compute(field, column)?),
            Formula::Binary(a, op, b) => {
                let (a, b) = (a.compute(field, column)?, b.compute(field, column)?);
                match op {
                    '+' => a.add(b),
                    '-' => a.sub(b),
                    '*' => a.mul(b),
                    _ => a.div(b),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_compute_in_decimal_with_precedence() {
        let f = parse("Price * Qty - SUM(Discount) / 2").unwrap();
        let field = |c: &str| match c {
            "Price" => "1.10".to_string(),
            "Qty" => "3".to_string(),
            _ => String::new(),
        };
        let column = |_: &str| vec!["1".to_string(), "".to_string(), "0.2".to_string()];
        assert_eq!(
            f.compute(&field, &column).unwrap().render(4).unwrap(),
            "2.7"
        );
        assert_eq!(
            parse("-(1 + 2) * 3")
                .unwrap()
                .compute(&field, &column)
                .unwrap()
                .render(4)
                .unwrap(),
            "-9"
        );
        assert!(parse("IF(A > 1, 2, 3)").is_err());
        assert!(parse("A +").is_err());
        assert!(parse("1 / 0").unwrap().compute(&field, &column).is_none());
    }
}
