//! A TTY container follows the size of harden's terminal: the initial size when it starts
//! and every later change, announced by SIGWINCH (as `docker run -it` does).
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use common::{ContainerGuard, TEST_IMAGE, TEST_LABEL};
use std::io::{Read, Write};
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Reads the terminal into a channel (the master blocks; a thread keeps the test in charge).
fn reader(mut master: std::fs::File) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = master.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits until the terminal has shown `want` (everything shown so far is in `seen`).
fn wait_for(rx: &mpsc::Receiver<Vec<u8>>, seen: &mut String, want: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !seen.contains(want) {
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            return false;
        };
        match rx.recv_timeout(left) {
            Ok(bytes) => seen.push_str(&String::from_utf8_lossy(&bytes)),
            Err(_) => return false,
        }
    }
    true
}

#[test]
fn the_tty_follows_initial_size_and_sigwinch() {
    let Some(engine) = common::engine() else {
        return;
    };
    common::require_test_image(&engine);
    let mut guard = ContainerGuard::new(&engine);
    let name = guard.name();
    let pty = common::Pty::open().expect("open a pseudo-terminal");
    pty.set_size(31, 101).expect("initial size");
    let mut child = Command::new(common::harden_bin())
        .args(["run", "--rm", "-it", "--name", &name, "--label", TEST_LABEL])
        .args([
            TEST_IMAGE,
            "sh",
            "-c",
            "echo ready; read line; echo size=$(stty size); read line; echo size=$(stty size)",
        ])
        .env("DOCKER_HOST", &engine.host)
        .env("NO_COLOR", "1")
        .env_remove("HARDEN_PRESET")
        .stdin(pty.stdin().expect("tty stdin"))
        .stdout(pty.stdin().expect("tty stdout"))
        .stderr(pty.stdin().expect("tty stderr"))
        .spawn()
        .expect("spawn harden");
    let mut master = pty.master().expect("master");
    let rx = reader(pty.master().expect("master"));
    let mut seen = String::new();

    // The initial resize is made right after start, alongside the streams (as docker does):
    // let the container wait for a line so that it has happened.
    assert!(wait_for(&rx, &mut seen, "ready"), "no start:\n{seen}");
    std::thread::sleep(Duration::from_millis(1500));
    master.write_all(b"\r").expect("type a line");
    assert!(
        wait_for(&rx, &mut seen, "size=31 101"),
        "the initial size did not reach the container:\n{seen}"
    );
    pty.set_size(42, 123).expect("resize");
    // The terminal is not harden's controlling terminal, so the kernel does not signal it.
    // SAFETY: kill(2) on the child this test spawned.
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGWINCH) };
    assert_eq!(rc, 0);
    // The resize is an API call harden makes when the signal arrives; give it a moment.
    std::thread::sleep(Duration::from_millis(1500));
    master.write_all(b"\r").expect("type a line");
    assert!(
        wait_for(&rx, &mut seen, "size=42 123"),
        "the new size did not reach the container after SIGWINCH:\n{seen}"
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(Instant::now() < deadline, "harden did not exit:\n{seen}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(status.code(), Some(0), "{seen}");
    guard.track(name);
}
