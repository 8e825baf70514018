//! Ground values, collections, operators, variables and pattern
//! connectives (the reference's `PGround`, `PCollect`, `PVar`, `PVarRef`,
//! `PSimpleType`, `PNegation`, `PConjunction`, `PDisjunction`, `PMethod`,
//! `PMatches` and the unary and binary operator cases).

use rho_host_abi::par::{
    Connective, ConnectiveBody, EAnd, EDiv, EEq, EGt, EGte, EList, ELt, ELte, EMap, EMatches,
    EMethod, EMinus, EMinusMinus, EMod, EMult, ENeg, ENeq, ENot, EOr, EPercentPercent, EPlus,
    EPlusPlus, ESet, EShortAnd, EShortOr, ETuple, EVar, Expr, KeyValuePair, Par, Var, VarRef,
    connective::ConnectiveInstance, expr::ExprInstance, var::VarInstance, var::WildcardMsg,
};

use super::Normalizer;
use super::bits;
use super::built::Built;
use super::env::{ConnectiveKind, FreeMap, Sort};
use super::fingerprint::{self, Fp};
use crate::diagnostic::Span;
use crate::syntax::ast::{BinaryOp, Ident, ProcId, ProcVar, SimpleType, UnaryOp, VarRefKind};

/// A finished child Par with its fingerprint.
pub(super) fn finish(built: Built) -> (Par, Fp) {
    let fp = built.fp();
    (built.par, fp)
}

pub(super) fn expr(instance: ExprInstance) -> Expr {
    Expr {
        expr_instance: Some(instance),
    }
}

pub(super) fn var_expr(instance: VarInstance) -> Expr {
    expr(ExprInstance::EVarBody(EVar {
        v: Some(Var {
            var_instance: Some(instance),
        }),
    }))
}

pub(super) fn wildcard() -> VarInstance {
    VarInstance::Wildcard(WildcardMsg {})
}

/// Computes an expression's fingerprint from its children's, given in
/// field order (see [`fingerprint::expr`]).
pub(super) fn expr_fp(expr: &Expr, children: &[Fp]) -> Fp {
    let mut next = children.iter().copied();
    fingerprint::expr(expr, &mut |_| next.next().unwrap_or_default())
}

impl<'src> Normalizer<'src, '_> {
    /// Adds an expression at the current pattern depth; `span` is given
    /// for expressions that can fail at run time.
    pub(super) fn push_expr(
        &mut self,
        acc: &mut Built,
        expr: Expr,
        children: &[Fp],
        span: Option<Span>,
    ) {
        let fp = expr_fp(&expr, children);
        if let Some(span) = span {
            self.locate(fp, span);
        }
        acc.push_expr(expr, fp, self.chain.depth());
    }

    pub(super) fn bool(&mut self, acc: &mut Built, value: bool) {
        self.push_expr(acc, expr(ExprInstance::GBool(value)), &[], None);
    }

    pub(super) fn int(&mut self, acc: &mut Built, digits: &str, span: Span) {
        match digits.parse::<i64>() {
            Ok(value) => self.push_expr(acc, expr(ExprInstance::GInt(value)), &[], None),
            Err(_) => self.error(
                span,
                format!("integer literal {digits} does not fit in a 64-bit Int; write BigInt({digits}) for big integers"),
            ),
        }
    }

    pub(super) fn big_int(&mut self, acc: &mut Built, digits: &str) {
        self.push_expr(
            acc,
            expr(ExprInstance::GBigInt(big_int_bytes(digits))),
            &[],
            None,
        );
    }

    /// String literals keep their text raw: only the quotes are removed.
    pub(super) fn string(&mut self, acc: &mut Built, raw: &str) {
        let text = raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default();
        self.push_expr(acc, expr(ExprInstance::GString(text.to_owned())), &[], None);
    }

    pub(super) fn uri(&mut self, acc: &mut Built, raw: &str) {
        self.push_expr(
            acc,
            expr(ExprInstance::GUri(strip_uri(raw).to_owned())),
            &[],
            None,
        );
    }

    /// Normalizes collection elements in order, each into its own Par.
    fn elements(&mut self, free: &mut FreeMap, elems: Vec<ProcId>) -> Elements {
        let mut result = Elements::with_capacity(elems.len());
        for id in elems {
            let (par, fp) = finish(self.proc_alone(id, free));
            bits::union_into(&mut result.locally_free, &par.locally_free);
            result.connective_used |= par.connective_used;
            result.fps.push(fp);
            result.pars.push(par);
        }
        result
    }

    /// The remainder is numbered before the elements, as in the reference.
    pub(super) fn list(
        &mut self,
        acc: &mut Built,
        free: &mut FreeMap,
        elems: Vec<ProcId>,
        remainder: Option<ProcVar>,
        span: Span,
    ) {
        let remainder = self.remainder(remainder, free);
        let Elements {
            pars,
            fps,
            locally_free,
            connective_used,
        } = self.elements(free, elems);
        let list = EList {
            ps: pars,
            locally_free,
            connective_used: connective_used || remainder.is_some(),
            remainder,
        };
        self.push_expr(acc, expr(ExprInstance::EListBody(list)), &fps, Some(span));
    }

    pub(super) fn tuple(
        &mut self,
        acc: &mut Built,
        free: &mut FreeMap,
        elems: Vec<ProcId>,
        span: Span,
    ) {
        let Elements {
            pars,
            fps,
            locally_free,
            connective_used,
        } = self.elements(free, elems);
        let tuple = ETuple {
            ps: pars,
            locally_free,
            connective_used,
        };
        self.push_expr(acc, expr(ExprInstance::ETupleBody(tuple)), &fps, Some(span));
    }

    pub(super) fn set(
        &mut self,
        acc: &mut Built,
        free: &mut FreeMap,
        elems: Vec<ProcId>,
        remainder: Option<ProcVar>,
        span: Span,
    ) {
        let remainder = self.remainder(remainder, free);
        let Elements {
            pars,
            fps,
            locally_free,
            connective_used,
        } = self.elements(free, elems);
        let set = ESet {
            ps: pars,
            locally_free,
            connective_used: connective_used || remainder.is_some(),
            remainder,
        };
        self.push_expr(acc, expr(ExprInstance::ESetBody(set)), &fps, Some(span));
    }

    pub(super) fn map(
        &mut self,
        acc: &mut Built,
        free: &mut FreeMap,
        pairs: Vec<(ProcId, ProcId)>,
        remainder: Option<ProcVar>,
        span: Span,
    ) {
        let remainder = self.remainder(remainder, free);
        let mut kvs = Vec::with_capacity(pairs.len());
        let mut fps = Vec::with_capacity(pairs.len() * 2);
        let mut locally_free = Vec::new();
        let mut connective_used = false;
        for (key, value) in pairs {
            let (key, key_fp) = finish(self.proc_alone(key, free));
            let (value, value_fp) = finish(self.proc_alone(value, free));
            bits::union_into(&mut locally_free, &key.locally_free);
            bits::union_into(&mut locally_free, &value.locally_free);
            connective_used |= key.connective_used || value.connective_used;
            fps.extend([key_fp, value_fp]);
            kvs.push(KeyValuePair {
                key: Some(key),
                value: Some(value),
            });
        }
        // A remainder is a free variable or a wildcard: never locally free,
        // always a connective.
        let map = EMap {
            kvs,
            locally_free,
            connective_used: connective_used || remainder.is_some(),
            remainder,
        };
        self.push_expr(acc, expr(ExprInstance::EMapBody(map)), &fps, Some(span));
    }

    /// A process variable: bound in the current pattern level, or a new
    /// free variable of the pattern, or `_`.
    pub(super) fn proc_var(&mut self, acc: &mut Built, free: &mut FreeMap, var: ProcVar) {
        match var {
            ProcVar::Wildcard(span) => {
                free.add_wildcard(span);
                self.push_expr(acc, var_expr(wildcard()), &[], None);
                acc.set_connective_used();
            }
            ProcVar::Var(Ident { name, span }) => match self.chain.get(name) {
                Some(bound) if bound.sort == Sort::Proc => {
                    self.push_expr(
                        acc,
                        var_expr(VarInstance::BoundVar(bound.index as i32)),
                        &[],
                        None,
                    );
                }
                Some(bound) => {
                    let message = format!(
                        "Name variable: {} at {} used in process context at {}",
                        self.ast.var_text(name),
                        self.at(bound.span),
                        self.at(span)
                    );
                    self.error(span, message);
                }
                None => match free.get(name) {
                    None => {
                        let level = free.put(name, Sort::Proc, span);
                        self.push_expr(
                            acc,
                            var_expr(VarInstance::FreeVar(level as i32)),
                            &[],
                            None,
                        );
                        acc.set_connective_used();
                    }
                    Some(first) => self.reused(name, first.span, span, Sort::Proc),
                },
            },
        }
    }

    /// Reports a pattern variable bound twice.
    pub(super) fn reused(
        &mut self,
        name: crate::syntax::ast::VarName,
        first: Span,
        second: Span,
        sort: Sort,
    ) {
        let context = match sort {
            Sort::Proc => "process",
            Sort::Name => "name",
        };
        let message = format!(
            "Free variable {} is used twice as a binder (at {} and {}) in {context} context",
            self.ast.var_text(name),
            self.at(first),
            self.at(second)
        );
        self.error(second, message);
    }

    /// `=x` and `=*x`: a reference to a variable bound outside the pattern.
    pub(super) fn var_ref(&mut self, acc: &mut Built, kind: VarRefKind, var: Ident, span: Span) {
        let Some((bound, depth)) = self.chain.find(var.name) else {
            let star = if kind == VarRefKind::Name { "*" } else { "" };
            let message = format!(
                "Variable reference: ={star}{} at {} is unbound",
                self.ast.var_text(var.name),
                self.at(span)
            );
            self.error(span, message);
            return;
        };
        match (kind, bound.sort) {
            (VarRefKind::Proc, Sort::Proc) | (VarRefKind::Name, Sort::Name) => {
                let connective = Connective {
                    connective_instance: Some(ConnectiveInstance::VarRefBody(VarRef {
                        index: bound.index as i32,
                        depth: depth as i32,
                    })),
                };
                self.push_connective(acc, connective, &[]);
            }
            (VarRefKind::Proc, Sort::Name) => {
                let message = format!(
                    "Name variable: {} at {} used in process context at {}",
                    self.ast.var_text(var.name),
                    self.at(bound.span),
                    self.at(span)
                );
                self.error(span, message);
            }
            (VarRefKind::Name, Sort::Proc) => {
                let message = format!(
                    "Proc variable: {} at {} used in Name context at {}",
                    self.ast.var_text(var.name),
                    self.at(bound.span),
                    self.at(span)
                );
                self.error(span, message);
            }
        }
    }

    pub(super) fn push_connective(
        &mut self,
        acc: &mut Built,
        connective: Connective,
        children: &[Fp],
    ) {
        let mut next = children.iter().copied();
        let fp = fingerprint::connective(&connective, &mut |_| next.next().unwrap_or_default());
        acc.push_connective(connective, fp, self.chain.depth());
    }

    pub(super) fn simple_type(&mut self, acc: &mut Built, simple: SimpleType) {
        let instance = match simple {
            SimpleType::Bool => ConnectiveInstance::ConnBool(true),
            SimpleType::Int => ConnectiveInstance::ConnInt(true),
            SimpleType::BigInt => ConnectiveInstance::ConnBigInt(true),
            SimpleType::String => ConnectiveInstance::ConnString(true),
            SimpleType::Uri => ConnectiveInstance::ConnUri(true),
            SimpleType::ByteArray => ConnectiveInstance::ConnByteArray(true),
        };
        self.push_connective(
            acc,
            Connective {
                connective_instance: Some(instance),
            },
            &[],
        );
        acc.set_connective_used();
    }

    /// Normalizes one side of `\/` or the body of `~`: its variables cannot
    /// be bound, so they are reported.
    fn unbindable(&mut self, id: ProcId, connective: ConnectiveKind) -> (Par, Fp) {
        let mut inner = FreeMap::default();
        let built = self.proc_alone(id, &mut inner);
        for (name, var) in inner.vars() {
            let message = format!(
                "Free variable {} at {} cannot be bound inside {}: only /\\ (conjunction) binds variables",
                self.ast.var_text(name),
                self.at(var.span),
                connective.describe()
            );
            self.error(var.span, message);
        }
        finish(built)
    }

    pub(super) fn negation(
        &mut self,
        acc: &mut Built,
        free: &mut FreeMap,
        body: ProcId,
        span: Span,
    ) {
        let (body, body_fp) = self.unbindable(body, ConnectiveKind::Not);
        let connective = Connective {
            connective_instance: Some(ConnectiveInstance::ConnNotBody(body)),
        };
        self.push_connective(acc, connective, &[body_fp]);
        free.add_connective(ConnectiveKind::Not, span);
    }

    pub(super) fn conjunction(
        &mut self,
        acc: &mut Built,
        free: &mut FreeMap,
        left: ProcId,
        right: ProcId,
        span: Span,
    ) {
        let (left, left_fp) = finish(self.proc_alone(left, free));
        let (right, right_fp) = finish(self.proc_alone(right, free));
        let (ps, fps) = flatten(left, left_fp, right, right_fp, true);
        let connective = Connective {
            connective_instance: Some(ConnectiveInstance::ConnAndBody(ConnectiveBody { ps })),
        };
        self.push_connective(acc, connective, &fps);
        free.add_connective(ConnectiveKind::And, span);
    }

    pub(super) fn disjunction(
        &mut self,
        acc: &mut Built,
        free: &mut FreeMap,
        left: ProcId,
        right: ProcId,
        span: Span,
    ) {
        let (left, left_fp) = self.unbindable(left, ConnectiveKind::Or);
        let (right, right_fp) = self.unbindable(right, ConnectiveKind::Or);
        let (ps, fps) = flatten(left, left_fp, right, right_fp, false);
        let connective = Connective {
            connective_instance: Some(ConnectiveInstance::ConnOrBody(ConnectiveBody { ps })),
        };
        self.push_connective(acc, connective, &fps);
        free.add_connective(ConnectiveKind::Or, span);
    }

    /// `target.method(args)`: the arguments are normalized last to first,
    /// as in the reference, which numbers their free variables that way.
    pub(super) fn method(
        &mut self,
        acc: &mut Built,
        free: &mut FreeMap,
        target: ProcId,
        method: &str,
        args: Vec<ProcId>,
        span: Span,
    ) {
        let (target, target_fp) = finish(self.proc_alone(target, free));
        let arguments = self.reversed(free, args);
        let mut locally_free = target.locally_free.clone();
        let mut connective_used = target.connective_used;
        for argument in &arguments.pars {
            bits::union_into(&mut locally_free, &argument.locally_free);
            connective_used |= argument.connective_used;
        }
        let mut fps = vec![target_fp];
        fps.extend(arguments.fps);
        let method = EMethod {
            method_name: method.to_owned(),
            target: Some(target),
            arguments: arguments.pars,
            locally_free,
            connective_used,
        };
        self.push_expr(
            acc,
            expr(ExprInstance::EMethodBody(method)),
            &fps,
            Some(span),
        );
    }

    /// Normalizes Pars from the last to the first, returning them in
    /// source order.
    pub(super) fn reversed(&mut self, free: &mut FreeMap, ids: Vec<ProcId>) -> Elements {
        let mut done: Vec<(Par, Fp)> = Vec::with_capacity(ids.len());
        for id in ids.into_iter().rev() {
            done.push(finish(self.proc_alone(id, free)));
        }
        done.reverse();
        let mut result = Elements::with_capacity(done.len());
        for (par, fp) in done {
            bits::union_into(&mut result.locally_free, &par.locally_free);
            result.connective_used |= par.connective_used;
            result.fps.push(fp);
            result.pars.push(par);
        }
        result
    }

    pub(super) fn unary(
        &mut self,
        acc: &mut Built,
        free: &mut FreeMap,
        op: UnaryOp,
        operand: ProcId,
        span: Span,
    ) {
        let (p, fp) = finish(self.proc_alone(operand, free));
        let instance = match op {
            UnaryOp::Not => ExprInstance::ENotBody(ENot { p: Some(p) }),
            UnaryOp::Neg => ExprInstance::ENegBody(ENeg { p: Some(p) }),
        };
        self.push_expr(acc, expr(instance), &[fp], Some(span));
    }

    pub(super) fn binary(
        &mut self,
        acc: &mut Built,
        free: &mut FreeMap,
        op: BinaryOp,
        left: ProcId,
        right: ProcId,
        span: Span,
    ) {
        let (p1, fp1) = finish(self.proc_alone(left, free));
        let (p2, fp2) = finish(self.proc_alone(right, free));
        let (p1, p2) = (Some(p1), Some(p2));
        let instance = match op {
            BinaryOp::Mult => ExprInstance::EMultBody(EMult { p1, p2 }),
            BinaryOp::Div => ExprInstance::EDivBody(EDiv { p1, p2 }),
            BinaryOp::Mod => ExprInstance::EModBody(EMod { p1, p2 }),
            BinaryOp::PercentPercent => {
                ExprInstance::EPercentPercentBody(EPercentPercent { p1, p2 })
            }
            BinaryOp::Add => ExprInstance::EPlusBody(EPlus { p1, p2 }),
            BinaryOp::Minus => ExprInstance::EMinusBody(EMinus { p1, p2 }),
            BinaryOp::PlusPlus => ExprInstance::EPlusPlusBody(EPlusPlus { p1, p2 }),
            BinaryOp::MinusMinus => ExprInstance::EMinusMinusBody(EMinusMinus { p1, p2 }),
            BinaryOp::Lt => ExprInstance::ELtBody(ELt { p1, p2 }),
            BinaryOp::Lte => ExprInstance::ELteBody(ELte { p1, p2 }),
            BinaryOp::Gt => ExprInstance::EGtBody(EGt { p1, p2 }),
            BinaryOp::Gte => ExprInstance::EGteBody(EGte { p1, p2 }),
            BinaryOp::Eq => ExprInstance::EEqBody(EEq { p1, p2 }),
            BinaryOp::Neq => ExprInstance::ENeqBody(ENeq { p1, p2 }),
            BinaryOp::And => ExprInstance::EAndBody(EAnd { p1, p2 }),
            BinaryOp::ShortAnd => ExprInstance::EShortAndBody(EShortAnd { p1, p2 }),
            BinaryOp::Or => ExprInstance::EOrBody(EOr { p1, p2 }),
            BinaryOp::ShortOr => ExprInstance::EShortOrBody(EShortOr { p1, p2 }),
        };
        self.push_expr(acc, expr(instance), &[fp1, fp2], Some(span));
    }

    /// `target matches pattern`: the pattern's free variables stay inside
    /// it, as in `match target { pattern => true ; _ => false }`.
    pub(super) fn matches(
        &mut self,
        acc: &mut Built,
        free: &mut FreeMap,
        target: ProcId,
        pattern: ProcId,
        span: Span,
    ) {
        let (target, target_fp) = finish(self.proc_alone(target, free));
        self.chain.push();
        let mut pattern_free = FreeMap::default();
        let (pattern, pattern_fp) = finish(self.proc_alone(pattern, &mut pattern_free));
        self.chain.pop();
        let instance = ExprInstance::EMatchesBody(EMatches {
            target: Some(target),
            pattern: Some(pattern),
        });
        self.push_expr(acc, expr(instance), &[target_fp, pattern_fp], Some(span));
    }
}

/// Normalized elements with their union of free variables.
#[derive(Default)]
pub(super) struct Elements {
    pub(super) pars: Vec<Par>,
    pub(super) fps: Vec<Fp>,
    pub(super) locally_free: Vec<u8>,
    pub(super) connective_used: bool,
}

impl Elements {
    pub(super) fn with_capacity(len: usize) -> Elements {
        Elements {
            pars: Vec::with_capacity(len),
            fps: Vec::with_capacity(len),
            ..Elements::default()
        }
    }
}

/// The operands of `left op right` where `op` is `/\` (`and` true) or
/// `\/`: if `left` is exactly one connective of the same kind, its operands
/// are extended, as in the reference (so `a /\ b /\ c` has three operands).
fn flatten(mut left: Par, left_fp: Fp, right: Par, right_fp: Fp, and: bool) -> (Vec<Par>, Vec<Fp>) {
    let single = left.sends.is_empty()
        && left.receives.is_empty()
        && left.news.is_empty()
        && left.exprs.is_empty()
        && left.matches.is_empty()
        && left.bundles.is_empty()
        && left.connectives.len() == 1;
    if single && let Some(connective) = left.connectives.pop() {
        match connective.connective_instance {
            Some(ConnectiveInstance::ConnAndBody(body)) if and => {
                return extend(body, right, right_fp);
            }
            Some(ConnectiveInstance::ConnOrBody(body)) if !and => {
                return extend(body, right, right_fp);
            }
            other => left.connectives.push(Connective {
                connective_instance: other,
            }),
        }
    }
    (vec![left, right], vec![left_fp, right_fp])
}

fn extend(body: ConnectiveBody, right: Par, right_fp: Fp) -> (Vec<Par>, Vec<Fp>) {
    let mut fps: Vec<Fp> = body.ps.iter().map(super::fingerprint::of_par).collect();
    let mut ps = body.ps;
    ps.push(right);
    fps.push(right_fp);
    (ps, fps)
}

/// Removes the backticks of a URI literal.
pub(super) fn strip_uri(raw: &str) -> &str {
    raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default()
}

/// The two's-complement big-endian bytes of a non-negative decimal number,
/// as Java's `BigInteger.toByteArray` writes them (the reference's encoding
/// of `GBigInt`).
pub(super) fn big_int_bytes(digits: &str) -> Vec<u8> {
    // Little-endian base-256 magnitude.
    let mut magnitude: Vec<u8> = Vec::new();
    for digit in digits.bytes().filter(u8::is_ascii_digit) {
        let mut carry = u32::from(digit - b'0');
        for byte in &mut magnitude {
            let value = u32::from(*byte) * 10 + carry;
            *byte = (value & 0xff) as u8;
            carry = value >> 8;
        }
        while carry > 0 {
            magnitude.push((carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    while magnitude.last() == Some(&0) {
        magnitude.pop();
    }
    if magnitude.last().is_none_or(|&top| top >= 0x80) {
        magnitude.push(0);
    }
    magnitude.reverse();
    magnitude
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_ints_encode_like_java() {
        assert_eq!(big_int_bytes("0"), vec![0]);
        assert_eq!(big_int_bytes("127"), vec![0x7f]);
        assert_eq!(big_int_bytes("128"), vec![0x00, 0x80]);
        assert_eq!(big_int_bytes("256"), vec![0x01, 0x00]);
        assert_eq!(big_int_bytes("000255"), vec![0x00, 0xff]);
        assert_eq!(
            big_int_bytes("18446744073709551616"),
            vec![0x01, 0, 0, 0, 0, 0, 0, 0, 0]
        );
    }
}
