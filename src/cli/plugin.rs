//! Docker CLI plugin mode: the same binary installed as `docker-harden` in a CLI plugin directory
//! (`~/.docker/cli-plugins/docker-harden`) works as `docker harden run …`.
//!
//! The Docker CLI runs a plugin in two ways (reference §5):
//!
//! - `docker-harden docker-cli-plugin-metadata`: print the metadata JSON (`SchemaVersion` must be
//!   `0.1.0`, `Vendor` non-empty);
//! - `docker-harden [GLOBAL OPTIONS] harden ARGS…`: argv is every original argument after
//!   `docker`, so the global options (`-H`, `--context`, `--config`, `-D`, `--log-level`,
//!   `--tls*`) and the plugin's own name come first. They are skipped here; `-H`, `--context`,
//!   `--config` and `--tls*` choose the daemon as they would for the Docker CLI
//!   ([`crate::engine::host::GlobalOptions`]) for every engine connection and, through the
//!   environment, for `docker compose` children.
//!
//! Plugin mode is detected by the program name `docker-harden`, or by
//! `DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND` (set by the CLI) together with a command line that
//! is a plugin's.

use crate::engine::host::GlobalOptions;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

/// The plugin's name: `docker harden`.
pub const NAME: &str = "harden";
/// The metadata subcommand every CLI plugin answers.
pub const METADATA_COMMAND: &str = "docker-cli-plugin-metadata";
/// Set by the Docker CLI for the plugins it runs.
pub const ORIGINAL_CLI_ENV: &str = "DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND";

/// What the command line asks for.
#[derive(Debug, PartialEq)]
pub enum Invocation {
    /// Not a plugin invocation: parse as `harden …`.
    Direct(Vec<OsString>),
    /// Print the metadata.
    Metadata,
    /// `docker-cli-plugin-hooks` (harden registers none): nothing to do.
    Hook,
    /// `harden ARGS…` with the global options the CLI was given.
    Plugin {
        args: Vec<OsString>,
        globals: GlobalOptions,
    },
    /// A global option without its value, or no plugin name.
    Error(String),
}

/// The metadata JSON.
pub fn metadata() -> String {
    let v = serde_json::json!({
        "SchemaVersion": "0.1.0",
        "Vendor": "harden",
        "Version": env!("CARGO_PKG_VERSION"),
        "ShortDescription": "Secure-by-default docker run, Compose linting and container audits",
        "URL": "https://github.com/harden/harden",
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

fn is_plugin_name(argv0: &OsStr) -> bool {
    Path::new(argv0)
        .file_name()
        .is_some_and(|n| n == OsStr::new("docker-harden"))
}

/// Decides how to read `argv` (including the program name).
pub fn classify(argv: Vec<OsString>, env: &dyn Fn(&str) -> Option<String>) -> Invocation {
    let Some(argv0) = argv.first() else {
        return Invocation::Direct(argv);
    };
    let by_name = is_plugin_name(argv0);
    let by_env = env(ORIGINAL_CLI_ENV).is_some_and(|v| !v.is_empty());
    if !by_name && !by_env {
        return Invocation::Direct(argv);
    }
    let rest = &argv[1..];
    if rest.len() == 1 && rest[0] == METADATA_COMMAND {
        return Invocation::Metadata;
    }
    match strip_globals(rest) {
        Ok((globals, i)) if rest.get(i).is_some_and(|a| a == NAME) => {
            if rest
                .get(i + 1)
                .is_some_and(|a| a == "docker-cli-plugin-hooks")
            {
                return Invocation::Hook;
            }
            let mut args = vec![OsString::from(NAME)];
            args.extend(rest[i + 1..].iter().cloned());
            Invocation::Plugin { args, globals }
        }
        // Run by the CLI's environment but not as a plugin (e.g. `harden` started from a
        // plugin's child): a normal command line.
        _ if !by_name => Invocation::Direct(argv),
        Ok(_) => Invocation::Error(format!(
            "run as a Docker CLI plugin (`docker {NAME} …`), or as `{NAME}`"
        )),
        Err(e) => Invocation::Error(e),
    }
}

/// Reads the Docker CLI's global options from the front of `args`; returns them and the index
/// of the first other argument.
fn strip_globals(args: &[OsString]) -> Result<(GlobalOptions, usize), String> {
    let mut g = GlobalOptions::default();
    let mut i = 0;
    while i < args.len() {
        let Some(arg) = args[i].to_str() else { break };
        if !arg.starts_with('-') || arg == "-" {
            break;
        }
        if arg == "--" {
            i += 1;
            break;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (arg, None),
        };
        // `-Hunix:///x`: a short option with its value attached.
        let (name, inline) = match (name.len() > 2 && !name.starts_with("--"), inline) {
            (true, None) => (&name[..2], Some(name[2..].to_string())),
            (_, inline) => (name, inline),
        };
        let takes_value = matches!(
            name,
            "-H" | "--host"
                | "-c"
                | "--context"
                | "--config"
                | "-l"
                | "--log-level"
                | "--tlscacert"
                | "--tlscert"
                | "--tlskey"
        );
        let boolean = matches!(name, "-D" | "--debug" | "--tls" | "--tlsverify");
        if !takes_value && !boolean {
            return Err(format!("unknown flag: {arg}"));
        }
        let value = if takes_value {
            match inline {
                Some(v) => v,
                None => {
                    i += 1;
                    match args.get(i).and_then(|a| a.to_str()) {
                        Some(v) => v.to_string(),
                        None => return Err(format!("flag needs an argument: {name}")),
                    }
                }
            }
        } else {
            inline.unwrap_or_else(|| "true".into())
        };
        let on = crate::parse::gocompat::parse_bool(&value).unwrap_or(false);
        match name {
            "-H" | "--host" => g.host = Some(value),
            "-c" | "--context" => g.context = Some(value),
            "--config" => g.config_dir = Some(PathBuf::from(value)),
            "--tls" => g.tls = on,
            "--tlsverify" => g.tls_verify = on,
            "--tlscacert" => g.tls_ca_cert = Some(PathBuf::from(value)),
            "--tlscert" => g.tls_cert = Some(PathBuf::from(value)),
            "--tlskey" => g.tls_key = Some(PathBuf::from(value)),
            _ => {} // -D, --log-level: the CLI's own logging
        }
        i += 1;
    }
    Ok((g, i))
}

/// Environment for a `docker compose` child so that it reaches the daemon the global options
/// chose: `(name, Some(value))` to set, `(name, None)` to remove.
pub fn child_env(g: &GlobalOptions) -> Vec<(&'static str, Option<String>)> {
    let mut out = Vec::new();
    if let Some(h) = &g.host {
        out.push(("DOCKER_HOST", Some(h.clone())));
        out.push(("DOCKER_CONTEXT", None));
    }
    if let Some(c) = &g.context {
        // DOCKER_HOST would beat DOCKER_CONTEXT.
        out.push(("DOCKER_CONTEXT", Some(c.clone())));
        out.push(("DOCKER_HOST", None));
    }
    if let Some(d) = &g.config_dir {
        out.push(("DOCKER_CONFIG", Some(d.display().to_string())));
    }
    if g.tls_verify {
        out.push(("DOCKER_TLS_VERIFY", Some("1".into())));
    } else if g.tls {
        out.push(("DOCKER_TLS", Some("1".into())));
    }
    let dir = [&g.tls_ca_cert, &g.tls_cert, &g.tls_key]
        .into_iter()
        .flatten()
        .find_map(|p| p.parent().map(Path::to_path_buf));
    if let Some(d) = dir {
        out.push(("DOCKER_CERT_PATH", Some(d.display().to_string())));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn direct_invocations_stay_direct() {
        let argv = os(&["harden", "run", "-H", "x"]);
        assert_eq!(classify(argv.clone(), &no_env), Invocation::Direct(argv));
        // harden started from a plugin's child process
        let env = |k: &str| (k == ORIGINAL_CLI_ENV).then(|| "docker".to_string());
        let argv = os(&["/usr/bin/harden", "compose", "lint"]);
        assert_eq!(classify(argv.clone(), &env), Invocation::Direct(argv));
    }

    #[test]
    fn metadata_and_hooks() {
        let argv = os(&["/x/cli-plugins/docker-harden", METADATA_COMMAND]);
        assert_eq!(classify(argv, &no_env), Invocation::Metadata);
        let argv = os(&["docker-harden", "harden", "docker-cli-plugin-hooks", "{}"]);
        assert_eq!(classify(argv, &no_env), Invocation::Hook);
        let v: serde_json::Value = serde_json::from_str(&metadata()).unwrap();
        assert_eq!(v["SchemaVersion"], "0.1.0");
        assert_eq!(v["Vendor"], "harden");
    }

    #[test]
    fn global_options_are_read_and_skipped() {
        let argv = os(&[
            "docker-harden",
            "--context",
            "prod",
            "-D",
            "--log-level=debug",
            "--config",
            "/cfg",
            "--tlsverify",
            "--tlscacert=/certs/ca.pem",
            "harden",
            "run",
            "-H",
            "img",
        ]);
        let Invocation::Plugin { args, globals } = classify(argv, &no_env) else {
            panic!()
        };
        assert_eq!(args, os(&["harden", "run", "-H", "img"]));
        assert_eq!(globals.context.as_deref(), Some("prod"));
        assert_eq!(globals.config_dir, Some(PathBuf::from("/cfg")));
        assert!(globals.tls_verify);
        assert_eq!(globals.tls_ca_cert, Some(PathBuf::from("/certs/ca.pem")));
        let env = child_env(&globals);
        assert!(env.contains(&("DOCKER_CONTEXT", Some("prod".into()))));
        assert!(env.contains(&("DOCKER_HOST", None)));
        assert!(env.contains(&("DOCKER_CERT_PATH", Some("/certs".into()))));

        let argv = os(&["docker-harden", "-Hunix:///s.sock", "harden", "audit"]);
        let Invocation::Plugin { args, globals } = classify(argv, &no_env) else {
            panic!()
        };
        assert_eq!(args, os(&["harden", "audit"]));
        assert_eq!(globals.host.as_deref(), Some("unix:///s.sock"));
        let argv = os(&["docker-harden", "-H", "tcp://h:2375", "harden"]);
        assert!(matches!(classify(argv, &no_env), Invocation::Plugin { .. }));
    }

    #[test]
    fn broken_plugin_command_lines() {
        let argv = os(&["docker-harden", "--context"]);
        assert_eq!(
            classify(argv, &no_env),
            Invocation::Error("flag needs an argument: --context".into())
        );
        let argv = os(&["docker-harden", "run"]);
        assert!(matches!(classify(argv, &no_env), Invocation::Error(_)));
        let argv = os(&["docker-harden", "--bogus", "harden"]);
        assert_eq!(
            classify(argv, &no_env),
            Invocation::Error("unknown flag: --bogus".into())
        );
    }
}
