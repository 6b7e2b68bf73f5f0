//! `--review`: ask about each change before it is applied.

use crate::check::Outcome;
use crate::fix::Change;
use crate::render::explain;
use crate::rules;
use std::io::IsTerminal;

/// What the user decided.
pub struct Review {
    /// Rules whose changes were skipped (none of a skipped rule's changes is applied).
    pub skipped: Vec<&'static str>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("--review needs an interactive terminal (stdin and stderr must be terminals)")]
    NoTerminal,
    #[error("review cancelled; nothing was created")]
    Quit,
    #[error("review: {0}")]
    Prompt(String),
}

/// True when prompts can be shown.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Asks about every change (accept / skip / explain / quit), then lists the other findings.
pub fn review(
    outcome: &Outcome,
    changes: &[(&'static str, Change)],
) -> Result<Review, ReviewError> {
    if !interactive() {
        return Err(ReviewError::NoTerminal);
    }
    let mut skipped: Vec<&'static str> = Vec::new();
    let total = changes.len();
    for (i, (rule, change)) in changes.iter().enumerate() {
        let meta = rules::find(rule).map(|r| r.meta());
        let finding = outcome
            .fixes()
            .find(|f| f.finding.rule == *rule && f.finding.changes.contains(change));
        eprintln!();
        eprintln!(
            "[{}/{total}] {rule}{}: {}",
            i + 1,
            meta.map(|m| format!(" ({})", explain::cis_short(m)))
                .filter(|s| s != " ()")
                .unwrap_or_default(),
            change.describe()
        );
        if let Some(f) = finding {
            eprintln!("  found:  {}", f.finding.message);
        }
        if let Some(m) = meta {
            eprintln!("  why:    {}", explain::why(m));
            if let Some(s) = m.fix {
                eprintln!("  safety: {s}");
            }
        }
        loop {
            let choice = dialoguer::Select::new()
                .with_prompt("Apply this change?")
                .items(["accept", "skip", "explain", "quit"])
                .default(0)
                .interact()
                .map_err(|e| ReviewError::Prompt(e.to_string()))?;
            match choice {
                0 => break,
                1 => {
                    if !skipped.contains(rule) {
                        skipped.push(rule);
                    }
                    break;
                }
                2 => {
                    if let Some(t) = explain::rule_text(rule) {
                        eprintln!("{t}");
                    }
                }
                _ => return Err(ReviewError::Quit),
            }
        }
    }
    let others: Vec<_> = outcome
        .findings
        .iter()
        .filter(|f| !f.is_fix() && f.waived.is_none())
        .collect();
    if !others.is_empty() {
        eprintln!();
        eprintln!("Also reported (no change made):");
        for f in others {
            eprintln!("  {}: {}", f.finding.rule, f.finding.message);
        }
    }
    Ok(Review { skipped })
}

/// The `.harden.yaml` lines that would make skipped choices permanent.
pub fn waiver_snippet(skipped: &[&str], image: &str) -> String {
    let repo = crate::preset::repository(image);
    let mut s = String::from("# To make these choices permanent, add to .harden.yaml:\nwaivers:\n");
    s.push_str(&format!("  - rules: [{}]\n", skipped.join(", ")));
    s.push_str(&format!("    images: [\"{repo}\"]\n"));
    s.push_str("    reason: \"<why these changes do not fit this image>\"\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_is_a_valid_waiver() {
        let s = waiver_snippet(&["read-only-rootfs", "non-root-user"], "nginx:1.27");
        assert!(s.contains("rules: [read-only-rootfs, non-root-user]"));
        assert!(s.contains("images: [\"nginx\"]"));
        let yaml: String = s
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n");
        let v: yaml_serde::Value = yaml_serde::from_str(&yaml).unwrap();
        assert!(v["waivers"][0]["reason"].is_string());
    }
}
