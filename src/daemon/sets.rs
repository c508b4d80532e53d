//! The set coordinator: which set runs, on which strap, in which session, when it
//! ends and why, and what a routine does next. Pure: it takes commands, detector
//! events and the time as data ([`Input`]) and returns what to do ([`Action`]);
//! the daemon's wiring ([`super::coordinator`]) carries the actions out. No clock,
//! no channels, no store: tested by short input scripts and their exact traces
//! (`tests` below).
//!
//! A set ends in two steps. The coordinator decides it ends (target reached,
//! stopped, quiet) and asks the counting strap to [`Action::Finish`] it; the
//! strap's answer, [`Input::Counted`], carries the final count, and only then is
//! the end recorded and published. The strap settles its counter there (a
//! movement still under way at the end becomes an attempt), so the settled count
//! is the one stored.

mod messages;

use std::sync::Arc;

use crate::exercises::{Catalog, ExerciseSpec, Placement, Sides};
use crate::store::{EndReason, SessionId, SetId, SetInfo, Settlement};

use super::ControlError;
use super::live::LiveEvent;
pub use messages::{Action, Detected, Input, Record, Reply, Seat, Settings};

/// The set being counted.
#[derive(Debug, Clone)]
struct Running {
    id: SetId,
    session: SessionId,
    own_session: bool,
    strap: String,
    /// The latest detector event (strap clock); `None` before the strap's first
    /// sample of the set.
    last_activity: Option<f64>,
    /// Set once the end is decided, while the strap finishes counting.
    ending: Option<EndReason>,
}

/// A routine being followed.
#[derive(Debug, Clone)]
struct RoutineRun {
    name: String,
    exercises: Vec<String>,
    next: usize,
    session: SessionId,
}

/// The coordinator's state; see the module documentation.
#[derive(Debug)]
pub struct Coordinator {
    catalog: Arc<Catalog>,
    seats: Vec<Seat>,
    settings: Settings,
    set: Option<Running>,
    routine: Option<RoutineRun>,
    last_id: i64,
}

impl Coordinator {
    /// A coordinator for these straps (none streaming yet).
    pub fn new(catalog: Arc<Catalog>, seats: Vec<Seat>, settings: Settings) -> Self {
        Self {
            catalog,
            seats,
            settings,
            set: None,
            routine: None,
            last_id: i64::MIN,
        }
    }

    /// The set being counted (also while it finishes).
    pub fn running(&self) -> Option<SetId> {
        self.set.as_ref().map(|s| s.id)
    }

    /// Handles one input at wall time `now` (Unix s); returns what to do, in order.
    pub fn step(&mut self, now: f64, input: Input) -> Vec<Action> {
        let mut out = Vec::new();
        match input {
            Input::StartSet(exercise) => {
                let reply = self.start_set(now, &exercise, None, &mut out);
                out.insert(0, Action::Reply(reply));
            }
            Input::StartRoutine(name) => {
                let reply = self.start_routine(now, &name, &mut out);
                out.insert(0, Action::Reply(reply));
            }
            Input::Stop => self.stop(&mut out),
            Input::Link { strap, streaming } => {
                if let Some(seat) = self.seats.iter_mut().find(|s| s.strap == strap) {
                    seat.streaming = streaming;
                }
            }
            Input::Reconfigure(settings) => self.settings = settings,
            Input::Detected { set, t, event } => self.detected(set, t, event, &mut out),
            Input::Time { set, t } => self.time(set, t, &mut out),
            Input::Counted { set, count } => self.counted(now, set, count, &mut out),
        }
        out
    }

    /// A fresh id from `now`, above every id given before.
    fn next_id(&mut self, now: f64) -> i64 {
        let id = SetId::from_unix_s(now)
            .0
            .max(self.last_id.saturating_add(1));
        self.last_id = id;
        id
    }

    fn start_set(
        &mut self,
        now: f64,
        exercise: &str,
        routine: Option<(SessionId, String)>,
        out: &mut Vec<Action>,
    ) -> Result<Reply, ControlError> {
        if let Some(s) = &self.set {
            return Err(ControlError::SetRunning(s.id));
        }
        let spec = self
            .catalog
            .get(exercise)
            .cloned()
            .ok_or_else(|| ControlError::UnknownExercise(exercise.to_owned()))?;
        let seat = self.seat_for(&spec)?.clone();
        let id = SetId(self.next_id(now));
        let own_session = routine.is_none();
        let (session, routine) = match routine {
            Some((session, name)) => (session, Some(name)),
            None => (SessionId(id.0), None),
        };
        if own_session {
            out.push(Action::Record(Record::StartSession {
                id: session,
                at: now,
                routine: None,
            }));
        }
        out.push(Action::Record(Record::StartSet(SetInfo {
            id,
            session,
            exercise: spec.id.clone(),
            strap: seat.strap.clone(),
            side: seat.side.filter(|_| spec.target.sides != Sides::None),
            started_at: now,
            target_reps: Some(spec.target.reps),
            note: None,
        })));
        out.push(Action::Count {
            strap: seat.strap.clone(),
            set: id,
            spec: Box::new(spec),
            routine,
            started_at: now,
        });
        out.push(Action::Exercising(true));
        self.set = Some(Running {
            id,
            session,
            own_session,
            strap: seat.strap.clone(),
            last_activity: None,
            ending: None,
        });
        Ok(Reply::Started {
            set: id,
            strap: seat.strap,
        })
    }

    /// The first streaming strap worn where `spec` needs one.
    fn seat_for(&self, spec: &ExerciseSpec) -> Result<&Seat, ControlError> {
        let fits =
            |p: Placement| spec.placement.contains(&Placement::Any) || spec.placement.contains(&p);
        self.seats
            .iter()
            .find(|s| s.streaming && fits(s.placement))
            .ok_or_else(|| ControlError::NoStrap(spec.placement.clone()))
    }

    fn start_routine(
        &mut self,
        now: f64,
        name: &str,
        out: &mut Vec<Action>,
    ) -> Result<Reply, ControlError> {
        let routine = self
            .settings
            .routines
            .iter()
            .find(|r| r.name == name)
            .cloned()
            .ok_or_else(|| ControlError::UnknownRoutine(name.to_owned()))?;
        if let Some(s) = &self.set {
            return Err(ControlError::SetRunning(s.id));
        }
        let first = routine
            .exercises
            .first()
            .ok_or_else(|| ControlError::UnknownRoutine(name.to_owned()))?;
        let session = SessionId(self.next_id(now));
        let mut started = Vec::new();
        let reply = self.start_set(
            now,
            first,
            Some((session, routine.name.clone())),
            &mut started,
        )?;
        // The session is recorded only once its first set can start.
        out.push(Action::Record(Record::StartSession {
            id: session,
            at: now,
            routine: Some(routine.name.clone()),
        }));
        out.append(&mut started);
        self.routine = Some(RoutineRun {
            name: routine.name,
            exercises: routine.exercises,
            next: 1,
            session,
        });
        Ok(reply)
    }

    fn stop(&mut self, out: &mut Vec<Action>) {
        let Some(set) = self.set.as_mut().filter(|s| s.ending.is_none()) else {
            out.push(Action::Reply(Err(ControlError::NoSet)));
            return;
        };
        set.ending = Some(EndReason::Stopped);
        out.push(Action::Reply(Ok(Reply::Stopping {
            set: set.id,
            strap: set.strap.clone(),
        })));
        out.push(Action::Finish {
            strap: set.strap.clone(),
            set: set.id,
        });
        out.push(Action::Exercising(false));
    }

    /// The running set if it is `id` and not ending.
    fn counting(&mut self, id: SetId) -> Option<&mut Running> {
        self.set
            .as_mut()
            .filter(|s| s.id == id && s.ending.is_none())
    }

    fn detected(&mut self, id: SetId, t: f64, event: Detected, out: &mut Vec<Action>) {
        let Some(set) = self.counting(id) else { return };
        set.last_activity = Some(t);
        match event {
            Detected::Rep(rep) => {
                out.push(Action::Record(Record::Rep {
                    set: id,
                    rep: rep.clone(),
                    counted: true,
                }));
                out.push(Action::Publish(LiveEvent::Rep { set: id, rep }));
            }
            Detected::Attempt(rep) => out.push(Action::Record(Record::Rep {
                set: id,
                rep,
                counted: false,
            })),
            Detected::TargetReached => self.finish(EndReason::TargetReached, out),
            Detected::Activity => {}
        }
    }

    fn time(&mut self, id: SetId, t: f64, out: &mut Vec<Action>) {
        let quiet_s = self.settings.quiet_timeout_s;
        let Some(set) = self.counting(id) else { return };
        match set.last_activity {
            None => set.last_activity = Some(t),
            Some(last) if t - last > quiet_s => self.finish(EndReason::QuietTimeout, out),
            Some(_) => {}
        }
    }

    /// The running set ends for `reason`: ask its strap for the final count.
    fn finish(&mut self, reason: EndReason, out: &mut Vec<Action>) {
        let Some(set) = self.set.as_mut() else { return };
        set.ending = Some(reason);
        out.push(Action::Finish {
            strap: set.strap.clone(),
            set: set.id,
        });
    }

    fn counted(&mut self, now: f64, id: SetId, count: Settlement, out: &mut Vec<Action>) {
        let Some(set) = self.set.take_if(|s| s.id == id && s.ending.is_some()) else {
            return;
        };
        let reason = set.ending.unwrap_or(EndReason::Stopped);
        let (reps, live_reps) = (count.reps, count.live_reps);
        out.push(Action::Record(Record::EndSet {
            set: id,
            at: now,
            reason,
            count,
        }));
        if set.own_session {
            out.push(Action::Record(Record::EndSession {
                id: set.session,
                at: now,
            }));
        }
        out.push(Action::Publish(LiveEvent::SetEnded {
            set: id,
            reps,
            live_reps,
            reason,
        }));
        out.push(Action::Exercising(false));
        self.after_set(now, reason, out);
    }

    /// After a set ended: the routine's next exercise, or the routine's end.
    fn after_set(&mut self, now: f64, reason: EndReason, out: &mut Vec<Action>) {
        let Some(run) = self.routine.as_mut() else {
            return;
        };
        let next = run.exercises.get(run.next).cloned();
        run.next += 1;
        let session = run.session;
        let name = run.name.clone();
        match next {
            Some(exercise) if reason == EndReason::TargetReached => {
                let mut started = Vec::new();
                match self.start_set(now, &exercise, Some((session, name)), &mut started) {
                    Ok(_) => out.append(&mut started),
                    // The wiring logs the routine's early end.
                    Err(_) => self.end_routine(now, false, out),
                }
            }
            Some(_) => self.end_routine(now, false, out),
            None => self.end_routine(now, reason == EndReason::TargetReached, out),
        }
    }

    fn end_routine(&mut self, now: f64, completed: bool, out: &mut Vec<Action>) {
        let Some(run) = self.routine.take() else {
            return;
        };
        out.push(Action::Record(Record::EndSession {
            id: run.session,
            at: now,
        }));
        out.push(Action::Publish(LiveEvent::RoutineEnded {
            name: run.name,
            completed,
        }));
    }
}

#[cfg(test)]
mod tests;
