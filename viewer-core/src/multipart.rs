//! `multipart/related` (RFC 2387) as sent by WADO-RS for frames and bulk data.
//!
//! The body is kept as one buffer; each [`Part`] borrows its slice, so a 100-frame answer is
//! not copied before decoding.

use std::ops::Range;

/// Why a multipart body could not be split.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MultipartError {
    #[error("the content type is not multipart/related")]
    NotMultipart,
    #[error("the content type has no boundary parameter")]
    NoBoundary,
    #[error("the boundary is longer than 70 characters")]
    BoundaryTooLong,
    #[error("the body has no opening boundary")]
    NoOpeningBoundary,
    #[error("part {part} has no end of headers")]
    UnterminatedHeaders { part: usize },
    #[error("part {part} is not closed by a boundary (truncated body)")]
    Truncated { part: usize },
}

/// One part of a multipart body: its headers and where its content lies in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// `Content-Type` of the part without parameters, lower-cased (`application/octet-stream`).
    pub media_type: String,
    /// The `transfer-syntax` parameter of the part's `Content-Type`, if any.
    pub transfer_syntax: Option<String>,
    /// `Content-Location`, if the server sent one.
    pub content_location: Option<String>,
    /// Byte range of the part's content in the body.
    pub content: Range<usize>,
}

/// A parsed `Content-Type` value: media type and parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentType {
    pub media_type: String,
    pub params: Vec<(String, String)>,
}

impl ContentType {
    /// Parses `type/subtype; name=value; name="quoted value"`. Names are lower-cased.
    pub fn parse(value: &str) -> Self {
        let mut pieces = split_params(value).into_iter();
        let media_type = pieces
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let params = pieces
            .filter_map(|p| {
                let (name, value) = p.split_once('=')?;
                let value = value.trim();
                let value = value
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .unwrap_or(value);
                Some((name.trim().to_ascii_lowercase(), value.to_string()))
            })
            .collect();
        ContentType { media_type, params }
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Splits on `;` outside double quotes.
fn split_params(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in value.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ';' if !quoted => out.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    out.push(current);
    out
}

/// Splits a `multipart/related` body into its parts.
///
/// `content_type` is the response's `Content-Type` header, which carries the boundary.
pub fn parse_multipart(content_type: &str, body: &[u8]) -> Result<Vec<Part>, MultipartError> {
    let ct = ContentType::parse(content_type);
    if !ct.media_type.starts_with("multipart/") {
        return Err(MultipartError::NotMultipart);
    }
    let boundary = ct.param("boundary").ok_or(MultipartError::NoBoundary)?;
    if boundary.is_empty() {
        return Err(MultipartError::NoBoundary);
    }
    if boundary.len() > 70 {
        return Err(MultipartError::BoundaryTooLong);
    }
    let delimiter = format!("--{boundary}").into_bytes();

    // The first delimiter may be at the very start or after a preamble line.
    let first = find(body, &delimiter, 0).ok_or(MultipartError::NoOpeningBoundary)?;
    if first != 0 && !body[..first].ends_with(b"\n") {
        return Err(MultipartError::NoOpeningBoundary);
    }
    let mut cursor = first + delimiter.len();
    let mut parts = Vec::new();
    loop {
        // After a delimiter: "--" closes the body, otherwise the line ends and a part begins.
        if body[cursor..].starts_with(b"--") {
            return Ok(parts);
        }
        let index = parts.len();
        let line_end =
            find(body, b"\n", cursor).ok_or(MultipartError::Truncated { part: index })?;
        let headers_start = line_end + 1;
        let (headers_end, content_start) = find_headers_end(body, headers_start)
            .ok_or(MultipartError::UnterminatedHeaders { part: index })?;
        let headers = String::from_utf8_lossy(&body[headers_start..headers_end]);

        // The content ends at CRLF (or LF) + delimiter.
        let next = find(body, &delimiter, content_start)
            .ok_or(MultipartError::Truncated { part: index })?;
        let mut content_end = next;
        if content_end > content_start && body[content_end - 1] == b'\n' {
            content_end -= 1;
            if content_end > content_start && body[content_end - 1] == b'\r' {
                content_end -= 1;
            }
        } else if next != content_start {
            // A delimiter must start a line; a match inside content is not one. Real servers
            // choose boundaries that never occur in content, so treat this as damage.
            return Err(MultipartError::Truncated { part: index });
        }

        parts.push(Part::with_headers(&headers, content_start..content_end));
        cursor = next + delimiter.len();
        if cursor >= body.len() {
            return Err(MultipartError::Truncated { part: index + 1 });
        }
    }
}

impl Part {
    /// A part with the given header block and content range.
    fn with_headers(headers: &str, content: Range<usize>) -> Part {
        let mut part = Part {
            media_type: String::new(),
            transfer_syntax: None,
            content_location: None,
            content,
        };
        for line in headers.lines() {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            match name.trim().to_ascii_lowercase().as_str() {
                "content-type" => {
                    let ct = ContentType::parse(value);
                    part.transfer_syntax = ct.param("transfer-syntax").map(str::to_string);
                    part.media_type = ct.media_type;
                }
                "content-location" => part.content_location = Some(value.trim().to_string()),
                _ => {}
            }
        }
        part
    }
}

/// The first part of a body still arriving: its headers once they are all in, and its
/// content so far (up to the next delimiter if it came, else to the end of what came).
pub fn first_part_so_far(content_type: &str, body: &[u8]) -> Option<Part> {
    let ct = ContentType::parse(content_type);
    let boundary = ct
        .param("boundary")
        .filter(|b| (1..=70).contains(&b.len()))?;
    if !ct.media_type.starts_with("multipart/") {
        return None;
    }
    let delimiter = format!("--{boundary}").into_bytes();
    let first = find(body, &delimiter, 0)?;
    let line_end = find(body, b"\n", first + delimiter.len())?;
    let (headers_end, content_start) = find_headers_end(body, line_end + 1)?;
    let headers = String::from_utf8_lossy(&body[line_end + 1..headers_end]);
    let content_end = find(body, &delimiter, content_start).unwrap_or(body.len());
    Some(Part::with_headers(&headers, content_start..content_end))
}

/// End of the header block starting at `from`: returns (end of headers, start of content).
fn find_headers_end(body: &[u8], from: usize) -> Option<(usize, usize)> {
    // An empty header block is legal: the content starts right after the blank line.
    if body[from..].starts_with(b"\r\n") {
        return Some((from, from + 2));
    }
    if body[from..].starts_with(b"\n") {
        return Some((from, from + 1));
    }
    let crlf = find(body, b"\r\n\r\n", from).map(|i| (i, i + 4));
    let lf = find(body, b"\n\n", from).map(|i| (i, i + 2));
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > haystack.len() || needle.is_empty() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CT: &str = r#"multipart/related; type="application/octet-stream"; boundary="b0b""#;

    #[test]
    fn a_first_part_is_read_while_it_arrives() {
        let whole = body(&[(
            "image/jp2; transfer-syntax=1.2.840.10008.1.2.4.90",
            b"codestream",
        )]);
        let headers_end = whole
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("headers")
            + 4;
        assert_eq!(
            first_part_so_far(CT, &whole[..headers_end - 2]),
            None,
            "headers not all in"
        );
        let part = first_part_so_far(CT, &whole[..headers_end + 5]).expect("headers in");
        assert_eq!(
            part.transfer_syntax.as_deref(),
            Some("1.2.840.10008.1.2.4.90")
        );
        assert_eq!(&whole[part.content], b"codes");
        let part = first_part_so_far(CT, &whole).expect("all in");
        assert_eq!(
            &whole[part.content.start..part.content.end - 2],
            b"codestream"
        );
        assert_eq!(first_part_so_far("application/octet-stream", &whole), None);
    }

    fn body(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (ct, content) in parts {
            out.extend_from_slice(b"--b0b\r\nContent-Type: ");
            out.extend_from_slice(ct.as_bytes());
            out.extend_from_slice(b"\r\nContent-Location: /x\r\n\r\n");
            out.extend_from_slice(content);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"--b0b--\r\n");
        out
    }

    #[test]
    fn splits_parts_and_reads_transfer_syntax() {
        let b = body(&[
            (
                "application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1",
                &[1, 2, 3, 4],
            ),
            (
                "image/jls; transfer-syntax=1.2.840.10008.1.2.4.80",
                b"\r\n--b0",
            ),
        ]);
        let parts = parse_multipart(CT, &b).expect("valid body");
        assert_eq!(parts.len(), 2);
        assert_eq!(&b[parts[0].content.clone()], &[1, 2, 3, 4]);
        assert_eq!(parts[0].media_type, "application/octet-stream");
        assert_eq!(
            parts[0].transfer_syntax.as_deref(),
            Some("1.2.840.10008.1.2.1")
        );
        assert_eq!(parts[0].content_location.as_deref(), Some("/x"));
        // Content that looks like the start of a delimiter is kept intact.
        assert_eq!(&b[parts[1].content.clone()], b"\r\n--b0");
        assert_eq!(parts[1].media_type, "image/jls");
    }

    #[test]
    fn truncated_body_is_an_error_not_a_short_frame() {
        let b = body(&[("application/octet-stream", &[9; 100])]);
        let cut = &b[..b.len() - 20];
        assert_eq!(
            parse_multipart(CT, cut),
            Err(MultipartError::Truncated { part: 0 })
        );
    }

    #[test]
    fn missing_boundary_and_wrong_type_are_typed_errors() {
        assert_eq!(
            parse_multipart("multipart/related", b""),
            Err(MultipartError::NoBoundary)
        );
        assert_eq!(
            parse_multipart("application/dicom+json", b"[]"),
            Err(MultipartError::NotMultipart)
        );
        assert_eq!(
            parse_multipart(CT, b"garbage"),
            Err(MultipartError::NoOpeningBoundary)
        );
    }

    #[test]
    fn unquoted_boundary_and_lf_only_lines() {
        let b = b"--xyz\nContent-Type: application/octet-stream\n\nABC\n--xyz--";
        let parts =
            parse_multipart("multipart/related; boundary=xyz", b).expect("LF-only body parses");
        assert_eq!(&b[parts[0].content.clone()], b"ABC");
    }

    #[test]
    fn content_type_parameters() {
        let ct = ContentType::parse(r#"Multipart/Related; Type="a; b"; boundary=q"#);
        assert_eq!(ct.media_type, "multipart/related");
        assert_eq!(ct.param("type"), Some("a; b"));
        assert_eq!(ct.param("boundary"), Some("q"));
    }
}
