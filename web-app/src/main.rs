//! The portal's browser app: study list and viewer, built by Trunk into `dist/`.

mod api;
mod app;
mod failure;
mod i18n;
mod invoke;
mod layout;
mod local;
mod overlays;
mod panic;
mod picked;
mod renderer;
mod report;
mod route;
mod stack;
mod studies;
mod thumbnails;
mod timeline;
mod viewer;
mod viewport;

fn main() {
    panic::install_hook();
    leptos::mount::mount_to_body(app::App);
}
