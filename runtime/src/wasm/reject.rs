//! Why an untrusted module was refused: the error of
//! [`validate`](super::validate::validate) and
//! [`instrument`](super::meter::instrument).
//!
//! Every message starts with `module rejected:` and stands alone, so the CLI
//! and the node can print it as is.

use std::fmt;

/// Why a module was rejected before compilation.
///
/// A closed set: the host maps each variant to one kind of deploy failure,
/// and no variant depends on the engine that would have compiled the module.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RejectError {
    /// The bytes are not a valid WebAssembly module, whatever features one
    /// allows: truncated, badly encoded, or ill-typed.
    #[error("module rejected: invalid WebAssembly: {message} (at offset {offset:#x})")]
    Malformed {
        /// The decoder's or type checker's message.
        message: String,
        /// Byte offset of the problem in the module.
        offset: usize,
    },
    /// A valid module that uses a WebAssembly feature outside
    /// [`ACCEPTED_FEATURES`](super::validate::ACCEPTED_FEATURES), such as a
    /// float or SIMD instruction.
    #[error(
        "module rejected: it uses a WebAssembly feature that rhoc does not accept: \
         {message} (at offset {offset:#x})"
    )]
    Feature {
        /// The type checker's message, naming the feature.
        message: String,
        /// Byte offset of the first use.
        offset: usize,
    },
    /// An import outside the host ABI: another module, an unknown name, a
    /// signature that differs from the ABI's, or something other than a
    /// function.
    #[error("module rejected: {message}")]
    Import {
        /// What was imported and why it is refused.
        message: String,
    },
    /// A limit of [`ModuleLimits`](super::validate::ModuleLimits) was
    /// exceeded.
    #[error("module rejected: {subject}, the limit is {maximum}")]
    Limit {
        /// Which limit.
        limit: LimitKind,
        /// What exceeded it, e.g. `function 3 has 70000 locals`.
        subject: String,
        /// The limit's value.
        maximum: u64,
    },
    /// The module does not fit the host ABI as a whole: a missing, repeated
    /// or mismatched `rho.abi` stamp, an export name reserved for the
    /// runtime's metering, or a start function.
    #[error("module rejected: {message}")]
    Abi {
        /// What is wrong.
        message: String,
    },
    /// The module is valid but cannot be metered: an instruction the
    /// metering has no price for, or a function that would exceed the
    /// engine's own size limits once instrumented.
    #[error("module rejected: {message}")]
    Metering {
        /// What could not be metered.
        message: String,
    },
}

/// The limits of [`ModuleLimits`](super::validate::ModuleLimits), one per
/// field, so that callers and tests can tell which one a
/// [`RejectError::Limit`] names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LimitKind {
    /// `module_bytes`.
    ModuleBytes,
    /// `types`.
    Types,
    /// `imports`.
    Imports,
    /// `functions`.
    Functions,
    /// `locals_per_function`.
    LocalsPerFunction,
    /// `body_bytes`.
    BodyBytes,
    /// `memory_initial_pages`.
    MemoryInitialPages,
    /// `memory_maximum_pages`.
    MemoryMaximumPages,
    /// `table_elements`.
    TableElements,
    /// `globals`.
    Globals,
    /// `exports`.
    Exports,
    /// `element_segments`.
    ElementSegments,
    /// `element_items`.
    ElementItems,
    /// `data_segments`.
    DataSegments,
    /// `data_bytes`.
    DataBytes,
}

impl fmt::Display for LimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            LimitKind::ModuleBytes => "module_bytes",
            LimitKind::Types => "types",
            LimitKind::Imports => "imports",
            LimitKind::Functions => "functions",
            LimitKind::LocalsPerFunction => "locals_per_function",
            LimitKind::BodyBytes => "body_bytes",
            LimitKind::MemoryInitialPages => "memory_initial_pages",
            LimitKind::MemoryMaximumPages => "memory_maximum_pages",
            LimitKind::TableElements => "table_elements",
            LimitKind::Globals => "globals",
            LimitKind::Exports => "exports",
            LimitKind::ElementSegments => "element_segments",
            LimitKind::ElementItems => "element_items",
            LimitKind::DataSegments => "data_segments",
            LimitKind::DataBytes => "data_bytes",
        };
        f.write_str(name)
    }
}

impl RejectError {
    /// A [`RejectError::Malformed`] from a decoding error.
    pub(crate) fn malformed(err: &wasmparser::BinaryReaderError) -> RejectError {
        RejectError::Malformed {
            message: err.message().to_string(),
            offset: err.offset(),
        }
    }
}
