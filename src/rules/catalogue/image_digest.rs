//! image-digest: the image is not pinned by content digest.

use super::finding;
use super::image_tag::pinned_digest;
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::Spec;

static META: RuleMeta = RuleMeta {
    id: "image-digest",
    title: "The image is not pinned by digest",
    severity: Severity::Info,
    cis: None,
    default_action: Action::Off,
    fix: None,
    doc: include_str!("image-digest.md"),
};

pub struct ImageDigest;

fn is_sha256_digest(d: &str) -> bool {
    d.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

impl Rule for ImageDigest {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, _: &Settings) -> Vec<Finding> {
        let Some(image) = &spec.image else {
            return vec![];
        };
        if pinned_digest(&image.value).is_some_and(|d| is_sha256_digest(&d)) {
            return vec![];
        }
        vec![finding(
            &META,
            format!("image {} is not pinned by a sha256 digest", image.value),
            image.origin.clone(),
            vec![],
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn fires_for_tags() {
        for image in [
            "app",
            "app:1.25",
            "localhost:5000/app:latest",
            "app@sha256:short",
        ] {
            let f = one(&ImageDigest, &with_image(image));
            assert_eq!(
                f.message,
                format!("image {image} is not pinned by a sha256 digest")
            );
            assert_eq!(f.origin, argv(9, "IMAGE"));
            assert!(f.changes.is_empty());
        }
    }

    #[test]
    fn quiet_when_pinned() {
        let hex = "0123456789abcdef".repeat(4);
        none(&ImageDigest, &with_image(&format!("app@sha256:{hex}")));
        none(
            &ImageDigest,
            &with_image(&format!("localhost:5000/app:1.2@sha256:{hex}")),
        );
        none(&ImageDigest, &Spec::default());
        // An image ID names one image: the rule's own split read it as an unpinned name.
        none(&ImageDigest, &with_image(&hex));
        none(&ImageDigest, &with_image(&format!("sha256:{hex}")));
    }
}
