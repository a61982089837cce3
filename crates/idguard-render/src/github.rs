//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice`
//! annotation per unsuppressed finding, per file that could not be
//! checked and per policy plugin failure, and a `::notice` per note (what
//! a check could not do, a compiled JSON left out).

use std::fmt::Write as _;

use idguard_core::finding::Severity;

use super::Context;

/// Escapes a command's message (`%`, `\r`, `\n`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property value (also `:` and `,`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Renders the workflow commands.
pub fn render(ctx: &Context<'_>) -> String {
    let mut out = String::new();
    for file in &ctx.report.files {
        let Some(err) = &file.error else { continue };
        let _ = writeln!(
            out,
            "::error file={},line={},col={},title={}::{}",
            escape_property(&file.path),
            err.line.max(1),
            err.column.max(1),
            escape_property("idguard: file could not be checked"),
            escape_data(&err.message)
        );
    }
    for note in ctx.report.files.iter().flat_map(|f| &f.notes) {
        let _ = writeln!(
            out,
            "::notice file={},line={},col={},title={}::{}",
            escape_property(&note.file),
            note.line.max(1),
            note.column.max(1),
            escape_property("idguard: note"),
            escape_data(&note.message)
        );
    }
    for e in &ctx.report.plugin_errors {
        let file = e
            .file
            .as_deref()
            .map(|f| format!("file={},", escape_property(f)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "::error {file}title={}::{}",
            escape_property(&format!("idguard: plugin '{}' failed", e.plugin)),
            escape_data(&e.to_string())
        );
    }
    for f in ctx
        .report
        .findings
        .iter()
        .filter(|f| f.suppression.is_none())
    {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = format!(
            "file={},line={},col={}",
            escape_property(&f.file),
            f.range.start.line.max(1),
            f.range.start.column.max(1)
        );
        if f.range.end.line >= f.range.start.line && f.range.end.line > 0 {
            let _ = write!(
                props,
                ",endLine={},endColumn={}",
                f.range.end.line, f.range.end.column
            );
        }
        let _ = write!(
            props,
            ",title={}",
            escape_property(&format!("{} {}", f.code, f.name))
        );
        let mut message = f.message.clone();
        if !f.help.is_empty() {
            message.push_str("\nhelp: ");
            message.push_str(&f.help);
        }
        let _ = writeln!(out, "::{command} {props}::{}", escape_data(&message));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testutil;
    use super::*;

    #[test]
    fn escapes_per_github_rules() {
        assert_eq!(escape_data("100% a\r\nb: c, d"), "100%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn one_command_per_finding() {
        let report = testutil::report();
        let sources = testutil::sources();
        let out = render(&testutil::context(&report, &sources));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 4, "{out}");
        assert_eq!(
            lines[0],
            "::error file=broken/bad.json,line=2,col=5,title=idguard%3A file could not be checked::expected `,` or `}` after an object member"
        );
        let mi101 = lines.iter().find(|l| l.contains("MI101")).unwrap();
        assert!(mi101.starts_with(
            "::error file=infra/main.json,line=7,col=9,endLine=7,endColumn=141,title=MI101 no-broad-privileged-role::"
        ));
        assert!(mi101.contains("100%25 wrong, see a,b:c%0Asecond line%0Ahelp: Assign"));
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("::notice ") && l.contains("MI201"))
        );
        assert!(
            !out.contains("MI402"),
            "suppressed findings are not annotated"
        );
    }

    #[test]
    fn plugin_failures_are_errors() {
        let report = testutil::report_with_plugin_errors();
        let sources = testutil::sources();
        let out = render(&testutil::context(&report, &sources));
        let plugin: Vec<&str> = out.lines().filter(|l| l.contains("plugin")).collect();
        assert_eq!(
            plugin,
            [
                "::error title=idguard%3A plugin 'tags' failed::plugin 'tags' (plugins/tags.wasm) is not a WebAssembly module",
                "::error file=infra/main.json,title=idguard%3A plugin 'cost' failed::infra/main.json with infra/main.prod.parameters.json: plugin 'cost' (plugins/cost.wasm) ran out of fuel after 20000000 instructions",
            ]
        );
    }
}
