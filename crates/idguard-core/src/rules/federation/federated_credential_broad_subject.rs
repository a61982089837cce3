use crate::rules::{Rule, RuleContext};

use super::{Trusts, identity_of, stakes, trusts};

declare_rule! {
    /// ## What it does
    /// Flags a federated identity credential that lets too many outside
    /// runs act as a user-assigned identity that matters:
    ///
    /// - a GitHub subject `repo:<owner>/<repo>:pull_request`, which every
    ///   pull-request run of the repository matches, or a flexible
    ///   credential whose `claimsMatchingExpression` matches any branch or
    ///   anything of the repository (`…:ref:refs/heads/*`, `repo:o/r:*`),
    ///   on an identity that holds a privileged role (Owner, Contributor,
    ///   a role that can grant access, a broad custom role) or belongs to
    ///   production;
    /// - a `subject` with `*` in it, on any identity: Azure compares
    ///   subjects exactly, so the `*` is a literal character. The
    ///   credential either never matches or was meant to trust every
    ///   branch, and is one edit from doing so with a flexible credential.
    ///
    /// ## Why is this bad?
    /// Whoever can open a pull request, or push any branch, can run a
    /// workflow: with such a credential that workflow gets the identity's
    /// tokens and everything its roles allow, without review. Production
    /// deployments and privileged identities should trust one protected
    /// branch or one deployment environment with required reviewers.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
    ///   "apiVersion": "2023-01-31",
    ///   "name": "id-deploy-prod/github-pr",
    ///   "properties": {
    ///     "issuer": "https://token.actions.githubusercontent.com",
    ///     "subject": "repo:contoso/payments:pull_request",
    ///     "audiences": ["api://AzureADTokenExchange"]
    ///   }
    /// }
    /// ```
    /// Use instead a protected environment:
    /// ```json
    /// "subject": "repo:contoso/payments:environment:production"
    /// ```
    ///
    /// ## Fix
    /// Trust a GitHub deployment environment with required reviewers (or
    /// one protected branch). Give pull-request runs their own identity
    /// with read-only roles, if they need Azure at all.
    pub struct FederatedCredentialBroadSubject {
        level: Error,
        summary: "a federated credential trusts any pull request or any branch for a privileged or production identity, or has a wildcard-like subject",
    }
}

impl Rule for FederatedCredentialBroadSubject {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        for c in &model.federated_credentials {
            let who = identity_of(model, c);
            if let Some((subject, location)) = &c.subject
                && let Some(s) = subject.as_str()
            {
                if s.contains('*') {
                    ctx.report(
                        *location,
                        Some(c.resource),
                        format!(
                            "the federated credential of {who} has subject '{s}' with '*' in it, which Azure compares literally: it matches no token, or was meant to trust every match"
                        ),
                        "write the exact subject of one branch or environment; to match a pattern on purpose, a flexible credential (claimsMatchingExpression) says so",
                    );
                    continue;
                }
                if trusts(s) == Trusts::AnyPullRequest
                    && let Some(stakes) = stakes(model, ctx.policy, c)
                {
                    ctx.report(
                        *location,
                        Some(c.resource),
                        format!(
                            "the federated credential of {who} trusts every pull-request run of the repository ('{s}'), and the identity {stakes}"
                        ),
                        "trust a deployment environment with required reviewers or one protected branch; give pull-request runs a separate, read-only identity",
                    );
                }
            }
            if let Some((expr, location)) = &c.claims_expression
                && let Some(e) = expr.as_str()
                && any_ref(e)
                && let Some(stakes) = stakes(model, ctx.policy, c)
            {
                ctx.report(
                    *location,
                    Some(c.resource),
                    format!(
                        "the federated credential of {who} matches claims with '{e}', which any branch of the repository satisfies, and the identity {stakes}"
                    ),
                    "match one protected branch or a deployment environment with required reviewers",
                );
            }
        }
    }
}

/// Whether a flexible credential's expression matches any branch or any
/// run of a repository: a pattern whose `*` stands for the branch
/// (`ref:refs/heads/*`) or for everything after the repository
/// (`repo:o/r:*`).
fn any_ref(expression: &str) -> bool {
    let e = expression.to_ascii_lowercase();
    e.contains("refs/heads/*") || e.contains("ref:*") || {
        // `repo:<owner>/<repo>:*`
        e.split('\'').any(|quoted| {
            quoted
                .strip_prefix("repo:")
                .and_then(|r| r.split_once(':'))
                .is_some_and(|(_, what)| what.starts_with('*'))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::any_ref;

    #[test]
    fn expressions_that_match_any_branch() {
        assert!(any_ref(
            "claims['sub'] matches 'repo:contoso/app:ref:refs/heads/*'"
        ));
        assert!(any_ref("claims['sub'] matches 'repo:contoso/app:*'"));
        assert!(!any_ref(
            "claims['sub'] matches 'repo:contoso/app:ref:refs/heads/release/*'"
        ));
        assert!(!any_ref(
            "claims['sub'] eq 'repo:contoso/app:environment:production'"
        ));
    }
}
