//! Splitting resource names into tokens, for finding environment names in
//! them.

/// Splits a name into lowercase tokens at `-`, `_`, `.`, `/`, `\`,
/// whitespace and camelCase boundaries (`paymentsProd` → `payments`,
/// `prod`; `APIProd` → `api`, `prod`). Digits stay attached to their
/// letters (`prod01` is one token); callers strip them when needed.
pub fn tokens(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for piece in
        name.split(|c: char| matches!(c, '-' | '_' | '.' | '/' | '\\') || c.is_whitespace())
    {
        let chars: Vec<char> = piece.chars().collect();
        let mut current = String::new();
        for (i, c) in chars.iter().enumerate() {
            let prev = i.checked_sub(1).and_then(|p| chars.get(p));
            let next = chars.get(i + 1);
            let boundary = c.is_uppercase()
                && match prev {
                    Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
                    Some(p) if p.is_uppercase() => next.is_some_and(|n| n.is_lowercase()),
                    _ => false,
                };
            if boundary && !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            current.extend(c.to_lowercase());
        }
        if !current.is_empty() {
            out.push(current);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits() {
        assert_eq!(
            tokens("id-payments-prod-weu-001"),
            ["id", "payments", "prod", "weu", "001"]
        );
        assert_eq!(tokens("app_svc.Prod/x y"), ["app", "svc", "prod", "x", "y"]);
        assert_eq!(tokens("paymentsProd"), ["payments", "prod"]);
        assert_eq!(tokens("APIProd"), ["api", "prod"]);
        assert_eq!(tokens("PROD"), ["prod"]);
        assert_eq!(tokens("app2Prod01"), ["app2", "prod01"]);
        assert_eq!(tokens("--a--"), ["a"]);
        assert!(tokens("").is_empty());
    }
}
