//! The provider's hourly call budgets (links opened, status checks, listings), shared by every
//! session on the host and recorded in the library, and the wallet listing that spends them.

use super::*;

impl Studio {
    /// How many more links the provider's hourly init budget can open now.
    pub(super) fn links_left(&self, provider: &Provider, now_ms: i64) -> u32 {
        let used = self
            .library
            .calls_in_last_hour(&provider.budget_key(), CallKind::Init, now_ms)
            .map(|c| c.len() as u32)
            .unwrap_or(0);
        provider.inits_per_hour().saturating_sub(used)
    }

    pub(super) fn spend_init_budget(&self, provider: &Provider) -> Result<()> {
        self.spend_calls(provider, CallKind::Init, provider.inits_per_hour(), 1)
    }

    /// Logs `n` calls against the hourly `limit` of the provider's host, or refuses them all,
    /// saying when enough of the hour's calls have aged out.
    pub(super) fn spend_calls(
        &self,
        provider: &Provider,
        kind: CallKind,
        limit: u32,
        n: usize,
    ) -> Result<()> {
        let now = self.clock.now_ms();
        let key = provider.budget_key();
        let calls = self.library.calls_in_last_hour(&key, kind, now)?;
        let limit = limit as usize;
        if calls.len() + n > limit {
            let frees = calls[calls.len() + n - limit - 1] + poll::HOUR_MS;
            return Err(Error::RateLimited {
                provider: provider.kind(),
                retry_after_seconds: Some(((frees - now) / 1000).max(1) as u64),
            });
        }
        for _ in 0..n {
            self.library.record_call(&key, kind, now)?;
        }
        Ok(())
    }

    /// Applies an event to the stored session (if it applies) and broadcasts the result.
    /// Fills and refreshes the library from the provider's listing of `wallet` (the paying
    /// wallet when not given). The listing calls come out of the status budget, since BlockRun
    /// counts them in the same bucket.
    pub async fn sync_faces(&self, wallet: Option<&str>) -> Result<SyncReport> {
        let provider = self.provider();
        if provider.holds_assets() {
            let remote = provider.list_assets().await?;
            let report =
                self.library
                    .merge_remote_assets(provider.kind(), &remote, self.clock.now_ms())?;
            tracing::info!(?report, "assets synced from the provider");
            return Ok(report);
        }
        if provider.listing_calls() == 0 {
            // No listing at this provider: its own words say so.
            provider.list_faces("").await?;
            return Ok(SyncReport::default());
        }
        let wallet = match wallet {
            Some(w) => w.trim().to_string(),
            None => match self.checkout.wallet() {
                Some(signer) => signer.address().to_checksum(None),
                None => {
                    return Err(Error::NotConfigured {
                        provider: provider.kind(),
                        what: "the library sync lists a wallet's faces, and no wallet pays here. Name the wallet address (--wallet) or pay with the studio wallet.".into(),
                    })
                }
            },
        };
        self.spend_calls(
            &provider,
            CallKind::Status,
            self.config.policy.budget_per_hour,
            provider.listing_calls(),
        )?;
        let remote = provider.list_faces(&wallet).await?;
        let report =
            self.library
                .merge_remote_faces(provider.kind(), &remote, self.clock.now_ms())?;
        tracing::info!(?report, "library synced from the provider");
        Ok(report)
    }

    /// What is left of the selected provider's hourly budgets.
    pub fn call_budget(&self) -> Result<CallBudget> {
        let provider = self.provider();
        let key = provider.budget_key();
        let now = self.clock.now_ms();
        let status = self
            .library
            .calls_in_last_hour(&key, CallKind::Status, now)?;
        let inits = self.library.calls_in_last_hour(&key, CallKind::Init, now)?;
        let status_per_hour = self.config.policy.budget_per_hour;
        let inits_per_hour = provider.inits_per_hour();
        let left = |used: usize, limit: u32| limit.saturating_sub(used as u32);
        Ok(CallBudget {
            host: key,
            status_checks_left: left(status.len(), status_per_hour),
            status_checks_per_hour: status_per_hour,
            new_links_left: left(inits.len(), inits_per_hour),
            new_links_per_hour: inits_per_hour,
            status_frees_at_ms: poll::manual_check(self.config.policy, now, &status).err(),
            new_links_free_at_ms: (inits.len() >= inits_per_hour as usize)
                .then(|| inits[inits.len() - inits_per_hour as usize] + poll::HOUR_MS + 1),
        })
    }
}
