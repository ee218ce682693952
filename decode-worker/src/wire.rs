//! Both ends of the page ↔ decoder-worker messages, in one place:
//! - page → worker: `{job, bytes}`, a [`DecodeJob`] and the frame's bytes (buffer transferred);
//! - worker → page: `{reply, samples}`, a [`DecodeReply`] and, when decoded, the samples in a
//!   typed array of their own type (buffer transferred);
//! - worker → page: `{ready: true}` once it listens, `{failed: true}` when its code could not
//!   be loaded (`static/decode_*_loader.js`).

use js_sys::{Array, Object, Reflect};
use viewer_core::decode_job::{DecodeFailure, DecodeJob, DecodeReply, DecodedHeader, SampleType};
use viewer_core::{DecodedFrame, Samples};
use wasm_bindgen::{JsCast, JsValue};

/// A message and the buffers it transfers.
pub type Message = (JsValue, Array);

fn object(fields: &[(&str, &JsValue)]) -> JsValue {
    let object = Object::new();
    for (name, value) in fields {
        let _ = Reflect::set(&object, &(*name).into(), value);
    }
    object.into()
}

fn field(data: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(data, &name.into())
        .ok()
        .filter(|v| !v.is_undefined())
}

/// The page's message for job `job` on `bytes`.
pub fn job_message(job: &DecodeJob, bytes: &[u8]) -> Result<Message, String> {
    let job = serde_wasm_bindgen::to_value(job).map_err(|e| e.to_string())?;
    let bytes = js_sys::Uint8Array::from(bytes);
    let transfer = Array::of1(&bytes.buffer());
    Ok((object(&[("job", &job), ("bytes", &bytes)]), transfer))
}

/// A job as the worker reads it: the job (or, when unreadable, the id it carries, if any) and
/// the frame's bytes.
pub fn read_job(data: &JsValue) -> Result<(DecodeJob, Vec<u8>), Option<u32>> {
    let job = field(data, "job").ok_or(None)?;
    let id = field(&job, "id")
        .and_then(|id| id.as_f64())
        .map(|id| id as u32);
    let job: DecodeJob = serde_wasm_bindgen::from_value(job).map_err(|_| id)?;
    let bytes = field(data, "bytes")
        .and_then(|b| b.dyn_into::<js_sys::Uint8Array>().ok())
        .ok_or(Some(job.id))?;
    Ok((job, bytes.to_vec()))
}

/// The worker's reply to job `id`.
pub fn reply_message(id: u32, result: Result<&DecodedFrame, DecodeFailure>) -> Message {
    let transfer = Array::new();
    let (result, samples) = match result {
        Ok(frame) => {
            let samples: JsValue = samples_to_js(&frame.samples).into();
            if let Some(buffer) = field(&samples, "buffer") {
                transfer.push(&buffer);
            }
            (Ok(DecodedHeader::of(frame)), Some(samples))
        }
        Err(failure) => (Err(failure), None),
    };
    let reply = serde_wasm_bindgen::to_value(&DecodeReply { id, result }).unwrap_or(JsValue::NULL);
    let message = match samples {
        Some(samples) => object(&[("reply", &reply), ("samples", &samples)]),
        None => object(&[("reply", &reply)]),
    };
    (message, transfer)
}

/// A reply as the page reads it: the job it answers and the frame, or why there is none
/// (samples that are not what the header says are a failure, never a frame).
pub fn read_reply(data: &JsValue) -> Option<(u32, Result<DecodedFrame, DecodeFailure>)> {
    let reply: DecodeReply = serde_wasm_bindgen::from_value(field(data, "reply")?).ok()?;
    let result = reply.result.and_then(|header| {
        field(data, "samples")
            .and_then(|samples| samples_from_js(header.sample_type, &samples))
            .and_then(|samples| header.with_samples(samples))
            .ok_or_else(|| {
                DecodeFailure::worker("the decoder worker sent samples of another size or type")
            })
    });
    Some((reply.id, result))
}

/// `{ready: true}`: the worker listens.
pub fn ready_message() -> JsValue {
    object(&[("ready", &JsValue::TRUE)])
}

pub fn is_ready(data: &JsValue) -> bool {
    field(data, "ready").is_some_and(|v| v.is_truthy())
}

/// `{failed: true}`: the worker's code could not be loaded.
pub fn is_load_failure(data: &JsValue) -> bool {
    field(data, "failed").is_some_and(|v| v.is_truthy())
}

/// Samples copied out of wasm memory into a typed array of their own type.
pub fn samples_to_js(samples: &Samples) -> js_sys::Object {
    match samples {
        Samples::U8(v) => js_sys::Uint8Array::from(v.as_slice()).into(),
        Samples::I8(v) => js_sys::Int8Array::from(v.as_slice()).into(),
        Samples::U16(v) => js_sys::Uint16Array::from(v.as_slice()).into(),
        Samples::I16(v) => js_sys::Int16Array::from(v.as_slice()).into(),
        Samples::U32(v) => js_sys::Uint32Array::from(v.as_slice()).into(),
        Samples::I32(v) => js_sys::Int32Array::from(v.as_slice()).into(),
    }
}

/// The samples of a typed array of type `kind` (an array of another type is `None`).
pub fn samples_from_js(kind: SampleType, array: &JsValue) -> Option<Samples> {
    Some(match kind {
        SampleType::U8 => Samples::U8(array.dyn_ref::<js_sys::Uint8Array>()?.to_vec()),
        SampleType::I8 => Samples::I8(array.dyn_ref::<js_sys::Int8Array>()?.to_vec()),
        SampleType::U16 => Samples::U16(array.dyn_ref::<js_sys::Uint16Array>()?.to_vec()),
        SampleType::I16 => Samples::I16(array.dyn_ref::<js_sys::Int16Array>()?.to_vec()),
        SampleType::U32 => Samples::U32(array.dyn_ref::<js_sys::Uint32Array>()?.to_vec()),
        SampleType::I32 => Samples::I32(array.dyn_ref::<js_sys::Int32Array>()?.to_vec()),
    })
}
