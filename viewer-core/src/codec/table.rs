//! Which codec decodes which transfer syntax, in each decoder build.
//!
//! Native syntaxes (those the registry does not declare encapsulated) are decoded by every
//! build; each encapsulated syntax a build decodes has one row in its table. A syntax the
//! registry knows with no row in any table is not supported.

use dicom_dictionary_std::uids;

use super::native::{Native, EXPLICIT_VR_BIG_ENDIAN};
use super::small::{JpegAsStored, JpegDct, JpegLs, Rle};
use super::FrameCodec;

/// JPEG 2000 (lossless, lossy) and HTJ2K (lossless, RPCL, lossy): the JPEG 2000 build.
pub const JPEG_2000_SYNTAXES: [&str; 5] = [
    uids::JPEG2000_LOSSLESS,
    uids::JPEG2000,
    uids::HTJ2K_LOSSLESS,
    uids::HTJ2K_LOSSLESS_RPCL,
    uids::HTJ2K,
];

/// JPEG XL (lossless, JPEG recompression, lossy): the full build.
pub const JPEG_XL_SYNTAXES: [&str; 3] = [
    uids::JPEGXL_LOSSLESS,
    uids::JPEGXLJPEG_RECOMPRESSION,
    uids::JPEGXL,
];

/// One row of a table: an encapsulated syntax and its codec.
type Row = (&'static str, &'static dyn FrameCodec);

/// RLE, the JPEG family and JPEG-LS: in every build.
const SMALL_ROWS: &[Row] = &[
    (uids::RLE_LOSSLESS, &Rle),
    (uids::JPEG_BASELINE8_BIT, &JpegDct),
    (uids::JPEG_EXTENDED12_BIT, &JpegDct),
    (uids::JPEG_LOSSLESS, &JpegAsStored),
    (uids::JPEG_LOSSLESS_SV1, &JpegAsStored),
    (uids::JPEGLS_LOSSLESS, &JpegLs),
    (uids::JPEGLS_NEAR_LOSSLESS, &JpegLs),
];

#[cfg(feature = "jpeg2000")]
const JPEG_2000_ROWS: &[Row] = {
    use super::jpeg_2000::Jpeg2000;
    &[
        (uids::JPEG2000_LOSSLESS, &Jpeg2000),
        (uids::JPEG2000, &Jpeg2000),
        (uids::HTJ2K_LOSSLESS, &Jpeg2000),
        (uids::HTJ2K_LOSSLESS_RPCL, &Jpeg2000),
        (uids::HTJ2K, &Jpeg2000),
    ]
};

#[cfg(feature = "jpeg-xl")]
const JPEG_XL_ROWS: &[Row] = {
    use super::jpeg_xl::{JpegXl, JpegXlRecompression};
    &[
        (uids::JPEGXL_LOSSLESS, &JpegXl),
        (uids::JPEGXLJPEG_RECOMPRESSION, &JpegXlRecompression),
        (uids::JPEGXL, &JpegXl),
    ]
};

/// The codec table of one decoder build. A build links the codecs of the table it names
/// only: the page's first download stays small, and a worker with the large ones is loaded
/// when a series needs it.
#[derive(Clone, Copy)]
pub struct Decoders {
    tables: &'static [&'static [Row]],
}

impl Decoders {
    /// Every decoder.
    #[cfg(feature = "jpeg-xl")]
    pub const ALL: Decoders = Decoders {
        tables: &[SMALL_ROWS, JPEG_2000_ROWS, JPEG_XL_ROWS],
    };
    /// Native, RLE, the JPEG family and JPEG-LS only.
    pub const SMALL: Decoders = Decoders {
        tables: &[SMALL_ROWS],
    };
    /// [`Decoders::SMALL`], JPEG 2000 and HTJ2K (their previews too): not JPEG XL.
    #[cfg(feature = "jpeg2000")]
    pub const JPEG_2000: Decoders = Decoders {
        tables: &[SMALL_ROWS, JPEG_2000_ROWS],
    };

    /// The codec of frames in the encapsulated syntax `transfer_syntax_uid`, `None` when
    /// this build has none.
    pub fn encapsulated(&self, transfer_syntax_uid: &str) -> Option<&'static dyn FrameCodec> {
        self.rows()
            .find(|(uid, _)| *uid == transfer_syntax_uid)
            .map(|&(_, codec)| codec)
    }

    /// The codec of native frames labelled `transfer_syntax_uid` (every build has it).
    pub fn native(transfer_syntax_uid: &str) -> &'static dyn FrameCodec {
        if transfer_syntax_uid == EXPLICIT_VR_BIG_ENDIAN {
            &Native::BIG_ENDIAN
        } else {
            &Native::LITTLE_ENDIAN
        }
    }

    /// The encapsulated syntaxes this build decodes.
    pub fn syntaxes(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.rows().map(|&(uid, _)| uid)
    }

    fn rows(&self) -> impl Iterator<Item = &'static Row> + '_ {
        self.tables.iter().flat_map(|rows| rows.iter())
    }
}

/// The decoder builds, each holding the one before: [`Decoders::SMALL`],
/// [`Decoders::JPEG_2000`], [`Decoders::ALL`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DecoderSet {
    Small,
    Jpeg2000,
    All,
}

impl DecoderSet {
    /// The smallest set that decodes frames labelled `transfer_syntax_uid` (a syntax it does
    /// not know is left to the small set, which says so).
    pub fn for_syntax(transfer_syntax_uid: &str) -> DecoderSet {
        let uid = transfer_syntax_uid.trim().trim_end_matches('\0');
        if JPEG_2000_SYNTAXES.contains(&uid) {
            DecoderSet::Jpeg2000
        } else if JPEG_XL_SYNTAXES.contains(&uid) {
            DecoderSet::All
        } else {
            DecoderSet::Small
        }
    }
}

/// Whether a frame labelled `transfer_syntax_uid` can be previewed from its first bytes
/// (JPEG 2000 and HTJ2K: a prefix holds the low resolutions).
pub fn previews_from_prefix(transfer_syntax_uid: &str) -> bool {
    JPEG_2000_SYNTAXES.contains(&transfer_syntax_uid.trim().trim_end_matches('\0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The encapsulated syntaxes of the small build, in its table's order.
    const SMALL_SYNTAXES: [&str; 7] = [
        uids::RLE_LOSSLESS,
        uids::JPEG_BASELINE8_BIT,
        uids::JPEG_EXTENDED12_BIT,
        uids::JPEG_LOSSLESS,
        uids::JPEG_LOSSLESS_SV1,
        uids::JPEGLS_LOSSLESS,
        uids::JPEGLS_NEAR_LOSSLESS,
    ];

    #[test]
    fn the_small_build_decodes_rle_the_jpeg_family_and_jpeg_ls() {
        let small: Vec<_> = Decoders::SMALL.syntaxes().collect();
        assert_eq!(small, SMALL_SYNTAXES);
        for uid in JPEG_2000_SYNTAXES.iter().chain(&JPEG_XL_SYNTAXES) {
            assert!(Decoders::SMALL.encapsulated(uid).is_none(), "{uid}");
        }
    }

    #[cfg(feature = "jpeg2000")]
    #[test]
    fn the_jpeg_2000_build_adds_jpeg_2000_and_htj2k() {
        let j2k: Vec<_> = Decoders::JPEG_2000.syntaxes().collect();
        let expected: Vec<_> = SMALL_SYNTAXES
            .into_iter()
            .chain(JPEG_2000_SYNTAXES)
            .collect();
        assert_eq!(j2k, expected);
        for uid in JPEG_XL_SYNTAXES {
            assert!(Decoders::JPEG_2000.encapsulated(uid).is_none(), "{uid}");
        }
    }

    #[cfg(feature = "jpeg-xl")]
    #[test]
    fn the_full_build_adds_jpeg_xl() {
        let all: Vec<_> = Decoders::ALL.syntaxes().collect();
        let expected: Vec<_> = SMALL_SYNTAXES
            .into_iter()
            .chain(JPEG_2000_SYNTAXES)
            .chain(JPEG_XL_SYNTAXES)
            .collect();
        assert_eq!(all, expected);
    }

    /// The page picks a worker by [`DecoderSet::for_syntax`]: it must name the smallest build
    /// whose table has the syntax.
    #[cfg(feature = "jpeg-xl")]
    #[test]
    fn each_syntax_is_sent_to_the_smallest_build_that_decodes_it() {
        for uid in Decoders::ALL.syntaxes() {
            let smallest = if Decoders::SMALL.encapsulated(uid).is_some() {
                DecoderSet::Small
            } else if Decoders::JPEG_2000.encapsulated(uid).is_some() {
                DecoderSet::Jpeg2000
            } else {
                DecoderSet::All
            };
            assert_eq!(DecoderSet::for_syntax(uid), smallest, "{uid}");
        }
        assert!(JPEG_2000_SYNTAXES
            .iter()
            .all(|uid| previews_from_prefix(uid)));
        assert!(!SMALL_SYNTAXES.iter().any(|uid| previews_from_prefix(uid)));
    }
}
