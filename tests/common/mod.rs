//! Helpers shared by the integration tests: fixture sites copied into temp folders, and the
//! `trustbook` binary run on them.
#![allow(dead_code)] // each test file uses a different part

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The day every test judges review and expiry dates by.
pub const TODAY: &str = "2026-11-27";

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn copy_tree(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temp copy of the good fixture site, with `overlay` (a folder of replacement files
/// under `tests/fixtures/rules/`) laid over it.
pub fn site(overlay: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixtures().join("good"), dir.path());
    if let Some(name) = overlay {
        copy_tree(
            &fixtures().join("rules").join(name).join("content"),
            &dir.path().join("content"),
        );
    }
    dir
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Findings printed by `--format json`.
    pub fn findings(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|line| serde_json::from_str(line).expect("each line is a JSON object"))
            .collect()
    }
}

pub fn trustbook(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_trustbook"))
        .args(args)
        .env("TRUSTBOOK_TODAY", TODAY)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "trustbook panicked:\n{}",
        run.stderr
    );
    run
}

pub fn check_json(root: &Path) -> Run {
    trustbook(&[
        "check",
        "--format",
        "json",
        "--root",
        root.to_str().unwrap(),
    ])
}

pub fn check_text(root: &Path) -> Run {
    trustbook(&["check", "--root", root.to_str().unwrap()])
}
