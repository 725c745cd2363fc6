//! Anyfast's and Crun's `asset://asset-…` references: which of the account's assets may
//! condition a generation, and why one may not.

use super::super::byteplus::{AssetStatus, AssetType};
use super::super::service::Service;

/// Why an `asset://…` reference cannot condition a generation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssetRefusal {
    /// Unknown, or another account's: both are "not found", as the asset API says.
    NotFound,
    /// Still `Processing`.
    NotActive,
    /// `Failed` processing, with its error code.
    Failed(String),
    /// An asset of another kind than the slot it was put in.
    WrongType(AssetType),
    /// In another asset group than an earlier reference of the same request (named here).
    OtherGroup(String),
}

impl AssetRefusal {
    /// The sentence both personalities answer with.
    pub fn message(&self, id: &str, wanted: AssetType) -> String {
        match self {
            AssetRefusal::NotFound => format!("asset {id} not found"),
            AssetRefusal::NotActive => {
                format!("asset {id} is not active yet: wait until its Status is Active, then retry")
            }
            AssetRefusal::Failed(code) => {
                format!("asset {id} failed processing ({code}) and cannot be used")
            }
            AssetRefusal::WrongType(is) => format!(
                "asset {id} is {} {}, not {} {}",
                article(is.as_str()),
                is.as_str(),
                article(wanted.as_str()),
                wanted.as_str()
            ),
            AssetRefusal::OtherGroup(first) => format!(
                "asset {id} is in another asset group than asset {first}: one generation takes one real person's assets"
            ),
        }
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    }
}

/// The asset id in an `asset://asset-…` URL.
pub fn asset_ref(url: &str) -> Option<&str> {
    url.strip_prefix("asset://")
}

/// An `asset://` reference may condition a generation when it is the account's own `Active`
/// asset of the right kind; the answer is its group.
pub fn usable_asset(
    svc: &Service,
    owner: &str,
    id: &str,
    wanted: AssetType,
) -> Result<Option<String>, AssetRefusal> {
    let view = svc
        .peek_liveness_asset(owner, id)
        .ok_or(AssetRefusal::NotFound)?;
    match view.status {
        AssetStatus::Processing => Err(AssetRefusal::NotActive),
        AssetStatus::Failed => Err(AssetRefusal::Failed(
            view.error.map(|e| e.code).unwrap_or_default(),
        )),
        AssetStatus::Active if view.asset_type != wanted => {
            Err(AssetRefusal::WrongType(view.asset_type))
        }
        AssetStatus::Active => Ok(view.group_id),
    }
}

/// The asset references of one request, each checked as it comes, and all of one group.
///
/// The group rule is Rehearsal's own: the docs say a group holds one verified person and
/// nothing about mixing groups in one generation, and the app never does; a mix here is a
/// client bug, so it is refused rather than guessed at.
#[derive(Debug, Default)]
pub struct References {
    /// The first asset and its group.
    first: Option<(String, Option<String>)>,
    pub images: Vec<String>,
    pub videos: Vec<String>,
    pub audios: Vec<String>,
}

impl References {
    pub fn take(
        &mut self,
        svc: &Service,
        owner: &str,
        id: &str,
        wanted: AssetType,
    ) -> Result<(), AssetRefusal> {
        let group = usable_asset(svc, owner, id, wanted)?;
        match &self.first {
            None => self.first = Some((id.to_owned(), group)),
            Some((first, g)) if *g != group => return Err(AssetRefusal::OtherGroup(first.clone())),
            Some(_) => {}
        }
        match wanted {
            AssetType::Image => &mut self.images,
            AssetType::Video => &mut self.videos,
            AssetType::Audio => &mut self.audios,
        }
        .push(id.to_owned());
        Ok(())
    }
}
