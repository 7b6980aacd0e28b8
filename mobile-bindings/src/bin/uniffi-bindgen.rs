//! The bindings generator, built from this crate so its uniffi version always matches the library's.
fn main() {
    uniffi::uniffi_bindgen_main()
}
