//! The capabilities an operator grants a run: nothing is ambient.
//!
//! A run that is granted nothing (a validator's) binds none of the
//! resolvers. The grants are written into the event log (`G` lines), so a
//! replay is granted the same ones and takes their outcomes from the log.

use std::fmt;
use std::path::PathBuf;

/// A host the network resolvers may reach: `HOST` (any port) or
/// `HOST:PORT`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetGrant {
    /// The host name or IP address, as the operator wrote it (IPv6 without
    /// brackets).
    pub host: String,
    /// The only port allowed, if one was given.
    pub port: Option<u16>,
}

impl NetGrant {
    /// Parses `HOST`, `HOST:PORT`, `[V6]` or `[V6]:PORT`.
    ///
    /// # Errors
    ///
    /// A message for an empty host or a bad port.
    pub fn parse(text: &str) -> Result<NetGrant, String> {
        let (host, port) = if let Some(rest) = text.strip_prefix('[') {
            let (host, after) = rest
                .split_once(']')
                .ok_or_else(|| format!("`{text}`: missing `]`"))?;
            match after {
                "" => (host, None),
                _ => match after.strip_prefix(':') {
                    Some(port) => (host, Some(port)),
                    None => return Err(format!("`{text}`: expected `:PORT` after `]`")),
                },
            }
        } else {
            match text.rsplit_once(':') {
                Some((host, port)) if !host.contains(':') => (host, Some(port)),
                _ => (text, None),
            }
        };
        if host.is_empty() {
            return Err(format!("`{text}`: empty host"));
        }
        let port = match port {
            Some(port) => Some(
                port.parse::<u16>()
                    .map_err(|_| format!("`{text}`: `{port}` is not a port number"))?,
            ),
            None => None,
        };
        Ok(NetGrant {
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    /// Whether this grant covers `host` and `port`.
    pub fn allows(&self, host: &str, port: u16) -> bool {
        self.host
            .eq_ignore_ascii_case(host.trim_start_matches('[').trim_end_matches(']'))
            && self.port.is_none_or(|allowed| allowed == port)
    }
}

impl fmt::Display for NetGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        match self.port {
            Some(port) => write!(f, "{host}:{port}"),
            None => f.write_str(&host),
        }
    }
}

/// What the operator grants.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grants {
    /// `--allow-fs DIR`: the directory `rho:io:fs` is rooted at.
    pub fs_root: Option<PathBuf>,
    /// `--allow-net HOST[:PORT]`: the hosts the network resolvers reach.
    pub net: Vec<NetGrant>,
    /// `--allow-ffi`: whether `rho:ffi:wasm` may load Wasm modules.
    pub ffi: bool,
}

impl Grants {
    /// Whether the network resolvers may reach `host:port`.
    pub fn allows_net(&self, host: &str, port: u16) -> bool {
        self.net.iter().any(|grant| grant.allows(host, port))
    }

    /// The grants as event-log capabilities: `fs DIR`, `net HOST[:PORT]`,
    /// `ffi`.
    pub fn to_log(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(root) = &self.fs_root {
            out.push(format!("fs {}", root.display()));
        }
        for grant in &self.net {
            out.push(format!("net {grant}"));
        }
        if self.ffi {
            out.push("ffi".to_string());
        }
        out
    }

    /// The grants recorded in an event log.
    ///
    /// # Errors
    ///
    /// A message for a capability this version does not know.
    pub fn from_log<'a>(capabilities: impl IntoIterator<Item = &'a str>) -> Result<Grants, String> {
        let mut grants = Grants::default();
        for capability in capabilities {
            match capability.split_once(' ') {
                Some(("fs", root)) => grants.fs_root = Some(PathBuf::from(root)),
                Some(("net", host)) => grants.net.push(NetGrant::parse(host)?),
                None if capability == "ffi" => grants.ffi = true,
                _ => {
                    return Err(format!(
                        "unknown capability `{capability}` in the event log"
                    ));
                }
            }
        }
        Ok(grants)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn net_grants_parse_hosts_ports_and_v6() {
        let any = NetGrant::parse("Example.org").unwrap();
        assert!(any.allows("example.org", 80) && any.allows("EXAMPLE.ORG", 8080));
        let one = NetGrant::parse("127.0.0.1:8080").unwrap();
        assert!(one.allows("127.0.0.1", 8080) && !one.allows("127.0.0.1", 8081));
        let v6 = NetGrant::parse("[::1]:9000").unwrap();
        assert_eq!(v6.host, "::1");
        assert!(v6.allows("[::1]", 9000) && !v6.allows("::2", 9000));
        assert_eq!(v6.to_string(), "[::1]:9000");
        assert!(NetGrant::parse("host:http").is_err());
        assert!(NetGrant::parse(":80").is_err());
    }

    #[test]
    fn grants_round_trip_through_the_log() {
        let grants = Grants {
            fs_root: Some(PathBuf::from("/srv/data dir")),
            net: vec![NetGrant::parse("localhost:80").unwrap()],
            ffi: true,
        };
        let log = grants.to_log();
        assert_eq!(log, ["fs /srv/data dir", "net localhost:80", "ffi"]);
        assert_eq!(
            Grants::from_log(log.iter().map(String::as_str)).unwrap(),
            grants
        );
        assert!(Grants::from_log(["clock"]).is_err());
    }
}
