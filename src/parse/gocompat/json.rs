//! Go's `encoding/json` scanner: `json.Compact` with the scanner's error texts.

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
            c => super::quote_byte_as_rune(c),
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
