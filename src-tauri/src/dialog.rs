//! The system's file picker, opened by the app's own command rather than by the window, so the
//! window needs no dialog or file-system permission (see docs/SECURITY.md).

use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::DialogExt;

/// The extensions offered first; any file can still be chosen, and the checks read the bytes.
const PHOTO_EXTENSIONS: [&str; 11] = [
    "jpg", "jpeg", "png", "webp", "heic", "heif", "avif", "gif", "bmp", "tif", "tiff",
];

/// The chosen photo's path, or `None` when the operator closed the picker.
pub async fn pick_photo<R: Runtime>(app: AppHandle<R>) -> Option<String> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Choose the talent's face photo")
        .add_filter("Photos", &PHOTO_EXTENSIONS)
        .pick_file(move |chosen| {
            let _ = tx.send(chosen);
        });
    let chosen = rx.await.ok().flatten()?;
    chosen.into_path().ok().map(|p| p.display().to_string())
}

/// Where the operator wants a finished video saved (the system's Save dialog, which asks
/// before replacing a file), or `None` when they closed it.
pub async fn pick_video_destination<R: Runtime>(
    app: AppHandle<R>,
    suggested: String,
) -> Option<std::path::PathBuf> {
    use tauri::Manager;
    // The system's Videos folder, where producers look first; the dialog's own default is the
    // app's working folder, which means nothing to them.
    let folder = app.path().video_dir().or_else(|_| app.path().home_dir());
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut dialog = app.dialog().file();
    if let Ok(folder) = folder {
        dialog = dialog.set_directory(folder);
    }
    dialog
        .set_title("Save the video")
        .set_file_name(suggested)
        .add_filter("MP4 video", &["mp4"])
        .save_file(move |chosen| {
            let _ = tx.send(chosen);
        });
    rx.await.ok().flatten()?.into_path().ok()
}
