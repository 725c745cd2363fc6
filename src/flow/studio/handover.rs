//! How a checked photo reaches the provider. A link goes as the operator gave it (the provider
//! fetches it itself). A file's exact checked bytes go inline where the provider documents that
//! (Anyfast's data URI), or are hosted for the call where it only fetches links: Rehearsal serves
//! them itself; anywhere else the studio's bucket holds them behind a presigned link that lapses in
//! minutes, deleted as soon as the provider has answered.

use base64::Engine;

use super::Studio;
use crate::error::{Error, Result};
use crate::hosting::{HostedPhoto, PhotoHost};
use crate::photo::{self, PhotoCheck};
use crate::providers::{Provider, ProviderKind};

/// The photo as one provider call gets it; [`Studio::take_back`] deletes a hosted copy.
#[must_use = "a hosted copy is deleted with Studio::take_back"]
pub(crate) struct Handover {
    /// What goes in the call's image field.
    pub url: String,
    hosted: Option<(PhotoHost, HostedPhoto)>,
}

impl Handover {
    /// A copy was put up for the provider to fetch.
    pub fn is_hosted(&self) -> bool {
        self.hosted.is_some()
    }
}

/// Where the provider takes a file's bytes itself, so nothing is hosted.
fn takes_bytes_inline(provider: &Provider) -> bool {
    matches!(provider, Provider::Anyfast(_))
}

impl Studio {
    /// Where a photo file would be hosted for `provider`: `None` when it needs no hosting (a
    /// link, or a provider that takes the bytes). A file for a provider that fetches links,
    /// with no bucket set, is refused here, before a session is opened or anything is paid.
    pub(crate) fn hosting_for(
        &self,
        provider: &Provider,
        is_file: bool,
    ) -> Result<Option<PhotoHost>> {
        if !is_file || takes_bytes_inline(provider) {
            return Ok(None);
        }
        if provider.kind() == ProviderKind::Rehearsal {
            if let Some(shelf) = &self.config.rehearsal_shelf {
                return Ok(Some(shelf.clone()));
            }
        }
        match &self.config.photo_hosting {
            Some(bucket) => Ok(Some(bucket.clone())),
            None => Err(Error::HostingMissing {
                provider: provider.kind(),
            }),
        }
    }

    /// Whether a photo file can be used on the selected provider now: an error naming Settings →
    /// Photo hosting when it would need a bucket and none is set (the window says so on the
    /// Start button before anything is paid).
    pub fn ready_for_photo_files(&self) -> Result<()> {
        self.hosting_for(&self.provider(), true).map(|_| ())
    }

    /// The photo for one call to `provider`: its link, its bytes as a data URI, or a copy
    /// hosted for the call (exactly the bytes that were checked, so the consent record's sha256
    /// is of what the provider received).
    pub(crate) async fn hand_over(
        &self,
        provider: &Provider,
        photo: &PhotoCheck,
    ) -> Result<Handover> {
        let Some(bytes) = &photo.file_bytes else {
            return Ok(Handover {
                url: photo.url.clone(),
                hosted: None,
            });
        };
        let content_type = photo::content_type(photo);
        if takes_bytes_inline(provider) {
            let data = base64::engine::general_purpose::STANDARD.encode(bytes);
            return Ok(Handover {
                url: format!("data:{content_type};base64,{data}"),
                hosted: None,
            });
        }
        let host = self
            .hosting_for(provider, true)?
            .ok_or_else(|| Error::Internal("a file for a link-only provider has no host".into()))?;
        let hosted = host.put(bytes.to_vec(), content_type).await?;
        tracing::info!(object = %hosted.object, bytes = bytes.len(), "photo hosted for the provider");
        Ok(Handover {
            url: hosted.url.to_string(),
            hosted: Some((host, hosted)),
        })
    }

    /// Deletes the hosted copy, if any: when, for the consent record. A failed delete is logged
    /// and left to the link's expiry (the bucket is private; the object is named in the log).
    pub(crate) async fn take_back(&self, handover: Handover) -> Option<i64> {
        let (host, hosted) = handover.hosted?;
        match host.remove(&hosted).await {
            Ok(()) => {
                tracing::info!(object = %hosted.object, "hosted photo deleted");
                Some(self.clock.now_ms())
            }
            Err(e) => {
                tracing::warn!(object = %hosted.object, error = %e, "the hosted photo could not be deleted; its link lapses on its own");
                None
            }
        }
    }
}
