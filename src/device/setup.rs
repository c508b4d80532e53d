//! Connecting a strap and setting it up, restarting a stalled PMD stream, and
//! stopping it: the I/O behind [`super::link::Action`]s `Connect`,
//! `RestartStream`, `Disconnect` and `StopAndDisconnect`.
//!
//! PMD follows Polar's order (PMD specification, Polar BLE SDK `BlePMDClient`):
//! control point indications on, data notifications on, then the settings query
//! and START. An H10 keeps streaming across a link loss, so after a reconnect
//! START may answer "already in state" (6): the stream is stopped and started
//! again with this connection's settings.

use btleplug::api::{Characteristic, Peripheral as _, WriteType};
use btleplug::platform::Peripheral;
use futures::StreamExt;

use super::ble::{ANSWER_TIMEOUT, classify, timed, uuid};
use super::link::{Input, silence_limit};
use super::pmd::{Indication, pick, status_of};
use super::strap::{Session, StrapTask};
use super::{DeviceError, StrapEventKind, StrapKind};
use crate::protocol::{hrs, open_imu, pmd};

/// Samples in an H10 ACC frame at its usual MTU (for the silence limit).
const H10_SAMPLES_PER_FRAME: f64 = 36.0;
/// An open IMU strap sends frames of a tenth of a second.
const OPEN_IMU_FRAME_S: f64 = 0.1;

impl StrapTask {
    /// Connects and sets the strap up: `Connected` or `ConnectFailed`.
    pub(super) async fn connect(&mut self) -> Input {
        let Some(p) = self.found.as_ref().map(|f| f.p.clone()) else {
            return Input::ConnectFailed;
        };
        self.pmd.reconnected();
        self.imu.reconnected();
        self.answers.reset();
        self.session = None;
        let cancel = self.cancel.clone();
        let outcome = tokio::select! {
            () = cancel.cancelled() => return Input::Stop,
            r = self.connect_and_set_up(&p) => r,
        };
        match outcome {
            Ok(input) => input,
            Err(e) => {
                tracing::warn!(strap = %self.label, "connection failed: {e}");
                Input::ConnectFailed
            }
        }
    }

    async fn connect_and_set_up(&mut self, p: &Peripheral) -> Result<Input, DeviceError> {
        // Always ask: right after a link loss the cached "connected" can still say
        // yes, and connecting an already connected device is a no-op.
        self.bt.pause_discovery().await;
        let connected = timed("connect", p.connect()).await;
        self.bt.resume_discovery().await;
        connected?;
        timed("service discovery", p.discover_services()).await?;
        let session = self.identify(p).await;
        self.session = Some(session.clone());
        self.battery_and_heart_rate(p).await?;
        let rate = f64::from(self.cfg.rate_hz);
        let input = match session.kind {
            StrapKind::PolarH10 => {
                let rate = self.start_pmd(p).await?;
                Input::Connected {
                    restartable: true,
                    silence_s: Some(silence_limit(rate, H10_SAMPLES_PER_FRAME)),
                }
            }
            StrapKind::OpenImu => {
                self.start_open_imu(p, &session).await?;
                Input::Connected {
                    restartable: false,
                    silence_s: Some(silence_limit(rate, rate * OPEN_IMU_FRAME_S)),
                }
            }
            StrapKind::HeartRate => Input::Connected {
                restartable: false,
                silence_s: None,
            },
        };
        Ok(input)
    }

    /// Finds the characteristics and tells what kind of strap it is.
    async fn identify(&mut self, p: &Peripheral) -> Session {
        let chars = p.characteristics();
        let find = |u: &str| chars.iter().find(|c| c.uuid == uuid(u)).cloned();
        let services: Vec<_> = p.services().iter().map(|s| s.uuid).collect();
        let name = self.found.as_ref().and_then(|f| f.name.clone());
        let kind = classify(name.as_deref(), &services).unwrap_or(StrapKind::HeartRate);
        self.emit(StrapEventKind::Identified {
            kind,
            address: p.address().to_string(),
            name,
        })
        .await;
        Session {
            kind,
            data: find(pmd::DATA).or_else(|| find(open_imu::DATA)),
            control: find(pmd::CONTROL_POINT),
            haptic: find(open_imu::HAPTIC),
            start: None,
        }
    }

    async fn battery_and_heart_rate(&mut self, p: &Peripheral) -> Result<(), DeviceError> {
        let chars = p.characteristics();
        let find = |u: &str| chars.iter().find(|c| c.uuid == uuid(u)).cloned();
        if let Some(battery) = find(hrs::BATTERY_LEVEL) {
            if let Ok(Ok(pct)) = timed("battery read", p.read(&battery))
                .await
                .map(|b| hrs::decode_battery(&b))
            {
                self.emit(StrapEventKind::Battery(pct)).await;
            }
            let _ = timed("battery subscribe", p.subscribe(&battery)).await;
        }
        if let Some(hr) = find(hrs::HEART_RATE_MEASUREMENT) {
            timed("heart rate subscribe", p.subscribe(&hr)).await?;
        }
        Ok(())
    }

    async fn start_open_imu(&mut self, p: &Peripheral, s: &Session) -> Result<(), DeviceError> {
        let chars = p.characteristics();
        if let Some(config) = chars.iter().find(|c| c.uuid == uuid(open_imu::CONFIG)) {
            let want = open_imu::Config {
                rate_hz: self.cfg.rate_hz,
                accel_range_g: self.cfg.range_g.min(255) as u8,
                gyro_range_dps: 2000,
            };
            let bytes = want.encode();
            timed(
                "config write",
                p.write(config, &bytes, WriteType::WithResponse),
            )
            .await?;
        }
        if let Some(data) = &s.data {
            timed("data subscribe", p.subscribe(data)).await?;
        }
        Ok(())
    }

    /// PMD setup: indications on, data notifications on, settings query, START
    /// (stopping a stream left running first); returns the rate it runs at.
    async fn start_pmd(&mut self, p: &Peripheral) -> Result<f64, DeviceError> {
        let session = self.session.clone().ok_or(DeviceError::LinkLost)?;
        let control = session
            .control
            .ok_or(DeviceError::Missing("PMD control point"))?;
        let data = session.data.ok_or(DeviceError::Missing("PMD data"))?;
        timed("control point subscribe", p.subscribe(&control)).await?;
        timed("data subscribe", p.subscribe(&data)).await?;
        let settings = self
            .ask(p, &control, &pmd::encode_get_settings(pmd::ACC))
            .await?;
        let supported = settings.settings().unwrap_or_default();
        let rate = pick(&supported.sample_rates, self.cfg.rate_hz);
        let range = pick(&supported.ranges, self.cfg.range_g);
        let resolution = supported.resolutions.first().copied().unwrap_or(16);
        let start = pmd::encode_start(pmd::ACC, rate, resolution, range);
        let answer = self.start_acc(p, &control, &start).await?;
        let factor = answer.settings().and_then(|x| x.factor).unwrap_or(1.0);
        self.pmd.restarted(f64::from(rate), factor, resolution);
        if let Some(s) = self.session.as_mut() {
            s.start = Some(start);
        }
        tracing::info!(strap = %self.label, rate, range, resolution, "PMD accelerometer started");
        Ok(f64::from(rate))
    }

    /// START; if a stream is already running ("already in state"), STOP and
    /// START again.
    async fn start_acc(
        &mut self,
        p: &Peripheral,
        control: &Characteristic,
        start: &[u8],
    ) -> Result<pmd::Control, DeviceError> {
        let mut answer = self.ask(p, control, start).await?;
        if status_of(&answer) == Some(pmd::Status::Error(6)) {
            self.ask(p, control, &pmd::encode_stop(pmd::ACC)).await?;
            answer = self.ask(p, control, start).await?;
        }
        match status_of(&answer) {
            Some(pmd::Status::Success) => Ok(answer),
            Some(status) => Err(DeviceError::Refused(status.describe())),
            None => Err(DeviceError::Refused("something that is not a PMD answer")),
        }
    }

    /// A stalled PMD stream: STOP (whatever it answers) and START again.
    pub(super) async fn restart(&mut self) -> Input {
        let (Some(p), Some(s)) = (
            self.found.as_ref().map(|f| f.p.clone()),
            self.session.clone(),
        ) else {
            return Input::RestartFailed;
        };
        let (Some(control), Some(start)) = (s.control, s.start) else {
            return Input::RestartFailed;
        };
        let outcome = async {
            self.ask(&p, &control, &pmd::encode_stop(pmd::ACC)).await?;
            self.start_acc(&p, &control, &start).await
        }
        .await;
        match outcome {
            Ok(_) => {
                // A new stream: its clock is mapped afresh.
                self.pmd.reconnected();
                tracing::info!(strap = %self.label, "PMD stream restarted");
                Input::Restarted
            }
            Err(e) => {
                tracing::warn!(strap = %self.label, "restarting the stream: {e}");
                Input::RestartFailed
            }
        }
    }

    /// Writes a control point request and waits for its (joined) answer; data
    /// and other notifications meanwhile are skipped.
    async fn ask(
        &mut self,
        p: &Peripheral,
        control: &Characteristic,
        request: &[u8],
    ) -> Result<pmd::Control, DeviceError> {
        let write = p.write(control, request, WriteType::WithResponse);
        timed("control point write", write).await?;
        self.answers.reset();
        let (found, answers, label) = (&mut self.found, &mut self.answers, &self.label);
        let notes = &mut found.as_mut().ok_or(DeviceError::LinkLost)?.notes;
        let wait = async {
            while let Some(n) = notes.next().await {
                if n.uuid != control.uuid {
                    continue;
                }
                match answers.push(&n.value) {
                    Ok(Indication::Answer(c @ pmd::Control::Response { opcode, .. }))
                        if opcode == request[0] =>
                    {
                        return Ok(c);
                    }
                    Ok(_) => {}
                    Err(e) => tracing::debug!(strap = %label, "control point: {e}"),
                }
            }
            Err(DeviceError::LinkLost)
        };
        tokio::time::timeout(ANSWER_TIMEOUT, wait)
            .await
            .map_err(|_| DeviceError::Timeout {
                what: "PMD control point answer",
                secs: ANSWER_TIMEOUT.as_secs(),
            })?
    }

    /// Drops the link ourselves.
    pub(super) async fn disconnect(&mut self) {
        if let Some(f) = &self.found
            && let Err(e) = timed("disconnect", f.p.disconnect()).await
        {
            tracing::debug!(strap = %self.label, "disconnecting: {e}");
        }
    }

    /// Stops a Polar stream (an H10 otherwise stays on) and disconnects.
    pub(super) async fn shut_down(&mut self) {
        let session = self.session.clone();
        let p = self.found.as_ref().map(|f| f.p.clone());
        if let (Some(p), Some(s)) = (p, session)
            && s.kind == StrapKind::PolarH10
            && let Some(control) = &s.control
            && let Err(e) = self.ask(&p, control, &pmd::encode_stop(pmd::ACC)).await
        {
            tracing::warn!(strap = %self.label, "stopping the PMD stream: {e}");
        }
        self.disconnect().await;
    }
}
