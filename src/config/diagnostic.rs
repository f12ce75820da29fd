//! Config errors that point at the file, line and column, say what is wrong and how to fix it.

use std::fmt;
use std::ops::Range;

use crate::printable;

/// One problem found in the config, with the byte span it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub span: Range<usize>,
    pub message: String,
    pub help: Option<String>,
    /// Other places the problem involves, e.g. the first definition of a duplicate.
    pub labels: Vec<Label>,
}

/// A secondary place in the text, with what it is ("first defined here").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Range<usize>,
    pub message: String,
}

impl Diagnostic {
    pub fn new(span: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic {
            span,
            message: message.into(),
            help: None,
            labels: Vec::new(),
        }
    }

    /// Points at a second place, shown under the first with `message` beside its underline.
    pub fn label(mut self, span: Range<usize>, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Every problem found in one config file; rendering needs the text for line numbers.
#[derive(Debug, Clone)]
pub struct ConfigError {
    pub path: String,
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// Where a diagnostic sits, 1-based, with the column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl ConfigError {
    pub fn location(&self, d: &Diagnostic) -> Location {
        location(&self.text, d.span.start)
    }

    /// Renders every diagnostic; `style` decides whether ANSI styles are emitted.
    ///
    /// The output is bounded whatever the input: at most [`MAX_SHOWN`] diagnostics, each
    /// message cut to a few hundred characters, each source line to a window around the
    /// column, and nothing from the file reaches the terminal unescaped.
    pub fn render(&self, styled: bool) -> String {
        let (red, bold, blue, reset) = if styled {
            ("\x1b[1;31m", "\x1b[1m", "\x1b[1;34m", "\x1b[0m")
        } else {
            ("", "", "", "")
        };
        let path = printable::escape(&self.path, printable::MAX_MESSAGE);
        let lines = Lines::new(&self.text);
        let mut out = String::new();
        for d in self.diagnostics.iter().take(MAX_SHOWN) {
            let loc = lines.location(d.span.start);
            out.push_str(&format!(
                "{bold}{path}:{}:{}:{reset} {red}error:{reset} {bold}{}{reset}\n",
                loc.line,
                loc.column,
                printable::message(&d.message)
            ));
            let gutter = std::iter::once(&d.span)
                .chain(d.labels.iter().map(|l| &l.span))
                .map(|span| lines.location(span.start).line.to_string().len())
                .max()
                .unwrap_or(1);
            let snippet = |out: &mut String, span: &Range<usize>, mark: char, note: &str| {
                let loc = lines.location(span.start);
                let Some(src) = lines.line(loc.line) else {
                    return;
                };
                let (shown, column) = snippet(src, loc.column);
                let width = underline_width(&shown, column, span);
                let note = if note.is_empty() {
                    String::new()
                } else {
                    format!(" {}", printable::message(note))
                };
                out.push_str(&format!(
                    "{blue}{:gutter$} |{reset}\n{blue}{:>gutter$} |{reset} {}\n{blue}{:gutter$} |{reset} {}{red}{}{}{reset}\n",
                    "",
                    loc.line,
                    shown,
                    "",
                    " ".repeat(column - 1),
                    mark.to_string().repeat(width),
                    note,
                ));
            };
            snippet(&mut out, &d.span, '^', "");
            for label in &d.labels {
                snippet(&mut out, &label.span, '-', &label.message);
            }
            if let Some(help) = &d.help {
                out.push_str(&format!(
                    "  {bold}help:{reset} {}\n",
                    printable::message(help)
                ));
            }
        }
        let n = self.diagnostics.len();
        if n > MAX_SHOWN {
            out.push_str(&format!(
                "{bold}… and {} more errors not shown{reset}; fix the ones above and run again\n",
                n - MAX_SHOWN
            ));
        }
        out.push_str(&format!(
            "{red}error:{reset} {path} has {n} error{}; nothing was done\n",
            if n == 1 { "" } else { "s" }
        ));
        out
    }
}

/// The most diagnostics one run prints; a file with thousands of the same mistake gets the
/// first ones and a count, not thousands of snippets.
pub const MAX_SHOWN: usize = 50;

/// Characters of a source line shown on each side of the column an error points at.
const SNIPPET_CONTEXT: usize = 60;

/// The line starts of a text, found once, so that placing many diagnostics stays linear.
struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    fn location(&self, offset: usize) -> Location {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let column = self.text[start..offset].chars().count() + 1;
        Location { line, column }
    }

    /// Line `n` (1-based) without its line break.
    fn line(&self, n: usize) -> Option<&'t str> {
        let start = *self.starts.get(n - 1)?;
        let end = self.starts.get(n).map_or(self.text.len(), |&next| next - 1);
        if start > self.text.len() || (start == self.text.len() && n > 1) {
            return None;
        }
        Some(self.text[start..end].trim_end_matches('\r'))
    }
}

/// The part of `src` shown under a diagnostic, safe for a terminal, and the column of the
/// error in it. A secret on the line (`password = "…"`) is never shown.
fn snippet(src: &str, column: usize) -> (String, usize) {
    if let Some(key_len) = secret_key(src) {
        let key: String = src.chars().take(key_len).collect();
        return (
            format!("{key} = <value not shown>"),
            column.min(key_len + 4),
        );
    }
    let skip = column.saturating_sub(SNIPPET_CONTEXT + 1);
    let mut shown = String::new();
    let mut column = column - skip;
    if skip > 0 {
        shown.push('…');
        column += 1;
    }
    let mut chars = src.chars().skip(skip);
    shown.extend(chars.by_ref().take(2 * SNIPPET_CONTEXT));
    if chars.next().is_some() {
        shown.push('…');
    }
    (printable::same_width(&shown).into_owned(), column)
}

/// Where a line that sets a password-like key ends its key: `password = "hunter2"` → 8.
fn secret_key(line: &str) -> Option<usize> {
    let trimmed = line.trim_start();
    let indent = line.chars().count() - trimmed.chars().count();
    let key: String = trimmed
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '"' | '\''))
        .collect();
    let bare = key.trim_matches(['"', '\'']).to_ascii_lowercase();
    let rest = trimmed[key.len()..].trim_start();
    let secret = matches!(
        bare.as_str(),
        "password" | "pass" | "passwd" | "secret" | "token"
    );
    (secret && rest.starts_with('=')).then_some(indent + key.chars().count())
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for ConfigError {}

pub fn location(text: &str, offset: usize) -> Location {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    Location { line, column }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn underline_width(src: &str, column: usize, span: &Range<usize>) -> usize {
    let rest = src.chars().count().saturating_sub(column - 1);
    span.len().clamp(1, rest.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_counts_lines_and_characters_from_one() {
        let text = "a = 1\nname = \"Inês\"\nx = 2\n";
        let offset = text.find("x =").unwrap();
        assert_eq!(location(text, offset), Location { line: 3, column: 1 });
        let offset = text.find('"').unwrap();
        assert_eq!(location(text, offset), Location { line: 2, column: 8 });
    }

    #[test]
    fn render_names_file_line_column_and_help() {
        let text = "[team]\ntimezone = \"Europe/Bucharet\"\n".to_string();
        let start = text.find('"').unwrap();
        let err = ConfigError {
            path: "rotation.toml".into(),
            text: text.clone(),
            diagnostics: vec![
                Diagnostic::new(start..start + 17, "unknown time zone")
                    .help("did you mean `Europe/Bucharest`?"),
            ],
        };
        let out = err.render(false);
        assert!(
            out.starts_with("rotation.toml:2:12: error: unknown time zone\n"),
            "{out}"
        );
        assert!(out.contains("help: did you mean `Europe/Bucharest`?"));
    }

    #[test]
    fn a_label_shows_the_second_place_under_the_first() {
        let text = "id = \"ana\"\nid = \"ana\"\n".to_string();
        let second = text.rfind('"').unwrap() - 4;
        let err = ConfigError {
            path: "rotation.toml".into(),
            text: text.clone(),
            diagnostics: vec![
                Diagnostic::new(second..second + 5, "person id `ana` is used twice")
                    .label(5..10, "first defined here"),
            ],
        };
        let out = err.render(false);
        assert!(
            out.contains("2 | id = \"ana\"\n  |      ^^^^^\n  |\n1 | id = \"ana\"\n  |      ----- first defined here\n"),
            "{out}"
        );
    }
}
