//! diff
use super::{Context, Outcome};
use crate::cli::DiffArgs;
use crate::error::Result;
use std::io::Write;
pub fn run(_c: &Context, _a: &DiffArgs, _o: &mut dyn Write) -> Result<Outcome> {
    Ok(Outcome::Clean)
}
