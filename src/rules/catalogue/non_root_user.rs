//! non-root-user: the container's processes run as root.

use super::finding;
use crate::fix::{Change, FixSafety};
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::{Origin, Spec, is_root_user};

static META: RuleMeta = RuleMeta {
    id: "non-root-user",
    title: "The container runs as root",
    severity: Severity::Warning,
    cis: Some("4.1"),
    default_action: Action::Fix,
    fix: Some(FixSafety::BehaviourChanging),
    doc: include_str!("non-root-user.md"),
};

pub struct NonRootUser;

/// True when the container will run as root, or may (no user given and the image's `USER` is
/// unknown). This is the condition under which the rule fires and its fix sets a user.
pub fn runs_as_root(spec: &Spec) -> bool {
    spec.effective_user().is_none_or(is_root_user)
}

impl Rule for NonRootUser {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, settings: &Settings) -> Vec<Finding> {
        if !runs_as_root(spec) {
            return vec![];
        }
        let explicit = spec.user.as_ref().filter(|u| !u.value.is_empty());
        let message: std::borrow::Cow<'static, str> = match (explicit, spec.image_facts.user.as_deref()) {
            (Some(u), _) => format!("the container runs as root (user {})", u.value).into(),
            (None, Some(_)) => "no user is set and the image runs as root".into(),
            (None, None) => {
                "no user is set, so the container runs as root unless the image sets a non-root USER"
                    .into()
            }
        };
        let origin = spec
            .user
            .as_ref()
            .map_or(Origin::Missing, |u| u.origin.clone());
        let mut f = finding(
            &META,
            message,
            origin,
            vec![Change::SetUser {
                user: settings.user.clone(),
            }],
        );
        if let Some(why) = &settings.user_reason {
            f.message =
                format!("{}; harden runs it as {} ({why})", f.message, settings.user).into();
        }
        if let Some(u) = explicit {
            // An explicit root user is a choice: refused under `fix`, never silently replaced.
            f.explicit = true;
            f.message = format!(
                "the container runs as root because the user is set to {} explicitly; harden does \
                 not replace an explicit choice: leave the user out (harden then runs it as {}{}) \
                 or waive non-root-user to keep root",
                u.value,
                settings.user,
                settings
                    .user_reason
                    .as_ref()
                    .map(|w| format!(": {w}"))
                    .unwrap_or_default()
            )
            .into();
        }
        vec![f]
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    fn set_user() -> Vec<Change> {
        vec![Change::SetUser {
            user: "65534:65534".into(),
        }]
    }

    #[test]
    fn fires_on_explicit_root_forms() {
        for u in ["root", "0", "root:root", "0:1000"] {
            let spec = Spec {
                user: Some(at_s(u, 1, "--user")),
                image_facts: crate::spec::ImageFacts {
                    user: Some("1000".into()),
                    ..Default::default()
                },
                ..Spec::default()
            };
            let f = one(&NonRootUser, &spec);
            assert!(
                f.message.starts_with(&format!(
                    "the container runs as root because the user is set to {u} explicitly"
                )),
                "{}",
                f.message
            );
            assert!(f.explicit);
            assert_eq!(f.origin, argv(1, "--user"));
            assert_eq!(f.changes, set_user());
        }
    }

    #[test]
    fn fires_when_unset_and_image_unknown() {
        let f = one(&NonRootUser, &Spec::default());
        assert_eq!(
            f.message,
            "no user is set, so the container runs as root unless the image sets a non-root USER"
        );
        assert_eq!(f.origin, Origin::Missing);
        assert_eq!(f.changes, set_user());
    }

    #[test]
    fn fires_when_unset_and_image_runs_as_root() {
        for image_user in ["", "root", "0:0"] {
            let spec = Spec {
                image_facts: crate::spec::ImageFacts {
                    user: Some(image_user.into()),
                    ..Default::default()
                },
                ..Spec::default()
            };
            let f = one(&NonRootUser, &spec);
            assert_eq!(f.message, "no user is set and the image runs as root");
            assert_eq!(f.origin, Origin::Missing);
        }
    }

    #[test]
    fn an_empty_user_falls_back_to_the_image_and_points_at_itself() {
        let spec = Spec {
            user: Some(at_s("", 1, "--user")),
            ..Spec::default()
        };
        let f = one(&NonRootUser, &spec);
        assert_eq!(f.origin, argv(1, "--user"));
    }

    #[test]
    fn quiet_when_the_image_user_is_not_root() {
        let spec = Spec {
            image_facts: crate::spec::ImageFacts {
                user: Some("nginx".into()),
                ..Default::default()
            },
            ..Spec::default()
        };
        none(&NonRootUser, &spec);
    }

    #[test]
    fn quiet_for_an_explicit_non_root_user() {
        for u in ["1000", "1000:1000", "app", "65534:0"] {
            let spec = Spec {
                user: Some(at_s(u, 1, "-u")),
                ..Spec::default()
            };
            none(&NonRootUser, &spec);
        }
    }

    #[test]
    fn uses_the_preset_user() {
        let settings = Settings {
            user: "1000:1000".into(),
            ..Settings::default()
        };
        let f = NonRootUser.check(&Spec::default(), &settings);
        assert_eq!(
            f[0].changes,
            vec![Change::SetUser {
                user: "1000:1000".into()
            }]
        );
    }
}
