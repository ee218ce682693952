//! Encapsulated documents (PDF, CDA; PS3.3 A.45): the document's own bytes from the value
//! a server sends.

/// The document's bytes from an Encapsulated Document value. DICOM pads values to an even
/// length, so the Encapsulated Document Length (0042,0015), when given, says where the
/// document ends; without it, one NUL after a PDF's end-of-file marker is padding.
pub fn encapsulated_document(mut bytes: Vec<u8>, declared_length: Option<u32>) -> Vec<u8> {
    match declared_length.map(|n| n as usize) {
        Some(n) if n <= bytes.len() => bytes.truncate(n),
        _ => {
            if bytes.last() == Some(&0)
                && bytes[..bytes.len() - 1]
                    .trim_ascii_end()
                    .ends_with(b"%%EOF")
            {
                bytes.pop();
            }
        }
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::encapsulated_document;

    #[test]
    fn padding_is_removed_by_the_declared_length_or_after_the_end_marker() {
        let padded = b"%PDF-x%%EOF\n\0".to_vec();
        assert_eq!(
            encapsulated_document(padded.clone(), Some(12)),
            b"%PDF-x%%EOF\n"
        );
        assert_eq!(encapsulated_document(padded, None), b"%PDF-x%%EOF\n");
        assert_eq!(
            encapsulated_document(b"%PDF-x\0\0".to_vec(), None),
            b"%PDF-x\0\0"
        );
        assert_eq!(encapsulated_document(b"%PDF".to_vec(), Some(99)), b"%PDF");
    }
}
