//! Splits a query into tokens.

use super::bounds::syntax_error;
use crate::domain::error::Result;

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    /// A field code, keyword, number or function name.
    Word(String),
    /// A double-quoted string, unescaped.
    Str(String),
    Op(&'static str),
    Open,
    Close,
    Comma,
}

pub fn tokens(input: &str) -> Result<Vec<Token>> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Token::Open);
                i += 1;
            }
            ')' => {
                out.push(Token::Close);
                i += 1;
            }
            ',' => {
                out.push(Token::Comma);
                i += 1;
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(syntax_error("A string in the query is not closed.")),
                        Some('"') => break,
                        Some('\\') => {
                            // kintone reads `\n` and `\t` (and, by the same rule, `\r`) as the
                            // control characters it refuses raw; any other escaped character is
                            // itself (`\"`, `\\`).
                            match chars.get(i + 1) {
                                Some('n') => s.push('\n'),
                                Some('r') => s.push('\r'),
                                Some('t') => s.push('\t'),
                                Some(&n) => s.push(n),
                                None => {
                                    return Err(syntax_error(
                                        "A string in the query is not closed.",
                                    ))
                                }
                            }
                            i += 2;
                        }
                        Some(&ch) => {
                            s.push(ch);
                            i += 1;
                        }
                    }
                }
                i += 1;
                out.push(Token::Str(s));
            }
            '=' => {
                out.push(Token::Op("="));
                i += 1;
            }
            '!' if chars.get(i + 1) == Some(&'=') => {
                out.push(Token::Op("!="));
                i += 2;
            }
            '<' | '>' => {
                let with_eq = chars.get(i + 1) == Some(&'=');
                out.push(Token::Op(match (c, with_eq) {
                    ('<', true) => "<=",
                    ('<', false) => "<",
                    ('>', true) => ">=",
                    _ => ">",
                }));
                i += if with_eq { 2 } else { 1 };
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !"()=!<>,\"".contains(chars[i])
                {
                    i += 1;
                }
                if start == i {
                    return Err(syntax_error(format!(
                        "Unexpected character {c:?} in the query."
                    )));
                }
                out.push(Token::Word(chars[start..i].iter().collect()));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_strings_operators_and_words() {
        let t = tokens(r#"Title like "a \"b\"" and Amount>=10"#).unwrap();
        assert_eq!(
            t,
            vec![
                Token::Word("Title".into()),
                Token::Word("like".into()),
                Token::Str("a \"b\"".into()),
                Token::Word("and".into()),
                Token::Word("Amount".into()),
                Token::Op(">="),
                Token::Word("10".into()),
            ]
        );
        assert!(tokens(r#"Title = "open"#).is_err());
        assert_eq!(
            tokens(r#""a\nb\tc\rd\qe""#).unwrap(),
            vec![Token::Str("a\nb\tc\rdqe".into())]
        );
    }
}
