//! What TCP connections and UDP sockets share: a resolver that opens one
//! for a granted `HOST:PORT`, and a process that owns the live OS handle and
//! answers `send`, `receive` and `close` (see [`crate::net`] for the
//! message shapes).
//!
//! The OS handle lives in the process, behind a mutex, and is opened only
//! inside the recorded I/O work: a replay takes every outcome from the
//! event log, so it never opens a socket.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rho_runtime::native::{NativeCall, NativeProcess, bad_arguments};
use rho_runtime::{RuntimeError, Value};

use super::address::HostPort;
use crate::fs::reply::{Reply, charge_operation, data_bytes, perform};
use crate::grants::Grants;

/// How long opening a connection may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long one `send` or `receive` may wait.
pub const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// A live OS handle that sends and receives bytes.
pub(crate) trait Transport: Sized + Send + 'static {
    /// `tcp` or `udp`: the first word of requests and messages.
    const PROTOCOL: &'static str;
    /// The URI of the resolver.
    const URI: &'static str;
    /// The most bytes one `receive` may ask for.
    const MAX_RECEIVE: usize;
    /// Whether `receiveExact` is offered (a byte stream, not datagrams).
    const STREAM: bool;

    /// Opens the handle to `peer`, with [`IO_TIMEOUT`] set for reads and
    /// writes.
    fn open(peer: &HostPort) -> Result<Self, String>;

    /// Sends all of `data`.
    fn send(&mut self, data: &[u8]) -> Result<(), String>;

    /// Receives up to `max` bytes (exactly `max` when `exact`).
    fn receive(&mut self, max: usize, exact: bool) -> Result<Vec<u8>, String>;

    /// Closes the handle.
    fn close(self) -> Result<(), String>;
}

/// The resolver of a transport: `HOST:PORT` in, a connection channel out.
pub(crate) struct SocketResolver<T> {
    grants: Arc<Grants>,
    _transport: std::marker::PhantomData<fn() -> T>,
}

impl<T: Transport> SocketResolver<T> {
    /// A resolver that reaches the hosts `grants` allow.
    pub(crate) fn new(grants: Arc<Grants>) -> SocketResolver<T> {
        SocketResolver {
            grants,
            _transport: std::marker::PhantomData,
        }
    }
}

impl<T: Transport> NativeProcess for SocketResolver<T> {
    fn name(&self) -> &str {
        T::URI
    }

    fn arities(&self) -> &[usize] {
        &[2, 3]
    }

    fn call(&self, call: &mut NativeCall<'_>, args: Vec<Value>) -> Result<(), RuntimeError> {
        let parsed = match args.as_slice() {
            [Value::Str(address), channels @ ..] => {
                Reply::from_channels(channels).map(|reply| (address.clone(), reply))
            }
            _ => None,
        };
        let Some((address, reply)) = parsed else {
            return Err(bad_arguments(
                T::URI,
                "a \"HOST:PORT\" string, a return channel and an optional error channel",
                &args,
            ));
        };
        charge_operation(call, 0)?;
        let peer = match HostPort::parse(&address)
            .and_then(|peer| peer.check_granted(&self.grants).map(|()| peer))
        {
            Ok(peer) => peer,
            Err(message) => {
                reply.fail(
                    call,
                    &format!("{} connect {address}: {message}", T::PROTOCOL),
                );
                return Ok(());
            }
        };
        let request = format!("{} connect {peer}", T::PROTOCOL);
        let connection = Arc::new(Connection::<T>::new(peer));
        let opened = call.io(&request, || {
            let handle = T::open(&connection.peer)?;
            *connection.handle() = Some(handle);
            Ok(Value::Nil)
        })?;
        match opened {
            Ok(_) => {
                let channel = call.bind(connection);
                reply.succeed(call, channel);
            }
            Err(message) => reply.fail(call, &format!("{request}: {message}")),
        }
        Ok(())
    }
}

/// One operation on a connection.
#[derive(Clone, Debug)]
enum Operation {
    Send(Arc<[u8]>),
    Receive { max: usize, exact: bool },
    Close,
}

impl Operation {
    /// The operation and its reply from a call's arguments; `None` for a
    /// wrong call.
    fn parse<T: Transport>(args: &[Value]) -> Option<(Operation, Reply)> {
        let (Value::Str(name), rest) = args.split_first()? else {
            return None;
        };
        let (operation, channels) = match &**name {
            "send" => {
                let (data, channels) = rest.split_first()?;
                (Operation::Send(data_bytes(data)?), channels)
            }
            "receive" | "receiveExact" => {
                let exact = &**name == "receiveExact";
                if exact && !T::STREAM {
                    return None;
                }
                let (Value::Int(max), channels) = rest.split_first()? else {
                    return None;
                };
                let max = usize::try_from(*max)
                    .ok()
                    .filter(|max| (1..=T::MAX_RECEIVE).contains(max))?;
                (Operation::Receive { max, exact }, channels)
            }
            "close" => (Operation::Close, rest),
            _ => return None,
        };
        Some((operation, Reply::from_channels(channels)?))
    }
}

/// A connection's process: the peer, and the OS handle once opened.
pub(crate) struct Connection<T> {
    peer: HostPort,
    name: String,
    expected: String,
    handle: Mutex<Option<T>>,
}

impl<T: Transport> Connection<T> {
    fn new(peer: HostPort) -> Connection<T> {
        let exact = if T::STREAM { " | \"receiveExact\"" } else { "" };
        Connection {
            name: format!("{} connection {peer}", T::URI),
            expected: format!(
                "(\"send\", data, ack[, err]) with data a byte array or a string, \
                 (\"receive\"{exact}, size, ret[, err]) with size from 1 to {}, \
                 or (\"close\", ack[, err])",
                T::MAX_RECEIVE
            ),
            peer,
            handle: Mutex::new(None),
        }
    }

    fn handle(&self) -> MutexGuard<'_, Option<T>> {
        self.handle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `operation` on the live handle (only ever inside
    /// [`NativeCall::io`]).
    fn run(&self, operation: &Operation) -> Result<Value, String> {
        let mut handle = self.handle();
        if let Operation::Close = operation {
            return match handle.take() {
                Some(open) => open.close().map(|()| Value::Nil),
                None => Err("the connection is already closed".to_string()),
            };
        }
        let open = handle
            .as_mut()
            .ok_or_else(|| "the connection is closed".to_string())?;
        match operation {
            Operation::Send(data) => open.send(data).map(|()| Value::Nil),
            Operation::Receive { max, exact } => open
                .receive(*max, *exact)
                .map(|bytes| Value::Bytes(bytes.into())),
            Operation::Close => Ok(Value::Nil),
        }
    }
}

impl<T: Transport> NativeProcess for Connection<T> {
    fn name(&self) -> &str {
        &self.name
    }

    fn arities(&self) -> &[usize] {
        &[2, 3, 4]
    }

    fn call(&self, call: &mut NativeCall<'_>, args: Vec<Value>) -> Result<(), RuntimeError> {
        let Some((operation, reply)) = Operation::parse::<T>(&args) else {
            return Err(bad_arguments(&self.name, &self.expected, &args));
        };
        let (protocol, peer) = (T::PROTOCOL, &self.peer);
        let request = match &operation {
            Operation::Send(data) => {
                charge_operation(call, data.len())?;
                format!("{protocol} send {peer} ({} bytes)", data.len())
            }
            Operation::Receive { max, exact: false } => {
                charge_operation(call, 0)?;
                format!("{protocol} receive {peer} (up to {max} bytes)")
            }
            Operation::Receive { max, exact: true } => {
                charge_operation(call, 0)?;
                format!("{protocol} receiveExact {peer} ({max} bytes)")
            }
            Operation::Close => {
                charge_operation(call, 0)?;
                format!("{protocol} close {peer}")
            }
        };
        perform(call, &request, reply, || self.run(&operation))
    }
}
