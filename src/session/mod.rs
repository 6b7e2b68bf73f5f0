//! The pipeline every door calls: the policy (preset selection, validated `--allow`), the
//! check, the fix plan and the report items. `run`, `create`, `learn`, `compose`, `stack
//! deploy` and `audit` (and the proxy) are thin doors over this: they parse their arguments and
//! print. Nothing in or below this module prints or imports `cli`.

pub mod audit;
pub mod compose;
pub mod proxy;
pub mod run;

pub use run::{ConnectError, connect};

use crate::frontend::argv::Environment;
use crate::preset::PresetError;
use crate::preset::policy::{Policy, PolicyRequest, load_policy};

/// Which files a door may read its policy from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// The machine and user policies, the project file found from the working directory
    /// upward, then the command line (`run`, `create`, `learn`, `compose`, `stack deploy`).
    Project,
    /// The machine and user policies and the command line only: an audit never reads a working
    /// directory's files.
    NoProject,
}

/// The policy in effect: every door's one way of choosing the preset. `allow` (`--allow`) is
/// checked here for every door: unknown rule ids and locked rules are errors.
pub fn policy(
    env: &dyn Environment,
    preset_flag: Option<&str>,
    allow: &[String],
    reach: Reach,
) -> Result<Policy, PresetError> {
    let cwd = env.cwd();
    let lookup = |k: &str| env.var(k);
    load_policy(&PolicyRequest {
        preset_flag,
        allow,
        cwd: &cwd,
        env: &lookup,
        project: reach == Reach::Project,
    })
}

use crate::check::Evaluated;
use crate::render::report::Item;

/// The report item of one evaluated finding (every door's one builder). `fixable`: the door's
/// back end can write the fix and the preset applies it. The place (file, line, service or
/// container) is the door's to fill in.
pub fn item(ev: &Evaluated, fixable: bool, unfixable_reason: Option<String>) -> Item {
    Item {
        message: ev.finding.message.to_string(),
        waived: ev.waived.clone(),
        ..base_item(ev, fixable, unfixable_reason)
    }
}

/// [`item`], taking the finding's message and waiver instead of copying them.
pub fn into_item(ev: Evaluated, fixable: bool, unfixable_reason: Option<String>) -> Item {
    let mut out = base_item(&ev, fixable, unfixable_reason);
    out.message = ev.finding.message.into_owned();
    out.waived = ev.waived;
    out
}

fn base_item(ev: &Evaluated, fixable: bool, unfixable_reason: Option<String>) -> Item {
    Item {
        file: String::new(),
        line: 0,
        column: 0,
        route: String::new(),
        service: String::new(),
        container: None,
        rule: std::borrow::Cow::Borrowed(ev.finding.rule),
        severity: ev.severity,
        action: ev.action,
        message: String::new(),
        fixable,
        fixes: if fixable {
            ev.finding.changes.iter().map(|c| c.describe()).collect()
        } else {
            Vec::new()
        },
        unfixable_reason,
        waived: None,
        profiles: Vec::new(),
    }
}
