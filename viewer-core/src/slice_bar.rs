//! The slice bar beside a stack: which slices the reader has seen, which are loaded, which
//! failed and which have not come yet, so that on a slow link the reader knows whether the
//! whole series was seen. Drawn as runs of equal marks (one element per run, whatever the
//! series' length).

/// What the bar says of one slice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SliceMark {
    /// Not loaded (not arrived yet, or dropped from the cache before it was seen).
    Missing,
    /// Loaded, not yet seen.
    Loaded,
    /// Shown to the reader as its full frame (whatever became of it in the cache since).
    Seen,
    /// Could not be decoded or shown.
    Failed,
}

impl SliceMark {
    /// The style sheet's class for the mark.
    pub fn class(self) -> &'static str {
        match self {
            SliceMark::Missing => "slice-missing",
            SliceMark::Loaded => "slice-loaded",
            SliceMark::Seen => "slice-seen",
            SliceMark::Failed => "slice-failed",
        }
    }
}

/// Consecutive slices of one mark.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub first: usize,
    pub count: usize,
    pub mark: SliceMark,
}

impl Run {
    /// Where the run starts and how tall it is, in percent of the bar (slice 0 at the top).
    pub fn span_percent(&self, slices: usize) -> (f64, f64) {
        let slices = slices.max(1) as f64;
        (
            self.first as f64 * 100.0 / slices,
            self.count as f64 * 100.0 / slices,
        )
    }
}

/// The slices the reader has seen, kept while the stack is open.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SeenSlices {
    seen: Vec<bool>,
    count: usize,
}

impl SeenSlices {
    pub fn new(slices: usize) -> Self {
        SeenSlices {
            seen: vec![false; slices],
            count: 0,
        }
    }

    /// Notes that slice `index` was shown whole; whether that is new.
    pub fn note(&mut self, index: usize) -> bool {
        match self.seen.get_mut(index) {
            Some(seen) if !*seen => {
                *seen = true;
                self.count += 1;
                true
            }
            _ => false,
        }
    }

    pub fn is_seen(&self, index: usize) -> bool {
        self.seen.get(index).copied().unwrap_or(false)
    }

    pub fn count(&self) -> usize {
        self.count
    }

    /// Every slice of the stack was seen.
    pub fn all(&self) -> bool {
        self.count == self.seen.len()
    }
}

/// Each slice's mark: seen, else failed, else loaded, else missing. `loaded(i)` is `None`
/// while slice `i` is not loaded, `Some(false)` when it failed.
pub fn marks(seen: &SeenSlices, loaded: impl Fn(usize) -> Option<bool>) -> Vec<SliceMark> {
    (0..seen.seen.len())
        .map(|i| {
            if seen.is_seen(i) {
                return SliceMark::Seen;
            }
            match loaded(i) {
                None => SliceMark::Missing,
                Some(true) => SliceMark::Loaded,
                Some(false) => SliceMark::Failed,
            }
        })
        .collect()
}

/// The marks as runs, in slice order.
pub fn runs(marks: &[SliceMark]) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    for (i, &mark) in marks.iter().enumerate() {
        match runs.last_mut() {
            Some(run) if run.mark == mark => run.count += 1,
            _ => runs.push(Run {
                first: i,
                count: 1,
                mark,
            }),
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_seen_stay_seen_and_count_once() {
        let mut seen = SeenSlices::new(4);
        assert!(seen.note(2));
        assert!(!seen.note(2), "noted once");
        assert!(!seen.note(9), "outside the stack");
        assert_eq!((seen.count(), seen.all()), (1, false));
        for i in 0..4 {
            seen.note(i);
        }
        assert!(seen.all());
    }

    #[test]
    fn marks_make_runs_in_slice_order() {
        let mut seen = SeenSlices::new(7);
        seen.note(0);
        seen.note(1);
        // Slice 1 was seen, then dropped from the cache: still seen.
        let loaded = |i: usize| match i {
            0 | 2 | 3 => Some(true),
            4 => Some(false),
            _ => None,
        };
        let marks = marks(&seen, loaded);
        use SliceMark::*;
        assert_eq!(
            marks,
            [Seen, Seen, Loaded, Loaded, Failed, Missing, Missing]
        );
        let runs = runs(&marks);
        let shape: Vec<(usize, usize, SliceMark)> =
            runs.iter().map(|r| (r.first, r.count, r.mark)).collect();
        assert_eq!(
            shape,
            [
                (0, 2, Seen),
                (2, 2, Loaded),
                (4, 1, Failed),
                (5, 2, Missing)
            ]
        );
        assert_eq!(runs[1].span_percent(8), (25.0, 25.0));
    }

    #[test]
    fn a_long_series_has_as_many_runs_as_changes() {
        let mut seen = SeenSlices::new(1000);
        for i in 0..500 {
            seen.note(i);
        }
        let runs = runs(&marks(&seen, |_| Some(true)));
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[1].span_percent(1000), (50.0, 50.0));
    }
}
