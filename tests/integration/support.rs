//! A small builder over a temporary folder: write a config, run rota in it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

pub struct Project {
    pub dir: TempDir,
}

impl Project {
    /// A folder with `rotation.toml` holding `config`.
    pub fn new(config: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("rotation.toml"), config).expect("write config");
        Project { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `rota` run in the project folder with a clean environment (no colour, no ROTA_CONFIG).
    pub fn rota(&self) -> Command {
        let mut cmd = Command::cargo_bin("rota").expect("rota binary");
        cmd.current_dir(self.dir.path())
            .env_remove("ROTA_CONFIG")
            .env("NO_COLOR", "1");
        cmd
    }

    /// Runs rota with `args`, expecting exit code `code`; returns stdout.
    pub fn run(&self, args: &[&str], code: i32) -> String {
        let out = self.rota().args(args).output().expect("run rota");
        assert_eq!(
            out.status.code(),
            Some(code),
            "rota {args:?}\nstdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    /// Runs rota with `args`, expecting exit code `code`; returns stderr.
    pub fn run_err(&self, args: &[&str], code: i32) -> String {
        let out = self.rota().args(args).output().expect("run rota");
        assert_eq!(
            out.status.code(),
            Some(code),
            "rota {args:?}\nstdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stderr).expect("utf-8 stderr")
    }

    /// `--format json` output parsed.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.run(args, 0)).expect("valid JSON")
    }
}

/// A minimal valid team header for configs written in tests.
pub fn team(timezone: &str, start: &str) -> String {
    format!("[team]\nname = \"Test\"\ntimezone = \"{timezone}\"\nstart = {start}\n\n")
}

/// A `[[person]]` table.
pub fn person(id: &str, timezone: &str) -> String {
    format!(
        "[[person]]\nid = \"{id}\"\nname = \"{}\"\nemail = \"{id}@example.com\"\ntimezone = \"{timezone}\"\n\n",
        id.to_uppercase()
    )
}
