//! Photo hosting: BlockRun, JarvisClaw and Crun take a face photo only as a link they fetch, but
//! a producer's photo is a file. Studios keep media in object storage, so the app puts the
//! checked bytes in the studio's own S3-compatible bucket (AWS S3, Cloudflare R2, Backblaze B2,
//! MinIO, …) under a random name, hands the provider a presigned GET link that lapses in
//! minutes, and deletes the object once the provider has answered. The bucket stays private.

mod check;
mod host;
mod s3;

pub use check::HostingCheck;
pub use host::{PhotoHost, PhotoShelf};
pub use s3::{S3Hosting, S3Keys};

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

/// Where the studio's bucket is (Settings → Photo hosting). The keys live in the OS keyring, or
/// in the environment for one CLI run, never here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct S3Settings {
    /// The S3 API's base URL; empty means AWS itself in `region`.
    pub endpoint: String,
    pub region: String,
    pub bucket: String,
    /// A folder inside the bucket for the app's objects (e.g. `likeness/`); may be empty.
    pub prefix: String,
}

/// How long a provider has to fetch a hosted photo. Providers fetch it within seconds of the
/// call; minutes leave room for a slow upstream without leaving the link useful for long.
pub const LINK_LIFETIME: Duration = Duration::from_secs(10 * 60);

/// A photo put in the bucket for one provider call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedPhoto {
    /// The presigned GET link the provider fetches.
    pub url: url::Url,
    /// The object's name in the bucket: what is deleted afterwards.
    pub object: String,
    pub expires_at: SystemTime,
    /// The sha256 of the bytes stored, so the consent record names what the provider received.
    pub sha256: String,
}
