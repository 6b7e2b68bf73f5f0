//! YAML: one event reader (libyaml ported to safe Rust), one positioned tree, and serde over that
//! tree; used by the Compose front end, the presets and the fixes. Writing YAML goes through
//! `yaml_serde` (the serializer yamlpatch uses too).

pub mod de;
pub mod events;
pub mod tree;

/// The contents of `path`, or `None` when it holds more than `max` bytes (read no further).
pub fn read_at_most(path: &std::path::Path, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    // Sized from the file's length (`take` hides it from `read_to_end`, which would then read
    // in doubling chunks from 32 bytes); a file that grows meanwhile is still bounded.
    let len = file.metadata().map_or(0, |m| m.len()).min(max + 1);
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0).saturating_add(1));
    file.take(max + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= max).then_some(bytes))
}
