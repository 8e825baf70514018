//! Sends, receives and contracts (the reference's `PSend`, `PSendSynch`,
//! `PInput`, `PContr` and `ReceiveBindsSortMatcher`).

use std::cmp::Ordering;

use rho_host_abi::par::{Par, Receive, ReceiveBind, Send, Var, var::VarInstance};
use rho_host_abi::sort::{cmp_par, sort_par};

use super::Normalizer;
use super::bits;
use super::built::Built;
use super::env::{ConnectiveKind, FreeMap, Sort};
use super::exprs::finish;
use super::fingerprint::{self, Fp};
use crate::diagnostic::Span;
use crate::syntax::ast::{
    Bind, Ident, Name, NameDecl, NameId, Proc, ProcId, ProcVar, Receipt, ReceiptKind, Source,
};

/// A receive bind whose patterns are normalized, before the binds are
/// sorted.
struct PendingBind {
    bind: ReceiveBind,
    pattern_fps: Vec<Fp>,
    source_fp: Fp,
    free: FreeMap,
}

impl<'src> Normalizer<'src, '_> {
    /// `chan!(data)` and `chan!!(data)`. The data are normalized last to
    /// first, as in the reference.
    pub(super) fn send(
        &mut self,
        acc: &mut Built,
        free: &mut FreeMap,
        chan: NameId,
        persistent: bool,
        args: Vec<ProcId>,
        span: Span,
    ) {
        let (chan, chan_fp) = finish(self.name(chan, free));
        let data = self.reversed(free, args);
        let mut locally_free = chan.locally_free.clone();
        bits::union_into(&mut locally_free, &data.locally_free);
        let send = Send {
            connective_used: chan.connective_used || data.connective_used,
            chan: Some(chan),
            data: data.pars,
            persistent,
            locally_free,
        };
        let mut children = std::iter::once(chan_fp).chain(data.fps);
        let fp = fingerprint::send(&send, &mut |_| children.next().unwrap_or_default());
        self.locate(fp, span);
        acc.push_send(send, fp);
    }

    /// `chan!?(args) cont` is `new r in { chan!(*r, args) | for (_ <- r) { cont } }`.
    pub(super) fn send_sync(
        &mut self,
        acc: &mut Built,
        free: &mut FreeMap,
        chan: NameId,
        args: Vec<ProcId>,
        cont: Option<ProcId>,
        span: Span,
    ) {
        let reply = self.fresh();
        let reply_name = self.ast.name_at(span, Name::Var(reply));
        let eval = self.ast.proc_at(span, Proc::Eval(reply_name));
        let data = std::iter::once(eval).chain(args).collect();
        let send = self.ast.proc_at(
            span,
            Proc::Send {
                chan,
                persistent: false,
                args: data,
            },
        );
        let wildcard = self.ast.name_at(span, Name::Wildcard);
        let source = self.ast.name_at(span, Name::Var(reply));
        let body = match cont {
            Some(cont) => cont,
            None => self.ast.proc_at(span, Proc::Nil),
        };
        let bind = Bind {
            patterns: vec![wildcard],
            remainder: None,
            source: Source::Simple(source),
        };
        let receipt = Receipt {
            kind: ReceiptKind::Linear,
            binds: vec![bind],
            span,
        };
        let receive = self.ast.proc_at(
            span,
            Proc::For {
                receipts: vec![receipt],
                body,
            },
        );
        let both = self.ast.proc_at(span, Proc::Par(send, receive));
        let decl = NameDecl {
            var: Ident { name: reply, span },
            uri: None,
        };
        let new = self.ast.proc_at(
            span,
            Proc::New {
                decls: vec![decl],
                body: both,
            },
        );
        self.proc(new, acc, free);
    }

    /// `contract name(formals) = { body }` is a persistent receive with one
    /// bind.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn contract(
        &mut self,
        acc: &mut Built,
        free: &mut FreeMap,
        name: NameId,
        formals: Vec<NameId>,
        remainder: Option<ProcVar>,
        body: ProcId,
        span: Span,
    ) {
        let (chan, chan_fp) = finish(self.name(name, free));
        let (pending, patterns_free) = self.bind_patterns(formals, remainder, chan, chan_fp);
        let bind_count = pending.free.count_no_wildcards();
        let mark = self.chain.mark();
        self.chain.absorb_free(&pending.free);
        let (body, body_fp) = finish(self.proc_alone(body, free));
        self.chain.restore(mark);

        let source = pending.bind.source.as_ref();
        let mut locally_free = source
            .map(|chan| chan.locally_free.clone())
            .unwrap_or_default();
        bits::union_into(&mut locally_free, &patterns_free);
        bits::union_into(
            &mut locally_free,
            &bits::shift_down(&body.locally_free, bind_count),
        );
        let connective_used =
            source.is_some_and(|chan| chan.connective_used) || body.connective_used;
        let mut children: Vec<Fp> = pending.pattern_fps.clone();
        children.push(pending.source_fp);
        children.push(body_fp);
        let receive = Receive {
            binds: vec![pending.bind],
            body: Some(body),
            persistent: true,
            peek: false,
            bind_count: bind_count as i32,
            locally_free,
            connective_used,
        };
        self.push_receive(acc, receive, &children, span);
    }

    fn push_receive(&mut self, acc: &mut Built, receive: Receive, children: &[Fp], span: Span) {
        let mut next = children.iter().copied();
        let fp = fingerprint::receive(&receive, &mut |_| next.next().unwrap_or_default());
        self.locate(fp, span);
        acc.push_receive(receive, fp);
    }

    /// Normalizes the patterns and remainder of one bind, each pattern in
    /// a new level of the bound chain, with a free map of its own. Returns
    /// the bind and the union of the patterns' free variables.
    fn bind_patterns(
        &mut self,
        patterns: Vec<NameId>,
        remainder: Option<ProcVar>,
        source: Par,
        source_fp: Fp,
    ) -> (PendingBind, Vec<u8>) {
        let mut free = FreeMap::default();
        let mut pars = Vec::with_capacity(patterns.len());
        let mut pattern_fps = Vec::with_capacity(patterns.len());
        let mut locally_free = Vec::new();
        self.chain.push();
        for pattern in patterns {
            let (par, fp) = finish(self.name(pattern, &mut free));
            bits::union_into(&mut locally_free, &par.locally_free);
            pars.push(par);
            pattern_fps.push(fp);
        }
        self.chain.pop();
        if self.chain.depth() == 0 {
            self.reject_binding_connectives(&free);
        }
        let remainder = self.remainder(remainder, &mut free);
        let bind = ReceiveBind {
            patterns: pars,
            source: Some(source),
            remainder,
            free_count: free.count_no_wildcards() as i32,
        };
        (
            PendingBind {
                bind,
                pattern_fps,
                source_fp,
                free,
            },
            locally_free,
        )
    }

    /// The reference's `failOnInvalidConnective`: in the patterns of a
    /// receive that is not itself inside a pattern, only `/\` may be used.
    fn reject_binding_connectives(&mut self, free: &FreeMap) {
        for &(kind, span) in &free.connectives {
            if kind != ConnectiveKind::And {
                let message = format!(
                    "Invalid pattern in the receive: {} at {}. Only logical AND is allowed",
                    kind.describe(),
                    self.at(span)
                );
                self.error(span, message);
            }
        }
    }

    /// `for (receipts) { body }`.
    pub(super) fn input(
        &mut self,
        acc: &mut Built,
        free: &mut FreeMap,
        receipts: Vec<Receipt>,
        body: ProcId,
        span: Span,
    ) {
        let mut receipts = receipts.into_iter();
        let Some(first) = receipts.next() else { return };
        let rest: Vec<Receipt> = receipts.collect();
        if !rest.is_empty() {
            // `for (r1; r2) { P }` is `for (r1) { for (r2) { P } }`.
            let mut inner = body;
            for receipt in rest.into_iter().rev() {
                let receipt_span = receipt.span;
                inner = self.ast.proc_at(
                    receipt_span.to(span),
                    Proc::For {
                        receipts: vec![receipt],
                        body: inner,
                    },
                );
            }
            self.input(acc, free, vec![first], inner, span);
            return;
        }
        let complex = first.kind == ReceiptKind::Linear
            && first
                .binds
                .iter()
                .any(|bind| !matches!(bind.source, Source::Simple(_)));
        if complex {
            self.desugar_sources(acc, free, first, body, span);
        } else {
            self.receive(acc, free, first, body, span);
        }
    }

    /// Receive sources `ch?!` and `ch!?(args)`:
    /// `for (x <- ch?!) { P }` is `for (r, x <- ch) { r!() | P }` and
    /// `for (x <- ch!?(args)) { P }` is
    /// `new r in { ch!(*r, args) | for (x <- r) { P } }`.
    fn desugar_sources(
        &mut self,
        acc: &mut Built,
        free: &mut FreeMap,
        receipt: Receipt,
        body: ProcId,
        span: Span,
    ) {
        let mut binds = Vec::with_capacity(receipt.binds.len());
        let mut sends: Option<ProcId> = None;
        let mut continuation = body;
        let mut decls = Vec::new();
        for bind in receipt.binds {
            let Bind {
                patterns,
                remainder,
                source,
            } = bind;
            match source {
                Source::Simple(chan) => binds.push(Bind {
                    patterns,
                    remainder,
                    source: Source::Simple(chan),
                }),
                Source::ReceiveSend(chan) => {
                    let reply = self.fresh();
                    let reply_pattern = self.ast.name_at(span, Name::Var(reply));
                    let patterns = std::iter::once(reply_pattern).chain(patterns).collect();
                    binds.push(Bind {
                        patterns,
                        remainder,
                        source: Source::Simple(chan),
                    });
                    let reply_chan = self.ast.name_at(span, Name::Var(reply));
                    let ack = self.ast.proc_at(
                        span,
                        Proc::Send {
                            chan: reply_chan,
                            persistent: false,
                            args: Vec::new(),
                        },
                    );
                    continuation = self.ast.proc_at(span, Proc::Par(ack, continuation));
                }
                Source::SendReceive(chan, args) => {
                    let reply = self.fresh();
                    decls.push(NameDecl {
                        var: Ident { name: reply, span },
                        uri: None,
                    });
                    let reply_source = self.ast.name_at(span, Name::Var(reply));
                    binds.push(Bind {
                        patterns,
                        remainder,
                        source: Source::Simple(reply_source),
                    });
                    let reply_name = self.ast.name_at(span, Name::Var(reply));
                    let eval = self.ast.proc_at(span, Proc::Eval(reply_name));
                    let data = std::iter::once(eval).chain(args).collect();
                    let send = self.ast.proc_at(
                        span,
                        Proc::Send {
                            chan,
                            persistent: false,
                            args: data,
                        },
                    );
                    sends = Some(match sends {
                        None => send,
                        Some(previous) => self.ast.proc_at(span, Proc::Par(send, previous)),
                    });
                }
            }
        }
        let receipt = Receipt {
            kind: ReceiptKind::Linear,
            binds,
            span: receipt.span,
        };
        let input = self.ast.proc_at(
            span,
            Proc::For {
                receipts: vec![receipt],
                body: continuation,
            },
        );
        let process = match sends {
            None => input,
            Some(sends) => {
                let both = self.ast.proc_at(span, Proc::Par(sends, input));
                self.ast.proc_at(span, Proc::New { decls, body: both })
            }
        };
        self.proc(process, acc, free);
    }

    /// A receive whose sources are all plain names. Each bind's patterns
    /// number their free variables from 0; the binds are then sorted (so
    /// that the order of a join does not matter) and their variables are
    /// numbered one bind after the other for the body.
    fn receive(
        &mut self,
        acc: &mut Built,
        free: &mut FreeMap,
        receipt: Receipt,
        body: ProcId,
        span: Span,
    ) {
        let (persistent, peek) = match receipt.kind {
            ReceiptKind::Linear => (false, false),
            ReceiptKind::Repeated => (true, false),
            ReceiptKind::Peek => (false, true),
        };
        let mut sources = Vec::with_capacity(receipt.binds.len());
        let mut locally_free = Vec::new();
        let mut connective_used = false;
        for bind in &receipt.binds {
            let Source::Simple(chan) = bind.source else {
                continue;
            };
            let (source, source_fp) = finish(self.name(chan, free));
            bits::union_into(&mut locally_free, &source.locally_free);
            connective_used |= source.connective_used;
            sources.push((source, source_fp));
        }
        let mut pending = Vec::with_capacity(receipt.binds.len());
        for (bind, (source, source_fp)) in receipt.binds.into_iter().zip(sources) {
            let (mut bind, patterns_free) =
                self.bind_patterns(bind.patterns, bind.remainder, source, source_fp);
            bits::union_into(&mut locally_free, &patterns_free);
            bind.bind.patterns.iter_mut().for_each(sort_par);
            if let Some(source) = &mut bind.bind.source {
                sort_par(source);
            }
            pending.push(bind);
        }
        pending.sort_by(|a, b| cmp_bind(&a.bind, &b.bind));

        let mut bound = FreeMap::default();
        for bind in &pending {
            for reuse in bound.merge(&bind.free) {
                self.reused(reuse.name, reuse.first, reuse.second, Sort::Name);
            }
        }
        let bind_count = bound.count_no_wildcards();
        let mark = self.chain.mark();
        self.chain.absorb_free(&bound);
        let (body, body_fp) = finish(self.proc_alone(body, free));
        self.chain.restore(mark);

        bits::union_into(
            &mut locally_free,
            &bits::shift_down(&body.locally_free, bind_count),
        );
        let mut children = Vec::new();
        let mut binds = Vec::with_capacity(pending.len());
        for bind in pending {
            children.extend(bind.pattern_fps);
            children.push(bind.source_fp);
            binds.push(bind.bind);
        }
        children.push(body_fp);
        let receive = Receive {
            binds,
            connective_used: connective_used || body.connective_used,
            body: Some(body),
            persistent,
            peek,
            bind_count: bind_count as i32,
            locally_free,
        };
        self.push_receive(acc, receive, &children, span);
    }
}

/// The reference's order of receive binds (`ReceiveSortMatcher.sortBind`):
/// the score tree `Node(source, patterns..., remainder)`, compared
/// lexicographically. A remainder scores below any Par (an absent one is a
/// leaf, a variable a node with a smaller tag), so when one bind runs out
/// of patterns first it comes first. Patterns and sources must be sorted.
fn cmp_bind(a: &ReceiveBind, b: &ReceiveBind) -> Ordering {
    let nil = Par::default();
    let source_a = a.source.as_ref().unwrap_or(&nil);
    let source_b = b.source.as_ref().unwrap_or(&nil);
    cmp_par(source_a, source_b).then_with(|| {
        let mut left = a.patterns.iter();
        let mut right = b.patterns.iter();
        loop {
            match (left.next(), right.next()) {
                (Some(p), Some(q)) => match cmp_par(p, q) {
                    Ordering::Equal => continue,
                    other => return other,
                },
                (Some(_), None) => return Ordering::Greater,
                (None, Some(_)) => return Ordering::Less,
                (None, None) => return cmp_remainder(a.remainder.as_ref(), b.remainder.as_ref()),
            }
        }
    })
}

/// Remainder scores: absent (a leaf) < free variable by level < wildcard.
fn cmp_remainder(a: Option<&Var>, b: Option<&Var>) -> Ordering {
    fn rank(var: Option<&Var>) -> (u8, i64) {
        match var.and_then(|var| var.var_instance.as_ref()) {
            None => (0, 0),
            Some(VarInstance::BoundVar(index)) => (1, i64::from(*index)),
            Some(VarInstance::FreeVar(level)) => (2, i64::from(*level)),
            Some(VarInstance::Wildcard(_)) => (3, 0),
        }
    }
    rank(a).cmp(&rank(b))
}
