//! Settings ⇄ tauri-plugin-store: one JSON value under one key. Secrets never go here.

use likeness::settings::Settings;
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;

const FILE: &str = "settings.json";
const KEY: &str = "settings";

pub fn load<R: Runtime>(app: &AppHandle<R>) -> Settings {
    let stored = app.store(FILE).ok().and_then(|s| s.get(KEY));
    match stored.map(Settings::from_stored) {
        Some(Ok(s)) if s.validate().is_ok() => s,
        Some(_) => {
            tracing::warn!("stored settings were unreadable; using defaults");
            Settings::default()
        }
        None => Settings::default(),
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
