//! The study's grid of viewports: the layout (1x1, 1x2, 2x1, 2x2), the active cell (the one
//! the reader last touched; the series list fills it), synchronised scrolling, and what each
//! cell shows, which the others read for reference lines and the two-patients warning.

use leptos::prelude::*;
use viewer_core::plane::ImagePlane;

use crate::i18n::use_i18n;
use crate::overlays::{Tool, ViewAction};
use crate::toolbar::Toolbars;

pub const MAX_CELLS: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    One,
    OneByTwo,
    TwoByOne,
    TwoByTwo,
}

impl Layout {
    pub const ALL: [Layout; 4] = [
        Layout::One,
        Layout::OneByTwo,
        Layout::TwoByOne,
        Layout::TwoByTwo,
    ];

    /// Rows and columns of the grid.
    pub fn grid(self) -> (usize, usize) {
        match self {
            Layout::One => (1, 1),
            Layout::OneByTwo => (1, 2),
            Layout::TwoByOne => (2, 1),
            Layout::TwoByTwo => (2, 2),
        }
    }

    pub fn cells(self) -> usize {
        let (rows, columns) = self.grid();
        rows * columns
    }

    /// "rows x columns" as shown on its button and used in test ids.
    pub fn id(self) -> &'static str {
        match self {
            Layout::One => "1x1",
            Layout::OneByTwo => "1x2",
            Layout::TwoByOne => "2x1",
            Layout::TwoByTwo => "2x2",
        }
    }
}

/// What a cell shows now.
#[derive(Debug, Clone, PartialEq)]
pub struct CellReport {
    pub frame_of_reference_uid: Option<String>,
    pub plane: Option<ImagePlane>,
    pub patient_id: Option<String>,
}

/// A request to show an image: the viewport showing `series` goes to that instance and frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Goto {
    pub series: String,
    pub sop_instance_uid: String,
    pub frame: u32,
}

/// Where image requests go on a page without a grid (a share's recipient view), as a Leptos
/// context: the viewport showing the series takes them as a grid's cell would.
#[derive(Debug, Clone, Copy)]
pub struct GotoRequests(pub RwSignal<Option<Goto>>);

/// Shared by the cells of one study view (a Leptos context).
#[derive(Debug, Clone, Copy)]
pub struct Grid {
    pub active: RwSignal<usize>,
    pub sync: RwSignal<bool>,
    pub reports: RwSignal<Vec<Option<CellReport>>>,
    pub layout: RwSignal<Layout>,
    /// An image asked for (by a report's link), until a viewport shows it.
    pub goto: RwSignal<Option<Goto>>,
    /// What a one-finger drag does, in every cell (the study's tool picker).
    pub tool: RwSignal<Tool>,
    /// A button of the study's toolbar, for the cell that was active when it was pressed,
    /// until that cell's viewport carries it out.
    pub command: RwSignal<Option<(usize, ViewAction)>>,
    /// The active cell's series shown as multiplanar reformats (the other cells hidden).
    pub mpr: RwSignal<bool>,
    /// A cell whose viewport takes the keyboard focus back (after a click on the study's
    /// toolbar, so that the keys act on the image again).
    pub refocus: RwSignal<Option<usize>>,
}

impl Grid {
    pub fn new() -> Self {
        Grid {
            active: RwSignal::new(0),
            sync: RwSignal::new(true),
            reports: RwSignal::new(vec![None; MAX_CELLS]),
            layout: RwSignal::new(Layout::One),
            goto: RwSignal::new(None),
            tool: RwSignal::new(Tool::Window),
            command: RwSignal::new(None),
            refocus: RwSignal::new(None),
            mpr: RwSignal::new(false),
        }
    }

    /// The cells on screen (a 2x2 reduced to 1x1 keeps its other cells' series but hides them;
    /// the MPR layout shows the active cell alone).
    pub fn visible(&self, cell: usize) -> bool {
        if self.mpr.get() {
            return cell == self.active.get();
        }
        cell < self.layout.get().cells()
    }

    /// Rows and columns of the grid on screen.
    pub fn shape(&self) -> (usize, usize) {
        if self.mpr.get() {
            (1, 1)
        } else {
            self.layout.get().grid()
        }
    }

    /// The layout's id as the page names it ("mpr" while the reformats are shown).
    pub fn shown_id(&self) -> &'static str {
        if self.mpr.get() {
            "mpr"
        } else {
            self.layout.get().id()
        }
    }

    /// Patient IDs of the visible cells, when they disagree (a clinical safety warning).
    pub fn different_patients(&self) -> bool {
        if self.mpr.get() {
            return false;
        }
        let cells = self.layout.get().cells();
        self.reports.with(|reports| {
            let mut ids = reports
                .iter()
                .take(cells)
                .flatten()
                .filter_map(|r| r.patient_id.as_deref());
            let first = ids.next();
            ids.any(|id| Some(id) != first)
        })
    }
}

/// One toolbar and tool picker for the study, acting on the active cell: no cell's image has a
/// control over it. A click (not a key) on a tool gives the keys back to that cell's image.
#[component]
pub fn StudyTools(grid: Grid) -> impl IntoView {
    let on_action = Callback::new(move |action| {
        grid.command
            .set(Some((grid.active.get_untracked(), action)));
    });
    view! {
        <div class="study-tools" data-testid="study-tools" class:hidden=move || grid.mpr.get()
            on:click=move |ev| {
                if ev.detail() > 0 {
                    grid.refocus.set(Some(grid.active.get_untracked()));
                }
            }>
            <Toolbars on_action=on_action active=grid.tool/>
            <crate::shortcuts::ShortcutsHelp/>
        </div>
    }
}

/// Layout buttons, the synchronised-scrolling switch and the two-patients warning.
#[component]
pub fn GridToolbar(grid: Grid) -> impl IntoView {
    let i18n = use_i18n();
    let buttons = Layout::ALL
        .into_iter()
        .map(|layout| {
            let label = {
                let i18n = i18n.clone();
                move || i18n.f("layout.choose", &[("layout", layout.id())])
            };
            view! {
                <button type="button" data-testid=format!("layout-{}", layout.id())
                    aria-pressed=move || (!grid.mpr.get() && grid.layout.get() == layout).to_string()
                    class:selected=move || !grid.mpr.get() && grid.layout.get() == layout
                    title=label.clone() aria-label=label
                    on:click=move |_| {
                        grid.mpr.set(false);
                        grid.layout.set(layout);
                        if grid.active.get_untracked() >= layout.cells() {
                            grid.active.set(0);
                        }
                    }>
                    {layout.id()}
                </button>
            }
        })
        .collect_view();
    let sync_label = {
        let i18n = i18n.clone();
        move || i18n.t("layout.sync")
    };
    let warning = {
        let i18n = i18n.clone();
        move || {
            grid.different_patients().then(|| {
                view! {
                    <p class="two-patients" role="alert" data-testid="two-patients">
                        {i18n.t("layout.two_patients")}
                    </p>
                }
            })
        }
    };
    let mpr_label = {
        let i18n = i18n.clone();
        move || i18n.t("mpr.layout")
    };
    view! {
        <div class="grid-toolbar" data-testid="grid-toolbar">
            {buttons}
            <button type="button" data-testid="layout-mpr"
                aria-pressed=move || grid.mpr.get().to_string()
                class:selected=move || grid.mpr.get()
                title=mpr_label.clone() aria-label=mpr_label.clone()
                on:click=move |_| grid.mpr.update(|on| *on = !*on)>
                "MPR"
            </button>
            <label class="sync">
                <input type="checkbox" data-testid="sync-scroll"
                    prop:checked=move || grid.sync.get()
                    on:change=move |ev| grid.sync.set(event_target_checked(&ev)) />
                {sync_label}
            </label>
            {warning}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn showing(patient: &str) -> Option<CellReport> {
        Some(CellReport {
            frame_of_reference_uid: None,
            plane: None,
            patient_id: Some(patient.into()),
        })
    }

    #[test]
    fn two_patients_on_screen_are_warned_of_and_hidden_cells_do_not_count() {
        let grid = Grid::new();
        grid.reports
            .set(vec![showing("A"), None, showing("A"), showing("B")]);
        grid.layout.set(Layout::TwoByTwo);
        assert!(grid.different_patients());
        grid.layout.set(Layout::OneByTwo);
        assert!(!grid.different_patients(), "the fourth cell is hidden");
        assert!(grid.visible(1) && !grid.visible(3));
    }

    #[test]
    fn cells_without_a_patient_id_are_no_second_patient() {
        let grid = Grid::new();
        let anonymous = Some(CellReport {
            frame_of_reference_uid: None,
            plane: None,
            patient_id: None,
        });
        grid.reports.set(vec![showing("A"), anonymous, None, None]);
        grid.layout.set(Layout::TwoByTwo);
        assert!(!grid.different_patients());
    }

    #[test]
    fn every_layout_names_its_grid() {
        let ids: Vec<_> = Layout::ALL.iter().map(|l| (l.id(), l.cells())).collect();
        assert_eq!(ids, [("1x1", 1), ("1x2", 2), ("2x1", 2), ("2x2", 4)]);
        assert!(Layout::ALL.iter().all(|l| l.cells() <= MAX_CELLS));
    }
}
