//! Drawing a viewport: the renderer built on its canvas (again after a lost WebGL context),
//! the visible frame uploaded once and drawn whenever the window or the view changes, and the
//! drawing buffer following the canvas's displayed size.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::html::Canvas;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use viewer_core::display::{DrawSettings, ShownFrame, VoiInForce};
use viewer_core::voi::VoiFunction;
use wasm_bindgen::JsCast;

use super::display::image_display;
use super::{Signals, Uploaded};
use crate::renderer::{DrawParams, Grey, Renderer};
use crate::stack::{FrameState, Stack};

/// Starts drawing `stack` on the canvas of `canvas_ref`; `visible` is the visible frame's
/// state. What is drawn is read from the display: this effect writes nothing back to it.
pub(super) fn connect(
    canvas_ref: NodeRef<Canvas>,
    stack: SendWrapper<Rc<Stack>>,
    s: Signals,
    visible: impl Fn() -> Option<FrameState> + Clone + 'static,
) {
    let Signals {
        display,
        canvas_css,
        gl_error,
        context_lost,
        resized,
    } = s;
    let renderer: Rc<RefCell<Option<Renderer>>> = Rc::default();
    // What the textures hold, so a window change uploads nothing again.
    let uploaded: Rc<RefCell<Uploaded>> = Rc::default();
    // Draw whenever the canvas, the frame or the window changes.
    {
        let stack = stack.clone();
        let renderer = Rc::clone(&renderer);
        let uploaded = Rc::clone(&uploaded);
        let visible = visible.clone();
        Effect::new(move |_| {
            let Some(canvas) = canvas_ref.get() else {
                return;
            };
            if context_lost.get() {
                return;
            }
            let mut slot = renderer.borrow_mut();
            let r = match Renderer::in_slot(&mut slot, canvas) {
                Ok(r) => r,
                Err(e) => {
                    gl_error.set(Some(e));
                    return;
                }
            };
            resized.track();
            let i = display.slice.get();
            let entry_image = stack.entries[i].image;
            let (frame, preview) = match visible() {
                Some(FrameState::Ready(frame)) => (frame, false),
                Some(FrameState::Preview(frame)) => (frame, true),
                _ => return,
            };
            let image = &stack.images[entry_image];
            let Some(defaults) = image_display(&stack, i) else {
                return;
            };
            let shown = display.shown.get().unwrap_or(ShownFrame {
                range: None,
                preview,
            });
            let settings = display.with(|d| d.draw(&defaults, &shown));
            let lut = settings
                .voi
                .lut()
                .and_then(|i| image.voi_luts.get(i).map(|l| ((entry_image, i), l)));
            if let Err(e) = upload(r, &mut uploaded.borrow_mut(), &frame, lut) {
                gl_error.set(Some(e));
                return;
            }
            r.resize();
            let css = [
                f64::from(canvas_ref.get_untracked().map_or(0, |c| c.client_width())),
                f64::from(canvas_ref.get_untracked().map_or(0, |c| c.client_height())),
            ];
            if canvas_css.get_untracked() != css {
                canvas_css.set(css);
            }
            let params = draw_params(&settings, &image.effective_rescale(), lut.is_some());
            let drawn = r.draw(&params, &settings.view);
            if let Err(e) = drawn {
                gl_error.set(Some(e));
                return;
            }
            crate::timing::mark_once("first-image");
            if r.is_lost() {
                context_lost.set(true);
            }
        });
    }
    watch_context(canvas_ref, renderer, uploaded, context_lost);
    watch_size(canvas_ref, resized);
}

/// Drops the renderer and the uploaded frame when the GPU loses the WebGL context, and sets
/// `context_lost` until the browser restores it (the draw then builds both again). The
/// listeners are removed with the viewport: the browser loses the contexts of canvases it
/// evicts (too many live contexts), and must not call a handler that is gone.
fn watch_context(
    canvas_ref: NodeRef<Canvas>,
    renderer: Rc<RefCell<Option<Renderer>>>,
    uploaded: Rc<RefCell<Uploaded>>,
    context_lost: RwSignal<bool>,
) {
    let on_lost = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::Event)>::new(
        move |ev: web_sys::Event| {
            // Without preventDefault the browser never restores the context.
            ev.prevent_default();
            renderer.borrow_mut().take();
            *uploaded.borrow_mut() = Uploaded::default();
            let _ = context_lost.try_set(true);
        },
    );
    let on_restored = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
        let _ = context_lost.try_set(false);
    });
    let listeners = Rc::new((on_lost, on_restored));
    let listened: Rc<RefCell<Option<web_sys::HtmlCanvasElement>>> = Rc::default();
    let (added, into) = (Rc::clone(&listeners), Rc::clone(&listened));
    Effect::new(move |_| {
        if let Some(canvas) = canvas_ref.get() {
            let (on_lost, on_restored) = &*added;
            let _ = canvas.add_event_listener_with_callback(
                "webglcontextlost",
                on_lost.as_ref().unchecked_ref(),
            );
            let _ = canvas.add_event_listener_with_callback(
                "webglcontextrestored",
                on_restored.as_ref().unchecked_ref(),
            );
            *into.borrow_mut() = Some(canvas.clone());
        }
    });
    let kept = send_wrapper::SendWrapper::new((listeners, listened));
    on_cleanup(move || {
        let (listeners, listened) = &*kept;
        if let Some(canvas) = listened.borrow_mut().take() {
            let (on_lost, on_restored) = &**listeners;
            let _ = canvas.remove_event_listener_with_callback(
                "webglcontextlost",
                on_lost.as_ref().unchecked_ref(),
            );
            let _ = canvas.remove_event_listener_with_callback(
                "webglcontextrestored",
                on_restored.as_ref().unchecked_ref(),
            );
        }
    });
}

/// Bumps `resized` when the canvas changes size (window resize, layout change, phone
/// rotation): the draw follows, and the drawing buffer its displayed size times the device
/// pixel ratio.
pub(crate) fn watch_size(canvas_ref: NodeRef<Canvas>, resized: RwSignal<u64>) {
    let on_resize = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
        // The viewport may be gone by the time the browser reports a size.
        let _ = resized.try_update(|n| *n = n.wrapping_add(1));
    });
    let observer = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok();
    // The closure must outlive the observer; it is a few bytes per viewport ever made.
    on_resize.forget();
    let observer = send_wrapper::SendWrapper::new(observer);
    let watched = observer.clone();
    Effect::new(move |_| {
        if let (Some(canvas), Some(observer)) = (canvas_ref.get(), watched.as_ref()) {
            observer.observe(&canvas);
        }
    });
    on_cleanup(move || {
        if let Some(observer) = observer.as_ref() {
            observer.disconnect();
        }
    });
}

/// Puts in the renderer's textures what they do not hold yet: `frame`, and the VOI LUT
/// `lut` (keyed by image and LUT index) when one is in force.
fn upload(
    renderer: &mut Renderer,
    uploaded: &mut Uploaded,
    frame: &Rc<viewer_core::DecodedFrame>,
    lut: Option<((usize, usize), &viewer_core::lut::Lut)>,
) -> Result<(), String> {
    if uploaded
        .frame
        .as_ref()
        .is_none_or(|u| !Rc::ptr_eq(u, frame))
    {
        uploaded.frame = None;
        renderer.upload(frame)?;
        uploaded.frame = Some(Rc::clone(frame));
    }
    if let Some((key, lut)) = lut {
        if uploaded.voi_lut != Some(key) {
            uploaded.voi_lut = None;
            renderer.upload_voi_lut(lut)?;
            uploaded.voi_lut = Some(key);
        }
    }
    Ok(())
}

/// What the shader needs to map the texture to grey levels. A VOI LUT in force that the
/// image does not have (`has_lut` false) draws the stored values' 8-bit range as they are.
fn draw_params(
    settings: &DrawSettings,
    rescale: &viewer_core::voi::Rescale,
    has_lut: bool,
) -> DrawParams {
    let (slope, intercept) = (rescale.slope as f32, rescale.intercept as f32);
    let (slope, intercept, grey) = match settings.voi {
        VoiInForce::Window { window, function } => {
            let (center, width) = (window.center as f32, window.width as f32);
            let grey = Grey::Window {
                center,
                width,
                function,
            };
            (slope, intercept, grey)
        }
        VoiInForce::Lut(_) if has_lut => (slope, intercept, Grey::Lut),
        VoiInForce::Lut(_) => {
            let grey = Grey::Window {
                center: 127.5,
                width: 255.0,
                function: VoiFunction::LinearExact,
            };
            (1.0, 0.0, grey)
        }
    };
    DrawParams {
        slope,
        intercept,
        grey,
        invert: settings.invert,
        smooth: settings.interpolation.is_smooth(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use viewer_core::display::Interpolation;
    use viewer_core::view::ViewState;
    use viewer_core::voi::{Rescale, WindowLevel};

    fn settings(voi: VoiInForce) -> DrawSettings {
        DrawSettings {
            voi,
            invert: true,
            interpolation: Interpolation::Bilinear,
            view: ViewState::default(),
        }
    }

    const CT: Rescale = Rescale {
        slope: 1.0,
        intercept: -1024.0,
    };

    #[test]
    fn a_window_is_drawn_over_modality_values_with_its_function() {
        let voi = VoiInForce::Window {
            window: WindowLevel {
                center: 40.0,
                width: 400.0,
            },
            function: VoiFunction::Sigmoid,
        };
        let params = draw_params(&settings(voi), &CT, false);
        assert_eq!((params.slope, params.intercept), (1.0, -1024.0));
        assert_eq!(
            params.grey,
            Grey::Window {
                center: 40.0,
                width: 400.0,
                function: VoiFunction::Sigmoid
            }
        );
        assert!(params.invert && params.smooth);
    }

    #[test]
    fn a_voi_lut_is_indexed_by_modality_values() {
        let params = draw_params(&settings(VoiInForce::Lut(0)), &CT, true);
        assert_eq!((params.slope, params.intercept), (1.0, -1024.0));
        assert_eq!(params.grey, Grey::Lut);
    }

    #[test]
    fn a_voi_lut_the_image_lacks_draws_the_stored_8_bit_range() {
        let params = draw_params(&settings(VoiInForce::Lut(3)), &CT, false);
        assert_eq!((params.slope, params.intercept), (1.0, 0.0));
        assert_eq!(
            params.grey,
            Grey::Window {
                center: 127.5,
                width: 255.0,
                function: VoiFunction::LinearExact
            }
        );
    }
}
