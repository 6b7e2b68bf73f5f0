//! The proxy's body reader (`harden::proxy::body`) against the rules of Go's `encoding/json` and
//! moby's create-body decoding, and against the engine itself.
//!
//! - `go_rules`: one table row per rule (field-name folding, last duplicate wins, escapes,
//!   invalid UTF-8, unknown fields, `null`, integers, trailing data, size, nesting, moby's
//!   wrapper): what the canonical value holds, or that the body is refused.
//! - `engine_agrees`: the same tricky bodies POSTed straight to the engine's
//!   `/containers/create` (no harden in between); the created container's inspect must hold
//!   what the reader's canonical value says for every field the body touches. Refused bodies
//!   must be refused by both, with the same message.
//!
//! - `fuzz_property_*`: the `proxy_body` fuzz target's check (`fuzz/src/lib.rs`) on stable: the
//!   seeds (`tests/fixtures/proxy_body/`, the create bodies recorded against CLI 28.2.2), every
//!   input that once failed (`tests/fixtures/fuzz/proxy_body/`), and deterministic mutations.
//!
//! The engine part needs a Docker engine (skipped with a notice unless `HARDEN_E2E=require`).
#![allow(clippy::unwrap_used, clippy::print_stderr)] // test code

use crate::common;

#[allow(dead_code)]
#[path = "../../fuzz/src/lib.rs"]
mod fuzz;

use harden::proxy::body::{
    Decoded, Dialect, Door, EngineError, ErrorKind, QuirkKind, decode, fold_eq,
};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

fn create(body: &[u8]) -> Result<Decoded, EngineError> {
    decode(Door::ContainerCreate, Dialect::Engine20_10, body)
}

/// The canonical value of a body the reader accepts; also checks that the forwarded body
/// reads back to the same value.
fn canon(body: &[u8]) -> Value {
    let d = create(body).unwrap_or_else(|e| panic!("{}: {e}", String::from_utf8_lossy(body)));
    let again = create(&d.body()).unwrap();
    assert_eq!(again.value, d.value, "the forwarded body reads differently");
    assert!(
        again.quirks.iter().all(|q| !matches!(
            q.kind,
            QuirkKind::Folded { .. } | QuirkKind::Duplicate | QuirkKind::Unknown { .. }
        )),
        "the forwarded body has quirks: {:?}",
        again.quirks
    );
    d.value
}

/// `a.b.c` in a value (missing → `Null`).
fn at<'v>(v: &'v Value, path: &str) -> &'v Value {
    static NULL: Value = Value::Null;
    path.split('.')
        .try_fold(v, |v, k| v.get(k))
        .unwrap_or(&NULL)
}

const PAD: usize = 2 * 1024 * 1024;

/// A body padded to more than 2 MiB before the field that matters.
fn padded(tail: &str) -> Vec<u8> {
    let mut s = String::from(r#"{"Image":"i","Padding":""#);
    s.push_str(&"x".repeat(PAD));
    s.push_str(r#"","Env":[""#);
    s.push_str(&"y".repeat(PAD / 4));
    s.push_str(r#""],"#);
    s.push_str(tail);
    s.push('}');
    s.into_bytes()
}

/// (what the row shows, body, path in the canonical value, expected value there).
fn accepted_rows() -> Vec<(&'static str, Vec<u8>, &'static str, Value)> {
    let b = |s: &str| s.as_bytes().to_vec();
    vec![
        // Field names fold: ASCII case, ſ (U+017F) ≡ s, K (U+212A) ≡ k; nothing else.
        (
            "lower case",
            b(r#"{"image":"i","hostconfig":{"privileged":true}}"#),
            "HostConfig.Privileged",
            json!(true),
        ),
        (
            "upper case",
            b(r#"{"IMAGE":"i","HOSTCONFIG":{"CAPADD":["NET_ADMIN"]}}"#),
            "HostConfig.CapAdd",
            json!(["NET_ADMIN"]),
        ),
        (
            "kelvin sign",
            b("{\"Image\":\"i\",\"HostConfig\":{\"Networ\u{212a}Mode\":\"host\"}}"),
            "HostConfig.NetworkMode",
            json!("host"),
        ),
        (
            "escaped kelvin sign",
            b(r#"{"Image":"i","HostConfig":{"Networ\u212aMode":"host"}}"#),
            "HostConfig.NetworkMode",
            json!("host"),
        ),
        (
            "long s",
            b("{\"Image\":\"i\",\"HostConfig\":{\"\u{17f}ecurityOpt\":[\"seccomp=unconfined\"]}}"),
            "HostConfig.SecurityOpt",
            json!(["seccomp=unconfined"]),
        ),
        (
            "dotless i does not fold",
            b("{\"Image\":\"i\",\"HostConfig\":{\"Pr\u{131}vileged\":true}}"),
            "HostConfig.Privileged",
            Value::Null,
        ),
        (
            "fullwidth P does not fold",
            b("{\"Image\":\"i\",\"HostConfig\":{\"\u{ff30}rivileged\":true}}"),
            "HostConfig.Privileged",
            Value::Null,
        ),
        // The last of duplicate keys wins, case variants included; objects merge.
        (
            "duplicate, last wins",
            b(r#"{"Image":"i","User":"root","User":"nobody"}"#),
            "User",
            json!("nobody"),
        ),
        (
            "case variant overrides",
            b(r#"{"Image":"i","HostConfig":{"Privileged":true,"privileged":false}}"#),
            "HostConfig.Privileged",
            Value::Null,
        ),
        (
            "case variant overrides back",
            b(r#"{"Image":"i","HostConfig":{"privileged":false,"PRIVILEGED":true}}"#),
            "HostConfig.Privileged",
            json!(true),
        ),
        (
            "duplicate objects merge",
            b(
                r#"{"Image":"i","HostConfig":{"Privileged":true},"hostConfig":{"CapAdd":["SYS_ADMIN"]}}"#,
            ),
            "HostConfig.Privileged",
            json!(true),
        ),
        (
            "duplicate objects merge (2)",
            b(
                r#"{"Image":"i","HostConfig":{"Privileged":true},"hostConfig":{"CapAdd":["SYS_ADMIN"]}}"#,
            ),
            "HostConfig.CapAdd",
            json!(["SYS_ADMIN"]),
        ),
        (
            "map keys are exact",
            b(r#"{"Image":"i","Labels":{"a":"1","A":"2","a":"3"}}"#),
            "Labels",
            json!({"a":"3","A":"2"}),
        ),
        // Slices: a later list is decoded into the earlier one's array.
        (
            "null element keeps the old one",
            b(r#"{"Image":"i","HostConfig":{"Binds":["/etc:/x","/tmp:/y"],"Binds":[null]}}"#),
            "HostConfig.Binds",
            json!(["/etc:/x"]),
        ),
        (
            "empty list resets",
            b(r#"{"Image":"i","HostConfig":{"Binds":["/etc:/x"],"Binds":[]}}"#),
            "HostConfig.Binds",
            json!([]),
        ),
        // moby's StrSlice: one string, or a list; replaced whole.
        (
            "strslice from a string",
            b(r#"{"Image":"i","HostConfig":{"CapAdd":"SYS_ADMIN"}}"#),
            "HostConfig.CapAdd",
            json!(["SYS_ADMIN"]),
        ),
        (
            "strslice replaced whole",
            b(r#"{"Image":"i","HostConfig":{"CapAdd":["A","B"],"CapAdd":[null]}}"#),
            "HostConfig.CapAdd",
            json!([""]),
        ),
        // Escapes in keys and values, surrogates, invalid UTF-8.
        (
            "escaped key",
            b(r#"{"Image":"i","\u0048ostConfig":{"\u0050rivileged":true}}"#),
            "HostConfig.Privileged",
            json!(true),
        ),
        (
            "escaped value",
            b(r#"{"Image":"i","User":"\u0072oot"}"#),
            "User",
            json!("root"),
        ),
        (
            "surrogate pair",
            b(r#"{"Image":"i","User":"\ud83d\ude00"}"#),
            "User",
            json!("\u{1f600}"),
        ),
        (
            "lone surrogate",
            b(r#"{"Image":"i","User":"a\ud800b"}"#),
            "User",
            json!("a\u{fffd}b"),
        ),
        (
            "reversed surrogates",
            b(r#"{"Image":"i","User":"\udc00\ud800"}"#),
            "User",
            json!("\u{fffd}\u{fffd}"),
        ),
        (
            "invalid UTF-8, per byte",
            b"{\"Image\":\"i\",\"User\":\"a\xe2\x84b\xff\"}".to_vec(),
            "User",
            json!("a\u{fffd}\u{fffd}b\u{fffd}"),
        ),
        (
            "invalid UTF-8 in a key",
            b"{\"Image\":\"i\",\"Us\xffer\":\"root\"}".to_vec(),
            "User",
            Value::Null,
        ),
        // Unknown fields are ignored (and dropped).
        (
            "unknown field",
            b(r#"{"Image":"i","Privileges":true,"HostConfig":{"Priv":true}}"#),
            "HostConfig",
            json!({}),
        ),
        // null leaves non-pointers alone, resets pointers/maps/slices.
        (
            "null keeps a bool",
            b(r#"{"Image":"i","HostConfig":{"Privileged":true,"Privileged":null}}"#),
            "HostConfig.Privileged",
            json!(true),
        ),
        (
            "null keeps a string",
            b(r#"{"Image":"i","User":"root","User":null}"#),
            "User",
            json!("root"),
        ),
        (
            "null resets a slice",
            b(r#"{"Image":"i","HostConfig":{"CapAdd":["X"],"CapAdd":null}}"#),
            "HostConfig.CapAdd",
            Value::Null,
        ),
        (
            "null keeps a struct",
            b(r#"{"Image":"i","HostConfig":{"Privileged":true},"HostConfig":null}"#),
            "HostConfig.Privileged",
            Value::Null,
        ),
        // Integers.
        (
            "integer",
            b(r#"{"Image":"i","HostConfig":{"Memory":1073741824}}"#),
            "HostConfig.Memory",
            json!(1_073_741_824),
        ),
        (
            "negative integer",
            b(r#"{"Image":"i","HostConfig":{"MemorySwap":-1}}"#),
            "HostConfig.MemorySwap",
            json!(-1),
        ),
        // Only the first value counts (20.10's Decoder.Decode).
        (
            "trailing garbage ignored",
            b(r#"{"Image":"i","User":"a"} trailing"#),
            "User",
            json!("a"),
        ),
        (
            "trailing object ignored",
            b(r#"{"Image":"i"}{"Image":"i","HostConfig":{"Privileged":true}}"#),
            "HostConfig",
            Value::Null,
        ),
        // No size cut-off: the field after 2.5 MiB counts.
        (
            "2 MiB body",
            padded(r#""HostConfig":{"Privileged":true}"#),
            "HostConfig.Privileged",
            json!(true),
        ),
        // 20.10's wrapper embeds *HostConfig: top-level fields count when there is no HostConfig.
        (
            "top-level HostConfig field",
            b(r#"{"Image":"i","Privileged":true,"Binds":["/:/host"]}"#),
            "HostConfig.Binds",
            json!(["/:/host"]),
        ),
        (
            "top-level ignored beside HostConfig",
            b(r#"{"Image":"i","Privileged":true,"HostConfig":{}}"#),
            "HostConfig.Privileged",
            Value::Null,
        ),
        (
            "top-level Memory fills a zero one",
            b(r#"{"Image":"i","Memory":5,"HostConfig":{}}"#),
            "HostConfig.Memory",
            json!(5),
        ),
        (
            "Cpuset fills CpusetCpus",
            b(r#"{"Image":"i","Cpuset":"0","HostConfig":{}}"#),
            "HostConfig.CpusetCpus",
            json!("0"),
        ),
        // Deep nesting below Go's limit is fine in an unknown field.
        (
            "deep unknown field",
            {
                let mut s = String::from(r#"{"Image":"i","X":"#);
                s.push_str(&"[".repeat(9_990));
                s.push_str(&"]".repeat(9_990));
                s.push('}');
                s.into_bytes()
            },
            "Image",
            json!("i"),
        ),
    ]
}

#[test]
fn go_rules() {
    let rows = accepted_rows();
    for (what, body, path, want) in &rows {
        let v = canon(body);
        assert_eq!(at(&v, path), want, "{what}: {path} in {v}");
    }
    eprintln!("{} accepted bodies checked", rows.len());
    assert!(fold_eq("NetworkMode", "networ\u{212a}mode"));
    assert!(fold_eq("SecurityOpt", "\u{17f}ECURITYOPT"));
    assert!(fold_eq("User", "U\u{17f}er"));
    assert!(!fold_eq("User", "\u{17f}ser"), "ſ folds only to s");
}

/// (what, body, error kind, message (prefix)).
fn refused_rows() -> Vec<(&'static str, Vec<u8>, ErrorKind, &'static str)> {
    let b = |s: &str| s.as_bytes().to_vec();
    vec![
        ("empty body", b(""), ErrorKind::Empty, "EOF"),
        (
            "truncated",
            b(r#"{"Image":"i""#),
            ErrorKind::Truncated,
            "unexpected EOF",
        ),
        (
            "syntax",
            b(r#"{"Image":"i",}"#),
            ErrorKind::Syntax,
            "invalid character '}' looking for beginning of object key string",
        ),
        (
            "bad escape",
            b(r#"{"Image":"\x"}"#),
            ErrorKind::Syntax,
            "invalid character 'x' in string escape code",
        ),
        (
            "control character",
            b("{\"Image\":\"a\u{1}\"}"),
            ErrorKind::Syntax,
            "invalid character '\\x01' in string literal",
        ),
        (
            "bool as a string",
            b(r#"{"Image":"i","HostConfig":{"Privileged":"true"}}"#),
            ErrorKind::Type,
            "json: cannot unmarshal string into Go struct field HostConfig.HostConfig.Privileged of type bool",
        ),
        (
            "float into an int",
            b(r#"{"Image":"i","HostConfig":{"Memory":1.5}}"#),
            ErrorKind::Type,
            "json: cannot unmarshal number 1.5 into Go struct field",
        ),
        (
            "exponent into an int",
            b(r#"{"Image":"i","HostConfig":{"Memory":1e3}}"#),
            ErrorKind::Type,
            "json: cannot unmarshal number 1e3 into Go struct field",
        ),
        (
            "int overflow",
            b(r#"{"Image":"i","HostConfig":{"Memory":9223372036854775808}}"#),
            ErrorKind::Type,
            "json: cannot unmarshal number 9223372036854775808 into Go struct field",
        ),
        (
            "negative into unsigned",
            b(r#"{"Image":"i","HostConfig":{"BlkioWeight":-1}}"#),
            ErrorKind::Type,
            "json: cannot unmarshal number -1 into Go struct field",
        ),
        (
            "unsigned overflow",
            b(r#"{"Image":"i","HostConfig":{"BlkioWeight":65536}}"#),
            ErrorKind::Type,
            "json: cannot unmarshal number 65536 into Go struct field",
        ),
        (
            "type error in a later duplicate",
            b(r#"{"Image":"i","HostConfig":{"Privileged":true,"privileged":1}}"#),
            ErrorKind::Type,
            "json: cannot unmarshal number into Go struct field",
        ),
        (
            "strslice of numbers",
            b(r#"{"Image":"i","HostConfig":{"CapAdd":[1]}}"#),
            ErrorKind::Type,
            "json: cannot unmarshal array into Go struct field HostConfig.HostConfig.CapAdd of type string",
        ),
        (
            "no Config",
            b(r#"{"HostConfig":{"Privileged":true}}"#),
            ErrorKind::NoConfig,
            "Config cannot be empty in order to create a container",
        ),
        (
            "not an object",
            b("[]"),
            ErrorKind::Type,
            "json: cannot unmarshal array into Go value of type",
        ),
        (
            "too deep",
            {
                let mut s = String::from(r#"{"Image":"i","X":"#);
                s.push_str(&"[".repeat(10_001));
                s.into_bytes()
            },
            ErrorKind::Syntax,
            "invalid character '[' exceeded max depth",
        ),
    ]
}

#[test]
fn refused_bodies() {
    let rows = refused_rows();
    for (what, body, kind, message) in &rows {
        let e = create(body).expect_err(what);
        assert_eq!(e.kind, *kind, "{what}: {e}");
        assert!(e.message.starts_with(message), "{what}: {:?}", e.message);
        assert!(e.status == 400 || e.status == 500, "{what}: {}", e.status);
    }
    eprintln!("{} refused bodies checked", rows.len());
}

#[test]
fn newer_engines_refuse_trailing_content() {
    let d = |b: &str| decode(Door::ContainerCreate, Dialect::Master, b.as_bytes());
    let e = d(r#"{"Image":"i"} {"HostConfig":{"Privileged":true}}"#).unwrap_err();
    assert_eq!(
        (e.status, e.kind, e.message.as_str()),
        (400, ErrorKind::Trailing, "unexpected content after JSON")
    );
    // json.Decoder.More is false before '}' or ']'.
    assert!(d(r#"{"Image":"i"}]"#).is_ok());
    assert_eq!(d("").unwrap_err().message, "invalid JSON: EOF");
}

#[test]
fn dialect_by_api_version_and_error_bodies() {
    for (v, want) in [
        ("1.41", Dialect::Engine20_10),
        ("1.24", Dialect::Engine20_10),
        ("1.42", Dialect::Master),
        ("1.51", Dialect::Master),
        ("2.0", Dialect::Master),
        ("", Dialect::Master),
        ("junk", Dialect::Master),
    ] {
        assert_eq!(Dialect::for_api_version(v), want, "{v}");
    }
    let e = create(br#"{"Image":"i","HostConfig":{"Privileged":1}}"#).unwrap_err();
    let body: Value = serde_json::from_slice(&e.json_body()).unwrap();
    assert_eq!(body, json!({"message": e.message}));
}

#[test]
fn forwarded_body_has_canonical_names_only() {
    let d = create(
        "{\"image\":\"i\",\"hostconfig\":{\"privileged\":true,\"Privileged\":false,\"CAPADD\":\"X\",\"Networ\u{212a}Mode\":\"host\"},\"Junk\":1}"
            .as_bytes(),
    )
    .unwrap();
    let forwarded: Value = serde_json::from_slice(&d.body()).unwrap();
    assert_eq!(
        forwarded,
        json!({"Image":"i","HostConfig":{"CapAdd":["X"],"NetworkMode":"host"}})
    );
    assert!(d.quirks.iter().any(|q| q.kind == QuirkKind::Duplicate));
    assert!(
        d.quirks
            .iter()
            .any(|q| matches!(&q.kind, QuirkKind::Unknown { key } if key == "Junk"))
    );
}

// -------------------------------------------------------------------------------------------
// The engine
// -------------------------------------------------------------------------------------------

struct Answer {
    status: u16,
    body: Value,
}

/// One HTTP/1.1 request to the engine's unix socket (std only; chunked answers decoded).
fn request(sock: &str, method: &str, path: &str, body: &[u8]) -> Answer {
    let mut s = UnixStream::connect(sock).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: docker\r\nUser-Agent: harden-tests\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut rest = raw[split + 4..].to_vec();
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        let mut out = Vec::new();
        let mut p = &rest[..];
        loop {
            let eol = p.windows(2).position(|w| w == b"\r\n").unwrap();
            let n = usize::from_str_radix(String::from_utf8_lossy(&p[..eol]).trim(), 16).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&p[eol + 2..eol + 2 + n]);
            p = &p[eol + 4 + n..];
        }
        rest = out;
    }
    let body = serde_json::from_slice(&rest)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&rest).into()));
    Answer { status, body }
}

/// The engine's stored value at a canonical path (`User` → `Config.User`).
fn stored<'v>(inspect: &'v Value, path: &str) -> &'v Value {
    if path.starts_with("HostConfig.") {
        at(inspect, path)
    } else {
        at(&inspect["Config"], path)
    }
}

/// What 20.10 stores for a field the body leaves out, when not the zero value.
fn engine_default(path: &str) -> Option<Value> {
    match path {
        "HostConfig.IpcMode" => Some(json!("private")),
        "HostConfig.NetworkMode" => Some(json!("default")),
        "HostConfig.ShmSize" => Some(json!(64 * 1024 * 1024)),
        _ => None,
    }
}

/// Equal, counting a missing canonical field as the zero value (or default) the engine shows.
fn agrees(path: &str, canonical: &Value, engine: &Value) -> bool {
    // The engine adds `label=disable` when it shares the host's PID or IPC namespace.
    let added = json!("label=disable");
    if path == "HostConfig.SecurityOpt"
        && !canonical.as_array().is_some_and(|a| a.contains(&added))
        && let Some(list) = engine.as_array().filter(|a| a.contains(&added))
    {
        let rest: Vec<Value> = list.iter().filter(|x| **x != added).cloned().collect();
        let rest = if rest.is_empty() {
            Value::Null
        } else {
            Value::Array(rest)
        };
        return agrees("", canonical, &rest);
    }
    if canonical.is_null()
        && let Some(d) = engine_default(path)
    {
        return *engine == d;
    }
    match (canonical, engine) {
        (Value::Null, Value::Null | Value::Bool(false) | Value::String(_)) => {
            engine.as_str().is_none_or(str::is_empty)
        }
        (Value::Null, Value::Number(n)) => n.as_f64() == Some(0.0),
        (a, b) => a == b,
    }
}

const ENGINE_FIELDS: &[&str] = &[
    "User",
    "Cmd",
    "HostConfig.Privileged",
    "HostConfig.CapAdd",
    "HostConfig.CapDrop",
    "HostConfig.Binds",
    "HostConfig.NetworkMode",
    "HostConfig.PidMode",
    "HostConfig.IpcMode",
    "HostConfig.SecurityOpt",
    "HostConfig.ReadonlyRootfs",
    "HostConfig.Memory",
    "HostConfig.ShmSize",
];

/// Bodies for the engine: each holds the test image and label, plus something tricky.
fn engine_bodies() -> Vec<(&'static str, Vec<u8>)> {
    let img = common::TEST_IMAGE;
    let base = format!(
        r#""Image":"{img}","Cmd":["true"],"Labels":{{"{}":"1"}}"#,
        common::TEST_LABEL_KEY
    );
    let b = |s: String| s.into_bytes();
    let mut v = vec![
        (
            "case variants",
            b(format!(
                r#"{{{base},"hostconfig":{{"PRIVILEGED":true,"capadd":["NET_ADMIN"],"networkmode":"none","PidMode":"host"}},"user":"nobody"}}"#
            )),
        ),
        (
            "case variant overrides",
            b(format!(
                r#"{{{base},"HostConfig":{{"Privileged":true,"privileged":false,"CapAdd":["SYS_ADMIN"],"capadd":["CHOWN"]}},"User":"root","uSeR":"1000"}}"#
            )),
        ),
        (
            "duplicate HostConfig merges",
            b(format!(
                r#"{{{base},"HostConfig":{{"Privileged":true}},"HostConfig":{{"CapAdd":["SYS_ADMIN"]}}}}"#
            )),
        ),
        (
            "escapes",
            b(format!(
                r#"{{{base},"\u0048ostConfig":{{"\u0050rivileged":true,"CapAdd":["\u0053YS_ADMIN"]}},"User":"\u0072oot"}}"#
            )),
        ),
        (
            "kelvin sign and long s",
            b(format!(
                "{{{base},\"HostConfig\":{{\"Networ\u{212a}Mode\":\"host\",\"\u{17f}ecurityOpt\":[\"no-new-privileges\"],\"ReadonlyRootf\\u017f\":true}}}}"
            )),
        ),
        (
            "look-alikes do not fold",
            b(format!(
                "{{{base},\"HostConfig\":{{\"Pr\u{131}vileged\":true,\"\u{ff30}idMode\":\"host\"}}}}"
            )),
        ),
        (
            "null keeps, null resets",
            b(format!(
                r#"{{{base},"User":"daemon","User":null,"HostConfig":{{"Privileged":true,"Privileged":null,"CapAdd":["X"],"CapAdd":null}}}}"#
            )),
        ),
        (
            "slice reuse",
            b(format!(
                r#"{{{base},"HostConfig":{{"Binds":["/tmp:/a","/etc:/b"],"Binds":[null]}}}}"#
            )),
        ),
        (
            "strslice string",
            b(format!(
                r#"{{{base},"HostConfig":{{"CapAdd":"NET_RAW","CapDrop":"ALL"}}}}"#
            )),
        ),
        (
            "surrogates",
            b(format!(r#"{{{base},"User":"\ud83d\ude00\ud800x"}}"#)),
        ),
        (
            "trailing data",
            b(format!(
                r#"{{{base},"User":"1"}} {{"HostConfig":{{"Privileged":true}}}}"#
            )),
        ),
        (
            "top-level HostConfig",
            b(format!(
                r#"{{{base},"Privileged":true,"PidMode":"host","Binds":["/tmp:/t"]}}"#
            )),
        ),
        (
            "top-level HostConfig ignored",
            b(format!(
                r#"{{{base},"Privileged":true,"Memory":67108864,"HostConfig":{{"IpcMode":"host"}}}}"#
            )),
        ),
        (
            "unknown fields",
            b(format!(
                r#"{{{base},"Privilege":true,"HostConfig":{{"Priviledged":true,"CapAdds":["ALL"]}}}}"#
            )),
        ),
        (
            "integers",
            b(format!(
                r#"{{{base},"HostConfig":{{"Memory":67108864,"ShmSize":1048576}}}}"#
            )),
        ),
    ];
    let mut bad = format!("{{{base},\"User\":\"a");
    bad.push('\u{1}'); // placeholder, replaced by invalid bytes below
    bad.push_str("\"}");
    let mut bad = bad.into_bytes();
    let at = bad.iter().position(|&c| c == 1).unwrap();
    bad.splice(at..=at, [0xff, b'b', 0xe2, 0x84]);
    v.push(("invalid UTF-8", bad));
    let mut big = format!(r#"{{{base},"Env":["PAD="#).into_bytes();
    big.extend(std::iter::repeat_n(b'x', PAD));
    big.extend_from_slice(br#""],"Padding":""#);
    big.extend(std::iter::repeat_n(b'y', PAD));
    big.extend_from_slice(br#"","HostConfig":{"Privileged":true,"CapAdd":["SYS_ADMIN"]}}"#);
    v.push(("2 MiB padding", big));
    v
}

/// Bodies the engine refuses (the reader must too, with the engine's message).
fn engine_refused() -> Vec<(&'static str, String)> {
    let img = common::TEST_IMAGE;
    let base = format!(
        r#""Image":"{img}","Labels":{{"{}":"1"}}"#,
        common::TEST_LABEL_KEY
    );
    vec![
        (
            "bool as a string",
            format!(r#"{{{base},"HostConfig":{{"Privileged":"true"}}}}"#),
        ),
        (
            "float into an int",
            format!(r#"{{{base},"HostConfig":{{"Memory":1.5}}}}"#),
        ),
        (
            "exponent into an int",
            format!(r#"{{{base},"HostConfig":{{"Memory":1e8}}}}"#),
        ),
        (
            "negative into unsigned",
            format!(r#"{{{base},"HostConfig":{{"BlkioWeight":-1}}}}"#),
        ),
        (
            "later duplicate of the wrong type",
            format!(r#"{{{base},"HostConfig":{{"Privileged":true,"privileged":"no"}}}}"#),
        ),
        (
            "strslice of numbers",
            format!(r#"{{{base},"HostConfig":{{"CapAdd":[1]}}}}"#),
        ),
        ("syntax", format!(r#"{{{base},"User":"a",}}"#)),
        ("truncated", format!(r#"{{{base},"User":"a""#)),
        (
            "no Config",
            r#"{"HostConfig":{"Privileged":true}}"#.to_string(),
        ),
        (
            "too deep",
            format!(r#"{{{base},"X":{}}}"#, "[".repeat(10_001)),
        ),
    ]
}

#[test]
fn engine_agrees() {
    let Some(engine) = common::engine() else {
        return;
    };
    let Some(sock) = engine.host.strip_prefix("unix://").map(str::to_string) else {
        common::unavailable::<()>("the engine is not on a unix socket");
        return;
    };
    common::require_test_image(&engine);
    // The expectations (trailing data ignored, top-level HostConfig, defaults) are 20.10's.
    let api = engine.api_version.clone().unwrap_or_default();
    if Dialect::for_api_version(&api) != Dialect::Engine20_10 {
        common::unavailable::<()>(&format!(
            "an Engine 20.10 (API 1.41); this one speaks {api}"
        ));
        return;
    }
    let mut guard = common::ContainerGuard::new(&engine);
    let (mut created, mut fields) = (0, 0);
    for (what, body) in engine_bodies() {
        let canonical = create(&body)
            .unwrap_or_else(|e| panic!("{what}: the reader refuses: {e}"))
            .value;
        let name = guard.name();
        let answer = request(
            &sock,
            "POST",
            &format!("/v1.41/containers/create?name={name}"),
            &body,
        );
        assert_eq!(
            answer.status, 201,
            "{what}: the engine answered {}",
            answer.body
        );
        let id = answer.body["Id"].as_str().unwrap().to_string();
        guard.track(id.clone());
        created += 1;
        let inspect = request(&sock, "GET", &format!("/v1.41/containers/{id}/json"), b"");
        assert_eq!(inspect.status, 200);
        for path in ENGINE_FIELDS {
            let (mine, theirs) = (at(&canonical, path), stored(&inspect.body, path));
            assert!(
                agrees(path, mine, theirs),
                "{what}: {path}: the reader says {mine}, the engine stored {theirs}"
            );
            fields += 1;
        }
        // And what the proxy would forward instead is read by the engine the same way.
        let name = guard.name();
        let forwarded = create(&body).unwrap().body();
        let answer = request(
            &sock,
            "POST",
            &format!("/v1.41/containers/create?name={name}"),
            &forwarded,
        );
        assert_eq!(answer.status, 201, "{what} (forwarded): {}", answer.body);
        let again = request(&sock, "GET", &format!("/v1.41/containers/{name}/json"), b"");
        for path in ENGINE_FIELDS {
            assert_eq!(
                stored(&again.body, path),
                stored(&inspect.body, path),
                "{what}: {path}: the forwarded body is stored differently"
            );
        }
    }
    let mut refused = 0;
    for (what, body) in engine_refused() {
        let mine = create(body.as_bytes()).expect_err(what);
        let name = guard.name();
        let answer = request(
            &sock,
            "POST",
            &format!("/v1.41/containers/create?name={name}"),
            body.as_bytes(),
        );
        assert!(answer.status >= 400, "{what}: the engine accepted it");
        assert_eq!(
            (mine.status, mine.message.as_str()),
            (
                answer.status,
                answer.body["message"].as_str().unwrap_or_default()
            ),
            "{what}"
        );
        refused += 1;
    }
    eprintln!(
        "engine agrees: {created} bodies created ({fields} fields compared, forwarded bodies too), {refused} refused alike"
    );
}

// -------------------------------------------------------------------------------------------
// The fuzz target's property, on stable
// -------------------------------------------------------------------------------------------

fn fixture_files(dir: &str) -> Vec<(String, Vec<u8>)> {
    let dir = common::repo_root().join(dir);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| {
                    let p = e.path();
                    (p.display().to_string(), std::fs::read(&p).unwrap())
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// The seeds: the tricky bodies, the engine bodies and the create bodies the CLI sent.
fn seeds() -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = fixture_files("tests/fixtures/proxy_body")
        .into_iter()
        .map(|(_, d)| d)
        .collect();
    seeds.extend(
        accepted_rows()
            .into_iter()
            .map(|r| r.1)
            .filter(|b| b.len() < 100_000),
    );
    seeds.extend(
        refused_rows()
            .into_iter()
            .map(|r| r.1)
            .filter(|b| b.len() < 100_000),
    );
    let runs = common::repo_root().join("tests/fixtures/argv/cli-28.2.2-runs.jsonl");
    for line in std::fs::read_to_string(runs).unwrap().lines() {
        let run: Value = serde_json::from_str(line).unwrap();
        if let Some(body) = run.get("body") {
            seeds.push(serde_json::to_vec(body).unwrap());
        }
    }
    seeds
}

#[test]
fn fuzz_property_holds_on_seeds_and_regressions() {
    let mut n = 0;
    for (name, data) in fixture_files("tests/fixtures/fuzz/proxy_body") {
        eprintln!("proxy_body regression: {name}");
        fuzz::proxy_body(&data);
        n += 1;
    }
    let seeds = seeds();
    for s in &seeds {
        fuzz::proxy_body(s);
    }
    eprintln!("{n} regressions, {} seeds", seeds.len());
    assert!(seeds.len() > 500);
}

/// xorshift64*: deterministic mutations without a crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One JSON-aware mutation: flip a key's case, a Kelvin sign or long s for k/s, escape a
/// letter, duplicate or drop a member, insert a token, or a plain byte edit.
fn mutate(rng: &mut Rng, data: &mut Vec<u8>) {
    const TOKENS: &[&[u8]] = &[
        b"null",
        b"true",
        b"false",
        b"0",
        b"-1",
        b"1e3",
        b"1.5",
        b"\"\"",
        b"[]",
        b"{}",
        b"[null]",
        b"\"x\"",
        b",",
        b":",
        b"\"Privileged\":true,",
        b"\"privileged\":false,",
        b"\"HostConfig\":{\"CapAdd\":[\"ALL\"]},",
        b"\"\\ud800\"",
        b"\"\\u212a\"",
        b"\xff",
        b"\"User\":\"root\",",
        b"\"Binds\":[null],",
        b"}",
        b"]",
        b"\"CapAdd\":\"X\",",
    ];
    if data.is_empty() {
        data.extend_from_slice(b"{}");
    }
    let at = rng.below(data.len());
    match rng.below(8) {
        0 => {
            // Flip the case of the letters of a key-ish run.
            let mut i = at;
            while i < data.len() && data[i].is_ascii_alphabetic() {
                data[i] ^= 0x20;
                i += 1;
            }
        }
        1 => {
            // k/K → Kelvin sign, s/S → long s.
            if let Some(i) =
                (at..data.len()).find(|&i| matches!(data[i], b'k' | b'K' | b's' | b'S'))
            {
                let rep: &[u8] = if data[i].eq_ignore_ascii_case(&b'k') {
                    "\u{212a}".as_bytes()
                } else {
                    "\u{17f}".as_bytes()
                };
                data.splice(i..=i, rep.iter().copied());
            }
        }
        2 => {
            // Escape a letter: X → \u0058.
            if let Some(i) = (at..data.len()).find(|&i| data[i].is_ascii_alphabetic()) {
                let esc = format!("\\u{:04x}", data[i]);
                data.splice(i..=i, esc.into_bytes());
            }
        }
        3 => {
            // Duplicate the member that starts at the next `"` after a `,` or `{`.
            if let Some(i) = (at..data.len()).find(|&i| matches!(data[i], b',' | b'{')) {
                let start = i + 1;
                if let Some(len) = data[start..].iter().position(|&c| c == b',') {
                    let member = data[start..start + len + 1].to_vec();
                    data.splice(start..start, member);
                }
            }
        }
        4 => {
            let t = TOKENS[rng.below(TOKENS.len())];
            data.splice(at..at, t.iter().copied());
        }
        5 => {
            let end = (at + 1 + rng.below(8)).min(data.len());
            data.drain(at..end);
        }
        6 => data[at] = rng.next() as u8,
        _ => {
            // Replace a value after a `:` with a token.
            if let Some(i) = (at..data.len()).find(|&i| data[i] == b':') {
                let end = (i + 1..data.len())
                    .find(|&j| matches!(data[j], b',' | b'}'))
                    .unwrap_or(data.len());
                let t = TOKENS[rng.below(10)];
                data.splice(i + 1..end, t.iter().copied());
            }
        }
    }
}

#[test]
fn fuzz_property_holds_on_mutations() {
    let seeds = seeds();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let rounds = 4_000;
    let (mut accepted, mut plain) = (0, 0);
    for _ in 0..rounds {
        let mut data = seeds[rng.below(seeds.len())].clone();
        for _ in 0..1 + rng.below(4) {
            mutate(&mut rng, &mut data);
        }
        if create(&data).is_ok() {
            accepted += 1;
            plain += usize::from(serde_json::from_slice::<Value>(&data).is_ok());
        }
        let shown = String::from_utf8_lossy(&data).into_owned();
        if let Err(e) = std::panic::catch_unwind(|| fuzz::proxy_body(&data)) {
            let dir = std::env::temp_dir().join("harden-proxy-body-failure");
            std::fs::write(&dir, &data).ok();
            panic!(
                "proxy_body fails on {shown} (saved in {}): {e:?}",
                dir.display()
            );
        }
    }
    eprintln!(
        "{rounds} mutated bodies: {accepted} accepted by the reader, {plain} of them also by serde_json"
    );
    assert!(
        plain > rounds / 10,
        "too few mutations reach the serde_json comparison"
    );
}
