//! Array and object functions.
use std::rc::Rc;

use super::{MAX_ARRAY_LEN, MAX_RANGE_COUNT, MAX_VALUE_DEPTH, arity, render, type_error, val_eq};
use crate::budget::Budget;
use crate::expr::value::{budget_exceeded, unknown_arg};
use crate::expr::{Obj, Part, Unknown, Val};

/// `createObject(key1, value1, …)`: values may be unknown, keys may not.
pub(super) fn create_object(args: &[Val]) -> Val {
    if !args.len().is_multiple_of(2) {
        return Val::opaque("createObject() needs an even number of arguments");
    }
    let mut obj = Obj::with_capacity(args.len() / 2);
    for pair in args.chunks(2) {
        let [k, v] = pair else { continue };
        match k {
            Val::Str(k) => obj.insert(k.clone(), v.clone()),
            Val::Unknown(u) => {
                return Val::opaque(format!(
                    "createObject() with a key that is not known ({})",
                    u.brief()
                ));
            }
            other => return type_error("createObject", "string keys", other),
        }
    }
    Val::object(obj)
}

/// `empty(v)`: null, `""`, `[]` and `{}` are empty. A partial string with
/// a non-empty literal is not.
pub(super) fn empty(args: &[Val]) -> Val {
    match args {
        [Val::Null] => Val::Bool(true),
        [Val::Str(s)] => Val::Bool(s.is_empty()),
        [Val::Array(a)] => Val::Bool(a.is_empty()),
        [Val::Object(o)] => Val::Bool(o.is_empty()),
        [Val::Unknown(u)] => match &**u {
            Unknown::Str(parts)
                if parts
                    .iter()
                    .any(|p| matches!(p, Part::Lit(s) if !s.is_empty())) =>
            {
                Val::Bool(false)
            }
            Unknown::Guid(_) | Unknown::UniqueString(_) | Unknown::NonDeterministic(_) => {
                Val::Bool(false)
            }
            _ => unknown_arg("empty", u),
        },
        [other] => type_error("empty", "a string, array or object", other),
        _ => arity("empty", "1", args),
    }
}

fn to_len(n: usize) -> Val {
    Val::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

fn clamp_count(n: i64, len: usize) -> usize {
    usize::try_from(n.max(0)).unwrap_or(usize::MAX).min(len)
}

/// The other array and object functions (no top-level unknown
/// arguments). `None` when `lower` is not one of them.
pub(super) fn call(lower: &str, name: &str, args: &[Val], budget: &Budget) -> Option<Val> {
    Some(match lower {
        "length" => match args {
            [Val::Str(s)] => to_len(s.encode_utf16().count()),
            [Val::Array(a)] => to_len(a.len()),
            [Val::Object(o)] => to_len(o.len()),
            [other] => type_error(name, "a string, array or object", other),
            _ => arity(name, "1", args),
        },
        "contains" => match args {
            [Val::Str(s), Val::Str(sub)] => Val::Bool(s.contains(&**sub)),
            [Val::Str(s), v @ (Val::Int(_) | Val::Bool(_))] => {
                Val::Bool(s.contains(&super::to_arm_string(v).unwrap_or_default()))
            }
            [Val::Object(o), Val::Str(k)] => Val::Bool(o.contains_key(k)),
            [Val::Array(items), item] => {
                let mut unknown = false;
                for x in items.iter() {
                    match val_eq(x, item, budget) {
                        Some(true) => return Some(Val::Bool(true)),
                        Some(false) => {}
                        None => unknown = true,
                    }
                }
                if unknown {
                    Val::opaque(format!(
                        "contains() on an array with items that are not known, looking for {}",
                        render(item)
                    ))
                } else {
                    Val::Bool(false)
                }
            }
            [a, b] => Val::opaque(format!(
                "contains() of a {} and a {}",
                a.type_name(),
                b.type_name()
            )),
            _ => arity(name, "2", args),
        },
        "indexof" | "lastindexof" => match args {
            [Val::Array(items), item] => {
                let mut found = -1;
                for (i, x) in items.iter().enumerate() {
                    match val_eq(x, item, budget) {
                        Some(true) => {
                            found = i64::try_from(i).unwrap_or(-1);
                            if lower == "indexof" {
                                break;
                            }
                        }
                        Some(false) => {}
                        None => {
                            return Some(Val::opaque(format!(
                                "{name}() on an array with items that are not known"
                            )));
                        }
                    }
                }
                Val::Int(found)
            }
            _ => Val::opaque(format!(
                "{name}() expects two strings or an array and an item"
            )),
        },
        "take" | "skip" => match args {
            [coll, n] => {
                let Some(n) = n.as_int() else {
                    return Some(type_error(name, "an integer count", n));
                };
                let take = lower == "take";
                match coll {
                    Val::Str(s) => {
                        let len = s.chars().count();
                        let k = clamp_count(n, len);
                        Val::str(if take {
                            s.chars().take(k).collect::<String>()
                        } else {
                            s.chars().skip(k).collect::<String>()
                        })
                    }
                    Val::Array(items) => {
                        let k = clamp_count(n, items.len());
                        let slice = if take { items.get(..k) } else { items.get(k..) };
                        Val::array(slice.unwrap_or(&[]).to_vec())
                    }
                    Val::Null => Val::Null,
                    other => type_error(name, "a string or an array", other),
                }
            }
            _ => arity(name, "2", args),
        },
        "first" | "last" => match args {
            [Val::Str(s)] => {
                let c = if lower == "first" {
                    s.chars().next()
                } else {
                    s.chars().next_back()
                };
                Val::str(c.map(String::from).unwrap_or_default())
            }
            [Val::Array(items)] => {
                let v = if lower == "first" {
                    items.first()
                } else {
                    items.last()
                };
                v.cloned().unwrap_or(Val::Null)
            }
            [other] => type_error(name, "a string or an array", other),
            _ => arity(name, "1", args),
        },
        "join" => match args {
            [Val::Array(items), Val::Str(delim)] => {
                let mut sb = super::StrBuilder::new();
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        sb.push_str(delim);
                    }
                    if !sb.push_val(item) {
                        return Some(Val::opaque(format!("join() of {}", render(item))));
                    }
                }
                sb.finish()
            }
            [_, _] => Val::opaque("join() expects an array and a string"),
            _ => arity(name, "2", args),
        },
        "union" => union(args, budget),
        "distinct" => match args {
            [Val::Array(_)] => union(args, budget),
            [other] => type_error(name, "an array", other),
            _ => arity(name, "1", args),
        },
        "intersection" => intersection(args, budget),
        "items" => match args {
            [Val::Object(o)] => {
                let mut entries: Vec<(&Rc<str>, &Val)> = o.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                Val::array(
                    entries
                        .into_iter()
                        .map(|(k, v)| {
                            let mut item = Obj::with_capacity(2);
                            item.insert("key", Val::Str(k.clone()));
                            item.insert("value", v.clone());
                            Val::object(item)
                        })
                        .collect(),
                )
            }
            [other] => type_error(name, "an object", other),
            _ => arity(name, "1", args),
        },
        "objectkeys" => match args {
            [Val::Object(o)] => Val::array(o.keys().map(|k| Val::Str(k.clone())).collect()),
            [other] => type_error(name, "an object", other),
            _ => arity(name, "1", args),
        },
        "shallowmerge" => match args {
            [Val::Array(items)] => {
                let mut out = Obj::new();
                for item in items.iter() {
                    match item {
                        Val::Object(o) => {
                            for (k, v) in o.iter() {
                                out.insert(k.clone(), v.clone());
                            }
                        }
                        Val::Unknown(u) => return Some(unknown_arg(name, u)),
                        other => return Some(type_error(name, "an array of objects", other)),
                    }
                }
                Val::object(out)
            }
            [other] => type_error(name, "an array of objects", other),
            _ => arity(name, "1", args),
        },
        "flatten" => match args {
            [Val::Array(items)] => {
                let mut out = Vec::new();
                for item in items.iter() {
                    match item {
                        Val::Array(inner) => {
                            if out.len() + inner.len() > MAX_ARRAY_LEN {
                                return Some(Val::opaque("flatten() makes too large an array"));
                            }
                            out.extend(inner.iter().cloned());
                        }
                        Val::Unknown(u) => return Some(unknown_arg(name, u)),
                        other => return Some(type_error(name, "an array of arrays", other)),
                    }
                }
                Val::array(out)
            }
            [other] => type_error(name, "an array of arrays", other),
            _ => arity(name, "1", args),
        },
        "tryget" => match args.split_first() {
            Some((first, keys)) if !keys.is_empty() => {
                let mut cur = first.clone();
                for k in keys {
                    cur = match (&cur, k) {
                        (Val::Object(o), Val::Str(k)) => o.get(k).cloned().unwrap_or(Val::Null),
                        (Val::Array(a), i) if i.as_int().is_some() => {
                            usize::try_from(i.as_int().unwrap_or(-1))
                                .ok()
                                .and_then(|i| a.get(i))
                                .cloned()
                                .unwrap_or(Val::Null)
                        }
                        (Val::Null, _) => Val::Null,
                        (Val::Unknown(u), _) => return Some(unknown_arg(name, u)),
                        (other, _) => {
                            return Some(type_error(name, "an object or an array", other));
                        }
                    };
                }
                cur
            }
            _ => arity(name, "at least 2", args),
        },
        "range" => match args {
            [start, count] => match (start.as_int(), count.as_int()) {
                (Some(s), Some(c)) => {
                    if !(0..=MAX_RANGE_COUNT).contains(&c) {
                        Val::opaque(format!(
                            "range() of {c} items (idguard evaluates 0 to {MAX_RANGE_COUNT})"
                        ))
                    } else if s.checked_add(c).is_none() {
                        Val::opaque("range() overflows")
                    } else {
                        Val::array((s..s + c).map(Val::Int).collect())
                    }
                }
                _ => Val::opaque("range() expects two integers"),
            },
            _ => arity(name, "2", args),
        },
        "min" | "max" => {
            let items: &[Val] = match args {
                [Val::Array(items)] => items,
                _ => args,
            };
            if items.is_empty() {
                return Some(Val::opaque(format!("{name}() of nothing")));
            }
            let mut best: Option<i64> = None;
            for item in items {
                match item {
                    Val::Unknown(u) => return Some(unknown_arg(name, u)),
                    v => match v.as_int() {
                        Some(i) => {
                            best = Some(match best {
                                None => i,
                                Some(b) if lower == "min" => b.min(i),
                                Some(b) => b.max(i),
                            })
                        }
                        None => return Some(type_error(name, "integers", v)),
                    },
                }
            }
            best.map(Val::Int).unwrap_or(Val::Null)
        }
        _ => return None,
    })
}

fn union(args: &[Val], budget: &Budget) -> Val {
    if args.is_empty() {
        return arity("union", "at least 1", args);
    }
    if args.iter().all(|a| matches!(a, Val::Object(_))) {
        let mut out = Obj::new();
        for a in args {
            if let Val::Object(o) = a {
                merge_into(&mut out, o, 0, budget);
            }
        }
        if budget.exhausted() {
            return budget_exceeded();
        }
        return Val::object(out);
    }
    if args.iter().all(|a| matches!(a, Val::Array(_))) {
        let mut out: Vec<Val> = Vec::new();
        for a in args {
            let Val::Array(items) = a else { continue };
            for item in items.iter() {
                let mut dup = false;
                for existing in &out {
                    match val_eq(existing, item, budget) {
                        Some(true) => {
                            dup = true;
                            break;
                        }
                        Some(false) => {}
                        None if budget.exhausted() => return budget_exceeded(),
                        None => {
                            return Val::opaque("union() of arrays with items that are not known");
                        }
                    }
                }
                if !dup {
                    if out.len() >= MAX_ARRAY_LEN {
                        return Val::opaque("union() makes too large an array");
                    }
                    out.push(item.clone());
                }
            }
        }
        return Val::array(out);
    }
    Val::opaque("union() needs only objects or only arrays")
}

/// ARM's `union` of objects: later values win; nested objects merge. One
/// step per member visited (merging two objects that share their halves
/// walks them as trees).
fn merge_into(out: &mut Obj, src: &Obj, depth: usize, budget: &Budget) {
    for (k, v) in src.iter() {
        if !budget.steps(1) {
            return;
        }
        let merged = match (out.get(k), v) {
            (Some(Val::Object(a)), Val::Object(b)) if depth < MAX_VALUE_DEPTH => {
                let mut inner = (**a).clone();
                merge_into(&mut inner, b, depth + 1, budget);
                Val::object(inner)
            }
            _ => v.clone(),
        };
        out.insert(k.clone(), merged);
    }
}

fn intersection(args: &[Val], budget: &Budget) -> Val {
    let Some((first, rest)) = args.split_first() else {
        return arity("intersection", "at least 1", args);
    };
    match first {
        Val::Object(o) => {
            let mut out = Obj::new();
            for (k, v) in o.iter() {
                let mut in_all = true;
                for other in rest {
                    let Val::Object(other) = other else {
                        return Val::opaque("intersection() needs only objects or only arrays");
                    };
                    match other.get(k).map(|w| val_eq(v, w, budget)) {
                        Some(Some(true)) => {}
                        Some(None) => {
                            return Val::opaque(
                                "intersection() of objects with values that are not known",
                            );
                        }
                        _ => in_all = false,
                    }
                }
                if in_all {
                    out.insert(k.clone(), v.clone());
                }
            }
            Val::object(out)
        }
        Val::Array(items) => {
            let mut out: Vec<Val> = Vec::new();
            for item in items.iter() {
                let mut in_all = true;
                for other in rest {
                    let Val::Array(other) = other else {
                        return Val::opaque("intersection() needs only objects or only arrays");
                    };
                    let mut found = false;
                    for w in other.iter() {
                        match val_eq(item, w, budget) {
                            Some(true) => {
                                found = true;
                                break;
                            }
                            Some(false) => {}
                            None => {
                                return Val::opaque(
                                    "intersection() of arrays with items that are not known",
                                );
                            }
                        }
                    }
                    in_all &= found;
                }
                let dup = out.iter().any(|o| val_eq(o, item, budget) == Some(true));
                if in_all && !dup {
                    out.push(item.clone());
                }
            }
            Val::array(out)
        }
        other => type_error("intersection", "objects or arrays", other),
    }
}
