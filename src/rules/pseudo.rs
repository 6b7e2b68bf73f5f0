//! Pseudo-rules: findings about the project's own files rather than about a container (a waiver
//! without a reason, a value harden could not read, a project policy that weakens a stronger one).
//! They are not checks of the registry (they cannot be turned off, only resolved), but `harden
//! explain`, SARIF `rules[]` and the report formats know them from this one table.

use super::Severity;

/// Pseudo-rule: a waiver in the file has no reason.
pub const WAIVER_REASON: &str = "waiver-reason";
/// Pseudo-rule: a security-relevant value could not be read soundly.
pub const UNRESOLVED_VALUE: &str = "unresolved-value";
/// Pseudo-rule: a project policy file turns a deny rule down or waives one.
pub const POLICY_WEAKENED: &str = "policy-weakened";

/// One pseudo-rule.
#[derive(Debug)]
pub struct PseudoRule {
    pub id: &'static str,
    pub title: &'static str,
    pub why: &'static str,
    pub severity: Severity,
}

/// Every pseudo-rule.
pub const PSEUDO_RULES: &[PseudoRule] = &[
    PseudoRule {
        id: WAIVER_REASON,
        title: "A waiver in the file has no reason",
        why: "Every waiver must say why the risk is accepted; one without a reason waives nothing.",
        severity: Severity::Warning,
    },
    PseudoRule {
        id: UNRESOLVED_VALUE,
        title: "A security-relevant value could not be read",
        why: "The value depends on a variable that is not set here, or is not of the expected \
              type; harden reports what it checked instead of guessing.",
        severity: Severity::Info,
    },
    PseudoRule {
        id: POLICY_WEAKENED,
        title: "A project policy file weakens the policy",
        why: "A .harden.yaml in the project turns a rule the stronger policies deny down, waives \
              it, or allows a capability back; it is reported so that the change is seen where it \
              is made (a pull request), and `harden run` / `compose up` refuse it until it is \
              trusted.",
        severity: Severity::Warning,
    },
];

/// The pseudo-rule with this id.
pub fn find(id: &str) -> Option<&'static PseudoRule> {
    PSEUDO_RULES.iter().find(|p| p.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudo_rules_do_not_collide_with_the_registry() {
        for p in PSEUDO_RULES {
            assert!(crate::rules::find(p.id).is_none(), "{}", p.id);
            assert_eq!(find(p.id).map(|f| f.id), Some(p.id));
        }
    }
}
