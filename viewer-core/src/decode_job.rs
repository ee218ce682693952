//! What a page and its decoder workers say to each other: a frame to decode, and the decoded
//! frame or the reason it failed. The frame's bytes and the decoded samples travel beside these
//! headers as transferred buffers; this module is only the agreed form of the headers.

use serde::{Deserialize, Serialize};

use crate::frame::{DecodeError, DecodedFrame};
use crate::frame_lookup::FrameLookup;
use crate::pixel_module::{Photometric, PixelModule};
use crate::samples::Samples;

/// A frame to decode (its bytes are sent beside it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecodeJob {
    /// Chosen by the page to match the reply to the job.
    pub id: u32,
    pub module: PixelModule,
    /// The syntax the bytes are labelled with (checked by the decoder, not trusted).
    pub transfer_syntax_uid: String,
    /// The bytes are the first part of the frame, still arriving: a preview is asked
    /// ([`crate::frame::decode_prefix_with`]).
    #[serde(default)]
    pub prefix: bool,
    /// The palette or Modality LUT the decoded frame goes through before it is returned (not
    /// for a preview, which is shown as decoded).
    #[serde(default)]
    pub lookup: Option<FrameLookup>,
}

/// The type of every sample of a decoded frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SampleType {
    U8,
    I8,
    U16,
    I16,
    U32,
    I32,
}

impl SampleType {
    pub fn of(samples: &Samples) -> Self {
        match samples {
            Samples::U8(_) => Self::U8,
            Samples::I8(_) => Self::I8,
            Samples::U16(_) => Self::U16,
            Samples::I16(_) => Self::I16,
            Samples::U32(_) => Self::U32,
            Samples::I32(_) => Self::I32,
        }
    }
}

/// A decoded frame without its samples (sent beside it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecodedHeader {
    pub rows: u16,
    pub columns: u16,
    pub samples_per_pixel: u16,
    pub photometric: Photometric,
    pub sample_type: SampleType,
    /// The number of samples the buffer beside must hold.
    pub sample_count: usize,
    pub relabelled_from: Option<String>,
}

impl DecodedHeader {
    pub fn of(frame: &DecodedFrame) -> Self {
        DecodedHeader {
            rows: frame.rows,
            columns: frame.columns,
            samples_per_pixel: frame.samples_per_pixel,
            photometric: frame.photometric.clone(),
            sample_type: SampleType::of(&frame.samples),
            sample_count: frame.samples.len(),
            relabelled_from: frame.relabelled_from.clone(),
        }
    }

    /// The frame again, once its samples are read back from the buffer beside the header;
    /// `None` when they are not the type and number the header says.
    pub fn with_samples(self, samples: Samples) -> Option<DecodedFrame> {
        let expected = usize::from(self.rows)
            .checked_mul(usize::from(self.columns))?
            .checked_mul(usize::from(self.samples_per_pixel))?;
        if SampleType::of(&samples) != self.sample_type
            || samples.len() != self.sample_count
            || samples.len() != expected
        {
            return None;
        }
        Some(DecodedFrame {
            rows: self.rows,
            columns: self.columns,
            samples_per_pixel: self.samples_per_pixel,
            photometric: self.photometric,
            samples,
            relabelled_from: self.relabelled_from,
        })
    }
}

/// Why a frame could not be decoded, as the page shows it: a message catalog key, its
/// arguments, the technical detail (no patient data, see [`DecodeError`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecodeFailure {
    pub key: String,
    pub args: Vec<(String, String)>,
    pub detail: String,
    /// The decoder is in another build: the page sends the frame to a worker that has it.
    pub decoder_not_included: bool,
}

impl DecodeFailure {
    /// The decoder worker itself failed (it stopped, or a message was not what was agreed).
    pub fn worker(detail: &str) -> Self {
        DecodeFailure {
            key: "error.decoder_worker".into(),
            args: Vec::new(),
            detail: detail.to_string(),
            decoder_not_included: false,
        }
    }
}

impl From<&DecodeError> for DecodeFailure {
    fn from(e: &DecodeError) -> Self {
        let (key, args) = e.catalog_key();
        DecodeFailure {
            key: key.to_string(),
            args: args.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            detail: e.to_string(),
            decoder_not_included: matches!(e, DecodeError::DecoderNotIncluded { .. }),
        }
    }
}

/// A worker's answer to the job `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecodeReply {
    pub id: u32,
    pub result: Result<DecodedHeader, DecodeFailure>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> DecodedFrame {
        DecodedFrame {
            rows: 2,
            columns: 3,
            samples_per_pixel: 1,
            photometric: Photometric::Monochrome2,
            samples: Samples::I16(vec![-1, 0, 1, 2, 3, 4]),
            relabelled_from: None,
        }
    }

    #[test]
    fn header_and_samples_make_the_frame_again() {
        let header = DecodedHeader::of(&frame());
        assert_eq!(header.sample_type, SampleType::I16);
        let again = header.with_samples(Samples::I16(vec![-1, 0, 1, 2, 3, 4]));
        assert_eq!(again, Some(frame()));
    }

    #[test]
    fn samples_of_another_type_or_count_are_refused() {
        let header = DecodedHeader::of(&frame());
        assert_eq!(header.clone().with_samples(Samples::U16(vec![0; 6])), None);
        assert_eq!(header.with_samples(Samples::I16(vec![0; 5])), None);
    }

    #[test]
    fn a_missing_decoder_is_said_so() {
        let e = DecodeError::DecoderNotIncluded {
            transfer_syntax: "JPEG 2000 Image Compression (Lossless Only)".into(),
        };
        let failure = DecodeFailure::from(&e);
        assert!(failure.decoder_not_included);
        assert_eq!(failure.key, "error.decoder_missing");
        let json = serde_json::to_string(&DecodeReply {
            id: 7,
            result: Err(failure.clone()),
        })
        .expect("serialises");
        let back: DecodeReply = serde_json::from_str(&json).expect("reads back");
        assert_eq!(back.result, Err(failure));
    }
}
