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

/// Settings → Photo hosting's bucket with its keys from the keyring; `None` when no bucket is
/// named. Missing keys are said in words that point at the setting.
pub fn from_settings(
    settings: &S3Settings,
    secrets: &dyn crate::secrets::SecretStore,
) -> crate::error::Result<Option<S3Hosting>> {
    use crate::secrets::SecretName;
    if settings.bucket.trim().is_empty() {
        return Ok(None);
    }
    let id = secrets.get(SecretName::HostingAccessKeyId)?;
    let secret = secrets.get(SecretName::HostingSecretKey)?;
    let (Some(id), Some(secret)) = (id, secret) else {
        return Err(crate::error::Error::invalid(
            "hosting_keys",
            "The photo bucket has no keys yet: paste its access key id and secret in Settings → Photo hosting.",
        ));
    };
    S3Hosting::new(
        settings,
        S3Keys {
            access_key_id: id.expose().to_string(),
            secret_access_key: secret,
        },
    )
    .map(Some)
}

/// Keeps the bucket's keys in the keyring. An empty field leaves the stored key as it is, so
/// the page can save its other fields without the keys being typed again.
pub fn store_keys(
    secrets: &dyn crate::secrets::SecretStore,
    access_key_id: &str,
    secret_access_key: &str,
) -> crate::error::Result<()> {
    use crate::secrets::{Secret, SecretName};
    for (name, value) in [
        (SecretName::HostingAccessKeyId, access_key_id.trim()),
        (SecretName::HostingSecretKey, secret_access_key.trim()),
    ] {
        if !value.is_empty() {
            secrets.set(name, &Secret::new(value))?;
        }
    }
    Ok(())
}

/// Settings → Photo hosting's Check: the stored bucket and keys, tested end to end.
pub async fn check_stored(
    settings: &S3Settings,
    secrets: &dyn crate::secrets::SecretStore,
    http: &reqwest::Client,
) -> crate::error::Result<HostingCheck> {
    match from_settings(settings, secrets)? {
        Some(bucket) => bucket.check(http).await,
        None => Err(crate::error::Error::invalid(
            "hosting_bucket",
            "Name the bucket the photos go in (Settings → Photo hosting).",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::{MemoryStore, SecretName, SecretStore};

    #[test]
    fn the_bucket_comes_from_settings_and_its_keys_from_the_keyring() {
        let secrets = MemoryStore::default();
        let mut settings = S3Settings::default();
        assert!(
            from_settings(&settings, &secrets).unwrap().is_none(),
            "none named"
        );
        settings.bucket = "casting".into();
        let e = from_settings(&settings, &secrets).unwrap_err();
        assert_eq!(e.field(), Some("hosting_keys"));
        assert!(e.to_string().contains("Settings → Photo hosting"), "{e}");
        store_keys(&secrets, " AKIA1 ", "s3cret").unwrap();
        // Saving the page again with the key fields left empty keeps the stored keys.
        store_keys(&secrets, "", "").unwrap();
        let got = secrets
            .get(SecretName::HostingAccessKeyId)
            .unwrap()
            .unwrap();
        assert_eq!(got.expose(), "AKIA1");
        let hosted = from_settings(&settings, &secrets).unwrap().unwrap();
        assert_eq!(hosted.bucket(), "casting");
    }
}
