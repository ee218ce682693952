//! `viewer-core`: everything the viewer knows about DICOM that does not need a browser.
//!
//! Layers, each in its own module and each usable on its own:
//! - [`multipart`]: `multipart/related` bodies as DICOMweb servers send them;
//! - [`dicom_json`]: the DICOM JSON model (PS3.18 F.2) and typed accessors;
//! - [`study`]: study / series / instance summaries built from QIDO-RS and WADO-RS metadata;
//! - [`pixel_module`]: the Image Pixel module with the limits checked before allocating;
//! - [`samples`]: the typed samples of one frame;
//! - [`rle`], [`jpegls`], [`jpeg`], [`jpeg12`] (12-bit), [`j2k`] (JPEG 2000, HTJ2K; feature
//!   `jpeg2000`), `jxl` (JPEG XL; feature `jpeg-xl`): decoders we own or guard ourselves;
//! - [`codec`]: those decoders behind one trait, and the codec table of each decoder build;
//! - [`frame`]: one frame's bytes, as labelled by the server, into typed samples;
//! - [`lengths`]: element lengths checked against the data before parsing;
//! - [`file`]: a whole Part 10 file into frames (tests, CLI, local files); [`dicomdir`]: the files a DICOMDIR references;
//! - [`color`]: YBR to RGB; [`palette`]: PALETTE COLOR LUTs;
//! - [`lut`]: Modality and VOI LUT sequences (table LUTs);
//! - [`voi`]: Modality LUT (rescale) and VOI window maths, the reference for the shader;
//! - [`geometry`]: ordering a stack of slices along its normal;
//! - [`measure`]: lengths, angles, region statistics and probes in the units the spacing allows;
//! - [`thumbnail`]: a frame reduced to a small windowed RGBA picture for the series browser;
//! - [`i18n`] and [`text`]: message catalogs and display formatting (French first);
//! - [`iid`]: IHE Invoke Image Display links (and the DRIMbox variant) into checked requests;
//! - [`search`]: the study list's filters as QIDO-RS queries, and its sort orders;
//! - [`sr`] and [`document`]: structured reports as documents, encapsulated documents' bytes;
//! - [`kos`]: key object selections (the images a reader flagged);
//! - [`annotation`]: the reader's shapes and their measurements, read back from TID 1500 reports;
//! - [`presentation_state`]: grayscale softcopy presentation states (VOI, area, transform, annotations);
//! - [`png_text`]: text chunks in exported PNG files;
//! - [`retry`]: which PACS failures pass and how long to wait before asking again;
//! - [`sr_write`]: new measurement reports and key object selections as Part 10 files.
//!
//! Rule: no dependency on web-sys, leptos or GL. The web app depends on this crate, never
//! the reverse.

pub mod annotation;
pub mod codec;
pub mod color;
pub mod decode_job;
pub mod dicom_json;
pub mod dicomdir;
pub mod display;
pub mod display_set;
pub mod document;
pub mod file;
pub mod frame;
pub mod frame_lookup;
pub mod geometry;
#[cfg(feature = "jpeg2000")]
pub mod htj2k;
pub mod i18n;
pub mod identity;
pub mod iid;
pub mod ins;
pub mod j2k;
pub mod j2k_siz;
pub mod jpeg;
pub mod jpeg12;
pub mod jpegls;
#[cfg(feature = "jpeg-xl")]
pub mod jxl;
pub mod kos;
pub mod launch;
pub mod lengths;
pub mod local;
pub mod lut;
pub mod measure;
pub mod mpr;
pub mod multipart;
pub mod palette;
pub mod pixel_module;
pub mod plane;
pub mod png_text;
pub mod prefetch;
pub mod presentation_state;
pub mod reformat;
pub mod retry;
pub mod rle;
pub mod samples;
pub mod search;
pub mod slice_bar;
pub mod sr;
pub mod sr_write;
pub mod study;
pub mod text;
pub mod thumbnail;
pub mod view;
pub mod voi;
pub mod volume;
pub mod wheel;

#[cfg(all(target_arch = "wasm32", feature = "jpeg2000"))]
mod wasm_glue;

pub use codec::{DecoderSet, Decoders};
/// The standard attribute tags, for the app to read DICOM JSON without its own dictionary.
pub use dicom_dictionary_std::{tags, uids};
#[cfg(feature = "jpeg-xl")]
pub use frame::decode_frame;
pub use frame::{decode_frame_with, DecodeError, DecodedFrame};
pub use pixel_module::{Limits, PixelModule};
pub use samples::Samples;
