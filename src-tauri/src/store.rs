//! Settings ⇄ tauri-plugin-store: one JSON value under one key. Secrets never go here.

use likeness::settings::Settings;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_store::StoreExt;

const FILE: &str = "settings.json";
const KEY: &str = "settings";

pub fn load<R: Runtime>(app: &AppHandle<R>) -> Settings {
    let store = match app.store(FILE) {
        Ok(store) => store,
        Err(e) => {
            // A file the store cannot read would be overwritten by the next save: keep it.
            tracing::warn!(error = %e, "the settings file is unreadable; kept aside, using defaults");
            keep_aside(app);
            return Settings::default();
        }
    };
    match store.get(KEY).map(Settings::from_stored) {
        Some(Ok(s)) if s.validate().is_ok() => s,
        Some(_) => {
            tracing::warn!("stored settings were unreadable; kept aside, using defaults");
            keep_aside(app);
            Settings::default()
        }
        None => Settings::default(),
    }
}

/// Moves the settings file to `settings.json.unreadable-<unix seconds>` beside it, so the
/// operator's old settings survive the defaults being saved.
fn keep_aside<R: Runtime>(app: &AppHandle<R>) {
    let Ok(dir) = app.path().app_data_dir() else {
        return;
    };
    let from = dir.join(FILE);
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let to = dir.join(format!("{FILE}.unreadable-{stamp}"));
    match std::fs::rename(&from, &to) {
        Ok(()) => tracing::warn!(kept = %to.display(), "the old settings file is kept"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => tracing::warn!(error = %e, "could not keep the old settings file aside"),
    }
}

pub fn save<R: Runtime>(app: &AppHandle<R>, settings: &Settings) -> Result<(), String> {
    let store = app.store(FILE).map_err(|e| e.to_string())?;
    store.set(
        KEY,
        serde_json::to_value(settings).map_err(|e| e.to_string())?,
    );
    store.save().map_err(|e| e.to_string())
}
