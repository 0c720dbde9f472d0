//! UTF-8 or Shift_JIS, as cli-kintone reads and writes them.

use crate::cli::Encoding;
use crate::error::CliError;

/// Text in the chosen encoding. Shift_JIS has no code for some characters (emoji, many
/// outside JIS X 0208 and its extensions): each becomes `?`, as cli-kintone writes them.
pub fn encode(text: &str, encoding: Encoding, out: &mut Vec<u8>) {
    match encoding {
        Encoding::Utf8 => out.extend_from_slice(text.as_bytes()),
        Encoding::Sjis => {
            let mut encoder = encoding_rs::SHIFT_JIS.new_encoder();
            let mut rest = text;
            let mut buffer = [0u8; 4096];
            loop {
                let (result, read, written) =
                    encoder.encode_from_utf8_without_replacement(rest, &mut buffer, true);
                out.extend_from_slice(&buffer[..written]);
                rest = &rest[read..];
                match result {
                    encoding_rs::EncoderResult::InputEmpty => break,
                    encoding_rs::EncoderResult::OutputFull => {}
                    encoding_rs::EncoderResult::Unmappable(_) => out.push(b'?'),
                }
            }
        }
    }
}

/// Bytes read in the chosen encoding; invalid bytes are an input error naming the file. A
/// UTF-8 byte order mark is dropped.
pub fn decode(bytes: &[u8], encoding: Encoding, what: &str) -> Result<String, CliError> {
    match encoding {
        Encoding::Utf8 => {
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            String::from_utf8(bytes.to_vec()).map_err(|e| {
                CliError::Input(format!(
                    "{what} is not UTF-8 (byte {}); for Shift_JIS add --encoding sjis",
                    e.utf8_error().valid_up_to()
                ))
            })
        }
        Encoding::Sjis => {
            match encoding_rs::SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes)
            {
                Some(text) => Ok(text.into_owned()),
                None => Err(CliError::Input(format!("{what} is not Shift_JIS"))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_jis_round_trips_and_marks_what_it_cannot_hold() {
        let mut out = Vec::new();
        encode("受注,\"番号\"\n😀", Encoding::Sjis, &mut out);
        assert_eq!(
            out,
            b"\x8e\xf3\x92\x8d,\"\x94\xd4\x8d\x86\"\n?".to_vec(),
            "{out:x?}"
        );
        assert_eq!(
            decode(&out, Encoding::Sjis, "x").unwrap(),
            "受注,\"番号\"\n?"
        );
    }

    #[test]
    fn a_bom_is_dropped_and_bad_utf8_is_named() {
        assert_eq!(decode(b"\xEF\xBB\xBFa", Encoding::Utf8, "f").unwrap(), "a");
        let err = decode(b"a\x82\xa0", Encoding::Utf8, "f.csv").unwrap_err();
        assert!(err.to_string().contains("--encoding sjis"), "{err}");
    }
}
