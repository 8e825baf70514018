//! `rho:net:tcp`: TCP connections to granted hosts.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};

use super::address::HostPort;
use super::socket::{CONNECT_TIMEOUT, IO_TIMEOUT, Transport};
use crate::fs::reply::describe;

/// The URI of the TCP resolver.
pub const URI: &str = "rho:net:tcp";

/// The most bytes one `receive` or `receiveExact` may ask for.
pub const MAX_RECEIVE_BYTES: usize = 1024 * 1024;

impl Transport for TcpStream {
    const PROTOCOL: &'static str = "tcp";
    const URI: &'static str = URI;
    const MAX_RECEIVE: usize = MAX_RECEIVE_BYTES;
    const STREAM: bool = true;

    fn open(peer: &HostPort) -> Result<TcpStream, String> {
        let mut last_error = None;
        for addr in peer.socket_addrs()? {
            match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
                Ok(stream) => {
                    stream
                        .set_read_timeout(Some(IO_TIMEOUT))
                        .and_then(|()| stream.set_write_timeout(Some(IO_TIMEOUT)))
                        .and_then(|()| stream.set_nodelay(true))
                        .map_err(|error| describe(&error))?;
                    return Ok(stream);
                }
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.map_or_else(|| "no addresses".to_string(), |error| describe(&error)))
    }

    fn send(&mut self, data: &[u8]) -> Result<(), String> {
        self.write_all(data)
            .and_then(|()| self.flush())
            .map_err(|error| describe(&error))
    }

    fn receive(&mut self, max: usize, exact: bool) -> Result<Vec<u8>, String> {
        let mut buffer = vec![0; max];
        if exact {
            self.read_exact(&mut buffer)
                .map_err(|error| match error.kind() {
                    ErrorKind::UnexpectedEof => {
                        format!("the peer closed the connection before {max} bytes arrived")
                    }
                    _ => describe(&error),
                })?;
            return Ok(buffer);
        }
        let received = loop {
            match self.read(&mut buffer) {
                Ok(received) => break received,
                Err(error) if error.kind() == ErrorKind::Interrupted => {}
                Err(error) => return Err(describe(&error)),
            }
        };
        buffer.truncate(received);
        Ok(buffer)
    }

    fn close(self) -> Result<(), String> {
        match self.shutdown(Shutdown::Both) {
            Ok(()) => Ok(()),
            // The peer already went away: the connection is closed either way.
            Err(error) if error.kind() == ErrorKind::NotConnected => Ok(()),
            Err(error) => Err(describe(&error)),
        }
    }
}
