//! From a [`Model`] and its findings to a [`Graph`].

use std::collections::HashMap;

use super::{Edge, EdgeKind, Graph, Mark, Node, NodeKind, Source, stable_id};
use crate::expr::Val;
use crate::finding::Finding;
use crate::model::{IdProperty, Location, Model, Principal, Role};
use crate::template::ids::parse_resource_id;
use crate::vocab::ScopeLevel;

/// What a JSON pointer of a file was drawn as.
#[derive(Clone, Copy)]
enum Target {
    Node(usize),
    Edge(usize),
}

struct Builder<'m, 'a> {
    model: &'m Model<'a>,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    node_index: HashMap<String, usize>,
    edge_index: HashMap<String, usize>,
    /// (file, pointer) → what it was drawn as, for placing findings.
    places: HashMap<(String, String), Target>,
}

/// The graph of one evaluation: `model` is the evaluation's model and
/// `findings` the findings it reported (suppressed ones are not marked).
pub fn build(model: &Model<'_>, template: &str, findings: &[Finding]) -> Graph {
    let mut b = Builder {
        model,
        nodes: Vec::new(),
        edges: Vec::new(),
        node_index: HashMap::new(),
        edge_index: HashMap::new(),
        places: HashMap::new(),
    };
    b.identities();
    b.attachments();
    b.custom_roles();
    b.role_assignments();
    b.settings();
    b.federated_credentials();
    let unplaced = b.mark(findings);
    b.privileges();
    let Builder { nodes, edges, .. } = b;
    Graph {
        template: template.to_string(),
        parameters_file: model
            .parameter_file
            .and_then(|f| model.files.get(f))
            .map(|e| e.path.clone()),
        environment: model.environment.as_ref().map(|e| e.name.clone()),
        nodes,
        edges,
        findings: unplaced,
        omitted: None,
    }
}

/// A lower-case key for an ID or name (ARM compares them so).
fn key_of(v: &Val) -> String {
    v.display().to_ascii_lowercase()
}

/// How broad a role is: 4 can grant access (Owner, User Access
/// Administrator, a custom role with `roleAssignments/write`), 3
/// privileged or `*` (Contributor), 2 reaches data or attaches identities,
/// 1 any other known role, 0 not known.
fn role_rank(model: &Model<'_>, role: &Role) -> u8 {
    match role {
        Role::Builtin(r) if r.grants_access => 4,
        Role::Builtin(r) if r.privileged || r.wildcard_actions => 3,
        Role::Builtin(r) if r.identity_attach || r.data_plane => 2,
        Role::Builtin(_) => 1,
        Role::Custom(i) => match model.custom_roles.get(*i) {
            Some(c) if c.grants_access().is_some() => 4,
            Some(c) if c.has_wildcard_action() => 3,
            _ => 2,
        },
        _ => 0,
    }
}

fn scope_rank(level: Option<ScopeLevel>) -> u32 {
    match level {
        None => 0,
        Some(ScopeLevel::Resource) => 1,
        Some(ScopeLevel::ResourceGroup) => 2,
        Some(ScopeLevel::Subscription) => 3,
        Some(ScopeLevel::ManagementGroup) => 4,
        Some(ScopeLevel::Tenant) => 5,
    }
}

/// The text written at a location, without JSON quotes and ARM's
/// expression brackets, shortened.
fn written(model: &Model<'_>, loc: &Location) -> String {
    let text = model
        .files
        .get(loc.file)
        .and_then(|e| {
            e.text
                .get(loc.span.start as usize..loc.span.end as usize)
                .map(str::to_string)
        })
        .unwrap_or_default();
    let t = text.trim();
    let t = t
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(t);
    let t = t
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(t);
    Val::str(t).display_compact()
}

impl Builder<'_, '_> {
    fn source_of(&self, loc: &Location) -> Option<Source> {
        let entry = self.model.files.get(loc.file)?;
        Some(Source {
            file: entry.path.clone(),
            pointer: entry.pointer(loc.node),
            range: self.model.files.range(loc.file, loc.span),
        })
    }

    fn resource_location(&self, resource: usize) -> Option<Location> {
        let r = self.model.resource(resource)?;
        let doc = &self.model.files.get(r.file)?.doc;
        Some(Location {
            file: r.file,
            node: r.node,
            span: doc.span(r.node),
        })
    }

    fn place(&mut self, source: &Option<Source>, target: Target) {
        if let Some(s) = source {
            self.places
                .entry((s.file.clone(), s.pointer.clone()))
                .or_insert(target);
        }
    }

    /// Adds a node (or returns the one with the same ID).
    fn node(&mut self, key: &str, kind: NodeKind, make: impl FnOnce(&Self) -> Node) -> usize {
        let id = stable_id('n', &format!("{kind:?}:{key}"));
        let id = match kind {
            // One node per resource, whatever it is drawn as.
            NodeKind::Workload | NodeKind::Resource => stable_id('n', &format!("resource:{key}")),
            _ => id,
        };
        if let Some(i) = self.node_index.get(&id) {
            // A resource first seen as a scope and then used as a workload
            // is a workload.
            if kind == NodeKind::Workload
                && let Some(n) = self.nodes.get_mut(*i)
            {
                n.kind = NodeKind::Workload;
            }
            return *i;
        }
        let mut node = make(self);
        node.id = id.clone();
        node.kind = kind;
        let i = self.nodes.len();
        let source = node.source.clone();
        self.nodes.push(node);
        self.node_index.insert(id, i);
        self.place(&source, Target::Node(i));
        i
    }

    fn node_id(&self, i: usize) -> String {
        self.nodes.get(i).map(|n| n.id.clone()).unwrap_or_default()
    }

    fn edge(&mut self, mut edge: Edge) -> usize {
        let id = stable_id(
            'e',
            &format!(
                "{}>{}:{}:{}",
                edge.from,
                edge.to,
                edge.kind.as_str(),
                edge.label.as_deref().unwrap_or("")
            ),
        );
        if let Some(i) = self.edge_index.get(&id) {
            let i = *i;
            let source = edge.source.clone();
            self.place(&source, Target::Edge(i));
            return i;
        }
        edge.id = id.clone();
        let i = self.edges.len();
        let source = edge.source.clone();
        self.edges.push(edge);
        self.edge_index.insert(id, i);
        self.place(&source, Target::Edge(i));
        i
    }

    fn blank(&self) -> Node {
        Node {
            id: String::new(),
            kind: NodeKind::Scope,
            label: String::new(),
            detail: None,
            unknown: false,
            group: None,
            source: None,
            findings: Vec::new(),
            privilege: 0,
            change: None,
        }
    }

    /// A node for a resource of the evaluation.
    fn resource_node(&mut self, resource: usize, kind: NodeKind) -> usize {
        let Some(r) = self.model.resource(resource) else {
            return usize::MAX;
        };
        let key = key_of(&r.id);
        let name = self.model.display_name(resource);
        let unknown = !r.name.is_fully_known();
        let ty = r.ty.rsplit('/').next().unwrap_or("").to_string();
        let group = parse_resource_id(&r.id)
            .and_then(|i| i.resource_group)
            .map(|g| g.display_compact());
        let env = self.model.environment_of(resource).map(|e| e.name.clone());
        let loc = self.resource_location(resource);
        self.node(&key, kind, |b| {
            let detail = match (kind, env) {
                (NodeKind::UserIdentity, Some(e)) => format!("user-assigned · {e}"),
                (NodeKind::UserIdentity, None) => "user-assigned".to_string(),
                (_, Some(e)) => format!("{ty} · {e}"),
                (_, None) => ty,
            };
            Node {
                label: name,
                detail: Some(detail),
                unknown,
                group,
                source: loc.and_then(|l| b.source_of(&l)),
                ..b.blank()
            }
        })
    }

    fn system_node(&mut self, resource: usize) -> usize {
        let Some(r) = self.model.resource(resource) else {
            return usize::MAX;
        };
        let key = key_of(&r.id);
        let name = self.model.display_name(resource);
        let unknown = !r.name.is_fully_known();
        let group = parse_resource_id(&r.id)
            .and_then(|i| i.resource_group)
            .map(|g| g.display_compact());
        let loc = self.model.locate(resource, &["identity"]);
        self.node(&key, NodeKind::SystemIdentity, |b| Node {
            label: format!("{name} (system-assigned)"),
            detail: Some("system-assigned".to_string()),
            unknown,
            group,
            source: loc.and_then(|l| b.source_of(&l)),
            ..b.blank()
        })
    }

    /// An identity a resource exposes (an AKS kubelet or add-on identity):
    /// one node per resource and identity.
    fn resource_identity_node(&mut self, resource: usize, what: &str) -> usize {
        let Some(r) = self.model.resource(resource) else {
            return usize::MAX;
        };
        let key = format!("{}#{what}", key_of(&r.id));
        let name = self.model.display_name(resource);
        let unknown = !r.name.is_fully_known();
        let group = parse_resource_id(&r.id)
            .and_then(|i| i.resource_group)
            .map(|g| g.display_compact());
        let loc = self.model.locate(resource, &["properties"]);
        self.node(&key, NodeKind::SystemIdentity, |b| Node {
            label: format!("{what} of {name}"),
            detail: Some("managed identity the resource creates".to_string()),
            unknown,
            group,
            source: loc.and_then(|l| b.source_of(&l)),
            ..b.blank()
        })
    }

    fn external_node(&mut self, id: &Val) -> usize {
        let key = key_of(id);
        let info = parse_resource_id(id);
        let name = info
            .as_ref()
            .and_then(|i| i.names.last())
            .map(Val::display_compact)
            .unwrap_or_else(|| id.display_compact());
        let group = info
            .and_then(|i| i.resource_group)
            .map(|g| g.display_compact());
        let unknown = !id.is_fully_known();
        self.node(&key, NodeKind::ExternalIdentity, |b| Node {
            label: name,
            detail: Some("identity outside the deployment".to_string()),
            unknown,
            group,
            ..b.blank()
        })
    }

    fn identities(&mut self) {
        for i in 0..self.model.identities.len() {
            if let Some(r) = self.model.identities.get(i).map(|x| x.resource) {
                self.resource_node(r, NodeKind::UserIdentity);
            }
        }
    }

    fn attachments(&mut self) {
        let model = self.model;
        for a in &model.attachments {
            let workload = self.resource_node(a.workload, NodeKind::Workload);
            let identity = match a
                .identity
                .and_then(|i| self.model.identities.get(i))
                .map(|x| x.resource)
            {
                Some(r) => self.resource_node(r, NodeKind::UserIdentity),
                None => self.external_node(&a.key),
            };
            let source = self.source_of(&a.location);
            let (from, to) = (self.node_id(workload), self.node_id(identity));
            self.edge(edge(from, to, EdgeKind::AttachedTo, None, source));
        }
        for s in &model.system_identities {
            let workload = self.resource_node(s.resource, NodeKind::Workload);
            let identity = self.system_node(s.resource);
            let (from, to) = (self.node_id(workload), self.node_id(identity));
            self.edge(edge(from, to, EdgeKind::AttachedTo, None, None));
        }
    }

    fn custom_roles(&mut self) {
        let model = self.model;
        for c in &model.custom_roles {
            let Some(r) = self.model.resource(c.resource) else {
                continue;
            };
            let key = c.guid.clone().unwrap_or_else(|| key_of(&r.id));
            let label = c
                .role_name
                .clone()
                .unwrap_or_else(|| self.model.display_name(c.resource));
            let unknown = c.role_name.is_none();
            let actions: Vec<String> = c
                .actions
                .iter()
                .take(3)
                .map(|(a, _)| a.display_compact())
                .collect();
            let more = c.actions.len().saturating_sub(3);
            let detail = if actions.is_empty() {
                "custom role".to_string()
            } else if more > 0 {
                format!("custom role: {} and {more} more", actions.join(", "))
            } else {
                format!("custom role: {}", actions.join(", "))
            };
            let loc = self.resource_location(c.resource);
            self.node(&key, NodeKind::CustomRole, |b| Node {
                label,
                detail: Some(detail),
                unknown,
                source: loc.and_then(|l| b.source_of(&l)),
                ..b.blank()
            });
        }
    }

    fn principal_node(&mut self, principal: &Principal, assignment: usize, at: &Location) -> usize {
        match principal {
            Principal::Identity { identity, .. } => {
                match self.model.identities.get(*identity).map(|x| x.resource) {
                    Some(r) => self.resource_node(r, NodeKind::UserIdentity),
                    None => usize::MAX,
                }
            }
            Principal::SystemAssigned { resource, .. } => self.system_node(*resource),
            Principal::ExternalIdentity { id, .. } => self.external_node(id),
            Principal::ResourceIdentity { resource, what, .. } => {
                self.resource_identity_node(*resource, what)
            }
            Principal::Literal(guid) => {
                let key = guid.to_ascii_lowercase();
                self.node(&key, NodeKind::Principal, |b| Node {
                    label: format!("principal {guid}"),
                    detail: Some("object ID written in the template".to_string()),
                    ..b.blank()
                })
            }
            Principal::Unknown => {
                let text = written(self.model, at);
                let key = match self.model.resource(assignment) {
                    Some(r) => format!("{}:{text}", key_of(&r.id)),
                    None => text.clone(),
                };
                self.node(&key, NodeKind::Principal, |b| Node {
                    label: format!("unknown principal: {text}"),
                    detail: Some("not known at check time".to_string()),
                    unknown: true,
                    source: b.source_of(at),
                    ..b.blank()
                })
            }
        }
    }

    fn scope_node(
        &mut self,
        scope: &Val,
        level: Option<ScopeLevel>,
        target: Option<usize>,
    ) -> usize {
        if let Some(t) = target {
            return self.resource_node(t, NodeKind::Resource);
        }
        let info = parse_resource_id(scope);
        let unknown = level.is_none();
        let compact = |v: &Option<Val>| {
            v.as_ref()
                .map(Val::display_compact)
                .unwrap_or_else(|| "?".to_string())
        };
        let (kind, label) = match (level, &info) {
            (Some(ScopeLevel::Tenant), _) => (NodeKind::Tenant, "tenant".to_string()),
            (Some(ScopeLevel::ManagementGroup), Some(i)) => (
                NodeKind::ManagementGroup,
                format!("management group {}", compact(&i.management_group)),
            ),
            (Some(ScopeLevel::Subscription), Some(i)) => (
                NodeKind::Subscription,
                format!("subscription {}", compact(&i.subscription)),
            ),
            (Some(ScopeLevel::ResourceGroup), Some(i)) => (
                NodeKind::ResourceGroup,
                format!("resource group {}", compact(&i.resource_group)),
            ),
            (Some(ScopeLevel::Resource), Some(i)) => (
                NodeKind::Resource,
                format!(
                    "{} {}",
                    i.resource_type
                        .as_deref()
                        .and_then(|t| t.rsplit('/').next())
                        .unwrap_or("resource"),
                    i.names
                        .iter()
                        .map(Val::display_compact)
                        .collect::<Vec<_>>()
                        .join("/")
                ),
            ),
            _ => (
                NodeKind::Scope,
                format!("unknown scope: {}", scope.display_compact()),
            ),
        };
        let group = match kind {
            NodeKind::Resource => info
                .as_ref()
                .and_then(|i| i.resource_group.as_ref())
                .map(Val::display_compact),
            _ => None,
        };
        let key = key_of(scope);
        let key = match kind {
            NodeKind::Resource => key,
            _ => format!("scope:{key}"),
        };
        self.node(&key, kind, |b| Node {
            label,
            detail: level.map(|l| l.describe().to_string()),
            unknown,
            group,
            ..b.blank()
        })
    }

    fn role_assignments(&mut self) {
        let model = self.model;
        for a in &model.role_assignments {
            let from = self.principal_node(&a.principal, a.resource, &a.principal_location);
            let to = self.scope_node(&a.scope, a.scope_level, a.target);
            if from == usize::MAX || to == usize::MAX {
                continue;
            }
            let (label, unknown, role_node) = match &a.role {
                Role::Builtin(r) => (r.name.to_string(), false, None),
                Role::Custom(i) => {
                    let c = self.model.custom_roles.get(*i);
                    let name = c
                        .and_then(|c| c.role_name.clone())
                        .unwrap_or_else(|| "custom role".to_string());
                    let node = c.and_then(|c| {
                        let key = c
                            .guid
                            .clone()
                            .or_else(|| self.model.resource(c.resource).map(|r| key_of(&r.id)))?;
                        Some(stable_id('n', &format!("{:?}:{key}", NodeKind::CustomRole)))
                    });
                    (name, false, node)
                }
                Role::OtherGuid(g) => (format!("role {g}"), false, None),
                Role::Malformed(s) => (
                    format!("malformed role: {}", Val::str(s.as_str()).display_compact()),
                    false,
                    None,
                ),
                Role::Unknown => (
                    format!("unknown role: {}", written(self.model, &a.role_location)),
                    true,
                    None,
                ),
            };
            let source = self
                .resource_location(a.resource)
                .and_then(|l| self.source_of(&l));
            let (from, to) = (self.node_id(from), self.node_id(to));
            let mut e = edge(from, to, EdgeKind::HasRoleAt, Some(label), source);
            e.role_rank = Some(role_rank(self.model, &a.role));
            e.scope_level = a.scope_level;
            e.role_node = role_node;
            e.unknown = unknown || a.scope_level.is_none();
            self.edge(e);
        }
    }

    fn settings(&mut self) {
        let model = self.model;
        for s in &model.settings {
            let Some(deployment) = self.model.resource(s.workload).map(|r| r.deployment) else {
                continue;
            };
            let principal = crate::model::principal_of(self.model, &s.value, deployment);
            let via = principal.via();
            if !matches!(via, Some(IdProperty::ClientId | IdProperty::PrincipalId)) {
                continue;
            }
            let identity = match &principal {
                Principal::Identity { identity, .. } => {
                    match self.model.identities.get(*identity).map(|x| x.resource) {
                        Some(r) => self.resource_node(r, NodeKind::UserIdentity),
                        None => continue,
                    }
                }
                Principal::SystemAssigned { resource, .. } => self.system_node(*resource),
                Principal::ExternalIdentity { id, .. } => self.external_node(id),
                _ => continue,
            };
            let workload = self.resource_node(s.workload, NodeKind::Workload);
            let label = match via {
                Some(IdProperty::PrincipalId) => format!("{} = principalId", s.name),
                _ => s.name.clone(),
            };
            let source = self.source_of(&s.location);
            let (from, to) = (self.node_id(identity), self.node_id(workload));
            self.edge(edge(from, to, EdgeKind::FeedsClientId, Some(label), source));
        }
    }

    /// Federated credentials are drawn as part of their identity: their
    /// findings go to its node.
    fn federated_credentials(&mut self) {
        let model = self.model;
        for f in &model.federated_credentials {
            let Some(r) = f
                .identity
                .and_then(|i| self.model.identities.get(i))
                .map(|x| x.resource)
            else {
                continue;
            };
            let node = self.resource_node(r, NodeKind::UserIdentity);
            let source = self
                .resource_location(f.resource)
                .and_then(|l| self.source_of(&l));
            self.place(&source, Target::Node(node));
        }
    }

    /// Marks every unsuppressed finding on the node or edge whose source
    /// is the nearest enclosing JSON value of the finding's pointer; the
    /// findings that concern none are returned.
    fn mark(&mut self, findings: &[Finding]) -> Vec<Mark> {
        let mut unplaced = Vec::new();
        for f in findings.iter().filter(|f| f.suppression.is_none()) {
            let mark = Mark {
                code: f.code.clone(),
                severity: f.severity,
                message: f.message.clone(),
                fingerprint: f.fingerprint.clone(),
                file: f.file.clone(),
                line: f.range.start.line,
            };
            let mut pointer = f.pointer.as_str();
            let target = loop {
                if let Some(t) = self.places.get(&(f.file.clone(), pointer.to_string())) {
                    break Some(*t);
                }
                match pointer.rfind('/') {
                    Some(i) => pointer = pointer.get(..i).unwrap_or(""),
                    None => break None,
                }
            };
            let marks = match target {
                Some(Target::Node(i)) => self.nodes.get_mut(i).map(|n| &mut n.findings),
                Some(Target::Edge(i)) => self.edges.get_mut(i).map(|e| &mut e.findings),
                None => None,
            };
            match marks {
                Some(m) => {
                    if !m.iter().any(|x| x.fingerprint == mark.fingerprint) {
                        m.push(mark);
                    }
                }
                None => unplaced.push(mark),
            }
        }
        unplaced
    }

    /// Every principal's privilege: the most its role edges allow (role
    /// rank × 10 + scope width).
    fn privileges(&mut self) {
        let mut best: HashMap<&str, u32> = HashMap::new();
        for e in &self.edges {
            if e.kind != EdgeKind::HasRoleAt {
                continue;
            }
            let p = u32::from(e.role_rank.unwrap_or(0)) * 10 + scope_rank(e.scope_level);
            let slot = best.entry(e.from.as_str()).or_insert(0);
            *slot = (*slot).max(p);
        }
        let best: HashMap<String, u32> =
            best.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        for n in &mut self.nodes {
            if let Some(p) = best.get(&n.id) {
                n.privilege = *p;
            }
        }
    }
}

fn edge(
    from: String,
    to: String,
    kind: EdgeKind,
    label: Option<String>,
    source: Option<Source>,
) -> Edge {
    Edge {
        id: String::new(),
        from,
        to,
        kind,
        label,
        role_rank: None,
        scope_level: None,
        role_node: None,
        unknown: false,
        source,
        findings: Vec::new(),
        change: None,
        was: None,
    }
}
