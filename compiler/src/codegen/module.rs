//! Assembling the module: types, the host imports, the functions (with the
//! `rho_run` dispatcher), memory with the constant pool, the exported
//! globals, and the custom sections.
//!
//! Index spaces:
//!
//! - functions: the imports of [`IMPORTS`] in order, then `rho_run`, then
//!   the generated functions in the order they were started, then
//!   `rho_drive`;
//! - globals: 0 `rho_pool_ptr`, 1 `rho_pool_len`, 2 `rho_component`,
//!   3 `rho_location`, 4 `rho_env_ptr`;
//! - memory 0, exported as `memory`, holds the environment slots at offset
//!   [`ENV_SLOTS_OFFSET`], the argument slots after them, and then the
//!   pool, at [`POOL_OFFSET`]. Its size is fixed (minimum = maximum).

use rho_host_abi::abi::{
    ABI_VERSION, ARG_SLOTS, AbiStamp, ENV_SLOTS, EXPORT_COMPONENT, EXPORT_DRIVE, EXPORT_ENV_PTR,
    EXPORT_LOCATION, EXPORT_MEMORY, EXPORT_POOL_LEN, EXPORT_POOL_PTR, EXPORT_RUN, IMPORT_MODULE,
    IMPORTS, SECTION_ABI, SECTION_PAR, SECTION_SOURCE, ValType as AbiValType,
};
use rho_runtime::phlo::COST_TABLE_VERSION;
use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, CustomSection, DataSection, EntityType, ExportKind,
    ExportSection, Function, FunctionSection, GlobalSection, GlobalType, ImportSection,
    MemorySection, MemoryType, Module, TypeSection, ValType,
};

use super::locations::NO_LOCATION;
use super::{Codegen, CodegenError, ENV_SLOTS_OFFSET, GLOBAL_COMPONENT, GLOBAL_LOCATION, Result};

/// Where the constant pool starts in memory: after the environment and
/// argument slots.
const POOL_OFFSET: u32 = ENV_SLOTS_OFFSET + 8 * (ENV_SLOTS + ARG_SLOTS);
/// The size of a Wasm page.
const PAGE_SIZE: usize = 65536;

const GLOBAL_POOL_PTR: u32 = 0;
const GLOBAL_POOL_LEN: u32 = 1;
const GLOBAL_ENV_PTR: u32 = 4;

/// Function types, deduplicated in order of first use.
#[derive(Default)]
struct Types {
    signatures: Vec<(Vec<ValType>, Vec<ValType>)>,
}

impl Types {
    fn index(&mut self, params: &[ValType], results: &[ValType]) -> u32 {
        let position = self
            .signatures
            .iter()
            .position(|(p, r)| p == params && r == results);
        let position = position.unwrap_or_else(|| {
            self.signatures.push((params.to_vec(), results.to_vec()));
            self.signatures.len() - 1
        });
        position as u32
    }

    fn section(&self) -> TypeSection {
        let mut section = TypeSection::new();
        for (params, results) in &self.signatures {
            section
                .ty()
                .function(params.iter().copied(), results.iter().copied());
        }
        section
    }
}

fn wasm_type(ty: AbiValType) -> ValType {
    match ty {
        AbiValType::I32 => ValType::I32,
        AbiValType::I64 => ValType::I64,
    }
}

impl Codegen<'_> {
    /// The `rho_run(body, start)` dispatcher: a `br_table` on `body` into
    /// nested blocks, each followed by the call of one body function.
    fn rho_run(&self) -> Result<Function> {
        let mut function = Function::new([]);
        let mut sink = function.instructions();
        let count = u32::try_from(self.body_functions.len())
            .map_err(|_| CodegenError::TooLarge { what: "bodies" })?;
        for _ in 0..=count {
            sink.block(BlockType::Empty);
        }
        sink.local_get(0).br_table(0..count, count).end();
        for &body_function in &self.body_functions {
            sink.local_get(1).call(body_function).return_().end();
        }
        // An unknown body index.
        sink.unreachable().end();
        Ok(function)
    }

    /// `rho_drive(body, start)`: runs `body` from `start`, then each body
    /// `next_task` hands out, from component 0, until it answers -1.
    fn rho_drive(&self) -> Function {
        let mut function = Function::new([]);
        let next_task = self.imports.next_task;
        function
            .instructions()
            .loop_(BlockType::Empty)
            .local_get(0)
            .local_get(1)
            .call(self.run_index)
            .i32_const(0)
            .local_set(1)
            .call(next_task)
            .local_tee(0)
            .i32_const(0)
            .i32_ge_s()
            .br_if(0)
            .end()
            .end();
        function
    }

    /// Assembles the module; `program` is the encoding of the program's
    /// Par (for `rho.par`).
    pub(super) fn finish(mut self, program: &[u8]) -> Result<Vec<u8>> {
        let mut types = Types::default();
        let mut imports = ImportSection::new();
        for sig in IMPORTS {
            let params: Vec<ValType> = sig.params.iter().copied().map(wasm_type).collect();
            let results: Vec<ValType> = sig.results.iter().copied().map(wasm_type).collect();
            let ty = types.index(&params, &results);
            imports.import(IMPORT_MODULE, sig.name, EntityType::Function(ty));
        }
        let body_type = types.index(&[ValType::I32], &[]);
        let run_type = types.index(&[ValType::I32, ValType::I32], &[]);

        let mut functions = FunctionSection::new();
        let mut code = CodeSection::new();
        functions.function(run_type);
        code.function(&self.rho_run()?);
        let drive_index = u32::try_from(IMPORTS.len() + 1 + self.functions.len())
            .map_err(|_| CodegenError::TooLarge { what: "functions" })?;
        for function in std::mem::take(&mut self.functions) {
            // Every started function is finished before `finish` runs.
            let function = function.unwrap_or_else(|| {
                let mut empty = Function::new([]);
                empty.instructions().end();
                empty
            });
            functions.function(body_type);
            code.function(&function);
        }
        functions.function(run_type);
        code.function(&self.rho_drive());
        let run_index = self.run_index;

        let pool = self.pool.encode();
        let pool_len = i32::try_from(pool.len()).map_err(|_| CodegenError::TooLarge {
            what: "constant pool bytes",
        })?;
        let pages = (POOL_OFFSET as usize + pool.len()).div_ceil(PAGE_SIZE) as u64;
        let mut memories = MemorySection::new();
        memories.memory(MemoryType {
            minimum: pages,
            maximum: Some(pages),
            memory64: false,
            shared: false,
            page_size_log2: None,
        });

        let mut globals = GlobalSection::new();
        let constant = GlobalType {
            val_type: ValType::I32,
            mutable: false,
            shared: false,
        };
        let variable = GlobalType {
            mutable: true,
            ..constant
        };
        globals.global(constant, &ConstExpr::i32_const(POOL_OFFSET as i32));
        globals.global(constant, &ConstExpr::i32_const(pool_len));
        globals.global(variable, &ConstExpr::i32_const(0));
        globals.global(variable, &ConstExpr::i32_const(NO_LOCATION));
        globals.global(constant, &ConstExpr::i32_const(ENV_SLOTS_OFFSET as i32));

        let mut exports = ExportSection::new();
        exports.export(EXPORT_RUN, ExportKind::Func, run_index);
        exports.export(EXPORT_DRIVE, ExportKind::Func, drive_index);
        exports.export(EXPORT_MEMORY, ExportKind::Memory, 0);
        exports.export(EXPORT_POOL_PTR, ExportKind::Global, GLOBAL_POOL_PTR);
        exports.export(EXPORT_POOL_LEN, ExportKind::Global, GLOBAL_POOL_LEN);
        exports.export(EXPORT_COMPONENT, ExportKind::Global, GLOBAL_COMPONENT);
        exports.export(EXPORT_LOCATION, ExportKind::Global, GLOBAL_LOCATION);
        exports.export(EXPORT_ENV_PTR, ExportKind::Global, GLOBAL_ENV_PTR);

        let mut data = DataSection::new();
        data.active(0, &ConstExpr::i32_const(POOL_OFFSET as i32), pool);

        let stamp = AbiStamp {
            abi_version: ABI_VERSION,
            cost_table_version: COST_TABLE_VERSION,
        };
        let stamp = stamp.to_bytes();
        let source = self.locations.section_bytes();

        let mut module = Module::new();
        module
            .section(&types.section())
            .section(&imports)
            .section(&functions)
            .section(&memories)
            .section(&globals)
            .section(&exports)
            .section(&code)
            .section(&data)
            .section(&CustomSection {
                name: SECTION_ABI.into(),
                data: stamp.as_slice().into(),
            })
            .section(&CustomSection {
                name: SECTION_SOURCE.into(),
                data: source.as_slice().into(),
            })
            .section(&CustomSection {
                name: SECTION_PAR.into(),
                data: program.into(),
            });
        Ok(module.finish())
    }
}
