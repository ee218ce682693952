//! The MPR layout's toolbar: the drag tools, the slab of the active view (mode and thickness
//! in mm), sampling, inversion and the reset; above the views, never over them.

use std::rc::Rc;

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use viewer_core::mpr::Crosshairs;
use viewer_core::reformat::{Slab, SlabMode};
use viewer_core::view::ViewState;
use viewer_core::volume::VolumeGeometry;

use super::view::NAMES;
use super::{Mpr, MprTool};
use crate::i18n::use_i18n;
use crate::icons::{plain, Icon};

/// A slab's default thickness, mm.
const DEFAULT_SLAB_MM: f64 = 10.0;

/// Slab thicknesses offered, mm.
const SLAB_MM: std::ops::RangeInclusive<f64> = 1.0..=500.0;

fn icon_of(tool: MprTool) -> Icon {
    match tool {
        MprTool::Crosshairs => Icon::Crosshairs,
        MprTool::Rotate => Icon::Rotate,
        MprTool::Window => Icon::Window,
        MprTool::Zoom => Icon::Zoom,
        MprTool::Pan => Icon::Pan,
        MprTool::Length => Icon::Length,
        MprTool::Ellipse => Icon::Ellipse,
    }
}

fn mode_id(slab: Option<Slab>) -> &'static str {
    match slab.map(|s| s.mode) {
        None => "none",
        Some(SlabMode::Maximum) => "mip",
        Some(SlabMode::Minimum) => "minip",
        Some(SlabMode::Average) => "avg",
    }
}

fn mode_of(id: &str) -> Option<SlabMode> {
    match id {
        "mip" => Some(SlabMode::Maximum),
        "minip" => Some(SlabMode::Minimum),
        "avg" => Some(SlabMode::Average),
        _ => None,
    }
}

#[component]
pub(super) fn MprToolbar(mpr: Mpr, geometry: SendWrapper<Rc<VolumeGeometry>>) -> impl IntoView {
    let i18n = use_i18n();
    let tools = MprTool::ALL
        .into_iter()
        .map(|tool| {
            let label = {
                let i18n = i18n.clone();
                move || i18n.t(&format!("mpr.tool.{}", tool.id()))
            };
            view! {
                <button type="button" data-testid=format!("mpr-tool-{}", tool.id())
                    aria-pressed=move || (mpr.tool.get() == tool).to_string()
                    class:selected=move || mpr.tool.get() == tool
                    title=label.clone() aria-label=label.clone()
                    on:click=move |_| mpr.tool.set(tool)>
                    {plain(icon_of(tool))}
                    <span class="tool-label">{label.clone()}</span>
                </button>
            }
        })
        .collect_view();
    let active_slab = move || mpr.slabs.with(|s| s[mpr.active.get()]);
    let thickness = RwSignal::new(DEFAULT_SLAB_MM);
    let set_slab = move |mode: Option<SlabMode>, mm: f64| {
        let view = mpr.active.get_untracked();
        mpr.slabs.update(|s| {
            s[view] = mode.map(|mode| Slab {
                thickness_mm: mm,
                mode,
            })
        });
    };
    let option = {
        let i18n = i18n.clone();
        move |id: &'static str| {
            let i18n = i18n.clone();
            view! { <option value=id>{move || i18n.t(&format!("mpr.slab.{id}"))}</option> }
        }
    };
    let for_view = {
        let i18n = i18n.clone();
        move || {
            i18n.f(
                "mpr.slab.for_view",
                &[("plane", &i18n.t(NAMES[mpr.active.get()].0))],
            )
        }
    };
    let label = {
        let i18n = i18n.clone();
        move |key: &'static str| {
            let i18n = i18n.clone();
            move || i18n.t(key)
        }
    };
    let reset = move |_| {
        mpr.crosshairs.set(Crosshairs::centred(&geometry));
        for v in mpr.views {
            v.set(ViewState::default());
        }
        mpr.slabs.set([None; 3]);
        mpr.drawn.set(Vec::new());
    };
    // On a phone one view shows at a time: its tab chooses it.
    let tabs = (0..3)
        .map(|v| {
            let name = {
                let i18n = i18n.clone();
                move || i18n.t(NAMES[v].0)
            };
            view! {
                <button type="button" data-testid=format!("mpr-tab-{}", NAMES[v].1)
                    aria-pressed=move || (mpr.active.get() == v).to_string()
                    on:click=move |_| mpr.active.set(v)>
                    {name}
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="mpr-toolbar study-tools" role="toolbar" data-testid="mpr-toolbar">
            <div class="mpr-tabs">{tabs}</div>
            <div class="tool-group">{tools}</div>
            <label class="mpr-slab">
                <span>{label("mpr.slab")}</span>
                <select data-testid="mpr-slab-mode"
                    prop:value=move || mode_id(active_slab())
                    on:change=move |ev| {
                        set_slab(mode_of(&event_target_value(&ev)), thickness.get_untracked());
                    }>
                    {option("none")}{option("mip")}{option("minip")}{option("avg")}
                </select>
            </label>
            <label class="mpr-slab">
                <input type="number" data-testid="mpr-slab-mm" min="1" max="500" step="1"
                    inputmode="numeric"
                    prop:value=move || active_slab().map_or(thickness.get(), |s| s.thickness_mm).to_string()
                    on:change=move |ev| {
                        let mm = event_target_value(&ev).trim().parse::<f64>().ok()
                            .filter(|mm| SLAB_MM.contains(mm));
                        if let Some(mm) = mm {
                            thickness.set(mm);
                            if let Some(s) = active_slab() {
                                set_slab(Some(s.mode), mm);
                            }
                        }
                    } />
                <span>"mm"</span>
                <span class="mpr-slab-view" data-testid="mpr-slab-view">{for_view}</span>
            </label>
            <button type="button" data-testid="mpr-smooth"
                aria-pressed=move || mpr.smooth.get().to_string()
                title=label("mpr.smooth") aria-label=label("mpr.smooth")
                on:click=move |_| mpr.smooth.update(|s| *s = !*s)>
                {plain(Icon::Smooth)}
            </button>
            <button type="button" data-testid="mpr-invert"
                aria-pressed=move || mpr.invert.get().to_string()
                title=label("mpr.invert") aria-label=label("mpr.invert")
                on:click=move |_| mpr.invert.update(|s| *s = !*s)>
                {plain(Icon::Invert)}
            </button>
            <button type="button" data-testid="mpr-reset"
                title=label("mpr.reset") aria-label=label("mpr.reset") on:click=reset>
                {plain(Icon::Reset)}
            </button>
        </div>
    }
}
