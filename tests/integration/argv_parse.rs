//! The `docker run` front end against Docker CLI 28.2.2.
//!
//! `fixtures/argv/cli-28.2.2-runs.jsonl` was recorded from the real CLI (`docker run ARGS`
//! against a stub daemon that logs the create body and answers API 1.41 or 1.50); every record
//! is replayed here. The other tests pin single behaviours with literal expectations.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use harden::frontend::argv::{
    ArgvError, Environment, FLAGS, FlagGroup, Parsed, PullPolicy, RunRequest, build_request,
    help_text, lookup_long, parse_args, parse_args_at, to_args, to_args_with,
};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------------------------
// A deterministic environment.

#[derive(Clone)]
struct FakeEnv {
    vars: HashMap<String, String>,
    files: HashMap<PathBuf, Vec<u8>>,
    dirs: Vec<PathBuf>,
    cwd: PathBuf,
    config: Option<Value>,
    host: String,
}

impl FakeEnv {
    /// The environment the fixture was recorded in (cwd `/tmp/argvwork`, `HOME=/root`).
    fn recorded() -> Self {
        let mut files = HashMap::new();
        let mut add = |name: &str, data: &[u8]| {
            files.insert(PathBuf::from("/tmp/argvwork").join(name), data.to_vec());
        };
        add(
            "files/env1",
            b"A=1\n# comment\n  B=two words \nC\nHOME\nQUOTED=\"q\"\n\xef\xbb\xbfX=1\n",
        );
        add("files/env2", b"\xef\xbb\xbfFIRST=1\r\nSECOND=2\n");
        add("files/envbad", b"A=1\nbad key=2\n");
        add("files/envnoname", b"A=1\n=2\n");
        add("files/envutf", b"A=1\nB=\xff\xfe\n");
        add(
            "files/envlong",
            format!("A={}\n", "x".repeat(65534)).as_bytes(),
        );
        add(
            "files/envlong2",
            format!("A={}\n", "x".repeat(65533)).as_bytes(),
        );
        add("files/labels", b"l1=a\nl2\n  l3=c d\n");
        add(
            "files/seccomp.json",
            b"{ \"defaultAction\" : \"SCMP_ACT_ALLOW\",\n \"syscalls\": [] }\n",
        );
        add("files/seccompbad.json", b"{ bad");
        FakeEnv {
            vars: HashMap::from([("HOME".to_string(), "/root".to_string())]),
            files,
            dirs: vec![PathBuf::from("/tmp/argvwork/files/dir")],
            cwd: PathBuf::from("/tmp/argvwork"),
            config: None,
            host: "unix:///var/run/docker.sock".into(),
        }
    }

    fn with_var(mut self, k: &str, v: &str) -> Self {
        self.vars.insert(k.into(), v.into());
        self
    }

    fn with_file(mut self, path: &str, data: &[u8]) -> Self {
        self.files.insert(PathBuf::from(path), data.to_vec());
        self
    }

    fn with_config(mut self, c: Value) -> Self {
        self.config = Some(c);
        self
    }
}

impl Environment for FakeEnv {
    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }
    fn cwd(&self) -> PathBuf {
        self.cwd.clone()
    }
    fn read_file(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        if self.dirs.iter().any(|d| d == path) {
            return Err(std::io::Error::from_raw_os_error(21));
        }
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| std::io::Error::from_raw_os_error(2))
    }
    fn docker_config_json(&self) -> Option<Value> {
        self.config.clone()
    }
    fn daemon_host(&self) -> String {
        self.host.clone()
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers.

fn words(s: &str) -> Vec<String> {
    shell_words::split(s).expect("test args split")
}

/// What `harden run` does with its arguments (`cli::run::parse`): parse for the daemon's API
/// version, then build the create body.
fn parse_run(
    args: &[String],
    env: &dyn Environment,
    api: Option<&str>,
) -> Result<RunRequest, ArgvError> {
    let parsed = parse_args_at(args, api)?;
    build_request(&parsed, env, api)
}

fn run_env(env: &FakeEnv, api: Option<&str>, args: &str) -> Result<RunRequest, ArgvError> {
    parse_run(&words(args), env, api)
}

fn req(args: &str) -> RunRequest {
    match run_env(&FakeEnv::recorded(), None, args) {
        Ok(r) => r,
        Err(e) => panic!("{args}: unexpected error {e:?}"),
    }
}

fn body(args: &str) -> Value {
    req(args).body_json()
}

fn hc(args: &str) -> Value {
    body(args)["HostConfig"].clone()
}

fn fails(args: &str) -> (String, u8) {
    match run_env(&FakeEnv::recorded(), None, args) {
        Ok(_) => panic!("{args}: expected an error"),
        Err(e) => (e.message, e.exit_code),
    }
}

fn fails_at(api: &str, args: &str) -> (String, u8) {
    match run_env(&FakeEnv::recorded(), Some(api), args) {
        Ok(_) => panic!("{args}: expected an error"),
        Err(e) => (e.message, e.exit_code),
    }
}

/// Drops zero values (null, "", 0, false, [], {}) the way the fixture was normalised.
fn norm(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = serde_json::Map::new();
            for (k, x) in m {
                let x = norm(x);
                if !is_zero(&x) {
                    out.insert(k.clone(), x);
                }
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(norm).collect()),
        x => x.clone(),
    }
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

/// docker sends `-e` variables and binds in map order (random): compare them sorted.
fn sort_unordered(v: &mut Value) {
    if let Some(Value::Array(env)) = v.get_mut("Env") {
        env.sort_by_key(|x| x.to_string());
    }
    if let Some(Value::Array(b)) = v.pointer_mut("/HostConfig/Binds") {
        b.sort_by_key(|x| x.to_string());
    }
}

// ---------------------------------------------------------------------------------------------
// The recorded CLI runs.

#[test]
fn replays_every_recorded_cli_run() {
    let data = include_str!("../fixtures/argv/cli-28.2.2-runs.jsonl");
    let env = FakeEnv::recorded();
    let mut failures = Vec::new();
    let mut count = 0;
    for line in data.lines() {
        let rec: Value = serde_json::from_str(line).expect("fixture line");
        let api = rec["api"].as_str().expect("api");
        let args: Vec<String> = serde_json::from_value(rec["args"].clone()).expect("args");
        count += 1;
        let got = parse_run(&args, &env, Some(api));
        match (&rec.get("body"), got) {
            (Some(expected), Ok(r)) => {
                let mut want = (*expected).clone();
                let mut mine = norm(&r.body_json());
                sort_unordered(&mut want);
                sort_unordered(&mut mine);
                if want != mine {
                    failures.push(format!("{args:?}\n  docker: {want}\n  harden: {mine}"));
                }
                let q = &rec["query"];
                if q.get("name").and_then(Value::as_str) != r.client.name.as_deref() {
                    failures.push(format!("{args:?}: name {q}"));
                }
                if let Some(p) = q.get("platform").and_then(Value::as_str)
                    && Some(p) != r.client.platform.as_deref()
                {
                    failures.push(format!("{args:?}: platform {p} vs {:?}", r.client.platform));
                }
            }
            (Some(_), Err(e)) => failures.push(format!("{args:?}: docker ok, harden {e:?}")),
            (None, Ok(_)) => failures.push(format!(
                "{args:?}: docker failed ({}), harden ok",
                rec["error"]
            )),
            (None, Err(e)) => {
                let want = rec["error"].as_str().expect("error");
                let code = rec["code"].as_u64().expect("code");
                if want != e.message || code != u64::from(e.exit_code) {
                    failures.push(format!(
                        "{args:?}\n  docker: {want:?} ({code})\n  harden: {:?} ({})",
                        e.message, e.exit_code
                    ));
                }
            }
        }
    }
    assert!(count > 300, "fixture has {count} runs");
    assert!(
        failures.is_empty(),
        "{} of {count} runs differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// The flag table against `docker run --help`.

#[test]
fn table_has_the_98_flags_of_docker_run_help() {
    let help = include_str!("../fixtures/argv/docker-run-help-28.2.2.txt");
    let listed: Vec<String> = help
        .lines()
        .filter(|l| l.starts_with("  -") || l.starts_with("      --"))
        .filter_map(|l| {
            l.split_whitespace()
                .find(|w| w.starts_with("--"))
                .map(|w| w.trim_start_matches("--").to_string())
        })
        .collect();
    assert_eq!(listed.len(), 98);
    for name in &listed {
        let f = lookup_long(name).unwrap_or_else(|| panic!("--{name} missing from the table"));
        assert!(!f.hidden, "--{name} is listed by docker but marked hidden");
        assert_eq!(f.group, FlagGroup::Docker);
    }
    for f in FLAGS.iter().filter(|f| f.group == FlagGroup::Docker) {
        assert_eq!(
            listed.contains(&f.long.to_string()),
            !f.hidden,
            "--{} hidden={} but docker lists it: {}",
            f.long,
            f.hidden,
            listed.contains(&f.long.to_string())
        );
    }
    for hidden in [
        "annotation",
        "health-start-interval",
        "cpu-count",
        "cpu-percent",
        "io-maxbandwidth",
        "io-maxiops",
        "dns-opt",
        "net",
        "net-alias",
    ] {
        assert!(lookup_long(hidden).is_some_and(|f| f.hidden), "{hidden}");
    }
}

#[test]
fn help_options_are_byte_for_byte_dockers() {
    let docker = include_str!("../fixtures/argv/docker-run-help-28.2.2.txt");
    let docker_opts = docker
        .split_once("Options:\n")
        .map(|x| x.1)
        .expect("Options section");
    let ours = help_text();
    let ours_opts = ours
        .split_once("Options:\n")
        .and_then(|x| x.1.split_once("\nHarden options:\n"))
        .map(|x| x.0)
        .expect("sections");
    assert_eq!(ours_opts, docker_opts);
    assert!(ours.starts_with("Usage:  harden run [OPTIONS] IMAGE [COMMAND] [ARG...]\n"));
    let harden_part = ours.split_once("\nHarden options:\n").expect("harden").1;
    for f in FLAGS.iter().filter(|f| f.group == FlagGroup::Harden) {
        assert!(
            harden_part.contains(&format!("--{} ", f.long)),
            "{}",
            f.long
        );
    }
    assert!(!ours.contains("--net "));
    assert!(!ours.contains("--annotation"));
}

#[test]
fn table_matches_the_live_cli_when_it_is_here() {
    // Without a daemon the CLI cannot hide API-gated or Windows-only flags: it lists 104.
    let Ok(out) = std::process::Command::new("/usr/local/bin/docker")
        .args(["run", "--help"])
        .env_remove("DOCKER_CONTENT_TRUST")
        .env_remove("DOCKER_DEFAULT_PLATFORM")
        .env("DOCKER_HOST", "unix:///nonexistent.sock")
        .output()
    else {
        eprintln!("docker CLI not available: skipping the live comparison");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let mut seen = 0;
    for line in text
        .lines()
        .filter(|l| l.starts_with("  -") || l.starts_with("      --"))
    {
        let words: Vec<&str> = line.split_whitespace().collect();
        let (short, long_at) = if words[0].ends_with(',') {
            (words[0].chars().nth(1), 1)
        } else {
            (None, 0)
        };
        let name = words[long_at].trim_start_matches("--");
        let f = lookup_long(name).unwrap_or_else(|| panic!("live docker lists --{name}"));
        assert_eq!(f.short, short, "--{name}");
        let type_word = words.get(long_at + 1).copied().unwrap_or("");
        if !f.value_name.is_empty() {
            assert_eq!(type_word, f.value_name, "--{name}");
        }
        assert!(
            !f.hidden || f.min_api.is_some() || f.os_only.is_some(),
            "--{name} is hidden for another reason and should not be listed"
        );
        seen += 1;
    }
    if seen > 0 {
        assert_eq!(seen, 104, "flags listed without a daemon");
    }
}

// ---------------------------------------------------------------------------------------------
// Every flag lands where docker puts it. (flag, args before the image, JSON pointer into
// {"body","client","harden"}, expected value)

const EVERY_FLAG: &[(&str, &str, &str, &str)] = &[
    (
        "add-host",
        "--add-host a=::1",
        "/body/HostConfig/ExtraHosts",
        r#"["a:::1"]"#,
    ),
    (
        "allow",
        "--allow no-root --allow caps",
        "/harden/allow",
        r#"["no-root","caps"]"#,
    ),
    (
        "annotation",
        "--annotation a=b --annotation c",
        "/body/HostConfig/Annotations",
        r#"{"a":"b","c":""}"#,
    ),
    ("attach", "-a STDOUT", "/body/AttachStderr", "false"),
    (
        "blkio-weight",
        "--blkio-weight 0x12c",
        "/body/HostConfig/BlkioWeight",
        "300",
    ),
    (
        "blkio-weight-device",
        "--blkio-weight-device /dev/sda:200",
        "/body/HostConfig/BlkioWeightDevice",
        r#"[{"Path":"/dev/sda","Weight":200}]"#,
    ),
    (
        "cap-add",
        "--cap-add net_admin --cap-add CAP_CHOWN --cap-add chown",
        "/body/HostConfig/CapAdd",
        r#"["CAP_CHOWN","CAP_NET_ADMIN"]"#,
    ),
    (
        "cap-drop",
        "--cap-drop all",
        "/body/HostConfig/CapDrop",
        r#"["ALL"]"#,
    ),
    (
        "cgroup-parent",
        "--cgroup-parent /p",
        "/body/HostConfig/CgroupParent",
        r#""/p""#,
    ),
    (
        "cgroupns",
        "--cgroupns host",
        "/body/HostConfig/CgroupnsMode",
        r#""host""#,
    ),
    (
        "cidfile",
        "--cidfile /tmp/cid",
        "/body/HostConfig/ContainerIDFile",
        r#""/tmp/cid""#,
    ),
    ("cpu-count", "", "/body/HostConfig/CpuCount", "0"),
    ("cpu-percent", "", "/body/HostConfig/CpuPercent", "0"),
    (
        "cpu-period",
        "--cpu-period 100000",
        "/body/HostConfig/CpuPeriod",
        "100000",
    ),
    (
        "cpu-quota",
        "--cpu-quota -1",
        "/body/HostConfig/CpuQuota",
        "-1",
    ),
    (
        "cpu-rt-period",
        "--cpu-rt-period 1000",
        "/body/HostConfig/CpuRealtimePeriod",
        "1000",
    ),
    (
        "cpu-rt-runtime",
        "--cpu-rt-runtime 950",
        "/body/HostConfig/CpuRealtimeRuntime",
        "950",
    ),
    ("cpu-shares", "-c 010", "/body/HostConfig/CpuShares", "8"),
    (
        "cpus",
        "--cpus 1.5",
        "/body/HostConfig/NanoCpus",
        "1500000000",
    ),
    (
        "cpuset-cpus",
        "--cpuset-cpus 0-3",
        "/body/HostConfig/CpusetCpus",
        r#""0-3""#,
    ),
    (
        "cpuset-mems",
        "--cpuset-mems 0,1",
        "/body/HostConfig/CpusetMems",
        r#""0,1""#,
    ),
    ("detach", "-d", "/client/detach", "true"),
    (
        "detach-keys",
        "--detach-keys ctrl-a,x",
        "/client/detach_keys",
        r#""ctrl-a,x""#,
    ),
    (
        "device",
        "--device /dev/null:/dev/x:rw",
        "/body/HostConfig/Devices",
        r#"[{"CgroupPermissions":"rw","PathInContainer":"/dev/x","PathOnHost":"/dev/null"}]"#,
    ),
    (
        "device-cgroup-rule",
        "--device-cgroup-rule 'c 1:3 rmw'",
        "/body/HostConfig/DeviceCgroupRules",
        r#"["c 1:3 rmw"]"#,
    ),
    (
        "device-read-bps",
        "--device-read-bps /dev/sda:1mb",
        "/body/HostConfig/BlkioDeviceReadBps",
        r#"[{"Path":"/dev/sda","Rate":1048576}]"#,
    ),
    (
        "device-read-iops",
        "--device-read-iops /dev/sda:1000",
        "/body/HostConfig/BlkioDeviceReadIOps",
        r#"[{"Path":"/dev/sda","Rate":1000}]"#,
    ),
    (
        "device-write-bps",
        "--device-write-bps /dev/sda:10kb",
        "/body/HostConfig/BlkioDeviceWriteBps",
        r#"[{"Path":"/dev/sda","Rate":10240}]"#,
    ),
    (
        "device-write-iops",
        "--device-write-iops /dev/sdb:5",
        "/body/HostConfig/BlkioDeviceWriteIOps",
        r#"[{"Path":"/dev/sdb","Rate":5}]"#,
    ),
    (
        "disable-content-trust",
        "--disable-content-trust=false",
        "/client/disable_content_trust",
        "false",
    ),
    ("dns", "--dns 0:0::1", "/body/HostConfig/Dns", r#"["::1"]"#),
    (
        "dns-opt",
        "--dns-opt ndots:2",
        "/body/HostConfig/DnsOptions",
        r#"["ndots:2"]"#,
    ),
    (
        "dns-option",
        "--dns-option timeout:1",
        "/body/HostConfig/DnsOptions",
        r#"["timeout:1"]"#,
    ),
    (
        "dns-search",
        "--dns-search example.com.",
        "/body/HostConfig/DnsSearch",
        r#"["example.com"]"#,
    ),
    (
        "domainname",
        "--domainname dom",
        "/body/Domainname",
        r#""dom""#,
    ),
    ("dry-run", "--dry-run", "/harden/dry_run", "true"),
    (
        "entrypoint",
        "--entrypoint ''",
        "/body/Entrypoint",
        r#"[""]"#,
    ),
    (
        "env",
        "-e A=1 -e B -e HOME",
        "/body/Env",
        r#"["A=1","B","HOME=/root"]"#,
    ),
    (
        "env-file",
        "--env-file files/env2",
        "/body/Env",
        r#"["FIRST=1","SECOND=2"]"#,
    ),
    ("explain", "--explain", "/harden/explain", "true"),
    (
        "expose",
        "--expose 3000-3001/tcp",
        "/body/ExposedPorts",
        r#"{"3000/tcp":{},"3001/tcp":{}}"#,
    ),
    ("format", "--format json", "/harden/format", r#""json""#),
    (
        "gpus",
        "--gpus all",
        "/body/HostConfig/DeviceRequests",
        r#"[{"Capabilities":[["gpu"]],"Count":-1,"Driver":"","Options":{}}]"#,
    ),
    (
        "group-add",
        "--group-add audio",
        "/body/HostConfig/GroupAdd",
        r#"["audio"]"#,
    ),
    (
        "health-cmd",
        "--health-cmd 'curl -f x'",
        "/body/Healthcheck/Test",
        r#"["CMD-SHELL","curl -f x"]"#,
    ),
    (
        "health-interval",
        "--health-interval 1m30s",
        "/body/Healthcheck/Interval",
        "90000000000",
    ),
    (
        "health-retries",
        "--health-retries 3",
        "/body/Healthcheck/Retries",
        "3",
    ),
    (
        "health-start-interval",
        "--health-start-interval 300ms",
        "/body/Healthcheck/StartInterval",
        "300000000",
    ),
    (
        "health-start-period",
        "--health-start-period 1.5s",
        "/body/Healthcheck/StartPeriod",
        "1500000000",
    ),
    (
        "health-timeout",
        "--health-timeout 2us",
        "/body/Healthcheck/Timeout",
        "2000",
    ),
    ("help", "--help=false", "/body/Image", r#""img""#),
    ("hostname", "-h host1", "/body/Hostname", r#""host1""#),
    ("init", "--init=false", "/body/HostConfig/Init", "false"),
    ("interactive", "-i", "/body/StdinOnce", "true"),
    (
        "io-maxbandwidth",
        "",
        "/body/HostConfig/IOMaximumBandwidth",
        "0",
    ),
    ("io-maxiops", "", "/body/HostConfig/IOMaximumIOps", "0"),
    (
        "ip",
        "--network n1 --ip 10.0.0.2",
        "/body/NetworkingConfig/EndpointsConfig/n1/IPAMConfig/IPv4Address",
        r#""10.0.0.2""#,
    ),
    (
        "ip6",
        "--network n1 --ip6 fd00::2",
        "/body/NetworkingConfig/EndpointsConfig/n1/IPAMConfig/IPv6Address",
        r#""fd00::2""#,
    ),
    (
        "ipc",
        "--ipc shareable",
        "/body/HostConfig/IpcMode",
        r#""shareable""#,
    ),
    (
        "isolation",
        "--isolation default",
        "/body/HostConfig/Isolation",
        r#""default""#,
    ),
    (
        "kernel-memory",
        "--kernel-memory 100m",
        "/body/HostConfig/Memory",
        "0",
    ),
    (
        "label",
        "-l a=b -l c",
        "/body/Labels",
        r#"{"a":"b","c":""}"#,
    ),
    (
        "label-file",
        "--label-file files/labels",
        "/body/Labels",
        r#"{"l1":"a","l3":"c d"}"#,
    ),
    (
        "link",
        "--link other:al",
        "/body/HostConfig/Links",
        r#"["other:al"]"#,
    ),
    (
        "link-local-ip",
        "--network n1 --link-local-ip 169.254.1.1",
        "/body/NetworkingConfig/EndpointsConfig/n1/IPAMConfig/LinkLocalIPs",
        r#"["169.254.1.1"]"#,
    ),
    (
        "log-driver",
        "--log-driver json-file",
        "/body/HostConfig/LogConfig/Type",
        r#""json-file""#,
    ),
    (
        "log-opt",
        "--log-opt max-size=10m --log-opt bare",
        "/body/HostConfig/LogConfig/Config",
        r#"{"bare":"","max-size":"10m"}"#,
    ),
    (
        "mac-address",
        "--mac-address 92:d0:c6:0a:29:33",
        "/body/NetworkingConfig/EndpointsConfig/default/MacAddress",
        r#""92:d0:c6:0a:29:33""#,
    ),
    ("memory", "-m 1.5g", "/body/HostConfig/Memory", "1610612736"),
    (
        "memory-reservation",
        "--memory-reservation '1 g'",
        "/body/HostConfig/MemoryReservation",
        "1073741824",
    ),
    (
        "memory-swap",
        "--memory-swap -1",
        "/body/HostConfig/MemorySwap",
        "-1",
    ),
    (
        "memory-swappiness",
        "--memory-swappiness 0",
        "/body/HostConfig/MemorySwappiness",
        "0",
    ),
    (
        "mount",
        "--mount type=tmpfs,dst=/t,tmpfs-mode=1770",
        "/body/HostConfig/Mounts",
        r#"[{"Target":"/t","TmpfsOptions":{"Mode":1016},"Type":"tmpfs"}]"#,
    ),
    ("name", "--name web", "/client/name", r#""web""#),
    (
        "net",
        "--net n1 --network-alias a",
        "/body/HostConfig/NetworkMode",
        r#""n1""#,
    ),
    (
        "net-alias",
        "--network n1 --net-alias a",
        "/body/NetworkingConfig/EndpointsConfig/n1/Aliases",
        r#"["a"]"#,
    ),
    (
        "network",
        "--network name=n1,alias=A2",
        "/body/NetworkingConfig/EndpointsConfig/n1/Aliases",
        r#"["a2"]"#,
    ),
    (
        "network-alias",
        "--network n1 --network-alias web",
        "/body/NetworkingConfig/EndpointsConfig/n1/Aliases",
        r#"["web"]"#,
    ),
    ("no-harden", "--no-harden", "/harden/no_harden", "true"),
    (
        "no-healthcheck",
        "--no-healthcheck",
        "/body/Healthcheck",
        r#"{"Test":["NONE"]}"#,
    ),
    (
        "oom-kill-disable",
        "--oom-kill-disable",
        "/body/HostConfig/OomKillDisable",
        "true",
    ),
    (
        "oom-score-adj",
        "--oom-score-adj -500",
        "/body/HostConfig/OomScoreAdj",
        "-500",
    ),
    (
        "pid",
        "--pid container:x",
        "/body/HostConfig/PidMode",
        r#""container:x""#,
    ),
    (
        "pids-limit",
        "--pids-limit 100",
        "/body/HostConfig/PidsLimit",
        "100",
    ),
    (
        "platform",
        "--platform linux/x86_64",
        "/client/platform",
        r#""linux/amd64""#,
    ),
    ("preset", "--preset strict", "/harden/preset", r#""strict""#),
    (
        "privileged",
        "--privileged",
        "/body/HostConfig/Privileged",
        "true",
    ),
    (
        "publish",
        "-p [::1]:5353:53/udp",
        "/body/HostConfig/PortBindings",
        r#"{"53/udp":[{"HostIp":"::1","HostPort":"5353"}]}"#,
    ),
    (
        "publish-all",
        "-P",
        "/body/HostConfig/PublishAllPorts",
        "true",
    ),
    ("pull", "--pull never", "/client/pull", r#""never""#),
    ("quiet", "-q", "/client/quiet", "true"),
    (
        "read-only",
        "--read-only",
        "/body/HostConfig/ReadonlyRootfs",
        "true",
    ),
    (
        "restart",
        "--restart on-failure:3",
        "/body/HostConfig/RestartPolicy",
        r#"{"MaximumRetryCount":3,"Name":"on-failure"}"#,
    ),
    ("review", "--review", "/harden/review", "true"),
    ("watch", "--watch 1.5s", "/harden/watch", "1500000000"),
    (
        "trust-project",
        "--trust-project",
        "/harden/trust_project",
        "true",
    ),
    ("rm", "--rm", "/body/HostConfig/AutoRemove", "true"),
    (
        "runtime",
        "--runtime runc",
        "/body/HostConfig/Runtime",
        r#""runc""#,
    ),
    (
        "security-opt",
        "--security-opt systempaths=unconfined --security-opt label:disable",
        "/body/HostConfig/SecurityOpt",
        r#"["label:disable"]"#,
    ),
    (
        "shm-size",
        "--shm-size 64m",
        "/body/HostConfig/ShmSize",
        "67108864",
    ),
    (
        "sig-proxy",
        "--sig-proxy=false",
        "/client/sig_proxy",
        "false",
    ),
    (
        "stop-signal",
        "--stop-signal USR1",
        "/body/StopSignal",
        r#""USR1""#,
    ),
    ("stop-timeout", "--stop-timeout 0", "/body/StopTimeout", "0"),
    (
        "storage-opt",
        "--storage-opt size=10G",
        "/body/HostConfig/StorageOpt",
        r#"{"size":"10G"}"#,
    ),
    (
        "sysctl",
        "--sysctl net.ipv4.ip_forward=1 --sysctl net.ipv4.ip_forward=0",
        "/body/HostConfig/Sysctls",
        r#"{"net.ipv4.ip_forward":"0"}"#,
    ),
    (
        "tmpfs",
        "--tmpfs /run:rw,size=64m --tmpfs /tmp",
        "/body/HostConfig/Tmpfs",
        r#"{"/run":"rw,size=64m","/tmp":""}"#,
    ),
    ("tty", "-t", "/body/Tty", "true"),
    (
        "ulimit",
        "--ulimit nproc=100 --ulimit core=-1",
        "/body/HostConfig/Ulimits",
        r#"[{"Hard":-1,"Name":"core","Soft":-1},{"Hard":100,"Name":"nproc","Soft":100}]"#,
    ),
    (
        "use-api-socket",
        "--use-api-socket",
        "/body/HostConfig/Mounts",
        r#"[{"BindOptions":{},"Source":"/var/run/docker.sock","Target":"/var/run/docker.sock","Type":"bind"}]"#,
    ),
    ("user", "-u 1000:1000", "/body/User", r#""1000:1000""#),
    (
        "userns",
        "--userns host",
        "/body/HostConfig/UsernsMode",
        r#""host""#,
    ),
    ("uts", "--uts host", "/body/HostConfig/UTSMode", r#""host""#),
    (
        "volume",
        "-v ./d:/b:ro -v /data",
        "/body/HostConfig/Binds",
        r#"["/tmp/argvwork/d:/b:ro"]"#,
    ),
    (
        "volume-driver",
        "--volume-driver local",
        "/body/HostConfig/VolumeDriver",
        r#""local""#,
    ),
    (
        "volumes-from",
        "--volumes-from c1:ro",
        "/body/HostConfig/VolumesFrom",
        r#"["c1:ro"]"#,
    ),
    ("workdir", "-w /work", "/body/WorkingDir", r#""/work""#),
];

fn everything(r: &RunRequest) -> Value {
    let c = &r.client;
    json!({
        "body": r.body_json(),
        "client": {
            "rm": c.rm, "detach": c.detach, "interactive": c.interactive, "tty": c.tty,
            "attach": c.attach,
            "pull": match c.pull { PullPolicy::Always => "always", PullPolicy::Missing => "missing", PullPolicy::Never => "never" },
            "quiet": c.quiet, "cidfile": c.cidfile, "detach_keys": c.detach_keys,
            "sig_proxy": c.sig_proxy, "disable_content_trust": c.disable_content_trust,
            "use_api_socket": c.use_api_socket, "name": c.name, "platform": c.platform,
        },
        "harden": {
            "preset": r.harden.preset, "allow": r.harden.allow, "explain": r.harden.explain,
            "dry_run": r.harden.dry_run, "format": r.harden.format,
            "no_harden": r.harden.no_harden, "review": r.harden.review,
            "watch": r.harden.watch, "trust_project": r.harden.trust_project,
        },
    })
}

#[test]
fn every_flag_sets_its_field() {
    let mut failures = Vec::new();
    for (flag, args, pointer, expected) in EVERY_FLAG {
        let line = format!("{args} img");
        let r = match run_env(&FakeEnv::recorded(), None, &line) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("--{flag}: {line}: {e:?}"));
                continue;
            }
        };
        let all = everything(&r);
        let got = all.pointer(pointer).cloned().unwrap_or(Value::Null);
        let want: Value = serde_json::from_str(expected).expect("expected JSON");
        if got != want {
            failures.push(format!("--{flag}: {line}: {pointer} = {got}, want {want}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_flag_of_the_table_is_covered() {
    for f in FLAGS {
        assert!(
            EVERY_FLAG.iter().any(|(name, ..)| *name == f.long),
            "--{} has no case in EVERY_FLAG",
            f.long
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Grammar.

#[test]
fn interspersed_parsing_is_off() {
    let p = parse_args(&words("--rm img ls -la --rm")).unwrap();
    assert_eq!(p.image, "img");
    assert_eq!(p.command, words("ls -la --rm"));
    assert_eq!(p.occurrences.len(), 1);
    let b = body("--rm img ls -la --rm");
    assert_eq!(b["Cmd"], json!(["ls", "-la", "--rm"]));
}

#[test]
fn double_dash_and_lone_dash() {
    let p = parse_args(&words("--rm -- -x y")).unwrap();
    assert_eq!((p.image.as_str(), p.image_index), ("-x", 2));
    let p = parse_args(&words("- --y")).unwrap();
    assert_eq!((p.image.as_str(), p.command.clone()), ("-", words("--y")));
    assert_eq!(
        fails("--"),
        ("'docker run' requires at least 1 argument".into(), 1)
    );
    assert_eq!(
        fails("-- --x").0,
        "invalid reference format",
        "the image after -- is taken literally"
    );
}

#[test]
fn shorthand_clusters() {
    let p = parse_args(&words("-itp 80:80 -p8080:81 -p=9:9 -e=X=1 img")).unwrap();
    let got: Vec<(&str, Option<&str>, usize, &str)> = p
        .occurrences
        .iter()
        .map(|o| (o.flag.long, o.value.as_deref(), o.index, o.written.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("interactive", None, 0, "-i"),
            ("tty", None, 0, "-t"),
            ("publish", Some("80:80"), 0, "-p"),
            ("publish", Some("8080:81"), 2, "-p"),
            ("publish", Some("9:9"), 3, "-p"),
            ("env", Some("X=1"), 4, "-e"),
        ]
    );
    assert_eq!(body("-ite FOO=1 img")["Env"], json!(["FOO=1"]));
    assert_eq!(body("-t=false img")["Tty"], json!(false));
    // -h is --hostname, not help
    assert_eq!(body("-h box img")["Hostname"], json!("box"));
}

#[test]
fn booleans_take_no_separate_argument() {
    let p = parse_args(&words("--rm false")).unwrap();
    assert_eq!(p.image, "false");
    for (lit, val) in [
        ("1", true),
        ("t", true),
        ("T", true),
        ("TRUE", true),
        ("true", true),
        ("True", true),
        ("0", false),
        ("f", false),
        ("F", false),
        ("FALSE", false),
        ("false", false),
        ("False", false),
    ] {
        assert_eq!(
            hc(&format!("--rm={lit} img"))["AutoRemove"],
            json!(val),
            "{lit}"
        );
    }
    assert_eq!(
        fails("--rm=yes img"),
        (
            "invalid argument \"yes\" for \"--rm\" flag: strconv.ParseBool: parsing \"yes\": invalid syntax"
                .into(),
            125
        )
    );
    assert_eq!(
        fails("-i=maybe img").0,
        "invalid argument \"maybe\" for \"-i, --interactive\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax"
    );
}

#[test]
fn grammar_errors_have_dockers_words() {
    for (args, msg) in [
        ("--bogus img", "unknown flag: --bogus"),
        ("-x img", "unknown shorthand flag: 'x' in -x"),
        ("-ix img", "unknown shorthand flag: 'x' in -x"),
        ("-é img", "unknown shorthand flag: 'Ã' in -é"),
        ("--cap_add x img", "unknown flag: --cap_add"),
        ("--publ 80 img", "unknown flag: --publ"),
        ("---x img", "bad flag syntax: ---x"),
        ("--=x img", "bad flag syntax: --=x"),
        ("--name", "flag needs an argument: --name"),
        ("-p", "flag needs an argument: 'p' in -p"),
        ("-ip", "flag needs an argument: 'p' in -p"),
    ] {
        let (m, code) = fails(args);
        assert_eq!((m.as_str(), code), (msg, 125), "{args}");
        let e = parse_args(&words(args)).unwrap_err();
        assert!(e.show_usage, "{args}");
    }
    let (m, code) = fails("");
    assert_eq!(
        (m.as_str(), code),
        ("'docker run' requires at least 1 argument", 1)
    );
}

#[test]
fn help_needs_no_image() {
    let p = parse_args(&words("--help")).unwrap();
    assert!(p.help_requested());
    let p = parse_args(&words("--rm --help=true")).unwrap();
    assert!(p.help_requested());
    assert!(parse_args(&words("--help=false")).is_err());
}

#[test]
fn integers_detect_their_base_and_range() {
    for (v, want) in [
        ("0x10", 16),
        ("0X10", 16),
        ("010", 8),
        ("0o10", 8),
        ("0b101", 5),
        ("1_000", 1000),
        ("-0x10", -16),
        ("+5", 5),
    ] {
        assert_eq!(
            hc(&format!("--cpu-shares={v} img"))["CpuShares"],
            json!(want),
            "{v}"
        );
    }
    for v in ["1__0", "_1", "1_", "08", "0x", "abc", "1.5", ""] {
        assert_eq!(
            fails(&format!("-c '{v}' img")).0,
            format!(
                "invalid argument \"{v}\" for \"-c, --cpu-shares\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax"
            ),
        );
    }
    assert_eq!(
        fails("-c 9223372036854775808 img").0,
        "invalid argument \"9223372036854775808\" for \"-c, --cpu-shares\" flag: strconv.ParseInt: parsing \"9223372036854775808\": value out of range"
    );
    assert_eq!(
        hc("-c -9223372036854775808 img")["CpuShares"],
        json!(i64::MIN)
    );
    // uint16 and uint64
    assert_eq!(hc("--blkio-weight 65535 img")["BlkioWeight"], json!(65535));
    assert_eq!(
        fails("--blkio-weight 65536 img").0,
        "invalid argument \"65536\" for \"--blkio-weight\" flag: strconv.ParseUint: parsing \"65536\": value out of range"
    );
    assert_eq!(
        fails("--blkio-weight -1 img").0,
        "invalid argument \"-1\" for \"--blkio-weight\" flag: strconv.ParseUint: parsing \"-1\": invalid syntax"
    );
    assert_eq!(hc("--stop-timeout 0x0a img")["Hostname"], Value::Null);
    assert_eq!(body("--stop-timeout 0x0a img")["StopTimeout"], json!(10));
}

#[test]
fn durations_follow_go() {
    for (v, ns) in [
        ("1h30m", 5_400_000_000_000i64),
        ("300ms", 300_000_000),
        ("1.5s", 1_500_000_000),
        ("2us", 2_000),
        ("2µs", 2_000),
        ("2μs", 2_000),
        ("1m0.5s", 60_500_000_000),
        (".5s", 500_000_000),
        ("1h1ns", 3_600_000_000_001),
    ] {
        assert_eq!(
            body(&format!("--health-interval {v} img"))["Healthcheck"]["Interval"],
            json!(ns),
            "{v}"
        );
    }
    // 0 needs no unit and sends no healthcheck at all.
    assert_eq!(body("--health-interval 0 img").get("Healthcheck"), None);
    for (v, why) in [
        ("5", "time: missing unit in duration \"5\""),
        ("5x", "time: unknown unit \"x\" in duration \"5x\""),
        ("", "time: invalid duration \"\""),
        ("s", "time: invalid duration \"s\""),
        ("1.s.", "time: invalid duration \"1.s.\""),
        (
            "5µ",
            "time: unknown unit \"\\xc2\\xb5\" in duration \"5\\xc2\\xb5\"",
        ),
    ] {
        assert_eq!(
            fails(&format!("--health-timeout '{v}' img")).0,
            format!(
                "invalid argument {} for \"--health-timeout\" flag: {why}",
                serde_json::to_string(v).unwrap()
            ),
            "{v}"
        );
    }
    assert_eq!(
        fails("--health-interval=-1s img"),
        ("--health-interval cannot be negative".into(), 125)
    );
}

#[test]
fn byte_units_are_binary() {
    for (v, n) in [
        ("1g", 1_073_741_824i64),
        ("1gb", 1_073_741_824),
        ("1GiB", 1_073_741_824),
        ("1 g", 1_073_741_824),
        ("512m", 536_870_912),
        ("1.5g", 1_610_612_736),
        ("10kb", 10_240),
        ("10KiB", 10_240),
        ("100b", 100),
        ("100", 100),
        ("1t", 1_099_511_627_776),
        ("0.5k", 512),
    ] {
        assert_eq!(hc(&format!("-m '{v}' img"))["Memory"], json!(n), "{v}");
    }
    for (v, why) in [
        ("abc", "invalid size: 'abc'"),
        ("1x", "invalid suffix: 'x'"),
        ("1kx", "invalid suffix: 'kx'"),
        ("1KIBB", "invalid suffix: 'KIBB'"),
        ("1bb", "invalid suffix: 'bb'"),
        ("-1", "invalid size: '-1'"),
        ("1  g", "strconv.ParseFloat: parsing \"1 \": invalid syntax"),
        (
            "1..5",
            "strconv.ParseFloat: parsing \"1..5\": invalid syntax",
        ),
    ] {
        assert_eq!(
            fails(&format!("-m '{v}' img")).0,
            format!("invalid argument \"{v}\" for \"-m, --memory\" flag: {why}"),
        );
    }
    assert_eq!(hc("--memory-swap -1 img")["MemorySwap"], json!(-1));
    assert_eq!(
        fails("--shm-size -1 img").0,
        "invalid argument \"-1\" for \"--shm-size\" flag: invalid size: '-1'"
    );
}

#[test]
fn cpus_are_exact_rationals() {
    for (v, n) in [
        ("1.5", 1_500_000_000i64),
        ("3/2", 1_500_000_000),
        ("1e-3", 1_000_000),
        ("0.25", 250_000_000),
        ("2", 2_000_000_000),
        ("0.000000001", 1),
    ] {
        assert_eq!(hc(&format!("--cpus {v} img"))["NanoCpus"], json!(n), "{v}");
    }
    assert_eq!(
        fails("--cpus 1e-10 img").0,
        "invalid argument \"1e-10\" for \"--cpus\" flag: value is too precise"
    );
    assert_eq!(
        fails("--cpus abc img").0,
        "invalid argument \"abc\" for \"--cpus\" flag: failed to parse abc as a rational number"
    );
}

// ---------------------------------------------------------------------------------------------
// Ports.

#[test]
fn publish_short_syntax() {
    let cases: &[(&str, Value)] = &[
        (
            "80:80",
            json!({"80/tcp": [{"HostIp": "", "HostPort": "80"}]}),
        ),
        (
            "7000",
            json!({"7000/tcp": [{"HostIp": "", "HostPort": ""}]}),
        ),
        (
            "127.0.0.1::6000",
            json!({"6000/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}]}),
        ),
        (
            "[::1]:5353:53/udp",
            json!({"53/udp": [{"HostIp": "::1", "HostPort": "5353"}]}),
        ),
        (
            "::1:7777:77",
            json!({"77/tcp": [{"HostIp": "::1", "HostPort": "7777"}]}),
        ),
        (
            "[2001:db8::1]:80:80",
            json!({"80/tcp": [{"HostIp": "2001:db8::1", "HostPort": "80"}]}),
        ),
        (
            "8000-8010:80",
            json!({"80/tcp": [{"HostIp": "", "HostPort": "8000-8010"}]}),
        ),
        (
            "127.0.0.1:9000-9001:9000-9001/udp",
            json!({"9000/udp": [{"HostIp": "127.0.0.1", "HostPort": "9000"}],
                   "9001/udp": [{"HostIp": "127.0.0.1", "HostPort": "9001"}]}),
        ),
        (
            "9000-9001",
            json!({"9000/tcp": [{"HostIp": "", "HostPort": ""}], "9001/tcp": [{"HostIp": "", "HostPort": ""}]}),
        ),
        (
            "80/TCP",
            json!({"80/tcp": [{"HostIp": "", "HostPort": ""}]}),
        ),
        (
            "81/Sctp",
            json!({"81/sctp": [{"HostIp": "", "HostPort": ""}]}),
        ),
        (
            "0080:080",
            json!({"80/tcp": [{"HostIp": "", "HostPort": "80"}]}),
        ),
        (
            "[]:80:80",
            json!({"80/tcp": [{"HostIp": "", "HostPort": "80"}]}),
        ),
    ];
    for (spec, want) in cases {
        assert_eq!(
            &hc(&format!("-p '{spec}' img"))["PortBindings"],
            want,
            "{spec}"
        );
    }
    let b = body("-p 8080:80 -p 8000-8010:80 img");
    assert_eq!(
        b["HostConfig"]["PortBindings"],
        json!({"80/tcp": [{"HostIp": "", "HostPort": "8080"}, {"HostIp": "", "HostPort": "8000-8010"}]})
    );
    assert_eq!(b["ExposedPorts"], json!({"80/tcp": {}}));
}

#[test]
fn publish_long_syntax() {
    assert_eq!(
        hc("-p published=8888,target=88,protocol=sctp img")["PortBindings"],
        json!({"88/sctp": [{"HostIp": "", "HostPort": "8888"}]})
    );
    assert_eq!(
        hc("-p target=80,mode=host,host_ip=1.2.3.4 img")["PortBindings"],
        json!({"80/tcp": [{"HostIp": "", "HostPort": ""}]})
    );
    assert_eq!(
        fails("-p published=8888,bad img"),
        (
            "invalid publish opts format (should be name=value but got 'bad')".into(),
            125
        )
    );
}

#[test]
fn publish_errors() {
    for (spec, msg) in [
        ("80/xyz", "invalid proto: xyz"),
        ("70000:80", "invalid hostPort: 70000"),
        ("80:70000", "invalid containerPort: 70000"),
        ("1.2.3:80:80", "invalid IP address: 1.2.3"),
        ("host.example:80:80", "invalid IP address: host.example"),
        (
            "80-82:8000-8001",
            "invalid ranges specified for container and host Ports: 8000-8001 and 80-82",
        ),
        (":", "no port specified: :<empty>"),
        ("80:", "no port specified: 80:<empty>"),
        (
            "[::1:80:80",
            "invalid IP address [::1: address [::1:: missing ']' in address",
        ),
        ("5-3", "invalid containerPort: 5-3"),
    ] {
        assert_eq!(
            fails(&format!("-p '{spec}' img")),
            (msg.to_string(), 125),
            "{spec}"
        );
    }
}

#[test]
fn expose_keeps_protocol_case_and_expands_ranges() {
    assert_eq!(
        body("--expose 80 --expose 3000-3001/tcp --expose 53/UDP -p 80:80 img")["ExposedPorts"],
        json!({"80/tcp": {}, "3000/tcp": {}, "3001/tcp": {}, "53/UDP": {}})
    );
    assert_eq!(
        fails("--expose 1:2 img").0,
        "invalid port format for --expose: 1:2"
    );
    assert_eq!(
        fails("--expose 5-3 img").0,
        "invalid range format for --expose: 5-3, error: invalid range specified for port: 5-3"
    );
    assert_eq!(
        fails("--expose abc img").0,
        "invalid range format for --expose: abc, error: strconv.ParseUint: parsing \"abc\": invalid syntax"
    );
}

// ---------------------------------------------------------------------------------------------
// Volumes, mounts, tmpfs.

#[test]
fn volume_split_rules() {
    let b = body(
        "-v /data -v ab -v a:b -v myvol:/named -v /h:/b1:ro,Z -v ./hostdir:/b2:rshared -v ../x:/y -v .:/z -v /h:/b1:ro,Z -v x::y img",
    );
    assert_eq!(b["Volumes"], json!({"/data": {}, "ab": {}, "a:b": {}}));
    assert_eq!(
        b["HostConfig"]["Binds"],
        json!([
            "myvol:/named",
            "/h:/b1:ro,Z",
            "/tmp/argvwork/hostdir:/b2:rshared",
            "/tmp/x:/y",
            "/tmp/argvwork:/z",
            "x::y"
        ])
    );
    // `~` is not expanded: it reaches the daemon as a volume name.
    assert_eq!(hc("-v ~/x:/y img")["Binds"], json!(["~/x:/y"]));
    assert_eq!(
        fails("-v /x::y img").0,
        "invalid spec: /x::y: empty section between colons"
    );
    assert_eq!(
        fails("-v vol:/x:ro:z img").0,
        "invalid spec: vol:/x:ro:z: too many colons"
    );
    assert_eq!(fails("-v '' img").0, "invalid empty volume spec");
}

#[test]
fn mount_csv() {
    let m = |args: &str| hc(&format!("{args} img"))["Mounts"][0].clone();
    assert_eq!(
        m(
            "--mount type=volume,source=mv,target=/m2,volume-driver=local,volume-opt=type=tmpfs,volume-opt=device=tmpfs,volume-label=a=b,volume-nocopy"
        ),
        json!({"Type":"volume","Source":"mv","Target":"/m2","VolumeOptions":{"NoCopy":true,"Labels":{"a":"b"},"DriverConfig":{"Name":"local","Options":{"type":"tmpfs","device":"tmpfs"}}}})
    );
    assert_eq!(
        m("--mount Type=Bind,Source=./x,Target=/b,RO=true,bind-propagation=RSHARED"),
        json!({"Type":"bind","Source":"/tmp/argvwork/x","Target":"/b","ReadOnly":true,"BindOptions":{"Propagation":"rshared"}})
    );
    assert_eq!(
        m("--mount type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=1770"),
        json!({"Type":"tmpfs","Target":"/t","TmpfsOptions":{"SizeBytes":67108864,"Mode":1016}})
    );
    assert_eq!(
        m("--mount target=/x"),
        json!({"Type":"volume","Target":"/x"})
    );
    assert_eq!(
        m(r#"--mount 'type=volume,dst=/x,"volume-opt=o=addr=1.2.3.4,rw"'"#),
        json!({"Type":"volume","Target":"/x","VolumeOptions":{"Labels":{},"DriverConfig":{"Options":{"o":"addr=1.2.3.4,rw"}}}})
    );
    assert_eq!(
        m("--mount type=bind,src=/a,dst=/b,bind-recursive=readonly,ro,bind-propagation=rprivate"),
        json!({"Type":"bind","Source":"/a","Target":"/b","ReadOnly":true,"BindOptions":{"Propagation":"rprivate","ReadOnlyForceRecursive":true}})
    );
    assert_eq!(
        m("--mount type=bind,src=/a,dst=/b,bind-recursive=disabled,consistency=CACHED"),
        json!({"Type":"bind","Source":"/a","Target":"/b","Consistency":"cached","BindOptions":{"NonRecursive":true}})
    );
    assert_eq!(
        m("--mount type=image,src=img,dst=/b,image-subpath=x"),
        json!({"Type":"image","Source":"img","Target":"/b","ImageOptions":{"Subpath":"x"}})
    );
    // Values bollard's enums cannot hold still reach the body as typed.
    assert_eq!(
        m("--mount type=foo,dst=/b"),
        json!({"Type":"foo","Target":"/b"})
    );
    assert_eq!(
        m("--mount type=bind,src=/a,dst=/b,bind-propagation=weird"),
        json!({"Type":"bind","Source":"/a","Target":"/b","BindOptions":{"Propagation":"weird"}})
    );
}

#[test]
fn mount_errors() {
    let e = |spec: &str| fails(&format!("--mount '{spec}' img")).0;
    let inv = |spec: &str, why: &str| {
        format!(
            "invalid argument \"{}\" for \"--mount\" flag: {why}",
            spec.replace('"', "\\\"")
        )
    };
    for (spec, why) in [
        ("foo=bar,dst=/x", "unexpected key 'foo' in 'foo=bar'"),
        ("Foo=bar,dst=/x", "unexpected key 'foo' in 'Foo=bar'"),
        (
            "bogus,dst=/x",
            "invalid field 'bogus' must be a key=value pair",
        ),
        ("type=,dst=/x", "type is required"),
        ("type=bind,src=/a", "target is required"),
        (
            "type=tmpfs,dst=/x,tmpfs-mode=9",
            "invalid value for tmpfs-mode: 9",
        ),
        (
            "type=tmpfs,dst=/x,tmpfs-size=1x",
            "invalid value for tmpfs-size: 1x",
        ),
        (
            "type=volume,dst=/x,readonly=maybe",
            "invalid value for readonly: maybe",
        ),
        (
            "type=volume,dst=/x,volume-nocopy=2",
            "invalid value for volume-nocopy: 2",
        ),
        (
            "type=tmpfs,dst=/b,volume-nocopy",
            "cannot mix 'volume-*' options with mount type 'tmpfs'",
        ),
        (
            "type=volume,dst=/b,tmpfs-size=1m",
            "cannot mix 'tmpfs-*' options with mount type 'volume'",
        ),
        (
            "type=volume,dst=/b,bind-propagation=shared",
            "cannot mix 'bind-*' options with mount type 'volume'",
        ),
        (
            "type=bind,dst=/b,image-subpath=x",
            "cannot mix 'image-*' options with mount type 'bind'",
        ),
        (
            "type=bind,src=/a,dst=/b,bind-recursive=bad",
            "invalid value for bind-recursive: bad (must be \"enabled\", \"disabled\", \"writable\", or \"readonly\")",
        ),
        (
            "type=bind,src=/a,dst=/b,bind-recursive=writable",
            "option 'bind-recursive=writable' requires 'readonly' to be specified in conjunction",
        ),
        (
            "type=bind,src=/a,dst=/b,bind-recursive=readonly,ro",
            "option 'bind-recursive=readonly' requires 'bind-propagation=rprivate' to be specified in conjunction",
        ),
        (
            "type=bind,src=a\"b,dst=/x",
            "parse error on line 1, column 16: bare \" in non-quoted-field",
        ),
        (
            "\"type=bind",
            "parse error on line 1, column 11: extraneous or missing \" in quoted-field",
        ),
        ("", "EOF"),
    ] {
        assert_eq!(e(spec), inv(spec, why), "{spec}");
    }
    assert_eq!(
        fails_at(
            "1.41",
            "--mount type=bind,src=/a,dst=/b,bind-recursive=readonly,ro,bind-propagation=rprivate img"
        ),
        (
            "bind-recursive=readonly requires API v1.44 or later".into(),
            125
        )
    );
}

#[test]
fn tmpfs_splits_at_the_first_colon() {
    assert_eq!(
        hc("--tmpfs /run --tmpfs /tmp:rw,size=64m,mode=1777 --tmpfs /run:exec --tmpfs /a:b:c img")
            ["Tmpfs"],
        json!({"/run": "exec", "/tmp": "rw,size=64m,mode=1777", "/a": "b:c"})
    );
}

// ---------------------------------------------------------------------------------------------
// Devices, GPUs, block IO, ulimits.

#[test]
fn devices_and_cdi() {
    let h = hc(
        "--device vendor.com/gpu=0 --device /dev/null:rw --device /dev/zero --device /dev/a:/dev/x/../b --device nvidia.com/gpu=all img",
    );
    assert_eq!(
        h["Devices"],
        json!([
            {"PathOnHost": "/dev/null", "PathInContainer": "/dev/null", "CgroupPermissions": "rw"},
            {"PathOnHost": "/dev/zero", "PathInContainer": "/dev/zero", "CgroupPermissions": "rwm"},
            {"PathOnHost": "/dev/a", "PathInContainer": "/dev/b", "CgroupPermissions": "rwm"},
        ])
    );
    assert_eq!(
        h["DeviceRequests"],
        json!([{"Driver": "cdi", "Count": 0, "DeviceIDs": ["vendor.com/gpu=0", "nvidia.com/gpu=all"]}])
    );
    for (spec, msg) in [
        ("/dev/null:relative", "relative is not an absolute path"),
        ("/dev/a:/dev/b:rwx", "bad mode specified: rwx"),
        ("a:b:c:d", "bad format for path: a:b:c:d"),
        (":x", "bad format for path: :x"),
    ] {
        assert_eq!(fails(&format!("--device {spec} img")).0, msg);
    }
    assert_eq!(
        fails("--device-cgroup-rule 'x 1:3 r' img").0,
        "invalid argument \"x 1:3 r\" for \"--device-cgroup-rule\" flag: invalid device cgroup format 'x 1:3 r'"
    );
    assert_eq!(
        hc("--device-cgroup-rule 'b *:* r' img")["DeviceCgroupRules"],
        json!(["b *:* r"])
    );
}

#[test]
fn gpus_csv_and_its_quoting_trap() {
    let g = |spec: &str| hc(&format!("--gpus '{spec}' img"))["DeviceRequests"].clone();
    assert_eq!(
        g("device=0,1"),
        json!([{"Driver":"","Count":1,"DeviceIDs":["0"],"Capabilities":[["gpu"]],"Options":{}}])
    );
    assert_eq!(
        g("\"device=0,1\""),
        json!([{"Driver":"","Count":0,"DeviceIDs":["0","1"],"Capabilities":[["gpu"]],"Options":{}}])
    );
    assert_eq!(
        g("\"capabilities=compute,utility\",count=2,driver=nvidia,\"options=a=b,c=d\""),
        json!([{"Driver":"nvidia","Count":2,"Capabilities":[["compute","utility","gpu"]],"Options":{"a":"b","c":"d"}}])
    );
    assert_eq!(
        hc("--gpus 2 --gpus driver=x img")["DeviceRequests"],
        json!([
            {"Driver":"","Count":2,"Capabilities":[["gpu"]],"Options":{}},
            {"Driver":"x","Count":1,"Capabilities":[["gpu"]],"Options":{}}
        ])
    );
    let inv =
        |spec: &str, why: &str| format!("invalid argument \"{spec}\" for \"--gpus\" flag: {why}");
    assert_eq!(
        fails("--gpus all,count=2 img").0,
        inv(
            "all,count=2",
            "gpu request key 'count' can be specified only once"
        )
    );
    assert_eq!(
        fails("--gpus count=x img").0,
        inv(
            "count=x",
            "invalid count (x): value must be either \"all\" or an integer: invalid syntax"
        )
    );
    assert_eq!(
        fails("--gpus foo=bar img").0,
        inv("foo=bar", "unexpected key 'foo' in 'foo=bar'")
    );
}

#[test]
fn block_io() {
    let h = hc(
        "--blkio-weight 300 --blkio-weight-device /dev/sda:0 --device-read-bps /dev/sda:1.5k --device-read-iops /dev/sda:16 img",
    );
    assert_eq!(h["BlkioWeight"], json!(300));
    assert_eq!(
        h["BlkioWeightDevice"],
        json!([{"Path": "/dev/sda", "Weight": 0}])
    );
    assert_eq!(
        h["BlkioDeviceReadBps"],
        json!([{"Path": "/dev/sda", "Rate": 1536}])
    );
    assert_eq!(
        h["BlkioDeviceReadIOps"],
        json!([{"Path": "/dev/sda", "Rate": 16}])
    );
    let inv = |flag: &str, v: &str, why: &str| {
        format!("invalid argument \"{v}\" for \"--{flag}\" flag: {why}")
    };
    assert_eq!(
        fails("--blkio-weight-device /dev/sda:5 img").0,
        inv(
            "blkio-weight-device",
            "/dev/sda:5",
            "invalid weight for device: /dev/sda:5"
        )
    );
    assert_eq!(
        fails("--blkio-weight-device sda:500 img").0,
        inv(
            "blkio-weight-device",
            "sda:500",
            "bad format for device path: sda:500"
        )
    );
    assert_eq!(
        fails("--blkio-weight-device /dev/sda img").0,
        inv("blkio-weight-device", "/dev/sda", "bad format: /dev/sda")
    );
    assert_eq!(
        fails("--device-read-iops /dev/sda:1k img").0,
        inv(
            "device-read-iops",
            "/dev/sda:1k",
            "invalid rate for device: /dev/sda:1k. The correct format is <device-path>:<number>. Number must be a positive integer"
        )
    );
    assert_eq!(
        fails("--device-read-iops /dev/sda:0x10 img").0,
        inv(
            "device-read-iops",
            "/dev/sda:0x10",
            "invalid rate for device: /dev/sda:0x10. The correct format is <device-path>:<number>. Number must be a positive integer"
        )
    );
    assert_eq!(
        fails("--device-write-bps /dev/sda:x img").0,
        inv(
            "device-write-bps",
            "/dev/sda:x",
            "invalid rate for device: /dev/sda:x. The correct format is <device-path>:<number>[<unit>]. Number must be a positive integer. Unit is optional and can be kb, mb, or gb"
        )
    );
}

#[test]
fn ulimits_are_sorted_and_replaced() {
    assert_eq!(
        hc("--ulimit nofile=1024:2048 --ulimit nproc=100 --ulimit core=-1 --ulimit nofile=10 img")
            ["Ulimits"],
        json!([
            {"Name": "core", "Soft": -1, "Hard": -1},
            {"Name": "nofile", "Soft": 10, "Hard": 10},
            {"Name": "nproc", "Soft": 100, "Hard": 100}
        ])
    );
    let inv = |v: &str, why: &str| format!("invalid argument \"{v}\" for \"--ulimit\" flag: {why}");
    for (v, why) in [
        ("foo=1", "invalid ulimit type: foo"),
        ("nofile", "invalid ulimit argument: nofile"),
        (
            "nofile=2:1",
            "ulimit soft limit must be less than or equal to hard limit: 2 > 1",
        ),
        (
            "nofile=-1:5",
            "ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: 5",
        ),
        (
            "nofile=1:2:3",
            "too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`",
        ),
        (
            "nofile=x",
            "strconv.ParseInt: parsing \"x\": invalid syntax",
        ),
    ] {
        assert_eq!(fails(&format!("--ulimit {v} img")).0, inv(v, why), "{v}");
    }
    assert_eq!(
        hc("--ulimit nofile=5:-1 img")["Ulimits"],
        json!([{"Name": "nofile", "Soft": 5, "Hard": -1}])
    );
}

// ---------------------------------------------------------------------------------------------
// Restart, health, logging.

#[test]
fn restart_policies() {
    let r = |a: &str| hc(&format!("{a} img"))["RestartPolicy"].clone();
    assert_eq!(r(""), json!({"Name": "no", "MaximumRetryCount": 0}));
    assert_eq!(
        r("--restart always"),
        json!({"Name": "always", "MaximumRetryCount": 0})
    );
    assert_eq!(
        r("--restart on-failure:3"),
        json!({"Name": "on-failure", "MaximumRetryCount": 3})
    );
    assert_eq!(
        r("--restart on-failure:"),
        json!({"Name": "on-failure", "MaximumRetryCount": 0})
    );
    assert_eq!(
        r("--restart ''"),
        json!({"Name": "", "MaximumRetryCount": 0})
    );
    assert_eq!(
        r("--restart bogus"),
        json!({"Name": "bogus", "MaximumRetryCount": 0})
    );
    assert_eq!(
        fails("--restart on-failure:x img").0,
        "invalid restart policy format: maximum retry count must be an integer"
    );
    assert_eq!(
        fails("--restart :3 img").0,
        "invalid restart policy format: no policy provided before colon"
    );
    assert_eq!(
        fails("--rm --restart always img"),
        (
            "conflicting options: cannot specify both --restart and --rm".into(),
            125
        )
    );
    assert!(run_env(&FakeEnv::recorded(), None, "--rm --restart no img").is_ok());
    assert!(run_env(&FakeEnv::recorded(), None, "--rm --restart '' img").is_ok());
}

#[test]
fn healthcheck_only_when_set() {
    assert_eq!(
        body(
            "--health-cmd 'curl -f http://localhost/' --health-interval 30s --health-timeout 1m30s --health-retries 3 --health-start-period 500ms img"
        )["Healthcheck"],
        json!({"Test":["CMD-SHELL","curl -f http://localhost/"],"Interval":30000000000i64,"Timeout":90000000000i64,"StartPeriod":500000000,"StartInterval":0,"Retries":3})
    );
    assert_eq!(body("img").get("Healthcheck"), None);
    assert_eq!(
        body("--health-retries 2 img")["Healthcheck"].get("Test"),
        None,
        "timings alone keep the image's test"
    );
    assert_eq!(
        body("--no-healthcheck img")["Healthcheck"],
        json!({"Test": ["NONE"]})
    );
    assert_eq!(
        fails("--no-healthcheck --health-cmd x img").0,
        "--no-healthcheck conflicts with --health-* options"
    );
    assert!(
        run_env(
            &FakeEnv::recorded(),
            None,
            "--no-healthcheck --health-interval 0s img"
        )
        .is_ok()
    );
    assert_eq!(
        fails("--health-retries -1 img").0,
        "--health-retries cannot be negative"
    );
}

#[test]
fn logging() {
    assert_eq!(
        hc("--log-driver json-file --log-opt max-size=10m --log-opt max-file=3 img")["LogConfig"],
        json!({"Type": "json-file", "Config": {"max-file": "3", "max-size": "10m"}})
    );
    assert_eq!(hc("img")["LogConfig"], json!({"Type": "", "Config": {}}));
    assert_eq!(
        fails("--log-driver none --log-opt a=b img").0,
        "invalid logging opts for driver none"
    );
}

// ---------------------------------------------------------------------------------------------
// Environment and labels.

#[test]
fn env_order_and_host_lookup() {
    let env = FakeEnv::recorded().with_var("FROMHOST", "h v");
    let r = run_env(
        &env,
        None,
        "--env-file files/env1 -e Z=9 -e FROMHOST -e UNSET -e Z=10 -e A=x img",
    )
    .unwrap();
    assert_eq!(
        r.body_json()["Env"],
        json!([
            "A=1",
            "B=two words ",
            "HOME=/root",
            "QUOTED=\"q\"",
            "\u{feff}X=1",
            "Z=10",
            "FROMHOST=h v",
            "UNSET",
            "A=x"
        ])
    );
    assert_eq!(body("img").get("Env"), None, "no env: Env is null");
    assert_eq!(
        fails("-e =x img").0,
        "invalid argument \"=x\" for \"-e, --env\" flag: invalid environment variable: =x"
    );
}

#[test]
fn env_file_format() {
    let env = FakeEnv::recorded()
        .with_file(
            "/w/e1",
            b"\xef\xbb\xbfFIRST=1\r\n\t# c\n\n  SP= a b \nNOEQ\nK=v=w # not a comment\n",
        )
        .with_file("/w/long", format!("A={}", "x".repeat(65534)).as_bytes());
    let r = run_env(&env, None, "--env-file /w/e1 img").unwrap();
    assert_eq!(
        r.body_json()["Env"],
        json!(["FIRST=1", "SP= a b ", "K=v=w # not a comment"])
    );
    let err = |f: &str| {
        run_env(&FakeEnv::recorded(), None, &format!("--env-file {f} img"))
            .unwrap_err()
            .message
    };
    assert_eq!(
        err("files/envbad"),
        "invalid env file (files/envbad): variable 'bad key' contains whitespaces"
    );
    assert_eq!(
        err("files/envnoname"),
        "invalid env file (files/envnoname): no variable name on line '=2'"
    );
    assert_eq!(
        err("files/envutf"),
        "invalid env file (files/envutf): invalid utf8 bytes at line 2: [66 61 255 254]"
    );
    assert_eq!(
        err("files/envlong"),
        "invalid env file (files/envlong): bufio.Scanner: token too long"
    );
    assert!(run_env(&FakeEnv::recorded(), None, "--env-file files/envlong2 img").is_ok());
    assert_eq!(
        run_env(&env, None, "--env-file /w/long img")
            .unwrap_err()
            .message,
        "invalid env file (/w/long): bufio.Scanner: token too long"
    );
    assert_eq!(
        err("files/nope"),
        "open files/nope: no such file or directory"
    );
    assert_eq!(
        err("files/dir"),
        "invalid env file (files/dir): read files/dir: is a directory"
    );
}

#[test]
fn labels() {
    assert_eq!(
        body("-l a=b -l c -l 'd=e f' --label-file files/labels -l l1=override -l ' a=1' img")["Labels"],
        json!({"a": "b", "c": "", "d": "e f", "l1": "override", "l3": "c d", " a": "1"})
    );
    assert_eq!(
        fails("-l ' =x' img").0,
        "invalid argument \" =x\" for \"-l, --label\" flag: invalid label ' =x': empty name"
    );
    assert_eq!(
        fails("-l 'a b=c' img").0,
        "invalid argument \"a b=c\" for \"-l, --label\" flag: label 'a b' contains whitespaces"
    );
    assert_eq!(body("img")["Labels"], json!({}));
}

#[test]
fn proxies_from_config_json() {
    let cfg = json!({"proxies": {
        "default": {"httpProxy": "http://p:3128", "noProxy": "localhost"},
        "tcp://other:2376": {"httpsProxy": "https://q"}
    }});
    let env = FakeEnv::recorded().with_config(cfg.clone());
    let r = run_env(&env, None, "-e http_proxy=mine img").unwrap();
    assert_eq!(
        r.body_json()["Env"],
        json!([
            "http_proxy=mine",
            "HTTP_PROXY=http://p:3128",
            "NO_PROXY=localhost",
            "no_proxy=localhost"
        ])
    );
    let mut env = env;
    env.host = "tcp://other:2376".into();
    let r = run_env(&env, None, "img").unwrap();
    assert_eq!(
        r.body_json()["Env"],
        json!(["HTTPS_PROXY=https://q", "https_proxy=https://q"])
    );
}

// ---------------------------------------------------------------------------------------------
// Hosts and DNS.

#[test]
fn hosts_and_dns() {
    assert_eq!(
        hc(
            "--add-host foo:1.2.3.4 --add-host bar=::1 --add-host 'v6:[2001:db8::1]' --add-host gw:host-gateway --add-host baz:::1 img"
        )["ExtraHosts"],
        json!([
            "foo:1.2.3.4",
            "bar:::1",
            "v6:2001:db8::1",
            "gw:host-gateway",
            "baz:::1"
        ])
    );
    let inv =
        |f: &str, v: &str, why: &str| format!("invalid argument \"{v}\" for \"--{f}\" flag: {why}");
    assert_eq!(
        fails("--add-host foo img").0,
        inv("add-host", "foo", "bad format for add-host: \"foo\"")
    );
    assert_eq!(
        fails("--add-host foo:notip img").0,
        inv(
            "add-host",
            "foo:notip",
            "invalid IP address in add-host: \"notip\""
        )
    );
    let h = hc(
        "--dns 8.8.8.8 --dns 0:0::1 --dns ' 1.1.1.1 ' --dns-search example.com. --dns-search . --dns-option ndots:2 --dns-opt timeout:1 img",
    );
    assert_eq!(h["Dns"], json!(["8.8.8.8", "::1", "1.1.1.1"]));
    assert_eq!(h["DnsSearch"], json!(["example.com", "."]));
    assert_eq!(h["DnsOptions"], json!(["ndots:2", "timeout:1"]));
    let h = hc("img");
    assert_eq!(
        (
            h["Dns"].clone(),
            h["DnsSearch"].clone(),
            h["DnsOptions"].clone()
        ),
        (json!([]), json!([]), json!([]))
    );
    assert_eq!(
        fails("--dns '[::1]' img").0,
        inv(
            "dns",
            "[::1]",
            "IP address is not correctly formatted: [::1]"
        )
    );
    assert_eq!(
        fails("--dns-search bad_domain img").0,
        inv(
            "dns-search",
            "bad_domain",
            "bad_domain is not a valid domain"
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Networks.

#[test]
fn network_endpoints() {
    let b = body(
        "--network capnet --ip 172.30.100.104 --network-alias web --network-alias www --link-local-ip 169.254.1.1 img",
    );
    assert_eq!(b["HostConfig"]["NetworkMode"], json!("capnet"));
    assert_eq!(
        b["NetworkingConfig"],
        json!({"EndpointsConfig": {"capnet": {"IPAMConfig": {"IPv4Address": "172.30.100.104", "LinkLocalIPs": ["169.254.1.1"]}, "Aliases": ["web", "www"]}}})
    );
    // Exactly one plain network: no endpoint. No network: an empty "default" endpoint.
    assert_eq!(
        body("--network capnet img")["NetworkingConfig"],
        json!({"EndpointsConfig": {}})
    );
    assert_eq!(
        body("--network name=capnet img")["NetworkingConfig"],
        json!({"EndpointsConfig": {}})
    );
    assert_eq!(
        body("img")["NetworkingConfig"],
        json!({"EndpointsConfig": {"default": {}}})
    );
    assert_eq!(body("img")["HostConfig"]["NetworkMode"], json!("default"));
    // The CSV form lower-cases whole fields.
    assert_eq!(
        body(
            "--network name=n1,alias=A2,driver-opt=com.docker.network.endpoint.sysctls=net.ipv4.conf.IFNAME.x=1 img"
        )["NetworkingConfig"]["EndpointsConfig"]["n1"],
        json!({"Aliases": ["a2"], "DriverOpts": {"com.docker.network.endpoint.sysctls": "net.ipv4.conf.ifname.x=1"}})
    );
    assert_eq!(
        body(
            "--network name=n1,ip=10.0.0.2,ip6=fd00::2,link-local-ip=169.254.0.1,gw-priority=5 img"
        )["NetworkingConfig"]["EndpointsConfig"]["n1"],
        json!({"IPAMConfig": {"IPv4Address": "10.0.0.2", "IPv6Address": "fd00::2", "LinkLocalIPs": ["169.254.0.1"]}, "GwPriority": 5})
    );
    // --link goes to HostConfig.Links and, on a user-defined network, to the endpoint.
    let b = body("--network n1 --link other:alias img");
    assert_eq!(b["HostConfig"]["Links"], json!(["other:alias"]));
    assert_eq!(
        b["NetworkingConfig"]["EndpointsConfig"]["n1"]["Links"],
        json!(["other:alias"])
    );
    assert_eq!(
        body("--link other img")["NetworkingConfig"]["EndpointsConfig"]["default"],
        json!({})
    );
}

#[test]
fn network_errors() {
    for (args, msg) in [
        (
            "--network n1 --network n1",
            "network \"n1\" is specified multiple times",
        ),
        (
            "--network n1 --network host",
            "conflicting options: cannot attach both user-defined and non-user-defined network-modes",
        ),
        (
            "--network-alias web",
            "network-scoped aliases are only supported for user-defined networks",
        ),
        (
            "--network host --network-alias web",
            "network-scoped aliases are only supported for user-defined networks",
        ),
        (
            "--network name=n1,alias=x --network-alias y",
            "conflicting options: cannot specify both --network-alias and per-network alias",
        ),
        (
            "--network name=n1,ip=1.2.3.4 --ip 1.2.3.5",
            "conflicting options: cannot specify both --ip and per-network IPv4 address",
        ),
        ("--mac-address zz", "zz is not a valid mac address"),
        ("--network ''", "no name set for network"),
    ] {
        assert_eq!(
            fails(&format!("{args} img")),
            (msg.to_string(), 125),
            "{args}"
        );
    }
    let inv =
        |v: &str, why: &str| format!("invalid argument \"{v}\" for \"--network\" flag: {why}");
    assert_eq!(
        fails("--network name=n1,gw-priority=x img").0,
        inv(
            "name=n1,gw-priority=x",
            "invalid gw-priority (x): invalid syntax"
        )
    );
    assert_eq!(
        fails("--network name=n1,bogus=1 img").0,
        inv("name=n1,bogus=1", "invalid field key bogus")
    );
    assert_eq!(
        fails("--network alias=x img").0,
        inv("alias=x", "network name/id is not specified")
    );
    assert_eq!(
        fails("--net alias=x img").0,
        "invalid argument \"alias=x\" for \"--net\" flag: network name/id is not specified"
    );
}

#[test]
fn api_shaping_of_networks_and_mac() {
    let env = FakeEnv::recorded();
    let mac = "92:d0:c6:0a:29:33";
    // Newest API (and unknown): MAC in the endpoint only.
    for api in [None, Some("1.44"), Some("1.50")] {
        let r = run_env(&env, api, &format!("--mac-address {mac} img")).unwrap();
        let b = r.body_json();
        assert_eq!(b.get("MacAddress"), None);
        assert_eq!(
            b["NetworkingConfig"]["EndpointsConfig"]["default"]["MacAddress"],
            json!(mac)
        );
    }
    // Below 1.44: Config.MacAddress only.
    let r = run_env(
        &env,
        Some("1.41"),
        &format!("--network n1 --mac-address {mac} img"),
    )
    .unwrap();
    let b = r.body_json();
    assert_eq!(b["MacAddress"], json!(mac));
    assert_eq!(r.mac_address.as_deref(), Some(mac));
    assert_eq!(b["NetworkingConfig"]["EndpointsConfig"]["n1"], json!({}));
    // Multiple networks: all in the body on ≥ 1.44, the first only below.
    let args = "--network n1 --network n2 --network-alias web img";
    let r = run_env(&env, Some("1.50"), args).unwrap();
    assert_eq!(
        r.body_json()["NetworkingConfig"]["EndpointsConfig"],
        json!({"n1": {"Aliases": ["web"]}, "n2": {}})
    );
    assert!(r.extra_networks.is_empty());
    let r = run_env(&env, Some("1.41"), args).unwrap();
    assert_eq!(
        r.body_json()["NetworkingConfig"]["EndpointsConfig"],
        json!({"n1": {"Aliases": ["web"]}})
    );
    assert_eq!(r.extra_networks.len(), 1);
    assert_eq!(r.extra_networks[0].0, "n2");
}

#[test]
fn kernel_memory_only_for_api_140_141() {
    let env = FakeEnv::recorded();
    for (api, want) in [
        (Some("1.41"), Some(104_857_600)),
        (Some("1.40"), Some(104_857_600)),
        (Some("1.42"), None),
        (Some("1.39"), None),
        (None, None),
    ] {
        let r = run_env(&env, api, "--kernel-memory 100m img").unwrap();
        assert_eq!(r.kernel_memory, want, "{api:?}");
        assert_eq!(
            r.body_json()["HostConfig"]
                .get("KernelMemory")
                .and_then(Value::as_i64),
            want,
            "{api:?}"
        );
    }
}

#[test]
fn flags_needing_a_newer_api() {
    assert_eq!(
        fails_at("1.41", "--annotation a=b img"),
        (
            "\"--annotation\" requires API version 1.43, but the Docker daemon API version is 1.41"
                .into(),
            1
        )
    );
    assert_eq!(
        fails_at("1.41", "--health-start-interval 1s img").0,
        "\"--health-start-interval\" requires API version 1.44, but the Docker daemon API version is 1.41"
    );
    assert_eq!(
        fails_at("1.24", "--init --cpus 1 --gpus all img").0,
        [
            "\"--cpus\" requires API version 1.25, but the Docker daemon API version is 1.24",
            "\"--gpus\" requires API version 1.40, but the Docker daemon API version is 1.24",
            "\"--init\" requires API version 1.25, but the Docker daemon API version is 1.24",
        ]
        .join("\n")
    );
    // Checked before a later syntax error and before the missing image.
    assert_eq!(fails_at("1.41", "--annotation a=b --bogus img").1, 1);
    assert_eq!(fails_at("1.41", "--annotation a=b").1, 1);
    // Windows-only flags fail against the (Linux) daemon, known or not.
    assert_eq!(
        fails("--cpu-count 2 img"),
        (
            "\"--cpu-count\" is only supported on a Docker daemon running on windows, but the Docker daemon is running on linux".into(),
            1
        )
    );
    assert!(run_env(&FakeEnv::recorded(), Some("1.43"), "--annotation a=b img").is_ok());
}

// ---------------------------------------------------------------------------------------------
// Security, capabilities, namespaces.

#[test]
fn security_options() {
    let h = hc(
        "--security-opt no-new-privileges --security-opt seccomp=unconfined --security-opt label:disable --security-opt seccomp=files/seccomp.json img",
    );
    assert_eq!(
        h["SecurityOpt"],
        json!([
            "no-new-privileges",
            "seccomp=unconfined",
            "label:disable",
            "seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[]}"
        ])
    );
    assert_eq!(h.get("MaskedPaths"), None);
    let h = hc("--security-opt systempaths=unconfined img");
    assert_eq!(
        (h["MaskedPaths"].clone(), h["ReadonlyPaths"].clone()),
        (json!([]), json!([]))
    );
    assert_eq!(h.get("SecurityOpt"), None);
    for (v, msg) in [
        (
            "writable-cgroups",
            "Invalid --security-opt: \"writable-cgroups\"",
        ),
        ("label=", "Invalid --security-opt: \"label=\""),
        (
            "seccomp=files/nonexistent.json",
            "opening seccomp profile (files/nonexistent.json) failed: open files/nonexistent.json: no such file or directory",
        ),
        (
            "seccomp=files/dir",
            "opening seccomp profile (files/dir) failed: read files/dir: is a directory",
        ),
    ] {
        assert_eq!(
            fails(&format!("--security-opt '{v}' img")),
            (msg.to_string(), 125),
            "{v}"
        );
    }
}

#[test]
fn capabilities_are_normalised() {
    let h = hc(
        "--cap-add net_admin --cap-add CAP_SYS_TIME --cap-add sys_time --cap-drop all --cap-drop Net_Raw img",
    );
    assert_eq!(h["CapAdd"], json!(["CAP_NET_ADMIN", "CAP_SYS_TIME"]));
    assert_eq!(h["CapDrop"], json!(["ALL", "CAP_NET_RAW"]));
    assert_eq!(hc("img").get("CapAdd"), None);
}

#[test]
fn namespaces_are_validated() {
    let h = hc("--pid host --uts host --userns host --cgroupns private --ipc bogus img");
    assert_eq!(
        (
            &h["PidMode"],
            &h["UTSMode"],
            &h["UsernsMode"],
            &h["CgroupnsMode"],
            &h["IpcMode"]
        ),
        (
            &json!("host"),
            &json!("host"),
            &json!("host"),
            &json!("private"),
            &json!("bogus")
        )
    );
    for (args, msg) in [
        ("--pid bogus", "--pid: invalid PID mode"),
        ("--pid container:", "--pid: invalid PID mode"),
        ("--uts bogus", "--uts: invalid UTS mode"),
        ("--userns bogus", "--userns: invalid USER mode"),
        ("--cgroupns bogus", "--cgroupns: invalid CGROUP mode"),
    ] {
        assert_eq!(fails(&format!("{args} img")).0, msg);
    }
}

#[test]
fn sysctls_are_allow_listed() {
    assert_eq!(
        hc(
            "--sysctl net.ipv4.ip_forward=1 --sysctl kernel.shmmax=1 --sysctl fs.mqueue.msg_max=10 img"
        )["Sysctls"],
        json!({"net.ipv4.ip_forward": "1", "kernel.shmmax": "1", "fs.mqueue.msg_max": "10"})
    );
    assert_eq!(
        fails("--sysctl vm.swappiness=1 img").0,
        "invalid argument \"vm.swappiness=1\" for \"--sysctl\" flag: sysctl 'vm.swappiness=1' is not allowed"
    );
    assert_eq!(
        fails("--sysctl net.x img").0,
        "invalid argument \"net.x\" for \"--sysctl\" flag: sysctl 'net.x' is not allowed"
    );
}

// ---------------------------------------------------------------------------------------------
// Attach table (§3.1).

#[test]
fn attach_table() {
    let t = |args: &str| {
        let b = body(&format!("{args} img"));
        [
            b["AttachStdin"].as_bool().unwrap(),
            b["AttachStdout"].as_bool().unwrap(),
            b["AttachStderr"].as_bool().unwrap(),
            b["OpenStdin"].as_bool().unwrap(),
            b["StdinOnce"].as_bool().unwrap(),
            b["Tty"].as_bool().unwrap(),
        ]
    };
    assert_eq!(t(""), [false, true, true, false, false, false]);
    assert_eq!(t("-i"), [true, true, true, true, true, false]);
    assert_eq!(t("-t"), [false, true, true, false, false, true]);
    assert_eq!(t("-it"), [true, true, true, true, true, true]);
    assert_eq!(t("-a stdout"), [false, true, false, false, false, false]);
    assert_eq!(t("-a stdin -i"), [true, false, false, true, true, false]);
    assert_eq!(t("-d"), [false, false, false, false, false, false]);
    assert_eq!(t("-di"), [false, false, false, true, false, false]);
    assert_eq!(t("-dit"), [false, false, false, true, false, true]);
    assert_eq!(
        fails("-d -a stdout img"),
        (
            "conflicting options: cannot specify both --attach and --detach".into(),
            1
        )
    );
    assert_eq!(
        fails("-a bogus img").0,
        "invalid argument \"bogus\" for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR"
    );
    assert_eq!(
        req("-a STDERR img").client.attach,
        vec!["stderr".to_string()]
    );
}

// ---------------------------------------------------------------------------------------------
// Client-side options.

#[test]
fn client_options() {
    let r = req(
        "--rm -d -q --pull always --name web --cidfile /tmp/c --sig-proxy=false --use-api-socket img",
    );
    let c = &r.client;
    assert!(c.rm && c.detach && c.quiet && c.use_api_socket && !c.sig_proxy);
    assert_eq!(c.pull, PullPolicy::Always);
    assert_eq!(c.name.as_deref(), Some("web"));
    assert_eq!(c.cidfile.as_deref(), Some("/tmp/c"));
    assert_eq!(req("--pull '' img").client.pull, PullPolicy::Never);
    assert_eq!(req("img").client.pull, PullPolicy::Missing);
    assert!(req("img").client.disable_content_trust);
    assert!(req("img").client.sig_proxy);
    assert_eq!(
        fails("--pull sometimes img"),
        (
            "invalid pull option: 'sometimes': must be one of \"always\", \"missing\" or \"never\""
                .into(),
            125
        )
    );
    let env = FakeEnv::recorded()
        .with_var("DOCKER_CONTENT_TRUST", "1")
        .with_var("DOCKER_DEFAULT_PLATFORM", "linux/aarch64")
        .with_config(json!({"detachKeys": "ctrl-x,y", "auths": {"r.example": {}}}));
    let r = run_env(&env, None, "--use-api-socket img").unwrap();
    assert!(!r.client.disable_content_trust);
    assert_eq!(r.client.platform.as_deref(), Some("linux/arm64"));
    assert_eq!(r.client.detach_keys.as_deref(), Some("ctrl-x,y"));
    assert_eq!(
        r.body_json()["Env"],
        json!(["DOCKER_CONFIG=/run/secrets/docker"])
    );
    let mut tcp = FakeEnv::recorded();
    tcp.host = "tcp://h:2376".into();
    assert_eq!(
        run_env(&tcp, None, "--use-api-socket img")
            .unwrap_err()
            .message,
        "flag --use-api-socket can only be used with unix sockets: docker endpoint tcp://h:2376 incompatible"
    );
}

#[test]
fn platform_is_normalised() {
    assert_eq!(
        req("--platform linux/x86_64 img")
            .client
            .platform
            .as_deref(),
        Some("linux/amd64")
    );
    assert_eq!(
        req("--platform Linux/ARM64/V8 img")
            .client
            .platform
            .as_deref(),
        Some("linux/arm64/v8")
    );
    assert_eq!(
        req("--platform arm img").client.platform.as_deref(),
        Some("linux/arm")
    );
    assert_eq!(
        fails("--platform foo/bar/baz/qux img").0,
        "error parsing specified platform: \"foo/bar/baz/qux\": cannot parse platform specifier: invalid argument"
    );
    assert_eq!(req("img").client.platform, None);
}

#[test]
fn entrypoint_command_init_stop_timeout() {
    assert_eq!(body("--entrypoint '' img x")["Entrypoint"], json!([""]));
    assert_eq!(
        body("--entrypoint 'echo hi' img")["Entrypoint"],
        json!(["echo hi"])
    );
    assert_eq!(body("img").get("Entrypoint"), None);
    assert_eq!(body("img").get("Cmd"), None);
    assert_eq!(hc("img").get("Init"), None);
    assert_eq!(hc("--init img")["Init"], json!(true));
    assert_eq!(body("img").get("StopTimeout"), None);
    assert_eq!(body("--stop-timeout -1 img")["StopTimeout"], json!(-1));
    assert_eq!(
        fails("--memory-swappiness 200 img").0,
        "invalid value: 200. Valid memory swappiness range is 0-100"
    );
}

#[test]
fn image_reference_is_checked() {
    assert_eq!(
        fails("UPPER").0,
        "invalid reference format: repository name (library/UPPER) must be lowercase"
    );
    assert_eq!(fails("a:b:c").0, "invalid reference format");
    assert_eq!(fails("''").0, "invalid reference format");
    assert_eq!(
        body(
            "localhost:5000/x:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        )["Image"],
        json!(
            "localhost:5000/x:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        )
    );
}

#[test]
fn default_body_matches_dockers_always_sent_values() {
    let b = body("--rm img sh -c x");
    assert_eq!(
        b["HostConfig"]["RestartPolicy"],
        json!({"Name": "no", "MaximumRetryCount": 0})
    );
    assert_eq!(b["HostConfig"]["MemorySwappiness"], json!(-1));
    assert_eq!(b["HostConfig"]["NetworkMode"], json!("default"));
    assert_eq!(b["HostConfig"]["ConsoleSize"], json!([0, 0]));
    assert_eq!(b["HostConfig"]["BlkioWeightDevice"], json!([]));
    assert_eq!(b["HostConfig"]["Devices"], json!([]));
    assert_eq!(b["HostConfig"]["Ulimits"], json!([]));
    assert_eq!(b["HostConfig"]["PortBindings"], json!({}));
    assert_eq!(b["Volumes"], json!({}));
    assert_eq!(b["Cmd"], json!(["sh", "-c", "x"]));
    assert_eq!(b["Image"], json!("img"));
    assert_eq!(b["HostConfig"]["AutoRemove"], json!(true));
}

// ---------------------------------------------------------------------------------------------
// to_args round trip.

const ROUND_TRIP: &[&str] = &[
    "--rm img",
    "-itp 80:80 img sh",
    "-p80:80 -p=81:81 --publish 82:82 img",
    "--rm=false -i=false --tty=true img",
    "--net n1 --net-alias a --dns-opt x img",
    "--name '' --entrypoint '' img",
    "-e -x -l --y img",
    "--workdir=-w img",
    "--rm -- -img -x",
    "- arg",
    "-h host -c 5 -m 1g -u 0 -w /x -v /a:/b -a stdout -l k=v img",
    "--preset strict --allow a --explain --dry-run --format json --no-harden --review img",
    "--mount 'type=bind,src=/a,dst=/b' --gpus '\"device=0,1\"' --security-opt seccomp=unconfined img x y",
    "--health-cmd 'a b' --health-interval 1s --restart on-failure:3 img",
    "--help=false img",
];

#[test]
fn to_args_round_trips() {
    let env = FakeEnv::recorded();
    for line in ROUND_TRIP {
        let p = parse_args(&words(line)).unwrap();
        let args = to_args_with(&p, true);
        let q = parse_args(&args).unwrap();
        let strip = |p: &Parsed| -> Vec<(&str, Option<String>)> {
            p.occurrences
                .iter()
                .map(|o| (o.flag.long, o.value.clone()))
                .collect()
        };
        assert_eq!(strip(&p), strip(&q), "{line} -> {args:?}");
        assert_eq!(
            (p.image.clone(), p.command.clone()),
            (q.image.clone(), q.command.clone()),
            "{line}"
        );
        // Without harden's options the body is the same.
        let plain = to_args(&p);
        assert!(
            !plain.iter().any(|a| a == "--preset" || a == "--dry-run"),
            "{plain:?}"
        );
        let (a, b) = (
            parse_run(&words(line), &env, None),
            parse_run(&plain, &env, None),
        );
        match (a, b) {
            (Ok(a), Ok(b)) => assert_eq!(a.body_json(), b.body_json(), "{line}"),
            (Err(a), Err(b)) => assert_eq!(a, b, "{line}"),
            (a, b) => panic!("{line}: {a:?} vs {b:?}"),
        }
    }
    // Clusters are split, and bare booleans stay bare.
    let p = parse_args(&words("-itp 80:80 --rm img")).unwrap();
    assert_eq!(to_args(&p), words("-i -t -p 80:80 --rm img"));
}

#[test]
fn occurrence_new_renders_long() {
    let mut p = parse_args(&words("img")).unwrap();
    let f = lookup_long("cap-drop").unwrap();
    p.occurrences.push(harden::frontend::argv::Occurrence::new(
        f,
        Some("ALL".into()),
    ));
    let net = lookup_long("net").unwrap();
    p.occurrences.push(harden::frontend::argv::Occurrence::new(
        net,
        Some("none".into()),
    ));
    assert_eq!(to_args(&p), words("--cap-drop ALL --network none img"));
    assert_eq!(p.occurrences[0].index, usize::MAX);
}

// ---------------------------------------------------------------------------------------------
// No panics on hostile input.

#[test]
fn never_panics_on_odd_values() {
    const VALUES: &[&str] = &[
        "",
        "=",
        ":",
        "::",
        ":::",
        ",",
        "\"",
        "\"\"",
        "'",
        "[",
        "]",
        "[]",
        "[:",
        "-",
        "--",
        "-1",
        "0",
        "0x",
        "1e400",
        "1/0",
        "9999999999999999999999",
        "é",
        "aé",
        "é=é",
        "a/é=x",
        "a/b=c",
        "ab/cd=e",
        "\u{0}",
        "\n",
        "\r\n",
        "a\nb",
        "x=y=z",
        "name=",
        "name=a,alias",
        "type=bind",
        "type=tmpfs,tmpfs-mode=",
        "/dev/é:é",
        "c:",
        "c:\\",
        "~",
        ".",
        "..",
        "./é",
        "1.5g",
        "1 ",
        " 1",
        "µs",
        "1µ",
        "0.",
        ".",
        "\u{feff}",
        "[::1]:80:80",
        "80-",
        "-80",
        "65536-65537",
        "1-0",
        "a:b:c:d:e",
        "seccomp=",
        "seccomp",
        "systempaths=unconfined",
        "container:",
        "host",
        "*",
        "linux/*",
        "((",
        "win(",
        "a(b)",
        "\u{10ffff}",
    ];
    let env = FakeEnv::recorded();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for f in FLAGS {
        for v in VALUES {
            let args = vec![format!("--{}={v}", f.long), "img".to_string()];
            let _ = parse_run(&args, &env, Some("1.41"));
            let _ = parse_run(&args, &env, None);
            if let Some(c) = f.short {
                let _ = parse_run(&[format!("-{c}{v}"), "img".into()], &env, None);
            }
        }
    }
    for _ in 0..3000 {
        let n = (next() % 6) as usize;
        let mut args = Vec::new();
        for _ in 0..n {
            let f = &FLAGS[(next() % FLAGS.len() as u64) as usize];
            args.push(format!("--{}", f.long));
            if !f.is_bool() {
                args.push(VALUES[(next() % VALUES.len() as u64) as usize].to_string());
            }
        }
        args.push(VALUES[(next() % VALUES.len() as u64) as usize].to_string());
        if let Ok(p) = parse_args(&args) {
            let again = parse_args(&to_args_with(&p, true));
            assert!(again.is_ok(), "{args:?}");
        }
        let _ = parse_run(&args, &env, Some("1.41"));
        let _ = parse_run(&args, &env, Some("1.50"));
    }
}

// ---------------------------------------------------------------------------------------------
// Origins for the spec.

#[test]
fn spec_origins_point_at_the_flags() {
    use harden::spec::{Origin, spec_from_create_body};
    let args = words(
        "--rm -u 1000 --cap-add net_admin -p 127.0.0.1:80:80 --privileged -v /a:/b -v data:/d --tmpfs /run:size=1m --security-opt seccomp=unconfined -e A=1 --read-only --network host --mount type=bind,src=/s,dst=/t img",
    );
    let parsed = parse_args(&args).unwrap();
    let r = harden::frontend::argv::build_request(&parsed, &FakeEnv::recorded(), None).unwrap();
    let spec = spec_from_create_body(&r.body, &parsed);
    let at = |index: usize, flag: &str| Origin::Argv {
        index,
        flag: flag.to_string(),
    };
    assert_eq!(spec.user.as_ref().unwrap().origin, at(1, "-u"));
    assert_eq!(spec.cap_add[0].origin, at(3, "--cap-add"));
    assert_eq!(spec.ports[0].origin, at(5, "-p"));
    assert_eq!(
        spec.privileged.as_ref().unwrap().origin,
        at(7, "--privileged")
    );
    let binds: Vec<_> = spec.mounts.iter().map(|m| m.origin.clone()).collect();
    assert!(
        binds.contains(&at(8, "-v"))
            && binds.contains(&at(10, "-v"))
            && binds.contains(&at(21, "--mount"))
    );
    assert_eq!(spec.tmpfs[0].origin, at(12, "--tmpfs"));
    assert_eq!(spec.security_opt[0].origin, at(14, "--security-opt"));
    assert_eq!(spec.env[0].origin, at(16, "-e"));
    assert_eq!(
        spec.read_only.as_ref().unwrap().origin,
        at(18, "--read-only")
    );
    assert_eq!(
        spec.network_mode.as_ref().unwrap().origin,
        at(19, "--network")
    );
    assert_eq!(spec.image.as_ref().unwrap().origin, at(23, ""));
    assert_eq!(spec.memory, None);
}
