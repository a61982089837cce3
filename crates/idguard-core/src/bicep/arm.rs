//! ARM template expressions as the lowering builds them, and their text
//! (what `bicep build` writes between `[` and `]`).
//!
//! The shape follows ARM's own expression tree (`Azure.Deployments.
//! Expression`): a JSON literal (string or integer), or a function call
//! with arguments and a chain of property/index accesses
//! (`reference('x').outputs['a-b'].value`).

use std::fmt::Write as _;
use std::rc::Rc;

/// A string of an expression: a static one costs no allocation, a
/// shared one is cloned by reference count.
#[derive(Clone, Debug)]
pub(crate) enum Text {
    Static(&'static str),
    Shared(Rc<str>),
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Text::Static(s) => s,
            Text::Shared(s) => s,
        }
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        **self == **other
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::Shared(Rc::from(s))
    }
}

/// An ARM expression.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum AExpr {
    /// A string literal (`'text'`).
    Str(Text),
    /// An integer literal.
    Int(i64),
    /// `name(args)` followed by accesses.
    Call(Call),
}

/// `name(args).p[i]…`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Call {
    pub name: Text,
    pub args: Vec<AExpr>,
    /// Accesses after the call: a string is `.name` (or `['x-y']`), any
    /// other expression `[expr]`.
    pub props: Vec<AExpr>,
}

impl AExpr {
    pub(crate) fn str(s: &str) -> AExpr {
        AExpr::Str(Text::from(s))
    }

    /// A static string literal (no allocation).
    pub(crate) fn lit(s: &'static str) -> AExpr {
        AExpr::Str(Text::Static(s))
    }

    /// A call of a function named by a static string.
    pub(crate) fn call(name: &'static str, args: Vec<AExpr>) -> AExpr {
        Self::call_named(Text::Static(name), args)
    }

    /// A call of a function named at run time.
    pub(crate) fn call_dyn(name: &str, args: Vec<AExpr>) -> AExpr {
        Self::call_named(Text::from(name), args)
    }

    pub(crate) fn call_named(name: Text, args: Vec<AExpr>) -> AExpr {
        AExpr::Call(Call {
            name,
            args,
            props: Vec::new(),
        })
    }

    pub(crate) fn call0(name: &'static str) -> AExpr {
        Self::call(name, Vec::new())
    }

    pub(crate) fn null() -> AExpr {
        Self::call0("null")
    }

    pub(crate) fn bool(b: bool) -> AExpr {
        Self::call0(if b { "true" } else { "false" })
    }

    /// The call this expression is, if it is a call without accesses.
    pub(crate) fn as_plain_call(&self) -> Option<&Call> {
        match self {
            AExpr::Call(c) if c.props.is_empty() => Some(c),
            _ => None,
        }
    }

    /// This expression with `props` appended: a literal is first made a
    /// function (`string('x')`, `int(1)`), as ARM requires a function
    /// before an access.
    pub(crate) fn access(self, props: impl IntoIterator<Item = AExpr>) -> AExpr {
        let mut call = self.into_call();
        call.props.extend(props);
        AExpr::Call(call)
    }

    pub(crate) fn prop(self, name: &'static str) -> AExpr {
        self.access([AExpr::lit(name)])
    }

    pub(crate) fn prop_dyn(self, name: &str) -> AExpr {
        self.access([AExpr::str(name)])
    }

    fn into_call(self) -> Call {
        match self {
            AExpr::Call(c) => c,
            AExpr::Str(s) => Call {
                name: Text::Static("string"),
                args: vec![AExpr::Str(s)],
                props: Vec::new(),
            },
            AExpr::Int(i) => Call {
                name: Text::Static("int"),
                args: vec![AExpr::Int(i)],
                props: Vec::new(),
            },
        }
    }

    /// The text of the expression without the outer brackets.
    pub(crate) fn write(&self, out: &mut String) {
        match self {
            AExpr::Str(s) => write_string_literal(s, out),
            AExpr::Int(i) => {
                let _ = write!(out, "{i}");
            }
            AExpr::Call(c) => {
                out.push_str(&c.name);
                out.push('(');
                for (i, a) in c.args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    a.write(out);
                }
                out.push(')');
                for p in &c.props {
                    match p {
                        AExpr::Str(s) if is_identifier(s) => {
                            out.push('.');
                            out.push_str(s);
                        }
                        other => {
                            out.push('[');
                            other.write(out);
                            out.push(']');
                        }
                    }
                }
            }
        }
    }

    /// The JSON string value a template holds for this expression: a
    /// string literal as itself (a leading `[` doubled), anything else as
    /// `[…]`.
    pub(crate) fn to_template_string(&self) -> String {
        let mut out = String::new();
        self.write_template_string(&mut out);
        out
    }

    /// [`Self::to_template_string`] into `out` (cleared first).
    pub(crate) fn write_template_string(&self, out: &mut String) {
        out.clear();
        match self {
            AExpr::Str(s) => {
                if needs_escape(s) {
                    out.push('[');
                }
                out.push_str(s);
            }
            other => {
                out.push('[');
                other.write(out);
                out.push(']');
            }
        }
    }
}

/// A literal string as a template string value: `[…]` is written `[[…]`
/// so ARM does not read it as an expression.
pub(crate) fn escape_literal(s: &str) -> String {
    if needs_escape(s) {
        format!("[{s}")
    } else {
        s.to_string()
    }
}

/// Whether ARM would read the string as an expression: it starts with `[`
/// and ends with `]` (`[test` is a literal as it is).
pub(crate) fn needs_escape(s: &str) -> bool {
    s.starts_with('[') && s.ends_with(']')
}

fn write_string_literal(s: &str, out: &mut String) {
    out.push('\'');
    if !s.contains('\'') {
        out.push_str(s);
        out.push('\'');
        return;
    }
    for c in s.chars() {
        if c == '\'' {
            out.push('\'');
        }
        out.push(c);
    }
    out.push('\'');
}

/// Whether a property name can be written `.name`.
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_like_bicep_build() {
        let e = AExpr::call(
            "reference",
            vec![
                AExpr::str("mi"),
                AExpr::str("2018-11-30"),
                AExpr::str("full"),
            ],
        )
        .access([
            AExpr::str("identity"),
            AExpr::str("principal-id"),
            AExpr::Int(0),
        ]);
        assert_eq!(
            e.to_template_string(),
            "[reference('mi', '2018-11-30', 'full').identity['principal-id'][0]]"
        );
        assert_eq!(AExpr::str("[x]").to_template_string(), "[[x]");
        assert_eq!(AExpr::str("[x").to_template_string(), "[x");
        assert_eq!(
            AExpr::call("format", vec![AExpr::str("it's {0}"), AExpr::Int(-1)])
                .to_template_string(),
            "[format('it''s {0}', -1)]"
        );
        assert_eq!(
            AExpr::str("a").prop("b").to_template_string(),
            "[string('a').b]"
        );
    }
}
