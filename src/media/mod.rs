//! A talent's video or audio file, checked against the provider's documented limits before it
//! is uploaded as an asset, so a file the provider would refuse never costs a call. Images go
//! through [`crate::photo`]; this is the same idea for the other two asset types.
//!
//! - [`probe`]: what the bytes are (MP4, MOV, MP3 or WAV, from the bytes, never the link's
//!   extension) and their duration, frame rate and picture size, read from the container's
//!   headers alone. Pure Rust, nothing decoded, and hostile input is refused, never trusted.
//! - [`examine_bytes`] / [`examine`]: the checklist against [`MediaLimits`], each line a pass,
//!   warn or fail in plain words with the fix. A file that cannot be read is a failed line,
//!   not an error; [`examine`] errs only when there is nothing to judge (a bad link, a failed
//!   or cut-short download, a file over the size cap, refused before it is all downloaded).

mod bytes;
mod check;
mod isobmff;
mod mp3;
mod wav;

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::photo::fetch::{self, Download};
use crate::photo::{FetchProgress, Verdict};

pub use check::examine_bytes;

/// The whole download, connect to last byte: 50 MB on a slow studio line.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(60);

/// What an asset is. BytePlus's `AssetType` wire value is exactly [`AssetType::label`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum AssetType {
    Image,
    Video,
    Audio,
}

impl AssetType {
    pub fn as_str(self) -> &'static str {
        match self {
            AssetType::Image => "image",
            AssetType::Video => "video",
            AssetType::Audio => "audio",
        }
    }

    /// "video", " Audio ": any case, spaces trimmed.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "image" => Some(AssetType::Image),
            "video" => Some(AssetType::Video),
            "audio" => Some(AssetType::Audio),
            _ => None,
        }
    }

    /// "Image", "Video", "Audio": for people, and BytePlus's wire value.
    pub fn label(self) -> &'static str {
        match self {
            AssetType::Image => "Image",
            AssetType::Video => "Video",
            AssetType::Audio => "Audio",
        }
    }

    /// What the file is called in messages: "video", "audio file".
    pub fn noun(self) -> &'static str {
        match self {
            AssetType::Image => "image",
            AssetType::Video => "video",
            AssetType::Audio => "audio file",
        }
    }
}

/// The container, from the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum MediaContainer {
    Mp4,
    /// QuickTime.
    Mov,
    Mp3,
    Wav,
}

impl MediaContainer {
    /// How people write it: "MP4", "MOV".
    pub fn label(self) -> &'static str {
        match self {
            MediaContainer::Mp4 => "MP4",
            MediaContainer::Mov => "MOV",
            MediaContainer::Mp3 => "MP3",
            MediaContainer::Wav => "WAV",
        }
    }

    /// The asset type a file in this container is.
    pub fn asset_type(self) -> AssetType {
        match self {
            MediaContainer::Mp4 | MediaContainer::Mov => AssetType::Video,
            MediaContainer::Mp3 | MediaContainer::Wav => AssetType::Audio,
        }
    }

    /// The Content-Type to upload it with.
    pub fn mime(self) -> &'static str {
        match self {
            MediaContainer::Mp4 => "video/mp4",
            MediaContainer::Mov => "video/quicktime",
            MediaContainer::Mp3 => "audio/mpeg",
            MediaContainer::Wav => "audio/wav",
        }
    }

    /// "an" for MP4 and MP3 (read "em-pee"), "a" for MOV and WAV.
    fn article(self) -> &'static str {
        match self {
            MediaContainer::Mp4 | MediaContainer::Mp3 => "an",
            MediaContainer::Mov | MediaContainer::Wav => "a",
        }
    }

    /// "an MP4", "a MOV".
    fn with_article(self) -> String {
        format!("{} {}", self.article(), self.label())
    }
}

/// What [`probe`] reads from the headers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MediaInfo {
    pub container: MediaContainer,
    pub duration_ms: u64,
    /// Frames ÷ the video track's duration; `None` for audio or a track without frames.
    pub fps: Option<f32>,
    /// The picture as shown: a track turned a quarter by its display matrix is swapped.
    pub width_px: Option<u32>,
    pub height_px: Option<u32>,
}

/// Why [`probe`] could not read the bytes, in words that fit after "The file is …" lines.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProbeError {
    #[error("the file is empty")]
    Empty,
    #[error("not a video or audio file we can read")]
    NotMedia,
    /// A kind of file recognised, but not one taken: "a WebM or MKV video", "a JPEG image".
    #[error("{what}, not an MP4, MOV, MP3 or WAV file")]
    Unsupported {
        what: &'static str,
        /// The asset type such a file would be, if any.
        kind: Option<AssetType>,
    },
    #[error("the file is cut short")]
    Truncated,
    #[error("the file is damaged: {0}")]
    Damaged(&'static str),
}

/// What the bytes are and what their headers say, without decoding a frame or a sample.
pub fn probe(bytes: &[u8]) -> Result<MediaInfo, ProbeError> {
    read(bytes).1.map(|r| r.info)
}

/// A successful read, with what the checklist needs beyond [`MediaInfo`].
struct Read {
    info: MediaInfo,
    /// An MP4 or MOV with a video track (an M4A is an MP4 with sound only).
    has_video: bool,
}

/// The container when the bytes were recognised (even if reading them then failed), and the
/// read.
fn read(bytes: &[u8]) -> (Option<MediaContainer>, Result<Read, ProbeError>) {
    if bytes.is_empty() {
        return (None, Err(ProbeError::Empty));
    }
    if let Some(identified) = isobmff::identify(bytes) {
        let container = match identified {
            Ok(c) => c,
            Err(e) => return (None, Err(e)),
        };
        let read = isobmff::measure(bytes).map(|m| Read {
            info: MediaInfo {
                container,
                duration_ms: m.duration_ms,
                fps: m.fps,
                width_px: m.width_px,
                height_px: m.height_px,
            },
            has_video: m.has_video,
        });
        return (Some(container), read);
    }
    let audio = |container, duration_ms| Read {
        info: MediaInfo {
            container,
            duration_ms,
            fps: None,
            width_px: None,
            height_px: None,
        },
        has_video: false,
    };
    if wav::is_wav(bytes) {
        let read = wav::duration_ms(bytes).map(|ms| audio(MediaContainer::Wav, ms));
        return (Some(MediaContainer::Wav), read);
    }
    if let Some(e) = other_format(bytes) {
        return (None, Err(e));
    }
    let start = match mp3::skip_id3(bytes) {
        Ok(start) => start,
        Err(e) => return (None, Err(e)),
    };
    // An ID3 tag also heads FLAC and raw AAC now and then.
    if let Some(e) = bytes
        .get(start..)
        .filter(|_| start > 0)
        .and_then(other_format)
    {
        return (None, Err(e));
    }
    match mp3::duration_ms(bytes, start) {
        Some(read) => (
            Some(MediaContainer::Mp3),
            read.map(|ms| audio(MediaContainer::Mp3, ms)),
        ),
        None if start > 0 => (
            None,
            Err(ProbeError::Damaged(
                "it has an MP3 tag but no MP3 sound in it",
            )),
        ),
        None => (None, Err(ProbeError::NotMedia)),
    }
}

/// Files people paste by mistake, named so the message can say what they gave.
fn other_format(b: &[u8]) -> Option<ProbeError> {
    let unsupported = |what, kind| Some(ProbeError::Unsupported { what, kind });
    let at = |i: usize, magic: &[u8]| b.get(i..).is_some_and(|r| r.starts_with(magic));
    let video = Some(AssetType::Video);
    let audio = Some(AssetType::Audio);
    let image = Some(AssetType::Image);
    if at(0, b"\x1A\x45\xDF\xA3") {
        return unsupported("a WebM or MKV video", video);
    }
    if at(0, b"RIFF") && at(8, b"AVI ") {
        return unsupported("an AVI video", video);
    }
    if at(0, b"RIFF") && at(8, b"WEBP") {
        return unsupported("a WebP image", image);
    }
    if at(0, b"FLV\x01") {
        return unsupported("a Flash (FLV) video", video);
    }
    if at(0, b"\x00\x00\x01\xBA") {
        return unsupported("an MPEG-PS video", video);
    }
    if b.len() > 376 && b[0] == 0x47 && b[188] == 0x47 && b[376] == 0x47 {
        return unsupported("an MPEG-TS video", video);
    }
    if at(0, b"fLaC") {
        return unsupported("a FLAC audio file", audio);
    }
    if at(0, b"OggS") {
        return unsupported("an Ogg audio file", audio);
    }
    if at(0, b"FORM") && (at(8, b"AIFF") || at(8, b"AIFC")) {
        return unsupported("an AIFF audio file", audio);
    }
    if at(0, b"#!AMR") {
        return unsupported("an AMR audio file", audio);
    }
    // ADTS: a 12-bit sync and layer 0, which MPEG audio never uses.
    if b.len() >= 2 && b[0] == 0xFF && b[1] & 0xF6 == 0xF0 {
        return unsupported("an AAC audio file", audio);
    }
    if at(0, b"\xFF\xD8\xFF") {
        return unsupported("a JPEG image", image);
    }
    if at(0, b"\x89PNG\r\n\x1A\n") {
        return unsupported("a PNG image", image);
    }
    if at(0, b"GIF87a") || at(0, b"GIF89a") {
        return unsupported("a GIF image", image);
    }
    if at(0, b"II*\0") || at(0, b"MM\0*") {
        return unsupported("a TIFF image", image);
    }
    if at(0, b"%PDF") {
        return unsupported("a PDF document", None);
    }
    if at(0, b"PK\x03\x04") {
        return unsupported("a ZIP archive", None);
    }
    let text = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
    match text.iter().find(|c| !c.is_ascii_whitespace()) {
        Some(b'<') => unsupported(WEB_PAGE, None),
        Some(b'{') => unsupported("a JSON text", None),
        _ => None,
    }
}

/// Links to a player page rather than the file are the most common mistake.
const WEB_PAGE: &str = "a web page";

/// What a provider accepts for one asset type. `None` where it documents no limit.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MediaLimits {
    /// Whose limits these are, for messages: "BytePlus".
    pub provider: String,
    /// The largest file accepted, in bytes (inclusive).
    pub max_bytes: u64,
    /// The shortest and longest accepted, inclusive.
    pub min_duration_ms: u64,
    pub max_duration_ms: u64,
    /// Frames a second accepted (inclusive); video only.
    pub min_fps: Option<f32>,
    pub max_fps: Option<f32>,
    /// Width ÷ height as shown (inclusive); video only.
    pub min_ratio: Option<f32>,
    pub max_ratio: Option<f32>,
    pub containers: Vec<MediaContainer>,
}

impl MediaLimits {
    /// BytePlus's asset API (behind Anyfast and Crun). Video: MP4 or MOV, at most 50 MB (read
    /// as 50,000,000 bytes, the stricter reading), 2–15 s, 24–60 fps, width ÷ height 0.4–2.5.
    /// Audio: MP3 or WAV, at most 15 MB (15,000,000 bytes), 2–15 s. `None` for images, which
    /// [`crate::photo::PhotoLimits::byteplus`] covers.
    pub fn byteplus(asset_type: AssetType) -> Option<MediaLimits> {
        let provider = "BytePlus".to_string();
        match asset_type {
            AssetType::Image => None,
            AssetType::Video => Some(MediaLimits {
                provider,
                max_bytes: 50_000_000,
                min_duration_ms: 2_000,
                max_duration_ms: 15_000,
                min_fps: Some(24.0),
                max_fps: Some(60.0),
                min_ratio: Some(0.4),
                max_ratio: Some(2.5),
                containers: vec![MediaContainer::Mp4, MediaContainer::Mov],
            }),
            AssetType::Audio => Some(MediaLimits {
                provider,
                max_bytes: 15_000_000,
                min_duration_ms: 2_000,
                max_duration_ms: 15_000,
                min_fps: None,
                max_fps: None,
                min_ratio: None,
                max_ratio: None,
                containers: vec![MediaContainer::Mp3, MediaContainer::Wav],
            }),
        }
    }

    /// "MP4 or MOV".
    pub fn containers_text(&self) -> String {
        let names: Vec<&str> = self.containers.iter().map(|c| c.label()).collect();
        match names.split_last() {
            Some((last, [])) => (*last).to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }

    /// "50 MB": the cap as documented.
    pub fn max_size_text(&self) -> String {
        format!("{} MB", check::trimmed(self.max_bytes as f64 / 1e6, 2))
    }
}

/// One check's stable id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum MediaCheckId {
    Format,
    FileSize,
    Duration,
    FrameRate,
    AspectRatio,
    Integrity,
}

impl MediaCheckId {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaCheckId::Format => "format",
            MediaCheckId::FileSize => "file_size",
            MediaCheckId::Duration => "duration",
            MediaCheckId::FrameRate => "frame_rate",
            MediaCheckId::AspectRatio => "aspect_ratio",
            MediaCheckId::Integrity => "integrity",
        }
    }
}

/// One line of the checklist. Every line is a provider limit: a failed one cannot be
/// overridden, because the provider refuses such a file whatever the operator says.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MediaCheckItem {
    pub id: MediaCheckId,
    pub verdict: Verdict,
    /// A short name: "Duration", "Frame rate".
    pub label: String,
    /// Plain words: what was found and, unless it passed, what to do about it.
    pub message: String,
}

/// The file's facts and the checklist.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MediaCheck {
    pub url: String,
    /// What the operator chose the file as.
    pub asset_type: AssetType,
    /// `None` when the bytes are nothing we recognise.
    pub container: Option<MediaContainer>,
    pub size_bytes: u64,
    /// The sha256 (lowercase hex) of exactly the bytes that were fetched and checked: what the
    /// asset's consent record keeps.
    pub sha256: String,
    pub duration_ms: Option<u64>,
    pub fps: Option<f32>,
    /// As shown (a quarter-turned track is swapped).
    pub width_px: Option<u32>,
    pub height_px: Option<u32>,
    /// Whose limits were applied ("BytePlus").
    pub provider: String,
    pub checks: Vec<MediaCheckItem>,
}

impl MediaCheck {
    /// Any check failed: the provider would refuse the file.
    pub fn has_failures(&self) -> bool {
        self.checks.iter().any(|c| c.verdict == Verdict::Fail)
    }

    /// The first failed check: what to tell the operator.
    pub fn refusal(&self) -> Option<&MediaCheckItem> {
        self.checks.iter().find(|c| c.verdict == Verdict::Fail)
    }

    /// The checks that failed, by id.
    pub fn failed_ids(&self) -> Vec<MediaCheckId> {
        self.checks
            .iter()
            .filter(|c| c.verdict == Verdict::Fail)
            .map(|c| c.id)
            .collect()
    }

    /// The worst verdict (pass when there are no checks).
    pub fn verdict(&self) -> Verdict {
        self.checks
            .iter()
            .map(|c| c.verdict)
            .max()
            .unwrap_or(Verdict::Pass)
    }
}

/// Checks the link's shape without touching the network. Errors point at the field "url".
pub fn validate_url(raw: &str, asset_type: AssetType) -> Result<url::Url> {
    let what = asset_type.noun();
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(Error::invalid(
            "url",
            format!("Paste the link to the {what}."),
        ));
    }
    let url = url::Url::parse(raw).map_err(|_| {
        Error::invalid(
            "url",
            format!(
                "That is not a web link. Paste the full {what} address, starting with https://."
            ),
        )
    })?;
    match url.scheme() {
        "https" => {}
        "http" => {
            return Err(Error::invalid(
                "url",
                format!("The {what} link must start with https:// — providers refuse plain http. Use the https version of the link."),
            ))
        }
        _ => {
            return Err(Error::invalid(
                "url",
                format!("The {what} must be a public https:// link (not a file on this computer)."),
            ))
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid(
            "url",
            format!("The {what} link has no web address in it."),
        ));
    }
    // Clips shared from a cloud drive are read as the file, like photos.
    Ok(crate::photo::direct_link(&url).unwrap_or(url))
}

/// Fetches the file (https only, a cap of `limits.max_bytes`, a connect timeout and
/// [`FETCH_TIMEOUT`] for the whole, at most [`crate::photo::MAX_REDIRECTS`] redirects with a
/// client from [`crate::photo::client`]) and runs every check. Errors only when there is
/// nothing to judge; a file over the cap is refused from its Content-Length, or as soon as one
/// byte too many arrives.
pub async fn examine(
    http: &reqwest::Client,
    raw_url: &str,
    asset_type: AssetType,
    limits: &MediaLimits,
) -> Result<MediaCheck> {
    examine_with_progress(http, raw_url, asset_type, limits, None).await
}

/// [`examine`], telling `progress` about the download as it goes (a 50 MB video takes a while).
pub async fn examine_with_progress(
    http: &reqwest::Client,
    raw_url: &str,
    asset_type: AssetType,
    limits: &MediaLimits,
    progress: Option<&(dyn Fn(FetchProgress) + Send + Sync)>,
) -> Result<MediaCheck> {
    Ok(fetch_examined(http, raw_url, asset_type, limits, progress)
        .await?
        .1)
}

/// The file at `raw_url`, fetched within `limits` as for its check, with its check: the bytes
/// for a copy the window can play, the check for what they are.
pub async fn fetch_examined(
    http: &reqwest::Client,
    raw_url: &str,
    asset_type: AssetType,
    limits: &MediaLimits,
    progress: Option<&(dyn Fn(FetchProgress) + Send + Sync)>,
) -> Result<(std::sync::Arc<Vec<u8>>, MediaCheck)> {
    let url = validate_url(raw_url, asset_type)?;
    let download = Download {
        field: "url",
        what: asset_type.noun(),
        max_bytes: limits.max_bytes,
        timeout: FETCH_TIMEOUT,
        cap: format!("the {} {} accepts", limits.max_size_text(), limits.provider),
        advice: check::smaller_advice(asset_type).to_string(),
    };
    let bytes = std::sync::Arc::new(fetch::fetch(http, &url, &download, progress).await?);
    let limits = limits.clone();
    let url = url.to_string();
    let read = bytes.clone();
    // An MP3 is read frame by frame: milliseconds, but off the async workers all the same.
    let check =
        tokio::task::spawn_blocking(move || examine_bytes(&url, &read, asset_type, &limits))
            .await
            .map_err(|e| {
                Error::Internal(format!("the {} check stopped: {e}", asset_type.as_str()))
            })?;
    Ok((bytes, check))
}

impl MediaContainer {
    pub const ALL: [MediaContainer; 4] = [
        MediaContainer::Mp4,
        MediaContainer::Mov,
        MediaContainer::Mp3,
        MediaContainer::Wav,
    ];

    /// The file extension a copy is kept under.
    pub fn extension(self) -> &'static str {
        match self {
            MediaContainer::Mp4 => "mp4",
            MediaContainer::Mov => "mov",
            MediaContainer::Mp3 => "mp3",
            MediaContainer::Wav => "wav",
        }
    }
}

#[cfg(test)]
mod tests;
