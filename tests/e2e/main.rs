//! The tests that need a real Docker engine (and the Docker CLI, Compose v2, Swarm): one
//! binary, so cargo links it once. Each test skips with a notice when what it needs does not
//! answer, and fails instead under `HARDEN_E2E=require` (CI). Shared harness: `tests/common`.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

#[path = "../common/mod.rs"]
mod common;

mod audit;
mod bad_input_run;
mod compose;
mod fidelity;
mod plugin;
mod podman;
mod pull_registry;
mod run_diagnose;
mod run_engine;
mod run_learn;
mod run_replicas;
mod run_services;
mod run_terminal;
mod run_winch;
mod stack;
