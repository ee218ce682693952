//! Bounds on what anyone can make the gateway do without signing in: a rate per client
//! address on the routes anyone can call (share links, sign-in), and repeated failures that
//! write one counted audit row per minute instead of one row each.
//!
//! Both live in this copy's memory: several copies each allow the rate, and a copy that stops
//! loses at most the counts it had not written yet (the first row of each series is always
//! written at once). Every act that took effect, and every signed-in clinician's refusal, keeps
//! its own row.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::audit::{Action, AuditEvent, Outcome};
use crate::error::ApiError;

/// How long repeats of one failure are counted before their row is written.
pub const REPEAT_WINDOW: Duration = Duration::from_secs(60);
/// Distinct failures counted at once; beyond, they are counted under one row from
/// [`MANY_SOURCES`].
const MAX_REPEAT_KEYS: usize = 10_000;
/// Client addresses remembered by the rate limit; beyond, the idle ones are forgotten.
const MAX_CLIENTS: usize = 100_000;
/// The source written when too many distinct failures arrive at once.
pub const MANY_SOURCES: &str = "(many addresses)";

/// The client as the rate limit counts it: an IPv4 address, or an IPv6 /64 (one subscriber's
/// network, where an address each costs nothing).
fn client_key(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => u128::from(u32::from(v4)),
            None => u128::from(v6) >> 64 << 64,
        },
    }
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Events that are counted rather than written one by one: failures of callers who are not
/// signed in, and a share session's reads outside its study.
pub fn is_counted(event: &AuditEvent) -> bool {
    event.outcome == Outcome::Failure.as_str()
        && (event.actor == "anonymous"
            || (event.action == Action::AccessDenied.as_str() && event.actor.starts_with("share:")))
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct RepeatKey {
    action: String,
    actor: String,
    source: String,
    share_id: Option<String>,
    /// A share session's refusals stay in the trail of each study it tried.
    study_uid: Option<String>,
    detail: String,
}

struct Repeats {
    first: Instant,
    /// The events after the first one, and the last one's time.
    count: i64,
    last_at_ms: i64,
    /// The patient the repeats all named, if they all named the same.
    patient_id: Option<String>,
}

pub struct Limits {
    per_minute: f64,
    buckets: Mutex<HashMap<u128, Bucket>>,
    repeats: Mutex<HashMap<RepeatKey, Repeats>>,
}

impl Limits {
    pub fn new(per_minute: u32) -> Limits {
        Limits {
            per_minute: f64::from(per_minute.max(1)),
            buckets: Mutex::new(HashMap::new()),
            repeats: Mutex::new(HashMap::new()),
        }
    }

    /// One request from `client` to a route anyone can call: allowed while its bucket holds a
    /// token (`per_minute` of them, refilled evenly), else 429 with the seconds to wait.
    pub fn admit(&self, client: IpAddr) -> Result<(), ApiError> {
        self.admit_at(client, Instant::now())
    }

    fn admit_at(&self, client: IpAddr, now: Instant) -> Result<(), ApiError> {
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        if buckets.len() >= MAX_CLIENTS {
            let full_after = Duration::from_secs(60);
            buckets.retain(|_, b| now.duration_since(b.at) < full_after);
        }
        let per_second = self.per_minute / 60.0;
        let bucket = buckets.entry(client_key(client)).or_insert(Bucket {
            tokens: self.per_minute,
            at: now,
        });
        let refilled = now.duration_since(bucket.at).as_secs_f64() * per_second;
        bucket.tokens = (bucket.tokens + refilled).min(self.per_minute);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        let wait_s = ((1.0 - bucket.tokens) / per_second).ceil();
        Err(ApiError::TooManyAttempts {
            retry_after_s: (wait_s as i64).max(1),
        })
    }

    /// Whether `event` is to be written now: yes for the first of its kind in a window, no for
    /// a repeat (counted, written by [`Limits::due`]).
    pub fn note(&self, event: &AuditEvent) -> bool {
        self.note_at(event, Instant::now())
    }

    fn note_at(&self, event: &AuditEvent, now: Instant) -> bool {
        let Ok(mut repeats) = self.repeats.lock() else {
            return true;
        };
        let mut key = RepeatKey {
            action: event.action.clone(),
            actor: event.actor.clone(),
            source: event.source.clone(),
            share_id: event.share_id.clone(),
            study_uid: event.study_uid.clone(),
            detail: event.detail.clone(),
        };
        if !repeats.contains_key(&key) && repeats.len() >= MAX_REPEAT_KEYS {
            key.source = MANY_SOURCES.into();
            key.share_id = None;
            key.study_uid = None;
        }
        match repeats.get_mut(&key) {
            Some(seen) => {
                seen.count += 1;
                seen.last_at_ms = event.at_ms;
                if seen.patient_id != event.patient_id {
                    seen.patient_id = None;
                }
                false
            }
            None => {
                repeats.insert(
                    key,
                    Repeats {
                        first: now,
                        count: 0,
                        last_at_ms: event.at_ms,
                        patient_id: event.patient_id.clone(),
                    },
                );
                true
            }
        }
    }

    /// The counted rows whose window has closed (all of them when `all`), to be written: one
    /// per kind of failure, at the last one's time, with how many it stands for.
    pub fn due(&self, all: bool) -> Vec<AuditEvent> {
        self.due_at(Instant::now(), all)
    }

    fn due_at(&self, now: Instant, all: bool) -> Vec<AuditEvent> {
        let Ok(mut repeats) = self.repeats.lock() else {
            return Vec::new();
        };
        let closed: Vec<RepeatKey> = repeats
            .iter()
            .filter(|(_, r)| all || now.duration_since(r.first) >= REPEAT_WINDOW)
            .map(|(k, _)| k.clone())
            .collect();
        closed
            .into_iter()
            .filter_map(|key| {
                let seen = repeats.remove(&key)?;
                (seen.count > 0).then(|| AuditEvent {
                    id: crate::secret::new_id("a"),
                    at_ms: seen.last_at_ms,
                    action: key.action,
                    outcome: Outcome::Failure.as_str().into(),
                    actor: key.actor,
                    source: key.source,
                    study_uid: key.study_uid,
                    patient_id: seen.patient_id,
                    share_id: key.share_id,
                    detail: key.detail,
                    repeats: seen.count,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    #[test]
    fn a_client_gets_its_rate_and_waits_after() {
        let limits = Limits::new(6);
        let start = Instant::now();
        for _ in 0..6 {
            assert!(limits.admit_at(ip("192.0.2.1"), start).is_ok());
        }
        let Err(ApiError::TooManyAttempts { retry_after_s }) =
            limits.admit_at(ip("192.0.2.1"), start)
        else {
            panic!("the seventh is refused")
        };
        assert_eq!(retry_after_s, 10);
        // Another client is not held back; the first gets one more after 10 s.
        assert!(limits.admit_at(ip("192.0.2.2"), start).is_ok());
        let later = start + Duration::from_secs(10);
        assert!(limits.admit_at(ip("192.0.2.1"), later).is_ok());
        assert!(limits.admit_at(ip("192.0.2.1"), later).is_err());
    }

    #[test]
    fn an_ipv6_network_is_one_client() {
        let limits = Limits::new(2);
        let now = Instant::now();
        assert!(limits.admit_at(ip("2001:db8::1"), now).is_ok());
        assert!(limits.admit_at(ip("2001:db8::2"), now).is_ok());
        assert!(limits.admit_at(ip("2001:db8::ffff:3"), now).is_err());
        assert!(limits.admit_at(ip("2001:db8:0:1::1"), now).is_ok());
    }

    fn failure(source: &str, at_ms: i64) -> AuditEvent {
        AuditEvent::new(
            Action::ShareCodeFailure,
            Outcome::Failure,
            "anonymous",
            source,
            at_ms,
        )
        .detail("unknown link")
    }

    #[test]
    fn repeated_failures_become_one_counted_row() {
        let limits = Limits::new(10);
        let start = Instant::now();
        assert!(limits.note_at(&failure("192.0.2.1", 1), start));
        for at in 2..=50 {
            assert!(!limits.note_at(&failure("192.0.2.1", at), start));
        }
        assert!(limits.note_at(&failure("192.0.2.9", 7), start));
        assert!(limits.due_at(start, false).is_empty());
        let rows = limits.due_at(start + REPEAT_WINDOW, false);
        assert_eq!(rows.len(), 1, "the single failure has no second row");
        assert_eq!(rows[0].repeats, 49);
        assert_eq!(rows[0].at_ms, 50);
        assert_eq!(rows[0].source, "192.0.2.1");
        assert_eq!(rows[0].detail, "unknown link");
        // A new window writes its first row again.
        assert!(limits.note_at(&failure("192.0.2.1", 60), start + REPEAT_WINDOW));
    }

    #[test]
    fn too_many_sources_share_one_row() {
        let limits = Limits::new(10);
        let now = Instant::now();
        for n in 0..MAX_REPEAT_KEYS {
            let source = format!("10.{}.{}.{}", n >> 16, (n >> 8) & 255, n & 255);
            assert!(limits.note_at(&failure(&source, 1), now));
        }
        assert!(limits.note_at(&failure("192.0.2.1", 2), now));
        assert!(!limits.note_at(&failure("192.0.2.2", 3), now));
        let rows = limits.due_at(now, true);
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].source.as_str(), rows[0].repeats),
            (MANY_SOURCES, 1)
        );
    }

    #[test]
    fn acts_and_clinicians_are_never_counted() {
        let ok = AuditEvent::new(Action::ShareUse, Outcome::Success, "anonymous", "::1", 0);
        assert!(!is_counted(&ok));
        let clinician = AuditEvent::new(
            Action::AccessDenied,
            Outcome::Failure,
            "clinician:dr",
            "::1",
            0,
        );
        assert!(!is_counted(&clinician));
        let share = AuditEvent::new(
            Action::AccessDenied,
            Outcome::Failure,
            "share:s_1",
            "::1",
            0,
        );
        assert!(is_counted(&share));
        assert!(is_counted(&failure("::1", 0)));
    }
}
