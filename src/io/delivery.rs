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
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use lettre::message::Mailbox;

use super::lock::{self, Acquired, RunLock};
use super::sent_log::{Change, Record, SentLog};
use super::smtp::{ExtraRoots, Failure, Mailer};
use super::state_file::StateFile;
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
    /// `[smtp] ca_file`, resolved.
    pub ca_file: Option<PathBuf>,
    /// `[remind] deadline`: after it, the run sends nothing more and leaves the rest.
    pub deadline: Duration,
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
    /// Refused for good by the server (now or by an earlier run), for this reason: recorded,
    /// and not sent again while the recipient, sender and server stay the same.
    Rejected(String),
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
            Status::Rejected(reason) => {
                format!("rejected for good, not sent again to {to}: {subject}: {reason}\n")
            }
        }
    }
}

enum Transport {
    Smtp(Box<Mailer>),
    Outbox(PathBuf),
    DryRun,
}

/// A delivery run: holds the lock (unless a dry run) and the state read under it.
pub struct Run {
    transport: Transport,
    state: StateFile,
    clock: DateTime<Utc>,
    /// Whether the state differs from what is on disk (pruned, or a change that could not
    /// be journaled) and nothing saved it since.
    unsaved: bool,
    delivered: Vec<Delivered>,
    /// Why the run sends nothing more (the server cannot be reached, the deadline passed):
    /// every later email would only wait for the same failure.
    stopped: Option<String>,
    started: Instant,
    deadline: Duration,
    /// The SMTP server, part of what a permanent rejection is remembered for.
    server: String,
    _lock: Option<RunLock>,
}

impl Run {
    /// Sets up the transport, takes the lock and reads the state; fails before anything is
    /// sent if any of them cannot be had.
    pub fn start(setup: Setup) -> Result<Run> {
        let server = setup.smtp.map_or_else(
            || "outbox".to_string(),
            |s| format!("{}:{}", s.host, s.port),
        );
        if setup.dry_run {
            return Ok(Run {
                transport: Transport::DryRun,
                state: load(&setup.state)?,
                clock: setup.clock,
                unsaved: false,
                delivered: Vec::new(),
                stopped: None,
                started: Instant::now(),
                deadline: setup.deadline,
                server,
                _lock: None,
            });
        }
        let transport = match setup.smtp {
            Some(smtp) => Transport::Smtp(Box::new(mailer(smtp, setup.ca_file.as_deref())?)),
            None => Transport::Outbox(setup.outbox),
        };
        let held = take_lock(&setup.state)?;
        // Read only under the lock: a run that waited sees what the previous holder recorded.
        let mut state = load(&setup.state)?;
        let cutoff = prune_cutoff(state.log(), setup.now, setup.clock);
        state.log_mut().prune(cutoff);
        // Before anything is sent: a state that cannot be written would let every run send
        // the same emails again.
        probe(&mut state)?;
        Ok(Run {
            transport,
            state,
            clock: setup.clock,
            unsaved: false,
            delivered: Vec::new(),
            stopped: None,
            started: Instant::now(),
            deadline: setup.deadline,
            server,
            _lock: Some(held),
        })
    }

    /// Reads reminders the state recorded by rotation and start instant (older rota versions)
    /// into slots, with `part_of(rotation, turn_start)`.
    pub fn migrate(
        &mut self,
        part_of: impl Fn(&str, DateTime<Utc>) -> Option<crate::slot::SlotPart>,
    ) {
        if self.state.log_mut().migrate(part_of) {
            self.unsaved = true;
        }
    }

    /// The state as of this run: what was sent and told.
    pub fn log(&self) -> &SentLog {
        self.state.log()
    }

    pub fn is_dry_run(&self) -> bool {
        matches!(self.transport, Transport::DryRun)
    }

    /// Warns about `about` once: a later run that finds the same says nothing, since cron
    /// mails whatever a run prints. A dry run always warns and records nothing.
    pub fn warn_once(&mut self, about: &str, until: DateTime<Utc>, message: &str) {
        if self.state.log().warned(about) {
            return;
        }
        warn(message);
        if !self.is_dry_run() && self.state.append(&Change::Warned(about, until)).is_err() {
            // Not remembering it only means warning once more; the end of the run tries again.
            self.unsaved = true;
        }
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
        let fingerprint = format!(
            "{} -> {} via {}",
            email
                .message
                .envelope()
                .from()
                .map_or_else(String::new, ToString::to_string),
            email.to.email,
            self.server
        );
        if self.stopped.is_none() && !self.is_dry_run() && self.started.elapsed() > self.deadline {
            self.stopped = Some(format!(
                "not attempted: the run's deadline ([remind] deadline, {} s) passed",
                self.deadline.as_secs()
            ));
        }
        let earlier = self.state.log().rejected(&email.message_id, &fingerprint);
        let outcome = match (&self.transport, &self.stopped, earlier) {
            (_, _, Some(reason)) => Err(Failure::Permanent(format!("earlier: {reason}"))),
            (Transport::DryRun, _, None) => Ok(Status::WouldSend),
            (_, Some(why), None) => Err(Failure::Transient(why.clone())),
            (Transport::Smtp(mailer), None, None) => {
                mailer.send(&email.message).map(|()| Status::Sent)
            }
            (Transport::Outbox(dir), None, None) => {
                let path = dir.join(&outbox_name);
                super::files::write_atomic(&path, &email.message.formatted())
                    .map(|()| Status::Written(path))
                    .map_err(|e| {
                        Failure::Transient(format!(
                            "cannot write `{}`: {}",
                            dir.display(),
                            storage_problem(&e).0
                        ))
                    })
            }
        };
        let attempted = earlier.is_none() && self.stopped.is_none();
        let status = match outcome {
            Ok(Status::WouldSend) => Status::WouldSend,
            Ok(status) => {
                let change = Change::Recorded(&record, self.clock);
                self.state.append(&change).map_err(|e| {
                    let (what, fix) = storage_problem(&e);
                    Error::failed(
                        format!(
                            "the {} to {} was delivered but cannot be recorded in `{}`: {what}",
                            kind.name(),
                            mailbox(&email.to),
                            self.state.path().display()
                        ),
                        format!(
                            "stopped so as not to send more unrecorded mail; {fix} (the next run \
                             would send this {} again)",
                            kind.name()
                        ),
                    )
                })?;
                status
            }
            Err(Failure::Auth(reason)) => {
                return Err(Error::failed(
                    format!("{reason}; this run sent nothing more"),
                    "check [smtp] username and the password in the variable password_env names; \
                     the emails not sent are retried by the next run",
                ));
            }
            Err(Failure::Permanent(reason)) => {
                if attempted {
                    let change = Change::Rejected {
                        message_id: &email.message_id,
                        fingerprint: &fingerprint,
                        reason: &reason,
                        at: self.clock,
                    };
                    // Not remembering a rejection only means one more attempt next run.
                    if self.state.append(&change).is_err() {
                        self.unsaved = true;
                    }
                }
                report_rejection(kind, &email.to, &about, &reason);
                Status::Rejected(reason)
            }
            Err(Failure::Connection(reason)) => {
                report_failure(kind, &email.to, &about, &reason);
                self.stopped = Some(format!("not attempted after: {reason}"));
                Status::Failed(reason)
            }
            Err(Failure::Transient(reason)) => {
                if attempted {
                    report_failure(kind, &email.to, &about, &reason);
                }
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
    pub fn finish(mut self) -> Result<Vec<Delivered>> {
        // The journal of what was sent is folded into the state file once, here.
        if (self.unsaved || self.state.journaled()) && !self.is_dry_run() {
            self.state.save().map_err(|e| {
                Error::failed(
                    format!("cannot rewrite `{}`: {e}", self.state.path().display()),
                    "check the folder's permissions; what was sent is kept in its journal \
                     beside it, which the next run reads",
                )
            })?;
        }
        if let Some(why) = &self.stopped {
            let skipped = self
                .delivered
                .iter()
                .filter(|d| matches!(&d.status, Status::Failed(r) if r == why))
                .count();
            if skipped > 0 {
                warn(&format!("{skipped} more emails {why}"));
            }
        }
        let rejected = self
            .delivered
            .iter()
            .filter(|d| matches!(d.status, Status::Rejected(_)))
            .count();
        if rejected > 0 {
            warn(&format!(
                "{rejected} emails were rejected for good by the server and are not sent again; \
                 fix the address (or the sender, or [smtp]) and the next run sends them"
            ));
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
        .any(|d| matches!(d.status, Status::Failed(_) | Status::Rejected(_)))
}

/// Entries about what ended before this are forgotten. It is held back to the earliest of
/// `--now`, the clock and the latest time the state recorded, so that a run far in the future
/// (a `--now` typo, a clock set wrong for a while) cannot forget what was sent for turns
/// still to come and have them sent again once time is back.
fn prune_cutoff(log: &SentLog, now: DateTime<Utc>, clock: DateTime<Utc>) -> DateTime<Utc> {
    let mut earliest = now.min(clock);
    if let Some(latest) = log.latest_record() {
        earliest = earliest.min(latest);
    }
    later(earliest, -KEEP)
}

/// Room kept free by the probe: a few hundred emails' records.
const PROBE_HEADROOM: usize = 64 * 1024;

/// Writes the state (pruned) in place, after writing and removing a larger scratch file
/// beside it: a folder that is read-only, not there, or on a full disk fails here, before
/// anything is sent, instead of after the first email.
fn probe(state: &mut StateFile) -> Result<()> {
    let path = state.path().to_path_buf();
    let fail = |e: std::io::Error| {
        let (what, fix) = storage_problem(&e);
        Error::failed(
            format!(
                "the reminder state `{}` cannot be written, so nothing was sent: {what}",
                path.display()
            ),
            format!("{fix}; rota records there what it sent, so that no email goes out twice"),
        )
    };
    state.probe_and_save(PROBE_HEADROOM).map_err(fail)
}

/// What is wrong with a file that cannot be written, and what to do, in a user's words.
pub fn storage_problem(e: &std::io::Error) -> (String, &'static str) {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => (
            format!("the disk is full ({e})"),
            "free some space on that file system",
        ),
        ErrorKind::ReadOnlyFilesystem => (
            format!("the file system is read-only ({e})"),
            "put [remind] state on a writable file system",
        ),
        ErrorKind::PermissionDenied => (
            format!("rota may not write there ({e})"),
            "let the user who runs rota write to that folder",
        ),
        _ => (e.to_string(), "check that path"),
    }
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
        Err(e) => {
            let (what, fix) = storage_problem(&e);
            Err(Error::failed(
                format!(
                    "cannot lock `{}`, so nothing was sent: {what}",
                    lock_path.display()
                ),
                format!("rota needs to create and lock a file beside [remind] state; {fix}"),
            ))
        }
    }
}

fn load(state: &Path) -> Result<StateFile> {
    StateFile::load(state).map_err(|e| {
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

/// The SMTP transport, with the password read from the variable `password_env` names, and
/// `[smtp] ca_file` and `SSL_CERT_FILE` trusted on top of the built-in roots.
fn mailer(smtp: &SmtpSettings, ca_file: Option<&Path>) -> Result<Mailer> {
    let mut roots = Vec::new();
    if let Some(path) = ca_file {
        let pem = std::fs::read(path).map_err(|e| {
            Error::usage(
                format!("cannot read [smtp] ca_file `{}`: {e}", path.display()),
                "name a PEM file of CA certificates, relative to the config's folder",
            )
        })?;
        roots.push(ExtraRoots {
            name: path.display().to_string(),
            pem,
        });
    }
    if let Some(path) = std::env::var_os("SSL_CERT_FILE").filter(|p| !p.is_empty()) {
        match std::fs::read(&path) {
            Ok(pem) => roots.push(ExtraRoots {
                name: format!("SSL_CERT_FILE={}", path.display()),
                pem,
            }),
            Err(e) => warn(&format!(
                "SSL_CERT_FILE names `{}`, which cannot be read ({e}); it is ignored",
                Path::new(&path).display()
            )),
        }
    }
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
    Mailer::new(smtp, credentials, &roots).map_err(|e| {
        Error::usage(
            format!("cannot set up TLS for `{}`: {e}", smtp.host),
            "check [smtp] host and ca_file",
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
    error(
        &format!(
            "could not deliver the {} to {} for {about}: {}",
            kind.noun(1),
            mailbox(to),
            crate::printable::message(reason),
        ),
        "it was not recorded; the next run retries it",
    );
}

fn report_rejection(kind: Kind, to: &Mailbox, about: &str, reason: &str) {
    error(
        &format!(
            "the {} to {} for {about} was rejected: {}",
            kind.noun(1),
            mailbox(to),
            crate::printable::message(reason),
        ),
        "it is not sent again while the address, the sender and [smtp] stay as they are; \
         correct the one the server's reply names",
    );
}

/// An error about one email on stderr, with what the user can do; the run goes on.
fn error(message: &str, help: &str) {
    let red = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Red.into()));
    let mut err = anstream::stderr().lock();
    let _ = writeln!(err, "{red}error:{red:#} {message}");
    let _ = writeln!(err, "  help: {help}");
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
