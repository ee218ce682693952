//! The decoder workers: frames are decoded off the page's thread, in Web Workers running
//! viewer-core (`decode-worker`), the frame's bytes and the decoded samples transferred.
//!
//! Three builds, each holding the one before ([`DecoderSet`]): the small one (native, RLE, JPEG,
//! JPEG-LS) starts with the page; the JPEG 2000 one (plus JPEG 2000 and HTJ2K) and the full one
//! (plus JPEG XL) are loaded the first time a frame needs them, so a series that does not pays
//! nothing for those codecs. Each build has up to [`MAX_WORKERS`] workers; a job goes to the
//! least busy. A worker that fails (a codec trapped, its code could not be loaded,
//! it stopped answering) is replaced, and each of its jobs is tried once more on another
//! worker: a frame that stops two workers is marked failed, the frames queued behind it are
//! not. The messages' form is `decode_worker::wire`, shared with the workers.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use decode_worker::wire::{self, Message};
use futures_channel::oneshot;
use viewer_core::decode_job::{DecodeFailure, DecodeJob};
use viewer_core::frame::FrameSyntax;
use viewer_core::frame_lookup::FrameLookup;
use viewer_core::{DecodedFrame, DecoderSet, PixelModule};
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};

use crate::failure::Failure;
use crate::timing::now_ms;

/// Workers per build at most; fewer on machines with fewer cores.
const MAX_WORKERS: usize = 4;

/// A worker with jobs that has answered none for this long is taken as stuck (a decoder
/// looping on a crafted frame): far more than the largest frame takes on a slow phone.
const STUCK_AFTER_MS: f64 = 60_000.0;

/// How often the workers are checked for being stuck.
const WATCH_EVERY_MS: u32 = 5_000;

/// The script of the worker that decodes with `build` (Trunk's loader for the `decode-worker`
/// binary of that name).
fn script_url(build: DecoderSet) -> &'static str {
    match build {
        DecoderSet::Small => "/decode_small_loader.js",
        DecoderSet::Jpeg2000 => "/decode_j2k_loader.js",
        DecoderSet::All => "/decode_full_loader.js",
    }
}

type Reply = Result<DecodedFrame, DecodeFailure>;

/// Why a job got no decoder's answer.
enum RunError {
    /// The decoder answered: the frame cannot be decoded (or not by this build).
    Decoder(DecodeFailure),
    /// The worker failed, whatever the frame: another worker may decode it.
    Worker(String),
}

impl From<RunError> for DecodeFailure {
    fn from(error: RunError) -> Self {
        match error {
            RunError::Decoder(failure) => failure,
            RunError::Worker(detail) => DecodeFailure::worker(&detail),
        }
    }
}

/// The jobs a worker has, by id, and who waits for each: a decoder's answer, or the worker's
/// failure (which the job may survive on another worker).
type Pending = Rc<RefCell<HashMap<u32, oneshot::Sender<Result<DecodedFrame, RunError>>>>>;

/// Messages not sent yet (`None` once the worker listens).
type Held = Rc<RefCell<Option<Vec<Message>>>>;

struct Slot {
    worker: Worker,
    /// Messages held until the worker says it listens (`{ready: true}`), then sent in order.
    held: Held,
    pending: Pending,
    /// Set when the worker failed: its jobs were answered and it takes no more.
    failed: Rc<Cell<bool>>,
    /// When the worker last said something, or was given a job while it had none (ms, page
    /// clock).
    progress_ms: Rc<Cell<f64>>,
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
    jpeg_2000: Lane,
    full: Lane,
    next_id: Cell<u32>,
    /// Checks every [`WATCH_EVERY_MS`] for stuck workers, from the first worker on.
    watchdog: RefCell<Option<gloo::timers::callback::Interval>>,
}

thread_local! {
    static POOL: Pool = Pool::default();
}

/// Starts a small-build worker now, so its code is loaded while the page asks for the study.
pub fn warm_up() {
    POOL.with(|pool| {
        let _ = pool.slot(DecoderSet::Small);
    });
}

/// Starts loading the build that decodes frames labelled `transfer_syntax_uid`, if none of its
/// workers is started: called as soon as a frame's label is known, its code loads while the
/// rest of the frame arrives.
pub fn prepare(transfer_syntax_uid: &str) {
    let build = DecoderSet::for_syntax(transfer_syntax_uid);
    POOL.with(|pool| {
        if pool.lane(build).slots.borrow().is_empty() {
            let _ = pool.slot(build);
        }
        if build != DecoderSet::Small {
            // The small build started with the page is not what this frame needs: while its
            // code is still loading and it has no job, it stops and leaves the link to the
            // build that is (it starts again when a frame needs it).
            pool.small.slots.borrow_mut().retain(|slot| {
                let loading = slot.held.borrow().is_some();
                !loading || !slot.pending.borrow().is_empty()
            });
        }
    });
}

/// Whether a worker that decodes frames labelled `transfer_syntax_uid` has its code loaded
/// (until then, loading it uses the link).
pub fn is_loaded(transfer_syntax_uid: &str) -> bool {
    let build = DecoderSet::for_syntax(transfer_syntax_uid);
    POOL.with(|pool| {
        pool.lane(build)
            .slots
            .borrow()
            .iter()
            .any(|s| !s.failed.get() && s.held.borrow().is_none())
    })
}

/// Decodes one frame in a worker, which also puts it through `lookup` (a palette or a Modality
/// LUT): the frame comes back ready for the texture.
pub async fn decode(
    module: &PixelModule,
    syntax: &FrameSyntax,
    bytes: &[u8],
    lookup: Option<&FrameLookup>,
) -> Result<DecodedFrame, Failure> {
    // A codestream under an uncompressed label goes straight to the build that decodes it.
    let first = DecoderSet::for_syntax(&syntax.decode_as);
    let syntax = syntax.labelled.as_str();
    let job = Job {
        module,
        syntax,
        bytes,
        prefix: false,
        lookup,
    };
    let reply = match run_twice(first, &job).await {
        // Bytes labelled uncompressed that are a codestream, or a syntax this list does not
        // know: the full build has every decoder.
        Err(f) if f.decoder_not_included && first != DecoderSet::All => {
            run_twice(DecoderSet::All, &job).await
        }
        other => other,
    };
    reply.map_err(|f| Failure::new(f.key, f.args, f.detail))
}

/// A preview of a JPEG 2000 or HTJ2K frame from its first bytes (the JPEG 2000 build decodes
/// it).
pub async fn decode_preview(
    module: &PixelModule,
    transfer_syntax_uid: &str,
    prefix: &[u8],
) -> Result<DecodedFrame, Failure> {
    let job = Job {
        module,
        syntax: transfer_syntax_uid.trim().trim_end_matches('\0'),
        bytes: prefix,
        prefix: true,
        lookup: None,
    };
    run(DecoderSet::Jpeg2000, &job).await.map_err(|e| {
        let failure = DecodeFailure::from(e);
        Failure::new(failure.key, failure.args, failure.detail)
    })
}

/// What a worker is asked to decode.
struct Job<'a> {
    module: &'a PixelModule,
    syntax: &'a str,
    bytes: &'a [u8],
    /// The frame's first bytes only: a preview is asked.
    prefix: bool,
    lookup: Option<&'a FrameLookup>,
}

/// Runs the job, and once more on another worker if the first one failed under it.
async fn run_twice(build: DecoderSet, job: &Job<'_>) -> Reply {
    let reply = match run(build, job).await {
        Err(RunError::Worker(_)) => run(build, job).await,
        other => other,
    };
    reply.map_err(DecodeFailure::from)
}

async fn run(build: DecoderSet, job: &Job<'_>) -> Result<DecodedFrame, RunError> {
    let (slot, id) = POOL.with(|pool| {
        let id = pool.next_id.get();
        pool.next_id.set(id.wrapping_add(1));
        (pool.slot(build), id)
    });
    let slot = slot.map_err(RunError::Worker)?;
    let (sender, receiver) = oneshot::channel();
    if slot.pending.borrow().is_empty() {
        slot.progress_ms.set(now_ms());
    }
    slot.pending.borrow_mut().insert(id, sender);
    if let Err(detail) = slot.post(id, job) {
        slot.pending.borrow_mut().remove(&id);
        return Err(RunError::Worker(detail));
    }
    match receiver.await {
        Ok(answer) => answer,
        Err(_) => Err(RunError::Worker("the decoder worker stopped".into())),
    }
}

impl Pool {
    fn lane(&self, build: DecoderSet) -> &Lane {
        match build {
            DecoderSet::Small => &self.small,
            DecoderSet::Jpeg2000 => &self.jpeg_2000,
            DecoderSet::All => &self.full,
        }
    }

    /// The least busy worker of `build`, started when every one is busy and there is room.
    fn slot(&self, build: DecoderSet) -> Result<Rc<Slot>, String> {
        let lane = self.lane(build);
        let mut slots = lane.slots.borrow_mut();
        slots.retain(|s| !s.failed.get());
        let idle = slots.iter().find(|s| s.pending.borrow().is_empty());
        if let Some(slot) = idle {
            return Ok(Rc::clone(slot));
        }
        if slots.len() < workers_per_build() {
            self.watch();
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

impl Pool {
    /// Starts the check for stuck workers, once.
    fn watch(&self) {
        let mut watchdog = self.watchdog.borrow_mut();
        if watchdog.is_none() {
            *watchdog = Some(gloo::timers::callback::Interval::new(
                WATCH_EVERY_MS,
                || {
                    POOL.with(|pool| {
                        let now = now_ms();
                        for lane in [&pool.small, &pool.jpeg_2000, &pool.full] {
                            for slot in lane.slots.borrow().iter() {
                                // A worker still loading its code on a slow link is not stuck.
                                let listening = slot.held.borrow().is_none();
                                let waiting = listening && !slot.pending.borrow().is_empty();
                                if waiting && now - slot.progress_ms.get() > STUCK_AFTER_MS {
                                    slot.worker.terminate();
                                    fail_all(
                                        &slot.failed,
                                        &slot.pending,
                                        "the decoder worker stopped answering",
                                    );
                                }
                            }
                        }
                    });
                },
            ));
        }
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
    fn post(&self, id: u32, job: &Job<'_>) -> Result<(), String> {
        let message = DecodeJob {
            id,
            module: job.module.clone(),
            transfer_syntax_uid: job.syntax.to_string(),
            prefix: job.prefix,
            lookup: job.lookup.cloned(),
        };
        let (message, transfer) = wire::job_message(&message, job.bytes)?;
        if let Some(held) = self.held.borrow_mut().as_mut() {
            held.push((message, transfer));
            return Ok(());
        }
        self.worker
            .post_message_with_transfer(&message, &transfer)
            .map_err(|_| "the frame could not be sent to the decoder worker".to_string())
    }

    fn start(build: DecoderSet) -> Result<Slot, String> {
        // The page's early script may have started the small build before this code ran.
        let (worker, early_messages) = match (build == DecoderSet::Small)
            .then(crate::early::take_worker)
            .flatten()
        {
            Some(started) => started,
            None => (
                Worker::new(script_url(build))
                    .map_err(|_| "the decoder worker could not be started".to_string())?,
                Vec::new(),
            ),
        };
        let pending: Pending = Rc::default();
        let failed = Rc::new(Cell::new(false));
        let progress_ms = Rc::new(Cell::new(now_ms()));
        let held: Held = Rc::new(RefCell::new(Some(Vec::new())));
        let on_message = {
            let pending = Rc::clone(&pending);
            let failed = Rc::clone(&failed);
            let progress_ms = Rc::clone(&progress_ms);
            let held = Rc::clone(&held);
            let worker = worker.clone();
            Rc::new(move |data: JsValue| {
                progress_ms.set(now_ms());
                if wire::is_ready(&data) {
                    crate::timing::mark_once("decoder-ready");
                    for (message, transfer) in held.borrow_mut().take().unwrap_or_default() {
                        let _ = worker.post_message_with_transfer(&message, &transfer);
                    }
                    return;
                }
                if wire::is_load_failure(&data) {
                    fail_all(
                        &failed,
                        &pending,
                        "the decoder worker's code could not be loaded",
                    );
                    return;
                }
                let Some((id, reply)) = wire::read_reply(&data) else {
                    return;
                };
                if let Some(sender) = pending.borrow_mut().remove(&id) {
                    let _ = sender.send(reply.map_err(RunError::Decoder));
                }
            })
        };
        for data in early_messages {
            on_message(data);
        }
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
            on_message(event.data())
        });
        let on_error = {
            let pending = Rc::clone(&pending);
            let failed = Rc::clone(&failed);
            Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
                event.prevent_default();
                fail_all(&failed, &pending, "the decoder worker failed");
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Slot {
            worker,
            held,
            pending,
            failed,
            progress_ms,
            _on_message: on_message,
            _on_error: on_error,
        })
    }
}

/// Marks a worker failed (it takes no more jobs) and fails the jobs it had.
fn fail_all(failed: &Cell<bool>, pending: &Pending, detail: &str) {
    failed.set(true);
    for (_, sender) in pending.borrow_mut().drain() {
        let _ = sender.send(Err(RunError::Worker(detail.to_string())));
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        // The handlers go before their closures do: a message already on its way is not
        // delivered to a dropped closure.
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}
