//! The set a strap counts: its counter, its live status, its cues, and what the
//! strap tells the set coordinator about it ([`super::super::sets`] decides).

use tokio::sync::oneshot;

use super::StrapTask;
use crate::daemon::ControlError;
use crate::daemon::cues::{Cue, HoldCues};
use crate::daemon::live::{LiveEvent, SetStatus};
use crate::daemon::sets::{Detected, Input};
use crate::device::Command;
use crate::exercises::{ExerciseSpec, Measure, Sides};
use crate::motion::{Counter, Monitor, RepEvent};
use crate::protocol::open_imu::Haptic;
use crate::store::SetId;

/// The set being counted.
pub(super) struct ActiveSet {
    pub(super) id: SetId,
    pub(super) routine: Option<String>,
    pub(super) spec: ExerciseSpec,
    pub(super) counter: Counter,
    pub(super) started_at: f64,
    /// The counter reached the target: it counts no more while the coordinator
    /// ends the set.
    pub(super) done: bool,
    /// The hold's cues.
    pub(super) cues: HoldCues,
}

impl StrapTask {
    /// Tells the coordinator what the counter saw; it decides what the set does.
    pub(super) fn on_rep(&mut self, e: RepEvent, t: f64) {
        let Some(set) = &mut self.set else { return };
        let event = match e {
            RepEvent::RepDone(rep) => {
                let count = Cue::Count {
                    n: rep.n,
                    of: set.spec.target.reps,
                };
                let _ = self.shared.events.send(LiveEvent::Cue {
                    set: set.id,
                    t,
                    cue: count,
                });
                Detected::Rep(rep)
            }
            RepEvent::Attempt(rep) => Detected::Attempt(rep),
            RepEvent::SetDone { .. } => {
                set.done = true;
                Detected::TargetReached
            }
            _ => Detected::Activity,
        };
        let set = set.id;
        self.tell_sets(Input::Detected { set, t, event });
    }

    /// Publishes the cues the counter's progress calls for, and buzzes on the
    /// hold's target (once) and maximum (twice) when cues may vibrate.
    pub(super) fn cue(&mut self, t: f64) {
        let Some(set) = self.set.as_mut().filter(|s| !s.done) else {
            return;
        };
        let id = set.id;
        let cues = set.cues.update(&set.counter.progress());
        for cue in cues {
            let buzz = match cue {
                Cue::HoldReached { .. } => Some(Haptic::Short),
                Cue::HoldMax { .. } => Some(Haptic::Double),
                Cue::Countdown { .. } | Cue::Count { .. } => None,
            };
            if let Some(pattern) = buzz.filter(|_| self.cfg.cues.vibrate) {
                let _ = self.device.try_send(Command::Vibrate(pattern));
            }
            self.publish(LiveEvent::Cue { set: id, t, cue });
        }
    }

    pub(super) fn set_status(&self) -> Option<SetStatus> {
        let set = self.set.as_ref()?;
        let p = set.counter.progress();
        Some(SetStatus {
            id: set.id,
            exercise: set.spec.id.clone(),
            name: set.spec.name.clone(),
            strap: self.label.clone(),
            side: self.side.filter(|_| set.spec.target.sides != Sides::None),
            routine: set.routine.clone(),
            reps: p.reps,
            target_reps: set.spec.target.reps,
            hold_s: set.spec.target.hold_s,
            angle_target_deg: set.spec.target.angle_deg,
            tolerance_deg: set.spec.target.tolerance_deg,
            held_s: p.held_s,
            holding: p.holding,
            in_rep: p.in_rep,
            referenced: p.referenced,
            angle_deg: p.angle_deg,
            started_at: set.started_at,
        })
    }

    pub(super) fn start_set(
        &mut self,
        id: SetId,
        routine: Option<String>,
        spec: ExerciseSpec,
        started_at: f64,
        ready: Option<oneshot::Sender<Result<SetStatus, ControlError>>>,
    ) {
        // A pose measured from upright (a plank) measures from the strap's
        // calibration, whatever pose the set starts in.
        let upright = matches!(spec.measure, Measure::Pose {})
            .then(|| self.monitor.as_ref().and_then(Monitor::reference))
            .flatten();
        self.set = Some(ActiveSet {
            id,
            routine,
            counter: Counter::new(&spec, self.side, upright),
            cues: HoldCues::new(spec.target.hold_s),
            spec,
            started_at,
            done: false,
        });
        let status = self.set_status();
        self.mine.send_modify(|l| l.set.clone_from(&status));
        if let Some(s) = status {
            if let Some(ready) = ready {
                let _ = ready.send(Ok(s.clone()));
            }
            self.publish(LiveEvent::SetStarted(s));
        }
    }

    /// Stops counting `id` and tells the coordinator the final count: the count
    /// settles here, from the whole set (a count of any movement is made again
    /// from the set's rhythm; tilt and hold counts stand as counted live). The
    /// live reps stay stored as they were reported; the set's count is the
    /// settled one.
    pub(super) fn finish(&mut self, id: SetId) {
        let set = self.set.take_if(|s| s.id == id);
        self.mine.send_modify(|l| l.set = None);
        let count = set.map_or_else(Default::default, |s| {
            let settled = s.counter.settle();
            for w in &settled.withdrawn {
                tracing::info!(
                    strap = %self.label,
                    set = id.0,
                    start_s = w.rep.start_s,
                    reason = w.reason.as_str(),
                    "a live rep was withdrawn when the set settled"
                );
            }
            for warning in &settled.warnings {
                tracing::warn!(strap = %self.label, set = id.0, "{warning}");
            }
            settled.settlement()
        });
        self.tell_sets(Input::Counted { set: id, count });
    }
}
