//! image-tag: the image is referenced by a moving tag (`latest`, or none at all).

use super::finding;
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::Spec;
use crate::spec::reference::{self, AnyReference};

/// The digest that pins the image: that of an image ID (`sha256:` + 64 hex), a bare digest or a
/// name with a digest. A reference docker would refuse is cut as written.
pub(super) fn pinned_digest(image: &str) -> Option<String> {
    let image = image.trim();
    if !image.contains('@') {
        // The common case, without parsing the name: only an ID or a bare digest pins.
        return reference::bare_digest(image);
    }
    match reference::parse_any(image) {
        Ok(AnyReference::Digest(d)) => Some(d),
        Ok(AnyReference::Named(r)) => r.digest,
        Err(_) => reference::split(image).digest.map(str::to_string),
    }
}

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

impl Rule for ImageTag {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, _: &Settings) -> Vec<Finding> {
        let Some(image) = &spec.image else {
            return vec![];
        };
        if pinned_digest(&image.value).is_some() {
            return vec![];
        }
        let r = reference::split(image.value.trim());
        let message = match r.tag {
            None => format!(
                "image {} has no tag, so it means {}:latest, which changes whenever it is pushed",
                image.value, r.repository
            ),
            Some("latest") => format!(
                "image {} uses the tag latest, which changes whenever it is pushed",
                image.value
            ),
            Some(_) => return vec![],
        };
        vec![finding(&META, message, image.origin.clone(), vec![])]
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn image_ids_and_digests_are_pinned() {
        // The rule's own split read an image ID as a repository without a tag ("means
        // <id>:latest"); docker runs that exact image.
        let id = "0123456789abcdef".repeat(4);
        none(&ImageTag, &with_image(&id));
        none(&ImageTag, &with_image(&format!("sha256:{id}")));
        assert_eq!(pinned_digest(&id), Some(format!("sha256:{id}")));
        assert_eq!(
            pinned_digest(&format!("registry.example:443/a/b@sha256:{id}")),
            Some(format!("sha256:{id}"))
        );
        // `sha256:abc` is not a digest: docker reads the name `sha256` with the tag `abc`.
        assert_eq!(pinned_digest("sha256:abc"), None);
        none(&ImageTag, &with_image("sha256:abc"));
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
