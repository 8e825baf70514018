//! Names and remainders (the reference's `NameNormalizeMatcher` and
//! `RemainderNormalizeMatcher`).

use rho_host_abi::par::{Var, var::VarInstance};

use super::Normalizer;
use super::built::Built;
use super::env::{FreeMap, Sort};
use super::exprs::{var_expr, wildcard};
use crate::syntax::ast::{Ident, Name, NameId, NameNode, ProcVar};

impl<'src> Normalizer<'src, '_> {
    /// Normalizes a name to a Par. A name variable is an `EVar`, which the
    /// reference turns into a Par as if outside any pattern, so a bound name
    /// is always locally free.
    pub(super) fn name(&mut self, id: NameId, free: &mut FreeMap) -> Built {
        let NameNode { kind, span } = self.ast.name_node(id);
        let mut built = Built::default();
        match kind {
            Name::Wildcard => {
                free.add_wildcard(span);
                push_var(&mut built, wildcard());
            }
            Name::Var(name) => match self.chain.get(name) {
                Some(bound) if bound.sort == Sort::Name => {
                    push_var(&mut built, VarInstance::BoundVar(bound.index as i32));
                }
                Some(bound) => {
                    let message = format!(
                        "Proc variable: {} at {} used in Name context at {}",
                        self.ast.var_text(name),
                        self.at(bound.span),
                        self.at(span)
                    );
                    self.error(span, message);
                }
                None => match free.get(name) {
                    None => {
                        let level = free.put(name, Sort::Name, span);
                        push_var(&mut built, VarInstance::FreeVar(level as i32));
                    }
                    Some(first) => self.reused(name, first.span, span, Sort::Name),
                },
            },
            Name::Quote(process) => self.proc(process, &mut built, free),
        }
        built
    }

    /// A remainder (`...rest` or `...@rest`) is always a new free variable
    /// of the pattern (or `_`); it is not looked up among bound variables.
    pub(super) fn remainder(
        &mut self,
        remainder: Option<ProcVar>,
        free: &mut FreeMap,
    ) -> Option<Var> {
        let instance = match remainder? {
            ProcVar::Wildcard(span) => {
                free.add_wildcard(span);
                wildcard()
            }
            ProcVar::Var(Ident { name, span }) => match free.get(name) {
                None => VarInstance::FreeVar(free.put(name, Sort::Proc, span) as i32),
                Some(first) => {
                    self.reused(name, first.span, span, Sort::Proc);
                    return None;
                }
            },
        };
        Some(Var {
            var_instance: Some(instance),
        })
    }
}

/// Adds a variable as a Par made from an `EVar` outside any pattern.
fn push_var(built: &mut Built, instance: VarInstance) {
    let expr = var_expr(instance);
    let fp = super::exprs::expr_fp(&expr, &[]);
    built.push_expr(expr, fp, 0);
}
