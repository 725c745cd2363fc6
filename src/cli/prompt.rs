//! Asking the operator (a price, a yes/no) and waiting for the provider (a scan, a payment's
//! fate, an asset's processing) between the CLI's steps.

use super::*;

/// What a price confirmation asks, in plain money first; the payee's address stays for the
/// operator who checks it, and the network only as "test money" or not.
pub(super) fn price_question(quote: &PaymentQuote, payee_changed: bool) -> String {
    let mut q = format!(
        "Pay ${} to {}{}?",
        likeness::video::tidy_usd(quote.amount_usdc()),
        quote.pay_to(),
        if quote.network().is_testnet() {
            " (test network, no real money)"
        } else {
            ""
        },
    );
    if payee_changed {
        q.push_str(" NOTE: this payee differs from the one this provider was paid before.");
    }
    q
}

/// A session still waiting for the scan may be done by now: each step is its own process, and
/// nothing checked since the talent finished. One status check (from the hourly budget) finds
/// out, instead of sending the operator to `session status` first.
pub(super) async fn settle_scan(studio: &Arc<Studio>, view: &SessionView) -> Result<()> {
    if !matches!(
        view.session.state,
        SessionState::AwaitingScan | SessionState::Expired
    ) {
        return Ok(());
    }
    let id = &view.session.id;
    let view = studio.check_now(id).await?;
    match view.session.state {
        SessionState::AwaitingScan => Err(Error::invalid(
            "session",
            "The talent has not finished the phone check yet (checked just now). Let them \
             finish, then run enroll again.",
        )),
        SessionState::Expired => Err(Error::invalid(
            "session",
            format!(
                "The QR expired before the talent finished the phone check (checked just now). \
                 Run `likeness session refresh --id {id}` for a fresh QR, and enroll once they \
                 have finished."
            ),
        )),
        _ => Ok(()),
    }
}

/// Turns an enroll outcome into a face: shows the price and pays only on the operator's word.
pub(super) async fn settle(
    g: &Global,
    out: &Output,
    studio: &Arc<Studio>,
    id: &str,
    outcome: EnrollOutcome,
) -> Result<Face> {
    match outcome {
        EnrollOutcome::Enrolled { face } => Ok(*face),
        EnrollOutcome::PaymentRequired { view } => {
            let quote = view
                .quote
                .as_ref()
                .ok_or_else(|| Error::Internal("a price was expected".into()))?;
            out.quote(quote);
            if let Err(e) = confirm(g, out, &price_question(quote, view.payee_changed)) {
                studio.decline_payment(id)?;
                return Err(e);
            }
            studio.confirm_payment(id, true).await
        }
    }
}

/// Paid steps need the operator's word: `--yes`, or a "y" typed at the prompt.
pub(super) fn confirm(g: &Global, out: &Output, question: &str) -> Result<()> {
    if g.yes {
        return Ok(());
    }
    if out.json || !std::io::stdin().is_terminal() {
        return Err(Error::invalid(
            "yes",
            format!("{question} Pass --yes to confirm without a prompt."),
        ));
    }
    print!("{question} [y/N] ");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(Error::invalid(
            "yes",
            "Not confirmed; nothing was enrolled or charged.",
        ))
    }
}

/// Follows the studio's own watch of a new asset until the provider has processed it.
pub(super) async fn wait_for_asset(studio: &Arc<Studio>, face: Face) -> Result<Face> {
    use likeness::providers::AssetStatus;
    let mut updates = studio.subscribe_assets();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20 * 60);
    let mut current = face;
    while current.status == AssetStatus::Processing {
        match tokio::time::timeout_at(deadline, updates.recv()).await {
            Ok(Ok(f)) if f.asset_id == current.asset_id => current = f,
            Ok(Ok(_)) | Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => {}
            Ok(Err(_)) | Err(_) => break,
        }
    }
    Ok(current)
}
