//! Text from the config, flags or a server made safe to show on a terminal.
//!
//! A config line or a flag value can hold escape sequences (`ESC [ 2 J`, a title change, a
//! hyperlink) or bidirectional overrides that make the error say something else than it does.
//! Every message rota prints about input passes through here: control characters are shown
//! escaped, and echoed input is cut to a bounded length so that a megabyte of input cannot
//! become a megabyte of error.

use std::borrow::Cow;

/// The most characters of one message (or one echoed value) shown; the rest is summarised.
pub const MAX_MESSAGE: usize = 400;

/// Characters a terminal acts on instead of printing: C0 and C1 controls and the Unicode
/// bidirectional overrides and isolates.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

/// `text` with every unsafe character but the line break written as an escape (`\u{1b}`),
/// cut after [`MAX_MESSAGE`] characters.
pub fn message(text: &str) -> Cow<'_, str> {
    escape_with(text, MAX_MESSAGE, |c| c != '\n' && is_unsafe(c))
}

/// `text` on one line: every unsafe character escaped, cut after `max_chars` characters.
pub fn escape(text: &str, max_chars: usize) -> Cow<'_, str> {
    escape_with(text, max_chars, is_unsafe)
}

fn escape_with(text: &str, max_chars: usize, is_unsafe: impl Fn(char) -> bool) -> Cow<'_, str> {
    let clean = !text.chars().any(&is_unsafe);
    let count = text.chars().count();
    if clean && count <= max_chars {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len().min(max_chars * 2));
    for c in text.chars().take(max_chars) {
        if is_unsafe(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    if count > max_chars {
        out.push_str(&format!("… ({} more characters)", count - max_chars));
    }
    Cow::Owned(out)
}

/// One character per character, so that columns under it still line up: unsafe characters
/// become `�` (a tab a space).
pub fn same_width(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\t' => ' ',
                c if is_unsafe(c) => '\u{fffd}',
                c => c,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_shown_not_obeyed() {
        let shown = message("unknown zone `\u{1b}[2J\u{1b}]0;pwned\u{7}`");
        assert!(!shown.chars().any(is_unsafe), "{shown}");
        assert!(shown.contains("\\u{1b}[2J"), "{shown}");
    }

    #[test]
    fn bidirectional_overrides_are_escaped() {
        assert!(!message("a\u{202e}b").contains('\u{202e}'));
    }

    #[test]
    fn long_input_is_cut_and_counted() {
        let long = "x".repeat(1_000_000);
        let shown = message(&long);
        assert!(shown.len() < 500, "{}", shown.len());
        assert!(shown.ends_with("(999600 more characters)"), "{shown}");
    }

    #[test]
    fn same_width_keeps_columns() {
        assert_eq!(same_width("a\tb\u{1b}c"), "a b\u{fffd}c");
        assert!(matches!(same_width("plain"), Cow::Borrowed(_)));
    }
}
