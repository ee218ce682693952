//! A pass over a file's element headers before the parser sees it: every defined length must
//! fit in the bytes that remain. The parser allocates a value's buffer from its declared
//! length, so a damaged or hostile 4-byte length would otherwise ask for gigabytes before
//! failing on the missing bytes.

use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry, VirtualVr};
use dicom_core::{Tag, VR};
use dicom_dictionary_std::{uids, StandardDataDictionary};

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
    let meta = Scanner {
        data: body,
        big_endian: false,
    };
    let dataset = meta.meta_end(start);
    // Explicit VR Big Endian is retired (its constant deprecated), still found in old files.
    #[allow(deprecated)]
    let (explicit, big_endian) = match transfer_syntax_uid {
        uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN | uids::DEFLATED_IMAGE_FRAME_COMPRESSION => {
            return Ok(())
        }
        uids::IMPLICIT_VR_LITTLE_ENDIAN => (false, false),
        uids::EXPLICIT_VR_BIG_ENDIAN => (true, true),
        _ => (true, false),
    };
    Scanner {
        data: body,
        big_endian,
    }
    .elements(dataset, body.len(), explicit, 0)
    .map(|_| ())
}

/// Nesting deeper than this is refused (a hostile file could otherwise exhaust the stack).
const MAX_DEPTH: usize = 64;

struct Scanner<'a> {
    data: &'a [u8],
    big_endian: bool,
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
        }
    }

    /// The end of the file meta group (explicit VR little endian, group 0002).
    fn meta_end(&self, mut pos: usize) -> usize {
        while self.data.len() >= pos + 8 && self.u16_at(pos) == 0x0002 {
            let long = matches!(
                &self.data[pos + 4..pos + 6],
                b"OB" | b"OW" | b"UN" | b"UT" | b"SQ" | b"UC" | b"UR"
            );
            pos += if long && self.data.len() >= pos + 12 {
                12 + self.u32_at(pos + 8) as usize
            } else {
                8 + usize::from(self.u16_at(pos + 6))
            };
        }
        pos
    }

    /// Elements from `pos` up to `end`, or up to an item delimiter (consumed); returns the
    /// position after them.
    fn elements(
        &self,
        mut pos: usize,
        end: usize,
        explicit: bool,
        depth: usize,
    ) -> Result<usize, LengthError> {
        if depth > MAX_DEPTH {
            return Err(self.error(0xFFFE, 0xE000, 0, pos, end));
        }
        while end >= pos + 8 {
            let (group, element) = (self.u16_at(pos), self.u16_at(pos + 2));
            if group == 0xFFFE {
                pos += 8;
                if element == 0xE00D {
                    return Ok(pos); // end of the item
                }
                continue; // a stray delimiter: the parser reports it
            }
            let (vr, length, header) = if explicit {
                let vr = VR::from_binary([self.data[pos + 4], self.data[pos + 5]]);
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
                    if end < pos + 12 {
                        return Ok(end);
                    }
                    (vr, self.u32_at(pos + 8), 12)
                } else {
                    (vr, u32::from(self.u16_at(pos + 6)), 8)
                }
            } else {
                (None, self.u32_at(pos + 4), 8)
            };
            pos += header;
            if length == UNDEFINED {
                pos = if (group, element) == (0x7FE0, 0x0010) {
                    self.items(pos, end, explicit, depth, true)?
                } else {
                    // A sequence; one encoded as UN holds implicit VR little endian data sets.
                    self.items(pos, end, explicit && vr != Some(VR::UN), depth, false)?
                };
                continue;
            }
            if length as usize > end - pos {
                return Err(self.error(group, element, length, pos, end));
            }
            let value_end = pos + length as usize;
            let sequence = match vr {
                Some(vr) => vr == VR::SQ,
                None => is_sequence_implicit(Tag(group, element), &self.data[pos..value_end]),
            };
            if sequence {
                self.items(pos, value_end, explicit, depth, false)?;
            }
            pos = value_end;
        }
        Ok(pos)
    }

    /// Items from `pos` up to `end` or to a sequence delimiter (consumed). Fragments of
    /// encapsulated pixel data are skipped, data sets are scanned.
    fn items(
        &self,
        mut pos: usize,
        end: usize,
        explicit: bool,
        depth: usize,
        fragments: bool,
    ) -> Result<usize, LengthError> {
        while end >= pos + 8 {
            let (group, element, length) =
                (self.u16_at(pos), self.u16_at(pos + 2), self.u32_at(pos + 4));
            pos += 8;
            match (group, element) {
                (0xFFFE, 0xE0DD) => return Ok(pos),
                (0xFFFE, 0xE000) if length == UNDEFINED && !fragments => {
                    pos = self.elements(pos, end, explicit, depth + 1)?;
                }
                (0xFFFE, 0xE000) if length != UNDEFINED => {
                    if length as usize > end - pos {
                        return Err(self.error(group, element, length, pos, end));
                    }
                    if !fragments {
                        self.elements(pos, pos + length as usize, explicit, depth + 1)?;
                    }
                    pos += length as usize;
                }
                _ => return Ok(pos - 8), // not an item: the parser reports it
            }
        }
        Ok(pos)
    }
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
