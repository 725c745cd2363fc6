//! Start-up: the window paints while the backend comes up behind it, and the WebKit settings
//! that keep the web process small. Figures in docs/PERFORMANCE.md, "Start-up" and "Memory".

use std::sync::Arc;
use std::time::Instant;

use tauri::ipc::Invoke;
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::watch;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{filter, EnvFilter, Layer};

use likeness::error::{CommandError, ErrorCode};

use crate::state::AppState;

/// The target of the start-up spans: each prints its duration when it closes.
pub const TARGET: &str = "startup";

/// `LIKENESS_LOG` filters the log as before; the start-up spans always report their time, so a
/// slow launch in the field says which step was slow.
pub fn init_tracing() {
    let filter = EnvFilter::try_from_env("LIKENESS_LOG").unwrap_or_else(|_| "info".into());
    let timings = tracing_subscriber::fmt::layer()
        .with_span_events(FmtSpan::CLOSE)
        .with_filter(filter::filter_fn(|m| m.is_span() && m.target() == TARGET));
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_filter(filter))
        .with(timings)
        .init();
}

/// Started from a remote shell or on a headless box, GTK would panic with a backtrace: say so in
/// one line instead, and exit with 2.
#[cfg(target_os = "linux")]
pub fn require_display() {
    use std::io::Write;
    let set = |v: &str| std::env::var_os(v).is_some_and(|s| !s.is_empty());
    if !set("DISPLAY") && !set("WAYLAND_DISPLAY") {
        let _ = writeln!(
            std::io::stderr(),
            "likeness-studio needs a display: run it on the desktop (or set DISPLAY / WAYLAND_DISPLAY); for a terminal, use the `likeness` command."
        );
        std::process::exit(2);
    }
}

#[cfg(not(target_os = "linux"))]
pub fn require_display() {}

pub fn ms_since(t: Instant) -> u64 {
    u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Whether the backend is up: `None` while it boots, then `Ok` or why it could not start.
pub type Booted = watch::Receiver<Option<Result<(), CommandError>>>;

/// Wraps the command handler so that a command arriving before the backend is up waits for it
/// instead of failing on unmanaged state: the UI shows "Starting…" until `get_stage` answers.
pub fn deferred<R: Runtime>(
    handler: impl Fn(Invoke<R>) -> bool + Send + Sync + 'static,
    booted: Booted,
) -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
    let handler = Arc::new(handler);
    move |invoke: Invoke<R>| {
        if matches!(*booted.borrow(), Some(Ok(()))) {
            return handler(invoke);
        }
        let handler = Arc::clone(&handler);
        let mut booted = booted.clone();
        tauri::async_runtime::spawn(async move {
            let resolver = invoke.resolver.clone();
            let outcome = booted
                .wait_for(Option::is_some)
                .await
                .ok()
                .and_then(|b| b.clone());
            // The window stays open to say why and what to do; every command answers so.
            match outcome {
                Some(Ok(())) => {}
                Some(Err(why)) => {
                    resolver.reject(why);
                    return;
                }
                None => {
                    resolver.reject("Likeness Studio could not start: see its log");
                    return;
                }
            }
            let command = invoke.message.command().to_string();
            let app = invoke.message.webview().app_handle().clone();
            // Commands run where Tauri runs them, on the main thread, as if they had not waited.
            let posted = app.run_on_main_thread(move || {
                if !handler(invoke) {
                    resolver.reject(format!("Command {command} not found"));
                }
            });
            if let Err(e) = posted {
                tracing::error!(error = %e, "a command that waited for start-up could not run");
            }
        });
        true
    }
}

/// Boots the backend on its own thread, so the event loop runs and the window paints meanwhile.
/// A boot that fails closes the app, as a failed setup did before.
pub fn boot_behind<R: Runtime>(
    app: &AppHandle<R>,
    done: watch::Sender<Option<Result<(), CommandError>>>,
    launched: Instant,
) -> std::io::Result<()> {
    let app = app.clone();
    std::thread::Builder::new()
        .name("boot".into())
        .spawn(move || {
            let span = tracing::info_span!(target: TARGET, "boot");
            let booted = span.in_scope(|| tauri::async_runtime::block_on(AppState::boot(&app)));
            match booted {
                Ok(state) => {
                    announce_videos(&app, state.job_updates.subscribe());
                    app.manage(state);
                    tracing::info!(since_launch_ms = ms_since(launched), "backend up");
                    let _ = done.send(Some(Ok(())));
                }
                Err(e) => {
                    // No exit: the window says what went wrong instead of vanishing.
                    tracing::error!(error = %e, "Likeness Studio failed to start");
                    let _ = done.send(Some(Err(not_started(&app, &e.to_string()))));
                }
            }
        })?;
    Ok(())
}

/// A desktop notification when a video is ready or failed (the core decides which, once each).
/// Logged either way, so a desktop without a notification service still records it.
fn announce_videos<R: Runtime>(
    app: &AppHandle<R>,
    mut jobs: tokio::sync::broadcast::Receiver<likeness::video::VideoJob>,
) {
    use tauri_plugin_notification::NotificationExt;
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut notices = likeness::video::VideoNotices::default();
        loop {
            let job = match jobs.recv().await {
                Ok(job) => job,
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(_) => return,
            };
            let Some(notice) = notices.on_change(&job) else {
                continue;
            };
            let shown = app
                .notification()
                .builder()
                .title(&notice.title)
                .body(&notice.body)
                .show();
            match shown {
                Ok(()) => {
                    tracing::info!(job = %job.id, title = %notice.title, "notification shown")
                }
                Err(e) => {
                    tracing::warn!(job = %job.id, title = %notice.title, error = %e, "notification not shown")
                }
            }
        }
    });
}

/// Why the app could not start, in words, with what to do: a data folder or library that
/// cannot be opened is a permissions, disk or file problem the operator can fix.
fn not_started<R: Runtime>(app: &AppHandle<R>, why: &str) -> CommandError {
    let data = app
        .path()
        .app_data_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_else(|_| "the app's data folder".into());
    CommandError {
        code: ErrorCode::Storage,
        message: format!(
            "Likeness Studio could not open its data: {why}. Check that {data} exists, belongs to you and is writable, and that the disk has free space; then close and reopen the app. Nothing there was changed or deleted."
        ),
        field: None,
        retry_after_seconds: None,
        detail: None,
    }
}

/// Whether to keep WebKit's default hardware acceleration: `LIKENESS_WEBKIT_ACCELERATION=1`
/// for a machine where the GPU compositor pays for itself (docs/PERFORMANCE.md, "Memory").
fn keep_acceleration() -> bool {
    std::env::var_os("LIKENESS_WEBKIT_ACCELERATION").is_some_and(|v| v == "1")
}

/// Without a GPU, WebKit's compositor keeps a software GL context and its buffers in the web
/// process (~110 MiB of PSS measured); the studio's screens are static pages with one spinner
/// and a video, which paint the same without it. The document-viewer cache model drops the
/// back/forward and page caches a browser needs and a one-page app does not (nothing to see at
/// idle; it keeps them from growing as the app runs). Set on the webview rather than with
/// `WEBKIT_DISABLE_COMPOSITING_MODE`, which every program the app opens (the browser, through
/// the opener) would inherit.
#[cfg(target_os = "linux")]
pub fn tune_webview(window: &tauri::WebviewWindow) {
    use webkit2gtk::{
        CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
    };
    let accelerate = keep_acceleration();
    let applied = window.with_webview(move |webview| {
        let view = webview.inner();
        if !accelerate {
            if let Some(settings) = WebViewExt::settings(&view) {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
        }
        if let Some(context) = view.context() {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
    });
    match applied {
        Ok(()) => tracing::info!(accelerate, "webview settings applied"),
        Err(e) => tracing::warn!(error = %e, "webview settings not applied"),
    }
}

#[cfg(not(target_os = "linux"))]
pub fn tune_webview(_window: &tauri::WebviewWindow) {
    let _ = keep_acceleration();
}
