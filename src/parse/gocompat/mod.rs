//! Small re-implementations of the Go standard library behaviour that `docker run` relies on
//! (`strconv`, `time.ParseDuration`, `net.ParseIP`, `path.Clean`, `encoding/csv`), so that values
//! are accepted, rejected and reported exactly as the Docker CLI does.

pub mod json;

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// `strconv.Quote`.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_quoted_char(&mut out, c, '"');
    }
    out.push('"');
    out
}

/// `fmt.Sprintf("%q", c)` for a byte `c` (Go formats it as the rune U+00XX).
pub fn quote_byte_as_rune(b: u8) -> String {
    let c = char::from(b);
    let mut out = String::from("'");
    push_quoted_char(&mut out, c, '\'');
    out.push('\'');
    out
}

fn push_quoted_char(out: &mut String, c: char, delim: char) {
    match c {
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        '\\' => out.push_str("\\\\"),
        c if c == delim => {
            out.push('\\');
            out.push(c);
        }
        c if is_go_printable(c) => out.push(c),
        c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// Approximation of `strconv.IsPrint`: graphic characters and the ASCII space.
fn is_go_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let u = c as u32;
    // Format characters (Cf) and private use / noncharacters that Go treats as unprintable.
    !matches!(u,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0xE000..=0xF8FF
        | 0xFFFE | 0xFFFF | 0xF0000..=0x10FFFF)
}

/// The `quote` helper of Go's `time` package (used in duration errors).
pub fn time_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if (c as u32) >= 0x80 || c < ' ' {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        } else {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// A `strconv.NumError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumError {
    pub func: &'static str,
    pub num: String,
    pub range: bool,
}

impl NumError {
    fn syntax(func: &'static str, num: &str) -> Self {
        NumError {
            func,
            num: num.to_string(),
            range: false,
        }
    }
    fn range(func: &'static str, num: &str) -> Self {
        NumError {
            func,
            num: num.to_string(),
            range: true,
        }
    }
    /// The inner error (`invalid syntax` / `value out of range`).
    pub fn reason(&self) -> &'static str {
        if self.range {
            "value out of range"
        } else {
            "invalid syntax"
        }
    }
}

impl fmt::Display for NumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "strconv.{}: parsing {}: {}",
            self.func,
            quote(&self.num),
            self.reason()
        )
    }
}

fn underscore_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    let mut s = b;
    if !s.is_empty() && (s[0] == b'-' || s[0] == b'+') {
        s = &s[1..];
    }
    let mut hex = false;
    if s.len() >= 2 && s[0] == b'0' && matches!(s[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = s[1].eq_ignore_ascii_case(&b'x');
    }
    while i < s.len() {
        let c = s[i];
        if c.is_ascii_digit() || (hex && c.to_ascii_lowercase().is_ascii_hexdigit()) {
            saw = b'0';
            i += 1;
            continue;
        }
        if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
            i += 1;
            continue;
        }
        if saw == b'_' {
            return false;
        }
        saw = b'!';
        i += 1;
    }
    saw != b'_'
}

/// `strconv.ParseUint(s, base, bits)`; `base` 0 auto-detects `0x`, `0o`, `0b` and a leading `0`.
pub fn parse_uint(s: &str, base: u32, bits: u32) -> Result<u64, NumError> {
    parse_uint_fn(s, base, bits, "ParseUint")
}

fn parse_uint_fn(s0: &str, base: u32, bits: u32, func: &'static str) -> Result<u64, NumError> {
    if s0.is_empty() {
        return Err(NumError::syntax(func, s0));
    }
    let base0 = base == 0;
    let mut base = base;
    let mut s = s0.as_bytes();
    if base0 {
        base = 10;
        if s[0] == b'0' {
            if s.len() >= 3 && s[1].eq_ignore_ascii_case(&b'b') {
                base = 2;
                s = &s[2..];
            } else if s.len() >= 3 && s[1].eq_ignore_ascii_case(&b'o') {
                base = 8;
                s = &s[2..];
            } else if s.len() >= 3 && s[1].eq_ignore_ascii_case(&b'x') {
                base = 16;
                s = &s[2..];
            } else {
                base = 8;
                s = &s[1..];
            }
        }
    }
    let max_val: u64 = if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let cutoff = u64::MAX / u64::from(base) + 1;
    let mut underscores = false;
    let mut n: u64 = 0;
    for &c in s {
        let d = match c {
            b'_' if base0 => {
                underscores = true;
                continue;
            }
            b'0'..=b'9' => u32::from(c - b'0'),
            c if c.is_ascii_alphabetic() => u32::from(c.to_ascii_lowercase() - b'a') + 10,
            _ => return Err(NumError::syntax(func, s0)),
        };
        if d >= base {
            return Err(NumError::syntax(func, s0));
        }
        if n >= cutoff {
            return Err(NumError::range(func, s0));
        }
        n *= u64::from(base);
        let n1 = n.wrapping_add(u64::from(d));
        if n1 < n || n1 > max_val {
            return Err(NumError::range(func, s0));
        }
        n = n1;
    }
    if underscores && !underscore_ok(s0) {
        return Err(NumError::syntax(func, s0));
    }
    Ok(n)
}

/// `strconv.ParseInt(s, base, bits)`.
pub fn parse_int(s: &str, base: u32, bits: u32) -> Result<i64, NumError> {
    parse_int_fn(s, base, bits, "ParseInt")
}

fn parse_int_fn(s0: &str, base: u32, bits: u32, func: &'static str) -> Result<i64, NumError> {
    if s0.is_empty() {
        return Err(NumError::syntax(func, s0));
    }
    let (neg, s) = match s0.as_bytes()[0] {
        b'+' => (false, &s0[1..]),
        b'-' => (true, &s0[1..]),
        _ => (false, s0),
    };
    let un = match parse_uint_fn(s, base, bits, func) {
        Ok(v) => v,
        Err(e) if e.range => u64::MAX,
        Err(_) => return Err(NumError::syntax(func, s0)),
    };
    let cutoff: u64 = 1u64 << (bits - 1);
    if !neg && un >= cutoff {
        return Err(NumError::range(func, s0));
    }
    if neg && un > cutoff {
        return Err(NumError::range(func, s0));
    }
    if neg {
        Ok((un as i64).wrapping_neg())
    } else {
        Ok(un as i64)
    }
}

/// `strconv.Atoi` (base 10, no underscores, 64-bit int).
pub fn atoi(s: &str) -> Result<i64, NumError> {
    parse_int_fn(s, 10, 64, "Atoi")
}

/// `strconv.ParseBool`.
pub fn parse_bool(s: &str) -> Result<bool, NumError> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(NumError::syntax("ParseBool", s)),
    }
}

/// `strconv.ParseFloat(s, 64)` for the forms that can reach it from `docker run` values.
pub fn parse_float(s: &str) -> Result<f64, NumError> {
    let err = || NumError::syntax("ParseFloat", s);
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let neg = s.starts_with('-');
    let lower = body.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Ok(if neg {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    if lower == "nan" {
        return Ok(f64::NAN);
    }
    if let Some(hex) = lower.strip_prefix("0x") {
        let v = parse_hex_float(hex).ok_or_else(err)?;
        if v.is_infinite() {
            return Err(NumError::range("ParseFloat", s));
        }
        return Ok(if neg { -v } else { v });
    }
    // Decimal: digits with an optional point, then an optional exponent. No underscores.
    let b = body.as_bytes();
    let mut i = 0;
    let mut digits = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
        digits += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return Err(err());
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return Err(err());
        }
    }
    if i != b.len() {
        return Err(err());
    }
    let v: f64 = body.parse().map_err(|_| err())?;
    if v.is_infinite() {
        return Err(NumError::range("ParseFloat", s));
    }
    Ok(if neg { -v } else { v })
}

/// Hex mantissa with a mandatory binary exponent (`1.8p3`), underscores allowed between digits.
fn parse_hex_float(s: &str) -> Option<f64> {
    if !underscore_ok(&format!("0x{s}")) {
        return None;
    }
    let s: String = s.chars().filter(|c| *c != '_').collect();
    let (mant, exp) = s.split_once('p')?;
    let exp: i32 = {
        let (sign, digits) = match exp.as_bytes().first()? {
            b'+' => (1, &exp[1..]),
            b'-' => (-1, &exp[1..]),
            _ => (1, exp),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        sign * digits.parse::<i32>().unwrap_or(i32::MAX / 2)
    };
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in int.chars() {
        v = v * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in frac.chars() {
        v += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    Some(v * 2f64.powi(exp))
}

/// Go's float64 → int64 conversion on amd64 (out of range and NaN give `i64::MIN`).
pub fn f64_to_i64_amd64(v: f64) -> i64 {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2^63
    if v.is_nan() || !(-LIMIT..LIMIT).contains(&v) {
        i64::MIN
    } else {
        v as i64
    }
}

/// `time.ParseDuration`, in nanoseconds.
pub fn parse_duration(orig: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", time_quote(orig));
    let mut s = orig.as_bytes();
    let mut neg = false;
    if let Some(&c) = s.first()
        && (c == b'-' || c == b'+')
    {
        neg = c == b'-';
        s = &s[1..];
    }
    if s == b"0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    const LIMIT: u64 = 1 << 63;
    let mut d: u64 = 0;
    while !s.is_empty() {
        if !(s[0] == b'.' || s[0].is_ascii_digit()) {
            return Err(invalid());
        }
        // leading int
        let pl = s.len();
        let mut v: u64 = 0;
        let mut i = 0;
        while i < s.len() && s[i].is_ascii_digit() {
            if v > LIMIT / 10 {
                return Err(invalid());
            }
            v = v * 10 + u64::from(s[i] - b'0');
            if v > LIMIT {
                return Err(invalid());
            }
            i += 1;
        }
        s = &s[i..];
        let pre = pl != s.len();
        let mut post = false;
        let mut f: u64 = 0;
        let mut scale: f64 = 1.0;
        if !s.is_empty() && s[0] == b'.' {
            s = &s[1..];
            let pl = s.len();
            let mut i = 0;
            let mut overflow = false;
            while i < s.len() && s[i].is_ascii_digit() {
                if !overflow {
                    if f > (LIMIT - 1) / 10 {
                        overflow = true;
                    } else {
                        let y = f * 10 + u64::from(s[i] - b'0');
                        if y > LIMIT {
                            overflow = true;
                        } else {
                            f = y;
                            scale *= 10.0;
                        }
                    }
                }
                i += 1;
            }
            s = &s[i..];
            post = pl != s.len();
        }
        if !pre && !post {
            return Err(invalid());
        }
        let mut i = 0;
        while i < s.len() && !(s[i] == b'.' || s[i].is_ascii_digit()) {
            i += 1;
        }
        if i == 0 {
            return Err(format!(
                "time: missing unit in duration {}",
                time_quote(orig)
            ));
        }
        let u = &s[..i];
        s = &s[i..];
        let unit: u64 = match u {
            b"ns" => 1,
            b"us" => 1_000,
            b"\xc2\xb5s" | b"\xce\xbcs" => 1_000,
            b"ms" => 1_000_000,
            b"s" => 1_000_000_000,
            b"m" => 60_000_000_000,
            b"h" => 3_600_000_000_000,
            _ => {
                let u = String::from_utf8_lossy(u);
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    time_quote(&u),
                    time_quote(orig)
                ));
            }
        };
        if v > LIMIT / unit {
            return Err(invalid());
        }
        v *= unit;
        if f > 0 {
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > LIMIT {
                return Err(invalid());
            }
        }
        d += v;
        if d > LIMIT {
            return Err(invalid());
        }
    }
    if neg {
        return Ok((d as i64).wrapping_neg());
    }
    if d > LIMIT - 1 {
        return Err(invalid());
    }
    Ok(d as i64)
}

/// `net.ParseIP`: IPv4 dotted decimal (no leading zeros) or IPv6 (no zone).
pub fn parse_ip(s: &str) -> Option<IpAddr> {
    if let Ok(v4) = s.parse::<Ipv4Addr>() {
        return Some(IpAddr::V4(v4));
    }
    if s.contains(':')
        && let Ok(v6) = s.parse::<Ipv6Addr>()
    {
        return Some(IpAddr::V6(v6));
    }
    None
}

/// `net.IP.String()`: IPv4 and IPv4-mapped addresses in dotted form, IPv6 per RFC 5952.
pub fn ip_string(ip: &IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => v6.to_string(),
        },
    }
}

/// `net.ParseMAC` validity (EUI-48, EUI-64 and 20-octet InfiniBand, `:`/`-`/`.` forms).
pub fn valid_mac(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 14 {
        return false;
    }
    let hex2 = |x: &[u8]| x.len() == 2 && x.iter().all(u8::is_ascii_hexdigit);
    if b[2] == b':' || b[2] == b'-' {
        if !(b.len() + 1).is_multiple_of(3) {
            return false;
        }
        let n = (b.len() + 1) / 3;
        if n != 6 && n != 8 && n != 20 {
            return false;
        }
        let sep = b[2];
        for (i, chunk) in b.chunks(3).enumerate() {
            if !hex2(&chunk[..2]) {
                return false;
            }
            if chunk.len() == 3 && chunk[2] != sep {
                return false;
            }
            let _ = i;
        }
        true
    } else if b[4] == b'.' {
        if !(b.len() + 1).is_multiple_of(5) {
            return false;
        }
        let n = 2 * (b.len() + 1) / 5;
        if n != 6 && n != 8 && n != 20 {
            return false;
        }
        for chunk in b.chunks(5) {
            if !(chunk[..4].iter().all(u8::is_ascii_hexdigit)) {
                return false;
            }
            if chunk.len() == 5 && chunk[4] != b'.' {
                return false;
            }
        }
        true
    } else {
        false
    }
}

/// `path.Clean`.
pub fn path_clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// `filepath.Abs` on Unix: join with the working directory and clean.
pub fn path_abs(p: &str, cwd: &std::path::Path) -> String {
    if p.starts_with('/') {
        return path_clean(p);
    }
    path_clean(&format!("{}/{}", cwd.to_string_lossy(), p))
}

/// The Go text of an OS error (`no such file or directory`).
pub fn os_error_text(e: &std::io::Error) -> String {
    if let Some(code) = e.raw_os_error() {
        let known = match code {
            1 => Some("operation not permitted"),
            2 => Some("no such file or directory"),
            5 => Some("input/output error"),
            13 => Some("permission denied"),
            20 => Some("not a directory"),
            21 => Some("is a directory"),
            24 => Some("too many open files"),
            36 => Some("file name too long"),
            40 => Some("too many levels of symbolic links"),
            _ => None,
        };
        if let Some(k) = known {
            return k.into();
        }
    }
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::IsADirectory => "is a directory".into(),
        _ => {
            let s = e.to_string();
            let s = match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            };
            let mut c = s.chars();
            match c.next() {
                Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
                None => s,
            }
        }
    }
}

/// `encoding/csv`: reads the first record of `input` with the default reader settings.
/// The error text is Go's (`parse error on line 1, column 5: bare " in non-quoted-field`, `EOF`).
pub fn csv_first_record(input: &str) -> Result<Vec<String>, String> {
    let mut lines = LineReader {
        data: input.as_bytes(),
        pos: 0,
        num_line: 0,
    };
    // Skip empty lines.
    let mut line = loop {
        let (line, eof) = lines.read_line();
        if eof {
            return Err("EOF".into());
        }
        if line.len() == length_nl(&line) {
            continue;
        }
        break line;
    };
    let rec_line = lines.num_line;
    let mut pos_line = lines.num_line;
    let mut col: usize = 1;
    let mut buf: Vec<u8> = Vec::new();
    let mut fields: Vec<usize> = Vec::new();
    let err = |start: usize, line: usize, col: usize, what: &str| {
        if start != line {
            format!("record on line {start}; parse error on line {line}, column {col}: {what}")
        } else {
            format!("parse error on line {line}, column {col}: {what}")
        }
    };
    const BARE: &str = "bare \" in non-quoted-field";
    const QUOTE: &str = "extraneous or missing \" in quoted-field";
    let mut rest: &[u8];
    let mut owned = std::mem::take(&mut line);
    rest = &owned[..];
    'field: loop {
        if rest.is_empty() || rest[0] != b'"' {
            let i = rest.iter().position(|&b| b == b',');
            let field = match i {
                Some(i) => &rest[..i],
                None => &rest[..rest.len() - length_nl(rest)],
            };
            if let Some(j) = field.iter().position(|&b| b == b'"') {
                return Err(err(rec_line, lines.num_line, col + j, BARE));
            }
            buf.extend_from_slice(field);
            fields.push(buf.len());
            match i {
                Some(i) => {
                    rest = &rest[i + 1..];
                    col += i + 1;
                    continue 'field;
                }
                None => break 'field,
            }
        } else {
            rest = &rest[1..];
            col += 1;
            loop {
                if let Some(i) = rest.iter().position(|&b| b == b'"') {
                    buf.extend_from_slice(&rest[..i]);
                    rest = &rest[i + 1..];
                    col += i + 1;
                    match rest.first() {
                        Some(b'"') => {
                            buf.push(b'"');
                            rest = &rest[1..];
                            col += 1;
                        }
                        Some(b',') => {
                            rest = &rest[1..];
                            col += 1;
                            fields.push(buf.len());
                            continue 'field;
                        }
                        _ if length_nl(rest) == rest.len() => {
                            fields.push(buf.len());
                            break 'field;
                        }
                        _ => {
                            return Err(err(rec_line, lines.num_line, col - 1, QUOTE));
                        }
                    }
                } else if !rest.is_empty() {
                    buf.extend_from_slice(rest);
                    col += rest.len();
                    let (next, _) = lines.read_line();
                    if !next.is_empty() {
                        pos_line += 1;
                        col = 1;
                    }
                    owned = next;
                    rest = &owned[..];
                } else {
                    return Err(err(rec_line, pos_line, col, QUOTE));
                }
            }
        }
    }
    let mut out = Vec::with_capacity(fields.len());
    let mut prev = 0;
    for idx in fields {
        out.push(String::from_utf8_lossy(&buf[prev..idx]).into_owned());
        prev = idx;
    }
    Ok(out)
}

fn length_nl(b: &[u8]) -> usize {
    usize::from(b.last() == Some(&b'\n'))
}

struct LineReader<'a> {
    data: &'a [u8],
    pos: usize,
    num_line: usize,
}

impl LineReader<'_> {
    /// Returns the next line with its `\n` (normalised from `\r\n`) and whether EOF was hit with
    /// nothing read.
    fn read_line(&mut self) -> (Vec<u8>, bool) {
        if self.pos >= self.data.len() {
            self.num_line += 1;
            return (Vec::new(), true);
        }
        let rest = &self.data[self.pos..];
        let mut line = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => rest[..=i].to_vec(),
            None => {
                let mut l = rest.to_vec();
                if l.last() == Some(&b'\r') {
                    l.pop();
                }
                l
            }
        };
        self.pos += match rest.iter().position(|&b| b == b'\n') {
            Some(i) => i + 1,
            None => rest.len(),
        };
        self.num_line += 1;
        let n = line.len();
        if n >= 2 && line[n - 2] == b'\r' && line[n - 1] == b'\n' {
            line.truncate(n - 1);
            line[n - 2] = b'\n';
        }
        (line, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_matches_go() {
        assert_eq!(quote("a\"b\\c\n"), r#""a\"b\\c\n""#);
        assert_eq!(quote("é\u{7f}\u{200b}"), "\"é\\x7f\\u200b\"");
        assert_eq!(quote_byte_as_rune(b'x'), "'x'");
        assert_eq!(quote_byte_as_rune(0xc3), "'Ã'");
        assert_eq!(quote_byte_as_rune(b'\''), "'\\''");
        assert_eq!(time_quote("5µ"), "\"5\\xc2\\xb5\"");
    }

    #[test]
    fn integers_detect_the_base() {
        assert_eq!(parse_int("0x10", 0, 64), Ok(16));
        assert_eq!(parse_int("0o10", 0, 64), Ok(8));
        assert_eq!(parse_int("010", 0, 64), Ok(8));
        assert_eq!(parse_int("0b10", 0, 64), Ok(2));
        assert_eq!(parse_int("1_000", 0, 64), Ok(1000));
        assert_eq!(parse_int("-0x_10", 0, 64), Ok(-16));
        assert_eq!(parse_int("0", 0, 64), Ok(0));
        assert_eq!(parse_int("-9223372036854775808", 0, 64), Ok(i64::MIN));
        assert!(parse_int("9223372036854775808", 0, 64).unwrap_err().range);
        assert!(!parse_int("1__0", 0, 64).unwrap_err().range);
        assert!(!parse_int("_10", 0, 64).unwrap_err().range);
        assert!(!parse_int("10_", 0, 64).unwrap_err().range);
        assert!(!parse_int("0x", 0, 64).unwrap_err().range);
        assert!(!parse_int("08", 0, 64).unwrap_err().range);
        assert_eq!(
            parse_int("abc", 0, 64).unwrap_err().to_string(),
            "strconv.ParseInt: parsing \"abc\": invalid syntax"
        );
        assert_eq!(parse_uint("65535", 0, 16), Ok(65535));
        assert_eq!(
            parse_uint("65536", 0, 16).unwrap_err().to_string(),
            "strconv.ParseUint: parsing \"65536\": value out of range"
        );
        assert!(parse_uint("-1", 0, 64).is_err());
        assert!(parse_uint("+1", 0, 64).is_err());
        assert_eq!(atoi("+12"), Ok(12));
        assert!(atoi("1_0").is_err());
        assert!(atoi("0x1").is_err());
    }

    #[test]
    fn bools_and_floats() {
        for t in ["1", "t", "T", "TRUE", "true", "True"] {
            assert_eq!(parse_bool(t), Ok(true));
        }
        for f in ["0", "f", "F", "FALSE", "false", "False"] {
            assert_eq!(parse_bool(f), Ok(false));
        }
        assert!(parse_bool("yes").is_err());
        assert!(parse_bool("tRUE").is_err());
        assert_eq!(parse_float("1.5"), Ok(1.5));
        assert_eq!(parse_float(".5"), Ok(0.5));
        assert_eq!(parse_float("5."), Ok(5.0));
        assert_eq!(parse_float("1e3"), Ok(1000.0));
        assert_eq!(parse_float("0x1p4"), Ok(16.0));
        assert!(parse_float("1_0").is_err());
        assert!(parse_float(".").is_err());
        assert!(parse_float("").is_err());
        assert!(parse_float("1e400").unwrap_err().range);
    }

    #[test]
    fn durations_follow_go() {
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000_000_000));
        assert_eq!(parse_duration("300ms"), Ok(300_000_000));
        assert_eq!(parse_duration("1.5s"), Ok(1_500_000_000));
        assert_eq!(parse_duration("2us"), Ok(2_000));
        assert_eq!(parse_duration("2µs"), Ok(2_000));
        assert_eq!(parse_duration("2μs"), Ok(2_000));
        assert_eq!(parse_duration("0"), Ok(0));
        assert_eq!(parse_duration("-0"), Ok(0));
        assert_eq!(parse_duration("-1s"), Ok(-1_000_000_000));
        assert_eq!(parse_duration(".5h"), Ok(1_800_000_000_000));
        assert_eq!(
            parse_duration("5"),
            Err("time: missing unit in duration \"5\"".into())
        );
        assert_eq!(
            parse_duration("5x"),
            Err("time: unknown unit \"x\" in duration \"5x\"".into())
        );
        assert_eq!(
            parse_duration(""),
            Err("time: invalid duration \"\"".into())
        );
        assert_eq!(
            parse_duration(".s"),
            Err("time: invalid duration \".s\"".into())
        );
        assert!(parse_duration("9999999999h").is_err());
    }

    #[test]
    fn ips_format_like_go() {
        let ip = parse_ip("0:0::1").unwrap();
        assert_eq!(ip_string(&ip), "::1");
        assert_eq!(ip_string(&parse_ip("::ffff:1.2.3.4").unwrap()), "1.2.3.4");
        assert!(parse_ip("01.2.3.4").is_none());
        assert!(parse_ip("fe80::1%eth0").is_none());
        assert!(parse_ip("1.2.3").is_none());
        assert!(valid_mac("92:d0:c6:0a:29:33"));
        assert!(valid_mac("92-d0-c6-0a-29-33"));
        assert!(valid_mac("92d0.c60a.2933"));
        assert!(!valid_mac("zz"));
        assert!(!valid_mac("92:d0:c6:0a:29"));
    }

    #[test]
    fn paths_clean_like_go() {
        assert_eq!(path_clean("/a/./b/../c/"), "/a/c");
        assert_eq!(path_clean("a/../.."), "..");
        assert_eq!(path_clean(""), ".");
        assert_eq!(path_clean("/.."), "/");
        assert_eq!(
            path_abs("./x/../y", std::path::Path::new("/work")),
            "/work/y"
        );
    }

    #[test]
    fn csv_matches_go() {
        assert_eq!(
            csv_first_record(r#"a,"b,c",d"#).unwrap(),
            vec!["a", "b,c", "d"]
        );
        assert_eq!(csv_first_record(r#""a""b""#).unwrap(), vec!["a\"b"]);
        assert_eq!(csv_first_record("a,").unwrap(), vec!["a", ""]);
        assert_eq!(csv_first_record("\n\na\nb").unwrap(), vec!["a"]);
        assert_eq!(csv_first_record("a\r\nb").unwrap(), vec!["a"]);
        assert_eq!(csv_first_record("x\r").unwrap(), vec!["x"]);
        assert_eq!(csv_first_record("").unwrap_err(), "EOF");
        assert_eq!(
            csv_first_record("type=bind,src=a\"b").unwrap_err(),
            "parse error on line 1, column 16: bare \" in non-quoted-field"
        );
        assert_eq!(
            csv_first_record("\"type=bind\"x,src=ab").unwrap_err(),
            "parse error on line 1, column 11: extraneous or missing \" in quoted-field"
        );
        assert_eq!(
            csv_first_record("\"type=bind").unwrap_err(),
            "parse error on line 1, column 11: extraneous or missing \" in quoted-field"
        );
        assert_eq!(
            csv_first_record("\n\ntype=bind,\"a\nb\"x").unwrap_err(),
            "record on line 3; parse error on line 4, column 2: extraneous or missing \" in quoted-field"
        );
        assert_eq!(
            csv_first_record("éé\"").unwrap_err(),
            "parse error on line 1, column 5: bare \" in non-quoted-field"
        );
        assert_eq!(
            csv_first_record("\"éé").unwrap_err(),
            "parse error on line 1, column 6: extraneous or missing \" in quoted-field"
        );
        assert_eq!(csv_first_record("\"a\nb\"").unwrap(), vec!["a\nb"]);
    }
}
