//! One work budget per template check.
//!
//! A template is written by whoever opens the pull request, and ARM lets a
//! few kilobytes ask for an exponential amount of work: nested deployments
//! that copy themselves at every level, a template that links to itself,
//! variables that double a string fifty times, objects that share their
//! halves (`createObject('l', o, 'r', o)`), user functions that call
//! themselves twice. Per-construct caps (24 levels, 8 copies, 200
//! instances) multiply across levels, so they bound nothing.
//!
//! A [`Budget`] is created once per [`crate::api::check_template`] call and
//! shared by everything that call does for that template: every template
//! view, every level of nested deployments, every copy and every linked
//! file, every evaluation (one per parameter file), and the model and the
//! rules that read the values afterwards. It counts five things against
//! [`Limits`]:
//!
//! - **steps**: expression nodes, JSON nodes, comparisons, the bytes a
//!   string function scans (one step per 16 bytes), the items an array
//!   function walks, the nodes of a template view;
//! - **value bytes**: the size of every value built, counted as the JSON it
//!   would print as (a shared value counts every time it is built into
//!   another one, so values whose halves are shared cannot hide their
//!   size); this bounds memory and every later walk over the values;
//! - **resource instances**: resources of every deployment and copy;
//! - **deployments**: nested deployments and template views;
//! - **nesting**: how deep evaluation nests at any moment (an expression
//!   inside an expression, a value inside a value, a variable evaluated
//!   while evaluating another, a child resource): the bound on the stack,
//!   which a chain of 20,000 variables each naming the next overflowed.
//!
//! The first limit reached stops the evaluation where it is; the check
//! reports it as a file error naming the limit and the place it was hit
//! (the innermost JSON value being evaluated), and no findings (a partial
//! evaluation would be a silent partial pass). Nothing else happens once a
//! budget is spent: every evaluation step asks [`Budget::exhausted`] first.

use std::cell::Cell;

use crate::source::{Document, Span};

/// The sizes of a [`Budget`]. [`Limits::DEFAULT`] is what every check uses;
/// see `docs/security.md` for how the values were chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub steps: u64,
    pub value_bytes: u64,
    pub resources: u64,
    pub deployments: u64,
    /// Deepest nesting of evaluation: expressions inside expressions,
    /// JSON values inside values, a variable evaluated while evaluating
    /// another, child resources. Bounds the stack.
    pub nesting: u64,
}

impl Limits {
    /// The limits of every check.
    pub const DEFAULT: Limits = Limits {
        steps: 5_000_000,
        value_bytes: 64 << 20,
        resources: 10_000,
        deployments: 2_000,
        nesting: 512,
    };

    /// The value of one limit.
    pub fn of(&self, limit: Limit) -> u64 {
        match limit {
            Limit::Steps => self.steps,
            Limit::ValueBytes => self.value_bytes,
            Limit::Resources => self.resources,
            Limit::Deployments => self.deployments,
            Limit::Nesting => self.nesting,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// One of the counters of a [`Budget`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Limit {
    Steps,
    ValueBytes,
    Resources,
    Deployments,
    Nesting,
}

impl Limit {
    /// What the limit counts, for messages: "evaluation steps".
    pub fn what(self) -> &'static str {
        match self {
            Limit::Steps => "evaluation steps",
            Limit::ValueBytes => "bytes of evaluated values",
            Limit::Resources => "resource instances",
            Limit::Deployments => "nested deployments and template views",
            Limit::Nesting => "levels of nested evaluation",
        }
    }

    /// The name used in `docs/security.md` and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Limit::Steps => "steps",
            Limit::ValueBytes => "value bytes",
            Limit::Resources => "resource instances",
            Limit::Deployments => "deployments",
            Limit::Nesting => "nesting",
        }
    }
}

/// How much of each limit a budget has used.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub steps: u64,
    pub value_bytes: u64,
    pub resources: u64,
    pub deployments: u64,
    /// The deepest nesting reached.
    pub nesting: u64,
}

/// The work counter of one template check. Interior mutability: the
/// evaluator holds it by shared reference through every context.
#[derive(Debug)]
pub struct Budget {
    limits: Limits,
    steps: Cell<u64>,
    value_bytes: Cell<u64>,
    resources: Cell<u64>,
    deployments: Cell<u64>,
    nesting: Cell<u64>,
    deepest: Cell<u64>,
    exceeded: Cell<Option<Limit>>,
    /// Where the first limit was hit: the address of the document and the
    /// span of the innermost value being evaluated.
    at: Cell<Option<(usize, Span)>>,
}

impl Default for Budget {
    fn default() -> Self {
        Self::new()
    }
}

impl Budget {
    /// A budget with [`Limits::DEFAULT`].
    pub fn new() -> Self {
        Self::with_limits(Limits::DEFAULT)
    }

    pub fn with_limits(limits: Limits) -> Self {
        Self {
            limits,
            steps: Cell::new(0),
            value_bytes: Cell::new(0),
            resources: Cell::new(0),
            deployments: Cell::new(0),
            nesting: Cell::new(0),
            deepest: Cell::new(0),
            exceeded: Cell::new(None),
            at: Cell::new(None),
        }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    fn charge(&self, counter: &Cell<u64>, limit: Limit, n: u64) -> bool {
        let used = counter.get().saturating_add(n);
        counter.set(used);
        if used > self.limits.of(limit) && self.exceeded.get().is_none() {
            self.exceeded.set(Some(limit));
        }
        self.exceeded.get().is_none()
    }

    /// Spends `n` steps; `false` once any limit is exceeded.
    pub fn steps(&self, n: u64) -> bool {
        self.charge(&self.steps, Limit::Steps, n)
    }

    /// Counts `n` bytes of values built; `false` once any limit is
    /// exceeded.
    pub fn value_bytes(&self, n: u64) -> bool {
        self.charge(&self.value_bytes, Limit::ValueBytes, n)
    }

    /// Counts one resource instance; `false` once any limit is exceeded.
    pub fn resource(&self) -> bool {
        self.charge(&self.resources, Limit::Resources, 1)
    }

    /// Counts one nested deployment or template view; `false` once any
    /// limit is exceeded.
    pub fn deployment(&self) -> bool {
        self.charge(&self.deployments, Limit::Deployments, 1)
    }

    /// Enters one level of nested evaluation, until the guard is dropped;
    /// `None` (the budget is then exceeded) past the nesting limit, or
    /// once any limit is exceeded.
    pub fn enter(&self) -> Option<Nested<'_>> {
        let depth = self.nesting.get() + 1;
        if depth > self.limits.nesting {
            if self.exceeded.get().is_none() {
                self.exceeded.set(Some(Limit::Nesting));
            }
            return None;
        }
        if self.exhausted() {
            return None;
        }
        self.nesting.set(depth);
        self.deepest.set(self.deepest.get().max(depth));
        Some(Nested(self))
    }

    /// Whether a limit has been exceeded: then every evaluation stops.
    pub fn exhausted(&self) -> bool {
        self.exceeded.get().is_some()
    }

    /// The first limit exceeded, if any.
    pub fn exceeded(&self) -> Option<Limit> {
        self.exceeded.get()
    }

    /// Records `span` of `doc` as where the budget ran out, if it has run
    /// out and no place is recorded yet. Callers record the innermost value
    /// first, so the first place recorded is the most precise one.
    pub fn record_at(&self, doc: &Document, span: Span) {
        if self.exhausted() && self.at.get().is_none() {
            self.at.set(Some((doc_key(doc), span)));
        }
    }

    /// Where the budget ran out: the [`doc_key`] of the document and the
    /// span in it.
    pub fn at(&self) -> Option<(usize, Span)> {
        self.at.get()
    }

    pub fn usage(&self) -> Usage {
        Usage {
            steps: self.steps.get(),
            value_bytes: self.value_bytes.get(),
            resources: self.resources.get(),
            deployments: self.deployments.get(),
            nesting: self.deepest.get(),
        }
    }

    /// The message of the file error for an exceeded budget, without the
    /// place: "evaluation budget exceeded: the template needs more than
    /// 50000000 evaluation steps (the 'steps' limit of one template check,
    /// shared by every nested deployment, copy and linked template)".
    pub fn message(&self) -> Option<String> {
        let limit = self.exceeded()?;
        Some(format!(
            "evaluation budget exceeded: the template needs more than {} {} (the '{}' limit of one template check, shared by every nested deployment, copy and linked template)",
            self.limits.of(limit),
            limit.what(),
            limit.name(),
        ))
    }
}

/// One level of nested evaluation ([`Budget::enter`]); leaves it when
/// dropped.
#[derive(Debug)]
pub struct Nested<'a>(&'a Budget);

impl Drop for Nested<'_> {
    fn drop(&mut self) {
        self.0.nesting.set(self.0.nesting.get().saturating_sub(1));
    }
}

/// The identity of a document for [`Budget::at`]: its address.
pub fn doc_key(doc: &Document) -> usize {
    std::ptr::from_ref(doc) as usize
}
