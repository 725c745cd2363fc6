//! The phone side: the H5 page `h5_link` opens, and the plain-HTTP actions it drives.
//!
//! `GET  /h5/?accessKeyId=rehearsal&sessionToken=…&configId=…` → the page (BlockRun), or
//! `/h5/?bytedToken=…&…[&lng=en|zh|zh-Hant]` (Anyfast, Crun). `lng` picks the page's language
//! (headlines and buttons; English when absent or unknown).
//! `GET  /h5/api/session?sessionToken=…` → the session's state (200 even once expired); a
//! BytePlus session with a callback URL shows `callback_redirect`, where the page sends the
//! phone once it has a verdict.
//! `POST /h5/api/step {sessionToken, step}` with `step` one of `camera`, `nod`, `blink`, in that
//! order (plus `fail` / `retry` for the "Verification failed" path). 200 with the new state;
//! 404 unknown token; 410 "Session expired" (past the TTL or superseded by a refresh);
//! 409 out of order or already completed; 400 bad body. `bytedToken` is read wherever
//! `sessionToken` is.

use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::phone::PhonePage;
use super::service::{step_name, Service};
use super::session::Step;
use super::store::{SessionSnapshot, SessionState};
use super::wall_clock;

const PAGE: &str = include_str!("h5.html");

/// The page's languages, as `lng` names them (Crun's values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    En,
    Zh,
    ZhHant,
}

impl Lang {
    fn from_query(lng: Option<&str>) -> Lang {
        match lng {
            Some("zh") => Lang::Zh,
            Some("zh-Hant") => Lang::ZhHant,
            _ => Lang::En,
        }
    }

    fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
            Lang::ZhHant => "zh-Hant",
        }
    }
}

/// `{{key}}` in the page → English, Simplified, Traditional.
const STRINGS: &[(&str, [&str; 3])] = &[
    ("title", ["Liveness check", "活体检测", "活體檢測"]),
    ("loading.title", ["Loading…", "加载中…", "載入中…"]),
    (
        "camera.title",
        ["Allow camera", "允许使用相机", "允許使用相機"],
    ),
    (
        "camera.button",
        ["Allow camera", "允许使用相机", "允許使用相機"],
    ),
    ("nod.title", ["please nod", "请点头", "請點頭"]),
    ("nod.button", ["I nodded", "我已点头", "我已點頭"]),
    ("blink.title", ["please blink", "请眨眼", "請眨眼"]),
    ("blink.button", ["I blinked", "我已眨眼", "我已眨眼"]),
    (
        "fail.button",
        ["Simulate a failed check", "模拟验证失败", "模擬驗證失敗"],
    ),
    (
        "failed.title",
        ["Verification failed", "验证失败", "驗證失敗"],
    ),
    ("retry.button", ["Try again", "重试", "重試"]),
    (
        "done.title",
        ["Verification completed.", "验证完成。", "驗證完成。"],
    ),
    (
        "done.text",
        [
            "You can close this page now.",
            "现在可以关闭此页面。",
            "現在可以關閉此頁面。",
        ],
    ),
    (
        "redirect.text",
        [
            "Returning you to the app…",
            "正在返回应用…",
            "正在返回應用程式…",
        ],
    ),
    (
        "expired.title",
        ["Session expired", "会话已过期", "工作階段已過期"],
    ),
    ("notfound.title", ["Not found", "未找到", "找不到"]),
    (
        "error.title",
        ["Something went wrong", "出错了", "發生錯誤"],
    ),
    ("error.button", ["Try again", "重试", "重試"]),
];

fn render(lang: Lang) -> String {
    let column = match lang {
        Lang::En => 0,
        Lang::Zh => 1,
        Lang::ZhHant => 2,
    };
    let mut html = PAGE.replace("{{lang}}", lang.tag());
    for (key, texts) in STRINGS {
        html = html.replace(&format!("{{{{{key}}}}}"), texts[column]);
    }
    html
}

#[derive(Deserialize)]
pub struct PageQuery {
    lng: Option<String>,
}

pub async fn page(Query(q): Query<PageQuery>) -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
        ],
        render(Lang::from_query(q.lng.as_deref())),
    )
}

#[derive(Serialize)]
pub struct SessionView {
    object: &'static str,
    group_id: String,
    state: SessionState,
    steps_done: &'static [&'static str],
    next_step: Option<&'static str>,
    completed: bool,
    expired: bool,
    /// Wall clock, for display.
    expires_at: String,
    /// What the countdown uses: immune to a phone whose clock is off.
    expires_in_ms: u64,
    message: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_redirect: Option<String>,
}

impl SessionView {
    fn new(s: SessionSnapshot) -> Self {
        let live = matches!(s.state, SessionState::InProgress | SessionState::Failed);
        let message = match s.state {
            SessionState::InProgress => match s.progress.next_step() {
                Some(Step::Camera) => "Allow camera",
                Some(Step::Nod) => "please nod",
                _ => "please blink",
            },
            SessionState::Failed => "Verification failed",
            SessionState::Completed => "Verification completed. You can close this page now.",
            SessionState::Expired | SessionState::Superseded => "Session expired",
        };
        SessionView {
            object: "h5.session",
            group_id: s.group_id,
            state: s.state,
            steps_done: s.progress.steps_done(),
            next_step: if live {
                s.progress.next_step().map(step_name)
            } else {
                None
            },
            completed: s.state == SessionState::Completed,
            expired: matches!(s.state, SessionState::Expired | SessionState::Superseded),
            expires_at: wall_clock::rfc3339_millis(SystemTime::now() + s.remaining),
            expires_in_ms: s.remaining.as_millis() as u64,
            message,
            callback_redirect: s.callback_redirect,
        }
    }
}

#[derive(Deserialize)]
pub struct SessionQuery {
    #[serde(rename = "sessionToken", alias = "bytedToken")]
    session_token: Option<String>,
}

pub async fn session(
    State(svc): State<Arc<Service>>,
    Query(q): Query<SessionQuery>,
) -> Result<Json<SessionView>, ApiError> {
    let token = q
        .session_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::invalid_field("sessionToken", "sessionToken is required"))?;
    let snapshot = svc.session(&token).ok_or_else(|| {
        ApiError::not_found("Not found: this verification link is not recognised")
    })?;
    // The page's first call: the phone reached this machine, whatever it does next.
    svc.phones.saw(
        PhonePage::Liveness(token),
        wall_clock::unix_ms(SystemTime::now()),
    );
    Ok(Json(SessionView::new(snapshot)))
}

#[derive(Deserialize)]
pub struct PhoneTestQuery {
    nonce: Option<String>,
}

/// Settings → Phone test: the QR the operator shows a phone before a session, to learn that
/// phones reach this machine on this Wi-Fi.
pub async fn phone_test(
    State(svc): State<Arc<Service>>,
    Query(q): Query<PhoneTestQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let nonce = q
        .nonce
        .filter(|n| (1..=64).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_alphanumeric()))
        .ok_or_else(|| ApiError::invalid_field("nonce", "nonce is required"))?;
    svc.phones.saw(
        PhonePage::Test(nonce),
        wall_clock::unix_ms(SystemTime::now()),
    );
    Ok((
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
        ],
        PHONE_TEST_PAGE,
    ))
}

const PHONE_TEST_PAGE: &str = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>Phone test</title><body style=\"font: 1.4rem system-ui; text-align: center; padding: 3rem 1rem\">\
<h1>&#10003; This phone reaches the studio computer</h1>\
<p>The studio's screen shows a tick too. You can close this page.</p></body></html>";

#[derive(Deserialize)]
struct StepRequest {
    #[serde(rename = "sessionToken", alias = "bytedToken")]
    session_token: String,
    step: String,
}

pub async fn step(
    State(svc): State<Arc<Service>>,
    body: Bytes,
) -> Result<Json<SessionView>, ApiError> {
    let request: StepRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(StatusCode::BAD_REQUEST, "Invalid request body")
            .with("code", "INVALID_REQUEST_BODY")
            .with(
                "detail",
                format!(
                    "expected {{\"sessionToken\": \"…\", \"step\": \"camera|nod|blink\"}}: {e}"
                ),
            )
    })?;
    let step = Step::parse(&request.step).ok_or_else(|| {
        ApiError::invalid_field(
            "step",
            format!("step must be one of {}", Step::ALL.join(", ")),
        )
    })?;
    let snapshot = svc.apply_step(&request.session_token, step)?;
    Ok(Json(SessionView::new(snapshot)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_is_filled_in_every_language() {
        for lang in [Lang::En, Lang::Zh, Lang::ZhHant] {
            let html = render(lang);
            assert!(!html.contains("{{"), "{lang:?} leaves a placeholder");
            assert!(html.contains(&format!("<html lang=\"{}\">", lang.tag())));
        }
        let en = render(Lang::En);
        assert!(en.contains("<h1>Verification completed.</h1>"));
        assert!(render(Lang::Zh).contains("请点头"));
        assert!(render(Lang::ZhHant).contains("請點頭"));
        assert_eq!(Lang::from_query(Some("fr")), Lang::En);
        assert_eq!(Lang::from_query(None), Lang::En);
    }
}
