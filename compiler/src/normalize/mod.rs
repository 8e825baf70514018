//! Normalization: from the syntax tree to a canonical [`Par`].
//!
//! This follows the reference normalizer (RChain's
//! `rholang/.../compiler/normalizer`, in its protobuf-based form) construct
//! by construct: De Bruijn indices for bound variables, pattern variables
//! numbered from 0 in each pattern, `bind_count`/`free_count`, the
//! `locally_free` sets and `connective_used` flags, the desugarings of
//! `let`, `if`, `contract`, `!?` and `?!`, and the reference's static
//! errors with its wording (plus the position, as `L:C`).
//!
//! Differences from the reference, on purpose:
//!
//! * a join may receive on the same channel more than once (the runtime
//!   supports it; the reference rejects it);
//! * a variable bound inside `\/` or `~` is an error (the reference drops
//!   the binding silently);
//! * a bundle is checked only for free variables and wildcards of its own
//!   (the reference also blames those that precede it in the same pattern);
//! * every error is reported, not just the first one.
//!
//! Each Par is sorted into canonical form with
//! [`rho_host_abi::sort::sort_par`]. Terms that can fail at run time are
//! recorded with their source position (see [`keys`]).

mod bits;
mod built;
mod compound;
mod env;
mod exprs;
mod fingerprint;
pub(crate) mod keys;
mod names;
mod receive;

use rustc_hash::FxHashMap as HashMap;

use rho_host_abi::par::Par;

use crate::diagnostic::{Diagnostic, SourceFile, Span};
use crate::syntax::ast::{Ast, Proc, ProcId, VarName};

use built::Built;
use env::{BoundChain, FreeMap};
use fingerprint::Fp;

/// Nesting deeper than this is rejected with an error. The normalizer
/// itself grows its stack on the heap, but the Par it returns is dropped
/// (and walked by later stages) by recursive code: at this depth a Par can
/// still be dropped on the 8 MiB stack of a main thread.
pub(crate) const MAX_NESTING: usize = 30_000;

/// Stack that must be left before one more level of recursion runs in
/// place; below it, the recursion continues on a new heap segment.
const RED_ZONE: usize = 128 * 1024;
const STACK_SEGMENT: usize = 2 * 1024 * 1024;

/// A normalized program before its final sort: the Par and the source
/// position of every term that was recorded by fingerprint.
pub(crate) struct Normalized {
    pub(crate) par: Par,
    pub(crate) positions: HashMap<Fp, Span>,
}

/// Normalizes the program rooted at `root`. The result is not sorted yet.
pub(crate) fn normalize<'src>(
    ast: Ast<'src>,
    root: ProcId,
    file: &SourceFile<'src>,
) -> Result<Normalized, Vec<Diagnostic>> {
    let mut normalizer = Normalizer {
        ast,
        file,
        chain: BoundChain::new(),
        diagnostics: Vec::new(),
        next_fresh: 0,
        nesting: 0,
        too_deep: false,
        positions: HashMap::default(),
    };
    let mut built = Built::default();
    let mut free = FreeMap::default();
    normalizer.proc(root, &mut built, &mut free);
    normalizer.report_top_level(&free);
    let mut diagnostics = normalizer.diagnostics;
    if diagnostics.is_empty() {
        Ok(Normalized {
            par: built.par,
            positions: normalizer.positions,
        })
    } else {
        diagnostics.sort();
        diagnostics.dedup();
        Err(diagnostics)
    }
}

pub(super) struct Normalizer<'src, 'file> {
    ast: Ast<'src>,
    file: &'file SourceFile<'src>,
    chain: BoundChain,
    diagnostics: Vec<Diagnostic>,
    next_fresh: u32,
    nesting: usize,
    too_deep: bool,
    positions: HashMap<Fp, Span>,
}

impl<'src> Normalizer<'src, '_> {
    /// Normalizes a process into `acc` (the reference's `input.par`),
    /// threading the free variables of the enclosing pattern through `free`.
    fn proc(&mut self, id: ProcId, acc: &mut Built, free: &mut FreeMap) {
        let span = self.ast.span(id);
        self.nested(span, |this| this.proc_kind(id, acc, free));
    }

    /// Runs one more level of recursion: on a stack that grows on the heap
    /// when needed, and not beyond [`MAX_NESTING`] levels (reported once, at
    /// `span`).
    fn nested(&mut self, span: Span, step: impl FnOnce(&mut Self)) {
        if self.nesting >= MAX_NESTING {
            if !self.too_deep {
                self.too_deep = true;
                self.error(
                    span,
                    format!("the program is nested too deeply (more than {MAX_NESTING} levels)"),
                );
            }
            return;
        }
        self.nesting += 1;
        stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || step(self));
        self.nesting -= 1;
    }

    /// Normalizes a process into a Par of its own.
    fn proc_alone(&mut self, id: ProcId, free: &mut FreeMap) -> Built {
        let mut built = Built::default();
        self.proc(id, &mut built, free);
        built
    }

    fn proc_kind(&mut self, id: ProcId, acc: &mut Built, free: &mut FreeMap) {
        let node = self.ast.take(id);
        let span = node.span;
        match node.kind {
            Proc::Nil | Proc::Error => {}
            Proc::Par(left, right) => {
                // `a | b | c` nests to the left; walk that spine with a loop
                // so that many parallel processes are not deep nesting.
                let mut rights = vec![right];
                let mut leftmost = left;
                while let Some((inner_left, inner_right)) = self.ast.par_operands(leftmost) {
                    self.ast.take(leftmost);
                    rights.push(inner_right);
                    leftmost = inner_left;
                }
                self.proc(leftmost, acc, free);
                for right in rights.into_iter().rev() {
                    self.proc(right, acc, free);
                }
            }
            Proc::Bool(value) => self.bool(acc, value),
            Proc::Int(digits) => self.int(acc, digits, span),
            Proc::BigInt(digits) => self.big_int(acc, digits),
            Proc::String(raw) => self.string(acc, raw),
            Proc::Uri(raw) => self.uri(acc, raw),
            Proc::List { elems, remainder } => self.list(acc, free, elems, remainder, span),
            Proc::Tuple(elems) => self.tuple(acc, free, elems, span),
            Proc::Set { elems, remainder } => self.set(acc, free, elems, remainder, span),
            Proc::Map { pairs, remainder } => self.map(acc, free, pairs, remainder, span),
            Proc::Var(var) => self.proc_var(acc, free, var),
            Proc::VarRef { kind, var } => self.var_ref(acc, kind, var, span),
            Proc::SimpleType(simple) => self.simple_type(acc, simple),
            Proc::Negation(body) => self.negation(acc, free, body, span),
            Proc::Conjunction(left, right) => self.conjunction(acc, free, left, right, span),
            Proc::Disjunction(left, right) => self.disjunction(acc, free, left, right, span),
            Proc::Eval(name) => {
                let name = self.name(name, free);
                acc.append(name);
            }
            Proc::Method {
                target,
                method,
                args,
            } => self.method(acc, free, target, method, args, span),
            Proc::Unary(op, operand) => self.unary(acc, free, op, operand, span),
            Proc::Binary(op, left, right) => self.binary(acc, free, op, left, right, span),
            Proc::Matches { target, pattern } => self.matches(acc, free, target, pattern, span),
            Proc::Send {
                chan,
                persistent,
                args,
            } => self.send(acc, free, chan, persistent, args, span),
            Proc::SendSync { chan, args, cont } => {
                self.send_sync(acc, free, chan, args, cont, span)
            }
            Proc::Contract {
                name,
                formals,
                remainder,
                body,
            } => self.contract(acc, free, name, formals, remainder, body, span),
            Proc::For { receipts, body } => self.input(acc, free, receipts, body, span),
            Proc::Select => self.error(span, "select is not supported"),
            Proc::Match { target, cases } => self.matcher(acc, free, target, cases, span),
            Proc::Bundle { kind, body } => self.bundle(acc, free, kind, body, span),
            Proc::Let {
                decls,
                concurrent,
                body,
            } => self.let_(acc, free, decls, concurrent, body, span),
            Proc::If {
                cond,
                then,
                otherwise,
            } => self.if_(acc, free, cond, then, otherwise, span),
            Proc::New { decls, body } => self.new_names(acc, free, decls, body, span),
        }
    }

    /// Records an error.
    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::error(span, message));
    }

    /// A position as the reference prints it in messages: `LINE:COL`.
    fn at(&self, span: Span) -> String {
        let position = self.file.line_col(span.start);
        format!("{}:{}", position.line, position.col)
    }

    /// A variable name no source text can spell.
    fn fresh(&mut self) -> VarName {
        self.next_fresh += 1;
        VarName::Fresh(self.next_fresh)
    }

    /// Remembers where a term with fingerprint `fp` comes from; the
    /// earliest position wins when identical terms occur several times.
    fn locate(&mut self, fp: Fp, span: Span) {
        self.positions
            .entry(fp)
            .and_modify(|known| {
                if span.start < known.start {
                    *known = span;
                }
            })
            .or_insert(span);
    }

    /// The reference's checks on the whole program: nothing may be free.
    fn report_top_level(&mut self, free: &FreeMap) {
        for (name, var) in free.vars() {
            let message = format!(
                "Top level free variables are not allowed: {} at {}",
                self.ast.var_text(name),
                self.at(var.span)
            );
            self.error(var.span, message);
        }
        for &span in &free.wildcards {
            let message = format!(
                "Top level wildcards are not allowed: _ (wildcard) at {}",
                self.at(span)
            );
            self.error(span, message);
        }
        for &(kind, span) in &free.connectives {
            let message = format!(
                "Top level logical connectives are not allowed: {} at {}",
                kind.describe(),
                self.at(span)
            );
            self.error(span, message);
        }
    }
}
