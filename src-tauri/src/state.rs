//! What the shell keeps between commands: the running studio and its stage.

use std::sync::Arc;

use likeness::error::{Error, Result};
use likeness::flow::{SessionView, Studio, StudioConfig};
use likeness::library::{Face, Library, LibraryStatus, FILE_NAME};
use likeness::secrets::{KeyringStore, SecretStore};
use likeness::settings::Settings;
use likeness::stage::{Stage, StageInfo, StageOptions};
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::{broadcast, RwLock};
use tracing::{info_span, Instrument};

use crate::startup::TARGET;

use likeness::video::VideoJob;

/// The folder inside the app's data folder that finished videos are saved into.
pub const MEDIA_DIR: &str = "media";
/// Where pasted, dropped and webcam photos are kept, inside the app's data folder.
pub const PHOTO_DIR: &str = "photos";

pub struct Running {
    pub studio: Arc<Studio>,
    pub stage: Stage,
    pub settings: Settings,
}

pub struct AppState {
    pub library: Arc<Library>,
    pub secrets: Arc<dyn SecretStore>,
    pub updates: broadcast::Sender<SessionView>,
    pub asset_updates: broadcast::Sender<Face>,
    /// Every video job change; kept across provider switches like `updates`.
    pub job_updates: broadcast::Sender<VideoJob>,
    pub stage_options: StageOptions,
    pub running: RwLock<Running>,
    /// The library in use, and why not the studio database when it is set but failed.
    pub library_status: LibraryStatus,
    /// Photo downloads for the form's check (3 redirects at most, each on https), built once.
    pub photo_http: reqwest::Client,
    /// The session the talent's window shows.
    pub talent: crate::talent::TalentScreen,
}

impl AppState {
    /// Where photos that arrive as bytes (pasted, taken, the sample) are kept as files: the
    /// app's data folder, or the temporary folder for a run without one.
    pub fn photo_dir(&self) -> std::path::PathBuf {
        self.stage_options
            .data_dir
            .clone()
            .unwrap_or_else(std::env::temp_dir)
            .join(PHOTO_DIR)
    }

    pub async fn boot<R: Runtime>(app: &AppHandle<R>) -> Result<AppState> {
        let dir = app
            .path()
            .app_data_dir()
            .map_err(|e| Error::Storage(format!("no data folder: {e}")))?;
        let mut settings =
            info_span!(target: TARGET, "settings_load").in_scope(|| crate::store::load(app));
        // Lets tests and kiosk setups pin where phones reach Rehearsal without touching the store.
        if let Ok(host) = std::env::var("LIKENESS_REHEARSAL_HOST") {
            settings.rehearsal_host = Some(host);
        }
        let service =
            std::env::var("LIKENESS_KEYRING_SERVICE").unwrap_or_else(|_| "likeness-studio".into());
        let secrets: Arc<dyn SecretStore> = Arc::new(KeyringStore::new(service));
        let (library, problem) = open_library(&settings, &secrets, dir.join(FILE_NAME))
            .instrument(info_span!(target: TARGET, "library_open"))
            .await?;
        let options = StageOptions {
            data_dir: Some(dir),
            ..StageOptions::default()
        };
        let mut state = AppState::start(library, secrets, settings, options).await?;
        state.library_status = LibraryStatus::of(&state.library, problem.as_ref());
        Ok(state)
    }

    /// Starts the stage for `settings` and resumes open sessions.
    pub async fn start(
        library: Arc<Library>,
        secrets: Arc<dyn SecretStore>,
        settings: Settings,
        stage_options: StageOptions,
    ) -> Result<AppState> {
        let updates = broadcast::channel(64).0;
        let asset_updates = broadcast::channel(64).0;
        let job_updates = broadcast::channel(64).0;
        let running = run(
            &library,
            secrets.as_ref(),
            (&updates, &asset_updates, &job_updates),
            &stage_options,
            settings,
        )
        .await?;
        let photo_http = info_span!(target: TARGET, "photo_client")
            .in_scope(|| likeness::photo::client(&stage_options.trust))?;
        Ok(AppState {
            photo_http,
            library_status: LibraryStatus::of(&library, None),
            library,
            secrets,
            updates,
            asset_updates,
            job_updates,
            stage_options,
            running: RwLock::new(running),
            talent: Default::default(),
        })
    }

    pub async fn studio(&self) -> Arc<Studio> {
        Arc::clone(&self.running.read().await.studio)
    }

    /// Stops the running provider and starts one for `settings`. If that fails, the previous
    /// settings are started again so the app is never left without a provider.
    pub async fn restart(&self, settings: Settings) -> Result<StageInfo> {
        let mut running = self.running.write().await;
        running.studio.stop();
        running.stage.stop().await;
        let previous = running.settings.clone();
        match run(
            &self.library,
            self.secrets.as_ref(),
            (&self.updates, &self.asset_updates, &self.job_updates),
            &self.stage_options,
            settings,
        )
        .await
        {
            Ok(next) => {
                *running = next;
                Ok(running.stage.info.clone())
            }
            Err(e) => {
                *running = run(
                    &self.library,
                    self.secrets.as_ref(),
                    (&self.updates, &self.asset_updates, &self.job_updates),
                    &self.stage_options,
                    previous,
                )
                .await?;
                Err(e)
            }
        }
    }
}

async fn run(
    library: &Arc<Library>,
    secrets: &dyn SecretStore,
    (updates, asset_updates, job_updates): (
        &broadcast::Sender<SessionView>,
        &broadcast::Sender<Face>,
        &broadcast::Sender<VideoJob>,
    ),
    options: &StageOptions,
    settings: Settings,
) -> Result<Running> {
    let stage = Stage::start(&settings, secrets, options)
        .instrument(info_span!(target: TARGET, "stage_start", provider = ?settings.provider))
        .await?;
    let config = StudioConfig {
        updates: updates.clone(),
        asset_updates: asset_updates.clone(),
        job_updates: job_updates.clone(),
        // Finished videos go next to the library, in the app's data folder.
        media_dir: options.data_dir.as_ref().map(|d| d.join(MEDIA_DIR)),
        caps: settings.caps()?,
        wallet: stage.wallet.clone(),
        operator: settings.operator_name.trim().to_string(),
        rehearsal_phone_origin: stage.rehearsal_phone_origin(),
        rehearsal_shelf: stage.rehearsal_shelf(),
        // A bucket whose keys are missing is no bucket: a photo file then hears why, by name.
        photo_hosting: likeness::hosting::from_settings(&settings.photo_hosting, secrets)
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "photo hosting is not usable");
                None
            })
            .map(likeness::hosting::PhotoHost::Bucket),
        phone_watch: stage.phone_watch(),
        chain_nodes: stage.chain_nodes(&settings),
        ..StudioConfig::for_provider(&stage.provider)
    };
    let studio = Studio::new(
        Arc::clone(library),
        stage.provider.clone(),
        stage.http.clone(),
        config,
    );
    if let Some((bind, host)) = stage.callback_target(&settings) {
        // Polling still finds the finished check without it, so a busy port only costs speed.
        let serving = studio
            .serve_callbacks(bind, &host)
            .instrument(info_span!(target: TARGET, "callback_receiver"));
        if let Err(e) = serving.await {
            tracing::warn!(error = %e, "no LAN callback receiver; polling only");
        }
    }
    studio.watch_phones();
    info_span!(target: TARGET, "resume_open_sessions")
        .in_scope(|| studio.resume_open_sessions())?;
    tracing::info!(provider = %stage.info.provider, base = %stage.info.base_url, "stage ready");
    Ok(Running {
        studio,
        stage,
        settings,
    })
}

/// The library the settings name, opened off the async workers: connecting to the studio
/// database waits on the network, and its driver keeps its own runtime.
async fn open_library(
    settings: &Settings,
    secrets: &Arc<dyn SecretStore>,
    file: std::path::PathBuf,
) -> Result<(Arc<Library>, Option<Error>)> {
    let database = settings.studio_database.clone();
    let secrets = Arc::clone(secrets);
    tokio::task::spawn_blocking(move || {
        likeness::library::open_library(database.as_ref(), secrets.as_ref(), &file)
    })
    .await
    .map_err(|e| Error::Internal(format!("the library could not be opened: {e}")))?
    .map(|(library, problem)| (Arc::new(library), problem))
}
