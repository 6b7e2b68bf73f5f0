//! What an image's filesystem says about how it runs, and what harden decides from it.
//!
//! Read before create, without running anything (see `engine::probe`): the accounts of
//! `/etc/passwd` and `/etc/group`, the owner and mode of the image's `VOLUME`s, of `/run`'s
//! subdirectories and of the directories a service account owns under `/var/cache`, `/var/log`,
//! `/var/lib` and `/run`, and the account the entrypoint script drops to (`gosu postgres`,
//! `su-exec redis`, `setpriv --reuid`, `runuser -u`, `chroot --userspec`, `s6-setuidgid`).
//!
//! From that, [`run_user`] chooses the user a hardened container runs as: the image's non-root
//! `USER`; else the account the entrypoint drops to; else the account that owns the image's
//! volumes or service directories; else nothing (the preset's user). Numeric ids always, so that
//! tmpfs ownership can follow.

use serde::{Deserialize, Serialize};

/// An account of `/etc/passwd`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub home: String,
}

/// Owner and mode of a path in the image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathFact {
    pub path: String,
    pub uid: u32,
    pub gid: u32,
    /// Permission bits (`0o755`).
    pub mode: u32,
    pub dir: bool,
    /// A directory with nothing in it.
    pub empty: bool,
}

/// The entrypoint drops privileges to `user` with `tool` (at `file:line`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivDrop {
    pub user: String,
    pub tool: String,
    pub file: String,
    pub line: usize,
}

/// What the image's filesystem says (absent when it could not be read).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FsFacts {
    pub accounts: Vec<Account>,
    /// `/etc/group`: name and gid.
    pub groups: Vec<(String, u32)>,
    pub paths: Vec<PathFact>,
    pub drops_to: Option<PrivDrop>,
    /// Programs that carry file capabilities (`setcap cap_net_bind_service=+ep`): path and the
    /// capabilities (`CAP_…`). The kernel refuses to run them when a capability they carry is
    /// not in the bounding set, as after `--cap-drop ALL`.
    #[serde(default)]
    pub file_caps: Vec<(String, Vec<String>)>,
}

/// The user chosen for a container, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunUser {
    pub uid: u32,
    pub gid: u32,
    /// Its name in the image, when it has one.
    pub name: Option<String>,
    /// The evidence, for messages and `--explain`.
    pub why: String,
}

impl RunUser {
    pub fn spec(&self) -> String {
        format!("{}:{}", self.uid, self.gid)
    }
}

/// Accounts that Debian's base system creates: never a service's own account.
const BASE_ACCOUNTS: &[&str] = &[
    "root",
    "daemon",
    "bin",
    "sys",
    "sync",
    "games",
    "man",
    "lp",
    "mail",
    "news",
    "uucp",
    "proxy",
    "backup",
    "list",
    "irc",
    "gnats",
    "nobody",
    "_apt",
    "systemd-network",
    "systemd-resolve",
    "systemd-timesync",
    "messagebus",
    "sshd",
    "operator",
    "halt",
    "shutdown",
    "adm",
    "ftp",
    "guest",
];

impl FsFacts {
    pub fn account(&self, name: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.name == name)
    }

    pub fn account_by_uid(&self, uid: u32) -> Option<&Account> {
        self.accounts.iter().find(|a| a.uid == uid)
    }

    pub fn group(&self, name: &str) -> Option<u32> {
        self.groups.iter().find(|(n, _)| n == name).map(|(_, g)| *g)
    }

    pub fn path(&self, path: &str) -> Option<&PathFact> {
        self.paths.iter().find(|p| p.path == path)
    }

    /// `user[:group]` (names or numbers) as numbers, from the image's accounts.
    pub fn resolve(&self, user: &str) -> Option<(u32, u32)> {
        let (u, g) = match user.split_once(':') {
            Some((u, g)) => (u, Some(g)),
            None => (user, None),
        };
        let (uid, default_gid) = match u.parse::<u32>() {
            Ok(n) => (n, self.account_by_uid(n).map(|a| a.gid).unwrap_or(n)),
            Err(_) => {
                let a = self.account(u)?;
                (a.uid, a.gid)
            }
        };
        let gid = match g {
            None => default_gid,
            Some(g) => match g.parse::<u32>() {
                Ok(n) => n,
                Err(_) => self.group(g)?,
            },
        };
        Some((uid, gid))
    }
}

fn describe_ids(fs: &FsFacts, uid: u32, gid: u32) -> String {
    match fs.account_by_uid(uid) {
        Some(a) => format!("{uid}:{gid} ({})", a.name),
        None => format!("{uid}:{gid}"),
    }
}

/// The user a hardened container of this image runs as, when the image says (see the module
/// documentation); `None` leaves the preset's user.
pub fn run_user(
    image_user: Option<&str>,
    volumes: &[String],
    fs: &FsFacts,
    programs: &[String],
) -> Option<RunUser> {
    // 1. The image's own non-root USER.
    if let Some(u) = image_user.filter(|u| !super::is_root_user(u))
        && let Some((uid, gid)) = fs.resolve(u)
    {
        return Some(RunUser {
            uid,
            gid,
            name: fs.account_by_uid(uid).map(|a| a.name.clone()),
            why: format!("the image's USER {u} is {}", describe_ids(fs, uid, gid)),
        });
    }
    // 2. The account the entrypoint drops to.
    if let Some(d) = &fs.drops_to
        && let Some((uid, gid)) = fs.resolve(&d.user)
        && uid != 0
    {
        return Some(RunUser {
            uid,
            gid,
            name: fs.account_by_uid(uid).map(|a| a.name.clone()),
            why: format!(
                "the entrypoint drops to {} with {} ({}:{}), {}",
                d.user,
                d.tool,
                d.file,
                d.line,
                describe_ids(fs, uid, gid)
            ),
        });
    }
    // 3. The non-root owner of the image's volumes.
    let owners: Vec<&PathFact> = volumes
        .iter()
        .filter_map(|v| fs.path(v.trim_end_matches('/')))
        .collect();
    if let Some(first) = owners.first()
        && first.uid != 0
        && owners.iter().all(|p| p.uid == first.uid)
    {
        let gid = fs
            .account_by_uid(first.uid)
            .map(|a| a.gid)
            .unwrap_or(first.gid);
        return Some(RunUser {
            uid: first.uid,
            gid,
            name: fs.account_by_uid(first.uid).map(|a| a.name.clone()),
            why: format!(
                "the image's volume {} belongs to {}",
                first.path,
                describe_ids(fs, first.uid, gid)
            ),
        });
    }
    // 4. The account of the program that runs, when it owns its own directories
    //    (`redis-server` and `/var/lib/redis` → redis).
    let names_program = |name: &str| {
        name.len() >= 4
            && programs.iter().any(|p| {
                let base = p.rsplit('/').next().unwrap_or(p);
                base.contains(name) || (base.len() >= 4 && name.contains(base))
            })
    };
    let mut found: Option<(&Account, &PathFact)> = None;
    for a in fs.accounts.iter().filter(|a| {
        a.uid != 0
            && !BASE_ACCOUNTS.contains(&a.name.as_str())
            && a.uid < 65534
            && names_program(&a.name)
    }) {
        let own = service_dirs(&a.name)
            .into_iter()
            .filter_map(|d| fs.path(&d))
            .find(|p| p.dir && p.uid == a.uid);
        if let Some(p) = own {
            if found.is_some() {
                // Two candidates: do not guess.
                return None;
            }
            found = Some((a, p));
        }
    }
    found.map(|(a, p)| RunUser {
        uid: a.uid,
        gid: a.gid,
        name: Some(a.name.clone()),
        why: format!(
            "{} belongs to the image's account {} ({}:{})",
            p.path, a.name, a.uid, a.gid
        ),
    })
}

/// Where a service account `name` keeps its own directories, by convention.
pub fn service_dirs(name: &str) -> Vec<String> {
    ["/var/cache", "/var/log", "/var/lib", "/run", "/var/run"]
        .iter()
        .map(|d| format!("{d}/{name}"))
        .collect()
}

/// Directories under `/run` that the image ships for a service (a tmpfs on `/run` would hide
/// them): owned by an account other than root, or writable by everyone (`/run/lock`).
pub fn run_subdirs(fs: &FsFacts) -> Vec<&PathFact> {
    fs.paths
        .iter()
        .filter(|p| {
            p.dir
                && (p.uid != 0 || p.mode & 0o002 != 0)
                && p.path
                    .strip_prefix("/run/")
                    .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
        })
        .collect()
}

/// Finds where an entrypoint script drops privileges: `gosu NAME`, `su-exec NAME`, `setpriv
/// --reuid=NAME`, `runuser -u NAME`, `chroot --userspec=NAME`, `s6-setuidgid NAME`.
pub fn find_priv_drop(file: &str, text: &str) -> Option<PrivDrop> {
    for (i, line) in text.lines().enumerate() {
        let code = line.split('#').next().unwrap_or("");
        let words: Vec<&str> = code
            .split(|c: char| c.is_whitespace() || c == ';' || c == '(' || c == ')')
            .filter(|w| !w.is_empty())
            .collect();
        for (j, w) in words.iter().enumerate() {
            let next = words.get(j + 1).copied();
            let (tool, user) = match *w {
                "gosu" | "su-exec" | "s6-setuidgid" | "chpst" => (*w, next),
                "setpriv" => (
                    *w,
                    words[j + 1..]
                        .iter()
                        .find_map(|a| a.strip_prefix("--reuid=")),
                ),
                "runuser" => (
                    *w,
                    words[j + 1..]
                        .windows(2)
                        .find(|p| p[0] == "-u")
                        .map(|p| p[1]),
                ),
                "chroot" => (
                    *w,
                    words[j + 1..]
                        .iter()
                        .find_map(|a| a.strip_prefix("--userspec=")),
                ),
                _ => continue,
            };
            let Some(user) = user else { continue };
            let user = user.trim_matches(|c| c == '"' || c == '\'');
            let user = user.strip_prefix("-u").unwrap_or(user);
            // A literal account name (not a variable, not an option).
            if user.is_empty()
                || user.starts_with('$')
                || user.starts_with('-')
                || !user
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
            {
                continue;
            }
            return Some(PrivDrop {
                user: user.split(':').next().unwrap_or(user).to_string(),
                tool: tool.to_string(),
                file: file.to_string(),
                line: i + 1,
            });
        }
    }
    None
}

/// The capabilities of a `security.capability` extended attribute (`vfs_cap_data`: magic and
/// flags, then the permitted set in 32-bit words).
pub fn parse_file_caps(xattr: &[u8]) -> Vec<String> {
    let word = |i: usize| -> u32 {
        xattr
            .get(i * 4..i * 4 + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .unwrap_or(0)
    };
    if xattr.len() < 12 {
        return Vec::new();
    }
    // Revision 1: one word of permitted bits; revisions 2 and 3: two (low, high).
    let revision = word(0) & 0xFF00_0000;
    let low = word(1) as u64;
    let high = if revision >= 0x0200_0000 && xattr.len() >= 20 {
        word(3) as u64
    } else {
        0
    };
    let bits = low | (high << 32);
    super::KNOWN_CAPABILITIES
        .iter()
        .enumerate()
        .filter(|(i, _)| bits & (1u64 << i) != 0)
        .map(|(_, c)| c.to_string())
        .collect()
}

/// Parses `/etc/passwd`.
pub fn parse_passwd(text: &str) -> Vec<Account> {
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            if f.len() < 7 {
                return None;
            }
            Some(Account {
                name: f[0].to_string(),
                uid: f[2].parse().ok()?,
                gid: f[3].parse().ok()?,
                home: f[5].to_string(),
            })
        })
        .collect()
}

/// Parses `/etc/group`.
pub fn parse_group(text: &str) -> Vec<(String, u32)> {
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.len() >= 3).then(|| Some((f[0].to_string(), f[2].parse().ok()?)))?
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fs() -> FsFacts {
        FsFacts {
            accounts: parse_passwd(
                "root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\npostgres:x:999:999::/var/lib/postgresql:/bin/bash\n",
            ),
            groups: parse_group("root:x:0:\npostgres:x:999:\nssl-cert:x:101:postgres\n"),
            paths: vec![PathFact {
                path: "/var/lib/postgresql/data".into(),
                uid: 999,
                gid: 999,
                mode: 0o1777,
                dir: true,
                empty: true,
            }],
            drops_to: None,
            file_caps: Vec::new(),
        }
    }

    #[test]
    fn file_capabilities() {
        // `setcap cap_net_bind_service=+ep` (revision 2).
        let mut x = vec![0u8; 20];
        x[0..4].copy_from_slice(&0x0200_0001u32.to_le_bytes());
        x[4..8].copy_from_slice(&(1u32 << 10).to_le_bytes());
        assert_eq!(parse_file_caps(&x), vec!["CAP_NET_BIND_SERVICE"]);
        x[12..16].copy_from_slice(&(1u32 << 7).to_le_bytes()); // bit 39: CAP_BPF
        assert_eq!(parse_file_caps(&x), vec!["CAP_NET_BIND_SERVICE", "CAP_BPF"]);
        assert!(parse_file_caps(&[1, 2]).is_empty());
    }

    #[test]
    fn resolves_names_and_numbers() {
        let f = fs();
        assert_eq!(f.resolve("postgres"), Some((999, 999)));
        assert_eq!(f.resolve("postgres:ssl-cert"), Some((999, 101)));
        assert_eq!(f.resolve("33"), Some((33, 33)));
        assert_eq!(f.resolve("1234:5"), Some((1234, 5)));
        assert_eq!(f.resolve("nobody"), None);
    }

    #[test]
    fn chooses_the_user_from_the_evidence() {
        let mut f = fs();
        let u = run_user(Some("www-data"), &[], &f, &[]).unwrap();
        assert_eq!((u.uid, u.gid), (33, 33));
        assert!(u.why.contains("USER www-data"), "{}", u.why);
        let vols = vec!["/var/lib/postgresql/data".to_string()];
        let u = run_user(Some(""), &vols, &f, &[]).unwrap();
        assert_eq!(u.spec(), "999:999");
        assert!(
            u.why.contains("volume /var/lib/postgresql/data"),
            "{}",
            u.why
        );
        f.drops_to = find_priv_drop(
            "/usr/local/bin/docker-entrypoint.sh",
            "#!/bin/bash\nif [ \"$(id -u)\" = 0 ]; then\n  exec gosu postgres \"$BASH_SOURCE\" \"$@\"\nfi\n",
        );
        let u = run_user(None, &[], &f, &[]).unwrap();
        assert!(u.why.contains("gosu") && u.why.contains(":3"), "{}", u.why);
        assert_eq!(run_user(Some("root"), &[], &FsFacts::default(), &[]), None);
    }

    #[test]
    fn finds_privilege_drops() {
        let cases = [
            ("exec su-exec redis \"$0\" \"$@\"", "redis", "su-exec"),
            (
                "setpriv --reuid=mongodb --regid=mongodb --init-groups x",
                "mongodb",
                "setpriv",
            ),
            ("runuser -u rabbitmq -- cmd", "rabbitmq", "runuser"),
            ("chroot --userspec=mysql:mysql / cmd", "mysql", "chroot"),
            ("s6-setuidgid nginx cmd", "nginx", "s6-setuidgid"),
        ];
        for (line, user, tool) in cases {
            let d = find_priv_drop("e.sh", line).unwrap();
            assert_eq!((d.user.as_str(), d.tool.as_str()), (user, tool), "{line}");
        }
        assert!(find_priv_drop("e.sh", "exec gosu \"$USER\" cmd\n# gosu postgres\n").is_none());
    }

    #[test]
    fn a_service_account_owning_its_directories() {
        let f = FsFacts {
            accounts: parse_passwd(
                "root:x:0:0::/root:/bin/sh\nnginx:x:101:101::/nonexistent:/bin/false\n",
            ),
            groups: vec![],
            paths: vec![PathFact {
                path: "/var/cache/nginx".into(),
                uid: 101,
                gid: 0,
                mode: 0o755,
                dir: true,
                empty: true,
            }],
            drops_to: None,
            file_caps: Vec::new(),
        };
        let u = run_user(Some(""), &[], &f, &["nginx".into(), "-g".into()]).unwrap();
        assert_eq!(u.spec(), "101:101");
        assert_eq!(run_user(Some(""), &[], &f, &["redis-server".into()]), None);
    }
}
