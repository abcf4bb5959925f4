//! The live meeting (product.md A5): `GET /vergaderingen/{id}/live` is a stream of server-sent
//! events that carries the meeting page's agenda fragment, rendered for the receiving person.
//!
//! - The store announces every change of a meeting on PostgreSQL's `gg_meeting` channel at
//!   commit (`store::live`). One listener per app instance ([`Hub`]) fans the meeting ids out to
//!   the streams of that instance, so several instances on one database stay in step.
//! - On connect the stream sends the current fragment at once (a reconnect never misses state),
//!   then, after each change of its meeting, the fragment anew — only when it differs from the
//!   last one sent. The first change after a quiet spell goes out at once; a burst of changes
//!   is gathered into at most one update per [`DEBOUNCE`]. Hidden items are filtered out before
//!   rendering, exactly as on the page: they never leave the server.
//! - One snapshot of the meeting is read per change and shared by all streams of this instance;
//!   each stream only filters and renders.
//! - When what the person may see changes — a session of theirs ends (logout, password change,
//!   blocking), or their account, roles or memberships change — the database says so on
//!   `gg_person` at commit (`store::live::PERSON_CHANNEL`), and the stream checks its session
//!   and rights again at once: a session that ended or a person who may no longer see the
//!   meeting ends the stream with `event: end`; otherwise the fragment is rendered anew for the
//!   new rights, so a body-only item of a body the person left is not sent again. After a
//!   reconnect of the listener (notifications may have been missed) the same check runs.
//! - Every [`CHECK_EVERY`] the stream also sends a keep-alive comment and checks the session
//!   (expiry has no notification). While the meeting is in session the open stream counts as
//!   activity for the idle timeout (someone following a two-hour meeting is not idle); the
//!   absolute session lifetime still applies.
//! - A meeting that is not (or no longer) followed live — see [`super::page::streams`] — gets
//!   its state once and `event: end`: the stream closes, and the browser does not reconnect.

use super::page::{self, Snapshot};
use super::visible_meeting;
use crate::shared::error::{AppError, AppResult};
use crate::shared::session;
use crate::shared::session::{CurrentUser, User};
use crate::shared::state::AppState;
use crate::shared::views::Ctx;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderName, HeaderValue};
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use domain::ids::MeetingId;
use domain::meetings::status::MeetingStatus;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;
use store::StoreError;
use store::live::{Listener, Signal};
use time::OffsetDateTime;
use tokio::sync::{OnceCell, broadcast, mpsc, watch};
use tokio_stream::wrappers::ReceiverStream;

/// The shortest time between two updates of one stream; changes within it are sent as one.
pub const DEBOUNCE: Duration = Duration::from_millis(100);
/// Keep-alive comment and session check.
pub const CHECK_EVERY: Duration = Duration::from_secs(15);
/// How long the browser waits before reconnecting after a dropped connection.
const RETRY: Duration = Duration::from_secs(2);

type SharedSnapshot = Arc<OnceCell<Arc<Snapshot>>>;

/// The live-update hub of one app instance: the listener task, its fan-out, and the snapshot
/// each change is rendered from. Cheap to clone.
#[derive(Clone)]
pub struct Hub(Arc<Inner>);

struct Inner {
    /// Created (and the listener task started) by the first stream.
    signals: OnceLock<broadcast::Sender<Signal>>,
    /// The snapshot of each followed meeting since its last change; a change removes it.
    snapshots: Mutex<HashMap<MeetingId, SharedSnapshot>>,
    /// `true` once the app is stopping: every stream ends, so the server can stop.
    closing: watch::Sender<bool>,
}

impl Default for Hub {
    fn default() -> Self {
        Self(Arc::new(Inner {
            signals: OnceLock::new(),
            snapshots: Mutex::new(HashMap::new()),
            closing: watch::channel(false).0,
        }))
    }
}

impl Hub {
    /// Ends every live stream and the listener (on shutdown); browsers reconnect to wherever the
    /// app runs next.
    pub fn close(&self) {
        self.0.closing.send_replace(true);
    }

    /// Receives the signals of this instance, starting the listener at the first call.
    fn subscribe(&self, state: &AppState) -> broadcast::Receiver<Signal> {
        self.0
            .signals
            .get_or_init(|| {
                let (tx, _) = broadcast::channel(1024);
                tokio::spawn(listen(
                    Listener::new(&state.store),
                    Arc::downgrade(&self.0),
                    tx.clone(),
                    self.0.closing.subscribe(),
                ));
                tx
            })
            .subscribe()
    }

    /// The shared snapshot of a meeting as of its last change, read by the first stream that
    /// asks for it.
    async fn snapshot(&self, state: &AppState, meeting_id: MeetingId) -> AppResult<Arc<Snapshot>> {
        let cell = {
            let mut map = self.0.snapshots.lock().unwrap_or_else(|e| e.into_inner());
            map.entry(meeting_id).or_default().clone()
        };
        cell.get_or_try_init(|| async {
            let meeting = store::meetings::get(state.store.pool(), meeting_id).await?;
            Ok::<_, AppError>(Arc::new(page::snapshot(state, meeting).await?))
        })
        .await
        .cloned()
    }
}

impl Inner {
    fn forget(&self, signal: Signal) {
        let mut map = self.snapshots.lock().unwrap_or_else(|e| e.into_inner());
        match signal {
            Signal::Meeting(id) => {
                map.remove(&id);
            }
            // A person's rights are not part of a meeting's snapshot.
            Signal::Person(_) => {}
            Signal::Resync => map.clear(),
            // Not heard on this listener's channels; a lost connection ends in a Resync.
            Signal::Changed | Signal::Lost => {}
        }
    }
}

/// Resolves once the app is stopping.
async fn stopping(closing: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns may not live across an await.
    let _ = closing.wait_for(|c| *c).await.is_ok();
}

/// The listener task: forwards the database's signals until the app stops.
async fn listen(
    mut listener: Listener,
    hub: Weak<Inner>,
    tx: broadcast::Sender<Signal>,
    mut closing: watch::Receiver<bool>,
) {
    loop {
        let signal = tokio::select! {
            s = listener.next() => s,
            _ = stopping(&mut closing) => None,
        };
        let (Some(signal), Some(hub)) = (signal, hub.upgrade()) else {
            return;
        };
        // The old snapshot goes first, so whoever reacts to the signal reads the new state.
        hub.forget(signal);
        let _ = tx.send(signal);
    }
}

/// `GET /vergaderingen/{id}/live`.
pub(super) async fn stream(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<MeetingId>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    let follows = page::streams(meeting.status);
    // Subscribe before reading, so no change between the read and the subscription is lost.
    let signals = follows.then(|| state.part::<Hub>().subscribe(&state));
    let snap = page::snapshot(&state, meeting).await?;
    let html = render(&snap, &user, &ctx.csrf)?;

    let (tx, rx) = mpsc::channel::<Result<Event, Infallible>>(8);
    let first = Event::default().event("agenda").retry(RETRY).data(&html);
    // The channel is empty: these cannot fail.
    let _ = tx.try_send(Ok(first));
    match signals {
        None => {
            let _ = tx.try_send(Ok(end("gesloten")));
        }
        Some(signals) => {
            let follow = Follow {
                state: state.clone(),
                user,
                csrf: ctx.csrf,
                meeting_id: id,
                in_session: snap.meeting.status == MeetingStatus::InVergadering,
                last: html,
                // The first change after connecting goes out at once.
                rendered: tokio::time::Instant::now()
                    .checked_sub(DEBOUNCE)
                    .unwrap_or_else(tokio::time::Instant::now),
                tx,
            };
            tokio::spawn(follow.run(signals));
        }
    }
    let mut response = Sse::new(ReceiverStream::new(rx)).into_response();
    // Proxies such as nginx must pass events on at once.
    response.headers_mut().insert(
        HeaderName::from_static("x-accel-buffering"),
        HeaderValue::from_static("no"),
    );
    Ok(response)
}

fn render(snap: &Snapshot, user: &User, csrf: &str) -> AppResult<String> {
    Ok(page::agenda(snap, user, csrf, OffsetDateTime::now_utc()).render()?)
}

fn end(reason: &str) -> Event {
    Event::default().event("end").data(reason)
}

/// One person following one meeting.
struct Follow {
    state: AppState,
    user: User,
    csrf: String,
    meeting_id: MeetingId,
    in_session: bool,
    /// The fragment sent last, and when it was rendered.
    last: String,
    rendered: tokio::time::Instant,
    tx: mpsc::Sender<Result<Event, Infallible>>,
}

/// What to do after looking at the meeting again.
enum Next {
    Continue,
    End(&'static str),
}

impl Follow {
    async fn run(mut self, mut signals: broadcast::Receiver<Signal>) {
        let mut closing = self.state.part::<Hub>().0.closing.subscribe();
        let mut check =
            tokio::time::interval_at(tokio::time::Instant::now() + CHECK_EVERY, CHECK_EVERY);
        let me = self.user.actor.person_id.get();
        loop {
            let next = tokio::select! {
                _ = self.tx.closed() => return,
                _ = stopping(&mut closing) => return,
                _ = check.tick() => self.check().await,
                signal = signals.recv() => match signal {
                    Ok(Signal::Meeting(id)) if id != self.meeting_id => continue,
                    Ok(Signal::Person(id)) if id != me => continue,
                    // At once, not debounced: a logout must not wait for anything.
                    Ok(Signal::Person(_)) => self.recheck().await,
                    // Not on this listener's channels; a lost connection ends in a Resync.
                    Ok(Signal::Changed | Signal::Lost) => continue,
                    Ok(first) => {
                        tokio::time::sleep_until(self.rendered + DEBOUNCE).await;
                        // Whatever else arrived meanwhile is covered by the render below; a
                        // change of the person's own rights (or missed signals) is checked
                        // first.
                        let mut rights = first == Signal::Resync;
                        loop {
                            match signals.try_recv() {
                                Ok(Signal::Person(id)) => rights |= id == me,
                                Ok(Signal::Resync) | Err(broadcast::error::TryRecvError::Lagged(_)) => {
                                    rights = true;
                                }
                                Ok(Signal::Meeting(_) | Signal::Changed | Signal::Lost) => {}
                                Err(_) => break,
                            }
                        }
                        if rights {
                            self.recheck().await
                        } else {
                            self.update().await
                        }
                    }
                    // Signals were lost: whatever they were, check and render again.
                    Err(broadcast::error::RecvError::Lagged(_)) => self.recheck().await,
                    Err(broadcast::error::RecvError::Closed) => return,
                },
            };
            if let Next::End(reason) = next {
                let _ = self.tx.send(Ok(end(reason))).await;
                return;
            }
        }
    }

    /// The session and the person's rights as they are now, then the meeting rendered for them.
    async fn recheck(&mut self) -> Next {
        match self.check().await {
            Next::Continue => self.update().await,
            end => end,
        }
    }

    /// Renders the meeting as it is now and sends it if it changed.
    async fn update(&mut self) -> Next {
        let snap = match self
            .state
            .part::<Hub>()
            .snapshot(&self.state, self.meeting_id)
            .await
        {
            Ok(snap) => snap,
            Err(AppError::NotFound) => return Next::End("weg"),
            Err(e) => {
                // The database is away: the listener's resync brings the stream up to date.
                tracing::warn!(error = %e, meeting = self.meeting_id.get(), "live: cannot read the meeting");
                return Next::Continue;
            }
        };
        if !self.user.actor.can_see_meeting(&snap.meeting.bodies) {
            return Next::End("weg");
        }
        self.in_session = snap.meeting.status == MeetingStatus::InVergadering;
        self.rendered = tokio::time::Instant::now();
        match render(&snap, &self.user, &self.csrf) {
            Ok(html) if html != self.last => {
                let event = Event::default().event("agenda").data(&html);
                if self.tx.send(Ok(event)).await.is_err() {
                    return Next::End("weg");
                }
                self.last = html;
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "live: rendering the agenda"),
        }
        if page::streams(snap.meeting.status) {
            Next::Continue
        } else {
            Next::End("gesloten")
        }
    }

    /// The periodic check: the session still alive (and the person as they are now), then a
    /// keep-alive comment.
    async fn check(&mut self) -> Next {
        match signed_in(&self.state, &self.user, self.in_session).await {
            Ok(Some(user)) => self.user = user,
            Ok(None) => return Next::End("sessie"),
            // The database is away: keep the stream; the next check decides.
            Err(e) => tracing::warn!(error = %e, "live: cannot check the session"),
        }
        if let Err(AppError::NotFound) =
            visible_meeting(&self.state, &self.user, self.meeting_id).await
        {
            return Next::End("weg");
        }
        if self
            .tx
            .send(Ok(Event::default().comment("bijgewerkt")))
            .await
            .is_err()
        {
            return Next::End("weg");
        }
        Next::Continue
    }
}

/// The person behind a session as they are now; `None` once the session ended. `touch` counts
/// the open stream as activity.
async fn signed_in(state: &AppState, user: &User, touch: bool) -> AppResult<Option<User>> {
    let hash: &[u8] = &user.session_hash;
    let Some(row) = store::accounts::find_session(&state.store, hash).await? else {
        return Ok(None);
    };
    let now = OffsetDateTime::now_utc();
    let policy = session::policy(state);
    if !policy.is_alive(row.created_at, row.last_seen_at, now) {
        return Ok(None);
    }
    if touch && policy.needs_touch(row.last_seen_at, now) {
        store::accounts::touch_session(&state.store, hash).await?;
    }
    match store::people::signed_in(&state.store, row.person_id).await {
        Ok(person) => Ok(Some(User(CurrentUser {
            person: Arc::new(person),
            session_hash: user.session_hash.clone(),
        }))),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
