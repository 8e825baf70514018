//! System processes: the native processes behind the `rho:` URIs that the
//! runtime itself provides (printing and hashing).
//!
//! Each is reachable only through `new x(`rho:...`) in { ... }`; its channel is
//! a fixed unforgeable name (the same one-byte ids as the reference's
//! `FixedChannels`), so no Rholang term can forge it.

use std::sync::Arc;

use blake2::Blake2b;
use blake2::digest::consts::U32;
use rho_host_abi::par::{GPrivate, GUnforgeable, g_unforgeable::UnfInstance};
use sha2::{Digest, Sha256};
use sha3::Keccak256;

use crate::error::RuntimeError;
use crate::value::Value;

/// A native process bound to a `rho:` URI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SystemProcess {
    /// `rho:io:stdout`: prints its argument.
    Stdout,
    /// `rho:io:stdoutAck`: prints, then sends `Nil` on the ack channel.
    StdoutAck,
    /// `rho:io:stderr`: prints its argument to stderr.
    Stderr,
    /// `rho:io:stderrAck`: prints to stderr, then acknowledges.
    StderrAck,
    /// `rho:crypto:sha256Hash`: hashes a byte array to a return channel.
    Sha256Hash,
    /// `rho:crypto:keccak256Hash`.
    Keccak256Hash,
    /// `rho:crypto:blake2b256Hash`.
    Blake2b256Hash,
}

/// What running a system process asks the evaluator to do.
#[derive(Debug, PartialEq)]
pub enum Effect {
    /// Write a line to stdout.
    Stdout(String),
    /// Write a line to stderr.
    Stderr(String),
    /// Send these values on a channel.
    Send(Value, Vec<Value>),
}

impl SystemProcess {
    /// Every system process, in URI order.
    pub const ALL: [SystemProcess; 7] = [
        SystemProcess::Blake2b256Hash,
        SystemProcess::Keccak256Hash,
        SystemProcess::Sha256Hash,
        SystemProcess::Stderr,
        SystemProcess::StderrAck,
        SystemProcess::Stdout,
        SystemProcess::StdoutAck,
    ];

    /// The process bound to `uri`, if the runtime provides one.
    pub fn from_uri(uri: &str) -> Option<SystemProcess> {
        SystemProcess::ALL.into_iter().find(|p| p.uri() == uri)
    }

    /// The URI that names it.
    pub fn uri(self) -> &'static str {
        match self {
            SystemProcess::Stdout => "rho:io:stdout",
            SystemProcess::StdoutAck => "rho:io:stdoutAck",
            SystemProcess::Stderr => "rho:io:stderr",
            SystemProcess::StderrAck => "rho:io:stderrAck",
            SystemProcess::Sha256Hash => "rho:crypto:sha256Hash",
            SystemProcess::Keccak256Hash => "rho:crypto:keccak256Hash",
            SystemProcess::Blake2b256Hash => "rho:crypto:blake2b256Hash",
        }
    }

    /// The number of values a call sends.
    pub fn arity(self) -> usize {
        match self {
            SystemProcess::Stdout | SystemProcess::Stderr => 1,
            _ => 2,
        }
    }

    /// The fixed unforgeable channel the process listens on.
    pub fn channel(self) -> Value {
        let id = match self {
            SystemProcess::Stdout => 0u8,
            SystemProcess::StdoutAck => 1,
            SystemProcess::Stderr => 2,
            SystemProcess::StderrAck => 3,
            SystemProcess::Sha256Hash => 5,
            SystemProcess::Keccak256Hash => 6,
            SystemProcess::Blake2b256Hash => 7,
        };
        Value::Unforgeable(Arc::new(GUnforgeable {
            unf_instance: Some(UnfInstance::GPrivateBody(GPrivate { id: vec![id] })),
        }))
    }

    /// Runs the process on the values of one call.
    ///
    /// # Errors
    ///
    /// [`RuntimeError::SystemProcess`] when the arguments have the wrong type.
    pub fn call(self, args: &[Value]) -> Result<Vec<Effect>, RuntimeError> {
        match (self, args) {
            (SystemProcess::Stdout, [value]) => Ok(vec![Effect::Stdout(value.print())]),
            (SystemProcess::Stderr, [value]) => Ok(vec![Effect::Stderr(value.print())]),
            (SystemProcess::StdoutAck, [value, ack]) => Ok(vec![
                Effect::Stdout(value.print()),
                Effect::Send(ack.clone(), vec![Value::Nil]),
            ]),
            (SystemProcess::StderrAck, [value, ack]) => Ok(vec![
                Effect::Stderr(value.print()),
                Effect::Send(ack.clone(), vec![Value::Nil]),
            ]),
            (SystemProcess::Sha256Hash, [Value::Bytes(data), ret]) => {
                Ok(hashed(ret, Sha256::digest(data).to_vec()))
            }
            (SystemProcess::Keccak256Hash, [Value::Bytes(data), ret]) => {
                Ok(hashed(ret, Keccak256::digest(data).to_vec()))
            }
            (SystemProcess::Blake2b256Hash, [Value::Bytes(data), ret]) => {
                Ok(hashed(ret, Blake2b::<U32>::digest(data).to_vec()))
            }
            (_, args) => Err(RuntimeError::SystemProcess(format!(
                "{} expects a byte array and a return channel, got {}",
                self.uri(),
                args.iter().map(Value::print).collect::<Vec<_>>().join(", ")
            ))),
        }
    }
}

fn hashed(ret: &Value, digest: Vec<u8>) -> Vec<Effect> {
    vec![Effect::Send(ret.clone(), vec![Value::Bytes(digest.into())])]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_uri_round_trips_and_channels_are_distinct() {
        for process in SystemProcess::ALL {
            assert_eq!(SystemProcess::from_uri(process.uri()), Some(process));
        }
        let mut channels: Vec<Value> = SystemProcess::ALL.iter().map(|p| p.channel()).collect();
        channels.dedup();
        assert_eq!(channels.len(), SystemProcess::ALL.len());
        assert_eq!(SystemProcess::from_uri("rho:io:nothing"), None);
    }

    #[test]
    fn hashes_match_known_digests() {
        let ret = Value::Int(0);
        let abc = Value::Bytes(b"abc".to_vec().into());
        let digest = |p: SystemProcess| match p.call(&[abc.clone(), ret.clone()]).unwrap().pop() {
            Some(Effect::Send(_, mut values)) => match values.pop() {
                Some(Value::Bytes(bytes)) => hex::encode(bytes),
                other => panic!("unexpected {other:?}"),
            },
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(
            digest(SystemProcess::Sha256Hash),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            digest(SystemProcess::Keccak256Hash),
            "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
        );
        assert_eq!(
            digest(SystemProcess::Blake2b256Hash),
            "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"
        );
    }

    #[test]
    fn wrong_arguments_are_an_error_not_a_panic() {
        let err = SystemProcess::Sha256Hash
            .call(&[Value::string("abc"), Value::Nil])
            .unwrap_err();
        assert!(err.to_string().contains("rho:crypto:sha256Hash"));
    }
}
