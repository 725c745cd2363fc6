//! An uploaded asset's processing, as upstream does it: the file at its URL is fetched (within
//! a size cap and a time limit), its bytes must be the asset type, and then the face must match
//! ([`FACE_MISMATCH_MARKER`] in the URL fails it).

use std::io::Cursor;
use std::time::Duration;

use image::{ImageReader, Limits};

use super::{AssetError, AssetRecord, AssetType, Outcome};
use crate::FACE_MISMATCH_MARKER;

/// The largest file processing downloads: Anyfast's video cap, the largest of the three.
pub const MAX_ASSET_BYTES: u64 = 50 * 1024 * 1024;
/// The whole download (connect, headers, body).
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(30);

/// Fetches the file and checks it as upstream would: the bytes must be the asset type, then the
/// face must match (unless [`AssetRecord`] has none to match).
pub async fn check(client: &reqwest::Client, asset: &AssetRecord) -> Outcome {
    let checked = match fetch(client, &asset.url).await {
        Ok(bytes) => {
            let asset_type = asset.asset_type;
            tokio::task::spawn_blocking(move || content_matches(asset_type, &bytes))
                .await
                .unwrap_or_else(|e| Err(format!("the file could not be checked: {e}")))
        }
        Err(reason) => Err(reason),
    };
    match checked {
        Err(reason) => Outcome::Failed {
            error: AssetError::invalid_file(reason),
        },
        Ok(()) if asset.face_matched() && asset.url.contains(FACE_MISMATCH_MARKER) => {
            Outcome::Failed {
                error: AssetError::face_mismatch(),
            }
        }
        Ok(()) => Outcome::Active,
    }
}

async fn fetch(client: &reqwest::Client, raw: &str) -> Result<Vec<u8>, String> {
    // An Anyfast data URI carries the file itself (checked when the asset was created).
    if let Some(inline) = crate::anyfast::data_uri(raw) {
        let (_, bytes) = inline?;
        if bytes.len() as u64 > MAX_ASSET_BYTES {
            return Err(format!(
                "The file is larger than {} MB.",
                MAX_ASSET_BYTES >> 20
            ));
        }
        return Ok(bytes);
    }
    let url = url::Url::parse(raw).map_err(|_| "The URL is not valid.".to_owned())?;
    tokio::time::timeout(FETCH_TIMEOUT, download(client, url))
        .await
        .map_err(|_| {
            format!(
                "The file could not be downloaded within {} seconds.",
                FETCH_TIMEOUT.as_secs()
            )
        })?
}

async fn download(client: &reqwest::Client, url: url::Url) -> Result<Vec<u8>, String> {
    let unreachable =
        |e: reqwest::Error| format!("The file could not be downloaded: {}", chain(&e));
    let too_large = || format!("The file is larger than {} MB.", MAX_ASSET_BYTES >> 20);
    let mut response = client.get(url).send().await.map_err(unreachable)?;
    if !response.status().is_success() {
        return Err(format!(
            "The file could not be downloaded: the server answered HTTP {}.",
            response.status().as_u16()
        ));
    }
    if response
        .content_length()
        .is_some_and(|n| n > MAX_ASSET_BYTES)
    {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
        if (bytes.len() + chunk.len()) as u64 > MAX_ASSET_BYTES {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

fn chain(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Whether `bytes` are what `asset_type` says, from their content alone.
pub fn content_matches(asset_type: AssetType, bytes: &[u8]) -> Result<(), String> {
    match asset_type {
        AssetType::Image => {
            let mut limits = Limits::default();
            limits.max_image_width = Some(20_000);
            limits.max_image_height = Some(20_000);
            limits.max_alloc = Some(512 * 1024 * 1024);
            let mut reader = ImageReader::new(Cursor::new(bytes))
                .with_guessed_format()
                .map_err(|e| format!("The file is not an image: {e}."))?;
            if reader.format().is_none() {
                return Err("The file is not an image (not JPEG, PNG, WebP or GIF).".into());
            }
            reader.limits(limits);
            reader
                .decode()
                .map(drop)
                .map_err(|e| format!("The image could not be decoded: {e}."))
        }
        AssetType::Video => {
            let boxed = bytes
                .get(4..8)
                .is_some_and(|b| b == b"ftyp" || b == b"moov");
            if boxed {
                Ok(())
            } else {
                Err(
                    "The file is not a video: expected MP4 or MOV (an ISO-BMFF ftyp or moov box)."
                        .into(),
                )
            }
        }
        AssetType::Audio => {
            let wav = bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WAVE";
            let id3 = bytes.starts_with(b"ID3");
            let mpeg_sync = bytes.len() >= 2 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0;
            if wav || id3 || mpeg_sync {
                Ok(())
            } else {
                Err("The file is not audio: expected WAV or MP3.".into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_checks() {
        let mut png = Cursor::new(Vec::new());
        image::DynamicImage::new_rgb8(4, 4)
            .write_to(&mut png, image::ImageFormat::Png)
            .unwrap();
        let png = png.into_inner();
        assert!(content_matches(AssetType::Image, &png).is_ok());
        assert!(content_matches(AssetType::Image, b"<html></html>").is_err());
        assert!(content_matches(AssetType::Image, &png[..png.len() / 2]).is_err());
        assert!(content_matches(AssetType::Video, b"\0\0\0\x20ftypisom").is_ok());
        assert!(content_matches(AssetType::Video, b"\0\0\0\x08moov").is_ok());
        assert!(content_matches(AssetType::Video, &png).is_err());
        assert!(content_matches(AssetType::Audio, b"RIFF\0\0\0\0WAVEfmt ").is_ok());
        assert!(content_matches(AssetType::Audio, b"ID3\x04").is_ok());
        assert!(content_matches(AssetType::Audio, &[0xFF, 0xFB, 0x90, 0x00]).is_ok());
        assert!(content_matches(AssetType::Audio, b"RIFF\0\0\0\0WEBPVP8 ").is_err());
        assert!(content_matches(AssetType::Audio, &png).is_err());
    }
}
