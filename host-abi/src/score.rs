//! The reference's score trees, as a lazily generated token stream.
//!
//! RChain orders the parts of a Par (and the elements of sets and maps) by
//! a *score tree* built for each term (`ScoreTree.scala` and the
//! `*SortMatcher.scala` files of `models/.../rholang/sorter`). A tree is a
//! leaf holding an atom, or a node holding a list of trees; trees compare
//! as follows: two leaves by their atoms, a leaf before any node, and two
//! nodes lexicographically by their children, a node that is a prefix of the
//! other first. Atoms compare integers first, then big integers, strings
//! (by UTF-16 code units, like Java's `String.compareTo`) and byte strings
//! (by *signed* bytes, like the reference's `ByteString` iterator).
//!
//! Writing a tree in pre-order as `Open child... Close` turns that order
//! into the plain lexicographic order of token sequences, with
//! `Close < any atom < Open`. [`ScoreStream`] yields those tokens straight
//! from a term, without building the tree, so two terms compare in the time
//! it takes to find their first difference, and with an explicit stack, so
//! nesting depth cannot overflow the thread's stack.
//!
//! The stream of a term is its reference score tree *when the term is
//! sorted*: the reference builds a Par's tree from its parts in sorted
//! order, while a stream follows the order in which the parts are stored.
//!
//! # Scores
//!
//! The constants below are the reference's `Score` object. The dev branch
//! also gives `BIG_INT` (13), `EMOD` (122), `ESHORTAND` (123), `ESHORTOR`
//! (124) and `CONNECTIVE_BIG_INT` (409). A big integer scores as
//! `Node(BIG_INT, Leaf(value))` with a big-integer atom (numeric order),
//! following the reference's `BigIntAtom`.

use std::cmp::Ordering;

use crate::bigint;
use crate::par::{
    Bundle, Connective, Expr, GUnforgeable, Match, MatchCase, New, Par, Receive, ReceiveBind, Send,
    Var, connective::ConnectiveInstance, expr::ExprInstance, g_unforgeable::UnfInstance,
    var::VarInstance,
};

/// Score of things that are absent (an empty oneof, a missing remainder).
const ABSENT: i64 = 0;
const BOOL: i64 = 1;
const INT: i64 = 2;
const STRING: i64 = 3;
const URI: i64 = 4;
const PRIVATE: i64 = 5;
const ELIST: i64 = 6;
const ETUPLE: i64 = 7;
const ESET: i64 = 8;
const EMAP: i64 = 9;
const DEPLOYER_AUTH: i64 = 10;
const DEPLOY_ID: i64 = 11;
const SYS_AUTH_TOKEN: i64 = 12;
const BIG_INT: i64 = 13;

const BOUND_VAR: i64 = 50;
const FREE_VAR: i64 = 51;
const WILDCARD: i64 = 52;

const EVAR: i64 = 100;
const ENEG: i64 = 101;
const EMULT: i64 = 102;
const EDIV: i64 = 103;
const EPLUS: i64 = 104;
const EMINUS: i64 = 105;
const ELT: i64 = 106;
const ELTE: i64 = 107;
const EGT: i64 = 108;
const EGTE: i64 = 109;
const EEQ: i64 = 110;
const ENEQ: i64 = 111;
const ENOT: i64 = 112;
const EAND: i64 = 113;
const EOR: i64 = 114;
const EMETHOD: i64 = 115;
const EBYTEARR: i64 = 116;
const EMATCHES: i64 = 118;
const EPERCENT: i64 = 119;
const EPLUSPLUS: i64 = 120;
const EMINUSMINUS: i64 = 121;
const EMOD: i64 = 122;
const ESHORTAND: i64 = 123;
const ESHORTOR: i64 = 124;

const SEND: i64 = 300;
const RECEIVE: i64 = 301;
const NEW: i64 = 303;
const MATCH: i64 = 304;
const BUNDLE_EQUIV: i64 = 305;
const BUNDLE_READ: i64 = 306;
const BUNDLE_WRITE: i64 = 307;
const BUNDLE_READ_WRITE: i64 = 308;

const CONNECTIVE_NOT: i64 = 400;
const CONNECTIVE_AND: i64 = 401;
const CONNECTIVE_OR: i64 = 402;
const CONNECTIVE_VARREF: i64 = 403;
const CONNECTIVE_BOOL: i64 = 404;
const CONNECTIVE_INT: i64 = 405;
const CONNECTIVE_STRING: i64 = 406;
const CONNECTIVE_URI: i64 = 407;
const CONNECTIVE_BYTEARRAY: i64 = 408;
const CONNECTIVE_BIG_INT: i64 = 409;

const PAR: i64 = 999;

/// The empty Par, which stands in for a missing `Option<Par>` field (the
/// reference's messages have no optional Pars: a missing one is Nil).
pub(crate) static NIL: Par = Par {
    sends: Vec::new(),
    receives: Vec::new(),
    news: Vec::new(),
    exprs: Vec::new(),
    matches: Vec::new(),
    unforgeables: Vec::new(),
    bundles: Vec::new(),
    connectives: Vec::new(),
    locally_free: Vec::new(),
    connective_used: false,
};

/// A Par field that may be missing, read as Nil when it is.
pub(crate) fn par_or_nil(par: &Option<Par>) -> &Par {
    par.as_ref().unwrap_or(&NIL)
}

/// One token of a score tree written in pre-order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// The end of a node's children.
    Close,
    /// A leaf holding an integer.
    Int(i64),
    /// A leaf holding a big integer (two's complement, big-endian).
    BigInt(&'a [u8]),
    /// A leaf holding a string.
    Str(&'a str),
    /// A leaf holding a byte string.
    Bytes(&'a [u8]),
    /// The start of a node.
    Open,
}

impl Token<'_> {
    fn rank(&self) -> u8 {
        match self {
            Token::Close => 0,
            Token::Int(_) => 1,
            Token::BigInt(_) => 2,
            Token::Str(_) => 3,
            Token::Bytes(_) => 4,
            Token::Open => 5,
        }
    }
}

impl Ord for Token<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Token::Int(a), Token::Int(b)) => a.cmp(b),
            (Token::BigInt(a), Token::BigInt(b)) => bigint::cmp(a, b),
            (Token::Str(a), Token::Str(b)) => cmp_utf16(a, b),
            (Token::Bytes(a), Token::Bytes(b)) => cmp_signed_bytes(a, b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for Token<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Java's `String.compareTo`: lexicographic over UTF-16 code units.
pub(crate) fn cmp_utf16(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Lexicographic over bytes read as `i8`, shorter prefix first.
fn cmp_signed_bytes(a: &[u8], b: &[u8]) -> Ordering {
    a.iter().map(|&x| x as i8).cmp(b.iter().map(|&x| x as i8))
}

/// A term whose score tree is still to be written out.
#[derive(Clone, Copy)]
enum Pending<'a> {
    Token(Token<'a>),
    Par(&'a Par),
    Send(&'a Send),
    Receive(&'a Receive),
    Bind(&'a ReceiveBind),
    New(&'a New),
    Injection(&'a str, &'a Par),
    Expr(&'a Expr),
    Match(&'a Match),
    Case(&'a MatchCase),
    Bundle(&'a Bundle),
    Connective(&'a Connective),
    Unforgeable(&'a GUnforgeable),
    /// A variable; a missing one scores as `Leaf(ABSENT)`.
    Var(Option<&'a Var>),
    /// A collection's remainder; a missing one scores as `Leaf(-1)`.
    Remainder(Option<&'a Var>),
}

/// The tokens of a term's score tree, generated on demand.
pub(crate) struct ScoreStream<'a> {
    pending: Vec<Pending<'a>>,
}

/// The score stream of a Par.
pub(crate) fn par_stream(par: &Par) -> ScoreStream<'_> {
    ScoreStream::start(Pending::Par(par))
}

/// The score stream of an Expr.
pub(crate) fn expr_stream(expr: &Expr) -> ScoreStream<'_> {
    ScoreStream::start(Pending::Expr(expr))
}

pub(crate) fn send_stream(send: &Send) -> ScoreStream<'_> {
    ScoreStream::start(Pending::Send(send))
}

pub(crate) fn receive_stream(receive: &Receive) -> ScoreStream<'_> {
    ScoreStream::start(Pending::Receive(receive))
}

pub(crate) fn new_stream(new: &New) -> ScoreStream<'_> {
    ScoreStream::start(Pending::New(new))
}

pub(crate) fn match_stream(matcher: &Match) -> ScoreStream<'_> {
    ScoreStream::start(Pending::Match(matcher))
}

pub(crate) fn bundle_stream(bundle: &Bundle) -> ScoreStream<'_> {
    ScoreStream::start(Pending::Bundle(bundle))
}

pub(crate) fn connective_stream(connective: &Connective) -> ScoreStream<'_> {
    ScoreStream::start(Pending::Connective(connective))
}

pub(crate) fn unforgeable_stream(unforgeable: &GUnforgeable) -> ScoreStream<'_> {
    ScoreStream::start(Pending::Unforgeable(unforgeable))
}

impl<'a> ScoreStream<'a> {
    fn start(root: Pending<'a>) -> Self {
        let mut pending = Vec::with_capacity(32);
        pending.push(root);
        ScoreStream { pending }
    }

    /// Replaces the top of the stack by the given items, so that they are
    /// produced in the order given.
    fn expand(&mut self, items: impl IntoIterator<Item = Pending<'a>>) {
        let start = self.pending.len();
        self.pending.extend(items);
        self.pending[start..].reverse();
    }

    fn expand_node(&mut self, items: impl IntoIterator<Item = Pending<'a>>) {
        let start = self.pending.len();
        self.pending.push(Pending::Token(Token::Open));
        self.pending.extend(items);
        self.pending.push(Pending::Token(Token::Close));
        self.pending[start..].reverse();
    }

    fn leaves(&mut self, atoms: impl IntoIterator<Item = Token<'a>>) {
        self.expand_node(atoms.into_iter().map(Pending::Token));
    }

    fn expand_pending(&mut self, item: Pending<'a>) {
        use Pending as P;
        let leaf = |value: i64| P::Token(Token::Int(value));
        let flag = |value: bool| leaf(i64::from(value));
        match item {
            // Tokens are returned by `next` before they get here.
            P::Token(token) => self.pending.push(P::Token(token)),
            P::Par(par) => self.expand_node(
                [leaf(PAR)]
                    .into_iter()
                    .chain(par.sends.iter().map(P::Send))
                    .chain(par.receives.iter().map(P::Receive))
                    .chain(par.exprs.iter().map(P::Expr))
                    .chain(par.news.iter().map(P::New))
                    .chain(par.matches.iter().map(P::Match))
                    .chain(par.bundles.iter().map(P::Bundle))
                    .chain(par.connectives.iter().map(P::Connective))
                    .chain(par.unforgeables.iter().map(P::Unforgeable))
                    .chain([flag(par.connective_used)]),
            ),
            P::Send(send) => self.expand_node(
                [
                    leaf(SEND),
                    flag(send.persistent),
                    P::Par(par_or_nil(&send.chan)),
                ]
                .into_iter()
                .chain(send.data.iter().map(P::Par))
                .chain([flag(send.connective_used)]),
            ),
            P::Receive(receive) => self.expand_node(
                [leaf(RECEIVE), flag(receive.persistent), flag(receive.peek)]
                    .into_iter()
                    .chain(receive.binds.iter().map(P::Bind))
                    .chain([
                        P::Par(par_or_nil(&receive.body)),
                        leaf(i64::from(receive.bind_count)),
                        flag(receive.connective_used),
                    ]),
            ),
            P::Bind(bind) => self.expand_node(
                [P::Par(par_or_nil(&bind.source))]
                    .into_iter()
                    .chain(bind.patterns.iter().map(P::Par))
                    .chain([P::Var(bind.remainder.as_ref())]),
            ),
            P::New(new) => {
                let uris = new.uri.iter().map(|uri| P::Token(Token::Str(uri)));
                let no_uris = new.uri.is_empty().then_some(leaf(ABSENT));
                let injections = new
                    .injections
                    .iter()
                    .map(|(key, value)| P::Injection(key, value));
                let no_injections = new.injections.is_empty().then_some(leaf(ABSENT));
                self.expand_node(
                    [leaf(NEW), leaf(i64::from(new.bind_count))]
                        .into_iter()
                        .chain(uris)
                        .chain(no_uris)
                        .chain(injections)
                        .chain(no_injections)
                        .chain([P::Par(par_or_nil(&new.p))]),
                )
            }
            P::Injection(key, value) => {
                self.expand_node([P::Token(Token::Str(key)), P::Par(value)])
            }
            P::Expr(expr) => self.expand_expr(expr),
            P::Match(matcher) => self.expand_node(
                [leaf(MATCH), P::Par(par_or_nil(&matcher.target))]
                    .into_iter()
                    .chain(matcher.cases.iter().map(P::Case))
                    .chain([flag(matcher.connective_used)]),
            ),
            P::Case(case) => self.expand_node([
                P::Par(par_or_nil(&case.pattern)),
                P::Par(par_or_nil(&case.source)),
            ]),
            P::Bundle(bundle) => {
                let score = match (bundle.write_flag, bundle.read_flag) {
                    (true, true) => BUNDLE_READ_WRITE,
                    (true, false) => BUNDLE_WRITE,
                    (false, true) => BUNDLE_READ,
                    (false, false) => BUNDLE_EQUIV,
                };
                self.expand_node([leaf(score), P::Par(par_or_nil(&bundle.body))])
            }
            P::Connective(connective) => self.expand_connective(connective),
            P::Unforgeable(unforgeable) => match &unforgeable.unf_instance {
                Some(UnfInstance::GPrivateBody(private)) => {
                    self.leaves([Token::Int(PRIVATE), Token::Bytes(&private.id)])
                }
                Some(UnfInstance::GDeployerIdBody(deployer)) => self.leaves([
                    Token::Int(DEPLOYER_AUTH),
                    Token::Bytes(&deployer.public_key),
                ]),
                Some(UnfInstance::GDeployIdBody(deploy)) => {
                    self.leaves([Token::Int(DEPLOY_ID), Token::Bytes(&deploy.sig)])
                }
                Some(UnfInstance::GSysAuthTokenBody(_)) => {
                    self.leaves([Token::Int(SYS_AUTH_TOKEN)])
                }
                None => self.leaves([Token::Int(ABSENT)]),
            },
            P::Var(var) => match var.and_then(|var| var.var_instance.as_ref()) {
                Some(VarInstance::BoundVar(level)) => {
                    self.leaves([Token::Int(BOUND_VAR), Token::Int(i64::from(*level))])
                }
                Some(VarInstance::FreeVar(level)) => {
                    self.leaves([Token::Int(FREE_VAR), Token::Int(i64::from(*level))])
                }
                Some(VarInstance::Wildcard(_)) => self.leaves([Token::Int(WILDCARD)]),
                None => self.expand([leaf(ABSENT)]),
            },
            P::Remainder(None) => self.expand([leaf(-1)]),
            P::Remainder(Some(var)) => self.expand([P::Var(Some(var))]),
        }
    }

    fn expand_expr(&mut self, expr: &'a Expr) {
        use ExprInstance as E;
        use Pending as P;
        let leaf = |value: i64| P::Token(Token::Int(value));
        let flag = |value: bool| leaf(i64::from(value));
        let Some(instance) = &expr.expr_instance else {
            return self.leaves([Token::Int(ABSENT)]);
        };
        let unary = |score: i64, p: &'a Option<Par>| [leaf(score), P::Par(par_or_nil(p))];
        let binary = |score: i64, p1: &'a Option<Par>, p2: &'a Option<Par>| {
            [leaf(score), P::Par(par_or_nil(p1)), P::Par(par_or_nil(p2))]
        };
        match instance {
            // The reference scores true as 0 and false as 1, so true sorts first.
            E::GBool(value) => self.leaves([Token::Int(BOOL), Token::Int(i64::from(!*value))]),
            E::GInt(value) => self.leaves([Token::Int(INT), Token::Int(*value)]),
            E::GBigInt(value) => self.leaves([Token::Int(BIG_INT), Token::BigInt(value)]),
            E::GString(value) => self.leaves([Token::Int(STRING), Token::Str(value)]),
            E::GUri(value) => self.leaves([Token::Int(URI), Token::Str(value)]),
            E::GByteArray(value) => self.leaves([Token::Int(EBYTEARR), Token::Bytes(value)]),
            E::ENotBody(e) => self.expand_node(unary(ENOT, &e.p)),
            E::ENegBody(e) => self.expand_node(unary(ENEG, &e.p)),
            E::EMultBody(e) => self.expand_node(binary(EMULT, &e.p1, &e.p2)),
            E::EDivBody(e) => self.expand_node(binary(EDIV, &e.p1, &e.p2)),
            E::EModBody(e) => self.expand_node(binary(EMOD, &e.p1, &e.p2)),
            E::EPlusBody(e) => self.expand_node(binary(EPLUS, &e.p1, &e.p2)),
            E::EMinusBody(e) => self.expand_node(binary(EMINUS, &e.p1, &e.p2)),
            E::ELtBody(e) => self.expand_node(binary(ELT, &e.p1, &e.p2)),
            E::ELteBody(e) => self.expand_node(binary(ELTE, &e.p1, &e.p2)),
            E::EGtBody(e) => self.expand_node(binary(EGT, &e.p1, &e.p2)),
            E::EGteBody(e) => self.expand_node(binary(EGTE, &e.p1, &e.p2)),
            E::EEqBody(e) => self.expand_node(binary(EEQ, &e.p1, &e.p2)),
            E::ENeqBody(e) => self.expand_node(binary(ENEQ, &e.p1, &e.p2)),
            E::EAndBody(e) => self.expand_node(binary(EAND, &e.p1, &e.p2)),
            E::EOrBody(e) => self.expand_node(binary(EOR, &e.p1, &e.p2)),
            E::EShortAndBody(e) => self.expand_node(binary(ESHORTAND, &e.p1, &e.p2)),
            E::EShortOrBody(e) => self.expand_node(binary(ESHORTOR, &e.p1, &e.p2)),
            E::EMatchesBody(e) => self.expand_node(binary(EMATCHES, &e.target, &e.pattern)),
            E::EPercentPercentBody(e) => self.expand_node(binary(EPERCENT, &e.p1, &e.p2)),
            E::EPlusPlusBody(e) => self.expand_node(binary(EPLUSPLUS, &e.p1, &e.p2)),
            E::EMinusMinusBody(e) => self.expand_node(binary(EMINUSMINUS, &e.p1, &e.p2)),
            E::EVarBody(e) => self.expand_node([leaf(EVAR), P::Var(e.v.as_ref())]),
            E::EListBody(list) => self.expand_node(
                [leaf(ELIST), P::Remainder(list.remainder.as_ref())]
                    .into_iter()
                    .chain(list.ps.iter().map(P::Par))
                    .chain([flag(list.connective_used)]),
            ),
            E::ETupleBody(tuple) => self.expand_node(
                [leaf(ETUPLE)]
                    .into_iter()
                    .chain(tuple.ps.iter().map(P::Par))
                    .chain([flag(tuple.connective_used)]),
            ),
            E::ESetBody(set) => self.expand_node(
                [leaf(ESET), P::Remainder(set.remainder.as_ref())]
                    .into_iter()
                    .chain(set.ps.iter().map(P::Par))
                    .chain([flag(set.connective_used)]),
            ),
            // Map entries score by their keys only, as in the reference.
            E::EMapBody(map) => self.expand_node(
                [leaf(EMAP), P::Remainder(map.remainder.as_ref())]
                    .into_iter()
                    .chain(map.kvs.iter().map(|entry| P::Par(par_or_nil(&entry.key))))
                    .chain([flag(map.connective_used)]),
            ),
            E::EMethodBody(method) => self.expand_node(
                [
                    leaf(EMETHOD),
                    P::Token(Token::Str(&method.method_name)),
                    P::Par(par_or_nil(&method.target)),
                ]
                .into_iter()
                .chain(method.arguments.iter().map(P::Par))
                .chain([flag(method.connective_used)]),
            ),
        }
    }

    fn expand_connective(&mut self, connective: &'a Connective) {
        use ConnectiveInstance as C;
        use Pending as P;
        let Some(instance) = &connective.connective_instance else {
            return self.expand([P::Token(Token::Int(ABSENT))]);
        };
        let kind = |score: i64, value: bool| [Token::Int(score), Token::Int(i64::from(value))];
        match instance {
            C::ConnAndBody(body) => self.expand_node(
                [P::Token(Token::Int(CONNECTIVE_AND))]
                    .into_iter()
                    .chain(body.ps.iter().map(P::Par)),
            ),
            C::ConnOrBody(body) => self.expand_node(
                [P::Token(Token::Int(CONNECTIVE_OR))]
                    .into_iter()
                    .chain(body.ps.iter().map(P::Par)),
            ),
            C::ConnNotBody(p) => {
                self.expand_node([P::Token(Token::Int(CONNECTIVE_NOT)), P::Par(p)])
            }
            C::VarRefBody(var_ref) => self.leaves([
                Token::Int(CONNECTIVE_VARREF),
                Token::Int(i64::from(var_ref.index)),
                Token::Int(i64::from(var_ref.depth)),
            ]),
            C::ConnBool(value) => self.leaves(kind(CONNECTIVE_BOOL, *value)),
            C::ConnInt(value) => self.leaves(kind(CONNECTIVE_INT, *value)),
            C::ConnBigInt(value) => self.leaves(kind(CONNECTIVE_BIG_INT, *value)),
            C::ConnString(value) => self.leaves(kind(CONNECTIVE_STRING, *value)),
            C::ConnUri(value) => self.leaves(kind(CONNECTIVE_URI, *value)),
            C::ConnByteArray(value) => self.leaves(kind(CONNECTIVE_BYTEARRAY, *value)),
        }
    }
}

impl<'a> Iterator for ScoreStream<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        loop {
            match self.pending.pop()? {
                Pending::Token(token) => return Some(token),
                item => self.expand_pending(item),
            }
        }
    }
}

/// Compares two score streams in the reference's score-tree order.
pub(crate) fn cmp_streams(a: ScoreStream<'_>, b: ScoreStream<'_>) -> Ordering {
    Iterator::cmp(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(value: i64) -> Par {
        Par {
            exprs: vec![Expr {
                expr_instance: Some(ExprInstance::GInt(value)),
            }],
            ..Par::default()
        }
    }

    #[test]
    fn token_order_is_close_then_atoms_then_open() {
        let order = [
            Token::Close,
            Token::Int(i64::MIN),
            Token::Int(5),
            Token::BigInt(&[0x80]),
            Token::BigInt(&[0x01]),
            Token::Str("Beta"),
            Token::Str("alpha"),
            Token::Bytes(&[0x80]),
            Token::Bytes(&[0x00]),
            Token::Bytes(&[0x7F]),
            Token::Open,
        ];
        for window in order.windows(2) {
            assert_eq!(
                window[0].cmp(&window[1]),
                Ordering::Less,
                "{:?} < {:?}",
                window[0],
                window[1]
            );
        }
    }

    #[test]
    fn utf16_order_differs_from_code_point_order() {
        // U+FF61 is one UTF-16 unit; U+1F600 is a surrogate pair (0xD83D ...).
        assert_eq!(cmp_utf16("\u{1F600}", "\u{FF61}"), Ordering::Less);
        assert_eq!("\u{1F600}".cmp("\u{FF61}"), Ordering::Greater);
        assert_eq!(cmp_utf16("Beta", "alpha"), Ordering::Less);
    }

    #[test]
    fn int_par_stream_matches_reference_tree() {
        // Node(PAR, Node(INT, 7), Leaf(connective_used = 0))
        let par = int(7);
        let tokens: Vec<_> = par_stream(&par).collect();
        assert_eq!(
            tokens,
            vec![
                Token::Open,
                Token::Int(PAR),
                Token::Open,
                Token::Int(INT),
                Token::Int(7),
                Token::Close,
                Token::Int(0),
                Token::Close,
            ]
        );
    }

    #[test]
    fn shorter_node_sorts_first() {
        let one = Par {
            exprs: int(1).exprs,
            ..Par::default()
        };
        let two = Par {
            exprs: [int(1).exprs, int(1).exprs].concat(),
            ..Par::default()
        };
        assert_eq!(
            cmp_streams(par_stream(&one), par_stream(&two)),
            Ordering::Less
        );
    }
}
