//! Annotations in a viewport: the shapes on the visible image drawn over it with their
//! values, and the pointer gestures that draw, edit (a handle), move (the outline) and
//! select them. Shapes live in image coordinates; the view's affine map places them.
//!
//! Gestures: with a measuring tool, press and drag draws, or two clicks (a length, an ellipse,
//! a rectangle: the second point follows the pointer until the second click); an angle takes
//! a second press for its second ray; with any tool, a handle or an outline under the pointer
//! is dragged.

use std::rc::Rc;

use leptos::html::Canvas;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use viewer_core::annotation::{measurements, Annotation, Measurement, Quantity, Shape, Unit};
use viewer_core::measure::{ImagePoint, LengthUnit, ModalityFrame};
use viewer_core::sr_write::ImageInSeries;
use viewer_core::view::Affine;

use super::device_pixel_ratio;
use crate::annotations::{Annotations, Drawn};
use crate::i18n::{use_i18n, I18n};
use crate::overlays::Tool;
use crate::stack::{FrameState, Stack};

/// CSS pixels within which a handle or an outline is under the pointer.
const HIT_PX: f64 = 8.0;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Drag {
    /// One handle follows the pointer.
    Handle { id: u64, handle: usize },
    /// The whole shape follows the pointer from `from` (image coordinates).
    Move { id: u64, from: ImagePoint },
    /// A new angle's vertex and second ray end follow the pointer together.
    NewAngle { id: u64 },
    /// A new two-point shape's second point follows the pointer; released where it was
    /// pressed, it waits for a second click instead.
    NewShape { id: u64 },
}

impl Drag {
    fn id(self) -> u64 {
        match self {
            Drag::Handle { id, .. }
            | Drag::Move { id, .. }
            | Drag::NewAngle { id }
            | Drag::NewShape { id } => id,
        }
    }
}

/// The annotation state of one viewport (all `Copy` handles).
#[derive(Clone, Copy)]
pub(super) struct Annotate {
    pub store: Annotations,
    drag: RwSignal<Option<Drag>>,
    /// A shape waiting for a click: (id, the handle that follows the pointer until then): an
    /// angle's second ray end, or a two-click shape's second point.
    pending: RwSignal<Option<(u64, usize)>>,
    canvas_ref: NodeRef<Canvas>,
    view: Memo<viewer_core::view::ViewState>,
    canvas_css: RwSignal<[f64; 2]>,
    index: Memo<usize>,
    /// Changes when the visible frame or its state does (see the viewport).
    visible_frame: RwSignal<(usize, usize)>,
    stack: StoredValue<SendWrapper<Rc<Stack>>>,
}

impl Annotate {
    pub(super) fn new(
        store: Annotations,
        canvas_ref: NodeRef<Canvas>,
        view: Memo<viewer_core::view::ViewState>,
        canvas_css: RwSignal<[f64; 2]>,
        index: Memo<usize>,
        visible_frame: RwSignal<(usize, usize)>,
        stack: SendWrapper<Rc<Stack>>,
    ) -> Self {
        Annotate {
            store,
            drag: RwSignal::new(None),
            pending: RwSignal::new(None),
            canvas_ref,
            view,
            canvas_css,
            index,
            visible_frame,
            stack: StoredValue::new(stack),
        }
    }

    /// The visible image as a document references it.
    fn image(&self, index: usize) -> Option<ImageInSeries> {
        self.stack.with_value(|stack| {
            let entry = stack.entries.get(index)?;
            let image = stack.images.get(entry.image)?;
            let frames = image
                .module
                .as_ref()
                .map(|m| m.number_of_frames)
                .unwrap_or(1);
            Some(ImageInSeries {
                series_instance_uid: stack.series.clone(),
                sop_class_uid: image.sop_class_uid.clone(),
                sop_instance_uid: image.sop_instance_uid.clone(),
                frame: (frames > 1).then_some(entry.frame),
            })
        })
    }

    fn size_px(&self, index: usize) -> Option<[f64; 2]> {
        self.stack.with_value(|stack| {
            let entry = stack.entries.get(index)?;
            let module = stack.images.get(entry.image)?.module.as_ref().ok()?;
            Some([f64::from(module.columns), f64::from(module.rows)])
        })
    }

    /// Image coordinates to CSS pixels of the viewport (reactive).
    fn css_from_image(&self) -> Option<(Affine, f64)> {
        let ratio = device_pixel_ratio();
        let canvas = self.canvas_css.get().map(|c| c * ratio);
        let size = self.size_px(self.index.get())?;
        Some((self.view.get().canvas_from_image(size, canvas), ratio))
    }

    /// The image point under a pointer event.
    fn image_point(&self, ev: &web_sys::PointerEvent) -> Option<ImagePoint> {
        let rect = self.canvas_ref.get_untracked()?.get_bounding_client_rect();
        let ratio = device_pixel_ratio();
        let canvas = self.canvas_css.get_untracked().map(|c| c * ratio);
        let size = self.size_px(self.index.get_untracked())?;
        let map = self.view.get_untracked().image_from_canvas(size, canvas)?;
        let (x, y) = super::pointer::client_xy(ev);
        Some(map.apply([(x - rect.left()) * ratio, (y - rect.top()) * ratio]))
    }

    /// The annotations drawn on the visible image.
    fn visible(&self) -> Vec<Drawn> {
        let Some(image) = self.image(self.index.get()) else {
            return Vec::new();
        };
        self.store.items.with(|items| {
            items
                .iter()
                .filter(|d| {
                    d.annotation.image.sop_instance_uid == image.sop_instance_uid
                        && d.annotation.image.frame.unwrap_or(1) == image.frame.unwrap_or(1)
                })
                .cloned()
                .collect()
        })
    }

    /// What is under the pointer: a handle, else an outline (CSS distances).
    fn hit(&self, p: ImagePoint) -> Option<Drag> {
        let (map, ratio) = untrack(|| self.css_from_image())?;
        let css = |q: ImagePoint| {
            let c = map.apply(q);
            [c[0] / ratio, c[1] / ratio]
        };
        let at = css(p);
        let near = |q: [f64; 2]| (q[0] - at[0]).hypot(q[1] - at[1]) <= HIT_PX;
        // Other systems' annotations are shown, not edited.
        let items: Vec<Drawn> = untrack(|| self.visible())
            .into_iter()
            .filter(|d| !d.foreign)
            .collect();
        // Handles first, the selected annotation's before the others.
        let selected = self.store.selected.get_untracked();
        let mut order: Vec<&Drawn> = items.iter().collect();
        order.sort_by_key(|d| Some(d.id) != selected);
        for d in &order {
            for (handle, h) in d.annotation.shape.handles().into_iter().enumerate() {
                if near(css(h)) {
                    return Some(Drag::Handle { id: d.id, handle });
                }
            }
        }
        for d in &order {
            let outline: Vec<[f64; 2]> = outline_points(&d.annotation.shape)
                .into_iter()
                .map(css)
                .collect();
            let on_outline = outline
                .windows(2)
                .any(|w| segment_distance(at, w[0], w[1]) <= HIT_PX);
            if on_outline {
                return Some(Drag::Move { id: d.id, from: p });
            }
        }
        None
    }

    /// A press: takes it (and returns true) to draw, edit or move an annotation.
    pub(super) fn down(&self, ev: &web_sys::PointerEvent, tool: Tool) -> bool {
        let Some(p) = self.image_point(ev) else {
            return false;
        };
        if let Some((id, handle)) = self.pending.get_untracked() {
            // The press places the point that was following the pointer.
            self.store
                .edit(id, |a| a.shape = a.shape.with_handle(handle, p));
            self.pending.set(None);
            self.drag.set(Some(Drag::Handle { id, handle }));
            return true;
        }
        if let Some(hit) = self.hit(p) {
            self.store.selected.set(Some(hit.id()));
            self.drag.set(Some(hit));
            return true;
        }
        let shape = match tool {
            Tool::Length => Shape::Length([p, p]),
            Tool::Angle => Shape::Angle([p, p, p]),
            Tool::Ellipse => Shape::Ellipse([p, p]),
            Tool::Rectangle => Shape::Rectangle([p, p]),
            Tool::Probe => Shape::Probe(p),
            _ => {
                self.store.selected.set(None);
                return false;
            }
        };
        let Some(image) = self.image(self.index.get_untracked()) else {
            return false;
        };
        let study = self.stack.with_value(|s| s.study.clone());
        let id = self.store.add(
            &study,
            Annotation {
                image,
                shape,
                tracking_uid: None,
                label: None,
            },
        );
        self.drag.set(Some(match tool {
            Tool::Angle => Drag::NewAngle { id },
            Tool::Probe => Drag::Handle { id, handle: 0 },
            _ => Drag::NewShape { id },
        }));
        true
    }

    /// A move: returns true when it belongs to an annotation gesture.
    pub(super) fn moved(&self, ev: &web_sys::PointerEvent) -> bool {
        let drag = self.drag.get_untracked();
        let pending = self.pending.get_untracked();
        if drag.is_none() && pending.is_none() {
            return false;
        }
        let Some(p) = self.image_point(ev) else {
            return true;
        };
        match (drag, pending) {
            (Some(Drag::Handle { id, handle }), _) | (None, Some((id, handle))) => {
                self.store
                    .edit(id, |a| a.shape = a.shape.with_handle(handle, p));
            }
            (Some(Drag::NewShape { id }), _) => {
                self.store.edit(id, |a| a.shape = a.shape.with_handle(1, p));
            }
            (Some(Drag::Move { id, from }), _) => {
                self.store.edit(id, |a| {
                    a.shape = a.shape.moved([p[0] - from[0], p[1] - from[1]])
                });
                self.drag.set(Some(Drag::Move { id, from: p }));
            }
            (Some(Drag::NewAngle { id }), _) => self.store.edit(id, |a| {
                a.shape = a.shape.with_handle(1, p).with_handle(2, p);
            }),
            (None, None) => return false,
        }
        true
    }

    /// A release: ends the gesture. A new shape released where it was pressed waits for a
    /// second click; a shape whose second click fell on its first point is dropped.
    pub(super) fn up(&self) -> bool {
        let Some(drag) = self.drag.get_untracked() else {
            return false;
        };
        self.drag.set(None);
        let id = drag.id();
        let shape = self.store.items.with_untracked(|items| {
            items
                .iter()
                .find(|d| d.id == id)
                .map(|d| d.annotation.shape.clone())
        });
        let degenerate = match &shape {
            Some(Shape::Length([a, b]) | Shape::Ellipse([a, b]) | Shape::Rectangle([a, b])) => {
                (a[0] - b[0]).abs() < 0.5 && (a[1] - b[1]).abs() < 0.5
            }
            Some(Shape::Angle([a, v, _])) if matches!(drag, Drag::NewAngle { .. }) => {
                (a[0] - v[0]).abs() < 0.5 && (a[1] - v[1]).abs() < 0.5
            }
            _ => false,
        };
        match drag {
            Drag::NewShape { .. } if degenerate => self.pending.set(Some((id, 1))),
            _ if degenerate => self.store.delete(id),
            Drag::NewAngle { .. } => self.pending.set(Some((id, 2))),
            _ => {}
        }
        true
    }

    /// Delete or Escape: removes the selected annotation, or stops a pending angle.
    pub(super) fn key(&self, key: &str) -> bool {
        match key {
            "Delete" | "Backspace" => match self.store.selected.get_untracked() {
                Some(id) => {
                    self.pending.set(None);
                    self.store.delete(id);
                    true
                }
                None => false,
            },
            "Escape" => {
                if let Some((id, _)) = self.pending.get_untracked() {
                    self.store.delete(id);
                    self.pending.set(None);
                }
                self.store.selected.set(None);
                true
            }
            _ => false,
        }
    }

    /// The visible image's key-image flag and its toggle.
    pub(super) fn is_key(&self) -> bool {
        self.image(self.index.get())
            .is_some_and(|image| self.store.is_key(&image))
    }

    pub(super) fn toggle_key(&self) {
        if let Some(image) = self.image(self.index.get_untracked()) {
            let study = self.stack.with_value(|s| s.study.clone());
            self.store.toggle_key(&study, image);
        }
    }

    /// The values of `d` on the visible frame (region statistics once it is decoded), and
    /// whether the frame was decoded; before that, the values the report gave.
    fn values(&self, d: &Drawn) -> (Vec<Measurement>, bool) {
        let index = self.index.get();
        self.visible_frame.track();
        self.stack.with_value(|stack| {
            let Some(entry) = stack.entries.get(index) else {
                return (d.measurements.clone(), false);
            };
            let image = &stack.images[entry.image];
            let frame = match stack.state(index) {
                Some(FrameState::Ready(frame)) => Some(frame),
                _ => None,
            };
            let Some(frame) = frame else {
                return (d.measurements.clone(), false);
            };
            let values = ModalityFrame {
                frame: &frame,
                image,
            };
            let measured = measurements(
                &d.annotation.shape,
                image.spacing,
                Some(&values as &dyn viewer_core::measure::FrameValues),
                image.modality_unit(),
            );
            (measured, true)
        })
    }
}

/// The points an outline passes through, for hit testing and drawing.
fn outline_points(shape: &Shape) -> Vec<ImagePoint> {
    match shape {
        Shape::Ellipse([a, b]) => {
            let (cx, cy) = ((a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0);
            let (rx, ry) = ((b[0] - a[0]).abs() / 2.0, (b[1] - a[1]).abs() / 2.0);
            (0..=48)
                .map(|i| {
                    let t = f64::from(i) / 48.0 * std::f64::consts::TAU;
                    [cx + rx * t.cos(), cy + ry * t.sin()]
                })
                .collect()
        }
        Shape::Probe(p) => vec![*p, *p],
        other => other.scoord().1,
    }
}

fn segment_distance(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (p[0] - (a[0] + t * dx)).hypot(p[1] - (a[1] + t * dy))
}

fn kind(shape: &Shape) -> &'static str {
    match shape {
        Shape::Length(_) => "length",
        Shape::Angle(_) => "angle",
        Shape::Ellipse(_) => "ellipse",
        Shape::Rectangle(_) => "rectangle",
        Shape::Probe(_) => "probe",
        Shape::Outline(_) => "outline",
    }
}

/// One value for display: "62.70 mm", "90.0°", "Moy. 35.2 HU".
pub(crate) fn value_text(i18n: &I18n, m: &Measurement) -> String {
    let unit = match &m.unit {
        Unit::Length(LengthUnit::Px) => " px".to_string(),
        Unit::Length(LengthUnit::Mm) => " mm".to_string(),
        Unit::Length(LengthUnit::DetectorMm) => format!(" mm ({})", i18n.t("annotation.detector")),
        Unit::Area(LengthUnit::Px) => " px²".to_string(),
        Unit::Area(LengthUnit::Mm) => " mm²".to_string(),
        Unit::Area(LengthUnit::DetectorMm) => format!(" mm² ({})", i18n.t("annotation.detector")),
        Unit::Degree => "°".to_string(),
        Unit::Modality(Some(u)) => format!(" {u}"),
        Unit::Modality(None) => String::new(),
    };
    let number = match m.quantity {
        Quantity::Angle => format!("{:.1}", m.value),
        Quantity::Area if m.value >= 100.0 => format!("{:.0}", m.value),
        _ => format!("{:.2}", m.value),
    };
    let name = match m.quantity {
        Quantity::Length | Quantity::Angle | Quantity::Value => None,
        Quantity::Area => Some("annotation.area"),
        Quantity::Mean => Some("annotation.mean"),
        Quantity::StandardDeviation => Some("annotation.sd"),
        Quantity::Minimum => Some("annotation.min"),
        Quantity::Maximum => Some("annotation.max"),
    };
    match name {
        Some(key) => format!("{} {number}{unit}", i18n.t(key)),
        None => format!("{number}{unit}"),
    }
}

/// Raw values for tests and tools: `length=62.69531;…`.
fn values_attr(values: &[Measurement]) -> String {
    values
        .iter()
        .map(|m| {
            let name = match m.quantity {
                Quantity::Length => "length",
                Quantity::Angle => "angle",
                Quantity::Area => "area",
                Quantity::Mean => "mean",
                Quantity::StandardDeviation => "sd",
                Quantity::Minimum => "min",
                Quantity::Maximum => "max",
                Quantity::Value => "value",
            };
            format!("{name}={}", m.value)
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// The shape's handles in image coordinates: `x,y x,y …`.
fn points_attr(shape: &Shape) -> String {
    shape
        .handles()
        .iter()
        .map(|p| format!("{},{}", p[0], p[1]))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The SVG layer: each annotation of the visible image, its handles when selected, and its
/// values beside it.
#[component]
pub(super) fn AnnotationLayer(annotate: Annotate) -> impl IntoView {
    let i18n = use_i18n();
    let store = annotate.store;
    // The values measured on decoded pixels are kept with the annotation (what a save writes);
    // recorded outside the drawing, and only from pixels, so two views of one image agree.
    Effect::new(move |_| {
        for d in annotate.visible() {
            if let (values, true) = annotate.values(&d) {
                store.measured(d.id, values);
            }
        }
    });
    let shapes = move || {
        let Some((map, ratio)) = annotate.css_from_image() else {
            return Vec::new();
        };
        let css = move |q: ImagePoint| {
            let c = map.apply(q);
            [c[0] / ratio, c[1] / ratio]
        };
        let selected = store.selected.get();
        annotate
                .visible()
                .into_iter()
                .map(|d| {
                    // As recorded by the effect above (measured once per change).
                    let values = d.measurements.clone();
                    let points: Vec<[f64; 2]> = outline_points(&d.annotation.shape)
                        .into_iter()
                        .map(css)
                        .collect();
                    let path = points
                        .iter()
                        .map(|p| format!("{:.1},{:.1}", p[0], p[1]))
                        .collect::<Vec<_>>()
                        .join(" ");
                    let is_selected = selected == Some(d.id);
                    let handles = d
                    .annotation
                    .shape
                    .handles()
                    .into_iter()
                    .map(css)
                    .map(|h| view! {
                        <circle class="handle" cx=format!("{:.1}", h[0]) cy=format!("{:.1}", h[1])
                            r=if is_selected { "5" } else { "3" }/>
                    })
                    .collect_view();
                    let anchor = points
                        .iter()
                        .copied()
                        .fold([f64::NEG_INFINITY, f64::INFINITY], |acc, p| {
                            [acc[0].max(p[0]), acc[1].min(p[1])]
                        });
                    let lines: Vec<String> = values.iter().map(|m| value_text(&i18n, m)).collect();
                    let label = lines
                    .into_iter()
                    .enumerate()
                    .map(|(i, line)| view! {
                        <text class="annotation-value" x=format!("{:.1}", anchor[0] + 8.0)
                            y=format!("{:.1}", anchor[1] + 4.0 + 15.0 * i as f64)>{line}</text>
                    })
                    .collect_view();
                    view! {
                        <g class="annotation" class:selected=is_selected class:foreign=d.foreign data-testid="annotation"
                            data-kind=kind(&d.annotation.shape) data-id=d.id.to_string()
                            data-saved=d.source.is_some().to_string()
                            data-values=values_attr(&values)
                            data-points=points_attr(&d.annotation.shape)>
                            <polyline points=path.clone() class="shadow"/>
                            <polyline points=path/>
                            {handles}
                            {label}
                        </g>
                    }
                })
                .collect::<Vec<_>>()
    };
    view! {
        <svg class="annotations" data-testid="annotation-layer" aria-hidden="true">{shapes}</svg>
    }
}
