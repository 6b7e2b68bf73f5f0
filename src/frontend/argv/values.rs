//! Value parsers of `docker run`, one per option type, with docker's error texts.
//!
//! Each function mirrors a function of docker/cli v28.2.2 (`opts/*.go`, `cli/command/container/
//! opts.go`), go-connections `nat` or go-units; the Go name is given in the doc comment.

use super::gocompat::{
    self, atoi, csv_first_record, f64_to_i64_amd64, ip_string, parse_bool, parse_float, parse_int,
    parse_ip, parse_uint, path_clean, quote,
};
use std::collections::BTreeMap;

/// go-units `RAMInBytes`: binary multipliers, optional space, `b`/`k`/`kb`/`kib` suffixes.
pub fn ram_in_bytes(size: &str) -> Result<i64, String> {
    let invalid = || format!("invalid size: '{size}'");
    let sep = size.rfind(|c: char| c.is_ascii_digit() || c == '.' || c == ' ');
    let Some(sep) = sep else {
        return Err(invalid());
    };
    let (num, sfx) = if size.as_bytes()[sep] != b' ' {
        (&size[..=sep], &size[sep + 1..])
    } else {
        (&size[..sep], &size[sep + 1..])
    };
    let mut v = parse_float(num).map_err(|e| e.to_string())?;
    if v < 0.0 {
        return Err(invalid());
    }
    if sfx.is_empty() {
        return Ok(f64_to_i64_amd64(v));
    }
    let bad = || format!("invalid suffix: '{sfx}'");
    if sfx.len() > 3 {
        return Err(bad());
    }
    let lower = sfx.to_lowercase();
    let b = lower.as_bytes();
    if b[0] == b'b' {
        if b.len() > 1 {
            return Err(format!("invalid suffix: '{lower}'"));
        }
        return Ok(f64_to_i64_amd64(v));
    }
    let mul: f64 = match b[0] {
        b'k' => 1024.0,
        b'm' => 1024.0 * 1024.0,
        b'g' => 1024.0 * 1024.0 * 1024.0,
        b't' => 1024f64.powi(4),
        b'p' => 1024f64.powi(5),
        _ => return Err(format!("invalid suffix: '{lower}'")),
    };
    v *= mul;
    if (b.len() == 2 && b[1] != b'b') || (b.len() == 3 && &lower[1..] != "ib") {
        return Err(format!("invalid suffix: '{lower}'"));
    }
    Ok(f64_to_i64_amd64(v))
}

/// `opts.MemSwapBytes.Set`: `-1` or a byte size.
pub fn mem_swap_bytes(value: &str) -> Result<i64, String> {
    if value == "-1" {
        return Ok(-1);
    }
    ram_in_bytes(value)
}

/// `opts.ParseCPUs`: an exact rational times 10⁹, which must be an integer.
pub fn parse_cpus(value: &str) -> Result<i64, String> {
    let fail = || format!("failed to parse {value} as a rational number");
    let too_precise = || "value is too precise".to_string();
    if let Some((a, b)) = value.split_once('/') {
        let a = parse_big_int(a, true).ok_or_else(fail)?;
        let b = parse_big_int(b, false).ok_or_else(fail)?;
        if b == 0 {
            return Err(fail());
        }
        let g = gcd(a.unsigned_abs(), b as u128);
        let (a, b) = (a / g as i128, b / g as i128);
        if 1_000_000_000 % b != 0 {
            return Err(too_precise());
        }
        let nano = a.checked_mul(1_000_000_000 / b).ok_or_else(too_precise)?;
        return Ok(nano as i64);
    }
    // Floating-point form (big.Rat): sign, mantissa in base 10 or with a 0b/0o/0x prefix and an
    // optional radix point, then an optional decimal (`e`) or binary (`p`) exponent.
    let b = value.as_bytes();
    let mut i = 0;
    let neg = b.first() == Some(&b'-');
    if matches!(b.first(), Some(b'-' | b'+')) {
        i = 1;
    }
    let mut base: u32 = 10;
    if b.len() >= i + 2 && b[i] == b'0' {
        match b[i + 1] {
            b'x' | b'X' => base = 16,
            b'o' | b'O' => base = 8,
            b'b' | b'B' => base = 2,
            _ => {}
        }
        if base != 10 {
            i += 2;
        }
    }
    let mut mant: i128 = 0;
    let mut digits = 0;
    let mut frac_digits: i64 = 0;
    let mut seen_point = false;
    let is_digit = |c: Option<&u8>| c.is_some_and(|c| (*c as char).is_digit(base));
    let mut prev_digit = base != 10; // a base prefix counts as a digit before `_`
    while i < b.len() {
        let c = b[i];
        if c == b'_' {
            // `_` must separate successive digits.
            if !prev_digit || !is_digit(b.get(i + 1)) {
                return Err(fail());
            }
            i += 1;
            continue;
        }
        prev_digit = false;
        if c == b'.' && !seen_point {
            seen_point = true;
            i += 1;
            continue;
        }
        let Some(d) = (c as char).to_digit(base) else {
            break;
        };
        mant = mant
            .checked_mul(i128::from(base))
            .and_then(|m| m.checked_add(i128::from(d)))
            .ok_or_else(too_precise)?;
        digits += 1;
        prev_digit = true;
        if seen_point {
            frac_digits += 1;
        }
        i += 1;
    }
    if digits == 0 {
        return Err(fail());
    }
    // value = mant × 2^exp2 × 5^exp5
    let (mut exp2, mut exp5): (i64, i64) = match base {
        10 => (-frac_digits, -frac_digits),
        2 => (-frac_digits, 0),
        8 => (-3 * frac_digits, 0),
        _ => (-4 * frac_digits, 0),
    };
    if i < b.len() && matches!(b[i], b'e' | b'E' | b'p' | b'P') {
        let binary = matches!(b[i], b'p' | b'P');
        i += 1;
        let sign: i64 = match b.get(i) {
            Some(b'-') => {
                i += 1;
                -1
            }
            Some(b'+') => {
                i += 1;
                1
            }
            _ => 1,
        };
        let start = i;
        let mut e: i64 = 0;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            if b[i] != b'_' {
                e = e.saturating_mul(10).saturating_add(i64::from(b[i] - b'0'));
            }
            i += 1;
        }
        if i == start {
            return Err(fail());
        }
        exp2 += sign * e;
        if !binary {
            exp5 += sign * e;
        }
    }
    if i != b.len() {
        return Err(fail());
    }
    if mant == 0 {
        return Ok(0);
    }
    // big.Rat refuses excessively large exponents.
    if exp5.unsigned_abs() > 1_000_000 || exp2.unsigned_abs() > 10_000_000 {
        return Err(fail());
    }
    // nano = mant × 2^(exp2+9) × 5^(exp5+9): an integer only if the negative powers divide mant.
    let (mut e2, mut e5) = (exp2 + 9, exp5 + 9);
    while e2 < 0 && mant % 2 == 0 {
        mant /= 2;
        e2 += 1;
    }
    while e5 < 0 && mant % 5 == 0 {
        mant /= 5;
        e5 += 1;
    }
    if e2 < 0 || e5 < 0 {
        return Err(too_precise());
    }
    // big.Int.Int64 keeps the low 64 bits of a value that does not fit.
    let low = (mant as u128 as u64)
        .wrapping_mul(2u64.wrapping_pow(e2 as u32))
        .wrapping_mul(5u64.wrapping_pow(e5 as u32)) as i64;
    Ok(if neg { low.wrapping_neg() } else { low })
}

fn parse_big_int(s: &str, signed: bool) -> Option<i128> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') if signed => (true, &s[1..]),
        Some(b'+') if signed => (false, &s[1..]),
        _ => (false, s),
    };
    let v = parse_uint(body, 0, 64).ok()? as i128;
    Some(if neg { -v } else { v })
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a.max(1)
}

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

/// `opts.ValidateLink` / `opts.ParseLink`.
pub fn validate_link(val: &str) -> Result<(), String> {
    if val.is_empty() {
        return Err("empty string specified for links".into());
    }
    if val.splitn(3, ':').count() > 2 {
        return Err(format!("bad format for links: {val}"));
    }
    Ok(())
}

/// `opts.ValidateIPAddress`: the canonical form of the (space-trimmed) address.
pub fn validate_ip_address(val: &str) -> Result<String, String> {
    match parse_ip(val.trim()) {
        Some(ip) => Ok(ip_string(&ip)),
        None => Err(format!("IP address is not correctly formatted: {val}")),
    }
}

/// `opts.ValidateExtraHost`: `name:address`.
pub fn validate_extra_host(val: &str) -> Result<String, String> {
    let (mut k, mut v, mut ok) = cut(val, '=');
    if !ok {
        (k, v, ok) = cut(val, ':');
    }
    if !ok || k.is_empty() || k.contains(':') {
        return Err(format!("bad format for add-host: {}", quote(val)));
    }
    let mut addr = v;
    if addr != "host-gateway" {
        if addr.len() > 2 && addr.starts_with('[') && addr.ends_with(']') {
            addr = &addr[1..addr.len() - 1];
        }
        if validate_ip_address(addr).is_err() {
            return Err(format!("invalid IP address in add-host: {}", quote(addr)));
        }
    }
    Ok(format!("{k}:{addr}"))
}

/// `opts.ValidateDNSSearch`: `.` or a domain (trailing dot and whitespace removed).
pub fn validate_dns_search(val: &str) -> Result<String, String> {
    let val = val.trim_matches(' ');
    if val == "." {
        return Ok(val.to_string());
    }
    let bad = || format!("{val} is not a valid domain");
    if !val.bytes().any(|b| b.is_ascii_alphabetic()) {
        return Err(bad());
    }
    // ^(:?label(:?\.:?label)*)\.?\s*$ where label = :?alnum([alnum-]*alnum)?
    let body = val.trim_end_matches([' ', '\t', '\n', '\r', '\x0c']);
    let body = body.strip_suffix('.').unwrap_or(body);
    if domain_body_ok(body) && body.len() < 255 {
        Ok(body.to_string())
    } else {
        Err(bad())
    }
}

fn domain_body_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let label = |i: &mut usize| -> bool {
        if *i < b.len() && b[*i] == b':' {
            *i += 1;
        }
        if *i >= b.len() || !b[*i].is_ascii_alphanumeric() {
            return false;
        }
        *i += 1;
        let mut j = *i;
        let mut last_alnum = *i;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'-') {
            j += 1;
            if b[j - 1].is_ascii_alphanumeric() {
                last_alnum = j;
            }
        }
        *i = last_alnum;
        true
    };
    if i < b.len() && b[i] == b':' {
        i += 1;
    }
    if !label(&mut i) {
        return false;
    }
    while i < b.len() {
        let mut j = i;
        if b[j] == b':' {
            j += 1;
        }
        if j >= b.len() || b[j] != b'.' {
            return false;
        }
        j += 1;
        if !label(&mut j) {
            return false;
        }
        i = j;
    }
    true
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

/// One `--network` value (`opts.NetworkAttachmentOpts`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetworkAttachment {
    pub target: String,
    pub aliases: Vec<String>,
    pub driver_opts: BTreeMap<String, String>,
    pub links: Vec<String>,
    pub ipv4_address: String,
    pub ipv6_address: String,
    pub link_local_ips: Vec<String>,
    pub mac_address: String,
    pub gw_priority: i64,
}

/// Go regexp `\w+=\w+` matched anywhere.
fn has_word_eq_word(s: &str) -> bool {
    let b = s.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    (1..b.len().saturating_sub(1)).any(|i| b[i] == b'=' && word(b[i - 1]) && word(b[i + 1]))
}

/// `opts.NetworkOpt.Set`.
pub fn parse_network(value: &str) -> Result<NetworkAttachment, String> {
    let mut n = NetworkAttachment::default();
    if !has_word_eq_word(value) {
        n.target = value.to_string();
        return Ok(n);
    }
    let fields = csv_first_record(value)?;
    for field in &fields {
        let lower = field.to_lowercase();
        let (key, val, ok) = cut(&lower, '=');
        if !ok || key.is_empty() {
            return Err(format!("invalid field {field}"));
        }
        let key = key.trim();
        let val = val.trim();
        match key {
            "name" => n.target = val.to_string(),
            "alias" => n.aliases.push(val.to_string()),
            "ip" => n.ipv4_address = val.to_string(),
            "ip6" => n.ipv6_address = val.to_string(),
            "mac-address" => n.mac_address = val.to_string(),
            "link-local-ip" => n.link_local_ips.push(val.to_string()),
            "driver-opt" => {
                let (k, v, ok) = cut(val, '=');
                if !ok || k.is_empty() {
                    return Err("invalid key value pair format in driver options".into());
                }
                n.driver_opts
                    .insert(k.trim().to_string(), v.trim().to_string());
            }
            "gw-priority" => {
                n.gw_priority = atoi(val)
                    .map_err(|e| format!("invalid gw-priority ({val}): {}", e.reason()))?;
            }
            _ => return Err(format!("invalid field key {key}")),
        }
    }
    if n.target.is_empty() {
        return Err("network name/id is not specified".into());
    }
    Ok(n)
}

/// Linux `container.NetworkMode(n).IsUserDefined()`.
pub fn is_user_defined_network(n: &str) -> bool {
    !(n == "default"
        || n == "bridge"
        || n == "host"
        || n == "none"
        || n.split_once(':').is_some_and(|(k, _)| k == "container"))
}

/// `NetworkMode.NetworkName()` on Linux.
pub fn network_name(n: &str) -> String {
    match n {
        "default" | "bridge" | "host" | "none" => n.to_string(),
        _ if n.split_once(':').is_some_and(|(k, _)| k == "container") => "container".into(),
        _ => n.to_string(),
    }
}

/// `convertToStandardNotation`: long-syntax `-p` values to `published:target/protocol`.
pub fn convert_publish(publish: &str) -> Result<String, String> {
    if !publish.contains('=') {
        return Ok(publish.to_string());
    }
    let mut params: BTreeMap<String, String> = BTreeMap::new();
    params.insert("protocol".into(), "tcp".into());
    for param in publish.split(',') {
        let (k, v, ok) = cut(param, '=');
        if !ok || k.is_empty() {
            return Err(format!(
                "invalid publish opts format (should be name=value but got '{param}')"
            ));
        }
        params.insert(k.to_string(), v.to_string());
    }
    let g = |k: &str| params.get(k).cloned().unwrap_or_default();
    Ok(format!(
        "{}:{}/{}",
        g("published"),
        g("target"),
        g("protocol")
    ))
}

/// go-connections `nat.SplitProtoPort`: `(proto, port)`.
pub fn split_proto_port(raw: &str) -> (String, String) {
    let parts: Vec<&str> = raw.split('/').collect();
    if raw.is_empty() || parts[0].is_empty() {
        return (String::new(), String::new());
    }
    if parts.len() == 1 {
        return ("tcp".into(), raw.to_string());
    }
    if parts[1].is_empty() {
        return ("tcp".into(), parts[0].to_string());
    }
    (parts[1].to_string(), parts[0].to_string())
}

/// go-connections `nat.ParsePortRange`.
pub fn parse_port_range(ports: &str) -> Result<(u64, u64), String> {
    if ports.is_empty() {
        return Err("empty string specified for ports".into());
    }
    if !ports.contains('-') {
        let start = parse_uint(ports, 10, 16).map_err(|e| e.to_string())?;
        return Ok((start, start));
    }
    let parts: Vec<&str> = ports.split('-').collect();
    let start = parse_uint(parts[0], 10, 16).map_err(|e| e.to_string())?;
    let end = parse_uint(parts[1], 10, 16).map_err(|e| e.to_string())?;
    if end < start {
        return Err(format!("invalid range specified for port: {ports}"));
    }
    Ok((start, end))
}

/// One published port: the `"80/tcp"` key and its binding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortMapping {
    pub port: String,
    pub host_ip: String,
    pub host_port: String,
}

/// go-connections `nat.ParsePortSpec` (after [`convert_publish`]).
pub fn parse_port_spec(raw: &str) -> Result<Vec<PortMapping>, String> {
    let parts: Vec<&str> = raw.split(':').collect();
    let n = parts.len();
    let container_raw = parts[n - 1];
    let (mut ip, host_port) = match n {
        1 => (String::new(), ""),
        2 => (String::new(), parts[0]),
        3 => (parts[0].to_string(), parts[1]),
        _ => (parts[..n - 2].join(":"), parts[n - 2]),
    };
    let (proto, container_port) = split_proto_port(container_raw);
    if ip.starts_with('[') {
        ip = split_host_port_host(&format!("{ip}:"))
            .map_err(|e| format!("invalid IP address {ip}: {e}"))?;
    }
    if !ip.is_empty() && parse_ip(&ip).is_none() {
        return Err(format!("invalid IP address: {ip}"));
    }
    if container_port.is_empty() {
        return Err(format!("no port specified: {raw}<empty>"));
    }
    let (start, end) = parse_port_range(&container_port)
        .map_err(|_| format!("invalid containerPort: {container_port}"))?;
    let (mut hstart, mut hend) = (0u64, 0u64);
    if !host_port.is_empty() {
        (hstart, hend) =
            parse_port_range(host_port).map_err(|_| format!("invalid hostPort: {host_port}"))?;
    }
    if !host_port.is_empty() && (end - start) != (hend.wrapping_sub(hstart)) && end != start {
        return Err(format!(
            "invalid ranges specified for container and host Ports: {container_port} and {host_port}"
        ));
    }
    let lproto = proto.to_lowercase();
    if !matches!(lproto.as_str(), "tcp" | "udp" | "sctp") {
        return Err(format!("invalid proto: {proto}"));
    }
    let mut out = Vec::new();
    for i in 0..=(end - start) {
        let mut hp = String::new();
        if !host_port.is_empty() {
            hp = (hstart + i).to_string();
        }
        if start == end && hstart != hend {
            hp = format!("{hp}-{hend}");
        }
        out.push(PortMapping {
            port: format!("{}/{lproto}", start + i),
            host_ip: ip.clone(),
            host_port: hp,
        });
    }
    Ok(out)
}

/// The host part of Go's `net.SplitHostPort` (its errors as text).
fn split_host_port_host(hostport: &str) -> Result<String, String> {
    let err = |why: &str| format!("address {hostport}: {why}");
    let Some(i) = hostport.rfind(':') else {
        return Err(err("missing port in address"));
    };
    let b = hostport.as_bytes();
    let (host, j, k);
    if b[0] == b'[' {
        let Some(end) = hostport.find(']') else {
            return Err(err("missing ']' in address"));
        };
        if end + 1 == hostport.len() {
            return Err(err("missing port in address"));
        } else if end + 1 != i {
            if b[end + 1] == b':' {
                return Err(err("too many colons in address"));
            }
            return Err(err("missing port in address"));
        }
        host = hostport[1..end].to_string();
        j = 1;
        k = end + 1;
    } else {
        host = hostport[..i].to_string();
        if host.contains(':') {
            return Err(err("too many colons in address"));
        }
        j = 0;
        k = 0;
    }
    if hostport[j..].contains('[') {
        return Err(err("unexpected '[' in address"));
    }
    if hostport[k..].contains(']') {
        return Err(err("unexpected ']' in address"));
    }
    Ok(host)
}

/// `--expose`: the `"80/tcp"` keys (protocol kept as typed).
pub fn parse_expose(e: &str) -> Result<Vec<String>, String> {
    if e.contains(':') {
        return Err(format!("invalid port format for --expose: {e}"));
    }
    let (proto, port) = split_proto_port(e);
    let (start, end) = parse_port_range(&port)
        .map_err(|err| format!("invalid range format for --expose: {e}, error: {err}"))?;
    Ok((start..=end).map(|p| format!("{p}/{proto}")).collect())
}

/// `loader.ParseVolume` (the part `docker run` uses).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VolumeSpec {
    pub source: String,
    pub target: String,
    /// `bind` when the source looks like a file path, else `volume`.
    pub typ: &'static str,
}

/// `loader.ParseVolume`.
pub fn parse_volume(spec: &str) -> Result<VolumeSpec, String> {
    let mut v = VolumeSpec {
        typ: "volume",
        ..Default::default()
    };
    match spec.len() {
        0 => return Err("invalid empty volume spec".into()),
        1 | 2 => {
            v.target = spec.to_string();
            return Ok(v);
        }
        _ => {}
    }
    let mut buffer: Vec<char> = Vec::new();
    let chars = spec.chars().chain(std::iter::once('\0'));
    for c in chars {
        let win_drive = c == ':' && buffer.len() == 1 && buffer[0].is_alphabetic();
        if win_drive {
            buffer.push(c);
        } else if c == ':' || c == '\0' {
            let s: String = buffer.iter().collect();
            let res: Result<(), &str> = if buffer.is_empty() {
                Err("empty section between colons")
            } else if v.source.is_empty() && c == '\0' {
                v.target = s;
                Ok(())
            } else if v.source.is_empty() {
                v.source = s;
                Ok(())
            } else if v.target.is_empty() {
                v.target = s;
                Ok(())
            } else if c == ':' {
                Err("too many colons")
            } else {
                Ok(())
            };
            if let Err(e) = res {
                return Err(format!("invalid spec: {spec}: {e}"));
            }
            buffer.clear();
        } else {
            buffer.push(c);
        }
    }
    if !v.source.is_empty() && is_file_path(&v.source) {
        v.typ = "bind";
    }
    Ok(v)
}

fn is_file_path(source: &str) -> bool {
    match source.as_bytes()[0] {
        b'.' | b'/' | b'~' => return true,
        _ => {}
    }
    let mut chars = source.chars();
    let first = chars.next().unwrap_or(' ');
    if source.chars().count() == 1 {
        return false;
    }
    if source.starts_with("\\\\") {
        return true;
    }
    // isWindowsDrive([]rune{first}, rune(source[nextIndex]))
    let next = source.as_bytes()[first.len_utf8()];
    next == b':' && first.is_alphabetic()
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

/// Resolves a variable of the caller's environment.
pub type Lookup<'a> = dyn Fn(&str) -> Option<String> + 'a;

/// kvfile `parseKeyValueFile`: env-file / label-file lines. `lookup` resolves lines without
/// `=` (env files only; label files drop them).
pub fn parse_kv_file(data: &[u8], lookup: Option<&Lookup>) -> Result<Vec<String>, String> {
    const MAX: usize = 64 * 1024;
    let mut out = Vec::new();
    let mut pos = 0;
    let mut current_line = 0;
    while pos < data.len() {
        current_line += 1;
        let rest = &data[pos..];
        let (mut line, advance) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        if line.len() >= MAX {
            return Err("bufio.Scanner: token too long".into());
        }
        pos += advance;
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        let Ok(text) = std::str::from_utf8(line) else {
            let bytes: Vec<String> = line.iter().map(|b| b.to_string()).collect();
            return Err(format!(
                "invalid utf8 bytes at line {current_line}: [{}]",
                bytes.join(" ")
            ));
        };
        let text = if current_line == 1 {
            text.strip_prefix('\u{feff}').unwrap_or(text)
        } else {
            text
        };
        let line = text.trim_start_matches(char::is_whitespace);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, _, has_value) = cut(line, '=');
        if key.is_empty() {
            return Err(format!("no variable name on line '{line}'"));
        }
        if key.contains([' ', '\t']) {
            return Err(format!("variable '{key}' contains whitespaces"));
        }
        if has_value {
            out.push(line.to_string());
            continue;
        }
        if let Some(lookup) = lookup
            && let Some(v) = lookup(line)
        {
            out.push(format!("{key}={v}"));
        }
    }
    Ok(out)
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

/// containerd `platforms.Parse` + `Format`: the normalised `os/arch[/variant]`.
pub fn parse_platform(specifier: &str) -> Result<String, String> {
    let invalid = "invalid argument";
    if specifier.contains('*') {
        return Err(format!(
            "{}: wildcards not yet supported: {invalid}",
            quote(specifier)
        ));
    }
    let parts: Vec<&str> = specifier.splitn(4, '/').collect();
    let spec_ok = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
    };
    let mut os = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let os_ok = (|| {
                let (name, ver) = match part.split_once('(') {
                    Some((n, rest)) => (n, Some(rest.strip_suffix(')')?)),
                    None => (*part, None),
                };
                let name_ok = !name.is_empty()
                    && name
                        .bytes()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-'));
                let ver_ok = ver.is_none_or(|v| {
                    v.bytes()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
                });
                (name_ok && ver_ok).then(|| name.to_string())
            })();
            match os_ok {
                Some(name) => os = normalize_os(&name),
                None => {
                    return Err(format!(
                        "{} is an invalid OS component of {}: OSAndVersion specifier component must match \"^([A-Za-z0-9_-]+)(?:\\\\(([A-Za-z0-9_.-]*)\\\\))?$\": {invalid}",
                        quote(part),
                        quote(specifier)
                    ));
                }
            }
        } else if !spec_ok(part) {
            return Err(format!(
                "{} is an invalid component of {}: platform specifier component must match \"^[A-Za-z0-9_.-]+$\": {invalid}",
                quote(part),
                quote(specifier)
            ));
        }
    }
    let join = |os: &str, arch: &str, variant: &str| {
        let mut s = os.to_string();
        for p in [arch, variant] {
            if !p.is_empty() {
                s.push('/');
                s.push_str(p);
            }
        }
        s
    };
    match parts.len() {
        1 => {
            if is_known_os(&os) {
                return Ok(join(&os, host_goarch(), ""));
            }
            let (mut arch, mut variant) = normalize_arch(parts[0], "");
            if arch == "arm" && variant == "v7" {
                variant = String::new();
            }
            if is_known_arch(&arch) {
                let a = std::mem::take(&mut arch);
                return Ok(join("linux", &a, &variant));
            }
            Err(format!(
                "{}: unknown operating system or architecture: {invalid}",
                quote(specifier)
            ))
        }
        2 => {
            let (arch, mut variant) = normalize_arch(parts[1], "");
            if arch == "arm" && variant == "v7" {
                variant = String::new();
            }
            Ok(join(&os, &arch, &variant))
        }
        3 => {
            let (arch, mut variant) = normalize_arch(parts[1], parts[2]);
            if arch == "arm64" && variant.is_empty() {
                variant = "v8".into();
            }
            Ok(join(&os, &arch, &variant))
        }
        _ => Err(format!(
            "{}: cannot parse platform specifier: {invalid}",
            quote(specifier)
        )),
    }
}

fn host_goarch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "arm" => "arm",
        "powerpc64" => "ppc64le",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        other => other,
    }
}

fn is_known_os(os: &str) -> bool {
    matches!(
        os,
        "aix"
            | "android"
            | "darwin"
            | "dragonfly"
            | "freebsd"
            | "hurd"
            | "illumos"
            | "ios"
            | "js"
            | "linux"
            | "nacl"
            | "netbsd"
            | "openbsd"
            | "plan9"
            | "solaris"
            | "windows"
            | "zos"
    )
}

fn is_known_arch(arch: &str) -> bool {
    matches!(
        arch,
        "386"
            | "amd64"
            | "amd64p32"
            | "arm"
            | "armbe"
            | "arm64"
            | "arm64be"
            | "ppc64"
            | "ppc64le"
            | "loong64"
            | "mips"
            | "mipsle"
            | "mips64"
            | "mips64le"
            | "mips64p32"
            | "mips64p32le"
            | "ppc"
            | "riscv"
            | "riscv64"
            | "s390"
            | "s390x"
            | "sparc"
            | "sparc64"
            | "wasm"
    )
}

fn normalize_os(os: &str) -> String {
    if os.is_empty() {
        return "linux".into();
    }
    let os = os.to_lowercase();
    if os == "macos" { "darwin".into() } else { os }
}

fn normalize_arch(arch: &str, variant: &str) -> (String, String) {
    let arch = arch.to_lowercase();
    let mut variant = variant.to_lowercase();
    let arch = match arch.as_str() {
        "i386" => {
            variant.clear();
            "386".to_string()
        }
        "x86_64" | "x86-64" | "amd64" => {
            if variant == "v1" {
                variant.clear();
            }
            "amd64".to_string()
        }
        "aarch64" | "arm64" => {
            match variant.as_str() {
                "8" | "v8" | "v8.0" => variant.clear(),
                "9" | "9.0" | "v9.0" => variant = "v9".into(),
                _ => {}
            }
            "arm64".to_string()
        }
        "armhf" => {
            variant = "v7".into();
            "arm".to_string()
        }
        "armel" => {
            variant = "v6".into();
            "arm".to_string()
        }
        "arm" => {
            match variant.as_str() {
                "" | "7" => variant = "v7".into(),
                "5" | "6" | "8" => variant = format!("v{variant}"),
                _ => {}
            }
            "arm".to_string()
        }
        _ => arch,
    };
    (arch, variant)
}

/// Go `json.Compact`: removes insignificant whitespace, keeps everything else byte for byte.
/// Syntax errors carry Go's `encoding/json` scanner texts.
pub fn json_compact(data: &[u8]) -> Result<String, String> {
    json_check(data)?;
    let mut out = Vec::with_capacity(data.len());
    let mut in_str = false;
    let mut escaped = false;
    for &b in data {
        if in_str {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_str = false;
            }
        } else if b == b'"' {
            in_str = true;
            out.push(b);
        } else if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            out.push(b);
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// The state machine of Go's `encoding/json` scanner, for its error messages.
fn json_check(data: &[u8]) -> Result<(), String> {
    #[derive(Clone, Copy, PartialEq)]
    enum Ps {
        ObjectKey,
        ObjectValue,
        Array,
    }
    #[derive(Clone, Copy, PartialEq)]
    enum St {
        BeginValueOrEmpty,
        BeginValue,
        BeginStringOrEmpty,
        BeginString,
        EndValue,
        EndTop,
        InString,
        InStringEsc,
        InStringEscU(u8),
        Neg,
        Zero,
        One,
        Dot,
        Dot0,
        E,
        ESign,
        E0,
        Lit(&'static [u8], &'static str, usize),
    }
    fn quote_char(c: u8) -> String {
        match c {
            b'\'' => "'\\''".into(),
            b'"' => "'\"'".into(),
            c => gocompat::quote_byte_as_rune(c),
        }
    }
    fn step(st: St, stack: &mut Vec<Ps>, c: u8) -> Result<St, String> {
        let space = matches!(c, b' ' | b'\t' | b'\r' | b'\n');
        let bad = |ctx: &str| Err(format!("invalid character {} {ctx}", quote_char(c)));
        match st {
            St::BeginValueOrEmpty => {
                if space {
                    return Ok(st);
                }
                if c == b']' {
                    return step(St::EndValue, stack, c);
                }
                step(St::BeginValue, stack, c)
            }
            St::BeginValue => {
                if space {
                    return Ok(st);
                }
                match c {
                    b'{' => {
                        stack.push(Ps::ObjectKey);
                        Ok(St::BeginStringOrEmpty)
                    }
                    b'[' => {
                        stack.push(Ps::Array);
                        Ok(St::BeginValueOrEmpty)
                    }
                    b'"' => Ok(St::InString),
                    b'-' => Ok(St::Neg),
                    b'0' => Ok(St::Zero),
                    b'1'..=b'9' => Ok(St::One),
                    b't' => Ok(St::Lit(b"rue", "true", 0)),
                    b'f' => Ok(St::Lit(b"alse", "false", 0)),
                    b'n' => Ok(St::Lit(b"ull", "null", 0)),
                    _ => bad("looking for beginning of value"),
                }
            }
            St::BeginStringOrEmpty => {
                if space {
                    return Ok(st);
                }
                if c == b'}' {
                    if let Some(top) = stack.last_mut() {
                        *top = Ps::ObjectValue;
                    }
                    return step(St::EndValue, stack, c);
                }
                step(St::BeginString, stack, c)
            }
            St::BeginString => {
                if space {
                    return Ok(st);
                }
                if c == b'"' {
                    return Ok(St::InString);
                }
                bad("looking for beginning of object key string")
            }
            St::EndValue => {
                let Some(&top) = stack.last() else {
                    return step(St::EndTop, stack, c);
                };
                if space {
                    return Ok(St::EndValue);
                }
                match top {
                    Ps::ObjectKey => {
                        if c == b':' {
                            *stack.last_mut().expect("top") = Ps::ObjectValue;
                            return Ok(St::BeginValue);
                        }
                        bad("after object key")
                    }
                    Ps::ObjectValue => {
                        if c == b',' {
                            *stack.last_mut().expect("top") = Ps::ObjectKey;
                            return Ok(St::BeginString);
                        }
                        if c == b'}' {
                            stack.pop();
                            return Ok(St::EndValue);
                        }
                        bad("after object key:value pair")
                    }
                    Ps::Array => {
                        if c == b',' {
                            return Ok(St::BeginValue);
                        }
                        if c == b']' {
                            stack.pop();
                            return Ok(St::EndValue);
                        }
                        bad("after array element")
                    }
                }
            }
            St::EndTop => {
                if space {
                    Ok(St::EndTop)
                } else {
                    bad("after top-level value")
                }
            }
            St::InString => match c {
                b'"' => Ok(St::EndValue),
                b'\\' => Ok(St::InStringEsc),
                c if c < 0x20 => bad("in string literal"),
                _ => Ok(St::InString),
            },
            St::InStringEsc => match c {
                b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'/' | b'"' => Ok(St::InString),
                b'u' => Ok(St::InStringEscU(0)),
                _ => bad("in string escape code"),
            },
            St::InStringEscU(n) => {
                if c.is_ascii_hexdigit() {
                    Ok(if n == 3 {
                        St::InString
                    } else {
                        St::InStringEscU(n + 1)
                    })
                } else {
                    bad("in \\u hexadecimal character escape")
                }
            }
            St::Neg => match c {
                b'0' => Ok(St::Zero),
                b'1'..=b'9' => Ok(St::One),
                _ => bad("in numeric literal"),
            },
            St::One => {
                if c.is_ascii_digit() {
                    Ok(St::One)
                } else {
                    step(St::Zero, stack, c)
                }
            }
            St::Zero => match c {
                b'.' => Ok(St::Dot),
                b'e' | b'E' => Ok(St::E),
                _ => step(St::EndValue, stack, c),
            },
            St::Dot => {
                if c.is_ascii_digit() {
                    Ok(St::Dot0)
                } else {
                    bad("after decimal point in numeric literal")
                }
            }
            St::Dot0 => match c {
                b'0'..=b'9' => Ok(St::Dot0),
                b'e' | b'E' => Ok(St::E),
                _ => step(St::EndValue, stack, c),
            },
            St::E => {
                if c == b'+' || c == b'-' {
                    Ok(St::ESign)
                } else {
                    step(St::ESign, stack, c)
                }
            }
            St::ESign => {
                if c.is_ascii_digit() {
                    Ok(St::E0)
                } else {
                    bad("in exponent of numeric literal")
                }
            }
            St::E0 => {
                if c.is_ascii_digit() {
                    Ok(St::E0)
                } else {
                    step(St::EndValue, stack, c)
                }
            }
            St::Lit(rest, name, i) => {
                if c == rest[i] {
                    Ok(if i + 1 == rest.len() {
                        St::EndValue
                    } else {
                        St::Lit(rest, name, i + 1)
                    })
                } else {
                    bad(&format!(
                        "in literal {name} (expecting {})",
                        quote_char(rest[i])
                    ))
                }
            }
        }
    }
    let mut stack = Vec::new();
    let mut st = St::BeginValue;
    for &c in data {
        st = step(st, &mut stack, c)?;
    }
    if st == St::EndTop {
        return Ok(());
    }
    match step(st, &mut stack, b' ') {
        Ok(St::EndTop) => Ok(()),
        _ => Err("unexpected end of JSON input".into()),
    }
}

/// distribution/reference `ParseAnyReference` as `docker run` uses it: `Ok(true)` for a named
/// reference (pullable), `Ok(false)` for an image ID or digest, `Err` with docker's text.
pub fn parse_image_reference(s: &str) -> Result<bool, String> {
    let is_hex64 =
        |x: &str| x.len() == 64 && x.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'));
    if is_hex64(s) {
        return Ok(false);
    }
    if let Some((alg, hex)) = s.split_once(':')
        && validate_digest(&format!("{alg}:{hex}")).is_ok()
        && !alg.is_empty()
    {
        return Ok(false);
    }
    // ParseNormalizedNamed
    let (domain, remainder) = split_docker_domain(s);
    let remote = match remainder.find(':') {
        Some(i) => &remainder[..i],
        None => remainder.as_str(),
    };
    if remote.to_lowercase() != remote {
        return Err(format!(
            "invalid reference format: repository name ({remote}) must be lowercase"
        ));
    }
    let full = format!("{domain}/{remainder}");
    let Some((path, digest)) = match_reference(&full) else {
        if full.is_empty() {
            return Err("repository name must have at least one component".into());
        }
        if match_reference(&full.to_lowercase()).is_some() {
            return Err("repository name must be lowercase".into());
        }
        return Err("invalid reference format".into());
    };
    if path.len() > 255 {
        return Err("repository name must not be more than 255 characters".into());
    }
    if let Some(d) = digest {
        validate_digest(&d)?;
    }
    Ok(true)
}

fn split_docker_domain(name: &str) -> (String, String) {
    let (mut domain, mut remainder) = match name.find('/') {
        Some(i)
            if name[..i].contains(['.', ':'])
                || &name[..i] == "localhost"
                || name[..i].to_lowercase() != name[..i] =>
        {
            (name[..i].to_string(), name[i + 1..].to_string())
        }
        _ => ("docker.io".to_string(), name.to_string()),
    };
    if domain == "index.docker.io" {
        domain = "docker.io".into();
    }
    if domain == "docker.io" && !remainder.contains('/') {
        remainder = format!("library/{remainder}");
    }
    (domain, remainder)
}

/// Anchored `ReferenceRegexp`: the remote-name part (path) and the digest, when it matches.
fn match_reference(s: &str) -> Option<(String, Option<String>)> {
    let (name_tag, digest) = match s.split_once('@') {
        Some((n, d)) => {
            if !digest_pat(d) {
                return None;
            }
            (n, Some(d.to_string()))
        }
        None => (s, None),
    };
    if let Some(path) = name_pat(name_tag) {
        return Some((path, digest));
    }
    let (name, tag) = name_tag.rsplit_once(':')?;
    if !tag_pat(tag) {
        return None;
    }
    name_pat(name).map(|p| (p, digest))
}

fn tag_pat(t: &str) -> bool {
    let w = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && w(b[0])
        && b[1..].iter().all(|&c| w(c) || c == b'.' || c == b'-')
}

fn digest_pat(d: &str) -> bool {
    let Some((alg, hex)) = d.split_once(':') else {
        return false;
    };
    let comps_ok = {
        let b = alg.as_bytes();
        let mut i = 0;
        let mut ok = true;
        loop {
            if i >= b.len() || !b[i].is_ascii_alphabetic() {
                ok = false;
                break;
            }
            i += 1;
            while i < b.len() && b[i].is_ascii_alphanumeric() {
                i += 1;
            }
            if i == b.len() {
                break;
            }
            if !matches!(b[i], b'-' | b'_' | b'+' | b'.') {
                ok = false;
                break;
            }
            i += 1;
        }
        ok
    };
    comps_ok && hex.len() >= 32 && hex.bytes().all(|c| c.is_ascii_hexdigit())
}

fn validate_digest(d: &str) -> Result<(), String> {
    let fmt_err = || "invalid checksum digest format".to_string();
    let i = d.find(':').ok_or_else(fmt_err)?;
    if i == 0 || i + 1 == d.len() {
        return Err(fmt_err());
    }
    let (alg, enc) = (&d[..i], &d[i + 1..]);
    let size = match alg {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => {
            if !digest_pat(d) {
                return Err(fmt_err());
            }
            return Err("unsupported digest algorithm".into());
        }
    };
    if enc.len() != size {
        return Err("invalid checksum digest length".into());
    }
    if enc.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(())
    } else {
        Err(fmt_err())
    }
}

/// `namePat` anchored; returns the remote-name (path) part.
fn name_pat(s: &str) -> Option<String> {
    if let Some((dom, rest)) = s.split_once('/')
        && domain_and_port(dom)
        && remote_name(rest)
    {
        return Some(rest.to_string());
    }
    remote_name(s).then(|| s.to_string())
}

fn remote_name(s: &str) -> bool {
    s.split('/').all(path_component)
}

fn path_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    let mut i = 0;
    let run = |i: &mut usize| {
        let s = *i;
        while *i < b.len() && alnum(b[*i]) {
            *i += 1;
        }
        *i > s
    };
    if !run(&mut i) {
        return false;
    }
    while i < b.len() {
        let sep_start = i;
        if b[i] == b'.' {
            i += 1;
        } else if b[i] == b'_' {
            i += 1;
            if i < b.len() && b[i] == b'_' {
                i += 1;
            }
        } else if b[i] == b'-' {
            while i < b.len() && b[i] == b'-' {
                i += 1;
            }
        }
        if i == sep_start || !run(&mut i) {
            return false;
        }
    }
    true
}

fn domain_and_port(d: &str) -> bool {
    let (host, port) = if d.starts_with('[') {
        match d.find(']') {
            Some(e) => (&d[..=e], &d[e + 1..]),
            None => return false,
        }
    } else {
        match d.rsplit_once(':') {
            Some((h, p)) => (h, &d[h.len()..][..p.len() + 1]),
            None => (d, ""),
        }
    };
    let port_ok = port.is_empty()
        || (port.len() > 1
            && port.starts_with(':')
            && port[1..].bytes().all(|c| c.is_ascii_digit()));
    let host_ok = if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        !inner.is_empty() && inner.bytes().all(|c| c.is_ascii_hexdigit() || c == b':')
    } else {
        !host.is_empty()
            && host.split('.').all(|c| {
                let b = c.as_bytes();
                !b.is_empty()
                    && b[0].is_ascii_alphanumeric()
                    && b[b.len() - 1].is_ascii_alphanumeric()
                    && b.iter().all(|x| x.is_ascii_alphanumeric() || *x == b'-')
            })
    };
    port_ok && host_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_sizes() {
        assert_eq!(ram_in_bytes("1g"), Ok(1 << 30));
        assert_eq!(ram_in_bytes("1GiB"), Ok(1 << 30));
        assert_eq!(ram_in_bytes("1 g"), Ok(1 << 30));
        assert_eq!(ram_in_bytes("1.5g"), Ok(1_610_612_736));
        assert_eq!(ram_in_bytes("512m"), Ok(536_870_912));
        assert_eq!(ram_in_bytes("10kb"), Ok(10240));
        assert_eq!(ram_in_bytes("100b"), Ok(100));
        assert_eq!(ram_in_bytes("100"), Ok(100));
        assert_eq!(ram_in_bytes("abc"), Err("invalid size: 'abc'".into()));
        assert_eq!(ram_in_bytes("1x"), Err("invalid suffix: 'x'".into()));
        assert_eq!(ram_in_bytes("1kx"), Err("invalid suffix: 'kx'".into()));
        assert_eq!(ram_in_bytes("1kibb"), Err("invalid suffix: 'kibb'".into()));
        assert_eq!(ram_in_bytes("1bb"), Err("invalid suffix: 'bb'".into()));
        assert_eq!(ram_in_bytes("-1"), Err("invalid size: '-1'".into()));
        assert_eq!(
            ram_in_bytes("1..5"),
            Err("strconv.ParseFloat: parsing \"1..5\": invalid syntax".into())
        );
        assert_eq!(mem_swap_bytes("-1"), Ok(-1));
    }

    #[test]
    fn cpus_are_exact() {
        assert_eq!(parse_cpus("1.5"), Ok(1_500_000_000));
        assert_eq!(parse_cpus("3/2"), Ok(1_500_000_000));
        assert_eq!(parse_cpus("1e-3"), Ok(1_000_000));
        assert_eq!(parse_cpus("0.000000001"), Ok(1));
        assert_eq!(parse_cpus("0"), Ok(0));
        assert_eq!(parse_cpus("0x10"), Ok(16_000_000_000));
        assert_eq!(parse_cpus("0b11"), Ok(3_000_000_000));
        assert_eq!(parse_cpus("0x1p-1"), Ok(500_000_000));
        assert_eq!(parse_cpus("010"), Ok(10_000_000_000));
        assert_eq!(parse_cpus("1_0"), Ok(10_000_000_000));
        assert_eq!(parse_cpus("-1.5"), Ok(-1_500_000_000));
        assert_eq!(parse_cpus("1E-9"), Ok(1));
        assert_eq!(parse_cpus("1e-10"), Err("value is too precise".into()));
        assert_eq!(
            parse_cpus("abc"),
            Err("failed to parse abc as a rational number".into())
        );
        assert_eq!(
            parse_cpus("1/0"),
            Err("failed to parse 1/0 as a rational number".into())
        );
    }

    #[test]
    fn dns_search_domains() {
        assert_eq!(
            validate_dns_search("example.com."),
            Ok("example.com".into())
        );
        assert_eq!(validate_dns_search(" a-b.c "), Ok("a-b.c".into()));
        assert_eq!(validate_dns_search("."), Ok(".".into()));
        assert!(validate_dns_search("123").is_err());
        assert!(validate_dns_search("-a.com").is_err());
        assert!(validate_dns_search("a..com").is_err());
        assert_eq!(validate_dns_search(":a.:b"), Ok(":a.:b".into()));
    }

    #[test]
    fn volumes_split_like_compose() {
        let v = parse_volume("/h:/c:ro").unwrap();
        assert_eq!(
            (v.source.as_str(), v.target.as_str(), v.typ),
            ("/h", "/c", "bind")
        );
        let v = parse_volume("a:b").unwrap();
        assert_eq!((v.source.as_str(), v.target.as_str()), ("", "a:b"));
        let v = parse_volume("c:\\x:/y").unwrap();
        assert_eq!(v.source, "c:\\x");
        assert_eq!(v.typ, "bind");
        // A one-letter first part is a Windows drive: `x::y` is source `x:`, target `y`.
        let v = parse_volume("x::y").unwrap();
        assert_eq!((v.source.as_str(), v.target.as_str()), ("x:", "y"));
        assert_eq!(
            parse_volume("/x::y").unwrap_err(),
            "invalid spec: /x::y: empty section between colons"
        );
        assert_eq!(
            parse_volume("vol:/x:ro:z").unwrap_err(),
            "invalid spec: vol:/x:ro:z: too many colons"
        );
        assert_eq!(parse_volume("").unwrap_err(), "invalid empty volume spec");
        assert_eq!(parse_volume("vol:/x").unwrap().typ, "volume");
    }

    #[test]
    fn platforms_normalise() {
        assert_eq!(parse_platform("linux/x86_64"), Ok("linux/amd64".into()));
        assert_eq!(parse_platform("linux/aarch64"), Ok("linux/arm64".into()));
        assert_eq!(
            parse_platform("linux/arm64/v8"),
            Ok("linux/arm64/v8".into())
        );
        assert_eq!(parse_platform("linux/arm"), Ok("linux/arm".into()));
        assert_eq!(parse_platform("linux/armhf"), Ok("linux/arm".into()));
        assert_eq!(parse_platform("Linux/AMD64"), Ok("linux/amd64".into()));
        assert_eq!(parse_platform("arm64"), Ok("linux/arm64".into()));
        assert_eq!(
            parse_platform("foo/bar/baz/qux"),
            Err("\"foo/bar/baz/qux\": cannot parse platform specifier: invalid argument".into())
        );
    }

    #[test]
    fn image_references() {
        assert_eq!(parse_image_reference("busybox"), Ok(true));
        assert_eq!(parse_image_reference("harden-test/busybox:1"), Ok(true));
        assert_eq!(parse_image_reference("localhost:5000"), Ok(true));
        assert_eq!(parse_image_reference("Foo.com/x"), Ok(true));
        assert_eq!(parse_image_reference("[::1]:5000/a/b:c"), Ok(true));
        assert_eq!(
            parse_image_reference(&"a".repeat(64).replace('a', "0")),
            Ok(false)
        );
        assert_eq!(
            parse_image_reference("UPPER"),
            Err(
                "invalid reference format: repository name (library/UPPER) must be lowercase"
                    .into()
            )
        );
        assert_eq!(
            parse_image_reference(""),
            Err("invalid reference format".into())
        );
        assert_eq!(
            parse_image_reference("a:b:c"),
            Err("invalid reference format".into())
        );
        assert_eq!(
            parse_image_reference("a@sha256:abc"),
            Err("invalid reference format".into())
        );
        assert_eq!(
            parse_image_reference("a@md5:01234567890123456789012345678901"),
            Err("unsupported digest algorithm".into())
        );
        assert_eq!(
            parse_image_reference(&"a".repeat(300)),
            Err("repository name must not be more than 255 characters".into())
        );
        assert_eq!(parse_image_reference("a__b/c--d.e:t_1"), Ok(true));
        assert!(parse_image_reference("a___b").is_err());
    }

    #[test]
    fn json_is_compacted_verbatim() {
        assert_eq!(
            json_compact(b"{ \"a\" : [1.0, 2e3, \"x y\\\"\"] }\n").unwrap(),
            "{\"a\":[1.0,2e3,\"x y\\\"\"]}"
        );
        assert_eq!(
            json_compact(b"{").unwrap_err(),
            "unexpected end of JSON input"
        );
        for (input, msg) in [
            (
                &b"x"[..],
                "invalid character 'x' looking for beginning of value",
            ),
            (
                b"{ bad",
                "invalid character 'b' looking for beginning of object key string",
            ),
            (b"{\"a\" 1}", "invalid character '1' after object key"),
            (
                b"{\"a\":1 2}",
                "invalid character '2' after object key:value pair",
            ),
            (b"[1 2]", "invalid character '2' after array element"),
            (b"1 2", "invalid character '2' after top-level value"),
            (b"tru", "unexpected end of JSON input"),
            (
                b"trux",
                "invalid character 'x' in literal true (expecting 'e')",
            ),
            (b"\"\\x\"", "invalid character 'x' in string escape code"),
            (b"-x", "invalid character 'x' in numeric literal"),
            (
                b"1.x",
                "invalid character 'x' after decimal point in numeric literal",
            ),
            (
                b"1e+x",
                "invalid character 'x' in exponent of numeric literal",
            ),
            (
                b"['a']",
                "invalid character '\\'' looking for beginning of value",
            ),
        ] {
            assert_eq!(json_compact(input).unwrap_err(), msg, "{input:?}");
        }
        assert_eq!(json_compact(b" [ ] ").unwrap(), "[]");
        assert_eq!(json_compact(b"{}").unwrap(), "{}");
        assert_eq!(json_compact(b"-0.5e-3").unwrap(), "-0.5e-3");
    }
}
