//! The Wasm code generator: a normalized, canonical Par becomes one Wasm
//! module that runs it through the host ABI of [`rho_host_abi::abi`].
//!
//! ```text
//! Normalized { par, source_map }
//!   -> bodies: the program (body 0), every receive body, `new` body and
//!      match case body, each one Wasm function `(param $start i32)`
//!   -> rho_run(body, start): a br_table over the body functions
//!   -> constant pool (data segment), rho.abi / rho.source / rho.par sections
//! ```
//!
//! A body function evaluates the components of its Par in the evaluator's
//! order (sends, receives, news, exprs, matches), starting at component
//! `start` so that the host can resume a body after a runtime error in one
//! component. Values are built through host calls, except small Ints and
//! Bools, whose arithmetic and comparisons are inlined. Everything the
//! evaluator can observe happens in its order: the same host calls fail
//! in the same order (a bundle channel is checked with `check_channel`
//! before data that could fail), and bodies are queued, never inlined.
//!
//! Size: a body with more than 256 components, or a
//! run of more than 256 values (list items, send
//! data, ...), is split into functions called in sequence; identical small
//! bodies and identical pool entries are shared.
//!
//! - `analysis`: which values are constants, which evaluations can fail.
//! - `pool`: the constant pool.
//! - `locations`: location ids for error positions (`rho.source`).
//! - `body`: bodies and their components (sends, receives, ...).
//! - `value`: values and expressions.
//! - `module`: the module's sections and the `rho_run` dispatcher.
//! - `wire`: each term's encoding, sliced from the program's, for keys.
//!
//! Generation is pure and deterministic (the same Par gives the same
//! bytes), emits no float or SIMD instruction, and is safe on terms nested
//! arbitrarily deeply (every recursion is guarded by `stacker`).

mod analysis;
mod body;
mod locations;
mod module;
mod pool;
mod value;
mod wire;

use std::collections::{HashMap, VecDeque};
use std::fmt;

use rho_host_abi::abi::{self, IMPORTS};
use rho_host_abi::encode_par;
use rho_host_abi::par::Par;
use rho_host_abi::source_map::SourceMap;
use wasm_encoder::{Function, InstructionSink, ValType};

use self::analysis::Analysis;
use self::locations::{Located, Locations};
use self::pool::PoolBuilder;
use self::wire::Bytes;
use crate::frontend::Normalized;

/// Why a program could not be compiled to a module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodegenError {
    /// The program evaluates a construct that only patterns may contain
    /// (a free variable, a wildcard, a collection remainder). The front end
    /// never produces one; the evaluator would fail on it at run time.
    Unsupported {
        /// What was found.
        what: &'static str,
    },
    /// The module would exceed what Wasm or the ABI can index.
    TooLarge {
        /// What there is too much of.
        what: &'static str,
    },
}

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodegenError::Unsupported { what } => {
                write!(f, "cannot compile {what} outside a pattern")
            }
            CodegenError::TooLarge { what } => write!(f, "too many {what} for one module"),
        }
    }
}

impl std::error::Error for CodegenError {}

type Result<T> = std::result::Result<T, CodegenError>;

/// Compiles a normalized program to a Wasm module (bytes).
///
/// The module imports the host functions of [`rho_host_abi::abi::IMPORTS`]
/// and exports what the ABI lists. Compilation is pure and deterministic:
/// the same Par gives the same bytes.
///
/// # Errors
///
/// [`CodegenError`] when the Par evaluates a pattern-only construct, or is
/// too large for one module.
///
/// # Examples
///
/// ```
/// use rhoc::codegen::compile_module;
/// use rhoc::frontend::compile_source;
///
/// let program = compile_source("hello.rho", r#"new out(`rho:io:stdout`) in { out!("hi") }"#)
///     .expect("compiles");
/// let wasm = compile_module(&program)?;
/// assert_eq!(&wasm[..4], b"\0asm");
/// # Ok::<(), rhoc::codegen::CodegenError>(())
/// ```
pub fn compile_module(normalized: &Normalized) -> Result<Vec<u8>> {
    let program_bytes = encode_par(&normalized.par);
    let mut codegen = Codegen::new(&normalized.source_map);
    let program = codegen.body_index(Some(&normalized.par), Some(&program_bytes))?;
    debug_assert_eq!(program, 0);
    while let Some((index, par, bytes)) = codegen.pending_bodies.pop_front() {
        codegen.emit_body(index, par, bytes)?;
    }
    codegen.finish(&program_bytes)
}

/// Components per function: a body with more is split into functions
/// called in sequence.
const COMPONENTS_PER_FUNCTION: usize = 256;
/// Values pushed per function: a longer run of `arg_push`es (list items,
/// send data, ...) is split into functions called in sequence.
const PUSHES_PER_FUNCTION: usize = 256;

/// Identical bodies up to this size (encoded) share one function.
const SHARED_BODY_BYTES: usize = 1024;

/// The empty body.
static EMPTY_PAR: Par = Par {
    sends: Vec::new(),
    receives: Vec::new(),
    news: Vec::new(),
    exprs: Vec::new(),
    matches: Vec::new(),
    unforgeables: Vec::new(),
    bundles: Vec::new(),
    connectives: Vec::new(),
    locally_free: Vec::new(),
    connective_used: false,
};

/// Locals of every generated function but `rho_run`: parameter 0 is
/// `$start`, then these.
const LOCAL_START: u32 = 0;
/// Left operand of an inlined operator.
const LOCAL_LHS: u32 = 1;
/// Right operand of an inlined operator.
const LOCAL_RHS: u32 = 2;
/// Result of an inlined operator.
const LOCAL_RESULT: u32 = 3;
/// The target of a `match`.
const LOCAL_TARGET: u32 = 4;
const BODY_LOCALS: [(u32, ValType); 1] = [(4, ValType::I64)];

/// Stack to keep free before recursing into a subterm.
const RED_ZONE: usize = 128 * 1024;
/// Stack segment to allocate when the red zone is reached.
const STACK_SEGMENT: usize = 2 * 1024 * 1024;

/// Where the environment slots start in memory (the constant pool follows
/// them).
const ENV_SLOTS_OFFSET: u32 = 0;
/// Where the argument slots start in memory: after the environment slots.
const ARG_SLOTS_OFFSET: u32 = ENV_SLOTS_OFFSET + 8 * abi::ENV_SLOTS;

/// Global indices (see [`module`]).
const GLOBAL_COMPONENT: u32 = 2;
const GLOBAL_LOCATION: u32 = 3;

/// The function index of host import `name` (imports come first, in
/// [`IMPORTS`] order).
fn import_index(name: &str) -> u32 {
    IMPORTS
        .iter()
        .position(|sig| sig.name == name)
        .map_or(u32::MAX, |index| index as u32)
}

/// Function indices of the host imports.
struct Imports {
    env_get: u32,
    const_get: u32,
    arg_push: u32,
    make_list: u32,
    make_tuple: u32,
    make_set: u32,
    make_map: u32,
    subst: u32,
    par_merge: u32,
    op1: u32,
    op2: u32,
    type_error: u32,
    method: u32,
    matches: u32,
    produce: u32,
    produce_slots: u32,
    produce_values: u32,
    consume: u32,
    consume_slots: u32,
    new_names: u32,
    match_case: u32,
    spawn: u32,
    leave: u32,
    eval: u32,
    check_channel: u32,
    next_task: u32,
}

impl Imports {
    fn new() -> Self {
        Imports {
            env_get: import_index(abi::IMPORT_ENV_GET),
            const_get: import_index(abi::IMPORT_CONST_GET),
            arg_push: import_index(abi::IMPORT_ARG_PUSH),
            make_list: import_index(abi::IMPORT_MAKE_LIST),
            make_tuple: import_index(abi::IMPORT_MAKE_TUPLE),
            make_set: import_index(abi::IMPORT_MAKE_SET),
            make_map: import_index(abi::IMPORT_MAKE_MAP),
            subst: import_index(abi::IMPORT_SUBST),
            par_merge: import_index(abi::IMPORT_PAR_MERGE),
            op1: import_index(abi::IMPORT_OP1),
            op2: import_index(abi::IMPORT_OP2),
            type_error: import_index(abi::IMPORT_TYPE_ERROR),
            method: import_index(abi::IMPORT_METHOD),
            matches: import_index(abi::IMPORT_MATCHES),
            produce: import_index(abi::IMPORT_PRODUCE),
            produce_slots: import_index(abi::IMPORT_PRODUCE_SLOTS),
            produce_values: import_index(abi::IMPORT_PRODUCE_VALUES),
            consume: import_index(abi::IMPORT_CONSUME),
            consume_slots: import_index(abi::IMPORT_CONSUME_SLOTS),
            new_names: import_index(abi::IMPORT_NEW_NAMES),
            match_case: import_index(abi::IMPORT_MATCH_CASE),
            spawn: import_index(abi::IMPORT_SPAWN),
            leave: import_index(abi::IMPORT_LEAVE),
            eval: import_index(abi::IMPORT_EVAL),
            check_channel: import_index(abi::IMPORT_CHECK_CHANNEL),
            next_task: import_index(abi::IMPORT_NEXT_TASK),
        }
    }
}

/// The state of one module's generation.
struct Codegen<'p> {
    imports: Imports,
    analysis: Analysis,
    pool: PoolBuilder,
    locations: Locations<'p>,
    /// Bodies numbered but not generated yet, in index order.
    pending_bodies: VecDeque<(u32, &'p Par, Bytes<'p>)>,
    /// The number of bodies numbered so far.
    body_count: u32,
    /// The body that empty bodies share, once one is needed.
    empty_body: Option<u32>,
    /// Bodies of at most [`SHARED_BODY_BYTES`] bytes, by encoding.
    small_bodies: HashMap<&'p [u8], u32>,
    /// The function index of each generated body, by body index.
    body_functions: Vec<u32>,
    /// Defined functions after `rho_run`, by index; `None` while being
    /// generated.
    functions: Vec<Option<Function>>,
    /// The function being generated.
    current: Function,
    /// The component whose code is being generated (for `rho_component`
    /// after a body run in place).
    component: i32,
    /// The function index of `rho_run` (right after the imports).
    run_index: u32,
}

impl<'p> Codegen<'p> {
    fn new(source_map: &'p SourceMap) -> Self {
        Codegen {
            imports: Imports::new(),
            analysis: Analysis::default(),
            pool: PoolBuilder::default(),
            locations: Locations::new(source_map),
            pending_bodies: VecDeque::new(),
            body_count: 0,
            empty_body: None,
            small_bodies: HashMap::new(),
            body_functions: Vec::new(),
            functions: Vec::new(),
            current: Function::new(BODY_LOCALS),
            component: 0,
            run_index: IMPORTS.len() as u32,
        }
    }

    /// The instruction sink of the function being generated.
    fn sink(&mut self) -> InstructionSink<'_> {
        self.current.instructions()
    }

    /// The body index of `par` (encoded as `bytes`), numbering it (and
    /// queueing it for generation) on first use. All empty bodies share one
    /// index, and so do identical small bodies (identical Pars compile to
    /// identical code); larger ones are not compared, which would cost
    /// their size again at every level of nesting.
    fn body_index(&mut self, par: Option<&'p Par>, bytes: Bytes<'p>) -> Result<u32> {
        let par = par.filter(|par| !is_empty_par(par));
        let small = bytes.filter(|bytes| bytes.len() <= SHARED_BODY_BYTES);
        let known = match (par, small) {
            (None, _) => self.empty_body,
            (Some(_), Some(small)) => self.small_bodies.get(small).copied(),
            (Some(_), None) => None,
        };
        if let Some(index) = known {
            return Ok(index);
        }
        let index = self.body_count;
        if i32::try_from(index).is_err() {
            return Err(CodegenError::TooLarge { what: "bodies" });
        }
        self.body_count += 1;
        match par {
            Some(par) => {
                if let Some(small) = small {
                    self.small_bodies.insert(small, index);
                }
                self.pending_bodies.push_back((index, par, bytes));
            }
            None => {
                self.empty_body = Some(index);
                self.pending_bodies.push_back((index, &EMPTY_PAR, None));
            }
        }
        Ok(index)
    }

    /// Generates a function `(param $start i32)` whose code `emit` writes,
    /// and returns its function index. The function being generated is set
    /// aside meanwhile.
    fn build_function(&mut self, emit: impl FnOnce(&mut Self) -> Result<()>) -> Result<u32> {
        let slot = self.functions.len();
        let index = u32::try_from(slot + 1 + IMPORTS.len())
            .map_err(|_| CodegenError::TooLarge { what: "functions" })?;
        self.functions.push(None);
        let parent = std::mem::replace(&mut self.current, Function::new(BODY_LOCALS));
        let result = emit(self);
        let mut finished = std::mem::replace(&mut self.current, parent);
        result?;
        finished.instructions().end();
        self.functions[slot] = Some(finished);
        Ok(index)
    }

    /// Sets `rho_location` to the current position, before a call that can
    /// fail.
    fn set_location(&mut self) {
        let id = self.locations.current();
        self.sink().i32_const(id).global_set(GLOBAL_LOCATION);
    }

    /// Runs `emit` inside term `term` (encoded as `bytes`) for error
    /// locations.
    fn located<R>(
        &mut self,
        term: Located<'p>,
        bytes: Bytes<'p>,
        emit: impl FnOnce(&mut Self) -> R,
    ) -> R {
        self.locations.enter(term, bytes);
        let result = emit(self);
        self.locations.leave();
        result
    }

    /// Emits `emit_one` for each item, which pushes its value(s) on the
    /// host's argument stack; a long run is split into functions called in
    /// sequence (the argument stack lives in the host, so nothing else
    /// needs to cross the call).
    fn emit_pushes<T, F>(&mut self, items: &'p [T], mut emit_one: F) -> Result<()>
    where
        F: FnMut(&mut Self, usize, &'p T) -> Result<()>,
    {
        if items.len() <= PUSHES_PER_FUNCTION {
            for (index, item) in items.iter().enumerate() {
                emit_one(self, index, item)?;
            }
            return Ok(());
        }
        for (chunk_index, chunk) in items.chunks(PUSHES_PER_FUNCTION).enumerate() {
            let base = chunk_index * PUSHES_PER_FUNCTION;
            let helper = self.build_function(|codegen| {
                for (offset, item) in chunk.iter().enumerate() {
                    emit_one(codegen, base + offset, item)?;
                }
                Ok(())
            })?;
            self.sink().i32_const(0).call(helper);
        }
        Ok(())
    }
}

/// Whether `par` is `Nil` (has no parts at all).
fn is_empty_par(par: &Par) -> bool {
    analysis::non_expr_count(par) == 0 && par.exprs.is_empty()
}

/// A count as an `i32` immediate.
fn count_i32(count: usize, what: &'static str) -> Result<i32> {
    i32::try_from(count).map_err(|_| CodegenError::TooLarge { what })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::compile_source;

    /// Compiles programs with every construct; under `cfg(test)` each
    /// source-map key taken from a sliced encoding is checked against
    /// `term_key` of the term itself (see `locations`).
    #[test]
    fn sliced_encodings_give_the_terms_own_keys() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut sources = vec![
            r#"new x, y in { x!([1, x], {"k": -x}, (x.length(), not x)) | for (@a, @b <- x & @c <= y) {
                 match [a, b] { [1, z] => y!(z + 1, z - 1, z * 2, z && true, z || false, z matches [_])
                                _ => y!(a ++ b, a %% {"a": b}, a -- b, a <= b, a / b, a % b) } |
                 if (c > 1) { *c } else { y!({ c | x!(c) }) } } }"#
                .to_owned(),
        ];
        for dir in ["../shared/conformance", "tests/conformance"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                continue;
            };
            for entry in entries.flatten() {
                if entry.path().extension().is_some_and(|ext| ext == "rho")
                    && let Ok(source) = std::fs::read_to_string(entry.path())
                {
                    sources.push(source);
                }
            }
        }
        for source in &sources {
            let Ok(program) = compile_source("test.rho", source) else {
                continue;
            };
            compile_module(&program).expect("compiles");
        }
        let checked = locations::KEYS_CHECKED.with(std::cell::Cell::get);
        let unsliced = locations::KEYS_UNSLICED.with(std::cell::Cell::get);
        assert!(checked > 300, "only {checked} keys checked");
        assert_eq!(unsliced, 0);
    }

    #[test]
    fn every_import_has_an_index() {
        let imports = Imports::new();
        let all = [
            imports.env_get,
            imports.const_get,
            imports.arg_push,
            imports.make_list,
            imports.make_tuple,
            imports.make_set,
            imports.make_map,
            imports.subst,
            imports.par_merge,
            imports.op1,
            imports.op2,
            imports.type_error,
            imports.method,
            imports.matches,
            imports.produce,
            imports.produce_slots,
            imports.produce_values,
            imports.consume,
            imports.consume_slots,
            imports.new_names,
            imports.match_case,
            imports.spawn,
            imports.leave,
            imports.eval,
            imports.check_channel,
            imports.next_task,
        ];
        assert_eq!(all.len(), IMPORTS.len());
        for index in all {
            assert!((index as usize) < IMPORTS.len());
        }
    }
}
