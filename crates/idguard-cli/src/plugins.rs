//! The plugin host: runs a policy's WebAssembly plugins under wasmtime on
//! the model JSON of every evaluation (`docs/plugin-abi.md`).
//!
//! A plugin gets nothing from the host but its input: it is instantiated
//! with no imports (a module that imports anything is rejected), every call
//! runs in a fresh store with a fuel limit, an epoch deadline (a background
//! thread ticks the engine's epoch) and a memory cap. The engine and the
//! compiled modules are made once per run and shared by the worker
//! threads; compiled modules are cached on disk, keyed by the module's
//! hash, the wasmtime version and the engine's settings.
//!
//! Whatever a plugin does wrong — not wasm, wrong ABI, imports, traps, out
//! of fuel, past its deadline, over its memory cap, malformed output — is
//! a [`PluginError`] naming the plugin, the template and what happened; the
//! built-in rules still run and the run exits with code 2.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use idguard_core::api::ExternalFinding;
use idguard_core::finding::{PluginError, PluginErrorKind as Kind, Severity};
use idguard_core::policy::{PluginLimits, PluginSpec};
use idguard_plugin::{ABI_VERSION, Output};
use wasmtime::{
    Config, Engine, ExternType, Instance, Module, ResourceLimiter, Store, StoreLimits,
    StoreLimitsBuilder, Trap, ValType,
};

/// Default fuel per call, in millions of units (about one unit per wasm
/// instruction).
pub const DEFAULT_FUEL_MILLIONS: u64 = 2_000;
/// Default wall-clock deadline per call.
pub const DEFAULT_TIMEOUT_MS: u64 = 2_000;
/// Default cap on a plugin's linear memory.
pub const DEFAULT_MEMORY_MIB: u64 = 64;
/// Most findings one call may return.
pub const MAX_FINDINGS: usize = 10_000;
/// How often the epoch ticks.
const TICK: Duration = Duration::from_millis(5);

/// How plugins are run, from the command line.
#[derive(Debug, Clone, Default)]
pub struct HostOptions {
    /// Where compiled modules are cached (`None`: the default directory,
    /// `--plugin-cache`).
    pub cache_dir: Option<PathBuf>,
    /// Print what the host does (compile or cache hit, time) to stderr.
    pub verbose: bool,
    /// The tree plugin files must stay inside, when the policy naming them
    /// is inside a checked tree (see `crate::files`).
    pub confine: Option<crate::files::Tree>,
}

/// What went wrong in one step, before it is named after its plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Failure {
    kind: Kind,
    message: String,
}

impl Failure {
    fn new(kind: Kind, message: impl Into<String>) -> Failure {
        Failure {
            kind,
            message: message.into(),
        }
    }
}

/// The limits of one plugin's calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub fuel: u64,
    pub timeout: Duration,
    pub memory_bytes: usize,
}

impl Limits {
    fn from_spec(l: &PluginLimits) -> Limits {
        let mib = l.memory_mib.unwrap_or(DEFAULT_MEMORY_MIB);
        Limits {
            fuel: l
                .fuel_millions
                .unwrap_or(DEFAULT_FUEL_MILLIONS)
                .saturating_mul(1_000_000),
            timeout: Duration::from_millis(l.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS)),
            memory_bytes: usize::try_from(mib.saturating_mul(1 << 20)).unwrap_or(usize::MAX),
        }
    }
}

/// One loaded plugin.
struct Plugin {
    name: String,
    /// The path as the policy wrote it.
    shown: String,
    config: serde_json::Value,
    limits: Limits,
    module: Module,
    /// Total time spent in calls, in microseconds.
    busy_us: AtomicU64,
    calls: AtomicU64,
}

impl Plugin {
    /// A failure of this plugin, on one evaluation (template, parameter
    /// file) or, with `None`, while loading.
    fn error(&self, evaluation: Option<(&str, Option<&str>)>, what: Failure) -> PluginError {
        PluginError {
            plugin: self.name.clone(),
            path: Some(self.shown.clone()),
            file: evaluation.map(|(t, _)| t.to_string()),
            parameter_file: evaluation.and_then(|(_, p)| p).map(str::to_string),
            kind: what.kind,
            message: what.message,
        }
    }
}

/// The engine, the loaded plugins and the epoch ticker of one run.
pub struct Host {
    engine: Engine,
    plugins: Vec<Plugin>,
    errors: Mutex<Vec<PluginError>>,
    verbose: bool,
    stop: Arc<AtomicBool>,
    ticker: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host")
            .field("plugins", &self.plugins.len())
            .finish()
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.ticker.take() {
            let _ = t.join();
        }
    }
}

/// The store's data: limits, and whether a memory request was denied.
struct State {
    limits: StoreLimits,
    memory_cap: usize,
    denied: Option<usize>,
}

impl ResourceLimiter for State {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let ok = self.limits.memory_growing(current, desired, maximum)?;
        if !ok && desired > self.memory_cap {
            self.denied = Some(desired);
        }
        Ok(ok)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.limits.table_growing(current, desired, maximum)
    }
}

/// The engine every plugin runs on: fuel metering and epoch interruption
/// on, proposals a plugin does not need (threads, GC, component model) off
/// by construction of the features wasmtime is built with.
fn engine() -> Result<Engine, String> {
    let mut config = Config::new();
    config.consume_fuel(true);
    config.epoch_interruption(true);
    config.parallel_compilation(true);
    Engine::new(&config).map_err(|e| format!("cannot start the WebAssembly engine: {e}"))
}

/// The default cache directory: `$XDG_CACHE_HOME/idguard/plugins`, else
/// `~/.cache/idguard/plugins` (`%LOCALAPPDATA%\idguard\plugins` on
/// Windows).
pub fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            if cfg!(windows) {
                std::env::var_os("LOCALAPPDATA").map(PathBuf::from)
            } else {
                std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache"))
            }
        })?;
    Some(base.join("idguard").join("plugins"))
}

/// FNV-1a 64 of bytes, as hex.
fn fnv64(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The cache file name of a module: its hash and length, the wasmtime
/// version and a hash of the engine's compilation settings.
fn cache_key(engine: &Engine, bytes: &[u8]) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut h);
    format!(
        "{}-{}-wasmtime{}-{:016x}.cwasm",
        fnv64(bytes),
        bytes.len(),
        wasmtime_version(),
        h.finish()
    )
}

/// The wasmtime version this binary was built with (from the engine's
/// compatibility header is not public, so from the crate's major version).
fn wasmtime_version() -> &'static str {
    "48"
}

/// What `Module` loading did, for `--verbose`.
enum Loaded {
    Compiled(Duration),
    CacheHit(Duration),
}

/// Reads a compiled module from the cache.
#[allow(unsafe_code)]
fn deserialize(engine: &Engine, path: &Path) -> Option<Module> {
    // SAFETY: `Module::deserialize_file` trusts its input to be an artifact
    // `Module::serialize` wrote. The file lives in the user's own cache
    // directory (created private), is written by this function's sibling
    // `compile` only, and its name binds the module's hash, the wasmtime
    // version and the engine settings; wasmtime additionally checks the
    // artifact's header and engine compatibility and rejects a mismatch.
    // The cache directory is trusted as the binary itself is.
    unsafe { Module::deserialize_file(engine, path) }.ok()
}

/// Compiles `bytes`, or loads them from the cache.
fn compile(
    engine: &Engine,
    bytes: &[u8],
    cache_dir: Option<&Path>,
) -> Result<(Module, Loaded), Failure> {
    let started = Instant::now();
    let path = cache_dir.map(|d| d.join(cache_key(engine, bytes)));
    if let Some(path) = &path
        && path.is_file()
        && let Some(module) = deserialize(engine, path)
    {
        // A hit marks the entry as used, for eviction.
        if let Ok(file) = std::fs::File::options().append(true).open(path) {
            let _ = file.set_modified(std::time::SystemTime::now());
        }
        return Ok((module, Loaded::CacheHit(started.elapsed())));
    }
    let module = Module::new(engine, bytes)
        .map_err(|e| Failure::new(Kind::NotWasm, format!("does not compile: {e:#}")))?;
    let elapsed = started.elapsed();
    if let (Some(dir), Some(path)) = (cache_dir, &path)
        && let Ok(artifact) = module.serialize()
    {
        let _ = write_private(dir, path, &artifact);
        evict(dir, path, CACHE_MAX_AGE, CACHE_MAX_BYTES);
    }
    Ok((module, Loaded::Compiled(elapsed)))
}

/// Cache entries unused for this long are removed.
const CACHE_MAX_AGE: Duration = Duration::from_secs(30 * 24 * 3600);
/// The cache is kept under this size (least recently used first out).
const CACHE_MAX_BYTES: u64 = 512 << 20;

/// Removes compiled modules not used within `max_age`, then the least
/// recently used ones until the directory holds at most `max_bytes` of
/// them; `keep` (the entry just written) stays. Leftover temporary files
/// older than an hour (an interrupted write) go too. Runs after a
/// compile only, so a warm run touches nothing but the entries it uses.
/// Errors are ignored: the cache is an optimisation.
fn evict(dir: &Path, keep: &Path, max_age: Duration, max_bytes: u64) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = std::time::SystemTime::now();
    let age = |t: std::time::SystemTime| now.duration_since(t).unwrap_or_default();
    let mut modules = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = entry.metadata() else { continue };
        let Ok(modified) = meta.modified() else {
            continue;
        };
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.ends_with(".tmp") {
            if age(modified) > Duration::from_secs(3600) {
                let _ = std::fs::remove_file(&path);
            }
        } else if name.ends_with(".cwasm") && path != keep {
            if age(modified) > max_age {
                let _ = std::fs::remove_file(&path);
            } else {
                modules.push((modified, meta.len(), path));
            }
        }
    }
    let kept = std::fs::metadata(keep).map_or(0, |m| m.len());
    let mut total: u64 = kept + modules.iter().map(|(_, len, _)| len).sum::<u64>();
    modules.sort();
    for (_, len, path) in modules {
        if total <= max_bytes {
            break;
        }
        if std::fs::remove_file(&path).is_ok() {
            total = total.saturating_sub(len);
        }
    }
}

/// Writes a cache file atomically (temporary file, then rename) in a
/// directory only the user can read.
fn write_private(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        std::process::id(),
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("module")
    ));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// Checks the module's shape: no imports, the four functions with their
/// signatures, and `memory`.
fn check_shape(module: &Module) -> Result<(), Failure> {
    let imports: Vec<String> = module
        .imports()
        .map(|i| format!("{}::{}", i.module(), i.name()))
        .collect();
    if !imports.is_empty() {
        return Err(Failure::new(
            Kind::Imports,
            format!(
                "imports {} — plugins may import nothing (no WASI, no host functions)",
                imports.join(", ")
            ),
        ));
    }
    let expected: [(&str, &[ValType], &[ValType]); 4] = [
        ("idguard_abi_version", &[], &[ValType::I32]),
        ("idguard_alloc", &[ValType::I32], &[ValType::I32]),
        ("idguard_free", &[ValType::I32, ValType::I32], &[]),
        (
            "idguard_check",
            &[ValType::I32, ValType::I32],
            &[ValType::I64],
        ),
    ];
    for (name, params, results) in expected {
        let Some(export) = module.get_export(name) else {
            return Err(Failure::new(
                Kind::Exports,
                format!("does not export `{name}`"),
            ));
        };
        let ExternType::Func(ty) = export else {
            return Err(Failure::new(
                Kind::Exports,
                format!("exports `{name}`, but not as a function"),
            ));
        };
        let same = |got: Vec<ValType>, want: &[ValType]| {
            got.len() == want.len() && got.iter().zip(want).all(|(a, b)| ValType::eq(a, b))
        };
        if !same(ty.params().collect(), params) || !same(ty.results().collect(), results) {
            return Err(Failure::new(
                Kind::Exports,
                format!("exports `{name}` with the wrong signature (see docs/plugin-abi.md)"),
            ));
        }
    }
    match module.get_export("memory") {
        Some(ExternType::Memory(m)) if !m.is_64() => Ok(()),
        Some(ExternType::Memory(_)) => Err(Failure::new(
            Kind::Exports,
            "exports a 64-bit `memory`; the ABI is 32-bit",
        )),
        _ => Err(Failure::new(Kind::Exports, "does not export `memory`")),
    }
}

/// The plugin's name: the policy's `name`, else the file stem.
fn plugin_name(spec: &PluginSpec) -> String {
    spec.effective_name()
}

/// How a call went wrong, in words.
fn describe_failure(err: &wasmtime::Error, state: &State, limits: &Limits, used: u64) -> Failure {
    if let Some(bytes) = state.denied {
        return Failure::new(
            Kind::Memory,
            format!(
                "exceeded its memory cap of {} MiB (it asked for {} MiB)",
                limits.memory_bytes >> 20,
                bytes.div_ceil(1 << 20)
            ),
        );
    }
    match err.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => Failure::new(
            Kind::Fuel,
            format!("ran out of fuel after {used} instructions"),
        ),
        Some(Trap::Interrupt) => Failure::new(
            Kind::Deadline,
            format!("exceeded its deadline of {} ms", limits.timeout.as_millis()),
        ),
        Some(trap) => Failure::new(Kind::Trap, format!("trapped: {trap}")),
        None => Failure::new(Kind::Trap, format!("failed: {err:#}")),
    }
}

/// A fresh store for one call under `limits`: the memory cap and the
/// one-instance/one-memory/four-table limits, fuel, and an epoch deadline
/// that traps.
fn store(engine: &Engine, limits: &Limits) -> Result<Store<State>, Failure> {
    let state = State {
        limits: StoreLimitsBuilder::new()
            .memory_size(limits.memory_bytes)
            .instances(1)
            .memories(1)
            .tables(4)
            .build(),
        memory_cap: limits.memory_bytes,
        denied: None,
    };
    let mut store = Store::new(engine, state);
    store.limiter(|s| s);
    store
        .set_fuel(limits.fuel)
        .map_err(|e| Failure::new(Kind::Trap, format!("failed: {e}")))?;
    let ticks = u64::try_from(limits.timeout.as_millis() / TICK.as_millis()).unwrap_or(u64::MAX);
    store.set_epoch_deadline(ticks.max(1));
    store.epoch_deadline_trap();
    Ok(store)
}

/// What a call that failed with `e` in `store` did, with the fuel it used.
fn failure(store: &Store<State>, e: wasmtime::Error, limits: &Limits) -> Failure {
    let used = limits.fuel.saturating_sub(store.get_fuel().unwrap_or(0));
    describe_failure(&e, store.data(), limits, used)
}

/// The raw output of one call (bytes), or what went wrong.
fn call(
    engine: &Engine,
    module: &Module,
    limits: &Limits,
    input: &[u8],
) -> Result<Vec<u8>, Failure> {
    let mut store = store(engine, limits)?;
    let fail = |store: &Store<State>, e: wasmtime::Error| failure(store, e, limits);
    let instance = Instance::new(&mut store, module, &[]).map_err(|e| fail(&store, e))?;
    let memory = instance
        .get_memory(&mut store, "memory")
        .ok_or_else(|| Failure::new(Kind::Exports, "does not export `memory`"))?;
    let alloc = instance
        .get_typed_func::<i32, i32>(&mut store, "idguard_alloc")
        .map_err(|e| fail(&store, e))?;
    let check = instance
        .get_typed_func::<(i32, i32), i64>(&mut store, "idguard_check")
        .map_err(|e| fail(&store, e))?;
    let len = i32::try_from(input.len()).map_err(|_| {
        Failure::new(
            Kind::Memory,
            format!(
                "cannot take this model: it is too large for a 32-bit memory ({} bytes)",
                input.len()
            ),
        )
    })?;
    let ptr = alloc.call(&mut store, len).map_err(|e| fail(&store, e))?;
    let start = usize::try_from(ptr as u32).unwrap_or(usize::MAX);
    memory.write(&mut store, start, input).map_err(|_| {
        Failure::new(
            Kind::Output,
            format!("returned an input buffer outside its memory from idguard_alloc({len}): {ptr}"),
        )
    })?;
    let packed = check
        .call(&mut store, (ptr, len))
        .map_err(|e| fail(&store, e))?;
    let out_ptr = (packed >> 32) as u32 as usize;
    let out_len = (packed & 0xFFFF_FFFF) as usize;
    let data = memory.data(&store);
    data.get(out_ptr..out_ptr.saturating_add(out_len))
        .map(<[u8]>::to_vec)
        .ok_or_else(|| {
            Failure::new(
                Kind::Output,
                format!(
                    "returned an output range outside its memory ({out_len} bytes at {out_ptr}, memory is {} bytes)",
                    data.len()
                ),
            )
        })
}

/// Parses and validates a plugin's output.
fn parse_output(bytes: &[u8]) -> Result<Vec<idguard_plugin::Finding>, Failure> {
    let output: Output = serde_json::from_slice(bytes).map_err(|e| {
        let shown: String = String::from_utf8_lossy(bytes).chars().take(80).collect();
        Failure::new(
            Kind::Output,
            format!("returned output that is not a findings array ({e}); it began with {shown:?}"),
        )
    })?;
    let findings = match output {
        Output::Findings(f) => f,
        Output::Error { error } => {
            return Err(Failure::new(
                Kind::Error,
                format!("reported an error: {error}"),
            ));
        }
    };
    if findings.len() > MAX_FINDINGS {
        return Err(Failure::new(
            Kind::Output,
            format!(
                "returned {} findings, more than the {MAX_FINDINGS} allowed",
                findings.len()
            ),
        ));
    }
    for (i, f) in findings.iter().enumerate() {
        let bad = if !idguard_plugin::is_valid_code(&f.code) {
            Some(format!(
                "code {:?} is not 1-32 letters, digits, '-' or '_'",
                f.code
            ))
        } else if !idguard_plugin::is_valid_name(&f.name) {
            Some(format!("name {:?} is not kebab-case", f.name))
        } else if !idguard_plugin::is_valid_pointer(&f.location.pointer) {
            Some(format!(
                "pointer {:?} is not a JSON pointer",
                f.location.pointer
            ))
        } else if f.message.trim().is_empty() {
            Some("the message is empty".to_string())
        } else {
            None
        };
        if let Some(bad) = bad {
            return Err(Failure::new(
                Kind::Output,
                format!("returned a finding that does not match the schema (finding {i}: {bad})"),
            ));
        }
    }
    Ok(findings)
}

impl Host {
    /// Loads a policy's plugins (paths relative to `policy_dir`). A plugin
    /// that cannot be loaded is an error of the run, not a fatal one: the
    /// other plugins and the built-in rules still run.
    pub fn load(specs: &[PluginSpec], policy_dir: &Path, options: &HostOptions) -> Host {
        let stop = Arc::new(AtomicBool::new(false));
        let mut host = Host {
            engine: Engine::default(),
            plugins: Vec::new(),
            errors: Mutex::new(Vec::new()),
            verbose: options.verbose,
            stop: stop.clone(),
            ticker: None,
        };
        if specs.is_empty() {
            return host;
        }
        match engine() {
            Ok(e) => host.engine = e,
            Err(e) => {
                for spec in specs {
                    host.push(PluginError {
                        plugin: plugin_name(spec),
                        path: Some(spec.path.clone()),
                        file: None,
                        parameter_file: None,
                        kind: Kind::Read,
                        message: format!("could not be loaded: {e}"),
                    });
                }
                return host;
            }
        }
        let cache_dir = options.cache_dir.clone().or_else(default_cache_dir);
        for spec in specs {
            let name = plugin_name(spec);
            let fail = |what: Failure| PluginError {
                plugin: name.clone(),
                path: Some(spec.path.clone()),
                file: None,
                parameter_file: None,
                kind: what.kind,
                message: what.message,
            };
            if host.plugins.iter().any(|p| p.name == name) {
                host.push(fail(Failure::new(
                    Kind::Config,
                    "has the same name as another plugin of the policy; give one a \"name\"",
                )));
                continue;
            }
            match load_one(
                &host.engine,
                spec,
                policy_dir,
                options.confine.as_ref(),
                cache_dir.as_deref(),
            ) {
                Ok((module, loaded)) => {
                    if host.verbose {
                        let how = match loaded {
                            Loaded::Compiled(t) => format!(
                                "compiled in {:.1} ms (cache miss{})",
                                t.as_secs_f64() * 1e3,
                                cache_dir
                                    .as_ref()
                                    .map(|d| format!(", cached in {}", d.display()))
                                    .unwrap_or_default()
                            ),
                            Loaded::CacheHit(t) => format!(
                                "loaded from the cache in {:.1} ms (cache hit)",
                                t.as_secs_f64() * 1e3
                            ),
                        };
                        crate::output::eprintln(&format!("plugin '{name}' ({}): {how}", spec.path));
                    }
                    host.plugins.push(Plugin {
                        name,
                        shown: spec.path.clone(),
                        config: spec.config.clone(),
                        limits: Limits::from_spec(&spec.limits),
                        module,
                        busy_us: AtomicU64::new(0),
                        calls: AtomicU64::new(0),
                    });
                }
                Err(what) => host.push(fail(what)),
            }
        }
        // The ABI version, asked once per plugin under its limits.
        let engine = host.engine.clone();
        host.ticker = Some(ticker(engine.clone(), stop));
        let mut keep = Vec::new();
        for p in std::mem::take(&mut host.plugins) {
            match abi_version(&engine, &p.module, &p.limits) {
                Ok(v) if v == ABI_VERSION => keep.push(p),
                Ok(v) => host.push(p.error(
                    None,
                    Failure::new(
                        Kind::Abi,
                        format!(
                            "speaks ABI version {v}; this idguard speaks version {ABI_VERSION}"
                        ),
                    ),
                )),
                Err(what) => host.push(p.error(
                    None,
                    Failure {
                        message: format!("{} in idguard_abi_version", what.message),
                        ..what
                    },
                )),
            }
        }
        host.plugins = keep;
        host
    }

    fn push(&self, e: PluginError) {
        if let Ok(mut errors) = self.errors.lock() {
            errors.push(e);
        }
    }

    /// Whether there is any plugin to run.
    pub fn is_empty(&self) -> bool {
        self.plugins.is_empty()
    }

    /// Runs every plugin on one evaluation's model JSON; failures are
    /// recorded, the other plugins' findings returned.
    pub fn run(&self, model: &serde_json::Value) -> Vec<ExternalFinding> {
        let mut out = Vec::new();
        let evaluation = Some((
            model
                .get("template")
                .and_then(|v| v.as_str())
                .unwrap_or("?"),
            model.get("parameterFile").and_then(|v| v.as_str()),
        ));
        // The model is serialized once; each plugin's input wraps it.
        let Ok(model_text) = serde_json::to_string(model) else {
            return out;
        };
        for p in &self.plugins {
            let config = serde_json::to_string(&p.config).unwrap_or_else(|_| "null".into());
            let bytes = format!(
                "{{\"abiVersion\":{ABI_VERSION},\"model\":{model_text},\"config\":{config}}}"
            )
            .into_bytes();
            let started = Instant::now();
            let result =
                call(&self.engine, &p.module, &p.limits, &bytes).and_then(|out| parse_output(&out));
            let us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
            p.busy_us.fetch_add(us, Ordering::Relaxed);
            p.calls.fetch_add(1, Ordering::Relaxed);
            match result {
                Ok(findings) => out.extend(findings.into_iter().map(|f| ExternalFinding {
                    code: format!("{}/{}", p.name, f.code),
                    name: f.name,
                    severity: match f.severity {
                        idguard_plugin::Severity::Error => Severity::Error,
                        idguard_plugin::Severity::Warning => Severity::Warning,
                        idguard_plugin::Severity::Info => Severity::Info,
                    },
                    message: f.message,
                    help: f.help,
                    file: f.location.file,
                    pointer: f.location.pointer,
                    doc_url: None,
                })),
                Err(what) => self.push(p.error(evaluation, what)),
            }
        }
        out
    }

    /// The failures so far, in a stable order.
    pub fn errors(&self) -> Vec<PluginError> {
        let mut e = self.errors.lock().map(|e| e.clone()).unwrap_or_default();
        e.sort_by(|a, b| {
            (&a.file, &a.parameter_file, &a.plugin, &a.message).cmp(&(
                &b.file,
                &b.parameter_file,
                &b.plugin,
                &b.message,
            ))
        });
        e.dedup();
        e
    }

    /// `--verbose` lines: calls and time per plugin.
    pub fn timings(&self) -> Vec<String> {
        self.plugins
            .iter()
            .map(|p| {
                let calls = p.calls.load(Ordering::Relaxed);
                let us = p.busy_us.load(Ordering::Relaxed);
                format!(
                    "plugin '{}': {calls} call{}, {:.1} ms in total",
                    p.name,
                    if calls == 1 { "" } else { "s" },
                    us as f64 / 1e3
                )
            })
            .collect()
    }
}

/// Reads, shape-checks and compiles one plugin.
fn load_one(
    engine: &Engine,
    spec: &PluginSpec,
    policy_dir: &Path,
    confine: Option<&crate::files::Tree>,
    cache_dir: Option<&Path>,
) -> Result<(Module, Loaded), Failure> {
    let read = match confine {
        Some(tree) => tree
            .join_confined(policy_dir, &spec.path)
            .and_then(|p| crate::files::read_bytes(&p)),
        None => crate::files::read_bytes(&policy_dir.join(&spec.path)),
    };
    let bytes = read.map_err(|e| {
        Failure::new(
            Kind::Read,
            format!(
                "cannot be read from {}: it {e}",
                policy_dir.join(&spec.path).display()
            ),
        )
    })?;
    match bytes.get(..8) {
        Some([0, b'a', b's', b'm', 1, 0, 0, 0]) => {}
        Some([0, b'a', b's', b'm', _, _, 1, 0]) => {
            return Err(Failure::new(
                Kind::NotWasm,
                "is a WebAssembly component; plugins are core modules (see docs/plugin-abi.md)",
            ));
        }
        _ => {
            return Err(Failure::new(
                Kind::NotWasm,
                "is not a WebAssembly module (no `\\0asm` version 1 header)",
            ));
        }
    }
    let (module, loaded) = compile(engine, &bytes, cache_dir)?;
    check_shape(&module)?;
    Ok((module, loaded))
}

/// Calls `idguard_abi_version` in a fresh instance.
fn abi_version(engine: &Engine, module: &Module, limits: &Limits) -> Result<i32, Failure> {
    let mut store = store(engine, limits)?;
    let fail = |store: &Store<State>, e: wasmtime::Error| failure(store, e, limits);
    let instance = Instance::new(&mut store, module, &[]).map_err(|e| fail(&store, e))?;
    let f = instance
        .get_typed_func::<(), i32>(&mut store, "idguard_abi_version")
        .map_err(|e| fail(&store, e))?;
    f.call(&mut store, ()).map_err(|e| fail(&store, e))
}

/// A thread that advances the engine's epoch every [`TICK`] until `stop`.
fn ticker(engine: Engine, stop: Arc<AtomicBool>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(TICK);
            engine.increment_epoch();
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(path: &str, name: Option<&str>) -> PluginSpec {
        PluginSpec {
            path: path.into(),
            name: name.map(str::to_string),
            config: serde_json::Value::Null,
            pointer: "/plugins/0".into(),
            limits: PluginLimits::default(),
        }
    }

    #[test]
    fn names_come_from_the_policy_or_the_file() {
        assert_eq!(
            plugin_name(&spec("./p/Cost_Center.wasm", None)),
            "cost-center"
        );
        assert_eq!(plugin_name(&spec("a.wasm", Some("mine"))), "mine");
        assert_eq!(plugin_name(&spec("__.wasm", None)), "plugin");
    }

    #[test]
    fn limits_default_and_override() {
        let l = Limits::from_spec(&PluginLimits::default());
        assert_eq!(l.fuel, DEFAULT_FUEL_MILLIONS * 1_000_000);
        assert_eq!(l.timeout, Duration::from_secs(2));
        assert_eq!(l.memory_bytes, 64 << 20);
        let l = Limits::from_spec(&PluginLimits {
            fuel_millions: Some(1),
            timeout_ms: Some(50),
            memory_mib: Some(2),
        });
        assert_eq!(
            (l.fuel, l.timeout.as_millis(), l.memory_bytes),
            (1_000_000, 50, 2 << 20)
        );
    }

    #[test]
    fn outputs_are_validated() {
        let ok = br#"[{"code": "CC001", "name": "x", "severity": "error", "message": "m", "location": {"pointer": "/a"}}]"#;
        assert_eq!(parse_output(ok).unwrap().len(), 1);
        let err = |bytes: &[u8]| parse_output(bytes).unwrap_err();
        let e = err(b"nope");
        assert_eq!(e.kind, Kind::Output);
        assert!(e.message.contains("not a findings array"), "{e:?}");
        let e = err(br#"{"error": "bad config"}"#);
        assert_eq!(e.kind, Kind::Error);
        assert!(e.message.contains("reported an error: bad config"), "{e:?}");
        let bad_code = br#"[{"code": "C/1", "name": "x", "severity": "error", "message": "m", "location": {"pointer": ""}}]"#;
        let e = err(bad_code);
        assert_eq!(e.kind, Kind::Output);
        assert!(e.message.contains("does not match the schema"), "{e:?}");
        let bad_pointer = br#"[{"code": "C1", "name": "x", "severity": "info", "message": "m", "location": {"pointer": "a"}}]"#;
        assert!(err(bad_pointer).message.contains("pointer"));
    }

    #[test]
    fn the_cache_evicts_old_and_least_recently_used_entries() {
        use std::time::SystemTime;
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, len: usize, age_s: u64| {
            let path = dir.path().join(name);
            std::fs::write(&path, vec![0u8; len]).unwrap();
            let f = std::fs::File::options().append(true).open(&path).unwrap();
            f.set_modified(SystemTime::now() - Duration::from_secs(age_s))
                .unwrap();
            path
        };
        let stale = file("a-stale.cwasm", 10, 40 * 24 * 3600);
        let old = file("b-old.cwasm", 400, 3600);
        let recent = file("c-recent.cwasm", 400, 60);
        let fresh = file("d-fresh.cwasm", 400, 0);
        let crashed = file(".1.x.cwasm.tmp", 10, 2 * 3600);
        let writing = file(".2.y.cwasm.tmp", 10, 1);
        let other = file("notes.txt", 10, 400 * 24 * 3600);
        // 1,000 bytes allowed: the stale one goes by age, then the least
        // recently used until the rest fit; the entry just written stays.
        evict(dir.path(), &fresh, CACHE_MAX_AGE, 1_000);
        let exists = |p: &Path| p.exists();
        assert!(!exists(&stale));
        assert!(!exists(&old));
        assert!(exists(&recent));
        assert!(exists(&fresh));
        assert!(!exists(&crashed));
        assert!(exists(&writing), "a write in progress is left alone");
        assert!(exists(&other), "only cache files are removed");
    }
}
