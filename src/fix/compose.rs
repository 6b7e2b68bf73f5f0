//! The Compose back end: semantic [`Change`]s → edits of the original text of each file.
//!
//! Edits go through `yamlpatch`/`yamlpath` (zizmor's comment-preserving crates) where they are
//! sound, and through exact span edits located by `yamlpath` where `yamlpatch` is known to
//! misbehave (replacing list items that contain `:`, appending to flow lists, removing flow
//! items). The rules of the game:
//!
//! - an edit targets the service: a key that reaches the service through `<<: *anchor` is
//!   overridden on the service itself, never edited in the anchor;
//! - a service that other services merge (`<<: *svc`) is edited only when every service that
//!   inherits the edit gets the same change;
//! - values are written in a form that YAML 1.1 tools read the same way (quoted when in doubt);
//! - `${VAR}` references are kept as written; a port whose host part is a variable is fixed only
//!   when that is sound (a port number, or an unset address with a default), else reported;
//! - the result must parse, keep every comment line, and keep CRLF line ends; otherwise nothing
//!   is written.

use super::Change;
use crate::frontend::compose::interp::{self, Env};
use crate::frontend::compose::spec::lookup;
use crate::frontend::compose::tree::{Node, Seg, Value, route_string};
use crate::frontend::compose::{Project, Service, Target};
use crate::spec::{Origin, normalize_capability};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

/// A change that was asked for one service.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub service: String,
    pub rule: &'static str,
    pub change: Change,
}

/// Why a change cannot be written into the file.
pub type Refusal = String;

/// Each request with `Ok` when it can be (or was) written, `Err(reason)` when not.
pub type Outcomes = Vec<(Request, Result<(), Refusal>)>;

/// The result of fixing a project.
#[derive(Debug, Default)]
pub struct Fixed {
    /// New text per file index, only for files that changed.
    pub texts: BTreeMap<usize, String>,
    /// Each request with `Ok` when written, `Err(reason)` when not.
    pub results: Vec<(Request, Result<(), Refusal>)>,
}

/// A failure to produce a valid file (nothing may be written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixError {
    pub file: std::path::PathBuf,
    pub message: String,
}

impl std::fmt::Display for FixError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.message)
    }
}

/// One text edit, by physical route.
#[derive(Clone, Debug, PartialEq)]
enum Edit {
    /// Set `key` in the mapping at `map` to the YAML text `value` (replace or add). `block`:
    /// the value in block style (each line after a newline indented relative to the key), used
    /// when the key is added to a block mapping.
    SetKey {
        map: Vec<Seg>,
        key: String,
        value: String,
        block: Option<String>,
    },
    /// Append the YAML text `item` to the sequence at `list`.
    Append { list: Vec<Seg>, item: String },
    /// Replace the scalar at `at` by the YAML text `text`.
    ReplaceScalar { at: Vec<Seg>, text: String },
    /// Remove the sequence item at `at`.
    RemoveItem { at: Vec<Seg> },
}

/// Plans every request without writing any text: for each request (same order), `Ok` when
/// the back end can write it, `Err(reason)` when not. A file that cannot be edited at all (see
/// [`editable`]) refuses every request. This is what lint's "fixable" means; [`fix`]
/// additionally parses and checks the written text, and refuses to write when that fails.
pub fn plan(project: &Project, requests: &[Request]) -> Result<Vec<Result<(), Refusal>>, FixError> {
    plan_for(project, requests, Target::Compose)
}

/// [`plan`] for `target`.
pub fn plan_for(
    project: &Project,
    requests: &[Request],
    target: Target,
) -> Result<Vec<Result<(), Refusal>>, FixError> {
    let (_, results) = planned(project, requests, false, target);
    // Edits land in the files that define the services they change.
    let mut files: Vec<usize> = requests
        .iter()
        .zip(&results)
        .filter(|(_, res)| res.is_ok())
        .filter_map(|(r, _)| project.service(&r.service))
        .flat_map(|s| s.layers.iter().map(|l| l.file))
        .collect();
    files.sort_unstable();
    files.dedup();
    for file in files {
        let f = &project.files[file];
        editable(&f.text).map_err(|message| FixError {
            file: f.path.clone(),
            message,
        })?;
    }
    Ok(results)
}

/// `keep`: keep the plans (to render them); without, only the refusals are computed.
fn planned<'p>(
    project: &'p Project,
    requests: &[Request],
    keep: bool,
    target: Target,
) -> (Planner<'p>, Vec<Result<(), Refusal>>) {
    let mut planner = Planner::new(project);
    planner.keep = keep;
    planner.target = target;
    let mut results: Vec<Result<(), Refusal>> = requests.iter().map(|r| planner.add(r)).collect();
    // Inherited values: written by a base service that gets the same fix, or refused.
    planner.settle_inherited(&mut results);
    // Shared service mappings: an edit to a service that others merge must be one they get too.
    planner.check_inheritors(requests, &mut results);
    (planner, results)
}

/// Applies every request it can; refusals are reported per request.
pub fn fix(project: &Project, requests: &[Request]) -> Result<Fixed, FixError> {
    fix_for(project, requests, Target::Compose)
}

/// [`fix`] for `target`.
pub fn fix_for(project: &Project, requests: &[Request], target: Target) -> Result<Fixed, FixError> {
    let (planner, results) = planned(project, requests, true, target);
    let edits = planner.render(requests, &results);
    let mut texts = BTreeMap::new();
    for (file, edits) in edits {
        if edits.is_empty() {
            continue;
        }
        let f = &project.files[file];
        let new = apply_edits(&f.text, &f.root, &edits).map_err(|message| FixError {
            file: f.path.clone(),
            message,
        })?;
        verify(&f.text, &f.root, &new).map_err(|message| FixError {
            file: f.path.clone(),
            message,
        })?;
        if new != f.text {
            texts.insert(file, new);
        }
    }
    let results = requests.iter().cloned().zip(results).collect();
    Ok(Fixed { texts, results })
}

/// What is planned for one list key of one service.
#[derive(Default, Debug, Clone)]
struct ListPlan {
    add: Vec<String>,
    /// Items (by node identity) to remove.
    remove: Vec<Rc<Node>>,
    /// Items to replace by new text.
    replace: Vec<(Rc<Node>, String)>,
    /// Mapping items in which to set a key.
    set_in_item: Vec<(Rc<Node>, String, String)>,
}

#[derive(Default, Debug, Clone)]
struct ServicePlan {
    /// Scalar keys: (key path under the service, YAML text).
    scalars: Vec<(Vec<String>, String)>,
    lists: BTreeMap<String, ListPlan>,
}

struct Planner<'a> {
    project: &'a Project,
    plans: BTreeMap<String, ServicePlan>,
    /// Request index → (service, change) for inheritance checks.
    touched_shared: Vec<(usize, String)>,
    /// Requests whose value is inherited (from a base service or an included file): settled
    /// once every request is planned (the base's own fix may change it).
    pending: Vec<(usize, Vec<Rc<Node>>, Refusal)>,
    count: usize,
    /// Kept for the callers' sake: plans are always kept (the inherited check needs them).
    keep: bool,
    target: Target,
}

/// What planning one change gives.
enum Planned {
    Done,
    /// The values to change are inherited: fine when another service's fix changes these very
    /// nodes, else refused with the reason.
    Inherited(Vec<Rc<Node>>, Refusal),
}

fn service_path(name: &str) -> Vec<Seg> {
    vec![Seg::Key("services".into()), Seg::Key(name.into())]
}

fn under(path: &[Seg], prefix: &[Seg]) -> bool {
    path.len() >= prefix.len() && path[..prefix.len()] == *prefix
}

impl<'a> Planner<'a> {
    fn new(project: &'a Project) -> Self {
        Planner {
            project,
            plans: BTreeMap::new(),
            touched_shared: Vec::new(),
            pending: Vec::new(),
            count: 0,
            keep: true,
            target: Target::Compose,
        }
    }

    /// The service's own definitions that harden may edit: mappings at `services.NAME` in a
    /// `-f` file or in an included file under the project directory.
    fn own_layers<'s>(&self, svc: &'s Service) -> Vec<&'s crate::frontend::compose::Layer> {
        let own = service_path(&svc.name);
        svc.layers
            .iter()
            .filter(|l| *l.node.path == *own && self.project.editable(l.file))
            .collect()
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
    fn settle_inherited(&mut self, results: &mut [Result<(), Refusal>]) {
        for (idx, nodes, reason) in std::mem::take(&mut self.pending) {
            let covered = nodes.iter().all(|n| {
                self.plans.values().any(|p| {
                    p.lists.values().any(|lp| {
                        lp.remove.iter().any(|r| Rc::ptr_eq(r, n))
                            || lp.replace.iter().any(|(r, _)| Rc::ptr_eq(r, n))
                            || lp.set_in_item.iter().any(|(r, _, _)| Rc::ptr_eq(r, n))
                    })
                })
            });
            if !covered && results[idx].is_ok() {
                results[idx] = Err(reason);
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

    fn service(&self, name: &str) -> Result<&'a Service, Refusal> {
        self.project
            .service(name)
            .ok_or_else(|| format!("no service `{name}`"))
    }

    /// Adds a request to the plan (or says why it cannot be written).
    fn add(&mut self, req: &Request) -> Result<(), Refusal> {
        let idx = self.count;
        self.count += 1;
        let svc = self.service(&req.service)?;
        // Every layer that would be edited must be the service's own mapping.
        if !svc
            .layers
            .iter()
            .any(|l| *l.node.path == *service_path(&svc.name))
        {
            return Err(format!(
                "service `{}` is an alias of another node; fix that node instead",
                svc.name
            ));
        }
        if self.own_layers(svc).is_empty() {
            let l = &svc.layers[0];
            return Err(format!(
                "service `{}` is defined in {}, outside the project directory {}: harden does \
                 not edit files outside the project; fix it there or waive the rule",
                svc.name,
                self.project.files[l.file].path.display(),
                self.project.dir.display()
            ));
        }
        let mut plan = self.plans.remove(&svc.name).unwrap_or_default();
        let res = self.plan_change(svc, &req.change, &mut plan);
        // Refusals are decided before the plan is touched.
        self.plans.insert(svc.name.clone(), plan);
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
        match change {
            Change::DropAllCapabilities => {
                let have_all = self.resolved_items(svc, "cap_drop").iter().any(|n| {
                    self.project
                        .text(n)
                        .map(|c| normalize_capability(&c))
                        .as_deref()
                        == Some("ALL")
                });
                if !have_all {
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
                if !have {
                    plan.lists
                        .entry("cap_add".into())
                        .or_default()
                        .add
                        .push(capability.trim_start_matches("CAP_").to_string());
                }
            }
            Change::RemoveCapability { capability } => {
                let items: Vec<Rc<Node>> = self
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
                return Err(super::model::SWARM_NNP.into());
            }
            Change::SetNoNewPrivileges => {
                let items = self.resolved_items(svc, "security_opt");
                let falses: Vec<Rc<Node>> = items
                    .into_iter()
                    .filter(|n| {
                        let v = self.project.text(n).unwrap_or_default().replace(' ', "");
                        v == "no-new-privileges:false" || v == "no-new-privileges=false"
                    })
                    .collect();
                if falses.is_empty() {
                    plan.lists
                        .entry("security_opt".into())
                        .or_default()
                        .add
                        .push(quote("no-new-privileges:true"));
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
                let items: Vec<Rc<Node>> = self
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
                plan.scalars.push((vec!["user".into()], quote(user)))
            }
            Change::SetReadOnlyRootfs => {
                self.not_through_variable(svc, "read_only")?;
                plan.scalars.push((vec!["read_only".into()], "true".into()))
            }
            Change::AddTmpfs { path, options } if self.target == Target::Swarm => {
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
            Change::BindPortHostIp { .. } if self.target == Target::Swarm => {
                return Err(super::model::SWARM_PORTS.into());
            }
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
                let items: Vec<Rc<Node>> = self
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
                let text =
                    plain_or_quoted(&format!("{at}:{}", super::with_owner(opts, *uid, *gid)));
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
                plan.scalars.push((keys, super::docker_bytes(*bytes)));
            }
            Change::SetNanoCpus { nano_cpus } => {
                let keys = self.resource_key(svc, "cpus", "cpus")?;
                let text = super::format_cpus(*nano_cpus);
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
                plan.scalars.push((keys, limit.to_string()));
            }
            Change::BindPortHostIp { ip, origin, .. } => {
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
                    lp.replace.iter().any(|(n, _)| Rc::ptr_eq(n, &node))
                        || lp.set_in_item.iter().any(|(n, _, _)| Rc::ptr_eq(n, &node))
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
    fn resolved_items(&self, svc: &Service, key: &str) -> Vec<Rc<Node>> {
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
    fn is_own(&self, svc: &Service, key: &str, n: &Rc<Node>) -> bool {
        self.list_items(svc, key)
            .iter()
            .any(|(_, m)| Rc::ptr_eq(m, n))
    }

    /// Items split into the service's own and inherited ones.
    fn split_own(
        &self,
        svc: &Service,
        key: &str,
        items: Vec<Rc<Node>>,
    ) -> (Vec<Rc<Node>>, Vec<Rc<Node>>) {
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
    fn list_items(&self, svc: &Service, key: &str) -> Vec<(usize, Rc<Node>)> {
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
    fn find_item(&self, svc: &Service, key: &str, origin: &Origin) -> Option<Rc<Node>> {
        let Origin::Yaml {
            file, line, column, ..
        } = origin
        else {
            return None;
        };
        self.resolved_items(svc, key).into_iter().find(|n| {
            self.project.files[n.file as usize].path == *file
                && n.pos.line == *line
                && n.pos.column == *column
        })
    }

    /// Refuses changes to a service mapping that others inherit unless they get the same change.
    fn check_inheritors(&self, requests: &[Request], results: &mut [Result<(), Refusal>]) {
        let touched = self.touched_shared.clone();
        for (idx, svc_name) in touched {
            let Some(svc) = self.project.service(&svc_name) else {
                continue;
            };
            let own = service_path(&svc.name);
            let change = &requests[idx].change;
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
                let same = requests
                    .iter()
                    .zip(results.iter())
                    .any(|(r, res)| r.service == other.name && r.change == *change && res.is_ok());
                if !same && results[idx].is_ok() {
                    results[idx] = Err(format!(
                        "service `{}` merges this service (`<<`) and would change too; \
                         fix it in each service by hand",
                        other.name
                    ));
                }
            }
        }
    }

    /// Turns the plans of the accepted requests into edits per file.
    fn render(
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
        for (name, plan) in &p.plans {
            let Some(svc) = self.project.service(name) else {
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
        let touches = |n: &Rc<Node>| {
            lp.remove.iter().any(|r| Rc::ptr_eq(r, n))
                || lp.replace.iter().any(|(r, _)| Rc::ptr_eq(r, n))
                || lp.set_in_item.iter().any(|(r, _, _)| Rc::ptr_eq(r, n))
        };
        let mut added = false;
        // Walk layers last first so that additions land in the last layer that has the list.
        for (li, layer) in own_layers.iter().enumerate().rev() {
            let Some(entry) = layer.node.entry(key) else {
                continue;
            };
            let physical = !entry.merged && *entry.value.path == *list_path;
            let out = edits.entry(layer.file).or_default();
            let items: Vec<Rc<Node>> = match entry.value.as_seq() {
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
                    if lp.remove.iter().any(|r| Rc::ptr_eq(r, item)) {
                        removes.push(at);
                    } else if let Some((_, t)) =
                        lp.replace.iter().find(|(r, _)| Rc::ptr_eq(r, item))
                    {
                        out.push(Edit::ReplaceScalar {
                            at,
                            text: t.clone(),
                        });
                    } else {
                        for (_, k, v) in lp
                            .set_in_item
                            .iter()
                            .filter(|(r, _, _)| Rc::ptr_eq(r, item))
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
                    if lp.remove.iter().any(|r| Rc::ptr_eq(r, item)) {
                        continue;
                    }
                    if let Some((_, t)) = lp.replace.iter().find(|(r, _)| Rc::ptr_eq(r, item)) {
                        texts.push(t.clone());
                        continue;
                    }
                    let mut t = flow_text(item);
                    for (_, k, v) in lp
                        .set_in_item
                        .iter()
                        .filter(|(r, _, _)| Rc::ptr_eq(r, item))
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
            let _ = li;
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
        BlockStyle::of(&self.project.files[file].text)
    }
}

/// The indentation habits of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct BlockStyle {
    /// Spaces per nesting level.
    unit: usize,
    /// Block list items sit at their key's indentation (`key:\n- a`).
    zero_indent_lists: bool,
}

impl BlockStyle {
    /// Read from the first key whose value is a block collection.
    fn of(text: &str) -> BlockStyle {
        let mut unit = None;
        let mut zero = None;
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .take(2000)
            .collect();
        for w in lines.windows(2) {
            let (a, b) = (w[0], w[1]);
            let ia = a.len() - a.trim_start_matches(' ').len();
            let ib = b.len() - b.trim_start_matches(' ').len();
            let a_body = a.trim();
            let opens = a_body.ends_with(':') && !a_body.starts_with('-');
            if !opens {
                continue;
            }
            let b_body = b.trim_start();
            if b_body.starts_with("- ") || b_body == "-" {
                if zero.is_none() {
                    zero = Some(ib == ia);
                }
                if ib > ia && unit.is_none() {
                    unit = Some(ib - ia);
                }
            } else if ib > ia && unit.is_none() {
                unit = Some(ib - ia);
            }
            if unit.is_some() && zero.is_some() {
                break;
            }
        }
        BlockStyle {
            unit: unit.filter(|u| (1..=8).contains(u)).unwrap_or(2),
            zero_indent_lists: zero.unwrap_or(false),
        }
    }
}

/// A value harden adds: rendered in flow style (`[a]`, `{k: v}`) or block style.
#[derive(Clone, Debug, PartialEq)]
enum NewVal {
    /// YAML text of a scalar.
    Text(String),
    /// YAML texts of the items.
    List(Vec<String>),
    Map(Vec<(String, NewVal)>),
}

impl NewVal {
    /// Adds the keys of `other` (two mappings), deeply.
    fn merge(&mut self, other: NewVal) {
        match (self, other) {
            (NewVal::Map(mine), NewVal::Map(theirs)) => {
                for (k, v) in theirs {
                    match mine.iter_mut().find(|(m, _)| *m == k) {
                        Some((_, have)) => have.merge(v),
                        None => mine.push((k, v)),
                    }
                }
            }
            (me, other) => *me = other,
        }
    }

    fn flow(&self) -> String {
        match self {
            NewVal::Text(t) => t.clone(),
            NewVal::List(items) => format!("[{}]", items.join(", ")),
            NewVal::Map(entries) => format!(
                "{{{}}}",
                entries
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.flow()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// The text that follows `key:` when the key sits at indentation `at`: ` scalar`, or lines
    /// each starting with a newline, indented relative to the key's line.
    fn block(&self, at: usize, style: BlockStyle) -> String {
        match self {
            NewVal::Text(t) => format!(" {t}"),
            NewVal::List(items) if items.is_empty() => " []".into(),
            NewVal::List(items) => {
                let pad = " ".repeat(if style.zero_indent_lists {
                    at
                } else {
                    at + style.unit
                });
                items.iter().map(|i| format!("\n{pad}- {i}")).collect()
            }
            NewVal::Map(entries) if entries.is_empty() => " {}".into(),
            NewVal::Map(entries) => {
                let inner = at + style.unit;
                let pad = " ".repeat(inner);
                entries
                    .iter()
                    .map(|(k, v)| format!("\n{pad}{k}:{}", v.block(inner, style)))
                    .collect()
            }
        }
    }
}

/// `block` (relative to indentation 0) for a key at indentation `indent`.
fn indent_block(block: &str, indent: &str) -> String {
    block.replace('\n', &format!("\n{indent}"))
}

/// Service-level limit keys that Compose v2 refuses beside a different
/// `deploy.resources.limits`.
pub const SERVICE_LIMITS: [&str; 3] = ["mem_limit", "cpus", "pids_limit"];

/// Keys of the service mapping that a change writes.
fn change_keys(c: &Change) -> Vec<&'static str> {
    match c {
        Change::DropAllCapabilities => vec!["cap_drop"],
        Change::RemoveCapability { .. } | Change::AddCapability { .. } => vec!["cap_add"],
        Change::SetNoNewPrivileges | Change::RemoveSecurityOpt { .. } => vec!["security_opt"],
        Change::SetUser { .. } => vec!["user"],
        Change::SetReadOnlyRootfs => vec!["read_only"],
        Change::AddTmpfs { .. } | Change::SetTmpfsOwner { .. } => vec!["tmpfs"],
        Change::SetMemory { .. } => vec!["mem_limit", "deploy"],
        Change::SetNanoCpus { .. } => vec!["cpus", "deploy"],
        Change::SetCpuQuota { .. } => vec!["cpu_quota"],
        Change::SetPidsLimit { .. } => vec!["pids_limit", "deploy"],
        Change::BindPortHostIp { .. } | Change::PublishExposedPortsOn { .. } => vec!["ports"],
    }
}

/// A node as one line of flow YAML, scalars quoted when needed (interpolation kept).
fn flow_text(n: &Node) -> String {
    match &n.value {
        Value::Scalar { text, style } => {
            if n.is_null() {
                "null".into()
            } else if *style == crate::frontend::compose::tree::Style::Plain {
                plain_or_quoted(text)
            } else {
                quote(text)
            }
        }
        Value::Seq(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| flow_text(i))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|e| format!("{}: {}", plain_or_quoted(&e.key), flow_text(&e.value)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn set_in_flow_map(item: &Node, key: &str, value: &str) -> String {
    let Some(entries) = item.as_map() else {
        return flow_text(item);
    };
    let mut parts: Vec<String> = entries
        .iter()
        .filter(|e| e.key != key)
        .map(|e| format!("{}: {}", plain_or_quoted(&e.key), flow_text(&e.value)))
        .collect();
    parts.push(format!("{key}: {value}"));
    format!("{{{}}}", parts.join(", "))
}

/// A double-quoted YAML string.
pub fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// Plain when every YAML reader takes it as this same string, else quoted.
pub fn plain_or_quoted(s: &str) -> String {
    let safe_chars = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
        && !s.starts_with(['-', '.']);
    let ambiguous = matches!(
        s.to_ascii_lowercase().as_str(),
        "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null" | "~"
    ) || s.parse::<f64>().is_ok()
        || s.replace('_', "").parse::<f64>().is_ok()
        || (s.starts_with('0') && s.len() > 1);
    if safe_chars && !ambiguous {
        s.to_string()
    } else {
        quote(s)
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

const PLACEHOLDER: &str = "HARDEN_PLACEHOLDER_VALUE_9F2C";

fn route<'a>(path: &'a [Seg]) -> yamlpath::Route<'a> {
    let comps: Vec<yamlpath::Component<'a>> = path
        .iter()
        .map(|s| match s {
            Seg::Key(k) => yamlpath::Component::Key(k.as_ref().into()),
            Seg::Index(i) => yamlpath::Component::Index(*i),
        })
        .collect();
    yamlpath::Route::from(comps)
}

/// Applies edits in order to `text` (whose tree is `root`).
fn apply_edits(text: &str, root: &Node, edits: &[Edit]) -> Result<String, String> {
    let crlf = text.contains("\r\n");
    let mut cur = if crlf {
        text.replace("\r\n", "\n")
    } else {
        text.to_string()
    };
    editable(&cur)?;
    cur = match batch(&cur, root, edits) {
        Some(done) => done,
        None => {
            for e in edits {
                cur =
                    apply_one(&cur, e).map_err(|m| format!("cannot apply {}: {m}", describe(e)))?;
            }
            cur
        }
    };
    if crlf {
        cur = cur.replace('\n', "\r\n");
    }
    Ok(cur)
}

/// Whether the text of a file can be edited at all (checked before any edit is planned).
fn editable(text: &str) -> Result<(), String> {
    if text.contains(PLACEHOLDER) {
        return Err("the file contains harden's placeholder text".into());
    }
    // A lone CR ends a line for the YAML reader but not for the line-based editing.
    if text.replace("\r\n", "\n").contains('\r') {
        return Err("the file has a carriage return that is not part of a CRLF line end".into());
    }
    Ok(())
}

/// A text splice computed against one parse of the document.
struct Splice {
    start: usize,
    end: usize,
    text: String,
    /// Depth of the container edited (deeper content comes first at a shared position).
    depth: usize,
    seq: usize,
    /// An item inserted into a flow collection (`[a, b]`, `{a: b}`): its text without the
    /// separator, so that several insertions at one place get `, ` between them.
    flow_item: Option<String>,
}

/// Below this many services a file is queried as one document.
const BLOCKS_FROM: usize = 16;

/// The documents edits are located in. yamlpath finds a key by scanning its mapping, so in a
/// file with thousands of services every query would scan them all (quadratic: 5,000 services
/// took half a minute). Each service of a block-style `services:` mapping is therefore parsed
/// on its own, as `services:` followed by the service's lines, which gives the same structure
/// for that service; a service whose lines hold an alias (`*x`, `<<: *x`: the anchor may be
/// elsewhere) and every edit outside a service use the whole document.
struct Docs<'t> {
    text: &'t str,
    whole: Option<Option<yamlpath::Document>>,
    /// Service name → byte range of its lines.
    blocks: HashMap<String, (usize, usize)>,
    /// The last service's own document (`None`: use the whole one).
    parsed: HashMap<String, Option<yamlpath::Document>>,
}

const BLOCK_PREFIX: &str = "services:\n";

impl<'t> Docs<'t> {
    fn new(text: &'t str, root: &Node) -> Self {
        Docs {
            text,
            whole: None,
            blocks: service_blocks(text, root).unwrap_or_default(),
            parsed: HashMap::new(),
        }
    }

    /// The document for an edit at `route`, and the offset of its text in the file.
    fn for_route(&mut self, route: &[Seg]) -> Option<(&yamlpath::Document, isize)> {
        let name = match route {
            [Seg::Key(s), Seg::Key(name), ..] if &**s == "services" => Some(name),
            _ => None,
        };
        if let Some(&(start, end)) = name.and_then(|n| self.blocks.get(&**n)) {
            let name = name.cloned().unwrap_or_default();
            let text = self.text;
            // Edits come service by service: keep one service's document at a time (all of
            // them at once took 100 MB for 5,000 services).
            if !self.parsed.contains_key(&*name) {
                self.parsed.clear();
            }
            let doc = self.parsed.entry(name.to_string()).or_insert_with(|| {
                let lines = &text[start..end];
                if lines.contains('*') {
                    return None;
                }
                let mut sub = String::with_capacity(BLOCK_PREFIX.len() + lines.len() + 1);
                sub.push_str(BLOCK_PREFIX);
                sub.push_str(lines);
                doc(&sub).ok()
            });
            if let Some(d) = doc {
                return Some((d, start as isize - BLOCK_PREFIX.len() as isize));
            }
        }
        let text = self.text;
        self.whole
            .get_or_insert_with(|| doc(text).ok())
            .as_ref()
            .map(|d| (d, 0))
    }
}

/// Byte ranges of the lines of each service (from its key's line to the next key's line), when
/// `services` is a block mapping with at least [`BLOCKS_FROM`] services of its own.
fn service_blocks(text: &str, root: &Node) -> Option<HashMap<String, (usize, usize)>> {
    let services = root.entry("services")?;
    if services.merged || services.value.flow {
        return None;
    }
    let entries = services.value.as_map()?;
    if entries.len() < BLOCKS_FROM || entries.iter().any(|e| e.merged || e.key == "<<") {
        return None;
    }
    let mut line_starts = vec![0];
    line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    let start_of = |line: usize| line_starts.get(line.checked_sub(1)?).copied();
    // Where the services mapping ends: the next top-level key after `services`, or the end.
    let after = root
        .as_map()?
        .iter()
        .filter(|e| !e.merged && e.key_pos.line > services.key_pos.line)
        .map(|e| e.key_pos.line)
        .min();
    let end = match after {
        Some(line) => start_of(line)?,
        None => text.len(),
    };
    let mut keys: Vec<(usize, &str)> = entries
        .iter()
        .map(|e| (e.key_pos.line, e.key.as_str()))
        .collect();
    keys.sort();
    let mut blocks = HashMap::with_capacity(keys.len());
    for (i, (line, name)) in keys.iter().enumerate() {
        let s = start_of(*line)?;
        let e = match keys.get(i + 1) {
            Some((next, _)) if next == line => return None, // two keys on one line
            Some((next, _)) => start_of(*next)?,
            None => end,
        };
        if e < s || blocks.insert(name.to_string(), (s, e)).is_some() {
            return None;
        }
    }
    Some(blocks)
}

/// Applies every edit against a single parse (one tree-sitter parse per file, or per service
/// block for large files, instead of one per edit). `None` when an edit needs the sequential
/// path (overlapping edits, a comment inside a flow collection).
fn batch(text: &str, root: &Node, edits: &[Edit]) -> Option<String> {
    let mut docs = Docs::new(text, root);
    let mut splices = Vec::new();
    for (seq, e) in edits.iter().enumerate() {
        let (d, offset) = docs.for_route(edit_route(e))?;
        let mut sp = splice_for(d, e).ok()??;
        sp.start = sp.start.checked_add_signed(offset)?;
        sp.end = sp.end.checked_add_signed(offset)?;
        sp.seq = seq;
        splices.push(sp);
    }
    // Later positions first; at one position the deepest and earliest edit ends up first.
    splices.sort_by(|a, b| {
        b.start
            .cmp(&a.start)
            .then(a.depth.cmp(&b.depth))
            .then(b.seq.cmp(&a.seq))
    });
    // Several items inserted at one place of a flow collection: the first one (in the text)
    // keeps the separator it was computed with, the others follow it after `, `.
    let mut first_flow: HashMap<usize, usize> = HashMap::new();
    for sp in splices.iter().filter(|s| s.flow_item.is_some()) {
        let seq = first_flow.entry(sp.start).or_insert(sp.seq);
        *seq = (*seq).min(sp.seq);
    }
    let mut floor = usize::MAX;
    for sp in &mut splices {
        if sp.end > floor
            || sp.start > sp.end
            || !text.is_char_boundary(sp.start)
            || !text.is_char_boundary(sp.end)
        {
            return None;
        }
        if let Some(item) = &sp.flow_item
            && first_flow.get(&sp.start) != Some(&sp.seq)
        {
            sp.text = format!(", {item}");
        }
        floor = floor.min(sp.start);
    }
    // Applying them from the end backwards is the same as writing them from the start forwards
    // in the reverse order (one copy of the text instead of one per splice).
    let mut out =
        String::with_capacity(text.len() + splices.iter().map(|s| s.text.len()).sum::<usize>());
    let mut at = 0;
    for sp in splices.iter().rev() {
        out.push_str(&text[at..sp.start]);
        out.push_str(&sp.text);
        at = sp.end;
    }
    out.push_str(&text[at..]);
    Some(out)
}

/// The route an edit starts from.
fn edit_route(e: &Edit) -> &[Seg] {
    match e {
        Edit::SetKey { map, .. } => map,
        Edit::Append { list, .. } => list,
        Edit::ReplaceScalar { at, .. } | Edit::RemoveItem { at } => at,
    }
}

/// Where to insert a new item into the flow collection spanning `s..end` of `src` (closed by
/// `close`), and the separator it needs. `None` when a comment sits inside (an insertion after
/// it would be commented out).
fn flow_insert(src: &str, s: usize, end: usize, close: char) -> Option<(usize, &'static str)> {
    let body = &src[s..end];
    if body
        .char_indices()
        .any(|(i, c)| c == '#' && (i == 0 || body[..i].ends_with([' ', '\t', '\n'])))
    {
        return None;
    }
    let close = body.rfind(close).map(|i| s + i)?;
    let before = src[s..close].trim_end();
    let at = s + before.len();
    let sep = if before.ends_with(['[', '{']) {
        ""
    } else if before.ends_with(',') {
        " "
    } else {
        ", "
    };
    Some((at, sep))
}

fn splice_for(d: &yamlpath::Document, e: &Edit) -> Result<Option<Splice>, String> {
    let src = d.source();
    let mk = |start: usize, end: usize, text: String, depth: usize| {
        Ok(Some(Splice {
            start,
            end,
            text,
            depth,
            seq: 0,
            flow_item: None,
        }))
    };
    let flow = |at: usize, sep: &str, item: String, depth: usize| {
        Ok(Some(Splice {
            start: at,
            end: at,
            text: format!("{sep}{item}"),
            depth,
            seq: 0,
            flow_item: Some(item),
        }))
    };
    match e {
        Edit::SetKey {
            map,
            key,
            value,
            block,
        } => {
            let mut key_path = map.clone();
            key_path.push(Seg::Key(key.as_str().into()));
            if d.query_exists(&route(&key_path)) {
                match d
                    .query_exact(&route(&key_path))
                    .map_err(|e| e.to_string())?
                {
                    Some(f) => {
                        let (s, end) = f.location.byte_span;
                        mk(s, end, value.clone(), key_path.len())
                    }
                    None => {
                        let f = d
                            .query_key_only(&route(&key_path))
                            .map_err(|e| e.to_string())?;
                        let end = f.location.byte_span.1;
                        let colon = src[end..]
                            .find(':')
                            .map(|i| end + i + 1)
                            .ok_or("no colon after the key")?;
                        mk(colon, colon, format!(" {value}"), key_path.len())
                    }
                }
            } else {
                let f = if map.is_empty() {
                    d.top_feature().map_err(|e| e.to_string())?
                } else {
                    d.query_exact(&route(map))
                        .map_err(|e| e.to_string())?
                        .ok_or("no mapping there")?
                };
                if f.kind() == yamlpath::FeatureKind::FlowMapping {
                    let (s, end) = f.location.byte_span;
                    return match flow_insert(src, s, end, '}') {
                        Some((at, sep)) => flow(at, sep, format!("{key}: {value}"), map.len()),
                        None => Ok(None),
                    };
                }
                if f.kind() != yamlpath::FeatureKind::BlockMapping {
                    return Ok(None);
                }
                let indent =
                    " ".repeat(yamlpatch::extract_leading_indentation_for_block_item(d, &f));
                let mut entry = match block {
                    Some(b) => format!("\n{indent}{key}:{}", indent_block(b, &indent)),
                    None => format!("\n{indent}{key}: {value}"),
                };
                let ins = yamlpatch::find_content_end(&f, d);
                if ins < f.location.byte_span.1 {
                    entry.push('\n');
                }
                if ins > 0 && src.as_bytes()[ins - 1] == b'\n' {
                    entry.remove(0);
                    if !entry.ends_with('\n') {
                        entry.push('\n');
                    }
                }
                mk(ins, ins, entry, map.len())
            }
        }
        Edit::Append { list, item } => {
            let f = d
                .query_exact(&route(list))
                .map_err(|e| e.to_string())?
                .ok_or("the list is empty")?;
            match f.kind() {
                yamlpath::FeatureKind::BlockSequence => {
                    let indent = yamlpatch::extract_leading_whitespace(d, &f).to_string();
                    let ins = yamlpatch::find_content_end(&f, d);
                    let mut t = String::new();
                    if ins > 0 && src.as_bytes()[ins - 1] != b'\n' {
                        t.push('\n');
                    }
                    t.push_str(&format!("{indent}- {item}"));
                    if ins > 0 && src.as_bytes()[ins - 1] == b'\n' {
                        t.push('\n');
                    }
                    mk(ins, ins, t, list.len())
                }
                yamlpath::FeatureKind::FlowSequence => {
                    let (s, end) = f.location.byte_span;
                    match flow_insert(src, s, end, ']') {
                        Some((at, sep)) => flow(at, sep, item.clone(), list.len()),
                        None => Ok(None),
                    }
                }
                _ => Err("not a list".into()),
            }
        }
        Edit::ReplaceScalar { at, text } => {
            let f = d
                .query_exact(&route(at))
                .map_err(|e| e.to_string())?
                .ok_or("no value there")?;
            if f.kind() != yamlpath::FeatureKind::Scalar {
                return Err("not a scalar".into());
            }
            let (s, end) = f.location.byte_span;
            mk(s, end, text.clone(), at.len())
        }
        Edit::RemoveItem { .. } => {
            // Compute through the sequential code on this document and diff the result.
            let new = apply_one(src, e)?;
            let prefix = src
                .bytes()
                .zip(new.bytes())
                .take_while(|(a, b)| a == b)
                .count();
            let removed = src.len() - new.len();
            if !src.is_char_boundary(prefix) || !src.is_char_boundary(prefix + removed) {
                return Ok(None);
            }
            mk(prefix, prefix + removed, String::new(), 0)
        }
    }
}

fn describe(e: &Edit) -> String {
    match e {
        Edit::SetKey { map, key, .. } => format!("set {}.{key}", route_string(map)),
        Edit::Append { list, .. } => format!("append to {}", route_string(list)),
        Edit::ReplaceScalar { at, .. } => format!("replace {}", route_string(at)),
        Edit::RemoveItem { at } => format!("remove {}", route_string(at)),
    }
}

fn doc(text: &str) -> Result<yamlpath::Document, String> {
    yamlpath::Document::new(text.to_string()).map_err(|e| format!("the YAML cannot be edited: {e}"))
}

fn apply_one(text: &str, e: &Edit) -> Result<String, String> {
    let d = doc(text)?;
    match e {
        Edit::SetKey {
            map,
            key,
            value,
            block,
        } => {
            let mut key_path = map.clone();
            key_path.push(Seg::Key(key.as_str().into()));
            if d.query_exists(&route(&key_path)) {
                match d
                    .query_exact(&route(&key_path))
                    .map_err(|e| e.to_string())?
                {
                    Some(f) => {
                        let (s, end) = f.location.byte_span;
                        let src = d.source();
                        // A value with an anchor keeps it.
                        let anchor = anchor_before(src, s);
                        Ok(format!("{}{anchor}{value}{}", &src[..s], &src[end..]))
                    }
                    None => {
                        // `key:` with no value.
                        let f = d
                            .query_key_only(&route(&key_path))
                            .map_err(|e| e.to_string())?;
                        let src = d.source();
                        let end = f.location.byte_span.1;
                        let colon = src[end..]
                            .find(':')
                            .map(|i| end + i + 1)
                            .ok_or("no colon after the key")?;
                        Ok(format!("{} {value}{}", &src[..colon], &src[colon..]))
                    }
                }
            } else {
                let patch = yamlpatch::Patch {
                    route: route(map),
                    operation: yamlpatch::Op::Add {
                        key: key.clone(),
                        value: yaml_serde::Value::String(PLACEHOLDER.into()),
                    },
                };
                let out = yamlpatch::apply_yaml_patches(&d, &[patch]).map_err(|e| e.to_string())?;
                let s = out.source();
                if s.matches(PLACEHOLDER).count() != 1 {
                    return Err("unexpected result of adding a key".into());
                }
                // In a block mapping (the key starts its line) the block form, else flow.
                let at = s.find(PLACEHOLDER).unwrap_or(0);
                let line_start = s[..at].rfind('\n').map(|i| i + 1).unwrap_or(0);
                let line = &s[line_start..at];
                let indent = &line[..line.len() - line.trim_start_matches(' ').len()];
                let own_line = line.trim_start().starts_with(&format!("{key}:"));
                match block {
                    Some(b) if own_line && s[at..].starts_with(PLACEHOLDER) => {
                        let before = s[..at].trim_end_matches(' ');
                        Ok(format!(
                            "{before}{}{}",
                            indent_block(b, indent),
                            &s[at + PLACEHOLDER.len()..]
                        ))
                    }
                    _ => Ok(s.replace(PLACEHOLDER, value)),
                }
            }
        }
        Edit::Append { list, item } => {
            let f = d
                .query_exact(&route(list))
                .map_err(|e| e.to_string())?
                .ok_or("the list is empty")?;
            match f.kind() {
                yamlpath::FeatureKind::BlockSequence => {
                    let patch = yamlpatch::Patch {
                        route: route(list),
                        operation: yamlpatch::Op::Append {
                            value: yaml_serde::Value::String(PLACEHOLDER.into()),
                        },
                    };
                    let out =
                        yamlpatch::apply_yaml_patches(&d, &[patch]).map_err(|e| e.to_string())?;
                    let s = out.source();
                    if s.matches(PLACEHOLDER).count() != 1 {
                        return Err("unexpected result of appending".into());
                    }
                    Ok(s.replace(PLACEHOLDER, item))
                }
                yamlpath::FeatureKind::FlowSequence => {
                    let (s, end) = f.location.byte_span;
                    let src = d.source();
                    let close = src[s..end].rfind(']').map(|i| s + i).ok_or("no `]`")?;
                    let before = src[s..close].trim_end();
                    let insert_at = s + before.len();
                    let sep = if before.ends_with('[') {
                        ""
                    } else if before.ends_with(',') {
                        " "
                    } else {
                        ", "
                    };
                    Ok(format!(
                        "{}{sep}{item}{}",
                        &src[..insert_at],
                        &src[insert_at..]
                    ))
                }
                _ => Err("not a list".into()),
            }
        }
        Edit::ReplaceScalar { at, text: new } => {
            let f = d
                .query_exact(&route(at))
                .map_err(|e| e.to_string())?
                .ok_or("no value there")?;
            if f.kind() != yamlpath::FeatureKind::Scalar {
                return Err("not a scalar".into());
            }
            let (s, end) = f.location.byte_span;
            let src = d.source();
            Ok(format!("{}{new}{}", &src[..s], &src[end..]))
        }
        Edit::RemoveItem { at } => {
            let (parent, _) = at.split_at(at.len() - 1);
            let pf = d
                .query_exact(&route(parent))
                .map_err(|e| e.to_string())?
                .ok_or("no list there")?;
            let item = d
                .query_exact(&route(at))
                .map_err(|e| e.to_string())?
                .ok_or("no item there")?;
            let src = d.source();
            let (s, end) = item.location.byte_span;
            match pf.kind() {
                yamlpath::FeatureKind::BlockSequence => {
                    // The whole line(s) of the item, from its `-`.
                    let line_start = src[..s].rfind('\n').map(|i| i + 1).unwrap_or(0);
                    if !src[line_start..s].trim_start().starts_with('-')
                        || src[line_start..s].trim() != "-"
                    {
                        return Err("the item shares its line with other content".into());
                    }
                    let line_end = src[end..]
                        .find('\n')
                        .map(|i| end + i + 1)
                        .unwrap_or(src.len());
                    let tail = src[end..line_end].trim();
                    if !(tail.is_empty() || tail.starts_with('#')) {
                        return Err("the item shares its line with other content".into());
                    }
                    Ok(format!("{}{}", &src[..line_start], &src[line_end..]))
                }
                yamlpath::FeatureKind::FlowSequence => {
                    let after = &src[end..];
                    let ws = after.len() - after.trim_start().len();
                    if after[ws..].starts_with(',') {
                        let after2 = &after[ws + 1..];
                        let ws2 = after2.len() - after2.trim_start_matches([' ', '\t']).len();
                        Ok(format!("{}{}", &src[..s], &src[end + ws + 1 + ws2..]))
                    } else {
                        let before = src[..s].trim_end();
                        let start = if before.ends_with(',') {
                            before.len() - 1
                        } else {
                            s
                        };
                        Ok(format!("{}{}", &src[..start], &src[end..]))
                    }
                }
                _ => Err("not a list".into()),
            }
        }
    }
}

/// `&name ` immediately before a value span is part of the value node in tree-sitter's view
/// only sometimes; keep the source as it is (nothing to add).
fn anchor_before(_src: &str, _at: usize) -> &'static str {
    ""
}

/// The patched text must parse, keep the file's services (same names, still mappings) and
/// keep every comment line of the original.
fn verify(original: &str, original_root: &Node, new: &str) -> Result<(), String> {
    let root = crate::frontend::compose::tree::parse(new)
        .map_err(|e| {
            format!(
                "the fixed file would not parse ({}:{}: {}); nothing written",
                e.pos.line, e.pos.column, e.message
            )
        })?
        .ok_or("the fixed file would be empty; nothing written")?;
    // Edits are placed by lines; where the YAML reader sees the structure differently (it
    // breaks lines at a lone CR too) an edit can land in the wrong mapping and still parse.
    let services = |root: &Node| -> Vec<(String, bool)> {
        root.get("services")
            .and_then(|s| s.as_map())
            .map(|m| {
                m.iter()
                    .map(|e| (e.key.clone(), e.value.as_map().is_some()))
                    .collect()
            })
            .unwrap_or_default()
    };
    if services(original_root) != services(&root) {
        return Err(
            "the fix would change the file's services, not only their settings; nothing written"
                .into(),
        );
    }
    // Every comment line of the original is still there (as a multiset of lines).
    let mut remaining: HashMap<&str, usize> = HashMap::new();
    for l in new.lines() {
        *remaining.entry(l.trim()).or_default() += 1;
    }
    for line in original
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('#'))
    {
        match remaining.get_mut(line) {
            Some(n) if *n > 0 => *n -= 1,
            _ => {
                return Err(format!(
                    "the fix would lose the comment `{line}`; nothing written"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn project(text: &str) -> Project {
        Project::from_texts(
            vec![(PathBuf::from("c.yaml"), text.to_string())],
            PathBuf::from("."),
            Env::default(),
        )
        .unwrap()
    }

    fn run(text: &str, service: &str, changes: Vec<Change>) -> (String, Vec<Result<(), String>>) {
        let p = project(text);
        let reqs: Vec<Request> = changes
            .into_iter()
            .map(|change| Request {
                service: service.into(),
                rule: "t",
                change,
            })
            .collect();
        let f = fix(&p, &reqs).unwrap();
        let out = f.texts.get(&0).cloned().unwrap_or_else(|| text.to_string());
        (out, f.results.into_iter().map(|(_, r)| r).collect())
    }

    fn all_basic() -> Vec<Change> {
        vec![
            Change::DropAllCapabilities,
            Change::SetNoNewPrivileges,
            Change::SetUser {
                user: "65534:65534".into(),
            },
            Change::SetReadOnlyRootfs,
            Change::AddTmpfs {
                path: "/tmp".into(),
                options: "rw,size=64m".into(),
            },
            Change::AddTmpfs {
                path: "/run".into(),
                options: String::new(),
            },
            Change::SetMemory { bytes: 512 << 20 },
            Change::SetNanoCpus {
                nano_cpus: 500_000_000,
            },
            Change::SetPidsLimit { limit: 256 },
        ]
    }

    #[test]
    fn adds_keys_to_a_block_service() {
        let src = "services:\n  web:\n    image: nginx # the image\n    # trailing comment\n  db:\n    image: postgres\n";
        let (out, res) = run(src, "web", all_basic());
        assert!(res.iter().all(|r| r.is_ok()), "{res:?}");
        insta::assert_snapshot!(out, @r#"
        services:
          web:
            image: nginx # the image
            user: "65534:65534"
            read_only: true
            deploy:
              resources:
                limits:
                  memory: 512m
                  cpus: "0.5"
                  pids: 256
            cap_drop:
              - ALL
            security_opt:
              - "no-new-privileges:true"
            tmpfs:
              - "/tmp:rw,size=64m"
              - /run
            # trailing comment
          db:
            image: postgres
        "#);
    }

    #[test]
    fn edits_existing_keys_and_lists_in_their_style() {
        let src = "services:\n  web:\n    image: x\n    read_only: false\n    user: root\n    cap_drop: [NET_RAW]\n    security_opt:\n      - seccomp:unconfined # why\n      - label:disable\n    tmpfs: /run\n";
        let (out, res) = run(
            src,
            "web",
            vec![
                Change::DropAllCapabilities,
                Change::SetReadOnlyRootfs,
                Change::SetUser {
                    user: "1000".into(),
                },
                Change::RemoveSecurityOpt {
                    option: "label:disable".into(),
                },
                Change::SetNoNewPrivileges,
                Change::AddTmpfs {
                    path: "/tmp".into(),
                    options: String::new(),
                },
            ],
        );
        assert!(res.iter().all(|r| r.is_ok()), "{res:?}");
        insta::assert_snapshot!(out, @r#"
        services:
          web:
            image: x
            read_only: true
            user: "1000"
            cap_drop: [NET_RAW, ALL]
            security_opt:
              - seccomp:unconfined # why
              - "no-new-privileges:true"
            tmpfs: [/run, /tmp]
        "#);
    }

    #[test]
    fn merged_keys_are_overridden_on_the_service() {
        let src = "x-common: &common\n  user: root\n  security_opt: [seccomp=unconfined]\nservices:\n  a:\n    <<: *common\n    image: x\n  b:\n    <<: *common\n    image: y\n";
        let (out, res) = run(
            src,
            "a",
            vec![
                Change::SetUser {
                    user: "1000".into(),
                },
                Change::RemoveSecurityOpt {
                    option: "seccomp=unconfined".into(),
                },
            ],
        );
        assert!(res.iter().all(|r| r.is_ok()), "{res:?}");
        insta::assert_snapshot!(out, @r#"
        x-common: &common
          user: root
          security_opt: [seccomp=unconfined]
        services:
          a:
            <<: *common
            image: x
            user: "1000"
            security_opt: []
          b:
            <<: *common
            image: y
        "#);
    }

    #[test]
    fn ports_short_long_and_variables() {
        let env = Env {
            vars: [("P".to_string(), "8080".to_string())].into(),
        };
        let b = |raw: &str| bind_short_port(raw, "127.0.0.1", &env);
        assert_eq!(b("80").unwrap(), "127.0.0.1::80");
        assert_eq!(b("8080:80/udp").unwrap(), "127.0.0.1:8080:80/udp");
        assert_eq!(b("0.0.0.0:8080:80").unwrap(), "127.0.0.1:8080:80");
        assert_eq!(b(":8080:80").unwrap(), "127.0.0.1:8080:80");
        assert_eq!(b("[::]:8080:80").unwrap(), "127.0.0.1:8080:80");
        assert_eq!(b("${P}:80").unwrap(), "127.0.0.1:${P}:80");
        assert!(b("${UNSET}:80").is_err());
        assert_eq!(
            b("${BIND:-}:${P:-443}:443").unwrap(),
            "${BIND:-127.0.0.1}:${P:-443}:443"
        );
        assert!(b("10.0.0.1:80:80").is_err());
        assert_eq!(
            bind_short_port("80:80", "::1", &env).unwrap(),
            "[::1]:80:80"
        );

        let src = "services:\n  web:\n    image: x\n    ports:\n      - \"8080:80\"\n      - 443\n      - target: 22\n        published: 2222\n";
        let p = project(src);
        let spec = crate::frontend::compose::spec::service_spec(&p, &p.services[0]).spec;
        let changes = spec
            .ports
            .iter()
            .map(|port| Change::BindPortHostIp {
                container_port: port.value.container_port.clone(),
                protocol: port.value.protocol.clone(),
                host_port: port.value.host_port.clone(),
                ip: "127.0.0.1".into(),
                origin: port.origin.clone(),
            })
            .collect();
        let (out, res) = run(src, "web", changes);
        assert!(res.iter().all(|r| r.is_ok()), "{res:?}");
        insta::assert_snapshot!(out, @r#"
        services:
          web:
            image: x
            ports:
              - "127.0.0.1:8080:80"
              - "127.0.0.1::443"
              - target: 22
                published: 2222
                host_ip: 127.0.0.1
        "#);
    }

    #[test]
    fn crlf_and_flow_services() {
        let src = "services:\r\n  web: {image: x}\r\n";
        let (out, res) = run(src, "web", vec![Change::SetReadOnlyRootfs]);
        assert!(res[0].is_ok());
        assert!(out.contains("read_only: true"));
        assert!(out.contains("\r\n"));
        assert!(!out.replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn shared_service_anchor_needs_the_same_change_everywhere() {
        let src = "services:\n  a: &a\n    image: x\n  b:\n    <<: *a\n    image: y\n";
        let p = project(src);
        let req = |s: &str| Request {
            service: s.into(),
            rule: "t",
            change: Change::SetReadOnlyRootfs,
        };
        let f = fix(&p, &[req("a")]).unwrap();
        assert!(f.results[0].1.is_err());
        assert!(f.texts.is_empty());
        let f = fix(&p, &[req("a"), req("b")]).unwrap();
        assert!(f.results.iter().all(|(_, r)| r.is_ok()));
        let out = &f.texts[&0];
        assert_eq!(out.matches("read_only: true").count(), 2, "{out}");
    }

    #[test]
    fn override_files_get_the_edit_where_the_key_is() {
        let p = Project::from_texts(
            vec![
                (
                    PathBuf::from("a.yaml"),
                    "services:\n  web:\n    image: x\n".into(),
                ),
                (
                    PathBuf::from("b.yaml"),
                    "services:\n  web:\n    read_only: false\n".into(),
                ),
            ],
            PathBuf::from("."),
            Env::default(),
        )
        .unwrap();
        let req = |change| Request {
            service: "web".into(),
            rule: "t",
            change,
        };
        let f = fix(
            &p,
            &[
                req(Change::SetReadOnlyRootfs),
                req(Change::DropAllCapabilities),
            ],
        )
        .unwrap();
        assert_eq!(f.texts[&1], "services:\n  web:\n    read_only: true\n");
        assert_eq!(
            f.texts[&0],
            "services:\n  web:\n    image: x\n    cap_drop:\n      - ALL\n"
        );
    }

    #[test]
    fn several_items_into_an_empty_flow_list() {
        // Each insertion was computed against the original `[]`, so both got no separator and
        // the result did not parse: every fix of the file was refused.
        let text = "services:\n  web:\n    image: x\n    tmpfs: []\n    security_opt: []\n";
        let (out, res) = run(
            text,
            "web",
            vec![
                Change::AddTmpfs {
                    path: "/tmp".into(),
                    options: "rw".into(),
                },
                Change::AddTmpfs {
                    path: "/run".into(),
                    options: "rw".into(),
                },
                Change::SetNoNewPrivileges,
            ],
        );
        assert!(res.iter().all(|r| r.is_ok()), "{res:?}");
        assert!(
            out.contains("    security_opt: [\"no-new-privileges:true\"]\n"),
            "{out}"
        );
        assert!(
            out.contains("    tmpfs: [\"/tmp:rw\", \"/run:rw\"]\n"),
            "{out}"
        );
    }

    #[test]
    fn keys_into_flow_mappings_are_one_batch() {
        let text = "services:\n  a: {}\n  b: { image: \"pg:1\" }\n  c: {image: x,}\n";
        let edits = |m: &str| {
            vec![
                Edit::SetKey {
                    map: service_path(m),
                    key: "read_only".into(),
                    value: "true".into(),
                    block: None,
                },
                Edit::SetKey {
                    map: service_path(m),
                    key: "pids_limit".into(),
                    value: "256".into(),
                    block: None,
                },
            ]
        };
        let all: Vec<Edit> = ["a", "b", "c"].iter().flat_map(|m| edits(m)).collect();
        let p = project(text);
        let out = batch(text, &p.files[0].root, &all).expect("one batch");
        assert_eq!(
            out,
            "services:\n  a: {read_only: true, pids_limit: 256}\n  b: { image: \"pg:1\", read_only: true, pids_limit: 256 }\n  c: {image: x, read_only: true, pids_limit: 256}\n"
        );
        // A comment inside a flow mapping: not batched (the insertion would be commented out).
        let commented = "services:\n  a: {image: x # c\n  }\n";
        let p = project(commented);
        assert_eq!(batch(commented, &p.files[0].root, &edits("a")), None);
    }

    /// Large files locate each service's edits in that service's own lines; the text must be the
    /// same as when the whole document is queried (files with fewer services).
    #[test]
    fn per_service_documents_give_the_same_text() {
        let service = |i: usize| {
            let mut s = format!("  # service {i}\n  svc{i}:\n    image: app:{i}\n");
            match i % 4 {
                0 => s.push_str("    ports:\n      - \"80:80\"\n    cap_add: [NET_ADMIN]\n"),
                1 => s.push_str(
                    "    security_opt:\n      - no-new-privileges:false\n    tmpfs: []\n",
                ),
                2 => s.push_str(
                    "    environment:\n      A: b  # keep\n    volumes:\n      - ./d:/d\n",
                ),
                _ => {}
            }
            if i == 7 {
                s = format!("  svc{i}: {{ image: \"r:1\", ports: [\"6379:6379\"] }}\n");
            }
            s
        };
        let preset = crate::preset::Preset::builtin("default").unwrap();
        let fixed = |text: &str| {
            let p = project(text);
            let reqs =
                crate::session::compose::requests(&crate::session::compose::lint(&p, &preset, &[]));
            fix(&p, &reqs)
                .unwrap()
                .texts
                .get(&0)
                .cloned()
                .unwrap_or_else(|| text.to_string())
        };
        let n = BLOCKS_FROM * 2;
        let big: String = format!(
            "name: x\nservices:\n{}volumes:\n  d: {{}}\n",
            (0..n).map(service).collect::<String>()
        );
        let p = project(&big);
        assert_eq!(service_blocks(&big, &p.files[0].root).unwrap().len(), n);
        let whole = fixed(&big);
        // Each service fixed in a file of its own (queried as one document).
        let mut expected = String::from("name: x\nservices:\n");
        for i in 0..n {
            let alone = format!("services:\n{}", service(i));
            expected.push_str(fixed(&alone).strip_prefix("services:\n").unwrap());
        }
        expected.push_str("volumes:\n  d: {}\n");
        assert_eq!(whole, expected);
    }

    #[test]
    fn lone_carriage_returns_are_not_edited() {
        // Found by the compose_fix fuzzer: `latest:\r    image: …` is a nested mapping for the
        // YAML reader, but the editor saw one line and appended the service's new keys to
        // `services` itself (the result parsed, with `services.user: "65534:65534"`).
        let text = "services:\n  app:\n    image: nginx\n  latest:\r    image: nginx:1\n";
        let p = project(text);
        let req = |change| Request {
            service: "latest".into(),
            rule: "t",
            change,
        };
        let e = fix(&p, &[req(Change::SetReadOnlyRootfs)]).unwrap_err();
        assert!(e.message.contains("carriage return"), "{e}");
        // CRLF files are still fixed.
        let crlf = "services:\r\n  web:\r\n    image: x\r\n";
        let (out, _) = run(crlf, "web", vec![Change::SetReadOnlyRootfs]);
        assert_eq!(
            out,
            "services:\r\n  web:\r\n    image: x\r\n    read_only: true\r\n"
        );
    }

    #[test]
    fn verify_refuses_changed_services() {
        let original = "services:\n  a:\n    image: x\n";
        let root = crate::frontend::compose::tree::parse(original)
            .unwrap()
            .unwrap();
        assert!(
            verify(
                original,
                &root,
                "services:\n  a:\n    image: x\n    read_only: true\n"
            )
            .is_ok()
        );
        let e = verify(
            original,
            &root,
            "services:\n  a:\n    image: x\n  user: \"1\"\n",
        )
        .unwrap_err();
        assert!(e.contains("would change the file's services"), "{e}");
        let e = verify(original, &root, "services:\n  a: x\n").unwrap_err();
        assert!(e.contains("would change the file's services"), "{e}");
    }

    #[test]
    fn quoting() {
        assert_eq!(plain_or_quoted("ALL"), "ALL");
        assert_eq!(plain_or_quoted("yes"), "\"yes\"");
        assert_eq!(plain_or_quoted("0755"), "\"0755\"");
        assert_eq!(plain_or_quoted("1_000"), "\"1_000\"");
        assert_eq!(plain_or_quoted("22:22"), "\"22:22\"");
    }
}
