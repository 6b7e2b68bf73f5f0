//! The Compose back end: semantic [`Change`]s → edits of the original text of each file.
//!
//! Edits are exact splices of the original text, located from the start and end of each node in
//! harden's own YAML events (`locate`); where the events do not place an edit (an anchor on a
//! value, a block scalar last in its mapping, ...) `yamlpath` locates it, and where splices do
//! not fit together (overlapping edits, a comment inside a flow collection) the edits go one by
//! one through `yamlpatch`/`yamlpath` (zizmor's comment-preserving crates). The rules of the
//! game:
//!
//! - an edit targets the service: a key that reaches the service through `<<: *anchor` is
//!   overridden on the service itself, never edited in the anchor;
//! - a service that other services merge (`<<: *svc`) is edited only when every service that
//!   inherits the edit gets the same change;
//! - values are written in a form that YAML 1.1 tools read the same way (quoted when in doubt);
//! - `${VAR}` references are kept as written; a port whose host part is a variable is fixed only
//!   when that is sound (a port number, or an unset address with a default), else reported;
//! - the result must parse, keep every comment line, and keep CRLF line ends; otherwise nothing
//!   is written.
//!
//! The work is done in four steps, one module each: `plan` decides which edits the requests need
//! (and refuses the ones it cannot write), `format` writes the YAML text of new values, `edit`
//! applies the edits to the text (`locate` places them), `verify` checks the result.

mod edit;
mod format;
mod locate;
mod plan;
mod verify;

pub use format::{plain_or_quoted, quote};
pub use plan::{Checker, SERVICE_LIMITS, bind_short_port};

use super::Change;
use crate::frontend::compose::{Project, Target};
use std::collections::BTreeMap;

/// A change that was asked for one service.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub service: String,
    pub rule: &'static str,
    pub change: Change,
}

/// Why a change cannot be written into the file.
pub type Refusal = String;

/// Each request with `Ok` when it can be (or was) written, `Err(reason)` when not.
pub type Outcomes = Vec<(Request, Result<(), Refusal>)>;

/// The result of fixing a project.
#[derive(Debug, Default)]
pub struct Fixed {
    /// New text per file index, only for files that changed.
    pub texts: BTreeMap<usize, String>,
    /// Each request with `Ok` when written, `Err(reason)` when not.
    pub results: Vec<(Request, Result<(), Refusal>)>,
}

/// A failure to produce a valid file (nothing may be written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixError {
    pub file: std::path::PathBuf,
    pub message: String,
}

impl std::fmt::Display for FixError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.message)
    }
}

/// Plans every request without writing any text: for each request (same order), `Ok` when
/// the back end can write it, `Err(reason)` when not. A file that cannot be edited at all (see
/// `edit::editable`) refuses every request. This is what lint's "fixable" means; [`fix`]
/// additionally parses and checks the written text, and refuses to write when that fails.
pub fn plan(project: &Project, requests: &[Request]) -> Result<Vec<Result<(), Refusal>>, FixError> {
    plan_for(project, requests, Target::Compose)
}

/// [`plan`] for `target`.
pub fn plan_for(
    project: &Project,
    requests: &[Request],
    target: Target,
) -> Result<Vec<Result<(), Refusal>>, FixError> {
    let (_, results) = plan::planned(project, requests, target);
    // Edits land in the files that define the services they change.
    let mut files: Vec<usize> = requests
        .iter()
        .zip(&results)
        .filter(|(_, res)| res.is_ok())
        .filter_map(|(r, _)| project.service(&r.service))
        .flat_map(|s| s.layers.iter().map(|l| l.file))
        .collect();
    files.sort_unstable();
    files.dedup();
    editable_files(project, &files)?;
    Ok(results)
}

/// Whether each of `files` can be edited at all (see `edit::editable`).
fn editable_files(project: &Project, files: &[usize]) -> Result<(), FixError> {
    for &file in files {
        let f = &project.files[file];
        edit::editable_with(&f.text, f.collection_tag.clone()).map_err(|message| FixError {
            file: f.path.clone(),
            message,
        })?;
    }
    Ok(())
}

/// Whether every file harden may edit in `project` can be edited at all (see
/// `edit::editable`); `compose fix` stops with this error instead of writing nothing.
pub fn check_editable(project: &Project) -> Result<(), FixError> {
    let files: Vec<usize> = (0..project.files.len())
        .filter(|&i| project.editable(i))
        .collect();
    editable_files(project, &files)
}

/// Applies every request it can; refusals are reported per request.
pub fn fix(project: &Project, requests: &[Request]) -> Result<Fixed, FixError> {
    fix_for(project, requests, Target::Compose)
}

/// [`fix`] for `target`.
pub fn fix_for(project: &Project, requests: &[Request], target: Target) -> Result<Fixed, FixError> {
    let (planner, results) = plan::planned(project, requests, target);
    let edits = planner.render(requests, &results);
    let mut texts = BTreeMap::new();
    for (file, edits) in edits {
        if edits.is_empty() {
            continue;
        }
        let f = &project.files[file];
        let new = edit::apply_edits(&f.text, &f.root, f.collection_tag.clone(), &edits).map_err(
            |message| FixError {
                file: f.path.clone(),
                message,
            },
        )?;
        verify::verify(&f.text, &f.root, &new).map_err(|message| FixError {
            file: f.path.clone(),
            message,
        })?;
        if new != f.text {
            texts.insert(file, new);
        }
    }
    let results = requests.iter().cloned().zip(results).collect();
    Ok(Fixed { texts, results })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::compose::interp::Env;
    use std::path::PathBuf;

    /// A project of one file, `c.yaml`.
    pub(super) fn project(text: &str) -> Project {
        Project::from_texts(
            vec![(PathBuf::from("c.yaml"), text.to_string())],
            PathBuf::from("."),
            Env::default(),
        )
        .unwrap()
    }

    fn run(text: &str, service: &str, changes: Vec<Change>) -> (String, Vec<Result<(), String>>) {
        let p = project(text);
        let reqs: Vec<Request> = changes
            .into_iter()
            .map(|change| Request {
                service: service.into(),
                rule: "t",
                change,
            })
            .collect();
        let f = fix(&p, &reqs).unwrap();
        let out = f.texts.get(&0).cloned().unwrap_or_else(|| text.to_string());
        (out, f.results.into_iter().map(|(_, r)| r).collect())
    }

    fn all_basic() -> Vec<Change> {
        vec![
            Change::DropAllCapabilities,
            Change::SetNoNewPrivileges,
            Change::SetUser {
                user: "65534:65534".into(),
            },
            Change::SetReadOnlyRootfs,
            Change::AddTmpfs {
                path: "/tmp".into(),
                options: "rw,size=64m".into(),
            },
            Change::AddTmpfs {
                path: "/run".into(),
                options: String::new(),
            },
            Change::SetMemory { bytes: 512 << 20 },
            Change::SetNanoCpus {
                nano_cpus: 500_000_000,
            },
            Change::SetPidsLimit { limit: 256 },
        ]
    }

    #[test]
    fn adds_keys_to_a_block_service() {
        let src = "services:\n  web:\n    image: nginx # the image\n    # trailing comment\n  db:\n    image: postgres\n";
        let (out, res) = run(src, "web", all_basic());
        assert!(res.iter().all(|r| r.is_ok()), "{res:?}");
        insta::assert_snapshot!(out, @r#"
        services:
          web:
            image: nginx # the image
            user: "65534:65534"
            read_only: true
            deploy:
              resources:
                limits:
                  memory: 512m
                  cpus: "0.5"
                  pids: 256
            cap_drop:
              - ALL
            security_opt:
              - "no-new-privileges:true"
            tmpfs:
              - "/tmp:rw,size=64m"
              - /run
            # trailing comment
          db:
            image: postgres
        "#);
    }

    #[test]
    fn edits_existing_keys_and_lists_in_their_style() {
        let src = "services:\n  web:\n    image: x\n    read_only: false\n    user: root\n    cap_drop: [NET_RAW]\n    security_opt:\n      - seccomp:unconfined # why\n      - label:disable\n    tmpfs: /run\n";
        let (out, res) = run(
            src,
            "web",
            vec![
                Change::DropAllCapabilities,
                Change::SetReadOnlyRootfs,
                Change::SetUser {
                    user: "1000".into(),
                },
                Change::RemoveSecurityOpt {
                    option: "label:disable".into(),
                },
                Change::SetNoNewPrivileges,
                Change::AddTmpfs {
                    path: "/tmp".into(),
                    options: String::new(),
                },
            ],
        );
        assert!(res.iter().all(|r| r.is_ok()), "{res:?}");
        insta::assert_snapshot!(out, @r#"
        services:
          web:
            image: x
            read_only: true
            user: "1000"
            cap_drop: [NET_RAW, ALL]
            security_opt:
              - seccomp:unconfined # why
              - "no-new-privileges:true"
            tmpfs: [/run, /tmp]
        "#);
    }

    #[test]
    fn merged_keys_are_overridden_on_the_service() {
        let src = "x-common: &common\n  user: root\n  security_opt: [seccomp=unconfined]\nservices:\n  a:\n    <<: *common\n    image: x\n  b:\n    <<: *common\n    image: y\n";
        let (out, res) = run(
            src,
            "a",
            vec![
                Change::SetUser {
                    user: "1000".into(),
                },
                Change::RemoveSecurityOpt {
                    option: "seccomp=unconfined".into(),
                },
            ],
        );
        assert!(res.iter().all(|r| r.is_ok()), "{res:?}");
        insta::assert_snapshot!(out, @r#"
        x-common: &common
          user: root
          security_opt: [seccomp=unconfined]
        services:
          a:
            <<: *common
            image: x
            user: "1000"
            security_opt: []
          b:
            <<: *common
            image: y
        "#);
    }

    #[test]
    fn ports_short_long_and_variables() {
        let env = Env {
            vars: [("P".to_string(), "8080".to_string())].into(),
        };
        let b = |raw: &str| bind_short_port(raw, "127.0.0.1", &env);
        assert_eq!(b("80").unwrap(), "127.0.0.1::80");
        assert_eq!(b("8080:80/udp").unwrap(), "127.0.0.1:8080:80/udp");
        assert_eq!(b("0.0.0.0:8080:80").unwrap(), "127.0.0.1:8080:80");
        assert_eq!(b(":8080:80").unwrap(), "127.0.0.1:8080:80");
        assert_eq!(b("[::]:8080:80").unwrap(), "127.0.0.1:8080:80");
        assert_eq!(b("${P}:80").unwrap(), "127.0.0.1:${P}:80");
        assert!(b("${UNSET}:80").is_err());
        assert_eq!(
            b("${BIND:-}:${P:-443}:443").unwrap(),
            "${BIND:-127.0.0.1}:${P:-443}:443"
        );
        assert!(b("10.0.0.1:80:80").is_err());
        assert_eq!(
            bind_short_port("80:80", "::1", &env).unwrap(),
            "[::1]:80:80"
        );

        let src = "services:\n  web:\n    image: x\n    ports:\n      - \"8080:80\"\n      - 443\n      - target: 22\n        published: 2222\n";
        let p = project(src);
        let spec = crate::frontend::compose::spec::service_spec(&p, &p.services[0]).spec;
        let changes = spec
            .ports
            .iter()
            .map(|port| {
                Change::bind_port(
                    port.value.container_port.clone(),
                    port.value.protocol.clone(),
                    port.value.host_port.clone(),
                    "127.0.0.1".into(),
                    port.origin.clone(),
                )
            })
            .collect();
        let (out, res) = run(src, "web", changes);
        assert!(res.iter().all(|r| r.is_ok()), "{res:?}");
        insta::assert_snapshot!(out, @r#"
        services:
          web:
            image: x
            ports:
              - "127.0.0.1:8080:80"
              - "127.0.0.1::443"
              - target: 22
                published: 2222
                host_ip: 127.0.0.1
        "#);
    }

    #[test]
    fn crlf_and_flow_services() {
        let src = "services:\r\n  web: {image: x}\r\n";
        let (out, res) = run(src, "web", vec![Change::SetReadOnlyRootfs]);
        assert!(res[0].is_ok());
        assert!(out.contains("read_only: true"));
        assert!(out.contains("\r\n"));
        assert!(!out.replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn shared_service_anchor_needs_the_same_change_everywhere() {
        let src = "services:\n  a: &a\n    image: x\n  b:\n    <<: *a\n    image: y\n";
        let p = project(src);
        let req = |s: &str| Request {
            service: s.into(),
            rule: "t",
            change: Change::SetReadOnlyRootfs,
        };
        let f = fix(&p, &[req("a")]).unwrap();
        assert!(f.results[0].1.is_err());
        assert!(f.texts.is_empty());
        let f = fix(&p, &[req("a"), req("b")]).unwrap();
        assert!(f.results.iter().all(|(_, r)| r.is_ok()));
        let out = &f.texts[&0];
        assert_eq!(out.matches("read_only: true").count(), 2, "{out}");
    }

    #[test]
    fn override_files_get_the_edit_where_the_key_is() {
        let p = Project::from_texts(
            vec![
                (
                    PathBuf::from("a.yaml"),
                    "services:\n  web:\n    image: x\n".into(),
                ),
                (
                    PathBuf::from("b.yaml"),
                    "services:\n  web:\n    read_only: false\n".into(),
                ),
            ],
            PathBuf::from("."),
            Env::default(),
        )
        .unwrap();
        let req = |change| Request {
            service: "web".into(),
            rule: "t",
            change,
        };
        let f = fix(
            &p,
            &[
                req(Change::SetReadOnlyRootfs),
                req(Change::DropAllCapabilities),
            ],
        )
        .unwrap();
        assert_eq!(f.texts[&1], "services:\n  web:\n    read_only: true\n");
        assert_eq!(
            f.texts[&0],
            "services:\n  web:\n    image: x\n    cap_drop:\n      - ALL\n"
        );
    }

    #[test]
    fn several_items_into_an_empty_flow_list() {
        // Each insertion was computed against the original `[]`, so both got no separator and
        // the result did not parse: every fix of the file was refused.
        let text = "services:\n  web:\n    image: x\n    tmpfs: []\n    security_opt: []\n";
        let (out, res) = run(
            text,
            "web",
            vec![
                Change::AddTmpfs {
                    path: "/tmp".into(),
                    options: "rw".into(),
                },
                Change::AddTmpfs {
                    path: "/run".into(),
                    options: "rw".into(),
                },
                Change::SetNoNewPrivileges,
            ],
        );
        assert!(res.iter().all(|r| r.is_ok()), "{res:?}");
        assert!(
            out.contains("    security_opt: [\"no-new-privileges:true\"]\n"),
            "{out}"
        );
        assert!(
            out.contains("    tmpfs: [\"/tmp:rw\", \"/run:rw\"]\n"),
            "{out}"
        );
    }

    #[test]
    fn lone_carriage_returns_are_not_edited() {
        // Found by the compose_fix fuzzer: `latest:\r    image: …` is a nested mapping for the
        // YAML reader, but the editor saw one line and appended the service's new keys to
        // `services` itself (the result parsed, with `services.user: "65534:65534"`).
        let text = "services:\n  app:\n    image: nginx\n  latest:\r    image: nginx:1\n";
        let p = project(text);
        let req = |change| Request {
            service: "latest".into(),
            rule: "t",
            change,
        };
        let e = fix(&p, &[req(Change::SetReadOnlyRootfs)]).unwrap_err();
        assert!(e.message.contains("carriage return"), "{e}");
        // CRLF files are still fixed.
        let crlf = "services:\r\n  web:\r\n    image: x\r\n";
        let (out, _) = run(crlf, "web", vec![Change::SetReadOnlyRootfs]);
        assert_eq!(
            out,
            "services:\r\n  web:\r\n    image: x\r\n    read_only: true\r\n"
        );
    }
}
