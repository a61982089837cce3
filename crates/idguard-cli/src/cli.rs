//! Command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Shown after `--help` of the binary and of `idguard check`.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  no findings at or above --fail-on (suppressed and baselined findings never count)
  1  findings at or above --fail-on
  2  usage error, a path that does not exist or is not a regular file, an unreadable
     or invalid template or parameter file, a refused linked template, an invalid
     policy or baseline, a policy plugin that failed, a failed write to standard output";

const CHECK_AFTER_HELP: &str = "\
Outputs:
  Without --output, the one --format (default text) goes to standard output.
  With --output, each --format is written to the --output at the same position
  (`--format sarif --output idguard.sarif --format junit --output junit.xml`); a
  missing --format is inferred from the file extension (.sarif, .json, .xml, .txt).
  The text report still goes to the terminal unless --quiet is given or an
  --output is `-` (standard output).

Exit codes:
  0  no findings at or above --fail-on (suppressed and baselined findings never count)
  1  findings at or above --fail-on
  2  usage error, a path that does not exist or is not a regular file, an unreadable
     or invalid template or parameter file, a refused linked template, an invalid
     policy or baseline, a policy plugin that failed, a failed write to standard output";

/// idguard: check managed-identity design in Bicep and ARM templates.
#[derive(Debug, Parser)]
#[command(name = "idguard", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// When to colour terminal output (NO_COLOR and CLICOLOR_FORCE are honoured in `auto`).
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check templates (files or directories, default `.`).
    #[command(after_help = CHECK_AFTER_HELP)]
    Check(CheckArgs),
    /// Write the current findings as a baseline (a JSON report) for `check --baseline`.
    Baseline(BaselineArgs),
    /// Draw the identity graph: who can do what, where (Mermaid, DOT, SVG,
    /// JSON, or a CI job summary), or with --diff the graph of a change.
    #[command(after_help = GRAPH_AFTER_HELP)]
    Graph(GraphArgs),
    /// List the rules.
    Rules(RulesArgs),
    /// Print a rule's documentation.
    Explain {
        /// Rule code or name, e.g. MI101 or no-broad-privileged-role.
        code: String,
    },
    /// Write a starter `idguard.json` policy in the current directory.
    Init {
        /// Overwrite an existing idguard.json.
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Internals for tools and tests.
    #[command(hide = true, subcommand)]
    Debug(DebugCommand),
}

/// `idguard debug …` (hidden).
#[derive(Debug, Subcommand)]
pub enum DebugCommand {
    /// Print the model JSON plugins receive, one per evaluation of each
    /// template (a JSON array).
    Model(InputArgs),
}

/// What to check and with which policy (shared by `check` and `baseline`).
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Files and directories to check. Directories are walked honouring
    /// .gitignore; only *.json, *.jsonc, *.bicep and *.bicepparam files are
    /// read.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Skip walked files and directories matching this glob (repeatable),
    /// e.g. `--exclude '**/legacy/**'`.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Evaluate the template with this parameter file instead of the ones
    /// found by naming convention (repeatable; needs exactly one template).
    #[arg(long, value_name = "FILE")]
    pub parameters: Vec<PathBuf>,

    /// Policy file. Default: the first idguard.json found upward from the
    /// first PATH, else the built-in default policy.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// The directory tree that linked templates, symlinks in walked
    /// directories, a discovered policy and its plugins must stay inside
    /// (default: the current directory, or a checked path outside it).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// Worker threads (default: one per core; at most 4 per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Do not run the policy's WebAssembly plugins.
    #[arg(long)]
    pub no_plugins: bool,

    /// Directory for compiled plugins (default: $XDG_CACHE_HOME/idguard/plugins
    /// or ~/.cache/idguard/plugins).
    #[arg(long, value_name = "DIR")]
    pub plugin_cache: Option<PathBuf>,

    /// Bicep's module cache, where `br:` registry modules are read from
    /// after `bicep restore` (default: $IDGUARD_BICEP_CACHE, else ~/.bicep).
    #[arg(long, value_name = "DIR")]
    pub bicep_cache: Option<PathBuf>,

    /// Tell on standard error what the plugin host does (compile or cache
    /// hit, time per plugin).
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

/// `idguard check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Report format (repeatable, paired in order with --output).
    #[arg(long, short = 'f', value_enum, value_name = "FORMAT")]
    pub format: Vec<Format>,

    /// Write the report to FILE (repeatable; `-` is standard output).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Vec<PathBuf>,

    /// Lowest severity that fails the run (exit code 1).
    #[arg(long, value_enum, default_value_t = FailOn::Error, value_name = "LEVEL")]
    pub fail_on: FailOn,

    /// A previous JSON report or SARIF file: findings whose fingerprint is in
    /// it are left out of the output and never fail the run.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// With --output, do not also print the text report to the terminal.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Apply the safe fixes of the findings to the files, then report what
    /// remains (docs/cli.md, "Fixes").
    #[arg(long, conflicts_with = "diff")]
    pub fix: bool,

    /// With --fix or --diff, also the unsafe fixes (a new role assignment
    /// name, placeholder tag values).
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print the fixes --fix would apply as a unified diff instead of the
    /// report, and write nothing.
    #[arg(long)]
    pub diff: bool,
}

/// `idguard baseline`.
#[derive(Debug, Args)]
pub struct BaselineArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Where to write the baseline (a JSON report).
    #[arg(long, short = 'o', value_name = "FILE", required = true)]
    pub output: PathBuf,
}

/// `idguard graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = GraphFormat::Mermaid, value_name = "FORMAT")]
    pub format: GraphFormat,

    /// Write to FILE instead of standard output (`-` is standard output).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Show only what changed against BASE: a graph JSON file written by
    /// `--format json`, or a git revision (`main`, `HEAD~1`, a commit),
    /// whose files are read from git without touching the working tree.
    #[arg(long, value_name = "BASE")]
    pub diff: Option<String>,

    /// Nodes drawn per graph; the rest is summed up as "and N more"
    /// (Mermaid, DOT, SVG, summary; JSON is never cut).
    #[arg(long, value_name = "N", default_value_t = idguard_core::graph::DEFAULT_MAX_NODES)]
    pub max_nodes: usize,

    /// With --format summary: where the full report is (a SARIF file, the
    /// run's artifacts), linked when tables are cut.
    #[arg(long, value_name = "URL")]
    pub report_link: Option<String>,
}

/// `idguard graph` formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Mermaid flowchart (renders in GitHub and Azure DevOps Markdown).
    Mermaid,
    /// Graphviz DOT.
    Dot,
    /// A self-contained SVG image.
    Svg,
    /// The graph as JSON (what --diff reads back, and tools).
    Json,
    /// Markdown for a CI job summary: the Mermaid of the change (or the
    /// graph), the findings, the most privileged identities.
    Summary,
}

const GRAPH_AFTER_HELP: &str = "\
Examples:
  idguard graph infra/ > graph.mmd
  idguard graph infra/main.bicep --format svg -o graph.svg
  idguard graph infra/ --diff main                 # what this branch changes
  idguard graph infra/ --format json -o base.json  # keep a graph to --diff against
  idguard graph infra/ --diff origin/main --format summary >> \"$GITHUB_STEP_SUMMARY\"

Nodes: identities (user- and system-assigned), workloads, scopes, custom roles.
Edges: attached-to, has-role-at (the role), feeds-client-id (the setting).
Findings are marked on what they concern (colour and rule code). See docs/graph.md.";

/// `idguard rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Table for people or JSON for tools.
    #[arg(long, short = 'f', value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
}

/// Report formats of `idguard check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable diagnostics with code frames and a summary.
    Text,
    /// The JSON report (`{"version", "files", "findings", "summary"}`).
    Json,
    /// SARIF 2.1.0 (GitHub code scanning, Azure DevOps).
    Sarif,
    /// JUnit XML: one test case per template and rule family.
    Junit,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

impl Format {
    /// How the lines of this format are guarded when written.
    pub fn kind(self) -> crate::output::Kind {
        idguard_render::Format::from(self).kind()
    }

    /// The format a file extension suggests.
    pub fn from_extension(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "sarif" => Some(Format::Sarif),
            "json" => Some(Format::Json),
            "xml" => Some(Format::Junit),
            "txt" | "log" => Some(Format::Text),
            _ => None,
        }
    }
}

/// `idguard rules` formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
}

/// The `--fail-on` threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}
