//! `likeness enroll-flow`: the whole session in one run, as the operator lives it: the QR in
//! the terminal, the countdown, the phone reporting back, the price to confirm, and the asset.
#![allow(clippy::print_stdout)]

use super::*;

pub async fn run(
    g: &Global,
    out: &Output,
    name: &str,
    image_url: &str,
    talent_agrees: Option<&str>,
) -> Result<()> {
    let (studio, mut stage) = studio(g, true).await?;
    let settings = settings(g, true)?;
    if let Some((bind, host)) = stage.callback_target(&settings) {
        match studio.serve_callbacks(bind, &host).await {
            Ok(addr) => tracing::info!(%addr, "phones report back here"),
            Err(e) => tracing::warn!(error = %e, "no LAN callback; polling only"),
        }
    }
    let view = studio
        .start_session(name, Some(image_url), g.override_photo_checks)
        .await?;
    // No QR before the talent agrees: they read the release here and type their name.
    let typed = match talent_agrees {
        Some(t) => t.to_string(),
        None => {
            out.release_to_agree(&view);
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| Error::Internal(format!("could not read the typed name: {e}")))?;
            line
        }
    };
    let view = super::consent::agree(&studio, &view.session.id, &typed, None).await?;
    // Heard from the QR on: the release and the agreement before it are done with.
    let mut updates = studio.subscribe();
    let id = view.session.id.clone();
    out.session_started(&view);
    let mut last = view;
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    // Enter (a line on stdin) = "Talent finished — check now": one call from the budget.
    let (enter_tx, mut enter) = tokio::sync::mpsc::unbounded_channel::<()>();
    std::thread::spawn(move || {
        let mut line = String::new();
        while std::io::stdin().read_line(&mut line).is_ok_and(|n| n > 0) {
            line.clear();
            if enter_tx.send(()).is_err() {
                break;
            }
        }
    });
    let verified = loop {
        tokio::select! {
            Some(()) = enter.recv() => match studio.check_now(&id).await {
                Ok(v) => {
                    out.progress(&v);
                    if v.session.state == SessionState::Verified {
                        break true;
                    }
                    last = v;
                }
                Err(e) => out.error(&e),
            },
            u = updates.recv() => match u {
                Ok(v) if v.session.id == id => {
                    let state_changed = v.session.state != last.session.state;
                    if state_changed || v.notice.is_some() { out.progress(&v); }
                    last = v;
                    match last.session.state {
                        SessionState::Verified => break true,
                        SessionState::Expired | SessionState::Cancelled => break false,
                        _ => {}
                    }
                }
                Ok(_) => {}
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => break false,
            },
            _ = ticker.tick() => out.countdown(&last),
        }
    };
    if !verified {
        stage.stop().await;
        return Err(Error::invalid(
            "session",
            format!("The QR expired before the talent finished. Run `likeness session refresh --id {id}` against a running Rehearsal, or run enroll-flow again."),
        ));
    }
    if stage.info.payment_method == PaymentMethod::ApiKey {
        confirm(
            g,
            out,
            &format!("The talent is verified. Enroll {name:?} with {} (charged to the API key's account)?", stage.info.provider),
        )?;
    }
    let outcome = studio
        .enroll_session(&id, None, None, g.override_photo_checks.then_some(true))
        .await?;
    let face = settle(g, out, &studio, &id, outcome).await?;
    let face = wait_for_asset(&studio, face).await?;
    out.face(&face);
    studio.stop();
    stage.stop().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn global(flags: &[&str]) -> Global {
        let args = [&["likeness"], flags, &["faces"]].concat();
        Cli::parse_from(args).global
    }

    #[test]
    fn keys_from_the_environment_keep_the_run_off_the_keyring() {
        for flags in [
            &["--wallet-key-env", "W"][..],
            &["--api-key-env", "K"],
            &["--api-key-env", "K", "--wallet-key-env", "W"],
        ] {
            assert!(
                matches!(Secrets::for_run(&global(flags)), Secrets::ThisRunOnly(_)),
                "{flags:?}"
            );
        }
        assert!(matches!(
            Secrets::for_run(&global(&[])),
            Secrets::Keyring(_)
        ));
    }
}
