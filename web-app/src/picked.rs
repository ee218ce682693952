//! Files the reader gives the app, with their paths relative to what was chosen: from a file
//! or folder picker, or from a drop (folders walked through the entries API, as a dropped
//! folder's `files` list holds only the folder itself).

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DataTransfer, ErrorCallback, File, FileList, FileSystemDirectoryEntry,
    FileSystemDirectoryReader, FileSystemEntry, FileSystemFileEntry,
};

/// More files than this in one drop are not read (a whole disk dropped by mistake).
pub const MAX_FILES: usize = 20_000;
/// Folders deeper than this are not walked.
const MAX_DEPTH: usize = 32;

pub struct PickedFile {
    /// `/`-separated, relative to the chosen folder (or the file name alone).
    pub path: String,
    pub file: File,
}

/// The files of a picker: their relative path when a folder was chosen.
pub fn from_file_list(list: Option<FileList>) -> Vec<PickedFile> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.get(i))
        .take(MAX_FILES)
        .map(|file| {
            let relative = js_sys::Reflect::get(&file, &JsValue::from_str("webkitRelativePath"))
                .ok()
                .and_then(|v| v.as_string())
                .filter(|p| !p.is_empty());
            PickedFile {
                path: relative.unwrap_or_else(|| file.name()),
                file,
            }
        })
        .collect()
}

/// One thing dropped: a file or folder entry when the browser gives one, else the file.
pub enum Dropped {
    Entry(FileSystemEntry),
    File(File),
}

/// What a drop holds: to be taken while the drop event is being handled (the browser empties
/// the data transfer afterwards).
pub fn dropped(transfer: &DataTransfer) -> Vec<Dropped> {
    let items = transfer.items();
    (0..items.length())
        .filter_map(|i| items.get(i))
        .filter(|item| item.kind() == "file")
        .filter_map(|item| match item.webkit_get_as_entry() {
            Ok(Some(entry)) => Some(Dropped::Entry(entry)),
            _ => item.get_as_file().ok().flatten().map(Dropped::File),
        })
        .collect()
}

/// Every file dropped, folders walked depth-first.
pub async fn walk(dropped: Vec<Dropped>) -> Vec<PickedFile> {
    let mut pending = Vec::new();
    let mut files = Vec::new();
    for item in dropped {
        match item {
            Dropped::Entry(entry) => pending.push((entry, 0)),
            Dropped::File(file) => files.push(PickedFile {
                path: file.name(),
                file,
            }),
        }
    }
    while let Some((entry, depth)) = pending.pop() {
        if files.len() >= MAX_FILES {
            break;
        }
        if entry.is_file() {
            let path = entry.full_path().trim_start_matches('/').to_string();
            if let Some(file) = file_of(entry.unchecked_ref()).await {
                files.push(PickedFile { path, file });
            }
        } else if entry.is_directory() && depth < MAX_DEPTH {
            let reader = entry
                .unchecked_ref::<FileSystemDirectoryEntry>()
                .create_reader();
            // readEntries gives a batch at a time, then an empty list.
            while let Some(batch) = read_entries(&reader).await.filter(|b| b.length() > 0) {
                for child in batch.iter() {
                    pending.push((child.unchecked_into(), depth + 1));
                }
            }
        }
    }
    files
}

async fn read_entries(reader: &FileSystemDirectoryReader) -> Option<js_sys::Array> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        if reader
            .read_entries_with_callback_and_error_callback(
                &resolve,
                reject.unchecked_ref::<ErrorCallback>(),
            )
            .is_err()
        {
            let _ = reject.call0(&JsValue::NULL);
        }
    });
    JsFuture::from(promise).await.ok()?.dyn_into().ok()
}

async fn file_of(entry: &FileSystemFileEntry) -> Option<File> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        entry.file_with_callback_and_error_callback(
            &resolve,
            reject.unchecked_ref::<ErrorCallback>(),
        );
    });
    JsFuture::from(promise).await.ok()?.dyn_into().ok()
}
