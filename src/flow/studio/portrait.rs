//! Virtual portraits (AI characters, no liveness) in two steps for the window: the price is shown
//! first and nothing is signed, then the operator's Pay runs [`Studio::enroll_portrait`], which
//! signs only if the provider still asks for exactly the price that was shown.
//!
//! Shown prices are held in memory only, as the session's are: after a restart the price is
//! asked for again, so nothing is ever signed against a quote the operator did not see.

use serde::Serialize;

use super::enrollment::{lapsed, receipt_from};
use super::{validate_name, Studio};
use crate::error::{Error, Result};
use crate::flow::checkout::{self, Reconciled, Sent};
use crate::library::{ConsentRecord, Face, FaceKind};
use crate::payment::PaymentQuote;
use crate::providers::{EnrollmentReceipt, Paid, Provider, ProviderKind, RemoteFaceKind};

/// The ledger's purpose for a portrait: its name and photo, so enrolling the same again after a
/// lost answer finds the payment signed for it.
pub(crate) fn purpose(name: &str, image_url: &str) -> String {
    format!("portrait:{name}|{image_url}")
}

/// A portrait's price as shown to the operator, waiting for Pay or Decline.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PortraitQuote {
    pub id: String,
    pub name: String,
    pub image_url: String,
    pub provider: ProviderKind,
    /// The provider's x402 price; `None` on a key rail, where the account is billed.
    pub quote: Option<PaymentQuote>,
    /// The payee differs from the one this provider was paid before: confirm twice.
    pub payee_changed: bool,
    /// What pressing Pay buys, in a line.
    pub buys: String,
    /// Why this quote replaces the one shown before, if it does (the provider's price changed).
    pub notice: Option<String>,
}

/// What pressing Pay led to.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PortraitOutcome {
    Enrolled {
        face: Box<Face>,
    },
    /// The provider now asks for something else than what was shown; nothing was signed.
    PriceChanged {
        quote: Box<PortraitQuote>,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct PendingPortrait {
    shown: PortraitQuote,
    photo_override: bool,
}

/// Whether a fresh 402 asks for exactly what the operator saw: a signature binds all four.
fn same_terms(shown: &PaymentQuote, fresh: &PaymentQuote) -> bool {
    shown.amount_atomic() == fresh.amount_atomic()
        && shown.pay_to() == fresh.pay_to()
        && shown.network() == fresh.network()
        && shown.asset() == fresh.asset()
}

fn describe(quote: Option<&PaymentQuote>) -> String {
    match quote {
        Some(q) => format!(
            "${} USDC to {} on {}",
            q.amount_usdc(),
            q.pay_to(),
            q.network().label()
        ),
        None => "billing to the account".into(),
    }
}

impl Studio {
    /// Checks the name and the photo and shows what enrolling the portrait costs: on x402 the
    /// provider's price (nothing is signed), on a key that the account is billed. The quote
    /// waits for [`Self::confirm_portrait`] or [`Self::decline_portrait`].
    pub async fn quote_portrait(
        &self,
        name: &str,
        image_url: &str,
        photo_override: bool,
    ) -> Result<PortraitQuote> {
        let name = validate_name(name)?;
        let provider = self.provider();
        // A file with nowhere to host it is said before the photo is even read.
        self.hosting_for(
            &provider,
            crate::photo::PhotoSource::parse(image_url)?.is_file(),
        )?;
        let (photo, _) = self.vetted_photo(image_url, photo_override).await?;
        if !matches!(provider, Provider::BlockRun(_) | Provider::JarvisClaw(_)) {
            return Err(Error::invalid(
                "provider",
                format!(
                    "{} has no virtual portraits (AI characters). Use BlockRun or JarvisClaw for those.",
                    provider.kind()
                ),
            ));
        }
        // On a key the provider enrolls at once, so asking it for a price would enroll.
        let quote = if provider.endpoint().is_some_and(|e| e.has_api_key()) {
            None
        } else {
            let handover = self.hand_over(&provider, &photo).await?;
            let answer = provider.enroll_portrait(&name, &handover.url, None).await;
            // The price is confirmed with a fresh copy: none is left up meanwhile.
            self.take_back(handover).await;
            match answer? {
                Paid::PaymentRequired(quote) => Some(*quote),
                Paid::Done(receipt) => {
                    tracing::warn!(asset = %receipt.asset_id, "portrait enrolled without a price");
                    return Err(Error::invalid(
                        "provider",
                        format!(
                            "{} enrolled this portrait without asking to be paid ({}). Sync the library to see it.",
                            provider.kind(),
                            receipt.asset_id
                        ),
                    ));
                }
            }
        };
        let shown =
            self.hold_portrait_quote(&provider, name, photo.url, photo_override, quote, None)?;
        tracing::info!(quote = %shown.id, "portrait price shown");
        Ok(shown)
    }

    /// The operator's Pay. Enrolls through [`Self::enroll_portrait`], whose fresh 402 is signed
    /// only if it matches the quote shown; if it does not, a new quote comes back instead.
    pub async fn confirm_portrait(
        &self,
        quote_id: &str,
        payee_change_confirmed: bool,
    ) -> Result<PortraitOutcome> {
        let pending = self
            .portrait_quotes
            .lock()
            .expect("quote map poisoned")
            .get(quote_id)
            .cloned()
            .ok_or_else(|| {
                Error::invalid(
                    "quote",
                    "The price shown for this portrait is no longer held (it was paid, declined, or the app restarted). Get the price again; nothing was signed.",
                )
            })?;
        let shown = pending.shown;
        if let (true, false, Some(q)) = (
            shown.payee_changed,
            payee_change_confirmed,
            shown.quote.as_ref(),
        ) {
            return Err(checkout::payee_not_confirmed(shown.provider, q));
        }
        // Taken before anything is sent, so a second press cannot pay twice; a payment signed
        // and then lost in transit is re-sent by the next enroll of the same name and photo.
        self.portrait_quotes
            .lock()
            .expect("quote map poisoned")
            .remove(quote_id);
        let mut fresh: Option<PaymentQuote> = None;
        let result = self
            .enroll_portrait(
                &shown.name,
                &shown.image_url,
                pending.photo_override,
                |asked| {
                    let same = shown.quote.as_ref().is_some_and(|s| same_terms(s, asked));
                    if !same {
                        fresh = Some(asked.clone());
                    }
                    same
                },
            )
            .await;
        match (result, fresh) {
            (Ok(face), _) => {
                tracing::info!(asset = %face.asset_id, "portrait enrolled");
                Ok(PortraitOutcome::Enrolled {
                    face: Box::new(face),
                })
            }
            (Err(_), Some(asked)) => {
                let notice = format!(
                    "{} now asks for {}, not the {} shown. Nothing was signed; check the new price and confirm again.",
                    shown.provider,
                    describe(Some(&asked)),
                    describe(shown.quote.as_ref()),
                );
                let provider = self.provider();
                let quote = self.hold_portrait_quote(
                    &provider,
                    shown.name,
                    shown.image_url,
                    pending.photo_override,
                    Some(asked),
                    Some(notice),
                )?;
                tracing::warn!(quote = %quote.id, "portrait price changed before paying");
                Ok(PortraitOutcome::PriceChanged {
                    quote: Box::new(quote),
                })
            }
            (Err(e), None) => Err(e),
        }
    }

    /// The operator said no: the shown price is forgotten and nothing is signed.
    pub fn decline_portrait(&self, quote_id: &str) -> Result<()> {
        let held = self
            .portrait_quotes
            .lock()
            .expect("quote map poisoned")
            .remove(quote_id)
            .is_some();
        tracing::info!(quote = %quote_id, held, "portrait price declined");
        Ok(())
    }

    fn hold_portrait_quote(
        &self,
        provider: &Provider,
        name: String,
        image_url: String,
        photo_override: bool,
        quote: Option<PaymentQuote>,
        notice: Option<String>,
    ) -> Result<PortraitQuote> {
        let payee_changed = match &quote {
            Some(q) => {
                self.checkout
                    .hold(provider.kind(), &purpose(&name, &image_url), q.clone())?
                    .payee_changed
            }
            None => false,
        };
        let buys = match &quote {
            Some(_) => format!(
                "Enrolls “{name}” at {} as a virtual portrait (AI character — no liveness).",
                provider.kind()
            ),
            None => format!(
                "Enrolls “{name}” as a virtual portrait (AI character — no liveness), billed to your {} account.",
                provider.kind()
            ),
        };
        let shown = PortraitQuote {
            id: format!("ptq_{}", hex::encode(rand::random::<[u8; 8]>())),
            name,
            image_url,
            provider: provider.kind(),
            quote,
            payee_changed,
            buys,
            notice,
        };
        self.portrait_quotes
            .lock()
            .expect("quote map poisoned")
            .insert(
                shown.id.clone(),
                PendingPortrait {
                    shown: shown.clone(),
                    photo_override,
                },
            );
        Ok(shown)
    }
}

impl Studio {
    /// A virtual portrait (an AI character): no liveness. On x402 the provider's price is shown
    /// to `approve` first; nothing is signed unless it answers yes.
    pub async fn enroll_portrait(
        &self,
        name: &str,
        image_url: &str,
        photo_override: bool,
        approve: impl FnOnce(&PaymentQuote) -> bool,
    ) -> Result<Face> {
        let name = validate_name(name)?;
        let (photo, photo_override) = self.vetted_photo(image_url, photo_override).await?;
        let provider = self.provider();
        let kind = provider.kind();
        let purpose = purpose(&name, &photo.url);
        let handover = self.hand_over(&provider, &photo).await?;
        let url = handover.url.clone();
        let sent = async {
            Ok(match self.checkout.unresolved(&purpose)? {
                Some(ticket) => self.pay_portrait(&provider, &name, &url, ticket).await?,
                None => match provider.enroll_portrait(&name, &url, None).await? {
                    Paid::Done(r) => (r, None),
                    Paid::PaymentRequired(quote) => {
                        self.checkout.hold(kind, &purpose, (*quote).clone())?;
                        if !approve(&quote) {
                            self.checkout.release(&purpose);
                            return Err(Error::invalid(
                                "yes",
                                "Not confirmed; nothing was signed or charged.",
                            ));
                        }
                        // The operator approved this very price and payee.
                        let ticket = self.checkout.sign_held(
                        kind,
                        &purpose,
                        true,
                        "The price shown is no longer held; ask for it again. Nothing was signed.",
                    )?;
                        self.pay_portrait(&provider, &name, &url, ticket).await?
                    }
                },
            })
        }
        .await;
        // Answered (or given up on): the hosted copy, if any, goes now.
        let deleted = self.take_back(handover).await;
        let (receipt, notice): (EnrollmentReceipt, Option<String>) = sent?;
        let now = self.clock.now_ms();
        let consent = ConsentRecord {
            operator: self.config.operator.clone(),
            recorded_at_ms: now,
            liveness_ref: None,
            file_sha256: Some(photo.sha256.clone()),
            payment: Some(self.library.payment_for(
                &receipt.asset_id,
                kind,
                receipt.tx_hash.as_deref(),
            )?),
            hosted_copy_deleted_at_ms: deleted,
            // An AI character has no person to agree to a release.
            release: None,
        };
        let face = Face {
            asset_id: receipt.asset_id,
            provider: kind,
            kind: FaceKind::Portrait,
            name: receipt.name,
            // A hosted copy's link dies with it: the face keeps the file the operator gave.
            image_url: match photo.file_bytes {
                Some(_) => photo.url.clone(),
                None => receipt.image_url,
            },
            thumbnail: Some(photo.thumbnail).filter(|t| !t.is_empty()),
            group_id: receipt.group_id,
            enrolled_at_ms: now,
            price_usd: receipt.price_usd,
            tx_hash: receipt.tx_hash,
            photo_override,
            asset_type: crate::media::AssetType::Image,
            status: crate::providers::AssetStatus::Active,
            status_message: None,
            consent: Some(consent),
            revoked: None,
            tags: Vec::new(),
        };
        self.library.save_face(&face)?;
        if let Some(n) = notice {
            tracing::info!(asset = %face.asset_id, "{n}");
        }
        Ok(face)
    }

    /// Sends a portrait's signed payment; an unknown outcome is reconciled with the wallet's
    /// portrait listing (by name and photo) instead of a second signature. The words beside a
    /// receipt say it was found that way.
    async fn pay_portrait(
        &self,
        provider: &Provider,
        name: &str,
        image_url: &str,
        mut ticket: super::checkout::Ticket,
    ) -> Result<(EnrollmentReceipt, Option<String>)> {
        let (n, u) = (name.to_string(), image_url.to_string());
        let sent = self
            .checkout
            .send(&mut ticket, |signed| {
                let (provider, n, u) = (provider.clone(), n.clone(), u.clone());
                async move { provider.enroll_portrait(&n, &u, Some(&signed)).await }
            })
            .await;
        let cause = match sent {
            Sent::Delivered(r) => {
                self.checkout
                    .settled(&ticket, r.tx_hash.as_deref(), Some(&r.asset_id))?;
                return Ok((r, None));
            }
            Sent::Refused(e) => return Err(e),
            Sent::Unknown(e) => e,
        };
        let kind = provider.kind();
        if provider.listing_calls() == 0 {
            // Nothing to look it up in: a lapse would prove nothing.
            return Err(checkout::unverifiable(
                kind,
                &cause,
                "Enroll the same name and photo again to re-send the same one (it cannot be charged twice), or check the provider's dashboard: if the portrait is not there, enroll it under another name.",
            ));
        }
        let found = self
            .finder(provider, RemoteFaceKind::Portrait)
            .map(|f| async move {
                let faces = f.await?;
                Ok(faces
                    .into_iter()
                    .find(|r| r.name == n && r.image_url == u)
                    .map(|r| receipt_from(r, &n)))
            });
        let retry = "Enroll the same name and photo again to re-send the same one: it cannot be charged twice, and a portrait that went through is found.";
        match self
            .checkout
            .reconcile(&ticket, found, |r: &EnrollmentReceipt| {
                (r.asset_id.clone(), r.tx_hash.clone())
            })
            .await
        {
            Ok(Reconciled::Found(r)) => {
                let words = format!(
                    "Found: it was enrolled. The answer from {kind} was lost, but {kind} lists this portrait as {}. It is in the library, paid once.",
                    r.asset_id
                );
                Ok((r, Some(words)))
            }
            Ok(Reconciled::NotYet { until_ms }) => Err(checkout::unresolved(
                kind,
                &cause,
                until_ms,
                self.clock.now_ms(),
                retry,
            )),
            Ok(Reconciled::Lapsed) => Err(lapsed(kind, "Ask for the price again to enroll it.")),
            Err(check) => Err(checkout::unchecked(kind, &cause, &check, retry)),
        }
    }
}
