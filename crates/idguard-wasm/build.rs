//! The WebAssembly module's stack: 8 MiB instead of the linker's 1 MiB.
//!
//! The core bounds how deep evaluation nests (`Limits::nesting`), and at
//! that limit the deepest shapes need about 1 MiB of stack in an optimized
//! build: the default would leave no margin, and running out of stack is a
//! trap that JavaScript sees as an exception. The stack is part of the
//! linear memory, reserved once when the module is instantiated.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let target = std::env::var("TARGET").unwrap_or_default();
    if target.starts_with("wasm32") {
        println!("cargo:rustc-link-arg-cdylib=-zstack-size=8388608");
    }
}
