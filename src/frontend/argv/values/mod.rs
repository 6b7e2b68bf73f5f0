//! Value parsers of `docker run`, one per option type, with docker's error texts.
//!
//! Each function mirrors a function of docker/cli v28.2.2 (`opts/*.go`, `cli/command/container/
//! opts.go`), go-connections `nat` or go-units; the Go name is given in the doc comment. Parsers
//! that Compose, inspect, presets and rules share live in [`crate::parse`] (sizes, CPUs, ports,
//! volumes) and [`crate::spec::reference`] (image references).

mod devices;
mod kvfile;
mod mounts;
mod network;
mod platform;
mod ports;

pub use devices::*;
pub use kvfile::*;
pub use mounts::*;
pub use network::*;
pub use platform::*;
pub use ports::*;

use crate::parse::gocompat::{atoi, parse_int, parse_uint};
use crate::parse::units::ram_in_bytes;

/// `opts.ParseRestartPolicy`: `(name, max retries)`.
pub fn parse_restart_policy(policy: &str) -> Result<(String, i64), String> {
    if policy.is_empty() {
        return Ok((String::new(), 0));
    }
    let (k, v, ok) = cut(policy, ':');
    if ok && k.is_empty() {
        return Err("invalid restart policy format: no policy provided before colon".into());
    }
    let mut count = 0;
    if !v.is_empty() {
        count = atoi(v).map_err(|_| {
            "invalid restart policy format: maximum retry count must be an integer".to_string()
        })?;
    }
    Ok((k.to_string(), count))
}

/// `strings.Cut`.
pub fn cut(s: &str, sep: char) -> (&str, &str, bool) {
    match s.split_once(sep) {
        Some((a, b)) => (a, b, true),
        None => (s, "", false),
    }
}

/// `opts.ValidateEnv` without the host lookup (done when the body is built).
pub fn validate_env(val: &str) -> Result<(), String> {
    let (k, _, _) = cut(val, '=');
    if k.is_empty() {
        return Err(format!("invalid environment variable: {val}"));
    }
    Ok(())
}

/// `opts.ValidateLabel`.
pub fn validate_label(value: &str) -> Result<(), String> {
    let (key, _, _) = cut(value, '=');
    let key = key.trim_start_matches([' ', '\t']);
    if key.is_empty() {
        return Err(format!("invalid label '{value}': empty name"));
    }
    if key.contains([' ', '\t']) {
        return Err(format!("label '{key}' contains whitespaces"));
    }
    Ok(())
}

/// `opts.ValidateSysctl`.
pub fn validate_sysctl(val: &str) -> Result<(), String> {
    const EXACT: [&str; 8] = [
        "kernel.msgmax",
        "kernel.msgmnb",
        "kernel.msgmni",
        "kernel.sem",
        "kernel.shmall",
        "kernel.shmmax",
        "kernel.shmmni",
        "kernel.shm_rmid_forced",
    ];
    let (k, _, ok) = cut(val, '=');
    if !ok || k.is_empty() {
        return Err(format!("sysctl '{val}' is not allowed"));
    }
    if EXACT.contains(&k) || k.starts_with("net.") || k.starts_with("fs.mqueue.") {
        return Ok(());
    }
    Err(format!("sysctl '{val}' is not allowed"))
}

/// `validateAttach`: the lower-cased stream name.
pub fn validate_attach(val: &str) -> Result<String, String> {
    let s = val.to_lowercase();
    if matches!(s.as_str(), "stdin" | "stdout" | "stderr") {
        Ok(s)
    } else {
        Err("valid streams are STDIN, STDOUT and STDERR".into())
    }
}

/// `validateDeviceCgroupRule`: `^[acb] ([0-9]+|\*):([0-9]+|\*) [rwm]{1,3}$`.
pub fn validate_device_cgroup_rule(val: &str) -> Result<(), String> {
    let ok = (|| {
        let b = val.as_bytes();
        if b.len() < 2 || !matches!(b[0], b'a' | b'c' | b'b') || b[1] != b' ' {
            return None;
        }
        let rest = &val[2..];
        let (nums, perms) = rest.split_once(' ')?;
        let (maj, min) = nums.split_once(':')?;
        let num_ok = |s: &str| s == "*" || (!s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()));
        let perms_ok = (1..=3).contains(&perms.len())
            && perms.bytes().all(|c| matches!(c, b'r' | b'w' | b'm'));
        Some(num_ok(maj) && num_ok(min) && perms_ok)
    })()
    .unwrap_or(false);
    if ok {
        Ok(())
    } else {
        Err(format!("invalid device cgroup format '{val}'"))
    }
}

/// `opts.ValidateWeightDevice`: `(path, weight)`.
pub fn validate_weight_device(val: &str) -> Result<(String, u16), String> {
    let (k, v, ok) = cut(val, ':');
    if !ok || k.is_empty() {
        return Err(format!("bad format: {val}"));
    }
    if !k.starts_with("/dev/") {
        return Err(format!("bad format for device path: {val}"));
    }
    let w = parse_uint(v, 10, 16).map_err(|_| format!("invalid weight for device: {val}"))?;
    if w > 0 && !(10..=1000).contains(&w) {
        return Err(format!("invalid weight for device: {val}"));
    }
    Ok((k.to_string(), w as u16))
}

/// `opts.ValidateThrottleBpsDevice`: `(path, rate)`.
pub fn validate_throttle_bps(val: &str) -> Result<(String, i64), String> {
    let (k, v, ok) = cut(val, ':');
    if !ok || k.is_empty() {
        return Err(format!("bad format: {val}"));
    }
    if !k.starts_with("/dev/") {
        return Err(format!("bad format for device path: {val}"));
    }
    let msg = || {
        format!(
            "invalid rate for device: {val}. The correct format is <device-path>:<number>[<unit>]. Number must be a positive integer. Unit is optional and can be kb, mb, or gb"
        )
    };
    let rate = ram_in_bytes(v).map_err(|_| msg())?;
    if rate < 0 {
        return Err(msg());
    }
    Ok((k.to_string(), rate))
}

/// `opts.ValidateThrottleIOpsDevice`: `(path, rate)`.
pub fn validate_throttle_iops(val: &str) -> Result<(String, i64), String> {
    let (k, v, ok) = cut(val, ':');
    if !ok || k.is_empty() {
        return Err(format!("bad format: {val}"));
    }
    if !k.starts_with("/dev/") {
        return Err(format!("bad format for device path: {val}"));
    }
    let rate = parse_uint(v, 10, 64).map_err(|_| format!("invalid rate for device: {val}. The correct format is <device-path>:<number>. Number must be a positive integer"))?;
    Ok((k.to_string(), rate as i64))
}

/// A `--ulimit` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ulimit {
    pub name: String,
    pub soft: i64,
    pub hard: i64,
}

/// go-units `ParseUlimit`.
pub fn parse_ulimit(val: &str) -> Result<Ulimit, String> {
    const NAMES: [&str; 15] = [
        "core",
        "cpu",
        "data",
        "fsize",
        "locks",
        "memlock",
        "msgqueue",
        "nice",
        "nofile",
        "nproc",
        "rss",
        "rtprio",
        "rttime",
        "sigpending",
        "stack",
    ];
    let Some((name, limits)) = val.split_once('=') else {
        return Err(format!("invalid ulimit argument: {val}"));
    };
    if !NAMES.contains(&name) {
        return Err(format!("invalid ulimit type: {name}"));
    }
    let parts: Vec<&str> = limits.split(':').collect();
    let (soft, hard) = match parts.len() {
        1 => {
            let s = parse_int(parts[0], 10, 64).map_err(|e| e.to_string())?;
            (s, s)
        }
        2 => {
            let h = parse_int(parts[1], 10, 64).map_err(|e| e.to_string())?;
            let s = parse_int(parts[0], 10, 64).map_err(|e| e.to_string())?;
            (s, h)
        }
        _ => {
            return Err(format!(
                "too many limit value arguments - {limits}, can only have up to two, `soft[:hard]`"
            ));
        }
    };
    if hard != -1 {
        if soft == -1 {
            return Err(format!(
                "ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: {hard}"
            ));
        }
        if soft > hard {
            return Err(format!(
                "ulimit soft limit must be less than or equal to hard limit: {soft} > {hard}"
            ));
        }
    }
    Ok(Ulimit {
        name: name.to_string(),
        soft,
        hard,
    })
}

/// `validatePullOpt`.
pub fn validate_pull(val: &str) -> Result<(), String> {
    match val {
        "always" | "missing" | "never" | "" => Ok(()),
        _ => Err(format!(
            "invalid pull option: '{val}': must be one of \"always\", \"missing\" or \"never\""
        )),
    }
}
