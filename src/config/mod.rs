//! rotation.toml: text → raw structs → validated model. Pure: the caller reads the file.

pub mod diagnostic;
pub mod ics;
pub mod raw;
pub mod suggest;
pub mod syntax;
pub mod validate;

pub use diagnostic::{ConfigError, Diagnostic};

use crate::model::Model;

/// Reads a file the config names (an `.ics` path, relative to the config's folder as written):
/// its text, or why it cannot be read. The edge decides where files come from.
pub type ReadFile<'a> = &'a dyn Fn(&str) -> Result<String, String>;

/// Parses and validates a config that may name no other files; `path` is only used to name
/// the file in errors.
pub fn load(text: &str, path: &str) -> Result<Model, ConfigError> {
    load_with(text, path, &|_| {
        Err("this config cannot name other files".into())
    })
}

/// [`load`] for a config whose `.ics` paths are read through `read`.
pub fn load_with(text: &str, path: &str, read: ReadFile) -> Result<Model, ConfigError> {
    let fail = |diagnostics| ConfigError {
        path: path.to_string(),
        text: text.to_string(),
        diagnostics,
    };
    let raw: raw::RawConfig = toml::from_str(text).map_err(|e| fail(vec![syntax_error(&e)]))?;
    validate::validate(raw, text, path, read).map_err(fail)
}

fn syntax_error(e: &toml::de::Error) -> Diagnostic {
    let message = e.message().trim().to_string();
    let span = e.span().unwrap_or(0..0);
    let help = if let Some(rest) = message.strip_prefix("unknown field `") {
        let (field, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        suggest::did_you_mean(field, known.iter().copied())
            .map(|m| format!("{m} (keys are case-sensitive)"))
            .unwrap_or_else(|| format!("remove `{field}`; this table takes {}", list(&known)))
    } else if message.starts_with("invalid type") {
        "check the value's type: text goes in quotes, numbers and dates do not".to_string()
    } else if message.starts_with("missing field") {
        "add the missing key".to_string()
    } else {
        "fix the TOML syntax at this point (see https://toml.io)".to_string()
    };
    let first_line = message.lines().next().unwrap_or("invalid TOML").to_string();
    Diagnostic::new(span, first_line).help(help)
}

fn list(items: &[&str]) -> String {
    if items.is_empty() {
        "no such key".into()
    } else {
        items
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
