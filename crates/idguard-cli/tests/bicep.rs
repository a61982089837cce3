//! End to end on Bicep (`tests/bicep/`): a template with a local module, a
//! registry module read from a fake Bicep cache, one that is not restored,
//! two `.bicepparam` files and the JSON Bicep compiled beside the source;
//! a module cycle; a syntax error. Every output format shows Bicep paths
//! and lines.

mod common;

use std::path::{Path, PathBuf};

use common::{Run, assert_valid_sarif, idguard_in};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/bicep");

fn idguard(args: &[&str]) -> Run {
    idguard_in(Path::new(DIR), args)
}

/// `idguard check app --bicep-cache cache` plus `extra`.
fn check_app(extra: &[&str]) -> Run {
    let mut args = vec!["check", "app", "--bicep-cache", "cache"];
    args.extend_from_slice(extra);
    idguard(&args)
}

/// The 1-based line of the first line of `file` (under `tests/bicep`)
/// containing `needle`, and the column where it starts.
fn line_col(file: &str, needle: &str) -> (u64, u64) {
    let text = std::fs::read_to_string(PathBuf::from(DIR).join(file)).unwrap();
    for (i, line) in text.lines().enumerate() {
        if let Some(c) = line.find(needle) {
            return (i as u64 + 1, line[..c].chars().count() as u64 + 1);
        }
    }
    panic!("{needle:?} not in {file}");
}

fn findings(v: &serde_json::Value) -> Vec<(String, String, u64, u64)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["range"]["start"]["line"].as_u64().unwrap(),
                f["range"]["start"]["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn has(found: &[(String, String, u64, u64)], code: &str, file: &str, at: (u64, u64)) -> bool {
    found
        .iter()
        .any(|(c, f, l, col)| c == code && f == file && (*l, *col) == at)
}

#[test]
fn json_findings_are_on_bicep_lines_with_both_bicepparam_files() {
    let r = check_app(&["--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.all());
    let v = r.json();
    let found = findings(&v);
    // The template's own role assignment has no principalType (MI402), on
    // its `properties` of main.bicep.
    let (l, _) = line_col("app/main.bicep", "resource queueReader");
    assert!(
        found
            .iter()
            .any(|(c, f, line, _)| c == "MI402" && f == "app/main.bicep" && *line > l),
        "{found:?}"
    );
    // The client ID fed as a principal ID reaches the module: MI401 is on
    // the module's own line (app/modules/grant.bicep), where it is used.
    let at = line_col("app/modules/grant.bicep", "principalId: principalId");
    let col = at.1 + "principalId: ".len() as u64;
    assert!(
        has(&found, "MI401", "app/modules/grant.bicep", (at.0, col)),
        "{found:?}"
    );
    // Contributor at subscription scope, in the module.
    let rd = line_col("app/modules/grant.bicep", "roleDefinitionId:");
    assert!(
        found
            .iter()
            .any(|(c, f, l, _)| c == "MI101" && f == "app/modules/grant.bicep" && *l == rd.0),
        "{found:?}"
    );
    // The same identity name in dev and prod (MI302) across the two
    // .bicepparam evaluations.
    assert!(
        found
            .iter()
            .any(|(c, f, _, _)| c == "MI302" && f == "app/main.bicep"),
        "{found:?}"
    );
    let mi302 = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "MI302")
        .unwrap();
    let message = mi302["message"].as_str().unwrap();
    assert!(
        message.contains("dev") && message.contains("prod"),
        "{message}"
    );
    let template = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "app/main.bicep")
        .unwrap();
    assert_eq!(template["kind"], "template");
    assert_eq!(
        template["parameterFiles"],
        serde_json::json!(["app/main.dev.bicepparam", "app/main.prod.bicepparam"])
    );
    assert!(template["error"].is_null(), "{template}");
}

#[test]
fn a_registry_module_is_read_from_the_bicep_cache() {
    let r = check_app(&["--format", "json"]);
    let found = findings(&r.json());
    // The cached module's role assignment has no principalType: reported
    // in the module, named by its reference.
    assert!(
        found
            .iter()
            .any(|(c, f, _, _)| c == "MI402" && f == "br:example.azurecr.io/bicep/modules/grant:v1"),
        "{found:?}"
    );
    // Without the cache the module is a note, and its findings are gone.
    let empty = tempfile::tempdir().unwrap();
    let r = idguard(&[
        "check",
        "app",
        "--format",
        "json",
        "--bicep-cache",
        empty.path().to_str().unwrap(),
    ]);
    let v = r.json();
    assert!(
        !findings(&v).iter().any(|(_, f, _, _)| f.starts_with("br:")),
        "{}",
        r.all()
    );
    let notes = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "app/main.bicep")
        .unwrap()["notes"]
        .to_string();
    assert!(
        notes.contains("module 'br:example.azurecr.io/bicep/modules/grant:v1' is not checked"),
        "{notes}"
    );
    // IDGUARD_BICEP_CACHE names the cache too.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_idguard"))
        .args(["check", "app", "--format", "json"])
        .current_dir(DIR)
        .env("IDGUARD_BICEP_CACHE", "cache")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        findings(&v)
            .iter()
            .any(|(_, f, _, _)| f == "br:example.azurecr.io/bicep/modules/grant:v1")
    );
}

#[test]
fn an_absent_registry_module_is_a_note_in_every_format() {
    // The note names the module as written.
    let module = "br/public:avm/res/storage/storage-account:0.9.0";
    let at = line_col("app/main.bicep", "module notRestored");
    let v = check_app(&["--format", "json"]).json();
    let main = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "app/main.bicep")
        .unwrap();
    let note = main["notes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["message"].as_str().unwrap().contains(module))
        .unwrap_or_else(|| panic!("{main}"));
    assert_eq!(note["file"], "app/main.bicep");
    assert_eq!(note["line"].as_u64(), Some(at.0));
    assert!(note["message"].as_str().unwrap().contains("bicep restore"));

    let text = check_app(&[]).stdout;
    assert!(text.contains(&format!("note: module '{module}'")), "{text}");
    assert!(
        text.contains(&format!("--> app/main.bicep:{}:", at.0)),
        "{text}"
    );

    let sarif = check_app(&["--format", "sarif"]).json();
    let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    let n = notes
        .iter()
        .find(|n| n["message"]["text"].as_str().unwrap().contains(module))
        .unwrap();
    assert_eq!(n["level"], "note");
    assert_eq!(
        n["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64(),
        Some(at.0)
    );
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );

    let junit = check_app(&["--format", "junit"]).stdout;
    let doc = roxmltree::Document::parse(&junit).unwrap();
    let skipped = doc
        .descendants()
        .filter(|n| n.has_tag_name("skipped"))
        .find(|n| n.attribute("message").is_some_and(|m| m.contains(module)))
        .unwrap_or_else(|| panic!("{junit}"));
    let case = skipped.parent().unwrap();
    assert_eq!(case.attribute("file"), Some("app/main.bicep"));

    let github = check_app(&["--format", "github"]).stdout;
    assert!(
        github.lines().any(|l| l
            .starts_with(&format!("::notice file=app/main.bicep,line={},", at.0))
            && l.contains("storage-account")),
        "{github}"
    );
}

#[test]
fn the_compiled_json_beside_its_source_is_left_out_and_said() {
    let v = check_app(&["--format", "json"]).json();
    assert!(
        !findings(&v).iter().any(|(_, f, _, _)| f == "app/main.json"),
        "{v}"
    );
    let json = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "app/main.json")
        .unwrap();
    assert_eq!(json["kind"], "other");
    let message = json["notes"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("left out") && message.contains("app/main.bicep"),
        "{message}"
    );
    // In every format.
    let text = check_app(&[]).stdout;
    assert!(
        text.contains("--> app/main.json:1:1") && text.contains("left out"),
        "{text}"
    );
    let sarif = check_app(&["--format", "sarif"]).json();
    assert!(
        sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
            .to_string()
            .contains("app/main.json: left out")
    );
    let junit = check_app(&["--format", "junit"]).stdout;
    assert!(junit.contains("left out"), "{junit}");
    let github = check_app(&["--format", "github"]).stdout;
    assert!(
        github.lines().any(
            |l| l.starts_with("::notice file=app/main.json,line=1,col=1,")
                && l.contains("left out")
        ),
        "{github}"
    );
    // Named on the command line, it is checked.
    let r = idguard(&["check", "app/main.json", "--format", "json"]);
    let found = findings(&r.json());
    assert!(
        found.iter().any(|(_, f, _, _)| f == "app/main.json"),
        "{}",
        r.all()
    );
}

#[test]
fn a_compiled_json_of_another_name_beside_its_source_is_left_out_too() {
    let dir = tempfile::tempdir().unwrap();
    let app = Path::new(DIR).join("app");
    let bicep = std::fs::read_to_string(app.join("main.bicep")).unwrap();
    let json = std::fs::read_to_string(app.join("main.json")).unwrap();
    std::fs::write(dir.path().join("main.bicep"), &bicep).unwrap();
    // Bicep's own tests compile `main.bicep` to `main.symbolicnames.json`.
    std::fs::write(dir.path().join("main.symbolicnames.json"), &json).unwrap();
    // Not generated by Bicep: checked.
    let plain = json.replace("\"_generator\"", "\"_not_generator\"");
    std::fs::write(dir.path().join("main.other.json"), &plain).unwrap();
    let v = idguard_in(
        dir.path(),
        &["check", ".", "--format", "json", "--fail-on", "never"],
    )
    .json();
    let note = |path: &str| {
        v["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .and_then(|f| f["notes"][0]["message"].as_str().map(str::to_string))
            .unwrap_or_default()
    };
    assert!(
        note("main.symbolicnames.json")
            .contains("left out: Bicep generated this file from main.bicep"),
        "{v}"
    );
    let files: Vec<String> = findings(&v).into_iter().map(|(_, f, _, _)| f).collect();
    assert!(!files.iter().any(|f| f == "main.symbolicnames.json"), "{v}");
    assert!(files.iter().any(|f| f == "main.other.json"), "{v}");
}

#[test]
fn sarif_is_valid_with_regions_on_bicep_lines() {
    let r = check_app(&["--format", "sarif"]);
    assert_eq!(r.code, 1, "{}", r.all());
    let v = r.json();
    assert_valid_sarif(&v);
    let results = v["runs"][0]["results"].as_array().unwrap();
    let at = line_col("app/modules/grant.bicep", "principalId: principalId");
    let mi401 = results
        .iter()
        .find(|r| r["ruleId"] == "MI401")
        .unwrap_or_else(|| panic!("{v}"));
    let loc = &mi401["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "app/modules/grant.bicep");
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(loc["region"]["startLine"].as_u64(), Some(at.0));
    assert_eq!(
        loc["region"]["startColumn"].as_u64(),
        Some(at.1 + "principalId: ".len() as u64)
    );
    // Every result is in a Bicep file or the registry module.
    for res in results {
        let uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.ends_with(".bicep") || uri.starts_with("br%3A"), "{uri}");
    }
}

#[test]
fn junit_and_github_show_bicep_paths_and_lines() {
    let at = line_col("app/modules/grant.bicep", "principalId: principalId");
    let col = at.1 + "principalId: ".len() as u64;
    let junit = check_app(&["--format", "junit"]).stdout;
    let doc = roxmltree::Document::parse(&junit).unwrap();
    let suites: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .filter_map(|n| n.attribute("name"))
        .collect();
    assert!(suites.contains(&"app/main.bicep"), "{suites:?}");
    assert!(suites.contains(&"app/modules/grant.bicep"), "{suites:?}");
    assert!(
        junit.contains(&format!(
            "app/modules/grant.bicep:{}:{col}: error[MI401]",
            at.0
        )),
        "{junit}"
    );
    let github = check_app(&["--format", "github"]).stdout;
    assert!(
        github.lines().any(|l| l.starts_with(&format!(
            "::error file=app/modules/grant.bicep,line={},col={col},",
            at.0
        )) && l.contains("MI401")),
        "{github}"
    );
    // Text: a frame of the module's Bicep line.
    let text = check_app(&[]).stdout;
    assert!(
        text.contains(&format!("--> app/modules/grant.bicep:{}:{col}", at.0)),
        "{text}"
    );
    assert!(
        text.contains(&format!("{} |     principalId: principalId", at.0)),
        "{text}"
    );
}

#[test]
fn a_named_bicepparam_checks_its_template() {
    let r = idguard(&[
        "check",
        "app/main.prod.bicepparam",
        "--bicep-cache",
        "cache",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.all());
    let v = r.json();
    let main = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "app/main.bicep")
        .unwrap_or_else(|| panic!("{v}"));
    // As for a named JSON parameter file, the template is checked with
    // every parameter file of its own (a pre-commit hook that passes only
    // the changed prod file still compares dev and prod: MI302).
    assert_eq!(
        main["parameterFiles"],
        serde_json::json!(["app/main.dev.bicepparam", "app/main.prod.bicepparam"])
    );
    assert!(findings(&v).iter().any(|(c, _, _, _)| c == "MI302"));
    // The compiled JSON beside it is a companion: neither checked nor listed.
    assert!(
        !v["files"].to_string().contains("app/main.json"),
        "{}",
        v["files"]
    );
}

#[test]
fn a_module_cycle_is_an_error() {
    let r = idguard(&["check", "cycle", "--format", "json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    let v = r.json();
    let errors: Vec<String> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["error"]["message"].as_str().map(str::to_string))
        .collect();
    assert!(
        errors
            .iter()
            .any(|m| m.contains("module cycle") && m.contains("a.bicep") && m.contains("b.bicep")),
        "{errors:?}"
    );
}

#[test]
fn a_syntax_error_exits_2_with_file_line_column_and_code() {
    // The file ends inside the resource body: Bicep's BCP018 at the end.
    let text = std::fs::read_to_string(PathBuf::from(DIR).join("syntax/bad.bicep")).unwrap();
    let last_line = text.lines().count() as u64 + 1;
    let r = idguard(&["check", "syntax", "--format", "json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    let v = r.json();
    let file = &v["files"][0];
    assert_eq!(file["path"], "syntax/bad.bicep");
    assert_eq!(file["kind"], "template");
    let message = file["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("BCP"), "{message}");
    assert_eq!(file["error"]["line"].as_u64(), Some(last_line), "{file}");

    let t = idguard(&["check", "syntax"]);
    assert_eq!(t.code, 2);
    assert!(
        t.stdout.contains("error[invalid-template]: BCP"),
        "{}",
        t.all()
    );
    assert!(
        t.stdout
            .contains(&format!("--> syntax/bad.bicep:{last_line}:")),
        "{}",
        t.all()
    );
    let s = idguard(&["check", "syntax", "--format", "sarif"]);
    assert_eq!(s.code, 2);
    let sarif = s.json();
    assert_valid_sarif(&sarif);
    let n = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(n["level"], "error");
    assert!(n["message"]["text"].as_str().unwrap().contains("BCP"));
    assert_eq!(
        n["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64(),
        Some(last_line)
    );
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
    let j = idguard(&["check", "syntax", "--format", "junit"]);
    assert_eq!(j.code, 2);
    assert!(
        j.stdout.contains(&format!("syntax/bad.bicep:{last_line}:")) && j.stdout.contains("BCP"),
        "{}",
        j.stdout
    );
    let g = idguard(&["check", "syntax", "--format", "github"]);
    assert_eq!(g.code, 2);
    assert!(
        g.stdout.lines().any(|l| l
            .starts_with(&format!("::error file=syntax/bad.bicep,line={last_line},"))
            && l.contains("BCP")),
        "{}",
        g.stdout
    );
}

#[test]
fn a_module_outside_the_tree_is_refused() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("repo");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(
        outer.path().join("secret.bicep"),
        "resource x 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = { name: 'OUTSIDE_MARKER' }\n",
    )
    .unwrap();
    std::fs::write(
        root.join("main.bicep"),
        "module m '../secret.bicep' = {\n  name: 'm'\n}\n",
    )
    .unwrap();
    let r = idguard_in(&root, &["check", ".", "--format", "json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(!r.stdout.contains("OUTSIDE_MARKER"), "{}", r.all());
    assert!(
        r.stdout.contains("leads outside the checked tree"),
        "{}",
        r.all()
    );
}

#[test]
fn a_module_is_checked_through_its_template_not_again_on_its_own() {
    let v = check_app(&["--format", "json"]).json();
    let module = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "app/modules/grant.bicep")
        .unwrap_or_else(|| panic!("{v}"));
    assert!(
        module["notes"][0]["message"]
            .as_str()
            .unwrap()
            .contains("checked as a module of app/main.bicep"),
        "{module}"
    );
    // Its findings are those of the evaluations through main.bicep, each
    // with the parameter file it was evaluated with.
    let in_module: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["file"] == "app/modules/grant.bicep")
        .collect();
    assert!(!in_module.is_empty());
    assert!(
        in_module.iter().all(|f| f["parametersFile"].is_string()),
        "{in_module:?}"
    );
    // Named, it is checked on its own (its principal unknown).
    let r = idguard(&["check", "app/modules/grant.bicep", "--format", "json"]);
    let v = r.json();
    let alone: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "MI101")
        .collect();
    assert_eq!(alone.len(), 1, "{}", r.all());
    assert!(alone[0]["parametersFile"].is_null());
}

const IDENTITY_ONLY: &str = "param identityName string\n\nresource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {\n  name: identityName\n  location: 'westeurope'\n}\n";

#[test]
fn json_parameter_files_pair_with_the_bicep_of_their_json_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.bicep"), IDENTITY_ONLY).unwrap();
    std::fs::write(
        dir.path().join("main.parameters.json"),
        r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "parameters": {"identityName": {"value": "id-x"}}}"#,
    )
    .unwrap();
    let r = idguard_in(dir.path(), &["check", ".", "--format", "json"]);
    let v = r.json();
    let main = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "main.bicep")
        .unwrap_or_else(|| panic!("{}", r.all()));
    assert_eq!(
        main["parameterFiles"],
        serde_json::json!(["main.parameters.json"]),
        "{}",
        r.all()
    );
    // The value came from the parameter file.
    assert!(r.stdout.contains("'id-x'"), "{}", r.all());
}

#[test]
fn a_bicepparam_without_its_template_is_listed_with_a_note_and_its_syntax_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("other.bicepparam"),
        "using './missing.bicep'\n\nparam a = 1\n",
    )
    .unwrap();
    let r = idguard_in(dir.path(), &["check", ".", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let file = &r.json()["files"][0];
    assert_eq!(file["kind"], "parameters");
    assert!(file["error"].is_null());
    let note = file["notes"][0]["message"].as_str().unwrap();
    assert!(
        note.contains("not checked") && note.contains("./missing.bicep"),
        "{note}"
    );
    std::fs::write(
        dir.path().join("other.bicepparam"),
        "using './missing.bicep'\n\nparam a = \n",
    )
    .unwrap();
    let r = idguard_in(dir.path(), &["check", ".", "--format", "json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    let file = &r.json()["files"][0];
    assert!(
        file["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("BCP"),
        "{file}"
    );
    assert_eq!(file["error"]["line"], 3);
}

#[test]
fn a_named_bicep_template_brings_its_bicepparam_files() {
    let r = idguard(&[
        "check",
        "app/main.bicep",
        "--bicep-cache",
        "cache",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.all());
    let v = r.json();
    let main = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "app/main.bicep")
        .unwrap();
    assert_eq!(
        main["parameterFiles"],
        serde_json::json!(["app/main.dev.bicepparam", "app/main.prod.bicepparam"])
    );
}

#[test]
fn registry_aliases_come_from_the_nearest_bicepconfig() {
    // `aliased/bicepconfig.json` (with comments) is one directory above the
    // template: both aliases resolve into the cache, an alias it does not
    // define is a note, and its `cacheRootDirectory` is not followed.
    let r = idguard(&[
        "check",
        "aliased",
        "--bicep-cache",
        "cache",
        "--format",
        "json",
    ]);
    let v = r.json();
    let found = findings(&v);
    for module in ["br/modules:grant:v1", "br/bare:bicep/modules/grant:v1"] {
        assert!(
            found.iter().any(|(c, f, _, _)| c == "MI402" && f == module),
            "{module}: {found:?}\n{}",
            r.all()
        );
    }
    let notes = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "aliased/infra/main.bicep")
        .unwrap()["notes"]
        .to_string();
    assert!(
        notes.contains("module 'br/nosuch:grant:v1' is not checked"),
        "{notes}"
    );
    assert!(!notes.contains("modules:grant"), "{notes}");
    // Without the cache, the aliased modules are notes too.
    let empty = tempfile::tempdir().unwrap();
    let r = idguard(&[
        "check",
        "aliased",
        "--bicep-cache",
        empty.path().to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(
        !findings(&r.json())
            .iter()
            .any(|(_, f, _, _)| f.starts_with("br/")),
        "{}",
        r.all()
    );
}

#[test]
fn an_invalid_bicepconfig_is_an_error_of_the_template_that_needs_it() {
    let r = idguard(&[
        "check",
        "badconfig",
        "--bicep-cache",
        "cache",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 2, "{}", r.all());
    let v = r.json();
    let file = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "badconfig/main.bicep")
        .unwrap()
        .clone();
    let message = file["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("badconfig/bicepconfig.json")
            && message.contains("not valid JSON at line 1")
            && message.contains("br/modules:bicep/modules/grant:v1"),
        "{file}"
    );
    // Placed on the module reference.
    let (line, column) = line_col("badconfig/main.bicep", "br/modules:");
    assert_eq!(file["error"]["line"], line, "{file}");
    assert_eq!(file["error"]["column"], column, "{file}");
}

#[test]
fn a_baseline_of_compiled_fingerprints_silences_the_bicep_findings() {
    // What a baseline made from `bicep build` output holds for these
    // findings: their compiled fingerprints (tested against real compiled
    // JSON on the corpus pairs by the core's T7 test).
    let r = check_app(&["--format", "json"]);
    let v = r.json();
    let all = v["findings"].as_array().unwrap();
    let compiled: Vec<String> = all
        .iter()
        .filter_map(|f| f["compiledFingerprints"].as_array())
        .flatten()
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    let with = all
        .iter()
        .filter(|f| {
            f["compiledFingerprints"]
                .as_array()
                .is_some_and(|a| !a.is_empty())
        })
        .count();
    assert!(with > 0 && with == all.len(), "{}", r.stdout);
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("compiled.json");
    let findings: Vec<serde_json::Value> = compiled
        .iter()
        .map(|fp| serde_json::json!({ "fingerprint": fp }))
        .collect();
    std::fs::write(
        &baseline,
        serde_json::json!({ "findings": findings }).to_string(),
    )
    .unwrap();
    let r = check_app(&["--format", "json", "--baseline", baseline.to_str().unwrap()]);
    let v = r.json();
    assert_eq!(v["findings"].as_array().unwrap().len(), 0, "{}", r.all());
}

#[test]
fn frames_show_the_line_bicep_counts_after_lone_carriage_returns() {
    // Bicep breaks lines at a lone `\r`; positions count them, and the
    // text frame must show the line the position names.
    let dir = tempfile::tempdir().unwrap();
    let text = [
        "resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {",
        "  name: 'id-orders-dev'",
        "  location: 'westeurope'",
        "}",
        "resource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = {",
        "  name: guid(resourceGroup().id, identity.id, 'reader')",
        "  properties: {",
        "    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')",
        "    principalId: identity.properties.principalId",
        "  }",
        "}",
        "",
    ]
    .join("\r");
    std::fs::write(dir.path().join("main.bicep"), text).unwrap();
    let r = idguard_in(dir.path(), &["check", "main.bicep", "--color", "never"]);
    assert!(r.stdout.contains("main.bicep:9:"), "{}", r.all());
    let frame = r
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("9 |"))
        .unwrap_or_else(|| panic!("{}", r.all()));
    assert!(
        frame.contains("principalId: identity.properties.principalId"),
        "{frame}"
    );
}
