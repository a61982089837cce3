//! Where the CLI writes: standard output, standard error and `--output`
//! files. Every text passes through the escaping of `idguard-render`
//! (`idguard_render::escape`, whose module docs say what it defends
//! against) on its way out; this module only adds the I/O.

use std::io::Write as _;
use std::path::Path;

pub use idguard_render::escape::Kind;
use idguard_render::escape::{escape_message, sanitize};

use crate::check::Fatal;

/// Writes `text` to standard output (colour codes are stripped by
/// anstream unless the terminal allows them). A failed write — a full
/// disk, a closed pipe — is an error: the report must not be lost
/// silently.
pub fn stdout(text: &str, kind: Kind) -> Result<(), Fatal> {
    let text = sanitize(text, kind);
    let mut out = anstream::stdout();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Fatal(format!("error: cannot write to standard output: {e}")))
}

/// Writes a message to standard error: every control character but `\n`
/// shown visibly, every line guarded. A failed write is ignored (there is
/// nowhere left to say so).
pub fn stderr(text: &str) {
    let text = escape_message(text);
    let mut err = anstream::stderr();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

/// [`stderr`] with a final newline.
pub fn eprintln(text: &str) {
    stderr(&format!("{text}\n"));
}

/// Writes `text` to the file at `path`, [sanitized](sanitize).
pub fn write_file(path: &Path, text: &str, kind: Kind) -> Result<(), Fatal> {
    std::fs::write(path, sanitize(text, kind).as_bytes())
        .map_err(|e| Fatal(format!("error: cannot write {}: {e}", path.display())))
}
