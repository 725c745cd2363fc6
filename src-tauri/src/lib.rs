//! The thin shell: Tauri wiring over the `likeness` core. Every decision lives in the core.

pub mod commands;
mod dialog;
pub mod startup;
pub mod state;
mod store;
pub mod talent;

use tauri::Manager;

pub use state::AppState;

#[doc(hidden)]
pub use {provider_api, tauri_specta, tracing};

/// The typed command list for a runtime (Wry in the app, `MockRuntime` in tests); also exports
/// `ui/src/bindings.ts` (see tests/ipc.rs). A macro because `collect_commands!` needs a
/// concrete runtime.
#[macro_export]
macro_rules! specta_builder {
    ($runtime:ty) => {
        $crate::tauri_specta::Builder::<$runtime>::new()
            .commands($crate::tauri_specta::collect_commands![
                $crate::commands::get_stage::<$runtime>,
                $crate::commands::get_settings::<$runtime>,
                $crate::commands::update_settings::<$runtime>,
                $crate::commands::set_api_key::<$runtime>,
                $crate::commands::check_photo::<$runtime>,
                $crate::commands::pick_photo_file::<$runtime>,
                $crate::commands::keep_photo::<$runtime>,
                $crate::commands::sample_photo::<$runtime>,
                $crate::commands::photo_files_ready::<$runtime>,
                $crate::commands::save_photo_hosting::<$runtime>,
                $crate::commands::check_photo_hosting::<$runtime>,
                $crate::commands::start_session::<$runtime>,
                $crate::commands::refresh_session::<$runtime>,
                $crate::commands::check_session::<$runtime>,
                $crate::commands::start_phone_test::<$runtime>,
                $crate::commands::await_phone_test::<$runtime>,
                $crate::commands::enroll_session::<$runtime>,
                $crate::commands::confirm_payment::<$runtime>,
                $crate::commands::decline_payment::<$runtime>,
                $crate::commands::list_payments::<$runtime>,
                $crate::commands::list_account_charges::<$runtime>,
                $crate::commands::export_payments_csv::<$runtime>,
                $crate::commands::get_wallet::<$runtime>,
                $crate::commands::get_wallet_balance::<$runtime>,
                $crate::commands::get_enrollment_funds,
                $crate::commands::get_payee,
                $crate::commands::create_wallet::<$runtime>,
                $crate::commands::import_wallet::<$runtime>,
                $crate::commands::export_wallet::<$runtime>,
                $crate::commands::delete_wallet::<$runtime>,
                $crate::commands::open_explorer::<$runtime>,
                $crate::commands::cancel_session::<$runtime>,
                $crate::commands::list_open_sessions::<$runtime>,
                $crate::commands::list_faces::<$runtime>,
                $crate::commands::get_face::<$runtime>,
                $crate::commands::face_thumbnail::<$runtime>,
                $crate::commands::export_receipt::<$runtime>,
                $crate::commands::sync_faces::<$runtime>,
                $crate::commands::watch_sessions::<$runtime>,
                $crate::commands::check_asset_file::<$runtime>,
                $crate::commands::add_asset::<$runtime>,
                $crate::commands::check_asset::<$runtime>,
                $crate::commands::watch_assets::<$runtime>,
                $crate::commands::video::video_options::<$runtime>,
                $crate::commands::video::estimate_video::<$runtime>,
                $crate::commands::video::quote_video::<$runtime>,
                $crate::commands::video::confirm_video::<$runtime>,
                $crate::commands::video::decline_video::<$runtime>,
                $crate::commands::quote_portrait::<$runtime>,
                $crate::commands::confirm_portrait::<$runtime>,
                $crate::commands::decline_portrait::<$runtime>,
                $crate::commands::video::list_jobs::<$runtime>,
                $crate::commands::video::watch_jobs::<$runtime>,
                $crate::commands::video::download_job::<$runtime>,
                $crate::commands::video::reveal_job_file::<$runtime>,
                $crate::commands::video::save_video::<$runtime>,
                $crate::commands::talent::get_release::<$runtime>,
                $crate::commands::talent::save_release::<$runtime>,
                $crate::commands::talent::revoke_face::<$runtime>,
                $crate::commands::faces::rename_face::<$runtime>,
                $crate::commands::faces::set_face_tags::<$runtime>,
                $crate::commands::faces::clip_copy,
                $crate::commands::talent::export_receipt_pdf::<$runtime>,
                $crate::commands::talent::export_day_receipts_pdf::<$runtime>,
                $crate::commands::talent::open_talent_view::<$runtime>,
                $crate::commands::talent::talent_view::<$runtime>,
                $crate::commands::talent::watch_talent::<$runtime>,
                $crate::commands::talent::agree_to_release::<$runtime>,
                $crate::commands::desks::get_library_status::<$runtime>,
                $crate::commands::desks::set_database_password::<$runtime>,
                $crate::commands::desks::restart_app::<$runtime>,
                $crate::commands::desks::list_other_desks_sessions::<$runtime>,
                $crate::commands::desks::take_over_session::<$runtime>,
                $crate::commands::desks::watch_library::<$runtime>,
            ])
            .constant(
                "API_CAPABILITIES",
                $crate::provider_api::ProviderApi::table(),
            )
            .error_handling($crate::tauri_specta::ErrorHandlingMode::Throw)
            .dangerously_cast_bigints_to_number()
            .disable_serde_phases()
    };
}

pub fn run() {
    let launched = std::time::Instant::now();
    startup::require_display();
    startup::init_tracing();
    let builder = specta_builder!(tauri::Wry);
    let (booted_tx, booted) = tokio::sync::watch::channel(None);
    tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::default().build())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(talent::fence(startup::deferred(
            builder.invoke_handler(),
            booted,
        )))
        .setup(move |app| {
            tracing::info!(
                since_launch_ms = startup::ms_since(launched),
                "window created, event loop starting"
            );
            if let Some(window) = app.get_webview_window("main") {
                startup::tune_webview(&window);
            }
            // Before, the boot ran here and held the event loop: no paint until it was done.
            startup::boot_behind(app.handle(), booted_tx, launched)?;
            Ok(())
        })
        .on_page_load(move |_, payload| {
            if matches!(payload.event(), tauri::webview::PageLoadEvent::Finished) {
                tracing::info!(since_launch_ms = startup::ms_since(launched), "page loaded");
            }
        })
        .run(tauri::generate_context!())
        .expect("Likeness Studio failed to start");
}
