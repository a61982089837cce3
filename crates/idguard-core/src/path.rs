//! Relative paths as idguard joins and compares them. A leaf: imports
//! nothing from the crate.

/// A relative path with `/` separators and its `.`, `..` and empty
/// segments resolved (`..` that leave the start are kept): how linked
/// template and module paths are joined before `resolve` is asked for
/// them, and how policy file globs and the paths they match are compared.
/// A leading `/` is dropped like any empty segment; callers that must keep
/// absolute paths apart check for them first.
pub fn normalize_path(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for seg in path.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|s| *s != "..") {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            s => out.push(s),
        }
    }
    out.join("/")
}

#[cfg(test)]
mod tests {
    use super::normalize_path;

    #[test]
    fn paths_are_normalised() {
        assert_eq!(normalize_path("./a/../b//c.json"), "b/c.json");
        assert_eq!(normalize_path("..\\x.json"), "../x.json");
        assert_eq!(normalize_path("././infra/main.json"), "infra/main.json");
        assert_eq!(normalize_path("a/../../b"), "../b");
    }
}
