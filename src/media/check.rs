//! From bytes to the checklist: what the file is, then each documented limit in turn, each
//! line in plain words with the fix.

use super::{
    read, AssetType, MediaCheck, MediaCheckId, MediaCheckItem, MediaContainer, MediaLimits,
    ProbeError, Read, WEB_PAGE,
};
use crate::photo::Verdict;

/// Exact frame rates and ratios (24 frames a second, 2 : 5) come out a hair off in floating
/// point, and must not fail for it. Far below any real difference (23.976 fps still fails).
const FPS_SLACK: f64 = 0.001;
const RATIO_SLACK: f64 = 1e-6;

fn item(
    id: MediaCheckId,
    verdict: Verdict,
    label: &str,
    message: impl Into<String>,
) -> MediaCheckItem {
    MediaCheckItem {
        id,
        verdict,
        label: label.to_string(),
        message: message.into(),
    }
}

/// Runs every check on bytes already in memory. Never fails: a file that cannot be read is a
/// failed line in the checklist.
pub fn examine_bytes(
    url: &str,
    bytes: &[u8],
    asset_type: AssetType,
    limits: &MediaLimits,
) -> MediaCheck {
    let (container, result) = read(bytes);
    let info = result.as_ref().ok().map(|r| r.info);
    let mut check = MediaCheck {
        url: url.to_string(),
        asset_type,
        container,
        size_bytes: bytes.len() as u64,
        sha256: crate::photo::sha256_hex(bytes),
        duration_ms: info.map(|i| i.duration_ms),
        fps: info.and_then(|i| i.fps),
        width_px: info.and_then(|i| i.width_px),
        height_px: info.and_then(|i| i.height_px),
        provider: limits.provider.clone(),
        checks: Vec::new(),
    };

    let format = format_item(container, &result, asset_type, limits);
    // A file of the wrong kind fails once, on its format: its length or frame rate is beside
    // the point.
    let judged = format.as_ref().is_none_or(|f| f.verdict != Verdict::Fail);
    check.checks.extend(format);
    check
        .checks
        .push(size_item(bytes.len() as u64, asset_type, limits));
    if !judged {
        return check;
    }
    let read = match result {
        Ok(read) => read,
        Err(e) => {
            check
                .checks
                .extend(integrity_failure(&e, asset_type, limits));
            return check;
        }
    };
    check.checks.push(item(
        MediaCheckId::Integrity,
        Verdict::Pass,
        "Complete file",
        "The file is complete and its headers read cleanly.",
    ));
    check
        .checks
        .push(duration_item(read.info.duration_ms, asset_type, limits));
    if asset_type == AssetType::Video {
        check.checks.extend(frame_rate_item(read.info.fps, limits));
        check
            .checks
            .extend(ratio_item(read.info.width_px, read.info.height_px, limits));
    }
    check
}

/// "a video", "audio", "an image": what was chosen.
fn chosen(asset_type: AssetType) -> &'static str {
    match asset_type {
        AssetType::Image => "an image",
        AssetType::Video => "a video",
        AssetType::Audio => "audio",
    }
}

/// "a video link".
fn link(asset_type: AssetType) -> &'static str {
    match asset_type {
        AssetType::Image => "an image link",
        AssetType::Video => "a video link",
        AssetType::Audio => "an audio link",
    }
}

/// "videos", "audio": the plural after "takes MP4 or MOV".
fn plural(asset_type: AssetType) -> &'static str {
    match asset_type {
        AssetType::Image => "images",
        AssetType::Video => "videos",
        AssetType::Audio => "audio",
    }
}

/// "an MP4 or MOV video", "an MP3 or WAV audio file".
fn wanted(asset_type: AssetType, limits: &MediaLimits) -> String {
    let Some(first) = limits.containers.first() else {
        return format!("a file {} takes", limits.provider);
    };
    format!(
        "{} {} {}",
        first.article(),
        limits.containers_text(),
        asset_type.noun()
    )
}

/// What to do with a file over the cap.
pub(super) fn smaller_advice(asset_type: AssetType) -> &'static str {
    match asset_type {
        AssetType::Video => "Trim it, or export it at a lower quality.",
        AssetType::Audio => "Trim it, or save it as MP3 at a lower bitrate.",
        AssetType::Image => "Use a smaller file.",
    }
}

fn format_item(
    container: Option<MediaContainer>,
    result: &Result<Read, ProbeError>,
    asset_type: AssetType,
    limits: &MediaLimits,
) -> Option<MediaCheckItem> {
    let p = &limits.provider;
    let fail = |message: String| Some(item(MediaCheckId::Format, Verdict::Fail, "Format", message));
    let convert_to = limits.containers.first().map_or("", |c| c.label());
    let Some(c) = container else {
        return match result {
            Err(ProbeError::Unsupported { what, .. }) if *what == WEB_PAGE => {
                let extensions: Vec<String> = limits
                    .containers
                    .iter()
                    .map(|c| format!(".{}", c.label().to_ascii_lowercase()))
                    .collect();
                fail(format!(
                    "That link leads to a web page, not the {what} itself. Open it, copy the address of the {what} (it usually ends in {}), and paste that.",
                    extensions.join(" or "),
                    what = asset_type.noun(),
                ))
            }
            Err(ProbeError::Unsupported {
                what,
                kind: Some(AssetType::Image),
            }) if asset_type != AssetType::Image => fail(format!(
                "This is {what}, but {} was chosen. Pick Image, or give {}.",
                chosen(asset_type),
                link(asset_type)
            )),
            Err(ProbeError::Unsupported { what, kind }) if *kind == Some(asset_type) => {
                fail(format!(
                    "This is {what}; {p} takes {} {} only. Convert it to {convert_to} and use that.",
                    limits.containers_text(),
                    plural(asset_type)
                ))
            }
            Err(ProbeError::Unsupported { what, .. }) => fail(format!(
                "This is {what}, not {}. Give a link to {}.",
                chosen(asset_type),
                wanted(asset_type, limits)
            )),
            Err(ProbeError::NotMedia) => fail(format!(
                "This file is not a video or audio file we can read. Give a link to {}.",
                wanted(asset_type, limits)
            )),
            // Empty, cut short or damaged before its kind was clear: the integrity line says so.
            _ => None,
        };
    };
    let sound_only = matches!(result, Ok(r) if c.asset_type() == AssetType::Video && !r.has_video);
    if sound_only && asset_type == AssetType::Video {
        return fail(format!(
            "This {} file holds sound only, no picture. Give a link to {}, or pick Audio and use an MP3 or WAV file.",
            c.label(),
            wanted(asset_type, limits)
        ));
    }
    if sound_only && asset_type == AssetType::Audio {
        return fail(format!(
            "This is sound in {} box (an M4A file); {p} takes {} audio only. Convert it to {convert_to} and use that.",
            c.with_article(),
            limits.containers_text()
        ));
    }
    if c.asset_type() != asset_type {
        return fail(format!(
            "This is {} file, but {} was chosen. Pick {}, or give {}.",
            c.with_article(),
            chosen(asset_type),
            c.asset_type().label(),
            link(asset_type)
        ));
    }
    if !limits.containers.contains(&c) {
        return fail(format!(
            "This is {} file; {p} takes {} {} only. Convert it to {convert_to} and use that.",
            c.with_article(),
            limits.containers_text(),
            plural(asset_type)
        ));
    }
    let label = match c {
        MediaContainer::Mov => "MOV (QuickTime)",
        other => other.label(),
    };
    Some(item(MediaCheckId::Format, Verdict::Pass, "Format", label))
}

fn size_item(size: u64, asset_type: AssetType, limits: &MediaLimits) -> MediaCheckItem {
    if size <= limits.max_bytes {
        return item(
            MediaCheckId::FileSize,
            Verdict::Pass,
            "File size",
            size_text(size),
        );
    }
    let cap_mb = limits.max_bytes as f64 / 1e6;
    let shown = if size >= 1_000_000 {
        format!("{} MB", figure(size as f64 / 1e6, 1, cap_mb, 6))
    } else {
        size_text(size)
    };
    item(
        MediaCheckId::FileSize,
        Verdict::Fail,
        "File size",
        format!(
            "The file is {shown}; {} takes up to {}. {}",
            limits.provider,
            limits.max_size_text(),
            smaller_advice(asset_type)
        ),
    )
}

fn integrity_failure(
    e: &ProbeError,
    asset_type: AssetType,
    limits: &MediaLimits,
) -> Option<MediaCheckItem> {
    let p = &limits.provider;
    let message = match e {
        ProbeError::Empty => format!(
            "The file is empty (0 bytes). Check that the link opens the {} in a browser, then try again.",
            asset_type.noun()
        ),
        ProbeError::Truncated => format!(
            "The file is cut short (it stops part-way), so {p} cannot use it. Download or export it again, and use the whole file."
        ),
        ProbeError::Damaged(detail) => format!(
            "The file is damaged ({detail}), so {p} cannot use it. Export it again from the original."
        ),
        // The format line has said what it is.
        ProbeError::NotMedia | ProbeError::Unsupported { .. } => return None,
    };
    Some(item(
        MediaCheckId::Integrity,
        Verdict::Fail,
        "Complete file",
        message,
    ))
}

fn duration_item(ms: u64, asset_type: AssetType, limits: &MediaLimits) -> MediaCheckItem {
    let (lo, hi) = (limits.min_duration_ms, limits.max_duration_ms);
    let range = format!(
        "{}–{} s",
        trimmed(lo as f64 / 1000.0, 3),
        trimmed(hi as f64 / 1000.0, 3)
    );
    let p = &limits.provider;
    let subject = match asset_type {
        AssetType::Audio => "audio",
        _ => "video",
    };
    if ms > hi {
        item(
            MediaCheckId::Duration,
            Verdict::Fail,
            "Duration",
            format!(
                "The {subject} is {} long; {p} takes {range}. Trim it to {} s or less.",
                seconds(ms, hi),
                trimmed(hi as f64 / 1000.0, 3)
            ),
        )
    } else if ms < lo {
        let longer = match asset_type {
            AssetType::Audio => "recording",
            _ => "clip",
        };
        item(
            MediaCheckId::Duration,
            Verdict::Fail,
            "Duration",
            format!(
                "The {subject} is only {} long; {p} takes {range}. Use a longer {longer}, at least {} s.",
                seconds(ms, lo),
                trimmed(lo as f64 / 1000.0, 3)
            ),
        )
    } else {
        item(
            MediaCheckId::Duration,
            Verdict::Pass,
            "Duration",
            seconds(ms, u64::MAX),
        )
    }
}

fn frame_rate_item(fps: Option<f32>, limits: &MediaLimits) -> Option<MediaCheckItem> {
    if limits.min_fps.is_none() && limits.max_fps.is_none() {
        return None;
    }
    let p = &limits.provider;
    let lo = limits.min_fps.map_or(0.0, f64::from);
    let hi = limits.max_fps.map_or(f64::INFINITY, f64::from);
    let range = match (limits.min_fps, limits.max_fps) {
        (Some(lo), Some(hi)) => format!(
            "{}–{} fps",
            trimmed(f64::from(lo), 3),
            trimmed(f64::from(hi), 3)
        ),
        (Some(lo), None) => format!("at least {} fps", trimmed(f64::from(lo), 3)),
        (None, _) => format!("at most {} fps", trimmed(hi, 3)),
    };
    let fail = |message: String| {
        Some(item(
            MediaCheckId::FrameRate,
            Verdict::Fail,
            "Frame rate",
            message,
        ))
    };
    let Some(fps) = fps.map(f64::from) else {
        return fail(
            "The frame rate cannot be measured: the video track holds no frames. Export the clip again as MP4 (H.264).".to_string(),
        );
    };
    if fps < lo - FPS_SLACK {
        fail(format!(
            "The clip runs at {} fps; {p} needs {range}. Export it at 25 or 30 fps.",
            trimmed_figure(fps, lo)
        ))
    } else if fps > hi + FPS_SLACK {
        fail(format!(
            "The clip runs at {} fps; {p} needs {range}. Export it at 30 or 60 fps.",
            trimmed_figure(fps, hi)
        ))
    } else {
        Some(item(
            MediaCheckId::FrameRate,
            Verdict::Pass,
            "Frame rate",
            format!("{} fps", trimmed(fps, 2)),
        ))
    }
}

fn ratio_item(
    width: Option<u32>,
    height: Option<u32>,
    limits: &MediaLimits,
) -> Option<MediaCheckItem> {
    let (lo, hi) = (limits.min_ratio?, limits.max_ratio?);
    let (lo, hi) = (f64::from(lo), f64::from(hi));
    let (Some(w), Some(h)) = (width.filter(|&w| w > 0), height.filter(|&h| h > 0)) else {
        return Some(item(
            MediaCheckId::AspectRatio,
            Verdict::Warn,
            "Shape",
            "Not checked: the picture size is not in the file's headers.",
        ));
    };
    let ratio = f64::from(w) / f64::from(h);
    let p = &limits.provider;
    let (lo_text, hi_text) = (trimmed(lo, 3), trimmed(hi, 3));
    Some(if ratio < lo - RATIO_SLACK {
        item(
            MediaCheckId::AspectRatio,
            Verdict::Fail,
            "Shape",
            format!(
                "The picture is too tall and narrow ({w} × {h} px as shown, {} : 1 width to height); {p} takes {lo_text} to {hi_text}. Crop it to a less narrow frame, such as 9:16 or 3:4.",
                figure(ratio, 2, lo, 4)
            ),
        )
    } else if ratio > hi + RATIO_SLACK {
        item(
            MediaCheckId::AspectRatio,
            Verdict::Fail,
            "Shape",
            format!(
                "The picture is too wide ({w} × {h} px as shown, {} : 1 width to height); {p} takes {lo_text} to {hi_text}. Crop it to a less wide frame, such as 16:9 or 4:3.",
                figure(ratio, 2, hi, 4)
            ),
        )
    } else {
        item(
            MediaCheckId::AspectRatio,
            Verdict::Pass,
            "Shape",
            format!("{w} × {h} px ({ratio:.2} : 1)"),
        )
    })
}

/// "25", "29.97", "0.4": at most `decimals` places, trailing zeros dropped.
pub(super) fn trimmed(value: f64, decimals: usize) -> String {
    let s = format!("{value:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// `value` to `decimals` places, or more (up to `max`) where fewer would print a failing
/// figure as the limit itself ("15.0 s long; takes 2–15 s").
fn figure(value: f64, decimals: usize, limit: f64, max: usize) -> String {
    let mut d = decimals;
    while d < max && format!("{value:.d$}") == format!("{limit:.d$}") {
        d += 1;
    }
    format!("{value:.d$}")
}

/// A frame rate that failed against `limit`: "15", "23.98".
fn trimmed_figure(fps: f64, limit: f64) -> String {
    let s = figure(fps, 2, limit, 4);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// "21.4 s", or "15.04 s" next to a limit of 15 s.
fn seconds(ms: u64, limit_ms: u64) -> String {
    format!(
        "{} s",
        figure(ms as f64 / 1000.0, 1, limit_ms as f64 / 1000.0, 3)
    )
}

fn size_text(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else {
        format!("{} KB", bytes.div_ceil(1000))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_gain_places_only_where_a_failure_would_read_as_the_limit() {
        assert_eq!(seconds(21_400, 15_000), "21.4 s");
        assert_eq!(seconds(15_040, 15_000), "15.04 s");
        assert_eq!(seconds(15_001, 15_000), "15.001 s");
        assert_eq!(seconds(3_000, u64::MAX), "3.0 s");
        assert_eq!(trimmed_figure(15.0, 24.0), "15");
        assert_eq!(trimmed_figure(23.976, 24.0), "23.98");
        assert_eq!(trimmed_figure(23.9986, 24.0), "23.999");
        assert_eq!(trimmed(0.4, 3), "0.4");
        assert_eq!(trimmed(2.5, 3), "2.5");
        assert_eq!(trimmed(25.0, 2), "25");
        assert_eq!(figure(2.504, 2, 2.5, 4), "2.504");
    }

    #[test]
    fn exact_limits_pass_and_a_hair_beyond_fails() {
        let video = MediaLimits::byteplus(AssetType::Video).unwrap();
        for (fps, verdict) in [
            (24.0, Verdict::Pass),
            (60.0, Verdict::Pass),
            (23.976, Verdict::Fail),
            (60.1, Verdict::Fail),
        ] {
            assert_eq!(
                frame_rate_item(Some(fps), &video).unwrap().verdict,
                verdict,
                "{fps}"
            );
        }
        for (w, h, verdict) in [
            (400, 1000, Verdict::Pass),
            (1000, 400, Verdict::Pass),
            (399, 1000, Verdict::Fail),
            (1001, 400, Verdict::Fail),
        ] {
            let item = ratio_item(Some(w), Some(h), &video).unwrap();
            assert_eq!(item.verdict, verdict, "{w}x{h}: {}", item.message);
        }
        for (ms, verdict) in [
            (2_000, Verdict::Pass),
            (15_000, Verdict::Pass),
            (1_999, Verdict::Fail),
            (15_001, Verdict::Fail),
        ] {
            assert_eq!(
                duration_item(ms, AssetType::Video, &video).verdict,
                verdict,
                "{ms}"
            );
        }
        assert_eq!(
            size_item(50_000_000, AssetType::Video, &video).verdict,
            Verdict::Pass
        );
        let over = size_item(50_000_001, AssetType::Video, &video);
        assert_eq!(over.verdict, Verdict::Fail);
        assert_eq!(
            over.message,
            "The file is 50.000001 MB; BytePlus takes up to 50 MB. Trim it, or export it at a lower quality."
        );
    }
}
