//! The studio wallet's USDC, read from the chain it pays on: a JSON-RPC node (Settings → Base
//! network node, a public one by default; Rehearsal's own test network while rehearsing). The
//! node is asked which chain it serves before its balance is believed. A balance that cannot be
//! read is a state the window shows ("balance unknown"), never a reason to stop a payment: the
//! provider's facilitator checks the funds itself.

use std::time::Duration;

use alloy::primitives::Address;
use serde::Serialize;
use x402::chain::{self, ChainError};
use x402::Network;

use crate::clock::Clock;

/// Base mainnet's public node, run by Base; rate-limited, so a studio may set its own.
pub const DEFAULT_BASE_RPC: &str = "https://mainnet.base.org";
/// Base Sepolia's public node, for a provider that quotes test money outside Rehearsal.
pub const PUBLIC_BASE_SEPOLIA_RPC: &str = "https://sepolia.base.org";

/// A balance read is a screen detail: it gives up quickly rather than hold the panel.
const READ_TIMEOUT: Duration = Duration::from_secs(8);

/// Where each network's balance is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainNodes {
    pub base: url::Url,
    pub base_sepolia: url::Url,
}

impl Default for ChainNodes {
    fn default() -> Self {
        ChainNodes {
            base: url::Url::parse(DEFAULT_BASE_RPC).expect("a valid default"),
            base_sepolia: url::Url::parse(PUBLIC_BASE_SEPOLIA_RPC).expect("a valid default"),
        }
    }
}

impl ChainNodes {
    pub fn for_network(&self, network: Network) -> &url::Url {
        match network {
            Network::Base => &self.base,
            Network::BaseSepolia => &self.base_sepolia,
        }
    }
}

/// What the window shows as "From: studio wallet".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(
    tag = "state",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum BalanceReading {
    /// No studio wallet: the API-key rail, or none set up yet.
    NoWallet,
    Known {
        network: Network,
        /// The wallet's address, checksummed.
        address: String,
        /// USDC in atomic units (6 decimals).
        atomic: String,
        read_at_ms: i64,
    },
    /// The node could not be asked, or its answer not believed: why, in words.
    Unknown {
        network: Network,
        address: String,
        reason: String,
    },
}

/// Reads `owner`'s USDC on `network` from `node`.
pub async fn read(
    http: &reqwest::Client,
    node: &url::Url,
    network: Network,
    owner: Address,
    clock: &Clock,
) -> BalanceReading {
    let address = owner.to_checksum(None);
    match read_atomic(http, node, network, owner).await {
        Ok(atomic) => BalanceReading::Known {
            network,
            address,
            atomic: atomic.to_string(),
            read_at_ms: clock.now_ms(),
        },
        Err(reason) => {
            tracing::info!(%node, %reason, "wallet balance unknown");
            BalanceReading::Unknown {
                network,
                address,
                reason: format!("The wallet's balance could not be read from {node}: {reason}."),
            }
        }
    }
}

async fn read_atomic(
    http: &reqwest::Client,
    node: &url::Url,
    network: Network,
    owner: Address,
) -> Result<u128, String> {
    let id = ask(http, node, &chain::chain_id_request(1)).await?;
    chain::check_chain_id(&id, network).map_err(|e| e.to_string())?;
    let balance = ask(http, node, &chain::balance_request(2, network, owner)).await?;
    chain::parse_balance(&balance).map_err(|e: ChainError| e.to_string())
}

/// One JSON-RPC request; its `result` string.
async fn ask(
    http: &reqwest::Client,
    node: &url::Url,
    request: &serde_json::Value,
) -> Result<String, String> {
    let answer = http
        .post(node.clone())
        .json(request)
        .timeout(READ_TIMEOUT)
        .send()
        .await
        .map_err(|e| format!("the node could not be reached ({e})"))?;
    let status = answer.status();
    let body: serde_json::Value = answer
        .json()
        .await
        .map_err(|e| format!("the node's answer ({status}) was not JSON-RPC ({e})"))?;
    chain::rpc_result(&body)
        .map(str::to_string)
        .map_err(|e| e.to_string())
}
