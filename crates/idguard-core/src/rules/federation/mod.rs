//! MI7xx — federated identity credentials: who outside Azure may act as
//! a user-assigned identity.

pub(super) mod federated_credential_broad_subject;
pub(super) mod federated_credential_count;
pub(super) mod federated_credential_environment;
pub(super) mod federated_credential_token_exchange;

use crate::model::{FederatedCredential, Model, Role};
use crate::policy::Policy;

/// The identity a credential belongs to, for messages.
pub(crate) fn identity_of(model: &Model<'_>, c: &FederatedCredential) -> String {
    match c.identity.and_then(|i| model.identities.get(i)) {
        Some(id) => crate::rules::words::named(model, id.resource, "identity"),
        None => "its identity".to_string(),
    }
}

/// What makes the credential's identity worth protecting, for messages:
/// a privileged role (Owner, Contributor, a role that can grant access, a
/// custom role with `*` or one that can grant access), or a production
/// environment. `None` when neither is known.
pub(crate) fn stakes(
    model: &Model<'_>,
    policy: &Policy,
    c: &FederatedCredential,
) -> Option<String> {
    let identity = c.identity?;
    for a in model.assignments_of(identity) {
        let role = match &a.role {
            Role::Builtin(r) if r.privileged || r.grants_access => Some(r.name.to_string()),
            Role::Custom(i) => model
                .custom_roles
                .get(*i)
                .filter(|r| r.has_wildcard_action() || r.grants_access().is_some())
                .map(|r| {
                    r.role_name
                        .as_deref()
                        .map(|n| format!("custom role '{n}'"))
                        .unwrap_or_else(|| "a broad custom role".into())
                }),
            _ => None,
        };
        if let Some(role) = role {
            let at = a
                .scope_level
                .map(|l| format!(" at {}", l.describe()))
                .unwrap_or_default();
            return Some(format!("holds {role}{at}"));
        }
    }
    let env = model.identities.get(identity)?.environment.as_ref()?;
    policy
        .is_production(&env.name)
        .then(|| format!("is a production identity ({})", env.describe()))
}

/// What a subject trusts, as far as its shape tells.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Trusts<'s> {
    /// GitHub Actions runs for any pull request (`repo:o/r:pull_request`).
    AnyPullRequest,
    /// One branch (`repo:o/r:ref:refs/heads/<branch>`).
    Branch(&'s str),
    /// One deployment environment (`repo:o/r:environment:<name>`).
    Environment(&'s str),
    /// A Kubernetes service account (`system:serviceaccount:<ns>:<name>`).
    ServiceAccount(&'s str),
    /// Anything else: compared as written.
    Other(&'s str),
}

/// Reads a subject of the shapes GitHub Actions and Kubernetes issue.
pub(crate) fn trusts(subject: &str) -> Trusts<'_> {
    if let Some(rest) = subject.strip_prefix("repo:") {
        // `repo:<owner>/<repo>:<what>`
        let what = rest.split_once(':').map(|(_, w)| w).unwrap_or("");
        if what.eq_ignore_ascii_case("pull_request") {
            return Trusts::AnyPullRequest;
        }
        if let Some(b) = what.strip_prefix("ref:refs/heads/") {
            return Trusts::Branch(b);
        }
        if let Some(e) = what.strip_prefix("environment:") {
            return Trusts::Environment(e);
        }
        return Trusts::Other(what);
    }
    if let Some(sa) = subject.strip_prefix("system:serviceaccount:") {
        return Trusts::ServiceAccount(sa);
    }
    Trusts::Other(subject)
}

#[cfg(test)]
mod tests {
    use super::{Trusts, trusts};

    #[test]
    fn subjects_read_as_issuers_write_them() {
        assert_eq!(trusts("repo:org/app:pull_request"), Trusts::AnyPullRequest);
        assert_eq!(
            trusts("repo:org/app:ref:refs/heads/main"),
            Trusts::Branch("main")
        );
        assert_eq!(
            trusts("repo:org/app:environment:prod"),
            Trusts::Environment("prod")
        );
        assert_eq!(
            trusts("system:serviceaccount:payments-dev:api"),
            Trusts::ServiceAccount("payments-dev:api")
        );
        assert_eq!(
            trusts("sc://org/project/conn"),
            Trusts::Other("sc://org/project/conn")
        );
    }
}
