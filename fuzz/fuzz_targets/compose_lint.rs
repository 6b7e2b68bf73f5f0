#![no_main]
//! See fuzz/README.md and fuzz/src/lib.rs (`compose_lint`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harden_fuzz::compose_lint(data);
});
