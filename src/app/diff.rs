//! diff
use std::io::Write; use super::{Context, Outcome}; use crate::cli::DiffArgs; use crate::error::Result; pub fn run(_c: &Context, _a: &DiffArgs, _o: &mut dyn Write) -> Result<Outcome> { Ok(Outcome::Clean) }
