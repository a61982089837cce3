//! `#disable-next-line MI402` in Bicep: idguard's codes in Bicep's own
//! pragma silence idguard's findings on the next line, as
//! `metadata.idguard.ignore` does in a JSON template.
//!
//! A pragma may name Bicep's codes and linter rules too
//! (`#disable-next-line BCP081 MI402 no-unused-params`): only idguard's are
//! taken — rule codes (`MI402`, `IDG001`) and `idguard-`-prefixed codes or
//! rule names (`idguard-MI402`, `idguard-principal-type-service-principal`).
//! (`idguard/MI402` cannot be written: `/` ends a pragma code, and Bicep
//! then reports a syntax error.) `#disable-diagnostics` … `#restore-diagnostics`
//! silences every line in between.

use idguard_bicep::{Parsed, PragmaKind, TriviaKind};

use crate::finding::{Suppression, SuppressionKind};
use crate::source::{LineIndex, LineSuppression, Span};

/// The idguard code a pragma code names, if it names one: `MI402` and
/// `IDG001` as they are, `idguard-X` as `X`.
fn idguard_code(code: &str) -> Option<&str> {
    if let Some(rest) = code
        .get(..8)
        .filter(|p| p.eq_ignore_ascii_case("idguard-"))
        .and_then(|_| code.get(8..))
    {
        return (!rest.is_empty()).then_some(rest);
    }
    let digits_after = |prefix: &str| {
        code.get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
            && code.len() > prefix.len()
            && code
                .get(prefix.len()..)
                .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
    };
    (digits_after("MI") || digits_after("IDG")).then_some(code)
}

/// The line suppressions of a parsed file (`lines` counts lines as Bicep
/// does).
pub(crate) fn line_suppressions(parsed: &Parsed<'_>, lines: &LineIndex) -> Vec<LineSuppression> {
    let text = parsed.text;
    let mut out = Vec::new();
    let mut open: Option<(u32, Vec<String>, String, Span)> = None;
    let last_line = lines.line_count() as u32;
    for pragma in parsed.pragmas() {
        let line = lines.line_col(text, pragma.span.start).line;
        let codes: Vec<String> = pragma
            .codes
            .iter()
            .filter_map(|c| idguard_code(c.text))
            .map(str::to_string)
            .collect();
        let span = Span::new(pragma.span.start, pragma.span.end);
        match pragma.kind {
            PragmaKind::DisableNextLine => {
                if codes.is_empty() {
                    continue;
                }
                let reason = reason_after(parsed, pragma.span.end)
                    .unwrap_or_else(|| span_text(text, span).to_string());
                out.push(LineSuppression {
                    line: line + 1,
                    codes,
                    reason,
                    span,
                });
            }
            PragmaKind::DisableDiagnostics => {
                if codes.is_empty() {
                    continue;
                }
                let reason = reason_after(parsed, pragma.span.end)
                    .unwrap_or_else(|| span_text(text, span).to_string());
                open = Some((line + 1, codes, reason, span));
            }
            PragmaKind::RestoreDiagnostics => {
                if let Some((from, codes, reason, span)) = open.take() {
                    for l in from..line {
                        out.push(LineSuppression {
                            line: l,
                            codes: codes.clone(),
                            reason: reason.clone(),
                            span,
                        });
                    }
                }
            }
        }
    }
    if let Some((from, codes, reason, span)) = open {
        // Up to the end of the file (bounded by its line count).
        for l in from..=last_line {
            out.push(LineSuppression {
                line: l,
                codes: codes.clone(),
                reason: reason.clone(),
                span,
            });
        }
    }
    out
}

/// The text of a `//` comment right after a pragma, on its line: the
/// reason for the suppression.
fn reason_after(parsed: &Parsed<'_>, end: u32) -> Option<String> {
    let trivia = &parsed.lexed.trivia;
    let i = trivia.partition_point(|t| t.span.start < end);
    for t in trivia.get(i..)? {
        match t.kind {
            TriviaKind::Whitespace => continue,
            TriviaKind::LineComment => {
                let text = span_text(parsed.text, Span::new(t.span.start, t.span.end));
                let reason = text.trim_start_matches('/').trim();
                return (!reason.is_empty()).then(|| reason.to_string());
            }
            _ => return None,
        }
    }
    None
}

fn span_text(text: &str, span: Span) -> &str {
    text.get(span.start as usize..span.end as usize)
        .unwrap_or("")
        .trim()
}

/// The in-source suppression of a finding of rule `(code, name)` that
/// starts on `line` of a document with `suppressions`, if one names it.
pub(crate) fn find(
    suppressions: &[LineSuppression],
    line: u32,
    (code, name): (&str, &str),
) -> Option<Suppression> {
    suppressions
        .iter()
        .find(|s| {
            s.line == line
                && s.codes
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(code) || c.eq_ignore_ascii_case(name))
        })
        .map(|s| Suppression {
            kind: SuppressionKind::InSource,
            justification: s.reason.clone(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_idguard_codes_count() {
        assert_eq!(idguard_code("MI402"), Some("MI402"));
        assert_eq!(idguard_code("mi402"), Some("mi402"));
        assert_eq!(idguard_code("IDG001"), Some("IDG001"));
        assert_eq!(idguard_code("idguard-MI402"), Some("MI402"));
        assert_eq!(
            idguard_code("idguard-principal-type-service-principal"),
            Some("principal-type-service-principal")
        );
        assert_eq!(idguard_code("BCP081"), None);
        assert_eq!(idguard_code("no-unused-params"), None);
        assert_eq!(idguard_code("MI"), None);
        assert_eq!(idguard_code("MIx1"), None);
        assert_eq!(idguard_code("idguard-"), None);
    }

    #[test]
    fn pragmas_become_line_suppressions_with_reasons() {
        let text = "var a = 1\n#disable-next-line BCP081 MI402 // platform team owns it\nvar b = 2\n#disable-next-line BCP081\nvar c = 3\n#disable-next-line MI201 idguard-MI202\nvar d = 4\n";
        let parsed = idguard_bicep::parse_bicep(text);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let lines = LineIndex::with_lone_cr(text);
        let s = line_suppressions(&parsed, &lines);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].line, 3);
        assert_eq!(s[0].codes, ["MI402"]);
        assert_eq!(s[0].reason, "platform team owns it");
        assert_eq!(s[1].line, 7);
        assert_eq!(s[1].codes, ["MI201", "MI202"]);
        assert_eq!(s[1].reason, "#disable-next-line MI201 idguard-MI202");
        assert!(find(&s, 3, ("MI402", "x")).is_some());
        assert!(find(&s, 3, ("MI201", "x")).is_none());
        assert!(find(&s, 4, ("MI402", "x")).is_none());
        assert!(find(&s, 7, ("MI999", "identity-required-tags")).is_none());
    }

    #[test]
    fn disable_diagnostics_covers_lines_until_restore() {
        let text = "#disable-diagnostics MI402\nvar a = 1\nvar b = 2\n#restore-diagnostics MI402\nvar c = 3\n";
        let parsed = idguard_bicep::parse_bicep(text);
        let lines = LineIndex::with_lone_cr(text);
        let s = line_suppressions(&parsed, &lines);
        let covered: Vec<u32> = s.iter().map(|s| s.line).collect();
        assert_eq!(covered, [2, 3]);
    }
}
