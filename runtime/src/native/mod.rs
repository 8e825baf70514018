//! Native processes: Rust code behind channels, and the powerbox that binds
//! them to `rho:` URIs.
//!
//! A native process is reachable only through a channel that the runtime
//! hands out: the channel a [`Powerbox`] binds to a URI (and that
//! `new x(`rho:...`) in { ... }` receives), or a channel that another native
//! process created with [`NativeCall::bind`] and returned (a file, a socket,
//! a loaded Wasm module). That is the whole capability discipline: nothing is
//! ambient, and a URI the operator did not grant is simply not bound.
//!
//! The runtime itself provides the printing and hashing processes
//! ([`builtin`]); `rho-stdlib` provides the rest and builds the powerbox of a
//! run. A process sees its call through [`NativeCall`]: it can print, send,
//! charge phlo, create names and channels, use the run's system store (part
//! of the state hash), and perform non-deterministic work through
//! [`NativeCall::io`], whose outcome goes into the event log and is taken
//! from it on replay.

pub mod builtin;
mod call;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use blake2::Blake2b;
use blake2::digest::{Digest, consts::U32};
use rho_host_abi::par::{GPrivate, GUnforgeable, g_unforgeable::UnfInstance};

pub use self::call::NativeCall;
use crate::error::RuntimeError;
use crate::value::Value;

/// Rust code that answers the sends on a channel.
///
/// Implementations must be deterministic except through
/// [`NativeCall::io`], must not panic on any arguments (a wrong call is a
/// [`RuntimeError::SystemProcess`] or a reply, as the reference answers it),
/// and charge phlo for work that grows with their input.
pub trait NativeProcess: Send + Sync {
    /// The name used in messages and in the state hash, e.g. the URI.
    fn name(&self) -> &str;

    /// How many values one call sends. The runtime installs one persistent
    /// receive per arity on the process's channel.
    fn arities(&self) -> &[usize];

    /// Handles one call.
    ///
    /// # Errors
    ///
    /// A [`RuntimeError`] ends the calling process's send, as a runtime error
    /// of that process.
    fn call(&self, call: &mut NativeCall<'_>, args: Vec<Value>) -> Result<(), RuntimeError>;

    /// Answers the method call `(*channel).name(args)` on this process's
    /// channel: a synchronous call whose result replaces the call
    /// expression. `None` when the process has no such method (the call then
    /// fails as a method call on an unforgeable name does).
    ///
    /// A method's sends and bindings take effect when it returns, as a
    /// call's do; names it creates come from a generator state that the run
    /// advances once per method call.
    fn method(
        &self,
        _call: &mut NativeCall<'_>,
        _name: &str,
        _args: &[Value],
    ) -> Option<Result<Value, RuntimeError>> {
        None
    }
}

/// What a URI is bound to.
#[derive(Clone)]
enum Binding {
    /// A native process on this channel.
    Process(Value, Arc<dyn NativeProcess>),
    /// A plain value: a deploy-scoped name (`rho:rchain:deployId`) or the
    /// channel of a library contract.
    Value(Value),
}

/// The URIs a run may bind with `new x(`uri`)`, and what each is bound to.
///
/// Cloning is cheap (processes are shared).
#[derive(Clone, Default)]
pub struct Powerbox {
    bindings: BTreeMap<String, Binding>,
    /// Why a known URI is not bound, for the error message.
    withheld: BTreeMap<String, String>,
    /// The capabilities granted to the run, as the event log records them.
    grants: Vec<String>,
}

impl fmt::Debug for Powerbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Powerbox")
            .field("uris", &self.bindings.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Powerbox {
    /// A powerbox that binds nothing.
    pub fn empty() -> Powerbox {
        Powerbox::default()
    }

    /// The runtime's own processes: `rho:io:stdout`, `stdoutAck`, `stderr`,
    /// `stderrAck` and the three hash functions.
    pub fn standard() -> Powerbox {
        let mut powerbox = Powerbox::empty();
        builtin::install(&mut powerbox);
        powerbox
    }

    /// Binds `uri` to `process` on the channel [`uri_channel`] derives.
    pub fn bind_process(&mut self, uri: &str, process: Arc<dyn NativeProcess>) {
        self.bind_process_at(uri, uri_channel(uri), process);
    }

    /// Binds `uri` to `process` on a given channel (the reference's fixed
    /// channels).
    pub fn bind_process_at(&mut self, uri: &str, channel: Value, process: Arc<dyn NativeProcess>) {
        self.withheld.remove(uri);
        self.bindings
            .insert(uri.to_string(), Binding::Process(channel, process));
    }

    /// Binds `uri` to a plain value.
    pub fn bind_value(&mut self, uri: &str, value: Value) {
        self.withheld.remove(uri);
        self.bindings.insert(uri.to_string(), Binding::Value(value));
    }

    /// Records that `uri` exists but is not granted, and why, so that a
    /// `new` of it says how to grant it.
    pub fn withhold(&mut self, uri: &str, reason: &str) {
        self.bindings.remove(uri);
        self.withheld.insert(uri.to_string(), reason.to_string());
    }

    /// The name that `new x(`uri`)` binds.
    ///
    /// # Errors
    ///
    /// [`RuntimeError::UriNotGranted`] for a known URI that was withheld,
    /// [`RuntimeError::UnknownUri`] for any other unbound URI.
    pub fn resolve(&self, uri: &str) -> Result<Value, RuntimeError> {
        match self.bindings.get(uri) {
            Some(Binding::Process(channel, _)) | Some(Binding::Value(channel)) => {
                Ok(channel.clone())
            }
            None => Err(match self.withheld.get(uri) {
                Some(reason) => RuntimeError::UriNotGranted {
                    uri: uri.to_string(),
                    reason: reason.clone(),
                },
                None => RuntimeError::UnknownUri(uri.to_string()),
            }),
        }
    }

    /// Notes a capability granted by the operator (e.g. `fs /srv/data`); the
    /// run records it in its event log, and a replay must be granted the same.
    pub fn note_grant(&mut self, capability: impl Into<String>) {
        self.grants.push(capability.into());
    }

    /// The capabilities granted, in the order they were noted.
    pub fn grants(&self) -> &[String] {
        &self.grants
    }

    /// Whether `uri` is bound.
    pub fn contains(&self, uri: &str) -> bool {
        self.bindings.contains_key(uri)
    }

    /// The bound URIs, in order.
    pub fn uris(&self) -> impl Iterator<Item = &str> {
        self.bindings.keys().map(String::as_str)
    }

    /// The native processes with their channels, in URI order.
    pub(crate) fn processes(&self) -> impl Iterator<Item = (&Value, &Arc<dyn NativeProcess>)> {
        self.bindings.values().filter_map(|binding| match binding {
            Binding::Process(channel, process) => Some((channel, process)),
            Binding::Value(_) => None,
        })
    }
}

/// The channel of a URI that has no fixed channel: an unforgeable name whose
/// 32-byte id is Blake2b-256 of the URI, so no Rholang term can forge it and
/// every run derives the same one.
pub fn uri_channel(uri: &str) -> Value {
    let mut hasher = Blake2b::<U32>::new();
    hasher.update(b"rhoc-uri:");
    hasher.update(uri.as_bytes());
    private_name(hasher.finalize().to_vec())
}

/// An unforgeable name with the given id.
pub fn private_name(id: Vec<u8>) -> Value {
    Value::Unforgeable(Arc::new(GUnforgeable {
        unf_instance: Some(UnfInstance::GPrivateBody(GPrivate { id })),
    }))
}

/// A process built from a name, its arities and a function: for processes
/// without state of their own.
pub struct FnProcess<F> {
    name: String,
    arities: Vec<usize>,
    handler: F,
}

impl<F> FnProcess<F>
where
    F: Fn(&mut NativeCall<'_>, Vec<Value>) -> Result<(), RuntimeError> + Send + Sync + 'static,
{
    /// A process named `name` that takes calls of `arities` values.
    pub fn shared(
        name: impl Into<String>,
        arities: &[usize],
        handler: F,
    ) -> Arc<dyn NativeProcess> {
        Arc::new(FnProcess {
            name: name.into(),
            arities: arities.to_vec(),
            handler,
        })
    }
}

impl<F> NativeProcess for FnProcess<F>
where
    F: Fn(&mut NativeCall<'_>, Vec<Value>) -> Result<(), RuntimeError> + Send + Sync,
{
    fn name(&self) -> &str {
        &self.name
    }

    fn arities(&self) -> &[usize] {
        &self.arities
    }

    fn call(&self, call: &mut NativeCall<'_>, args: Vec<Value>) -> Result<(), RuntimeError> {
        (self.handler)(call, args)
    }
}

/// The error for a call with arguments a process does not accept: names the
/// process and prints what it got.
pub fn bad_arguments(process: &str, expected: &str, args: &[Value]) -> RuntimeError {
    RuntimeError::SystemProcess(format!(
        "{process} expects {expected}, got {}",
        args.iter().map(Value::print).collect::<Vec<_>>().join(", ")
    ))
}
