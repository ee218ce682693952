//! A decoder worker: frames come in as messages `{job, bytes}` (a [`DecodeJob`] and the
//! frame's bytes, transferred), and go back as `{reply, samples}` (a [`DecodeReply`] and, when
//! decoded, the samples in a typed array whose buffer is transferred, not copied).
//!
//! Once listening, the worker posts `{ready: true}`: a message sent before would be lost.
//!
//! Decoding here keeps the page's thread free while a codec runs, and a codec that traps takes
//! down this worker only: the page sees the worker fail and starts another.

use js_sys::{Array, Object, Reflect, Uint8Array};
use viewer_core::decode_job::{DecodeFailure, DecodeJob, DecodeReply, DecodedHeader};
use viewer_core::{decode_frame_with, Decoders, Limits, Samples};
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// Answers every message of this worker with `decoders`.
pub fn serve(decoders: Decoders) {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let (message, transfer) = answer(&decoders, &event.data());
        // A reply that cannot be posted leaves the page waiting for a worker that failed; the
        // page's own timeout and error handler deal with that.
        let _ = reply_scope.post_message_with_transfer(&message, &transfer);
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // Messages that came while the code loaded had no listener: the page waits for this.
    let ready = Object::new();
    let _ = Reflect::set(&ready, &"ready".into(), &JsValue::TRUE);
    let _ = scope.post_message(&ready);
}

/// The reply to one message, and the buffers it transfers.
fn answer(decoders: &Decoders, data: &JsValue) -> (JsValue, Array) {
    let transfer = Array::new();
    let job: Result<DecodeJob, _> = Reflect::get(data, &"job".into())
        .map_err(|_| ())
        .and_then(|job| serde_wasm_bindgen::from_value(job).map_err(|_| ()));
    let Ok(job) = job else {
        let failure = DecodeFailure {
            key: "error.answer".into(),
            args: Vec::new(),
            detail: "a decode request the worker cannot read".into(),
            decoder_not_included: false,
        };
        return (message(u32::MAX, Err(failure), None), transfer);
    };
    let bytes = Reflect::get(data, &"bytes".into())
        .ok()
        .and_then(|b| b.dyn_into::<Uint8Array>().ok())
        .map(|b| b.to_vec())
        .unwrap_or_default();
    let decoded = decode_frame_with(
        decoders,
        &job.module,
        &job.transfer_syntax_uid,
        &bytes,
        &Limits::default(),
    );
    match decoded {
        Ok(frame) => {
            let samples = typed_array(&frame.samples);
            let buffer = Reflect::get(&samples, &"buffer".into()).unwrap_or(JsValue::NULL);
            transfer.push(&buffer);
            let header = DecodedHeader::of(&frame);
            (message(job.id, Ok(header), Some(samples)), transfer)
        }
        Err(e) => (
            message(job.id, Err(DecodeFailure::from(&e)), None),
            transfer,
        ),
    }
}

fn message(
    id: u32,
    result: Result<DecodedHeader, DecodeFailure>,
    samples: Option<JsValue>,
) -> JsValue {
    let object = Object::new();
    let reply = serde_wasm_bindgen::to_value(&DecodeReply { id, result }).unwrap_or(JsValue::NULL);
    let _ = Reflect::set(&object, &"reply".into(), &reply);
    if let Some(samples) = samples {
        let _ = Reflect::set(&object, &"samples".into(), &samples);
    }
    object.into()
}

/// The samples copied out of this worker's memory into a typed array of their own type.
fn typed_array(samples: &Samples) -> JsValue {
    match samples {
        Samples::U8(v) => js_sys::Uint8Array::from(v.as_slice()).into(),
        Samples::I8(v) => js_sys::Int8Array::from(v.as_slice()).into(),
        Samples::U16(v) => js_sys::Uint16Array::from(v.as_slice()).into(),
        Samples::I16(v) => js_sys::Int16Array::from(v.as_slice()).into(),
        Samples::U32(v) => js_sys::Uint32Array::from(v.as_slice()).into(),
        Samples::I32(v) => js_sys::Int32Array::from(v.as_slice()).into(),
    }
}
