//! One Compose service (all its layers) → [`Spec`], with an [`Origin::Yaml`] for every field.
//!
//! Merge rules across files (Compose's): scalars and mappings' keys — the last file wins; lists
//! of ports, expose, capabilities, security options, tmpfs, devices — concatenated; volumes —
//! merged by target; environment and sysctls — merged by name.

use super::interp::{self, Env};
use super::tree::{Entry, Node, Pos, route_string};
use super::{Project, Service};
use crate::parse::units::{compose_nano_cpus, mem_swap_bytes, ram_in_bytes};
use crate::parse::{gocompat, mounts, ports};
use crate::spec::{
    At, EnvVar, Health, Mount, MountKind, Origin, Port, Restart, Spec, Tmpfs, normalize_capability,
};
use std::path::Path;
use std::sync::Arc;

/// Something the front end could not read soundly (an unset variable in a security-relevant
/// value, an unparsable value): reported, never guessed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub origin: Origin,
    pub message: String,
}

/// The spec of one service plus what could not be read.
#[derive(Clone, Debug)]
pub struct ServiceSpec {
    pub spec: Spec,
    pub notes: Vec<Note>,
}

struct Ctx<'a> {
    project: &'a Project,
    svc: &'a Service,
    notes: Vec<Note>,
    /// Each file's path as origins share it, made when first needed.
    paths: Vec<std::cell::OnceCell<Arc<Path>>>,
}

/// A value with its node and origin.
struct Found<'a> {
    file: usize,
    entry: &'a Entry,
}

impl<'a> Ctx<'a> {
    fn env_of(&self, n: &Node) -> &Env {
        self.project.env_of(n)
    }

    fn file(&self, i: usize) -> &Path {
        &self.project.files[i].path
    }

    /// [`Ctx::file`], shared.
    fn shared_file(&self, i: usize) -> Arc<Path> {
        match self.paths.get(i) {
            Some(cell) => cell.get_or_init(|| self.file(i).into()).clone(),
            None => self.file(i).into(),
        }
    }

    fn origin_entry(&self, file: usize, e: &Entry) -> Origin {
        Origin::Yaml {
            file: self.shared_file(file),
            route: route_string(&e.path).into(),
            line: e.key_pos.line,
            column: e.key_pos.column,
        }
    }

    fn origin_node(&self, file: usize, n: &Node) -> Origin {
        Origin::Yaml {
            file: self.shared_file(file),
            route: route_string(&n.path).into(),
            line: n.pos.line,
            column: n.pos.column,
        }
    }

    /// The resolved service's entry at `keys`.
    fn last(&self, keys: &[&str]) -> Option<Found<'a>> {
        let e = lookup(&self.svc.node, keys)?;
        Some(Found {
            file: e.value.file as usize,
            entry: e,
        })
    }

    /// The entry at `keys`, as a list of one (the resolved service has one value per key).
    fn all(&self, keys: &[&str]) -> Vec<Found<'a>> {
        self.last(keys).into_iter().collect()
    }

    /// Interpolated text of a scalar; notes unset variables when `relevant`.
    /// `keys` name the value in notes (`deploy.resources.limits.memory`).
    fn text(&mut self, file: usize, n: &Node, keys: &[&str], relevant: bool) -> Option<String> {
        let raw = n.as_str()?;
        let _ = file;
        let file = n.file as usize;
        let r = interp::resolve(raw, self.env_of(n));
        if relevant && !r.unresolved.is_empty() {
            let origin = self.origin_node(file, n);
            self.notes.push(Note {
                origin,
                message: format!(
                    "`{}` is `{raw}`, and {} not set here: checked as `{}`",
                    keys.join("."),
                    vars_phrase(&r.unresolved),
                    r.value
                ),
            });
        }
        Some(r.value)
    }

    fn string(&mut self, keys: &[&str], relevant: bool) -> Option<At<String>> {
        let f = self.last(keys)?;
        let v = self.text(f.file, &f.entry.value, keys, relevant)?;
        Some(At::new(v, self.origin_entry(f.file, f.entry)))
    }

    fn boolean(&mut self, keys: &[&str]) -> Option<At<bool>> {
        let f = self.last(keys)?;
        let v = self.text(f.file, &f.entry.value, keys, true)?;
        let b = match yaml_bool(&v) {
            Some(b) => b,
            None => {
                let other = v.to_ascii_lowercase();
                let origin = self.origin_entry(f.file, f.entry);
                self.notes.push(Note {
                    origin,
                    message: format!(
                        "`{}` is `{other}`, not a boolean: checked as false",
                        keys.join(".")
                    ),
                });
                false
            }
        };
        Some(At::new(b, self.origin_entry(f.file, f.entry)))
    }

    fn number<T>(
        &mut self,
        keys: &[&str],
        parse: impl Fn(&str) -> Result<T, String>,
        kind: &str,
    ) -> Option<At<T>> {
        let f = self.last(keys)?;
        let v = self.text(f.file, &f.entry.value, keys, true)?;
        let origin = self.origin_entry(f.file, f.entry);
        match parse(v.trim()) {
            Ok(x) => Some(At::new(x, origin)),
            Err(_) => {
                if !v.is_empty() {
                    self.notes.push(Note {
                        origin,
                        message: format!("`{}` is `{v}`, not {kind}: ignored", keys.join(".")),
                    });
                }
                None
            }
        }
    }

    /// Items of a list (or a single scalar): `(file, item node)`.
    fn items(&self, keys: &[&str]) -> Vec<(usize, Arc<Node>)> {
        let mut out = Vec::new();
        for f in self.all(keys) {
            match f.entry.value.as_seq() {
                Some(items) => out.extend(items.iter().map(|i| (i.file as usize, i.clone()))),
                None if f.entry.value.is_null() => {}
                None => out.push((f.file, f.entry.value.clone())),
            }
        }
        out
    }

    fn string_list(&mut self, keys: &[&str]) -> Vec<At<String>> {
        let mut out = Vec::new();
        for (file, n) in self.items(keys) {
            if let Some(v) = self.text(file, &n, keys, true) {
                out.push(At::new(v, self.origin_node(file, &n)));
            }
        }
        out
    }
}

fn vars_phrase(v: &[String]) -> String {
    let names: Vec<String> = v.iter().map(|n| format!("${n}")).collect();
    if names.len() == 1 {
        format!("{} is", names[0])
    } else {
        format!("{} are", names.join(", "))
    }
}

/// The entry at `keys` under `node`.
pub fn lookup<'a>(node: &'a Node, keys: &[&str]) -> Option<&'a Entry> {
    let (last, init) = keys.split_last()?;
    let mut n = node;
    for k in init {
        n = n.get(k)?;
    }
    n.entry(last)
}

/// Builds the spec of `svc`.
pub fn service_spec(project: &Project, svc: &Service) -> ServiceSpec {
    let mut c = Ctx {
        project,
        svc,
        notes: Vec::new(),
        paths: vec![std::cell::OnceCell::new(); project.files.len()],
    };
    let mut s = Spec {
        name: Some(svc.name.clone()),
        ..Spec::default()
    };
    s.image = c.string(&["image"], false);
    s.user = c.string(&["user"], true);
    s.privileged = c.boolean(&["privileged"]);
    s.cap_add = c
        .string_list(&["cap_add"])
        .into_iter()
        .map(|a| At::new(normalize_capability(&a.value), a.origin))
        .collect();
    s.cap_drop = c
        .string_list(&["cap_drop"])
        .into_iter()
        .map(|a| At::new(normalize_capability(&a.value), a.origin))
        .collect();
    s.security_opt = c.string_list(&["security_opt"]);
    s.read_only = c.boolean(&["read_only"]);
    for t in c.string_list(&["tmpfs"]) {
        let (target, options) = match t.value.split_once(':') {
            Some((p, o)) => (p.to_string(), o.to_string()),
            None => (t.value.clone(), String::new()),
        };
        s.tmpfs.push(At::new(Tmpfs { target, options }, t.origin));
    }
    volumes(&mut c, &mut s);
    ports(&mut c, &mut s);
    for (file, n) in c.items(&["expose"]) {
        if let Some(v) = c.text(file, &n, &["expose"], false) {
            // A port key as written (compose passes it to the engine as a `nat.Port`).
            let (port, proto) = ports::split_port_key(&v);
            let v = format!("{port}/{proto}");
            s.expose.push(At::new(v, c.origin_node(file, &n)));
        }
    }
    s.memory = c
        .number(
            &["deploy", "resources", "limits", "memory"],
            ram_in_bytes,
            "a size",
        )
        .or_else(|| c.number(&["mem_limit"], ram_in_bytes, "a size"));
    // Prefer the service-level key when both are given (Compose rejects differing values).
    if let Some(m) = c.number(&["mem_limit"], ram_in_bytes, "a size") {
        s.memory = Some(m);
    }
    s.memory_swap = c.number(&["memswap_limit"], mem_swap_bytes, "a size");
    s.memory_reservation = c
        .number(&["mem_reservation"], ram_in_bytes, "a size")
        .or_else(|| {
            c.number(
                &["deploy", "resources", "reservations", "memory"],
                ram_in_bytes,
                "a size",
            )
        });
    s.nano_cpus = c
        .number(&["cpus"], compose_nano_cpus, "a number of CPUs")
        .or_else(|| {
            c.number(
                &["deploy", "resources", "limits", "cpus"],
                compose_nano_cpus,
                "a number of CPUs",
            )
        });
    s.cpu_quota = c.number(&["cpu_quota"], parse_int, "an integer");
    s.cpu_period = c.number(&["cpu_period"], parse_int, "an integer");
    s.pids_limit = c
        .number(&["pids_limit"], parse_int, "an integer")
        .or_else(|| {
            c.number(
                &["deploy", "resources", "limits", "pids"],
                parse_int,
                "an integer",
            )
        });
    s.network_mode = c.string(&["network_mode"], true);
    s.pid_mode = c.string(&["pid"], true);
    s.ipc_mode = c.string(&["ipc"], true);
    s.uts_mode = c.string(&["uts"], true);
    s.userns_mode = c.string(&["userns_mode"], true);
    s.cgroupns_mode = c.string(&["cgroup"], true);
    devices(&mut c, &mut s);
    restart(&mut c, &mut s);
    healthcheck(&mut c, &mut s);
    s.cgroup_parent = c.string(&["cgroup_parent"], true);
    sysctls(&mut c, &mut s);
    s.oom_kill_disable = c.boolean(&["oom_kill_disable"]);
    environment(&mut c, &mut s);
    s.log_driver = c.string(&["logging", "driver"], true);
    ServiceSpec {
        spec: s,
        notes: c.notes,
    }
}

/// A Compose boolean as written: YAML 1.1 words (compose-go's `toBoolean`: `true`, `yes`, `on`,
/// `y` and their opposites, any case), plus `1`/`0`/empty.
fn yaml_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "y" | "1" => Some(true),
        "false" | "no" | "off" | "n" | "0" | "" => Some(false),
        _ => None,
    }
}

/// compose-go's integers (`strconv.ParseInt(s, 10, 64)`).
fn parse_int(s: &str) -> Result<i64, String> {
    gocompat::parse_int(s, 10, 64).map_err(|e| e.to_string())
}

/// Compose byte values (`512m`, `1.5g`, `100`) as docker compose reads them: go-units
/// `RAMInBytes` ([`crate::parse::units::ram_in_bytes`]).
pub fn parse_bytes(s: &str) -> Option<i64> {
    ram_in_bytes(s.trim()).ok()
}

fn volumes(c: &mut Ctx<'_>, s: &mut Spec) {
    let mut mounts: Vec<At<Mount>> = Vec::new();
    for (file, n) in c.items(&["volumes"]) {
        let origin = c.origin_node(file, &n);
        let mount = if n.as_map().is_some() {
            let get = |c: &mut Ctx<'_>, k: &[&str]| {
                lookup(&n, k).and_then(|e| c.text(file, &e.value, &["volumes"], true))
            };
            let kind = get(c, &["type"]).unwrap_or_else(|| "volume".into());
            let target = get(c, &["target"]).unwrap_or_default();
            if kind == "tmpfs" {
                let mut options = Vec::new();
                if let Some(sz) = get(c, &["tmpfs", "size"]) {
                    options.push(format!("size={sz}"));
                }
                if let Some(m) = get(c, &["tmpfs", "mode"]) {
                    options.push(format!("mode={m}"));
                }
                s.tmpfs.push(At::new(
                    Tmpfs {
                        target,
                        options: options.join(","),
                    },
                    origin,
                ));
                continue;
            }
            let read_only = get(c, &["read_only"]).is_some_and(|v| yaml_bool(&v) == Some(true));
            Mount {
                kind: match kind.as_str() {
                    "bind" => MountKind::Bind,
                    "volume" => MountKind::Volume,
                    _ => MountKind::Other,
                },
                source: get(c, &["source"]).filter(|s| !s.is_empty()),
                target,
                read_only,
                propagation: get(c, &["bind", "propagation"]),
            }
        } else {
            let Some(v) = c.text(file, &n, &["volumes"], true) else {
                continue;
            };
            match parse_short_volume(&v) {
                Ok(m) => m,
                Err(e) => {
                    c.notes.push(Note {
                        origin,
                        message: format!("volume `{v}` cannot be read ({e}): ignored"),
                    });
                    continue;
                }
            }
        };
        // Later files replace a mount with the same target.
        mounts.retain(|m| m.value.target != mount.target);
        mounts.push(At::new(mount, origin));
    }
    s.mounts = mounts;
}

/// The short syntax `[src:]target[:mode]`, read by the Compose loader's `ParseVolume`
/// ([`crate::parse::mounts::parse_volume`]).
pub fn parse_short_volume(v: &str) -> Result<Mount, String> {
    mounts::parse_volume(v).map(Mount::from_volume_spec)
}

/// [`parse_short_volume`], or an anonymous volume at `v` when Compose would refuse it (for
/// callers that only need a target to merge by).
pub fn short_volume(v: &str) -> Mount {
    parse_short_volume(v).unwrap_or_else(|_| Mount {
        kind: MountKind::Volume,
        source: None,
        target: v.to_string(),
        read_only: false,
        propagation: None,
    })
}

/// A short port string → bindings, as compose-go reads it (`ParsePortConfig`: go-connections
/// `nat.ParsePortSpec`, [`crate::parse::ports::parse_port_spec`]); `None` when Compose refuses it.
pub fn parse_short_port(v: &str) -> Option<Vec<Port>> {
    let mappings = ports::parse_port_spec(v).ok()?;
    Some(
        mappings
            .into_iter()
            .map(|m| {
                let (container_port, protocol) = ports::split_port_key(&m.port);
                Port {
                    host_ip: m.host_ip,
                    host_port: m.host_port,
                    container_port,
                    protocol,
                }
            })
            .collect(),
    )
}

fn ports(c: &mut Ctx<'_>, s: &mut Spec) {
    for (file, n) in c.items(&["ports"]) {
        let origin = c.origin_node(file, &n);
        if n.as_map().is_some() {
            let get = |c: &mut Ctx<'_>, k: &str| {
                n.get(k).and_then(|v| c.text(file, v, &["ports", k], true))
            };
            let Some(target) = get(c, "target") else {
                continue;
            };
            let published = get(c, "published").unwrap_or_default();
            let host_ip = get(c, "host_ip").unwrap_or_default();
            let protocol = get(c, "protocol").unwrap_or_else(|| "tcp".into());
            if get(c, "mode").as_deref() == Some("ingress") && published.is_empty() {
                // Swarm ingress without a published port: nothing bound on the host.
            }
            s.ports.push(At::new(
                Port {
                    host_ip,
                    host_port: published,
                    container_port: target,
                    protocol,
                },
                origin,
            ));
            continue;
        }
        let Some(v) = c.text(file, &n, &["ports"], true) else {
            continue;
        };
        match parse_short_port(&v) {
            Some(ps) => s
                .ports
                .extend(ps.into_iter().map(|p| At::new(p, origin.clone()))),
            None => c.notes.push(Note {
                origin,
                message: format!("port `{v}` cannot be read: ignored"),
            }),
        }
    }
}

fn devices(c: &mut Ctx<'_>, s: &mut Spec) {
    for (file, n) in c.items(&["devices"]) {
        let origin = c.origin_node(file, &n);
        let v = if n.as_map().is_some() {
            n.get("source")
                .and_then(|v| c.text(file, v, &["devices", "source"], true))
        } else {
            c.text(file, &n, &["devices"], true)
                .map(|v| v.split(':').next().unwrap_or("").to_string())
        };
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            s.devices.push(At::new(v, origin));
        }
    }
}

fn restart(c: &mut Ctx<'_>, s: &mut Spec) {
    if let Some(r) = c.string(&["restart"], true) {
        let (name, n) = match r.value.split_once(':') {
            Some((a, b)) => (a.to_string(), b.parse().unwrap_or(0)),
            None => (r.value.clone(), 0),
        };
        s.restart = Some(At::new(
            Restart {
                name,
                max_retries: n,
            },
            r.origin,
        ));
        return;
    }
    if let Some(cond) = c.string(&["deploy", "restart_policy", "condition"], true) {
        let name = match cond.value.as_str() {
            "any" => "always",
            "none" => "no",
            other => other,
        }
        .to_string();
        let max = c
            .number(
                &["deploy", "restart_policy", "max_attempts"],
                parse_int,
                "an integer",
            )
            .map(|a| a.value)
            .unwrap_or(0);
        s.restart = Some(At::new(
            Restart {
                name,
                max_retries: max,
            },
            cond.origin,
        ));
    }
}

fn healthcheck(c: &mut Ctx<'_>, s: &mut Spec) {
    let Some(hc) = c.last(&["healthcheck"]) else {
        return;
    };
    let origin = c.origin_entry(hc.file, hc.entry);
    let disabled = c
        .boolean(&["healthcheck", "disable"])
        .is_some_and(|d| d.value);
    let test = c.last(&["healthcheck", "test"]);
    let health = if disabled {
        Some(Health::Disabled)
    } else if let Some(t) = test {
        let first = match t.entry.value.as_seq() {
            Some(items) => items.first().and_then(|i| i.as_str()).map(str::to_string),
            None => t.entry.value.as_str().map(str::to_string),
        };
        match first.as_deref() {
            Some("NONE") => Some(Health::Disabled),
            Some(_) => Some(Health::Defined),
            None => None,
        }
    } else {
        None
    };
    if let Some(h) = health {
        s.healthcheck = Some(At::new(h, origin));
    }
}

fn sysctls(c: &mut Ctx<'_>, s: &mut Spec) {
    let mut out: Vec<At<(String, String)>> = Vec::new();
    for f in c.all(&["sysctls"]) {
        let file = f.file;
        let mut pairs: Vec<(String, String, Origin)> = Vec::new();
        if let Some(m) = f.entry.value.as_map() {
            for e in m {
                let v = c
                    .text(file, &e.value, &["sysctls", &e.key], true)
                    .unwrap_or_default();
                pairs.push((e.key.clone(), v, c.origin_entry(file, e)));
            }
        } else if let Some(items) = f.entry.value.as_seq() {
            for n in items {
                if let Some(v) = c.text(file, n, &["sysctls"], true) {
                    let (k, v) = v.split_once('=').unwrap_or((&v, ""));
                    pairs.push((k.to_string(), v.to_string(), c.origin_node(file, n)));
                }
            }
        }
        for (k, v, o) in pairs {
            out.retain(|x| x.value.0 != k);
            out.push(At::new((k, v), o));
        }
    }
    s.sysctls = out;
}

fn environment(c: &mut Ctx<'_>, s: &mut Spec) {
    let mut out: Vec<At<EnvVar>> = Vec::new();
    for f in c.all(&["environment"]) {
        let file = f.file;
        let mut vars: Vec<(EnvVar, Origin)> = Vec::new();
        if let Some(m) = f.entry.value.as_map() {
            for e in m {
                let value = e.value.as_str().map(str::to_string);
                let literal = value.as_deref().is_none_or(|v| !interp::has_vars(v));
                vars.push((
                    EnvVar {
                        name: e.key.clone(),
                        value,
                        literal,
                    },
                    c.origin_entry(file, e),
                ));
            }
        } else if let Some(items) = f.entry.value.as_seq() {
            for n in items {
                let Some(raw) = n.as_str() else { continue };
                let (name, value) = match raw.split_once('=') {
                    Some((k, v)) => (k.to_string(), Some(v.to_string())),
                    None => (raw.to_string(), None),
                };
                let literal = value.as_deref().is_none_or(|v| !interp::has_vars(v));
                vars.push((
                    EnvVar {
                        name,
                        value,
                        literal,
                    },
                    c.origin_node(file, n),
                ));
            }
        }
        for (v, o) in vars {
            out.retain(|x| x.value.name != v.name);
            out.push(At::new(v, o));
        }
    }
    s.env = out;
}

/// The service key's position (for findings about a missing setting): first file defining it.
pub fn service_origin(project: &Project, svc: &Service) -> Origin {
    let l = &svc.layers[0];
    Origin::Yaml {
        file: project.files[l.file].path.as_path().into(),
        route: format!("services.{}", svc.name).into(),
        line: l.key_pos.line,
        column: l.key_pos.column,
    }
}

/// Where a service key sits, for text.
pub fn service_pos(svc: &Service) -> Pos {
    svc.layers[0].key_pos
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn project(text: &str, vars: &[(&str, &str)]) -> Project {
        let env = Env {
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        Project::from_texts(
            vec![(PathBuf::from("c.yaml"), text.to_string())],
            PathBuf::from("."),
            env,
        )
        .unwrap()
    }

    fn spec(text: &str) -> ServiceSpec {
        let p = project(text, &[("BIND", "0.0.0.0")]);
        service_spec(&p, &p.services[0])
    }

    #[test]
    fn ports_short_and_long() {
        assert_eq!(
            parse_short_port("127.0.0.1:8080:80/udp").unwrap()[0],
            Port {
                host_ip: "127.0.0.1".into(),
                host_port: "8080".into(),
                container_port: "80".into(),
                protocol: "udp".into()
            }
        );
        assert_eq!(parse_short_port("[::1]:80:80").unwrap()[0].host_ip, "::1");
        assert_eq!(parse_short_port("::1:80:80").unwrap()[0].host_ip, "::1");
        let r = parse_short_port("9090-9091:8080-8081").unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].host_port, "9091");
        assert_eq!(r[1].container_port, "8081");
        assert_eq!(parse_short_port("80").unwrap()[0].host_port, "");
        let s = spec(
            "services:\n  web:\n    image: x\n    ports:\n      - 80\n      - target: 443\n        published: 8443\n        host_ip: 127.0.0.1\n",
        )
        .spec;
        assert_eq!(s.ports.len(), 2);
        assert_eq!(s.ports[1].value.host_ip, "127.0.0.1");
        match &s.ports[1].origin {
            Origin::Yaml {
                route,
                line,
                column,
                ..
            } => {
                assert_eq!(&**route, "services.web.ports[1]");
                assert_eq!((*line, *column), (6, 9));
            }
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn fields() {
        let s = spec(
            "services:\n  web:\n    image: x\n    cap_add: [net_admin]\n    read_only: \"true\"\n    tmpfs: /run:size=1m\n    mem_limit: 1g\n    deploy:\n      resources:\n        limits: {cpus: '0.5', pids: 10}\n    environment:\n      - A=${X}\n      - B=lit\n    sysctls: {net.core.somaxconn: 1024}\n    healthcheck: {test: [NONE]}\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro\n      - data:/data\n      - type: tmpfs\n        target: /tmp\n    cgroup: host\n",
        );
        let s = s.spec;
        assert_eq!(s.cap_add[0].value, "CAP_NET_ADMIN");
        assert!(s.read_only.unwrap().value);
        assert_eq!(s.tmpfs[0].value.options, "size=1m");
        assert_eq!(s.tmpfs[1].value.target, "/tmp");
        assert_eq!(s.memory.unwrap().value, 1 << 30);
        assert_eq!(s.nano_cpus.unwrap().value, 500_000_000);
        assert_eq!(s.pids_limit.unwrap().value, 10);
        assert!(!s.env[0].value.literal);
        assert!(s.env[1].value.literal);
        assert_eq!(s.sysctls[0].value.1, "1024");
        assert_eq!(s.healthcheck.unwrap().value, Health::Disabled);
        assert_eq!(s.mounts[0].value.kind, MountKind::Bind);
        assert!(s.mounts[0].value.read_only);
        assert_eq!(s.mounts[1].value.kind, MountKind::Volume);
        assert_eq!(s.cgroupns_mode.unwrap().value, "host");
    }

    #[test]
    fn unset_variables_are_noted() {
        let s = spec(
            "services:\n  web:\n    image: x\n    read_only: ${RO}\n    network_mode: ${BIND}\n",
        );
        assert!(!s.spec.read_only.as_ref().unwrap().value);
        assert_eq!(s.notes.len(), 1);
        assert!(
            s.notes[0].message.contains("$RO is not set"),
            "{:?}",
            s.notes
        );
        assert_eq!(s.spec.network_mode.unwrap().value, "0.0.0.0");
    }

    #[test]
    fn merged_files() {
        let env = Env::default();
        let p = Project::from_texts(
            vec![
                (
                    PathBuf::from("a.yaml"),
                    "services:\n  web:\n    image: a\n    ports: ['80:80']\n".into(),
                ),
                (
                    PathBuf::from("b.yaml"),
                    "services:\n  web:\n    image: b\n    ports: ['81:81']\n".into(),
                ),
            ],
            PathBuf::from("."),
            env,
        )
        .unwrap();
        let s = service_spec(&p, &p.services[0]).spec;
        assert_eq!(s.image.unwrap().value, "b");
        assert_eq!(s.ports.len(), 2);
    }

    #[test]
    fn sizes_and_cpus_as_docker_compose_sends_them() {
        // Measured with docker compose 2.26 on Engine 20.10 (HostConfig.NanoCpus / Memory):
        // compose's own reader rounded 7.3m to 7654605 and read cpus exactly (123456789,
        // 1333300000).
        let s = spec(
            "services:\n  a:\n    image: x\n    mem_limit: 7.3m\n    cpus: 0.123456789\n    memswap_limit: -1\n",
        )
        .spec;
        assert_eq!(s.memory.unwrap().value, 7_654_604);
        assert_eq!(s.nano_cpus.unwrap().value, 123_456_792);
        assert_eq!(s.memory_swap.unwrap().value, -1);
        let s = spec(
            "services:\n  b:\n    image: x\n    deploy:\n      resources:\n        limits: {cpus: \"1.3333\", memory: 7.3m}\n",
        )
        .spec;
        assert_eq!(s.nano_cpus.unwrap().value, 1_333_299_968);
        assert_eq!(s.memory.unwrap().value, 7_654_604);
    }

    #[test]
    fn ports_and_volumes_read_like_compose() {
        // Compose's own port reader took what compose-go (nat.ParsePortSpec) refuses: a single
        // host port for a container range (it bound 8080 twice), a host port that is not a
        // number (it dropped it), a host IP that is not an address.
        assert_eq!(parse_short_port("8080:80-81"), None);
        assert_eq!(parse_short_port("abc:80"), None);
        assert_eq!(parse_short_port("foo:80:80"), None);
        let r = parse_short_port("8000-8001:80").unwrap();
        assert_eq!((r.len(), r[0].host_port.as_str()), (1, "8000-8001"));
        assert_eq!(parse_short_port("80/UDP").unwrap()[0].protocol, "udp");
        // The volume reader called any source with a `/` a bind; the loader calls `data/x` a
        // volume name (which compose then refuses as undeclared), and refuses a fourth part.
        assert_eq!(
            parse_short_volume("data/x:/y").unwrap().kind,
            MountKind::Volume
        );
        assert_eq!(
            parse_short_volume("./x:/y:ro,rslave").unwrap(),
            Mount {
                kind: MountKind::Bind,
                source: Some("./x".into()),
                target: "/y".into(),
                read_only: true,
                propagation: Some("rslave".into()),
            }
        );
        let s = spec(
            "services:\n  web:\n    image: x\n    volumes:\n      - vol:/x:ro:z\n      - type: bind\n        source: /etc\n        target: /etc\n        read_only: on\n",
        );
        assert_eq!(s.spec.mounts.len(), 1);
        // `read_only: on` is true for compose (toBoolean), as for every other boolean.
        assert!(s.spec.mounts[0].value.read_only);
        assert!(
            s.notes[0].message.contains("too many colons"),
            "{:?}",
            s.notes
        );
    }
}
