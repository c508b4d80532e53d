//! Delimited text read one line at a time into reused buffers: the line's number,
//! its fields, and numbers parsed from them. No allocation per line, so a reader
//! of any length runs in the same few kilobytes.

use std::io::Read;

/// Bytes read from the source at a time: large enough that the per-read cost
/// vanishes, small enough to stay in cache. A longer line grows it.
const READ_BUFFER: usize = 128 * 1024;

/// The lines of a delimited text source, found in place in the read buffer
/// (never copied out of it).
pub(super) struct Lines<'r> {
    src: Box<dyn Read + 'r>,
    buf: Vec<u8>,
    /// Bytes of `buf` holding data.
    filled: usize,
    /// The current line is `buf[start..end]`, without its line ending.
    start: usize,
    end: usize,
    /// Where the next line starts.
    next: usize,
    eof: bool,
    /// Byte ranges (in `buf`) of the current line's fields.
    fields: Vec<(usize, usize)>,
    /// 1-based number of the current line.
    line: u64,
}

impl<'r> Lines<'r> {
    pub(super) fn new(src: Box<dyn Read + 'r>) -> Self {
        Self {
            src,
            buf: vec![0; READ_BUFFER],
            filled: 0,
            start: 0,
            end: 0,
            next: 0,
            eof: false,
            fields: Vec::with_capacity(16),
            line: 0,
        }
    }

    /// Moves to the next line that is not empty; `false` at the end of the source.
    pub(super) fn advance(&mut self) -> std::io::Result<bool> {
        loop {
            let from = self.next;
            let end = match memchr::memchr(b'\n', &self.buf[from..self.filled]) {
                Some(i) => from + i,
                None if self.eof => self.filled,
                None => {
                    self.refill()?;
                    continue;
                }
            };
            if from == end && end == self.filled {
                return Ok(false);
            }
            self.next = (end + 1).min(self.filled);
            self.line += 1;
            self.start = from;
            self.end = end;
            if self.buf[from..end].ends_with(b"\r") {
                self.end -= 1;
            }
            if self.line == 1 && self.text().starts_with(b"\xEF\xBB\xBF") {
                self.start += 3;
            }
            if self.start < self.end {
                return Ok(true);
            }
        }
    }

    /// Keeps the unread bytes, moved to the front, and reads more after them.
    fn refill(&mut self) -> std::io::Result<()> {
        self.buf.copy_within(self.next..self.filled, 0);
        self.filled -= self.next;
        self.next = 0;
        if self.filled == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            match self.src.read(&mut self.buf[self.filled..]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            return Ok(());
        }
    }

    /// The current line's text.
    pub(super) fn text(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// The current line's number (1-based).
    pub(super) fn number(&self) -> u64 {
        self.line
    }

    /// Splits the current line at `delimiter`; returns the number of fields.
    pub(super) fn split(&mut self, delimiter: u8) -> usize {
        self.fields.clear();
        let (first, mut start) = (self.start, self.start);
        for i in memchr::memchr_iter(delimiter, &self.buf[self.start..self.end]) {
            self.fields.push((start, first + i));
            start = first + i + 1;
        }
        self.fields.push((start, self.end));
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

/// Where a column's number goes in [`Lines::numbers`]' output, if anywhere.
pub(super) const SKIP: u8 = u8::MAX;

impl Lines<'_> {
    /// The fast path for a plain line: parses the numbers of the columns `slots`
    /// marks (column `i` into `out[slots[i]]`) straight from the text, skipping
    /// the others, in one pass. `false` when the line is anything but plain
    /// numbers with exactly `slots.len()` fields (blanks, quotes, decimal commas,
    /// a wrong field count, a bad value): [`Lines::split`] and
    /// [`number`] then read it, or say what is wrong with it.
    pub(super) fn numbers(&self, delimiter: u8, slots: &[u8], out: &mut [f64]) -> bool {
        let line = self.text();
        let mut pos = 0;
        for (col, &slot) in slots.iter().enumerate() {
            let rest = &line[pos..];
            if slot == SKIP {
                pos += memchr::memchr(delimiter, rest).unwrap_or(rest.len());
            } else {
                let parsed =
                    plain_decimal(rest).or_else(|| fast_float2::parse_partial::<f64, _>(rest).ok());
                let Some((v, used)) = parsed else {
                    return false;
                };
                match out.get_mut(usize::from(slot)) {
                    Some(o) if v.is_finite() => *o = v,
                    _ => return false,
                }
                pos += used;
            }
            let last = col + 1 == slots.len();
            match line.get(pos) {
                None if last => return true,
                Some(b) if *b == delimiter && !last => pos += 1,
                _ => return false,
            }
        }
        false
    }
}

/// Powers of ten exactly representable as `f64`.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The number a plain decimal (`-12.345`: a sign, digits, a point, digits) at the
/// start of `text` stands for, and its length; `None` for anything else
/// (exponents, long mantissas, `inf`), which the general parser then reads.
/// Exact: a mantissa under 2^53 divided by an exact power of ten is one
/// correctly rounded operation (Clinger's fast path), the same `f64` a full
/// parser gives, in a fraction of its time on the short numbers recordings hold.
fn plain_decimal(text: &[u8]) -> Option<(f64, usize)> {
    let negative = text.first() == Some(&b'-');
    let mut i = usize::from(negative || text.first() == Some(&b'+'));
    let mut mantissa = 0u64;
    let digits = |i: &mut usize, mantissa: &mut u64| {
        let start = *i;
        while let Some(d) = text
            .get(*i)
            .map(|b| b.wrapping_sub(b'0'))
            .filter(|d| *d < 10)
        {
            *mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
            *i += 1;
        }
        *i - start
    };
    let whole = digits(&mut i, &mut mantissa);
    let mut decimals = 0;
    if text.get(i) == Some(&b'.') {
        i += 1;
        decimals = digits(&mut i, &mut mantissa);
    }
    // Up to 19 digits fit a u64; under 2^53 the mantissa is exact as an f64.
    let exact = whole + decimals <= 19 && mantissa <= 1 << 53;
    if whole + decimals == 0 || !exact || matches!(text.get(i), Some(b'e' | b'E' | b'.')) {
        return None;
    }
    let value = mantissa as f64 / POW10.get(decimals)?;
    Some((if negative { -value } else { value }, i))
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
    fast_float2::parse(field).ok()
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

    #[test]
    fn plain_decimals_read_exactly_as_the_full_parser_reads_them() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..200_000 {
            let r = next();
            let int = (r % 100_000) >> (r % 17);
            let decimals = (r >> 20) % 11;
            let frac = (r >> 24) % 10u64.pow(decimals as u32);
            let sign = if r & (1 << 40) != 0 { "-" } else { "" };
            let text = format!("{sign}{int}.{frac:0width$},", width = decimals as usize);
            let (v, used) = plain_decimal(text.as_bytes()).expect(&text);
            let (want, want_used) = fast_float2::parse_partial::<f64, _>(&text).unwrap();
            assert_eq!((v.to_bits(), used), (want.to_bits(), want_used), "{text}");
        }
        for plain in ["7", "-0", "+3.25", ".5", "5.", "0.000000000000001"] {
            let want = fast_float2::parse::<f64, _>(plain).unwrap();
            assert_eq!(plain_decimal(plain.as_bytes()), Some((want, plain.len())));
        }
        for other in [
            "1e3",
            "1.2.3",
            "-",
            ".",
            "nan",
            "12345678901234567",
            "1.5E-3",
        ] {
            assert_eq!(plain_decimal(other.as_bytes()), None, "{other}");
        }
    }

    #[test]
    fn the_fast_path_takes_plain_lines_and_leaves_the_rest() {
        let text = b"1,2.5,x,-3\n1,2.5,x,-3,4\n1, 2.5,x,-3\n1,2.5,x,NaN\n1,2.5,x\n";
        let mut l = Lines::new(Box::new(&text[..]));
        let slots = [2, 0, SKIP, 1];
        let mut out = [0.0; 3];
        let mut took = Vec::new();
        while l.advance().unwrap() {
            took.push(l.numbers(b',', &slots, &mut out));
            if took.len() == 1 {
                assert_eq!(out, [2.5, -3.0, 1.0]);
            }
        }
        assert_eq!(took, [true, false, false, false, false]);
    }

    #[test]
    fn lines_longer_than_the_buffer_and_across_refills_come_whole() {
        let long = "x".repeat(3 * READ_BUFFER);
        let mut text = format!("{long}\r\n");
        for i in 0..100_000 {
            text.push_str(&format!("{i},{}\n", i * 2));
        }
        text.push_str("last,line");
        let mut l = Lines::new(Box::new(text.as_bytes()));
        assert!(l.advance().unwrap());
        assert_eq!(l.text(), long.as_bytes());
        for i in 0..100_000 {
            assert!(l.advance().unwrap());
            assert_eq!(l.text(), format!("{i},{}", i * 2).as_bytes());
        }
        assert!(l.advance().unwrap());
        assert_eq!((l.text(), l.number()), (&b"last,line"[..], 100_002));
        assert!(!l.advance().unwrap());
    }
}
