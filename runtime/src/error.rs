//! Runtime errors: a closed set, worded as the reference interpreter words them.
//!
//! A runtime error ends only the process that raised it; the scheduler
//! records it (with the source location of the failing term, when known) and
//! the run goes on with the other processes.

use rho_host_abi::source_map::SourceLoc;

/// Everything that can go wrong while evaluating a process.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RuntimeError {
    /// Integer division or remainder by zero.
    #[error("/ by zero")]
    DivisionByZero,
    /// An operator applied to operands of a type it is not defined on.
    #[error("Operator `{op}` is not defined on {type_name}")]
    OperatorNotDefined {
        /// The operator as written in Rholang, e.g. `+`.
        op: &'static str,
        /// The type of the offending operand.
        type_name: &'static str,
    },
    /// Operands of two different types where one type is required.
    #[error("Operator `{op}` is not defined on {left} and {right}")]
    OperandTypeMismatch {
        /// The operator as written in Rholang.
        op: &'static str,
        /// The type of the left operand.
        left: &'static str,
        /// The type of the right operand.
        right: &'static str,
    },
    /// A method that exists but not on this type of target.
    #[error("Method `{method}` is not defined on {type_name}")]
    MethodNotDefined {
        /// The method name.
        method: String,
        /// The target's type.
        type_name: &'static str,
    },
    /// A method name the language does not have.
    #[error("Unimplemented method: {0}")]
    UnimplementedMethod(String),
    /// A method called with the wrong number of arguments.
    #[error("Method `{method}` expects {expected} argument(s), but got {actual}")]
    MethodArgumentCount {
        /// The method name.
        method: String,
        /// How many arguments it takes.
        expected: usize,
        /// How many were given.
        actual: usize,
    },
    /// A method argument of the wrong type or value.
    #[error("Error: {0}")]
    MethodArgument(String),
    /// An index outside a list, tuple, string or byte array.
    #[error("Error: index out of bound: {0}")]
    IndexOutOfBound(i64),
    /// A value of the wrong type where a specific type is required.
    #[error("Error: {0}")]
    TypeError(String),
    /// A send on a bundle that forbids writing.
    #[error("Trying to send on non-writeable channel.")]
    NonWriteableChannel,
    /// A receive on a bundle that forbids reading.
    #[error("Trying to read from non-readable channel.")]
    NonReadableChannel,
    /// A variable the evaluator could not resolve (malformed input Par).
    #[error("Unbound variable: index {0}")]
    UnboundVariable(i32),
    /// A term the evaluator cannot execute (malformed or unsupported Par).
    #[error("Unsupported term: {0}")]
    Unsupported(String),
    /// A `new` of a system URI that this runtime does not provide.
    #[error("Unknown system URI: `{0}`")]
    UnknownUri(String),
    /// A `new` of a URI that exists but that the operator did not grant.
    #[error("`{uri}` is not granted to this run: {reason}")]
    UriNotGranted {
        /// The URI.
        uri: String,
        /// How to grant it.
        reason: String,
    },
    /// The phlo limit was reached.
    #[error("Computation ran out of phlogistons")]
    OutOfPhlo,
    /// Replay found the execution diverging from the recorded event log.
    #[error("replay mismatch: {0}")]
    ReplayMismatch(String),
    /// Compiled code trapped outside any host call (an untrusted module).
    #[error("Wasm trap: {0}")]
    Trap(String),
    /// Nested Wasm calls went past the injected depth limit.
    #[error("call depth limit of {0} exceeded")]
    CallDepthExceeded(u32),
    /// A system process failed.
    #[error("{0}")]
    SystemProcess(String),
    /// A 64-bit Int argument that does not fit the 32-bit index the
    /// reference uses (`nth`, `slice`, `take`).
    #[error("Integer overflow for value {0}")]
    IntegerOverflow(i64),
    /// `<`, `<=`, `>`, `>=` on operands of different or unordered types.
    #[error("Unexpected compare: {left} vs. {right}")]
    UnexpectedCompare {
        /// The left operand, printed.
        left: String,
        /// The right operand, printed.
        right: String,
    },
    /// BigInt division or remainder by zero (Java's `BigInteger` wording).
    #[error("BigInteger divide by zero")]
    BigIntDivisionByZero,
    /// A byte-array `slice` outside the array (protobuf's `ByteString`
    /// wording, e.g. `End index: 10 >= 4`).
    #[error("{0}")]
    ByteSliceOutOfRange(String),
    /// `toInt` or `toBigInt` could not convert its target, worded as the
    /// reference words it (e.g. `Method toInt(): input string "x" cannot be
    /// converted to Int`).
    #[error("{0}")]
    ConversionFailed(String),
}

impl RuntimeError {
    /// Whether this error stops the whole run (as opposed to only the
    /// process that raised it).
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            RuntimeError::OutOfPhlo | RuntimeError::ReplayMismatch(_)
        )
    }
}

/// A runtime error with the source location of the term that raised it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocatedError {
    /// What went wrong.
    pub error: RuntimeError,
    /// Where, when the source map knows the failing term.
    pub loc: Option<SourceLoc>,
}
