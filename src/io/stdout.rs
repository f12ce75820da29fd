//! Standard output, styled on a terminal and stripped elsewhere, as anstream decides.
//!
//! anstream's stripping adapter reads every byte through an escape-sequence state machine.
//! A year's plan or check of a large organisation is hundreds of megabytes of JSON that holds
//! no escape sequence, and that reading was a quarter of the run. So plain text goes straight
//! through, and the adapter's own stripper takes over from the first write that is not plain:
//! the bytes that reach the terminal or the pipe are the same.

use std::io::{self, StdoutLock, Write};

use anstream::adapter::StripBytes;
use anstream::{AutoStream, ColorChoice};

/// Standard output, locked for the run.
pub enum Stdout {
    /// Styles are shown (a colour terminal, or forced on): anstream passes them through.
    Styled(AutoStream<StdoutLock<'static>>),
    /// Styles and control characters are removed.
    Stripped(Stripped<StdoutLock<'static>>),
    /// `--quiet`: nothing is written; the exit code tells the result.
    Quiet,
}

pub fn stdout() -> Stdout {
    let raw = io::stdout();
    match AutoStream::choice(&raw) {
        ColorChoice::Never => Stdout::Stripped(Stripped::new(raw.lock())),
        choice => Stdout::Styled(AutoStream::new(raw.lock(), choice)),
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stdout::Styled(s) => s.write(buf),
            Stdout::Stripped(s) => s.write(buf),
            Stdout::Quiet => Ok(buf.len()),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Stdout::Styled(s) => s.write_all(buf),
            Stdout::Stripped(s) => s.write_all(buf),
            Stdout::Quiet => Ok(()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stdout::Styled(s) => s.flush(),
            Stdout::Stripped(s) => s.flush(),
            Stdout::Quiet => Ok(()),
        }
    }
}

/// Writes to `raw` what `anstream::StripStream` would.
pub struct Stripped<W> {
    raw: W,
    /// Created at the first write that is not plain. From then on every byte goes through it,
    /// since an escape sequence may continue in the next write.
    stripper: Option<StripBytes>,
}

impl<W: Write> Stripped<W> {
    pub fn new(raw: W) -> Self {
        Stripped {
            raw,
            stripper: None,
        }
    }

    pub fn into_inner(self) -> W {
        self.raw
    }
}

impl<W: Write> Write for Stripped<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        if self.stripper.is_none() && is_plain(buf) {
            return self.raw.write_all(buf);
        }
        let stripper = self.stripper.get_or_insert_with(StripBytes::new);
        for printable in stripper.strip_next(buf) {
            self.raw.write_all(printable)?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.raw.flush()
    }
}

/// Whole UTF-8 characters with no escape or control character but whitespace: the bytes the
/// stripper passes unchanged, and after which it is back in its ground state.
fn is_plain(buf: &[u8]) -> bool {
    // Folded without an early exit, so that the loop runs many bytes at a time.
    let stripped = |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | 0x0c | b'\r')) | (b == 0x7f);
    !buf.iter().fold(false, |any, &b| any | stripped(b)) && std::str::from_utf8(buf).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through_stripped(writes: &[&[u8]]) -> Vec<u8> {
        let mut out = Stripped::new(Vec::new());
        for w in writes {
            out.write_all(w).unwrap();
        }
        out.into_inner()
    }

    fn through_anstream(writes: &[&[u8]]) -> Vec<u8> {
        let mut out = anstream::StripStream::new(Vec::new());
        for w in writes {
            out.write_all(w).unwrap();
        }
        out.into_inner()
    }

    #[test]
    fn writes_what_anstream_strips_to() {
        let cases: [&[&[u8]]; 7] = [
            &[b"{\"shifts\": []}\n", "Inês Yılmaz\tß\r\n".as_bytes()],
            &[b"\x1b[1;31merror:\x1b[0m bad\n"],
            &[
                b"plain first ",
                b"\x1b[33mthen styled\x1b[0m",
                b" and plain",
            ],
            // A sequence split across writes, as `write!` with a style may do.
            &[b"a \x1b[", b"1;31", b"m red \x1b", b"[0m done"],
            &[b"bell\x07 delete\x7f vertical tab\x0b form feed\x0c end"],
            &[
                "über ".as_bytes(),
                "\u{85} next line, \u{9b} csi".as_bytes(),
            ],
            &[b"\x1b]8;;https://example.org\x1b\\link\x1b]8;;\x1b\\"],
        ];
        for writes in cases {
            assert_eq!(
                String::from_utf8_lossy(&through_stripped(writes)),
                String::from_utf8_lossy(&through_anstream(writes)),
                "{writes:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_in_any_pieces_strips_as_anstream_does(
            text in r"[a-zé€\u{85}\u{9b} \t\n\r\x07\x0b\x7f\x1b\\\[\]0-9;m]{0,40}",
            cuts in proptest::collection::vec(0usize..40, 0..4),
        ) {
            let bytes = text.as_bytes();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
            cuts.sort();
            let mut pieces = Vec::new();
            let mut from = 0;
            for cut in cuts.into_iter().chain([bytes.len()]) {
                pieces.push(&bytes[from..cut]);
                from = cut;
            }
            proptest::prop_assert_eq!(through_stripped(&pieces), through_anstream(&pieces));
        }
    }

    #[test]
    fn plain_text_is_written_without_the_stripper() {
        let mut out = Stripped::new(Vec::new());
        out.write_all(b"{\"a\": 1}\n").unwrap();
        assert!(out.stripper.is_none());
        out.write_all(b"\x1b[1m").unwrap();
        assert!(out.stripper.is_some());
    }
}
