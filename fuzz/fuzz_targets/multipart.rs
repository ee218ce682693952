//! Any bytes as a `multipart/related` answer (its first line the `Content-Type` header, the
//! rest the body): the parts found must lie inside the body, whole or arriving.
#![no_main]

use libfuzzer_sys::fuzz_target;
use viewer_core::multipart::{first_part_so_far, parse_multipart};

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|b| *b == b'\n').unwrap_or(data.len());
    let Ok(content_type) = std::str::from_utf8(&data[..split]) else {
        return;
    };
    let body = data.get(split + 1..).unwrap_or(&[]);
    if let Ok(parts) = parse_multipart(content_type, body) {
        for part in parts {
            assert!(part.content.start <= part.content.end && part.content.end <= body.len());
        }
    }
    for end in [body.len() / 3, body.len() / 2, body.len()] {
        if let Some(part) = first_part_so_far(content_type, &body[..end]) {
            assert!(part.content.start <= part.content.end && part.content.end <= end);
        }
    }
});
