fn main() {
    println!("idguard {}", env!("CARGO_PKG_VERSION"));
}
