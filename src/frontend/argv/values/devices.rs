//! `--gpus`, `--device` and CDI device names.

use super::cut;
use crate::parse::gocompat::{atoi, csv_first_record, path_clean};
use std::collections::BTreeMap;

/// One `--gpus` request (`container.DeviceRequest`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GpuRequest {
    pub driver: String,
    pub count: i64,
    pub device_ids: Option<Vec<String>>,
    pub capabilities: Vec<Vec<String>>,
    pub options: BTreeMap<String, String>,
}

fn parse_gpu_count(s: &str) -> Result<i64, String> {
    if s == "all" {
        return Ok(-1);
    }
    atoi(s).map_err(|e| {
        format!(
            "invalid count ({s}): value must be either \"all\" or an integer: {}",
            e.reason()
        )
    })
}

/// `opts.GpuOpts.Set`.
pub fn parse_gpus(value: &str) -> Result<GpuRequest, String> {
    let fields = csv_first_record(value)?;
    let mut req = GpuRequest::default();
    let mut seen = std::collections::HashSet::new();
    let mut capabilities: Option<Vec<Vec<String>>> = None;
    let mut options: Option<BTreeMap<String, String>> = None;
    for field in &fields {
        let (key, val, with_value) = cut(field, '=');
        if !seen.insert(key.to_string()) {
            return Err(format!(
                "gpu request key '{key}' can be specified only once"
            ));
        }
        if !with_value {
            seen.insert("count".to_string());
            req.count = parse_gpu_count(key)?;
            continue;
        }
        match key {
            "driver" => req.driver = val.to_string(),
            "count" => req.count = parse_gpu_count(val)?,
            "device" => req.device_ids = Some(val.split(',').map(str::to_string).collect()),
            "capabilities" => {
                let mut caps: Vec<String> = val.split(',').map(str::to_string).collect();
                caps.push("gpu".into());
                capabilities = Some(vec![caps]);
            }
            "options" => {
                let opt_fields = csv_first_record(val)
                    .map_err(|e| format!("failed to read gpu options: {e}"))?;
                let mut map = BTreeMap::new();
                for f in opt_fields {
                    let (k, v, _) = cut(&f, '=');
                    map.insert(k.to_string(), v.to_string());
                }
                options = Some(map);
            }
            _ => return Err(format!("unexpected key '{key}' in '{field}'")),
        }
    }
    if !seen.contains("count") && req.device_ids.is_none() {
        req.count = 1;
    }
    req.options = options.unwrap_or_default();
    req.capabilities = capabilities.unwrap_or_else(|| vec![vec!["gpu".into()]]);
    Ok(req)
}

/// A `--device` mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceMapping {
    pub path_on_host: String,
    pub path_in_container: String,
    pub cgroup_permissions: String,
}

fn valid_device_mode(mode: &str) -> bool {
    if mode.is_empty() {
        return false;
    }
    let mut seen = [false; 3];
    for c in mode.chars() {
        let i = match c {
            'r' => 0,
            'w' => 1,
            'm' => 2,
            _ => return false,
        };
        if seen[i] {
            return false;
        }
        seen[i] = true;
    }
    true
}

/// `validateLinuxPath` + `parseLinuxDevice`.
pub fn parse_linux_device(val: &str) -> Result<DeviceMapping, String> {
    if val.matches(':').count() > 2 {
        return Err(format!("bad format for path: {val}"));
    }
    let split: Vec<&str> = val.splitn(3, ':').collect();
    if split[0].is_empty() {
        return Err(format!("bad format for path: {val}"));
    }
    let (container_path, validated) = match split.len() {
        1 => (split[0], path_clean(split[0])),
        2 => {
            if valid_device_mode(split[1]) {
                (split[0], format!("{}:{}", path_clean(split[0]), split[1]))
            } else {
                (split[1], format!("{}:{}", split[0], path_clean(split[1])))
            }
        }
        _ => {
            if !valid_device_mode(split[2]) {
                return Err(format!("bad mode specified: {}", split[2]));
            }
            (split[1], val.to_string())
        }
    };
    if !container_path.starts_with('/') {
        return Err(format!("{container_path} is not an absolute path"));
    }
    let arr: Vec<&str> = validated.splitn(4, ':').collect();
    let mut perms = "rwm".to_string();
    let mut dst = String::new();
    match arr.len() {
        3 => {
            perms = arr[2].to_string();
            if valid_device_mode(arr[1]) {
                perms = arr[1].to_string();
            } else {
                dst = arr[1].to_string();
            }
        }
        2 => {
            if valid_device_mode(arr[1]) {
                perms = arr[1].to_string();
            } else {
                dst = arr[1].to_string();
            }
        }
        1 => {}
        _ => return Err(format!("invalid device specification: {validated}")),
    }
    let src = arr[0].to_string();
    if dst.is_empty() {
        dst = src.clone();
    }
    Ok(DeviceMapping {
        path_on_host: src,
        path_in_container: dst,
        cgroup_permissions: perms,
    })
}

/// CDI `parser.IsQualifiedName` (`vendor.com/class=name`). Single-character vendor or class
/// names make docker 28.2.2 panic; they are reported as [`CdiName::Crash`].
#[derive(Debug, PartialEq, Eq)]
pub enum CdiName {
    Qualified,
    NotQualified,
    Crash,
}

pub fn cdi_qualified(device: &str) -> CdiName {
    if device.is_empty() || device.starts_with('/') {
        return CdiName::NotQualified;
    }
    let Some((kind, name)) = device.split_once('=') else {
        return CdiName::NotQualified;
    };
    if kind.is_empty() || name.is_empty() {
        return CdiName::NotQualified;
    }
    let Some((vendor, class)) = kind.split_once('/') else {
        return CdiName::NotQualified;
    };
    if vendor.is_empty() || class.is_empty() {
        return CdiName::NotQualified;
    }
    let alnum = |c: u8| c.is_ascii_alphanumeric();
    let vendor_or_class = |n: &str| -> Result<bool, ()> {
        let b = n.as_bytes();
        if !b[0].is_ascii_alphabetic() {
            return Ok(false);
        }
        if b.len() == 1 {
            return Err(());
        }
        if !alnum(b[b.len() - 1]) {
            return Ok(false);
        }
        let mid_ok = n[1..n.len() - 1]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        Ok(mid_ok)
    };
    match vendor_or_class(vendor) {
        Err(()) => return CdiName::Crash,
        Ok(false) => return CdiName::NotQualified,
        Ok(true) => {}
    }
    match vendor_or_class(class) {
        Err(()) => return CdiName::Crash,
        Ok(false) => return CdiName::NotQualified,
        Ok(true) => {}
    }
    let b = name.as_bytes();
    if !alnum(b[0]) {
        return CdiName::NotQualified;
    }
    if b.len() > 1 {
        if !alnum(b[b.len() - 1]) {
            return CdiName::NotQualified;
        }
        let mid_ok = name[1..name.len() - 1]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'));
        if !mid_ok {
            return CdiName::NotQualified;
        }
    }
    CdiName::Qualified
}
