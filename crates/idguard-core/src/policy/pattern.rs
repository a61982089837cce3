//! Naming patterns: templates such as `id-{workload}-{env}[-{region}]` and
//! plain regular expressions, each compiled once to an anchored regex.

use regex::Regex;

/// The placeholders a naming template may use.
pub const PLACEHOLDERS: &[&str] = &["workload", "env", "region", "instance"];

/// What `{workload}` matches: lowercase letters and digits in hyphenated
/// segments.
const WORKLOAD: &str = "[a-z0-9]+(?:-[a-z0-9]+)*?";
/// What `{instance}` matches: a two- or three-digit instance number.
const INSTANCE: &str = "[0-9]{2,3}";

/// How a naming pattern was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternKind {
    /// A template with placeholders.
    Template,
    /// A regular expression.
    Regex,
}

/// A compiled naming pattern.
#[derive(Clone, Debug)]
pub struct NamingPattern {
    written: String,
    description: Option<String>,
    kind: PatternKind,
    regex: Regex,
}

impl NamingPattern {
    /// Compiles a template. `environments` and `regions` are the tokens
    /// `{env}` and `{region}` accept.
    pub fn template(text: &str, environments: &[&str], regions: &[&str]) -> Result<Self, String> {
        let body = template_to_regex(text, environments, regions)?;
        Ok(NamingPattern {
            written: text.to_string(),
            description: None,
            kind: PatternKind::Template,
            regex: compile(&body)?,
        })
    }

    /// Compiles a regular expression, anchored to the whole name.
    pub fn regex(text: &str, description: Option<&str>) -> Result<Self, String> {
        Ok(NamingPattern {
            written: text.to_string(),
            description: description.map(str::to_string),
            kind: PatternKind::Regex,
            regex: compile(text)?,
        })
    }

    /// Whether the whole `name` matches.
    pub fn matches(&self, name: &str) -> bool {
        self.regex.is_match(name)
    }

    /// The pattern for messages: the template as written, or the regex's
    /// description (the regex itself when it has none).
    pub fn describe(&self) -> &str {
        self.description.as_deref().unwrap_or(&self.written)
    }

    /// The pattern exactly as written in the policy.
    pub fn source(&self) -> &str {
        &self.written
    }

    /// Whether this is a template or a regex.
    pub fn kind(&self) -> PatternKind {
        self.kind
    }

    /// The compiled, anchored regex.
    pub fn as_regex(&self) -> &Regex {
        &self.regex
    }
}

fn compile(body: &str) -> Result<Regex, String> {
    Regex::new(&format!("^(?:{body})$")).map_err(|err| match err {
        regex::Error::Syntax(text) => {
            let reason = text
                .lines()
                .rev()
                .find_map(|l| l.strip_prefix("error:"))
                .map(str::trim)
                .unwrap_or("syntax error");
            format!("invalid regular expression: {reason}")
        }
        regex::Error::CompiledTooBig(_) => "the regular expression is too big".to_string(),
        other => format!("invalid regular expression: {other}"),
    })
}

/// An alternation of literal tokens, longest first.
fn alternation(tokens: &[&str]) -> String {
    let mut sorted: Vec<&str> = tokens.to_vec();
    sorted.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    sorted.dedup();
    let parts: Vec<String> = sorted.iter().map(|t| regex::escape(t)).collect();
    format!("(?:{})", parts.join("|"))
}

/// Translates a template to a regex body (not yet anchored).
pub fn template_to_regex(
    text: &str,
    environments: &[&str],
    regions: &[&str],
) -> Result<String, String> {
    let mut out = String::new();
    let mut open_groups = 0usize;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(literal) => out.push_str(&regex::escape(literal.encode_utf8(&mut [0; 4]))),
                None => return Err("the template ends with a lone '\\'".to_string()),
            },
            '{' => {
                let mut name = String::new();
                let mut closed = false;
                for n in chars.by_ref() {
                    if n == '}' {
                        closed = true;
                        break;
                    }
                    name.push(n);
                }
                if !closed {
                    return Err(format!("'{{{name}' is not closed with '}}'"));
                }
                let fragment = match name.as_str() {
                    "workload" => WORKLOAD.to_string(),
                    "instance" => INSTANCE.to_string(),
                    "env" if environments.is_empty() => {
                        return Err("{env} needs environments, and the policy defines none".into());
                    }
                    "env" => alternation(environments),
                    "region" if regions.is_empty() => {
                        return Err("{region} needs regions, and the policy defines none".into());
                    }
                    "region" => alternation(regions),
                    _ => {
                        return Err(format!(
                            "unknown placeholder '{{{name}}}'; use {}",
                            PLACEHOLDERS
                                .iter()
                                .map(|p| format!("{{{p}}}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                    }
                };
                out.push_str(&fragment);
            }
            '}' => return Err("'}' without a matching '{'".to_string()),
            '[' => {
                open_groups += 1;
                out.push_str("(?:");
            }
            ']' => {
                if open_groups == 0 {
                    return Err("']' without a matching '['".to_string());
                }
                open_groups -= 1;
                out.push_str(")?");
            }
            literal => out.push_str(&regex::escape(literal.encode_utf8(&mut [0; 4]))),
        }
    }
    if open_groups > 0 {
        return Err("'[' is not closed with ']'".to_string());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENVS: &[&str] = &[
        "dev",
        "development",
        "prod",
        "prd",
        "production",
        "test",
        "qa",
    ];
    const REGIONS: &[&str] = &["westeurope", "weu", "eastus2", "eus2"];

    fn default_pattern() -> NamingPattern {
        NamingPattern::template("id-{workload}-{env}[-{region}][-{instance}]", ENVS, REGIONS)
            .unwrap()
    }

    #[test]
    fn default_template() {
        let p = default_pattern();
        for (name, ok) in [
            ("id-payments-prod", true),
            ("id-payments-prod-weu-001", true),
            ("id-payments-prd", true),
            ("id-payments-prod-westeurope", true),
            ("id-payments-prod-01", true),
            ("id-order-api-dev-eus2-12", true),
            ("payments-identity", false),
            ("ID-Payments-Prod", false),
            ("id-payments", false),
            ("id-payments-prod-1", false),
            ("id-payments-prod-mars", false),
            ("id--prod", false),
            ("xid-payments-prod", false),
            ("id-payments-prodx", false),
        ] {
            assert_eq!(p.matches(name), ok, "{name}");
        }
        assert_eq!(p.describe(), "id-{workload}-{env}[-{region}][-{instance}]");
        assert_eq!(p.kind(), PatternKind::Template);
    }

    #[test]
    fn literals_are_escaped() {
        let p = NamingPattern::template("uami.{workload}+\\[x\\]", ENVS, REGIONS).unwrap();
        assert!(p.matches("uami.app+[x]"));
        assert!(!p.matches("uamixapp+[x]"));
    }

    #[test]
    fn nested_optional_groups() {
        let p =
            NamingPattern::template("id-{workload}[-{env}[-{instance}]]", ENVS, REGIONS).unwrap();
        assert!(p.matches("id-app"));
        assert!(p.matches("id-app-dev"));
        assert!(p.matches("id-app-dev-01"));
    }

    #[test]
    fn template_errors() {
        for (t, needle) in [
            ("id-{workloads}", "unknown placeholder '{workloads}'"),
            ("id-{env", "is not closed"),
            ("id-}", "without a matching '{'"),
            ("id-[x", "'[' is not closed"),
            ("id-x]", "']' without"),
            ("id-\\", "lone"),
        ] {
            let err = NamingPattern::template(t, ENVS, REGIONS).unwrap_err();
            assert!(err.contains(needle), "{t}: {err}");
        }
        let err = NamingPattern::template("id-{env}", &[], REGIONS).unwrap_err();
        assert!(err.contains("defines none"), "{err}");
    }

    #[test]
    fn regex_patterns() {
        let p = NamingPattern::regex("uami-[a-z]+", Some("uami-<name>")).unwrap();
        assert!(p.matches("uami-abc"));
        assert!(!p.matches("x-uami-abc"), "anchored at the start");
        assert!(!p.matches("uami-abc-1"), "anchored at the end");
        assert_eq!(p.describe(), "uami-<name>");
        // An alternation is anchored as a whole.
        let p = NamingPattern::regex("a|b", None).unwrap();
        assert!(!p.matches("ab"));
        assert_eq!(p.describe(), "a|b");
        let err = NamingPattern::regex("id-(", None).unwrap_err();
        assert!(err.starts_with("invalid regular expression: "), "{err}");
        assert!(!err.contains('\n'), "{err}");
    }
}
