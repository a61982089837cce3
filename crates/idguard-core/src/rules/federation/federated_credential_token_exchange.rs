use crate::rules::{Rule, RuleContext};

use super::identity_of;

/// The audiences Entra ID accepts for a federated credential: the token
/// exchange audience of the public cloud, Azure US Government and Azure
/// operated by 21Vianet.
pub const TOKEN_EXCHANGE_AUDIENCES: [&str; 3] = [
    "api://AzureADTokenExchange",
    "api://AzureADTokenExchangeUSGov",
    "api://AzureADTokenExchangeChina",
];

declare_rule! {
    /// ## What it does
    /// Flags a federated identity credential whose token exchange is not
    /// the one Entra ID defines: an audience other than the token-exchange
    /// audience of the cloud (`api://AzureADTokenExchange`, or its US
    /// Government and China forms), more than one audience or none, or an
    /// issuer that is not an `https://` URL (or has `*` or spaces in it).
    ///
    /// ## Why is this bad?
    /// The audience says which relying party an external token is meant
    /// for. A credential that accepts another audience accepts tokens
    /// minted for some other service, which whoever holds them can replay
    /// to act as the identity. Entra ID accepts exactly one audience, and
    /// an issuer is compared exactly as the URL the token carries: a
    /// malformed one never matches, and usually means the credential was
    /// copied from somewhere and not understood.
    ///
    /// ## Example
    /// ```json
    /// "properties": {
    ///   "issuer": "https://token.actions.githubusercontent.com",
    ///   "subject": "repo:contoso/payments:environment:production",
    ///   "audiences": ["api://payments"]
    /// }
    /// ```
    /// Use instead:
    /// ```json
    /// "audiences": ["api://AzureADTokenExchange"]
    /// ```
    ///
    /// ## Fix
    /// Use the token-exchange audience of the cloud, one only, and the
    /// issuer URL exactly as the external identity provider documents it.
    pub struct FederatedCredentialTokenExchange {
        level: Error,
        summary: "a federated credential accepts an audience other than the token-exchange audience, or has a malformed issuer",
    }
}

impl Rule for FederatedCredentialTokenExchange {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        for c in &model.federated_credentials {
            let who = identity_of(model, c);
            let (issuer, issuer_at) = &c.issuer;
            if let Some(i) = issuer.as_str()
                && (!i.starts_with("https://")
                    || i.contains('*')
                    || i.contains(char::is_whitespace))
            {
                ctx.report(
                    *issuer_at,
                    Some(c.resource),
                    format!(
                        "the federated credential of {who} has issuer '{i}', which is not an https URL a token can carry"
                    ),
                    "write the issuer URL exactly as the identity provider documents it (GitHub: https://token.actions.githubusercontent.com)",
                );
            }
            match c.audiences.as_slice() {
                [] => {
                    // An unknown `audiences` (a parameter) is not judged.
                    let written = model
                        .resource(c.resource)
                        .and_then(|r| r.get(&["properties", "audiences"]))
                        .is_some_and(|v| v.as_array().is_some());
                    if written {
                        ctx.report(
                            c.audiences_location,
                            Some(c.resource),
                            format!("the federated credential of {who} lists no audience"),
                            "set audiences to [\"api://AzureADTokenExchange\"]",
                        );
                    }
                }
                [(one, at)] => {
                    if let Some(a) = one.as_str()
                        && !TOKEN_EXCHANGE_AUDIENCES
                            .iter()
                            .any(|t| t.eq_ignore_ascii_case(a))
                    {
                        ctx.report(
                            *at,
                            Some(c.resource),
                            format!(
                                "the federated credential of {who} accepts tokens for audience '{a}', not the token-exchange audience: tokens minted for another service would act as the identity"
                            ),
                            "use \"api://AzureADTokenExchange\" (or the token-exchange audience of your cloud)",
                        );
                    }
                }
                [_, (_, at), ..] => {
                    ctx.report(
                        *at,
                        Some(c.resource),
                        format!(
                            "the federated credential of {who} lists {} audiences; Entra ID accepts exactly one, the token-exchange audience",
                            c.audiences.len()
                        ),
                        "keep only \"api://AzureADTokenExchange\"",
                    );
                }
            }
        }
    }
}
