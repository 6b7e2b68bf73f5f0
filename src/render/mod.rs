//! Reports: rule listings, explanations, findings.

pub mod explain;
pub mod report;
pub mod rules_table;

use owo_colors::{OwoColorize, Stream};

/// Colour for stderr text, honouring NO_COLOR, `--color` and whether stderr is a terminal.
pub fn paint_err(s: &str, style: Style) -> String {
    paint(s, style, Stream::Stderr)
}

/// Colour for stdout text.
pub fn paint_out(s: &str, style: Style) -> String {
    paint(s, style, Stream::Stdout)
}

/// The colours of one stream, decided once (the same as [`paint_out`]/[`paint_err`] would give
/// at this moment): for reports of tens of thousands of lines written straight to a writer.
pub struct Painter {
    /// Per [`Style`]: the text before and after the painted text (empty when colour is off).
    codes: [(String, String); 6],
}

impl Painter {
    /// Colours for stdout.
    pub fn stdout() -> Self {
        Self::for_stream(Stream::Stdout)
    }

    fn for_stream(stream: Stream) -> Self {
        let codes = [
            Style::Error,
            Style::Warning,
            Style::Info,
            Style::Fix,
            Style::Bold,
            Style::Dim,
        ]
        .map(|style| {
            let marked = paint("\0", style, stream);
            match marked.split_once('\0') {
                Some((before, after)) => (before.to_string(), after.to_string()),
                None => (String::new(), String::new()),
            }
        });
        Painter { codes }
    }

    /// Writes `s` in `style`.
    pub fn write(
        &self,
        out: &mut impl std::io::Write,
        s: &str,
        style: Style,
    ) -> std::io::Result<()> {
        let (before, after) = &self.codes[style as usize];
        out.write_all(before.as_bytes())?;
        out.write_all(s.as_bytes())?;
        out.write_all(after.as_bytes())
    }
}

#[derive(Clone, Copy, Debug)]
pub enum Style {
    Error,
    Warning,
    Info,
    Fix,
    Bold,
    Dim,
}

fn paint(s: &str, style: Style, stream: Stream) -> String {
    match style {
        Style::Error => s.if_supports_color(stream, |t| t.red()).to_string(),
        Style::Warning => s.if_supports_color(stream, |t| t.yellow()).to_string(),
        Style::Info => s.if_supports_color(stream, |t| t.blue()).to_string(),
        Style::Fix => s.if_supports_color(stream, |t| t.green()).to_string(),
        Style::Bold => s.if_supports_color(stream, |t| t.bold()).to_string(),
        Style::Dim => s.if_supports_color(stream, |t| t.dimmed()).to_string(),
    }
}

/// Quotes a word for POSIX shells, leaving words of harmless characters as they are
/// (`--tmpfs /run:rw,size=64m` stays readable).
pub fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.,:=/@%+^".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}
