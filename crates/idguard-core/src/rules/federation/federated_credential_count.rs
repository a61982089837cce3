use crate::rules::{Rule, RuleContext};

/// How many federated credentials Azure accepts on one user-assigned
/// identity.
const AZURE_LIMIT: usize = 20;

declare_rule! {
    /// ## What it does
    /// Flags a user-assigned identity with more federated identity
    /// credentials than the policy allows (`thresholds.maxFederatedCredentials`,
    /// 5 by default, 3 in the strict policy), counting the credentials the
    /// deployment declares on it (each instance of a copy loop whose count
    /// is known). Above 20, Azure itself refuses the deployment.
    ///
    /// ## Why is this bad?
    /// Every credential is one more external party — a repository, branch,
    /// environment, cluster or cloud account — that can act as the identity
    /// with all its roles. An identity trusted by many of them is a shared
    /// identity in disguise: one compromised pipeline among many gets what
    /// all of them need, and nobody can say which of them still needs it.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
    ///   "name": "[format('id-deploy-prod/repo-{0}', copyIndex())]",
    ///   "copy": { "name": "repos", "count": 12 },
    ///   "properties": { "subject": "[format('repo:contoso/{0}:environment:prod', parameters('repos')[copyIndex()])]" }
    /// }
    /// ```
    /// Use instead one identity per repository (or per workload), each with
    /// the roles that workload needs and its own few credentials.
    ///
    /// ## Fix
    /// Split the identity: give each repository, pipeline or cluster that
    /// needs different access its own identity, and remove credentials
    /// nobody uses. Raise the threshold in the policy only for an identity
    /// that is meant to be shared, with the reason in an exemption.
    pub struct FederatedCredentialCount {
        level: Warning,
        summary: "a user-assigned identity has more federated credentials than the policy allows",
    }
}

impl Rule for FederatedCredentialCount {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        let limit = ctx.policy.max_federated_credentials() as usize;
        let mut by_identity: Vec<(usize, Vec<usize>)> = Vec::new();
        for (k, c) in model.federated_credentials.iter().enumerate() {
            let Some(identity) = c.identity else {
                continue;
            };
            match by_identity.iter_mut().find(|(i, _)| *i == identity) {
                Some((_, list)) => list.push(k),
                None => by_identity.push((identity, vec![k])),
            }
        }
        for (identity, credentials) in by_identity {
            if credentials.len() <= limit {
                continue;
            }
            let Some(first_over) = credentials
                .get(limit)
                .and_then(|k| model.federated_credentials.get(*k))
            else {
                continue;
            };
            let Some(location) = model.locate(first_over.resource, &["name"]) else {
                continue;
            };
            let name = model
                .identities
                .get(identity)
                .map(|i| model.display_name(i.resource))
                .unwrap_or_default();
            let azure = if credentials.len() > AZURE_LIMIT {
                format!("; Azure accepts at most {AZURE_LIMIT}, so the deployment fails")
            } else {
                String::new()
            };
            ctx.report(
                location,
                Some(first_over.resource),
                format!(
                    "identity '{name}' has {} federated credentials, more than the policy's {limit}{azure}: each is an external party that can act as the identity",
                    credentials.len()
                ),
                "give each repository, pipeline or cluster that needs different access its own identity, and remove credentials nobody uses",
            );
        }
    }
}
