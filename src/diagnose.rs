//! When a hardened container fails soon after start: what broke, which hardening caused it, and
//! the one remedy (the exact flag, the `.harden.yaml` lines, and `harden learn …`).
//!
//! Pure: it reads the last lines the container printed and what harden changed; the doors
//! (`harden run`, `harden compose up`) fetch the lines and print the result.

use crate::fix::Change;

/// What harden knows about the container it hardened.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// The image as given.
    pub image: String,
    /// The user harden ran it as (`999:999`), when harden chose it.
    pub user: Option<String>,
    /// The changes harden applied, with the rule of each.
    pub changes: Vec<(&'static str, Change)>,
    /// The user's own `docker run` arguments (for the `harden learn` line).
    pub args: Vec<String>,
    /// The container was killed by the kernel's OOM killer.
    pub oom_killed: bool,
    /// The engine's tmpfs takes no `uid=`/`gid=` (Podman): a remedy gives the run user the
    /// tmpfs with Podman's `U` option instead.
    pub podman_tmpfs: bool,
}

/// The cause and the remedy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnosis {
    /// The log line that shows it.
    pub evidence: String,
    /// What broke, tied to the hardening that caused it.
    pub cause: String,
    /// The `docker run` flag that fixes it.
    pub flag: Option<String>,
    /// The `.harden.yaml` lines that make it permanent.
    pub preset_lines: Option<String>,
    /// `harden learn …` with the user's arguments.
    pub learn: String,
}

impl Diagnosis {
    /// Lines for stderr (without the `harden:` prefix).
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![
            format!("the container failed: {}", self.cause),
            format!("  seen: {}", self.evidence),
        ];
        if let Some(f) = &self.flag {
            out.push(format!("  fix it for this run: add {f}"));
        }
        if let Some(p) = &self.preset_lines {
            out.push("  or keep it in .harden.yaml:".into());
            for l in p.lines() {
                out.push(format!("    {l}"));
            }
        }
        out.push(format!(
            "  or let harden find what the image needs: {}",
            self.learn
        ));
        out
    }
}

fn ids(ctx: &Context) -> Option<(String, String)> {
    let u = ctx.user.as_deref()?;
    let (a, b) = u.split_once(':').unwrap_or((u, u));
    Some((a.to_string(), b.to_string()))
}

/// The first absolute path in `line`, without trailing punctuation.
fn path_in(line: &str) -> Option<String> {
    // A `/` that starts a word (not `2026/12/07`).
    let start = line.char_indices().find_map(|(i, c)| {
        let prev = line[..i].chars().last();
        (c == '/' && prev.is_none_or(|p| !p.is_alphanumeric() && p != '/' && p != '.')).then_some(i)
    })?;
    let rest = &line[start..];
    let end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ')' | ',' | ';' | '`' | '’'))
        .unwrap_or(rest.len());
    let p = rest[..end].trim_end_matches([':', '.']);
    (p.len() > 1).then(|| p.to_string())
}

/// The directory to make writable for a failing path: the path itself when it looks like a
/// directory, else its parent.
fn dir_of(path: &str) -> String {
    let last = path.rsplit('/').next().unwrap_or("");
    if last.contains('.') || last.is_empty() {
        let parent = &path[..path.len() - last.len()];
        let parent = parent.trim_end_matches('/');
        if parent.is_empty() {
            "/".into()
        } else {
            parent.to_string()
        }
    } else {
        path.to_string()
    }
}

fn learn_line(ctx: &Context) -> String {
    let mut words = vec!["harden".to_string(), "learn".to_string()];
    words.extend(ctx.args.iter().map(|a| crate::render::shell_quote(a)));
    words.join(" ")
}

fn did(ctx: &Context, rule: &str) -> bool {
    ctx.changes.iter().any(|(r, _)| *r == rule)
}

/// Reads the last lines of a failed container.
pub fn diagnose(logs: &str, ctx: &Context) -> Option<Diagnosis> {
    let learn = learn_line(ctx);
    let image_repo = crate::preset::repository(&ctx.image);
    if ctx.oom_killed {
        return Some(Diagnosis {
            evidence: "the kernel's OOM killer stopped it".into(),
            cause: "it ran out of memory under harden's memory limit (memory-limit)".into(),
            flag: Some("--memory 1g".into()),
            preset_lines: Some("memory: 1g".into()),
            learn,
        });
    }
    let lines: Vec<&str> = logs.lines().rev().take(200).collect();
    // 1. Privilege drops and ownership changes refused: the capabilities are gone.
    const EPERM_TOOLS: [&str; 9] = [
        "gosu",
        "su-exec",
        "setpriv",
        "runuser",
        "chown",
        "chmod",
        "setgroups",
        "setuid",
        "initgroups",
    ];
    for l in &lines {
        let low = l.to_ascii_lowercase();
        if low.contains("operation not permitted")
            && (EPERM_TOOLS.iter().any(|t| low.contains(t)) || low.contains("failed switching"))
        {
            let user = ctx.user.clone().unwrap_or_else(|| "UID:GID".into());
            return Some(Diagnosis {
                evidence: l.trim().to_string(),
                cause: format!(
                    "the entrypoint changes users or file owners as root, which needs the \
                     capabilities cap-drop-all removed{}; run it as its service account \
                     instead, which the image's entrypoint supports",
                    if did(ctx, "non-root-user") {
                        ""
                    } else {
                        " (and it runs as root)"
                    }
                ),
                flag: Some(format!("--user {user}")),
                preset_lines: Some(format!(
                    "images:\n  {image_repo}:\n    reason: the entrypoint drops to this account itself\n    user: \"{user}\""
                )),
                learn,
            });
        }
    }
    // 2. Writes refused by the read-only root or by ownership.
    for l in &lines {
        let low = l.to_ascii_lowercase();
        let erofs = low.contains("read-only file system") || low.contains("erofs");
        let eacces = low.contains("permission denied")
            || low.contains("errcode: 13")
            || low.contains("eacces")
            || low.contains("(13)");
        if !(erofs || eacces) {
            continue;
        }
        let Some(path) = path_in(l) else { continue };
        if path.starts_with("/dev/") || path.starts_with("/proc/") {
            continue;
        }
        // `mkdir() "/var/cache/nginx/client_temp" failed`: the parent must be writable.
        // (A tmpfs on `/` itself is no remedy: then the directory being made gets one.)
        let dir = match dir_of(&path).rsplit_once('/') {
            Some((parent, _)) if low.contains("mkdir") && !parent.is_empty() => parent.to_string(),
            _ => dir_of(&path),
        };
        let owner = match ids(ctx) {
            Some((u, g)) => format!(",uid={u},gid={g}"),
            None => String::new(),
        };
        let tmpfs_on = ctx.changes.iter().any(|(_, c)| match c {
            Change::AddTmpfs { path: p, .. } => dir == *p || dir.starts_with(&format!("{p}/")),
            _ => false,
        });
        let cause = if erofs {
            format!("it writes to {dir}, and read-only-rootfs made the root filesystem read-only")
        } else if tmpfs_on {
            format!(
                "it cannot write to {dir} as {}",
                ctx.user.as_deref().unwrap_or("its user")
            )
        } else {
            format!(
                "{dir} is not writable by {} (non-root-user), or the root filesystem is \
                 read-only",
                ctx.user.as_deref().unwrap_or("the run user")
            )
        };
        return Some(Diagnosis {
            evidence: l.trim().to_string(),
            cause,
            flag: Some({
                let options = format!("rw,noexec,nosuid,nodev,size=64m{owner}");
                let options = if ctx.podman_tmpfs {
                    crate::fix::engine::podman_tmpfs_options(&options, ctx.user.as_deref())
                } else {
                    options
                };
                format!("--tmpfs {dir}:{options}")
            }),
            preset_lines: Some(format!(
                "images:\n  {image_repo}:\n    reason: it writes outside its volumes at run time\n    tmpfs:\n      - path: {dir}\n        reason: it writes there at run time"
            )),
            learn,
        });
    }
    // 3. A port below 1024 refused.
    for l in &lines {
        let low = l.to_ascii_lowercase();
        if (low.contains("bind") || low.contains("listen"))
            && (low.contains("permission denied") || low.contains("eacces"))
        {
            return Some(Diagnosis {
                evidence: l.trim().to_string(),
                cause: "it may not bind a privileged port without NET_BIND_SERVICE \
                        (cap-drop-all)"
                    .into(),
                flag: Some("--cap-add NET_BIND_SERVICE".into()),
                preset_lines: Some(format!(
                    "images:\n  {image_repo}: # run it with --cap-add NET_BIND_SERVICE\n    reason: it binds a port below 1024"
                )),
                learn,
            });
        }
    }
    // 4. Out of processes.
    for l in &lines {
        let low = l.to_ascii_lowercase();
        if low.contains("resource temporarily unavailable")
            && (low.contains("fork") || low.contains("thread") || low.contains("clone"))
        {
            return Some(Diagnosis {
                evidence: l.trim().to_string(),
                cause: "it ran out of processes or threads under harden's pids limit \
                        (pids-limit)"
                    .into(),
                flag: Some("--pids-limit 1024".into()),
                preset_lines: Some("pids_limit: 1024".into()),
                learn,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        Context {
            image: "nginx:1.27".into(),
            user: Some("101:101".into()),
            changes: vec![
                (
                    "non-root-user",
                    Change::SetUser {
                        user: "101:101".into(),
                    },
                ),
                ("read-only-rootfs", Change::SetReadOnlyRootfs),
            ],
            args: vec!["-p".into(), "8080:80".into(), "nginx:1.27".into()],
            oom_killed: false,
            podman_tmpfs: false,
        }
    }

    #[test]
    fn on_podman_the_tmpfs_remedy_gives_it_to_the_run_user_with_u() {
        // Podman refuses `uid=`/`gid=` on a tmpfs (`unknown mount option "uid=101"`).
        let logs = "2026/12/07 nginx: [emerg] mkdir() \"/var/cache/nginx/client_temp\" failed (30: Read-only file system)\n";
        let c = Context {
            podman_tmpfs: true,
            ..ctx()
        };
        let flag = diagnose(logs, &c).and_then(|d| d.flag).unwrap();
        assert!(flag.starts_with("--tmpfs /var/cache/nginx:"), "{flag}");
        assert!(!flag.contains("uid=") && !flag.contains("gid="), "{flag}");
        assert!(flag.split(',').any(|o| o == "U"), "{flag}");
    }

    #[test]
    fn read_only_paths_get_a_tmpfs_for_the_run_user() {
        let logs = "2026/12/07 nginx: [emerg] mkdir() \"/var/cache/nginx/client_temp\" failed (30: Read-only file system)\n";
        let d = diagnose(logs, &ctx()).unwrap();
        assert_eq!(
            d.flag.as_deref(),
            Some("--tmpfs /var/cache/nginx:rw,noexec,nosuid,nodev,size=64m,uid=101,gid=101")
        );
        assert!(d.cause.contains("read-only-rootfs"), "{}", d.cause);
        assert_eq!(d.learn, "harden learn -p 8080:80 nginx:1.27");
        let logs = "httpd: could not create /usr/local/apache2/logs/httpd.pid\nhttpd: (30)Read-only file system: AH00099: could not create /usr/local/apache2/logs/httpd.pid\n";
        let d = diagnose(logs, &ctx()).unwrap();
        assert!(
            d.flag
                .unwrap()
                .starts_with("--tmpfs /usr/local/apache2/logs:")
        );
    }

    #[test]
    fn privilege_drops_suggest_the_service_account() {
        let mut c = ctx();
        c.user = None;
        c.changes.clear();
        let d = diagnose(
            "error: failed switching to \"postgres\": operation not permitted\n",
            &c,
        )
        .unwrap();
        assert!(d.cause.contains("cap-drop-all"), "{}", d.cause);
        assert!(d.preset_lines.unwrap().contains("images:\n  nginx:"));
    }

    #[test]
    fn permission_denied_and_oom_and_nothing() {
        let d = diagnose(
            "mariadbd: Can't create/write to file './ddl_recovery.log' (Errcode: 13 \"Permission denied\") in /var/lib/mysql\n",
            &ctx(),
        );
        // No absolute path before the errno: the path after it is used.
        assert!(d.is_some());
        let mut c = ctx();
        c.oom_killed = true;
        assert_eq!(
            diagnose("", &c).unwrap().flag.as_deref(),
            Some("--memory 1g")
        );
        assert!(diagnose("all good\nexiting with 1\n", &ctx()).is_none());
    }
}

#[cfg(test)]
mod preset_lines_parse {
    use super::*;

    /// The `.harden.yaml` lines a diagnosis suggests are a valid preset.
    #[test]
    fn suggested_lines_are_a_valid_preset() {
        let c = Context {
            image: "registry.example/app:1".into(),
            user: Some("870:870".into()),
            changes: vec![],
            args: vec![],
            oom_killed: false,
            podman_tmpfs: false,
        };
        for logs in [
            "mkdir: cannot create directory '/opt/app/tmp': Read-only file system",
            "error: failed switching to \"app\": operation not permitted",
            "bind() to 0.0.0.0:80 failed (13: Permission denied)",
            "fork: Resource temporarily unavailable",
        ] {
            let d = diagnose(logs, &c).unwrap_or_else(|| panic!("{logs}"));
            let lines = d.preset_lines.unwrap();
            crate::preset::PresetFile::parse(".harden.yaml", &lines)
                .unwrap_or_else(|e| panic!("{lines}\n{e}"));
        }
    }
}
