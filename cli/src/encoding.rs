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

/// A file's bytes read as UTF-8 text a buffer at a time, from UTF-8 (its byte order mark
/// dropped) or Shift_JIS, so that a file of any size is read in bounded memory. Bytes that are
/// not of the encoding are an `InvalidData` error whose message names the file and the byte.
pub struct DecodingReader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    encoding: Encoding,
    what: String,
    input: Box<[u8]>,
    input_start: usize,
    input_end: usize,
    input_ended: bool,
    /// The input bytes decoded so far, to name where a bad byte is.
    consumed: u64,
    output: Box<[u8]>,
    output_start: usize,
    output_end: usize,
    finished: bool,
}

const DECODING_BUFFER: usize = 64 * 1024;

impl<R: std::io::Read> DecodingReader<R> {
    /// `what` names the input in errors.
    pub fn new(inner: R, encoding: Encoding, what: impl Into<String>) -> Self {
        let decoder = match encoding {
            Encoding::Utf8 => encoding_rs::UTF_8.new_decoder_with_bom_removal(),
            Encoding::Sjis => encoding_rs::SHIFT_JIS.new_decoder_without_bom_handling(),
        };
        Self {
            inner,
            decoder,
            encoding,
            what: what.into(),
            input: vec![0; DECODING_BUFFER].into_boxed_slice(),
            input_start: 0,
            input_end: 0,
            input_ended: false,
            consumed: 0,
            output: vec![0; DECODING_BUFFER].into_boxed_slice(),
            output_start: 0,
            output_end: 0,
            finished: false,
        }
    }

    fn malformed(&self, at: u64) -> std::io::Error {
        let message = match self.encoding {
            Encoding::Utf8 => format!(
                "{} is not UTF-8 (byte {at}); for Shift_JIS add --encoding sjis",
                self.what
            ),
            Encoding::Sjis => format!("{} is not Shift_JIS (byte {at})", self.what),
        };
        std::io::Error::new(std::io::ErrorKind::InvalidData, message)
    }
}

impl<R: std::io::Read> std::io::Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.output_start < self.output_end {
                let n = buf.len().min(self.output_end - self.output_start);
                buf[..n].copy_from_slice(&self.output[self.output_start..self.output_start + n]);
                self.output_start += n;
                return Ok(n);
            }
            if self.finished {
                return Ok(0);
            }
            if self.input_start == self.input_end && !self.input_ended {
                let n = self.inner.read(&mut self.input)?;
                self.input_start = 0;
                self.input_end = n;
                self.input_ended = n == 0;
            }
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[self.input_start..self.input_end],
                &mut self.output,
                self.input_ended,
            );
            self.input_start += read;
            self.consumed += read as u64;
            self.output_start = 0;
            self.output_end = written;
            match result {
                encoding_rs::DecoderResult::InputEmpty => self.finished = self.input_ended,
                encoding_rs::DecoderResult::OutputFull => {}
                encoding_rs::DecoderResult::Malformed(bad, after) => {
                    let at = self.consumed - u64::from(bad) - u64::from(after);
                    return Err(self.malformed(at));
                }
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

    /// The reader gives what `decode` gives, through buffers smaller than a character too.
    #[test]
    fn the_streaming_reader_decodes_as_the_whole_text_does() {
        use std::io::Read;
        let text = "受注,\"番号\"\n".repeat(20_000);
        let mut sjis = Vec::new();
        encode(&text, Encoding::Sjis, &mut sjis);
        for (bytes, encoding) in [
            (sjis, Encoding::Sjis),
            ([b"\xEF\xBB\xBF", text.as_bytes()].concat(), Encoding::Utf8),
        ] {
            let mut reader = DecodingReader::new(bytes.as_slice(), encoding, "f");
            let mut out = Vec::new();
            let mut small = [0u8; 3];
            loop {
                let n = reader.read(&mut small).unwrap();
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&small[..n]);
            }
            assert_eq!(String::from_utf8(out).unwrap(), text, "{encoding:?}");
        }
        let mut bad = DecodingReader::new(&b"ab\x82\xa0"[..], Encoding::Utf8, "f.csv");
        let err = bad.read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("byte 2"), "{err}");
    }
}
