//! `likeness photo check <URL-or-file>`: every photo check with its verdict, against the limits
//! of the provider named by the global `--provider`. Exits non-zero when a check fails.

use std::path::Path;

use clap::Subcommand;
use likeness::error::{Error, Result};
use likeness::http::TrustRoots;
use likeness::photo::{self, PhotoCheck, PhotoLimits, Verdict};
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
}

pub async fn run(g: &Global, out: &Output, command: PhotoCommand) -> Result<()> {
    let PhotoCommand::Check { source } = command;
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
