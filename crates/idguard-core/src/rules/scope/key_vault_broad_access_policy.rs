use crate::expr::Val;
use crate::model::principal_of;
use crate::rules::scope::describe_principal;
use crate::rules::{Rule, RuleContext};

declare_rule! {
    /// ## What it does
    /// Flags a Key Vault access policy that gives a managed identity more
    /// than a workload needs: `all`, `purge`, or every permission of a kind
    /// (secrets, keys, certificates), in the vault's `accessPolicies` or in
    /// a `Microsoft.KeyVault/vaults/accessPolicies` resource. Only entries
    /// whose `objectId` is certainly a managed identity (user-assigned or
    /// system-assigned, of this deployment or referenced): people and
    /// applications are other teams' concern. When the vault does not use
    /// Azure RBAC (`enableRbacAuthorization` is not `true`), the help says
    /// how to move to a data role scoped as narrowly as the workload needs.
    ///
    /// ## Why is this bad?
    /// An access policy applies to the whole vault: every secret, key or
    /// certificate in it, with no narrower scope. A workload that reads one
    /// connection string does not need to delete, back up or purge every
    /// secret; `purge` in particular destroys a soft-deleted secret beyond
    /// recovery. The identity outlives the workload, and whoever can run
    /// code as it inherits every permission.
    ///
    /// ## Example
    /// ```json
    /// "accessPolicies": [{
    ///   "tenantId": "[subscription().tenantId]",
    ///   "objectId": "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-orders-prod')).principalId]",
    ///   "permissions": { "secrets": ["all"] }
    /// }]
    /// ```
    /// Use instead:
    /// ```json
    /// "permissions": { "secrets": ["get"] }
    /// ```
    /// or, better, `"enableRbacAuthorization": true` on the vault and the
    /// Key Vault Secrets User role on the secret the workload reads.
    ///
    /// ## Fix
    /// Grant only the operations the workload performs (`get`, and `list`
    /// when it enumerates); never `purge` to a workload. Prefer Azure RBAC
    /// on the vault with a Key Vault data role, scoped to the secret, key
    /// or certificate where possible.
    pub struct KeyVaultBroadAccessPolicy {
        level: Warning,
        summary: "a Key Vault access policy gives a managed identity all, purge, or every permission of a kind",
    }
}

/// Every permission of each kind an access policy can grant (apart from
/// `all`), as the Key Vault API lists them; `purge` is judged on its own.
const EVERY: &[(&str, &[&str])] = &[
    (
        "secrets",
        &[
            "get", "list", "set", "delete", "backup", "restore", "recover",
        ],
    ),
    (
        "keys",
        &[
            "encrypt",
            "decrypt",
            "wrapkey",
            "unwrapkey",
            "sign",
            "verify",
            "get",
            "list",
            "create",
            "update",
            "import",
            "delete",
            "backup",
            "restore",
            "recover",
        ],
    ),
    (
        "certificates",
        &[
            "get",
            "list",
            "delete",
            "create",
            "import",
            "update",
            "managecontacts",
            "getissuers",
            "listissuers",
            "setissuers",
            "deleteissuers",
            "manageissuers",
            "recover",
            "backup",
            "restore",
        ],
    ),
    ("storage", &[]),
];

impl Rule for KeyVaultBroadAccessPolicy {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        for (i, r) in model.eval.resources.iter().enumerate() {
            let is_vault = r.is_type("Microsoft.KeyVault/vaults");
            if !(is_vault || r.is_type("Microsoft.KeyVault/vaults/accessPolicies")) {
                continue;
            }
            let Some(items) = r
                .get(&["properties", "accessPolicies"])
                .and_then(Val::as_array)
            else {
                continue;
            };
            let rbac_off = is_vault
                && r.get(&["properties", "enableRbacAuthorization"])
                    .and_then(Val::as_bool)
                    != Some(true);
            for (j, item) in items.iter().enumerate() {
                let Some(object_id) = item.get("objectId") else {
                    continue;
                };
                let principal = principal_of(model, object_id, r.deployment);
                if !principal.is_managed_identity() {
                    continue;
                }
                let Some(permissions) = item.get("permissions") else {
                    continue;
                };
                let js = j.to_string();
                for (kind, every) in EVERY {
                    let Some(granted) = permissions.get(kind).and_then(Val::as_array) else {
                        continue;
                    };
                    let names: Vec<Option<String>> = granted
                        .iter()
                        .map(|g| g.as_str().map(str::to_ascii_lowercase))
                        .collect();
                    let at = |k: usize| {
                        let ks = k.to_string();
                        model.locate(
                            i,
                            &[
                                "properties",
                                "accessPolicies",
                                &js,
                                "permissions",
                                kind,
                                &ks,
                            ],
                        )
                    };
                    let position = |p: &str| names.iter().position(|n| n.as_deref() == Some(p));
                    let (what, location) = if let Some(k) = position("all") {
                        (format!("'all' {kind} permissions"), at(k))
                    } else if let Some(k) = position("purge") {
                        (format!("'purge' on {kind}"), at(k))
                    } else if !every.is_empty()
                        && every
                            .iter()
                            .all(|p| names.iter().any(|n| n.as_deref() == Some(*p)))
                    {
                        (
                            format!("every {} permission", kind.trim_end_matches('s')),
                            model.locate(
                                i,
                                &["properties", "accessPolicies", &js, "permissions", kind],
                            ),
                        )
                    } else {
                        continue;
                    };
                    let Some(location) = location else {
                        continue;
                    };
                    let vault = if is_vault {
                        format!("Key Vault '{}'", model.display_name(i))
                    } else {
                        "the Key Vault".to_string()
                    };
                    let help = if rbac_off {
                        format!(
                            "grant only the {kind} operations the workload performs (e.g. get); better, set enableRbacAuthorization to true on the vault and give the identity a Key Vault data role (e.g. Key Vault Secrets User) scoped to what it reads"
                        )
                    } else {
                        format!(
                            "grant only the {kind} operations the workload performs (e.g. get), and never purge to a workload"
                        )
                    };
                    ctx.report(
                        location,
                        Some(i),
                        format!(
                            "{vault} gives {} {what} through an access policy, which covers every item in the vault",
                            describe_principal(model, &principal)
                        ),
                        help,
                    );
                }
            }
        }
    }
}
