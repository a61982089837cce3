//! Escaping of template text for each output format. Template authors are
//! hostile: a name with quotes, brackets, `-->`, a newline, a code fence
//! or `<script>` must come out as text, never as syntax.
//!
//! Every function also turns control characters (newlines included),
//! Unicode line separators and invisible or reordering characters into a
//! space or a visible escape, so a label stays on one line of its output
//! and reads as it is.

/// Whether a character must not be written as it is in any output: a
/// control, a line or paragraph separator, or an invisible or reordering
/// character (bidirectional overrides, zero-width characters).
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{2028}' | '\u{2029}' | '\u{AD}' | '\u{34F}' | '\u{61C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E0FFF}')
}

/// Text inside a Mermaid quoted label (`id["…"]`, `-->|"…"|`): every
/// character Mermaid could read as syntax (quotes, brackets, pipes,
/// `<`/`>` of its HTML labels, `#`, `;`, `%`, backticks of its Markdown
/// strings and of a surrounding code fence) is written as a Mermaid
/// entity code (`#35;`), so `-->` or `"]` inside a name stays text.
pub fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            c if is_hidden(c) => out.push(' '),
            '"' | '[' | ']' | '(' | ')' | '{' | '}' | '<' | '>' | '|' | '#' | ';' | '%' | '`'
            | '&' | '\\' => {
                out.push_str(&format!("#{};", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

/// Text inside a DOT double-quoted string: `"` and `\` escaped, and no
/// line breaks (a newline becomes a space; DOT's own `\n`, `\l`, `\r`
/// escapes cannot be formed, as every backslash is doubled). `<` and `>`
/// need nothing: a quoted string is not an HTML label.
pub fn dot_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            c if is_hidden(c) => out.push(' '),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out
}

/// Text for XML character data and attribute values: the five markup
/// characters as entities; characters XML 1.0 does not allow, and the
/// other hidden ones, as a space.
pub fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            c if is_hidden(c) => out.push(' '),
            '\u{FFFE}' | '\u{FFFF}' => out.push(' '),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text in a GitHub-flavoured Markdown table cell: HTML markup characters
/// as entities, the Markdown punctuation that acts inside a line
/// backslash-escaped (so `|` does not split the cell, `[x](y)` and `![x](y)`
/// are not links or images, a backtick does not open code, `*`, `_`, `~`
/// do not emphasise, `@` does not mention), on one line. Punctuation that
/// acts only at the start of a line (`#`, `-`, `+`, `1.`) cannot be at the
/// start of a cell's line and is left as it is.
pub fn markdown_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            c if is_hidden(c) => out.push(' '),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '@' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// `s` cut to `max` characters, with `…` when cut.
pub(crate) fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str =
        "a\"b]c[d-->e|f<script>alert(1)</script>\ng;h%%i`j```k#l&m\\n{o}\u{202E}p";

    #[test]
    fn mermaid_keeps_no_syntax() {
        let t = mermaid_text(HOSTILE);
        for bad in [
            "\"", "]", "[", "-->", "|", "<", ">", "\n", "`", "%%", "{", "}",
        ] {
            assert!(!t.contains(bad), "{bad:?} in {t}");
        }
        // Entities are `#code;`: every `#` starts one, and every `;` ends one.
        assert!(t.split('#').skip(1).all(|p| {
            p.split_once(';')
                .is_some_and(|(n, _)| n.parse::<u32>().is_ok())
        }));
        let mut rest = t.as_str();
        let mut plain = String::new();
        while let Some(i) = rest.find('#') {
            plain.push_str(&rest[..i]);
            let end = rest[i..].find(';').unwrap();
            rest = &rest[i + end + 1..];
        }
        plain.push_str(rest);
        assert!(!plain.contains(';'), "{plain}");
    }

    #[test]
    fn dot_quotes_and_backslashes() {
        let t = dot_text(HOSTILE);
        assert!(!t.contains('\n'));
        // Every quote is escaped by an odd run of backslashes.
        let b = t.as_bytes();
        for (i, c) in b.iter().enumerate() {
            if *c == b'"' {
                let run = b[..i].iter().rev().take_while(|c| **c == b'\\').count();
                assert_eq!(run % 2, 1, "unescaped quote in {t}");
            }
        }
    }

    #[test]
    fn xml_has_no_markup() {
        let t = xml_text(HOSTILE);
        assert!(!t.contains('<') && !t.contains('>') && !t.contains('"'));
        assert!(!t.contains('\u{202E}') && !t.contains('\n'));
    }

    #[test]
    fn markdown_has_no_cell_break_or_html() {
        let t = markdown_text(HOSTILE);
        assert!(!t.contains('<') && !t.contains('\n'));
        assert!(!t.replace("\\|", "").contains('|'));
        assert!(!t.replace("\\`", "").contains('`'));
    }
}
