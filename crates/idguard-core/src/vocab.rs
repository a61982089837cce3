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

/// What ends a name that only points at a secret, squashed as
/// [`with_squashed`] does: the name of a setting holding it
/// (`ClientSecretSettingName`, App Service authentication), a Key Vault
/// path or URI (`ssoClientSecretKeyVaultPath`, `clientSecretUri`), its
/// version or expiry date.
pub(crate) const POINTER_SUFFIXES: &[&[u8]] = &[
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

/// Whether a setting or parameter name is that of a client secret.
///
/// Called for every setting and parameter of every template, so it works
/// on bytes: names are compared lower-case with everything but ASCII
/// letters and digits left out, by plain window comparison (the names are
/// short; building a substring searcher per call cost more than the
/// search).
pub(crate) fn is_client_secret_name(name: &str) -> bool {
    with_squashed(name, is_client_secret_squashed)
}

fn is_client_secret_squashed(n: &[u8]) -> bool {
    const SECRETS: &[&[u8]] = &[
        b"clientsecret",
        b"spsecret",
        b"serviceprincipalsecret",
        b"appsecret",
        b"serviceprincipalpassword",
    ];
    (0..n.len()).any(|at| {
        let rest = n.get(at..).unwrap_or_default();
        SECRETS.iter().any(|k| {
            k.first() == rest.first() && rest.starts_with(k) && {
                let after = rest.get(k.len()..).unwrap_or_default();
                !POINTER_SUFFIXES.iter().any(|p| after.ends_with(p))
            }
        })
    })
}

/// Calls `f` with `name`'s ASCII letters and digits, lower-cased: how the
/// vocabulary compares names (`AZURE_CLIENT_SECRET` → `azureclientsecret`).
/// Names of up to 64 bytes are squashed on the stack: this runs for every
/// key and setting name of every template.
pub(crate) fn with_squashed<R>(name: &str, f: impl FnOnce(&[u8]) -> R) -> R {
    let mut buf = [0u8; 64];
    if name.len() > buf.len() {
        let squashed: Vec<u8> = name
            .bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| b.to_ascii_lowercase())
            .collect();
        return f(&squashed);
    }
    let mut len = 0;
    for (slot, b) in buf
        .iter_mut()
        .zip(name.bytes().filter(u8::is_ascii_alphanumeric))
    {
        *slot = b.to_ascii_lowercase();
        len += 1;
    }
    f(buf.get(..len).unwrap_or_default())
}

/// Whether `hay` holds any of `needles`, bytes compared as they are. For
/// the short names, keys and values the vocabulary is asked about, on
/// every setting of every template: the first byte is tested before a
/// comparison, and no searcher is built per call (`str::contains` builds
/// one per needle, which showed in profiles, most in WebAssembly).
pub(crate) fn contains_any(hay: &[u8], needles: &[&[u8]]) -> bool {
    (0..hay.len()).any(|at| {
        let rest = hay.get(at..).unwrap_or_default();
        needles
            .iter()
            .any(|n| n.first() == rest.first() && rest.starts_with(n))
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

/// Whether `hay` holds `needle` (lower-case), ASCII letters compared in
/// either case: ARM's function and property names as written. Tests the
/// first byte before comparing, and builds no searcher (see
/// [`contains_any`]).
pub(crate) fn contains_ignore_ascii_case(hay: &[u8], needle: &[u8]) -> bool {
    let Some(&first) = needle.first() else {
        return true;
    };
    (0..hay.len()).any(|at| {
        let rest = hay.get(at..).unwrap_or_default();
        rest.first()
            .is_some_and(|b| b.to_ascii_lowercase() == first)
            && rest
                .get(..needle.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    })
}

#[cfg(test)]
mod tests {
    use super::{contains_any, contains_ignore_ascii_case, is_client_secret_name, with_squashed};

    #[test]
    fn contains_ignoring_ascii_case() {
        assert!(contains_ignore_ascii_case(
            b"[Deployment().Properties.TemplateLink.uri]",
            b"templatelink"
        ));
        assert!(contains_ignore_ascii_case(b"templatelink", b"templatelink"));
        assert!(!contains_ignore_ascii_case(b"templatelin", b"templatelink"));
        assert!(!contains_ignore_ascii_case(
            b"template-link",
            b"templatelink"
        ));
        assert!(contains_ignore_ascii_case(b"anything", b""));
        assert!(!contains_ignore_ascii_case(b"", b"a"));
    }

    #[test]
    fn squashing_on_the_stack_and_on_the_heap_agree() {
        let short = "AZURE_CLIENT-SECRET.1";
        assert_eq!(with_squashed(short, <[u8]>::to_vec), b"azureclientsecret1");
        // Past the stack buffer: the same squash, and the same answer.
        let long = format!("{}_ClientSecret", "x_".repeat(40));
        assert!(long.len() > 64);
        let squashed = with_squashed(&long, <[u8]>::to_vec);
        assert_eq!(squashed.len(), 40 + "clientsecret".len());
        assert!(squashed.ends_with(b"clientsecret"));
        assert!(is_client_secret_name(&long));
        assert!(!is_client_secret_name(&format!("{long}Uri")));
        // Exactly 64 bytes still fits.
        let edge = format!("{}clientsecret", "a".repeat(52));
        assert_eq!(edge.len(), 64);
        assert!(is_client_secret_name(&edge));
    }

    #[test]
    fn contains_any_finds_needles_anywhere() {
        let needles: &[&[u8]] = &[b"key", b"password"];
        assert!(contains_any(b"key", needles));
        assert!(contains_any(b"storageaccountkey", needles));
        assert!(contains_any(b"adminpasswordx", needles));
        assert!(!contains_any(b"ke", needles));
        assert!(!contains_any(b"passwor", needles));
        assert!(!contains_any(b"", needles));
        assert!(!contains_any(b"anything", &[]));
    }

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
