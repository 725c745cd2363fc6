//! BlockRun's JSON, mirrored as the doc (seed 000) and the SDKs write it. Private to the module.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub(super) struct InitResponse {
    pub group_id: String,
    pub h5_link: String,
    #[serde(default = "default_expiry")]
    pub expires_in_seconds: u64,
}

fn default_expiry() -> u64 {
    120
}

#[derive(Debug, Deserialize)]
pub(super) struct StatusResponse {
    pub status: String,
    #[serde(default)]
    pub ready_to_finalize: bool,
}

#[derive(Debug, Deserialize)]
pub(super) struct EnrollResponse {
    pub asset_id: String,
    #[serde(default)]
    pub group_id: Option<String>,
    pub name: String,
    pub image_url: String,
    pub created_at: String,
    #[serde(default)]
    pub price: Option<Price>,
    #[serde(default)]
    pub settlement: Option<Settlement>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Price {
    pub amount: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct Settlement {
    #[serde(default)]
    pub tx_hash: Option<String>,
}

/// Error bodies vary (`error` as a string or an object with `message`), so read them loosely.
#[derive(Debug, Deserialize)]
pub(super) struct ErrorBody {
    #[serde(default)]
    pub error: Option<serde_json::Value>,
    #[serde(default)]
    pub message: Option<String>,
}

impl ErrorBody {
    pub fn text(&self) -> Option<String> {
        match &self.error {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Object(o)) => o
                .get("message")
                .and_then(|m| m.as_str())
                .map(str::to_string),
            _ => self.message.clone(),
        }
    }
}
