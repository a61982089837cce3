//! Which files are templates, which are parameter files, which parameter
//! files belong to which template, and which linked templates a template
//! needs. Pure functions of paths and text: the CLI walks the disk, the wasm
//! package gets files from the page, and both ask these functions (the
//! wasm package through [`plan`]), so every host classifies, pairs and
//! follows links alike.

use std::collections::HashMap;
use std::rc::Rc;

use serde::Serialize;

use crate::bicep::Language;
use crate::finding::FileKind;
use crate::source::Document;

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
        Ok(Some(schema)) => classify_schema(&schema),
        Ok(None) if is_policy_definition_text(text) => FileKind::Template,
        Ok(None) => FileKind::Other,
        Err(()) => textual_kind(bytes),
    }
}

/// A standalone Azure Policy definition (no `$schema`; an object whose
/// `properties.policyRule` or `policyRule` is an object): checked as a
/// template, for the templates its remediation deploys
/// ([`crate::template::policy`]). Parsed only when the text names
/// `policyRule` at all.
fn is_policy_definition_text(text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), b"policyRule").is_some()
        && crate::source::Document::parse(text)
            .is_ok_and(|doc| crate::template::policy::is_policy_definition(&doc))
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

/// Most files one template's check loads: the template, its parameter
/// files and its linked templates together.
pub const MAX_LINKED_FILES: usize = 256;

pub use crate::path::normalize_path;

/// Whether a linked path is absolute (`/x`, `\\x`, `C:…`). An absolute path
/// goes to `resolve` as written, for the host to refuse: joined to the
/// directory it would silently turn into another path.
fn is_absolute_link(rel: &str) -> bool {
    rel.starts_with(['/', '\\'])
        || (rel.get(1..2) == Some(":") && rel.starts_with(|c: char| c.is_ascii_alphabetic()))
}

/// Every literal `templateLink.relativePath` string of a document (an
/// expression, `[…]`, names no file until evaluated and is left out), and
/// every literal path of a `uri(deployment().properties.templateLink.uri,
/// '<path>')` in its strings (a file beside the template, linked by URI:
/// the value is usually built in a variable and read by the deployment's
/// `templateLink.uri`), in the order the walk meets them (last member or
/// item first).
fn relative_paths(doc: &Document) -> Vec<String> {
    let mut out = Vec::new();
    // Iterative walk: a deep document does not recurse.
    let mut stack = vec![doc.root()];
    while let Some(n) = stack.pop() {
        if let Some(s) = doc.as_str(n)
            && s.starts_with('[')
        {
            out.extend(beside_template_paths(s));
        }
        for m in doc.members(n) {
            if m.key.eq_ignore_ascii_case("templateLink")
                && let Some(rel) = doc.get(m.value, "relativePath").and_then(|r| doc.as_str(r))
                && !rel.starts_with('[')
            {
                out.push(rel.to_string());
            }
            stack.push(m.value);
        }
        stack.extend(doc.items(n).iter().copied());
    }
    out
}

/// The literal paths of `uri(deployment().properties.templateLink.uri,
/// '<path>')` calls in an expression string (any case, any spacing; a path
/// with a quote in it is left out).
fn beside_template_paths(s: &str) -> Vec<String> {
    const CALL: &str = "deployment().properties.templatelink.uri";
    // Most expressions name no template link: skip them before lower-casing.
    if !crate::vocab::contains_ignore_ascii_case(s.as_bytes(), b"templatelink") {
        return Vec::new();
    }
    let lower = s.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = lower.get(from..).and_then(|l| l.find(CALL)) {
        let start = from + at;
        from = start + CALL.len();
        // `uri(` right before, and not the end of a longer name (`datauri(`).
        let Some(callee) = lower[..start].trim_end().strip_suffix('(') else {
            continue;
        };
        let callee = callee.trim_end();
        let Some(head) = callee.strip_suffix("uri") else {
            continue;
        };
        if head.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let rest = s[from..].trim_start();
        let Some(rest) = rest.strip_prefix(',').map(str::trim_start) else {
            continue;
        };
        let Some(rest) = rest.strip_prefix('\'') else {
            continue;
        };
        let Some(end) = rest.find('\'') else {
            continue;
        };
        let (path, after) = rest.split_at(end);
        if after[1..].trim_start().starts_with(')') && !path.is_empty() {
            out.push(path.to_string());
        }
    }
    out
}

/// A linked template loaded by [`walk_links`].
pub(crate) struct LinkedDoc {
    /// The path `resolve` was asked for: relative to the root template's
    /// directory, normalised (or absolute, as written).
    pub path: String,
    pub text: Rc<str>,
    pub doc: Rc<Document>,
}

/// What [`walk_links`] loaded. Files are numbered 0 for the root template
/// and `i + 1` for `files[i]`.
#[derive(Default)]
pub(crate) struct LinkWalk {
    /// The linked templates, in the order they were loaded.
    pub files: Vec<LinkedDoc>,
    /// (linking file, relative path as written there, linked file).
    pub links: Vec<(usize, String, usize)>,
}

/// Loads the templates `root` links to by a literal
/// `templateLink.relativePath`, transitively, as far as `resolve` has them
/// (a file `resolve` does not give, or that does not parse, is not
/// followed). A path is relative to the directory of the file that writes
/// it; `resolve` is asked for it relative to the root template's directory
/// (normalised by [`normalize_path`]; an absolute path as written). The
/// same file linked twice is loaded once. `loaded` is how many files the
/// check already holds (the template and its parameter files): together
/// with the linked ones they stay within [`MAX_LINKED_FILES`].
///
/// This is the one walk: the check loads linked templates with it, and
/// [`linked_files`] tells a host which files the check will ask for.
pub(crate) fn walk_links(
    root: &Document,
    loaded: usize,
    resolve: &dyn Fn(&str) -> Option<String>,
) -> LinkWalk {
    let mut walker = Walker {
        walk: LinkWalk::default(),
        base: vec![String::new()],
        by_path: HashMap::new(),
        queue: Vec::new(),
        room: MAX_LINKED_FILES.saturating_sub(loaded),
        resolve,
    };
    if walker.visit(0, root) {
        // Depth first, last discovered first: the order the check has
        // always loaded files in (and so numbered them).
        while let Some((file, doc)) = walker.queue.pop() {
            if !walker.visit(file, &doc) {
                break;
            }
        }
    }
    walker.walk
}

/// The state of [`walk_links`].
struct Walker<'r> {
    walk: LinkWalk,
    /// Directory of each file (by number), relative to the root template's
    /// directory, with a trailing `/` (empty for the root's own).
    base: Vec<String>,
    /// Loaded files by the path `resolve` was asked for.
    by_path: HashMap<String, usize>,
    /// Loaded files whose links are still to follow.
    queue: Vec<(usize, Rc<Document>)>,
    /// How many more files may be loaded.
    room: usize,
    resolve: &'r dyn Fn(&str) -> Option<String>,
}

impl Walker<'_> {
    /// Follows the links of file `file`; false once no more files may be
    /// loaded.
    fn visit(&mut self, file: usize, doc: &Document) -> bool {
        let dir = self.base.get(file).cloned().unwrap_or_default();
        for rel in relative_paths(doc) {
            if self.walk.files.len() >= self.room {
                return false;
            }
            let joined = if is_absolute_link(&rel) {
                rel.clone()
            } else {
                normalize_path(&format!("{dir}{rel}"))
            };
            if let Some(id) = self.by_path.get(&joined) {
                self.walk.links.push((file, rel, *id));
                continue;
            }
            let Some(text) = (self.resolve)(&joined) else {
                continue;
            };
            let Ok(linked) = Document::parse(&text) else {
                continue;
            };
            let linked = Rc::new(linked);
            let id = self.walk.files.len() + 1;
            self.base.push(match joined.rsplit_once('/') {
                Some((d, _)) => format!("{d}/"),
                None => String::new(),
            });
            self.by_path.insert(joined.clone(), id);
            self.walk.links.push((file, rel, id));
            self.walk.files.push(LinkedDoc {
                path: joined,
                text: Rc::from(text.as_str()),
                doc: Rc::clone(&linked),
            });
            self.queue.push((id, linked));
        }
        true
    }
}

/// The paths the check of template `text` asks `resolve` for, in the order
/// it asks (each once), and whether `resolve` had the file: the links
/// [`walk_links`] follows, with `loaded` as there. A template that does
/// not parse links to nothing.
pub fn linked_files(
    text: &str,
    loaded: usize,
    resolve: &dyn Fn(&str) -> Option<String>,
) -> Vec<(String, bool)> {
    let Ok(doc) = Document::parse(text) else {
        return Vec::new();
    };
    let asked: std::cell::RefCell<Vec<(String, bool)>> = std::cell::RefCell::default();
    let recording = |path: &str| {
        let text = resolve(path);
        let mut asked = asked.borrow_mut();
        if !asked.iter().any(|(p, _)| p == path) {
            asked.push((path.to_string(), text.is_some()));
        }
        text
    };
    walk_links(&doc, loaded, &recording);
    asked.into_inner()
}

/// A file of a project as a host knows it: its path (any form the host
/// reads files by: relative or absolute, `/` or `\`), and its kind or its
/// text or both.
#[derive(Clone, Copy, Debug)]
pub struct ProjectFile<'a> {
    pub path: &'a str,
    /// Its kind, when the host already knows it (from an earlier answer it
    /// cached): the text is then not read to classify it.
    pub kind: Option<FileKind>,
    /// Its text: classifies it (unless `kind` is given); a template's text
    /// gives its links, and a linked file's text lets the links be followed
    /// through it.
    pub text: Option<&'a str>,
}

/// The kind of one file of a [`Project`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClassifiedFile {
    pub path: String,
    pub kind: FileKind,
}

/// A file a template links to (`templateLink.relativePath`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    /// What the check asks `resolve` for: the path relative to the
    /// template's directory, normalised (an absolute path as written). The
    /// key to give the file's text under when checking (the wasm
    /// request's `files`).
    pub relative_path: String,
    /// The file on the host's side: the host's own path when it gave the
    /// file, else the template's directory joined with `relative_path`
    /// (`/` separators). `None` for an absolute path, which a host must
    /// not read (the CLI refuses it).
    pub path: Option<String>,
    /// Whether the host gave the file's text (then the links of the linked
    /// file were followed too).
    pub given: bool,
}

/// One template of a [`Project`] and the files its check needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateFiles {
    pub path: String,
    /// Its parameter files, as [`pair_parameter_files`] pairs them.
    pub parameter_files: Vec<String>,
    /// The linked templates its check asks for (as far as the texts given
    /// reach: a host reads the files not given and asks again). `None` when
    /// the template's text was not given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub links: Option<Vec<Link>>,
}

/// What [`plan`] tells a host about its files.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Project {
    /// Every file given, in the order given, with its kind.
    pub files: Vec<ClassifiedFile>,
    /// Every template, in the order given.
    pub templates: Vec<TemplateFiles>,
}

/// A file [`plan`] cannot classify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectError {
    pub path: String,
    pub message: String,
}

/// Everything a host needs to know to check a set of files the way the
/// CLI does: each file's kind ([`sniff_kind`], unless the host gives it),
/// each template's parameter files ([`pair_parameter_files`]) and, for a
/// template whose text is given, the linked templates its check will ask
/// for ([`linked_files`], counting its parameter files as the check does,
/// and following links through every linked file whose text is given).
///
/// A file given with neither kind nor text is an error. Paths compare
/// after normalisation (`\` as `/`, `.` and `..` resolved); when two
/// files have the same path the first one's text is used.
pub fn plan(files: &[ProjectFile<'_>]) -> Result<Project, ProjectError> {
    let mut classified = Vec::with_capacity(files.len());
    for f in files {
        let kind = match (f.kind, f.text, Language::of_path(f.path)) {
            (Some(kind), _, _) => kind,
            // Bicep is known by its extension: a `.bicep` file is a
            // template and a `.bicepparam` a parameter file, whatever (or
            // however broken) its text.
            (None, _, Language::Bicep) => FileKind::Template,
            (None, _, Language::BicepParam) => FileKind::Parameters,
            (None, Some(text), Language::Json) => sniff_kind(text),
            (None, None, Language::Json) => {
                return Err(ProjectError {
                    path: f.path.to_string(),
                    message: format!("{}: give the file's text or its kind", f.path),
                });
            }
        };
        classified.push(ClassifiedFile {
            path: f.path.to_string(),
            kind,
        });
    }
    let of_kind = |want: FileKind| -> Vec<&str> {
        classified
            .iter()
            .filter(|c| c.kind == want)
            .map(|c| c.path.as_str())
            .collect()
    };
    let templates = of_kind(FileKind::Template);
    let parameters = of_kind(FileKind::Parameters);
    let mut texts: HashMap<String, (&str, &str)> = HashMap::new();
    for f in files {
        if let Some(text) = f.text {
            texts.entry(host_key(f.path)).or_insert((f.path, text));
        }
    }
    let text_of = |path: &str| texts.get(&host_key(path)).map(|(_, text)| *text);
    // JSON parameter files pair by name, `.bicepparam` files by the
    // template their `using` names (read from their text: one given
    // without text pairs with nothing).
    let (bicepparams, json_params): (Vec<&str>, Vec<&str>) = parameters
        .iter()
        .partition(|p| Language::of_path(p) == Language::BicepParam);
    let bicepparams: Vec<(&str, &str)> = bicepparams
        .into_iter()
        .filter_map(|p| text_of(p).map(|t| (p, t)))
        .collect();
    // As the CLI pairs them: a `.bicep` template takes the names of the
    // JSON it compiles to (`main.bicep` with `main.parameters.json`),
    // unless that JSON is itself one of the templates.
    let json_templates: std::collections::HashSet<String> = templates
        .iter()
        .filter(|t| Language::of_path(t) == Language::Json)
        .map(|t| t.to_ascii_lowercase())
        .collect();
    let keys: Vec<String> = templates
        .iter()
        .map(|t| {
            if Language::of_path(t) == Language::Bicep
                && let Some(stem) = t.get(..t.len().saturating_sub(".bicep".len()))
            {
                let json = format!("{stem}.json");
                if !json_templates.contains(&json.to_ascii_lowercase()) {
                    return json;
                }
            }
            (*t).to_string()
        })
        .collect();
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let mut pairs: Vec<(&str, Vec<&str>)> = templates
        .iter()
        .zip(pair_parameter_files(&key_refs, &json_params))
        .map(|(t, (_, ps))| (*t, ps))
        .collect();
    for ((_, ps), (_, using)) in pairs
        .iter_mut()
        .zip(crate::bicep::params::pair_bicepparam_files(
            &templates,
            &bicepparams,
        ))
    {
        ps.extend(using);
    }
    let templates = pairs
        .into_iter()
        .map(|(template, parameter_files)| {
            let links = text_of(template).map(|text| {
                let (dir, _) = split_path(template);
                let host_path = |asked: &str| join_host(&dir, asked);
                let resolve = |asked: &str| {
                    if is_absolute_link(asked) || is_registry_ref(asked) {
                        return None;
                    }
                    texts
                        .get(&host_path(asked))
                        .map(|(_, text)| (*text).to_string())
                };
                let asked = if Language::of_path(template) == Language::Bicep {
                    let params: Vec<(&str, &str)> = parameter_files
                        .iter()
                        .filter_map(|p| text_of(p).map(|t| (*p, t)))
                        .collect();
                    bicep_files(template, text, &params, &resolve)
                } else {
                    linked_files(text, 1 + parameter_files.len(), &resolve)
                };
                asked
                    .into_iter()
                    .map(|(relative_path, given)| {
                        let path = (!is_absolute_link(&relative_path)
                            && !is_registry_ref(&relative_path))
                        .then(|| {
                            let key = host_path(&relative_path);
                            texts
                                .get(&key)
                                .map_or(key, |(written, _)| (*written).to_string())
                        });
                        Link {
                            relative_path,
                            path,
                            given,
                        }
                    })
                    .collect()
            });
            TemplateFiles {
                path: template.to_string(),
                parameter_files: parameter_files.into_iter().map(str::to_string).collect(),
                links,
            }
        })
        .collect();
    Ok(Project {
        files: classified,
        templates,
    })
}

/// A registry module reference as the core asks the resolver for it
/// (`br:…`, `br/<alias>:…`): not a file a host reads by path.
fn is_registry_ref(asked: &str) -> bool {
    asked.starts_with("br:") || asked.starts_with("br/")
}

/// The files the check of Bicep template `text` (at `path`, with its
/// parameter files `params`) asks `resolve` for, in the order it asks
/// (each once), and whether `resolve` had each: its local modules (and
/// theirs), the files of `load*Content()` and compile-time imports, the
/// `extends` of a `.bicepparam`, registry modules (`br:…`). Found by
/// running the check's own reading (lowering and module loading) with a
/// recording resolver, so it asks exactly what the check will.
fn bicep_files(
    path: &str,
    text: &str,
    params: &[(&str, &str)],
    resolve: &dyn Fn(&str) -> Option<String>,
) -> Vec<(String, bool)> {
    let asked: std::cell::RefCell<Vec<(String, bool)>> = std::cell::RefCell::default();
    let recording = |p: &str| {
        let text = resolve(p);
        let mut asked = asked.borrow_mut();
        if !asked.iter().any(|(a, _)| a == p) {
            asked.push((p.to_string(), text.is_some()));
        }
        text
    };
    if let Ok(mut template) = crate::bicep::check::read_template(path, text, &recording) {
        for (p, t) in params {
            if Language::of_path(p) == Language::BicepParam {
                let mut notes = Vec::new();
                let _ = crate::bicep::check::read_bicepparam(p, t, path, &recording, &mut notes);
            }
        }
        let doc = std::mem::replace(&mut template.doc, crate::bicep::empty_document());
        let mut files = crate::template::Files::default();
        let root = files.push(path.to_string(), Rc::from(text), Rc::new(doc));
        let mut notes = Vec::new();
        let _ =
            crate::bicep::check::load_modules(&mut files, root, &template, &recording, &mut notes);
    }
    asked.into_inner()
}

/// A host path to compare by: `/` separators, `.` and `..` resolved, a
/// leading `/` kept.
fn host_key(path: &str) -> String {
    let normal = normalize_path(path);
    if path.starts_with(['/', '\\']) {
        format!("/{normal}")
    } else {
        normal
    }
}

/// A host directory (as [`split_path`] gives it) joined with a relative
/// path, as a [`host_key`].
fn join_host(dir: &str, rel: &str) -> String {
    host_key(&match dir {
        "" => rel.to_string(),
        "/" => format!("/{rel}"),
        d => format!("{d}/{rel}"),
    })
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

    /// A template text whose deployments link to `paths`.
    fn linking(paths: &[&str]) -> String {
        let resources: Vec<String> = paths
            .iter()
            .enumerate()
            .map(|(i, p)| {
                format!(
                    "{{\"type\": \"Microsoft.Resources/deployments\", \"apiVersion\": \"2022-09-01\", \"name\": \"d{i}\", \"properties\": {{\"mode\": \"Incremental\", \"templateLink\": {{\"relativePath\": \"{p}\"}}}}}}"
                )
            })
            .collect();
        format!(
            "{{\"$schema\": \"{T}\", \"contentVersion\": \"1.0.0.0\", \"resources\": [{}]}}",
            resources.join(", ")
        )
    }

    fn resolver(files: &[(&str, String)]) -> impl Fn(&str) -> Option<String> + use<> {
        let files: HashMap<String, String> = files
            .iter()
            .map(|(p, t)| (p.to_string(), t.clone()))
            .collect();
        move |p: &str| files.get(p).cloned()
    }

    #[test]
    fn linked_files_are_asked_relative_to_the_linking_file() {
        let root = linking(&[
            "nested/a.json",
            "./nested/../nested/a.json",
            "missing.json",
            "[concat('x', '.json')]",
            "/etc/passwd",
            "C:\\\\x.json",
            "..\\\\up.json",
        ]);
        // a.json links to a sibling, back to the root, and to itself.
        let a = linking(&["b.json", "../main.json", "a.json"]);
        let b = linking(&["deeper/c.json"]);
        let resolve = resolver(&[
            ("nested/a.json", a),
            ("nested/b.json", b),
            ("main.json", linking(&[])),
        ]);
        let asked = linked_files(&root, 1, &resolve);
        let want: Vec<(String, bool)> = [
            ("nested/a.json", true),
            ("missing.json", false),
            ("/etc/passwd", false),
            ("C:\\x.json", false),
            ("../up.json", false),
            ("nested/b.json", true),
            ("main.json", true),
            ("nested/deeper/c.json", false),
        ]
        .iter()
        .map(|(p, f)| (p.to_string(), *f))
        .collect();
        let mut sorted_asked = asked.clone();
        sorted_asked.sort();
        let mut sorted_want = want.clone();
        sorted_want.sort();
        assert_eq!(sorted_asked, sorted_want, "{asked:?}");
        // Each path is asked for once, and the root's own links first.
        let mut first: Vec<&str> = asked.iter().take(5).map(|(p, _)| p.as_str()).collect();
        first.sort_unstable();
        assert_eq!(
            first,
            [
                "../up.json",
                "/etc/passwd",
                "C:\\x.json",
                "missing.json",
                "nested/a.json"
            ]
        );
        // Nothing to follow in a text that does not parse.
        assert!(linked_files("{\"resources\": [", 1, &resolve).is_empty());
    }

    #[test]
    fn a_file_beside_the_template_linked_by_uri_is_a_link() {
        assert_eq!(
            beside_template_paths("[uri(deployment().properties.templateLink.uri, 'sub/pa.json')]"),
            ["sub/pa.json"]
        );
        assert_eq!(
            beside_template_paths(
                "[concat(URI( deployment().properties.templateLink.uri ,'a.json' ), '?', uri(deployment().properties.templateLink.uri, 'b.json'))]"
            ),
            ["a.json", "b.json"]
        );
        // Not a literal path, or not beside the template: no link.
        assert!(
            beside_template_paths(
                "[uri(deployment().properties.templateLink.uri, variables('p'))]"
            )
            .is_empty()
        );
        assert!(beside_template_paths("[uri(parameters('base'), 'a.json')]").is_empty());
        assert!(
            beside_template_paths("[dataUri(deployment().properties.templateLink.uri, 'a.json')]")
                .is_empty()
        );
        let root = r#"{"variables": {"u": "[uri(deployment().properties.templateLink.uri, 'sub/pa.json')]"}, "resources": []}"#;
        let resolve = resolver(&[("sub/pa.json", "{\"resources\": []}".to_string())]);
        let doc = Document::parse(root).unwrap();
        let walk = walk_links(&doc, 1, &resolve);
        assert_eq!(walk.links, [(0, "sub/pa.json".to_string(), 1)]);
    }

    #[test]
    fn the_walk_numbers_files_and_links_as_loaded() {
        let root = linking(&["a.json", "b.json"]);
        let resolve = resolver(&[
            ("a.json", linking(&["b.json"])),
            ("b.json", linking(&["a.json", "x.json"])),
        ]);
        let doc = Document::parse(&root).unwrap();
        let walk = walk_links(&doc, 1, &resolve);
        let paths: Vec<&str> = walk.files.iter().map(|f| f.path.as_str()).collect();
        // The walk takes a file's links last first.
        assert_eq!(paths, ["b.json", "a.json"]);
        let mut links = walk.links.clone();
        links.sort();
        assert_eq!(
            links,
            [
                (0, "a.json".to_string(), 2),
                (0, "b.json".to_string(), 1),
                (1, "a.json".to_string(), 2),
                (2, "b.json".to_string(), 1),
            ]
        );
    }

    #[test]
    fn the_walk_stays_within_the_file_limit() {
        // Every file links to two new ones: without the limit, 2^20.
        let resolve = |p: &str| {
            let n = p
                .trim_start_matches('f')
                .trim_end_matches(".json")
                .parse::<u64>()
                .ok()?;
            (n < 1 << 20)
                .then(|| linking(&[&format!("f{}.json", 2 * n), &format!("f{}.json", 2 * n + 1)]))
        };
        let doc = Document::parse(&linking(&["f1.json"])).unwrap();
        for loaded in [1, 3, MAX_LINKED_FILES, MAX_LINKED_FILES + 5] {
            let walk = walk_links(&doc, loaded, &resolve);
            assert_eq!(
                walk.files.len(),
                MAX_LINKED_FILES.saturating_sub(loaded),
                "{loaded}"
            );
        }
        // Files beyond 2^20 are missing: asked for, not loaded.
        let asked = linked_files(&linking(&["f1.json"]), 1, &resolve);
        let found = asked.iter().filter(|(_, found)| *found).count();
        assert_eq!(found, MAX_LINKED_FILES - 1);
        assert!(asked.len() <= 2 * MAX_LINKED_FILES, "{}", asked.len());
    }

    fn file<'a>(path: &'a str, text: Option<&'a str>, kind: Option<FileKind>) -> ProjectFile<'a> {
        ProjectFile { path, kind, text }
    }

    #[test]
    fn plan_classifies_pairs_and_links() {
        let template = linking(&["nested/a.json", "nested/missing.json", "/abs.json"]);
        let a = linking(&["b.json"]);
        let params = format!("{{\"$schema\": \"{P}\", \"parameters\": {{}}}}");
        let files = [
            file("/w/infra/main.json", Some(&template), None),
            file("/w/infra/main.dev.parameters.json", Some(&params), None),
            // Kind known (cached by the host): no text needed.
            file(
                "/w/infra/main.prod.parameters.json",
                None,
                Some(FileKind::Parameters),
            ),
            file("/w/infra/other.json", None, Some(FileKind::Template)),
            file("/w/infra/./nested/a.json", Some(&a), None),
            file("/w/infra/readme.json", Some("{\"x\": 1}"), None),
        ];
        let project = plan(&files).unwrap();
        let kinds: Vec<(&str, FileKind)> = project
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("/w/infra/main.json", FileKind::Template),
                ("/w/infra/main.dev.parameters.json", FileKind::Parameters),
                ("/w/infra/main.prod.parameters.json", FileKind::Parameters),
                ("/w/infra/other.json", FileKind::Template),
                ("/w/infra/./nested/a.json", FileKind::Template),
                ("/w/infra/readme.json", FileKind::Other),
            ]
        );
        let link = |relative_path: &str, path: Option<&str>, given: bool| Link {
            relative_path: relative_path.to_string(),
            path: path.map(str::to_string),
            given,
        };
        assert_eq!(
            project.templates,
            [
                TemplateFiles {
                    path: "/w/infra/main.json".to_string(),
                    parameter_files: vec![
                        "/w/infra/main.dev.parameters.json".to_string(),
                        "/w/infra/main.prod.parameters.json".to_string(),
                    ],
                    links: Some(vec![
                        link("/abs.json", None, false),
                        link(
                            "nested/missing.json",
                            Some("/w/infra/nested/missing.json"),
                            false
                        ),
                        link("nested/a.json", Some("/w/infra/./nested/a.json"), true),
                        link("nested/b.json", Some("/w/infra/nested/b.json"), false),
                    ]),
                },
                TemplateFiles {
                    path: "/w/infra/other.json".to_string(),
                    parameter_files: Vec::new(),
                    links: None,
                },
                TemplateFiles {
                    path: "/w/infra/./nested/a.json".to_string(),
                    parameter_files: Vec::new(),
                    links: Some(vec![link("b.json", Some("/w/infra/nested/b.json"), false)]),
                },
            ]
        );
        let json = serde_json::to_value(&project).unwrap();
        assert_eq!(json["files"][0]["kind"], "template");
        assert_eq!(
            json["templates"][0]["parameterFiles"][0],
            "/w/infra/main.dev.parameters.json"
        );
        assert_eq!(
            json["templates"][0]["links"][1]["relativePath"],
            "nested/missing.json"
        );
        assert!(json["templates"][0]["links"][0]["path"].is_null());
        assert!(json["templates"][1].get("links").is_none());
    }

    #[test]
    fn plan_joins_windows_and_relative_host_paths() {
        let template = linking(&["..\\\\shared\\\\x.json", "y.json"]);
        let files = [
            file("C:\\repo\\infra\\main.json", Some(&template), None),
            file("C:/repo/shared/x.json", Some("{}"), Some(FileKind::Other)),
        ];
        let links = plan(&files).unwrap().templates.remove(0).links.unwrap();
        assert_eq!(
            links,
            [
                Link {
                    relative_path: "y.json".to_string(),
                    path: Some("C:/repo/infra/y.json".to_string()),
                    given: false,
                },
                Link {
                    relative_path: "../shared/x.json".to_string(),
                    path: Some("C:/repo/shared/x.json".to_string()),
                    given: true,
                },
            ]
        );
        let files = [file("main.json", Some(&template), None)];
        let links = plan(&files).unwrap().templates.remove(0).links.unwrap();
        let paths: Vec<Option<&str>> = links.iter().map(|l| l.path.as_deref()).collect();
        assert_eq!(paths, [Some("y.json"), Some("../shared/x.json")]);
    }

    #[test]
    fn plan_counts_parameter_files_against_the_file_limit() {
        let many: Vec<String> = (0..MAX_LINKED_FILES)
            .map(|i| format!("l{i}.json"))
            .collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        let template = linking(&refs);
        let empty = linking(&[]);
        let mut files = vec![file("main.json", Some(&template), None)];
        for p in &many {
            files.push(file(p, Some(&empty), Some(FileKind::Other)));
        }
        let given = |files: &[ProjectFile<'_>]| {
            plan(files)
                .unwrap()
                .templates
                .remove(0)
                .links
                .unwrap()
                .iter()
                .filter(|l| l.given)
                .count()
        };
        assert_eq!(given(&files), MAX_LINKED_FILES - 1);
        files.push(file(
            "main.parameters.json",
            None,
            Some(FileKind::Parameters),
        ));
        files.push(file(
            "main.dev.parameters.json",
            None,
            Some(FileKind::Parameters),
        ));
        assert_eq!(given(&files), MAX_LINKED_FILES - 3);
    }

    #[test]
    fn plan_needs_a_text_or_a_kind() {
        let err = plan(&[file("a.json", None, None)]).unwrap_err();
        assert_eq!(err.path, "a.json");
        assert!(err.message.contains("text or its kind"), "{}", err.message);
        assert_eq!(plan(&[]).unwrap(), Project::default());
    }

    #[test]
    fn split_path_normalises() {
        assert_eq!(split_path("a\\b/c.json"), ("a/b".to_string(), "c.json"));
        assert_eq!(split_path("./c.json"), (String::new(), "c.json"));
        assert_eq!(split_path("c.json"), (String::new(), "c.json"));
        assert_eq!(split_path("/c.json"), ("/".to_string(), "c.json"));
        assert_eq!(split_path("././x//c.json"), ("x".to_string(), "c.json"));
    }

    /// A Bicep project: kinds by extension, `.bicepparam` paired by
    /// `using`, and the files the check asks for (a local module and its
    /// own module, a `loadTextContent`, a registry module) as the check's
    /// own reading asks them, so a host can give them.
    #[test]
    fn plan_bicep_pairs_by_using_and_names_what_the_check_reads() {
        let main = "module app './modules/app.bicep' = {\n  name: 'app'\n}\nmodule reg 'br/public:avm/res/x:1.0.0' = {\n  name: 'reg'\n}\nvar script = loadTextContent('scripts/run.sh')\n";
        let app = "module leaf '../shared/leaf.bicep' = {\n  name: 'leaf'\n}\n";
        let dev = "using './main.bicep'\nparam x = 1\n";
        let other = "using './other.bicep'\n";
        let files = [
            ProjectFile {
                path: "/w/infra/main.bicep",
                kind: None,
                text: Some(main),
            },
            ProjectFile {
                path: "/w/infra/main.dev.bicepparam",
                kind: None,
                text: Some(dev),
            },
            ProjectFile {
                path: "/w/infra/x.bicepparam",
                kind: None,
                text: Some(other),
            },
            ProjectFile {
                path: "/w/infra/broken.bicep",
                kind: None,
                text: Some("param ("),
            },
        ];
        let p = plan(&files).unwrap();
        let kinds: Vec<FileKind> = p.files.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            [
                FileKind::Template,
                FileKind::Parameters,
                FileKind::Parameters,
                FileKind::Template
            ]
        );
        let t = &p.templates[0];
        assert_eq!(t.parameter_files, ["/w/infra/main.dev.bicepparam"]);
        let links = t.links.as_ref().unwrap();
        let asked: Vec<(&str, Option<&str>, bool)> = links
            .iter()
            .map(|l| (l.relative_path.as_str(), l.path.as_deref(), l.given))
            .collect();
        assert!(
            asked.contains(&(
                "modules/app.bicep",
                Some("/w/infra/modules/app.bicep"),
                false
            )),
            "{asked:?}"
        );
        assert!(
            asked.contains(&("scripts/run.sh", Some("/w/infra/scripts/run.sh"), false)),
            "{asked:?}"
        );
        assert!(
            asked.contains(&("br:mcr.microsoft.com/bicep/avm/res/x:1.0.0", None, false)),
            "{asked:?}"
        );
        assert!(p.templates[1].parameter_files.is_empty());
        // The host reads the module and asks again: its own module is
        // asked relative to the template's directory.
        let mut more = files.to_vec();
        more.push(ProjectFile {
            path: "/w/infra/modules/app.bicep",
            kind: None,
            text: Some(app),
        });
        let p = plan(&more).unwrap();
        let links = p.templates[0].links.as_ref().unwrap();
        assert!(
            links
                .iter()
                .any(|l| l.relative_path == "modules/app.bicep" && l.given)
        );
        assert!(
            links.iter().any(|l| l.relative_path == "shared/leaf.bicep"
                && l.path.as_deref() == Some("/w/infra/shared/leaf.bicep")
                && !l.given),
            "{links:?}"
        );
        // A JSON parameter file pairs with the .bicep by the name of the
        // JSON it compiles to, as the CLI pairs it.
        let with_json = [
            ProjectFile {
                path: "/w/infra/main.bicep",
                kind: None,
                text: None,
            },
            ProjectFile {
                path: "/w/infra/main.parameters.json",
                kind: Some(FileKind::Parameters),
                text: None,
            },
        ];
        assert_eq!(
            plan(&with_json).unwrap().templates[0].parameter_files,
            ["/w/infra/main.parameters.json"]
        );
        // A module template is a template too: its own plan.
        assert_eq!(p.templates.len(), 3);
        // Without text, a .bicep file is still known by its extension.
        let p = plan(&[ProjectFile {
            path: "a.bicep",
            kind: None,
            text: None,
        }])
        .unwrap();
        assert_eq!(p.files[0].kind, FileKind::Template);
        assert_eq!(p.templates[0].links, None);
    }
}
