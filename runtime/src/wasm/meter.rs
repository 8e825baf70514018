//! Metering injection: the runtime's own gas accounting and call-depth limit,
//! written into every module it loads.
//!
//! A deploy's own metering is never trusted (DESIGN.md §3.5): [`instrument`]
//! rewrites an already [validated](super::validate::validate) module so that
//! it pays for its own instructions out of a global that only the host sets,
//! and it never depends on wasmtime fuel.
//!
//! # What the instrumented module contains
//!
//! Two mutable globals are appended to the global index space (so no
//! existing index changes) and exported:
//!
//! - [`EXPORT_GAS`] (`rho_gas`, `i64`, initially 0): phlo left. The host sets
//!   it before each call into the module and reads it afterwards; host
//!   imports charge their own costs by lowering it.
//! - [`EXPORT_DEPTH`] (`rho_depth`, `i32`, initially 0): the number of the
//!   module's functions active on the stack. Every normal return restores
//!   it, but a trap leaves it where it was, so the host sets it to 0 before
//!   each call into the module; the limit thus applies per call.
//!
//! Every function body is rewritten as
//!
//! ```text
//! rho_gas -= cost of the first segment; trap if rho_gas < 0
//! rho_depth += 1; trap if rho_depth > max_call_depth
//! block (result <the function's results>)
//!     <the original body; `return` becomes a branch out of this block>
//! end
//! rho_depth -= 1; trap if rho_gas < 0
//! ```
//!
//! and inside the body:
//!
//! - The code is cut into *segments*: straight-line runs that end after a
//!   `loop`, `if`, `else`, `end`, `br`, `br_if`, `br_table`, `return`,
//!   `unreachable`, `call` or `call_indirect` (entering a `block` does not
//!   end one). At the start of each segment, `rho_gas` is lowered by the
//!   static price of all its instructions ([`WasmCosts`]). Control can only
//!   enter a segment at its start, so a run that does not trap is charged
//!   exactly the sum of the prices of the instructions it executed.
//! - `rho_gas < 0` traps with `unreachable` at function entry, at the head
//!   of every loop iteration, just before every `call` and `call_indirect`
//!   (host imports included) and at function exit. Between two checks only
//!   straight-line code and forward branches run, so the overdraft is
//!   bounded by the module's size.
//! - `memory.grow`, `memory.fill`, `memory.copy`, `memory.init`,
//!   `table.copy` and `table.init` are also charged at run time by their
//!   size operand (pages, bytes or elements), then checked, before they run.
//! - Every function entry counts one level of call depth; more than
//!   `max_call_depth` levels trap with `unreachable`.
//!
//! Each function also gets an `i64` local holding a copy of `rho_gas`
//! (loaded at entry and after every call, stored back to the global by
//! every charge), so that charges and checks work on a register while the
//! global stays exact, and an `i32` scratch local if it has size-charged
//! operators: [`METER_SCRATCH_LOCALS`](super::validate::METER_SCRATCH_LOCALS)
//! in all, which validation leaves room for.
//!
//! # The meter across bodies
//!
//! A module that imports the ABI's `next_task` (to run queued bodies one
//! after another in one entry) gets [`METERED_NEXT_TASK`] in its place: the
//! same import slot (so no function index changes) with an appended type
//! `(i64) -> (i32, i64)`. Each `call` of it becomes `global.get rho_gas;
//! call; global.set rho_gas`: the host is handed the meter and hands back
//! the meter of the next body. A module that reaches the import through a
//! table (`call_indirect`) passes whatever it likes, but gains nothing: the
//! host only charges from the figure it is given (a lower one costs the
//! module phlo, a higher one is refused), and the result of such a call is
//! not written to `rho_gas`.
//!
//! # How the host reads the outcome
//!
//! - At every call instruction, `rho_gas` already includes the price of
//!   every instruction executed so far, the call included, so a host
//!   import sees the exact phlo left.
//! - A call that returns normally leaves `rho_gas >= 0`.
//! - A trap with `rho_gas < 0` is out of phlo: this includes a wasm trap
//!   (say, an out-of-bounds access) in a segment whose price had already
//!   overdrawn the meter, since the price of a segment is charged before it
//!   runs.
//! - A trap with `rho_gas >= 0` and `rho_depth > max_call_depth` is the
//!   call-depth limit: the depth check comes after the entry's gas check, so
//!   it never fires with gas below 0.
//! - Any other trap (with `rho_gas >= 0`) is the module's own: a host import
//!   that failed, `unreachable`, division by zero, an out-of-bounds access.
//!   A trap charges the price of its whole segment.
//!
//! # Reserved names
//!
//! A module that already exports `rho_gas` or `rho_depth` is rejected (by
//! [`validate`](super::validate::validate) and again here) rather than
//! renamed, so that the host never reads a global the deploy controls.
//! Internal names (the `name` custom section) are not exports and are kept.
//!
//! # Determinism
//!
//! The output depends only on the input bytes, the [`WasmCosts`] and
//! `max_call_depth`: the same input gives the same bytes, section by
//! section in the input's order.

mod body;
mod layout;

use rho_host_abi::abi::EXPORT_GAS;
use wasm_encoder::reencode::{self, Reencode};
use wasm_encoder::{
    ConstExpr, ExportKind, ExportSection, GlobalSection, GlobalType, Module, SectionId, ValType,
};

use self::layout::Layout;
use super::reject::RejectError;
use crate::phlo::COST_TABLE_VERSION;

/// The import the metering puts in place of the ABI's `next_task`:
/// `(gas: i64) -> (body: i32, gas: i64)`. Every call of `next_task` passes
/// the meter, so the host reconciles the phlo of the body that returned
/// without reading the global, and sets the meter for the next body from
/// the result without writing it (see the [module docs](self)).
pub const METERED_NEXT_TASK: &str = "next_task_metered";

/// Export added by the metering: mutable `i32` global, the number of the
/// module's frames on the stack (see the [module docs](self)).
pub const EXPORT_DEPTH: &str = "rho_depth";

/// Prices of WebAssembly instructions, in phlo.
///
/// This table is part of the runtime's cost table: its version is
/// [`COST_TABLE_VERSION`] in `runtime/src/phlo.rs`, which must be bumped
/// whenever a price here changes (every built module records that version in its `rho.abi`
/// stamp, and an event log replays only under the same prices).
///
/// Every instruction costs [`instruction`](WasmCosts::instruction), except
/// `end` and `else`, which cost nothing; the other fields are added on top.
/// Each price is at most [`WasmCosts::MAX_PRICE`], which keeps every charge
/// far from overflowing the `i64` meter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WasmCosts {
    /// The cost-table version these prices belong to.
    pub version: u32,
    /// Every instruction but `end` and `else`.
    pub instruction: u32,
    /// Extra for `call` (host imports included: the host charges the
    /// import's own work separately).
    pub call: u32,
    /// Extra for `call_indirect`.
    pub call_indirect: u32,
    /// Extra for each load and store.
    pub memory_access: u32,
    /// Extra for `memory.grow`.
    pub memory_grow: u32,
    /// For each page (64 KiB) `memory.grow` is asked for, whether or not it
    /// succeeds.
    pub memory_grow_per_page: u32,
    /// Extra for `memory.fill`, `memory.copy`, `memory.init`, `table.copy`
    /// and `table.init`.
    pub bulk: u32,
    /// For each started [`WasmCosts::BULK_UNIT_BYTES`] bytes that
    /// `memory.fill`, `memory.copy` or `memory.init` is asked to write.
    pub bulk_memory_per_unit: u32,
    /// For each element that `table.copy` or `table.init` is asked to write.
    pub table_element: u32,
}

impl WasmCosts {
    /// The prices of cost-table version 1.
    ///
    /// One phlo is about one simple instruction. A call also sets up a
    /// frame and counts call depth; a page of `memory.grow` is 64 KiB of
    /// zeroed memory; a 64-byte unit of a bulk copy or fill costs about as
    /// much as two simple instructions.
    pub const V1: WasmCosts = WasmCosts {
        version: COST_TABLE_VERSION,
        instruction: 1,
        call: 5,
        call_indirect: 10,
        memory_access: 1,
        memory_grow: 100,
        memory_grow_per_page: 1_000,
        bulk: 5,
        bulk_memory_per_unit: 2,
        table_element: 2,
    };

    /// The largest price [`instrument`] accepts.
    pub const MAX_PRICE: u32 = 1 << 20;

    /// Bulk memory operations are charged per started unit of this many
    /// bytes.
    pub const BULK_UNIT_BYTES: u32 = 64;

    fn prices(&self) -> [(&'static str, u32); 9] {
        [
            ("instruction", self.instruction),
            ("call", self.call),
            ("call_indirect", self.call_indirect),
            ("memory_access", self.memory_access),
            ("memory_grow", self.memory_grow),
            ("memory_grow_per_page", self.memory_grow_per_page),
            ("bulk", self.bulk),
            ("bulk_memory_per_unit", self.bulk_memory_per_unit),
            ("table_element", self.table_element),
        ]
    }
}

impl Default for WasmCosts {
    /// The prices of the current [`COST_TABLE_VERSION`]: [`WasmCosts::V1`].
    fn default() -> Self {
        WasmCosts::V1
    }
}

/// Rewrites a validated module with the runtime's metering (see the
/// [module docs](self)), allowing at most `max_call_depth` nested calls of
/// the module's functions.
///
/// Deterministic: the same arguments give the same bytes. Never panics.
///
/// # Errors
///
/// [`RejectError::Abi`] if the module exports [`EXPORT_GAS`] or
/// [`EXPORT_DEPTH`]; [`RejectError::Metering`] if it uses an instruction
/// outside [`ACCEPTED_FEATURES`](super::validate::ACCEPTED_FEATURES), if a
/// function would grow past the engine's size or locals limits once
/// instrumented, or if a price of `costs` exceeds
/// [`WasmCosts::MAX_PRICE`]; [`RejectError::Malformed`] if the bytes do not
/// decode (the module should have been validated first).
///
/// # Examples
///
/// ```
/// # use rho_runtime::wasm::meter::{instrument, WasmCosts};
/// let wasm = wat::parse_str("(module (func (export \"f\") (result i64) i64.const 7))")?;
/// let metered = instrument(&wasm, &WasmCosts::V1, 1_000)?;
/// // The metered module exports its meter and its depth counter.
/// let exports: Vec<String> = wasmparser::Parser::new(0)
///     .parse_all(&metered)
///     .filter_map(|payload| match payload {
///         Ok(wasmparser::Payload::ExportSection(section)) => Some(section),
///         _ => None,
///     })
///     .flatten()
///     .map(|export| export.unwrap().name.to_string())
///     .collect();
/// assert_eq!(exports, ["f", "rho_gas", "rho_depth"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn instrument(
    wasm: &[u8],
    costs: &WasmCosts,
    max_call_depth: u32,
) -> Result<Vec<u8>, RejectError> {
    for (name, price) in costs.prices() {
        if price > WasmCosts::MAX_PRICE {
            return Err(RejectError::Metering {
                message: format!(
                    "the Wasm price `{name}` is {price}, above the maximum of {}",
                    WasmCosts::MAX_PRICE
                ),
            });
        }
    }
    let layout = Layout::scan(wasm)?;
    let mut metering = Metering {
        costs,
        max_call_depth,
        layout,
        globals_added: false,
        exports_added: false,
        next_body: 0,
    };
    let mut module = Module::new();
    metering
        .parse_core_module(&mut module, wasmparser::Parser::new(0), wasm)
        .map_err(reencode_error)?;
    Ok(module.finish())
}

/// The re-encoder that adds the metering while copying the module.
struct Metering<'a> {
    costs: &'a WasmCosts,
    max_call_depth: u32,
    layout: Layout,
    globals_added: bool,
    exports_added: bool,
    /// Index of the next function body among defined functions.
    next_body: u32,
}

impl Metering<'_> {
    fn add_globals(&mut self, globals: &mut GlobalSection) {
        globals.global(
            GlobalType {
                val_type: ValType::I64,
                mutable: true,
                shared: false,
            },
            &ConstExpr::i64_const(0),
        );
        globals.global(
            GlobalType {
                val_type: ValType::I32,
                mutable: true,
                shared: false,
            },
            &ConstExpr::i32_const(0),
        );
        self.globals_added = true;
    }

    fn add_exports(&mut self, exports: &mut ExportSection) {
        exports.export(EXPORT_GAS, ExportKind::Global, self.layout.gas_global);
        exports.export(EXPORT_DEPTH, ExportKind::Global, self.layout.depth_global);
        self.exports_added = true;
    }
}

impl Reencode for Metering<'_> {
    type Error = RejectError;

    fn parse_type_section(
        &mut self,
        types: &mut wasm_encoder::TypeSection,
        section: wasmparser::TypeSectionReader<'_>,
    ) -> Result<(), reencode::Error<RejectError>> {
        reencode::utils::parse_type_section(self, types, section)?;
        let extra_types = std::mem::take(&mut self.layout.extra_types);
        for results in &extra_types {
            let results: Vec<ValType> = results
                .iter()
                .map(|&ty| self.val_type(ty))
                .collect::<Result<_, _>>()?;
            types.ty().function([], results);
        }
        self.layout.extra_types = extra_types;
        if self.layout.next_task.is_some() {
            types
                .ty()
                .function([ValType::I64], [ValType::I32, ValType::I64]);
        }
        Ok(())
    }

    /// Copies the imports, with [`METERED_NEXT_TASK`] in place of
    /// `next_task`.
    fn parse_import_section(
        &mut self,
        imports: &mut wasm_encoder::ImportSection,
        section: wasmparser::ImportSectionReader<'_>,
    ) -> Result<(), reencode::Error<RejectError>> {
        let mut function = 0u32;
        for import in section.into_imports() {
            let import = import?;
            let is_function = matches!(
                import.ty,
                wasmparser::TypeRef::Func(_) | wasmparser::TypeRef::FuncExact(_)
            );
            if is_function && self.layout.next_task == Some(function) {
                imports.import(
                    import.module,
                    METERED_NEXT_TASK,
                    wasm_encoder::EntityType::Function(self.layout.metered_next_task_type()),
                );
            } else {
                let ty = self.entity_type(import.ty)?;
                imports.import(import.module, import.name, ty);
            }
            if is_function {
                function = function.saturating_add(1);
            }
        }
        Ok(())
    }

    fn parse_global_section(
        &mut self,
        globals: &mut GlobalSection,
        section: wasmparser::GlobalSectionReader<'_>,
    ) -> Result<(), reencode::Error<RejectError>> {
        reencode::utils::parse_global_section(self, globals, section)?;
        self.add_globals(globals);
        Ok(())
    }

    fn parse_export_section(
        &mut self,
        exports: &mut ExportSection,
        section: wasmparser::ExportSectionReader<'_>,
    ) -> Result<(), reencode::Error<RejectError>> {
        reencode::utils::parse_export_section(self, exports, section)?;
        self.add_exports(exports);
        Ok(())
    }

    /// Adds the global and export sections where the module has none.
    fn intersperse_section_hook(
        &mut self,
        module: &mut Module,
        _after: Option<SectionId>,
        before: Option<SectionId>,
    ) -> Result<(), reencode::Error<RejectError>> {
        if !self.globals_added && comes_after(before, SectionId::Global) {
            let mut globals = GlobalSection::new();
            self.add_globals(&mut globals);
            module.section(&globals);
        }
        if !self.exports_added && comes_after(before, SectionId::Export) {
            let mut exports = ExportSection::new();
            self.add_exports(&mut exports);
            module.section(&exports);
        }
        Ok(())
    }

    fn parse_function_body(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        func: wasmparser::FunctionBody<'_>,
    ) -> Result<(), reencode::Error<RejectError>> {
        let defined = self.next_body;
        self.next_body = self.next_body.saturating_add(1);
        let frame = self
            .layout
            .frame(defined)
            .map_err(reencode::Error::UserError)?;
        let globals = body::MeterGlobals {
            gas: self.layout.gas_global,
            depth: self.layout.depth_global,
        };
        let function = body::instrument_body(
            self,
            &body::BodyContext {
                costs: self.costs,
                globals,
                max_call_depth: self.max_call_depth,
                function_index: self.layout.imported_functions.saturating_add(defined),
                frame,
                next_task: self.layout.next_task,
            },
            &func,
        )?;
        code.function(&function);
        Ok(())
    }

    /// Copies custom sections byte for byte (the `name` section included).
    fn parse_custom_section(
        &mut self,
        module: &mut Module,
        section: wasmparser::CustomSectionReader<'_>,
    ) -> Result<(), reencode::Error<RejectError>> {
        module.section(&wasm_encoder::CustomSection {
            name: section.name().into(),
            data: section.data().into(),
        });
        Ok(())
    }
}

/// Whether a section `before` (or the end of the module, `None`) comes
/// after `section` in the binary format's order.
fn comes_after(before: Option<SectionId>, section: SectionId) -> bool {
    match before {
        None => true,
        Some(before) => section_rank(before) > section_rank(section),
    }
}

/// Position of a non-custom section in a module.
fn section_rank(section: SectionId) -> u8 {
    match section {
        SectionId::Custom => 0,
        SectionId::Type => 1,
        SectionId::Import => 2,
        SectionId::Function => 3,
        SectionId::Table => 4,
        SectionId::Memory => 5,
        SectionId::Tag => 6,
        SectionId::Global => 7,
        SectionId::Export => 8,
        SectionId::Start => 9,
        SectionId::Element => 10,
        SectionId::DataCount => 11,
        SectionId::Code => 12,
        SectionId::Data => 13,
    }
}

fn reencode_error(err: reencode::Error<RejectError>) -> RejectError {
    match err {
        reencode::Error::UserError(err) => err,
        reencode::Error::ParseError(err) => RejectError::malformed(&err),
        other => RejectError::Malformed {
            message: other.to_string(),
            offset: 0,
        },
    }
}
