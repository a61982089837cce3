//! String tokens: scanning (`ScanStringSegment`, `ScanMultilineString`)
//! and cooking the raw token text into values (`TryGetRawStringSegments`).

use std::borrow::Cow;

use super::Lexer;
use crate::diagnostic as diag;
use crate::span::{Span, utf8_len};
use crate::token::{Token, TokenKind};

impl Lexer<'_> {
    fn window(&self) -> Span {
        Span::new(self.tok_start as u32, self.pos as u32)
    }

    /// A single-line string segment, after its opening `'` or `}`.
    pub(super) fn scan_string_segment(&mut self, at_start: bool) -> TokenKind {
        let (end_kind, hole_kind) = if at_start {
            (TokenKind::StringComplete, TokenKind::StringLeftPiece)
        } else {
            (TokenKind::StringRightPiece, TokenKind::StringMiddlePiece)
        };
        loop {
            let Some(&c) = self.b.get(self.pos) else {
                let w = self.window();
                self.error(diag::unterminated_string(w));
                return end_kind;
            };
            if c == b'\n' || c == b'\r' {
                // The line break is not part of the string.
                let w = self.window();
                self.error(diag::unterminated_string_with_newline(w));
                return end_kind;
            }
            let escape_start = self.pos;
            self.pos += 1;
            match c {
                b'\'' => return end_kind,
                b'$' if self.peek(0) == b'{' => {
                    self.pos += 1;
                    return hole_kind;
                }
                b'\\' => {}
                _ => continue,
            }
            // An escape sequence.
            if self.at_end() {
                let w = self.window();
                self.error(diag::unterminated_escape_at_eof(w));
                return end_kind;
            }
            let rest = self.b.get(escape_start..).unwrap_or(&[]);
            if let Some(n) = escape_length(rest) {
                self.pos = escape_start + n;
                continue;
            }
            // Not a valid escape: consume the character after `\` and say
            // what is wrong.
            let e = self.b.get(self.pos).copied().unwrap_or(0);
            self.pos = (self.pos + utf8_len(e)).min(self.b.len());
            if e != b'u' {
                if !is_single_escape(e) {
                    let span = Span::new(escape_start as u32, self.pos as u32);
                    self.error(diag::unrecognized_escape(span));
                }
                continue;
            }
            // `\u` that is not `\u{hex}` with a valid code point. Running
            // out of text is left to the top of the loop (BCP003).
            if self.at_end() {
                continue;
            }
            if self.peek(0) != b'{' {
                let span = Span::new(escape_start as u32, self.pos as u32);
                self.error(diag::invalid_unicode_escape(span));
                continue;
            }
            self.pos += 1;
            if self.at_end() {
                continue;
            }
            let hex_start = self.pos;
            while self.peek(0).is_ascii_hexdigit() {
                self.pos += 1;
            }
            if self.at_end() {
                continue;
            }
            let bad = Span::new(escape_start as u32, self.pos as u32);
            if self.pos == hex_start || self.peek(0) != b'}' {
                self.error(diag::invalid_unicode_escape(bad));
                continue;
            }
            let hex = self.b.get(hex_start..self.pos).unwrap_or(&[]);
            self.pos += 1;
            if parse_code_point(hex).is_none() {
                let span = Span::new(escape_start as u32, self.pos as u32);
                self.error(diag::invalid_unicode_escape(span));
            }
        }
    }

    /// A multi-line string segment, after its opening `'''` (`$'''`…) or
    /// the `}` that closes a hole. Raw text up to the first run of three or
    /// more quotes; with `dollars` > 0, a hole opens at `dollars` or more
    /// `$` followed by `{`.
    pub(super) fn scan_multiline_string(&mut self, at_start: bool, dollars: u32) -> TokenKind {
        let (end_kind, hole_kind) = if at_start {
            (TokenKind::StringComplete, TokenKind::StringLeftPiece)
        } else {
            (TokenKind::StringRightPiece, TokenKind::StringMiddlePiece)
        };
        while let Some(&c) = self.b.get(self.pos) {
            match c {
                b'$' => {
                    let mut run = 0u32;
                    while self.peek(0) == b'$' {
                        self.pos += 1;
                        run += 1;
                    }
                    if dollars > 0 && run >= dollars && self.peek(0) == b'{' {
                        self.pos += 1;
                        return hole_kind;
                    }
                }
                b'\'' => {
                    let mut run = 0u32;
                    while self.peek(0) == b'\'' {
                        self.pos += 1;
                        run += 1;
                    }
                    if run >= 3 {
                        return end_kind;
                    }
                }
                _ => {
                    // Skip to the next byte that can matter.
                    let rest = self.b.get(self.pos..).unwrap_or(&[]);
                    self.pos += rest
                        .iter()
                        .position(|&b| b == b'$' || b == b'\'')
                        .unwrap_or(rest.len());
                }
            }
        }
        let w = self.window();
        self.error(diag::unterminated_multiline_string(w));
        end_kind
    }
}

fn is_single_escape(c: u8) -> bool {
    matches!(c, b'n' | b'r' | b't' | b'\\' | b'\'' | b'$')
}

/// The length of a valid escape sequence at the start of `s` (which starts
/// with `\`): `TryScanStringEscapeSequence`.
fn escape_length(s: &[u8]) -> Option<usize> {
    if s.first() != Some(&b'\\') {
        return None;
    }
    let e = *s.get(1)?;
    if e == b'u' {
        if s.len() < 4 || s.get(2) != Some(&b'{') {
            return None;
        }
        let digits = s
            .get(3..)?
            .iter()
            .take_while(|c| c.is_ascii_hexdigit())
            .count();
        if digits == 0 || s.get(3 + digits) != Some(&b'}') {
            return None;
        }
        parse_code_point(s.get(3..3 + digits)?)?;
        return Some(4 + digits);
    }
    if !is_single_escape(e) {
        return None;
    }
    Some(if e == b'$' && s.get(2) == Some(&b'{') {
        3
    } else {
        2
    })
}

/// A hexadecimal code point up to U+10FFFF (.NET `uint.TryParse` with
/// `HexNumber`: leading zeros are fine, more than 32 bits is not).
fn parse_code_point(hex: &[u8]) -> Option<u32> {
    let significant = hex
        .get(hex.iter().take_while(|&&c| c == b'0').count()..)
        .unwrap_or(&[]);
    if significant.len() > 8 {
        return None;
    }
    let mut v = 0u32;
    for &c in significant {
        v = (v << 4) | (c as char).to_digit(16)?;
    }
    (v <= 0x10_ffff).then_some(v)
}

/// The value of the inside of a single-line string segment (between its
/// delimiters): escapes decoded. `None` when the text is not a well-formed
/// segment (a raw `'`, or a bad escape), as Bicep's
/// `TryGetSingleLineStringValue`. A high and a low surrogate escape in a
/// row make one character, as in .NET's UTF-16 strings; a lone surrogate
/// (which .NET keeps as a lone UTF-16 unit) becomes U+FFFD.
pub fn cook_string(raw: &str) -> Option<Cow<'_, str>> {
    if !raw.contains(['\\', '\'']) {
        return Some(Cow::Borrowed(raw));
    }
    let b = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    let mut copied = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'\'' => return None,
            b'\\' => {
                out.push_str(raw.get(copied..i)?);
                let rest = b.get(i..)?;
                let n = escape_length(rest)?;
                match rest.get(1)? {
                    b'n' => out.push('\n'),
                    b'r' => out.push('\r'),
                    b't' => out.push('\t'),
                    b'\\' => out.push('\\'),
                    b'\'' => out.push('\''),
                    b'$' => out.push_str(if n == 3 { "${" } else { "$" }),
                    _ => {
                        let cp = parse_code_point(rest.get(3..n - 1)?)?;
                        // .NET strings are UTF-16: `\u{D801}\u{DC37}` is one
                        // character. A lone surrogate cannot be kept.
                        let low = (0xd800..0xdc00)
                            .contains(&cp)
                            .then(|| b.get(i + n..))
                            .flatten()
                            .and_then(|next| {
                                let m = escape_length(next)?;
                                let lo = parse_code_point(next.get(3..m.checked_sub(1)?)?)?;
                                (next.get(1) == Some(&b'u') && (0xdc00..0xe000).contains(&lo))
                                    .then_some((lo, m))
                            });
                        match low {
                            Some((lo, m)) => {
                                let c = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                                out.push(char::from_u32(c).unwrap_or('\u{fffd}'));
                                i += m;
                            }
                            None => out.push(char::from_u32(cp).unwrap_or('\u{fffd}')),
                        }
                    }
                }
                i += n;
                copied = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(raw.get(copied..)?);
    Some(Cow::Owned(out))
}

/// Whether a string whose first token has this text is a multi-line one.
pub(crate) fn is_multiline_string(first: &str) -> bool {
    string_info(first).0
}

/// How the first token of a string says the string is written
/// (`GetStringTokenInfo`): multi-line or not, and its number of `$`.
pub(crate) fn string_info(first: &str) -> (bool, usize) {
    let b = first.as_bytes();
    let multiline = b.len() > 2 && (b.first() == Some(&b'$') || b.get(1) == Some(&b'\''));
    let dollars = if multiline {
        b.iter().take_while(|&&c| c == b'$').count()
    } else {
        0
    };
    (multiline, dollars)
}

/// The values of the literal segments of a string written as `tokens` (a
/// complete string token, or left, middle… and right pieces), or `None`
/// when a token is malformed (unterminated, bad escape): Bicep's
/// `TryGetRawStringSegments`, after which the parser drops the string.
pub fn string_segments<'s>(text: &'s str, tokens: &[Token]) -> Option<Vec<Cow<'s, str>>> {
    let first = tokens.first()?.span.text(text);
    let info = string_info(first);
    tokens
        .iter()
        .map(|t| segment_value(t.span.text(text), t.kind, info))
        .collect()
}

/// The value of one string token (`TryGetSingleLineStringValue` /
/// `TryGetMultilineStringValue`), given how the string's first token is
/// written.
pub(crate) fn segment_value(
    raw: &str,
    kind: TokenKind,
    (multiline, dollars): (bool, usize),
) -> Option<Cow<'_, str>> {
    // The delimiters: (leading `$`s, opening text) and (closing text,
    // trailing `$`s before `{`).
    let (open_dollars, open, close_dollars, close): (usize, &str, usize, &str) =
        match (multiline, kind) {
            (false, TokenKind::StringComplete) => (0, "'", 0, "'"),
            (false, TokenKind::StringLeftPiece) => (0, "'", 0, "${"),
            (false, TokenKind::StringMiddlePiece) => (0, "}", 0, "${"),
            (false, TokenKind::StringRightPiece) => (0, "}", 0, "'"),
            (true, TokenKind::StringComplete) => (dollars, "'''", 0, "'''"),
            (true, TokenKind::StringLeftPiece) if dollars > 0 => (dollars, "'''", dollars, "{"),
            (true, TokenKind::StringMiddlePiece) if dollars > 0 => (0, "}", dollars, "{"),
            (true, TokenKind::StringRightPiece) if dollars > 0 => (0, "}", 0, "'''"),
            _ => return None,
        };
    let b = raw.as_bytes();
    let start = open_dollars + open.len();
    let end_len = close_dollars + close.len();
    if b.len() < start + end_len {
        return None;
    }
    let head_ok = b.get(..open_dollars)?.iter().all(|&c| c == b'$')
        && b.get(open_dollars..start)? == open.as_bytes();
    let tail = b.get(b.len() - end_len..)?;
    let tail_ok = tail.get(..close_dollars)?.iter().all(|&c| c == b'$')
        && tail.get(close_dollars..)? == close.as_bytes();
    if !head_ok || !tail_ok {
        return None;
    }
    let inner = raw.get(start..raw.len() - end_len)?;
    if multiline {
        let mut inner = inner;
        if matches!(kind, TokenKind::StringComplete | TokenKind::StringLeftPiece) {
            inner = inner.strip_prefix('\r').unwrap_or(inner);
            inner = inner.strip_prefix('\n').unwrap_or(inner);
        }
        Some(Cow::Borrowed(inner))
    } else {
        cook_string(inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_cook_like_bicep() {
        assert_eq!(cook_string("plain").unwrap(), "plain");
        assert_eq!(
            cook_string(r"a\n\r\t\\\'\$\${x}\u{41}\u{1F600}\u{0000000041}").unwrap(),
            "a\n\r\t\\'$${x}A😀A"
        );
        assert_eq!(cook_string(r"\u{D800}").unwrap(), "\u{fffd}");
        assert_eq!(cook_string(r"\u{D801}\u{DC37}").unwrap(), "𐐷");
        assert_eq!(
            cook_string(r"\u{D801}x\u{DC37}").unwrap(),
            "\u{fffd}x\u{fffd}"
        );
        assert!(cook_string(r"\q").is_none());
        assert!(cook_string(r"\u{110000}").is_none());
        assert!(cook_string(r"\u{}").is_none());
        assert!(cook_string("it's").is_none());
        assert!(cook_string("trailing\\").is_none());
    }
}
