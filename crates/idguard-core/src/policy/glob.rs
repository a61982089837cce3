//! A tiny glob matcher for exemptions: `*` matches any run of characters
//! (including `/`), `?` exactly one character; everything else is literal.

/// Whether `pattern` matches the whole of `text`.
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
    let (mut pi, mut ti) = (0usize, 0usize);
    // Position of the last `*` seen and the text position it resumes from.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(c) if *c == '?' || Some(c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((star_pi, star_ti)) => {
                    pi = star_pi + 1;
                    ti = star_ti + 1;
                    star = Some((star_pi, star_ti + 1));
                }
                None => return false,
            },
        }
    }
    while p.get(pi) == Some(&'*') {
        pi += 1;
    }
    pi == p.len()
}

/// Normalizes a path for matching: forward slashes, no leading `./`.
pub fn normalize_path(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut rest = path.as_str();
    while let Some(stripped) = rest.strip_prefix("./") {
        rest = stripped;
    }
    rest.to_string()
}

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
}
