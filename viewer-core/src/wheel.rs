//! Wheel scrolling through slices: one mouse notch is one slice whatever the platform's notch
//! size (100 or 120 pixels), notches the browser coalesced into one event are each a slice, and
//! a trackpad's or precise wheel's small deltas add up to a slice every
//! [`SMALL_DELTAS_PER_SLICE_PX`].

/// A mouse notch in pixels on most platforms (Chromium on Linux; 100 on Windows).
const NOTCH_PX: f64 = 120.0;

/// Deltas at least this large are whole notches; smaller ones come from trackpads.
const NOTCH_MIN_PX: f64 = 50.0;

/// Pixels of small deltas that make one slice.
const SMALL_DELTAS_PER_SLICE_PX: f64 = 50.0;

/// Pixels in a line, for wheels that count in lines (`WheelEvent.DOM_DELTA_LINE`).
const LINE_PX: f64 = 40.0;

/// What a wheel event's delta counts (`WheelEvent.deltaMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeltaMode {
    Pixel,
    Line,
    Page,
}

impl DeltaMode {
    /// From `WheelEvent.deltaMode` (0, 1, 2).
    pub fn from_dom(mode: u32) -> Self {
        match mode {
            1 => DeltaMode::Line,
            2 => DeltaMode::Page,
            _ => DeltaMode::Pixel,
        }
    }
}

/// Turns wheel deltas into slice steps, keeping what small deltas have not made a slice yet.
#[derive(Debug, Default, Clone)]
pub struct WheelSlices {
    pending_px: f64,
}

impl WheelSlices {
    /// The slices to step for one wheel event (positive: down the stack).
    pub fn step(&mut self, delta: f64, mode: DeltaMode) -> i32 {
        if !delta.is_finite() || delta == 0.0 {
            return 0;
        }
        let delta_px = match mode {
            DeltaMode::Pixel => delta,
            DeltaMode::Line => delta * LINE_PX,
            DeltaMode::Page => delta.signum() * NOTCH_PX,
        };
        if delta_px.abs() >= NOTCH_MIN_PX {
            self.pending_px = 0.0;
            let notches = (delta_px.abs() / NOTCH_PX).round().clamp(1.0, 1000.0);
            return (delta_px.signum() * notches) as i32;
        }
        if self.pending_px != 0.0 && self.pending_px.signum() != delta_px.signum() {
            self.pending_px = 0.0; // the reader turned back
        }
        self.pending_px += delta_px;
        let slices = (self.pending_px / SMALL_DELTAS_PER_SLICE_PX).trunc();
        self.pending_px -= slices * SMALL_DELTAS_PER_SLICE_PX;
        slices as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notch_is_a_slice_on_every_platform() {
        let mut wheel = WheelSlices::default();
        assert_eq!(wheel.step(120.0, DeltaMode::Pixel), 1);
        assert_eq!(wheel.step(100.0, DeltaMode::Pixel), 1, "Windows' notch");
        assert_eq!(wheel.step(-120.0, DeltaMode::Pixel), -1);
        assert_eq!(
            wheel.step(3.0, DeltaMode::Line),
            1,
            "three lines, as Firefox counts a notch"
        );
        assert_eq!(wheel.step(1.0, DeltaMode::Page), 1);
    }

    #[test]
    fn coalesced_notches_are_each_a_slice() {
        let mut wheel = WheelSlices::default();
        assert_eq!(wheel.step(360.0, DeltaMode::Pixel), 3);
        assert_eq!(wheel.step(-240.0, DeltaMode::Pixel), -2);
        assert_eq!(
            wheel.step(300.0, DeltaMode::Pixel),
            3,
            "three of Windows' notches"
        );
    }

    #[test]
    fn small_deltas_add_up_and_a_turn_back_starts_over() {
        let mut wheel = WheelSlices::default();
        let steps: i32 = (0..25).map(|_| wheel.step(4.0, DeltaMode::Pixel)).sum();
        assert_eq!(steps, 2, "100 px of trackpad deltas");
        assert_eq!(wheel.step(-4.0, DeltaMode::Pixel), 0);
        let back: i32 = (0..12).map(|_| wheel.step(-4.0, DeltaMode::Pixel)).sum();
        assert_eq!(back, -1);
        assert_eq!(wheel.step(0.0, DeltaMode::Pixel), 0);
        assert_eq!(wheel.step(f64::NAN, DeltaMode::Pixel), 0);
    }
}
