//! The portal's browser app: study list and viewer, built by Trunk into `dist/`.

mod access;
mod annotations;
mod api;
mod app;
mod clock;
mod consent_panel;
mod date_field;
mod decoders;
mod early;
mod emergency;
mod exchange;
mod failure;
mod handout;
mod i18n;
mod icons;
mod invoke;
mod launch;
mod layout;
mod local;
mod mpr;
mod national;
mod national_timeline;
mod overlays;
mod panic;
mod picked;
mod portal_api;
mod print;
mod remote;
mod renderer;
mod report;
mod route;
mod session;
mod share_dialog;
mod share_link;
mod share_list;
mod shares;
mod shortcuts;
mod sign_in;
mod site;
mod stack;
mod studies;
mod thumbnails;
mod timeline;
mod timing;
mod toolbar;
mod viewer;
mod viewport;
mod whole_instance;

fn main() {
    panic::install_hook();
    timing::mark_once("app-start");
    decoders::warm_up();
    leptos::mount::mount_to_body(app::App);
}
