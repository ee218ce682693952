//! Multiplanar reformats of a cell's series (the study's "MPR" layout): a volume filled from
//! the stack's decoded frames as they arrive, three views (axial, coronal, sagittal) through
//! the crosshairs' centre, a shared window, and the reader's tools (crosshairs, rotation for
//! oblique planes, window, zoom, pan, lengths in mm, ellipses with their values, slabs). The
//! geometry, the reformats and the measurements are `viewer_core::volume`, `reformat` and
//! `mpr`; this module fills, draws and listens.
//!
//! The reformats run on the page's thread (the CPU path): a plane of the 61-slice CT takes a
//! few milliseconds. What is still missing of the volume is drawn hatched, never interpolated
//! over, with a badge saying how many slices are in until all are.

mod graphics;
mod pointer;
mod tools;
mod view;

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use viewer_core::mpr::Crosshairs;
use viewer_core::reformat::{Slab, Volume};
use viewer_core::view::ViewState;
use viewer_core::voi::WindowLevel;
use viewer_core::volume::{
    modality_values, reduce_slice, SliceGeometry, VolumeGeometry, VolumeRefusal,
    VOLUME_BUDGET_VOXELS,
};

use crate::i18n::use_i18n;
use crate::stack::{FrameState, Stack};
use crate::viewport::Identity;

/// What a one-pointer drag does in a reformat view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MprTool {
    /// Moves the crosshairs' centre to the pointer (the other views follow).
    Crosshairs,
    /// Turns the crosshairs about the centre: the other two planes become oblique.
    Rotate,
    Window,
    Zoom,
    Pan,
    Length,
    /// An ellipse: its area and the statistics of the reformat's values inside it.
    Ellipse,
}

impl MprTool {
    pub const ALL: [MprTool; 7] = [
        MprTool::Crosshairs,
        MprTool::Rotate,
        MprTool::Window,
        MprTool::Zoom,
        MprTool::Pan,
        MprTool::Length,
        MprTool::Ellipse,
    ];

    pub fn id(self) -> &'static str {
        match self {
            MprTool::Crosshairs => "crosshairs",
            MprTool::Rotate => "rotate",
            MprTool::Window => "window",
            MprTool::Zoom => "zoom",
            MprTool::Pan => "pan",
            MprTool::Length => "length",
            MprTool::Ellipse => "ellipse",
        }
    }
}

/// What a drawing on a reformat is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrawnShape {
    /// A segment between the two points.
    Length,
    /// The ellipse inscribed in the box of which the two points are opposite corners (the
    /// box's sides along the view's image rows and columns).
    Ellipse,
}

/// A length or an ellipse drawn on a reformat: two points in patient space, shown in the view
/// it was drawn in while that view's plane still holds them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Drawn {
    pub view: usize,
    pub shape: DrawnShape,
    pub a_mm: [f64; 3],
    pub b_mm: [f64; 3],
}

/// What the three views share.
#[derive(Clone, Copy)]
pub struct Mpr {
    pub crosshairs: RwSignal<Crosshairs>,
    /// The window of all three views (modality units); the series' first, else the first
    /// reformat's range.
    pub window: RwSignal<Option<WindowLevel>>,
    pub invert: RwSignal<bool>,
    /// Trilinear samples (smooth) or nearest (the stored values).
    pub smooth: RwSignal<bool>,
    /// The view the slab controls act on (the last one touched).
    pub active: RwSignal<usize>,
    pub tool: RwSignal<MprTool>,
    pub slabs: RwSignal<[Option<Slab>; 3]>,
    pub views: [RwSignal<ViewState>; 3],
    pub drawn: RwSignal<Vec<Drawn>>,
    /// Slices in the volume so far; bumped as they arrive, so the views reformat again.
    pub filled: RwSignal<usize>,
    /// Slices that failed to load: their slots stay missing.
    pub failed: RwSignal<usize>,
}

/// The volume and its geometry, shared by the views (the page's thread only).
#[derive(Clone)]
pub struct Shared {
    pub geometry: Rc<VolumeGeometry>,
    pub volume: Rc<RefCell<Volume>>,
    /// The unit of the volume's values ("HU" for a CT), as the series states it.
    pub unit: Option<String>,
    /// The in-plane reduction of the volume (1: full resolution), for a series larger than
    /// the volume's memory budget; the 2D slices are never reduced.
    pub reduction: u32,
}

/// The volume's memory budget: the browser's setting (`localStorage`, key
/// `portal.volume_budget_mb`, 8 to 2048 MB of 16-bit voxels) or the default
/// [`VOLUME_BUDGET_VOXELS`].
fn volume_budget_voxels() -> u64 {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item("portal.volume_budget_mb").ok().flatten())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|mb| (8..=2048).contains(mb))
        .map_or(VOLUME_BUDGET_VOXELS, |mb| mb * 1024 * 1024 / 2)
}

/// The slices of a stack as a volume's geometry, or the catalog key of why not.
fn volume_geometry(stack: &Stack) -> Result<VolumeGeometry, &'static str> {
    let slices: Option<Vec<SliceGeometry>> = stack
        .entries
        .iter()
        .map(|e| SliceGeometry::from_image(&stack.images[e.image]))
        .collect();
    let slices = slices.ok_or("mpr.refused.geometry")?;
    let grey = stack
        .images
        .iter()
        .all(|i| i.module.as_ref().is_ok_and(|m| m.samples_per_pixel == 1));
    if !grey {
        return Err("mpr.refused.colour");
    }
    VolumeGeometry::from_slices(&slices).map_err(|refusal| match refusal {
        VolumeRefusal::TooFewSlices => "mpr.refused.too_few",
        VolumeRefusal::MixedOrientation => "mpr.refused.orientation",
        VolumeRefusal::MixedSize | VolumeRefusal::MixedSpacing => "mpr.refused.size",
        VolumeRefusal::BadGeometry | VolumeRefusal::NotAStack => "mpr.refused.geometry",
        VolumeRefusal::SamePosition => "mpr.refused.same_position",
        VolumeRefusal::UnevenSpacing { .. } => "mpr.refused.uneven",
        VolumeRefusal::TooLarge { .. } => "mpr.refused.too_large",
    })
}

/// Puts each decoded slice the volume still lacks into it: the slots filled, the slices that
/// failed, and the bytes the voxels take.
fn fill(stack: &Stack, shared: &Shared) -> (usize, usize, usize) {
    let mut volume = shared.volume.borrow_mut();
    let mut failed = 0;
    for (slot, source) in shared.geometry.sources.iter().enumerate() {
        let Some(index) = *source else { continue };
        if volume.holds(slot) {
            continue;
        }
        match stack.state(index) {
            Some(FrameState::Ready(frame)) => {
                let rescale = stack.images[stack.entries[index].image].effective_rescale();
                let put = modality_values(&frame, rescale.slope, rescale.intercept)
                    .and_then(|values| {
                        let (columns, rows) = (u32::from(frame.columns), u32::from(frame.rows));
                        reduce_slice(&values, columns, rows, shared.reduction)
                    })
                    .map(|values| volume.put(slot, &values));
                if !matches!(put, Some(Ok(()))) {
                    failed += 1;
                }
            }
            Some(FrameState::Failed(_) | FrameState::NotDisplayable(_)) => failed += 1,
            Some(FrameState::Preview(_)) | None => {}
        }
    }
    (volume.filled(), failed, volume.bytes())
}

/// A series larger than the stack's cache budget: once what the budget allows around the
/// focus has come, the loads move on to the first slice the volume still lacks (the volume
/// keeps what it took; the stack may drop it).
fn reach_missing(stack: &Rc<Stack>, shared: &Shared) {
    if !stack.settled() {
        return;
    }
    let volume = shared.volume.borrow();
    let next = shared
        .geometry
        .sources
        .iter()
        .enumerate()
        .filter(|(slot, _)| !volume.holds(*slot))
        .filter_map(|(_, source)| *source)
        .find(|&index| stack.state(index).is_none());
    drop(volume);
    if let Some(index) = next {
        stack.focus(index);
    }
}

/// The MPR layout of `stack`: the toolbar, then the three views; or why the series makes no
/// volume.
#[component]
pub fn MprLayout(stack: Rc<Stack>, identity: Identity) -> impl IntoView {
    let i18n = use_i18n();
    let volume = volume_geometry(&stack).and_then(|full| {
        let reduction = full
            .reduction_for(volume_budget_voxels())
            .ok_or("mpr.refused.too_large")?;
        let geometry = full.reduced(reduction);
        Volume::new(geometry.clone())
            .map(|v| Shared {
                reduction,
                geometry: Rc::new(geometry),
                volume: Rc::new(RefCell::new(v)),
                unit: stack
                    .images
                    .first()
                    .and_then(|i| i.modality_unit())
                    .map(str::to_string),
            })
            .map_err(|_| "mpr.refused.too_large")
    });
    let shared = match volume {
        Ok(shared) => shared,
        Err(key) => {
            return view! {
                <div class="mpr-refused notice" role="status" data-testid="mpr-refused"
                    data-reason=key>
                    {move || i18n.t(key)}
                </div>
            }
            .into_any();
        }
    };
    let first = stack.images.first();
    let mpr = Mpr {
        crosshairs: RwSignal::new(Crosshairs::centred(&shared.geometry)),
        window: RwSignal::new(first.and_then(|i| i.windows.first()).map(|p| p.window)),
        invert: RwSignal::new(first.is_some_and(|i| i.inverse)),
        smooth: RwSignal::new(false),
        active: RwSignal::new(1),
        tool: RwSignal::new(MprTool::Crosshairs),
        slabs: RwSignal::new([None; 3]),
        views: std::array::from_fn(|_| RwSignal::new(ViewState::default())),
        drawn: RwSignal::new(Vec::new()),
        filled: RwSignal::new(0),
        failed: RwSignal::new(0),
    };
    let slots = shared.geometry.slots();
    let slices = shared.geometry.sources.iter().flatten().count();
    let bytes = RwSignal::new(0usize);
    {
        // The 2D view gets its loads back where it was when the MPR closes.
        let home = stack.focus_index();
        let back = SendWrapper::new(Rc::clone(&stack));
        on_cleanup(move || back.focus(home));
        let stack = SendWrapper::new(Rc::clone(&stack));
        let shared = SendWrapper::new(shared.clone());
        let changed = stack.changed.clone();
        Effect::new(move |_| {
            changed.track();
            let (filled, failed, voxel_bytes) = fill(&stack, &shared);
            if bytes.get_untracked() != voxel_bytes {
                bytes.set(voxel_bytes);
            }
            if filled == slices {
                crate::timing::mark_once("mpr-volume-complete");
            }
            if mpr.filled.get_untracked() != filled {
                mpr.filled.set(filled);
            }
            if mpr.failed.get_untracked() != failed {
                mpr.failed.set(failed);
            }
            if filled + failed < slices {
                reach_missing(&stack, &shared);
            }
        });
    }
    let lossy = stack.images.iter().any(|i| i.lossy);
    let tilt = shared.geometry.tilt_degrees();
    let views = (0..3)
        .map(|v| {
            view! {
                <view::MprView view=v mpr=mpr shared=SendWrapper::new(shared.clone())
                    identity=identity.clone() lossy=lossy slots=slots/>
            }
        })
        .collect_view();
    view! {
        <div class="mpr" data-testid="mpr" data-slots=slots.to_string()
            data-slices=slices.to_string()
            data-filled=move || mpr.filled.get().to_string()
            data-failed=move || mpr.failed.get().to_string()
            data-volume-bytes=move || bytes.get().to_string()
            data-reduction=shared.reduction.to_string()
            data-tilt=format!("{tilt:.2}")
            data-oblique=move || mpr.crosshairs.with(|c| c.is_oblique()).to_string()
            data-centre=move || mpr.crosshairs.with(|c| {
                c.centre_mm.map(|v| format!("{v:.3}")).join("\\")
            })>
            <tools::MprToolbar mpr=mpr geometry=SendWrapper::new(Rc::clone(&shared.geometry))/>
            <div class="mpr-views">{views}</div>
        </div>
    }
    .into_any()
}
