//! The last check before anything is written: the edited text is parsed again and compared with
//! the original.

use crate::frontend::compose::tree::Node;

/// The patched text must parse, keep the file's services (same names, still mappings) and
/// keep every comment line of the original.
pub(super) fn verify(original: &str, original_root: &Node, new: &str) -> Result<(), String> {
    let root = crate::frontend::compose::tree::parse(new)
        .map_err(|e| {
            format!(
                "the fixed file would not parse ({}:{}: {}); nothing written",
                e.pos.line, e.pos.column, e.message
            )
        })?
        .ok_or("the fixed file would be empty; nothing written")?;
    // Edits are placed by lines; where the YAML reader sees the structure differently (it
    // breaks lines at a lone CR too) an edit can land in the wrong mapping and still parse.
    let services = |root: &Node| -> Vec<(String, bool)> {
        root.get("services")
            .and_then(|s| s.as_map())
            .map(|m| {
                m.iter()
                    .map(|e| (e.key.clone(), e.value.as_map().is_some()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let same = services(original_root) == services(&root);
    // The tree of a large text is freed beside this thread.
    crate::drop_beside(root, new.len() >= 64 * 1024);
    if !same {
        return Err(
            "the fix would change the file's services, not only their settings; nothing written"
                .into(),
        );
    }
    // Every comment line of the original is still there (as a multiset of lines).
    let mut remaining: crate::FastMap<&str, usize> = crate::FastMap::default();
    for l in comment_lines(new) {
        *remaining.entry(l).or_default() += 1;
    }
    for line in comment_lines(original) {
        match remaining.get_mut(line) {
            Some(n) if *n > 0 => *n -= 1,
            _ => {
                return Err(format!(
                    "the fix would lose the comment `{line}`; nothing written"
                ));
            }
        }
    }
    Ok(())
}

/// The lines of `text` that hold only a comment, trimmed: the lines `str::lines` gives whose
/// trimmed text starts with `#`, found from the `#`s (most lines have none).
fn comment_lines(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices('#').filter_map(move |(at, _)| {
        let start = text[..at].rfind('\n').map_or(0, |n| n + 1);
        if !text[start..at].trim().is_empty() {
            return None;
        }
        let end = text[at..].find('\n').map_or(text.len(), |n| at + n);
        Some(text[start..end].trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_lines_are_the_lines_that_start_with_a_comment() {
        let reference = |t: &str| -> Vec<String> {
            t.lines()
                .map(str::trim)
                .filter(|l| l.starts_with('#'))
                .map(String::from)
                .collect()
        };
        for text in [
            "",
            "#",
            "# a\nb: 1 # c\n  # d # e\n",
            "a:\r\n  # crlf\r\n\t#\ttab\n",
            "\u{a0}# after a no-break space\nx: \"#\"\n## twice\n#last",
            "a: |\n  # in a block scalar\n  text\n",
            "\n\n#\n\n",
        ] {
            let found: Vec<String> = super::comment_lines(text).map(String::from).collect();
            assert_eq!(found, reference(text), "{text:?}");
        }
    }

    #[test]
    fn verify_refuses_changed_services() {
        let original = "services:\n  a:\n    image: x\n";
        let root = crate::frontend::compose::tree::parse(original)
            .unwrap()
            .unwrap();
        assert!(
            verify(
                original,
                &root,
                "services:\n  a:\n    image: x\n    read_only: true\n"
            )
            .is_ok()
        );
        let e = verify(
            original,
            &root,
            "services:\n  a:\n    image: x\n  user: \"1\"\n",
        )
        .unwrap_err();
        assert!(e.contains("would change the file's services"), "{e}");
        let e = verify(original, &root, "services:\n  a: x\n").unwrap_err();
        assert!(e.contains("would change the file's services"), "{e}");
    }
}
