//! String functions: concat, format, case, search, slicing, conversions,
//! base64 and URIs.
use std::rc::Rc;

use super::{MAX_STRING_LEN, StrBuilder, arity, first_unknown, render, to_arm_string, type_error};
use crate::expr::value::unknown_arg;
use crate::expr::{Part, Unknown, Val};

/// `concat`: arrays when the arguments are arrays, else a (possibly
/// partial) string.
pub(super) fn concat(args: &[Val]) -> Val {
    if args.iter().any(|a| matches!(a, Val::Array(_))) {
        let mut out = Vec::new();
        for a in args {
            match a {
                Val::Array(items) => {
                    if out.len() + items.len() > super::MAX_ARRAY_LEN {
                        return Val::opaque(format!(
                            "concat() of more than {} items",
                            super::MAX_ARRAY_LEN
                        ));
                    }
                    out.extend(items.iter().cloned());
                }
                Val::Null => {}
                Val::Unknown(u) => return unknown_arg("concat", u),
                other => return type_error("concat", "only arrays (or only strings)", other),
            }
        }
        return Val::array(out);
    }
    let mut sb = StrBuilder::new();
    for a in args {
        if !sb.push_val(a) {
            return Val::opaque(format!("concat() of {}", render(a)));
        }
    }
    sb.finish()
}

/// `format(fmt, args…)` with .NET composite formatting: `{0}`, `{0,5}`,
/// `{0:D3}` (other format specifiers are ignored), `{{` and `}}`.
pub(super) fn format(args: &[Val]) -> Val {
    let Some((fmt, values)) = args.split_first() else {
        return arity("format", "at least 1", args);
    };
    let fmt = match fmt {
        Val::Str(s) => s,
        Val::Unknown(u) => return unknown_arg("format", u),
        other => return type_error("format", "a format string", other),
    };
    let mut sb = StrBuilder::new();
    let mut chars = fmt.char_indices().peekable();
    let mut lit_start = 0;
    while let Some((i, c)) = chars.next() {
        match c {
            '{' | '}' if chars.peek().map(|(_, n)| *n) == Some(c) => {
                sb.push_str(fmt.get(lit_start..i).unwrap_or(""));
                sb.push_str(if c == '{' { "{" } else { "}" });
                chars.next();
                lit_start = i + 2;
            }
            '{' => {
                sb.push_str(fmt.get(lit_start..i).unwrap_or(""));
                let Some(close) = fmt.get(i..).and_then(|s| s.find('}')) else {
                    return Val::opaque(format!("format(): '{{' without '}}' in '{fmt}'"));
                };
                let item = fmt.get(i + 1..i + close).unwrap_or("");
                let (head, spec) = match item.split_once(':') {
                    Some((h, s)) => (h, Some(s)),
                    None => (item, None),
                };
                let (index, align) = match head.split_once(',') {
                    Some((ix, al)) => (ix, al.trim().parse::<i64>().ok()),
                    None => (head, None),
                };
                let Ok(index) = index.trim().parse::<usize>() else {
                    return Val::opaque(format!(
                        "format(): '{{{item}}}' is not a valid placeholder in '{fmt}'"
                    ));
                };
                let Some(value) = values.get(index) else {
                    return Val::opaque(format!(
                        "format(): placeholder {{{index}}} but only {} arguments",
                        values.len()
                    ));
                };
                if !push_formatted(&mut sb, value, spec, align) {
                    return Val::opaque(format!("format() of {}", render(value)));
                }
                // Skip to the closing brace.
                while let Some((j, _)) = chars.peek() {
                    if *j > i + close {
                        break;
                    }
                    chars.next();
                }
                lit_start = i + close + 1;
            }
            '}' => {
                return Val::opaque(format!("format(): '}}' without '{{' in '{fmt}'"));
            }
            _ => {}
        }
    }
    sb.push_str(fmt.get(lit_start..).unwrap_or(""));
    sb.finish()
}

fn push_formatted(
    sb: &mut StrBuilder,
    value: &Val,
    spec: Option<&str>,
    align: Option<i64>,
) -> bool {
    let mut text = match value {
        Val::Unknown(u) => {
            sb.push_unknown(u);
            return true;
        }
        Val::Int(i) => {
            let digits = spec
                .and_then(|s| s.strip_prefix(['D', 'd']))
                .and_then(|w| w.parse::<usize>().ok())
                .unwrap_or(0)
                .min(64);
            let s = format!("{:0width$}", i.unsigned_abs(), width = digits);
            if *i < 0 { format!("-{s}") } else { s }
        }
        other => match to_arm_string(other) {
            Some(s) => s,
            None => return false,
        },
    };
    if let Some(a) = align {
        let width = usize::try_from(a.unsigned_abs())
            .unwrap_or(0)
            .min(MAX_STRING_LEN);
        let len = text.chars().count();
        if len < width {
            let pad = " ".repeat(width - len);
            text = if a < 0 { text + &pad } else { pad + &text };
        }
    }
    sb.push_str(&text);
    true
}

/// `toLower` / `toUpper`: literal pieces of a partial string change case,
/// holes stay.
pub(super) fn change_case(args: &[Val], upper: bool) -> Val {
    let name = if upper { "toUpper" } else { "toLower" };
    let conv = |s: &str| {
        if upper {
            s.to_uppercase()
        } else {
            s.to_lowercase()
        }
    };
    match args {
        [Val::Str(s)] => Val::str(conv(s)),
        [Val::Unknown(u)] => match &**u {
            Unknown::Str(parts) => Val::unknown(Unknown::Str(
                parts
                    .iter()
                    .map(|p| match p {
                        Part::Lit(s) => Part::Lit(Rc::from(conv(s))),
                        hole => hole.clone(),
                    })
                    .collect(),
            )),
            // IDs (`principalId`, `clientId`, a resource `id`) are compared
            // case-insensitively in Azure: the case change leaves the value
            // standing for the same ID, so it keeps what it refers to.
            Unknown::Reference { path, .. } | Unknown::List { path, .. }
                if path
                    .last()
                    .is_some_and(|p| p.to_ascii_lowercase().ends_with("id")) =>
            {
                Val::Unknown(u.clone())
            }
            _ => unknown_arg(name, u),
        },
        [other] => type_error(name, "a string", other),
        _ => arity(name, "1", args),
    }
}

/// `string(v)`: see [`to_arm_string`]; a partial string stays partial and
/// any other unknown stays itself (it stands for its own string form).
pub(super) fn string(args: &[Val]) -> Val {
    match args {
        [Val::Unknown(_)] => args.first().cloned().unwrap_or(Val::Null),
        [v] => match to_arm_string(v) {
            Some(s) => Val::str(s),
            None => Val::opaque(format!("string() of {}", render(v))),
        },
        _ => arity("string", "1", args),
    }
}

/// `startsWith` / `endsWith` (case-insensitive), decided on a partial
/// string when its leading (trailing) literal is long enough.
pub(super) fn starts_ends_with(args: &[Val], starts: bool) -> Val {
    let name = if starts { "startsWith" } else { "endsWith" };
    let test = |s: &str, affix: &str| {
        let (s, affix) = (s.to_lowercase(), affix.to_lowercase());
        if starts {
            s.starts_with(&affix)
        } else {
            s.ends_with(&affix)
        }
    };
    match args {
        [Val::Str(s), Val::Str(a)] => Val::Bool(test(s, a)),
        [Val::Unknown(u), Val::Str(a)] => {
            if let Unknown::Str(parts) = &**u {
                let edge = if starts { parts.first() } else { parts.last() };
                if let Some(Part::Lit(lit)) = edge {
                    let affix_len = a.chars().count();
                    if lit.chars().count() >= affix_len {
                        return Val::Bool(test(lit, a));
                    }
                    // The literal is shorter than the affix: it decides
                    // only when it does not match the affix's start.
                    let (l, af) = (lit.to_lowercase(), a.to_lowercase());
                    let consistent = if starts {
                        af.starts_with(&l)
                    } else {
                        af.ends_with(&l)
                    };
                    if !consistent {
                        return Val::Bool(false);
                    }
                }
            }
            unknown_arg(name, u)
        }
        [a, b] => match first_unknown(args) {
            Some(u) => unknown_arg(name, u),
            None => Val::opaque(format!(
                "{name}() of a {} and a {}",
                a.type_name(),
                b.type_name()
            )),
        },
        _ => arity(name, "2", args),
    }
}

/// The other string functions (all arguments known). `None` when `lower`
/// is not one of them.
pub(super) fn call(lower: &str, name: &str, args: &[Val]) -> Option<Val> {
    Some(match lower {
        "replace" => match args {
            [Val::Str(s), Val::Str(old), Val::Str(new)] => {
                if old.is_empty() {
                    Val::opaque("replace() of an empty string")
                } else {
                    let count = s.matches(&**old).count();
                    let len = s
                        .len()
                        .saturating_add(count.saturating_mul(new.len()))
                        .saturating_sub(count.saturating_mul(old.len()));
                    if len > MAX_STRING_LEN {
                        Val::opaque(format!(
                            "replace() makes a string longer than {MAX_STRING_LEN} bytes"
                        ))
                    } else {
                        Val::str(s.replace(&**old, new))
                    }
                }
            }
            [_, _, _] => Val::opaque("replace() expects three strings"),
            _ => arity(name, "3", args),
        },
        "substring" => match args {
            [Val::Str(s), start, rest @ ..] if rest.len() <= 1 => substring(s, start, rest.first()),
            _ => Val::opaque("substring() expects a string, a start index and an optional length"),
        },
        "split" => match args {
            [Val::Str(s), Val::Str(d)] => split(s, std::slice::from_ref(d)),
            [Val::Str(s), Val::Array(ds)] => {
                let mut delims = Vec::new();
                for d in ds.iter() {
                    match d {
                        Val::Str(d) => delims.push(d.clone()),
                        Val::Unknown(u) => return Some(unknown_arg(name, u)),
                        other => return Some(type_error(name, "string delimiters", other)),
                    }
                }
                split(s, &delims)
            }
            [_, _] => Val::opaque("split() expects a string and a delimiter"),
            _ => arity(name, "2", args),
        },
        "trim" => match args {
            [Val::Str(s)] => Val::str(s.trim()),
            [other] => type_error(name, "a string", other),
            _ => arity(name, "1", args),
        },
        "indexof" | "lastindexof" => match args {
            [Val::Str(s), Val::Str(sub)] => {
                let (s, sub) = (s.to_lowercase(), sub.to_lowercase());
                let found = if lower == "indexof" {
                    s.find(&sub)
                } else {
                    s.rfind(&sub)
                };
                Val::Int(match found {
                    Some(b) => char_index(&s, b),
                    None => -1,
                })
            }
            [Val::Array(_), _] => return None, // the array form
            [_, _] => Val::opaque(format!("{name}() expects two strings")),
            _ => arity(name, "2", args),
        },
        "padleft" => match args {
            [value, len, rest @ ..] if rest.len() <= 1 => pad_left(value, len, rest.first()),
            _ => arity(name, "2 or 3", args),
        },
        "json" => match args {
            [Val::Str(s)] => match serde_json::from_str::<serde_json::Value>(s) {
                Ok(j) => Val::from_json(&j),
                Err(e) => Val::opaque(format!("json() of text that is not JSON: {e}")),
            },
            [other] => type_error(name, "a string", other),
            _ => arity(name, "1", args),
        },
        "base64" => match args {
            [Val::Str(s)] => Val::str(base64_encode(s.as_bytes())),
            [other] => type_error(name, "a string", other),
            _ => arity(name, "1", args),
        },
        "base64tostring" | "base64tojson" => match args {
            [Val::Str(s)] => match base64_decode(s) {
                Some(bytes) => {
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    if lower == "base64tojson" {
                        match serde_json::from_str::<serde_json::Value>(&text) {
                            Ok(j) => Val::from_json(&j),
                            Err(e) => Val::opaque(format!("base64ToJson(): not JSON: {e}")),
                        }
                    } else {
                        Val::str(text)
                    }
                }
                None => Val::opaque(format!("{name}() of text that is not base64")),
            },
            [other] => type_error(name, "a string", other),
            _ => arity(name, "1", args),
        },
        "uricomponent" => match args {
            [Val::Str(s)] => Val::str(percent_encode(s)),
            [other] => type_error(name, "a string", other),
            _ => arity(name, "1", args),
        },
        "uricomponenttostring" => match args {
            [Val::Str(s)] => Val::str(percent_decode(s)),
            [other] => type_error(name, "a string", other),
            _ => arity(name, "1", args),
        },
        "uri" => match args {
            [Val::Str(base), Val::Str(rel)] => uri(base, rel),
            [_, _] => Val::opaque("uri() expects two strings"),
            _ => arity(name, "2", args),
        },
        "datauri" => match args {
            [v] => match to_arm_string(v) {
                Some(s) => Val::str(format!(
                    "data:text/plain;charset=utf8;base64,{}",
                    base64_encode(s.as_bytes())
                )),
                None => type_error(name, "a string", v),
            },
            _ => arity(name, "1", args),
        },
        "datauritostring" => match args {
            [Val::Str(s)] => match s.split_once(',') {
                Some((head, data)) if head.starts_with("data:") => {
                    if head.ends_with(";base64") {
                        match base64_decode(data) {
                            Some(b) => Val::str(String::from_utf8_lossy(&b).into_owned()),
                            None => Val::opaque("dataUriToString() of bad base64"),
                        }
                    } else {
                        Val::str(percent_decode(data))
                    }
                }
                _ => Val::opaque("dataUriToString() of text that is not a data URI"),
            },
            [other] => type_error(name, "a string", other),
            _ => arity(name, "1", args),
        },
        _ => return None,
    })
}

/// Byte offset to character index.
fn char_index(s: &str, byte: usize) -> i64 {
    i64::try_from(s.get(..byte).map(|p| p.chars().count()).unwrap_or(0)).unwrap_or(-1)
}

fn substring(s: &str, start: &Val, len: Option<&Val>) -> Val {
    let chars: Vec<char> = s.chars().collect();
    let Some(start) = start.as_int() else {
        return type_error("substring", "an integer start", start);
    };
    let total = i64::try_from(chars.len()).unwrap_or(i64::MAX);
    let len = match len {
        None => total.saturating_sub(start),
        Some(l) => match l.as_int() {
            Some(l) => l,
            None => return type_error("substring", "an integer length", l),
        },
    };
    if start < 0 || len < 0 || start.saturating_add(len) > total {
        return Val::opaque(format!(
            "substring(): start {start} and length {len} are out of range for a string of {total} characters"
        ));
    }
    let (Ok(a), Ok(n)) = (usize::try_from(start), usize::try_from(len)) else {
        return Val::opaque("substring(): index out of range");
    };
    Val::str(chars.iter().skip(a).take(n).collect::<String>())
}

/// `split()` of a partially known string by a known delimiter, piece by
/// piece: the known pieces are split, each unknown piece stays inside its
/// element (`split('/subscriptions/{sub}/resourceGroups/rg', '/')` is
/// `['', 'subscriptions', '{sub}', 'resourceGroups', 'rg']`). Done only
/// when no unknown piece can hold the delimiter, so the elements are where
/// ARM would put them: a deployment value that is a name or GUID
/// (`subscription().subscriptionId`, `resourceGroup().name`), `guid()`,
/// `uniqueString()`, and, in a resource ID split on `/`, every piece (a
/// name segment). `None`: not this case (the caller goes on as usual).
pub(in crate::expr) fn split_partial(args: &[Val]) -> Option<Val> {
    let [Val::Unknown(u), Val::Str(delim)] = args else {
        return None;
    };
    let Unknown::Str(parts) = &**u else {
        return None;
    };
    if delim.is_empty() {
        return None;
    }
    let resource_id = delim.as_ref() == "/"
        && matches!(parts.first(), Some(Part::Lit(first))
            if first.to_ascii_lowercase().starts_with("/subscriptions/")
                || first.to_ascii_lowercase().starts_with("/providers/"));
    let single_piece = |h: &Unknown| match h {
        Unknown::Deployment(expr) => !expr.to_ascii_lowercase().ends_with(".id"),
        Unknown::Guid(_) | Unknown::UniqueString(_) | Unknown::NonDeterministic(_) => true,
        _ => resource_id,
    };
    if !parts.iter().all(|p| match p {
        Part::Lit(_) => true,
        Part::Hole(h) => single_piece(h),
    }) {
        return None;
    }
    let mut out = Vec::new();
    let mut element = StrBuilder::new();
    for part in parts.iter() {
        match part {
            Part::Lit(text) => {
                let mut pieces = text.split(delim.as_ref());
                if let Some(first) = pieces.next() {
                    element.push_str(first);
                }
                for piece in pieces {
                    out.push(std::mem::replace(&mut element, StrBuilder::new()).finish());
                    element.push_str(piece);
                }
            }
            Part::Hole(h) => element.push_unknown(h),
        }
        if out.len() > super::MAX_ARRAY_LEN {
            return Some(Val::opaque("split() makes too many pieces"));
        }
    }
    out.push(element.finish());
    Some(Val::array(out))
}

fn split(s: &str, delims: &[Rc<str>]) -> Val {
    let delims: Vec<&str> = delims
        .iter()
        .map(|d| &**d)
        .filter(|d| !d.is_empty())
        .collect();
    if delims.is_empty() {
        return Val::array(vec![Val::str(s)]);
    }
    let mut out = Vec::new();
    let mut piece_start = 0;
    let mut i = 0;
    while i < s.len() {
        let rest = s.get(i..).unwrap_or("");
        if let Some(d) = delims.iter().find(|d| rest.starts_with(**d)) {
            out.push(Val::str(s.get(piece_start..i).unwrap_or("")));
            i += d.len();
            piece_start = i;
        } else {
            i += rest.chars().next().map(char::len_utf8).unwrap_or(1);
        }
    }
    out.push(Val::str(s.get(piece_start..).unwrap_or("")));
    Val::array(out)
}

fn pad_left(value: &Val, len: &Val, pad: Option<&Val>) -> Val {
    let text = match value {
        Val::Str(s) => s.to_string(),
        Val::Int(i) => i.to_string(),
        other => return type_error("padLeft", "a string or an integer", other),
    };
    let Some(width) = len.as_int() else {
        return type_error("padLeft", "an integer length", len);
    };
    let pad_char = match pad {
        None => ' ',
        Some(Val::Str(p)) => match p.chars().next() {
            Some(c) => c,
            None => return Val::opaque("padLeft() with an empty padding character"),
        },
        Some(other) => return type_error("padLeft", "a padding character", other),
    };
    let width = usize::try_from(width).unwrap_or(0);
    if width > MAX_STRING_LEN {
        return Val::opaque(format!(
            "padLeft() to {width} characters, more than {MAX_STRING_LEN}"
        ));
    }
    let n = text.chars().count();
    if n >= width {
        return Val::str(text);
    }
    let mut out: String = std::iter::repeat_n(pad_char, width - n).collect();
    out.push_str(&text);
    Val::str(out)
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                let idx = ((n >> (18 - 6 * k)) & 63) as usize;
                out.push(B64.get(idx).map(|c| *c as char).unwrap_or('='));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in s.bytes() {
        if c == b'=' {
            break;
        }
        if c.is_ascii_whitespace() {
            continue;
        }
        let v = B64.iter().position(|b| *b == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(v) = hex {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `uri(base, relative)`: RFC 3986 reference resolution for the common
/// cases (absolute reference, root-relative, relative to the base's last
/// `/`).
fn uri(base: &str, rel: &str) -> Val {
    if rel.contains("://") {
        return Val::str(rel);
    }
    let Some(scheme_end) = base.find("://") else {
        return Val::opaque(format!("uri() with a base that is not absolute: '{base}'"));
    };
    let after = scheme_end + 3;
    let path_start = base
        .get(after..)
        .and_then(|r| r.find('/'))
        .map(|p| p + after)
        .unwrap_or(base.len());
    if let Some(stripped) = rel.strip_prefix('/') {
        return Val::str(format!(
            "{}/{stripped}",
            base.get(..path_start).unwrap_or(base)
        ));
    }
    // Drop query and fragment, then everything after the last '/'.
    let base_path_end = base
        .get(path_start..)
        .and_then(|r| r.find(['?', '#']))
        .map(|p| p + path_start)
        .unwrap_or(base.len());
    let trimmed = base.get(..base_path_end).unwrap_or(base);
    let dir = match trimmed.rfind('/') {
        Some(p) if p >= path_start => trimmed.get(..=p).unwrap_or(trimmed).to_string(),
        _ => format!("{trimmed}/"),
    };
    Val::str(format!("{dir}{rel}"))
}
