//! Which vendor API is spoken, and what each one can do.
//!
//! The same fact was once written five times (the client's provider variants, its video API, the
//! settings' "Rehearse as", two enums in Rehearsal) and four more in TypeScript, and the copies
//! could drift: a screen could offer what the API in play cannot do and meet a runtime error. Here
//! it is one leaf enum with one capability table. The client picks a client per API, Rehearsal
//! plays one API per setting, and the window reads the table from its generated bindings.
//!
//! Every capability is what the provider's own docs (the seeds) say it offers, nothing inferred
//! from Rehearsal.

use serde::{Deserialize, Serialize};

pub mod metering;

/// A vendor API. Rehearsal is not one: it plays one of these.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    specta::Type,
)]
#[serde(rename_all = "lowercase")]
pub enum ProviderApi {
    /// BlockRun RealFace: `ta_…` faces, x402 or a `brk_…` key.
    #[default]
    #[serde(rename = "blockrun")]
    BlockRun,
    /// JarvisClaw's marketplace: BlockRun's API behind a proxy, in two documented shapes.
    #[serde(rename = "jarvisclaw")]
    JarvisClaw,
    /// Anyfast over BytePlus LivenessFace: groups that take `asset-…` uploads.
    Anyfast,
    /// Crun over BytePlus (Volcengine) validation: the same groups, errors inside HTTP 200s.
    Crun,
}

/// What the phone check yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum LivenessKind {
    /// A group that a paid enroll turns into one `ta_…` face.
    TaFace,
    /// A BytePlus group bound to the person, read once with its BytedToken; files then go into
    /// it as `asset-…` assets.
    BytePlusGroup,
}

/// What an API can do, as its docs say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    pub liveness: LivenessKind,
    /// An expired link can be renewed on the same group (BlockRun's refresh). Elsewhere a fresh
    /// QR is a new session.
    pub refreshes_links: bool,
    /// Photos, videos and voice clips go into the person's group as assets.
    pub media_assets: bool,
    /// AI characters (virtual portraits) enroll without a phone check.
    pub portrait: bool,
    /// Seedance 2.0 videos with an enrolled face.
    pub video: bool,
    /// The wallet's enrolled faces and portraits can be listed (library sync, a lost answer's
    /// reconciliation).
    pub listing: bool,
    /// Calls can be paid per call with the studio wallet over x402; otherwise only a key.
    pub x402: bool,
    /// The phone page's language can be chosen (Crun's `lng`).
    pub phone_language: bool,
    /// The docs show two answer shapes (JarvisClaw's seed and live API).
    pub answer_shapes: bool,
    /// The phone can be sent to a page the operator names when the check ends (JarvisClaw's
    /// `redirect_url`); nothing about the result rides on it.
    pub redirect_page: bool,
    /// The phone is sent back to a URL of ours with the check's outcome in its query (BytePlus's
    /// `CallbackURL`): the desk can hear the check end without asking the provider.
    pub result_callback: bool,
}

impl ProviderApi {
    pub const ALL: [ProviderApi; 4] = [
        ProviderApi::BlockRun,
        ProviderApi::JarvisClaw,
        ProviderApi::Anyfast,
        ProviderApi::Crun,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ProviderApi::BlockRun => "BlockRun",
            ProviderApi::JarvisClaw => "JarvisClaw",
            ProviderApi::Anyfast => "Anyfast",
            ProviderApi::Crun => "Crun",
        }
    }

    /// The name in settings, the CLI and stored records.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderApi::BlockRun => "blockrun",
            ProviderApi::JarvisClaw => "jarvisclaw",
            ProviderApi::Anyfast => "anyfast",
            ProviderApi::Crun => "crun",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        let name = name.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }

    pub fn capabilities(self) -> Capabilities {
        let ta_face = Capabilities {
            liveness: LivenessKind::TaFace,
            refreshes_links: false,
            media_assets: false,
            portrait: true,
            video: true,
            listing: false,
            x402: true,
            phone_language: false,
            answer_shapes: false,
            redirect_page: false,
            result_callback: false,
        };
        let byteplus = Capabilities {
            liveness: LivenessKind::BytePlusGroup,
            refreshes_links: false,
            media_assets: true,
            portrait: false,
            video: true,
            listing: false,
            x402: false,
            phone_language: false,
            answer_shapes: false,
            redirect_page: false,
            // Seeds 003 and 004 both document a CallbackURL that the phone is sent back to.
            result_callback: true,
        };
        match self {
            // Seed 000: init with a groupId refreshes; /v1/wallet/{address}/realfaces lists.
            ProviderApi::BlockRun => Capabilities {
                refreshes_links: true,
                listing: true,
                ..ta_face
            },
            // Seed 001: no refresh and no wallet listing; two shapes; an optional redirect_url.
            ProviderApi::JarvisClaw => Capabilities {
                answer_shapes: true,
                redirect_page: true,
                ..ta_face
            },
            ProviderApi::Anyfast => byteplus,
            // Seed 004: `lng` picks the phone page's language.
            ProviderApi::Crun => Capabilities {
                phone_language: true,
                ..byteplus
            },
        }
    }

    /// The whole table keyed by name, as the window reads it from its bindings
    /// (`API_CAPABILITIES.crun.phoneLanguage`).
    pub fn table() -> std::collections::BTreeMap<ProviderApi, Capabilities> {
        Self::ALL
            .into_iter()
            .map(|a| (a, a.capabilities()))
            .collect()
    }
}

impl std::fmt::Display for ProviderApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Which of JarvisClaw's two documented answer shapes is spoken (read by the client, played by
/// Rehearsal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum JarvisClawShape {
    /// Seed 001's shape (`verification_url`, `expires_at`, `completed`, `liveness_score`).
    Seed,
    /// The live API's BlockRun-like shape (`h5_link`, `expires_in_seconds`, `active`).
    #[default]
    Live,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_serde_and_parse() {
        for api in ProviderApi::ALL {
            let json = serde_json::to_string(&api).unwrap();
            assert_eq!(json, format!("\"{}\"", api.as_str()));
            assert_eq!(ProviderApi::parse(api.as_str()), Some(api));
            assert_eq!(serde_json::from_str::<ProviderApi>(&json).unwrap(), api);
        }
        assert_eq!(ProviderApi::parse(" Crun "), Some(ProviderApi::Crun));
        assert_eq!(ProviderApi::parse("rehearsal"), None);
    }

    #[test]
    fn the_table_keeps_the_two_families_apart() {
        for (api, caps) in ProviderApi::table() {
            // A `ta_…` face is bought per enrollment; a BytePlus group takes uploads billed to
            // the account: no API is both.
            assert_eq!(
                caps.media_assets,
                caps.liveness == LivenessKind::BytePlusGroup,
                "{api}"
            );
            assert_eq!(caps.x402, caps.liveness == LivenessKind::TaFace, "{api}");
            assert!(
                caps.video,
                "{api}: every API documents Seedance 2.0 with a face"
            );
        }
        let only = |f: fn(&Capabilities) -> bool| -> Vec<ProviderApi> {
            ProviderApi::ALL
                .into_iter()
                .filter(|a| f(&a.capabilities()))
                .collect()
        };
        assert_eq!(only(|c| c.refreshes_links), [ProviderApi::BlockRun]);
        assert_eq!(only(|c| c.listing), [ProviderApi::BlockRun]);
        assert_eq!(only(|c| c.answer_shapes), [ProviderApi::JarvisClaw]);
        assert_eq!(only(|c| c.phone_language), [ProviderApi::Crun]);
        assert_eq!(only(|c| c.redirect_page), [ProviderApi::JarvisClaw]);
        assert_eq!(
            only(|c| c.result_callback),
            [ProviderApi::Anyfast, ProviderApi::Crun]
        );
        assert_eq!(
            only(|c| c.portrait),
            [ProviderApi::BlockRun, ProviderApi::JarvisClaw]
        );
    }
}
