//! The binary on hostile input (issue 17): files it must not read, output
//! that must not reach a terminal or a CI log raw, secrets that must not
//! be printed, a walk that must not lose files, operator inputs that must
//! not hang it.

mod common;

use std::path::Path;

use common::{Run, idguard_timed, runner_lines, runner_sees_command};

const SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

/// A template whose nested deployments link to each of `links`.
fn linking(links: &[&str]) -> String {
    let resources: Vec<serde_json::Value> = links
        .iter()
        .enumerate()
        .map(|(i, rel)| {
            serde_json::json!({
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2022-09-01",
                "name": format!("link{i}"),
                "properties": {"mode": "Incremental", "templateLink": {"relativePath": rel}}
            })
        })
        .collect();
    serde_json::to_string_pretty(&serde_json::json!({
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "resources": resources
    }))
    .unwrap()
}

/// A template that gives the identity `name` Owner (MI103 and others,
/// whose messages name the identity).
fn broad(name: &str) -> String {
    serde_json::to_string_pretty(&serde_json::json!({
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "resources": [
            {
                "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
                "apiVersion": "2023-01-31",
                "name": name,
                "location": "westeurope"
            },
            {
                "type": "Microsoft.Authorization/roleAssignments",
                "apiVersion": "2022-04-01",
                "name": "[guid('a')]",
                "properties": {
                    "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635')]",
                    "principalId": format!("[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', '{}'), '2023-01-31').principalId]", name.replace('\'', "''")),
                    "principalType": "ServicePrincipal"
                }
            }
        ]
    }))
    .unwrap()
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

fn assert_quick(r: &Run) {
    assert!(
        r.elapsed.as_secs() < 30,
        "took {:?}\n{}",
        r.elapsed,
        r.all()
    );
}

// ---- class 2: linked templates -------------------------------------------

/// Links to devices, a FIFO, files outside the tree (by `..`, by an
/// absolute path, through a symlink) are refused with one clear error of
/// the template; a link inside the tree is still followed; nothing from
/// outside the tree appears in any output.
#[cfg(unix)]
#[test]
fn linked_templates_are_read_only_inside_the_tree() {
    let outer = tempfile::tempdir().unwrap();
    let repo = outer.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    // Outside the tree: a file whose text would show up in a parse error.
    write(
        outer.path(),
        "outside/secret.json",
        &format!("{{\"$schema\": \"{SCHEMA}\", OUTSIDE_MARKER_7f3a"),
    );
    mkfifo(&repo.join("fifo.json"));
    std::os::unix::fs::symlink("/dev/zero", repo.join("zero.json")).unwrap();
    std::os::unix::fs::symlink("../outside/secret.json", repo.join("escape.json")).unwrap();
    write(&repo, "nested/ok.json", &broad("id-linked"));
    let hostile = [
        "../outside/secret.json",
        "/dev/zero",
        "/dev/urandom",
        "/proc/self/environ",
        "../../../../../../../../etc/passwd",
        "fifo.json",
        "zero.json",
        "escape.json",
    ];
    let mut links = hostile.to_vec();
    links.push("nested/ok.json");
    write(&repo, "main.json", &linking(&links));

    for format in ["text", "json"] {
        let r = idguard_timed(&repo, &["check", "main.json", "--format", format]);
        assert_quick(&r);
        assert_eq!(r.code, 2, "{}", r.all());
        let all = r.all();
        for rel in hostile {
            assert!(
                all.contains(&format!("linked template '{rel}' was not read")),
                "{rel}\n{all}"
            );
        }
        assert!(
            all.contains("'fifo.json' was not read: it is a FIFO, not a regular file"),
            "{all}"
        );
        assert!(
            all.contains("'/dev/zero' was not read: it is an absolute path"),
            "{all}"
        );
        assert!(
            all.contains(
                "'../outside/secret.json' was not read: it leads outside the checked tree"
            ),
            "{all}"
        );
        assert!(
            all.contains("'zero.json' was not read: it leads outside"),
            "{all}"
        );
        // The link inside the tree was followed: its finding is reported.
        assert!(all.contains("nested/ok.json"), "{all}");
        assert!(all.contains("MI103"), "{all}");
        for leaked in ["OUTSIDE_MARKER_7f3a", "root:x:0", "PATH="] {
            assert!(!all.contains(leaked), "{leaked} leaked:\n{all}");
        }
    }
}

// ---- class 2 and 9: paths the operator names ------------------------------

#[cfg(unix)]
#[test]
fn operator_paths_that_are_not_regular_files_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "main.json", &broad("id-app-dev"));
    mkfifo(&d.join("fifo"));
    let cases: &[(&[&str], &str)] = &[
        (&["check", "/dev/zero"], "is a character device"),
        (&["check", "fifo"], "is a FIFO"),
        (
            &["check", "main.json", "--policy", "/dev/zero"],
            "cannot read policy /dev/zero: it is a character device",
        ),
        (
            &["check", "main.json", "--policy", "fifo"],
            "cannot read policy fifo: it is a FIFO",
        ),
        (
            &["check", "main.json", "--baseline", "/dev/urandom"],
            "cannot read baseline /dev/urandom: it is a character device",
        ),
        (
            &["check", "main.json", "--baseline", "fifo"],
            "cannot read baseline fifo: it is a FIFO",
        ),
        (
            &["check", "main.json", "--parameters", "/dev/zero"],
            "parameter file /dev/zero is a character device",
        ),
        (
            &["check", "main.json", "--parameters", "fifo"],
            "parameter file fifo is a FIFO",
        ),
        (
            &["check", "main.json", "--root", "fifo"],
            "--root fifo is a FIFO",
        ),
    ];
    for (args, expected) in cases {
        let r = idguard_timed(d, args);
        assert_quick(&r);
        assert_eq!(r.code, 2, "{args:?}\n{}", r.all());
        assert!(
            r.stderr.contains(expected),
            "{args:?}: expected {expected:?}\n{}",
            r.all()
        );
    }
    // Plugins: a FIFO and an absolute path from a policy inside the tree.
    write(
        d,
        "policy.json",
        r#"{"plugins": [{"path": "fifo", "name": "a"}, {"path": "/dev/zero", "name": "b"}]}"#,
    );
    let r = idguard_timed(d, &["check", "main.json", "--policy", "policy.json"]);
    assert_quick(&r);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr
            .contains("plugin 'a' (fifo) cannot be read from fifo: it is a FIFO"),
        "{}",
        r.all()
    );
    assert!(
        r.stderr.contains(
            "plugin 'b' (/dev/zero) cannot be read from /dev/zero: it is an absolute path"
        ),
        "{}",
        r.all()
    );
}

/// A discovered `idguard.json` that is a FIFO or leads out of the tree is
/// an error, not passed over for another policy.
#[cfg(unix)]
#[test]
fn a_discovered_policy_that_is_not_a_file_in_the_tree_exits_2() {
    let outer = tempfile::tempdir().unwrap();
    write(
        outer.path(),
        "elsewhere/idguard.json",
        r#"{"rules": {"OUTSIDE_MARKER_91": "off"}}"#,
    );
    let repo = outer.path().join("repo");
    write(&repo, "a/main.json", &broad("id-app-dev"));
    write(&repo, "b/main.json", &broad("id-app-dev"));
    mkfifo(&repo.join("a/idguard.json"));
    std::os::unix::fs::symlink("../../elsewhere/idguard.json", repo.join("b/idguard.json"))
        .unwrap();
    let r = idguard_timed(&repo, &["check", "a"]);
    assert_quick(&r);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains("a/idguard.json: it is a FIFO"),
        "{}",
        r.all()
    );
    let r = idguard_timed(&repo, &["check", "b"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr
            .contains("b/idguard.json: it leads outside the checked tree"),
        "{}",
        r.all()
    );
    assert!(!r.all().contains("OUTSIDE_MARKER_91"), "{}", r.all());
    // --root names a wider tree: the same policy is then read.
    let r = idguard_timed(&repo, &["check", "b", "--root", ".."]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("invalid policy"), "{}", r.all());
}

// ---- class 3: output escaping ----------------------------------------------

/// Names that try to forge workflow commands or drive the terminal.
const EVIL: &str = "x\n::error file=evil.json::forged\r::warning::cr\u{1b}]0;pwned\u{7}\u{1b}[2J##[error]v1 \u{ad}::error::shy \u{202e} ##vso[task.setvariable variable=x]y";

fn check_no_forgery(r: &Run, format: &str) {
    for (stream, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
        for line in runner_lines(text) {
            if format == "github" && stream == "stdout" && line.starts_with("::") {
                // One of the format's own commands, parsed as the runner
                // does: `::name k=v,k=v::data`.
                let info = line[2..].split("::").next().unwrap_or("");
                let (name, props) = info.split_once(' ').unwrap_or((info, ""));
                assert!(["error", "warning", "notice"].contains(&name), "{line:?}");
                for prop in props.split(',') {
                    if let Some(("file", value)) = prop.split_once('=') {
                        assert!(!value.starts_with("evil.json"), "{line:?}");
                    }
                }
                continue;
            }
            assert!(
                !runner_sees_command(line),
                "{format} {stream}: {line:?}\n{}",
                r.all()
            );
        }
        if format != "junit" {
            assert!(
                !text.chars().any(|c| matches!(
                    c,
                    '\u{1b}' | '\u{7}' | '\u{9b}' | '\u{202e}' | '\u{ad}'
                ) || (c == '\r')),
                "{format} {stream} has a raw control character:\n{text:?}"
            );
        }
    }
}

#[test]
fn hostile_names_cannot_forge_commands_or_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "main.json", &broad(EVIL));
    write(dir.path(), "idguard.json", r#"{"extends": "default"}"#);
    for format in ["text", "json", "sarif", "junit", "github"] {
        let r = idguard_timed(
            dir.path(),
            &["check", ".", "--format", format, "--fail-on", "warning"],
        );
        assert_eq!(r.code, 1, "{format}\n{}", r.all());
        assert!(r.stdout.contains("MI103"), "{format}\n{}", r.all());
        check_no_forgery(&r, format);
    }
    let r = idguard_timed(dir.path(), &["check", "."]);
    assert!(
        r.stdout
            .contains("x\\n::error file=evil.json::forged\\r::warning::cr\\u{1b}]0;pwned\\u{7}"),
        "{}",
        r.all()
    );
    // Every file output too.
    let r = idguard_timed(
        dir.path(),
        &[
            "check", ".", "-q", "-o", "r.json", "-o", "r.sarif", "-o", "r.xml", "-o", "r.txt",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    for f in ["r.json", "r.sarif", "r.xml", "r.txt"] {
        let text = std::fs::read_to_string(dir.path().join(f)).unwrap();
        assert!(
            runner_lines(&text).all(|l| !runner_sees_command(l)),
            "{f}:\n{text}"
        );
    }
    let xml = std::fs::read_to_string(dir.path().join("r.xml")).unwrap();
    roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
}

/// File names are the other half of what a pull request controls.
#[cfg(unix)]
#[test]
fn hostile_file_names_and_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let name = "t\n::error file=evil.json::forged\r\u{1b}[2J##[warning]n.json";
    write(dir.path(), name, &broad("id-app-dev"));
    for format in ["text", "json", "sarif", "junit", "github"] {
        let r = idguard_timed(
            dir.path(),
            &["check", ".", "--format", format, "--fail-on", "warning"],
        );
        assert_eq!(r.code, 1, "{format}\n{}", r.all());
        check_no_forgery(&r, format);
    }
    // Standard error: a path that does not exist, a policy with a hostile key.
    let r = idguard_timed(dir.path(), &["check", "nope\n::error::forged\u{1b}[2J"]);
    assert_eq!(r.code, 2, "{}", r.all());
    // Standard error keeps line breaks (its messages have several lines)
    // but defuses the line and shows the escape sequence.
    assert!(
        r.stderr.contains("nope\n\\::error::forged\\u{1b}[2J"),
        "{}",
        r.all()
    );
    check_no_forgery(&r, "text");
    write(
        dir.path(),
        "p.json",
        "{\"rules\": {\"x\\n::error::forged\\r##[error]y\": \"off\"}}",
    );
    let r = idguard_timed(dir.path(), &["check", ".", "--policy", "p.json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("unknown rule"), "{}", r.all());
    check_no_forgery(&r, "text");
}

// ---- class 9: writes that fail --------------------------------------------

/// Runs idguard with standard output going to `stdout`.
#[cfg(unix)]
fn idguard_to(dir: &Path, args: &[&str], stdout: std::process::Stdio) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_idguard"))
        .args(args)
        .current_dir(dir)
        .stdout(stdout)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A report that cannot be written is exit code 2 with a message, never
/// the report's own 0 or 1 with the report lost.
#[cfg(unix)]
#[test]
fn a_failed_write_to_standard_output_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "main.json", &broad("id-app-dev"));
    for args in [
        &["check", "."][..],
        &["check", ".", "--format", "json"],
        &["check", ".", "--fail-on", "never"],
        &["rules"],
        &["explain", "MI101"],
        &["completions", "bash"],
    ] {
        let full = std::fs::File::options()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let (code, stderr) = idguard_to(dir.path(), args, full.into());
        assert_eq!(code, 2, "{args:?} > /dev/full\n{stderr}");
        assert!(
            stderr.contains("cannot write to standard output"),
            "{args:?}\n{stderr}"
        );
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let (code, stderr) = idguard_to(dir.path(), args, writer.into());
        assert_eq!(code, 2, "{args:?} | closed pipe\n{stderr}");
        assert!(
            stderr.contains("cannot write to standard output"),
            "{args:?}\n{stderr}"
        );
    }
}

// ---- class 4: no secret in any output ---------------------------------------

/// A template and a parameter file with secrets where MI501 looks, plus a
/// template that does not parse with a key on the broken line.
fn plant_secrets(dir: &Path) {
    write(
        dir,
        "app/main.json",
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "parameters": {
    "adminPassword": { "type": "secureString", "defaultValue": "Planted-SecureDefault-1" },
    "clientSecret": { "type": "string", "defaultValue": "Planted-ClientSecretDefault-2" },
    "fromFile": { "type": "secureString" },
    "appName": { "type": "string", "defaultValue": "app-reports-dev" }
  },
  "variables": {
    "storage": "DefaultEndpointsProtocol=https;AccountName=sa;AccountKey=Planted-AccountKey-3;EndpointSuffix=core.windows.net"
  },
  "resources": [
    {
      "type": "Microsoft.Web/sites",
      "apiVersion": "2022-03-01",
      "name": "[parameters('appName')]",
      "location": "westeurope",
      "properties": {
        "siteConfig": {
          "appSettings": [
            { "name": "AZURE_CLIENT_SECRET", "value": "Planted-AppSetting-4" },
            { "name": "SP_SECRET", "value": "[parameters('clientSecret')]" },
            { "name": "STORAGE", "value": "[variables('storage')]" },
            { "name": "FROM_FILE_SECRET", "value": "[parameters('fromFile')]" }
          ],
          "connectionStrings": [
            { "name": "bus", "connectionString": "Endpoint=sb://x/;SharedAccessKeyName=n;SharedAccessKey=Planted-SharedAccessKey-5", "type": "Custom" },
            { "name": "sp", "connectionString": "Server=x;Authentication=Active Directory Service Principal;User Id=a;Password=Planted-Password-6", "type": "SQLAzure" }
          ]
        }
      }
    }
  ]
}
"#,
    );
    write(
        dir,
        "app/main.parameters.json",
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
  "parameters": {
    "fromFile": { "value": "Planted-ParameterFile-7" },
    "clientSecret": { "value": "Planted-ParameterFile-8" }
  }
}
"#,
    );
    write(
        dir,
        "broken/main.json",
        "{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n  \"variables\": { \"c\": \"AccountKey=Planted-Broken-9;\" oops }\n}\n",
    );
}

const PLANTED: [&str; 9] = [
    "Planted-SecureDefault-1",
    "Planted-ClientSecretDefault-2",
    "Planted-AccountKey-3",
    "Planted-AppSetting-4",
    "Planted-SharedAccessKey-5",
    "Planted-Password-6",
    "Planted-ParameterFile-7",
    "Planted-ParameterFile-8",
    "Planted-Broken-9",
];

fn assert_no_secret(what: &str, text: &str) {
    for secret in PLANTED {
        assert!(!text.contains(secret), "{secret} in {what}:\n{text}");
    }
}

#[test]
fn no_secret_reaches_any_output() {
    let dir = tempfile::tempdir().unwrap();
    plant_secrets(dir.path());
    for format in ["text", "json", "sarif", "junit", "github"] {
        let r = idguard_timed(dir.path(), &["check", ".", "--format", format]);
        assert_eq!(r.code, 2, "{format}\n{}", r.all());
        assert!(r.stdout.contains("MI501"), "{format}\n{}", r.all());
        assert_no_secret(format, &r.all());
    }
    // The text report does show frames of the secrets' lines, masked.
    let r = idguard_timed(dir.path(), &["check", "."]);
    assert!(
        r.stdout
            .contains("\"defaultValue\": \"***********************\""),
        "{}",
        r.all()
    );
    assert!(
        r.stdout.contains("AccountKey=****************;"),
        "{}",
        r.all()
    );
    // Files, the baseline and the plugin model JSON.
    let r = idguard_timed(
        dir.path(),
        &[
            "check", ".", "-o", "r.json", "-o", "r.sarif", "-o", "r.xml", "-o", "r.txt",
        ],
    );
    assert_no_secret("check -o", &r.all());
    for f in ["r.json", "r.sarif", "r.xml", "r.txt"] {
        assert_no_secret(f, &std::fs::read_to_string(dir.path().join(f)).unwrap());
    }
    let r = idguard_timed(dir.path(), &["baseline", ".", "-o", "b.json"]);
    assert_no_secret("baseline", &r.all());
    assert_no_secret(
        "b.json",
        &std::fs::read_to_string(dir.path().join("b.json")).unwrap(),
    );
    let r = idguard_timed(dir.path(), &["debug", "model", "app"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_no_secret("debug model", &r.all());
}

// ---- class 7: the walk -------------------------------------------------------

/// Every file of the JSON report, by path.
fn files_of(r: &Run) -> Vec<(String, serde_json::Value)> {
    r.json()["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_string(), f.clone()))
        .collect()
}

fn error_of(files: &[(String, serde_json::Value)], path: &str) -> String {
    let (_, f) = files
        .iter()
        .find(|(p, _)| p == path)
        .unwrap_or_else(|| panic!("{path} not reported: {files:?}"));
    f["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("{path} has no error: {f}"))
        .to_string()
}

/// A path deeper than PATH_MAX (and, when the tests do not run as root, an
/// unreadable directory) is an error of that entry; every other file is
/// still checked.
#[cfg(unix)]
#[test]
fn one_bad_folder_does_not_lose_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a/ok.json", &broad("id-app-dev"));
    write(d, "z/ok.json", &broad("id-app-dev"));
    std::fs::write(d.join("t.json"), broad("id-app-dev")).unwrap();
    // 25 levels of 200-character names: over PATH_MAX (4096), built by
    // relative steps (an absolute mkdir would fail).
    // (bash falls back to a relative chdir where dash gives up.)
    let status = std::process::Command::new("bash")
        .current_dir(d)
        .arg("-c")
        .arg(
            "t=$(cat t.json) && mkdir deep && cd deep && n=$(printf 'd%.0s' $(seq 1 200)) && \
             for i in $(seq 1 25); do mkdir $n && cd $n || exit 1; done && printf '%s' \"$t\" > deep.json",
        )
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::remove_file(d.join("t.json")).unwrap();
    let locked = d.join("m/locked");
    write(d, "m/locked/hidden.json", &broad("id-app-dev"));
    std::fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    let root_reads_anyway = std::fs::read_dir(&locked).is_ok();
    let r = idguard_timed(d, &["check", ".", "--format", "json"]);
    std::fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    assert_eq!(r.code, 2, "{}", r.all());
    let files = files_of(&r);
    for ok in ["a/ok.json", "z/ok.json"] {
        let (_, f) = files.iter().find(|(p, _)| p == ok).expect(ok);
        assert_eq!(f["kind"], "template", "{f}");
        assert!(f["error"].is_null(), "{f}");
    }
    let deep = files
        .iter()
        .find(|(p, f)| p.starts_with("deep/") && !f["error"].is_null())
        .unwrap_or_else(|| panic!("no error for the deep path: {}", r.all()));
    assert!(
        deep.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("name too long"),
        "{}",
        deep.1
    );
    if !root_reads_anyway {
        let message = error_of(&files, "m/locked");
        assert!(message.contains("cannot be walked"), "{message}");
    }
}

/// Names that are not UTF-8 stay distinct; symlinks to files inside the
/// tree are followed; symlinks out of it, broken ones, loops and FIFOs are
/// each reported, never silently dropped.
#[cfg(unix)]
#[test]
fn odd_entries_are_checked_or_reported() {
    use std::os::unix::ffi::OsStrExt;
    let outer = tempfile::tempdir().unwrap();
    write(outer.path(), "outside/t.json", &broad("id-app-dev"));
    let repo = outer.path().join("repo");
    write(&repo, "real/t.json", &broad("id-real-dev"));
    let name = |bytes: &[u8]| repo.join(std::ffi::OsStr::from_bytes(bytes));
    std::fs::write(name(b"bad\xff.json"), broad("id-ff-dev")).unwrap();
    std::fs::write(name(b"bad\xfe.json"), broad("id-fe-dev")).unwrap();
    let link = |target: &str, at: &str| std::os::unix::fs::symlink(target, repo.join(at)).unwrap();
    link("real/t.json", "inside.json");
    link("../outside/t.json", "out.json");
    link("nope.json", "broken.json");
    link("loop2.json", "loop1.json");
    link("loop1.json", "loop2.json");
    link("/dev/null", "null.json");
    link("real", "dirlink");
    mkfifo(&repo.join("fifo.json"));
    let r = idguard_timed(&repo, &["check", ".", "--format", "json"]);
    assert_quick(&r);
    assert_eq!(r.code, 2, "{}", r.all());
    let files = files_of(&r);
    let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    for checked in [
        "bad\\xFF.json",
        "bad\\xFE.json",
        "inside.json",
        "real/t.json",
    ] {
        let (_, f) = files
            .iter()
            .find(|(p, _)| p == checked)
            .unwrap_or_else(|| panic!("{checked}: {paths:?}"));
        assert_eq!(f["kind"], "template", "{f}");
        assert!(f["error"].is_null(), "{f}");
    }
    assert!(error_of(&files, "out.json").contains("leads outside the checked tree"));
    assert!(error_of(&files, "broken.json").contains("broken symlink"));
    assert!(error_of(&files, "loop1.json").contains("symlink loop"));
    assert!(error_of(&files, "null.json").contains("outside the checked tree"));
    assert!(error_of(&files, "fifo.json").contains("is a FIFO"));
    // The directory symlink is not walked: real/t.json is checked once.
    assert!(!paths.iter().any(|p| p.starts_with("dirlink")), "{paths:?}");
    // Findings of both non-UTF-8 files, under their own names.
    let findings = r.json()["findings"].as_array().unwrap().clone();
    for f in ["bad\\xFF.json", "bad\\xFE.json", "inside.json"] {
        assert!(findings.iter().any(|x| x["file"] == f), "{f}");
    }
}

// ---- class 9: operator inputs ------------------------------------------------

#[test]
fn a_huge_thread_count_is_capped_and_said() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "main.json", &broad("id-app-dev"));
    let r = idguard_timed(dir.path(), &["check", ".", "--threads", "100000"]);
    assert_quick(&r);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stderr.contains("note: --threads 100000 capped to"),
        "{}",
        r.all()
    );
    assert!(r.stdout.contains("Checked 1 template"), "{}", r.all());
    let r = idguard_timed(dir.path(), &["check", ".", "--threads", "1"]);
    assert!(r.stderr.is_empty(), "{}", r.all());
}

/// 100,000 unknown rule keys and an exemption glob against a long name:
/// both answered in a few seconds (they were quadratic).
#[test]
fn large_policies_and_long_names_stay_fast() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.json",
        &broad(&format!("id-{}", "a".repeat(100_000))),
    );
    let mut rules = String::new();
    for i in 0..100_000 {
        rules.push_str(&format!("\"unknown-{i}\": \"off\",\n"));
    }
    write(
        dir.path(),
        "big.json",
        &format!("{{\"rules\": {{\n{rules}\"x\": \"off\"}}}}"),
    );
    let r = idguard_timed(dir.path(), &["check", "main.json", "--policy", "big.json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert_eq!(r.stderr.matches("unknown rule").count(), 100_001);
    assert!(r.elapsed.as_secs() < 45, "{:?}", r.elapsed);
    let glob = format!("*{}b*", "a".repeat(5_000));
    write(
        dir.path(),
        "exempt.json",
        &format!(r#"{{"exemptions": [{{"rule": "*", "resource": "{glob}", "reason": "r"}}]}}"#),
    );
    let r = idguard_timed(
        dir.path(),
        &["check", "main.json", "--policy", "exempt.json"],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.elapsed.as_secs() < 45, "{:?}", r.elapsed);
}
