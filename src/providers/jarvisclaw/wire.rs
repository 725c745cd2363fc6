//! JarvisClaw's JSON in both documented shapes. Private to the module.

use serde::Deserialize;

use crate::providers::endpoint::{PriceBody, SettlementBody};
use serde_json::Value;

use crate::providers::endpoint::truncate;
use crate::providers::{LivenessLink, LivenessStatus};

/// A required field the answer lacked, with the answer quoted.
#[derive(Debug)]
pub(super) struct Missing {
    pub field: &'static str,
    pub body: String,
}

/// Kept as JSON so both shapes parse and a missing field can quote the whole answer.
#[derive(Debug)]
pub(super) struct InitResponse(Value);

impl<'de> Deserialize<'de> for InitResponse {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Value::deserialize(d).map(InitResponse)
    }
}

impl InitResponse {
    fn str(&self, field: &str) -> Option<&str> {
        self.0
            .get(field)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    fn missing(&self, field: &'static str) -> Missing {
        Missing {
            field,
            body: truncate(&self.0.to_string()),
        }
    }

    /// The link and its lifetime: `h5_link` with `expires_in_seconds` (live) or
    /// `verification_url` with `expires_at` (seed). `qr_code_url` is a picture of the same link;
    /// the app renders its own QR from the link, so it is not needed.
    pub fn into_link(self, now_ms: i64) -> Result<LivenessLink, Missing> {
        let group_id = self
            .str("group_id")
            .ok_or_else(|| self.missing("group_id"))?
            .to_string();
        let h5_link = self
            .str("h5_link")
            .or_else(|| self.str("verification_url"))
            .ok_or_else(|| self.missing("h5_link or verification_url"))?
            .to_string();
        let expires_in_seconds = match self.0.get("expires_in_seconds").and_then(Value::as_u64) {
            Some(s) => s,
            None => match self.str("expires_at") {
                Some(at) => {
                    let at_ms = crate::clock::parse_rfc3339(at)
                        .ok_or_else(|| self.missing("a readable expires_at"))?;
                    // Clocks differ between machines: never trust a deadline beyond the doc's
                    // 120 s, and never one already past.
                    ((at_ms - now_ms) / 1000).clamp(1, 120) as u64
                }
                None => 120,
            },
        };
        Ok(LivenessLink {
            group_id,
            token: None,
            h5_link,
            expires_in_seconds,
        })
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct StatusResponse {
    pub status: String,
    #[serde(default)]
    pub ready_to_finalize: Option<bool>,
    #[serde(default)]
    pub liveness_score: Option<f64>,
    /// How many faces the group holds, where the answer says (BlockRun's shape, which the live
    /// API mirrors): after a lost enroll answer, whether it was enrolled.
    #[serde(default)]
    pub asset_count: Option<u32>,
}

impl StatusResponse {
    /// Seed statuses `pending`, `in_progress`, `completed`, `expired`, `failed`; live statuses
    /// `pending_validation`, `active` (BlockRun's).
    pub fn liveness_status(&self) -> Option<LivenessStatus> {
        Some(match self.status.as_str() {
            "pending" | "in_progress" | "pending_validation" => LivenessStatus::Pending,
            "active" if self.ready_to_finalize == Some(false) => LivenessStatus::Pending,
            "completed" | "active" => LivenessStatus::Active,
            "expired" => LivenessStatus::Expired,
            "failed" => LivenessStatus::Failed,
            _ => return None,
        })
    }
}

/// Seed: `{asset_id, name, group_id, liveness_verified, created_at}`; live:
/// `{object: "realface.enroll", asset_id, name, group_id}`; portraits omit `group_id`.
#[derive(Debug, Deserialize)]
pub(super) struct EnrollResponse {
    pub asset_id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub group_id: Option<String>,
    #[serde(default)]
    pub image_url: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub price: Option<PriceBody>,
    #[serde(default)]
    pub settlement: Option<SettlementBody>,
}

/// An error body, whatever its shape: the doc names codes but shows no body, so the code may be
/// the bare `error`, an `error.code` or a `code`, and the words anywhere; none of it is needed.
#[derive(Debug, Deserialize)]
pub(super) struct ErrorBody {
    #[serde(default)]
    pub error: Option<Value>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub field: Option<String>,
}

impl ErrorBody {
    /// The machine code, when the body has one (`error` as a snake_case word, or `code`).
    pub fn code(&self) -> Option<String> {
        let looks_like_code =
            |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        match &self.error {
            Some(Value::String(s)) if looks_like_code(s) => Some(s.clone()),
            Some(Value::Object(o)) => o.get("code").and_then(Value::as_str).map(str::to_string),
            _ => None,
        }
        .or_else(|| self.code.clone().map(|c| c.to_ascii_lowercase()))
    }

    pub fn message(&self) -> Option<String> {
        self.message.clone().or_else(|| match &self.error {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Object(o)) => o.get("message").and_then(Value::as_str).map(str::to_string),
            _ => None,
        })
    }
}
