//! The human format: rustc/ruff-style diagnostics with a code frame of the
//! template, then a one-line summary.
//!
//! Frames are drawn by hand (no annotate-snippets/miette): every finding has
//! exactly one primary range, the frame must cope with 3 MB single-line
//! minified templates (the line is windowed around the range), and the
//! style stays a few dozen lines we control. Colours are `anstyle` codes;
//! when colour is off every style is empty and the output is plain text.

use std::collections::HashMap;
use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use idguard_core::finding::{FileKind, Position, Severity};

use super::Context;
use crate::escape::{Doc, Line, escape_char};

/// Longest stretch of one template line shown in a frame, in columns.
const MAX_LINE_WIDTH: usize = 160;
/// Frames of longer ranges show the first and last lines only.
const MAX_FRAME_LINES: u32 = 5;
const TAB_WIDTH: usize = 4;

struct Styles {
    error: Style,
    warning: Style,
    info: Style,
    gutter: Style,
    bold: Style,
    dim: Style,
    ok: Style,
}

impl Styles {
    fn new(color: bool) -> Styles {
        if !color {
            return Styles {
                error: Style::new(),
                warning: Style::new(),
                info: Style::new(),
                gutter: Style::new(),
                bold: Style::new(),
                dim: Style::new(),
                ok: Style::new(),
            };
        }
        let fg = |c: AnsiColor| Style::new().fg_color(Some(c.into())).bold();
        Styles {
            error: fg(AnsiColor::BrightRed),
            warning: fg(AnsiColor::BrightYellow),
            info: fg(AnsiColor::BrightCyan),
            gutter: fg(AnsiColor::BrightBlue),
            bold: Style::new().bold(),
            dim: Style::new().dimmed(),
            ok: fg(AnsiColor::BrightGreen),
        }
    }

    fn severity(&self, s: Severity) -> Style {
        match s {
            Severity::Error => self.error,
            Severity::Warning => self.warning,
            Severity::Info => self.info,
        }
    }
}

/// Line start offsets of a text, computed once per file.
struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Lines { text, starts }
    }

    /// 1-based line `n` without its line end.
    fn line(&self, n: u32) -> Option<&'t str> {
        let i = usize::try_from(n).ok()?.checked_sub(1)?;
        let start = *self.starts.get(i)?;
        let end = self
            .starts
            .get(i + 1)
            .map_or(self.text.len(), |e| e.saturating_sub(1));
        let line = self.text.get(start..end)?;
        Some(line.strip_suffix('\r').unwrap_or(line))
    }

    fn count(&self) -> u32 {
        u32::try_from(self.starts.len()).unwrap_or(u32::MAX)
    }
}

/// Renders the text report. Every name, path, message and source line
/// goes into a [`Doc`], which escapes it for the terminal (see
/// `crate::escape`).
pub fn render(ctx: &Context<'_>, color: bool) -> String {
    let st = Styles::new(color);
    let mut doc = Doc::new(color);
    let mut line_cache: HashMap<&str, Lines<'_>> = HashMap::new();

    for file in ctx.report.files.iter().filter(|f| f.error.is_some()) {
        let Some(error) = &file.error else { continue };
        let what = match file.kind {
            FileKind::Template => "invalid-template",
            FileKind::Parameters => "invalid-parameter-file",
            FileKind::Other => "unreadable-file",
        };
        doc.line()
            .styled(st.error, &format!("error[{what}]"))
            .text(": ")
            .styled(st.bold, &error.message);
        // Frames only from templates: a parameter file may hold secrets.
        let source = (file.kind == FileKind::Template)
            .then(|| ctx.sources.get(&file.path))
            .flatten();
        let (pos, end) = one_column(error.line, error.column);
        let lines = source.map(|s| {
            line_cache
                .entry(file.path.as_str())
                .or_insert_with(|| Lines::new(s))
        });
        write_location(
            &mut doc,
            &st,
            &file.path,
            pos,
            end,
            lines.as_deref(),
            st.error,
        );
        doc.blank();
    }

    for f in ctx
        .report
        .findings
        .iter()
        .filter(|f| f.suppression.is_none())
    {
        let sev = st.severity(f.severity);
        doc.line()
            .styled(sev, &format!("{}[{}]", f.severity.as_str(), f.code))
            .text(" ")
            .styled(st.bold, &f.name)
            .text(": ")
            .styled(st.bold, &f.message);
        let source = ctx.sources.get(&f.file);
        let lines = source.map(|s| {
            line_cache
                .entry(f.file.as_str())
                .or_insert_with(|| Lines::new(s))
        });
        let width = write_location(
            &mut doc,
            &st,
            &f.file,
            f.range.start,
            f.range.end,
            lines.as_deref(),
            sev,
        );
        let pad = " ".repeat(width + 1);
        if !f.help.is_empty() {
            doc.line()
                .text(&pad)
                .styled(st.gutter, "=")
                .text(" ")
                .styled(st.bold, "help")
                .text(": ")
                .text(&f.help);
        }
        if let Some(fix) = &f.fix {
            let how = match fix.safety {
                idguard_core::finding::FixSafety::Safe => " (safe: idguard check --fix)",
                idguard_core::finding::FixSafety::Unsafe => {
                    " (unsafe: idguard check --fix --unsafe-fixes)"
                }
            };
            doc.line()
                .text(&pad)
                .styled(st.gutter, "=")
                .text(" ")
                .styled(st.bold, "fix")
                .text(": ")
                .text(&fix.title)
                .text(how);
        }
        if let Some(p) = &f.parameters_file {
            doc.line()
                .text(&pad)
                .styled(st.gutter, "=")
                .text(" ")
                .styled(st.bold, "note")
                .text(": evaluated with ")
                .text(p);
        }
        for r in &f.related {
            let mut l = doc.line();
            l.text(&pad)
                .styled(st.gutter, "=")
                .text(" ")
                .styled(st.bold, "note")
                .text(": ");
            let _ = write!(
                l,
                "{} ({}:{}:{})",
                r.message, r.file, r.range.start.line, r.range.start.column
            );
        }
        if let Some(url) = &f.doc_url {
            doc.line()
                .text(&pad)
                .styled(st.gutter, "=")
                .text(" ")
                .styled(st.bold, "docs")
                .text(": ")
                .styled(st.dim, url);
        }
        doc.blank();
    }

    // What a check could not do (a module not read, a compiled JSON left
    // out), after the findings: never a silent pass.
    for note in ctx.report.files.iter().flat_map(|f| &f.notes) {
        doc.line()
            .styled(st.info, "note")
            .text(": ")
            .styled(st.bold, &note.message);
        let (pos, end) = one_column(note.line, note.column);
        // A note about the whole file (at 1:1) needs no frame.
        let whole_file = note.line <= 1 && note.column <= 1;
        let lines = ctx
            .sources
            .get(&note.file)
            .filter(|_| !whole_file)
            .map(|s| {
                line_cache
                    .entry(note.file.as_str())
                    .or_insert_with(|| Lines::new(s))
            });
        write_location(
            &mut doc,
            &st,
            &note.file,
            pos,
            end,
            lines.as_deref(),
            st.info,
        );
        doc.blank();
    }

    summary_line(ctx, &st, &mut doc.line());
    doc.finish()
}

/// Writes `--> file:line:col` and, when the lines are at hand, a code
/// frame underlining `start..end`. Returns the gutter width used.
fn write_location(
    doc: &mut Doc,
    st: &Styles,
    file: &str,
    start: Position,
    end: Position,
    lines: Option<&Lines<'_>>,
    caret_style: Style,
) -> usize {
    let frame = lines.filter(|l| start.line >= 1 && start.line <= l.count());
    let mut last = end.line.max(start.line);
    if last > start.line && end.column <= 1 {
        last -= 1;
    }
    if let Some(l) = frame {
        last = last.min(l.count());
    }
    let width = if frame.is_some() {
        digits(last)
    } else {
        digits(start.line)
    };
    let pad = " ".repeat(width);
    {
        let mut l = doc.line();
        l.text(&pad).styled(st.gutter, "-->");
        let _ = write!(l, " {file}:{}:{}", start.line, start.column);
    }
    let Some(lines) = frame else {
        return width;
    };
    let gutter = |doc: &mut Doc| {
        doc.line().text(&pad).text(" ").styled(st.gutter, "|");
    };
    gutter(doc);
    let shown: Vec<Option<u32>> = if last - start.line < MAX_FRAME_LINES {
        (start.line..=last).map(Some).collect()
    } else {
        vec![
            Some(start.line),
            Some(start.line + 1),
            None,
            Some(last - 1),
            Some(last),
        ]
    };
    for n in shown {
        let Some(n) = n else {
            doc.line().styled(st.gutter, "...");
            continue;
        };
        let text = lines.line(n).unwrap_or("");
        let chars: Vec<char> = text.chars().collect();
        let len = chars.len();
        let first_non_ws = chars
            .iter()
            .position(|c| !c.is_whitespace())
            .map_or(1, |i| i + 1);
        // Underlined char columns [a, b), 1-based.
        let (a, b) = match (n == start.line, n == last) {
            (true, true) if end.line == start.line => {
                let a = start.column as usize;
                (a, (end.column as usize).max(a + 1))
            }
            (true, _) => (start.column as usize, len + 1),
            (false, true) => (first_non_ws, (end.column as usize).max(first_non_ws + 1)),
            (false, false) => (first_non_ws, len + 1),
        };
        let (shown_text, caret_from, caret_to) = window(&chars, a, b);
        doc.line()
            .styled(st.gutter, &format!("{n:>width$}"))
            .text(" ")
            .styled(st.gutter, "|")
            .text(" ")
            .text(&shown_text);
        let carets = "^".repeat(caret_to.saturating_sub(caret_from).max(1));
        doc.line()
            .text(&pad)
            .text(" ")
            .styled(st.gutter, "|")
            .text(" ")
            .text(&" ".repeat(caret_from))
            .styled(caret_style, &carets);
    }
    gutter(doc);
    width
}

/// A line (tabs expanded) cut to at most [`MAX_LINE_WIDTH`] columns around
/// char columns `[a, b)`: the shown text and the display columns (0-based,
/// end exclusive) to underline.
fn window(chars: &[char], a: usize, b: usize) -> (String, usize, usize) {
    let mut display = String::new();
    let mut col_of = Vec::with_capacity(chars.len() + 2);
    let mut col = 0usize;
    for c in chars {
        col_of.push(col);
        if *c == '\t' {
            display.push_str(&" ".repeat(TAB_WIDTH));
            col += TAB_WIDTH;
        } else if let Some(visible) = escape_char(*c) {
            // Shown as its escape (`\u{1b}`), which is as wide as it is
            // long, so the carets still line up.
            display.push_str(&visible);
            col += visible.len();
        } else {
            display.push(*c);
            col += 1;
        }
    }
    col_of.push(col);
    let to_display = |char_col: usize| -> usize {
        col_of
            .get(char_col.saturating_sub(1))
            .copied()
            .unwrap_or(col + char_col.saturating_sub(chars.len() + 1))
    };
    let (da, db) = (to_display(a), to_display(b).max(to_display(a) + 1));
    if col <= MAX_LINE_WIDTH {
        return (display, da, db);
    }
    let start = da.saturating_sub(20);
    let end = (start + MAX_LINE_WIDTH).min(col);
    let cut: String = display.chars().skip(start).take(end - start).collect();
    let prefix = if start > 0 { "…" } else { "" };
    let suffix = if end < col { "…" } else { "" };
    let shift = usize::from(start > 0);
    (
        format!("{prefix}{cut}{suffix}"),
        da - start + shift,
        db.min(end) - start + shift,
    )
}

fn digits(n: u32) -> usize {
    n.max(1).to_string().len()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `Checked 12 templates in 0.04s: 2 errors, 1 warning`.
fn summary_line(ctx: &Context<'_>, st: &Styles, l: &mut Line<'_>) {
    let s = &ctx.report.summary;
    if s.templates == 0 && s.invalid_files == 0 {
        let other = ctx
            .report
            .files
            .iter()
            .filter(|f| f.kind != FileKind::Template)
            .count();
        let _ = write!(
            l,
            "No Bicep or ARM templates found ({} skipped)",
            plural(other, "other file", "other files")
        );
        return;
    }
    let _ = write!(
        l,
        "Checked {}",
        plural(s.templates, "template", "templates")
    );
    if ctx.parameter_files > 0 {
        let _ = write!(
            l,
            " with {}",
            plural(ctx.parameter_files, "parameter file", "parameter files")
        );
    }
    let _ = write!(l, " in {:.2}s: ", ctx.elapsed.as_secs_f64());
    let mut counts: Vec<(Style, String)> = Vec::new();
    if s.errors > 0 {
        counts.push((st.error, plural(s.errors, "error", "errors")));
    }
    if s.warnings > 0 {
        counts.push((st.warning, plural(s.warnings, "warning", "warnings")));
    }
    if s.infos > 0 {
        counts.push((st.info, format!("{} info", s.infos)));
    }
    if counts.is_empty() {
        l.styled(st.ok, "no problems found");
    }
    for (i, (style, text)) in counts.iter().enumerate() {
        if i > 0 {
            l.text(", ");
        }
        l.styled(*style, text);
    }
    let mut extra = Vec::new();
    if s.suppressed > 0 {
        extra.push(format!("{} suppressed", s.suppressed));
    }
    if ctx.baselined > 0 {
        extra.push(format!("{} in baseline", ctx.baselined));
    }
    let notes: usize = ctx.report.files.iter().map(|f| f.notes.len()).sum();
    if notes > 0 {
        extra.push(plural(notes, "note", "notes"));
    }
    if !extra.is_empty() {
        let _ = write!(l, " ({})", extra.join(", "));
    }
    if s.invalid_files > 0 {
        l.text("; ").styled(
            st.error,
            &format!(
                "{} could not be checked",
                plural(s.invalid_files, "file", "files")
            ),
        );
    }
    let plugin_failures = ctx.report.plugin_errors.len();
    if plugin_failures > 0 {
        l.text("; ").styled(
            st.error,
            &format!(
                "{} (see below)",
                plural(plugin_failures, "plugin failure", "plugin failures")
            ),
        );
    }
    let failing = ctx.report.findings.iter().filter(|f| ctx.fails(f)).count();
    if failing > 0 {
        let _ = write!(
            l,
            " [{} at or above --fail-on]",
            plural(failing, "finding", "findings")
        );
    }
}

/// The one-column range at `line`:`column` a file error or a note is shown
/// at (they carry a position, not a range).
fn one_column(line: u32, column: u32) -> (Position, Position) {
    let pos = Position {
        line,
        column,
        utf16_column: column,
        offset: 0,
    };
    let end = Position {
        column: column + 1,
        ..pos
    };
    (pos, end)
}

#[cfg(test)]
mod tests {
    use super::super::testutil;
    use super::*;

    fn plain() -> String {
        let report = testutil::report();
        let sources = testutil::sources();
        render(&testutil::context(&report, &sources), false)
    }

    #[test]
    fn the_summary_counts_plugin_failures() {
        let report = testutil::report_with_plugin_errors();
        let sources = testutil::sources();
        let out = render(&testutil::context(&report, &sources), false);
        let last = out.lines().last().unwrap();
        assert!(
            last.contains("; 1 file could not be checked; 2 plugin failures (see below)"),
            "{last}"
        );
    }

    #[test]
    fn renders_frames_and_summary() {
        let out = plain();
        assert!(
            out.contains(
                "error[MI101] no-broad-privileged-role: no-broad-privileged-role: 100% wrong, see a,b:c\\nsecond line\n"
            ),
            "{out}"
        );
        assert!(out.contains(" --> infra/main.json:7:9\n"), "{out}");
        assert!(
            out.contains("7 |         \"roleDefinitionId\": \"[subscriptionResourceId("),
            "{out}"
        );
        // The caret line starts under column 9 of line 7.
        assert!(out.contains("\n  |         ^^^^^"), "{out}");
        assert!(out.contains("  = help: Assign a narrower role"), "{out}");
        assert!(
            out.contains("  = note: evaluated with infra/main.prod.parameters.json"),
            "{out}"
        );
        assert!(
            out.contains("  = note: value from here (infra/main.prod.parameters.json:5:16)"),
            "{out}"
        );
        // Suppressed findings are not shown, only counted.
        assert!(!out.contains("MI402"), "{out}");
        // The invalid file, with its position and a frame.
        assert!(
            out.contains("error[invalid-template]: expected `,` or `}`"),
            "{out}"
        );
        assert!(out.contains(" --> broken/bad.json:2:5\n"), "{out}");
        assert!(out.contains("2 |   \"a\" 1\n  |     ^\n"), "{out}");
        let last = out.lines().last().unwrap();
        assert_eq!(
            last,
            "Checked 2 templates with 1 parameter file in 0.04s: 2 errors, 1 info (1 suppressed); 1 file could not be checked [2 findings at or above --fail-on]"
        );
        assert!(
            !out.contains('\u{1b}'),
            "no colour codes when colour is off"
        );
    }

    #[test]
    fn colour_when_asked() {
        let report = testutil::report();
        let sources = testutil::sources();
        let out = render(&testutil::context(&report, &sources), true);
        assert!(out.contains('\u{1b}'));
    }

    #[test]
    fn windows_long_lines() {
        let line: Vec<char> = format!(
            "{}\"roleDefinitionId\": \"x\"{}",
            " ".repeat(5000),
            "y".repeat(5000)
        )
        .chars()
        .collect();
        let (text, from, to) = window(&line, 5001, 5019);
        assert!(text.chars().count() <= MAX_LINE_WIDTH + 2);
        assert!(text.starts_with('…') && text.ends_with('…'));
        let underlined: String = text.chars().skip(from).take(to - from).collect();
        assert_eq!(underlined, "\"roleDefinitionId\"");
    }

    #[test]
    fn tabs_and_multiline_ranges() {
        let (text, from, to) = window(&['\t', 'a', 'b'], 2, 3);
        assert_eq!((text.as_str(), from, to), ("    ab", 4, 5));
        let src = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let lines = Lines::new(src);
        let st = Styles::new(false);
        let mut doc = Doc::new(false);
        let p = |line, column| Position {
            line,
            column,
            utf16_column: column,
            offset: 0,
        };
        write_location(
            &mut doc,
            &st,
            "x.json",
            p(1, 1),
            p(8, 2),
            Some(&lines),
            st.error,
        );
        let out = doc.finish();
        assert!(
            out.contains("1 | a\n") && out.contains("...\n") && out.contains("8 | h\n"),
            "{out}"
        );
        assert!(!out.contains("4 | d"), "{out}");
        // A range ending at column 1 of the next line does not show it.
        let mut doc = Doc::new(false);
        write_location(
            &mut doc,
            &st,
            "x.json",
            p(2, 1),
            p(3, 1),
            Some(&lines),
            st.error,
        );
        let out = doc.finish();
        assert!(out.contains("2 | b\n") && !out.contains("3 | c"), "{out}");
        // Positions outside the text: no frame, no panic.
        let mut doc = Doc::new(false);
        write_location(
            &mut doc,
            &st,
            "x.json",
            p(99, 1),
            p(99, 3),
            Some(&lines),
            st.error,
        );
        let out = doc.finish();
        assert_eq!(out, "  --> x.json:99:1\n");
    }

    /// Names, paths, messages and source lines from a hostile template:
    /// nothing reaches the terminal raw, and no line is a workflow command.
    #[test]
    fn hostile_content_is_escaped() {
        use idguard_core::finding::FileError;
        let mut report = testutil::report();
        let evil =
            "x\n::error file=evil.json::forged\r\u{1b}]0;title\u{7}\u{1b}[2J##[error]y\u{202e}";
        for f in &mut report.findings {
            f.name = evil.to_string();
            f.message = evil.to_string();
            f.help = evil.to_string();
            f.file = format!("{evil}.json");
        }
        let broken = report
            .files
            .iter_mut()
            .find(|f| f.path == "broken/bad.json")
            .unwrap();
        broken.error = Some(FileError {
            message: evil.to_string(),
            line: 1,
            column: 2,
        });
        let mut sources = testutil::sources();
        sources.insert(
            "broken/bad.json".to_string(),
            std::sync::Arc::from("{\u{1b}[2J \"\u{202e}\" \t\u{7}x\r\n}"),
        );
        let out = render(&testutil::context(&report, &sources), false);
        // What the CLI's standard output writes.
        let out = crate::escape::guard(&out, crate::escape::Kind::Text);
        for (i, line) in out.split(['\n', '\r']).enumerate() {
            assert!(
                !line.chars().any(|c| escape_char(c).is_some()),
                "line {i} has a raw control character: {line:?}"
            );
            let trimmed = line.trim_start();
            assert!(
                !trimmed.starts_with("::") && !line.contains("##["),
                "line {i} is a workflow command: {line:?}"
            );
        }
        assert!(
            out.contains("x\\n::error file=evil.json::forged\\r\\u{1b}]0;title"),
            "{out}"
        );
        // The frame shows the escape and the caret stays under column 2.
        assert!(
            out.contains("1 | {\\u{1b}[2J \"\\u{202e}\"     \\u{7}x\n  |  ^^^^^^\n"),
            "{out}"
        );
    }
}
