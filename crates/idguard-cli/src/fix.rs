//! `idguard check --fix`, `--unsafe-fixes` and `--diff`: the fixes the
//! core attaches to findings (`Finding::fix`), applied to the files.
//!
//! `--fix` runs in rounds: check, apply the fixes of every file that do
//! not overlap, verify that each fixed text still parses as what it was
//! (JSON or Bicep template), write it (temporary file beside it, then
//! rename: never half-written), and check again; up to [`MAX_ROUNDS`]. The
//! last check is the run's report. `--diff` applies one round in memory
//! and prints a unified diff.
//!
//! Only unsuppressed findings' fixes are applied, only to regular UTF-8
//! files inside the checked tree (`--root`, else the current directory,
//! else a checked path outside it).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use idguard_core::api::{CheckOptions, Language, SourceFile, check_template_as};
use idguard_core::finding::{Fix, FixSafety};
use idguard_core::fix::apply;
use idguard_core::policy::Policy;

use crate::check::{self, Checked, Fatal};
use crate::cli::CheckArgs;
use crate::files::{self, Tree};

/// Most rounds of fix, re-check, fix.
pub const MAX_ROUNDS: usize = 4;

/// What a `--fix` or `--diff` run did.
#[derive(Debug)]
pub struct Outcome {
    /// The check after the last round (`--fix`), or the only one (`--diff`).
    pub checked: Checked,
    /// Fixes applied (`--fix`) or shown (`--diff`).
    pub applied: usize,
    /// Files written (`--fix`) or changed in the diff.
    pub files: usize,
    /// Unsafe fixes left out for want of `--unsafe-fixes`.
    pub unsafe_skipped: usize,
    /// The unified diff (`--diff`).
    pub diff: String,
}

/// Runs `idguard check --fix` or `--diff`; `frames` as for
/// [`check::run`].
pub fn run(args: &CheckArgs, frames: bool) -> Result<Outcome, Fatal> {
    let trees = writable_trees(args)?;
    let mut checked = check::run(&args.input, args.baseline.as_deref(), frames)?;
    let mut outcome_applied = 0;
    let mut written = std::collections::BTreeSet::new();
    let mut unsafe_skipped;
    let mut diff = String::new();
    let mut round = 0;
    loop {
        round += 1;
        let (by_file, skipped) = fixes_by_file(&checked, args.unsafe_fixes);
        unsafe_skipped = skipped;
        let mut changed = 0;
        for (file, fixes) in &by_file {
            let path = PathBuf::from(file);
            let original = read(&path, &trees)?;
            let refs: Vec<&Fix> = fixes.iter().collect();
            let out = apply(&original.text, &refs);
            if out.applied == 0 || out.text == original.text {
                continue;
            }
            verify(file, &out.text)?;
            if args.diff {
                diff.push_str(&unified_diff(file, &original.text, &out.text));
            } else {
                write_atomically(&path, &original, &out.text)?;
                written.insert(file.clone());
            }
            outcome_applied += out.applied;
            changed += 1;
        }
        if args.diff {
            return Ok(Outcome {
                checked,
                applied: outcome_applied,
                files: changed,
                unsafe_skipped,
                diff,
            });
        }
        if changed == 0 {
            break;
        }
        checked = check::run(&args.input, args.baseline.as_deref(), frames)?;
        if round >= MAX_ROUNDS {
            unsafe_skipped = fixes_by_file(&checked, args.unsafe_fixes).1;
            break;
        }
    }
    Ok(Outcome {
        checked,
        applied: outcome_applied,
        files: written.len(),
        unsafe_skipped,
        diff,
    })
}

/// One line for standard error: what was fixed, and what was not.
pub fn summary(outcome: &Outcome, args: &CheckArgs) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut line = if args.diff {
        format!(
            "{} would apply to {}",
            plural(outcome.applied, "fix", "fixes"),
            plural(outcome.files, "file", "files")
        )
    } else {
        format!(
            "Applied {} to {}",
            plural(outcome.applied, "fix", "fixes"),
            plural(outcome.files, "file", "files")
        )
    };
    if outcome.unsafe_skipped > 0 {
        line.push_str(&format!(
            "; {} left out (use --unsafe-fixes)",
            plural(outcome.unsafe_skipped, "unsafe fix", "unsafe fixes")
        ));
    }
    line
}

/// The fixes to apply, by file, in report order; and how many unsafe ones
/// were left out.
fn fixes_by_file(checked: &Checked, unsafe_ok: bool) -> (BTreeMap<String, Vec<Fix>>, usize) {
    let mut by_file: BTreeMap<String, Vec<Fix>> = BTreeMap::new();
    let mut skipped = 0;
    for f in &checked.report.findings {
        let Some(fix) = &f.fix else { continue };
        if f.suppression.is_some() {
            continue;
        }
        if fix.safety == FixSafety::Unsafe && !unsafe_ok {
            skipped += 1;
            continue;
        }
        let list = by_file.entry(f.file.clone()).or_default();
        if !list.contains(fix) {
            list.push(fix.clone());
        }
    }
    (by_file, skipped)
}

/// The trees files may be written in: `--root`, else the current
/// directory and every checked path outside it.
fn writable_trees(args: &CheckArgs) -> Result<Vec<Tree>, Fatal> {
    let tree = |p: &Path| {
        Tree::new(p).map_err(|e| Fatal(format!("error: cannot use {}: {e}", p.display())))
    };
    if let Some(root) = &args.input.root {
        return Ok(vec![tree(root)?]);
    }
    let cwd = std::env::current_dir()
        .map_err(|e| Fatal(format!("error: cannot read the current directory: {e}")))?;
    let mut trees = vec![tree(&cwd)?];
    for p in &args.input.paths {
        if let Ok(canonical) = std::fs::canonicalize(p)
            && !trees.iter().any(|t| t.contains(&canonical))
        {
            let dir = if canonical.is_dir() {
                canonical
            } else {
                canonical
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or(canonical)
            };
            trees.push(tree(&dir)?);
        }
    }
    Ok(trees)
}

/// A file to fix as read: its text (as the check saw it: no BOM) and
/// whether it had a BOM.
struct Original {
    text: String,
    bom: bool,
    /// Where it is (symlinks resolved, inside a writable tree).
    canonical: PathBuf,
}

fn read(path: &Path, trees: &[Tree]) -> Result<Original, Fatal> {
    let refuse = |why: String| Fatal(format!("error: cannot fix {}: {why}", path.display()));
    let canonical = trees
        .iter()
        .find_map(|t| t.confine(path).ok())
        .ok_or_else(|| refuse("it is outside the checked tree".to_string()))?;
    let bytes = files::read_bytes(&canonical).map_err(|e| refuse(format!("it {e}")))?;
    let bom = bytes.starts_with(b"\xEF\xBB\xBF");
    let text = files::utf8(bytes).map_err(|e| refuse(format!("it {e}")))?;
    Ok(Original {
        text,
        bom,
        canonical,
    })
}

/// The fixed text must still be a template idguard reads (no syntax
/// error), else nothing is written.
fn verify(file: &str, text: &str) -> Result<(), Fatal> {
    let policy = Policy::default_policy();
    let options = CheckOptions {
        policy: &policy,
        today: None,
    };
    let source = SourceFile {
        path: file.to_string(),
        text: text.to_string(),
    };
    let language = Language::of_path(file);
    let result = check_template_as(&source, language, &[], &|_| None, &options, None);
    match result.files.first().and_then(|f| f.error.as_ref()) {
        Some(e) => Err(Fatal(format!(
            "error: fixing {file} would break it ({} at line {}, column {}); it was not written",
            e.message, e.line, e.column
        ))),
        None => Ok(()),
    }
}

/// Writes `text` over the file: to a temporary file in the same directory
/// (same permissions), then renamed over it, so a reader sees the old file
/// or the new one, never a part.
fn write_atomically(path: &Path, original: &Original, text: &str) -> Result<(), Fatal> {
    let target = &original.canonical;
    let fail = |e: std::io::Error| {
        Fatal(format!(
            "error: cannot write the fixed {}: {e}",
            path.display()
        ))
    };
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.idguard-fix-{}.tmp", std::process::id()));
    let result = (|| {
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        if original.bom {
            out.write_all(b"\xEF\xBB\xBF")?;
        }
        out.write_all(text.as_bytes())?;
        out.sync_all()?;
        if let Ok(meta) = std::fs::metadata(target) {
            std::fs::set_permissions(&temp, meta.permissions())?;
        }
        std::fs::rename(&temp, target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.map_err(fail)
}

/// Lines of context around a change.
const CONTEXT: usize = 3;

/// A unified diff of `old` and `new` (`--- a/file`, `+++ b/file`, hunks).
pub fn unified_diff(file: &str, old: &str, new: &str) -> String {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let ops = line_ops(&a, &b);
    let mut out = format!("--- a/{file}\n+++ b/{file}\n");
    // Indices into ops of changes, grouped into hunks.
    let changes: Vec<usize> = (0..ops.len())
        .filter(|&i| !matches!(ops.get(i), Some(Op::Same(..))))
        .collect();
    let mut i = 0;
    while let Some(&first) = changes.get(i) {
        let mut last = first;
        let mut j = i + 1;
        while let Some(&next) = changes.get(j) {
            if next - last > 2 * CONTEXT {
                break;
            }
            last = next;
            j += 1;
        }
        let start = first.saturating_sub(CONTEXT);
        let end = (last + CONTEXT + 1).min(ops.len());
        let (mut a_start, mut b_start) = (None, None);
        let (mut a_len, mut b_len) = (0, 0);
        let mut body = String::new();
        for op in ops.get(start..end).unwrap_or(&[]) {
            let (mark, line) = match *op {
                Op::Same(x, y) => {
                    a_start.get_or_insert(x);
                    b_start.get_or_insert(y);
                    a_len += 1;
                    b_len += 1;
                    (' ', a.get(x).copied().unwrap_or(""))
                }
                Op::Del(x, y) => {
                    a_start.get_or_insert(x);
                    b_start.get_or_insert(y);
                    a_len += 1;
                    ('-', a.get(x).copied().unwrap_or(""))
                }
                Op::Add(x, y) => {
                    a_start.get_or_insert(x);
                    b_start.get_or_insert(y);
                    b_len += 1;
                    ('+', b.get(y).copied().unwrap_or(""))
                }
            };
            body.push(mark);
            body.push_str(line.trim_end_matches(['\n', '\r']));
            body.push('\n');
            if !line.ends_with('\n') {
                body.push_str("\\ No newline at end of file\n");
            }
        }
        let at = |start: Option<usize>, len: usize| match (start, len) {
            (_, 0) => format!("{},0", start.unwrap_or(0)),
            (s, n) => format!("{},{n}", s.unwrap_or(0) + 1),
        };
        out.push_str(&format!(
            "@@ -{} +{} @@\n{body}",
            at(a_start, a_len),
            at(b_start, b_len)
        ));
        i = j;
    }
    out
}

/// One line of a diff: the same line at (old, new), a line deleted from
/// old (before new's position) or added from new (before old's position).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Same(usize, usize),
    Del(usize, usize),
    Add(usize, usize),
}

/// Line operations turning `a` into `b`: common prefix and suffix kept,
/// the middle compared by longest common subsequence when small enough,
/// else replaced whole.
fn line_ops(a: &[&str], b: &[&str]) -> Vec<Op> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(a.len().min(b.len()) - prefix)
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (
        a.get(prefix..a.len() - suffix).unwrap_or(&[]),
        b.get(prefix..b.len() - suffix).unwrap_or(&[]),
    );
    let mut ops: Vec<Op> = (0..prefix).map(|i| Op::Same(i, i)).collect();
    if am.len().saturating_mul(bm.len()) <= 4_000_000 {
        // lcs[i][j]: the LCS length of am[i..] and bm[j..].
        let w = bm.len() + 1;
        let mut lcs = vec![0u32; (am.len() + 1) * w];
        for i in (0..am.len()).rev() {
            for j in (0..bm.len()).rev() {
                let v = if am.get(i) == bm.get(j) {
                    lcs.get((i + 1) * w + j + 1).copied().unwrap_or(0) + 1
                } else {
                    let down = lcs.get((i + 1) * w + j).copied().unwrap_or(0);
                    let right = lcs.get(i * w + j + 1).copied().unwrap_or(0);
                    down.max(right)
                };
                if let Some(cell) = lcs.get_mut(i * w + j) {
                    *cell = v;
                }
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < am.len() || j < bm.len() {
            let at = |i: usize, j: usize| lcs.get(i * w + j).copied().unwrap_or(0);
            if i < am.len() && j < bm.len() && am.get(i) == bm.get(j) {
                ops.push(Op::Same(prefix + i, prefix + j));
                i += 1;
                j += 1;
            } else if i < am.len() && (j == bm.len() || at(i + 1, j) >= at(i, j + 1)) {
                ops.push(Op::Del(prefix + i, prefix + j));
                i += 1;
            } else {
                ops.push(Op::Add(prefix + i, prefix + j));
                j += 1;
            }
        }
    } else {
        ops.extend((0..am.len()).map(|i| Op::Del(prefix + i, prefix)));
        ops.extend((0..bm.len()).map(|j| Op::Add(prefix + am.len(), prefix + j)));
    }
    let (a_end, b_end) = (a.len() - suffix, b.len() - suffix);
    ops.extend((0..suffix).map(|k| Op::Same(a_end + k, b_end + k)));
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_text_that_does_not_parse_is_refused() {
        assert!(verify("main.json", "{\"a\": 1}").is_ok());
        let e = verify("main.json", "{\"a\": 1,,").unwrap_err();
        assert!(e.0.contains("fixing main.json would break it"), "{e}");
        assert!(verify("main.bicep", "param x string\n").is_ok());
        assert!(verify("main.bicep", "resource x 'a@b' = {\n").is_err());
    }

    #[test]
    fn diffs_show_changed_lines_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
        let new = "a\nb\nc\nd\nE\nf\ng\nh\ni\nj\nk\n";
        let d = unified_diff("x.json", old, new);
        assert_eq!(
            d,
            "--- a/x.json\n+++ b/x.json\n@@ -2,9 +2,10 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n i\n j\n+k\n"
        );
        // Changes far apart are hunks of their own.
        let old: String = (0..20).map(|i| format!("{i}\n")).collect();
        let new: String = (0..20)
            .map(|i| match i {
                1 => "one\n".to_string(),
                18 => "eighteen\n".to_string(),
                _ => format!("{i}\n"),
            })
            .collect();
        let d = unified_diff("x", &old, &new);
        assert_eq!(d.matches("@@ -").count(), 2, "{d}");
        assert!(d.contains("@@ -1,5 +1,5 @@\n 0\n-1\n+one\n 2\n"), "{d}");
        // An insertion of lines, and a last line without a newline.
        let d = unified_diff("x.json", "a\nb", "a\nx\nb");
        assert_eq!(
            d,
            "--- a/x.json\n+++ b/x.json\n@@ -1,2 +1,3 @@\n a\n+x\n b\n\\ No newline at end of file\n"
        );
        assert_eq!(unified_diff("x", "same\n", "same\n"), "--- a/x\n+++ b/x\n");
    }
}
