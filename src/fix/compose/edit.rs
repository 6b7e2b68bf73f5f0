//! The text-edit engine: [`Edit`]s on physical routes applied to the original text of a file.
//!
//! Edits are located with `yamlpath` and written as exact splices, all against one parse of the
//! document (one per service block in large files); when that is not possible (overlapping
//! edits, a comment inside a flow collection) they are applied one by one, through `yamlpatch`
//! where it is sound. Comments, anchors and key order stay as written; CRLF line ends are kept.

use super::format::indent_block;
use crate::FastMap as HashMap;
use crate::frontend::compose::tree::{Node, Seg, route_string};

/// One text edit, by physical route.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Edit {
    /// Set `key` in the mapping at `map` to the YAML text `value` (replace or add). `block`:
    /// the value in block style (each line after a newline indented relative to the key), used
    /// when the key is added to a block mapping.
    SetKey {
        map: Vec<Seg>,
        key: String,
        value: String,
        block: Option<String>,
    },
    /// Append the YAML text `item` to the sequence at `list`.
    Append { list: Vec<Seg>, item: String },
    /// Replace the scalar at `at` by the YAML text `text`.
    ReplaceScalar { at: Vec<Seg>, text: String },
    /// Remove the sequence item at `at`.
    RemoveItem { at: Vec<Seg> },
}

const PLACEHOLDER: &str = "HARDEN_PLACEHOLDER_VALUE_9F2C";

fn route<'a>(path: &'a [Seg]) -> yamlpath::Route<'a> {
    let comps: Vec<yamlpath::Component<'a>> = path
        .iter()
        .map(|s| match s {
            Seg::Key(k) => yamlpath::Component::Key(k.as_ref().into()),
            Seg::Index(i) => yamlpath::Component::Index(*i),
        })
        .collect();
    yamlpath::Route::from(comps)
}

/// Applies edits in order to `text` (whose tree is `root`, and whose first tagged collection
/// is `collection_tag`: [`crate::yaml::tree::Parsed::collection_tag`]).
pub(super) fn apply_edits(
    text: &str,
    root: &Node,
    collection_tag: Option<(usize, String)>,
    edits: &[Edit],
) -> Result<String, String> {
    let crlf = text.contains("\r\n");
    let mut cur = if crlf {
        text.replace("\r\n", "\n")
    } else {
        text.to_string()
    };
    editable_with(&cur, collection_tag)?;
    // yamlpath panics on some shapes (a comment after a key whose value is a block collection,
    // in 1.26): a panic there means "not this way", and an error if no way is left.
    let batched = quietly(|| batch(&cur, root, edits)).flatten();
    cur = match batched {
        Some(done) => done,
        None => {
            for e in edits {
                cur = quietly(|| apply_one(&cur, e))
                    .unwrap_or_else(|| Err(YAMLPATH_FAILED.to_string()))
                    .map_err(|m| format!("cannot apply {}: {m}", describe(e)))?;
            }
            cur
        }
    };
    if crlf {
        cur = cur.replace('\n', "\r\n");
    }
    Ok(cur)
}

thread_local! {
    /// A panic on this thread is caught and handled: the panic hook says nothing.
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`; `None` if it panicked, without the panic's message on stderr (the caller turns
/// it into a plain error). Threads `f` starts call [`quiet_thread`] to be quiet too.
fn quietly<T>(f: impl FnOnce() -> T) -> Option<T> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(|q| q.get()) {
                default(info);
            }
        }));
    });
    let before = QUIET.with(|q| q.replace(true));
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|q| q.set(before));
    out.ok()
}

/// On a thread started inside [`quietly`]: be as quiet as the thread that started it.
fn quiet_thread(quiet: bool) {
    QUIET.with(|q| q.set(quiet));
}

/// Why an edit failed when yamlpath panicked.
const YAMLPATH_FAILED: &str = "the YAML editing library (yamlpath) failed on this part of the \
     file; make this change by hand, or waive the rule";

/// Whether the text of a file can be edited at all (checked before any edit is planned), its
/// first tagged collection known from reading it into its tree
/// ([`crate::yaml::tree::Parsed::collection_tag`]).
pub(super) fn editable_with(
    text: &str,
    collection_tag: Option<(usize, String)>,
) -> Result<(), String> {
    if text.contains(PLACEHOLDER) {
        return Err("the file contains harden's placeholder text".into());
    }
    // A lone CR ends a line for the YAML reader but not for the line-based editing.
    let b = text.as_bytes();
    let lone_cr =
        text.contains('\r') && (0..b.len()).any(|i| b[i] == b'\r' && b.get(i + 1) != Some(&b'\n'));
    if lone_cr {
        return Err("the file has a carriage return that is not part of a CRLF line end".into());
    }
    if let Some((line, tag)) = collection_tag {
        return Err(format!(
            "line {line}: harden does not rewrite files with a tag on a mapping or sequence \
             (`{tag}`); fix this file by hand (lint still reads it)"
        ));
    }
    Ok(())
}

/// A text splice computed against one parse of the document.
pub(super) struct Splice {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) text: String,
    /// Depth of the container edited (deeper content comes first at a shared position).
    pub(super) depth: usize,
    pub(super) seq: usize,
    /// An item inserted into a flow collection (`[a, b]`, `{a: b}`): its text without the
    /// separator, so that several insertions at one place get `, ` between them.
    pub(super) flow_item: Option<String>,
}

impl Splice {
    /// `text` in place of `start..end`, in a container at `depth`.
    pub(super) fn new(start: usize, end: usize, text: String, depth: usize) -> Splice {
        Splice {
            start,
            end,
            text,
            depth,
            seq: 0,
            flow_item: None,
        }
    }

    /// `item` inserted at `at` into a flow collection at `depth`, after `sep`.
    pub(super) fn flow_item(at: usize, sep: &str, item: String, depth: usize) -> Splice {
        Splice {
            start: at,
            end: at,
            text: format!("{sep}{item}"),
            depth,
            seq: 0,
            flow_item: Some(item),
        }
    }
}

/// Below this many services a file is queried as one document.
const BLOCKS_FROM: usize = 16;

/// The documents edits are located in. yamlpath finds a key by scanning its mapping, so in a
/// file with thousands of services every query would scan them all (quadratic: 5,000 services
/// took half a minute). Each service of a block-style `services:` mapping is therefore parsed
/// on its own, as `services:` followed by the service's lines, which gives the same structure
/// for that service; a service whose lines hold an alias (`*x`, `<<: *x`: the anchor may be
/// elsewhere) and every edit outside a service use the whole document.
struct Docs<'t> {
    text: &'t str,
    whole: Option<Option<yamlpath::Document>>,
    /// Service name → byte range of its lines.
    blocks: &'t HashMap<String, (usize, usize)>,
    /// The last service's own document (`None`: use the whole one).
    parsed: HashMap<String, Option<yamlpath::Document>>,
}

const BLOCK_PREFIX: &str = "services:\n";

impl<'t> Docs<'t> {
    fn new(text: &'t str, blocks: &'t HashMap<String, (usize, usize)>) -> Self {
        Docs {
            text,
            whole: None,
            blocks,
            parsed: HashMap::default(),
        }
    }

    /// The text of the service an edit at `route` is in, as its own document (`services:` and
    /// the service's lines), and the offset of that text in the file; `None` when the edit is
    /// located in the whole document (outside a service, an alias in the service, small files).
    fn block_text(&self, route: &[Seg]) -> Option<(String, isize)> {
        let name = match route {
            [Seg::Key(s), Seg::Key(name), ..] if &**s == "services" => name,
            _ => return None,
        };
        let &(start, end) = self.blocks.get(&**name)?;
        let lines = &self.text[start..end];
        if lines.contains('*') {
            return None;
        }
        let mut sub = String::with_capacity(BLOCK_PREFIX.len() + lines.len() + 1);
        sub.push_str(BLOCK_PREFIX);
        sub.push_str(lines);
        Some((sub, start as isize - BLOCK_PREFIX.len() as isize))
    }

    /// The document for an edit at `route`, the offset of its text in the file, and whether it
    /// is a service's own block (no alias in it: its structure is the file's as written).
    fn for_route(&mut self, route: &[Seg]) -> Option<(&yamlpath::Document, isize, bool)> {
        let name = match route {
            [Seg::Key(s), Seg::Key(name), ..] if &**s == "services" => Some(name),
            _ => None,
        };
        if let Some(&(start, end)) = name.and_then(|n| self.blocks.get(&**n)) {
            let name = name.cloned().unwrap_or_default();
            let text = self.text;
            // Edits come service by service: keep one service's document at a time (all of
            // them at once took 100 MB for 5,000 services).
            if !self.parsed.contains_key(&*name) {
                self.parsed.clear();
            }
            let doc = self.parsed.entry(name.to_string()).or_insert_with(|| {
                let lines = &text[start..end];
                if lines.contains('*') {
                    return None;
                }
                let mut sub = String::with_capacity(BLOCK_PREFIX.len() + lines.len() + 1);
                sub.push_str(BLOCK_PREFIX);
                sub.push_str(lines);
                doc(&sub).ok()
            });
            if let Some(d) = doc {
                return Some((d, start as isize - BLOCK_PREFIX.len() as isize, true));
            }
        }
        let text = self.text;
        self.whole
            .get_or_insert_with(|| doc(text).ok())
            .as_ref()
            .map(|d| (d, 0, false))
    }
}

/// Byte ranges of the lines of each service (from its key's line to the next key's line), when
/// `services` is a block mapping with at least [`BLOCKS_FROM`] services of its own.
fn service_blocks(text: &str, root: &Node) -> Option<HashMap<String, (usize, usize)>> {
    let services = root.entry("services")?;
    if services.merged || services.value.flow {
        return None;
    }
    let entries = services.value.as_map()?;
    if entries.len() < BLOCKS_FROM || entries.iter().any(|e| e.merged || e.key == "<<") {
        return None;
    }
    let mut line_starts = vec![0];
    line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    let start_of = |line: usize| line_starts.get(line.checked_sub(1)?).copied();
    // Where the services mapping ends: the next top-level key after `services`, or the end.
    let after = root
        .as_map()?
        .iter()
        .filter(|e| !e.merged && e.key_pos.line > services.key_pos.line)
        .map(|e| e.key_pos.line)
        .min();
    let end = match after {
        Some(line) => start_of(line)?,
        None => text.len(),
    };
    let mut keys: Vec<(usize, &str)> = entries
        .iter()
        .map(|e| (e.key_pos.line, e.key.as_str()))
        .collect();
    keys.sort();
    let mut blocks = HashMap::with_capacity_and_hasher(keys.len(), Default::default());
    for (i, (line, name)) in keys.iter().enumerate() {
        let s = start_of(*line)?;
        let e = match keys.get(i + 1) {
            Some((next, _)) if next == line => return None, // two keys on one line
            Some((next, _)) => start_of(*next)?,
            None => end,
        };
        if e < s || blocks.insert(name.to_string(), (s, e)).is_some() {
            return None;
        }
    }
    Some(blocks)
}

/// Applies every edit against a single parse (one read of the events per file, or per service
/// block for large files; one tree-sitter parse where they cannot locate an edit). `None` when
/// an edit needs the sequential path (overlapping edits, a comment inside a flow collection).
fn batch(text: &str, root: &Node, edits: &[Edit]) -> Option<String> {
    batch_with(text, root, edits, true)
}

/// [`batch`], with the edits located by the events first (`spans`) or by yamlpath only.
fn batch_with(text: &str, root: &Node, edits: &[Edit], spans: bool) -> Option<String> {
    let blocks = service_blocks(text, root).unwrap_or_default();
    // Each service's mapping as written, by name (for the services that have blocks).
    let services: HashMap<&str, &Node> = match root.entry("services") {
        Some(s) if !blocks.is_empty() => s
            .value
            .as_map()
            .unwrap_or_default()
            .iter()
            .filter(|e| !e.merged)
            .map(|e| (e.key.as_str(), &*e.value))
            .collect(),
        _ => HashMap::default(),
    };
    // The splices of `edits`, the first of which is edit number `first`: the edits of one
    // service at a time, against that service's document.
    let locate = |edits: &[Edit], first: usize| -> Option<Vec<Splice>> {
        let mut docs = Docs::new(text, &blocks);
        let mut splices = Vec::with_capacity(edits.len());
        // The groups of edits (one service's, or outside services) and their documents.
        let mut groups = Vec::new();
        let mut at = 0;
        while at < edits.len() {
            let name = service_of(&edits[at]);
            let end = at
                + edits[at..]
                    .iter()
                    .take_while(|e| service_of(e) == name)
                    .count();
            let own = if spans {
                docs.block_text(edit_route(&edits[at]))
            } else {
                None
            };
            groups.push((at, end, own));
            at = end;
        }
        // The edits located in the whole document: one read of its events for all of them.
        let mut whole: Vec<Option<Splice>> = Vec::new();
        if spans {
            let in_whole: Vec<&Edit> = groups
                .iter()
                .filter(|g| g.2.is_none())
                .flat_map(|&(at, end, _)| &edits[at..end])
                .collect();
            if !in_whole.is_empty() {
                whole = super::locate::locate(text, &in_whole).unwrap_or_default();
            }
        }
        let mut whole = whole.into_iter();
        for (at, end, own) in groups {
            if spans {
                let located: Option<Vec<Splice>> = match &own {
                    Some((sub, offset)) => {
                        let group: Vec<&Edit> = edits[at..end].iter().collect();
                        super::locate::locate(sub, &group).and_then(|sps| {
                            sps.into_iter()
                                .map(|sp| {
                                    let mut sp = sp?;
                                    sp.start = sp.start.checked_add_signed(*offset)?;
                                    sp.end = sp.end.checked_add_signed(*offset)?;
                                    Some(sp)
                                })
                                .collect()
                        })
                    }
                    None => {
                        // Exactly this group's results, whether or not all were located.
                        let mine: Vec<Option<Splice>> = whole.by_ref().take(end - at).collect();
                        if mine.len() == end - at {
                            mine.into_iter().collect()
                        } else {
                            None
                        }
                    }
                };
                if let Some(located) = located {
                    for (seq, mut sp) in located.into_iter().enumerate() {
                        sp.seq = first + at + seq;
                        splices.push(sp);
                    }
                    continue;
                }
            }
            let name = service_of(&edits[at]);
            let (d, offset, block) = docs.for_route(edit_route(&edits[at]))?;
            let mut known = Known {
                service: name
                    .filter(|_| block)
                    .and_then(|n| services.get(n).copied()),
                maps: Vec::new(),
            };
            for (seq, e) in edits[at..end].iter().enumerate() {
                let mut sp = splice_for(d, e, &mut known).ok()??;
                sp.start = sp.start.checked_add_signed(offset)?;
                sp.end = sp.end.checked_add_signed(offset)?;
                sp.seq = first + at + seq;
                splices.push(sp);
            }
        }
        Some(splices)
    };
    // Each service block is its own document: the second half of the edits is located on
    // another thread (each half parses its own services' documents).
    let mut splices = match halfway(edits) {
        Some(mid) if !blocks.is_empty() && crate::yaml::tree::several_cores() => {
            let quiet = QUIET.with(|q| q.get());
            std::thread::scope(|scope| {
                let other = scope.spawn(|| {
                    quiet_thread(quiet);
                    locate(&edits[mid..], mid)
                });
                let first = locate(&edits[..mid], 0);
                let second = other
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                let mut all = first?;
                all.extend(second?);
                Some(all)
            })?
        }
        _ => locate(edits, 0)?,
    };
    // Later positions first; at one position the deepest and earliest edit ends up first.
    splices.sort_by(|a, b| {
        b.start
            .cmp(&a.start)
            .then(a.depth.cmp(&b.depth))
            .then(b.seq.cmp(&a.seq))
    });
    // Several items inserted at one place of a flow collection: the first one (in the text)
    // keeps the separator it was computed with, the others follow it after `, `.
    let mut first_flow: HashMap<usize, usize> = HashMap::default();
    for sp in splices.iter().filter(|s| s.flow_item.is_some()) {
        let seq = first_flow.entry(sp.start).or_insert(sp.seq);
        *seq = (*seq).min(sp.seq);
    }
    let mut floor = usize::MAX;
    for sp in &mut splices {
        if sp.end > floor
            || sp.start > sp.end
            || !text.is_char_boundary(sp.start)
            || !text.is_char_boundary(sp.end)
        {
            return None;
        }
        if let Some(item) = &sp.flow_item
            && first_flow.get(&sp.start) != Some(&sp.seq)
        {
            sp.text = format!(", {item}");
        }
        floor = floor.min(sp.start);
    }
    // Applying them from the end backwards is the same as writing them from the start forwards
    // in the reverse order (one copy of the text instead of one per splice).
    let mut out =
        String::with_capacity(text.len() + splices.iter().map(|s| s.text.len()).sum::<usize>());
    let mut at = 0;
    for sp in splices.iter().rev() {
        out.push_str(&text[at..sp.start]);
        out.push_str(&sp.text);
        at = sp.end;
    }
    out.push_str(&text[at..]);
    Some(out)
}

/// Edits from this many on are located on two threads (when the file has service blocks).
const PARALLEL_FROM: usize = 256;

/// Where to cut `edits` in two for two threads: the first edit of a service near the middle.
fn halfway(edits: &[Edit]) -> Option<usize> {
    if edits.len() < PARALLEL_FROM {
        return None;
    }
    let mut mid = edits.len() / 2;
    while mid < edits.len() && service_of(&edits[mid]) == service_of(&edits[mid - 1]) {
        mid += 1;
    }
    (mid < edits.len()).then_some(mid)
}

/// The service an edit is in (`None`: outside `services`).
fn service_of(e: &Edit) -> Option<&str> {
    match edit_route(e) {
        [Seg::Key(s), Seg::Key(name), ..] if &**s == "services" => Some(name),
        _ => None,
    }
}

/// What is known while one document's edits are located: the service's mapping in the file's
/// own tree (when the document is that service's own block) and the mappings queried so far
/// (several keys are added to one mapping).
struct Known<'d, 'r> {
    service: Option<&'r Node>,
    maps: Vec<(Vec<Seg>, yamlpath::Feature<'d>)>,
}

impl<'d> Known<'d, '_> {
    /// Whether the file's tree says that the mapping at `map` has no `key` as written (`false`
    /// when it cannot say). yamlpath would then not find it either: it matches keys as
    /// written (quotes taken off), and a key written as a plain name reads as that name.
    fn absent(&self, map: &[Seg], key: &str) -> bool {
        let (Some(mut node), Some(inside)) = (self.service, map.get(2..)) else {
            return false;
        };
        for seg in inside {
            let next = match seg {
                Seg::Key(k) => node
                    .as_map()
                    .and_then(|m| m.iter().find(|e| !e.merged && *e.key == **k))
                    .map(|e| &e.value),
                Seg::Index(i) => node.as_seq().and_then(|items| items.get(*i)),
            };
            match next {
                Some(n) => node = n,
                None => return false,
            }
        }
        *node.path == *map
            && node
                .as_map()
                .is_some_and(|m| !m.iter().any(|e| !e.merged && e.key == key))
    }

    /// The mapping at `map` (queried once per document).
    fn map(
        &mut self,
        d: &'d yamlpath::Document,
        map: &[Seg],
    ) -> Result<&yamlpath::Feature<'d>, String> {
        let at = match self.maps.iter().position(|(r, _)| r == map) {
            Some(at) => at,
            None => {
                let f = d
                    .query_exact(&route(map))
                    .map_err(|e| e.to_string())?
                    .ok_or("no mapping there")?;
                self.maps.push((map.to_vec(), f));
                self.maps.len() - 1
            }
        };
        Ok(&self.maps[at].1)
    }
}

/// The route an edit starts from.
fn edit_route(e: &Edit) -> &[Seg] {
    match e {
        Edit::SetKey { map, .. } => map,
        Edit::Append { list, .. } => list,
        Edit::ReplaceScalar { at, .. } | Edit::RemoveItem { at } => at,
    }
}

/// Where to insert a new item into the flow collection spanning `s..end` of `src` (closed by
/// `close`), and the separator it needs. `None` when a comment sits inside (an insertion after
/// it would be commented out).
pub(super) fn flow_insert(
    src: &str,
    s: usize,
    end: usize,
    close: char,
) -> Option<(usize, &'static str)> {
    let body = &src[s..end];
    if body
        .char_indices()
        .any(|(i, c)| c == '#' && (i == 0 || body[..i].ends_with([' ', '\t', '\n'])))
    {
        return None;
    }
    let close = body.rfind(close).map(|i| s + i)?;
    let before = src[s..close].trim_end();
    let at = s + before.len();
    let sep = if before.ends_with(['[', '{']) {
        ""
    } else if before.ends_with(',') {
        " "
    } else {
        ", "
    };
    Some((at, sep))
}

fn splice_for<'d>(
    d: &'d yamlpath::Document,
    e: &Edit,
    known: &mut Known<'d, '_>,
) -> Result<Option<Splice>, String> {
    let src = d.source();
    let mk = |start, end, text, depth| Ok(Some(Splice::new(start, end, text, depth)));
    let flow = |at, sep: &str, item, depth| Ok(Some(Splice::flow_item(at, sep, item, depth)));
    match e {
        Edit::SetKey {
            map,
            key,
            value,
            block,
        } => {
            let mut key_path = map.clone();
            key_path.push(Seg::Key(key.as_str().into()));
            // One query: `Err` is where the key is not there (what `query_exists` asks); none
            // when the file's tree says so.
            let found = if known.absent(map, key) {
                None
            } else {
                d.query_exact(&route(&key_path)).ok()
            };
            if let Some(found) = found {
                match found {
                    Some(f) => {
                        let (s, end) = f.location.byte_span;
                        mk(s, end, value.clone(), key_path.len())
                    }
                    None => {
                        let f = d
                            .query_key_only(&route(&key_path))
                            .map_err(|e| e.to_string())?;
                        let end = f.location.byte_span.1;
                        let colon = src[end..]
                            .find(':')
                            .map(|i| end + i + 1)
                            .ok_or("no colon after the key")?;
                        mk(colon, colon, format!(" {value}"), key_path.len())
                    }
                }
            } else {
                let top;
                let f = if map.is_empty() {
                    top = d.top_feature().map_err(|e| e.to_string())?;
                    &top
                } else {
                    known.map(d, map)?
                };
                if f.kind() == yamlpath::FeatureKind::FlowMapping {
                    let (s, end) = f.location.byte_span;
                    return match flow_insert(src, s, end, '}') {
                        Some((at, sep)) => flow(at, sep, format!("{key}: {value}"), map.len()),
                        None => Ok(None),
                    };
                }
                if f.kind() != yamlpath::FeatureKind::BlockMapping {
                    return Ok(None);
                }
                let indent =
                    " ".repeat(yamlpatch::extract_leading_indentation_for_block_item(d, f));
                let ins = yamlpatch::find_content_end(f, d);
                let entry = key_entry(src, ins, f.location.byte_span.1, &indent, key, value, block);
                mk(ins, ins, entry, map.len())
            }
        }
        Edit::Append { list, item } => {
            let f = d
                .query_exact(&route(list))
                .map_err(|e| e.to_string())?
                .ok_or("the list is empty")?;
            match f.kind() {
                yamlpath::FeatureKind::BlockSequence => {
                    let indent = yamlpatch::extract_leading_whitespace(d, &f);
                    let ins = yamlpatch::find_content_end(&f, d);
                    mk(ins, ins, item_entry(src, ins, indent, item), list.len())
                }
                yamlpath::FeatureKind::FlowSequence => {
                    let (s, end) = f.location.byte_span;
                    match flow_insert(src, s, end, ']') {
                        Some((at, sep)) => flow(at, sep, item.clone(), list.len()),
                        None => Ok(None),
                    }
                }
                _ => Err("not a list".into()),
            }
        }
        Edit::ReplaceScalar { at, text } => {
            let f = d
                .query_exact(&route(at))
                .map_err(|e| e.to_string())?
                .ok_or("no value there")?;
            if f.kind() != yamlpath::FeatureKind::Scalar {
                return Err("not a scalar".into());
            }
            let (s, end) = f.location.byte_span;
            mk(s, end, text.clone(), at.len())
        }
        Edit::RemoveItem { .. } => {
            // Compute through the sequential code on this document and diff the result.
            let new = apply_one(src, e)?;
            let prefix = src
                .bytes()
                .zip(new.bytes())
                .take_while(|(a, b)| a == b)
                .count();
            let removed = src.len() - new.len();
            if !src.is_char_boundary(prefix) || !src.is_char_boundary(prefix + removed) {
                return Ok(None);
            }
            mk(prefix, prefix + removed, String::new(), 0)
        }
    }
}

fn describe(e: &Edit) -> String {
    match e {
        Edit::SetKey { map, key, .. } => format!("set {}.{key}", route_string(map)),
        Edit::Append { list, .. } => format!("append to {}", route_string(list)),
        Edit::ReplaceScalar { at, .. } => format!("replace {}", route_string(at)),
        Edit::RemoveItem { at } => format!("remove {}", route_string(at)),
    }
}

fn doc(text: &str) -> Result<yamlpath::Document, String> {
    yamlpath::Document::new(text.to_string()).map_err(|e| format!("the YAML cannot be edited: {e}"))
}

fn apply_one(text: &str, e: &Edit) -> Result<String, String> {
    let d = doc(text)?;
    match e {
        Edit::SetKey {
            map,
            key,
            value,
            block,
        } => {
            let mut key_path = map.clone();
            key_path.push(Seg::Key(key.as_str().into()));
            // One query: `Err` is where the key is not there (what `query_exists` asks).
            if let Ok(found) = d.query_exact(&route(&key_path)) {
                match found {
                    Some(f) => {
                        let (s, end) = f.location.byte_span;
                        let src = d.source();
                        Ok(format!("{}{value}{}", &src[..s], &src[end..]))
                    }
                    None => {
                        // `key:` with no value.
                        let f = d
                            .query_key_only(&route(&key_path))
                            .map_err(|e| e.to_string())?;
                        let src = d.source();
                        let end = f.location.byte_span.1;
                        let colon = src[end..]
                            .find(':')
                            .map(|i| end + i + 1)
                            .ok_or("no colon after the key")?;
                        Ok(format!("{} {value}{}", &src[..colon], &src[colon..]))
                    }
                }
            } else {
                let patch = yamlpatch::Patch {
                    route: route(map),
                    operation: yamlpatch::Op::Add {
                        key: key.clone(),
                        value: yaml_serde::Value::String(PLACEHOLDER.into()),
                    },
                };
                let out = yamlpatch::apply_yaml_patches(&d, &[patch]).map_err(|e| e.to_string())?;
                let s = out.source();
                if s.matches(PLACEHOLDER).count() != 1 {
                    return Err("unexpected result of adding a key".into());
                }
                // In a block mapping (the key starts its line) the block form, else flow.
                let at = s.find(PLACEHOLDER).unwrap_or(0);
                let line_start = s[..at].rfind('\n').map(|i| i + 1).unwrap_or(0);
                let line = &s[line_start..at];
                let indent = &line[..line.len() - line.trim_start_matches(' ').len()];
                let own_line = line.trim_start().starts_with(&format!("{key}:"));
                match block {
                    Some(b) if own_line && s[at..].starts_with(PLACEHOLDER) => {
                        let before = s[..at].trim_end_matches(' ');
                        Ok(format!(
                            "{before}{}{}",
                            indent_block(b, indent),
                            &s[at + PLACEHOLDER.len()..]
                        ))
                    }
                    _ => Ok(s.replace(PLACEHOLDER, value)),
                }
            }
        }
        Edit::Append { list, item } => {
            let f = d
                .query_exact(&route(list))
                .map_err(|e| e.to_string())?
                .ok_or("the list is empty")?;
            match f.kind() {
                yamlpath::FeatureKind::BlockSequence => {
                    let patch = yamlpatch::Patch {
                        route: route(list),
                        operation: yamlpatch::Op::Append {
                            value: yaml_serde::Value::String(PLACEHOLDER.into()),
                        },
                    };
                    let out =
                        yamlpatch::apply_yaml_patches(&d, &[patch]).map_err(|e| e.to_string())?;
                    let s = out.source();
                    if s.matches(PLACEHOLDER).count() != 1 {
                        return Err("unexpected result of appending".into());
                    }
                    Ok(s.replace(PLACEHOLDER, item))
                }
                yamlpath::FeatureKind::FlowSequence => {
                    let (s, end) = f.location.byte_span;
                    let src = d.source();
                    let close = src[s..end].rfind(']').map(|i| s + i).ok_or("no `]`")?;
                    let before = src[s..close].trim_end();
                    let insert_at = s + before.len();
                    let sep = if before.ends_with('[') {
                        ""
                    } else if before.ends_with(',') {
                        " "
                    } else {
                        ", "
                    };
                    Ok(format!(
                        "{}{sep}{item}{}",
                        &src[..insert_at],
                        &src[insert_at..]
                    ))
                }
                _ => Err("not a list".into()),
            }
        }
        Edit::ReplaceScalar { at, text: new } => {
            let f = d
                .query_exact(&route(at))
                .map_err(|e| e.to_string())?
                .ok_or("no value there")?;
            if f.kind() != yamlpath::FeatureKind::Scalar {
                return Err("not a scalar".into());
            }
            let (s, end) = f.location.byte_span;
            let src = d.source();
            Ok(format!("{}{new}{}", &src[..s], &src[end..]))
        }
        Edit::RemoveItem { at } => {
            let (parent, _) = at.split_at(at.len() - 1);
            let pf = d
                .query_exact(&route(parent))
                .map_err(|e| e.to_string())?
                .ok_or("no list there")?;
            let item = d
                .query_exact(&route(at))
                .map_err(|e| e.to_string())?
                .ok_or("no item there")?;
            let src = d.source();
            let flow = match pf.kind() {
                yamlpath::FeatureKind::BlockSequence => false,
                yamlpath::FeatureKind::FlowSequence => true,
                _ => return Err("not a list".into()),
            };
            let (start, end) = item_removal(src, flow, item.location.byte_span)?;
            Ok(format!("{}{}", &src[..start], &src[end..]))
        }
    }
}

/// The text that adds `key` to a block mapping whose content ends at `ins` (`span_end`: where
/// the mapping's span ends): `key: value` on a line of its own at `indent`, or `key:` and the
/// block form of the value under it.
pub(super) fn key_entry(
    src: &str,
    ins: usize,
    span_end: usize,
    indent: &str,
    key: &str,
    value: &str,
    block: &Option<String>,
) -> String {
    let mut entry = match block {
        Some(b) => format!("\n{indent}{key}:{}", indent_block(b, indent)),
        None => format!("\n{indent}{key}: {value}"),
    };
    if ins < span_end {
        entry.push('\n');
    }
    if ins > 0 && src.as_bytes()[ins - 1] == b'\n' {
        entry.remove(0);
        if !entry.ends_with('\n') {
            entry.push('\n');
        }
    }
    entry
}

/// The text that appends `item` to a block sequence whose content ends at `ins`, its items at
/// `indent`.
pub(super) fn item_entry(src: &str, ins: usize, indent: &str, item: &str) -> String {
    let after_break = ins > 0 && src.as_bytes()[ins - 1] == b'\n';
    let mut t = String::with_capacity(indent.len() + item.len() + 4);
    if ins > 0 && !after_break {
        t.push('\n');
    }
    t.push_str(indent);
    t.push_str("- ");
    t.push_str(item);
    if after_break {
        t.push('\n');
    }
    t
}

/// The bytes to remove to take out the sequence item spanning `s..end` (`flow`: of a flow
/// sequence, with its comma; else the item's whole line, which it must have to itself).
pub(super) fn item_removal(
    src: &str,
    flow: bool,
    (s, end): (usize, usize),
) -> Result<(usize, usize), &'static str> {
    if !flow {
        // The whole line of the item, from its `-`.
        let line_start = src[..s].rfind('\n').map_or(0, |i| i + 1);
        let line_end = src[end..].find('\n').map_or(src.len(), |i| end + i + 1);
        let tail = src[end..line_end].trim();
        if src[line_start..s].trim() != "-" || !(tail.is_empty() || tail.starts_with('#')) {
            return Err("the item shares its line with other content");
        }
        return Ok((line_start, line_end));
    }
    let after = &src[end..];
    let ws = after.len() - after.trim_start().len();
    if after[ws..].starts_with(',') {
        let after2 = &after[ws + 1..];
        let ws2 = after2.len() - after2.trim_start_matches([' ', '\t']).len();
        Ok((s, end + ws + 1 + ws2))
    } else {
        let before = src[..s].trim_end();
        let start = if before.ends_with(',') {
            before.len() - 1
        } else {
            s
        };
        Ok((start, end))
    }
}

#[cfg(test)]
mod tests {
    use super::super::fix;
    use super::super::plan::service_path;
    use super::super::tests::project;
    use super::*;

    /// [`editable_with`] of a text, its tagged collection found by reading its events.
    fn editable(text: &str) -> Result<(), String> {
        editable_with(text, tagged_collection(text))
    }

    /// The 1-based line and tag of the first mapping or sequence that carries a tag other than
    /// Compose's merge tags, read from the events (what the tree notes while it is built).
    fn tagged_collection(text: &str) -> Option<(usize, String)> {
        use crate::yaml::events::{Event, Reader};
        let mut reader = Reader::new(text);
        loop {
            match reader.next_event() {
                Ok((Event::MappingStart { tag: Some(t), .. }, _))
                | Ok((Event::SequenceStart { tag: Some(t), .. }, _))
                    if t == "!reset" || t == "!override" => {}
                Ok((Event::MappingStart { tag: Some(t), .. }, m))
                | Ok((Event::SequenceStart { tag: Some(t), .. }, m)) => {
                    return Some((m.line + 1, t));
                }
                Ok((Event::StreamEnd, _)) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    #[test]
    fn tagged_collections_are_not_editable() {
        let e = editable(
            "%TAG !e! tag:example.com,2000:\n---\nservices:\n  web: !e!x\n    image: nginx\n",
        )
        .unwrap_err();
        assert!(
            e.starts_with("line 4: harden does not rewrite files with a tag on a mapping or sequence (`tag:example.com,2000:x`)"),
            "{e}"
        );
        // Compose's merge tags are refused change by change (`plan`), not for the file.
        assert!(editable("services:\n  web:\n    ports: !override [\"80:80\"]\n").is_ok());
        assert!(editable("services:\n  web:\n    ports: !x [\"80:80\"]\n").is_err());
        // Tags on scalars, and `!` in text, are fine.
        assert!(
            editable("services:\n  web:\n    image: !x nginx\n    command: \"echo hi!\"\n").is_ok()
        );
        assert!(editable("a: [b,!x {}]\n").is_err());
        assert!(editable("{\"a\":!x {}}\n").is_err());
        // Reading a file into its tree notes the same tag, at the same line, as reading its
        // events again does.
        for text in [
            "%TAG !e! tag:example.com,2000:\n---\nservices:\n  web: !e!x\n    image: nginx\n",
            "services:\n  web:\n    ports: !override [\"80:80\"]\n    x: !y {}\n",
            "services:\n  web:\n    ports: !x [\"80:80\"]\n",
            "a: [b,!x {}]\n",
            "a: !reset []\nb: !!map {}\nc: !!seq []\n",
            "a: !x b\n",
            "a: b\n",
        ] {
            let parsed = crate::yaml::tree::parse_noting_tags(text, 0).unwrap();
            assert_eq!(parsed.collection_tag, tagged_collection(text), "{text:?}");
        }
    }

    #[test]
    fn keys_into_flow_mappings_are_one_batch() {
        let text = "services:\n  a: {}\n  b: { image: \"pg:1\" }\n  c: {image: x,}\n";
        let edits = |m: &str| {
            vec![
                Edit::SetKey {
                    map: service_path(m),
                    key: "read_only".into(),
                    value: "true".into(),
                    block: None,
                },
                Edit::SetKey {
                    map: service_path(m),
                    key: "pids_limit".into(),
                    value: "256".into(),
                    block: None,
                },
            ]
        };
        let all: Vec<Edit> = ["a", "b", "c"].iter().flat_map(|m| edits(m)).collect();
        let p = project(text);
        let out = batch(text, &p.files[0].root, &all).expect("one batch");
        assert_eq!(
            out,
            "services:\n  a: {read_only: true, pids_limit: 256}\n  b: { image: \"pg:1\", read_only: true, pids_limit: 256 }\n  c: {image: x, read_only: true, pids_limit: 256}\n"
        );
        // A comment inside a flow mapping: not batched (the insertion would be commented out).
        let commented = "services:\n  a: {image: x # c\n  }\n";
        let p = project(commented);
        assert_eq!(batch(commented, &p.files[0].root, &edits("a")), None);
    }

    /// Every YAML file under `dir`, recursively.
    fn yaml_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                yaml_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                out.push(p);
            }
        }
    }

    /// The events locate edits where yamlpath does: on every fixture and corpus file, and on
    /// variations of them that move where collections end (spaces and comments after the last
    /// value, comment lines, blank lines, a last line without its line break), the text
    /// written through the events equals the text written through yamlpath alone.
    #[test]
    fn events_locate_edits_as_yamlpath_does() {
        use super::super::plan::planned;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths = Vec::new();
        yaml_files(&root.join("tests/fixtures/compose"), &mut paths);
        yaml_files(&root.join("../shared/corpus/compose"), &mut paths);
        paths.sort();
        // Shapes the files above lack: values missing with a comment after the key (yamlpath
        // 1.26 panics on some), anchored services, the last line without a line break.
        let written = [
            "services:\n  web:\n    image: nginx:1\n    depends_on:  # none yet\n",
            "services:\n  web:\n    image: nginx:1\n    environment:  # in .env\n    ports:\n      - \"8080:80\"   \n",
            "services:\n  app: &app  # shared\n    image: netbox:4\n    depends_on:  # none\n  worker:  # same\n    <<: *app\n    command: rqworker\n",
            "services:\n  app: &app\n    image: a:1\n    cap_add: [SYS_ADMIN, NET_ADMIN]\n    ports: [\"80:80\", '443:443']\n  b:\n    <<: *app",
            "services:\n  web:\n    image: nginx:1  # \u{2028} a line separator\n    ports:\n      - \"80:80\"\n",
            "services:\n  \"web\":\n    image: \"caf\u{e9}:1\"\n    labels: {a: \"\u{fc}\"}\n    cap_add:\n      - NET_ADMIN\n      - SYS_ADMIN\n",
        ];
        let preset = crate::preset::Preset::builtin("default").unwrap();
        let variants = |text: &str| -> Vec<String> {
            let lines: Vec<&str> = text.lines().collect();
            let each = |f: &dyn Fn(usize, &str) -> String| -> String {
                lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| f(i, l) + "\n")
                    .collect()
            };
            let content = |l: &str| !l.trim().is_empty() && !l.trim_start().starts_with('#');
            vec![
                text.to_string(),
                // Trailing spaces on every line.
                each(&|_, l| format!("{l}   ")),
                // A comment after every value that can take one.
                each(&|_, l| {
                    if content(l) && !l.contains(['|', '>', '#', '"', '\'']) {
                        format!("{l}  # c")
                    } else {
                        l.to_string()
                    }
                }),
                // A comment line, indented as the line before, after every line.
                each(&|_, l| {
                    let ind = &l[..l.len() - l.trim_start().len()];
                    format!("{l}\n{ind}# note")
                }),
                // Trailing spaces and a blank line with spaces after every third line.
                each(&|i, l| {
                    if i % 3 == 0 {
                        format!("{l}  \n   ")
                    } else {
                        l.to_string()
                    }
                }),
                // The last line without its line break.
                text.trim_end_matches('\n').to_string(),
            ]
        };
        let (mut files, mut edits_seen, mut same_spans, mut yamlpath_failed) = (0, 0, 0, 0);
        let sources = paths
            .iter()
            .map(|p| (p.display().to_string(), std::fs::read_to_string(p).unwrap()))
            .chain(
                written
                    .iter()
                    .map(|t| ("(written)".to_string(), t.to_string())),
            );
        for (path, original) in sources {
            for text in variants(&original.replace("\r\n", "\n")) {
                let Ok(p) = crate::frontend::compose::Project::from_texts(
                    vec![(std::path::PathBuf::from("c.yaml"), text.clone())],
                    std::path::PathBuf::from("."),
                    crate::frontend::compose::interp::Env::default(),
                ) else {
                    continue;
                };
                let reqs = crate::session::compose::requests(&crate::session::compose::lint(
                    &p,
                    &preset,
                    &[],
                ));
                let (planner, results) =
                    planned(&p, &reqs, crate::frontend::compose::Target::Compose);
                for (file, edits) in planner.render(&reqs, &results) {
                    let f = &p.files[file];
                    if edits.is_empty() || editable(&f.text).is_err() {
                        continue;
                    }
                    let by_events = quietly(|| batch_with(&f.text, &f.root, &edits, true));
                    // yamlpath panics on some shapes: nothing to compare with there.
                    let Some(by_yamlpath) = quietly(|| batch_with(&f.text, &f.root, &edits, false))
                    else {
                        // ... where the events still write the file.
                        assert!(
                            matches!(by_events, Some(Some(_))),
                            "{path}: not written where yamlpath panics"
                        );
                        yamlpath_failed += 1;
                        continue;
                    };
                    let by_events = by_events.expect("the events locate without yamlpath");
                    assert_eq!(
                        by_events,
                        by_yamlpath,
                        "{path} (variant of {} lines)",
                        text.lines().count()
                    );
                    files += 1;
                    edits_seen += edits.len();
                    let group: Vec<&Edit> = edits.iter().collect();
                    if let Some(located) = super::super::locate::locate(&f.text, &group) {
                        same_spans += located.iter().filter(|s| s.is_some()).count();
                    }
                }
            }
        }
        println!(
            "{files} files compared, {edits_seen} edits, {same_spans} located by the events, \
             {yamlpath_failed} where yamlpath panicked"
        );
        // The comparison is not empty, and the events located most edits themselves.
        assert!(
            files >= 100,
            "{files} files compared ({yamlpath_failed} where yamlpath failed)"
        );
        assert!(
            same_spans * 10 >= edits_seen * 8,
            "{same_spans} of {edits_seen} edits located by the events"
        );
    }

    /// Large files locate each service's edits in that service's own lines; the text must be the
    /// same as when the whole document is queried (files with fewer services).
    #[test]
    fn per_service_documents_give_the_same_text() {
        let service = |i: usize| {
            let mut s = format!("  # service {i}\n  svc{i}:\n    image: app:{i}\n");
            match i % 4 {
                0 => s.push_str("    ports:\n      - \"80:80\"\n    cap_add: [NET_ADMIN]\n"),
                1 => s.push_str(
                    "    security_opt:\n      - no-new-privileges:false\n    tmpfs: []\n",
                ),
                2 => s.push_str(
                    "    environment:\n      A: b  # keep\n    volumes:\n      - ./d:/d\n",
                ),
                _ => {}
            }
            if i == 7 {
                s = format!("  svc{i}: {{ image: \"r:1\", ports: [\"6379:6379\"] }}\n");
            }
            s
        };
        let preset = crate::preset::Preset::builtin("default").unwrap();
        let fixed = |text: &str| {
            let p = project(text);
            let reqs =
                crate::session::compose::requests(&crate::session::compose::lint(&p, &preset, &[]));
            fix(&p, &reqs)
                .unwrap()
                .texts
                .get(&0)
                .cloned()
                .unwrap_or_else(|| text.to_string())
        };
        // Enough services for the edits to be located on two threads.
        let n = BLOCKS_FROM * 8;
        let big: String = format!(
            "name: x\nservices:\n{}volumes:\n  d: {{}}\n",
            (0..n).map(service).collect::<String>()
        );
        let p = project(&big);
        assert_eq!(service_blocks(&big, &p.files[0].root).unwrap().len(), n);
        let whole = fixed(&big);
        // Each service fixed in a file of its own (queried as one document).
        let mut expected = String::from("name: x\nservices:\n");
        for i in 0..n {
            let alone = format!("services:\n{}", service(i));
            expected.push_str(fixed(&alone).strip_prefix("services:\n").unwrap());
        }
        expected.push_str("volumes:\n  d: {}\n");
        assert_eq!(whole, expected);
    }
}
