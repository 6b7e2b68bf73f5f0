//! SARIF 2.1.0, with rule metadata from the registry.

use super::Report;
use crate::render::explain;
use crate::rules::{self, Severity};
use serde_json::{Value, json};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The SARIF log.
pub fn render(report: &Report) -> String {
    let mut rule_list: Vec<Value> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    for r in rules::REGISTRY.iter() {
        let m = r.meta();
        let doc = m.document();
        ids.push(m.id.to_string());
        let mut props = json!({"tags": ["security"], "fixable": m.fix.is_some()});
        if let Some(c) = m.cis {
            props["cis"] = json!(format!("CIS Docker Benchmark v1.6.0 {c}"));
        }
        rule_list.push(json!({
            "id": m.id,
            "name": m.id,
            "shortDescription": {"text": m.title},
            "fullDescription": {"text": explain::why(m)},
            "help": {"text": doc.trim(), "markdown": doc.trim()},
            "defaultConfiguration": {"level": level(m.severity)},
            "properties": props,
        }));
    }
    for p in rules::pseudo::PSEUDO_RULES {
        ids.push(p.id.to_string());
        rule_list.push(json!({
            "id": p.id,
            "name": p.id,
            "shortDescription": {"text": p.title},
            "fullDescription": {"text": p.why},
            "defaultConfiguration": {"level": level(p.severity)},
        }));
    }
    // Rules that appear in findings but are unknown here (kept valid anyway).
    for i in &report.items {
        if !ids.iter().any(|id| *id == i.rule) {
            ids.push(i.rule.to_string());
            rule_list
                .push(json!({"id": i.rule, "name": i.rule, "shortDescription": {"text": i.rule}}));
        }
    }
    let results: Vec<Value> = report
        .items
        .iter()
        .map(|i| {
            let location = match &i.container {
                // A container has no file: its inspect path is a logical location.
                Some(c) => {
                    let name = if i.route.is_empty() {
                        c.name.clone()
                    } else {
                        format!("{}/{}", c.name, i.route)
                    };
                    json!({"logicalLocations": [{"fullyQualifiedName": name, "kind": "object"}]})
                }
                None => json!({
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(&i.file)},
                        "region": {"startLine": i.line.max(1), "startColumn": i.column.max(1)}
                    },
                    "logicalLocations": [{"fullyQualifiedName": i.route, "kind": "member"}]
                }),
            };
            let properties = match &i.container {
                Some(c) => json!({
                    "container": c.name, "containerId": c.id, "image": c.image,
                    "action": i.action, "fixable": i.fixable,
                }),
                None => json!({"service": i.service, "action": i.action, "fixable": i.fixable}),
            };
            let mut r = json!({
                "ruleId": i.rule,
                "ruleIndex": ids.iter().position(|x| *x == i.rule).unwrap_or(0),
                "level": level(i.severity),
                "message": {"text": if i.subject().is_empty() { i.message.clone() } else { format!("[{}] {}", i.subject(), i.message) }},
                "locations": [location],
                "properties": properties,
            });
            if i.fixable && !i.fixes.is_empty() {
                r["properties"]["fixes"] = json!(i.fixes);
            }
            if let Some(w) = &i.waived {
                r["suppressions"] = json!([{
                    "kind": "inSource",
                    "justification": format!("{} ({})", w.reason, w.by)
                }]);
            }
            r
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "harden",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/harden/harden",
                "rules": rule_list,
            }},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }]
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}

/// A relative URI for a path (forward slashes, spaces escaped).
fn uri(path: &str) -> String {
    path.replace('\\', "/").replace(' ', "%20")
}

#[cfg(test)]
mod tests {
    #[test]
    fn sarif_snapshot() {
        let s = super::render(&super::super::tests::sample());
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["version"], "2.1.0");
        insta::assert_json_snapshot!(v["runs"][0]["results"]);
    }
}
