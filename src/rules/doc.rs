//! A rule's document: the hand-written markdown (`<id>.md`) with the parts that are the same for
//! every rule generated from the rule's id.
//!
//! The `## Waive` section is generated: the ways to waive any rule (`--allow`, a preset, a
//! Compose comment or `x-harden`) named with the rule's id. A rule with something specific to
//! say about waiving it writes its own `## Waive` section, which holds only that note and starts
//! with [`NOTE_MARKER`]; the note follows the generated list.

use super::RuleMeta;

const WAIVE: &str = "## Waive\n";
const REFERENCE: &str = "## Reference";

/// The first line of a `## Waive` section written in a rule's markdown: what follows it is a
/// note for this rule only, shown after the generated ways to waive it.
const NOTE_MARKER: &str = "<!-- Only what is specific to this rule: the usual ways to waive it are generated from its id. -->";

impl RuleMeta {
    /// The rule's full document in markdown: `## Why`, `## Example`, `## Fix`, `## Waive`,
    /// `## Reference`. This is what every door shows (`harden explain`, SARIF rule help).
    pub fn document(&self) -> String {
        let doc = self.doc;
        let (head, note, tail) = match doc.find(WAIVE) {
            Some(start) => {
                let body = &doc[start + WAIVE.len()..];
                let end = body.find("\n## ").map_or(body.len(), |i| i + 1);
                let note = body[..end].trim();
                let note = note.strip_prefix(NOTE_MARKER).unwrap_or(note).trim();
                (&doc[..start], Some(note), &body[end..])
            }
            None => {
                let at = doc.find(REFERENCE).unwrap_or(doc.len());
                (&doc[..at], None, &doc[at..])
            }
        };
        format!("{head}{}\n{tail}", waive_section(self.id, note))
    }
}

/// The `## Waive` section for `id`, then `note`.
fn waive_section(id: &str, note: Option<&str>) -> String {
    let mut out = format!(
        "{WAIVE}\
         - One run: `harden run --allow {id} …`.\n\
         - In a preset: `rules: {{ {id}: off }}`, or a waiver for `{id}` with a `reason:`.\n\
         - In Compose: `# harden: ignore[{id}] <reason>` at the offending entry, or on the \
         service\n  `x-harden: {{allow: [{id}], reason: \"…\"}}`.\n"
    );
    if let Some(note) = note.filter(|n| !n.is_empty()) {
        out.push('\n');
        out.push_str(note);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Action, REGISTRY, Severity};

    fn meta(doc: &'static str) -> RuleMeta {
        RuleMeta {
            id: "some-rule",
            title: "Something",
            severity: Severity::Warning,
            cis: None,
            default_action: Action::Warn,
            fix: None,
            doc,
        }
    }

    const GENERATED: &str = "## Waive\n\
        - One run: `harden run --allow some-rule …`.\n\
        - In a preset: `rules: { some-rule: off }`, or a waiver for `some-rule` with a `reason:`.\n\
        - In Compose: `# harden: ignore[some-rule] <reason>` at the offending entry, or on the service\n  \
        `x-harden: {allow: [some-rule], reason: \"…\"}`.\n";

    #[test]
    fn waive_goes_before_the_reference() {
        let m = meta("## Why\nw\n\n## Example\ne\n\n## Fix\nf\n\n## Reference\nr\n");
        assert_eq!(
            m.document(),
            format!("## Why\nw\n\n## Example\ne\n\n## Fix\nf\n\n{GENERATED}\n## Reference\nr\n")
        );
    }

    #[test]
    fn a_rules_own_note_follows_the_generated_list() {
        let doc = format!(
            "## Fix\nf\n\n## Waive\n{NOTE_MARKER}\nA note\non two lines.\n\n## Reference\nr\n"
        );
        let m = meta(Box::leak(doc.into_boxed_str()));
        assert_eq!(
            m.document(),
            format!("## Fix\nf\n\n{GENERATED}\nA note\non two lines.\n\n## Reference\nr\n")
        );
    }

    /// The generic ways to waive are never written by hand, and a rule's own `## Waive` says
    /// that it holds only what is specific to the rule.
    #[test]
    fn markdown_holds_only_rule_specific_waive_notes() {
        for r in REGISTRY {
            let m = r.meta();
            assert_eq!(
                m.doc.matches("## Waive").count(),
                m.doc.matches(WAIVE).count()
            );
            let Some(start) = m.doc.find(WAIVE) else {
                continue;
            };
            let body = &m.doc[start + WAIVE.len()..];
            let body = &body[..body.find("\n## ").unwrap_or(body.len())];
            let note = body
                .strip_prefix(NOTE_MARKER)
                .unwrap_or_else(|| panic!("{}.md: `## Waive` must start with {NOTE_MARKER}", m.id));
            assert!(
                !note.trim().is_empty(),
                "{}.md: empty `## Waive` note",
                m.id
            );
            for generic in ["--allow", "ignore[", "x-harden", "rules: {"] {
                assert!(
                    !note.contains(generic),
                    "{}.md: `{generic}` in `## Waive` is generated from the id",
                    m.id
                );
            }
        }
    }
}
