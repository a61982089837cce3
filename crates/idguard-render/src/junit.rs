//! JUnit XML: one `<testsuite>` per template, one `<testcase>` per rule
//! family (MI1xx … MI6xx). A family's findings at or above `--fail-on` make
//! a `<failure>`; lower and suppressed ones go to `<system-out>`. A file
//! that could not be read or parsed is a test case with an `<error>`, and
//! so is a policy plugin that failed on a template (in that template's
//! suite) or could not be loaded (in a suite `idguard plugins`).
//! Written with quick-xml so escaping is right.

use std::collections::BTreeMap;
use std::io::Cursor;

use idguard_core::catalog::{FAMILIES, Family, family_of};
use idguard_core::finding::{FileKind, Finding};
use quick_xml::Writer;
use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::Context;

struct Case {
    name: String,
    failures: Vec<String>,
    out: Vec<String>,
    error: Option<(String, String)>,
    /// A note (what the check could not do): message and text.
    skipped: Option<(String, String)>,
}

fn describe(f: &Finding) -> String {
    let mut s = format!(
        "{}:{}:{}: {}[{}] {}: {}",
        f.file,
        f.range.start.line,
        f.range.start.column,
        f.severity.as_str(),
        f.code,
        f.name,
        f.message
    );
    if !f.help.is_empty() {
        s.push_str("\n  help: ");
        s.push_str(&f.help);
    }
    if let Some(p) = &f.parameters_file {
        s.push_str("\n  evaluated with ");
        s.push_str(p);
    }
    if let Some(sup) = &f.suppression {
        s.push_str("\n  suppressed: ");
        s.push_str(&sup.justification);
    }
    s
}

/// Renders the JUnit XML document.
pub fn render(ctx: &Context<'_>) -> String {
    // Suites by file: every template (and any other file a finding is in).
    let mut suites: BTreeMap<&str, Vec<Case>> = BTreeMap::new();
    for file in &ctx.report.files {
        if let Some(err) = &file.error {
            suites.entry(&file.path).or_default().push(Case {
                name: "read and parse".to_string(),
                failures: Vec::new(),
                out: Vec::new(),
                error: Some((
                    err.message.clone(),
                    format!("{}:{}:{}: {}", file.path, err.line, err.column, err.message),
                )),
                skipped: None,
            });
        } else if file.kind == FileKind::Template {
            suites.entry(&file.path).or_default();
        }
    }
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &ctx.report.findings {
        by_file.entry(&f.file).or_default().push(f);
        suites.entry(&f.file).or_default();
    }
    for (file, cases) in suites.iter_mut() {
        if cases.iter().any(|c| c.error.is_some()) {
            continue;
        }
        let findings = by_file.get(file).map(Vec::as_slice).unwrap_or(&[]);
        let mut fam_cases: Vec<(Option<Family>, Case)> = FAMILIES
            .iter()
            .map(|family| {
                (
                    Some(*family),
                    Case {
                        name: format!("{}xx {}", family.prefix, family.name),
                        failures: Vec::new(),
                        out: Vec::new(),
                        error: None,
                        skipped: None,
                    },
                )
            })
            .collect();
        for f in findings {
            let key = family_of(&f.code);
            let slot = match fam_cases.iter().position(|(k, _)| *k == key) {
                Some(i) => i,
                None => {
                    fam_cases.push((
                        None,
                        Case {
                            name: "other rules".to_string(),
                            failures: Vec::new(),
                            out: Vec::new(),
                            error: None,
                            skipped: None,
                        },
                    ));
                    fam_cases.len() - 1
                }
            };
            if let Some((_, case)) = fam_cases.get_mut(slot) {
                if ctx.fails(f) {
                    case.failures.push(describe(f));
                } else {
                    case.out.push(describe(f));
                }
            }
        }
        cases.extend(fam_cases.into_iter().map(|(_, c)| c));
    }
    for e in &ctx.report.plugin_errors {
        let suite = e.file.as_deref().unwrap_or("idguard plugins");
        let name = match &e.parameter_file {
            Some(p) => format!("plugin {} (with {p})", e.plugin),
            None => format!("plugin {}", e.plugin),
        };
        suites.entry(suite).or_default().push(Case {
            name,
            failures: Vec::new(),
            out: Vec::new(),
            error: Some((e.message.clone(), e.to_string())),
            skipped: None,
        });
    }
    // Notes (a module not read, a compiled JSON left out) are skipped test
    // cases of their file's suite: never a silent pass, never a failure.
    for file in &ctx.report.files {
        for n in &file.notes {
            let at = format!("{}:{}:{}", n.file, n.line, n.column);
            suites.entry(&file.path).or_default().push(Case {
                name: format!("note ({at})"),
                failures: Vec::new(),
                out: Vec::new(),
                error: None,
                skipped: Some((n.message.clone(), format!("{at}: {}", n.message))),
            });
        }
    }

    let total_tests: usize = suites.values().map(Vec::len).sum();
    let total_failures: usize = suites
        .values()
        .flatten()
        .filter(|c| !c.failures.is_empty())
        .count();
    let total_errors: usize = suites
        .values()
        .flatten()
        .filter(|c| c.error.is_some())
        .count();
    let time = format!("{:.3}", ctx.elapsed.as_secs_f64());

    let mut w = Writer::new_with_indent(Cursor::new(Vec::new()), b' ', 2);
    let result: std::io::Result<()> = (|| {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        w.create_element("testsuites")
            .with_attributes([
                ("name", "idguard"),
                ("tests", total_tests.to_string().as_str()),
                ("failures", total_failures.to_string().as_str()),
                ("errors", total_errors.to_string().as_str()),
                ("time", time.as_str()),
            ])
            .write_inner_content(|w| {
                for (file, cases) in &suites {
                    let failures = cases.iter().filter(|c| !c.failures.is_empty()).count();
                    let errors = cases.iter().filter(|c| c.error.is_some()).count();
                    let skipped = cases.iter().filter(|c| c.skipped.is_some()).count();
                    w.create_element("testsuite")
                        .with_attributes([
                            ("name", xml_safe(file).as_str()),
                            ("tests", cases.len().to_string().as_str()),
                            ("failures", failures.to_string().as_str()),
                            ("errors", errors.to_string().as_str()),
                            ("skipped", skipped.to_string().as_str()),
                        ])
                        .write_inner_content(|w| {
                            for case in cases {
                                write_case(w, file, case)?;
                            }
                            Ok(())
                        })?;
                }
                Ok(())
            })?;
        Ok(())
    })();
    if result.is_err() {
        return String::new();
    }
    let mut s = String::from_utf8(w.into_inner().into_inner()).unwrap_or_default();
    s.push('\n');
    s
}

/// Replaces characters XML 1.0 does not allow (control characters other
/// than tab, line feed and carriage return) with U+FFFD.
fn xml_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
            {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// Text content escaping only `<`, `>` and `&` (quotes stay readable).
fn text_of(lines: &[String]) -> BytesText<'static> {
    BytesText::from_escaped(partial_escape(xml_safe(&lines.join("\n"))).into_owned())
}

fn write_case(w: &mut Writer<Cursor<Vec<u8>>>, file: &str, case: &Case) -> std::io::Result<()> {
    let file = xml_safe(file);
    let el = w.create_element("testcase").with_attributes([
        ("name", case.name.as_str()),
        ("classname", file.as_str()),
        ("file", file.as_str()),
    ]);
    if case.failures.is_empty()
        && case.out.is_empty()
        && case.error.is_none()
        && case.skipped.is_none()
    {
        el.write_empty()?;
        return Ok(());
    }
    el.write_inner_content(|w| {
        if let Some((message, text)) = &case.error {
            w.create_element("error")
                .with_attributes([("message", message.as_str()), ("type", "invalid-file")])
                .write_text_content(text_of(std::slice::from_ref(text)))?;
        }
        if let Some((message, text)) = &case.skipped {
            w.create_element("skipped")
                .with_attributes([("message", xml_safe(message).as_str())])
                .write_text_content(text_of(std::slice::from_ref(text)))?;
        }
        if !case.failures.is_empty() {
            let n = case.failures.len();
            let message = format!("{n} finding{}", if n == 1 { "" } else { "s" });
            w.create_element("failure")
                .with_attributes([("message", message.as_str()), ("type", "idguard")])
                .write_text_content(text_of(&case.failures))?;
        }
        if !case.out.is_empty() {
            w.create_element("system-out")
                .write_text_content(text_of(&case.out))?;
        }
        Ok(())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testutil;
    use super::*;

    #[test]
    fn control_characters_do_not_break_the_xml() {
        let mut report = testutil::report();
        if let Some(f) = report.findings.first_mut() {
            f.message = "bell \u{7} and nul \u{0} \"quoted\"".to_string();
            f.file = "odd\u{1}name.json".to_string();
        }
        let sources = testutil::sources();
        let xml = render(&testutil::context(&report, &sources));
        let doc = roxmltree::Document::parse(&xml).unwrap();
        assert!(
            doc.descendants()
                .any(|n| n.text().is_some_and(|t| t.contains("bell \u{FFFD}")))
        );
    }

    #[test]
    fn parses_and_groups_by_family() {
        let report = testutil::report();
        let sources = testutil::sources();
        let xml = render(&testutil::context(&report, &sources));
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        let suites: Vec<_> = root
            .children()
            .filter(|n| n.has_tag_name("testsuite"))
            .collect();
        assert_eq!(suites.len(), 2);
        let main = suites
            .iter()
            .find(|s| s.attribute("name") == Some("infra/main.json"))
            .unwrap();
        let cases: Vec<_> = main
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        // One test case per rule family.
        assert_eq!(cases.len(), idguard_core::catalog::FAMILIES.len());
        let scope = cases[0];
        assert_eq!(scope.attribute("name"), Some("MI1xx scope-and-privilege"));
        let failure = scope
            .children()
            .find(|n| n.has_tag_name("failure"))
            .unwrap();
        assert!(failure.text().unwrap().contains("MI101"));
        // MI401 is an error (fails), MI402 suppressed (system-out).
        let wiring = cases[3];
        assert_eq!(wiring.attribute("name"), Some("MI4xx wiring-correctness"));
        let text = wiring
            .children()
            .find(|n| n.has_tag_name("failure"))
            .unwrap()
            .text()
            .unwrap();
        assert!(text.contains("MI401") && !text.contains("MI402"));
        let out = wiring
            .children()
            .find(|n| n.has_tag_name("system-out"))
            .unwrap()
            .text()
            .unwrap();
        assert!(out.contains("MI402") && out.contains("suppressed: legacy"));
        // Info findings are below the default threshold.
        let naming = cases[1];
        assert!(naming.children().all(|n| !n.has_tag_name("failure")));
        // Escaping survived: the message has `<`, `&` and `%`.
        assert!(text.contains("<Reader> & co."));
        assert!(xml.contains("&lt;Reader&gt; &amp; co."));
        let bad = suites
            .iter()
            .find(|s| s.attribute("name") == Some("broken/bad.json"))
            .unwrap();
        let err = bad.descendants().find(|n| n.has_tag_name("error")).unwrap();
        assert!(err.text().unwrap().starts_with("broken/bad.json:2:5:"));
        assert_eq!(root.attribute("errors"), Some("1"));
        assert_eq!(root.attribute("failures"), Some("2"));
    }

    #[test]
    fn plugin_failures_are_errors() {
        let report = testutil::report_with_plugin_errors();
        let sources = testutil::sources();
        let xml = render(&testutil::context(&report, &sources));
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let root = doc.root_element();
        assert_eq!(root.attribute("errors"), Some("3"), "{xml}");
        let case = |suite: &str, name: &str| {
            root.children()
                .find(|n| n.has_tag_name("testsuite") && n.attribute("name") == Some(suite))
                .and_then(|s| {
                    s.children()
                        .find(|c| c.has_tag_name("testcase") && c.attribute("name") == Some(name))
                })
                .unwrap_or_else(|| panic!("no case {name} in {suite}: {xml}"))
        };
        let on_template = case(
            "infra/main.json",
            "plugin cost (with infra/main.prod.parameters.json)",
        );
        let err = on_template
            .children()
            .find(|n| n.has_tag_name("error"))
            .unwrap();
        assert_eq!(
            err.attribute("message"),
            Some("ran out of fuel after 20000000 instructions")
        );
        let load = case("idguard plugins", "plugin tags");
        assert!(load.children().any(|n| n.has_tag_name("error")));
        // The template's rule families are still reported.
        assert!(
            root.descendants()
                .any(|n| n.has_tag_name("failure") && n.text().unwrap_or("").contains("MI101"))
        );
    }
}
