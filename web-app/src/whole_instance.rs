//! A frame the server will not cut out of its file (Orthanc 1.10 answers "Bad file format" for
//! some files it stores, and an image without pixel data has no frame): the instance fetched
//! whole (WADO-RS, `application/dicom`, in its stored syntax) and the frame read from it in the
//! page, by the same checked parser and length pre-scan as local files. The last file read is
//! kept for its other frames, so a multi-frame instance is fetched once.

use std::cell::RefCell;
use std::rc::Rc;

use viewer_core::file::{DicomFile, FileError};
use viewer_core::Limits;
use web_sys::AbortSignal;

use crate::api::{first_part, get, ApiError, FrameBytes, ROOT};

thread_local! {
    static LAST_READ: RefCell<Option<(String, Rc<DicomFile>)>> = const { RefCell::new(None) };
}

fn refusal(error: FileError) -> ApiError {
    match error {
        FileError::NoPixelData => ApiError::NoPixelData,
        other => ApiError::Instance(other.to_string()),
    }
}

/// Frame `number` (1-based) of an instance, read from the instance's file. The UIDs have been
/// checked by the caller.
pub async fn frame(
    study: &str,
    series: &str,
    instance: &str,
    number: u32,
    signal: Option<&AbortSignal>,
) -> Result<FrameBytes, ApiError> {
    let kept = LAST_READ.with(|last| {
        last.borrow()
            .as_ref()
            .filter(|(uid, _)| uid == instance)
            .map(|(_, file)| Rc::clone(file))
    });
    let file = match kept {
        Some(file) => file,
        None => {
            let file = Rc::new(read(study, series, instance, signal).await?);
            LAST_READ.with(|last| *last.borrow_mut() = Some((instance.into(), Rc::clone(&file))));
            file
        }
    };
    let index = number
        .checked_sub(1)
        .ok_or_else(|| ApiError::Instance("frame numbers start at 1".into()))?;
    let bytes = file.encoded_frame(index).map_err(refusal)?;
    Ok(FrameBytes {
        transfer_syntax_uid: file.frame_syntax().to_string(),
        bytes: bytes.into_owned(),
    })
}

async fn read(
    study: &str,
    series: &str,
    instance: &str,
    signal: Option<&AbortSignal>,
) -> Result<DicomFile, ApiError> {
    let url = format!("{ROOT}/studies/{study}/series/{series}/instances/{instance}");
    let stored = r#"multipart/related; type="application/dicom"; transfer-syntax=*"#;
    let plain = r#"multipart/related; type="application/dicom""#;
    let response = match get(&url, stored, signal).await {
        Err(ApiError::Status(400 | 406 | 415)) => get(&url, plain, signal).await?,
        other => other?,
    };
    let (_, bytes) = first_part(response, None).await?;
    DicomFile::parse(&bytes, &Limits::default()).map_err(refusal)
}
