//! The rewriting of one function body: segment charges, gas checks, the
//! call-depth counter and run-time charges of size operands.
//!
//! Two passes over the operators: the first prices each segment, the second
//! copies the code with the charges and checks inserted. Neither recurses,
//! so nesting depth costs no stack.

use wasm_encoder::reencode::{self, Reencode};
use wasm_encoder::{BlockType, Function, Instruction, ValType};
use wasmparser::{FunctionBody, Operator};

use super::WasmCosts;
use super::layout::{Frame, WrapperType};
use crate::wasm::reject::RejectError;
use crate::wasm::validate::ENGINE_MAX_LOCALS;

/// The largest function body wasmtime compiles, in bytes.
const ENGINE_MAX_BODY_BYTES: usize = 7_654_321;

/// The metering's global indices.
#[derive(Clone, Copy)]
pub(super) struct MeterGlobals {
    /// `rho_gas`, `i64`.
    pub gas: u32,
    /// `rho_depth`, `i32`.
    pub depth: u32,
}

/// Everything [`instrument_body`] needs besides the body.
pub(super) struct BodyContext<'a> {
    pub costs: &'a WasmCosts,
    pub globals: MeterGlobals,
    pub max_call_depth: u32,
    /// Index of the function in the function index space (for messages).
    pub function_index: u32,
    pub frame: Frame,
    /// The function index of the `next_task` import, if any.
    pub next_task: Option<u32>,
}

/// An operator charged at run time by its size operand (the top of the
/// stack, an `i32`).
#[derive(Clone, Copy)]
enum SizeCharge {
    /// Per page of `memory.grow`.
    Pages,
    /// Per started [`WasmCosts::BULK_UNIT_BYTES`] bytes.
    Bytes,
    /// Per table element.
    Elements,
}

type Result<T> = std::result::Result<T, reencode::Error<RejectError>>;

/// The metered version of `body`.
pub(super) fn instrument_body<R>(
    reencoder: &mut R,
    cx: &BodyContext<'_>,
    body: &FunctionBody<'_>,
) -> Result<Function>
where
    R: Reencode<Error = RejectError>,
{
    let (segments, needs_scratch) = price_segments(cx, body)?;

    let mut locals = Vec::new();
    let mut local_count = u64::from(cx.frame.params);
    for group in body.get_locals_reader()? {
        let (count, ty) = group?;
        local_count += u64::from(count);
        locals.push((count, reencoder.val_type(ty)?));
    }
    // The copy of the meter, then the scratch local for size operands.
    let gas_copy = u32::try_from(local_count).unwrap_or(u32::MAX);
    locals.push((1, ValType::I64));
    local_count += 1;
    let scratch = gas_copy.saturating_add(1);
    if needs_scratch {
        locals.push((1, ValType::I32));
        local_count += 1;
    }
    if local_count > ENGINE_MAX_LOCALS {
        return Err(user_error(format!(
            "function {} has {local_count} locals once metered, more than the engine's {ENGINE_MAX_LOCALS}",
            cx.function_index
        )));
    }

    let mut emitter = Emitter {
        function: Function::new(locals),
        globals: cx.globals,
        gas_copy,
        scratch,
    };
    let wrapper = match cx.frame.results {
        WrapperType::Empty => BlockType::Empty,
        WrapperType::Single(ty) => BlockType::Result(reencoder.val_type(ty)?),
        WrapperType::Type(index) => BlockType::FunctionType(index),
    };

    // Entry: charge the first segment, check the meter, count the frame.
    emitter.reload_gas();
    emitter.charge(segments.first().copied().unwrap_or(0));
    emitter.check_gas();
    emitter.enter_frame(cx.max_call_depth);
    emitter.emit(&Instruction::Block(wrapper));

    let mut segment = 0;
    // Set after an operator that ends a segment: whether it was a `loop`.
    let mut segment_ended: Option<bool> = None;
    // Blocks opened by the body and not yet closed (the wrapper excluded).
    let mut open_blocks: u32 = 0;
    let mut reader = body.get_operators_reader()?;
    while !reader.eof() {
        let op = reader.read()?;
        if let Some(loop_header) = segment_ended.take() {
            segment += 1;
            emitter.charge(segments.get(segment).copied().unwrap_or(0));
            if loop_header {
                emitter.check_gas();
            }
        }
        let ends = ends_segment(&op);
        let is_loop = matches!(op, Operator::Loop { .. });
        match op {
            Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => {
                open_blocks = open_blocks.saturating_add(1);
            }
            Operator::End => open_blocks = open_blocks.saturating_sub(1),
            _ => {}
        }
        match op {
            // The wrapper block is `open_blocks` levels out; its end
            // decrements the depth counter.
            Operator::Return => emitter.emit(&Instruction::Br(open_blocks)),
            // `next_task` is passed the meter and returns it, reconciled by
            // the host for the next body (see `METERED_NEXT_TASK`).
            Operator::Call { function_index } if Some(function_index) == cx.next_task => {
                emitter.check_gas();
                emitter.emit(&Instruction::GlobalGet(cx.globals.gas));
                emitter.emit(&reencoder.instruction(op)?);
                emitter.emit(&Instruction::GlobalSet(cx.globals.gas));
                emitter.reload_gas();
            }
            Operator::Call { .. } | Operator::CallIndirect { .. } => {
                emitter.check_gas();
                emitter.emit(&reencoder.instruction(op)?);
                // The callee (or the host) lowered the meter.
                emitter.reload_gas();
            }
            _ => {
                if let Some(kind) = size_charge(&op) {
                    emitter.charge_size(kind, cx.costs);
                }
                emitter.emit(&reencoder.instruction(op)?);
            }
        }
        if ends {
            segment_ended = Some(is_loop);
        }
    }

    // Exit (the body's own final `end` closed the wrapper block).
    emitter.leave_frame();
    emitter.check_gas();
    emitter.emit(&Instruction::End);

    let function = emitter.function;
    if function.byte_len() > ENGINE_MAX_BODY_BYTES {
        return Err(user_error(format!(
            "function {} is {} bytes once metered, more than the engine's {ENGINE_MAX_BODY_BYTES}",
            cx.function_index,
            function.byte_len()
        )));
    }
    Ok(function)
}

/// First pass: the static price of each segment, in order, and whether a
/// scratch local is needed for size operands.
fn price_segments(cx: &BodyContext<'_>, body: &FunctionBody<'_>) -> Result<(Vec<u64>, bool)> {
    let mut segments = vec![0u64];
    let mut needs_scratch = false;
    let mut reader = body.get_operators_reader()?;
    while !reader.eof() {
        let (op, offset) = reader.read_with_offset()?;
        check_meterable(&op, offset, cx.function_index)?;
        let price = static_price(cx.costs, &op);
        if let Some(last) = segments.last_mut() {
            *last = last.saturating_add(price);
        }
        needs_scratch |= size_charge(&op).is_some();
        if ends_segment(&op) {
            segments.push(0);
        }
    }
    Ok((segments, needs_scratch))
}

/// Whether the code after `op` starts a new segment: `op` branches, may be
/// branched back to, or calls out.
fn ends_segment(op: &Operator<'_>) -> bool {
    matches!(
        op,
        Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::Else
            | Operator::End
            | Operator::Br { .. }
            | Operator::BrIf { .. }
            | Operator::BrTable { .. }
            | Operator::Return
            | Operator::Unreachable
            | Operator::Call { .. }
            | Operator::CallIndirect { .. }
    )
}

/// The price of `op` known before it runs.
fn static_price(costs: &WasmCosts, op: &Operator<'_>) -> u64 {
    let base = u64::from(costs.instruction);
    let extra = match op {
        Operator::End | Operator::Else => return 0,
        Operator::Call { .. } => costs.call,
        Operator::CallIndirect { .. } => costs.call_indirect,
        Operator::MemoryGrow { .. } => costs.memory_grow,
        Operator::MemoryFill { .. }
        | Operator::MemoryCopy { .. }
        | Operator::MemoryInit { .. }
        | Operator::TableCopy { .. }
        | Operator::TableInit { .. } => costs.bulk,
        _ if is_memory_access(op) => costs.memory_access,
        _ => 0,
    };
    base + u64::from(extra)
}

/// The run-time part of the price of `op`, if it has one.
fn size_charge(op: &Operator<'_>) -> Option<SizeCharge> {
    match op {
        Operator::MemoryGrow { .. } => Some(SizeCharge::Pages),
        Operator::MemoryFill { .. } | Operator::MemoryCopy { .. } | Operator::MemoryInit { .. } => {
            Some(SizeCharge::Bytes)
        }
        Operator::TableCopy { .. } | Operator::TableInit { .. } => Some(SizeCharge::Elements),
        _ => None,
    }
}

fn is_memory_access(op: &Operator<'_>) -> bool {
    matches!(
        op,
        Operator::I32Load { .. }
            | Operator::I64Load { .. }
            | Operator::F32Load { .. }
            | Operator::F64Load { .. }
            | Operator::I32Load8S { .. }
            | Operator::I32Load8U { .. }
            | Operator::I32Load16S { .. }
            | Operator::I32Load16U { .. }
            | Operator::I64Load8S { .. }
            | Operator::I64Load8U { .. }
            | Operator::I64Load16S { .. }
            | Operator::I64Load16U { .. }
            | Operator::I64Load32S { .. }
            | Operator::I64Load32U { .. }
            | Operator::I32Store { .. }
            | Operator::I64Store { .. }
            | Operator::F32Store { .. }
            | Operator::F64Store { .. }
            | Operator::I32Store8 { .. }
            | Operator::I32Store16 { .. }
            | Operator::I64Store8 { .. }
            | Operator::I64Store16 { .. }
            | Operator::I64Store32 { .. }
    )
}

/// Refuses an operator of a proposal the metering does not price: only the
/// MVP, sign extension and bulk memory are priced (the instruction set of
/// [`ACCEPTED_FEATURES`](crate::wasm::validate::ACCEPTED_FEATURES); floats
/// are refused by validation, not here).
fn check_meterable(op: &Operator<'_>, offset: usize, function_index: u32) -> Result<()> {
    let (proposal, visit) = proposal_of(op);
    if matches!(proposal, "mvp" | "sign_extension" | "bulk_memory") {
        return Ok(());
    }
    let name = visit.strip_prefix("visit_").unwrap_or(visit);
    Err(user_error(format!(
        "function {function_index} uses `{name}` (at offset {offset:#x}), an instruction of the \
         `{proposal}` proposal that the metering does not price"
    )))
}

/// The proposal an operator comes from and its visitor's name, from
/// wasmparser's own instruction table.
fn proposal_of(op: &Operator<'_>) -> (&'static str, &'static str) {
    macro_rules! define_proposal_of {
        ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
            match op {
                $(
                    Operator::$op $({ $($arg: _),* })? => (stringify!($proposal), stringify!($visit)),
                )*
                _ => ("unknown", "visit_unknown"),
            }
        };
    }
    wasmparser::for_each_operator!(define_proposal_of)
}

fn user_error(message: String) -> reencode::Error<RejectError> {
    reencode::Error::UserError(RejectError::Metering { message })
}

/// Writes instructions, metering included, into one function.
///
/// The function keeps a copy of `rho_gas` in an `i64` local, equal to the
/// global at every instruction boundary of the original code: each charge
/// lowers the copy and stores it to the global, and the copy is reloaded
/// at entry and after each call. Charges and checks then read a register,
/// not memory, and the global is exact whenever a host import runs or a
/// trap happens.
struct Emitter {
    function: Function,
    globals: MeterGlobals,
    /// The `i64` local holding the copy of `rho_gas`.
    gas_copy: u32,
    /// The `i32` scratch local for size operands.
    scratch: u32,
}

impl Emitter {
    fn emit(&mut self, instruction: &Instruction<'_>) {
        self.function.instruction(instruction);
    }

    /// `rho_gas -= price`; nothing for a zero price.
    fn charge(&mut self, price: u64) {
        if price == 0 {
            return;
        }
        // Prices are at most `MAX_PRICE` and bodies a few million
        // instructions long, so a segment's price is far below `i64::MAX`.
        let price = i64::try_from(price).unwrap_or(i64::MAX);
        self.emit(&Instruction::LocalGet(self.gas_copy));
        self.emit(&Instruction::I64Const(price));
        self.emit(&Instruction::I64Sub);
        self.store_gas();
    }

    /// Sets the meter and its copy to the `i64` on the stack.
    fn store_gas(&mut self) {
        self.emit(&Instruction::LocalTee(self.gas_copy));
        self.emit(&Instruction::GlobalSet(self.globals.gas));
    }

    /// Copies `rho_gas` into its local.
    fn reload_gas(&mut self) {
        self.emit(&Instruction::GlobalGet(self.globals.gas));
        self.emit(&Instruction::LocalSet(self.gas_copy));
    }

    /// Traps if `rho_gas < 0`.
    fn check_gas(&mut self) {
        self.emit(&Instruction::LocalGet(self.gas_copy));
        self.emit(&Instruction::I64Const(0));
        self.emit(&Instruction::I64LtS);
        self.trap_if();
    }

    /// `if unreachable end`: traps if the `i32` on the stack is non-zero.
    fn trap_if(&mut self) {
        self.emit(&Instruction::If(BlockType::Empty));
        self.emit(&Instruction::Unreachable);
        self.emit(&Instruction::End);
    }

    /// `rho_depth += 1`; traps if it exceeds `max_call_depth`.
    fn enter_frame(&mut self, max_call_depth: u32) {
        let depth = self.globals.depth;
        self.emit(&Instruction::GlobalGet(depth));
        self.emit(&Instruction::I32Const(1));
        self.emit(&Instruction::I32Add);
        self.emit(&Instruction::GlobalSet(depth));
        self.emit(&Instruction::GlobalGet(depth));
        // Compared unsigned, so every `u32` limit works.
        self.emit(&Instruction::I32Const(max_call_depth as i32));
        self.emit(&Instruction::I32GtU);
        self.trap_if();
    }

    /// `rho_depth -= 1`.
    fn leave_frame(&mut self) {
        let depth = self.globals.depth;
        self.emit(&Instruction::GlobalGet(depth));
        self.emit(&Instruction::I32Const(1));
        self.emit(&Instruction::I32Sub);
        self.emit(&Instruction::GlobalSet(depth));
    }

    /// Charges the size operand on top of the stack (left in place), then
    /// checks the meter.
    fn charge_size(&mut self, kind: SizeCharge, costs: &WasmCosts) {
        let price = match kind {
            SizeCharge::Pages => costs.memory_grow_per_page,
            SizeCharge::Bytes => costs.bulk_memory_per_unit,
            SizeCharge::Elements => costs.table_element,
        };
        if price == 0 {
            return;
        }
        // Stack: ..., size. The size goes to the scratch local while the
        // meter is lowered, and comes back for the operator.
        self.emit(&Instruction::LocalSet(self.scratch));
        self.emit(&Instruction::LocalGet(self.gas_copy));
        self.emit(&Instruction::LocalGet(self.scratch));
        self.emit(&Instruction::I64ExtendI32U);
        if let SizeCharge::Bytes = kind {
            // Started units: (size + unit - 1) / unit, a shift.
            let unit = i64::from(WasmCosts::BULK_UNIT_BYTES);
            self.emit(&Instruction::I64Const(unit - 1));
            self.emit(&Instruction::I64Add);
            self.emit(&Instruction::I64Const(unit.trailing_zeros().into()));
            self.emit(&Instruction::I64ShrU);
        }
        if price != 1 {
            self.emit(&Instruction::I64Const(price.into()));
            self.emit(&Instruction::I64Mul);
        }
        self.emit(&Instruction::I64Sub);
        self.store_gas();
        self.check_gas();
        self.emit(&Instruction::LocalGet(self.scratch));
    }
}
