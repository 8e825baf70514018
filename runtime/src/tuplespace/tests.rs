//! Tuplespace semantics, with a trivial matcher: a pattern `Some(n)` matches
//! a datum whose single value is `Int(n)`, and `None` matches any datum.

use super::*;

struct IntMatcher;

impl Matcher<Option<i64>> for IntMatcher {
    type Bindings = Vec<Value>;

    fn match_data(
        &mut self,
        pattern: &Option<i64>,
        values: &[Value],
    ) -> Result<Option<Vec<Value>>, RuntimeError> {
        Ok(match pattern {
            Some(n) if values != [Value::Int(*n)] => None,
            _ => Some(values.to_vec()),
        })
    }
}

type Space = Tuplespace<Option<i64>, &'static str>;

fn chan(name: &str) -> Value {
    Value::string(name)
}

fn send(space: &mut Space, ch: &str, n: i64) -> Option<Comm<&'static str, Vec<Value>>> {
    space
        .produce(&chan(ch), vec![Value::Int(n)], false, 0, &mut IntMatcher)
        .unwrap()
}

fn receive(
    space: &mut Space,
    binds: &[(&str, Option<i64>)],
    name: &'static str,
    persistent: bool,
    peek: bool,
) -> (Option<Comm<&'static str, Vec<Value>>>, Seq) {
    space
        .consume(
            binds.iter().map(|(c, _)| chan(c)).collect(),
            binds.iter().map(|(_, p)| *p).collect(),
            name,
            persistent,
            peek,
            0,
            &mut IntMatcher,
        )
        .unwrap()
}

fn bound_ints(comm: &Comm<&'static str, Vec<Value>>) -> Vec<Value> {
    comm.bindings.iter().flatten().cloned().collect()
}

#[test]
fn a_send_meets_a_waiting_receive() {
    let mut space = Space::default();
    assert!(
        receive(&mut space, &[("a", None)], "k", false, false)
            .0
            .is_none()
    );
    let comm = send(&mut space, "a", 7).expect("COMM");
    assert_eq!(comm.payload, "k");
    assert_eq!(bound_ints(&comm), vec![Value::Int(7)]);
    assert_eq!(space.waiting_count(&chan("a")), 0);
    assert_eq!(space.data_count(&chan("a")), 0);
    assert_eq!(space.comm_count(), 1);
}

#[test]
fn a_join_fires_only_when_every_pattern_matches() {
    let mut space = Space::default();
    assert!(send(&mut space, "a", 1).is_none());
    assert!(send(&mut space, "b", 5).is_none());
    assert!(
        receive(
            &mut space,
            &[("a", None), ("b", Some(2))],
            "k",
            false,
            false
        )
        .0
        .is_none()
    );
    assert!(send(&mut space, "b", 3).is_none(), "3 does not match 2");
    let comm = send(&mut space, "b", 2).expect("COMM");
    assert_eq!(bound_ints(&comm), vec![Value::Int(1), Value::Int(2)]);
    assert_eq!(space.data_count(&chan("b")), 2, "5 and 3 stay");
    assert_eq!(space.data_count(&chan("a")), 0);
}

#[test]
fn the_oldest_matching_datum_is_chosen() {
    let mut space = Space::default();
    send(&mut space, "a", 1);
    send(&mut space, "a", 2);
    send(&mut space, "a", 3);
    let comm = receive(&mut space, &[("a", None)], "k", false, false)
        .0
        .expect("COMM");
    assert_eq!(bound_ints(&comm), vec![Value::Int(1)]);
    let comm = receive(&mut space, &[("a", Some(3))], "k", false, false)
        .0
        .expect("COMM");
    assert_eq!(bound_ints(&comm), vec![Value::Int(3)]);
}

#[test]
fn the_oldest_matching_continuation_is_chosen() {
    let mut space = Space::default();
    receive(&mut space, &[("a", None)], "first", false, false);
    receive(&mut space, &[("a", None)], "second", false, false);
    assert_eq!(send(&mut space, "a", 1).unwrap().payload, "first");
    assert_eq!(send(&mut space, "a", 1).unwrap().payload, "second");
}

#[test]
fn persistent_receives_stay_and_keep_firing() {
    let mut space = Space::default();
    send(&mut space, "a", 1);
    send(&mut space, "a", 2);
    let (comm, seq) = receive(&mut space, &[("a", None)], "k", true, false);
    assert_eq!(bound_ints(&comm.unwrap()), vec![Value::Int(1)]);
    let again = space.consume_more(seq, &mut IntMatcher).unwrap().unwrap();
    assert_eq!(bound_ints(&again), vec![Value::Int(2)]);
    assert!(space.consume_more(seq, &mut IntMatcher).unwrap().is_none());
    assert_eq!(space.waiting_count(&chan("a")), 1);
    assert!(send(&mut space, "a", 3).is_some());
    assert_eq!(space.waiting_count(&chan("a")), 1);
}

#[test]
fn persistent_data_stay_after_a_comm() {
    let mut space = Space::default();
    let seq = space.next_seq();
    space
        .produce(&chan("a"), vec![Value::Int(9)], true, 0, &mut IntMatcher)
        .unwrap();
    for _ in 0..3 {
        let comm = receive(&mut space, &[("a", None)], "k", false, false).0;
        assert_eq!(bound_ints(&comm.unwrap()), vec![Value::Int(9)]);
    }
    assert_eq!(space.data_count(&chan("a")), 1);
    receive(&mut space, &[("b", None)], "other", false, false);
    assert!(
        space
            .produce_more(&chan("a"), seq, &mut IntMatcher)
            .unwrap()
            .is_none()
    );
}

#[test]
fn peeks_leave_the_data_in_place() {
    let mut space = Space::default();
    send(&mut space, "a", 10);
    let comm = receive(&mut space, &[("a", None)], "peek", false, true).0;
    assert!(comm.unwrap().peek);
    assert_eq!(space.data_count(&chan("a")), 1);
    receive(&mut space, &[("b", None)], "w", false, true);
    send(&mut space, "b", 4);
    assert_eq!(
        space.data_count(&chan("b")),
        1,
        "a peek on arrival keeps the datum"
    );
    let comm = receive(&mut space, &[("a", None)], "take", false, false).0;
    assert_eq!(bound_ints(&comm.unwrap()), vec![Value::Int(10)]);
    assert_eq!(space.data_count(&chan("a")), 0);
}

#[test]
fn a_join_on_one_channel_twice_takes_two_distinct_data() {
    let mut space = Space::default();
    send(&mut space, "a", 5);
    assert!(
        receive(
            &mut space,
            &[("a", None), ("a", Some(5))],
            "k",
            false,
            false
        )
        .0
        .is_none(),
        "one datum cannot serve two binds"
    );
    let comm = send(&mut space, "a", 6).expect("backtracking finds 6 then 5");
    assert_eq!(bound_ints(&comm), vec![Value::Int(6), Value::Int(5)]);
    assert_eq!(space.data_count(&chan("a")), 0);
}

#[test]
fn a_checkpoint_restores_the_space() {
    let mut space = Space::default();
    send(&mut space, "a", 1);
    let checkpoint = space.checkpoint();
    receive(&mut space, &[("a", None)], "k", false, false);
    send(&mut space, "b", 2);
    assert_eq!(space.data_count(&chan("a")), 0);
    space.revert(checkpoint);
    assert_eq!(space.data_count(&chan("a")), 1);
    assert_eq!(space.data_count(&chan("b")), 0);
    assert_eq!(space.comm_count(), 0);
}

fn recorded_run() -> (EventLog, Vec<u64>) {
    let mut space = Space::new(EventLog::recording());
    let mut order = Vec::new();
    send(&mut space, "a", 1);
    send(&mut space, "a", 2);
    for _ in 0..2 {
        if let (Some(comm), _) = receive(&mut space, &[("a", None)], "k", false, false)
            && let Value::Int(n) = bound_ints(&comm)[0]
        {
            order.push(n as u64);
        }
    }
    (space.take_log(), order)
}

fn replay(events: Vec<Event>) -> Result<Vec<u64>, RuntimeError> {
    let mut space = Space::new(EventLog::replaying(events));
    let mut order = Vec::new();
    let one = |s: &mut Space, n| {
        s.produce(&chan("a"), vec![Value::Int(n)], false, 0, &mut IntMatcher)
            .map(|_| ())
    };
    one(&mut space, 1)?;
    one(&mut space, 2)?;
    for _ in 0..2 {
        let (comm, _) = space.consume(
            vec![chan("a")],
            vec![None],
            "k",
            false,
            false,
            0,
            &mut IntMatcher,
        )?;
        if let Some(comm) = comm
            && let Value::Int(n) = bound_ints(&comm)[0]
        {
            order.push(n as u64);
        }
    }
    space
        .log()
        .finish()
        .map_err(|e| RuntimeError::ReplayMismatch(e.to_string()))?;
    Ok(order)
}

#[test]
fn a_recorded_log_replays_through_its_text_form() {
    let (log, order) = recorded_run();
    assert_eq!(order, vec![1, 2]);
    let events = EventLog::parse_text(&log.to_text()).unwrap();
    assert_eq!(events, log.events());
    assert_eq!(replay(events).unwrap(), vec![1, 2]);
}

#[test]
fn replay_follows_a_recorded_choice_that_differs_from_the_default() {
    let (log, _) = recorded_run();
    // Swap which datum each COMM took: the second datum first.
    let events: Vec<Event> = log
        .events()
        .iter()
        .map(|event| match event {
            Event::Comm { continuation, data } => Event::Comm {
                continuation: *continuation,
                data: vec![1 - data[0]],
            },
            other => other.clone(),
        })
        .collect();
    assert_eq!(replay(events).unwrap(), vec![2, 1]);
}

#[test]
fn a_tampered_log_is_detected() {
    let (log, _) = recorded_run();
    let text = log.to_text();
    let events = EventLog::parse_text(&text).unwrap();

    let mut wrong_channel = events.clone();
    if let Event::Produce { channel, .. } = &mut wrong_channel[0] {
        *channel ^= 1;
    }
    assert!(matches!(
        replay(wrong_channel),
        Err(RuntimeError::ReplayMismatch(_))
    ));

    let mut missing_datum = events.clone();
    if let Some(Event::Comm { data, .. }) = missing_datum
        .iter_mut()
        .find(|e| matches!(e, Event::Comm { .. }))
    {
        data[0] = 99;
    }
    assert!(matches!(
        replay(missing_datum),
        Err(RuntimeError::ReplayMismatch(_))
    ));

    let mut extra = events;
    extra.push(Event::Comm {
        continuation: 0,
        data: vec![0],
    });
    assert!(matches!(
        replay(extra),
        Err(RuntimeError::ReplayMismatch(_))
    ));

    assert!(EventLog::parse_text("not a log").is_err());
    assert!(EventLog::parse_text("rhoc-event-log 1\nP x y z").is_err());
}

#[test]
fn the_digest_depends_on_the_choices() {
    let (log, _) = recorded_run();
    let (again, _) = recorded_run();
    assert_eq!(log.digest(), again.digest());
    let mut space = Space::default();
    send(&mut space, "a", 1);
    assert_ne!(space.log().digest(), log.digest());
}
