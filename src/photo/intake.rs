//! Photos that arrive as bytes rather than as a file the operator chose: pasted from the
//! clipboard, dropped from a browser, or taken with the webcam. They are kept as a file in the
//! app's data folder, so from there on they are a photo file like any other (checked, hosted or
//! sent inline, and named in the session that uses them).

use std::path::{Path, PathBuf};

use base64::Engine;

use crate::error::{Error, Result};

/// Larger than any provider takes (BytePlus: 30 MB); the provider's own cap is checked after.
const MAX_KEPT_BYTES: usize = 50_000_000;

/// Keeps a `data:image/…;base64,…` URL's bytes as `<dir>/<sha256 prefix>.<ext>` (the same photo
/// twice is one file) and returns its path. The extension comes from the bytes.
pub fn keep_data_url(dir: &Path, data_url: &str) -> Result<PathBuf> {
    let refused = || {
        Error::invalid(
            "image_url",
            "That is not a photo the app can read. Paste or drop a JPEG, PNG or WebP image, or choose the file.",
        )
    };
    let (head, data) = data_url
        .trim()
        .strip_prefix("data:")
        .and_then(|rest| rest.split_once(','))
        .ok_or_else(refused)?;
    if !head.starts_with("image/") || !head.ends_with(";base64") {
        return Err(refused());
    }
    if data.len() / 4 * 3 > MAX_KEPT_BYTES {
        return Err(Error::invalid(
            "image_url",
            "That image is larger than 50 MB; no provider takes it. Export a smaller JPEG.",
        ));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|_| refused())?;
    keep_bytes(dir, &bytes).ok_or_else(refused)?
}

/// The built-in sample portrait ("Try it with your phone"): scikit-image's NASA astronaut photo,
/// public domain (tests/fixtures/photos/README.md). It is a real face, as the photo checks need.
pub const SAMPLE_PORTRAIT: &[u8] = include_bytes!("../../tests/fixtures/photos/astronaut.jpg");

/// Keeps [`SAMPLE_PORTRAIT`] in `dir`, for a first rehearsal: its path.
pub fn keep_sample(dir: &Path) -> Result<PathBuf> {
    keep_bytes(dir, SAMPLE_PORTRAIT)
        .ok_or_else(|| Error::Internal("the sample portrait is not a photo".into()))?
}

/// `bytes` as `<dir>/<sha256 prefix>.<ext>`; `None` when they are no photo format.
fn keep_bytes(dir: &Path, bytes: &[u8]) -> Option<Result<PathBuf>> {
    let ext = match super::sniff(bytes).ok().map(|(format, _, _)| format) {
        Some(super::PhotoFormat::Jpeg) => "jpg",
        Some(super::PhotoFormat::Png) => "png",
        Some(super::PhotoFormat::Webp) => "webp",
        Some(super::PhotoFormat::Gif) => "gif",
        Some(super::PhotoFormat::Heic) => "heic",
        Some(super::PhotoFormat::Avif) => "avif",
        Some(super::PhotoFormat::Bmp) => "bmp",
        Some(super::PhotoFormat::Tiff) => "tiff",
        None => return None,
    };
    let path = dir.join(format!("{}.{ext}", &super::sha256_hex(bytes)[..16]));
    let kept = std::fs::create_dir_all(dir)
        .map_err(|e| {
            Error::Storage(format!(
                "could not make the photo folder {}: {e}",
                dir.display()
            ))
        })
        .and_then(|()| {
            std::fs::write(&path, bytes).map_err(|e| {
                Error::Storage(format!(
                    "could not keep the photo in {}: {e}",
                    path.display()
                ))
            })
        });
    Some(kept.map(|()| path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_image_becomes_a_file_named_by_its_bytes() {
        let img = image::RgbImage::from_pixel(8, 8, image::Rgb([1, 2, 3]));
        let mut png = Vec::new();
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let url = format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&png)
        );
        let path = keep_data_url(dir.path(), &url).unwrap();
        assert_eq!(path.extension().unwrap(), "png");
        assert_eq!(std::fs::read(&path).unwrap(), png);
        assert_eq!(
            keep_data_url(dir.path(), &url).unwrap(),
            path,
            "one file per photo"
        );
        for bad in [
            "data:text/html;base64,PGh0bWw+",
            "data:image/png,abc",
            "data:image/png;base64,@@@",
            "data:image/png;base64,PGh0bWw+",
            "https://example.com/a.png",
        ] {
            let e = keep_data_url(dir.path(), bad).unwrap_err();
            assert_eq!(e.field(), Some("image_url"), "{bad}");
        }
    }
}
