//! The JPEG-LS entropy-coded bit stream (T.87 9.1): most significant bit first; after a 0xFF
//! byte the next byte carries only 7 bits (its top bit is a stuffed 0); 0xFF followed by a byte
//! with its top bit set is a marker, which ends the scan.

pub struct BitReader<'a> {
    data: &'a [u8],
    /// Next byte to read.
    pos: usize,
    /// Valid bits are the top `bits` bits of `buf`.
    buf: u64,
    bits: u32,
    after_ff: bool,
    /// Zero bits fed after the end of the scan's data (never part of a valid scan).
    padding: u32,
    ended: bool,
}

impl<'a> BitReader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        BitReader {
            data,
            pos: 0,
            buf: 0,
            bits: 0,
            after_ff: false,
            padding: 0,
            ended: false,
        }
    }

    fn fill(&mut self) {
        // Fast path: the whole bytes that fit, when none of them is 0xFF (no stuffing, no
        // marker) and the previous byte was not 0xFF either.
        if !self.after_ff && !self.ended {
            let room = ((64 - self.bits) / 8) as usize;
            if let Some(chunk) = self.data.get(self.pos..self.pos + room) {
                if !chunk.contains(&0xFF) {
                    for &byte in chunk {
                        self.buf |= u64::from(byte) << (56 - self.bits);
                        self.bits += 8;
                    }
                    self.pos += room;
                    return;
                }
            }
        }
        while self.bits <= 56 {
            let (value, width) = self.next_byte();
            self.buf |= u64::from(value) << (64 - self.bits - width);
            self.bits += width;
        }
    }

    fn next_byte(&mut self) -> (u8, u32) {
        if !self.ended {
            if let Some(&byte) = self.data.get(self.pos) {
                let marker_next = byte == 0xFF
                    && self
                        .data
                        .get(self.pos + 1)
                        .is_some_and(|next| next & 0x80 != 0);
                if !marker_next {
                    self.pos += 1;
                    let width = if self.after_ff { 7 } else { 8 };
                    self.after_ff = byte == 0xFF;
                    return (byte, width);
                }
            }
            self.ended = true;
        }
        // Past the end: zeros, counted, so that a scan that needs them is known truncated.
        self.padding = self.padding.saturating_add(8);
        (0, 8)
    }

    /// Reads `n` bits (n ≤ 32).
    pub fn read(&mut self, n: u32) -> u32 {
        if n == 0 {
            return 0;
        }
        if self.bits < n {
            self.fill();
        }
        let value = (self.buf >> (64 - n)) as u32;
        self.buf <<= n;
        self.bits -= n;
        value
    }

    pub fn read_bit(&mut self) -> bool {
        self.read(1) == 1
    }

    /// Counts 0 bits up to the next 1 bit (consumed); `None` past `limit` zeros.
    pub fn read_unary(&mut self, limit: u32) -> Option<u32> {
        let mut count = 0;
        loop {
            if self.bits == 0 || self.buf == 0 {
                self.fill();
            }
            let zeros = self.buf.leading_zeros();
            if zeros < self.bits {
                count += zeros;
                let used = zeros + 1;
                self.buf = if used == 64 { 0 } else { self.buf << used };
                self.bits -= used;
                return (count <= limit).then_some(count);
            }
            count += self.bits;
            self.buf = 0;
            self.bits = 0;
            if count > limit {
                return None;
            }
        }
    }

    /// Whether decoding used bits that were not in the data (a truncated scan).
    pub fn overran(&self) -> bool {
        self.padding > self.bits
    }

    /// Bytes of the data up to the end of the scan (where the next marker starts).
    pub fn scan_end(&mut self) -> usize {
        // Every remaining real bit is padding of the last byte.
        while !self.ended {
            self.next_byte();
        }
        self.pos
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stuffed_bit_after_ff_and_marker_stop() {
        // 0xFF, then 0x7F carries 7 bits (1111111), then the marker FF D9 ends the scan.
        let mut r = BitReader::new(&[0xFF, 0x7F, 0xFF, 0xD9]);
        assert_eq!(r.read(8), 0xFF);
        assert_eq!(r.read(7), 0x7F);
        assert!(!r.overran());
        assert_eq!(r.read(1), 0);
        assert!(r.overran());
        assert_eq!(r.scan_end(), 2);
    }

    #[test]
    fn unary_counts_across_bytes() {
        let mut r = BitReader::new(&[0x00, 0x01, 0x80]);
        assert_eq!(r.read_unary(64), Some(15));
        assert_eq!(r.read_unary(64), Some(0));
        assert_eq!(BitReader::new(&[0, 0]).read_unary(10), None);
    }
}
