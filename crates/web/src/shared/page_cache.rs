//! Rendered pages kept per person (issue #17; docs/performance.md). The pages that people reload
//! most — the meeting page in a live meeting, the dashboard, the register, the budget and a
//! scenario — cost ten to twenty-five queries and a large template each; a reload that nothing
//! has changed since is served from memory after the session check instead.
//!
//! Exact and compartmented by construction:
//! - an entry belongs to one person (the key holds their id) and is only served to a request
//!   whose session the middleware before this one found valid for that person; the CSRF token of
//!   the request is put in on the way out, so an entry holds no session's secret;
//! - every change to what a page can show notifies `gg_change` (migration 0027) at commit, on
//!   every instance; any notification empties the cache, and an entry rendered from data read
//!   before the notification is never stored (it carries the generation it started in);
//! - a state change handled by this instance empties it at once, before its redirect is
//!   answered, so the next page never waits for the notification's round trip;
//! - without a listening connection (start-up, database gone) nothing is served from the cache;
//! - an entry is for one day (Amsterdam) and lives at most [`MAX_AGE`], the meeting page (a
//!   running item's clock) one second: what depends on the time of day is never older than that.

use crate::shared::csrf::CsrfToken;
use crate::shared::session::CurrentUser;
use crate::shared::state::AppState;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use store::live::{Listener, Signal};

/// The longest any entry lives: a bound on what the time of day can change on a page.
pub const MAX_AGE: Duration = Duration::from_secs(60);

/// The pages kept (route patterns), each with how long an entry may live.
const PAGES: &[(&str, Duration)] = &[
    ("/", MAX_AGE),
    ("/afspraken", MAX_AGE),
    ("/begroting", MAX_AGE),
    ("/begroting/scenarios/{id}", MAX_AGE),
    // Shows the running item's elapsed time and the server's clock for the live timer.
    ("/vergaderingen/{id}", Duration::from_secs(1)),
];

/// Enough for every person's few pages; beyond it the cache starts afresh.
const MAX_ENTRIES: usize = 2_000;
/// A page larger than this is served but not kept.
const MAX_BODY: usize = 2 << 20;

#[derive(Clone, Default)]
pub struct PageCache(Arc<Inner>);

#[derive(Default)]
struct Inner {
    /// Moves on at every change; an entry is good only in the generation it was rendered in.
    generation: AtomicU64,
    listening: AtomicBool,
    entries: Mutex<HashMap<Key, Entry>>,
    hits: AtomicU64,
    /// The renders under way, one lock per page (see [`serve`]).
    flights: Mutex<HashMap<Key, Arc<tokio::sync::Mutex<()>>>>,
    /// Sessions as last read, by the hash of their id (see [`PageCache::session`]).
    sessions: Mutex<HashMap<Vec<u8>, KeptSession>>,
}

/// A full session and its person as read from the database, for the session check of the next
/// requests of that browser (`shared::session`).
#[derive(Clone)]
pub struct KeptSession {
    pub person: Arc<store::people::SignedIn>,
    pub created_at: time::OffsetDateTime,
    pub last_seen_at: time::OffsetDateTime,
    generation: u64,
    stored: Instant,
}

/// How long a kept session is trusted without reading it again: a bound on top of the
/// notifications, which end it at once.
const SESSION_AGE: Duration = Duration::from_secs(30);
/// More browsers than a hospital has; beyond it the sessions are read afresh.
const MAX_SESSIONS: usize = 20_000;

#[derive(Clone, Hash, PartialEq, Eq)]
struct Key {
    person: i64,
    /// Path and query, as requested.
    uri: String,
    day: time::Date,
}

struct Entry {
    generation: u64,
    stored: Instant,
    max_age: Duration,
    headers: HeaderMap,
    /// The page cut where the CSRF token of the request that rendered it stood (a random
    /// 43-character string: it occurs nowhere else), to be joined with the next request's.
    pieces: Arc<[String]>,
}

impl PageCache {
    /// Whether pages are served from the cache now (the listener is connected).
    pub fn is_listening(&self) -> bool {
        self.0.listening.load(Ordering::Acquire)
    }

    /// How many requests were answered from the cache so far (tests and benchmarks).
    pub fn hits(&self) -> u64 {
        self.0.hits.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Entry>> {
        self.0.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Something changed: nothing kept so far may be served again.
    fn changed(&self) {
        self.0.generation.fetch_add(1, Ordering::AcqRel);
        self.lock().clear();
        self.sessions().clear();
    }

    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<Vec<u8>, KeptSession>> {
        self.0.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The session with this id hash as last read, while nothing changed since (any change
    /// to people, roles or memberships, a session ended anywhere — `gg_person` — or a state
    /// change on this instance), the listener is connected and it was read less than
    /// [`SESSION_AGE`] ago. The caller still applies the timeouts to it.
    pub fn session(&self, id_hash: &[u8]) -> Option<KeptSession> {
        if !self.is_listening() {
            return None;
        }
        let generation = self.generation();
        let sessions = self.sessions();
        let kept = sessions.get(id_hash)?;
        (kept.generation == generation && kept.stored.elapsed() < SESSION_AGE).then(|| kept.clone())
    }

    /// The generation to pass to [`PageCache::keep_session`]: read before the session is.
    pub fn session_generation(&self) -> u64 {
        self.generation()
    }

    /// Keeps a session read from the database in `generation`.
    pub fn keep_session(
        &self,
        id_hash: &[u8],
        generation: u64,
        person: Arc<store::people::SignedIn>,
        created_at: time::OffsetDateTime,
        last_seen_at: time::OffsetDateTime,
    ) {
        let mut sessions = self.sessions();
        if generation != self.generation() || !self.is_listening() {
            return;
        }
        if sessions.len() >= MAX_SESSIONS {
            sessions.clear();
        }
        sessions.insert(
            id_hash.to_vec(),
            KeptSession {
                person,
                created_at,
                last_seen_at,
                generation,
                stored: Instant::now(),
            },
        );
    }

    fn generation(&self) -> u64 {
        self.0.generation.load(Ordering::Acquire)
    }

    fn get(&self, key: &Key, generation: u64) -> Option<(HeaderMap, Arc<[String]>)> {
        let entries = self.lock();
        let entry = entries.get(key)?;
        (entry.generation == generation && entry.stored.elapsed() < entry.max_age)
            .then(|| (entry.headers.clone(), entry.pieces.clone()))
    }

    /// The kept page for `key`, with `token` put in, if it is still good.
    fn hit(&self, key: &Key, token: &str) -> Option<Response> {
        let (headers, pieces) = self.get(key, self.generation())?;
        self.0.hits.fetch_add(1, Ordering::Relaxed);
        let mut response = Response::new(Body::from(pieces.join(token)));
        *response.headers_mut() = headers;
        Some(response)
    }

    /// The lock that renders of `key` take turns on.
    fn flight(&self, key: &Key) -> Arc<tokio::sync::Mutex<()>> {
        let mut flights = self.0.flights.lock().unwrap_or_else(|e| e.into_inner());
        flights.entry(key.clone()).or_default().clone()
    }

    /// A render of `key` is done: forgets its lock when nobody else waits on it.
    fn landed(&self, key: &Key, flight: Arc<tokio::sync::Mutex<()>>) {
        let mut flights = self.0.flights.lock().unwrap_or_else(|e| e.into_inner());
        // Ours and the map's: nobody else holds it, and nobody can take it while we hold the map.
        if Arc::strong_count(&flight) <= 2 {
            flights.remove(key);
        }
    }

    fn put(&self, key: Key, entry: Entry) {
        let mut entries = self.lock();
        // Checked under the lock that `changed` takes to clear: a page read before a change is
        // either cleared with the rest or refused here.
        if entry.generation != self.generation() {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, e| e.stored.elapsed() < e.max_age);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key, entry);
    }
}

/// Listens to `gg_change` and `gg_person` for this instance's caches until the store closes.
pub fn spawn(state: &AppState) -> tokio::task::JoinHandle<()> {
    let cache = state.part::<PageCache>().clone();
    let mut listener = Listener::changes(&state.store);
    tokio::spawn(async move {
        while let Some(signal) = listener.next().await {
            match signal {
                Signal::Resync => {
                    cache.changed();
                    cache.0.listening.store(true, Ordering::Release);
                }
                Signal::Lost => {
                    cache.0.listening.store(false, Ordering::Release);
                    cache.changed();
                }
                _ => cache.changed(),
            }
        }
        cache.0.listening.store(false, Ordering::Release);
        cache.changed();
    })
}

/// Middleware (innermost, after the session and CSRF checks): answers the kept pages from
/// memory when nothing changed, keeps what they render, and empties the cache after every state
/// change this instance handles.
pub async fn serve(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let cache = state.part::<PageCache>();
    if req.method() != Method::GET {
        let response = next.run(req).await;
        cache.changed();
        return response;
    }
    let max_age = req
        .extensions()
        .get::<MatchedPath>()
        .and_then(|p| PAGES.iter().find(|(page, _)| *page == p.as_str()))
        .map(|(_, age)| *age);
    let person = req
        .extensions()
        .get::<CurrentUser>()
        .map(|u| u.person.actor.person_id.get());
    // Cut at, so it must be the long random token the CSRF layer hands out.
    let token = req
        .extensions()
        .get::<CsrfToken>()
        .map(|t| t.0.clone())
        .filter(|t| t.len() >= 32);
    let (Some(max_age), Some(person), Some(token)) = (max_age, person, token) else {
        return next.run(req).await;
    };
    if !cache.is_listening() {
        return next.run(req).await;
    }
    let key = Key {
        person,
        uri: req
            .uri()
            .path_and_query()
            .map_or_else(|| req.uri().path().to_string(), |p| p.as_str().to_string()),
        day: domain::nl::to_amsterdam(time::OffsetDateTime::now_utc()).date(),
    };
    if let Some(hit) = cache.hit(&key, &token) {
        return hit;
    }
    // One render per page at a time: the requests that miss together (an entry just expired,
    // thirty reloads after a change) wait for it instead of each rendering the page again.
    let flight = cache.flight(&key);
    let turn = flight.lock().await;
    if let Some(hit) = cache.hit(&key, &token) {
        drop(turn);
        cache.landed(&key, flight);
        return hit;
    }
    let generation = cache.generation();
    let response = next.run(req).await;
    let response = keep(cache, key.clone(), generation, max_age, &token, response).await;
    drop(turn);
    cache.landed(&key, flight);
    response
}

/// Keeps `response` when it is a whole HTML page that may be kept; returns it unchanged.
async fn keep(
    cache: &PageCache,
    key: Key,
    generation: u64,
    max_age: Duration,
    token: &str,
    response: Response,
) -> Response {
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
    if response.status() != StatusCode::OK
        || !html
        || response.headers().contains_key(header::SET_COOKIE)
    {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return crate::shared::error::AppError::bug("page body unreadable").into_response();
    };
    if bytes.len() <= MAX_BODY
        && let Ok(page) = std::str::from_utf8(&bytes)
    {
        cache.put(
            key,
            Entry {
                generation,
                stored: Instant::now(),
                max_age,
                headers: parts.headers.clone(),
                pieces: page.split(token).map(str::to_string).collect(),
            },
        );
    }
    Response::from_parts(parts, Body::from(bytes))
}
