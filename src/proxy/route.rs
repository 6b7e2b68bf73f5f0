//! Which requests are doors to privilege, decided as the engine's router decides where a request
//! goes (moby `api/server/server.go` `createMux`: gorilla/mux over `req.URL.Path`).
//!
//! What the engine does, measured on Engine 20.10 (API 1.41) and read in moby v20.10.24:
//! - The path is percent-decoded before routing: `/containers/%63reate` and `/containers%2Fcreate`
//!   both create a container. A bad escape (`%zz`, a lone `%`) is a 400.
//! - The decoded path is cleaned (`path.Clean`, a trailing slash kept); when cleaning changes it
//!   (`./`, `..`, `//`) the answer is a 301 to the clean path and nothing is routed.
//! - Each route exists with and without a version prefix `/v{version:[0-9.]+}`; the version
//!   compares as Go's `versions.LessThan` (dot-separated integers: `1.023` is `1.23`).
//! - Methods match exactly (`post` is a 404); a trailing slash does not match
//!   (`/containers/create/` is a 404); `{name:.*}` takes slashes but no newline (Go's `.`),
//!   `{id}` is one segment; the query is everything after the first `?` and a `#` stays in the
//!   path.
//! - Absolute-form targets (`http://x/containers/create`, any scheme) are routed by their path;
//!   the proxy refuses them rather than copy Go's URL parser (no Docker client sends them).

use std::fmt;

/// A request the judge must see before it reaches the engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Door {
    /// `POST /containers/create`: the whole container (HostConfig, Mounts, …).
    ContainerCreate,
    /// `POST /containers/{name}/update`: Resources and RestartPolicy of an existing container
    /// (lifts memory, pids and CPU limits).
    ContainerUpdate,
    /// `POST /containers/{name}/start` with an API version below 1.24 in the path: the engine
    /// still applies a HostConfig body at start (measured: `/v1.12/…/start` with
    /// `{"Binds":["/:/host"],"PidMode":"host","CapAdd":["SYS_ADMIN"]}` ran a container with the
    /// host's `/` and PID namespace); from 1.24 on a body is refused by the engine.
    ContainerStartLegacy,
    /// `POST /containers/{name}/exec`: `Privileged`, `User`, `Env` of a new process.
    ExecCreate,
    /// `POST /services/create` (Swarm): a task template that creates containers.
    ServiceCreate,
    /// `POST /services/{id}/update` (Swarm; `?rollback=previous` restores the previous spec).
    ServiceUpdate,
    /// `POST /plugins/pull`: installs a plugin with the privileges listed in the body
    /// (host network, mounts, devices, capabilities).
    PluginPull,
    /// `POST /plugins/{name}/upgrade`: same as pull for an installed plugin.
    PluginUpgrade,
    /// `POST /plugins/{name}/set`: changes a plugin's mount sources, devices, env, args.
    PluginSet,
    /// `POST /plugins/create`: a plugin from a tar (config.json + rootfs) with whatever
    /// privileges its config asks for; no privilege check happens at all.
    PluginCreate,
    /// `POST /plugins/{name}/enable`: runs a plugin with its privileges (measured: a plugin made
    /// with `/plugins/create` whose config binds `/` listed the host's root once enabled).
    PluginEnable,
    /// `POST /volumes/create`: the `local` driver with `type=none,o=bind,device=/var/run` is a
    /// bind mount of any host path under a volume name (measured: it showed the host's
    /// docker.sock inside a container that only named the volume).
    VolumeCreate,
    /// `POST /swarm/init`: makes this engine a Swarm manager.
    SwarmInit,
    /// `POST /swarm/join`: lets a remote manager schedule tasks (bind mounts, capabilities) on
    /// this engine without passing through the proxy.
    SwarmJoin,
    /// `POST /build` (classic builder): `networkmode=host`, `cgroupparent`, `cpusetcpus`,
    /// `shmsize`, `ulimits`… in the query (or in a form body) apply to the build's containers.
    Build,
    /// `POST /grpc`: the BuildKit control API (h2c); a solve may ask for `network.host`, which
    /// the 20.10 engine grants by default (`getEntitlements` in builder-next). The judge sees
    /// the head (no body), then each `Solve` call's message read off the upgraded connection
    /// by [`super::grpc`].
    BuildKit,
}

/// What the proxy must do with a door's request body before the judge sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyUse {
    /// Read it whole (JSON, small) and give it to the judge.
    Read,
    /// Stream it past unread (a tar or a gRPC stream); the judge sees the head only. A form
    /// body (`application/x-www-form-urlencoded`, `multipart/form-data`) is read anyway: Go's
    /// `r.FormValue` takes parameters from it before the query.
    Stream,
}

impl Door {
    /// Every door, for tables and tests.
    pub const ALL: [Door; 16] = [
        Door::ContainerCreate,
        Door::ContainerUpdate,
        Door::ContainerStartLegacy,
        Door::ExecCreate,
        Door::ServiceCreate,
        Door::ServiceUpdate,
        Door::PluginPull,
        Door::PluginUpgrade,
        Door::PluginSet,
        Door::PluginCreate,
        Door::PluginEnable,
        Door::VolumeCreate,
        Door::SwarmInit,
        Door::SwarmJoin,
        Door::Build,
        Door::BuildKit,
    ];

    /// Stable kebab-case name (logs, JSON).
    pub fn name(self) -> &'static str {
        match self {
            Door::ContainerCreate => "container-create",
            Door::ContainerUpdate => "container-update",
            Door::ContainerStartLegacy => "container-start-legacy",
            Door::ExecCreate => "exec-create",
            Door::ServiceCreate => "service-create",
            Door::ServiceUpdate => "service-update",
            Door::PluginPull => "plugin-pull",
            Door::PluginUpgrade => "plugin-upgrade",
            Door::PluginSet => "plugin-set",
            Door::PluginCreate => "plugin-create",
            Door::PluginEnable => "plugin-enable",
            Door::VolumeCreate => "volume-create",
            Door::SwarmInit => "swarm-init",
            Door::SwarmJoin => "swarm-join",
            Door::Build => "build",
            Door::BuildKit => "buildkit",
        }
    }

    /// The route as the engine declares it (without the version prefix).
    pub fn route(self) -> &'static str {
        match self {
            Door::ContainerCreate => "POST /containers/create",
            Door::ContainerUpdate => "POST /containers/{name}/update",
            Door::ContainerStartLegacy => "POST /v{<1.24}/containers/{name}/start",
            Door::ExecCreate => "POST /containers/{name}/exec",
            Door::ServiceCreate => "POST /services/create",
            Door::ServiceUpdate => "POST /services/{id}/update",
            Door::PluginPull => "POST /plugins/pull",
            Door::PluginUpgrade => "POST /plugins/{name}/upgrade",
            Door::PluginSet => "POST /plugins/{name}/set",
            Door::PluginCreate => "POST /plugins/create",
            Door::PluginEnable => "POST /plugins/{name}/enable",
            Door::VolumeCreate => "POST /volumes/create",
            Door::SwarmInit => "POST /swarm/init",
            Door::SwarmJoin => "POST /swarm/join",
            Door::Build => "POST /build",
            Door::BuildKit => "POST /grpc",
        }
    }

    pub fn body_use(self) -> BodyUse {
        match self {
            Door::PluginCreate | Door::PluginEnable | Door::Build | Door::BuildKit => {
                BodyUse::Stream
            }
            _ => BodyUse::Read,
        }
    }
}

impl fmt::Display for Door {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A request target as the engine would route it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Routed {
    /// The door, or `None`: the request passes through untouched.
    pub door: Option<Door>,
    /// The version prefix of the path (`1.41` for `/v1.41/…`), as written.
    pub api_version: Option<String>,
    /// The path's `{name}` / `{id}` (percent-decoded), for doors that have one.
    pub name: Option<String>,
    /// The raw query (after the first `?`, without it), as sent.
    pub query: String,
    /// The raw path (before the first `?`), as sent.
    pub raw_path: String,
}

/// A target the proxy does not forward.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    #[error("unsupported request target {0:?}: only origin-form (/path?query) is accepted")]
    NotOriginForm(String),
    #[error("invalid URL escape in {0:?}")]
    BadEscape(String),
}

/// Classifies one request (`method` exactly as sent, `target` the request-target).
pub fn classify(method: &str, target: &str) -> Result<Routed, RouteError> {
    if !target.starts_with('/') {
        return Err(RouteError::NotOriginForm(target.to_string()));
    }
    let (raw_path, query) = match target.split_once('?') {
        Some((p, q)) => (p, q),
        None => (target, ""),
    };
    let decoded = percent_decode(raw_path).ok_or_else(|| RouteError::BadEscape(target.into()))?;
    let mut routed = Routed {
        door: None,
        api_version: None,
        name: None,
        query: query.to_string(),
        raw_path: raw_path.to_string(),
    };
    // gorilla/mux answers 301 to the cleaned path and routes nothing.
    if clean_path(&decoded) != decoded {
        return Ok(routed);
    }
    let (version, rest) = split_version(&decoded);
    routed.api_version = version.map(|v| String::from_utf8_lossy(v).into_owned());
    if method != "POST" {
        return Ok(routed);
    }
    let (door, name) = match_post(rest, version);
    routed.door = door;
    routed.name = name.map(|n| String::from_utf8_lossy(n).into_owned());
    Ok(routed)
}

fn match_post<'a>(path: &'a [u8], version: Option<&[u8]>) -> (Option<Door>, Option<&'a [u8]>) {
    let exact = [
        (&b"/containers/create"[..], Door::ContainerCreate),
        (b"/services/create", Door::ServiceCreate),
        (b"/plugins/pull", Door::PluginPull),
        (b"/plugins/create", Door::PluginCreate),
        (b"/volumes/create", Door::VolumeCreate),
        (b"/swarm/init", Door::SwarmInit),
        (b"/swarm/join", Door::SwarmJoin),
        (b"/build", Door::Build),
        (b"/grpc", Door::BuildKit),
    ];
    for (p, door) in exact {
        if path == p {
            return (Some(door), None);
        }
    }
    // `{name:.*}` routes: any bytes but a newline between a prefix and a suffix.
    let wild = [
        (&b"/containers/"[..], &b"/update"[..], Door::ContainerUpdate),
        (b"/containers/", b"/exec", Door::ExecCreate),
        (b"/containers/", b"/start", Door::ContainerStartLegacy),
        (b"/plugins/", b"/upgrade", Door::PluginUpgrade),
        (b"/plugins/", b"/set", Door::PluginSet),
        (b"/plugins/", b"/enable", Door::PluginEnable),
    ];
    for (prefix, suffix, door) in wild {
        let Some(name) = path
            .strip_prefix(prefix)
            .and_then(|r| r.strip_suffix(suffix))
        else {
            continue;
        };
        if name.contains(&b'\n') {
            continue;
        }
        if door == Door::ContainerStartLegacy && !version.is_some_and(|v| version_less(v, b"1.24"))
        {
            return (None, None);
        }
        return (Some(door), Some(name));
    }
    // `/services/{id}/update`: `{id}` is `[^/]+`.
    if let Some(id) = path
        .strip_prefix(b"/services/")
        .and_then(|r| r.strip_suffix(b"/update"))
        && !id.is_empty()
        && !id.contains(&b'/')
    {
        return (Some(Door::ServiceUpdate), Some(id));
    }
    (None, None)
}

/// `/v{version:[0-9.]+}/rest` → (version, `/rest`); otherwise (None, path).
fn split_version(path: &[u8]) -> (Option<&[u8]>, &[u8]) {
    if let Some(after_v) = path.strip_prefix(b"/v") {
        let n = after_v
            .iter()
            .take_while(|b| b.is_ascii_digit() || **b == b'.')
            .count();
        if n > 0 && after_v.get(n) == Some(&b'/') {
            return (Some(&after_v[..n]), &after_v[n..]);
        }
    }
    (None, path)
}

/// Go's `versions.LessThan` (github.com/docker/docker/api/types/versions): dot-separated
/// integers, a missing or unparsable part counts as 0.
pub fn version_less(a: &[u8], b: &[u8]) -> bool {
    version_compare(a, b) == std::cmp::Ordering::Less
}

fn version_compare(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let pa: Vec<&[u8]> = a.split(|c| *c == b'.').collect();
    let pb: Vec<&[u8]> = b.split(|c| *c == b'.').collect();
    for i in 0..pa.len().max(pb.len()) {
        let x = pa.get(i).map_or(0, |s| atoi(s));
        let y = pb.get(i).map_or(0, |s| atoi(s));
        match x.cmp(&y) {
            std::cmp::Ordering::Equal => continue,
            other => return other,
        }
    }
    std::cmp::Ordering::Equal
}

/// `strconv.Atoi` with its error ignored, for digit strings: "" is 0, overflow saturates.
fn atoi(s: &[u8]) -> i64 {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return 0;
    }
    let mut v: i64 = 0;
    for d in s {
        v = match v
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(d - b'0')))
        {
            Some(v) => v,
            None => return i64::MAX,
        };
    }
    v
}

/// Go's `url.unescape(s, encodePath)`: `%XX` → byte, `+` stays; a bad escape is an error.
pub fn percent_decode(s: impl AsRef<[u8]>) -> Option<Vec<u8>> {
    let b = s.as_ref();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hi = b.get(i + 1).and_then(|c| (*c as char).to_digit(16))?;
            let lo = b.get(i + 2).and_then(|c| (*c as char).to_digit(16))?;
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

/// gorilla/mux `cleanPath`: `path.Clean`, with a trailing slash put back.
pub fn clean_path(p: &[u8]) -> Vec<u8> {
    if p.is_empty() {
        return b"/".to_vec();
    }
    let mut p = p.to_vec();
    if p[0] != b'/' {
        p.insert(0, b'/');
    }
    let mut np = go_path_clean(&p);
    if p.last() == Some(&b'/') && np != b"/" {
        np.push(b'/');
    }
    np
}

/// Go's `path.Clean` for a rooted path.
fn go_path_clean(p: &[u8]) -> Vec<u8> {
    let mut parts: Vec<&[u8]> = Vec::new();
    for seg in p.split(|c| *c == b'/') {
        match seg {
            b"" | b"." => {}
            b".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let mut out = Vec::with_capacity(p.len());
    for s in &parts {
        out.push(b'/');
        out.extend_from_slice(s);
    }
    if out.is_empty() {
        out.push(b'/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn door(method: &str, target: &str) -> Option<Door> {
        classify(method, target).ok().and_then(|r| r.door)
    }

    #[test]
    fn create_with_and_without_version() {
        assert_eq!(
            door("POST", "/containers/create"),
            Some(Door::ContainerCreate)
        );
        assert_eq!(
            door("POST", "/v1.41/containers/create?name=x"),
            Some(Door::ContainerCreate)
        );
        assert_eq!(
            door("POST", "/v1.41.0/containers/create"),
            Some(Door::ContainerCreate)
        );
        // The engine routes these, then refuses the version (400): judging them is harmless.
        assert_eq!(
            door("POST", "/v./containers/create"),
            Some(Door::ContainerCreate)
        );
        assert_eq!(
            door("POST", "/v9.99/containers/create"),
            Some(Door::ContainerCreate)
        );
    }

    #[test]
    fn percent_encoded_paths_are_decoded_like_go() {
        assert_eq!(
            door("POST", "/containers/%63reate"),
            Some(Door::ContainerCreate)
        );
        assert_eq!(
            door("POST", "/containers%2Fcreate"),
            Some(Door::ContainerCreate)
        );
        assert_eq!(door("POST", "/containers/%2563reate"), None);
        assert_eq!(door("POST", "/v1.41/containers/create%3F"), None);
        assert!(matches!(
            classify("POST", "/containers/create%zz"),
            Err(RouteError::BadEscape(_))
        ));
        assert!(matches!(
            classify("POST", "/containers/create%"),
            Err(RouteError::BadEscape(_))
        ));
    }

    #[test]
    fn unclean_paths_are_redirected_not_routed() {
        for t in [
            "/v1.41/containers/./create",
            "/v1.41//containers/create",
            "//containers/create",
            "/containers/../containers/create",
            "/containers/create/.",
            "/containers/%2E/create",
            "/containers/x//exec",
        ] {
            assert_eq!(door("POST", t), None, "{t}");
        }
    }

    #[test]
    fn what_the_engine_does_not_route() {
        for t in [
            "/containers/create/",
            "/V1.41/containers/create",
            "/containers/create;x",
            "/containers/create#x",
            "/containers/create.",
            "/containers/exec",
            "/containers/a%0Ab/exec",
            "/services/a/b/update",
            "/services/a%2Fb/update",
            "/v1.2a/containers/x/start",
        ] {
            assert_eq!(door("POST", t), None, "{t}");
        }
        assert_eq!(door("post", "/containers/create"), None);
        assert_eq!(door("PUT", "/containers/create"), None);
        assert_eq!(door("GET", "/containers/create"), None);
        // `?#` : the query starts at the first `?`.
        assert_eq!(
            door("POST", "/containers/create?#"),
            Some(Door::ContainerCreate)
        );
    }

    #[test]
    fn absolute_form_is_refused() {
        for t in [
            "http://x/containers/create",
            "foo://x/containers/create",
            "*",
        ] {
            assert!(matches!(
                classify("POST", t),
                Err(RouteError::NotOriginForm(_))
            ));
        }
    }

    #[test]
    fn named_doors_take_any_name_but_a_newline() {
        let r = classify("POST", "/containers/a/b/exec").unwrap();
        assert_eq!(r.door, Some(Door::ExecCreate));
        assert_eq!(r.name.as_deref(), Some("a/b"));
        assert_eq!(
            door("POST", "/containers/create/exec"),
            Some(Door::ExecCreate)
        );
        assert_eq!(
            door("POST", "/containers/a%0Db/exec"),
            Some(Door::ExecCreate)
        );
        assert_eq!(
            door("POST", "/v1.41/containers/x/update"),
            Some(Door::ContainerUpdate)
        );
        assert_eq!(
            door("POST", "/services/abc/update"),
            Some(Door::ServiceUpdate)
        );
        assert_eq!(
            door("POST", "/plugins/a/b:latest/set"),
            Some(Door::PluginSet)
        );
        assert_eq!(
            door("POST", "/plugins/pull/upgrade"),
            Some(Door::PluginUpgrade)
        );
        assert_eq!(door("POST", "/plugins/x/enable"), Some(Door::PluginEnable));
        assert_eq!(door("POST", "/plugins/x/disable"), None);
    }

    #[test]
    fn start_is_a_door_below_api_1_24_only() {
        assert_eq!(
            door("POST", "/v1.23/containers/x/start"),
            Some(Door::ContainerStartLegacy)
        );
        assert_eq!(
            door("POST", "/v1.023/containers/x/start"),
            Some(Door::ContainerStartLegacy)
        );
        assert_eq!(
            door("POST", "/v1.12/containers/x/start"),
            Some(Door::ContainerStartLegacy)
        );
        assert_eq!(door("POST", "/v1.24/containers/x/start"), None);
        assert_eq!(door("POST", "/v1.41/containers/x/start"), None);
        assert_eq!(door("POST", "/containers/x/start"), None);
    }

    #[test]
    fn other_doors() {
        assert_eq!(
            door("POST", "/v1.41/build?networkmode=host"),
            Some(Door::Build)
        );
        assert_eq!(door("POST", "/build/prune"), None);
        assert_eq!(door("POST", "/grpc"), Some(Door::BuildKit));
        assert_eq!(door("POST", "/session"), None);
        assert_eq!(door("POST", "/volumes/create"), Some(Door::VolumeCreate));
        assert_eq!(door("POST", "/swarm/join"), Some(Door::SwarmJoin));
        assert_eq!(door("POST", "/swarm/init"), Some(Door::SwarmInit));
        assert_eq!(
            door("POST", "/plugins/create?name=x"),
            Some(Door::PluginCreate)
        );
        assert_eq!(door("POST", "/exec/x/start"), None);
        assert_eq!(door("POST", "/containers/x/attach"), None);
        assert_eq!(door("PUT", "/containers/x/archive"), None);
        assert_eq!(door("GET", "/_ping"), None);
        assert_eq!(door("HEAD", "/_ping"), None);
    }

    #[test]
    fn versions_compare_like_go() {
        assert!(version_less(b"1.23", b"1.24"));
        assert!(version_less(b"1.023", b"1.24"));
        assert!(!version_less(b"1.24", b"1.24"));
        assert!(!version_less(b"1.24.0", b"1.24"));
        assert!(version_less(b".", b"1.24"));
        assert!(version_less(b"1..9", b"1.24"));
        assert!(!version_less(b"99999999999999999999999.1", b"1.24"));
    }

    #[test]
    fn clean_path_keeps_trailing_slash() {
        assert_eq!(clean_path(b"/containers/create/"), b"/containers/create/");
        assert_eq!(clean_path(b"/a/./b"), b"/a/b");
        assert_eq!(clean_path(b"/a/b/.."), b"/a");
        assert_eq!(clean_path(b"/a/b/../"), b"/a/");
        assert_eq!(clean_path(b"/"), b"/");
        assert_eq!(clean_path(b"/.."), b"/");
    }

    #[test]
    fn every_door_is_listed_once() {
        let names: std::collections::BTreeSet<&str> = Door::ALL.iter().map(|d| d.name()).collect();
        assert_eq!(names.len(), Door::ALL.len());
    }
}
