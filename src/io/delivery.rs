//! The one delivery path for every email rota sends: reminders, announcements and change
//! notices.
//!
//! A run takes the lock beside the state file, reads the state under it, and then hands over
//! emails one by one. Each is sent (or written to the outbox, or only shown in a dry run),
//! and what it records is saved right after the server accepted it, never before: a failed
//! one is left for the next run, and the others still go out. Commands decide what is due
//! from [`Run::log`], read under the lock, so two runs never send the same email.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use lettre::message::Mailbox;

use super::lock::{self, Acquired, RunLock};
use super::sent_log::{Record, SentLog};
use super::smtp::Mailer;
use crate::error::{Error, Result};
use crate::model::SmtpSettings;
use crate::remind::later;
use crate::render::email::Email;

/// Where emails go without `[smtp]`, relative to the config's folder.
pub const OUTBOX: &str = ".rota/outbox";
/// State entries are kept this long after what they are about ended, then pruned.
const KEEP: TimeDelta = TimeDelta::days(30);
/// How long a run waits for another run that holds the lock.
const LOCK_WAIT: Duration = Duration::from_secs(300);

/// What a run is set up with.
pub struct Setup<'a> {
    /// `[remind] state`, resolved.
    pub state: PathBuf,
    pub smtp: Option<&'a SmtpSettings>,
    /// The outbox folder, resolved.
    pub outbox: PathBuf,
    /// Show what would go out; send, write, lock and record nothing.
    pub dry_run: bool,
    /// The instant the run acts as of (`--now`): state about what ended long before it goes.
    pub now: DateTime<Utc>,
    /// The clock's now: when an email was sent, as the state records it.
    pub clock: DateTime<Utc>,
}

/// The kinds of email, for what a run reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Reminder,
    Announcement,
    Notice,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Reminder => "reminder",
            Kind::Announcement => "announcement",
            Kind::Notice => "notice",
        }
    }

    fn noun(self, n: usize) -> &'static str {
        match (self, n) {
            (Kind::Reminder, 1) => "reminder",
            (Kind::Reminder, _) => "reminders",
            (Kind::Announcement, 1) => "announcement",
            (Kind::Announcement, _) => "announcements",
            (Kind::Notice, 1) => "change notice",
            (Kind::Notice, _) => "change notices",
        }
    }
}

/// One email to deliver, with what the state records once it is accepted.
pub struct Outgoing {
    pub kind: Kind,
    pub email: Email,
    /// Its file name in the outbox, the same on every run.
    pub outbox_name: String,
    /// What it is about, for messages: "the support-hero turn starting Mon 7 Dec 10:00 EET".
    pub about: String,
    /// A line shown under it in a dry run.
    pub detail: String,
    pub record: Record,
}

/// How one email's delivery ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Sent,
    /// Written to the outbox at this path.
    Written(PathBuf),
    /// A dry run: nothing was done.
    WouldSend,
    /// Not delivered, for this reason; not recorded, so the next run retries it.
    Failed(String),
}

/// One email a run handled.
#[derive(Debug, Clone)]
pub struct Delivered {
    pub kind: Kind,
    pub to: Mailbox,
    pub subject: String,
    pub message_id: String,
    pub about: String,
    pub detail: String,
    pub status: Status,
}

impl Delivered {
    /// The line a run prints for it.
    pub fn line(&self) -> String {
        let to = mailbox(&self.to);
        let subject = &self.subject;
        match &self.status {
            Status::Sent => format!("sent to {to}: {subject}\n"),
            Status::Written(path) => format!("wrote {} for {to}: {subject}\n", path.display()),
            Status::WouldSend => format!("would send to {to}: {subject}\n  {}\n", self.detail),
            Status::Failed(reason) => format!("not delivered to {to}: {subject}: {reason}\n"),
        }
    }
}

enum Transport {
    Smtp(Mailer),
    Outbox(PathBuf),
    DryRun,
}

/// A delivery run: holds the lock (unless a dry run) and the state read under it.
pub struct Run {
    transport: Transport,
    state: PathBuf,
    log: SentLog,
    clock: DateTime<Utc>,
    /// Whether `log` differs from the file (pruned) and nothing saved it since.
    unsaved: bool,
    delivered: Vec<Delivered>,
    _lock: Option<RunLock>,
}

impl Run {
    /// Sets up the transport, takes the lock and reads the state; fails before anything is
    /// sent if any of them cannot be had.
    pub fn start(setup: Setup) -> Result<Run> {
        if setup.dry_run {
            return Ok(Run {
                transport: Transport::DryRun,
                log: load(&setup.state)?,
                state: setup.state,
                clock: setup.clock,
                unsaved: false,
                delivered: Vec::new(),
                _lock: None,
            });
        }
        let transport = match setup.smtp {
            Some(smtp) => Transport::Smtp(mailer(smtp)?),
            None => Transport::Outbox(setup.outbox),
        };
        let held = take_lock(&setup.state)?;
        // Read only under the lock: a run that waited sees what the previous holder recorded.
        let mut log = load(&setup.state)?;
        let unsaved = log.prune(later(setup.now, -KEEP));
        Ok(Run {
            transport,
            state: setup.state,
            log,
            clock: setup.clock,
            unsaved,
            delivered: Vec::new(),
            _lock: Some(held),
        })
    }

    /// Reads reminders the state recorded by rotation and start instant (older rota versions)
    /// into slots, with `part_of(rotation, turn_start)`.
    pub fn migrate(
        &mut self,
        part_of: impl Fn(&str, DateTime<Utc>) -> Option<crate::slot::SlotPart>,
    ) {
        self.log.migrate(part_of);
    }

    /// The state as of this run: what was sent and told.
    pub fn log(&self) -> &SentLog {
        &self.log
    }

    pub fn is_dry_run(&self) -> bool {
        matches!(self.transport, Transport::DryRun)
    }

    /// Delivers one email and, once accepted, records it. A failure to deliver is reported
    /// on stderr and kept for [`Run::finish`]; a failure to record stops the run, so as not
    /// to send more unrecorded mail.
    pub fn deliver(&mut self, mail: Outgoing) -> Result<&Delivered> {
        let Outgoing {
            kind,
            email,
            outbox_name,
            about,
            detail,
            record,
        } = mail;
        let outcome = match &self.transport {
            Transport::DryRun => Ok(Status::WouldSend),
            Transport::Smtp(mailer) => mailer.send(&email.message).map(|()| Status::Sent),
            Transport::Outbox(dir) => {
                let path = dir.join(&outbox_name);
                super::files::write_atomic(&path, &email.message.formatted())
                    .map(|()| Status::Written(path))
                    .map_err(|e| format!("cannot write `{}`: {e}", dir.display()))
            }
        };
        let status = match outcome {
            Ok(Status::WouldSend) => Status::WouldSend,
            Ok(status) => {
                self.log.record(&record, self.clock);
                self.log.save(&self.state).map_err(|e| {
                    Error::failed(
                        format!(
                            "the {} to {} was delivered but cannot be recorded in `{}`: {e}",
                            kind.name(),
                            mailbox(&email.to),
                            self.state.display()
                        ),
                        format!(
                            "stopped so as not to send more unrecorded mail; fix the folder's \
                             permissions (the next run would send this {} again)",
                            kind.name()
                        ),
                    )
                })?;
                self.unsaved = false;
                status
            }
            Err(reason) => {
                report_failure(kind, &email.to, &about, &reason);
                Status::Failed(reason)
            }
        };
        self.delivered.push(Delivered {
            kind,
            to: email.to,
            subject: email.subject,
            message_id: email.message_id,
            about,
            detail,
            status,
        });
        Ok(self.delivered.last().expect("just pushed"))
    }

    /// Ends the run: saves a pruned state that nothing saved since, warns about what was not
    /// delivered, and returns every email handled, in order.
    pub fn finish(self) -> Result<Vec<Delivered>> {
        if self.unsaved && !self.is_dry_run() {
            self.log.save(&self.state).map_err(|e| {
                Error::failed(
                    format!("cannot rewrite `{}`: {e}", self.state.display()),
                    "check the folder's permissions",
                )
            })?;
        }
        let failed: Vec<String> = [Kind::Reminder, Kind::Announcement, Kind::Notice]
            .into_iter()
            .filter_map(|kind| {
                let of_kind = self.delivered.iter().filter(|d| d.kind == kind);
                let total = of_kind.clone().count();
                let failed = of_kind
                    .filter(|d| matches!(d.status, Status::Failed(_)))
                    .count();
                (failed > 0).then(|| format!("{failed} of {total} {}", kind.noun(total)))
            })
            .collect();
        if !failed.is_empty() {
            warn(&format!(
                "{} not delivered; the next run retries them",
                failed.join(", ")
            ));
        }
        Ok(self.delivered)
    }
}

/// Whether every email of a finished run was delivered.
pub fn all_delivered(delivered: &[Delivered]) -> bool {
    !delivered
        .iter()
        .any(|d| matches!(d.status, Status::Failed(_)))
}

fn take_lock(state: &Path) -> Result<RunLock> {
    let lock_path = lock::path_for(state);
    match lock::acquire(&lock_path, LOCK_WAIT) {
        Ok(Acquired::Locked(held)) => Ok(held),
        Ok(Acquired::Busy) => Err(Error::failed(
            format!(
                "another rota run has held `{}` for {} minutes; this run sent nothing",
                lock_path.display(),
                LOCK_WAIT.as_secs() / 60
            ),
            "it is probably waiting on a slow mail server; the next run catches up",
        )),
        Err(e) => Err(Error::failed(
            format!("cannot lock `{}`: {e}", lock_path.display()),
            "rota needs to create and lock a file beside [remind] state; check the folder's permissions",
        )),
    }
}

fn load(state: &Path) -> Result<SentLog> {
    SentLog::load(state).map_err(|e| {
        Error::failed(
            format!(
                "the reminder state `{}` cannot be used, so nothing was sent: {e}",
                state.display()
            ),
            "it records which emails were sent; restore it from a backup, or move it away to \
             start afresh (emails due now would then be sent again)",
        )
    })
}

/// The SMTP transport, with the password read from the variable `password_env` names.
fn mailer(smtp: &SmtpSettings) -> Result<Mailer> {
    let credentials = match (&smtp.username, &smtp.password_env) {
        (None, None) => None,
        (Some(user), Some(var)) => match std::env::var(var) {
            Ok(password) if !password.is_empty() => Some((user.clone(), password)),
            _ => {
                return Err(Error::usage(
                    format!(
                        "the SMTP password is missing: the environment variable `{var}` ([smtp] password_env) is not set"
                    ),
                    format!(
                        "set {var} in the environment that runs rota (e.g. EnvironmentFile= in the systemd service)"
                    ),
                ));
            }
        },
        (Some(_), None) => {
            return Err(Error::usage(
                "[smtp] has a username but no password_env",
                "add password_env = \"ROTA_SMTP_PASSWORD\" and put the password in that environment variable",
            ));
        }
        (None, Some(_)) => {
            return Err(Error::usage(
                "[smtp] has a password_env but no username",
                "add username = \"...\" to [smtp]",
            ));
        }
    };
    Mailer::new(smtp, credentials).map_err(|e| {
        Error::usage(
            format!("cannot set up TLS for `{}`: {e}", smtp.host),
            "check [smtp] host",
        )
    })
}

/// `Ana Popescu <ana@acme.example>`, as a run prints a recipient.
pub fn mailbox(m: &Mailbox) -> String {
    match &m.name {
        Some(name) => format!("{name} <{}>", m.email),
        None => m.email.to_string(),
    }
}

fn report_failure(kind: Kind, to: &Mailbox, about: &str, reason: &str) {
    let mut err = anstream::stderr().lock();
    let red = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Red.into()));
    let _ = writeln!(
        err,
        "{red}error:{red:#} could not deliver the {} to {} for {about}: {reason}",
        kind.noun(1),
        mailbox(to),
    );
    let _ = writeln!(err, "  help: it was not recorded; the next run retries it");
}

/// A warning on stderr.
pub fn warn(message: &str) {
    let yellow = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Yellow.into()));
    let _ = writeln!(
        anstream::stderr().lock(),
        "{yellow}warning:{yellow:#} {message}"
    );
}
