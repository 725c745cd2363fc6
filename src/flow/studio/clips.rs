//! A person's video and voice clips, played in the Library's drawer. The library keeps a clip's
//! provider id and the https link it was uploaded from, and the window plays only files from
//! the studio's media folder (its content policy allows no web media). So a clip is fetched
//! once, when the producer asks to play it, within the provider's limits, and kept beside the
//! finished videos; and only if it is still the file that was uploaded.

use std::path::{Path, PathBuf};

use super::Studio;
use crate::error::{Error, Result};
use crate::media::{self, AssetType, MediaContainer, MediaLimits};

impl Studio {
    /// The path of a playable copy of clip `asset_id` in the media folder, fetched now if there
    /// is none yet.
    pub async fn clip_copy(&self, asset_id: &str) -> Result<String> {
        let face = self.library.face(asset_id)?;
        let what = face.asset_type.noun();
        let Some(limits) = MediaLimits::byteplus(face.asset_type) else {
            return Err(Error::invalid(
                "asset",
                "Only video and voice clips are played here; a photo shows as the picture.",
            ));
        };
        let Some(dir) = self.config.media_dir.clone() else {
            return Err(Error::invalid(
                "media_dir",
                "No media folder is set on this computer, so clips cannot be kept to play.",
            ));
        };
        if let Some(kept) = kept_copy(&dir, asset_id) {
            return Ok(kept.display().to_string());
        }
        let link = face.image_url.trim();
        if !link.starts_with("https://") {
            return Err(Error::invalid(
                "url",
                format!(
                    "This {what} has no web link to play it from. It is still usable in Generate."
                ),
            ));
        }
        let (bytes, check) =
            media::fetch_examined(&self.http, link, face.asset_type, &limits, None).await?;
        // The consent record holds the fingerprint of the bytes that were checked and uploaded:
        // a link that now serves something else is not shown as this talent's clip.
        let uploaded = face.consent.as_ref().and_then(|c| c.file_sha256.as_deref());
        if uploaded.is_some_and(|sha| !sha.eq_ignore_ascii_case(&check.sha256)) {
            return Err(Error::invalid(
                "url",
                format!("The file at this {what}'s link has changed since it was uploaded (its fingerprint differs), so it is not played as this clip. The clip at the provider is unchanged and still usable in Generate."),
            ));
        }
        let extension = check.container.map_or(
            if face.asset_type == AssetType::Audio {
                "mp3"
            } else {
                "mp4"
            },
            |c| c.extension(),
        );
        let path = dir.join(format!("clip-{asset_id}.{extension}"));
        keep(&dir, &path, &bytes).await?;
        Ok(path.display().to_string())
    }
}

fn kept_copy(dir: &Path, asset_id: &str) -> Option<PathBuf> {
    MediaContainer::ALL
        .iter()
        .map(|c| dir.join(format!("clip-{asset_id}.{}", c.extension())))
        .find(|p| p.is_file())
}

/// Written beside as `.part`, then renamed: a half-written clip is never played as whole.
async fn keep(dir: &Path, path: &Path, bytes: &[u8]) -> Result<()> {
    let part = path.with_extension("part");
    let written = async {
        tokio::fs::create_dir_all(dir).await?;
        tokio::fs::write(&part, bytes).await?;
        tokio::fs::rename(&part, path).await
    }
    .await;
    written.map_err(|e| {
        let _ = std::fs::remove_file(&part);
        Error::invalid(
            "media_dir",
            format!("The clip could not be kept in {}: {e}. Free some space or check the folder, then play it again.", dir.display()),
        )
    })
}
