//! Decoder workers: each answers the page's `{job, bytes}` messages with `{reply, samples}`
//! (the message form is [`wire`], shared with the page), the frame's bytes and the decoded
//! samples transferred, not copied. Once listening, the worker posts `{ready: true}`: a message
//! sent before would be lost.
//!
//! Decoding here keeps the page's thread free while a codec runs, and a codec that traps takes
//! down this worker only: the page sees the worker fail and starts another.

pub mod wire;

use viewer_core::decode_job::DecodeFailure;
use viewer_core::frame::decode_prefix_with;
use viewer_core::{decode_frame_with, DecodeError, Decoders, Limits};
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// Answers every message of this worker with `decoders`.
pub fn serve(decoders: Decoders) {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let Some((message, transfer)) = answer(&decoders, &event.data()) else {
            return;
        };
        // A reply that cannot be posted leaves its job waiting; nothing else can be done here.
        let _ = reply_scope.post_message_with_transfer(&message, &transfer);
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    warm_up(&decoders);
    let _ = scope.post_message(&wire::ready_message());
}

/// Runs one job through the whole path (read, decode, reply) on a blank CT-sized frame: the
/// first real job would otherwise pay for compiling that code and growing the memory (33 ms
/// instead of 3 to 7 for a 512 x 512 uncompressed frame, measured in a trace of the viewers'
/// benchmark). The small build starts with the page, so this runs while the page waits for
/// its first frame; a build loaded for a waiting frame pays it once, as that frame would.
fn warm_up(decoders: &Decoders) {
    let module = viewer_core::PixelModule {
        rows: 512,
        columns: 512,
        samples_per_pixel: 1,
        bits_allocated: 16,
        bits_stored: 16,
        signed: true,
        photometric: viewer_core::pixel_module::Photometric::Monochrome2,
        planar_configuration: 0,
        number_of_frames: 1,
    };
    let job = viewer_core::decode_job::DecodeJob {
        id: 0,
        transfer_syntax_uid: viewer_core::uids::EXPLICIT_VR_LITTLE_ENDIAN.into(),
        prefix: false,
        lookup: None,
        module,
    };
    let bytes = vec![0u8; job.module.native_frame_bytes()];
    if let Ok((message, _)) = wire::job_message(&job, &bytes) {
        let _ = answer(decoders, &message);
    }
}

/// The reply to one message (none to a message without a job id: nobody waits for it).
fn answer(decoders: &Decoders, data: &JsValue) -> Option<wire::Message> {
    let (job, bytes) = match wire::read_job(data) {
        Ok(job) => job,
        Err(id) => {
            let failure = DecodeFailure::worker("a decode request the worker cannot read");
            return Some(wire::reply_message(id?, Err(failure)));
        }
    };
    let limits = Limits::default();
    let (module, syntax) = (&job.module, &job.transfer_syntax_uid);
    let decoded = if job.prefix {
        decode_prefix_with(decoders, module, syntax, &bytes, &limits).and_then(|preview| {
            preview.ok_or_else(|| DecodeError::NoPreview {
                transfer_syntax: syntax.clone(),
            })
        })
    } else {
        let decoded = decode_frame_with(decoders, module, syntax, &bytes, &limits);
        match &job.lookup {
            Some(lookup) => decoded.map(|frame| lookup.apply(frame)),
            None => decoded,
        }
    };
    Some(wire::reply_message(
        job.id,
        decoded.as_ref().map_err(DecodeFailure::from),
    ))
}
