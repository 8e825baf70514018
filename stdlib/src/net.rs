//! The network resolvers `rho:net:http`, `rho:net:tcp` and `rho:net:udp`,
//! for the hosts the operator grants with `--allow-net HOST[:PORT]`.
//!
//! Without a grant the URIs are withheld. With one, they reach only the
//! granted hosts (and ports): anything else fails on the error channel.
//!
//! ```text
//! new http(`rho:net:http`) in {
//!   http!("http://example.org/", *ret)            // GET; ret gets (status, body bytes)
//!   http!({"url": URL, "method": "POST", "body": data,
//!          "headers": {"content-type": "text/plain"}, "text": true}, *ret, *err)
//! }                                               // "text": true makes body a string
//! new tcp(`rho:net:tcp`) in {
//!   tcp!("example.org:7000", *conn)               // or tcp!(address, *conn, *err)
//! }
//! conn!("send", data, *ack)                       // data: bytes or a string; ack: Nil
//! conn!("receive", maxBytes, *ret)                // ret: what arrived, at most maxBytes;
//!                                                 //      empty bytes once the peer closed
//! conn!("receiveExact", n, *ret)                  // ret: exactly n bytes (TCP only)
//! conn!("close", *ack)                            // ack: Nil
//! new udp(`rho:net:udp`) in {
//!   udp!("example.org:5300", *sock)               // bound to an ephemeral port,
//! }                                               // connected to the peer
//! sock!("send", data, *ack) | sock!("receive", maxBytes, *ret) | sock!("close", *ack)
//! ```
//!
//! Every operation also takes an optional last error channel, which
//! receives a message string when the operation fails; the message is
//! always written to stderr too, and the run goes on. Connecting, sending,
//! receiving, closing and each HTTP exchange are recorded in the event log
//! (`tcp connect HOST:PORT`, `http GET URL`, ...), so a replay takes their
//! outcomes from the log and never touches the network. Limits: HTTP bodies
//! up to [`http::MAX_BODY_BYTES`], TCP receives up to
//! [`tcp::MAX_RECEIVE_BYTES`], UDP up to [`udp::MAX_RECEIVE_BYTES`];
//! connecting times out after [`socket::CONNECT_TIMEOUT`], a send or
//! receive after [`socket::IO_TIMEOUT`], an HTTP exchange after
//! [`http::REQUEST_TIMEOUT`]. Phlo:
//! [`crate::fs::OPERATION_PHLO`] per operation plus
//! [`crate::fs::PHLO_PER_BYTE`] per byte sent or received.

pub mod address;
pub mod http;
pub mod socket;
pub mod tcp;
pub mod udp;

use std::net::{TcpStream, UdpSocket};
use std::sync::Arc;

use rho_runtime::native::Powerbox;

use self::http::HttpResolver;
use self::socket::SocketResolver;
use crate::grants::Grants;

/// Binds the network resolvers if `grants` allow any host; withholds them
/// otherwise.
pub fn install(powerbox: &mut Powerbox, grants: &Grants) {
    if grants.net.is_empty() {
        for uri in [http::URI, tcp::URI, udp::URI] {
            powerbox.withhold(
                uri,
                "run with --allow-net HOST[:PORT] to grant network access",
            );
        }
        return;
    }
    let grants = Arc::new(grants.clone());
    powerbox.bind_process(http::URI, Arc::new(HttpResolver::new(grants.clone())));
    powerbox.bind_process(
        tcp::URI,
        Arc::new(SocketResolver::<TcpStream>::new(grants.clone())),
    );
    powerbox.bind_process(udp::URI, Arc::new(SocketResolver::<UdpSocket>::new(grants)));
}
