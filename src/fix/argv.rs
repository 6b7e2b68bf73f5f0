//! Renders [`Change`]s as `docker run` arguments.
//!
//! The hardened command line is the user's own arguments with some flag occurrences removed or
//! rewritten and new ones appended before the image. Re-parsing that line gives the hardened
//! create body, so the body harden sends and the `docker run …` line it prints can never disagree.

use super::{Change, docker_bytes, format_cpus};
use crate::frontend::argv::{self, Occurrence, Parsed};
use crate::parse::gocompat::parse_bool;
use crate::parse::security_opt::no_new_privileges;
use crate::spec::{Origin, normalize_capability};

fn flag(long: &str) -> &'static argv::FlagSpec {
    match argv::lookup_long(long) {
        Some(f) => f,
        // The table is static and covered by tests; a missing entry is a programming error.
        None => panic!("flag --{long} missing from the flags table"),
    }
}

fn add(p: &mut Parsed, long: &str, value: Option<String>) {
    p.occurrences.push(Occurrence::new(flag(long), value));
}

fn remove(p: &mut Parsed, long: &str, pred: impl Fn(&Occurrence) -> bool) {
    p.occurrences.retain(|o| !(o.flag.long == long && pred(o)));
}

fn value_of(o: &Occurrence) -> &str {
    o.value.as_deref().unwrap_or("")
}

/// A bool occurrence that sets the flag to false (`--read-only=false`).
fn is_false(o: &Occurrence) -> bool {
    parse_bool(value_of(o)) == Ok(false)
}

/// Applies the changes to a parsed command line.
pub fn apply(parsed: &Parsed, changes: &[Change]) -> Parsed {
    let mut p = parsed.clone();
    for c in changes {
        apply_one(&mut p, c);
    }
    p
}

fn apply_one(p: &mut Parsed, change: &Change) {
    match change {
        Change::DropAllCapabilities => {
            remove(p, "cap-drop", |_| true);
            add(p, "cap-drop", Some("ALL".into()));
        }
        Change::AddCapability { capability } => {
            let have = p
                .all("cap-add")
                .any(|o| &normalize_capability(value_of(o)) == capability);
            if !have {
                add(
                    p,
                    "cap-add",
                    Some(capability.trim_start_matches("CAP_").to_string()),
                );
            }
        }
        Change::RemoveCapability { capability } => {
            remove(p, "cap-add", |o| {
                &normalize_capability(value_of(o)) == capability
            });
        }
        Change::SetNoNewPrivileges => {
            remove(p, "security-opt", |o| {
                no_new_privileges(value_of(o)) == Some(false)
            });
            let present = p.occurrences.iter().any(|o| {
                o.flag.long == "security-opt" && no_new_privileges(value_of(o)) == Some(true)
            });
            if !present {
                add(p, "security-opt", Some("no-new-privileges".into()));
            }
        }
        Change::SetUser { user } => {
            remove(p, "user", |_| true);
            add(p, "user", Some(user.clone()));
        }
        Change::SetReadOnlyRootfs => {
            remove(p, "read-only", is_false);
            if !p.occurrences.iter().any(|o| o.flag.long == "read-only") {
                add(p, "read-only", None);
            }
        }
        Change::AddTmpfs { path, options } => {
            let v = if options.is_empty() {
                path.clone()
            } else {
                format!("{path}:{options}")
            };
            add(p, "tmpfs", Some(v));
        }
        Change::SetTmpfsOwner { path, uid, gid } => {
            // Rewritten where it stands.
            for o in p.occurrences.iter_mut().filter(|o| o.flag.long == "tmpfs") {
                let v = value_of(o).to_string();
                let (at, opts) = v.split_once(':').unwrap_or((v.as_str(), ""));
                if at.trim_end_matches('/') == path.trim_end_matches('/') {
                    o.value = Some(format!("{at}:{}", super::with_owner(opts, *uid, *gid)));
                }
            }
        }
        Change::SetMemory { bytes } => {
            remove(p, "memory", |_| true);
            add(p, "memory", Some(docker_bytes(*bytes)));
        }
        Change::SetNanoCpus { nano_cpus } => {
            remove(p, "cpus", |_| true);
            add(p, "cpus", Some(format_cpus(*nano_cpus)));
        }
        Change::SetCpuQuota { quota } => {
            remove(p, "cpu-quota", |_| true);
            add(p, "cpu-quota", Some(quota.to_string()));
        }
        Change::SetPidsLimit { limit } => {
            remove(p, "pids-limit", |_| true);
            add(p, "pids-limit", Some(limit.to_string()));
        }
        Change::BindPortHostIp(b) => {
            let (ip, origin) = (&b.ip, &b.origin);
            if let Origin::Argv { index, .. } = origin
                && let Some(o) = p
                    .occurrences
                    .iter_mut()
                    .find(|o| o.index == *index && o.flag.long == "publish")
                && let Some(v) = &o.value
            {
                o.value = Some(with_host_ip(v, ip));
            }
        }
        Change::PublishExposedPortsOn { ports, ip } => {
            remove(p, "publish-all", |_| true);
            for port in ports {
                add(p, "publish", Some(format!("{}::{port}", bracket(ip))));
            }
        }
        Change::RemoveSecurityOpt { option } => {
            remove(p, "security-opt", |o| value_of(o) == option);
        }
    }
}

fn bracket(ip: &str) -> String {
    if ip.contains(':') {
        format!("[{ip}]")
    } else {
        ip.to_string()
    }
}

/// Rewrites a `-p` value so that it binds `ip`: `8080:80` → `127.0.0.1:8080:80`, `80` →
/// `127.0.0.1::80`, `0.0.0.0:8080:80` → `127.0.0.1:8080:80`, long syntax
/// `published=8080,target=80` → `127.0.0.1:8080:80/tcp` (the long syntax of `docker run` has no
/// host IP key).
pub fn with_host_ip(value: &str, ip: &str) -> String {
    let ip = bracket(ip);
    if value.contains('=') {
        let mut published = "";
        let mut target = "";
        let mut protocol = "tcp";
        for field in value.split(',') {
            match field.split_once('=') {
                Some(("published", v)) => published = v,
                Some(("target", v)) => target = v,
                Some(("protocol", v)) => protocol = v,
                _ => {}
            }
        }
        return format!("{ip}:{published}:{target}/{protocol}");
    }
    // Split from the right like the CLI: container[/proto], host port, then the IP.
    let (rest, container) = match value.rfind(':') {
        Some(i) => (Some(&value[..i]), &value[i + 1..]),
        None => (None, value),
    };
    let host_port = match rest {
        None => "",
        Some(r) => match r.rfind(':') {
            Some(i) => &r[i + 1..],
            None => r,
        },
    };
    format!("{ip}:{host_port}:{container}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_ip_rewrites() {
        assert_eq!(with_host_ip("8080:80", "127.0.0.1"), "127.0.0.1:8080:80");
        assert_eq!(with_host_ip("80", "127.0.0.1"), "127.0.0.1::80");
        assert_eq!(
            with_host_ip("53:53/udp", "127.0.0.1"),
            "127.0.0.1:53:53/udp"
        );
        assert_eq!(
            with_host_ip("0.0.0.0:8080:80", "127.0.0.1"),
            "127.0.0.1:8080:80"
        );
        assert_eq!(
            with_host_ip("[::]:8080:80", "127.0.0.1"),
            "127.0.0.1:8080:80"
        );
        assert_eq!(with_host_ip(":::8080:80", "::1"), "[::1]:8080:80");
        assert_eq!(
            with_host_ip("8000-8010:80", "127.0.0.1"),
            "127.0.0.1:8000-8010:80"
        );
        assert_eq!(with_host_ip("0.0.0.0::80", "127.0.0.1"), "127.0.0.1::80");
        assert_eq!(
            with_host_ip("published=8888,target=88,protocol=sctp", "127.0.0.1"),
            "127.0.0.1:8888:88/sctp"
        );
        assert_eq!(with_host_ip("target=88", "127.0.0.1"), "127.0.0.1::88/tcp");
    }
}
