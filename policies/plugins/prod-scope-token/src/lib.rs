//! Example idguard plugin: an identity in a production environment may get
//! roles only on scopes whose names carry the production token.
//!
//! Config (optional): `{"tokens": ["prod", "prd"]}` (default `["prod"]`).
//! A scope's name is the name of the resource the scope names (or the
//! last name in the scope ID: a resource group, a management group). A
//! name carries a token when one of its `-`, `_`, `.` or `/` separated
//! parts is the token, or, for names without separators (storage
//! accounts), when it contains the token. Tokens compare
//! case-insensitively. An identity's environment is its own (tag or
//! name), else the deployment's; a scope whose name is not known before
//! deployment (a hole in its last name) is not judged.
//!
//! Finding: `PS001 prod-identity-non-prod-scope`.

use idguard_plugin::model::{Environment, Model, RoleAssignment, is_unknown, unknown_expression};
use idguard_plugin::{Finding, Input, Severity};

/// The plugin's check.
pub fn check(input: &Input) -> Result<Vec<Finding>, String> {
    let tokens: Vec<String> = match input.config.get("tokens") {
        None => vec!["prod".to_string()],
        Some(v) => v
            .as_array()
            .ok_or("config.tokens must be an array of strings")?
            .iter()
            .map(|t| {
                t.as_str()
                    .map(str::to_ascii_lowercase)
                    .ok_or_else(|| "config.tokens must be an array of strings".to_string())
            })
            .collect::<Result<_, _>>()?,
    };
    if tokens.is_empty() {
        return Err("config.tokens must not be empty".into());
    }
    let model = &input.model;
    let mut out = Vec::new();
    for a in &model.role_assignments {
        let Some((who, env)) = principal_environment(model, a) else {
            continue;
        };
        if !env.production {
            continue;
        }
        let Some(scope) = scope_name(model, a) else {
            continue;
        };
        if carries_token(&scope, &tokens) {
            continue;
        }
        out.push(
            Finding::new(
                "PS001",
                "prod-identity-non-prod-scope",
                Severity::Error,
                format!(
                    "{who} is in production ({}), but gets a role on '{scope}', whose name does not carry {}",
                    env.name,
                    tokens
                        .iter()
                        .map(|t| format!("'{t}'"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            )
            .help("Grant production identities roles only on production resources, or fix the scope's name.")
            .at(&a.source.child("scope")),
        );
    }
    Ok(out)
}

fn principal_environment<'m>(
    model: &'m Model,
    a: &RoleAssignment,
) -> Option<(String, &'m Environment)> {
    match a.principal.kind.as_str() {
        "identity" => {
            let id = model.identities.get(a.principal.identity?)?;
            let name = id
                .name
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| id.name.to_string());
            let env = id
                .environment
                .as_ref()
                .or_else(|| model.resource(id.resource)?.environment.as_ref())
                .or(model.environment.as_ref())?;
            Some((format!("managed identity '{name}'"), env))
        }
        "systemAssigned" => {
            let r = model.resource(a.principal.resource?)?;
            let name = r
                .name_str()
                .map(str::to_string)
                .unwrap_or_else(|| r.name.to_string());
            let env = r.environment.as_ref().or(model.environment.as_ref())?;
            Some((format!("the system-assigned identity of '{name}'"), env))
        }
        _ => None,
    }
}

/// The scope's name when known.
fn scope_name(model: &Model, a: &RoleAssignment) -> Option<String> {
    if let Some(r) = a.target.and_then(|t| model.resource(t)) {
        return r.name_str().map(str::to_string);
    }
    // A scope known in parts (`/subscriptions/{subscription().subscriptionId}/
    // resourceGroups/rg-app-prod`) still has a known last name.
    let id = match unknown_expression(&a.scope) {
        Some(expr) => expr,
        None if is_unknown(&a.scope) => return None,
        None => a.scope.as_str()?,
    };
    let last = id.trim_end_matches('/').rsplit('/').next()?;
    if last.contains(['{', '}']) {
        return None;
    }
    // `/subscriptions/<id>`: a subscription ID is a GUID, not a name.
    let parts: Vec<&str> = id.trim_matches('/').split('/').collect();
    if parts.len() == 2 && parts[0].eq_ignore_ascii_case("subscriptions") {
        return None;
    }
    (!last.is_empty()).then(|| last.to_string())
}

/// Whether a name carries one of the tokens.
pub fn carries_token(name: &str, tokens: &[String]) -> bool {
    let lower = name.to_ascii_lowercase();
    let separators = ['-', '_', '.', '/'];
    if !lower.contains(separators) {
        return tokens.iter().any(|t| lower.contains(t.as_str()));
    }
    lower
        .split(separators)
        .any(|part| tokens.iter().any(|t| part == t))
}

idguard_plugin::export_plugin!(check);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        let t = vec!["prod".to_string()];
        assert!(carries_token("rg-app-prod", &t));
        assert!(carries_token("stappprod01", &t));
        assert!(!carries_token("rg-product-dev", &t));
        assert!(!carries_token("rg-app-dev", &t));
    }
}
