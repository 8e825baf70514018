//! Structural fingerprints that survive canonical sorting.
//!
//! The source map is keyed by terms in their final, sorted form, but the
//! normalizer builds terms bottom-up before the one canonical sort. To find,
//! after sorting, where a term came from, both sides compute a fingerprint
//! that ignores exactly what sorting changes: the order of a Par's parts,
//! the order of set elements (and their repetitions) and the order of map
//! entries (keeping the last value of a repeated key, as sorting does).
//! Everything else is hashed in order. The derived fields `locallyFree` and
//! `connective_used` are left out.
//!
//! The normalizer computes each fingerprint from its children's in constant
//! time; [`keys`](super::keys) recomputes them over the sorted term.
//! A 64-bit collision could at worst attach a wrong source position.

use rho_host_abi::par::{
    Bundle, Connective, Expr, GUnforgeable, Match, New, Par, Receive, Send,
    connective::ConnectiveInstance, expr::ExprInstance, g_unforgeable::UnfInstance,
    var::VarInstance,
};

/// A structural fingerprint.
pub(super) type Fp = u64;

/// A fingerprint under construction, fed in order.
#[derive(Clone, Copy, Debug)]
pub(super) struct Hasher(u64);

impl Hasher {
    pub(super) fn new(tag: u64) -> Hasher {
        Hasher(mix(0x6a09_e667_f3bc_c908, tag))
    }

    pub(super) fn u64(self, value: u64) -> Hasher {
        Hasher(mix(self.0, value))
    }

    pub(super) fn bool(self, value: bool) -> Hasher {
        self.u64(u64::from(value))
    }

    pub(super) fn bytes(self, bytes: &[u8]) -> Hasher {
        let mut state = self.u64(bytes.len() as u64);
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            state = state.u64(u64::from_le_bytes(word));
        }
        state
    }

    pub(super) fn finish(self) -> Fp {
        self.0
    }
}

fn mix(state: u64, value: u64) -> u64 {
    let mut z = (state.rotate_left(23) ^ value).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// One tag per kind of term, so that different kinds never share a hash.
pub(super) mod tag {
    pub(in super::super) const PAR: u64 = 1;
    pub(in super::super) const SEND: u64 = 2;
    pub(in super::super) const RECEIVE: u64 = 3;
    pub(in super::super) const BIND: u64 = 4;
    pub(in super::super) const NEW: u64 = 5;
    pub(in super::super) const MATCH: u64 = 6;
    pub(in super::super) const CASE: u64 = 7;
    pub(in super::super) const BUNDLE: u64 = 8;
    pub(in super::super) const UNFORGEABLE: u64 = 9;
    pub(in super::super) const VAR: u64 = 10;
    pub(in super::super) const NO_VAR: u64 = 11;
    pub(in super::super) const EXPR: u64 = 100;
    pub(in super::super) const CONNECTIVE: u64 = 200;
}

/// Adds one part's fingerprint to the order-free sum of a Par's parts.
pub(super) fn add_part(sum: u64, part: Fp) -> u64 {
    sum.wrapping_add(mix(0x510e_527f_ade6_82d1, part))
}

/// The fingerprint of a Par from the sum of its parts.
pub(super) fn par(parts_sum: u64) -> Fp {
    Hasher::new(tag::PAR).u64(parts_sum).finish()
}

/// The fingerprint of an optional variable (remainders).
pub(super) fn var(var: Option<&VarInstance>) -> Fp {
    match var {
        None => Hasher::new(tag::NO_VAR).finish(),
        Some(VarInstance::BoundVar(index)) => {
            Hasher::new(tag::VAR).u64(0).u64(*index as u64).finish()
        }
        Some(VarInstance::FreeVar(level)) => {
            Hasher::new(tag::VAR).u64(1).u64(*level as u64).finish()
        }
        Some(VarInstance::Wildcard(_)) => Hasher::new(tag::VAR).u64(2).finish(),
    }
}

/// The order-free fingerprint of a set's elements, repetitions ignored.
pub(super) fn set_elements(mut elements: Vec<Fp>) -> u64 {
    elements.sort_unstable();
    elements.dedup();
    elements.into_iter().fold(0, add_part)
}

/// The order-free fingerprint of a map's entries, a repeated key keeping
/// its last value.
pub(super) fn map_entries(entries: &[(Fp, Fp)]) -> u64 {
    let mut last: rustc_hash::FxHashMap<Fp, Fp> = rustc_hash::FxHashMap::default();
    for &(key, value) in entries {
        last.insert(key, value);
    }
    last.into_iter().fold(0, |sum, (key, value)| {
        add_part(sum, Hasher::new(0).u64(key).u64(value).finish())
    })
}

/// Asks for the fingerprint of each child Par, in field order.
pub(super) type ChildFp<'c, 't> = &'c mut dyn FnMut(&'t Par) -> Fp;

fn opt<'t>(par: &'t Option<Par>, child: ChildFp<'_, 't>) -> Fp {
    match par {
        Some(par) => child(par),
        None => self::par(0),
    }
}

/// Feeds the length and then each Par's fingerprint, in order.
fn all_pars<'t>(state: Hasher, pars: &'t [Par], child: ChildFp<'_, 't>) -> Hasher {
    pars.iter()
        .fold(state.u64(pars.len() as u64), |state, par| {
            state.u64(child(par))
        })
}

/// A send: channel, then data.
pub(super) fn send<'t>(send: &'t Send, child: ChildFp<'_, 't>) -> Fp {
    let chan = opt(&send.chan, child);
    all_pars(
        Hasher::new(tag::SEND).bool(send.persistent).u64(chan),
        &send.data,
        child,
    )
    .finish()
}

/// A receive: each bind's patterns then source, then the body.
pub(super) fn receive<'t>(receive: &'t Receive, child: ChildFp<'_, 't>) -> Fp {
    let mut state = Hasher::new(tag::RECEIVE)
        .bool(receive.persistent)
        .bool(receive.peek)
        .u64(receive.bind_count as u64)
        .u64(receive.binds.len() as u64);
    for bind in &receive.binds {
        let patterns = all_pars(Hasher::new(tag::BIND), &bind.patterns, child);
        let source = opt(&bind.source, child);
        let remainder = var(bind
            .remainder
            .as_ref()
            .and_then(|var| var.var_instance.as_ref()));
        let bind_fp = patterns
            .u64(source)
            .u64(remainder)
            .u64(bind.free_count as u64)
            .finish();
        state = state.u64(bind_fp);
    }
    state.u64(opt(&receive.body, child)).finish()
}

/// A `new`: the body.
pub(super) fn new<'t>(new: &'t New, child: ChildFp<'_, 't>) -> Fp {
    let mut uris: Vec<&String> = new.uri.iter().collect();
    uris.sort();
    let state = uris.into_iter().fold(
        Hasher::new(tag::NEW).u64(new.bind_count as u64),
        |state, uri| state.bytes(uri.as_bytes()),
    );
    state.u64(opt(&new.p, child)).finish()
}

/// A match: the target, then each case's pattern and body.
pub(super) fn matcher<'t>(matcher: &'t Match, child: ChildFp<'_, 't>) -> Fp {
    let target = opt(&matcher.target, child);
    let mut state = Hasher::new(tag::MATCH)
        .u64(target)
        .u64(matcher.cases.len() as u64);
    for case in &matcher.cases {
        let pattern = opt(&case.pattern, child);
        let body = opt(&case.source, child);
        state = state.u64(
            Hasher::new(tag::CASE)
                .u64(pattern)
                .u64(body)
                .u64(case.free_count as u64)
                .finish(),
        );
    }
    state.finish()
}

/// A bundle: the body.
pub(super) fn bundle<'t>(bundle: &'t Bundle, child: ChildFp<'_, 't>) -> Fp {
    let body = opt(&bundle.body, child);
    Hasher::new(tag::BUNDLE)
        .bool(bundle.write_flag)
        .bool(bundle.read_flag)
        .u64(body)
        .finish()
}

/// An unforgeable name (never produced from source, but fingerprinted for
/// completeness).
pub(super) fn unforgeable(unforgeable: &GUnforgeable) -> Fp {
    let bytes: &[u8] = match &unforgeable.unf_instance {
        Some(UnfInstance::GPrivateBody(private)) => &private.id,
        Some(UnfInstance::GDeployIdBody(id)) => &id.sig,
        Some(UnfInstance::GDeployerIdBody(id)) => &id.public_key,
        Some(UnfInstance::GSysAuthTokenBody(_)) | None => &[],
    };
    Hasher::new(tag::UNFORGEABLE).bytes(bytes).finish()
}

/// A connective: its Pars in order.
pub(super) fn connective<'t>(connective: &'t Connective, child: ChildFp<'_, 't>) -> Fp {
    use ConnectiveInstance as C;
    let state = Hasher::new(tag::CONNECTIVE);
    match &connective.connective_instance {
        None => state.finish(),
        Some(C::ConnAndBody(body)) => all_pars(state.u64(1), &body.ps, child).finish(),
        Some(C::ConnOrBody(body)) => all_pars(state.u64(2), &body.ps, child).finish(),
        Some(C::ConnNotBody(par)) => state.u64(3).u64(child(par)).finish(),
        Some(C::VarRefBody(var_ref)) => state
            .u64(4)
            .u64(var_ref.index as u64)
            .u64(var_ref.depth as u64)
            .finish(),
        Some(C::ConnBool(_)) => state.u64(5).finish(),
        Some(C::ConnInt(_)) => state.u64(6).finish(),
        Some(C::ConnBigInt(_)) => state.u64(7).finish(),
        Some(C::ConnString(_)) => state.u64(8).finish(),
        Some(C::ConnUri(_)) => state.u64(9).finish(),
        Some(C::ConnByteArray(_)) => state.u64(10).finish(),
    }
}

/// An expression: its Pars in field order (operands left to right, list
/// and tuple elements, each map entry's key then value, a method's target
/// then arguments).
pub(super) fn expr<'t>(expr: &'t Expr, child: ChildFp<'_, 't>) -> Fp {
    use ExprInstance as E;
    let state = |kind: u64| Hasher::new(tag::EXPR + kind);
    let two = |kind: u64, p1: &'t Option<Par>, p2: &'t Option<Par>, child: ChildFp<'_, 't>| {
        let left = opt(p1, child);
        let right = opt(p2, child);
        state(kind).u64(left).u64(right).finish()
    };
    let Some(instance) = &expr.expr_instance else {
        return state(0).finish();
    };
    match instance {
        E::GBool(value) => state(1).bool(*value).finish(),
        E::GInt(value) => state(2).u64(*value as u64).finish(),
        E::GBigInt(bytes) => state(3).bytes(bytes).finish(),
        E::GString(text) => state(4).bytes(text.as_bytes()).finish(),
        E::GUri(text) => state(5).bytes(text.as_bytes()).finish(),
        E::GByteArray(bytes) => state(6).bytes(bytes).finish(),
        E::EVarBody(body) => state(7)
            .u64(var(body
                .v
                .as_ref()
                .and_then(|var| var.var_instance.as_ref())))
            .finish(),
        E::ENotBody(body) => state(8).u64(opt(&body.p, child)).finish(),
        E::ENegBody(body) => state(9).u64(opt(&body.p, child)).finish(),
        E::EMultBody(body) => two(10, &body.p1, &body.p2, child),
        E::EDivBody(body) => two(11, &body.p1, &body.p2, child),
        E::EModBody(body) => two(12, &body.p1, &body.p2, child),
        E::EPercentPercentBody(body) => two(13, &body.p1, &body.p2, child),
        E::EPlusBody(body) => two(14, &body.p1, &body.p2, child),
        E::EMinusBody(body) => two(15, &body.p1, &body.p2, child),
        E::EPlusPlusBody(body) => two(16, &body.p1, &body.p2, child),
        E::EMinusMinusBody(body) => two(17, &body.p1, &body.p2, child),
        E::ELtBody(body) => two(18, &body.p1, &body.p2, child),
        E::ELteBody(body) => two(19, &body.p1, &body.p2, child),
        E::EGtBody(body) => two(20, &body.p1, &body.p2, child),
        E::EGteBody(body) => two(21, &body.p1, &body.p2, child),
        E::EEqBody(body) => two(22, &body.p1, &body.p2, child),
        E::ENeqBody(body) => two(23, &body.p1, &body.p2, child),
        E::EAndBody(body) => two(24, &body.p1, &body.p2, child),
        E::EOrBody(body) => two(25, &body.p1, &body.p2, child),
        E::EShortAndBody(body) => two(26, &body.p1, &body.p2, child),
        E::EShortOrBody(body) => two(27, &body.p1, &body.p2, child),
        E::EMatchesBody(body) => two(28, &body.target, &body.pattern, child),
        E::EListBody(list) => {
            let elements = all_pars(state(29), &list.ps, child);
            let remainder = var(list
                .remainder
                .as_ref()
                .and_then(|var| var.var_instance.as_ref()));
            elements.u64(remainder).finish()
        }
        E::ETupleBody(tuple) => all_pars(state(30), &tuple.ps, child).finish(),
        E::ESetBody(set) => {
            let elements = set_elements(set.ps.iter().map(&mut *child).collect());
            let remainder = var(set
                .remainder
                .as_ref()
                .and_then(|var| var.var_instance.as_ref()));
            state(31).u64(elements).u64(remainder).finish()
        }
        E::EMapBody(map) => {
            let entries: Vec<(Fp, Fp)> = map
                .kvs
                .iter()
                .map(|entry| {
                    let key = opt(&entry.key, child);
                    let value = opt(&entry.value, child);
                    (key, value)
                })
                .collect();
            let remainder = var(map
                .remainder
                .as_ref()
                .and_then(|var| var.var_instance.as_ref()));
            state(32).u64(map_entries(&entries)).u64(remainder).finish()
        }
        E::EMethodBody(method) => {
            let target = opt(&method.target, child);
            let state = state(33).bytes(method.method_name.as_bytes()).u64(target);
            all_pars(state, &method.arguments, child).finish()
        }
    }
}

/// The fingerprint of a finished Par, computed by walking it. The
/// normalizer uses it only where it takes a finished term apart again
/// (flattening `/\` and `\/`, merging nested bundles).
pub(super) fn of_par(par: &Par) -> Fp {
    const RED_ZONE: usize = 128 * 1024;
    const STACK_SEGMENT: usize = 2 * 1024 * 1024;
    stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || {
        let mut sum = 0;
        for send in &par.sends {
            sum = add_part(sum, self::send(send, &mut of_par));
        }
        for receive in &par.receives {
            sum = add_part(sum, self::receive(receive, &mut of_par));
        }
        for new in &par.news {
            sum = add_part(sum, self::new(new, &mut of_par));
        }
        for expr in &par.exprs {
            sum = add_part(sum, self::expr(expr, &mut of_par));
        }
        for matcher in &par.matches {
            sum = add_part(sum, self::matcher(matcher, &mut of_par));
        }
        for bundle in &par.bundles {
            sum = add_part(sum, self::bundle(bundle, &mut of_par));
        }
        for connective in &par.connectives {
            sum = add_part(sum, self::connective(connective, &mut of_par));
        }
        for unforgeable in &par.unforgeables {
            sum = add_part(sum, self::unforgeable(unforgeable));
        }
        self::par(sum)
    })
}
