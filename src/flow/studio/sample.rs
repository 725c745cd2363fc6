//! "Try it with your phone": a first rehearsal from the built-in sample portrait, so a studio
//! with no photo at hand and no provider yet walks one whole session (the release, the QR, the
//! phone, the price in test money) before anything is real.

use std::path::Path;

use super::Studio;
use crate::error::{Error, Result};
use crate::providers::ProviderKind;

impl Studio {
    /// The sample portrait kept as a photo file in `dir`: its path, for the session form. Only
    /// while rehearsing: a real provider enrolls the talent's own photo.
    pub fn sample_photo(&self, dir: &Path) -> Result<String> {
        if self.provider().kind() != ProviderKind::Rehearsal {
            return Err(Error::invalid(
                "image_url",
                "The sample photo is for rehearsing. A real provider enrolls the talent's own photo: choose it, drop it or take it with the webcam.",
            ));
        }
        Ok(crate::photo::keep_sample(dir)?.display().to_string())
    }
}
