//! The reading toolbars: the view actions and the tool picker, drawn with the portal's icons.
//! What does not fit the screen's width goes under "Plus" (more), which opens a row of
//! labelled buttons in the page's flow, under the toolbar: it pushes the image down rather
//! than covering it, so no control ever hides the image's safety texts.
//!
//! Each button has a rank: always in the toolbar, in it from a tablet's width up, or from a
//! desktop's; the same button is in the "Plus" row below that width (CSS, `rank-*`).

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::icons::{icon, plain, Icon};
use crate::overlays::{Tool, ViewAction};

/// Where a button stands in the toolbar itself (below that width it is under "Plus").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rank {
    Always,
    /// Wider than a phone (700 CSS px).
    Tablet,
    /// Wider than a tablet (1100 CSS px).
    Desktop,
}

impl Rank {
    fn class(self) -> &'static str {
        match self {
            Rank::Always => "rank-always",
            Rank::Tablet => "rank-tablet",
            Rank::Desktop => "rank-desktop",
        }
    }
}

/// The view actions: label key, icon, test id, rank.
const ACTIONS: [(ViewAction, &str, Icon, &str, Rank); 12] = [
    (
        ViewAction::Rotate,
        "viewer.tool.rotate",
        Icon::Rotate,
        "tool-rotate",
        Rank::Tablet,
    ),
    (
        ViewAction::FlipHorizontal,
        "viewer.tool.flip_h",
        Icon::FlipHorizontal,
        "tool-flip-h",
        Rank::Tablet,
    ),
    (
        ViewAction::FlipVertical,
        "viewer.tool.flip_v",
        Icon::FlipVertical,
        "tool-flip-v",
        Rank::Tablet,
    ),
    (
        ViewAction::Fit,
        "viewer.tool.fit",
        Icon::Fit,
        "tool-fit",
        Rank::Always,
    ),
    (
        ViewAction::OneToOne,
        "viewer.tool.one_to_one",
        Icon::OneToOne,
        "tool-one-to-one",
        Rank::Desktop,
    ),
    (
        ViewAction::Invert,
        "viewer.tool.invert",
        Icon::Invert,
        "tool-invert",
        Rank::Tablet,
    ),
    (
        ViewAction::Smooth,
        "viewer.tool.smooth",
        Icon::Smooth,
        "tool-smooth",
        Rank::Desktop,
    ),
    (
        ViewAction::Reset,
        "viewer.tool.reset",
        Icon::Reset,
        "tool-reset",
        Rank::Always,
    ),
    (
        ViewAction::ExportPng,
        "viewer.tool.export_png",
        Icon::Download,
        "tool-export-png",
        Rank::Desktop,
    ),
    (
        ViewAction::ExportJpeg,
        "viewer.tool.export_jpeg",
        Icon::Photo,
        "tool-export-jpeg",
        Rank::Desktop,
    ),
    (
        ViewAction::Print,
        "viewer.tool.print",
        Icon::Print,
        "tool-print",
        Rank::Desktop,
    ),
    (
        ViewAction::PrintSeries,
        "viewer.tool.print_series",
        Icon::PrintSheet,
        "tool-print-series",
        Rank::Desktop,
    ),
];

fn tool_icon(tool: Tool) -> Icon {
    match tool {
        Tool::Window => Icon::Window,
        Tool::Pan => Icon::Pan,
        Tool::Zoom => Icon::Zoom,
        Tool::Scroll => Icon::Scroll,
        Tool::Length => Icon::Length,
        Tool::Angle => Icon::Angle,
        Tool::Ellipse => Icon::Ellipse,
        Tool::Rectangle => Icon::Rectangle,
        Tool::Probe => Icon::Probe,
    }
}

fn tool_rank(tool: Tool) -> Rank {
    match tool {
        Tool::Ellipse | Tool::Rectangle | Tool::Probe => Rank::Tablet,
        _ => Rank::Always,
    }
}

/// The view actions, the tool picker, and "Plus" with what the width leaves out.
#[component]
pub fn Toolbars(on_action: Callback<ViewAction>, active: RwSignal<Tool>) -> impl IntoView {
    let i18n = use_i18n();
    let more = RwSignal::new(false);
    let label = move |key: String| {
        let i18n = i18n.clone();
        move || i18n.t(&key)
    };
    let action_buttons = ACTIONS.map(|(action, key, glyph, testid, rank)| {
        let label = label(key.to_string());
        view! {
            <button type="button" data-testid=testid class=rank.class() title=label.clone() aria-label=label
                on:click=move |_| on_action.run(action)>{plain(glyph)}</button>
        }
    });
    let tool_buttons = Tool::ALL.map(|tool| {
        let label = label(format!("viewer.tool.{}", tool.id()));
        view! {
            <button type="button" role="radio" data-testid=format!("tool-{}", tool.id())
                class=tool_rank(tool).class() class:measure=tool.measures()
                aria-checked=move || (active.get() == tool).to_string()
                class:selected=move || active.get() == tool
                title=label.clone() aria-label=label
                on:click=move |_| active.set(tool)>{plain(tool_icon(tool))}</button>
        }
    });
    // "Plus": the same buttons with their labels; a choice closes it.
    let more_actions = ACTIONS.map(|(action, key, glyph, testid, rank)| {
        view! {
            <button type="button" data-testid=format!("more-{testid}") class=rank.class()
                on:click=move |_| { more.set(false); on_action.run(action); }>
                {plain(glyph)}<span>{label(key.to_string())}</span>
            </button>
        }
    });
    let more_tools = Tool::ALL.map(|tool| {
        view! {
            <button type="button" role="radio" data-testid=format!("more-tool-{}", tool.id())
                class=tool_rank(tool).class() aria-checked=move || (active.get() == tool).to_string()
                class:selected=move || active.get() == tool
                on:click=move |_| { more.set(false); active.set(tool); }>
                {plain(tool_icon(tool))}<span>{label(format!("viewer.tool.{}", tool.id()))}</span>
            </button>
        }
    });
    let (toolbar_label, tools_label, more_label) = (
        label("viewer.tools".into()),
        label("viewer.tool.active".into()),
        label("viewer.more".into()),
    );
    view! {
        <div class="toolbars" on:pointerdown=|ev| ev.stop_propagation() on:wheel=|ev| ev.stop_propagation()>
            <div class="view-toolbar" role="toolbar" aria-label=toolbar_label>{action_buttons}</div>
            <div class="tool-picker" role="radiogroup" aria-label=tools_label>{tool_buttons}</div>
            <button type="button" class="more-tools" data-testid="tool-more" aria-expanded=move || more.get().to_string()
                title=more_label.clone() aria-label=more_label
                class:selected=move || more.get() on:click=move |_| more.update(|m| *m = !*m)>
                {icon(Icon::More, Signal::stored(false))}
            </button>
            <div class="more-panel" data-testid="more-panel" hidden=move || !more.get()
                on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { more.set(false) }>
                {more_actions}{more_tools}
            </div>
        </div>
    }
}
