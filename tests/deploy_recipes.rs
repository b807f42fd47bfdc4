//! The GitHub Actions workflows `trustbook init` writes: valid workflows, commands that
//! exist, the public site (and only it) on GitHub Pages, the handbook kept private, and an
//! install step that says what to set when it cannot install.

mod common;

use common::trustbook;
use serde_yaml::Value;
use std::path::{Path, PathBuf};

const TRUST_CENTRE: &str = ".github/workflows/trust-centre.yml";
const HANDBOOK: &str = ".github/workflows/handbook.yml";
const WORKFLOWS: [&str; 2] = [TRUST_CENTRE, HANDBOOK];

/// A new site made by `trustbook init`, in a temp folder (kept alive by the `TempDir`).
fn init_site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    let run = trustbook(&["init", root.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    (dir, root)
}

fn workflow(root: &Path, name: &str) -> Value {
    let path = root.join(name);
    assert!(path.is_file(), "init did not write {name}");
    serde_yaml::from_str(&common::read_text(&path))
        .unwrap_or_else(|e| panic!("{name} is not YAML: {e}"))
}

/// The workflow's jobs, by name.
fn jobs(workflow: &Value) -> Vec<(String, &Value)> {
    let jobs = workflow["jobs"].as_mapping().expect("`jobs` is a mapping");
    assert!(!jobs.is_empty(), "no jobs");
    jobs.iter()
        .map(|(name, job)| (name.as_str().expect("a job name").to_string(), job))
        .collect()
}

fn steps(job: &Value) -> &[Value] {
    job.get("steps")
        .and_then(Value::as_sequence)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn all_steps(workflow: &Value) -> Vec<&Value> {
    jobs(workflow)
        .into_iter()
        .flat_map(|(_, job)| steps(job))
        .collect()
}

/// The action a step uses, without its version (`actions/checkout`).
fn action(step: &Value) -> Option<&str> {
    let uses = step.get("uses")?.as_str()?;
    Some(uses.split('@').next().unwrap())
}

fn with<'a>(step: &'a Value, key: &str) -> Option<&'a Value> {
    step.get("with")?.get(key)
}

/// A path as a workflow names it, without `./` or a trailing `/`.
fn normalised(path: &str) -> String {
    let path = path.trim();
    let path = path.strip_prefix("./").unwrap_or(path);
    path.trim_end_matches('/').to_string()
}

/// The arguments after `trustbook` of every line of a `run:` script of `steps` that starts
/// with `trustbook `.
fn trustbook_commands<'a>(steps: impl IntoIterator<Item = &'a Value>) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    for step in steps {
        let Some(script) = step.get("run").and_then(Value::as_str) else {
            continue;
        };
        for line in script.lines().map(str::trim) {
            if let Some(args) = line.strip_prefix("trustbook ") {
                assert!(
                    !args.contains(['$', '"', '\'', '\\', '|', '&', ';', '>', '<']),
                    "`{line}` is not a plain command, so this test cannot run it as written"
                );
                commands.push(args.split_whitespace().map(String::from).collect());
            }
        }
    }
    commands
}

fn runs_trustbook(job: &Value) -> bool {
    !trustbook_commands(steps(job)).is_empty()
}

#[test]
fn init_writes_two_well_formed_workflows() {
    let (_dir, root) = init_site();
    for name in WORKFLOWS {
        let workflow = workflow(&root, name);
        let on = workflow
            .get("on")
            .expect("`on` (a YAML 1.1 reader would make it `true`)");
        assert!(on.as_mapping().is_some(), "{name}: `on` is a mapping");
        let branches = on["push"]["branches"].as_sequence();
        assert_eq!(
            branches.map(|b| b.iter().filter_map(Value::as_str).collect::<Vec<_>>()),
            Some(vec!["main"]),
            "{name}: runs on pushes to main"
        );
        assert!(
            on.get("workflow_dispatch").is_some(),
            "{name}: can be run by hand"
        );

        let names: Vec<String> = jobs(&workflow).into_iter().map(|(n, _)| n).collect();
        for (job_name, job) in jobs(&workflow) {
            assert!(
                job.get("runs-on").and_then(Value::as_str).is_some(),
                "{name}: job {job_name} has no runs-on"
            );
            assert!(
                !steps(job).is_empty(),
                "{name}: job {job_name} has no steps"
            );
            if let Some(needs) = job.get("needs").and_then(Value::as_str) {
                assert!(names.iter().any(|n| n == needs), "{name}: needs {needs}");
            }
            for step in steps(job) {
                assert!(
                    step.get("uses").is_some() != step.get("run").is_some(),
                    "{name}: job {job_name}: a step either uses an action or runs a script: {step:?}"
                );
            }
            // trustbook reads git history: a shallow clone has no dates and warns.
            let checkouts: Vec<&Value> = steps(job)
                .iter()
                .filter(|s| action(s) == Some("actions/checkout"))
                .collect();
            for checkout in &checkouts {
                assert_eq!(
                    with(checkout, "fetch-depth").and_then(Value::as_i64),
                    Some(0),
                    "{name}: job {job_name} checks out without fetch-depth: 0"
                );
            }
            if runs_trustbook(job) {
                assert!(
                    !checkouts.is_empty(),
                    "{name}: job {job_name} runs trustbook without checking out the sources"
                );
            }
        }

        for step in all_steps(&workflow) {
            let Some(uses) = step.get("uses").and_then(Value::as_str) else {
                continue;
            };
            let (_, version) = uses.split_once('@').unwrap_or((uses, ""));
            let major = version.strip_prefix('v').unwrap_or("");
            assert!(
                major.starts_with(|c: char| c.is_ascii_digit())
                    && major.chars().all(|c| c.is_ascii_digit() || c == '.'),
                "{name}: `{uses}` does not pin a major version"
            );
        }
    }
    let pages = workflow(&root, TRUST_CENTRE);
    assert!(
        pages["on"].get("pull_request").is_some(),
        "pull requests are checked"
    );
}

#[test]
fn every_trustbook_command_in_the_workflows_runs_on_a_new_site() {
    let mut seen = Vec::new();
    for (name, uploads, never_built) in [
        (TRUST_CENTRE, "public", "internal"),
        (HANDBOOK, "internal", "public"),
    ] {
        // A new site for each workflow, so what one builds cannot stand in for the other.
        let (_dir, root) = init_site();
        let workflow = workflow(&root, name);
        let commands = trustbook_commands(all_steps(&workflow));
        assert!(!commands.is_empty(), "{name} runs no trustbook command");
        for args in commands {
            let mut full: Vec<&str> = args.iter().map(String::as_str).collect();
            full.extend(["--root", root.to_str().unwrap()]);
            let run = trustbook(&full);
            let shown = format!("{name}: `trustbook {}`", args.join(" "));
            assert!(
                run.code == 0 || run.code == 1,
                "{shown} exits {} (2 is a usage error):\n{}",
                run.code,
                run.stderr
            );
            if args.contains(&"github".to_string()) {
                let lines: Vec<&str> = run.stdout.lines().collect();
                // A new site has a TODO justification in each of its 38 controls.
                assert!(!lines.is_empty(), "{shown} printed no annotations");
                for line in lines {
                    assert!(
                        ["::error ", "::warning ", "::notice "]
                            .iter()
                            .any(|p| line.starts_with(p)),
                        "{shown}: not a workflow command: {line}"
                    );
                    // The workflow runs at the repository's root, which init made the site.
                    assert!(
                        line.contains(" file=content/"),
                        "{shown}: an annotation not on a source file: {line}"
                    );
                }
            }
            seen.push(args.join(" "));
        }
        assert!(
            root.join(uploads).join("index.html").is_file(),
            "{name} uploads {uploads}/, which its commands did not build"
        );
        assert!(
            !root.join(never_built).exists(),
            "{name} also builds {never_built}/"
        );
    }
    for expected in [
        "check --format github",
        "build --only public",
        "build --only internal",
    ] {
        assert!(
            seen.iter().any(|s| s == expected),
            "no workflow runs `trustbook {expected}`: {seen:?}"
        );
    }
}

#[test]
fn only_the_public_site_goes_to_pages_and_the_handbook_stays_private() {
    let (_dir, root) = init_site();
    let pages = workflow(&root, TRUST_CENTRE);
    let handbook = workflow(&root, HANDBOOK);

    // The trust centre: public/ itself (its parent also holds earlier generations).
    let uploads: Vec<&Value> = all_steps(&pages)
        .into_iter()
        .filter(|s| action(s) == Some("actions/upload-pages-artifact"))
        .collect();
    assert_eq!(uploads.len(), 1, "one Pages upload");
    assert_eq!(
        with(uploads[0], "path")
            .and_then(Value::as_str)
            .map(normalised),
        Some("public".to_string())
    );
    let (build_name, build) = jobs(&pages)
        .into_iter()
        .find(|(_, job)| steps(job).iter().any(|s| std::ptr::eq(s, uploads[0])))
        .unwrap();
    assert_eq!(
        trustbook_commands(steps(build)),
        [["build", "--only", "public"]],
        "the job that uploads to Pages builds the public site only"
    );
    let condition = build.get("if").and_then(Value::as_str).unwrap_or("");
    assert!(
        condition.contains("refs/heads/main") && condition.contains("pull_request"),
        "job {build_name} must not publish a pull request: if: {condition:?}"
    );

    // Write access to Pages only where it is deployed; read-only everywhere else.
    for (name, workflow) in [(TRUST_CENTRE, &pages), (HANDBOOK, &handbook)] {
        assert_eq!(
            serde_yaml::to_string(&workflow["permissions"]).unwrap(),
            "contents: read\n",
            "{name}: top-level permissions"
        );
        for (job_name, job) in jobs(workflow) {
            let deploys = steps(job)
                .iter()
                .any(|s| action(s) == Some("actions/deploy-pages"));
            let permissions = job.get("permissions");
            let grants = |scope: &str| {
                permissions
                    .and_then(|p| p.get(scope))
                    .and_then(Value::as_str)
                    == Some("write")
            };
            assert_eq!(
                grants("pages"),
                deploys,
                "{name}: job {job_name}: pages: write"
            );
            assert_eq!(
                grants("id-token"),
                deploys,
                "{name}: job {job_name}: id-token: write"
            );
            if deploys {
                assert_eq!(
                    job["environment"]["name"].as_str(),
                    Some("github-pages"),
                    "{name}: job {job_name}"
                );
                assert_eq!(job["needs"].as_str(), Some(build_name.as_str()));
            }
        }
    }

    // No workflow puts anything but public/ on Pages.
    for (name, workflow) in [(TRUST_CENTRE, &pages), (HANDBOOK, &handbook)] {
        for step in all_steps(workflow) {
            if action(step) == Some("actions/upload-pages-artifact") {
                let path = with(step, "path").and_then(Value::as_str).map(normalised);
                assert_eq!(
                    path.as_deref(),
                    Some("public"),
                    "{name} puts {path:?} on Pages"
                );
            }
        }
    }
    for step in all_steps(&handbook) {
        assert!(
            !matches!(
                action(step),
                Some("actions/upload-pages-artifact" | "actions/deploy-pages")
            ),
            "the handbook workflow publishes to GitHub Pages: {step:?}"
        );
    }

    // The handbook: an artifact only readers of the repository can download.
    let handbook_uploads: Vec<&Value> = all_steps(&handbook)
        .into_iter()
        .filter(|s| action(s) == Some("actions/upload-artifact"))
        .collect();
    assert_eq!(handbook_uploads.len(), 1);
    let upload = handbook_uploads[0];
    assert_eq!(
        with(upload, "path").and_then(Value::as_str).map(normalised),
        Some("internal".to_string())
    );
    assert_eq!(
        with(upload, "name").and_then(Value::as_str),
        Some("handbook")
    );
    assert_eq!(
        with(upload, "retention-days").and_then(Value::as_i64),
        Some(30)
    );
    for step in all_steps(&handbook) {
        if let Some(path) = with(step, "path").and_then(Value::as_str) {
            for named in path.lines().map(normalised) {
                assert!(
                    named != "public" && !named.starts_with("public/"),
                    "the handbook workflow uploads {path}"
                );
            }
        }
    }
    // The private-bucket example stays an example until someone points it at their bucket.
    let text = common::read_text(&root.join(HANDBOOK));
    let syncs: Vec<&str> = text.lines().filter(|l| l.contains("aws s3 sync")).collect();
    assert!(!syncs.is_empty(), "the private-bucket example is missing");
    for line in syncs {
        assert!(
            line.trim_start().starts_with('#'),
            "not commented out: {line}"
        );
        assert!(
            line.contains("sync internal/ s3://YOUR-PRIVATE-BUCKET/"),
            "{line}"
        );
    }
}

/// The steps that install trustbook in each job that runs it: (cache, install).
fn install_steps(root: &Path) -> Vec<(String, Value, Value)> {
    let mut found = Vec::new();
    for name in WORKFLOWS {
        let workflow = workflow(root, name);
        for (job_name, job) in jobs(&workflow) {
            if !runs_trustbook(job) {
                continue;
            }
            let steps = steps(job);
            let at = |found: &dyn Fn(&Value) -> bool, what: &str| {
                steps
                    .iter()
                    .position(found)
                    .unwrap_or_else(|| panic!("{name}: job {job_name} has no {what} step"))
            };
            let cache = at(&|s| action(s) == Some("actions/cache"), "cache");
            let install = at(
                &|s| {
                    (s.get("run").and_then(Value::as_str))
                        .is_some_and(|r| r.contains("cargo install"))
                },
                "install",
            );
            let first_use = at(&|s| !trustbook_commands([s]).is_empty(), "trustbook");
            assert!(
                cache < install && install < first_use,
                "{name}: job {job_name}: cache, then install, then trustbook"
            );
            found.push((
                format!("{name}: job {job_name}"),
                steps[cache].clone(),
                steps[install].clone(),
            ));
        }
    }
    assert!(
        found.len() >= 3,
        "the check, build and handbook jobs install trustbook"
    );
    found
}

#[test]
fn every_job_installs_trustbook_from_git_the_same_way() {
    let (_dir, root) = init_site();
    let found = install_steps(&root);
    let (_, first_cache, first_install) = &found[0];
    for (place, cache, install) in &found {
        assert_eq!(cache, first_cache, "{place}: the cache step differs");
        assert_eq!(install, first_install, "{place}: the install step differs");
        assert_eq!(
            with(cache, "path").and_then(Value::as_str),
            Some("~/.cargo/bin/trustbook"),
            "{place}"
        );
        let key = with(cache, "key").and_then(Value::as_str).unwrap_or("");
        assert!(
            key.contains("vars.TRUSTBOOK_REV"),
            "{place}: cache key {key}"
        );

        let text = serde_yaml::to_string(install).unwrap();
        for needed in [
            "vars.TRUSTBOOK_GIT",
            "vars.TRUSTBOOK_REV",
            "::error::",
            "Settings → Secrets and variables → Actions → Variables",
            r#"cargo install --locked --git "$TRUSTBOOK_GIT" --rev "$TRUSTBOOK_REV" trustbook"#,
        ] {
            assert!(text.contains(needed), "{place}: no `{needed}` in\n{text}");
        }
        let script = install["run"].as_str().unwrap();
        assert!(
            !script.contains("${{"),
            "{place}: values reach the script through env, never pasted into it"
        );
        assert_eq!(install["shell"].as_str(), Some("bash"), "{place}");
    }
}

/// Runs an install step's script as GitHub Actions runs a `shell: bash` step, with `env`
/// and a stand-in `cargo` that records its arguments. Returns (exit code, stdout, the
/// arguments cargo was called with, if it was).
#[cfg(unix)]
fn run_install(install: &Value, env: &[(&str, &str)]) -> (i32, String, Option<Vec<String>>) {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    let called = dir.path().join("cargo-args");
    common::write_file(
        dir.path(),
        "bin/cargo",
        &format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\n",
            called.display()
        ),
    );
    std::fs::set_permissions(bin.join("cargo"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let script = dir.path().join("install.sh");
    std::fs::write(&script, install["run"].as_str().unwrap()).unwrap();

    let declared: Vec<&str> = (install["env"].as_mapping().unwrap().keys())
        .filter_map(Value::as_str)
        .collect();
    let mut command = std::process::Command::new("bash");
    command
        .args(["--noprofile", "--norc", "-eo", "pipefail"])
        .arg(&script)
        .current_dir(dir.path())
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        );
    for (key, value) in env {
        assert!(
            declared.contains(key),
            "the step has no env {key}: {declared:?}"
        );
        command.env(key, value);
    }
    let output = command.output().expect("bash runs");
    let args = std::fs::read_to_string(&called)
        .ok()
        .map(|text| text.lines().map(String::from).collect());
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        args,
    )
}

#[cfg(unix)]
#[test]
fn the_install_step_says_which_variable_to_set_and_installs_the_named_commit() {
    let (_dir, root) = init_site();
    let (_, _, install) = install_steps(&root).remove(0);
    let errors = |stdout: &str| -> Vec<String> {
        (stdout.lines())
            .filter(|l| l.starts_with("::error::"))
            .map(String::from)
            .collect()
    };

    let (code, stdout, cargo) = run_install(
        &install,
        &[
            ("TRUSTBOOK_GIT", ""),
            ("TRUSTBOOK_REV", ""),
            ("CACHE_HIT", ""),
        ],
    );
    assert_ne!(code, 0, "installs with neither variable set");
    assert_eq!(cargo, None, "cargo ran without a URL and commit");
    let shown = errors(&stdout);
    assert_eq!(shown.len(), 2, "{stdout}");
    assert!(shown[0].contains("TRUSTBOOK_GIT is not set"), "{stdout}");
    assert!(shown[1].contains("TRUSTBOOK_REV is not set"), "{stdout}");
    assert!(
        shown
            .iter()
            .all(|e| e.contains("Settings → Secrets and variables → Actions → Variables")),
        "{stdout}"
    );

    let (code, stdout, cargo) = run_install(
        &install,
        &[
            ("TRUSTBOOK_GIT", "https://git.example.com/trustbook.git"),
            ("TRUSTBOOK_REV", ""),
            ("CACHE_HIT", ""),
        ],
    );
    assert_ne!(code, 0);
    assert_eq!(cargo, None);
    let shown = errors(&stdout);
    assert_eq!(shown.len(), 1, "{stdout}");
    assert!(shown[0].contains("TRUSTBOOK_REV is not set"), "{stdout}");

    let set = [
        ("TRUSTBOOK_GIT", "https://git.example.com/trust book.git"),
        ("TRUSTBOOK_REV", "0123456789abcdef"),
    ];
    let (code, stdout, cargo) = run_install(&install, &[set[0], set[1], ("CACHE_HIT", "")]);
    assert_eq!(code, 0, "{stdout}");
    assert!(errors(&stdout).is_empty(), "{stdout}");
    assert_eq!(
        cargo,
        Some(
            [
                "install",
                "--locked",
                "--git",
                "https://git.example.com/trust book.git",
                "--rev",
                "0123456789abcdef",
                "trustbook"
            ]
            .map(String::from)
            .to_vec()
        ),
        "cargo installs the named commit from the named repository"
    );

    let (code, stdout, cargo) = run_install(&install, &[set[0], set[1], ("CACHE_HIT", "true")]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(cargo, None, "a cached binary is not compiled again");
}
