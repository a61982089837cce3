//! The syntax tree: typed, every node with its byte span.
//!
//! Shapes follow Bicep's syntax nodes (`Bicep.Core/Syntax`), without the
//! tokens a consumer does not need (commas, newlines, brackets): those stay
//! in the token stream ([`crate::Lexed`]). Where Bicep's parser recovers
//! from an error, the tree holds an explicit [`Skipped`] node (the tokens it
//! skipped; zero-length when something was simply missing) in place of the
//! node that could not be parsed, so a consumer sees exactly what parsed.
//!
//! `'s` is the lifetime of the parsed text: identifiers and literal string
//! segments without escapes borrow from it.

use std::borrow::Cow;

use crate::span::Span;

/// Which grammar a file was parsed with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// A `.bicep` template.
    Bicep,
    /// A `.bicepparam` parameters file.
    BicepParam,
}

/// Tokens the parser skipped, or (zero-length) the place of something
/// missing. The diagnostic that explains it is in
/// [`crate::Parsed::diagnostics`] (unless Bicep suppresses it as a
/// follow-on error of an earlier one in the same declaration).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub span: Span,
}

impl Skipped {
    /// Nothing was there (a zero-length recovery node).
    pub fn is_missing(&self) -> bool {
        self.span.is_empty()
    }
}

/// A node the grammar requires, or the recovery node in its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Slot<T> {
    Present(T),
    Skipped(Skipped),
}

impl<T> Slot<T> {
    pub fn present(&self) -> Option<&T> {
        match self {
            Slot::Present(t) => Some(t),
            Slot::Skipped(_) => None,
        }
    }

    pub fn is_skipped(&self) -> bool {
        matches!(self, Slot::Skipped(_))
    }
}

impl Slot<Span> {
    /// The span of the token, or of the recovery node.
    pub fn span(&self) -> Span {
        match self {
            Slot::Present(s) => *s,
            Slot::Skipped(s) => s.span,
        }
    }
}

/// An identifier; `name` is `None` when it is missing or was skipped
/// (then `span` is that of the recovery node).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ident<'s> {
    pub span: Span,
    pub name: Option<&'s str>,
}

impl<'s> Ident<'s> {
    /// The name, or `""` for a missing identifier.
    pub fn as_str(&self) -> &'s str {
        self.name.unwrap_or("")
    }

    pub fn is_valid(&self) -> bool {
        self.name.is_some()
    }
}

/// A parsed file.
#[derive(Clone, Debug, PartialEq)]
pub struct Program<'s> {
    pub kind: FileKind,
    /// The whole text (after a BOM).
    pub span: Span,
    /// The statements in order. Blank lines are not statements; text that
    /// is no statement at all is [`Statement::Skipped`].
    pub statements: Vec<Statement<'s>>,
}

/// A top-level statement of a `.bicep` or `.bicepparam` file.
#[derive(Clone, Debug, PartialEq)]
pub enum Statement<'s> {
    TargetScope(Box<TargetScopeDecl<'s>>),
    Metadata(Box<MetadataDecl<'s>>),
    Param(Box<ParamDecl<'s>>),
    Var(Box<VarDecl<'s>>),
    Type(Box<TypeDecl<'s>>),
    Func(Box<FuncDecl<'s>>),
    Resource(Box<ResourceDecl<'s>>),
    Module(Box<ModuleDecl<'s>>),
    Output(Box<OutputDecl<'s>>),
    Import(Box<ImportDecl<'s>>),
    Extension(Box<ExtensionDecl<'s>>),
    Assert(Box<AssertDecl<'s>>),
    Test(Box<TestDecl<'s>>),
    /// `.bicepparam`: `using 'main.bicep'`, `using none`.
    Using(Box<UsingDecl<'s>>),
    /// `.bicepparam`: `extends 'base.bicepparam'`.
    Extends(Box<ExtendsDecl<'s>>),
    /// `.bicepparam`: `param name = value`.
    ParamAssign(Box<ParamAssignDecl<'s>>),
    /// `.bicepparam`: `extensionConfig alias with { … }`.
    ExtensionConfig(Box<ExtensionConfigDecl<'s>>),
    /// Decorators with no declaration after them.
    MissingDeclaration(Box<MissingDecl<'s>>),
    /// Text that is not a statement (BCP007 and friends), or the junk
    /// after a statement before its line ends (BCP019).
    Skipped(Skipped),
}

impl<'s> Statement<'s> {
    pub fn span(&self) -> Span {
        match self {
            Statement::TargetScope(d) => d.span,
            Statement::Metadata(d) => d.span,
            Statement::Param(d) => d.span,
            Statement::Var(d) => d.span,
            Statement::Type(d) => d.span,
            Statement::Func(d) => d.span,
            Statement::Resource(d) => d.span,
            Statement::Module(d) => d.span,
            Statement::Output(d) => d.span,
            Statement::Import(d) => d.span,
            Statement::Extension(d) => d.span,
            Statement::Assert(d) => d.span,
            Statement::Test(d) => d.span,
            Statement::Using(d) => d.span,
            Statement::Extends(d) => d.span,
            Statement::ParamAssign(d) => d.span,
            Statement::ExtensionConfig(d) => d.span,
            Statement::MissingDeclaration(d) => d.span,
            Statement::Skipped(s) => s.span,
        }
    }

    /// The decorators written before the statement.
    pub fn decorators(&self) -> &[Decorator<'s>] {
        match self {
            Statement::TargetScope(d) => &d.decorators,
            Statement::Metadata(d) => &d.decorators,
            Statement::Param(d) => &d.decorators,
            Statement::Var(d) => &d.decorators,
            Statement::Type(d) => &d.decorators,
            Statement::Func(d) => &d.decorators,
            Statement::Resource(d) => &d.decorators,
            Statement::Module(d) => &d.decorators,
            Statement::Output(d) => &d.decorators,
            Statement::Import(d) => &d.decorators,
            Statement::Extension(d) => &d.decorators,
            Statement::Assert(d) => &d.decorators,
            Statement::Test(d) => &d.decorators,
            Statement::Using(d) => &d.decorators,
            Statement::Extends(d) => &d.decorators,
            Statement::ParamAssign(d) => &d.decorators,
            Statement::ExtensionConfig(d) => &d.decorators,
            Statement::MissingDeclaration(d) => &d.decorators,
            Statement::Skipped(_) => &[],
        }
    }

    /// The declared symbol name, for declarations that have one.
    pub fn name(&self) -> Option<&Ident<'s>> {
        Some(match self {
            Statement::Metadata(d) => &d.name,
            Statement::Param(d) => &d.name,
            Statement::Var(d) => &d.name,
            Statement::Type(d) => &d.name,
            Statement::Func(d) => &d.name,
            Statement::Resource(d) => &d.name,
            Statement::Module(d) => &d.name,
            Statement::Output(d) => &d.name,
            Statement::Assert(d) => &d.name,
            Statement::Test(d) => &d.name,
            Statement::ParamAssign(d) => &d.name,
            Statement::ExtensionConfig(d) => &d.name,
            _ => return None,
        })
    }
}

/// `@expr` before a declaration, an object-type member or a tuple item.
#[derive(Clone, Debug, PartialEq)]
pub struct Decorator<'s> {
    /// From `@` to the end of the expression.
    pub span: Span,
    /// A call (`@secure()`), a namespaced call (`@sys.description('…')`,
    /// an [`Expr::InstanceCall`]), a bare name (`@export`), or
    /// [`Expr::Skipped`].
    pub expr: Expr<'s>,
}

impl<'s> Decorator<'s> {
    /// The decorator's name: `description` for `@description(…)` and
    /// `@sys.description(…)`.
    pub fn name(&self) -> Option<&'s str> {
        match &self.expr {
            Expr::Call(c) => c.name.name,
            Expr::InstanceCall(c) => c.name.name,
            Expr::Var(v) => v.name,
            Expr::Property(p) => p.name.name,
            _ => None,
        }
    }

    /// The namespace of `@ns.name(…)` (`sys`, `az`, an import alias).
    pub fn namespace(&self) -> Option<&'s str> {
        match &self.expr {
            Expr::InstanceCall(c) => match &c.base {
                Expr::Var(v) => v.name,
                _ => None,
            },
            Expr::Property(p) => match &p.base {
                Expr::Var(v) => v.name,
                _ => None,
            },
            _ => None,
        }
    }

    /// The arguments of a decorator call (empty for `@name`).
    pub fn args(&self) -> &[Expr<'s>] {
        match &self.expr {
            Expr::Call(c) => &c.args,
            Expr::InstanceCall(c) => &c.args,
            _ => &[],
        }
    }
}

/// `targetScope = 'subscription'`.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetScopeDecl<'s> {
    pub span: Span,
    pub decorators: Vec<Decorator<'s>>,
    pub keyword: Span,
    pub assign: Slot<Span>,
    pub value: Expr<'s>,
}

/// `metadata name = value`.
#[derive(Clone, Debug, PartialEq)]
pub struct MetadataDecl<'s> {
    pub span: Span,
    pub decorators: Vec<Decorator<'s>>,
    pub keyword: Span,
    pub name: Ident<'s>,
    pub assign: Slot<Span>,
    pub value: Expr<'s>,
}

/// `param name type [= default]`, or `param name resource 'T@v'`.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamDecl<'s> {
    pub span: Span,
    pub decorators: Vec<Decorator<'s>>,
    pub keyword: Span,
    pub name: Ident<'s>,
    pub ty: TypeExpr<'s>,
    /// The default value after `=`. `Some(Expr::Skipped)` when the text
    /// after the type is neither `=` nor the end of the line (BCP008).
    pub default: Option<Expr<'s>>,
}

/// `var name [type] = value`.
#[derive(Clone, Debug, PartialEq)]
pub struct VarDecl<'s> {
    pub span: Span,
    pub decorators: Vec<Decorator<'s>>,
    pub keyword: Span,
    pub name: Ident<'s>,
    /// The declared type of a typed variable.
    pub ty: Option<TypeExpr<'s>>,
    pub assign: Slot<Span>,
    pub value: Expr<'s>,
}

/// `type name = typeExpr`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeDecl<'s> {
    pub span: Span,
    pub decorators: Vec<Decorator<'s>>,
    pub keyword: Span,
    pub name: Ident<'s>,
    pub assign: Slot<Span>,
    pub value: TypeExpr<'s>,
}

/// `func name(a string, b int) returnType => body`.
#[derive(Clone, Debug, PartialEq)]
pub struct FuncDecl<'s> {
    pub span: Span,
    pub decorators: Vec<Decorator<'s>>,
    pub keyword: Span,
    pub name: Ident<'s>,
    pub lambda: Slot<TypedLambda<'s>>,
}

/// The parameters, return type and body of a `func`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypedLambda<'s> {
    pub span: Span,
    pub params: Vec<Slot<TypedParam<'s>>>,
    pub return_type: TypeExpr<'s>,
    pub arrow: Slot<Span>,
    pub body: Expr<'s>,
}

/// `name type` in a `func` parameter list.
#[derive(Clone, Debug, PartialEq)]
pub struct TypedParam<'s> {
    pub span: Span,
    pub name: Ident<'s>,
    pub ty: TypeExpr<'s>,
}

/// `resource name 'Type@version' [existing] = body`.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceDecl<'s> {
    pub span: Span,
    pub decorators: Vec<Decorator<'s>>,
    pub keyword: Span,
    /// The symbolic name.
    pub name: Ident<'s>,
    /// The type string (`'Microsoft.Storage/storageAccounts@2023-01-01'`, a
    /// relative `'blobServices'` for a nested resource, `'az:…'` aliases).
    pub type_string: Slot<StringLit<'s>>,
    /// The span of `existing`.
    pub existing: Option<Span>,
    pub assign: Slot<Span>,
    pub body: Body<'s>,
}

impl<'s> ResourceDecl<'s> {
    /// The type string's value when it has no interpolation.
    pub fn type_str(&self) -> Option<&str> {
        self.type_string.present()?.as_str()
    }

    pub fn is_existing(&self) -> bool {
        self.existing.is_some()
    }
}

/// `module name 'path' = body`.
#[derive(Clone, Debug, PartialEq)]
pub struct ModuleDecl<'s> {
    pub span: Span,
    pub decorators: Vec<Decorator<'s>>,
    pub keyword: Span,
    pub name: Ident<'s>,
    /// `'./x.bicep'`, `'br:…'`, `'br/alias:…'`, `'ts:…'`…
    pub path: Slot<StringLit<'s>>,
    pub assign: Slot<Span>,
    pub body: Body<'s>,
}

impl<'s> ModuleDecl<'s> {
    /// The path's value when it has no interpolation.
    pub fn path_str(&self) -> Option<&str> {
        self.path.present()?.as_str()
    }
}

/// The body of a resource, module or test declaration.
#[derive(Clone, Debug, PartialEq)]
pub enum Body<'s> {
    /// `= { … }`
    Object(ObjectLit<'s>),
    /// `= if (condition) { … }`
    If(IfBody<'s>),
    /// `= [for … in …: { … }]` or `= [for … in …: if (…) { … }]`.
    For(Box<ForExpr<'s>>),
    Skipped(Skipped),
}

impl<'s> Body<'s> {
    pub fn span(&self) -> Span {
        match self {
            Body::Object(o) => o.span,
            Body::If(i) => i.span,
            Body::For(f) => f.span,
            Body::Skipped(s) => s.span,
        }
    }

    /// The object literal that describes the resource, whatever form the
    /// body takes (through `if` and `for`). `None` when it did not parse.
    pub fn object(&self) -> Option<&ObjectLit<'s>> {
        match self {
            Body::Object(o) => Some(o),
            Body::If(i) => i.body.present(),
            Body::For(f) => match &f.body {
                ForBody::Expr(Expr::Object(o)) => Some(o),
                ForBody::If(i) => i.body.present(),
                _ => None,
            },
            Body::Skipped(_) => None,
        }
    }

    /// The condition of `if (…)`, directly or inside a `for` body.
    pub fn condition(&self) -> Option<&Expr<'s>> {
        match self {
            Body::If(i) => Some(i.condition()),
            Body::For(f) => match &f.body {
                ForBody::If(i) => Some(i.condition()),
                _ => None,
            },
            _ => None,
        }
    }

    /// The `for` loop of a loop body.
    pub fn for_loop(&self) -> Option<&ForExpr<'s>> {
        match self {
            Body::For(f) => Some(f),
            _ => None,
        }
    }
}

/// `if (condition) { … }`: a resource or module body, or a loop body.
#[derive(Clone, Debug, PartialEq)]
pub struct IfBody<'s> {
    pub span: Span,
    pub keyword: Span,
    /// The parenthesized condition ([`Expr::Paren`]), or a recovery node.
    pub paren_condition: Expr<'s>,
    pub body: Slot<ObjectLit<'s>>,
}

impl<'s> IfBody<'s> {
    /// The condition inside the parentheses.
    pub fn condition(&self) -> &Expr<'s> {
        match &self.paren_condition {
            Expr::Paren(p) => &p.inner,
            other => other,
        }
    }
}

/// `output name type = value`, or `output name resource ['T@v'] = value`.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputDecl<'s> {
    pub span: Span,
    pub decorators: Vec<Decorator<'s>>,
    pub keyword: Span,
    pub name: Ident<'s>,
    pub ty: TypeExpr<'s>,
    pub assign: Slot<Span>,
    pub value: Expr<'s>,
}

/// A compile-time import: `import {a, b as c} from 'f.bicep'`,
/// `import * as ns from 'f.bicep'`. (The legacy `import 'pkg@1.0'` is an
/// [`ExtensionDecl`] whose keyword is `import`.)
#[derive(Clone, Debug, PartialEq)]
pub struct ImportDecl<'s> {
    pub span: Span,
    pub decorators: Vec<Decorator<'s>>,
    pub keyword: Span,
    pub target: ImportTarget<'s>,
    pub from: Slot<ImportFrom<'s>>,
}

/// What an import brings in.
#[derive(Clone, Debug, PartialEq)]
pub enum ImportTarget<'s> {
    /// `{ a, 'b' as c }`
    Symbols(ImportList<'s>),
    /// `* as ns`
    Wildcard(WildcardImport<'s>),
    Skipped(Skipped),
}

/// `{ item, item as alias, … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportList<'s> {
    pub span: Span,
    pub items: Vec<Slot<ImportItem<'s>>>,
}

/// One item of an import list.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportItem<'s> {
    pub span: Span,
    pub name: ImportName<'s>,
    pub alias: Option<AliasClause<'s>>,
}

/// The exported name an import item refers to.
#[derive(Clone, Debug, PartialEq)]
pub enum ImportName<'s> {
    Ident(Ident<'s>),
    /// A quoted name (requires an alias).
    String(StringLit<'s>),
    Skipped(Skipped),
}

/// `as alias`.
#[derive(Clone, Debug, PartialEq)]
pub struct AliasClause<'s> {
    pub span: Span,
    pub keyword: Span,
    pub alias: Ident<'s>,
}

/// `* as alias`.
#[derive(Clone, Debug, PartialEq)]
pub struct WildcardImport<'s> {
    pub span: Span,
    pub alias: AliasClause<'s>,
}

/// `from 'path'`.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportFrom<'s> {
    pub span: Span,
    pub keyword: Span,
    pub path: Slot<StringLit<'s>>,
}

/// `extension name`, `extension 'br:…' with { … } as alias`, and the
/// legacy `import 'name@version' …`.
#[derive(Clone, Debug, PartialEq)]
pub struct ExtensionDecl<'s> {
    pub span: Span,
    pub decorators: Vec<Decorator<'s>>,
    /// `extension` or `import`.
    pub keyword: Span,
    pub spec: ExtensionSpec<'s>,
    pub with: Option<Slot<WithClause<'s>>>,
    pub alias: Option<Slot<AliasClause<'s>>>,
}

/// What an extension declaration names.
#[derive(Clone, Debug, PartialEq)]
pub enum ExtensionSpec<'s> {
    /// A built-in extension: `extension microsoftGraphV1`.
    Ident(Ident<'s>),
    /// A path or OCI reference.
    String(StringLit<'s>),
    Skipped(Skipped),
}

/// `with { … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct WithClause<'s> {
    pub span: Span,
    pub keyword: Span,
    pub config: Slot<ObjectLit<'s>>,
}

/// `assert name = condition` (experimental).
#[derive(Clone, Debug, PartialEq)]
pub struct AssertDecl<'s> {
    pub span: Span,
    pub decorators: Vec<Decorator<'s>>,
    pub keyword: Span,
    pub name: Ident<'s>,
    pub assign: Slot<Span>,
    pub value: Expr<'s>,
}

/// `test name 'path' = { … }` (experimental).
#[derive(Clone, Debug, PartialEq)]
pub struct TestDecl<'s> {
    pub span: Span,
    pub decorators: Vec<Decorator<'s>>,
    pub keyword: Span,
    pub name: Ident<'s>,
    pub path: Slot<StringLit<'s>>,
    pub assign: Slot<Span>,
    /// An object or a recovery node.
    pub body: Body<'s>,
}

/// `using 'main.bicep' [with { … }]` or `using none`.
#[derive(Clone, Debug, PartialEq)]
pub struct UsingDecl<'s> {
    pub span: Span,
    pub decorators: Vec<Decorator<'s>>,
    pub keyword: Span,
    pub target: UsingTarget<'s>,
    pub with: Option<Slot<WithClause<'s>>>,
}

/// What `using` names.
#[derive(Clone, Debug, PartialEq)]
pub enum UsingTarget<'s> {
    Path(StringLit<'s>),
    /// `using none`: the span of `none`.
    None(Span),
    Skipped(Skipped),
}

/// `extends 'base.bicepparam'`.
#[derive(Clone, Debug, PartialEq)]
pub struct ExtendsDecl<'s> {
    pub span: Span,
    pub decorators: Vec<Decorator<'s>>,
    pub keyword: Span,
    pub path: Slot<StringLit<'s>>,
}

/// `param name = value` in a `.bicepparam` file.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamAssignDecl<'s> {
    pub span: Span,
    pub decorators: Vec<Decorator<'s>>,
    pub keyword: Span,
    pub name: Ident<'s>,
    pub assign: Slot<Span>,
    pub value: Expr<'s>,
}

/// `extensionConfig alias with { … }` in a `.bicepparam` file.
#[derive(Clone, Debug, PartialEq)]
pub struct ExtensionConfigDecl<'s> {
    pub span: Span,
    pub decorators: Vec<Decorator<'s>>,
    pub keyword: Span,
    pub name: Ident<'s>,
    pub with: Slot<WithClause<'s>>,
}

/// Decorators not followed by a declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct MissingDecl<'s> {
    pub span: Span,
    pub decorators: Vec<Decorator<'s>>,
}

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr<'s> {
    /// `42` (no sign: `-42` is [`Expr::Unary`]).
    Int(IntLit),
    /// `true`, `false`.
    Bool(BoolLit),
    /// `null`.
    Null(Span),
    /// `'text'`, `'a${b}c'`, `'''multi-line'''`.
    String(Box<StringLit<'s>>),
    Object(Box<ObjectLit<'s>>),
    Array(Box<ArrayLit<'s>>),
    /// `[for x in xs: …]`.
    For(Box<ForExpr<'s>>),
    /// `(expr)`.
    Paren(Box<ParenExpr<'s>>),
    /// A symbol reference: parameter, variable, resource, module, loop or
    /// lambda variable, namespace (`az`, `sys`, import alias).
    Var(Ident<'s>),
    /// `name(args)`: a function (built-in, user-defined, imported).
    Call(Box<CallExpr<'s>>),
    /// `base.name(args)`: `az.resourceGroup()`, `sys.concat()`,
    /// `storage.listKeys()`, `ns.userFunc()`.
    InstanceCall(Box<InstanceCallExpr<'s>>),
    /// `base.name`, `base.?name`.
    Property(Box<PropertyAccess<'s>>),
    /// `base[index]`, `base[?index]`, `base[^index]`.
    Index(Box<IndexAccess<'s>>),
    /// `parent::child`.
    ResourceAccess(Box<ResourceAccess<'s>>),
    /// `base!`.
    NonNull(Box<NonNullExpr<'s>>),
    /// `!x`, `-x`.
    Unary(Box<UnaryExpr<'s>>),
    Binary(Box<BinaryExpr<'s>>),
    /// `c ? a : b`.
    Ternary(Box<TernaryExpr<'s>>),
    /// `x => …`, `(a, b) => …`.
    Lambda(Box<LambdaExpr<'s>>),
    Skipped(Skipped),
}

impl<'s> Expr<'s> {
    pub fn span(&self) -> Span {
        match self {
            Expr::Int(i) => i.span,
            Expr::Bool(b) => b.span,
            Expr::Null(s) => *s,
            Expr::String(s) => s.span,
            Expr::Object(o) => o.span,
            Expr::Array(a) => a.span,
            Expr::For(f) => f.span,
            Expr::Paren(p) => p.span,
            Expr::Var(v) => v.span,
            Expr::Call(c) => c.span,
            Expr::InstanceCall(c) => c.span,
            Expr::Property(p) => p.span,
            Expr::Index(i) => i.span,
            Expr::ResourceAccess(r) => r.span,
            Expr::NonNull(n) => n.span,
            Expr::Unary(u) => u.span,
            Expr::Binary(b) => b.span,
            Expr::Ternary(t) => t.span,
            Expr::Lambda(l) => l.span,
            Expr::Skipped(s) => s.span,
        }
    }

    pub fn is_skipped(&self) -> bool {
        matches!(self, Expr::Skipped(_))
    }

    /// The value of a string literal without interpolation.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Expr::String(s) => s.as_str(),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&ObjectLit<'s>> {
        match self {
            Expr::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&ArrayLit<'s>> {
        match self {
            Expr::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The symbol a bare reference names.
    pub fn as_var(&self) -> Option<&'s str> {
        match self {
            Expr::Var(v) => v.name,
            _ => None,
        }
    }
}

/// An integer literal. Bicep integers have no sign; values beyond `u64`
/// are BCP010 (and a [`Skipped`] node).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IntLit {
    pub span: Span,
    pub value: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BoolLit {
    pub span: Span,
    pub value: bool,
}

/// A string literal, with escapes decoded ("cooked") and its holes.
#[derive(Clone, Debug, PartialEq)]
pub struct StringLit<'s> {
    pub span: Span,
    /// Written `'''…'''` (raw, no escapes).
    pub multiline: bool,
    pub(crate) parts: StringParts<'s>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum StringParts<'s> {
    Plain(Cow<'s, str>),
    Interpolated(Box<Interpolation<'s>>),
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Interpolation<'s> {
    pub(crate) segments: Vec<Cow<'s, str>>,
    pub(crate) holes: Vec<Expr<'s>>,
    pub(crate) pieces: Vec<Span>,
}

impl<'s> StringLit<'s> {
    /// The value, when the string has no `${…}` hole.
    pub fn as_str(&self) -> Option<&str> {
        match &self.parts {
            StringParts::Plain(s) => Some(s),
            StringParts::Interpolated(_) => None,
        }
    }

    /// The literal segments, escapes decoded: one more than [`Self::holes`]
    /// (`'a${x}b'` → `["a", "b"]`, `'${x}'` → `["", ""]`).
    pub fn segments(&self) -> &[Cow<'s, str>] {
        match &self.parts {
            StringParts::Plain(s) => std::slice::from_ref(s),
            StringParts::Interpolated(i) => &i.segments,
        }
    }

    /// The expressions in `${…}` holes, in order.
    pub fn holes(&self) -> &[Expr<'s>] {
        match &self.parts {
            StringParts::Plain(_) => &[],
            StringParts::Interpolated(i) => &i.holes,
        }
    }

    /// The span of the token of each segment, delimiters included
    /// (`'a${`, `}b${`, `}c'`).
    pub fn segment_spans(&self) -> &[Span] {
        match &self.parts {
            StringParts::Plain(_) => std::slice::from_ref(&self.span),
            StringParts::Interpolated(i) => &i.pieces,
        }
    }

    pub fn is_interpolated(&self) -> bool {
        matches!(self.parts, StringParts::Interpolated(_))
    }
}

/// `{ key: value, …, ...spread }` (and, in a resource body, nested
/// resources).
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectLit<'s> {
    pub span: Span,
    pub items: Vec<ObjectItem<'s>>,
    /// `false` when the closing `}` is missing and editor recovery closed
    /// the object ([`crate::ParseOptions::editor_recovery`]).
    pub closed: bool,
}

impl<'s> ObjectLit<'s> {
    /// The properties in order (not spreads, nested resources or
    /// recovery nodes).
    pub fn properties(&self) -> impl Iterator<Item = &ObjectProperty<'s>> {
        self.items.iter().filter_map(|i| match i {
            ObjectItem::Property(p) => Some(p),
            _ => None,
        })
    }

    /// The last property whose key is `name` (Bicep keys are compared
    /// case-insensitively by the type checker, ARM last-wins; this is an
    /// exact match; see [`Self::get_ignore_case`]).
    pub fn get(&self, name: &str) -> Option<&ObjectProperty<'s>> {
        self.properties()
            .filter(|p| p.key.name().as_deref() == Some(name))
            .last()
    }

    /// Like [`Self::get`], with an ASCII-case-insensitive key match.
    pub fn get_ignore_case(&self, name: &str) -> Option<&ObjectProperty<'s>> {
        self.properties()
            .filter(|p| p.key.name().is_some_and(|k| k.eq_ignore_ascii_case(name)))
            .last()
    }

    /// The nested resource declarations of a resource body.
    pub fn resources(&self) -> impl Iterator<Item = &ResourceDecl<'s>> {
        self.items.iter().filter_map(|i| match i {
            ObjectItem::Resource(r) => Some(&**r),
            _ => None,
        })
    }
}

/// One item of an object literal.
#[derive(Clone, Debug, PartialEq)]
pub enum ObjectItem<'s> {
    Property(ObjectProperty<'s>),
    /// `...expr`
    Spread(Spread<'s>),
    /// A nested (child) resource, only in resource bodies.
    Resource(Box<ResourceDecl<'s>>),
    /// Decorators with no resource after them, in a resource body.
    MissingDeclaration(Box<MissingDecl<'s>>),
    Skipped(Skipped),
}

impl ObjectItem<'_> {
    pub fn span(&self) -> Span {
        match self {
            ObjectItem::Property(p) => p.span,
            ObjectItem::Spread(s) => s.span,
            ObjectItem::Resource(r) => r.span,
            ObjectItem::MissingDeclaration(m) => m.span,
            ObjectItem::Skipped(s) => s.span,
        }
    }
}

/// `key: value`.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectProperty<'s> {
    pub span: Span,
    pub key: PropertyKey<'s>,
    pub colon: Slot<Span>,
    pub value: Expr<'s>,
}

/// The key of an object property or object-type member.
#[derive(Clone, Debug, PartialEq)]
pub enum PropertyKey<'s> {
    /// `name:` (any identifier, keywords included).
    Ident(Ident<'s>),
    /// `'quoted':` or `'${interpolated}':`.
    String(StringLit<'s>),
    Skipped(Skipped),
}

impl<'s> PropertyKey<'s> {
    /// The key's text, unless it is interpolated or did not parse.
    pub fn name(&self) -> Option<Cow<'_, str>> {
        match self {
            PropertyKey::Ident(i) => i.name.map(Cow::Borrowed),
            PropertyKey::String(s) => s.as_str().map(Cow::Borrowed),
            PropertyKey::Skipped(_) => None,
        }
    }

    pub fn span(&self) -> Span {
        match self {
            PropertyKey::Ident(i) => i.span,
            PropertyKey::String(s) => s.span,
            PropertyKey::Skipped(s) => s.span,
        }
    }
}

/// `...expr` in an object or array.
#[derive(Clone, Debug, PartialEq)]
pub struct Spread<'s> {
    pub span: Span,
    pub value: Expr<'s>,
}

/// `[a, b, ...c]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ArrayLit<'s> {
    pub span: Span,
    pub items: Vec<ArrayItem<'s>>,
    /// `false` when editor recovery closed the array.
    pub closed: bool,
}

/// An array element.
#[derive(Clone, Debug, PartialEq)]
pub enum ArrayItem<'s> {
    /// A value (possibly [`Expr::Skipped`]).
    Value(Expr<'s>),
    Spread(Spread<'s>),
}

impl<'s> ArrayItem<'s> {
    pub fn span(&self) -> Span {
        match self {
            ArrayItem::Value(e) => e.span(),
            ArrayItem::Spread(s) => s.span,
        }
    }
}

/// `[for item in iterable: body]`, `[for (item, index) in …]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ForExpr<'s> {
    pub span: Span,
    /// The span of `for`.
    pub keyword: Span,
    pub variables: ForVariables<'s>,
    pub iterable: Expr<'s>,
    pub body: ForBody<'s>,
    /// `false` when editor recovery closed the loop.
    pub closed: bool,
}

/// The loop variables.
#[derive(Clone, Debug, PartialEq)]
pub enum ForVariables<'s> {
    /// `x`
    Item(Ident<'s>),
    /// `(x, i)`; an element that is not a plain name is an invalid
    /// [`Ident`].
    ItemIndex {
        span: Span,
        item: Ident<'s>,
        index: Ident<'s>,
    },
    Skipped(Skipped),
}

impl<'s> ForVariables<'s> {
    pub fn item(&self) -> Option<&Ident<'s>> {
        match self {
            ForVariables::Item(i) => Some(i),
            ForVariables::ItemIndex { item, .. } => Some(item),
            ForVariables::Skipped(_) => None,
        }
    }

    pub fn index(&self) -> Option<&Ident<'s>> {
        match self {
            ForVariables::ItemIndex { index, .. } => Some(index),
            _ => None,
        }
    }
}

/// What a loop produces per item.
#[derive(Clone, Debug, PartialEq)]
pub enum ForBody<'s> {
    /// Any expression (an object in resource and module loops, or
    /// [`Expr::Skipped`]).
    Expr(Expr<'s>),
    /// `if (…) { … }`: a filtered resource or module loop.
    If(IfBody<'s>),
}

/// `(inner)`.
#[derive(Clone, Debug, PartialEq)]
pub struct ParenExpr<'s> {
    pub span: Span,
    /// The single expression, or a recovery node (BCP243).
    pub inner: Expr<'s>,
    pub close: Slot<Span>,
}

/// `name(args)`.
#[derive(Clone, Debug, PartialEq)]
pub struct CallExpr<'s> {
    pub span: Span,
    pub name: Ident<'s>,
    pub args: Vec<Expr<'s>>,
}

/// `base.name(args)`.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceCallExpr<'s> {
    pub span: Span,
    pub base: Expr<'s>,
    /// Invalid (and BCP322) when written `base.?name(…)`.
    pub name: Ident<'s>,
    pub args: Vec<Expr<'s>>,
}

/// `base.name` / `base.?name`.
#[derive(Clone, Debug, PartialEq)]
pub struct PropertyAccess<'s> {
    pub span: Span,
    pub base: Expr<'s>,
    /// `.?` (safe dereference).
    pub safe: bool,
    pub name: Ident<'s>,
}

/// `base[index]`, `base[?index]`, `base[^index]`, `base[?^index]`.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexAccess<'s> {
    pub span: Span,
    pub base: Expr<'s>,
    pub safe: bool,
    pub from_end: bool,
    pub index: Expr<'s>,
}

/// `parent::child`.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceAccess<'s> {
    pub span: Span,
    pub base: Expr<'s>,
    pub name: Ident<'s>,
}

/// `base!`.
#[derive(Clone, Debug, PartialEq)]
pub struct NonNullExpr<'s> {
    pub span: Span,
    pub base: Expr<'s>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `!`
    Not,
    /// `-`
    Minus,
}

/// `!x`, `-x`.
#[derive(Clone, Debug, PartialEq)]
pub struct UnaryExpr<'s> {
    pub span: Span,
    pub op: UnaryOp,
    pub op_span: Span,
    pub operand: Expr<'s>,
}

/// Binary operators, by precedence (high to low).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Multiply,
    Divide,
    Modulo,
    Add,
    Subtract,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
    Equals,
    NotEquals,
    /// `=~`
    EqualsInsensitive,
    /// `!~`
    NotEqualsInsensitive,
    /// `&&`
    LogicalAnd,
    /// `||`
    LogicalOr,
    /// `??`
    Coalesce,
}

impl BinaryOp {
    pub fn text(self) -> &'static str {
        match self {
            BinaryOp::Multiply => "*",
            BinaryOp::Divide => "/",
            BinaryOp::Modulo => "%",
            BinaryOp::Add => "+",
            BinaryOp::Subtract => "-",
            BinaryOp::LessThan => "<",
            BinaryOp::LessThanOrEqual => "<=",
            BinaryOp::GreaterThan => ">",
            BinaryOp::GreaterThanOrEqual => ">=",
            BinaryOp::Equals => "==",
            BinaryOp::NotEquals => "!=",
            BinaryOp::EqualsInsensitive => "=~",
            BinaryOp::NotEqualsInsensitive => "!~",
            BinaryOp::LogicalAnd => "&&",
            BinaryOp::LogicalOr => "||",
            BinaryOp::Coalesce => "??",
        }
    }
}

/// `left op right`.
#[derive(Clone, Debug, PartialEq)]
pub struct BinaryExpr<'s> {
    pub span: Span,
    pub op: BinaryOp,
    pub op_span: Span,
    pub left: Expr<'s>,
    pub right: Expr<'s>,
}

/// `condition ? then : otherwise`.
#[derive(Clone, Debug, PartialEq)]
pub struct TernaryExpr<'s> {
    pub span: Span,
    pub condition: Expr<'s>,
    pub then: Expr<'s>,
    pub otherwise: Expr<'s>,
}

/// `x => body`, `(a, b) => body`, `() => body`.
#[derive(Clone, Debug, PartialEq)]
pub struct LambdaExpr<'s> {
    pub span: Span,
    /// The parameter names; an element that is not a plain name is an
    /// invalid [`Ident`].
    pub params: Vec<Ident<'s>>,
    pub body: Expr<'s>,
}

/// A type expression (parameters, outputs, `type`, typed `var`, `func`).
#[derive(Clone, Debug, PartialEq)]
pub enum TypeExpr<'s> {
    /// A type name: `string`, `object`, `myType`, `ns`.
    Name(Ident<'s>),
    /// `resourceInput<'T@v'>`, `resourceOutput<…>`.
    Parameterized(Box<ParameterizedType<'s>>),
    /// `'literal'`.
    String(Box<StringLit<'s>>),
    Int(IntLit),
    Bool(BoolLit),
    Null(Span),
    /// `{ name: type, @decorator other: type, *: type }`.
    Object(Box<ObjectType<'s>>),
    /// `[type, type]`.
    Tuple(Box<TupleType<'s>>),
    /// `type[]`.
    Array(Box<ArrayType<'s>>),
    /// `'a' | 'b'`, with or without a leading `|`.
    Union(Box<UnionType<'s>>),
    /// `type?`.
    Nullable(Box<WrappedType<'s>>),
    /// `type!`.
    NonNullable(Box<WrappedType<'s>>),
    /// `-1`, `!true`.
    Unary(Box<UnaryType<'s>>),
    /// `(type)`.
    Paren(Box<ParenType<'s>>),
    /// `type.property`.
    Property(Box<TypePropertyAccess<'s>>),
    /// `type.*` (additional properties).
    AdditionalProperties(Box<WrappedType<'s>>),
    /// `type[*]` (items).
    Items(Box<WrappedType<'s>>),
    /// `type[index]`.
    Index(Box<TypeIndexAccess<'s>>),
    /// `ns.generic<args>`.
    InstanceParameterized(Box<InstanceParameterizedType<'s>>),
    /// `resource 'T@v'` (params, outputs, `type`); `type_string` is `None`
    /// for an output's bare `resource`.
    Resource(Box<ResourceType<'s>>),
    Skipped(Skipped),
}

impl TypeExpr<'_> {
    pub fn span(&self) -> Span {
        match self {
            TypeExpr::Name(i) => i.span,
            TypeExpr::Parameterized(p) => p.span,
            TypeExpr::String(s) => s.span,
            TypeExpr::Int(i) => i.span,
            TypeExpr::Bool(b) => b.span,
            TypeExpr::Null(s) => *s,
            TypeExpr::Object(o) => o.span,
            TypeExpr::Tuple(t) => t.span,
            TypeExpr::Array(a) => a.span,
            TypeExpr::Union(u) => u.span,
            TypeExpr::Nullable(w)
            | TypeExpr::NonNullable(w)
            | TypeExpr::AdditionalProperties(w)
            | TypeExpr::Items(w) => w.span,
            TypeExpr::Unary(u) => u.span,
            TypeExpr::Paren(p) => p.span,
            TypeExpr::Property(p) => p.span,
            TypeExpr::Index(i) => i.span,
            TypeExpr::InstanceParameterized(i) => i.span,
            TypeExpr::Resource(r) => r.span,
            TypeExpr::Skipped(s) => s.span,
        }
    }

    pub fn is_skipped(&self) -> bool {
        matches!(self, TypeExpr::Skipped(_))
    }

    /// The name of a plain named type (`string`, `myType`).
    pub fn as_name(&self) -> Option<&str> {
        match self {
            TypeExpr::Name(i) => i.name,
            _ => None,
        }
    }
}

/// `name<args>`.
#[derive(Clone, Debug, PartialEq)]
pub struct ParameterizedType<'s> {
    pub span: Span,
    pub name: Ident<'s>,
    pub args: Vec<TypeExpr<'s>>,
}

/// `base.name<args>`.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceParameterizedType<'s> {
    pub span: Span,
    pub base: TypeExpr<'s>,
    pub name: Ident<'s>,
    pub args: Vec<TypeExpr<'s>>,
}

/// An object type.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectType<'s> {
    pub span: Span,
    pub members: Vec<ObjectTypeMember<'s>>,
    pub closed: bool,
}

/// A member of an object type.
#[derive(Clone, Debug, PartialEq)]
pub enum ObjectTypeMember<'s> {
    /// `[decorators] key: type`.
    Property(ObjectTypeProperty<'s>),
    /// `[decorators] *: type`.
    AdditionalProperties(ObjectTypeAdditional<'s>),
    Skipped(Skipped),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ObjectTypeProperty<'s> {
    pub span: Span,
    pub decorators: Vec<Decorator<'s>>,
    pub key: PropertyKey<'s>,
    pub value: TypeExpr<'s>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ObjectTypeAdditional<'s> {
    pub span: Span,
    pub decorators: Vec<Decorator<'s>>,
    pub value: TypeExpr<'s>,
}

/// `[a, b]`.
#[derive(Clone, Debug, PartialEq)]
pub struct TupleType<'s> {
    pub span: Span,
    pub items: Vec<Slot<TupleItem<'s>>>,
    pub closed: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TupleItem<'s> {
    pub span: Span,
    pub decorators: Vec<Decorator<'s>>,
    pub ty: TypeExpr<'s>,
}

/// `item[]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ArrayType<'s> {
    pub span: Span,
    pub item: TypeExpr<'s>,
}

/// `a | b | c`.
#[derive(Clone, Debug, PartialEq)]
pub struct UnionType<'s> {
    pub span: Span,
    pub members: Vec<TypeExpr<'s>>,
}

/// A type with a postfix marker (`?`, `!`, `.*`, `[*]`).
#[derive(Clone, Debug, PartialEq)]
pub struct WrappedType<'s> {
    pub span: Span,
    pub base: TypeExpr<'s>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct UnaryType<'s> {
    pub span: Span,
    pub op: UnaryOp,
    pub operand: TypeExpr<'s>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ParenType<'s> {
    pub span: Span,
    pub inner: TypeExpr<'s>,
    pub close: Slot<Span>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypePropertyAccess<'s> {
    pub span: Span,
    pub base: TypeExpr<'s>,
    pub name: Ident<'s>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypeIndexAccess<'s> {
    pub span: Span,
    pub base: TypeExpr<'s>,
    pub index: Expr<'s>,
}

/// `resource 'T@v'`.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceType<'s> {
    pub span: Span,
    pub keyword: Span,
    pub type_string: Option<Slot<StringLit<'s>>>,
}
