//! Validation of untrusted modules, before anything compiles them.
//!
//! [`validate`] is the first thing the runtime does with a deploy's bytes. It
//! accepts a module only when
//!
//! - it is valid WebAssembly using only the [`ACCEPTED_FEATURES`] (integer
//!   MVP plus bulk memory, multi-value, sign extension and mutable globals:
//!   no floats, SIMD, threads, tail calls, reference types, exceptions,
//!   multiple or 64-bit memories, components);
//! - it imports only functions of module [`IMPORT_MODULE`] whose name and
//!   exact signature are in the host ABI's [`IMPORTS`](rho_host_abi::abi::IMPORTS) table, each at most
//!   once, and no memories, tables or globals;
//! - it carries exactly one [`SECTION_ABI`] stamp for this runtime's
//!   [`ABI_VERSION`] and the given cost-table version;
//! - it has no start function and exports nothing under a name that the
//!   runtime's metering adds ([`EXPORT_GAS`], [`EXPORT_DEPTH`]);
//! - it stays within every [`ModuleLimits`] bound (the JIT-bomb defence).
//!
//! Limits are checked section by section as the module is read, before the
//! section's contents are type-checked, so an oversized module is refused
//! without being decoded in full, and never reaches the compiler.

use std::collections::BTreeMap;
use std::mem;

use rho_host_abi::abi::{ABI_VERSION, AbiStamp, EXPORT_GAS, IMPORT_MODULE, ImportSig, SECTION_ABI};
use wasmparser::{
    BinaryReaderError, ExternalKind, FuncValidatorAllocations, FunctionBody, MemoryType, Parser,
    Payload, TableType, TypeRef, ValidPayload, Validator, WasmFeatures,
};

use super::meter::EXPORT_DEPTH;
pub use super::reject::{LimitKind, RejectError};

/// The WebAssembly features rhoc accepts, and the only place they are listed.
///
/// - mutable globals: the ABI's `rho_component`/`rho_location` exports and
///   the metering's own globals;
/// - sign extension (`i64.extend32_s`, ...): plain integer instructions;
/// - multi-value: blocks and functions with several results;
/// - bulk memory (`memory.copy`, `memory.fill`, `memory.init`, `data.drop`,
///   `table.copy`, `table.init`, `elem.drop`): the metering prices each by
///   its size operand at run time.
///
/// Everything else is refused: floats (their NaN bits differ between
/// machines), SIMD and relaxed SIMD, threads, atomics and shared memory,
/// tail calls (they would skip the metering's frame accounting), reference
/// types and GC, exceptions, multiple memories, 64-bit memories, custom page
/// sizes, wide arithmetic, stack switching and the component model.
pub const ACCEPTED_FEATURES: WasmFeatures = WasmFeatures::MUTABLE_GLOBAL
    .union(WasmFeatures::SIGN_EXTENSION)
    .union(WasmFeatures::MULTI_VALUE)
    .union(WasmFeatures::BULK_MEMORY);

/// The most locals (parameters included) a function may have after
/// metering: the limit that wasmtime's validator enforces.
pub const ENGINE_MAX_LOCALS: u64 = 50_000;

/// How many locals [`instrument`](super::meter::instrument) may add to a
/// function (a copy of the meter and a scratch local for size operands).
pub const METER_SCRATCH_LOCALS: u64 = 2;

/// Size bounds on an untrusted module, all checked before compilation.
///
/// Each field is a maximum; a module that exceeds one is refused with a
/// [`RejectError::Limit`] naming it. The [`Default`] is generous for
/// generated code and small enough that compiling the largest accepted
/// module takes seconds, not minutes:
///
/// | field | default |
/// |---|---|
/// | `module_bytes` | 16 MiB |
/// | `types` | 10,000 |
/// | `imports` | 1,000 |
/// | `functions` | 100,000 |
/// | `locals_per_function` | 49,000 (parameters included) |
/// | `body_bytes` | 4 MiB |
/// | `memory_initial_pages` | 256 (16 MiB) |
/// | `memory_maximum_pages` | 256 (16 MiB) |
/// | `table_elements` | 100,000 |
/// | `globals` | 10,000 |
/// | `exports` | 10,000 |
/// | `element_segments` | 10,000 |
/// | `element_items` | 100,000 |
/// | `data_segments` | 10,000 |
/// | `data_bytes` | 16 MiB |
///
/// A memory must declare a maximum size (so that `memory.grow` fails at the
/// same size on every machine); a table may omit it, since no accepted
/// instruction grows a table. `locals_per_function` is capped at
/// [`ENGINE_MAX_LOCALS`] minus [`METER_SCRATCH_LOCALS`], whatever its value,
/// so that a metered function still compiles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleLimits {
    /// Size of the whole module in bytes.
    pub module_bytes: u64,
    /// Entries of the type section.
    pub types: u64,
    /// Entries of the import section.
    pub imports: u64,
    /// Functions defined by the module (imports not included).
    pub functions: u64,
    /// Locals of one function, its parameters included.
    pub locals_per_function: u64,
    /// Size of one function body in bytes (locals and code).
    pub body_bytes: u64,
    /// Initial size of the memory, in 64 KiB pages.
    pub memory_initial_pages: u64,
    /// Declared maximum size of the memory, in 64 KiB pages.
    pub memory_maximum_pages: u64,
    /// Initial and maximum size of each table, in elements.
    pub table_elements: u64,
    /// Globals defined by the module.
    pub globals: u64,
    /// Exports.
    pub exports: u64,
    /// Element segments.
    pub element_segments: u64,
    /// Items of all element segments together.
    pub element_items: u64,
    /// Data segments.
    pub data_segments: u64,
    /// Bytes of all data segments together.
    pub data_bytes: u64,
}

impl Default for ModuleLimits {
    fn default() -> Self {
        const MIB: u64 = 1 << 20;
        ModuleLimits {
            module_bytes: 16 * MIB,
            types: 10_000,
            imports: 1_000,
            functions: 100_000,
            locals_per_function: 49_000,
            body_bytes: 4 * MIB,
            memory_initial_pages: 256,
            memory_maximum_pages: 256,
            table_elements: 100_000,
            globals: 10_000,
            exports: 10_000,
            element_segments: 10_000,
            element_items: 100_000,
            data_segments: 10_000,
            data_bytes: 16 * MIB,
        }
    }
}

/// What [`validate`] learned about an accepted module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleInfo {
    /// The module's `rho.abi` stamp (equal to the versions asked for).
    pub stamp: AbiStamp,
    /// Each imported host function: its ABI name and its function index.
    /// Imported functions come first in the function index space.
    pub imports: BTreeMap<&'static str, u32>,
    /// Number of imported functions.
    pub imported_functions: u32,
    /// Number of functions the module defines.
    pub defined_functions: u32,
    /// The module's exports, in their order.
    pub exports: Vec<ModuleExport>,
    /// The memory, if the module defines one.
    pub memory: Option<MemoryLimits>,
}

/// One export of a module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleExport {
    /// The export name.
    pub name: String,
    /// What is exported.
    pub kind: ExportKind,
    /// Its index in the index space of its kind.
    pub index: u32,
}

/// What an export refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExportKind {
    /// A function.
    Function,
    /// A table.
    Table,
    /// A memory.
    Memory,
    /// A global.
    Global,
}

/// The declared size of a module's memory, in 64 KiB pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryLimits {
    /// Pages at instantiation.
    pub initial: u64,
    /// Pages it can grow to.
    pub maximum: u64,
}

impl ModuleInfo {
    /// The export named `name`, if any.
    pub fn export(&self, name: &str) -> Option<&ModuleExport> {
        self.exports.iter().find(|export| export.name == name)
    }
}

/// Checks untrusted module bytes against the host ABI, the accepted
/// features and `limits`, for a runtime whose cost table has version
/// `cost_table_version`.
///
/// Never panics, whatever the bytes; runs in time linear in their length.
///
/// # Errors
///
/// A [`RejectError`] for the first problem found: [`RejectError::Limit`]
/// when a limit is exceeded (checked before the section that exceeds it is
/// type-checked), [`RejectError::Malformed`] for bytes that are not valid
/// WebAssembly, [`RejectError::Feature`] for valid WebAssembly outside
/// [`ACCEPTED_FEATURES`], [`RejectError::Import`] for an import outside the
/// ABI, [`RejectError::Abi`] for a missing or mismatched `rho.abi` stamp, a
/// start function or a reserved export name.
///
/// # Examples
///
/// ```
/// # use rho_runtime::wasm::validate::{validate, ModuleLimits, RejectError};
/// // A module without the `rho.abi` stamp is refused.
/// let wasm = wat::parse_str("(module (func (export \"f\")))").unwrap();
/// let err = validate(&wasm, &ModuleLimits::default(), 1).unwrap_err();
/// assert!(matches!(err, RejectError::Abi { .. }));
/// assert_eq!(
///     err.to_string(),
///     "module rejected: it has no `rho.abi` section (the host ABI and cost-table versions it was built for)"
/// );
/// ```
pub fn validate(
    wasm: &[u8],
    limits: &ModuleLimits,
    cost_table_version: u32,
) -> Result<ModuleInfo, RejectError> {
    check_limit(
        LimitKind::ModuleBytes,
        len_u64(wasm.len()),
        limits.module_bytes,
        || format!("the module is {} bytes", wasm.len()),
    )?;
    let checker = Checker::new(limits, cost_table_version);
    match checker.run(wasm) {
        Ok(info) => Ok(info),
        Err(Failure::Reject(err)) => Err(err),
        Err(Failure::Wasm(err)) => Err(classify(wasm, &err)),
    }
}

/// Tells a feature error from a malformed module: the same bytes are valid
/// when every feature is enabled exactly when the only problem is a feature.
fn classify(wasm: &[u8], err: &BinaryReaderError) -> RejectError {
    let mut everything = Validator::new_with_features(WasmFeatures::all());
    match everything.validate_all(wasm) {
        Ok(_) => RejectError::Feature {
            message: err.message().to_string(),
            offset: err.offset(),
        },
        Err(_) => RejectError::malformed(err),
    }
}

/// Why a check failed: our own rejection, or a decoding/validation error
/// still to be classified.
enum Failure {
    Reject(RejectError),
    Wasm(BinaryReaderError),
}

impl From<BinaryReaderError> for Failure {
    fn from(err: BinaryReaderError) -> Self {
        Failure::Wasm(err)
    }
}

impl From<RejectError> for Failure {
    fn from(err: RejectError) -> Self {
        Failure::Reject(err)
    }
}

/// A function signature of the type section.
struct Signature {
    params: Box<[wasmparser::ValType]>,
    results: Box<[wasmparser::ValType]>,
}

/// The state of one validation pass.
struct Checker<'l> {
    limits: &'l ModuleLimits,
    cost_table_version: u32,
    /// The type section, `None` for non-function types.
    types: Vec<Option<Signature>>,
    /// Type index of each defined function.
    function_types: Vec<u32>,
    imports: BTreeMap<&'static str, u32>,
    imported_functions: u32,
    exports: Vec<ModuleExport>,
    memory: Option<MemoryLimits>,
    stamps: Vec<Vec<u8>>,
    tables: u64,
    globals: u64,
    element_items: u64,
    data_bytes: u64,
    /// Index of the next code section entry among defined functions.
    next_body: u32,
}

impl<'l> Checker<'l> {
    fn new(limits: &'l ModuleLimits, cost_table_version: u32) -> Self {
        Checker {
            limits,
            cost_table_version,
            types: Vec::new(),
            function_types: Vec::new(),
            imports: BTreeMap::new(),
            imported_functions: 0,
            exports: Vec::new(),
            memory: None,
            stamps: Vec::new(),
            tables: 0,
            globals: 0,
            element_items: 0,
            data_bytes: 0,
            next_body: 0,
        }
    }

    /// One pass over the module: for each section, our limits, then
    /// wasmparser's validation, then our checks of its contents.
    fn run(mut self, wasm: &[u8]) -> Result<ModuleInfo, Failure> {
        let mut validator = Validator::new_with_features(ACCEPTED_FEATURES);
        let mut parser = Parser::new(0);
        parser.set_features(ACCEPTED_FEATURES);
        let mut allocations = FuncValidatorAllocations::default();
        for payload in parser.parse_all(wasm) {
            let payload = payload?;
            self.check_limits(&payload)?;
            match validator.payload(&payload)? {
                ValidPayload::Func(func, body) => {
                    let mut func_validator = func.into_validator(mem::take(&mut allocations));
                    func_validator.validate(&body)?;
                    allocations = func_validator.into_allocations();
                }
                ValidPayload::Parser(_) => {
                    return Err(RejectError::Feature {
                        message: "nested modules and components are not supported".into(),
                        offset: 0,
                    }
                    .into());
                }
                ValidPayload::Ok | ValidPayload::End(_) => {}
            }
            self.check_contents(payload)?;
        }
        self.finish()
    }

    /// The limits a section can exceed, checked before it is type-checked.
    fn check_limits(&mut self, payload: &Payload<'_>) -> Result<(), Failure> {
        let limits = self.limits;
        match payload {
            Payload::TypeSection(section) => {
                let count = section.count();
                check_limit(LimitKind::Types, count.into(), limits.types, || {
                    format!("the module declares {count} types")
                })?;
            }
            Payload::ImportSection(section) => {
                let count = section.count();
                check_limit(LimitKind::Imports, count.into(), limits.imports, || {
                    format!("the module has {count} imports")
                })?;
            }
            Payload::FunctionSection(section) => {
                let count = section.count();
                check_limit(LimitKind::Functions, count.into(), limits.functions, || {
                    format!("the module defines {count} functions")
                })?;
            }
            Payload::CodeSectionStart { count, .. } => {
                let count = *count;
                check_limit(LimitKind::Functions, count.into(), limits.functions, || {
                    format!("the module defines {count} functions")
                })?;
            }
            Payload::CodeSectionEntry(body) => self.check_body_limits(body)?,
            Payload::TableSection(section) => {
                for table in section.clone() {
                    let table = table?;
                    self.check_table(&table.ty)?;
                }
            }
            Payload::MemorySection(section) => {
                for (index, memory) in section.clone().into_iter().enumerate() {
                    self.check_memory(index, &memory?)?;
                }
            }
            Payload::GlobalSection(section) => {
                let count = section.count();
                self.globals = count.into();
                check_limit(LimitKind::Globals, count.into(), limits.globals, || {
                    format!("the module defines {count} globals")
                })?;
            }
            Payload::ExportSection(section) => {
                let count = section.count();
                check_limit(LimitKind::Exports, count.into(), limits.exports, || {
                    format!("the module has {count} exports")
                })?;
            }
            Payload::ElementSection(section) => {
                let count = section.count();
                check_limit(
                    LimitKind::ElementSegments,
                    count.into(),
                    limits.element_segments,
                    || format!("the module has {count} element segments"),
                )?;
                for element in section.clone() {
                    let items = match element?.items {
                        wasmparser::ElementItems::Functions(items) => items.count(),
                        wasmparser::ElementItems::Expressions(_, items) => items.count(),
                    };
                    self.element_items = self.element_items.saturating_add(items.into());
                    let total = self.element_items;
                    check_limit(LimitKind::ElementItems, total, limits.element_items, || {
                        format!("the element segments hold at least {total} items")
                    })?;
                }
            }
            Payload::DataCountSection { count, .. } => {
                let count = *count;
                check_limit(
                    LimitKind::DataSegments,
                    count.into(),
                    limits.data_segments,
                    || format!("the module has {count} data segments"),
                )?;
            }
            Payload::DataSection(section) => {
                let count = section.count();
                check_limit(
                    LimitKind::DataSegments,
                    count.into(),
                    limits.data_segments,
                    || format!("the module has {count} data segments"),
                )?;
                for data in section.clone() {
                    self.data_bytes = self.data_bytes.saturating_add(len_u64(data?.data.len()));
                    let total = self.data_bytes;
                    check_limit(LimitKind::DataBytes, total, limits.data_bytes, || {
                        format!("the data segments hold at least {total} bytes")
                    })?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Body size and locals (parameters included) of one function.
    fn check_body_limits(&mut self, body: &FunctionBody<'_>) -> Result<(), Failure> {
        let defined = self.next_body;
        self.next_body = self.next_body.saturating_add(1);
        let function = u64::from(self.imported_functions) + u64::from(defined);
        let size = len_u64(body.range().len());
        check_limit(LimitKind::BodyBytes, size, self.limits.body_bytes, || {
            format!("the body of function {function} is {size} bytes")
        })?;
        let params = self
            .function_types
            .get(defined as usize)
            .and_then(|&ty| self.types.get(ty as usize))
            .and_then(Option::as_ref)
            .map_or(0, |sig| len_u64(sig.params.len()));
        let mut locals = params;
        for group in body.get_locals_reader()? {
            let (count, _) = group?;
            locals = locals.saturating_add(count.into());
        }
        let maximum = self
            .limits
            .locals_per_function
            .min(ENGINE_MAX_LOCALS - METER_SCRATCH_LOCALS);
        check_limit(LimitKind::LocalsPerFunction, locals, maximum, || {
            format!("function {function} has {locals} locals")
        })?;
        Ok(())
    }

    fn check_table(&mut self, table: &TableType) -> Result<(), Failure> {
        let index = self.tables;
        self.tables += 1;
        let limit = self.limits.table_elements;
        check_limit(LimitKind::TableElements, table.initial, limit, || {
            format!("table {index} starts with {} elements", table.initial)
        })?;
        if let Some(maximum) = table.maximum {
            check_limit(LimitKind::TableElements, maximum, limit, || {
                format!("table {index} may grow to {maximum} elements")
            })?;
        }
        Ok(())
    }

    fn check_memory(&mut self, index: usize, memory: &MemoryType) -> Result<(), Failure> {
        let limits = self.limits;
        check_limit(
            LimitKind::MemoryInitialPages,
            memory.initial,
            limits.memory_initial_pages,
            || format!("memory {index} starts with {} pages", memory.initial),
        )?;
        let Some(maximum) = memory.maximum else {
            return Err(RejectError::Limit {
                limit: LimitKind::MemoryMaximumPages,
                subject: format!("memory {index} declares no maximum size (one is required)"),
                maximum: limits.memory_maximum_pages,
            }
            .into());
        };
        check_limit(
            LimitKind::MemoryMaximumPages,
            maximum,
            limits.memory_maximum_pages,
            || format!("memory {index} may grow to {maximum} pages"),
        )?;
        self.memory = Some(MemoryLimits {
            initial: memory.initial,
            maximum,
        });
        Ok(())
    }

    /// Checks of a section that wasmparser has accepted.
    fn check_contents(&mut self, payload: Payload<'_>) -> Result<(), Failure> {
        match payload {
            Payload::TypeSection(section) => {
                for group in section {
                    for sub_type in group?.into_types() {
                        let signature = match sub_type.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(func) => Some(Signature {
                                params: func.params().into(),
                                results: func.results().into(),
                            }),
                            _ => None,
                        };
                        self.types.push(signature);
                    }
                }
            }
            Payload::ImportSection(section) => {
                for import in section.into_imports() {
                    self.check_import(import?)?;
                }
            }
            Payload::FunctionSection(section) => {
                for ty in section {
                    self.function_types.push(ty?);
                }
            }
            Payload::ExportSection(section) => {
                for export in section {
                    self.check_export(export?)?;
                }
            }
            Payload::StartSection { func, .. } => {
                return Err(RejectError::Abi {
                    message: format!(
                        "it has a start function (function {func}); the host ABI runs a module only through its exports"
                    ),
                }
                .into());
            }
            Payload::CustomSection(section) if section.name() == SECTION_ABI => {
                self.stamps.push(section.data().to_vec());
            }
            _ => {}
        }
        Ok(())
    }

    fn check_import(&mut self, import: wasmparser::Import<'_>) -> Result<(), Failure> {
        let qualified = format!("{}.{}", import.module, import.name);
        let reject = |message: String| Failure::Reject(RejectError::Import { message });
        if import.module != IMPORT_MODULE {
            return Err(reject(format!(
                "it imports `{qualified}`; only functions of module `{IMPORT_MODULE}` can be imported"
            )));
        }
        let type_index = match import.ty {
            TypeRef::Func(index) | TypeRef::FuncExact(index) => index,
            TypeRef::Memory(_) => {
                return Err(reject(format!(
                    "it imports a memory `{qualified}`; only host functions can be imported"
                )));
            }
            TypeRef::Table(_) => {
                return Err(reject(format!(
                    "it imports a table `{qualified}`; only host functions can be imported"
                )));
            }
            TypeRef::Global(_) => {
                return Err(reject(format!(
                    "it imports a global `{qualified}`; only host functions can be imported"
                )));
            }
            TypeRef::Tag(_) => {
                return Err(reject(format!(
                    "it imports a tag `{qualified}`; only host functions can be imported"
                )));
            }
        };
        let Some(expected) = rho_host_abi::abi::import(import.name) else {
            return Err(reject(format!(
                "it imports `{qualified}`, which is not a function of host ABI version {ABI_VERSION}"
            )));
        };
        let Some(Some(actual)) = self.types.get(type_index as usize) else {
            return Err(reject(format!(
                "it imports `{qualified}` with a type that is not a function type"
            )));
        };
        if !signature_matches(expected, actual) {
            return Err(reject(format!(
                "it imports `{qualified}` with type {}, but the host ABI's is {}",
                render_signature(&actual.params, &actual.results),
                render_abi_signature(expected),
            )));
        }
        if self.imports.contains_key(expected.name) {
            return Err(reject(format!("it imports `{qualified}` more than once")));
        }
        self.imports.insert(expected.name, self.imported_functions);
        self.imported_functions += 1;
        Ok(())
    }

    fn check_export(&mut self, export: wasmparser::Export<'_>) -> Result<(), Failure> {
        if export.name == EXPORT_GAS || export.name == EXPORT_DEPTH {
            return Err(RejectError::Abi {
                message: format!(
                    "it exports `{}`, a name reserved for the runtime's metering",
                    export.name
                ),
            }
            .into());
        }
        let kind = match export.kind {
            ExternalKind::Func | ExternalKind::FuncExact => ExportKind::Function,
            ExternalKind::Table => ExportKind::Table,
            ExternalKind::Memory => ExportKind::Memory,
            ExternalKind::Global => ExportKind::Global,
            ExternalKind::Tag => {
                return Err(RejectError::Feature {
                    message: "exception tags are not supported".into(),
                    offset: 0,
                }
                .into());
            }
        };
        self.exports.push(ModuleExport {
            name: export.name.to_string(),
            kind,
            index: export.index,
        });
        Ok(())
    }

    /// The checks that need the whole module: the `rho.abi` stamp.
    fn finish(self) -> Result<ModuleInfo, Failure> {
        let stamp = match self.stamps.as_slice() {
            [] => {
                return Err(abi_error(format!(
                    "it has no `{SECTION_ABI}` section (the host ABI and cost-table versions it was built for)"
                )));
            }
            [bytes] => AbiStamp::from_bytes(bytes).ok_or_else(|| {
                abi_error(format!(
                    "its `{SECTION_ABI}` section is {} bytes long, not 8",
                    bytes.len()
                ))
            })?,
            several => {
                return Err(abi_error(format!(
                    "it has {} `{SECTION_ABI}` sections, not one",
                    several.len()
                )));
            }
        };
        if stamp.abi_version != ABI_VERSION {
            return Err(abi_error(format!(
                "it was built for host ABI version {}, but this runtime implements version {ABI_VERSION}",
                stamp.abi_version
            )));
        }
        if stamp.cost_table_version != self.cost_table_version {
            return Err(abi_error(format!(
                "it was built for cost table version {}, but this runtime charges version {}",
                stamp.cost_table_version, self.cost_table_version
            )));
        }
        Ok(ModuleInfo {
            stamp,
            imports: self.imports,
            imported_functions: self.imported_functions,
            defined_functions: len_u32(self.function_types.len()),
            exports: self.exports,
            memory: self.memory,
        })
    }
}

fn abi_error(message: String) -> Failure {
    Failure::Reject(RejectError::Abi { message })
}

/// `Err(Limit)` when `actual > maximum`; `subject` describes `actual`.
fn check_limit(
    limit: LimitKind,
    actual: u64,
    maximum: u64,
    subject: impl FnOnce() -> String,
) -> Result<(), RejectError> {
    if actual <= maximum {
        return Ok(());
    }
    Err(RejectError::Limit {
        limit,
        subject: subject(),
        maximum,
    })
}

fn signature_matches(expected: &ImportSig, actual: &Signature) -> bool {
    fn same(abi: &[rho_host_abi::abi::ValType], wasm: &[wasmparser::ValType]) -> bool {
        abi.len() == wasm.len()
            && abi.iter().zip(wasm).all(|(abi, wasm)| {
                matches!(
                    (abi, wasm),
                    (rho_host_abi::abi::ValType::I32, wasmparser::ValType::I32)
                        | (rho_host_abi::abi::ValType::I64, wasmparser::ValType::I64)
                )
            })
    }
    same(expected.params, &actual.params) && same(expected.results, &actual.results)
}

/// A signature as `[i32 i64] -> [i64]`.
fn render_signature(params: &[wasmparser::ValType], results: &[wasmparser::ValType]) -> String {
    let list = |types: &[wasmparser::ValType]| {
        types
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!("[{}] -> [{}]", list(params), list(results))
}

fn render_abi_signature(sig: &ImportSig) -> String {
    let list = |types: &[rho_host_abi::abi::ValType]| {
        types
            .iter()
            .map(|ty| match ty {
                rho_host_abi::abi::ValType::I32 => "i32",
                rho_host_abi::abi::ValType::I64 => "i64",
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!("[{}] -> [{}]", list(sig.params), list(sig.results))
}

fn len_u64(len: usize) -> u64 {
    u64::try_from(len).unwrap_or(u64::MAX)
}

fn len_u32(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}
