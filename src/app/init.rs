//! `rota init`: the starter config for this machine's zone and this month, written once.

use std::io::Write;
use std::path::Path;

use chrono::{Datelike, Utc};
use chrono_tz::Tz;

use super::{Outcome, emit};
use crate::cli::InitArgs;
use crate::config::suggest;
use crate::error::{Error, Result};
use crate::init::{Starter, starter};
use crate::timefmt;

pub fn run(config: Option<&Path>, args: &InitArgs, out: &mut dyn Write) -> Result<Outcome> {
    let path = config.unwrap_or(Path::new("rotation.toml"));
    let timezone = match &args.timezone {
        Some(name) => suggest::time_zone(name).map_err(|hint| {
            Error::usage(format!("unknown time zone `{name}` for --timezone"), hint)
        })?,
        None => system_zone().unwrap_or(Tz::UTC),
    };
    let start = match &args.start {
        Some(text) => timefmt::parse_date(text).ok_or_else(|| {
            Error::usage(
                format!("`{text}` is not a date"),
                "write it as --start 2026-12-01",
            )
        })?,
        // The first of this month: this month's plan is whole, and `rota check` is clean at once.
        None => {
            let today = Utc::now().with_timezone(&timezone).date_naive();
            today.with_day(1).unwrap_or(today)
        }
    };
    let name = args
        .name
        .clone()
        .or_else(|| folder_name(path))
        .unwrap_or_else(|| "My team".into());
    if name.chars().any(char::is_control) || name.trim().is_empty() {
        return Err(Error::usage(
            "the team name is empty or holds a line break or control character",
            "write it on one line, e.g. --name \"Acme Support\"",
        ));
    }
    let team = Starter {
        name,
        timezone,
        start,
    };
    let refuse = || {
        Error::usage(
            format!("`{}` already exists; nothing was written", path.display()),
            "edit it and run `rota validate`, or write another file with `rota init --config PATH`",
        )
    };
    if path.exists() {
        return Err(refuse());
    }
    // `rota init --config teams/support/rotation.toml` makes the folder, as `cargo new` does.
    if let Some(folder) = path.parent().filter(|f| !f.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(|e| {
            Error::failed(
                format!("cannot make the folder `{}`: {e}", folder.display()),
                "check that the place is writable, or pass another --config PATH",
            )
        })?;
    }
    crate::io::files::write_new(path, starter(&team).as_bytes()).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            refuse()
        } else {
            Error::failed(
                format!("cannot write `{}`: {e}", path.display()),
                "check that the folder exists and is writable",
            )
        }
    })?;
    let rota = if path == Path::new("rotation.toml") {
        "rota".to_string()
    } else {
        format!("rota --config {}", path.display())
    };
    let line = format!(
        "wrote {} for {} ({}, start {})\nnext: put your people in it, then run `{rota} validate` and `{rota} plan`\n",
        path.display(),
        team.name,
        team.timezone.name(),
        team.start,
    );
    emit(out, line.as_bytes())?;
    Ok(Outcome::Clean)
}

/// This machine's zone: `$TZ`, then /etc/timezone, then where /etc/localtime links to.
fn system_zone() -> Option<Tz> {
    let from_env = std::env::var("TZ").ok();
    let from_file = || std::fs::read_to_string("/etc/timezone").ok();
    let from_link = || {
        std::fs::read_link("/etc/localtime")
            .ok()
            .map(|p| p.to_string_lossy().into_owned())
    };
    [from_env, from_file(), from_link()]
        .into_iter()
        .flatten()
        .find_map(|name| zone_named(&name))
}

/// `Europe/Berlin`, `:Europe/Berlin` (POSIX) or `/usr/share/zoneinfo/Europe/Berlin`.
fn zone_named(text: &str) -> Option<Tz> {
    let text = text.trim().trim_start_matches(':');
    let name = text.rsplit_once("zoneinfo/").map_or(text, |(_, name)| name);
    name.parse::<Tz>()
        .ok()
        .and_then(|tz| suggest::current_zone_name(tz.name()).parse().ok())
}

/// The name of the folder the config goes in, as `cargo init` names a package.
fn folder_name(path: &Path) -> Option<String> {
    let folder = std::path::absolute(path).ok()?.parent()?.to_path_buf();
    let name = folder.file_name()?.to_str()?.trim().to_string();
    (!name.is_empty() && !name.starts_with('.')).then_some(name)
}
