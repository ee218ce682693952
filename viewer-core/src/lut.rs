//! Table LUTs: the Modality LUT Sequence (PS3.3 C.11.1) and the VOI LUT Sequence (C.11.2).

use dicom_dictionary_std::tags;

use crate::dicom_json::JsonDataset;

/// One LUT: output values for consecutive inputs starting at `first_mapped`.
#[derive(Debug, Clone, PartialEq)]
pub struct Lut {
    pub first_mapped: i64,
    /// Bits of each output value (LUT Descriptor, third value).
    pub bits: u32,
    pub values: Vec<u32>,
    pub explanation: Option<String>,
}

impl Lut {
    /// Reads an item of a LUT sequence: LUT Descriptor (0028,3002) and LUT Data (0028,3006)
    /// given as values. `None` when incomplete or inconsistent.
    pub fn from_item(item: &JsonDataset) -> Option<Self> {
        let descriptor = item.numbers(tags::LUT_DESCRIPTOR);
        let [Some(count), Some(first), Some(bits)] = descriptor.as_slice() else {
            return None;
        };
        let count = if *count == 0.0 {
            65_536
        } else {
            *count as usize
        };
        let bits = *bits as u32;
        if !(1..=16).contains(&bits) {
            return None;
        }
        let values: Vec<u32> = item
            .numbers(tags::LUT_DATA)
            .into_iter()
            .map(|v| v.map(|v| v as u32 & ((1 << bits) - 1)))
            .collect::<Option<_>>()?;
        (values.len() == count).then(|| Lut {
            first_mapped: *first as i64,
            bits,
            values,
            explanation: item.string(tags::LUT_EXPLANATION).filter(|e| !e.is_empty()),
        })
    }

    /// The output for `input`; inputs outside the table take its first or last value.
    pub fn lookup(&self, input: f64) -> u32 {
        let last = self.values.len() - 1;
        let index = (input.floor() as i64 - self.first_mapped).clamp(0, last as i64) as usize;
        self.values[index]
    }

    /// The largest output the LUT can give: 2^bits - 1.
    pub fn max_output(&self) -> u32 {
        (1u32 << self.bits) - 1
    }
}

/// The Modality LUT of a dataset, if it has one (it then replaces Rescale Slope/Intercept).
pub fn modality_lut(ds: &JsonDataset) -> Option<Lut> {
    ds.items(tags::MODALITY_LUT_SEQUENCE)
        .first()
        .and_then(Lut::from_item)
}

/// The VOI LUTs of a dataset (each is a display choice, like a window).
pub fn voi_luts(ds: &JsonDataset) -> Vec<Lut> {
    ds.items(tags::VOILUT_SEQUENCE)
        .iter()
        .filter_map(Lut::from_item)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_signed_modality_lut_and_clamps_lookups() {
        let ds = &JsonDataset::parse_array(
            r#"[{"00283000":{"vr":"SQ","Value":[{"00283002":{"vr":"SS","Value":[4,-2,16]},
                 "00283006":{"vr":"OW","Value":[0,100,200,300]}}]}}]"#,
        )
        .expect("valid")[0];
        let lut = modality_lut(ds).expect("complete LUT");
        assert_eq!((lut.first_mapped, lut.bits), (-2, 16));
        assert_eq!(
            [-5.0, -2.0, -1.0, 1.0, 9.0].map(|x| lut.lookup(x)),
            [0, 0, 100, 300, 300]
        );
        assert_eq!(lut.max_output(), 65_535);
        assert!(voi_luts(ds).is_empty());
    }

    #[test]
    fn incomplete_luts_are_ignored() {
        let ds = &JsonDataset::parse_array(
            r#"[{"00283010":{"vr":"SQ","Value":[{"00283002":{"vr":"US","Value":[4,0,8]},
                 "00283006":{"vr":"OW","Value":[0,1,2]}}]}}]"#,
        )
        .expect("valid")[0];
        assert!(voi_luts(ds).is_empty());
    }
}
