//! `match`, `if`, `let`, `new` and bundles (the reference's `PMatch`,
//! `PIf`, `PLet`, `PNew` and `PBundle`).

use rho_host_abi::par::{Bundle, EList, Match, MatchCase, New, Par, expr::ExprInstance};

use super::Normalizer;
use super::bits;
use super::built::Built;
use super::env::{FreeMap, Sort};
use super::exprs::{expr, expr_fp, finish, strip_uri};
use super::fingerprint::{self, Fp};
use crate::diagnostic::Span;
use crate::syntax::ast::{
    Bind, BundleKind, Decl, Ident, Name, NameDecl, Proc, ProcId, Receipt, ReceiptKind, Source,
};

impl<'src> Normalizer<'src, '_> {
    /// `match target { pattern => body ... }`: each pattern is a new level
    /// of the bound chain with its own free map.
    pub(super) fn matcher(
        &mut self,
        acc: &mut Built,
        free: &mut FreeMap,
        target: ProcId,
        cases: Vec<(ProcId, ProcId)>,
        span: Span,
    ) {
        let (target, target_fp) = finish(self.proc_alone(target, free));
        let mut locally_free = target.locally_free.clone();
        let mut connective_used = target.connective_used;
        let mut children = vec![target_fp];
        let mut normalized = Vec::with_capacity(cases.len());
        for (pattern, body) in cases {
            self.chain.push();
            let mut pattern_free = FreeMap::default();
            let (pattern, pattern_fp) = finish(self.proc_alone(pattern, &mut pattern_free));
            self.chain.pop();
            let bound = pattern_free.count_no_wildcards();
            let mark = self.chain.mark();
            self.chain.absorb_free(&pattern_free);
            let (body, body_fp) = finish(self.proc_alone(body, free));
            self.chain.restore(mark);
            bits::union_into(&mut locally_free, &pattern.locally_free);
            bits::union_into(
                &mut locally_free,
                &bits::shift_down(&body.locally_free, bound),
            );
            connective_used |= body.connective_used;
            children.extend([pattern_fp, body_fp]);
            normalized.push(MatchCase {
                pattern: Some(pattern),
                source: Some(body),
                free_count: bound as i32,
            });
        }
        let matcher = Match {
            target: Some(target),
            cases: normalized,
            locally_free,
            connective_used,
        };
        self.push_match(acc, matcher, &children, span);
    }

    fn push_match(&mut self, acc: &mut Built, matcher: Match, children: &[Fp], span: Span) {
        let mut next = children.iter().copied();
        let fp = fingerprint::matcher(&matcher, &mut |_| next.next().unwrap_or_default());
        self.locate(fp, span);
        acc.push_match(matcher, fp);
    }

    /// `if (cond) then else otherwise` is
    /// `match cond { true => then ; false => otherwise }`.
    pub(super) fn if_(
        &mut self,
        acc: &mut Built,
        free: &mut FreeMap,
        cond: ProcId,
        then: ProcId,
        otherwise: Option<ProcId>,
        span: Span,
    ) {
        let (target, target_fp) = finish(self.proc_alone(cond, free));
        let (then, then_fp) = finish(self.proc_alone(then, free));
        let (otherwise, otherwise_fp) = match otherwise {
            Some(otherwise) => finish(self.proc_alone(otherwise, free)),
            None => finish(Built::default()),
        };
        let mut locally_free = target.locally_free.clone();
        bits::union_into(&mut locally_free, &then.locally_free);
        bits::union_into(&mut locally_free, &otherwise.locally_free);
        let connective_used =
            target.connective_used || then.connective_used || otherwise.connective_used;
        let (truth, truth_fp) = bool_par(true);
        let (falsity, falsity_fp) = bool_par(false);
        let children = [target_fp, truth_fp, then_fp, falsity_fp, otherwise_fp];
        let matcher = Match {
            target: Some(target),
            cases: vec![
                MatchCase {
                    pattern: Some(truth),
                    source: Some(then),
                    free_count: 0,
                },
                MatchCase {
                    pattern: Some(falsity),
                    source: Some(otherwise),
                    free_count: 0,
                },
            ],
            locally_free,
            connective_used,
        };
        self.push_match(acc, matcher, &children, span);
    }

    /// `new x, y(`uri`) in P`: plain names are bound first, in order, then
    /// the URI-bound names sorted by URI.
    pub(super) fn new_names(
        &mut self,
        acc: &mut Built,
        free: &mut FreeMap,
        decls: Vec<NameDecl<'src>>,
        body: ProcId,
        span: Span,
    ) {
        let mut decls: Vec<(Option<&str>, Ident)> = decls
            .into_iter()
            .map(|decl| (decl.uri.map(strip_uri), decl.var))
            .collect();
        // A stable sort: `None` first, then URIs in the order of Java's
        // `String.compareTo` (UTF-16 code units).
        decls.sort_by(|(a, _), (b, _)| match (a, b) {
            (None, None) => std::cmp::Ordering::Equal,
            (None, Some(_)) => std::cmp::Ordering::Less,
            (Some(_), None) => std::cmp::Ordering::Greater,
            (Some(a), Some(b)) => a.encode_utf16().cmp(b.encode_utf16()),
        });
        let mark = self.chain.mark();
        let before = self.chain.count();
        for (_, var) in &decls {
            self.chain.put(var.name, Sort::Name, var.span);
        }
        let bind_count = self.chain.count() - before;
        let (body, body_fp) = finish(self.proc_alone(body, free));
        self.chain.restore(mark);
        let new = New {
            bind_count: bind_count as i32,
            locally_free: bits::shift_down(&body.locally_free, bind_count),
            p: Some(body),
            uri: decls
                .iter()
                .filter_map(|(uri, _)| uri.map(str::to_owned))
                .collect(),
            injections: Default::default(),
        };
        let fp = fingerprint::new(&new, &mut |_| body_fp);
        self.locate(fp, span);
        acc.push_new(new, fp);
    }

    /// `bundle+ { P }` and friends. The body may have no free variables,
    /// wildcards or top-level connectives; a bundle directly inside a
    /// bundle is merged into it.
    pub(super) fn bundle(
        &mut self,
        acc: &mut Built,
        free: &mut FreeMap,
        kind: BundleKind,
        body: ProcId,
        span: Span,
    ) {
        let before = free.size();
        let body = self.proc_alone(body, free);
        let added = free.vars_since(before);
        let wildcards: Vec<Span> = free.wildcards[before.1..].to_vec();
        free.truncate(before);
        if !body.par.connectives.is_empty() {
            let message = format!(
                "Illegal top level connective in bundle at {}",
                self.at(span)
            );
            self.error(span, message);
            return;
        }
        if !added.is_empty() || !wildcards.is_empty() {
            let mut positions: Vec<(Span, String)> = added
                .iter()
                .map(|(name, var)| {
                    (
                        var.span,
                        format!("{} at {}", self.ast.var_text(*name), self.at(var.span)),
                    )
                })
                .collect();
            positions.extend(
                wildcards
                    .iter()
                    .map(|&at| (at, format!("_ (wildcard) at {}", self.at(at)))),
            );
            positions.sort();
            let listed: Vec<String> = positions.into_iter().map(|(_, text)| text).collect();
            let message = format!(
                "Bundle's content must not have free variables or wildcards: {}",
                listed.join(", ")
            );
            self.error(span, message);
            return;
        }
        let (write_flag, read_flag) = match kind {
            BundleKind::Write => (true, false),
            BundleKind::Read => (false, true),
            BundleKind::Equiv => (false, false),
            BundleKind::ReadWrite => (true, true),
        };
        let (bundle, body_fp) = match body.single_bundle().cloned() {
            // The reference merges the flags and keeps the inner body.
            Some(inner) => {
                let inner_body = inner.body.unwrap_or_default();
                let inner_fp = super::fingerprint::of_par(&inner_body);
                let bundle = Bundle {
                    body: Some(inner_body),
                    write_flag: write_flag && inner.write_flag,
                    read_flag: read_flag && inner.read_flag,
                };
                (bundle, inner_fp)
            }
            None => {
                let (body, body_fp) = finish(body);
                (
                    Bundle {
                        body: Some(body),
                        write_flag,
                        read_flag,
                    },
                    body_fp,
                )
            }
        };
        let fp = fingerprint::bundle(&bundle, &mut |_| body_fp);
        acc.push_bundle(bundle, fp);
    }

    /// `let`: with `&` between declarations it is
    /// `new v1, v2 in { v1!(values1) | v2!(values2) | for (p1 <- v1 & p2 <- v2) { P } }`;
    /// otherwise each declaration is a `match` of the list of values against
    /// the list of patterns, nested one in the next.
    pub(super) fn let_(
        &mut self,
        acc: &mut Built,
        free: &mut FreeMap,
        decls: Vec<Decl>,
        concurrent: bool,
        body: ProcId,
        span: Span,
    ) {
        if concurrent {
            self.concurrent_let(acc, free, decls, body, span);
        } else {
            let mut decls = decls.into_iter().rev().collect();
            self.sequential_let(acc, free, &mut decls, body, span);
        }
    }

    fn concurrent_let(
        &mut self,
        acc: &mut Built,
        free: &mut FreeMap,
        decls: Vec<Decl>,
        body: ProcId,
        span: Span,
    ) {
        let mut names = Vec::with_capacity(decls.len());
        let mut sends = Vec::with_capacity(decls.len());
        let mut binds = Vec::with_capacity(decls.len());
        for decl in decls {
            let var = self.fresh();
            names.push(NameDecl {
                var: Ident { name: var, span },
                uri: None,
            });
            let chan = self.ast.name_at(decl.span, Name::Var(var));
            sends.push(self.ast.proc_at(
                decl.span,
                Proc::Send {
                    chan,
                    persistent: false,
                    args: decl.values,
                },
            ));
            let source = self.ast.name_at(decl.span, Name::Var(var));
            binds.push(Bind {
                patterns: decl.patterns,
                remainder: decl.remainder,
                source: Source::Simple(source),
            });
        }
        let receipt = Receipt {
            kind: ReceiptKind::Linear,
            binds,
            span,
        };
        let input = self.ast.proc_at(
            span,
            Proc::For {
                receipts: vec![receipt],
                body,
            },
        );
        // `s1 | s2 | ... | input`, nested to the left as the parser nests
        // `|` (and as the reference builds it), so that it is walked with a
        // loop however many declarations there are.
        let mut process: Option<ProcId> = None;
        for part in sends.into_iter().chain(std::iter::once(input)) {
            process = Some(match process {
                None => part,
                Some(left) => self.ast.proc_at(span, Proc::Par(left, part)),
            });
        }
        let process = process.unwrap_or(input);
        let new = self.ast.proc_at(
            span,
            Proc::New {
                decls: names,
                body: process,
            },
        );
        self.proc(new, acc, free);
    }

    /// One sequential declaration: `decls` holds the remaining ones, the
    /// next last.
    fn sequential_let(
        &mut self,
        acc: &mut Built,
        free: &mut FreeMap,
        decls: &mut Vec<Decl>,
        body: ProcId,
        span: Span,
    ) {
        let Some(decl) = decls.pop() else {
            self.proc(body, acc, free);
            return;
        };
        // The values, as a list.
        let values = self.elements_of(free, decl.values);
        let value_list = EList {
            ps: values.pars,
            locally_free: values.locally_free,
            connective_used: values.connective_used,
            remainder: None,
        };
        let (target, target_fp) = expr_par(ExprInstance::EListBody(value_list), &values.fps);

        // The patterns, as a list pattern: the remainder is numbered first.
        let mut pattern_free = FreeMap::default();
        let remainder = self.remainder(decl.remainder, &mut pattern_free);
        let mut patterns = Vec::with_capacity(decl.patterns.len());
        let mut pattern_fps = Vec::with_capacity(decl.patterns.len());
        let mut patterns_free = Vec::new();
        self.chain.push();
        for pattern in decl.patterns {
            let (par, fp) = finish(self.name(pattern, &mut pattern_free));
            bits::union_into(&mut patterns_free, &par.locally_free);
            patterns.push(par);
            pattern_fps.push(fp);
        }
        self.chain.pop();
        let pattern_list = EList {
            ps: patterns,
            locally_free: patterns_free,
            connective_used: true,
            remainder,
        };
        let (pattern, pattern_fp) = expr_par(ExprInstance::EListBody(pattern_list), &pattern_fps);

        let bound = pattern_free.count_no_wildcards();
        let mark = self.chain.mark();
        self.chain.absorb_free(&pattern_free);
        let mut continuation = Built::default();
        // One declaration per level: guarded like any other nesting.
        self.nested(span, |this| {
            this.sequential_let(&mut continuation, free, decls, body, span)
        });
        self.chain.restore(mark);
        let (continuation, continuation_fp) = finish(continuation);

        let mut locally_free = target.locally_free.clone();
        bits::union_into(&mut locally_free, &pattern.locally_free);
        bits::union_into(
            &mut locally_free,
            &bits::shift_down(&continuation.locally_free, bound),
        );
        let connective_used = target.connective_used || continuation.connective_used;
        let matcher = Match {
            target: Some(target),
            cases: vec![MatchCase {
                pattern: Some(pattern),
                source: Some(continuation),
                free_count: bound as i32,
            }],
            locally_free,
            connective_used,
        };
        self.push_match(
            acc,
            matcher,
            &[target_fp, pattern_fp, continuation_fp],
            decl.span.to(span),
        );
    }

    fn elements_of(&mut self, free: &mut FreeMap, ids: Vec<ProcId>) -> super::exprs::Elements {
        let mut result = super::exprs::Elements::with_capacity(ids.len());
        for id in ids {
            let (par, fp) = finish(self.proc_alone(id, free));
            bits::union_into(&mut result.locally_free, &par.locally_free);
            result.connective_used |= par.connective_used;
            result.fps.push(fp);
            result.pars.push(par);
        }
        result
    }
}

/// A Par holding one expression, made the way the reference turns an
/// `Expr` into a `Par` (as if outside any pattern).
fn expr_par(instance: ExprInstance, children: &[Fp]) -> (Par, Fp) {
    let expr = expr(instance);
    let fp = expr_fp(&expr, children);
    let mut built = Built::default();
    built.push_expr(expr, fp, 0);
    finish(built)
}

fn bool_par(value: bool) -> (Par, Fp) {
    expr_par(ExprInstance::GBool(value), &[])
}
