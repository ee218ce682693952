//! When to ask the PACS again: which failures pass (a server restarting, a gateway that lost
//! its upstream, a dropped connection) and how long to wait before each new try.

/// First wait, and the longest: waits double from the first up to the longest.
pub const FIRST_WAIT_MS: u32 = 500;
pub const LONGEST_WAIT_MS: u32 = 10_000;

/// Whether an HTTP status says "try again later" rather than "this will never work":
/// 408 Request Timeout, 429 Too Many Requests, 502 Bad Gateway, 503 Service Unavailable,
/// 504 Gateway Timeout.
pub fn is_transient_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 502 | 503 | 504)
}

/// The wait before try `attempt` (1 for the first retry), with `jitter` in `0.0..1.0` drawn
/// by the caller: up to a quarter more, so that tabs do not all come back at once.
pub fn wait_ms(attempt: u32, jitter: f64) -> u32 {
    let doubled = u64::from(FIRST_WAIT_MS) << attempt.saturating_sub(1).min(16);
    let base = doubled.min(u64::from(LONGEST_WAIT_MS)) as f64;
    (base * (1.0 + 0.25 * jitter.clamp(0.0, 1.0))).round() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_longest() {
        let waits: Vec<u32> = (1..=7).map(|a| wait_ms(a, 0.0)).collect();
        assert_eq!(waits, [500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
        assert_eq!(wait_ms(1000, 0.0), LONGEST_WAIT_MS);
        assert_eq!(wait_ms(1, 1.0), 625);
        assert_eq!(wait_ms(1, 7.0), 625, "jitter is clamped");
    }

    #[test]
    fn only_passing_failures_are_retried() {
        for s in [408, 429, 502, 503, 504] {
            assert!(is_transient_status(s), "{s}");
        }
        for s in [400, 401, 403, 404, 406, 500, 501] {
            assert!(!is_transient_status(s), "{s}");
        }
    }
}
