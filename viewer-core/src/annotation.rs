//! The reader's annotations on images: their shapes (in image coordinates, see
//! [`crate::measure`]), what is measured from each, and the annotations of a TID 1500
//! measurement report read back so they are drawn again.

use dicom_dictionary_std::tags;

use crate::dicom_json::JsonDataset;
use crate::measure::{self, FrameValues, ImagePoint, LengthUnit, Region};
use crate::sr::{read_report, SrItem, SrValue};
use crate::sr_write::ImageInSeries;
use crate::study::PixelSpacing;

/// A drawn shape, in image pixel coordinates.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// Two end points.
    Length([ImagePoint; 2]),
    /// First ray end, vertex, second ray end.
    Angle([ImagePoint; 3]),
    /// Opposite corners of the bounding box.
    Ellipse([ImagePoint; 2]),
    Rectangle([ImagePoint; 2]),
    /// One point whose pixel value is read.
    Probe(ImagePoint),
    /// A shape from another application this viewer draws but does not measure.
    Outline(Vec<ImagePoint>),
}

impl Shape {
    /// The points the reader can drag (all of them, in order).
    pub fn handles(&self) -> Vec<ImagePoint> {
        match self {
            Shape::Length(p) | Shape::Ellipse(p) | Shape::Rectangle(p) => p.to_vec(),
            Shape::Angle(p) => p.to_vec(),
            Shape::Probe(p) => vec![*p],
            Shape::Outline(p) => p.clone(),
        }
    }

    /// The same shape with handle `i` at `to`.
    pub fn with_handle(&self, i: usize, to: ImagePoint) -> Shape {
        let mut s = self.clone();
        match &mut s {
            Shape::Length(p) | Shape::Ellipse(p) | Shape::Rectangle(p) => {
                if let Some(h) = p.get_mut(i) {
                    *h = to;
                }
            }
            Shape::Angle(p) => {
                if let Some(h) = p.get_mut(i) {
                    *h = to;
                }
            }
            Shape::Probe(p) => *p = to,
            Shape::Outline(p) => {
                if let Some(h) = p.get_mut(i) {
                    *h = to;
                }
            }
        }
        s
    }

    /// The same shape moved by `by` image pixels.
    pub fn moved(&self, by: [f64; 2]) -> Shape {
        let shift = |p: &ImagePoint| [p[0] + by[0], p[1] + by[1]];
        match self {
            Shape::Length(p) => Shape::Length(p.map(|q| shift(&q))),
            Shape::Angle(p) => Shape::Angle(p.map(|q| shift(&q))),
            Shape::Ellipse(p) => Shape::Ellipse(p.map(|q| shift(&q))),
            Shape::Rectangle(p) => Shape::Rectangle(p.map(|q| shift(&q))),
            Shape::Probe(p) => Shape::Probe(shift(p)),
            Shape::Outline(p) => Shape::Outline(p.iter().map(shift).collect()),
        }
    }

    fn region(&self) -> Option<Region> {
        match *self {
            Shape::Ellipse(corners) => Some(Region::Ellipse { corners }),
            Shape::Rectangle(corners) => Some(Region::Rectangle { corners }),
            _ => None,
        }
    }

    /// The shape as SR Graphic Type and Graphic Data (PS3.3 C.18.6.1): a line or an angle
    /// as a POLYLINE, an ellipse by its major then minor axis end points, a rectangle as a
    /// closed POLYLINE, a probe as a POINT.
    pub fn scoord(&self) -> (&'static str, Vec<ImagePoint>) {
        match self {
            Shape::Length(p) => ("POLYLINE", p.to_vec()),
            Shape::Angle(p) => ("POLYLINE", p.to_vec()),
            Shape::Probe(p) => ("POINT", vec![*p]),
            Shape::Rectangle([a, b]) => ("POLYLINE", vec![*a, [b[0], a[1]], *b, [a[0], b[1]], *a]),
            Shape::Ellipse([a, b]) => {
                let (cx, cy) = ((a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0);
                let (rx, ry) = ((b[0] - a[0]).abs() / 2.0, (b[1] - a[1]).abs() / 2.0);
                let horizontal = [[cx - rx, cy], [cx + rx, cy]];
                let vertical = [[cx, cy - ry], [cx, cy + ry]];
                let (major, minor) = if rx >= ry {
                    (horizontal, vertical)
                } else {
                    (vertical, horizontal)
                };
                ("ELLIPSE", vec![major[0], major[1], minor[0], minor[1]])
            }
            Shape::Outline(p) => ("POLYLINE", p.clone()),
        }
    }

    /// The shape a SCOORD stands for, as this viewer drew it; other outlines kept as drawn.
    pub fn from_scoord(graphic_type: &str, points: &[ImagePoint]) -> Option<Shape> {
        match (graphic_type, points) {
            ("POINT", [p]) => Some(Shape::Probe(*p)),
            ("POLYLINE", [a, b]) => Some(Shape::Length([*a, *b])),
            ("POLYLINE", [a, v, b]) => Some(Shape::Angle([*a, *v, *b])),
            ("POLYLINE", [a, b, c, d, e])
                if a == e && a[1] == b[1] && b[0] == c[0] && c[1] == d[1] && d[0] == a[0] =>
            {
                Some(Shape::Rectangle([*a, *c]))
            }
            ("ELLIPSE", [m0, m1, n0, n1]) => {
                // Axis-aligned ellipses only are drawn as such; others as their outline.
                let aligned = |p: &ImagePoint, q: &ImagePoint| p[0] == q[0] || p[1] == q[1];
                if !(aligned(m0, m1) && aligned(n0, n1)) {
                    return Some(Shape::Outline(points.to_vec()));
                }
                let xs = [m0[0], m1[0], n0[0], n1[0]];
                let ys = [m0[1], m1[1], n0[1], n1[1]];
                let (l, r) = (
                    xs.iter().copied().fold(f64::INFINITY, f64::min),
                    xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                );
                let (t, b) = (
                    ys.iter().copied().fold(f64::INFINITY, f64::min),
                    ys.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                );
                Some(Shape::Ellipse([[l, t], [r, b]]))
            }
            ("CIRCLE", [c, edge]) => {
                let r = (edge[0] - c[0]).hypot(edge[1] - c[1]);
                Some(Shape::Ellipse([[c[0] - r, c[1] - r], [c[0] + r, c[1] + r]]))
            }
            (_, []) => None,
            (_, p) => Some(Shape::Outline(p.to_vec())),
        }
    }
}

/// What a measured value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    Length,
    Angle,
    Area,
    Mean,
    StandardDeviation,
    Minimum,
    Maximum,
    /// A probe's pixel value.
    Value,
}

/// The unit of a measured value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unit {
    Length(LengthUnit),
    /// The square of a length unit.
    Area(LengthUnit),
    Degree,
    /// Modality units (HU, or what Rescale Type names); `None` when unknown.
    Modality(Option<String>),
}

/// One measured value.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    pub quantity: Quantity,
    pub value: f64,
    pub unit: Unit,
}

/// The values of `shape` on an image of `spacing`; `frame` (its modality values, `unit`
/// their unit) for region statistics and probes. A colour image gives areas only.
pub fn measurements(
    shape: &Shape,
    spacing: PixelSpacing,
    frame: Option<&dyn FrameValues>,
    unit: Option<&str>,
) -> Vec<Measurement> {
    let modality = || Unit::Modality(unit.map(str::to_string));
    let m = |quantity, value, unit| Measurement {
        quantity,
        value,
        unit,
    };
    match shape {
        Shape::Length([a, b]) => {
            let l = measure::length(*a, *b, spacing);
            vec![m(Quantity::Length, l.value, Unit::Length(l.unit))]
        }
        Shape::Angle([a, v, b]) => measure::angle_deg(*a, *v, *b, spacing)
            .map(|deg| m(Quantity::Angle, deg, Unit::Degree))
            .into_iter()
            .collect(),
        Shape::Ellipse(_) | Shape::Rectangle(_) => {
            let Some(region) = shape.region() else {
                return Vec::new();
            };
            let area = region.area(spacing);
            let mut out = vec![m(Quantity::Area, area.value, Unit::Area(area.unit))];
            if let Some(s) = frame.and_then(|f| region_stats_dyn(&region, f)) {
                out.extend([
                    m(Quantity::Mean, s.mean, modality()),
                    m(Quantity::StandardDeviation, s.sd, modality()),
                    m(Quantity::Minimum, s.min, modality()),
                    m(Quantity::Maximum, s.max, modality()),
                ]);
            }
            out
        }
        Shape::Probe(p) => frame
            .and_then(|f| {
                let (c, r) = measure::pixel_at(*p, f.columns(), f.rows())?;
                f.value(c, r)
            })
            .map(|v| m(Quantity::Value, v, modality()))
            .into_iter()
            .collect(),
        Shape::Outline(_) => Vec::new(),
    }
}

/// [`measure::region_stats`] through a trait object.
fn region_stats_dyn(region: &Region, frame: &dyn FrameValues) -> Option<measure::RegionStats> {
    struct Dyn<'a>(&'a dyn FrameValues);
    impl FrameValues for Dyn<'_> {
        fn columns(&self) -> u32 {
            self.0.columns()
        }
        fn rows(&self) -> u32 {
            self.0.rows()
        }
        fn value(&self, column: u32, row: u32) -> Option<f64> {
            self.0.value(column, row)
        }
    }
    measure::region_stats(region, &Dyn(frame))
}

/// An annotation on one image (and frame) of a study.
#[derive(Debug, Clone, PartialEq)]
pub struct Annotation {
    /// The image (its series, class, instance, and frame of a multi-frame image).
    pub image: ImageInSeries,
    pub shape: Shape,
    /// Tracking Unique Identifier: the same finding across reports.
    pub tracking_uid: Option<String>,
    /// Tracking Identifier: the reader's name for it.
    pub label: Option<String>,
}

/// An annotation read from a report, with the values the report gives for it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadAnnotation {
    pub annotation: Annotation,
    pub measurements: Vec<Measurement>,
}

/// A measurement report's annotations, and the reports it replaces.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReportAnnotations {
    pub annotations: Vec<ReadAnnotation>,
    /// SOP Instance UIDs of the Predecessor Documents Sequence.
    pub replaces: Vec<String>,
}

/// Measurement report (126000, DCM).
const MEASUREMENT_REPORT: &str = "126000";
/// Measurement Group (125007, DCM).
const MEASUREMENT_GROUP: &str = "125007";
/// Tracking Identifier (112039) and Tracking Unique Identifier (112040), DCM.
const TRACKING_IDENTIFIER: &str = "112039";
const TRACKING_UID: &str = "112040";

/// The annotations of a TID 1500 measurement report: each measurement group's first SCOORD
/// and the image it is selected from. Other reports give none.
pub fn from_report(ds: &JsonDataset) -> ReportAnnotations {
    let Ok(doc) = read_report(ds) else {
        return ReportAnnotations::default();
    };
    if doc.title.as_ref().map(|c| c.value.as_str()) != Some(MEASUREMENT_REPORT) {
        return ReportAnnotations::default();
    }
    let mut groups = Vec::new();
    collect_groups(&doc.items, &mut groups, 0);
    // The series of each referenced image, from the evidence list.
    let series_of = |sop: &str| {
        ds.items(tags::CURRENT_REQUESTED_PROCEDURE_EVIDENCE_SEQUENCE)
            .iter()
            .flat_map(|study| study.items(tags::REFERENCED_SERIES_SEQUENCE))
            .find(|series| {
                series
                    .items(tags::REFERENCED_SOP_SEQUENCE)
                    .iter()
                    .any(|r| r.string(tags::REFERENCED_SOP_INSTANCE_UID).as_deref() == Some(sop))
            })
            .and_then(|series| series.string(tags::SERIES_INSTANCE_UID))
            .unwrap_or_default()
    };
    let annotations = groups
        .into_iter()
        .filter_map(group_annotation)
        .map(|mut a| {
            a.annotation.image.series_instance_uid =
                series_of(&a.annotation.image.sop_instance_uid);
            a
        })
        .collect();
    let replaces = ds
        .items(tags::PREDECESSOR_DOCUMENTS_SEQUENCE)
        .iter()
        .flat_map(|study| study.items(tags::REFERENCED_SERIES_SEQUENCE))
        .flat_map(|series| series.items(tags::REFERENCED_SOP_SEQUENCE))
        .filter_map(|sop| sop.string(tags::REFERENCED_SOP_INSTANCE_UID))
        .collect();
    ReportAnnotations {
        annotations,
        replaces,
    }
}

fn is_concept(item: &SrItem, value: &str) -> bool {
    item.concept
        .as_ref()
        .is_some_and(|c| c.value == value && c.scheme == "DCM")
}

fn collect_groups<'a>(items: &'a [SrItem], out: &mut Vec<&'a SrItem>, depth: usize) {
    for item in items {
        if is_concept(item, MEASUREMENT_GROUP) {
            out.push(item);
        } else if depth < 4 {
            collect_groups(&item.children, out, depth + 1);
        }
    }
}

/// The first SCOORD under `item` (depth first) with the image it is selected from.
fn first_scoord(item: &SrItem) -> Option<(&SrItem, &crate::sr::InstanceRef)> {
    if let SrValue::Coordinates { .. } = item.value {
        let image = item.children.iter().find_map(|c| match &c.value {
            SrValue::Reference(refs) if c.relationship.as_deref() == Some("SELECTED FROM") => {
                refs.first()
            }
            _ => None,
        })?;
        return Some((item, image));
    }
    item.children.iter().find_map(first_scoord)
}

/// The quantity a NUM's concept names (as written by this viewer's reports).
fn quantity(concept: &crate::sr::Code, shape: &Shape) -> Option<Quantity> {
    if concept.scheme != "SCT" {
        return None;
    }
    Some(match concept.value.as_str() {
        "410668003" => Quantity::Length,
        "1483009" => Quantity::Angle,
        "42798000" => Quantity::Area,
        "373098007" if matches!(shape, Shape::Probe(_)) => Quantity::Value,
        "373098007" => Quantity::Mean,
        "386136009" => Quantity::StandardDeviation,
        "255605001" => Quantity::Minimum,
        "56851009" => Quantity::Maximum,
        _ => return None,
    })
}

fn unit(code: Option<&crate::sr::Code>, quantity: Quantity) -> Unit {
    let value = code.map(|c| c.value.as_str()).unwrap_or("");
    match (quantity, value) {
        (Quantity::Length, "mm") => Unit::Length(LengthUnit::Mm),
        (Quantity::Length, _) => Unit::Length(LengthUnit::Px),
        (Quantity::Area, "mm2") => Unit::Area(LengthUnit::Mm),
        (Quantity::Area, _) => Unit::Area(LengthUnit::Px),
        (Quantity::Angle, _) => Unit::Degree,
        (_, "[hnsf'U]") => Unit::Modality(Some("HU".into())),
        _ => Unit::Modality(None),
    }
}

/// The NUM items anywhere under `item`.
fn numbers(item: &SrItem, shape: &Shape, out: &mut Vec<Measurement>) {
    for child in &item.children {
        if let (SrValue::Num { value, unit: code }, Some(concept)) = (&child.value, &child.concept)
        {
            if let (Some(q), Ok(v)) = (quantity(concept, shape), value.trim().parse::<f64>()) {
                out.push(Measurement {
                    quantity: q,
                    value: v,
                    unit: unit(code.as_ref(), q),
                });
            }
        }
        numbers(child, shape, out);
    }
}

fn group_annotation(group: &SrItem) -> Option<ReadAnnotation> {
    let (scoord, image) = first_scoord(group)?;
    let SrValue::Coordinates {
        graphic_type,
        image_points,
        ..
    } = &scoord.value
    else {
        return None;
    };
    let shape = Shape::from_scoord(graphic_type, image_points)?;
    let text_of = |concept: &str| {
        group.children.iter().find_map(|c| match &c.value {
            SrValue::Text(t) if is_concept(c, concept) => Some(t.clone()),
            SrValue::Uid(u) if is_concept(c, concept) => Some(u.clone()),
            _ => None,
        })
    };
    let mut measurements = Vec::new();
    numbers(group, &shape, &mut measurements);
    Some(ReadAnnotation {
        annotation: Annotation {
            image: ImageInSeries {
                series_instance_uid: String::new(),
                sop_class_uid: image.sop_class_uid.clone(),
                sop_instance_uid: image.sop_instance_uid.clone(),
                frame: image.frames.first().copied(),
            },
            shape,
            tracking_uid: text_of(TRACKING_UID),
            label: text_of(TRACKING_IDENTIFIER),
        },
        measurements,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_round_trip_through_their_scoord() {
        let shapes = [
            Shape::Length([[1.0, 2.0], [30.5, 40.25]]),
            Shape::Angle([[10.0, 0.0], [0.0, 0.0], [0.0, 10.0]]),
            Shape::Rectangle([[2.0, 3.0], [20.0, 12.0]]),
            Shape::Ellipse([[4.0, 4.0], [40.0, 24.0]]),
            Shape::Ellipse([[4.0, 4.0], [14.0, 44.0]]),
            Shape::Probe([7.5, 8.5]),
        ];
        for shape in shapes {
            let (kind, points) = shape.scoord();
            assert_eq!(
                Shape::from_scoord(kind, &points),
                Some(shape.clone()),
                "{kind}"
            );
        }
        let circle = Shape::from_scoord("CIRCLE", &[[10.0, 10.0], [13.0, 14.0]]);
        assert_eq!(circle, Some(Shape::Ellipse([[5.0, 5.0], [15.0, 15.0]])));
        let tilted =
            Shape::from_scoord("ELLIPSE", &[[0.0, 0.0], [4.0, 4.0], [0.0, 4.0], [4.0, 0.0]]);
        assert!(matches!(tilted, Some(Shape::Outline(_))));
        assert_eq!(Shape::from_scoord("POLYLINE", &[]), None);
    }

    #[test]
    fn handles_move_and_shapes_shift() {
        let line = Shape::Length([[0.0, 0.0], [10.0, 0.0]]);
        assert_eq!(
            line.with_handle(1, [5.0, 5.0]),
            Shape::Length([[0.0, 0.0], [5.0, 5.0]])
        );
        assert_eq!(
            line.moved([1.0, 2.0]),
            Shape::Length([[1.0, 2.0], [11.0, 2.0]])
        );
        assert_eq!(Shape::Angle([[0.0; 2]; 3]).handles().len(), 3);
    }

    #[test]
    fn measurements_carry_their_units() {
        let ct = PixelSpacing::Patient {
            row_mm: 0.5,
            column_mm: 0.5,
        };
        let m = measurements(&Shape::Length([[0.0, 0.0], [10.0, 0.0]]), ct, None, None);
        assert_eq!(m[0].value, 5.0);
        assert_eq!(m[0].unit, Unit::Length(LengthUnit::Mm));
        let square = Shape::Rectangle([[0.0, 0.0], [4.0, 4.0]]);
        let m = measurements(&square, ct, None, Some("HU"));
        assert_eq!(m.len(), 1, "area only without pixels");
        assert_eq!(m[0].value, 4.0);
        assert_eq!(m[0].unit, Unit::Area(LengthUnit::Mm));
    }
}
