//! Whitespace, comments and diagnostics pragmas (`ScanLeadingTrivia`,
//! `ScanTrailingTrivia`, `ScanDiagnosticsPragma`).

use super::{EOF, Lexer, is_ident_continue};
use crate::diagnostic as diag;
use crate::span::Span;
use crate::token::{Pragma, PragmaCode, PragmaKind, Trivia, TriviaKind};

/// The pragma keywords, in Bicep's order (`DiagnosticsPragmaType`).
const PRAGMAS: [PragmaKind; 3] = [
    PragmaKind::DisableDiagnostics,
    PragmaKind::RestoreDiagnostics,
    PragmaKind::DisableNextLine,
];

impl<'s> Lexer<'s> {
    fn push_trivia(&mut self, kind: TriviaKind, start: usize) {
        self.trivia.push(Trivia {
            kind,
            span: Span::new(start as u32, self.pos as u32),
        });
    }

    fn scan_whitespace(&mut self) {
        let start = self.pos;
        while matches!(self.peek(0), b' ' | b'\t') {
            self.pos += 1;
        }
        self.push_trivia(TriviaKind::Whitespace, start);
    }

    fn scan_line_comment(&mut self) {
        let start = self.pos;
        self.pos += 2;
        let rest = self.b.get(self.pos..).unwrap_or(&[]);
        self.pos += rest
            .iter()
            .position(|&c| c == b'\n' || c == b'\r')
            .unwrap_or(rest.len());
        self.push_trivia(TriviaKind::LineComment, start);
    }

    fn scan_block_comment(&mut self) {
        let start = self.pos;
        self.pos += 2;
        let rest = self.b.get(self.pos..).unwrap_or(&[]);
        match rest.windows(2).position(|w| w == b"*/") {
            Some(i) => self.pos += i + 2,
            None => {
                self.pos = self.b.len();
                let span = Span::new(start as u32, self.pos as u32);
                self.error(diag::unterminated_multiline_comment(span));
            }
        }
        self.push_trivia(TriviaKind::BlockComment, start);
    }

    /// `ScanLeadingTrivia`.
    pub(super) fn scan_leading_trivia(&mut self) {
        // The kind of the trivia scanned last in this run, and where it
        // started (Bicep's window position, used by the line-start test).
        let mut current: Option<(TriviaKind, usize)> = None;
        loop {
            let start = self.pos;
            let c = self.peek(0);
            let kind = if c == b' ' || c == b'\t' {
                self.scan_whitespace();
                TriviaKind::Whitespace
            } else if c == b'/' && self.peek(1) == b'/' {
                self.scan_line_comment();
                TriviaKind::LineComment
            } else if c == b'/' && self.peek(1) == b'*' {
                self.scan_block_comment();
                TriviaKind::BlockComment
            } else if let Some(pragma) = self.pragma_at(c, current) {
                self.scan_pragma(pragma);
                TriviaKind::Pragma
            } else {
                return;
            };
            current = Some((kind, start));
        }
    }

    /// A pragma starts here: a `#` and a pragma keyword, not right after a
    /// comment, with only blanks before it on its line. After a pragma the
    /// answer is always no: Bicep tests the text before the start of the
    /// pragma's last code, which holds the pragma's `#`.
    fn pragma_at(&self, c: u8, current: Option<(TriviaKind, usize)>) -> Option<PragmaKind> {
        if c != b'#' {
            return None;
        }
        let line_test_from = match current {
            None => self.pos,
            Some((TriviaKind::Whitespace, start)) => start,
            Some(_) => return None,
        };
        let kind = self.pragma_keyword()?;
        self.only_blanks_before(line_test_from).then_some(kind)
    }

    /// `ScanTrailingTrivia`: blanks, and comments when the token takes them.
    pub(super) fn scan_trailing_trivia(&mut self, comments: bool) {
        loop {
            let c = self.peek(0);
            if c == b' ' || c == b'\t' {
                self.scan_whitespace();
            } else if comments && c == b'/' && self.peek(1) == b'/' {
                self.scan_line_comment();
            } else if comments && c == b'/' && self.peek(1) == b'*' {
                self.scan_block_comment();
            } else {
                return;
            }
        }
    }

    /// The pragma whose keyword follows the `#` at the current position
    /// (a prefix match, as Bicep's `CheckAdjacentText`).
    fn pragma_keyword(&self) -> Option<PragmaKind> {
        let after = self.b.get(self.pos + 1..)?;
        PRAGMAS
            .into_iter()
            .find(|k| after.starts_with(k.keyword().as_bytes()))
    }

    /// Bicep's `GetTextBetweenLineStartAndCurrentPosition` is blank: only
    /// .NET white space between the last `\n` before `at` and `at`.
    fn only_blanks_before(&self, at: usize) -> bool {
        let Some(before) = self.text.get(self.text_start..at) else {
            return false;
        };
        for c in before.chars().rev() {
            if c == '\n' {
                return true;
            }
            if !c.is_whitespace() {
                return false;
            }
        }
        true
    }

    /// `ScanDiagnosticsPragma`: `#keyword` then codes separated by blanks.
    fn scan_pragma(&mut self, kind: PragmaKind) {
        let start = self.pos;
        let mut p = start + 1 + kind.keyword().len();
        // Bicep's window: the current code starts at `win`.
        let mut win = p;
        let mut end = p;
        let mut codes: Vec<PragmaCode<'s>> = Vec::new();
        let at = |p: usize| self.b.get(p).copied().unwrap_or(EOF);
        let push_code = |codes: &mut Vec<PragmaCode<'s>>, from: usize, to: usize| {
            if let Some(text) = self.text.get(from..to) {
                codes.push(PragmaCode {
                    text,
                    span: Span::new(from as u32, to as u32),
                });
            }
        };
        while p < self.b.len() {
            let c = at(p);
            if c == b'\n' || c == b'\r' {
                break;
            } else if is_ident_continue(c) || c == b'-' {
                let next = at(p + 1);
                let ends = matches!(next, b' ' | b'\t' | b'\n' | b'\r' | EOF)
                    || self
                        .b
                        .get(p + 1..)
                        .is_some_and(|r| r.starts_with("\u{ffff}".as_bytes()));
                p += 1;
                if ends {
                    push_code(&mut codes, win, p);
                    end += p - win;
                }
            } else if c == b' ' || c == b'\t' {
                p += 1;
                end += 1;
                win = p;
            } else {
                if p > win {
                    push_code(&mut codes, win, p);
                    end += p - win;
                }
                break;
            }
        }
        if codes.is_empty() {
            self.diags.push(diag::missing_diagnostic_codes(Span::new(
                win as u32, p as u32,
            )));
        }
        // Blanks after the last code are not part of the pragma.
        if let Some(last) = codes.last() {
            end = end.min(last.span.end as usize);
        }
        self.pos = end;
        self.push_trivia(TriviaKind::Pragma, start);
        self.pragmas.push(Pragma {
            kind,
            span: Span::new(start as u32, end as u32),
            codes,
        });
    }
}
