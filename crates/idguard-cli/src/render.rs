//! The report renderers live in `idguard-render` (shared with the npm
//! package's `idguard` command, so both print the same bytes); this is
//! the CLI's view of them, in its own `--format` and `--fail-on` types.

pub use idguard_render::{Context, clean_docs, json};

use crate::cli::{FailOn, Format};

impl From<Format> for idguard_render::Format {
    fn from(f: Format) -> Self {
        match f {
            Format::Text => idguard_render::Format::Text,
            Format::Json => idguard_render::Format::Json,
            Format::Sarif => idguard_render::Format::Sarif,
            Format::Junit => idguard_render::Format::Junit,
            Format::Github => idguard_render::Format::Github,
        }
    }
}

impl From<FailOn> for idguard_render::FailOn {
    fn from(f: FailOn) -> Self {
        match f {
            FailOn::Error => idguard_render::FailOn::Error,
            FailOn::Warning => idguard_render::FailOn::Warning,
            FailOn::Info => idguard_render::FailOn::Info,
            FailOn::Never => idguard_render::FailOn::Never,
        }
    }
}

/// Renders `ctx` in `format`. `color` only matters for text.
pub fn render(format: Format, ctx: &Context<'_>, color: bool) -> String {
    idguard_render::render(format.into(), ctx, color)
}
