//! How the resolvers' asynchronous operations answer, shared by the file
//! and network processes.
//!
//! Every operation takes a return channel and an optional error channel.
//! Work that touches the world runs through [`NativeCall::io`], so its
//! outcome is recorded in the event log and a replay takes it from there.
//! A success is sent on the return channel; a failure is a message
//! (`"fs read notes.txt: no such file or directory"`) that is always
//! written to stderr and also sent on the error channel when there is one.
//! A failure never stops the run: only a call with the wrong argument
//! shapes is a runtime error.

use std::io;

use rho_runtime::native::NativeCall;
use rho_runtime::{RuntimeError, Value};

/// Phlo charged for every operation, before any bytes move.
pub const OPERATION_PHLO: u64 = 100;

/// Phlo charged per byte moved (sent, written, read or received).
pub const PHLO_PER_BYTE: u64 = 1;

/// Where an operation answers: its return (or acknowledgement) channel and
/// its optional error channel.
#[derive(Clone, Debug)]
pub(crate) struct Reply {
    ret: Value,
    err: Option<Value>,
}

impl Reply {
    /// The reply of a call whose last arguments are `ret` or `ret, err`;
    /// `None` for any other number of channels.
    pub(crate) fn from_channels(channels: &[Value]) -> Option<Reply> {
        match channels {
            [ret] => Some(Reply {
                ret: ret.clone(),
                err: None,
            }),
            [ret, err] => Some(Reply {
                ret: ret.clone(),
                err: Some(err.clone()),
            }),
            _ => None,
        }
    }

    /// Sends `value` on the return channel.
    pub(crate) fn succeed(self, call: &mut NativeCall<'_>, value: Value) {
        call.send(self.ret, vec![value]);
    }

    /// Reports `message` on stderr and on the error channel, if any.
    pub(crate) fn fail(self, call: &mut NativeCall<'_>, message: &str) {
        call.print_stderr(message);
        if let Some(err) = self.err {
            call.send(err, vec![Value::string(message)]);
        }
    }
}

/// Performs `work` through the event log under `request` and answers:
/// the result is charged by its size and sent on the return channel; a
/// failure is reported as `"{request}: {message}"`.
///
/// # Errors
///
/// [`RuntimeError::ReplayMismatch`] when a replay diverges from its record,
/// [`RuntimeError::OutOfPhlo`] when the result cannot be paid for.
pub(crate) fn perform(
    call: &mut NativeCall<'_>,
    request: &str,
    reply: Reply,
    work: impl FnOnce() -> Result<Value, String>,
) -> Result<(), RuntimeError> {
    match call.io(request, work)? {
        Ok(value) => {
            call.charge(value.encoded_len().saturating_mul(PHLO_PER_BYTE))?;
            reply.succeed(call, value);
        }
        Err(message) => reply.fail(call, &format!("{request}: {message}")),
    }
    Ok(())
}

/// Charges an operation's base price and the `bytes` it sends.
///
/// # Errors
///
/// [`RuntimeError::OutOfPhlo`].
pub(crate) fn charge_operation(
    call: &mut NativeCall<'_>,
    bytes: usize,
) -> Result<(), RuntimeError> {
    let bytes = u64::try_from(bytes).unwrap_or(u64::MAX);
    call.charge(OPERATION_PHLO.saturating_add(bytes.saturating_mul(PHLO_PER_BYTE)))
}

/// A short, stable description of an I/O error, without the OS error
/// number.
pub(crate) fn describe(error: &io::Error) -> String {
    use io::ErrorKind;
    let text = match error.kind() {
        ErrorKind::NotFound => "no such file or directory",
        ErrorKind::PermissionDenied => "permission denied",
        ErrorKind::AlreadyExists => "already exists",
        ErrorKind::NotADirectory => "not a directory",
        ErrorKind::IsADirectory => "is a directory",
        ErrorKind::DirectoryNotEmpty => "directory not empty",
        ErrorKind::ConnectionRefused => "connection refused",
        ErrorKind::ConnectionReset => "connection reset by the peer",
        ErrorKind::ConnectionAborted => "connection aborted",
        ErrorKind::NotConnected => "not connected",
        ErrorKind::BrokenPipe => "broken pipe (the peer closed the connection)",
        ErrorKind::AddrInUse => "address in use",
        ErrorKind::AddrNotAvailable => "address not available",
        ErrorKind::HostUnreachable => "host unreachable",
        ErrorKind::NetworkUnreachable => "network unreachable",
        ErrorKind::TimedOut | ErrorKind::WouldBlock => "timed out",
        ErrorKind::UnexpectedEof => "the stream ended early",
        ErrorKind::StorageFull => "no space left on the device",
        ErrorKind::ReadOnlyFilesystem => "read-only file system",
        _ => return error.to_string(),
    };
    text.to_string()
}

/// The text argument of a write or a send as bytes: a byte array as is, a
/// string as its UTF-8 bytes; `None` for any other value.
pub(crate) fn data_bytes(value: &Value) -> Option<std::sync::Arc<[u8]>> {
    match value {
        Value::Bytes(bytes) => Some(bytes.clone()),
        Value::Str(text) => Some(text.as_bytes().into()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_are_described_without_os_numbers() {
        let missing = io::Error::from(io::ErrorKind::NotFound);
        assert_eq!(describe(&missing), "no such file or directory");
        let timeout = io::Error::from(io::ErrorKind::WouldBlock);
        assert_eq!(describe(&timeout), "timed out");
        let other = io::Error::other("odd");
        assert_eq!(describe(&other), "odd");
    }

    #[test]
    fn replies_take_one_or_two_channels() {
        assert!(Reply::from_channels(&[]).is_none());
        assert!(Reply::from_channels(&[Value::Nil]).is_some());
        assert!(Reply::from_channels(&[Value::Nil, Value::Nil]).is_some());
        assert!(Reply::from_channels(&[Value::Nil, Value::Nil, Value::Nil]).is_none());
    }

    #[test]
    fn data_is_bytes_or_a_string() {
        assert_eq!(
            data_bytes(&Value::string("hi")).as_deref(),
            Some(&b"hi"[..])
        );
        assert_eq!(
            data_bytes(&Value::Bytes(vec![1, 2].into())).as_deref(),
            Some(&[1u8, 2][..])
        );
        assert!(data_bytes(&Value::Int(1)).is_none());
    }
}
