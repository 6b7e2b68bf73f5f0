//! The local terminal: raw mode for `-t` sessions, window size, detach keys.

use rustix::termios::{self, Termios};
use std::io::IsTerminal;
use std::os::fd::{AsFd, BorrowedFd};
use std::sync::Mutex;

/// The terminal settings to restore, shared so that every exit path can restore them.
static SAVED: Mutex<Option<Termios>> = Mutex::new(None);

fn stdin_fd() -> BorrowedFd<'static> {
    rustix::stdio::stdin()
}

pub fn stdin_is_tty() -> bool {
    std::io::stdin().is_terminal()
}

pub fn stdout_is_tty() -> bool {
    std::io::stdout().is_terminal()
}

/// Puts stdin's terminal into raw mode (unless `NORAW` is set); [`restore`] undoes it.
pub fn enter_raw() -> std::io::Result<()> {
    if std::env::var_os("NORAW").is_some() {
        return Ok(());
    }
    let fd = stdin_fd();
    let original = termios::tcgetattr(fd)?;
    let mut raw = original.clone();
    raw.make_raw();
    termios::tcsetattr(fd, termios::OptionalActions::Now, &raw)?;
    if let Ok(mut s) = SAVED.lock() {
        *s = Some(original);
    }
    Ok(())
}

/// Restores the terminal if [`enter_raw`] changed it. Safe to call more than once.
pub fn restore() {
    let saved = SAVED.lock().ok().and_then(|mut s| s.take());
    if let Some(t) = saved {
        let _ = termios::tcsetattr(stdin_fd(), termios::OptionalActions::Now, &t);
    }
}

/// Rows and columns of stdout's terminal.
pub fn size() -> Option<(u16, u16)> {
    let out = std::io::stdout();
    let ws = termios::tcgetwinsize(out.as_fd()).ok()?;
    (ws.ws_row > 0 && ws.ws_col > 0).then_some((ws.ws_row, ws.ws_col))
}

/// Parses a detach-key specification (`ctrl-p,ctrl-q`, `a,b`, `ctrl-@`, `DEL`) into bytes.
pub fn parse_detach_keys(spec: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for key in spec.split(',') {
        let k = key.trim();
        if k.len() == 1 {
            out.push(k.as_bytes()[0]);
            continue;
        }
        if k == "DEL" {
            out.push(127);
            continue;
        }
        let c = k.strip_prefix("ctrl-")?;
        if c.len() != 1 {
            return None;
        }
        let b = c.as_bytes()[0].to_ascii_lowercase();
        let code = match b {
            b'a'..=b'z' => b - b'a' + 1,
            b'@' => 0,
            b'[' => 27,
            b'\\' => 28,
            b']' => 29,
            b'^' => 30,
            b'_' => 31,
            _ => return None,
        };
        out.push(code);
    }
    (!out.is_empty()).then_some(out)
}

/// Watches typed bytes for the detach sequence. Bytes that could start the sequence are held
/// back until it is clear whether the sequence completes.
pub struct DetachFilter {
    keys: Vec<u8>,
    held: Vec<u8>,
}

impl DetachFilter {
    pub fn new(keys: Vec<u8>) -> Self {
        DetachFilter {
            keys,
            held: Vec::new(),
        }
    }

    /// Feeds input; returns the bytes to forward and whether the sequence was typed.
    pub fn feed(&mut self, input: &[u8]) -> (Vec<u8>, bool) {
        let mut out = Vec::with_capacity(input.len());
        for &b in input {
            self.held.push(b);
            if self.keys.starts_with(&self.held) {
                if self.held.len() == self.keys.len() {
                    return (out, true);
                }
                continue;
            }
            // The held bytes are not the sequence: release the first and retry the rest.
            let held = std::mem::take(&mut self.held);
            let mut i = 0;
            while i < held.len() {
                let rest = &held[i..];
                if self.keys.starts_with(rest) {
                    self.held = rest.to_vec();
                    break;
                }
                out.push(held[i]);
                i += 1;
            }
        }
        (out, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detach_keys_parse() {
        assert_eq!(parse_detach_keys("ctrl-p,ctrl-q"), Some(vec![16, 17]));
        assert_eq!(parse_detach_keys("ctrl-a,x"), Some(vec![1, b'x']));
        assert_eq!(parse_detach_keys("ctrl-@,DEL"), Some(vec![0, 127]));
        assert_eq!(parse_detach_keys("ctrl-"), None);
        assert_eq!(parse_detach_keys("ctrl-ab"), None);
    }

    #[test]
    fn filter_holds_prefixes_and_detects_the_sequence() {
        let mut f = DetachFilter::new(vec![16, 17]);
        assert_eq!(f.feed(b"ab"), (b"ab".to_vec(), false));
        assert_eq!(f.feed(&[16]), (vec![], false));
        assert_eq!(f.feed(b"x"), (vec![16, b'x'], false));
        assert_eq!(f.feed(&[16, 16]), (vec![16], false));
        assert_eq!(f.feed(&[17]), (vec![], true));
    }
}
