//! Bodies and their components: sends, receives, `new`s, expressions in
//! process position and matches, in that order (the evaluator's).
//!
//! A body function starts at component `$start`: its components sit in
//! nested blocks and a `br_table` on `$start` jumps to the first one to
//! run. Component `k` begins by storing `k` in `rho_component`.

use rho_host_abi::abi::{self, FALSE, TRUE, case_body_runs_inline, small_int};
use rho_host_abi::par::{
    BindDesc, Expr, Match, MatchCase, New, NewDesc, Par, Receive, ReceiveDesc, Send,
    expr::ExprInstance, var::VarInstance,
};
use wasm_encoder::{BlockType, MemArg};

use super::analysis::non_expr_count;
use super::locations::Located;
use super::wire::{Bytes, repeated, single, tag};
use super::{
    ARG_SLOTS_OFFSET, COMPONENTS_PER_FUNCTION, Codegen, GLOBAL_COMPONENT, LOCAL_RESULT,
    LOCAL_START, LOCAL_TARGET, RED_ZONE, Result, STACK_SEGMENT, count_i32, is_empty_par,
};

/// One component of a body, in evaluation order, with its encoding.
#[derive(Clone, Copy)]
enum Component<'p> {
    Send(&'p Send, Bytes<'p>),
    Receive(&'p Receive, Bytes<'p>),
    New(&'p New, Bytes<'p>),
    Expr(&'p Expr, Bytes<'p>),
    Match(&'p Match, Bytes<'p>),
}

/// The components of `par` (encoded as `bytes`) in the evaluator's order.
/// Unforgeables, bundles and connectives in process position do nothing
/// and are not components.
fn components<'p>(par: &'p Par, bytes: Bytes<'p>) -> Vec<Component<'p>> {
    let mut all = Vec::with_capacity(
        par.sends.len() + par.receives.len() + par.news.len() + par.exprs.len() + par.matches.len(),
    );
    let sends = repeated(bytes, tag::PAR_SENDS, par.sends.len());
    all.extend(
        par.sends
            .iter()
            .zip(sends)
            .map(|(t, b)| Component::Send(t, b)),
    );
    let receives = repeated(bytes, tag::PAR_RECEIVES, par.receives.len());
    all.extend(
        par.receives
            .iter()
            .zip(receives)
            .map(|(t, b)| Component::Receive(t, b)),
    );
    let news = repeated(bytes, tag::PAR_NEWS, par.news.len());
    all.extend(par.news.iter().zip(news).map(|(t, b)| Component::New(t, b)));
    let exprs = repeated(bytes, tag::PAR_EXPRS, par.exprs.len());
    all.extend(
        par.exprs
            .iter()
            .zip(exprs)
            .map(|(t, b)| Component::Expr(t, b)),
    );
    let matches = repeated(bytes, tag::PAR_MATCHES, par.matches.len());
    all.extend(
        par.matches
            .iter()
            .zip(matches)
            .map(|(t, b)| Component::Match(t, b)),
    );
    all
}

/// How a match case can be decided without the host's matcher.
enum CaseTest {
    /// A wildcard: always matches, binds nothing.
    Always,
    /// A Bool or small Int literal: matches exactly the value with this
    /// `RValue` (Bools and small Ints have one encoding each).
    Equals(i64),
    /// Anything else: `match_case`.
    General,
}

fn case_test(case: &MatchCase) -> CaseTest {
    let Some(pattern) = &case.pattern else {
        return CaseTest::General;
    };
    if case.free_count > 0 || non_expr_count(pattern) != 0 {
        return CaseTest::General;
    }
    let [expr] = pattern.exprs.as_slice() else {
        return CaseTest::General;
    };
    match &expr.expr_instance {
        Some(ExprInstance::GBool(true)) => CaseTest::Equals(TRUE),
        Some(ExprInstance::GBool(false)) => CaseTest::Equals(FALSE),
        Some(ExprInstance::GInt(value)) => match small_int(*value) {
            Some(encoded) => CaseTest::Equals(encoded),
            None => CaseTest::General,
        },
        Some(ExprInstance::EVarBody(evar))
            if matches!(
                evar.v.as_ref().and_then(|v| v.var_instance.as_ref()),
                Some(VarInstance::Wildcard(_))
            ) =>
        {
            CaseTest::Always
        }
        _ => CaseTest::General,
    }
}

impl<'p> Codegen<'p> {
    /// Generates the function of body `index` (bodies are generated in
    /// index order).
    pub(super) fn emit_body(&mut self, index: u32, par: &'p Par, bytes: Bytes<'p>) -> Result<()> {
        debug_assert_eq!(index as usize, self.body_functions.len());
        let components = components(par, bytes);
        self.pool.push_body_components(components.len());
        let function = self.build_function(|codegen| {
            if components.len() <= COMPONENTS_PER_FUNCTION {
                return codegen.emit_components(&components, 0);
            }
            for (chunk_index, chunk) in components.chunks(COMPONENTS_PER_FUNCTION).enumerate() {
                let base = chunk_index * COMPONENTS_PER_FUNCTION;
                let helper =
                    codegen.build_function(|codegen| codegen.emit_components(chunk, base))?;
                codegen.sink().local_get(LOCAL_START).call(helper);
            }
            Ok(())
        })?;
        self.body_functions.push(function);
        Ok(())
    }

    /// Emits components `base..base + components.len()` of a body, starting
    /// at component `$start` (none if `$start` is past them, all if it is
    /// before them).
    fn emit_components(&mut self, components: &[Component<'p>], base: usize) -> Result<()> {
        let count = components.len();
        if count == 0 {
            return Ok(());
        }
        let labels = u32::try_from(count).map_err(|_| super::CodegenError::TooLarge {
            what: "components in a body",
        })?;
        let base_i32 = count_i32(base, "components in a body")?;
        for _ in 0..=count {
            self.sink().block(BlockType::Empty);
        }
        self.sink().local_get(LOCAL_START);
        if base > 0 {
            // max($start - base, 0), as $start is never negative.
            self.sink()
                .i32_const(base_i32)
                .i32_sub()
                .i32_const(0)
                .local_get(LOCAL_START)
                .i32_const(base_i32)
                .i32_ge_u()
                .select();
        }
        self.sink().br_table(0..labels, labels).end();
        for (offset, component) in components.iter().enumerate() {
            let index = count_i32(base + offset, "components in a body")?;
            self.component = index;
            self.sink().i32_const(index).global_set(GLOBAL_COMPONENT);
            self.emit_component(*component)?;
            self.sink().end();
        }
        Ok(())
    }

    fn emit_component(&mut self, component: Component<'p>) -> Result<()> {
        match component {
            Component::Send(send, bytes) => self.emit_send(send, bytes),
            Component::Receive(receive, bytes) => self.emit_receive(receive, bytes),
            Component::New(new, bytes) => self.emit_new(new, bytes),
            Component::Expr(expr, bytes) => self.emit_process_expr(expr, bytes),
            Component::Match(matched, bytes) => self.emit_match(matched, bytes),
        }
    }

    /// `chan!(data...)`: the channel, its access check when a data value
    /// could fail first, the data in the argument slots and
    /// `produce_slots` (on the argument stack and `produce` past
    /// [`abi::ARG_SLOTS`] values).
    fn emit_send(&mut self, send: &'p Send, bytes: Bytes<'p>) -> Result<()> {
        self.located(Located::Send(send), bytes, |codegen| {
            codegen.emit_opt_value(send.chan.as_ref(), single(bytes, tag::SEND_CHAN))?;
            let check_first = match &send.chan {
                Some(chan) => {
                    codegen.analysis.may_be_bundle(chan)
                        && send
                            .data
                            .iter()
                            .any(|datum| codegen.analysis.can_fail(datum))
                }
                None => false,
            };
            if check_first {
                codegen.emit_check_channel(1);
            }
            let count = count_i32(send.data.len(), "values in a send")?;
            let data_bytes = repeated(bytes, tag::SEND_DATA, send.data.len());
            let produce = if send.data.len() <= 2 {
                for (index, datum) in send.data.iter().enumerate() {
                    codegen.emit_value(datum, data_bytes[index])?;
                }
                for _ in send.data.len()..2 {
                    codegen.sink().i64_const(0);
                }
                codegen.imports.produce_values
            } else {
                let in_slots = send.data.len() <= abi::ARG_SLOTS as usize;
                codegen.emit_pushes(&send.data, |codegen, index, datum| {
                    codegen.emit_arg(index, in_slots, |codegen| {
                        codegen.emit_value(datum, data_bytes[index])
                    })
                })?;
                if in_slots {
                    codegen.imports.produce_slots
                } else {
                    codegen.imports.produce
                }
            };
            codegen
                .sink()
                .i32_const(count)
                .i32_const(i32::from(send.persistent));
            codegen.set_location();
            codegen.sink().call(produce);
            Ok(())
        })
    }

    /// Passes value `index` of a send or receive, which `emit` leaves on
    /// the stack: into argument slot `index` when `in_slots` (see
    /// [`abi::ARG_SLOTS`]), else onto the host's argument stack.
    fn emit_arg(
        &mut self,
        index: usize,
        in_slots: bool,
        emit: impl FnOnce(&mut Self) -> Result<()>,
    ) -> Result<()> {
        if !in_slots {
            emit(self)?;
            self.arg_push();
            return Ok(());
        }
        self.sink().i32_const(0);
        emit(self)?;
        self.sink().i64_store(MemArg {
            offset: u64::from(ARG_SLOTS_OFFSET) + 8 * index as u64,
            align: 3,
            memory_index: 0,
        });
        Ok(())
    }

    /// With a channel on the stack: `check_channel` for access `write`
    /// (1 or 0), unless the channel is a variable the host marked as not a
    /// bundle (see [`abi::NOT_BUNDLE_ENV_MASK`]), for which it would do
    /// nothing. Leaves the channel on the stack.
    fn emit_check_channel(&mut self, write: i32) {
        let check_channel = self.imports.check_channel;
        self.sink()
            .local_tee(LOCAL_RESULT)
            .i64_const(abi::NOT_BUNDLE_ENV_MASK)
            .i64_and()
            .i64_const(abi::NOT_BUNDLE_ENV_MASK)
            .i64_ne()
            .if_(BlockType::Empty)
            .local_get(LOCAL_RESULT)
            .i32_const(write);
        self.set_location();
        self.sink()
            .call(check_channel)
            .drop()
            .end()
            .local_get(LOCAL_RESULT);
    }

    /// `for (binds) { body }`: each bind's channel in the argument slots
    /// (on the argument stack past [`abi::ARG_SLOTS`] binds), checked first
    /// when a later channel could fail, then `consume_slots` (`consume`)
    /// with the receive's descriptor and body.
    fn emit_receive(&mut self, receive: &'p Receive, bytes: Bytes<'p>) -> Result<()> {
        self.located(Located::Receive(receive), bytes, |codegen| {
            let binds = &receive.binds;
            let bind_bytes = repeated(bytes, tag::RECEIVE_BINDS, binds.len());
            let mut check_first = vec![false; binds.len()];
            let mut later_can_fail = false;
            for (index, bind) in binds.iter().enumerate().rev() {
                if let Some(source) = &bind.source {
                    check_first[index] = later_can_fail && codegen.analysis.may_be_bundle(source);
                    later_can_fail |= codegen.analysis.can_fail(source);
                }
            }
            let in_slots = binds.len() <= abi::ARG_SLOTS as usize;
            codegen.emit_pushes(binds, |codegen, index, bind| {
                let source = single(bind_bytes[index], tag::BIND_SOURCE);
                codegen.emit_arg(index, in_slots, |codegen| {
                    codegen.emit_opt_value(bind.source.as_ref(), source)?;
                    if check_first[index] {
                        codegen.emit_check_channel(0);
                    }
                    Ok(())
                })
            })?;
            let mut desc = ReceiveDesc {
                binds: Vec::with_capacity(binds.len()),
                persistent: receive.persistent,
                peek: receive.peek,
            };
            for bind in binds {
                let mut patterns = Vec::with_capacity(bind.patterns.len());
                for pattern in &bind.patterns {
                    patterns.push(codegen.pool.template(pattern)?);
                }
                desc.binds.push(BindDesc {
                    patterns,
                    remainder: bind.remainder,
                    free_count: u32::try_from(bind.free_count).unwrap_or(0),
                });
            }
            let desc = codegen.pool.receive(&desc)?;
            let body =
                codegen.body_index(receive.body.as_ref(), single(bytes, tag::RECEIVE_BODY))?;
            codegen.sink().i32_const(desc as i32).i32_const(body as i32);
            codegen.set_location();
            let consume = if in_slots {
                codegen.imports.consume_slots
            } else {
                codegen.imports.consume
            };
            codegen.sink().call(consume);
            Ok(())
        })
    }

    /// `new x, y(uri) in { body }`: `new_names` with the descriptor and body.
    fn emit_new(&mut self, new: &'p New, bytes: Bytes<'p>) -> Result<()> {
        self.located(Located::New(new), bytes, |codegen| {
            let desc = NewDesc {
                bind_count: u32::try_from(new.bind_count).unwrap_or(0),
                uris: new.uri.clone(),
            };
            let desc = codegen.pool.new_desc(&desc)?;
            let body = codegen.body_index(new.p.as_ref(), single(bytes, tag::NEW_BODY))?;
            let component = codegen.component;
            codegen
                .sink()
                .i32_const(desc as i32)
                .i32_const(body as i32)
                .i32_const(component);
            codegen.set_location();
            let new_names = codegen.imports.new_names;
            codegen.sink().call(new_names);
            codegen.run_in_place(body);
            Ok(())
        })
    }

    /// An expression in process position: evaluated, then run by `eval` if
    /// it is a process. Data (a literal, a constant collection) does
    /// nothing and is skipped.
    fn emit_process_expr(&mut self, expr: &'p Expr, bytes: Bytes<'p>) -> Result<()> {
        if self.analysis.is_ground_expr(expr) {
            return Ok(());
        }
        self.emit_expr(expr, bytes)?;
        let eval = self.imports.eval;
        let component = self.component;
        self.sink().i32_const(component).call(eval);
        Ok(())
    }

    /// `match target { cases }`: the target in a local, then each case in
    /// order until one matches, whose body is spawned. A matching case with
    /// an empty body spawns nothing (an empty task has no effect), unless
    /// `match_case` left bindings pending, which only a `spawn` clears.
    fn emit_match(&mut self, matched: &'p Match, bytes: Bytes<'p>) -> Result<()> {
        self.located(Located::Match(matched), bytes, |codegen| {
            codegen.emit_opt_value(matched.target.as_ref(), single(bytes, tag::MATCH_TARGET))?;
            let case_bytes = repeated(bytes, tag::MATCH_CASES, matched.cases.len());
            codegen
                .sink()
                .local_set(LOCAL_TARGET)
                .block(BlockType::Empty);
            for (case, case_bytes) in matched.cases.iter().zip(case_bytes) {
                let source = single(case_bytes, tag::CASE_SOURCE);
                let empty = case.source.as_ref().is_none_or(is_empty_par);
                match case_test(case) {
                    CaseTest::Always => {
                        if !empty {
                            codegen.run_case_body(case, source)?;
                        }
                        codegen.sink().br(0);
                        break;
                    }
                    CaseTest::Equals(encoded) => {
                        codegen
                            .sink()
                            .local_get(LOCAL_TARGET)
                            .i64_const(encoded)
                            .i64_eq()
                            .if_(BlockType::Empty);
                        if !empty {
                            codegen.run_case_body(case, source)?;
                        }
                        codegen.sink().br(1).end();
                    }
                    CaseTest::General => {
                        let template = match &case.pattern {
                            Some(pattern) => codegen.pool.template(pattern)?,
                            None => codegen.pool.template(&Par::default())?,
                        };
                        let free_count = case.free_count.max(0);
                        codegen
                            .sink()
                            .local_get(LOCAL_TARGET)
                            .i32_const(template as i32)
                            .i32_const(free_count);
                        codegen.set_location();
                        let match_case = codegen.imports.match_case;
                        codegen.sink().call(match_case).if_(BlockType::Empty);
                        if !empty || free_count > 0 {
                            codegen.run_case_body(case, source)?;
                        }
                        codegen.sink().br(1).end();
                    }
                }
            }
            codegen.sink().end();
            Ok(())
        })
    }

    /// The body of the matching `case`: its one component inline when
    /// [`case_body_runs_inline`] says so, else `spawn`ed.
    fn run_case_body(&mut self, case: &'p MatchCase, bytes: Bytes<'p>) -> Result<()> {
        if let Some(body) = &case.source
            && case_body_runs_inline(case.free_count, body)
            && let [component] = components(body, bytes)[..]
        {
            return stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || self.emit_component(component));
        }
        self.spawn(case.source.as_ref(), bytes)
    }

    /// `spawn` of the body `par`, run in place when the host says so.
    fn spawn(&mut self, par: Option<&'p Par>, bytes: Bytes<'p>) -> Result<()> {
        let body = self.body_index(par, bytes)?;
        let spawn = self.imports.spawn;
        let component = self.component;
        self.sink()
            .i32_const(body as i32)
            .i32_const(component)
            .call(spawn);
        self.run_in_place(body);
        Ok(())
    }

    /// With the result of `new_names` or `spawn` on the stack: if it is 1,
    /// runs `body` from its first component, calls `leave`, and sets
    /// `rho_component` back to the component being run (the body set it to
    /// its own components).
    fn run_in_place(&mut self, body: u32) {
        let component = self.component;
        let run = self.run_index;
        let leave = self.imports.leave;
        self.sink()
            .if_(BlockType::Empty)
            .i32_const(body as i32)
            .i32_const(0)
            .call(run)
            .call(leave)
            .i32_const(component)
            .global_set(GLOBAL_COMPONENT)
            .end();
    }
}
