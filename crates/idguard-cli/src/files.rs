//! Opening the files a run names: the one way the CLI reads a checked
//! file, a parameter file, a linked template, the policy, the baseline or a
//! plugin.
//!
//! Every read here
//!
//! - opens without blocking: on Unix with `O_NONBLOCK` (a FIFO opens at
//!   once instead of waiting for a writer) and `O_NOCTTY`;
//! - reads only a regular file, told by the metadata of the opened handle
//!   (so a device, FIFO, socket or directory is refused, whatever path
//!   led to it);
//! - reads at most [`MAX_FILE_BYTES`];
//! - and, for a path that a checked file chose (a linked template's
//!   `relativePath`, a symlink in a walked directory, a plugin path in a
//!   policy inside the tree), reads only inside the [`Tree`]: absolute
//!   paths are refused, and the path with every symlink resolved must lie
//!   inside the tree's root.
//!
//! A refusal is an [`OpenError`] that says what the path is, never what is
//! in it: content from outside the tree is never read, so it cannot appear
//! in a message.

use std::fmt;
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Largest file the CLI reads: templates, parameter files, linked
/// templates, policies, baselines and plugins.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// Why a file was not read.
#[derive(Debug)]
pub enum OpenError {
    NotFound,
    /// Not a regular file: what it is ("a FIFO", "a directory", …).
    NotRegular(&'static str),
    /// Larger than [`MAX_FILE_BYTES`]; its size.
    TooLarge(u64),
    /// A path a checked file named that is absolute.
    Absolute,
    /// The path, with symlinks resolved, leads outside the tree (its root).
    OutsideTree(PathBuf),
    /// A symlink loop (or too many levels of symlinks).
    Loop,
    Io(std::io::Error),
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::NotFound => f.write_str("does not exist"),
            OpenError::NotRegular(what) => write!(f, "is {what}, not a regular file"),
            OpenError::TooLarge(size) => write!(
                f,
                "is larger than the {} MiB limit ({size} bytes)",
                MAX_FILE_BYTES >> 20
            ),
            OpenError::Absolute => {
                f.write_str("is an absolute path; a checked file may only name relative paths")
            }
            OpenError::OutsideTree(root) => write!(
                f,
                "leads outside the checked tree {} (use --root to name a wider one)",
                root.display()
            ),
            OpenError::Loop => f.write_str("is a symlink loop"),
            OpenError::Io(e) => write!(f, "cannot be read: {e}"),
        }
    }
}

impl From<std::io::Error> for OpenError {
    fn from(e: std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::NotFound => OpenError::NotFound,
            _ if is_loop(&e) => OpenError::Loop,
            _ => OpenError::Io(e),
        }
    }
}

#[cfg(unix)]
fn is_loop(e: &std::io::Error) -> bool {
    e.raw_os_error() == Some(libc::ELOOP)
}

#[cfg(not(unix))]
fn is_loop(_: &std::io::Error) -> bool {
    false
}

/// What a non-regular file is, for messages.
pub fn describe(meta: &Metadata) -> &'static str {
    let ty = meta.file_type();
    if ty.is_dir() {
        return "a directory";
    }
    if ty.is_symlink() {
        return "a symlink";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ty.is_fifo() {
            return "a FIFO";
        }
        if ty.is_char_device() {
            return "a character device";
        }
        if ty.is_block_device() {
            return "a block device";
        }
        if ty.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// Opens `path` for reading without blocking and checks, on the opened
/// handle, that it is a regular file.
pub fn open_regular(path: &Path) -> Result<(File, Metadata), OpenError> {
    let file = open_nonblocking(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(OpenError::NotRegular(describe(&meta)));
    }
    Ok((file, meta))
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> Result<File, OpenError> {
    use std::os::unix::fs::OpenOptionsExt;
    Ok(std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)?)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> Result<File, OpenError> {
    // Without O_NONBLOCK, look before opening: only a regular file is
    // opened at all (the handle is checked again afterwards).
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(OpenError::NotRegular(describe(&meta)));
    }
    Ok(File::open(path)?)
}

/// The bytes of the regular file at `path`, at most [`MAX_FILE_BYTES`].
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, OpenError> {
    let (file, meta) = open_regular(path)?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(OpenError::TooLarge(meta.len()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // One byte more than the cap tells a file that grew past it.
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read > MAX_FILE_BYTES {
        return Err(OpenError::TooLarge(read.max(meta.len())));
    }
    Ok(bytes)
}

/// The text of the regular file at `path`: UTF-8 (a BOM is dropped).
pub fn read_utf8(path: &Path) -> Result<String, String> {
    utf8(read_bytes(path).map_err(|e| e.to_string())?)
}

/// Bytes as UTF-8 text, without a BOM; the error is a sentence after "it".
pub fn utf8(bytes: Vec<u8>) -> Result<String, String> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "is not valid UTF-8 (first bad byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Decodes file bytes: UTF-8 (with or without BOM) or UTF-16 with a BOM.
pub fn decode(bytes: Vec<u8>) -> Result<String, String> {
    let utf16 = |le: bool, body: &[u8]| -> Result<String, String> {
        let units: Vec<u16> = body
            .chunks(2)
            .map(|c| match c {
                [a, b] if le => u16::from_le_bytes([*a, *b]),
                [a, b] => u16::from_be_bytes([*a, *b]),
                _ => 0xFFFD,
            })
            .collect();
        String::from_utf16(&units).map_err(|_| "the file is not valid UTF-16".to_string())
    };
    match bytes.as_slice() {
        [0xFF, 0xFE, body @ ..] => utf16(true, body),
        [0xFE, 0xFF, body @ ..] => utf16(false, body),
        _ => String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            format!("the file is not valid UTF-8 (first bad byte at offset {at})")
        }),
    }
}

/// Whether the regular file at `path` mentions an ARM deployment template
/// or parameters schema anywhere (ASCII case-insensitively), read in
/// chunks: how a walked file too large to read whole is told from other
/// large JSON (which is skipped) without holding it in memory.
pub fn mentions_arm_schema(path: &Path) -> Result<bool, OpenError> {
    const MARKERS: [&[u8]; 2] = [b"deploymenttemplate.json", b"deploymentparameters.json"];
    const CHUNK: usize = 1 << 20;
    let keep = MARKERS.iter().map(|m| m.len()).max().unwrap_or(0) - 1;
    let (mut file, _) = open_regular(path)?;
    let mut window: Vec<u8> = Vec::with_capacity(CHUNK + keep);
    let mut chunk = vec![0u8; CHUNK];
    loop {
        let n = file.read(&mut chunk)?;
        if n == 0 {
            return Ok(false);
        }
        window.extend(chunk.iter().take(n).map(u8::to_ascii_lowercase));
        if MARKERS
            .iter()
            .any(|m| memchr::memmem::find(&window, m).is_some())
        {
            return Ok(true);
        }
        let cut = window.len().saturating_sub(keep);
        window.drain(..cut);
    }
}

/// The directory tree that paths chosen by checked files must stay in:
/// `--root`, else the current directory, else (for a checked path outside
/// the current directory) that path. Held canonical.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    root: PathBuf,
}

impl Tree {
    /// The tree at `dir` (made canonical; it must exist).
    pub fn new(dir: &Path) -> std::io::Result<Tree> {
        Ok(Tree {
            root: std::fs::canonicalize(dir)?,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether a canonical path is the root or below it.
    pub fn contains(&self, canonical: &Path) -> bool {
        canonical.starts_with(&self.root)
    }

    /// `path` with every symlink resolved, if that is inside the tree.
    pub fn confine(&self, path: &Path) -> Result<PathBuf, OpenError> {
        let canonical = std::fs::canonicalize(path)?;
        if self.contains(&canonical) {
            Ok(canonical)
        } else {
            Err(OpenError::OutsideTree(self.root.clone()))
        }
    }

    /// `relative` (a path a checked file wrote) joined to `base`, confined
    /// to the tree. Absolute paths (and, on Windows, drive prefixes) are
    /// refused before anything is looked up.
    pub fn join_confined(&self, base: &Path, relative: &str) -> Result<PathBuf, OpenError> {
        if is_absolute_like(relative) {
            return Err(OpenError::Absolute);
        }
        self.confine(&base.join(relative))
    }

    /// The bytes of `path`, confined to the tree.
    pub fn read_bytes(&self, path: &Path) -> Result<Vec<u8>, OpenError> {
        read_bytes(&self.confine(path)?)
    }
}

/// Whether a path written in a file is absolute on any platform: a leading
/// `/` or `\`, a drive (`C:`), or a UNC/verbatim prefix.
pub fn is_absolute_like(path: &str) -> bool {
    if path.starts_with(['/', '\\']) {
        return true;
    }
    let bytes = path.as_bytes();
    if matches!(bytes, [d, b':', ..] if d.is_ascii_alphabetic()) {
        return true;
    }
    Path::new(path)
        .components()
        .any(|c| matches!(c, Component::RootDir | Component::Prefix(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_paths_of_every_platform() {
        for p in [
            "/etc/passwd",
            "\\\\server\\share\\x.json",
            "C:/x.json",
            "c:x.json",
            "/dev/zero",
        ] {
            assert!(is_absolute_like(p), "{p}");
        }
        for p in ["nested/x.json", "../x.json", "a/b:c.json", ""] {
            assert!(!is_absolute_like(p), "{p}");
        }
    }

    #[test]
    fn decodes_utf8_and_utf16() {
        assert_eq!(decode(b"{}".to_vec()).unwrap(), "{}");
        assert_eq!(decode(b"\xEF\xBB\xBF{}".to_vec()).unwrap(), "\u{feff}{}");
        assert_eq!(decode(vec![0xFF, 0xFE, b'{', 0, b'}', 0]).unwrap(), "{}");
        assert_eq!(decode(vec![0xFE, 0xFF, 0, b'{', 0, b'}']).unwrap(), "{}");
        assert!(
            decode(vec![b'{', 0xC3, b'}'])
                .unwrap_err()
                .contains("offset 1")
        );
    }

    #[test]
    fn regular_files_only_and_capped() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.json");
        std::fs::write(&file, "{}").unwrap();
        assert_eq!(read_bytes(&file).unwrap(), b"{}");
        assert!(matches!(
            read_bytes(dir.path()),
            Err(OpenError::NotRegular("a directory"))
        ));
        assert!(matches!(
            read_bytes(&dir.path().join("nope")),
            Err(OpenError::NotFound)
        ));
        // A sparse file over the cap is refused from its metadata, unread.
        let big = dir.path().join("big.json");
        let f = File::create(&big).unwrap();
        f.set_len(MAX_FILE_BYTES + 1).unwrap();
        assert!(matches!(read_bytes(&big), Err(OpenError::TooLarge(_))));
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_fifos_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo.json");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        // Would block forever in open(2) without O_NONBLOCK.
        assert!(matches!(
            read_bytes(&fifo),
            Err(OpenError::NotRegular("a FIFO"))
        ));
        assert!(matches!(
            read_bytes(Path::new("/dev/zero")),
            Err(OpenError::NotRegular("a character device"))
        ));
        assert!(mentions_arm_schema(Path::new("/dev/urandom")).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn the_tree_confines_symlinks_and_relative_paths() {
        let outer = tempfile::tempdir().unwrap();
        let root = outer.path().join("repo");
        std::fs::create_dir_all(root.join("nested")).unwrap();
        std::fs::write(root.join("nested/in.json"), "{}").unwrap();
        std::fs::write(outer.path().join("secret.json"), "{\"s\": 1}").unwrap();
        std::os::unix::fs::symlink("../secret.json", root.join("out.json")).unwrap();
        std::os::unix::fs::symlink("nested/in.json", root.join("link.json")).unwrap();
        std::os::unix::fs::symlink("loop2.json", root.join("loop1.json")).unwrap();
        std::os::unix::fs::symlink("loop1.json", root.join("loop2.json")).unwrap();
        let tree = Tree::new(&root).unwrap();
        assert_eq!(tree.read_bytes(&root.join("link.json")).unwrap(), b"{}");
        assert!(matches!(
            tree.read_bytes(&root.join("out.json")),
            Err(OpenError::OutsideTree(_))
        ));
        assert!(matches!(
            tree.read_bytes(&root.join("loop1.json")),
            Err(OpenError::Loop)
        ));
        let base = root.join("nested");
        assert!(tree.join_confined(&base, "in.json").is_ok());
        assert!(matches!(
            tree.join_confined(&base, "../../secret.json"),
            Err(OpenError::OutsideTree(_))
        ));
        assert!(matches!(
            tree.join_confined(&base, "/etc/passwd"),
            Err(OpenError::Absolute)
        ));
        assert!(matches!(
            tree.join_confined(&base, "../../../../../../../../proc/self/environ"),
            Err(OpenError::OutsideTree(_))
        ));
    }

    #[test]
    fn large_files_are_scanned_for_the_schema() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.json");
        let mut text = "x".repeat((1 << 20) - 5);
        text.push_str(
            "https://schema.management.azure.com/schemas/2019-04-01/DeploymentTemplate.json#",
        );
        std::fs::write(&p, &text).unwrap();
        assert!(mentions_arm_schema(&p).unwrap());
        std::fs::write(&p, "x".repeat(3 << 20)).unwrap();
        assert!(!mentions_arm_schema(&p).unwrap());
    }
}
