//! Values and expressions: code that leaves one `RValue` (i64) on the
//! operand stack, evaluating exactly what the evaluator's `eval_value` and
//! `eval_expr` evaluate, in the same order.
//!
//! - `Nil`, Bools and small Ints are immediates; other constants come from
//!   the pool (`const_get`).
//! - A variable is a load from its environment slot (`env_get` past the
//!   slots); a collection pushes its items and calls
//!   `make_list` (...); a method call, `matches` and operators call the host,
//!   except `+ -` and comparisons of two small Ints, unary `-` of a small
//!   Int and `not` of a Bool, which are inline (with an overflow check that
//!   falls back to the host), and `&&`/`||`, which short-circuit inline.
//! - A Par of several parts pushes its evaluated expressions and the rest
//!   (a constant, or a template with the environment substituted), then
//!   `par_merge`s them.

use rho_host_abi::abi::{self, FALSE, NIL, TRUE, op, small_int};
use rho_host_abi::par::{Expr, KeyValuePair, Par, expr::ExprInstance, var::VarInstance};
use wasm_encoder::{BlockType, MemArg, ValType};

use super::analysis::non_expr_count;
use super::locations::Located;
use super::wire::{Bytes, expr_instance, repeated, single, tag};
use super::{
    Codegen, CodegenError, ENV_SLOTS_OFFSET, LOCAL_LHS, LOCAL_RESULT, LOCAL_RHS, RED_ZONE, Result,
    STACK_SEGMENT, count_i32,
};

/// How a binary operator is generated.
#[derive(Clone, Copy)]
enum Binary {
    /// `+` or `-`: inline on two small Ints without overflow.
    Arithmetic { op: i32, add: bool },
    /// A comparison: inline on two small Ints.
    Compare { op: i32 },
    /// Always `op2`.
    Host { op: i32 },
}

impl<'p> Codegen<'p> {
    /// The value of `par`, or `Nil` when there is none.
    pub(super) fn emit_opt_value(&mut self, par: Option<&'p Par>, bytes: Bytes<'p>) -> Result<()> {
        match par {
            Some(par) => self.emit_value(par, bytes),
            None => {
                self.sink().i64_const(NIL);
                Ok(())
            }
        }
    }

    /// The value of `par` as data.
    pub(super) fn emit_value(&mut self, par: &'p Par, bytes: Bytes<'p>) -> Result<()> {
        stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || {
            self.emit_value_inner(par, bytes)
        })
    }

    fn emit_value_inner(&mut self, par: &'p Par, bytes: Bytes<'p>) -> Result<()> {
        let others = non_expr_count(par);
        match (others, par.exprs.as_slice()) {
            (0, []) => {
                self.sink().i64_const(NIL);
                return Ok(());
            }
            (0, [expr]) => return self.emit_expr(expr, single(bytes, tag::PAR_EXPRS)),
            _ => {}
        }
        if self.analysis.is_ground(par) {
            let id = self.pool.value(par)?;
            self.const_get(id);
            return Ok(());
        }
        let mut parts = par.exprs.len();
        let expr_bytes = repeated(bytes, tag::PAR_EXPRS, par.exprs.len());
        self.emit_pushes(&par.exprs, |codegen, index, expr| {
            codegen.emit_expr(expr, expr_bytes[index])?;
            codegen.arg_push();
            Ok(())
        })?;
        if others > 0 {
            if self.analysis.non_expr_has_var(par) {
                let template = self.pool.template_without_exprs(par)?;
                let subst = self.imports.subst;
                self.sink().i32_const(template as i32).call(subst);
            } else {
                let id = self.pool.value_without_exprs(par)?;
                self.const_get(id);
            }
            self.arg_push();
            parts += 1;
        }
        let parts = count_i32(parts, "parts in a process")?;
        let par_merge = self.imports.par_merge;
        self.sink().i32_const(parts).call(par_merge);
        Ok(())
    }

    fn const_get(&mut self, id: u32) {
        let const_get = self.imports.const_get;
        self.sink().i32_const(id as i32).call(const_get);
    }

    /// The variable with De Bruijn index `index`: read from its
    /// environment slot (see [`abi::EXPORT_ENV_PTR`]) when it has one, else
    /// asked of the host.
    fn env_get(&mut self, index: i32) {
        match u32::try_from(index) {
            Ok(slot) if slot < abi::ENV_SLOTS => {
                self.sink().i32_const(0).i64_load(MemArg {
                    offset: u64::from(ENV_SLOTS_OFFSET + 8 * slot),
                    align: 3,
                    memory_index: 0,
                });
            }
            _ => {
                let env_get = self.imports.env_get;
                self.sink().i32_const(index).call(env_get);
            }
        }
    }

    /// Pushes the value on the stack onto the host's argument stack.
    pub(super) fn arg_push(&mut self) {
        let arg_push = self.imports.arg_push;
        self.sink().call(arg_push);
    }

    /// The value of expression `expr`.
    pub(super) fn emit_expr(&mut self, expr: &'p Expr, bytes: Bytes<'p>) -> Result<()> {
        stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || {
            self.emit_expr_inner(expr, bytes)
        })
    }

    fn emit_expr_inner(&mut self, expr: &'p Expr, bytes: Bytes<'p>) -> Result<()> {
        use ExprInstance as E;
        let Some(instance) = &expr.expr_instance else {
            self.sink().i64_const(NIL);
            return Ok(());
        };
        match instance {
            E::GBool(value) => {
                self.sink().i64_const(if *value { TRUE } else { FALSE });
                return Ok(());
            }
            E::GInt(value) => {
                match small_int(*value) {
                    Some(encoded) => {
                        self.sink().i64_const(encoded);
                    }
                    None => {
                        let id = self.pool.expr_value(expr)?;
                        self.const_get(id);
                    }
                }
                return Ok(());
            }
            E::GBigInt(_) | E::GString(_) | E::GUri(_) | E::GByteArray(_) => {
                let id = self.pool.expr_value(expr)?;
                self.const_get(id);
                return Ok(());
            }
            E::EVarBody(evar) => {
                return match evar.v.as_ref().and_then(|v| v.var_instance.as_ref()) {
                    Some(VarInstance::BoundVar(index)) => {
                        self.env_get(*index);
                        Ok(())
                    }
                    _ => Err(CodegenError::Unsupported {
                        what: "a free variable or wildcard",
                    }),
                };
            }
            E::EListBody(_) | E::ETupleBody(_) | E::ESetBody(_) | E::EMapBody(_)
                if self.analysis.is_ground_expr(expr) =>
            {
                let id = self.pool.expr_value(expr)?;
                self.const_get(id);
                return Ok(());
            }
            _ => {}
        }
        self.located(Located::Expr(expr), bytes, |codegen| {
            codegen.emit_compound(instance, expr_instance(bytes))
        })
    }

    /// Operators, method calls, `matches` and collections that are not
    /// constants.
    fn emit_compound(&mut self, instance: &'p ExprInstance, bytes: Bytes<'p>) -> Result<()> {
        use ExprInstance as E;
        match instance {
            E::ENotBody(e) => self.emit_not(e.p.as_ref(), single(bytes, tag::FIRST)),
            E::ENegBody(e) => self.emit_neg(e.p.as_ref(), single(bytes, tag::FIRST)),
            E::EMultBody(e) => self.emit_binary(Binary::Host { op: op::MULT }, &e.p1, &e.p2, bytes),
            E::EDivBody(e) => self.emit_binary(Binary::Host { op: op::DIV }, &e.p1, &e.p2, bytes),
            E::EModBody(e) => self.emit_binary(Binary::Host { op: op::MOD }, &e.p1, &e.p2, bytes),
            E::EPlusBody(e) => self.emit_binary(
                Binary::Arithmetic {
                    op: op::PLUS,
                    add: true,
                },
                &e.p1,
                &e.p2,
                bytes,
            ),
            E::EMinusBody(e) => self.emit_binary(
                Binary::Arithmetic {
                    op: op::MINUS,
                    add: false,
                },
                &e.p1,
                &e.p2,
                bytes,
            ),
            E::ELtBody(e) => self.emit_binary(Binary::Compare { op: op::LT }, &e.p1, &e.p2, bytes),
            E::ELteBody(e) => {
                self.emit_binary(Binary::Compare { op: op::LTE }, &e.p1, &e.p2, bytes)
            }
            E::EGtBody(e) => self.emit_binary(Binary::Compare { op: op::GT }, &e.p1, &e.p2, bytes),
            E::EGteBody(e) => {
                self.emit_binary(Binary::Compare { op: op::GTE }, &e.p1, &e.p2, bytes)
            }
            E::EEqBody(e) => self.emit_binary(Binary::Compare { op: op::EQ }, &e.p1, &e.p2, bytes),
            E::ENeqBody(e) => {
                self.emit_binary(Binary::Compare { op: op::NEQ }, &e.p1, &e.p2, bytes)
            }
            E::EAndBody(e) => self.emit_binary(Binary::Host { op: op::AND }, &e.p1, &e.p2, bytes),
            E::EOrBody(e) => self.emit_binary(Binary::Host { op: op::OR }, &e.p1, &e.p2, bytes),
            E::EPercentPercentBody(e) => self.emit_binary(
                Binary::Host {
                    op: op::PERCENT_PERCENT,
                },
                &e.p1,
                &e.p2,
                bytes,
            ),
            E::EPlusPlusBody(e) => {
                self.emit_binary(Binary::Host { op: op::PLUS_PLUS }, &e.p1, &e.p2, bytes)
            }
            E::EMinusMinusBody(e) => self.emit_binary(
                Binary::Host {
                    op: op::MINUS_MINUS,
                },
                &e.p1,
                &e.p2,
                bytes,
            ),
            E::EShortAndBody(e) => self.emit_short_circuit(false, &e.p1, &e.p2, bytes),
            E::EShortOrBody(e) => self.emit_short_circuit(true, &e.p1, &e.p2, bytes),
            E::EMatchesBody(e) => {
                self.emit_opt_value(e.target.as_ref(), single(bytes, tag::FIRST))?;
                let template = match &e.pattern {
                    Some(pattern) => self.pool.template(pattern)?,
                    None => self.pool.template(&Par::default())?,
                };
                self.sink().i32_const(template as i32);
                self.set_location();
                let matches = self.imports.matches;
                self.sink().call(matches);
                Ok(())
            }
            E::EListBody(list) => {
                if list.remainder.is_some() {
                    return Err(CodegenError::Unsupported {
                        what: "a list remainder",
                    });
                }
                let make_list = self.imports.make_list;
                self.emit_collection(&list.ps, make_list, bytes)
            }
            E::ETupleBody(tuple) => {
                let make_tuple = self.imports.make_tuple;
                self.emit_collection(&tuple.ps, make_tuple, bytes)
            }
            E::ESetBody(set) => {
                if set.remainder.is_some() {
                    return Err(CodegenError::Unsupported {
                        what: "a set remainder",
                    });
                }
                let make_set = self.imports.make_set;
                self.emit_collection(&set.ps, make_set, bytes)
            }
            E::EMapBody(map) => {
                if map.remainder.is_some() {
                    return Err(CodegenError::Unsupported {
                        what: "a map remainder",
                    });
                }
                self.emit_map(&map.kvs, bytes)
            }
            E::EMethodBody(method) => {
                let name = self.pool.expr_value(&Expr {
                    expr_instance: Some(ExprInstance::GString(method.method_name.clone())),
                })?;
                self.sink().i32_const(name as i32);
                self.emit_opt_value(method.target.as_ref(), single(bytes, tag::METHOD_TARGET))?;
                let count = count_i32(method.arguments.len(), "method arguments")?;
                let argument_bytes = repeated(bytes, tag::METHOD_ARGUMENTS, method.arguments.len());
                self.emit_pushes(&method.arguments, |codegen, index, argument| {
                    codegen.emit_value(argument, argument_bytes[index])?;
                    codegen.arg_push();
                    Ok(())
                })?;
                self.sink().i32_const(count);
                self.set_location();
                let method = self.imports.method;
                self.sink().call(method);
                Ok(())
            }
            // Literals and variables are handled by `emit_expr_inner`.
            E::GBool(_)
            | E::GInt(_)
            | E::GBigInt(_)
            | E::GString(_)
            | E::GUri(_)
            | E::GByteArray(_)
            | E::EVarBody(_) => Err(CodegenError::Unsupported {
                what: "an unexpected literal",
            }),
        }
    }

    fn emit_collection(&mut self, items: &'p [Par], make: u32, bytes: Bytes<'p>) -> Result<()> {
        let count = count_i32(items.len(), "collection items")?;
        let item_bytes = repeated(bytes, tag::FIRST, items.len());
        self.emit_pushes(items, |codegen, index, item| {
            codegen.emit_value(item, item_bytes[index])?;
            codegen.arg_push();
            Ok(())
        })?;
        self.sink().i32_const(count).call(make);
        Ok(())
    }

    fn emit_map(&mut self, entries: &'p [KeyValuePair], bytes: Bytes<'p>) -> Result<()> {
        let count = count_i32(entries.len(), "map entries")?;
        let entry_bytes = repeated(bytes, tag::FIRST, entries.len());
        self.emit_pushes(entries, |codegen, index, entry| {
            let entry_bytes = entry_bytes[index];
            codegen.emit_opt_value(entry.key.as_ref(), single(entry_bytes, tag::FIRST))?;
            codegen.arg_push();
            codegen.emit_opt_value(entry.value.as_ref(), single(entry_bytes, tag::SECOND))?;
            codegen.arg_push();
            Ok(())
        })?;
        let make_map = self.imports.make_map;
        self.sink().i32_const(count).call(make_map);
        Ok(())
    }

    /// Leaves on the stack whether `LOCAL_LHS` and `LOCAL_RHS` are not both
    /// small Ints (an i32, nonzero when either has bit 0 set).
    fn either_boxed(&mut self) {
        self.sink()
            .local_get(LOCAL_LHS)
            .local_get(LOCAL_RHS)
            .i64_or()
            .i32_wrap_i64()
            .i32_const(1)
            .i32_and();
    }

    fn emit_binary(
        &mut self,
        binary: Binary,
        p1: &'p Option<Par>,
        p2: &'p Option<Par>,
        bytes: Bytes<'p>,
    ) -> Result<()> {
        let (p1_bytes, p2_bytes) = (single(bytes, tag::FIRST), single(bytes, tag::SECOND));
        let (Binary::Arithmetic { op, .. } | Binary::Compare { op } | Binary::Host { op }) = binary;
        if let Binary::Host { op } = binary {
            self.sink().i32_const(op);
            self.emit_opt_value(p1.as_ref(), p1_bytes)?;
            self.emit_opt_value(p2.as_ref(), p2_bytes)?;
            self.set_location();
            let op2 = self.imports.op2;
            self.sink().call(op2);
            return Ok(());
        }
        self.emit_opt_value(p1.as_ref(), p1_bytes)?;
        self.emit_opt_value(p2.as_ref(), p2_bytes)?;
        self.sink()
            .local_set(LOCAL_RHS)
            .local_set(LOCAL_LHS)
            .block(BlockType::Result(ValType::I64))
            .block(BlockType::Empty);
        self.either_boxed();
        self.sink().br_if(0);
        match binary {
            Binary::Arithmetic { add: true, .. } => {
                // r = a + b overflows when a and b have the same sign and r
                // the other: ((a ^ r) & (b ^ r)) < 0.
                self.sink()
                    .local_get(LOCAL_LHS)
                    .local_get(LOCAL_RHS)
                    .i64_add()
                    .local_set(LOCAL_RESULT)
                    .local_get(LOCAL_LHS)
                    .local_get(LOCAL_RESULT)
                    .i64_xor()
                    .local_get(LOCAL_RHS)
                    .local_get(LOCAL_RESULT)
                    .i64_xor()
                    .i64_and()
                    .i64_const(0)
                    .i64_lt_s()
                    .br_if(0)
                    .local_get(LOCAL_RESULT)
                    .br(1);
            }
            Binary::Arithmetic { add: false, .. } => {
                // r = a - b overflows when a and b differ in sign and r and a
                // do too: ((a ^ b) & (a ^ r)) < 0.
                self.sink()
                    .local_get(LOCAL_LHS)
                    .local_get(LOCAL_RHS)
                    .i64_sub()
                    .local_set(LOCAL_RESULT)
                    .local_get(LOCAL_LHS)
                    .local_get(LOCAL_RHS)
                    .i64_xor()
                    .local_get(LOCAL_LHS)
                    .local_get(LOCAL_RESULT)
                    .i64_xor()
                    .i64_and()
                    .i64_const(0)
                    .i64_lt_s()
                    .br_if(0)
                    .local_get(LOCAL_RESULT)
                    .br(1);
            }
            Binary::Compare { op: compare } => {
                // Small Ints compare as their encodings do.
                self.sink()
                    .i64_const(TRUE)
                    .i64_const(FALSE)
                    .local_get(LOCAL_LHS)
                    .local_get(LOCAL_RHS);
                match compare {
                    op::LT => self.sink().i64_lt_s(),
                    op::LTE => self.sink().i64_le_s(),
                    op::GT => self.sink().i64_gt_s(),
                    op::GTE => self.sink().i64_ge_s(),
                    op::EQ => self.sink().i64_eq(),
                    _ => self.sink().i64_ne(),
                };
                self.sink().select().br(1);
            }
            Binary::Host { .. } => {}
        }
        self.sink()
            .end()
            .i32_const(op)
            .local_get(LOCAL_LHS)
            .local_get(LOCAL_RHS);
        self.set_location();
        let op2 = self.imports.op2;
        self.sink().call(op2).end();
        Ok(())
    }

    /// Unary `-`: inline on a small Int other than the smallest.
    fn emit_neg(&mut self, operand: Option<&'p Par>, bytes: Bytes<'p>) -> Result<()> {
        self.emit_opt_value(operand, bytes)?;
        self.sink()
            .local_set(LOCAL_LHS)
            .block(BlockType::Result(ValType::I64))
            .block(BlockType::Empty)
            .local_get(LOCAL_LHS)
            .i32_wrap_i64()
            .i32_const(1)
            .i32_and()
            .br_if(0)
            .local_get(LOCAL_LHS)
            .i64_const(i64::MIN)
            .i64_eq()
            .br_if(0)
            .i64_const(0)
            .local_get(LOCAL_LHS)
            .i64_sub()
            .br(1)
            .end()
            .i32_const(op::NEG)
            .local_get(LOCAL_LHS);
        self.set_location();
        let op1 = self.imports.op1;
        self.sink().call(op1).end();
        Ok(())
    }

    /// `not`: inline on a Bool (`true` and `false` add up to `TRUE + FALSE`).
    fn emit_not(&mut self, operand: Option<&'p Par>, bytes: Bytes<'p>) -> Result<()> {
        self.emit_opt_value(operand, bytes)?;
        self.sink()
            .local_set(LOCAL_LHS)
            .block(BlockType::Result(ValType::I64))
            .block(BlockType::Empty)
            .local_get(LOCAL_LHS)
            .i64_const(TRUE)
            .i64_ne()
            .local_get(LOCAL_LHS)
            .i64_const(FALSE)
            .i64_ne()
            .i32_and()
            .br_if(0)
            .i64_const(TRUE + FALSE)
            .local_get(LOCAL_LHS)
            .i64_sub()
            .br(1)
            .end()
            .i32_const(op::NOT)
            .local_get(LOCAL_LHS);
        self.set_location();
        let op1 = self.imports.op1;
        self.sink().call(op1).end();
        Ok(())
    }

    /// `a && b` (`decisive` false) and `a || b` (`decisive` true): `a`; if
    /// it is the decisive Bool, that; if it is the other Bool, `b`, which
    /// must be a Bool; a non-Bool is a type error (`type_error` traps).
    fn emit_short_circuit(
        &mut self,
        decisive: bool,
        p1: &'p Option<Par>,
        p2: &'p Option<Par>,
        bytes: Bytes<'p>,
    ) -> Result<()> {
        let (decisive_value, other_value, code) = if decisive {
            (TRUE, FALSE, op::SHORT_OR)
        } else {
            (FALSE, TRUE, op::SHORT_AND)
        };
        let type_error = self.imports.type_error;
        self.emit_opt_value(p1.as_ref(), single(bytes, tag::FIRST))?;
        self.sink()
            .local_tee(LOCAL_LHS)
            .i64_const(other_value)
            .i64_eq()
            .if_(BlockType::Result(ValType::I64));
        self.emit_opt_value(p2.as_ref(), single(bytes, tag::SECOND))?;
        // The right operand must be a Bool too.
        self.sink()
            .local_tee(LOCAL_LHS)
            .i64_const(TRUE)
            .i64_eq()
            .local_get(LOCAL_LHS)
            .i64_const(FALSE)
            .i64_eq()
            .i32_or()
            .i32_eqz()
            .if_(BlockType::Empty)
            .i32_const(code)
            .local_get(LOCAL_LHS);
        self.set_location();
        self.sink()
            .call(type_error)
            .unreachable()
            .end()
            .local_get(LOCAL_LHS)
            .else_()
            .local_get(LOCAL_LHS)
            .i64_const(decisive_value)
            .i64_ne()
            .if_(BlockType::Empty)
            .i32_const(code)
            .local_get(LOCAL_LHS);
        self.set_location();
        self.sink()
            .call(type_error)
            .unreachable()
            .end()
            .i64_const(decisive_value)
            .end();
        Ok(())
    }
}
