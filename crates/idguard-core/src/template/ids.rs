//! Resource IDs over partially known strings: building them the way ARM
//! does, splitting them into segments, and reading back their scope level,
//! type and names.
//!
//! A resource ID is often only partly known at check time
//! (`/subscriptions/{subscription().subscriptionId}/resourceGroups/…`), but
//! its *shape* is: the literal pieces say which segment is `subscriptions`,
//! `resourceGroups` or `providers`. Everything here works on that shape, so
//! an unknown subscription never hides a subscription-wide assignment.

use std::rc::Rc;

use crate::expr::{DeploymentContext, Part, TargetScope, Unknown, Val};
use crate::vocab::ScopeLevel;

/// Concatenates values as strings. Known strings, numbers and booleans are
/// joined; unknown pieces become holes of an [`Unknown::Str`]. A known
/// non-scalar (array, object, null) makes the whole result opaque.
pub fn concat(values: &[Val]) -> Val {
    let mut parts: Vec<Part> = Vec::new();
    let mut lit = String::new();
    for v in values {
        match v {
            Val::Str(s) => lit.push_str(s),
            Val::Int(i) => lit.push_str(&i.to_string()),
            Val::Bool(b) => lit.push_str(if *b { "True" } else { "False" }),
            Val::Unknown(u) => match &**u {
                Unknown::Str(inner) => {
                    for p in inner {
                        match p {
                            Part::Lit(s) => lit.push_str(s),
                            Part::Hole(h) => {
                                flush(&mut parts, &mut lit);
                                parts.push(Part::Hole(h.clone()));
                            }
                        }
                    }
                }
                _ => {
                    flush(&mut parts, &mut lit);
                    parts.push(Part::Hole(u.clone()));
                }
            },
            other => {
                return Val::opaque(format!(
                    "a {} value inside a resource ID",
                    other.type_name()
                ));
            }
        }
    }
    if parts.is_empty() {
        return Val::str(lit);
    }
    flush(&mut parts, &mut lit);
    // A lone unknown is itself, not a one-piece string.
    if let [Part::Hole(h)] = parts.as_slice() {
        return Val::Unknown(h.clone());
    }
    Val::unknown(Unknown::Str(parts.into()))
}

fn flush(parts: &mut Vec<Part>, lit: &mut String) {
    if !lit.is_empty() {
        parts.push(Part::Lit(Rc::from(std::mem::take(lit).as_str())));
    }
}

/// Splits a (partial) string on `/`. Each segment is a known string or an
/// unknown made of the pieces between two slashes. Empty segments are kept
/// except a leading one (so `/a/b` gives `[a, b]`). `None` when the value is
/// not a string at all.
pub fn segments(v: &Val) -> Option<Segments> {
    let parts: Vec<Part> = match v {
        Val::Str(s) => vec![Part::Lit(s.clone())],
        Val::Unknown(u) => match &**u {
            Unknown::Str(parts) => parts.to_vec(),
            _ => vec![Part::Hole(u.clone())],
        },
        _ => return None,
    };
    let absolute = matches!(parts.first(), Some(Part::Lit(s)) if s.starts_with('/'));
    let mut out: Vec<Val> = Vec::new();
    let mut current: Vec<Val> = Vec::new();
    for part in parts {
        match part {
            Part::Lit(s) => {
                let mut pieces = s.split('/').peekable();
                while let Some(piece) = pieces.next() {
                    if !piece.is_empty() {
                        current.push(Val::str(piece));
                    }
                    if pieces.peek().is_some() {
                        out.push(concat(&current));
                        current.clear();
                    }
                }
            }
            Part::Hole(h) => current.push(Val::Unknown(h)),
        }
    }
    out.push(concat(&current));
    if absolute && out.first().is_some_and(|s| s.as_str() == Some("")) {
        out.remove(0);
    }
    // "/" alone: no segments.
    if absolute && out.len() == 1 && out.first().is_some_and(|s| s.as_str() == Some("")) {
        out.clear();
    }
    Some(Segments {
        absolute,
        items: out,
    })
}

/// The `/`-separated pieces of a (partial) string.
#[derive(Clone, Debug, PartialEq)]
pub struct Segments {
    /// Whether the string starts with `/`.
    pub absolute: bool,
    pub items: Vec<Val>,
}

fn is_lit(v: Option<&Val>, word: &str) -> bool {
    v.and_then(Val::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case(word))
}

/// What a resource ID (or scope string) says.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceIdInfo {
    /// The scope level the whole ID denotes (a resource ID denotes
    /// [`ScopeLevel::Resource`]).
    pub level: ScopeLevel,
    pub subscription: Option<Val>,
    pub resource_group: Option<Val>,
    pub management_group: Option<Val>,
    /// Full type of the (last, for extension IDs) resource, e.g.
    /// `Microsoft.Storage/storageAccounts/blobServices`.
    pub resource_type: Option<String>,
    /// Its names, one per type segment after the namespace.
    pub names: Vec<Val>,
    /// Whether the ID was relative (`Microsoft.KeyVault/vaults/kv`, as Bicep
    /// writes resource scopes): relative to the deployment's scope.
    pub relative: bool,
}

/// Reads a resource ID or scope. `None` when its shape cannot be told (an
/// opaque unknown, a non-string, a malformed ID).
pub fn parse_resource_id(v: &Val) -> Option<ResourceIdInfo> {
    let segs = segments(v)?;
    let items = &segs.items;
    let mut info = ResourceIdInfo {
        level: ScopeLevel::Tenant,
        subscription: None,
        resource_group: None,
        management_group: None,
        resource_type: None,
        names: Vec::new(),
        relative: !segs.absolute,
    };
    if !segs.absolute {
        // Relative: `Namespace/type/name[/type/name…]`.
        if items
            .first()
            .and_then(Val::as_str)
            .is_none_or(|s| !s.contains('.'))
        {
            return None;
        }
        read_provider(items, 0, &mut info)?;
        info.level = ScopeLevel::Resource;
        return Some(info);
    }
    let mut i = 0;
    if items.is_empty() {
        return Some(info);
    }
    if is_lit(items.get(i), "subscriptions") {
        info.subscription = Some(items.get(i + 1)?.clone());
        info.level = ScopeLevel::Subscription;
        i += 2;
        if is_lit(items.get(i), "resourceGroups") {
            info.resource_group = Some(items.get(i + 1)?.clone());
            info.level = ScopeLevel::ResourceGroup;
            i += 2;
        }
    }
    if i >= items.len() {
        return Some(info);
    }
    if !is_lit(items.get(i), "providers") {
        return None;
    }
    // Management group: /providers/Microsoft.Management/managementGroups/{mg}
    if info.subscription.is_none()
        && is_lit(items.get(i + 1), "Microsoft.Management")
        && is_lit(items.get(i + 2), "managementGroups")
    {
        info.management_group = Some(items.get(i + 3)?.clone());
        info.level = ScopeLevel::ManagementGroup;
        i += 4;
        if i >= items.len() {
            return Some(info);
        }
        if !is_lit(items.get(i), "providers") {
            return None;
        }
    }
    // Extension IDs repeat `/providers/…`: the last one names the resource.
    let last_providers = (i..items.len())
        .rev()
        .find(|&j| is_lit(items.get(j), "providers"))
        .unwrap_or(i);
    read_provider(items, last_providers + 1, &mut info)?;
    info.level = ScopeLevel::Resource;
    Some(info)
}

fn read_provider(items: &[Val], start: usize, info: &mut ResourceIdInfo) -> Option<()> {
    let ns = items.get(start)?.as_str()?;
    let mut ty = String::from(ns);
    let mut names = Vec::new();
    let mut j = start + 1;
    while j < items.len() {
        let t = items.get(j)?.as_str()?;
        ty.push('/');
        ty.push_str(t);
        names.push(items.get(j + 1)?.clone());
        j += 2;
    }
    if names.is_empty() {
        return None;
    }
    info.resource_type = Some(ty);
    info.names = names;
    Some(())
}

/// The scope string of a deployment: `/subscriptions/{s}/resourceGroups/{rg}`
/// and so on (empty for the tenant).
pub fn deployment_scope_id(d: &DeploymentContext) -> Val {
    match d.scope {
        TargetScope::ResourceGroup => concat(&[
            Val::str("/subscriptions/"),
            d.subscription_id.clone(),
            Val::str("/resourceGroups/"),
            d.resource_group.clone(),
        ]),
        TargetScope::Subscription => {
            concat(&[Val::str("/subscriptions/"), d.subscription_id.clone()])
        }
        TargetScope::ManagementGroup => concat(&[
            Val::str("/providers/Microsoft.Management/managementGroups/"),
            d.management_group.clone(),
        ]),
        TargetScope::Tenant => Val::str("/"),
    }
}

/// Builds the ID of a resource of `full_type` named `full_name` (both as
/// written in the template, `a/b` for children) under `scope_id` (a
/// deployment scope ID, or an extension resource's scope).
pub fn build_resource_id(scope_id: &Val, full_type: &str, full_name: &Val) -> Val {
    let mut type_parts = full_type.split('/');
    let ns = type_parts.next().unwrap_or_default();
    let types: Vec<&str> = type_parts.collect();
    let names = segments(full_name).map(|s| s.items).unwrap_or_default();
    // The tenant root is `/`; IDs under it start `/providers/…`.
    let prefix = match scope_id.as_str() {
        Some(s) => Val::str(s.trim_end_matches('/')),
        None => scope_id.clone(),
    };
    let mut pieces = vec![prefix, Val::str(format!("/providers/{ns}"))];
    if names.len() == types.len() {
        for (t, n) in types.iter().zip(names) {
            pieces.push(Val::str(format!("/{t}/")));
            pieces.push(n);
        }
    } else {
        // Name and type disagree in depth (invalid, or not known): keep the
        // name whole so the ID still identifies the resource.
        pieces.push(Val::str(format!("/{}/", types.join("/"))));
        pieces.push(full_name.clone());
    }
    concat(&pieces)
}

/// Whether two IDs certainly or possibly name the same resource: same type
/// and names (known names compared case-insensitively, unknown ones
/// structurally), and no contradicting known subscription or group.
pub fn same_resource(a: &ResourceIdInfo, b: &ResourceIdInfo) -> bool {
    let (Some(ta), Some(tb)) = (&a.resource_type, &b.resource_type) else {
        return false;
    };
    if !ta.eq_ignore_ascii_case(tb) || a.names.len() != b.names.len() {
        return false;
    }
    let names_match = a.names.iter().zip(&b.names).all(|(x, y)| same_value(x, y));
    let contradicts = |x: &Option<Val>, y: &Option<Val>| match (x, y) {
        (Some(Val::Str(x)), Some(Val::Str(y))) => !x.eq_ignore_ascii_case(y),
        _ => false,
    };
    names_match
        && !contradicts(&a.subscription, &b.subscription)
        && !contradicts(&a.resource_group, &b.resource_group)
}

/// A key under which names that [`same_value`] calls equal meet (for
/// hashing resources by name): a known string lowercased, anything else
/// its rendering (equal unknowns render equally), marked so that it cannot
/// be taken for a plain name.
pub fn name_key(name: Option<&Val>) -> String {
    match name {
        Some(Val::Str(s)) => s.to_ascii_lowercase(),
        Some(other) => format!("\u{0}{}", other.display()),
        None => String::from("\u{0}"),
    }
}

/// Equality of two name values: case-insensitive for known strings,
/// structural for unknowns.
pub fn same_value(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Str(x), Val::Str(y)) => x.eq_ignore_ascii_case(y),
        (Val::Unknown(x), Val::Unknown(y)) => x == y,
        _ => false,
    }
}

/// The ARM type of a resource, normalised to the casing ARM documents for
/// the types the rules look at (comparisons elsewhere are case-insensitive).
pub fn type_is(ty: &str, expected: &str) -> bool {
    ty.eq_ignore_ascii_case(expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hole(name: &str) -> Val {
        Val::unknown(Unknown::Parameter(Rc::from(name)))
    }

    #[test]
    fn levels_of_scope_strings() {
        let d = DeploymentContext::root(TargetScope::ResourceGroup);
        let rg = deployment_scope_id(&d);
        assert_eq!(
            parse_resource_id(&rg).unwrap().level,
            ScopeLevel::ResourceGroup
        );
        let sub = concat(&[Val::str("/subscriptions/"), d.subscription_id.clone()]);
        assert_eq!(
            parse_resource_id(&sub).unwrap().level,
            ScopeLevel::Subscription
        );
        assert_eq!(
            parse_resource_id(&Val::str("/")).unwrap().level,
            ScopeLevel::Tenant
        );
        let mg = Val::str("/providers/Microsoft.Management/managementGroups/contoso");
        assert_eq!(
            parse_resource_id(&mg).unwrap().level,
            ScopeLevel::ManagementGroup
        );
        let kv = Val::str("Microsoft.KeyVault/vaults/kv1");
        let info = parse_resource_id(&kv).unwrap();
        assert_eq!(info.level, ScopeLevel::Resource);
        assert!(info.relative);
        assert_eq!(
            info.resource_type.as_deref(),
            Some("Microsoft.KeyVault/vaults")
        );
    }

    #[test]
    fn built_ids_round_trip_with_unknown_names() {
        let d = DeploymentContext::root(TargetScope::ResourceGroup);
        let id = build_resource_id(
            &deployment_scope_id(&d),
            "Microsoft.ManagedIdentity/userAssignedIdentities",
            &hole("name"),
        );
        let info = parse_resource_id(&id).unwrap();
        assert_eq!(info.level, ScopeLevel::Resource);
        assert_eq!(
            info.resource_type.as_deref(),
            Some("Microsoft.ManagedIdentity/userAssignedIdentities")
        );
        assert_eq!(info.names, vec![hole("name")]);

        let child = build_resource_id(
            &deployment_scope_id(&d),
            "Microsoft.Storage/storageAccounts/blobServices/containers",
            &concat(&[hole("sa"), Val::str("/default/data")]),
        );
        let info = parse_resource_id(&child).unwrap();
        assert_eq!(info.names.len(), 3);
        assert_eq!(info.names.get(2), Some(&Val::str("data")));
    }

    #[test]
    fn extension_ids_name_the_last_provider() {
        let id = Val::str(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/providers/Microsoft.Authorization/roleAssignments/g",
        );
        let info = parse_resource_id(&id).unwrap();
        assert_eq!(
            info.resource_type.as_deref(),
            Some("Microsoft.Authorization/roleAssignments")
        );
    }

    #[test]
    fn same_resource_compares_names() {
        let a = parse_resource_id(&Val::str(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ID-A",
        ))
        .unwrap();
        let b = parse_resource_id(&Val::str(
            "Microsoft.ManagedIdentity/userAssignedIdentities/id-a",
        ))
        .unwrap();
        assert!(same_resource(&a, &b));
        let c = parse_resource_id(&Val::str(
            "Microsoft.ManagedIdentity/userAssignedIdentities/id-b",
        ))
        .unwrap();
        assert!(!same_resource(&a, &c));
    }
}
