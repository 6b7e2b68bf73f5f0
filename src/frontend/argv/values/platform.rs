//! `--platform`: containerd `platforms.Parse` + `Format`.

use crate::parse::gocompat::quote;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
