//! Volume specifications: docker/cli's `loader.ParseVolume` (compose-go's `format.ParseVolume` is
//! the same), which `docker run -v` and Compose's short volume syntax share, and the engine's
//! reading of a `HostConfig.Binds` entry.

/// A volume specification, split.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VolumeSpec {
    /// Empty for an anonymous volume.
    pub source: String,
    pub target: String,
    /// `bind` when the source looks like a file path, else `volume`.
    pub typ: &'static str,
    /// `ro` among the options (a later `rw` undoes it).
    pub read_only: bool,
    /// A bind propagation among the options (`rshared`, `slave`, …).
    pub propagation: Option<String>,
}

/// The bind propagation modes (`mount.Propagations`).
pub const PROPAGATIONS: [&str; 6] = [
    "rprivate", "private", "rshared", "shared", "rslave", "slave",
];

/// Reads the options of the last section (`ro,rslave`): unknown ones are ignored, as the loader
/// ignores them.
fn read_options(v: &mut VolumeSpec, options: &str) {
    for option in options.split(',') {
        match option {
            "ro" => v.read_only = true,
            "rw" => v.read_only = false,
            o if PROPAGATIONS.contains(&o) => v.propagation = Some(o.to_string()),
            _ => {}
        }
    }
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
    // Sections between colons, as byte ranges of `spec` (a NUL ends one too, as the end does).
    // Both are ASCII, so no byte of a longer character is taken for one.
    let bytes = spec.as_bytes();
    let mut start = 0;
    for i in 0..=bytes.len() {
        let c = bytes.get(i).copied().unwrap_or(b'\0');
        if c != b':' && c != b'\0' {
            continue;
        }
        let section = &spec[start..i];
        if c == b':' {
            let mut chars = section.chars();
            if chars.next().is_some_and(char::is_alphabetic) && chars.next().is_none() {
                continue; // a Windows drive (`C:`): the colon is part of the section
            }
        }
        let res: Result<(), &str> = if section.is_empty() {
            Err("empty section between colons")
        } else if v.source.is_empty() && c == b'\0' {
            v.target = section.to_string();
            Ok(())
        } else if v.source.is_empty() {
            v.source = section.to_string();
            Ok(())
        } else if v.target.is_empty() {
            v.target = section.to_string();
            Ok(())
        } else if c == b':' {
            Err("too many colons")
        } else {
            read_options(&mut v, section);
            Ok(())
        };
        if let Err(e) = res {
            return Err(format!("invalid spec: {spec}: {e}"));
        }
        start = i + 1;
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

/// A `HostConfig.Binds` entry (`src:dst[:opts]`) as the engine reads it: an absolute source is a
/// bind, anything else a named volume. `None` without a target.
pub fn parse_bind(spec: &str) -> Option<VolumeSpec> {
    let parts: Vec<&str> = spec.splitn(3, ':').collect();
    if parts.len() < 2 {
        return None;
    }
    let mut v = VolumeSpec {
        source: parts[0].to_string(),
        target: parts[1].to_string(),
        typ: if parts[0].starts_with('/') {
            "bind"
        } else {
            "volume"
        },
        ..Default::default()
    };
    if let Some(options) = parts.get(2) {
        read_options(&mut v, options);
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sections found on byte ranges give what collecting them char by char gave.
    #[test]
    fn volume_sections_as_char_by_char() {
        fn by_chars(spec: &str) -> Result<VolumeSpec, String> {
            let mut v = VolumeSpec {
                typ: "volume",
                ..Default::default()
            };
            if spec.is_empty() || spec.len() <= 2 {
                return parse_volume(spec);
            }
            let mut buffer: Vec<char> = Vec::new();
            for c in spec.chars().chain(std::iter::once('\0')) {
                if c == ':' && buffer.len() == 1 && buffer[0].is_alphabetic() {
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
                        read_options(&mut v, &s);
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
        for spec in [
            "/h:/c:ro",
            "C:\\data:D:\\c",
            "c:/x:/y:rw,rshared",
            "é:/x",
            "éé:/x:ro",
            "a:b:c:d",
            "::",
            "a::b",
            ":abc",
            "abc:",
            "a\0bc:/d",
            "vol:/data:nocopy,ro",
            "./rel:/app",
            "~/x:/y:z",
            "\\\\srv\\share:/m",
            "abc",
            "x:y",
        ] {
            assert_eq!(parse_volume(spec), by_chars(spec), "{spec:?}");
        }
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
    fn options_and_binds() {
        let v = parse_volume("/:/host:ro,rslave").unwrap();
        assert!(v.read_only);
        assert_eq!(v.propagation.as_deref(), Some("rslave"));
        assert!(!parse_volume("data:/d:ro,rw").unwrap().read_only);
        let b = parse_bind("/:/host:ro,rslave").unwrap();
        assert_eq!((b.typ, b.read_only), ("bind", true));
        assert_eq!(b.propagation.as_deref(), Some("rslave"));
        let b = parse_bind("data:/var/lib/x").unwrap();
        assert_eq!((b.typ, b.read_only), ("volume", false));
        assert!(parse_bind("/only").is_none());
    }
}
