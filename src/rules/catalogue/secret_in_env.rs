//! secret-in-env: a credential is written literally into the container's environment.
//!
//! A variable is reported when the text written in the Compose file or on the command line holds
//! a credential, in one of three ways:
//! 1. its name says it holds a secret ([`secret_name`]) and its value looks like one
//!    ([`classify`]): booleans, short numbers, paths, class names, URLs without a password and
//!    placeholders are not secrets, anything else is (`changeme` and `example` included);
//! 2. whatever its name, its value holds a URL whose userinfo has a password
//!    (`postgres://app:s3cr3t@db/app`);
//! 3. either of the above once the defaults of `${VAR:-default}` / `${VAR-default}` are
//!    substituted: a default is text written in the file, and Compose ships it whenever the
//!    variable is unset.
//!
//! No message ever prints the value: URLs are shown as `scheme://****@host`.

use super::finding;
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::{EnvVar, Spec};

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
const ANYWHERE: [&str; 15] = [
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
    "ENCRYPTION_KEY",
];

/// Names that point at a file holding the secret, not the secret.
const POINTERS: [&str; 2] = ["_FILE", "_PATH"];

/// A last word that makes the name describe something about a credential instead of holding
/// it: how it is hashed or checked (`MAILCOW_PASS_SCHEME`, `KC_SPI_PASSWORD_POLICY`), how long
/// it is or lives (`PASSWORD_MIN_LENGTH`, `TOKEN_TTL`, `JWT_ACCESS_TOKEN_EXPIRE_MINUTES`), or what
/// and where it is (`TLS_SECRET_NAME`, `TOKEN_URL`, `SECRET_HOST`).
const PROPERTIES: [&str; 28] = [
    "SCHEME",
    "POLICY",
    "TYPE",
    "MODE",
    "METHOD",
    "ALGORITHM",
    "ALGO",
    "FORMAT",
    "PROVIDER",
    "LENGTH",
    "TTL",
    "TIMEOUT",
    "EXPIRY",
    "EXPIRE",
    "EXPIRES",
    "EXPIRATION",
    "LIFETIME",
    "ROUNDS",
    "ITERATIONS",
    "DAYS",
    "HOURS",
    "MINUTES",
    "SECONDS",
    "NAME",
    "HOST",
    "URL",
    "URI",
    "ENDPOINT",
];

/// Values that switch something on or off (compared case-insensitively).
const SWITCHES: [&str; 12] = [
    "true", "false", "yes", "no", "on", "off", "y", "n", "enable", "enabled", "disable", "disabled",
];

/// Values that stand for "no credential here" (compared case-insensitively): mailcow's
/// `API_KEY=invalid` turns its API off.
const SENTINELS: [&str; 7] = [
    "none",
    "null",
    "nil",
    "invalid",
    "unset",
    "undefined",
    "empty",
];

/// File extensions of key material, key stores and the files that usually hold a secret: a bare
/// `kafka.keystore.jks` names a file.
const FILE_EXTENSIONS: [&str; 20] = [
    "jks",
    "p12",
    "pfx",
    "pem",
    "key",
    "crt",
    "cer",
    "der",
    "keystore",
    "truststore",
    "jceks",
    "bcfks",
    "p8",
    "pk8",
    "ppk",
    "pub",
    "gpg",
    "asc",
    "json",
    "txt",
];

/// A number with more integer digits than this is no longer a count, a length, a port or a
/// duration in seconds under a day: `123456` is a (weak) numeric password.
const MAX_SETTING_DIGITS: usize = 5;

/// Defaults nested deeper than this (`${A:-${B:-${C:-…}}}`) are treated as unknown.
const MAX_DEPTH: usize = 16;

/// Stands in, in [`Shipped`] text, for the value of a variable that has no default.
const UNKNOWN: char = '…';

pub struct SecretInEnv;

/// True when an environment variable name looks like it holds a credential.
fn secret_name(name: &str) -> bool {
    // Every word below has one of these stems; most names have none (a quick no).
    const STEMS: [&str; 5] = ["PASS", "SECRET", "CREDENTIAL", "KEY", "TOKEN"];
    let has = |stem: &str| {
        name.as_bytes()
            .windows(stem.len())
            .any(|w| w.eq_ignore_ascii_case(stem.as_bytes()))
    };
    if !STEMS.iter().any(|s| has(s)) {
        return false;
    }
    let upper = name.trim().to_ascii_uppercase().replace(['-', '.'], "_");
    if POINTERS.iter().any(|p| upper.ends_with(p)) {
        return false;
    }
    let words: Vec<&str> = upper.split('_').filter(|w| !w.is_empty()).collect();
    if words.last().is_some_and(|w| PROPERTIES.contains(w)) {
        return false;
    }
    ANYWHERE.iter().any(|k| upper.contains(k))
        // `PASS` only as a whole word (`DB_PASS`, not `PASSENGER` or `BYPASS_CACHE`).
        || words.contains(&"PASS")
        // `TOKEN` as a word or a word's end (`GITHUB_TOKEN`, `AUTHTOKEN`), not `TOKENIZERS`.
        || words.iter().any(|w| w.ends_with("TOKEN") || *w == "TOKENS")
        // `ENC_KEY` only as whole words (`DB_ENC_KEY`, `VAULT_ENC_KEY`).
        || words.windows(2).any(|p| p == ["ENC", "KEY"])
}

/// What a value is, as far as its text tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Nothing (`""`, `''`).
    Empty,
    /// A switch: `true`, `no`, `on`, `enabled`…
    Switch,
    /// A number of at most [`MAX_SETTING_DIGITS`] integer digits: a count, a length, a port, a
    /// duration (`1`, `0`, `3600`, `0.5`).
    Number,
    /// A stand-in for the real value: a reference in another syntax (`$VAR`, `${VAR}`,
    /// `{{ .Token }}`, `<your-token>`, `%PASSWORD%`, `@PASSWORD@`, `__PASSWORD__`), a mask
    /// (`********`, `xxxx`) or a sentinel ([`SENTINELS`]).
    Placeholder,
    /// A URL (a URL with a password is reported whatever the name, see [`url_password`]).
    Url,
    /// A file path: absolute (`/run/secrets/db`), relative (`./certs/server.pem`, `~/x`), or a
    /// file name with a key or key store extension (`kafka.keystore.jks`).
    Path,
    /// A Java or .NET class name: three or more dotted identifiers, the last one capitalised
    /// (`org.keycloak.SomePolicyProvider`).
    ClassName,
    /// Anything else: a credential, weak (`changeme`, `example`, `hunter2`) or strong.
    Secret,
}

/// Classifies a value written under a secret-looking name.
fn classify(value: &str) -> Kind {
    let v = unquote(value.trim());
    let lower = v.to_ascii_lowercase();
    if v.is_empty() {
        Kind::Empty
    } else if SWITCHES.contains(&lower.as_str()) {
        Kind::Switch
    } else if is_setting_number(v) {
        Kind::Number
    } else if SENTINELS.contains(&lower.as_str()) || is_placeholder(v) {
        Kind::Placeholder
    } else if is_url(v) {
        Kind::Url
    } else if is_path(v) {
        Kind::Path
    } else if is_class_name(v) {
        Kind::ClassName
    } else {
        Kind::Secret
    }
}

/// `v` without one pair of matching surrounding quotes (Compose keeps them in list syntax:
/// `- SENTRY_DSN="0"` sets `"0"`).
fn unquote(v: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner;
        }
    }
    v
}

fn is_setting_number(v: &str) -> bool {
    let v = v.strip_prefix(['-', '+']).unwrap_or(v);
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    !int.is_empty()
        && int.len() <= MAX_SETTING_DIGITS
        && digits(int)
        && digits(frac)
        && !(v.contains('.') && frac.is_empty())
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn is_identifier(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(is_name_char)
}

fn is_placeholder(v: &str) -> bool {
    let wrapped = |open: &str, close: &str| {
        v.len() > open.len() + close.len() && v.starts_with(open) && v.ends_with(close)
    };
    let named = |open: &str, close: &str| {
        wrapped(open, close) && is_identifier(&v[open.len()..v.len() - close.len()])
    };
    let mut chars = v.chars();
    let first = chars.next();
    // A mask: one character repeated (`****`, `xxxxxxxx`, `...`).
    let masked = first.is_some_and(|f| "*xX#.?-_".contains(f) && chars.all(|c| c == f));
    masked
        || v.strip_prefix('$').is_some_and(is_identifier)
        || wrapped("${", "}")
        || wrapped("{{", "}}")
        || wrapped("#{", "}")
        || (wrapped("<", ">") && !v[1..v.len() - 1].contains(['<', '>']))
        || named("%(", ")s")
        || named("%", "%")
        || named("@", "@")
        || named("__", "__")
}

/// True when `v` starts with `scheme://`.
fn is_url(v: &str) -> bool {
    v.split_once("://").is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    })
}

fn is_path(v: &str) -> bool {
    // `=` and `+` are base64, not paths: `/9j+…=` is a key that starts with a slash.
    if v.contains(|c: char| c.is_whitespace() || c == '=' || c == '+') {
        return false;
    }
    let b = v.as_bytes();
    let windows_drive =
        b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'\\' | b'/');
    let rooted = ["/", "./", "../", "~/"].iter().any(|p| v.starts_with(p)) || windows_drive;
    let file_name = v.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && FILE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
    }) && v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c));
    (rooted && v.len() > 1) || file_name
}

fn is_class_name(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    let java_identifier = |s: &str| {
        s.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
            && s.chars().all(|c| is_name_char(c) || c == '$')
    };
    parts.len() >= 3
        && parts.iter().all(|p| java_identifier(p))
        && parts
            .last()
            .is_some_and(|p| p.starts_with(|c: char| c.is_ascii_uppercase()))
}

/// Where a character of a value comes from once Compose has interpolated it with no variable
/// set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    /// Written in the value itself.
    Text,
    /// Written as the default of the `n`th reference taken ([`Shipped::defaults`]).
    Default(usize),
    /// The value of a variable that has no default: unknown here ([`UNKNOWN`]).
    Variable,
}

/// A value as Compose ships it when no variable is set: the written text and the defaults, with
/// [`UNKNOWN`] for each reference that has none. `$$` is a `$`.
#[derive(Debug, Default)]
struct Shipped {
    chars: Vec<(char, Source)>,
    /// `(name, operator)` of each reference whose default was taken: `("PG_PASS", ":-")`.
    defaults: Vec<(String, &'static str)>,
}

impl Shipped {
    /// `raw` is the value as written; `literal` is false when it references a variable.
    fn of(raw: &str, literal: bool) -> Shipped {
        let mut s = Shipped::default();
        if literal {
            // No reference to resolve; a `$$` left in a Compose value reaches the container as `$`.
            s.chars = raw
                .replace("$$", "$")
                .chars()
                .map(|c| (c, Source::Text))
                .collect();
        } else {
            let chars: Vec<char> = raw.chars().collect();
            s.interpolate(&chars, Source::Text, 0);
        }
        s
    }

    /// Compose's grammar: `$$`, `$NAME`, `${NAME}`, `${NAME:-default}`, `${NAME-default}`,
    /// `${NAME:?err}`, `${NAME?err}`, `${NAME:+alt}`, `${NAME+alt}`, defaults nested.
    fn interpolate(&mut self, chars: &[char], from: Source, depth: usize) {
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c != '$' {
                self.chars.push((c, from));
                i += 1;
                continue;
            }
            match chars.get(i + 1) {
                Some('$') => {
                    self.chars.push(('$', from));
                    i += 2;
                }
                Some('{') => {
                    let Some(end) = closing_brace(chars, i + 2) else {
                        // Unterminated: Compose refuses the file; nothing to judge.
                        self.chars.push((UNKNOWN, Source::Variable));
                        return;
                    };
                    self.reference(&chars[i + 2..end], depth);
                    i = end + 1;
                }
                Some(&n) if n.is_ascii_alphabetic() || n == '_' => {
                    self.chars.push((UNKNOWN, Source::Variable));
                    i += 1;
                    while i < chars.len() && is_name_char(chars[i]) {
                        i += 1;
                    }
                }
                _ => {
                    self.chars.push(('$', from));
                    i += 1;
                }
            }
        }
    }

    /// One `${…}`; `inner` is the text between the braces.
    fn reference(&mut self, inner: &[char], depth: usize) {
        let name_end = inner
            .iter()
            .position(|c| !is_name_char(*c))
            .unwrap_or(inner.len());
        let (op, default) = match &inner[name_end..] {
            [':', '-', rest @ ..] => (":-", rest),
            ['-', rest @ ..] => ("-", rest),
            // No default: the variable's value, or an error (`:?`), or an alternative used only
            // when the variable is set (`:+`).
            _ => {
                self.chars.push((UNKNOWN, Source::Variable));
                return;
            }
        };
        if depth >= MAX_DEPTH {
            self.chars.push((UNKNOWN, Source::Variable));
            return;
        }
        self.defaults.push((inner[..name_end].iter().collect(), op));
        let n = self.defaults.len() - 1;
        self.interpolate(default, Source::Default(n), depth + 1);
    }

    fn text(&self) -> String {
        self.chars.iter().map(|c| c.0).collect()
    }

    fn has_variables(&self) -> bool {
        self.chars.iter().any(|c| c.1 == Source::Variable)
    }

    /// "the default of `${NAME:-…}`, …", for the reference that supplied characters `chars`.
    fn default_advice(&self, chars: &[(char, Source)]) -> Option<String> {
        let n = chars.iter().find_map(|c| match c.1 {
            Source::Default(n) => Some(n),
            _ => None,
        })?;
        let (name, op) = &self.defaults[n];
        Some(format!(
            "the default of ${{{name}{op}…}}, which is written in the file; require the variable \
             with ${{{name}:?set {name}}} or use a Compose secret"
        ))
    }
}

/// The index of the `}` that closes a `${` whose content starts at `start` (nested `${` count).
fn closing_brace(chars: &[char], start: usize) -> Option<usize> {
    let mut depth = 1;
    let mut j = start;
    while j < chars.len() {
        if chars[j] == '$' && chars.get(j + 1) == Some(&'{') {
            depth += 1;
            j += 2;
            continue;
        }
        if chars[j] == '}' {
            depth -= 1;
            if depth == 0 {
                return Some(j);
            }
        }
        j += 1;
    }
    None
}

/// A URL in the value whose userinfo holds a written-down password.
struct UrlPassword {
    /// `scheme://****@host`.
    masked: String,
    /// The password's characters (to tell whether a default supplied them).
    password: Vec<(char, Source)>,
}

/// The first `scheme://user:password@host` in `chars` whose password is written down: not
/// empty, not (even partly) a variable, not a placeholder.
fn url_password(chars: &[(char, Source)]) -> Option<UrlPassword> {
    let text: Vec<char> = chars.iter().map(|c| c.0).collect();
    let mut from = 0;
    while let Some(sep) =
        (from..text.len().saturating_sub(2)).find(|&i| text[i..i + 3] == [':', '/', '/'])
    {
        from = sep + 3;
        let mut start = sep;
        while start > 0
            && (text[start - 1].is_ascii_alphanumeric() || "+-.".contains(text[start - 1]))
        {
            start -= 1;
        }
        while start < sep && !text[start].is_ascii_alphabetic() {
            start += 1;
        }
        if start == sep {
            continue;
        }
        let end = (from..text.len())
            .find(|&i| "/?#\"'".contains(text[i]) || text[i].is_whitespace())
            .unwrap_or(text.len());
        // The last `@` ends the userinfo (an unencoded `@` in a password is common).
        let Some(at) = (from..end).rev().find(|&i| text[i] == '@') else {
            continue;
        };
        let Some(colon) = (from..at).find(|&i| text[i] == ':') else {
            continue;
        };
        let password = &chars[colon + 1..at];
        if password.iter().any(|c| c.1 == Source::Variable) {
            continue;
        }
        let written: String = password.iter().map(|c| c.0).collect();
        if matches!(classify(&written), Kind::Empty | Kind::Placeholder) {
            continue;
        }
        let scheme: String = text[start..sep].iter().collect();
        let host: String = text[at + 1..end].iter().collect();
        return Some(UrlPassword {
            masked: format!("{scheme}://****@{host}"),
            password: password.to_vec(),
        });
    }
    None
}

/// The finding's message for one variable, if it holds a written-down credential.
fn message(var: &EnvVar) -> Option<String> {
    let raw = var.value.as_deref()?;
    let name = &var.name;
    // A URL with a password needs a `:` and a `/`, which only the written text (or a default
    // in it) supplies; without them only a credential's name can make a finding.
    let may_hold_url = raw.contains(':') && raw.contains('/');
    if !(may_hold_url || secret_name(name)) {
        return None;
    }
    let shipped = Shipped::of(raw, var.literal);
    if let Some(url) = url_password(&shipped.chars) {
        let what = format!(
            "environment variable {name} holds a URL that embeds a password ({})",
            url.masked
        );
        return Some(match shipped.default_advice(&url.password) {
            Some(default) => format!("{what} from {default}"),
            None => what,
        });
    }
    if !secret_name(name) || shipped.has_variables() || classify(&shipped.text()) != Kind::Secret {
        return None;
    }
    Some(match shipped.default_advice(&shipped.chars) {
        Some(default) => {
            format!("environment variable {name} takes a literal credential from {default}")
        }
        None => format!(
            "environment variable {name} holds a literal value that looks like a credential"
        ),
    })
}

impl Rule for SecretInEnv {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, _: &Settings) -> Vec<Finding> {
        spec.env
            .iter()
            .filter_map(|e| {
                let text = message(&e.value)?;
                Some(finding(&META, text, e.origin.clone(), vec![]))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

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

    /// As the Compose front end sets it: not literal when the text references a variable.
    fn compose(name: &str, value: &str) -> Spec {
        let literal = !value.replace("$$", "").contains('$');
        env(name, Some(value), literal)
    }

    /// The one message for `name: value` (Compose), checking that no secret leaks into it.
    fn message_of(name: &str, value: &str, secret: &str) -> String {
        let f = one(&SecretInEnv, &compose(name, value));
        assert!(
            !f.message.contains(secret),
            "{name}={value}: message prints the secret: {}",
            f.message
        );
        assert!(f.changes.is_empty());
        f.message.into_owned()
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
            "SOGO_URL_ENCRYPTION_KEY",
            "DB_ENC_KEY",
            "VAULT_DEV_ROOT_TOKEN_ID",
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
            "ENCODER",
            "FENC_KEYS",
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
    fn quiet_for_names_about_a_credential() {
        for (name, value) in [
            ("MAILCOW_PASS_SCHEME", "BLF-CRYPT"),
            ("KC_SPI_PASSWORD_POLICY", "length(12) and digits(1)"),
            ("ACCESS_TOKEN_TYPE", "bearer"),
            ("JWT_SECRET_ALGORITHM", "HS256"),
            ("PASSWORD_MIN_LENGTH", "twelve"),
            ("TOKEN_TTL", "7d"),
            ("JWT_ACCESS_TOKEN_EXPIRE_MINUTES", "2592000"),
            ("TLS_SECRET_NAME", "web-tls"),
            ("TOKEN_URL", "auth.internal"),
            ("VAULT_TOKEN_HOST", "vault"),
        ] {
            none(&SecretInEnv, &env(name, Some(value), true));
        }
    }

    #[test]
    fn classifies_values() {
        use Kind::*;
        for (value, kind) in [
            ("", Empty),
            ("  ", Empty),
            ("''", Empty),
            ("true", Switch),
            ("False", Switch),
            ("yes", Switch),
            ("NO", Switch),
            ("on", Switch),
            ("off", Switch),
            ("y", Switch),
            ("disabled", Switch),
            ("1", Number),
            ("0", Number),
            ("'1'", Number),
            ("\"0\"", Number),
            ("3600", Number),
            ("86400", Number),
            ("0.5", Number),
            ("-1", Number),
            ("/run/secrets/db_password", Path),
            ("/etc/kafka/secrets/kafka.truststore.jks", Path),
            ("./certs/server.pem", Path),
            ("../x.key", Path),
            ("~/.ssh/id_ed25519", Path),
            ("C:\\certs\\server.pfx", Path),
            ("kafka.keystore.jks", Path),
            ("client.p12", Path),
            ("certs/tls.key", Path),
            ("service-account.json", Path),
            ("org.keycloak.SomePolicyProvider", ClassName),
            (
                "org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder",
                ClassName,
            ),
            ("System.Security.Cryptography.SHA256Managed", ClassName),
            ("com.example.Outer$Inner", ClassName),
            ("https://example.com/reset", Url),
            ("redis://cache:6379/0", Url),
            ("$DB_PASSWORD", Placeholder),
            ("${DB_PASSWORD}", Placeholder),
            ("{{ .Values.password }}", Placeholder),
            ("<your-token>", Placeholder),
            ("%DB_PASSWORD%", Placeholder),
            ("%(password)s", Placeholder),
            ("@DB_PASSWORD@", Placeholder),
            ("__DB_PASSWORD__", Placeholder),
            ("#{vault.password}", Placeholder),
            ("********", Placeholder),
            ("xxxxxxxx", Placeholder),
            ("none", Placeholder),
            ("invalid", Placeholder),
            ("NULL", Placeholder),
            ("changeme", Secret),
            ("example", Secret),
            ("s3cr3t", Secret),
            ("hunter2", Secret),
            ("changeit", Secret),
            ("password", Secret),
            ("example_123", Secret),
            ("123456", Secret),
            ("12345678", Secret),
            ("ghp_R4nd0mT0k3nV4lu3xxxxxxxxxxxxxxxxxx", Secret),
            ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", Secret),
            ("/9j/4AAQSkZJRg+Abc=", Secret),
            ("my.secret.password", Secret),
            ("pa$word", Secret),
            ("xXxXxX", Secret),
            ("<<not a placeholder>>", Secret),
        ] {
            assert_eq!(classify(value), kind, "{value:?}");
        }
    }

    #[test]
    fn quiet_for_values_that_are_not_credentials() {
        for (name, value) in [
            ("MYSQL_RANDOM_ROOT_PASSWORD", "1"),
            ("MYSQL_RANDOM_ROOT_PASSWORD", "yes"),
            ("MYSQL_ALLOW_EMPTY_PASSWORD", "true"),
            ("REDIS_PASSWORD_REQUIRED", "no"),
            ("OPENAI_MAX_TOKENS", "4096"),
            ("DATABASE_PASSWORD", "/run/secrets/db-password"),
            ("SSL_KEYSTORE_PASSWORD_LOCATION", "/etc/x.jks"),
            ("TRUSTSTORE_PASSWORD_LOCATION", "/x/y.jks"),
            ("KEYSTORE_PASSWORD", "kafka.keystore.jks"),
            ("TLS_PRIVATE_KEY", "./certs/server.key"),
            ("KC_SPI_PASSWORD_POLICY", "org.keycloak.SomePolicyProvider"),
            (
                "SPRING_PASSWORD_ENCODER",
                "org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder",
            ),
            ("API_TOKEN", "<your-token>"),
            ("API_KEY", "invalid"),
            ("ADMIN_PASSWORD", "********"),
            ("PASSWORD_RESET_LINK", "https://example.com/reset"),
            ("SECRET", "'0'"),
        ] {
            none(&SecretInEnv, &env(name, Some(value), true));
        }
    }

    #[test]
    fn fires_for_weak_and_numeric_passwords() {
        for value in [
            "changeme", "example", "s3cr3t", "password", "123456", "pa$$word",
        ] {
            message_of("DB_PASSWORD", value, value);
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
        for value in [
            "$DB_PASSWORD",
            "${PG_PASS:?database password required}",
            "${PG_PASS?required}",
            "${ELASTIC_PASSWORD:-}",
            "${ELASTIC_PASSWORD-}",
            "${USE_DEFAULT:+hunter2}",
            "${JWT_SECRET:-${LEGACY_JWT_SECRET}}",
            "${A:-prefix}${B}",
            "$${DB_PASSWORD}",
            "${MODE:-true}",
            "${RANDOM_PASSWORD:-1}",
            "${KEYSTORE_PASSWORD:-/run/secrets/ks}",
            "${API_KEY:-invalid}",
        ] {
            none(&SecretInEnv, &compose("DB_PASSWORD", value));
        }
        // Only Compose interpolates: a `docker run -e` value is taken as it is, and a value that
        // is wholly a reference is a placeholder.
        none(
            &SecretInEnv,
            &env("DB_PASSWORD", Some("${DB_PASSWORD}"), true),
        );
        none(
            &SecretInEnv,
            &env("DB_PASSWORD", Some("$DB_PASSWORD"), true),
        );
    }

    #[test]
    fn fires_for_literal_defaults_and_names_the_variable() {
        for (name, value, var, op, secret) in [
            (
                "POSTGRES_PASSWORD",
                "${PG_PASS:-changeme}",
                "PG_PASS",
                ":-",
                "changeme",
            ),
            (
                "ADMIN_TOKEN",
                "${ADMIN_TOKEN-s3cr3t}",
                "ADMIN_TOKEN",
                "-",
                "s3cr3t",
            ),
            // Nested: the reference whose default holds the text is named.
            (
                "API_KEY",
                "${API_KEY:-${FALLBACK_KEY:-sk_live_4eC39HqLy}}",
                "FALLBACK_KEY",
                ":-",
                "sk_live",
            ),
            (
                "DB_PASSWORD",
                "${DB_PASSWORD:-pa$$word}",
                "DB_PASSWORD",
                ":-",
                "pa$",
            ),
            (
                "DB_PASSWORD",
                "${DB_PASSWORD:-'hunter2'}",
                "DB_PASSWORD",
                ":-",
                "hunter2",
            ),
        ] {
            let m = message_of(name, value, secret);
            assert_eq!(
                m,
                format!(
                    "environment variable {name} takes a literal credential from the default of \
                     ${{{var}{op}…}}, which is written in the file; require the variable with \
                     ${{{var}:?set {var}}} or use a Compose secret"
                )
            );
        }
    }

    #[test]
    fn a_literal_around_an_empty_default_is_a_literal() {
        let m = message_of("DB_PASSWORD", "${PREFIX:-}hunter2", "hunter2");
        assert_eq!(
            m,
            "environment variable DB_PASSWORD holds a literal value that looks like a credential"
        );
    }

    #[test]
    fn fires_for_urls_with_a_password_whatever_the_name() {
        for (name, value, masked) in [
            (
                "DATABASE_URL",
                "postgres://u:secret@db/x",
                "postgres://****@db",
            ),
            (
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
                "postgresql+psycopg2://airflow:airflow@postgres/airflow",
                "postgresql+psycopg2://****@postgres",
            ),
            (
                "CACHE",
                "redis://:secret@cache:6379/0",
                "redis://****@cache:6379",
            ),
            (
                "MONGO",
                "mongodb://root:secret@m1:27017,m2:27017/db?replicaSet=rs0",
                "mongodb://****@m1:27017,m2:27017",
            ),
            (
                "DT_DATASOURCE_URL",
                "jdbc:postgresql://dtrack:secret@postgres:5432/dtrack",
                "postgresql://****@postgres:5432",
            ),
            // An unencoded `@` in the password: the last `@` ends the userinfo.
            (
                "BROKER",
                "amqp://guest:p@secret@rabbit:5672/",
                "amqp://****@rabbit:5672",
            ),
            // The user may come from a variable, the password is still written down.
            (
                "DATABASE_URL",
                "postgres://${DB_USER}:secret@db/app",
                "postgres://****@db",
            ),
            // A numeric or weak password is still a password.
            (
                "DATABASE_URL",
                "mysql://root:123@db:3306/x",
                "mysql://****@db:3306",
            ),
            (
                "LISTS",
                "http://example.com,redis://:secret@cache",
                "redis://****@cache",
            ),
        ] {
            let m = message_of(name, value, "secret");
            assert_eq!(
                m,
                format!(
                    "environment variable {name} holds a URL that embeds a password ({masked})"
                )
            );
        }
        // On `docker run -e` too.
        let f = one(
            &SecretInEnv,
            &env("DATABASE_URL", Some("postgres://u:secret@db/x"), true),
        );
        assert!(f.message.contains("postgres://****@db"));
        assert!(!f.message.contains("secret"));
    }

    #[test]
    fn fires_for_urls_whose_password_is_a_default() {
        for (value, var) in [
            (
                "${BROKER_URL:-amqp://guest:s3cr3t@rabbit:5672/}",
                "BROKER_URL",
            ),
            ("postgres://app:${DB_PASS:-s3cr3t}@db/app", "DB_PASS"),
            ("${A:-postgres://app:${B:-s3cr3t}@db/app}", "B"),
        ] {
            let m = message_of("BROKER_URL", value, "s3cr3t");
            assert!(
                m.starts_with(
                    "environment variable BROKER_URL holds a URL that embeds a password ("
                ),
                "{m}"
            );
            assert!(
                m.ends_with(&format!(
                    "from the default of ${{{var}:-…}}, which is written in the file; require \
                     the variable with ${{{var}:?set {var}}} or use a Compose secret"
                )),
                "{m}"
            );
        }
    }

    #[test]
    fn quiet_for_urls_without_a_written_password() {
        for value in [
            "postgres://app:${DB_PASSWORD}@db/app",
            "postgresql://${DB_USER:?error}:${DB_PASSWORD:?error}@postgres/db",
            "postgres://supabase_admin:${POSTGRES_PASSWORD}@${POSTGRES_HOST}:${POSTGRES_PORT}/x",
            "postgres://app:pre${SUFFIX}@db/app",
            "postgres://app:${DB_PASSWORD:-}@db/app",
            "redis://:@redis:6379/0",
            "redis://cache:6379/0",
            "postgres://app@db/app",
            "https://hooks.slack.com/services/TOKEN",
            "http://+:8000",
            "postgres://app:<password>@db/app",
            "postgres://app:****@db/app",
            "kafka://redpanda:9092/order",
            "1001@127.0.0.1:29093",
            "user:secret@host",
            "://u:p@h",
        ] {
            none(&SecretInEnv, &compose("DATABASE_URL", value));
        }
        // The password is after a `/`: not in the authority, so not a userinfo.
        none(
            &SecretInEnv,
            &compose("DATABASE_URL", "postgres://db/app?u=x:y@z"),
        );
    }

    #[test]
    fn interpolation_is_bounded_and_total() {
        // Deep nesting, unterminated references and stray `$` neither panic nor recurse
        // without bound.
        let deep = format!("{}x{}", "${A:-".repeat(10_000), "}".repeat(10_000));
        none(&SecretInEnv, &compose("DB_PASSWORD", &deep));
        for value in ["${", "${A:-", "$", "$$", "${A:-x", "a$", "${:-}", "}{$"] {
            let _ = check(&SecretInEnv, &compose("DB_PASSWORD", value));
        }
        // An unterminated reference is an error for Compose, not a credential.
        none(&SecretInEnv, &compose("DB_PASSWORD", "${DB_PASSWORD"));
    }
}
