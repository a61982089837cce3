//! A tiny glob matcher for exemptions: `*` matches any run of characters
//! (including `/`), `?` exactly one character; everything else is literal.

/// Whether `pattern` matches the whole of `text`.
///
/// Linear in the text whatever the pattern: the pattern is cut at its
/// `*`s into segments; the first must match the start of the text, the
/// last its end, and each one between is found at its leftmost place after
/// the previous one (which is always right for `*`, which matches
/// anything). A segment is searched with a bit-parallel automaton
/// (shift-and), in time proportional to the text times the segment's
/// length in 64-bit words. The backtracking matcher this replaces was
/// quadratic on a long resource name.
pub fn glob_match(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let fold = |s: &str| -> Vec<char> {
        if ignore_case {
            s.chars().flat_map(char::to_lowercase).collect()
        } else {
            s.chars().collect()
        }
    };
    let p = fold(pattern);
    let t = fold(text);
    let segments: Vec<&[char]> = p.split(|c| *c == '*').collect();
    let (Some(first), Some(last)) = (segments.first(), segments.last()) else {
        return t.is_empty();
    };
    if segments.len() == 1 {
        return same_length_match(first, &t);
    }
    if t.len() < first.len() + last.len() {
        return false;
    }
    let (Some(head), Some(tail)) = (t.get(..first.len()), t.get(t.len() - last.len()..)) else {
        return false;
    };
    if !same_length_match(first, head) || !same_length_match(last, tail) {
        return false;
    }
    let mut rest = t.get(first.len()..t.len() - last.len()).unwrap_or_default();
    for segment in segments.get(1..segments.len() - 1).unwrap_or_default() {
        if segment.is_empty() {
            continue;
        }
        match find(segment, rest) {
            Some(end) => rest = rest.get(end..).unwrap_or_default(),
            None => return false,
        }
    }
    true
}

/// Whether a `*`-free segment matches `text` of the same length (`?`
/// matches any character).
fn same_length_match(segment: &[char], text: &[char]) -> bool {
    segment.len() == text.len() && segment.iter().zip(text).all(|(p, c)| *p == '?' || p == c)
}

/// Where the leftmost match of a non-empty `*`-free segment in `text`
/// ends, by shift-and: bit `i` of the state says that the first `i + 1`
/// characters of the segment match the text ending here.
fn find(segment: &[char], text: &[char]) -> Option<usize> {
    let words = segment.len().div_ceil(64);
    // Positions of `?`, which every character matches.
    let mut any = vec![0u64; words];
    let mut masks: std::collections::HashMap<char, Vec<u64>> = std::collections::HashMap::new();
    for (i, c) in segment.iter().enumerate() {
        let (w, bit) = (i / 64, 1u64 << (i % 64));
        if *c == '?' {
            if let Some(word) = any.get_mut(w) {
                *word |= bit;
            }
        } else if let Some(word) = masks.entry(*c).or_insert_with(|| vec![0; words]).get_mut(w) {
            *word |= bit;
        }
    }
    for mask in masks.values_mut() {
        for (m, a) in mask.iter_mut().zip(&any) {
            *m |= a;
        }
    }
    let last = segment.len() - 1;
    let (last_word, last_bit) = (last / 64, 1u64 << (last % 64));
    let mut state = vec![0u64; words];
    for (at, c) in text.iter().enumerate() {
        let mask = masks.get(c).unwrap_or(&any);
        // state = ((state << 1) | 1) & mask, across words.
        let mut carry = 1u64;
        for (s, m) in state.iter_mut().zip(mask) {
            let next_carry = *s >> 63;
            *s = ((*s << 1) | carry) & m;
            carry = next_carry;
        }
        if state.get(last_word).is_some_and(|w| w & last_bit != 0) {
            return Some(at + 1);
        }
    }
    None
}

// Paths and patterns are compared normalised: see
// `crate::path::normalize_path`.
use crate::path::normalize_path;

/// Matches a file glob: with a `/` it is matched against the whole
/// (normalized) path, without one against the file name only.
pub fn file_glob_match(pattern: &str, path: &str) -> bool {
    let pattern = normalize_path(pattern);
    let path = normalize_path(path);
    if pattern.contains('/') {
        glob_match(&pattern, &path, false)
    } else {
        let file_name = path.rsplit('/').next().unwrap_or(&path);
        glob_match(&pattern, file_name, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_star_and_question() {
        let cases = [
            ("id-legacy-*", "id-legacy-payments", true),
            ("id-legacy-*", "id-legacy-", true),
            ("id-legacy-*", "id-payments", false),
            ("*", "", true),
            ("*", "anything/at/all", true),
            ("", "", true),
            ("", "a", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("*-prod", "id-a-prod", true),
            ("*-prod", "id-a-prod-weu", false),
            ("*a*b*c*", "xxaxxbxxcxx", true),
            ("*a*b*c*", "xxaxxcxxbxx", false),
            ("id-*-*-001", "id-pay-prod-001", true),
            ("a**b", "ab", true),
            ("é*", "éa", true),
            ("*?", "", false),
            ("?*", "x", true),
            ("*a?c*", "xxabxacx", false),
            ("*a?c*", "xxabxabcx", true),
            ("*ab*ab*", "abab", true),
            ("*ab*ab*", "aba", false),
            ("ab*ba", "aba", false),
            ("*aab", "aaab", true),
            ("**", "", true),
            ("*x*", "", false),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(
                glob_match(pattern, text, false),
                expected,
                "{pattern} vs {text}"
            );
        }
    }

    #[test]
    fn case() {
        assert!(glob_match("ID-Legacy-*", "id-legacy-x", true));
        assert!(!glob_match("ID-Legacy-*", "id-legacy-x", false));
    }

    #[test]
    fn files() {
        assert!(file_glob_match("main.json", "infra/app/main.json"));
        assert!(file_glob_match("infra/*.json", "./infra/app/main.json"));
        assert!(file_glob_match(
            "infra/*/main.json",
            "infra\\app\\main.json"
        ));
        assert!(!file_glob_match("infra/*.json", "other/main.json"));
        assert!(!file_glob_match("main.json", "infra/main.jsonc"));
    }

    /// Against the old backtracking matcher's cost: a long name and a
    /// pattern with many near-misses stay fast, and agree with a naive
    /// reference on many small cases.
    #[test]
    #[allow(clippy::disallowed_methods)] // a test may read the clock
    fn linear_on_long_names() {
        let name = "a".repeat(200_000);
        // The old matcher retried the 5,000-character segment at every one
        // of the 200,000 positions: 10^9 steps.
        let pattern = format!("*{}b*", "a".repeat(5_000));
        let started = std::time::Instant::now();
        assert!(!glob_match(&pattern, &name, true));
        assert!(glob_match(&format!("*{}*", "a".repeat(5_000)), &name, true));
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    }

    fn reference(p: &[char], t: &[char]) -> bool {
        match (p.first(), t.first()) {
            (None, _) => t.is_empty(),
            (Some('*'), _) => reference(&p[1..], t) || (!t.is_empty() && reference(p, &t[1..])),
            (Some(_), None) => false,
            (Some(c), Some(d)) => (*c == '?' || c == d) && reference(&p[1..], &t[1..]),
        }
    }

    #[test]
    fn agrees_with_a_reference_matcher() {
        let alphabet = ['a', 'b', '?', '*'];
        let texts = ["", "a", "b", "ab", "ba", "aab", "abab", "bbaab", "abba"];
        // Every pattern of up to 4 symbols.
        let mut patterns = vec![String::new()];
        for _ in 0..4 {
            let next: Vec<String> = patterns
                .iter()
                .flat_map(|p| alphabet.iter().map(move |c| format!("{p}{c}")))
                .collect();
            patterns.extend(next.clone());
            patterns.dedup();
            patterns = patterns
                .into_iter()
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
        }
        for p in &patterns {
            for t in texts {
                let pc: Vec<char> = p.chars().collect();
                let tc: Vec<char> = t.chars().collect();
                assert_eq!(glob_match(p, t, false), reference(&pc, &tc), "{p} vs {t}");
            }
        }
    }
}
