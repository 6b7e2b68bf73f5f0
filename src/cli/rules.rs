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
            error_line(&format!(
                "unknown rule `{id}`; `harden rules` lists the rules"
            ));
            ExitCode::from(2)
        }
    }
}
