//! The command line as files: `tests/cmd/NAME.toml` runs `rota` with its arguments in a
//! fixture folder and compares what it prints with `NAME.stdout` and `NAME.stderr`.
//! After a deliberate change of output, `TRYCMD=overwrite cargo test --test cli` rewrites them.

#[test]
fn command_line_cases() {
    trycmd::TestCases::new()
        .register_bin("rota", trycmd::cargo::cargo_bin!("rota"))
        .case("tests/cmd/*.toml");
}
