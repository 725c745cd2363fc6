//! The face photo: fetched by the backend (the webview never loads remote URLs), checked, and
//! turned into a small preview.
//!
//! The limits are the providers' own: a public https URL to a JPG, PNG or WEBP of at most 10 MB.
//! Checking here, before a session starts, means a bad photo never costs an init or a payment.

use std::io::Cursor;
use std::time::Duration;

use base64::Engine;
use futures_util::StreamExt;
use serde::Serialize;

use crate::error::{Error, Result};

pub const MAX_PHOTO_BYTES: u64 = 10 * 1024 * 1024;
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(20);
const THUMBNAIL_EDGE_PX: u32 = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum PhotoFormat {
    Jpeg,
    Png,
    Webp,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PhotoCheck {
    pub url: String,
    pub format: PhotoFormat,
    pub width_px: u32,
    pub height_px: u32,
    pub size_bytes: u32,
    /// A `data:image/jpeg;base64,…` preview, at most 256 px on its long edge.
    pub thumbnail: String,
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
    Ok(url)
}

/// Fetches the photo with a size cap and a timeout, checks it is a JPG/PNG/WEBP that decodes,
/// and returns its facts with a preview.
pub async fn check(http: &reqwest::Client, raw_url: &str) -> Result<PhotoCheck> {
    let url = validate_url(raw_url)?;
    let bytes = fetch_capped(http, &url).await?;
    inspect(url.as_str(), &bytes)
}

async fn fetch_capped(http: &reqwest::Client, url: &url::Url) -> Result<Vec<u8>> {
    let unreachable = |detail: String| {
        Error::invalid(
            "image_url",
            format!("The photo could not be downloaded ({detail}). Check the link opens in a browser, then try again."),
        )
    };
    let response = tokio::time::timeout(FETCH_TIMEOUT, http.get(url.clone()).send())
        .await
        .map_err(|_| unreachable("no answer in 20 seconds".into()))?
        .map_err(|e| unreachable(describe_transport(&e)))?;
    let status = response.status();
    if status == reqwest::StatusCode::NOT_FOUND {
        return Err(Error::invalid(
            "image_url",
            "The photo link leads to a 'not found' page (404). Copy the link again from the page that shows the photo.",
        ));
    }
    if !status.is_success() {
        return Err(unreachable(format!("the server answered {status}")));
    }
    if response
        .content_length()
        .is_some_and(|n| n > MAX_PHOTO_BYTES)
    {
        return Err(too_big(response.content_length()));
    }
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    let deadline = tokio::time::Instant::now() + FETCH_TIMEOUT;
    loop {
        let next = tokio::time::timeout_at(deadline, stream.next())
            .await
            .map_err(|_| unreachable("the download took longer than 20 seconds".into()))?;
        match next {
            None => break,
            Some(Err(e)) => return Err(unreachable(describe_transport(&e))),
            Some(Ok(chunk)) => {
                if body.len() as u64 + chunk.len() as u64 > MAX_PHOTO_BYTES {
                    return Err(too_big(None));
                }
                body.extend_from_slice(&chunk);
            }
        }
    }
    Ok(body)
}

fn describe_transport(e: &reqwest::Error) -> String {
    // TLS failures surface as connect errors; the cause chain says which.
    let mut cause: Option<&dyn std::error::Error> = Some(e);
    while let Some(c) = cause {
        if c.to_string().to_ascii_lowercase().contains("certificate") {
            return "the site's security certificate is not trusted".into();
        }
        cause = c.source();
    }
    if e.is_timeout() {
        "no answer in time".into()
    } else if e.is_connect() {
        "the server could not be reached".into()
    } else {
        "the connection failed".into()
    }
}

fn too_big(len: Option<u64>) -> Error {
    let size = len
        .map(|n| format!(" ({} MB)", n / (1024 * 1024)))
        .unwrap_or_default();
    Error::invalid(
        "image_url",
        format!("The photo is larger than the 10 MB providers accept{size}. Use a smaller JPG, PNG or WEBP."),
    )
}

/// Checks bytes already in memory; public so the CLI and tests can check local fixtures.
pub fn inspect(url: &str, bytes: &[u8]) -> Result<PhotoCheck> {
    let not_an_image = || {
        Error::invalid(
            "image_url",
            "That link is not a JPG, PNG or WEBP photo (it may be a web page). Right-click the photo, choose \"Copy image address\", and paste that.",
        )
    };
    let format = match image::guess_format(bytes).map_err(|_| not_an_image())? {
        image::ImageFormat::Jpeg => PhotoFormat::Jpeg,
        image::ImageFormat::Png => PhotoFormat::Png,
        image::ImageFormat::WebP => PhotoFormat::Webp,
        _ => return Err(Error::invalid(
            "image_url",
            "Providers accept JPG, PNG or WEBP photos only. Convert the photo or use another one.",
        )),
    };
    let damaged = || {
        Error::invalid(
            "image_url",
            "The photo file is damaged or incomplete and cannot be used. Use another copy of it.",
        )
    };
    // JPEG decoders quietly grey-fill a cut-off file, and a provider would then match against
    // half a face. A whole JPEG ends with the EOI marker; zero padding after it is tolerated.
    if format == PhotoFormat::Jpeg {
        let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
        if !bytes[..end].ends_with(&[0xFF, 0xD9]) {
            return Err(damaged());
        }
    }
    let decoded = image::load_from_memory(bytes).map_err(|_| damaged())?;
    let thumb = decoded
        .thumbnail(THUMBNAIL_EDGE_PX, THUMBNAIL_EDGE_PX)
        .to_rgb8();
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(thumb)
        .write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
        .map_err(|e| Error::Internal(format!("could not make the preview: {e}")))?;
    Ok(PhotoCheck {
        url: url.to_string(),
        format,
        width_px: decoded.width(),
        height_px: decoded.height(),
        size_bytes: bytes.len() as u32,
        thumbnail: format!(
            "data:image/jpeg;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(jpeg)
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

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
    }

    #[test]
    fn html_is_not_an_image() {
        let e = inspect("https://x/a.jpg", b"<!doctype html><html>").unwrap_err();
        assert!(e.to_string().contains("not a JPG, PNG or WEBP"), "{e}");
    }

    #[test]
    fn gif_is_refused_as_a_format_providers_do_not_take() {
        let e = inspect("https://x/a.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;").unwrap_err();
        assert!(
            e.to_string().contains("JPG, PNG or WEBP photos only"),
            "{e}"
        );
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
}
