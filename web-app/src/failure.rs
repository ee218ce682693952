//! Why a frame is not shown, in words the reader's language has: a message catalog key with
//! its arguments, plus the technical detail (English, no patient data) for the IT team.

use viewer_core::pixel_module::PixelModuleError;
use viewer_core::DecodeError;

use crate::api::ApiError;
use crate::i18n::I18n;

#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    key: &'static str,
    args: Vec<(&'static str, String)>,
    /// The error as the code states it, shown as a tooltip.
    pub detail: String,
}

impl Failure {
    /// The message in the current language.
    pub fn message(&self, i18n: &I18n) -> String {
        let args: Vec<(&str, &str)> = self.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        i18n.f(self.key, &args)
    }
}

impl From<&ApiError> for Failure {
    fn from(e: &ApiError) -> Self {
        let (key, args) = match e {
            ApiError::Network(_) => ("error.network", vec![]),
            ApiError::Status(401) => ("error.session", vec![]),
            ApiError::Status(status) => ("error.http", vec![("status", status.to_string())]),
            ApiError::Body(_) => ("error.answer", vec![]),
            ApiError::InvalidUid => ("error.uid", vec![]),
        };
        Failure {
            key,
            args,
            detail: e.to_string(),
        }
    }
}

impl From<&DecodeError> for Failure {
    fn from(e: &DecodeError) -> Self {
        let (key, args) = match e {
            DecodeError::PixelModule(
                PixelModuleError::TooLarge { .. } | PixelModuleError::FrameTooLarge { .. },
            ) => ("error.too_large", vec![]),
            DecodeError::PixelModule(_) => ("error.pixel_module", vec![]),
            DecodeError::UnknownTransferSyntax { uid } => {
                ("error.unknown_syntax", vec![("uid", uid.clone())])
            }
            DecodeError::UnsupportedTransferSyntax { name, .. } => {
                ("error.unsupported_syntax", vec![("name", name.clone())])
            }
            DecodeError::CodestreamLabelledAsNative { kind } => {
                ("error.mislabelled", vec![("kind", kind.to_string())])
            }
            DecodeError::NativeSizeMismatch { .. } | DecodeError::DecodedSizeMismatch { .. } => {
                ("error.size", vec![])
            }
            DecodeError::Codec {
                transfer_syntax, ..
            } => ("error.codec", vec![("codec", transfer_syntax.clone())]),
        };
        Failure {
            key,
            args,
            detail: e.to_string(),
        }
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
            other => Failure {
                key: "error.local_file",
                args: Vec::new(),
                detail: other.to_string(),
            },
        }
    }
}
