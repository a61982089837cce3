//! The guest side of the ABI: the buffers the host writes input into and
//! reads output from, and [`export_plugin!`](crate::export_plugin), which
//! emits the four exported functions around a plugin's check function.
//!
//! Buffers are `Vec<u8>`s kept in a table keyed by their address in linear
//! memory, so the SDK needs no `unsafe`: `idguard_alloc` creates one,
//! `idguard_check` reads the input buffer and stores the output in a new
//! one, `idguard_free` drops one. (Off wasm32, where addresses do not fit
//! in an `i32`, keys are sequence numbers, so the functions can be tested
//! on the host.)

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::{ABI_VERSION, Finding, Input, Output};

/// Live buffers by key.
static BUFFERS: Mutex<BTreeMap<i32, Vec<u8>>> = Mutex::new(BTreeMap::new());

#[cfg(not(target_arch = "wasm32"))]
static NEXT_KEY: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(8);

fn key_of(buf: &[u8]) -> i32 {
    #[cfg(target_arch = "wasm32")]
    {
        buf.as_ptr() as usize as i32
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = buf;
        NEXT_KEY.fetch_add(8, std::sync::atomic::Ordering::Relaxed)
    }
}

fn store(buf: Vec<u8>) -> i32 {
    let key = key_of(&buf);
    if let Ok(mut table) = BUFFERS.lock() {
        table.insert(key, buf);
    }
    key
}

/// `idguard_alloc(len)`: a zeroed buffer of `len` bytes; its address.
pub fn alloc(len: i32) -> i32 {
    let len = usize::try_from(len).unwrap_or(0);
    // A zero-length Vec has no address of its own: keep one byte.
    let mut buf = Vec::with_capacity(len.max(1));
    buf.resize(len, 0);
    store(buf)
}

/// `idguard_free(ptr, len)`: drops a buffer from `alloc` or `check`.
pub fn free(ptr: i32, _len: i32) {
    if let Ok(mut table) = BUFFERS.lock() {
        table.remove(&ptr);
    }
}

/// A copy of a buffer's first `len` bytes (what the host wrote).
pub fn read(ptr: i32, len: i32) -> Option<Vec<u8>> {
    let table = BUFFERS.lock().ok()?;
    let buf = table.get(&ptr)?;
    buf.get(..usize::try_from(len).ok()?).map(<[u8]>::to_vec)
}

/// Runs `check` on the input JSON and serializes its answer.
pub fn run_json(input: &[u8], check: fn(&Input) -> Result<Vec<Finding>, String>) -> Vec<u8> {
    let output = match serde_json::from_slice::<Input>(input) {
        Ok(input) if input.abi_version != ABI_VERSION => Output::Error {
            error: format!(
                "the host speaks ABI version {}, this plugin version {ABI_VERSION}",
                input.abi_version
            ),
        },
        Ok(input) => match check(&input) {
            Ok(findings) => Output::Findings(findings),
            Err(error) => Output::Error { error },
        },
        Err(e) => Output::Error {
            error: format!("cannot read the input: {e}"),
        },
    };
    serde_json::to_vec(&output).unwrap_or_else(|_| b"{\"error\":\"cannot write output\"}".to_vec())
}

/// `idguard_check(ptr, len)`: reads the input buffer, runs `check`, and
/// returns `ptr << 32 | len` of the output buffer.
pub fn check(ptr: i32, len: i32, check: fn(&Input) -> Result<Vec<Finding>, String>) -> i64 {
    let out = match read(ptr, len) {
        Some(input) => run_json(&input, check),
        None => {
            b"{\"error\":\"idguard_check was given a buffer idguard_alloc did not make\"}".to_vec()
        }
    };
    let out_len = out.len() as i64;
    let out_ptr = store(out);
    (i64::from(out_ptr) << 32) | (out_len & 0xFFFF_FFFF)
}

/// Emits the exports of a plugin around `check: fn(&Input) ->
/// Result<Vec<Finding>, String>`: `idguard_abi_version`, `idguard_alloc`,
/// `idguard_free` and `idguard_check` (`memory` is exported by the Rust
/// toolchain). Use it once, in a `cdylib` crate built for
/// `wasm32-unknown-unknown`.
#[macro_export]
macro_rules! export_plugin {
    ($check:path) => {
        /// The ABI version of this plugin.
        #[unsafe(no_mangle)]
        pub extern "C" fn idguard_abi_version() -> i32 {
            $crate::ABI_VERSION
        }

        /// Allocates a buffer for the host to write into.
        #[unsafe(no_mangle)]
        pub extern "C" fn idguard_alloc(len: i32) -> i32 {
            $crate::guest::alloc(len)
        }

        /// Frees a buffer.
        #[unsafe(no_mangle)]
        pub extern "C" fn idguard_free(ptr: i32, len: i32) {
            $crate::guest::free(ptr, len)
        }

        /// Checks the model JSON in the buffer at `ptr`.
        #[unsafe(no_mangle)]
        pub extern "C" fn idguard_check(ptr: i32, len: i32) -> i64 {
            $crate::guest::check(ptr, len, $check)
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Severity;

    fn one(input: &Input) -> Result<Vec<Finding>, String> {
        if input.config.get("fail").is_some() {
            return Err("told to fail".into());
        }
        Ok(vec![
            Finding::new("T1", "t", Severity::Info, input.model.template.clone())
                .at_pointer(None, ""),
        ])
    }

    #[test]
    fn round_trip_through_buffers() {
        let input = br#"{"abiVersion": 1, "model": {"template": "a.json"}, "config": null}"#;
        let ptr = alloc(input.len() as i32);
        {
            let mut table = BUFFERS.lock().unwrap();
            table.get_mut(&ptr).unwrap().copy_from_slice(input);
        }
        let packed = check(ptr, input.len() as i32, one);
        let (out_ptr, out_len) = ((packed >> 32) as i32, (packed & 0xFFFF_FFFF) as i32);
        let out = read(out_ptr, out_len).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v[0]["message"], "a.json");
        free(ptr, input.len() as i32);
        free(out_ptr, out_len);
        assert!(read(out_ptr, out_len).is_none());
    }

    #[test]
    fn errors_are_outputs() {
        let err = |b: &[u8]| -> String {
            let v: serde_json::Value = serde_json::from_slice(&run_json(b, one)).unwrap();
            v["error"].as_str().unwrap_or("").to_string()
        };
        assert!(err(b"not json").contains("cannot read the input"));
        assert!(err(br#"{"abiVersion": 2, "model": {}}"#).contains("ABI version 2"));
        assert_eq!(
            err(br#"{"abiVersion": 1, "model": {}, "config": {"fail": 1}}"#),
            "told to fail"
        );
        assert!(read(12345, 1).is_none());
        let packed = check(12345, 3, one);
        let out = read((packed >> 32) as i32, (packed & 0xFFFF_FFFF) as i32).unwrap();
        assert!(String::from_utf8(out).unwrap().contains("did not make"));
    }
}
