//! Security options (`--security-opt`, Compose `security_opt`, `HostConfig.SecurityOpt`) as the
//! engine reads them (moby `parseSecurityOpt`).

use super::gocompat::parse_bool;

/// Splits a security option as the engine does: at the first `=` when there is one, else at the
/// first `:` (the deprecated separator). A bare option (`no-new-privileges`) has no value.
pub fn split(opt: &str) -> (&str, Option<&str>) {
    match opt.split_once('=').or_else(|| opt.split_once(':')) {
        Some((k, v)) => (k, Some(v)),
        None => (opt, None),
    }
}

/// What a `no-new-privileges` option sets: `Some(true)` for the bare option, else the value read
/// with Go's `strconv.ParseBool` (`no-new-privileges=0`, `no-new-privileges:True`…). `None` for
/// another option, and for a value the engine refuses (`no-new-privileges=yes`: the container is
/// not created at all).
pub fn no_new_privileges(opt: &str) -> Option<bool> {
    match split(opt) {
        ("no-new-privileges", None) => Some(true),
        ("no-new-privileges", Some(v)) => parse_bool(v).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_the_engine() {
        assert_eq!(split("seccomp=unconfined"), ("seccomp", Some("unconfined")));
        assert_eq!(split("seccomp:unconfined"), ("seccomp", Some("unconfined")));
        // `=` wins over an earlier `:`.
        assert_eq!(split("label=type:svirt_t"), ("label", Some("type:svirt_t")));
        assert_eq!(split("no-new-privileges"), ("no-new-privileges", None));
    }

    #[test]
    fn no_new_privileges_values_are_go_bools() {
        for on in [
            "no-new-privileges",
            "no-new-privileges=true",
            "no-new-privileges:1",
        ] {
            assert_eq!(no_new_privileges(on), Some(true), "{on}");
        }
        // Go's ParseBool also takes `t`, `T`, `True`, `TRUE`, `1` and their false forms.
        for on in [
            "no-new-privileges=t",
            "no-new-privileges:True",
            "no-new-privileges=TRUE",
        ] {
            assert_eq!(no_new_privileges(on), Some(true), "{on}");
        }
        for off in [
            "no-new-privileges=0",
            "no-new-privileges:f",
            "no-new-privileges=False",
        ] {
            assert_eq!(no_new_privileges(off), Some(false), "{off}");
        }
        // Refused by the engine: neither on nor off.
        assert_eq!(no_new_privileges("no-new-privileges=yes"), None);
        assert_eq!(no_new_privileges("no-new-privileges=tRUE"), None);
        assert_eq!(no_new_privileges("seccomp=unconfined"), None);
    }
}
