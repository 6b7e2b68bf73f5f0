//! Image references, parsed once: distribution/reference v0.6.0 as the Docker CLI 28 uses it.
//!
//! Every door reads image references through this module: `docker run` validates its image with
//! [`parse_image_reference`] (docker's error texts), the engine client pulls what
//! [`Reference::parse`] names, rules ask [`parse_any`] whether an image is pinned, and presets
//! compare [`familiar_repository`] names. [`split`] cuts a reference as written (for messages that
//! quote the user's own text); the normalising parsers are built on it.
//!
//! ```text
//! registry.example:443/team/app:1.2@sha256:…
//! └──── domain ──────┘└─ path ─┘ └tag┘└digest┘
//! ```
//! The domain is the first component when it has a `.` or a `:`, is `localhost`, or has an upper
//! case letter; otherwise it is `docker.io`, and a one-component path gets `library/`.

/// A named reference, normalised (`busybox` → `docker.io/library/busybox`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// Registry host (`docker.io`, `localhost:5000`).
    pub domain: String,
    /// Repository path (`library/busybox`).
    pub path: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

/// What `ParseAnyReference` finds: a name, or an image ID / bare digest (`sha256:…`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnyReference {
    Named(Reference),
    /// `sha256:<64 hex>` (an image ID is given the `sha256:` prefix).
    Digest(String),
}

impl AnyReference {
    /// Refers to one immutable image (a digest, an image ID, or a name with a digest).
    pub fn is_pinned(&self) -> bool {
        match self {
            AnyReference::Digest(_) => true,
            AnyReference::Named(r) => r.digest.is_some(),
        }
    }
}

impl Reference {
    /// A named reference (`ParseNormalizedNamed`); `None` for image IDs, bare digests and what
    /// docker refuses.
    pub fn parse(image: &str) -> Option<Reference> {
        match parse_any(image) {
            Ok(AnyReference::Named(r)) => Some(r),
            _ => None,
        }
    }

    /// `docker.io/library/busybox` (what `fromImage` takes).
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }

    /// `FamiliarName`: `busybox`, `bitnami/redis`, `localhost:5000/app`.
    pub fn familiar_name(&self) -> String {
        familiarize(&self.domain, &self.path)
    }

    /// The familiar form with the implied `:latest` (`busybox:latest`), as the CLI prints it
    /// (`FamiliarString(TagNameOnly(ref))`).
    pub fn familiar(&self) -> String {
        let mut name = self.familiar_name();
        if let Some(d) = &self.digest {
            if let Some(t) = &self.tag {
                name.push_str(&format!(":{t}"));
            }
            name.push_str(&format!("@{d}"));
        } else {
            name.push_str(&format!(":{}", self.tag.as_deref().unwrap_or("latest")));
        }
        name
    }

    /// Tag or digest to pull.
    pub fn pull_tag(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => d.clone(),
            (None, Some(t)) => t.clone(),
            (None, None) => "latest".into(),
        }
    }
}

/// A reference cut as written, without normalising or validating it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parts<'a> {
    /// `[registry/]repository` as written (`localhost:5000/app`, `nginx`).
    pub repository: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

/// Cuts `registry:5000/app:1.2@sha256:…` as the reference grammar does: the digest follows the
/// first `@`, the tag is the last `:` with no `/` after it (a `:` before a `/` is a port).
pub fn split(image: &str) -> Parts<'_> {
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    match name.rfind(':') {
        Some(i) if !name[i..].contains('/') => Parts {
            repository: &name[..i],
            tag: Some(&name[i + 1..]),
            digest,
        },
        _ => Parts {
            repository: name,
            tag: None,
            digest,
        },
    }
}

/// `docker.io/library/nginx` → `nginx`, `index.docker.io/bitnami/x` → `bitnami/x`: the familiar
/// form of a repository name, normalised like a reference but not validated (so that patterns
/// such as `*/cadvisor` keep their wildcards).
pub fn familiar_repository(name: &str) -> String {
    let (domain, path) = split_docker_domain(name);
    familiarize(&domain, &path)
}

/// `familiarizeName`: no `docker.io/`, no `library/` before a one-component path.
fn familiarize(domain: &str, path: &str) -> String {
    if domain != "docker.io" {
        return format!("{domain}/{path}");
    }
    match path.strip_prefix("library/") {
        Some(rest) if !rest.contains('/') => rest.to_string(),
        _ => path.to_string(),
    }
}

fn is_hex64(x: &str) -> bool {
    x.len() == 64 && x.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

/// `ParseAnyReference`: an image ID (64 hex), a bare digest, or a normalised name; `Err` with
/// docker's text.
pub fn parse_any(s: &str) -> Result<AnyReference, String> {
    match bare_digest(s) {
        Some(d) => Ok(AnyReference::Digest(d)),
        None => parse_normalized_named(s).map(AnyReference::Named),
    }
}

/// What `ParseAnyReference` reads first: an image ID (64 hex, as `sha256:…`) or a bare digest.
/// Without an `@`, nothing else it accepts carries a digest.
pub fn bare_digest(s: &str) -> Option<String> {
    if is_hex64(s) {
        return Some(format!("sha256:{s}"));
    }
    match s.split_once(':') {
        Some((alg, _)) if !alg.is_empty() && validate_digest(s).is_ok() => Some(s.to_string()),
        _ => None,
    }
}

/// `ParseAnyReference` as `docker run` uses it: `Ok(true)` for a named reference (pullable),
/// `Ok(false)` for an image ID or digest, `Err` with docker's text.
pub fn parse_image_reference(s: &str) -> Result<bool, String> {
    parse_any(s).map(|r| matches!(r, AnyReference::Named(_)))
}

/// `ParseNormalizedNamed`.
pub fn parse_normalized_named(s: &str) -> Result<Reference, String> {
    if is_hex64(s) {
        return Err(format!(
            "invalid repository name ({s}), cannot specify 64-byte hexadecimal strings"
        ));
    }
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
    let Some((path, tag, digest)) = match_reference(&full) else {
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
    if let Some(d) = &digest {
        validate_digest(d)?;
    }
    Ok(Reference {
        domain,
        path,
        tag,
        digest,
    })
}

/// `splitDockerDomain`.
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

/// Anchored `ReferenceRegexp`: the remote-name part (path), the tag and the digest, when it
/// matches.
fn match_reference(s: &str) -> Option<(String, Option<String>, Option<String>)> {
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
        return Some((path, None, digest));
    }
    let (name, tag) = name_tag.rsplit_once(':')?;
    if !tag_pat(tag) {
        return None;
    }
    name_pat(name).map(|p| (p, Some(tag.to_string()), digest))
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

    #[test]
    fn references_normalise_like_docker() {
        let r = Reference::parse("busybox").unwrap();
        assert_eq!(r.full_name(), "docker.io/library/busybox");
        assert_eq!(r.familiar(), "busybox:latest");
        assert_eq!(r.pull_tag(), "latest");
        let r = Reference::parse("localhost:5000/app:1.2").unwrap();
        assert_eq!(
            (r.domain.as_str(), r.path.as_str()),
            ("localhost:5000", "app")
        );
        assert_eq!(r.familiar(), "localhost:5000/app:1.2");
        let hex = "0123456789abcdef".repeat(4);
        let r = Reference::parse(&format!("registry.example:443/a/b@sha256:{hex}")).unwrap();
        assert_eq!(
            (r.domain.as_str(), r.path.as_str(), r.tag.as_deref()),
            ("registry.example:443", "a/b", None)
        );
        assert_eq!(r.pull_tag(), format!("sha256:{hex}"));
        assert_eq!(
            r.familiar(),
            format!("registry.example:443/a/b@sha256:{hex}")
        );
        let r = Reference::parse("index.docker.io/bitnami/redis:7").unwrap();
        assert_eq!(r.full_name(), "docker.io/bitnami/redis");
        assert_eq!(r.familiar(), "bitnami/redis:7");
        // `localhost:5000` alone is the Docker Hub image `localhost` with the tag `5000`.
        let r = Reference::parse("localhost:5000").unwrap();
        assert_eq!(
            (r.full_name().as_str(), r.tag.as_deref()),
            ("docker.io/library/localhost", Some("5000"))
        );
        assert_eq!(Reference::parse("Upper"), None);
        assert_eq!(Reference::parse(&hex), None);
        assert_eq!(Reference::parse(&format!("sha256:{hex}")), None);
        assert_eq!(
            parse_any(&hex),
            Ok(AnyReference::Digest(format!("sha256:{hex}")))
        );
        assert!(parse_any(&format!("sha256:{hex}")).unwrap().is_pinned());
    }

    #[test]
    fn where_the_old_parsers_disagreed() {
        // The engine client's own parser refused any upper-case letter, so `docker run
        // Example.com/app` said "No such image" where docker pulls from the registry
        // `Example.com` (an upper-case first component is a domain).
        let r = Reference::parse("Example.com/app").unwrap();
        assert_eq!((r.domain.as_str(), r.path.as_str()), ("Example.com", "app"));
        // ... and it took `sha256:abc` for an image ID; docker reads the Hub image `sha256`
        // with the tag `abc` (only `sha256:` + 64 hex is a digest).
        let r = Reference::parse("sha256:abc").unwrap();
        assert_eq!(
            (r.full_name().as_str(), r.tag.as_deref()),
            ("docker.io/library/sha256", Some("abc"))
        );
        // ... and pulled `app@sha256:abc`, which docker refuses.
        assert_eq!(Reference::parse("app@sha256:abc"), None);
        // Presets dropped `library/` before a nested path: on Docker Hub
        // `library/foo/bar` is not `foo/bar` (distribution's familiarizeName keeps it).
        assert_eq!(
            familiar_repository("docker.io/library/foo/bar"),
            "library/foo/bar"
        );
        assert_eq!(familiar_repository("docker.io/library/nginx"), "nginx");
        assert_eq!(familiar_repository("index.docker.io/nginx"), "nginx");
        assert_eq!(familiar_repository("library/nginx"), "nginx");
        assert_eq!(
            familiar_repository("localhost:5000/app"),
            "localhost:5000/app"
        );
        assert_eq!(familiar_repository("*/cadvisor"), "*/cadvisor");
    }

    #[test]
    fn split_keeps_the_text_as_written() {
        let hex = "0123456789abcdef".repeat(4);
        let image = format!("localhost:5000/team/app:1.2@sha256:{hex}");
        let p = split(&image);
        assert_eq!(p.repository, "localhost:5000/team/app");
        assert_eq!(p.tag, Some("1.2"));
        assert_eq!(p.digest, Some(format!("sha256:{hex}").as_str()));
        assert_eq!(split("localhost:5000/app").tag, None);
        assert_eq!(split("app:latest").tag, Some("latest"));
    }
}
