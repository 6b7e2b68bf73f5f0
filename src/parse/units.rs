//! Sizes and CPU counts: go-units `RAMInBytes` (docker run and Compose alike), docker/cli
//! `opts.ParseCPUs` (`docker run --cpus`, exact) and Compose's float32 `cpus`.

use super::gocompat::{f64_to_i64_amd64, parse_float, parse_uint};

/// go-units `RAMInBytes`: binary multipliers, optional space, `b`/`k`/`kb`/`kib` suffixes.
pub fn ram_in_bytes(size: &str) -> Result<i64, String> {
    let invalid = || format!("invalid size: '{size}'");
    let sep = size.rfind(|c: char| c.is_ascii_digit() || c == '.' || c == ' ');
    let Some(sep) = sep else {
        return Err(invalid());
    };
    let (num, sfx) = if size.as_bytes()[sep] != b' ' {
        (&size[..=sep], &size[sep + 1..])
    } else {
        (&size[..sep], &size[sep + 1..])
    };
    let mut v = parse_float(num).map_err(|e| e.to_string())?;
    if v < 0.0 {
        return Err(invalid());
    }
    if sfx.is_empty() {
        return Ok(f64_to_i64_amd64(v));
    }
    let bad = || format!("invalid suffix: '{sfx}'");
    if sfx.len() > 3 {
        return Err(bad());
    }
    let lower = sfx.to_lowercase();
    let b = lower.as_bytes();
    if b[0] == b'b' {
        if b.len() > 1 {
            return Err(format!("invalid suffix: '{lower}'"));
        }
        return Ok(f64_to_i64_amd64(v));
    }
    let mul: f64 = match b[0] {
        b'k' => 1024.0,
        b'm' => 1024.0 * 1024.0,
        b'g' => 1024.0 * 1024.0 * 1024.0,
        b't' => 1024f64.powi(4),
        b'p' => 1024f64.powi(5),
        _ => return Err(format!("invalid suffix: '{lower}'")),
    };
    v *= mul;
    if (b.len() == 2 && b[1] != b'b') || (b.len() == 3 && &lower[1..] != "ib") {
        return Err(format!("invalid suffix: '{lower}'"));
    }
    Ok(f64_to_i64_amd64(v))
}

/// `opts.MemSwapBytes.Set`: `-1` or a byte size.
pub fn mem_swap_bytes(value: &str) -> Result<i64, String> {
    if value == "-1" {
        return Ok(-1);
    }
    ram_in_bytes(value)
}

/// `opts.ParseCPUs`: an exact rational times 10⁹, which must be an integer.
pub fn parse_cpus(value: &str) -> Result<i64, String> {
    let fail = || format!("failed to parse {value} as a rational number");
    let too_precise = || "value is too precise".to_string();
    if let Some((a, b)) = value.split_once('/') {
        let a = parse_big_int(a, true).ok_or_else(fail)?;
        let b = parse_big_int(b, false).ok_or_else(fail)?;
        if b == 0 {
            return Err(fail());
        }
        let g = gcd(a.unsigned_abs(), b as u128);
        let (a, b) = (a / g as i128, b / g as i128);
        if 1_000_000_000 % b != 0 {
            return Err(too_precise());
        }
        let nano = a.checked_mul(1_000_000_000 / b).ok_or_else(too_precise)?;
        return Ok(nano as i64);
    }
    // Floating-point form (big.Rat): sign, mantissa in base 10 or with a 0b/0o/0x prefix and an
    // optional radix point, then an optional decimal (`e`) or binary (`p`) exponent.
    let b = value.as_bytes();
    let mut i = 0;
    let neg = b.first() == Some(&b'-');
    if matches!(b.first(), Some(b'-' | b'+')) {
        i = 1;
    }
    let mut base: u32 = 10;
    if b.len() >= i + 2 && b[i] == b'0' {
        match b[i + 1] {
            b'x' | b'X' => base = 16,
            b'o' | b'O' => base = 8,
            b'b' | b'B' => base = 2,
            _ => {}
        }
        if base != 10 {
            i += 2;
        }
    }
    let mut mant: i128 = 0;
    let mut digits = 0;
    let mut frac_digits: i64 = 0;
    let mut seen_point = false;
    let is_digit = |c: Option<&u8>| c.is_some_and(|c| (*c as char).is_digit(base));
    let mut prev_digit = base != 10; // a base prefix counts as a digit before `_`
    while i < b.len() {
        let c = b[i];
        if c == b'_' {
            // `_` must separate successive digits.
            if !prev_digit || !is_digit(b.get(i + 1)) {
                return Err(fail());
            }
            i += 1;
            continue;
        }
        prev_digit = false;
        if c == b'.' && !seen_point {
            seen_point = true;
            i += 1;
            continue;
        }
        let Some(d) = (c as char).to_digit(base) else {
            break;
        };
        mant = mant
            .checked_mul(i128::from(base))
            .and_then(|m| m.checked_add(i128::from(d)))
            .ok_or_else(too_precise)?;
        digits += 1;
        prev_digit = true;
        if seen_point {
            frac_digits += 1;
        }
        i += 1;
    }
    if digits == 0 {
        return Err(fail());
    }
    // value = mant × 2^exp2 × 5^exp5
    let (mut exp2, mut exp5): (i64, i64) = match base {
        10 => (-frac_digits, -frac_digits),
        2 => (-frac_digits, 0),
        8 => (-3 * frac_digits, 0),
        _ => (-4 * frac_digits, 0),
    };
    if i < b.len() && matches!(b[i], b'e' | b'E' | b'p' | b'P') {
        let binary = matches!(b[i], b'p' | b'P');
        i += 1;
        let sign: i64 = match b.get(i) {
            Some(b'-') => {
                i += 1;
                -1
            }
            Some(b'+') => {
                i += 1;
                1
            }
            _ => 1,
        };
        let start = i;
        let mut e: i64 = 0;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            if b[i] != b'_' {
                e = e.saturating_mul(10).saturating_add(i64::from(b[i] - b'0'));
            }
            i += 1;
        }
        if i == start {
            return Err(fail());
        }
        exp2 += sign * e;
        if !binary {
            exp5 += sign * e;
        }
    }
    if i != b.len() {
        return Err(fail());
    }
    if mant == 0 {
        return Ok(0);
    }
    // big.Rat refuses excessively large exponents.
    if exp5.unsigned_abs() > 1_000_000 || exp2.unsigned_abs() > 10_000_000 {
        return Err(fail());
    }
    // nano = mant × 2^(exp2+9) × 5^(exp5+9): an integer only if the negative powers divide mant.
    let (mut e2, mut e5) = (exp2 + 9, exp5 + 9);
    while e2 < 0 && mant % 2 == 0 {
        mant /= 2;
        e2 += 1;
    }
    while e5 < 0 && mant % 5 == 0 {
        mant /= 5;
        e5 += 1;
    }
    if e2 < 0 || e5 < 0 {
        return Err(too_precise());
    }
    // big.Int.Int64 keeps the low 64 bits of a value that does not fit.
    let low = (mant as u128 as u64)
        .wrapping_mul(2u64.wrapping_pow(e2 as u32))
        .wrapping_mul(5u64.wrapping_pow(e5 as u32)) as i64;
    Ok(if neg { low.wrapping_neg() } else { low })
}

/// Compose's `cpus` and `deploy.resources.limits.cpus` as docker compose v2.26 sends them:
/// compose-go keeps the number as a float32 and compose multiplies in float32 and truncates
/// (`int64(s.CPUS * 1e9)`), so `0.123456789` becomes 123456792 where `docker run --cpus`
/// ([`parse_cpus`], exact) gives 123456789.
pub fn compose_nano_cpus(value: &str) -> Result<i64, String> {
    let f = parse_float(value).map_err(|e| e.to_string())? as f32;
    Ok(f64_to_i64_amd64(f64::from(f * 1e9_f32)))
}

fn parse_big_int(s: &str, signed: bool) -> Option<i128> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') if signed => (true, &s[1..]),
        Some(b'+') if signed => (false, &s[1..]),
        _ => (false, s),
    };
    let v = parse_uint(body, 0, 64).ok()? as i128;
    Some(if neg { -v } else { v })
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_sizes() {
        assert_eq!(ram_in_bytes("1g"), Ok(1 << 30));
        assert_eq!(ram_in_bytes("1GiB"), Ok(1 << 30));
        assert_eq!(ram_in_bytes("1 g"), Ok(1 << 30));
        assert_eq!(ram_in_bytes("1.5g"), Ok(1_610_612_736));
        assert_eq!(ram_in_bytes("512m"), Ok(536_870_912));
        assert_eq!(ram_in_bytes("10kb"), Ok(10240));
        assert_eq!(ram_in_bytes("100b"), Ok(100));
        assert_eq!(ram_in_bytes("100"), Ok(100));
        assert_eq!(ram_in_bytes("abc"), Err("invalid size: 'abc'".into()));
        assert_eq!(ram_in_bytes("1x"), Err("invalid suffix: 'x'".into()));
        assert_eq!(ram_in_bytes("1kx"), Err("invalid suffix: 'kx'".into()));
        assert_eq!(ram_in_bytes("1kibb"), Err("invalid suffix: 'kibb'".into()));
        assert_eq!(ram_in_bytes("1bb"), Err("invalid suffix: 'bb'".into()));
        assert_eq!(ram_in_bytes("-1"), Err("invalid size: '-1'".into()));
        assert_eq!(
            ram_in_bytes("1..5"),
            Err("strconv.ParseFloat: parsing \"1..5\": invalid syntax".into())
        );
        assert_eq!(mem_swap_bytes("-1"), Ok(-1));
    }

    #[test]
    fn cpus_are_exact() {
        assert_eq!(parse_cpus("1.5"), Ok(1_500_000_000));
        assert_eq!(parse_cpus("3/2"), Ok(1_500_000_000));
        assert_eq!(parse_cpus("1e-3"), Ok(1_000_000));
        assert_eq!(parse_cpus("0.000000001"), Ok(1));
        assert_eq!(parse_cpus("0"), Ok(0));
        assert_eq!(parse_cpus("0x10"), Ok(16_000_000_000));
        assert_eq!(parse_cpus("0b11"), Ok(3_000_000_000));
        assert_eq!(parse_cpus("0x1p-1"), Ok(500_000_000));
        assert_eq!(parse_cpus("010"), Ok(10_000_000_000));
        assert_eq!(parse_cpus("1_0"), Ok(10_000_000_000));
        assert_eq!(parse_cpus("-1.5"), Ok(-1_500_000_000));
        assert_eq!(parse_cpus("1E-9"), Ok(1));
        assert_eq!(parse_cpus("1e-10"), Err("value is too precise".into()));
        assert_eq!(
            parse_cpus("abc"),
            Err("failed to parse abc as a rational number".into())
        );
        assert_eq!(
            parse_cpus("1/0"),
            Err("failed to parse 1/0 as a rational number".into())
        );
    }

    #[test]
    fn compose_sizes_are_go_units_sizes() {
        // Compose's own reader rounded (1740.8 → 1741); go-units truncates, as docker compose.
        assert_eq!(ram_in_bytes("1.7k"), Ok(1740));
        assert_eq!(ram_in_bytes("1.5g"), Ok(3 << 29));
        // ... and refused an exponent that go-units takes.
        assert_eq!(ram_in_bytes("1e3m"), Ok(1000 << 20));
        assert_eq!(ram_in_bytes("2p"), Ok(2 << 50));
    }

    #[test]
    fn compose_cpus_are_float32() {
        assert_eq!(compose_nano_cpus("0.5"), Ok(500_000_000));
        assert_eq!(compose_nano_cpus("1.5"), Ok(1_500_000_000));
        assert_eq!(compose_nano_cpus("0.1"), Ok(100_000_000));
        assert_eq!(compose_nano_cpus("0.01"), Ok(10_000_000));
        // Where float32 shows: compose's own f64 reading said 123456789 and 3333300000.
        assert_eq!(compose_nano_cpus("0.123456789"), Ok(123_456_792));
        assert_eq!(parse_cpus("0.123456789"), Ok(123_456_789));
        assert_eq!(compose_nano_cpus("3.3333"), Ok(3_333_300_224));
        assert_eq!(compose_nano_cpus("-1"), Ok(-1_000_000_000));
        assert!(compose_nano_cpus("1/2").is_err());
        assert!(compose_nano_cpus("x").is_err());
    }
}
