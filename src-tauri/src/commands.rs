//! `#[tauri::command]` one-liners over the core. Errors cross as `{code, message, field}`.

use likeness::balance::BalanceReading;
use likeness::error::{CommandError, Error};
use likeness::flow::talent::TalentView;
use likeness::flow::{
    AssetFileCheck, EnrollOutcome, EnrollmentFunds, PayeeRecord, PhoneTest, PortraitOutcome,
    PortraitQuote, SessionView, PHONE_TEST_WAIT,
};
use likeness::hosting::{HostingCheck, S3Settings};
use likeness::library::{
    payments_csv, AccountCharge, Face, FaceSummary, PaymentRecord, ReleaseTemplate, SyncReport,
};
use likeness::media::AssetType;
use likeness::payment::Network;
use likeness::photo::PhotoCheck;
use likeness::providers::ProviderKind;
use likeness::secrets::{Secret, SecretName};
use likeness::settings::Settings;
use likeness::stage::StageInfo;
use likeness::video::{VideoEstimate, VideoJob, VideoOptions, VideoRequest};
use likeness::wallet::{Wallet, WalletInfo};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};

use crate::state::AppState;

pub mod desks;
pub mod faces;
pub mod talent;
pub mod video;

type Answer<T> = Result<T, CommandError>;

#[tauri::command]
#[specta::specta]
pub async fn get_stage<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Answer<StageInfo> {
    Ok(state.running.read().await.stage.info.clone())
}

#[tauri::command]
#[specta::specta]
pub async fn get_settings<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Answer<Settings> {
    Ok(state.running.read().await.settings.clone())
}

/// Saves the settings and restarts the provider with them.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn update_settings<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    settings: Settings,
) -> Answer<StageInfo> {
    settings.validate()?;
    let info = state.restart(settings.clone()).await?;
    crate::store::save(&app, &settings).map_err(|e| CommandError::from(Error::Storage(e)))?;
    Ok(info)
}

/// Stores the provider's API key in the OS keyring; it is never sent back to the UI.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn set_api_key<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    provider: ProviderKind,
    key: String,
) -> Answer<StageInfo> {
    let key = key.trim();
    if key.is_empty() {
        return Err(Error::invalid(
            "api_key",
            "Paste the API key from the provider's dashboard.",
        )
        .into());
    }
    state
        .secrets
        .set(SecretName::ApiKey(provider), &Secret::new(key))?;
    let settings = state.running.read().await.settings.clone();
    if settings.provider != provider {
        return Ok(state.running.read().await.stage.info.clone());
    }
    Ok(state.restart(settings).await?)
}

/// Downloads the face photo and runs every check against the selected provider's limits; each
/// check comes back with its verdict (an error only when there is nothing to judge). While it
/// downloads, `photo-progress` events `{url, receivedBytes, totalBytes}` say how far it got.
#[tauri::command]
#[specta::specta]
pub async fn check_photo<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    image_url: String,
) -> Answer<PhotoCheck> {
    use tauri::Emitter;
    let limits = state.studio().await.photo_limits();
    let url = image_url.clone();
    let on_progress = move |p: likeness::photo::FetchProgress| {
        let _ = app.emit(
            "photo-progress",
            serde_json::json!({ "url": url, "receivedBytes": p.received_bytes, "totalBytes": p.total_bytes }),
        );
    };
    Ok(
        likeness::photo::examine_any(&state.photo_http, &image_url, &limits, Some(&on_progress))
            .await?,
    )
}

/// The system's file picker for a face photo; the chosen file's path, or `None` when the
/// operator closed it. The window itself has no dialog or file-system permission.
#[tauri::command]
#[specta::specta]
pub async fn pick_photo_file<R: Runtime>(app: AppHandle<R>) -> Answer<Option<String>> {
    Ok(crate::dialog::pick_photo(app).await)
}

/// The built-in sample portrait as a photo file ("Try it with your phone"; Rehearsal only).
#[tauri::command]
#[specta::specta]
pub async fn sample_photo<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Answer<String> {
    Ok(state.studio().await.sample_photo(&state.photo_dir())?)
}

/// A photo pasted, dropped from a browser or taken with the webcam (a `data:image/…` URL), kept
/// as a file in the app's data folder: its path, used like any chosen file.
#[tauri::command]
#[specta::specta]
pub async fn keep_photo<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    data_url: String,
) -> Answer<String> {
    let path = likeness::photo::keep_data_url(&state.photo_dir(), &data_url)?;
    Ok(path.display().to_string())
}

/// Whether a photo file can go to the selected provider now; `hosting_missing` names Settings →
/// Photo hosting before anything is started or paid.
#[tauri::command]
#[specta::specta]
pub async fn photo_files_ready<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Answer<()> {
    Ok(state.studio().await.ready_for_photo_files()?)
}

/// Settings → Photo hosting's Save: the bucket in the settings, its keys in the keyring (an
/// empty key field keeps the stored one), then the provider restarts with it.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn save_photo_hosting<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    hosting: S3Settings,
    access_key_id: String,
    secret_access_key: String,
) -> Answer<StageInfo> {
    likeness::hosting::store_keys(state.secrets.as_ref(), &access_key_id, &secret_access_key)?;
    let current = state.running.read().await.settings.clone();
    let settings = Settings {
        photo_hosting: hosting,
        ..current
    };
    update_settings(app, state, settings).await
}

/// Settings → Photo hosting's Check: a probe uploaded, fetched through its presigned link,
/// refused without it, and deleted.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn check_photo_hosting<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Answer<HostingCheck> {
    let settings = state.running.read().await.settings.photo_hosting.clone();
    let http = reqwest::Client::new();
    Ok(likeness::hosting::check_stored(&settings, state.secrets.as_ref(), &http).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn start_session<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    name: String,
    image_url: String,
    photo_override: bool,
) -> Answer<SessionView> {
    Ok(state
        .studio()
        .await
        .start_session(&name, Some(&image_url), photo_override)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn refresh_session<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> Answer<SessionView> {
    Ok(state.studio().await.refresh_session(&id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn check_session<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> Answer<SessionView> {
    Ok(state.studio().await.check_now(&id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn start_phone_test<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Answer<PhoneTest> {
    Ok(state.studio().await.start_phone_test()?)
}

/// Answers when a phone opened the test page (epoch ms), or `null` when none did in time.
#[tauri::command]
#[specta::specta]
pub async fn await_phone_test<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    nonce: String,
) -> Answer<Option<i64>> {
    let studio = state.studio().await;
    Ok(studio.phone_test_opened(&nonce, PHONE_TEST_WAIT).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn enroll_session<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    image_url: Option<String>,
    photo_override: Option<bool>,
) -> Answer<EnrollOutcome> {
    Ok(state
        .studio()
        .await
        .enroll_session(&id, None, image_url.as_deref(), photo_override)
        .await?)
}

/// The operator confirmed the price shown: sign, record, pay, enroll.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn confirm_payment<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    payee_change_confirmed: bool,
) -> Answer<Face> {
    Ok(state
        .studio()
        .await
        .confirm_payment(&id, payee_change_confirmed)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn decline_payment<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> Answer<SessionView> {
    Ok(state.studio().await.decline_payment(&id)?)
}

/// Steps billed to the provider accounts (the API-key rail), which the ledger does not hold.
#[tauri::command]
#[specta::specta]
pub async fn list_account_charges<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Answer<Vec<AccountCharge>> {
    Ok(state.library.account_charges()?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_payments<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Answer<Vec<PaymentRecord>> {
    Ok(state.library.payments()?)
}

/// Writes the ledger as CSV into the Downloads folder and returns the file's path.
#[tauri::command]
#[specta::specta]
pub async fn export_payments_csv<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Answer<String> {
    let csv = payments_csv(&state.library.payments()?);
    let dir = app
        .path()
        .download_dir()
        .or_else(|_| app.path().app_data_dir())
        .map_err(|e| Error::Storage(format!("no folder to save into: {e}")))?;
    let path = dir.join(format!(
        "likeness-payments-{}.csv",
        &likeness::clock::rfc3339(likeness::clock::Clock::new().now_ms())[..10]
    ));
    std::fs::create_dir_all(&dir)
        .and_then(|_| std::fs::write(&path, csv))
        .map_err(|e| Error::Storage(format!("could not write {}: {e}", path.display())))?;
    Ok(path.display().to_string())
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_session<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> Answer<SessionView> {
    Ok(state.studio().await.cancel_session(&id)?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_open_sessions<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Answer<Vec<SessionView>> {
    Ok(state.studio().await.open_sessions()?)
}

/// The library list, newest first, without previews: ask for a row's picture with
/// `face_thumbnail` and for its full record with `get_face`.
#[tauri::command]
#[specta::specta]
pub async fn list_faces<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Answer<Vec<FaceSummary>> {
    Ok(state.library.face_summaries()?)
}

/// One filed face or asset in full: the preview, the payment and the consent record.
#[tauri::command]
#[specta::specta]
pub async fn get_face<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    asset_id: String,
) -> Answer<Face> {
    Ok(state.library.face(&asset_id)?)
}

/// A face's preview (`data:image/jpeg;base64,…`), or null when it has none.
#[tauri::command]
#[specta::specta]
pub async fn face_thumbnail<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    asset_id: String,
) -> Answer<Option<String>> {
    Ok(state.library.face_thumbnail(&asset_id)?)
}

/// A face's consent record as a self-contained printable HTML page (no scripts, nothing
/// loaded), for the window to save or print.
#[tauri::command]
#[specta::specta]
pub async fn export_receipt<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    asset_id: String,
) -> Answer<String> {
    Ok(state.library.consent_receipt(&asset_id)?)
}

/// Fills and refreshes the library from the provider's wallet listings.
#[tauri::command]
#[specta::specta]
pub async fn sync_faces<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Answer<SyncReport> {
    let wallet = state.running.read().await.stage.listing_wallet();
    Ok(state.studio().await.sync_faces(wallet.as_deref()).await?)
}

/// Fetches a file for a verified person's group and checks it against the provider's limits
/// (a photo's faces too), without uploading anything.
#[tauri::command]
#[specta::specta]
pub async fn check_asset_file<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    asset_type: AssetType,
    url: String,
) -> Answer<AssetFileCheck> {
    Ok(state
        .studio()
        .await
        .check_asset_file(asset_type, &url)
        .await?)
}

/// Uploads a checked file into a verified person's group (Anyfast, Crun); its processing is
/// then reported through `watch_assets`.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn add_asset<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    group_id: String,
    asset_type: AssetType,
    url: String,
    photo_override: bool,
) -> Answer<Face> {
    Ok(state
        .studio()
        .await
        .add_asset(&group_id, asset_type, &url, None, photo_override)
        .await?)
}

/// Asks the provider once where an asset stands.
#[tauri::command]
#[specta::specta]
pub async fn check_asset<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    asset_id: String,
) -> Answer<Face> {
    Ok(state.studio().await.check_asset(&asset_id).await?)
}

/// Streams every asset status change (processing → active or failed) to the window.
#[tauri::command]
#[specta::specta]
pub async fn watch_assets<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    on_update: Channel<Face>,
) -> Answer<()> {
    forward(state.asset_updates.subscribe(), on_update, "asset");
    Ok(())
}

/// Streams every session change to the window until the window goes away.
#[tauri::command]
#[specta::specta]
pub async fn watch_sessions<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    on_update: Channel<SessionView>,
) -> Answer<()> {
    forward(state.updates.subscribe(), on_update, "session");
    Ok(())
}

/// The studio wallet's USDC on `network` (a shown price's), else on the provider's network.
#[tauri::command]
#[specta::specta]
pub async fn get_wallet_balance<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    network: Option<Network>,
) -> Answer<BalanceReading> {
    Ok(state.studio().await.wallet_balance(network).await)
}

/// Whether the studio wallet can pay one enrollment now: said before a session starts.
#[tauri::command]
#[specta::specta]
pub async fn get_enrollment_funds(state: State<'_, AppState>) -> Answer<EnrollmentFunds> {
    Ok(state.studio().await.enrollment_funds().await?)
}

/// Who a shown price pays, named from the ledger ("paid here 3 times before").
#[tauri::command]
#[specta::specta]
pub async fn get_payee(
    state: State<'_, AppState>,
    provider: ProviderKind,
    address: String,
) -> Answer<PayeeRecord> {
    Ok(state.studio().await.payee(provider, &address)?)
}

/// The studio wallet (for real providers; Rehearsal pays with its own throwaway wallet). The
/// UI gets the address and explorer link only.
#[tauri::command]
#[specta::specta]
pub async fn get_wallet<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Answer<Option<WalletInfo>> {
    Ok(Wallet::info(state.secrets.as_ref())?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn create_wallet<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Answer<Option<WalletInfo>> {
    Wallet::create(state.secrets.as_ref())?;
    Ok(Wallet::info(state.secrets.as_ref())?)
}

/// Stores a pasted hex key in the keyring; the key is never sent back.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn import_wallet<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    private_key: String,
) -> Answer<Option<WalletInfo>> {
    Wallet::import(state.secrets.as_ref(), &private_key)?;
    Ok(Wallet::info(state.secrets.as_ref())?)
}

/// The one place the key crosses to the UI, and only with the operator's explicit confirmation.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn export_wallet<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    confirmed: bool,
) -> Answer<String> {
    Ok(Wallet::export(state.secrets.as_ref(), confirmed)?
        .expose()
        .to_string())
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn delete_wallet<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Answer<()> {
    Ok(Wallet::delete(state.secrets.as_ref())?)
}

/// Opens a wallet's page on the block explorer in the system browser. Only Basescan addresses
/// are opened, so the webview cannot use this to launch arbitrary URLs.
#[tauri::command]
#[specta::specta]
pub async fn open_explorer<R: Runtime>(app: AppHandle<R>, url: String) -> Answer<()> {
    let allowed = [
        "https://basescan.org/address/",
        "https://sepolia.basescan.org/address/",
    ];
    if !allowed.iter().any(|p| url.starts_with(p)) || url.contains(['?', '#', ' ']) {
        return Err(Error::invalid(
            "url",
            "Only block-explorer links to a wallet address can be opened.",
        )
        .into());
    }
    use tauri_plugin_opener::OpenerExt;
    app.opener()
        .open_url(&url, None::<&str>)
        .map_err(|e| Error::Internal(format!("could not open the browser: {e}")).into())
}

/// A virtual portrait's price (x402; nothing is signed) or that the account is billed. The
/// quote waits for `confirm_portrait`.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn quote_portrait<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    name: String,
    image_url: String,
    photo_override: bool,
) -> Answer<PortraitQuote> {
    Ok(state
        .studio()
        .await
        .quote_portrait(&name, &image_url, photo_override)
        .await?)
}

/// The operator's Pay: enrolls if the provider still asks the price shown, else a new quote.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn confirm_portrait<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    quote_id: String,
    payee_change_confirmed: bool,
) -> Answer<PortraitOutcome> {
    Ok(state
        .studio()
        .await
        .confirm_portrait(&quote_id, payee_change_confirmed)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn decline_portrait<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
    quote_id: String,
) -> Answer<()> {
    Ok(state.studio().await.decline_portrait(&quote_id)?)
}

/// Sends every broadcast change to the window's channel until the window goes away (its channel
/// refuses) or the sender closes. A window that falls behind skips to the newest changes.
pub(crate) fn forward<T>(
    mut updates: tokio::sync::broadcast::Receiver<T>,
    on_update: Channel<T>,
    what: &'static str,
) where
    T: Clone + serde::Serialize + Send + 'static,
{
    tauri::async_runtime::spawn(async move {
        loop {
            match updates.recv().await {
                Ok(change) => {
                    if on_update.send(change).is_err() {
                        break;
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    tracing::debug!(skipped = n, what, "updates lagged");
                }
                Err(_) => break,
            }
        }
    });
}
