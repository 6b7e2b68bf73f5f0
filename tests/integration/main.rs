//! The tests that need no engine: the CLI's text, the argv and Compose front ends, the rule
//! registry, presets, the corpus judged by Compose v2, docs and fuzz replays. One binary, so
//! cargo links it once. Shared harness: `tests/common`.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

#[path = "../common/mod.rs"]
mod common;

mod architecture;
mod argv_parse;
mod bad_input_compose;
mod bench_scripts;
mod cli_snapshots;
mod completions;
mod compose_cli;
mod compose_corpus;
mod compose_resolve;
mod compose_rules;
mod examples;
mod fuzz_replay;
mod man;
mod policy;
mod pre_commit;
mod presentation;
mod preset_schema;
mod readme;
mod rules_registry;
mod secret_labels;
