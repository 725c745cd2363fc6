//! What Anyfast and Crun share: both wrap BytePlus "LivenessFace" (research §5.1), so the phone
//! check yields an asset group bound to one person, and assets uploaded into it are processed
//! asynchronously until `Active`. The two wire formats differ; the meanings here do not.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::media::AssetType;

pub(super) mod client;
pub(super) mod wire;

pub use client::Client;

/// Where an uploaded asset stands at the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum AssetStatus {
    /// Uploaded; the provider is still fetching it and matching the face.
    Processing,
    /// Usable in Seedance as `asset://<id>`.
    Active,
    /// Refused (a face that does not match the verified person, a file it could not use).
    Failed,
}

impl AssetStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AssetStatus::Processing => "processing",
            AssetStatus::Active => "active",
            AssetStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            AssetStatus::Processing,
            AssetStatus::Active,
            AssetStatus::Failed,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

/// An asset as the provider describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteAsset {
    pub asset_id: String,
    pub group_id: Option<String>,
    pub name: String,
    pub asset_type: AssetType,
    pub url: Option<String>,
    pub status: AssetStatus,
    /// Why it failed, in plain words, when it did.
    pub problem: Option<String>,
    pub created_at: Option<String>,
    /// Anyfast's `Inactive` without an error: read as not ready yet, but Anyfast's doc says no
    /// more than that, so the studio waits for it only so long ([`INACTIVE_WAIT_MS`]).
    pub inactive: bool,
}

/// How long an `Inactive` asset with no error is waited for before it is filed as failed: a
/// BytePlus upload is processed in seconds to minutes, and nothing documents an `Inactive`
/// that turns `Active`, so a longer wait only keeps the operator hanging.
pub const INACTIVE_WAIT_MS: i64 = 10 * 60_000;

/// The operator's words for an asset still `Inactive` after [`INACTIVE_WAIT_MS`].
pub fn inactive_too_long(asset_id: &str) -> String {
    format!(
        "The provider still shows this file as Inactive after {} minutes and gives no reason, so it cannot be used in videos. Upload it again, or ask the provider's support about {asset_id}.",
        INACTIVE_WAIT_MS / 60_000
    )
}

/// What to upload into a group.
#[derive(Debug, Clone, Copy)]
pub struct AssetUpload<'a> {
    pub group_id: &'a str,
    pub name: &'a str,
    pub asset_type: AssetType,
    pub url: &'a str,
}

/// The person an asset was uploaded for: its name without the studio's file tag
/// ("Ada · 3f2a9c01" → "Ada").
pub fn person_name(asset_name: &str) -> &str {
    match asset_name.rsplit_once(" · ") {
        Some((person, tag))
            if tag.len() == 8
                && tag.bytes().all(|b| b.is_ascii_hexdigit())
                && !person.is_empty() =>
        {
            person
        }
        _ => asset_name,
    }
}

/// The status words both documented vocabularies use, in any case: upstream's
/// `Processing` / `Active` / `Failed` and Anyfast's `Active` / `Inactive`. An `Inactive` asset
/// with an error attached has failed; without one it is not ready yet.
pub(super) fn asset_status(word: &str, has_error: bool) -> Option<AssetStatus> {
    match word.trim().to_ascii_lowercase().as_str() {
        "processing" | "pending" | "queued" | "uploading" => Some(AssetStatus::Processing),
        "active" | "available" | "success" | "succeeded" => Some(AssetStatus::Active),
        "failed" | "failure" | "error" => Some(AssetStatus::Failed),
        "inactive" if has_error => Some(AssetStatus::Failed),
        "inactive" => Some(AssetStatus::Processing),
        _ => None,
    }
}

/// An asset's error (`{"Code","Message"}`) in words the operator can act on.
pub(super) fn asset_problem(code: &str, message: &str) -> String {
    let said = if message.is_empty() {
        String::new()
    } else {
        format!(" (the provider said: {message})")
    };
    match code {
        "FaceMismatch" => format!(
            "The face in this file does not match the person verified on the phone. Upload a clearer, front-facing file of the same person.{said}"
        ),
        "MultipleFaces" | "MultiFace" => format!(
            "More than one face was found. Upload a file with the talent alone.{said}"
        ),
        "NoFace" | "FaceNotFound" => format!(
            "No face was found in this file. Upload one where the talent's face is clearly visible.{said}"
        ),
        "" => format!("The provider could not use this file.{said} Try another file."),
        other => format!(
            "The provider could not use this file ({other}).{said} Check it meets the limits, then try another file."
        ),
    }
}

/// A BytedToken query that says "not finished yet" rather than failing: upstream's
/// `ValidateNotReady`, or any message saying "not ready".
pub(super) fn says_not_ready(code: &str, message: &str) -> bool {
    let both = format!("{code} {message}").to_ascii_lowercase();
    both.contains("notready") || both.contains("not ready") || both.contains("not_ready")
}

/// Whether the provider refused to open a phone check because of the callback address it was
/// given (Anyfast names `CallbackURL`, Crun's `errors[]` names `callback_url`; both clients word
/// such a refusal as one about "the callback address").
pub fn refuses_callback(e: &crate::error::Error) -> bool {
    match e {
        crate::error::Error::Provider {
            reason: crate::error::ProviderReason::BadRequest,
            message,
            ..
        } => message.contains("callback address"),
        _ => false,
    }
}

/// Some proxies return the H5 link with `&` written as `\u0026` inside the JSON string (decoded
/// by the JSON parser) or, double-escaped, as the literal six characters. Both become `&`.
pub(super) fn clean_link(raw: &str) -> String {
    raw.trim().replace("\\u0026", "&").replace("\\u003d", "=")
}

/// The object an answer's fields live in: upstream's `Result`, a `data` envelope, or the root.
pub(super) fn payload(v: &Value) -> &Value {
    for key in ["Result", "data", "Data"] {
        if let Some(inner) = v.get(key).filter(|i| i.is_object()) {
            return inner;
        }
    }
    v
}

/// `(code, message)` from any error shape the BytePlus proxies use: new-api's
/// `{"error":{"code","message"}}`, upstream's `{"ResponseMetadata":{"Error":{"Code","Message"}}}`,
/// or a flat `{"code","message"}`.
pub(super) fn error_parts(v: &Value) -> (String, String) {
    let text = |x: Option<&Value>| match x {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    if let Some(e) = v.pointer("/ResponseMetadata/Error") {
        return (text(e.get("Code")), text(e.get("Message")));
    }
    match v.get("error") {
        Some(Value::Object(e)) => (
            text(e.get("code").or(e.get("Code"))),
            text(e.get("message").or(e.get("Message"))),
        ),
        Some(Value::String(s)) => (s.clone(), text(v.get("message"))),
        _ => (
            text(v.get("code").or(v.get("Code"))),
            text(v.get("message").or(v.get("Message")).or(v.get("msg"))),
        ),
    }
}

/// Whether an upstream error rides inside a successful HTTP answer.
pub(super) fn upstream_error(v: &Value) -> Option<(String, String)> {
    v.pointer("/ResponseMetadata/Error")
        .filter(|e| e.is_object())
        .map(|_| error_parts(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_status_vocabularies_in_any_case() {
        assert_eq!(
            asset_status("Processing", false),
            Some(AssetStatus::Processing)
        );
        assert_eq!(asset_status("ACTIVE", false), Some(AssetStatus::Active));
        assert_eq!(asset_status("failed", false), Some(AssetStatus::Failed));
        assert_eq!(
            asset_status("Inactive", false),
            Some(AssetStatus::Processing)
        );
        assert_eq!(asset_status("Inactive", true), Some(AssetStatus::Failed));
        assert_eq!(asset_status("Deleted?", false), None);
    }

    #[test]
    fn error_shapes_of_every_proxy() {
        assert_eq!(
            error_parts(&json!({"error": {"code": "X", "message": "m"}})),
            ("X".to_string(), "m".to_string())
        );
        assert_eq!(
            error_parts(
                &json!({"ResponseMetadata": {"Error": {"Code": "ValidateNotReady", "Message": "wait"}}})
            ),
            ("ValidateNotReady".to_string(), "wait".to_string())
        );
        assert_eq!(
            error_parts(&json!({"code": 402, "message": "Insufficient Credits"})),
            ("402".to_string(), "Insufficient Credits".to_string())
        );
        assert!(says_not_ready("ValidateNotReady", ""));
        assert!(says_not_ready("", "The validation result is not ready."));
        assert!(!says_not_ready("InvalidParameter", "already used"));
    }

    #[test]
    fn the_file_tag_is_not_part_of_the_person() {
        assert_eq!(person_name("Ada Lovelace · 3f2a9c01"), "Ada Lovelace");
        assert_eq!(person_name("Ada · not-a-tag"), "Ada · not-a-tag");
        assert_eq!(person_name("portrait-front"), "portrait-front");
    }

    #[test]
    fn links_lose_their_escapes() {
        assert_eq!(
            clean_link(r"https://kyc.byteintl.com/?a=1\u0026b=2"),
            "https://kyc.byteintl.com/?a=1&b=2"
        );
    }
}
