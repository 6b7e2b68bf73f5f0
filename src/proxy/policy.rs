//! The policy judge: the preset applied at every door, as `harden run` applies it (the image
//! inspected through the upstream for its facts), in the proxy's mode; one decision record per
//! judged request.

use super::body;
use super::judge::{Judge, JudgeFuture, JudgedRequest, PeerInfo, Verdict};
use super::route::Door;
use super::server::{Event, EventSink};
use crate::engine::Engine;
use crate::engine::host::Endpoint;
use crate::preset::Preset;
use crate::session::proxy::{self as session, Judgement, Mode};
use crate::spec::ImageFacts;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Most images whose facts a judge keeps (then it starts over).
const MAX_IMAGES: usize = 512;

/// Judges every door with one preset and mode.
pub struct PolicyJudge {
    endpoint: Endpoint,
    engine: tokio::sync::OnceCell<Engine>,
    preset: Preset,
    mode: Mode,
    log: EventSink,
    /// What each image judged so far says (its config and its files), per image id. Every
    /// create still asks the engine which image its name names now (one inspect): a tag moved
    /// to another image finds another id, whose files are read then.
    images: std::sync::Mutex<HashMap<String, ImageFacts>>,
}

impl PolicyJudge {
    /// `endpoint` is the upstream (the judge asks it about images and containers).
    pub fn new(endpoint: Endpoint, preset: Preset, mode: Mode, log: EventSink) -> PolicyJudge {
        PolicyJudge {
            endpoint,
            engine: tokio::sync::OnceCell::new(),
            preset,
            mode,
            log,
            images: Default::default(),
        }
    }

    /// The upstream as an API client (connected on first use, again after a failure).
    async fn engine(&self) -> Option<&Engine> {
        self.engine
            .get_or_try_init(|| Engine::connect(self.endpoint.clone(), None))
            .await
            .ok()
    }

    /// What the image says about itself (its config, and its files as `harden run` reads
    /// them), or `None` when the engine does not have it.
    async fn image_facts(&self, image: &str) -> Option<ImageFacts> {
        if image.is_empty() {
            return None;
        }
        let engine = self.engine().await?;
        let mut facts = crate::engine::image::inspect(engine, image).await.ok()??;
        let Some(id) = facts.id.clone() else {
            return Some(facts);
        };
        if let Some(known) = self.images.lock().ok().and_then(|m| m.get(&id).cloned()) {
            return Some(known);
        }
        // Not kept when its files could not be read: the next create tries again.
        if let Ok(fs) = crate::engine::probe::filesystem(engine, &facts).await {
            facts.fs = Some(fs);
            if let Ok(mut images) = self.images.lock() {
                if images.len() >= MAX_IMAGES {
                    images.clear();
                }
                images.insert(id, facts.clone());
            }
        }
        Some(facts)
    }

    /// The image and name of an existing container (`None` when the engine does not know it:
    /// the engine will answer 404 itself).
    async fn container(&self, id: &str) -> Option<(String, String)> {
        let engine = self.engine().await?;
        let path = format!("/containers/{}/json", crate::engine::image::encode_path(id));
        let body = engine.call("GET", &path, None).await.ok()?;
        let v: Value = serde_json::from_slice(&body).ok()?;
        let image = v["Config"]["Image"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let name = v["Name"]
            .as_str()
            .unwrap_or_default()
            .trim_start_matches('/')
            .to_string();
        Some((image, name))
    }

    async fn decide(&self, req: &JudgedRequest<'_>) -> Verdict {
        let mode = self.mode;
        let preset = &self.preset;
        let mut record = Record {
            container: None,
            image: None,
            started: std::time::Instant::now(),
        };
        let body_value = match req.body {
            Some(b) if req.door.body_use() == super::route::BodyUse::Read => {
                // The container doors are read exactly as the engine's Go decoder reads them,
                // in the dialect of the engine's own API version (not the request's prefix).
                let dialect = match self.engine().await {
                    Some(e) => body::Dialect::for_api_version(&e.api_version),
                    None => body::Dialect::Engine20_10,
                };
                match read_json(req.door, dialect, b) {
                    Ok(v) => Some(v),
                    Err((status, e)) => {
                        let message = format!("harden proxy: cannot read the request body: {e}");
                        return self.finish(
                            req,
                            &record,
                            Outcome::Unreadable(message.clone()),
                            Verdict::Refuse { status, message },
                        );
                    }
                }
            }
            _ => None,
        };
        let v = body_value.unwrap_or(Value::Null);
        let judgement: Result<Judgement, String> = match req.door {
            Door::ContainerCreate => {
                let image = v["Image"].as_str().unwrap_or_default().to_string();
                let name = query_param(req.query, "name");
                let facts = self.image_facts(&image).await;
                let engine = match self.engine().await {
                    Some(e) => Some(e.facts().await),
                    None => None,
                };
                record.container = name.clone();
                record.image = Some(image);
                session::judge_create(&v, name.as_deref(), facts, engine, preset, mode)
                    .map(Judgement::from)
                    .map_err(|e| e.to_string())
            }
            Door::ExecCreate | Door::ContainerUpdate => {
                let id = req.name.unwrap_or_default();
                let (image, name) = self
                    .container(id)
                    .await
                    .unwrap_or_else(|| (String::new(), id.to_string()));
                record.container = Some(name.clone());
                record.image = Some(image.clone());
                Ok(if req.door == Door::ExecCreate {
                    session::judge_exec(&v, &image, Some(&name), preset, mode)
                } else {
                    session::judge_update(&v, &image, Some(&name), preset, mode)
                })
            }
            Door::ServiceCreate | Door::ServiceUpdate => {
                record.container = v["Name"].as_str().map(str::to_string);
                record.image = v
                    .pointer("/TaskTemplate/ContainerSpec/Image")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let image = record.image.clone().unwrap_or_default();
                let facts = self.image_facts(&image).await;
                let api = match self.engine().await {
                    Some(e) => e.api_version.clone(),
                    None => String::new(),
                };
                session::judge_service(&v, facts, &api, preset, mode).map_err(|e| e.to_string())
            }
            Door::PluginPull | Door::PluginUpgrade => {
                let remote = query_param(req.query, "remote")
                    .or_else(|| req.name.map(str::to_string))
                    .unwrap_or_default();
                record.image = Some(remote.clone());
                session::judge_plugin_privileges(&v, &remote, preset, mode)
                    .map_err(|e| e.to_string())
            }
            Door::PluginSet => {
                let sets_source = v.as_array().into_iter().flatten().any(|a| {
                    a.as_str()
                        .and_then(|s| s.split_once('='))
                        .is_some_and(|(k, _)| k.ends_with(".source") || k == "devices")
                });
                Ok(if sets_source {
                    session::judge_unreviewable(
                        "plugin set: changing a plugin's mount source or devices points it at other host paths; set them at install",
                        mode,
                    )
                } else {
                    Judgement::default()
                })
            }
            Door::PluginCreate => Ok(session::judge_unreviewable(
                "plugin create installs a plugin with whatever privileges its tar asks for, unreviewed; install plugins with `docker plugin install`",
                mode,
            )),
            Door::VolumeCreate => {
                record.container = v["Name"].as_str().map(str::to_string);
                session::judge_volume(&v, preset, mode).map_err(|e| e.to_string())
            }
            Door::ContainerStartLegacy => {
                let empty = req
                    .body
                    .is_none_or(|b| b.iter().all(u8::is_ascii_whitespace))
                    || matches!(&v, Value::Null)
                    || v.as_object().is_some_and(|o| o.is_empty());
                record.container = req.name.map(str::to_string);
                if empty {
                    Ok(Judgement::default())
                } else {
                    let mut j = session::judge_unreviewable(
                        "a HostConfig given at start (API < 1.24) changes a container after it was judged; give it at create",
                        mode,
                    );
                    if mode == Mode::Warn {
                        j.body = Some(json!({}));
                        j.changes.push("start without the HostConfig body".into());
                    }
                    Ok(j)
                }
            }
            Door::SwarmJoin => Ok(session::judge_unreviewable(
                "swarm join lets a remote manager create containers on this engine without passing through the proxy",
                mode,
            )),
            Door::Build => {
                let params = query_params(req.query);
                session::judge_build(&params, preset, mode).map_err(|e| e.to_string())
            }
            // A solve request read off the upgraded connection (`super::grpc`); the upgrade
            // itself has no body and asks for nothing.
            Door::BuildKit => match req.body {
                Some(msg) => match super::grpc::decode_solve(msg) {
                    Ok(solve) => {
                        record.image = solve.image.clone();
                        session::judge_solve(&solve.entitlements, preset, mode)
                            .map_err(|e| e.to_string())
                    }
                    Err(e) => Err(e),
                },
                None => Ok(Judgement::default()),
            },
            Door::PluginEnable | Door::SwarmInit => Ok(Judgement::default()),
        };
        let j = match judgement {
            Ok(j) => j,
            Err(e) => {
                let message = format!("harden proxy: the request body is not valid: {e}");
                if mode == Mode::Audit {
                    return self.finish(
                        req,
                        &record,
                        Outcome::Unreadable(message),
                        Verdict::forward(),
                    );
                }
                return self.finish(
                    req,
                    &record,
                    Outcome::Unreadable(message.clone()),
                    Verdict::Refuse {
                        status: 400,
                        message,
                    },
                );
            }
        };
        let verdict = if j.refused {
            Verdict::Refuse {
                status: 403,
                message: j.refusal_message(),
            }
        } else if mode == Mode::Audit
            || req.body.is_none()
            || (j.body.is_none() && !canonical_door(req.door))
        {
            Verdict::forward()
        } else {
            // The body as judged: canonical (no duplicate or case-folded keys) even when
            // nothing changed, so the engine reads exactly what was judged.
            let send = j.body.clone().unwrap_or(v);
            Verdict::Forward {
                body: serde_json::to_vec(&send).ok(),
                query: None,
                warnings: j.warnings.clone(),
            }
        };
        self.finish(req, &record, Outcome::Judged(j), verdict)
    }

    fn finish(
        &self,
        req: &JudgedRequest<'_>,
        record: &Record,
        outcome: Outcome,
        verdict: Verdict,
    ) -> Verdict {
        let (decision, changes, refusals, error) = match &outcome {
            Outcome::Judged(j) => {
                let decision = match (&verdict, self.mode) {
                    (Verdict::Refuse { .. }, _) => "refuse",
                    (_, Mode::Audit) if !j.refusals.is_empty() => "would-refuse",
                    (_, Mode::Audit) if !j.changes.is_empty() => "would-change",
                    (_, Mode::Warn) if !j.refusals.is_empty() => "warn",
                    _ if !j.changes.is_empty() => "change",
                    _ => "forward",
                };
                (decision, j.changes.clone(), j.refusals.clone(), None)
            }
            Outcome::Unreadable(m) => (
                match verdict {
                    Verdict::Refuse { .. } => "refuse",
                    Verdict::Forward { .. } => "forward",
                },
                Vec::new(),
                Vec::new(),
                Some(m.clone()),
            ),
        };
        let line = json!({
            "event": "decision",
            "mode": self.mode,
            "decision": decision,
            "peer": peer_json(req.peer),
            "endpoint": endpoint(req),
            "door": req.door.name(),
            "container": record.container,
            "image": record.image,
            "changes": changes,
            "refusals": refusals,
            "error": error,
            "judge_ms": (record.started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0,
        });
        (self.log)(Event::Decision(line));
        verdict
    }
}

/// Doors whose body is always forwarded as judged (canonical), changed or not: the container's
/// own settings, where a misread would be a bypass. Other bodies go on as sent unless changed.
fn canonical_door(door: Door) -> bool {
    matches!(
        door,
        Door::ContainerCreate
            | Door::ExecCreate
            | Door::ContainerUpdate
            | Door::ContainerStartLegacy
    )
}

struct Record {
    container: Option<String>,
    image: Option<String>,
    /// When the judge got the request (the log says how long judging took).
    started: std::time::Instant,
}

enum Outcome {
    Judged(Judgement),
    Unreadable(String),
}

fn peer_json(p: &PeerInfo) -> Value {
    json!({ "pid": p.pid, "uid": p.uid, "gid": p.gid, "addr": p.addr })
}

fn endpoint(req: &JudgedRequest<'_>) -> String {
    if req.query.is_empty() {
        format!("{} {}", req.method, req.path)
    } else {
        format!("{} {}?{}", req.method, req.path, req.query)
    }
}

impl Judge for PolicyJudge {
    fn judge<'a>(&'a self, req: JudgedRequest<'a>) -> JudgeFuture<'a> {
        Box::pin(async move { self.decide(&req).await })
    }
}

/// Go's `url.ParseQuery` for what the engine reads with `r.Form.Get`: `&`-separated, `+` is a
/// space, `%XX` decoded; pairs with a bad escape or a `;` are skipped (Go refuses them).
pub fn query_params(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty() && !p.contains(';'))
        .filter_map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let dec = |s: &str| {
                super::route::percent_decode(s.replace('+', " "))
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
            };
            Some((dec(k)?, dec(v)?))
        })
        .collect()
}

/// The first value of `key` in the query (as Go's `Form.Get`).
fn query_param(query: &str, key: &str) -> Option<String> {
    query_params(query)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// Reads a door's JSON body as the engine does. The container doors (create, exec create,
/// update) go through [`body::decode`], the Go-faithful reader (case folding, last duplicate
/// wins, escapes, 20.10's top-level HostConfig, the engine's own refusals with its status);
/// the other doors' bodies (services, plugins, volumes) are serde_json with Go's
/// case-insensitive field matching ([`canonical_keys`]).
pub fn read_json(door: Door, dialect: body::Dialect, bytes: &[u8]) -> Result<Value, (u16, String)> {
    let container_door = match door {
        Door::ContainerCreate => Some(body::Door::ContainerCreate),
        Door::ExecCreate => Some(body::Door::ExecCreate),
        Door::ContainerUpdate => Some(body::Door::ContainerUpdate),
        _ => None,
    };
    if let Some(d) = container_door {
        return body::decode(d, dialect, bytes)
            .map(|d| d.value)
            .map_err(|e| (e.status, e.message));
    }
    let v: Value = serde_json::from_slice(bytes).map_err(|e| (400, e.to_string()))?;
    Ok(canonical_keys(v, false))
}

/// Struct fields of the bodies the proxy judges, as the engine's types spell them.
const FIELDS: &[&str] = &[
    "Hostname",
    "Domainname",
    "User",
    "AttachStdin",
    "AttachStdout",
    "AttachStderr",
    "ExposedPorts",
    "Tty",
    "OpenStdin",
    "StdinOnce",
    "Env",
    "Cmd",
    "Healthcheck",
    "ArgsEscaped",
    "Image",
    "Volumes",
    "WorkingDir",
    "Entrypoint",
    "NetworkDisabled",
    "MacAddress",
    "OnBuild",
    "Labels",
    "StopSignal",
    "StopTimeout",
    "Shell",
    "HostConfig",
    "NetworkingConfig",
    "Binds",
    "ContainerIDFile",
    "LogConfig",
    "NetworkMode",
    "PortBindings",
    "RestartPolicy",
    "AutoRemove",
    "VolumeDriver",
    "VolumesFrom",
    "Mounts",
    "CapAdd",
    "CapDrop",
    "CgroupnsMode",
    "Dns",
    "DnsOptions",
    "DnsSearch",
    "ExtraHosts",
    "GroupAdd",
    "IpcMode",
    "Cgroup",
    "Links",
    "OomScoreAdj",
    "PidMode",
    "Privileged",
    "PublishAllPorts",
    "ReadonlyRootfs",
    "SecurityOpt",
    "StorageOpt",
    "Tmpfs",
    "UTSMode",
    "UsernsMode",
    "ShmSize",
    "Sysctls",
    "Runtime",
    "ConsoleSize",
    "Isolation",
    "CpuShares",
    "Memory",
    "NanoCpus",
    "CgroupParent",
    "BlkioWeight",
    "BlkioWeightDevice",
    "BlkioDeviceReadBps",
    "BlkioDeviceWriteBps",
    "BlkioDeviceReadIOps",
    "BlkioDeviceWriteIOps",
    "CpuPeriod",
    "CpuQuota",
    "CpuRealtimePeriod",
    "CpuRealtimeRuntime",
    "CpusetCpus",
    "CpusetMems",
    "Devices",
    "DeviceCgroupRules",
    "DeviceRequests",
    "KernelMemory",
    "KernelMemoryTCP",
    "MemoryReservation",
    "MemorySwap",
    "MemorySwappiness",
    "OomKillDisable",
    "PidsLimit",
    "Ulimits",
    "CpuCount",
    "CpuPercent",
    "IOMaximumIOps",
    "IOMaximumBandwidth",
    "MaskedPaths",
    "ReadonlyPaths",
    "Init",
    "Type",
    "Config",
    "Name",
    "MaximumRetryCount",
    "HostIp",
    "HostPort",
    "Target",
    "Source",
    "ReadOnly",
    "Consistency",
    "BindOptions",
    "VolumeOptions",
    "TmpfsOptions",
    "Propagation",
    "NonRecursive",
    "NoCopy",
    "DriverConfig",
    "Options",
    "SizeBytes",
    "Mode",
    "PathOnHost",
    "PathInContainer",
    "CgroupPermissions",
    "Driver",
    "Count",
    "DeviceIDs",
    "Capabilities",
    "Soft",
    "Hard",
    "Test",
    "Interval",
    "Timeout",
    "Retries",
    "StartPeriod",
    "EndpointsConfig",
    "IPAMConfig",
    "Aliases",
    "NetworkID",
    "EndpointID",
    "Gateway",
    "IPAddress",
    "IPPrefixLen",
    "IPv6Gateway",
    "GlobalIPv6Address",
    "GlobalIPv6PrefixLen",
    "DriverOpts",
    "Detach",
    "DetachKeys",
    "Path",
    "Rate",
    "Weight",
    "IPv4Address",
    "IPv6Address",
    "LinkLocalIPs",
    "TaskTemplate",
    "ContainerSpec",
    "Privileges",
    "CapabilityAdd",
    "CapabilityDrop",
    "Networks",
    "Value",
    "DriverOpts",
    "Seccomp",
    "AppArmor",
    "SELinuxContext",
    "Disable",
];

/// Fields whose value is a map: its keys are data, matched exactly.
const MAPS: &[&str] = &[
    "Labels",
    "ExposedPorts",
    "Volumes",
    "Sysctls",
    "StorageOpt",
    "Tmpfs",
    "Config",
    "Options",
    "DriverOpts",
    "PortBindings",
    "EndpointsConfig",
];

/// Go's `encoding/json` field matching: an exact name first, else one that folds equal (ASCII
/// case, `ſ` ≡ `s`, `K` ≡ `k`). Keys of map fields stay as they are; a key that folds to a
/// field given earlier replaces it (the last wins, as in Go).
fn canonical_keys(v: Value, is_map: bool) -> Value {
    match v {
        Value::Object(o) => {
            let mut out = serde_json::Map::with_capacity(o.len());
            for (k, child) in o {
                let key = if is_map {
                    k
                } else {
                    FIELDS
                        .iter()
                        .find(|f| **f == k)
                        .or_else(|| FIELDS.iter().find(|f| body::fold_eq(f, &k)))
                        .map_or(k, |f| (*f).to_string())
                };
                let child_is_map = !is_map && MAPS.contains(&key.as_str());
                out.insert(key, canonical_keys(child, child_is_map));
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.into_iter().map(|x| canonical_keys(x, false)).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_fold_like_go() {
        let v = read_json(
            Door::ContainerCreate,
            body::Dialect::Engine20_10,
            br#"{"image":"x","hostconfig":{"privileged":true,"Binds":["/:/h"]},"Labels":{"privileged":"1"},"\u0055ser":"0"}"#,
        )
        .unwrap();
        assert_eq!(v["HostConfig"]["Privileged"], true);
        assert_eq!(v["Image"], "x");
        assert_eq!(v["User"], "0");
        assert_eq!(v["Labels"]["privileged"], "1");
        let v = read_json(
            Door::ContainerCreate,
            body::Dialect::Engine20_10,
            br#"{"Image":"x","HostConfig":{"Privileged":false,"Privileged":true}}"#,
        )
        .unwrap();
        assert_eq!(v["HostConfig"]["Privileged"], true);
        let v = read_json(
            Door::ContainerCreate,
            body::Dialect::Engine20_10,
            "{\"Image\":\"x\",\"HostConfig\":{\"CapAdd\":[\"SYS_ADMIN\"]},\"hostconfiſ\":1}"
                .as_bytes(),
        );
        assert!(v.is_ok());
    }

    #[test]
    fn top_level_host_config_counts_without_a_host_config() {
        let v = read_json(
            Door::ContainerCreate,
            body::Dialect::Engine20_10,
            br#"{"Image":"x","privileged":true,"Binds":["/:/h"]}"#,
        )
        .unwrap();
        assert_eq!(v["HostConfig"]["Privileged"], true);
        assert_eq!(v["HostConfig"]["Binds"][0], "/:/h");
        assert!(v.get("Privileged").is_none());
        let v = read_json(
            Door::ContainerCreate,
            body::Dialect::Engine20_10,
            br#"{"Image":"x","Privileged":true,"Memory":1000000000,"HostConfig":{"CapAdd":["CHOWN"]}}"#,
        )
        .unwrap();
        assert!(v["HostConfig"].get("Privileged").is_none());
        assert!(v.get("Privileged").is_none());
        assert_eq!(v["HostConfig"]["Memory"], 1_000_000_000);
    }

    #[test]
    fn queries_read_like_go() {
        assert_eq!(
            query_param("a=1&name=x%2By+z&name=2", "name").as_deref(),
            Some("x+y z")
        );
        assert_eq!(query_param("name;=1", "name"), None);
    }
}
