//! The reference's pretty printer (RChain's `PrettyPrinter.scala`, dev
//! branch): the text that `rho:io:stdout` prints for a value, and that
//! `rhoc normalize` shows for a normalized term.
//!
//! Ground values print as `42`, `-5`, `true`, `"text"` (no escaping),
//! `` `rho:uri` ``, byte arrays as bare lowercase hex, big integers as
//! `BigInt(12)`; collections as `[1, 2]`, `(1, 2)`, `(7)`, `Set(1, 2)`,
//! `{"a" : 1, "b" : 2}`, with remainders as `[1...x0]`; unforgeable names as
//! `Unforgeable(0x<hex>)`, `DeployId(0x<hex>)`, `DeployerId(0x<hex>)`.
//! Sets and maps print in canonical order (see [`crate::sort`]), whatever
//! order they are stored in; the parts of a Par print in stored order,
//! joined by ` |` and a line break.
//!
//! Processes print on several lines, indented by two spaces per level:
//!
//! ```text
//! new x0, x1 in {
//!   x1!(*x0) |
//!   for( @{x2} <- x0 ) {
//!     x2
//!   }
//! }
//! ```
//!
//! Variables are named the reference's way: bound variables `x0`, `x1`,
//! ... numbered by binding order from the outside in, so the names that a
//! `new`, a receive or a match case binds are the next numbers; free
//! variables at top level `free0`, ...; in a pattern, the variables the
//! pattern binds take the enclosing scope's letter and the pattern's own
//! binders the next letter (`y0`, then `z0`, `a0`, ...). A name bound by
//! `new` prints as `x0` where a name is expected and `*x0` where a process
//! is; other names print quoted, `@{...}` (on one line if that is at most
//! 60 characters).
//!
//! # Differences from the reference
//!
//! So that printed terms parse back to the same Par, a few cases the
//! reference prints ambiguously or drops are printed differently:
//!
//! * `not p` prints as `not (p)`, not `~(p)` (which would read as a
//!   connective);
//! * an operand is left unparenthesized only if it is an unsigned integer
//!   literal or entirely enclosed in one pair of parentheses (the reference
//!   checks only the first and last characters, and leaves `-5` bare);
//! * receive remainders print (`for( @{x0}...@x1 <- ch )`), and so do the
//!   URIs of `new` (``new x0(`rho:io:stdout`) in``);
//! * a channel is left unquoted only if it consists of nothing but a
//!   `new`-bound name, and patterns start a fresh scope for telling
//!   `new`-bound names apart.
//!
//! A one-element tuple prints as `(7)`, as in the reference, which reads
//! back as `7`.
//!
//! All walks are guarded against stack overflow (see `stack.rs`).

use std::cmp::Ordering;

use crate::bigint;
use crate::par::{
    Bundle, Connective, Expr, GUnforgeable, KeyValuePair, Match, MatchCase, New, Par, Receive,
    Send, Var, connective::ConnectiveInstance, expr::ExprInstance, g_unforgeable::UnfInstance,
    var::VarInstance,
};
use crate::score::par_or_nil;
use crate::sort::cmp_par;
use crate::stack;

/// Prints a Par the way the reference does (see the module docs).
///
/// # Examples
///
/// ```
/// use rho_host_abi::par::{EList, Expr, Par, expr::ExprInstance};
/// use rho_host_abi::print::print_par;
///
/// let expr = |instance| Par { exprs: vec![Expr { expr_instance: Some(instance) }], ..Par::default() };
/// let list = expr(ExprInstance::EListBody(EList {
///     ps: vec![expr(ExprInstance::GInt(-5)), expr(ExprInstance::GString("a".into()))],
///     ..EList::default()
/// }));
/// assert_eq!(print_par(&list), r#"[-5, "a"]"#);
/// assert_eq!(print_par(&Par::default()), "Nil");
/// ```
pub fn print_par(par: &Par) -> String {
    let mut printer = Printer {
        out: String::new(),
        new_binders: Vec::new(),
    };
    printer.par(par, Scope::TOP, 0);
    printer.out
}

/// How the variables in the part being printed are named.
#[derive(Clone, Copy)]
struct Scope {
    /// Added to free-variable levels.
    free_shift: i64,
    /// The number of binders in scope in the current pattern context.
    bound_shift: i64,
    /// The prefix of free-variable names.
    free_names: Names,
    /// The pattern nesting level, which gives the bound-variable prefix.
    level: u32,
    /// Whether a channel is being printed (`new`-bound names print bare).
    channel: bool,
}

#[derive(Clone, Copy)]
enum Names {
    /// `free0`, `free1`, ...
    Free,
    /// The bound-variable prefix of the given pattern level.
    Level(u32),
}

impl Scope {
    const TOP: Scope = Scope {
        free_shift: 0,
        bound_shift: 0,
        free_names: Names::Free,
        level: 0,
        channel: false,
    };

    /// The scope of a pattern whose free variables are numbered from
    /// `free_shift`.
    fn pattern(self, free_shift: i64) -> Scope {
        Scope {
            free_shift,
            bound_shift: 0,
            free_names: Names::Level(self.level),
            level: self.level + 1,
            channel: self.channel,
        }
    }

    fn binding(self, count: i64) -> Scope {
        Scope {
            bound_shift: self.bound_shift + count,
            ..self
        }
    }
}

struct Printer {
    out: String,
    /// The binder index ranges `[start, end)` that `new`s bind in the
    /// current pattern context, innermost last.
    new_binders: Vec<(i64, i64)>,
}

const INDENT: &str = "  ";

/// The longest channel (in UTF-16 units) that is put on one line.
const ONE_LINE_CHANNEL: usize = 60;

impl Printer {
    fn push(&mut self, text: &str) {
        self.out.push_str(text);
    }

    fn newline(&mut self, indent: usize) {
        self.out.push('\n');
        for _ in 0..indent {
            self.out.push_str(INDENT);
        }
    }

    fn push_prefix(&mut self, names: Names) {
        match names {
            Names::Free => self.out.push_str("free"),
            Names::Level(level) => push_bound_prefix(&mut self.out, level),
        }
    }

    fn is_new_binder(&self, scope: Scope, level: i32) -> bool {
        let index = scope.bound_shift - i64::from(level) - 1;
        let after = self
            .new_binders
            .partition_point(|&(start, _)| start <= index);
        after > 0 && index < self.new_binders[after - 1].1
    }

    /// Runs `print` in a fresh pattern context, where no binder is a `new`.
    fn in_pattern(&mut self, print: impl FnOnce(&mut Self)) {
        let outer = std::mem::take(&mut self.new_binders);
        print(self);
        self.new_binders = outer;
    }

    fn par(&mut self, par: &Par, scope: Scope, indent: usize) {
        stack::guarded(|| {
            let mut first = true;
            let mut separate = |printer: &mut Self| {
                if !first {
                    printer.push(" |");
                    printer.newline(indent);
                }
                first = false;
            };
            for bundle in &par.bundles {
                separate(self);
                self.bundle(bundle, scope, indent);
            }
            for send in &par.sends {
                separate(self);
                self.send(send, scope);
            }
            for receive in &par.receives {
                separate(self);
                self.receive(receive, scope, indent);
            }
            for new in &par.news {
                separate(self);
                self.new_names(new, scope, indent);
            }
            for expr in &par.exprs {
                separate(self);
                self.expr(expr, scope);
            }
            for matcher in &par.matches {
                separate(self);
                self.matcher(matcher, scope, indent);
            }
            for unforgeable in &par.unforgeables {
                separate(self);
                self.unforgeable(unforgeable);
            }
            for connective in &par.connectives {
                separate(self);
                self.connective(connective, scope);
            }
            if first {
                self.push("Nil");
            }
        });
    }

    fn pars(&mut self, pars: &[Par], scope: Scope, separator: &str) {
        for (i, par) in pars.iter().enumerate() {
            if i > 0 {
                self.push(separator);
            }
            self.par(par, scope, 0);
        }
    }

    /// A Par in a channel position: `@{...}` unless it is a `new`-bound name.
    fn channel(&mut self, par: &Par, scope: Scope, indent: usize) {
        let bare = self.is_new_name(par, scope);
        if !bare {
            self.push("@{");
        }
        let start = self.out.len();
        self.par(
            par,
            Scope {
                channel: true,
                ..scope
            },
            indent,
        );
        collapse_if_short(&mut self.out, start);
        if !bare {
            self.push("}");
        }
    }

    fn is_new_name(&self, par: &Par, scope: Scope) -> bool {
        let only_expr = par.sends.is_empty()
            && par.receives.is_empty()
            && par.news.is_empty()
            && par.matches.is_empty()
            && par.unforgeables.is_empty()
            && par.bundles.is_empty()
            && par.connectives.is_empty()
            && par.exprs.len() == 1;
        let bound_level = match par
            .exprs
            .first()
            .and_then(|expr| expr.expr_instance.as_ref())
        {
            Some(ExprInstance::EVarBody(var)) => {
                match var.v.as_ref().and_then(|v| v.var_instance.as_ref()) {
                    Some(VarInstance::BoundVar(level)) => Some(*level),
                    _ => None,
                }
            }
            _ => None,
        };
        only_expr && bound_level.is_some_and(|level| self.is_new_binder(scope, level))
    }

    fn send(&mut self, send: &Send, scope: Scope) {
        self.channel(par_or_nil(&send.chan), scope, 0);
        self.push(if send.persistent { "!!(" } else { "!(" });
        self.pars(&send.data, scope, ", ");
        self.push(")");
    }

    fn receive(&mut self, receive: &Receive, scope: Scope, indent: usize) {
        self.push("for( ");
        let mut bound = 0i64;
        for (i, bind) in receive.binds.iter().enumerate() {
            if i > 0 {
                self.push("  & ");
            }
            let pattern_scope = scope.pattern(scope.bound_shift + bound);
            self.in_pattern(|printer| {
                for (j, pattern) in bind.patterns.iter().enumerate() {
                    if j > 0 {
                        printer.push(", ");
                    }
                    printer.channel(pattern, pattern_scope, 0);
                }
                if let Some(remainder) = &bind.remainder {
                    printer.push("...@");
                    printer.var(remainder, pattern_scope);
                }
            });
            self.push(if receive.persistent {
                " <= "
            } else if receive.peek {
                " <<- "
            } else {
                " <- "
            });
            self.channel(par_or_nil(&bind.source), scope, indent);
            bound += i64::from(bind.free_count);
        }
        self.push(" ) {");
        self.body(par_or_nil(&receive.body), scope.binding(bound), indent);
    }

    /// `{` is already printed: the body on its own lines, then `}`.
    fn body(&mut self, body: &Par, scope: Scope, indent: usize) {
        let before_newline = self.out.len();
        self.newline(indent + 1);
        let start = self.out.len();
        self.par(body, scope, indent + 1);
        if self.out.len() == start {
            // An empty body (only an empty connective) prints as `{}`.
            self.out.truncate(before_newline);
        } else {
            self.newline(indent);
        }
        self.push("}");
    }

    fn new_names(&mut self, new: &New, scope: Scope, indent: usize) {
        const MAX_NAMES: i64 = 128;
        let count = i64::from(new.bind_count.max(0));
        let first_uri = count - new.uri.len() as i64;
        self.push("new ");
        for i in 0..count.min(MAX_NAMES) {
            if i > 0 {
                self.push(", ");
            }
            self.push_prefix(Names::Level(scope.level));
            self.push(&(scope.bound_shift + i).to_string());
            if let Some(uri) = usize::try_from(i - first_uri)
                .ok()
                .and_then(|j| new.uri.get(j))
            {
                self.push("(`");
                self.push(uri);
                self.push("`)");
            }
        }
        self.push(" in {");
        self.new_binders
            .push((scope.bound_shift, scope.bound_shift + count));
        self.newline(indent + 1);
        self.par(par_or_nil(&new.p), scope.binding(count), indent + 1);
        self.new_binders.pop();
        self.newline(indent);
        self.push("}");
    }

    fn matcher(&mut self, matcher: &Match, scope: Scope, indent: usize) {
        self.push("match ");
        self.par(par_or_nil(&matcher.target), scope, 0);
        self.push(" {");
        for case in &matcher.cases {
            self.newline(indent + 1);
            self.case(case, scope, indent + 1);
        }
        self.newline(indent);
        self.push("}");
    }

    fn case(&mut self, case: &MatchCase, scope: Scope, indent: usize) {
        let pattern_scope = scope.pattern(scope.bound_shift);
        self.in_pattern(|printer| printer.par(par_or_nil(&case.pattern), pattern_scope, indent));
        self.push(" => {");
        self.body(
            par_or_nil(&case.source),
            scope.binding(i64::from(case.free_count)),
            indent,
        );
    }

    fn bundle(&mut self, bundle: &Bundle, scope: Scope, indent: usize) {
        let keyword = match (bundle.read_flag, bundle.write_flag) {
            (true, true) => "bundle  ",
            (true, false) => "bundle- ",
            (false, true) => "bundle+ ",
            (false, false) => "bundle0 ",
        };
        self.push(keyword);
        self.push("{ ");
        for _ in 0..=indent {
            self.push(INDENT);
        }
        self.par(par_or_nil(&bundle.body), scope, indent + 1);
        self.push(" }");
    }

    fn unforgeable(&mut self, unforgeable: &GUnforgeable) {
        let (kind, bytes): (&str, &[u8]) = match &unforgeable.unf_instance {
            Some(UnfInstance::GPrivateBody(private)) => ("Unforgeable", &private.id),
            Some(UnfInstance::GDeployIdBody(deploy)) => ("DeployId", &deploy.sig),
            Some(UnfInstance::GDeployerIdBody(deployer)) => ("DeployerId", &deployer.public_key),
            // The reference interpolates the ScalaPB case class, whose
            // `toString` is `GSysAuthToken()`.
            Some(UnfInstance::GSysAuthTokenBody(_)) => {
                return self.push("GSysAuthTokenBody(GSysAuthToken())");
            }
            // The reference cannot print this; it is the empty message.
            None => return self.push("Unforgeable()"),
        };
        self.push(kind);
        self.push("(0x");
        push_hex(&mut self.out, bytes);
        self.push(")");
    }

    fn connective(&mut self, connective: &Connective, scope: Scope) {
        use ConnectiveInstance as C;
        match &connective.connective_instance {
            None => {}
            Some(C::ConnAndBody(body)) => {
                self.push("{");
                self.pars(&body.ps, scope, " /\\ ");
                self.push("}");
            }
            Some(C::ConnOrBody(body)) => {
                self.push("{");
                self.pars(&body.ps, scope, " \\/ ");
                self.push("}");
            }
            Some(C::ConnNotBody(par)) => {
                self.push("~{");
                self.par(par, scope, 0);
                self.push("}");
            }
            Some(C::VarRefBody(var_ref)) => {
                self.push("=");
                self.push_prefix(scope.free_names);
                self.push(&(scope.free_shift - i64::from(var_ref.index) - 1).to_string());
            }
            Some(C::ConnBool(_)) => self.push("Bool"),
            Some(C::ConnInt(_)) => self.push("Int"),
            Some(C::ConnBigInt(_)) => self.push("BigInt"),
            Some(C::ConnString(_)) => self.push("String"),
            Some(C::ConnUri(_)) => self.push("Uri"),
            Some(C::ConnByteArray(_)) => self.push("ByteArray"),
        }
    }

    fn var(&mut self, var: &Var, scope: Scope) {
        match &var.var_instance {
            Some(VarInstance::FreeVar(level)) => {
                self.push_prefix(scope.free_names);
                self.push(&(scope.free_shift + i64::from(*level)).to_string());
            }
            Some(VarInstance::BoundVar(level)) => {
                if !scope.channel && self.is_new_binder(scope, *level) {
                    self.push("*");
                }
                self.push_prefix(Names::Level(scope.level));
                self.push(&(scope.bound_shift - i64::from(*level) - 1).to_string());
            }
            Some(VarInstance::Wildcard(_)) => self.push("_"),
            None => self.push("@Nil"),
        }
    }

    fn remainder(&mut self, remainder: &Option<Var>, scope: Scope) {
        if let Some(var) = remainder {
            self.push("...");
            self.var(var, scope);
        }
    }

    fn expr(&mut self, expr: &Expr, scope: Scope) {
        use ExprInstance as E;
        let Some(instance) = &expr.expr_instance else {
            return self.push("Nil");
        };
        match instance {
            E::GBool(value) => self.push(if *value { "true" } else { "false" }),
            E::GInt(value) => self.push(&value.to_string()),
            E::GBigInt(value) => {
                self.push("BigInt(");
                self.push(&bigint::to_decimal(value));
                self.push(")");
            }
            E::GString(value) => {
                self.push("\"");
                self.push(value);
                self.push("\"");
            }
            E::GUri(value) => {
                self.push("`");
                self.push(value);
                self.push("`");
            }
            E::GByteArray(value) => push_hex(&mut self.out, value),
            E::ENegBody(e) => self.prefixed("-", &e.p, scope),
            E::ENotBody(e) => self.prefixed("not ", &e.p, scope),
            E::EMultBody(e) => self.infix(&e.p1, " * ", &e.p2, scope),
            E::EDivBody(e) => self.infix(&e.p1, " / ", &e.p2, scope),
            E::EModBody(e) => self.infix(&e.p1, " % ", &e.p2, scope),
            E::EPercentPercentBody(e) => self.infix(&e.p1, " %% ", &e.p2, scope),
            E::EPlusBody(e) => self.infix(&e.p1, " + ", &e.p2, scope),
            E::EPlusPlusBody(e) => self.infix(&e.p1, " ++ ", &e.p2, scope),
            E::EMinusBody(e) => self.infix(&e.p1, " - ", &e.p2, scope),
            E::EMinusMinusBody(e) => self.infix(&e.p1, " -- ", &e.p2, scope),
            E::EAndBody(e) => self.infix(&e.p1, " and ", &e.p2, scope),
            E::EOrBody(e) => self.infix(&e.p1, " or ", &e.p2, scope),
            E::EShortAndBody(e) => self.infix(&e.p1, " && ", &e.p2, scope),
            E::EShortOrBody(e) => self.infix(&e.p1, " || ", &e.p2, scope),
            E::EEqBody(e) => self.infix(&e.p1, " == ", &e.p2, scope),
            E::ENeqBody(e) => self.infix(&e.p1, " != ", &e.p2, scope),
            E::EGtBody(e) => self.infix(&e.p1, " > ", &e.p2, scope),
            E::EGteBody(e) => self.infix(&e.p1, " >= ", &e.p2, scope),
            E::ELtBody(e) => self.infix(&e.p1, " < ", &e.p2, scope),
            E::ELteBody(e) => self.infix(&e.p1, " <= ", &e.p2, scope),
            E::EMatchesBody(e) => self.infix(&e.target, " matches ", &e.pattern, scope),
            E::EVarBody(e) => match &e.v {
                Some(var) => self.var(var, scope),
                None => self.push("@Nil"),
            },
            E::EListBody(list) => {
                self.push("[");
                self.pars(&list.ps, scope, ", ");
                self.remainder(&list.remainder, scope);
                self.push("]");
            }
            E::ETupleBody(tuple) => {
                self.push("(");
                self.pars(&tuple.ps, scope, ", ");
                self.push(")");
            }
            E::ESetBody(set) => {
                self.push("Set(");
                for (i, element) in in_canonical_order(&set.ps, |par| par)
                    .into_iter()
                    .enumerate()
                {
                    if i > 0 {
                        self.push(", ");
                    }
                    self.par(element, scope, 0);
                }
                self.remainder(&set.remainder, scope);
                self.push(")");
            }
            E::EMapBody(map) => {
                self.push("{");
                let entries =
                    in_canonical_order(&map.kvs, |entry: &KeyValuePair| par_or_nil(&entry.key));
                for (i, entry) in entries.into_iter().enumerate() {
                    if i > 0 {
                        self.push(", ");
                    }
                    self.par(par_or_nil(&entry.key), scope, 0);
                    self.push(" : ");
                    self.par(par_or_nil(&entry.value), scope, 0);
                }
                self.remainder(&map.remainder, scope);
                self.push("}");
            }
            E::EMethodBody(method) => {
                self.push("(");
                self.par(par_or_nil(&method.target), scope, 0);
                self.push(").");
                self.push(&method.method_name);
                self.push("(");
                self.pars(&method.arguments, scope, ",");
                self.push(")");
            }
        }
    }

    /// `op` followed by the operand, parenthesized unless it is an integer
    /// literal or already enclosed in parentheses.
    fn prefixed(&mut self, op: &str, operand: &Option<Par>, scope: Scope) {
        self.push(op);
        let operand = par_or_nil(operand);
        let start = self.out.len();
        self.par(operand, scope, 0);
        if is_infix(operand) {
            // Printed as `(p1 op p2)` already; no need to scan the text.
            return;
        }
        let operand_text = &self.out[start..];
        if !is_unsigned_int(operand_text) && !is_enclosed(operand_text) {
            self.out.insert(start, '(');
            self.out.push(')');
        }
    }

    /// `(p1 op p2)`: the operator between the operands makes the whole
    /// never an integer nor enclosed already, so it is always wrapped.
    fn infix(&mut self, p1: &Option<Par>, op: &str, p2: &Option<Par>, scope: Scope) {
        self.push("(");
        self.par(par_or_nil(p1), scope, 0);
        self.push(op);
        self.par(par_or_nil(p2), scope, 0);
        self.push(")");
    }
}

/// Whether the Par is a single binary operator expression, which
/// [`Printer::infix`] prints enclosed in parentheses.
fn is_infix(par: &Par) -> bool {
    use ExprInstance as E;
    let only_one_expr = par.exprs.len() == 1
        && par.sends.is_empty()
        && par.receives.is_empty()
        && par.news.is_empty()
        && par.matches.is_empty()
        && par.unforgeables.is_empty()
        && par.bundles.is_empty()
        && par.connectives.is_empty();
    only_one_expr
        && matches!(
            par.exprs[0].expr_instance,
            Some(
                E::EMultBody(_)
                    | E::EDivBody(_)
                    | E::EModBody(_)
                    | E::EPercentPercentBody(_)
                    | E::EPlusBody(_)
                    | E::EPlusPlusBody(_)
                    | E::EMinusBody(_)
                    | E::EMinusMinusBody(_)
                    | E::EAndBody(_)
                    | E::EOrBody(_)
                    | E::EShortAndBody(_)
                    | E::EShortOrBody(_)
                    | E::EEqBody(_)
                    | E::ENeqBody(_)
                    | E::EGtBody(_)
                    | E::EGteBody(_)
                    | E::ELtBody(_)
                    | E::ELteBody(_)
                    | E::EMatchesBody(_)
            )
        )
}

/// The elements in canonical order (they are usually stored that way).
fn in_canonical_order<'a, T>(items: &'a [T], key: impl Fn(&'a T) -> &'a Par) -> Vec<&'a T> {
    let mut ordered: Vec<&T> = items.iter().collect();
    let sorted = ordered
        .windows(2)
        .all(|pair| cmp_par(key(pair[0]), key(pair[1])) != Ordering::Greater);
    if !sorted {
        ordered.sort_by(|a, b| cmp_par(key(a), key(b)));
    }
    ordered
}

/// The bound-variable prefix of a pattern level: the reference's base id
/// (`a`, ..., `z`, `aa`, `ab`, ...: bijective base 26) with every letter
/// rotated by 23 (so level 0 is `x`, level 1 `y`, level 3 `a`).
fn push_bound_prefix(out: &mut String, level: u32) {
    let mut letters = Vec::new();
    let mut n = u64::from(level) + 1;
    while n > 0 {
        n -= 1;
        letters.push((n % 26) as u8);
        n /= 26;
    }
    for &letter in letters.iter().rev() {
        out.push(char::from(b'a' + (letter + 23) % 26));
    }
}

fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for &byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0xF)]));
    }
}

/// A decimal literal that fits Java's `int` (the reference's test), without
/// a sign.
fn is_unsigned_int(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && text.parse::<i32>().is_ok()
}

/// Whether the text is one parenthesized group: its first `(` closes at
/// its last character. Parentheses inside string and URI literals are
/// skipped.
fn is_enclosed(text: &str) -> bool {
    if !(text.starts_with('(') && text.ends_with(')')) {
        return false;
    }
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '`') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i == text.len() - 1;
                }
            }
            (None, _) => {}
        }
    }
    false
}

/// Puts a short channel on one line, as the reference does: if the text
/// from `start` is at most 60 UTF-16 units long, every line break and the
/// pairs of whitespace characters right after it become one space.
fn collapse_if_short(out: &mut String, start: usize) {
    let text = &out[start..];
    // A UTF-16 unit takes one to three bytes of UTF-8.
    let short = text.len() <= ONE_LINE_CHANNEL
        || (text.len() <= 3 * ONE_LINE_CHANNEL && text.encode_utf16().count() <= ONE_LINE_CHANNEL);
    if !short || !text.contains('\n') {
        return;
    }
    let chars: Vec<char> = text.chars().collect();
    let mut collapsed = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\n' {
            i += 1;
            while i + 1 < chars.len() && is_java_space(chars[i]) && is_java_space(chars[i + 1]) {
                i += 2;
            }
            collapsed.push(' ');
        } else {
            collapsed.push(chars[i]);
            i += 1;
        }
    }
    out.truncate(start);
    out.push_str(&collapsed);
}

/// Java's regex `\s`.
fn is_java_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefix(level: u32) -> String {
        let mut out = String::new();
        push_bound_prefix(&mut out, level);
        out
    }

    #[test]
    fn bound_prefixes_follow_the_reference_increment_and_rotation() {
        // Base ids a, b, c, d, ..., z, aa, az, ba rotated by 23.
        assert_eq!(prefix(0), "x");
        assert_eq!(prefix(1), "y");
        assert_eq!(prefix(2), "z");
        assert_eq!(prefix(3), "a");
        assert_eq!(prefix(25), "w");
        assert_eq!(prefix(26), "xx");
        assert_eq!(prefix(51), "xw");
        assert_eq!(prefix(52), "yx");
    }

    #[test]
    fn enclosure_is_checked_by_matching_parentheses() {
        assert!(is_enclosed("(1 + 2)"));
        assert!(is_enclosed("((1) + (2))"));
        assert!(!is_enclosed("(1) + (2)"));
        assert!(!is_enclosed("(x0).length()"));
        assert!(is_enclosed("(\")\" ++ x0)"));
        assert!(!is_enclosed("x0"));
    }

    #[test]
    fn integers_are_unsigned_java_ints() {
        assert!(is_unsigned_int("2147483647"));
        assert!(!is_unsigned_int("2147483648"));
        assert!(!is_unsigned_int("-5"));
        assert!(!is_unsigned_int(""));
    }

    #[test]
    fn short_channels_are_collapsed_onto_one_line() {
        let mut out = String::from("@{for( x0 <- x1 ) {\n  Nil\n}");
        collapse_if_short(&mut out, 2);
        assert_eq!(out, "@{for( x0 <- x1 ) { Nil }");
        let long = format!("for( x0 <- x1 ) {{\n  {}\n}}", "x".repeat(60));
        let mut out = long.clone();
        collapse_if_short(&mut out, 0);
        assert_eq!(out, long);
    }
}
