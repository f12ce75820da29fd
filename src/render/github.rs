//! GitHub Actions workflow commands (`::error file=…,line=…,col=…,title=…::message`), so a
//! check run in CI annotates the config line of the rotation, rule, override or person that is
//! wrong. Escaped as the runner unescapes them: `%`, CR and LF in the message, and also `:` and
//! `,` in the properties.

use crate::check::{Conflict, ConflictKind, Severity};
use crate::config::ConfigError;
use crate::model::Model;

use super::check::{CheckView, daily, folded_gaps, length, message, span};

/// One annotation; `line` 0 when there is no line to point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub severity: Severity,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub title: String,
    pub message: String,
}

impl Annotation {
    /// The workflow command, one line.
    pub fn command(&self) -> String {
        let mut props = vec![format!("file={}", property(&self.file))];
        if self.line > 0 {
            props.push(format!("line={}", self.line));
            props.push(format!("col={}", self.column.max(1)));
        }
        props.push(format!("title={}", property(&self.title)));
        format!(
            "::{} {}::{}\n",
            self.severity.name(),
            props.join(","),
            data(&self.message)
        )
    }
}

/// The message part of a workflow command.
pub fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value of a workflow command.
pub fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Every gap (folded as in text) and conflict of a check, at its config line in `file`, then a
/// notice-free summary line the log shows.
pub fn check(view: &CheckView, file: &str) -> String {
    let model = view.model;
    let mut out = String::new();
    for run in folded_gaps(&view.report.gaps, view.tz) {
        let (first, last) = (&run[0], &run[run.len() - 1]);
        let rule = &model.coverage[first.rule].name;
        let when = match run.len() {
            1 => format!(
                "{} ({})",
                span(first.start, first.end, view.tz),
                span(first.start, first.end, chrono_tz::UTC)
            ),
            n => daily(first, last, n, view.tz),
        };
        out.push_str(
            &Annotation {
                severity: Severity::Error,
                file: file.to_string(),
                line: model.lines.rule(first.rule),
                column: 1,
                title: format!("coverage gap: {rule}"),
                message: format!(
                    "{rule}: {when}, {} with {} of {} on duty",
                    length(first.length()),
                    first.on_duty,
                    first.min
                ),
            }
            .command(),
        );
    }
    for c in &view.report.conflicts {
        out.push_str(&conflict(view, c, file).command());
    }
    out
}

fn conflict(view: &CheckView, c: &Conflict, file: &str) -> Annotation {
    let model = view.model;
    let who = c
        .person
        .map(|p| format!("{}: ", model.people[p].id))
        .unwrap_or_default();
    Annotation {
        severity: c.kind.severity(),
        file: file.to_string(),
        line: line_of(model, c),
        column: 1,
        title: c.kind.name().to_string(),
        message: format!(
            "{who}{} ({})",
            message(model, c),
            span(c.start, c.end, view.tz)
        ),
    }
}

/// The config line a finding is about: the override or rule it names, the person it concerns,
/// else its rotation.
fn line_of(model: &Model, c: &Conflict) -> usize {
    let rotation = || c.rotations.first().map_or(0, |&r| model.lines.rotation(r));
    match c.kind {
        ConflictKind::OverrideOutsideShifts { line, .. } => line,
        ConflictKind::CoverageRuleUnmatched { rule } => model.lines.rule(rule),
        ConflictKind::UnevenTurns { .. } | ConflictKind::PublishedTurnUnserved { .. } => rotation(),
        _ => c.person.map_or_else(rotation, |p| model.lines.person(p)),
    }
}

/// A config that does not load, one annotation per problem.
pub fn config_error(e: &ConfigError) -> String {
    e.diagnostics
        .iter()
        .map(|d| {
            let at = e.location(d);
            let message = match &d.help {
                Some(help) => format!("{}\nhelp: {help}", d.message),
                None => d.message.clone(),
            };
            Annotation {
                severity: Severity::Error,
                file: e.path.clone(),
                line: at.line,
                column: at.column,
                title: "rota: invalid config".to_string(),
                message,
            }
            .command()
        })
        .collect()
}

/// Any other error (bad flags, an unreadable file), without a place to point at.
pub fn other_error(message: &str, help: Option<&str>, file: &str) -> String {
    let message = match help {
        Some(h) => format!("{message}\nhelp: {h}"),
        None => message.to_string(),
    };
    Annotation {
        severity: Severity::Error,
        file: file.to_string(),
        line: 0,
        column: 0,
        title: "rota".to_string(),
        message,
    }
    .command()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_properties_are_escaped_as_the_runner_unescapes_them() {
        assert_eq!(data("100% done\r\nnext"), "100%25 done%0D%0Anext");
        assert_eq!(property("a:b,c%"), "a%3Ab%2Cc%25");
        let a = Annotation {
            severity: Severity::Warning,
            file: "teams/a,b.toml".into(),
            line: 12,
            column: 1,
            title: "night-shift".into(),
            message: "ana: on apac, 02:00".into(),
        };
        assert_eq!(
            a.command(),
            "::warning file=teams/a%2Cb.toml,line=12,col=1,title=night-shift::ana: on apac, 02:00\n"
        );
    }
}
