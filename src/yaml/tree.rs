//! A positioned YAML tree: every node knows its line, column and physical route in the file.
//!
//! Built from the event stream of [`super::events`] (no serde round trip), so that:
//! - alias amplification is bounded *before* anything is expanded (aliases share nodes through
//!   `Arc`, and the expanded size of every node is counted as it is built);
//! - `<<` merge keys are resolved (single alias, inline mapping or a list of them), and entries
//!   that come from a merge are marked, so that a fix never edits them in place by mistake;
//! - duplicate keys are an error with a position, as Compose makes them.

use super::events::{Event, Mark, Reader, ScalarStyle};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Most alias references a file may contain.
pub const MAX_ALIASES: usize = 1000;
/// Most nodes aliases may add to a document once expanded (beyond the nodes written in it: a
/// generated file of 10,000 services has more than this many nodes and no alias).
pub const MAX_EXPANDED_NODES: usize = 200_000;
/// Mappings with this many keys find duplicates through a set.
const KEY_SET_FROM: usize = 32;
/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 128;

/// A 1-based line and column (columns count characters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    fn from_mark(m: &Mark) -> Pos {
        Pos {
            line: m.line + 1,
            column: m.column + 1,
        }
    }
}

/// One step of a route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    /// Keys are shared between the routes of a mapping's descendants (one allocation each).
    Key(Arc<str>),
    Index(usize),
}

/// A route; nodes share their parent's segments' keys.
pub type Route = Arc<[Seg]>;

/// `services.web.ports[0]`.
/// `path` followed by `seg`, in one allocation.
fn extend(path: &[Seg], seg: Seg) -> Route {
    path.iter().cloned().chain(std::iter::once(seg)).collect()
}

pub fn route_string(path: &[Seg]) -> String {
    use std::fmt::Write as _;
    let len = path
        .iter()
        .map(|seg| match seg {
            Seg::Key(k) => k.len() + 1,
            Seg::Index(_) => 4,
        })
        .sum();
    let mut s = String::with_capacity(len);
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Index(i) => {
                let _ = write!(s, "[{i}]");
            }
        }
    }
    s
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    Quoted,
    Block,
}

#[derive(Debug)]
pub enum Value {
    Scalar { text: String, style: Style },
    Seq(Vec<Arc<Node>>),
    Map(Vec<Entry>),
}

/// A Compose merge tag on a node (`!reset`, `!override`), as Compose v2 reads them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tag {
    #[default]
    None,
    /// `!reset`: the value is removed, and so is what earlier files or a base service set.
    Reset,
    /// `!override`: the value replaces what earlier files or a base service set, unmerged.
    Override,
}

impl Tag {
    fn of(tag: Option<&str>) -> Tag {
        match tag {
            Some("!reset") => Tag::Reset,
            Some("!override") => Tag::Override,
            _ => Tag::None,
        }
    }
}

/// Which file of a project a node was read from (an index into the project's files).
pub type FileId = u32;

#[derive(Debug)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
    /// The file the node was read from.
    pub file: FileId,
    /// `!reset` / `!override`.
    pub tag: Tag,
    /// Where the node physically sits in its file.
    pub path: Route,
    /// Flow style (`[a, b]`, `{a: b}`) for collections.
    pub flow: bool,
    /// The node carries an anchor (`&name`).
    pub anchored: bool,
    /// Nodes once aliases are expanded (this one included; saturating, and far below
    /// `u32::MAX` in any document accepted: [`MAX_EXPANDED_NODES`]).
    pub size: u32,
    /// Physical routes of the mappings merged into this one with `<<` (mostly none: a boxed
    /// slice, 16 bytes in every node).
    pub merges: Box<[Route]>,
}

#[derive(Debug)]
pub struct Entry {
    pub key: String,
    pub key_pos: Pos,
    /// Where the key physically sits.
    pub path: Route,
    pub value: Arc<Node>,
    /// The entry comes from a `<<` merge key, not from the mapping itself.
    pub merged: bool,
}

impl Node {
    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Arc<Node>]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a scalar (`None` for collections and for null).
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, style } => {
                if *style == Style::Plain && is_null_text(text) {
                    None
                } else {
                    Some(text)
                }
            }
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, style: Style::Plain } if is_null_text(text))
    }

    pub fn is_plain(&self) -> bool {
        matches!(
            &self.value,
            Value::Scalar {
                style: Style::Plain,
                ..
            }
        )
    }

    pub fn get(&self, key: &str) -> Option<&Arc<Node>> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().find(|e| e.key == key)
    }

    /// Follows keys; `None` when any step is missing.
    pub fn get_path(&self, keys: &[&str]) -> Option<&Arc<Node>> {
        let (first, rest) = keys.split_first()?;
        let mut node = self.get(first)?;
        for k in rest {
            node = node.get(k)?;
        }
        Some(node)
    }

    pub fn kind_name(&self) -> &'static str {
        match &self.value {
            Value::Scalar { .. } if self.is_null() => "null",
            Value::Scalar { .. } => "a scalar",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

pub(crate) fn is_null_text(t: &str) -> bool {
    matches!(t, "" | "~" | "null" | "Null" | "NULL")
}

/// A parse error with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeError {
    pub pos: Pos,
    pub message: String,
}

/// An open collection. Its items or entries so far sit at the end of the builder's `items` or
/// `entries` from `start` on: each collection's own vector is allocated once, at its size, when
/// it closes (no slack from growing by doubling in the tens of thousands of small mappings a
/// large file has).
enum Frame {
    Seq {
        start: usize,
        pos: Pos,
        path: Route,
        flow: bool,
        anchor: Option<String>,
        tag: Tag,
        size: usize,
    },
    Map {
        start: usize,
        /// The keys of the entries, once there are [`KEY_SET_FROM`] of them.
        keys: HashSet<String>,
        merges: Vec<(Pos, Arc<Node>)>,
        pending_key: Option<(Arc<str>, Pos, Style)>,
        pos: Pos,
        path: Route,
        flow: bool,
        anchor: Option<String>,
        tag: Tag,
        size: usize,
    },
}

struct Builder {
    anchors: HashMap<String, Arc<Node>>,
    stack: Vec<Frame>,
    /// The items of the open sequences, innermost last ([`Frame`]).
    items: Vec<Arc<Node>>,
    /// The entries of the open mappings, innermost last.
    entries: Vec<Entry>,
    root: Option<Arc<Node>>,
    aliases: usize,
    file: FileId,
    /// Nodes written in the file so far (aliases not expanded).
    written: usize,
    collection_tag: Option<(usize, String)>,
}

/// Parses one YAML document into a tree. An empty document gives `Ok(None)`.
pub fn parse(src: &str) -> Result<Option<Arc<Node>>, TreeError> {
    parse_in(src, 0)
}

/// Texts at least this long are read with the event reader on a thread of its own, feeding the
/// tree builder through a bounded channel (the reader is about 80% of parsing: the two overlap).
const PIPELINE_FROM: usize = 64 * 1024;
/// Events per message between the reader's thread and the builder.
const BATCH: usize = 256;
/// Messages in flight (bounds the events read ahead of the builder).
const IN_FLIGHT: usize = 16;

type Read = Result<(Event, Mark), super::events::ParseError>;

/// [`parse`], with every node marked as read from `file`.
pub fn parse_in(src: &str, file: FileId) -> Result<Option<Arc<Node>>, TreeError> {
    parse_noting_tags(src, file).map(|p| p.root)
}

/// A text read into a tree, and what the tree does not keep of it.
pub struct Parsed {
    pub root: Option<Arc<Node>>,
    /// The first mapping or sequence with a tag other than Compose's merge tags (`!reset`,
    /// `!override`, the only tags the tree keeps): its line (1-based) and the tag.
    pub collection_tag: Option<(usize, String)>,
}

/// [`parse_in`], noting the first collection with a tag of its own ([`Parsed`]).
pub fn parse_noting_tags(src: &str, file: FileId) -> Result<Parsed, TreeError> {
    let b = Builder {
        anchors: HashMap::new(),
        stack: Vec::new(),
        items: Vec::new(),
        entries: Vec::new(),
        root: None,
        aliases: 0,
        file,
        written: 0,
        collection_tag: None,
    };
    if src.len() < PIPELINE_FROM || !several_cores() {
        let mut reader = Reader::new(src);
        return b.build(std::iter::from_fn(|| Some(reader.next_event())));
    }
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Read>>(IN_FLIGHT);
        scope.spawn(move || {
            let mut reader = Reader::new(src);
            let mut batch = Vec::with_capacity(BATCH);
            loop {
                let read = reader.next_event();
                let last = matches!(read, Ok((Event::StreamEnd, _)) | Err(_));
                batch.push(read);
                if (batch.len() == BATCH || last)
                    && tx
                        .send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                        .is_err()
                {
                    return; // the builder stopped at an error of its own
                }
                if last {
                    return;
                }
            }
        });
        // The receiver is dropped when `build` returns, which stops the reader.
        b.build(rx.into_iter().flatten())
    })
}

/// Whether a second thread can run beside this one.
pub(crate) fn several_cores() -> bool {
    static SEVERAL: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *SEVERAL.get_or_init(|| std::thread::available_parallelism().is_ok_and(|n| n.get() > 1))
}

impl Builder {
    /// Builds the tree from the events of one stream.
    fn build(mut self, events: impl Iterator<Item = Read>) -> Result<Parsed, TreeError> {
        let mut documents = 0;
        for read in events {
            let (ev, mark) = read.map_err(|e| TreeError {
                pos: Pos::from_mark(&e.mark),
                message: e.message,
            })?;
            match ev {
                Event::StreamEnd => {
                    return Ok(Parsed {
                        root: self.root,
                        collection_tag: self.collection_tag,
                    });
                }
                Event::DocumentStart => {
                    documents += 1;
                    if documents > 1 {
                        return Err(TreeError {
                            pos: Pos::from_mark(&mark),
                            message: "a Compose file holds one YAML document; found a second one"
                                .into(),
                        });
                    }
                }
                other => self.event(other, &mark)?,
            }
        }
        // Only when the reader's thread died (it panicked: the scope passes that on).
        Err(TreeError {
            pos: Pos::default(),
            message: "the YAML reader stopped".into(),
        })
    }
}

impl Builder {
    fn child_path(&self) -> Route {
        match self.stack.last() {
            None => Arc::from([]),
            Some(Frame::Seq { start, path, .. }) => {
                extend(path, Seg::Index(self.items.len() - start))
            }
            Some(Frame::Map {
                pending_key, path, ..
            }) => match pending_key {
                Some((k, _, _)) => extend(path, Seg::Key(k.clone())),
                None => path.clone(),
            },
        }
    }

    /// Notes the first collection tag the tree does not keep ([`Parsed::collection_tag`]).
    fn note_tag(&mut self, tag: Option<&str>, pos: Pos) {
        if let Some(t) = tag
            && self.collection_tag.is_none()
            && Tag::of(Some(t)) == Tag::None
        {
            self.collection_tag = Some((pos.line, t.to_string()));
        }
    }

    fn expects_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame::Map {
                pending_key: None,
                ..
            })
        )
    }

    fn event(&mut self, ev: Event, mark: &Mark) -> Result<(), TreeError> {
        let pos = Pos::from_mark(mark);
        match ev {
            Event::Scalar {
                text,
                style,
                anchor,
                tag,
            } => {
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::Block => Style::Block,
                    ScalarStyle::Quoted => Style::Quoted,
                };
                // An explicit `!!str` tag makes a plain scalar a string.
                let style = match &tag {
                    Some(t) if t.ends_with(":str") && style == Style::Plain => Style::Quoted,
                    _ => style,
                };
                let tag = Tag::of(tag.as_deref());
                if self.expects_key() {
                    if let Some(Frame::Map { pending_key, .. }) = self.stack.last_mut() {
                        *pending_key = Some((text.into(), pos, style));
                    }
                    return Ok(());
                }
                self.written += 1;
                let node = Arc::new(Node {
                    value: Value::Scalar { text, style },
                    pos,
                    file: self.file,
                    tag,
                    path: self.child_path(),
                    flow: false,
                    anchored: anchor.is_some(),
                    size: 1,
                    merges: Box::default(),
                });
                if let Some(a) = anchor {
                    self.anchors.insert(a, node.clone());
                }
                self.push_node(node, pos)
            }
            Event::Alias(name) => {
                self.aliases += 1;
                if self.aliases > MAX_ALIASES {
                    return Err(TreeError {
                        pos,
                        message: format!(
                            "more than {MAX_ALIASES} alias references: refusing a file that may \
                             expand without bound (alias amplification)"
                        ),
                    });
                }
                let node = self.anchors.get(&name).cloned().ok_or_else(|| TreeError {
                    pos,
                    message: format!("alias *{name} refers to no anchor"),
                })?;
                if self.expects_key() {
                    return Err(TreeError {
                        pos,
                        message: "an alias used as a mapping key is not supported".into(),
                    });
                }
                self.push_node(node, pos)
            }
            Event::SequenceStart { anchor, tag, flow } => {
                self.check_key_position(pos)?;
                self.note_tag(tag.as_deref(), pos);
                self.written += 1;
                let path = self.child_path();
                self.open(Frame::Seq {
                    start: self.items.len(),
                    pos,
                    path,
                    flow,
                    anchor,
                    tag: Tag::of(tag.as_deref()),
                    size: 1,
                })
            }
            Event::MappingStart { anchor, tag, flow } => {
                self.check_key_position(pos)?;
                self.note_tag(tag.as_deref(), pos);
                self.written += 1;
                let path = self.child_path();
                self.open(Frame::Map {
                    start: self.entries.len(),
                    keys: HashSet::new(),
                    merges: Vec::new(),
                    pending_key: None,
                    pos,
                    path,
                    flow,
                    anchor,
                    tag: Tag::of(tag.as_deref()),
                    size: 1,
                })
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let frame = self.stack.pop().ok_or_else(|| TreeError {
                    pos,
                    message: "unbalanced collection".into(),
                })?;
                let (node, anchor, at) = match frame {
                    Frame::Seq { start, .. } => {
                        let items = self.items.split_off(start);
                        close(frame, items, Vec::new(), self.file, self.written)?
                    }
                    Frame::Map { start, .. } => {
                        let entries = self.entries.split_off(start);
                        close(frame, Vec::new(), entries, self.file, self.written)?
                    }
                };
                let node = Arc::new(node);
                if let Some(a) = anchor {
                    self.anchors.insert(a, node.clone());
                }
                self.push_node(node, at)
            }
            _ => Ok(()),
        }
    }

    fn check_key_position(&self, pos: Pos) -> Result<(), TreeError> {
        if self.expects_key() {
            return Err(TreeError {
                pos,
                message: "a collection used as a mapping key is not supported".into(),
            });
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(TreeError {
                pos,
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
            });
        }
        Ok(())
    }

    fn open(&mut self, frame: Frame) -> Result<(), TreeError> {
        self.stack.push(frame);
        Ok(())
    }

    fn push_node(&mut self, node: Arc<Node>, pos: Pos) -> Result<(), TreeError> {
        let add = node.size as usize;
        let written = self.written;
        match self.stack.last_mut() {
            None => {
                self.root = Some(node);
                Ok(())
            }
            Some(Frame::Seq { size, .. }) => {
                *size = size.saturating_add(add);
                check_size(*size, written, pos)?;
                self.items.push(node);
                Ok(())
            }
            Some(Frame::Map {
                start,
                merges,
                pending_key,
                size,
                path,
                keys,
                ..
            }) => {
                *size = size.saturating_add(add);
                check_size(*size, written, pos)?;
                let Some((key, key_pos, style)) = pending_key.take() else {
                    return Err(TreeError {
                        pos,
                        message: "value without a key".into(),
                    });
                };
                if &*key == "<<" && style == Style::Plain {
                    merges.push((key_pos, node));
                    return Ok(());
                }
                // Large mappings (thousands of services) get a set of their keys; small ones
                // are scanned.
                let entries = &mut self.entries;
                let own = &entries[*start..];
                let duplicate = if own.len() < KEY_SET_FROM {
                    own.iter().any(|e| *e.key == *key)
                } else {
                    if keys.is_empty() {
                        keys.extend(own.iter().map(|e| e.key.clone()));
                    }
                    !keys.insert(key.to_string())
                };
                if duplicate {
                    return Err(TreeError {
                        pos: key_pos,
                        message: format!("duplicate key `{key}`"),
                    });
                }
                // The value was made under this key (its route ends with this very key) unless it
                // is an alias of a node elsewhere.
                let p = match node.path.last() {
                    Some(Seg::Key(k)) if Arc::ptr_eq(k, &key) => node.path.clone(),
                    _ => extend(path, Seg::Key(key.clone())),
                };
                entries.push(Entry {
                    key: key.to_string(),
                    key_pos,
                    path: p,
                    value: node,
                    merged: false,
                });
                Ok(())
            }
        }
    }
}

/// A collection of `size` nodes once expanded, in a file that has `written` nodes so far: more
/// than [`MAX_EXPANDED_NODES`] of them can only come from aliases.
fn check_size(size: usize, written: usize, pos: Pos) -> Result<(), TreeError> {
    if size > MAX_EXPANDED_NODES.saturating_add(written) {
        return Err(TreeError {
            pos,
            message: format!(
                "the document expands to more than {MAX_EXPANDED_NODES} nodes through aliases \
                 (alias amplification): refusing it"
            ),
        });
    }
    Ok(())
}

/// A node's [`Node::size`] from a count.
pub fn node_size(size: usize) -> u32 {
    u32::try_from(size).unwrap_or(u32::MAX)
}

/// The node of `frame`, closed with its `items` (a sequence) or `entries` (a mapping).
fn close(
    frame: Frame,
    items: Vec<Arc<Node>>,
    mut entries: Vec<Entry>,
    file: FileId,
    written: usize,
) -> Result<(Node, Option<String>, Pos), TreeError> {
    match frame {
        Frame::Seq {
            start: _,
            pos,
            path,
            flow,
            anchor,
            tag,
            size,
        } => Ok((
            Node {
                value: Value::Seq(items),
                pos,
                file,
                tag,
                path,
                flow,
                anchored: anchor.is_some(),
                size: node_size(size),
                merges: Box::default(),
            },
            anchor,
            pos,
        )),
        Frame::Map {
            start: _,
            merges,
            pending_key,
            pos,
            path,
            flow,
            anchor,
            tag,
            size,
            keys: _,
        } => {
            if let Some((key, key_pos, _)) = pending_key {
                return Err(TreeError {
                    pos: key_pos,
                    message: format!("key `{key}` has no value"),
                });
            }
            let mut size = size;
            let mut merged_from = Vec::new();
            for (merge_pos, m) in merges {
                let sources: Vec<Arc<Node>> = match &m.value {
                    Value::Map(_) => vec![m.clone()],
                    Value::Seq(items) => items.clone(),
                    _ => {
                        return Err(TreeError {
                            pos: merge_pos,
                            message: "`<<` needs a mapping or a list of mappings".into(),
                        });
                    }
                };
                for src in sources {
                    merged_from.push(src.path.clone());
                    let Value::Map(src_entries) = &src.value else {
                        return Err(TreeError {
                            pos: merge_pos,
                            message: "`<<` needs a mapping or a list of mappings".into(),
                        });
                    };
                    for e in src_entries {
                        if entries.iter().any(|have| have.key == e.key) {
                            continue;
                        }
                        size = size.saturating_add(e.value.size as usize);
                        check_size(size, written, merge_pos)?;
                        entries.push(Entry {
                            key: e.key.clone(),
                            key_pos: e.key_pos,
                            path: e.path.clone(),
                            value: e.value.clone(),
                            merged: true,
                        });
                    }
                }
            }
            let first = entries
                .iter()
                .filter(|e| !e.merged)
                .map(|e| e.key_pos)
                .min();
            let pos = if flow { pos } else { first.unwrap_or(pos) };
            Ok((
                Node {
                    value: Value::Map(entries),
                    pos,
                    file,
                    tag,
                    path,
                    flow,
                    anchored: anchor.is_some(),
                    size: node_size(size),
                    merges: merged_from.into_boxed_slice(),
                },
                anchor,
                pos,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_paths_and_merges() {
        let src = "x-a: &a\n  user: root\n  image: a\nservices:\n  web:\n    <<: *a\n    image: nginx\n    ports: [\"80:80\", 443]\n";
        let root = parse(src).unwrap().unwrap();
        let web = root.get_path(&["services", "web"]).unwrap();
        assert_eq!(web.pos, Pos { line: 7, column: 5 });
        let image = web.entry("image").unwrap();
        assert!(!image.merged);
        assert_eq!(image.value.as_str(), Some("nginx"));
        let user = web.entry("user").unwrap();
        assert!(user.merged);
        assert_eq!(route_string(&user.value.path), "x-a.user");
        let ports = web.get("ports").unwrap();
        assert!(ports.flow);
        let p1 = &ports.as_seq().unwrap()[1];
        assert_eq!(route_string(&p1.path), "services.web.ports[1]");
        assert_eq!(
            p1.pos,
            Pos {
                line: 8,
                column: 22
            }
        );
    }

    #[test]
    fn nodes_are_small() {
        // Tens of thousands of them in a large file (bench/PROFILE.md, fifth round).
        assert!(std::mem::size_of::<Node>() <= 96);
    }

    #[test]
    fn nested_collections_keep_their_own_items() {
        let src = "a:\n  - [1, 2]\n  - {x: 1, y: [3]}\n  - 4\nb: {c: {d: 5}, e: 6}\n";
        let root = parse(src).unwrap().unwrap();
        let a = root.get("a").unwrap().as_seq().unwrap();
        assert_eq!(a.len(), 3);
        assert_eq!(a[0].as_seq().unwrap().len(), 2);
        assert_eq!(a[1].as_map().unwrap().len(), 2);
        assert_eq!(route_string(&a[2].path), "a[2]");
        let y = a[1].get("y").unwrap().as_seq().unwrap();
        assert_eq!(route_string(&y[0].path), "a[1].y[0]");
        let b = root.get("b").unwrap();
        assert_eq!(b.as_map().unwrap().len(), 2);
        assert_eq!(b.get_path(&["c", "d"]).unwrap().as_str(), Some("5"));
        assert_eq!(root.size, 14);
    }

    #[test]
    fn duplicate_keys_in_large_mappings() {
        let mut text = String::from("services:\n");
        for i in 0..100 {
            text.push_str(&format!("  s{i}: {{image: x}}\n"));
        }
        assert!(parse(&text).is_ok());
        text.push_str("  s42: {image: y}\n");
        let e = parse(&text).unwrap_err();
        assert_eq!(e.message, "duplicate key `s42`");
        assert_eq!(
            e.pos,
            Pos {
                line: 102,
                column: 3
            }
        );
    }

    #[test]
    fn duplicate_keys_and_bad_merges_are_errors() {
        let e = parse("a: 1\na: 2\n").unwrap_err();
        assert_eq!(e.pos.line, 2);
        assert!(e.message.contains("duplicate"));
        assert!(parse("a:\n  <<: 3\n").is_err());
    }

    #[test]
    fn large_files_without_aliases_are_not_amplification() {
        // 250,000 nodes written, no alias (a generated file of thousands of services).
        let mut s = String::from("services:\n");
        for i in 0..25_000 {
            s.push_str(&format!(
                "  s{i}: {{image: x, ports: [a, b, c, d, e, f, g, h]}}\n"
            ));
        }
        let root = parse(&s).unwrap().unwrap();
        assert!(root.size as usize > MAX_EXPANDED_NODES);
    }

    #[test]
    fn amplification_is_bounded() {
        let mut s = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut prev = "a".to_string();
        for i in 0..9 {
            let name = format!("l{i}");
            let refs = vec![format!("*{prev}"); 10].join(", ");
            s.push_str(&format!("{name}: &{name} [{refs}]\n"));
            prev = name;
        }
        let e = parse(&s).unwrap_err();
        assert!(e.message.contains("alias amplification"), "{e:?}");
        let mut s = String::from("a: &a x\nl: [");
        s.push_str(&vec!["*a"; 5000].join(","));
        s.push_str("]\n");
        assert!(parse(&s).unwrap_err().message.contains("alias"));
    }
}
