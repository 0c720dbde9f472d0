//! Parses tokens into a [`Query`]: a filter, `order by`, `limit` and `offset`.

use super::bounds::{syntax_error, MAX_NESTING, MAX_QUERY_BYTES};
use super::lexer::{tokens, Token};
use crate::domain::error::{KintoneError, Result};

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Str(String),
    /// A bare word such as `100` (numbers may be written unquoted).
    Bare(String),
    Func(String, Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// Every condition of a chain (`a and b and c`), kept flat: a chain of any length is one
    /// level deep, so only parentheses add depth.
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Compare {
        field: String,
        cmp: Cmp,
        value: Operand,
    },
    In {
        field: String,
        negated: bool,
        values: Vec<Operand>,
    },
    Like {
        field: String,
        negated: bool,
        value: String,
    },
    Empty {
        field: String,
        negated: bool,
    },
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    pub filter: Option<Expr>,
    /// `(field, descending)`.
    pub order: Vec<(String, bool)>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    /// Parentheses open around the current position.
    depth: usize,
}

fn is_keyword(word: &str, keyword: &str) -> bool {
    word.eq_ignore_ascii_case(keyword)
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn peek_word(&self, keyword: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if is_keyword(w, keyword))
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn expect_word(&mut self, keyword: &str) -> Result<()> {
        match self.next() {
            Some(Token::Word(w)) if is_keyword(&w, keyword) => Ok(()),
            other => Err(syntax_error(format!(
                "Expected `{keyword}` in the query, found {other:?}."
            ))),
        }
    }

    fn at_clause(&self) -> bool {
        self.peek_word("order") || self.peek_word("limit") || self.peek_word("offset")
    }

    fn or_expr(&mut self) -> Result<Expr> {
        let mut terms = vec![self.and_expr()?];
        while self.peek_word("or") {
            self.pos += 1;
            terms.push(self.and_expr()?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Expr::Or(terms)
        })
    }

    fn and_expr(&mut self) -> Result<Expr> {
        let mut terms = vec![self.atom()?];
        while self.peek_word("and") {
            self.pos += 1;
            terms.push(self.atom()?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Expr::And(terms)
        })
    }

    fn atom(&mut self) -> Result<Expr> {
        if self.peek() == Some(&Token::Open) {
            self.pos += 1;
            self.depth += 1;
            if self.depth > MAX_NESTING {
                return Err(syntax_error(format!(
                    "The query nests parentheses more than {MAX_NESTING} deep."
                )));
            }
            let inner = self.or_expr()?;
            self.depth -= 1;
            return match self.next() {
                Some(Token::Close) => Ok(inner),
                _ => Err(syntax_error("A parenthesis in the query is not closed.")),
            };
        }
        let field = match self.next() {
            Some(Token::Word(w)) => w,
            other => {
                return Err(syntax_error(format!(
                    "Expected a field code in the query, found {other:?}."
                )))
            }
        };
        match self.next() {
            Some(Token::Op(op)) => {
                let cmp = match op {
                    "=" => Cmp::Eq,
                    "!=" => Cmp::Ne,
                    ">" => Cmp::Gt,
                    "<" => Cmp::Lt,
                    ">=" => Cmp::Ge,
                    _ => Cmp::Le,
                };
                Ok(Expr::Compare {
                    field,
                    cmp,
                    value: self.operand()?,
                })
            }
            Some(Token::Word(w)) if is_keyword(&w, "like") => Ok(Expr::Like {
                field,
                negated: false,
                value: self.string()?,
            }),
            Some(Token::Word(w)) if is_keyword(&w, "in") => Ok(Expr::In {
                field,
                negated: false,
                values: self.list()?,
            }),
            Some(Token::Word(w)) if is_keyword(&w, "not") => match self.next() {
                Some(Token::Word(w)) if is_keyword(&w, "like") => Ok(Expr::Like {
                    field,
                    negated: true,
                    value: self.string()?,
                }),
                Some(Token::Word(w)) if is_keyword(&w, "in") => Ok(Expr::In {
                    field,
                    negated: true,
                    values: self.list()?,
                }),
                other => Err(syntax_error(format!(
                    "Expected `like` or `in` after `not`, found {other:?}."
                ))),
            },
            Some(Token::Word(w)) if is_keyword(&w, "is") => {
                let negated = self.peek_word("not");
                if negated {
                    self.pos += 1;
                }
                self.expect_word("empty")?;
                Ok(Expr::Empty { field, negated })
            }
            other => Err(syntax_error(format!(
                "Expected an operator after {field}, found {other:?}."
            ))),
        }
    }

    fn string(&mut self) -> Result<String> {
        match self.next() {
            Some(Token::Str(s)) => Ok(s),
            other => Err(syntax_error(format!(
                "Expected a quoted string, found {other:?}."
            ))),
        }
    }

    fn operand(&mut self) -> Result<Operand> {
        match self.next() {
            Some(Token::Str(s)) => Ok(Operand::Str(s)),
            Some(Token::Word(w)) if self.peek() == Some(&Token::Open) => {
                self.pos += 1;
                let mut args = Vec::new();
                loop {
                    match self.next() {
                        Some(Token::Close) => break,
                        Some(Token::Comma) => {}
                        Some(Token::Word(a)) | Some(Token::Str(a)) => args.push(a),
                        other => {
                            return Err(syntax_error(format!(
                                "Unexpected {other:?} in a function call."
                            )))
                        }
                    }
                }
                Ok(Operand::Func(w.to_ascii_uppercase(), args))
            }
            Some(Token::Word(w)) => Ok(Operand::Bare(w)),
            other => Err(syntax_error(format!("Expected a value, found {other:?}."))),
        }
    }

    fn list(&mut self) -> Result<Vec<Operand>> {
        if self.next() != Some(Token::Open) {
            return Err(syntax_error("`in` needs a parenthesised list."));
        }
        let mut values = Vec::new();
        loop {
            values.push(self.operand()?);
            match self.next() {
                Some(Token::Comma) => {}
                Some(Token::Close) => return Ok(values),
                other => {
                    return Err(syntax_error(format!(
                        "Expected `,` or `)` in a list, found {other:?}."
                    )))
                }
            }
        }
    }

    fn number(&mut self, clause: &str) -> Result<u64> {
        match self.next() {
            Some(Token::Word(w)) => w
                .parse()
                .map_err(|_| syntax_error(format!("`{clause}` needs a number."))),
            _ => Err(syntax_error(format!("`{clause}` needs a number."))),
        }
    }
}

/// Parses a whole query, checking kintone's `limit` and `offset` maximums.
pub fn parse(input: &str) -> Result<Query> {
    if input.len() > MAX_QUERY_BYTES {
        return Err(syntax_error(format!(
            "The query is longer than {MAX_QUERY_BYTES} bytes."
        )));
    }
    let mut p = Parser {
        tokens: tokens(input)?,
        pos: 0,
        depth: 0,
    };
    let mut query = Query::default();
    if p.peek().is_some() && !p.at_clause() {
        query.filter = Some(p.or_expr()?);
    }
    if p.peek_word("order") {
        p.pos += 1;
        p.expect_word("by")?;
        loop {
            let field = match p.next() {
                Some(Token::Word(w)) => w,
                _ => return Err(syntax_error("`order by` needs a field code.")),
            };
            let desc = if p.peek_word("desc") {
                p.pos += 1;
                true
            } else {
                if p.peek_word("asc") {
                    p.pos += 1;
                }
                false
            };
            query.order.push((field, desc));
            if p.peek() == Some(&Token::Comma) {
                p.pos += 1;
            } else {
                break;
            }
        }
    }
    if p.peek_word("limit") {
        p.pos += 1;
        let limit = p.number("limit")?;
        let max_limit = crate::domain::spec::limits().records_per_page as u64;
        if limit > max_limit {
            return Err(KintoneError::new(
                400,
                "GAIA_QU01",
                format!("The limit must be {max_limit} or less."),
                format!("limitには{max_limit}以下の値を指定してください。"),
            ));
        }
        query.limit = Some(limit);
    }
    if p.peek_word("offset") {
        p.pos += 1;
        let offset = p.number("offset")?;
        let max_offset = crate::domain::spec::limits().query_offset as u64;
        if offset > max_offset {
            return Err(KintoneError::new(
                400,
                "GAIA_QU02",
                format!("The offset must be {max_offset} or less."),
                format!("offsetには{max_offset}以下の値を指定してください。"),
            ));
        }
        query.offset = Some(offset);
    }
    if let Some(t) = p.peek() {
        return Err(syntax_error(format!(
            "Unexpected {t:?} at the end of the query."
        )));
    }
    Ok(query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn and_binds_tighter_than_or() {
        let q = parse(r#"A = "1" or B = "2" and C = "3""#).unwrap();
        match q.filter.unwrap() {
            Expr::Or(terms) => {
                assert_eq!(terms.len(), 2);
                assert!(matches!(&terms[1], Expr::And(inner) if inner.len() == 2));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn clauses_are_read() {
        let q = parse("order by Amount desc, $id asc limit 20 offset 40").unwrap();
        assert_eq!(
            q.order,
            vec![("Amount".to_string(), true), ("$id".to_string(), false)]
        );
        assert_eq!((q.limit, q.offset), (Some(20), Some(40)));
        assert!(q.filter.is_none());
    }

    #[test]
    fn malformed_queries_and_limits_are_errors() {
        for bad in [
            "Amount >",
            "(A = 1",
            "A in 1",
            "A = 1 limit x",
            "A is full",
            "A = 1 B = 2",
            "order Amount",
        ] {
            assert_eq!(parse(bad).unwrap_err().code, "CB_VA01", "{bad}");
        }
        assert_eq!(parse("limit 501").unwrap_err().code, "GAIA_QU01");
        assert_eq!(
            parse("limit 500 offset 10001").unwrap_err().code,
            "GAIA_QU02"
        );
    }
}
