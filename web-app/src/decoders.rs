//! The decoder workers: frames are decoded off the page's thread, in Web Workers running
//! viewer-core (`decode-worker`), the frame's bytes and the decoded samples transferred.
//!
//! Two builds: the small one (native, RLE, JPEG, JPEG-LS) starts with the page; the full one
//! (JPEG 2000, HTJ2K, JPEG XL too) is loaded the first time a frame needs it, so a series that
//! does not pays nothing for those codecs. Each build has up to [`MAX_WORKERS`] workers; a job
//! goes to the least busy. A worker that fails (a codec trapped) fails its jobs with a reason
//! and is replaced by the next job.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use futures_channel::oneshot;
use js_sys::{Array, Object, Reflect};
use viewer_core::decode_job::{DecodeFailure, DecodeJob, DecodeReply, SampleType};
use viewer_core::{DecodedFrame, PixelModule, Samples};
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};

use crate::failure::Failure;

/// Workers per build at most; fewer on machines with fewer cores.
const MAX_WORKERS: usize = 4;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Build {
    Small,
    Full,
}

impl Build {
    /// The worker's script (Trunk's loader for the `decode-worker` binary of that name).
    fn script_url(self) -> &'static str {
        match self {
            Build::Small => "/decode_small_loader.js",
            Build::Full => "/decode_full_loader.js",
        }
    }
}

type Reply = Result<DecodedFrame, DecodeFailure>;

/// A message and the buffers it transfers.
type Message = (JsValue, Array);

/// Messages not sent yet (`None` once the worker listens).
type Held = Rc<RefCell<Option<Vec<Message>>>>;

struct Slot {
    worker: Worker,
    /// Messages held until the worker says it listens (`{ready: true}`), then sent in order.
    held: Held,
    pending: Rc<RefCell<HashMap<u32, oneshot::Sender<Reply>>>>,
    /// Set when the worker failed: its jobs were answered and it takes no more.
    failed: Rc<Cell<bool>>,
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_error: Closure<dyn Fn(web_sys::Event)>,
}

#[derive(Default)]
struct Lane {
    slots: RefCell<Vec<Rc<Slot>>>,
}

#[derive(Default)]
struct Pool {
    small: Lane,
    full: Lane,
    next_id: Cell<u32>,
}

thread_local! {
    static POOL: Pool = Pool::default();
}

/// Starts a small-build worker now, so its code is loaded while the page asks for the study.
pub fn warm_up() {
    POOL.with(|pool| {
        let _ = pool.slot(Build::Small);
    });
}

/// Decodes one frame in a worker.
pub async fn decode(
    module: &PixelModule,
    transfer_syntax_uid: &str,
    bytes: &[u8],
) -> Result<DecodedFrame, Failure> {
    let syntax = transfer_syntax_uid.trim().trim_end_matches('\0');
    let first = if viewer_core::frame::needs_large_decoder(syntax) {
        Build::Full
    } else {
        Build::Small
    };
    let reply = run(first, module, syntax, bytes).await;
    let reply = match reply {
        // Bytes labelled uncompressed that are a JPEG 2000 codestream, or a syntax this list
        // does not know: the full build has every decoder.
        Err(f) if f.decoder_not_included && first == Build::Small => {
            run(Build::Full, module, syntax, bytes).await
        }
        other => other,
    };
    reply.map_err(|f| Failure::new(f.key, f.args, f.detail))
}

async fn run(build: Build, module: &PixelModule, syntax: &str, bytes: &[u8]) -> Reply {
    let (slot, id) = POOL.with(|pool| {
        let id = pool.next_id.get();
        pool.next_id.set(id.wrapping_add(1));
        (pool.slot(build), id)
    });
    let slot = slot.map_err(|detail| worker_failure(&detail))?;
    let (sender, receiver) = oneshot::channel();
    slot.pending.borrow_mut().insert(id, sender);
    if let Err(detail) = slot.post(id, module, syntax, bytes) {
        slot.pending.borrow_mut().remove(&id);
        return Err(worker_failure(&detail));
    }
    receiver
        .await
        .unwrap_or_else(|_| Err(worker_failure("the decoder worker stopped")))
}

/// A job's message and the buffer it transfers.
fn job_message(
    id: u32,
    module: &PixelModule,
    syntax: &str,
    bytes: &[u8],
) -> Result<Message, String> {
    let job = DecodeJob {
        id,
        module: module.clone(),
        transfer_syntax_uid: syntax.to_string(),
    };
    let job = serde_wasm_bindgen::to_value(&job).map_err(|e| e.to_string())?;
    let bytes = js_sys::Uint8Array::from(bytes);
    let message = Object::new();
    Reflect::set(&message, &"job".into(), &job).map_err(|_| "message".to_string())?;
    Reflect::set(&message, &"bytes".into(), &bytes).map_err(|_| "message".to_string())?;
    Ok((message.into(), Array::of1(&bytes.buffer())))
}

fn worker_failure(detail: &str) -> DecodeFailure {
    DecodeFailure {
        key: "error.decoder_worker".into(),
        args: Vec::new(),
        detail: detail.to_string(),
        decoder_not_included: false,
    }
}

impl Pool {
    fn lane(&self, build: Build) -> &Lane {
        match build {
            Build::Small => &self.small,
            Build::Full => &self.full,
        }
    }

    /// The least busy worker of `build`, started when every one is busy and there is room.
    fn slot(&self, build: Build) -> Result<Rc<Slot>, String> {
        let lane = self.lane(build);
        let mut slots = lane.slots.borrow_mut();
        slots.retain(|s| !s.failed.get());
        let idle = slots.iter().find(|s| s.pending.borrow().is_empty());
        if let Some(slot) = idle {
            return Ok(Rc::clone(slot));
        }
        if slots.len() < workers_per_build() {
            let slot = Rc::new(Slot::start(build)?);
            slots.push(Rc::clone(&slot));
            return Ok(slot);
        }
        slots
            .iter()
            .min_by_key(|s| s.pending.borrow().len())
            .cloned()
            .ok_or_else(|| "no decoder worker".to_string())
    }
}

/// One worker per core, at most [`MAX_WORKERS`].
fn workers_per_build() -> usize {
    let cores = web_sys::window()
        .map(|w| w.navigator().hardware_concurrency())
        .unwrap_or(1.0);
    (cores as usize).clamp(1, MAX_WORKERS)
}

impl Slot {
    /// Sends job `id`, or holds it until the worker listens.
    fn post(
        &self,
        id: u32,
        module: &PixelModule,
        syntax: &str,
        bytes: &[u8],
    ) -> Result<(), String> {
        let (message, transfer) = job_message(id, module, syntax, bytes)?;
        if let Some(held) = self.held.borrow_mut().as_mut() {
            held.push((message, transfer));
            return Ok(());
        }
        self.worker
            .post_message_with_transfer(&message, &transfer)
            .map_err(|_| "the frame could not be sent to the decoder worker".to_string())
    }

    fn start(build: Build) -> Result<Slot, String> {
        let worker = Worker::new(build.script_url())
            .map_err(|_| "the decoder worker could not be started".to_string())?;
        let pending: Rc<RefCell<HashMap<u32, oneshot::Sender<Reply>>>> = Rc::default();
        let failed = Rc::new(Cell::new(false));
        let held: Held = Rc::new(RefCell::new(Some(Vec::new())));
        let on_message = {
            let pending = Rc::clone(&pending);
            let held = Rc::clone(&held);
            let worker = worker.clone();
            Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
                let data = event.data();
                if Reflect::get(&data, &"ready".into()).is_ok_and(|r| r.is_truthy()) {
                    for (message, transfer) in held.borrow_mut().take().unwrap_or_default() {
                        let _ = worker.post_message_with_transfer(&message, &transfer);
                    }
                    return;
                }
                let Some((id, reply)) = read_reply(&data) else {
                    return;
                };
                if let Some(sender) = pending.borrow_mut().remove(&id) {
                    let _ = sender.send(reply);
                }
            })
        };
        let on_error = {
            let pending = Rc::clone(&pending);
            let failed = Rc::clone(&failed);
            Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
                event.prevent_default();
                failed.set(true);
                for (_, sender) in pending.borrow_mut().drain() {
                    let _ = sender.send(Err(worker_failure("the decoder worker failed")));
                }
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Slot {
            worker,
            held,
            pending,
            failed,
            _on_message: on_message,
            _on_error: on_error,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// A worker's `{reply, samples}` message as the job it answers and its result.
fn read_reply(data: &JsValue) -> Option<(u32, Reply)> {
    let reply = Reflect::get(data, &"reply".into()).ok()?;
    let reply: DecodeReply = serde_wasm_bindgen::from_value(reply).ok()?;
    let result = match reply.result {
        Err(failure) => Err(failure),
        Ok(header) => {
            let samples = Reflect::get(data, &"samples".into()).ok()?;
            read_samples(header.sample_type, &samples)
                .and_then(|samples| header.with_samples(samples))
                .ok_or_else(|| worker_failure("the decoder worker sent samples of another size"))
        }
    };
    Some((reply.id, result))
}

/// The samples of a typed array of the type the header names (anything else is `None`).
fn read_samples(kind: SampleType, array: &JsValue) -> Option<Samples> {
    Some(match kind {
        SampleType::U8 => Samples::U8(array.dyn_ref::<js_sys::Uint8Array>()?.to_vec()),
        SampleType::I8 => Samples::I8(array.dyn_ref::<js_sys::Int8Array>()?.to_vec()),
        SampleType::U16 => Samples::U16(array.dyn_ref::<js_sys::Uint16Array>()?.to_vec()),
        SampleType::I16 => Samples::I16(array.dyn_ref::<js_sys::Int16Array>()?.to_vec()),
        SampleType::U32 => Samples::U32(array.dyn_ref::<js_sys::Uint32Array>()?.to_vec()),
        SampleType::I32 => Samples::I32(array.dyn_ref::<js_sys::Int32Array>()?.to_vec()),
    })
}
