//! The event reader: libyaml's parser as ported to safe Rust (`libyaml-safer`).
//!
//! libyaml is what the Compose oracles accept (PyYAML is built on it): stricter parsers reject
//! real files (a flow sequence closed at its key's indentation, as in Sentry's compose file).
//! The port keeps libyaml's grammar, positions and messages. Only the event stream is used:
//! anchors and aliases are resolved by [`super::tree`], which bounds their expansion.

use libyaml_safer::{EventData, MappingStyle, Parser, ScalarStyle as LibStyle, SequenceStyle};

/// A 0-based position from libyaml.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mark {
    pub line: usize,
    pub column: usize,
}

impl Mark {
    fn of(m: libyaml_safer::Mark) -> Mark {
        Mark {
            line: m.line as usize,
            column: m.column as usize,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    Quoted,
    Block,
}

#[derive(Debug, PartialEq)]
pub enum Event {
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    Alias(String),
    Scalar {
        text: String,
        style: ScalarStyle,
        anchor: Option<String>,
        tag: Option<String>,
    },
    SequenceStart {
        anchor: Option<String>,
        tag: Option<String>,
        flow: bool,
    },
    SequenceEnd,
    MappingStart {
        anchor: Option<String>,
        tag: Option<String>,
        flow: bool,
    },
    MappingEnd,
}

/// A parse error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub mark: Mark,
    pub message: String,
}

/// Bytes the reader decodes at a time. Given the whole text at once, libyaml-safer decodes all
/// of it into one buffer of `char`s (four bytes each, grown by doubling: 8 MB for a 1.5 MB
/// file); a chunk at a time, its buffer stays this small.
const CHUNK: usize = 16 * 1024;

/// Reads events from a string.
pub struct Reader<'a> {
    parser: Parser<std::io::BufReader<&'a [u8]>>,
    done: bool,
}

impl<'a> Reader<'a> {
    pub fn new(text: &'a str) -> Reader<'a> {
        let mut parser = Parser::new();
        parser.set_encoding(libyaml_safer::Encoding::Utf8);
        parser.set_input(std::io::BufReader::with_capacity(
            CHUNK.min(text.len().max(1)),
            text.as_bytes(),
        ));
        Reader {
            parser,
            done: false,
        }
    }

    /// The next event with its start mark.
    pub fn next_event(&mut self) -> Result<(Event, Mark), ParseError> {
        self.next_spanned().map(|(ev, start, _)| (ev, start))
    }

    /// The next event with its start and end marks (a scalar ends after its last character or
    /// closing quote, a flow collection after its closing bracket).
    pub fn next_spanned(&mut self) -> Result<(Event, Mark, Mark), ParseError> {
        if self.done {
            return Ok((Event::StreamEnd, Mark::default(), Mark::default()));
        }
        // A panic in the reader (a bug in the port) becomes an error naming the file, not a
        // crash; the parser is not used again after it.
        let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.parser.parse()));
        let ev = match parsed {
            Ok(ev) => ev.map_err(|e| {
                self.done = true;
                error(&e)
            })?,
            Err(_) => {
                self.done = true;
                return Err(ParseError {
                    mark: Mark::default(),
                    message: INTERNAL.to_string(),
                });
            }
        };
        let (start, end) = (Mark::of(ev.start_mark), Mark::of(ev.end_mark));
        let out = convert(ev.data);
        if out == Event::StreamEnd {
            self.done = true;
        }
        Ok((out, start, end))
    }
}

/// The message for a panic inside the reader.
pub const INTERNAL: &str =
    "internal error: harden's YAML reader failed on this file (a bug in harden; please report it)";

/// libyaml's message: the problem, then its context in parentheses.
fn error(e: &libyaml_safer::Error) -> ParseError {
    let problem = match e.problem() {
        "" => "invalid YAML",
        p => p,
    };
    let message = match e.context() {
        Some(c) => format!("{problem} ({c})"),
        None => problem.to_string(),
    };
    ParseError {
        mark: e.problem_mark().map(Mark::of).unwrap_or_default(),
        message,
    }
}

fn convert(data: EventData) -> Event {
    match data {
        EventData::StreamStart { .. } => Event::StreamStart,
        EventData::StreamEnd => Event::StreamEnd,
        EventData::DocumentStart { .. } => Event::DocumentStart,
        EventData::DocumentEnd { .. } => Event::DocumentEnd,
        EventData::Alias { anchor } => Event::Alias(anchor),
        EventData::Scalar {
            anchor,
            tag,
            value,
            style,
            ..
        } => Event::Scalar {
            text: value,
            style: match style {
                LibStyle::Plain => ScalarStyle::Plain,
                LibStyle::Literal | LibStyle::Folded => ScalarStyle::Block,
                _ => ScalarStyle::Quoted,
            },
            anchor,
            tag,
        },
        EventData::SequenceStart {
            anchor, tag, style, ..
        } => Event::SequenceStart {
            anchor,
            tag,
            flow: style == SequenceStyle::Flow,
        },
        EventData::SequenceEnd => Event::SequenceEnd,
        EventData::MappingStart {
            anchor, tag, style, ..
        } => Event::MappingStart {
            anchor,
            tag,
            flow: style == MappingStyle::Flow,
        },
        EventData::MappingEnd => Event::MappingEnd,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors_of(text: &str) -> ParseError {
        let mut r = Reader::new(text);
        loop {
            match r.next_event() {
                Ok((Event::StreamEnd, _)) => panic!("no error"),
                Ok(_) => {}
                Err(e) => break e,
            }
        }
    }

    /// Reads `text` to its end or first error; panics only when the reader does.
    fn read_all(text: &str) -> Option<ParseError> {
        let mut r = Reader::new(text);
        loop {
            match r.next_event() {
                Ok((Event::StreamEnd, _)) => return None,
                Ok(_) => {}
                Err(e) => {
                    assert_ne!(e.message, INTERNAL, "the reader panicked on {text:?}");
                    return Some(e);
                }
            }
        }
    }

    #[test]
    fn backslash_at_the_end_of_a_double_quoted_scalar_is_an_error() {
        // libyaml: the escape character past the end is its NUL padding, no escape.
        let e = errors_of("services:\n  web:\n    image: \"abc\\");
        assert_eq!(
            e.message,
            "found unknown escape character (while parsing a quoted scalar)"
        );
        assert_eq!((e.mark.line, e.mark.column), (2, 15));
        for text in [
            "\"\\",
            "a: \"x\\",
            "- \"\\",
            "{a: \"\\",
            "\"\\x",
            "\"\\u12",
            "\"\\U0001F60",
        ] {
            assert!(read_all(text).is_some(), "{text:?} read without error");
        }
    }

    #[test]
    fn a_block_scalar_may_end_the_file_without_a_line_break() {
        for (text, want) in [
            ("a: |\n  echo hi", "echo hi"),
            ("a: |+2\n  l", "l"),
            ("a: >-\n  x\n  y", "x y"),
        ] {
            let mut r = Reader::new(text);
            let mut scalars = Vec::new();
            loop {
                match r.next_event().unwrap() {
                    (Event::StreamEnd, _) => break,
                    (Event::Scalar { text, .. }, _) => scalars.push(text),
                    _ => {}
                }
            }
            assert_eq!(scalars, ["a", want], "{text:?}");
        }
    }

    /// Every prefix of files with quoted, escaped and block scalars, tags, anchors, aliases and
    /// directives (and of a few real Compose files) is read to an end or an error, no panic.
    #[test]
    fn every_truncation_reads_without_panic() {
        let crafted = [
            "%YAML 1.1\n%TAG !e! tag:example.com,2000:\n---\na: !e!x \"q\\t\\x41\\u00e9\\U0001F600\\\n  b\\\"c\"\nb: 'it''s'\n",
            "a: |+2\n  lit\n\n b: >-\n  folded\n  more\nc: &anc !!map {k: [1, *anc, \"\\\\\"], ? x : y}\nd: !<tag:x,2000:y> v\n...\n--- !!str\n\"\\N\\_\\L\\P\\0\\a\\b\\v\\f\\r\\e\\ \\/\"\n",
            "- ? |\n    key\n  : - >\n      val\n- [a, 'b\n  c', \"d\n  e\"]\n- &x !t [*x]\n# comment\n- \"\\x4\" \n",
            "key: \"a\\\r\n  b\"\r\n'x': !!binary |\r\n  AAAA\r\n",
            "%YAML 1.2\n%TAG ! !local-\n%FOO bar baz\n--- !<tag:yaml.org,2002:map>\n&a1 k: *a1\n? !x [*a1]\n: {? a, b: !!int 1}\n",
            "x: >2-\n   a\n\n  b\n\t\ny: |\n  last line without a break",
        ];
        let real = [
            include_str!("../../examples/compose/web-hardened/compose.yaml"),
            include_str!("../../tests/fixtures/compose/rules/secret-in-env/bad.yaml"),
        ];
        for text in crafted.into_iter().chain(real) {
            for (i, _) in text.char_indices().chain([(text.len(), ' ')]) {
                read_all(&text[..i]);
            }
        }
    }

    #[test]
    fn reads_events_and_errors() {
        let mut r = Reader::new("a: &x [1, *x]\n");
        let mut evs = Vec::new();
        loop {
            let (e, m) = r.next_event().unwrap();
            let end = e == Event::StreamEnd;
            evs.push((e, m));
            if end {
                break;
            }
        }
        assert!(
            evs.iter()
                .any(|(e, _)| matches!(e, Event::Alias(a) if a == "x"))
        );
        let err = errors_of("a: [\n");
        assert!(!err.message.is_empty());
    }

    #[test]
    fn characters_across_chunks() {
        // `é` is two bytes and starts at odd offsets: one straddles every chunk boundary.
        let long = "é".repeat(CHUNK);
        let text = format!("a: {long}\nb: c\n");
        let mut r = Reader::new(&text);
        let mut scalars = Vec::new();
        loop {
            let (e, m) = r.next_event().unwrap();
            match e {
                Event::StreamEnd => break,
                Event::Scalar { text, .. } => scalars.push((text, m)),
                _ => {}
            }
        }
        assert_eq!(scalars[1].0, long);
        assert_eq!(scalars[1].1, Mark { line: 0, column: 3 });
        assert_eq!(scalars[3].0, "c");
        assert_eq!(scalars[3].1, Mark { line: 1, column: 3 });
    }

    #[test]
    fn messages_and_marks_are_libyamls() {
        // The texts libyaml (C) gives for these inputs, at the same 0-based marks.
        let e = errors_of("a: [\n");
        assert_eq!(
            e.message,
            "did not find expected node content (while parsing a flow node)"
        );
        assert_eq!(e.mark, Mark { line: 1, column: 0 });
        let e = errors_of("a: b\n c: d\n");
        assert_eq!(e.message, "mapping values are not allowed in this context");
        assert_eq!(e.mark, Mark { line: 1, column: 2 });
        let e = errors_of("a: \"x\n");
        assert_eq!(
            e.message,
            "found unexpected end of stream (while scanning a quoted scalar)"
        );
        let e = errors_of("a: *nope\n: [\n");
        assert!(!e.message.is_empty());
        // Columns count characters, not bytes.
        let mut r = Reader::new("é: [ü, x]\n");
        let mut marks = Vec::new();
        while let Ok((ev, m)) = r.next_event() {
            if ev == Event::StreamEnd {
                break;
            }
            if matches!(ev, Event::Scalar { .. }) {
                marks.push(m);
            }
        }
        assert_eq!(marks[2], Mark { line: 0, column: 7 });
    }
}
