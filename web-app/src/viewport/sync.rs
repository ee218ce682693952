//! A viewport in a grid: it tells the other cells what it shows, follows the active cell's
//! slice when scrolling is synchronised, and draws where the other cells' planes cross it.

use std::rc::Rc;

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use viewer_core::display::Action;

use super::device_pixel_ratio;
use super::display::Display;
use crate::layout::{CellReport, GotoRequests, Grid};
use crate::overlays::{Tool, ViewAction};
use crate::stack::Stack;
use crate::toolbar::Toolbars;
use leptos::html::Div;

/// Connects cell `cell` to `grid` (when there is one). Returns `activate`, which makes this
/// cell the active one, and the reference lines to draw: (other cell, [x1, y1, x2, y2]) in
/// CSS pixels of the canvas.
pub(super) fn connect(
    grid: Option<Grid>,
    cell: usize,
    stack: SendWrapper<Rc<Stack>>,
    display: Display,
    canvas_css: RwSignal<[f64; 2]>,
) -> (
    impl Fn() + Clone + Send + Sync + 'static,
    impl Fn() -> Vec<(usize, [f64; 4])> + Clone + Send + Sync + 'static,
) {
    let (index, view) = (display.slice, display.view);
    // A report's link asks for an image of this series: go to it.
    let requests = grid
        .map(|g| g.goto)
        .or_else(|| use_context::<GotoRequests>().map(|r| r.0));
    if let Some(requests) = requests {
        let stack = stack.clone();
        Effect::new(move |_| {
            let Some(goto) = requests.get() else {
                return;
            };
            if goto.series != stack.series {
                return;
            }
            let found = stack.entries.iter().position(|e| {
                e.frame == goto.frame
                    && stack.images[e.image].sop_instance_uid == goto.sop_instance_uid
            });
            if let Some(i) = found {
                display.dispatch(Action::GoTo(i));
            }
            requests.set(None);
        });
    }
    // Each entry's plane in patient space, for synchronised scrolling.
    let planes: Vec<Option<viewer_core::plane::ImagePlane>> = stack
        .entries
        .iter()
        .map(|e| stack.images[e.image].plane())
        .collect();
    let current_report = {
        let stack = stack.clone();
        move |i: usize| -> Option<CellReport> {
            let image = &stack.images[stack.entries.get(i)?.image];
            Some(CellReport {
                frame_of_reference_uid: image.frame_of_reference_uid.clone(),
                plane: image.plane(),
                patient_id: image.patient_id.clone(),
            })
        }
    };
    if let Some(grid) = grid {
        // Tell the other cells what this one shows.
        let report = current_report.clone();
        Effect::new(move |_| {
            let now = report(index.get());
            if grid.reports.with_untracked(|r| r[cell] != now) {
                grid.reports.update(|r| r[cell] = now);
            }
        });
        // No clean-up write: the cell's next viewport overwrites the report, hidden cells'
        // reports are ignored, and writing while the study view is being torn down would wake
        // readers whose signals are already gone.
        // Follow the active cell to the nearest parallel slice of the same frame of reference.
        let report = current_report.clone();
        let planes = planes.clone();
        Effect::new(move |_| {
            let active = grid.active.get();
            if !grid.sync.get() || active == cell {
                return;
            }
            let Some(leader) = grid.reports.with(|r| r[active].clone()) else {
                return;
            };
            let Some(own) = report(index.get_untracked()) else {
                return;
            };
            let (Some(leader_plane), Some(own_plane)) = (leader.plane, own.plane) else {
                return;
            };
            if leader.frame_of_reference_uid.is_none()
                || leader.frame_of_reference_uid != own.frame_of_reference_uid
                || !own_plane.is_parallel_to(&leader_plane)
            {
                return;
            }
            if let Some(nearest) =
                viewer_core::plane::nearest_plane(&planes, leader_plane.origin_mm)
            {
                if nearest != index.get_untracked() {
                    display.dispatch(Action::GoTo(nearest));
                }
            }
        });
    }
    let activate = move || {
        if let Some(grid) = grid {
            if grid.active.get_untracked() != cell {
                grid.active.set(cell);
            }
        }
    };
    // Where the other visible cells' planes cross this image, in CSS pixels of the canvas.
    let reference_lines = {
        let report = current_report.clone();
        move || -> Vec<(usize, [f64; 4])> {
            let Some(grid) = grid else {
                return Vec::new();
            };
            let Some(own) = report(index.get()) else {
                return Vec::new();
            };
            let (Some(own_plane), Some(frame)) = (own.plane, own.frame_of_reference_uid) else {
                return Vec::new();
            };
            let ratio = device_pixel_ratio();
            let canvas = canvas_css.get().map(|c| c * ratio);
            // Until the canvas is measured every point maps to its corner.
            if canvas.iter().any(|&c| c <= 0.0) {
                return Vec::new();
            }
            let size = [f64::from(own_plane.columns), f64::from(own_plane.rows)];
            let map = view.get().canvas_from_image(size, canvas);
            let cells = grid.layout.get().cells();
            grid.reports.with(|reports| {
                reports
                    .iter()
                    .enumerate()
                    .take(cells)
                    .filter(|(other, _)| *other != cell)
                    .filter_map(|(other, r)| {
                        let r = r.as_ref()?;
                        if r.frame_of_reference_uid.as_deref() != Some(frame.as_str()) {
                            return None;
                        }
                        let (a, b) = own_plane.intersection_in_image(&r.plane?)?;
                        let (a, b) = (map.apply(a), map.apply(b));
                        Some((
                            other,
                            [a[0] / ratio, a[1] / ratio, b[0] / ratio, b[1] / ratio],
                        ))
                    })
                    .collect()
            })
        }
    };

    (activate, reference_lines)
}

/// The toolbar and tool picker of cell `cell`. In a study's grid they are the study's, above
/// the grid: this viewport carries out the commands given while its cell was active, and takes
/// the keyboard focus back after a click on them. A viewport that stands alone (files opened
/// locally) gets its own, for the strips beside its image (returned here).
pub(super) fn toolbars(
    grid: Option<Grid>,
    cell: usize,
    act: impl Fn(ViewAction) + Clone + Send + Sync + 'static,
    active_tool: RwSignal<Tool>,
    viewport_ref: NodeRef<Div>,
) -> Option<impl IntoView> {
    let Some(grid) = grid else {
        return Some(view! { <Toolbars on_action=Callback::new(act) active=active_tool /> });
    };
    // The first run only listens: a command left for a cell that showed no image then (a
    // report) is not carried out by the viewport that comes later.
    Effect::new(move |listening: Option<()>| {
        let command = grid.command.get();
        if let (Some(()), Some((for_cell, action))) = (listening, command) {
            if for_cell == cell {
                grid.command.set(None);
                untrack(|| act(action));
            }
        }
    });
    Effect::new(move |_| {
        if grid.refocus.get() == Some(cell) {
            grid.refocus.set(None);
            if let Some(element) = viewport_ref.get_untracked() {
                let _ = element.focus();
            }
        }
    });
    None
}
