//! The Generate screen's commands: the documented options, the estimate, a price to confirm,
//! the jobs and their files. Prices, payments and polling are the core's.

use super::*;

/// What the video form may offer on the selected provider: its models, lengths, resolutions
/// and ratios as documented, and the library's faces usable with it.
#[tauri::command]
#[specta::specta]
pub async fn video_options<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Answer<VideoOptions> {
    Ok(state.studio().await.video_options()?)
}

/// What a video will likely cost and take, as the form stands; nothing is asked of the provider.
#[tauri::command]
#[specta::specta]
pub async fn estimate_video<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    request: VideoRequest,
) -> Answer<VideoEstimate> {
    Ok(state.studio().await.estimate_video(&request)?)
}

/// Checks a video request and shows what it costs: the provider's price (x402; nothing is
/// signed) or that the account is billed. The job waits for `confirm_video`.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn quote_video<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    request: VideoRequest,
) -> Answer<VideoJob> {
    Ok(state.studio().await.quote_video(&request).await?)
}

/// The operator confirmed: sign and record the payment (x402), send the job, follow it.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn confirm_video<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    job_id: String,
    payee_change_confirmed: bool,
) -> Answer<VideoJob> {
    Ok(state
        .studio()
        .await
        .confirm_video(&job_id, payee_change_confirmed)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn decline_video<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    job_id: String,
) -> Answer<VideoJob> {
    Ok(state.studio().await.decline_video(&job_id)?)
}

/// Every video job, newest first, with status, time taken and price.
#[tauri::command]
#[specta::specta]
pub async fn list_jobs<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Answer<Vec<VideoJob>> {
    Ok(state.studio().await.list_jobs()?)
}

/// Streams every video job change to the window until the window goes away.
#[tauri::command]
#[specta::specta]
pub async fn watch_jobs<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    on_update: Channel<VideoJob>,
) -> Answer<()> {
    forward(state.job_updates.subscribe(), on_update, "job");
    Ok(())
}

/// Downloads a finished video again (after a failed download); nothing is made or charged
/// again.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn download_job<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    job_id: String,
) -> Answer<VideoJob> {
    Ok(state.studio().await.download_job(&job_id).await?)
}

/// Opens the folder of a finished video with the file selected. Only a job's own saved file
/// is revealed, never a path from the window.
#[tauri::command]
#[specta::specta]
pub async fn reveal_job_file<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    job_id: String,
) -> Answer<()> {
    let job = state.studio().await.video_job(&job_id)?;
    let path = job
        .local_path
        .filter(|p| std::path::Path::new(p).is_file())
        .ok_or_else(|| {
            Error::invalid(
                "job",
                "This job has no video on this computer yet. Download it first.",
            )
        })?;
    use tauri_plugin_opener::OpenerExt;
    app.opener()
        .reveal_item_in_dir(&path)
        .map_err(|e| Error::Internal(format!("could not open the folder: {e}")).into())
}

/// "Save to…": the system's Save dialog, then a copy of the finished video where the operator
/// chose. `None` when the dialog was closed; the video stays in the app's folder either way.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn save_video<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    job_id: String,
) -> Answer<Option<String>> {
    let name = state.studio().await.video_file_name(&job_id)?;
    let to = crate::dialog::pick_video_destination(app, name).await;
    let Some(to) = to else { return Ok(None) };
    let saved = state.studio().await.save_video_to(&job_id, &to).await?;
    Ok(Some(saved))
}
