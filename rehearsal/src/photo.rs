//! Fetching and checking the face photo at `image_url`, as BlockRun does server-side.
//!
//! Rules (the doc's): a public `https://` URL to a JPG, PNG or WEBP of at most 10 MB. Rehearsal
//! really downloads it, stops reading past the cap, sniffs the format from the bytes (never the
//! extension or the Content-Type) and decodes it.

use std::io::Cursor;
use std::time::Duration;

use image::{ImageFormat, ImageReader, Limits};
use url::Url;

/// "≤ 10 MB", read the strictest way a seller could: 10,000,000 bytes, not 10 MiB. A photo one
/// byte over is refused, so an app that counted in MiB would find out here and not at BlockRun.
pub const MAX_IMAGE_BYTES: u64 = 10_000_000;
/// Whole fetch (connect, headers, body).
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    pub format: &'static str,
    pub width: u32,
    pub height: u32,
    pub bytes: usize,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PhotoError {
    #[error("image_url must be a valid absolute URL")]
    NotAUrl,
    #[error("image_url must be an https:// URL (got {0}://)")]
    NotHttps(String),
    #[error("image_url could not be fetched: {0}")]
    Unreachable(String),
    #[error("image_url could not be fetched: the server answered HTTP {0}")]
    HttpStatus(u16),
    #[error("image_url could not be fetched within {}s", FETCH_TIMEOUT.as_secs())]
    Timeout,
    #[error("image is larger than 10 MB ({MAX_IMAGE_BYTES} bytes)")]
    TooLarge,
    #[error("image_url does not point to an image (the bytes are not JPG, PNG or WEBP)")]
    NotAnImage,
    #[error("image format {0} is not accepted: use JPG, PNG or WEBP")]
    FormatNotAllowed(String),
    #[error("image could not be decoded as {format}: {reason}")]
    Undecodable {
        format: &'static str,
        reason: String,
    },
}

/// Parses `image_url` and insists on https.
pub fn parse_image_url(raw: &str) -> Result<Url, PhotoError> {
    let url = Url::parse(raw).map_err(|_| PhotoError::NotAUrl)?;
    if url.scheme() != "https" {
        return Err(PhotoError::NotHttps(url.scheme().to_owned()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(PhotoError::NotAUrl);
    }
    Ok(url)
}

/// Downloads and checks the photo.
pub async fn fetch(client: &reqwest::Client, url: &Url) -> Result<Photo, PhotoError> {
    let bytes = tokio::time::timeout(FETCH_TIMEOUT, download(client, url))
        .await
        .map_err(|_| PhotoError::Timeout)??;
    tokio::task::spawn_blocking(move || inspect(&bytes))
        .await
        .map_err(|e| PhotoError::Unreachable(format!("image check failed: {e}")))?
}

async fn download(client: &reqwest::Client, url: &Url) -> Result<Vec<u8>, PhotoError> {
    let mut response = client
        .get(url.clone())
        .send()
        .await
        .map_err(|e| PhotoError::Unreachable(describe(&e)))?;
    if !response.status().is_success() {
        return Err(PhotoError::HttpStatus(response.status().as_u16()));
    }
    let declared = response.content_length();
    if declared.is_some_and(|n| n > MAX_IMAGE_BYTES) {
        return Err(PhotoError::TooLarge);
    }
    let mut bytes = Vec::with_capacity(declared.unwrap_or(64 * 1024) as usize);
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| PhotoError::Unreachable(describe(&e)))?
    {
        if (bytes.len() + chunk.len()) as u64 > MAX_IMAGE_BYTES {
            return Err(PhotoError::TooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    if declared.is_some_and(|n| n != bytes.len() as u64) {
        return Err(PhotoError::Unreachable(
            "the body ended before its Content-Length".into(),
        ));
    }
    Ok(bytes)
}

fn describe(e: &reqwest::Error) -> String {
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

/// Sniffs and decodes. Accepts JPEG, PNG and WEBP only.
pub fn inspect(bytes: &[u8]) -> Result<Photo, PhotoError> {
    let (format, name) = match sniff(bytes) {
        Some(found) => found,
        None => {
            return Err(match imagesize::image_type(bytes) {
                Ok(other) => PhotoError::FormatNotAllowed(format!("{other:?}").to_uppercase()),
                Err(_) => PhotoError::NotAnImage,
            })
        }
    };
    let undecodable = |reason: String| PhotoError::Undecodable {
        format: name,
        reason,
    };
    // A JPEG cut short still decodes (the rest comes out grey), so look for its end marker.
    if format == ImageFormat::Jpeg && !has_jpeg_end(bytes) {
        return Err(undecodable(
            "the file is truncated (no end-of-image marker)".into(),
        ));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(20_000);
    limits.max_image_height = Some(20_000);
    limits.max_alloc = Some(512 * 1024 * 1024);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| undecodable(e.to_string()))?;
    Ok(Photo {
        format: name,
        width: image.width(),
        height: image.height(),
        bytes: bytes.len(),
    })
}

fn sniff(bytes: &[u8]) -> Option<(ImageFormat, &'static str)> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some((ImageFormat::Jpeg, "JPEG"))
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some((ImageFormat::Png, "PNG"))
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some((ImageFormat::WebP, "WEBP"))
    } else {
        None
    }
}

fn has_jpeg_end(bytes: &[u8]) -> bool {
    // Some encoders pad after EOI; allow a little trailing data.
    let tail = &bytes[bytes.len().saturating_sub(4096)..];
    tail.windows(2).any(|w| w == [0xFF, 0xD9])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(format: ImageFormat) -> Vec<u8> {
        // Noisy enough that the JPEG is several kB: the end-marker check looks at the tail only.
        let img = image::RgbImage::from_fn(200, 250, |x, y| {
            let n = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)) as u8;
            image::Rgb([n, (x as u8).wrapping_mul(3), (y as u8) ^ n])
        });
        let mut out = Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut out, format)
            .unwrap();
        out.into_inner()
    }

    #[test]
    fn accepts_the_three_formats() {
        for (format, name) in [
            (ImageFormat::Jpeg, "JPEG"),
            (ImageFormat::Png, "PNG"),
            (ImageFormat::WebP, "WEBP"),
        ] {
            let photo = inspect(&encode(format)).unwrap();
            assert_eq!((photo.format, photo.width, photo.height), (name, 200, 250));
        }
    }

    #[test]
    fn refuses_other_bytes() {
        assert_eq!(inspect(b"<html>hello</html>"), Err(PhotoError::NotAnImage));
        assert!(matches!(
            inspect(&encode(ImageFormat::Gif)),
            Err(PhotoError::FormatNotAllowed(f)) if f == "GIF"
        ));
        let jpeg = encode(ImageFormat::Jpeg);
        assert!(matches!(
            inspect(&jpeg[..jpeg.len() / 2]),
            Err(PhotoError::Undecodable { .. })
        ));
        let mut fake = vec![0xFF, 0xD8, 0xFF, 0xE0];
        fake.extend(std::iter::repeat_n(0u8, 5000));
        assert!(matches!(
            inspect(&fake),
            Err(PhotoError::Undecodable { .. })
        ));
    }

    #[test]
    fn urls_must_be_https() {
        assert!(parse_image_url("https://example.com/a.jpg").is_ok());
        assert_eq!(
            parse_image_url("http://example.com/a.jpg"),
            Err(PhotoError::NotHttps("http".into()))
        );
        assert_eq!(
            parse_image_url("example.com/a.jpg"),
            Err(PhotoError::NotAUrl)
        );
        assert!(parse_image_url("data:image/png;base64,AAAA").is_err());
    }
}
