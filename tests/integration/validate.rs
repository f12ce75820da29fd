//! `rota validate` as a user runs it.
#[allow(unused_imports)]
use crate::support::*;
