//! Volume specifications: docker/cli's `loader.ParseVolume`, which `docker run -v` and Compose's
//! short volume syntax share.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
