//! The config and lock fuzzer: mutated and hostile configs and `rotation.lock`s never panic,
//! every command ends with exit 0, 1 or 2, and each input costs bounded time and memory.
//!
//! Inputs are made by mutating the example configs, and a lock published from the bundled
//! one, with a dictionary of hostile pieces (far dates, DST zones, escapes, huge values,
//! broken TOML; for the lock, merge-conflict markers, turns of ten thousand years, unknown
//! names). Two targets:
//! - in process, with proptest: `config::load`, then plan, check and reminders of a month for
//!   what validates, and the rendered errors for what does not (bounded in size); a lock is
//!   read, fitted to the config, and a month planned and checked from both;
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

/// Pieces a mutation inserts into a lock: what a merge, a hand edit or a far date leaves.
const LOCK_PIECES: &[&str] = &[
    "<<<<<<< HEAD\n",
    "=======\n",
    ">>>>>>> origin/main\n",
    "rota-lock 2\n",
    "rota-lock 99\n",
    "through 9999-12-31\n",
    "through 0001-01-01\n",
    "through 2026-12-15\n",
    "turn 2026-12-07-support-hero 2026-12-07 ana 00000000\n",
    "turn 2026-12-07-support-hero 2026-12-07 (none)\n",
    "turn 0001-01-01-apac 9999-12-31 kenji\n",
    "turn 9999-12-31-emea 9999-12-31 sarah ffffffff\n",
    "turn 2026-12-08-amer 2026-12-08 nobody-here 12345678\n",
    "turn 2026-12-08-no-such-rotation 2026-12-09 ana\n",
    "turn 2026-12-09-support%2Dhero 2026-12-09 ines\n",
    "override 2026-12-07-support-hero 2026-12-09T13:00:00+01:00 2026-12-09T17:00:00+01:00 ana\n",
    "override 2026-12-07-emea 0001-01-01T00:00:00Z 9999-12-31T23:59:59Z sarah\n",
    "override 2026-12-07-emea 2026-12-09T17:00:00+01:00 2026-12-09T13:00:00+01:00 sarah\n",
    "queue apac kenji kenji priya\n",
    "queue support-hero\n",
    "queue no-such-rotation ana\n",
    "\u{1b}]0;pwned\u{7}",
    "\u{202e}",
    "%",
    "%zz",
    " ",
    "\t",
    "\r\n",
    "\n",
    "#",
    "-",
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
    let text = EXAMPLES[rng.below(EXAMPLES.len())].to_string();
    mutated(&mut rng, text, PIECES)
}

/// `text` with a few insertions of `pieces`, deletions, duplications and repetitions.
fn mutated(rng: &mut Rng, mut text: String, pieces: &[&str]) -> String {
    for _ in 0..1 + rng.below(6) {
        let at = boundary(&text, rng.below(text.len() + 1));
        match rng.below(5) {
            0 | 1 => text.insert_str(at, pieces[rng.below(pieces.len())]),
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
                let piece = pieces[rng.below(pieces.len())];
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
    a_month_of(
        &model,
        chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
    );
}

/// The month from `first`, planned, checked, and reminded of on its sixth day.
fn a_month_of(model: &rota::model::Model, first: chrono::NaiveDate) {
    let period = rota::plan::Period::months(first, 1, model.team.timezone);
    let shifts = rota::plan::plan(model, period);
    assert!(
        shifts.iter().all(|s| s.start < s.end),
        "a shift lasts some time"
    );
    let _ = rota::check::check(model, period);
    let now = (first + chrono::TimeDelta::days(5))
        .and_hms_opt(10, 0, 0)
        .unwrap()
        .and_utc();
    let _ = rota::remind::due(model, now, |_| false);
}

/// The bundled config, and its lock published through January 2027.
fn bundled_and_its_lock() -> (rota::model::Model, String) {
    let model = rota::config::load(EXAMPLES[0], "rotation.toml").expect("the bundled config");
    let through = chrono::NaiveDate::from_ymd_opt(2027, 1, 31);
    let published = rota::published::publish::publish(&model, &Default::default(), through, None)
        .expect("the bundled config publishes");
    let lock = rota::published::text::render(&published.lock);
    (model, lock)
}

/// One mutated lock of the bundled config: mostly edits of whole lines, as a merge or a hand
/// edit makes them (a line of another lock, a line dropped, repeated or moved, a turn given
/// to someone else), so that many still read and are planned from; sometimes edits anywhere.
fn mutate_lock(seed: u64, lock: &str) -> String {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    if rng.below(4) == 0 {
        return mutated(&mut rng, lock.to_string(), LOCK_PIECES);
    }
    let mut lines: Vec<String> = lock.lines().map(str::to_string).collect();
    const PEOPLE: &[&str] = &["ana", "kenji", "mehmet", "(none)", "nobody-here", "%41na"];
    for _ in 0..1 + rng.below(6) {
        let at = rng.below(lines.len() + 1);
        match rng.below(5) {
            0 | 1 => {
                let piece = LOCK_PIECES[rng.below(LOCK_PIECES.len())];
                lines.insert(at, piece.trim_end_matches('\n').to_string());
            }
            2 if at < lines.len() => {
                lines.remove(at);
            }
            3 if at < lines.len() => {
                let line = lines[at].clone();
                let to = rng.below(lines.len() + 1);
                lines.insert(to, line);
            }
            _ if at < lines.len() => {
                // A turn given to someone else: its person field replaced.
                let mut fields: Vec<String> = lines[at].split(' ').map(str::to_string).collect();
                if fields.first().is_some_and(|f| f == "turn") && fields.len() > 3 {
                    fields[3] = PEOPLE[rng.below(PEOPLE.len())].to_string();
                    lines[at] = fields.join(" ");
                }
            }
            _ => {}
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

/// Everything a month planned from `model` and the lock `text` costs in process: read,
/// fitted to the config, then the month planned, checked, reminded and published further.
fn exercise_lock(model: &rota::model::Model, text: &str) {
    let lock = match rota::published::text::parse(text) {
        Ok(lock) => lock,
        Err(problems) => {
            assert!(!problems.is_empty(), "a lock refused without a problem");
            return;
        }
    };
    let mut model = model.clone();
    model.published = match lock.resolve(&model) {
        Ok(published) => published,
        Err(problems) => {
            assert!(!problems.is_empty(), "a lock refused without a problem");
            return;
        }
    };
    a_month_of(&model, chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap());
    let through = chrono::NaiveDate::from_ymd_opt(2027, 2, 28);
    let _ = rota::published::publish::publish(&model, &lock, through, None);
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

    #[test]
    fn mutated_locks_never_panic_and_cost_bounded_time(seed in any::<u64>()) {
        let (model, lock) = bundled_and_its_lock();
        let text = mutate_lock(seed, &lock);
        let started = Instant::now();
        exercise_lock(&model, &text);
        prop_assert!(
            started.elapsed() < Duration::from_secs(10),
            "seed {seed} took {:?}", started.elapsed()
        );
    }

    #[test]
    fn arbitrary_text_as_a_lock_never_panics(text in "\\PC{0,400}") {
        let (model, _) = bundled_and_its_lock();
        exercise_lock(&model, &text);
        exercise_lock(&model, &format!("rota-lock 2\nthrough 2027-01-31\n{text}"));
    }
}

/// The most memory one command may use (address space, as `ulimit -v` counts it).
const MEMORY_LIMIT_KB: u64 = 2 * 1024 * 1024;
/// The most time one command may take on one input (a debug build on a busy machine).
const TIME_LIMIT: Duration = Duration::from_secs(20);

#[test]
fn the_binary_exits_0_1_or_2_in_bounded_time_and_memory_on_generated_configs() {
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
        let input = Input {
            case: first + case,
            text: &text,
            kept_as: "toml",
        };
        for args in commands {
            run_bounded(&p, args, &input);
        }
    }
}

#[test]
fn the_binary_exits_0_1_or_2_in_bounded_time_and_memory_on_generated_locks() {
    let commands: &[&[&str]] = &[
        &["validate"],
        &["plan", "--month", "2027-01", "--format", "json"],
        &["check", "--month", "2027-01", "--format", "json"],
        &["export", "--month", "2027-01", "--out", "public"],
        &["diff", "--month", "2027-01", "--format", "markdown"],
        &["remind", "--dry-run", "--now", "2027-01-06T10:00"],
        &["publish", "--through", "2027-02-28", "--dry-run"],
    ];
    let (_, lock) = bundled_and_its_lock();
    let first = seed();
    for case in 0..u64::from(cases(12)) {
        let text = mutate_lock(first.wrapping_add(case), &lock);
        let p = Project::new(EXAMPLES[0]);
        std::fs::write(p.file("rotation.lock"), &text).expect("write the lock");
        let input = Input {
            case: first + case,
            text: &text,
            kept_as: "lock",
        };
        for args in commands {
            run_bounded(&p, args, &input);
        }
        // Whatever the lock held, nothing but publishing may write it.
        let after = std::fs::read_to_string(p.file("rotation.lock")).expect("the lock");
        assert_eq!(after, text, "case {} changed the lock", first + case);
    }
}

/// A generated input: its case number, its text, and the extension it is kept with if a
/// command fails on it.
struct Input<'t> {
    case: u64,
    text: &'t str,
    kept_as: &'static str,
}

/// Runs `rota ARGS` in `p` under the memory limit, and asserts it ended with 0, 1 or 2, without
/// a panic, in bounded time and with bounded errors; on a failure the input is kept in the
/// temporary folder, and the message says where.
fn run_bounded(p: &Project, args: &[&str], input: &Input) {
    let case = input.case;
    let keep = || {
        let kept = std::env::temp_dir().join(format!("rota-fuzz-{case}.{}", input.kept_as));
        let _ = std::fs::write(&kept, input.text);
        kept.display().to_string()
    };
    let rota = assert_cmd::cargo::cargo_bin("rota");
    let started = Instant::now();
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {MEMORY_LIMIT_KB}; exec \"$0\" \"$@\""))
        .arg(&rota)
        .args(args)
        .current_dir(p.path())
        .env("NO_COLOR", "1")
        .env_remove("ROTA_CONFIG")
        .output()
        .expect("run rota");
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0..=2)),
        "rota {args:?} on case {case} exited {:?} (input kept in {}):\n{stderr}",
        out.status,
        keep()
    );
    assert!(
        !stderr.contains("panicked"),
        "rota {args:?} panicked on case {case} (input kept in {}):\n{stderr}",
        keep()
    );
    assert!(
        took < TIME_LIMIT,
        "rota {args:?} took {took:?} on case {case} (input kept in {})",
        keep()
    );
    assert!(
        out.stderr.len() < 256 * 1024,
        "rota {args:?} wrote {} bytes of errors on case {case}",
        out.stderr.len(),
    );
}
