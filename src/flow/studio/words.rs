//! The words a session's states and refusals are said in.

use super::*;

pub(super) fn describe(state: SessionState) -> &'static str {
    match state {
        SessionState::AwaitingConsent => "waiting for the talent to agree to the release",
        SessionState::Consented => "agreed, waiting for its first QR",
        SessionState::AwaitingScan => "waiting for the talent's scan",
        SessionState::Expired => "expired",
        SessionState::Verified => "verified and ready to enroll",
        SessionState::AwaitingPayment => "waiting for the operator to confirm the price",
        SessionState::Enrolling => "enrolling",
        SessionState::Enrolled => "already enrolled",
        SessionState::Cancelled => "cancelled",
    }
}

/// A paid call's transport failure (`Network` or `Timeout`), said as "Could not reach …" with its
/// cause and `next`, what the operator does now. The message already opens with "Could not
/// reach …", so only the cause and the next step go in its detail.
pub(crate) fn unreachable_then(
    provider: crate::providers::ProviderKind,
    e: Error,
    next: &str,
) -> Error {
    let cause = match e {
        Error::Network { detail, .. } => detail,
        other => other.to_string().trim_end_matches('.').to_string(),
    };
    Error::Network {
        provider,
        detail: format!("{cause}. {next}"),
    }
}

/// What the operator hears when the talent's phone check did not pass (the provider's status, or
/// the phone's own result code on the LAN callback). The link is spent; a fresh QR retries.
pub(crate) fn phone_check_failed(result_code: Option<&str>) -> CommandError {
    let code = result_code
        .map(|c| format!(" (code {c})"))
        .unwrap_or_default();
    CommandError {
        code: ErrorCode::LivenessFailed,
        message: format!(
            "The phone check did not pass{code}. Generate a fresh QR and have the talent try again in good light, face to the camera."
        ),
        field: None,
        retry_after_seconds: None,
        detail: None,
    }
}

/// A provider that will not open a phone check without a callback address it accepts, when
/// the studio has none to give: the operator hears what it said and the way on.
pub(super) fn no_callback_taken(provider: ProviderKind, refused: Error) -> Error {
    let said = match &refused {
        Error::Provider { message, .. } => format!(" ({})", message.trim_end_matches('.')),
        _ => String::new(),
    };
    Error::invalid(
        "callback",
        format!(
            "{provider} will not open a phone check without a callback address it accepts{said}. Turn on the LAN callback in Settings (the phone must be on the studio network), then start the session again."
        ),
    )
}

/// What the operator hears when a BytePlus result was read before the talent had finished: the
/// read spent the one-time BytedToken (as upstream may), so this QR can never be read again.
pub(crate) fn read_too_early() -> CommandError {
    CommandError {
        code: ErrorCode::SessionExpired,
        message: "The result was read before the talent had finished the phone check, and this phone check can no longer be read (its token works once). Generate a fresh QR and have the talent scan it again.".into(),
        field: None,
        retry_after_seconds: None,
        detail: None,
    }
}

/// The notice when a BytePlus QR's two minutes run out with nothing read: its result can still
/// be read once (the token lasts 30 minutes), so a talent who finished is not lost.
pub(super) fn ran_out_unread() -> CommandError {
    CommandError {
        code: ErrorCode::SessionExpired,
        message: "This QR's time is up and its result was not read. If the talent finished on the phone, press “Talent finished — check now” (the result can be read once, within 30 minutes); otherwise generate a fresh QR.".into(),
        field: None,
        retry_after_seconds: None,
        detail: None,
    }
}

/// `link` on `origin`'s scheme, host and port, when it is not there already; `None` when it
/// is, or when it is no link at all (nothing is guessed from a broken one).
pub(super) fn moved_link(link: &str, origin: &url::Url) -> Option<String> {
    let mut url = url::Url::parse(link).ok()?;
    if url.scheme() == origin.scheme()
        && url.host_str() == origin.host_str()
        && url.port_or_known_default() == origin.port_or_known_default()
    {
        return None;
    }
    url.set_scheme(origin.scheme()).ok()?;
    url.set_host(origin.host_str()).ok()?;
    url.set_port(origin.port()).ok()?;
    Some(url.to_string())
}
