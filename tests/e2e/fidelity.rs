//! docker-CLI fidelity: `harden run --no-harden` must build the create body the real
//! `docker run` (CLI 28.2.2) builds, for every real-world line of
//! `../shared/corpus/docker-run.txt` and every line of `tests/fixtures/fidelity/extra.txt`
//! (which exercises every flag of `docker run`); and `harden run` (default preset) must
//! harden every corpus line or refuse it naming a deny rule.
//!
//! How one line is handled:
//! 1. **Expansion.** The line is run by a real `bash -c` in a fixed sandbox (cwd with the
//!    files the lines reference, fixed environment, no `DOCKER_*` from outside) where `docker`
//!    is a shell function that writes its arguments (after `run`) to a file instead of running
//!    anything. Normalisation before that: a trailing output redirection (` > path`) is
//!    removed — it is not an argument, and a redirect into a missing directory would stop
//!    bash before it calls the function.
//! 2. **docker.** The real CLI 28.2.2 runs `docker run ARGS` against a stand-in engine
//!    (`tests/common/standin.rs`, API 1.41) that records the create request and refuses it.
//!    Outcome: the create body (+ `?name=`/`?platform=`), or "refused" with the exit code and
//!    stderr when the CLI stopped before creating.
//! 3. **harden.** `harden run --no-harden --dry-run --format json ARGS` with the same cwd and
//!    environment, `DOCKER_HOST=unix:///nonexistent/harden-test.sock` and
//!    `DOCKER_API_VERSION=1.41` (the stand-in's version; no engine answers); `.body`, `.name` and
//!    `.platform` of its JSON output are compared with docker's create body and query.
//!
//! Both programs get a pseudo-terminal as stdin (the CLI refuses `-it` without one) and
//! files as stdout/stderr (so the console size is 0x0, as in CI).
//!
//! Comparison normalises only: the order of `Env` and `HostConfig.Binds` (the CLI's own
//! order is random for `-e` and for binds), and zero values the engine treats as unset (see
//! [`normalise`]). Where docker refused, harden must exit 125 or 1 too (for `--help`, which
//! docker answers with exit 0, harden must exit 0). One harness artefact is rewritten in
//! docker's body before comparing: `--use-api-socket` mounts the socket of the engine the
//! client talks to, which is the stand-in's socket for docker and `HARDEN_DOCKER_HOST` for
//! harden. Lines using a flag the CLI cannot send to API 1.41 are not compared ([`EXCEPTIONS`]).
//!
//! `HARDEN_FIDELITY_DUMP=dir` writes docker's outcome for every line to `dir` (one JSON file
//! per line plus `summary.txt`), e.g.
//! `HARDEN_FIDELITY_DUMP=/tmp/fidelity cargo test --test e2e fidelity:: docker_capture_works`.
//!
//! The tests `fidelity_harden_matches_docker` and `hardening_default_preset` need
//! `harden run --dry-run --format json`; they fail until the binary implements it.
//! `docker_capture_works` (with `docker_bodies_are_stable_after_normalisation` and
//! `extra_corpus_covers_every_flag`) proves the docker half on its own.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use common::standin::StandIn;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The real-world corpus, relative to the crate root.
const CORPUS: &str = "../shared/corpus/docker-run.txt";
/// The flag-coverage corpus, relative to the crate root.
const EXTRA: &str = "tests/fixtures/fidelity/extra.txt";
/// Where harden is pointed so it cannot use any daemon.
const HARDEN_DOCKER_HOST: &str = "unix:///nonexistent/harden-test.sock";
/// How long one docker/harden/bash process may take.
const PROCESS_TIMEOUT: Duration = Duration::from_secs(60);

/// Flags (or flag values) that CLI 28.2.2 cannot send to an API 1.41 engine: it refuses them
/// before any request, so there is no docker body to compare with. Lines using them are not
/// compared and harden is not required to refuse them (whether harden accepts them depends on
/// the API version it assumes without a daemon). `docker_capture_works` checks that the CLI
/// really refuses each such line, so a stale entry fails.
const EXCEPTIONS: &[Exception] = &[
    Exception {
        what: "--annotation",
        reason: "needs API 1.43 (the CLI: `\"--annotation\" requires API version 1.43`, exit 1)",
        applies: |a| has_flag(a, "--annotation"),
    },
    Exception {
        what: "--health-start-interval",
        reason: "needs API 1.44 (flag annotation; exit 1 before any request)",
        applies: |a| has_flag(a, "--health-start-interval"),
    },
    Exception {
        what: "--mac-address, --network mac-address=",
        reason: "the Go client refuses a per-endpoint MAC below API 1.44 \
                 (`\"specify mac-address per network\" requires API version 1.44`)",
        applies: |a| has_flag(a, "--mac-address") || has_network_option(a, "mac-address="),
    },
    Exception {
        what: "--cpu-count, --cpu-percent, --io-maxbandwidth, --io-maxiops",
        reason: "Windows-daemon-only flags: refused against a Linux daemon \
                 (`is only supported on a Docker daemon running on windows`, exit 1)",
        applies: |a| {
            [
                "--cpu-count",
                "--cpu-percent",
                "--io-maxbandwidth",
                "--io-maxiops",
            ]
            .iter()
            .any(|f| has_flag(a, f))
        },
    },
    Exception {
        what: "--mount bind-recursive=readonly",
        reason: "needs API 1.44 (the Go client refuses ReadOnlyForceRecursive below it)",
        applies: |a| has_mount_option(a, "bind-recursive=readonly"),
    },
];

struct Exception {
    what: &'static str,
    reason: &'static str,
    applies: fn(&[String]) -> bool,
}

fn exception_for(args: &[String]) -> Option<&'static Exception> {
    EXCEPTIONS.iter().find(|e| (e.applies)(args))
}

/// `--flag` or `--flag=…` anywhere in the arguments (good enough for the lines that use them).
fn has_flag(args: &[String], flag: &str) -> bool {
    args.iter()
        .any(|a| a == flag || a.strip_prefix(flag).is_some_and(|r| r.starts_with('=')))
}

/// The values of `--flag`/`--flag=`/`--alias=…` options.
fn flag_values<'a>(args: &'a [String], names: &[&str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut it = args.iter().peekable();
    while let Some(a) = it.next() {
        for n in names {
            if a == n {
                if let Some(v) = it.peek() {
                    out.push(v.as_str());
                }
            } else if let Some(v) = a.strip_prefix(n).and_then(|r| r.strip_prefix('=')) {
                out.push(v);
            }
        }
    }
    out
}

fn has_network_option(args: &[String], option: &str) -> bool {
    flag_values(args, &["--network", "--net"])
        .iter()
        .any(|v| v.to_ascii_lowercase().contains(option))
}

fn has_mount_option(args: &[String], option: &str) -> bool {
    flag_values(args, &["--mount"])
        .iter()
        .any(|v| v.to_ascii_lowercase().contains(option))
}

// ---------------------------------------------------------------------------------------
// The lines
// ---------------------------------------------------------------------------------------

/// What a line of the extra corpus says docker does with it (`# expect: refused [CODE]`
/// right before the line); corpus lines have no expectation.
#[derive(Clone, Debug, PartialEq)]
enum Expect {
    Unknown,
    Create,
    Refused(Option<i32>),
}

#[derive(Clone, Debug)]
struct Line {
    /// `corpus:12` / `extra:40`
    id: String,
    text: String,
    expect: Expect,
}

/// Read a corpus file: every line that is not blank and not a `#` comment is one command.
/// With `expectations`, a `# expect: refused [CODE]` comment applies to the next command
/// and every other command is expected to reach create.
fn load_lines(path: &Path, label: &str, expectations: bool) -> Vec<Line> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut out = Vec::new();
    let mut pending = Expect::Create;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            if let Some(rest) = comment.trim().strip_prefix("expect:") {
                let mut words = rest.split_whitespace();
                pending = match words.next() {
                    Some("refused") => Expect::Refused(words.next().map(|c| {
                        c.parse()
                            .unwrap_or_else(|_| panic!("{label}:{}: bad exit code {c}", i + 1))
                    })),
                    Some("create") => Expect::Create,
                    other => panic!("{label}:{}: unknown expectation {other:?}", i + 1),
                };
            }
            continue;
        }
        assert!(
            line.starts_with("docker run "),
            "{label}:{}: not a `docker run` line: {line}",
            i + 1
        );
        out.push(Line {
            id: format!("{label}:{}", i + 1),
            text: line.to_string(),
            expect: if expectations {
                std::mem::replace(&mut pending, Expect::Create)
            } else {
                Expect::Unknown
            },
        });
    }
    out
}

/// The corpus lines, or None (skip notice / failure under `HARDEN_E2E=require`).
fn corpus_lines() -> Option<Vec<Line>> {
    let path = common::repo_root().join(CORPUS);
    if !path.is_file() {
        return common::unavailable(&format!("corpus {} not found", path.display()));
    }
    Some(load_lines(&path, "corpus", false))
}

fn extra_lines() -> Vec<Line> {
    load_lines(&common::repo_root().join(EXTRA), "extra", true)
}

/// Remove a trailing output redirection (` > path`, ` >> path`) outside quotes.
/// Redirections are not arguments, and a redirect into a directory that does not exist
/// would make bash fail before it calls the capturing `docker` function.
fn strip_trailing_redirect(line: &str) -> String {
    let line = line.trim_end();
    let Some(pos) = line.rfind('>') else {
        return line.to_string();
    };
    let target = line[pos + 1..].trim();
    let before = &line[..pos];
    let before = before.strip_suffix('>').unwrap_or(before);
    let quoted = before.matches('\'').count() % 2 == 1 || before.matches('"').count() % 2 == 1;
    let simple_target = !target.is_empty()
        && !target.contains(|c: char| c.is_whitespace() || "'\"<>|&;()`$".contains(c));
    if quoted || !simple_target || !before.ends_with(char::is_whitespace) {
        return line.to_string();
    }
    before.trim_end().to_string()
}

// ---------------------------------------------------------------------------------------
// The sandbox
// ---------------------------------------------------------------------------------------

/// Fixed working directory and environment for every process of this test.
struct Sandbox {
    root: PathBuf,
    home: PathBuf,
    docker_config: PathBuf,
    captures: PathBuf,
}

/// A seccomp profile in the sandbox; pretty-printed so the CLI's compaction is visible.
const SECCOMP_PROFILE: &str = r#"{
    "defaultAction": "SCMP_ACT_ERRNO",
    "architectures": ["SCMP_ARCH_X86_64"],
    "syscalls": [
        { "names": ["read", "write", "exit", "exit_group"], "action": "SCMP_ACT_ALLOW" }
    ]
}
"#;

/// `--env-file` contents: comments, blank lines, leading blanks, quotes kept, a bare name
/// set in the environment (kept) and one that is not (dropped), trailing spaces kept.
const ENV_FILE: &str = "# comment line\n\nFROMFILE=1\n   INDENTED=yes\nQUOTED=\"q\"\nMYVAR1\nUNSET_IN_ENV\nSPACES= a b \nEMPTY=\nMYVAR2=from-file\n";
/// `--label-file` contents (a bare key is dropped, comments skipped).
const LABEL_FILE: &str =
    "# labels\ncom.example.team=infra\n  com.example.tier=web \nbare-key\nempty=\nsp=a b\n";
const LABEL_FILE_2: &str = "com.example.team=override\nsecond=2\n";

impl Sandbox {
    fn get() -> &'static Sandbox {
        static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
        SANDBOX.get_or_init(Sandbox::create)
    }

    fn create() -> Sandbox {
        // A fixed path (not a random temp dir) so bodies are the same from run to run.
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fidelity-sandbox");
        if root.exists() {
            std::fs::remove_dir_all(&root).expect("clear the old sandbox");
        }
        let home = root.join("home");
        let docker_config = root.join("docker-config");
        let captures = root.join(".captures");
        for d in [&root, &home, &docker_config, &captures] {
            std::fs::create_dir_all(d).expect("create the sandbox");
        }
        let write = |name: &str, text: &str| {
            std::fs::write(root.join(name), text).expect("write a sandbox file");
        };
        write("env.list", ENV_FILE);
        write("env2.list", "SECOND=2\nFROMFILE=again\n");
        write("default.json", SECCOMP_PROFILE);
        write("not-json.json", "this is not JSON\n");
        write("labels.txt", LABEL_FILE);
        write("labels2.txt", LABEL_FILE_2);
        write("bad-labels.txt", "com.example.tier = web\n");
        std::fs::create_dir_all(root.join("hostdir")).unwrap();
        std::fs::write(docker_config.join("config.json"), "{}\n").unwrap();
        Sandbox {
            root,
            home,
            docker_config,
            captures,
        }
    }

    /// The environment every process gets (plus `DOCKER_HOST` per program).
    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            (
                "PATH",
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into(),
            ),
            ("HOME", self.home.display().to_string()),
            ("PWD", self.root.display().to_string()),
            ("VERSION", "v0.49.1".into()),
            ("GOPATH", "/go".into()),
            ("PIHOLE_BASE", "/opt/pihole".into()),
            ("MYVAR1", "fromhost".into()),
            ("DOCKER_CONFIG", self.docker_config.display().to_string()),
        ]
    }

    /// Expand one line with bash; the `docker` function captures the arguments after `run`.
    fn expand(&self, line: &Line) -> Result<Vec<String>, String> {
        // Unique per call: two tests may expand the same line at the same time.
        let capture = self.captures.join(format!(
            "{}-{}.args",
            line.id.replace(':', "-"),
            next_serial()
        ));
        let script = format!(
            "docker() {{\n  if [ \"$1\" != run ]; then echo \"not docker run: $1\" >&2; exit 97; fi\n  shift\n  local a\n  : > \"$CAPTURE\"\n  for a in \"$@\"; do printf '%s\\0' \"$a\" >> \"$CAPTURE\"; done\n}}\n{}\n",
            strip_trailing_redirect(&line.text)
        );
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-c", &script])
            .env_clear()
            .envs(self.env())
            .env("CAPTURE", &capture)
            .current_dir(&self.root)
            .stdin(Stdio::null());
        let run = run_timed(cmd, &self.captures, &format!("{}-bash", line.id), None)?;
        let bytes = std::fs::read(&capture).map_err(|_| {
            format!(
                "bash did not call docker (exit {:?}): {}",
                run.code, run.stderr
            )
        })?;
        let _ = std::fs::remove_file(&capture);
        let mut args: Vec<String> = bytes
            .split(|b| *b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        args.pop(); // what follows the last NUL (empty)
        Ok(args)
    }
}

/// A number never handed out before in this process (for scratch file names).
fn next_serial() -> usize {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
}

struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
}

/// Run a prepared command with stdout/stderr going to files (and optionally a pty as stdin),
/// killing it after [`PROCESS_TIMEOUT`].
fn run_timed(
    mut cmd: Command,
    scratch: &Path,
    tag: &str,
    pty: Option<&common::Pty>,
) -> Result<Run, String> {
    let tag = format!("{}-{}", tag.replace([':', '/'], "-"), next_serial());
    let out_path = scratch.join(format!("{tag}.out"));
    let err_path = scratch.join(format!("{tag}.err"));
    let out = std::fs::File::create(&out_path).map_err(|e| e.to_string())?;
    let err = std::fs::File::create(&err_path).map_err(|e| e.to_string())?;
    cmd.stdout(out).stderr(err);
    if let Some(pty) = pty {
        cmd.stdin(pty.stdin().map_err(|e| format!("pty: {e}"))?);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {:?}: {e}", cmd.get_program()))?;
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if start.elapsed() > PROCESS_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "{:?} timed out after {PROCESS_TIMEOUT:?}",
                cmd.get_program()
            ));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stdout = std::fs::read(&out_path).unwrap_or_default();
    let stderr = String::from_utf8_lossy(&std::fs::read(&err_path).unwrap_or_default())
        .trim_end()
        .to_string();
    let _ = std::fs::remove_file(&out_path);
    let _ = std::fs::remove_file(&err_path);
    Ok(Run {
        code: status.code(),
        stdout,
        stderr,
    })
}

// ---------------------------------------------------------------------------------------
// docker's half
// ---------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum DockerOutcome {
    /// The CLI reached `POST /containers/create`.
    Created {
        name: Option<String>,
        platform: Option<String>,
        body: Value,
        code: Option<i32>,
        requests: Vec<String>,
    },
    /// The CLI stopped before creating anything.
    Refused {
        code: Option<i32>,
        stderr: String,
        requests: Vec<String>,
    },
}

/// The arguments after `docker run` as bash expanded them, or why that failed.
type Expanded = Result<Vec<String>, String>;

#[derive(Clone, Debug)]
struct Case {
    line: Line,
    /// The expanded arguments after `docker run`.
    args: Expanded,
    docker: Option<DockerOutcome>,
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query_param(query: &str, key: &str) -> Option<String> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| percent_decode(v))
}

/// Run the real CLI against a stand-in engine for one set of arguments.
fn docker_capture(
    cli: &Path,
    standin: &StandIn,
    sandbox: &Sandbox,
    line: &Line,
    args: &[String],
) -> DockerOutcome {
    standin.clear();
    let pty = common::Pty::open().expect("open a pseudo-terminal");
    let mut cmd = Command::new(cli);
    cmd.arg("run")
        .args(args)
        .env_clear()
        .envs(sandbox.env())
        .env("DOCKER_HOST", standin.docker_host())
        .current_dir(&sandbox.root);
    let run = run_timed(
        cmd,
        &sandbox.captures,
        &format!("{}-docker", line.id),
        Some(&pty),
    );
    let requests = standin.request_lines();
    let run = match run {
        Ok(run) => run,
        Err(e) => {
            return DockerOutcome::Refused {
                code: None,
                stderr: e,
                requests,
            };
        }
    };
    let created = standin.created();
    match created.last() {
        Some((query, body)) => {
            let mut body = body.clone();
            // The one harness artefact: --use-api-socket mounts the socket docker talks to,
            // which is the stand-in's here and harden's DOCKER_HOST there.
            replace_strings(
                &mut body,
                &standin.socket.display().to_string(),
                HARDEN_DOCKER_HOST.trim_start_matches("unix://"),
            );
            DockerOutcome::Created {
                name: query_param(query, "name"),
                platform: query_param(query, "platform"),
                body,
                code: run.code,
                requests,
            }
        }
        None => DockerOutcome::Refused {
            code: run.code,
            // `--help` exits 0 with the text on stdout; keep something to show.
            stderr: if run.stderr.is_empty() {
                let out = String::from_utf8_lossy(&run.stdout);
                format!("(stdout) {}", out.lines().next().unwrap_or_default())
            } else {
                run.stderr
            },
            requests,
        },
    }
}

fn replace_strings(v: &mut Value, from: &str, to: &str) {
    match v {
        Value::String(s) if s == from => *s = to.to_string(),
        Value::Array(a) => a.iter_mut().for_each(|x| replace_strings(x, from, to)),
        Value::Object(o) => o.values_mut().for_each(|x| replace_strings(x, from, to)),
        _ => {}
    }
}

/// Expand every line and run docker on it (once per test binary; the tests share it).
/// `None` when the 28.2.2 CLI or the corpus is missing: each calling test prints its own
/// skip notice (or fails under `HARDEN_E2E=require`).
fn cases() -> Option<&'static [Case]> {
    static CASES: OnceLock<Option<Vec<Case>>> = OnceLock::new();
    let cli = common::docker_cli()?;
    let corpus = corpus_lines()?;
    CASES
        .get_or_init(|| {
            let mut lines = corpus;
            lines.extend(extra_lines());
            let sandbox = Sandbox::get();
            Some(parallel_map(lines, |line| {
                thread_local! {
                    static STANDIN: StandIn = StandIn::start();
                }
                let args = sandbox.expand(&line);
                let docker = args
                    .as_ref()
                    .ok()
                    .map(|args| STANDIN.with(|s| docker_capture(&cli, s, sandbox, &line, args)));
                Case { line, args, docker }
            }))
        })
        .as_deref()
}

/// Expand the corpus lines only (the hardening test needs no docker CLI).
fn corpus_cases() -> Option<Vec<(Line, Expanded)>> {
    let lines = corpus_lines()?;
    let sandbox = Sandbox::get();
    Some(parallel_map(lines, |line| {
        let args = sandbox.expand(&line);
        (line, args)
    }))
}

/// Map over `items` on a few threads, keeping the order.
fn parallel_map<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(2, 4);
    let queue = std::sync::Mutex::new(items.into_iter().enumerate().collect::<Vec<_>>());
    let results = std::sync::Mutex::new(BTreeMap::new());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let next = queue.lock().unwrap().pop();
                    let Some((i, item)) = next else { break };
                    let r = f(item);
                    results.lock().unwrap().insert(i, r);
                }
            });
        }
    });
    results.into_inner().unwrap().into_values().collect()
}

// ---------------------------------------------------------------------------------------
// harden's half
// ---------------------------------------------------------------------------------------

#[derive(Debug)]
enum HardenOutcome {
    /// Exit 0 with the JSON document on stdout.
    Body(Value),
    /// Exit non-zero.
    Refused { code: Option<i32>, stderr: String },
    /// Timed out, or exit 0 but stdout is not the expected JSON.
    Broken { code: Option<i32>, why: String },
}

fn run_harden(
    sandbox: &Sandbox,
    line: &Line,
    harden_args: &[&str],
    args: &[String],
) -> HardenOutcome {
    let pty = common::Pty::open().expect("open a pseudo-terminal");
    let mut cmd = Command::new(common::harden_bin());
    cmd.args(harden_args)
        .args(args)
        .env_clear()
        .envs(sandbox.env())
        .env("DOCKER_HOST", HARDEN_DOCKER_HOST)
        // No engine answers there: the pinned version says which API the body is for, as the
        // stand-in in front of docker says 1.41.
        .env("DOCKER_API_VERSION", "1.41")
        .current_dir(&sandbox.root);
    let run = match run_timed(
        cmd,
        &sandbox.captures,
        &format!("{}-harden", line.id),
        Some(&pty),
    ) {
        Ok(run) => run,
        Err(why) => return HardenOutcome::Broken { code: None, why },
    };
    if run.code != Some(0) {
        return HardenOutcome::Refused {
            code: run.code,
            stderr: run.stderr,
        };
    }
    match serde_json::from_slice::<Value>(&run.stdout) {
        Ok(v) if v.get("body").is_some_and(Value::is_object) => HardenOutcome::Body(v),
        Ok(_) => HardenOutcome::Broken {
            code: Some(0),
            why: format!(
                "exit 0 but the JSON has no object `body`: {}",
                String::from_utf8_lossy(&run.stdout)
            ),
        },
        Err(e) => HardenOutcome::Broken {
            code: Some(0),
            why: format!(
                "exit 0 but stdout is not JSON ({e}); is `run --dry-run --format json` implemented? \
             stdout: {:?}, stderr: {:?}",
                String::from_utf8_lossy(&run.stdout),
                run.stderr
            ),
        },
    }
}

// ---------------------------------------------------------------------------------------
// Normalisation and diff
// ---------------------------------------------------------------------------------------

/// Object keys whose values are maps keyed by user data (labels, paths, ports, network
/// names…): their entries are kept even when the value is empty (`-v /data` is
/// `"Volumes":{"/data":{}}`, `--tmpfs /tmp` is `"Tmpfs":{"/tmp":""}`), only the values inside
/// are normalised. The map itself is dropped when it has no entries.
const USER_KEYED_MAPS: &[&str] = &[
    "Labels",
    "Volumes",
    "ExposedPorts",
    "Tmpfs",
    "StorageOpt",
    "Sysctls",
    "PortBindings",
    "Annotations",
    "DriverOpts",
    "Options",
    "EndpointsConfig",
];

/// Fields where the CLI sends a pointer and zero is a value, not "unset": `--init=false`
/// overrides a daemon-wide `init: true`, `--stop-timeout 0` is not the default 10 s, and
/// `--memory-swappiness 0` is not the inherited -1. Kept as they are (except `null`).
const KEEP_ZERO: &[&[&str]] = &[
    &["HostConfig", "Init"],
    &["StopTimeout"],
    &["HostConfig", "MemorySwappiness"],
];

/// Make a create body comparable. Only:
/// - `Env` and `HostConfig.Binds` are sorted (the CLI's order is random for both);
/// - zero values the engine treats as unset are removed: object keys whose value is `null`,
///   `""`, `0`, `false`, `[]` or `{}` (recursively, after normalising the value), and
///   `HostConfig.MemorySwappiness: -1`, `HostConfig.RestartPolicy` `{"Name":"no"|"",
///   "MaximumRetryCount":0}`, `HostConfig.NetworkMode: "default"`, `HostConfig.ConsoleSize:
///   [0,0]`, `LogConfig` `{"Type":""}` (by the same rule once emptied).
///
/// The zero rule spares [`KEEP_ZERO`] (pointer fields where zero is a value).
/// Array elements are never removed or reordered (`Entrypoint: [""]` is not `null`). In maps
/// keyed by user data ([`USER_KEYED_MAPS`], `LogConfig.Config`) entries are kept even when
/// their value is empty; in `EndpointsConfig` an empty entry is removed only when it is the
/// network the container joins anyway (`default` or the `NetworkMode`).
fn normalise(body: &Value) -> Value {
    let mut v = body.clone();
    if let Some(env) = v.get_mut("Env").and_then(Value::as_array_mut) {
        env.sort_by_key(|e| e.to_string());
    }
    if let Some(hc) = v.get_mut("HostConfig").and_then(Value::as_object_mut) {
        if let Some(binds) = hc.get_mut("Binds").and_then(Value::as_array_mut) {
            binds.sort_by_key(|e| e.to_string());
        }
        if hc.get("MemorySwappiness") == Some(&json!(-1)) {
            hc.remove("MemorySwappiness");
        }
        if hc.get("NetworkMode") == Some(&json!("default")) {
            hc.remove("NetworkMode");
        }
        if hc.get("ConsoleSize") == Some(&json!([0, 0])) {
            hc.remove("ConsoleSize");
        }
        if let Some(Value::Object(rp)) = hc.get("RestartPolicy") {
            let name_unset = matches!(rp.get("Name"), None | Some(Value::Null))
                || rp.get("Name") == Some(&json!("no"))
                || rp.get("Name") == Some(&json!(""));
            let count_unset = matches!(rp.get("MaximumRetryCount"), None | Some(Value::Null))
                || rp.get("MaximumRetryCount") == Some(&json!(0));
            if name_unset
                && count_unset
                && rp.keys().all(|k| k == "Name" || k == "MaximumRetryCount")
            {
                hc.remove("RestartPolicy");
            }
        }
    }
    let network_mode = v
        .pointer("/HostConfig/NetworkMode")
        .and_then(Value::as_str)
        .unwrap_or("default")
        .to_string();
    let mut path = Vec::new();
    let v = drop_zero(v, &mut path, &network_mode);
    v.unwrap_or_else(|| Value::Object(Map::new()))
}

fn is_zero(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
    }
}

/// Normalise `v` (found at `path`); `None` = remove it from its parent object.
fn drop_zero(v: Value, path: &mut Vec<String>, network_mode: &str) -> Option<Value> {
    if KEEP_ZERO
        .iter()
        .any(|k| path.iter().map(String::as_str).eq(k.iter().copied()))
    {
        return Some(v);
    }
    let key = path.last().cloned().unwrap_or_default();
    let user_keyed = USER_KEYED_MAPS.contains(&key.as_str())
        || (key == "Config" && path.len() >= 2 && path[path.len() - 2] == "LogConfig");
    let out = match v {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, child) in map {
                path.push(k.clone());
                let norm = drop_zero(child.clone(), path, network_mode);
                path.pop();
                if user_keyed {
                    let value = norm.unwrap_or_else(|| empty_like(&child));
                    let joined_anyway = k == "default" || k == network_mode;
                    if key == "EndpointsConfig" && joined_anyway && is_zero(&value) {
                        continue;
                    }
                    out.insert(k, value);
                } else if let Some(norm) = norm {
                    out.insert(k, norm);
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| {
                    let shape = empty_like(&item);
                    drop_zero(item, path, network_mode).unwrap_or(shape)
                })
                .collect(),
        ),
        other => other,
    };
    (!is_zero(&out)).then_some(out)
}

/// The empty value of the same JSON type (what a removed element leaves behind).
fn empty_like(v: &Value) -> Value {
    match v {
        Value::Object(_) => Value::Object(Map::new()),
        Value::Array(_) => Value::Array(Vec::new()),
        other => other.clone(),
    }
}

/// harden's body with the networks it connects right after create folded back into
/// `NetworkingConfig.EndpointsConfig`. Below API 1.44 the engine refuses more than one endpoint
/// at create (`Container cannot be connected to network endpoints`), so harden creates with the
/// first network and connects the others (`POST /networks/{id}/connect`) before start; docker
/// sends them all and fails. The settings per network must still be docker's.
fn with_connected_networks(doc: &Value) -> Value {
    let mut body = doc["body"].clone();
    for c in doc["connect"].as_array().into_iter().flatten() {
        if let Some(net) = c["network"].as_str() {
            body["NetworkingConfig"]["EndpointsConfig"][net] = c["endpoint"].clone();
        }
    }
    body
}

/// What is compared for one line: the normalised body plus the create query.
fn comparable(name: Option<&str>, platform: Option<&str>, body: &Value) -> Value {
    let mut top = Map::new();
    for (k, v) in [("name", name), ("platform", platform)] {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            top.insert(k.to_string(), json!(v));
        }
    }
    top.insert("body".to_string(), normalise(body));
    Value::Object(top)
}

/// Paths where `a` and `b` differ: `path: docker <json> | harden <json>`.
fn diff(a: &Value, b: &Value) -> Vec<String> {
    diff_labelled(a, b, ("docker", "harden"))
}

/// [`diff`] with other names for the two sides.
fn diff_labelled(a: &Value, b: &Value, labels: (&str, &str)) -> Vec<String> {
    let mut out = Vec::new();
    diff_into(a, b, labels, &mut String::new(), &mut out);
    out
}

fn diff_into(
    a: &Value,
    b: &Value,
    (la, lb): (&str, &str),
    path: &mut String,
    out: &mut Vec<String>,
) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => diff_into(p, q, (la, lb), path, out),
                    (p, q) => out.push(format!(
                        "{path}: {la} {} | {lb} {}",
                        p.map_or("(absent)".into(), Value::to_string),
                        q.map_or("(absent)".into(), Value::to_string)
                    )),
                }
                path.truncate(len);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                let len = path.len();
                let _ = write!(path, "[{i}]");
                diff_into(p, q, (la, lb), path, out);
                path.truncate(len);
            }
        }
        _ if a == b => {}
        _ => out.push(format!("{path}: {la} {a} | {lb} {b}")),
    }
}

// ---------------------------------------------------------------------------------------
// Dump
// ---------------------------------------------------------------------------------------

fn dump(dir: &Path, cases: &[Case]) {
    std::fs::create_dir_all(dir).expect("create the dump directory");
    let mut summary = String::new();
    for case in cases {
        let (outcome, detail) = match &case.docker {
            Some(DockerOutcome::Created {
                name,
                platform,
                body,
                code,
                requests,
            }) => (
                "created",
                json!({"name": name, "platform": platform, "exit_code": code, "body": body, "requests": requests}),
            ),
            Some(DockerOutcome::Refused {
                code,
                stderr,
                requests,
            }) => (
                "refused",
                json!({"exit_code": code, "stderr": stderr, "requests": requests}),
            ),
            None => ("not-expanded", json!({})),
        };
        let doc = json!({
            "id": case.line.id,
            "line": case.line.text,
            "args": case.args.as_ref().map_err(Clone::clone),
            "outcome": outcome,
            "docker": detail,
        });
        let file = dir.join(format!("{}.json", case.line.id.replace(':', "-")));
        std::fs::write(&file, serde_json::to_string_pretty(&doc).unwrap() + "\n")
            .expect("write a dump file");
        let _ = writeln!(summary, "{}\t{outcome}\t{}", case.line.id, case.line.text);
    }
    std::fs::write(dir.join("summary.txt"), summary).expect("write summary.txt");
    eprintln!(
        "fidelity: dumped docker's outcome for {} lines to {}",
        cases.len(),
        dir.display()
    );
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

/// The docker half on its own: the stand-in engine captures what CLI 28.2.2 sends for the
/// corpus and the extra lines, and refusals come back with their exit code.
#[test]
fn docker_capture_works() {
    let Some(cases) = cases() else { return };
    if let Ok(dir) = std::env::var("HARDEN_FIDELITY_DUMP") {
        dump(Path::new(&dir), cases);
    }
    let mut problems = Vec::new();
    let (mut corpus, mut corpus_created, mut extra, mut extra_created) = (0, 0, 0, 0);
    for case in cases {
        let id = &case.line.id;
        let args = match &case.args {
            Ok(args) => args,
            Err(e) => {
                problems.push(format!("{id}: expansion failed: {e}"));
                continue;
            }
        };
        let is_corpus = id.starts_with("corpus:");
        if is_corpus {
            corpus += 1;
        } else {
            extra += 1;
        }
        match case.docker.as_ref().expect("docker ran") {
            DockerOutcome::Created {
                code,
                body,
                requests,
                ..
            } => {
                if is_corpus {
                    corpus_created += 1;
                } else {
                    extra_created += 1;
                }
                if *code != Some(125) {
                    problems.push(format!(
                        "{id}: the CLI should exit 125 after the stand-in refused create, got {code:?}"
                    ));
                }
                if !requests.first().is_some_and(|r| r.ends_with("/_ping")) {
                    problems.push(format!("{id}: first request is not a ping: {requests:?}"));
                }
                if body.get("HostConfig").is_none() || body.get("Image").is_none() {
                    problems.push(format!("{id}: create body lacks Image/HostConfig: {body}"));
                }
                if let Some(e) = exception_for(args) {
                    problems.push(format!(
                        "{id}: exception `{}` is stale: the CLI did create ({})",
                        e.what, e.reason
                    ));
                }
                if let Expect::Refused(_) = case.line.expect {
                    problems.push(format!(
                        "{id}: expected docker to refuse, but it created: {body}"
                    ));
                }
            }
            DockerOutcome::Refused {
                code,
                stderr,
                requests,
            } => {
                let help = case.line.expect == Expect::Refused(Some(0));
                if !matches!(code, Some(c) if *c != 0 || help) {
                    problems.push(format!(
                        "{id}: refused without a non-zero exit code ({code:?}): {stderr}"
                    ));
                }
                if stderr.is_empty() {
                    problems.push(format!("{id}: refused without a message"));
                }
                if requests.iter().any(|r| r.contains("/containers/create")) {
                    problems.push(format!("{id}: refused but create was sent: {requests:?}"));
                }
                match case.line.expect {
                    Expect::Create => problems.push(format!(
                        "{id}: expected a create body, but the CLI refused (exit {code:?}): {stderr}"
                    )),
                    Expect::Refused(Some(want)) if *code != Some(want) => problems.push(format!(
                        "{id}: expected exit {want}, got {code:?}: {stderr}"
                    )),
                    _ => {}
                }
            }
        }
    }
    eprintln!(
        "docker capture: corpus {corpus} lines ({corpus_created} created, {} refused); \
         extra {extra} lines ({extra_created} created, {} refused)",
        corpus - corpus_created,
        extra - extra_created
    );
    for p in &problems {
        eprintln!("  {p}");
    }
    assert!(
        corpus_created >= 70,
        "only {corpus_created} of {corpus} corpus lines produced a create body"
    );
    assert!(
        problems.is_empty(),
        "{} problems (listed above)",
        problems.len()
    );
}

/// The stand-in engine speaks enough HTTP: ping headers, keep-alive, chunked and
/// Content-Length bodies, create recorded and refused.
#[test]
fn standin_engine_protocol() {
    use std::io::{Read, Write};
    let standin = StandIn::start();
    let mut s = std::os::unix::net::UnixStream::connect(&standin.socket).unwrap();
    let body = br#"{"Image":"x","HostConfig":{}}"#;
    let mut req = Vec::new();
    req.extend_from_slice(b"HEAD /_ping HTTP/1.1\r\nHost: docker\r\n\r\n");
    req.extend_from_slice(b"POST /v1.41/containers/create?name=a%2Fb HTTP/1.1\r\nHost: docker\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n");
    req.extend_from_slice(format!("{:x}\r\n", 10).as_bytes());
    req.extend_from_slice(&body[..10]);
    req.extend_from_slice(format!("\r\n{:x}\r\n", body.len() - 10).as_bytes());
    req.extend_from_slice(&body[10..]);
    req.extend_from_slice(b"\r\n0\r\n\r\n");
    req.extend_from_slice(
        format!(
            "POST /v1.41/containers/create HTTP/1.1\r\nHost: docker\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    req.extend_from_slice(body);
    s.write_all(&req).unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    assert!(resp.starts_with("HTTP/1.1 200 OK\r\n"), "{resp}");
    assert!(resp.contains("Api-Version: 1.41\r\n") && resp.contains("Ostype: linux\r\n"));
    assert_eq!(
        resp.matches(common::standin::CREATE_REFUSAL).count(),
        2,
        "{resp}"
    );
    assert!(
        !resp.contains("\r\n\r\nOK"),
        "HEAD must not send a body: {resp}"
    );
    assert_eq!(
        standin.request_lines(),
        [
            "HEAD /_ping",
            "POST /v1.41/containers/create?name=a%2Fb",
            "POST /v1.41/containers/create"
        ]
    );
    let created = standin.created();
    assert_eq!(created.len(), 2);
    assert_eq!(created[0].0, "name=a%2Fb");
    assert_eq!(query_param(&created[0].0, "name").as_deref(), Some("a/b"));
    assert_eq!(created[0].1, json!({"Image":"x","HostConfig":{}}));
    assert_eq!(created[1].1, created[0].1);
}

/// The real CLI against the stand-in: the call sequence of §3.0 up to create.
#[test]
fn standin_engine_with_real_cli() {
    let Some(cli) = common::docker_cli() else {
        return;
    };
    let standin = StandIn::start();
    let pty = common::Pty::open().unwrap();
    let out = Command::new(&cli)
        .args([
            "run", "-it", "--rm", "--name", "x1", "-e", "A=1", "busybox", "sh",
        ])
        .env_clear()
        .env("HOME", "/nonexistent")
        .env(
            "DOCKER_CONFIG",
            Sandbox::get().docker_config.display().to_string(),
        )
        .env("DOCKER_HOST", standin.docker_host())
        .stdin(pty.stdin().unwrap())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(125), "{stderr}");
    assert!(stderr.contains(common::standin::CREATE_REFUSAL), "{stderr}");
    assert_eq!(
        standin.request_lines(),
        ["HEAD /_ping", "POST /v1.41/containers/create?name=x1"]
    );
    let req = standin.requests().pop().unwrap();
    assert!(req.header("Content-Length").is_some(), "{:?}", req.headers);
    let (_, body) = standin.created().pop().unwrap();
    assert_eq!(body["Image"], "busybox");
    assert_eq!(body["Tty"], true);
    assert_eq!(body["OpenStdin"], true);
    assert_eq!(body["Env"], json!(["A=1"]));
    assert_eq!(body["HostConfig"]["AutoRemove"], true);
    assert_eq!(body["HostConfig"]["ConsoleSize"], json!([0, 0]));
}

#[test]
fn normalisation_rules() {
    let docker = json!({
        "Hostname": "", "Env": ["B=2", "A=1"], "Cmd": null, "Entrypoint": [""],
        "Volumes": {"/data": {}}, "Labels": {"bare": ""}, "ExposedPorts": {},
        "HostConfig": {
            "Binds": ["/b:/b", "/a:/a"], "MemorySwappiness": -1, "NetworkMode": "default",
            "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0}, "ConsoleSize": [0, 0],
            "LogConfig": {"Type": "", "Config": {}}, "Tmpfs": {"/tmp": ""}, "Dns": [],
            "PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": ""}]}, "Privileged": false
        },
        "NetworkingConfig": {"EndpointsConfig": {"default": {"Aliases": null, "IPAMConfig": null}}}
    });
    let harden = json!({
        "Env": ["A=1", "B=2"], "Entrypoint": [""], "Volumes": {"/data": {}},
        "Labels": {"bare": ""},
        "HostConfig": {"Binds": ["/a:/a", "/b:/b"], "Tmpfs": {"/tmp": ""},
                       "PortBindings": {"80/tcp": [{}]}}
    });
    assert_eq!(normalise(&docker), normalise(&harden));
    // Not normalised away: array elements, a restart policy, a second network.
    assert_ne!(
        normalise(&json!({"Entrypoint": [""]})),
        normalise(&json!({}))
    );
    assert_ne!(
        normalise(&json!({"HostConfig": {"RestartPolicy": {"Name": "always"}}})),
        normalise(&json!({}))
    );
    assert_ne!(
        normalise(&json!({"HostConfig": {"NetworkMode": "a"},
                          "NetworkingConfig": {"EndpointsConfig": {"a": {}, "b": {}}}})),
        normalise(&json!({"HostConfig": {"NetworkMode": "a"}}))
    );
    assert_eq!(
        normalise(&json!({"HostConfig": {"NetworkMode": "a"},
                          "NetworkingConfig": {"EndpointsConfig": {"a": {}}}})),
        normalise(&json!({"HostConfig": {"NetworkMode": "a"}}))
    );
    // Zero values that are values: --init=false, --stop-timeout 0, --memory-swappiness 0.
    for kept in [
        json!({"HostConfig": {"Init": false}}),
        json!({"StopTimeout": 0}),
        json!({"HostConfig": {"MemorySwappiness": 0}}),
    ] {
        assert_ne!(normalise(&kept), normalise(&json!({})), "{kept}");
    }
    assert_eq!(
        diff(
            &json!({"a": {"b": [1, 2]}, "c": 1}),
            &json!({"a": {"b": [1, 3]}})
        ),
        [
            "a.b[1]: docker 2 | harden 3",
            "c: docker 1 | harden (absent)"
        ]
    );
}

#[test]
fn trailing_redirect_is_stripped() {
    assert_eq!(
        strip_trailing_redirect("docker run --rm nginx cat /x > /host/path/nginx.conf"),
        "docker run --rm nginx cat /x"
    );
    assert_eq!(
        strip_trailing_redirect("docker run a b >> out.txt"),
        "docker run a b"
    );
    assert_eq!(
        strip_trailing_redirect("docker run -e 'A=b > c' img"),
        "docker run -e 'A=b > c' img"
    );
    assert_eq!(
        strip_trailing_redirect("docker run -e 'X=>y' img"),
        "docker run -e 'X=>y' img"
    );
}

/// harden run --no-harden builds the same create body as docker run (needs the harden
/// binary's `run --dry-run --format json`; fails until that exists).
#[test]
fn fidelity_harden_matches_docker() {
    let Some(cases) = cases() else { return };
    let sandbox = Sandbox::get();
    let results = parallel_map(cases.iter().collect(), |case| {
        let Ok(args) = &case.args else {
            return (case, None);
        };
        if exception_for(args).is_some() {
            return (case, None);
        }
        let harden = run_harden(
            sandbox,
            &case.line,
            &["run", "--no-harden", "--dry-run", "--format", "json"],
            args,
        );
        (case, Some(harden))
    });
    let (mut equal, mut both_refused, mut skipped) = (0, 0, 0);
    let mut mismatches = Vec::new();
    for (case, harden) in results {
        let id = &case.line.id;
        let text = &case.line.text;
        let Ok(args) = &case.args else {
            mismatches.push(format!(
                "{id}: {text}\n    expansion failed: {}",
                case.args.as_ref().unwrap_err()
            ));
            continue;
        };
        let Some(harden) = harden else {
            let e = exception_for(args).unwrap();
            skipped += 1;
            eprintln!("{id}: not compared (exception `{}`: {})", e.what, e.reason);
            continue;
        };
        match (case.docker.as_ref().unwrap(), harden) {
            // `--help`: docker printed help and exited 0; harden must exit 0 too.
            (DockerOutcome::Refused { code: Some(0), .. }, harden) => match harden {
                HardenOutcome::Body(_) | HardenOutcome::Broken { code: Some(0), .. } => {
                    both_refused += 1
                }
                other => mismatches.push(format!(
                    "{id}: {text}\n    docker printed help (exit 0); harden: {other:?}"
                )),
            },
            (
                DockerOutcome::Created {
                    name,
                    platform,
                    body,
                    ..
                },
                HardenOutcome::Body(doc),
            ) => {
                let want = comparable(name.as_deref(), platform.as_deref(), body);
                let got = comparable(
                    doc.get("name").and_then(Value::as_str),
                    doc.get("platform").and_then(Value::as_str),
                    &with_connected_networks(&doc),
                );
                if want == got {
                    equal += 1;
                } else {
                    let lines = diff(&want, &got).join("\n    ");
                    mismatches.push(format!("{id}: {text}\n    {lines}"));
                }
            }
            // The stand-in engine accepts what the real engine refuses: an unknown capability
            // (`invalid CapDrop: unknown capability: "CAP_CHOWN,SETUID"` from Engine 20.10;
            // tests/e2e/run_engine.rs checks the real engine and harden say the same).
            (DockerOutcome::Created { .. }, HardenOutcome::Refused { code, stderr })
                if code == Some(125) && stderr.contains("unknown capability: \"CAP_") =>
            {
                both_refused += 1;
            }
            (DockerOutcome::Created { .. }, HardenOutcome::Refused { code, stderr }) => {
                mismatches.push(format!(
                    "{id}: {text}\n    docker created a container, harden refused (exit {code:?}): {stderr}"
                ));
            }
            (
                DockerOutcome::Refused { code, stderr, .. },
                HardenOutcome::Refused {
                    code: hc,
                    stderr: hs,
                },
            ) => {
                if matches!(hc, Some(125) | Some(1)) {
                    both_refused += 1;
                } else {
                    mismatches.push(format!(
                        "{id}: {text}\n    docker refused (exit {code:?}: {stderr}); harden exited {hc:?} (want 125 or 1): {hs}"
                    ));
                }
            }
            (DockerOutcome::Refused { code, stderr, .. }, HardenOutcome::Body(_)) => {
                mismatches.push(format!(
                    "{id}: {text}\n    docker refused (exit {code:?}: {stderr}); harden accepted it"
                ));
            }
            (_, HardenOutcome::Broken { why, .. }) => {
                mismatches.push(format!("{id}: {text}\n    harden: {why}"));
            }
        }
    }
    for m in &mismatches {
        eprintln!("MISMATCH {m}");
    }
    let n = cases.len();
    eprintln!(
        "{n} lines: {equal} equal, {both_refused} both refused, {} mismatches ({skipped} not compared: API 1.41 exceptions)",
        mismatches.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} of {n} lines differ from docker run (listed above)",
        mismatches.len()
    );
}

/// Deny rules `harden run` may name when it refuses a line.
const DENY_RULES: &[&str] = &[
    "privileged",
    "dangerous-capability",
    "host-network",
    "host-pid",
    "host-ipc",
    "host-uts",
    "host-userns",
    "host-cgroupns",
    "docker-socket",
    "sensitive-mount",
    "mount-propagation",
    "seccomp-unconfined",
    "apparmor-unconfined",
    "selinux-disabled",
    "systempaths-unconfined",
];

/// Problems with a hardened body (empty = hardened as the default preset promises).
fn hardening_problems(body: &Value) -> Vec<String> {
    let mut p = Vec::new();
    let hc = &body["HostConfig"];
    if hc["CapDrop"] != json!(["ALL"]) {
        p.push(format!(
            "HostConfig.CapDrop is {} (want [\"ALL\"])",
            hc["CapDrop"]
        ));
    }
    let nnp = hc["SecurityOpt"].as_array().is_some_and(|opts| {
        opts.iter().any(|o| {
            matches!(
                o.as_str(),
                Some("no-new-privileges" | "no-new-privileges=true" | "no-new-privileges:true")
            )
        })
    });
    if !nnp {
        p.push(format!(
            "HostConfig.SecurityOpt {} lacks no-new-privileges",
            hc["SecurityOpt"]
        ));
    }
    let user = body["User"].as_str().unwrap_or_default();
    let user_name = user.split(':').next().unwrap_or_default();
    if user_name.is_empty() || user_name == "root" || user_name == "0" {
        p.push(format!("User is {user:?} (want a non-root user)"));
    }
    if hc["ReadonlyRootfs"] != json!(true) {
        p.push("HostConfig.ReadonlyRootfs is not true".into());
    }
    let mount_targets = mount_targets(body);
    for path in ["/tmp", "/run"] {
        let in_tmpfs = hc["Tmpfs"]
            .as_object()
            .is_some_and(|t| t.contains_key(path));
        if !in_tmpfs && !mount_targets.iter().any(|t| t == path) {
            p.push(format!("HostConfig.Tmpfs lacks {path}"));
        }
    }
    let positive = |k: &str| hc[k].as_i64().is_some_and(|n| n > 0);
    if !positive("Memory") {
        p.push(format!("HostConfig.Memory is {} (want > 0)", hc["Memory"]));
    }
    if !positive("NanoCpus") && !positive("CpuQuota") {
        p.push("neither HostConfig.NanoCpus nor CpuQuota is > 0".into());
    }
    if !positive("PidsLimit") {
        p.push(format!(
            "HostConfig.PidsLimit is {} (want > 0)",
            hc["PidsLimit"]
        ));
    }
    if let Some(ports) = hc["PortBindings"].as_object() {
        for (port, bindings) in ports {
            for b in bindings.as_array().into_iter().flatten() {
                if b["HostIp"] != json!("127.0.0.1") {
                    p.push(format!(
                        "PortBindings {port} binds {} (want HostIp 127.0.0.1)",
                        b
                    ));
                }
            }
        }
    }
    if hc["PublishAllPorts"] == json!(true) {
        p.push("HostConfig.PublishAllPorts is true".into());
    }
    p
}

/// Targets of binds, mounts and anonymous volumes (not tmpfs) in a body.
fn mount_targets(body: &Value) -> Vec<String> {
    let hc = &body["HostConfig"];
    let mut out = Vec::new();
    for b in hc["Binds"].as_array().into_iter().flatten() {
        if let Some(b) = b.as_str() {
            let parts: Vec<&str> = b.split(':').collect();
            if parts.len() >= 2 {
                out.push(parts[1].trim_end_matches('/').to_string());
            }
        }
    }
    for m in hc["Mounts"].as_array().into_iter().flatten() {
        if let Some(t) = m["Target"].as_str() {
            out.push(t.trim_end_matches('/').to_string());
        }
    }
    if let Some(v) = body["Volumes"].as_object() {
        out.extend(v.keys().map(|k| k.trim_end_matches('/').to_string()));
    }
    out
}

/// Every corpus line is either hardened by the default preset or refused naming a deny
/// rule (needs the harden binary's `run --dry-run --format json`; fails until that exists).
#[test]
fn hardening_default_preset() {
    let Some(cases) = corpus_cases() else { return };
    let sandbox = Sandbox::get();
    let results = parallel_map(cases, |(line, args)| {
        let outcome = args.as_ref().ok().map(|args| {
            run_harden(
                sandbox,
                &line,
                &["run", "--dry-run", "--format", "json"],
                args,
            )
        });
        (line, args, outcome)
    });
    let mut hardened = 0;
    let mut denied: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for (line, args, outcome) in &results {
        let id = &line.id;
        eprintln!("{id}: {}", outcome_word(outcome.as_ref()));
        let Some(outcome) = outcome else {
            failures.push(format!(
                "{id}: expansion failed: {}",
                args.as_ref().unwrap_err()
            ));
            continue;
        };
        match outcome {
            HardenOutcome::Body(doc) => {
                let problems = hardening_problems(&doc["body"]);
                if problems.is_empty() {
                    hardened += 1;
                } else {
                    failures.push(format!(
                        "{id}: {}\n    {}",
                        line.text,
                        problems.join("\n    ")
                    ));
                }
            }
            HardenOutcome::Refused {
                code: Some(125),
                stderr,
            } => {
                // An explicit root user (`--user "$(id -u)"` as root) is refused, never
                // silently replaced.
                let explicit_root = (names_rule(stderr, "non-root-user")
                    && stderr.contains("explicitly"))
                .then_some(&"non-root-user");
                let rule = DENY_RULES
                    .iter()
                    .find(|r| names_rule(stderr, r))
                    .or(explicit_root);
                match rule {
                    Some(rule) => *denied.entry(rule).or_default() += 1,
                    None => failures.push(format!(
                        "{id}: {}\n    exit 125 without naming a deny rule: {stderr}",
                        line.text
                    )),
                }
            }
            HardenOutcome::Refused { code, stderr } => failures.push(format!(
                "{id}: {}\n    exit {code:?} (want 0, or 125 naming a deny rule): {stderr}",
                line.text
            )),
            HardenOutcome::Broken { why, .. } => {
                failures.push(format!("{id}: {}\n    {why}", line.text))
            }
        }
    }
    for f in &failures {
        eprintln!("NOT HARDENED {f}");
    }
    let denied_total: usize = denied.values().sum();
    let by_rule: Vec<String> = denied.iter().map(|(r, n)| format!("{r} {n}")).collect();
    eprintln!(
        "{} lines: {hardened} hardened, {denied_total} denied ({}), {} failures",
        results.len(),
        by_rule.join(", "),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} corpus lines neither hardened nor denied (listed above)",
        failures.len()
    );
}

/// `stderr` names the rule id as a whole word (`host-pid`, not `host-pidx`).
fn names_rule(stderr: &str, rule: &str) -> bool {
    stderr.match_indices(rule).any(|(i, _)| {
        let before = stderr[..i].chars().next_back();
        let after = stderr[i + rule.len()..].chars().next();
        let word =
            |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        !word(before) && !word(after)
    })
}

/// Flags `docker run --help` does not list against API 1.41 (hidden, deprecated aliases,
/// newer-API and Windows-only flags); the extra corpus must use them too.
const HIDDEN_FLAGS: &[&str] = &[
    "--annotation",
    "--health-start-interval",
    "--cpu-count",
    "--cpu-percent",
    "--io-maxbandwidth",
    "--io-maxiops",
    "--dns-opt",
    "--net",
    "--net-alias",
];

/// The extra corpus uses every flag (long and short) the oracle CLI's `docker run --help`
/// lists, plus [`HIDDEN_FLAGS`].
#[test]
fn extra_corpus_covers_every_flag() {
    let Some(cli) = common::docker_cli() else {
        return;
    };
    let standin = StandIn::start();
    let out = Command::new(&cli)
        .args(["run", "--help"])
        .env_clear()
        .env("HOME", "/nonexistent")
        .env(
            "DOCKER_CONFIG",
            Sandbox::get().docker_config.display().to_string(),
        )
        .env("DOCKER_HOST", standin.docker_host())
        .stdin(Stdio::null())
        .output()
        .expect("run docker run --help");
    let help = String::from_utf8_lossy(&out.stdout);
    let mut flags: Vec<String> = HIDDEN_FLAGS.iter().map(|f| f.to_string()).collect();
    for line in help.lines() {
        let line = line.trim_start();
        let (short, rest) = match line.strip_prefix('-') {
            Some(r) if r.len() > 3 && r.as_bytes()[1] == b',' => {
                (Some(format!("-{}", &r[..1])), r[2..].trim_start())
            }
            _ => (None, line),
        };
        if let Some(long) = rest.strip_prefix("--") {
            let name: String = long
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            flags.push(format!("--{name}"));
            flags.extend(short);
        }
    }
    assert!(
        flags.len() >= 98 + HIDDEN_FLAGS.len(),
        "parsed only {} flags from:\n{help}",
        flags.len()
    );
    let words: Vec<String> = extra_lines()
        .iter()
        .flat_map(|l| {
            l.text
                .split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    let used = |flag: &str| {
        words.iter().any(|w| {
            if let Some(short) = flag.strip_prefix('-').filter(|s| s.len() == 1) {
                // a shorthand alone, in a cluster (`-itp`) or glued to its value (`-p80:80`)
                w.starts_with('-') && !w.starts_with("--") && w[1..].contains(short)
            } else {
                w == flag || w.strip_prefix(flag).is_some_and(|r| r.starts_with('='))
            }
        })
    };
    let missing: Vec<&String> = flags.iter().filter(|f| !used(f)).collect();
    assert!(
        missing.is_empty(),
        "flags not exercised by {EXTRA}: {missing:?}"
    );
}

/// The real-engine support in `tests/common`: engine discovery, the test image (built by
/// `scripts/build-test-image.sh` when missing) and `ContainerGuard`, which removes what a test
/// created, and only containers labelled `harden.test=1`.
#[test]
fn support_engine_image_and_guard() {
    let Some(engine) = common::engine() else {
        return;
    };
    let Some(cli) = common::docker_cli() else {
        return;
    };
    common::require_test_image(&engine);
    let docker = |args: &[&str]| {
        let out = Command::new(&cli)
            .args(args)
            .env("DOCKER_HOST", &engine.host)
            .stdin(Stdio::null())
            .output()
            .expect("run docker");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).trim().to_string(),
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        )
    };
    // The image works as the non-root user it was made for, read-only with tmpfs /tmp.
    let (code, out, err) = docker(&[
        "run",
        "--rm",
        "--label",
        common::TEST_LABEL,
        "--network",
        "none",
        "--user",
        "65534:65534",
        "--read-only",
        "--tmpfs",
        "/tmp",
        "--cap-drop",
        "ALL",
        common::TEST_IMAGE,
        "sh",
        "-c",
        "id -un; touch /tmp/ok && echo writable; ls -ld /run /tmp | cut -c1-10",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, "nobody\nwritable\ndrwxr-xr-x\ndrwxrwxrwt", "{err}");

    // The guard removes a labelled container and leaves an unlabelled one alone.
    let (labelled, unlabelled) = {
        let mut guard = common::ContainerGuard::new(&engine);
        let labelled = guard.name();
        let unlabelled = guard.name();
        let (code, _, err) = docker(&[
            "create",
            "--label",
            common::TEST_LABEL,
            "--name",
            &labelled,
            common::TEST_IMAGE,
            "true",
        ]);
        assert_eq!(code, Some(0), "{err}");
        let (code, _, err) = docker(&["create", "--name", &unlabelled, common::TEST_IMAGE, "true"]);
        assert_eq!(code, Some(0), "{err}");
        guard.track("no-such-container-harden-test");
        (labelled, unlabelled)
    };
    let exists = |name: &str| docker(&["container", "inspect", name]).0 == Some(0);
    let unlabelled_left = exists(&unlabelled);
    docker(&["container", "rm", "--force", &unlabelled]);
    assert!(
        !exists(&labelled),
        "ContainerGuard did not remove {labelled}"
    );
    assert!(
        unlabelled_left,
        "ContainerGuard removed {unlabelled}, which has no test label"
    );
}

/// One word (or two) for a line's outcome in the hardening test's per-line listing.
fn outcome_word(outcome: Option<&HardenOutcome>) -> String {
    match outcome {
        None => "not expanded".into(),
        Some(HardenOutcome::Body(doc)) if hardening_problems(&doc["body"]).is_empty() => {
            "hardened".into()
        }
        Some(HardenOutcome::Body(_)) => "NOT hardened".into(),
        Some(HardenOutcome::Refused { code, stderr }) => {
            match DENY_RULES.iter().find(|r| names_rule(stderr, r)) {
                Some(rule) if *code == Some(125) => format!("denied ({rule})"),
                _ => format!("refused without a deny rule (exit {code:?})"),
            }
        }
        Some(HardenOutcome::Broken { .. }) => "broken output".into(),
    }
}

/// A second run of the CLI gives the same comparable body for every line that created:
/// the normalisation absorbs the CLI's own nondeterminism (the order of `-e` entries and of
/// binds), so an exact match with harden is possible at all.
#[test]
fn docker_bodies_are_stable_after_normalisation() {
    let Some(cases) = cases() else { return };
    let Some(cli) = common::docker_cli() else {
        return;
    };
    let sandbox = Sandbox::get();
    let unstable = parallel_map(cases.iter().collect(), |case| {
        thread_local! {
            static STANDIN: StandIn = StandIn::start();
        }
        let (
            Ok(args),
            Some(DockerOutcome::Created {
                name,
                platform,
                body,
                ..
            }),
        ) = (&case.args, &case.docker)
        else {
            return None;
        };
        let again = STANDIN.with(|s| docker_capture(&cli, s, sandbox, &case.line, args));
        let DockerOutcome::Created {
            name: n2,
            platform: p2,
            body: b2,
            ..
        } = again
        else {
            return Some(format!("{}: the second run did not create", case.line.id));
        };
        let first = comparable(name.as_deref(), platform.as_deref(), body);
        let second = comparable(n2.as_deref(), p2.as_deref(), &b2);
        (first != second).then(|| format!("{}: {}", case.line.id, diff(&first, &second).join("; ")))
    });
    let unstable: Vec<String> = unstable.into_iter().flatten().collect();
    assert!(
        unstable.is_empty(),
        "docker bodies differ between runs:\n{}",
        unstable.join("\n")
    );
}
