//! Substitution of bound variables by their values, for terms that become
//! data: quoted processes sent or matched, and patterns that refer to
//! variables in scope with `=x`.
//!
//! Continuation bodies are never substituted (they run as closures); only
//! terms that leave their scope as values are. The rules are the reference's:
//! at process level (pattern depth 0) a bound variable with index `k >= shift`
//! (not bound inside the term) is replaced by `env[k - shift]`; inside
//! patterns (depth > 0) only variable references `=x` whose depth equals the
//! current pattern depth are replaced. The result is left unsorted; callers
//! sort it once.

use rho_host_abi::par::{
    Bundle, Connective, ConnectiveBody, EList, EMap, EMatches, EMethod, ESet, ETuple, Expr,
    KeyValuePair, Match, MatchCase, New, Par, Receive, ReceiveBind, Send, Var,
    connective::ConnectiveInstance, expr::ExprInstance, var::VarInstance,
};

use super::env::Env;
use super::machine::merge_into;
use crate::error::RuntimeError;

/// Stack space to keep free before recursing into a subterm.
const RED_ZONE: usize = 64 * 1024;
/// Stack segment to allocate when the red zone is reached.
const STACK_GROWTH: usize = 1024 * 1024;

/// Substitutes the variables of `env` into `par` at pattern depth `depth`.
///
/// # Errors
///
/// [`RuntimeError::UnboundVariable`] for a variable that is neither bound
/// inside the term nor in `env` (a malformed Par).
pub(crate) fn substitute(par: &Par, env: &Env, depth: u32) -> Result<Par, RuntimeError> {
    Substitution { env }.par(par, 0, depth)
}

struct Substitution<'a> {
    env: &'a Env,
}

impl Substitution<'_> {
    fn lookup(&self, index: i32, shift: usize) -> Result<Option<Par>, RuntimeError> {
        let index_usize =
            usize::try_from(index).map_err(|_| RuntimeError::UnboundVariable(index))?;
        if index_usize < shift {
            return Ok(None);
        }
        match self.env.get(index_usize - shift) {
            Some(value) => Ok(Some(value.to_par())),
            None => Err(RuntimeError::UnboundVariable(index)),
        }
    }

    fn par(&self, par: &Par, shift: usize, depth: u32) -> Result<Par, RuntimeError> {
        stacker::maybe_grow(RED_ZONE, STACK_GROWTH, || self.par_inner(par, shift, depth))
    }

    fn par_inner(&self, par: &Par, shift: usize, depth: u32) -> Result<Par, RuntimeError> {
        let mut out = Par {
            sends: Vec::with_capacity(par.sends.len()),
            receives: Vec::with_capacity(par.receives.len()),
            news: Vec::with_capacity(par.news.len()),
            exprs: Vec::with_capacity(par.exprs.len()),
            matches: Vec::with_capacity(par.matches.len()),
            unforgeables: par.unforgeables.clone(),
            bundles: Vec::with_capacity(par.bundles.len()),
            connectives: Vec::with_capacity(par.connectives.len()),
            locally_free: clear_bits_from(&par.locally_free, shift),
            connective_used: par.connective_used,
        };
        for send in &par.sends {
            out.sends.push(self.send(send, shift, depth)?);
        }
        for receive in &par.receives {
            out.receives.push(self.receive(receive, shift, depth)?);
        }
        for new in &par.news {
            out.news.push(New {
                bind_count: new.bind_count,
                p: self.opt_par(new.p.as_ref(), shift + bind_count(new.bind_count), depth)?,
                uri: new.uri.clone(),
                injections: new.injections.clone(),
                locally_free: clear_bits_from(&new.locally_free, shift),
            });
        }
        for expr in &par.exprs {
            if let Some(ExprInstance::EVarBody(evar)) = &expr.expr_instance
                && depth == 0
                && let Some(Var {
                    var_instance: Some(VarInstance::BoundVar(index)),
                }) = &evar.v
                && let Some(value) = self.lookup(*index, shift)?
            {
                merge_into(&mut out, value);
                continue;
            }
            out.exprs.push(self.expr(expr, shift, depth)?);
        }
        for matched in &par.matches {
            out.matches.push(self.matched(matched, shift, depth)?);
        }
        for bundle in &par.bundles {
            out.bundles.push(Bundle {
                body: self.opt_par(bundle.body.as_ref(), shift, depth)?,
                write_flag: bundle.write_flag,
                read_flag: bundle.read_flag,
            });
        }
        for connective in &par.connectives {
            if let Some(ConnectiveInstance::VarRefBody(var_ref)) = &connective.connective_instance
                && var_ref.depth >= 0
                && var_ref.depth as u32 == depth
                && let Some(value) = self.lookup(var_ref.index, shift)?
            {
                merge_into(&mut out, value);
                continue;
            }
            out.connectives
                .push(self.connective(connective, shift, depth)?);
        }
        Ok(out)
    }

    fn opt_par(
        &self,
        par: Option<&Par>,
        shift: usize,
        depth: u32,
    ) -> Result<Option<Par>, RuntimeError> {
        par.map(|p| self.par(p, shift, depth)).transpose()
    }

    fn pars(&self, pars: &[Par], shift: usize, depth: u32) -> Result<Vec<Par>, RuntimeError> {
        pars.iter().map(|p| self.par(p, shift, depth)).collect()
    }

    fn send(&self, send: &Send, shift: usize, depth: u32) -> Result<Send, RuntimeError> {
        Ok(Send {
            chan: self.opt_par(send.chan.as_ref(), shift, depth)?,
            data: self.pars(&send.data, shift, depth)?,
            persistent: send.persistent,
            locally_free: clear_bits_from(&send.locally_free, shift),
            connective_used: send.connective_used,
        })
    }

    fn receive(
        &self,
        receive: &Receive,
        shift: usize,
        depth: u32,
    ) -> Result<Receive, RuntimeError> {
        let mut binds = Vec::with_capacity(receive.binds.len());
        for bind in &receive.binds {
            binds.push(ReceiveBind {
                patterns: self.pars(&bind.patterns, shift, depth + 1)?,
                source: self.opt_par(bind.source.as_ref(), shift, depth)?,
                remainder: bind.remainder,
                free_count: bind.free_count,
            });
        }
        Ok(Receive {
            binds,
            body: self.opt_par(
                receive.body.as_ref(),
                shift + bind_count(receive.bind_count),
                depth,
            )?,
            persistent: receive.persistent,
            peek: receive.peek,
            bind_count: receive.bind_count,
            locally_free: clear_bits_from(&receive.locally_free, shift),
            connective_used: receive.connective_used,
        })
    }

    fn matched(&self, matched: &Match, shift: usize, depth: u32) -> Result<Match, RuntimeError> {
        let mut cases = Vec::with_capacity(matched.cases.len());
        for case in &matched.cases {
            cases.push(MatchCase {
                pattern: self.opt_par(case.pattern.as_ref(), shift, depth + 1)?,
                source: self.opt_par(
                    case.source.as_ref(),
                    shift + bind_count(case.free_count),
                    depth,
                )?,
                free_count: case.free_count,
            });
        }
        Ok(Match {
            target: self.opt_par(matched.target.as_ref(), shift, depth)?,
            cases,
            locally_free: clear_bits_from(&matched.locally_free, shift),
            connective_used: matched.connective_used,
        })
    }

    fn connective(
        &self,
        connective: &Connective,
        shift: usize,
        depth: u32,
    ) -> Result<Connective, RuntimeError> {
        let instance = match &connective.connective_instance {
            Some(ConnectiveInstance::ConnAndBody(body)) => {
                ConnectiveInstance::ConnAndBody(ConnectiveBody {
                    ps: self.pars(&body.ps, shift, depth)?,
                })
            }
            Some(ConnectiveInstance::ConnOrBody(body)) => {
                ConnectiveInstance::ConnOrBody(ConnectiveBody {
                    ps: self.pars(&body.ps, shift, depth)?,
                })
            }
            Some(ConnectiveInstance::ConnNotBody(body)) => {
                ConnectiveInstance::ConnNotBody(self.par(body, shift, depth)?)
            }
            Some(other) => other.clone(),
            None => return Ok(connective.clone()),
        };
        Ok(Connective {
            connective_instance: Some(instance),
        })
    }

    fn expr(&self, expr: &Expr, shift: usize, depth: u32) -> Result<Expr, RuntimeError> {
        let Some(instance) = &expr.expr_instance else {
            return Ok(expr.clone());
        };
        macro_rules! binary {
            ($variant:ident, $ty:ident, $b:expr) => {
                ExprInstance::$variant(rho_host_abi::par::$ty {
                    p1: self.opt_par($b.p1.as_ref(), shift, depth)?,
                    p2: self.opt_par($b.p2.as_ref(), shift, depth)?,
                })
            };
        }
        let substituted = match instance {
            ExprInstance::GBool(_)
            | ExprInstance::GInt(_)
            | ExprInstance::GBigInt(_)
            | ExprInstance::GString(_)
            | ExprInstance::GUri(_)
            | ExprInstance::GByteArray(_)
            | ExprInstance::EVarBody(_) => instance.clone(),
            ExprInstance::ENotBody(b) => ExprInstance::ENotBody(rho_host_abi::par::ENot {
                p: self.opt_par(b.p.as_ref(), shift, depth)?,
            }),
            ExprInstance::ENegBody(b) => ExprInstance::ENegBody(rho_host_abi::par::ENeg {
                p: self.opt_par(b.p.as_ref(), shift, depth)?,
            }),
            ExprInstance::EMultBody(b) => binary!(EMultBody, EMult, b),
            ExprInstance::EDivBody(b) => binary!(EDivBody, EDiv, b),
            ExprInstance::EModBody(b) => binary!(EModBody, EMod, b),
            ExprInstance::EPlusBody(b) => binary!(EPlusBody, EPlus, b),
            ExprInstance::EMinusBody(b) => binary!(EMinusBody, EMinus, b),
            ExprInstance::ELtBody(b) => binary!(ELtBody, ELt, b),
            ExprInstance::ELteBody(b) => binary!(ELteBody, ELte, b),
            ExprInstance::EGtBody(b) => binary!(EGtBody, EGt, b),
            ExprInstance::EGteBody(b) => binary!(EGteBody, EGte, b),
            ExprInstance::EEqBody(b) => binary!(EEqBody, EEq, b),
            ExprInstance::ENeqBody(b) => binary!(ENeqBody, ENeq, b),
            ExprInstance::EAndBody(b) => binary!(EAndBody, EAnd, b),
            ExprInstance::EOrBody(b) => binary!(EOrBody, EOr, b),
            ExprInstance::EShortAndBody(b) => binary!(EShortAndBody, EShortAnd, b),
            ExprInstance::EShortOrBody(b) => binary!(EShortOrBody, EShortOr, b),
            ExprInstance::EPercentPercentBody(b) => {
                binary!(EPercentPercentBody, EPercentPercent, b)
            }
            ExprInstance::EPlusPlusBody(b) => binary!(EPlusPlusBody, EPlusPlus, b),
            ExprInstance::EMinusMinusBody(b) => binary!(EMinusMinusBody, EMinusMinus, b),
            ExprInstance::EMatchesBody(b) => ExprInstance::EMatchesBody(EMatches {
                target: self.opt_par(b.target.as_ref(), shift, depth)?,
                pattern: self.opt_par(b.pattern.as_ref(), shift, depth + 1)?,
            }),
            ExprInstance::EListBody(list) => ExprInstance::EListBody(EList {
                ps: self.pars(&list.ps, shift, depth)?,
                locally_free: clear_bits_from(&list.locally_free, shift),
                connective_used: list.connective_used,
                remainder: list.remainder,
            }),
            ExprInstance::ETupleBody(tuple) => ExprInstance::ETupleBody(ETuple {
                ps: self.pars(&tuple.ps, shift, depth)?,
                locally_free: clear_bits_from(&tuple.locally_free, shift),
                connective_used: tuple.connective_used,
            }),
            ExprInstance::ESetBody(set) => ExprInstance::ESetBody(ESet {
                ps: self.pars(&set.ps, shift, depth)?,
                locally_free: clear_bits_from(&set.locally_free, shift),
                connective_used: set.connective_used,
                remainder: set.remainder,
            }),
            ExprInstance::EMapBody(map) => {
                let mut kvs = Vec::with_capacity(map.kvs.len());
                for kv in &map.kvs {
                    kvs.push(KeyValuePair {
                        key: self.opt_par(kv.key.as_ref(), shift, depth)?,
                        value: self.opt_par(kv.value.as_ref(), shift, depth)?,
                    });
                }
                ExprInstance::EMapBody(EMap {
                    kvs,
                    locally_free: clear_bits_from(&map.locally_free, shift),
                    connective_used: map.connective_used,
                    remainder: map.remainder,
                })
            }
            ExprInstance::EMethodBody(method) => ExprInstance::EMethodBody(EMethod {
                method_name: method.method_name.clone(),
                target: self.opt_par(method.target.as_ref(), shift, depth)?,
                arguments: self.pars(&method.arguments, shift, depth)?,
                locally_free: clear_bits_from(&method.locally_free, shift),
                connective_used: method.connective_used,
            }),
        };
        Ok(Expr {
            expr_instance: Some(substituted),
        })
    }
}

fn bind_count(count: i32) -> usize {
    usize::try_from(count).unwrap_or(0)
}

/// Clears the bits at positions `>= shift` of a `locallyFree` bit set (the
/// variables a substitution replaced), in the reference's encoding: 64-bit
/// little-endian words, bit `i` in word `i / 64`, no trailing zero words.
pub(crate) fn clear_bits_from(bits: &[u8], shift: usize) -> Vec<u8> {
    if bits.is_empty() {
        return Vec::new();
    }
    let mut out = bits.to_vec();
    for (byte_index, byte) in out.iter_mut().enumerate() {
        let first_bit = byte_index * 8;
        if first_bit >= shift {
            *byte = 0;
        } else if first_bit + 8 > shift {
            *byte &= (1u8 << (shift - first_bit)) - 1;
        }
    }
    let words = out.len().div_ceil(8);
    let mut used_words = words;
    while used_words > 0
        && out[(used_words - 1) * 8..(used_words * 8).min(out.len())]
            .iter()
            .all(|b| *b == 0)
    {
        used_words -= 1;
    }
    out.truncate(used_words * 8);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clearing_bits_trims_empty_words() {
        assert_eq!(
            clear_bits_from(&[0b1011, 0, 0, 0, 0, 0, 0, 0], 2),
            vec![0b11, 0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(
            clear_bits_from(&[0b1100, 0, 0, 0, 0, 0, 0, 0], 2),
            Vec::<u8>::new()
        );
        let mut two_words = vec![1u8, 0, 0, 0, 0, 0, 0, 0];
        two_words.extend([1u8, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            clear_bits_from(&two_words, 64),
            vec![1u8, 0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(clear_bits_from(&two_words, 65), two_words);
    }
}
