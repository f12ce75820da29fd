//! What the commands that send email share: the sender, the delivery run's setup, and how a
//! run reports what it delivered.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use lettre::message::Mailbox;
use serde::Serialize;

use super::{Context, Outcome, emit};
use crate::cli::MailFormat;
use crate::error::{Error, Result};
use crate::io::delivery::{self, Delivered, OUTBOX, Setup, Status};
use crate::io::sent_log::SentLog;
use crate::model::Model;
use crate::plan::Shift;
use crate::render::email::DEFAULT_FROM;
use crate::render::ics;
use crate::revision::History;
use crate::slot::SlotId;

/// `[remind] from`, or rota's default sender.
pub fn sender(model: &Model) -> Result<Mailbox> {
    let text = model.remind.from.as_deref().unwrap_or(DEFAULT_FROM);
    text.parse().map_err(|e| {
        Error::usage(
            format!("`{text}` is not a sender address: {e}"),
            "set [remind] from = \"Support rota <rota@acme.example>\"",
        )
    })
}

/// What rota last emailed about each slot: the highest `SEQUENCE` an attachment gave its
/// events, as the facts people were told remember it.
pub struct Emailed(HashMap<SlotId, u32>);

impl Emailed {
    pub fn of(log: &SentLog) -> Emailed {
        let mut sequences: HashMap<SlotId, u32> = HashMap::new();
        for fact in log.told() {
            let s = sequences.entry(fact.slot.clone()).or_default();
            *s = (*s).max(fact.sequence);
        }
        Emailed(sequences)
    }

    /// The highest `SEQUENCE` rota emailed for `slot` (0: none).
    pub fn last(&self, slot: &SlotId) -> u32 {
        self.0.get(slot).copied().unwrap_or(0)
    }

    /// The `SEQUENCE` an email gives the event of `shift`: the one last emailed for its slot,
    /// or, if the email tells of a change (a notice), one above it.
    pub fn sequence(&self, model: &Model, shift: &Shift, changed: bool) -> u32 {
        let last = self.0.get(&shift.slot.id(model)).copied().unwrap_or(0);
        if changed {
            last.saturating_add(1)
        } else {
            last
        }
    }

    /// The revisions of the events of an email's attachment holding `shifts`.
    pub fn history<'s>(
        &self,
        model: &Model,
        now: DateTime<Utc>,
        shifts: impl IntoIterator<Item = &'s Shift>,
        changed: bool,
    ) -> History {
        // Only slots a notice raised: an event never emailed or at 0 revises the same without
        // an entry, and a month of a large organisation's UIDs would cost more than the rest.
        let sent: Vec<(String, u32)> = shifts
            .into_iter()
            .filter_map(|s| {
                let last = self.0.get(&s.slot.id(model)).copied().filter(|&n| n > 0)?;
                Some((ics::uid(model, s), last))
            })
            .collect();
        History::emailed(model, now, sent, changed)
    }
}

/// The delivery run of a command acting as of `now`.
pub fn setup(ctx: &Context, now: DateTime<Utc>, dry_run: bool) -> Setup<'_> {
    Setup {
        state: ctx.config_relative(&ctx.model.remind.state),
        smtp: ctx.model.smtp.as_ref(),
        outbox: ctx.config_relative(Path::new(OUTBOX)),
        dry_run,
        now,
        clock: ctx.now,
        ca_file: ctx
            .model
            .smtp
            .as_ref()
            .and_then(|s| s.ca_file.as_deref())
            .map(|f| ctx.config_relative(f)),
        deadline: ctx
            .model
            .remind
            .deadline
            .to_std()
            .unwrap_or(std::time::Duration::from_secs(600)),
    }
}

/// Prints one email's line as it is handled, in text output; a failure is reported on stderr
/// only, with what to do.
pub fn progress(format: MailFormat, delivered: &Delivered, out: &mut dyn Write) -> Result<()> {
    if format == MailFormat::Text && !matches!(delivered.status, Status::Failed(_)) {
        emit(out, delivered.line().as_bytes())?;
    }
    Ok(())
}

/// The end of a run: the JSON report, if asked for, and the exit outcome.
pub fn finish(
    format: MailFormat,
    now: DateTime<Utc>,
    dry_run: bool,
    delivered: &[Delivered],
    out: &mut dyn Write,
) -> Result<Outcome> {
    if format == MailFormat::Json {
        let mut bytes = serde_json::to_vec_pretty(&Report::new(now, dry_run, delivered))
            .map_err(|e| Error::failed(format!("cannot write JSON: {e}"), "please report this"))?;
        bytes.push(b'\n');
        emit(out, &bytes)?;
    }
    Ok(if delivery::all_delivered(delivered) {
        Outcome::Clean
    } else {
        Outcome::Problems
    })
}

/// `remind --format json` and `announce --format json`.
#[derive(Serialize)]
struct Report<'a> {
    now: String,
    dry_run: bool,
    delivered: usize,
    failed: usize,
    emails: Vec<EmailReport<'a>>,
}

#[derive(Serialize)]
struct EmailReport<'a> {
    kind: &'static str,
    to: String,
    name: Option<&'a str>,
    subject: &'a str,
    message_id: &'a str,
    about: &'a str,
    /// `sent`, `written` (to the outbox), `would-send` (dry run), `failed` (retried by the
    /// next run) or `rejected` (refused for good by the server; not sent again).
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

impl<'a> Report<'a> {
    fn new(now: DateTime<Utc>, dry_run: bool, delivered: &'a [Delivered]) -> Self {
        let emails: Vec<EmailReport> = delivered
            .iter()
            .map(|d| EmailReport {
                kind: d.kind.name(),
                to: d.to.email.to_string(),
                name: d.to.name.as_deref(),
                subject: &d.subject,
                message_id: &d.message_id,
                about: &d.about,
                status: match d.status {
                    Status::Sent => "sent",
                    Status::Written(_) => "written",
                    Status::WouldSend => "would-send",
                    Status::Failed(_) => "failed",
                    Status::Rejected(_) => "rejected",
                },
                file: match &d.status {
                    Status::Written(path) => Some(path.display().to_string()),
                    _ => None,
                },
                error: match &d.status {
                    Status::Failed(reason) | Status::Rejected(reason) => Some(reason),
                    _ => None,
                },
            })
            .collect();
        let failed = emails
            .iter()
            .filter(|e| matches!(e.status, "failed" | "rejected"))
            .count();
        Report {
            now: now.to_rfc3339_opts(SecondsFormat::Secs, true),
            dry_run,
            delivered: if dry_run { 0 } else { emails.len() - failed },
            failed,
            emails,
        }
    }
}
