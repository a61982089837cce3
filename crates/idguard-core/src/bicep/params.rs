//! `.bicepparam` files: lowered to the deployment parameters document Bicep
//! compiles them to (`ParametersJsonWriter`), and paired with the template
//! their `using` names.
//!
//! `param p = e` becomes `parameters.p.value`. Bicep evaluates `e` at
//! compile time (variables folded in); here `e` is lowered to an ARM
//! expression next to the file's variables and evaluated when the
//! parameter file is read ([`evaluate_value`]), so anything the core cannot
//! know stays unknown: `readEnvironmentVariable()` (read on the build
//! machine) and `externalInput()`. `az.getSecret(sub, rg, vault, secret
//! [, version])` becomes a Key Vault `reference`, which is never read out.

use idguard_bicep::ast::{Expr, Statement, UsingTarget};
use idguard_bicep::{Diagnostic, FileKind, ParseOptions};

use super::Loader;
use super::arm::AExpr;
use super::binder::Ctx;
use super::lower::{Lowerer, unwrap};

use crate::source::{Document, LineIndex, Member, NodeId};

/// A lowered `.bicepparam` file.
#[derive(Debug)]
pub struct LoweredParams {
    /// The deployment parameters document (with the file's variables, for
    /// the evaluation of the values).
    pub doc: Document,
    /// The path `using` names, as written (`None` for `using none`, or no
    /// `using`).
    pub using: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
    /// What could not be read (a file `extends` or `load*Content()` names).
    pub notes: Vec<super::LowerNote>,
}

/// Deepest chain of `extends` followed.
const MAX_EXTENDS: usize = 8;

/// Lowers a `.bicepparam` file. `load` reads files named relative to it
/// (`load*Content()`, the file `extends` names).
pub fn lower_bicepparam(text: &str, load: &Loader<'_>) -> LoweredParams {
    lower_at_depth(text, load, 0)
}

fn lower_at_depth(text: &str, load: &Loader<'_>, depth: usize) -> LoweredParams {
    let parsed = idguard_bicep::parse(text, FileKind::BicepParam, ParseOptions::EDITOR);
    let lines = LineIndex::with_lone_cr(text);
    let mut l = Lowerer::new(text, &parsed.program, &parsed.diagnostics, load);
    let program = &parsed.program;
    let root = l.b.open(program.span, None);
    let at = idguard_bicep::Span::new(program.span.start, program.span.start);
    let mut members = Vec::new();
    let schema = l.b.string(
        "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
        at,
        Some(root),
    );
    members.push(l.b.member("$schema", at, schema));
    let cv = l.b.string("1.0.0.0", at, Some(root));
    members.push(l.b.member("contentVersion", at, cv));

    // The file's variables, which the values may use.
    let (variables, user_variables, variables_span) = l.emit_variables(root);
    let assigns: Vec<_> = program.param_assignments().collect();
    let first = assigns.first().map_or(program.span, |a| a.span);
    let params = l.b.open(first, Some(root));
    let mut pm: Vec<Member> = Vec::new();
    for a in assigns {
        let Some(name) = a.name.name else { continue };
        if a.value.is_skipped() {
            continue;
        }
        let wrapper = l.b.open(a.span, Some(params));
        let inner = match key_vault_reference(&mut l, &a.value) {
            Some(reference) => {
                let r = l.expr_node(&reference, a.value.span(), wrapper);
                l.b.member("reference", a.value.span(), r)
            }
            None => {
                let v = l.value(&a.value, &Ctx::default(), wrapper);
                l.b.member("value", a.value.span(), v)
            }
        };
        l.b.set_object(wrapper, vec![inner]);
        pm.push(l.b.member(name, a.name.span, wrapper));
    }
    // `extends 'base.bicepparam'`: the base's parameters this file does not
    // set, with the values they evaluate to there.
    if let Some(ext) = program.statements.iter().find_map(|s| match s {
        Statement::Extends(e) => Some(e),
        _ => None,
    }) && let Some(path) = ext.path.present().and_then(|p| p.as_str())
    {
        let base = (depth < MAX_EXTENDS && !super::modules::is_absolute(path))
            .then(|| load(path))
            .flatten();
        match base {
            Some(base_text) => {
                let base = lower_at_depth(&base_text, load, depth + 1);
                let set: Vec<String> = pm.iter().map(|m| m.key.to_string()).collect();
                for (name, node) in parameter_nodes(&base.doc) {
                    if set.iter().any(|s| s.eq_ignore_ascii_case(&name)) {
                        continue;
                    }
                    let wrapper = l.b.open(ext.span, Some(params));
                    let inner = match base.doc.get(node, "value") {
                        Some(v) => {
                            let value = evaluate_value(&base.doc, v);
                            let n = l.val_node(&value, ext.span, wrapper);
                            l.b.member("value", ext.span, n)
                        }
                        None => {
                            let r = base.doc.get(node, "reference").unwrap_or(node);
                            let n = l.json_node(&base.doc.to_json(r), ext.span, wrapper);
                            l.b.member("reference", ext.span, n)
                        }
                    };
                    l.b.set_object(wrapper, vec![inner]);
                    pm.push(l.b.member(&name, ext.span, wrapper));
                }
            }
            None => l.note(
                ext.span,
                format!("extends '{path}': the file is not at hand, so the parameters it sets are not known"),
            ),
        }
    }
    l.b.set_object(params, pm);
    if l.finish_variables(variables, user_variables) {
        members.push(l.b.member("variables", variables_span, variables));
    }
    // Functions of compile-time imports the values call.
    if let Some(m) = l.emit_functions(root) {
        members.push(m);
    }
    members.push(l.b.member("parameters", first, params));
    l.b.set_object(root, members);
    l.b.mark_lowered();
    let using = program.using().and_then(|u| match &u.target {
        UsingTarget::Path(s) => s.as_str().map(str::to_string),
        _ => None,
    });
    let diagnostics = parsed.diagnostics.clone();
    let notes = std::mem::take(&mut l.notes);
    let doc = l.b.finish(root, lines);
    LoweredParams {
        doc,
        using,
        diagnostics,
        notes,
    }
}

/// The parameters of a parameters document, with their nodes.
fn parameter_nodes(doc: &Document) -> Vec<(String, NodeId)> {
    doc.get(doc.root(), "parameters")
        .map(|p| {
            doc.members(p)
                .iter()
                .map(|m| (m.key.to_string(), m.value))
                .collect()
        })
        .unwrap_or_default()
}

/// `az.getSecret(sub, rg, vault, secret[, version])` as the `reference`
/// object of a parameter.
fn key_vault_reference<'s>(l: &mut Lowerer<'_, 's, '_>, e: &Expr<'s>) -> Option<AExpr> {
    let (name, args) = match unwrap(e) {
        Expr::Call(c) => (c.name.as_str(), &c.args),
        Expr::InstanceCall(c) => match unwrap(&c.base) {
            Expr::Var(v) if v.as_str() == "az" => (c.name.as_str(), &c.args),
            _ => return None,
        },
        _ => return None,
    };
    if name != "getSecret" || args.len() < 4 {
        return None;
    }
    let ctx = Ctx::default();
    let lowered: Vec<AExpr> = args.iter().map(|a| l.expr(a, &ctx)).collect();
    let literal: Option<Vec<&str>> = args.iter().take(3).map(Expr::as_str).collect();
    let id = match literal.as_deref() {
        Some([sub, rg, vault]) => AExpr::str(&format!(
            "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.KeyVault/vaults/{vault}"
        )),
        _ => AExpr::call(
            "resourceId",
            vec![
                lowered.first().cloned().unwrap_or_else(AExpr::null),
                lowered.get(1).cloned().unwrap_or_else(AExpr::null),
                AExpr::lit("Microsoft.KeyVault/vaults"),
                lowered.get(2).cloned().unwrap_or_else(AExpr::null),
            ],
        ),
    };
    let mut reference = vec![
        AExpr::lit("keyVault"),
        AExpr::call("createObject", vec![AExpr::lit("id"), id]),
    ];
    if let Some(secret) = lowered.get(3) {
        reference.push(AExpr::lit("secretName"));
        reference.push(secret.clone());
    }
    if let Some(version) = lowered.get(4) {
        reference.push(AExpr::lit("secretVersion"));
        reference.push(version.clone());
    }
    Some(AExpr::call("createObject", reference))
}

pub use crate::template::context::{evaluate_value, evaluate_value_within};

/// The template a `.bicepparam` file's `using` names, as written.
pub fn using_path(text: &str) -> Option<String> {
    let parsed = idguard_bicep::parse(text, FileKind::BicepParam, ParseOptions::EDITOR);
    parsed.program.statements.iter().find_map(|s| match s {
        Statement::Using(u) => match &u.target {
            UsingTarget::Path(p) => p.as_str().map(str::to_string),
            _ => None,
        },
        _ => None,
    })
}

/// Pairs `.bicepparam` files with the templates their `using` names:
/// `params` are `(path, text)`; the `using` path is resolved against the
/// parameter file's directory and compared with `templates` (paths with `/`
/// or `\`, compared case-sensitively after normalisation). Returns, for each
/// template in order, the parameter files that use it, in order; a
/// parameter file whose `using` names no given template (or `using none`)
/// is left out.
pub fn pair_bicepparam_files<'a>(
    templates: &[&'a str],
    params: &[(&'a str, &str)],
) -> Vec<(&'a str, Vec<&'a str>)> {
    let norm = |p: &str| crate::path::normalize_path(p);
    let keys: Vec<String> = templates.iter().map(|t| norm(t)).collect();
    let mut out: Vec<(&'a str, Vec<&'a str>)> =
        templates.iter().map(|t| (*t, Vec::new())).collect();
    for (path, text) in params {
        let Some(using) = using_path(text) else {
            continue;
        };
        if super::modules::is_absolute(&using) {
            continue;
        }
        let dir = super::check::dir_of(path);
        let target = norm(&format!("{dir}{using}"));
        if let Some(i) = keys.iter().position(|k| *k == target)
            && let Some(slot) = out.get_mut(i)
        {
            slot.1.push(path);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Val;
    use crate::template::context::parameter_file_values;

    #[test]
    fn values_and_key_vault_references() {
        let text = "using './main.bicep'\nvar prefix = 'app'\nparam name = '${prefix}-dev'\nparam n = 1 + 2\nparam secret = az.getSecret('sub', 'rg', 'kv', 'pw')\nparam env = readEnvironmentVariable('X')\n";
        let p = lower_bicepparam(text, &|_| None);
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        assert_eq!(p.using.as_deref(), Some("./main.bicep"));
        let values = parameter_file_values(&p.doc);
        let get = |k: &str| match values.get(k) {
            Some((crate::template::Supplied::Value(v), _)) => Some(v.clone()),
            _ => None,
        };
        assert_eq!(get("name"), Some(Val::str("app-dev")));
        assert_eq!(get("n"), Some(Val::Int(3)));
        assert!(matches!(
            values.get("secret"),
            Some((crate::template::Supplied::KeyVault, _))
        ));
        assert!(get("env").is_some_and(|v| v.is_unknown()));
    }

    #[test]
    fn using_pairs_parameter_files_with_templates() {
        let templates = ["infra/main.bicep", "infra/other.bicep"];
        let dev = "using './main.bicep'\nparam a = 1\n";
        let prod = "using 'main.bicep'\n";
        let none = "using none\n";
        let up = "using '../infra/other.bicep'\n";
        let pairs = pair_bicepparam_files(
            &templates,
            &[
                ("infra/main.dev.bicepparam", dev),
                ("infra/main.prod.bicepparam", prod),
                ("infra/none.bicepparam", none),
                ("params/x.bicepparam", up),
            ],
        );
        assert_eq!(
            pairs,
            vec![
                (
                    "infra/main.bicep",
                    vec!["infra/main.dev.bicepparam", "infra/main.prod.bicepparam"]
                ),
                ("infra/other.bicep", vec!["params/x.bicepparam"]),
            ]
        );
    }
}
