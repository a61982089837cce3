use std::collections::BTreeMap;

use crate::expr::Val;
use crate::rules::wiring::is_client_id_setting;
use crate::rules::{Rule, RuleContext};

declare_rule! {
    /// ## What it does
    /// Flags a workload (web app, function app, container app, container
    /// group) that has several user-assigned identities — or only
    /// user-assigned ones, no system-assigned identity — but no
    /// `AZURE_CLIENT_ID`-style setting telling the Azure SDK which identity
    /// to use.
    ///
    /// ## Why is this bad?
    /// `DefaultAzureCredential` and `ManagedIdentityCredential` ask for the
    /// system-assigned identity unless told a client ID. With several
    /// user-assigned identities the token comes from whichever the platform
    /// picks, or the request fails; with only user-assigned identities and
    /// no client ID it fails at run time, not at deployment.
    ///
    /// ## Example
    /// ```json
    /// "identity": {
    ///   "type": "UserAssigned",
    ///   "userAssignedIdentities": { "[variables('apiIdentityId')]": {}, "[variables('jobsIdentityId')]": {} }
    /// }
    /// ```
    /// and no client-ID setting. Use instead:
    /// ```json
    /// "appSettings": [
    ///   { "name": "AZURE_CLIENT_ID", "value": "[reference(variables('apiIdentityId'), '2023-01-31').clientId]" }
    /// ]
    /// ```
    ///
    /// ## Fix
    /// Add an `AZURE_CLIENT_ID` app setting (or environment variable) with
    /// the `clientId` of the identity the code should use, and pass it to
    /// the credential.
    pub struct ClientIdForMultipleIdentities {
        level: Info,
        summary: "a workload with several (or only) user-assigned identities has no AZURE_CLIENT_ID-style setting naming the one to use",
    }
}

/// Workload types whose settings the model reads.
const WORKLOADS: &[&str] = &[
    "Microsoft.Web/sites",
    "Microsoft.Web/sites/slots",
    "Microsoft.App/containerApps",
    "Microsoft.App/jobs",
    "Microsoft.ContainerInstance/containerGroups",
];

impl Rule for ClientIdForMultipleIdentities {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        let mut per_workload: BTreeMap<usize, usize> = BTreeMap::new();
        for a in &model.attachments {
            *per_workload.entry(a.workload).or_default() += 1;
        }
        for (workload, count) in per_workload {
            let Some(r) = model.resource(workload) else {
                continue;
            };
            if !WORKLOADS.iter().any(|t| r.is_type(t)) {
                continue;
            }
            let identity_type = r
                .get(&["identity", "type"])
                .and_then(Val::as_str)
                .unwrap_or_default()
                .to_ascii_lowercase();
            let has_system = identity_type.contains("systemassigned");
            if count < 2 && has_system {
                continue;
            }
            // Settings may come from a separate `sites/config` resource or be
            // unknown (a parameter): then the rule cannot tell.
            let settings_known = r
                .get(&["properties", "siteConfig", "appSettings"])
                .is_none_or(|v| !v.is_unknown());
            let has_client_id = model
                .settings
                .iter()
                .any(|s| s.workload == workload && is_client_id_setting(&s.name));
            if has_client_id || !settings_known {
                continue;
            }
            let Some(loc) = model.locate(workload, &["type"]) else {
                continue;
            };
            let why = if count >= 2 {
                format!("has {count} user-assigned identities")
            } else {
                "has only a user-assigned identity".to_string()
            };
            ctx.report(
                loc,
                Some(workload),
                format!(
                    "{} {why} but no AZURE_CLIENT_ID setting saying which one the SDK should use",
                    crate::rules::words::quoted(model, workload)
                ),
                "add an AZURE_CLIENT_ID setting with the clientId of the identity the code uses",
            );
        }
    }
}
