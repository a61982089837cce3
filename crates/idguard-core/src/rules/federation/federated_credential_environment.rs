use crate::rules::{Rule, RuleContext};

use super::{Trusts, identity_of, trusts};

declare_rule! {
    /// ## What it does
    /// Flags a federated identity credential that lets a non-production
    /// run act as a production identity: the identity's environment (from
    /// its tags or name, as MI301 reads it) is a production one, and the
    /// credential's subject names a non-production environment — a GitHub
    /// deployment environment (`…:environment:dev`), a branch
    /// (`…:ref:refs/heads/test`), a Kubernetes namespace or service account
    /// (`system:serviceaccount:payments-dev:api`), or any other subject
    /// whose words name exactly one environment. (Every pull request on a
    /// production identity is MI701's.)
    ///
    /// ## Why is this bad?
    /// Environment separation is only as strong as its weakest credential.
    /// A development workflow or cluster is written, run and reviewed with
    /// less care than production; trusting it with a production identity
    /// makes every development change a production change.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
    ///   "name": "id-payments-prod/github",
    ///   "properties": {
    ///     "issuer": "https://token.actions.githubusercontent.com",
    ///     "subject": "repo:contoso/payments:environment:dev",
    ///     "audiences": ["api://AzureADTokenExchange"]
    ///   }
    /// }
    /// ```
    /// Use instead the production environment (and a dev identity for dev):
    /// ```json
    /// "subject": "repo:contoso/payments:environment:prod"
    /// ```
    ///
    /// ## Fix
    /// Trust only production runs from the production identity; give each
    /// environment its own identity and credential.
    pub struct FederatedCredentialEnvironment {
        level: Error,
        summary: "a production identity trusts a non-production environment, branch or cluster through a federated credential",
    }
}

impl Rule for FederatedCredentialEnvironment {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        let policy = ctx.policy;
        for c in &model.federated_credentials {
            let Some(env) = c
                .identity
                .and_then(|i| model.identities.get(i))
                .and_then(|id| id.environment.as_ref())
                .filter(|e| policy.is_production(&e.name))
            else {
                continue;
            };
            let Some((subject, at)) = &c.subject else {
                continue;
            };
            let Some(s) = subject.as_str() else {
                continue;
            };
            let (what, words) = match trusts(s) {
                Trusts::AnyPullRequest => continue,
                Trusts::Environment(e) => ("deployment environment", e),
                Trusts::Branch(b) => ("branch", b),
                Trusts::ServiceAccount(sa) => ("service account", sa),
                Trusts::Other(o) => ("subject", o),
            };
            // `:` separates a Kubernetes namespace from its account.
            let Some(other) = policy
                .environment_in_name(&words.replace(':', "/"))
                .filter(|e| !policy.is_production(e))
            else {
                continue;
            };
            let trusted = format!("{what} '{words}' ({other})");
            ctx.report(
                *at,
                Some(c.resource),
                format!(
                    "{}, a production identity ({}), trusts {trusted} through its federated credential",
                    identity_of(model, c),
                    env.describe()
                ),
                "trust only production runs with the production identity; give the other environment its own identity and credential",
            );
        }
    }
}
