use std::collections::HashSet;

use crate::expr::Val;
use crate::model::flow::Flows;
use crate::model::{Location, SettingKind};
use crate::rules::{Rule, RuleContext};
use crate::vocab::is_client_secret_name;

declare_rule! {
    /// ## What it does
    /// Flags a service-principal secret where a managed identity would do:
    /// an app setting, connection string or container environment variable
    /// named like a client secret (`AZURE_CLIENT_SECRET`, `ClientSecret`,
    /// `client_secret`, …) holding a value rather than a Key Vault or secret
    /// reference; a plain (non-secure) parameter named like a client secret;
    /// a plain `string` or `object` parameter, whatever its name, whose
    /// value flows into a service principal's secret
    /// (`servicePrincipalProfile.secret`, `aadProfile.serverAppSecret`, a
    /// `clientSecret` property) or into the key of a connection string
    /// (after `AccountKey=`, `Password=`, …), directly, through variables or
    /// through a nested deployment's parameters; and any
    /// `secureString`/`secureObject` parameter whose default value writes a
    /// string into the template — unless the parameter's value only names
    /// resources (a Key Vault secret's name is not a secret). A name that
    /// only points at a secret (`clientSecretSettingName`,
    /// `clientSecretKeyVaultPath`, `clientSecretUri`) is not a secret.
    /// Parameters are judged by where their value goes, not by their
    /// type or name alone. Messages never repeat the value.
    ///
    /// ## Why is this bad?
    /// A client secret in app settings is readable by anyone with read access
    /// to the app's configuration, ends up in deployment history and logs,
    /// and expires — taking production down on a date nobody remembers. The
    /// whole point of a managed identity is that there is no secret to leak
    /// or rotate. A secure parameter with a default puts the secret in the
    /// template itself, in source control.
    ///
    /// ## Example
    /// ```json
    /// "appSettings": [
    ///   { "name": "AZURE_CLIENT_ID", "value": "[parameters('clientId')]" },
    ///   { "name": "AZURE_CLIENT_SECRET", "value": "[parameters('clientSecret')]" }
    /// ]
    /// ```
    /// Use instead the app's managed identity:
    /// ```json
    /// "appSettings": [
    ///   { "name": "AZURE_CLIENT_ID", "value": "[reference(variables('identityId'), '2023-01-31').clientId]" }
    /// ]
    /// ```
    ///
    /// ## Fix
    /// Attach a managed identity to the workload, grant it the roles the
    /// service principal had, and delete the secret (and the app
    /// registration's credential). Where a secret is unavoidable, store it
    /// in Key Vault and use a Key Vault reference
    /// (`@Microsoft.KeyVault(SecretUri=...)`) or a container app `secretRef`.
    pub struct NoClientSecret {
        level: Error,
        summary: "settings or parameters carry a service-principal secret where a managed identity would do, or a secure parameter has a literal default",
    }
}

/// Whether a default value written in the template holds a secret: a
/// non-empty string that is not an expression, or an object or array with
/// one inside (`{"enabled": false}` holds none).
fn holds_literal_secret(doc: &crate::source::Document, node: crate::source::NodeId) -> bool {
    match doc.kind(node) {
        crate::source::Kind::String(s) => {
            !s.is_empty() && (!s.starts_with('[') || s.starts_with("[["))
        }
        crate::source::Kind::Object(members) => {
            members.iter().any(|m| holds_literal_secret(doc, m.value))
        }
        crate::source::Kind::Array(items) => items.iter().any(|i| holds_literal_secret(doc, *i)),
        _ => false,
    }
}

/// What a property of a resource is when it holds a service principal's
/// secret, by its path from the resource object.
fn secret_sink(path: &[std::rc::Rc<str>]) -> Option<&'static str> {
    let last = path.last()?;
    let before = path.len().checked_sub(2).and_then(|i| path.get(i));
    let is = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    if is(last, "secret") && before.is_some_and(|b| is(b, "servicePrincipalProfile")) {
        return Some("servicePrincipalProfile.secret");
    }
    if is(last, "serverAppSecret") {
        return Some("aadProfile.serverAppSecret");
    }
    if is(last, "clientSecret") {
        return Some("clientSecret");
    }
    None
}

impl Rule for NoClientSecret {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        for s in &model.settings {
            if s.is_reference || s.value == Val::Null {
                continue;
            }
            let sp_connection = s.kind == SettingKind::ConnectionString && {
                let text = s.value.display().to_ascii_lowercase();
                text.contains("service principal")
                    && (text.contains("password=") || text.contains("secret"))
            };
            if !is_client_secret_name(&s.name) && !sp_connection {
                continue;
            }
            if s.value.as_str().is_some_and(|v| v.trim().is_empty()) {
                continue;
            }
            ctx.report(
                s.location,
                Some(s.workload),
                format!(
                    "{} carries a service-principal secret in setting '{}'",
                    crate::rules::words::quoted(model, s.workload),
                    s.name
                ),
                "use the workload's managed identity instead of a client secret; if a secret is unavoidable, use a Key Vault reference",
            );
        }
        // Where parameters go, read once and only when a question needs it.
        let mut flows_cell: Option<Flows> = None;
        let mut flagged: HashSet<(usize, String)> = HashSet::new();
        for (di, d) in model.eval.deployments.iter().enumerate() {
            let Some(file) = model.files.get(d.file) else {
                continue;
            };
            let doc = &file.doc;
            for p in &d.parameters {
                let location = |node| Location {
                    file: d.file,
                    node,
                    span: doc.span(node),
                };
                if p.is_secure() {
                    let Some(default) = p.default else { continue };
                    if !holds_literal_secret(doc, default) {
                        continue;
                    }
                    // A secure parameter that only names things (a Key
                    // Vault secret's name) holds no secret: judged by
                    // where its value goes, not by its type.
                    let f = flows_cell.get_or_insert_with(|| Flows::build(model.files, model.eval));
                    let uses = f.uses(model.eval, di, &p.name);
                    if !uses.is_empty() && uses.iter().all(|u| u.is_name()) {
                        continue;
                    }
                    ctx.report(
                        location(default),
                        None,
                        format!(
                            "secure parameter '{}' has a literal default value, so the secret is in the template",
                            p.name
                        ),
                        "remove the default and pass the value at deployment time, from Key Vault (a parameter file `reference`) or a pipeline secret",
                    );
                } else if is_client_secret_name(&p.name) && !p.ty.eq_ignore_ascii_case("bool") {
                    flagged.insert((di, p.name.to_ascii_lowercase()));
                    ctx.report(
                        location(doc.get(p.node, "type").unwrap_or(p.node)),
                        None,
                        format!(
                            "parameter '{}' carries a client secret as a plain {}; it is logged in deployment history",
                            p.name, p.ty
                        ),
                        "use a managed identity instead of a client secret; if one is unavoidable, make the parameter secureString",
                    );
                }
            }
        }
        // A plain parameter whose value flows into a secret, whatever its
        // name: a service principal's secret, a client secret, the key of
        // a connection string.
        let f = flows_cell.get_or_insert_with(|| Flows::build(model.files, model.eval));
        for flow in &f.flows {
            let sink = secret_sink(&flow.path);
            let at_marker = sink.is_none() && !flow.at_marker.is_empty();
            let Some(what) = sink.or(at_marker.then_some("the key of a connection string")) else {
                continue;
            };
            for (di, name) in f.sources(model.eval, flow, at_marker) {
                let Some(d) = model.eval.deployments.get(di) else {
                    continue;
                };
                let Some(p) = d
                    .parameters
                    .iter()
                    .find(|p| p.name.eq_ignore_ascii_case(&name))
                else {
                    continue;
                };
                let plain =
                    p.ty.eq_ignore_ascii_case("string") || p.ty.eq_ignore_ascii_case("object");
                if !plain || !flagged.insert((di, name)) {
                    continue;
                }
                let Some(doc) = model.files.get(d.file).map(|e| &e.doc) else {
                    continue;
                };
                let node = doc.get(p.node, "type").unwrap_or(p.node);
                ctx.report(
                    Location {
                        file: d.file,
                        node,
                        span: doc.span(node),
                    },
                    None,
                    format!(
                        "parameter '{}' is a plain {} but flows into {what} of '{}'; it is logged in deployment history",
                        p.name,
                        p.ty,
                        model.display_name(flow.resource)
                    ),
                    "use a managed identity instead of the secret; if one is unavoidable, make the parameter secureString (secureObject) and pass it from Key Vault",
                );
            }
        }
    }
}
