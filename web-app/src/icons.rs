//! The portal's icons: one set drawn for it on a 24-unit grid, stroked with the text's colour
//! (2 units, round ends), so that they follow the theme and stay sharp at any zoom. Each is
//! paired with a label: shown beside it where there is room (menus), as its accessible name
//! and tooltip where there is not.

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Icon {
    Rotate,
    FlipHorizontal,
    FlipVertical,
    Fit,
    OneToOne,
    Invert,
    Smooth,
    Reset,
    Download,
    Photo,
    Print,
    PrintSheet,
    Play,
    Pause,
    Window,
    Pan,
    Zoom,
    Scroll,
    Length,
    Angle,
    Ellipse,
    Rectangle,
    Probe,
    Star,
    More,
    Help,
    Crosshairs,
}

impl Icon {
    /// The stroked outline (SVG path data, 24 × 24 box).
    fn outline(self) -> &'static str {
        match self {
            Icon::Rotate => "M20 12a8 8 0 1 1-2.3-5.7M20 4v5h-5",
            Icon::Reset => "M4 12a8 8 0 1 0 2.3-5.7M4 4v5h5",
            Icon::FlipHorizontal => "M12 3v2M12 9v2M12 13v2M12 19v2M9 7 3 17h6zM15 7l6 10h-6z",
            Icon::FlipVertical => "M3 12h2M9 12h2M13 12h2M19 12h2M7 9l10-6v6zM7 15l10 6v-6z",
            Icon::Fit => "M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5",
            Icon::OneToOne => "M5 8l2-2v12M17 8l2-2v12M12 10v.01M12 14v.01",
            Icon::Invert => "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z",
            Icon::Smooth => {
                "M4 9c2.5-2.5 5.5 2.5 8 0s5.5-2.5 8 0M4 15c2.5-2.5 5.5 2.5 8 0s5.5-2.5 8 0"
            }
            Icon::Download => "M12 4v11M7 10l5 5 5-5M5 20h14",
            Icon::Photo => "M4 5h16v14H4zM4 16l5-5 4 4 3-3 4 4M15.5 8.5v.01",
            Icon::Print => "M7 9V4h10v5M7 17H4v-8h16v8h-3M7 13h10v7H7z",
            Icon::PrintSheet => "M4 4h7v7H4zM13 4h7v7h-7zM4 13h7v7H4zM13 13h7v7h-7z",
            Icon::Play | Icon::Pause => "",
            Icon::Window => {
                "M12 7a5 5 0 1 0 0 10a5 5 0 1 0 0-10zM12 2v2M12 20v2M2 12h2M20 12h2\
                 M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4"
            }
            Icon::Pan => "M12 3v18M3 12h18M9 6l3-3 3 3M9 18l3 3 3-3M6 9l-3 3 3 3M18 9l3 3-3 3",
            Icon::Zoom => {
                "M10.5 4a6.5 6.5 0 1 0 0 13a6.5 6.5 0 1 0 0-13zM15.5 15.5 20 20M8 10.5h5M10.5 8v5"
            }
            Icon::Scroll => "M4 8l8-4 8 4-8 4zM4 12l8 4 8-4M4 16l8 4 8-4",
            Icon::Length => "M5 19 19 5M3 17l4 4M17 3l4 4",
            Icon::Angle => "M20 19H5l9-13M10 19a5 5 0 0 0-2-4",
            Icon::Ellipse => "M12 6c5 0 9 2.7 9 6s-4 6-9 6-9-2.7-9-6 4-6 9-6z",
            Icon::Rectangle => "M4 6h16v12H4z",
            Icon::Probe => "M12 3v6M12 15v6M3 12h6M15 12h6M12 12h.01",
            Icon::Star => "M12 3l2.7 5.6 6.1.9-4.4 4.3 1 6.1L12 17l-5.4 2.9 1-6.1L3.2 9.5l6.1-.9z",
            Icon::More => "M5 12h.01M12 12h.01M19 12h.01",
            Icon::Crosshairs => "M12 2v7M12 15v7M2 12h7M15 12h7M12 9a3 3 0 1 0 0 6a3 3 0 1 0 0-6z",
            Icon::Help => {
                "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18zM9.5 9.5a2.5 2.5 0 1 1 3.5 2.3\
                 c-.6.3-1 .9-1 1.6v.6M12 17h.01"
            }
        }
    }

    /// The filled part, if any (same box).
    fn fill(self) -> &'static str {
        match self {
            Icon::Invert => "M12 3a9 9 0 0 1 0 18z",
            Icon::Window => "M12 7a5 5 0 0 1 0 10z",
            Icon::Play => "M8 5v14l11-7z",
            Icon::Pause => "M7 5h3.5v14H7zM13.5 5H17v14h-3.5z",
            _ => "",
        }
    }
}

/// The icon as inline SVG, hidden from assistive technology (its button carries the label).
/// `filled` fills the outline too (a key image's star).
pub fn icon(icon: Icon, filled: Signal<bool>) -> impl IntoView {
    let outline = icon.outline();
    let fill = icon.fill();
    view! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            {(!outline.is_empty()).then(|| view! {
                <path class="icon-outline" d=outline class:filled=move || filled.get() />
            })}
            {(!fill.is_empty()).then(|| view! { <path class="icon-fill" d=fill /> })}
        </svg>
    }
}

/// [`icon`], never filled.
pub fn plain(i: Icon) -> impl IntoView {
    icon(i, Signal::stored(false))
}
