//! The desktop notification when a video is ready or failed: videos take minutes, and the
//! producer has moved on to the next talent by then. One notice per job and outcome, however
//! often the job's later changes are broadcast.

use std::collections::HashSet;

use super::{JobState, VideoJob};

/// What the notification says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoNotice {
    pub title: String,
    pub body: String,
}

/// Remembers which jobs were announced, so each outcome is announced once.
#[derive(Debug, Default)]
pub struct VideoNotices {
    told: HashSet<(String, JobState)>,
}

/// The prompt as the producer will recognise it: its first words.
fn gist(prompt: &str) -> String {
    let words: Vec<&str> = prompt.split_whitespace().collect();
    let short = words.iter().take(8).copied().collect::<Vec<_>>().join(" ");
    if words.len() > 8 {
        format!("“{short}…”")
    } else {
        format!("“{short}”")
    }
}

impl VideoNotices {
    /// The notice `job`'s change calls for, if any and not given before.
    pub fn on_change(&mut self, job: &VideoJob) -> Option<VideoNotice> {
        let notice = match job.state {
            JobState::Completed => VideoNotice {
                title: match &job.face_name {
                    Some(name) => format!("{name}'s video is ready"),
                    None => "Video ready".into(),
                },
                body: format!("{} is ready: open Generate to watch it.", gist(&job.prompt)),
            },
            JobState::Failed => VideoNotice {
                title: "Video failed".into(),
                body: format!(
                    "{} did not finish: open Generate to see why.",
                    gist(&job.prompt)
                ),
            },
            JobState::Expired => VideoNotice {
                title: "Video not finished in time".into(),
                body: format!(
                    "{} ran past the provider's time: open Generate.",
                    gist(&job.prompt)
                ),
            },
            _ => return None,
        };
        self.told
            .insert((job.id.clone(), job.state))
            .then_some(notice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: &str, state: JobState) -> VideoJob {
        let mut j = VideoJob::placeholder();
        j.id = id.into();
        j.state = state;
        j.prompt = "She smiles warmly and waves at the camera from the studio door".into();
        j.face_name = Some("Ada Lovelace".into());
        j
    }

    #[test]
    fn each_outcome_is_announced_once_per_job() {
        let mut notices = VideoNotices::default();
        assert_eq!(notices.on_change(&job("vid_1", JobState::Running)), None);
        let ready = notices
            .on_change(&job("vid_1", JobState::Completed))
            .unwrap();
        assert_eq!(ready.title, "Ada Lovelace's video is ready");
        assert_eq!(
            ready.body,
            "“She smiles warmly and waves at the camera…” is ready: open Generate to watch it."
        );
        // The charge lands after the file: the same outcome is not announced again.
        assert_eq!(notices.on_change(&job("vid_1", JobState::Completed)), None);
        let failed = notices.on_change(&job("vid_2", JobState::Failed)).unwrap();
        assert_eq!(failed.title, "Video failed");
        assert!(notices
            .on_change(&job("vid_3", JobState::Expired))
            .is_some());
    }
}
