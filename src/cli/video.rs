//! `likeness video …`: Seedance 2.0 videos with a face from the library.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::Subcommand;
use likeness::error::{Error, ProviderReason, Result};
use likeness::flow::Studio;
use likeness::stage::Stage;
use likeness::video::{JobState, VideoBilling, VideoJob, VideoRequest};
use serde_json::json;

use super::output::Output;
use super::{confirm, data_dir, price_question, Global};

#[derive(Subcommand)]
pub enum VideoCommand {
    /// Make a video of a library face: shows the price (or that the account is billed), asks,
    /// then sends it and prints the job id.
    Create {
        /// The face's asset id (`likeness faces` lists them): ta_… or asset-…, of this provider.
        #[arg(long, value_name = "ID")]
        face: String,
        #[arg(long, value_name = "P")]
        prompt: String,
        /// seedance-2.0 or seedance-2.0-fast (default), or the provider's own model id.
        #[arg(long, value_name = "M")]
        model: Option<String>,
        /// Seconds, 4 to 15 (default 5).
        #[arg(long, value_name = "S")]
        duration: Option<u32>,
        /// 480p, 720p (default) or 1080p, as the model offers.
        #[arg(long, value_name = "R")]
        resolution: Option<String>,
        /// Aspect ratio, as the provider offers (16:9 by default).
        #[arg(long, value_name = "R")]
        ratio: Option<String>,
        /// An active video asset (asset-…) of the face's group, given to Seedance as a reference
        /// video (Anyfast; Crun on seedance-2.0). Repeat for more, up to 3.
        #[arg(long = "reference-video", value_name = "ID")]
        reference_videos: Vec<String>,
        /// An active voice (audio) asset (asset-…) of the face's group, given as a reference
        /// audio; the video is then made with sound. Repeat for more, up to 3.
        #[arg(long = "reference-audio", value_name = "ID")]
        reference_audios: Vec<String>,
    },
    /// Ask the provider once where a job stands (a finished video is downloaded into the data
    /// folder's media folder).
    Status {
        #[arg(long, value_name = "ID")]
        id: String,
    },
    /// Follow a job until the video is made, download it into DIR and print its path. Exits
    /// non-zero if it failed, saying why and whether it was charged.
    Wait {
        #[arg(long, value_name = "ID")]
        id: String,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

/// ", given 1 reference video and 2 voice clips", or nothing without clips.
fn clip_words(job: &VideoJob) -> String {
    let (v, a) = (job.reference_videos.len(), job.reference_audios.len());
    let count =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    match (v, a) {
        (0, 0) => String::new(),
        (v, 0) => format!(
            ", given {}",
            count(v, "reference video", "reference videos")
        ),
        (0, a) => format!(", given {}", count(a, "voice clip", "voice clips")),
        (v, a) => format!(
            ", given {} and {}",
            count(v, "reference video", "reference videos"),
            count(a, "voice clip", "voice clips")
        ),
    }
}

/// A studio whose finished videos go into `media_dir`.
async fn studio(g: &Global, media_dir: PathBuf) -> Result<(Arc<Studio>, Stage)> {
    super::studio_with_media(g, false, Some(media_dir)).await
}

pub async fn run(g: &Global, out: &Output, cmd: VideoCommand) -> Result<()> {
    let media = data_dir(g).join("media");
    match cmd {
        VideoCommand::Create {
            face,
            prompt,
            model,
            duration,
            resolution,
            ratio,
            reference_videos,
            reference_audios,
        } => {
            let (studio, _stage) = studio(g, media).await?;
            let request = VideoRequest {
                face_asset_id: face,
                prompt,
                model,
                duration_seconds: duration,
                resolution,
                aspect_ratio: ratio,
                reference_videos,
                reference_audios,
            };
            let job = studio.quote_video(&request).await?;
            out.event("video_quoted", json!(job));
            let what = format!(
                "a {} s {} {} video of {}{} with {}",
                job.duration_seconds,
                job.resolution,
                job.aspect_ratio,
                job.face_name.as_deref().unwrap_or(&job.face_asset_id),
                clip_words(&job),
                job.model
            );
            let question = match (&job.quote, job.billing) {
                (Some(quote), _) => {
                    format!("Make {what}? {}", price_question(quote, job.payee_changed))
                }
                (None, VideoBilling::Account) => format!(
                    "Make {what} on {} (billed to the API key's account)?",
                    job.provider
                ),
                (None, VideoBilling::Wallet) => format!("Make {what}?"),
            };
            if !out.json {
                println!("{}", job.money_words());
            }
            if let Err(e) = confirm(g, out, &question) {
                studio.decline_video(&job.id)?;
                return Err(e);
            }
            let job = studio.confirm_video(&job.id, true).await?;
            studio.stop();
            out.job(&job);
            Ok(())
        }
        VideoCommand::Status { id } => {
            let (studio, _stage) = studio(g, media).await?;
            let job = studio.poll_job(&id).await?;
            out.job(&job);
            Ok(())
        }
        VideoCommand::Wait { id, out: dir } => {
            let (studio, _stage) = studio(g, dir.clone()).await?;
            let job = wait(&studio, out, &id, &dir).await;
            studio.stop();
            let job = job?;
            out.job(&job);
            Ok(())
        }
    }
}

/// Follows the job to its end; the studio's own watch polls and downloads.
async fn wait(studio: &Arc<Studio>, out: &Output, id: &str, dir: &Path) -> Result<VideoJob> {
    let mut job = studio.video_job(id)?;
    match job.state {
        JobState::AwaitingConfirmation => {
            return Err(Error::invalid(
                "job",
                "This job has not been confirmed yet, so nothing was sent. Run `likeness video create` again and confirm the price.",
            ))
        }
        JobState::Submitting => {
            return Err(Error::invalid(
                "job",
                job.error.clone().unwrap_or_else(|| {
                    "This job's submission has no answer yet; run `likeness video create` again only after checking the provider.".into()
                }),
            ))
        }
        JobState::Completed => return copy_into(studio, job, dir).await,
        JobState::Downloading => job = studio.download_job(id).await?,
        JobState::Queued | JobState::Running => {
            let mut updates = studio.subscribe_jobs();
            // One poll now: it also says at once if the selected provider is not the job's.
            job = studio.poll_job(id).await?;
            if job.state.at_provider() {
                studio.watch_job(id);
            }
            let mut last = job.state;
            while job.state.at_provider() || job.state == JobState::Downloading {
                match tokio::time::timeout(Duration::from_secs(5), updates.recv()).await {
                    Ok(Ok(j)) if j.id == id => job = j,
                    Ok(Err(tokio::sync::broadcast::error::RecvError::Closed)) => break,
                    // Lagged, another job, or quiet for a while: read the stored job.
                    _ => job = studio.video_job(id)?,
                }
                if job.state != last {
                    out.job_progress(&job);
                    last = job.state;
                }
                if job.error.is_some()
                    && (job.state.at_provider() || job.state == JobState::Downloading)
                {
                    break;
                }
            }
        }
        JobState::Failed | JobState::Expired => {}
    }
    match job.state {
        JobState::Completed => copy_into(studio, job, dir).await,
        JobState::Failed | JobState::Expired => Err(Error::Provider {
            provider: job.provider,
            status: 0,
            reason: ProviderReason::Other,
            message: job.error.unwrap_or_else(|| {
                format!(
                    "The video job {}. {}",
                    job.state.label(),
                    job.charge_note.unwrap_or_default()
                )
            }),
        }),
        _ => Err(Error::invalid(
            "job",
            job.error
                .unwrap_or_else(|| format!("The job is {}.", job.state.label())),
        )),
    }
}

/// A video finished earlier into another folder is copied into `dir`.
async fn copy_into(studio: &Arc<Studio>, job: VideoJob, dir: &Path) -> Result<VideoJob> {
    let Some(path) = job.local_path.clone() else {
        return studio.download_job(&job.id).await;
    };
    let target = Studio::job_file_in(dir, &job.id);
    if Path::new(&path) == target {
        return Ok(job);
    }
    if !Path::new(&path).is_file() {
        return studio.download_job(&job.id).await;
    }
    tokio::fs::create_dir_all(dir)
        .await
        .and(tokio::fs::copy(&path, &target).await.map(|_| ()))
        .map_err(|e| {
            Error::Storage(format!("cannot copy the video into {}: {e}", dir.display()))
        })?;
    Ok(VideoJob {
        local_path: Some(target.display().to_string()),
        ..job
    })
}
