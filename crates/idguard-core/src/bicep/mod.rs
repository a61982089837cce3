//! Bicep source lowered to the ARM template it compiles to.
//!
//! A `.bicep` file is parsed by `idguard-bicep` and lowered into a
//! [`Document`] holding the symbolic-name ARM template (`languageVersion`
//! 2.0) that `bicep build` would emit, every node with the span of the Bicep
//! syntax that produced it and a line index over the `.bicep` text (lines as
//! Bicep counts them). The template, expression, model and rule layers then
//! run unchanged, and findings land on Bicep lines.
//!
//! - [`lower_bicep`]: a `.bicep` file to a template document, with its
//!   modules listed for [`modules::load`];
//! - [`params`]: a `.bicepparam` file to a deployment parameters document,
//!   and the pairing of parameter files with templates by `using`;
//! - suppressions: `#disable-next-line MI402` (see `suppress.rs`).
//!
//! Work is bounded: the lowering charges a budget per expression node built
//! and stops with [`Lowered::exhausted`] when a file expands too much
//! (names built from names built from names).

mod arm;
mod binder;
pub(crate) mod check;
mod emit;
mod lower;
pub mod modules;
pub mod params;
pub(crate) mod suppress;

use idguard_bicep::{Diagnostic, FileKind, ParseOptions};

use crate::source::{Document, LineIndex, NodeId, Span};

/// Reads a file named relative to the file being lowered (`load*Content()`).
pub type Loader<'r> = dyn Fn(&str) -> Option<String> + 'r;

/// Which language a source file is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Language {
    /// An ARM template or parameter file (JSON).
    Json,
    /// A `.bicep` template.
    Bicep,
    /// A `.bicepparam` parameters file.
    BicepParam,
}

impl Language {
    /// The language a path's extension names (`.bicep`, `.bicepparam`,
    /// case-insensitive); anything else is JSON.
    pub fn of_path(path: &str) -> Language {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".bicep") {
            Language::Bicep
        } else if lower.ends_with(".bicepparam") {
            Language::BicepParam
        } else {
            Language::Json
        }
    }
}

/// A module declaration of a lowered file.
#[derive(Clone, Debug, PartialEq)]
pub struct ModuleRef {
    pub symbol: String,
    /// The path or reference as written (`./x.bicep`, `br/public:…`),
    /// when it is a plain string.
    pub path: Option<String>,
    pub path_span: Span,
    /// The whole declaration.
    pub span: Span,
    /// The deployment resource it became.
    pub node: NodeId,
}

/// Something the lowering could not do and the user should know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LowerNote {
    pub span: Span,
    pub message: String,
}

/// A lowered `.bicep` file.
#[derive(Debug)]
pub struct Lowered {
    /// The ARM template, with spans into the Bicep text.
    pub doc: Document,
    pub modules: Vec<ModuleRef>,
    pub notes: Vec<LowerNote>,
    /// Bicep's syntax errors (what did not parse is left out of `doc`; the
    /// resources it touched are marked incomplete).
    pub diagnostics: Vec<Diagnostic>,
    /// The file expanded beyond the lowering's budget; `doc` is partial.
    pub exhausted: bool,
}

/// Lowers a `.bicep` file. `load` reads files named relative to it, for
/// `load*Content()` (return `None` when absent: the value is unknown).
pub fn lower_bicep(text: &str, load: &Loader<'_>) -> Lowered {
    let parsed = idguard_bicep::parse(text, FileKind::Bicep, ParseOptions::EDITOR);
    let lines = LineIndex::with_lone_cr(text);
    let suppressions = suppress::line_suppressions(&parsed, &lines);
    let mut l = lower::Lowerer::new(text, &parsed.program, &parsed.diagnostics, load);
    let (root, modules) = l.emit_template();
    for s in suppressions {
        l.b.add_line_suppression(s);
    }
    l.b.mark_lowered();
    let exhausted = l.exhausted;
    let notes = std::mem::take(&mut l.notes);
    let doc = l.b.finish(root, lines);
    Lowered {
        doc,
        modules,
        notes,
        diagnostics: parsed.diagnostics.clone(),
        exhausted,
    }
}

/// The first syntax error as `BCPxxx: message`, with its 1-based line and
/// column (characters), as a file error shows it.
pub fn describe_diagnostic(text: &str, d: &Diagnostic) -> (String, u32, u32) {
    let lines = LineIndex::with_lone_cr(text);
    let pos = lines.line_col(text, d.span.start);
    (
        format!("{}: {}", d.code, d.message),
        pos.line,
        pos.column_chars,
    )
}

/// An empty document (a placeholder once a lowered one has been moved out).
pub(crate) fn empty_document() -> Document {
    let mut b = crate::source::DocumentBuilder::new();
    let root = b.push(crate::source::Kind::Null, Span::default(), None);
    b.finish(root, LineIndex::default())
}
