//! The vocabulary every layer shares: words of ARM and of identity design
//! that are not evaluated, modelled or checked here, only named. It
//! imports nothing from the crate, so any module may import it (see the
//! layers in docs/architecture.md).

use serde::{Deserialize, Serialize};

/// How wide a scope is, narrowest first (so `a > b` means `a` is wider).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ScopeLevel {
    /// A single resource (or a child resource).
    Resource,
    ResourceGroup,
    Subscription,
    ManagementGroup,
    /// The tenant root (`/`) or the tenant.
    Tenant,
}

impl ScopeLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeLevel::Resource => "resource",
            ScopeLevel::ResourceGroup => "resourceGroup",
            ScopeLevel::Subscription => "subscription",
            ScopeLevel::ManagementGroup => "managementGroup",
            ScopeLevel::Tenant => "tenant",
        }
    }

    /// Words for messages: "subscription scope".
    pub fn describe(self) -> &'static str {
        match self {
            ScopeLevel::Resource => "resource scope",
            ScopeLevel::ResourceGroup => "resource-group scope",
            ScopeLevel::Subscription => "subscription scope",
            ScopeLevel::ManagementGroup => "management-group scope",
            ScopeLevel::Tenant => "tenant scope",
        }
    }
}

/// Whether a setting or parameter name is that of a client secret.
///
/// Called for every setting and parameter of every template, so it works
/// on bytes: names are compared lower-case with everything but ASCII
/// letters and digits left out, by plain window comparison (the names are
/// short; building a substring searcher per call cost more than the
/// search).
pub(crate) fn is_client_secret_name(name: &str) -> bool {
    let n: Vec<u8> = name
        .bytes()
        .filter(u8::is_ascii_alphanumeric)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    const SECRETS: &[&[u8]] = &[
        b"clientsecret",
        b"spsecret",
        b"serviceprincipalsecret",
        b"appsecret",
        b"serviceprincipalpassword",
    ];
    // What follows the secret's name says whether the setting holds the
    // secret or only points at it: `ClientSecretSettingName` (App Service
    // authentication), `ssoClientSecretKeyVaultPath`, `clientSecretUri`.
    const POINTERS: &[&[u8]] = &[
        b"name",
        b"path",
        b"uri",
        b"url",
        b"id",
        b"ref",
        b"reference",
        b"version",
        b"expiry",
        b"expiration",
        b"expirationdate",
        b"enddate",
    ];
    SECRETS.iter().any(|k| {
        n.windows(k.len()).enumerate().any(|(at, w)| {
            w == *k && {
                let rest = n.get(at + k.len()..).unwrap_or_default();
                !POINTERS.iter().any(|p| rest.ends_with(p))
            }
        })
    })
}

/// The operations that grant access: whoever may perform one can give
/// itself (or anyone) any role where it holds it.
pub const ACCESS_WRITE_OPERATIONS: [&str; 2] = [
    "Microsoft.Authorization/roleAssignments/write",
    "Microsoft.Authorization/roleDefinitions/write",
];

/// Whether the role-definition action pattern `pattern` (as written in
/// `actions` or `notActions`: `*` stands for any run of characters,
/// compared without regard to case) covers the operation `operation`.
pub fn action_pattern_matches(pattern: &str, operation: &str) -> bool {
    let p = pattern.as_bytes();
    let o = operation.as_bytes();
    // Classic glob matching with one backtrack point: linear in practice,
    // at most |p|·|o| steps.
    let (mut pi, mut oi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while oi < o.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, oi));
                pi += 1;
            }
            Some(c) if o.get(oi).is_some_and(|x| x.eq_ignore_ascii_case(c)) => {
                pi += 1;
                oi += 1;
            }
            _ => match star {
                Some((sp, so)) => {
                    pi = sp + 1;
                    oi = so + 1;
                    star = Some((sp, so + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|c| *c == b'*'))
}

#[cfg(test)]
mod tests {
    use super::is_client_secret_name;

    #[test]
    fn secret_names_and_pointers_to_them() {
        for name in [
            "ClientSecret",
            "AZURE_CLIENT_SECRET",
            "client-secret",
            "MICROSOFT_PROVIDER_AUTHENTICATION_SECRET_clientSecret",
            "spSecret",
            "servicePrincipalPassword",
            "appSecretValue",
            "clientSecretName_clientSecret",
        ] {
            assert!(is_client_secret_name(name), "{name}");
        }
        for name in [
            "ClientSecretSettingName",
            "ssoClientSecretKeyVaultPath",
            "clientSecretUri",
            "client_secret_id",
            "clientId",
            "secretName",
            "password",
            "",
            "çlientsecrét",
        ] {
            assert!(!is_client_secret_name(name), "{name}");
        }
    }

    #[test]
    fn action_patterns_match_as_arm_reads_them() {
        use super::action_pattern_matches as m;
        let op = "Microsoft.Authorization/roleAssignments/write";
        for p in [
            "*",
            "Microsoft.Authorization/*",
            "microsoft.authorization/roleassignments/*",
            "Microsoft.Authorization/*/write",
            "*/write",
            op,
            "Microsoft.Authorization/roleAssignments/Write",
        ] {
            assert!(m(p, op), "{p}");
        }
        for p in [
            "Microsoft.Authorization/*/read",
            "Microsoft.Storage/*",
            "Microsoft.Authorization/roleAssignments/read",
            "Microsoft.Authorization/roleAssignments",
            "",
            "*/read",
        ] {
            assert!(!m(p, op), "{p}");
        }
    }
}
