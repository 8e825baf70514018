//! `rho:net:udp`: UDP sockets connected to granted hosts.
//!
//! A socket is bound to an ephemeral local port and connected to its peer,
//! so it sends only there and the OS drops datagrams from anyone else.

use std::io::ErrorKind;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};

use super::address::HostPort;
use super::socket::{IO_TIMEOUT, Transport};
use crate::fs::reply::describe;

/// The URI of the UDP resolver.
pub const URI: &str = "rho:net:udp";

/// The most bytes one `receive` may ask for (the largest datagram).
pub const MAX_RECEIVE_BYTES: usize = 65_535;

impl Transport for UdpSocket {
    const PROTOCOL: &'static str = "udp";
    const URI: &'static str = URI;
    const MAX_RECEIVE: usize = MAX_RECEIVE_BYTES;
    const STREAM: bool = false;

    fn open(peer: &HostPort) -> Result<UdpSocket, String> {
        let mut last_error = None;
        for addr in peer.socket_addrs()? {
            let local = match addr {
                SocketAddr::V4(_) => SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)),
                SocketAddr::V6(_) => SocketAddr::from((Ipv6Addr::UNSPECIFIED, 0)),
            };
            let opened = UdpSocket::bind(local).and_then(|socket| {
                socket.connect(addr)?;
                socket.set_read_timeout(Some(IO_TIMEOUT))?;
                socket.set_write_timeout(Some(IO_TIMEOUT))?;
                Ok(socket)
            });
            match opened {
                Ok(socket) => return Ok(socket),
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.map_or_else(|| "no addresses".to_string(), |error| describe(&error)))
    }

    fn send(&mut self, data: &[u8]) -> Result<(), String> {
        match UdpSocket::send(self, data) {
            Ok(sent) if sent == data.len() => Ok(()),
            Ok(sent) => Err(format!("only {sent} of {} bytes were sent", data.len())),
            Err(error) => Err(describe(&error)),
        }
    }

    fn receive(&mut self, max: usize, _exact: bool) -> Result<Vec<u8>, String> {
        let mut buffer = vec![0; max];
        loop {
            match self.recv(&mut buffer) {
                Ok(received) => {
                    buffer.truncate(received);
                    return Ok(buffer);
                }
                Err(error) if error.kind() == ErrorKind::Interrupted => {}
                Err(error) => return Err(describe(&error)),
            }
        }
    }

    fn close(self) -> Result<(), String> {
        drop(self);
        Ok(())
    }
}
