//! A DICOM Part 10 file (or a bare dataset with file meta) into its pixel module and frames.
//! Used by tests, tools and local files; the network path uses [`crate::frame`] directly.

use std::borrow::Cow;
use std::io::Cursor;

use dicom_core::Tag;
use dicom_dictionary_std::tags;
use dicom_object::{DefaultDicomObject, OpenFileOptions};

use crate::frame::{decode_frame, DecodeError, DecodedFrame};
use crate::pixel_module::{Attributes, Limits, PixelModule, PixelModuleError};

const EXPLICIT_VR_LE: &str = "1.2.840.10008.1.2.1";

/// Why a file could not give a frame.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("not a readable DICOM file: {0}")]
    Parse(String),
    #[error("the file has no pixel data")]
    NoPixelData,
    #[error("frame {frame} does not exist (the file has {frames})")]
    FrameOutOfRange { frame: u32, frames: u32 },
    #[error("the encapsulated pixel data cannot be split into frames: {0}")]
    Fragments(&'static str),
    #[error(transparent)]
    PixelModule(#[from] PixelModuleError),
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

/// A parsed file, ready to give frames.
pub struct DicomFile {
    object: DefaultDicomObject,
    pub module: PixelModule,
    pub transfer_syntax_uid: String,
}

impl DicomFile {
    /// Parses `bytes`: a Part 10 file with or without its 128-byte preamble.
    pub fn parse(bytes: &[u8], limits: &Limits) -> Result<Self, FileError> {
        let body = if bytes.len() >= 132 && &bytes[128..132] == b"DICM" {
            &bytes[128..]
        } else {
            bytes
        };
        let object = OpenFileOptions::new()
            .from_reader(Cursor::new(body))
            .map_err(|e| FileError::Parse(e.to_string()))?;
        let transfer_syntax_uid = object
            .meta()
            .transfer_syntax()
            .trim_end_matches('\0')
            .to_string();
        if object
            .element_opt(tags::PIXEL_DATA)
            .ok()
            .flatten()
            .is_none()
        {
            return Err(FileError::NoPixelData);
        }
        let module = PixelModule::read(&object, limits)?;
        Ok(DicomFile {
            object,
            module,
            transfer_syntax_uid,
        })
    }

    /// Decodes frame `frame` (0-based).
    pub fn decode(&self, frame: u32, limits: &Limits) -> Result<DecodedFrame, FileError> {
        let frames = self.module.number_of_frames;
        if frame >= frames {
            return Err(FileError::FrameOutOfRange { frame, frames });
        }
        let element = self
            .object
            .element(tags::PIXEL_DATA)
            .map_err(|_| FileError::NoPixelData)?;
        if let Some(fragments) = element.value().fragments() {
            let offsets = element.value().offset_table().unwrap_or(&[]);
            let bytes = frame_fragments(fragments, offsets, frame, frames)?;
            return Ok(decode_frame(
                &self.module,
                &self.transfer_syntax_uid,
                &bytes,
                limits,
            )?);
        }
        // Native pixel data: the parser already turned it into host (little-endian) order.
        let all = element.to_bytes().map_err(|_| FileError::NoPixelData)?;
        let size = self.module.frame_bytes();
        if self.module.bits_allocated == 1 && frames > 1 {
            return Err(FileError::Fragments(
                "multi-frame 1-bit data is not split yet",
            ));
        }
        let start = size * frame as usize;
        let end = (start + size).min(all.len());
        let bytes = all.get(start..end).unwrap_or(&[]);
        Ok(decode_frame(&self.module, EXPLICIT_VR_LE, bytes, limits)?)
    }
}

/// The bytes of one frame of encapsulated pixel data (PS3.5 A.4).
fn frame_fragments<'a>(
    fragments: &'a [Vec<u8>],
    offsets: &[u32],
    frame: u32,
    frames: u32,
) -> Result<Cow<'a, [u8]>, FileError> {
    let index = frame as usize;
    if fragments.len() == frames as usize {
        return Ok(Cow::Borrowed(&fragments[index]));
    }
    if frames == 1 {
        return Ok(Cow::Owned(fragments.concat()));
    }
    if offsets.len() != frames as usize {
        return Err(FileError::Fragments(
            "more fragments than frames and no usable Basic Offset Table",
        ));
    }
    // Offsets count from the first fragment's item tag; each item adds an 8-byte header.
    let start = u64::from(offsets[index]);
    let end = offsets.get(index + 1).map(|&o| u64::from(o));
    let mut position = 0u64;
    let mut out = Vec::new();
    for fragment in fragments {
        let inside = position >= start && end.is_none_or(|e| position < e);
        if inside {
            out.extend_from_slice(fragment);
        }
        position += fragment.len() as u64 + 8;
    }
    if out.is_empty() {
        return Err(FileError::Fragments(
            "the offset table points past the data",
        ));
    }
    Ok(Cow::Owned(out))
}

impl Attributes for DefaultDicomObject {
    fn text(&self, tag: Tag) -> Option<String> {
        let element = self.element_opt(tag).ok().flatten()?;
        let text = element.to_str().ok()?;
        Some(
            text.split('\\')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string(),
        )
    }
    fn uint(&self, tag: Tag) -> Option<u32> {
        self.element_opt(tag).ok().flatten()?.to_int::<u32>().ok()
    }
}
