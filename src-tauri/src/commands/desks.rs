//! Several desks: where the library lives, the other desks' sessions, and taking one over.

use likeness::flow::SessionView;
use likeness::library::{
    watch_changes, DeskSession, LibraryChange, LibraryStatus, StudioDatabase, CHANGE_POLL,
};
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};

use super::Answer;
use crate::state::AppState;

/// The library in use: this desk's file or the studio database, and why not the latter.
#[tauri::command]
#[specta::specta]
pub async fn get_library_status<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Answer<LibraryStatus> {
    Ok(state.library_status.clone())
}

/// Keeps the studio database's password in the OS keyring; used from the next launch.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn set_database_password<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    password: String,
) -> Answer<()> {
    Ok(StudioDatabase::store_password(
        state.secrets.as_ref(),
        &password,
    )?)
}

/// Opens the app again, so a changed studio database (or one back up) is used.
#[tauri::command]
#[specta::specta]
pub async fn restart_app<R: Runtime>(app: AppHandle<R>) -> Answer<()> {
    app.restart()
}

/// The sessions other desks opened on the shared database ("Desk 2: Ada, waiting").
#[tauri::command]
#[specta::specta]
pub async fn list_other_desks_sessions<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Answer<Vec<DeskSession>> {
    Ok(state.library.other_desks_sessions()?)
}

/// Makes this desk follow a session another desk opened (after a crash), on the operator's word.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn take_over_session<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> Answer<SessionView> {
    Ok(state.studio().await.take_over_session(&id)?)
}

/// Streams what other desks change (the faces' version, their open sessions) to the window,
/// the first at once, until the window goes away.
#[tauri::command]
#[specta::specta]
pub async fn watch_library<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    on_change: Channel<LibraryChange>,
) -> Answer<()> {
    let library = std::sync::Arc::clone(&state.library);
    tauri::async_runtime::spawn(watch_changes(library, CHANGE_POLL, move |c| {
        on_change.send(c).is_ok()
    }));
    Ok(())
}
