//! The NetworkingConfig of docker/cli's `parse()`: `parseNetworkOpts` and the endpoint of the
//! main network, whose MAC address older daemons read from the Config.

use super::{err, some_vec};
use crate::frontend::argv::values::{self, NetworkAttachment};
use crate::frontend::argv::{ArgvError, Parsed};
use crate::parse::gocompat::{self, valid_mac};
use bollard::models::{EndpointIpamConfig, EndpointSettings};

/// Endpoints by network name, first network first.
pub(super) type Endpoints = Vec<(String, EndpointSettings)>;

/// The endpoints and the MAC address of the main network's endpoint.
pub(super) fn networking(
    p: &Parsed,
    network_mode: &str,
) -> Result<(Endpoints, Option<String>), ArgvError> {
    let endpoints = parse_network_opts(p)?;
    let main_name = values::network_name(network_mode);
    let config_mac = endpoints
        .iter()
        .find(|(k, _)| *k == main_name)
        .and_then(|(_, e)| e.mac_address.clone())
        .filter(|m| !m.is_empty());
    Ok((endpoints, config_mac))
}

/// The network a `--network` value names (`default` when it names none).
pub(super) fn network_target(value: &str) -> String {
    values::parse_network(value)
        .map(|n| n.target)
        .unwrap_or_default()
}

/// `parseNetworkOpts` + `applyContainerOptions` + `parseNetworkAttachmentOpt`: endpoints in
/// order (first network first).
fn parse_network_opts(p: &Parsed) -> Result<Endpoints, ArgvError> {
    let nets: Vec<NetworkAttachment> = p
        .all("network")
        .filter_map(|o| values::parse_network(o.value_str()).ok())
        .collect();
    let mut endpoints: Endpoints = Vec::new();
    let (mut has_user, mut has_non_user) = (false, false);
    if nets.is_empty() {
        let mut n = NetworkAttachment {
            target: "default".into(),
            ..Default::default()
        };
        apply_container_options(&mut n, p)?;
        endpoints.push(("default".into(), attachment_endpoint(&n)?));
    }
    let count = nets.len();
    for (i, mut n) in nets.into_iter().enumerate() {
        if values::is_user_defined_network(&n.target) {
            has_user = true;
        } else {
            has_non_user = true;
        }
        if i == 0 {
            apply_container_options(&mut n, p)?;
        }
        let ep = attachment_endpoint(&n)?;
        if endpoints.iter().any(|(k, _)| *k == n.target) {
            return Err(err(format!(
                "network {} is specified multiple times",
                gocompat::quote(&n.target)
            )));
        }
        if i == 0 && count == 1 && ep == EndpointSettings::default() {
            continue;
        }
        endpoints.push((n.target.clone(), ep));
    }
    if has_user && has_non_user {
        return Err(err(
            "conflicting options: cannot attach both user-defined and non-user-defined network-modes",
        ));
    }
    Ok(endpoints)
}

fn apply_container_options(n: &mut NetworkAttachment, p: &Parsed) -> Result<(), ArgvError> {
    let aliases = p.list("network-alias");
    let links = p.list("link");
    let ip = p.string("ip", "");
    let ip6 = p.string("ip6", "");
    let mac = p.string("mac-address", "");
    let lla = p.list("link-local-ip");
    let conflict = |what: &str| err(format!("conflicting options: cannot specify both {what}"));
    if !n.aliases.is_empty() && !aliases.is_empty() {
        return Err(conflict("--network-alias and per-network alias"));
    }
    if !n.links.is_empty() && !links.is_empty() {
        return Err(conflict("--link and per-network links"));
    }
    if !n.ipv4_address.is_empty() && !ip.is_empty() {
        return Err(conflict("--ip and per-network IPv4 address"));
    }
    if !n.ipv6_address.is_empty() && !ip6.is_empty() {
        return Err(conflict("--ip6 and per-network IPv6 address"));
    }
    if !n.mac_address.is_empty() && !mac.is_empty() {
        return Err(conflict("--mac-address and per-network MAC address"));
    }
    if !n.link_local_ips.is_empty() && !lla.is_empty() {
        return Err(conflict(
            "--link-local-ip and per-network link-local IP addresses",
        ));
    }
    if !aliases.is_empty() {
        n.aliases = aliases;
    }
    if values::is_user_defined_network(&n.target) && !links.is_empty() {
        n.links = links;
    }
    if !ip.is_empty() {
        n.ipv4_address = ip;
    }
    if !ip6.is_empty() {
        n.ipv6_address = ip6;
    }
    if !mac.is_empty() {
        n.mac_address = mac;
    }
    if !lla.is_empty() {
        n.link_local_ips = lla;
    }
    Ok(())
}

fn attachment_endpoint(n: &NetworkAttachment) -> Result<EndpointSettings, ArgvError> {
    if n.target.trim().is_empty() {
        return Err(err("no name set for network"));
    }
    if !values::is_user_defined_network(&n.target) {
        if !n.aliases.is_empty() {
            return Err(err(
                "network-scoped aliases are only supported for user-defined networks",
            ));
        }
        if !n.links.is_empty() {
            return Err(err("links are only supported for user-defined networks"));
        }
    }
    let mut ep = EndpointSettings {
        gw_priority: (n.gw_priority != 0).then_some(n.gw_priority),
        aliases: some_vec(n.aliases.clone()),
        ..Default::default()
    };
    if !n.driver_opts.is_empty() {
        ep.driver_opts = Some(n.driver_opts.clone().into_iter().collect());
    }
    if !n.links.is_empty() {
        ep.links = Some(n.links.clone());
    }
    if !n.ipv4_address.is_empty() || !n.ipv6_address.is_empty() || !n.link_local_ips.is_empty() {
        ep.ipam_config = Some(EndpointIpamConfig {
            ipv4_address: Some(n.ipv4_address.clone()).filter(|s| !s.is_empty()),
            ipv6_address: Some(n.ipv6_address.clone()).filter(|s| !s.is_empty()),
            link_local_ips: some_vec(n.link_local_ips.clone()),
        });
    }
    if !n.mac_address.is_empty() {
        if !valid_mac(n.mac_address.trim()) {
            return Err(err(format!("{} is not a valid mac address", n.mac_address)));
        }
        ep.mac_address = Some(n.mac_address.clone());
    }
    Ok(ep)
}
