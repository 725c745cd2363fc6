//! BlockRun's JSON, mirrored as the doc (seed 000) and the SDKs write it. Private to the module.
//! Unknown fields are ignored everywhere: providers add fields without notice.

use serde::Deserialize;

use crate::providers::endpoint::{PriceBody, SettlementBody};

use crate::providers::{RemoteFace, RemoteFaceKind};

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
    /// Missing in JarvisClaw's copy; `active` alone then means ready.
    #[serde(default)]
    pub ready_to_finalize: Option<bool>,
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
    pub price: Option<PriceBody>,
    #[serde(default)]
    pub settlement: Option<SettlementBody>,
}

/// `GET /v1/wallet/<address>/realfaces` (camelCase items).
#[derive(Debug, Deserialize)]
pub(super) struct RealFaceList {
    pub realfaces: Vec<ListedFace>,
}

/// `GET /v1/wallet/<address>/portraits`.
#[derive(Debug, Deserialize)]
pub(super) struct PortraitList {
    pub portraits: Vec<ListedFace>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ListedFace {
    pub asset_id: String,
    #[serde(default)]
    pub group_id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub image_url: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub enrollment_tx_hash: Option<String>,
}

impl ListedFace {
    pub fn into_remote(self, kind: RemoteFaceKind) -> RemoteFace {
        RemoteFace {
            kind,
            asset_id: self.asset_id,
            group_id: self.group_id,
            name: self.name,
            image_url: self.image_url.unwrap_or_default(),
            created_at: self.created_at,
            // Only a real hash: the doc's sample writes a placeholder "0x…".
            tx_hash: self.enrollment_tx_hash.filter(|h| {
                h.strip_prefix("0x").is_some_and(|hex| {
                    !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit())
                })
            }),
        }
    }
}

/// Error bodies vary (`error` as a string or an object with `message`), so read them loosely.
#[derive(Debug, Deserialize)]
pub(super) struct ErrorBody {
    #[serde(default)]
    pub error: Option<serde_json::Value>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub field: Option<String>,
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
