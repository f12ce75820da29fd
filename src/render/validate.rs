//! `rota validate --format json`, and config errors as JSON for any command asked for JSON.

use serde::Serialize;

use crate::config::ConfigError;
use crate::config::diagnostic::location;
use crate::model::Model;

#[derive(Serialize)]
struct Summary<'a> {
    ok: bool,
    file: &'a str,
    team: &'a str,
    timezone: &'a str,
    start: String,
    people: usize,
    rotations: usize,
    coverage_rules: usize,
    overrides: usize,
}

#[derive(Serialize)]
struct Errors<'a> {
    ok: bool,
    file: &'a str,
    errors: Vec<ErrorEntry<'a>>,
}

#[derive(Serialize)]
struct ErrorEntry<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
    help: Option<&'a str>,
    /// Other places the error involves ("first defined here").
    related: Vec<Related<'a>>,
}

#[derive(Serialize)]
struct Related<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
}

/// `{"ok": true, "file": …, "team": …, "people": 2, …}` and a line break.
pub fn summary(file: &str, model: &Model) -> String {
    let summary = Summary {
        ok: true,
        file,
        team: &model.team.name,
        timezone: model.team.timezone.name(),
        start: model.team.start.to_string(),
        people: model.people.len(),
        rotations: model.rotations.len(),
        coverage_rules: model.coverage.len(),
        overrides: model.overrides.len(),
    };
    to_json(&summary)
}

/// `{"ok": false, "file": …, "errors": [{"file", "line", "column", "message", "help", …}]}`.
pub fn errors(e: &ConfigError) -> String {
    let errors = e
        .diagnostics
        .iter()
        .map(|d| {
            let start = location(&e.text, d.span.start);
            let end = location(&e.text, d.span.end.max(d.span.start));
            ErrorEntry {
                file: &e.path,
                line: start.line,
                column: start.column,
                end_line: end.line,
                end_column: end.column,
                message: &d.message,
                help: d.help.as_deref(),
                related: d
                    .labels
                    .iter()
                    .map(|l| {
                        let at = location(&e.text, l.span.start);
                        Related {
                            file: &e.path,
                            line: at.line,
                            column: at.column,
                            message: &l.message,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    to_json(&Errors {
        ok: false,
        file: &e.path,
        errors,
    })
}

fn to_json(value: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_has_its_place_message_help_and_related_places() {
        let text = "[team]\ntimezone = \"UTC\"\nstart = 2026-12-01\n[[person]]\nid = \"ana\"\n[[person]]\nid = \"ana\"\n";
        let e = crate::config::load(text, "team.toml").unwrap_err();
        let json: serde_json::Value = serde_json::from_str(&errors(&e)).unwrap();
        assert_eq!(json["ok"], false);
        let first = &json["errors"][0];
        assert_eq!(first["file"], "team.toml");
        assert_eq!(
            (first["line"].as_u64(), first["column"].as_u64()),
            (Some(7), Some(6))
        );
        assert_eq!(first["end_column"].as_u64(), Some(11));
        assert_eq!(first["message"], "person id `ana` is used twice");
        assert!(
            first["help"]
                .as_str()
                .unwrap()
                .starts_with("give every [[person]] its own id")
        );
        assert_eq!(first["related"][0]["line"].as_u64(), Some(5));
        assert_eq!(first["related"][0]["message"], "first defined here");
    }
}
