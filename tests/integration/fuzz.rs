//! The config fuzzer: mutated and hostile configs never panic, every command ends with exit
//! 0, 1 or 2, and each input costs bounded time and memory.
//!
//! Inputs are made by mutating the example configs with a dictionary of hostile pieces (far
//! dates, DST zones, escapes, huge values, broken TOML). Two targets:
//! - in process, with proptest: `config::load`, then plan, check and reminders of a month for
//!   what validates, and the rendered errors for what does not (bounded in size);
//! - the real binary on generated inputs, each command under a memory limit and a time limit.
//!
//! CI runs a bounded number of cases; `ROTA_FUZZ_CASES` and `ROTA_FUZZ_SEED` run more or
//! others (`ROTA_FUZZ_CASES=2000 cargo test --release --test integration fuzz`).

use std::process::Command;
use std::time::{Duration, Instant};

use proptest::prelude::*;

use crate::support::*;

const EXAMPLES: &[&str] = &[
    include_str!("../../rotation.toml"),
    include_str!("../../examples/travis-duty.toml"),
    include_str!("../../examples/follow-the-sun.toml"),
];

/// Pieces a mutation inserts: valid tables, absurd values, broken syntax, terminal escapes.
const PIECES: &[&str] = &[
    "\n[[person]]\nid = \"ana\"\nemail = \"ana@[127.0.0.1]\"\n",
    "\n[[person]]\nid = \"kit\"\ntimezone = \"Pacific/Kiritimati\"\naway = [\"2026-12-01..2027-01-31\"]\n",
    "\n[[rotation]]\nname = \"x\"\nmembers = [\"ana\", \"ana\"]\nshift = \"02:00-03:00\"\ntimezone = \"America/New_York\"\n",
    "\n[[rotation]]\nname = \"=cmd\"\nmembers = [\"ana\"]\nshift = \"09:00-09:00\"\nturn = \"3650 days\"\ntimezone = \"Pacific/Apia\"\n",
    "\n[[override]]\nrotation = \"support-hero\"\nperson = \"ana\"\nfrom = 2026-12-10T08:00:00\nto = 9999-12-31T00:00:00\n",
    "\n[[override]]\nrotation = \"support-hero\"\nperson = \"ana\"\nfrom = 0001-01-01T00:00:00\nto = 0001-01-01T00:00:01\n",
    "\n[[coverage]]\nwhen = \"mon-fri 08:00-20:00; sat 00:00-24:00\"\nmin = 1000\n",
    "\n[remind]\nbefore = \"366d\"\ndeadline = \"1s\"\n",
    "\n[smtp]\nhost = \"localhost\"\npassword = \"s3cret\"\ntimeout = \"0s\"\n",
    "except = [\"0001-01-01..9999-12-31\"]\n",
    "away = [\"9999-12-31\", \"0001-01-01..0001-01-02\"]\n",
    "start = 9999-12-31\n",
    "timezone = \"Europe/Bucharet\"\n",
    "shift = \"24:00-00:00\"\n",
    "days = \"fri-mon,sat\"\n",
    "\u{1b}]0;pwned\u{7}\u{1b}[2J",
    "\u{202e}",
    "\"",
    "'''",
    "[",
    "]]",
    "=",
    "\n",
    "#",
    "{ a = 1 }",
    "1e400",
    "-9223372036854775808",
    "\\u0000",
];

/// A small deterministic generator, so that a failing case can be rebuilt from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One mutated config: an example with a few insertions, deletions, duplications and
/// repetitions applied at char boundaries.
fn mutate(seed: u64) -> String {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut text = EXAMPLES[rng.below(EXAMPLES.len())].to_string();
    for _ in 0..1 + rng.below(6) {
        let at = boundary(&text, rng.below(text.len() + 1));
        match rng.below(5) {
            0 | 1 => text.insert_str(at, PIECES[rng.below(PIECES.len())]),
            2 => {
                let end = boundary(&text, at + rng.below(200));
                text.replace_range(at..end, "");
            }
            3 => {
                let end = boundary(&text, at + rng.below(400));
                let copy = text[at..end].to_string();
                text.insert_str(end, &copy);
            }
            _ => {
                // A piece repeated many times: amplification of errors and work.
                let piece = PIECES[rng.below(PIECES.len())];
                text.insert_str(at, &piece.repeat(1 + rng.below(300)));
            }
        }
    }
    text
}

fn boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn cases(default: u32) -> u32 {
    std::env::var("ROTA_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

fn seed() -> u64 {
    std::env::var("ROTA_FUZZ_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(16)
}

/// Everything a month of the config costs in process, for a config that validates.
fn exercise(text: &str) {
    let model = match rota::config::load(text, "rotation.toml") {
        Ok(model) => model,
        Err(e) => {
            let rendered = e.render(false);
            assert!(
                rendered.len() < 128 * 1024,
                "an error report of {} bytes",
                rendered.len()
            );
            assert!(
                !rendered.chars().any(|c| c.is_control() && c != '\n'),
                "a raw control character in {rendered:?}"
            );
            return;
        }
    };
    let month = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let period = rota::plan::Period::months(month, 1, model.team.timezone);
    let shifts = rota::plan::plan(&model, period);
    assert!(
        shifts.iter().all(|s| s.start < s.end),
        "a shift lasts some time"
    );
    let now = chrono::DateTime::parse_from_rfc3339("2026-12-06T10:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let _ = rota::remind::due(&model, now, |_| false);
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(96),
        failure_persistence: None,
        .. ProptestConfig::default()
    })]

    #[test]
    fn mutated_configs_never_panic_and_cost_bounded_time(seed in any::<u64>()) {
        let text = mutate(seed);
        let started = Instant::now();
        exercise(&text);
        prop_assert!(
            started.elapsed() < Duration::from_secs(10),
            "seed {seed} took {:?}", started.elapsed()
        );
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        exercise(&text);
    }
}

/// The most memory one command may use (address space, as `ulimit -v` counts it).
const MEMORY_LIMIT_KB: u64 = 2 * 1024 * 1024;
/// The most time one command may take on one input (a debug build on a busy machine).
const TIME_LIMIT: Duration = Duration::from_secs(20);

#[test]
fn the_binary_exits_0_1_or_2_in_bounded_time_and_memory_on_generated_configs() {
    let rota = assert_cmd::cargo::cargo_bin("rota");
    let commands: &[&[&str]] = &[
        &["validate"],
        &["plan", "--month", "2026-12", "--format", "csv"],
        &["check", "--month", "2026-12", "--format", "json"],
        &["who", "--at", "2026-12-10T12:00"],
        &["export", "--month", "2026-12", "--out", "public"],
        &["remind", "--dry-run", "--now", "2026-12-06T10:00"],
        &["remind", "--now", "2026-12-06T10:00"],
    ];
    let first = seed();
    for case in 0..u64::from(cases(12)) {
        let text = mutate(first.wrapping_add(case));
        // Mail never leaves loopback: a config naming a server gets one that refuses.
        let text = text.replace("smtp.acme.example", "127.0.0.1");
        let p = Project::new(&text);
        for args in commands {
            let started = Instant::now();
            let out = Command::new("sh")
                .arg("-c")
                .arg(format!("ulimit -v {MEMORY_LIMIT_KB}; exec \"$0\" \"$@\""))
                .arg(&rota)
                .args(*args)
                .current_dir(p.path())
                .env("NO_COLOR", "1")
                .env_remove("ROTA_CONFIG")
                .output()
                .expect("run rota");
            let took = started.elapsed();
            let stderr = String::from_utf8_lossy(&out.stderr);
            let keep = || {
                let kept = std::env::temp_dir().join(format!("rota-fuzz-{}.toml", first + case));
                let _ = std::fs::write(&kept, &text);
                kept.display().to_string()
            };
            assert!(
                matches!(out.status.code(), Some(0..=2)),
                "rota {args:?} on case {} exited {:?} (input kept in {}):\n{stderr}",
                first + case,
                out.status,
                keep()
            );
            assert!(
                !stderr.contains("panicked"),
                "rota {args:?} panicked on case {} (input kept in {}):\n{stderr}",
                first + case,
                keep()
            );
            assert!(
                took < TIME_LIMIT,
                "rota {args:?} took {took:?} on case {} (input kept in {})",
                first + case,
                keep()
            );
            assert!(
                out.stderr.len() < 256 * 1024,
                "rota {args:?} wrote {} bytes of errors on case {}",
                out.stderr.len(),
                first + case
            );
        }
    }
}
