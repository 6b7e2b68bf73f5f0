//! The Compose document back end: semantic [`Change`]s applied to the resolved project as one
//! document (see [`crate::frontend::compose::flat`]), for what `harden compose config|up` hand
//! to `docker compose` and `harden stack deploy` to `docker stack deploy`.
//!
//! Unlike the text back end ([`super::compose`]), nothing here edits a user's file: a change
//! lands on the value Compose would use, wherever it was written (a base service, an included
//! file, a variable). For Swarm the document is also rewritten into what `docker stack deploy`
//! carries (limits under `deploy.resources`, tmpfs as `type: tmpfs` volumes, no `name`,
//! `profiles` or host IPs), and whatever cannot be carried is said, never dropped silently.

use super::Change;
use super::compose::{Request, bind_short_port};
use crate::frontend::compose::interp::Env;
use crate::frontend::compose::{Project, Target};
use crate::spec::{Origin, normalize_capability};
use serde_json::{Map, Value as J, json};

/// What applying the changes gave: per request `Ok` or why not, and notes on what the target
/// cannot carry.
#[derive(Debug, Default)]
pub struct Applied {
    pub results: Vec<(Request, Result<(), String>)>,
    pub notes: Vec<String>,
}

/// Applies `requests` to `doc` (the project as one document) for `target`.
pub fn apply(doc: &mut J, project: &Project, requests: &[Request], target: Target) -> Applied {
    let mut out = Applied::default();
    for r in requests {
        let res = match doc
            .get_mut("services")
            .and_then(|s| s.get_mut(&r.service))
            .and_then(J::as_object_mut)
        {
            Some(svc) => apply_one(svc, project, &r.service, &r.change, target),
            None => Err(format!("no service `{}`", r.service)),
        };
        if target == Target::Swarm
            && res.is_ok()
            && let Change::AddTmpfs { path, options } = &r.change
            && options.split(',').any(|o| o.starts_with("uid="))
        {
            out.notes.push(format!(
                "service {}: tmpfs {path}: Swarm cannot set its owner; a non-root user can \
                 write to it only where the image's directory is world-writable (like /tmp) or \
                 absent",
                r.service
            ));
        }
        out.results.push((r.clone(), res));
    }
    if target == Target::Swarm {
        out.notes.extend(for_swarm(doc));
    }
    out
}

fn array<'a>(svc: &'a mut Map<String, J>, key: &str) -> &'a mut Vec<J> {
    let v = svc
        .entry(key.to_string())
        .or_insert_with(|| J::Array(Vec::new()));
    if !v.is_array() {
        *v = match v.take() {
            J::Null => J::Array(Vec::new()),
            other => J::Array(vec![other]),
        };
    }
    match v {
        J::Array(a) => a,
        _ => unreachable!("made an array above"),
    }
}

fn text(v: &J) -> String {
    match v {
        J::String(s) => s.clone(),
        J::Null => String::new(),
        other => other.to_string(),
    }
}

/// `deploy.resources.limits` of a service (created when missing).
fn limits(svc: &mut Map<String, J>) -> &mut Map<String, J> {
    let mut cur = svc;
    for k in ["deploy", "resources", "limits"] {
        let v = cur.entry(k.to_string()).or_insert_with(|| json!({}));
        if !v.is_object() {
            *v = json!({});
        }
        cur = match v {
            J::Object(m) => m,
            _ => unreachable!("made an object above"),
        };
    }
    cur
}

/// `size=64m,uid=…` → 67108864.
fn tmpfs_size(options: &str) -> Option<i64> {
    options
        .split(',')
        .find_map(|o| o.strip_prefix("size="))
        .and_then(crate::frontend::compose::spec::parse_bytes)
}

fn apply_one(
    svc: &mut Map<String, J>,
    project: &Project,
    name: &str,
    change: &Change,
    target: Target,
) -> Result<(), String> {
    match change {
        Change::DropAllCapabilities => {
            let a = array(svc, "cap_drop");
            if !a.iter().any(|c| normalize_capability(&text(c)) == "ALL") {
                a.push(json!("ALL"));
            }
        }
        Change::AddCapability { capability } => {
            let a = array(svc, "cap_add");
            if !a
                .iter()
                .any(|c| normalize_capability(&text(c)) == *capability)
            {
                a.push(json!(capability.trim_start_matches("CAP_")));
            }
        }
        Change::RemoveCapability { capability } => {
            array(svc, "cap_add").retain(|c| normalize_capability(&text(c)) != *capability);
        }
        Change::SetNoNewPrivileges => {
            if target == Target::Swarm {
                return Err(SWARM_NNP.into());
            }
            let a = array(svc, "security_opt");
            let mut replaced = false;
            for item in a.iter_mut() {
                let t = text(item).replace(' ', "");
                if t == "no-new-privileges:false" || t == "no-new-privileges=false" {
                    *item = json!("no-new-privileges:true");
                    replaced = true;
                }
            }
            let have = a.iter().any(|i| {
                let t = text(i).replace(' ', "");
                matches!(
                    t.as_str(),
                    "no-new-privileges" | "no-new-privileges:true" | "no-new-privileges=true"
                )
            });
            if !replaced && !have {
                a.push(json!("no-new-privileges:true"));
            }
            dedupe(a);
        }
        Change::RemoveSecurityOpt { option } => {
            array(svc, "security_opt").retain(|o| text(o) != *option);
        }
        Change::SetUser { user } => {
            svc.insert("user".into(), json!(user));
        }
        Change::SetReadOnlyRootfs => {
            svc.insert("read_only".into(), json!(true));
        }
        Change::AddTmpfs { path, options } => match target {
            Target::Compose => {
                let a = array(svc, "tmpfs");
                let taken = a
                    .iter()
                    .any(|t| text(t).split(':').next() == Some(path.as_str()));
                if !taken {
                    a.push(json!(if options.is_empty() {
                        path.clone()
                    } else {
                        format!("{path}:{options}")
                    }));
                }
            }
            Target::Swarm => {
                let mut tmpfs = Map::new();
                if let Some(size) = tmpfs_size(options) {
                    tmpfs.insert("size".into(), json!(size));
                }
                let mut v = Map::new();
                v.insert("type".into(), json!("tmpfs"));
                v.insert("target".into(), json!(path));
                if !tmpfs.is_empty() {
                    v.insert("tmpfs".into(), J::Object(tmpfs));
                }
                array(svc, "volumes").push(J::Object(v));
            }
        },
        Change::SetTmpfsOwner { path, uid, gid } => {
            let a = array(svc, "tmpfs");
            for item in a.iter_mut() {
                let t = text(item);
                let (at, opts) = t.split_once(':').unwrap_or((t.as_str(), ""));
                if at.trim_end_matches('/') == path.trim_end_matches('/') {
                    *item = json!(format!("{at}:{}", super::with_owner(opts, *uid, *gid)));
                }
            }
        }
        Change::SetMemory { bytes } => {
            let v = json!(super::docker_bytes(*bytes));
            set_limit(svc, "mem_limit", "memory", v, target);
        }
        Change::SetNanoCpus { nano_cpus } => {
            let v = json!(super::format_cpus(*nano_cpus));
            set_limit(svc, "cpus", "cpus", v, target);
        }
        Change::SetCpuQuota { quota } => {
            if target == Target::Swarm {
                return Err("Swarm cannot carry a CFS quota (`cpu_quota`); set \
                            deploy.resources.limits.cpus instead"
                    .into());
            }
            svc.insert("cpu_quota".into(), json!(quota));
        }
        Change::SetPidsLimit { limit } => {
            set_limit(svc, "pids_limit", "pids", json!(limit), target);
        }
        Change::BindPortHostIp(b) => {
            let (ip, origin) = (&b.ip, &b.origin);
            if target == Target::Swarm {
                return Err(SWARM_PORTS.into());
            }
            let i = port_index(project, name, origin)
                .ok_or("the published port is not where the finding points")?;
            let ports = array(svc, "ports");
            let item = ports.get_mut(i).ok_or("the published port is gone")?;
            match item {
                J::Object(m) => {
                    m.insert("host_ip".into(), json!(ip));
                }
                other => {
                    // Already interpolated: bind it as written.
                    let raw = text(other);
                    *other = json!(bind_short_port(&raw, ip, &Env::default())?);
                }
            }
        }
        Change::PublishExposedPortsOn { .. } => {
            return Err("Compose has no publish-all; nothing to rewrite".into());
        }
    }
    Ok(())
}

/// A limit under `deploy.resources.limits`, or at service level beside the service-level
/// limits a service already has and no `deploy.resources.limits` (Compose v2 refuses the two
/// forms together unless they agree); Swarm gets them all under `deploy` ([`for_swarm`]).
fn set_limit(svc: &mut Map<String, J>, service_key: &str, deploy_key: &str, v: J, target: Target) {
    svc.remove(service_key);
    let has_deploy = svc
        .get("deploy")
        .and_then(|d| d.get("resources"))
        .and_then(|r| r.get("limits"))
        .is_some_and(|l| !l.is_null());
    let service_level = super::compose::SERVICE_LIMITS
        .iter()
        .any(|k| svc.get(*k).is_some_and(|x| !x.is_null()));
    if target == Target::Compose && service_level && !has_deploy {
        let v = if service_key == "cpus" {
            text(&v).parse::<f64>().map(|f| json!(f)).unwrap_or(v)
        } else {
            v
        };
        svc.insert(service_key.into(), v);
    } else {
        limits(svc).insert(deploy_key.into(), v);
    }
}

fn dedupe(a: &mut Vec<J>) {
    let mut seen = Vec::new();
    a.retain(|x| {
        if seen.contains(x) {
            false
        } else {
            seen.push(x.clone());
            true
        }
    });
}

/// The index, in the resolved service's `ports`, of the item `origin` points at.
fn port_index(project: &Project, service: &str, origin: &Origin) -> Option<usize> {
    let Origin::Yaml {
        file, line, column, ..
    } = origin
    else {
        return None;
    };
    let svc = project.service(service)?;
    let items = svc.node.get("ports")?.as_seq()?;
    items.iter().position(|n| {
        project.file_of(n) == &**file && n.pos.line == *line && n.pos.column == *column
    })
}

/// Why `no-new-privileges` cannot be fixed in a Swarm stack.
pub const SWARM_NNP: &str = "Swarm ignores `security_opt` (docker stack deploy: \"Ignoring \
unsupported options: security_opt\"): set no-new-privileges for every container of every node \
in the daemon instead, `{\"no-new-privileges\": true}` in /etc/docker/daemon.json (or dockerd \
--no-new-privileges), or waive the rule for the stack";

/// Why a published port cannot keep its host address in a Swarm stack.
pub const SWARM_PORTS: &str = "Swarm publishes ports on every interface of every node (the \
routing mesh has no host address; `mode: host` binds 0.0.0.0 too): do not publish the port and \
reach the service through an overlay network behind a proxy, or waive port-host-ip for it";

/// Rewrites the document into what `docker stack deploy` carries; returns what was moved or
/// dropped.
fn for_swarm(doc: &mut J) -> Vec<String> {
    let mut notes = Vec::new();
    let Some(top) = doc.as_object_mut() else {
        return notes;
    };
    for k in ["name", "version", "include"] {
        top.remove(k);
    }
    let Some(J::Object(services)) = top.get_mut("services") else {
        return notes;
    };
    for (name, svc) in services.iter_mut() {
        let Some(svc) = svc.as_object_mut() else {
            continue;
        };
        // Limits Swarm only takes under deploy.resources.
        for (key, to, what) in [
            ("mem_limit", "limits", "memory"),
            ("cpus", "limits", "cpus"),
            ("pids_limit", "limits", "pids"),
            ("mem_reservation", "reservations", "memory"),
        ] {
            let Some(v) = svc.remove(key) else { continue };
            if v.is_null() {
                continue;
            }
            let deploy = svc.entry("deploy").or_insert_with(|| json!({}));
            let res = deploy
                .as_object_mut()
                .map(|d| d.entry("resources").or_insert_with(|| json!({})));
            if let Some(J::Object(res)) = res {
                let m = res.entry(to).or_insert_with(|| json!({}));
                if let J::Object(m) = m {
                    let v = if what == "cpus" { json!(text(&v)) } else { v };
                    m.entry(what).or_insert(v);
                }
            }
            notes.push(format!(
                "service {name}: `{key}` moved to deploy.resources.{to}.{what} (Swarm takes \
                 limits only there)"
            ));
        }
        for key in [
            "memswap_limit",
            "cpu_quota",
            "cpu_period",
            "cpu_shares",
            "cpuset",
            "profiles",
        ] {
            if svc.remove(key).is_some() {
                notes.push(format!(
                    "service {name}: `{key}` dropped: docker stack deploy does not take it"
                ));
            }
        }
        // Service-level tmpfs: Swarm drops it silently; long-syntax tmpfs volumes survive.
        if let Some(t) = svc.remove("tmpfs") {
            let items = match t {
                J::Array(a) => a,
                J::Null => Vec::new(),
                other => vec![other],
            };
            for item in items {
                let s = text(&item);
                let (path, options) = s.split_once(':').unwrap_or((s.as_str(), ""));
                let mut v = Map::new();
                v.insert("type".into(), json!("tmpfs"));
                v.insert("target".into(), json!(path));
                if let Some(size) = tmpfs_size(options) {
                    v.insert("tmpfs".into(), json!({ "size": size }));
                }
                array(svc, "volumes").push(J::Object(v));
                if options
                    .split(',')
                    .any(|o| o.starts_with("uid=") || o.starts_with("mode="))
                {
                    notes.push(format!(
                        "service {name}: tmpfs {path}: Swarm cannot set its owner or mode; a \
                         non-root user can write to it only where the image's directory is \
                         world-writable (like /tmp) or absent"
                    ));
                }
            }
        }
        // Host addresses: Swarm refuses `host_ip` and ignores the address of a short port.
        if let Some(J::Array(ports)) = svc.get_mut("ports") {
            for p in ports.iter_mut() {
                match p {
                    J::Object(m) => {
                        if m.remove("host_ip").is_some() {
                            notes.push(format!(
                                "service {name}: port {}: Swarm publishes it on every interface",
                                text(m.get("target").unwrap_or(&J::Null))
                            ));
                        }
                    }
                    other => {
                        let s = text(other);
                        if let Some(ports) = crate::frontend::compose::spec::parse_short_port(&s)
                            && ports.iter().any(|x| !x.host_ip.is_empty())
                        {
                            let stripped = match s.rsplitn(3, ':').collect::<Vec<_>>().as_slice() {
                                [c, h, _ip] => format!("{h}:{c}"),
                                _ => s.clone(),
                            };
                            notes.push(format!(
                                "service {name}: port {s}: Swarm publishes it on every interface"
                            ));
                            *other = json!(stripped);
                        }
                    }
                }
            }
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swarm_moves_limits_and_tmpfs() {
        let mut doc = json!({
            "name": "x",
            "services": {"web": {
                "mem_limit": "512m", "cpus": 0.5, "pids_limit": 100,
                "tmpfs": ["/run:size=1m,uid=65534"],
                "ports": ["127.0.0.1:8080:80", {"target": 81, "published": 81, "host_ip": "127.0.0.1"}]
            }}
        });
        let notes = for_swarm(&mut doc);
        let web = &doc["services"]["web"];
        assert!(doc.get("name").is_none());
        assert_eq!(web["deploy"]["resources"]["limits"]["memory"], "512m");
        assert_eq!(web["deploy"]["resources"]["limits"]["cpus"], "0.5");
        assert_eq!(web["deploy"]["resources"]["limits"]["pids"], 100);
        assert!(web.get("mem_limit").is_none() && web.get("tmpfs").is_none());
        assert_eq!(web["volumes"][0]["type"], "tmpfs");
        assert_eq!(web["volumes"][0]["tmpfs"]["size"], 1 << 20);
        assert_eq!(web["ports"][0], "8080:80");
        assert!(web["ports"][1].get("host_ip").is_none());
        assert!(
            notes.iter().any(|n| n.contains("cannot set its owner")),
            "{notes:?}"
        );
    }
}
