//! How the talent's phone reaches this machine on Rehearsal. The QR names one address; when
//! that is loopback, a VPN tunnel, a virtual bridge or nothing at all, no phone on the studio
//! Wi-Fi can open it, and the operator would watch "Waiting…" for two minutes. So the address
//! in use is always shown, with a warning in words when phones cannot use it, and the choice
//! when this machine has several.

use std::net::{IpAddr, Ipv4Addr};

use serde::Serialize;

/// What kind of address an interface has, as far as a phone on the Wi-Fi is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum AddressKind {
    /// A network address other devices can reach (the studio Wi-Fi or wired LAN).
    Lan,
    /// This computer only (127.0.0.1).
    Loopback,
    /// A VPN tunnel: phones on the Wi-Fi are not on it.
    Vpn,
    /// A bridge for containers or virtual machines on this computer.
    Virtual,
    /// A self-assigned address (169.254.x.x): the network gave none.
    LinkLocal,
}

impl AddressKind {
    pub fn phones_can_reach(self) -> bool {
        self == AddressKind::Lan
    }
}

/// One of this machine's addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LocalAddress {
    pub ip: String,
    /// The network interface (`wlan0`, `eth0`, `wg0`, …).
    pub interface: String,
    pub kind: AddressKind,
}

/// The address in the phone's QR and what the operator should know about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PhoneReach {
    /// The host the phone page is served at this run.
    pub host: String,
    pub kind: AddressKind,
    /// This machine's addresses a phone could use, for the choice (Settings keeps it).
    pub choices: Vec<LocalAddress>,
    /// Why phones cannot open the QR, and what to do; `None` when they can.
    pub warning: Option<String>,
}

/// Interface names that are tunnels or virtual bridges whatever their address says.
const VPN_PREFIXES: &[&str] = &[
    "tun",
    "tap",
    "wg",
    "utun",
    "tailscale",
    "zt",
    "ppp",
    "ipsec",
    "nordlynx",
    "proton",
];
const VIRTUAL_PREFIXES: &[&str] = &["docker", "br-", "virbr", "veth", "vmnet", "vboxnet", "lxc"];

/// Classifies an address by its interface and range.
pub fn classify(ip: IpAddr, interface: &str, point_to_point: bool) -> AddressKind {
    let name = interface.to_ascii_lowercase();
    if ip.is_loopback() {
        return AddressKind::Loopback;
    }
    if point_to_point || VPN_PREFIXES.iter().any(|p| name.starts_with(p)) || is_cgnat(ip) {
        return AddressKind::Vpn;
    }
    if VIRTUAL_PREFIXES.iter().any(|p| name.starts_with(p)) {
        return AddressKind::Virtual;
    }
    match ip {
        IpAddr::V4(v4) if v4.is_link_local() => AddressKind::LinkLocal,
        IpAddr::V6(v6) if v6.segments()[0] & 0xffc0 == 0xfe80 => AddressKind::LinkLocal,
        _ => AddressKind::Lan,
    }
}

/// 100.64.0.0/10: carrier-grade NAT, which Tailscale and similar overlays hand out.
fn is_cgnat(ip: IpAddr) -> bool {
    matches!(ip, IpAddr::V4(v4) if v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64)
}

/// This machine's IPv4 addresses, as the OS lists them. Phones scan IPv4 links reliably;
/// IPv6 LAN addresses change and are rarely what a studio router hands a phone.
pub fn local_addresses() -> Vec<LocalAddress> {
    let interfaces = if_addrs::get_if_addrs().unwrap_or_else(|e| {
        tracing::warn!(error = %e, "could not list network interfaces");
        Vec::new()
    });
    let mut out: Vec<LocalAddress> = interfaces
        .into_iter()
        .filter(|i| i.ip().is_ipv4())
        .map(|i| LocalAddress {
            ip: i.ip().to_string(),
            kind: classify(i.ip(), &i.name, i.is_p2p()),
            interface: i.name,
        })
        .collect();
    out.sort_by_key(|a| (!a.kind.phones_can_reach(), a.interface.clone()));
    out.dedup_by(|a, b| a.ip == b.ip);
    out
}

/// The address the OS would route LAN traffic from. Connecting a UDP socket sends nothing; it
/// only asks which interface would reach that (documentation-range) address.
pub fn routed_address() -> Option<IpAddr> {
    std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| {
            s.connect("192.0.2.1:9")?;
            s.local_addr()
        })
        .map(|a| a.ip())
        .ok()
        .filter(|ip| !ip.is_unspecified())
}

impl PhoneReach {
    /// What this machine offers now, for `host` (the set one, or the one chosen by default).
    pub fn detect(host: &str) -> PhoneReach {
        PhoneReach::assess(host, local_addresses())
    }

    /// The default host: the routed address when phones can reach it, else the first LAN
    /// address, else the routed one anyway (the warning then says why it will not work), else
    /// loopback.
    pub fn default_host() -> String {
        let addresses = local_addresses();
        let routed = routed_address().map(|ip| ip.to_string());
        let reachable = |ip: &str| {
            addresses
                .iter()
                .any(|a| a.ip == ip && a.kind.phones_can_reach())
        };
        match routed {
            Some(r) if reachable(&r) => r,
            routed => addresses
                .iter()
                .find(|a| a.kind.phones_can_reach())
                .map(|a| a.ip.clone())
                .or(routed)
                .unwrap_or_else(|| Ipv4Addr::LOCALHOST.to_string()),
        }
    }

    /// Judges `host` against `addresses` (this machine's, from [`local_addresses`]).
    pub fn assess(host: &str, addresses: Vec<LocalAddress>) -> PhoneReach {
        let known = addresses.iter().find(|a| a.ip == host).cloned();
        let kind = match (&known, host.parse::<IpAddr>()) {
            _ if host == "localhost" => AddressKind::Loopback,
            (Some(a), _) => a.kind,
            (None, Ok(ip)) => classify(ip, "", false),
            // A host name: the operator typed it for their network; trust it.
            (None, Err(_)) => AddressKind::Lan,
        };
        let choices: Vec<LocalAddress> = addresses
            .into_iter()
            .filter(|a| a.kind.phones_can_reach())
            .collect();
        let interface = known.as_ref().map(|a| a.interface.as_str());
        let warning = warning(host, kind, interface, &choices);
        PhoneReach {
            host: host.to_string(),
            kind,
            choices,
            warning,
        }
    }
}

fn warning(
    host: &str,
    kind: AddressKind,
    interface: Option<&str>,
    choices: &[LocalAddress],
) -> Option<String> {
    let on = interface.map(|i| format!(" ({i})")).unwrap_or_default();
    let instead = match choices.first() {
        Some(c) => format!(
            " Choose {} ({}) under \"Phones reach this computer at\".",
            c.ip, c.interface
        ),
        None => " Connect this computer to the studio Wi-Fi (the talent's phone must be on the same network), then restart Rehearsal.".to_string(),
    };
    let why = match kind {
        AddressKind::Lan => return None,
        AddressKind::Loopback if choices.is_empty() => "No network address found: phones cannot open the QR, which points at this computer only (127.0.0.1).".to_string(),
        AddressKind::Loopback => format!("Phones cannot open the QR: it points at {host}, this computer only."),
        AddressKind::Vpn => format!("Phones cannot open the QR: {host}{on} is a VPN address, and phones on the studio Wi-Fi are not on the VPN."),
        AddressKind::Virtual => format!("Phones cannot open the QR: {host}{on} belongs to a virtual network inside this computer."),
        AddressKind::LinkLocal => format!("Phones cannot open the QR: {host}{on} is self-assigned; the network gave this computer no address."),
    };
    Some(format!("{why}{instead}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(ip: &str, interface: &str) -> LocalAddress {
        LocalAddress {
            ip: ip.into(),
            interface: interface.into(),
            kind: classify(ip.parse().unwrap(), interface, false),
        }
    }

    #[test]
    fn addresses_are_classified_by_interface_and_range() {
        let kind = |ip: &str, i: &str| classify(ip.parse().unwrap(), i, false);
        assert_eq!(kind("127.0.0.1", "lo"), AddressKind::Loopback);
        assert_eq!(kind("192.168.1.20", "wlan0"), AddressKind::Lan);
        assert_eq!(kind("10.8.0.2", "wg0"), AddressKind::Vpn);
        assert_eq!(kind("10.8.0.2", "tun0"), AddressKind::Vpn);
        assert_eq!(kind("100.101.1.2", "eth1"), AddressKind::Vpn, "CGNAT");
        assert_eq!(kind("100.128.0.1", "eth1"), AddressKind::Lan, "outside /10");
        assert_eq!(kind("172.17.0.1", "docker0"), AddressKind::Virtual);
        assert_eq!(kind("169.254.3.4", "eth0"), AddressKind::LinkLocal);
        assert_eq!(
            classify("10.0.0.5".parse().unwrap(), "enp0s3", true),
            AddressKind::Vpn,
            "a point-to-point link is a tunnel whatever its name"
        );
    }

    #[test]
    fn loopback_with_no_network_says_to_join_the_wifi() {
        let reach = PhoneReach::assess("127.0.0.1", vec![addr("127.0.0.1", "lo")]);
        assert_eq!(reach.kind, AddressKind::Loopback);
        assert!(reach.choices.is_empty());
        let w = reach.warning.expect("loopback is never silent");
        assert!(w.contains("No network address found"), "{w}");
        assert!(w.contains("studio Wi-Fi"), "{w}");
    }

    #[test]
    fn loopback_or_vpn_with_a_wifi_address_names_the_one_to_choose() {
        let addresses = vec![
            addr("192.168.1.20", "wlan0"),
            addr("10.8.0.2", "wg0"),
            addr("127.0.0.1", "lo"),
        ];
        let reach = PhoneReach::assess("127.0.0.1", addresses.clone());
        assert!(reach
            .warning
            .unwrap()
            .contains("Choose 192.168.1.20 (wlan0)"));
        let reach = PhoneReach::assess("10.8.0.2", addresses.clone());
        assert_eq!(reach.kind, AddressKind::Vpn);
        assert!(reach
            .warning
            .unwrap()
            .contains("10.8.0.2 (wg0) is a VPN address"));
        assert_eq!(reach.choices, vec![addr("192.168.1.20", "wlan0")]);
        let reach = PhoneReach::assess("192.168.1.20", addresses);
        assert_eq!(reach.kind, AddressKind::Lan);
        assert_eq!(reach.warning, None);
    }

    #[test]
    fn localhost_by_name_and_unknown_addresses_are_judged_too() {
        let reach = PhoneReach::assess("localhost", vec![addr("192.168.1.20", "wlan0")]);
        assert_eq!(reach.kind, AddressKind::Loopback);
        assert!(reach.warning.is_some());
        // An address this machine does not have (set by hand): judged by its range alone.
        let reach = PhoneReach::assess("169.254.9.9", vec![]);
        assert_eq!(reach.kind, AddressKind::LinkLocal);
        let reach = PhoneReach::assess("studio-mac.local", vec![]);
        assert_eq!(
            reach.warning, None,
            "a typed host name is the operator's call"
        );
    }

    #[test]
    fn this_machine_lists_its_loopback_as_such() {
        // Every machine has loopback; it must never be offered as a choice.
        let all = local_addresses();
        assert!(all
            .iter()
            .filter(|a| a.ip.starts_with("127."))
            .all(|a| a.kind == AddressKind::Loopback));
        let reach = PhoneReach::detect("127.0.0.1");
        assert!(reach.choices.iter().all(|c| !c.ip.starts_with("127.")));
        assert!(reach.warning.is_some());
    }
}
