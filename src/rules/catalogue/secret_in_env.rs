//! secret-in-env: a credential is written literally into the container's environment.

use super::finding;
use crate::preset::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::Spec;

static META: RuleMeta = RuleMeta {
    id: "secret-in-env",
    title: "A secret is passed as a literal environment variable",
    severity: Severity::Warning,
    cis: None,
    default_action: Action::Warn,
    fix: None,
    doc: include_str!("secret-in-env.md"),
};

/// Found anywhere in the (upper-cased, `_`-separated) name.
const ANYWHERE: [&str; 14] = [
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "CREDENTIAL",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "PRIVATEKEY",
    "ACCESS_KEY",
    "ACCESSKEY",
    "AUTH_KEY",
    "AUTHKEY",
    "SIGNING_KEY",
];

/// Names that point at a file holding the secret, not the secret.
const POINTERS: [&str; 2] = ["_FILE", "_PATH"];

pub struct SecretInEnv;

/// True when an environment variable name looks like it holds a credential.
fn looks_like_secret(name: &str) -> bool {
    let upper = name.trim().to_ascii_uppercase().replace(['-', '.'], "_");
    if POINTERS.iter().any(|p| upper.ends_with(p)) {
        return false;
    }
    let words = || upper.split('_').filter(|w| !w.is_empty());
    ANYWHERE.iter().any(|k| upper.contains(k))
        // `PASS` only as a whole word (`DB_PASS`, not `PASSENGER` or `BYPASS_CACHE`).
        || words().any(|w| w == "PASS")
        // `TOKEN` as a word or a word's end (`GITHUB_TOKEN`, `AUTHTOKEN`), not `TOKENIZERS`.
        || words().any(|w| w.ends_with("TOKEN") || w == "TOKENS")
}

impl Rule for SecretInEnv {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, _: &Settings) -> Vec<Finding> {
        spec.env
            .iter()
            .filter(|e| {
                let e = &e.value;
                e.literal
                    && e.value.as_deref().is_some_and(|v| !v.is_empty())
                    && looks_like_secret(&e.name)
            })
            .map(|e| {
                finding(
                    &META,
                    format!(
                        "environment variable {} holds a literal value that looks like a credential",
                        e.value.name
                    ),
                    e.origin.clone(),
                    vec![],
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::spec::EnvVar;

    fn env(name: &str, value: Option<&str>, literal: bool) -> Spec {
        Spec {
            env: vec![at(
                EnvVar {
                    name: name.into(),
                    value: value.map(Into::into),
                    literal,
                },
                1,
                "-e",
            )],
            ..Spec::default()
        }
    }

    #[test]
    fn fires_for_credential_names_without_printing_the_value() {
        for name in [
            "POSTGRES_PASSWORD",
            "db_passwd",
            "MYSQL_ROOT_PASSWORD",
            "DB_PASS",
            "pass",
            "CLIENT_SECRET",
            "GITHUB_TOKEN",
            "SLACK_AUTHTOKEN",
            "STRIPE_API_KEY",
            "OPENAI_APIKEY",
            "SSH_PRIVATE_KEY",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "GOOGLE_APPLICATION_CREDENTIALS_JSON",
            "app.credential",
            "AUTH_KEY",
        ] {
            let f = one(&SecretInEnv, &env(name, Some("hunter2"), true));
            assert_eq!(
                f.message,
                format!(
                    "environment variable {name} holds a literal value that looks like a credential"
                )
            );
            assert!(!f.message.contains("hunter2"));
            assert_eq!(f.origin, argv(1, "-e"));
            assert!(f.changes.is_empty());
        }
    }

    #[test]
    fn quiet_for_other_names() {
        for name in [
            "PATH",
            "PWD",
            "PASSENGER_APP_ENV",
            "BYPASS_CACHE",
            "TOKENIZERS_PARALLELISM",
            "COMPASS_URL",
            "KEYBOARD",
        ] {
            none(&SecretInEnv, &env(name, Some("x"), true));
        }
    }

    #[test]
    fn quiet_for_file_pointers() {
        for name in [
            "POSTGRES_PASSWORD_FILE",
            "api_key_file",
            "TLS_PRIVATE_KEY_PATH",
        ] {
            none(&SecretInEnv, &env(name, Some("/run/secrets/x"), true));
        }
    }

    #[test]
    fn quiet_for_references_and_empty_values() {
        none(
            &SecretInEnv,
            &env("DB_PASSWORD", Some("${DB_PASSWORD}"), false),
        );
        none(&SecretInEnv, &env("DB_PASSWORD", None, true));
        none(&SecretInEnv, &env("DB_PASSWORD", Some(""), true));
    }
}
