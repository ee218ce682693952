//! The data set read token by token as dicom-parser 0.10's data set reader reads it
//! (`dataset/read.rs`), so that the pre-scan meets every length the parser will allocate
//! from. The sequences and items open are a stack, closed where their defined length ends or
//! by a delimiter, also where the reader accepts one the standard would not: an item
//! delimiter among an item's elements closes that item where it stands, even before its
//! defined end; one outside any sequence is skipped; one among a sequence's items closes the
//! sequence. Where the reader stops with an error the scan stops too: nothing after is read.

use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry, VirtualVr};
use dicom_core::{Tag, VR};
use dicom_dictionary_std::StandardDataDictionary;

use super::{has_short_length, value_size, LengthError, Scanner, MAX_DEPTH, UNDEFINED};

/// A sequence or an item the reader is inside.
struct Open {
    item: bool,
    /// Where its defined length ends it (`None`: only a delimiter does).
    end: Option<usize>,
    /// Encapsulated pixel data: its items are fragments, read as bytes.
    pixel_data: bool,
}

/// What the reader does next.
enum Step {
    Go,
    /// The data set's last element ends here (the end of the bytes, or padding).
    Done(usize),
}

impl Scanner<'_> {
    /// Scans the data set from `start` up to `end`; returns where its last element ends.
    pub(super) fn data_set(
        &self,
        start: usize,
        end: usize,
        explicit: bool,
    ) -> Result<usize, LengthError> {
        let mut state = State {
            pos: start,
            end,
            explicit,
            open: Vec::new(),
            in_sequence: false,
            check: false,
        };
        loop {
            if let Step::Done(at) = self.step(&mut state)? {
                return Ok(at);
            }
        }
    }

    fn step(&self, s: &mut State) -> Result<Step, LengthError> {
        if s.check {
            match s.open.last() {
                Some(open) if open.end == Some(s.pos) => {
                    // An item ends back among its sequence's items; a sequence among elements.
                    s.in_sequence = open.item;
                    s.open.pop();
                    return Ok(Step::Go);
                }
                // Past a defined end: the reader fails there.
                Some(Open { end: Some(e), .. }) if *e < s.pos => return Ok(Step::Done(s.end)),
                _ => s.check = false,
            }
        }
        if s.open.len() > MAX_DEPTH {
            return Err(self.error(0xFFFE, 0xE000, 0, s.pos, s.end));
        }
        if s.in_sequence {
            return self.item_header(s);
        }
        if let Some(Open {
            item: true,
            pixel_data: true,
            end,
        }) = s.open.last()
        {
            // A fragment (or the offset table): the item's bytes, bounded when it was opened.
            let Some(end) = *end else {
                return Ok(Step::Done(s.end)); // undefined: the reader fails
            };
            s.pos = end;
            s.check = true;
            return Ok(Step::Go);
        }
        if s.open.is_empty() && s.pos >= self.zeros_from {
            return Ok(Step::Done(s.pos)); // a writer's padding
        }
        self.element(s)
    }

    /// At a sequence's level: an item, an item delimiter or a sequence delimiter.
    fn item_header(&self, s: &mut State) -> Result<Step, LengthError> {
        if s.end < s.pos + 8 {
            return Ok(Step::Done(s.pos));
        }
        let (group, element, length) = (
            self.u16_at(s.pos),
            self.u16_at(s.pos + 2),
            self.u32_at(s.pos + 4),
        );
        s.pos += 8;
        match (group, element) {
            (0xFFFE, 0xE000) => {
                let Some(parent) = s.open.last() else {
                    return Ok(Step::Done(s.end)); // an item outside a sequence: refused
                };
                let pixel_data = parent.pixel_data;
                let end = if length == UNDEFINED {
                    None
                } else if length as usize > s.end - s.pos {
                    return Err(self.error(group, element, length, s.pos, s.end));
                } else {
                    Some(s.pos + length as usize)
                };
                s.open.push(Open {
                    item: true,
                    end,
                    pixel_data,
                });
                s.in_sequence = false;
                s.check = length == 0;
            }
            (0xFFFE, 0xE00D) => {
                s.open.pop();
                s.in_sequence = true;
                s.check = true;
            }
            (0xFFFE, 0xE0DD) => {
                s.open.pop();
                s.in_sequence = false;
                s.check = true;
            }
            _ => return Ok(Step::Done(s.end)), // the reader fails on another tag
        }
        Ok(Step::Go)
    }

    /// Among a data set's elements: an element's header and value.
    fn element(&self, s: &mut State) -> Result<Step, LengthError> {
        let pos = s.pos;
        if s.end < pos + 8 {
            return Ok(Step::Done(pos));
        }
        let (group, element) = (self.u16_at(pos), self.u16_at(pos + 2));
        let (vr, length, header) = if group == 0xFFFE || !s.explicit {
            // Item tags have no VR in either encoding.
            (None, self.u32_at(pos + 4), 8)
        } else {
            let vr = VR::from_binary([self.data[pos + 4], self.data[pos + 5]]);
            if has_short_length(vr) {
                (vr, u32::from(self.u16_at(pos + 6)), 8)
            } else if s.end < pos + 12 {
                return Ok(Step::Done(s.end)); // the reader fails on the missing length
            } else {
                (vr, self.u32_at(pos + 8), 12)
            }
        };
        s.pos += header;
        if (group, element) == (0xFFFE, 0xE00D) {
            if s.open.pop().is_some() {
                s.in_sequence = true;
                s.check = true;
            }
            return Ok(Step::Go);
        }
        let tag = Tag(group, element);
        if length == UNDEFINED {
            // Encapsulated pixel data, or a sequence whatever the VR (UN included); an SQ is
            // a sequence first, whatever its tag.
            s.open.push(Open {
                item: false,
                end: None,
                pixel_data: tag == Tag(0x7FE0, 0x0010) && vr != Some(VR::SQ),
            });
            s.in_sequence = true;
            return Ok(Step::Go);
        }
        if length as usize > s.end - s.pos {
            return Err(self.error(group, element, length, s.pos, s.end));
        }
        let sequence = match vr {
            Some(vr) => vr == VR::SQ,
            None => !s.explicit && group != 0xFFFE && is_sequence_implicit(tag),
        };
        if sequence {
            s.open.push(Open {
                item: false,
                end: Some(s.pos + length as usize),
                pixel_data: false,
            });
            s.in_sequence = true;
            s.check = length == 0;
            return Ok(Step::Go);
        }
        let unit = match vr {
            Some(vr) => value_size(vr),
            None if group == 0xFFFE => 1,
            None => dictionary_value_size(tag),
        };
        if length % u32::from(unit) != 0 {
            return Err(LengthError {
                unit,
                ..self.error(group, element, length, s.pos, s.end)
            });
        }
        s.pos += length as usize;
        s.check = true;
        Ok(Step::Go)
    }
}

/// Where the reader stands.
struct State {
    pos: usize,
    end: usize,
    explicit: bool,
    open: Vec<Open>,
    in_sequence: bool,
    /// Whether a defined length may end a sequence or an item here (the reader's
    /// `delimiter_check_pending`).
    check: bool,
}

/// In implicit VR, the value size of the dictionary's VR (US or SS: 2; OB or OW: 1, read as
/// bytes when in doubt).
fn dictionary_value_size(tag: Tag) -> u8 {
    match StandardDataDictionary.by_tag(tag).map(|e| e.vr()) {
        Some(VirtualVr::Exact(vr)) => value_size(vr),
        Some(VirtualVr::Xs) => 2,
        _ => 1,
    }
}

/// In implicit VR, the reader takes the dictionary's VR: a sequence when it says SQ.
fn is_sequence_implicit(tag: Tag) -> bool {
    matches!(
        StandardDataDictionary.by_tag(tag).map(|e| e.vr()),
        Some(VirtualVr::Exact(VR::SQ))
    )
}
