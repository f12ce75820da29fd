//! Sets ROTA_VERSION: the package version and, in a git checkout, the commit it was built from
//! (`rota 0.2.0 (1a2b3c4d5e 2026-12-01)`, `-dirty` when tracked files had changes). Outside git
//! (a source tarball) it is the version alone.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let full = match commit() {
        Some(commit) => format!("{version} ({commit})"),
        None => version,
    };
    println!("cargo:rustc-env=ROTA_VERSION={full}");
    // Rerun only when the checked-out commit or the index changes, not on every build.
    for path in watched() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn commit() -> Option<String> {
    let hash = git(&["rev-parse", "--short=10", "HEAD"]).filter(|h| !h.is_empty())?;
    let date = git(&["log", "-1", "--format=%cs"]).unwrap_or_default();
    let dirty =
        git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    let dirty = if dirty { "-dirty" } else { "" };
    Some(format!("{hash}{dirty} {date}").trim().to_string())
}

/// HEAD, the branch it names and the index; in a worktree HEAD lives in its own git folder and
/// the branch in the shared one.
fn watched() -> Vec<PathBuf> {
    let Some(git_dir) = git(&["rev-parse", "--git-dir"]).map(PathBuf::from) else {
        return vec![PathBuf::from("build.rs")];
    };
    let common = git(&["rev-parse", "--git-common-dir"]).map_or(git_dir.clone(), PathBuf::from);
    let mut paths = vec![git_dir.join("HEAD"), git_dir.join("index")];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        paths.push(common.join(branch));
        paths.push(common.join("packed-refs"));
    }
    paths.retain(|p| p.exists());
    paths.push(PathBuf::from("build.rs"));
    paths
}
