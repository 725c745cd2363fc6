//! The talent's side: the release, their own window and its "I agree", revocation, and the
//! consent receipts as PDF.

use super::*;

/// The release in force, for Settings → Release and the talent's screen.
#[tauri::command]
#[specta::specta]
pub async fn get_release<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Answer<ReleaseTemplate> {
    Ok(state.library.release_template()?)
}

/// Saves the release as its next version; the same terms again keep the version in force.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn save_release<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    release: ReleaseTemplate,
) -> Answer<ReleaseTemplate> {
    let now = likeness::clock::Clock::new().now_ms();
    Ok(state.library.save_release_template(&release, now)?)
}

/// Withdraws a face from use (kept in its record, never undone): Generate refuses it.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn revoke_face<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    asset_id: String,
    reason: String,
) -> Answer<Face> {
    let now = likeness::clock::Clock::new().now_ms();
    Ok(state.library.revoke_face(&asset_id, &reason, now)?)
}

/// Writes a face's consent record as a PDF into the Downloads folder; returns its path.
#[tauri::command]
#[specta::specta]
pub async fn export_receipt_pdf<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    asset_id: String,
) -> Answer<String> {
    let pdf = state.library.consent_receipt_pdf(&asset_id)?;
    save_download(&app, &format!("{}-consent.pdf", safe_name(&asset_id)), &pdf)
}

/// Writes the consent records of a day's faces (`YYYY-MM-DD`, local) as one PDF into the
/// Downloads folder; returns its path.
#[tauri::command]
#[specta::specta]
pub async fn export_day_receipts_pdf<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    day: String,
) -> Answer<String> {
    let (pdf, _) = state.library.day_receipts_pdf(&day)?;
    save_download(
        &app,
        &format!("likeness-consent-{}.pdf", safe_name(&day)),
        &pdf,
    )
}

/// "Show to talent" (or F): the talent's window, opened or brought forward on this session.
#[tauri::command]
#[specta::specta]
pub async fn open_talent_view<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> Answer<()> {
    let view = state.studio().await.session_view(&id)?;
    crate::talent::open(&app, &state.talent, &view, &state.updates)
        .map_err(|e| Error::Internal(format!("the talent's window could not open: {e}")).into())
}

/// The talent's screen now: their session as they may see it (none chosen yet: null).
#[tauri::command]
#[specta::specta]
pub async fn talent_view<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Answer<Option<TalentView>> {
    let Some(id) = state.talent.session() else {
        return Ok(None);
    };
    Ok(Some(state.studio().await.talent_view(&id)?))
}

/// Streams the talent's screen: every change to the session it shows.
#[tauri::command]
#[specta::specta]
pub async fn watch_talent<R: Runtime>(
    app: AppHandle<R>,
    on_update: Channel<TalentView>,
) -> Answer<()> {
    crate::talent::forward(app, on_update);
    Ok(())
}

/// The talent's own "I agree" under the release they were shown: only from their window.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn agree_to_release<R: Runtime>(
    window: tauri::WebviewWindow<R>,
    state: State<'_, AppState>,
    typed_name: String,
    release_sha256: String,
) -> Answer<TalentView> {
    let id = state.talent.session().unwrap_or_default();
    let studio = state.studio().await;
    let agreed = studio.talent_agrees(window.label(), &id, &typed_name, &release_sha256);
    Ok(agreed.await?)
}

/// Writes `bytes` as `name` in the Downloads folder (the app's data folder without one).
fn save_download<R: Runtime>(app: &AppHandle<R>, name: &str, bytes: &[u8]) -> Answer<String> {
    let dir = app
        .path()
        .download_dir()
        .or_else(|_| app.path().app_data_dir())
        .map_err(|e| Error::Storage(format!("no folder to save into: {e}")))?;
    let path = dir.join(name);
    std::fs::create_dir_all(&dir)
        .and_then(|_| std::fs::write(&path, bytes))
        .map_err(|e| Error::Storage(format!("could not write {}: {e}", path.display())))?;
    Ok(path.display().to_string())
}

/// Letters, digits, `-`, `_` and `.` only, so an id or a day never names a path.
fn safe_name(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect::<String>()
        .trim_start_matches('.')
        .to_string()
}
