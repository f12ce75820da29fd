//! One integration-test binary; one topic file per command.

mod support;

mod announce;
mod check;
mod coverage;
mod export;
mod faults;
mod first_hour;
mod fuzz;
mod grid;
mod hardening;
mod html;
mod lint;
mod plan;
mod properties;
mod publish;
mod published_properties;
mod published_scenario;
mod remind;
mod sync;
mod validate;
mod who;
