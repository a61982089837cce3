//! Modules: reading the files a Bicep template's modules name, through the
//! host's resolver, as linked templates of the evaluation.
//!
//! A lowered module is a `Microsoft.Resources/deployments` resource whose
//! `properties.templateLink.relativePath` is the module path as written;
//! the file it names is read here, lowered (`.bicep`) or parsed (`.json`),
//! added to [`Files`] and registered in [`Files::links`], so the template
//! layer evaluates it as a nested deployment with inner scope and the
//! parameters the caller passes, and findings inside it are reported at the
//! module file's own lines.
//!
//! What the resolver is asked (the core reads no files):
//!
//! - a **local path** (`./modules/x.bicep`, `../shared/y.json`): the path
//!   joined to the directory of the file that names it and normalised, as
//!   for `templateLink.relativePath` — relative to the root template's
//!   directory, `/`-separated, `.` and `..` resolved. An absolute path is
//!   never asked for.
//! - a **registry module** (`br:` / `br/<alias>:`): the reference, with the
//!   `br/public:` alias expanded (`br:mcr.microsoft.com/bicep/<path>:<tag>`);
//!   other aliases are passed as written (`br/<alias>:<path>:<tag>`), for
//!   the host to resolve with its `bicepconfig.json`. The host answers with
//!   the module's compiled JSON (the CLI: from Bicep's restore cache,
//!   `~/.bicep/br/<registry>/<repository with $ for />/<tag>$/main.json`).
//! - a **template spec** (`ts:`) is never asked for: it lives in Azure.
//!
//! A module the resolver cannot provide is left unchecked with a note
//! saying which and why; a module that names itself through a chain of
//! modules is a cycle, reported as an error naming it.

use std::collections::HashMap;
use std::rc::Rc;

use super::{Language, ModuleRef};
use crate::source::{Document, Span};
use crate::template::{FileId, Files};

/// Most files loaded for one template (its modules and linked templates,
/// transitively), as for linked JSON templates.
pub const MAX_MODULE_FILES: usize = 64;

/// What a module declaration names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModulePath {
    /// A path relative to the declaring file.
    Local(String),
    /// A registry reference, as the resolver is asked for it.
    Registry(String),
    /// `ts:…` / `ts/<alias>:…`.
    TemplateSpec(String),
    /// An absolute path or a URL: never read.
    Refused(String),
}

impl ModulePath {
    pub fn classify(path: &str) -> ModulePath {
        if let Some(rest) = path.strip_prefix("br/public:") {
            return ModulePath::Registry(format!("br:mcr.microsoft.com/bicep/{rest}"));
        }
        if path.starts_with("br:") || path.starts_with("br/") {
            return ModulePath::Registry(path.to_string());
        }
        if path.starts_with("ts:") || path.starts_with("ts/") {
            return ModulePath::TemplateSpec(path.to_string());
        }
        if is_absolute(path) || path.contains("://") {
            return ModulePath::Refused(path.to_string());
        }
        ModulePath::Local(path.to_string())
    }
}

/// `/x`, `\x`, `C:/x`, `C:\x`.
pub fn is_absolute(path: &str) -> bool {
    path.starts_with(['/', '\\'])
        || (path.get(1..2) == Some(":") && path.starts_with(|c: char| c.is_ascii_alphabetic()))
}

/// A note about a file of the evaluation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleNote {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

/// A module cycle: the chain of files, and where the root template starts
/// it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleCycle {
    pub chain: Vec<String>,
    pub span: Span,
}

impl ModuleCycle {
    pub fn message(&self) -> String {
        format!(
            "module cycle: {} (Bicep refuses to compile it, BCP095)",
            self.chain.join(" -> ")
        )
    }
}

/// The outcome of [`load`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Loaded {
    pub notes: Vec<ModuleNote>,
    pub cycle: Option<ModuleCycle>,
}

/// What a loaded file links to.
enum Links {
    /// A Bicep file's module declarations.
    Bicep(Vec<ModuleRef>),
    /// A JSON template's literal `templateLink.relativePath`s.
    Json(Vec<(String, Span)>),
}

/// A file on the walk: its id, its directory (relative to the root's, with
/// a trailing `/` or empty), its key, what it links to and how far along
/// them the walk is.
struct Frame {
    file: FileId,
    dir: String,
    key: String,
    links: Vec<(Option<String>, Span)>,
    next: usize,
}

/// Reads the modules of the Bicep template `root` (whose declarations are
/// `modules`), transitively, into `files`.
pub fn load(
    files: &mut Files,
    root: FileId,
    modules: &[ModuleRef],
    resolve: &dyn Fn(&str) -> Option<String>,
) -> Loaded {
    let mut out = Loaded::default();
    let root_path = files.get(root).map(|e| e.path.clone()).unwrap_or_default();
    let (root_dir, root_name) = match root_path.rsplit_once(['/', '\\']) {
        Some((d, n)) => (format!("{d}/"), n.to_string()),
        None => (String::new(), root_path.clone()),
    };
    let mut by_key: HashMap<String, FileId> = HashMap::from([(root_name.clone(), root)]);
    let mut stack = vec![Frame {
        file: root,
        dir: String::new(),
        key: root_name,
        links: module_links(&Links::Bicep(modules.to_vec())),
        next: 0,
    }];
    while let Some(frame) = stack.last_mut() {
        let Some((path, span)) = frame.links.get(frame.next).cloned() else {
            stack.pop();
            continue;
        };
        frame.next += 1;
        let (from, dir) = (frame.file, frame.dir.clone());
        let Some(path) = path else { continue };
        let (key, shown, asked) = match ModulePath::classify(&path) {
            ModulePath::Local(rel) => {
                let joined = crate::path::normalize_path(&format!("{dir}{rel}"));
                (joined.clone(), format!("{root_dir}{joined}"), joined)
            }
            ModulePath::Registry(reference) => (reference.clone(), reference.clone(), reference),
            ModulePath::TemplateSpec(reference) => {
                out.notes.push(ModuleNote {
                    file: from,
                    span,
                    message: format!(
                        "module '{reference}' is a template spec, which is stored in Azure; it is not checked"
                    ),
                });
                continue;
            }
            ModulePath::Refused(p) => {
                out.notes.push(ModuleNote {
                    file: from,
                    span,
                    message: format!(
                        "module '{p}' is an absolute path or a URL; idguard reads only modules inside the checked tree, so it is not checked"
                    ),
                });
                continue;
            }
        };
        // A cycle: the file is on the current chain.
        if let Some(pos) = stack.iter().position(|f| f.key == key) {
            let mut chain: Vec<String> = stack.iter().skip(pos).map(|f| f.key.clone()).collect();
            chain.push(key);
            let span = stack
                .get(1)
                .and_then(|_| stack.first())
                .and_then(|f| f.links.get(f.next.saturating_sub(1)))
                .map_or(span, |(_, s)| *s);
            out.cycle = Some(ModuleCycle { chain, span });
            return out;
        }
        if let Some(id) = by_key.get(&key) {
            files.links.insert((from, path), *id);
            continue;
        }
        if files.entries.len() >= MAX_MODULE_FILES {
            out.notes.push(ModuleNote {
                file: from,
                span,
                message: format!(
                    "module '{path}' is not checked: the template already reads {MAX_MODULE_FILES} files"
                ),
            });
            continue;
        }
        let Some(text) = resolve(&asked) else {
            let why = if asked.starts_with("br") {
                "it could not be read (for a registry module: run `bicep restore` so that it is in the local Bicep cache)"
            } else {
                "the file could not be read"
            };
            out.notes.push(ModuleNote {
                file: from,
                span,
                message: format!("module '{path}' is not checked: {why}"),
            });
            continue;
        };
        let module_dir = match key.rsplit_once('/') {
            Some((d, _)) if !key.starts_with("br") => format!("{d}/"),
            _ => String::new(),
        };
        let lowered = read_module(&key, &text, &module_dir, resolve);
        let (doc, links, problem) = match lowered {
            Ok(x) => x,
            Err(message) => {
                out.notes.push(ModuleNote {
                    file: from,
                    span,
                    message: format!("module '{path}' is not checked: {message}"),
                });
                continue;
            }
        };
        let id = files.push(shown, Rc::from(text.as_str()), Rc::new(doc));
        if let Some((pspan, message)) = problem {
            out.notes.push(ModuleNote {
                file: id,
                span: pspan,
                message,
            });
        }
        by_key.insert(key.clone(), id);
        files.links.insert((from, path), id);
        stack.push(Frame {
            file: id,
            dir: module_dir,
            key,
            links: module_links(&links),
            next: 0,
        });
    }
    out
}

fn module_links(links: &Links) -> Vec<(Option<String>, Span)> {
    match links {
        Links::Bicep(modules) => modules
            .iter()
            .map(|m| (m.path.clone(), m.path_span))
            .collect(),
        Links::Json(paths) => paths.iter().map(|(p, s)| (Some(p.clone()), *s)).collect(),
    }
}

/// Whether a text is a JSON document rather than Bicep (a resolver may
/// hand back the compiled JSON of a `.bicep` module).
fn looks_like_json(text: &str) -> bool {
    let t = text.trim_start_matches('\u{feff}');
    let mut rest = t.trim_start();
    // Skip leading comments (valid in both).
    loop {
        if let Some(r) = rest.strip_prefix("//") {
            rest = r.split_once('\n').map_or("", |(_, r)| r).trim_start();
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, r)| r).trim_start();
        } else {
            break;
        }
    }
    rest.starts_with('{')
}

type Read = (Document, Links, Option<(Span, String)>);

/// A module's text as a document, with what it links to, and a problem to
/// note (a syntax error that left part of it out).
fn read_module(
    key: &str,
    text: &str,
    dir: &str,
    resolve: &dyn Fn(&str) -> Option<String>,
) -> Result<Read, String> {
    let bicep = Language::of_path(key) == Language::Bicep && !looks_like_json(text);
    if bicep {
        let load = |p: &str| -> Option<String> {
            if is_absolute(p) || p.contains("://") {
                return None;
            }
            resolve(&crate::path::normalize_path(&format!("{dir}{p}")))
        };
        let lowered = super::lower_bicep(text, &load);
        if lowered.exhausted {
            return Err(
                "it expands beyond what idguard lowers (a name built from names built from names…)"
                    .into(),
            );
        }
        let problem = lowered.diagnostics.first().map(|d| {
            let (message, line, column) = super::describe_diagnostic(text, d);
            (
                Span::from(d.span),
                format!("module '{key}' has a Bicep syntax error at line {line}, column {column} ({message}); only what parsed is checked"),
            )
        });
        return Ok((lowered.doc, Links::Bicep(lowered.modules), problem));
    }
    let doc = Document::parse(text).map_err(|e| format!("it is not valid JSON ({e})"))?;
    let paths = relative_paths(&doc);
    Ok((doc, Links::Json(paths), None))
}

/// Every literal `templateLink.relativePath` of a JSON template.
fn relative_paths(doc: &Document) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    let mut stack = vec![doc.root()];
    while let Some(n) = stack.pop() {
        for m in doc.members(n) {
            if m.key.eq_ignore_ascii_case("templateLink")
                && let Some(rel) = doc.get(m.value, "relativePath")
                && let Some(s) = doc.as_str(rel)
                && !s.starts_with('[')
            {
                out.push((s.to_string(), doc.span(rel)));
            }
            stack.push(m.value);
        }
        stack.extend(doc.items(n).iter().copied());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_paths_are_classified() {
        assert_eq!(
            ModulePath::classify("br/public:avm/res/key-vault/vault:0.11.0"),
            ModulePath::Registry(
                "br:mcr.microsoft.com/bicep/avm/res/key-vault/vault:0.11.0".into()
            )
        );
        assert_eq!(
            ModulePath::classify("br:myreg.azurecr.io/mods/x:1.0"),
            ModulePath::Registry("br:myreg.azurecr.io/mods/x:1.0".into())
        );
        assert_eq!(
            ModulePath::classify("br/contoso:x:1.0"),
            ModulePath::Registry("br/contoso:x:1.0".into())
        );
        assert!(matches!(
            ModulePath::classify("ts:sub/rg/spec:1.0"),
            ModulePath::TemplateSpec(_)
        ));
        assert!(matches!(
            ModulePath::classify("/etc/passwd"),
            ModulePath::Refused(_)
        ));
        assert!(matches!(
            ModulePath::classify("C:\\x.bicep"),
            ModulePath::Refused(_)
        ));
        assert!(matches!(
            ModulePath::classify("https://x/y.json"),
            ModulePath::Refused(_)
        ));
        assert_eq!(
            ModulePath::classify("../x.bicep"),
            ModulePath::Local("../x.bicep".into())
        );
    }

    #[test]
    fn json_is_told_from_bicep() {
        assert!(looks_like_json("\u{feff} // c\n{\"a\": 1}"));
        assert!(looks_like_json("/* x */ {}"));
        assert!(!looks_like_json("param x string\n"));
        assert!(!looks_like_json("// {\nparam x string\n"));
    }
}
