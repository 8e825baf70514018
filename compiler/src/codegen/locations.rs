//! Location ids for the `rho.source` section.
//!
//! Before every host call that can fail, the module stores a location id
//! in the `rho_location` global. The id stands for the source position at
//! which the evaluator would report an error of that call: the innermost
//! enclosing term (expression, send, receive, `new` or `match`) that the
//! front end's source map knows. Code generation keeps the enclosing terms
//! on a stack, with their encodings sliced from the program's (see
//! [`super::wire`]), and looks their keys up lazily, once per term.
//!
//! Ids are given to distinct positions in order of first use; the section
//! maps them back to positions.

use std::collections::HashMap;

use rho_host_abi::par::{Expr, Match, New, Receive, Send};
use rho_host_abi::source_map::{SourceLoc, SourceMap, term_key};

use super::wire::{self, Bytes};

#[cfg(test)]
thread_local! {
    /// Keys computed from sliced encodings (and checked), in tests.
    pub(super) static KEYS_CHECKED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// Keys computed by encoding the term again, in tests.
    pub(super) static KEYS_UNSLICED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The source-map key of `term`, from its sliced encoding if it was found.
/// In tests, a sliced key is checked against the term's own.
fn key_of(term: Located<'_>, bytes: Bytes<'_>) -> u64 {
    match bytes {
        Some(bytes) => {
            let key = wire::key(bytes);
            #[cfg(test)]
            {
                assert_eq!(key, term.key(), "the sliced encoding is the term's");
                KEYS_CHECKED.with(|count| count.set(count.get() + 1));
            }
            key
        }
        None => {
            #[cfg(test)]
            KEYS_UNSLICED.with(|count| count.set(count.get() + 1));
            term.key()
        }
    }
}

/// The location id that stands for "no known position".
pub(super) const NO_LOCATION: i32 = -1;

/// A term that errors can be reported at.
#[derive(Clone, Copy)]
pub(super) enum Located<'p> {
    Send(&'p Send),
    Receive(&'p Receive),
    New(&'p New),
    Match(&'p Match),
    Expr(&'p Expr),
}

impl Located<'_> {
    fn key(self) -> u64 {
        match self {
            Located::Send(send) => term_key(send),
            Located::Receive(receive) => term_key(receive),
            Located::New(new) => term_key(new),
            Located::Match(matched) => term_key(matched),
            Located::Expr(expr) => term_key(expr),
        }
    }
}

/// The enclosing terms and the ids given so far.
pub(super) struct Locations<'p> {
    source_map: &'p SourceMap,
    /// Enclosing terms, innermost last, with their encoding and their
    /// position once looked up.
    enclosing: Vec<(Located<'p>, Bytes<'p>, Option<Option<SourceLoc>>)>,
    ids: HashMap<SourceLoc, u32>,
    section: SourceMap,
}

impl<'p> Locations<'p> {
    pub(super) fn new(source_map: &'p SourceMap) -> Self {
        Locations {
            source_map,
            enclosing: Vec::new(),
            ids: HashMap::new(),
            section: SourceMap::new(),
        }
    }

    /// Enters a term; errors inside it are reported at its position if it
    /// has one and no inner term does.
    pub(super) fn enter(&mut self, term: Located<'p>, bytes: Bytes<'p>) {
        self.enclosing.push((term, bytes, None));
    }

    /// Leaves the innermost term.
    pub(super) fn leave(&mut self) {
        self.enclosing.pop();
    }

    /// The location id of the current position.
    pub(super) fn current(&mut self) -> i32 {
        let source_map = self.source_map;
        let found = self
            .enclosing
            .iter_mut()
            .rev()
            .find_map(|(term, bytes, loc)| {
                *loc.get_or_insert_with(|| {
                    if source_map.is_empty() {
                        return None;
                    }
                    source_map.get(key_of(*term, *bytes))
                })
            });
        let Some(loc) = found else {
            return NO_LOCATION;
        };
        if let Some(&id) = self.ids.get(&loc) {
            return id as i32;
        }
        let Ok(id) = i32::try_from(self.ids.len()) else {
            return NO_LOCATION;
        };
        self.ids.insert(loc, id as u32);
        self.section.insert(id as u64, loc);
        id
    }

    /// The `rho.source` section's content.
    pub(super) fn section_bytes(&self) -> Vec<u8> {
        self.section.to_bytes()
    }
}
