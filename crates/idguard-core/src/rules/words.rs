//! How a message names something: one helper for every rule, so an unknown
//! name reads the same everywhere.
//!
//! A name known before deployment is quoted (`identity 'id-api-prod'`); a
//! name with unknown pieces keeps its known ones and shows each unknown one
//! in braces, a parameter by its name (`identity 'id-{env}-api'`). A name
//! that is only a parameter, or only a variable whose value is not known,
//! is said in words (`the identity named by parameter 'uamiName'`, `the
//! identity named by variable 'identityName'`); one computed from
//! deployment-time values (`reference()`, `uniqueString()`, …) with nothing
//! known of it is `an identity whose name is computed at deployment`.
//! Template-language syntax (`parameters('x')`) never reaches a message.
//!
//! For Bicep the names are the Bicep ones: a Bicep `param` or `var` is
//! lowered to `parameters('<the same name>')` / `variables('<the same
//! name>')`.

use crate::expr::{Part, Unknown, Val};
use crate::model::Model;

/// Longest rendered name before it is cut with `…`.
const NAME_MAX: usize = 90;

/// How a message names `resource` of this model, as a `noun` ("identity",
/// "workload", "key vault"): `identity 'id-a'`, `the identity named by
/// parameter 'uamiName'`, `an identity whose name is computed at
/// deployment`.
pub(crate) fn named(model: &Model<'_>, resource: usize, noun: &str) -> String {
    let Some(r) = model.resource(resource) else {
        return format!("{} {noun}", article(noun));
    };
    phrase(&r.name, written_name(model, resource).as_deref(), noun)
}

/// How a message names `resource` where the sentence has no noun of its
/// own: `'app-web'` for a name with anything known of it, otherwise the
/// resource in words (`the resource named by parameter 'siteName'`).
pub(crate) fn quoted(model: &Model<'_>, resource: usize) -> String {
    let Some(r) = model.resource(resource) else {
        return "a resource".to_string();
    };
    match readable(&r.name) {
        Some(name) => format!("'{name}'"),
        None => phrase(
            &r.name,
            written_name(model, resource).as_deref(),
            "resource",
        ),
    }
}

/// How a message names a thing whose name is the value `name` (written as
/// `written`, the expression without its brackets, when known), as a
/// `noun`.
pub(crate) fn phrase(name: &Val, written: Option<&str>, noun: &str) -> String {
    if let Some(name) = readable(name) {
        return format!("{noun} '{name}'");
    }
    if let Some(Unknown::Parameter(p)) = name.as_unknown() {
        return format!("the {noun} named by parameter '{p}'");
    }
    if let Some(Unknown::Member { of, path }) = name.as_unknown()
        && let Unknown::Parameter(p) = &**of
    {
        return format!(
            "the {noun} named by parameter '{}'",
            cut(&member_path(p, path))
        );
    }
    if let Some(v) = written.and_then(variable_name) {
        return format!("the {noun} named by variable '{}'", cut(v));
    }
    format!(
        "{} {noun} whose name is computed at deployment",
        article(noun)
    )
}

/// The name as shown in a message, when anything of it is known: the
/// string itself, or its known pieces with each unknown piece in braces
/// (a parameter by its name, a deployment value by its function, anything
/// else `…`). `None` when nothing of it is known.
pub(crate) fn readable(name: &Val) -> Option<String> {
    match name {
        Val::Str(s) => Some(cut(s)),
        Val::Unknown(u) => match &**u {
            Unknown::Str(parts) => {
                let mut out = String::new();
                let mut known = false;
                for part in parts.iter() {
                    match part {
                        Part::Lit(s) => {
                            known |= s.chars().any(|c| !c.is_whitespace());
                            out.push_str(s);
                        }
                        Part::Hole(h) => {
                            out.push('{');
                            out.push_str(&hole(h));
                            out.push('}');
                        }
                    }
                }
                known.then(|| cut(&out))
            }
            _ => None,
        },
        Val::Int(i) => Some(i.to_string()),
        _ => None,
    }
}

/// An unknown piece of a name, in a few words.
fn hole(u: &Unknown) -> String {
    match u {
        Unknown::Parameter(p) => p.to_string(),
        Unknown::Deployment(expr) => expr.to_string(),
        Unknown::Guid(_) => "guid(…)".to_string(),
        Unknown::UniqueString(_) => "uniqueString(…)".to_string(),
        Unknown::NonDeterministic(f) => format!("{f}()"),
        Unknown::Member { of, path } => match &**of {
            Unknown::Parameter(p) => member_path(p, path),
            _ => "…".to_string(),
        },
        _ => "…".to_string(),
    }
}

/// A parameter's member as a path: `ids[*]` (an item at an index not
/// known), `settings.name`.
fn member_path(parameter: &str, path: &[std::rc::Rc<str>]) -> String {
    let mut s = parameter.to_string();
    for segment in path {
        if !segment.starts_with('[') {
            s.push('.');
        }
        s.push_str(segment);
    }
    s
}

/// Where a value not known comes from, in words, when it is a parameter
/// or part of one: `parameter 'principalId'`, `an item of parameter
/// 'readerPrincipalIds'`.
pub(crate) fn parameter_source(v: &Val) -> Option<String> {
    match v.as_unknown()? {
        Unknown::Parameter(p) => Some(format!("parameter '{}'", cut(p))),
        Unknown::Member { of, path } => match &**of {
            Unknown::Parameter(p) if path.iter().any(|s| &**s == "[*]") => {
                Some(format!("an item of parameter '{}'", cut(p)))
            }
            Unknown::Parameter(p) => Some(format!("parameter '{}'", cut(&member_path(p, path)))),
            _ => None,
        },
        _ => None,
    }
}

/// The name expression of `resource` as written (without `[`…`]`).
fn written_name(model: &Model<'_>, resource: usize) -> Option<String> {
    let r = model.resource(resource)?;
    let f = model.files.get(r.file)?;
    let node = r.locate(&f.doc, &["name"]);
    let text = f.doc.as_str(node)?;
    Some(
        text.strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .unwrap_or(text)
            .trim()
            .to_string(),
    )
}

/// `x` when `expr` is exactly `variables('x')`.
fn variable_name(expr: &str) -> Option<&str> {
    let lower = expr.get(..11)?;
    if !lower.eq_ignore_ascii_case("variables('") {
        return None;
    }
    let rest = expr.get(11..)?.strip_suffix("')")?;
    (!rest.is_empty() && !rest.contains('\'')).then_some(rest)
}

/// "an" before a vowel sound, else "a".
fn article(noun: &str) -> &'static str {
    match noun.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u' | 'A' | 'E' | 'I' | 'O' | 'U') => "an",
        _ => "a",
    }
}

/// `s` cut to [`NAME_MAX`] characters with `…`.
fn cut(s: &str) -> String {
    if s.chars().count() <= NAME_MAX {
        return s.to_string();
    }
    let mut out: String = s.chars().take(NAME_MAX - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    fn param(p: &str) -> Val {
        Val::unknown(Unknown::Parameter(Rc::from(p)))
    }

    #[test]
    fn known_partial_and_unknown_names_read_as_words() {
        assert_eq!(
            phrase(&Val::str("id-a"), None, "identity"),
            "identity 'id-a'"
        );
        assert_eq!(
            phrase(
                &param("uamiName"),
                Some("parameters('uamiName')"),
                "identity"
            ),
            "the identity named by parameter 'uamiName'"
        );
        let computed = Val::unknown(Unknown::Opaque(Rc::from("x")));
        assert_eq!(
            phrase(&computed, Some("variables('identityName')"), "identity"),
            "the identity named by variable 'identityName'"
        );
        assert_eq!(
            phrase(&computed, Some("reference('x').name"), "identity"),
            "an identity whose name is computed at deployment"
        );
        assert_eq!(
            phrase(&computed, None, "workload"),
            "a workload whose name is computed at deployment"
        );
        let partial = Val::unknown(Unknown::Str(
            vec![
                Part::Lit(Rc::from("id-")),
                Part::Hole(Rc::new(Unknown::Parameter(Rc::from("env")))),
                Part::Lit(Rc::from("-")),
                Part::Hole(Rc::new(Unknown::Deployment(Rc::from(
                    "resourceGroup().name",
                )))),
            ]
            .into(),
        ));
        assert_eq!(
            phrase(&partial, None, "identity"),
            "identity 'id-{env}-{resourceGroup().name}'"
        );
        let member = Val::unknown(Unknown::Member {
            of: Rc::new(Unknown::Parameter(Rc::from("config"))),
            path: vec![Rc::from("identityName")],
        });
        assert_eq!(
            phrase(&member, None, "identity"),
            "the identity named by parameter 'config.identityName'"
        );
        for v in [param("p"), member, partial, computed] {
            assert!(!phrase(&v, None, "identity").contains("parameters("));
        }
    }

    #[test]
    fn variable_names_are_read_exactly() {
        assert_eq!(variable_name("variables('a')"), Some("a"));
        assert_eq!(variable_name("VARIABLES('a')"), Some("a"));
        assert_eq!(variable_name("variables('a').b"), None);
        assert_eq!(variable_name("variables('a')[0]"), None);
        assert_eq!(variable_name("variables(''')"), None);
        assert_eq!(variable_name("vari"), None);
    }
}
