//! The set coordinator's task: it owns the pure [`Coordinator`] and carries out
//! its actions (store writes, strap controls, live events). Commands come with
//! a reply channel; the strap tasks' reports come on the same channel, so the
//! coordinator sees everything in one order.

use std::collections::HashMap;

use tokio::sync::{mpsc, oneshot, watch};
use tokio_util::sync::CancellationToken;

use super::ControlError;
use super::live::{LiveEvent, SetStatus, StrapLive};
use super::now_s;
use super::sets::{Action, Coordinator, Input, Record, Reply};
use super::strap::StrapControl;
use crate::store::{SetId, Store};

/// Who waits for the answer to the command being handled.
type Waiting = Option<oneshot::Sender<Result<SetStatus, ControlError>>>;

/// What goes to the coordinator's task.
#[derive(Debug)]
pub enum ToSets {
    /// A report from a strap task (or a reload).
    Input(Input),
    /// A command whose answer is the set's status.
    Command(Input, oneshot::Sender<Result<SetStatus, ControlError>>),
}

/// A strap as the coordinator's task reaches it.
#[derive(Debug)]
pub struct StrapLink {
    /// Its control channel.
    pub control: mpsc::Sender<StrapControl>,
    /// Its live state.
    pub live: watch::Receiver<StrapLive>,
}

/// The coordinator with what it acts on.
#[derive(Debug)]
pub struct SetsTask {
    /// The pure state machine.
    pub core: Coordinator,
    /// Every strap by label.
    pub straps: HashMap<String, StrapLink>,
    /// History.
    pub store: Store,
    /// Live events, in order.
    pub events: mpsc::UnboundedSender<LiveEvent>,
    /// The set being counted, for the strap tasks.
    pub running: watch::Sender<Option<SetId>>,
}

impl SetsTask {
    /// Runs until `cancel` or until every sender is gone.
    pub async fn run(mut self, mut rx: mpsc::UnboundedReceiver<ToSets>, cancel: CancellationToken) {
        loop {
            let msg = tokio::select! {
                () = cancel.cancelled() => return,
                m = rx.recv() => match m {
                    Some(m) => m,
                    None => return,
                },
            };
            let (input, reply) = match msg {
                ToSets::Input(i) => (i, None),
                ToSets::Command(i, reply) => (i, Some(reply)),
            };
            let actions = self.core.step(now_s(), input);
            self.running.send_if_modified(|r| {
                let now = self.core.running();
                let changed = *r != now;
                *r = now;
                changed
            });
            let mut reply = reply;
            for a in actions {
                self.apply(a, &mut reply).await;
            }
        }
    }

    async fn apply(&mut self, action: Action, reply: &mut Waiting) {
        match action {
            Action::Reply(Err(e)) => {
                if let Some(r) = reply.take() {
                    let _ = r.send(Err(e));
                }
            }
            // The strap answers with the set's first status (`Count`).
            Action::Reply(Ok(Reply::Started { .. })) => {}
            Action::Reply(Ok(Reply::Stopping { strap, .. })) => {
                let status = self
                    .straps
                    .get(&strap)
                    .and_then(|s| s.live.borrow().set.clone());
                if let Some(r) = reply.take() {
                    let _ = r.send(status.ok_or(ControlError::NoSet));
                }
            }
            Action::Record(r) => self.record(r),
            Action::Count {
                strap,
                set,
                spec,
                routine,
                started_at,
            } => {
                tracing::info!(strap = %strap, set = set.0, exercise = %spec.id, "set started");
                let control = StrapControl::StartSet {
                    id: set,
                    routine,
                    spec,
                    started_at,
                    ready: reply.take(),
                };
                self.tell(&strap, control).await;
            }
            Action::Finish { strap, set } => self.tell(&strap, StrapControl::Finish(set)).await,
            Action::Exercising(on) => {
                for s in self.straps.values() {
                    let _ = s.control.send(StrapControl::Exercising(on)).await;
                }
            }
            Action::Publish(e) => {
                match &e {
                    LiveEvent::SetEnded {
                        set,
                        reps,
                        live_reps,
                        reason,
                    } => {
                        tracing::info!(
                            set = set.0,
                            reps,
                            live_reps,
                            reason = reason.as_str(),
                            "set ended"
                        );
                    }
                    LiveEvent::RoutineEnded { name, completed } => {
                        tracing::info!(routine = %name, completed, "routine ended");
                    }
                    _ => {}
                }
                let _ = self.events.send(e);
            }
        }
    }

    async fn tell(&self, strap: &str, control: StrapControl) {
        if let Some(s) = self.straps.get(strap) {
            let _ = s.control.send(control).await;
        }
    }

    fn record(&self, r: Record) {
        let s = &self.store;
        match r {
            Record::StartSession { id, at, routine } => s.start_session(id, at, routine.as_deref()),
            Record::StartSet(info) => s.start_set(info),
            Record::Rep { set, rep, counted } => s.record_rep(set, &rep, counted),
            Record::EndSet {
                set,
                at,
                reason,
                count,
            } => s.end_set(set, at, reason, count),
            Record::EndSession { id, at } => s.end_session(id, at),
        }
    }
}
