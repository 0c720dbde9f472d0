//! Writing the bundle as YAML that every common reader takes the same way.
//!
//! Written by hand rather than with `serde_yaml::to_string` because serde_yaml quotes only what a
//! YAML 1.2 reader would misread: it writes `2024-08-22T15:23:00Z`, `yes` and `12:30` plain, which
//! YAML 1.1 readers (PyYAML in `openapi-spec-validator`, the timestamp type of js-yaml) turn into a
//! timestamp, a boolean and a number. Here a string is plain only when it starts with a letter and
//! is no reserved word, so numbers, dates and keywords are always quoted; multi-line text is a
//! literal block, as the hand-written files have it.

use serde_yaml::{Mapping, Value};

/// The YAML text of a document whose top level is a mapping.
pub(super) fn document(value: &Value) -> Result<String, String> {
    let Value::Mapping(map) = value else {
        return Err("the top level of a document must be a mapping".into());
    };
    let mut out = String::new();
    mapping(&mut out, map, 0, false)?;
    Ok(out)
}

/// Writes the entries of a non-empty mapping at `indent`; with `inline_first`, the first key
/// follows a `- ` already written.
fn mapping(
    out: &mut String,
    map: &Mapping,
    indent: usize,
    inline_first: bool,
) -> Result<(), String> {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 || !inline_first {
            pad(out, indent);
        }
        out.push_str(&scalar(key).ok_or("a mapping key must be a scalar")?);
        out.push(':');
        nested(out, value, indent)?;
    }
    Ok(())
}

fn sequence(out: &mut String, items: &[Value], indent: usize) -> Result<(), String> {
    for item in items {
        pad(out, indent);
        out.push('-');
        match item {
            Value::Mapping(map) if !map.is_empty() => {
                out.push(' ');
                mapping(out, map, indent + 2, true)?;
            }
            other => nested(out, other, indent)?,
        }
    }
    Ok(())
}

/// Writes a value after `key:` or `-` at `indent`, ending the line.
fn nested(out: &mut String, value: &Value, indent: usize) -> Result<(), String> {
    match value {
        Value::Mapping(map) if !map.is_empty() => {
            out.push('\n');
            mapping(out, map, indent + 2, false)
        }
        Value::Sequence(items) if !items.is_empty() => {
            out.push('\n');
            sequence(out, items, indent + 2)
        }
        Value::String(text) if literal_block_fits(text) => {
            literal_block(out, text, indent + 2);
            Ok(())
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other).ok_or("YAML tags are not supported")?);
            out.push('\n');
            Ok(())
        }
    }
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// A scalar (or an empty collection) on one line; `None` for what cannot be one.
fn scalar(value: &Value) -> Option<String> {
    Some(match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if plain_is_safe(s) => s.clone(),
        Value::String(s) if s.chars().any(needs_escape) => double_quoted(s),
        Value::String(s) => format!("'{}'", s.replace('\'', "''")),
        Value::Mapping(m) if m.is_empty() => "{}".into(),
        Value::Sequence(s) if s.is_empty() => "[]".into(),
        _ => return None,
    })
}

/// Whether `s` reads back as this same string under YAML 1.1 and 1.2 alike when written plain.
fn plain_is_safe(s: &str) -> bool {
    const RESERVED: [&str; 9] = ["true", "false", "yes", "no", "on", "off", "y", "n", "null"];
    let Some(first) = s.chars().next() else {
        return false;
    };
    (first.is_alphabetic() || matches!(first, '_' | '/' | '$' | '('))
        && !s.ends_with([' ', ':'])
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.chars().any(needs_escape)
        && !RESERVED.contains(&s.to_ascii_lowercase().as_str())
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

fn double_quoted(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Multi-line text that a literal block keeps exactly: no other control characters, no leading
/// space on its first line (that would need an indentation indicator) and no line of spaces only.
fn literal_block_fits(text: &str) -> bool {
    text.contains('\n')
        && !text.trim().is_empty()
        && !text.starts_with([' ', '\t'])
        && !text
            .chars()
            .any(|c| c != '\n' && c != '\t' && needs_escape(c))
        && !text
            .split('\n')
            .any(|line| !line.is_empty() && line.trim().is_empty())
}

fn literal_block(out: &mut String, text: &str, indent: usize) {
    let (chomping, body) = match text.strip_suffix('\n') {
        None => ("-", text),
        Some(rest) if rest.ends_with('\n') => ("+", rest),
        Some(rest) => ("", rest),
    };
    out.push_str(" |");
    out.push_str(chomping);
    out.push('\n');
    for line in body.split('\n') {
        if !line.is_empty() {
            pad(out, indent);
            out.push_str(line);
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(value: &Value) -> String {
        let text = document(value).unwrap();
        let back: Value = serde_yaml::from_str(&text).unwrap();
        assert_eq!(&back, value, "did not read back:\n{text}");
        text
    }

    #[test]
    fn strings_a_yaml_1_1_reader_would_misread_are_quoted() {
        let tricky = [
            "2024-08-22",
            "2024-08-22T15:23:00Z",
            "2026-11",
            "yes",
            "No",
            "on",
            "OFF",
            "y",
            "n",
            "null",
            "~",
            "12:30",
            "1_000",
            "0x1F",
            "010",
            "1e3",
            ".inf",
            "+1",
            "-",
            "=",
            "<<",
            "",
            " padded",
            "trailing ",
            "key: value",
            "a #comment",
            "ends:",
            "'quoted'",
            "\"dq\"",
            "tab\there",
            "bell\u{7}",
            "1505999166-897850006",
        ];
        let value = Value::Mapping(
            tricky
                .iter()
                .map(|s| (Value::from(*s), Value::from(*s)))
                .collect(),
        );
        let text = round_trip(&value);
        for line in text.lines() {
            assert!(
                line.starts_with(['\'', '"']),
                "a tricky key went out plain: {line}"
            );
        }
    }

    #[test]
    fn plain_text_stays_plain_and_multi_line_text_is_a_literal_block() {
        let yaml = "openapi: 3.0.3\ndescription: |\n  first line\n\n  after a blank line\n\
                    short: |-\n  no final newline\n  here\nkept: |+\n  two final newlines\n\n\
                    ref: '#/components/schemas/X'\nsummary: Get one record, with `code`\n\
                    list:\n  - a\n  - name: b\n    in: query\n  - []\nempty: {}\nn: 8192\nok: true\n\
                    nothing: null\n";
        let value: Value = serde_yaml::from_str(yaml).unwrap();
        let text = round_trip(&value);
        assert!(text.contains("description: |\n  first line\n\n  after a blank line\n"));
        assert!(text.contains("short: |-\n  no final newline\n  here\n"));
        assert!(text.contains("kept: |+\n"));
        assert!(text.contains("summary: Get one record, with `code`\n"));
        assert!(text.contains("list:\n  - a\n  - name: b\n    in: query\n  - []\n"));
        assert!(text.contains("openapi: '3.0.3'\n"));
    }

    #[test]
    fn text_a_literal_block_cannot_hold_is_double_quoted() {
        for text in [
            " leading space\nsecond",
            "spaces only\n   \nline",
            "\n\n",
            "a\rb\nc",
        ] {
            let value = Value::Mapping(
                [(Value::from("k"), Value::from(text))]
                    .into_iter()
                    .collect(),
            );
            let written = round_trip(&value);
            assert!(written.starts_with("k: \""), "{written}");
        }
    }
}
