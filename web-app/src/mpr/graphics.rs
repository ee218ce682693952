//! The graphics over a reformat view's image (CSS pixels over its canvas): the other planes'
//! lines, the missing samples hatched, and the lengths and ellipses drawn on the view, each
//! ellipse with its area and the statistics of the values inside it (`viewer_core::mpr`'s
//! `ellipse_stats`, on the view's plane with its slab and interpolation, so they follow the
//! volume as it fills).

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use viewer_core::annotation::{Measurement, Quantity, Unit};
use viewer_core::measure::LengthUnit;
use viewer_core::mpr::{distance_mm, ellipse_stats, image_px_of, Band, EllipseStats};
use viewer_core::reformat::{Interpolation, Plane};
use viewer_core::view::Affine;

use super::view::{css_from_image, NAMES};
use super::{Drawn, DrawnShape, Mpr, Shared};
use crate::i18n::{use_i18n, I18n};
use crate::viewport::value_text;

/// An SVG `matrix()` of an affine map.
fn svg_matrix(a: &Affine) -> String {
    format!(
        "matrix({} {} {} {} {} {})",
        a.m[0], a.m[2], a.m[1], a.m[3], a.t[0], a.t[1]
    )
}

/// Whether a patient point lies on the plane (within half a sample).
fn on_plane(plane: &Plane, point: [f64; 3]) -> bool {
    let n = plane.normal();
    let d: f64 = (0..3).map(|i| (point[i] - plane.origin_mm[i]) * n[i]).sum();
    d.abs() <= plane.spacing_mm[0] / 2.0
}

/// The other planes' lines, the missing samples, the lengths and ellipses.
pub(super) fn graphics(
    view: usize,
    mpr: Mpr,
    shared: SendWrapper<Shared>,
    plane: RwSignal<Option<Plane>>,
    bands: RwSignal<Vec<Band>>,
    canvas_css: RwSignal<[f64; 2]>,
    drawing: RwSignal<Option<Drawn>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let affine = Memo::new(move |_| {
        let state = mpr.views[view].get();
        plane.with(|p| {
            p.as_ref()
                .map(|p| css_from_image(&state, p, canvas_css.get()))
        })
    });
    let hatch = format!("mpr-hatch-{view}");
    let fill = format!("url(#{hatch})");
    let lines = move || {
        let (Some(a), Some(p)) = (affine.get(), plane.get()) else {
            return Vec::new();
        };
        let reach = canvas_css.get().iter().sum::<f64>() * 2.0;
        (0..3)
            .filter(|&o| o != view)
            .filter_map(|other| {
                let line = mpr.crosshairs.with(|c| c.line_in(view, other, &p))?;
                let through = a.apply(line.through_px);
                let ahead = a.apply([
                    line.through_px[0] + line.direction[0],
                    line.through_px[1] + line.direction[1],
                ]);
                let (dx, dy) = (ahead[0] - through[0], ahead[1] - through[1]);
                let length = dx.hypot(dy).max(1e-9);
                let (ux, uy) = (dx / length * reach, dy / length * reach);
                Some(view! {
                    <line class=format!("mpr-line mpr-line-{}", NAMES[other].1)
                        data-testid="mpr-line" data-other=NAMES[other].1
                        x1=format!("{:.1}", through[0] - ux) y1=format!("{:.1}", through[1] - uy)
                        x2=format!("{:.1}", through[0] + ux) y2=format!("{:.1}", through[1] + uy) />
                })
            })
            .collect::<Vec<_>>()
    };
    let segment = move |a_mm: [f64; 3], b_mm: [f64; 3], testid: &'static str| {
        let (affine, p) = (affine.get()?, plane.get()?);
        let (a_px, b_px) = (image_px_of(&p, a_mm), image_px_of(&p, b_mm));
        let mm = distance_mm(&p, a_px, b_px);
        let (a, b) = (affine.apply(a_px), affine.apply(b_px));
        Some(view! {
            <g data-testid=testid data-mm=format!("{mm:.2}")>
                <line class="mpr-length" x1=format!("{:.1}", a[0]) y1=format!("{:.1}", a[1])
                    x2=format!("{:.1}", b[0]) y2=format!("{:.1}", b[1]) />
                <text class="mpr-length-text" x=format!("{:.1}", b[0] + 6.0) y=format!("{:.1}", b[1] - 6.0)>
                    {format!("{mm:.1} mm")}
                </text>
            </g>
        })
    };
    let ellipse = move |d: Drawn, testid: &'static str| {
        let (affine, p) = (affine.get()?, plane.get()?);
        let corners = [image_px_of(&p, d.a_mm), image_px_of(&p, d.b_mm)];
        let interpolation = if mpr.smooth.get() {
            Interpolation::Trilinear
        } else {
            Interpolation::Nearest
        };
        let slab = mpr.slabs.with(|s| s[view]);
        mpr.filled.track();
        let measured = ellipse_stats(&shared.volume.borrow(), &p, corners, interpolation, slab);
        Some(ellipse_view(
            &i18n,
            &affine,
            corners,
            measured,
            shared.unit.as_deref(),
            testid,
        ))
    };
    let in_progress = {
        let ellipse = ellipse.clone();
        move || {
            drawing.get().and_then(|d| match d.shape {
                DrawnShape::Length => segment(d.a_mm, d.b_mm, "mpr-drawing").map(IntoAny::into_any),
                DrawnShape::Ellipse => ellipse.clone()(d, "mpr-drawing").map(IntoAny::into_any),
            })
        }
    };
    let shown = move || {
        let drawn: Vec<Drawn> = plane.with(|p| {
            let Some(p) = p else { return Vec::new() };
            mpr.drawn.with(|all| {
                all.iter()
                    .filter(|d| d.view == view && on_plane(p, d.a_mm) && on_plane(p, d.b_mm))
                    .copied()
                    .collect()
            })
        });
        drawn
            .into_iter()
            .filter_map(|d| match d.shape {
                DrawnShape::Length => segment(d.a_mm, d.b_mm, "mpr-length").map(IntoAny::into_any),
                DrawnShape::Ellipse => ellipse.clone()(d, "mpr-ellipse").map(IntoAny::into_any),
            })
            .collect_view()
    };
    view! {
        <svg class="mpr-graphics" aria-hidden="true">
            <defs>
                <pattern id=hatch.clone() width="8" height="8" patternUnits="userSpaceOnUse"
                    patternTransform="rotate(45)">
                    <rect width="8" height="8" class="mpr-missing-back" />
                    <line x1="0" y1="0" x2="0" y2="8" class="mpr-missing-stroke" />
                </pattern>
            </defs>
            <g transform=move || affine.get().map(|a| svg_matrix(&a))>
                {move || bands.get().into_iter().map(|b| view! {
                    <rect data-testid="mpr-missing" x=b.x.to_string() y=b.y.to_string()
                        width=b.width.to_string() height=b.height.to_string()
                        fill=fill.clone() />
                }).collect_view()}
            </g>
            {lines}
            {shown}
            {in_progress}
        </svg>
    }
}

/// One ellipse: its outline (image pixels through the view's map) and, beside its box, the
/// area and the values inside; a count of the samples that have none yet.
fn ellipse_view(
    i18n: &I18n,
    affine: &Affine,
    corners: [[f64; 2]; 2],
    measured: Option<EllipseStats>,
    unit: Option<&str>,
    testid: &'static str,
) -> impl IntoView {
    let [a, b] = corners;
    let (cx, cy) = ((a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0);
    let (rx, ry) = ((b[0] - a[0]).abs() / 2.0, (b[1] - a[1]).abs() / 2.0);
    // The label beside the box's corner that lies lowest on screen.
    let anchor = [a, b, [a[0], b[1]], [b[0], a[1]]]
        .map(|p| affine.apply(p))
        .into_iter()
        .fold([f64::NEG_INFINITY; 2], |best, p| {
            if p[1] > best[1] {
                p
            } else {
                best
            }
        });
    let modality = || Unit::Modality(unit.map(str::to_string));
    let m = |quantity, value, unit| Measurement {
        quantity,
        value,
        unit,
    };
    let mut lines = Vec::new();
    let mut data = [None::<f64>; 6];
    if let Some(measured) = measured {
        lines.push(m(
            Quantity::Area,
            measured.area_mm2,
            Unit::Area(LengthUnit::Mm),
        ));
        data[0] = Some(measured.area_mm2);
        if let Some(s) = measured.stats {
            lines.extend([
                m(Quantity::Mean, s.mean, modality()),
                m(Quantity::StandardDeviation, s.sd, modality()),
                m(Quantity::Minimum, s.min, modality()),
                m(Quantity::Maximum, s.max, modality()),
            ]);
            data[1..5].copy_from_slice(&[Some(s.mean), Some(s.sd), Some(s.min), Some(s.max)]);
            data[5] = Some(s.pixels as f64);
        }
    }
    let mut texts: Vec<String> = lines.iter().map(|l| value_text(i18n, l)).collect();
    let missing = measured.map_or(0, |m| m.missing);
    if missing > 0 {
        texts.push(i18n.f("mpr.ellipse_missing", &[("count", &missing.to_string())]));
    }
    let attr = |v: Option<f64>| v.map(|v| format!("{v:.3}")).unwrap_or_default();
    view! {
        <g data-testid=testid data-area=attr(data[0]) data-mean=attr(data[1]) data-sd=attr(data[2])
            data-min=attr(data[3]) data-max=attr(data[4]) data-pixels=attr(data[5])
            data-missing=missing.to_string()>
            <g transform=svg_matrix(affine)>
                <ellipse class="mpr-ellipse" cx=format!("{cx:.2}") cy=format!("{cy:.2}")
                    rx=format!("{rx:.2}") ry=format!("{ry:.2}") vector-effect="non-scaling-stroke" />
            </g>
            <text class="mpr-length-text" x=format!("{:.1}", anchor[0] + 6.0) y=format!("{:.1}", anchor[1] + 4.0)>
                {texts.into_iter().map(|t| view! {
                    <tspan x=format!("{:.1}", anchor[0] + 6.0) dy="1.2em">{t}</tspan>
                }).collect_view()}
            </text>
        </g>
    }
}
