//! The identity graph: identities, attachments, role assignments, custom
//! roles and workload settings, each with the location it came from.

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
