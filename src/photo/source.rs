//! A photo the operator gave: a link the provider can fetch itself, or a file on this computer
//! (chosen, dropped, pasted or taken with the webcam). A file is read here, judged by the same
//! checks as a download, and its exact bytes are what the provider receives (hosted for it, or
//! inline where the provider takes them).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{examine_bytes, validate_url, PhotoCheck, PhotoLimits};
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoSource {
    /// A public https link (a cloud drive's share link already read as its file).
    Link(url::Url),
    /// A file on this computer, by its absolute path.
    File(PathBuf),
}

impl PhotoSource {
    /// What the operator typed or chose: an `https://` link, a `file://` URL, or a path. Paths
    /// must be absolute (the CLI makes relative ones absolute before they get here) so a session
    /// resumed from another working directory names the same file.
    pub fn parse(raw: &str) -> Result<Self> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(Error::invalid(
                "image_url",
                "Choose the talent's face photo (a file), or paste a link to it.",
            ));
        }
        if let Some(path) = url::Url::parse(raw)
            .ok()
            .filter(|u| u.scheme() == "file")
            .and_then(|u| u.to_file_path().ok())
        {
            return Ok(PhotoSource::File(path));
        }
        let path = Path::new(raw);
        if path.is_absolute() && !raw.contains("://") {
            return Ok(PhotoSource::File(path.to_path_buf()));
        }
        validate_url(raw).map(PhotoSource::Link)
    }

    /// How a session keeps it: the link, or the file's path.
    pub fn stored(&self) -> String {
        match self {
            PhotoSource::Link(url) => url.to_string(),
            PhotoSource::File(path) => path.display().to_string(),
        }
    }

    pub fn is_file(&self) -> bool {
        matches!(self, PhotoSource::File(_))
    }

    /// Reads and checks the photo against `limits`. A file's bytes ride along on the check
    /// ([`PhotoCheck::file_bytes`]) so exactly those reach the provider.
    pub async fn examine(
        &self,
        http: &reqwest::Client,
        limits: &PhotoLimits,
    ) -> Result<PhotoCheck> {
        match self {
            PhotoSource::Link(url) => super::examine(http, url.as_str(), limits, None).await,
            PhotoSource::File(path) => {
                let bytes = read(path, limits).await?;
                let limits = limits.clone();
                let name = self.stored();
                let bytes: Arc<[u8]> = bytes.into();
                let judged = Arc::clone(&bytes);
                // Decoding and face detection take 50–300 ms of CPU: off the async workers.
                let mut check =
                    tokio::task::spawn_blocking(move || examine_bytes(&name, &judged, &limits))
                        .await
                        .map_err(|e| Error::Internal(format!("the photo check stopped: {e}")))??;
                check.file_bytes = Some(bytes);
                Ok(check)
            }
        }
    }

    /// As [`Self::examine`], with a failed provider limit as an error.
    pub async fn check(&self, http: &reqwest::Client, limits: &PhotoLimits) -> Result<PhotoCheck> {
        self.examine(http, limits).await?.strict()
    }
}

/// The file's bytes, refused before reading when it is over the provider's cap.
async fn read(path: &Path, limits: &PhotoLimits) -> Result<Vec<u8>> {
    let shown = path.display();
    let meta = tokio::fs::metadata(path).await.map_err(|e| {
        Error::invalid(
            "image_url",
            match e.kind() {
                std::io::ErrorKind::NotFound => format!(
                    "There is no photo file at “{shown}”. Choose the file again (it may have been moved or renamed)."
                ),
                _ => format!("The photo file “{shown}” cannot be read ({e}). Choose another copy of it."),
            },
        )
    })?;
    if !meta.is_file() {
        return Err(Error::invalid(
            "image_url",
            format!("“{shown}” is a folder, not a photo file. Choose the photo inside it."),
        ));
    }
    if meta.len() > limits.max_bytes {
        return Err(Error::invalid(
            "image_url",
            format!(
                "The photo file is {}; {} takes photos up to {}. Export a smaller JPEG of it.",
                super::limits::size_over_cap(meta.len(), limits.max_bytes),
                limits.provider,
                limits.max_size_text()
            ),
        ));
    }
    tokio::fs::read(path).await.map_err(|e| {
        Error::invalid(
            "image_url",
            format!("The photo file “{shown}” cannot be read ({e}). Choose another copy of it."),
        )
    })
}

/// The MIME type of the bytes, from the bytes: what a hosted copy is served as and what a data
/// URI names.
pub fn content_type(check: &PhotoCheck) -> &'static str {
    match check.format {
        super::PhotoFormat::Jpeg => "image/jpeg",
        super::PhotoFormat::Png => "image/png",
        super::PhotoFormat::Webp => "image/webp",
        super::PhotoFormat::Gif => "image/gif",
        super::PhotoFormat::Heic => "image/heic",
        super::PhotoFormat::Avif => "image/avif",
        super::PhotoFormat::Bmp => "image/bmp",
        super::PhotoFormat::Tiff => "image/tiff",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn links_files_and_file_urls_are_told_apart() {
        assert!(matches!(
            PhotoSource::parse(" https://example.com/a.jpg ").unwrap(),
            PhotoSource::Link(_)
        ));
        let file = PhotoSource::parse("/home/me/Talent Photos/ada.jpg").unwrap();
        assert_eq!(
            file,
            PhotoSource::File(PathBuf::from("/home/me/Talent Photos/ada.jpg"))
        );
        assert_eq!(file.stored(), "/home/me/Talent Photos/ada.jpg");
        assert_eq!(
            PhotoSource::parse("file:///home/me/ada%20b.jpg").unwrap(),
            PhotoSource::File(PathBuf::from("/home/me/ada b.jpg"))
        );
        // What the old link-only input refused, it still refuses with the same words.
        let e = PhotoSource::parse("http://example.com/a.jpg").unwrap_err();
        assert!(e.to_string().contains("https://"), "{e}");
        let e = PhotoSource::parse("").unwrap_err();
        assert_eq!(e.field(), Some("image_url"));
        assert_eq!(e.code(), ErrorCode::InvalidInput);
    }

    #[tokio::test]
    async fn a_missing_file_or_a_folder_is_said_plainly() {
        let http = reqwest::Client::new();
        let limits = PhotoLimits::blockrun();
        let e = PhotoSource::File("/nonexistent/ada.jpg".into())
            .check(&http, &limits)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("There is no photo file at"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let e = PhotoSource::File(dir.path().into())
            .check(&http, &limits)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("is a folder"), "{e}");
    }

    #[tokio::test]
    async fn a_file_is_judged_and_carries_the_exact_bytes_that_were_judged() {
        let img = image::RgbImage::from_fn(400, 500, |x, y| image::Rgb([x as u8, y as u8, 9]));
        let mut bytes = Vec::new();
        image::DynamicImage::ImageRgb8(img)
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ada.png");
        std::fs::write(&path, &bytes).unwrap();
        let c = PhotoSource::File(path.clone())
            .check(&reqwest::Client::new(), &PhotoLimits::blockrun())
            .await
            .unwrap();
        assert_eq!(c.sha256, crate::photo::sha256_hex(&bytes));
        assert_eq!(c.file_bytes.as_deref(), Some(&bytes[..]));
        assert_eq!((c.width_px, c.height_px), (400, 500));
        assert_eq!(c.url, path.display().to_string());
        assert_eq!(content_type(&c), "image/png");
        // No face in a gradient: the same face check as a download fails it.
        assert_eq!(c.failed_ids(), vec![crate::photo::CheckId::FaceCount]);
    }

    #[tokio::test]
    async fn a_file_over_the_cap_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.jpg");
        let f = std::fs::File::create(&path).unwrap();
        f.set_len(10_000_001).unwrap();
        let e = PhotoSource::File(path)
            .check(&reqwest::Client::new(), &PhotoLimits::blockrun())
            .await
            .unwrap_err();
        assert!(e.to_string().contains("10,000,001 bytes"), "{e}");
    }
}
