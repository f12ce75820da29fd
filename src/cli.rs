//! The command line of PRODUCT.md.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  rota init                                  write a commented starter rotation.toml here
  rota validate                              check rotation.toml and summarise it
  rota plan --month 2026-12                  December as a calendar (a table when piped)
  rota plan --from 2026-12-01 --to 2026-12-08 --format json
  rota who --at 2026-12-16T14:00             who is on duty then, per rotation
  rota coverage --add \"Asia/Manila 09:00-17:00 mon-fri\"   the fewest on duty per hour; gaps a hire closes
  rota check --month 2027-03 --strict        coverage gaps and conflicts (CI: exit 1 on findings)
  rota export --out calendar/                iCalendar feeds for the team, rotations and people
  rota remind --dry-run                      show the reminders a cron run would send
  rota announce --month 2027-01              email everyone their turns of a published month

Exit codes: 0 success or nothing found, 1 problems found or not delivered, 2 bad usage or config.";

/// A support-rotation scheduler: daily duty and follow-the-sun rotations from one rotation.toml.
#[derive(Debug, Parser)]
#[command(
    name = "rota",
    version = VERSION,
    about,
    after_help = EXAMPLES,
    propagate_version = true
)]
pub struct Cli {
    /// The config file [default: rotation.toml in this folder or the nearest one above it].
    #[arg(long, global = true, env = "ROTA_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Display time zone (IANA name); default: the team's.
    #[arg(long, global = true, value_name = "ZONE")]
    pub tz: Option<String>,

    /// Print nothing on standard output; the exit code tells the result. Errors still go to
    /// standard error.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Colours: `auto` on a terminal unless NO_COLOR is set; `always` even then.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t = ColorWhen::Auto,
        value_name = "WHEN"
    )]
    pub color: ColorWhen,

    #[command(subcommand)]
    pub command: Command,
}

/// The version and, when built from a git checkout, the commit (set by build.rs).
pub const VERSION: &str = env!("ROTA_VERSION");

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a commented starter rotation.toml in this folder (never over an existing one).
    #[command(
        after_help = "Examples:\n  rota init\n  rota init --name \"Acme Support\" --timezone Europe/Bucharest --start 2026-12-01\n  rota init --config teams/support.toml"
    )]
    Init(InitArgs),

    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  rota completions bash > ~/.local/share/bash-completion/completions/rota\n  rota completions zsh > ~/.zfunc/_rota\n  rota completions fish > ~/.config/fish/completions/rota.fish"
    )]
    Completions(CompletionsArgs),

    /// Print the manual page (roff): rota's, or one command's.
    #[command(
        after_help = "Examples:\n  rota man > ~/.local/share/man/man1/rota.1 && man rota\n  rota man plan | man -l -"
    )]
    Man(ManArgs),

    /// Parse and check the config; print a one-line summary or every error.
    #[command(
        after_help = "Examples:\n  rota validate --config teams/support.toml\n  rota validate --format json     # {\"ok\": false, \"errors\": [{\"file\", \"line\", \"column\", \"message\", \"help\"}]}"
    )]
    Validate(ValidateArgs),

    /// Print the shifts of a period (default: the current month).
    #[command(
        after_help = "Examples:\n  rota plan --month 2026-12\n  rota plan --from 2026-12-01 --to 2026-12-15 --format csv\n  rota plan --tz America/New_York --format json"
    )]
    Plan(PlanArgs),

    /// Show who is on duty now, or at another instant, per rotation.
    #[command(
        after_help = "Examples:\n  rota who\n  rota who --at 2026-12-16T14:00\n  rota who --at 2026-12-16T14:00:00+01:00 --format json"
    )]
    Who(WhoArgs),

    /// The week grid of the fewest people on duty in each hour; --add tries out a new hire.
    #[command(
        after_help = "Examples:\n  rota coverage --month 2027-01\n  rota coverage --add \"Asia/Manila 09:00-17:00 mon-fri\"   # which gaps would this hire close?\n  rota coverage --rule 24/7 --tz UTC --format json"
    )]
    Coverage(CoverageArgs),

    /// Report coverage gaps, conflicts and fairness for a period.
    #[command(
        after_help = "Examples:\n  rota check --month 2027-03\n  rota check --strict            # also fail on warnings (for CI)\n  rota check --format json\n  rota check --format github     # annotations in GitHub Actions\n  rota check --quiet             # only the exit code"
    )]
    Check(CheckArgs),

    /// Write iCalendar feeds: team.ics, rotation-<name>.ics, person-<id>.ics.
    #[command(
        after_help = "Examples:\n  rota export                    # last month through three months ahead, into calendar/\n  rota export --month 2026-12 --out public/"
    )]
    Export(ExportArgs),

    /// Push the feeds to CalDAV collections ([caldav] url), one resource per event.
    #[command(
        after_help = "Examples:\n  ROTA_CALDAV_PASSWORD=... rota sync     # the export's default period\n  rota sync --month 2027-01"
    )]
    Sync(SyncArgs),

    /// Email everyone whose turn starts within the lead time, and everyone whose told turns changed, once.
    #[command(
        after_help = "Examples:\n  rota remind                    # from cron, e.g. hourly\n  rota remind --dry-run\n  rota remind --now 2026-12-06T09:00"
    )]
    Remind(RemindArgs),

    /// Record the turns up to a date in rotation.lock, so later edits do not move them.
    #[command(
        after_help = "Examples:\n  rota publish --month 2027-01            # every turn starting by 31 January\n  rota publish --through 2027-02-14 --dry-run\n  rota publish --reopen-from 2027-01-18 --month 2027-01   # plan those turns afresh"
    )]
    Publish(PublishArgs),

    /// Show which shifts change hands: lock vs plan, or against a git revision or config.
    #[command(
        after_help = "Examples:\n  rota diff                              # the published turns vs the current plan\n  rota diff --against HEAD --format markdown\n  rota diff --against origin/main --exit-code\n  rota diff --against old/rotation.toml --month 2027-02"
    )]
    Diff(DiffArgs),
    /// Email each person their turns of a published month, once; and the team its table.
    #[command(
        after_help = "Examples:\n  rota announce --month 2027-01 --dry-run\n  rota announce --month 2027-01\n  rota announce --month 2027-01 --format json"
    )]
    Announce(AnnounceArgs),

    /// Print the JSON Schema of rotation.toml (draft 4), for editors such as taplo.
    #[command(
        after_help = "Examples:\n  rota schema > rotation.schema.json\n  # then, as the first line of rotation.toml:\n  #:schema ./rotation.schema.json"
    )]
    Schema,
}

/// `--month`, or `--from` with `--to`.
#[derive(Debug, Clone, Default, Args)]
pub struct PeriodArgs {
    /// A calendar month in the display zone, e.g. 2026-12.
    #[arg(long, value_name = "YYYY-MM", conflicts_with_all = ["from", "to"])]
    pub month: Option<String>,
    /// First day (YYYY-MM-DD, display zone).
    #[arg(long, value_name = "DATE", requires = "to")]
    pub from: Option<String>,
    /// Day after the last (exclusive).
    #[arg(long, value_name = "DATE", requires = "from")]
    pub to: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// A calendar: a row per day, a column per rotation (the default on a terminal).
    Grid,
    /// A row per shift (the default when the output is not a terminal).
    Table,
    Json,
    Csv,
    Markdown,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
    /// Default: `grid` on a terminal, `table` otherwise.
    #[arg(long, value_enum)]
    pub format: Option<PlanFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WhoFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct WhoArgs {
    /// RFC 3339, or local time in the display zone (2026-12-16T14:00); default: now.
    #[arg(long, value_name = "DATETIME")]
    pub at: Option<String>,
    #[arg(long, value_enum, default_value_t = WhoFormat::Table)]
    pub format: WhoFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
    /// GitHub Actions annotations at the config lines concerned.
    Github,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Also exit 1 on warnings.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
    /// Folder to write the .ics files into.
    #[arg(long, value_name = "DIR", default_value = "calendar")]
    pub out: PathBuf,
    /// Delete the feeds of rotations and people no longer on the rota instead of emptying them.
    #[arg(long)]
    pub prune: bool,
    /// Also write index.html: month calendars, each person's turns, coverage, feed links.
    #[arg(long)]
    pub html: bool,
    #[arg(long, value_enum, default_value_t = ExportFormat::Text)]
    pub format: ExportFormat,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
    /// Delete the collections of rotations and people no longer on the rota (only ones an
    /// earlier sync wrote) instead of emptying them.
    #[arg(long)]
    pub prune: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct RemindArgs {
    /// Run as of this instant (RFC 3339 or local time in the display zone); default: now.
    #[arg(long, value_name = "DATETIME")]
    pub now: Option<String>,
    /// Print what would be sent; send and record nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long, value_enum, default_value_t = MailFormat::Text)]
    pub format: MailFormat,
}

#[derive(Debug, Args)]
pub struct AnnounceArgs {
    /// The published month to announce, in the display zone, e.g. 2027-01.
    #[arg(long, value_name = "YYYY-MM")]
    pub month: String,
    /// Run as of this instant (RFC 3339 or local time in the display zone); default: now.
    #[arg(long, value_name = "DATETIME")]
    pub now: Option<String>,
    /// Print what would be sent; send and record nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long, value_enum, default_value_t = MailFormat::Text)]
    pub format: MailFormat,
}

/// How `remind` and `announce` report what they sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MailFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CoverageFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct CoverageArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
    /// A hypothetical extra person, on duty in a window of each of some days in their zone:
    /// "ZONE HH:MM-HH:MM [DAYS]" (DAYS as in the config, default daily). Repeatable.
    #[arg(long = "add", value_name = "ZONE HH:MM-HH:MM DAYS")]
    pub add: Vec<String>,
    /// Count a [[coverage]] rule's rotations, its min and its hours (default: all rotations,
    /// one person needed at every hour).
    #[arg(long, value_name = "NAME")]
    pub rule: Option<String>,
    #[arg(long, value_enum, default_value_t = CoverageFormat::Text)]
    pub format: CoverageFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PublishFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("horizon").args(["month", "through", "reopen_from"]).multiple(true).required(true)))]
pub struct PublishArgs {
    /// Publish every turn starting by the end of this month (YYYY-MM).
    #[arg(long, value_name = "YYYY-MM", conflicts_with = "through")]
    pub month: Option<String>,
    /// Publish every turn starting on or before this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub through: Option<String>,
    /// First drop the published turns starting on or after this date, to plan them afresh.
    #[arg(long, value_name = "DATE")]
    pub reopen_from: Option<String>,
    /// Print what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long, value_enum, default_value_t = PublishFormat::Text)]
    pub format: PublishFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// A git revision (HEAD, origin/main) or another config file to compare with; default:
    /// the published turns of the lock.
    #[arg(long, value_name = "REV|FILE")]
    pub against: Option<String>,
    #[command(flatten)]
    pub period: PeriodArgs,
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Exit 1 when a shift changes hands.
    #[arg(long)]
    pub exit_code: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The team's time zone (IANA name); default: this machine's ($TZ, /etc/timezone,
    /// /etc/localtime), else UTC.
    #[arg(long, value_name = "ZONE")]
    pub timezone: Option<String>,
    /// The day the rotation order is counted from (YYYY-MM-DD); default: the first day of the
    /// current month.
    #[arg(long, value_name = "DATE")]
    pub start: Option<String>,
    /// The team's name; default: the folder's name.
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// A command, for its own page (rota-plan(1)).
    pub command: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ValidateFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[arg(long, value_enum, default_value_t = ValidateFormat::Text)]
    pub format: ValidateFormat,
}

impl Command {
    /// Whether the command was asked for JSON: then a config error is also printed as JSON
    /// on standard output, for the script that reads it.
    pub fn wants_json(&self) -> bool {
        match self {
            Command::Validate(a) => a.format == ValidateFormat::Json,
            Command::Plan(a) => a.format == Some(PlanFormat::Json),
            Command::Who(a) => a.format == WhoFormat::Json,
            Command::Check(a) => a.format == CheckFormat::Json,
            Command::Remind(a) => a.format == MailFormat::Json,
            Command::Announce(a) => a.format == MailFormat::Json,
            Command::Publish(a) => a.format == PublishFormat::Json,
            Command::Diff(a) => a.format == DiffFormat::Json,
            Command::Export(a) => a.format == ExportFormat::Json,
            Command::Coverage(a) => a.format == CoverageFormat::Json,
            _ => false,
        }
    }
}
