//! Grayscale Softcopy Presentation States (PS3.3 A.33.1): how a reader asked for images to be
//! shown: the VOI (a window, a VOI LUT, or identity), the displayed area, rotation and flip,
//! and graphic and text annotations, each for the images it names.
//!
//! Coordinates: PIXEL units are image coordinates as in [`crate::measure`] (C.10.5.1.2: the
//! top-left corner of the first pixel is 0\0); DISPLAY units are fractions of the displayed
//! area as shown (0\0 its top-left corner, 1\1 its bottom-right). Displayed Area corners are
//! 1-based pixel numbers (column\row), so the area spans `tlhc - 1` to `brhc`.

use dicom_dictionary_std::{tags, uids};

use crate::dicom_json::JsonDataset;
use crate::lut::Lut;
use crate::voi::{Rescale, WindowLevel};

/// Grayscale Softcopy Presentation State Storage.
pub const GSPS: &str = uids::GRAYSCALE_SOFTCOPY_PRESENTATION_STATE_STORAGE;

/// Text objects and graphic points of one annotation kept (a crafted state cannot flood the
/// page).
const MAX_OBJECTS: usize = 512;
const MAX_POINTS: usize = 4096;

/// Images an item applies to: Referenced Image Sequence (SOP Instance UID and frames); empty
/// means every image of the presentation state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Applies(Vec<(String, Vec<u32>)>);

impl Applies {
    fn read(item: &JsonDataset) -> Self {
        Applies(
            item.items(tags::REFERENCED_IMAGE_SEQUENCE)
                .iter()
                .filter_map(|r| {
                    let sop = r.string(tags::REFERENCED_SOP_INSTANCE_UID)?;
                    Some((sop, crate::sr::referenced_frames(r)))
                })
                .collect(),
        )
    }

    /// Whether it applies to frame `frame` (1-based) of `sop`.
    pub fn includes(&self, sop: &str, frame: u32) -> bool {
        self.0.is_empty()
            || self
                .0
                .iter()
                .any(|(s, frames)| s == sop && (frames.is_empty() || frames.contains(&frame)))
    }
}

/// The VOI a state gives an image.
#[derive(Debug, Clone, PartialEq)]
pub enum Voi {
    Window(WindowLevel),
    Lut(Lut),
    /// No Softcopy VOI LUT item for the image: modality values go to the display unchanged
    /// (the whole range of the stored values is shown).
    Identity,
}

/// How the displayed area is sized (Presentation Size Mode).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SizeMode {
    ScaleToFit,
    /// Physical size on the display: shown as scale-to-fit (the display's size is unknown).
    TrueSize,
    /// A magnification ratio relative to one image pixel per display pixel.
    Magnify(f64),
}

#[derive(Debug, Clone, PartialEq)]
pub struct DisplayedArea {
    pub applies: Applies,
    /// Left, top, right, bottom in image coordinates.
    pub bounds: [f64; 4],
    pub mode: SizeMode,
}

/// What annotation coordinates are relative to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Units {
    Pixel,
    Display,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TextObject {
    pub text: String,
    /// Bounding box corners (top-left, bottom-right) and their units.
    pub bounding_box: Option<([[f64; 2]; 2], Units)>,
    pub anchor: Option<([f64; 2], Units)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GraphicObject {
    pub units: Units,
    /// POINT, POLYLINE, INTERPOLATED, CIRCLE or ELLIPSE.
    pub graphic_type: String,
    pub points: Vec<[f64; 2]>,
    pub filled: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GraphicAnnotation {
    pub applies: Applies,
    pub layer: Option<String>,
    pub texts: Vec<TextObject>,
    pub graphics: Vec<GraphicObject>,
}

/// A presentation state, as far as this viewer applies it.
#[derive(Debug, Clone, PartialEq)]
pub struct PresentationState {
    pub sop_instance_uid: String,
    pub label: Option<String>,
    pub description: Option<String>,
    /// Creation date and time (DA, TM) as sent: the latest state is applied first.
    pub created: String,
    /// The images it is for (Referenced Series Sequence), by SOP Instance UID and frames.
    pub images: Applies,
    pub rescale: Option<Rescale>,
    voi: Vec<(Applies, Voi)>,
    areas: Vec<DisplayedArea>,
    /// Clockwise quarter turns (Image Rotation 0, 90, 180, 270).
    pub quarter_turns: u8,
    /// Image Horizontal Flip: applied after the rotation (C.10.6.1.1).
    pub horizontal_flip: bool,
    pub annotations: Vec<GraphicAnnotation>,
    /// Presentation LUT Shape INVERSE.
    pub inverse: bool,
}

fn units(item: &JsonDataset, tag: dicom_core::Tag) -> Units {
    match item.string(tag).as_deref() {
        Some("DISPLAY") => Units::Display,
        _ => Units::Pixel,
    }
}

fn pair(item: &JsonDataset, tag: dicom_core::Tag) -> Option<[f64; 2]> {
    match item.numbers(tag).as_slice() {
        [Some(x), Some(y)] if x.is_finite() && y.is_finite() => Some([*x, *y]),
        _ => None,
    }
}

fn graphic(item: &JsonDataset) -> Option<GraphicObject> {
    let data = item.numbers(tags::GRAPHIC_DATA);
    if data.len() > 2 * MAX_POINTS || item.uint(tags::GRAPHIC_DIMENSIONS).is_some_and(|d| d != 2) {
        return None;
    }
    let points = data
        .chunks_exact(2)
        .map(|p| match p {
            [Some(x), Some(y)] if x.is_finite() && y.is_finite() => Some([*x, *y]),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    (!points.is_empty()).then(|| GraphicObject {
        units: units(item, tags::GRAPHIC_ANNOTATION_UNITS),
        graphic_type: item.string(tags::GRAPHIC_TYPE).unwrap_or_default(),
        points,
        filled: item.string(tags::GRAPHIC_FILLED).as_deref() == Some("Y"),
    })
}

fn text(item: &JsonDataset) -> Option<TextObject> {
    let text = item.string(tags::UNFORMATTED_TEXT_VALUE)?;
    let bounding_box = pair(item, tags::BOUNDING_BOX_TOP_LEFT_HAND_CORNER)
        .zip(pair(item, tags::BOUNDING_BOX_BOTTOM_RIGHT_HAND_CORNER))
        .map(|(a, b)| ([a, b], units(item, tags::BOUNDING_BOX_ANNOTATION_UNITS)));
    let anchor = pair(item, tags::ANCHOR_POINT)
        .map(|a| (a, units(item, tags::ANCHOR_POINT_ANNOTATION_UNITS)));
    (bounding_box.is_some() || anchor.is_some()).then_some(TextObject {
        text,
        bounding_box,
        anchor,
    })
}

fn displayed_area(item: &JsonDataset) -> Option<DisplayedArea> {
    let tl = pair(item, tags::DISPLAYED_AREA_TOP_LEFT_HAND_CORNER)?;
    let br = pair(item, tags::DISPLAYED_AREA_BOTTOM_RIGHT_HAND_CORNER)?;
    // The corners are the pixels shown top-left and bottom-right after the rotation and flip,
    // numbered in the image before them: either may be the larger on an axis.
    let bounds = [
        tl[0].min(br[0]) - 1.0,
        tl[1].min(br[1]) - 1.0,
        tl[0].max(br[0]),
        tl[1].max(br[1]),
    ];
    if bounds[2] <= bounds[0] || bounds[3] <= bounds[1] {
        return None;
    }
    let mode = match item.string(tags::PRESENTATION_SIZE_MODE).as_deref() {
        Some("TRUE SIZE") => SizeMode::TrueSize,
        Some("MAGNIFY") => match item
            .numbers(tags::PRESENTATION_PIXEL_MAGNIFICATION_RATIO)
            .first()
        {
            Some(Some(r)) if r.is_finite() && *r > 0.0 => SizeMode::Magnify(*r),
            _ => SizeMode::ScaleToFit,
        },
        _ => SizeMode::ScaleToFit,
    };
    Some(DisplayedArea {
        applies: Applies::read(item),
        bounds,
        mode,
    })
}

/// Reads a presentation state from its DICOM JSON; `None` for another kind of instance.
pub fn read(ds: &JsonDataset) -> Option<PresentationState> {
    if ds.string(tags::SOP_CLASS_UID).as_deref() != Some(GSPS) {
        return None;
    }
    let images = Applies(
        ds.items(tags::REFERENCED_SERIES_SEQUENCE)
            .iter()
            .flat_map(|s| Applies::read(s).0)
            .collect(),
    );
    let voi = ds
        .items(tags::SOFTCOPY_VOILUT_SEQUENCE)
        .iter()
        .map(|item| {
            let applies = Applies::read(item);
            let lut = item
                .items(tags::VOILUT_SEQUENCE)
                .first()
                .and_then(Lut::from_item);
            let voi = match (
                lut,
                item.number(tags::WINDOW_CENTER),
                item.number(tags::WINDOW_WIDTH),
            ) {
                (Some(lut), _, _) => Voi::Lut(lut),
                (None, Some(center), Some(width)) if width >= 1.0 => {
                    Voi::Window(WindowLevel { center, width })
                }
                _ => Voi::Identity,
            };
            (applies, voi)
        })
        .collect();
    let quarter_turns = match ds.number(tags::IMAGE_ROTATION).map(|r| r as i64) {
        Some(90) => 1,
        Some(180) => 2,
        Some(270) => 3,
        _ => 0,
    };
    let annotations = ds
        .items(tags::GRAPHIC_ANNOTATION_SEQUENCE)
        .iter()
        .take(MAX_OBJECTS)
        .map(|item| GraphicAnnotation {
            applies: Applies::read(item),
            layer: item.string(tags::GRAPHIC_LAYER),
            texts: item
                .items(tags::TEXT_OBJECT_SEQUENCE)
                .iter()
                .take(MAX_OBJECTS)
                .filter_map(text)
                .collect(),
            graphics: item
                .items(tags::GRAPHIC_OBJECT_SEQUENCE)
                .iter()
                .take(MAX_OBJECTS)
                .filter_map(graphic)
                .collect(),
        })
        .collect();
    let rescale = (ds.number(tags::RESCALE_SLOPE).is_some()
        || ds.number(tags::RESCALE_INTERCEPT).is_some())
    .then(|| Rescale::from_json(ds));
    Some(PresentationState {
        sop_instance_uid: ds.string(tags::SOP_INSTANCE_UID).unwrap_or_default(),
        label: ds.string(tags::CONTENT_LABEL).filter(|s| !s.is_empty()),
        description: ds
            .string(tags::CONTENT_DESCRIPTION)
            .filter(|s| !s.is_empty()),
        created: format!(
            "{}{}",
            ds.string(tags::PRESENTATION_CREATION_DATE)
                .unwrap_or_default(),
            ds.string(tags::PRESENTATION_CREATION_TIME)
                .unwrap_or_default()
        ),
        images,
        rescale,
        voi,
        areas: ds
            .items(tags::DISPLAYED_AREA_SELECTION_SEQUENCE)
            .iter()
            .filter_map(displayed_area)
            .collect(),
        quarter_turns,
        horizontal_flip: ds.string(tags::IMAGE_HORIZONTAL_FLIP).as_deref() == Some("Y"),
        annotations,
        inverse: ds.string(tags::PRESENTATION_LUT_SHAPE).as_deref() == Some("INVERSE"),
    })
}

impl PresentationState {
    /// Whether the state is for frame `frame` (1-based) of image `sop`.
    pub fn applies_to(&self, sop: &str, frame: u32) -> bool {
        !self.images.0.is_empty() && self.images.includes(sop, frame)
    }

    /// The VOI for the image: its Softcopy VOI LUT item, else identity.
    pub fn voi(&self, sop: &str, frame: u32) -> Voi {
        self.voi
            .iter()
            .find(|(a, _)| a.includes(sop, frame))
            .map(|(_, v)| v.clone())
            .unwrap_or(Voi::Identity)
    }

    pub fn displayed_area(&self, sop: &str, frame: u32) -> Option<&DisplayedArea> {
        self.areas.iter().find(|a| a.applies.includes(sop, frame))
    }

    /// The annotations drawn on the image.
    pub fn annotations_for<'a>(
        &'a self,
        sop: &'a str,
        frame: u32,
    ) -> impl Iterator<Item = &'a GraphicAnnotation> + 'a {
        self.annotations
            .iter()
            .filter(move |a| a.applies.includes(sop, frame))
    }

    /// The view's quarter turns and mirror for this state: both rotate first, then mirror
    /// (Image Rotation is applied before Image Horizontal Flip).
    pub fn view_orientation(&self) -> (u8, bool) {
        (self.quarter_turns, self.horizontal_flip)
    }
}

/// The window showing every value an image can hold: identity VOI on `bits_stored` samples
/// (signed or not) through `rescale`.
pub fn identity_window(bits_stored: u16, signed: bool, rescale: Rescale) -> WindowLevel {
    let bits = i32::from(bits_stored.clamp(1, 32));
    let (lo, hi) = if signed {
        (-(2f64.powi(bits - 1)), 2f64.powi(bits - 1) - 1.0)
    } else {
        (0.0, 2f64.powi(bits) - 1.0)
    };
    let (a, b) = (rescale.apply(lo), rescale.apply(hi));
    WindowLevel::from_range(a.min(b), a.max(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ds(value: serde_json::Value) -> JsonDataset {
        match value {
            serde_json::Value::Object(map) => JsonDataset(map),
            _ => JsonDataset::default(),
        }
    }

    fn image_ref(sop: &str) -> serde_json::Value {
        json!({"vr": "SQ", "Value": [{"00081155": {"vr": "UI", "Value": [sop]}}]})
    }

    #[test]
    fn reads_the_voi_area_transform_and_annotations_of_a_state() {
        let state = ds(json!({
            "00080016": {"vr": "UI", "Value": [GSPS]},
            "00080018": {"vr": "UI", "Value": ["1.2.9"]},
            "00700080": {"vr": "CS", "Value": ["LUNG"]},
            "00081115": {"vr": "SQ", "Value": [{"00081140": image_ref("1.2.3")}]},
            "00283110": {"vr": "SQ", "Value": [{
                "00081140": image_ref("1.2.3"),
                "00281050": {"vr": "DS", "Value": [-600]},
                "00281051": {"vr": "DS", "Value": [1500]}
            }]},
            "0070005A": {"vr": "SQ", "Value": [{
                "00700052": {"vr": "SL", "Value": [101, 51]},
                "00700053": {"vr": "SL", "Value": [300, 250]},
                "00700100": {"vr": "CS", "Value": ["SCALE TO FIT"]}
            }]},
            "00700042": {"vr": "US", "Value": [90]},
            "00700041": {"vr": "CS", "Value": ["Y"]},
            "00700001": {"vr": "SQ", "Value": [{
                "00700002": {"vr": "CS", "Value": ["LAYER"]},
                "00700008": {"vr": "SQ", "Value": [{
                    "00700006": {"vr": "ST", "Value": ["Nodule"]},
                    "00700014": {"vr": "FL", "Value": [120.5, 80.0]},
                    "00700015": {"vr": "CS", "Value": ["Y"]},
                    "00700004": {"vr": "CS", "Value": ["PIXEL"]}
                }]},
                "00700009": {"vr": "SQ", "Value": [{
                    "00700005": {"vr": "CS", "Value": ["PIXEL"]},
                    "00700020": {"vr": "US", "Value": [2]},
                    "00700021": {"vr": "US", "Value": [2]},
                    "00700022": {"vr": "FL", "Value": [10, 20, 30, 40]},
                    "00700023": {"vr": "CS", "Value": ["POLYLINE"]},
                    "00700024": {"vr": "CS", "Value": ["N"]}
                }]}
            }]}
        }));
        let ps = read(&state).expect("a GSPS");
        assert_eq!(ps.label.as_deref(), Some("LUNG"));
        assert!(ps.applies_to("1.2.3", 1) && !ps.applies_to("1.2.4", 1));
        assert_eq!(
            ps.voi("1.2.3", 1),
            Voi::Window(WindowLevel {
                center: -600.0,
                width: 1500.0
            })
        );
        let area = ps.displayed_area("1.2.3", 1).expect("an area");
        assert_eq!(area.bounds, [100.0, 50.0, 300.0, 250.0]);
        assert_eq!(area.mode, SizeMode::ScaleToFit);
        // 90° clockwise, then the mirror.
        assert_eq!(ps.view_orientation(), (1, true));
        let a: Vec<_> = ps.annotations_for("1.2.3", 1).collect();
        assert_eq!(a[0].texts[0].text, "Nodule");
        assert_eq!(a[0].texts[0].anchor, Some(([120.5, 80.0], Units::Pixel)));
        assert_eq!(a[0].graphics[0].points, vec![[10.0, 20.0], [30.0, 40.0]]);
    }

    #[test]
    fn corners_of_a_turned_area_may_come_in_any_order() {
        let state = ds(json!({
            "00080016": {"vr": "UI", "Value": [GSPS]},
            "0070005A": {"vr": "SQ", "Value": [{
                "00700052": {"vr": "SL", "Value": [300, 51]},
                "00700053": {"vr": "SL", "Value": [101, 250]}
            }]}
        }));
        let ps = read(&state).expect("a GSPS");
        let area = ps.displayed_area("1.2.3", 1).expect("an area");
        assert_eq!(area.bounds, [100.0, 50.0, 300.0, 250.0]);
    }

    #[test]
    fn without_a_voi_item_the_whole_stored_range_is_shown() {
        let state = ds(json!({
            "00080016": {"vr": "UI", "Value": [GSPS]},
            "00081115": {"vr": "SQ", "Value": [{"00081140": image_ref("1.2.3")}]}
        }));
        let ps = read(&state).expect("a GSPS");
        assert_eq!(ps.voi("1.2.3", 1), Voi::Identity);
        let w = identity_window(12, false, Rescale::default());
        assert_eq!((w.center, w.width), (2048.0, 4096.0));
        let ct = identity_window(
            16,
            true,
            Rescale {
                slope: 1.0,
                intercept: -1024.0,
            },
        );
        assert_eq!((ct.center, ct.width), (-1024.0, 65536.0));
        assert!(read(&ds(
            json!({"00080016": {"vr": "UI", "Value": ["1.2.840.10008.5.1.4.1.1.2"]}})
        ))
        .is_none());
    }
}
