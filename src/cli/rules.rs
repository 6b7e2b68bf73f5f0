//! `harden rules` and `harden explain`.

use super::{RulesFormat, error_line, print_out};
use crate::render::{explain, rules_table};
use std::process::ExitCode;

pub fn list(format: RulesFormat) -> ExitCode {
    let text = match format {
        RulesFormat::Text => rules_table::text(),
        RulesFormat::Markdown => rules_table::markdown(),
        RulesFormat::Json => {
            let mut s = serde_json::to_string_pretty(&rules_table::json()).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    print_out(&text);
    ExitCode::SUCCESS
}

pub fn explain(id: &str) -> ExitCode {
    match explain::rule_text(id) {
        Some(text) => {
            print_out(&text);
            ExitCode::SUCCESS
        }
        None => {
            // The findings that are not rules of the registry: waiver-reason, unresolved-value,
            // policy-weakened.
            if let Some(p) = crate::rules::pseudo::find(id) {
                print_out(&format!(
                    "{}: {}\n\n{}\n\nThis is a finding about the project's own files, \
                     not a rule of the registry: it cannot be turned off, only resolved.\n",
                    p.id, p.title, p.why
                ));
                return ExitCode::SUCCESS;
            }
            error_line(&format!(
                "unknown rule `{id}`; `harden rules` lists the rules"
            ));
            ExitCode::from(2)
        }
    }
}
