//! Config errors that point at the file, line and column, say what is wrong and how to fix it.

use std::fmt;
use std::ops::Range;

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
    pub fn render(&self, styled: bool) -> String {
        let (red, bold, blue, reset) = if styled {
            ("\x1b[1;31m", "\x1b[1m", "\x1b[1;34m", "\x1b[0m")
        } else {
            ("", "", "", "")
        };
        let mut out = String::new();
        for d in &self.diagnostics {
            let loc = self.location(d);
            out.push_str(&format!(
                "{bold}{}:{}:{}:{reset} {red}error:{reset} {bold}{}{reset}\n",
                self.path, loc.line, loc.column, d.message
            ));
            let gutter = std::iter::once(&d.span)
                .chain(d.labels.iter().map(|l| &l.span))
                .map(|span| location(&self.text, span.start).line.to_string().len())
                .max()
                .unwrap_or(1);
            let snippet = |out: &mut String, span: &Range<usize>, mark: char, note: &str| {
                let loc = location(&self.text, span.start);
                let Some(src) = self.text.lines().nth(loc.line - 1) else {
                    return;
                };
                let width = underline_width(src, loc.column, span);
                let note = if note.is_empty() {
                    String::new()
                } else {
                    format!(" {note}")
                };
                out.push_str(&format!(
                    "{blue}{:gutter$} |{reset}\n{blue}{:>gutter$} |{reset} {}\n{blue}{:gutter$} |{reset} {}{red}{}{}{reset}\n",
                    "",
                    loc.line,
                    src,
                    "",
                    " ".repeat(loc.column - 1),
                    mark.to_string().repeat(width),
                    note,
                ));
            };
            snippet(&mut out, &d.span, '^', "");
            for label in &d.labels {
                snippet(&mut out, &label.span, '-', &label.message);
            }
            if let Some(help) = &d.help {
                out.push_str(&format!("  {bold}help:{reset} {help}\n"));
            }
        }
        let n = self.diagnostics.len();
        out.push_str(&format!(
            "{red}error:{reset} {} has {n} error{}; nothing was done\n",
            self.path,
            if n == 1 { "" } else { "s" }
        ));
        out
    }
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
