//! `HOST:PORT` addresses and the grant check that every network operation
//! passes before it touches the network.

use std::fmt;
use std::net::{SocketAddr, ToSocketAddrs};

use crate::fs::reply::describe;
use crate::grants::{Grants, NetGrant};

/// A host and a port to reach.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostPort {
    /// The host name or IP address, lowercase, IPv6 without brackets.
    pub host: String,
    /// The port.
    pub port: u16,
}

impl HostPort {
    /// Parses `HOST:PORT` or `[V6]:PORT`.
    ///
    /// # Errors
    ///
    /// A message for a missing or bad port or an empty host.
    pub fn parse(text: &str) -> Result<HostPort, String> {
        let grant = NetGrant::parse(text)?;
        match grant.port {
            Some(port) => Ok(HostPort {
                host: grant.host,
                port,
            }),
            None => Err(format!("`{text}`: expected HOST:PORT")),
        }
    }

    /// Succeeds if the operator granted this host and port.
    ///
    /// # Errors
    ///
    /// A message that names the address and the flag that grants it.
    pub fn check_granted(&self, grants: &Grants) -> Result<(), String> {
        if grants.allows_net(&self.host, self.port) {
            Ok(())
        } else {
            Err(format!(
                "{self} is not granted to this run (grant it with --allow-net {self})"
            ))
        }
    }

    /// The socket addresses the host resolves to (a DNS lookup for a name).
    ///
    /// # Errors
    ///
    /// A message when the host cannot be resolved.
    pub fn socket_addrs(&self) -> Result<Vec<SocketAddr>, String> {
        let addrs: Vec<SocketAddr> = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|error| format!("cannot resolve {}: {}", self.host, describe(&error)))?
            .collect();
        if addrs.is_empty() {
            return Err(format!("cannot resolve {}: no addresses", self.host));
        }
        Ok(addrs)
    }
}

impl fmt::Display for HostPort {
    /// `host:port`, with an IPv6 host in brackets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_need_a_port() {
        let address = HostPort::parse("LocalHost:8080").unwrap();
        assert_eq!(address.host, "localhost");
        assert_eq!(address.port, 8080);
        assert_eq!(HostPort::parse("[::1]:9").unwrap().to_string(), "[::1]:9");
        assert!(HostPort::parse("localhost").is_err());
        assert!(HostPort::parse("::1").is_err());
        assert!(HostPort::parse("host:99999").is_err());
    }

    #[test]
    fn only_granted_addresses_pass() {
        let grants = Grants {
            net: vec![
                NetGrant::parse("127.0.0.1:7000").unwrap(),
                NetGrant::parse("example.org").unwrap(),
            ],
            ..Grants::default()
        };
        let check = |text: &str| HostPort::parse(text).unwrap().check_granted(&grants);
        assert!(check("127.0.0.1:7000").is_ok());
        assert!(check("example.org:443").is_ok());
        let denied = check("127.0.0.1:7001").unwrap_err();
        assert!(denied.contains("127.0.0.1:7001 is not granted"), "{denied}");
        assert!(check("localhost:7000").is_err());
    }
}
