//! The contract between generated Wasm modules and the host: version, value
//! encoding, imports, exports and custom sections.
//!
//! # Execution model
//!
//! Values live in the host; Wasm holds [`RValue`]s. A generated module has
//! one function per *body*: the program itself (body 0) and every receive
//! body, `new` body and `match` case body. The host runs a body as a task
//! with an environment of bound values (De Bruijn order, as in the Par).
//! A body's code evaluates the components of its Par in canonical order
//! (sends, receives, news, exprs, matches), calling host imports for
//! everything but small-Int arithmetic and control flow.
//!
//! A receive's body runs only after a COMM: `consume` hands its body index to
//! the host, which stores it as a continuation (a closure: module, body index
//! and captured environment) and queues it when the COMM happens. The body
//! of a `new` or of a matching `match` case runs *in place*, before the
//! next component: `new_names` and `spawn` set up its environment and name
//! state and return 1, the module calls [`EXPORT_RUN`] with the body and
//! `start = 0` itself, then calls [`IMPORT_LEAVE`], which restores the
//! enclosing body's environment, then sets [`EXPORT_COMPONENT`] back to the
//! enclosing component. Past a nesting depth of [`MAX_INLINE_DEPTH`] the host
//! queues the body instead and returns 0. The evaluator follows the same
//! rule, so both engines run the same program in the same order.
//!
//! The body of a matching case that binds nothing and has exactly one
//! component ([`case_body_runs_inline`], say the branch of an `if`) is not
//! a body of its own at all: its component runs as part of the component
//! holding the `match`, with that component's number, environment and name
//! state, and it does not count towards [`MAX_INLINE_DEPTH`]. That changes
//! nothing observable: a body's only component gets the body's name state,
//! and an error in it ends the body, as it ends the enclosing component.
//!
//! # Running bodies one after another
//!
//! The host enters a module through [`EXPORT_DRIVE`] when the module
//! exports it (generated modules do), else through [`EXPORT_RUN`].
//! `rho_drive(body, start)` runs the body, then asks the host for the next
//! one with [`IMPORT_NEXT_TASK`] and runs it, until the host answers -1: so
//! consecutive queued bodies of one module (a COMM chain) run in one entry
//! into Wasm instead of one each. The host hands out a body only when it is
//! the next task of the queue anyway (same module, nothing else first), so
//! the order of execution is the same as with one entry per body.
//!
//! # Environment slots
//!
//! A module that exports [`EXPORT_ENV_PTR`] reserves [`ENV_SLOTS`] 8-byte
//! slots at that offset of its memory. Whenever the environment changes
//! (a task starts, a body is entered or left), the host writes into slot `k`
//! the [`RValue`] of the variable with De Bruijn index `k`, for every `k`
//! below both [`ENV_SLOTS`] and the environment's length, and
//! [`ENV_SLOT_UNBOUND`] into the other slots. The module reads a variable
//! with an `i64.load` instead of calling [`IMPORT_ENV_GET`], which it uses
//! only for deeper indices. Such an `RValue` is a small Int, a constant
//! handle, or an *environment handle* ([`env_handle`]), which names the
//! variable's position in the environment and is valid until the body
//! that bound it is left.
//!
//! # Argument slots
//!
//! After its environment slots, the same module reserves [`ARG_SLOTS`]
//! 8-byte argument slots. A send of at most two values passes them as
//! parameters of [`IMPORT_PRODUCE_VALUES`]; a send with at most
//! [`ARG_SLOTS`] values writes them into slots `0..n` (first value in slot
//! 0) and calls [`IMPORT_PRODUCE_SLOTS`]; a receive with at most [`ARG_SLOTS`] binds
//! writes its channels there and calls [`IMPORT_CONSUME_SLOTS`]. Sends and
//! receives are components, never parts of an expression, so nothing else
//! writes the slots while they are being filled. Larger ones use the
//! argument stack below.
//!
//! # Errors and resumption
//!
//! A host import that fails (a runtime error) traps. Before the code of
//! component `k` of a body, the module sets the exported global
//! [`EXPORT_COMPONENT`] to `k`; before each import call that can fail, it
//! sets [`EXPORT_LOCATION`] to a location id (see [`SECTION_SOURCE`]). On a
//! trap the host records the error at that location and calls
//! [`EXPORT_RUN`] again with `start = k + 1`, so a runtime error ends only
//! the component that raised it. A trap inside a body run in place unwinds
//! the bodies that enclose it too; the host resumes the innermost one after
//! its failed component, then each enclosing one after the component that
//! ran the body in place. Out of phlo is not resumed.
//!
//! # Argument stack
//!
//! Imports that take a variable number of values (`produce`, `make_list`,
//! `method`, `consume`'s channels, ...) pop them from a host-side argument
//! stack filled with [`IMPORT_ARG_PUSH`], first argument pushed first.
//!
//! # Constant pool
//!
//! Ground values, static channels, patterns, process templates and
//! receive/new descriptors are serialized at compile time into a
//! [`ConstPool`](crate::par::ConstPool) (protobuf) placed in a data segment at
//! offset [`EXPORT_POOL_PTR`] with length [`EXPORT_POOL_LEN`] (both exported
//! immutable i32 globals). The host decodes it once per module, so nothing
//! that execution depends on lives in a custom section: stripping every
//! custom section but [`SECTION_ABI`] changes neither output nor cost.

/// Version of this ABI; recorded in [`SECTION_ABI`] and checked on load.
pub const ABI_VERSION: u32 = 3;

/// How deeply `new` and `match` bodies nest in place within one task before
/// the host queues them instead (see the execution model above).
pub const MAX_INLINE_DEPTH: usize = 64;

/// Whether the body of a matching `match` case with `free_count` bound
/// variables runs inline, as part of the component holding the `match`
/// (see the execution model above): it binds nothing and has exactly one
/// component (send, receive, `new`, expression or `match`).
pub fn case_body_runs_inline(free_count: i32, body: &crate::par::Par) -> bool {
    free_count == 0
        && body.sends.len()
            + body.receives.len()
            + body.news.len()
            + body.exprs.len()
            + body.matches.len()
            == 1
}

/// The import module of every host function.
pub const IMPORT_MODULE: &str = "rho";

/// Custom section holding [`AbiStamp`]: the ABI and cost-table versions the
/// module was built for. Required.
pub const SECTION_ABI: &str = "rho.abi";
/// Custom section holding the source map: location id (as the key) to
/// line and column, in [`SourceMap`](crate::source_map::SourceMap) bytes.
/// Optional; only error messages use it.
pub const SECTION_SOURCE: &str = "rho.source";
/// Custom section holding the normalized Par the module was compiled from
/// (protobuf). Optional; for inspection only.
pub const SECTION_PAR: &str = "rho.par";

/// Export: `(func (param $body i32) (param $start i32))` runs component
/// `start` onwards of body `body`.
pub const EXPORT_RUN: &str = "rho_run";
/// Export (optional): `(func (param $body i32) (param $start i32))` runs
/// body `body` from component `start` as [`EXPORT_RUN`] does, then every
/// body [`IMPORT_NEXT_TASK`] hands out, from component 0, until it answers
/// -1 (see "Running bodies one after another" above).
pub const EXPORT_DRIVE: &str = "rho_drive";
/// Export (optional): immutable i32 global, offset in memory of the
/// [`ENV_SLOTS`] environment slots, followed by the [`ARG_SLOTS`] argument
/// slots (8-aligned; see "Environment slots" and "Argument slots").
pub const EXPORT_ENV_PTR: &str = "rho_env_ptr";
/// The number of environment slots a module with [`EXPORT_ENV_PTR`]
/// reserves.
pub const ENV_SLOTS: u32 = 16;
/// The number of argument slots that follow the environment slots of a
/// module with [`EXPORT_ENV_PTR`] (see "Argument slots").
pub const ARG_SLOTS: u32 = 16;
/// What the host writes into an environment slot beyond the environment:
/// a handle no table holds, so using it fails cleanly.
pub const ENV_SLOT_UNBOUND: RValue = -1;
/// Export: the module's linear memory (holds the constant pool).
pub const EXPORT_MEMORY: &str = "memory";
/// Export: immutable i32 global, offset of the constant pool in memory.
pub const EXPORT_POOL_PTR: &str = "rho_pool_ptr";
/// Export: immutable i32 global, length of the constant pool.
pub const EXPORT_POOL_LEN: &str = "rho_pool_len";
/// Export: mutable i32 global, the component being evaluated.
pub const EXPORT_COMPONENT: &str = "rho_component";
/// Export: mutable i32 global, the location id of the last fallible call.
pub const EXPORT_LOCATION: &str = "rho_location";
/// Export added by the runtime's metering: mutable i64 global, phlo left.
pub const EXPORT_GAS: &str = "rho_gas";

/// A value at the boundary, as an `i64`.
///
/// - bit 0 clear: a small Int, `value >> 1` (arithmetic shift), for Ints in
///   `SMALL_INT_MIN..=SMALL_INT_MAX`. Every Int in that range is passed this
///   way and no other, so two small Ints are equal exactly when their
///   `RValue`s are.
/// - bit 0 set: a handle, `value >> 1` indexing the host's table of the
///   current task. Handles 0, 1 and 2 are always `Nil`, `false` and `true`
///   ([`NIL`], [`FALSE`], [`TRUE`]), so a Bool is tested without a call.
///
/// Handles are valid only within the task that received them.
pub type RValue = i64;

/// Smallest Int passed unboxed.
pub const SMALL_INT_MIN: i64 = -(1 << 62);
/// Largest Int passed unboxed.
pub const SMALL_INT_MAX: i64 = (1 << 62) - 1;
/// `Nil`.
pub const NIL: RValue = 1;
/// `false`.
pub const FALSE: RValue = 3;
/// `true`.
pub const TRUE: RValue = 5;

/// Encodes a small Int, or `None` when it must be boxed.
pub fn small_int(value: i64) -> Option<RValue> {
    (SMALL_INT_MIN..=SMALL_INT_MAX)
        .contains(&value)
        .then_some(value << 1)
}

/// Decodes an [`RValue`]: `Ok(int)` for a small Int, `Err(handle)` for a
/// handle.
pub fn decode(value: RValue) -> Result<i64, u32> {
    if value & 1 == 0 {
        Ok(value >> 1)
    } else {
        Err((value >> 1) as u32)
    }
}

/// Encodes handle `index`.
pub const fn handle(index: u32) -> RValue {
    ((index as i64) << 1) | 1
}

/// Handles from this index on are environment handles.
pub const ENV_HANDLE_BASE: u32 = 1 << 31;

/// Set in an environment handle whose value is not a process (so not a
/// bundle): [`IMPORT_CHECK_CHANNEL`] would do nothing for it.
pub const ENV_HANDLE_NOT_BUNDLE: u32 = 1 << 30;

/// An [`RValue`] `r` with `r & NOT_BUNDLE_ENV_MASK == NOT_BUNDLE_ENV_MASK`
/// is an environment handle with [`ENV_HANDLE_NOT_BUNDLE`] set: the module
/// may skip [`IMPORT_CHECK_CHANNEL`] for it.
pub const NOT_BUNDLE_ENV_MASK: RValue = handle(ENV_HANDLE_BASE | ENV_HANDLE_NOT_BUNDLE);

/// The environment handle of the variable at `position` (counted from the
/// oldest binding of the task's environment), marked with
/// [`ENV_HANDLE_NOT_BUNDLE`] when `not_bundle`; `None` past the handle
/// space.
pub fn env_handle(position: usize, not_bundle: bool) -> Option<RValue> {
    let position = u32::try_from(position).ok()?;
    let flag = if not_bundle { ENV_HANDLE_NOT_BUNDLE } else { 0 };
    (position < ENV_HANDLE_NOT_BUNDLE).then(|| handle(ENV_HANDLE_BASE | flag | position))
}

/// The position an environment handle index names (see [`env_handle`]).
pub fn env_position(index: u32) -> Option<usize> {
    (index >= ENV_HANDLE_BASE).then_some((index & (ENV_HANDLE_NOT_BUNDLE - 1)) as usize)
}

/// Operator codes for [`IMPORT_OP1`] and [`IMPORT_OP2`].
pub mod op {
    /// `a + b`.
    pub const PLUS: i32 = 0;
    /// `a - b`.
    pub const MINUS: i32 = 1;
    /// `a * b`.
    pub const MULT: i32 = 2;
    /// `a / b`.
    pub const DIV: i32 = 3;
    /// `a % b`.
    pub const MOD: i32 = 4;
    /// `a < b`.
    pub const LT: i32 = 5;
    /// `a <= b`.
    pub const LTE: i32 = 6;
    /// `a > b`.
    pub const GT: i32 = 7;
    /// `a >= b`.
    pub const GTE: i32 = 8;
    /// `a == b`.
    pub const EQ: i32 = 9;
    /// `a != b`.
    pub const NEQ: i32 = 10;
    /// `a and b` (strict).
    pub const AND: i32 = 11;
    /// `a or b` (strict).
    pub const OR: i32 = 12;
    /// `a ++ b`.
    pub const PLUS_PLUS: i32 = 13;
    /// `a -- b`.
    pub const MINUS_MINUS: i32 = 14;
    /// `a %% b`.
    pub const PERCENT_PERCENT: i32 = 15;
    /// Unary `-a` (for [`super::IMPORT_OP1`]).
    pub const NEG: i32 = 16;
    /// `not a` (for [`super::IMPORT_OP1`]).
    pub const NOT: i32 = 17;
    /// `&&` applied to a non-Bool (for [`super::IMPORT_TYPE_ERROR`]).
    pub const SHORT_AND: i32 = 18;
    /// `||` applied to a non-Bool (for [`super::IMPORT_TYPE_ERROR`]).
    pub const SHORT_OR: i32 = 19;
}

/// A Wasm value type in an import signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValType {
    /// `i32`.
    I32,
    /// `i64`.
    I64,
}

/// The signature of one host import.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportSig {
    /// Its name in module [`IMPORT_MODULE`].
    pub name: &'static str,
    /// Parameter types.
    pub params: &'static [ValType],
    /// Result types.
    pub results: &'static [ValType],
}

use ValType::{I32, I64};

macro_rules! imports {
    ($($(#[$doc:meta])* $konst:ident = $name:literal ($($p:ident),*) -> ($($r:ident),*);)*) => {
        $($(#[$doc])* pub const $konst: &str = $name;)*
        /// Every host import, in the order of their declarations.
        pub const IMPORTS: &[ImportSig] = &[
            $(ImportSig { name: $name, params: &[$($p),*], results: &[$($r),*] },)*
        ];
    };
}

imports! {
    /// `(index) -> value`: the bound variable with De Bruijn index `index`.
    IMPORT_ENV_GET = "env_get" (I32) -> (I64);
    /// `(id) -> value`: constant `id` of the pool.
    IMPORT_CONST_GET = "const_get" (I32) -> (I64);
    /// `(value)`: pushes a value on the argument stack.
    IMPORT_ARG_PUSH = "arg_push" (I64) -> ();
    /// `(n) -> list`: a list of the top `n` arguments.
    IMPORT_MAKE_LIST = "make_list" (I32) -> (I64);
    /// `(n) -> tuple`: a tuple of the top `n` arguments.
    IMPORT_MAKE_TUPLE = "make_tuple" (I32) -> (I64);
    /// `(n) -> set`: a set of the top `n` arguments.
    IMPORT_MAKE_SET = "make_set" (I32) -> (I64);
    /// `(n) -> map`: a map of the top `2n` arguments (key, value, key, ...).
    IMPORT_MAKE_MAP = "make_map" (I32) -> (I64);
    /// `(template) -> process`: template `template` with the environment's
    /// values substituted for its variables (a quoted process as data).
    IMPORT_SUBST = "subst" (I32) -> (I64);
    /// `(n) -> process`: the parallel composition of the top `n` arguments.
    IMPORT_PAR_MERGE = "par_merge" (I32) -> (I64);
    /// `(op, a) -> value`: a unary operator ([`op::NEG`], [`op::NOT`]).
    IMPORT_OP1 = "op1" (I32, I64) -> (I64);
    /// `(op, a, b) -> value`: a binary operator, full semantics.
    IMPORT_OP2 = "op2" (I32, I64, I64) -> (I64);
    /// `(op, value)`: traps with the type error of `&&`/`||` on a non-Bool.
    IMPORT_TYPE_ERROR = "type_error" (I32, I64) -> ();
    /// `(name, target, n) -> value`: method `name` (a String constant id)
    /// on `target` with the top `n` arguments.
    IMPORT_METHOD = "method" (I32, I64, I32) -> (I64);
    /// `(target, template) -> bool`: `target matches template`.
    IMPORT_MATCHES = "matches" (I64, I32) -> (I64);
    /// `(channel, n, persistent)`: sends the top `n` arguments.
    IMPORT_PRODUCE = "produce" (I64, I32, I32) -> ();
    /// `(receive, body)`: installs receive descriptor `receive` with body
    /// `body`; its channels are the top arguments, one per bind.
    IMPORT_CONSUME = "consume" (I32, I32) -> ();
    /// `(new, body, component) -> in_place`: creates the names of
    /// descriptor `new` (from the name state of `component`, the component
    /// running it);
    /// on 1 the module runs `body` in place with them bound (and then calls
    /// `leave`), on 0 the host has queued it.
    IMPORT_NEW_NAMES = "new_names" (I32, I32, I32) -> (I32);
    /// `(target, template, free_count) -> matched`: tries one `match` case;
    /// on 1 the bindings wait for the next `spawn`.
    IMPORT_MATCH_CASE = "match_case" (I64, I32, I32) -> (I32);
    /// `(body, component) -> in_place`: prepares `body` (with the name
    /// state of `component`, the component running it) and the environment
    /// plus the
    /// pending bindings of the last successful `match_case` (if any), which
    /// it clears: a `spawn` not preceded by a successful `match_case` (the
    /// module may decide simple literal cases itself) binds nothing. On 1
    /// the module runs `body` in place (and then calls `leave`), on 0 the
    /// host has queued it.
    IMPORT_SPAWN = "spawn" (I32, I32) -> (I32);
    /// `()`: ends a body run in place after `new_names` or `spawn`
    /// returned 1, restoring the enclosing body's environment and name
    /// state.
    IMPORT_LEAVE = "leave" () -> ();
    /// `(value, component)`: runs a process received as data (`*x`) with
    /// the name state of `component`; other values do nothing.
    IMPORT_EVAL = "eval" (I64, I32) -> ();
    /// `(channel, write) -> channel`: traps with the bundle's access error
    /// if `channel` is a bundle that does not grant writing (`write` = 1)
    /// or reading (`write` = 0); otherwise returns `channel` unchanged.
    /// `produce` and `consume` check (and unwrap) their channels anyway; the
    /// module calls this first only when evaluating the rest of the send
    /// (its data) or receive (its later channels) can fail, so that the
    /// bundle error comes first, as in the evaluator.
    IMPORT_CHECK_CHANNEL = "check_channel" (I64, I32) -> (I64);
    /// `(channel, n, persistent)`: sends the values in argument slots
    /// `0..n` (see "Argument slots").
    IMPORT_PRODUCE_SLOTS = "produce_slots" (I64, I32, I32) -> ();
    /// `(channel, a, b, n, persistent)`: sends the first `n` (at most 2) of
    /// `a` and `b`.
    IMPORT_PRODUCE_VALUES = "produce_values" (I64, I64, I64, I32, I32) -> ();
    /// `(receive, body)`: as [`IMPORT_CONSUME`], with the channels in the
    /// argument slots, one per bind.
    IMPORT_CONSUME_SLOTS = "consume_slots" (I32, I32) -> ();
    /// `() -> body`: called by [`EXPORT_DRIVE`] after a body returned;
    /// makes the next queued task current and returns its body when it is
    /// a body of this module that would run next anyway, else -1 (the host
    /// then returns to its own loop).
    IMPORT_NEXT_TASK = "next_task" () -> (I32);
}

/// The import named `name`, if the ABI has one.
pub fn import(name: &str) -> Option<&'static ImportSig> {
    IMPORTS.iter().find(|sig| sig.name == name)
}

/// The content of [`SECTION_ABI`]: 8 bytes, the ABI version and the
/// cost-table version, little-endian u32s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AbiStamp {
    /// [`ABI_VERSION`] at build time.
    pub abi_version: u32,
    /// The runtime's cost-table version at build time.
    pub cost_table_version: u32,
}

impl AbiStamp {
    /// The section bytes.
    pub fn to_bytes(self) -> [u8; 8] {
        let mut bytes = [0u8; 8];
        bytes[..4].copy_from_slice(&self.abi_version.to_le_bytes());
        bytes[4..].copy_from_slice(&self.cost_table_version.to_le_bytes());
        bytes
    }

    /// Parses the section bytes; `None` unless they are exactly 8 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Option<AbiStamp> {
        let bytes: [u8; 8] = bytes.try_into().ok()?;
        Some(AbiStamp {
            abi_version: u32::from_le_bytes(bytes[..4].try_into().ok()?),
            cost_table_version: u32::from_le_bytes(bytes[4..].try_into().ok()?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_handles_name_positions_and_mark_non_bundles() {
        for (position, not_bundle) in [(0, false), (5, true), (1 << 29, true)] {
            let rvalue = env_handle(position, not_bundle).unwrap();
            let index = decode(rvalue).unwrap_err();
            assert_eq!(env_position(index), Some(position));
            assert_eq!(
                rvalue & NOT_BUNDLE_ENV_MASK == NOT_BUNDLE_ENV_MASK,
                not_bundle
            );
        }
        assert_eq!(env_handle(1 << 30, false), None);
        assert_eq!(env_position(7), None);
        // Plain handles and small Ints never look like marked ones.
        for rvalue in [NIL, TRUE, handle(12345), small_int(-1).unwrap()] {
            assert_ne!(rvalue & NOT_BUNDLE_ENV_MASK, NOT_BUNDLE_ENV_MASK);
        }
    }

    #[test]
    fn small_ints_round_trip_and_bools_are_handles() {
        for value in [0, 1, -1, SMALL_INT_MIN, SMALL_INT_MAX, 12345] {
            let encoded = small_int(value).unwrap();
            assert_eq!(decode(encoded), Ok(value));
        }
        assert_eq!(small_int(SMALL_INT_MAX + 1), None);
        assert_eq!(small_int(i64::MIN), None);
        assert_eq!(decode(NIL), Err(0));
        assert_eq!(decode(FALSE), Err(1));
        assert_eq!(decode(TRUE), Err(2));
        assert_eq!(handle(2), TRUE);
    }

    #[test]
    fn import_names_are_unique_and_found() {
        for sig in IMPORTS {
            assert_eq!(import(sig.name), Some(sig));
        }
        let mut names: Vec<&str> = IMPORTS.iter().map(|s| s.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), IMPORTS.len());
    }

    #[test]
    fn stamps_round_trip_and_reject_other_lengths() {
        let stamp = AbiStamp {
            abi_version: ABI_VERSION,
            cost_table_version: 7,
        };
        assert_eq!(AbiStamp::from_bytes(&stamp.to_bytes()), Some(stamp));
        assert_eq!(AbiStamp::from_bytes(&[1, 2, 3]), None);
    }
}
