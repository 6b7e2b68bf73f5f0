//! image-tag: the image is referenced by a moving tag (`latest`, or none at all).

use super::finding;
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::Spec;

static META: RuleMeta = RuleMeta {
    id: "image-tag",
    title: "The image has no tag or uses latest",
    severity: Severity::Warning,
    cis: Some("5.28"),
    default_action: Action::Warn,
    fix: None,
    doc: include_str!("image-tag.md"),
};

pub struct ImageTag;

/// An image reference split into `[registry/]repository`, tag and digest.
#[derive(Debug, PartialEq)]
pub(super) struct ImageRef<'a> {
    pub repository: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

/// Splits `registry:5000/app:1.2@sha256:…`: the digest follows `@`, the tag is a `:` in the
/// last path component (a `:` before a `/` is a registry port).
pub(super) fn parse_image(image: &str) -> ImageRef<'_> {
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    let last_start = name.rfind('/').map_or(0, |i| i + 1);
    match name[last_start..].rfind(':') {
        Some(i) => ImageRef {
            repository: &name[..last_start + i],
            tag: Some(&name[last_start + i + 1..]),
            digest,
        },
        None => ImageRef {
            repository: name,
            tag: None,
            digest,
        },
    }
}

impl Rule for ImageTag {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, _: &Settings) -> Vec<Finding> {
        let Some(image) = &spec.image else {
            return vec![];
        };
        let r = parse_image(image.value.trim());
        let message = match (r.digest, r.tag) {
            (Some(_), _) => return vec![],
            (None, None) => format!(
                "image {} has no tag, so it means {}:latest, which changes whenever it is pushed",
                image.value, r.repository
            ),
            (None, Some("latest")) => format!(
                "image {} uses the tag latest, which changes whenever it is pushed",
                image.value
            ),
            (None, Some(_)) => return vec![],
        };
        vec![finding(&META, message, image.origin.clone(), vec![])]
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn parses_references() {
        assert_eq!(
            parse_image("localhost:5000/app"),
            ImageRef {
                repository: "localhost:5000/app",
                tag: None,
                digest: None
            }
        );
        assert_eq!(
            parse_image("localhost:5000/team/app:1.2@sha256:abc"),
            ImageRef {
                repository: "localhost:5000/team/app",
                tag: Some("1.2"),
                digest: Some("sha256:abc")
            }
        );
        assert_eq!(parse_image("app").tag, None);
        assert_eq!(parse_image("app:latest").tag, Some("latest"));
    }

    #[test]
    fn fires_without_a_tag() {
        for image in ["app", "localhost:5000/app", "docker.io/library/nginx"] {
            let f = one(&ImageTag, &with_image(image));
            assert_eq!(
                f.message,
                format!(
                    "image {image} has no tag, so it means {image}:latest, which changes whenever it is pushed"
                )
            );
            assert_eq!(f.origin, argv(9, "IMAGE"));
            assert!(f.changes.is_empty());
        }
    }

    #[test]
    fn fires_for_latest() {
        for image in ["app:latest", "localhost:5000/app:latest"] {
            let f = one(&ImageTag, &with_image(image));
            assert_eq!(
                f.message,
                format!("image {image} uses the tag latest, which changes whenever it is pushed")
            );
        }
    }

    #[test]
    fn quiet_for_tags_and_digests() {
        let digest = format!("app@sha256:{}", "a".repeat(64));
        for image in [
            "app:1.25",
            "localhost:5000/app:2",
            digest.as_str(),
            "app:latest@sha256:0123",
        ] {
            none(&ImageTag, &with_image(image));
        }
        none(&ImageTag, &Spec::default());
    }
}
