//! The scratch copy of a case that advice is tried on, and the keys of
//! the facts it changes.

use super::*;

/// A copy of a case to try advice on, made once per case; every change
/// is recorded and undone.
pub struct Scratch {
    pub(super) case: Case,
    pub(super) undo: Vec<Undo>,
}

pub(super) enum Undo {
    Case(u16, Value),
    Request(usize, u16, Value),
    History(TreatmentId, u16, Value),
    Inserted(TreatmentId),
}

impl Scratch {
    pub fn new(case: &Case) -> Scratch {
        Scratch {
            case: case.clone(),
            undo: Vec::new(),
        }
    }

    pub(super) fn mark(&self) -> usize {
        self.undo.len()
    }

    /// Put `v` where `r` reads for request `i`; a history fact of a
    /// treatment with no entry adds one (given: `received` true).
    pub(super) fn set(&mut self, p: &Program, i: usize, r: FactRef, v: Value) {
        let c = &mut self.case;
        match r {
            FactRef::Case(_, s) => {
                if let Some(x) = c.facts.get_mut(s as usize) {
                    self.undo.push(Undo::Case(s, std::mem::replace(x, v)));
                }
            }
            FactRef::Request(_, s) => {
                if let Some(x) = c.requests.get_mut(i).and_then(|q| q.facts.get_mut(s as usize)) {
                    self.undo.push(Undo::Request(i, s, std::mem::replace(x, v)));
                }
            }
            FactRef::Prior(_, s) | FactRef::History(_, _, s) => {
                let t = treatment_of(c, i, r);
                let at = match c.history.binary_search_by_key(&t, |(id, _)| *id) {
                    Ok(at) => at,
                    Err(at) => {
                        let mut record: Box<[Value]> = c.no_history.iter().cloned().collect();
                        if let Some(x) = p
                            .schema
                            .builtin
                            .history_received
                            .and_then(|h| record.get_mut(h as usize))
                        {
                            *x = Value::Bool(true);
                        }
                        c.history.insert(at, (t, record));
                        self.undo.push(Undo::Inserted(t));
                        at
                    }
                };
                if let Some(x) = c.history[at].1.get_mut(s as usize) {
                    self.undo.push(Undo::History(t, s, std::mem::replace(x, v)));
                }
            }
        }
    }

    pub(super) fn undo_to(&mut self, mark: usize) {
        let c = &mut self.case;
        while self.undo.len() > mark {
            let Some(u) = self.undo.pop() else { break };
            match u {
                Undo::Case(s, v) => {
                    if let Some(x) = c.facts.get_mut(s as usize) {
                        *x = v;
                    }
                }
                Undo::Request(i, s, v) => {
                    if let Some(x) = c.requests.get_mut(i).and_then(|q| q.facts.get_mut(s as usize)) {
                        *x = v;
                    }
                }
                Undo::History(t, s, v) => {
                    if let Ok(at) = c.history.binary_search_by_key(&t, |(id, _)| *id) {
                        if let Some(x) = c.history[at].1.get_mut(s as usize) {
                            *x = v;
                        }
                    }
                }
                Undo::Inserted(t) => {
                    if let Ok(at) = c.history.binary_search_by_key(&t, |(id, _)| *id) {
                        c.history.remove(at);
                    }
                }
            }
        }
    }
}

/// The treatment whose history record `r` reads for request `i`.
pub(super) fn treatment_of(case: &Case, i: usize, r: FactRef) -> TreatmentId {
    match r {
        FactRef::History(t, ..) => t,
        _ => case.requests.get(i).map_or(TreatmentId(0), |q| q.treatment),
    }
}

/// Where a fact reference reads, whatever it is called (`prior.x` of the
/// requested treatment and `history.T.x` are one place).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Key {
    Case(u16),
    Request(u16),
    Hist(TreatmentId, u16),
}

pub(super) fn key(case: &Case, i: usize, r: FactRef) -> Key {
    match r {
        FactRef::Case(_, s) => Key::Case(s),
        FactRef::Request(_, s) => Key::Request(s),
        FactRef::Prior(_, s) | FactRef::History(_, _, s) => Key::Hist(treatment_of(case, i, r), s),
    }
}
