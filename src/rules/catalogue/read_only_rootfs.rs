//! read-only-rootfs: the container can write to its root filesystem.

use super::non_root_user::runs_as_root;
use super::{finding, normalize_path, path_within};
use crate::fix::{Change, FixSafety};
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::{Origin, Spec, image, numeric_uid_gid};

static META: RuleMeta = RuleMeta {
    id: "read-only-rootfs",
    title: "The root filesystem is writable",
    severity: Severity::Warning,
    cis: Some("5.13"),
    default_action: Action::Fix,
    fix: Some(FixSafety::BehaviourChanging),
    doc: include_str!("read-only-rootfs.md"),
};

pub struct ReadOnlyRootfs;

/// The user the container will have once non-root-user's fix is applied.
fn user_after_fix<'a>(spec: &'a Spec, settings: &'a Settings) -> &'a str {
    if runs_as_root(spec) {
        &settings.user
    } else {
        spec.effective_user().unwrap_or(&settings.user)
    }
}

/// The preset's tmpfs options with `{uid}`/`{gid}` filled in; an option whose placeholder
/// cannot be filled is dropped.
fn tmpfs_options(template: &str, ids: Option<(u32, Option<u32>)>) -> String {
    use std::fmt::Write as _;
    let uid = ids.map(|(u, _)| u);
    let gid = ids.and_then(|(_, g)| g);
    let mut out = String::with_capacity(template.len() + 8);
    'options: for o in template.split(',').map(str::trim).filter(|o| !o.is_empty()) {
        let start = out.len();
        if start > 0 {
            out.push(',');
        }
        // Placeholders filled left to right; an option naming an unknown id is dropped.
        let mut rest = o;
        while let Some(i) = rest.find('{') {
            out.push_str(&rest[..i]);
            let tail = &rest[i..];
            let (value, after) = if let Some(after) = tail.strip_prefix("{uid}") {
                (Some(uid), after)
            } else if let Some(after) = tail.strip_prefix("{gid}") {
                (Some(gid), after)
            } else {
                (None, &tail[1..])
            };
            match value {
                Some(Some(n)) => {
                    let _ = write!(out, "{n}");
                }
                Some(None) => {
                    out.truncate(start);
                    continue 'options;
                }
                None => out.push('{'),
            }
            rest = after;
        }
        out.push_str(rest);
    }
    out
}

/// Paths already covered by something that is writable without the root filesystem.
fn covered(spec: &Spec, path: &str) -> bool {
    let image_volumes = spec.image_facts.volumes.iter().flatten();
    spec.tmpfs
        .iter()
        .map(|t| t.value.target.as_str())
        .chain(spec.mounts.iter().map(|m| m.value.target.as_str()))
        .chain(image_volumes.map(String::as_str))
        .any(|target| path_within(path, &normalize_path(target)))
}

impl Rule for ReadOnlyRootfs {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, settings: &Settings) -> Vec<Finding> {
        let already = spec.read_only.as_ref().is_some_and(|r| r.value);
        let user = user_after_fix(spec, settings);
        let fs = spec.image_facts.fs.as_ref();
        // Numeric ids: from the image's accounts when it names the user (`--user postgres`).
        let ids = fs
            .and_then(|f| f.resolve(user))
            .map(|(u, g)| (u, Some(g)))
            .or_else(|| numeric_uid_gid(user));
        let options = tmpfs_options(&settings.tmpfs_options, ids);
        let mut changes = if already {
            vec![]
        } else {
            vec![Change::SetReadOnlyRootfs]
        };
        let mut missing = Vec::new();
        for path in &settings.tmpfs_paths {
            let path = normalize_path(path).into_owned();
            let duplicate = missing.contains(&path);
            if !covered(spec, &path) && !duplicate {
                missing.push(path.clone());
                changes.push(Change::AddTmpfs {
                    path,
                    options: options.clone(),
                });
            }
        }
        if let Some(fs) = fs {
            // A tmpfs on /run must not hide what the image keeps there (`/run/mysqld`): each
            // such directory gets its own tmpfs, with its owner and mode.
            if missing.iter().any(|p| p == "/run") {
                for d in image::run_subdirs(fs) {
                    if !covered(spec, &d.path) && !missing.contains(&d.path) {
                        let opts =
                            tmpfs_options(&settings.tmpfs_options, Some((d.uid, Some(d.gid))));
                        missing.push(d.path.clone());
                        changes.push(Change::AddTmpfs {
                            path: d.path.clone(),
                            options: format!("{opts},mode={:o}", d.mode),
                        });
                    }
                }
            }
            // The run user's own empty directories (`/var/cache/nginx`): where it writes.
            if let Some((uid, _)) = ids
                && let Some(acct) = fs.account_by_uid(uid)
            {
                for d in image::service_dirs(&acct.name) {
                    let Some(p) = fs.path(&d) else { continue };
                    let persistent = d.starts_with("/var/lib/");
                    if p.dir
                        && p.empty
                        && p.uid == uid
                        && !persistent
                        && !covered(spec, &d)
                        && !missing.contains(&d)
                    {
                        missing.push(d.clone());
                        changes.push(Change::AddTmpfs {
                            path: d,
                            options: options.clone(),
                        });
                    }
                }
            }
        }
        // What the image's profile says it writes.
        let mut from_profile = Vec::new();
        for t in &settings.profile_tmpfs {
            if covered(spec, &t.path) || missing.contains(&t.path) {
                continue;
            }
            let owner = match (t.uid, t.gid) {
                (Some(u), g) => Some((u, g.or(ids.and_then(|(_, g)| g)))),
                (None, _) => ids,
            };
            let mut opts = tmpfs_options(&settings.tmpfs_options, owner);
            if let Some(m) = &t.mode {
                opts.push_str(&format!(",mode={m}"));
            }
            missing.push(t.path.clone());
            from_profile.push(t.path.clone());
            changes.push(Change::AddTmpfs {
                path: t.path.clone(),
                options: opts,
            });
        }
        // A tmpfs the user mounts without an owner is root's: give it to a non-root user.
        if let Some((uid, Some(gid))) = ids
            && uid != 0
        {
            for t in &spec.tmpfs {
                let has_owner = t
                    .value
                    .options
                    .split(',')
                    .any(|o| o.trim().starts_with("uid="));
                let from_volume =
                    matches!(&t.origin, Origin::Yaml { route, .. } if route.contains(".volumes["));
                if !has_owner && !from_volume && normalize_path(&t.value.target) != "/tmp" {
                    changes.push(Change::SetTmpfsOwner {
                        path: normalize_path(&t.value.target).into_owned(),
                        uid,
                        gid,
                    });
                    missing.push(format!("{} (owned by root)", t.value.target));
                }
            }
        }
        let origin = spec
            .read_only
            .as_ref()
            .map_or(Origin::Missing, |r| r.origin.clone());
        let profile_note = match (&settings.profile_name, from_profile.is_empty()) {
            (Some(name), false) => format!("; {name} adds {}", from_profile.join(", ")),
            _ => String::new(),
        };
        if already {
            // Read-only already: programs still expect somewhere to write.
            if missing.is_empty() {
                return vec![];
            }
            return vec![finding(
                &META,
                format!(
                    "the root filesystem is read-only but nothing writable is mounted at {}{profile_note}",
                    missing.join(", ")
                ),
                origin,
                changes,
            )];
        }
        const WRITABLE: &str = "the root filesystem is writable (read-only is not set)";
        vec![finding(
            &META,
            if profile_note.is_empty() {
                WRITABLE.into()
            } else {
                std::borrow::Cow::Owned(format!("{WRITABLE}{profile_note}"))
            },
            origin,
            changes,
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::spec::{ImageFacts, Tmpfs};

    const OPTS_65534: &str = "rw,noexec,nosuid,nodev,size=64m,uid=65534,gid=65534";

    fn tmpfs(path: &str, options: &str) -> Change {
        Change::AddTmpfs {
            path: path.into(),
            options: options.into(),
        }
    }

    #[test]
    fn fires_with_tmpfs_for_the_preset_user() {
        let f = one(&ReadOnlyRootfs, &Spec::default());
        assert_eq!(
            f.message,
            "the root filesystem is writable (read-only is not set)"
        );
        assert_eq!(f.origin, Origin::Missing);
        assert_eq!(
            f.changes,
            vec![
                Change::SetReadOnlyRootfs,
                tmpfs("/tmp", OPTS_65534),
                tmpfs("/run", OPTS_65534),
            ]
        );
    }

    #[test]
    fn points_at_an_explicit_false() {
        let spec = Spec {
            read_only: Some(at(false, 1, "--read-only")),
            ..Spec::default()
        };
        assert_eq!(one(&ReadOnlyRootfs, &spec).origin, argv(1, "--read-only"));
    }

    #[test]
    fn read_only_without_tmpfs_gets_only_the_tmpfs() {
        let spec = Spec {
            read_only: Some(at(true, 1, "--read-only")),
            ..Spec::default()
        };
        let f = one(&ReadOnlyRootfs, &spec);
        assert_eq!(
            f.message,
            "the root filesystem is read-only but nothing writable is mounted at /tmp, /run"
        );
        assert_eq!(
            f.changes,
            vec![tmpfs("/tmp", OPTS_65534), tmpfs("/run", OPTS_65534)]
        );
        assert_eq!(f.origin, argv(1, "--read-only"));
    }

    #[test]
    fn quiet_when_read_only_with_writable_paths() {
        let spec = Spec {
            read_only: Some(at(true, 1, "--read-only")),
            tmpfs: ["/tmp", "/run"]
                .iter()
                .map(|p| {
                    at(
                        Tmpfs {
                            target: p.to_string(),
                            options: "uid=65534".into(),
                        },
                        3,
                        "--tmpfs",
                    )
                })
                .collect(),
            ..Spec::default()
        };
        none(&ReadOnlyRootfs, &spec);
    }

    #[test]
    fn a_users_tmpfs_without_owner_is_given_to_the_run_user() {
        let spec = Spec {
            read_only: Some(at(true, 1, "--read-only")),
            tmpfs: ["/tmp", "/run", "/var/cache/app"]
                .iter()
                .map(|p| {
                    at(
                        Tmpfs {
                            target: p.to_string(),
                            options: "size=1m".into(),
                        },
                        3,
                        "--tmpfs",
                    )
                })
                .collect(),
            ..Spec::default()
        };
        let f = one(&ReadOnlyRootfs, &spec);
        assert_eq!(
            f.changes,
            vec![
                Change::SetTmpfsOwner {
                    path: "/run".into(),
                    uid: 65534,
                    gid: 65534
                },
                Change::SetTmpfsOwner {
                    path: "/var/cache/app".into(),
                    uid: 65534,
                    gid: 65534
                }
            ]
        );
    }

    #[test]
    fn image_aware_tmpfs_follow_the_image() {
        use crate::spec::image::{FsFacts, PathFact, parse_passwd};
        let dir = |path: &str, uid: u32, mode: u32| PathFact {
            path: path.into(),
            uid,
            gid: uid,
            mode,
            dir: true,
            empty: true,
        };
        let spec = Spec {
            user: Some(at_s("mysql", 1, "--user")),
            image_facts: ImageFacts {
                fs: Some(FsFacts {
                    accounts: parse_passwd(
                        "root:x:0:0::/root:/bin/sh\nmysql:x:999:999::/nonexistent:/bin/false\n",
                    ),
                    groups: vec![],
                    paths: vec![
                        dir("/run", 0, 0o755),
                        dir("/run/mysqld", 999, 0o755),
                        dir("/run/mount", 0, 0o755),
                        dir("/var/cache/mysql", 999, 0o750),
                        dir("/var/lib/mysql", 999, 0o750),
                    ],
                    drops_to: None,
                    file_caps: Vec::new(),
                }),
                ..ImageFacts::default()
            },
            ..Spec::default()
        };
        let f = one(&ReadOnlyRootfs, &spec);
        let o999 = "rw,noexec,nosuid,nodev,size=64m,uid=999,gid=999";
        assert_eq!(
            f.changes,
            vec![
                Change::SetReadOnlyRootfs,
                tmpfs("/tmp", o999),
                tmpfs("/run", o999),
                tmpfs("/run/mysqld", &format!("{o999},mode=755")),
                tmpfs("/var/cache/mysql", o999),
            ]
        );
    }

    #[test]
    fn skips_paths_covered_by_tmpfs_mounts_and_image_volumes() {
        let spec = Spec {
            tmpfs: vec![at(
                Tmpfs {
                    target: "/tmp/".into(),
                    options: String::new(),
                },
                1,
                "--tmpfs",
            )],
            image_facts: ImageFacts {
                volumes: Some(vec!["/data".into()]),
                ..Default::default()
            },
            ..Spec::default()
        };
        let settings = Settings {
            tmpfs_paths: vec!["/tmp".into(), "/run".into(), "/data/cache".into()],
            ..Settings::default()
        };
        let f = ReadOnlyRootfs.check(&spec, &settings);
        assert_eq!(
            f[0].changes,
            vec![Change::SetReadOnlyRootfs, tmpfs("/run", OPTS_65534)]
        );

        // A bind or volume whose target is the path (or a parent of it) covers it too.
        let spec = Spec {
            mounts: vec![
                at(bind("/srv/run", "/run", false), 1, "-v"),
                at(volume(None, "/tmp"), 3, "-v"),
            ],
            ..Spec::default()
        };
        assert_eq!(
            one(&ReadOnlyRootfs, &spec).changes,
            vec![Change::SetReadOnlyRootfs]
        );

        // A mount below the path does not cover it; a look-alike prefix neither.
        let spec = Spec {
            mounts: vec![
                at(bind("/srv/x", "/tmp/x", false), 1, "-v"),
                at(bind("/srv/y", "/runner", false), 3, "-v"),
            ],
            ..Spec::default()
        };
        assert_eq!(one(&ReadOnlyRootfs, &spec).changes.len(), 3);
    }

    #[test]
    fn uses_the_numeric_ids_of_a_non_root_user() {
        let spec = Spec {
            user: Some(at_s("1000:2000", 1, "-u")),
            ..Spec::default()
        };
        assert_eq!(
            one(&ReadOnlyRootfs, &spec).changes[1],
            tmpfs("/tmp", "rw,noexec,nosuid,nodev,size=64m,uid=1000,gid=2000")
        );
        // The image's numeric USER counts as well.
        let spec = Spec {
            image_facts: ImageFacts {
                user: Some("101:101".into()),
                ..Default::default()
            },
            ..Spec::default()
        };
        assert_eq!(
            one(&ReadOnlyRootfs, &spec).changes[1],
            tmpfs("/tmp", "rw,noexec,nosuid,nodev,size=64m,uid=101,gid=101")
        );
    }

    #[test]
    fn drops_placeholders_it_cannot_fill() {
        // A uid without a group: the gid option goes.
        let spec = Spec {
            user: Some(at_s("1000", 1, "-u")),
            ..Spec::default()
        };
        assert_eq!(
            one(&ReadOnlyRootfs, &spec).changes[1],
            tmpfs("/tmp", "rw,noexec,nosuid,nodev,size=64m,uid=1000")
        );
        // A user name: both go.
        let spec = Spec {
            image_facts: ImageFacts {
                user: Some("nginx".into()),
                ..Default::default()
            },
            ..Spec::default()
        };
        assert_eq!(
            one(&ReadOnlyRootfs, &spec).changes[1],
            tmpfs("/tmp", "rw,noexec,nosuid,nodev,size=64m")
        );
    }

    #[test]
    fn root_is_replaced_by_the_preset_user_before_filling_ids() {
        let spec = Spec {
            user: Some(at_s("0:0", 1, "-u")),
            ..Spec::default()
        };
        let settings = Settings {
            user: "nobody".into(),
            tmpfs_paths: vec!["/tmp".into()],
            ..Settings::default()
        };
        let f = ReadOnlyRootfs.check(&spec, &settings);
        assert_eq!(
            f[0].changes,
            vec![
                Change::SetReadOnlyRootfs,
                tmpfs("/tmp", "rw,noexec,nosuid,nodev,size=64m")
            ]
        );
    }

    #[test]
    fn preset_paths_are_normalised_and_deduplicated() {
        let settings = Settings {
            tmpfs_paths: vec!["/tmp/".into(), "/tmp".into()],
            ..Settings::default()
        };
        let f = ReadOnlyRootfs.check(&Spec::default(), &settings);
        assert_eq!(
            f[0].changes,
            vec![Change::SetReadOnlyRootfs, tmpfs("/tmp", OPTS_65534)]
        );
    }

    #[test]
    fn options_template_edge_cases() {
        assert_eq!(tmpfs_options("", Some((1, Some(2)))), "");
        assert_eq!(
            tmpfs_options("mode=1777, uid={uid},gid={gid}", Some((1, Some(2)))),
            "mode=1777,uid=1,gid=2"
        );
        assert_eq!(tmpfs_options("uid={uid},gid={gid}", None), "");
    }

    /// The one-pass filling gives what replacing each placeholder in turn gives.
    #[test]
    fn options_template_as_replacing_each_placeholder() {
        fn replaced(template: &str, ids: Option<(u32, Option<u32>)>) -> String {
            let uid = ids.map(|(u, _)| u.to_string());
            let gid = ids.and_then(|(_, g)| g).map(|g| g.to_string());
            let kept: Vec<String> = template
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .filter_map(|o| {
                    let mut o = o.to_string();
                    for (placeholder, value) in [("{uid}", &uid), ("{gid}", &gid)] {
                        if o.contains(placeholder) {
                            o = o.replace(placeholder, value.as_deref()?);
                        }
                    }
                    Some(o)
                })
                .collect();
            kept.join(",")
        }
        for t in [
            "rw,noexec,nosuid,nodev,size=64m,uid={uid},gid={gid}",
            "uid={uid},mode=1777,gid={gid}",
            "{uid}{gid}{uid},x={",
            "{{uid}},{gi{uid}d},{g,}",
            " , ,a={gid} , b ",
            "{gid},{uid}",
        ] {
            for ids in [None, Some((7, None)), Some((0, Some(42)))] {
                assert_eq!(tmpfs_options(t, ids), replaced(t, ids), "{t} {ids:?}");
            }
        }
    }
}
