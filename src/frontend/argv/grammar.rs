//! The pflag/cobra command-line grammar of `docker run` (pflag v1.0.6, interspersed off).

use super::ArgvError;
use super::flags::{FlagGroup, FlagSpec, ValueKind, canonical, lookup_long, lookup_short};
use super::values;
use crate::parse::gocompat::{self, quote, quote_byte_as_rune};
use crate::parse::units;

/// One flag as it appeared on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// The canonical flag (deprecated aliases such as `--net` are resolved to `network`).
    pub flag: &'static FlagSpec,
    /// As typed: `-p`, `--publish`, `--net`.
    pub written: String,
    /// `None` for a bare boolean flag (`--rm`, `-i`); `Some("false")` for `--rm=false`.
    pub value: Option<String>,
    /// Index (in the slice given to [`parse_args`]) of the token where this flag starts.
    pub index: usize,
}

impl Occurrence {
    /// An occurrence that did not come from a command line (index `usize::MAX`, written as
    /// `--long`).
    pub fn new(flag: &'static FlagSpec, value: Option<String>) -> Self {
        let flag = canonical(flag);
        Occurrence {
            flag,
            written: format!("--{}", flag.long),
            value,
            index: usize::MAX,
        }
    }

    /// The effective boolean value of a boolean flag (`true` when bare).
    pub fn bool_value(&self) -> bool {
        match &self.value {
            None => true,
            Some(v) => gocompat::parse_bool(v).unwrap_or(false),
        }
    }

    /// The value as a string (`"true"` for a bare boolean).
    pub fn value_str(&self) -> &str {
        self.value.as_deref().unwrap_or("true")
    }
}

/// A parsed `docker run` command line.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Parsed {
    /// Every flag in command-line order, harden's own options included.
    pub occurrences: Vec<Occurrence>,
    /// The image as typed (empty only when `--help` was given without an image).
    pub image: String,
    pub image_index: usize,
    /// Everything after the image, verbatim.
    pub command: Vec<String>,
}

impl Parsed {
    /// Occurrences of the flag with this canonical long name, in order.
    pub fn all<'a>(&'a self, long: &'a str) -> impl Iterator<Item = &'a Occurrence> + 'a {
        self.occurrences.iter().filter(move |o| o.flag.long == long)
    }

    /// The last occurrence of a flag (the one that wins for single-valued flags).
    pub fn last(&self, long: &str) -> Option<&Occurrence> {
        self.occurrences.iter().rev().find(|o| o.flag.long == long)
    }

    /// Whether the flag was given at all (pflag's `Changed`).
    pub fn changed(&self, long: &str) -> bool {
        self.last(long).is_some()
    }

    /// The effective value of a string flag (last one wins), or `default`.
    pub fn string(&self, long: &str, default: &str) -> String {
        self.last(long)
            .map(|o| o.value_str().to_string())
            .unwrap_or_else(|| default.to_string())
    }

    /// The effective value of a boolean flag, or `default`.
    pub fn boolean(&self, long: &str, default: bool) -> bool {
        self.last(long)
            .map(Occurrence::bool_value)
            .unwrap_or(default)
    }

    /// All values of a list flag, in order.
    pub fn list(&self, long: &str) -> Vec<String> {
        self.all(long).map(|o| o.value_str().to_string()).collect()
    }

    /// Whether `--help` was given (and not `--help=false`).
    pub fn help_requested(&self) -> bool {
        self.boolean("help", false)
    }
}

/// Parses everything after `run`. Flags are checked the way pflag checks them while parsing
/// (unknown flags, missing arguments, and each value's `Set`: numbers, sizes, durations, list
/// validators); the rest of the validation happens in [`super::build_request`].
pub fn parse_args(args: &[String]) -> Result<Parsed, ArgvError> {
    parse_checked(args, |_| Ok(()))
}

/// [`parse_args`], calling `before_error` with the flags parsed so far before reporting a
/// syntax error or a missing image (its own error, if any, is reported instead).
pub(crate) fn parse_checked(
    args: &[String],
    before_error: impl Fn(&[Occurrence]) -> Result<(), ArgvError>,
) -> Result<Parsed, ArgvError> {
    let (occurrences, rest) = parse_partial(args);
    let (image_index, missing) = match rest {
        Ok(r) => r,
        Err(e) => {
            before_error(&occurrences)?;
            return Err(e);
        }
    };
    let mut parsed = Parsed {
        occurrences,
        ..Default::default()
    };
    match image_index {
        Some(i) => {
            parsed.image = args[i].clone();
            parsed.image_index = i;
            parsed.command = args[i + 1..].to_vec();
        }
        None => {
            parsed.image_index = args.len();
            if !parsed.help_requested() {
                before_error(&parsed.occurrences)?;
                return Err(missing);
            }
        }
    }
    Ok(parsed)
}

/// The missing-image error of `docker run`.
pub fn missing_image_error() -> ArgvError {
    ArgvError {
        message: "'docker run' requires at least 1 argument".into(),
        exit_code: 1,
        show_usage: true,
    }
}

type PartialResult = Result<(Option<usize>, ArgvError), ArgvError>;

/// The flags parsed so far, and either the image position or the first error. (docker checks
/// the API version of the flags seen before a syntax error, so callers need both.)
pub(crate) fn parse_partial(args: &[String]) -> (Vec<Occurrence>, PartialResult) {
    let mut occ = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let s = args[i].as_str();
        if s.is_empty() || !s.starts_with('-') || s == "-" {
            return (occ, Ok((Some(i), missing_image_error())));
        }
        if let Some(name) = s.strip_prefix("--") {
            if name.is_empty() {
                let img = (i + 1 < args.len()).then_some(i + 1);
                return (occ, Ok((img, missing_image_error())));
            }
            if name.starts_with('-') || name.starts_with('=') {
                return (occ, Err(flag_error(format!("bad flag syntax: {s}"))));
            }
            let (name, inline) = match name.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (name, None),
            };
            let Some(spec) = lookup_long(name) else {
                return (occ, Err(flag_error(format!("unknown flag: --{name}"))));
            };
            let start = i;
            let value = if inline.is_some() {
                inline
            } else if spec.is_bool() {
                None
            } else if i + 1 < args.len() {
                i += 1;
                Some(args[i].clone())
            } else {
                return (occ, Err(flag_error(format!("flag needs an argument: {s}"))));
            };
            if let Err(e) = check_value(spec, value.as_deref()) {
                return (occ, Err(e));
            }
            occ.push(Occurrence {
                flag: canonical(spec),
                written: format!("--{name}"),
                value,
                index: start,
            });
            i += 1;
            continue;
        }
        // Shorthand cluster.
        let start = i;
        let mut shorthands = &s.as_bytes()[1..];
        let mut consumed_next = false;
        while !shorthands.is_empty() {
            let c = shorthands[0];
            let rest_text = String::from_utf8_lossy(shorthands).into_owned();
            let spec = if c.is_ascii() {
                lookup_short(c as char)
            } else {
                None
            };
            let Some(spec) = spec else {
                return (
                    occ,
                    Err(flag_error(format!(
                        "unknown shorthand flag: {} in -{rest_text}",
                        quote_byte_as_rune(c)
                    ))),
                );
            };
            let value;
            if shorthands.len() > 2 && shorthands[1] == b'=' {
                value = Some(String::from_utf8_lossy(&shorthands[2..]).into_owned());
                shorthands = &[];
            } else if spec.is_bool() {
                value = None;
                shorthands = &shorthands[1..];
            } else if shorthands.len() > 1 {
                value = Some(String::from_utf8_lossy(&shorthands[1..]).into_owned());
                shorthands = &[];
            } else if i + 1 < args.len() {
                value = Some(args[i + 1].clone());
                consumed_next = true;
                shorthands = &[];
            } else {
                return (
                    occ,
                    Err(flag_error(format!(
                        "flag needs an argument: {} in -{rest_text}",
                        quote_byte_as_rune(c)
                    ))),
                );
            }
            if let Err(e) = check_value(spec, value.as_deref()) {
                return (occ, Err(e));
            }
            occ.push(Occurrence {
                flag: canonical(spec),
                written: format!("-{}", c as char),
                value,
                index: start,
            });
        }
        i += if consumed_next { 2 } else { 1 };
    }
    (occ, Ok((None, missing_image_error())))
}

fn flag_error(message: String) -> ArgvError {
    ArgvError {
        message,
        exit_code: 125,
        show_usage: true,
    }
}

/// pflag's `Set` for one value: `invalid argument "V" for "-p, --publish" flag: reason`.
fn check_value(spec: &FlagSpec, value: Option<&str>) -> Result<(), ArgvError> {
    let v = value.unwrap_or("true");
    set_value_error(spec, v).map_err(|reason| {
        flag_error(format!(
            "invalid argument {} for {} flag: {reason}",
            quote(v),
            quote(&spec.error_name())
        ))
    })
}

/// The reason a value is refused by the flag's `Set`, if it is.
pub fn set_value_error(spec: &FlagSpec, v: &str) -> Result<(), String> {
    let num = |e: gocompat::NumError| e.to_string();
    match spec.kind {
        ValueKind::Bool => gocompat::parse_bool(v).map(drop).map_err(num),
        ValueKind::Int | ValueKind::Int64 => gocompat::parse_int(v, 0, 64).map(drop).map_err(num),
        ValueKind::Uint16 => gocompat::parse_uint(v, 0, 16).map(drop).map_err(num),
        ValueKind::Uint64 => gocompat::parse_uint(v, 0, 64).map(drop).map_err(num),
        ValueKind::Bytes => units::ram_in_bytes(v).map(drop),
        ValueKind::MemorySwap => units::mem_swap_bytes(v).map(drop),
        ValueKind::Duration => gocompat::parse_duration(v).map(drop),
        ValueKind::Decimal => units::parse_cpus(v).map(drop),
        ValueKind::Network => values::parse_network(v).map(drop),
        ValueKind::Mount => values::parse_mount(v).map(drop),
        ValueKind::GpuRequest => values::parse_gpus(v).map(drop),
        ValueKind::Ulimit => values::parse_ulimit(v).map(drop),
        ValueKind::Map => match spec.long {
            "sysctl" => values::validate_sysctl(v),
            _ => Ok(()),
        },
        ValueKind::List => match spec.canonical() {
            "attach" => values::validate_attach(v).map(drop),
            "blkio-weight-device" => values::validate_weight_device(v).map(drop),
            "dns" => values::validate_ip_address(v).map(drop),
            "dns-search" => values::validate_dns_search(v).map(drop),
            "device-cgroup-rule" => values::validate_device_cgroup_rule(v),
            "device-read-bps" | "device-write-bps" => values::validate_throttle_bps(v).map(drop),
            "device-read-iops" | "device-write-iops" => values::validate_throttle_iops(v).map(drop),
            "env" => values::validate_env(v),
            "add-host" => values::validate_extra_host(v).map(drop),
            "label" => values::validate_label(v),
            "link" => values::validate_link(v),
            _ => Ok(()),
        },
        ValueKind::String => match spec.long {
            "format" if spec.group == FlagGroup::Harden => match v {
                "text" | "json" => Ok(()),
                _ => Err("must be \"text\" or \"json\"".into()),
            },
            _ => Ok(()),
        },
    }
}

/// Renders occurrences back to tokens that parse to the same occurrences (docker's flags only).
pub fn to_args(parsed: &Parsed) -> Vec<String> {
    to_args_with(parsed, false)
}

/// Like [`to_args`], optionally keeping harden's own options.
pub fn to_args_with(parsed: &Parsed, include_harden: bool) -> Vec<String> {
    let mut out = Vec::new();
    for o in &parsed.occurrences {
        if o.flag.group == FlagGroup::Harden && !include_harden {
            continue;
        }
        let spelled = spelling(o);
        if o.flag.is_bool() {
            match &o.value {
                None => out.push(spelled),
                Some(v) => out.push(format!("{spelled}={v}")),
            }
        } else {
            out.push(spelled);
            out.push(o.value.clone().unwrap_or_default());
        }
    }
    // No image only when `--help` was parsed without one.
    if !parsed.image.is_empty() || !parsed.command.is_empty() || !parsed.help_requested() {
        if parsed.image.starts_with('-') && parsed.image != "-" {
            out.push("--".into());
        }
        out.push(parsed.image.clone());
        out.extend(parsed.command.iter().cloned());
    }
    out
}

/// `-p` / `--publish` / `--net` as written when that spelling names the same flag, else
/// `--long`.
fn spelling(o: &Occurrence) -> String {
    let w = o.written.as_str();
    if let Some(name) = w.strip_prefix("--") {
        if lookup_long(name).is_some_and(|s| canonical(s).long == o.flag.long) {
            return w.to_string();
        }
    } else if let Some(c) = w.strip_prefix('-')
        && c.chars().count() == 1
        && let Some(ch) = c.chars().next()
        && lookup_short(ch).is_some_and(|s| s.long == o.flag.long)
    {
        return w.to_string();
    }
    format!("--{}", o.flag.long)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn clusters_and_forms() {
        let p = parse_args(&a(&[
            "-itp",
            "80:80",
            "-p8080:80",
            "-p=9:9",
            "--name=x",
            "img",
            "ls",
            "-la",
        ]))
        .unwrap();
        let got: Vec<_> = p
            .occurrences
            .iter()
            .map(|o| (o.flag.long, o.value.clone(), o.index))
            .collect();
        assert_eq!(
            got,
            vec![
                ("interactive", None, 0),
                ("tty", None, 0),
                ("publish", Some("80:80".into()), 0),
                ("publish", Some("8080:80".into()), 2),
                ("publish", Some("9:9".into()), 3),
                ("name", Some("x".into()), 4),
            ]
        );
        assert_eq!(p.image, "img");
        assert_eq!(p.image_index, 5);
        assert_eq!(p.command, a(&["ls", "-la"]));
    }

    #[test]
    fn double_dash_ends_options() {
        let p = parse_args(&a(&["--rm", "--", "-img", "x"])).unwrap();
        assert_eq!(p.image, "-img");
        assert_eq!(p.image_index, 2);
        assert_eq!(to_args(&p), a(&["--rm", "--", "-img", "x"]));
    }

    #[test]
    fn errors() {
        let e = parse_args(&a(&["--bogus"])).unwrap_err();
        assert_eq!(e.message, "unknown flag: --bogus");
        assert_eq!(e.exit_code, 125);
        assert_eq!(
            parse_args(&a(&["-ix"])).unwrap_err().message,
            "unknown shorthand flag: 'x' in -x"
        );
        assert_eq!(
            parse_args(&a(&["-p"])).unwrap_err().message,
            "flag needs an argument: 'p' in -p"
        );
        assert_eq!(
            parse_args(&a(&["--name"])).unwrap_err().message,
            "flag needs an argument: --name"
        );
        let e = parse_args(&a(&[])).unwrap_err();
        assert_eq!(e.exit_code, 1);
        assert!(parse_args(&a(&["--help"])).is_ok());
    }
}
