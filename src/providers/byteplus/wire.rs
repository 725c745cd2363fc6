//! What Anyfast and Crun answer, typed. Both pass BytePlus's own PascalCase fields through
//! (seeds 003 and 004, and their examples in tests/fixtures); the one documented difference in
//! naming is an asset's id: `Id` on Anyfast's CreateAsset and GetAsset, `AssetId` on Crun's
//! asset-upload and asset-info. No other spelling is accepted, so a provider that renames a field
//! is an unreadable answer with the body quoted, not a silent empty value.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use super::{asset_problem, asset_status, AssetStatus, RemoteAsset};
use crate::media::AssetType;

/// `CreateVisualValidateSession` (Anyfast) and `visual-validate-session` (Crun).
#[derive(Debug, Deserialize)]
pub(in crate::providers) struct ValidateSession {
    #[serde(rename = "BytedToken")]
    pub byted_token: String,
    #[serde(rename = "H5Link")]
    pub h5_link: String,
}

/// `GetVisualValidateResult` (Anyfast) and `visual-validate-result` (Crun): an empty `GroupId`
/// is Anyfast's documented "not yet".
#[derive(Debug, Deserialize)]
pub(in crate::providers) struct ValidateResult {
    #[serde(rename = "GroupId", default)]
    pub group_id: String,
}

/// `CreateAsset` (Anyfast) and `asset-upload` (Crun).
#[derive(Debug, Deserialize)]
pub(in crate::providers) struct AssetCreated {
    #[serde(rename = "Id", alias = "AssetId")]
    pub id: String,
}

/// One asset: `GetAsset` and a `ListAssets` item (Anyfast), `asset-info` (Crun, which documents
/// no `GroupId` or `URL`).
#[derive(Debug, Deserialize)]
pub(in crate::providers) struct AssetInfo {
    #[serde(rename = "Id", alias = "AssetId")]
    id: String,
    #[serde(rename = "Status")]
    status: String,
    #[serde(rename = "AssetType", default)]
    asset_type: Option<String>,
    #[serde(rename = "GroupId", default)]
    group_id: Option<String>,
    #[serde(rename = "Name", default)]
    name: String,
    #[serde(rename = "URL", default)]
    url: Option<String>,
    #[serde(rename = "CreateTime", default)]
    create_time: Option<String>,
    #[serde(rename = "Error", default)]
    error: Option<AssetError>,
}

#[derive(Debug, Deserialize)]
struct AssetError {
    #[serde(rename = "Code", default)]
    code: String,
    #[serde(rename = "Message", default)]
    message: String,
}

/// A `ListAssets` page (Anyfast).
#[derive(Debug, Deserialize)]
pub(in crate::providers) struct AssetPage {
    #[serde(rename = "Items")]
    pub items: Vec<AssetInfo>,
    #[serde(rename = "TotalCount", default)]
    pub total_count: u64,
}

/// Reads a typed answer out of the JSON the client already holds; the error names what was
/// wrong for the "could not read the answer" message.
pub(in crate::providers) fn read<T: DeserializeOwned>(v: &Value) -> Result<T, String> {
    T::deserialize(v).map_err(|e| e.to_string())
}

impl AssetInfo {
    /// The asset as the app keeps it; an unknown status word is unreadable, never guessed.
    pub(in crate::providers) fn into_remote(self) -> Result<RemoteAsset, String> {
        let status = asset_status(&self.status, self.error.is_some())
            .ok_or_else(|| format!("unknown Status {:?}", self.status))?;
        let problem = (status == AssetStatus::Failed).then(|| match &self.error {
            Some(e) => asset_problem(&e.code, &e.message),
            None => asset_problem("", ""),
        });
        Ok(RemoteAsset {
            inactive: status == AssetStatus::Processing
                && self.status.trim().eq_ignore_ascii_case("inactive"),
            asset_id: self.id,
            group_id: self.group_id.filter(|g| !g.is_empty()),
            name: self.name,
            asset_type: self
                .asset_type
                .as_deref()
                .and_then(AssetType::parse)
                .unwrap_or(AssetType::Image),
            url: self.url,
            status,
            problem,
            created_at: self.create_time,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_provider_names_the_asset_id_as_documented_and_nothing_else() {
        let anyfast: AssetCreated = read(&json!({"Id": "asset-1"})).unwrap();
        let crun: AssetCreated = read(&json!({"AssetId": "asset-2"})).unwrap();
        assert_eq!(
            (anyfast.id.as_str(), crun.id.as_str()),
            ("asset-1", "asset-2")
        );
        let err = read::<AssetCreated>(&json!({"asset_id": "asset-3"})).unwrap_err();
        assert!(err.contains("Id"), "{err}");
        assert!(read::<ValidateSession>(&json!({"byted_token": "t", "h5_link": "l"})).is_err());
    }

    #[test]
    fn a_failed_asset_says_why_in_words() {
        let a: AssetInfo = read(&json!({
            "Id": "asset-1", "Status": "Failed", "AssetType": "Image", "GroupId": "group-1",
            "Error": {"Code": "FaceMismatch", "Message": "Face consistency verification failed."}
        }))
        .unwrap();
        let a = a.into_remote().unwrap();
        assert_eq!(a.status, AssetStatus::Failed);
        assert!(a
            .problem
            .unwrap()
            .contains("does not match the person verified"));
        assert!(read::<AssetInfo>(&json!({"Id": "a"})).is_err());
        let odd: AssetInfo = read(&json!({"Id": "a", "Status": "Deleted?"})).unwrap();
        assert!(odd.into_remote().unwrap_err().contains("Deleted?"));
    }
}
