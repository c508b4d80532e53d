//! The publisher task: on each connection it says `online`, publishes the
//! discovery configs (and clears stale ones of this node), subscribes to the
//! command topics and publishes every state; then it follows the daemon's live
//! events and, once a second, its live state. Commands go to a worker of
//! their own, so a slow one never holds up publishing.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use rumqttc::{AsyncClient, QoS};
use serde_json::Value;
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;

use super::connection::Link;
use super::discovery::{self, Inventory};
use super::payloads::{self, SetEnd};
use super::topics::{Topics, slug};
use super::{commands, today};
use crate::daemon::{Daemon, LiveEvent, now_s};
use crate::store::{EndReason, SetId};

/// How often states are read and published when they changed.
const STATE_EVERY: Duration = Duration::from_secs(1);
/// How often today's totals are read again (besides at each set's end).
const TODAY_EVERY: u32 = 60;
/// How soon the outbox is tried again when the client's queue was full.
const OUTBOX_RETRY: Duration = Duration::from_millis(10);

/// The publisher's state.
#[derive(Debug)]
pub struct Publisher {
    daemon: Daemon,
    topics: Topics,
    retain: bool,
    client: Option<AsyncClient>,
    /// What the discovery configs were made from.
    inventory: Inventory,
    /// This instance's discovery configs.
    discovery: Vec<(String, Value)>,
    /// What each state topic last got on this connection.
    last: HashMap<String, Value>,
    /// Sets started, for their end's exercise and target.
    started: HashMap<SetId, (String, u32)>,
    ticks: u32,
    /// Publishes that must not be dropped when the client's queue is full (a
    /// command's answer, a discovery config or its removal), in order, until
    /// there is room; dropped, and said so, only with their connection.
    outbox: VecDeque<(String, Vec<u8>, bool)>,
}

impl Publisher {
    /// A publisher for `daemon` under `topics`.
    pub fn new(daemon: Daemon, topics: Topics, retain: bool) -> Self {
        let inventory = inventory(&daemon);
        Self {
            discovery: discovery::configs(&topics, &inventory),
            inventory,
            daemon,
            topics,
            retain,
            client: None,
            last: HashMap::new(),
            started: HashMap::new(),
            ticks: 0,
            outbox: VecDeque::new(),
        }
    }

    /// Runs until `cancel`, then says `offline` and disconnects.
    pub async fn run(mut self, mut link: mpsc::Receiver<Link>, cancel: CancellationToken) {
        let mut events = self.daemon.events.subscribe();
        let (cmd_tx, cmd_rx) = mpsc::channel::<(String, Vec<u8>)>(32);
        let (out_tx, mut out_rx) = mpsc::channel::<Value>(32);
        tokio::spawn(command_worker(self.daemon.clone(), cmd_rx, out_tx));
        let mut tick = tokio::time::interval(STATE_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = cancel.cancelled() => break,
                l = link.recv() => match l {
                    Some(l) => self.on_link(l, &cmd_tx).await,
                    None => break,
                },
                e = events.recv() => match e {
                    Ok(e) => self.on_event(e).await,
                    Err(broadcast::error::RecvError::Lagged(n)) => self.daemon.mqtt.dropped(n),
                    Err(broadcast::error::RecvError::Closed) => break,
                },
                Some(v) = out_rx.recv() => self.answer(&v),
                _ = tick.tick() => self.on_tick().await,
                () = tokio::time::sleep(OUTBOX_RETRY), if !self.outbox.is_empty() => {
                    self.flush_outbox();
                }
            }
        }
        if let Some(c) = self.client.take() {
            let _ = c.try_publish(
                self.topics.availability(),
                QoS::AtLeastOnce,
                true,
                "offline",
            );
            let _ = c.try_disconnect();
        }
    }

    async fn on_link(&mut self, l: Link, commands: &mpsc::Sender<(String, Vec<u8>)>) {
        match l {
            Link::Up(client) => {
                self.client = Some(client);
                self.last.clear();
                self.announce().await;
            }
            Link::Down => {
                self.client = None;
                if !self.outbox.is_empty() {
                    // The next connection gets the retained configs again
                    // (and so clears the stale ones), not the answers.
                    tracing::warn!(
                        "MQTT: {} publishes lost with the connection",
                        self.outbox.len()
                    );
                    self.outbox.clear();
                }
            }
            Link::Message(p) => {
                if let Some(name) = self.topics.command_name(&p.topic) {
                    if p.retain {
                        // Kept by the broker: it would run again at every
                        // connection.
                        let why = "a retained command is ignored (publish commands without retain)";
                        self.refuse(name, why);
                    } else if commands
                        .try_send((name.to_owned(), p.payload.to_vec()))
                        .is_err()
                    {
                        self.refuse(name, "too many commands waiting");
                    }
                } else if self.topics.is_own_discovery(&p.topic)
                    && !p.payload.is_empty()
                    && !self.discovery.iter().any(|(t, _)| *t == p.topic)
                {
                    tracing::info!(topic = %p.topic, "removing a Home Assistant entity no longer configured");
                    self.deliver(&p.topic, Vec::new(), true);
                }
            }
        }
    }

    /// Refuses the command `name` without running it, and says so.
    fn refuse(&mut self, name: &str, why: &str) {
        tracing::warn!(command = %name, "MQTT command refused: {why}");
        self.daemon.mqtt.command(true);
        self.answer(&commands::result(name, &Err(why.into())));
    }

    /// Publishes a command's answer.
    fn answer(&mut self, v: &Value) {
        let topic = self.topics.command_result();
        if self.client.is_none() {
            tracing::warn!(answer = %v, "MQTT: a command's answer is lost: the broker is away");
        }
        self.deliver(&topic, v.to_string().into_bytes(), false);
    }

    /// Publishes through the outbox: waits for room in the client's queue
    /// rather than dropping. Nothing without a connection.
    fn deliver(&mut self, topic: &str, payload: Vec<u8>, retain: bool) {
        if self.client.is_some() {
            self.outbox.push_back((topic.to_owned(), payload, retain));
            self.flush_outbox();
        }
    }

    /// Hands the client what it has room for, in order.
    fn flush_outbox(&mut self) {
        let Some(c) = &self.client else { return };
        while let Some((topic, payload, retain)) = self.outbox.front() {
            if c.try_publish(topic, QoS::AtLeastOnce, *retain, payload.clone())
                .is_err()
            {
                return;
            }
            self.outbox.pop_front();
        }
    }

    /// A new connection: online, discovery, subscriptions, every state.
    async fn announce(&mut self) {
        let Some(c) = &self.client else { return };
        let _ = c.try_publish(self.topics.availability(), QoS::AtLeastOnce, true, "online");
        let _ = c.try_subscribe(self.topics.command_filter(), QoS::AtLeastOnce);
        for (topic, config) in &self.discovery {
            let _ = c.try_publish(topic.clone(), QoS::AtLeastOnce, true, config.to_string());
        }
        // After our configs: the retained ones of this node come back, and any
        // not among ours is cleared (a strap taken out of the configuration).
        if let Some(filter) = self.topics.discovery_filter() {
            let _ = c.try_subscribe(filter, QoS::AtLeastOnce);
        }
        self.on_tick().await;
        self.publish_today(None).await;
    }

    /// After a reload changed the routines: the new configs, and the ones no
    /// longer made cleared.
    fn refresh_discovery(&mut self) {
        let now = inventory(&self.daemon);
        if now == self.inventory {
            return;
        }
        let configs = discovery::configs(&self.topics, &now);
        let gone: Vec<String> = self
            .discovery
            .iter()
            .filter(|(topic, _)| !configs.iter().any(|(t, _)| t == topic))
            .map(|(topic, _)| topic.clone())
            .collect();
        for topic in gone {
            self.deliver(&topic, Vec::new(), true);
        }
        for (topic, config) in &configs {
            self.deliver(topic, config.to_string().into_bytes(), true);
        }
        (self.inventory, self.discovery) = (now, configs);
    }

    async fn on_tick(&mut self) {
        self.ticks += 1;
        if self.client.is_none() {
            return;
        }
        self.refresh_discovery();
        let live = self.daemon.live.clone();
        self.state(&self.topics.posture(), payloads::posture(&live.posture()));
        self.state(&self.topics.set(), payloads::set(live.set().as_ref()));
        for s in live.straps() {
            self.state(&self.topics.strap(&slug(&s.strap)), payloads::strap(&s));
        }
        if self.ticks.is_multiple_of(TODAY_EVERY) {
            self.publish_today(None).await;
        }
    }

    async fn on_event(&mut self, e: LiveEvent) {
        match &e {
            LiveEvent::SetStarted(s) => {
                self.started
                    .insert(s.id, (s.exercise.clone(), s.target_reps));
                self.state(&self.topics.set(), payloads::set(Some(s)));
            }
            LiveEvent::Rep { .. } => {
                let set = self.daemon.live.set();
                self.state(&self.topics.set(), payloads::set(set.as_ref()));
            }
            LiveEvent::SetEnded {
                set,
                reps,
                live_reps,
                reason,
            } => {
                return self.set_ended(*set, (*reps, *live_reps), *reason).await;
            }
            LiveEvent::Strap(s) => {
                self.state(&self.topics.strap(&slug(&s.strap)), payloads::strap(s));
            }
            _ => {}
        }
        if let Some((kind, v)) = payloads::event(&e) {
            self.event(kind, &v);
        }
        if matches!(e, LiveEvent::Slouch(_)) {
            self.publish_today(None).await;
        }
    }

    /// A set's end: its event with the stored score, the set state, today.
    async fn set_ended(&mut self, set: SetId, (reps, live_reps): (u32, u32), reason: EndReason) {
        let (exercise, target) = self.started.remove(&set).unzip();
        let stored = self.publish_today(Some(set)).await;
        let end = SetEnd {
            set,
            exercise: exercise.or_else(|| stored.as_ref().map(|s| s.set.info.exercise.clone())),
            reps,
            live_reps,
            target_reps: target.or_else(|| stored.as_ref().and_then(|s| s.set.info.target_reps)),
            reason,
            score: stored.as_ref().and_then(today::score),
        };
        self.event("set_ended", &payloads::set_ended(&end));
        let now = self.daemon.live.set();
        self.state(&self.topics.set(), payloads::set(now.as_ref()));
    }

    /// Reads and publishes today's totals; returns the stored set asked for.
    async fn publish_today(&mut self, set: Option<SetId>) -> Option<crate::store::SetDetail> {
        match today::read(&self.daemon.store, now_s(), set).await {
            Ok((totals, found)) => {
                self.state(&self.topics.today(), totals);
                found
            }
            Err(e) => {
                tracing::warn!("MQTT: today's totals could not be read: {e}");
                None
            }
        }
    }

    /// A state topic: published when it changed (or is new on this connection).
    fn state(&mut self, topic: &str, v: Value) {
        if self.client.is_none() || self.last.get(topic) == Some(&v) {
            return;
        }
        if self.send(topic, &v, self.retain) {
            self.last.insert(topic.to_owned(), v);
        }
    }

    /// An event: sent now, or dropped and counted.
    fn event(&mut self, kind: &str, v: &Value) {
        if !self.send(&self.topics.event(kind), v, false) {
            self.daemon.mqtt.dropped(1);
        }
    }

    fn send(&self, topic: &str, v: &Value, retain: bool) -> bool {
        self.publish(topic, v.to_string().into_bytes(), retain)
    }

    fn publish(&self, topic: &str, payload: Vec<u8>, retain: bool) -> bool {
        self.client.as_ref().is_some_and(|c| {
            c.try_publish(topic, QoS::AtLeastOnce, retain, payload)
                .is_ok()
        })
    }
}

/// What the discovery configs are made of: the straps and exercises loaded at
/// start, the routines in force.
fn inventory(daemon: &Daemon) -> Inventory {
    Inventory {
        straps: daemon.config.straps.iter().map(|s| s.label()).collect(),
        exercises: daemon
            .exercises
            .all()
            .iter()
            .map(|e| e.id.clone())
            .collect(),
        routines: daemon
            .settings()
            .routines
            .iter()
            .map(|r| r.name.clone())
            .collect(),
    }
}

/// Carries out commands one at a time; each answer goes back to be published.
async fn command_worker(
    daemon: Daemon,
    mut rx: mpsc::Receiver<(String, Vec<u8>)>,
    out: mpsc::Sender<Value>,
) {
    while let Some((name, payload)) = rx.recv().await {
        let outcome = match commands::parse(&name, &payload) {
            Ok(cmd) => commands::execute(&daemon, cmd).await,
            Err(e) => Err(e),
        };
        match &outcome {
            Ok(_) => tracing::info!(command = %name, "MQTT command done"),
            Err(e) => tracing::warn!(command = %name, "MQTT command refused: {e}"),
        }
        daemon.mqtt.command(outcome.is_err());
        let _ = out.send(commands::result(&name, &outcome)).await;
    }
}
