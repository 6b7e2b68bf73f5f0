//! Which argument produced which field of the create body ([`OriginLookup`] for [`Parsed`]).

use super::grammar::{Occurrence, Parsed};
use super::values;
use crate::parse::ports;
use crate::spec::{Origin, OriginLookup};
use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

/// The flags that can set an Engine API field (canonical long names).
fn flags_for(field: &str) -> &'static [&'static str] {
    match field {
        "Config.Hostname" => &["hostname"],
        "Config.Domainname" => &["domainname"],
        "Config.User" => &["user"],
        "Config.AttachStdin" | "Config.OpenStdin" | "Config.StdinOnce" => {
            &["interactive", "attach"]
        }
        "Config.AttachStdout" | "Config.AttachStderr" => &["attach", "detach"],
        "Config.Tty" => &["tty"],
        "Config.Env" => &["env", "env-file"],
        "Config.ExposedPorts" => &["expose", "publish"],
        "Config.Healthcheck" => &[
            "no-healthcheck",
            "health-cmd",
            "health-interval",
            "health-timeout",
            "health-start-period",
            "health-start-interval",
            "health-retries",
        ],
        "Config.Volumes" => &["volume"],
        "Config.WorkingDir" => &["workdir"],
        "Config.Entrypoint" => &["entrypoint"],
        "Config.Labels" => &["label", "label-file"],
        "Config.StopSignal" => &["stop-signal"],
        "Config.StopTimeout" => &["stop-timeout"],
        "Config.MacAddress" => &["mac-address", "network"],
        "HostConfig.Binds" => &["volume"],
        "HostConfig.ContainerIDFile" => &["cidfile"],
        "HostConfig.LogConfig" => &["log-driver", "log-opt"],
        "HostConfig.NetworkMode" => &["network"],
        "HostConfig.PortBindings" => &["publish"],
        "HostConfig.RestartPolicy" => &["restart"],
        "HostConfig.AutoRemove" => &["rm"],
        "HostConfig.VolumeDriver" => &["volume-driver"],
        "HostConfig.VolumesFrom" => &["volumes-from"],
        "HostConfig.Mounts" => &["mount", "use-api-socket"],
        "HostConfig.Annotations" => &["annotation"],
        "HostConfig.CapAdd" => &["cap-add"],
        "HostConfig.CapDrop" => &["cap-drop"],
        "HostConfig.CgroupnsMode" => &["cgroupns"],
        "HostConfig.Dns" => &["dns"],
        "HostConfig.DnsOptions" => &["dns-option"],
        "HostConfig.DnsSearch" => &["dns-search"],
        "HostConfig.ExtraHosts" => &["add-host"],
        "HostConfig.GroupAdd" => &["group-add"],
        "HostConfig.IpcMode" => &["ipc"],
        "HostConfig.Links" => &["link"],
        "HostConfig.OomScoreAdj" => &["oom-score-adj"],
        "HostConfig.PidMode" => &["pid"],
        "HostConfig.Privileged" => &["privileged"],
        "HostConfig.PublishAllPorts" => &["publish-all"],
        "HostConfig.ReadonlyRootfs" => &["read-only"],
        "HostConfig.SecurityOpt" | "HostConfig.MaskedPaths" | "HostConfig.ReadonlyPaths" => {
            &["security-opt"]
        }
        "HostConfig.StorageOpt" => &["storage-opt"],
        "HostConfig.Tmpfs" => &["tmpfs"],
        "HostConfig.UTSMode" => &["uts"],
        "HostConfig.UsernsMode" => &["userns"],
        "HostConfig.ShmSize" => &["shm-size"],
        "HostConfig.Sysctls" => &["sysctl"],
        "HostConfig.Runtime" => &["runtime"],
        "HostConfig.Isolation" => &["isolation"],
        "HostConfig.CpuShares" => &["cpu-shares"],
        "HostConfig.Memory" => &["memory"],
        "HostConfig.CgroupParent" => &["cgroup-parent"],
        "HostConfig.BlkioWeight" => &["blkio-weight"],
        "HostConfig.BlkioWeightDevice" => &["blkio-weight-device"],
        "HostConfig.BlkioDeviceReadBps" => &["device-read-bps"],
        "HostConfig.BlkioDeviceWriteBps" => &["device-write-bps"],
        "HostConfig.BlkioDeviceReadIOps" => &["device-read-iops"],
        "HostConfig.BlkioDeviceWriteIOps" => &["device-write-iops"],
        "HostConfig.CpuPeriod" => &["cpu-period"],
        "HostConfig.CpuQuota" => &["cpu-quota"],
        "HostConfig.CpuRealtimePeriod" => &["cpu-rt-period"],
        "HostConfig.CpuRealtimeRuntime" => &["cpu-rt-runtime"],
        "HostConfig.CpusetCpus" => &["cpuset-cpus"],
        "HostConfig.CpusetMems" => &["cpuset-mems"],
        "HostConfig.Devices" => &["device"],
        "HostConfig.DeviceCgroupRules" => &["device-cgroup-rule"],
        "HostConfig.DeviceRequests" => &["gpus", "device"],
        "HostConfig.MemoryReservation" => &["memory-reservation"],
        "HostConfig.MemorySwap" => &["memory-swap"],
        "HostConfig.MemorySwappiness" => &["memory-swappiness"],
        "HostConfig.NanoCpus" => &["cpus"],
        "HostConfig.OomKillDisable" => &["oom-kill-disable"],
        "HostConfig.Init" => &["init"],
        "HostConfig.PidsLimit" => &["pids-limit"],
        "HostConfig.Ulimits" => &["ulimit"],
        "HostConfig.KernelMemory" => &["kernel-memory"],
        "HostConfig.CpuCount" => &["cpu-count"],
        "HostConfig.CpuPercent" => &["cpu-percent"],
        "HostConfig.IOMaximumIOps" => &["io-maxiops"],
        "HostConfig.IOMaximumBandwidth" => &["io-maxbandwidth"],
        "NetworkingConfig.EndpointsConfig" => &[
            "network",
            "network-alias",
            "ip",
            "ip6",
            "mac-address",
            "link-local-ip",
            "link",
        ],
        _ => &[],
    }
}

/// Whether an occurrence produced `value` in `field`.
fn produces(o: &Occurrence, field: &str, value: &str) -> bool {
    let v = o.value_str();
    match field {
        "HostConfig.CapAdd" | "HostConfig.CapDrop" => norm_cap(v) == norm_cap(value),
        "HostConfig.PortBindings" | "Config.ExposedPorts" => {
            ports_of(o.flag.long == "expose", v).contains(value)
        }
        "HostConfig.Binds" => {
            v == value || (v.split_once(':').map(|x| x.1) == value.split_once(':').map(|x| x.1))
        }
        "Config.Volumes" => v == value,
        "HostConfig.Mounts" => {
            if o.flag.long == "use-api-socket" {
                return value == "/var/run/docker.sock";
            }
            values::parse_mount(v).is_ok_and(|m| m.target == value)
        }
        "HostConfig.Tmpfs" => v.split(':').next() == Some(value),
        "HostConfig.SecurityOpt" => {
            v == value
                || (value.starts_with("seccomp=") && v.starts_with("seccomp"))
                || norm_secopt(v) == norm_secopt(value)
        }
        "HostConfig.MaskedPaths" | "HostConfig.ReadonlyPaths" => v == "systempaths=unconfined",
        "HostConfig.Devices" => {
            values::parse_linux_device(v).is_ok_and(|d| d.path_on_host == value) || v == value
        }
        "HostConfig.DeviceRequests" => v == value || v.contains(value),
        "Config.Env" => {
            let key = value.split('=').next().unwrap_or(value);
            if o.flag.long == "env-file" {
                return false;
            }
            v.split('=').next() == Some(key)
        }
        "Config.Labels"
        | "HostConfig.Sysctls"
        | "HostConfig.StorageOpt"
        | "HostConfig.Annotations" => {
            let key = value.split('=').next().unwrap_or(value);
            v.split('=').next() == Some(key)
        }
        "HostConfig.NetworkMode" | "NetworkingConfig.EndpointsConfig" => {
            if o.flag.long == "network" {
                values::parse_network(v).is_ok_and(|n| n.target == value)
            } else {
                v == value
            }
        }
        _ => v == value,
    }
}

/// The container ports one `--expose` or `-p` value names. The spec asks once per port and a
/// range (`-p 0-9002`) names thousands, so the last value's expansion is kept (expanding it
/// again for every port took 17 s).
fn ports_of(expose: bool, v: &str) -> Rc<HashSet<String>> {
    type Last = Option<(bool, String, Rc<HashSet<String>>)>;
    thread_local! {
        static LAST: RefCell<Last> = const { RefCell::new(None) };
    }
    LAST.with(|last| {
        if let Some((e, k, ports)) = &*last.borrow()
            && *e == expose
            && k == v
        {
            return ports.clone();
        }
        let ports: HashSet<String> = if expose {
            values::parse_expose(v)
                .unwrap_or_default()
                .into_iter()
                .collect()
        } else {
            values::convert_publish(v)
                .ok()
                .and_then(|c| ports::parse_port_spec(&c).ok())
                .map(|ms| ms.into_iter().map(|m| m.port).collect())
                .unwrap_or_default()
        };
        let ports = Rc::new(ports);
        *last.borrow_mut() = Some((expose, v.to_string(), ports.clone()));
        ports
    })
}

fn norm_cap(c: &str) -> String {
    let up = c.to_uppercase();
    if up == "ALL" || up.starts_with("CAP_") {
        up
    } else {
        format!("CAP_{up}")
    }
}

fn norm_secopt(s: &str) -> String {
    s.replacen(':', "=", 1)
}

fn origin_of(o: &Occurrence) -> Origin {
    Origin::Argv {
        index: o.index,
        flag: o.written.clone(),
    }
}

impl OriginLookup for Parsed {
    fn origin(&self, field: &str, value: Option<&str>) -> Origin {
        if field == "Config.Image" {
            return Origin::Argv {
                index: self.image_index,
                flag: String::new(),
            };
        }
        if field == "Config.Cmd" {
            if self.command.is_empty() {
                return Origin::Missing;
            }
            return Origin::Argv {
                index: self.image_index + 1,
                flag: String::new(),
            };
        }
        let flags = flags_for(field);
        let candidates: Vec<&Occurrence> = self
            .occurrences
            .iter()
            .filter(|o| flags.contains(&o.flag.long))
            .collect();
        if candidates.is_empty() {
            return Origin::Missing;
        }
        if let Some(value) = value {
            // Single-valued flags: the last matching occurrence is the effective one.
            let matching: Vec<&&Occurrence> = candidates
                .iter()
                .filter(|o| produces(o, field, value))
                .collect();
            let pick = if matching.iter().all(|o| o.flag.kind.repeatable()) {
                matching.first()
            } else {
                matching.last()
            };
            if let Some(o) = pick {
                return origin_of(o);
            }
        }
        origin_of(candidates[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::argv::parse_args;

    fn p(s: &[&str]) -> Parsed {
        parse_args(&s.iter().map(|x| x.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn finds_the_occurrence() {
        let parsed = p(&[
            "--cap-add",
            "net_admin",
            "-p",
            "80:80",
            "--cap-add=SYS_TIME",
            "-v",
            "/a:/b",
            "img",
        ]);
        assert_eq!(
            parsed.origin("HostConfig.CapAdd", Some("CAP_SYS_TIME")),
            Origin::Argv {
                index: 4,
                flag: "--cap-add".into()
            }
        );
        assert_eq!(
            parsed.origin("HostConfig.PortBindings", Some("80/tcp")),
            Origin::Argv {
                index: 2,
                flag: "-p".into()
            }
        );
        assert_eq!(
            parsed.origin("HostConfig.Binds", Some("/a:/b")),
            Origin::Argv {
                index: 5,
                flag: "-v".into()
            }
        );
        assert_eq!(parsed.origin("Config.User", None), Origin::Missing);
        assert_eq!(
            parsed.origin("Config.Image", None),
            Origin::Argv {
                index: 7,
                flag: String::new()
            }
        );
    }
}
