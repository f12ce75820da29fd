//! rotation.toml: text → raw structs → validated model. Pure: the caller reads the file.

pub mod diagnostic;
pub mod parse;
pub mod raw;
pub mod suggest;
pub mod syntax;
pub mod validate;

pub use diagnostic::{ConfigError, Diagnostic};

use crate::model::Model;

/// Parses and validates a config; `path` is only used to name the file in errors.
pub fn load(text: &str, path: &str) -> Result<Model, ConfigError> {
    let parsed = parse::parse(text);
    let mut diagnostics = parsed.diagnostics;
    let model = parsed
        .raw
        .map(|raw| validate::validate(raw, text).map_err(|more| diagnostics.extend(more)));
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
