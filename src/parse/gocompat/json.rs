//! Go's `encoding/json` scanner, the crate's one reader of Go's JSON grammar (issue 13).
//!
//! - [`scan_first_value`]: the first value of a body as `json.Decoder.Decode` checks it before
//!   decoding anything (the proxy's body reader, `crate::proxy::body`).
//! - [`json_compact`]: Go's `json.Compact` (`docker run --security-opt seccomp=…`).
//! - [`unquote`]: Go's string unquoting (escapes, surrogates, invalid UTF-8).
//!
//! Written from Go's `encoding/json/scanner.go` and `decode.go` (`unquoteBytes`); the context
//! strings of the messages are Go's. Iterative (no recursion), nesting limited to 10,000 as in
//! Go ≥ 1.15 ("exceeded max depth").

/// Go's `maxNestingDepth`.
pub const MAX_DEPTH: usize = 10_000;

/// Why the first value could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanError {
    /// Nothing but white space: Go's `io.EOF` ("EOF").
    Eof,
    /// The body ended inside the value: `io.ErrUnexpectedEOF` ("unexpected EOF").
    UnexpectedEof,
    /// Go's `SyntaxError` message.
    Syntax(String),
}

/// JSON white space as Go's scanner has it.
pub fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// Go's `quoteChar`: how a syntax error names the offending byte (`strconv.Quote` of the byte
/// as a rune, between single quotes).
pub fn quote_char(c: u8) -> String {
    // `'\''` and `'"'` as Go special-cases them: quoting with `'` as the delimiter gives both.
    super::quote_byte_as_rune(c)
}

fn err(c: u8, context: &str) -> ScanError {
    ScanError::Syntax(format!("invalid character {} {context}", quote_char(c)))
}

/// Check the first JSON value of `data` the way `json.Decoder.Decode` does. Returns the offset
/// just past that value (white space before it skipped; what follows it is not looked at,
/// except that a top-level scalar must be followed by white space or the end).
pub fn scan_first_value(data: &[u8]) -> Result<usize, ScanError> {
    let n = data.len();
    let mut i = 0;
    let ws = |i: &mut usize| {
        while *i < n && is_space(data[*i]) {
            *i += 1;
        }
    };
    ws(&mut i);
    if i == n {
        return Err(ScanError::Eof);
    }
    // Stack of open containers: b'{' or b'['.
    let mut stack: Vec<u8> = Vec::new();
    'value: loop {
        // Expecting the beginning of a value at i (white space already skipped).
        let Some(&c) = data.get(i) else {
            return Err(ScanError::UnexpectedEof);
        };
        let mut scalar = false;
        match c {
            b'{' => {
                stack.push(b'{');
                if stack.len() > MAX_DEPTH {
                    return Err(err(c, "exceeded max depth"));
                }
                i += 1;
                ws(&mut i);
                match data.get(i) {
                    None => return Err(ScanError::UnexpectedEof),
                    Some(b'}') => {
                        stack.pop();
                        i += 1;
                    }
                    Some(b'"') => {
                        i = object_key(data, i)?;
                        continue 'value;
                    }
                    Some(&c) => return Err(err(c, "looking for beginning of object key string")),
                }
            }
            b'[' => {
                stack.push(b'[');
                if stack.len() > MAX_DEPTH {
                    return Err(err(c, "exceeded max depth"));
                }
                i += 1;
                ws(&mut i);
                match data.get(i) {
                    None => return Err(ScanError::UnexpectedEof),
                    Some(b']') => {
                        stack.pop();
                        i += 1;
                    }
                    Some(_) => continue 'value,
                }
            }
            b'"' => {
                i = string(data, i)?;
                scalar = true;
            }
            b'-' | b'0'..=b'9' => {
                i = number(data, i, stack.is_empty())?;
                scalar = true;
            }
            b't' => {
                i = literal(data, i, b"true")?;
                scalar = true;
            }
            b'f' => {
                i = literal(data, i, b"false")?;
                scalar = true;
            }
            b'n' => {
                i = literal(data, i, b"null")?;
                scalar = true;
            }
            _ => return Err(err(c, "looking for beginning of value")),
        }
        // After a value.
        loop {
            let Some(&top) = stack.last() else {
                if scalar
                    && let Some(&c) = data.get(i)
                    && !is_space(c)
                {
                    return Err(err(c, "after top-level value"));
                }
                return Ok(i);
            };
            ws(&mut i);
            let Some(&c) = data.get(i) else {
                return Err(ScanError::UnexpectedEof);
            };
            if top == b'{' {
                match c {
                    b',' => {
                        i += 1;
                        ws(&mut i);
                        match data.get(i) {
                            None => return Err(ScanError::UnexpectedEof),
                            Some(b'"') => {
                                i = object_key(data, i)?;
                                continue 'value;
                            }
                            Some(&c) => {
                                return Err(err(c, "looking for beginning of object key string"));
                            }
                        }
                    }
                    b'}' => {
                        stack.pop();
                        i += 1;
                        scalar = false;
                    }
                    _ => return Err(err(c, "after object key:value pair")),
                }
            } else {
                match c {
                    b',' => {
                        i += 1;
                        ws(&mut i);
                        continue 'value;
                    }
                    b']' => {
                        stack.pop();
                        i += 1;
                        scalar = false;
                    }
                    _ => return Err(err(c, "after array element")),
                }
            }
        }
    }
}

/// A key string at `i`, then `:`; returns the offset of the value (white space skipped).
fn object_key(data: &[u8], i: usize) -> Result<usize, ScanError> {
    let mut i = string(data, i)?;
    while i < data.len() && is_space(data[i]) {
        i += 1;
    }
    match data.get(i) {
        None => Err(ScanError::UnexpectedEof),
        Some(b':') => {
            i += 1;
            while i < data.len() && is_space(data[i]) {
                i += 1;
            }
            Ok(i)
        }
        Some(&c) => Err(err(c, "after object key")),
    }
}

/// A string starting at the `"` at `i`; returns the offset past the closing quote.
fn string(data: &[u8], mut i: usize) -> Result<usize, ScanError> {
    i += 1;
    loop {
        let Some(&c) = data.get(i) else {
            return Err(ScanError::UnexpectedEof);
        };
        match c {
            b'"' => return Ok(i + 1),
            b'\\' => {
                i += 1;
                let Some(&e) = data.get(i) else {
                    return Err(ScanError::UnexpectedEof);
                };
                match e {
                    b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'/' | b'"' => i += 1,
                    b'u' => {
                        i += 1;
                        for _ in 0..4 {
                            let Some(&h) = data.get(i) else {
                                return Err(ScanError::UnexpectedEof);
                            };
                            if !h.is_ascii_hexdigit() {
                                return Err(err(h, "in \\u hexadecimal character escape"));
                            }
                            i += 1;
                        }
                    }
                    _ => return Err(err(e, "in string escape code")),
                }
            }
            0x00..=0x1f => return Err(err(c, "in string literal")),
            _ => i += 1,
        }
    }
}

/// A number starting at `i`; returns the offset past it. `top`: a top-level value may end at
/// the end of the body.
fn number(data: &[u8], mut i: usize, top: bool) -> Result<usize, ScanError> {
    let end = |i: usize| -> Result<usize, ScanError> {
        if i >= data.len() && !top {
            Err(ScanError::UnexpectedEof)
        } else {
            Ok(i)
        }
    };
    if data.get(i) == Some(&b'-') {
        i += 1;
        match data.get(i) {
            None => return Err(ScanError::UnexpectedEof),
            Some(b'0'..=b'9') => {}
            Some(&c) => return Err(err(c, "in numeric literal")),
        }
    }
    if data.get(i) == Some(&b'0') {
        i += 1;
    } else {
        while matches!(data.get(i), Some(b'0'..=b'9')) {
            i += 1;
        }
    }
    if data.get(i) == Some(&b'.') {
        i += 1;
        match data.get(i) {
            None => return Err(ScanError::UnexpectedEof),
            Some(b'0'..=b'9') => {}
            Some(&c) => return Err(err(c, "after decimal point in numeric literal")),
        }
        while matches!(data.get(i), Some(b'0'..=b'9')) {
            i += 1;
        }
    }
    if matches!(data.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(data.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        match data.get(i) {
            None => return Err(ScanError::UnexpectedEof),
            Some(b'0'..=b'9') => {}
            Some(&c) => return Err(err(c, "in exponent of numeric literal")),
        }
        while matches!(data.get(i), Some(b'0'..=b'9')) {
            i += 1;
        }
    }
    end(i)
}

/// `true`, `false` or `null` at `i`.
fn literal(data: &[u8], i: usize, word: &'static [u8]) -> Result<usize, ScanError> {
    let name = std::str::from_utf8(word).unwrap_or("");
    for (k, &want) in word.iter().enumerate().skip(1) {
        let Some(&c) = data.get(i + k) else {
            return Err(ScanError::UnexpectedEof);
        };
        if c != want {
            return Err(err(
                c,
                &format!("in literal {name} (expecting {})", quote_char(want)),
            ));
        }
    }
    Ok(i + word.len())
}

/// Go `json.Compact`: removes insignificant whitespace, keeps everything else byte for byte.
/// Syntax errors carry Go's `encoding/json` scanner texts; input that ends early (or holds
/// nothing but white space) is "unexpected end of JSON input".
pub fn json_compact(data: &[u8]) -> Result<String, String> {
    let end = match scan_first_value(data) {
        Ok(end) => end,
        // Go's `scanner.eof` feeds one more space first: a value cut inside a literal or a
        // number (`tru`, `-`, `1.`) fails on that space, and that is the error Compact returns.
        Err(ScanError::UnexpectedEof) => {
            let mut padded = data.to_vec();
            padded.push(b' ');
            return Err(match scan_first_value(&padded) {
                Err(ScanError::Syntax(m)) => m,
                _ => "unexpected end of JSON input".into(),
            });
        }
        Err(ScanError::Eof) => return Err("unexpected end of JSON input".into()),
        Err(ScanError::Syntax(m)) => return Err(m),
    };
    // Compact reads the whole input: only white space may follow the value.
    if let Some(&c) = data[end..].iter().find(|&&c| !is_space(c)) {
        return Err(format!(
            "invalid character {} after top-level value",
            quote_char(c)
        ));
    }
    let mut out = Vec::with_capacity(end);
    let mut in_str = false;
    let mut escaped = false;
    for &b in &data[..end] {
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
        } else if !is_space(b) {
            out.push(b);
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Go's `utf8.DecodeRune`: a valid sequence, or U+FFFD for one byte.
fn decode_rune(s: &[u8]) -> (char, usize) {
    let want = match s.first() {
        Some(0x00..=0x7f) => 1,
        Some(0xc2..=0xdf) => 2,
        Some(0xe0..=0xef) => 3,
        Some(0xf0..=0xf4) => 4,
        _ => return ('\u{fffd}', 1),
    };
    match s
        .get(..want)
        .and_then(|b| std::str::from_utf8(b).ok())
        .and_then(|t| t.chars().next())
    {
        Some(c) => (c, want),
        None => ('\u{fffd}', 1),
    }
}

fn getu4(s: &[u8]) -> Option<u32> {
    if s.len() < 6 || s[0] != b'\\' || s[1] != b'u' {
        return None;
    }
    let hex = std::str::from_utf8(&s[2..6]).ok()?;
    u32::from_str_radix(hex, 16).ok()
}

/// Go's `unquoteBytes` for a scanned string literal (with its quotes): escapes decoded, a lone
/// or mismatched surrogate escape becomes U+FFFD, every byte of invalid UTF-8 becomes U+FFFD.
pub fn unquote(lit: &[u8]) -> String {
    let s = lit
        .strip_prefix(b"\"")
        .and_then(|s| s.strip_suffix(b"\""))
        .unwrap_or(lit);
    let mut out = String::with_capacity(s.len());
    let mut r = 0;
    while r < s.len() {
        let c = s[r];
        if c == b'\\' {
            match s.get(r + 1) {
                Some(b'"') => out.push('"'),
                Some(b'\\') => out.push('\\'),
                Some(b'/') => out.push('/'),
                Some(b'\'') => out.push('\''),
                Some(b'b') => out.push('\u{8}'),
                Some(b'f') => out.push('\u{c}'),
                Some(b'n') => out.push('\n'),
                Some(b'r') => out.push('\r'),
                Some(b't') => out.push('\t'),
                Some(b'u') => {
                    let Some(rr) = getu4(&s[r..]) else {
                        // Not reachable for scanned input.
                        out.push('\u{fffd}');
                        r += 2;
                        continue;
                    };
                    r += 6;
                    if (0xd800..0xe000).contains(&rr) {
                        if let Some(rr1) = getu4(&s[r..])
                            && (0xd800..0xdc00).contains(&rr)
                            && (0xdc00..0xe000).contains(&rr1)
                        {
                            let v = 0x10000 + ((rr - 0xd800) << 10) + (rr1 - 0xdc00);
                            out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                            r += 6;
                            continue;
                        }
                        out.push('\u{fffd}');
                    } else {
                        out.push(char::from_u32(rr).unwrap_or('\u{fffd}'));
                    }
                    continue;
                }
                _ => out.push('\u{fffd}'),
            }
            r += 2;
        } else if c < 0x80 {
            out.push(char::from(c));
            r += 1;
        } else {
            let (ch, size) = decode_rune(&s[r..]);
            out.push(ch);
            r += size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
            // Go's eof feeds a space: a cut literal or number fails on it.
            (
                b"tru",
                "invalid character ' ' in literal true (expecting 'e')",
            ),
            (b"-", "invalid character ' ' in numeric literal"),
            (
                b"1.",
                "invalid character ' ' after decimal point in numeric literal",
            ),
            (b"\"ab", "unexpected end of JSON input"),
            (b"[1,", "unexpected end of JSON input"),
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

    fn syntax(s: &str) -> String {
        match scan_first_value(s.as_bytes()) {
            Err(ScanError::Syntax(m)) => m,
            other => panic!("{s:?}: {other:?}"),
        }
    }

    #[test]
    fn go_syntax_messages() {
        assert_eq!(
            syntax(r#"{"a":true,}"#),
            "invalid character '}' looking for beginning of object key string"
        );
        assert_eq!(
            syntax("x"),
            "invalid character 'x' looking for beginning of value"
        );
        assert_eq!(
            syntax(r#"{"a" 1}"#),
            "invalid character '1' after object key"
        );
        assert_eq!(
            syntax(r#"{"a":1 2}"#),
            "invalid character '2' after object key:value pair"
        );
        assert_eq!(syntax("[1 2]"), "invalid character '2' after array element");
        assert_eq!(syntax("[01]"), "invalid character '1' after array element");
        assert_eq!(
            syntax("[1.]"),
            "invalid character ']' after decimal point in numeric literal"
        );
        assert_eq!(
            syntax("[1e]"),
            "invalid character ']' in exponent of numeric literal"
        );
        assert_eq!(syntax("[-x]"), "invalid character 'x' in numeric literal");
        assert_eq!(
            syntax("[tru]"),
            "invalid character ']' in literal true (expecting 'e')"
        );
        assert_eq!(
            syntax("[\"\\x\"]"),
            "invalid character 'x' in string escape code"
        );
        assert_eq!(
            syntax("[\"\\u12g4\"]"),
            "invalid character 'g' in \\u hexadecimal character escape"
        );
        assert_eq!(
            syntax("[\"\t\"]"),
            "invalid character '\\t' in string literal"
        );
        assert_eq!(
            syntax("\u{feff}{}"),
            "invalid character 'ï' looking for beginning of value"
        );
        assert_eq!(syntax("1x"), "invalid character 'x' after top-level value");
        assert_eq!(
            syntax("{'a':1}"),
            "invalid character '\\'' looking for beginning of object key string"
        );
        let deep = "[".repeat(MAX_DEPTH + 1);
        assert_eq!(syntax(&deep), "invalid character '[' exceeded max depth");
    }

    #[test]
    fn eof_and_trailing() {
        assert_eq!(scan_first_value(b""), Err(ScanError::Eof));
        assert_eq!(scan_first_value(b" \n\t"), Err(ScanError::Eof));
        assert_eq!(scan_first_value(b"{\"a\":"), Err(ScanError::UnexpectedEof));
        assert_eq!(scan_first_value(b"[1"), Err(ScanError::UnexpectedEof));
        // Only the first value is read: what follows a container is not looked at.
        assert_eq!(scan_first_value(b" {} garbage"), Ok(3));
        assert_eq!(scan_first_value(b"12"), Ok(2));
        let ok_deep = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(scan_first_value(ok_deep.as_bytes()), Ok(2 * MAX_DEPTH));
    }

    #[test]
    fn go_unquote() {
        assert_eq!(unquote(br#""Privil\u0065ged""#), "Privileged");
        assert_eq!(unquote(br#""\ud83d\ude00""#), "😀");
        assert_eq!(unquote(br#""\ud83dA""#), "\u{fffd}A");
        assert_eq!(unquote(br#""\ude00\ud83d""#), "\u{fffd}\u{fffd}");
        assert_eq!(unquote(br#""\ud83d\u0041""#), "\u{fffd}A");
        // Go replaces each byte of an invalid sequence (Rust's lossy decoding would give one).
        assert_eq!(unquote(b"\"\xe2\x82a\""), "\u{fffd}\u{fffd}a");
        assert_eq!(unquote(b"\"\xed\xa0\x80\""), "\u{fffd}\u{fffd}\u{fffd}");
        assert_eq!(unquote(b"\"\xc5\xbf\""), "ſ");
        assert_eq!(unquote(br#""a\/b\n""#), "a/b\n");
    }

    #[test]
    fn compact_reads_the_whole_input() {
        assert_eq!(
            json_compact(b"{} x").unwrap_err(),
            "invalid character 'x' after top-level value"
        );
        assert_eq!(
            json_compact(b"[]]").unwrap_err(),
            "invalid character ']' after top-level value"
        );
        assert_eq!(
            json_compact(b" \n").unwrap_err(),
            "unexpected end of JSON input"
        );
        assert_eq!(json_compact(b"{} \n").unwrap(), "{}");
        let deep = "[".repeat(MAX_DEPTH + 1);
        assert_eq!(
            json_compact(deep.as_bytes()).unwrap_err(),
            "invalid character '[' exceeded max depth"
        );
    }

    #[test]
    fn quote_char_is_gos() {
        for (c, want) in [
            (b'\'', r"'\''"),
            (b'"', "'\"'"),
            (b'\\', r"'\\'"),
            (b'\t', r"'\t'"),
            (0x00, r"'\x00'"),
            (0x7f, r"'\x7f'"),
            (0x80, r"'\u0080'"),
            (0xa0, r"'\u00a0'"),
            (0xad, r"'\u00ad'"),
            (0xe9, "'é'"),
            (0xff, "'ÿ'"),
        ] {
            assert_eq!(quote_char(c), want, "{c:#x}");
        }
    }
}
