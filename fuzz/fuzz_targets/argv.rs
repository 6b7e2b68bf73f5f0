#![no_main]
//! See fuzz/README.md and fuzz/src/lib.rs (`argv`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harden_fuzz::argv(data);
});
