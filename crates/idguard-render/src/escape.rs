//! Everything idguard writes goes through here: the text report is built
//! with [`Doc`], whose every piece of content is escaped; what is written
//! to standard output, standard error and `--output` files (by the CLI's
//! `output.rs`, or by the npm package's `idguard` command) first passes
//! every line through [`sanitize`] (or, for messages, [`escape_message`]).
//!
//! Two dangers, two defences:
//!
//! - **The terminal.** Names, paths and messages come from the checked
//!   files. A control character (ESC sequences that clear the screen or
//!   set the window title, `\r` that overwrites a line), a bidirectional
//!   override or an invisible character is shown as a visible escape
//!   (`\u{1b}`, `\r`) instead ([`escape`]).
//! - **The CI log.** The GitHub Actions runner reads every line its steps
//!   print (splitting at `\n` and `\r`) and treats a line as a workflow
//!   command when, with leading whitespace trimmed, it starts with `::`,
//!   or when it holds `##[` anywhere — an annotation, a mask, a
//!   `stop-commands`; Azure Pipelines reads `##vso[` anywhere in a line
//!   the same way. No line of any format may do that except the
//!   commands `--format github` means to write ([`guard`]). The runner
//!   compares with .NET's culture-aware `StartsWith`/`IndexOf`, which
//!   skip "ignorable" characters (`\u{ad}`, zero-width spaces, most
//!   controls), so the guard skips them too when it looks.

use std::borrow::Cow;
use std::fmt;
use std::fmt::Write as _;

use anstyle::Style;

/// What is being written, which decides how a dangerous line is defused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The text report, messages on standard error, tables: a backslash
    /// goes in (`\::error`, `#\#[`).
    Text,
    /// JSON (and SARIF): the character becomes a `\u` escape, which means
    /// the same string.
    Json,
    /// XML (JUnit): the character becomes a character reference.
    Xml,
    /// `--format github`: a line that starts with `::` is one of the
    /// commands this format exists to write (its data is escaped by the
    /// renderer; a `##[` in it is still defused); any other line is
    /// defused as text.
    Github,
}

/// Whether the runner's culture-aware comparisons skip `c` when they look
/// for a command: an [ignorable](is_ignorable) character or a control
/// other than a tab.
fn skipped_by_runner(c: char) -> bool {
    is_ignorable(c) || (c.is_control() && c != '\t')
}

/// Whether a character is invisible or reorders text on a terminal and
/// is skipped by .NET's culture-aware comparisons: Unicode's default
/// ignorable code points (soft hyphen, zero-width characters, bidi
/// controls, variation selectors, tags…).
pub fn is_ignorable(c: char) -> bool {
    matches!(c,
        '\u{AD}' | '\u{34F}' | '\u{61C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
        | '\u{FFF0}'..='\u{FFF8}'
        | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E0FFF}')
}

/// The visible form of a character that must not reach a terminal as it
/// is, or `None` for one that may: `\n`, `\r`, `\t`, and `\u{…}` for other
/// controls (C0, DEL, C1), line and paragraph separators and
/// [ignorable](is_ignorable) characters.
pub fn escape_char(c: char) -> Option<Cow<'static, str>> {
    match c {
        '\n' => Some(Cow::Borrowed("\\n")),
        '\r' => Some(Cow::Borrowed("\\r")),
        '\t' => Some(Cow::Borrowed("\\t")),
        c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' || is_ignorable(c) => {
            Some(Cow::Owned(format!("\\u{{{:x}}}", u32::from(c))))
        }
        _ => None,
    }
}

/// `s` with every character [`escape_char`] names made visible.
pub fn escape(s: &str) -> Cow<'_, str> {
    escape_except(s, None)
}

/// A message for standard error: every control character but `\n` shown
/// visibly, every line guarded.
pub fn escape_message(text: &str) -> String {
    let text = escape_except(text, Some('\n'));
    guard(&text, Kind::Text).into_owned()
}

/// [`escape`], keeping `keep` as it is.
fn escape_except(s: &str, keep: Option<char>) -> Cow<'_, str> {
    if !s
        .chars()
        .any(|c| Some(c) != keep && escape_char(c).is_some())
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match escape_char(c) {
            Some(e) if Some(c) != keep => out.push_str(&e),
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Makes `text` of `kind` safe to print: characters a terminal must not
/// get raw are escaped as the format allows (see [`Kind`]), then every
/// line the GitHub runner would read as a workflow command is defused
/// ([`guard`]). This is what is written to standard output and files.
pub fn sanitize(text: &str, kind: Kind) -> Cow<'_, str> {
    let escaped = escape_for(text, kind);
    match guard(&escaped, kind) {
        Cow::Borrowed(_) => escaped,
        Cow::Owned(g) => Cow::Owned(g),
    }
}

/// Escapes the characters [`escape_char`] names, except the line breaks
/// and tabs a format uses itself, in the way `kind` allows:
///
/// - text: nothing (the text report's content is escaped by [`Doc`]; its
///   colour codes must stay);
/// - JSON: `\uXXXX`, which means the same string (raw controls other than
///   `\n` can only be inside strings, and serde already escaped C0);
/// - XML: a character reference, or, for the C0 controls XML forbids even
///   as references, their visible form;
/// - GitHub commands: the visible form (`\r` and `\n` are already `%0D`,
///   `%0A`).
fn escape_for(text: &str, kind: Kind) -> Cow<'_, str> {
    let flagged =
        |c: char| c != '\n' && !(c == '\t' && kind != Kind::Github) && escape_char(c).is_some();
    if kind == Kind::Text || !text.chars().any(flagged) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if !flagged(c) {
            out.push(c);
            continue;
        }
        match kind {
            Kind::Json => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{u:04x}");
                }
            }
            Kind::Xml if c == '\r' => out.push_str("&#13;"),
            Kind::Xml if u32::from(c) >= 0x20 => {
                let _ = write!(out, "&#x{:x};", u32::from(c));
            }
            _ => {
                if let Some(e) = escape_char(c) {
                    out.push_str(&e);
                }
            }
        }
    }
    Cow::Owned(out)
}

/// Defuses every line of `text` that the GitHub runner would read as a
/// workflow command (see the module docs), as `kind` allows.
pub fn guard(text: &str, kind: Kind) -> Cow<'_, str> {
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut rest = text;
    // Lines end at `\n` or `\r`, as the runner's reader sees them.
    loop {
        let (line, sep, next) = match rest.find(['\n', '\r']) {
            Some(i) => (
                rest.get(..i).unwrap_or(""),
                rest.get(i..=i).unwrap_or(""),
                rest.get(i + 1..).unwrap_or(""),
            ),
            None => (rest, "", ""),
        };
        let fixed = guard_line(line, kind);
        changed |= matches!(fixed, Cow::Owned(_));
        out.push_str(&fixed);
        out.push_str(sep);
        if sep.is_empty() {
            break;
        }
        rest = next;
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

/// Byte offsets (in `line`) of the characters that start a command: the
/// first `:` of a leading `::` and the first `#` of every `##[`, looking
/// past ignorable and control characters.
fn command_starts(line: &str) -> Vec<usize> {
    let view: Vec<(usize, char)> = line
        .char_indices()
        .filter(|(_, c)| !skipped_by_runner(*c))
        .collect();
    let mut at = Vec::new();
    let first = view.iter().position(|(_, c)| !c.is_whitespace());
    if let Some(i) = first
        && matches!(
            (view.get(i), view.get(i + 1)),
            (Some((_, ':')), Some((_, ':')))
        )
        && let Some((b, _)) = view.get(i)
    {
        at.push(*b);
    }
    // `##[` (GitHub) and `##vso[` (Azure Pipelines, any case).
    let is = |i: usize, want: char| {
        view.get(i)
            .is_some_and(|(_, c)| c.eq_ignore_ascii_case(&want))
    };
    let mut i = 0;
    while i + 2 < view.len() {
        let command = is(i, '#')
            && is(i + 1, '#')
            && (is(i + 2, '[')
                || (is(i + 2, 'v') && is(i + 3, 's') && is(i + 4, 'o') && is(i + 5, '[')));
        if command && let Some((b, _)) = view.get(i) {
            at.push(*b);
            i += 2;
        } else {
            i += 1;
        }
    }
    at
}

fn guard_line(line: &str, kind: Kind) -> Cow<'_, str> {
    let mut at = command_starts(line);
    if kind == Kind::Github && line.starts_with("::") {
        // The format's own command; `##[` or `##vso[` in its data is still
        // defused.
        at.retain(|b| *b != 0);
    }
    if at.is_empty() {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len() + 8 * at.len());
    let mut last = 0;
    for b in at {
        out.push_str(line.get(last..b).unwrap_or(""));
        let c = line.get(b..).and_then(|s| s.chars().next()).unwrap_or(':');
        match (kind, c) {
            (Kind::Json, '#') => out.push_str("\\u0023"),
            (Kind::Json, _) => out.push_str("\\u003a"),
            (Kind::Xml, '#') => out.push_str("&#35;"),
            (Kind::Xml, _) => out.push_str("&#58;"),
            // `\::error`, `#\#[error]`.
            (_, '#') => out.push_str("#\\"),
            (_, _) => {
                out.push('\\');
                out.push(c);
            }
        }
        last = b + c.len_utf8();
    }
    out.push_str(line.get(last..).unwrap_or(""));
    Cow::Owned(out)
}

/// A text document of lines, each built by a [`Line`]: every piece of
/// content is escaped with [`escape`] (so it can never add a line or a
/// control sequence), and colours are added only by [`Line::styled`].
#[derive(Debug, Default)]
pub struct Doc {
    out: String,
    color: bool,
}

impl Doc {
    pub fn new(color: bool) -> Doc {
        Doc {
            out: String::new(),
            color,
        }
    }

    /// A new line; it ends when the [`Line`] is dropped.
    pub fn line(&mut self) -> Line<'_> {
        Line { doc: self }
    }

    /// An empty line.
    pub fn blank(&mut self) {
        self.out.push('\n');
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// One line of a [`Doc`]. `write!` into it adds escaped content.
#[derive(Debug)]
pub struct Line<'a> {
    doc: &'a mut Doc,
}

impl Line<'_> {
    /// Adds content, escaped.
    pub fn text(&mut self, s: &str) -> &mut Self {
        self.doc.out.push_str(&escape(s));
        self
    }

    /// Adds content, escaped, in `style` (when colour is on).
    pub fn styled(&mut self, style: Style, s: &str) -> &mut Self {
        if self.doc.color && style != Style::new() {
            let _ = write!(self.doc.out, "{}", style.render());
            self.doc.out.push_str(&escape(s));
            let _ = write!(self.doc.out, "{}", style.render_reset());
        } else {
            self.doc.out.push_str(&escape(s));
        }
        self
    }
}

impl fmt::Write for Line<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.text(s);
        Ok(())
    }
}

impl Drop for Line<'_> {
    fn drop(&mut self) {
        self.doc.out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the GitHub runner does with one line of output (its
    /// `ActionCommand.TryParseV2`/`TryParse`), with the ignorable
    /// characters its culture-aware comparisons skip taken out: whether
    /// it is a command.
    pub fn runner_sees_command(line: &str) -> bool {
        let view: String = line.chars().filter(|c| !skipped_by_runner(*c)).collect();
        view.trim_start().starts_with("::")
            || view.contains("##[")
            || view.to_ascii_lowercase().contains("##vso[")
    }

    fn runner_lines(text: &str) -> Vec<&str> {
        text.split(['\n', '\r']).collect()
    }

    #[test]
    fn escapes_controls_and_invisibles() {
        assert_eq!(escape("plain é"), "plain é");
        assert_eq!(escape("a\nb\r\tc"), "a\\nb\\r\\tc");
        assert_eq!(
            escape("\u{1b}[2J\u{1b}]0;title\u{7}"),
            "\\u{1b}[2J\\u{1b}]0;title\\u{7}"
        );
        assert_eq!(escape("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(
            escape("a\u{202e}b\u{200b}c\u{ad}"),
            "a\\u{202e}b\\u{200b}c\\u{ad}"
        );
        assert_eq!(escape("\u{2028}"), "\\u{2028}");
        assert_eq!(escape_except("a\nb\r", Some('\n')), "a\nb\\r");
    }

    #[test]
    fn guards_every_line_the_runner_would_read_as_a_command() {
        let hostile = [
            "::error file=evil.json::forged",
            "   \t::warning::x",
            "x ##[error]forged",
            "##[group]x",
            "\u{ad}::error::soft hyphen",
            "\u{200b}\u{200b}::error::zero width",
            "#\u{200d}#[error]joined",
            "\u{1b}::error::escape first",
            "\u{3000}::error::ideographic space",
            "x ##vso[task.setvariable variable=a]b",
            "##VSO[task.complete result=Succeeded]",
        ];
        for h in hostile {
            assert!(runner_sees_command(h), "{h:?}");
            for kind in [Kind::Text, Kind::Json, Kind::Xml, Kind::Github] {
                let g = guard(h, kind);
                for line in runner_lines(&g) {
                    if kind == Kind::Github && line.trim_start().starts_with("::") {
                        continue;
                    }
                    assert!(!runner_sees_command(line), "{kind:?} {h:?} -> {line:?}");
                }
            }
        }
        // Several lines, split at \r too.
        let text = "fine\nx\r::error::after cr\n  ::notice::y\nok ##[x] and ##[y]\n";
        let g = guard(text, Kind::Text);
        assert!(
            runner_lines(&g).iter().all(|l| !runner_sees_command(l)),
            "{g}"
        );
        assert_eq!(
            g,
            "fine\nx\r\\::error::after cr\n  \\::notice::y\nok #\\#[x] and #\\#[y]\n"
        );
        // Lines that are not commands are left alone (borrowed).
        assert!(matches!(
            guard("a: b :: c\n# [x]\n", Kind::Text),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn json_and_xml_keep_their_meaning() {
        let value = serde_json::json!({"name": "x ##[error]forged", "b": "\u{ad}##[x"});
        let text = serde_json::to_string_pretty(&value).unwrap();
        let g = guard(&text, Kind::Json);
        assert!(
            runner_lines(&g).iter().all(|l| !runner_sees_command(l)),
            "{g}"
        );
        let back: serde_json::Value = serde_json::from_str(&g).unwrap();
        assert_eq!(back, value);
        let xml = "<a x=\"##[error]y\u{1b}\">\n::error::z\rq\u{9b}\u{202e}</a>";
        let g = sanitize(xml, Kind::Xml);
        assert_eq!(
            g,
            "<a x=\"&#35;#[error]y\\u{1b}\">\n&#58;:error::z&#13;q&#x9b;&#x202e;</a>"
        );
        let doc = roxmltree::Document::parse(&g).unwrap();
        let a = doc.root_element();
        assert_eq!(a.attribute("x"), Some("##[error]y\\u{1b}"));
        assert_eq!(a.text(), Some("\n::error::z\rq\u{9b}\u{202e}"));
        // JSON: same value, nothing raw for the terminal.
        let value = serde_json::json!({"n": "a\u{7f}\u{9b}\u{202e}\u{e0001}\u{2028}"});
        let text = serde_json::to_string(&value).unwrap();
        let g = sanitize(&text, Kind::Json);
        assert!(!g.chars().any(|c| escape_char(c).is_some()), "{g}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&g).unwrap(),
            value
        );
    }

    #[test]
    fn github_commands_pass() {
        let text = "::error file=a.json,line=1::message ##[x]\nstray ::x\n::y\n  ::z\n";
        assert_eq!(
            guard(text, Kind::Github),
            "::error file=a.json,line=1::message #\\#[x]\nstray ::x\n::y\n  \\::z\n"
        );
        assert_eq!(guard("##[error]x\n", Kind::Github), "#\\#[error]x\n");
        assert_eq!(
            sanitize("::error::a\u{1b}[2Jb\tc\n", Kind::Github),
            "::error::a\\u{1b}[2Jb\\tc\n"
        );
    }

    #[test]
    fn a_doc_escapes_every_piece_of_content() {
        let mut doc = Doc::new(true);
        {
            let mut l = doc.line();
            l.styled(Style::new().bold(), "name\n::error::x");
            let esc = "\u{1b}[2J";
            let _ = write!(l, " and {esc}");
        }
        doc.blank();
        let out = doc.finish();
        assert_eq!(out.lines().count(), 2, "{out:?}");
        assert!(out.contains("name\\n::error::x"), "{out:?}");
        assert!(out.contains("\\u{1b}[2J"), "{out:?}");
        // Only the style's own escape sequences remain.
        assert_eq!(out.matches('\u{1b}').count(), 2, "{out:?}");
    }
}
