//! Man pages (roff), generated from the same clap tree as the completions (with the `docker run`
//! flags of `harden run`/`create`): `harden man` prints `harden.1`; `man/` holds every page
//! (`harden.1`, `harden-run.1`, …), checked by `tests/integration/man.rs`
//! (`HARDEN_BLESS=1 cargo test --test integration man::` regenerates them).

use clap::Command;

/// Every page: `(file name, roff text)`, the top-level page first.
pub fn pages() -> Vec<(String, String)> {
    let mut cmd = super::completions::command().disable_help_subcommand(true);
    cmd.build();
    let mut out = Vec::new();
    collect(cmd, &mut out);
    out
}

fn collect(cmd: Command, out: &mut Vec<(String, String)>) {
    let man = clap_mangen::Man::new(cmd.clone()).manual("harden manual");
    let mut buf = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = man.render(&mut buf);
    out.push((
        man.get_filename(),
        String::from_utf8_lossy(&buf).into_owned(),
    ));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(sub.clone(), out);
    }
}

/// `harden.1`.
pub fn page() -> String {
    pages()
        .into_iter()
        .next()
        .map(|(_, t)| t)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn pages_cover_every_subcommand() {
        let pages = super::pages();
        let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
        for want in [
            "harden.1",
            "harden-run.1",
            "harden-audit.1",
            "harden-compose.1",
            "harden-compose-lint.1",
        ] {
            assert!(names.contains(&want), "{want} missing: {names:?}");
        }
        let run = &pages.iter().find(|(n, _)| n == "harden-run.1").unwrap().1;
        assert!(run.contains("security\\-opt"), "docker flags missing");
    }
}
