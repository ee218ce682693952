//! The loading schedule of one stack of frames: which frame to ask next, which requests to
//! cancel when the reader moves, and which frames to drop to stay within a byte budget.
//!
//! Pure bookkeeping: the caller (the web app's stack) executes the [`Command`]s it returns
//! (fetch, abort, drop from its cache) and reports what happened to each request. The rules:
//! - the visible frame (the focus) is asked first and alone, so it gets the whole link; once
//!   its bytes are in (or it is loaded), up to [`PARALLEL_REQUESTS`] go at once;
//! - then its neighbours outward: focus, focus + 1, focus − 1, focus + 2, …;
//! - only frames within the window the budget allows around the focus are asked or kept;
//! - when the focus moves to a frame that is not loaded, requests farther than
//!   [`NEAR_ENOUGH`] from it are cancelled (their frames are asked again in their turn).

use std::collections::{BTreeSet, VecDeque};

/// Requests in flight at once once the visible frame is there: enough to hide latency and keep
/// the decoder workers busy, within the browser's six connections per origin.
pub const PARALLEL_REQUESTS: usize = 4;

/// In-flight requests this close to a new visible frame go on when the reader moves; farther
/// ones are cancelled while the new frame is missing.
pub const NEAR_ENOUGH: usize = 4;

/// A request's number, unique within one schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// What the caller must do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Fetch and decode frame `index`; report the end with [`Schedule::finished`].
    Start { index: usize, request: RequestId },
    /// Abort this request; it still ends with [`Schedule::finished`].
    Cancel { request: RequestId },
    /// Drop frame `index` from the cache (it left the window).
    Evict { index: usize },
}

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The frame was decoded.
    Decoded,
    /// The frame failed (kept as failed: it is not asked again while in the window).
    Failed,
    /// Nothing came (the request was cancelled or the stack closed before its bytes).
    Nothing,
}

#[derive(Debug, Clone)]
struct InFlight {
    index: usize,
    request: RequestId,
    cancelled: bool,
}

/// The schedule of one stack.
#[derive(Debug, Clone)]
pub struct Schedule {
    len: usize,
    window_len: usize,
    focus: usize,
    /// The focus whose bytes are in (it may still be decoding).
    focus_fetched: Option<usize>,
    loaded: BTreeSet<usize>,
    queue: VecDeque<usize>,
    in_flight: Vec<InFlight>,
    next_request: u64,
    closed: bool,
}

impl Schedule {
    /// A schedule for `len` frames, keeping as many around the focus as `budget_bytes` holds
    /// frames of `largest_frame_bytes` (at least one).
    pub fn new(len: usize, largest_frame_bytes: usize, budget_bytes: usize) -> Self {
        Schedule {
            len,
            window_len: (budget_bytes / largest_frame_bytes.max(1)).max(1),
            focus: 0,
            focus_fetched: None,
            loaded: BTreeSet::new(),
            queue: VecDeque::new(),
            in_flight: Vec::new(),
            next_request: 0,
            closed: false,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn focus_index(&self) -> usize {
        self.focus
    }

    /// Frames loaded (decoded or failed) and kept.
    pub fn loaded(&self) -> usize {
        self.loaded.len()
    }

    pub fn is_loaded(&self, index: usize) -> bool {
        self.loaded.contains(&index)
    }

    /// Frames kept on each side of the focus.
    pub fn reach(&self) -> usize {
        self.window_len.saturating_sub(1) / 2
    }

    /// Whether frame `index` may be asked or kept (within the budget around the focus).
    pub fn in_window(&self, index: usize) -> bool {
        index.abs_diff(self.focus) <= self.reach()
    }

    /// Requests sent and not cancelled.
    pub fn live_requests(&self) -> usize {
        self.in_flight.iter().filter(|r| !r.cancelled).count()
    }

    /// The frames waiting to be asked, in order.
    pub fn queued(&self) -> impl Iterator<Item = usize> + '_ {
        self.queue.iter().copied()
    }

    /// The reader looks at frame `index` now: frames out of the window are dropped, far
    /// requests cancelled while `index` is missing, and the queue starts again from `index`.
    pub fn focus(&mut self, index: usize) -> Vec<Command> {
        let mut commands = Vec::new();
        self.focus = index;
        let outside: Vec<usize> = self
            .loaded
            .iter()
            .copied()
            .filter(|&i| !self.in_window(i))
            .collect();
        for i in outside {
            self.loaded.remove(&i);
            commands.push(Command::Evict { index: i });
        }
        if !self.loaded.contains(&index) {
            for r in self.in_flight.iter_mut().filter(|r| !r.cancelled) {
                if r.index.abs_diff(index) > NEAR_ENOUGH {
                    r.cancelled = true;
                    commands.push(Command::Cancel { request: r.request });
                }
            }
        }
        self.queue.clear();
        let reach = self.reach();
        let outward = (1..=reach).flat_map(|d| [index.checked_add(d), index.checked_sub(d)]);
        for i in std::iter::once(Some(index)).chain(outward).flatten() {
            let sent = self.in_flight.iter().any(|r| r.index == i && !r.cancelled);
            if i < self.len && !self.loaded.contains(&i) && !sent {
                self.queue.push_back(i);
            }
        }
        self.pump(&mut commands);
        commands
    }

    /// The bytes of `request`'s frame are in and its decoder is ready: when it is the focus,
    /// the link is free for the others while it decodes.
    pub fn fetched(&mut self, request: RequestId) -> Vec<Command> {
        let mut commands = Vec::new();
        let index = self
            .in_flight
            .iter()
            .find(|r| r.request == request)
            .map(|r| r.index);
        if index == Some(self.focus) {
            self.focus_fetched = Some(self.focus);
            self.pump(&mut commands);
        }
        commands
    }

    /// `request` ended with `outcome`. Returns whether its frame is to be kept (a cancelled
    /// request's frame is kept when it was decoded anyway, if still in the window), and what
    /// to start next.
    pub fn finished(&mut self, request: RequestId, outcome: Outcome) -> (bool, Vec<Command>) {
        let mut commands = Vec::new();
        let Some(position) = self.in_flight.iter().position(|r| r.request == request) else {
            return (false, commands);
        };
        let done = self.in_flight.remove(position);
        let keep = !self.closed
            && self.in_window(done.index)
            && match outcome {
                Outcome::Decoded => true,
                Outcome::Failed => !done.cancelled,
                Outcome::Nothing => false,
            };
        if keep {
            self.loaded.insert(done.index);
        }
        self.pump(&mut commands);
        (keep, commands)
    }

    /// The stack is closed: every live request is cancelled and nothing more is asked.
    pub fn close(&mut self) -> Vec<Command> {
        self.closed = true;
        self.queue.clear();
        self.in_flight
            .iter_mut()
            .filter(|r| !r.cancelled)
            .map(|r| {
                r.cancelled = true;
                Command::Cancel { request: r.request }
            })
            .collect()
    }

    /// Starts requests from the queue up to the limit: one while the focus's bytes are on
    /// their way, then [`PARALLEL_REQUESTS`].
    fn pump(&mut self, commands: &mut Vec<Command>) {
        let limit = if self.focus_fetched == Some(self.focus) || self.loaded.contains(&self.focus) {
            PARALLEL_REQUESTS
        } else {
            1
        };
        while !self.closed && self.live_requests() < limit {
            let Some(index) = self.queue.pop_front() else {
                return;
            };
            let request = RequestId(self.next_request);
            self.next_request += 1;
            self.in_flight.push(InFlight {
                index,
                request,
                cancelled: false,
            });
            commands.push(Command::Start { index, request });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(commands: &[Command]) -> Vec<usize> {
        commands
            .iter()
            .filter_map(|c| match c {
                Command::Start { index, .. } => Some(*index),
                _ => None,
            })
            .collect()
    }

    fn request_of(commands: &[Command], frame: usize) -> RequestId {
        commands
            .iter()
            .find_map(|c| match c {
                Command::Start { index, request } if *index == frame => Some(*request),
                _ => None,
            })
            .expect("a request for the frame")
    }

    /// A 61-frame stack whose budget holds every frame.
    fn roomy(len: usize) -> Schedule {
        Schedule::new(len, 512 * 512 * 2, 768 << 20)
    }

    #[test]
    fn the_focus_goes_alone_then_neighbours_outward() {
        let mut s = roomy(61);
        let first = s.focus(30);
        assert_eq!(starts(&first), vec![30], "the visible frame alone first");
        assert_eq!(
            s.queued().take(6).collect::<Vec<_>>(),
            vec![31, 29, 32, 28, 33, 27]
        );
        let more = s.fetched(request_of(&first, 30));
        assert_eq!(starts(&more), vec![31, 29, 32], "then four at once");
        assert_eq!(s.live_requests(), PARALLEL_REQUESTS);
        let (keep, next) = s.finished(request_of(&more, 31), Outcome::Decoded);
        assert!(keep);
        assert_eq!(starts(&next), vec![28]);
    }

    #[test]
    fn loaded_focus_opens_the_link_without_fetched() {
        let mut s = roomy(10);
        let c = s.focus(0);
        let (keep, next) = s.finished(request_of(&c, 0), Outcome::Decoded);
        assert!(keep && s.is_loaded(0));
        assert_eq!(starts(&next), vec![1, 2, 3, 4]);
    }

    #[test]
    fn edges_are_not_asked_twice_or_past_the_end() {
        let mut s = roomy(3);
        let c = s.focus(0);
        let c2 = s.fetched(request_of(&c, 0));
        assert_eq!(starts(&c), vec![0]);
        assert_eq!(starts(&c2), vec![1, 2]);
        // Moving to a frame already asked does not ask it again.
        let c3 = s.focus(2);
        assert!(starts(&c3).is_empty(), "{c3:?}");
    }

    #[test]
    fn a_jump_cancels_far_requests_and_asks_the_new_focus_first() {
        let mut s = roomy(61);
        let c = s.focus(0);
        let c2 = s.fetched(request_of(&c, 0));
        assert_eq!(starts(&c2), vec![1, 2, 3]);
        let jump = s.focus(60);
        let cancelled: Vec<_> = jump
            .iter()
            .filter(|c| matches!(c, Command::Cancel { .. }))
            .collect();
        assert_eq!(
            cancelled.len(),
            4,
            "every request far from 60 is cancelled: {jump:?}"
        );
        assert_eq!(starts(&jump), vec![60], "the new focus first, and alone");
        // The cancelled requests end; nothing else starts until 60's bytes are in.
        for frame in [0, 1] {
            let (keep, next) = s.finished(
                request_of(&c.iter().chain(&c2).cloned().collect::<Vec<_>>(), frame),
                Outcome::Nothing,
            );
            assert!(!keep);
            assert!(starts(&next).is_empty());
        }
        // A cancelled frame that came anyway is kept.
        let (keep, _) = s.finished(request_of(&c2, 2), Outcome::Decoded);
        assert!(keep && s.is_loaded(2));
    }

    #[test]
    fn near_requests_survive_a_small_move() {
        let mut s = roomy(61);
        let c = s.focus(10);
        let c2 = s.fetched(request_of(&c, 10));
        assert_eq!(starts(&c2), vec![11, 9, 12]);
        let step = s.focus(13);
        assert!(
            !step.iter().any(|c| matches!(c, Command::Cancel { .. })),
            "within {NEAR_ENOUGH} of 13: {step:?}"
        );
        // 13 is queued first, behind the four live requests.
        assert_eq!(s.queued().next(), Some(13));
        assert!(starts(&step).is_empty());
    }

    #[test]
    fn a_loaded_focus_cancels_nothing() {
        let mut s = roomy(61);
        let c = s.focus(0);
        let _ = s.finished(request_of(&c, 0), Outcome::Decoded);
        let c2 = s.focus(1);
        let _ = s.focus(0);
        assert!(!c2.iter().any(|c| matches!(c, Command::Cancel { .. })));
    }

    #[test]
    fn the_budget_bounds_what_is_asked_and_kept() {
        // Room for 5 frames: 2 on each side of the focus.
        let frame = 256 * 256 * 2;
        let mut s = Schedule::new(2000, frame, 5 * frame);
        assert_eq!(s.reach(), 2);
        let c = s.focus(100);
        assert_eq!(s.queued().collect::<Vec<_>>(), vec![101, 99, 102, 98]);
        let mut all = c.clone();
        all.extend(s.fetched(request_of(&c, 100)));
        for frame in [100, 101, 99, 102] {
            let (keep, next) = s.finished(request_of(&all, frame), Outcome::Decoded);
            assert!(keep);
            all.extend(next);
        }
        let (keep, _) = s.finished(request_of(&all, 98), Outcome::Decoded);
        assert!(keep);
        assert_eq!(s.loaded(), 5);
        // Moving by three drops the three frames now out of reach.
        let moved = s.focus(103);
        let mut evicted: Vec<_> = moved
            .iter()
            .filter_map(|c| match c {
                Command::Evict { index } => Some(*index),
                _ => None,
            })
            .collect();
        evicted.sort_unstable();
        assert_eq!(evicted, vec![98, 99, 100]);
        assert_eq!(s.loaded(), 2);
        assert!(s.queued().all(|i| s.in_window(i)));
    }

    #[test]
    fn a_frame_that_comes_back_out_of_the_window_is_not_kept() {
        let frame = 1000;
        let mut s = Schedule::new(100, frame, 3 * frame);
        let c = s.focus(0);
        let _ = s.focus(50);
        let (keep, _) = s.finished(request_of(&c, 0), Outcome::Decoded);
        assert!(!keep && !s.is_loaded(0));
    }

    #[test]
    fn a_failed_frame_is_kept_and_not_asked_again() {
        let mut s = roomy(5);
        let c = s.focus(0);
        let (keep, _) = s.finished(request_of(&c, 0), Outcome::Failed);
        assert!(keep);
        let again = s.focus(0);
        assert!(!starts(&again).contains(&0));
    }

    #[test]
    fn closing_cancels_everything_and_starts_nothing() {
        let mut s = roomy(10);
        let c = s.focus(0);
        let closed = s.close();
        assert_eq!(
            closed,
            vec![Command::Cancel {
                request: request_of(&c, 0)
            }]
        );
        let (keep, next) = s.finished(request_of(&c, 0), Outcome::Decoded);
        assert!(!keep && next.is_empty());
    }
}
