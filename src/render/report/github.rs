//! GitHub Actions workflow commands (`::error file=…,line=…,col=…,title=…::message`).

use super::Report;
use crate::rules::Severity;

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One annotation per unwaived finding.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for i in report.items.iter().filter(|i| i.waived.is_none()) {
        let level = match i.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = if i.subject().is_empty() {
            i.message.clone()
        } else {
            format!("[{}] {}", i.subject(), i.message)
        };
        if i.fixable {
            message.push_str(if i.container.is_some() {
                " (harden run would fix it)"
            } else {
                " (fixable: harden compose fix)"
            });
        }
        let place = if i.file.is_empty() {
            String::new()
        } else {
            format!(
                "file={},line={},col={},",
                escape_property(&i.file),
                i.line,
                i.column
            )
        };
        out.push_str(&format!(
            "::{level} {place}title={}::{}\n",
            escape_property(&format!("harden {}", i.rule)),
            escape_data(&message)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn github_snapshot() {
        insta::assert_snapshot!(super::render(&super::super::tests::sample()));
    }

    #[test]
    fn escapes() {
        assert_eq!(super::escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
