//! The talent's window: a second window the operator opens (or brings forward) on one session,
//! to drag to a screen facing the person being enrolled. It shows only the core's
//! [`TalentView`] and may call only [`TALENT_COMMANDS`]; every other command from it is refused
//! before it runs ([`fence`]), so nothing of the wallet, the settings or the prices can be
//! reached from the screen the talent touches.

use std::sync::Mutex;

use likeness::flow::talent::{TalentView, TALENT_WINDOW};
use likeness::flow::SessionView;
use tauri::ipc::{Channel, Invoke};
use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

/// All the talent's window may call.
pub const TALENT_COMMANDS: &[&str] = &["talent_view", "watch_talent", "agree_to_release"];

/// The session the talent's window shows (the operator chose it with "Show to talent").
#[derive(Default)]
pub struct TalentScreen {
    session: Mutex<Option<String>>,
}

impl TalentScreen {
    pub fn session(&self) -> Option<String> {
        self.session.lock().expect("talent lock poisoned").clone()
    }

    fn show(&self, id: &str) {
        *self.session.lock().expect("talent lock poisoned") = Some(id.to_string());
    }
}

/// Refuses every command from the talent's window but [`TALENT_COMMANDS`].
pub fn fence<R: Runtime>(
    handler: impl Fn(Invoke<R>) -> bool + Send + Sync + 'static,
) -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
    move |invoke: Invoke<R>| {
        let command = invoke.message.command();
        if invoke.message.webview().label() == TALENT_WINDOW && !TALENT_COMMANDS.contains(&command)
        {
            tracing::warn!(command, "refused a command from the talent's window");
            invoke
                .resolver
                .reject(format!("{command} is not allowed on the talent's screen"));
            return true;
        }
        handler(invoke)
    }
}

/// Shows `view`'s session on the talent's window, opening it (1280×800) if it is not open.
pub fn open<R: Runtime>(
    app: &AppHandle<R>,
    screen: &TalentScreen,
    view: &SessionView,
    updates: &tokio::sync::broadcast::Sender<SessionView>,
) -> tauri::Result<()> {
    screen.show(&view.session.id);
    // The window, if open, switches to this session on its next update.
    let _ = updates.send(view.clone());
    if let Some(w) = app.get_webview_window(TALENT_WINDOW) {
        w.show()?;
        return w.set_focus();
    }
    WebviewWindowBuilder::new(app, TALENT_WINDOW, WebviewUrl::App("index.html".into()))
        .title("Likeness Studio — for the talent")
        .inner_size(1280.0, 800.0)
        .min_inner_size(640.0, 480.0)
        .build()?;
    Ok(())
}

/// Streams the talent's view of the session on their screen, whichever it is at each change.
pub fn forward<R: Runtime>(app: AppHandle<R>, on_update: Channel<TalentView>) {
    let mut updates = app.state::<crate::AppState>().updates.subscribe();
    tauri::async_runtime::spawn(async move {
        loop {
            match updates.recv().await {
                Ok(v) => {
                    let shown = app.state::<crate::AppState>().talent.session();
                    if shown.as_deref() == Some(v.session.id.as_str())
                        && on_update.send(TalentView::from(&v)).is_err()
                    {
                        break;
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => break,
            }
        }
    });
}
