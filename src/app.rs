//! The one place where the core meets I/O: load → validate → plan → render → write or send.

mod announce;
mod check;
mod coverage;
mod diff;
mod export;
mod init;
mod inputs;
mod mail;
mod plan;
mod publish;
mod remind;
mod schema;
mod shell;
mod sync;
mod validate;
mod who;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::cli::{Cli, ColorWhen, Command, PeriodArgs};
use crate::config::suggest;
use crate::error::{Error, Result};
use crate::io::stdout::Stdout;
use crate::model::Model;
use crate::plan::Period;
use crate::timefmt;

/// What a command that ran to the end found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Clean,
    /// Exit 1: the command worked and found a problem.
    Problems,
}

/// Everything a command needs: the validated model and the edges' decisions.
pub struct Context {
    /// The config with the lock's published turns in it.
    pub model: Model,
    /// The lock as read, for `rota publish` to extend (other commands plan from the model,
    /// which holds what it publishes); `None` when there is none yet, or for other commands.
    pub lock: Option<crate::published::Lock>,
    pub lock_path: PathBuf,
    pub config_path: PathBuf,
    /// The config file's folder: paths in the config are relative to it.
    pub config_dir: PathBuf,
    pub display_tz: Tz,
    /// Read once from the clock so that one run sees one "now".
    pub now: DateTime<Utc>,
}

impl Context {
    /// A config path such as `[remind] state`, resolved against the config's folder.
    pub fn config_relative(&self, path: &Path) -> PathBuf {
        self.config_dir.join(path)
    }

    /// The period named by the flags, or `default_months` months from the current one.
    pub fn period(&self, args: &PeriodArgs, default_months: u32) -> Result<Period> {
        let tz = self.display_tz;
        if let Some(month) = &args.month {
            let first = timefmt::parse_month(month).ok_or_else(|| {
                Error::usage(
                    format!("`{month}` is not a month"),
                    "write it as --month 2026-12",
                )
            })?;
            return Ok(Period::months(first, 1, tz));
        }
        if let (Some(from), Some(to)) = (&args.from, &args.to) {
            let date = |s: &str, flag: &str| {
                timefmt::parse_date(s).ok_or_else(|| {
                    Error::usage(
                        format!("`{s}` is not a date"),
                        format!("write it as {flag} 2026-12-01"),
                    )
                })
            };
            let (from, to) = (date(from, "--from")?, date(to, "--to")?);
            if to <= from {
                return Err(Error::usage(
                    format!("--to {to} is not after --from {from}"),
                    "--to is exclusive: --from 2026-12-01 --to 2027-01-01 is all of December",
                ));
            }
            return Ok(Period::dates(from, to, tz));
        }
        let today = self.now.with_timezone(&tz).date_naive();
        Ok(Period::months(today, default_months, tz))
    }

    /// An instant flag (`--at`, `--now`), or the clock's now.
    pub fn instant(&self, value: Option<&str>, flag: &str) -> Result<DateTime<Utc>> {
        match value {
            None => Ok(self.now),
            Some(text) => timefmt::parse_instant(text, self.display_tz).ok_or_else(|| {
                Error::usage(
                    format!("`{text}` is not a date and time"),
                    format!("write {flag} 2026-12-06T12:00:00+01:00, or a local {flag} 2026-12-06T12:00 in the display zone"),
                )
            }),
        }
    }
}

pub fn main(cli: Cli) -> ExitCode {
    anstream::ColorChoice::write_global(match cli.color {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    });
    let json = cli.command.wants_json() && !cli.quiet;
    // `check --format github` reports a config that does not load as annotations too.
    let github = match &cli.command {
        Command::Check(args) if args.format == crate::cli::CheckFormat::Github => Some(
            config_path(&cli).map_or_else(|_| "rotation.toml".into(), |p| p.display().to_string()),
        ),
        _ => None,
    };
    match run(cli) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Problems) => ExitCode::from(1),
        Err(e) => {
            // Nothing was printed before a config error: the JSON is the whole output.
            if let (true, Error::Config(c)) = (json, &e) {
                let mut out = crate::io::stdout::stdout();
                let _ = out
                    .write_all(crate::render::validate::errors(c).as_bytes())
                    .and_then(|()| out.flush());
            }
            match &github {
                Some(file) => report_github(&e, file),
                None => report(&e),
            }
            ExitCode::from(e.exit_code())
        }
    }
}

/// Errors as workflow commands on stdout, where the runner reads them (the requested format
/// replaces the plain report, as it does for findings).
fn report_github(e: &Error, file: &str) {
    let annotations = match e {
        Error::Config(c) => crate::render::github::config_error(c),
        Error::Usage { message, help } | Error::Failed { message, help } => {
            crate::render::github::other_error(message, help.as_deref(), file)
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(annotations.as_bytes());
    let _ = out.flush();
}

pub fn run(cli: Cli) -> Result<Outcome> {
    let mut stdout = if cli.quiet {
        Stdout::Quiet
    } else {
        crate::io::stdout::stdout()
    };
    if let Some(outcome) = without_config(&cli, &mut stdout) {
        stdout.flush().or_else(ignore_broken_pipe)?;
        return outcome;
    }
    let ctx = load(&cli)?;
    let outcome = match &cli.command {
        Command::Validate(args) => validate::run(&ctx, args, &mut stdout),
        Command::Plan(args) => plan::run(&ctx, args, &mut stdout),
        Command::Who(args) => who::run(&ctx, args, &mut stdout),
        Command::Check(args) => check::run(&ctx, args, cli.quiet, &mut stdout),
        Command::Coverage(args) => coverage::run(&ctx, args, &mut stdout),
        Command::Export(args) => export::run(&ctx, args, &mut stdout),
        Command::Sync(args) => sync::run(&ctx, args, &mut stdout),
        Command::Remind(args) => remind::run(&ctx, args, &mut stdout),
        Command::Publish(args) => publish::run(&ctx, args, &mut stdout),
        Command::Diff(args) => diff::run(&ctx, args, &mut stdout),
        Command::Announce(args) => announce::run(&ctx, args, &mut stdout),
        Command::Init(_) | Command::Completions(_) | Command::Man(_) | Command::Schema => {
            unreachable!("run by without_config")
        }
    }?;
    stdout.flush().or_else(ignore_broken_pipe)?;
    Ok(outcome)
}

/// The commands that need no config.
fn without_config(cli: &Cli, out: &mut dyn Write) -> Option<Result<Outcome>> {
    Some(match &cli.command {
        Command::Init(args) => init::run(cli.config.as_deref(), args, out),
        Command::Completions(args) => shell::completions(args.shell, out),
        Command::Man(args) => shell::man(args.command.as_deref(), out),
        // The schema describes every config; it needs none.
        Command::Schema => schema::run(out),
        _ => return None,
    })
}

fn load(cli: &Cli) -> Result<Context> {
    let path = &config_path(cli)?;
    let inputs = inputs::read(path)?;
    let model = inputs.model;
    let display_tz = match &cli.tz {
        Some(name) => suggest::time_zone(name)
            .map_err(|hint| Error::usage(format!("unknown time zone `{name}` for --tz"), hint))?,
        None => model.team.timezone,
    };
    let config_dir = inputs::config_dir(path);
    Ok(Context {
        model,
        // A year of a large organisation's lock is tens of megabytes, held again in the model.
        lock: inputs
            .lock
            .filter(|_| matches!(cli.command, Command::Publish(_))),
        lock_path: inputs.lock_path,
        config_path: path.clone(),
        config_dir,
        display_tz,
        now: Utc::now(),
    })
}

/// `--config` or ROTA_CONFIG as given; else `rotation.toml` in the current folder or the
/// nearest folder above it, as git, cargo and just find theirs.
fn config_path(cli: &Cli) -> Result<PathBuf> {
    if let Some(path) = &cli.config {
        return Ok(path.clone());
    }
    let cwd = std::env::current_dir().map_err(|e| {
        Error::usage(
            format!("cannot tell the current folder: {e}"),
            "pass --config PATH",
        )
    })?;
    crate::io::discover::config_file(&cwd, "rotation.toml", |p| p.is_file()).map_err(|looked| {
        let folders: Vec<String> = looked.iter().map(|p| p.display().to_string()).collect();
        Error::usage(
            format!(
                "no rotation.toml in this folder or any folder above it (looked in {})",
                folders.join(", ")
            ),
            "run `rota init` to write a starter here, or pass --config PATH (or set ROTA_CONFIG)",
        )
    })
}

/// Writes a command's output; a closed pipe (`rota plan | head`) is not an error.
pub fn emit(out: &mut dyn Write, bytes: &[u8]) -> Result<()> {
    out.write_all(bytes).or_else(ignore_broken_pipe)
}

/// [`emit`] for output written as it is put together.
pub fn emit_with(
    out: &mut dyn Write,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    write(out).or_else(ignore_broken_pipe)
}

fn ignore_broken_pipe(e: std::io::Error) -> Result<()> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(Error::failed(
            format!("cannot write output: {e}"),
            "check where standard output goes",
        ))
    }
}

fn report(e: &Error) {
    let mut err = anstream::stderr().lock();
    let red = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Red.into()));
    let bold = anstyle::Style::new().bold();
    let _ = match e {
        Error::Config(c) => write!(err, "{}", c.render(true)),
        Error::Usage { message, help } | Error::Failed { message, help } => {
            // Messages quote flag values, paths and server replies: shown escaped and bounded.
            let message = crate::printable::message(message);
            let _ = writeln!(err, "{red}error:{red:#} {message}");
            match help {
                Some(h) => writeln!(
                    err,
                    "  {bold}help:{bold:#} {}",
                    crate::printable::message(h)
                ),
                None => Ok(()),
            }
        }
    };
}
