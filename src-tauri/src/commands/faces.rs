//! What producers call a face and how they label it, from the Library's drawer. The rules
//! (names, tags, the whole person, the consent record untouched) are the core's.

use super::*;

/// Renames a face and its person's files in the library; returns the face as filed now.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn rename_face<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    asset_id: String,
    name: String,
) -> Answer<Face> {
    Ok(state.library.rename_face(&asset_id, &name)?)
}

/// Replaces a face's (and its person's) tags; returns the face as filed now.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn set_face_tags<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    asset_id: String,
    tags: Vec<String>,
) -> Answer<Face> {
    Ok(state.library.set_face_tags(&asset_id, &tags)?)
}

/// A copy of a person's video or voice clip in the media folder, for the drawer to play:
/// fetched from its link the first time it is asked for.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn clip_copy(state: State<'_, AppState>, asset_id: String) -> Answer<String> {
    Ok(state.studio().await.clip_copy(&asset_id).await?)
}
