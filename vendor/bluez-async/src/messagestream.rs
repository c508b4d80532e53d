use dbus::Message;
use dbus::channel::MatchingReceiver;
use dbus::nonblock::{MsgMatch, SyncConnection};
use futures::Stream;
use futures::channel::mpsc::UnboundedReceiver;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// Wrapper for a stream of D-Bus messages which automatically removes the `MsgMatch` from the D-Bus
/// connection when it is dropped.
pub struct MessageStream {
    msg_match: Option<MsgMatch>,
    /// The rule as registered with the bus, to remove it there even when dbus-rs
    /// has already dropped its local filter (postured patch, see `Drop`).
    match_str: String,
    events: UnboundedReceiver<Message>,
    connection: Arc<SyncConnection>,
}

impl MessageStream {
    pub fn new(msg_match: MsgMatch, match_str: String, connection: Arc<SyncConnection>) -> Self {
        let (msg_match, events) = msg_match.msg_stream();
        Self {
            msg_match: Some(msg_match),
            match_str,
            events,
            connection,
        }
    }
}

impl Stream for MessageStream {
    type Item = Message;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.events).poll_next(cx)
    }
}

// postured patch. Upstream (0.9.0) did
//     tokio::spawn(async move { connection.remove_match(msg_match.token()).await.unwrap() });
// When a matching signal is dispatched after the receiver is dropped and before
// that task runs, the `msg_stream` callback returns false and dbus-rs removes its
// local filter itself; `remove_match` then fails with "No match with that id
// found" before sending `RemoveMatch` to the bus, the unwrap panics the task, and
// the rule stays on the bus for the life of the connection (dbus-daemon allows
// 512 per connection by default). btleplug's `connect` drops such a stream in
// every `connect_with_timeout`, so a reconnecting daemon ran out of rules.
// Here the local filter is removed if it is still there, and the rule is always
// removed from the bus by its text; failures are logged, never unwrapped.
impl Drop for MessageStream {
    fn drop(&mut self) {
        let connection = self.connection.clone();
        let match_str = std::mem::take(&mut self.match_str);
        let Some(msg_match) = self.msg_match.take() else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        runtime.spawn(async move {
            // None when dbus-rs already dropped the filter (the race above).
            let _ = connection.stop_receive(msg_match.token());
            if let Err(e) = connection.remove_match_no_cb(&match_str).await {
                log::debug!("RemoveMatch {match_str}: {e}");
            }
        });
    }
}
