//! Key Object Selection documents (PS3.3 A.35.4, TID 2010): the images a reader flagged, in
//! the order flagged, titled "Of Interest", with the reader as observer.

use dicom_dictionary_std::uids;

use super::{
    dcm, encode, observer_context, Body, ImageInSeries, Item, NewDocument, StudyContext, WriteError,
};

/// Key Object Selection Document Storage.
pub const KEY_OBJECT_SELECTION: &str = uids::KEY_OBJECT_SELECTION_DOCUMENT_STORAGE;

/// A KOS flagging `images` of `context`'s study. (A selection cannot name the one it
/// replaces: readers take the newest of this viewer's selections.)
pub fn key_object_selection(
    context: &StudyContext,
    doc: &NewDocument,
    images: &[ImageInSeries],
) -> Result<Vec<u8>, WriteError> {
    if images.is_empty() {
        return Err(WriteError::Empty);
    }
    for image in images {
        image.check()?;
    }
    let root = Item::container(None, dcm("113000", "Of Interest"))
        .with_all(observer_context(&doc.observer_name))
        .with_all(images.iter().map(|i| Item::image("CONTAINS", i)));
    encode(
        context,
        doc,
        Body {
            sop_class_uid: KEY_OBJECT_SELECTION,
            modality: "KO",
            root,
            template: "2010",
            evidence: images,
            predecessors: &[],
            sr_flags: false,
        },
    )
}
