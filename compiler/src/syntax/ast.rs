//! The abstract syntax tree, kept in an arena.
//!
//! Nodes refer to their children by index ([`ProcId`], [`NameId`]), so a tree
//! of any depth is freed without recursion and the normalizer can walk it
//! with a guarded stack. Every node carries the byte [`Span`] of its source
//! text. Identifiers and literals borrow their text from the source.
//!
//! The shapes follow the reference grammar (`rholang_mercury.cf`); the
//! comments name its productions.

use crate::diagnostic::Span;

/// Index of a process node in an [`Ast`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct ProcId(u32);

/// Index of a name node in an [`Ast`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct NameId(u32);

/// A variable's name: an interned source identifier (see
/// [`Ast::intern`]), or one made up by a desugaring (which no source name
/// can capture).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum VarName {
    User(u32),
    Fresh(u32),
}

/// An identifier with its span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Ident {
    pub(crate) name: VarName,
    pub(crate) span: Span,
}

/// A process variable: `_` or an identifier (`ProcVar`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ProcVar {
    Wildcard(Span),
    Var(Ident),
}

/// A name (`Name`): `_`, a variable, or a quoted process `@P`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Name {
    Wildcard,
    Var(VarName),
    Quote(ProcId),
}

/// A name node.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NameNode {
    pub(crate) kind: Name,
    pub(crate) span: Span,
}

/// Unary operators (`PNot`, `PNeg`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnaryOp {
    Not,
    Neg,
}

/// Binary operators, by the reference's production names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinaryOp {
    Mult,
    Div,
    Mod,
    PercentPercent,
    Add,
    Minus,
    PlusPlus,
    MinusMinus,
    Lt,
    Lte,
    Gt,
    Gte,
    Eq,
    Neq,
    And,
    ShortAnd,
    Or,
    ShortOr,
}

/// The simple types usable in patterns (`SimpleType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SimpleType {
    Bool,
    Int,
    BigInt,
    String,
    Uri,
    ByteArray,
}

/// `bundle+`, `bundle-`, `bundle0` and `bundle`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BundleKind {
    Write,
    Read,
    Equiv,
    ReadWrite,
}

/// `=x` or `=*x` (`VarRefKind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VarRefKind {
    Proc,
    Name,
}

/// The arrow of a receipt: `<-`, `<=` or `<<-`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReceiptKind {
    Linear,
    Repeated,
    Peek,
}

/// Where a linear bind receives from (`NameSource`).
#[derive(Clone, Debug)]
pub(crate) enum Source {
    /// `ch`
    Simple(NameId),
    /// `ch?!`
    ReceiveSend(NameId),
    /// `ch!?(args)`
    SendReceive(NameId, Vec<ProcId>),
}

/// One bind of a receipt: `pattern, ... ...@rest <- source`.
#[derive(Clone, Debug)]
pub(crate) struct Bind {
    pub(crate) patterns: Vec<NameId>,
    pub(crate) remainder: Option<ProcVar>,
    pub(crate) source: Source,
}

/// The binds joined with `&` in one receipt.
#[derive(Clone, Debug)]
pub(crate) struct Receipt {
    pub(crate) kind: ReceiptKind,
    pub(crate) binds: Vec<Bind>,
    pub(crate) span: Span,
}

/// One `let` declaration: `patterns ...@rest <- values`.
#[derive(Clone, Debug)]
pub(crate) struct Decl {
    pub(crate) patterns: Vec<NameId>,
    pub(crate) remainder: Option<ProcVar>,
    pub(crate) values: Vec<ProcId>,
    pub(crate) span: Span,
}

/// One name declared by `new` (`NameDecl`), possibly bound to a URI.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NameDecl<'src> {
    pub(crate) var: Ident,
    /// The URI literal with its backticks.
    pub(crate) uri: Option<&'src str>,
}

/// A process.
#[derive(Clone, Debug)]
pub(crate) enum Proc<'src> {
    Nil,
    Bool(bool),
    /// A digit string (`LongLiteral`); its range is checked by the normalizer.
    Int(&'src str),
    /// The digits of `BigInt(...)`.
    BigInt(&'src str),
    /// A string literal with its quotes, unescaped text kept raw.
    String(&'src str),
    /// A URI literal with its backticks.
    Uri(&'src str),
    List {
        elems: Vec<ProcId>,
        remainder: Option<ProcVar>,
    },
    Tuple(Vec<ProcId>),
    Set {
        elems: Vec<ProcId>,
        remainder: Option<ProcVar>,
    },
    Map {
        pairs: Vec<(ProcId, ProcId)>,
        remainder: Option<ProcVar>,
    },
    Var(ProcVar),
    VarRef {
        kind: VarRefKind,
        var: Ident,
    },
    SimpleType(SimpleType),
    Negation(ProcId),
    Conjunction(ProcId, ProcId),
    Disjunction(ProcId, ProcId),
    Eval(NameId),
    Method {
        target: ProcId,
        method: &'src str,
        args: Vec<ProcId>,
    },
    Unary(UnaryOp, ProcId),
    Binary(BinaryOp, ProcId, ProcId),
    Matches {
        target: ProcId,
        pattern: ProcId,
    },
    Send {
        chan: NameId,
        persistent: bool,
        args: Vec<ProcId>,
    },
    /// `chan!?(args)` followed by `.` (no continuation) or `; P`.
    SendSync {
        chan: NameId,
        args: Vec<ProcId>,
        cont: Option<ProcId>,
    },
    Contract {
        name: NameId,
        formals: Vec<NameId>,
        remainder: Option<ProcVar>,
        body: ProcId,
    },
    For {
        receipts: Vec<Receipt>,
        body: ProcId,
    },
    Select,
    Match {
        target: ProcId,
        cases: Vec<(ProcId, ProcId)>,
    },
    Bundle {
        kind: BundleKind,
        body: ProcId,
    },
    /// `let d1; d2 in {P}` (`concurrent` false) or `let d1 & d2 in {P}`.
    Let {
        decls: Vec<Decl>,
        concurrent: bool,
        body: ProcId,
    },
    If {
        cond: ProcId,
        then: ProcId,
        otherwise: Option<ProcId>,
    },
    New {
        decls: Vec<NameDecl<'src>>,
        body: ProcId,
    },
    Par(ProcId, ProcId),
    /// Text that did not parse; a diagnostic has been reported.
    Error,
}

/// A process node.
#[derive(Clone, Debug)]
pub(crate) struct ProcNode<'src> {
    pub(crate) kind: Proc<'src>,
    pub(crate) span: Span,
}

/// The arena that owns every node of one parsed file, and the table of
/// its identifiers.
#[derive(Debug, Default)]
pub(crate) struct Ast<'src> {
    procs: Vec<ProcNode<'src>>,
    names: Vec<NameNode>,
    identifiers: Vec<&'src str>,
    interned: rustc_hash::FxHashMap<&'src str, u32>,
}

impl<'src> Ast<'src> {
    /// The name of an identifier; equal texts get equal names.
    pub(crate) fn intern(&mut self, text: &'src str) -> VarName {
        let next = u32::try_from(self.identifiers.len()).unwrap_or(u32::MAX);
        let number = *self.interned.entry(text).or_insert(next);
        if number == next {
            self.identifiers.push(text);
        }
        VarName::User(number)
    }

    /// How a variable is written in messages.
    pub(crate) fn var_text(&self, name: VarName) -> String {
        match name {
            VarName::User(number) => self
                .identifiers
                .get(number as usize)
                .copied()
                .unwrap_or("?")
                .to_owned(),
            VarName::Fresh(number) => format!("<fresh {number}>"),
        }
    }

    /// Adds a process node spanning `start..end`.
    pub(crate) fn proc(&mut self, start: usize, end: usize, kind: Proc<'src>) -> ProcId {
        let id = ProcId(u32::try_from(self.procs.len()).unwrap_or(u32::MAX));
        self.procs.push(ProcNode {
            kind,
            span: Span::new(start, end),
        });
        id
    }

    /// Adds a name node spanning `start..end`.
    pub(crate) fn name(&mut self, start: usize, end: usize, kind: Name) -> NameId {
        let id = NameId(u32::try_from(self.names.len()).unwrap_or(u32::MAX));
        self.names.push(NameNode {
            kind,
            span: Span::new(start, end),
        });
        id
    }

    /// Adds a process node with the given span.
    pub(crate) fn proc_at(&mut self, span: Span, kind: Proc<'src>) -> ProcId {
        self.proc(span.start as usize, span.end as usize, kind)
    }

    /// Adds a name node with the given span.
    pub(crate) fn name_at(&mut self, span: Span, kind: Name) -> NameId {
        self.name(span.start as usize, span.end as usize, kind)
    }

    /// Moves the process node `id` out of the arena, leaving an error node.
    /// Each node of a tree is visited once, so nothing is cloned.
    pub(crate) fn take(&mut self, id: ProcId) -> ProcNode<'src> {
        let node = &mut self.procs[id.0 as usize];
        let span = node.span;
        std::mem::replace(
            node,
            ProcNode {
                kind: Proc::Error,
                span,
            },
        )
    }

    /// The name node `id` (names hold no lists, so they are copied).
    pub(crate) fn name_node(&self, id: NameId) -> NameNode {
        self.names[id.0 as usize]
    }

    /// The operands of `id` if it is `P | Q`.
    pub(crate) fn par_operands(&self, id: ProcId) -> Option<(ProcId, ProcId)> {
        match self.procs[id.0 as usize].kind {
            Proc::Par(left, right) => Some((left, right)),
            _ => None,
        }
    }

    /// The span of the process node `id`.
    pub(crate) fn span(&self, id: ProcId) -> Span {
        self.procs[id.0 as usize].span
    }
}
