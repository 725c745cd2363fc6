//! The studio wallet's balance, for the price panels ("From: studio wallet, $19.99 → $19.98")
//! and the session form's warning before a talent is called over.

use x402::Network;

use super::Studio;
use crate::balance::BalanceReading;
use crate::providers::ProviderKind;

impl Studio {
    /// The studio wallet's USDC on `network` (a shown price's), or on the network this provider
    /// is paid on. No wallet (the API-key rail) is a reading too.
    pub async fn wallet_balance(&self, network: Option<Network>) -> BalanceReading {
        let Some(owner) = self.checkout.wallet().map(|w| w.address()) else {
            return BalanceReading::NoWallet;
        };
        let network = network.unwrap_or_else(|| self.payment_network());
        let node = self.config.chain_nodes.for_network(network);
        crate::balance::read(&self.http, node, network, owner, &self.clock).await
    }

    /// Rehearsal pays in test money; the real sellers document Base.
    fn payment_network(&self) -> Network {
        match self.provider().kind() {
            ProviderKind::Rehearsal => Network::BaseSepolia,
            _ => Network::Base,
        }
    }
}
