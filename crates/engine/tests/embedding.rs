//! `Engine::step` and `Engine::peek_time`, the verbs for embedding the engine in another loop.

mod common;

use common::{config, rows};
use lambda_core_engine::{Engine, WindowLog};

const TIME: [f64; 5] = [0.5, 0.5, 1.0, 1.2, 3.0];
const FUNCTION: [i64; 5] = [0; 5];
const DURATION: [f64; 5] = [1.0, 0.25, 0.1, 0.0, 0.5];

#[test]
fn peek_time_names_the_next_instant() {
    let mut e = Engine::new(config()).unwrap();
    let r = rows(&TIME, &FUNCTION, &DURATION);
    e.submit(&r).unwrap();
    assert_eq!(e.peek_time(), Some(500_000));
    let mut log = WindowLog::default();
    assert_eq!(e.step(&mut log).unwrap(), Some(500_000));
    // both rows at 0.5 s were taken; the next instant is the end of the shorter, at 0.75 s
    assert_eq!((e.now(), e.running(), e.peek_time()), (500_000, 2, Some(750_000)));
    assert!(log.request.is_empty());
    e.step(&mut log).unwrap();
    assert_eq!(log.request, vec![1]);
}

#[test]
fn stepping_gives_what_one_advance_gives() {
    let run = |stepped: bool| {
        let mut e = Engine::new(config()).unwrap();
        let r = rows(&TIME, &FUNCTION, &DURATION);
        e.submit(&r).unwrap();
        let mut log = WindowLog::default();
        if stepped {
            let mut instants = vec![];
            while let Some(t) = e.step(&mut log).unwrap() {
                instants.push(t);
            }
            assert_eq!(instants, vec![500_000, 750_000, 1_000_000, 1_100_000, 1_200_000, 1_500_000, 3_000_000, 3_500_000]);
            assert_eq!(e.peek_time(), None);
        } else {
            e.advance(None, &mut log).unwrap();
        }
        (log.request, log.end, log.cold_starts, e.report(e.horizon(None)))
    };
    assert_eq!(run(true), run(false));
}

#[test]
fn step_with_nothing_left_does_nothing() {
    let mut e = Engine::new(config()).unwrap();
    let mut log = WindowLog::default();
    assert_eq!(e.step(&mut log).unwrap(), None);
    assert_eq!(e.now(), 0);
}
