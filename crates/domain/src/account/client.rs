//! Which address a request comes from, for login throttling per address (product.md F1).
//!
//! Behind the hospital's reverse proxy every request arrives from the proxy. The proxy names the
//! client in `X-Forwarded-For`, but anyone can send that header, so it is believed only when the
//! TCP peer is one of the configured proxies, and then only as far as the chain of trusted
//! proxies goes: the right-most address that is not a trusted proxy is the client (everything to
//! its left was written by the client itself and may be forged).

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// One trusted proxy: an address, or a network in CIDR notation (`10.0.0.0/8`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    address: IpAddr,
    prefix: u8,
}

impl Network {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.address, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                masked(u32::from(net).into(), 32, self.prefix)
                    == masked(u32::from(ip).into(), 32, self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                masked(u128::from(net), 128, self.prefix)
                    == masked(u128::from(ip), 128, self.prefix)
            }
            _ => false,
        }
    }
}

/// The top `prefix` bits of a `bits`-wide address.
fn masked(value: u128, bits: u8, prefix: u8) -> u128 {
    if prefix == 0 {
        return 0;
    }
    let keep = u128::MAX << (128 - u32::from(prefix));
    (value << (128 - u32::from(bits))) & keep
}

/// An IPv4 address written as IPv6 (`::ffff:10.0.0.1`, as a dual-stack socket reports it) is
/// the IPv4 address, so that one entry covers both spellings.
fn canonical(ip: IpAddr) -> IpAddr {
    ip.to_canonical()
}

/// Why a trusted-proxy entry was refused (configuration, so in English for the operator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadNetwork(pub String);

impl fmt::Display for BadNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "'{}' is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/24)",
            self.0
        )
    }
}

impl std::error::Error for BadNetwork {}

impl FromStr for Network {
    type Err = BadNetwork;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadNetwork(s.to_string());
        let (address, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s.trim(), None),
        };
        let address = canonical(address.parse::<IpAddr>().map_err(|_| bad())?);
        let width = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => width,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= width)
                .ok_or_else(bad)?,
        };
        Ok(Network { address, prefix })
    }
}

/// The reverse proxies whose `X-Forwarded-For` is believed (`GG_TRUSTED_PROXIES`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Network>);

impl TrustedProxies {
    /// A comma-separated list of addresses and networks; blank: none.
    pub fn parse(list: &str) -> Result<Self, BadNetwork> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The client's address: the TCP peer, unless the peer is a trusted proxy; then the
    /// right-most address of `forwarded_for` (the `X-Forwarded-For` values in the order
    /// received) that is not a trusted proxy. An entry that is no address ends the walk: what
    /// lies to its left cannot be told apart from forgery, so the nearest trusted hop is used.
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        let mut client = canonical(peer);
        if !self.contains(client) {
            return client;
        }
        let hops = forwarded_for
            .iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .collect::<Vec<_>>();
        for hop in hops.into_iter().rev() {
            let Some(ip) = hop_address(hop) else {
                return client;
            };
            client = ip;
            if !self.contains(ip) {
                return ip;
            }
        }
        client
    }
}

/// An address as proxies write it: `192.0.2.7`, `2001:db8::1`, or with a port
/// (`192.0.2.7:4711`, `[2001:db8::1]:4711`).
fn hop_address(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()))
        .or_else(|_| hop.trim_matches(['[', ']']).parse::<IpAddr>())
        .ok()
        .map(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn networks_match_by_prefix() {
        let net: Network = "10.1.0.0/16".parse().unwrap();
        assert!(net.contains(ip("10.1.255.3")));
        assert!(!net.contains(ip("10.2.0.1")));
        assert!(net.contains(ip("::ffff:10.1.0.9")), "IPv4 as IPv6");
        let one: Network = "192.0.2.1".parse().unwrap();
        assert!(one.contains(ip("192.0.2.1")) && !one.contains(ip("192.0.2.2")));
        let v6: Network = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        let all: Network = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.5")) && !all.contains(ip("::1")));
        for bad in ["10.0.0.0/33", "proxy.local", "10.0.0/8", "::1/129", ""] {
            assert!(bad.parse::<Network>().is_err(), "{bad}");
        }
        assert_eq!(
            TrustedProxies::parse("10.0.0.1, 10.1.0.0/16,,")
                .unwrap()
                .0
                .len(),
            2
        );
        assert!(TrustedProxies::parse("10.0.0.1, nonsense").is_err());
        assert!(TrustedProxies::parse(" ").unwrap().is_empty());
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_peer() {
        let proxies = TrustedProxies::parse("10.0.0.1, 10.9.0.0/16").unwrap();
        // Not through the proxy: the header is whatever the client wrote.
        assert_eq!(
            proxies.client(ip("198.51.100.4"), &["203.0.113.9"]),
            ip("198.51.100.4")
        );
        // Through the proxy: the address it appended.
        assert_eq!(
            proxies.client(ip("10.0.0.1"), &["203.0.113.9"]),
            ip("203.0.113.9")
        );
        // A forged entry on the left is passed over; inner proxies are skipped.
        assert_eq!(
            proxies.client(ip("10.0.0.1"), &["1.2.3.4, 203.0.113.9", "10.9.4.4:8080"]),
            ip("203.0.113.9")
        );
        // No header, or nothing usable nearest to us: the proxy itself.
        assert_eq!(proxies.client(ip("10.0.0.1"), &[]), ip("10.0.0.1"));
        assert_eq!(
            proxies.client(ip("10.0.0.1"), &["203.0.113.9, onzin"]),
            ip("10.0.0.1")
        );
        // Only proxies in the chain: the farthest one.
        assert_eq!(
            proxies.client(ip("10.0.0.1"), &["10.9.1.1, 10.9.2.2"]),
            ip("10.9.1.1")
        );
        assert_eq!(
            proxies.client(ip("10.0.0.1"), &["[2001:db8::7]:443"]),
            ip("2001:db8::7")
        );
        // Without trusted proxies the peer is the client, always.
        assert_eq!(
            TrustedProxies::default().client(ip("10.0.0.1"), &["203.0.113.9"]),
            ip("10.0.0.1")
        );
    }
}
