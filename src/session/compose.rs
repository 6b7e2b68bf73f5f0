//! Lints a project: every service's spec through [`crate::check::check`], with the file's own
//! waivers, each finding located at file:line:column (a missing setting points at the service's
//! key) and marked fixable only when the Compose back end can write its fix.

use crate::check::{self, Evaluated, Scope, Waived};
use crate::fix::compose::Request;
use crate::frontend::compose::spec::{ServiceSpec, service_origin, service_spec};
use crate::frontend::compose::waivers::{self, SourceWaiver};
use crate::frontend::compose::{ComposeError, flat};
use crate::frontend::compose::{Project, Service, Target};
use crate::preset::Preset;
use crate::preset::policy::Policy;
use crate::render::report::{Item, Kind, Report};
use crate::rules::{Action, Finding, Severity};
use crate::spec::Origin;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

pub use crate::rules::pseudo::{POLICY_WEAKENED, UNRESOLVED_VALUE, WAIVER_REASON};

/// Where a finding points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Location<'a> {
    pub file: &'a Path,
    pub line: usize,
    pub column: usize,
    pub route: &'a str,
}

/// One finding of a Compose project.
#[derive(Clone, Debug)]
pub struct ComposeFinding {
    /// Its place is its origin, always [`Origin::Yaml`] ([`ComposeFinding::location`]): kept
    /// once, in the finding (thousands of services have tens of thousands of findings).
    pub evaluated: Evaluated,
    /// The back end can write the fix and the preset applies it.
    pub fixable: bool,
    /// Why a fix the preset wants cannot be written (a `Box<str>`: rare, and every finding
    /// has the field).
    pub unfixable_reason: Option<Box<str>>,
    /// The preset wants it fixed (whether or not the files can be edited for it): what
    /// `harden compose up` applies to the resolved project.
    pub wanted_fix: bool,
}

impl ComposeFinding {
    pub fn counts(&self) -> bool {
        self.evaluated.waived.is_none()
    }

    /// Where the finding points.
    pub fn location(&self) -> Location<'_> {
        place(&self.evaluated.finding.origin)
    }
}

fn place(origin: &Origin) -> Location<'_> {
    match origin {
        Origin::Yaml {
            file,
            route,
            line,
            column,
        } => Location {
            file,
            line: *line,
            column: *column,
            route,
        },
        _ => Location {
            file: Path::new(""),
            line: 0,
            column: 0,
            route: "",
        },
    }
}

/// Per-service outcome.
#[derive(Clone, Debug)]
pub struct ServiceResult {
    pub service: String,
    pub findings: Vec<ComposeFinding>,
}

/// Projects with at least this many services are linted on two threads.
const PARALLEL_FROM: usize = 64;

/// Lints every service of the project.
pub fn lint(project: &Project, preset: &Preset, allow: &[String]) -> Vec<ServiceResult> {
    lint_for(project, preset, allow, Target::Compose)
}

/// Lints every service of the project as `target` runs it.
pub fn lint_for(
    project: &Project,
    preset: &Preset,
    allow: &[String],
    target: Target,
) -> Vec<ServiceResult> {
    lint_with_facts(project, preset, allow, target, &HashMap::new())
}

/// [`lint_for`] knowing what some images say about themselves (image reference as written,
/// interpolated → facts), as `harden compose up` reads them from the engine.
pub fn lint_with_facts(
    project: &Project,
    preset: &Preset,
    allow: &[String],
    target: Target,
    facts: &HashMap<String, crate::spec::ImageFacts>,
) -> Vec<ServiceResult> {
    let lint_all = |services: &[Service]| -> Vec<ServiceResult> {
        let memo = check::Memo::default();
        services
            .iter()
            .map(|svc| lint_service(project, svc, preset, allow, target, facts, &memo))
            .collect()
    };
    // Fixability as a whole: some refusals only show when every change is planned together
    // (a service that others merge with `<<`). Planned service by service without keeping the
    // plans: only the outcome of each change is kept, as the indices of its service, finding
    // and change in the results.
    let change = |results: &[ServiceResult], (i, f, c): (u32, u32, u32)| -> crate::fix::Change {
        results[i as usize].findings[f as usize]
            .evaluated
            .finding
            .changes[c as usize]
            .clone()
    };
    // Lints `services` and plans their changes: the results, the checker and, per change
    // asked, (service, finding, change) with services counted from `first`.
    let lint_and_ask = |services: &[Service], first: usize| {
        let results = lint_all(services);
        let mut checker = crate::fix::compose::Checker::new(project, target);
        let mut asked: Vec<(u32, u32, u32)> = Vec::new();
        for (i, r) in results.iter().enumerate() {
            let own = asked.len();
            for (fi, f) in r.findings.iter().enumerate().filter(|(_, f)| f.fixable) {
                let rule = f.evaluated.finding.rule;
                for (ci, c) in f.evaluated.finding.changes.iter().enumerate() {
                    // A change a rule asks twice for one service is planned once.
                    if asked[own..].iter().any(|&(_, hf, hc)| {
                        let have = &r.findings[hf as usize].evaluated.finding;
                        have.rule == rule && have.changes[hc as usize] == *c
                    }) {
                        continue;
                    }
                    checker.add(&r.service, c);
                    asked.push(((first + i) as u32, fi as u32, ci as u32));
                }
            }
        }
        (results, checker, asked)
    };
    // Many services: the later half is linted and planned on another thread while this one
    // does the first half; the other thread's checker is then appended to this one's (plans
    // of different services do not depend on each other until `finish`).
    let (mut results, checker, asked) =
        if project.services.len() >= PARALLEL_FROM && crate::yaml::tree::several_cores() {
            let (a, b) = project.services.split_at(project.services.len() / 2);
            std::thread::scope(|scope| {
                let other = scope.spawn(|| lint_and_ask(b, a.len()));
                let (mut results, mut checker, mut asked) = lint_and_ask(a, 0);
                let (later, later_checker, later_asked) = other
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                results.extend(later);
                checker.append(later_checker);
                asked.extend(later_asked);
                (results, checker, asked)
            })
        } else {
            lint_and_ask(&project.services, 0)
        };
    if asked.is_empty() {
        return results;
    }
    let refused: Vec<(usize, crate::fix::Change, String)> = match checker.finish() {
        Ok(refused) => refused
            .into_iter()
            .filter_map(|(idx, e)| {
                let &at = asked.get(idx)?;
                Some((at.0 as usize, change(&results, at), e))
            })
            .collect(),
        Err(e) => asked
            .iter()
            .map(|&at| (at.0 as usize, change(&results, at), e.to_string()))
            .collect(),
    };
    drop(asked);
    for (i, change, reason) in refused {
        if let Some(r) = results.get_mut(i) {
            for f in r.findings.iter_mut().filter(|f| f.fixable) {
                if f.evaluated.finding.changes.contains(&change) {
                    f.fixable = false;
                    f.unfixable_reason = Some(reason.as_str().into());
                    f.evaluated.action = Action::Warn;
                }
            }
        }
    }
    results
}

/// Where a finding with `origin` points: `origin` itself when it is in the files, else the
/// service's key (a missing setting). Always an [`Origin::Yaml`].
/// `service` is the service's [`service_origin`], made once per service (its file and route are
/// shared by the findings that point there).
fn location(service: &Origin, origin: Origin) -> Origin {
    match origin {
        Origin::Yaml { .. } => origin,
        _ => match service {
            o @ Origin::Yaml { .. } => o.clone(),
            _ => Origin::Yaml {
                file: Path::new("").into(),
                route: "".into(),
                line: 0,
                column: 0,
            },
        },
    }
}

/// What Swarm does not carry, taken out of the spec: `security_opt` (ignored), service-level
/// tmpfs (dropped; `type: tmpfs` volumes stay) and host addresses of published ports (lost).
fn for_swarm(spec: &mut crate::spec::Spec) {
    spec.security_opt.clear();
    spec.tmpfs.retain(|t| match &t.origin {
        Origin::Yaml { route, .. } => route.contains(".volumes["),
        _ => true,
    });
    for p in &mut spec.ports {
        p.value.host_ip.clear();
    }
}

fn lint_service(
    project: &Project,
    svc: &Service,
    preset: &Preset,
    allow: &[String],
    target: Target,
    facts: &HashMap<String, crate::spec::ImageFacts>,
    memo: &check::Memo,
) -> ServiceResult {
    let ServiceSpec { mut spec, notes } = service_spec(project, svc);
    if let Some(f) = spec.image.as_ref().and_then(|i| facts.get(&i.value)) {
        spec.image_facts = f.clone();
    }
    if target == Target::Swarm {
        for_swarm(&mut spec);
    }
    let source = waivers::for_service(project, svc);
    let (valid, invalid): (Vec<SourceWaiver>, Vec<SourceWaiver>) = source
        .into_iter()
        .partition(|w| !w.reason.is_empty() && !w.rules.is_empty());
    let service_wide: Vec<(String, String)> = valid
        .iter()
        .filter(|w| w.service_wide)
        .flat_map(|w| w.rules.iter().map(|r| (r.clone(), w.reason.clone())))
        .collect();
    let scope = Scope {
        allow,
        service: Some(&svc.name),
        source_waivers: &service_wide,
        memo: Some(memo),
    };
    let outcome = check::check(&spec, preset, &scope);
    // Sized once: thousands of services each keep their findings until the report is built.
    let mut findings = Vec::with_capacity(outcome.findings.len() + invalid.len() + notes.len());
    let at_service = service_origin(project, svc);
    for mut ev in outcome.findings {
        ev.finding.origin = location(&at_service, std::mem::take(&mut ev.finding.origin));
        let loc = place(&ev.finding.origin);
        // Say which line waived it; line comments waive findings on their line.
        if let Some(w) = &ev.waived
            && w.by == "source"
            && let Some(sw) = valid
                .iter()
                .find(|sw| sw.service_wide && sw.rules.iter().any(|r| r == ev.finding.rule))
        {
            ev.waived = Some(Box::new(Waived {
                reason: sw.reason.clone(),
                by: sw.by(),
            }));
        }
        if ev.waived.is_none()
            && let Some(sw) = valid.iter().find(|sw| {
                !sw.service_wide
                    && sw.file == loc.file
                    && sw.pos.line == loc.line
                    && sw.rules.iter().any(|r| r == ev.finding.rule)
            })
        {
            ev.waived = Some(Box::new(Waived {
                reason: sw.reason.clone(),
                by: sw.by(),
            }));
        }
        // Whether the back end can write it is decided for all services at once ([`lint`]).
        let wanted_fix = ev.is_fix();
        let mut fixable = wanted_fix;
        let mut unfixable_reason = None;
        if target == Target::Swarm && ev.waived.is_none() {
            match ev.finding.rule {
                "port-host-ip" => {
                    // Swarm cannot keep a published port off the other interfaces: refused.
                    fixable = false;
                    ev.action = Action::Deny;
                    unfixable_reason = Some(crate::fix::model::SWARM_PORTS.into());
                }
                "no-new-privileges" if ev.action == Action::Fix => {
                    fixable = false;
                    unfixable_reason = Some(crate::fix::model::SWARM_NNP.into());
                }
                _ => {}
            }
        }
        if !fixable && ev.action == Action::Fix && ev.waived.is_none() {
            // What the preset would fix but cannot be written is reported.
            ev.action = Action::Warn;
        }
        findings.push(ComposeFinding {
            evaluated: ev,
            fixable,
            unfixable_reason,
            wanted_fix,
        });
    }
    for w in invalid {
        let message = if w.rules.is_empty() {
            "waiver names no rule: write `# harden: ignore[rule-id] reason` or \
             `x-harden: {allow: [rule-id], reason: \"…\"}`"
                .to_string()
        } else {
            format!(
                "waiver of {} has no reason: it waives nothing until one is given",
                w.rules.join(", ")
            )
        };
        let origin = Origin::Yaml {
            file: w.file.as_path().into(),
            route: format!("services.{}", svc.name).into(),
            line: w.pos.line,
            column: w.pos.column,
        };
        findings.push(pseudo(
            project,
            svc,
            WAIVER_REASON,
            Severity::Warning,
            message,
            origin,
        ));
    }
    for n in notes {
        findings.push(pseudo(
            project,
            svc,
            UNRESOLVED_VALUE,
            Severity::Info,
            n.message,
            n.origin,
        ));
    }
    findings.sort_by(|a, b| {
        let (a, b) = (a.location(), b.location());
        (a.file, a.line, a.column).cmp(&(b.file, b.line, b.column))
    });
    ServiceResult {
        service: svc.name.clone(),
        findings,
    }
}

fn pseudo(
    project: &Project,
    svc: &Service,
    rule: &'static str,
    severity: Severity,
    message: String,
    origin: Origin,
) -> ComposeFinding {
    ComposeFinding {
        evaluated: Evaluated {
            finding: Finding {
                rule,
                message: message.into(),
                origin: location(&service_origin(project, svc), origin),
                changes: Vec::new(),
                advisory: false,
                explicit: false,
            },
            severity,
            action: Action::Warn,
            waived: None,
        },
        fixable: false,
        unfixable_reason: None,
        wanted_fix: false,
    }
}

/// The requests the preset wants applied (fixable in the files or not), in finding order: what
/// the document back end ([`crate::fix::model`]) applies for `up`, `config` and `stack deploy`.
pub fn wanted(results: &[ServiceResult]) -> Vec<Request> {
    let mut out: Vec<Request> = Vec::new();
    for r in results {
        let own = out.len();
        for f in r.findings.iter().filter(|f| f.wanted_fix && f.counts()) {
            for c in &f.evaluated.finding.changes {
                let req = Request {
                    service: r.service.clone(),
                    rule: f.evaluated.finding.rule,
                    change: c.clone(),
                };
                if !out[own..].contains(&req) {
                    out.push(req);
                }
            }
        }
    }
    out
}

/// The fix requests of a lint result (fixable findings only), in finding order.
pub fn requests(results: &[ServiceResult]) -> Vec<Request> {
    let mut out: Vec<Request> = Vec::with_capacity(
        results
            .iter()
            .flat_map(|r| r.findings.iter().filter(|f| f.fixable))
            .map(|f| f.evaluated.finding.changes.len())
            .sum(),
    );
    for r in results {
        // A duplicate names the same service: look among this service's requests only (a scan
        // of all of them made thousands of services quadratic).
        let own = out.len();
        for f in r.findings.iter().filter(|f| f.fixable) {
            for c in &f.evaluated.finding.changes {
                let req = Request {
                    service: r.service.clone(),
                    rule: f.evaluated.finding.rule,
                    change: c.clone(),
                };
                if !out[own..].contains(&req) {
                    out.push(req);
                }
            }
        }
    }
    out
}

/// The report model of a lint result.
pub fn build_report(project: &Project, results: &[ServiceResult]) -> Report {
    into_report(frame(project), results.to_vec())
}

/// What a report needs of the project besides the findings: the sources (for excerpts), where
/// each service's key is, and the services' profiles. Taken before the project is dropped, so
/// that a project of thousands of services is not held while its report is built.
pub struct Frame {
    report: Report,
    profiles: HashMap<String, Vec<String>>,
}

/// The [`Frame`] of `project`'s report.
pub fn frame(project: &Project) -> Frame {
    frame_with(
        project,
        project.files.iter().map(|f| f.text.clone()).collect(),
    )
}

/// [`frame`], taking the files' texts out of `project` (about to be dropped) instead of copying
/// them: the copy would be made when lint's memory is at its highest.
pub fn take_frame(project: &mut Project) -> Frame {
    let texts = project
        .files
        .iter_mut()
        .map(|f| std::mem::take(&mut f.text))
        .collect();
    frame_with(project, texts)
}

fn frame_with(project: &Project, texts: Vec<String>) -> Frame {
    Frame {
        report: Report {
            kind: Kind::Compose,
            items: Vec::new(),
            sources: project
                .files
                .iter()
                .zip(texts)
                .map(|(f, text)| (f.path.display().to_string(), text))
                .collect(),
            services: project
                .services
                .iter()
                .flat_map(|s| {
                    s.layers.iter().map(|l| {
                        (
                            s.name.clone(),
                            project.files[l.file].path.display().to_string(),
                            l.key_pos.line,
                        )
                    })
                })
                .collect(),
            containers: Vec::new(),
        },
        profiles: project
            .services
            .iter()
            .filter(|s| !s.profiles.is_empty())
            .map(|s| (s.name.clone(), s.profiles.clone()))
            .collect(),
    }
}

/// The report of `results`, taking them: each service's findings become report items and are
/// dropped as it goes (a project of thousands of services never holds both).
pub fn into_report(frame: Frame, results: Vec<ServiceResult>) -> Report {
    let Frame {
        mut report,
        profiles,
    } = frame;
    // Sized once: a file of thousands of services has tens of thousands of items.
    let mut items = Vec::with_capacity(results.iter().map(|r| r.findings.len()).sum());
    // Each file's name as shown, made once (consecutive findings share the file).
    let mut shown: Option<(Arc<Path>, String)> = None;
    for r in results {
        let profiles = profiles.get(&r.service);
        for mut f in r.findings {
            // Always in the files ([`location`]); else no place, as [`place`] reads it.
            let (path, route, line, column) = match std::mem::take(&mut f.evaluated.finding.origin)
            {
                Origin::Yaml {
                    file,
                    route,
                    line,
                    column,
                } => (file, route.to_string(), line, column),
                _ => (Arc::from(Path::new("")), String::new(), 0, 0),
            };
            let file = match &shown {
                Some((have, name)) if *have == path => name.clone(),
                _ => {
                    let name = path.display().to_string();
                    shown = Some((path, name.clone()));
                    name
                }
            };
            items.push(Item {
                file,
                line,
                column,
                route,
                profiles: profiles.cloned().unwrap_or_default(),
                service: r.service.clone(),
                ..super::into_item(f.evaluated, f.fixable, f.unfixable_reason.map(String::from))
            });
        }
    }
    // Ordered by place, then rule. Each service's items are already in place order, and the
    // services in file order: sorting each service's few items first usually leaves the whole
    // list in order (thousands of services: no global sort moving every item).
    let key = |a: &Item, b: &Item| {
        (&a.file, a.line, a.column, &a.rule).cmp(&(&b.file, b.line, b.column, &b.rule))
    };
    for chunk in items.chunk_by_mut(|a, b| a.service == b.service) {
        chunk.sort_by(key);
    }
    if !items.is_sorted_by(|a, b| key(a, b).is_le()) {
        items.sort_by(key);
    }
    report.items = items;
    report
}

/// What the text report reads of one finding, straight from a lint result.
struct Row<'a> {
    finding: &'a ComposeFinding,
    service: &'a Shown<'a>,
}

/// What every finding of one service shares in the text report.
struct Shown<'a> {
    file: &'a str,
    name: &'a str,
    profiles: &'a [String],
}

impl crate::render::report::text::Entry for Row<'_> {
    fn file(&self) -> &str {
        self.service.file
    }
    fn line(&self) -> usize {
        self.finding.location().line
    }
    fn column(&self) -> usize {
        self.finding.location().column
    }
    fn service(&self) -> &str {
        self.service.name
    }
    fn profiles(&self) -> &[String] {
        self.service.profiles
    }
    fn rule(&self) -> &str {
        self.finding.evaluated.finding.rule
    }
    fn severity(&self) -> Severity {
        self.finding.evaluated.severity
    }
    fn action(&self) -> Action {
        self.finding.evaluated.action
    }
    fn message(&self) -> &str {
        &self.finding.evaluated.finding.message
    }
    fn fixable(&self) -> bool {
        self.finding.fixable
    }
    fn each_fix(&self, each: &mut dyn FnMut(&str) -> std::io::Result<()>) -> std::io::Result<()> {
        // As the report item lists them ([`super::item`]): only when fixable.
        if !self.finding.fixable {
            return Ok(());
        }
        self.finding
            .evaluated
            .finding
            .changes
            .iter()
            .try_for_each(|c| each(&c.describe()))
    }
    fn unfixable_reason(&self) -> Option<&str> {
        self.finding.unfixable_reason.as_deref()
    }
    fn waived(&self) -> Option<&Waived> {
        self.finding.evaluated.waived.as_deref()
    }
}

/// Writes `compose lint`'s text report of `results` without building report items (what
/// [`into_report`] and [`crate::render::report::text::write`] would write, in the same order;
/// without the closing line unless `summary`), when every finding is in one file: the common
/// case, and the one of thousands of services. `None`, with nothing written, otherwise.
pub fn write_text(
    frame: &Frame,
    results: &mut [ServiceResult],
    summary: bool,
    out: &mut impl std::io::Write,
) -> Option<std::io::Result<()>> {
    let mut all = results.iter().flat_map(|r| &r.findings);
    let file = match all.next() {
        Some(first) => {
            let path = first.location().file;
            if !all.all(|f| f.location().file.as_os_str() == path.as_os_str()) {
                return None;
            }
            path.display().to_string()
        }
        None => String::new(),
    };
    // Ordered by place, then rule, as [`into_report`] orders its items (one file: by line,
    // column and rule): each service on its own first, then the whole list only when that
    // leaves it out of order.
    let key = |f: &ComposeFinding| {
        let at = f.location();
        (at.line, at.column, f.evaluated.finding.rule)
    };
    for r in results.iter_mut() {
        r.findings.sort_by(|a, b| key(a).cmp(&key(b)));
    }
    let shown: Vec<Shown<'_>> = results
        .iter()
        .map(|r| Shown {
            file: &file,
            name: &r.service,
            profiles: frame.profiles.get(&r.service).map_or(&[], Vec::as_slice),
        })
        .collect();
    let mut rows: Vec<Row<'_>> = Vec::with_capacity(results.iter().map(|r| r.findings.len()).sum());
    for (r, service) in results.iter().zip(&shown) {
        rows.extend(r.findings.iter().map(|finding| Row { finding, service }));
    }
    if !rows.is_sorted_by(|a, b| key(a.finding) <= key(b.finding)) {
        rows.sort_by(|a, b| key(a.finding).cmp(&key(b.finding)));
    }
    let (sources, services) = (&frame.report.sources, &frame.report.services);
    Some(if summary {
        crate::render::report::text::write_entries(&rows, sources, services, out)
    } else {
        crate::render::report::text::write_groups(&rows, sources, services, out)
    })
}

/// The findings of `results` counted as their report's closing line counts them.
pub fn tally(results: &[ServiceResult]) -> crate::render::report::text::Tally {
    let mut t = crate::render::report::text::Tally::default();
    for f in results.iter().flat_map(|r| &r.findings) {
        t.count(
            f.evaluated.severity,
            f.evaluated.waived.is_some(),
            f.fixable,
        );
    }
    t
}

/// The files the findings of `results` are in, as the report names them (each once).
pub fn finding_files(results: &[ServiceResult]) -> Vec<String> {
    let mut files: Vec<&Path> = Vec::new();
    for f in results.iter().flat_map(|r| &r.findings) {
        let at = f.location().file;
        if !files.iter().any(|have| have.as_os_str() == at.as_os_str()) {
            files.push(at);
        }
    }
    files.iter().map(|p| p.display().to_string()).collect()
}

/// True when an unwaived finding of `results` is at or above the threshold (as
/// [`Report::fails`] says of their report).
pub fn fails(results: &[ServiceResult], on: crate::render::report::FailOn) -> bool {
    on.trips(
        results
            .iter()
            .flat_map(|r| &r.findings)
            .map(|f| (f.evaluated.severity, f.evaluated.waived.is_some())),
    )
}

/// The unwaived denials of a lint result, as a report.
pub fn denials(project: &Project, results: &[ServiceResult]) -> Option<Report> {
    let report = build_report(project, results);
    let denied: Vec<Item> = report
        .items
        .iter()
        .filter(|i| i.waived.is_none() && i.action == Action::Deny)
        .cloned()
        .collect();
    if denied.is_empty() {
        return None;
    }
    Some(Report {
        kind: Kind::Compose,
        items: denied,
        sources: report.sources,
        services: report.services,
        containers: Vec::new(),
    })
}

/// Refuses waivers written in the Compose files for rules a stronger policy locked.
pub fn check_locks(project: &Project, preset: &Preset) -> Result<(), String> {
    for svc in &project.services {
        for w in waivers::for_service(project, svc) {
            for r in &w.rules {
                if let Some(l) = crate::preset::policy::lock_for(preset, r) {
                    return Err(format!(
                        "{}:{}: the file waives `{r}` for service {}, but `{r}` is locked by {} \
                         ({}): a project cannot waive it",
                        w.file.display(),
                        w.pos.line,
                        svc.name,
                        l.declared_in,
                        l.layer.word()
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The report items of what the project policy weakens.
/// File paths are shown relative to `here` (the working directory), as Compose files are.
pub fn policy_report(policy: &Policy, here: &Path) -> Report {
    let mut r = Report::default();
    let mut ws = policy.weakenings.clone();
    ws.sort_by_key(|w| (w.file.clone(), w.line));
    for w in &ws {
        // Relative to the working directory (a repository's root in CI), as Compose files are.
        let shown = Path::new(&w.file)
            .strip_prefix(here)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| w.file.clone());
        r.items.push(Item {
            file: shown.clone(),
            line: w.line,
            column: 1,
            route: String::new(),
            service: String::new(),
            container: None,
            rule: POLICY_WEAKENED.into(),
            severity: crate::rules::Severity::Warning,
            action: crate::rules::Action::Warn,
            message: format!(
                "this project policy {} (the policies above it deny it)",
                w.what
            ),
            fixable: false,
            fixes: Vec::new(),
            unfixable_reason: None,
            waived: None,
            profiles: Vec::new(),
        });
        if let Ok(text) = std::fs::read_to_string(&w.file) {
            r.sources.insert(shown, text);
        }
    }
    r
}

/// The hardened project as one document for `target`, with what was applied and noted.
pub struct Hardened {
    pub doc: serde_json::Value,
    pub applied: crate::fix::model::Applied,
}

/// Applies every fix the preset wants to the resolved project (wherever the values are
/// written: the files are not touched).
pub fn harden_project(
    project: &Project,
    results: &[ServiceResult],
    target: Target,
) -> Result<Hardened, ComposeError> {
    let mut doc = flat::document(project)?;
    let reqs = wanted(results);
    let applied = crate::fix::model::apply(&mut doc, project, &reqs, target);
    Ok(Hardened { doc, applied })
}

#[cfg(test)]
mod threads {
    /// Lint shares the project and the preset between two threads.
    #[test]
    fn the_project_and_preset_are_shared() {
        fn sync<T: Sync>() {}
        sync::<crate::frontend::compose::Project>();
        sync::<crate::preset::Preset>();
    }
}
