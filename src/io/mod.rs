//! Side effects: files written atomically, locks, SMTP, the sent log, standard output.

pub mod caldav;
pub mod delivery;
pub mod discover;
pub mod files;
pub mod lock;
pub mod sent_log;
pub mod smtp;
pub mod state_file;
pub mod stdout;
pub mod terminal;
