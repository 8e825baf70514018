//! A generator of random, well-formed Rholang programs, for differential
//! testing of the two engines.
//!
//! Programs use sends, receives (linear, persistent, peek, joins, patterns),
//! `new`, `match`, `if`, `contract`, arithmetic, comparisons, collections and
//! methods, and print through `rho:io:stdout`. They always terminate: no body
//! sends on a channel that a persistent receive listens on from inside that
//! receive, and nesting is bounded. Runtime errors (division by zero, type
//! errors) are allowed: both engines must report the same ones.

use std::fmt::Write as _;

/// A small deterministic PRNG (SplitMix64).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `percent`%.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// What is in scope while generating.
#[derive(Clone, Debug, Default)]
struct Scope {
    /// Name variables (channels).
    names: Vec<String>,
    /// Process variables bound to Ints.
    ints: Vec<String>,
    /// Process variables bound to anything.
    values: Vec<String>,
}

/// Generates random programs.
#[derive(Debug)]
pub struct Generator {
    rng: Rng,
    fresh: usize,
    budget: usize,
}

impl Generator {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Generator {
        Generator {
            rng: Rng::new(seed),
            fresh: 0,
            budget: 0,
        }
    }

    /// A whole program.
    pub fn program(&mut self) -> String {
        self.budget = 40;
        let mut scope = Scope::default();
        let channels = 1 + self.rng.below(3);
        let mut names = Vec::new();
        for _ in 0..channels {
            let name = self.fresh("ch");
            scope.names.push(name.clone());
            names.push(name);
        }
        let body = self.par(&scope, 0);
        format!(
            "new stdout(`rho:io:stdout`), {} in {{\n{body}\n}}\n",
            names.join(", ")
        )
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.fresh += 1;
        format!("{prefix}{}", self.fresh)
    }

    fn par(&mut self, scope: &Scope, depth: usize) -> String {
        let parts = 1 + self.rng.below(if depth == 0 { 4 } else { 2 });
        let mut out = Vec::new();
        for _ in 0..parts {
            out.push(self.process(scope, depth));
        }
        out.join(" |\n")
    }

    fn process(&mut self, scope: &Scope, depth: usize) -> String {
        if self.budget == 0 || depth > 4 {
            return self.print(scope);
        }
        self.budget -= 1;
        match self.rng.below(10) {
            0 | 1 => self.print(scope),
            2 | 3 => self.send(scope),
            4 | 5 => self.receive(scope, depth),
            6 => self.new_scope(scope, depth),
            7 => self.if_else(scope, depth),
            8 => self.matched(scope, depth),
            _ => self.contract(scope, depth),
        }
    }

    fn print(&mut self, scope: &Scope) -> String {
        let value = self.value(scope, 2);
        format!("stdout!({value})")
    }

    fn channel(&mut self, scope: &Scope) -> String {
        if scope.names.is_empty() || self.rng.chance(10) {
            let literal = self.rng.below(3);
            return format!("@{literal}");
        }
        scope.names[self.rng.below(scope.names.len())].clone()
    }

    fn send(&mut self, scope: &Scope) -> String {
        let channel = self.channel(scope);
        let arity = 1 + self.rng.below(2);
        let data: Vec<String> = (0..arity).map(|_| self.value(scope, 2)).collect();
        let bang = if self.rng.chance(10) { "!!" } else { "!" };
        // A persistent send would make persistent receives loop forever.
        let bang = if bang == "!!" && scope.names.len() > 3 {
            "!"
        } else {
            bang
        };
        format!("{channel}{bang}({})", data.join(", "))
    }

    fn receive(&mut self, scope: &Scope, depth: usize) -> String {
        let mut inner = scope.clone();
        let binds = 1 + usize::from(self.rng.chance(30));
        let mut parts = Vec::new();
        // Sends that feed the receive most of the time, so COMMs happen.
        let mut feeds = Vec::new();
        for _ in 0..binds {
            let channel = self.channel(scope);
            let arity = 1 + self.rng.below(2);
            let mut patterns = Vec::new();
            for _ in 0..arity {
                patterns.push(self.pattern(&mut inner));
            }
            if self.rng.chance(80) {
                let data: Vec<String> = (0..arity).map(|_| self.value(scope, 2)).collect();
                feeds.push(format!("{channel}!({})", data.join(", ")));
            }
            parts.push((patterns.join(", "), channel));
        }
        let arrow = match self.rng.below(10) {
            0 => "<<-",
            _ => "<-",
        };
        let binds: Vec<String> = parts
            .iter()
            .map(|(patterns, channel)| format!("{patterns} {arrow} {channel}"))
            .collect();
        let body = self.par(&inner, depth + 1);
        let mut out = format!("for ({}) {{\n{body}\n}}", binds.join(" & "));
        for feed in feeds {
            out.push_str(" |\n");
            out.push_str(&feed);
        }
        out
    }

    /// A receive or match pattern; binds what it introduces in `scope`.
    fn pattern(&mut self, scope: &mut Scope) -> String {
        match self.rng.below(6) {
            0 => "_".to_string(),
            1 => {
                let literal = self.rng.below(3);
                format!("@{literal}")
            }
            2 => {
                let name = self.fresh("n");
                scope.names.push(name.clone());
                name
            }
            3 => {
                let head = self.fresh("h");
                let tail = self.fresh("t");
                scope.values.push(head.clone());
                scope.values.push(tail.clone());
                format!("@[{head} ...{tail}]")
            }
            4 => {
                let var = self.fresh("i");
                scope.ints.push(var.clone());
                format!("@{{{var} /\\ Int}}")
            }
            _ => {
                let var = self.fresh("v");
                scope.values.push(var.clone());
                format!("@{var}")
            }
        }
    }

    fn new_scope(&mut self, scope: &Scope, depth: usize) -> String {
        let mut inner = scope.clone();
        let count = 1 + self.rng.below(2);
        let mut names = Vec::new();
        for _ in 0..count {
            let name = self.fresh("x");
            inner.names.push(name.clone());
            names.push(name);
        }
        let body = self.par(&inner, depth + 1);
        format!("new {} in {{\n{body}\n}}", names.join(", "))
    }

    fn if_else(&mut self, scope: &Scope, depth: usize) -> String {
        let condition = self.condition(scope);
        let then = self.par(scope, depth + 1);
        if self.rng.chance(50) {
            let otherwise = self.par(scope, depth + 1);
            format!("if ({condition}) {{\n{then}\n}} else {{\n{otherwise}\n}}")
        } else {
            format!("if ({condition}) {{\n{then}\n}}")
        }
    }

    fn matched(&mut self, scope: &Scope, depth: usize) -> String {
        let target = self.value(scope, 2);
        let cases = 1 + self.rng.below(3);
        let mut out = format!("match {target} {{\n");
        for _ in 0..cases {
            let mut inner = scope.clone();
            let pattern = match self.rng.below(5) {
                0 => "_".to_string(),
                1 => self.rng.below(4).to_string(),
                2 => "[]".to_string(),
                3 => {
                    let head = self.fresh("h");
                    let tail = self.fresh("t");
                    inner.values.push(head.clone());
                    inner.values.push(tail.clone());
                    format!("[{head} ...{tail}]")
                }
                _ => {
                    let var = self.fresh("m");
                    inner.ints.push(var.clone());
                    format!("{var} /\\ Int")
                }
            };
            let body = self.par(&inner, depth + 1);
            let _ = writeln!(out, "  {pattern} => {{\n{body}\n}}");
        }
        out.push('}');
        out
    }

    fn contract(&mut self, scope: &Scope, depth: usize) -> String {
        // A fresh contract name so that no body can call its own contract.
        let name = self.fresh("k");
        let mut inner = scope.clone();
        let arg = self.fresh("a");
        inner.ints.push(arg.clone());
        let body = self.par(&inner, depth + 1);
        let mut outer = scope.clone();
        outer.names.push(name.clone());
        let call_arg = self.int_expr(scope, 2);
        format!(
            "new {name} in {{\ncontract {name}(@{{{arg} /\\ Int}}) = {{\n{body}\n}} |\n{name}!({call_arg}) |\n{name}!({call_arg} + 1)\n}}"
        )
    }

    fn condition(&mut self, scope: &Scope) -> String {
        let a = self.int_expr(scope, 2);
        let b = self.int_expr(scope, 2);
        let op = ["<", "<=", ">", ">=", "==", "!="][self.rng.below(6)];
        match self.rng.below(5) {
            0 => format!("{a} {op} {b} and true"),
            1 => format!("not ({a} {op} {b})"),
            2 => format!("{a} {op} {b} || false"),
            _ => format!("{a} {op} {b}"),
        }
    }

    fn int_expr(&mut self, scope: &Scope, depth: usize) -> String {
        if depth == 0 || self.rng.chance(40) {
            if !scope.ints.is_empty() && self.rng.chance(50) {
                return scope.ints[self.rng.below(scope.ints.len())].clone();
            }
            let n = self.rng.below(20) as i64 - 5;
            return n.to_string();
        }
        let a = self.int_expr(scope, depth - 1);
        let b = self.int_expr(scope, depth - 1);
        let op = ["+", "-", "*", "/", "%"][self.rng.below(5)];
        format!("({a} {op} {b})")
    }

    fn value(&mut self, scope: &Scope, depth: usize) -> String {
        match self.rng.below(if depth == 0 { 5 } else { 9 }) {
            0 => self.int_expr(scope, 2),
            1 => ["true", "false", "Nil"][self.rng.below(3)].to_string(),
            2 => format!("\"s{}\"", self.rng.below(5)),
            3 if !scope.values.is_empty() => {
                scope.values[self.rng.below(scope.values.len())].clone()
            }
            3 | 4 => self.int_expr(scope, 1),
            5 => {
                let n = self.rng.below(3);
                let items: Vec<String> = (0..n).map(|_| self.value(scope, depth - 1)).collect();
                format!("[{}]", items.join(", "))
            }
            6 => {
                let a = self.value(scope, depth - 1);
                let b = self.value(scope, depth - 1);
                format!("({a}, {b})")
            }
            7 => {
                let list = self.value(scope, depth - 1);
                let method = ["length()", "toList()", "nth(0)"][self.rng.below(3)];
                format!("{list}.{method}")
            }
            _ => {
                let a = self.int_expr(scope, 1);
                let b = self.int_expr(scope, 1);
                format!("{{{a}: {b}}}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_program() {
        assert_eq!(Generator::new(7).program(), Generator::new(7).program());
        assert_ne!(Generator::new(7).program(), Generator::new(8).program());
    }

    #[test]
    fn generated_programs_compile() {
        for seed in 0..200 {
            let program = Generator::new(seed).program();
            if let Err(diagnostics) = rhoc::frontend::compile_source("gen.rho", &program) {
                let rendered =
                    rhoc::diagnostic::SourceFile::new("gen.rho", &program).render_all(&diagnostics);
                panic!("seed {seed} does not compile:\n{program}\n{rendered}");
            }
        }
    }
}
