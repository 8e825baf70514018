//! The channel of a loaded module: a native process that calls its exports,
//! synchronously as methods or asynchronously by message.

use rho_runtime::native::{NativeCall, NativeProcess, bad_arguments};
use rho_runtime::wasm::foreign::{ForeignArg, ForeignError, ForeignModule, ForeignValue};
use rho_runtime::{RuntimeError, Value};

use super::{URI, report};

/// Values of a message besides the arguments: the export name and the
/// return channel.
const MESSAGE_HEAD: usize = 2;

/// A loaded module behind its channel.
pub(super) struct ModuleProcess {
    name: String,
    module: ForeignModule,
    arities: Vec<usize>,
}

impl ModuleProcess {
    /// The process of `module`. It receives messages of one value up to
    /// one more than its widest export can take (name, return channel,
    /// error channel and one value per parameter), so that a message with
    /// one argument too many is answered with an error.
    pub(super) fn new(module: ForeignModule) -> ModuleProcess {
        let widest = module
            .exports()
            .iter()
            .map(|export| export.params.len())
            .max()
            .unwrap_or(0);
        let hash = module.hash();
        ModuleProcess {
            name: format!("{URI}:{}", hex::encode(&hash[..8])),
            module,
            arities: (1..=widest + MESSAGE_HEAD + 2).collect(),
        }
    }

    /// Runs export `name` on `args` within the phlo left, and charges what
    /// it used.
    ///
    /// `Ok(Err(error))` is a failure of the call (reported to the caller);
    /// `Err` is out of phlo, which stops the run.
    fn invoke(
        &self,
        call: &mut NativeCall<'_>,
        name: &str,
        args: &[Value],
    ) -> Result<Result<Value, String>, RuntimeError> {
        let mut foreign_args = Vec::with_capacity(args.len());
        for (index, arg) in args.iter().enumerate() {
            match arg {
                Value::Int(value) => foreign_args.push(ForeignArg::Int(*value)),
                Value::Bytes(bytes) => foreign_args.push(ForeignArg::Bytes(bytes)),
                other => {
                    return Ok(Err(format!(
                        "argument {} of `{name}` is a {}; a Wasm function takes Ints and byte \
                         arrays",
                        index + 1,
                        other.type_name()
                    )));
                }
            }
        }
        let outcome = self.module.call(name, &foreign_args, call.phlo_left());
        call.charge(outcome.phlo_used)?;
        match outcome.outcome {
            Ok(value) => Ok(Ok(to_value(value))),
            Err(ForeignError::OutOfPhlo) => Err(RuntimeError::OutOfPhlo),
            Err(error) => Ok(Err(error.to_string())),
        }
    }
}

impl NativeProcess for ModuleProcess {
    fn name(&self) -> &str {
        &self.name
    }

    fn arities(&self) -> &[usize] {
        &self.arities
    }

    /// `m!("name", ret, args...)` or `m!("name", ret, err, args...)`: the
    /// result on `ret`; a failure on `err` (if given) and on stderr.
    fn call(&self, call: &mut NativeCall<'_>, args: Vec<Value>) -> Result<(), RuntimeError> {
        let (name, ret, rest) = match args.as_slice() {
            [Value::Str(name), ret, rest @ ..] => (name, ret, rest),
            _ => {
                return Err(bad_arguments(
                    &self.name,
                    "an export name, a return channel, optionally an error channel, then \
                     the arguments",
                    &args,
                ));
            }
        };
        // Arguments are Ints and byte arrays: anything else after the
        // return channel is the error channel.
        let (err, rest) = match rest {
            [first, rest @ ..] if !matches!(first, Value::Int(_) | Value::Bytes(_)) => {
                (Some(first), rest)
            }
            _ => (None, rest),
        };
        match self.invoke(call, name, rest)? {
            Ok(value) => call.send(ret.clone(), vec![value]),
            Err(message) => report(call, err, &message),
        }
        Ok(())
    }

    /// `(*m).name(args...)`: the result replaces the call; a failure is a
    /// runtime error of the caller.
    fn method(
        &self,
        call: &mut NativeCall<'_>,
        name: &str,
        args: &[Value],
    ) -> Option<Result<Value, RuntimeError>> {
        Some(match self.invoke(call, name, args) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(message)) => Err(RuntimeError::SystemProcess(format!("{URI}: {message}"))),
            Err(error) => Err(error),
        })
    }
}

fn to_value(value: ForeignValue) -> Value {
    match value {
        ForeignValue::Nothing => Value::Nil,
        ForeignValue::Int(value) => Value::Int(value),
        ForeignValue::Bytes(bytes) => Value::Bytes(bytes.into()),
    }
}
