//! Delimited text read one line at a time into reused buffers: the line's number,
//! its fields, and numbers parsed from them. No allocation per line, so a reader
//! of any length runs in the same few kilobytes.

use std::io::{BufRead, BufReader, Read};

/// Bytes read from the source at a time: large enough that the per-read cost
/// vanishes, small enough to stay in cache.
const READ_BUFFER: usize = 128 * 1024;

/// The lines of a delimited text source.
pub(super) struct Lines<'r> {
    src: BufReader<Box<dyn Read + 'r>>,
    buf: Vec<u8>,
    /// Byte ranges of the current line's fields.
    fields: Vec<(usize, usize)>,
    /// 1-based number of the current line.
    line: u64,
}

impl<'r> Lines<'r> {
    pub(super) fn new(src: Box<dyn Read + 'r>) -> Self {
        Self {
            src: BufReader::with_capacity(READ_BUFFER, src),
            buf: Vec::with_capacity(256),
            fields: Vec::with_capacity(16),
            line: 0,
        }
    }

    /// Reads the next line that is not empty; `false` at the end of the source.
    pub(super) fn advance(&mut self) -> std::io::Result<bool> {
        loop {
            self.buf.clear();
            if self.src.read_until(b'\n', &mut self.buf)? == 0 {
                return Ok(false);
            }
            self.line += 1;
            while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
                self.buf.pop();
            }
            if self.line == 1 && self.buf.starts_with(b"\xEF\xBB\xBF") {
                self.buf.drain(..3);
            }
            if !self.buf.is_empty() {
                return Ok(true);
            }
        }
    }

    /// The current line's text.
    pub(super) fn text(&self) -> &[u8] {
        &self.buf
    }

    /// The current line's number (1-based).
    pub(super) fn number(&self) -> u64 {
        self.line
    }

    /// Splits the current line at `delimiter`; returns the number of fields.
    pub(super) fn split(&mut self, delimiter: u8) -> usize {
        self.fields.clear();
        let mut start = 0;
        for (i, b) in self.buf.iter().enumerate() {
            if *b == delimiter {
                self.fields.push((start, i));
                start = i + 1;
            }
        }
        self.fields.push((start, self.buf.len()));
        self.fields.len()
    }

    /// Field `i` of the current line (after [`Lines::split`]), without surrounding
    /// blanks or quotes; empty if the line has no such field.
    pub(super) fn field(&self, i: usize) -> &[u8] {
        self.fields
            .get(i)
            .map_or(&[][..], |&(a, b)| clean(&self.buf[a..b]))
    }
}

/// A header or value without surrounding blanks or double quotes.
pub(super) fn clean(mut s: &[u8]) -> &[u8] {
    s = s.trim_ascii();
    if s.len() >= 2 && s[0] == b'"' && s[s.len() - 1] == b'"' {
        s = s[1..s.len() - 1].trim_ascii();
    }
    s
}

/// A finite number, with `.` or (as some locales export it) `,` before the
/// decimals.
pub(super) fn number(field: &[u8]) -> Option<f64> {
    let parsed = match parse_f64(field) {
        Some(v) => v,
        None => decimal_comma(field)?,
    };
    parsed.is_finite().then_some(parsed)
}

fn decimal_comma(field: &[u8]) -> Option<f64> {
    let mut copy = [0u8; 64];
    let dst = copy.get_mut(..field.len())?;
    dst.copy_from_slice(field);
    let comma = dst.iter().position(|b| *b == b',')?;
    dst[comma] = b'.';
    parse_f64(dst)
}

fn parse_f64(field: &[u8]) -> Option<f64> {
    std::str::from_utf8(field).ok()?.parse().ok()
}

/// A whole number (nanosecond timestamps are too long for an `f64` to keep).
pub(super) fn integer(field: &[u8]) -> Option<i64> {
    std::str::from_utf8(field).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_skip_blank_ones_and_count_them() {
        let mut l = Lines::new(Box::new(&b"\xEF\xBB\xBFa,b\r\n\n1, \"2\" \n"[..]));
        assert!(l.advance().unwrap());
        assert_eq!((l.number(), l.split(b','), l.field(0)), (1, 2, &b"a"[..]));
        assert!(l.advance().unwrap());
        assert_eq!(l.number(), 3);
        l.split(b',');
        assert_eq!((l.field(1), l.field(7)), (&b"2"[..], &b""[..]));
        assert!(!l.advance().unwrap());
    }

    #[test]
    fn numbers_accept_decimal_commas_and_refuse_non_finite() {
        assert_eq!(number(b"-0.5"), Some(-0.5));
        assert_eq!(number(b"-0,5"), Some(-0.5));
        assert_eq!(number(b"1e3"), Some(1000.0));
        assert_eq!(number(b"NaN"), None);
        assert_eq!(number(b"inf"), None);
        assert_eq!(number(b"1.2.3"), None);
        assert_eq!(number(b""), None);
        assert_eq!(
            integer(b"599616065136175104"),
            Some(599_616_065_136_175_104)
        );
    }
}
