//! Settings → Photo hosting's test, and `likeness photo check-hosting`: every step a real photo
//! will take, done with a small probe image, so a wrong key, a missing bucket, a store the
//! providers cannot reach or a public bucket is found before a talent is in the room.

use serde::Serialize;

use super::{S3Hosting, LINK_LIFETIME};
use crate::error::{Error, Result};

/// What the test found. Every field true is a store ready for real photos.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct HostingCheck {
    pub bucket: String,
    /// The probe went in under a random name.
    pub uploaded: bool,
    /// Its presigned link served the same bytes without any key, as a provider fetches it.
    pub link_served: bool,
    /// The object's plain address, without the signature, was refused: the bucket is private.
    pub private: bool,
    /// The probe was deleted, and its link no longer serves it.
    pub deleted: bool,
    /// How long a provider has to fetch a hosted photo.
    pub link_seconds: u64,
}

impl HostingCheck {
    pub fn ready(&self) -> bool {
        self.uploaded && self.link_served && self.private && self.deleted
    }
}

/// A small real JPEG, so a store that checks content types sees an image.
fn probe() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(16, 16, image::Rgb([128, 128, 128]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("a 16×16 JPEG encodes in memory");
    out.into_inner()
}

impl S3Hosting {
    /// Uploads a probe, fetches it through its link as a provider would (`http` has no keys),
    /// checks that the bucket refuses the unsigned address, and deletes the probe.
    pub async fn check(&self, http: &reqwest::Client) -> Result<HostingCheck> {
        let bytes = probe();
        let hosted = self.upload(bytes.clone(), "image/jpeg").await?;
        let fetched = fetch(http, hosted.url.clone()).await;
        let mut bare = hosted.url.clone();
        bare.set_query(None);
        let open = fetch(http, bare).await;
        // Delete before judging, so a failed check leaves nothing behind.
        self.remove(&hosted.object).await?;
        let after = fetch(http, hosted.url.clone()).await;
        let link_served = matches!(&fetched, Some((200, body)) if *body == bytes);
        if !link_served {
            return Err(Error::PhotoHost(format!(
                "The bucket “{}” took the photo, but its link did not serve it back ({}). A provider could not fetch it either: check that the endpoint in Settings → Photo hosting is reachable from the internet. Nothing was paid.",
                self.bucket(),
                match fetched {
                    Some((status, _)) => format!("HTTP {status}"),
                    None => "no answer".into(),
                }
            )));
        }
        Ok(HostingCheck {
            bucket: self.bucket().to_string(),
            uploaded: true,
            link_served,
            private: !matches!(open, Some((200, _))),
            deleted: !matches!(after, Some((200, _))),
            link_seconds: LINK_LIFETIME.as_secs(),
        })
    }
}

async fn fetch(http: &reqwest::Client, url: url::Url) -> Option<(u16, Vec<u8>)> {
    let response = http.get(url).send().await.ok()?;
    let status = response.status().as_u16();
    let body = response.bytes().await.ok()?.to_vec();
    Some((status, body))
}
