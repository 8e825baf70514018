//! The event log: Produce, Consume and COMM events, as a running digest, a
//! full record, or a record being replayed.
//!
//! The digest is a cheap 64-bit mix (no cryptographic hash per COMM); a full
//! record is kept only when asked for (`rhoc run --record`). The text format
//! is one event per line:
//!
//! ```text
//! rhoc-event-log 1
//! P <seq> <channel-key> <persistent 0|1>
//! C <seq> <channel-key>,<channel-key>... <persistent 0|1> <peek 0|1>
//! M <continuation-seq> <datum-seq>,<datum-seq>...
//! G <capability-hex>
//! I <request-hex> ok <protobuf-par-hex>
//! I <request-hex> err <message-hex>
//! ```
//!
//! `G` lines name the capabilities the operator granted the run (they come
//! first, so a replay can grant the same ones without touching the outside
//! world); `I` lines hold the outcome of non-deterministic work done by a
//! native process (a file read, a network request), which a replay takes
//! from the record instead of doing the work again.
//!
//! Channel keys are 64-bit structural hashes of the channel values, in hex.
//! In replay, every Produce and Consume must match the record, and every COMM
//! follows the recorded choice of continuation and data.

use std::fmt::Write as _;
use std::hash::{Hash, Hasher};

use prost::Message;
use rustc_hash::FxHasher;

use super::Seq;
use crate::error::RuntimeError;
use crate::value::Value;

const HEADER: &str = "rhoc-event-log 1";

/// One event of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A send.
    Produce {
        /// Its sequence number.
        seq: Seq,
        /// Key of its channel.
        channel: u64,
        /// `!!`.
        persistent: bool,
    },
    /// A receive.
    Consume {
        /// Its sequence number.
        seq: Seq,
        /// Keys of its channels.
        channels: Vec<u64>,
        /// `<=`.
        persistent: bool,
        /// `<<-`.
        peek: bool,
    },
    /// A COMM.
    Comm {
        /// The continuation's sequence number.
        continuation: Seq,
        /// The data's sequence numbers, one per bind.
        data: Vec<Seq>,
    },
    /// A capability granted to the run, e.g. `fs /srv/data`.
    Grant(String),
    /// The outcome of non-deterministic work by a native process.
    Io {
        /// What was asked, e.g. `fs read notes.txt`.
        request: String,
        /// The result as a protobuf-encoded Par, or the failure message.
        outcome: Result<Vec<u8>, String>,
    },
}

/// Why a replay did not match its record.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LogMismatch {
    /// The record has events the replay never reached.
    #[error("{0} recorded event(s) were not replayed")]
    Unused(usize),
    /// The record is not a valid event log.
    #[error("malformed event log, line {line}: {reason}")]
    Malformed {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}

#[derive(Clone, Debug)]
enum Mode {
    DigestOnly,
    Recording(Vec<Event>),
    Replaying { events: Vec<Event>, cursor: usize },
}

/// The log of a run.
#[derive(Clone, Debug)]
pub struct EventLog {
    mode: Mode,
    digest: u64,
}

impl EventLog {
    /// Keeps only the running digest.
    pub fn digest_only() -> EventLog {
        EventLog {
            mode: Mode::DigestOnly,
            digest: 0,
        }
    }

    /// Keeps every event.
    pub fn recording() -> EventLog {
        EventLog {
            mode: Mode::Recording(Vec::new()),
            digest: 0,
        }
    }

    /// Replays `events`: operations are checked against them and COMMs
    /// follow them.
    pub fn replaying(events: Vec<Event>) -> EventLog {
        EventLog {
            mode: Mode::Replaying { events, cursor: 0 },
            digest: 0,
        }
    }

    /// The running digest of every event so far.
    pub fn digest(&self) -> u64 {
        self.digest
    }

    /// Whether this log is being replayed.
    pub fn is_replaying(&self) -> bool {
        matches!(self.mode, Mode::Replaying { .. })
    }

    /// The recorded events (empty unless recording or replaying).
    pub fn events(&self) -> &[Event] {
        match &self.mode {
            Mode::DigestOnly => &[],
            Mode::Recording(events) | Mode::Replaying { events, .. } => events,
        }
    }

    /// Checks that a replay used every recorded event.
    ///
    /// # Errors
    ///
    /// [`LogMismatch::Unused`] when events are left over.
    pub fn finish(&self) -> Result<(), LogMismatch> {
        match &self.mode {
            Mode::Replaying { events, cursor } if *cursor < events.len() => {
                Err(LogMismatch::Unused(events.len() - cursor))
            }
            _ => Ok(()),
        }
    }

    pub(super) fn produce(
        &mut self,
        seq: Seq,
        channel: &Value,
        persistent: bool,
    ) -> Result<(), RuntimeError> {
        self.mix(&[1, seq, u64::from(persistent)]);
        let event = || Event::Produce {
            seq,
            channel: channel_key(channel),
            persistent,
        };
        self.observe(event)
    }

    pub(super) fn consume(
        &mut self,
        seq: Seq,
        channels: &[Value],
        persistent: bool,
        peek: bool,
    ) -> Result<(), RuntimeError> {
        self.mix(&[2, seq, u64::from(persistent), u64::from(peek)]);
        let event = || Event::Consume {
            seq,
            channels: channels.iter().map(channel_key).collect(),
            persistent,
            peek,
        };
        self.observe(event)
    }

    /// Notes a capability granted to the run; a replay checks that it was
    /// granted the same ones.
    ///
    /// # Errors
    ///
    /// [`RuntimeError::ReplayMismatch`] when the replay's grants differ.
    pub fn grant(&mut self, capability: &str) -> Result<(), RuntimeError> {
        self.mix_bytes(4, capability.as_bytes());
        self.observe(|| Event::Grant(capability.to_string()))
    }

    /// Performs non-deterministic work, or takes its outcome from the record
    /// in a replay (see [`crate::native::NativeCall::io`]).
    ///
    /// # Errors
    ///
    /// [`RuntimeError::ReplayMismatch`] when the record does not hold this
    /// request next.
    pub fn io(
        &mut self,
        request: &str,
        perform: impl FnOnce() -> Result<Value, String>,
    ) -> Result<Result<Value, String>, RuntimeError> {
        let outcome = match &mut self.mode {
            Mode::Replaying { events, cursor } => match events.get(*cursor) {
                Some(Event::Io {
                    request: recorded,
                    outcome,
                }) if recorded == request => {
                    *cursor += 1;
                    outcome.clone()
                }
                Some(expected) => {
                    return Err(RuntimeError::ReplayMismatch(format!(
                        "event {} was recorded as {}, but replay asked for `{request}`",
                        *cursor + 1,
                        format_event(expected)
                    )));
                }
                None => {
                    return Err(RuntimeError::ReplayMismatch(format!(
                        "replay asked for `{request}` past the end of the record"
                    )));
                }
            },
            _ => perform().map(|value| value.to_par().encode_to_vec()),
        };
        self.mix_bytes(5, request.as_bytes());
        match &outcome {
            Ok(bytes) => self.mix_bytes(6, bytes),
            Err(message) => self.mix_bytes(7, message.as_bytes()),
        }
        if let Mode::Recording(events) = &mut self.mode {
            events.push(Event::Io {
                request: request.to_string(),
                outcome: outcome.clone(),
            });
        }
        Ok(match outcome {
            Ok(bytes) => match rho_host_abi::encode::decode_par(&bytes) {
                Ok(mut par) => {
                    rho_host_abi::sort::sort_par(&mut par);
                    Ok(Value::from_par(par))
                }
                Err(error) => {
                    return Err(RuntimeError::ReplayMismatch(format!(
                        "the recorded outcome of `{request}` is not a valid value: {error}"
                    )));
                }
            },
            Err(message) => Err(message),
        })
    }

    pub(super) fn comm(&mut self, continuation: Seq, data: impl Iterator<Item = Seq> + Clone) {
        self.mix(&[3, continuation]);
        for seq in data.clone() {
            self.mix(&[seq]);
        }
        if let Mode::Recording(events) = &mut self.mode {
            events.push(Event::Comm {
                continuation,
                data: data.collect(),
            });
        }
    }

    /// In replay: the recorded COMM that the produce `seq` caused, if the
    /// next event is one that consumed it.
    pub(super) fn expected_comm_for_produce(&self, seq: Seq) -> Option<(Seq, Vec<Seq>)> {
        match self.next_event()? {
            Event::Comm { continuation, data } if data.contains(&seq) => {
                Some((*continuation, data.clone()))
            }
            _ => None,
        }
    }

    /// In replay: the recorded COMM that the consume `seq` caused, if the
    /// next event is one that fired it.
    pub(super) fn expected_comm_for_consume(&self, seq: Seq) -> Option<(Seq, Vec<Seq>)> {
        match self.next_event()? {
            Event::Comm { continuation, data } if *continuation == seq => {
                Some((*continuation, data.clone()))
            }
            _ => None,
        }
    }

    /// In replay: marks the expected COMM as used.
    pub(super) fn consume_expected(&mut self) {
        if let Mode::Replaying { cursor, .. } = &mut self.mode {
            *cursor += 1;
        }
    }

    fn next_event(&self) -> Option<&Event> {
        match &self.mode {
            Mode::Replaying { events, cursor } => events.get(*cursor),
            _ => None,
        }
    }

    fn observe(&mut self, event: impl FnOnce() -> Event) -> Result<(), RuntimeError> {
        match &mut self.mode {
            Mode::DigestOnly => Ok(()),
            Mode::Recording(events) => {
                events.push(event());
                Ok(())
            }
            Mode::Replaying { events, cursor } => {
                let actual = event();
                match events.get(*cursor) {
                    Some(expected) if *expected == actual => {
                        *cursor += 1;
                        Ok(())
                    }
                    Some(expected) => Err(RuntimeError::ReplayMismatch(format!(
                        "event {} was recorded as {}, but replay did {}",
                        *cursor + 1,
                        format_event(expected),
                        format_event(&actual)
                    ))),
                    None => Err(RuntimeError::ReplayMismatch(format!(
                        "replay did {} past the end of the record",
                        format_event(&actual)
                    ))),
                }
            }
        }
    }

    fn mix_bytes(&mut self, tag: u64, bytes: &[u8]) {
        let mut hasher = FxHasher::default();
        bytes.hash(&mut hasher);
        self.mix(&[tag, hasher.finish()]);
    }

    fn mix(&mut self, words: &[u64]) {
        for word in words {
            self.digest = (self.digest.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }

    /// The log as text (see the module documentation).
    pub fn to_text(&self) -> String {
        let mut out = String::from(HEADER);
        out.push('\n');
        for event in self.events() {
            out.push_str(&format_event(event));
            out.push('\n');
        }
        out
    }

    /// Parses a log written by [`EventLog::to_text`] into its events.
    ///
    /// # Errors
    ///
    /// [`LogMismatch::Malformed`] for anything that is not such a log.
    pub fn parse_text(text: &str) -> Result<Vec<Event>, LogMismatch> {
        let mut lines = text.lines().enumerate();
        match lines.next() {
            Some((_, header)) if header.trim() == HEADER => {}
            _ => {
                return Err(LogMismatch::Malformed {
                    line: 1,
                    reason: format!("expected the header `{HEADER}`"),
                });
            }
        }
        let mut events = Vec::new();
        for (index, line) in lines {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let malformed = |reason: &str| LogMismatch::Malformed {
                line: index + 1,
                reason: reason.to_string(),
            };
            let fields: Vec<&str> = line.split_whitespace().collect();
            let event = match fields.as_slice() {
                ["P", seq, channel, persistent] => Event::Produce {
                    seq: parse_u64(seq).ok_or_else(|| malformed("bad sequence number"))?,
                    channel: parse_hex(channel).ok_or_else(|| malformed("bad channel key"))?,
                    persistent: parse_flag(persistent).ok_or_else(|| malformed("bad flag"))?,
                },
                ["C", seq, channels, persistent, peek] => Event::Consume {
                    seq: parse_u64(seq).ok_or_else(|| malformed("bad sequence number"))?,
                    channels: channels
                        .split(',')
                        .map(parse_hex)
                        .collect::<Option<_>>()
                        .ok_or_else(|| malformed("bad channel key"))?,
                    persistent: parse_flag(persistent).ok_or_else(|| malformed("bad flag"))?,
                    peek: parse_flag(peek).ok_or_else(|| malformed("bad flag"))?,
                },
                ["M", continuation, data] => Event::Comm {
                    continuation: parse_u64(continuation)
                        .ok_or_else(|| malformed("bad sequence number"))?,
                    data: data
                        .split(',')
                        .map(parse_u64)
                        .collect::<Option<_>>()
                        .ok_or_else(|| malformed("bad sequence number"))?,
                },
                ["G", capability] => {
                    Event::Grant(parse_text_hex(capability).ok_or_else(|| malformed("bad hex"))?)
                }
                ["I", request, "ok", value] => Event::Io {
                    request: parse_text_hex(request).ok_or_else(|| malformed("bad hex"))?,
                    outcome: Ok(hex::decode(value).map_err(|_| malformed("bad hex"))?),
                },
                ["I", request, "err", message] => Event::Io {
                    request: parse_text_hex(request).ok_or_else(|| malformed("bad hex"))?,
                    outcome: Err(parse_text_hex(message).ok_or_else(|| malformed("bad hex"))?),
                },
                // An empty outcome (`Nil`, or an empty message) leaves the
                // last field empty.
                ["I", request, "ok"] => Event::Io {
                    request: parse_text_hex(request).ok_or_else(|| malformed("bad hex"))?,
                    outcome: Ok(Vec::new()),
                },
                ["I", request, "err"] => Event::Io {
                    request: parse_text_hex(request).ok_or_else(|| malformed("bad hex"))?,
                    outcome: Err(String::new()),
                },
                _ => return Err(malformed("unknown event")),
            };
            events.push(event);
        }
        Ok(events)
    }
}

/// The stable 64-bit key of a channel in the log.
pub fn channel_key(channel: &Value) -> u64 {
    let mut hasher = FxHasher::default();
    channel.hash(&mut hasher);
    hasher.finish()
}

fn format_event(event: &Event) -> String {
    let mut out = String::new();
    match event {
        Event::Produce {
            seq,
            channel,
            persistent,
        } => {
            let _ = write!(out, "P {seq} {channel:016x} {}", u8::from(*persistent));
        }
        Event::Consume {
            seq,
            channels,
            persistent,
            peek,
        } => {
            let keys: Vec<String> = channels.iter().map(|k| format!("{k:016x}")).collect();
            let _ = write!(
                out,
                "C {seq} {} {} {}",
                keys.join(","),
                u8::from(*persistent),
                u8::from(*peek)
            );
        }
        Event::Comm { continuation, data } => {
            let data: Vec<String> = data.iter().map(u64::to_string).collect();
            let _ = write!(out, "M {continuation} {}", data.join(","));
        }
        Event::Grant(capability) => {
            let _ = write!(out, "G {}", hex::encode(capability));
        }
        Event::Io { request, outcome } => {
            let _ = match outcome {
                Ok(value) => write!(out, "I {} ok {}", hex::encode(request), hex::encode(value)),
                Err(message) => write!(
                    out,
                    "I {} err {}",
                    hex::encode(request),
                    hex::encode(message)
                ),
            };
        }
    }
    out
}

fn parse_text_hex(text: &str) -> Option<String> {
    String::from_utf8(hex::decode(text).ok()?).ok()
}

fn parse_u64(text: &str) -> Option<u64> {
    text.parse().ok()
}

fn parse_hex(text: &str) -> Option<u64> {
    u64::from_str_radix(text, 16).ok()
}

fn parse_flag(text: &str) -> Option<bool> {
    match text {
        "0" => Some(false),
        "1" => Some(true),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_io_outcomes_parse_back() {
        // `fs open a` with the outcome Nil (no bytes), and with an empty
        // failure message.
        let text = format!("{HEADER}\nI 6673206f70656e2061 ok \nI 6673206f70656e2061 err\n");
        let events = EventLog::parse_text(&text).unwrap();
        assert_eq!(
            events,
            [
                Event::Io {
                    request: "fs open a".to_string(),
                    outcome: Ok(Vec::new()),
                },
                Event::Io {
                    request: "fs open a".to_string(),
                    outcome: Err(String::new()),
                },
            ]
        );
    }
}
