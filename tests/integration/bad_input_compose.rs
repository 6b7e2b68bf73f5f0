//! Bad input for the Compose door (`harden compose lint|fix|config`): malformed YAML, wrong
//! shapes, alias bombs, directories, unreadable, non-UTF-8, empty, multi-document files, binary
//! files, devices and files of 50 MB, deep nesting, a read-only directory when fixing, and a
//! file that changes between harden reading it and writing the fix. Each: one clear
//! `harden: FILE…` line, exit 2, no panic, bounded time and memory, and no file changed
//! (except by whoever else changed it).
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::harden_bounded as harden;

/// Every subcommand that reads `file` fails with one line naming it and saying `expect`.
#[track_caller]
fn assert_input_error_within(dir: &Path, file: &str, expect: &str, limit: Duration) {
    let path = dir.join(file);
    let before = std::fs::read(&path).ok();
    for cmd in [
        vec!["compose", "-f", file, "lint"],
        vec!["compose", "-f", file, "fix"],
        vec!["compose", "-f", file, "fix", "--stdout"],
        vec!["compose", "-f", file, "fix", "--diff"],
        vec!["compose", "-f", file, "config"],
    ] {
        let (out, took) = harden(dir, &cmd);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{cmd:?}: {stderr}");
        assert!(took < limit, "{cmd:?} took {took:?} (limit {limit:?})");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(
            stderr.starts_with(&format!("harden: {file}")),
            "names the file: {stderr}"
        );
        assert!(
            stderr.contains(expect),
            "{cmd:?}: `{expect}` not in {stderr}"
        );
        assert!(out.stdout.is_empty(), "nothing on stdout");
        if path.is_file() {
            assert_eq!(std::fs::read(&path).ok(), before, "file unchanged");
        }
    }
    assert_no_temp_files(dir);
}

/// Small bad files: the error comes well under a second.
#[track_caller]
fn assert_input_error(dir: &Path, file: &str, expect: &str) {
    assert_input_error_within(dir, file, expect, Duration::from_secs(1));
}

/// Files of many megabytes and devices: a few seconds at most.
#[track_caller]
fn assert_big_input_error(dir: &Path, file: &str, expect: &str) {
    assert_input_error_within(dir, file, expect, Duration::from_secs(5));
}

/// `text` written to `c.yaml` in `dir` and fixed to standard output: the fixed text, after
/// checking that `fix --stdout` succeeded without a panic.
#[track_caller]
fn fixed_to_stdout(dir: &Path, text: &str) -> String {
    std::fs::write(dir.join("c.yaml"), text).unwrap();
    let (out, _) = harden(dir, &["compose", "-f", "c.yaml", "fix", "--stdout"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[track_caller]
fn assert_no_temp_files(dir: &Path) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        assert!(!name.contains(".harden-"), "temporary file left: {name}");
    }
}

#[test]
fn binary_files() {
    let d = tempfile::tempdir().unwrap();
    // Not UTF-8 (an ELF header and random-looking bytes).
    let mut elf = b"\x7fELF\x02\x01\x01\x00".to_vec();
    let mut x: u32 = 0x1234_5678;
    for _ in 0..4096 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        elf.push(x as u8);
    }
    std::fs::write(d.path().join("elf.yaml"), &elf).unwrap();
    assert_big_input_error(d.path(), "elf.yaml", "not UTF-8");
    // UTF-8 with NUL and other control characters.
    std::fs::write(
        d.path().join("nul.yaml"),
        "services:\n  web:\n    image: \"a\0b\"\n",
    )
    .unwrap();
    assert_big_input_error(d.path(), "nul.yaml", "control characters are not allowed");
    std::fs::write(d.path().join("bel.yaml"), "\u{7}\u{7}\u{7}").unwrap();
    assert_big_input_error(d.path(), "bel.yaml", "control characters are not allowed");
    // A byte-order mark alone, and one before a valid file (accepted).
    std::fs::write(d.path().join("bom.yaml"), "\u{feff}").unwrap();
    assert_big_input_error(d.path(), "bom.yaml", "empty");
    std::fs::write(
        d.path().join("bom-ok.yaml"),
        "\u{feff}services:\n  web:\n    image: nginx:1\n",
    )
    .unwrap();
    let (out, _) = harden(d.path(), &["compose", "-f", "bom-ok.yaml", "lint"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
}

#[test]
fn a_file_of_fifty_megabytes() {
    let d = tempfile::tempdir().unwrap();
    // Real content (comment lines), not a sparse file.
    let line = "# padding padding padding padding padding padding padding padding padding\n";
    let text = line.repeat((50 << 20) / line.len() + 1);
    std::fs::write(d.path().join("big.yaml"), format!("services: {{}}\n{text}")).unwrap();
    assert_big_input_error(d.path(), "big.yaml", "larger than 8 MiB");
}

/// Character devices and pipes report no length: reading them must stop at the limit instead
/// of filling memory (`-f /dev/zero` ran out of memory, `--preset /dev/zero` too).
#[test]
fn endless_devices() {
    let d = tempfile::tempdir().unwrap();
    for dev in ["/dev/zero", "/dev/urandom"] {
        if !Path::new(dev).exists() {
            continue;
        }
        let (out, took) = harden(d.path(), &["compose", "-f", dev, "lint"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert_eq!(
            stderr.trim(),
            format!("harden: {dev}: file is larger than 8 MiB; refusing to read it")
        );
        assert!(took < Duration::from_secs(5), "{took:?}");
        let (out, _) = harden(
            d.path(),
            &["compose", "--preset", dev, "-f", "x.yaml", "lint"],
        );
        assert_eq!(out.status.code(), Some(2));
        let (out, _) = harden(d.path(), &["run", "--dry-run", "--preset", dev, "img"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(125), "{stderr}");
        assert!(
            stderr.contains(&format!("cannot read preset {dev}: file is larger than")),
            "{stderr}"
        );
    }
    // A pipe (process substitution, `-f <(…)`) is read like a file.
    let (out, _) = harden(
        d.path(),
        &["compose", "-f", "/dev/stdin", "lint", "--fail-on", "error"],
    );
    assert_eq!(out.status.code(), Some(2), "empty stdin: {out:?}");
}

#[test]
fn deep_nesting() {
    let d = tempfile::tempdir().unwrap();
    let n = 100_000;
    std::fs::write(
        d.path().join("flow.yaml"),
        format!("services: {}{}\n", "[".repeat(n), "]".repeat(n)),
    )
    .unwrap();
    assert_big_input_error(d.path(), "flow.yaml", "nesting deeper than 128 levels");
    std::fs::write(
        d.path().join("maps.yaml"),
        format!("a: {}1{}\n", "{x: ".repeat(n), "}".repeat(n)),
    )
    .unwrap();
    assert_big_input_error(d.path(), "maps.yaml", "nesting deeper than 128 levels");
    let mut block = String::from("services:\n  web:\n");
    for i in 0..300 {
        block.push_str(&format!("{}k{i}:\n", "  ".repeat(i + 2)));
    }
    block.push_str(&format!("{}v\n", "  ".repeat(302)));
    std::fs::write(d.path().join("block.yaml"), block).unwrap();
    assert_big_input_error(d.path(), "block.yaml", "nesting deeper than 128 levels");
    let seqs = format!("x: {}1\n", "- ".repeat(5000));
    std::fs::write(d.path().join("seqs.yaml"), seqs).unwrap();
    assert_big_input_error(d.path(), "seqs.yaml", "seqs.yaml:1:");
}

const FIXABLE: &str =
    "services:\n  web:\n    image: nginx:1.27\n    # keep me\n    ports:\n      - \"8080:80\"\n";

/// A read-only file system: `fix` says it cannot write, exits 2 and leaves the file (and no
/// temporary file). As root, permission bits do not stop writes, so the file sits on a tmpfs
/// remounted read-only in a private mount namespace (`unshare -m`).
#[test]
fn read_only_directory_when_fixing() {
    let d = tempfile::tempdir().unwrap();
    let root = rustix::process::geteuid().is_root();
    if !root {
        use std::os::unix::fs::PermissionsExt;
        let ro = d.path().join("ro");
        std::fs::create_dir(&ro).unwrap();
        std::fs::write(ro.join("c.yaml"), FIXABLE).unwrap();
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
        let (out, _) = harden(&ro, &["compose", "-f", "c.yaml", "fix"]);
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.starts_with("harden: c.yaml: cannot write: "),
            "{stderr}"
        );
        assert_eq!(std::fs::read_to_string(ro.join("c.yaml")).unwrap(), FIXABLE);
        return;
    }
    let Some(unshare) = ["/usr/bin/unshare", "/bin/unshare"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
    else {
        eprintln!("skipping read_only_directory_when_fixing: no unshare(1) for a private mount");
        return;
    };
    let mnt = d.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    // In a private mount namespace: a tmpfs with the file, remounted read-only, then fix.
    let script = r#"set -e
mount -t tmpfs -o size=1m harden-test "$1"
printf '%s' "$2" > "$1/c.yaml"
mount -o remount,ro "$1"
cd "$1"
set +e
"$3" compose -f c.yaml fix 2> "$4/stderr"
echo $? > "$4/code"
ls -a "$1" > "$4/ls"
cat c.yaml > "$4/after"
"#;
    let out = Command::new(&unshare)
        .args(["-m", "--propagation", "private", "sh", "-c", script, "sh"])
        .arg(&mnt)
        .arg(FIXABLE)
        .arg(env!("CARGO_BIN_EXE_harden"))
        .arg(d.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    if !out.status.success() {
        eprintln!(
            "skipping read_only_directory_when_fixing: cannot mount a read-only tmpfs here: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
        return;
    }
    let read = |n: &str| std::fs::read_to_string(d.path().join(n)).unwrap();
    let stderr = read("stderr");
    assert_eq!(read("code").trim(), "2", "{stderr}");
    assert_eq!(
        stderr.trim(),
        "harden: c.yaml: cannot write: Read-only file system (os error 30)"
    );
    assert_eq!(read("after"), FIXABLE, "file unchanged");
    assert!(!read("ls").contains(".harden-"), "no temporary file");
}

/// Another program changes the file while harden works on it: harden must notice before the
/// rename, exit 2, write nothing, and keep the other change.
#[test]
fn file_changed_between_read_and_write() {
    let d = tempfile::tempdir().unwrap();
    // Big enough that fixing takes a while (thousands of services).
    let mut text = String::from("services:\n");
    for i in 0..3000 {
        text.push_str(&format!(
            "  s{i}:\n    image: app:{i}\n    ports:\n      - \"{}:80\"\n",
            10000 + i
        ));
    }
    let path = d.path().join("c.yaml");
    std::fs::write(&path, &text).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_harden"))
        .args(["compose", "-f", "c.yaml", "fix"])
        .current_dir(d.path())
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until harden has read the file (its read count passes the file size), then change it.
    let io = format!("/proc/{}/io", child.id());
    let start = Instant::now();
    loop {
        let rchar = std::fs::read_to_string(&io)
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("rchar: ").map(|v| v.trim().parse::<usize>()))
            })
            .and_then(Result::ok)
            .unwrap_or(0);
        if rchar >= text.len() || start.elapsed() > Duration::from_secs(10) {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let changed = format!("{text}  # edited while harden was fixing\n");
    std::fs::write(&path, &changed).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if std::fs::read_to_string(&path).unwrap() != changed && out.status.success() {
        panic!("harden overwrote a change made while it was fixing: {stderr}");
    }
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.trim(),
        "harden: c.yaml: changed since harden read it; nothing written (run the fix again)"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), changed);
    assert_no_temp_files(d.path());
}

#[test]
fn malformed_yaml() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("c.yaml"),
        "services:\n  web:\n    image: [nginx\n    ports: \"80\n",
    )
    .unwrap();
    assert_input_error(d.path(), "c.yaml", "c.yaml:");
    let (out, _) = harden(d.path(), &["compose", "-f", "c.yaml", "lint"]);
    let err = String::from_utf8_lossy(&out.stderr);
    // file:line:col
    let loc = err.trim_start_matches("harden: c.yaml:");
    let mut parts = loc.splitn(3, ':');
    assert!(parts.next().unwrap().parse::<usize>().is_ok(), "{err}");
    assert!(parts.next().unwrap().parse::<usize>().is_ok(), "{err}");
}

#[test]
fn services_not_a_mapping() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("c.yaml"), "services:\n  - web\n  - db\n").unwrap();
    assert_input_error(
        d.path(),
        "c.yaml",
        "c.yaml:1:1: `services` must be a mapping",
    );
    std::fs::write(d.path().join("s.yaml"), "services:\n  web: nginx\n").unwrap();
    assert_input_error(
        d.path(),
        "s.yaml",
        "s.yaml:2:3: service `web` must be a mapping",
    );
    std::fs::write(d.path().join("l.yaml"), "- a\n- b\n").unwrap();
    assert_input_error(d.path(), "l.yaml", "a Compose file is a mapping");
}

#[test]
fn alias_amplification_repeated_and_nested() {
    let d = tempfile::tempdir().unwrap();
    // A small anchor referenced thousands of times.
    let mut s = String::from("x-a: &a {cap_add: [ALL], privileged: true}\nservices:\n");
    for i in 0..3000 {
        s.push_str(&format!("  s{i}: *a\n"));
    }
    std::fs::write(d.path().join("wide.yaml"), &s).unwrap();
    assert_input_error(d.path(), "wide.yaml", "alias");
    // One big anchor repeated (the case that aborted serde_yaml out of memory).
    let big: Vec<String> = (0..2000).map(|i| format!("k{i}")).collect();
    let mut s = format!("x-big: &big [{}]\nx-use:\n", big.join(", "));
    for i in 0..400 {
        s.push_str(&format!("  u{i}: *big\n"));
    }
    std::fs::write(d.path().join("big.yaml"), &s).unwrap();
    assert_input_error(d.path(), "big.yaml", "alias amplification");
    // Nested ("billion laughs").
    let mut s = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        s.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    s.push_str("services:\n  web:\n    image: x\n    x-bomb: *a9\n");
    std::fs::write(d.path().join("nested.yaml"), &s).unwrap();
    assert_input_error(d.path(), "nested.yaml", "alias amplification");
}

#[test]
fn unreadable_files_and_directories() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join("dir.yaml")).unwrap();
    assert_input_error(d.path(), "dir.yaml", "is a directory");
    std::fs::write(d.path().join("bin.yaml"), [0xff, 0xfe, 0x00, 0x41]).unwrap();
    assert_input_error(d.path(), "bin.yaml", "not UTF-8");
    let (out, _) = harden(d.path(), &["compose", "-f", "missing.yaml", "lint"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.yaml: no such file"));
    // Permission bits only bind a non-root user.
    use std::os::unix::fs::PermissionsExt;
    let p = d.path().join("secret.yaml");
    std::fs::write(&p, "services: {}\n").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&p).is_err() {
        assert_input_error(d.path(), "secret.yaml", "permission denied");
    } else {
        println!("running as root: the permission-denied case cannot be produced here");
    }
}

#[test]
fn empty_and_multi_document_files() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("e.yaml"), "# only a comment\n").unwrap();
    assert_input_error(d.path(), "e.yaml", "empty");
    std::fs::write(d.path().join("m.yaml"), "services: {}\n---\nservices: {}\n").unwrap();
    assert_input_error(d.path(), "m.yaml", "second");
    std::fs::write(
        d.path().join("dup.yaml"),
        "services:\n  a: {image: x}\n  a: {image: y}\n",
    )
    .unwrap();
    assert_input_error(d.path(), "dup.yaml", "dup.yaml:3:3: duplicate key `a`");
}

/// Files that end inside a double-quoted scalar right after a backslash (or inside an escape):
/// libyaml's error, with the file, line and column, no panic.
#[test]
fn file_ending_inside_an_escape() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("c.yaml"),
        "services:\n  web:\n    image: \"abc\\",
    )
    .unwrap();
    assert_input_error(
        d.path(),
        "c.yaml",
        "c.yaml:3:16: found unknown escape character (while parsing a quoted scalar)",
    );
    for (i, text) in [
        "a: \"\\",
        "a: \"x\\u00",
        "a: \"x\\\n",
        "a: 'x\\",
        "- \"\\x4",
    ]
    .iter()
    .enumerate()
    {
        let name = format!("e{i}.yaml");
        std::fs::write(d.path().join(&name), text).unwrap();
        assert_input_error(d.path(), &name, &format!("{name}:"));
    }
}

/// A tag on a mapping or sequence (a `%TAG` handle, a local tag, `!override`, `!!map`): lint
/// reads the file; fix refuses to rewrite it (yamlpath cannot edit such nodes), names the file
/// and line, exits 2 and leaves it as it was.
#[test]
fn tags_on_mappings_and_sequences_are_not_rewritten() {
    let d = tempfile::tempdir().unwrap();
    let files = [
        (
            "tag.yaml",
            "%TAG !e! tag:example.com,2000:\n---\nservices:\n  web: !e!x\n    image: nginx\n",
            "line 4:",
        ),
        (
            "local.yaml",
            "services:\n  web: !x\n    image: nginx\n",
            "line 2:",
        ),
        (
            "core.yaml",
            "services:\n  web: !!map\n    image: nginx\n",
            "line 2:",
        ),
        (
            "seq.yaml",
            "services:\n  web:\n    image: nginx\n    security_opt: !x\n      - label:x\n",
            "line 4:",
        ),
    ];
    for (name, text, line) in files {
        let path = d.path().join(name);
        std::fs::write(&path, text).unwrap();
        for cmd in [
            vec!["compose", "-f", name, "fix"],
            vec!["compose", "-f", name, "fix", "--stdout"],
            vec!["compose", "-f", name, "fix", "--diff"],
        ] {
            let (out, _) = harden(d.path(), &cmd);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{cmd:?}: {stderr}");
            assert!(!stderr.contains("panicked"), "{stderr}");
            assert!(
                stderr.starts_with(&format!("harden: {name}: {line} harden does not rewrite")),
                "{cmd:?}: {stderr}"
            );
            assert!(out.stdout.is_empty(), "{cmd:?}: nothing on stdout");
            assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "unchanged");
        }
        let (out, _) = harden(d.path(), &["compose", "-f", name, "lint"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(1),
            "lint still reads {name}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert_no_temp_files(d.path());
}

/// A value written with Compose's `!override`/`!reset` is not rewritten (yamlpath cannot
/// locate a tagged collection): that change is refused with the reason, the others are made,
/// and tagged values no change touches do not matter.
#[test]
fn merge_tagged_values_are_left_to_the_user() {
    let d = tempfile::tempdir().unwrap();
    let text = "services:\n  base:\n    image: nginx:1\n    profiles: [template]\n  web:\n    extends: base\n    profiles: !reset []\n    cap_drop: !override [NET_RAW]\n    environment: !override\n      A: b\n";
    let stdout = fixed_to_stdout(d.path(), text);
    assert!(
        stdout.contains("cap_drop: !override [NET_RAW]\n"),
        "{stdout}"
    );
    assert!(stdout.contains("read_only: true"), "{stdout}");
    let (out, _) = harden(d.path(), &["compose", "-f", "c.yaml", "lint"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "not fixed automatically: `cap_drop` is written with `!override` at c.yaml:8: harden \
             does not rewrite a value tagged for Compose's merge"
        ),
        "{stdout}"
    );
}

/// A comment after a key with no value, in a service others merge, is fixed (yamlpath 1.26
/// panics on it: `fix` used to crash with exit code 101). The file and its fixed text are
/// valid for Compose v2 (`command:` may be null; checked with `docker compose config -q`).
#[test]
fn comment_after_an_empty_value_in_a_merged_service() {
    let d = tempfile::tempdir().unwrap();
    let text = "services:\n  app: &app  # shared with the worker\n    image: netbox:4\n    command:  # the image's default\n  worker:  # the same image\n    <<: *app\n    command: rqworker\n";
    let stdout = fixed_to_stdout(d.path(), text);
    assert!(
        stdout.starts_with(
            "services:\n  app: &app  # shared with the worker\n    image: netbox:4\n    command:  # the image's default\n    user: \"65534:65534\"\n    read_only: true\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("  worker:  # the same image\n    <<: *app\n    command: rqworker\n    user: \"65534:65534\"\n"),
        "{stdout}"
    );
}

/// A file whose last line is inside a block scalar and has no line break is read (it used to
/// panic in the reader).
#[test]
fn block_scalar_on_the_last_line_without_a_line_break() {
    let d = tempfile::tempdir().unwrap();
    let text = "services:\n  web:\n    image: nginx:1\n    command: |\n      echo hi";
    std::fs::write(d.path().join("c.yaml"), text).unwrap();
    let (out, _) = harden(d.path(), &["compose", "-f", "c.yaml", "config"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("- hi"), "{stdout}");
    let (out, _) = harden(d.path(), &["compose", "-f", "c.yaml", "lint"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// A file with a tag of its own on a mapping is linted, not rewritten: `fix` names the line and
/// the tag (exit 2, the file unchanged), and lint counts nothing as fixable, alone or among
/// other files; a `!` inside text is no tag.
#[test]
fn a_tagged_mapping_is_linted_and_never_rewritten() {
    let d = tempfile::tempdir().unwrap();
    let tagged = "services:\n  web: !custom\n    image: nginx:1\n";
    let plain =
        "services:\n  api:\n    image: nginx:1\n    command: [\"sh\", \"-c\", \"test $$A != b\"]\n";
    std::fs::write(d.path().join("a.yaml"), tagged).unwrap();
    std::fs::write(d.path().join("b.yaml"), plain).unwrap();
    let (out, _) = harden(d.path(), &["compose", "-f", "a.yaml", "fix"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("a.yaml: line 2: harden does not rewrite files with a tag on a mapping or sequence (`!custom`)"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(d.path().join("a.yaml")).unwrap(),
        tagged
    );
    let (out, _) = harden(d.path(), &["compose", "lint", "a.yaml", "b.yaml"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let a = &stdout[..stdout.find("b.yaml").unwrap()];
    let b = &stdout[stdout.find("b.yaml").unwrap()..];
    assert!(!a.contains("= fix:"), "{stdout}");
    assert!(b.contains("= fix:"), "{stdout}");
    fixed_to_stdout(d.path(), plain);
}

/// A process environment variable that is not UTF-8 does not stop Compose commands (it used to
/// panic, exit 101): it is read with U+FFFD for its invalid bytes, and a file that uses it is
/// interpolated with that text.
#[test]
fn a_variable_that_is_not_utf8_in_the_environment() {
    use std::os::unix::ffi::OsStrExt;
    let d = tempfile::tempdir().unwrap();
    let text = "services:\n  web:\n    image: \"nginx:${TAG}\"\n";
    std::fs::write(d.path().join("c.yaml"), text).unwrap();
    for args in [
        &["compose", "-f", "c.yaml", "lint"][..],
        &["compose", "lint", "c.yaml"][..],
        &["compose", "-f", "c.yaml", "config"][..],
    ] {
        let out = common::harden()
            .current_dir(d.path())
            .env(
                std::ffi::OsStr::from_bytes(b"HARDEN_TEST_BYTES"),
                std::ffi::OsStr::from_bytes(b"\xff\xfe"),
            )
            .env("TAG", std::ffi::OsStr::from_bytes(b"1\xff"))
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{args:?}: {stderr}"
        );
        if args.contains(&"config") {
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(stdout.contains("nginx:1\u{fffd}"), "{stdout}");
        }
    }
}
