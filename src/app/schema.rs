//! `rota schema`: the JSON Schema of rotation.toml, as shipped in `schema/`.

use std::io::Write;

use super::{Outcome, emit};
use crate::error::Result;

/// Hand-written beside the raw config structs it describes; a test validates every shipped
/// config against it with an independent validator.
pub const SCHEMA: &str = include_str!("../../schema/rotation.schema.json");

pub fn run(out: &mut dyn Write) -> Result<Outcome> {
    emit(out, SCHEMA.as_bytes())?;
    Ok(Outcome::Clean)
}
