//! The command line as files: `tests/cmd/NAME.toml` runs `rota` with its arguments in a
//! fixture folder and compares what it prints with `NAME.stdout` and `NAME.stderr`.
//! After a deliberate change of output, `TRYCMD=overwrite cargo test --test cli` rewrites them.

#[test]
fn command_line_cases() {
    trycmd::TestCases::new()
        .register_bin("rota", trycmd::cargo::cargo_bin!("rota"))
        .case("tests/cmd/*.toml");
}

/// The README's ```console blocks, run in a copy of the repository's configs: what the README
/// shows is what rota prints. Blocks run in order in one folder, as a reader would run them.
#[test]
fn readme_examples() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("temp dir");
    let readme = dir.path().join("README.md");
    std::fs::copy(root.join("README.md"), &readme).expect("copy README.md");
    // trycmd runs README.md's commands in README.in/.
    let folder = dir.path().join("README.in");
    std::fs::create_dir_all(folder.join("examples")).expect("fixture folder");
    std::fs::copy(root.join("rotation.toml"), folder.join("rotation.toml")).expect("copy config");
    for entry in std::fs::read_dir(root.join("examples")).expect("examples/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            let name = path.file_name().expect("file name");
            std::fs::copy(&path, folder.join("examples").join(name)).expect("copy example");
        }
    }
    trycmd::TestCases::new()
        .register_bin("rota", trycmd::cargo::cargo_bin!("rota"))
        .case(&readme)
        .run();
}
