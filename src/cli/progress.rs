//! Pull progress on stderr, as the docker CLI shows it: bars on a terminal, one line per message
//! otherwise, nothing with `-q`.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::io::{IsTerminal, Write};

/// How to show progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    Quiet,
    Lines,
    Bars,
}

impl Progress {
    pub fn detect(quiet: bool) -> Progress {
        if quiet {
            Progress::Quiet
        } else if std::io::stderr().is_terminal() {
            Progress::Bars
        } else {
            Progress::Lines
        }
    }
}

/// Shows the progress messages of a pull.
pub struct Display {
    mode: Progress,
    multi: Option<MultiProgress>,
    bars: HashMap<String, ProgressBar>,
}

impl Display {
    pub fn new(mode: Progress) -> Self {
        let multi = (mode == Progress::Bars)
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Display {
            mode,
            multi,
            bars: HashMap::new(),
        }
    }

    pub fn show(&mut self, msg: &serde_json::Value) {
        let status = msg.get("status").and_then(|s| s.as_str()).unwrap_or("");
        let id = msg.get("id").and_then(|s| s.as_str());
        let detail = msg.get("progressDetail");
        let current = detail
            .and_then(|d| d.get("current"))
            .and_then(|c| c.as_u64());
        let total = detail.and_then(|d| d.get("total")).and_then(|c| c.as_u64());
        match self.mode {
            Progress::Quiet => {}
            Progress::Lines => {
                if current.is_some() {
                    return;
                }
                let mut err = std::io::stderr().lock();
                let _ = match id {
                    Some(id) => writeln!(err, "{id}: {status}"),
                    None => writeln!(err, "{status}"),
                };
            }
            Progress::Bars => {
                let Some(multi) = &self.multi else { return };
                match id {
                    Some(id) => {
                        let bar = self.bars.entry(id.to_string()).or_insert_with(|| {
                            let b = multi.add(ProgressBar::new(0));
                            b.set_style(
                                ProgressStyle::with_template(
                                    "{prefix}: {msg} {wide_bar} {bytes}/{total_bytes}",
                                )
                                .unwrap_or_else(|_| ProgressStyle::default_bar()),
                            );
                            b.set_prefix(id.to_string());
                            b
                        });
                        bar.set_message(status.to_string());
                        if let (Some(c), Some(t)) = (current, total) {
                            bar.set_length(t);
                            bar.set_position(c);
                        }
                    }
                    None => {
                        let _ = multi.println(status);
                    }
                }
            }
        }
    }

    pub fn finish(&mut self) {
        for b in self.bars.values() {
            b.finish();
        }
    }
}

/// Shows what the engine's `docker run` sequence reports: pulls and their progress, the
/// daemon's warnings.
pub struct Notes {
    quiet: bool,
    display: Display,
}

impl Notes {
    /// `quiet`: `-q` (no pull messages; warnings are still shown).
    pub fn new(quiet: bool) -> Self {
        Notes {
            quiet,
            display: Display::new(Progress::detect(quiet)),
        }
    }

    pub fn note(&mut self, n: crate::engine::run::Note<'_>) {
        use crate::engine::run::Note;
        match n {
            Note::Pulling(image) => {
                if !self.quiet {
                    eprintln!("Unable to find image '{image}' locally");
                }
            }
            Note::Progress(m) => self.display.show(m),
            Note::Warning(w) => eprintln!("WARNING: {w}"),
        }
    }
}

impl Drop for Notes {
    fn drop(&mut self) {
        self.display.finish();
    }
}

/// Shows what `create` reports (the daemon's warnings).
pub fn create_note(n: crate::engine::run::Note<'_>) {
    Notes::new(true).note(n)
}
