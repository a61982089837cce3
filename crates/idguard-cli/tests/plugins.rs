//! Policy plugins end to end: the example plugins (built for
//! wasm32-unknown-unknown from `policies/plugins/`) on
//! `tests/fixtures/plugins/`, hostile plugins (written in WAT) for every
//! failure mode, suppressions, baselines, output formats and the compiled-
//! module cache.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use common::{Run, idguard_in};

use serde_json::{Value, json};

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn idguard(dir: &Path, args: &[&str]) -> Run {
    idguard_in(dir, args)
}

/// The cargo target directory of this test binary (`…/target`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // …/target/debug/deps/plugins-hash
    exe.ancestors().nth(3).unwrap().to_path_buf()
}

/// Builds the example plugins once; their `.wasm` paths by crate name.
fn example(name: &str) -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    let dir = BUILT.get_or_init(|| {
        let out = target_dir().join("plugins");
        for crate_name in ["required-cost-center", "prod-scope-token"] {
            let manifest = Path::new(REPO)
                .join("policies/plugins")
                .join(crate_name)
                .join("Cargo.toml");
            let status = Command::new(env!("CARGO"))
                .args([
                    "build",
                    "--release",
                    "--locked",
                    "--target",
                    "wasm32-unknown-unknown",
                ])
                .arg("--manifest-path")
                .arg(&manifest)
                .arg("--target-dir")
                .arg(&out)
                .status()
                .expect("run cargo");
            assert!(status.success(), "building {crate_name} for wasm32 failed");
        }
        out.join("wasm32-unknown-unknown/release")
    });
    dir.join(format!("{}.wasm", name.replace('-', "_")))
}

/// A temporary directory with a policy listing `plugins` (objects whose
/// `path` is absolute) and a private plugin cache.
struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new(plugins: Value) -> Setup {
        let s = Setup {
            dir: tempfile::tempdir().unwrap(),
        };
        s.write_policy(plugins);
        s
    }

    fn write_policy(&self, plugins: Value) {
        let policy = json!({"extends": "default", "plugins": plugins});
        std::fs::write(
            self.path("policy.json"),
            serde_json::to_string_pretty(&policy).unwrap(),
        )
        .unwrap();
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn policy(&self) -> String {
        self.path("policy.json").to_string_lossy().into_owned()
    }

    /// The plugin cache: shared by the tests (compiling the example
    /// plugins once), except for the test of the cache itself.
    fn cache(&self) -> String {
        if self.path("private-cache").exists() {
            return self.path("cache").to_string_lossy().into_owned();
        }
        target_dir()
            .join("plugin-test-cache")
            .to_string_lossy()
            .into_owned()
    }

    /// `idguard check <paths> --policy … --plugin-cache …` from the repo
    /// root, plus `extra` arguments.
    fn check(&self, paths: &[&str], extra: &[&str]) -> Run {
        let mut args = vec!["check"];
        args.extend_from_slice(paths);
        let policy = self.policy();
        let cache = self.cache();
        args.extend(["--policy", &policy, "--plugin-cache", &cache]);
        args.extend_from_slice(extra);
        idguard(Path::new(REPO), &args)
    }
}

fn examples() -> Value {
    json!([
        {"path": example("required-cost-center"), "name": "cost",
         "config": {"pattern": "^CC-[0-9]{4}$"}},
        {"path": example("prod-scope-token"), "name": "prod-scope",
         "config": {"tokens": ["prod"]}}
    ])
}

/// Plugin findings of a JSON report: (code, file name, line, pointer).
fn plugin_findings(report: &Value) -> Vec<(String, String, u64, String)> {
    let mut out: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().contains('/'))
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["file"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                f["range"]["start"]["line"].as_u64().unwrap(),
                f["pointer"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn builtin_count(report: &Value) -> usize {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("MI"))
        .count()
}

// ---- the example plugins ---------------------------------------------------

#[test]
fn example_plugins_report_their_findings_at_the_right_lines() {
    let s = Setup::new(examples());
    let r = s.check(&["tests/fixtures/plugins"], &["-f", "json"]);
    assert_eq!(r.code, 1, "{}", r.all());
    let report = r.json();
    let f = |code: &str, file: &str, line: u64, pointer: &str| {
        (
            code.to_string(),
            file.to_string(),
            line,
            pointer.to_string(),
        )
    };
    assert_eq!(
        plugin_findings(&report),
        vec![
            // No cost-center tag among the tags: at the tags.
            f("cost/CC001", "cost-center.json", 28, "/resources/1/tags"),
            // No tags at all: at the resource.
            f("cost/CC001", "cost-center.json", 32, "/resources/2"),
            f("cost/CC001", "prod-scope.json", 16, "/resources/0/tags"),
            f("cost/CC001", "prod-scope.json", 25, "/resources/1/tags"),
            // A value not matching the pattern: at the value.
            f(
                "cost/CC002",
                "cost-center.json",
                44,
                "/resources/3/tags/cost-center"
            ),
            // The prod identity on a dev storage account.
            f(
                "prod-scope/PS001",
                "prod-scope.json",
                63,
                "/resources/5/scope"
            ),
            // … and on the dev resource group of a nested deployment (the
            // assignment has no `scope`: at the resource).
            f(
                "prod-scope/PS001",
                "prod-scope.json",
                113,
                "/resources/7/properties/template/resources/0"
            ),
        ],
        "{}",
        r.all()
    );
    // The built-in rules ran too.
    assert!(builtin_count(&report) > 5);
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(messages.iter().any(|m| m.contains(
        "managed identity 'id-web-prod' has 'cost-center' tag 'marketing', which does not match ^CC-[0-9]{4}$"
    )));
    assert!(messages.iter().any(|m| m.contains("'rg-shared-dev'")));
    // Same fingerprint scheme as built-in findings: 16 hex digits, unique.
    let prints: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    let mut unique = prints.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), prints.len());
}

#[test]
fn plugin_findings_appear_in_every_format() {
    let s = Setup::new(examples());
    let fixture = "tests/fixtures/plugins/cost-center.json";
    let text = s.check(&[fixture], &["-f", "text"]);
    assert!(text.stdout.contains("cost/CC002"), "{}", text.all());
    assert!(
        text.stdout.contains("invalid-cost-center"),
        "{}",
        text.all()
    );
    let github = s.check(&[fixture], &["-f", "github"]);
    assert!(github.stdout.contains("cost/CC001"), "{}", github.all());
    let junit = s.check(&[fixture], &["-f", "junit"]);
    assert!(junit.stdout.contains("cost/CC001"), "{}", junit.all());
    roxmltree::Document::parse(&junit.stdout).expect("JUnit is XML");

    let sarif = s.check(&[fixture], &["-f", "sarif"]).json();
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    let result = results
        .iter()
        .find(|r| r["ruleId"] == "cost/CC002")
        .expect("a cost/CC002 result");
    let index = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], "cost/CC002");
    assert_eq!(rules[index]["name"], "invalid-cost-center");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        44
    );
    assert!(result["partialFingerprints"]["idguardFingerprint/v1"].is_string());
    common::assert_valid_sarif(&sarif);
}

#[test]
fn plugin_findings_are_suppressed_and_baselined_like_built_in_ones() {
    let s = Setup::new(examples());
    // In-template suppression by the prefixed code or the rule name.
    let template = std::fs::read_to_string(Path::new(REPO).join("tests/fixtures/plugins/cost-center.json"))
        .unwrap()
        .replacen(
            "\"contentVersion\": \"1.0.0.0\",",
            "\"contentVersion\": \"1.0.0.0\",\n    \"metadata\": {\"idguard\": {\"ignore\": [\"cost/CC001\", \"invalid-cost-center\"], \"reason\": \"tagged by the platform pipeline\"}},",
            1,
        )
        .replacen("\"metadata\": {\n        \"description\"", "\"x-metadata\": {\n        \"description\"", 1);
    let path = s.path("main.json");
    std::fs::write(&path, template).unwrap();
    let report = s.check(&[path.to_str().unwrap()], &["-f", "json"]).json();
    let plugin: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("cost/"))
        .collect();
    assert_eq!(plugin.len(), 3, "{report:#}");
    for f in &plugin {
        assert_eq!(f["suppression"]["kind"], "inSource", "{f:#}");
        assert_eq!(
            f["suppression"]["justification"],
            "tagged by the platform pipeline"
        );
    }

    // A baseline drops them; new ones would still show.
    let fixture = "tests/fixtures/plugins/cost-center.json";
    let baseline = s.path("baseline.json");
    let policy = s.policy();
    let cache = s.cache();
    let b = idguard(
        Path::new(REPO),
        &[
            "baseline",
            fixture,
            "--policy",
            &policy,
            "--plugin-cache",
            &cache,
            "-o",
            baseline.to_str().unwrap(),
        ],
    );
    assert_eq!(b.code, 0, "{}", b.all());
    let r = s.check(
        &[fixture],
        &["-f", "json", "--baseline", baseline.to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(plugin_findings(&r.json()).is_empty());
}

#[test]
fn the_policy_sets_levels_and_exemptions_of_plugin_rules() {
    let s = Setup::new(json!([]));
    let policy = json!({
        "extends": "default",
        "plugins": [{"path": example("required-cost-center"), "name": "cost",
                     "config": {"pattern": "^CC-[0-9]{4}$"}}],
        "rules": {"cost/invalid-cost-center": "warning", "cost/*": "info"},
        "exemptions": [{"rule": "cost/CC001", "resource": "id-batch-*",
                        "reason": "batch identities are tagged by the scheduler"}]
    });
    std::fs::write(s.path("policy.json"), policy.to_string()).unwrap();
    let r = s.check(
        &["tests/fixtures/plugins/cost-center.json"],
        &["-f", "json", "--fail-on", "warning"],
    );
    let report = r.json();
    let mut got: Vec<(String, String, bool)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("cost/"))
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["suppression"]["kind"] == "external",
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("cost/CC001".into(), "info".into(), false),
            ("cost/CC001".into(), "info".into(), true),
            ("cost/CC002".into(), "warning".into(), false),
        ],
        "{}",
        r.all()
    );

    // `off` drops a plugin rule's findings.
    let policy = json!({
        "extends": "default",
        "plugins": [{"path": example("required-cost-center"), "name": "cost",
                     "config": {"pattern": "^CC-[0-9]{4}$"}}],
        "rules": {"cost/CC001": "off"}
    });
    std::fs::write(s.path("policy.json"), policy.to_string()).unwrap();
    let report = s
        .check(
            &["tests/fixtures/plugins/cost-center.json"],
            &["-f", "json"],
        )
        .json();
    let codes: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["code"].as_str())
        .filter(|c| c.starts_with("cost/"))
        .collect();
    assert_eq!(codes, ["cost/CC002"]);

    // A rule of a plugin the policy does not list is a policy error.
    let policy = json!({"rules": {"costs/CC001": "off"}, "plugins": [{"path": "cost.wasm"}]});
    std::fs::write(s.path("policy.json"), policy.to_string()).unwrap();
    let r = s.check(&["tests/fixtures/plugins/cost-center.json"], &[]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr
            .contains("no plugin of the policy is called 'costs' (plugins: cost)"),
        "{}",
        r.all()
    );
}

#[test]
fn no_plugins_skips_them() {
    let s = Setup::new(examples());
    let r = s.check(&["tests/fixtures/plugins"], &["-f", "json", "--no-plugins"]);
    assert!(plugin_findings(&r.json()).is_empty());
    assert_ne!(r.code, 2, "{}", r.all());
}

#[test]
fn compiled_plugins_are_cached_on_disk() {
    let s = Setup::new(json!([{"path": example("prod-scope-token")}]));
    std::fs::write(s.path("private-cache"), "").unwrap();
    let fixture = "tests/fixtures/plugins/prod-scope.json";
    let first = s.check(&[fixture], &["-f", "json", "--verbose"]);
    assert!(first.stderr.contains("cache miss"), "{}", first.all());
    let cached: Vec<PathBuf> = std::fs::read_dir(s.path("cache"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "cwasm"))
        .collect();
    assert_eq!(cached.len(), 1, "{cached:?}");
    assert!(cached[0].to_string_lossy().contains("wasmtime"));
    let second = s.check(&[fixture], &["-f", "json", "--verbose"]);
    assert!(second.stderr.contains("cache hit"), "{}", second.all());
    assert_eq!(
        plugin_findings(&first.json()),
        plugin_findings(&second.json())
    );
    assert!(
        second.stderr.contains("plugin 'prod-scope-token': 1 call"),
        "{}",
        second.all()
    );

    // A corrupt cache entry is recompiled, not trusted.
    std::fs::write(&cached[0], b"garbage").unwrap();
    let third = s.check(&[fixture], &["-f", "json", "--verbose"]);
    assert!(third.stderr.contains("cache miss"), "{}", third.all());
    assert_eq!(
        plugin_findings(&first.json()),
        plugin_findings(&third.json())
    );
}

#[test]
fn the_example_policy_is_valid() {
    let text = std::fs::read_to_string(Path::new(REPO).join("policies/examples/with-plugins.json"))
        .unwrap();
    let policy = idguard_core::policy::Policy::parse(&text).expect("valid policy");
    let plugins = policy.plugins();
    assert_eq!(plugins.len(), 2);
    assert_eq!(plugins[0].name.as_deref(), Some("cost"));
    assert_eq!(plugins[1].limits.timeout_ms, Some(1000));
    assert_eq!(plugins[1].limits.memory_mib, Some(32));
    // Unknown limit fields are rejected with a position.
    let bad = r#"{"plugins": [{"path": "a.wasm", "limits": {"fuel": 1}}]}"#;
    let err = idguard_core::policy::Policy::parse(bad).unwrap_err();
    assert!(
        err.problems
            .iter()
            .any(|p| p.pointer.starts_with("/plugins/0/limits")),
        "{err:?}"
    );
}

#[test]
fn the_model_dump_reads_into_the_sdk_types() {
    let r = idguard(
        Path::new(REPO),
        &[
            "debug",
            "model",
            "tests/fixtures/plugins",
            "tests/fixtures/rules/MI101",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    let models: Vec<idguard_plugin::Model> = serde_json::from_str(&r.stdout).unwrap();
    assert!(models.len() > 10);
    assert!(models.iter().all(|m| m.model_version == 1));
    let prod = models
        .iter()
        .find(|m| m.template.ends_with("prod-scope.json"))
        .unwrap();
    assert_eq!(prod.role_assignments.len(), 4);
    assert_eq!(
        prod.identities[0].environment.as_ref().unwrap().name,
        "prod"
    );
}

// ---- hostile plugins ---------------------------------------------------------

/// A plugin in WAT: 4 pages of memory, `idguard_alloc` returns 64 KiB, and
/// `check` is the body of `idguard_check` (it returns an i64).
fn wat_plugin(check: &str, extra: &str, abi: i32) -> Vec<u8> {
    let text = format!(
        r#"(module
  {extra}
  (memory (export "memory") 4)
  (func (export "idguard_abi_version") (result i32) i32.const {abi})
  (func (export "idguard_alloc") (param i32) (result i32) i32.const 65536)
  (func (export "idguard_free") (param i32 i32))
  (func (export "idguard_check") (param i32 i32) (result i64) {check}))"#
    );
    wat::parse_str(&text).unwrap_or_else(|e| panic!("bad WAT: {e}\n{text}"))
}

/// Runs the example fixtures with the cost plugin and one hostile plugin;
/// returns the run after checking what every failure shares: exit code 2,
/// the built-in findings and the good plugin's findings still reported.
fn run_hostile(name: &str, wasm: &[u8], limits: Value, kind: &str) -> Run {
    let setup = Setup::new(json!([]));
    let path = setup.path(&format!("{name}.wasm"));
    std::fs::write(&path, wasm).unwrap();
    setup.write_policy(json!([
        {"path": example("required-cost-center"), "name": "cost",
         "config": {"pattern": "^CC-[0-9]{4}$"}},
        {"path": path, "name": name, "limits": limits}
    ]));
    let r = setup.check(
        &["tests/fixtures/plugins/cost-center.json"],
        &["-f", "json"],
    );
    assert_eq!(r.code, 2, "{}", r.all());
    let report = r.json();
    assert!(builtin_count(&report) > 3, "{}", r.all());
    assert_eq!(
        plugin_findings(&report).len(),
        3,
        "the good plugin still reports: {}",
        r.all()
    );
    assert!(
        r.stderr.contains(&format!("plugin '{name}'")),
        "{}",
        r.all()
    );
    // The JSON report names the plugin and the kind of failure.
    let errors = report["pluginErrors"].as_array().expect("pluginErrors");
    assert!(
        errors
            .iter()
            .any(|e| e["plugin"] == name && e["kind"] == kind && e["path"].is_string()),
        "expected a '{kind}' error of plugin '{name}': {}",
        r.all()
    );
    r
}

#[test]
fn an_endless_loop_runs_out_of_fuel() {
    let wasm = wat_plugin("(loop (br 0)) i64.const 0", "", 1);
    let r = run_hostile(
        "spin",
        &wasm,
        json!({"fuelMillions": 20, "timeoutMs": 60000}),
        "fuel",
    );
    assert!(
        r.stderr
            .contains("tests/fixtures/plugins/cost-center.json: plugin 'spin'")
            && r.stderr
                .contains("ran out of fuel after 20000000 instructions"),
        "{}",
        r.all()
    );
}

#[test]
fn an_endless_loop_meets_its_deadline() {
    let wasm = wat_plugin("(loop (br 0)) i64.const 0", "", 1);
    let r = run_hostile(
        "spin",
        &wasm,
        json!({"fuelMillions": 1000000, "timeoutMs": 300}),
        "deadline",
    );
    assert!(
        r.stderr.contains("exceeded its deadline of 300 ms"),
        "{}",
        r.all()
    );
    assert!(r.elapsed < Duration::from_secs(60), "took {:?}", r.elapsed);
}

#[test]
fn the_default_deadline_stops_a_loop_within_seconds() {
    let wasm = wat_plugin("(loop (br 0)) i64.const 0", "", 1);
    let r = run_hostile("spin", &wasm, json!({"fuelMillions": 1000000}), "deadline");
    assert!(
        r.stderr.contains("exceeded its deadline of 2000 ms"),
        "{}",
        r.all()
    );
}

#[test]
fn a_memory_bomb_meets_the_memory_cap() {
    // Grows by 1 MiB until refused, then traps as an allocator would.
    let wasm = wat_plugin(
        "(loop (br_if 0 (i32.ne (memory.grow (i32.const 16)) (i32.const -1)))) unreachable",
        "",
        1,
    );
    let r = run_hostile("bomb", &wasm, json!({"memoryMiB": 8}), "memory");
    assert!(
        r.stderr.contains("exceeded its memory cap of 8 MiB"),
        "{}",
        r.all()
    );
    // The default cap: 64 MiB.
    let r = run_hostile("bomb", &wasm, json!({}), "memory");
    assert!(
        r.stderr.contains("exceeded its memory cap of 64 MiB"),
        "{}",
        r.all()
    );
}

#[test]
fn a_trap_is_reported() {
    let wasm = wat_plugin("unreachable", "", 1);
    let r = run_hostile("crash", &wasm, json!({}), "trap");
    assert!(
        r.stderr.contains("plugin 'crash'") && r.stderr.contains("trapped"),
        "{}",
        r.all()
    );
    assert!(r.stderr.contains("unreachable"), "{}", r.all());
}

#[test]
fn malformed_output_is_reported() {
    let not_json = wat_plugin("i64.const 8", r#"(data (i32.const 0) "not json")"#, 1);
    let r = run_hostile("garbage", &not_json, json!({}), "output");
    assert!(
        r.stderr
            .contains("returned output that is not a findings array"),
        "{}",
        r.all()
    );
    assert!(r.stderr.contains("not json"), "{}", r.all());

    let finding =
        r#"[{"code":"X1","name":"x","severity":"fatal","message":"m","location":{"pointer":""}}]"#;
    let bad_severity = wat_plugin(
        &format!("i64.const {}", finding.len()),
        &format!("(data (i32.const 0) \"{}\")", finding.replace('"', "\\\"")),
        1,
    );
    let r = run_hostile("schema", &bad_severity, json!({}), "output");
    assert!(
        r.stderr.contains("not a findings array") && r.stderr.contains("fatal"),
        "{}",
        r.all()
    );

    let finding =
        r#"[{"code":"X/1","name":"x","severity":"error","message":"m","location":{"pointer":""}}]"#;
    let bad_code = wat_plugin(
        &format!("i64.const {}", finding.len()),
        &format!("(data (i32.const 0) \"{}\")", finding.replace('"', "\\\"")),
        1,
    );
    let r = run_hostile("code", &bad_code, json!({}), "output");
    assert!(
        r.stderr.contains("does not match the schema"),
        "{}",
        r.all()
    );

    // An output range past the end of memory.
    let outside = wat_plugin("i64.const 0x7fff000000000010", "", 1);
    let r = run_hostile("outside", &outside, json!({}), "output");
    assert!(r.stderr.contains("outside its memory"), "{}", r.all());

    // A plugin that says why it cannot check.
    let error = r#"{"error":"config.pattern is missing"}"#;
    let reported = wat_plugin(
        &format!("i64.const {}", error.len()),
        &format!("(data (i32.const 0) \"{}\")", error.replace('"', "\\\"")),
        1,
    );
    let r = run_hostile("picky", &reported, json!({}), "error");
    assert!(
        r.stderr
            .contains("reported an error: config.pattern is missing"),
        "{}",
        r.all()
    );
}

#[test]
fn a_wrong_abi_version_is_refused() {
    let wasm = wat_plugin("unreachable", "", 2);
    let r = run_hostile("future", &wasm, json!({}), "abi");
    assert!(
        r.stderr.contains("plugin 'future'")
            && r.stderr
                .contains("speaks ABI version 2; this idguard speaks version 1"),
        "{}",
        r.all()
    );
}

#[test]
fn a_plugin_importing_wasi_is_refused() {
    let wasm = wat_plugin(
        "i64.const 0",
        r#"(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))"#,
        1,
    );
    let r = run_hostile("wasi", &wasm, json!({}), "imports");
    assert!(
        r.stderr
            .contains("imports wasi_snapshot_preview1::fd_write")
            && r.stderr.contains("plugins may import nothing"),
        "{}",
        r.all()
    );
}

#[test]
fn a_file_that_is_not_wasm_is_refused() {
    let r = run_hostile("text", b"this is not a wasm module", json!({}), "not-wasm");
    assert!(
        r.stderr.contains("is not a WebAssembly module"),
        "{}",
        r.all()
    );
    // A module missing an export.
    let wasm = wat::parse_str(r#"(module (memory (export "memory") 1))"#).unwrap();
    let r = run_hostile("empty", &wasm, json!({}), "exports");
    assert!(
        r.stderr.contains("does not export `idguard_abi_version`"),
        "{}",
        r.all()
    );
}

#[test]
fn a_missing_plugin_file_is_an_error_not_a_crash() {
    let s = Setup::new(json!([{"path": "does-not-exist.wasm"}]));
    let r = s.check(
        &["tests/fixtures/plugins/cost-center.json"],
        &["-f", "json"],
    );
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr
            .contains("plugin 'does-not-exist' (does-not-exist.wasm) cannot be read"),
        "{}",
        r.all()
    );
    let report = r.json();
    assert!(builtin_count(&report) > 3);
    let error = &report["pluginErrors"][0];
    assert_eq!(error["plugin"], "does-not-exist");
    assert_eq!(error["kind"], "read");
    assert!(
        error.get("file").is_none(),
        "a load failure names no template"
    );
}

#[test]
fn plugin_errors_are_sarif_tool_notifications() {
    let wasm = wat_plugin("unreachable", "", 1);
    let s = Setup::new(json!([]));
    std::fs::write(s.path("crash.wasm"), wasm).unwrap();
    s.write_policy(json!([{"path": s.path("crash.wasm")}]));
    let r = s.check(
        &["tests/fixtures/plugins/cost-center.json"],
        &["-f", "sarif"],
    );
    assert_eq!(r.code, 2, "{}", r.all());
    let sarif = r.json();
    let inv = &sarif["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let n = &inv["toolExecutionNotifications"][0];
    assert_eq!(n["descriptor"]["id"], "plugin-error");
    assert!(
        n["message"]["text"]
            .as_str()
            .unwrap()
            .contains("plugin 'crash'")
    );
    common::assert_valid_sarif(&sarif);
}
