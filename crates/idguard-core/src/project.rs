//! Which files are templates, which are parameter files, and which
//! parameter files belong to which template. Pure functions of paths and
//! text: the CLI walks the disk, the wasm package gets files from the page.

use crate::finding::FileKind;

/// Tells templates, parameter files and other JSON apart by their
/// `$schema`, without parsing the file: cheap enough to run over a whole
/// repository before deciding what to read. Linear in the text, whatever
/// its size.
///
/// - `…deploymentTemplate.json` (also `subscriptionDeploymentTemplate`,
///   `managementGroupDeploymentTemplate`, `tenantDeploymentTemplate`):
///   [`FileKind::Template`];
/// - `…deploymentParameters.json` (also `subscriptionDeploymentParameters`
///   …): [`FileKind::Parameters`];
/// - anything else: [`FileKind::Other`].
///
/// A well-formed JSON object is classified by its own top-level `$schema`:
/// the scan skips a byte-order mark, whitespace and `//`/`/* */` comments
/// and walks the object's members (skipping their values without building
/// them), so a `$schema` nested inside a value (an inline deployment in a
/// policy definition, say) does not make it a template.
///
/// Any other text — broken JSON, a stray character or a second byte-order
/// mark before the `{`, git conflict markers, text after the object, a top
/// level that is not an object — is a template (or parameter file) if a
/// `"$schema": "…"` key anywhere in it names a deployment template (or
/// parameters) schema. It then fails to parse and is reported as invalid
/// instead of being skipped: a gate must not pass a template it could not
/// read.
pub fn sniff_kind(text: &str) -> FileKind {
    let bytes = text.as_bytes();
    match top_level_schema(bytes) {
        Ok(schema) => schema.map_or(FileKind::Other, |s| classify_schema(&s)),
        Err(()) => textual_kind(bytes),
    }
}

/// Classifies a `$schema` value (as raw string content, escapes undecoded).
fn classify_schema(raw: &[u8]) -> FileKind {
    let value = String::from_utf8_lossy(raw)
        .to_ascii_lowercase()
        .replace("\\/", "/");
    if value.contains("deploymenttemplate.json") {
        FileKind::Template
    } else if value.contains("deploymentparameters.json") {
        FileKind::Parameters
    } else {
        FileKind::Other
    }
}

/// A forward-only cursor over bytes that never indexes out of bounds.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        let pos = if bytes.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        Cursor { bytes, pos }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    fn bump(&mut self) {
        self.pos += 1;
    }

    /// Skips whitespace and comments. An unterminated block comment is an
    /// error.
    fn skip_trivia(&mut self) -> Result<(), ()> {
        loop {
            match (self.peek(), self.peek_at(1)) {
                (Some(b' ' | b'\t' | b'\n' | b'\r'), _) => self.bump(),
                (Some(b'/'), Some(b'/')) => {
                    while let Some(b) = self.peek() {
                        if b == b'\n' {
                            break;
                        }
                        self.bump();
                    }
                }
                (Some(b'/'), Some(b'*')) => {
                    self.pos += 2;
                    loop {
                        match (self.peek(), self.peek_at(1)) {
                            (Some(b'*'), Some(b'/')) => {
                                self.pos += 2;
                                break;
                            }
                            (Some(_), _) => self.bump(),
                            (None, _) => return Err(()),
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// At an opening quote: returns the raw content of the string (escapes
    /// left as written) and moves past the closing quote.
    fn string(&mut self) -> Result<&'a [u8], ()> {
        if self.peek() != Some(b'"') {
            return Err(());
        }
        self.bump();
        let start = self.pos;
        loop {
            match self.peek() {
                Some(b'"') => {
                    let raw = self.bytes.get(start..self.pos).ok_or(())?;
                    self.bump();
                    return Ok(raw);
                }
                Some(b'\\') => self.pos += 2,
                Some(_) => self.bump(),
                None => return Err(()),
            }
        }
    }

    /// Skips one value of any kind, without building it.
    fn skip_value(&mut self) -> Result<(), ()> {
        match self.peek().ok_or(())? {
            b'"' => self.string().map(|_| ()),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    self.skip_trivia()?;
                    match self.peek().ok_or(())? {
                        b'"' => {
                            self.string()?;
                        }
                        b'{' | b'[' => {
                            depth += 1;
                            self.bump();
                        }
                        b'}' | b']' => {
                            self.bump();
                            depth = depth.checked_sub(1).ok_or(())?;
                            if depth == 0 {
                                return Ok(());
                            }
                        }
                        _ => self.bump(),
                    }
                }
            }
            b'}' | b']' | b',' | b':' => Err(()),
            _ => {
                // A number, `true`, `false` or `null`: up to the next
                // delimiter.
                while let Some(b) = self.peek() {
                    if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r' | b'/') {
                        break;
                    }
                    self.bump();
                }
                Ok(())
            }
        }
    }
}

/// The raw value of the top-level object's `$schema` member, for a text
/// that is one well-formed JSON object: `Ok(None)` when the object has no
/// `$schema` (or a non-string one), `Err` when the text is not one object
/// (then the textual scan decides). A `$schema` that names a deployment
/// schema is returned as soon as it is read; any other answer needs the
/// whole text to be the object and nothing after it but trivia.
fn top_level_schema(bytes: &[u8]) -> Result<Option<Vec<u8>>, ()> {
    let mut c = Cursor::new(bytes);
    c.skip_trivia()?;
    if c.peek() != Some(b'{') {
        return Err(());
    }
    c.bump();
    let mut schema = None;
    loop {
        c.skip_trivia()?;
        match c.peek().ok_or(())? {
            b'}' => {
                c.bump();
                break;
            }
            // Tolerate trailing and doubled commas, as the source parser does.
            b',' => {
                c.bump();
                continue;
            }
            b'"' => {}
            _ => return Err(()),
        }
        let key = c.string()?;
        c.skip_trivia()?;
        if c.peek() != Some(b':') {
            return Err(());
        }
        c.bump();
        c.skip_trivia()?;
        if key == b"$schema" && c.peek() == Some(b'"') {
            let value = c.string()?.to_vec();
            if classify_schema(&value) != FileKind::Other {
                return Ok(Some(value));
            }
            schema = Some(value);
        } else {
            c.skip_value()?;
        }
    }
    c.skip_trivia()?;
    if c.peek().is_some() {
        return Err(());
    }
    Ok(schema)
}

/// The kind the `"$schema": "…"` keys anywhere in `bytes` name: a
/// template if one names a deployment template schema, else parameters if
/// one names a parameters schema, else other.
fn textual_kind(bytes: &[u8]) -> FileKind {
    let needle = b"\"$schema\"";
    let mut kind = FileKind::Other;
    for at in memchr::memmem::find_iter(bytes, needle) {
        let mut c = Cursor {
            bytes,
            pos: at + needle.len(),
        };
        if c.skip_trivia().is_err() || c.peek() != Some(b':') {
            continue;
        }
        c.bump();
        if c.skip_trivia().is_err() {
            continue;
        }
        let Ok(value) = c.string() else {
            continue;
        };
        match classify_schema(value) {
            FileKind::Template => return FileKind::Template,
            FileKind::Parameters => kind = FileKind::Parameters,
            FileKind::Other => {}
        }
    }
    kind
}

/// A path split into its directory (separators normalised to `/`, no
/// leading `./`, no trailing `/`) and its file name.
fn split_path(path: &str) -> (String, &str) {
    let (dir, name) = match path.rfind(['/', '\\']) {
        Some(i) => (path.get(..i).unwrap_or(""), path.get(i + 1..).unwrap_or("")),
        None => ("", path),
    };
    if dir.is_empty() && path.len() > name.len() {
        return ("/".to_string(), name);
    }
    let mut dir = dir.replace('\\', "/");
    while let Some(rest) = dir.strip_prefix("./") {
        dir = rest.to_string();
    }
    if dir == "." {
        dir.clear();
    }
    while dir.len() > 1 && dir.ends_with('/') {
        dir.pop();
    }
    (dir, name)
}

/// A file name without its `.json`/`.jsonc` extension, lowercased.
fn stem_lower(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    lower
        .strip_suffix(".jsonc")
        .or_else(|| lower.strip_suffix(".json"))
        .unwrap_or(&lower)
        .to_string()
}

/// Whether parameter-file stem `base` belongs to template stem `stem`:
/// `X.parameters`, `X.<env>.parameters` or `X.parameters.<env>`.
fn belongs_to(base: &str, stem: &str) -> bool {
    let Some(rest) = base.strip_prefix(stem) else {
        return false;
    };
    let Some(rest) = rest.strip_prefix('.') else {
        return false;
    };
    if rest == "parameters" {
        return true;
    }
    if let Some(env) = rest.strip_suffix(".parameters") {
        return !env.is_empty();
    }
    if let Some(env) = rest.strip_prefix("parameters.") {
        return !env.is_empty();
    }
    false
}

/// Environment names (and the aliases of the default policy) that mark a
/// `<env>.parameters.json` file as belonging to whatever template sits next
/// to it rather than to a template called `<env>`.
const ENVIRONMENT_NAMES: &[&str] = &[
    "dev",
    "development",
    "dv",
    "test",
    "tst",
    "qa",
    "int",
    "integration",
    "stage",
    "stg",
    "staging",
    "preprod",
    "uat",
    "prod",
    "prd",
    "production",
    "live",
    "sandbox",
    "sbx",
    "local",
];

/// Whether a parameter-file stem names no template: `parameters`,
/// `parameters.<env>` (any single segment) or `<env>.parameters` (with
/// `<env>` a common environment name: `other.parameters.json` more likely
/// belongs to an `other.json`).
fn is_generic_parameters_name(base: &str) -> bool {
    if base == "parameters" {
        return true;
    }
    base.strip_prefix("parameters.")
        .is_some_and(|env| !env.is_empty() && !env.contains('.'))
        || base
            .strip_suffix(".parameters")
            .is_some_and(|env| ENVIRONMENT_NAMES.contains(&env))
}

/// Pairs each template with its parameter files by naming convention, in
/// the same directory (paths may use `/` or `\`; names compare
/// case-insensitively):
///
/// - `X.json` with `X.parameters.json`, `X.<env>.parameters.json` and
///   `X.parameters.<env>.json` (so `azuredeploy.json` with
///   `azuredeploy.parameters.json` and `azuredeploy.parameters.dev.json`,
///   and `main.json` with the `main.parameters.json` a `.bicepparam`
///   compiles to). When several templates could claim a parameter file
///   (`main.json` and `main.dev.json` both claim `main.dev.parameters.json`),
///   the longest template name wins.
/// - A parameter file that names no template (`parameters.json`,
///   `parameters.<env>.json`, or `<env>.parameters.json` with a common
///   environment name such as `dev` or `prod`) goes to the only template in
///   its directory, if there is exactly one.
///
/// Returns `(template, parameter files)` for every template, in the order
/// given, each with its parameter files in the order given; parameter files
/// without a template are left out.
pub fn pair_parameter_files<'a>(
    templates: &[&'a str],
    parameter_files: &[&'a str],
) -> Vec<(&'a str, Vec<&'a str>)> {
    let template_keys: Vec<(String, String)> = templates
        .iter()
        .map(|t| {
            let (dir, name) = split_path(t);
            (dir, stem_lower(name))
        })
        .collect();
    let mut pairs: Vec<(&'a str, Vec<&'a str>)> =
        templates.iter().map(|t| (*t, Vec::new())).collect();
    for param in parameter_files {
        let (dir, name) = split_path(param);
        let base = stem_lower(name);
        let mut best: Option<(usize, usize)> = None;
        for (i, (tdir, stem)) in template_keys.iter().enumerate() {
            if *tdir == dir
                && belongs_to(&base, stem)
                && best.is_none_or(|(_, len)| stem.len() > len)
            {
                best = Some((i, stem.len()));
            }
        }
        let chosen = best.map(|(i, _)| i).or_else(|| {
            if !is_generic_parameters_name(&base) {
                return None;
            }
            let mut in_dir = template_keys
                .iter()
                .enumerate()
                .filter(|(_, (tdir, _))| *tdir == dir);
            match (in_dir.next(), in_dir.next()) {
                (Some((i, _)), None) => Some(i),
                _ => None,
            }
        });
        if let Some(slot) = chosen.and_then(|i| pairs.get_mut(i)) {
            slot.1.push(param);
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str =
        "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
    const P: &str =
        "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#";

    #[test]
    fn sniffs_schema_variants() {
        let cases: &[(&str, FileKind)] = &[
            (T, FileKind::Template),
            (
                "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
                FileKind::Template,
            ),
            (
                "https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#",
                FileKind::Template,
            ),
            (
                "https://schema.management.azure.com/schemas/2019-08-01/tenantDeploymentTemplate.json#",
                FileKind::Template,
            ),
            (
                "http://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json",
                FileKind::Template,
            ),
            (
                "https:\\/\\/schema.management.azure.com\\/schemas\\/2015-01-01\\/DEPLOYMENTTEMPLATE.JSON#",
                FileKind::Template,
            ),
            (P, FileKind::Parameters),
            (
                "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentParameters.json#",
                FileKind::Parameters,
            ),
            (
                "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
                FileKind::Other,
            ),
            (
                "https://schema.management.azure.com/schemas/2018-05-01/policyDefinition.json#",
                FileKind::Other,
            ),
            ("http://json-schema.org/draft-07/schema#", FileKind::Other),
            ("[variables('workflowSchema')]", FileKind::Other),
        ];
        for (schema, want) in cases {
            let text = format!("{{\n  \"$schema\": \"{schema}\",\n  \"resources\": []\n}}");
            assert_eq!(sniff_kind(&text), *want, "{schema}");
        }
    }

    #[test]
    fn sniff_is_robust() {
        let big = "x".repeat(100_000);
        let cases: Vec<(String, FileKind)> = vec![
            (
                format!("\u{feff}{{\"$schema\":\"{T}\"}}"),
                FileKind::Template,
            ),
            (
                format!(
                    "// a comment\n/* block\n \"$schema\": \"{P}\" */\n{{ \"$schema\" : \"{T}\" }}"
                ),
                FileKind::Template,
            ),
            (
                format!(
                    "{{\"contentVersion\": \"1.0.0.0\", \"parameters\": {{\"a\": {{\"defaultValue\": [1, true, null, {{\"b\": \"}}]\\\"\"}}]}}}},\n \"$schema\": \"{T}\"}}"
                ),
                FileKind::Template,
            ),
            // `$schema` after a value far beyond the first 4 KiB.
            (
                format!("{{\"metadata\": {{\"blob\": \"{big}\"}}, \"$schema\": \"{P}\"}}"),
                FileKind::Parameters,
            ),
            // Only a nested template has a schema: not a template itself.
            (
                format!(
                    "{{\"properties\": {{\"template\": {{\"$schema\": \"{T}\", \"resources\": []}}}}}}"
                ),
                FileKind::Other,
            ),
            // Trailing commas.
            (
                format!("{{\"a\": [1,2,],, \"$schema\": \"{T}\",}}"),
                FileKind::Template,
            ),
            // Broken JSON before `$schema`: the textual fallback decides.
            (
                format!("{{\"a\": [1,2 \"$schema\": \"{T}\"}}"),
                FileKind::Template,
            ),
            (
                format!("{{\"a\": }} \"$schema\" : \"{P}\""),
                FileKind::Parameters,
            ),
            // Not an object, no schema, non-string schema, garbage, empty.
            (format!("[\"{T}\"]"), FileKind::Other),
            (format!("[\"$schema\", \"{T}\"]"), FileKind::Other),
            ("{\"resources\": []}".to_string(), FileKind::Other),
            ("{\"$schema\": 42}".to_string(), FileKind::Other),
            ("{\"$schema\": \"".to_string(), FileKind::Other),
            ("\u{1}\u{2}{{{{[[[\"".to_string(), FileKind::Other),
            ("/* unterminated".to_string(), FileKind::Other),
            (String::new(), FileKind::Other),
        ];
        for (text, want) in &cases {
            assert_eq!(
                sniff_kind(text),
                *want,
                "{}",
                text.chars().take(200).collect::<String>()
            );
        }
    }

    /// Issue 17, class 5: a template that a gate would skip unread is a
    /// template that fails to parse.
    #[test]
    fn broken_templates_are_templates_wherever_the_schema_is() {
        let template = format!("{{\n  \"$schema\": \"{T}\",\n  \"resources\": []\n}}\n");
        let params = format!("{{\"$schema\": \"{P}\", \"parameters\": {{}}}}");
        let nine_mib = "x".repeat(9 << 20);
        let cases: Vec<(&str, String, FileKind)> = vec![
            (
                "conflict markers",
                format!("<<<<<<< HEAD\n{template}=======\n{template}>>>>>>> branch\n"),
                FileKind::Template,
            ),
            (
                "a stray character before {",
                format!("x{template}"),
                FileKind::Template,
            ),
            (
                "two byte-order marks",
                format!("\u{feff}\u{feff}{template}"),
                FileKind::Template,
            ),
            (
                "text after the object",
                format!("{template}>>>>>>> branch\n"),
                FileKind::Template,
            ),
            (
                "schema after 9 MiB",
                format!("{{\"metadata\": {{\"blob\": \"{nine_mib}\"}}, \"$schema\": \"{T}\"}}"),
                FileKind::Template,
            ),
            (
                "broken, schema after 9 MiB",
                format!("{{\"metadata\": [\"{nine_mib}\" \"$schema\": \"{T}\"}}"),
                FileKind::Template,
            ),
            (
                "a well-formed object with another schema, then a template",
                format!("{{\"$schema\": \"http://json-schema.org/draft-07/schema#\"}}\n{template}"),
                FileKind::Template,
            ),
            (
                "an array of templates",
                format!("[{template}]"),
                FileKind::Template,
            ),
            (
                "parameters after a stray character",
                format!("x{params}"),
                FileKind::Parameters,
            ),
            (
                "parameters and a template: the template wins",
                format!("x{params}{template}"),
                FileKind::Template,
            ),
            // A well-formed file is still classified by its own top level.
            (
                "a policy definition deploying a template",
                format!(
                    "{{\"$schema\": \"https://schema.management.azure.com/schemas/2018-05-01/policyDefinition.json#\", \"properties\": {{\"then\": {{\"details\": {{\"deployment\": {{\"properties\": {{\"template\": {template}}}}}}}}}}}}}"
                ),
                FileKind::Other,
            ),
            (
                "well-formed without a top-level schema, then comments",
                format!("{{\"template\": {template}}} // end\n"),
                FileKind::Other,
            ),
        ];
        for (what, text, want) in &cases {
            assert_eq!(sniff_kind(text), *want, "{what}");
            if *want != FileKind::Other && !what.contains("array") {
                // …and it does not parse: a file error, not a skip.
                let broken = *what != "schema after 9 MiB";
                assert_eq!(
                    crate::source::Document::parse(text).is_err(),
                    broken,
                    "{what}"
                );
            }
        }
    }

    #[test]
    fn sniff_never_panics_on_prefixes() {
        let text = format!(
            "\u{feff}// c\n{{ /* x */ \"a\": [\"\\\"\", {{}}], \"b\": -1.5e3, \"$schema\": \"{T}\" }}"
        );
        for (i, _) in text.char_indices() {
            let _ = sniff_kind(text.get(..i).unwrap_or(""));
        }
        assert_eq!(sniff_kind(&text), FileKind::Template);
    }

    /// Every JSON file of the shared corpus sniffs as its manifest says
    /// (`array`/`symbolic` are templates, `params` parameter files).
    #[test]
    #[expect(
        clippy::disallowed_methods,
        reason = "the test reads the shared corpus"
    )]
    fn sniff_agrees_with_corpus_manifest() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");
        let Ok(manifest) = std::fs::read_to_string(format!("{root}/MANIFEST.tsv")) else {
            eprintln!("skipping: corpus not found at {root}");
            return;
        };
        let mut checked = 0;
        for line in manifest.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            let (Some(file), Some(form)) = (cols.first(), cols.get(8)) else {
                continue;
            };
            let want = match *form {
                "array" | "symbolic" => FileKind::Template,
                "params" => FileKind::Parameters,
                _ => continue,
            };
            let bytes = std::fs::read(format!("{root}/{file}")).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert_eq!(sniff_kind(&text), want, "{file}");
            checked += 1;
        }
        assert!(checked > 1000, "only {checked} corpus files checked");
    }

    fn pair(templates: &[&'static str], params: &[&'static str]) -> Vec<(String, Vec<String>)> {
        pair_parameter_files(templates, params)
            .into_iter()
            .map(|(t, ps)| (t.to_string(), ps.into_iter().map(String::from).collect()))
            .collect()
    }

    #[test]
    fn pairs_by_convention() {
        type Case = (
            &'static [&'static str],
            &'static [&'static str],
            &'static [(&'static str, &'static [&'static str])],
        );
        let cases: &[Case] = &[
            (
                &["infra/main.json"],
                &[
                    "infra/main.parameters.json",
                    "infra/main.dev.parameters.json",
                    "infra/main.parameters.prod.json",
                    "infra/other.parameters.json",
                    "elsewhere/main.parameters.json",
                    "infra/mainx.parameters.json",
                ],
                &[(
                    "infra/main.json",
                    &[
                        "infra/main.parameters.json",
                        "infra/main.dev.parameters.json",
                        "infra/main.parameters.prod.json",
                    ],
                )],
            ),
            (
                &["azuredeploy.json", "sub/azuredeploy.json"],
                &[
                    "azuredeploy.parameters.json",
                    "azuredeploy.parameters.dev.json",
                    "sub/azuredeploy.parameters.json",
                    "AzureDeploy.Parameters.Test.JSON",
                ],
                &[
                    (
                        "azuredeploy.json",
                        &[
                            "azuredeploy.parameters.json",
                            "azuredeploy.parameters.dev.json",
                            "AzureDeploy.Parameters.Test.JSON",
                        ],
                    ),
                    ("sub/azuredeploy.json", &["sub/azuredeploy.parameters.json"]),
                ],
            ),
            // Windows separators, mixed, and `./`.
            (
                &["C:\\repo\\infra\\main.json", "./a/b/x.jsonc"],
                &[
                    "C:/repo/infra/main.prod.parameters.json",
                    "a\\b\\x.parameters.json",
                    "C:\\repo\\main.parameters.json",
                ],
                &[
                    (
                        "C:\\repo\\infra\\main.json",
                        &["C:/repo/infra/main.prod.parameters.json"],
                    ),
                    ("./a/b/x.jsonc", &["a\\b\\x.parameters.json"]),
                ],
            ),
            // The longest template name wins.
            (
                &["main.json", "main.dev.json"],
                &[
                    "main.dev.parameters.json",
                    "main.prod.parameters.json",
                    "main.parameters.json",
                ],
                &[
                    (
                        "main.json",
                        &["main.prod.parameters.json", "main.parameters.json"],
                    ),
                    ("main.dev.json", &["main.dev.parameters.json"]),
                ],
            ),
            // Generic names go to the only template in the directory.
            (
                &["one/template.json", "two/a.json", "two/b.json"],
                &[
                    "one/parameters.json",
                    "one/dev.parameters.json",
                    "one/parameters.prod.json",
                    "one/random.json",
                    "one/other.parameters.json",
                    "two/parameters.json",
                ],
                &[
                    (
                        "one/template.json",
                        &[
                            "one/parameters.json",
                            "one/dev.parameters.json",
                            "one/parameters.prod.json",
                        ],
                    ),
                    ("two/a.json", &[]),
                    ("two/b.json", &[]),
                ],
            ),
            (&[], &["main.parameters.json"], &[]),
            (&["main.json"], &[], &[("main.json", &[])]),
        ];
        for (templates, params, want) in cases {
            let want: Vec<(String, Vec<String>)> = want
                .iter()
                .map(|(t, ps)| (t.to_string(), ps.iter().map(|p| p.to_string()).collect()))
                .collect();
            assert_eq!(pair(templates, params), want, "{templates:?} {params:?}");
        }
    }

    #[test]
    fn split_path_normalises() {
        assert_eq!(split_path("a\\b/c.json"), ("a/b".to_string(), "c.json"));
        assert_eq!(split_path("./c.json"), (String::new(), "c.json"));
        assert_eq!(split_path("c.json"), (String::new(), "c.json"));
        assert_eq!(split_path("/c.json"), ("/".to_string(), "c.json"));
        assert_eq!(split_path("././x//c.json"), ("x".to_string(), "c.json"));
    }
}
