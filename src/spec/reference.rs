//! Image references: distribution/reference as the Docker CLI uses it.

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
}
