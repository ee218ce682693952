//! A DICOM Part 10 file (or a bare dataset with file meta) into its pixel module and frames.
//! Used by tests, tools and local files; the network path uses [`crate::frame`] directly.

use std::borrow::Cow;
use std::io::Cursor;

use dicom_core::{Tag, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::{DefaultDicomObject, OpenFileOptions};

use crate::frame::DecodeError;
use crate::pixel_module::{Attributes, Limits, PixelModule, PixelModuleError};

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
    /// Zero bytes after the data set that were not read (a writer's padding to a block size).
    pub padding_ignored_bytes: usize,
}

impl DicomFile {
    /// Parses `bytes`: a Part 10 file with or without its 128-byte preamble.
    pub fn parse(bytes: &[u8], limits: &Limits) -> Result<Self, FileError> {
        let (object, padding_ignored_bytes) = open_padded_object(bytes)?;
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
            padding_ignored_bytes,
        })
    }

    /// The parsed data set.
    pub(crate) fn object(&self) -> &dicom_object::InMemDicomObject {
        &self.object
    }

    /// Decodes frame `frame` (0-based).
    #[cfg(feature = "jpeg-xl")]
    pub fn decode(
        &self,
        frame: u32,
        limits: &Limits,
    ) -> Result<crate::frame::DecodedFrame, FileError> {
        let bytes = self.encoded_frame(frame)?;
        Ok(crate::frame::decode_frame(
            &self.module,
            self.frame_syntax(),
            &bytes,
            limits,
        )?)
    }

    /// The transfer syntax of [`DicomFile::encoded_frame`]'s bytes: the file's when
    /// encapsulated, else explicit little endian (the parser gives native samples so).
    pub fn frame_syntax(&self) -> &str {
        if self.is_encapsulated() {
            self.transfer_syntax_uid.as_str()
        } else {
            uids::EXPLICIT_VR_LITTLE_ENDIAN
        }
    }

    /// Whether the pixel data is encapsulated (compressed fragments).
    pub fn is_encapsulated(&self) -> bool {
        self.object
            .element(tags::PIXEL_DATA)
            .is_ok_and(|e| e.value().fragments().is_some())
    }

    /// The stored bytes of frame `frame` (0-based): its codestream when encapsulated, else its
    /// samples in little-endian order (as the file's parser gives them).
    pub fn encoded_frame(&self, frame: u32) -> Result<Cow<'_, [u8]>, FileError> {
        let frames = self.module.number_of_frames;
        if frame >= frames {
            return Err(FileError::FrameOutOfRange { frame, frames });
        }
        let element = self
            .object
            .element(tags::PIXEL_DATA)
            .map_err(|_| FileError::NoPixelData)?;
        if let Some(fragments) = element.value().fragments() {
            // The Extended Offset Table (7FE0,0001), when present, replaces the basic one.
            let extended: Option<Vec<u64>> = self
                .object
                .element_opt(tags::EXTENDED_OFFSET_TABLE)
                .ok()
                .flatten()
                .and_then(|e| e.to_bytes().ok())
                .map(|b| {
                    b.chunks_exact(8)
                        .map(|c| {
                            u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])
                        })
                        .collect()
                });
            let basic: Vec<u64> = element
                .value()
                .offset_table()
                .unwrap_or(&[])
                .iter()
                .map(|&o| u64::from(o))
                .collect();
            let offsets = extended.unwrap_or(basic);
            return frame_fragments(fragments, &offsets, frame, frames);
        }
        // Native pixel data: the parser already turned it into host (little-endian) order,
        // word by word for OW.
        let all = element.to_bytes().map_err(|_| FileError::NoPixelData)?;
        if self.module.bits_allocated == 1 {
            return Ok(Cow::Owned(one_bit_frame(
                &all,
                self.module.pixel_count(),
                frame,
            )));
        }
        let size = self.module.native_frame_bytes();
        let start = size * frame as usize;
        let end = (start + size).min(all.len());
        let mut bytes = all.get(start..end).unwrap_or(&[]).to_vec();
        if self.transfer_syntax_uid == crate::codec::EXPLICIT_VR_BIG_ENDIAN
            && self.module.bits_allocated == 32
            && element.vr() == VR::OW
        {
            // 32-bit samples read as big-endian 16-bit words: swap the words of each sample.
            for sample in bytes.chunks_exact_mut(4) {
                sample.rotate_left(2);
            }
        }
        Ok(Cow::Owned(bytes))
    }
}

/// Parses a Part 10 file (with or without its preamble) once its element lengths are known to
/// fit the data, so a crafted length cannot make the parser allocate beyond the file.
pub(crate) fn open_object(bytes: &[u8]) -> Result<DefaultDicomObject, FileError> {
    open_padded_object(bytes).map(|(object, _)| object)
}

/// [`open_object`], and how many zero bytes padding the file after its data set were left
/// unread (the parser would take them for an element).
fn open_padded_object(bytes: &[u8]) -> Result<(DefaultDicomObject, usize), FileError> {
    let mut body = if bytes.len() >= 132 && &bytes[128..132] == b"DICM" {
        &bytes[128..]
    } else {
        bytes
    };
    let mut padding = 0;
    if body.starts_with(b"DICM") {
        let data_end =
            crate::lengths::check_lengths(body).map_err(|e| FileError::Parse(e.to_string()))?;
        padding = body.len() - data_end;
        body = &body[..data_end];
    }
    let object = OpenFileOptions::new()
        .from_reader(Cursor::new(body))
        .map_err(|e| FileError::Parse(e.to_string()))?;
    Ok((object, padding))
}

/// Without an offset table, a frame spanning several fragments is found by where codestreams
/// start: a fragment beginning with a JPEG/JPEG-LS SOI or a JPEG 2000 SOC marker starts a
/// frame (PS3.5 A.4: each frame starts in a new fragment). Refused unless exactly `frames`
/// frames are found.
fn frame_by_codestream_starts(
    fragments: &[Vec<u8>],
    index: usize,
    frames: u32,
) -> Result<Cow<'_, [u8]>, FileError> {
    let starts: Vec<usize> = fragments
        .iter()
        .enumerate()
        .filter(|(_, f)| f.starts_with(&[0xFF, 0xD8]) || f.starts_with(&[0xFF, 0x4F, 0xFF, 0x51]))
        .map(|(i, _)| i)
        .collect();
    if starts.len() != frames as usize || starts.first() != Some(&0) {
        return Err(FileError::Fragments(
            "more fragments than frames, no offset table, and frame starts cannot be found",
        ));
    }
    let end = starts.get(index + 1).copied().unwrap_or(fragments.len());
    Ok(Cow::Owned(fragments[starts[index]..end].concat()))
}

/// Frame `frame` of packed 1-bit data, whose frames need not start on a byte boundary,
/// repacked to start at bit 0. Missing bits give a short (refused) frame, never zeros.
fn one_bit_frame(all: &[u8], pixels: usize, frame: u32) -> Vec<u8> {
    let first_bit = pixels * frame as usize;
    if all.len() * 8 < first_bit + pixels {
        return Vec::new();
    }
    let mut out = vec![0u8; pixels.div_ceil(8)];
    for i in 0..pixels {
        let bit = first_bit + i;
        if all.get(bit / 8).is_some_and(|b| (b >> (bit % 8)) & 1 == 1) {
            out[i / 8] |= 1 << (i % 8);
        }
    }
    out
}

/// The bytes of one frame of encapsulated pixel data (PS3.5 A.4).
fn frame_fragments<'a>(
    fragments: &'a [Vec<u8>],
    offsets: &[u64],
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
        return frame_by_codestream_starts(fragments, index, frames);
    }
    // Offsets count from the first fragment's item tag; each item adds an 8-byte header.
    let start = offsets[index];
    let end = offsets.get(index + 1).copied();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn fragments() -> Vec<Vec<u8>> {
        // Two JPEG frames: the first in two fragments, the second in one.
        vec![
            vec![0xFF, 0xD8, 1],
            vec![2, 0xFF, 0xD9],
            vec![0xFF, 0xD8, 3, 0xFF, 0xD9],
        ]
    }

    #[test]
    fn frames_spanning_fragments_by_offset_table() {
        // Offsets from the first item: fragment 0 at 0, fragment 2 at (8 + 3) + (8 + 3) = 22.
        let f = fragments();
        assert_eq!(
            frame_fragments(&f, &[0, 22], 0, 2)
                .expect("frame 0")
                .as_ref(),
            &[0xFF, 0xD8, 1, 2, 0xFF, 0xD9]
        );
        assert_eq!(
            frame_fragments(&f, &[0, 22], 1, 2)
                .expect("frame 1")
                .as_ref(),
            &[0xFF, 0xD8, 3, 0xFF, 0xD9]
        );
    }

    #[test]
    fn frames_spanning_fragments_without_offset_table() {
        let f = fragments();
        assert_eq!(
            frame_fragments(&f, &[], 0, 2).expect("frame 0").as_ref(),
            &[0xFF, 0xD8, 1, 2, 0xFF, 0xD9]
        );
        assert_eq!(
            frame_fragments(&f, &[], 1, 2).expect("frame 1").as_ref(),
            &[0xFF, 0xD8, 3, 0xFF, 0xD9]
        );
        assert!(matches!(
            frame_fragments(&f, &[], 0, 4),
            Err(FileError::Fragments(_))
        ));
    }
}
