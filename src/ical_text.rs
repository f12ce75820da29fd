//! iCalendar TEXT values (RFC 5545 section 3.3.11): the escaping both the feeds' writer and
//! the reader of previous feeds use, so that a value read back compares with one written.

/// `value` as an escaped TEXT value: backslash, semicolon, comma and line break are escaped, as
/// the icalendar crate escapes them.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    escape_pieces(value, |piece| out.push_str(piece));
    out
}

/// Hands `value` to `piece` in pieces, escaped.
pub fn escape_pieces(value: &str, mut piece: impl FnMut(&str)) {
    let mut rest = value;
    // Byte by byte: the four are ASCII, and a set of chars would be searched much slower.
    while let Some(at) = rest
        .bytes()
        .position(|b| matches!(b, b'\\' | b';' | b',' | b'\n'))
    {
        piece(&rest[..at]);
        piece(match rest.as_bytes()[at] {
            b'\\' => "\\\\",
            b';' => "\\;",
            b',' => "\\,",
            _ => "\\n",
        });
        rest = &rest[at + 1..];
    }
    piece(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_special_characters_are_escaped_and_nothing_else() {
        assert_eq!(
            escape("Doe, Jane; a\\b\nc — ñ"),
            "Doe\\, Jane\\; a\\\\b\\nc — ñ"
        );
        assert_eq!(escape(""), "");
    }
}
