//! Where a local photo is put for a provider that only fetches links: the studio's bucket, or,
//! on Rehearsal, Rehearsal itself. The core names no Rehearsal type: the app (src/stage.rs)
//! hands the studio a [`PhotoShelf`] for the Rehearsal it runs.

use std::sync::Arc;
use std::time::Duration;

use super::{HostedPhoto, S3Hosting, LINK_LIFETIME};
use crate::error::Result;

/// A server that keeps bytes it was handed under a random, unguessable name for a short while
/// and serves them at a link (Rehearsal's `/hosted/<name>`).
pub trait PhotoShelf: Send + Sync {
    /// Keeps `bytes` for `lifetime` and returns their link.
    fn lend(&self, bytes: Vec<u8>, content_type: &str, lifetime: Duration) -> HostedPhoto;
    /// Stops serving `object` (already gone is fine).
    fn withdraw(&self, object: &str);
}

/// One place a photo file can be hosted.
#[derive(Clone)]
pub enum PhotoHost {
    /// The studio's S3-compatible bucket (Settings → Photo hosting).
    Bucket(S3Hosting),
    /// The built-in Rehearsal server, serving the photo itself.
    Shelf(Arc<dyn PhotoShelf>),
}

impl std::fmt::Debug for PhotoHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PhotoHost::Bucket(s3) => write!(f, "PhotoHost::Bucket({})", s3.bucket()),
            PhotoHost::Shelf(_) => write!(f, "PhotoHost::Shelf"),
        }
    }
}

impl PhotoHost {
    /// Puts the bytes up for [`LINK_LIFETIME`]: the link the provider fetches.
    pub async fn put(&self, bytes: Vec<u8>, content_type: &str) -> Result<HostedPhoto> {
        match self {
            PhotoHost::Bucket(s3) => s3.upload(bytes, content_type).await,
            PhotoHost::Shelf(shelf) => Ok(shelf.lend(bytes, content_type, LINK_LIFETIME)),
        }
    }

    /// Takes the copy down.
    pub async fn remove(&self, hosted: &HostedPhoto) -> Result<()> {
        match self {
            PhotoHost::Bucket(s3) => s3.remove(&hosted.object).await,
            PhotoHost::Shelf(shelf) => {
                shelf.withdraw(&hosted.object);
                Ok(())
            }
        }
    }
}
