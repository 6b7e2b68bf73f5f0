//! Which edits the requests need: each [`Change`] asked for a service becomes a plan for that
//! service (scalar keys to set, list items to add, remove, replace or complete), or a refusal
//! that says why it cannot be written. Accepted plans are then rendered as [`Edit`]s on the
//! physical routes of the files that define the service.

use super::edit::Edit;
use super::format::{BlockStyle, NewVal, flow_text, plain_or_quoted, quote, set_in_flow_map};
use super::{Refusal, Request};
use crate::fix::Change;
use crate::frontend::compose::interp::{self, Env};
use crate::frontend::compose::spec::lookup;
use crate::frontend::compose::tree::{Node, Seg};
use crate::frontend::compose::{Project, Service, Target};
use crate::spec::{Origin, normalize_capability};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Plans every request for `target`: the planner (whose plans [`Planner::render`] turns into
/// edits) and, for each request, `Ok` or why it is refused.
pub(super) fn planned<'p>(
    project: &'p Project,
    requests: &[Request],
    target: Target,
) -> (Planner<'p>, Vec<Result<(), Refusal>>) {
    let mut planner = Planner::new(project);
    planner.target = target;
    let mut results: Vec<Result<(), Refusal>> = requests.iter().map(|r| planner.add(r)).collect();
    // Inherited values: written by a base service that gets the same fix, or refused.
    planner.settle_inherited(results.as_mut_slice());
    // Shared service mappings: an edit to a service that others merge must be one they get too.
    planner.check_inheritors(requests, &mut results);
    (planner, results)
}

/// Says, change by change, whether the back end can write it, without keeping the plans or
/// the requests: lint's "fixable" for projects of thousands of services. Changes are added
/// service by service; [`Checker::finish`] gives the refused ones and why, as [`planned`]
/// would for the same requests. Only refusals are kept (most changes are not refused: tens
/// of thousands of them in a large project).
pub struct Checker<'p> {
    planner: Planner<'p>,
    /// Changes added so far.
    count: usize,
    refused: Refused,
    /// Runs of changes of one service: (index of the run's first change, the service's index
    /// in the project's services).
    services: Vec<(usize, u32)>,
    /// What the merge check needs: the changes of services that are merged or merge one.
    kept: Vec<(usize, String, Change)>,
}

/// Each change's outcome so far, by its index: [`planned`] keeps all of them, a [`Checker`]
/// the refusals only.
trait Outcomes {
    fn is_ok(&self, idx: usize) -> bool;
    fn refuse(&mut self, idx: usize, reason: Refusal);
}

impl Outcomes for [Result<(), Refusal>] {
    fn is_ok(&self, idx: usize) -> bool {
        self[idx].is_ok()
    }

    fn refuse(&mut self, idx: usize, reason: Refusal) {
        self[idx] = Err(reason);
    }
}

/// The refused changes, by index.
#[derive(Default)]
struct Refused(BTreeMap<usize, Refusal>);

impl Outcomes for Refused {
    fn is_ok(&self, idx: usize) -> bool {
        !self.0.contains_key(&idx)
    }

    fn refuse(&mut self, idx: usize, reason: Refusal) {
        self.0.insert(idx, reason);
    }
}

impl<'p> Checker<'p> {
    pub fn new(project: &'p Project, target: Target) -> Self {
        let mut planner = Planner::new(project);
        planner.target = target;
        planner.check_only = true;
        Checker {
            planner,
            count: 0,
            refused: Refused::default(),
            services: Vec::new(),
            kept: Vec::new(),
        }
    }

    /// Plans `change` for `service`; returns its index (counted from 0 in the order changes
    /// are added), by which [`Checker::finish`] names the refused ones.
    pub fn add(&mut self, service: &str, change: &Change) -> usize {
        let idx = self.count;
        let project = self.planner.project;
        let at = project.service_position(service);
        let found = at.and_then(|i| project.services.get(i));
        let res = self.planner.add_change_to(service, found, change);
        if let Some(svc) = found
            && svc
                .layers
                .iter()
                .any(|l| l.node.anchored || !l.node.merges.is_empty())
        {
            self.kept.push((idx, service.to_string(), change.clone()));
        }
        let service = at.and_then(|i| u32::try_from(i).ok()).unwrap_or(u32::MAX);
        if self.services.last().is_none_or(|&(_, s)| s != service) {
            self.services.push((idx, service));
        }
        if let Err(reason) = res {
            self.refused.refuse(idx, reason);
        }
        self.count += 1;
        idx
    }

    /// Appends what `later` checked (the changes of services after this checker's, checked on
    /// another thread): as if its changes had been added to this one, in order.
    pub fn append(&mut self, later: Checker<'p>) {
        let offset = self.count;
        let mut planner = later.planner;
        // Every service of `later` is done: its plans count only by the nodes they edit.
        planner.drop_other_plans("");
        self.planner.covered.extend(planner.covered);
        self.planner.pending.extend(
            planner
                .pending
                .into_iter()
                .map(|(i, nodes, reason)| (i + offset, nodes, reason)),
        );
        self.planner.touched_shared.extend(
            planner
                .touched_shared
                .into_iter()
                .map(|(i, s)| (i + offset, s)),
        );
        self.planner.count += planner.count;
        self.count += later.count;
        self.refused
            .0
            .extend(later.refused.0.into_iter().map(|(i, r)| (i + offset, r)));
        self.services
            .extend(later.services.into_iter().map(|(i, s)| (i + offset, s)));
        self.kept
            .extend(later.kept.into_iter().map(|(i, s, c)| (i + offset, s, c)));
    }

    /// The refused changes (by [`Checker::add`]'s index, in order) and why; `Err` for all of
    /// them when a file they would be written to cannot be edited.
    pub fn finish(mut self) -> Result<Vec<(usize, Refusal)>, super::FixError> {
        self.planner.settle_inherited(&mut self.refused);
        let kept: Vec<(usize, &str, &Change)> = self
            .kept
            .iter()
            .map(|(i, s, c)| (*i, s.as_str(), c))
            .collect();
        self.planner.check_inheritors_of(&kept, &mut self.refused);
        let project = self.planner.project;
        // The services with a change that is not refused.
        let ends = self
            .services
            .iter()
            .skip(1)
            .map(|&(i, _)| i)
            .chain(std::iter::once(self.count));
        let mut files: Vec<usize> = self
            .services
            .iter()
            .zip(ends)
            .filter(|&(&(start, _), end)| {
                self.refused.0.range(start..end).count() < end.saturating_sub(start)
            })
            .filter_map(|(&(_, s), _)| project.services.get(s as usize))
            .flat_map(|s| s.layers.iter().map(|l| l.file))
            .collect();
        files.sort_unstable();
        files.dedup();
        super::editable_files(project, &files)?;
        Ok(self.refused.0.into_iter().collect())
    }
}

/// A node's identity, as the plans compare nodes.
fn address(n: &Arc<Node>) -> usize {
    Arc::as_ptr(n) as usize
}

/// What is planned for one list key of one service.
#[derive(Default, Debug, Clone)]
struct ListPlan {
    add: Vec<String>,
    /// Items (by node identity) to remove.
    remove: Vec<Arc<Node>>,
    /// Items to replace by new text.
    replace: Vec<(Arc<Node>, String)>,
    /// Mapping items in which to set a key.
    set_in_item: Vec<(Arc<Node>, String, String)>,
}

#[derive(Default, Debug, Clone)]
struct ServicePlan {
    /// Scalar keys: (key path under the service, YAML text).
    scalars: Vec<(Vec<String>, String)>,
    lists: BTreeMap<String, ListPlan>,
}

pub(super) struct Planner<'a> {
    project: &'a Project,
    /// By service name (looked up for every change: thousands of services), rendered in name
    /// order.
    plans: crate::FastMap<String, ServicePlan>,
    /// Request index → (service, change) for inheritance checks.
    touched_shared: Vec<(usize, String)>,
    /// Requests whose value is inherited (from a base service or an included file): settled
    /// once every request is planned (the base's own fix may change it).
    pending: Vec<(usize, Vec<Arc<Node>>, Refusal)>,
    count: usize,
    target: Target,
    /// Each file's [`BlockStyle`], read once (thousands of services share one file).
    styles: Vec<std::cell::OnceCell<BlockStyle>>,
    /// Only say what can be written ([`Checker`]): a service's plan is dropped once the next
    /// service is planned, keeping only the nodes it edits (all that other services' inherited
    /// values are settled against).
    check_only: bool,
    /// The nodes edited by the plans already dropped (`check_only`).
    /// By address (`Arc::as_ptr`), so that a checker can be built on another thread.
    covered: std::collections::HashSet<usize>,
}

/// What planning one change gives.
enum Planned {
    Done,
    /// The values to change are inherited: fine when another service's fix changes these very
    /// nodes, else refused with the reason.
    Inherited(Vec<Arc<Node>>, Refusal),
}

pub(super) fn service_path(name: &str) -> Vec<Seg> {
    vec![Seg::Key("services".into()), Seg::Key(name.into())]
}

/// Whether `path` is `services.NAME` (what [`service_path`] gives, without building it).
fn is_service_path(path: &[Seg], name: &str) -> bool {
    matches!(path, [Seg::Key(s), Seg::Key(n)] if &**s == "services" && &**n == name)
}

fn under(path: &[Seg], prefix: &[Seg]) -> bool {
    path.len() >= prefix.len() && path[..prefix.len()] == *prefix
}

impl<'a> Planner<'a> {
    fn new(project: &'a Project) -> Self {
        Planner {
            project,
            plans: crate::FastMap::default(),
            touched_shared: Vec::new(),
            pending: Vec::new(),
            count: 0,
            target: Target::Compose,
            styles: vec![std::cell::OnceCell::new(); project.files.len()],
            check_only: false,
            covered: std::collections::HashSet::new(),
        }
    }

    /// The service's own definitions that harden may edit: mappings at `services.NAME` in a
    /// `-f` file or in an included file under the project directory.
    fn own_layers<'s>(&self, svc: &'s Service) -> Vec<&'s crate::frontend::compose::Layer> {
        svc.layers
            .iter()
            .filter(|l| self.is_own_layer(svc, l))
            .collect()
    }

    /// Whether `layer` is `svc`'s own mapping in a file harden may edit.
    fn is_own_layer(&self, svc: &Service, layer: &crate::frontend::compose::Layer) -> bool {
        is_service_path(&layer.node.path, &svc.name) && self.project.editable(layer.file)
    }

    /// The services this one extends, transitively, that are services of the same file.
    fn same_file_bases(&self, svc: &Service) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut cur: Vec<&Service> = vec![svc];
        while let Some(s) = cur.pop() {
            for l in &s.layers {
                let Some(ext) = l.node.get("extends") else {
                    continue;
                };
                let name = match ext.as_map() {
                    Some(_) if ext.get("file").is_some() => None,
                    Some(_) => ext.get("service").and_then(|n| self.project.text(n)),
                    None => self.project.text(ext),
                };
                let Some(base) = name.and_then(|n| self.project.service(&n)) else {
                    continue;
                };
                if base.layers.iter().any(|bl| bl.file == l.file)
                    && !out.contains(&base.name)
                    && base.name != svc.name
                    && out.len() < 64
                {
                    out.push(base.name.clone());
                    cur.push(base);
                }
            }
        }
        out
    }

    /// Settles [`Planned::Inherited`] requests.
    fn settle_inherited(&mut self, results: &mut (impl Outcomes + ?Sized)) {
        for (idx, nodes, reason) in std::mem::take(&mut self.pending) {
            let covered = nodes.iter().all(|n| {
                self.covered.contains(&address(n))
                    || self.plans.values().any(|p| {
                        p.lists.values().any(|lp| {
                            lp.remove.iter().any(|r| Arc::ptr_eq(r, n))
                                || lp.replace.iter().any(|(r, _)| Arc::ptr_eq(r, n))
                                || lp.set_in_item.iter().any(|(r, _, _)| Arc::ptr_eq(r, n))
                        })
                    })
            });
            if !covered && results.is_ok(idx) {
                results.refuse(idx, reason);
            }
        }
    }

    /// Where an inherited node is written, for messages.
    fn whence(&self, n: &Node) -> String {
        format!(
            "{}:{}",
            self.project.files[n.file as usize].path.display(),
            n.pos.line
        )
    }

    /// Adds a request to the plan (or says why it cannot be written).
    fn add(&mut self, req: &Request) -> Result<(), Refusal> {
        self.add_change(&req.service, &req.change)
    }

    /// Keeps only the nodes the plans of services other than `service` edit (`check_only`).
    fn drop_other_plans(&mut self, service: &str) {
        if self.plans.len() <= 1 && self.plans.contains_key(service) {
            return;
        }
        let keep = self.plans.remove(service);
        for plan in std::mem::take(&mut self.plans).into_values() {
            for lp in plan.lists.into_values() {
                self.covered.extend(lp.remove.iter().map(address));
                self.covered
                    .extend(lp.replace.iter().map(|(n, _)| address(n)));
                self.covered
                    .extend(lp.set_in_item.iter().map(|(n, _, _)| address(n)));
            }
        }
        if let Some(plan) = keep {
            self.plans.insert(service.to_string(), plan);
        }
    }

    /// [`Planner::add`] of `change` to `service`.
    fn add_change(&mut self, service: &str, change: &Change) -> Result<(), Refusal> {
        let found = self.project.service(service);
        self.add_change_to(service, found, change)
    }

    /// [`Planner::add_change`] with the service already looked up (`None`: no such service).
    fn add_change_to(
        &mut self,
        service: &str,
        found: Option<&'a Service>,
        change: &Change,
    ) -> Result<(), Refusal> {
        let idx = self.count;
        self.count += 1;
        if self.check_only {
            self.drop_other_plans(service);
        }
        let svc = found.ok_or_else(|| format!("no service `{service}`"))?;
        // Every layer that would be edited must be the service's own mapping.
        if !svc
            .layers
            .iter()
            .any(|l| is_service_path(&l.node.path, &svc.name))
        {
            return Err(format!(
                "service `{}` is an alias of another node; fix that node instead",
                svc.name
            ));
        }
        if !svc.layers.iter().any(|l| self.is_own_layer(svc, l)) {
            let l = &svc.layers[0];
            return Err(format!(
                "service `{}` is defined in {}, outside the project directory {}: harden does \
                 not edit files outside the project; fix it there or waive the rule",
                svc.name,
                self.project.files[l.file].path.display(),
                self.project.dir.display()
            ));
        }
        // yamlpath cannot locate a collection that carries a tag (it panics): a value written
        // with Compose's `!reset`/`!override` is not rewritten.
        for l in self.own_layers(svc) {
            if let Some((key, n)) = tagged_on(&l.node, change) {
                let tag = if n.tag == crate::yaml::tree::Tag::Reset {
                    "!reset"
                } else {
                    "!override"
                };
                return Err(format!(
                    "`{key}` is written with `{tag}` at {}: harden does not rewrite a value \
                     tagged for Compose's merge; change it there by hand, or waive the rule",
                    self.whence(n)
                ));
            }
        }
        let mut plan = match self.plans.get_mut(&svc.name) {
            Some(p) => std::mem::take(p),
            None => ServicePlan::default(),
        };
        let res = self.plan_change(svc, change, &mut plan);
        // Refusals are decided before the plan is touched.
        match self.plans.get_mut(&svc.name) {
            Some(p) => *p = plan,
            None => {
                self.plans.insert(svc.name.clone(), plan);
            }
        }
        if let Planned::Inherited(nodes, reason) = res? {
            self.pending.push((idx, nodes, reason));
        }
        // Is the service mapping itself merged into other services?
        if svc.layers.iter().any(|l| l.node.anchored) {
            self.touched_shared.push((idx, svc.name.clone()));
        }
        Ok(())
    }

    fn plan_change(
        &self,
        svc: &Service,
        change: &Change,
        plan: &mut ServicePlan,
    ) -> Result<Planned, Refusal> {
        // Only saying what can be written: the texts of new values are not needed (refusals
        // and the nodes a plan edits are).
        let write = !self.check_only;
        match change {
            Change::DropAllCapabilities => {
                let have_all = self.resolved_items(svc, "cap_drop").iter().any(|n| {
                    self.project
                        .text(n)
                        .map(|c| normalize_capability(&c))
                        .as_deref()
                        == Some("ALL")
                });
                if !have_all && write {
                    plan.lists
                        .entry("cap_drop".into())
                        .or_default()
                        .add
                        .push("ALL".into());
                }
            }
            Change::AddCapability { capability } => {
                let have = self.resolved_items(svc, "cap_add").iter().any(|n| {
                    self.project
                        .text(n)
                        .map(|c| normalize_capability(&c))
                        .as_deref()
                        == Some(capability.as_str())
                });
                if !have && write {
                    plan.lists
                        .entry("cap_add".into())
                        .or_default()
                        .add
                        .push(capability.trim_start_matches("CAP_").to_string());
                }
            }
            Change::RemoveCapability { capability } => {
                let items: Vec<Arc<Node>> = self
                    .resolved_items(svc, "cap_add")
                    .into_iter()
                    .filter(|n| {
                        self.project
                            .text(n)
                            .map(|s| normalize_capability(&s))
                            .as_deref()
                            == Some(capability.as_str())
                    })
                    .collect();
                if items.is_empty() {
                    return Err(format!("{capability} is not added in the file"));
                }
                let (own, inherited) = self.split_own(svc, "cap_add", items);
                plan.lists
                    .entry("cap_add".into())
                    .or_default()
                    .remove
                    .extend(own);
                if let Some(first) = inherited.first() {
                    let reason = format!(
                        "{capability} is added at {}, which `{}` inherits: remove it there, or \
                         give the service `cap_add: !override [...]` without it",
                        self.whence(first),
                        svc.name
                    );
                    return Ok(Planned::Inherited(inherited, reason));
                }
            }
            Change::SetNoNewPrivileges if self.target == Target::Swarm => {
                return Err(crate::fix::model::SWARM_NNP.into());
            }
            Change::SetNoNewPrivileges => {
                let items = self.resolved_items(svc, "security_opt");
                let falses: Vec<Arc<Node>> = items
                    .into_iter()
                    .filter(|n| {
                        let v = self.project.text(n).unwrap_or_default().replace(' ', "");
                        v == "no-new-privileges:false" || v == "no-new-privileges=false"
                    })
                    .collect();
                if falses.is_empty() {
                    if write {
                        plan.lists
                            .entry("security_opt".into())
                            .or_default()
                            .add
                            .push(quote("no-new-privileges:true"));
                    }
                } else {
                    let (own, inherited) = self.split_own(svc, "security_opt", falses);
                    for n in own {
                        plan.lists
                            .entry("security_opt".into())
                            .or_default()
                            .replace
                            .push((n, quote("no-new-privileges:true")));
                    }
                    if let Some(first) = inherited.first() {
                        let reason = format!(
                            "no-new-privileges:false is set at {}, which `{}` inherits: change \
                             it there, or give the service `security_opt: !override [...]`",
                            self.whence(first),
                            svc.name
                        );
                        return Ok(Planned::Inherited(inherited, reason));
                    }
                }
            }
            Change::RemoveSecurityOpt { option } => {
                let items: Vec<Arc<Node>> = self
                    .resolved_items(svc, "security_opt")
                    .into_iter()
                    .filter(|n| self.project.text(n).is_some_and(|s| s == *option))
                    .collect();
                if items.is_empty() {
                    return Err(format!("security option {option} is not in the file"));
                }
                let (own, inherited) = self.split_own(svc, "security_opt", items);
                plan.lists
                    .entry("security_opt".into())
                    .or_default()
                    .remove
                    .extend(own);
                if let Some(first) = inherited.first() {
                    let reason = format!(
                        "{option} is set at {}, which `{}` inherits: remove it there, or give \
                         the service `security_opt: !override [...]` without it",
                        self.whence(first),
                        svc.name
                    );
                    return Ok(Planned::Inherited(inherited, reason));
                }
            }
            Change::SetUser { user } => {
                self.not_through_variable(svc, "user")?;
                if write {
                    plan.scalars.push((vec!["user".into()], quote(user)))
                }
            }
            Change::SetReadOnlyRootfs => {
                self.not_through_variable(svc, "read_only")?;
                if write {
                    plan.scalars.push((vec!["read_only".into()], "true".into()))
                }
            }
            Change::AddTmpfs { path, options } if self.target == Target::Swarm && write => {
                // Swarm drops a service-level `tmpfs:`; a long-syntax tmpfs volume survives
                // (its size in bytes; owner and mode cannot be set).
                let size = options
                    .split(',')
                    .find_map(|o| o.strip_prefix("size="))
                    .and_then(crate::frontend::compose::spec::parse_bytes);
                let item = match size {
                    Some(n) => format!(
                        "{{type: tmpfs, target: {}, tmpfs: {{size: {n}}}}}",
                        plain_or_quoted(path)
                    ),
                    None => format!("{{type: tmpfs, target: {}}}", plain_or_quoted(path)),
                };
                plan.lists
                    .entry("volumes".into())
                    .or_default()
                    .add
                    .push(item);
            }
            Change::BindPortHostIp(_) if self.target == Target::Swarm => {
                return Err(crate::fix::model::SWARM_PORTS.into());
            }
            Change::AddTmpfs { .. } if !write => {}
            Change::AddTmpfs { path, options } => {
                let item = if options.is_empty() {
                    path.clone()
                } else {
                    format!("{path}:{options}")
                };
                plan.lists
                    .entry("tmpfs".into())
                    .or_default()
                    .add
                    .push(plain_or_quoted(&item));
            }
            Change::SetTmpfsOwner { path, uid, gid } => {
                let items: Vec<Arc<Node>> = self
                    .resolved_items(svc, "tmpfs")
                    .into_iter()
                    .filter(|n| {
                        self.project.text(n).is_some_and(|t| {
                            t.split(':').next().map(|p| p.trim_end_matches('/'))
                                == Some(path.trim_end_matches('/'))
                        })
                    })
                    .collect();
                let Some(item) = items.first() else {
                    return Err(format!("no tmpfs at {path} in the file"));
                };
                let raw = item.as_str().unwrap_or("");
                if interp::has_vars(raw) {
                    return Err(format!(
                        "the tmpfs at {path} is written through a variable (`{raw}`): add \
                         uid={uid},gid={gid} where it is set"
                    ));
                }
                let (at, opts) = raw.split_once(':').unwrap_or((raw, ""));
                let text = plain_or_quoted(&format!(
                    "{at}:{}",
                    crate::fix::with_owner(opts, *uid, *gid)
                ));
                let (own, inherited) = self.split_own(svc, "tmpfs", vec![item.clone()]);
                for n in own {
                    plan.lists
                        .entry("tmpfs".into())
                        .or_default()
                        .replace
                        .push((n, text.clone()));
                }
                if let Some(first) = inherited.first() {
                    let reason = format!(
                        "the tmpfs at {path} is mounted at {}, which `{}` inherits: add \
                         uid={uid},gid={gid} there",
                        self.whence(first),
                        svc.name
                    );
                    return Ok(Planned::Inherited(inherited, reason));
                }
            }
            Change::SetMemory { bytes } => {
                let keys = self.resource_key(svc, "mem_limit", "memory")?;
                if write {
                    plan.scalars.push((keys, crate::fix::docker_bytes(*bytes)));
                }
            }
            Change::SetNanoCpus { nano_cpus } => {
                let keys = self.resource_key(svc, "cpus", "cpus")?;
                if !write {
                    return Ok(Planned::Done);
                }
                let text = crate::fix::format_cpus(*nano_cpus);
                // `deploy.resources.limits.cpus` is a string in the Compose schema.
                let text = if keys.len() > 1 {
                    format!("\"{text}\"")
                } else {
                    text
                };
                plan.scalars.push((keys, text));
            }
            Change::SetCpuQuota { quota } => plan
                .scalars
                .push((vec!["cpu_quota".into()], quota.to_string())),
            Change::SetPidsLimit { limit } => {
                let keys = self.resource_key(svc, "pids_limit", "pids")?;
                if write {
                    plan.scalars.push((keys, limit.to_string()));
                }
            }
            Change::BindPortHostIp(b) => {
                let (ip, origin) = (&b.ip, &b.origin);
                let node = self.find_item(svc, "ports", origin).ok_or_else(|| {
                    "the published port is not where the finding points".to_string()
                })?;
                let file = node.file as usize;
                if !self.is_own(svc, "ports", &node) {
                    let reason = format!(
                        "the port is published at {}, which `{}` inherits: bind it there, or \
                         give the service `ports: !override [...]`",
                        self.whence(&node),
                        svc.name
                    );
                    return Ok(Planned::Inherited(vec![node], reason));
                }
                let planned = plan.lists.get("ports").is_some_and(|lp| {
                    lp.replace.iter().any(|(n, _)| Arc::ptr_eq(n, &node))
                        || lp.set_in_item.iter().any(|(n, _, _)| Arc::ptr_eq(n, &node))
                });
                if planned {
                    // Already planned (a range expands to several findings).
                } else if node.as_map().is_some() {
                    if let Some(v) = self.project.files[file]
                        .root
                        .get("version")
                        .and_then(|v| v.as_str())
                    {
                        return Err(format!(
                            "the file declares the legacy format `version: {v}`, whose long port \
                             syntax has no host_ip (docker-compose v1 rejects it): bind the port \
                             with the short syntax `{ip}:PUBLISHED:TARGET`, or drop `version:`"
                        ));
                    }
                    let ip_text = if ip.contains(':') {
                        quote(ip)
                    } else {
                        plain_or_quoted(ip)
                    };
                    plan.lists
                        .entry("ports".into())
                        .or_default()
                        .set_in_item
                        .push((node.clone(), "host_ip".into(), ip_text));
                } else {
                    let raw = node
                        .as_str()
                        .ok_or_else(|| "the port entry is empty".to_string())?;
                    let new = bind_short_port(raw, ip, self.project.env_of(&node))?;
                    plan.lists
                        .entry("ports".into())
                        .or_default()
                        .replace
                        .push((node.clone(), quote(&new)));
                }
            }
            Change::PublishExposedPortsOn { .. } => {
                return Err("Compose has no publish-all; nothing to rewrite".into());
            }
        }
        Ok(Planned::Done)
    }

    /// Refuses to overwrite a value the user writes through a variable.
    fn not_through_variable(&self, svc: &Service, key: &str) -> Result<(), Refusal> {
        if let Some(e) = svc.node.entry(key)
            && let Some(raw) = e.value.as_str()
            && interp::has_vars(raw)
        {
            let now = self.project.text(&e.value).unwrap_or_default();
            return Err(format!(
                "`{key}` is written as `{raw}` at {} (`{now}` here): harden does not replace a \
                 value you set through a variable; set the variable, or write the value",
                self.whence(&e.value)
            ));
        }
        Ok(())
    }

    /// The resolved service's items of a list key (what Compose sees).
    fn resolved_items(&self, svc: &Service, key: &str) -> Vec<Arc<Node>> {
        match svc.node.get(key) {
            Some(v) => match v.as_seq() {
                Some(items) => items.to_vec(),
                None if v.is_null() => Vec::new(),
                None => vec![v.clone()],
            },
            None => Vec::new(),
        }
    }

    /// Whether a resolved item is written in one of the service's own (editable) definitions.
    fn is_own(&self, svc: &Service, key: &str, n: &Arc<Node>) -> bool {
        self.list_items(svc, key)
            .iter()
            .any(|(_, m)| Arc::ptr_eq(m, n))
    }

    /// Items split into the service's own and inherited ones.
    fn split_own(
        &self,
        svc: &Service,
        key: &str,
        items: Vec<Arc<Node>>,
    ) -> (Vec<Arc<Node>>, Vec<Arc<Node>>) {
        items.into_iter().partition(|n| self.is_own(svc, key, n))
    }

    /// Where a limit goes. `deploy.resources.limits` (Compose v2 and Swarm both honour it),
    /// unless the service already writes a service-level limit (`mem_limit`, `cpus`,
    /// `pids_limit`): Compose v2 refuses those beside a `deploy.resources.limits` that does not
    /// repeat them ("can't set distinct values"), so the new limit joins them at service level
    /// (for Swarm, which refuses service-level limits, that is refused with the reason). A limit
    /// the user wrote that harden cannot read (an unset variable) is not doubled: refused.
    fn resource_key(
        &self,
        svc: &Service,
        service_key: &str,
        deploy_key: &str,
    ) -> Result<Vec<String>, Refusal> {
        if let Some(e) = svc.node.entry(service_key)
            && !e.value.is_null()
        {
            let raw = e.value.as_str().unwrap_or("");
            return Err(format!(
                "`{service_key}` is written as `{raw}` at {}, which harden cannot read as a \
                 limit: set it to a value (or its variable), or remove it",
                self.whence(&e.value)
            ));
        }
        let deploy = ["deploy", "resources", "limits", deploy_key];
        if let Some(e) = lookup(&svc.node, &deploy)
            && !e.value.is_null()
        {
            let raw = e.value.as_str().unwrap_or("");
            return Err(format!(
                "`deploy.resources.limits.{deploy_key}` is written as `{raw}` at {}, which \
                 harden cannot read as a limit: set it to a value (or its variable)",
                self.whence(&e.value)
            ));
        }
        let has_deploy_limits = lookup(&svc.node, &["deploy", "resources", "limits"])
            .is_some_and(|e| !e.value.is_null());
        let service_level = SERVICE_LIMITS
            .iter()
            .find(|k| svc.node.entry(k).is_some_and(|e| !e.value.is_null()));
        match service_level {
            Some(k) if !has_deploy_limits => {
                if self.target == Target::Swarm {
                    return Err(format!(
                        "the service sets `{k}`, which docker stack deploy refuses: move its \
                         limits under deploy.resources.limits (`harden stack deploy` does that \
                         for the deployed copy)"
                    ));
                }
                Ok(vec![service_key.to_string()])
            }
            _ => Ok(deploy.iter().map(|s| s.to_string()).collect()),
        }
    }

    /// Items of a list key across the service's own (editable) definitions.
    fn list_items(&self, svc: &Service, key: &str) -> Vec<(usize, Arc<Node>)> {
        let mut out = Vec::new();
        for l in self.own_layers(svc) {
            if let Some(v) = l.node.get(key) {
                match v.as_seq() {
                    Some(items) => out.extend(items.iter().map(|i| (l.file, i.clone()))),
                    None if v.is_null() => {}
                    None => out.push((l.file, v.clone())),
                }
            }
        }
        out
    }

    /// The resolved item a finding points at.
    fn find_item(&self, svc: &Service, key: &str, origin: &Origin) -> Option<Arc<Node>> {
        let Origin::Yaml {
            file, line, column, ..
        } = origin
        else {
            return None;
        };
        self.resolved_items(svc, key).into_iter().find(|n| {
            *self.project.files[n.file as usize].path == **file
                && n.pos.line == *line
                && n.pos.column == *column
        })
    }

    /// Refuses changes to a service mapping that others inherit unless they get the same change.
    fn check_inheritors(&self, requests: &[Request], results: &mut [Result<(), Refusal>]) {
        let all: Vec<(usize, &str, &Change)> = requests
            .iter()
            .enumerate()
            .map(|(i, r)| (i, r.service.as_str(), &r.change))
            .collect();
        self.check_inheritors_of(&all, results);
    }

    /// [`Planner::check_inheritors`] over `requests` (request index, service, change), in
    /// index order: every request of a service whose mapping others merge, and of the services
    /// that merge one.
    fn check_inheritors_of(
        &self,
        requests: &[(usize, &str, &Change)],
        results: &mut (impl Outcomes + ?Sized),
    ) {
        for (idx, svc_name) in &self.touched_shared {
            let idx = *idx;
            let Some(svc) = self.project.service(svc_name) else {
                continue;
            };
            let own = service_path(&svc.name);
            let Ok(at) = requests.binary_search_by_key(&idx, |r| r.0) else {
                continue;
            };
            let change = requests[at].2;
            let keys = change_keys(change);
            // Services that merge this one's mapping and do not set the key themselves.
            for other in &self.project.services {
                if other.name == svc.name {
                    continue;
                }
                let merges_own = other
                    .layers
                    .iter()
                    .any(|l| l.node.merges.iter().any(|m| **m == *own));
                let sets_all_keys_itself = !keys.is_empty()
                    && keys.iter().all(|k| {
                        other
                            .layers
                            .iter()
                            .any(|l| l.node.entry(k).is_some_and(|e| !e.merged))
                    });
                if !merges_own || sets_all_keys_itself {
                    continue;
                }
                let same = requests.iter().any(|(i, service, c)| {
                    *service == other.name && *c == change && results.is_ok(*i)
                });
                if !same && results.is_ok(idx) {
                    results.refuse(
                        idx,
                        format!(
                            "service `{}` merges this service (`<<`) and would change too; \
                         fix it in each service by hand",
                            other.name
                        ),
                    );
                }
            }
        }
    }

    /// Turns the plans of the accepted requests into edits per file.
    pub(super) fn render(
        &self,
        requests: &[Request],
        results: &[Result<(), Refusal>],
    ) -> BTreeMap<usize, Vec<Edit>> {
        // The plans of the accepted requests only (rebuilt when some were refused after being
        // planned, by the inheritance check).
        let rebuilt;
        let p = if results.iter().all(|r| r.is_ok()) {
            self
        } else {
            let mut p = Planner::new(self.project);
            p.target = self.target;
            for (r, res) in requests.iter().zip(results) {
                if res.is_ok() {
                    let _ = p.add(r);
                }
            }
            rebuilt = p;
            &rebuilt
        };
        let mut edits: BTreeMap<usize, Vec<Edit>> = BTreeMap::new();
        let mut names: Vec<&String> = p.plans.keys().collect();
        names.sort_unstable();
        for name in names {
            let (Some(svc), Some(plan)) = (self.project.service(name), p.plans.get(name)) else {
                continue;
            };
            p.render_service(svc, plan, &mut edits);
        }
        edits
    }

    fn render_service(
        &self,
        svc: &Service,
        plan: &ServicePlan,
        edits: &mut BTreeMap<usize, Vec<Edit>>,
    ) {
        let own = service_path(&svc.name);
        let own_layers = self.own_layers(svc);
        let Some(base) = own_layers.first() else {
            return;
        };
        // What a base service of the same file adds, this service inherits: adding it here too
        // would repeat it (Compose v2 refuses a repeated `security_opt` item).
        let bases = self.same_file_bases(svc);
        let mut plan = plan.clone();
        for (key, lp) in plan.lists.iter_mut() {
            lp.add.retain(|a| {
                !bases.iter().any(|b| {
                    self.plans
                        .get(b)
                        .and_then(|bp| bp.lists.get(key))
                        .is_some_and(|blp| blp.add.contains(a))
                })
            });
        }
        let plan = &plan;
        // New keys under the same missing mapping (`deploy:` for memory, cpus and pids) are
        // written as one value.
        let mut added: Vec<(usize, Vec<Seg>, String, NewVal)> = Vec::new();
        for (keys, text) in &plan.scalars {
            let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
            // The last own layer where the key physically sits, else the base layer.
            let (layer, physical) = own_layers
                .iter()
                .rev()
                .find_map(|l| {
                    let e = lookup(&l.node, &key_refs)?;
                    (!e.merged && under(&e.path, &own)).then_some((*l, true))
                })
                .unwrap_or((*base, false));
            if physical {
                let mut map = own.clone();
                map.extend(
                    keys[..keys.len() - 1]
                        .iter()
                        .map(|k| Seg::Key(k.as_str().into())),
                );
                edits.entry(layer.file).or_default().push(Edit::SetKey {
                    map,
                    key: keys[keys.len() - 1].clone(),
                    value: text.clone(),
                    block: None,
                });
            } else {
                // Add the key (nested keys under the first missing mapping).
                let mut map = own.clone();
                let mut node = layer.node.clone();
                let mut i = 0;
                while i + 1 < keys.len() {
                    match node.entry(&keys[i]) {
                        Some(e) if !e.merged && e.value.as_map().is_some() => {
                            map.push(Seg::Key(keys[i].as_str().into()));
                            node = e.value.clone();
                            i += 1;
                        }
                        _ => break,
                    }
                }
                let mut value = NewVal::Text(text.clone());
                for k in keys[i + 1..].iter().rev() {
                    value = NewVal::Map(vec![(k.clone(), value)]);
                }
                match added
                    .iter_mut()
                    .find(|(f, m, k, _)| *f == layer.file && *m == map && *k == keys[i])
                {
                    Some((_, _, _, have)) => have.merge(value),
                    None => added.push((layer.file, map, keys[i].clone(), value)),
                }
            }
        }
        for (file, map, key, value) in added {
            let style = self.block_style(file);
            edits.entry(file).or_default().push(Edit::SetKey {
                map,
                key,
                value: value.flow(),
                block: Some(value.block(0, style)),
            });
        }
        for (key, lp) in &plan.lists {
            self.render_list(svc, key, lp, &own_layers, edits);
        }
    }

    fn render_list(
        &self,
        svc: &Service,
        key: &str,
        lp: &ListPlan,
        own_layers: &[&crate::frontend::compose::Layer],
        edits: &mut BTreeMap<usize, Vec<Edit>>,
    ) {
        let own = service_path(&svc.name);
        let list_path = {
            let mut p = own.clone();
            p.push(Seg::Key(key.into()));
            p
        };
        let touches = |n: &Arc<Node>| {
            lp.remove.iter().any(|r| Arc::ptr_eq(r, n))
                || lp.replace.iter().any(|(r, _)| Arc::ptr_eq(r, n))
                || lp.set_in_item.iter().any(|(r, _, _)| Arc::ptr_eq(r, n))
        };
        let mut added = false;
        // Walk layers last first so that additions land in the last layer that has the list.
        for layer in own_layers.iter().rev() {
            let Some(entry) = layer.node.entry(key) else {
                continue;
            };
            let physical = !entry.merged && *entry.value.path == *list_path;
            let out = edits.entry(layer.file).or_default();
            let items: Vec<Arc<Node>> = match entry.value.as_seq() {
                Some(items) => items.to_vec(),
                None if entry.value.is_null() => Vec::new(),
                None => vec![entry.value.clone()],
            };
            let add_here = !added;
            let needs_work = items.iter().any(touches) || add_here && !lp.add.is_empty();
            if !needs_work {
                continue;
            }
            if physical && entry.value.as_seq().is_some() {
                // Edit in place.
                let mut removes = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let mut at = list_path.clone();
                    at.push(Seg::Index(i));
                    if lp.remove.iter().any(|r| Arc::ptr_eq(r, item)) {
                        removes.push(at);
                    } else if let Some((_, t)) =
                        lp.replace.iter().find(|(r, _)| Arc::ptr_eq(r, item))
                    {
                        out.push(Edit::ReplaceScalar {
                            at,
                            text: t.clone(),
                        });
                    } else {
                        for (_, k, v) in lp
                            .set_in_item
                            .iter()
                            .filter(|(r, _, _)| Arc::ptr_eq(r, item))
                        {
                            out.push(Edit::SetKey {
                                map: at.clone(),
                                key: k.clone(),
                                value: v.clone(),
                                block: None,
                            });
                        }
                    }
                }
                let remaining = items.len() - removes.len();
                if add_here {
                    for a in &lp.add {
                        out.push(Edit::Append {
                            list: list_path.clone(),
                            item: a.clone(),
                        });
                    }
                    added = true;
                }
                if remaining == 0 && (!add_here || lp.add.is_empty()) {
                    out.push(Edit::SetKey {
                        map: own.clone(),
                        key: key.into(),
                        value: "[]".into(),
                        block: None,
                    });
                } else {
                    // Highest index first so that indices stay valid.
                    for at in removes.into_iter().rev() {
                        out.push(Edit::RemoveItem { at });
                    }
                }
            } else {
                // Merged from an anchor, an alias, or a scalar: write the whole list on the
                // service itself.
                let mut texts = Vec::new();
                for item in &items {
                    if lp.remove.iter().any(|r| Arc::ptr_eq(r, item)) {
                        continue;
                    }
                    if let Some((_, t)) = lp.replace.iter().find(|(r, _)| Arc::ptr_eq(r, item)) {
                        texts.push(t.clone());
                        continue;
                    }
                    let mut t = flow_text(item);
                    for (_, k, v) in lp
                        .set_in_item
                        .iter()
                        .filter(|(r, _, _)| Arc::ptr_eq(r, item))
                    {
                        t = set_in_flow_map(item, k, v);
                    }
                    texts.push(t);
                }
                if add_here {
                    texts.extend(lp.add.iter().cloned());
                    added = true;
                }
                let style = self.block_style(layer.file);
                let value = NewVal::List(texts);
                out.push(Edit::SetKey {
                    map: own.clone(),
                    key: key.into(),
                    value: value.flow(),
                    block: Some(value.block(0, style)),
                });
            }
        }
        if !added && !lp.add.is_empty() {
            let base = own_layers[0];
            let value = NewVal::List(lp.add.clone());
            edits.entry(base.file).or_default().push(Edit::SetKey {
                map: own.clone(),
                key: key.into(),
                value: value.flow(),
                block: Some(value.block(0, self.block_style(base.file))),
            });
        }
    }

    /// How the file writes block collections (indent step, lists at the key's indentation).
    fn block_style(&self, file: usize) -> BlockStyle {
        match self.styles.get(file) {
            Some(cell) => *cell.get_or_init(|| BlockStyle::of(&self.project.files[file].text)),
            None => BlockStyle::of(&self.project.files[file].text),
        }
    }
}

/// Service-level limit keys that Compose v2 refuses beside a different
/// `deploy.resources.limits`.
pub const SERVICE_LIMITS: [&str; 3] = ["mem_limit", "cpus", "pids_limit"];

/// The first node on the way to what `change` writes in service mapping `service` (the
/// mapping itself included) that carries a merge tag, with its key.
fn tagged_on<'n>(service: &'n Arc<Node>, change: &Change) -> Option<(String, &'n Arc<Node>)> {
    use crate::yaml::tree::Tag;
    if service.tag != Tag::None {
        return Some(("service".into(), service));
    }
    for &key in change_keys(change) {
        // A limit may go under `deploy.resources.limits`: each mapping on the way counts.
        let path: &[&str] = if key == "deploy" {
            &["deploy", "resources", "limits"]
        } else {
            std::slice::from_ref(&key)
        };
        let mut n = service;
        for (i, k) in path.iter().enumerate() {
            let Some(next) = n.get(k) else {
                break;
            };
            if next.tag != Tag::None {
                return Some((path[..=i].join("."), next));
            }
            n = next;
        }
    }
    None
}

/// Keys of the service mapping that a change writes.
fn change_keys(c: &Change) -> &'static [&'static str] {
    match c {
        Change::DropAllCapabilities => &["cap_drop"],
        Change::RemoveCapability { .. } | Change::AddCapability { .. } => &["cap_add"],
        Change::SetNoNewPrivileges | Change::RemoveSecurityOpt { .. } => &["security_opt"],
        Change::SetUser { .. } => &["user"],
        Change::SetReadOnlyRootfs => &["read_only"],
        Change::AddTmpfs { .. } | Change::SetTmpfsOwner { .. } => &["tmpfs"],
        Change::SetMemory { .. } => &["mem_limit", "deploy"],
        Change::SetNanoCpus { .. } => &["cpus", "deploy"],
        Change::SetCpuQuota { .. } => &["cpu_quota"],
        Change::SetPidsLimit { .. } => &["pids_limit", "deploy"],
        Change::BindPortHostIp(_) | Change::PublishExposedPortsOn { .. } => &["ports"],
    }
}

/// Rewrites a short port string so that it binds `ip`. Interpolation is kept as written.
pub fn bind_short_port(raw: &str, ip: &str, env: &Env) -> Result<String, Refusal> {
    let ip_text = if ip.contains(':') && !ip.starts_with('[') {
        format!("[{ip}]")
    } else {
        ip.to_string()
    };
    let trimmed = raw.trim();
    if let Some(bracketed) = trimmed.strip_prefix('[') {
        // `[v6]:host:container`: replace an all-interfaces address.
        let (addr, rest) = bracketed
            .split_once(']')
            .ok_or_else(|| format!("port `{raw}` cannot be read"))?;
        if matches!(addr, "::" | "") {
            return Ok(format!("{ip_text}{rest}"));
        }
        return Err(format!("port `{raw}` already names the address {addr}"));
    }
    let parts = interp::split_outside_vars(trimmed, ':');
    match parts.len() {
        1 if interp::has_vars(trimmed) => {
            // The whole entry is a variable: it may hold `HOST:CONTAINER` or an address.
            let r = interp::resolve(trimmed, env);
            let port = r
                .value
                .rsplit_once('/')
                .map_or(r.value.as_str(), |(p, _)| p);
            if r.unresolved.is_empty() && is_port_or_range(port) {
                Ok(format!("{ip_text}::{trimmed}"))
            } else {
                Err(format!(
                    "the port is written as `{trimmed}`{}: harden cannot tell what the variable \
                     will hold; bind it to {ip} where the variable is set (`{ip}:HOST:CONTAINER`)",
                    if r.unresolved.is_empty() {
                        format!(" (`{}` here)", r.value)
                    } else {
                        ", which is not set here".to_string()
                    }
                ))
            }
        }
        1 => Ok(format!("{ip_text}::{trimmed}")),
        2 => {
            let host = parts[0];
            if interp::has_vars(host) {
                let r = interp::resolve(host, env);
                if !r.unresolved.is_empty() || r.value.is_empty() {
                    return Err(format!(
                        "the host part `{host}` is not set here; harden cannot tell whether it \
                         holds an address: bind it to {ip} where the variable is set"
                    ));
                }
                if !is_port_or_range(&r.value) {
                    return Err(format!(
                        "the host part `{host}` is `{}` here, not a port: set the address where \
                         the variable is set",
                        r.value
                    ));
                }
            }
            Ok(format!("{ip_text}:{trimmed}"))
        }
        3 => {
            let addr = parts[0];
            let rest = &trimmed[addr.len()..];
            if !interp::has_vars(addr) {
                if matches!(addr, "" | "0.0.0.0" | "::") {
                    return Ok(format!("{ip_text}{rest}"));
                }
                return Err(format!("port `{raw}` already names the address {addr}"));
            }
            // A single `${NAME…}` expression: change only its default, when the variable is
            // unset here.
            let name = single_var_name(addr).ok_or_else(|| {
                format!("the address `{addr}` is an expression harden does not rewrite")
            })?;
            match env.get(&name) {
                Some(v) if !v.is_empty() => Err(format!(
                    "the address comes from ${name}, which is `{v}` here: set it to {ip} there"
                )),
                _ => Ok(format!("${{{name}:-{ip}}}{rest}")),
            }
        }
        _ => {
            // Unbracketed IPv6 (`::1:80:80`): the address is everything before the last two.
            let n = parts.len();
            let addr = parts[..n - 2].join(":");
            if matches!(addr.as_str(), "::" | "") {
                let rest = format!(":{}:{}", parts[n - 2], parts[n - 1]);
                return Ok(format!("{ip_text}{rest}"));
            }
            Err(format!("port `{raw}` already names the address {addr}"))
        }
    }
}

fn is_port_or_range(s: &str) -> bool {
    let ok = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
    match s.split_once('-') {
        Some((a, b)) => ok(a) && ok(b),
        None => ok(s),
    }
}

/// `${NAME}`, `${NAME:-x}`, `${NAME-x}` → `NAME`.
fn single_var_name(s: &str) -> Option<String> {
    let inner = s.strip_prefix("${")?.strip_suffix('}')?;
    let end = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    let (name, rest) = inner.split_at(end);
    if name.is_empty() || rest.contains("${") {
        return None;
    }
    if rest.is_empty() || rest.starts_with(":-") || rest.starts_with('-') {
        Some(name.to_string())
    } else {
        None
    }
}
