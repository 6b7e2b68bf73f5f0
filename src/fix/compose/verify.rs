//! The last check before anything is written: the edited text is parsed again and compared with
//! the original.

use crate::frontend::compose::tree::Node;
use std::collections::HashMap;

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
    if services(original_root) != services(&root) {
        return Err(
            "the fix would change the file's services, not only their settings; nothing written"
                .into(),
        );
    }
    // Every comment line of the original is still there (as a multiset of lines).
    let mut remaining: HashMap<&str, usize> = HashMap::new();
    for l in new.lines().map(str::trim).filter(|l| l.starts_with('#')) {
        *remaining.entry(l).or_default() += 1;
    }
    for line in original
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('#'))
    {
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

#[cfg(test)]
mod tests {
    use super::*;

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
