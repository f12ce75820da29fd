//! rota: a support-rotation scheduler.
//!
//! Data flows one way: TOML text → [`config`] → [`model::Model`] → [`plan`] → renderers and
//! side effects, which live at the edges ([`app`], [`render`], [`io`]).

pub mod announce;
pub mod app;
pub mod check;
pub mod cli;
pub mod config;
pub mod coverage;
pub mod diff;
pub mod duty;
pub mod error;
pub mod feeds;
pub mod ical_text;
pub mod init;
pub mod io;
pub mod local_time;
pub mod memo;
pub mod model;
pub mod notice;
pub mod parallel;
pub mod plan;
pub mod printable;
pub mod published;
pub mod remind;
pub mod render;
pub mod revision;
pub mod slot;
pub mod sync;
pub mod timefmt;
