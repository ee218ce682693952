//! Modality LUT (rescale) and VOI LUT (window) maths, PS3.3 C.11.1 and C.11.2.
//!
//! The web app's shader implements the same formulas; these functions are its reference and
//! what the end-to-end tests compare canvas pixels against.

use dicom_dictionary_std::tags;

use crate::dicom_json::JsonDataset;

/// Rescale Slope / Intercept: `output = stored * slope + intercept` (e.g. HU for CT).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rescale {
    pub slope: f64,
    pub intercept: f64,
}

impl Default for Rescale {
    fn default() -> Self {
        Rescale {
            slope: 1.0,
            intercept: 0.0,
        }
    }
}

impl Rescale {
    pub fn from_json(ds: &JsonDataset) -> Self {
        let slope = ds
            .number(tags::RESCALE_SLOPE)
            .filter(|s| *s != 0.0)
            .unwrap_or(1.0);
        let intercept = ds.number(tags::RESCALE_INTERCEPT).unwrap_or(0.0);
        Rescale { slope, intercept }
    }

    pub fn apply(&self, stored: f64) -> f64 {
        stored * self.slope + self.intercept
    }
}

/// A VOI window in modality units (after rescale).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowLevel {
    pub center: f64,
    pub width: f64,
}

impl WindowLevel {
    /// The LINEAR function of C.11.2.1.2.1, output in `0.0..=1.0`.
    pub fn linear(&self, value: f64) -> f64 {
        let width = self.width.max(1.0);
        let low = self.center - 0.5 - (width - 1.0) / 2.0;
        let high = self.center - 0.5 + (width - 1.0) / 2.0;
        if value <= low {
            0.0
        } else if value > high {
            1.0
        } else {
            ((value - (self.center - 0.5)) / (width - 1.0) + 0.5).clamp(0.0, 1.0)
        }
    }

    /// A window covering `min..=max` (used when the file gives none or a width below 1).
    pub fn from_range(min: f64, max: f64) -> Self {
        let width = (max - min + 1.0).max(1.0);
        WindowLevel {
            center: min + width / 2.0,
            width,
        }
    }

    /// After a drag of `dx`, `dy` screen pixels: right widens, down raises the level.
    /// The step scales with the width so the gesture feels the same for CT and MR.
    pub fn dragged(&self, dx: f64, dy: f64) -> Self {
        let step = (self.width / 256.0).max(0.5);
        WindowLevel {
            center: self.center + dy * step,
            width: (self.width + dx * step).max(1.0),
        }
    }
}

/// The VOI LUT Function (0028,1056) that maps a window to display values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VoiFunction {
    #[default]
    Linear,
    LinearExact,
    Sigmoid,
}

impl VoiFunction {
    /// Reads (0028,1056); absent or unknown values mean LINEAR (C.11.2.1.3).
    pub fn from_json(ds: &JsonDataset) -> Self {
        match ds.string(tags::VOILUT_FUNCTION).as_deref() {
            Some("LINEAR_EXACT") => VoiFunction::LinearExact,
            Some("SIGMOID") => VoiFunction::Sigmoid,
            _ => VoiFunction::Linear,
        }
    }

    /// The shader's code for this function.
    pub fn code(self) -> i32 {
        match self {
            VoiFunction::Linear => 0,
            VoiFunction::LinearExact => 1,
            VoiFunction::Sigmoid => 2,
        }
    }
}

impl WindowLevel {
    /// `value` through `function`, output in `0.0..=1.0` (C.11.2.1.2 and C.11.2.1.3).
    pub fn apply(&self, function: VoiFunction, value: f64) -> f64 {
        match function {
            VoiFunction::Linear => self.linear(value),
            VoiFunction::LinearExact => {
                let width = self.width.max(f64::MIN_POSITIVE);
                ((value - self.center) / width + 0.5).clamp(0.0, 1.0)
            }
            VoiFunction::Sigmoid => {
                let width = self.width.max(f64::MIN_POSITIVE);
                1.0 / (1.0 + (-4.0 * (value - self.center) / width).exp())
            }
        }
    }
}

/// Presentation LUT Shape (2050,0020) INVERSE: the displayed values are inverted.
pub fn presentation_inverse(ds: &JsonDataset) -> bool {
    ds.string(tags::PRESENTATION_LUT_SHAPE).as_deref() == Some("INVERSE")
}

/// A window from the file, with its explanation when given.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowPreset {
    pub window: WindowLevel,
    pub explanation: Option<String>,
}

/// Standard windows offered for a modality, as (catalog key of the name, window). CT gets the
/// usual brain, lung, mediastinum, abdomen and bone windows in Hounsfield units; other
/// modalities have no universal values and rely on the file's windows and the data range.
pub fn modality_presets(modality: Option<&str>) -> &'static [(&'static str, WindowLevel)] {
    const CT: [(&str, WindowLevel); 5] = [
        (
            "preset.brain",
            WindowLevel {
                center: 40.0,
                width: 80.0,
            },
        ),
        (
            "preset.lung",
            WindowLevel {
                center: -600.0,
                width: 1500.0,
            },
        ),
        (
            "preset.mediastinum",
            WindowLevel {
                center: 50.0,
                width: 350.0,
            },
        ),
        (
            "preset.abdomen",
            WindowLevel {
                center: 40.0,
                width: 400.0,
            },
        ),
        (
            "preset.bone",
            WindowLevel {
                center: 400.0,
                width: 1800.0,
            },
        ),
    ];
    match modality {
        Some("CT") => &CT,
        _ => &[],
    }
}

/// Every window pair in a dataset (Window Center / Width are multi-valued), skipping pairs
/// whose width is missing or below 1 (C.11.2.1.2: width ≥ 1 for LINEAR).
pub fn window_presets(ds: &JsonDataset) -> Vec<WindowPreset> {
    let centers = ds.numbers(tags::WINDOW_CENTER);
    let widths = ds.numbers(tags::WINDOW_WIDTH);
    let explanations = ds.strings(tags::WINDOW_CENTER_WIDTH_EXPLANATION);
    centers
        .iter()
        .zip(widths.iter())
        .enumerate()
        .filter_map(|(i, (c, w))| {
            let (center, width) = ((*c)?, (*w)?);
            (width >= 1.0).then(|| WindowPreset {
                window: WindowLevel { center, width },
                explanation: explanations.get(i).filter(|e| !e.is_empty()).cloned(),
            })
        })
        .collect()
}

/// A display value 0..=255 for a stored sample, as the 8-bit canvas shows it.
pub fn display_byte(stored: f64, rescale: &Rescale, window: &WindowLevel, invert: bool) -> u8 {
    let y = window.linear(rescale.apply(stored));
    let y = if invert { 1.0 - y } else { y };
    (y * 255.0).round() as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ct_has_the_five_standard_windows_and_other_modalities_none() {
        let ct = modality_presets(Some("CT"));
        assert_eq!(ct.len(), 5);
        assert_eq!(
            ct[1].1,
            WindowLevel {
                center: -600.0,
                width: 1500.0
            }
        );
        assert!(modality_presets(Some("MR")).is_empty());
        assert!(modality_presets(None).is_empty());
    }

    #[test]
    fn linear_window_matches_the_standard() {
        let w = WindowLevel {
            center: 40.0,
            width: 400.0,
        };
        assert_eq!(w.linear(-160.0), 0.0);
        assert_eq!(w.linear(240.0), 1.0);
        assert!((w.linear(39.5) - 0.5).abs() < 1e-12);
        // Width 1 is a threshold at the centre.
        let t = WindowLevel {
            center: 10.0,
            width: 1.0,
        };
        assert_eq!((t.linear(9.4), t.linear(9.6)), (0.0, 1.0));
    }

    #[test]
    fn ct_display_bytes() {
        let r = Rescale {
            slope: 1.0,
            intercept: -1024.0,
        };
        let w = WindowLevel {
            center: 40.0,
            width: 400.0,
        };
        assert_eq!(display_byte(0.0, &r, &w, false), 0); // air
        assert_eq!(display_byte(1064.0, &r, &w, false), 128); // 40 HU
        assert_eq!(display_byte(3000.0, &r, &w, false), 255); // bone
        assert_eq!(display_byte(3000.0, &r, &w, true), 0);
    }

    #[test]
    fn presets_skip_unusable_pairs() {
        let ds = &JsonDataset::parse_array(
            r#"[{"00281050":{"vr":"DS","Value":[40,-600,5]},
                 "00281051":{"vr":"DS","Value":[400,1500,0]},
                 "00281055":{"vr":"LO","Value":["SOFT TISSUE","LUNG"]}}]"#,
        )
        .expect("valid")[0];
        let presets = window_presets(ds);
        assert_eq!(presets.len(), 2);
        assert_eq!(presets[1].window.center, -600.0);
        assert_eq!(presets[1].explanation.as_deref(), Some("LUNG"));
    }

    #[test]
    fn exact_and_sigmoid_functions() {
        let w = WindowLevel {
            center: 100.0,
            width: 200.0,
        };
        assert_eq!(w.apply(VoiFunction::LinearExact, 100.0), 0.5);
        assert_eq!(w.apply(VoiFunction::LinearExact, 0.0), 0.0);
        assert_eq!(w.apply(VoiFunction::LinearExact, 200.0), 1.0);
        assert_eq!(w.apply(VoiFunction::Sigmoid, 100.0), 0.5);
        let high = w.apply(VoiFunction::Sigmoid, 200.0);
        assert!((high - 1.0 / (1.0 + (-2.0f64).exp())).abs() < 1e-12);
        assert!(w.apply(VoiFunction::Sigmoid, -1e6) < 1e-9);
    }

    #[test]
    fn range_window_covers_the_data() {
        let w = WindowLevel::from_range(0.0, 255.0);
        assert_eq!(w.linear(0.0), 0.0);
        assert_eq!(w.linear(255.0), 1.0);
    }
}
