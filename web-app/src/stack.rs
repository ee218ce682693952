//! A series' frames: fetching and decoding them, and the decoded cache.
//!
//! What to fetch, cancel and drop is decided by [`viewer_core::prefetch::Schedule`] (the
//! visible frame first and alone, then its neighbours outward, within a byte budget); this
//! module executes its commands: requests with their abort controllers, decoding in the
//! decoder workers, the cache, previews of slow frames. A frame that fails is marked with its
//! reason and the others still load.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use viewer_core::file::{DicomFile, FileError};
use viewer_core::frame::FrameSyntax;
use viewer_core::frame_lookup::{FrameLookup, ModalityTable};
use viewer_core::palette::Palette;
use viewer_core::pixel_module::Photometric;
use viewer_core::prefetch::{Command, Outcome, RequestId, Schedule};
use viewer_core::study::StackImage;
use viewer_core::DecodedFrame;

use crate::api;
use crate::decoders;
use crate::failure::Failure;

/// A frame still arriving this long after it was asked is previewed from its first bytes
/// (JPEG 2000, HTJ2K): a link that fast brings most frames whole before then.
const PREVIEW_AFTER_MS: f64 = 250.0;

/// Frames of the first view (the visible one and its neighbours) that load before the series
/// thumbnails may use the link.
const NEIGHBOURS_FIRST: usize = 20;

/// Decoded megabytes a stack may keep by default. Frames farther from the visible one than the
/// budget allows are neither fetched nor kept (they are fetched again when the reader comes
/// back), so a 3000-slice series cannot exhaust the tab's memory.
const CACHE_BUDGET_MB: usize = 768;

/// The browser's setting (`localStorage`, key [`CACHE_BUDGET_KEY`], 32 to 4096 MB) replaces
/// the default, e.g. on a workstation with little memory.
const CACHE_BUDGET_KEY: &str = "portal.cache_budget_mb";

fn cache_budget_bytes() -> usize {
    let setting = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(CACHE_BUDGET_KEY).ok().flatten())
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|mb| (32..=4096).contains(mb));
    setting.unwrap_or(CACHE_BUDGET_MB) * 1024 * 1024
}

/// One displayable frame: an image of the series and a frame number in it (1-based).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub image: usize,
    pub frame: u32,
}

#[derive(Clone)]
pub enum FrameState {
    Ready(Rc<DecodedFrame>),
    /// A preview from the first bytes of a frame still arriving (JPEG 2000, HTJ2K): whole but
    /// blurred, shown with a badge until the frame itself replaces it.
    Preview(Rc<DecodedFrame>),
    Failed(Failure),
    /// Decoded, but the viewer cannot show it faithfully yet: the message catalog key says why.
    NotDisplayable(&'static str),
}

impl FrameState {
    /// Tells states apart cheaply: a decoded frame by the address of its pixels, a missing
    /// frame as 0, a failed one as 1 or 2.
    pub fn identity(state: Option<&FrameState>) -> usize {
        match state {
            None => 0,
            Some(FrameState::Failed(_)) => 1,
            Some(FrameState::NotDisplayable(_)) => 2,
            Some(FrameState::Ready(frame) | FrameState::Preview(frame)) => {
                Rc::as_ptr(frame) as usize
            }
        }
    }
}

/// The syntax a frame's decoder must read, from its part's label and first bytes (a JPEG 2000
/// codestream labelled uncompressed is one), once enough bytes came.
fn effective_syntax(part: &viewer_core::multipart::Part, body: &[u8]) -> Option<String> {
    let label = part
        .transfer_syntax
        .as_deref()
        .unwrap_or(api::EXPLICIT_VR_LE);
    let content = body.get(part.content.clone())?;
    FrameSyntax::from_first_bytes(label, content).map(|s| s.decode_as)
}

/// Where a stack's frames come from.
enum Source {
    /// WADO-RS from the PACS.
    Remote,
    /// Files the reader dropped, by SOP Instance UID (read here, never uploaded).
    Local(HashMap<String, Rc<DicomFile>>),
}

pub struct Stack {
    source: Source,
    pub study: String,
    pub series: String,
    pub images: Vec<StackImage>,
    pub entries: Vec<Entry>,
    cache: RefCell<HashMap<usize, FrameState>>,
    /// Previews of frames still arriving, until they are in [`Stack::cache`].
    previews: RefCell<HashMap<usize, Rc<DecodedFrame>>>,
    /// What each image's frames go through in the decoder worker (palette, Modality LUT).
    lookups: RefCell<HashMap<usize, Rc<FrameLookup>>>,
    /// What to fetch, cancel and drop.
    schedule: RefCell<Schedule>,
    /// The requests the schedule started, with what cancels each.
    requests: RefCell<HashMap<RequestId, web_sys::AbortController>>,
    /// Notified whenever a frame arrives, so views showing it redraw.
    pub changed: ArcTrigger,
    abort: web_sys::AbortController,
}

impl Stack {
    /// A stack of dropped files: `files` by SOP Instance UID.
    pub fn local(
        series: String,
        images: Vec<StackImage>,
        files: HashMap<String, Rc<DicomFile>>,
    ) -> Rc<Self> {
        Self::with_source(String::new(), series, images, Source::Local(files))
    }

    pub fn new(study: String, series: String, images: Vec<StackImage>) -> Rc<Self> {
        Self::with_source(study, series, images, Source::Remote)
    }

    fn with_source(
        study: String,
        series: String,
        images: Vec<StackImage>,
        source: Source,
    ) -> Rc<Self> {
        let entries: Vec<Entry> = images
            .iter()
            .enumerate()
            .flat_map(|(image, img)| {
                let frames = img.module.as_ref().map_or(1, |m| m.number_of_frames);
                (1..=frames).map(move |frame| Entry { image, frame })
            })
            .collect();
        let largest_frame = images
            .iter()
            .filter_map(|i| i.module.as_ref().ok())
            .map(|m| {
                m.frame_bytes()
                    .max(m.pixel_count() * usize::from(m.samples_per_pixel))
            })
            .max()
            .unwrap_or(1)
            .max(1);
        let schedule = Schedule::new(entries.len(), largest_frame, cache_budget_bytes());
        Rc::new(Stack {
            source,
            study,
            series,
            images,
            entries,
            cache: RefCell::default(),
            previews: RefCell::default(),
            lookups: RefCell::default(),
            schedule: RefCell::new(schedule),
            requests: RefCell::default(),
            changed: ArcTrigger::new(),
            abort: web_sys::AbortController::new()
                .expect("AbortController exists in every browser that runs WebAssembly"),
        })
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Frames loaded so far (decoded or failed), out of [`Stack::len`].
    pub fn loaded(&self) -> usize {
        self.cache.borrow().len()
    }

    /// The frame's state: loaded (decoded or failed), a preview, or `None` while nothing came.
    pub fn state(&self, index: usize) -> Option<FrameState> {
        self.cache.borrow().get(&index).cloned().or_else(|| {
            let previews = self.previews.borrow();
            previews
                .get(&index)
                .map(|f| FrameState::Preview(Rc::clone(f)))
        })
    }

    /// The frame the loads are centred on (the visible one, unless the MPR moved it).
    pub fn focus_index(&self) -> usize {
        self.schedule.borrow().focus_index()
    }

    /// Nothing is asked or waiting: every frame the budget allows around the focus came (or
    /// failed, or was given up).
    pub fn settled(&self) -> bool {
        let schedule = self.schedule.borrow();
        schedule.live_requests() == 0 && schedule.queued().next().is_none()
    }

    /// Whether `i` is within the frames kept around the visible one.
    fn in_window(&self, i: usize) -> bool {
        self.schedule.borrow().in_window(i)
    }

    /// The reader looks at frame `index`: it is asked first, then its neighbours outward;
    /// frames that no longer fit in the budget around it are dropped, and while it is missing,
    /// requests far from it are cancelled (the link goes to what the reader now looks at).
    pub fn focus(self: &Rc<Self>, index: usize) {
        let commands = self.schedule.borrow_mut().focus(index);
        self.previews.borrow_mut().retain(|&i, _| self.in_window(i));
        self.run(commands);
    }

    /// Executes the schedule's commands.
    fn run(self: &Rc<Self>, commands: Vec<Command>) {
        for command in commands {
            match command {
                Command::Evict { index } => {
                    self.cache.borrow_mut().remove(&index);
                }
                Command::Cancel { request } => {
                    if let Some(controller) = self.requests.borrow().get(&request) {
                        controller.abort();
                    }
                }
                Command::Start { index, request } => self.start(index, request),
            }
        }
    }

    /// Sends request `request` for frame `index`.
    fn start(self: &Rc<Self>, index: usize, request: RequestId) {
        let Ok(controller) = web_sys::AbortController::new() else {
            // Cannot happen in a browser that runs WebAssembly; the frame is asked again later.
            let (_, next) = self
                .schedule
                .borrow_mut()
                .finished(request, Outcome::Nothing);
            return self.run(next);
        };
        let signal = controller.signal();
        self.requests.borrow_mut().insert(request, controller);
        let stack = Rc::clone(self);
        spawn_local(async move {
            let state = stack.load(index, request, &signal).await;
            stack.requests.borrow_mut().remove(&request);
            let outcome = match (&state, signal.aborted()) {
                (FrameState::Ready(_), _) => Outcome::Decoded,
                (_, true) => Outcome::Nothing,
                (_, false) => Outcome::Failed,
            };
            let (keep, next) = stack.schedule.borrow_mut().finished(request, outcome);
            if keep {
                stack.arrived(index, state);
            }
            stack.run(next);
        });
    }

    /// Keeps a loaded frame (the schedule kept it: the stack is open and it is in the window).
    fn arrived(&self, index: usize, state: FrameState) {
        if !matches!(state, FrameState::Ready(_)) {
            crate::timing::first_view_settled(); // nothing will be drawn for it
        }
        self.previews.borrow_mut().remove(&index);
        self.cache.borrow_mut().insert(index, state);
        let loaded = self.loaded();
        if loaded >= self.len().min(NEIGHBOURS_FIRST) {
            crate::timing::first_view_settled(); // the reader can browse: thumbnails may come
        }
        if loaded == self.len() {
            crate::timing::mark_once("all-loaded");
        }
        self.changed.notify();
    }

    /// Keeps a preview of a frame still arriving, unless the frame came meanwhile.
    fn previewed(&self, index: usize, frame: DecodedFrame) {
        if self.abort.signal().aborted()
            || !self.in_window(index)
            || self.cache.borrow().contains_key(&index)
        {
            return;
        }
        self.previews.borrow_mut().insert(index, Rc::new(frame));
        self.changed.notify();
    }

    /// Watches frame `index`'s bytes arrive. Once its label is in, the decoder it needs starts
    /// loading. Once the link shows slow (after [`PREVIEW_AFTER_MS`], less than half of the
    /// frame in) and an eighth of it is in, a JPEG 2000 or HTJ2K frame's first bytes are
    /// decoded as a preview, once.
    fn preview_watch(self: &Rc<Self>, index: usize) -> impl Fn(&api::Arriving<'_>) {
        let started_ms = crate::timing::now_ms();
        // The syntax to decode, resolved once from the label and the first bytes.
        let resolved: RefCell<Option<String>> = RefCell::default();
        let asked = Cell::new(false);
        let stack = Rc::clone(self);
        move |arriving: &api::Arriving<'_>| {
            if resolved.borrow().is_none() {
                let syntax = arriving
                    .first_part()
                    .and_then(|p| effective_syntax(&p, arriving.body));
                if let Some(syntax) = syntax {
                    decoders::prepare(&syntax);
                    *resolved.borrow_mut() = Some(syntax);
                }
            }
            if asked.get() {
                return;
            }
            let Some(total) = arriving.total else {
                return;
            };
            let received = arriving.body.len();
            let slow = crate::timing::now_ms() - started_ms >= PREVIEW_AFTER_MS;
            if !slow || received * 8 < total || received * 2 > total {
                return;
            }
            let (Some(part), Some(syntax)) = (arriving.first_part(), resolved.borrow().clone())
            else {
                return;
            };
            asked.set(true);
            let image = &stack.images[stack.entries[index].image];
            let Ok(module) = &image.module else {
                return;
            };
            // Previews skip what is applied to the frame itself (palettes, Modality LUTs).
            let plain = image.modality_lut.is_none()
                && image.palette.is_none()
                && module.photometric != Photometric::PaletteColor;
            if !plain
                || !viewer_core::frame::previews_from_prefix(&syntax)
                || !decoders::is_loaded(&syntax)
            {
                return;
            }
            let prefix = arriving.body[part.content].to_vec();
            let (stack, module) = (Rc::clone(&stack), module.clone());
            spawn_local(async move {
                if let Ok(frame) = decoders::decode_preview(&module, &syntax, &prefix).await {
                    stack.previewed(index, frame);
                }
            });
        }
    }

    async fn load(
        self: &Rc<Self>,
        index: usize,
        request: RequestId,
        signal: &web_sys::AbortSignal,
    ) -> FrameState {
        let entry = &self.entries[index];
        let image = &self.images[entry.image];
        let module = match &image.module {
            Ok(module) => module,
            Err(e) => return FrameState::Failed(Failure::from(e)),
        };
        // Palette colour drawn as grey would be a wrong picture: the palette is read before
        // the frame is decoded, or the frame is said not to be displayable.
        let lookup = match self.lookup(entry.image, signal).await {
            Ok(lookup) => lookup,
            Err(()) => return FrameState::NotDisplayable("viewer.palette"),
        };
        let lookup = lookup.as_deref();
        let decoded = match &self.source {
            Source::Remote => {
                let watch = self.preview_watch(index);
                match self
                    .fetch_frame(&image.sop_instance_uid, entry.frame, signal, &watch)
                    .await
                {
                    Ok(frame) => {
                        // The visible frame's bytes are in and its decoder is loaded: the
                        // link is free for the others while it decodes.
                        let syntax =
                            FrameSyntax::of_frame(&frame.transfer_syntax_uid, &frame.bytes);
                        if decoders::is_loaded(&syntax.decode_as) {
                            let next = self.schedule.borrow_mut().fetched(request);
                            self.run(next);
                        }
                        decoders::decode(module, &syntax, &frame.bytes, lookup).await
                    }
                    Err(e) => Err(Failure::from(&e)),
                }
            }
            Source::Local(files) => match files.get(&image.sop_instance_uid) {
                Some(file) => match file.encoded_frame(entry.frame - 1) {
                    Ok(bytes) => {
                        let syntax = FrameSyntax::of_frame(file.frame_syntax(), &bytes);
                        decoders::decode(&file.module, &syntax, &bytes, lookup).await
                    }
                    Err(e) => Err(Failure::from(&e)),
                },
                None => Err(Failure::from(&FileError::NoPixelData)),
            },
        };
        if decoded.is_ok() {
            crate::timing::mark_once("first-decoded");
        }
        match decoded {
            Ok(decoded) if decoded.photometric == Photometric::PaletteColor => {
                FrameState::NotDisplayable("viewer.palette")
            }
            Ok(decoded) => FrameState::Ready(Rc::new(decoded)),
            Err(e) => FrameState::Failed(e),
        }
    }

    /// A frame from the PACS, asked again after failures that pass (the PACS restarting, the
    /// gateway losing it, a dropped connection), waiting longer each time, for as long as the
    /// stack is shown: the series completes when the PACS comes back.
    async fn fetch_frame(
        &self,
        sop: &str,
        frame: u32,
        signal: &web_sys::AbortSignal,
        watch: &dyn Fn(&api::Arriving<'_>),
    ) -> Result<api::FrameBytes, api::ApiError> {
        let mut attempt = 0;
        loop {
            let result = api::frame(
                &self.study,
                &self.series,
                sop,
                frame,
                Some(signal),
                Some(watch),
            )
            .await;
            let transient = match &result {
                Err(api::ApiError::Network(_)) => true,
                Err(api::ApiError::Status(s)) => viewer_core::retry::is_transient_status(*s),
                _ => false,
            };
            if !transient || signal.aborted() {
                return result;
            }
            attempt += 1;
            let wait = viewer_core::retry::wait_ms(attempt, js_sys::Math::random());
            gloo::timers::future::TimeoutFuture::new(wait).await;
            if signal.aborted() {
                return result;
            }
        }
    }

    /// What image `image`'s frames go through once decoded, resolved once per image: its
    /// palette (its LUT data fetched when the server gave it as bulk data) or its Modality
    /// LUT. `Err` when a PALETTE COLOR image's palette cannot be read.
    async fn lookup(
        &self,
        image: usize,
        signal: &web_sys::AbortSignal,
    ) -> Result<Option<Rc<FrameLookup>>, ()> {
        if let Some(lookup) = self.lookups.borrow().get(&image) {
            return Ok(Some(Rc::clone(lookup)));
        }
        let img = &self.images[image];
        let palette_colour = img
            .module
            .as_ref()
            .is_ok_and(|m| m.photometric == Photometric::PaletteColor);
        let lookup = if palette_colour {
            let palette = match &self.source {
                Source::Local(files) => files
                    .get(&img.sop_instance_uid)
                    .and_then(|f| f.palette())
                    .and_then(Result::ok),
                Source::Remote => self.remote_palette(img, signal).await,
            };
            FrameLookup::Palette(palette.ok_or(())?)
        } else {
            match img.modality_lut.as_ref().and_then(ModalityTable::of) {
                Some(table) => FrameLookup::Modality(table),
                None => return Ok(None),
            }
        };
        let lookup = Rc::new(lookup);
        self.lookups.borrow_mut().insert(image, Rc::clone(&lookup));
        Ok(Some(lookup))
    }

    /// A palette whose LUT data the server gave as bulk data.
    async fn remote_palette(
        &self,
        img: &StackImage,
        signal: &web_sys::AbortSignal,
    ) -> Option<Palette> {
        let source = img.palette.as_ref()?;
        let mut data = Vec::new();
        for uri in &source.data_uris {
            let bytes = api::bulk_data(
                &self.study,
                &self.series,
                &img.sop_instance_uid,
                uri,
                Some(signal),
            )
            .await
            .ok()?;
            data.push(bytes);
        }
        Palette::from_data(
            source.descriptors,
            [&data[0], &data[1], &data[2]],
            source.segmented,
        )
        .ok()
    }

    /// Stops every request of this stack (the view showing it went away).
    pub fn stop(self: &Rc<Self>) {
        self.abort.abort();
        let commands = self.schedule.borrow_mut().close();
        self.run(commands);
    }
}
