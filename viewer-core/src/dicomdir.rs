//! DICOMDIR (PS3.10 Media Storage Directory): the files a disc or folder says it holds, so
//! opening one reads those files only (not the viewer programs and autorun files a CD carries)
//! and says when referenced files were not given.

use dicom_dictionary_std::{tags, uids};

use crate::file::{open_object, FileError};

/// The standard file name of a directory (PS3.10 8.6).
pub const DICOMDIR_NAME: &str = "DICOMDIR";

/// The files a DICOMDIR references, as paths relative to its own folder with `/` between
/// components, in the order of its directory records.
pub fn referenced_files(bytes: &[u8]) -> Result<Vec<String>, FileError> {
    let object = open_object(bytes)?;
    let class = object
        .meta()
        .media_storage_sop_class_uid
        .trim_end_matches('\0');
    if class != uids::MEDIA_STORAGE_DIRECTORY_STORAGE {
        return Err(FileError::Parse("not a media storage directory".into()));
    }
    let records = object
        .element(tags::DIRECTORY_RECORD_SEQUENCE)
        .ok()
        .and_then(|e| e.items())
        .unwrap_or(&[]);
    let mut files = Vec::new();
    for record in records {
        let Some(components) = record
            .element_opt(tags::REFERENCED_FILE_ID)
            .ok()
            .flatten()
            .and_then(|e| e.to_multi_str().ok())
        else {
            continue;
        };
        if let Some(path) = relative_path(&components) {
            if !files.contains(&path) {
                files.push(path);
            }
        }
    }
    Ok(files)
}

/// A Referenced File ID's components as a relative path; `None` when a component is empty or
/// would leave the directory's folder.
fn relative_path(components: &[String]) -> Option<String> {
    let parts: Vec<&str> = components
        .iter()
        .map(|c| c.trim_end_matches([' ', '\0']))
        .collect();
    if parts.is_empty()
        || parts
            .iter()
            .any(|p| p.is_empty() || *p == "." || *p == ".." || p.contains(['/', '\\']))
    {
        return None;
    }
    Some(parts.join("/"))
}

/// Which of the files opened together to read, given their paths (relative, `/`-separated,
/// as the browser gives them) and the references of the DICOMDIRs among them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selection {
    /// Indices of the files to read as DICOM instances.
    pub read: Vec<usize>,
    /// Files a DICOMDIR references that were not among those opened.
    pub missing: usize,
    /// Files in a DICOMDIR's folder that it does not reference (left unread).
    pub unreferenced: usize,
}

/// Chooses the files to read. A file in the folder of a DICOMDIR (the deepest, when they are
/// nested) is read when that DICOMDIR references it; other files are all read; DICOMDIRs
/// themselves are not instances. `directories` pairs the index of each DICOMDIR file with its
/// references. Paths compare without regard to case (discs use upper case, copies may not).
pub fn select_files(paths: &[String], directories: &[(usize, Vec<String>)]) -> Selection {
    let folder_of = |path: &str| -> String {
        match path.rfind('/') {
            Some(i) => path[..=i].to_ascii_uppercase(),
            None => String::new(),
        }
    };
    let folders: Vec<(String, Vec<String>)> = directories
        .iter()
        .filter_map(|(i, refs)| {
            let folder = folder_of(paths.get(*i)?);
            let refs = refs
                .iter()
                .map(|r| format!("{folder}{}", r.to_ascii_uppercase()))
                .collect();
            Some((folder, refs))
        })
        .collect();
    let is_directory = |i: usize| directories.iter().any(|(d, _)| *d == i);
    let mut selection = Selection::default();
    let mut found = vec![0usize; folders.len()];
    for (i, path) in paths.iter().enumerate() {
        if is_directory(i) {
            continue;
        }
        let upper = path.to_ascii_uppercase();
        let owner = folders
            .iter()
            .enumerate()
            .filter(|(_, (folder, _))| upper.starts_with(folder.as_str()))
            .max_by_key(|(_, (folder, _))| folder.len());
        match owner {
            Some((d, (_, refs))) if refs.contains(&upper) => {
                found[d] += 1;
                selection.read.push(i);
            }
            Some(_) => selection.unreferenced += 1,
            None => selection.read.push(i),
        }
    }
    selection.missing = folders
        .iter()
        .zip(found)
        .map(|((_, refs), n)| refs.len().saturating_sub(n))
        .sum();
    selection
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn referenced_file_ids_become_safe_relative_paths() {
        let ids = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            relative_path(&ids(&["DICOM", "ST0", "IM1 "])),
            Some("DICOM/ST0/IM1".into())
        );
        assert_eq!(relative_path(&ids(&["..", "etc"])), None);
        assert_eq!(relative_path(&ids(&["A/B"])), None);
        assert_eq!(relative_path(&ids(&[""])), None);
        assert_eq!(relative_path(&[]), None);
    }

    #[test]
    fn files_of_a_directory_are_read_only_when_it_references_them() {
        let all = paths(&[
            "CD/DICOMDIR",
            "CD/DICOM/IM1",
            "CD/dicom/im2",
            "CD/VIEWER/setup.exe",
            "other.dcm",
        ]);
        let refs = vec!["DICOM/IM1".into(), "DICOM/IM2".into(), "DICOM/IM3".into()];
        let s = select_files(&all, &[(0, refs)]);
        assert_eq!(s.read, vec![1, 2, 4]);
        assert_eq!(s.unreferenced, 1);
        assert_eq!(s.missing, 1);
    }

    #[test]
    fn nested_directories_own_their_own_folders() {
        let all = paths(&["A/DICOMDIR", "A/X/1", "A/B/DICOMDIR", "A/B/Y/2", "A/B/Z/3"]);
        let outer = vec!["X/1".into()];
        let inner = vec!["Y/2".into()];
        let s = select_files(&all, &[(0, outer), (2, inner)]);
        assert_eq!(s.read, vec![1, 3]);
        assert_eq!(s.unreferenced, 1);
        assert_eq!(s.missing, 0);
    }

    #[test]
    fn a_directory_alone_reports_all_its_files_missing() {
        let s = select_files(&paths(&["DICOMDIR"]), &[(0, vec!["A".into(), "B".into()])]);
        assert_eq!(
            s,
            Selection {
                read: vec![],
                missing: 2,
                unreferenced: 0
            }
        );
    }

    #[test]
    fn files_without_a_directory_are_all_read() {
        let s = select_files(&paths(&["a", "b/c"]), &[]);
        assert_eq!(s.read, vec![0, 1]);
    }
}
