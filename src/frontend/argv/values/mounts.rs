//! `--mount`: docker/cli `opts.MountOpt`.

use super::cut;
use crate::parse::gocompat::{csv_first_record, parse_bool, parse_uint};
use crate::parse::units::ram_in_bytes;
use std::collections::BTreeMap;

/// One `--mount` value, as the Go `mount.Mount` it becomes (strings where bollard uses enums).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MountSpec {
    pub typ: String,
    pub source: String,
    pub target: String,
    pub read_only: bool,
    pub consistency: String,
    pub bind: Option<BindOpts>,
    pub volume: Option<VolumeOpts>,
    pub image_subpath: Option<String>,
    pub tmpfs: Option<TmpfsOpts>,
    /// The source was relative (`./x`) and must be made absolute against the working directory.
    pub source_relative: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BindOpts {
    pub propagation: String,
    pub non_recursive: bool,
    pub read_only_non_recursive: bool,
    pub read_only_force_recursive: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VolumeOpts {
    pub no_copy: bool,
    pub labels: BTreeMap<String, String>,
    pub driver_name: String,
    pub driver_options: Option<BTreeMap<String, String>>,
    pub subpath: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TmpfsOpts {
    pub size_bytes: i64,
    pub mode: u32,
}

/// `opts.MountOpt.Set`.
pub fn parse_mount(value: &str) -> Result<MountSpec, String> {
    let fields = csv_first_record(value)?;
    let mut m = MountSpec {
        typ: "volume".into(),
        ..Default::default()
    };
    fn vol(m: &mut MountSpec) -> &mut VolumeOpts {
        m.volume.get_or_insert_with(VolumeOpts::default)
    }
    fn bind(m: &mut MountSpec) -> &mut BindOpts {
        m.bind.get_or_insert_with(BindOpts::default)
    }
    fn set_on_map(target: &mut BTreeMap<String, String>, value: &str) {
        let (k, v, _) = cut(value, '=');
        if !k.is_empty() {
            target.insert(k.to_string(), v.to_string());
        }
    }
    for field in &fields {
        let (key, val, ok) = cut(field, '=');
        let key = key.to_lowercase();
        if !ok {
            match key.as_str() {
                "readonly" | "ro" => m.read_only = true,
                "volume-nocopy" => vol(&mut m).no_copy = true,
                "bind-nonrecursive" => bind(&mut m).non_recursive = true,
                _ => return Err(format!("invalid field '{field}' must be a key=value pair")),
            }
            continue;
        }
        let bad = || format!("invalid value for {key}: {val}");
        match key.as_str() {
            "type" => m.typ = val.to_lowercase(),
            "source" | "src" => {
                m.source = val.to_string();
                m.source_relative = !val.starts_with('/') && val.starts_with('.');
            }
            "target" | "dst" | "destination" => m.target = val.to_string(),
            "readonly" | "ro" => m.read_only = parse_bool(val).map_err(|_| bad())?,
            "consistency" => m.consistency = val.to_lowercase(),
            "bind-propagation" => bind(&mut m).propagation = val.to_lowercase(),
            "bind-nonrecursive" => {
                bind(&mut m).non_recursive = parse_bool(val).map_err(|_| bad())?;
            }
            "bind-recursive" => match val {
                "enabled" => {}
                "disabled" => bind(&mut m).non_recursive = true,
                "writable" => bind(&mut m).read_only_non_recursive = true,
                "readonly" => bind(&mut m).read_only_force_recursive = true,
                _ => {
                    return Err(format!(
                        "invalid value for {key}: {val} (must be \"enabled\", \"disabled\", \"writable\", or \"readonly\")"
                    ));
                }
            },
            "volume-subpath" => vol(&mut m).subpath = val.to_string(),
            "volume-nocopy" => {
                vol(&mut m).no_copy = parse_bool(val)
                    .map_err(|_| format!("invalid value for volume-nocopy: {val}"))?;
            }
            "volume-label" => set_on_map(&mut vol(&mut m).labels, val),
            "volume-driver" => vol(&mut m).driver_name = val.to_string(),
            "volume-opt" => {
                let v = vol(&mut m);
                set_on_map(v.driver_options.get_or_insert_with(BTreeMap::new), val);
            }
            "image-subpath" => m.image_subpath = Some(val.to_string()),
            "tmpfs-size" => {
                let size = ram_in_bytes(val).map_err(|_| bad())?;
                m.tmpfs.get_or_insert_with(TmpfsOpts::default).size_bytes = size;
            }
            "tmpfs-mode" => {
                let mode = parse_uint(val, 8, 32).map_err(|_| bad())?;
                m.tmpfs.get_or_insert_with(TmpfsOpts::default).mode = mode as u32;
            }
            _ => return Err(format!("unexpected key '{key}' in '{field}'")),
        }
    }
    if m.typ.is_empty() {
        return Err("type is required".into());
    }
    if m.target.is_empty() {
        return Err("target is required".into());
    }
    let mix = |what: &str| format!("cannot mix '{what}-*' options with mount type '{}'", m.typ);
    if m.volume.is_some() && m.typ != "volume" {
        return Err(mix("volume"));
    }
    if m.image_subpath.is_some() && m.typ != "image" {
        return Err(mix("image"));
    }
    if m.bind.is_some() && m.typ != "bind" {
        return Err(mix("bind"));
    }
    if m.tmpfs.is_some() && m.typ != "tmpfs" {
        return Err(mix("tmpfs"));
    }
    if let Some(b) = &m.bind {
        if b.read_only_non_recursive && !m.read_only {
            return Err("option 'bind-recursive=writable' requires 'readonly' to be specified in conjunction".into());
        }
        if b.read_only_force_recursive {
            if !m.read_only {
                return Err("option 'bind-recursive=readonly' requires 'readonly' to be specified in conjunction".into());
            }
            if b.propagation != "rprivate" {
                return Err("option 'bind-recursive=readonly' requires 'bind-propagation=rprivate' to be specified in conjunction".into());
            }
        }
    }
    Ok(m)
}
