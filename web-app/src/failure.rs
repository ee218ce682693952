//! Why a frame is not shown, in words the reader's language has: a message catalog key with
//! its arguments, plus the technical detail (English, no patient data) for the IT team.

use viewer_core::pixel_module::PixelModuleError;
use viewer_core::DecodeError;

use crate::api::ApiError;
use crate::i18n::I18n;

#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    key: String,
    args: Vec<(String, String)>,
    /// The error as the code states it, shown as a tooltip.
    pub detail: String,
}

impl Failure {
    pub fn new<K: Into<String>>(
        key: impl Into<String>,
        args: impl IntoIterator<Item = (K, String)>,
        detail: String,
    ) -> Self {
        Failure {
            key: key.into(),
            args: args.into_iter().map(|(k, v)| (k.into(), v)).collect(),
            detail,
        }
    }

    /// The message in the current language.
    pub fn message(&self, i18n: &I18n) -> String {
        let args: Vec<(&str, &str)> = self
            .args
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        i18n.f(&self.key, &args)
    }
}

impl From<&ApiError> for Failure {
    fn from(e: &ApiError) -> Self {
        let (key, args) = match e {
            ApiError::Network(_) => ("error.network", vec![]),
            ApiError::Status(401) => ("error.session", vec![]),
            // The gateway answers a study out of the reader's reach as a missing one.
            ApiError::Status(404) => ("error.not_found", vec![]),
            ApiError::Status(403) => ("error.forbidden", vec![]),
            ApiError::Status(status) => ("error.http", vec![("status", status.to_string())]),
            ApiError::Body(_) => ("error.answer", vec![]),
            ApiError::InvalidUid => ("error.uid", vec![]),
            ApiError::NoPixelData => ("error.no_pixel_data", vec![]),
            ApiError::Instance(_) => ("error.instance", vec![]),
        };
        Failure::new(key, args, e.to_string())
    }
}

impl From<&DecodeError> for Failure {
    fn from(e: &DecodeError) -> Self {
        let (key, args) = e.catalog_key();
        Failure::new(key, args, e.to_string())
    }
}

impl From<&PixelModuleError> for Failure {
    fn from(e: &PixelModuleError) -> Self {
        Failure::from(&DecodeError::PixelModule(e.clone()))
    }
}

impl From<&viewer_core::file::FileError> for Failure {
    fn from(e: &viewer_core::file::FileError) -> Self {
        use viewer_core::file::FileError;
        match e {
            FileError::Decode(e) => Failure::from(e),
            FileError::PixelModule(e) => Failure::from(e),
            FileError::NoPixelData => Failure::new(
                "error.no_pixel_data",
                Vec::<(&str, String)>::new(),
                e.to_string(),
            ),
            other => Failure::new(
                "error.local_file",
                Vec::<(&str, String)>::new(),
                other.to_string(),
            ),
        }
    }
}
