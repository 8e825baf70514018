//! Term keys for the source map, computed in one linear pass.
//!
//! [`term_key`](rho_host_abi::source_map::term_key) is the FNV-1a hash of a
//! term's protobuf encoding. Calling it on every recorded term would encode
//! each subterm again for each of its recorded ancestors, and prost's
//! encoder is itself quadratic in the nesting depth (it recomputes the
//! length of every nested message at every level). Here the whole Par is
//! encoded once, back to front, so that every length is known when its
//! prefix is written; the encoding of each recorded term is then a slice of
//! that buffer (protobuf embeds a message's own encoding verbatim), and its
//! key is the hash of that slice.
//!
//! The same pass recomputes every term's [fingerprint](super::fingerprint)
//! bottom-up, to find the terms whose position the normalizer recorded.
//!
//! The encoder must produce exactly prost's bytes: fields in tag order,
//! proto3 defaults omitted, oneof members always written, `sint` fields
//! zigzag-encoded. The tests compare it with prost on real programs.

use rustc_hash::FxHashMap as HashMap;

use super::fingerprint::{self, Fp};
use crate::diagnostic::Span;
use rho_host_abi::par::{
    Bundle, Connective, Expr, GUnforgeable, KeyValuePair, Match, MatchCase, New, Par, Receive,
    ReceiveBind, Send, Var, connective::ConnectiveInstance, expr::ExprInstance,
    g_unforgeable::UnfInstance, var::VarInstance,
};

const RED_ZONE: usize = 128 * 1024;
const STACK_SEGMENT: usize = 2 * 1024 * 1024;

const VARINT: u32 = 0;
const LENGTH_DELIMITED: u32 = 2;

/// The position and key of every term of `par` whose fingerprint has a
/// recorded position: sends, receives, news, matches, and expressions that
/// are operators, method calls, `matches`, or collections containing them.
pub(crate) fn term_keys(par: &Par, positions: &HashMap<Fp, Span>) -> Vec<(Span, u64)> {
    let mut encoder = Encoder {
        reversed: Vec::new(),
        positions,
        fps: Vec::new(),
        found: Vec::new(),
        seen: HashMap::default(),
    };
    encoder.par(par);
    let Encoder {
        mut reversed,
        mut found,
        ..
    } = encoder;
    reversed.reverse();
    let total = reversed.len();
    // Nested terms are hashed once per recorded ancestor. In ordinary
    // programs that is a few times the size of the whole encoding; in a
    // pathological one (thousands of nested receives, whose `locally_free`
    // sets grow with the depth) it is cubic. The smallest terms are keyed
    // first, within a budget, so that such a program still compiles
    // quickly, its outermost terms without a position.
    let mut budget = total
        .saturating_mul(HASH_BUDGET_FACTOR)
        .saturating_add(HASH_BUDGET_BASE);
    found.sort_unstable_by_key(|&(_, start, end)| end - start);
    let mut keys = Vec::with_capacity(found.len());
    for (span, start, end) in found {
        let len = end - start;
        if len > budget {
            break;
        }
        budget -= len;
        keys.push((span, fnv1a_64(&reversed[total - end..total - start])));
    }
    keys
}

/// The bytes hashed for term keys may be this many times the size of the
/// encoding, plus [`HASH_BUDGET_BASE`].
const HASH_BUDGET_FACTOR: usize = 64;
const HASH_BUDGET_BASE: usize = 64 * 1024 * 1024;

/// The hash [`term_key`](rho_host_abi::source_map::term_key) uses.
fn fnv1a_64(bytes: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET_BASIS, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    })
}

/// Writes protobuf back to front: every method writes its item's bytes in
/// reverse, so a message's fields are written last field first and a
/// length prefix after (that is, before) the bytes it measures.
///
/// Each term's children fingerprints are pushed on `fps` as they are
/// computed; since fields are written last first, the pushed values read
/// backwards are in field order, as the fingerprint functions want them.
struct Encoder<'p> {
    reversed: Vec<u8>,
    positions: &'p HashMap<Fp, Span>,
    fps: Vec<Fp>,
    /// (position, start, end) offsets in `reversed` of each recorded term.
    found: Vec<(Span, usize, usize)>,
    /// Fingerprints already in `found`: identical terms share a key, and
    /// the position recorded for a fingerprint is already the earliest.
    seen: HashMap<Fp, ()>,
}

impl Encoder<'_> {
    fn varint(&mut self, value: u64) {
        if value < 0x80 {
            self.reversed.push(value as u8);
            return;
        }
        let mut bytes = [0u8; 10];
        let mut len = 0;
        let mut rest = value;
        while rest >= 0x80 {
            bytes[len] = (rest as u8) | 0x80;
            rest >>= 7;
            len += 1;
        }
        bytes[len] = rest as u8;
        len += 1;
        for &byte in bytes[..len].iter().rev() {
            self.reversed.push(byte);
        }
    }

    fn key(&mut self, tag: u32, wire_type: u32) {
        self.varint(u64::from(tag << 3 | wire_type));
    }

    fn raw(&mut self, bytes: &[u8]) {
        if bytes.len() <= 16 {
            // Small copies (the usual `locally_free` sets and short strings)
            // are cheaper byte by byte than through `memcpy`.
            self.reversed.reserve(bytes.len());
            for &byte in bytes.iter().rev() {
                self.reversed.push(byte);
            }
            return;
        }
        let start = self.reversed.len();
        self.reversed.extend_from_slice(bytes);
        self.reversed[start..].reverse();
    }

    fn bool_field(&mut self, tag: u32, value: bool) {
        if value {
            self.bool_always(tag, value);
        }
    }

    fn bool_always(&mut self, tag: u32, value: bool) {
        self.varint(u64::from(value));
        self.key(tag, VARINT);
    }

    fn int32_field(&mut self, tag: u32, value: i32) {
        if value != 0 {
            // Negative int32 values are sign-extended to 64 bits.
            self.varint(i64::from(value) as u64);
            self.key(tag, VARINT);
        }
    }

    fn sint32_always(&mut self, tag: u32, value: i32) {
        self.varint(u64::from(((value << 1) ^ (value >> 31)) as u32));
        self.key(tag, VARINT);
    }

    fn sint64_always(&mut self, tag: u32, value: i64) {
        self.varint(((value << 1) ^ (value >> 63)) as u64);
        self.key(tag, VARINT);
    }

    fn bytes_field(&mut self, tag: u32, bytes: &[u8]) {
        if !bytes.is_empty() {
            self.bytes_always(tag, bytes);
        }
    }

    fn bytes_always(&mut self, tag: u32, bytes: &[u8]) {
        self.raw(bytes);
        self.varint(bytes.len() as u64);
        self.key(tag, LENGTH_DELIMITED);
    }

    /// A message field: `body` writes the message's fields.
    fn message<R>(&mut self, tag: u32, body: impl FnOnce(&mut Self) -> R) -> R {
        let end = self.reversed.len();
        let result = body(self);
        let len = self.reversed.len() - end;
        self.varint(len as u64);
        self.key(tag, LENGTH_DELIMITED);
        result
    }

    /// Writes a term with `body`, which pushes the fingerprints of the
    /// term's child Pars; `fingerprint` then computes the term's own from
    /// them (in field order). If a position was recorded for it, the term's
    /// bytes are remembered.
    fn term(
        &mut self,
        record: bool,
        body: impl FnOnce(&mut Self),
        fingerprint: impl FnOnce(&mut dyn FnMut(&Par) -> Fp) -> Fp,
    ) -> Fp {
        let start = self.reversed.len();
        let mark = self.fps.len();
        body(self);
        self.fps[mark..].reverse();
        let mut next = mark;
        let fps = &self.fps;
        let fp = fingerprint(&mut |_| {
            let fp = fps.get(next).copied().unwrap_or_default();
            next += 1;
            fp
        });
        self.fps.truncate(mark);
        if record {
            self.record(fp, start);
        }
        fp
    }

    /// Remembers the term written since `start` if it has a position and
    /// no identical term was remembered before.
    fn record(&mut self, fp: Fp, start: usize) {
        if let Some(&span) = self.positions.get(&fp)
            && self.seen.insert(fp, ()).is_none()
        {
            self.found.push((span, start, self.reversed.len()));
        }
    }

    /// A Par field: writes it and pushes its fingerprint.
    fn opt_par(&mut self, tag: u32, par: &Option<Par>) {
        // An absent Par is not asked for by the fingerprint functions.
        if let Some(par) = par {
            let (fp, _) = self.message(tag, |this| this.par(par));
            self.fps.push(fp);
        }
    }

    fn pars(&mut self, tag: u32, pars: &[Par]) {
        for par in pars.iter().rev() {
            let (fp, _) = self.message(tag, |this| this.par(par));
            self.fps.push(fp);
        }
    }

    fn opt_var(&mut self, tag: u32, var: &Option<Var>) {
        if let Some(var) = var {
            self.message(tag, |this| this.var(var));
        }
    }

    /// Writes a Par's fields; returns its fingerprint and whether its
    /// expressions contain an operator, method call or `matches`.
    fn par(&mut self, par: &Par) -> (Fp, bool) {
        stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || {
            let mut sum = 0;
            let mut has_ops = false;
            for bundle in par.bundles.iter().rev() {
                let fp = self.message(11, |this| {
                    this.term(
                        false,
                        |this| this.bundle(bundle),
                        |child| fingerprint::bundle(bundle, child),
                    )
                });
                sum = fingerprint::add_part(sum, fp);
            }
            self.bool_field(10, par.connective_used);
            self.bytes_field(9, &par.locally_free);
            for connective in par.connectives.iter().rev() {
                let fp = self.message(8, |this| {
                    this.term(
                        false,
                        |this| this.connective(connective),
                        |child| fingerprint::connective(connective, child),
                    )
                });
                sum = fingerprint::add_part(sum, fp);
            }
            for unforgeable in par.unforgeables.iter().rev() {
                self.message(7, |this| this.unforgeable(unforgeable));
                sum = fingerprint::add_part(sum, fingerprint::unforgeable(unforgeable));
            }
            for matcher in par.matches.iter().rev() {
                let fp = self.message(6, |this| {
                    this.term(
                        true,
                        |this| this.matcher(matcher),
                        |child| fingerprint::matcher(matcher, child),
                    )
                });
                sum = fingerprint::add_part(sum, fp);
            }
            for expr in par.exprs.iter().rev() {
                let (fp, ops) = self.message(5, |this| this.expr_term(expr));
                has_ops |= ops;
                sum = fingerprint::add_part(sum, fp);
            }
            for new in par.news.iter().rev() {
                let fp = self.message(4, |this| {
                    this.term(
                        true,
                        |this| this.new_term(new),
                        |child| fingerprint::new(new, child),
                    )
                });
                sum = fingerprint::add_part(sum, fp);
            }
            for receive in par.receives.iter().rev() {
                let fp = self.message(2, |this| {
                    this.term(
                        true,
                        |this| this.receive(receive),
                        |child| fingerprint::receive(receive, child),
                    )
                });
                sum = fingerprint::add_part(sum, fp);
            }
            for send in par.sends.iter().rev() {
                let fp = self.message(1, |this| {
                    this.term(
                        true,
                        |this| this.send(send),
                        |child| fingerprint::send(send, child),
                    )
                });
                sum = fingerprint::add_part(sum, fp);
            }
            (fingerprint::par(sum), has_ops)
        })
    }

    /// An expression; it is recorded if it is an operator, a method call,
    /// `matches`, or a collection whose elements contain one.
    fn expr_term(&mut self, expr: &Expr) -> (Fp, bool) {
        use ExprInstance as E;
        let own_ops = match &expr.expr_instance {
            None
            | Some(
                E::GBool(_)
                | E::GInt(_)
                | E::GBigInt(_)
                | E::GString(_)
                | E::GUri(_)
                | E::GByteArray(_)
                | E::EVarBody(_),
            ) => Some(false),
            Some(E::EListBody(_) | E::ETupleBody(_) | E::ESetBody(_) | E::EMapBody(_)) => None,
            Some(_) => Some(true),
        };
        let inner_ops = std::cell::Cell::new(false);
        let start = self.reversed.len();
        let fp = self.term(
            false,
            |this| this.expr(expr, &inner_ops),
            |child| fingerprint::expr(expr, child),
        );
        let has_ops = own_ops.unwrap_or(inner_ops.get());
        if has_ops {
            self.record(fp, start);
        }
        (fp, has_ops)
    }

    fn send(&mut self, send: &Send) {
        self.bool_field(6, send.connective_used);
        self.bytes_field(5, &send.locally_free);
        self.bool_field(3, send.persistent);
        self.pars(2, &send.data);
        self.opt_par(1, &send.chan);
    }

    fn receive(&mut self, receive: &Receive) {
        self.bool_field(7, receive.connective_used);
        self.bytes_field(6, &receive.locally_free);
        self.int32_field(5, receive.bind_count);
        self.bool_field(4, receive.peek);
        self.bool_field(3, receive.persistent);
        self.opt_par(2, &receive.body);
        for bind in receive.binds.iter().rev() {
            self.message(1, |this| this.bind(bind));
        }
    }

    fn bind(&mut self, bind: &ReceiveBind) {
        self.int32_field(4, bind.free_count);
        self.opt_var(3, &bind.remainder);
        self.opt_par(2, &bind.source);
        self.pars(1, &bind.patterns);
    }

    fn new_term(&mut self, new: &New) {
        self.bytes_field(5, &new.locally_free);
        for (key, value) in new.injections.iter().rev() {
            // A map entry is a message with the key (1) and value (2),
            // each left out when it is the default.
            self.message(4, |this| {
                if *value != Par::default() {
                    this.message(2, |this| this.par(value));
                }
                // Injections are not part of a term's fingerprint.
                this.bytes_field(1, key.as_bytes());
            });
        }
        for uri in new.uri.iter().rev() {
            self.bytes_always(3, uri.as_bytes());
        }
        self.opt_par(2, &new.p);
        if new.bind_count != 0 {
            self.sint32_always(1, new.bind_count);
        }
    }

    fn matcher(&mut self, matcher: &Match) {
        self.bool_field(5, matcher.connective_used);
        self.bytes_field(4, &matcher.locally_free);
        for case in matcher.cases.iter().rev() {
            self.message(2, |this| this.case(case));
        }
        self.opt_par(1, &matcher.target);
    }

    fn case(&mut self, case: &MatchCase) {
        self.int32_field(3, case.free_count);
        self.opt_par(2, &case.source);
        self.opt_par(1, &case.pattern);
    }

    fn bundle(&mut self, bundle: &Bundle) {
        self.bool_field(3, bundle.read_flag);
        self.bool_field(2, bundle.write_flag);
        self.opt_par(1, &bundle.body);
    }

    fn unforgeable(&mut self, unforgeable: &GUnforgeable) {
        match &unforgeable.unf_instance {
            None => {}
            Some(UnfInstance::GPrivateBody(private)) => {
                self.message(1, |this| this.bytes_field(1, &private.id))
            }
            Some(UnfInstance::GDeployIdBody(id)) => {
                self.message(2, |this| this.bytes_field(1, &id.sig))
            }
            Some(UnfInstance::GDeployerIdBody(id)) => {
                self.message(3, |this| this.bytes_field(1, &id.public_key))
            }
            Some(UnfInstance::GSysAuthTokenBody(_)) => self.message(4, |_| {}),
        }
    }

    fn var(&mut self, var: &Var) {
        match &var.var_instance {
            None => {}
            Some(VarInstance::BoundVar(index)) => self.sint32_always(1, *index),
            Some(VarInstance::FreeVar(level)) => self.sint32_always(2, *level),
            Some(VarInstance::Wildcard(_)) => self.message(3, |_| {}),
        }
    }

    fn connective(&mut self, connective: &Connective) {
        use ConnectiveInstance as C;
        match &connective.connective_instance {
            None => {}
            Some(C::ConnAndBody(body)) => self.message(1, |this| this.pars(1, &body.ps)),
            Some(C::ConnOrBody(body)) => self.message(2, |this| this.pars(1, &body.ps)),
            Some(C::ConnNotBody(par)) => {
                let (fp, _) = self.message(3, |this| this.par(par));
                self.fps.push(fp);
            }
            Some(C::VarRefBody(var_ref)) => self.message(4, |this| {
                if var_ref.depth != 0 {
                    this.sint32_always(2, var_ref.depth);
                }
                if var_ref.index != 0 {
                    this.sint32_always(1, var_ref.index);
                }
            }),
            Some(C::ConnBool(value)) => self.bool_always(5, *value),
            Some(C::ConnInt(value)) => self.bool_always(6, *value),
            Some(C::ConnBigInt(value)) => self.bool_always(10, *value),
            Some(C::ConnString(value)) => self.bool_always(7, *value),
            Some(C::ConnUri(value)) => self.bool_always(8, *value),
            Some(C::ConnByteArray(value)) => self.bool_always(9, *value),
        }
    }

    /// The two operands of a binary expression, fields 1 and 2.
    fn two(&mut self, tag: u32, p1: &Option<Par>, p2: &Option<Par>) {
        self.message(tag, |this| {
            this.opt_par(2, p2);
            this.opt_par(1, p1);
        });
    }

    fn collection(
        &mut self,
        ps: &[Par],
        locally_free: &[u8],
        connective_used: bool,
        remainder: &Option<Var>,
        inner_ops: &std::cell::Cell<bool>,
    ) {
        self.opt_var(5, remainder);
        self.bool_field(4, connective_used);
        self.bytes_field(3, locally_free);
        self.element_pars(1, ps, inner_ops);
    }

    /// Collection elements: like [`Encoder::pars`], noting whether any
    /// element contains an operator.
    fn element_pars(&mut self, tag: u32, pars: &[Par], inner_ops: &std::cell::Cell<bool>) {
        for par in pars.iter().rev() {
            let (fp, ops) = self.message(tag, |this| this.par(par));
            inner_ops.set(inner_ops.get() || ops);
            self.fps.push(fp);
        }
    }

    fn expr(&mut self, expr: &Expr, inner_ops: &std::cell::Cell<bool>) {
        use ExprInstance as E;
        let Some(instance) = &expr.expr_instance else {
            return;
        };
        match instance {
            E::GBool(value) => self.bool_always(1, *value),
            E::GInt(value) => self.sint64_always(2, *value),
            E::GBigInt(bytes) => self.bytes_always(34, bytes),
            E::GString(text) => self.bytes_always(3, text.as_bytes()),
            E::GUri(text) => self.bytes_always(4, text.as_bytes()),
            E::GByteArray(bytes) => self.bytes_always(25, bytes),
            E::ENotBody(body) => self.message(5, |this| this.opt_par(1, &body.p)),
            E::ENegBody(body) => self.message(6, |this| this.opt_par(1, &body.p)),
            E::EMultBody(body) => self.two(7, &body.p1, &body.p2),
            E::EDivBody(body) => self.two(8, &body.p1, &body.p2),
            E::EPlusBody(body) => self.two(9, &body.p1, &body.p2),
            E::EMinusBody(body) => self.two(10, &body.p1, &body.p2),
            E::ELtBody(body) => self.two(11, &body.p1, &body.p2),
            E::ELteBody(body) => self.two(12, &body.p1, &body.p2),
            E::EGtBody(body) => self.two(13, &body.p1, &body.p2),
            E::EGteBody(body) => self.two(14, &body.p1, &body.p2),
            E::EEqBody(body) => self.two(15, &body.p1, &body.p2),
            E::ENeqBody(body) => self.two(16, &body.p1, &body.p2),
            E::EAndBody(body) => self.two(17, &body.p1, &body.p2),
            E::EOrBody(body) => self.two(18, &body.p1, &body.p2),
            E::EVarBody(body) => self.message(19, |this| this.opt_var(1, &body.v)),
            E::EListBody(list) => self.message(20, |this| {
                this.collection(
                    &list.ps,
                    &list.locally_free,
                    list.connective_used,
                    &list.remainder,
                    inner_ops,
                )
            }),
            E::ETupleBody(tuple) => self.message(21, |this| {
                this.collection(
                    &tuple.ps,
                    &tuple.locally_free,
                    tuple.connective_used,
                    &None,
                    inner_ops,
                )
            }),
            E::ESetBody(set) => self.message(22, |this| {
                this.collection(
                    &set.ps,
                    &set.locally_free,
                    set.connective_used,
                    &set.remainder,
                    inner_ops,
                )
            }),
            E::EMapBody(map) => self.message(23, |this| {
                this.opt_var(5, &map.remainder);
                this.bool_field(4, map.connective_used);
                this.bytes_field(3, &map.locally_free);
                for entry in map.kvs.iter().rev() {
                    this.message(1, |this| this.entry(entry, inner_ops));
                }
            }),
            E::EMethodBody(method) => self.message(24, |this| {
                this.bool_field(6, method.connective_used);
                this.bytes_field(5, &method.locally_free);
                this.pars(3, &method.arguments);
                this.opt_par(2, &method.target);
                this.bytes_field(1, method.method_name.as_bytes());
            }),
            E::EMatchesBody(body) => self.two(27, &body.target, &body.pattern),
            E::EPercentPercentBody(body) => self.two(28, &body.p1, &body.p2),
            E::EPlusPlusBody(body) => self.two(29, &body.p1, &body.p2),
            E::EMinusMinusBody(body) => self.two(30, &body.p1, &body.p2),
            E::EModBody(body) => self.two(31, &body.p1, &body.p2),
            E::EShortAndBody(body) => self.two(32, &body.p1, &body.p2),
            E::EShortOrBody(body) => self.two(33, &body.p1, &body.p2),
        }
    }

    fn entry(&mut self, entry: &KeyValuePair, inner_ops: &std::cell::Cell<bool>) {
        for (tag, par) in [(2, &entry.value), (1, &entry.key)] {
            if let Some(par) = par {
                let (fp, ops) = self.message(tag, |this| this.par(par));
                inner_ops.set(inner_ops.get() || ops);
                self.fps.push(fp);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rho_host_abi::source_map::term_key;

    /// Every send, receive, new and match of `par`, and every expression
    /// that contains an operator, at any depth, keyed with prost's encoding.
    fn expected_keys(par: &Par, out: &mut Vec<u64>) -> bool {
        let mut children: Vec<&Par> = Vec::new();
        for send in &par.sends {
            out.push(term_key(send));
            children.extend(send.chan.iter().chain(&send.data));
        }
        for receive in &par.receives {
            out.push(term_key(receive));
            for bind in &receive.binds {
                children.extend(bind.patterns.iter().chain(&bind.source));
            }
            children.extend(&receive.body);
        }
        for new in &par.news {
            out.push(term_key(new));
            children.extend(&new.p);
        }
        for matcher in &par.matches {
            out.push(term_key(matcher));
            children.extend(&matcher.target);
            for case in &matcher.cases {
                children.extend(case.pattern.iter().chain(&case.source));
            }
        }
        for bundle in &par.bundles {
            children.extend(&bundle.body);
        }
        for connective in &par.connectives {
            if let Some(
                ConnectiveInstance::ConnAndBody(body) | ConnectiveInstance::ConnOrBody(body),
            ) = &connective.connective_instance
            {
                children.extend(&body.ps);
            }
        }
        let mut has_ops = false;
        for expr in &par.exprs {
            use ExprInstance as E;
            let mut parts: Vec<&Par> = Vec::new();
            let own = match &expr.expr_instance {
                Some(E::EListBody(list)) => {
                    parts.extend(&list.ps);
                    None
                }
                Some(E::ESetBody(set)) => {
                    parts.extend(&set.ps);
                    None
                }
                Some(E::ETupleBody(tuple)) => {
                    parts.extend(&tuple.ps);
                    None
                }
                Some(E::EMapBody(map)) => {
                    for entry in &map.kvs {
                        parts.extend(entry.key.iter().chain(&entry.value));
                    }
                    None
                }
                Some(E::EPlusBody(body)) => {
                    parts.extend(body.p1.iter().chain(&body.p2));
                    Some(true)
                }
                Some(E::EMethodBody(method)) => {
                    parts.extend(method.target.iter().chain(&method.arguments));
                    Some(true)
                }
                Some(E::EMatchesBody(body)) => {
                    parts.extend(body.target.iter().chain(&body.pattern));
                    Some(true)
                }
                Some(E::ENegBody(body)) => {
                    parts.extend(&body.p);
                    Some(true)
                }
                Some(E::ENotBody(body)) => {
                    parts.extend(&body.p);
                    Some(true)
                }
                Some(E::EModBody(body)) => {
                    parts.extend(body.p1.iter().chain(&body.p2));
                    Some(true)
                }
                _ => Some(false),
            };
            let mut inner = false;
            for part in parts {
                inner |= expected_keys(part, out);
            }
            let ops = own.unwrap_or(inner);
            if ops {
                out.push(term_key(expr));
            }
            has_ops |= ops;
        }
        for child in children {
            expected_keys(child, out);
        }
        has_ops
    }

    #[test]
    fn keys_match_prost_encoding() {
        let source = r#"
            new a, b(`rho:io:stdout`), c in {
              for (@{x /\ Int}, y ...@r <- a & @[z ...w] <- c) { b!(x + -1, *y, r, w, {"k": [z, z % 2]}, Set(1, 2)) } |
              contract a(@n, ret) = { match n { 0 => ret!(BigInt(12345678901234567890)) _ => ret!(n.nth(0) % 2) } } |
              let @p, @q <- 1, 2 in { b!(p matches {Int \/ String}, not true, -9223372036854775807) } |
              bundle+ { a!!(Nil, "", false, 0) } | c!?("x"). | if (true) { Nil } else { b!(0) }
            }
        "#;
        let normalized = crate::frontend::compile_source("keys.rho", source).expect("compiles");
        let mut expected = Vec::new();
        expected_keys(&normalized.par, &mut expected);
        expected.sort_unstable();
        expected.dedup();
        assert!(expected.len() >= 24, "only {} terms", expected.len());
        for key in &expected {
            assert!(
                normalized.source_map.get(*key).is_some(),
                "no position for key {key:x}"
            );
        }
        assert_eq!(normalized.source_map.len(), expected.len());
    }
}
