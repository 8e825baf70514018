//! The evaluator proper: runs a Par body component by component, evaluating
//! expressions and processes as data with the reference's semantics.

use std::sync::{Arc, LazyLock};

use prost::Message;

use rho_host_abi::abi::{MAX_INLINE_DEPTH, case_body_runs_inline};
use rho_host_abi::par::{
    Expr, Match, New, Par, Receive, Send, expr::ExprInstance, var::VarInstance,
};
use rho_host_abi::source_map::term_key;

use super::code::CodeRef;
use super::env::Env;
use super::machine::{Machine, component_rand, merge_into, new_names, unbundle};
use super::patterns::{self, BindPattern, PatternList};
use super::substitute::substitute;
use super::{Access, Continuation, Eval, Task, unlocated};
use crate::error::{LocatedError, RuntimeError};
use crate::names::Rand;
use crate::ops::{self, BinaryOp};
use crate::tuplespace::Values;
use crate::value::{ProcValue, Value};

/// Stack space to keep free before recursing into an expression.
const RED_ZONE: usize = 64 * 1024;
/// Stack segment to allocate when the red zone is reached.
const STACK_GROWTH: usize = 1024 * 1024;
/// An empty body, for receives and cases whose body is absent.
static EMPTY_PAR: LazyLock<Arc<ProcValue>> =
    LazyLock::new(|| Arc::new(ProcValue::new(Par::default())));

impl Machine {
    pub(crate) fn run_interp_task(&mut self, code: CodeRef, env: Env, rand: Rand) {
        let par = code.get();
        let mut index = 0u32;
        // Sends and receives create no names (a COMM's body gets its state
        // from the COMM's number), but they count as components.
        index += (par.sends.len() + par.receives.len()) as u32;
        let mut next_rand = || {
            let component = component_rand(&rand, index);
            index += 1;
            component
        };
        for send in &par.sends {
            let result = self.eval_send(&env, send);
            if self.settle(result) {
                return;
            }
        }
        for receive in &par.receives {
            let result = self.eval_receive(&code, &env, receive);
            if self.settle(result) {
                return;
            }
        }
        for new in &par.news {
            let result = self.eval_new(&code, &env, new, next_rand());
            if self.settle(result) {
                return;
            }
        }
        for expr in &par.exprs {
            let result = self.eval_process_expr(&env, expr, next_rand());
            if self.settle(result) {
                return;
            }
        }
        for matched in &par.matches {
            let result = self.eval_match(&code, &env, matched, next_rand());
            if self.settle(result) {
                return;
            }
        }
    }

    /// Records the error of a component, if any; true when the run stops.
    fn settle(&mut self, result: Eval<()>) -> bool {
        if let Err(error) = result {
            self.record(error);
        }
        self.stopped
    }

    /// Attaches the source location of `term` to an error that has none.
    fn locate<M: rho_host_abi::Term>(&self, mut error: LocatedError, term: &M) -> LocatedError {
        if error.loc.is_none()
            && let Some(map) = &self.source_map
        {
            error.loc = map.get(term_key(term));
        }
        error
    }

    fn eval_send(&mut self, env: &Env, send: &Send) -> Eval<()> {
        self.eval_send_inner(env, send)
            .map_err(|e| self.locate(e, send))
    }

    fn eval_send_inner(&mut self, env: &Env, send: &Send) -> Eval<()> {
        self.charge(self.costs.send)?;
        let channel = self.eval_channel(send.chan.as_ref(), env, Access::Write)?;
        let mut data = Values::with_capacity(send.data.len());
        for datum in &send.data {
            data.push(self.eval_value(datum, env)?);
        }
        self.produce(channel, data, send.persistent)
    }

    fn eval_receive(&mut self, code: &CodeRef, env: &Env, receive: &Receive) -> Eval<()> {
        self.eval_receive_inner(code, env, receive)
            .map_err(|e| self.locate(e, receive))
    }

    fn eval_receive_inner(&mut self, code: &CodeRef, env: &Env, receive: &Receive) -> Eval<()> {
        self.charge(self.costs.receive)?;
        let mut channels = Vec::with_capacity(receive.binds.len());
        let mut patterns = Vec::with_capacity(receive.binds.len());
        let mut storage = 0;
        for bind in &receive.binds {
            let channel = self.eval_channel(bind.source.as_ref(), env, Access::Read)?;
            storage += channel.encoded_len();
            channels.push(channel);
            let mut prepared = Vec::with_capacity(bind.patterns.len());
            for pattern in &bind.patterns {
                let pattern = self.prepare_pattern(pattern, env)?;
                storage += pattern.encoded_len() as u64;
                prepared.push(pattern);
            }
            patterns.push(BindPattern::Patterns(Arc::new(PatternList::new(
                prepared,
                bind.remainder,
                usize::try_from(bind.free_count).unwrap_or(0),
            ))));
        }
        let body = match &receive.body {
            Some(body) => {
                storage += body.encoded_len() as u64;
                code.child(body)
            }
            None => CodeRef::new(Arc::clone(&EMPTY_PAR)),
        };
        let continuation = Continuation::Code {
            body,
            env: env.clone(),
        };
        self.consume(
            channels,
            patterns,
            continuation,
            receive.persistent,
            receive.peek,
            storage,
        )
    }

    fn eval_new(&mut self, code: &CodeRef, env: &Env, new: &New, rand: Rand) -> Eval<()> {
        self.eval_new_inner(code, env, new, rand)
            .map_err(|e| self.locate(e, new))
    }

    fn eval_new_inner(&mut self, code: &CodeRef, env: &Env, new: &New, rand: Rand) -> Eval<()> {
        let count = usize::try_from(new.bind_count).unwrap_or(0);
        let plain = count.saturating_sub(new.uri.len());
        self.charge(self.costs.new_eval + self.costs.new_binding * count as u64)?;
        let names = new_names(plain, &new.uri, &rand, &self.powerbox)?;
        let body = match &new.p {
            Some(body) => code.child(body),
            None => return Ok(()),
        };
        self.run_body(body, env.extend(names), rand.split(0));
        Ok(())
    }

    /// Runs the body of a `new` or of a matching `match` case in place,
    /// before the next component; past [`MAX_INLINE_DEPTH`] nested bodies it
    /// is queued instead. Compiled code follows the same rule (see
    /// `rho_host_abi::abi`), so both engines run in the same order.
    fn run_body(&mut self, code: CodeRef, env: Env, rand: Rand) {
        if self.in_place_depth >= MAX_INLINE_DEPTH {
            self.queue.push_back(Task::Interp { code, env, rand });
            return;
        }
        self.in_place_depth += 1;
        stacker::maybe_grow(RED_ZONE, STACK_GROWTH, || {
            self.run_interp_task(code, env, rand);
        });
        self.in_place_depth -= 1;
    }

    fn eval_match(&mut self, code: &CodeRef, env: &Env, matched: &Match, rand: Rand) -> Eval<()> {
        self.eval_match_inner(code, env, matched, rand)
            .map_err(|e| self.locate(e, matched))
    }

    fn eval_match_inner(
        &mut self,
        code: &CodeRef,
        env: &Env,
        matched: &Match,
        rand: Rand,
    ) -> Eval<()> {
        self.charge(self.costs.match_eval)?;
        let target = self.eval_operand(matched.target.as_ref(), env)?;
        for case in &matched.cases {
            let pattern = match &case.pattern {
                Some(pattern) => self.prepare_pattern(pattern, env)?,
                None => Par::default(),
            };
            let free_count = usize::try_from(case.free_count).unwrap_or(0);
            let list = PatternList::new(vec![pattern], None, free_count);
            let bindings = list
                .match_value(&target, &self.costs, &mut self.meter)
                .map_err(unlocated)?;
            if let Some(bindings) = bindings {
                let Some(source) = &case.source else {
                    return Ok(());
                };
                let body = code.child(source);
                if case_body_runs_inline(case.free_count, source) {
                    // Part of this component (see `rho_host_abi::abi`): no
                    // body of its own, so no nesting level either.
                    stacker::maybe_grow(RED_ZONE, STACK_GROWTH, || {
                        self.run_interp_task(body, env.clone(), rand);
                    });
                } else {
                    self.run_body(body, env.extend(bindings), rand);
                }
                return Ok(());
            }
        }
        Ok(())
    }

    /// An expression in process position: evaluated, and run if it yields a
    /// process (`*x` of a received process).
    fn eval_process_expr(&mut self, env: &Env, expr: &Expr, rand: Rand) -> Eval<()> {
        let value = self.eval_expr(expr, env)?;
        if let Value::Proc(process) = value {
            self.reflected += 1;
            self.queue.push_back(Task::Interp {
                code: CodeRef::new(process),
                env: Env::default(),
                rand,
            });
        }
        Ok(())
    }

    /// A channel: a value, unwrapped from its bundle if the bundle grants
    /// `access`.
    fn eval_channel(&mut self, channel: Option<&Par>, env: &Env, access: Access) -> Eval<Value> {
        let value = match channel {
            Some(par) => self.eval_value(par, env)?,
            None => Value::Nil,
        };
        unbundle(value, access)
    }

    /// A process as data: expressions evaluated, variables substituted.
    fn eval_value(&mut self, par: &Par, env: &Env) -> Eval<Value> {
        let others = par.sends.len()
            + par.receives.len()
            + par.news.len()
            + par.matches.len()
            + par.unforgeables.len()
            + par.bundles.len()
            + par.connectives.len();
        if others == 0 {
            match par.exprs.len() {
                0 => return Ok(Value::Nil),
                1 => return self.eval_expr(&par.exprs[0], env),
                _ => {}
            }
        }
        if others == 1 && par.exprs.is_empty() && par.unforgeables.len() == 1 {
            return Ok(Value::Unforgeable(Arc::new(par.unforgeables[0].clone())));
        }
        let mut out = Par::default();
        for expr in &par.exprs {
            let value = self.eval_expr(expr, env)?;
            merge_into(&mut out, value.to_par());
        }
        let rest = Par {
            exprs: Vec::new(),
            ..par.clone()
        };
        let rest = if env.len() == 0 {
            rest
        } else {
            substitute(&rest, env, 0).map_err(unlocated)?
        };
        merge_into(&mut out, rest);
        rho_host_abi::sort::sort_par(&mut out);
        Ok(Value::from_par(out))
    }

    fn eval_expr(&mut self, expr: &Expr, env: &Env) -> Eval<Value> {
        stacker::maybe_grow(RED_ZONE, STACK_GROWTH, || {
            self.eval_expr_inner(expr, env)
                .map_err(|e| self.locate(e, expr))
        })
    }

    fn eval_operand(&mut self, operand: Option<&Par>, env: &Env) -> Eval<Value> {
        match operand {
            Some(par) => self.eval_value(par, env),
            None => Ok(Value::Nil),
        }
    }

    /// Each Par of `items` as a value, in order.
    fn eval_values(&mut self, items: &[Par], env: &Env) -> Eval<Vec<Value>> {
        let mut values = Vec::with_capacity(items.len());
        for item in items {
            values.push(self.eval_value(item, env)?);
        }
        Ok(values)
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        p1: Option<&Par>,
        p2: Option<&Par>,
        env: &Env,
    ) -> Eval<Value> {
        let left = self.eval_operand(p1, env)?;
        let right = self.eval_operand(p2, env)?;
        ops::binary(op, &left, &right, &self.costs, &mut self.meter).map_err(unlocated)
    }

    fn eval_expr_inner(&mut self, expr: &Expr, env: &Env) -> Eval<Value> {
        let Some(instance) = &expr.expr_instance else {
            return Ok(Value::Nil);
        };
        match instance {
            ExprInstance::GBool(b) => Ok(Value::Bool(*b)),
            ExprInstance::GInt(i) => Ok(Value::Int(*i)),
            ExprInstance::GBigInt(_)
            | ExprInstance::GString(_)
            | ExprInstance::GUri(_)
            | ExprInstance::GByteArray(_) => Ok(Value::from_par(Par {
                exprs: vec![expr.clone()],
                ..Par::default()
            })),
            ExprInstance::EVarBody(evar) => {
                self.charge(self.costs.var_eval)?;
                match evar.v.as_ref().and_then(|v| v.var_instance.as_ref()) {
                    Some(VarInstance::BoundVar(index)) => usize::try_from(*index)
                        .ok()
                        .and_then(|i| env.get(i))
                        .cloned()
                        .ok_or_else(|| unlocated(RuntimeError::UnboundVariable(*index))),
                    _ => Err(unlocated(RuntimeError::Unsupported(
                        "a free variable or wildcard outside a pattern".to_string(),
                    ))),
                }
            }
            ExprInstance::ENotBody(b) => {
                let value = self.eval_operand(b.p.as_ref(), env)?;
                ops::not(&value, &self.costs, &mut self.meter).map_err(unlocated)
            }
            ExprInstance::ENegBody(b) => {
                let value = self.eval_operand(b.p.as_ref(), env)?;
                ops::negate(&value, &self.costs, &mut self.meter).map_err(unlocated)
            }
            ExprInstance::EMultBody(b) => {
                self.binary(BinaryOp::Mult, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EDivBody(b) => {
                self.binary(BinaryOp::Div, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EModBody(b) => {
                self.binary(BinaryOp::Mod, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EPlusBody(b) => {
                self.binary(BinaryOp::Plus, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EMinusBody(b) => {
                self.binary(BinaryOp::Minus, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::ELtBody(b) => {
                self.binary(BinaryOp::Lt, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::ELteBody(b) => {
                self.binary(BinaryOp::Lte, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EGtBody(b) => {
                self.binary(BinaryOp::Gt, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EGteBody(b) => {
                self.binary(BinaryOp::Gte, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EEqBody(b) => {
                self.binary(BinaryOp::Eq, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::ENeqBody(b) => {
                self.binary(BinaryOp::Neq, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EAndBody(b) => {
                self.binary(BinaryOp::And, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EOrBody(b) => {
                self.binary(BinaryOp::Or, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EPercentPercentBody(b) => {
                self.binary(BinaryOp::PercentPercent, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EPlusPlusBody(b) => {
                self.binary(BinaryOp::PlusPlus, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EMinusMinusBody(b) => {
                self.binary(BinaryOp::MinusMinus, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EShortAndBody(b) => {
                self.short_circuit("&&", false, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EShortOrBody(b) => {
                self.short_circuit("||", true, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EMatchesBody(b) => {
                let target = self.eval_operand(b.target.as_ref(), env)?;
                let pattern = match &b.pattern {
                    Some(pattern) => self.prepare_pattern(pattern, env)?,
                    None => Par::default(),
                };
                let free_count = patterns::free_var_count(&pattern);
                let list = PatternList::new(vec![pattern], None, free_count);
                let matched = list
                    .match_value(&target, &self.costs, &mut self.meter)
                    .map_err(unlocated)?;
                Ok(Value::Bool(matched.is_some()))
            }
            ExprInstance::EListBody(list) => {
                no_remainder(list.remainder.as_ref(), "list")?;
                Ok(Value::list(self.eval_values(&list.ps, env)?))
            }
            ExprInstance::ETupleBody(tuple) => Ok(Value::tuple(self.eval_values(&tuple.ps, env)?)),
            ExprInstance::ESetBody(set) => {
                no_remainder(set.remainder.as_ref(), "set")?;
                Ok(Value::set(self.eval_values(&set.ps, env)?))
            }
            ExprInstance::EMapBody(map) => {
                no_remainder(map.remainder.as_ref(), "map")?;
                let mut entries = Vec::with_capacity(map.kvs.len());
                for kv in &map.kvs {
                    let key = self.eval_operand(kv.key.as_ref(), env)?;
                    let value = self.eval_operand(kv.value.as_ref(), env)?;
                    entries.push((key, value));
                }
                Ok(Value::map(entries))
            }
            ExprInstance::EMethodBody(method) => {
                let target = self.eval_operand(method.target.as_ref(), env)?;
                let args = self.eval_values(&method.arguments, env)?;
                self.call_method(&target, &method.method_name, args)
            }
        }
    }

    /// `&&` and `||`: the right operand is evaluated only when needed.
    fn short_circuit(
        &mut self,
        op: &'static str,
        decisive: bool,
        p1: Option<&Par>,
        p2: Option<&Par>,
        env: &Env,
    ) -> Eval<Value> {
        let not_bool = |value: &Value| {
            unlocated(RuntimeError::OperatorNotDefined {
                op,
                type_name: value.type_name(),
            })
        };
        let cost = if decisive {
            self.costs.boolean_or
        } else {
            self.costs.boolean_and
        };
        self.charge(cost)?;
        match self.eval_operand(p1, env)? {
            Value::Bool(b) if b == decisive => Ok(Value::Bool(b)),
            Value::Bool(_) => match self.eval_operand(p2, env)? {
                Value::Bool(b) => Ok(Value::Bool(b)),
                other => Err(not_bool(&other)),
            },
            other => Err(not_bool(&other)),
        }
    }
}

/// A collection remainder (`...rest`) is a pattern form; as a value it is an
/// error.
fn no_remainder(remainder: Option<&rho_host_abi::par::Var>, kind: &str) -> Eval<()> {
    match remainder {
        Some(_) => Err(unlocated(RuntimeError::Unsupported(format!(
            "a {kind} remainder outside a pattern"
        )))),
        None => Ok(()),
    }
}
