//! Locating edits from the YAML events of the text they edit: one pass of harden's own reader
//! gives where each node an edit needs starts and ends, which is what the edits need of
//! yamlpath's tree-sitter parse (five times the reader's cost, and the larger part of `fix` on
//! big files).
//!
//! Only the common shapes are located here: scalars and flow collections without an anchor or
//! tag, block mappings and sequences whose last token is a one-line scalar or a flow collection.
//! For anything else [`locate`] says `None`, and the edit engine asks yamlpath, as before; a test
//! compares both on every fixture and on generated variations (`edit::tests`).

use super::edit::{Edit, Splice, flow_insert, item_entry, item_removal, key_entry};
use crate::frontend::compose::tree::Seg;
use crate::yaml::events::{Event, Mark, Reader, ScalarStyle};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Kind {
    #[default]
    Scalar,
    /// A plain scalar with no text (`key:` with nothing after it).
    Empty,
    /// `|` or `>`.
    BlockScalar,
    Alias,
    FlowMap,
    FlowSeq,
    BlockMap,
    BlockSeq,
}

/// Where a node sits in the text (byte offsets).
#[derive(Clone, Copy, Debug, Default)]
struct Span {
    found: bool,
    kind: Kind,
    /// Where the node starts (its anchor or tag if it has one).
    start: usize,
    /// Scalars: after the last character or closing quote; flow collections: after the closing
    /// bracket; block collections: the end of the line of their last token.
    end: usize,
    /// For a mapping's value: the end of its key.
    key_end: usize,
    /// The node carries an anchor or a tag.
    props: bool,
    /// ... a tag.
    tag: bool,
    /// Mappings: where the first key starts.
    first_key: Option<usize>,
    /// A block collection whose last token is not a one-line scalar or flow collection (a
    /// block scalar or an empty value ends somewhere yamlpath does not).
    unsure: bool,
}

/// One step of a route being looked for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn step(seg: &Seg) -> Step<'_> {
    match seg {
        Seg::Key(k) => Step::Key(k),
        Seg::Index(i) => Step::Index(*i),
    }
}

/// The routes the edits need, as a tree of steps (node 0: the document's root).
struct Wanted<'a> {
    nodes: Vec<(Vec<(Step<'a>, usize)>, Span)>,
}

impl<'a> Wanted<'a> {
    fn new() -> Self {
        Wanted {
            nodes: vec![(Vec::new(), Span::default())],
        }
    }

    fn insert(&mut self, route: &'a [Seg]) -> usize {
        let mut at = 0;
        for seg in route {
            let step = step(seg);
            at = match self.child(at, step) {
                Some(c) => c,
                None => {
                    self.nodes.push((Vec::new(), Span::default()));
                    let c = self.nodes.len() - 1;
                    self.nodes[at].0.push((step, c));
                    c
                }
            };
        }
        at
    }

    fn child(&self, at: usize, step: Step<'_>) -> Option<usize> {
        self.nodes[at]
            .0
            .iter()
            .find(|(s, _)| *s == step)
            .map(|(_, c)| *c)
    }

    fn find(&self, route: &[Seg]) -> Option<usize> {
        let mut at = 0;
        for seg in route {
            at = self.child(at, step(seg))?;
        }
        Some(at)
    }

    fn get(&self, route: &[Seg]) -> Option<Span> {
        self.find(route).map(|at| self.nodes[at].1)
    }
}

/// The routes an edit reads.
fn routes(e: &Edit) -> [Option<&[Seg]>; 2] {
    match e {
        Edit::SetKey { map, .. } => [Some(map), None],
        Edit::Append { list, .. } => [Some(list), None],
        Edit::ReplaceScalar { at, .. } => [Some(at), None],
        Edit::RemoveItem { at } => [Some(at), at.split_last().map(|(_, parent)| parent)],
    }
}

/// Byte offsets of 0-based marks (columns count characters).
struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 24 + 1);
        starts.push(0);
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { text, starts }
    }

    fn byte(&self, m: Mark) -> Option<usize> {
        let start = *self.starts.get(m.line)?;
        let rest = self.text.get(start..)?;
        match rest.as_bytes().get(..m.column) {
            Some(head) if head.is_ascii() => Some(start + m.column),
            _ => match rest.char_indices().nth(m.column) {
                Some((i, _)) => Some(start + i),
                None if rest.chars().count() == m.column => Some(self.text.len()),
                None => None,
            },
        }
    }
}

/// An open collection while the events are read.
struct Frame {
    /// The wanted node this collection is (`None`: not wanted).
    wanted: Option<usize>,
    map: bool,
    flow: bool,
    /// A mapping waits for a key (else for a value).
    expect_key: bool,
    /// The next item's index (sequences).
    index: usize,
    /// The wanted node of the value that follows the key just read, and where that key ends.
    pending: Option<usize>,
    key_end: usize,
    /// This collection is a key of its parent mapping.
    is_key: bool,
}

/// Reads the events of `text` and fills in the spans of the wanted routes. `None` when the text
/// is not one plain document harden can map to bytes (a byte order mark, several documents, a
/// reader error).
fn read(text: &str, wanted: &mut Wanted<'_>) -> Option<()> {
    // The reader also breaks lines at NEL, LS and PS (YAML 1.1): its marks would not be the
    // lines counted here.
    if text.starts_with('\u{feff}') || text.contains(['\u{85}', '\u{2028}', '\u{2029}']) {
        return None;
    }
    let lines = Lines::new(text);
    let mut reader = Reader::new(text);
    let mut stack: Vec<Frame> = Vec::new();
    // The last token read: where it ends, and whether yamlpath's span may end elsewhere.
    let mut last_end = 0;
    let mut last_unsure = false;
    let mut documents = 0;
    loop {
        let (ev, s, e) = reader.next_spanned().ok()?;
        let (is_map, flow, props, leaf) = match &ev {
            Event::StreamStart | Event::DocumentEnd => continue,
            Event::StreamEnd => return Some(()),
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    return None;
                }
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let f = stack.pop()?;
                if let Some(w) = f.wanted {
                    let span = &mut wanted.nodes[w].1;
                    if f.flow {
                        span.end = lines.byte(e)?;
                    } else {
                        match block_end(text, last_end) {
                            Some(end) => span.end = end,
                            None => span.unsure = true,
                        }
                        span.unsure |= last_unsure;
                    }
                }
                if f.flow {
                    last_end = lines.byte(e)?;
                    last_unsure = false;
                }
                if let Some(parent) = stack.last_mut()
                    && parent.map
                {
                    parent.expect_key = !f.is_key;
                }
                continue;
            }
            Event::Alias(_) => (false, false, (&None, &None), true),
            Event::Scalar { anchor, tag, .. } => (false, false, (anchor, tag), true),
            Event::SequenceStart { anchor, tag, flow } => (false, *flow, (anchor, tag), false),
            Event::MappingStart { anchor, tag, flow } => (true, *flow, (anchor, tag), false),
        };
        let (tag, props) = (props.1.is_some(), props.0.is_some() || props.1.is_some());
        // Which wanted node this one is, and whether it is a mapping's key.
        let (this, is_key, key_end) = match stack.last_mut() {
            None => (Some(0), false, 0),
            Some(p) if p.map && p.expect_key => {
                if let Some(w) = p.wanted {
                    let span = &mut wanted.nodes[w].1;
                    if span.first_key.is_none() {
                        span.first_key = Some(lines.byte(s)?);
                    }
                }
                p.pending = match (&ev, p.wanted) {
                    (Event::Scalar { text, .. }, Some(w)) => wanted.child(w, Step::Key(text)),
                    _ => None,
                };
                p.key_end = lines.byte(e)?;
                (None, true, 0)
            }
            Some(p) if p.map => (p.pending.take(), false, p.key_end),
            Some(p) => {
                let i = p.index;
                p.index += 1;
                (
                    p.wanted.and_then(|w| wanted.child(w, Step::Index(i))),
                    false,
                    0,
                )
            }
        };
        if let Some(w) = this {
            let kind = match &ev {
                Event::Alias(_) => Kind::Alias,
                Event::Scalar {
                    style: ScalarStyle::Block,
                    ..
                } => Kind::BlockScalar,
                Event::Scalar {
                    text,
                    style: ScalarStyle::Plain,
                    ..
                } if text.is_empty() => Kind::Empty,
                Event::Scalar { .. } => Kind::Scalar,
                _ => match (is_map, flow) {
                    (true, true) => Kind::FlowMap,
                    (true, false) => Kind::BlockMap,
                    (false, true) => Kind::FlowSeq,
                    (false, false) => Kind::BlockSeq,
                },
            };
            wanted.nodes[w].1 = Span {
                found: true,
                kind,
                start: lines.byte(s)?,
                end: lines.byte(e)?,
                key_end,
                props,
                tag,
                first_key: None,
                unsure: false,
            };
        }
        if leaf {
            let empty = matches!(&ev, Event::Scalar { text, style: ScalarStyle::Plain, .. } if text.is_empty());
            let in_block_map = stack.last().is_some_and(|p| p.map && !p.flow);
            // `key:` with no value in a block mapping ends at its colon.
            let colon = match text.get(key_end..) {
                Some(after) if empty && !is_key && in_block_map => after
                    .trim_start_matches([' ', '\t'])
                    .starts_with(':')
                    .then(|| key_end + after.find(':').unwrap_or(0) + 1),
                _ => None,
            };
            last_end = match colon {
                Some(c) => c,
                None => lines.byte(e)?,
            };
            last_unsure = matches!(
                ev,
                Event::Scalar {
                    style: ScalarStyle::Block,
                    ..
                }
            ) || (empty && colon.is_none())
                || s.line != e.line;
            if let Some(p) = stack.last_mut()
                && p.map
            {
                p.expect_key = !is_key;
            }
        } else {
            stack.push(Frame {
                wanted: this,
                map: is_map,
                flow,
                expect_key: true,
                index: 0,
                pending: None,
                key_end: 0,
                is_key,
            });
        }
    }
}

/// Where yamlpath's span of a block collection whose last token ends at `last` ends: there,
/// unless a comment follows on that line or only white space follows in the file (then the end
/// of that line). `None` when spaces end the line and a comment line follows (tree-sitter may
/// take them in or not).
fn block_end(text: &str, last: usize) -> Option<usize> {
    let rest = &text[last..];
    let line_end = rest.find('\n').map_or(text.len(), |i| last + i);
    let tail = &text[last..line_end];
    if tail.trim_start().starts_with('#') || rest.trim().is_empty() {
        return Some(line_end);
    }
    if tail.is_empty() {
        return Some(last);
    }
    if !tail.trim().is_empty() {
        return None;
    }
    let next = text[line_end..]
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty());
    match next {
        Some(l) if l.starts_with('#') => None,
        _ => Some(last),
    }
}

/// The splices of `edits` in `text` (a file, or a service's lines after `services:`); `None` for
/// an edit whose shape is not located here, and for all when the text cannot be read.
pub(super) fn locate(text: &str, edits: &[&Edit]) -> Option<Vec<Option<Splice>>> {
    let mut wanted = Wanted::new();
    for &e in edits {
        for r in routes(e).into_iter().flatten() {
            wanted.insert(r);
        }
        if let Edit::SetKey { map, key, .. } = e {
            let at = wanted.insert(map);
            let key = Step::Key(key);
            if wanted.child(at, key).is_none() {
                wanted.nodes.push((Vec::new(), Span::default()));
                let c = wanted.nodes.len() - 1;
                wanted.nodes[at].0.push((key, c));
            }
        }
    }
    read(text, &mut wanted)?;
    Some(edits.iter().map(|e| splice(text, &wanted, e)).collect())
}

fn mk(start: usize, end: usize, text: String, depth: usize) -> Option<Splice> {
    Some(Splice::new(start, end, text, depth))
}

fn flow(at: usize, sep: &str, item: String, depth: usize) -> Option<Splice> {
    Some(Splice::flow_item(at, sep, item, depth))
}

/// A node an edit may replace or extend: found, without anchor or tag, not an alias.
fn plain(span: Option<Span>) -> Option<Span> {
    span.filter(|s| s.found && !s.props && s.kind != Kind::Alias)
}

fn splice(src: &str, wanted: &Wanted<'_>, e: &Edit) -> Option<Splice> {
    match e {
        Edit::SetKey {
            map,
            key,
            value,
            block,
        } => {
            // A mapping with an anchor takes new keys as any other (at its first key).
            let m = wanted
                .get(map)
                .filter(|m| m.found && !m.tag && (!m.props || m.kind == Kind::BlockMap))?;
            let depth = map.len() + 1;
            let v = wanted.nodes[wanted.child(wanted.find(map)?, Step::Key(key))?].1;
            if v.found {
                if v.props {
                    return None;
                }
                return match v.kind {
                    Kind::Empty if m.kind == Kind::BlockMap => {
                        let gap = src.get(v.key_end..)?;
                        let i = gap.find(':')?;
                        if !gap[..i].trim().is_empty() {
                            return None;
                        }
                        let colon = v.key_end + i + 1;
                        mk(colon, colon, format!(" {value}"), depth)
                    }
                    Kind::Scalar | Kind::FlowMap | Kind::FlowSeq => {
                        mk(v.start, v.end, value.clone(), depth)
                    }
                    _ => None,
                };
            }
            match m.kind {
                Kind::FlowMap if !m.props => {
                    let (at, sep) = flow_insert(src, m.start, m.end, '}')?;
                    flow(at, sep, format!("{key}: {value}"), map.len())
                }
                Kind::BlockMap if !m.unsure => {
                    let start = m.first_key?;
                    // With an anchor, its first key starts a line of its own (or follows the
                    // `- ` of a list item): the key column is that of the first key.
                    let before = &src[src[..start].rfind('\n').map_or(0, |i| i + 1)..start];
                    if m.props && !before.chars().all(|c| c == ' ' || c == '-') {
                        return None;
                    }
                    let indent = " ".repeat(block_item_indent(src, start));
                    let ins = content_end(src, start, m.end);
                    let entry = key_entry(src, ins, m.end, &indent, key, value, block);
                    mk(ins, ins, entry, map.len())
                }
                _ => None,
            }
        }
        Edit::Append { list, item } => {
            let f = plain(wanted.get(list))?;
            match f.kind {
                Kind::BlockSeq if !f.unsure => {
                    let indent = leading_spaces(src, f.start);
                    let ins = content_end(src, f.start, f.end);
                    mk(ins, ins, item_entry(src, ins, indent, item), list.len())
                }
                Kind::FlowSeq => {
                    let (at, sep) = flow_insert(src, f.start, f.end, ']')?;
                    flow(at, sep, item.clone(), list.len())
                }
                _ => None,
            }
        }
        Edit::ReplaceScalar { at, text } => {
            let f = plain(wanted.get(at))?;
            (f.kind == Kind::Scalar).then_some(())?;
            mk(f.start, f.end, text.clone(), at.len())
        }
        Edit::RemoveItem { at } => {
            let (_, parent) = at.split_last()?;
            let pf = plain(wanted.get(parent))?;
            let item = plain(wanted.get(at))?;
            (item.kind == Kind::Scalar).then_some(())?;
            let flow = match pf.kind {
                Kind::BlockSeq => false,
                Kind::FlowSeq => true,
                _ => return None,
            };
            let (start, end) = item_removal(src, flow, (item.start, item.end)).ok()?;
            mk(start, end, String::new(), 0)
        }
    }
}

/// The start and end of the line holding byte `at`.
fn line_of(src: &str, at: usize) -> &str {
    let start = src[..at].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let end = src[at..].find('\n').map(|i| at + i).unwrap_or(src.len());
    &src[start..end]
}

/// The spaces before the first character of the line holding byte `at`.
fn leading_spaces(src: &str, at: usize) -> &str {
    let line = line_of(src, at);
    &line[..line.len() - line.trim_start_matches(' ').len()]
}

/// The column at which the keys of a block mapping starting at byte `at` sit, through any
/// `- ` that open sequence items on its line (as yamlpatch reads it).
fn block_item_indent(src: &str, at: usize) -> usize {
    let line = line_of(src, at).trim_end();
    let mut accept_dash = true;
    for (i, b) in line.bytes().enumerate() {
        match b {
            b' ' => accept_dash = true,
            b'-' if accept_dash => accept_dash = false,
            _ if !accept_dash => return i - 1,
            _ => return i,
        }
    }
    line.len() + 1
}

/// Where the content of the node spanning `start..end` ends: the end of its last line that is
/// neither blank nor a comment (the line break included when the line is whole).
fn content_end(src: &str, start: usize, end: usize) -> usize {
    let mut line_end = end;
    loop {
        let line = &src[start..line_end];
        let line_start = line
            .strip_suffix('\n')
            .unwrap_or(line)
            .rfind('\n')
            .map(|i| start + i + 1)
            .unwrap_or(start);
        let line = &src[line_start..line_end];
        let t = line.trim();
        if !t.is_empty() && !t.starts_with('#') {
            return line_end;
        }
        if line_start == start {
            return end;
        }
        line_end = line_start;
    }
}
