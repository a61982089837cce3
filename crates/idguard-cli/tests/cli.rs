//! End-to-end tests of the `idguard` binary on `tests/fixtures/cli/`.

mod common;

use std::path::{Path, PathBuf};

use common::{Run, assert_valid_sarif, idguard_in};
use serde_json::json;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/cli");

fn idguard(args: &[&str]) -> Run {
    idguard_in(Path::new(FIXTURES), args)
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}):\n{s}"))
}

// ---- exit codes -----------------------------------------------------------

#[test]
fn clean_template_exits_0() {
    let r = idguard(&["check", "clean"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout
            .contains("Checked 1 template with 1 parameter file in "),
        "{}",
        r.all()
    );
}

#[test]
fn missing_path_exits_2() {
    let r = idguard(&["check", "clean", "does/not/exist"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("does/not/exist"), "{}", r.all());
}

#[test]
fn non_template_json_is_skipped_and_a_policy_definition_is_checked() {
    // A settings file is skipped; a standalone Azure Policy definition
    // (recognised by properties.policyRule) is checked for the template
    // its remediation deploys.
    let r = idguard(&["check", "other", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let v = json(&r.stdout);
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    let kind = |name: &str| {
        files
            .iter()
            .find(|f| f["path"].as_str().is_some_and(|p| p.ends_with(name)))
            .map(|f| (f["kind"].clone(), f["error"].is_null()))
    };
    assert_eq!(
        kind("settings.json"),
        Some((json!("other"), true)),
        "{}",
        r.stdout
    );
    assert_eq!(
        kind("policy-definition.json"),
        Some((json!("template"), true)),
        "{}",
        r.stdout
    );
    assert_eq!(v["summary"]["templates"], 1);
    let r = idguard(&["check", "other/settings.json"]);
    assert!(
        r.stdout.contains("No Bicep or ARM templates found"),
        "{}",
        r.all()
    );
}

/// Needs the core's parser (check_template reports parse errors).
#[test]
fn invalid_template_exits_2_with_position() {
    let r = idguard(&["check", "invalid"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stdout.contains("invalid/main.json:7:"), "{}", r.all());
    // Everything else is still printed.
    let r = idguard(&["check", "clean", "invalid", "--format", "json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    let v = json(&r.stdout);
    assert_eq!(v["summary"]["invalidFiles"], 1);
    assert_eq!(v["summary"]["templates"], 2);
}

/// Needs the real policy parser.
#[test]
fn bad_policy_exits_2_with_positions() {
    let r = idguard(&["check", "clean", "--policy", "bad-policy.json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("bad-policy.json:3:"), "{}", r.all());
}

#[test]
fn missing_policy_exits_2() {
    let r = idguard(&["check", "clean", "--policy", "nope.json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("nope.json"), "{}", r.all());
}

#[test]
fn policy_is_found_upward() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("infra/app")).unwrap();
    std::fs::copy(
        Path::new(FIXTURES).join("clean/main.json"),
        dir.path().join("infra/app/main.json"),
    )
    .unwrap();
    // An unreadable (non-UTF-8) policy two levels up proves it was found.
    std::fs::write(dir.path().join("idguard.json"), b"{\xff}").unwrap();
    let r = idguard_in(dir.path(), &["check", "infra/app"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("cannot read policy"), "{}", r.all());
    assert!(r.stderr.contains("idguard.json"), "{}", r.all());
}

/// Needs the rules (MI101).
#[test]
fn subscription_contributor_exits_1() {
    let r = idguard(&["check", "broad"]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stdout.contains("error[MI101] no-broad-privileged-role"),
        "{}",
        r.all()
    );
    assert!(r.stdout.contains(" --> broad/main.json:"), "{}", r.all());
    // --fail-on never: reported, but the run passes.
    let r = idguard(&["check", "broad", "--fail-on", "never"]);
    assert_eq!(r.code, 0, "{}", r.all());
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["check", "--format", "yaml"][..],
        &["check", "--format", "json", "--format", "sarif"],
        &["check", "--output", "x.unknown"],
        &["check", "--exclude", "a{b"],
        &[
            "check",
            "clean",
            "broad",
            "--parameters",
            "clean/main.parameters.json",
        ],
        &["check", "clean", "--parameters", "clean/nope.json"],
        &["frobnicate"],
    ] {
        let r = idguard(args);
        assert_eq!(r.code, 2, "{args:?}\n{}", r.all());
    }
}

// ---- discovery ------------------------------------------------------------

#[test]
fn walks_honouring_gitignore_and_excludes() {
    let dir = tempfile::tempdir().unwrap();
    let clean = std::fs::read_to_string(Path::new(FIXTURES).join("clean/main.json")).unwrap();
    for p in [
        "a/main.json",
        "ignored/main.json",
        "legacy/old.json",
        "b/c/x.jsonc",
        "b/c/y.txt",
    ] {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &clean).unwrap();
    }
    std::fs::write(dir.path().join(".gitignore"), "ignored/\n").unwrap();
    std::fs::write(dir.path().join("idguard.json"), "{}").unwrap();
    let r = idguard_in(
        dir.path(),
        &[
            "check",
            "--exclude",
            "legacy",
            "--format",
            "json",
            "--threads",
            "1",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    let v = json(&r.stdout);
    let paths: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["a/main.json", "b/c/x.jsonc", "idguard.json"],
        "{}",
        r.all()
    );
    // An explicitly named file is checked even when ignored.
    let r = idguard_in(
        dir.path(),
        &["check", "ignored/main.json", "--format", "json"],
    );
    assert_eq!(json(&r.stdout)["summary"]["templates"], 1, "{}", r.all());
}

#[test]
fn explicit_parameters() {
    let r = idguard(&[
        "check",
        "clean/main.json",
        "--parameters",
        "clean/main.parameters.json",
    ]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains("with 1 parameter file"), "{}", r.all());
}

#[test]
fn named_files_bring_their_companions() {
    // A named template is evaluated with the parameter files next to it.
    let r = idguard(&["check", "clean/main.json", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let v = json(&r.stdout);
    let paths: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["clean/main.json", "clean/main.parameters.json"]);
    // A named parameter file brings its template (as pre-commit passes
    // only the changed files); unrelated JSON next to it stays out.
    let r = idguard(&["check", "clean/main.parameters.json", "other/settings.json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout
            .contains("Checked 1 template with 1 parameter file"),
        "{}",
        r.all()
    );
    let r = idguard(&["check", "other/settings.json", "--format", "json"]);
    assert_eq!(
        json(&r.stdout)["files"].as_array().unwrap().len(),
        1,
        "{}",
        r.all()
    );
}

#[test]
fn non_utf8_named_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("idguard.json"), "{}").unwrap();
    std::fs::write(dir.path().join("bad.json"), b"{\"$schema\": \"\xff\"}").unwrap();
    let r = idguard_in(dir.path(), &["check", "bad.json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stdout.contains("not valid UTF-8"), "{}", r.all());
    // Walked, a non-UTF-8 non-template is skipped quietly.
    let r = idguard_in(dir.path(), &["check"]);
    assert_eq!(r.code, 0, "{}", r.all());
}

// ---- formats ----------------------------------------------------------------

const ALL: &[&str] = &["clean", "broad", "invalid", "other"];

fn check_all(format: &str) -> Run {
    let mut args = vec!["check"];
    args.extend_from_slice(ALL);
    args.extend_from_slice(&["--format", format]);
    idguard(&args)
}

#[test]
fn json_format_is_the_report() {
    let r = check_all("json");
    let v = json(&r.stdout);
    assert_eq!(v["version"], 1);
    let kinds: Vec<(&str, &str)> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["kind"].as_str().unwrap()))
        .collect();
    for want in [
        ("broad/main.json", "template"),
        ("clean/main.json", "template"),
        ("clean/main.parameters.json", "parameters"),
        ("invalid/main.json", "template"),
        ("other/settings.json", "other"),
    ] {
        assert!(kinds.contains(&want), "{want:?} in {kinds:?}");
    }
    let mut sorted = kinds.clone();
    sorted.sort();
    assert_eq!(kinds, sorted, "files are sorted");
}

#[test]
fn sarif_format_is_valid_sarif() {
    let r = check_all("sarif");
    let v = json(&r.stdout);
    assert_valid_sarif(&v);
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "idguard");
    assert_eq!(run["invocations"][0]["executionSuccessful"], r.code != 2);
    for result in run["results"].as_array().unwrap() {
        let loc = &result["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(loc["uriBaseId"], "%SRCROOT%");
        assert!(!loc["uri"].as_str().unwrap().starts_with('/'));
        assert!(result["partialFingerprints"]["idguardFingerprint/v1"].is_string());
    }
}

#[test]
fn junit_format_parses() {
    let r = check_all("junit");
    let doc = roxmltree::Document::parse(&r.stdout).unwrap_or_else(|e| panic!("{e}\n{}", r.stdout));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<&str> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .map(|n| n.attribute("name").unwrap())
        .collect();
    assert!(suites.contains(&"clean/main.json"), "{suites:?}");
    assert!(suites.contains(&"broad/main.json"), "{suites:?}");
    let clean = root
        .children()
        .find(|n| n.attribute("name") == Some("clean/main.json"))
        .unwrap();
    assert_eq!(
        clean
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .count(),
        idguard_core::catalog::FAMILIES.len()
    );
}

#[test]
fn github_format_is_workflow_commands() {
    let r = check_all("github");
    for line in r.stdout.lines() {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice "),
            "{line}"
        );
        let (props, _) = line
            .split_once("::")
            .map(|(_, rest)| rest.split_once("::").unwrap())
            .unwrap();
        assert!(
            props.contains(" file=") && props.contains(",line="),
            "{line}"
        );
    }
}

#[test]
fn text_has_no_colour_when_piped_or_no_color() {
    let r = idguard(&["check", "clean", "broad"]);
    assert!(!r.stdout.contains('\u{1b}'), "{}", r.all());
    let forced = idguard(&["check", "clean", "broad", "--color", "always"]);
    assert!(forced.stdout.contains('\u{1b}'), "{}", forced.all());
}

#[test]
fn several_outputs_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("out.sarif");
    let xml = dir.path().join("out.xml");
    let r = idguard(&[
        "check",
        "clean",
        "broad",
        "--format",
        "sarif",
        "--output",
        sarif.to_str().unwrap(),
        "--format",
        "junit",
        "--output",
        xml.to_str().unwrap(),
        "--fail-on",
        "never",
    ]);
    assert_eq!(r.code, 0, "{}", r.all());
    // Text still goes to the terminal.
    assert!(r.stdout.contains("Checked 2 templates"), "{}", r.all());
    assert_valid_sarif(&json(&std::fs::read_to_string(&sarif).unwrap()));
    roxmltree::Document::parse(&std::fs::read_to_string(&xml).unwrap()).unwrap();
    // Formats inferred from extensions; --quiet keeps the terminal clean.
    let report = dir.path().join("report.json");
    let r = idguard(&["check", "clean", "-q", "-o", report.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.is_empty(), "{}", r.all());
    assert_eq!(
        json(&std::fs::read_to_string(&report).unwrap())["version"],
        1
    );
}

// ---- baseline ---------------------------------------------------------------

fn baseline_round_trip(write: impl Fn(&Path) -> Run) {
    let dir = tempfile::tempdir().unwrap();
    let baseline: PathBuf = dir.path().join("baseline");
    let r = write(&baseline);
    assert_eq!(r.code, 0, "{}", r.all());
    let before = idguard(&["check", "broad", "--format", "json"]);
    let findings = json(&before.stdout)["findings"].as_array().unwrap().len();
    assert!(
        findings > 0,
        "the fixture should have findings:\n{}",
        before.all()
    );
    let r = idguard(&["check", "broad", "--baseline", baseline.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout.contains(&format!("{findings} in baseline")),
        "{}",
        r.all()
    );
    let r = idguard(&[
        "check",
        "broad",
        "--baseline",
        baseline.to_str().unwrap(),
        "-f",
        "json",
    ]);
    assert_eq!(json(&r.stdout)["findings"].as_array().unwrap().len(), 0);
}

/// Needs the rules (the fixture must have findings).
#[test]
fn baseline_round_trip_json() {
    baseline_round_trip(|path| idguard(&["baseline", "broad", "--output", path.to_str().unwrap()]));
}

/// Needs the rules (the fixture must have findings).
#[test]
fn baseline_round_trip_sarif() {
    baseline_round_trip(|path| {
        let mut r = idguard(&[
            "check",
            "broad",
            "--format",
            "sarif",
            "--output",
            path.to_str().unwrap(),
            "--fail-on",
            "never",
        ]);
        r.code = if path.exists() { 0 } else { 99 };
        r
    });
}

#[test]
fn bad_baseline_exits_2() {
    let r = idguard(&["check", "clean", "--baseline", "other/settings.json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    let r = idguard(&["check", "clean", "--baseline", "nope.json"]);
    assert_eq!(r.code, 2, "{}", r.all());
}

// ---- other subcommands --------------------------------------------------------

#[test]
fn rules_and_explain() {
    let r = idguard(&["rules"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.starts_with("CODE"), "{}", r.all());
    let r = idguard(&["rules", "--format", "json"]);
    let rules = json(&r.stdout);
    let list = rules.as_array().unwrap();
    let r = idguard(&["explain", "NOPE123"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("unknown rule"), "{}", r.all());
    if let Some(first) = list.first() {
        let code = first["code"].as_str().unwrap();
        let r = idguard(&["explain", code]);
        assert_eq!(r.code, 0, "{}", r.all());
        assert!(r.stdout.starts_with(&format!("# {code} ")), "{}", r.all());
        assert!(idguard(&["explain", "NOPE123"]).stderr.contains(code));
    }
}

#[test]
fn init_writes_a_policy_the_checker_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let r = idguard_in(dir.path(), &["init"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(dir.path().join("idguard.json").is_file());
    let r = idguard_in(dir.path(), &["init"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("--force"), "{}", r.all());
    assert_eq!(idguard_in(dir.path(), &["init", "--force"]).code, 0);
    // The written policy is picked up and valid.
    std::fs::copy(
        Path::new(FIXTURES).join("clean/main.json"),
        dir.path().join("main.json"),
    )
    .unwrap();
    let r = idguard_in(dir.path(), &["check"]);
    assert_eq!(r.code, 0, "{}", r.all());
}

#[test]
fn completions_version_and_help() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let r = idguard(&["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {}", r.all());
        assert!(r.stdout.contains("idguard"), "{shell}");
    }
    let r = idguard(&["--version"]);
    assert_eq!(
        r.stdout.trim(),
        format!("idguard {}", env!("CARGO_PKG_VERSION"))
    );
    let r = idguard(&["check", "--help"]);
    assert!(
        r.stdout.contains("Exit codes:") && r.stdout.contains("--fail-on"),
        "{}",
        r.all()
    );
    let r = idguard(&["--help"]);
    assert!(r.stdout.contains("Exit codes:"), "{}", r.all());
}

// ---- policy ---------------------------------------------------------------

#[test]
fn expired_exemption_is_reported_and_no_longer_silences() {
    let r = idguard(&[
        "check",
        "broad",
        "--policy",
        "expired/policy.json",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.all());
    let report = json(&r.stdout);
    let findings = report["findings"].as_array().unwrap();
    let expired: Vec<_> = findings.iter().filter(|f| f["code"] == "IDG001").collect();
    assert_eq!(expired.len(), 1, "{}", r.all());
    assert_eq!(expired[0]["file"], "expired/policy.json");
    assert_eq!(expired[0]["range"]["start"]["line"], 4);
    assert!(
        findings
            .iter()
            .any(|f| f["code"] == "MI101" && f.get("suppression").is_none()),
        "{}",
        r.all()
    );
}
