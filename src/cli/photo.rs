//! `likeness photo check <URL-or-file>`: every photo check with its verdict, against the limits
//! of the provider named by the global `--provider`. Exits non-zero when a check fails.
//! `likeness photo check-hosting`: the studio's photo bucket, tested end to end.

use std::path::Path;

use clap::{Args, Subcommand};
use likeness::error::{Error, Result};
use likeness::hosting::{HostingCheck, S3Hosting, S3Keys, S3Settings};
use likeness::http::TrustRoots;
use likeness::photo::{self, PhotoCheck, PhotoLimits, Verdict};
use likeness::secrets::Secret;
use serde_json::json;

use super::output::Output;
use super::Global;

#[derive(Subcommand)]
pub enum PhotoCommand {
    /// Check a face photo before paying: format, size, pixels, shape, faces, face size and
    /// sharpness, against the provider's documented limits (`--provider`).
    Check {
        /// An https link, or a file on this computer.
        #[arg(value_name = "URL-OR-FILE")]
        source: String,
    },
    /// Test the photo hosting bucket (S3, R2, B2, MinIO…): upload a probe, fetch it through its
    /// presigned link as a provider would, check the bucket is private, delete it. The keys
    /// come from LIKENESS_S3_ACCESS_KEY_ID and LIKENESS_S3_SECRET_ACCESS_KEY, never the keyring.
    /// (The bucket is named by the `--s3-*` flags, which every command takes.)
    CheckHosting,
}

/// Where the studio's photo bucket is: `photo check-hosting` tests it, and the session and
/// portrait commands host photo files in it.
#[derive(Args, Debug, Clone)]
pub struct HostingArgs {
    /// The S3 API's base URL (empty: AWS itself).
    #[arg(long, global = true, value_name = "URL", default_value = "")]
    pub s3_endpoint: String,
    #[arg(
        long,
        global = true,
        value_name = "REGION",
        default_value = "us-east-1"
    )]
    pub s3_region: String,
    /// The photo bucket (S3, R2, B2, MinIO…).
    #[arg(long, global = true, value_name = "BUCKET")]
    pub s3_bucket: Option<String>,
    /// A folder inside the bucket for the app's objects.
    #[arg(
        long,
        global = true,
        value_name = "PREFIX",
        default_value = "likeness/"
    )]
    pub s3_prefix: String,
}

impl HostingArgs {
    /// The bucket, when `--s3-bucket` names one.
    pub fn photo_host(&self) -> Result<Option<likeness::hosting::PhotoHost>> {
        match &self.s3_bucket {
            None => Ok(None),
            Some(_) => Ok(Some(likeness::hosting::PhotoHost::Bucket(self.hosting()?))),
        }
    }

    fn hosting(&self) -> Result<S3Hosting> {
        let Some(bucket) = &self.s3_bucket else {
            return Err(Error::invalid(
                "hosting_bucket",
                "Name the photo bucket to test (--s3-bucket).",
            ));
        };
        let key = |name: &str| {
            std::env::var(name).ok().filter(|v| !v.trim().is_empty()).ok_or_else(|| {
                Error::invalid(
                    "hosting_keys",
                    format!("Set {name} to the bucket's key (LIKENESS_S3_ACCESS_KEY_ID and LIKENESS_S3_SECRET_ACCESS_KEY)."),
                )
            })
        };
        let settings = S3Settings {
            endpoint: self.s3_endpoint.clone(),
            region: self.s3_region.clone(),
            bucket: bucket.clone(),
            prefix: self.s3_prefix.clone(),
        };
        S3Hosting::new(
            &settings,
            S3Keys {
                access_key_id: key("LIKENESS_S3_ACCESS_KEY_ID")?,
                secret_access_key: Secret::new(key("LIKENESS_S3_SECRET_ACCESS_KEY")?),
            },
        )
    }
}

/// A photo argument as the core takes it: links as given, and a relative path made absolute, so
/// a session started here and enrolled from another folder names the same file.
pub fn image_arg(raw: &str) -> String {
    let raw = raw.trim();
    let path = Path::new(raw);
    if raw.contains("://") || raw.is_empty() || path.is_absolute() {
        return raw.to_string();
    }
    match std::env::current_dir() {
        Ok(dir) => dir.join(path).display().to_string(),
        Err(_) => raw.to_string(),
    }
}

pub async fn run(g: &Global, out: &Output, command: PhotoCommand) -> Result<()> {
    let source = match command {
        PhotoCommand::Check { source } => source,
        PhotoCommand::CheckHosting => return check_hosting(out, &g.hosting).await,
    };
    let limits = PhotoLimits::for_provider(&g.provider).ok_or_else(|| {
        Error::invalid(
            "provider",
            format!(
                "Unknown provider {:?}. Known: rehearsal, blockrun, jarvisclaw, anyfast, crun.",
                g.provider
            ),
        )
    })?;
    let check = if source.contains("://") {
        let http = photo::client(&TrustRoots::default())?;
        photo::examine(&http, &source, &limits, None).await?
    } else {
        let path = Path::new(&source);
        let bytes = std::fs::read(path).map_err(|e| {
            Error::invalid(
                "image_url",
                format!("Cannot read the file {source}: {e}. Give an https link or a photo file."),
            )
        })?;
        let name = path.to_string_lossy().into_owned();
        tokio::task::spawn_blocking(move || photo::examine_bytes(&name, &bytes, &limits))
            .await
            .map_err(|e| Error::Internal(format!("the photo check stopped: {e}")))??
    };
    print_check(out, &check);
    let failed: Vec<&str> = check
        .checks
        .iter()
        .filter(|c| c.verdict == Verdict::Fail)
        .map(|c| c.label.as_str())
        .collect();
    if failed.is_empty() {
        return Ok(());
    }
    Err(Error::invalid(
        "image_url",
        format!(
            "The photo failed {} of {} checks ({}). {}",
            failed.len(),
            check.checks.len(),
            failed.join(", "),
            if check.can_override() {
                "In the app the operator may still use it, and the override is recorded."
            } else {
                "The provider would refuse it: use another photo."
            }
        ),
    ))
}

fn print_check(out: &Output, c: &PhotoCheck) {
    if out.json {
        // The preview is for windows; scripts get the facts and the checklist.
        let mut data = serde_json::to_value(c).unwrap_or_default();
        if let Some(map) = data.as_object_mut() {
            map.remove("thumbnail");
            map.insert("verdict".into(), json!(c.verdict()));
        }
        if c.has_failures() {
            out.event("photo_checked", data);
        } else {
            println!("{}", json!({ "result": data }));
        }
        return;
    }
    println!(
        "{} · {} × {} px · {} bytes · limits of {}",
        c.format.label(),
        c.width_px,
        c.height_px,
        c.size_bytes,
        c.provider
    );
    for item in &c.checks {
        println!(
            "{:5} {:14} {}",
            item.verdict.as_str().to_uppercase(),
            item.label,
            item.message
        );
    }
}

async fn check_hosting(out: &Output, bucket: &HostingArgs) -> Result<()> {
    let hosting = bucket.hosting()?;
    // A client with no keys and no cookies: what a provider's fetch looks like.
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| Error::Internal(format!("no HTTP client: {e}")))?;
    let check = hosting.check(&http).await?;
    print_hosting(out, &check);
    if check.ready() {
        return Ok(());
    }
    Err(Error::PhotoHost(format!(
        "The bucket “{}” works, but {}. Fix it before hosting talent photos there.",
        check.bucket,
        if !check.private {
            "it is public: anyone who learns a photo's name could fetch it. Make the bucket private (presigned links still work)"
        } else {
            "a deleted photo was still served by its link. Check the store's caching"
        }
    )))
}

fn print_hosting(out: &Output, c: &HostingCheck) {
    if out.json {
        println!("{}", json!({ "result": c }));
        return;
    }
    let mark = |ok: bool| if ok { "OK  " } else { "FAIL" };
    println!(
        "{} uploaded a probe photo to “{}”",
        mark(c.uploaded),
        c.bucket
    );
    println!(
        "{} its link served it without keys (a provider has {} minutes)",
        mark(c.link_served),
        c.link_seconds / 60
    );
    println!(
        "{} the bucket refuses unsigned reads (private)",
        mark(c.private)
    );
    println!("{} the probe was deleted", mark(c.deleted));
}
