use super::*;
use std::fs;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

#[test]
fn builtin_presets_resolve_and_cover_every_rule() {
    for (name, text) in BUILTIN {
        let p = Preset::builtin(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!p.settings.user.is_empty(), "{name}");
        assert!(p.settings.memory > 0 && p.settings.nano_cpus > 0 && p.settings.pids_limit > 0);
        assert_eq!(p.settings.bind_ip, "127.0.0.1");
        for id in rules::ids() {
            assert!(
                p.rules.contains_key(id),
                "{name} resolves no action for {id}"
            );
        }
        // Every rule id the file names is a real rule (checked by parsing).
        PresetFile::parse(name, text).unwrap();
    }
    let default = Preset::builtin("default").unwrap();
    for id in rules::ids() {
        assert!(
            BUILTIN[0].1.contains(&format!("\n  {id}: ")),
            "presets/default.yaml must list {id} explicitly"
        );
        let meta = rules::find(id).unwrap().meta();
        assert_eq!(
            default.action(id),
            meta.default_action,
            "{id}: default.yaml and the rule declaration disagree"
        );
    }
}

#[test]
fn baseline_changes_nothing_and_strict_is_tighter() {
    let baseline = Preset::builtin("baseline").unwrap();
    assert!(baseline.rules.values().all(|a| *a != Action::Fix));
    let default = Preset::builtin("default").unwrap();
    for (id, a) in &default.rules {
        if *a == Action::Deny {
            assert_eq!(baseline.action(id), Action::Deny, "{id}");
        }
    }
    let strict = Preset::builtin("strict").unwrap();
    assert!(strict.settings.memory < default.settings.memory);
    assert_eq!(
        strict.settings.allowed_capabilities,
        ["CAP_NET_BIND_SERVICE"]
    );
    assert_eq!(strict.chain, ["default", "strict"]);
    assert_eq!(strict.action("image-digest"), Action::Warn);
}

#[test]
fn team_file_extends_and_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let base = write(
        dir.path(),
        "base.yaml",
        "extends: strict\nmemory: 1g\nrules:\n  healthcheck: off\n",
    );
    let team = write(
        dir.path(),
        ".harden.yaml",
        "extends: ./base.yaml\ncpus: 2\nwaivers:\n  - rules: [privileged]\n    images: ['docker:*dind*']\n    reason: CI builds need dind\n",
    );
    let sub = dir.path().join("a/b");
    fs::create_dir_all(&sub).unwrap();
    assert_eq!(discover(&sub), Some(team.clone()));
    let sel = select(None, None, &sub);
    assert_eq!(sel, Selection::TeamFile(team.clone()));
    let p = load(&sel, &sub).unwrap();
    assert_eq!(p.settings.memory, 1 << 30);
    assert_eq!(p.settings.nano_cpus, 2_000_000_000);
    assert_eq!(p.settings.pids_limit, 128, "inherited from strict");
    assert_eq!(p.action("healthcheck"), Action::Off);
    assert_eq!(p.chain.len(), 4, "{:?}", p.chain);
    assert!(p.chain[2].ends_with("base.yaml"));
    let w = p
        .waiver_for("privileged", Some("docker:27-dind"), None)
        .unwrap();
    assert_eq!(w.reason, "CI builds need dind");
    assert!(
        w.declared_in.ends_with(".harden.yaml:4"),
        "{}",
        w.declared_in
    );
    assert!(
        p.waiver_for("privileged", Some("docker:27"), None)
            .is_none()
    );
    assert!(
        p.waiver_for("host-pid", Some("docker:27-dind"), None)
            .is_none()
    );
    let _ = base;
}

#[test]
fn selection_precedence() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".harden.yaml", "rules: {}\n");
    assert_eq!(
        select(Some("strict"), Some("baseline"), dir.path()),
        Selection::Flag("strict".into())
    );
    assert_eq!(
        select(None, Some("baseline"), dir.path()),
        Selection::Env("baseline".into())
    );
    assert!(matches!(
        select(None, None, dir.path()),
        Selection::TeamFile(_)
    ));
    let empty = tempfile::tempdir().unwrap();
    // Assumes no .harden.yaml above the temp dir.
    if discover(empty.path()).is_none() {
        assert_eq!(select(None, Some(""), empty.path()), Selection::Default);
    }
}

fn error_of(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "team.yaml", text);
    let e = Preset::named_or_path(p.to_str().unwrap(), dir.path()).unwrap_err();
    e.to_string()
        .replace(&dir.path().display().to_string(), "DIR")
}

#[test]
fn errors_name_file_and_line() {
    assert_eq!(
        error_of("memory: 1g\nrules:\n  cap-drop-al: fix\n"),
        "DIR/team.yaml:3:3: unknown rule `cap-drop-al` (did you mean `cap-drop-all`? `harden rules` lists them)"
    );
    let e = error_of("memory: 1g\nmemroy: 2g\n");
    assert!(
        e.starts_with("DIR/team.yaml:2:1: unknown field `memroy`"),
        "{e}"
    );
    assert_eq!(
        error_of("rules:\n  privileged: fix\n"),
        "DIR/team.yaml:2:3: rule `privileged` has no automatic fix; use deny, warn or off"
    );
    assert_eq!(
        error_of("waivers:\n  - rules: [privileged]\n    images: [x]\n"),
        "DIR/team.yaml:2:13: a waiver needs a `reason:` saying why the rule does not apply"
    );
    assert_eq!(
        error_of("rules:\n  privileged: maybe\n"),
        "DIR/team.yaml:2:15: rules.privileged: unknown variant `maybe`, expected one of `fix`, `deny`, `warn`, `off`"
    );
    assert_eq!(
        error_of("user: root\n"),
        "DIR/team.yaml:1:1: user `root` is root; give a non-root user such as 65534:65534"
    );
    assert_eq!(
        error_of("memory: lots\n"),
        "DIR/team.yaml:1:1: memory `lots` is not a size such as 512m or 1g"
    );
    assert_eq!(
        error_of("bind_ip: localhost\n"),
        "DIR/team.yaml:1:1: bind_ip `localhost` is not an IP address"
    );
    assert_eq!(
        error_of("extends: nosuch\n"),
        "unknown preset `nosuch` (built-in presets: default, strict, baseline; or give a path to a YAML file)"
    );
    let e = error_of(": : :\n");
    assert!(e.starts_with("DIR/team.yaml:1:"), "{e}");
}

#[test]
fn extends_cycles_and_missing_files_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", "extends: ./b.yaml\n");
    write(dir.path(), "b.yaml", "extends: ./a.yaml\n");
    let e = Preset::named_or_path("./a.yaml", dir.path()).unwrap_err();
    assert!(matches!(e, PresetError::Cycle(_)), "{e}");
    let e = Preset::named_or_path("./missing.yaml", dir.path()).unwrap_err();
    assert!(e.to_string().starts_with("cannot read preset "), "{e}");
    let e = Preset::named_or_path(dir.path().to_str().unwrap(), dir.path()).unwrap_err();
    assert!(e.to_string().contains("is a directory"), "{e}");
}

#[test]
fn values_parse_exactly() {
    use file::{parse_cpus, parse_memory};
    assert_eq!(parse_memory("512m"), Ok(512 << 20));
    assert_eq!(parse_memory("1GiB"), Ok(1 << 30));
    assert_eq!(parse_memory("1.5g"), Ok(3 << 29));
    assert!(parse_memory("1k").is_err(), "below the engine minimum");
    assert_eq!(parse_cpus("0.5"), Ok(500_000_000));
    assert_eq!(parse_cpus("2"), Ok(2_000_000_000));
    assert!(parse_cpus("0.001").is_err());
    assert!(parse_cpus("1.0000000001").is_err());
    assert!(parse_cpus("-1").is_err());
    // The preset's own readers differed from docker's: they refused `1/2`, `+1` and `1e3m`
    // (docker takes them) and took `8mbb` (docker refuses it).
    assert_eq!(parse_cpus("1/2"), Ok(500_000_000));
    assert_eq!(parse_cpus("+1"), Ok(1_000_000_000));
    assert_eq!(parse_memory("1e3m"), Ok(1000 << 20));
    assert!(parse_memory("8mbb").is_err());
    assert_eq!(
        parse_cpus("1/3").unwrap_err(),
        "cpus `1/3` is too precise (at most 9 decimals)"
    );
}

#[test]
fn image_patterns() {
    assert!(image_matches("nginx", "nginx:1.25"));
    assert!(image_matches("nginx", "nginx"));
    assert!(!image_matches("nginx", "nginx-proxy:1"));
    assert!(image_matches("docker:*dind*", "docker:27-dind"));
    assert!(image_matches("*/cadvisor", "ghcr.io/google/cadvisor:v0.49"));
    assert!(image_matches("localhost:5000/app", "localhost:5000/app:1"));
    assert_eq!(
        repository("localhost:5000/app:1@sha256:ab"),
        "localhost:5000/app"
    );
    assert_eq!(repository("localhost:5000/app"), "localhost:5000/app");
}

#[test]
fn image_profiles_compare_familiar_names() {
    let profile = |pattern: &str| ImageProfile {
        pattern: pattern.into(),
        reason: "r".into(),
        user: None,
        tmpfs: vec![],
        volumes: vec![],
        cap_add: vec![],
        declared_in: "p.yaml:1".into(),
        matcher: Default::default(),
    };
    assert!(profile("nginx").matches("docker.io/library/nginx:1.27"));
    assert!(profile("docker.io/library/nginx:1.27").matches("nginx:1.27"));
    assert!(profile("library/nginx").matches("index.docker.io/nginx"));
    assert!(profile("bitnami/redis").matches("docker.io/bitnami/redis:7"));
    // The preset's own shortening dropped `library/` before a nested path, so `foo/bar`
    // matched the different Hub repository `library/foo/bar`.
    assert!(!profile("foo/bar").matches("docker.io/library/foo/bar"));
}

#[test]
fn show_renders_a_preset_that_parses_back() {
    for (name, _) in BUILTIN {
        let p = Preset::builtin(name).unwrap();
        let yaml = p.to_yaml();
        let back = PresetFile::parse("shown", &yaml).unwrap_or_else(|e| panic!("{yaml}\n{e}"));
        let mut again = Preset {
            name: String::new(),
            description: String::new(),
            chain: Vec::new(),
            settings: file::root_settings(),
            rules: BTreeMap::new(),
            waivers: Vec::new(),
            profiles: Vec::new(),
            locks: Vec::new(),
            origins: BTreeMap::new(),
        };
        back.apply_to(&mut again).unwrap();
        assert_eq!(again.settings, p.settings, "{name}");
        assert_eq!(again.rules, p.rules, "{name}");
        let strip = |v: &[crate::preset::ImageProfile]| -> Vec<crate::preset::ImageProfile> {
            v.iter()
                .map(|x| crate::preset::ImageProfile {
                    declared_in: String::new(),
                    ..x.clone()
                })
                .collect()
        };
        assert_eq!(strip(&again.profiles), strip(&p.profiles), "{name}");
    }
}

#[test]
fn alias_amplification_is_refused_before_expanding() {
    // One anchor of 20,000 items used 4,000 times (170 KB): serde_yaml alone took 56 s and
    // 5 GB, then aborted.
    let items: Vec<String> = (0..20_000).map(|i| format!("k{i}")).collect();
    let text = format!(
        "user: [&big [{}], {}]\n",
        items.join(", "),
        vec!["*big"; 4000].join(", ")
    );
    let start = std::time::Instant::now();
    let e = PresetFile::parse(".harden.yaml", &text).unwrap_err();
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
    let msg = e.to_string();
    assert!(msg.starts_with(".harden.yaml:1:"), "{msg}");
    assert!(msg.contains("alias amplification"), "{msg}");
    // Aliases in moderation still work.
    let ok = "allowed_capabilities: &caps [CHOWN]\nwaivers:\n  - {rules: [privileged], images: [a], reason: r}\n";
    PresetFile::parse("p.yaml", ok).unwrap();
}

#[test]
fn image_profiles_are_validated_and_matched() {
    let ok = "images:\n  nginx:\n    reason: runs as its own account\n    user: \"101:101\"\n    tmpfs:\n      - path: /var/cache/nginx\n        reason: temp files\n      - path: /run/x\n        uid: 5\n        mode: \"1777\"\n        reason: sockets\n";
    let f = PresetFile::parse("p.yaml", ok).unwrap();
    let mut p = Preset::builtin("default").unwrap();
    f.apply_to(&mut p).unwrap();
    let prof = p.profile_for("docker.io/library/nginx:1.27").unwrap();
    assert_eq!(prof.user.as_deref(), Some("101:101"));
    assert_eq!(prof.declared_in, "p.yaml:2");
    assert!(p.profile_for("nginx").is_some());
    assert!(p.profile_for("registry.example/nginx:1").is_none());
    assert!(p.profile_for("index.docker.io/library/nginx").is_some());
    for (bad, want) in [
        (
            "images:\n  nginx:\n    user: \"101:101\"\n",
            "needs a `reason:`",
        ),
        (
            "images:\n  nginx:\n    reason: r\n    user: nginx\n",
            "numeric non-root",
        ),
        (
            "images:\n  nginx:\n    reason: r\n    user: \"0:0\"\n",
            "numeric non-root",
        ),
        (
            "images:\n  nginx:\n    reason: r\n    tmpfs:\n      - path: x\n        reason: y\n",
            "not absolute",
        ),
        (
            "images:\n  nginx:\n    reason: r\n    tmpfs:\n      - path: /x\n",
            "needs a `reason:`",
        ),
        (
            "images:\n  nginx:\n    reason: r\n    tmpfs:\n      - path: /x\n        mode: \"9\"\n        reason: y\n",
            "not octal",
        ),
        (
            "images:\n  nginx:\n    reason: r\n    cap: [x]\n",
            "unknown field",
        ),
    ] {
        let e = PresetFile::parse("p.yaml", bad).unwrap_err().to_string();
        assert!(e.contains(want) && e.starts_with("p.yaml:"), "{bad}: {e}");
    }
}

#[test]
fn settings_default_is_the_builtin_default() {
    assert_eq!(
        Settings::default(),
        Preset::builtin("default").unwrap().settings
    );
}

/// `presets/resolved/*.json` are the built-in presets resolved from their YAML, and reading one
/// gives exactly that preset. `HARDEN_BLESS=1 cargo test --lib preset::` rewrites them.
#[test]
fn resolved_builtins_match_their_yaml() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("presets/resolved");
    let bless = std::env::var("HARDEN_BLESS").is_ok_and(|v| v == "1");
    assert_eq!(
        BUILTIN.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        RESOLVED.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        "every built-in preset has a resolved form"
    );
    let mut stale = Vec::new();
    for (name, json) in RESOLVED {
        let from_yaml =
            resolve_source_with(&Source::Builtin(name.to_string()), &mut Vec::new(), false)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected = serde_json::to_string_pretty(&from_yaml).unwrap() + "\n";
        if *json != expected {
            if bless {
                fs::write(dir.join(format!("{name}.json")), &expected).unwrap();
            } else {
                stale.push(*name);
            }
            continue;
        }
        // Every field, including those JSON does not carry (caches, per-container settings).
        let read = resolved_builtin(name).unwrap();
        assert_eq!(format!("{read:?}"), format!("{from_yaml:?}"), "{name}");
        assert_eq!(
            format!("{:?}", Preset::builtin(name).unwrap()),
            format!("{from_yaml:?}")
        );
    }
    assert!(
        stale.is_empty(),
        "presets/resolved/{stale:?}.json are stale; run `HARDEN_BLESS=1 cargo test --lib preset::`"
    );
}
