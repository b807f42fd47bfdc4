//! The browser tests (tests/browser/run.mjs) in Debian's Chromium, run by `cargo test` on
//! a fresh build of the sample site. They need Chromium and the packages of
//! tests/browser/package.json, which `.ci/run` installs; without them this test fails and
//! says what to install (set TRUSTBOOK_SKIP_BROWSER=1 to skip it knowingly).

mod common;

use std::path::Path;
use std::process::Command;

#[test]
fn the_theme_passes_its_browser_tests() {
    if std::env::var_os("TRUSTBOOK_SKIP_BROWSER").is_some() {
        eprintln!("skipped: TRUSTBOOK_SKIP_BROWSER is set");
        return;
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tests = repo.join("tests/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        tests.join("node_modules/playwright-core").is_dir() && Path::new(&chromium).is_file(),
        "the browser tests need Chromium ({chromium}) and their node packages: \
         run `apt-get install chromium` and `npm ci --prefix tests/browser` (as .ci/run does)"
    );
    let site = tempfile::tempdir().unwrap();
    common::copy_tree(&repo.join("content"), &site.path().join("content"));
    let run = common::build(site.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let output = Command::new("node")
        .arg(tests.join("run.mjs"))
        .arg(site.path())
        .arg(repo.join("docs/screenshots"))
        .env("TRUSTBOOK_BIN", env!("CARGO_BIN_EXE_trustbook"))
        .env("TRUSTBOOK_TODAY", common::TODAY)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "browser tests failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains(", 0 failed"), "{stdout}");
}
