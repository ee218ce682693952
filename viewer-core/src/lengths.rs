//! A pass over a file's element headers before the parser sees it: every defined length must
//! fit in the bytes that remain. The parser allocates a value's buffer from its declared
//! length, so a damaged or hostile 4-byte length would otherwise ask for gigabytes before
//! failing on the missing bytes.
//!
//! The pass reads headers exactly as dicom-parser does, so that every length the parser will
//! allocate from is one this pass bounded: in explicit VR the 16-bit length form only for the
//! VRs that have it, any other VR (an unknown one included) with the reserved bytes and a
//! 32-bit length; an undefined-length element of any VR (UN included) read as a sequence in
//! the data set's own encoding; an item tag met among elements bounded by its length.
//!
//! It also finds where the data set ends when a writer padded the file with zero bytes to a
//! block size (no element has the tag (0000,0000)): the parser is given the data set alone.

use dicom_core::VR;
use dicom_dictionary_std::uids;

mod tokens;

const UNDEFINED: u32 = 0xFFFF_FFFF;

/// The most a deflated data set may inflate to: the pre-scan holds it whole, and so would the
/// parser's values.
pub const MAX_INFLATED_BYTES: usize = 512 << 20;

/// Why a file was refused before parsing: an element (or, as (0000,0000), a deflated data
/// set) larger than the bytes there are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LengthError {
    pub group: u16,
    pub element: u16,
    pub length: u32,
    pub remaining: usize,
    /// When not 0: the length is not a multiple of this value size (the parser would read
    /// whole values and go on from the wrong place).
    pub unit: u8,
}

impl std::fmt::Display for LengthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let LengthError {
            group,
            element,
            length,
            remaining,
            unit,
        } = self;
        if *unit > 0 {
            return write!(
                f,
                "element ({group:04X},{element:04X}) declares {length} bytes, not a multiple of {unit}"
            );
        }
        if (*group, *element) == (0, 0) {
            return write!(
                f,
                "the deflated data set inflates to more than {remaining} bytes"
            );
        }
        write!(
            f,
            "element ({group:04X},{element:04X}) declares {length} bytes where {remaining} remain"
        )
    }
}

impl std::error::Error for LengthError {}

/// Checks `body` (a Part 10 stream starting at "DICM", or the file meta group) in the byte
/// order and VR encoding of the transfer syntax its meta group names (read as the meta reader
/// reads it: the last (0002,0010) within the group's declared length, whatever other elements
/// stand there), and returns how many of its bytes hold the data set: all of them, or fewer
/// when zero bytes pad it after its last element.
pub fn check_lengths(body: &[u8]) -> Result<usize, LengthError> {
    let start = if body.starts_with(b"DICM") { 4 } else { 0 };
    // The file meta group is always explicit VR little endian.
    let meta = Scanner {
        data: body,
        big_endian: false,
        zeros_from: body.len(),
    };
    let (dataset, syntax) = meta.meta_end(start)?;
    let transfer_syntax_uid = syntax.unwrap_or_default();
    // Explicit VR Big Endian is retired (its constant deprecated), still found in old files.
    #[allow(deprecated)]
    let (explicit, big_endian) = match transfer_syntax_uid.as_str() {
        uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN => {
            check_deflated(&body[dataset..])?;
            return Ok(body.len());
        }
        uids::IMPLICIT_VR_LITTLE_ENDIAN => (false, false),
        uids::EXPLICIT_VR_BIG_ENDIAN => (true, true),
        _ => (true, false),
    };
    let scanner = Scanner {
        data: body,
        big_endian,
        zeros_from: body
            .iter()
            .rposition(|b| *b != 0)
            .map_or(0, |last| last + 1),
    };
    let end = scanner.data_set(dataset, body.len(), explicit)?;
    Ok(if end >= scanner.zeros_from {
        end.min(body.len())
    } else {
        body.len()
    })
}

/// A deflated data set (raw deflate, PS3.5 A.5) inflated, at most [`MAX_INFLATED_BYTES`],
/// and scanned as the explicit VR little endian data it holds: the parser inflates it again
/// and allocates from the lengths inside.
fn check_deflated(deflated: &[u8]) -> Result<(), LengthError> {
    use std::io::Read;
    let too_large = LengthError {
        group: 0,
        element: 0,
        length: u32::MAX,
        remaining: MAX_INFLATED_BYTES,
        unit: 0,
    };
    let mut inflated = Vec::new();
    let limit = MAX_INFLATED_BYTES as u64 + 1;
    // A stream that does not inflate is the parser's to report; what came out is scanned.
    let _ = flate2::read::DeflateDecoder::new(deflated)
        .take(limit)
        .read_to_end(&mut inflated);
    if inflated.len() > MAX_INFLATED_BYTES {
        return Err(too_large);
    }
    Scanner {
        data: &inflated,
        big_endian: false,
        zeros_from: inflated.len(),
    }
    .data_set(0, inflated.len(), true)
    .map(|_| ())
}

/// In explicit VR, the VRs whose length is a 16-bit field right after the VR (PS3.5 7.1.2);
/// every other VR, and a VR the parser does not know, has two reserved bytes and 32 bits.
fn has_short_length(vr: Option<VR>) -> bool {
    matches!(
        vr,
        Some(
            VR::AE
                | VR::AS
                | VR::AT
                | VR::CS
                | VR::DA
                | VR::DS
                | VR::DT
                | VR::FL
                | VR::FD
                | VR::IS
                | VR::LO
                | VR::LT
                | VR::PN
                | VR::SH
                | VR::SL
                | VR::SS
                | VR::ST
                | VR::TM
                | VR::UI
                | VR::UL
                | VR::US
        )
    )
}

/// Nesting deeper than this is refused (a hostile file could otherwise exhaust the stack).
const MAX_DEPTH: usize = 64;

struct Scanner<'a> {
    data: &'a [u8],
    big_endian: bool,
    /// Where the zero bytes that end the data start (the data's length when it ends otherwise).
    zeros_from: usize,
}

impl Scanner<'_> {
    fn u16_at(&self, p: usize) -> u16 {
        let b = [self.data[p], self.data[p + 1]];
        if self.big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        }
    }

    fn u32_at(&self, p: usize) -> u32 {
        let b = [
            self.data[p],
            self.data[p + 1],
            self.data[p + 2],
            self.data[p + 3],
        ];
        if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    }

    fn error(&self, group: u16, element: u16, length: u32, at: usize, end: usize) -> LengthError {
        LengthError {
            group,
            element,
            length,
            remaining: end.saturating_sub(at),
            unit: 0,
        }
    }

    /// The end of the file meta group (explicit VR little endian) as the meta reader finds it:
    /// the first element boundary past the count of (0002,0000) Group Length when the group
    /// starts with it, else after the last group-0002 element. Every element on the way must
    /// fit in the bytes present: the meta reader fills a buffer of the declared length. Also
    /// the transfer syntax, as the meta reader keeps it: the last (0002,0010) read.
    fn meta_end(&self, mut pos: usize) -> Result<(usize, Option<String>), LengthError> {
        let len = self.data.len();
        let declared_end = (len >= pos + 12
            && (self.u16_at(pos), self.u16_at(pos + 2)) == (0x0002, 0x0000)
            && &self.data[pos + 4..pos + 6] == b"UL"
            && self.u16_at(pos + 6) == 4)
            .then(|| pos + 12 + self.u32_at(pos + 8) as usize);
        let mut syntax = None;
        while len >= pos + 8 {
            let (group, element) = (self.u16_at(pos), self.u16_at(pos + 2));
            let inside = match declared_end {
                Some(end) => pos < end,
                None => group == 0x0002,
            };
            if !inside {
                break;
            }
            let vr = VR::from_binary([self.data[pos + 4], self.data[pos + 5]]);
            let (length, header) = if has_short_length(vr) {
                (u32::from(self.u16_at(pos + 6)), 8)
            } else if len >= pos + 12 {
                (self.u32_at(pos + 8), 12)
            } else {
                break;
            };
            let value = pos + header;
            if length as usize > len - value {
                return Err(self.error(group, element, length, value, len));
            }
            if (group, element) == (0x0002, 0x0010) {
                let uid = String::from_utf8_lossy(&self.data[value..value + length as usize]);
                syntax = Some(uid.trim_end_matches(['\0', ' ']).to_string());
            }
            pos = value + length as usize;
        }
        Ok((pos, syntax))
    }
}

/// The size of one value of a binary VR, which the parser reads whole (1 for the others).
fn value_size(vr: VR) -> u8 {
    match vr {
        VR::US | VR::OW | VR::SS => 2,
        VR::AT | VR::FL | VR::OF | VR::SL | VR::OL | VR::UL => 4,
        VR::FD | VR::OD | VR::SV | VR::OV | VR::UV => 8,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_length_is_refused_before_parsing() {
        // Meta: (0002,0010) UI "1.2.840.10008.1.2.1"; then (0010,0010) PN with 0xFFFFFFF0 bytes
        // declared as UT (long form).
        let mut body = b"DICM".to_vec();
        body.extend_from_slice(&[0x02, 0x00, 0x10, 0x00, b'U', b'I', 20, 0]);
        body.extend_from_slice(b"1.2.840.10008.1.2.1\0");
        body.extend_from_slice(&[
            0x10, 0x00, 0x10, 0x00, b'U', b'T', 0, 0, 0xF0, 0xFF, 0xFF, 0xFF,
        ]);
        body.extend_from_slice(b"short");
        let error = check_lengths(&body).expect_err("refused");
        assert_eq!(
            (error.group, error.element, error.remaining),
            (0x0010, 0x0010, 5)
        );
    }

    #[test]
    fn sequences_and_items_are_walked_in_place() {
        let mut body = b"DICM".to_vec();
        // (0008,1140) SQ undefined length, one item of defined length 8 holding (0008,1150) UI "1.2".
        body.extend_from_slice(&[
            0x08, 0x00, 0x40, 0x11, b'S', b'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF,
        ]);
        body.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0, 12, 0, 0, 0]);
        body.extend_from_slice(&[
            0x08, 0x00, 0x50, 0x11, b'U', b'I', 4, 0, b'1', b'.', b'2', 0,
        ]);
        body.extend_from_slice(&[0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]);
        assert_eq!(check_lengths(&body), Ok(body.len()));
    }

    /// "DICM" and a file meta group naming explicit VR little endian.
    fn explicit_le_file() -> Vec<u8> {
        let mut body = b"DICM".to_vec();
        body.extend_from_slice(&[0x02, 0x00, 0x10, 0x00, b'U', b'I', 20, 0]);
        body.extend_from_slice(b"1.2.840.10008.1.2.1\0");
        body
    }

    /// Found by the `dicomdir` fuzz target: a meta group whose declared length covers an
    /// element of another group before (0002,0010). The meta reader reads on to the group's
    /// end and takes that transfer syntax (implicit VR here); a scan that stopped at the first
    /// element outside group 0002 checked the data set as explicit VR.
    #[test]
    fn the_transfer_syntax_is_read_as_the_meta_reader_reads_it() {
        let mut body = b"DICM".to_vec();
        body.extend_from_slice(&[0x02, 0x00, 0x00, 0x00, b'U', b'L', 4, 0, 38, 0, 0, 0]);
        body.extend_from_slice(&[
            0x01, 0xFF, 0xFB, 0x00, b'U', b'I', 4, 0, b'1', b'.', b'2', 0,
        ]);
        body.extend_from_slice(&[0x02, 0x00, 0x10, 0x00, b'U', b'I', 18, 0]);
        body.extend_from_slice(b"1.2.840.10008.1.2\0");
        // Implicit VR: (0010,0010) with 0x5A000000 bytes declared.
        body.extend_from_slice(&[0x10, 0x00, 0x10, 0x00, 0, 0, 0, 0x5A]);
        body.extend_from_slice(b"short");
        let error = check_lengths(&body).expect_err("refused");
        assert_eq!(
            (error.group, error.element, error.length),
            (0x0010, 0x0010, 0x5A00_0000)
        );
    }

    /// Found by the `dicomdir` fuzz target: the parser closes an item at an item delimiter
    /// met among its elements, before the item's defined end, and reads on from there; a
    /// pre-scan that went on from the item's end never saw the huge length the parser met.
    #[test]
    fn an_item_closed_early_is_read_on_from_its_delimiter() {
        let mut body = explicit_le_file();
        // (0008,1115) SQ undefined; an item of 24 bytes that starts with an item delimiter,
        // then (for the parser) a new item of undefined length holding (0009,0010) OB whose
        // 32-bit length is the sequence delimiter's tag: 0xE0DDFFFE.
        body.extend_from_slice(&[
            0x08, 0x00, 0x15, 0x11, b'S', b'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF,
        ]);
        body.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0, 24, 0, 0, 0]);
        body.extend_from_slice(&[0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0]);
        body.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]);
        body.extend_from_slice(&[0x09, 0x00, 0x10, 0x00, b'O', b'B', 0, 0]);
        body.extend_from_slice(&[0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]);
        let error = check_lengths(&body).expect_err("refused");
        assert_eq!(
            (error.group, error.element, error.length),
            (0x0009, 0x0010, 0xE0DD_FFFE)
        );
    }

    /// The parser skips an item delimiter outside any sequence and reads on.
    #[test]
    fn a_stray_item_delimiter_does_not_end_the_scan() {
        let mut body = explicit_le_file();
        body.extend_from_slice(&[0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0]);
        body.extend_from_slice(&[
            0x10, 0x00, 0x10, 0x00, b'U', b'T', 0, 0, 0xF0, 0xFF, 0xFF, 0xFF,
        ]);
        body.extend_from_slice(b"short");
        let error = check_lengths(&body).expect_err("refused");
        assert_eq!((error.group, error.element), (0x0010, 0x0010));
    }

    #[test]
    fn zero_padding_after_the_data_set_is_left_out() {
        let mut body = explicit_le_file();
        body.extend_from_slice(&[
            0x10, 0x00, 0x20, 0x00, b'L', b'O', 4, 0, b'P', b'1', b'2', 0,
        ]);
        let data_end = body.len();
        for padding in [0, 3, 8, 12, 4096] {
            let mut padded = body.clone();
            padded.resize(data_end + padding, 0);
            assert_eq!(check_lengths(&padded), Ok(data_end));
        }
        // Bytes after the zeros: not padding, the parser judges them.
        let mut odd = body.clone();
        odd.extend_from_slice(&[0; 16]);
        odd.push(1);
        assert_eq!(check_lengths(&odd), Ok(odd.len()));
    }

    #[test]
    fn lengths_inside_a_deflated_data_set_are_checked() {
        // Found by the parse fuzz target: an OB inside a deflated data set declaring 800 MB.
        use std::io::Write;
        let mut meta = b"DICM".to_vec();
        meta.extend_from_slice(&[0x02, 0x00, 0x10, 0x00, b'U', b'I', 22, 0]);
        meta.extend_from_slice(b"1.2.840.10008.1.2.1.99");
        let deflate = |data: &[u8]| {
            let mut out = flate2::write::DeflateEncoder::new(Vec::new(), Default::default());
            out.write_all(data).expect("deflate");
            out.finish().expect("deflate")
        };
        let mut bomb = meta.clone();
        bomb.extend(deflate(&[
            0x09, 0x00, 0x10, 0x10, b'O', b'B', 0, 0, 0, 0, 0, 0x32, 1, 2,
        ]));
        let error = check_lengths(&bomb).expect_err("a hidden length");
        assert_eq!((error.group, error.element), (0x0009, 0x1010));
        let mut fine = meta;
        let name = [
            0x10, 0x00, 0x10, 0x00, b'P', b'N', 4, 0, b'A', b'^', b'B', b' ',
        ];
        fine.extend(deflate(&name));
        assert_eq!(check_lengths(&fine), Ok(fine.len()));
    }

    #[test]
    fn binary_values_come_whole() {
        // Found by the parse fuzz target: SL with 10 bytes; the parser reads two values and
        // goes on two bytes early, where a 1.8 GB length stood.
        let mut body = explicit_le_file();
        body.extend_from_slice(&[0x08, 0x00, 0x00, 0x01, b'S', b'L', 10, 0]);
        body.extend_from_slice(&[0; 10]);
        let error = check_lengths(&body).expect_err("misaligned");
        assert_eq!(
            (error.group, error.element, error.unit),
            (0x0008, 0x0100, 4)
        );
        assert!(error.to_string().contains("not a multiple of 4"));
        let mut fine = explicit_le_file();
        fine.extend_from_slice(&[0x28, 0x00, 0x10, 0x00, b'U', b'S', 2, 0, 0, 2]);
        assert_eq!(check_lengths(&fine), Ok(fine.len()));
    }

    #[test]
    fn meta_elements_must_fit_in_the_file() {
        // Found by the parse fuzz target: a meta element declaring more bytes than remain
        // (the meta reader fills a buffer of the declared length: 4 GiB of zeros here).
        let mut body = explicit_le_file();
        body.extend_from_slice(&[0x02, 0x00, 0x02, 0x00, b'U', b'I', 0, 0]);
        body.extend_from_slice(&[
            0x02, 0x00, 0x03, 0x00, b'O', b'B', 0, 0, 0xFD, 0xFF, 0xEF, 0xFF,
        ]);
        body.extend_from_slice(b"1.2");
        let error = check_lengths(&body).expect_err("refused");
        assert_eq!((error.group, error.element), (0x0002, 0x0003));
        // The data set starts where the meta reader stops: past the Group Length's count.
        let mut body = b"DICM".to_vec();
        body.extend_from_slice(&[0x02, 0x00, 0x00, 0x00, b'U', b'L', 4, 0, 40, 0, 0, 0]);
        body.extend_from_slice(&[0x02, 0x00, 0x10, 0x00, b'U', b'I', 20, 0]);
        body.extend_from_slice(b"1.2.840.10008.1.2.1\0");
        // Counted in the meta group by its length, though of group 0010: skipped by the meta
        // reader, so its length must fit too.
        body.extend_from_slice(&[0x10, 0x00, 0x10, 0x00, b'O', b'B', 0, 0, 0, 0, 0, 0x80]);
        let error = check_lengths(&body).expect_err("refused");
        assert_eq!((error.group, error.element), (0x0010, 0x0010));
    }

    #[test]
    fn lengths_are_read_as_the_parser_reads_them() {
        // An unknown VR: the parser reads reserved bytes and a 32-bit length (here 4 GiB - 16),
        // where a 16-bit reading would see 0.
        let mut body = explicit_le_file();
        body.extend_from_slice(&[
            0x09, 0x00, 0x10, 0x10, b'Z', b'Z', 0, 0, 0xF0, 0xFF, 0xFF, 0xFF,
        ]);
        body.extend_from_slice(&[0; 16]);
        let error = check_lengths(&body).expect_err("unknown VR");
        assert_eq!((error.group, error.element), (0x0009, 0x1010));
        // Inside an undefined-length UN sequence the parser stays in explicit VR.
        let mut body = explicit_le_file();
        body.extend_from_slice(&[
            0x09, 0x00, 0x10, 0x10, b'U', b'N', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF,
        ]);
        body.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]);
        body.extend_from_slice(&[
            0x09, 0x00, 0x20, 0x10, b'O', b'B', 0, 0, 0xF0, 0xFF, 0xFF, 0x7F,
        ]);
        body.extend_from_slice(&[0; 24]);
        let error = check_lengths(&body).expect_err("UN sequence");
        assert_eq!((error.group, error.element), (0x0009, 0x1020));
        // An item tag among elements: the parser reads a value of its length.
        let mut body = explicit_le_file();
        body.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0, 0xF0, 0xFF, 0xFF, 0x7F, 1, 2]);
        let error = check_lengths(&body).expect_err("stray item");
        assert_eq!((error.group, error.element), (0xFFFE, 0xE000));
    }
}
