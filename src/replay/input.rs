//! Reading logs as a stream of lines: files plain, gzip or zstd compressed (told apart by their
//! magic bytes, not their names: rotated logs are `access.log.1.gz` and `access.log-20240101`
//! alike), one line at a time into one reused buffer, so that memory does not grow with the
//! log's length. gzip's magic is `1f 8b` (RFC 1952 section 2.3.1), zstd's frame magic
//! `28 b5 2f fd` (RFC 8878 section 3.1.1); a gzip file of several members (`cat a.gz b.gz`,
//! logrotate's `delaycompress` appends) is read whole.

use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// How a file is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Plain text.
    None,
    /// gzip.
    Gzip,
    /// Zstandard.
    Zstd,
}

/// The compression named by a file's first bytes.
pub fn sniff(head: &[u8]) -> Compression {
    if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    }
}

/// Wrap `inner` (whose first bytes decide) in the decoder it needs.
pub fn decoder<'r, R: BufRead + 'r>(mut inner: R) -> std::io::Result<Box<dyn BufRead + 'r>> {
    let c = sniff(inner.fill_buf()?);
    const BUF: usize = 256 * 1024;
    Ok(match c {
        Compression::None => Box::new(inner),
        Compression::Gzip => Box::new(BufReader::with_capacity(BUF, MultiGzDecoder::new(inner))),
        Compression::Zstd => Box::new(BufReader::with_capacity(
            BUF,
            zstd::stream::read::Decoder::with_buffer(inner)?,
        )),
    })
}

/// Open `path` (`-`: standard input) for reading lines, decompressing as its magic says.
pub fn open(path: &Path) -> std::io::Result<Box<dyn BufRead>> {
    if path == Path::new("-") {
        return decoder(BufReader::new(std::io::stdin()));
    }
    let f = File::open(path)?;
    decoder(BufReader::with_capacity(256 * 1024, f))
}

/// The longest line read (1 MiB): longer ones are bad lines, skipped.
pub const MAX_LINE: usize = 1 << 20;

/// Lines of a reader, numbered from 1, into one reused buffer.
#[derive(Debug)]
pub struct Lines<R> {
    inner: R,
    buf: Vec<u8>,
    number: u64,
}

impl<R: BufRead> Lines<R> {
    /// Read `inner` line by line.
    pub fn new(inner: R) -> Lines<R> {
        Lines {
            inner,
            buf: Vec::with_capacity(1024),
            number: 0,
        }
    }

    /// The next line (without its `\n` or `\r\n`) and its number; `Ok(None)` at the end. A
    /// line that is not UTF-8, or longer than [`MAX_LINE`] bytes (read no further than that: a
    /// file without newlines must not fill the memory), is `Err` of that line in the inner
    /// result.
    #[allow(clippy::type_complexity)]
    pub fn next_line(&mut self) -> std::io::Result<Option<(u64, Result<&str, String>)>> {
        self.buf.clear();
        let limit = MAX_LINE as u64 + 1;
        if (&mut self.inner)
            .take(limit)
            .read_until(b'\n', &mut self.buf)?
            == 0
        {
            return Ok(None);
        }
        self.number += 1;
        if self.buf.len() > MAX_LINE && self.buf.last() != Some(&b'\n') {
            self.skip_line()?;
            return Ok(Some((
                self.number,
                Err(format!("line longer than {MAX_LINE} bytes: skipped")),
            )));
        }
        let mut b = &self.buf[..];
        if let Some(x) = b.strip_suffix(b"\n") {
            b = x;
        }
        if let Some(x) = b.strip_suffix(b"\r") {
            b = x;
        }
        let line = std::str::from_utf8(b)
            .map_err(|e| format!("column {}: not UTF-8 text", e.valid_up_to() + 1));
        Ok(Some((self.number, line)))
    }

    /// Consume the rest of an over-long line, up to and including its newline.
    fn skip_line(&mut self) -> std::io::Result<()> {
        loop {
            let chunk = self.inner.fill_buf()?;
            if chunk.is_empty() {
                return Ok(());
            }
            if let Some(i) = chunk.iter().position(|&c| c == b'\n') {
                self.inner.consume(i + 1);
                return Ok(());
            }
            let n = chunk.len();
            self.inner.consume(n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    fn read_all(mut r: impl Read) -> std::io::Result<String> {
        let mut s = String::new();
        r.read_to_string(&mut s)?;
        Ok(s)
    }

    const TEXT: &str = "one\r\ntwo\n\nthree";

    fn lines_of(r: Box<dyn BufRead + '_>) -> Vec<(u64, String)> {
        let mut l = Lines::new(r);
        let mut out = Vec::new();
        while let Some((n, line)) = l.next_line().unwrap() {
            out.push((n, line.unwrap().to_string()));
        }
        out
    }

    fn expected() -> Vec<(u64, String)> {
        vec![
            (1, "one".into()),
            (2, "two".into()),
            (3, "".into()),
            (4, "three".into()),
        ]
    }

    #[test]
    fn plain_gzip_and_zstd_read_alike() {
        assert_eq!(lines_of(decoder(TEXT.as_bytes()).unwrap()), expected());

        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(TEXT.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(sniff(&gz), Compression::Gzip);
        assert_eq!(lines_of(decoder(&gz[..]).unwrap()), expected());

        let zst = zstd::encode_all(TEXT.as_bytes(), 3).unwrap();
        assert_eq!(sniff(&zst), Compression::Zstd);
        assert_eq!(lines_of(decoder(&zst[..]).unwrap()), expected());
    }

    #[test]
    fn concatenated_gzip_members_are_read_whole() {
        let member = |s: &str| {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(s.as_bytes()).unwrap();
            gz.finish().unwrap()
        };
        let mut both = member("a\n");
        both.extend(member("b\n"));
        let got = lines_of(decoder(&both[..]).unwrap());
        assert_eq!(got, vec![(1, "a".into()), (2, "b".into())]);
    }

    #[test]
    fn non_utf8_line_is_an_error_of_that_line_only() {
        let bytes: &[u8] = b"ok\nbad \xff\nok2\n";
        let mut l = Lines::new(bytes);
        assert_eq!(l.next_line().unwrap().unwrap().1, Ok("ok"));
        let (n, bad) = l.next_line().unwrap().unwrap();
        assert_eq!((n, bad), (2, Err("column 5: not UTF-8 text".to_string())));
        assert_eq!(l.next_line().unwrap().unwrap().1, Ok("ok2"));
        assert!(l.next_line().unwrap().is_none());
    }

    #[test]
    fn an_over_long_line_is_a_bad_line_and_reading_goes_on() {
        let mut text = vec![b'x'; MAX_LINE * 3];
        text.extend_from_slice(b"\nnext\n");
        let mut l = Lines::new(&text[..]);
        let (n, r) = l.next_line().unwrap().unwrap();
        assert_eq!(n, 1);
        assert!(r.unwrap_err().contains("longer than"));
        assert_eq!(l.next_line().unwrap().unwrap(), (2, Ok("next")));
        assert!(l.next_line().unwrap().is_none());
        // exactly MAX_LINE bytes and its newline is still a line
        let mut text = vec![b'y'; MAX_LINE];
        text.push(b'\n');
        let mut l = Lines::new(&text[..]);
        assert_eq!(
            l.next_line().unwrap().unwrap().1.map(str::len),
            Ok(MAX_LINE)
        );
    }

    #[test]
    fn truncated_gzip_is_an_io_error() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&[b'x'; 10_000]).unwrap();
        let gz = gz.finish().unwrap();
        let cut = &gz[..gz.len() / 2];
        assert!(read_all(decoder(cut).unwrap()).is_err());
    }
}
