//! The list of rules: every built-in rule's code, name and family, and the
//! file that implements it, in one place.
//!
//! [`rule_list!`] is that list. Everything else that knows which rules exist
//! is made from it:
//!
//! - this module's [`RULES`] and [`FAMILIES`], which the policy loader checks
//!   rule codes and names against (so it needs nothing from `rules`, which
//!   reads the policy);
//! - `rules::all()` and `rules::registry()`, the implementations and their
//!   [`RuleMeta`](crate::rules::RuleMeta) (code, name and family from here;
//!   level, summary and docs from the rule file's `declare_rule!`);
//! - the generated files kept in the repository — `docs/rules/*.md`, the
//!   rules table of `README.md`, the `rules` and exemption `rule` parts of
//!   `policies/policy.schema.json` — which
//!   `crates/idguard-core/tests/generated.rs` checks and rewrites.
//!
//! This module is a leaf: it imports nothing from the rest of the crate.

/// The one list of rules, grouped by family, in code order.
///
/// A family is `module "family-name" PREFIX { ... }`: the module under
/// `rules/` whose folder holds the family's rule files, its name (SARIF
/// tags, JUnit test cases, docs) and what its codes start with. A rule is
/// `CODE "rule-name" file::Struct`: its code (the family's prefix and two
/// digits), its kebab-case name (the file name with dashes), and the struct
/// its file declares with `declare_rule!`. The compiler checks the code
/// against the family, the name against the file, that codes increase and
/// names are unique.
///
/// The list is handed to `$callback!`, a macro of the module that expands
/// it (this one, and `rules`), so that each makes what it needs without the
/// two importing each other.
macro_rules! rule_list {
    ($callback:ident) => {
        $callback! {
            scope "scope-and-privilege" MI1 {
                MI101 "no-broad-privileged-role" no_broad_privileged_role::NoBroadPrivilegedRole,
                MI102 "narrow-role-scope" narrow_role_scope::NarrowRoleScope,
                MI103 "no-escalation-role" no_escalation_role::NoEscalationRole,
                MI104 "custom-role-wildcard" custom_role_wildcard::CustomRoleWildcard,
                MI105 "narrow-attach-rights" narrow_attach_rights::NarrowAttachRights,
                MI107 "key-vault-broad-access-policy" key_vault_broad_access_policy::KeyVaultBroadAccessPolicy,
                MI108 "remediation-privileged-role" remediation_privileged_role::RemediationPrivilegedRole,
            }
            naming "naming-and-ownership" MI2 {
                MI201 "identity-naming" identity_naming::IdentityNaming,
                MI202 "identity-required-tags" identity_required_tags::IdentityRequiredTags,
            }
            environment "environment-separation" MI3 {
                MI301 "environment-separation" environment_separation::EnvironmentSeparation,
                MI302 "cross-environment-identity" cross_environment_identity::CrossEnvironmentIdentity,
            }
            wiring "wiring-correctness" MI4 {
                MI401 "principal-id-not-client-id" principal_id_not_client_id::PrincipalIdNotClientId,
                MI402 "principal-type-service-principal" principal_type_service_principal::PrincipalTypeServicePrincipal,
                MI403 "deterministic-assignment-name" deterministic_assignment_name::DeterministicAssignmentName,
                MI404 "no-hardcoded-identity-reference" no_hardcoded_identity_reference::NoHardcodedIdentityReference,
                MI405 "role-definition-id" role_definition_id::RoleDefinitionId,
                MI406 "assignment-name-computable" assignment_name_computable::AssignmentNameComputable,
            }
            credentials "credentials" MI5 {
                MI501 "no-client-secret" no_client_secret::NoClientSecret,
                MI502 "client-id-for-multiple-identities" client_id_for_multiple_identities::ClientIdForMultipleIdentities,
                MI503 "keys-left-enabled" keys_left_enabled::KeysLeftEnabled,
            }
            lifecycle "reuse-and-lifecycle" MI6 {
                MI601 "shared-identity-blast-radius" shared_identity_blast_radius::SharedIdentityBlastRadius,
                MI602 "unused-identity" unused_identity::UnusedIdentity,
                MI603 "replicated-system-assigned" replicated_system_assigned::ReplicatedSystemAssigned,
            }
            federation "federated-credentials" MI7 {
                MI701 "federated-credential-broad-subject" federated_credential_broad_subject::FederatedCredentialBroadSubject,
                MI702 "federated-credential-token-exchange" federated_credential_token_exchange::FederatedCredentialTokenExchange,
                MI703 "federated-credential-environment" federated_credential_environment::FederatedCredentialEnvironment,
                MI704 "federated-credential-count" federated_credential_count::FederatedCredentialCount,
            }
        }
    };
}
pub(crate) use rule_list;

/// A family of rules: one folder under `rules/`, one hundred codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Family {
    /// Kebab-case name, e.g. `scope-and-privilege`.
    pub name: &'static str,
    /// What every code of the family starts with, e.g. `MI1` (written
    /// `MI1xx` for people).
    pub prefix: &'static str,
}

/// A rule as the list names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RuleId {
    /// Stable code, e.g. `MI101`.
    pub code: &'static str,
    /// Kebab-case name, e.g. `no-broad-privileged-role`.
    pub name: &'static str,
    pub family: Family,
}

/// Expands [`rule_list!`] into [`FAMILIES`] and [`RULES`], and checks it.
macro_rules! catalog {
    ($(
        $family:ident $family_name:literal $prefix:ident {
            $( $code:ident $name:literal $file:ident :: $rule:ident ),* $(,)?
        }
    )*) => {
        /// Every rule family, in code order.
        pub static FAMILIES: &[Family] = &[
            $( Family { name: $family_name, prefix: stringify!($prefix) } ),*
        ];

        /// Every built-in rule, in code order.
        pub static RULES: &[RuleId] = &[
            $($(
                RuleId {
                    code: stringify!($code),
                    name: $name,
                    family: Family { name: $family_name, prefix: stringify!($prefix) },
                }
            ),*),*
        ];

        // The list is checked while it compiles: a mistake in it is a
        // build error naming the line, not a test failure later.
        $($(
            const _: () = assert!(
                code_in_family(stringify!($code), stringify!($prefix)),
                concat!(
                    "rule_list!: ", stringify!($code), " is not a code of family ",
                    stringify!($family), " (", stringify!($prefix), " and two digits)"
                ),
            );
            const _: () = assert!(
                name_matches_file(stringify!($file), $name),
                concat!(
                    "rule_list!: the name of ", stringify!($code), " (", $name,
                    ") is not its file name (", stringify!($file), ") with dashes"
                ),
            );
        )*)*
        const _: () = assert!(
            in_order_and_unique(&[$($(stringify!($code)),*),*], &[$($($name),*),*]),
            "rule_list!: codes must increase down the list and names must be unique",
        );
    };
}
rule_list!(catalog);

/// The rule with this code or name (case-insensitive).
pub fn find(code_or_name: &str) -> Option<&'static RuleId> {
    RULES.iter().find(|r| {
        r.code.eq_ignore_ascii_case(code_or_name) || r.name.eq_ignore_ascii_case(code_or_name)
    })
}

/// The code of a rule given by code or name (case-insensitive).
pub fn rule_code(code_or_name: &str) -> Option<&'static str> {
    find(code_or_name).map(|r| r.code)
}

/// The family of a finding's code: the family of the built-in rule with
/// exactly this code, or none (a plugin's rule, an unknown code).
pub fn family_of(code: &str) -> Option<Family> {
    RULES.iter().find(|r| r.code == code).map(|r| r.family)
}

/// Whether `code` is `prefix` and two ASCII digits.
const fn code_in_family(code: &str, prefix: &str) -> bool {
    let (mut code, mut prefix) = (code.as_bytes(), prefix.as_bytes());
    while let Some((p, rest)) = prefix.split_first() {
        match code.split_first() {
            Some((c, code_rest)) if *c == *p => {
                code = code_rest;
                prefix = rest;
            }
            _ => return false,
        }
    }
    matches!(code, [a, b] if a.is_ascii_digit() && b.is_ascii_digit())
}

/// Whether `name` is `file` with dashes for underscores, in lowercase
/// letters and digits.
const fn name_matches_file(file: &str, name: &str) -> bool {
    let (mut file, mut name) = (file.as_bytes(), name.as_bytes());
    loop {
        match (file.split_first(), name.split_first()) {
            (None, None) => return true,
            (Some((f, file_rest)), Some((n, name_rest))) => {
                let same = (*f == *n && (f.is_ascii_lowercase() || f.is_ascii_digit()))
                    || (*f == b'_' && *n == b'-');
                if !same {
                    return false;
                }
                file = file_rest;
                name = name_rest;
            }
            _ => return false,
        }
    }
}

/// Whether `a` sorts strictly before `b`, byte by byte.
const fn before(a: &str, b: &str) -> bool {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.split_first(), b.split_first()) {
            (_, None) => return false,
            (None, Some(_)) => return true,
            (Some((x, a_rest)), Some((y, b_rest))) => {
                if *x != *y {
                    return *x < *y;
                }
                a = a_rest;
                b = b_rest;
            }
        }
    }
}

/// Whether the codes strictly increase and no two names are equal.
const fn in_order_and_unique(codes: &[&str], names: &[&str]) -> bool {
    let mut codes = codes;
    while let Some((first, rest)) = codes.split_first() {
        if let Some((second, _)) = rest.split_first()
            && !before(first, second)
        {
            return false;
        }
        codes = rest;
    }
    let mut names = names;
    while let Some((first, rest)) = names.split_first() {
        let mut others = rest;
        while let Some((other, more)) = others.split_first() {
            if !before(first, other) && !before(other, first) {
                return false;
            }
            others = more;
        }
        names = rest;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        assert_eq!(rule_code("MI101"), Some("MI101"));
        assert_eq!(rule_code("mi602"), Some("MI602"));
        assert_eq!(rule_code("unused-identity"), Some("MI602"));
        assert_eq!(rule_code("Unused-Identity"), Some("MI602"));
        assert_eq!(rule_code("MI199"), None);
        assert_eq!(rule_code(""), None);
        assert_eq!(
            family_of("MI402").map(|f| f.name),
            Some("wiring-correctness")
        );
        assert_eq!(family_of("mi402"), None, "finding codes are exact");
        assert_eq!(family_of("MI199"), None, "not a rule of the list");
        assert_eq!(family_of("acme/X1"), None);
    }

    #[test]
    fn every_rule_is_in_its_family_and_every_family_has_rules() {
        for rule in RULES {
            assert!(FAMILIES.contains(&rule.family), "{}", rule.code);
            assert!(rule.code.starts_with(rule.family.prefix), "{}", rule.code);
        }
        for family in FAMILIES {
            assert!(RULES.iter().any(|r| r.family == *family), "{}", family.name);
        }
        for pair in FAMILIES.windows(2) {
            assert!(before(pair[0].prefix, pair[1].prefix));
        }
    }

    #[test]
    fn the_compile_time_checks_reject_what_they_should() {
        assert!(code_in_family("MI101", "MI1"));
        assert!(!code_in_family("MI201", "MI1"));
        assert!(!code_in_family("MI1011", "MI1"));
        assert!(!code_in_family("MI1x1", "MI1"));
        assert!(!code_in_family("MI", "MI1"));
        assert!(name_matches_file("unused_identity", "unused-identity"));
        assert!(name_matches_file("mi2_rule", "mi2-rule"));
        assert!(!name_matches_file("unused_identity", "unused-identities"));
        assert!(!name_matches_file("unused_identity", "unused_identity"));
        assert!(!name_matches_file("Unused", "Unused"));
        assert!(!name_matches_file("unused", "unused-"));
        assert!(before("MI101", "MI102"));
        assert!(before("MI10", "MI101"));
        assert!(!before("MI102", "MI101"));
        assert!(!before("MI101", "MI101"));
        assert!(in_order_and_unique(&["MI101", "MI102"], &["a", "b"]));
        assert!(!in_order_and_unique(&["MI102", "MI101"], &["a", "b"]));
        assert!(!in_order_and_unique(&["MI101", "MI101"], &["a", "b"]));
        assert!(!in_order_and_unique(
            &["MI101", "MI102", "MI103"],
            &["a", "b", "a"]
        ));
        assert!(in_order_and_unique(&[], &[]));
    }
}
