//! From bytes to a checklist: sniff (no decode), the provider's limits, a decode with the EXIF
//! orientation, the face checks, and the preview.

use std::io::Cursor;

use base64::Engine;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder};

use super::faces::{self, Look};
use super::{CheckId, FaceBox, PhotoCheck, PhotoCheckItem, PhotoFormat, PhotoLimits, Verdict};
use crate::error::{Error, Result};

const THUMBNAIL_EDGE_PX: u32 = 256;
/// Photos with more pixels than this are not decoded here (a 12,000 px square is 144 MP).
const MAX_DECODE_PIXELS: u64 = 100_000_000;

// Calibrated on tests/fixtures/photos (docs/PHOTO-CHECKS.md).
/// Below this width (upright, full-resolution pixels) a face fails / warns.
pub const FACE_FAIL_PX: f32 = 48.0;
pub const FACE_WARN_PX: f32 = 80.0;
/// Below this share of the photo's short side a face fails / warns.
pub const FACE_FAIL_SHARE: f32 = 0.06;
pub const FACE_WARN_SHARE: f32 = 0.12;
/// Variance of the Laplacian on the face crop below which it fails / warns as blurry.
pub const SHARP_FAIL: f32 = 15.0;
pub const SHARP_WARN: f32 = 50.0;
/// Faces narrower than this share of the largest face count as "in the background".
const BACKGROUND_FACE_SHARE: f32 = 0.5;

enum SniffError {
    NotAnImage,
    Damaged,
}

fn sniff_bytes(bytes: &[u8]) -> std::result::Result<(PhotoFormat, u32, u32), SniffError> {
    let format = match imagesize::image_type(bytes).map_err(|_| SniffError::NotAnImage)? {
        imagesize::ImageType::Jpeg => PhotoFormat::Jpeg,
        imagesize::ImageType::Png => PhotoFormat::Png,
        imagesize::ImageType::Webp => PhotoFormat::Webp,
        imagesize::ImageType::Gif => PhotoFormat::Gif,
        imagesize::ImageType::Heif(imagesize::Compression::Av1) => PhotoFormat::Avif,
        imagesize::ImageType::Heif(_) => PhotoFormat::Heic,
        imagesize::ImageType::Bmp => PhotoFormat::Bmp,
        imagesize::ImageType::Tiff => PhotoFormat::Tiff,
        _ => return Err(SniffError::NotAnImage),
    };
    let size = imagesize::blob_size(bytes).map_err(|_| SniffError::Damaged)?;
    let (w, h) = (size.width as u32, size.height as u32);
    if w == 0 || h == 0 {
        return Err(SniffError::Damaged);
    }
    Ok((format, w, h))
}

/// The format and raw pixel size from the header alone, without decoding (microseconds).
pub fn sniff(bytes: &[u8]) -> Result<(PhotoFormat, u32, u32)> {
    sniff_bytes(bytes).map_err(|e| match e {
        SniffError::NotAnImage => Error::invalid(
            "image_url",
            "That is not an image file (it may be a web page). Use the photo file itself.",
        ),
        SniffError::Damaged => damaged_error(),
    })
}

const DAMAGED: &str =
    "The photo file is damaged or incomplete (it stops part-way) and cannot be used. Use another copy of it.";

fn damaged_error() -> Error {
    Error::invalid("image_url", DAMAGED)
}

/// The format a link's file name claims, if any.
fn named_format(url: &str) -> Option<PhotoFormat> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "jpg" | "jpeg" | "jfif" => PhotoFormat::Jpeg,
        "png" => PhotoFormat::Png,
        "webp" => PhotoFormat::Webp,
        "gif" => PhotoFormat::Gif,
        "heic" | "heif" => PhotoFormat::Heic,
        "avif" => PhotoFormat::Avif,
        "bmp" => PhotoFormat::Bmp,
        "tif" | "tiff" => PhotoFormat::Tiff,
        _ => return None,
    })
}

fn size_text(bytes: usize) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else {
        format!("{} KB", bytes.div_ceil(1000))
    }
}

/// "two", "29".
fn number_word(n: usize) -> String {
    const WORDS: [&str; 10] = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    WORDS
        .get(n.wrapping_sub(1))
        .map_or_else(|| n.to_string(), |w| (*w).to_string())
}

/// "Two", "29".
fn capitalized(word: String) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => word,
    }
}

/// The sha256 of `bytes` as lowercase hex (64 characters).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Runs every check on bytes already in memory. Errors only when the bytes are not an image.
pub fn examine_bytes(url: &str, bytes: &[u8], limits: &PhotoLimits) -> Result<PhotoCheck> {
    let (format, raw_w, raw_h) = sniff_bytes(bytes).map_err(|e| match e {
        // Say which formats would do, in the words of the chosen provider.
        SniffError::NotAnImage => Error::invalid(
            "image_url",
            format!(
                "That link is not a {} photo (it may be a web page). Right-click the photo, choose \"Copy image address\", and paste that.",
                limits.formats_text()
            ),
        ),
        SniffError::Damaged => damaged_error(),
    })?;
    let mut checks = Vec::new();
    let p = limits.provider;

    // Format, from the bytes.
    let named = named_format(url).filter(|&n| n != format);
    if limits.formats.contains(&format) {
        checks.push(PhotoCheckItem::new(
            CheckId::Format,
            Verdict::Pass,
            "Format",
            format.label(),
        ));
    } else {
        let name_note = named
            .map(|n| {
                format!(
                    " (its name says {}, but the file inside is {})",
                    n.label(),
                    format.label()
                )
            })
            .unwrap_or_default();
        checks.push(PhotoCheckItem::new(
            CheckId::Format,
            Verdict::Fail,
            "Format",
            format!(
                "This is a {} photo{name_note}. {p} accepts {} photos only: convert it to JPG and use that.",
                format.label(),
                limits.formats_text()
            ),
        ));
    }

    // File size.
    if bytes.len() as u64 <= limits.max_bytes {
        checks.push(PhotoCheckItem::new(
            CheckId::FileSize,
            Verdict::Pass,
            "File size",
            size_text(bytes.len()),
        ));
    } else {
        checks.push(PhotoCheckItem::new(
            CheckId::FileSize,
            Verdict::Fail,
            "File size",
            format!(
                "The file is {}; {p} accepts up to {}. Save a smaller copy (lower JPG quality or fewer pixels).",
                super::limits::size_over_cap(bytes.len() as u64, limits.max_bytes),
                limits.max_size_text()
            ),
        ));
    }

    // Pixel dimensions and shape: the sides are what they are whichever way up.
    let (short, long) = (raw_w.min(raw_h), raw_w.max(raw_h));
    let dims = format!("{raw_w} × {raw_h} px");
    let dimension_item = match (limits.min_side_px, limits.max_side_px) {
        (Some(min), _) if short < min => PhotoCheckItem::new(
            CheckId::Dimensions,
            Verdict::Fail,
            "Dimensions",
            format!("The photo is only {dims}; {p} needs at least {min} px on each side. Use a larger photo."),
        ),
        (_, Some(max)) if long > max => PhotoCheckItem::new(
            CheckId::Dimensions,
            Verdict::Fail,
            "Dimensions",
            format!("The photo is {dims}; {p} takes at most {max} px on a side. Scale it down to {max} px or less."),
        ),
        _ => PhotoCheckItem::new(CheckId::Dimensions, Verdict::Pass, "Dimensions", dims),
    };
    checks.push(dimension_item);
    if let (Some(lo), Some(hi)) = (limits.min_ratio, limits.max_ratio) {
        let ratio = raw_w as f32 / raw_h as f32;
        let shape = format!("{ratio:.2} : 1");
        checks.push(if ratio < lo {
            PhotoCheckItem::new(
                CheckId::AspectRatio,
                Verdict::Fail,
                "Shape",
                format!("The photo is too tall and narrow ({shape}, width to height); {p} takes {lo} to {hi}. Crop it closer around the face."),
            )
        } else if ratio > hi {
            PhotoCheckItem::new(
                CheckId::AspectRatio,
                Verdict::Fail,
                "Shape",
                format!("The photo is too wide ({shape}, width to height); {p} takes {lo} to {hi}. Crop it closer around the face."),
            )
        } else {
            PhotoCheckItem::new(CheckId::AspectRatio, Verdict::Pass, "Shape", shape)
        });
    }

    let mut check = PhotoCheck {
        url: url.to_string(),
        format,
        width_px: raw_w,
        height_px: raw_h,
        size_bytes: bytes.len().min(u32::MAX as usize) as u32,
        sha256: sha256_hex(bytes),
        thumbnail: String::new(),
        provider: p.to_string(),
        checks,
        faces: Vec::new(),
        file_bytes: None,
    };

    let decodable = matches!(
        format,
        PhotoFormat::Jpeg | PhotoFormat::Png | PhotoFormat::Webp | PhotoFormat::Gif
    );
    if !decodable {
        check.checks.push(not_checked(format!(
            "Not checked: {} photos cannot be opened on this computer. Convert it to JPG to check the face before paying.",
            format.label()
        )));
        return Ok(check);
    }
    if raw_w as u64 * raw_h as u64 > MAX_DECODE_PIXELS {
        check.checks.push(not_checked(
            "Not checked: the photo has too many pixels to open here. Scale it down to 6000 px or less on its long side.",
        ));
        return Ok(check);
    }

    // Integrity: decoders quietly grey-fill a cut-off JPEG, and a provider would then match
    // against half a face. A whole JPEG ends with the EOI marker; zero padding is tolerated.
    let jpeg_whole = format != PhotoFormat::Jpeg || {
        let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
        bytes[..end].ends_with(&[0xFF, 0xD9])
    };
    let decoded = if jpeg_whole {
        decode(bytes, format)
    } else {
        None
    };
    let Some((raw, orientation)) = decoded else {
        check.checks.push(PhotoCheckItem::new(
            CheckId::Integrity,
            Verdict::Fail,
            "Complete file",
            DAMAGED,
        ));
        check.checks.push(not_checked(
            "Not checked: the file is damaged, so the face cannot be looked at.",
        ));
        return Ok(check);
    };
    check.checks.push(PhotoCheckItem::new(
        CheckId::Integrity,
        Verdict::Pass,
        "Complete file",
        "The file is complete and opens.",
    ));

    let look = faces::look(&raw, orientation)?;
    drop(raw);
    check.width_px = look.width;
    check.height_px = look.height;
    check.thumbnail = thumbnail(&look.small)?;
    face_checks(&mut check, &look);
    Ok(check)
}

fn not_checked(message: impl Into<String>) -> PhotoCheckItem {
    PhotoCheckItem::new(CheckId::FaceCount, Verdict::Warn, "Faces", message)
}

/// Decodes the pixels as stored, with the EXIF orientation to show them by.
fn decode(bytes: &[u8], format: PhotoFormat) -> Option<(DynamicImage, Orientation)> {
    let format = match format {
        PhotoFormat::Jpeg => image::ImageFormat::Jpeg,
        PhotoFormat::Png => image::ImageFormat::Png,
        PhotoFormat::Webp => image::ImageFormat::WebP,
        PhotoFormat::Gif => image::ImageFormat::Gif,
        _ => return None,
    };
    let mut decoder = image::ImageReader::with_format(Cursor::new(bytes), format)
        .into_decoder()
        .ok()?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let raw = DynamicImage::from_decoder(decoder).ok()?;
    Some((raw, orientation))
}

fn thumbnail(small: &DynamicImage) -> Result<String> {
    let thumb = small
        .thumbnail(THUMBNAIL_EDGE_PX, THUMBNAIL_EDGE_PX)
        .to_rgb8();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 82)
        .encode_image(&thumb)
        .map_err(|e| Error::Internal(format!("could not make the preview: {e}")))?;
    Ok(format!(
        "data:image/jpeg;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(jpeg)
    ))
}

fn face_checks(check: &mut PhotoCheck, look: &Look) {
    let (w, h) = (look.width as f32, look.height as f32);
    check.faces = look
        .faces
        .iter()
        .map(|f| FaceBox {
            x: f.x / w,
            y: f.y / h,
            width: f.width / w,
            height: f.height / h,
            sharpness: f.sharpness,
            score: f.score as f32,
        })
        .collect();
    let Some(main) = look.faces.first() else {
        let message = if look.sideways {
            "The photo is sideways: turn it upright (rotate it a quarter turn), save it, and use that."
        } else {
            "No face found. Use a clear photo of the talent alone, facing the camera, with the whole face in view."
        };
        check.checks.push(PhotoCheckItem::new(
            CheckId::FaceCount,
            Verdict::Fail,
            "Faces",
            message,
        ));
        return;
    };
    let people = look
        .faces
        .iter()
        .filter(|f| f.width >= main.width * BACKGROUND_FACE_SHARE)
        .count();
    let background = look.faces.len() - people;
    check.checks.push(if people >= 2 {
        PhotoCheckItem::new(
            CheckId::FaceCount,
            Verdict::Fail,
            "Faces",
            format!(
                "{} faces found: crop the photo to the talent alone.",
                capitalized(number_word(people))
            ),
        )
    } else if background > 0 {
        PhotoCheckItem::new(
            CheckId::FaceCount,
            Verdict::Warn,
            "Faces",
            format!(
                "One face, and {} smaller {} in the background: crop to the talent alone to be safe.",
                number_word(background),
                if background == 1 { "face" } else { "faces" }
            ),
        )
    } else {
        PhotoCheckItem::new(CheckId::FaceCount, Verdict::Pass, "Faces", "One face found.")
    });

    // How large the (largest) face is.
    let share = main.width / w.min(h);
    let size = format!(
        "{:.0} px wide, {:.0}% of the photo's short side",
        main.width,
        share * 100.0
    );
    check.checks.push(if main.width < FACE_FAIL_PX || share < FACE_FAIL_SHARE {
        PhotoCheckItem::new(
            CheckId::FaceSize,
            Verdict::Fail,
            "Face size",
            format!("The face is too small ({size}). Use a closer photo where the face fills much more of the frame."),
        )
    } else if main.width < FACE_WARN_PX || share < FACE_WARN_SHARE {
        PhotoCheckItem::new(
            CheckId::FaceSize,
            Verdict::Warn,
            "Face size",
            format!("The face is small ({size}). A closer or larger photo matches more reliably."),
        )
    } else {
        PhotoCheckItem::new(CheckId::FaceSize, Verdict::Pass, "Face size", format!("The face is {size}."))
    });

    // How sharp it is.
    let s = main.sharpness;
    check.checks.push(if s < SHARP_FAIL {
        PhotoCheckItem::new(
            CheckId::Sharpness,
            Verdict::Fail,
            "Sharpness",
            format!("The face is blurry (sharpness {s:.0}). Use a sharp, in-focus photo."),
        )
    } else if s < SHARP_WARN {
        PhotoCheckItem::new(
            CheckId::Sharpness,
            Verdict::Warn,
            "Sharpness",
            format!(
                "The face looks soft (sharpness {s:.0}). A sharper photo matches more reliably."
            ),
        )
    } else {
        PhotoCheckItem::new(
            CheckId::Sharpness,
            Verdict::Pass,
            "Sharpness",
            format!("The face is sharp (sharpness {s:.0})."),
        )
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_counts_read_as_words() {
        assert_eq!(named_format("https://x/a.JPG?x=1"), Some(PhotoFormat::Jpeg));
        assert_eq!(named_format("https://x/a"), None);
        assert_eq!(capitalized(number_word(2)), "Two");
        assert_eq!(number_word(29), "29");
        assert_eq!(size_text(2_500_000), "2.5 MB");
        assert_eq!(size_text(1500), "2 KB");
    }
}
