//! The first pass of [`instrument`](super::instrument): the index spaces the
//! metering appends to, and each function's frame.

use rho_host_abi::abi::{EXPORT_GAS, IMPORT_MODULE, IMPORT_NEXT_TASK};
use wasmparser::{CompositeInnerType, Parser, Payload, TypeRef, ValType};

use super::EXPORT_DEPTH;
use crate::wasm::reject::RejectError;

/// What the metering needs to know before rewriting a module.
pub(super) struct Layout {
    /// Number of imported functions.
    pub imported_functions: u32,
    /// Index of the added `rho_gas` global.
    pub gas_global: u32,
    /// Index of the added `rho_depth` global.
    pub depth_global: u32,
    /// Result lists of the `[] -> results` types appended to the type
    /// section, for functions with several results.
    pub extra_types: Vec<Box<[ValType]>>,
    /// The function index of the `next_task` import, if the module imports
    /// it (with its ABI type): the metering passes it the meter (see
    /// [`METERED_NEXT_TASK`](super::METERED_NEXT_TASK)).
    pub next_task: Option<u32>,
    /// Each type: its parameter count and results, `None` if not a function.
    types: Vec<Option<(u32, Box<[ValType]>)>>,
    /// Type index of each defined function.
    function_types: Vec<u32>,
    /// Index of the appended type for each type with several results.
    extra_type_of: Vec<Option<u32>>,
}

/// A defined function's parameter count and the block type that wraps its
/// body.
pub(super) struct Frame {
    /// Number of parameters (the first local indices).
    pub params: u32,
    /// `[] -> results` of the function.
    pub results: WrapperType,
}

/// The block type of a function's results.
pub(super) enum WrapperType {
    /// No result.
    Empty,
    /// One result.
    Single(ValType),
    /// Several results: an appended function type.
    Type(u32),
}

impl Layout {
    /// Reads the type, import, function, global and export sections.
    ///
    /// # Errors
    ///
    /// [`RejectError::Malformed`] if they do not decode; [`RejectError::Abi`]
    /// if the module exports a name reserved for the metering.
    pub fn scan(wasm: &[u8]) -> Result<Layout, RejectError> {
        let mut layout = Layout {
            imported_functions: 0,
            gas_global: 0,
            depth_global: 0,
            extra_types: Vec::new(),
            next_task: None,
            types: Vec::new(),
            function_types: Vec::new(),
            extra_type_of: Vec::new(),
        };
        let mut globals: u32 = 0;
        let malformed = |err: wasmparser::BinaryReaderError| RejectError::malformed(&err);
        for payload in Parser::new(0).parse_all(wasm) {
            match payload.map_err(malformed)? {
                Payload::TypeSection(section) => {
                    for group in section {
                        for sub_type in group.map_err(malformed)?.into_types() {
                            layout.types.push(match sub_type.composite_type.inner {
                                CompositeInnerType::Func(func) => Some((
                                    u32::try_from(func.params().len()).unwrap_or(u32::MAX),
                                    func.results().into(),
                                )),
                                _ => None,
                            });
                        }
                    }
                }
                Payload::ImportSection(section) => {
                    for import in section.into_imports() {
                        let import = import.map_err(malformed)?;
                        match import.ty {
                            TypeRef::Func(ty) | TypeRef::FuncExact(ty) => {
                                let is_next_task = import.module == IMPORT_MODULE
                                    && import.name == IMPORT_NEXT_TASK
                                    && matches!(
                                        layout.types.get(ty as usize),
                                        Some(Some((0, results))) if results[..] == [ValType::I32]
                                    );
                                if is_next_task {
                                    layout.next_task = Some(layout.imported_functions);
                                }
                                layout.imported_functions =
                                    layout.imported_functions.saturating_add(1);
                            }
                            TypeRef::Global(_) => globals = globals.saturating_add(1),
                            TypeRef::Table(_) | TypeRef::Memory(_) | TypeRef::Tag(_) => {}
                        }
                    }
                }
                Payload::FunctionSection(section) => {
                    for ty in section {
                        layout.function_types.push(ty.map_err(malformed)?);
                    }
                }
                Payload::GlobalSection(section) => {
                    globals = globals.saturating_add(section.count());
                }
                Payload::ExportSection(section) => {
                    for export in section {
                        let name = export.map_err(malformed)?.name;
                        if name == EXPORT_GAS || name == EXPORT_DEPTH {
                            return Err(RejectError::Abi {
                                message: format!(
                                    "it exports `{name}`, a name reserved for the runtime's metering"
                                ),
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        layout.gas_global = globals;
        layout.depth_global = globals.saturating_add(1);
        layout.assign_extra_types();
        Ok(layout)
    }

    /// Appends one `[] -> results` type per type used by a function with
    /// several results, in the order of the functions.
    fn assign_extra_types(&mut self) {
        self.extra_type_of = vec![None; self.types.len()];
        let first_extra = u32::try_from(self.types.len()).unwrap_or(u32::MAX);
        for &ty in &self.function_types {
            let Some(Some((_, results))) = self.types.get(ty as usize) else {
                continue;
            };
            if results.len() < 2 || self.extra_type_of[ty as usize].is_some() {
                continue;
            }
            let index = first_extra
                .saturating_add(u32::try_from(self.extra_types.len()).unwrap_or(u32::MAX));
            self.extra_type_of[ty as usize] = Some(index);
            self.extra_types.push(results.clone());
        }
    }

    /// The index of the `(i64) -> (i32, i64)` type appended after the
    /// extra types, for [`METERED_NEXT_TASK`](super::METERED_NEXT_TASK).
    pub fn metered_next_task_type(&self) -> u32 {
        u32::try_from(self.types.len() + self.extra_types.len()).unwrap_or(u32::MAX)
    }

    /// The frame of defined function `defined`.
    ///
    /// # Errors
    ///
    /// [`RejectError::Malformed`] if it has no function type.
    pub fn frame(&self, defined: u32) -> Result<Frame, RejectError> {
        let malformed = || RejectError::Malformed {
            message: format!("defined function {defined} has no function type"),
            offset: 0,
        };
        let ty = *self
            .function_types
            .get(defined as usize)
            .ok_or_else(malformed)?;
        let Some(Some((params, results))) = self.types.get(ty as usize) else {
            return Err(malformed());
        };
        let results = match (results.as_ref(), self.extra_type_of.get(ty as usize)) {
            ([], _) => WrapperType::Empty,
            ([single], _) => WrapperType::Single(*single),
            (_, Some(Some(index))) => WrapperType::Type(*index),
            _ => return Err(malformed()),
        };
        Ok(Frame {
            params: *params,
            results,
        })
    }
}
