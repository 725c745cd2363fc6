//! The face photo: fetched by the backend (the webview never loads remote URLs), checked against
//! the chosen provider's documented limits, looked at offline (how many faces, how large, how
//! sharp), and turned into a small preview.
//!
//! Checking here, before a session starts, means a photo the provider would refuse never costs
//! an init or a payment. Two ways in:
//! - [`examine`] / [`examine_bytes`]: every check with a pass, warn or fail verdict (the app's
//!   checklist and `likeness photo check`). An error only when there is nothing to judge: a bad
//!   link, a failed or cut-short download, bytes that are not an image.
//! - [`check`] / [`check_for`]: the same, but a failed *provider limit* (format, file size,
//!   dimensions, aspect ratio, a damaged file) is an error, because the provider refuses such a
//!   photo whatever the operator says. Failed *face* checks are not errors: the caller blocks
//!   paid steps on [`PhotoCheck::has_failures`] unless the operator overrides.
//!
//! Everything runs offline: the face detector is SeetaFace's frontal model through `rustface`,
//! shipped inside this crate (`seeta_fd_frontal_v1.0.bin`, BSD-2-Clause, see
//! `SEETA-LICENSE.txt`). The thresholds are calibrated in `docs/PHOTO-CHECKS.md`.

mod analyze;
mod faces;
pub(crate) mod fetch;
mod intake;
mod limits;
mod share_link;
mod source;

use serde::Serialize;

use crate::error::{Error, Result};

pub use analyze::{examine_bytes, sha256_hex, sniff};
pub use fetch::{client, FetchProgress, CONNECT_TIMEOUT, MAX_REDIRECTS};
pub use intake::{keep_data_url, keep_sample, SAMPLE_PORTRAIT};
pub use limits::PhotoLimits;
pub use share_link::direct_link;
pub use source::{content_type, PhotoSource};

/// BlockRun's cap: "≤ 10 MB", read strictly as 10,000,000 bytes (see [`PhotoLimits::blockrun`]).
pub const MAX_PHOTO_BYTES: u64 = 10_000_000;
/// The whole download, for BlockRun's 10 MB (BytePlus-backed providers allow longer).
pub const FETCH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// The image format, from the bytes (never from the link's extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum PhotoFormat {
    Jpeg,
    Png,
    Webp,
    Gif,
    Heic,
    Avif,
    Bmp,
    Tiff,
}

impl PhotoFormat {
    /// How people write it: "JPEG", "HEIC".
    pub fn label(self) -> &'static str {
        match self {
            PhotoFormat::Jpeg => "JPEG",
            PhotoFormat::Png => "PNG",
            PhotoFormat::Webp => "WebP",
            PhotoFormat::Gif => "GIF",
            PhotoFormat::Heic => "HEIC",
            PhotoFormat::Avif => "AVIF",
            PhotoFormat::Bmp => "BMP",
            PhotoFormat::Tiff => "TIFF",
        }
    }
}

/// One check's stable id: recorded on a face's consent record when the operator overrides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    Format,
    FileSize,
    Dimensions,
    AspectRatio,
    Integrity,
    FaceCount,
    FaceSize,
    Sharpness,
}

impl CheckId {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::Format => "format",
            CheckId::FileSize => "file_size",
            CheckId::Dimensions => "dimensions",
            CheckId::AspectRatio => "aspect_ratio",
            CheckId::Integrity => "integrity",
            CheckId::FaceCount => "face_count",
            CheckId::FaceSize => "face_size",
            CheckId::Sharpness => "sharpness",
        }
    }

    /// The provider limits (as opposed to the face checks) cannot be overridden: the provider
    /// refuses such a photo whatever the operator says.
    pub fn is_provider_limit(self) -> bool {
        !matches!(
            self,
            CheckId::FaceCount | CheckId::FaceSize | CheckId::Sharpness
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Warn,
    Fail,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
        }
    }
}

/// One line of the checklist.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PhotoCheckItem {
    pub id: CheckId,
    pub verdict: Verdict,
    /// A short name: "Faces", "Sharpness".
    pub label: String,
    /// Plain words: what was found and, unless it passed, what to do about it.
    pub message: String,
    /// A failed face check may be overridden by the operator; a failed provider limit may not.
    pub overridable: bool,
}

impl PhotoCheckItem {
    fn new(id: CheckId, verdict: Verdict, label: &str, message: impl Into<String>) -> Self {
        PhotoCheckItem {
            id,
            verdict,
            label: label.to_string(),
            message: message.into(),
            overridable: !id.is_provider_limit(),
        }
    }
}

/// A face the detector found, as fractions of the upright photo (0..1), for drawing on the
/// preview.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FaceBox {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    /// Variance of the Laplacian on the face, at most 112 px square (higher is sharper).
    pub sharpness: f32,
    /// The detector's confidence (SeetaFace score; 2 is its threshold).
    pub score: f32,
}

/// The photo's facts, its preview and the checklist.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PhotoCheck {
    pub url: String,
    pub format: PhotoFormat,
    /// Upright (EXIF orientation applied) where the photo could be decoded.
    pub width_px: u32,
    pub height_px: u32,
    pub size_bytes: u32,
    /// The sha256 (lowercase hex) of exactly the bytes that were fetched and judged here: what
    /// a face's consent record keeps, so the photo can be proven unchanged later.
    pub sha256: String,
    /// A `data:image/jpeg;base64,…` preview, at most 256 px on its long edge; empty when the
    /// photo cannot be decoded here (HEIC, AVIF).
    pub thumbnail: String,
    /// Whose limits were applied ("BlockRun").
    pub provider: String,
    pub checks: Vec<PhotoCheckItem>,
    pub faces: Vec<FaceBox>,
    /// A local file's bytes, exactly as judged here: what the provider receives (hosted for
    /// it or inline), so the consent record's sha256 is of what it got. `None` for a link,
    /// which the provider fetches itself.
    #[serde(skip)]
    pub file_bytes: Option<std::sync::Arc<[u8]>>,
}

impl PhotoCheck {
    /// Any check failed: paid steps wait for the operator's override (or another photo).
    pub fn has_failures(&self) -> bool {
        self.checks.iter().any(|c| c.verdict == Verdict::Fail)
    }

    /// The checks that failed, by id (what an override records).
    pub fn failed_ids(&self) -> Vec<CheckId> {
        self.checks
            .iter()
            .filter(|c| c.verdict == Verdict::Fail)
            .map(|c| c.id)
            .collect()
    }

    /// The first failed provider limit: the provider would refuse this photo anyway.
    pub fn refusal(&self) -> Option<&PhotoCheckItem> {
        self.checks
            .iter()
            .find(|c| c.verdict == Verdict::Fail && !c.overridable)
    }

    /// Only face checks failed: the operator may use the photo anyway.
    pub fn can_override(&self) -> bool {
        self.has_failures() && self.refusal().is_none()
    }

    /// The worst verdict (pass when there are no checks).
    pub fn verdict(&self) -> Verdict {
        self.checks
            .iter()
            .map(|c| c.verdict)
            .max()
            .unwrap_or(Verdict::Pass)
    }

    /// Turns a failed provider limit into the error the operator sees.
    pub(crate) fn strict(self) -> Result<PhotoCheck> {
        match self.refusal() {
            Some(item) => Err(Error::invalid("image_url", item.message.clone())),
            None => Ok(self),
        }
    }
}

/// Checks the URL's shape without touching the network.
pub fn validate_url(raw: &str) -> Result<url::Url> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(Error::invalid(
            "image_url",
            "Paste the link to the talent's face photo.",
        ));
    }
    let url = url::Url::parse(raw).map_err(|_| {
        Error::invalid(
            "image_url",
            "That is not a web link. Paste the full photo address, starting with https://.",
        )
    })?;
    match url.scheme() {
        "https" => {}
        "http" => {
            return Err(Error::invalid(
                "image_url",
                "The photo link must start with https:// — providers refuse plain http. Use the https version of the link.",
            ))
        }
        _ => {
            return Err(Error::invalid(
                "image_url",
                "The photo must be a public https:// link (not a file on this computer).",
            ))
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid(
            "image_url",
            "The photo link has no web address in it.",
        ));
    }
    // A cloud drive's share link is read as the file it shares, by the app and the provider.
    Ok(direct_link(&url).unwrap_or(url))
}

/// Fetches the photo and checks it against BlockRun's limits (what Rehearsal, BlockRun and
/// JarvisClaw take); a failed provider limit is an error. See [`check_for`].
pub async fn check(http: &reqwest::Client, raw_url: &str) -> Result<PhotoCheck> {
    check_for(http, raw_url, &PhotoLimits::blockrun()).await
}

/// Fetches the photo and runs every check against `limits`. A failed provider limit (format,
/// size, dimensions, ratio, a damaged file) is an error with the advice as its message; failed
/// face checks come back in [`PhotoCheck::checks`] for the caller to block on.
pub async fn check_for(
    http: &reqwest::Client,
    raw_url: &str,
    limits: &PhotoLimits,
) -> Result<PhotoCheck> {
    examine(http, raw_url, limits, None).await?.strict()
}

/// Fetches the photo (https only, the provider's size cap, a connect and a total timeout, at
/// most [`MAX_REDIRECTS`] redirects with a client from [`client`]) and runs every check. Errors
/// only when there is nothing to judge. `progress` hears about the download as it goes.
pub async fn examine(
    http: &reqwest::Client,
    raw_url: &str,
    limits: &PhotoLimits,
    progress: Option<&(dyn Fn(FetchProgress) + Send + Sync)>,
) -> Result<PhotoCheck> {
    let url = validate_url(raw_url)?;
    let bytes = fetch::fetch(http, &url, &fetch::Download::photo(limits), progress).await?;
    let limits = limits.clone();
    let url = url.to_string();
    // Decoding and face detection take 50–300 ms of CPU: off the async workers.
    tokio::task::spawn_blocking(move || examine_bytes(&url, &bytes, &limits))
        .await
        .map_err(|e| Error::Internal(format!("the photo check stopped: {e}")))?
}

/// [`examine`] for whatever the operator gave: a link (with `progress` on its download) or a
/// file on this computer.
pub async fn examine_any(
    http: &reqwest::Client,
    raw: &str,
    limits: &PhotoLimits,
    progress: Option<&(dyn Fn(FetchProgress) + Send + Sync)>,
) -> Result<PhotoCheck> {
    match PhotoSource::parse(raw)? {
        PhotoSource::Link(url) => examine(http, url.as_str(), limits, progress).await,
        file => file.examine(http, limits).await,
    }
}

/// Checks bytes already in memory against BlockRun's limits; a failed provider limit is an
/// error. Public so the CLI and tests can check local files.
pub fn inspect(url: &str, bytes: &[u8]) -> Result<PhotoCheck> {
    examine_bytes(url, bytes, &PhotoLimits::blockrun())?.strict()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use base64::Engine;
    use std::io::Cursor;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 255) as u8, (y % 255) as u8, 128])
        });
        let mut out = Vec::new();
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn refuses_http_and_non_links_with_guidance() {
        for (raw, needle) in [
            ("", "Paste the link"),
            ("http://example.com/a.jpg", "https://"),
            ("file:///home/me/a.jpg", "not a file on this computer"),
            ("not a url", "not a web link"),
        ] {
            let e = validate_url(raw).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidInput);
            assert_eq!(e.field(), Some("image_url"));
            assert!(e.to_string().contains(needle), "{raw:?}: {e}");
        }
        assert!(validate_url(" https://example.com/a.jpg ").is_ok());
    }

    #[test]
    fn the_check_carries_the_sha256_of_the_bytes_it_judged() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let bytes = png(400, 500);
        let c = inspect("https://x/a.png", &bytes).unwrap();
        assert_eq!(c.sha256, sha256_hex(&bytes));
        let other = inspect("https://x/a.png", &png(401, 500)).unwrap();
        assert_ne!(other.sha256, c.sha256, "other bytes, another digest");
    }

    #[test]
    fn inspects_a_real_png_and_makes_a_small_jpeg_preview() {
        let c = inspect("https://x/a.png", &png(800, 1000)).unwrap();
        assert_eq!(
            (c.format, c.width_px, c.height_px),
            (PhotoFormat::Png, 800, 1000)
        );
        let b64 = c.thumbnail.strip_prefix("data:image/jpeg;base64,").unwrap();
        let thumb = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let t = image::load_from_memory(&thumb).unwrap();
        assert_eq!((t.width().max(t.height())), 256);
        // A gradient has no face: the face check fails, which is not an error.
        assert!(c.has_failures() && c.can_override());
        assert_eq!(c.failed_ids(), vec![CheckId::FaceCount]);
    }

    #[test]
    fn html_is_not_an_image() {
        let e = inspect("https://x/a.jpg", b"<!doctype html><html>").unwrap_err();
        assert!(e.to_string().contains("not a JPG, PNG or WEBP"), "{e}");
    }

    #[test]
    fn gif_is_refused_by_blockrun_but_taken_by_byteplus() {
        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;";
        let e = inspect("https://x/a.gif", gif).unwrap_err();
        assert!(
            e.to_string().contains("JPG, PNG or WEBP photos only"),
            "{e}"
        );
        let c = examine_bytes("https://x/a.gif", gif, &PhotoLimits::byteplus()).unwrap();
        let format = c.checks.iter().find(|i| i.id == CheckId::Format).unwrap();
        assert_eq!(format.verdict, Verdict::Pass);
    }

    #[test]
    fn truncated_jpeg_is_damaged() {
        let img = image::RgbImage::from_fn(300, 300, |x, y| image::Rgb([x as u8, y as u8, 7]));
        let mut jpeg = Vec::new();
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
            .unwrap();
        assert!(inspect("https://x/a.jpg", &jpeg).is_ok());
        let e = inspect("https://x/a.jpg", &jpeg[..jpeg.len() / 2]).unwrap_err();
        assert!(e.to_string().contains("damaged"), "{e}");
    }

    #[test]
    fn truncated_png_is_damaged() {
        let bytes = png(64, 64);
        let e = inspect("https://x/a.png", &bytes[..bytes.len() / 2]).unwrap_err();
        assert!(e.to_string().contains("damaged"), "{e}");
    }

    #[test]
    fn check_ids_are_stable_strings() {
        for id in [
            CheckId::Format,
            CheckId::FileSize,
            CheckId::Dimensions,
            CheckId::AspectRatio,
            CheckId::Integrity,
            CheckId::FaceCount,
            CheckId::FaceSize,
            CheckId::Sharpness,
        ] {
            assert_eq!(
                serde_json::to_value(id).unwrap(),
                serde_json::json!(id.as_str())
            );
        }
    }
}
