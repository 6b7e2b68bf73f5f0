//! Unit tests: one per Go rule (the engine's own answers are in `tests/proxy_body.rs`).
#![allow(clippy::unwrap_used)]

use super::*;
use serde_json::json;

fn create(body: &str) -> Value {
    create_bytes(body.as_bytes())
}

fn create_bytes(body: &[u8]) -> Value {
    match decode(Door::ContainerCreate, Dialect::Engine20_10, body) {
        Ok(d) => {
            // Idempotence: what the proxy forwards reads the same.
            let again = decode(Door::ContainerCreate, Dialect::Engine20_10, &d.body()).unwrap();
            assert_eq!(again.value, d.value, "canonical body reads differently");
            d.value
        }
        Err(e) => panic!("{body:?}: {e}", body = String::from_utf8_lossy(body)),
    }
}

fn create_err(body: &str) -> EngineError {
    decode(Door::ContainerCreate, Dialect::Engine20_10, body.as_bytes()).unwrap_err()
}

fn master(body: &str) -> Result<Value, EngineError> {
    decode(Door::ContainerCreate, Dialect::Master, body.as_bytes()).map(|d| d.value)
}

const I: &str = r#""Image":"img""#;

#[test]
fn canonical_names_and_zero_values_left_out() {
    let v = create(&format!(
        r#"{{{I},"hostconfig":{{"privileged":true,"memory":0,"capadd":["NET_ADMIN"]}},"tty":false}}"#
    ));
    assert_eq!(
        v,
        json!({"Image":"img","HostConfig":{"Privileged":true,"CapAdd":["NET_ADMIN"]}})
    );
}

#[test]
fn field_names_fold_case_and_kelvin_and_long_s() {
    for key in ["Privileged", "PRIVILEGED", "privileged", "pRiViLeGeD"] {
        let v = create(&format!(r#"{{{I},"HostConfig":{{"{key}":true}}}}"#));
        assert_eq!(v["HostConfig"]["Privileged"], json!(true), "{key}");
    }
    // U+017F (ſ) folds to s, U+212A (K) to k: "ſecurityOpt", "ShmSize" with ſ, "MaskedPaths" with K.
    let v = create(&format!(
        r#"{{{I},"HostConfig":{{"ſecurityOpt":["seccomp=unconfined"],"Maſkedpaths":[],"\u212aernelMemory":5}}}}"#
    ));
    assert_eq!(
        v["HostConfig"]["SecurityOpt"],
        json!(["seccomp=unconfined"])
    );
    assert_eq!(v["HostConfig"]["MaskedPaths"], json!([]));
    assert_eq!(v["HostConfig"]["KernelMemory"], json!(5));
    // Other look-alikes do not fold (the dotless ı, the fullwidth P).
    let v = create(&format!(
        r#"{{{I},"HostConfig":{{"Prıvileged":true,"Ｐrivileged":true}}}}"#
    ));
    assert_eq!(v, json!({"Image":"img","HostConfig":{}}));
    assert!(fold_eq("CapAdd", "capadd"));
    assert!(!fold_eq("CapAdd", "capad"));
    assert!(!fold_eq("IPv6Gateway", "IPv7Gateway"));
}

#[test]
fn exact_name_beats_folded_name_and_map_keys_are_exact() {
    // Both spellings given: the exact one and the folded one are the same field; last wins.
    let v = create(&format!(
        r#"{{{I},"HostConfig":{{"Privileged":true,"privileged":false}}}}"#
    ));
    assert_eq!(v["HostConfig"].get("Privileged"), None);
    let v = create(&format!(
        r#"{{{I},"Labels":{{"a":"1","A":"2"}},"HostConfig":{{"Sysctls":{{"net.ipv4.ip_forward":"1","NET.ipv4.ip_forward":"0"}}}}}}"#
    ));
    assert_eq!(v["Labels"], json!({"a":"1","A":"2"}));
    assert_eq!(
        v["HostConfig"]["Sysctls"],
        json!({"net.ipv4.ip_forward":"1","NET.ipv4.ip_forward":"0"})
    );
}

#[test]
fn duplicate_scalars_last_wins_structs_and_maps_merge() {
    let v = create(&format!(
        r#"{{{I},"HostConfig":{{"Privileged":true}},"HostConfig":{{"Memory":1}},"Labels":{{"a":"1"}},"Labels":{{"b":"2"}},"User":"root","User":"nobody"}}"#
    ));
    assert_eq!(v["HostConfig"], json!({"Privileged":true,"Memory":1}));
    assert_eq!(v["Labels"], json!({"a":"1","b":"2"}));
    assert_eq!(v["User"], json!("nobody"));
    // A map entry given twice is replaced whole (no merge inside it).
    let v = create(&format!(
        r#"{{{I},"NetworkingConfig":{{"EndpointsConfig":{{"n":{{"Aliases":["a"]}},"n":{{"Links":["l"]}}}}}}}}"#
    ));
    assert_eq!(
        v["NetworkingConfig"]["EndpointsConfig"],
        json!({"n":{"Links":["l"]}})
    );
}

#[test]
fn duplicate_slices_reuse_the_old_backing_array() {
    // `[null]` leaves the old element in place.
    let v = create(&format!(
        r#"{{{I},"HostConfig":{{"Binds":["/etc:/x"]}},"HostConfig":{{"Binds":[null]}}}}"#
    ));
    assert_eq!(v["HostConfig"]["Binds"], json!(["/etc:/x"]));
    // Shorter then longer: the old second element comes back.
    let v = create(&format!(
        r#"{{{I},"HostConfig":{{"Binds":["/etc:/x","/tmp:/y"]}},"HostConfig":{{"Binds":["/usr:/u"]}},"HostConfig":{{"Binds":[null,null]}}}}"#
    ));
    assert_eq!(v["HostConfig"]["Binds"], json!(["/usr:/u", "/tmp:/y"]));
    // `[]` resets the backing array.
    let v = create(&format!(
        r#"{{{I},"HostConfig":{{"Binds":["/etc:/x"]}},"HostConfig":{{"Binds":[]}},"HostConfig":{{"Binds":[null]}}}}"#
    ));
    assert_eq!(v["HostConfig"]["Binds"], json!([""]));
    // Struct elements merge into the old ones.
    let v = create(&format!(
        r#"{{{I},"HostConfig":{{"Mounts":[{{"Type":"bind","Source":"/","Target":"/h"}}],"Mounts":[{{"Target":"/x"}}]}}}}"#
    ));
    assert_eq!(
        v["HostConfig"]["Mounts"],
        json!([{"Type":"bind","Source":"/","Target":"/x"}])
    );
}

#[test]
fn strslice_takes_a_string_and_is_replaced_whole() {
    let v = create(&format!(
        r#"{{{I},"Cmd":"echo hi","HostConfig":{{"CapAdd":["A","B"],"CapAdd":[null]}}}}"#
    ));
    assert_eq!(v["Cmd"], json!(["echo hi"]));
    assert_eq!(v["HostConfig"]["CapAdd"], json!([""]));
    let e = create_err(&format!(r#"{{{I},"Cmd":5}}"#));
    assert_eq!(
        e.message,
        "json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Cmd of type string"
    );
    // master: Cmd is a plain []string.
    let e = master(&format!(r#"{{{I},"Cmd":"echo hi"}}"#)).unwrap_err();
    assert_eq!(e.status, 400);
    assert_eq!(
        e.message,
        "invalid JSON: json: cannot unmarshal string into Go struct field CreateRequest.Cmd of type []string"
    );
}

#[test]
fn escapes_in_keys_and_values() {
    let v = create(&format!(
        r#"{{{I},"HostConfig":{{"Privil\u0065ged":true,"Binds":["\/var\/run\/docker.sock:\/s"]}},"\u0055ser":"r\u006F\u006ft"}}"#
    ));
    assert_eq!(v["HostConfig"]["Privileged"], json!(true));
    assert_eq!(v["HostConfig"]["Binds"], json!(["/var/run/docker.sock:/s"]));
    assert_eq!(v["User"], json!("root"));
    // A lone surrogate is U+FFFD, in keys too (so that key matches nothing).
    let v = create(&format!(
        r#"{{{I},"Labels":{{"a\ud800":"\udc00x"}},"Priv\ud800ileged":true}}"#
    ));
    assert_eq!(v["Labels"], json!({"a\u{fffd}":"\u{fffd}x"}));
    assert!(v.get("HostConfig").is_none());
}

#[test]
fn invalid_utf8_becomes_replacement_characters() {
    let mut body = format!(r#"{{{I},"Labels":{{"k":""#).into_bytes();
    body.extend_from_slice(b"\xe2\x82a\xff");
    body.extend_from_slice(br#""}}"#);
    let v = create_bytes(&body);
    assert_eq!(v["Labels"]["k"], json!("\u{fffd}\u{fffd}a\u{fffd}"));
    // Outside strings it is a syntax error.
    let e = decode(Door::ContainerCreate, Dialect::Engine20_10, b"{\xff}").unwrap_err();
    assert_eq!(e.kind, ErrorKind::Syntax);
    assert_eq!(
        e.message,
        "invalid character 'ÿ' looking for beginning of object key string"
    );
}

#[test]
fn null_resets_pointers_maps_slices_only() {
    let v = create(&format!(
        r#"{{{I},"Labels":{{"a":"1"}},"Labels":null,"Env":["A=1"],"Env":null,"User":"root","User":null,"Tty":true,"Tty":null,"StopTimeout":3,"StopTimeout":null,"HostConfig":{{"Privileged":true,"LogConfig":{{"Type":"none"}},"LogConfig":null,"Memory":5,"Memory":null,"Init":true,"Init":null}}}}"#
    ));
    assert_eq!(
        v,
        json!({"Image":"img","User":"root","Tty":true,"HostConfig":{"Privileged":true,"LogConfig":{"Type":"none"},"Memory":5}})
    );
    // null into a pointer-to-struct: nil.
    let v = create(&format!(
        r#"{{{I},"HostConfig":{{"Privileged":true}},"HostConfig":null}}"#
    ));
    assert!(v.get("HostConfig").is_none());
}

#[test]
fn unknown_fields_are_dropped_and_reported() {
    let d = decode(
        Door::ContainerCreate,
        Dialect::Engine20_10,
        br#"{"Image":"i","Bogus":{"Privileged":true},"HostConfig":{"Annotations":{"a":"b"}}}"#,
    )
    .unwrap();
    assert_eq!(d.value, json!({"Image":"i","HostConfig":{}}));
    assert!(d.quirks.contains(&Quirk {
        path: "/Bogus".into(),
        kind: QuirkKind::Unknown {
            key: "Bogus".into()
        }
    }));
    assert!(d.quirks.contains(&Quirk {
        path: "/HostConfig/Annotations".into(),
        kind: QuirkKind::Unknown {
            key: "Annotations".into()
        }
    }));
    // master knows Annotations.
    let v = master(r#"{"Image":"i","HostConfig":{"Annotations":{"a":"b"}}}"#).unwrap();
    assert_eq!(v["HostConfig"]["Annotations"], json!({"a":"b"}));
}

#[test]
fn integers_only_from_integer_literals() {
    let v = create(&format!(
        r#"{{{I},"HostConfig":{{"Memory":-0,"ShmSize":9223372036854775807,"BlkioWeight":65535}}}}"#
    ));
    assert_eq!(
        v["HostConfig"],
        json!({"ShmSize":9223372036854775807_i64,"BlkioWeight":65535})
    );
    for (lit, ty) in [
        ("1e3", "int64"),
        ("1.0", "int64"),
        ("9223372036854775808", "int64"),
    ] {
        let e = create_err(&format!(r#"{{{I},"HostConfig":{{"Memory":{lit}}}}}"#));
        assert_eq!(
            e.message,
            format!(
                "json: cannot unmarshal number {lit} into Go struct field HostConfig.HostConfig.Memory of type {ty}"
            )
        );
        assert_eq!((e.status, e.kind), (500, ErrorKind::Type));
    }
    let e = create_err(&format!(r#"{{{I},"HostConfig":{{"BlkioWeight":65536}}}}"#));
    assert!(e.message.contains("number 65536") && e.message.ends_with("of type uint16"));
    let e = create_err(&format!(r#"{{{I},"HostConfig":{{"IOMaximumIOps":-0}}}}"#));
    assert!(e.message.contains("number -0") && e.message.ends_with("of type uint64"));
    let e = create_err(&format!(r#"{{{I},"HostConfig":{{"Memory":"1"}}}}"#));
    assert!(e.message.contains("cannot unmarshal string into"));
}

#[test]
fn bools_only_from_true_false() {
    let e = create_err(&format!(r#"{{{I},"HostConfig":{{"Privileged":"true"}}}}"#));
    assert_eq!(
        e.message,
        "json: cannot unmarshal string into Go struct field HostConfig.HostConfig.Privileged of type bool"
    );
    let e = create_err(&format!(r#"{{{I},"HostConfig":{{"Privileged":1}}}}"#));
    assert!(e.message.starts_with("json: cannot unmarshal number into"));
}

#[test]
fn first_saved_type_error_wins_but_strslice_errors_stop_at_once() {
    let e = create_err(&format!(r#"{{{I},"Tty":"x","User":5}}"#));
    assert_eq!(
        e.message,
        "json: cannot unmarshal string into Go struct field ContainerConfigWrapper.Tty of type bool"
    );
    let e = create_err(&format!(r#"{{{I},"Tty":"x","Cmd":{{}}}}"#));
    assert_eq!(
        e.message,
        "json: cannot unmarshal object into Go struct field ContainerConfigWrapper.Cmd of type string"
    );
}

#[test]
fn wrong_json_types_and_messages() {
    let e = create_err("[]");
    assert_eq!(
        e.message,
        "json: cannot unmarshal array into Go value of type runconfig.ContainerConfigWrapper"
    );
    let e = create_err(&format!(
        r#"{{{I},"HostConfig":{{"Mounts":[{{"Type":1}}]}}}}"#
    ));
    assert_eq!(
        e.message,
        "json: cannot unmarshal number into Go struct field Mount.HostConfig.Mounts.Type of type mount.Type"
    );
    let e = create_err(&format!(r#"{{{I},"Volumes":{{"/x":1}}}}"#));
    assert_eq!(
        e.message,
        "json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Volumes of type struct {}"
    );
    let e = create_err(&format!(
        r#"{{{I},"HostConfig":{{"Ulimits":[{{"Soft":"1"}}]}}}}"#
    ));
    assert!(
        e.message
            .ends_with("Go struct field Ulimit.HostConfig.Ulimits.Soft of type int64")
    );
}

#[test]
fn empty_truncated_and_trailing_bodies() {
    assert_eq!(create_err("").message, "EOF");
    assert_eq!(create_err(" \n").kind, ErrorKind::Empty);
    assert_eq!(create_err(r#"{"Image":"#).message, "unexpected EOF");
    assert_eq!(create_err("null").status, 400);
    assert_eq!(create_err("{}").kind, ErrorKind::NoConfig);
    assert_eq!(create_err(r#"{"HostConfig":{}}"#).kind, ErrorKind::NoConfig);
    // 20.10 ignores what follows the value; master refuses it unless it starts with } or ].
    let d = decode(
        Door::ContainerCreate,
        Dialect::Engine20_10,
        br#"{"Image":"i"} {"HostConfig":{"Privileged":true}}"#,
    )
    .unwrap();
    assert_eq!(d.value, json!({"Image":"i"}));
    assert!(d.quirks.iter().any(|q| q.kind == QuirkKind::Trailing));
    let e = master(r#"{"Image":"i"} x"#).unwrap_err();
    assert_eq!(
        (e.status, e.message.as_str()),
        (400, "unexpected content after JSON")
    );
    assert!(master(r#"{"Image":"i"}}"#).is_ok());
    assert_eq!(master("").unwrap_err().message, "invalid JSON: EOF");
}

#[test]
fn legacy_top_level_host_config_20_10() {
    // No HostConfig: the top-level fields are the HostConfig.
    let d = decode(
        Door::ContainerCreate,
        Dialect::Engine20_10,
        br#"{"Image":"i","Privileged":true,"Binds":["/:/h"]}"#,
    )
    .unwrap();
    assert_eq!(
        d.value,
        json!({"Image":"i","HostConfig":{"Binds":["/:/h"],"Privileged":true}})
    );
    assert!(
        d.quirks
            .iter()
            .any(|q| q.kind == QuirkKind::TopLevelHostConfig { used: true })
    );
    // With a HostConfig, only five fields fill zero inner values.
    let v = create(
        r#"{"Image":"i","Privileged":true,"Memory":7,"CpuShares":2,"Cpuset":"0","HostConfig":{"CpuShares":3}}"#,
    );
    assert_eq!(
        v["HostConfig"],
        json!({"CpuShares":3,"Memory":7,"CpusetCpus":"0"})
    );
    // HostConfig null: the top level counts again.
    let v = create(
        r#"{"Image":"i","HostConfig":{"CapAdd":["ALL"]},"HostConfig":null,"privileged":true}"#,
    );
    assert_eq!(v["HostConfig"], json!({"Privileged":true}));
    // master has no such thing.
    let v = master(r#"{"Image":"i","Privileged":true}"#).unwrap();
    assert_eq!(v, json!({"Image":"i"}));
}

#[test]
fn arrays_of_fixed_size() {
    let v = create(&format!(
        r#"{{{I},"HostConfig":{{"ConsoleSize":[1,2,"x"]}}}}"#
    ));
    assert_eq!(v["HostConfig"]["ConsoleSize"], json!([1, 2]));
    let v = create(&format!(
        r#"{{{I},"HostConfig":{{"ConsoleSize":[1,2]}},"HostConfig":{{"ConsoleSize":[3]}}}}"#
    ));
    assert_eq!(v["HostConfig"]["ConsoleSize"], json!([3, 0]));
}

#[test]
fn large_bodies_are_read_whole() {
    let pad = "x".repeat(2 * 1024 * 1024);
    let v = create(&format!(
        r#"{{{I},"Labels":{{"pad":"{pad}"}},"HostConfig":{{"Privileged":true}}}}"#
    ));
    assert_eq!(v["HostConfig"]["Privileged"], json!(true));
    // Deep nesting inside an unknown field is skipped without recursion.
    let deep = format!("{}{}", "[".repeat(9_999), "]".repeat(9_999));
    let v = create(&format!(r#"{{{I},"X":{deep},"Tty":true}}"#));
    assert_eq!(v["Tty"], json!(true));
}

#[test]
fn master_port_keys_are_normalised() {
    let v = master(
        r#"{"Image":"i","ExposedPorts":{"80":{},"80/TCP":{}},"HostConfig":{"PortBindings":{"53/UDP":[{"HostIp":"127.0.0.1","HostPort":"53"}]}}}"#,
    )
    .unwrap();
    assert_eq!(v["ExposedPorts"], json!({"80/tcp":{}}));
    assert_eq!(
        v["HostConfig"]["PortBindings"],
        json!({"53/udp":[{"HostIp":"127.0.0.1","HostPort":"53"}]})
    );
    let e = master(r#"{"Image":"i","ExposedPorts":{"x":{}}}"#).unwrap_err();
    assert_eq!(e.message, "invalid JSON: invalid port 'x': invalid syntax");
    let e = master(r#"{"Image":"i","ExposedPorts":{"70000":{}}}"#).unwrap_err();
    assert_eq!(
        e.message,
        "invalid JSON: invalid port '70000': value out of range"
    );
}

#[test]
fn exec_and_update_doors() {
    let d = decode(
        Door::ExecCreate,
        Dialect::Engine20_10,
        br#"{"privileged":true,"CMD":["sh"],"User":"0"}"#,
    )
    .unwrap();
    assert_eq!(d.value, json!({"User":"0","Privileged":true,"Cmd":["sh"]}));
    let e = decode(Door::ExecCreate, Dialect::Engine20_10, b"").unwrap_err();
    assert_eq!(
        (e.status, e.message.as_str()),
        (400, "got EOF while reading request body")
    );
    let e = decode(Door::ExecCreate, Dialect::Engine20_10, br#"{"Cmd":"sh"}"#).unwrap_err();
    assert_eq!(e.status, 400);
    let d = decode(
        Door::ContainerUpdate,
        Dialect::Engine20_10,
        br#"{"memory":1,"RestartPolicy":{"name":"always"},"PidsLimit":-1}"#,
    )
    .unwrap();
    assert_eq!(
        d.value,
        json!({"Memory":1,"PidsLimit":-1,"RestartPolicy":{"Name":"always"}})
    );
    let e = decode(Door::ContainerUpdate, Dialect::Engine20_10, b"{").unwrap_err();
    assert_eq!((e.status, e.kind), (500, ErrorKind::Truncated));
    // master's ReadJSON: an empty body is no body.
    let d = decode(Door::ContainerUpdate, Dialect::Master, b"").unwrap();
    assert_eq!(d.value, json!({}));
}

#[test]
fn quirks_report_folding_and_duplicates() {
    let d = decode(
        Door::ContainerCreate,
        Dialect::Engine20_10,
        br#"{"Image":"i","HostConfig":{"PRIVILEGED":true,"Privileged":false,"Privileged":true}}"#,
    )
    .unwrap();
    assert!(d.quirks.contains(&Quirk {
        path: "/HostConfig/Privileged".into(),
        kind: QuirkKind::Folded {
            key: "PRIVILEGED".into()
        }
    }));
    assert!(d.quirks.contains(&Quirk {
        path: "/HostConfig/Privileged".into(),
        kind: QuirkKind::Duplicate
    }));
}

#[test]
fn canonical_value_is_a_bollard_create_body_and_a_spec() {
    let v = create(
        r#"{"Image":"img","User":"1000","Cmd":"sh","Env":["A=1"],"ExposedPorts":{"80/tcp":{}},"Volumes":{"/v":{}},"Labels":{"a":"b"},"StopTimeout":0,
        "Healthcheck":{"Test":["CMD","true"],"Interval":1000000000},
        "HostConfig":{"privileged":true,"CapAdd":"NET_ADMIN","CapDrop":["ALL"],"Binds":["/etc:/x:ro"],"Memory":1048576,"PidsLimit":100,
          "PortBindings":{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"8080"}]},"RestartPolicy":{"Name":"always"},"LogConfig":{"Type":"json-file","Config":{"max-size":"1m"}},
          "Mounts":[{"Type":"tmpfs","Target":"/t","TmpfsOptions":{"SizeBytes":1024,"Mode":448}},{"Type":"bind","Source":"/s","Target":"/d","BindOptions":{"Propagation":"rprivate"}}],
          "Ulimits":[{"Name":"nofile","Soft":1,"Hard":2}],"Devices":[{"PathOnHost":"/dev/null","PathInContainer":"/dev/n","CgroupPermissions":"r"}],
          "DeviceRequests":[{"Count":-1,"Capabilities":[["gpu"]]}],"BlkioWeightDevice":[{"Path":"/dev/sda","Weight":10}],"BlkioDeviceReadBps":[{"Path":"/dev/sda","Rate":1}],
          "SecurityOpt":["no-new-privileges"],"ReadonlyRootfs":true,"Tmpfs":{"/run":"rw"},"Sysctls":{"net.core.somaxconn":"1"},"ConsoleSize":[1,2],"Init":true,"OomKillDisable":false},
        "NetworkingConfig":{"EndpointsConfig":{"bridge":{"IPAMConfig":{"IPv4Address":"172.17.0.9"},"Aliases":["a"]}}}}"#,
    );
    let body: bollard::models::ContainerCreateBody = serde_json::from_value(v.clone()).unwrap();
    let hc = body.host_config.clone().unwrap();
    assert_eq!(hc.privileged, Some(true));
    assert_eq!(hc.cap_add, Some(vec!["NET_ADMIN".to_string()]));
    assert_eq!(body.cmd, Some(vec!["sh".to_string()]));
    assert_eq!(body.stop_timeout, Some(0));
    let spec = crate::spec::spec_from_create_body(&body, &crate::spec::NoOrigins);
    assert_eq!(spec.privileged.map(|p| p.value), Some(true));
    assert_eq!(
        spec.cap_add
            .iter()
            .map(|c| c.value.clone())
            .collect::<Vec<_>>(),
        ["CAP_NET_ADMIN"]
    );
    assert_eq!(spec.memory.map(|m| m.value), Some(1_048_576));
}

#[test]
fn every_schema_flattens_without_hidden_fields() {
    use schema::*;
    for (s, n) in [
        (&CREATE_20_10, 25 + 3 + 39 + 31),
        (&CREATE_MASTER, 24 + 2),
        (&HOST_CONFIG_20_10, 39 + 31),
        (&HOST_CONFIG_MASTER, 40 + 29),
        (&EXEC_20_10, 11),
        (&UPDATE_20_10, 31 + 1),
        (&UPDATE_MASTER, 29 + 1),
    ] {
        let fields = flatten(s);
        let mut names: Vec<_> = fields.iter().map(|f| f.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), fields.len(), "{}", s.go);
        assert_eq!(fields.len(), n, "{}", s.go);
    }
}
