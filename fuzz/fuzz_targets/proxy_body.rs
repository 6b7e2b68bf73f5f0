#![no_main]
//! See fuzz/README.md and fuzz/src/lib.rs (`proxy_body`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harden_fuzz::proxy_body(data);
});
