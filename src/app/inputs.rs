//! The one way a command gets its model: the config, validated, with the lock's published
//! turns in it. Every command plans from this model, so none can plan without the lock.

use std::path::{Path, PathBuf};

use crate::config;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::parallel;
use crate::published::{Lock, LockProblem, text};

/// The lock's file name beside the config, unless `[team] lock` names another.
pub const LOCK_FILE: &str = "rotation.lock";

/// A config and its lock, ready to plan from.
pub struct Inputs {
    pub model: Model,
    /// The lock as read; `None` when there is none yet.
    pub lock: Option<Lock>,
    pub lock_path: PathBuf,
}

/// Where the lock of the config at `config` lives.
pub fn lock_path(model: &Model, config: &Path) -> PathBuf {
    lock_path_named(model.team.lock.as_deref(), config)
}

fn lock_path_named(lock: Option<&Path>, config: &Path) -> PathBuf {
    let lock = lock.unwrap_or(Path::new(LOCK_FILE));
    match config.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(lock),
        _ => lock.to_path_buf(),
    }
}

/// A lock's text parsed, or what is wrong with it.
type Parsed = std::result::Result<Lock, Vec<LockProblem>>;

/// `model` with the lock `lock` (its text and its name in errors) resolved into it.
pub fn with_lock(model: Model, lock: Option<(&str, &str)>, lock_path: PathBuf) -> Result<Inputs> {
    let parsed = lock.map(|(text, name)| (text::parse(text), name));
    with_parsed(model, parsed, lock_path)
}

fn with_parsed(
    mut model: Model,
    parsed: Option<(Parsed, &str)>,
    lock_path: PathBuf,
) -> Result<Inputs> {
    let lock = match parsed {
        None => None,
        Some((parsed, name)) => {
            let lock = parsed.map_err(|p| lock_error(name, &p))?;
            model.published = lock.resolve(&model).map_err(|p| lock_error(name, &p))?;
            Some(lock)
        }
    };
    Ok(Inputs {
        model,
        lock,
        lock_path,
    })
}

/// The config at `path` and the lock beside it (or where `[team] lock` says).
pub fn read(path: &Path) -> Result<Inputs> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::usage(
            format!("cannot read config `{}`: {e}", path.display()),
            "pass --config PATH (or set ROTA_CONFIG) to a rotation.toml, or run `rota init` to write one",
        )
    })?;
    let name = path.display().to_string();
    // `.ics` files the config names (holidays, away) are read here, beside the config.
    let dir = config_dir(path);
    let read =
        |relative: &str| std::fs::read_to_string(dir.join(relative)).map_err(|e| e.to_string());
    // The lock where it usually is, beside the config, is read while the config is: a
    // published year of a large organisation takes about as long to read as its config.
    // Where the config names another place, that one is read afterwards.
    let usual = lock_path_named(None, path);
    let read_usual = || read_lock(&usual).map(|text| text.map(|t| text::parse(&t)));
    let (model, early) = parallel::join(|| config::load_with(&text, &name, &read), read_usual);
    let model = model?;
    let lock_path = lock_path(&model, path);
    let parsed = if lock_path == usual {
        early?
    } else {
        read_lock(&lock_path)?.map(|t| text::parse(&t))
    };
    let lock_name = lock_path.display().to_string();
    with_parsed(model, parsed.map(|p| (p, lock_name.as_str())), lock_path)
}

/// The folder paths in the config are relative to.
pub fn config_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The lock's text; `None` when there is no lock yet.
fn read_lock(path: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::usage(
            format!("cannot read the lock `{}`: {e}", path.display()),
            "check the file's permissions, or set [team] lock to where it is",
        )),
    }
}

/// The most problems of a lock one error lists, then how many more: a file of anything but a
/// lock is a problem a line, and an error message is cut at a few hundred characters anyway
/// (where the count would no longer show).
const LOCK_PROBLEMS_SHOWN: usize = 3;

/// Every problem of a lock as one error: `rotation.lock:3: ...`, the first one's fix.
pub fn lock_error(name: &str, problems: &[LockProblem]) -> Error {
    let mut message = String::new();
    for (i, p) in problems.iter().take(LOCK_PROBLEMS_SHOWN).enumerate() {
        if i > 0 {
            message.push_str("\n       ");
        }
        message.push_str(&format!("{name}:{}: {}", p.line, p.message));
    }
    if problems.len() > LOCK_PROBLEMS_SHOWN {
        message.push_str(&format!(
            "\n       … and {} more problems not shown",
            problems.len() - LOCK_PROBLEMS_SHOWN
        ));
    }
    let help = problems.first().map(|p| p.help.clone()).unwrap_or_default();
    Error::usage(message, format!("{help}; nothing was changed"))
}
