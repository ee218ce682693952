//! A pass over a file's element headers before the parser sees it: every defined length must
//! fit in the bytes that remain. The parser allocates a value's buffer from its declared
//! length, so a damaged or hostile 4-byte length would otherwise ask for gigabytes before
//! failing on the missing bytes.

use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry, VirtualVr};
use dicom_core::{Tag, VR};
use dicom_dictionary_std::StandardDataDictionary;

const UNDEFINED: u32 = 0xFFFF_FFFF;

/// Why a file was refused before parsing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("element ({group:04X},{element:04X}) declares {length} bytes where {remaining} remain")]
pub struct LengthError {
    pub group: u16,
    pub element: u16,
    pub length: u32,
    pub remaining: usize,
}

/// Checks `body` (a Part 10 stream starting at "DICM", or the file meta group) in the byte
/// order and VR encoding of `transfer_syntax_uid`. Deflated data sets are not scanned.
pub fn check_lengths(body: &[u8], transfer_syntax_uid: &str) -> Result<(), LengthError> {
    let start = if body.starts_with(b"DICM") { 4 } else { 0 };
    // The file meta group is always explicit VR little endian.
    let dataset = scan(body, start, true, false, true)?;
    match transfer_syntax_uid {
        "1.2.840.10008.1.2.1.99" | "1.2.840.10008.1.2.8.1" => Ok(()),
        "1.2.840.10008.1.2" => scan(body, dataset, false, false, false).map(|_| ()),
        "1.2.840.10008.1.2.2" => scan(body, dataset, true, true, false).map(|_| ()),
        _ => scan(body, dataset, true, false, false).map(|_| ()),
    }
}

/// Walks element headers from `pos`; with `meta_only`, stops at the first element outside
/// group 0002 and returns its position.
fn scan(
    data: &[u8],
    mut pos: usize,
    explicit: bool,
    big_endian: bool,
    meta_only: bool,
) -> Result<usize, LengthError> {
    let u16_at = |p: usize| {
        let b = [data[p], data[p + 1]];
        if big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        }
    };
    let u32_at = |p: usize| {
        let b = [data[p], data[p + 1], data[p + 2], data[p + 3]];
        if big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    };
    // Inside encapsulated pixel data, items hold codestream bytes, not data sets.
    let mut in_fragments = false;
    while data.len() >= pos + 8 {
        let (group, element) = (u16_at(pos), u16_at(pos + 2));
        if meta_only && group != 0x0002 {
            return Ok(pos);
        }
        let too_long = |length: u32, at: usize| LengthError {
            group,
            element,
            length,
            remaining: data.len() - at,
        };
        if group == 0xFFFE {
            // Items and delimiters: a 4-byte length; an item's content is scanned in place.
            let length = u32_at(pos + 4);
            pos += 8;
            if element == 0xE000 && length != UNDEFINED {
                if length as usize > data.len() - pos {
                    return Err(too_long(length, pos));
                }
                if in_fragments {
                    pos += length as usize;
                }
            }
            if element == 0xE0DD {
                in_fragments = false;
            }
            continue;
        }
        let (vr, length, header) = if explicit {
            let vr = VR::from_binary([data[pos + 4], data[pos + 5]]);
            let long = matches!(
                vr,
                Some(
                    VR::OB
                        | VR::OD
                        | VR::OF
                        | VR::OL
                        | VR::OV
                        | VR::OW
                        | VR::SQ
                        | VR::UC
                        | VR::UN
                        | VR::UR
                        | VR::UT
                        | VR::SV
                        | VR::UV
                )
            );
            if long {
                if data.len() < pos + 12 {
                    return Ok(pos);
                }
                (vr, u32_at(pos + 8), 12)
            } else {
                (vr, u32::from(u16_at(pos + 6)), 8)
            }
        } else {
            (None, u32_at(pos + 4), 8)
        };
        pos += header;
        if length == UNDEFINED {
            if vr == Some(VR::UN) {
                // A sequence encoded as UN holds implicit VR data sets: leave it to the parser.
                return Ok(data.len());
            }
            // A sequence, or encapsulated pixel data: its items follow in place.
            in_fragments = (group, element) == (0x7FE0, 0x0010);
            continue;
        }
        if length as usize > data.len() - pos {
            return Err(too_long(length, pos));
        }
        let sequence = match vr {
            Some(vr) => vr == VR::SQ,
            None => is_sequence_implicit(Tag(group, element), &data[pos..pos + length as usize]),
        };
        if !sequence {
            pos += length as usize;
        }
    }
    Ok(pos)
}

/// In implicit VR, a value is a sequence when the dictionary says so, or (private and unknown
/// tags) when it starts with an item tag.
fn is_sequence_implicit(tag: Tag, value: &[u8]) -> bool {
    match StandardDataDictionary.by_tag(tag).map(|e| e.vr()) {
        Some(VirtualVr::Exact(vr)) => vr == VR::SQ,
        Some(_) => false,
        None => value.starts_with(&[0xFE, 0xFF, 0x00, 0xE0]),
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
        let error = check_lengths(&body, "1.2.840.10008.1.2.1").expect_err("refused");
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
        assert_eq!(check_lengths(&body, "1.2.840.10008.1.2.1"), Ok(()));
    }
}
