//! The proxy's Go-faithful request-body reader: what the Docker engine makes of a request body.
//!
//! The engine decodes `POST /containers/create` (and exec create, container update) bodies with
//! Go's `encoding/json` into moby's structs. A proxy that reads the same bytes differently can be
//! bypassed, so [`decode`] re-implements the parts of `encoding/json` that matter, on the struct
//! tables of [`schema`], and returns either
//!
//! - an [`EngineError`]: the engine would refuse the body too (same HTTP status, same message),
//!   so the proxy can answer the same way without asking it; or
//! - a [`Decoded`]: the canonical meaning, as a `serde_json::Value` in which every struct field
//!   carries its moby name, duplicates are merged as Go merges them, map keys are exact, and
//!   zero values are left out. [`Decoded::body`] is that value as JSON bytes.
//!
//! # What the proxy forwards
//! The proxy judges [`Decoded::value`] and forwards [`Decoded::body`], never the original bytes:
//! the canonical JSON has no duplicate keys, no case games, no escapes in keys and no
//! legacy top-level HostConfig, so the engine reads from it exactly what was judged
//! (`decode(body(decode(x)))` = `decode(x)`, checked by the tests and the `proxy_body` fuzz
//! target).
//!
//! Fields the schema does not know are **dropped** from the canonical value and listed in
//! [`Decoded::quirks`] ([`QuirkKind::Unknown`]). For the dialect that matches the engine this
//! is exact: the engine ignores those fields too. For an engine newer than the dialect a field
//! the engine knows would be lost (never added), so the container gets fewer settings, never
//! unjudged ones; a proxy in front of such an engine should refuse bodies with unknown fields
//! rather than forward them silently. Keeping unknown fields verbatim was rejected: it would
//! let a field that only a newer engine knows (or that folds to a known name under that
//! engine's rules) reach the engine without having been judged.
//!
//! # Go rules reproduced (measured on Engine 20.10.24 / Go 1.19.8 where the engine could tell)
//! - Only the first JSON value is read, and it must be well-formed before anything is decoded
//!   (Go's scanner messages, 10,000 levels at most). 20.10 ignores anything after it;
//!   master refuses it unless it starts with `}` or `]` (`json.Decoder.More`).
//! - Struct field names: an exact match first, else the first field whose name folds equal
//!   (ASCII case, plus U+017F `ſ` ≡ `s` and U+212A `K` ≡ `k`). Map keys are exact.
//! - `\uXXXX` escapes in keys and values; a lone or mismatched surrogate escape → U+FFFD; each
//!   byte of invalid UTF-8 → U+FFFD (Go's per-byte rule, not Rust's lossy one).
//! - A duplicate key decodes into the existing value: structs and pointers to structs merge,
//!   maps merge (each entry is replaced whole), slices are decoded element by element into the
//!   old backing array (so `[null]` after `["/etc:/x"]` keeps `/etc:/x`, and a shorter list
//!   followed by a longer one brings old elements back), `[]` resets a slice, scalars are
//!   replaced, moby's `StrSlice` (`Cmd`, `Entrypoint`, `Shell`, `CapAdd`, `CapDrop` in 20.10)
//!   is replaced whole and also takes a single string.
//! - `null`: resets pointers, maps and slices; leaves bools, numbers, strings and structs alone.
//! - Integers: only integer literals (`1e3`, `1.0`, `-0` into unsigned, overflow → type error).
//!   Bools only from `true`/`false`. A type error does not stop decoding; the first one is
//!   the answer (an error from `StrSlice` or a map key stops at once and wins).
//! - 20.10 `ContainerConfigWrapper` embeds `*HostConfig` too: top-level HostConfig fields count
//!   when the body has no `HostConfig` (then all of them), and otherwise only `Memory`,
//!   `MemorySwap`, `CpuShares`, `CpusetCpus`, `VolumeDriver` fill zero inner values; top-level
//!   `Cpuset` fills an empty `CpusetCpus`.
//!
//! - moby 23+ reads one value and then refuses anything but white space, `}` or `]` after it
//!   (`dec.More()` in `runconfig.loadJSON` / `httputils.ReadJSON`); 20.10 ignores it. moby 27+
//!   dropped the embedded top-level `*HostConfig` (`container.CreateRequest`).
//!
//! Types with `UnmarshalText` (master's `netip.Addr`, `HardwareAddr`) are forwarded as the
//! strings they were; the engine parses them (and refuses what it cannot parse).
//!
//! # Not reproduced, on purpose
//! moby's checks after decoding (`validateNetMode`, `validateResources`, `validatePrivileged`,
//! restart-policy and mount validation, …) only ever refuse: the proxy forwards such a body
//! and the engine refuses it, so nothing unjudged is created. Likewise the router's
//! API-version adjustments change only what the engine does with fields the canonical body
//! already shows.
//!
//! # How the proxy calls it
//! ```text
//! let dialect = Dialect::for_api_version(api_version_of_the_engine);
//! match decode(Door::ContainerCreate, dialect, &body) {
//!     Err(e) => answer(e.status, e.json_body()),          // the engine would refuse it too
//!     Ok(d) => {
//!         let decision = session::proxy::judge_create(&d.value, name, facts, &preset, mode)?;
//!         // enforce/warn: forward decision.body if Some, else d.body(), never the client's
//!         // bytes (audit changes nothing and may forward them as sent)
//!     }
//! }
//! ```

pub mod schema;

use crate::parse::gocompat::json::{self, ScanError};
use schema::{Flat, Kind, MapKey, Struct};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Which engine's types and rules to follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Docker Engine 20.10 (API 1.41), built with Go 1.19: the engine on this machine.
    Engine20_10,
    /// moby master (2026; API 1.52), built with Go ≥ 1.24.
    Master,
}

impl Dialect {
    /// The dialect for an engine that speaks API `version` at most (the `Api-Version` header of
    /// `GET /_ping`, e.g. `1.41`): up to 1.41 (Engine ≤ 20.10) [`Dialect::Engine20_10`], newer
    /// (and an unreadable version) [`Dialect::Master`].
    ///
    /// Engines 23–26 (API 1.42–1.45) still honour HostConfig fields at the top level of a create
    /// body, which [`Dialect::Master`] drops as unknown: since the proxy forwards the canonical
    /// body, such an engine never sees them either, so nothing unjudged gets through; the
    /// client only loses those (long deprecated) settings.
    pub fn for_api_version(version: &str) -> Dialect {
        let mut parts = version.trim().trim_start_matches('v').split('.');
        let major = parts.next().and_then(|p| p.parse::<u32>().ok());
        let minor = parts.next().and_then(|p| p.parse::<u32>().ok());
        match (major, minor) {
            (Some(1), Some(m)) if m <= 41 => Dialect::Engine20_10,
            (Some(0), Some(_)) => Dialect::Engine20_10,
            _ => Dialect::Master,
        }
    }
}

/// Which request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    /// `POST /containers/create`.
    ContainerCreate,
    /// `POST /containers/{id}/exec`.
    ExecCreate,
    /// `POST /containers/{id}/update`.
    ContainerUpdate,
}

impl Door {
    /// The struct the engine decodes this door's body into.
    pub fn schema(self, dialect: Dialect) -> &'static Struct {
        match (self, dialect) {
            (Door::ContainerCreate, Dialect::Engine20_10) => &schema::CREATE_20_10,
            (Door::ContainerCreate, Dialect::Master) => &schema::CREATE_MASTER,
            (Door::ExecCreate, Dialect::Engine20_10) => &schema::EXEC_20_10,
            (Door::ExecCreate, Dialect::Master) => &schema::EXEC_MASTER,
            (Door::ContainerUpdate, Dialect::Engine20_10) => &schema::UPDATE_20_10,
            (Door::ContainerUpdate, Dialect::Master) => &schema::UPDATE_MASTER,
        }
    }
}

/// What kind of refusal an [`EngineError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The body held no JSON value (only white space).
    Empty,
    /// The body ended inside the value.
    Truncated,
    /// Go's `SyntaxError`.
    Syntax,
    /// Go's `UnmarshalTypeError` (a value of the wrong JSON type, an integer that is not one).
    Type,
    /// An `UnmarshalText` error (master: a bad port in a port-map key).
    Text,
    /// Content after the JSON value (master only).
    Trailing,
    /// A create body that sets no `Config` field at all.
    NoConfig,
}

/// A body the engine refuses: the status and message it answers with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (HTTP {status})")]
pub struct EngineError {
    pub status: u16,
    /// The engine's `message` (the JSON error body's field).
    pub message: String,
    pub kind: ErrorKind,
}

impl EngineError {
    /// The body to answer with, as the engine words an error: `{"message": …}`.
    pub fn json_body(&self) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({ "message": self.message })).unwrap_or_default()
    }
}

/// Something in the body that a plain JSON reader would read differently from the engine, or
/// that the canonical value drops. Paths are JSON-pointer-like, with canonical names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quirk {
    pub path: String,
    pub kind: QuirkKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuirkKind {
    /// A key no field of the struct answers to: the engine ignores it, the canonical value drops it.
    Unknown { key: String },
    /// A key that matched its field only by case folding or escapes (as written, unescaped).
    Folded { key: String },
    /// A field or map key given more than once (merged or replaced as Go does).
    Duplicate,
    /// 20.10: a HostConfig field at the top level of a create body (`used`: it took effect).
    TopLevelHostConfig { used: bool },
    /// 20.10: content after the JSON value, ignored by the engine.
    Trailing,
}

/// At most this many quirks are kept (a hostile body could otherwise make millions).
pub const MAX_QUIRKS: usize = 100;

/// A body as the engine reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The canonical value: what to judge.
    pub value: Value,
    /// What a plain reader would have got wrong, what was dropped (at most [`MAX_QUIRKS`]).
    pub quirks: Vec<Quirk>,
}

impl Decoded {
    /// The canonical value as JSON: what to forward to the engine instead of the original.
    pub fn body(&self) -> Vec<u8> {
        serde_json::to_vec(&self.value).unwrap_or_default()
    }
}

/// Read `body` as the engine of `dialect` reads it at `door`.
pub fn decode(door: Door, dialect: Dialect, body: &[u8]) -> Result<Decoded, EngineError> {
    let refuse = |kind: ErrorKind, go_message: String| refusal(door, dialect, kind, go_message);
    // Master's httputils.ReadJSON (exec, update) accepts an empty body (Content-Length 0).
    if body.is_empty() && dialect == Dialect::Master && door != Door::ContainerCreate {
        return Ok(Decoded {
            value: Value::Object(Map::new()),
            quirks: Vec::new(),
        });
    }
    let end = match json::scan_first_value(body) {
        Ok(end) => end,
        Err(ScanError::Eof) => return Err(refuse(ErrorKind::Empty, "EOF".into())),
        Err(ScanError::UnexpectedEof) => {
            return Err(refuse(ErrorKind::Truncated, "unexpected EOF".into()));
        }
        Err(ScanError::Syntax(m)) => return Err(refuse(ErrorKind::Syntax, m)),
    };
    let root = door.schema(dialect);
    let mut dec = Decoder {
        data: &body[..end],
        pos: 0,
        saved: None,
        ctx_struct: None,
        ctx_fields: Vec::new(),
        path: Vec::new(),
        quirks: Vec::new(),
    };
    let mut value = zero(&Kind::Struct(root));
    let kind: &'static Kind = match door {
        Door::ContainerCreate if dialect == Dialect::Engine20_10 => &ROOT_CREATE_20_10,
        Door::ContainerCreate => &ROOT_CREATE_MASTER,
        Door::ExecCreate if dialect == Dialect::Engine20_10 => &ROOT_EXEC_20_10,
        Door::ExecCreate => &ROOT_EXEC_MASTER,
        Door::ContainerUpdate if dialect == Dialect::Engine20_10 => &ROOT_UPDATE_20_10,
        Door::ContainerUpdate => &ROOT_UPDATE_MASTER,
    };
    let direct = dec.value(kind, &mut value);
    if let Err(e) = direct {
        let kind = match e {
            GoError::Type { .. } => ErrorKind::Type,
            GoError::Text(_) => ErrorKind::Text,
        };
        return Err(refuse(kind, e.message()));
    }
    if let Some(e) = dec.saved.take() {
        return Err(refuse(ErrorKind::Type, e.message()));
    }
    let rest = &body[end..];
    let trailing = rest.iter().position(|&c| !json::is_space(c));
    if let Some(at) = trailing {
        match dialect {
            Dialect::Master if !matches!(rest[at], b'}' | b']') => {
                return Err(EngineError {
                    status: 400,
                    message: "unexpected content after JSON".into(),
                    kind: ErrorKind::Trailing,
                });
            }
            Dialect::Master => {}
            Dialect::Engine20_10 => dec.quirk(String::new(), QuirkKind::Trailing),
        }
    }
    let mut quirks = std::mem::take(&mut dec.quirks);
    let value = match door {
        Door::ContainerCreate => finish_create(dialect, value, &mut quirks)?,
        _ => emit(kind, &value, false),
    };
    quirks.truncate(MAX_QUIRKS);
    Ok(Decoded { value, quirks })
}

static ROOT_CREATE_20_10: Kind = Kind::Struct(&schema::CREATE_20_10);
static ROOT_CREATE_MASTER: Kind = Kind::Struct(&schema::CREATE_MASTER);
static ROOT_EXEC_20_10: Kind = Kind::Struct(&schema::EXEC_20_10);
static ROOT_EXEC_MASTER: Kind = Kind::Struct(&schema::EXEC_MASTER);
static ROOT_UPDATE_20_10: Kind = Kind::Struct(&schema::UPDATE_20_10);
static ROOT_UPDATE_MASTER: Kind = Kind::Struct(&schema::UPDATE_MASTER);

/// The status and message the engine answers a body it cannot decode with.
fn refusal(door: Door, dialect: Dialect, kind: ErrorKind, go_message: String) -> EngineError {
    let (status, message) = match (dialect, door) {
        // runconfig.decodeContainerConfig returns the json error as is: a 500 (measured).
        (Dialect::Engine20_10, Door::ContainerCreate) => (500, go_message),
        // postContainerUpdate: `return err` (500).
        (Dialect::Engine20_10, Door::ContainerUpdate) => (500, go_message),
        // postContainerExecCreate: errdefs.InvalidParameter.
        (Dialect::Engine20_10, Door::ExecCreate) => (
            400,
            if kind == ErrorKind::Empty {
                "got EOF while reading request body".to_string()
            } else {
                go_message
            },
        ),
        // runconfig.loadJSON: invalidJSONError (InvalidParameter).
        (Dialect::Master, Door::ContainerCreate) => (400, format!("invalid JSON: {go_message}")),
        // httputils.ReadJSON.
        (Dialect::Master, _) => (
            400,
            if kind == ErrorKind::Empty {
                "invalid JSON: got EOF while reading request body".to_string()
            } else {
                format!("invalid JSON: {go_message}")
            },
        ),
    };
    EngineError {
        status,
        message,
        kind,
    }
}

// ---------------------------------------------------------------------------------------------
// Go values
// ---------------------------------------------------------------------------------------------

/// A Go value of a schema kind.
#[derive(Debug, Clone)]
enum GoVal {
    Bool(bool),
    Int(i64),
    Uint(u64),
    Str(String),
    Struct(Vec<GoVal>),
    Ptr(Option<Box<GoVal>>),
    /// `None`: a nil slice.
    Slice(Option<Backing>),
    Array(Vec<GoVal>),
    /// `None`: a nil map.
    Map(Option<GoMap>),
    Empty,
}

/// A slice and its backing array: `items[..len]` is the slice; the rest are elements an
/// earlier, longer occurrence wrote, which a later, longer one brings back (Go reuses the array).
#[derive(Debug, Clone, Default)]
struct Backing {
    len: usize,
    items: Vec<GoVal>,
}

#[derive(Debug, Clone, Default)]
struct GoMap {
    index: HashMap<String, usize>,
    entries: Vec<(String, GoVal)>,
}

impl GoMap {
    /// Insert or replace; true when the key was there.
    fn set(&mut self, key: String, v: GoVal) -> bool {
        if let Some(&i) = self.index.get(&key) {
            self.entries[i].1 = v;
            true
        } else {
            self.index.insert(key.clone(), self.entries.len());
            self.entries.push((key, v));
            false
        }
    }
}

fn zero(kind: &Kind) -> GoVal {
    match kind {
        Kind::Bool => GoVal::Bool(false),
        Kind::Int(..) => GoVal::Int(0),
        Kind::Uint(..) => GoVal::Uint(0),
        Kind::Str(_) | Kind::Text(..) => GoVal::Str(String::new()),
        Kind::StrSlice | Kind::Slice(..) => GoVal::Slice(None),
        Kind::Array(_, n, elem) => GoVal::Array((0..*n).map(|_| zero(elem)).collect()),
        Kind::Map(..) => GoVal::Map(None),
        Kind::Ptr(_) => GoVal::Ptr(None),
        Kind::Struct(s) => GoVal::Struct(s.fields.iter().map(|f| zero(&f.kind)).collect()),
        Kind::Empty => GoVal::Empty,
    }
}

fn is_zero(v: &GoVal) -> bool {
    match v {
        GoVal::Bool(b) => !b,
        GoVal::Int(n) => *n == 0,
        GoVal::Uint(n) => *n == 0,
        GoVal::Str(s) => s.is_empty(),
        GoVal::Struct(fields) => fields.iter().all(is_zero),
        GoVal::Ptr(p) => p.is_none(),
        GoVal::Slice(s) => s.is_none(),
        GoVal::Array(items) => items.iter().all(is_zero),
        GoVal::Map(m) => m.is_none(),
        GoVal::Empty => true,
    }
}

/// Go's type name for messages.
fn go_name(kind: &Kind) -> String {
    match kind {
        Kind::Bool => "bool".into(),
        Kind::Int(n, _) | Kind::Uint(n, _) | Kind::Str(n) | Kind::Text(n, _) => (*n).into(),
        Kind::StrSlice => "strslice.StrSlice".into(),
        Kind::Slice(n, _) | Kind::Array(n, _, _) | Kind::Map(n, _, _) => (*n).into(),
        Kind::Ptr(inner) => format!("*{}", go_name(inner)),
        Kind::Struct(s) => s.go.into(),
        Kind::Empty => "struct {}".into(),
    }
}

thread_local! {
    static FLAT: RefCell<HashMap<usize, Rc<Vec<Flat>>>> = RefCell::new(HashMap::new());
}

/// [`schema::flatten`], cached per struct.
fn flat(s: &'static Struct) -> Rc<Vec<Flat>> {
    let key = s as *const Struct as usize;
    FLAT.with(|cache| {
        cache
            .borrow_mut()
            .entry(key)
            .or_insert_with(|| Rc::new(schema::flatten(s)))
            .clone()
    })
}

/// Follow pointers, allocating nil ones (Go's `indirect` for a non-null value).
fn deref<'v>(mut kind: &'static Kind, mut v: &'v mut GoVal) -> (&'static Kind, &'v mut GoVal) {
    while let Kind::Ptr(inner) = kind {
        let GoVal::Ptr(p) = v else { break };
        v = &mut **p.get_or_insert_with(|| Box::new(zero(inner)));
        kind = inner;
    }
    (kind, v)
}

/// The field at `index` (through embedded structs; nil embedded pointers allocated), as Go's
/// `object` walks `f.index`.
fn field_mut<'v>(
    mut v: &'v mut GoVal,
    st: &'static Struct,
    index: &[usize],
) -> Option<&'v mut GoVal> {
    let mut st = st;
    for (k, &i) in index.iter().enumerate() {
        let GoVal::Struct(fields) = v else {
            return None;
        };
        v = fields.get_mut(i)?;
        if k + 1 < index.len() {
            let (kind, inner) = deref(&st.fields.get(i)?.kind, v);
            let Kind::Struct(next) = kind else {
                return None;
            };
            st = next;
            v = inner;
        }
    }
    Some(v)
}

/// The field at `index` without allocating: `None` behind a nil embedded pointer.
fn field_ref<'v>(mut v: &'v GoVal, st: &'static Struct, index: &[usize]) -> Option<&'v GoVal> {
    let mut st = st;
    for (k, &i) in index.iter().enumerate() {
        let GoVal::Struct(fields) = v else {
            return None;
        };
        v = fields.get(i)?;
        if k + 1 < index.len() {
            let mut kind = &st.fields.get(i)?.kind;
            while let (Kind::Ptr(inner), GoVal::Ptr(p)) = (kind, v) {
                v = p.as_deref()?;
                kind = inner;
            }
            let Kind::Struct(next) = kind else {
                return None;
            };
            st = next;
        }
    }
    Some(v)
}

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

/// An error that ends decoding at once (the saved type errors are [`TypeError`]s too).
#[derive(Debug, Clone)]
enum GoError {
    Type(TypeError),
    Text(String),
}

impl GoError {
    fn message(&self) -> String {
        match self {
            GoError::Type(t) => t.message(),
            GoError::Text(m) => m.clone(),
        }
    }
}

/// Go's `UnmarshalTypeError` with its error context.
#[derive(Debug, Clone)]
struct TypeError {
    value: String,
    go_type: String,
    strukt: Option<&'static str>,
    field: String,
}

impl TypeError {
    fn message(&self) -> String {
        match self.strukt {
            Some(s) => format!(
                "json: cannot unmarshal {} into Go struct field {s}.{} of type {}",
                self.value, self.field, self.go_type
            ),
            None if !self.field.is_empty() => format!(
                "json: cannot unmarshal {} into Go struct field .{} of type {}",
                self.value, self.field, self.go_type
            ),
            None => format!(
                "json: cannot unmarshal {} into Go value of type {}",
                self.value, self.go_type
            ),
        }
    }
}

type Res = Result<(), GoError>;

struct Decoder<'a> {
    data: &'a [u8],
    pos: usize,
    /// The first type error (Go's `savedError`).
    saved: Option<TypeError>,
    /// Go's `errorContext`: the struct being decoded and the JSON field names down to here.
    ctx_struct: Option<&'static str>,
    ctx_fields: Vec<&'static str>,
    /// Where we are, for quirks (canonical names, indices, map keys).
    path: Vec<String>,
    quirks: Vec<Quirk>,
}

impl<'a> Decoder<'a> {
    fn peek(&self) -> u8 {
        self.data.get(self.pos).copied().unwrap_or(0)
    }

    fn ws(&mut self) {
        while self.pos < self.data.len() && json::is_space(self.data[self.pos]) {
            self.pos += 1;
        }
    }

    fn here(&self) -> String {
        let mut s = String::new();
        for p in &self.path {
            s.push('/');
            s.push_str(&p.replace('~', "~0").replace('/', "~1"));
        }
        s
    }

    fn quirk(&mut self, path: String, kind: QuirkKind) {
        if self.quirks.len() < MAX_QUIRKS {
            self.quirks.push(Quirk { path, kind });
        }
    }

    fn type_error(&self, value: impl Into<String>, kind: &Kind) -> TypeError {
        TypeError {
            value: value.into(),
            go_type: go_name(kind),
            strukt: self.ctx_struct,
            field: self.ctx_fields.join("."),
        }
    }

    /// Go's `saveError`: keep the first.
    fn save(&mut self, value: impl Into<String>, kind: &Kind) {
        if self.saved.is_none() {
            self.saved = Some(self.type_error(value, kind));
        }
    }

    /// The bytes of the scalar at `pos` (a string with its quotes, a number, a word).
    fn scalar(&mut self) -> &'a [u8] {
        let start = self.pos;
        if self.peek() == b'"' {
            self.pos += 1;
            while self.pos < self.data.len() {
                match self.data[self.pos] {
                    b'\\' => self.pos += 2,
                    b'"' => {
                        self.pos += 1;
                        break;
                    }
                    _ => self.pos += 1,
                }
            }
        } else {
            while self.pos < self.data.len()
                && !matches!(self.data[self.pos], b',' | b'}' | b']' | b':')
                && !json::is_space(self.data[self.pos])
            {
                self.pos += 1;
            }
        }
        let end = self.pos.min(self.data.len());
        &self.data[start.min(end)..end]
    }

    /// Skip one (well-formed) value without looking at it.
    fn skip(&mut self) {
        let mut depth = 0usize;
        loop {
            self.ws();
            if self.pos >= self.data.len() {
                return;
            }
            match self.peek() {
                b'{' | b'[' => {
                    depth += 1;
                    self.pos += 1;
                    continue;
                }
                b'}' | b']' => {
                    self.pos += 1;
                    depth = depth.saturating_sub(1);
                }
                b',' | b':' => {
                    self.pos += 1;
                    continue;
                }
                _ => {
                    self.scalar();
                }
            }
            if depth == 0 {
                return;
            }
        }
    }

    fn value(&mut self, kind: &'static Kind, v: &mut GoVal) -> Res {
        self.ws();
        if let Kind::StrSlice = kind {
            return self.strslice(v);
        }
        match self.peek() {
            b'{' => self.object(kind, v),
            b'[' => self.array(kind, v),
            _ => {
                let item = self.scalar();
                self.literal(item, kind, v);
                Ok(())
            }
        }
    }

    fn object(&mut self, kind: &'static Kind, v: &mut GoVal) -> Res {
        let (kind, v) = deref(kind, v);
        match kind {
            Kind::Struct(st) => self.object_struct(st, v),
            Kind::Map(_, key, elem) => self.object_map(*key, elem, v),
            Kind::Empty => {
                // struct{}: no field answers to any key.
                self.object_keys(|d, key| {
                    let path =
                        format!("{}/{}", d.here(), key.replace('~', "~0").replace('/', "~1"));
                    d.quirk(path, QuirkKind::Unknown { key });
                    d.skip();
                    Ok(())
                })
            }
            _ => {
                self.save("object", kind);
                self.skip();
                Ok(())
            }
        }
    }

    /// Walk an object's members: `member` gets each unescaped key with `pos` at its value and
    /// must consume the value.
    fn object_keys(&mut self, mut member: impl FnMut(&mut Self, String) -> Res) -> Res {
        self.pos += 1; // {
        loop {
            self.ws();
            match self.peek() {
                b'}' => {
                    self.pos += 1;
                    return Ok(());
                }
                b',' => {
                    self.pos += 1;
                    continue;
                }
                b'"' => {}
                _ => {
                    // Not reachable for scanned input; stop rather than loop.
                    self.pos = self.data.len();
                    return Ok(());
                }
            }
            let key = json::unquote(self.scalar());
            self.ws();
            if self.peek() == b':' {
                self.pos += 1;
            }
            self.ws();
            member(self, key)?;
        }
    }

    fn object_struct(&mut self, st: &'static Struct, v: &mut GoVal) -> Res {
        let fields = flat(st);
        let mut seen = vec![false; fields.len()];
        self.object_keys(|d, key| {
            let found = fields
                .iter()
                .position(|f| f.name == key)
                .or_else(|| fields.iter().position(|f| fold_eq(f.name, &key)));
            let Some(fi) = found else {
                let path = format!("{}/{}", d.here(), key.replace('~', "~0").replace('/', "~1"));
                d.quirk(path, QuirkKind::Unknown { key });
                d.skip();
                return Ok(());
            };
            let field = &fields[fi];
            d.path.push(field.name.to_string());
            if key != field.name {
                let here = d.here();
                d.quirk(here, QuirkKind::Folded { key });
            }
            if std::mem::replace(&mut seen[fi], true) {
                let here = d.here();
                d.quirk(here, QuirkKind::Duplicate);
            }
            let Some(target) = field_mut(v, st, &field.index) else {
                d.skip();
                d.path.pop();
                return Ok(());
            };
            let (saved_struct, depth) = (d.ctx_struct, d.ctx_fields.len());
            d.ctx_fields.push(field.name);
            d.ctx_struct = Some(st.name());
            // An error returned here ends decoding with this context (as in Go).
            d.value(field.kind, target)?;
            d.ctx_fields.truncate(depth);
            d.ctx_struct = saved_struct;
            d.path.pop();
            Ok(())
        })
    }

    fn object_map(&mut self, key_kind: MapKey, elem: &'static Kind, v: &mut GoVal) -> Res {
        let GoVal::Map(m) = v else {
            self.skip();
            return Ok(());
        };
        let map = m.get_or_insert_with(GoMap::default);
        self.object_keys(|d, key| {
            d.path.push(key.clone());
            let mut item = zero(elem);
            d.value(elem, &mut item)?;
            let key = match key_kind {
                MapKey::Exact => key,
                MapKey::Port => parse_port(&key).map_err(GoError::Text)?,
            };
            if map.set(key, item) {
                let here = d.here();
                d.quirk(here, QuirkKind::Duplicate);
            }
            d.path.pop();
            Ok(())
        })
    }

    fn array(&mut self, kind: &'static Kind, v: &mut GoVal) -> Res {
        let (kind, v) = deref(kind, v);
        match (kind, v) {
            (Kind::Slice(_, elem), GoVal::Slice(s)) => {
                let mut b = s.take().unwrap_or_default();
                let mut i = 0;
                let r = self.elements(|d| {
                    if i >= b.items.len() {
                        b.items.push(zero(elem));
                    }
                    if i >= b.len {
                        b.len = i + 1;
                    }
                    d.path.push(i.to_string());
                    let r = d.value(elem, &mut b.items[i]);
                    d.path.pop();
                    i += 1;
                    r
                });
                if i < b.len {
                    b.len = i;
                }
                if i == 0 {
                    b = Backing::default();
                }
                *s = Some(b);
                r
            }
            (Kind::Array(_, n, elem), GoVal::Array(items)) => {
                let mut i = 0;
                self.elements(|d| {
                    if i < *n {
                        d.path.push(i.to_string());
                        let r = d.value(elem, &mut items[i]);
                        d.path.pop();
                        r?;
                    } else {
                        d.skip(); // past the end of a fixed array: dropped unread
                    }
                    i += 1;
                    Ok(())
                })?;
                for item in items.iter_mut().skip(i) {
                    *item = zero(elem);
                }
                Ok(())
            }
            (kind, _) => {
                self.save("array", kind);
                self.skip();
                Ok(())
            }
        }
    }

    /// Walk an array's elements: `element` is called with `pos` at each and must consume it.
    fn elements(&mut self, mut element: impl FnMut(&mut Self) -> Res) -> Res {
        self.pos += 1; // [
        loop {
            self.ws();
            match self.peek() {
                b']' => {
                    self.pos += 1;
                    return Ok(());
                }
                b',' => {
                    self.pos += 1;
                    continue;
                }
                _ if self.pos >= self.data.len() => return Ok(()),
                _ => element(self)?,
            }
        }
    }

    /// Go's `literalStore` for `null`, `true`/`false`, a string or a number.
    fn literal(&mut self, item: &[u8], kind: &'static Kind, v: &mut GoVal) {
        let Some(&c) = item.first() else { return };
        if c == b'n' {
            match (kind, v) {
                (Kind::Ptr(_), GoVal::Ptr(p)) => *p = None,
                (Kind::Map(..), GoVal::Map(m)) => *m = None,
                (Kind::Slice(..), GoVal::Slice(s)) => *s = None,
                (Kind::Text(_, true), GoVal::Str(s)) => s.clear(),
                _ => {} // null leaves bools, numbers, strings, structs alone
            }
            return;
        }
        let (kind, v) = deref(kind, v);
        if let Kind::Text(..) = kind
            && c != b'"'
        {
            self.save(
                if c == b't' || c == b'f' {
                    "bool"
                } else {
                    "number"
                },
                kind,
            );
            return;
        }
        match c {
            b't' | b'f' => match (kind, v) {
                (Kind::Bool, GoVal::Bool(b)) => *b = c == b't',
                _ => self.save("bool", kind),
            },
            b'"' => match (kind, v) {
                (Kind::Str(_) | Kind::Text(..), GoVal::Str(s)) => *s = json::unquote(item),
                _ => self.save("string", kind),
            },
            _ => {
                let s = String::from_utf8_lossy(item);
                match (kind, v) {
                    (Kind::Int(_, bits), GoVal::Int(n)) => match s.parse::<i64>() {
                        Ok(x) if fits_int(x, *bits) => *n = x,
                        _ => self.save(format!("number {s}"), kind),
                    },
                    (Kind::Uint(_, bits), GoVal::Uint(n)) => match s.parse::<u64>() {
                        Ok(x) if !s.starts_with('+') && fits_uint(x, *bits) => *n = x,
                        _ => self.save(format!("number {s}"), kind),
                    },
                    _ => self.save("number", kind),
                }
            }
        }
    }

    /// moby's `StrSlice.UnmarshalJSON`: an array of strings (null elements read as ""), or one
    /// string, or null; replaces the old value whole. Anything else ends decoding with
    /// "cannot unmarshal X into … of type string".
    fn strslice(&mut self, v: &mut GoVal) -> Res {
        let GoVal::Slice(s) = v else {
            self.skip();
            return Ok(());
        };
        match self.peek() {
            b'n' => {
                self.scalar();
                *s = None;
                Ok(())
            }
            b'"' => {
                let one = json::unquote(self.scalar());
                *s = Some(Backing {
                    len: 1,
                    items: vec![GoVal::Str(one)],
                });
                Ok(())
            }
            b'[' => {
                let mut items = Vec::new();
                let mut bad = false;
                self.elements(|d| {
                    match d.peek() {
                        b'"' => items.push(GoVal::Str(json::unquote(d.scalar()))),
                        b'n' => {
                            d.scalar();
                            items.push(GoVal::Str(String::new()));
                        }
                        _ => {
                            bad = true;
                            d.skip();
                        }
                    }
                    Ok(())
                })?;
                if bad {
                    return Err(GoError::Type(
                        self.type_error("array", &Kind::Str("string")),
                    ));
                }
                *s = Some(Backing {
                    len: items.len(),
                    items,
                });
                Ok(())
            }
            c => {
                let what = match c {
                    b'{' => "object",
                    b't' | b'f' => "bool",
                    _ => "number",
                };
                self.skip();
                Err(GoError::Type(self.type_error(what, &Kind::Str("string"))))
            }
        }
    }
}

fn fits_int(x: i64, bits: u32) -> bool {
    bits >= 64 || (x >= -(1i64 << (bits - 1)) && x < (1i64 << (bits - 1)))
}

fn fits_uint(x: u64, bits: u32) -> bool {
    bits >= 64 || x < (1u64 << bits)
}

/// Does `key` fold to the (ASCII) field name `name` under Go's rules? ASCII letters ignore case;
/// U+017F (ſ) folds to `s`, U+212A (Kelvin sign) to `k`; everything else must be equal.
pub fn fold_eq(name: &str, key: &str) -> bool {
    let mut n = name.bytes();
    for c in key.chars() {
        let Some(b) = n.next() else { return false };
        let folded = match c {
            '\u{17f}' => 'S',
            '\u{212a}' => 'K',
            c => c.to_ascii_uppercase(),
        };
        if folded != char::from(b.to_ascii_uppercase()) {
            return false;
        }
    }
    n.next().is_none()
}

/// master's `network.Port.UnmarshalText`: `""` → `""`, `80` → `80/tcp`, `80/UDP` → `80/udp`.
fn parse_port(s: &str) -> Result<String, String> {
    if s.is_empty() {
        return Ok(String::new());
    }
    let (port, proto) = s.split_once('/').unwrap_or((s, ""));
    if port.is_empty() {
        return Err(format!("invalid port '{port}': value is empty"));
    }
    let num: u16 = match port.parse::<u64>() {
        Ok(n) if !port.starts_with('+') => {
            u16::try_from(n).map_err(|_| format!("invalid port '{port}': value out of range"))?
        }
        _ if port.bytes().all(|b| b.is_ascii_digit()) => {
            return Err(format!("invalid port '{port}': value out of range"));
        }
        _ => return Err(format!("invalid port '{port}': invalid syntax")),
    };
    let proto = if proto.is_empty() {
        "tcp".to_string()
    } else {
        proto.to_lowercase()
    };
    Ok(format!("{num}/{proto}"))
}

// ---------------------------------------------------------------------------------------------
// The canonical value
// ---------------------------------------------------------------------------------------------

/// A Go value as canonical JSON. `in_struct`: a zero value is left out (`None`).
fn emit_opt(kind: &'static Kind, v: &GoVal, in_struct: bool) -> Option<Value> {
    if in_struct && is_zero(v) {
        return None;
    }
    Some(match (kind, v) {
        (_, GoVal::Bool(b)) => Value::Bool(*b),
        (_, GoVal::Int(n)) => Value::from(*n),
        (_, GoVal::Uint(n)) => Value::from(*n),
        (_, GoVal::Str(s)) => Value::String(s.clone()),
        (Kind::Struct(st), GoVal::Struct(_)) => {
            let mut obj = Map::new();
            for f in flat(st).iter() {
                if let Some(fv) = field_ref(v, st, &f.index)
                    && let Some(j) = emit_opt(f.kind, fv, true)
                {
                    obj.insert(f.name.to_string(), j);
                }
            }
            Value::Object(obj)
        }
        (Kind::Ptr(inner), GoVal::Ptr(Some(x))) => emit(inner, x, false),
        (Kind::Slice(_, elem), GoVal::Slice(Some(b))) => Value::Array(
            b.items
                .iter()
                .take(b.len)
                .map(|x| emit(elem, x, false))
                .collect(),
        ),
        (Kind::StrSlice, GoVal::Slice(Some(b))) => Value::Array(
            b.items
                .iter()
                .take(b.len)
                .map(|x| emit(&STRING, x, false))
                .collect(),
        ),
        (Kind::Array(_, _, elem), GoVal::Array(items)) => {
            Value::Array(items.iter().map(|x| emit(elem, x, false)).collect())
        }
        (Kind::Map(_, _, elem), GoVal::Map(Some(m))) => Value::Object(
            m.entries
                .iter()
                .map(|(k, x)| (k.clone(), emit(elem, x, false)))
                .collect(),
        ),
        // nil pointers, slices and maps
        (_, GoVal::Ptr(None) | GoVal::Slice(None) | GoVal::Map(None)) => Value::Null,
        (_, GoVal::Empty) => Value::Object(Map::new()),
        _ => Value::Null,
    })
}

static STRING: Kind = Kind::Str("string");

fn emit(kind: &'static Kind, v: &GoVal, in_struct: bool) -> Value {
    emit_opt(kind, v, in_struct).unwrap_or(Value::Null)
}

/// The create door: the HostConfig the engine uses, `Config` required, canonical object.
fn finish_create(
    dialect: Dialect,
    mut w: GoVal,
    quirks: &mut Vec<Quirk>,
) -> Result<Value, EngineError> {
    let root: &'static Kind = match dialect {
        Dialect::Engine20_10 => &ROOT_CREATE_20_10,
        Dialect::Master => &ROOT_CREATE_MASTER,
    };
    let GoVal::Struct(fields) = &mut w else {
        return Ok(Value::Null);
    };
    if matches!(fields.first(), Some(GoVal::Ptr(None))) {
        return Err(EngineError {
            status: 400,
            message: match dialect {
                Dialect::Engine20_10 => "Config cannot be empty in order to create a container",
                Dialect::Master => "config cannot be empty in order to create a container",
            }
            .into(),
            kind: ErrorKind::NoConfig,
        });
    }
    if dialect == Dialect::Engine20_10 {
        get_host_config(fields, quirks);
    }
    let mut value = emit(root, &w, false);
    if let Value::Object(obj) = &mut value {
        // A Config that is there but all zero must stay there (else: "Config cannot be empty").
        if !obj.contains_key("Image") {
            obj.insert("Image".into(), Value::String(String::new()));
        }
    }
    Ok(value)
}

/// 20.10 `ContainerConfigWrapper.getHostConfig`: fold the top-level (embedded) HostConfig and
/// `Cpuset` into the `HostConfig` the engine uses, and clear them.
fn get_host_config(fields: &mut [GoVal], quirks: &mut Vec<Quirk>) {
    use schema::{WRAP_CPUSET, WRAP_HOST_CONFIG, WRAP_OUTER_HOST_CONFIG};
    let outer = match fields.get_mut(WRAP_OUTER_HOST_CONFIG) {
        Some(GoVal::Ptr(p)) => p.take(),
        _ => None,
    };
    let cpuset = match fields.get_mut(WRAP_CPUSET) {
        Some(GoVal::Str(s)) => std::mem::take(s),
        _ => String::new(),
    };
    let Some(GoVal::Ptr(inner)) = fields.get_mut(WRAP_HOST_CONFIG) else {
        return;
    };
    if let Some(outer) = outer {
        let used = inner.is_none();
        if quirks.len() < MAX_QUIRKS {
            quirks.push(Quirk {
                path: String::new(),
                kind: QuirkKind::TopLevelHostConfig { used },
            });
        }
        match inner {
            None => *inner = Some(outer),
            Some(hc) => {
                for name in [
                    "Memory",
                    "MemorySwap",
                    "CpuShares",
                    "CpusetCpus",
                    "VolumeDriver",
                ] {
                    let from = host_field(&outer, name).cloned();
                    if let (Some(from), Some(to)) = (from, host_field_mut(hc, name))
                        && !is_zero(&from)
                        && is_zero(to)
                    {
                        *to = from;
                    }
                }
            }
        }
    }
    if let Some(hc) = inner
        && let Some(to) = host_field_mut(hc, "CpusetCpus")
        && !cpuset.is_empty()
        && is_zero(to)
    {
        *to = GoVal::Str(cpuset);
    }
}

fn host_field<'v>(hc: &'v GoVal, name: &str) -> Option<&'v GoVal> {
    let st = &schema::HOST_CONFIG_20_10;
    let f = flat(st).iter().find(|f| f.name == name)?.clone();
    field_ref(hc, st, &f.index)
}

fn host_field_mut<'v>(hc: &'v mut GoVal, name: &str) -> Option<&'v mut GoVal> {
    let st = &schema::HOST_CONFIG_20_10;
    let f = flat(st).iter().find(|f| f.name == name)?.clone();
    field_mut(hc, st, &f.index)
}

#[cfg(test)]
mod tests;
