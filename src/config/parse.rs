//! TOML text → raw structs, with every syntax and type error in rota's words.
//!
//! serde stops at the first key it cannot read. So when the fast path fails, the text is read
//! into a spanned document, and each failing key is described, set aside, and the rest read
//! again, until the raw structs come out or too many errors were found. A key added to a raw
//! struct needs nothing here.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue, Deserializer};

use super::diagnostic::Diagnostic;
use super::raw::{RawConfig, SetAside};
use super::suggest;

/// Beyond this many errors the reader stops: fixing the first ones usually fixes many others,
/// and the output stays readable.
const MAX_ERRORS: usize = 50;

/// What could be read, and every problem found on the way.
pub struct Parsed {
    /// None when the text does not hold enough to validate (broken syntax, too many errors).
    pub raw: Option<RawConfig>,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn parse(text: &str) -> Parsed {
    if let Ok(raw) = toml::from_str::<RawConfig>(text) {
        return Parsed {
            raw: Some(raw),
            diagnostics: Vec::new(),
        };
    }
    let (mut doc, errors) = DeTable::parse_recoverable(text);
    let mut diagnostics = Vec::new();
    let mut last_line = None;
    for e in &errors {
        let span = e.span().unwrap_or(0..0);
        // A parser that recovers from one mistake often trips over its remains on that line.
        let line = text[..span.start.min(text.len())].matches('\n').count();
        if last_line != Some(line) {
            diagnostics.push(syntax_error(e.message(), span, text));
        }
        last_line = Some(line);
    }
    let failed = |diagnostics| Parsed {
        raw: None,
        diagnostics,
    };
    // A date that does not exist is a wrong value, not broken syntax: the rest of the file
    // still reads well, so it is checked too. Other syntax errors leave too little to check.
    if errors.iter().any(|e| !is_bad_literal(e.message())) {
        return failed(diagnostics);
    }
    let literals: Vec<Range<usize>> = errors.iter().filter_map(|e| e.span()).collect();
    let mut set_aside = Vec::new();
    loop {
        let e = match RawConfig::deserialize(Deserializer::from(doc.clone())) {
            Ok(mut raw) => {
                raw.set_aside = set_aside;
                return Parsed {
                    raw: Some(raw),
                    diagnostics,
                };
            }
            Err(e) => e,
        };
        let span = e.span().unwrap_or(0..0);
        let Some(taken) = take(doc.get_mut(), &span) else {
            diagnostics.push(Diagnostic::new(span, first_line(e.message())));
            return failed(diagnostics);
        };
        if !literals.iter().any(|l| overlaps(l, &taken.value.span())) {
            diagnostics.push(describe(e.message(), &span, &taken, text));
        }
        set_aside.push(SetAside {
            table: taken.table.as_ref().map(|t| t.span.clone()),
            key: taken.key.get_ref().to_string(),
        });
        if diagnostics.len() >= MAX_ERRORS {
            return failed(diagnostics);
        }
    }
}

/// A key taken out of the document, with where it was.
struct Taken<'i> {
    key: Spanned<DeString<'i>>,
    value: Spanned<DeValue<'i>>,
    /// The table that held it; None at the top level.
    table: Option<Table>,
}

struct Table {
    name: String,
    span: Range<usize>,
    /// `[[person]]` rather than `[team]`.
    array: bool,
}

impl Table {
    fn header(&self) -> String {
        if self.array {
            format!("[[{}]]", self.name)
        } else {
            format!("[{}]", self.name)
        }
    }
}

/// Removes the innermost key whose name or value holds `error`.
fn take<'i>(table: &mut DeTable<'i>, error: &Range<usize>) -> Option<Taken<'i>> {
    let hit = table.iter().find_map(|(k, v)| {
        let here = contains(&k.span(), error)
            || v.span() == *error
            || (!holds_tables(v.get_ref()) && contains(&v.span(), error));
        here.then(|| k.clone())
    });
    if let Some(key) = hit {
        let (key, value) = table.remove_entry(&key)?;
        return Some(Taken {
            key,
            value,
            table: None,
        });
    }
    for (k, v) in table.iter_mut() {
        let span = v.span();
        let name = k.get_ref().to_string();
        match v.get_mut() {
            DeValue::Table(inner) => {
                if let Some(mut t) = take(inner, error) {
                    t.table.get_or_insert(Table {
                        name,
                        span,
                        array: false,
                    });
                    return Some(t);
                }
            }
            DeValue::Array(items) => {
                for item in items.iter_mut() {
                    let span = item.span();
                    if let DeValue::Table(inner) = item.get_mut()
                        && let Some(mut t) = take(inner, error)
                    {
                        t.table.get_or_insert(Table {
                            name: name.clone(),
                            span,
                            array: true,
                        });
                        return Some(t);
                    }
                }
            }
            _ => {}
        }
    }
    None
}

fn holds_tables(value: &DeValue<'_>) -> bool {
    match value {
        DeValue::Table(_) => true,
        DeValue::Array(items) => items.iter().any(|i| i.get_ref().is_table()),
        _ => false,
    }
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end || a == b
}

fn first_line(message: &str) -> String {
    message
        .trim()
        .lines()
        .next()
        .unwrap_or("invalid TOML")
        .to_string()
}

/// The parser's complaint about a date, time or offset that does not exist.
fn is_bad_literal(message: &str) -> bool {
    [
        "invalid date",
        "invalid time",
        "invalid offset",
        "invalid datetime",
    ]
    .iter()
    .any(|p| message.starts_with(p))
}

fn syntax_error(message: &str, span: Range<usize>, text: &str) -> Diagnostic {
    let message = first_line(message);
    let written = text.get(span.clone()).unwrap_or("").trim();
    // toml says "expected day between 01 and 28"; rota says "the day must be between …".
    let reason = match message.split_once(", expected ") {
        Some((_, r)) if r.contains(" between ") => {
            format!("the {}", r.replacen(" between ", " must be between ", 1))
        }
        Some((_, r)) => format!("expected {r}"),
        None => String::new(),
    };
    if message.starts_with("invalid date") || message.starts_with("invalid datetime") {
        return Diagnostic::new(span, format!("`{written}` is not a date: {reason}"))
            .help("write a date that exists as YYYY-MM-DD, e.g. 2026-12-01");
    }
    if message.starts_with("invalid time") {
        return Diagnostic::new(span, format!("`{written}` is not a time: {reason}"))
            .help("write a time of day from 00:00:00 to 23:59:59, e.g. 2026-12-10T08:00:00");
    }
    if message.starts_with("invalid offset") {
        return Diagnostic::new(span, format!("`{written}` has an impossible offset: {reason}"))
            .help("write the offset as +HH:MM or -HH:MM, e.g. 2026-12-10T08:00:00+01:00, or leave it out for the local time");
    }
    if message.starts_with("duplicate key") {
        return Diagnostic::new(span, format!("`{written}` is set twice in this table"))
            .help("keep one of the two lines");
    }
    let help = if message.contains("string") {
        "close the text with `\"` on the same line; for text over several lines use \"\"\"…\"\"\""
    } else if message.contains("array table") || message.contains("table header") {
        "write a table header as [team] or [[person]] on its own line"
    } else {
        "fix the TOML syntax at this point (see https://toml.io)"
    };
    Diagnostic::new(span, message).help(help)
}

/// A deserialization error turned into what the user wrote wrong and how to write it.
fn describe(message: &str, error: &Range<usize>, taken: &Taken<'_>, text: &str) -> Diagnostic {
    let key = taken.key.get_ref().as_ref();
    let place = taken
        .table
        .as_ref()
        .map_or("the top level".to_string(), Table::header);
    let source = |span: &Range<usize>| shorten(text.get(span.clone()).unwrap_or("").trim());
    let value_span = taken.value.span();
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (field, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let case_only = known.iter().any(|k| k.eq_ignore_ascii_case(field));
        let help = match suggest::did_you_mean(field, known.iter().copied()) {
            Some(m) if case_only => format!("{m} (keys are case-sensitive)"),
            Some(m) => m,
            None => format!("remove `{field}`; {place} takes {}", list(&known)),
        };
        return Diagnostic::new(
            taken.key.span(),
            format!("unknown key `{field}` in {place}"),
        )
        .help(help);
    }
    if message.starts_with("data did not match any variant of untagged enum") {
        return Diagnostic::new(
            value_span,
            format!("`{key}` takes a text or a list of texts"),
        )
        .help(format!(
            "write e.g. {key} = \"always\" or {key} = \"mon-fri 08:00-20:00\""
        ));
    }
    let Some(expected) = message
        .strip_prefix("invalid type: ")
        .and_then(|m| m.split_once(", expected "))
        .map(|(_, e)| expected_kind(first_line(e).as_str()))
    else {
        return Diagnostic::new(value_span, format!("`{key}`: {}", first_line(message)))
            .help(format!("check the value of `{key}`"));
    };
    // An entry of a list: the list is fine, one entry is not.
    if *error != value_span
        && let DeValue::Array(items) = taken.value.get_ref()
        && let Some(item) = items.iter().find(|i| contains(&i.span(), error))
    {
        let written = source(&item.span());
        let help = match expected {
            Kind::Text => format!("put it in quotes: \"{}\"", written.trim_matches('"')),
            _ => format!("write each entry of `{key}` as {}", expected.words()),
        };
        return Diagnostic::new(
            item.span(),
            format!(
                "each entry of `{key}` must be {}, and `{written}` is {}",
                expected.words(),
                found_words(item.get_ref())
            ),
        )
        .help(help);
    }
    let written = source(&value_span);
    let value = taken.value.get_ref();
    let top_level = taken.table.is_none();
    let message = format!(
        "`{key}` takes {}, not {}",
        expected.words(),
        found_words(value)
    );
    let help = match (expected, value) {
        (Kind::List, DeValue::Table(_)) if top_level => {
            format!("there can be several: write the header with double brackets, [[{key}]]")
        }
        (Kind::List, DeValue::Table(_)) => format!("write it as a list: {key} = [ … ]"),
        (Kind::List, _) => format!("put it in brackets: {key} = [{written}]"),
        (Kind::Text, DeValue::Array(items)) if items.len() == 1 => {
            format!(
                "write one value without brackets: {key} = {}",
                source(&items[0].span())
            )
        }
        (Kind::Text, DeValue::Array(_) | DeValue::Table(_)) => {
            format!("write one text in quotes: {key} = \"…\"")
        }
        (Kind::Text, _) => format!("put it in quotes: {key} = \"{written}\""),
        (Kind::Number, DeValue::String(s)) if s.trim().parse::<i64>().is_ok() => {
            format!("write it without quotes: {key} = {}", s.trim())
        }
        (Kind::Number, _) => format!("write a whole number without quotes, e.g. {key} = 1"),
        (Kind::Boolean, DeValue::String(s))
            if matches!(s.trim().to_ascii_lowercase().as_str(), "true" | "false") =>
        {
            format!(
                "write it without quotes: {key} = {}",
                s.trim().to_ascii_lowercase()
            )
        }
        (Kind::Boolean, _) => format!("write {key} = true or {key} = false"),
        (Kind::Table, _) if top_level => {
            format!("write [{key}] on a line of its own, with its keys on the lines below it")
        }
        (Kind::Table, _) => format!("write it as an inline table: {key} = {{ … }}"),
        (Kind::Other(_), _) => {
            "text goes in quotes, numbers and dates do not, lists go in brackets".to_string()
        }
    };
    Diagnostic::new(value_span, message).help(help)
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    List,
    Text,
    Number,
    Boolean,
    Table,
    Other(&'static str),
}

impl Kind {
    fn words(self) -> &'static str {
        match self {
            Kind::List => "a list",
            Kind::Text => "a text in quotes",
            Kind::Number => "a whole number",
            Kind::Boolean => "true or false",
            Kind::Table => "a table",
            Kind::Other(w) => w,
        }
    }
}

/// serde's name for what a field wants, in the user's words.
fn expected_kind(expected: &str) -> Kind {
    match expected {
        "a sequence" => Kind::List,
        "a string" | "a borrowed string" | "a character" => Kind::Text,
        "a boolean" => Kind::Boolean,
        "a map" => Kind::Table,
        e if e.starts_with("struct ") => Kind::Table,
        e if e.starts_with(['i', 'u']) && e[1..].chars().all(|c| c.is_ascii_digit()) => {
            Kind::Number
        }
        "usize" | "isize" | "an integer" => Kind::Number,
        "f32" | "f64" | "a float" => Kind::Other("a number"),
        _ => Kind::Other("another kind of value"),
    }
}

fn found_words(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a text",
        DeValue::Integer(_) | DeValue::Float(_) => "a number",
        DeValue::Boolean(_) => "true or false",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

/// Long values are cut in messages: they are shown whole in the snippet above.
fn shorten(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

fn list(items: &[&str]) -> String {
    if items.is_empty() {
        "no keys".into()
    } else {
        items
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
