//! Validation against `policies/policy.schema.json`, with messages written
//! for people rather than for schema authors.

use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

use super::checks::suggest;
use super::load::Problem;
use crate::catalog::RULES;

/// The policy JSON Schema (draft 2020-12), as shipped in `policies/`.
pub const SCHEMA_TEXT: &str = include_str!("../../../../policies/policy.schema.json");

struct Compiled {
    schema: Value,
    validator: jsonschema::Validator,
}

/// The schema and its validator, built once per process.
fn compiled() -> Option<&'static Compiled> {
    static COMPILED: OnceLock<Option<Compiled>> = OnceLock::new();
    COMPILED
        .get_or_init(|| {
            let schema: Value = serde_json::from_str(SCHEMA_TEXT).ok()?;
            let validator = jsonschema::draft202012::new(&schema).ok()?;
            Some(Compiled { schema, validator })
        })
        .as_ref()
}

/// Every schema violation of `value`, in the order the validator found them.
pub fn problems(value: &Value) -> Vec<Problem> {
    let Some(compiled) = compiled() else {
        return vec![Problem::new(
            "",
            "internal error: the built-in policy schema does not compile",
        )];
    };
    let mut out = Vec::new();
    // "Did you mean" costs an edit distance per known name; past the
    // first few unknown keys they are not typos, and a policy with
    // 100,000 of them is validated without.
    let mut hints_left = MAX_HINTS;
    for error in compiled.validator.iter_errors(value) {
        let pointer = error.instance_path().as_str().to_string();
        let instance = error.instance();
        match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let schema_node = parent_schema(&compiled.schema, error.schema_path().as_str());
                for key in unexpected {
                    out.push(Problem {
                        pointer: format!("{pointer}/{}", escape(key)),
                        message: unknown_property(&pointer, key, schema_node, &mut hints_left),
                        at_key: true,
                        covers: true,
                    });
                }
            }
            ValidationErrorKind::PropertyNames { error: inner } => {
                let key = inner.instance().as_str().unwrap_or_default().to_string();
                out.push(Problem {
                    pointer: format!("{pointer}/{}", escape(&key)),
                    message: bad_key(&pointer, &key),
                    at_key: true,
                    covers: true,
                });
            }
            ValidationErrorKind::Required { .. } => out.push(Problem {
                covers: false,
                ..Problem::new(&pointer, &message(&pointer, error.kind(), instance, &error))
            }),
            kind => out.push(Problem::new(
                &pointer,
                &message(&pointer, kind, instance, &error),
            )),
        }
    }
    out
}

fn message(
    pointer: &str,
    kind: &ValidationErrorKind,
    instance: &Value,
    error: &jsonschema::ValidationError<'_>,
) -> String {
    match kind {
        ValidationErrorKind::Enum { options } => {
            let options: Vec<&str> = options
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let shown = show(instance);
            if pointer.ends_with("/rule") {
                let hint = instance
                    .as_str()
                    .and_then(|s| suggest(s, options.iter().copied()))
                    .map(|s| format!("; did you mean '{s}'?"))
                    .unwrap_or_default();
                format!("{shown} is not a rule code, a rule name or '*'{hint}")
            } else {
                format!("{shown} is not one of {}", options.join(", "))
            }
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => article(&t.to_string()),
                TypeKind::Multiple(set) => set
                    .iter()
                    .map(|t| article(&t.to_string()))
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            format!("expected {expected}, found {}", describe(instance))
        }
        ValidationErrorKind::Required { property } => format!(
            "missing required property '{}'",
            property.as_str().unwrap_or_default()
        ),
        ValidationErrorKind::MinLength { .. } => "must not be empty".to_string(),
        ValidationErrorKind::Minimum { limit } => {
            format!("{} is less than the minimum of {limit}", show(instance))
        }
        ValidationErrorKind::Pattern { .. } => {
            if pointer.ends_with("/expires") {
                format!("{} is not a date in the form YYYY-MM-DD", show(instance))
            } else {
                format!(
                    "{} must be lowercase letters and digits, starting with a letter",
                    show(instance)
                )
            }
        }
        ValidationErrorKind::UniqueItems => {
            let repeated = instance.as_array().and_then(|items| {
                items
                    .iter()
                    .enumerate()
                    .find(|(i, item)| items.iter().skip(i + 1).any(|other| other == *item))
                    .map(|(_, item)| show(item))
            });
            match repeated {
                Some(item) => format!("{item} is listed twice"),
                None => "the list has repeated items".to_string(),
            }
        }
        _ => error.to_string(),
    }
}

/// Most unknown keys of one policy that get a "did you mean".
const MAX_HINTS: usize = 100;

fn unknown_property(
    pointer: &str,
    key: &str,
    schema_node: Option<&Value>,
    hints_left: &mut usize,
) -> String {
    let hint_allowed = *hints_left > 0;
    *hints_left = hints_left.saturating_sub(1);
    if pointer == "/rules" {
        let candidates = RULES.iter().flat_map(|r| [r.code, r.name]);
        let hint = hint_allowed
            .then(|| suggest(key, candidates))
            .flatten()
            .map(|s| format!("; did you mean '{s}'?"))
            .unwrap_or_default();
        return format!("unknown rule '{key}'{hint}");
    }
    let known: Vec<&str> = schema_node
        .and_then(|n| n.get("properties"))
        .and_then(Value::as_object)
        .map(|props| props.keys().map(String::as_str).collect())
        .unwrap_or_default();
    match hint_allowed
        .then(|| suggest(key, known.iter().copied()))
        .flatten()
    {
        Some(s) => format!("unknown property '{key}'; did you mean '{s}'?"),
        None if !known.is_empty() => {
            format!(
                "unknown property '{key}'; expected one of {}",
                known.join(", ")
            )
        }
        None => format!("unknown property '{key}'"),
    }
}

fn bad_key(pointer: &str, key: &str) -> String {
    match pointer {
        "/environments" => format!(
            "environment name '{key}' must be lowercase letters and digits, starting with a letter"
        ),
        "/regions" => format!(
            "region name '{key}' must be lowercase letters and digits, starting with a letter"
        ),
        "/naming" | "/requiredTags" => format!(
            "'{key}' is not an ARM resource type such as Microsoft.ManagedIdentity/userAssignedIdentities"
        ),
        "/scopes" => "a role name must not be empty".to_string(),
        _ => format!("'{key}' is not allowed here"),
    }
}

/// The schema object that holds the keyword at `schema_path`.
fn parent_schema<'a>(schema: &'a Value, schema_path: &str) -> Option<&'a Value> {
    let parent = schema_path.rsplit_once('/').map(|(p, _)| p)?;
    schema.pointer(parent)
}

fn article(t: &str) -> String {
    match t {
        "object" | "array" | "integer" => format!("an {t}"),
        "null" => "null".to_string(),
        other => format!("a {other}"),
    }
}

/// A value for a message: strings in single quotes, long values cut.
pub fn show(value: &Value) -> String {
    let text = match value {
        Value::String(s) => format!("'{s}'"),
        other => other.to_string(),
    };
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// A value's type and the value, for "found ..." messages.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(_) => format!("a boolean ({value})"),
        Value::Number(_) => format!("a number ({value})"),
        Value::String(_) => format!("a string ({})", show(value)),
        Value::Array(_) => "an array".to_string(),
        Value::Object(_) => "an object".to_string(),
    }
}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Unescapes one JSON pointer segment (RFC 6901).
pub fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn schema_compiles_once() {
        assert!(compiled().is_some());
        assert!(std::ptr::eq(compiled().unwrap(), compiled().unwrap()));
    }

    #[test]
    fn pointer_escaping_round_trips() {
        let key = "Microsoft.ManagedIdentity/userAssignedIdentities~x";
        assert_eq!(unescape(&escape(key)), key);
        assert_eq!(escape("a/b"), "a~1b");
    }

    #[test]
    fn enum_and_type_messages() {
        let problems = problems(
            &json!({"rules": {"MI101": "fatal"}, "thresholds": {"maxAttachedWorkloads": "5"}}),
        );
        let messages: Vec<String> = problems
            .iter()
            .map(|p| format!("{} {}", p.pointer, p.message))
            .collect();
        assert!(
            messages.contains(
                &"/rules/MI101 'fatal' is not one of off, info, warning, error".to_string()
            ),
            "{messages:?}"
        );
        assert!(
            messages.contains(
                &"/thresholds/maxAttachedWorkloads expected an integer, found a string ('5')"
                    .to_string()
            ),
            "{messages:?}"
        );
    }
}
