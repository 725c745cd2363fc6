//! Bringing a finished video home: streamed to `<job id>.mp4.part` under a size cap and a
//! deadline, checked to be a real MP4 or MOV with a picture, then renamed to `<job id>.mp4`, so
//! a file with the final name is always a whole, checked video.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::error::{Error, Result};
use crate::media::{self, MediaContainer, MediaInfo};

/// Connect to last byte: a 1080p 15 s clip is tens of MB, so this allows a slow studio line.
pub const TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// Whether a result address may be fetched: https always; plain http only from Rehearsal on
/// this machine or the studio's network, which serves its videos that way.
pub fn allowed(url: &url::Url, rehearsal: bool) -> Result<()> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if rehearsal && local_host(url) => Ok(()),
        _ => Err(Error::invalid(
            "url",
            format!("The provider gave the video at {url}, which is not an https address; it was not downloaded."),
        )),
    }
}

fn local_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback() || ip.is_private() || ip.is_link_local(),
        Some(url::Host::Ipv6(ip)) => {
            ip.is_loopback()
                || IpAddr::V6(ip).to_canonical().is_loopback()
                || (ip.segments()[0] & 0xfe00) == 0xfc00
                || (ip.segments()[0] & 0xffc0) == 0xfe80
        }
        None => false,
    }
}

/// The final file of a job in `dir`.
pub fn file_for(dir: &Path, job_id: &str) -> PathBuf {
    dir.join(format!("{job_id}.mp4"))
}

/// Copies a finished video to `to`, where the operator chose: through a `.part` beside it and a
/// rename, so a failed copy (a full disk, a pulled card) never leaves half a video under the
/// chosen name. An existing file there was already confirmed by the save dialog.
pub async fn save_copy(from: &Path, to: &Path) -> Result<PathBuf> {
    if from == to {
        return Ok(to.to_path_buf());
    }
    let mut part = to.as_os_str().to_owned();
    part.push(".part");
    let part = PathBuf::from(part);
    let copied = tokio::fs::copy(from, &part).await;
    let moved = match copied {
        Ok(_) => tokio::fs::rename(&part, to).await,
        Err(e) => Err(e),
    };
    moved.map_err(|e| {
        let _ = std::fs::remove_file(&part);
        Error::invalid(
            "destination",
            format!(
                "The video could not be saved to {}: {e}. Choose another folder; the video itself is still kept by the app.",
                to.display()
            ),
        )
    })?;
    Ok(to.to_path_buf())
}

/// Downloads `url` into `dir` as `<job id>.mp4`, checking it on the way, and returns its path.
pub async fn fetch(
    http: &reqwest::Client,
    url: &url::Url,
    rehearsal: bool,
    dir: &Path,
    job_id: &str,
    max_bytes: u64,
) -> Result<PathBuf> {
    allowed(url, rehearsal)?;
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| Error::Storage(format!("cannot create {}: {e}", dir.display())))?;
    let part = dir.join(format!("{job_id}.mp4.part"));
    let result = stream_to(http, url, rehearsal, &part, max_bytes).await;
    let outcome = match result {
        Ok(()) => check(&part).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => {
            let path = file_for(dir, job_id);
            tokio::fs::rename(&part, &path).await.map_err(|e| {
                Error::Storage(format!("cannot move the video to {}: {e}", path.display()))
            })?;
            Ok(path)
        }
        Err(e) => {
            let _ = tokio::fs::remove_file(&part).await;
            Err(e)
        }
    }
}

async fn stream_to(
    http: &reqwest::Client,
    url: &url::Url,
    rehearsal: bool,
    part: &Path,
    max_bytes: u64,
) -> Result<()> {
    let failed = |detail: String| {
        Error::invalid(
            "url",
            format!("The finished video could not be downloaded ({detail})."),
        )
    };
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    let minutes = TIMEOUT.as_secs() / 60;
    let timed_out = || failed(format!("it took longer than {minutes} minutes"));
    // No key or payment goes with it: result addresses are public or signed on their own.
    let response = tokio::time::timeout_at(deadline, http.get(url.clone()).timeout(TIMEOUT).send())
        .await
        .map_err(|_| timed_out())?
        .map_err(|e| {
            failed(if e.is_timeout() {
                format!("it took longer than {minutes} minutes")
            } else {
                "the connection failed".into()
            })
        })?;
    // A redirect must land somewhere the first address could have been.
    allowed(response.url(), rehearsal)?;
    if !response.status().is_success() {
        return Err(failed(format!("the server answered {}", response.status())));
    }
    if response.content_length().is_some_and(|n| n > max_bytes) {
        return Err(failed(format!(
            "it is larger than the {} MB a video may be",
            max_bytes / 1_000_000
        )));
    }
    let mut file = tokio::fs::File::create(part)
        .await
        .map_err(|e| Error::Storage(format!("cannot write {}: {e}", part.display())))?;
    let mut received: u64 = 0;
    let mut body = response.bytes_stream();
    loop {
        let chunk = match tokio::time::timeout_at(deadline, body.next()).await {
            Err(_) => return Err(timed_out()),
            Ok(None) => break,
            Ok(Some(Err(_))) => return Err(failed("the connection dropped".into())),
            Ok(Some(Ok(c))) => c,
        };
        received += chunk.len() as u64;
        if received > max_bytes {
            return Err(failed(format!(
                "it is larger than the {} MB a video may be",
                max_bytes / 1_000_000
            )));
        }
        file.write_all(&chunk)
            .await
            .map_err(|e| Error::Storage(format!("cannot write {}: {e}", part.display())))?;
    }
    file.flush()
        .await
        .map_err(|e| Error::Storage(format!("cannot write {}: {e}", part.display())))?;
    Ok(())
}

/// The file must be an MP4 or MOV with a picture.
async fn check(path: &Path) -> Result<MediaInfo> {
    let p = path.to_path_buf();
    let read = tokio::task::spawn_blocking(move || probe_file(&p))
        .await
        .map_err(|e| Error::Internal(format!("the video check stopped: {e}")))?;
    let refused = |why: String| {
        Error::invalid(
            "url",
            format!("The downloaded file is not a playable video ({why}); it was not kept."),
        )
    };
    match read {
        Ok(info)
            if matches!(info.container, MediaContainer::Mp4 | MediaContainer::Mov)
                && info.width_px.is_some() =>
        {
            Ok(info)
        }
        Ok(info) => Err(refused(format!(
            "{} without a picture",
            info.container.label()
        ))),
        Err(ProbeFile::Io(e)) => Err(Error::Storage(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
        Err(ProbeFile::Media(e)) => Err(refused(e.to_string())),
    }
}

/// Why [`probe_file`] failed.
#[derive(Debug)]
pub enum ProbeFile {
    Io(std::io::Error),
    Media(media::ProbeError),
}

/// The largest top-level box copied for the probe; an index (`moov`) is a few hundred KB.
const MAX_INDEX_BYTES: u64 = 64 << 20;

/// [`media::probe`] of a file on disk without reading the pictures: the top-level boxes are
/// copied as they are, except the media data (`mdat`), which is replaced by an empty box. The
/// probe reads only the index, so a 1 GB video is judged from a few hundred KB. A file that is
/// not ISO-BMFF is probed from its first megabyte, which says what it is.
pub fn probe_file(path: &Path) -> std::result::Result<MediaInfo, ProbeFile> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).map_err(ProbeFile::Io)?;
    let len = f.metadata().map_err(ProbeFile::Io)?.len();
    let mut head = vec![0u8; len.min(1 << 20) as usize];
    f.read_exact(&mut head).map_err(ProbeFile::Io)?;
    let is_bmff = head.len() >= 8
        && matches!(
            &head[4..8],
            b"ftyp" | b"moov" | b"mdat" | b"wide" | b"free" | b"skip" | b"pnot"
        );
    if !is_bmff || len <= 1 << 20 {
        return media::probe(&head).map_err(ProbeFile::Media);
    }
    let mut condensed = Vec::new();
    let mut pos: u64 = 0;
    while pos < len {
        f.seek(SeekFrom::Start(pos)).map_err(ProbeFile::Io)?;
        let mut header = [0u8; 16];
        let avail = (len - pos).min(16) as usize;
        f.read_exact(&mut header[..avail]).map_err(ProbeFile::Io)?;
        if avail < 8 {
            // Trailing bytes that are not a box: leave them to the probe to judge.
            condensed.extend_from_slice(&header[..avail]);
            break;
        }
        let size32 = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
        let kind = [header[4], header[5], header[6], header[7]];
        let size = match size32 {
            0 => len - pos,
            1 if avail >= 16 => u64::from_be_bytes(header[8..16].try_into().unwrap_or([0; 8])),
            n => u64::from(n),
        };
        if size < 8 || pos + size > len {
            // Damaged or cut short: hand the probe the rest as it is (capped), and let it say so.
            let rest = (len - pos).min(MAX_INDEX_BYTES) as usize;
            let mut tail = vec![0u8; rest];
            f.seek(SeekFrom::Start(pos)).map_err(ProbeFile::Io)?;
            f.read_exact(&mut tail).map_err(ProbeFile::Io)?;
            condensed.extend_from_slice(&tail);
            break;
        }
        if &kind == b"mdat" || &kind == b"free" || &kind == b"skip" {
            condensed.extend_from_slice(&8u32.to_be_bytes());
            condensed.extend_from_slice(&kind);
        } else if size > MAX_INDEX_BYTES {
            return Err(ProbeFile::Media(media::ProbeError::Damaged(
                "its index is impossibly large",
            )));
        } else {
            let mut whole = vec![0u8; size as usize];
            f.seek(SeekFrom::Start(pos)).map_err(ProbeFile::Io)?;
            f.read_exact(&mut whole).map_err(ProbeFile::Io)?;
            condensed.extend_from_slice(&whole);
        }
        pos += size;
    }
    media::probe(&condensed).map_err(ProbeFile::Media)
}
