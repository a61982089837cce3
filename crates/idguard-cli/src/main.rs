//! `idguard`: checks managed-identity design in ARM templates and the ARM
//! JSON Bicep compiles to. Exit codes: 0 clean, 1 findings at or above
//! `--fail-on`, 2 usage or input error.

mod check;
mod cli;
mod commands;
mod files;
mod fix;
mod graph;
mod output;
mod plugins;
mod render;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::check::{Checked, Fatal};
use crate::cli::{BaselineArgs, CheckArgs, Cli, ColorWhen, Command, Format};
use crate::output::Kind;
use crate::render::Context;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.color {
        ColorWhen::Always => anstream::ColorChoice::Always.write_global(),
        ColorWhen::Never => anstream::ColorChoice::Never.write_global(),
        ColorWhen::Auto => {}
    }
    match run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(Fatal(message)) => {
            output::eprintln(&message);
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<u8, Fatal> {
    match command {
        Command::Check(args) => check_command(&args),
        Command::Baseline(args) => baseline_command(&args),
        Command::Graph(args) => graph::command(&args),
        Command::Rules(args) => {
            let kind = match args.format {
                cli::RulesFormat::Text => Kind::Text,
                cli::RulesFormat::Json => Kind::Json,
            };
            output::stdout(&commands::rules(args.format), kind)?;
            Ok(0)
        }
        Command::Explain { code } => {
            output::stdout(&commands::explain(&code)?, Kind::Text)?;
            Ok(0)
        }
        Command::Init { force } => {
            let dir = std::env::current_dir()
                .map_err(|e| Fatal(format!("error: no current directory: {e}")))?;
            output::stdout(&commands::init(&dir, force)?, Kind::Text)?;
            Ok(0)
        }
        Command::Debug(cli::DebugCommand::Model(input)) => {
            let models = check::models(&input)?;
            let mut text = serde_json::to_string_pretty(&models).unwrap_or_default();
            text.push('\n');
            output::stdout(&text, Kind::Json)?;
            Ok(0)
        }
        Command::Completions { shell } => {
            // Generated into memory: clap_complete panics on a failed write.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "idguard", &mut script);
            output::stdout(&String::from_utf8_lossy(&script), Kind::Text)?;
            Ok(0)
        }
    }
}

/// Where one rendered report goes.
#[derive(Debug, PartialEq, Eq)]
enum Destination {
    Stdout,
    File(PathBuf),
}

/// Pairs `--format`s with `--output`s (see `idguard check --help`).
fn plan_outputs(
    formats: &[Format],
    outputs: &[PathBuf],
) -> Result<Vec<(Format, Destination)>, Fatal> {
    let dest = |p: &PathBuf| {
        if p.as_os_str() == "-" {
            Destination::Stdout
        } else {
            Destination::File(p.clone())
        }
    };
    if outputs.is_empty() {
        return match formats {
            [] => Ok(vec![(Format::Text, Destination::Stdout)]),
            [one] => Ok(vec![(*one, Destination::Stdout)]),
            _ => Err(Fatal(
                "error: several --format options need as many --output options (paired in order)"
                    .to_string(),
            )),
        };
    }
    if formats.is_empty() {
        return outputs
            .iter()
            .map(|p| {
                Format::from_extension(p).map(|f| (f, dest(p))).ok_or_else(|| {
                    Fatal(format!(
                        "error: cannot tell the format of --output {} from its extension; add --format",
                        p.display()
                    ))
                })
            })
            .collect();
    }
    if formats.len() != outputs.len() {
        return Err(Fatal(format!(
            "error: {} --format option(s) but {} --output option(s): give one --format per --output (paired in order), or none to infer formats from the file extensions",
            formats.len(),
            outputs.len()
        )));
    }
    let plan: Vec<(Format, Destination)> = formats
        .iter()
        .zip(outputs)
        .map(|(f, p)| (*f, dest(p)))
        .collect();
    if plan
        .iter()
        .filter(|(_, d)| *d == Destination::Stdout)
        .count()
        > 1
    {
        return Err(Fatal("error: only one --output can be `-`".to_string()));
    }
    Ok(plan)
}

fn context<'a>(checked: &'a Checked, fail_on: cli::FailOn) -> Context<'a> {
    Context {
        report: &checked.report,
        sources: &checked.sources,
        fail_on: fail_on.into(),
        elapsed: checked.elapsed,
        baselined: checked.baselined,
        parameter_files: checked.parameter_files,
        rules: idguard_core::rules::registry(),
        root: std::env::current_dir().unwrap_or_default(),
    }
}

/// Prints the plugin failures of a run to standard error.
fn report_plugin_errors(checked: &Checked) {
    for e in &checked.report.plugin_errors {
        output::eprintln(&format!("error: {e}"));
    }
}

fn check_command(args: &CheckArgs) -> Result<u8, Fatal> {
    let plan = plan_outputs(&args.format, &args.output)?;
    let stdout_taken = plan.iter().any(|(_, d)| *d == Destination::Stdout);
    // Code frames of findings are shown only in text output: without it,
    // the texts of templates with findings are not kept.
    let frames = plan.iter().any(|(f, _)| *f == Format::Text) || (!stdout_taken && !args.quiet);
    let (checked, diff) = if args.fix || args.diff {
        let outcome = fix::run(args, frames)?;
        output::eprintln(&fix::summary(&outcome, args));
        (outcome.checked, args.diff.then_some(outcome.diff))
    } else {
        (
            check::run(&args.input, args.baseline.as_deref(), frames)?,
            None,
        )
    };
    let ctx = context(&checked, args.fail_on);
    if let Some(diff) = &diff {
        // The diff takes standard output; the report goes to files only.
        output::stdout(diff, Kind::Text)?;
    }
    let stdout_taken = diff.is_some() || stdout_taken;
    for (format, dest) in &plan {
        match dest {
            Destination::Stdout if diff.is_some() => {}
            // Colour codes are stripped by anstream unless the terminal
            // (and NO_COLOR/CLICOLOR_FORCE/--color) allows them.
            Destination::Stdout => {
                output::stdout(&render::render(*format, &ctx, true), format.kind())?;
            }
            Destination::File(path) => {
                output::write_file(path, &render::render(*format, &ctx, false), format.kind())?;
            }
        }
    }
    if !stdout_taken && !args.quiet {
        output::stdout(&render::render(Format::Text, &ctx, true), Kind::Text)?;
    }
    report_plugin_errors(&checked);
    Ok(exit_code(&ctx))
}

/// 2 when a file could not be checked or a plugin failed, else 1 when a
/// finding fails the run, else 0.
fn exit_code(ctx: &Context<'_>) -> u8 {
    idguard_render::exit_code(ctx)
}

fn baseline_command(args: &BaselineArgs) -> Result<u8, Fatal> {
    // A baseline shows no findings, only the files it could not read.
    let checked = check::run(&args.input, None, false)?;
    let ctx = context(&checked, cli::FailOn::Never);
    output::write_file(&args.output, &render::json(&ctx), Kind::Json)?;
    let n = checked.report.findings.len();
    let mut msg = format!(
        "Wrote baseline {} with {n} finding{}\n",
        args.output.display(),
        if n == 1 { "" } else { "s" }
    );
    if checked.report.summary.invalid_files > 0 || !checked.report.plugin_errors.is_empty() {
        msg.push_str(&render::render(Format::Text, &ctx, true));
        output::stdout(&msg, Kind::Text)?;
        report_plugin_errors(&checked);
        return Ok(2);
    }
    output::stdout(&msg, Kind::Text)?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_plans() {
        use Destination::*;
        let p = |s: &str| PathBuf::from(s);
        assert_eq!(
            plan_outputs(&[], &[]).unwrap(),
            vec![(Format::Text, Stdout)]
        );
        assert_eq!(
            plan_outputs(&[Format::Json], &[]).unwrap(),
            vec![(Format::Json, Stdout)]
        );
        assert!(plan_outputs(&[Format::Json, Format::Sarif], &[]).is_err());
        assert_eq!(
            plan_outputs(&[Format::Sarif, Format::Junit], &[p("a.sarif"), p("-")]).unwrap(),
            vec![(Format::Sarif, File(p("a.sarif"))), (Format::Junit, Stdout)]
        );
        assert_eq!(
            plan_outputs(&[], &[p("a.sarif"), p("b.xml"), p("c.json")]).unwrap(),
            vec![
                (Format::Sarif, File(p("a.sarif"))),
                (Format::Junit, File(p("b.xml"))),
                (Format::Json, File(p("c.json")))
            ]
        );
        assert!(plan_outputs(&[], &[p("noext")]).is_err());
        assert!(plan_outputs(&[Format::Json], &[p("a"), p("b")]).is_err());
        assert!(plan_outputs(&[Format::Json, Format::Text], &[p("-"), p("-")]).is_err());
    }
}
