//! The environment (dev, test, prod, …) of deployments and resources.

use crate::expr::Val;
use crate::policy::Policy;

/// Where an environment was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnvSource {
    /// A tag (`environment`, `env`, …) on the resource.
    Tag,
    /// A token of the resource's name (`id-api-prod`).
    Name,
    /// The deployment's environment parameter, by name.
    Parameter(String),
    /// The parameter file's name (`main.prod.parameters.json`).
    ParameterFile,
}

/// A canonical environment name (as the policy names it) and its source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Environment {
    pub name: String,
    pub source: EnvSource,
}

impl Environment {
    /// Words for messages: "prod (from its name)".
    pub fn describe(&self) -> String {
        let from = match &self.source {
            EnvSource::Tag => "from its tag".to_string(),
            EnvSource::Name => "from its name".to_string(),
            EnvSource::Parameter(p) => format!("from parameter '{p}'"),
            EnvSource::ParameterFile => "from the parameter file name".to_string(),
        };
        format!("{} ({from})", self.name)
    }
}

/// Tag names that carry an environment.
pub const ENV_TAGS: &[&str] = &[
    "environment",
    "env",
    "environmentName",
    "environmentType",
    "stage",
];

/// Parameter names that carry the deployment's environment.
pub const ENV_PARAMETERS: &[&str] = &[
    "environment",
    "env",
    "environmentName",
    "environmentType",
    "envName",
    "stage",
    "deploymentEnvironment",
    "environmentCode",
];

/// The environment of a resource from its tags, then its name.
pub fn of_resource(policy: &Policy, tags: Option<&Val>, name: &Val) -> Option<Environment> {
    if let Some(tags) = tags.and_then(Val::as_object) {
        for key in ENV_TAGS {
            if let Some(v) = tags.get(key).and_then(Val::as_str)
                && let Some(env) = policy
                    .environment_of_token(v)
                    .or_else(|| policy.environment_in_name(v))
            {
                return Some(Environment {
                    name: env.to_string(),
                    source: EnvSource::Tag,
                });
            }
        }
    }
    let name = name.as_str()?;
    policy.environment_in_name(name).map(|env| Environment {
        name: env.to_string(),
        source: EnvSource::Name,
    })
}

/// The deployment's environment from an environment parameter's value.
pub fn of_parameter(policy: &Policy, name: &str, value: &Val) -> Option<Environment> {
    if !ENV_PARAMETERS.iter().any(|p| p.eq_ignore_ascii_case(name)) {
        return None;
    }
    let v = value.as_str()?;
    policy
        .environment_of_token(v)
        .or_else(|| policy.environment_in_name(v))
        .map(|env| Environment {
            name: env.to_string(),
            source: EnvSource::Parameter(name.to_string()),
        })
}

/// The environment a parameter file's name carries
/// (`main.prod.parameters.json` → prod).
pub fn of_parameter_file(policy: &Policy, path: &str) -> Option<Environment> {
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let stem = file
        .strip_suffix(".json")
        .or_else(|| file.strip_suffix(".jsonc"))
        .unwrap_or(file);
    let tokens: Vec<&str> = stem
        .split(['.', '-', '_'])
        .filter(|t| !t.eq_ignore_ascii_case("parameters") && !t.is_empty())
        .collect();
    let mut found: Option<&str> = None;
    for t in tokens {
        if let Some(env) = policy.environment_of_token(t) {
            match found {
                Some(f) if f != env => return None,
                _ => found = Some(env),
            }
        }
    }
    found.map(|env| Environment {
        name: env.to_string(),
        source: EnvSource::ParameterFile,
    })
}
