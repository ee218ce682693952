//! TID 1500 Measurement Report (PS3.16) in a Comprehensive SR: the reader's annotations, one
//! Measurement Group each. Regions follow TID 1410 (an Image Region SCOORD and its
//! statistics); lengths, angles and probes TID 1501/300 (each value inferred from its
//! SCOORD). Every SCOORD is selected from its image, so the shapes can be drawn again.

use super::{
    dcm, encode, observer_context, sct, ucum, Body, Coded, ImageInSeries, Item, NewDocument,
    Predecessor, StudyContext, WriteError,
};
use dicom_dictionary_std::uids;

use crate::annotation::{Annotation, Measurement, Quantity, Shape, Unit};
use crate::measure::LengthUnit;

/// Comprehensive SR Storage.
pub const COMPREHENSIVE_SR: &str = uids::COMPREHENSIVE_SR_STORAGE;

/// One annotation as written: where it is and what was measured on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub annotation: Annotation,
    pub measurements: Vec<Measurement>,
}

fn concept(quantity: Quantity) -> Coded {
    match quantity {
        Quantity::Length => sct("410668003", "Length"),
        Quantity::Angle => sct("1483009", "Angle"),
        Quantity::Area => sct("42798000", "Area"),
        // A probe is the mean of the one pixel under it.
        Quantity::Mean | Quantity::Value => sct("373098007", "Mean"),
        Quantity::StandardDeviation => sct("386136009", "Standard Deviation"),
        Quantity::Minimum => sct("255605001", "Minimum"),
        Quantity::Maximum => sct("56851009", "Maximum"),
    }
}

fn unit_code(unit: &Unit) -> Coded {
    match unit {
        Unit::Length(LengthUnit::Px) => ucum("{pixels}", "pixels"),
        Unit::Length(_) => ucum("mm", "millimeter"),
        Unit::Area(LengthUnit::Px) => ucum("{pixels2}", "square pixels"),
        Unit::Area(_) => ucum("mm2", "square millimeter"),
        Unit::Degree => ucum("deg", "degree"),
        Unit::Modality(Some(u)) if u == "HU" => ucum("[hnsf'U]", "Hounsfield unit"),
        Unit::Modality(_) => ucum("1", "no units"),
    }
}

/// The content language as a code (RFC 5646).
fn language(code: &str) -> Coded {
    match code {
        "en" => Coded {
            value: "en",
            scheme: "RFC5646",
            meaning: "English",
        },
        _ => Coded {
            value: "fr",
            scheme: "RFC5646",
            meaning: "French",
        },
    }
}

fn group(finding: &Finding, index: usize) -> Item {
    let a = &finding.annotation;
    let label = a
        .label
        .clone()
        .unwrap_or_else(|| format!("Mesure {}", index + 1));
    let (graphic_type, points) = a.shape.scoord();
    let scoord = |concept| {
        Item::scoord("INFERRED FROM", concept, graphic_type, &points)
            .with(Item::image("SELECTED FROM", &finding.annotation.image))
    };
    let mut g =
        Item::container(Some("CONTAINS"), dcm("125007", "Measurement Group")).with(Item::text(
            "HAS OBS CONTEXT",
            dcm("112039", "Tracking Identifier"),
            &label,
        ));
    if let Some(uid) = &a.tracking_uid {
        g = g.with(Item::uid(
            "HAS OBS CONTEXT",
            dcm("112040", "Tracking Unique Identifier"),
            uid,
        ));
    }
    // A value that is not a number (no pixel under a probe) is left out.
    let finite: Vec<&Measurement> = finding
        .measurements
        .iter()
        .filter(|m| m.value.is_finite())
        .collect();
    let nums =
        |m: &&Measurement| Item::num("CONTAINS", concept(m.quantity), m.value, unit_code(&m.unit));
    match a.shape {
        Shape::Ellipse(_) | Shape::Rectangle(_) | Shape::Outline(_) => {
            // TID 1410: the region, then its measurements.
            let region = Item::scoord(
                "CONTAINS",
                Some(dcm("111030", "Image Region")),
                graphic_type,
                &points,
            )
            .with(Item::image("SELECTED FROM", &finding.annotation.image));
            g.with(region).with_all(finite.iter().map(nums))
        }
        Shape::Length(_) | Shape::Angle(_) | Shape::Probe(_) => {
            if finite.is_empty() {
                // Nothing measurable (a probe off the image): the shape alone.
                return g.with(
                    Item::scoord(
                        "CONTAINS",
                        Some(dcm("111030", "Image Region")),
                        graphic_type,
                        &points,
                    )
                    .with(Item::image("SELECTED FROM", &finding.annotation.image)),
                );
            }
            g.with_all(finite.iter().map(|m| nums(m).with(scoord(None))))
        }
    }
}

/// A TID 1500 report of `findings` on images of `context`'s study, by `doc.observer_name`,
/// in `language` ("fr" or "en"); `replaces` are the reports it supersedes (their shapes are
/// in `findings` when the reader kept them).
pub fn measurement_report(
    context: &StudyContext,
    doc: &NewDocument,
    findings: &[Finding],
    replaces: &[Predecessor],
    language_code: &str,
) -> Result<Vec<u8>, WriteError> {
    // TID 1500's image library and measurements hold one item at least.
    if findings.is_empty() {
        return Err(WriteError::Empty);
    }
    for f in findings {
        f.annotation.image.check()?;
    }
    let mut library: Vec<ImageInSeries> = Vec::new();
    for f in findings {
        if !library.contains(&f.annotation.image) {
            library.push(f.annotation.image.clone());
        }
    }
    let root = Item::container(None, dcm("126000", "Imaging Measurement Report"))
        .with(Item::code(
            "HAS CONCEPT MOD",
            dcm("121049", "Language of Content Item and Descendants"),
            language(language_code),
        ))
        .with_all(observer_context(&doc.observer_name))
        .with(Item::code(
            "HAS CONCEPT MOD",
            dcm("121058", "Procedure reported"),
            sct("363679005", "Imaging procedure"),
        ))
        .with(
            Item::container(Some("CONTAINS"), dcm("111028", "Image Library")).with(
                Item::container(Some("CONTAINS"), dcm("126200", "Image Library Group"))
                    .with_all(library.iter().map(|i| Item::image("CONTAINS", i))),
            ),
        )
        .with(
            Item::container(Some("CONTAINS"), dcm("126010", "Imaging Measurements"))
                .with_all(findings.iter().enumerate().map(|(i, f)| group(f, i))),
        );
    encode(
        context,
        doc,
        Body {
            sop_class_uid: COMPREHENSIVE_SR,
            modality: "SR",
            root,
            template: "1500",
            evidence: &library,
            predecessors: replaces,
            sr_flags: true,
        },
    )
}
