//! The one way a command gets its model: the config, validated, with the lock's published
//! turns in it. Every command plans from this model, so none can plan without the lock.

use std::path::{Path, PathBuf};

use crate::config;
use crate::error::{Error, Result};
use crate::model::Model;
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
    let lock = model.team.lock.as_deref().unwrap_or(Path::new(LOCK_FILE));
    match config.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(lock),
        _ => lock.to_path_buf(),
    }
}

/// `model` with the lock `lock` (its text and its name in errors) resolved into it.
pub fn with_lock(
    mut model: Model,
    lock: Option<(&str, &str)>,
    lock_path: PathBuf,
) -> Result<Inputs> {
    let lock = match lock {
        None => None,
        Some((text, name)) => {
            let lock = text::parse(text).map_err(|p| lock_error(name, &p))?;
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
    let model = config::load_with(&text, &name, &read)?;
    let lock_path = lock_path(&model, path);
    let lock_text = read_lock(&lock_path)?;
    let lock_name = lock_path.display().to_string();
    with_lock(
        model,
        lock_text.as_deref().map(|t| (t, lock_name.as_str())),
        lock_path,
    )
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

/// Every problem of a lock as one error: `rotation.lock:3: ...`, the first one's fix.
pub fn lock_error(name: &str, problems: &[LockProblem]) -> Error {
    let mut message = String::new();
    for (i, p) in problems.iter().enumerate() {
        if i > 0 {
            message.push_str("\n       ");
        }
        message.push_str(&format!("{name}:{}: {}", p.line, p.message));
    }
    let help = problems.first().map(|p| p.help.clone()).unwrap_or_default();
    Error::usage(message, format!("{help}; nothing was changed"))
}
