//! `rota export --html`: index.html, rendered in a real headless Chromium.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;

const EDGE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/views/edge.toml"
));

fn export(p: &Project) -> String {
    p.run(
        &["export", "--month", "2026-12", "--html", "--out", "site"],
        0,
    );
    std::fs::read_to_string(p.file("site/index.html")).expect("index.html written")
}

/// Chromium, or None where it is not installed and this is not CI (in CI it must run).
fn chromium() -> Option<PathBuf> {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(out) = Command::new("which").arg(name).output()
            && out.status.success()
        {
            return Some(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but chromium is not installed: .ci/run installs it with apt-get"
    );
    eprintln!("SKIPPED: the browser test needs chromium (apt-get install chromium)");
    None
}

/// Runs headless Chromium on `page` with `args` (e.g. `--dump-dom`); returns stdout.
fn browse(chromium: &Path, page: &Path, args: &[String]) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The text of the element that starts at the first `start` after `after` and ends at `end`.
fn section<'a>(html: &'a str, after: &str, start: &str, end: &str) -> &'a str {
    let from = html.find(after).unwrap_or_else(|| panic!("no {after}"));
    let rest = &html[from..];
    let at = rest
        .find(start)
        .unwrap_or_else(|| panic!("no {start} after {after}"));
    let rest = &rest[at..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

#[test]
fn the_page_is_self_contained_escapes_every_name_and_links_the_feeds() {
    let p = Project::new(EDGE);
    let html = export(&p);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains(r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#)
    );
    // No script, nothing loaded from anywhere: no src, no stylesheet link.
    assert!(!html.contains("<script"), "a name became a script");
    assert!(!html.contains("src=") && !html.contains("<link"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Q&quot;"));
    assert!(html.contains("Edge &lt;&amp;&gt; &quot;Team&quot;"));
    // Accessible tables: captions and header scopes.
    assert!(html.contains("<caption>r3 — December 2026</caption>"));
    assert!(html.contains(r#"<th scope="col" class="mon">Mon</th>"#));
    assert!(html.contains(r#"<th scope="row">Mon</th>"#));
    // Relative links to the feeds written beside it.
    assert!(html.contains(r#"href="team.ics""#));
    assert!(html.contains(r#"href="person-x.ics""#));
    assert!(!html.contains("webcal://"));
}

#[test]
fn with_a_base_url_the_feeds_are_webcal_subscriptions() {
    let config = format!("{EDGE}\n[calendar]\nbase_url = \"https://rota.example.org/edge\"\n");
    let p = Project::new(&config);
    let html = export(&p);
    assert!(
        html.contains(r#"href="webcal://rota.example.org/edge/team.ics""#),
        "{html}"
    );
    assert!(html.contains(r#"href="https://rota.example.org/edge/rotation-r3.ics""#));
    let bad = format!("{EDGE}\n[calendar]\nbase_url = \"rota.example.org\"\n");
    let err = Project::new(&bad).run_err(&["validate"], 2);
    assert!(err.contains("base URL"), "{err}");
}

#[test]
fn index_html_is_written_only_with_html_and_with_the_feeds() {
    let p = Project::new(EDGE);
    p.run(&["export", "--month", "2026-12", "--out", "site"], 0);
    assert!(!p.file("site/index.html").exists());
    let v = p.json(&[
        "export", "--month", "2026-12", "--html", "--out", "site", "--format", "json",
    ]);
    let files: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert!(
        files.contains(&"index.html") && files.contains(&"team.ics"),
        "{files:?}"
    );
    // The same inputs give the same page.
    let first = std::fs::read(p.file("site/index.html")).unwrap();
    p.run(
        &["export", "--month", "2026-12", "--html", "--out", "site"],
        0,
    );
    assert_eq!(std::fs::read(p.file("site/index.html")).unwrap(), first);
}

#[test]
fn chromium_renders_the_right_person_in_the_right_cell() {
    let p = Project::new(EDGE);
    export(&p);
    let Some(chromium) = chromium() else { return };
    let page = p.file("site/index.html");
    let dom = browse(&chromium, &page, &["--dump-dom".to_string()]);
    // The browser built no script element from a name, and kept the names as text.
    assert!(!dom.contains("<script"), "{dom}");
    let escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; \"Q\"";
    // r3 runs a, b, 王小明, x day by day from Wed 2 December; x holds Saturday 5th.
    let saturday = section(
        &dom,
        r#"data-rotation="r3""#,
        r#"data-date="2026-12-05""#,
        "</td>",
    );
    assert!(
        saturday.contains(r#"data-person="x""#) && saturday.contains(escaped),
        "{saturday}"
    );
    let friday = section(
        &dom,
        r#"data-rotation="r3""#,
        r#"data-date="2026-12-04""#,
        "</td>",
    );
    assert!(friday.contains("王小明"), "{friday}");
    // Christmas is an except date of r3; both members are away for weekly-wed's 16 December turn.
    let christmas = section(
        &dom,
        r#"data-rotation="r3""#,
        r#"data-date="2026-12-25""#,
        "</td>",
    );
    assert!(christmas.contains("holiday"), "{christmas}");
    let nobody = section(
        &dom,
        r#"data-rotation="weekly-wed""#,
        r#"data-date="2026-12-16""#,
        "</td>",
    );
    assert!(nobody.contains("nobody"), "{nobody}");
    // The person's own table lists their turns, named safely.
    let turns = section(
        &dom,
        r#"<table class="turns" data-person="x""#,
        "<caption>",
        "</caption>",
    );
    assert!(turns.contains(escaped), "{turns}");

    // Screenshots at a phone's and a desktop's width are real PNG images.
    for (width, height) in [(390, 2400), (1280, 2400)] {
        let shot = p.file(&format!("shot-{width}.png"));
        browse(
            &chromium,
            &page,
            &[
                format!("--screenshot={}", shot.display()),
                format!("--window-size={width},{height}"),
                "--hide-scrollbars".to_string(),
            ],
        );
        let png = std::fs::read(&shot).expect("screenshot written");
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000);
        let png_width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        assert_eq!(png_width, width);
    }
}
