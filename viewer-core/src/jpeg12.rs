//! JPEG with 12-bit samples (DCT, sequential, Huffman: the 12-bit half of the Extended
//! process, .51), which no Rust JPEG crate decodes. 8-bit JPEG goes to `jpeg-decoder`.
//!
//! The frame header must agree with the pixel module before anything is allocated. The
//! inverse DCT is computed in floating point and rounded, so values may differ by one from
//! libjpeg's integer IDCT (the standard allows it); the reference check states the tolerance.
//! Not supported (typed errors): progressive and arithmetic-coded streams.

use crate::pixel_module::PixelModule;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Jpeg12Error {
    #[error("no 12-bit JPEG frame header")]
    NoFrameHeader,
    #[error("the JPEG frame is {columns}x{rows} with {components} component(s); the pixel module says otherwise")]
    HeaderMismatch {
        rows: u16,
        columns: u16,
        components: usize,
    },
    #[error("JPEG {0} is not supported")]
    Unsupported(&'static str),
    #[error("damaged JPEG stream: {0}")]
    Corrupt(&'static str),
}

/// Whether `data` is a JPEG whose frame header announces 12-bit samples.
pub fn is_12_bit(data: &[u8]) -> bool {
    let mut at = 2;
    while let (Some(&0xFF), Some(&marker)) = (data.get(at), data.get(at + 1)) {
        let Some(length) = data
            .get(at + 2..at + 4)
            .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
        else {
            return false;
        };
        if matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF) {
            return data.get(at + 4) == Some(&12);
        }
        if marker == 0xDA {
            return false;
        }
        at += 2 + length;
    }
    false
}

const ZIGZAG: [usize; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

#[derive(Clone, Default)]
struct Huffman {
    /// (length, code) -> symbol, by canonical code construction (T.81 Annex C).
    max_code: [i32; 17],
    val_offset: [i32; 17],
    values: Vec<u8>,
}

impl Huffman {
    fn new(counts: &[u8], values: &[u8]) -> Self {
        let mut h = Huffman {
            max_code: [-1; 17],
            val_offset: [0; 17],
            values: values.to_vec(),
        };
        let (mut code, mut k) = (0i32, 0i32);
        for length in 1..=16 {
            let n = i32::from(counts[length - 1]);
            h.val_offset[length] = k - code;
            code += n;
            k += n;
            h.max_code[length] = if n > 0 { code - 1 } else { -1 };
            code <<= 1;
        }
        h
    }

    fn decode(&self, r: &mut Bits) -> Result<u8, Jpeg12Error> {
        let mut code = 0i32;
        for length in 1..=16 {
            code = (code << 1) | r.bit() as i32;
            if code <= self.max_code[length] {
                let index = (code + self.val_offset[length]) as usize;
                return self
                    .values
                    .get(index)
                    .copied()
                    .ok_or(Jpeg12Error::Corrupt("Huffman code"));
            }
        }
        Err(Jpeg12Error::Corrupt("Huffman code"))
    }
}

/// Entropy-coded data: 0xFF00 is a data 0xFF, 0xFF then anything else is a marker.
struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
    buf: u32,
    count: u32,
    past_end: u32,
}

impl Bits<'_> {
    fn bit(&mut self) -> u32 {
        if self.count == 0 {
            let byte = match (self.data.get(self.pos), self.data.get(self.pos + 1)) {
                (Some(0xFF), Some(0x00)) => {
                    self.pos += 2;
                    0xFF
                }
                (Some(0xFF), _) | (None, _) => {
                    self.past_end += 1;
                    0
                }
                (Some(&b), _) => {
                    self.pos += 1;
                    b
                }
            };
            self.buf = u32::from(byte);
            self.count = 8;
        }
        self.count -= 1;
        (self.buf >> self.count) & 1
    }

    fn receive_extend(&mut self, size: u8) -> i32 {
        if size == 0 {
            return 0;
        }
        let mut v = 0i32;
        for _ in 0..size {
            v = (v << 1) | self.bit() as i32;
        }
        if v < 1 << (size - 1) {
            v - (1 << size) + 1
        } else {
            v
        }
    }

    /// Skips to a restart marker at a byte boundary.
    fn restart(&mut self) -> Result<(), Jpeg12Error> {
        self.count = 0;
        match (self.data.get(self.pos), self.data.get(self.pos + 1)) {
            (Some(0xFF), Some(0xD0..=0xD7)) => {
                self.pos += 2;
                Ok(())
            }
            _ => Err(Jpeg12Error::Corrupt("missing restart marker")),
        }
    }
}

struct Component {
    id: u8,
    h: usize,
    v: usize,
    table: usize,
}

/// Decodes a 12-bit JPEG frame into little-endian 16-bit samples, interleaved by pixel.
pub fn decode_jpeg12(module: &PixelModule, data: &[u8]) -> Result<Vec<u8>, Jpeg12Error> {
    let (rows, columns) = (usize::from(module.rows), usize::from(module.columns));
    let mut quant = [[0i32; 64]; 4];
    let mut dc = vec![Huffman::default(); 4];
    let mut ac = vec![Huffman::default(); 4];
    let mut components: Vec<Component> = Vec::new();
    let mut restart_interval = 0usize;
    let mut planes: Vec<Vec<f32>> = Vec::new();
    let (mut hmax, mut vmax) = (1, 1);
    let mut scanned = false;
    let mut at = 2;
    if data.get(..2) != Some(&[0xFF, 0xD8][..]) {
        return Err(Jpeg12Error::NoFrameHeader);
    }
    while at + 4 <= data.len() {
        if data[at] != 0xFF {
            return Err(Jpeg12Error::Corrupt("marker expected"));
        }
        let marker = data[at + 1];
        if marker == 0xD9 {
            break;
        }
        if marker == 0xFF {
            at += 1;
            continue;
        }
        let length = usize::from(u16::from_be_bytes([data[at + 2], data[at + 3]]));
        let seg = data
            .get(at + 4..at + 2 + length)
            .ok_or(Jpeg12Error::Corrupt("segment length"))?;
        at += 2 + length;
        match marker {
            0xDB => read_quant(seg, &mut quant)?,
            0xC4 => read_huffman(seg, &mut dc, &mut ac)?,
            0xDD => {
                restart_interval = usize::from(u16::from_be_bytes([
                    *seg.first().unwrap_or(&0),
                    *seg.get(1).unwrap_or(&0),
                ]))
            }
            0xC0 | 0xC1 => {
                if seg.len() < 6 || seg[0] != 12 {
                    return Err(Jpeg12Error::NoFrameHeader);
                }
                let y = usize::from(u16::from_be_bytes([seg[1], seg[2]]));
                let x = usize::from(u16::from_be_bytes([seg[3], seg[4]]));
                let n = usize::from(seg[5]);
                if y != rows
                    || x != columns
                    || n != usize::from(module.samples_per_pixel)
                    || seg.len() < 6 + 3 * n
                {
                    return Err(Jpeg12Error::HeaderMismatch {
                        rows: y as u16,
                        columns: x as u16,
                        components: n,
                    });
                }
                for c in 0..n {
                    let s = &seg[6 + 3 * c..9 + 3 * c];
                    let (h, v) = (usize::from(s[1] >> 4), usize::from(s[1] & 15));
                    if !(1..=4).contains(&h) || !(1..=4).contains(&v) || s[2] > 3 {
                        return Err(Jpeg12Error::Corrupt("component sampling"));
                    }
                    components.push(Component {
                        id: s[0],
                        h,
                        v,
                        table: usize::from(s[2]),
                    });
                }
                hmax = components.iter().map(|c| c.h).max().unwrap_or(1);
                vmax = components.iter().map(|c| c.v).max().unwrap_or(1);
                let (mcux, mcuy) = (columns.div_ceil(8 * hmax), rows.div_ceil(8 * vmax));
                planes = components
                    .iter()
                    .map(|c| vec![0f32; mcux * c.h * 8 * mcuy * c.v * 8])
                    .collect();
            }
            0xC2 | 0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                return Err(Jpeg12Error::Unsupported(
                    "progressive, lossless or arithmetic coding",
                ));
            }
            0xDA => {
                if components.is_empty() {
                    return Err(Jpeg12Error::NoFrameHeader);
                }
                let used = decode_scan(
                    seg,
                    &data[at..],
                    &components,
                    &quant,
                    &dc,
                    &ac,
                    restart_interval,
                    (hmax, vmax),
                    (rows, columns),
                    &mut planes,
                )?;
                at += used;
                scanned = true;
            }
            _ => {}
        }
    }
    if !scanned {
        return Err(Jpeg12Error::Corrupt("no scan"));
    }
    // Upsample by replication, crop, interleave.
    let mcux = columns.div_ceil(8 * hmax);
    let mut out = Vec::with_capacity(rows * columns * components.len() * 2);
    for y in 0..rows {
        for x in 0..columns {
            for (c, comp) in components.iter().enumerate() {
                let stride = mcux * comp.h * 8;
                let (cx, cy) = (x * comp.h / hmax, y * comp.v / vmax);
                let v = planes[c][cy * stride + cx].round().clamp(0.0, 4095.0) as u16;
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
    }
    Ok(out)
}

fn read_quant(mut seg: &[u8], quant: &mut [[i32; 64]; 4]) -> Result<(), Jpeg12Error> {
    while let Some(&pq_tq) = seg.first() {
        let (wide, table) = (pq_tq >> 4 == 1, usize::from(pq_tq & 15));
        let size = if wide { 128 } else { 64 };
        let values = seg
            .get(1..1 + size)
            .ok_or(Jpeg12Error::Corrupt("quantisation table"))?;
        let q = quant
            .get_mut(table)
            .ok_or(Jpeg12Error::Corrupt("quantisation table"))?;
        for (k, q) in q.iter_mut().enumerate() {
            *q = if wide {
                i32::from(u16::from_be_bytes([values[2 * k], values[2 * k + 1]]))
            } else {
                i32::from(values[k])
            };
        }
        seg = &seg[1 + size..];
    }
    Ok(())
}

fn read_huffman(mut seg: &[u8], dc: &mut [Huffman], ac: &mut [Huffman]) -> Result<(), Jpeg12Error> {
    while let Some(&tc_th) = seg.first() {
        let counts = seg
            .get(1..17)
            .ok_or(Jpeg12Error::Corrupt("Huffman table"))?;
        let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
        let values = seg
            .get(17..17 + total)
            .ok_or(Jpeg12Error::Corrupt("Huffman table"))?;
        let table = Huffman::new(counts, values);
        let slot = match tc_th >> 4 {
            0 => dc.get_mut(usize::from(tc_th & 15)),
            _ => ac.get_mut(usize::from(tc_th & 15)),
        };
        *slot.ok_or(Jpeg12Error::Corrupt("Huffman table"))? = table;
        seg = &seg[17 + total..];
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn decode_scan(
    header: &[u8],
    data: &[u8],
    components: &[Component],
    quant: &[[i32; 64]; 4],
    dc: &[Huffman],
    ac: &[Huffman],
    restart_interval: usize,
    (hmax, vmax): (usize, usize),
    (rows, columns): (usize, usize),
    planes: &mut [Vec<f32>],
) -> Result<usize, Jpeg12Error> {
    let n = usize::from(*header.first().ok_or(Jpeg12Error::Corrupt("scan header"))?);
    let mut scan = Vec::new();
    for i in 0..n {
        let (id, tables) = (header.get(1 + 2 * i), header.get(2 + 2 * i));
        let (Some(&id), Some(&tables)) = (id, tables) else {
            return Err(Jpeg12Error::Corrupt("scan header"));
        };
        let c = components
            .iter()
            .position(|c| c.id == id)
            .ok_or(Jpeg12Error::Corrupt("scan component"))?;
        scan.push((
            c,
            usize::from(tables >> 4) & 3,
            usize::from(tables & 15) & 3,
        ));
    }
    let idct = IdctTable::new();
    let mut bits = Bits {
        data,
        pos: 0,
        buf: 0,
        count: 0,
        past_end: 0,
    };
    let mut predictors = vec![0i32; components.len()];
    let mcux = columns.div_ceil(8 * hmax);
    // One component alone is coded block by block over its own extent (T.81 A.2.2).
    let (units_x, units_y) = if n == 1 {
        let c = &components[scan[0].0];
        (
            (columns * c.h).div_ceil(hmax).div_ceil(8),
            (rows * c.v).div_ceil(vmax).div_ceil(8),
        )
    } else {
        (mcux, rows.div_ceil(8 * vmax))
    };
    let mut block = [0f32; 64];
    for unit in 0..units_x * units_y {
        if restart_interval > 0 && unit > 0 && unit % restart_interval == 0 {
            bits.restart()?;
            predictors.iter_mut().for_each(|p| *p = 0);
        }
        let (ux, uy) = (unit % units_x, unit / units_x);
        for &(c, td, ta) in &scan {
            let comp = &components[c];
            let (bw, bh) = if n == 1 { (1, 1) } else { (comp.h, comp.v) };
            for by in 0..bh {
                for bx in 0..bw {
                    decode_block(
                        &mut bits,
                        &dc[td],
                        &ac[ta],
                        &quant[comp.table],
                        &mut predictors[c],
                        &idct,
                        &mut block,
                    )?;
                    let stride = mcux * comp.h * 8;
                    let (x0, y0) = ((ux * bw + bx) * 8, (uy * bh + by) * 8);
                    for y in 0..8 {
                        let row = (y0 + y) * stride + x0;
                        if let Some(dst) = planes[c].get_mut(row..row + 8) {
                            dst.copy_from_slice(&block[y * 8..y * 8 + 8]);
                        }
                    }
                }
            }
        }
    }
    if bits.past_end > 1 {
        return Err(Jpeg12Error::Corrupt(
            "the scan ends before the image is complete",
        ));
    }
    // Up to the next marker.
    let mut end = bits.pos;
    while end + 1 < data.len()
        && !(data[end] == 0xFF && data[end + 1] != 0 && !(0xD0..=0xD7).contains(&data[end + 1]))
    {
        end += 1;
    }
    Ok(end)
}

fn decode_block(
    bits: &mut Bits,
    dc: &Huffman,
    ac: &Huffman,
    quant: &[i32; 64],
    predictor: &mut i32,
    idct: &IdctTable,
    out: &mut [f32; 64],
) -> Result<(), Jpeg12Error> {
    let mut coef = [0f32; 64];
    let size = dc.decode(bits)?;
    if size > 16 {
        return Err(Jpeg12Error::Corrupt("DC difference"));
    }
    *predictor += bits.receive_extend(size);
    coef[0] = (*predictor * quant[0]) as f32;
    let mut k = 1;
    while k < 64 {
        let rs = ac.decode(bits)?;
        let (run, size) = (usize::from(rs >> 4), rs & 15);
        if size == 0 {
            if run != 15 {
                break;
            }
            k += 16;
            continue;
        }
        k += run;
        if k > 63 {
            return Err(Jpeg12Error::Corrupt("AC coefficient index"));
        }
        coef[ZIGZAG[k]] = (bits.receive_extend(size) * quant[k]) as f32;
        k += 1;
    }
    idct.apply(&coef, out);
    Ok(())
}

/// The separable 8x8 inverse DCT with the level shift of 12-bit data (+2048).
struct IdctTable {
    /// cos((2x + 1) u pi / 16) * C(u) / 2, indexed [x][u].
    basis: [[f32; 8]; 8],
}

impl IdctTable {
    fn new() -> Self {
        let mut basis = [[0f32; 8]; 8];
        for (x, row) in basis.iter_mut().enumerate() {
            for (u, b) in row.iter_mut().enumerate() {
                let c = if u == 0 {
                    std::f64::consts::FRAC_1_SQRT_2
                } else {
                    1.0
                };
                *b = (c * ((2 * x + 1) as f64 * u as f64 * std::f64::consts::PI / 16.0).cos() / 2.0)
                    as f32;
            }
        }
        IdctTable { basis }
    }

    fn apply(&self, coef: &[f32; 64], out: &mut [f32; 64]) {
        let mut tmp = [0f32; 64];
        for v in 0..8 {
            for x in 0..8 {
                tmp[v * 8 + x] = (0..8).map(|u| self.basis[x][u] * coef[v * 8 + u]).sum();
            }
        }
        for y in 0..8 {
            for x in 0..8 {
                out[y * 8 + x] = (0..8)
                    .map(|v| self.basis[y][v] * tmp[v * 8 + x])
                    .sum::<f32>()
                    + 2048.0;
            }
        }
    }
}
