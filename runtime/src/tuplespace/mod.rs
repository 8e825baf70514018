//! The tuplespace: RSpace semantics over canonical channel values.
//!
//! `produce` stores a datum on a channel unless a waiting continuation takes
//! it; `consume` installs a continuation over one or more channels (a join)
//! unless data for every channel is already there. A join fires only when
//! every one of its patterns matches a distinct datum. Persistent data and
//! continuations stay after a COMM (and a persistent one keeps firing while
//! it finds matches); peeks leave the data in place.
//!
//! The choice is deterministic: the oldest matching continuation, and for
//! each pattern the oldest matching datum not already taken by an earlier
//! pattern of the same join (with backtracking when a join names the same
//! channel twice). Every operation is numbered, and COMMs are recorded in the
//! [`EventLog`]; in replay mode the recorded choice is followed instead.
//!
//! Channels are keyed by their canonical [`Value`], whose hash and equality
//! are structural; unforgeable names hash by their bytes.

mod event_log;

use rustc_hash::FxHashMap;
use smallvec::SmallVec;

pub use event_log::{Event, EventLog, LogMismatch};

use crate::error::RuntimeError;
use crate::names::Rand;
use crate::value::Value;

/// Sequence number of a produce or consume: its position among all
/// operations of the run.
pub type Seq = u64;

/// Decides whether data match a pattern, and what they bind.
pub trait Matcher<P> {
    /// What a successful match binds.
    type Bindings;

    /// Matches one datum's values against one bind pattern.
    ///
    /// # Errors
    ///
    /// A runtime error (out of phlo while matching) aborts the operation.
    fn match_data(
        &mut self,
        pattern: &P,
        values: &[Value],
    ) -> Result<Option<Self::Bindings>, RuntimeError>;
}

/// The values of one send: inline up to two, so that the usual small send
/// allocates nothing for them.
pub type Values = SmallVec<[Value; 2]>;

/// A datum waiting on a channel.
#[derive(Clone, Debug)]
pub struct Datum {
    /// The values sent.
    pub values: Values,
    /// Whether it stays after a COMM (`!!`).
    pub persistent: bool,
    /// Phlo charged for storing it, refunded when a COMM takes it.
    pub storage: u64,
    seq: Seq,
}

/// A continuation waiting on one or more channels.
#[derive(Clone, Debug)]
pub struct WaitingContinuation<P, K> {
    /// The channels of the join, one per bind.
    pub channels: Vec<Value>,
    /// The pattern of each bind.
    pub patterns: Vec<P>,
    /// The code to run on a COMM.
    pub payload: K,
    /// Whether it stays after a COMM (`<=` / contracts).
    pub persistent: bool,
    /// Whether the data stay after a COMM (`<<-`).
    pub peek: bool,
    /// Phlo charged for storing it, refunded when a COMM takes it.
    pub storage: u64,
    seq: Seq,
}

/// A COMM: a continuation and the data it consumed, one per bind.
#[derive(Debug)]
pub struct Comm<K, B> {
    /// The continuation's code.
    pub payload: K,
    /// The bindings of each bind, in bind order.
    pub bindings: PerBind<B>,
    /// The name generator state for the continuation's body.
    pub rand: Rand,
    /// Storage phlo to refund (what the COMM took out of the space).
    pub refund: u64,
    /// Whether the continuation only peeked (the data stay).
    pub peek: bool,
}

#[derive(Clone, Debug, Default)]
struct ChannelState {
    data: Vec<Datum>,
    /// Ids of the continuations that wait on this channel, oldest first.
    waiting: Vec<Seq>,
}

/// What `consume` did: the COMM it caused, if any, and the sequence number
/// of the continuation (for [`Tuplespace::consume_more`]).
pub type Consumed<K, B> = (Option<Comm<K, B>>, Seq);

/// What a successful search chose: a continuation and, per bind, a datum
/// and what it bound.
type Choice<B> = (Seq, Chosen<B>);

/// One item per bind of a continuation, inline up to two binds: a COMM
/// allocates nothing for them.
pub type PerBind<T> = SmallVec<[T; 2]>;

/// Per bind, the datum chosen and what it bound (kept apart, so that the
/// bindings move into the [`Comm`] as they are).
struct Chosen<B> {
    seqs: PerBind<Seq>,
    bindings: PerBind<B>,
}

impl<B> Chosen<B> {
    fn with_capacity(binds: usize) -> Self {
        Chosen {
            seqs: PerBind::with_capacity(binds),
            bindings: PerBind::with_capacity(binds),
        }
    }

    fn push(&mut self, seq: Seq, bindings: B) {
        self.seqs.push(seq);
        self.bindings.push(bindings);
    }
}

impl<B> FromIterator<(Seq, B)> for Chosen<B> {
    fn from_iter<I: IntoIterator<Item = (Seq, B)>>(items: I) -> Self {
        let mut chosen = Chosen::with_capacity(2);
        for (seq, bindings) in items {
            chosen.push(seq, bindings);
        }
        chosen
    }
}

/// A channel's contents, for inspection: the channel, its data and the
/// continuations waiting on it.
pub type ChannelView<'a, P, K> = (&'a Value, &'a [Datum], Vec<&'a WaitingContinuation<P, K>>);

/// The tuplespace.
#[derive(Clone, Debug)]
pub struct Tuplespace<P, K> {
    channels: FxHashMap<Value, ChannelState>,
    continuations: FxHashMap<Seq, WaitingContinuation<P, K>>,
    next_seq: Seq,
    comms: u64,
    log: EventLog,
    /// The state every COMM's name generator state is derived from.
    comm_root: Rand,
}

/// A saved state of the tuplespace, for reverting a failed deploy.
#[derive(Clone, Debug)]
pub struct Checkpoint<P, K>(Tuplespace<P, K>);

impl<P: Clone, K: Clone> Default for Tuplespace<P, K> {
    fn default() -> Self {
        Tuplespace::new(EventLog::digest_only())
    }
}

impl<P: Clone, K: Clone> Tuplespace<P, K> {
    /// An empty space writing to `log` (see [`EventLog::digest_only`],
    /// [`EventLog::recording`] and [`EventLog::replaying`]).
    pub fn new(log: EventLog) -> Self {
        Tuplespace {
            channels: FxHashMap::default(),
            continuations: FxHashMap::default(),
            next_seq: 0,
            comms: 0,
            log,
            comm_root: Rand::from_seed(b"rhoc-comms"),
        }
    }

    /// Sets the state COMMs derive their name generator states from (the
    /// deploy's root state): the body a COMM releases gets
    /// `root.indexed(n)` for the COMM's number `n`.
    pub fn set_comm_root(&mut self, root: Rand) {
        self.comm_root = root;
    }

    /// The number of COMMs so far.
    pub fn comm_count(&self) -> u64 {
        self.comms
    }

    /// The event log.
    pub fn log(&self) -> &EventLog {
        &self.log
    }

    /// The event log, for events that are not tuplespace operations
    /// (non-deterministic outcomes of native processes).
    pub fn log_mut(&mut self) -> &mut EventLog {
        &mut self.log
    }

    /// Takes the event log out (at the end of a run).
    pub fn take_log(&mut self) -> EventLog {
        std::mem::replace(&mut self.log, EventLog::digest_only())
    }

    /// Saves the current state.
    pub fn checkpoint(&self) -> Checkpoint<P, K> {
        Checkpoint(self.clone())
    }

    /// Restores a saved state.
    pub fn revert(&mut self, checkpoint: Checkpoint<P, K>) {
        *self = checkpoint.0;
    }

    /// Sends `values` on `channel`.
    ///
    /// Returns the COMM it caused, if any; a persistent datum is offered to
    /// waiting continuations until none matches (see [`Tuplespace::produce_more`]).
    ///
    /// # Errors
    ///
    /// Errors of the matcher, and a replay mismatch.
    pub fn produce<M: Matcher<P>>(
        &mut self,
        channel: &Value,
        values: impl Into<Values>,
        persistent: bool,
        storage: u64,
        matcher: &mut M,
    ) -> Result<Option<Comm<K, M::Bindings>>, RuntimeError> {
        let values = values.into();
        let seq = self.next_seq;
        self.next_seq += 1;
        self.log.produce(seq, channel, persistent)?;
        let datum = Datum {
            values,
            persistent,
            storage,
            seq,
        };
        if let Some(comm) = self.fire_for_datum(channel, &datum, matcher)? {
            if persistent || comm.peek {
                self.store_datum(channel, datum);
            }
            return Ok(Some(comm));
        }
        self.store_datum(channel, datum);
        Ok(None)
    }

    /// For a persistent datum that just caused a COMM: offers it again.
    /// `seq` (from the returned [`Comm`]'s producer) identifies it; returns
    /// the next COMM, or `None` when no waiting continuation matches any more.
    ///
    /// # Errors
    ///
    /// As [`Tuplespace::produce`].
    pub fn produce_more<M: Matcher<P>>(
        &mut self,
        channel: &Value,
        seq: Seq,
        matcher: &mut M,
    ) -> Result<Option<Comm<K, M::Bindings>>, RuntimeError> {
        let Some(datum) = self
            .channels
            .get(channel)
            .and_then(|state| state.data.iter().find(|d| d.seq == seq))
            .cloned()
        else {
            return Ok(None);
        };
        // The stored copy is consumed from the channel, not passed in.
        self.fire_for_datum_stored(channel, &datum, matcher)
    }

    /// The sequence number the next produce or consume will get.
    pub fn next_seq(&self) -> Seq {
        self.next_seq
    }

    /// Installs a continuation on `channels` with one pattern per channel.
    ///
    /// Returns the COMM it caused, if any; the continuation is stored when
    /// it did not fire, or when it is persistent (call
    /// [`Tuplespace::consume_more`] to let a persistent one fire again).
    ///
    /// # Errors
    ///
    /// Errors of the matcher, and a replay mismatch.
    #[allow(clippy::too_many_arguments)]
    pub fn consume<M: Matcher<P>>(
        &mut self,
        channels: Vec<Value>,
        patterns: Vec<P>,
        payload: K,
        persistent: bool,
        peek: bool,
        storage: u64,
        matcher: &mut M,
    ) -> Result<Consumed<K, M::Bindings>, RuntimeError> {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.log.consume(seq, &channels, persistent, peek)?;
        let continuation = WaitingContinuation {
            channels,
            patterns,
            payload,
            persistent,
            peek,
            storage,
            seq,
        };
        let comm = self.fire_for_continuation(&continuation, matcher)?;
        if comm.is_none() || persistent {
            self.store_continuation(continuation);
        }
        Ok((comm, seq))
    }

    /// Lets the stored persistent continuation `seq` fire again, if data
    /// for it are there.
    ///
    /// # Errors
    ///
    /// As [`Tuplespace::consume`].
    pub fn consume_more<M: Matcher<P>>(
        &mut self,
        seq: Seq,
        matcher: &mut M,
    ) -> Result<Option<Comm<K, M::Bindings>>, RuntimeError> {
        let Some(continuation) = self.continuations.get(&seq).cloned() else {
            return Ok(None);
        };
        self.fire_for_continuation(&continuation, matcher)
    }

    /// Number of data waiting on `channel`.
    pub fn data_count(&self, channel: &Value) -> usize {
        self.channels.get(channel).map_or(0, |s| s.data.len())
    }

    /// Number of continuations waiting on `channel`.
    pub fn waiting_count(&self, channel: &Value) -> usize {
        self.channels.get(channel).map_or(0, |s| s.waiting.len())
    }

    /// All channels with their data and waiting continuation ids, in a
    /// deterministic order (for state hashing and inspection).
    pub fn channels_sorted(&self) -> Vec<ChannelView<'_, P, K>> {
        let mut out: Vec<_> = self
            .channels
            .iter()
            .filter(|(_, s)| !s.data.is_empty() || !s.waiting.is_empty())
            .map(|(channel, state)| {
                let waiting = state
                    .waiting
                    .iter()
                    .filter_map(|id| self.continuations.get(id))
                    .collect();
                (channel, state.data.as_slice(), waiting)
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(b.0));
        out
    }

    /// Stores `datum` on `channel` (cloning the channel only for a channel
    /// not seen before: a COMM never clones it).
    fn store_datum(&mut self, channel: &Value, datum: Datum) {
        match self.channels.get_mut(channel) {
            Some(state) => state.data.push(datum),
            None => {
                let state = self.channels.entry(channel.clone()).or_default();
                state.data.push(datum);
            }
        }
    }

    fn store_continuation(&mut self, continuation: WaitingContinuation<P, K>) {
        let seq = continuation.seq;
        let mut seen: Vec<&Value> = Vec::with_capacity(continuation.channels.len());
        for channel in &continuation.channels {
            if seen.contains(&channel) {
                continue;
            }
            seen.push(channel);
            self.channels
                .entry(channel.clone())
                .or_default()
                .waiting
                .push(seq);
        }
        self.continuations.insert(seq, continuation);
    }

    /// Tries the continuations waiting on `channel`, oldest first, with
    /// `datum` as the datum of (one of) their binds on that channel.
    fn fire_for_datum<M: Matcher<P>>(
        &mut self,
        channel: &Value,
        datum: &Datum,
        matcher: &mut M,
    ) -> Result<Option<Comm<K, M::Bindings>>, RuntimeError> {
        self.fire_for_datum_inner(channel, datum, true, matcher)
    }

    fn fire_for_datum_stored<M: Matcher<P>>(
        &mut self,
        channel: &Value,
        datum: &Datum,
        matcher: &mut M,
    ) -> Result<Option<Comm<K, M::Bindings>>, RuntimeError> {
        self.fire_for_datum_inner(channel, datum, false, matcher)
    }

    fn fire_for_datum_inner<M: Matcher<P>>(
        &mut self,
        channel: &Value,
        datum: &Datum,
        is_incoming: bool,
        matcher: &mut M,
    ) -> Result<Option<Comm<K, M::Bindings>>, RuntimeError> {
        let incoming = is_incoming.then_some(datum);
        if let Some(expected) = self.log.expected_comm_for_produce(datum.seq) {
            return self
                .fire_recorded(expected, None, incoming, matcher)
                .map(Some);
        }
        let found = self.find_for_datum(channel, datum, matcher)?;
        if self.log.is_replaying() {
            return match found {
                Some(_) => Err(missing_comm()),
                None => Ok(None),
            };
        }
        Ok(found.map(|(cont_seq, chosen)| self.commit(cont_seq, None, chosen, incoming)))
    }

    /// The default choice for a datum: the oldest continuation on its
    /// channel that a bind on that channel accepts it for, with the rest of
    /// the join satisfied from stored data.
    fn find_for_datum<M: Matcher<P>>(
        &self,
        channel: &Value,
        datum: &Datum,
        matcher: &mut M,
    ) -> Result<Option<Choice<M::Bindings>>, RuntimeError> {
        let Some(state) = self.channels.get(channel) else {
            return Ok(None);
        };
        for cont_seq in &state.waiting {
            let Some(continuation) = self.continuations.get(cont_seq) else {
                continue;
            };
            for (bind, bind_channel) in continuation.channels.iter().enumerate() {
                if bind_channel != channel {
                    continue;
                }
                let Some(bindings) =
                    matcher.match_data(&continuation.patterns[bind], &datum.values)?
                else {
                    continue;
                };
                if continuation.channels.len() == 1 {
                    let mut chosen = Chosen::with_capacity(1);
                    chosen.push(datum.seq, bindings);
                    return Ok(Some((*cont_seq, chosen)));
                }
                let mut chosen: Vec<Option<(Seq, M::Bindings)>> =
                    (0..continuation.channels.len()).map(|_| None).collect();
                chosen[bind] = Some((datum.seq, bindings));
                if self.assign_binds(continuation, &mut chosen, 0, matcher)? {
                    return Ok(Some((*cont_seq, chosen.into_iter().flatten().collect())));
                }
            }
        }
        Ok(None)
    }

    /// Tries to satisfy every bind of `continuation` from stored data.
    fn fire_for_continuation<M: Matcher<P>>(
        &mut self,
        continuation: &WaitingContinuation<P, K>,
        matcher: &mut M,
    ) -> Result<Option<Comm<K, M::Bindings>>, RuntimeError> {
        if let Some(expected) = self.log.expected_comm_for_consume(continuation.seq) {
            return self
                .fire_recorded(expected, Some(continuation), None, matcher)
                .map(Some);
        }
        let mut chosen: Vec<Option<(Seq, M::Bindings)>> =
            (0..continuation.channels.len()).map(|_| None).collect();
        let found = self.assign_binds(continuation, &mut chosen, 0, matcher)?;
        if self.log.is_replaying() {
            return if found { Err(missing_comm()) } else { Ok(None) };
        }
        if !found {
            return Ok(None);
        }
        let chosen = chosen.into_iter().flatten().collect();
        Ok(Some(self.commit(
            continuation.seq,
            Some(continuation),
            chosen,
            None,
        )))
    }

    /// Backtracking search: fills every unassigned bind from `from` on with
    /// the oldest matching stored datum not used by another bind.
    fn assign_binds<M: Matcher<P>>(
        &self,
        continuation: &WaitingContinuation<P, K>,
        chosen: &mut [Option<(Seq, M::Bindings)>],
        from: usize,
        matcher: &mut M,
    ) -> Result<bool, RuntimeError> {
        let Some(bind) = (from..chosen.len()).find(|&i| chosen[i].is_none()) else {
            return Ok(true);
        };
        let Some(state) = self.channels.get(&continuation.channels[bind]) else {
            return Ok(false);
        };
        for datum in &state.data {
            let taken = chosen
                .iter()
                .any(|c| matches!(c, Some((seq, _)) if *seq == datum.seq));
            if taken {
                continue;
            }
            if let Some(bindings) =
                matcher.match_data(&continuation.patterns[bind], &datum.values)?
            {
                chosen[bind] = Some((datum.seq, bindings));
                if self.assign_binds(continuation, chosen, bind + 1, matcher)? {
                    return Ok(true);
                }
                chosen[bind] = None;
            }
        }
        Ok(false)
    }

    /// Replays a recorded COMM: the continuation and data named by the log
    /// must be present and must match.
    fn fire_recorded<M: Matcher<P>>(
        &mut self,
        expected: (Seq, Vec<Seq>),
        incoming_continuation: Option<&WaitingContinuation<P, K>>,
        incoming: Option<&Datum>,
        matcher: &mut M,
    ) -> Result<Comm<K, M::Bindings>, RuntimeError> {
        let (cont_seq, data_seqs) = expected;
        let mismatch = |what: &str| RuntimeError::ReplayMismatch(what.to_string());
        let continuation = incoming_continuation
            .filter(|c| c.seq == cont_seq)
            .or_else(|| self.continuations.get(&cont_seq))
            .ok_or_else(|| mismatch(&format!("continuation {cont_seq} is not waiting")))?;
        if data_seqs.len() != continuation.channels.len() {
            return Err(mismatch("wrong number of data in a COMM"));
        }
        let mut chosen = Chosen::with_capacity(data_seqs.len());
        for (bind, data_seq) in data_seqs.iter().enumerate() {
            let datum = match incoming {
                Some(datum) if datum.seq == *data_seq => Some(datum),
                _ => self
                    .channels
                    .get(&continuation.channels[bind])
                    .and_then(|s| s.data.iter().find(|d| d.seq == *data_seq)),
            };
            let datum = datum.ok_or_else(|| mismatch(&format!("datum {data_seq} is not there")))?;
            let bindings = matcher
                .match_data(&continuation.patterns[bind], &datum.values)?
                .ok_or_else(|| mismatch(&format!("datum {data_seq} does not match")))?;
            chosen.push(*data_seq, bindings);
        }
        self.log.consume_expected();
        let incoming_continuation = incoming_continuation.filter(|c| c.seq == cont_seq);
        Ok(self.commit(cont_seq, incoming_continuation, chosen, incoming))
    }

    /// Removes what a COMM consumes and builds the [`Comm`]. The
    /// continuation is `incoming` when it is being installed, else the
    /// stored one numbered `cont_seq`.
    fn commit<B>(
        &mut self,
        cont_seq: Seq,
        incoming_continuation: Option<&WaitingContinuation<P, K>>,
        chosen: Chosen<B>,
        incoming: Option<&Datum>,
    ) -> Comm<K, B> {
        let stored = incoming_continuation.is_none();
        // The channel list is needed only to reach stored data and to
        // unregister a linear stored continuation; it is cloned only then.
        let takes_stored_data = chosen
            .seqs
            .iter()
            .any(|seq| incoming.is_none_or(|d| d.seq != *seq));
        let (payload, persistent, peek, storage, channels) = {
            let continuation = incoming_continuation
                .or_else(|| self.continuations.get(&cont_seq))
                .expect("a chosen continuation exists");
            let unregisters = stored && !continuation.persistent;
            (
                continuation.payload.clone(),
                continuation.persistent,
                continuation.peek,
                continuation.storage,
                if takes_stored_data || unregisters {
                    continuation.channels.clone()
                } else {
                    Vec::new()
                },
            )
        };
        self.comms += 1;
        self.log.comm(cont_seq, chosen.seqs.iter().copied());
        let mut refund = 0;
        for (bind, data_seq) in chosen.seqs.iter().enumerate() {
            if let Some(datum) = incoming.filter(|d| d.seq == *data_seq) {
                if !datum.persistent && !peek {
                    refund += datum.storage;
                }
                continue;
            }
            if let Some(channel) = channels.get(bind)
                && let Some(state) = self.channels.get_mut(channel)
                && let Some(index) = state.data.iter().position(|d| d.seq == *data_seq)
                && !peek
                && !state.data[index].persistent
            {
                refund += state.data[index].storage;
                state.data.remove(index);
            }
        }
        if !persistent {
            refund += storage;
            if stored {
                self.continuations.remove(&cont_seq);
                for channel in &channels {
                    if let Some(state) = self.channels.get_mut(channel) {
                        state.waiting.retain(|s| *s != cont_seq);
                    }
                }
            }
        }
        // Every COMM has its own number, so a state derived from the number
        // alone is unique to the COMM; it does not grow with the chain of
        // COMMs that led here, so nothing is hashed until a name is made.
        let rand = self.comm_root.indexed(self.comms);
        Comm {
            payload,
            bindings: chosen.bindings,
            rand,
            refund,
            peek,
        }
    }
}

fn missing_comm() -> RuntimeError {
    RuntimeError::ReplayMismatch("the record has no COMM where one was possible".to_string())
}

#[cfg(test)]
mod tests;
