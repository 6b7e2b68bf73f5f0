//! serde over the positioned tree: typed files (presets) are read from the same bounded tree as
//! Compose files, in one parse, with errors at a line and column.
//!
//! Scalars are typed as serde_yaml 0.9 typed them (YAML 1.2 core schema: `true`/`false`, `~`
//! and `null`, decimal, `0x`/`0o`/`0b` integers, `.inf`/`.nan`), and errors read as its did:
//! `path.to.value: message`, at the node being read when the error was raised.

use super::tree::{Node, Pos, Style, Value};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Expected, IntoDeserializer, Unexpected, Visitor,
};
use std::fmt;

/// A deserialization error, at the node that raised it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeError {
    pub pos: Option<Pos>,
    /// Where the node sits (`rules.privileged`, `waivers[0]`); empty at the top.
    pub path: String,
    pub message: String,
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError {
            pos: None,
            path: String::new(),
            message: msg.to_string(),
        }
    }
}

/// Reads a `T` from a tree.
pub fn from_node<T: DeserializeOwned>(node: &Node) -> Result<T, DeError> {
    T::deserialize(NodeDe {
        node,
        path: Path::Root,
    })
}

#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Key(Path::Root, k) => f.write_str(k),
            Path::Key(p, k) => write!(f, "{p}.{k}"),
            Path::Index(p, i) => write!(f, "{p}[{i}]"),
        }
    }
}

/// Gives an error raised below without a position this node's position and path.
fn fix(mut e: DeError, pos: Pos, path: &Path<'_>) -> DeError {
    if e.pos.is_none() {
        e.pos = Some(pos);
        e.path = path.to_string();
    }
    e
}

fn is_null(t: &str) -> bool {
    matches!(t, "~" | "null" | "Null" | "NULL")
}

fn parse_bool(t: &str) -> Option<bool> {
    match t {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// Leading zeros followed by digits are a string in YAML 1.2.
fn digits_but_not_number(t: &str) -> bool {
    let t = t.strip_prefix(['-', '+']).unwrap_or(t);
    t.len() > 1 && t.starts_with('0') && t[1..].bytes().all(|b| b.is_ascii_digit())
}

fn radix_prefixed<T>(
    t: &str,
    parse: fn(&str, u32) -> Result<T, std::num::ParseIntError>,
) -> Option<T> {
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = t.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(i) = parse(rest, radix) {
                return Some(i);
            }
        }
    }
    None
}

fn negative_radix<T>(
    t: &str,
    parse: fn(&str, u32) -> Result<T, std::num::ParseIntError>,
) -> Option<T> {
    for (prefix, radix) in [("-0x", 16), ("-0o", 8), ("-0b", 2)] {
        if let Some(rest) = t.strip_prefix(prefix)
            && let Ok(i) = parse(&format!("-{rest}"), radix)
        {
            return Some(i);
        }
    }
    None
}

fn parse_unsigned<T>(
    t: &str,
    parse: fn(&str, u32) -> Result<T, std::num::ParseIntError>,
) -> Option<T> {
    let unpositive = t.strip_prefix('+').unwrap_or(t);
    let prefixed = [("0x", 16), ("0o", 8), ("0b", 2)];
    for (prefix, radix) in prefixed {
        if let Some(rest) = unpositive.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(i) = parse(rest, radix) {
                return Some(i);
            }
        }
    }
    if unpositive.starts_with(['+', '-']) || digits_but_not_number(t) {
        return None;
    }
    parse(unpositive, 10).ok()
}

fn parse_signed<T>(
    t: &str,
    parse: fn(&str, u32) -> Result<T, std::num::ParseIntError>,
) -> Option<T> {
    let unpositive = match t.strip_prefix('+') {
        Some(u) if u.starts_with(['+', '-']) => return None,
        Some(u) => u,
        None => t,
    };
    if let Some(i) = radix_prefixed(unpositive, parse) {
        return Some(i);
    }
    if let Some(i) = negative_radix(t, parse) {
        return Some(i);
    }
    if digits_but_not_number(t) {
        return None;
    }
    parse(unpositive, 10).ok()
}

fn parse_negative<T>(
    t: &str,
    parse: fn(&str, u32) -> Result<T, std::num::ParseIntError>,
) -> Option<T> {
    if let Some(i) = negative_radix(t, parse) {
        return Some(i);
    }
    if digits_but_not_number(t) {
        return None;
    }
    parse(t, 10).ok()
}

fn parse_f64(t: &str) -> Option<f64> {
    let unpositive = match t.strip_prefix('+') {
        Some(u) if u.starts_with(['+', '-']) => return None,
        Some(u) => u,
        None => t,
    };
    if let ".inf" | ".Inf" | ".INF" = unpositive {
        return Some(f64::INFINITY);
    }
    if let "-.inf" | "-.Inf" | "-.INF" = t {
        return Some(f64::NEG_INFINITY);
    }
    if let ".nan" | ".NaN" | ".NAN" = t {
        return Some(f64::NAN);
    }
    unpositive.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// A plain scalar, typed.
fn visit_plain<'de, V: Visitor<'de>>(visitor: V, t: &str) -> Result<V::Value, DeError> {
    if t.is_empty() || is_null(t) {
        return visitor.visit_unit();
    }
    if let Some(b) = parse_bool(t) {
        return visitor.visit_bool(b);
    }
    if let Some(i) = parse_unsigned(t, u64::from_str_radix) {
        return visitor.visit_u64(i);
    }
    if let Some(i) = parse_negative(t, i64::from_str_radix) {
        return visitor.visit_i64(i);
    }
    if let Some(i) = parse_unsigned(t, u128::from_str_radix) {
        return visitor.visit_u128(i);
    }
    if let Some(i) = parse_negative(t, i128::from_str_radix) {
        return visitor.visit_i128(i);
    }
    if !digits_but_not_number(t)
        && let Some(f) = parse_f64(t)
    {
        return visitor.visit_f64(f);
    }
    visitor.visit_str(t)
}

fn visit_scalar<'de, V: Visitor<'de>>(
    visitor: V,
    text: &str,
    style: &Style,
) -> Result<V::Value, DeError> {
    match style {
        Style::Plain => visit_plain(visitor, text),
        _ => visitor.visit_str(text),
    }
}

/// "invalid type: X, expected Y", X being what the node is.
fn invalid_type(node: &Node, exp: &dyn Expected) -> DeError {
    enum Void {}
    struct InvalidType<'a> {
        exp: &'a dyn Expected,
    }
    impl<'de> Visitor<'de> for InvalidType<'_> {
        type Value = Void;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.exp.fmt(f)
        }
    }
    match &node.value {
        Value::Scalar { text, style } => match visit_scalar(InvalidType { exp }, text, style) {
            Ok(void) => match void {},
            Err(e) => e,
        },
        Value::Seq(_) => de::Error::invalid_type(Unexpected::Seq, exp),
        Value::Map(_) => de::Error::invalid_type(Unexpected::Map, exp),
    }
}

#[derive(Clone, Copy)]
struct NodeDe<'a> {
    node: &'a Node,
    path: Path<'a>,
}

impl<'a> NodeDe<'a> {
    fn plain(&self) -> Option<&'a str> {
        match &self.node.value {
            Value::Scalar {
                text,
                style: Style::Plain,
            } => Some(text),
            _ => None,
        }
    }

    fn fixed<T>(&self, r: Result<T, DeError>) -> Result<T, DeError> {
        r.map_err(|e| fix(e, self.node.pos, &self.path))
    }

    fn seq<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = match &self.node.value {
            Value::Seq(items) => visitor.visit_seq(SeqAccess {
                items,
                next: 0,
                parent: &self.path,
            }),
            _ if self.plain() == Some("") => visitor.visit_seq(SeqAccess {
                items: &[],
                next: 0,
                parent: &self.path,
            }),
            _ => Err(invalid_type(self.node, &visitor)),
        };
        self.fixed(r)
    }

    fn map<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = match &self.node.value {
            Value::Map(entries) => visitor.visit_map(MapAccess {
                entries,
                next: 0,
                parent: &self.path,
            }),
            _ if self.plain() == Some("") => visitor.visit_map(MapAccess {
                entries: &[],
                next: 0,
                parent: &self.path,
            }),
            _ => Err(invalid_type(self.node, &visitor)),
        };
        self.fixed(r)
    }

    fn typed<'de, V: Visitor<'de>, T>(
        self,
        visitor: V,
        parse: impl FnOnce(&str) -> Option<T>,
        visit: impl FnOnce(V, T) -> Result<V::Value, DeError>,
    ) -> Result<V::Value, DeError> {
        let r = match self.plain().and_then(parse) {
            Some(v) => visit(visitor, v),
            None => Err(invalid_type(self.node, &visitor)),
        };
        self.fixed(r)
    }
}

macro_rules! signed {
    ($($name:ident $t:ty => $visit:ident),*) => {$(
        fn $name<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            self.typed(visitor, |t| parse_signed(t, <$t>::from_str_radix), |v, i| v.$visit(i.into()))
        }
    )*};
}

macro_rules! unsigned {
    ($($name:ident $t:ty => $visit:ident),*) => {$(
        fn $name<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            self.typed(visitor, |t| parse_unsigned(t, <$t>::from_str_radix), |v, i| v.$visit(i.into()))
        }
    )*};
}

impl<'de> de::Deserializer<'de> for NodeDe<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Scalar { text, style } => self.fixed(visit_scalar(visitor, text, style)),
            Value::Seq(_) => self.seq(visitor),
            Value::Map(_) => self.map(visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.typed(visitor, parse_bool, |v, b| v.visit_bool(b))
    }

    signed!(deserialize_i8 i64 => visit_i64, deserialize_i16 i64 => visit_i64,
        deserialize_i32 i64 => visit_i64, deserialize_i64 i64 => visit_i64,
        deserialize_i128 i128 => visit_i128);
    unsigned!(deserialize_u8 u64 => visit_u64, deserialize_u16 u64 => visit_u64,
        deserialize_u32 u64 => visit_u64, deserialize_u64 u64 => visit_u64,
        deserialize_u128 u128 => visit_u128);

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.typed(visitor, parse_f64, |v, f| v.visit_f64(f))
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = match &self.node.value {
            Value::Scalar { text, .. } => visitor.visit_str(text),
            _ => Err(invalid_type(self.node, &visitor)),
        };
        self.fixed(r)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let none = self.plain().is_some_and(|t| t.is_empty() || is_null(t));
        if none {
            self.fixed(visitor.visit_none())
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.typed(
            visitor,
            |t| (t.is_empty() || is_null(t)).then_some(()),
            |v, ()| v.visit_unit(),
        )
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.seq(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.map(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.map(visitor)
    }

    /// A variant is written as a scalar (`deny`); anything else is refused as serde_yaml
    /// refused untagged collections.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let r = match &self.node.value {
            Value::Scalar { text, .. } => visitor.visit_enum(text.as_str().into_deserializer()),
            Value::Seq(_) => Err(de::Error::invalid_type(
                Unexpected::Seq,
                &"a YAML tag starting with '!'",
            )),
            Value::Map(_) => Err(de::Error::invalid_type(
                Unexpected::Map,
                &"a YAML tag starting with '!'",
            )),
        };
        self.fixed(r)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

struct SeqAccess<'a> {
    items: &'a [std::sync::Arc<Node>],
    next: usize,
    parent: &'a Path<'a>,
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some(item) = self.items.get(self.next) else {
            return Ok(None);
        };
        let path = Path::Index(self.parent, self.next);
        self.next += 1;
        seed.deserialize(NodeDe { node: item, path }).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len() - self.next)
    }
}

struct MapAccess<'a> {
    entries: &'a [super::tree::Entry],
    next: usize,
    parent: &'a Path<'a>,
}

impl<'de> de::MapAccess<'de> for MapAccess<'_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some(e) = self.entries.get(self.next) else {
            return Ok(None);
        };
        let key = KeyDe { text: &e.key };
        seed.deserialize(key)
            .map(Some)
            .map_err(|err| fix(err, e.key_pos, self.parent))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let e = &self.entries[self.next];
        self.next += 1;
        let path = Path::Key(self.parent, &e.key);
        seed.deserialize(NodeDe {
            node: &e.value,
            path,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len() - self.next)
    }
}

/// A mapping key: a plain scalar.
struct KeyDe<'a> {
    text: &'a str,
}

impl<'de> de::Deserializer<'de> for KeyDe<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visit_plain(visitor, self.text)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_str(self.text)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_str(self.text)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_str(self.text)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_enum(self.text.into_deserializer())
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.text.is_empty() || is_null(self.text) {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf unit
        unit_struct newtype_struct seq tuple tuple_struct map struct ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct T {
        name: Option<String>,
        n: Option<i64>,
        u: Option<u32>,
        f: Option<f64>,
        b: Option<bool>,
        #[serde(default)]
        list: Vec<String>,
        #[serde(default)]
        map: BTreeMap<String, E>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum E {
        Yes,
        No,
    }

    fn read<X: DeserializeOwned>(text: &str) -> Result<X, DeError> {
        let root = super::super::tree::parse(text).unwrap().unwrap();
        from_node(&root)
    }

    #[test]
    fn reads_types_as_serde_yaml_did() {
        let t: T = read(
            "name: 123\nn: -0x10\nu: 0o17\nf: 1.5\nb: true\nlist: [a, 2]\nmap: {a: yes, b: no}\n",
        )
        .unwrap();
        assert_eq!(t.name.as_deref(), Some("123"));
        assert_eq!(t.n, Some(-16));
        assert_eq!(t.u, Some(15));
        assert_eq!(t.f, Some(1.5));
        assert_eq!(t.b, Some(true));
        assert_eq!(t.list, ["a", "2"]);
        assert_eq!(t.map["a"], E::Yes);
        let t: T = read("name: ~\nlist:\n").unwrap();
        assert_eq!(t.name, None);
        assert!(t.list.is_empty());
        let v: yaml_serde::Value = read("a: 1\nb: \"1\"\nc: 007\nd: .inf\ne: ~\n").unwrap();
        assert_eq!(v["a"], yaml_serde::Value::Number(1.into()));
        assert_eq!(v["b"], yaml_serde::Value::String("1".into()));
        assert_eq!(v["c"], yaml_serde::Value::String("007".into()));
        assert!(v["d"].as_f64().is_some_and(f64::is_infinite));
        assert!(v["e"].is_null());
    }

    #[test]
    fn errors_have_paths_and_positions() {
        let e = read::<T>("name: x\nnmae: y\n").unwrap_err();
        assert_eq!(e.pos, Some(Pos { line: 2, column: 1 }));
        assert!(e.to_string().starts_with("unknown field `nmae`"), "{e}");
        let e = read::<T>("map:\n  a: maybe\n").unwrap_err();
        assert_eq!(e.pos, Some(Pos { line: 2, column: 6 }));
        assert_eq!(
            e.to_string(),
            "map.a: unknown variant `maybe`, expected `yes` or `no`"
        );
        let e = read::<T>("n: abc\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "n: invalid type: string \"abc\", expected i64"
        );
        let e = read::<T>("list: [a, [b]]\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "list[1]: invalid type: sequence, expected a string"
        );
        let e = read::<T>("u: -1\n").unwrap_err();
        assert_eq!(e.to_string(), "u: invalid type: integer `-1`, expected u32");
        let e = read::<T>("- a\n").unwrap_err();
        assert_eq!(e.to_string(), "invalid type: sequence, expected struct T");
    }
}
