//! rotation.toml: text → raw structs → validated model. Pure: the caller reads the file.

pub mod diagnostic;
pub mod ics;
pub mod parse;
pub mod raw;
pub mod suggest;
pub mod syntax;
pub mod validate;

pub use diagnostic::{ConfigError, Diagnostic};

use crate::model::Model;

/// Reads a file the config names (an `.ics` path, relative to the config's folder as written):
/// its text, or why it cannot be read. The edge decides where files come from.
pub type ReadFile<'a> = &'a dyn Fn(&str) -> Result<String, String>;

/// Parses and validates a config that names no other files; `path` is only used to name the
/// file in errors.
pub fn load(text: &str, path: &str) -> Result<Model, ConfigError> {
    load_with(text, path, &|_| {
        Err("this config cannot name other files".into())
    })
}

/// [`load`] for a config whose `.ics` paths are read through `read`.
pub fn load_with(text: &str, path: &str, read: ReadFile) -> Result<Model, ConfigError> {
    let parsed = parse::parse(text);
    let mut diagnostics = parsed.diagnostics;
    let model = parsed.raw.map(|raw| {
        validate::validate(raw, text, path, read).map_err(|more| diagnostics.extend(more))
    });
    match model {
        Some(Ok(model)) if diagnostics.is_empty() => Ok(model),
        _ => {
            diagnostics.sort_by_key(|d| d.span.start);
            Err(ConfigError {
                path: path.to_string(),
                text: text.to_string(),
                diagnostics,
            })
        }
    }
}
