//! A safe event reader over libyaml (`unsafe-libyaml`, the parser serde_yaml and PyYAML use).
//!
//! libyaml is what the Compose oracles accept (PyYAML is built on it): stricter parsers reject
//! real files (a flow sequence closed at its key's indentation, as in Sentry's compose file).
//! Only the event stream is used: anchors and aliases are resolved by [`super::tree`], which
//! bounds their expansion.

use std::ffi::CStr;
use std::mem::MaybeUninit;
use unsafe_libyaml as unsafe_sys;

/// A 0-based position from libyaml.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mark {
    pub line: usize,
    pub column: usize,
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

/// Reads events from a string.
pub struct Reader {
    parser: Box<MaybeUninit<unsafe_sys::yaml_parser_t>>,
    // The parser points into this buffer; it lives as long as the parser.
    _input: Vec<u8>,
    done: bool,
}

impl Reader {
    pub fn new(text: &str) -> Reader {
        let input = text.as_bytes().to_vec();
        let mut parser: Box<MaybeUninit<unsafe_sys::yaml_parser_t>> =
            Box::new(MaybeUninit::uninit());
        // SAFETY: the parser is initialised before use and freed in Drop; its input buffer is a
        // heap allocation owned by the reader that is never moved or changed while it lives.
        unsafe {
            let p = parser.as_mut_ptr();
            if unsafe_sys::yaml_parser_initialize(p).fail {
                panic!("libyaml: out of memory");
            }
            unsafe_sys::yaml_parser_set_encoding(p, unsafe_sys::YAML_UTF8_ENCODING);
            unsafe_sys::yaml_parser_set_input_string(p, input.as_ptr(), input.len() as u64);
        }
        Reader {
            parser,
            _input: input,
            done: false,
        }
    }

    /// The next event with its start mark.
    pub fn next_event(&mut self) -> Result<(Event, Mark), ParseError> {
        if self.done {
            return Ok((Event::StreamEnd, Mark::default()));
        }
        let mut event = MaybeUninit::<unsafe_sys::yaml_event_t>::uninit();
        // SAFETY: the parser was initialised in `new`; the event is deleted after conversion.
        unsafe {
            let p = self.parser.as_mut_ptr();
            if unsafe_sys::yaml_parser_parse(p, event.as_mut_ptr()).fail {
                self.done = true;
                return Err(error(&*p));
            }
            let ev = &*event.as_ptr();
            let mark = Mark {
                line: ev.start_mark.line as usize,
                column: ev.start_mark.column as usize,
            };
            let out = convert(ev);
            unsafe_sys::yaml_event_delete(event.as_mut_ptr());
            if out == Event::StreamEnd {
                self.done = true;
            }
            Ok((out, mark))
        }
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        // SAFETY: initialised in `new`, deleted once.
        unsafe { unsafe_sys::yaml_parser_delete(self.parser.as_mut_ptr()) }
    }
}

unsafe fn cstr(p: *const u8) -> Option<String> {
    if p.is_null() {
        return None;
    }
    // SAFETY: libyaml gives NUL-terminated strings.
    Some(
        unsafe { CStr::from_ptr(p.cast()) }
            .to_string_lossy()
            .into_owned(),
    )
}

unsafe fn error(p: &unsafe_sys::yaml_parser_t) -> ParseError {
    // SAFETY: problem/context are NUL-terminated static strings or null.
    let problem = unsafe { cstr(p.problem.cast()) }.unwrap_or_else(|| "invalid YAML".into());
    let context = unsafe { cstr(p.context.cast()) };
    let message = match context {
        Some(c) => format!("{problem} ({c})"),
        None => problem,
    };
    ParseError {
        mark: Mark {
            line: p.problem_mark.line as usize,
            column: p.problem_mark.column as usize,
        },
        message,
    }
}

unsafe fn convert(ev: &unsafe_sys::yaml_event_t) -> Event {
    // SAFETY: the union field read matches the event type.
    unsafe {
        match ev.type_ {
            unsafe_sys::YAML_STREAM_START_EVENT => Event::StreamStart,
            unsafe_sys::YAML_STREAM_END_EVENT => Event::StreamEnd,
            unsafe_sys::YAML_DOCUMENT_START_EVENT => Event::DocumentStart,
            unsafe_sys::YAML_DOCUMENT_END_EVENT => Event::DocumentEnd,
            unsafe_sys::YAML_ALIAS_EVENT => {
                Event::Alias(cstr(ev.data.alias.anchor).unwrap_or_default())
            }
            unsafe_sys::YAML_SCALAR_EVENT => {
                let d = &ev.data.scalar;
                let bytes = std::slice::from_raw_parts(d.value, d.length as usize);
                Event::Scalar {
                    text: String::from_utf8_lossy(bytes).into_owned(),
                    style: match d.style {
                        unsafe_sys::YAML_PLAIN_SCALAR_STYLE => ScalarStyle::Plain,
                        unsafe_sys::YAML_LITERAL_SCALAR_STYLE
                        | unsafe_sys::YAML_FOLDED_SCALAR_STYLE => ScalarStyle::Block,
                        _ => ScalarStyle::Quoted,
                    },
                    anchor: cstr(d.anchor),
                    tag: cstr(d.tag),
                }
            }
            unsafe_sys::YAML_SEQUENCE_START_EVENT => Event::SequenceStart {
                anchor: cstr(ev.data.sequence_start.anchor),
                tag: cstr(ev.data.sequence_start.tag),
                flow: ev.data.sequence_start.style == unsafe_sys::YAML_FLOW_SEQUENCE_STYLE,
            },
            unsafe_sys::YAML_SEQUENCE_END_EVENT => Event::SequenceEnd,
            unsafe_sys::YAML_MAPPING_START_EVENT => Event::MappingStart {
                anchor: cstr(ev.data.mapping_start.anchor),
                tag: cstr(ev.data.mapping_start.tag),
                flow: ev.data.mapping_start.style == unsafe_sys::YAML_FLOW_MAPPING_STYLE,
            },
            unsafe_sys::YAML_MAPPING_END_EVENT => Event::MappingEnd,
            _ => Event::StreamEnd,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let mut r = Reader::new("a: [\n");
        let err = loop {
            match r.next_event() {
                Ok((Event::StreamEnd, _)) => panic!("no error"),
                Ok(_) => {}
                Err(e) => break e,
            }
        };
        assert!(!err.message.is_empty());
    }
}
