//! The studio's S3-compatible bucket, through `object_store` (SigV4 and presigning are its job,
//! not ours).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once};
use std::time::{Duration, SystemTime};

use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::signer::{Method, Signer};
use object_store::{
    Attribute, Attributes, BackoffConfig, ClientOptions, ObjectStore, ObjectStoreExt as _,
    PutOptions, PutPayload, RetryConfig,
};
use rand::RngCore;

use super::{HostedPhoto, S3Settings, LINK_LIFETIME};
use crate::error::{Error, Result};
use crate::secrets::Secret;

/// An access key pair for the bucket.
pub struct S3Keys {
    pub access_key_id: String,
    pub secret_access_key: Secret,
}

#[derive(Debug, Clone)]
pub struct S3Hosting {
    store: Arc<AmazonS3>,
    settings: S3Settings,
    /// The bucket answered a listing once: a missing bucket or refused keys are found by
    /// that first call. Some S3-compatible stores create a missing bucket on upload, so the
    /// upload alone would not tell.
    verified: Arc<AtomicBool>,
}

/// object_store's HTTP client is rustls without a built-in provider; the process uses ring.
fn install_tls_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Err only when another provider is already the default, which serves as well.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

impl S3Hosting {
    pub fn new(settings: &S3Settings, keys: S3Keys) -> Result<Self> {
        Self::trusting(settings, keys, &crate::http::TrustRoots::default())
    }

    /// [`Self::new`], also trusting `roots` (a test's own certificate authority); the app
    /// passes none.
    pub fn trusting(
        settings: &S3Settings,
        keys: S3Keys,
        roots: &crate::http::TrustRoots,
    ) -> Result<Self> {
        install_tls_provider();
        let mut client = ClientOptions::new()
            .with_connect_timeout(Duration::from_secs(5))
            .with_timeout(Duration::from_secs(60));
        for der in &roots.0 {
            let cert = object_store::Certificate::from_der(der)
                .map_err(|e| Error::Internal(format!("bad trusted certificate: {e}")))?;
            client = client.with_root_certificate(cert);
        }
        let bucket = settings.bucket.trim();
        if bucket.is_empty() {
            return Err(Error::invalid(
                "hosting_bucket",
                "Name the bucket the photos go in (Settings → Photo hosting).",
            ));
        }
        let region = match settings.region.trim() {
            "" => "us-east-1",
            r => r,
        };
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(bucket)
            .with_region(region)
            .with_access_key_id(keys.access_key_id.trim())
            .with_secret_access_key(keys.secret_access_key.expose().trim())
            // A network drop or a down store is said within seconds, not after minutes of
            // silent retries with the talent waiting.
            .with_retry(RetryConfig {
                backoff: BackoffConfig::default(),
                max_retries: 2,
                retry_timeout: Duration::from_secs(15),
            })
            .with_client_options(client);
        let endpoint = settings.endpoint.trim();
        if !endpoint.is_empty() {
            let url = url::Url::parse(endpoint)
                .ok()
                .filter(|u| matches!(u.scheme(), "https" | "http") && u.host_str().is_some())
                .ok_or_else(|| {
                    Error::invalid(
                        "hosting_endpoint",
                        "The storage endpoint must be a web address such as https://s3.example.com.",
                    )
                })?;
            // Self-hosted stores (MinIO and the like) are often plain http on the studio
            // network, and take the bucket in the path rather than the host name.
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(url.scheme() == "http")
                .with_virtual_hosted_style_request(false);
        }
        let store = builder.build().map_err(|e| {
            Error::invalid(
                "hosting_endpoint",
                format!("The photo hosting settings are not usable: {e}"),
            )
        })?;
        Ok(S3Hosting {
            store: Arc::new(store),
            settings: settings.clone(),
            verified: Arc::new(AtomicBool::new(false)),
        })
    }

    pub fn bucket(&self) -> &str {
        &self.settings.bucket
    }

    /// Asks the bucket for its listing under the prefix: the bucket exists and the keys may
    /// read it (Settings → Photo hosting's test, and once before the first upload).
    pub async fn verify(&self) -> Result<()> {
        let prefix = self.settings.prefix.trim().trim_matches('/');
        let prefix = (!prefix.is_empty()).then(|| Path::from(prefix));
        self.store
            .list_with_delimiter(prefix.as_ref())
            .await
            .map_err(|e| self.said("read", e))?;
        self.verified.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// Puts the bytes under a random name and returns a link that lapses in [`LINK_LIFETIME`].
    pub async fn upload(&self, bytes: Vec<u8>, content_type: &str) -> Result<HostedPhoto> {
        self.upload_for(bytes, content_type, LINK_LIFETIME).await
    }

    /// [`Self::upload`] with the link's lifetime given.
    pub async fn upload_for(
        &self,
        bytes: Vec<u8>,
        content_type: &str,
        lifetime: Duration,
    ) -> Result<HostedPhoto> {
        if !self.verified.load(Ordering::Relaxed) {
            self.verify().await?;
        }
        let sha256 = crate::photo::sha256_hex(&bytes);
        let object = self.object_name(content_type);
        let path = Path::from(object.as_str());
        let mut attributes = Attributes::new();
        attributes.insert(Attribute::ContentType, content_type.to_string().into());
        let options = PutOptions {
            attributes,
            ..Default::default()
        };
        self.store
            .put_opts(&path, PutPayload::from(bytes), options)
            .await
            .map_err(|e| self.said("upload the photo to", e))?;
        let url = self
            .store
            .signed_url(Method::GET, &path, lifetime)
            .await
            .map_err(|e| self.said("make a link for the photo in", e))?;
        Ok(HostedPhoto {
            url,
            object,
            expires_at: SystemTime::now() + lifetime,
            sha256,
        })
    }

    /// Deletes a hosted photo. Deleting one that is already gone is not an error.
    pub async fn remove(&self, object: &str) -> Result<()> {
        match self.store.delete(&Path::from(object)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.said("delete the photo from", e)),
        }
    }

    fn object_name(&self, content_type: &str) -> String {
        let mut random = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut random);
        let ext = match content_type {
            "image/png" => "png",
            "image/webp" => "webp",
            "image/gif" => "gif",
            _ => "jpg",
        };
        let prefix = self.settings.prefix.trim().trim_matches('/');
        let name = format!("{}.{ext}", hex::encode(random));
        if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        }
    }

    /// The store's failure in words the operator can act on; nothing was paid when it happens.
    fn said(&self, doing: &str, e: object_store::Error) -> Error {
        let bucket = &self.settings.bucket;
        let text = format!("{e:?} {e}");
        let message = if text.contains("NoSuchBucket") {
            format!("The bucket “{bucket}” does not exist at this storage service. Check its name and region in Settings → Photo hosting, or create it. Nothing was paid.")
        } else if matches!(
            e,
            object_store::Error::Unauthenticated { .. }
                | object_store::Error::PermissionDenied { .. }
        ) || text.contains("InvalidAccessKeyId")
            || text.contains("SignatureDoesNotMatch")
            || text.contains("AccessDenied")
            // Any other refusal of who is asking (services name an unknown key differently).
            || text.contains("403 Forbidden")
        {
            format!("The storage service refused the photo hosting keys for bucket “{bucket}”. Check the access key and secret in Settings → Photo hosting (they need permission to write, read and delete in it). Nothing was paid.")
        } else if text.contains("error sending request")
            || text.contains("connect")
            || text.contains("timed out")
            || text.contains("Connection")
            || text.contains("connection")
        {
            format!("Could not reach the storage service to {doing} bucket “{bucket}”. Check the network and the endpoint in Settings → Photo hosting, then try again. Nothing was paid.")
        } else {
            format!("The storage service could not {doing} bucket “{bucket}”. Try again; if it keeps failing, check Settings → Photo hosting. Nothing was paid.")
        };
        tracing::warn!(error = %e, "photo hosting: {doing} bucket {bucket} failed");
        Error::PhotoHost(message)
    }
}
