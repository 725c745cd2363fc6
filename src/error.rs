//! One error type for the whole core, grouped by where the failure happened.
//!
//! The UI never sees this enum: it sees a [`CommandError`] `{code, message}` and switches on `code`.
//! Expected outcomes (a pending scan, an expired link, a face that did not match) are states
//! elsewhere; this type is for failures. Messages are written for a producer, never carry secrets,
//! and say what to do next.

use serde::Serialize;

use crate::providers::ProviderKind;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // --- the operator's input, caught before anything is sent ---
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },

    // --- the provider ---
    #[error("{provider} is not set up yet: {what}")]
    NotConfigured {
        provider: ProviderKind,
        what: String,
    },
    #[error("Could not reach {provider}. Check the network connection and try again. ({detail})")]
    Network {
        provider: ProviderKind,
        detail: String,
    },
    #[error("{provider} did not answer in time. Try again in a moment.")]
    Timeout { provider: ProviderKind },
    #[error("{provider} is rate-limiting us. {}", retry_hint(*retry_after_seconds))]
    RateLimited {
        provider: ProviderKind,
        retry_after_seconds: Option<u64>,
    },
    #[error("{message}")]
    Provider {
        provider: ProviderKind,
        status: u16,
        reason: ProviderReason,
        message: String,
    },
    #[error(
        "{provider} sent an answer we could not read. Try again in a moment; if it keeps happening, report it with its details (the answer itself)."
    )]
    Decode {
        provider: ProviderKind,
        body: String,
    },

    // --- payment ---
    /// The provider's payment challenge was refused before anything was signed.
    #[error("{0}")]
    PaymentRefused(#[from] crate::payment::PaymentRefusal),
    /// The provider refused a signed payment (invalid, expired, already used).
    #[error(
        "{provider} did not accept the payment: {}. Nothing was charged for it.",
        crate::payment::refusal_words(reason).map_or_else(|| format!("it answered {reason}"), str::to_string)
    )]
    PaymentRejected {
        provider: ProviderKind,
        reason: String,
    },
    /// A payment that may have settled was not found at the provider, and can still settle:
    /// nothing more is signed until it cannot.
    #[error("{message}")]
    PaymentUnresolved {
        provider: ProviderKind,
        message: String,
        retry_after_seconds: Option<u64>,
    },

    // --- the talent's consent ---
    /// A face whose release was revoked or has ended: no new video of it. The message is whole.
    #[error("{message}")]
    Consent {
        problem: ConsentProblem,
        message: String,
    },

    // --- the studio's photo hosting (its S3-compatible bucket) ---
    /// The message is whole: what failed, what to check, and that nothing was paid.
    #[error("{0}")]
    PhotoHost(String),
    /// A local photo for a provider that fetches a link, and no bucket to host it in. Said
    /// before anything is opened or paid.
    #[error("{provider} fetches the face photo from a link, so a photo file must be hosted for it first, and no photo hosting is set. Set up a bucket in Settings → Photo hosting (or paste a public https link to the photo instead). Nothing was paid.")]
    HostingMissing { provider: ProviderKind },

    // --- this machine ---
    /// The message is whole: what went wrong with the keychain and what to do about it.
    #[error("{0}")]
    Keychain(String),
    #[error("The studio database failed: {0}")]
    Storage(String),
    /// The shared studio database (PostgreSQL) could not be used. The message is whole: which
    /// server, what went wrong and what to do.
    #[error("{message}")]
    Database {
        problem: DatabaseProblem,
        message: String,
    },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Internal(String),
}

/// Why the shared studio database could not be used; each asks for something else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseProblem {
    /// The server did not answer (down, restarting, wrong host or port, another network).
    Unreachable,
    /// The server refused the user name or password.
    Login,
    /// The database was set up by a newer app: this one refuses rather than downgrade it.
    Newer,
    /// Two desks tried the same thing at once and the database kept one (a second payment for
    /// one purpose).
    Conflict,
}

/// Why a face's consent no longer covers new video.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentProblem {
    /// The studio revoked it (the talent asked, say).
    Revoked,
    /// The release's term has ended.
    Expired,
}

/// What a provider's refusal means for the operator; each has its own guidance in the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ProviderReason {
    BadRequest,
    Unauthorized,
    NotFound,
    /// 425: the talent has not finished the phone check.
    NotReady,
    /// 422: the photo does not match the live face.
    FaceMismatch,
    /// 502: the provider's upstream failed.
    UpstreamFailed,
    /// The liveness link expired before enrollment (JarvisClaw's `session_expired`).
    SessionExpired,
    Other,
}

fn retry_hint(retry_after_seconds: Option<u64>) -> String {
    match retry_after_seconds {
        Some(s) if s >= 120 => format!("Wait about {} minutes, then try again.", s.div_ceil(60)),
        Some(1) => "Wait 1 second, then try again.".to_string(),
        Some(s) => format!("Wait {s} seconds, then try again."),
        None => "Wait a minute, then try again.".to_string(),
    }
}

/// The code the UI switches on. It grows only when the UI branches on a new case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidInput,
    NotConfigured,
    Network,
    Timeout,
    RateLimited,
    Unauthorized,
    NotReady,
    /// The liveness link ran out before enrollment: offer a fresh QR.
    SessionExpired,
    /// The talent's phone check did not pass: the link is spent, a fresh QR lets them retry.
    LivenessFailed,
    FaceMismatch,
    UpstreamFailed,
    ProviderRefused,
    UnexpectedResponse,
    PaymentRefused,
    PaymentRejected,
    /// A payment's outcome is not known yet and nothing more was signed; `retry_after_seconds`
    /// says when it can no longer settle.
    PaymentUnresolved,
    /// Not a failure: an answer was lost, and reconciling found what the payment bought (a
    /// notice on the session, beside the filed face).
    PaymentFound,
    /// The operator must confirm a second time (the payee changed).
    ConfirmationNeeded,
    /// The photo could not be hosted for the provider (Settings → Photo hosting).
    PhotoHost,
    /// A photo file needs hosting for this provider and none is set: link to Settings → Photo
    /// hosting.
    HostingMissing,
    /// The face's consent was revoked: it cannot be used for new video.
    ConsentRevoked,
    /// The face's release has ended: it cannot be used for new video.
    ConsentExpired,
    Keychain,
    Storage,
    /// The shared studio database did not answer: check the server and the network.
    DatabaseUnreachable,
    /// The shared studio database refused the login: check the password in Settings.
    DatabaseLogin,
    /// The shared studio database is newer than this app: update the app.
    DatabaseNewer,
    /// Another desk did the same thing first (paid for this session or job).
    DatabaseConflict,
    NotFound,
    Internal,
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Invalid { field: "payee", .. } => ErrorCode::ConfirmationNeeded,
            Error::Invalid { .. } => ErrorCode::InvalidInput,
            Error::NotConfigured { .. } => ErrorCode::NotConfigured,
            Error::Network { .. } => ErrorCode::Network,
            Error::Timeout { .. } => ErrorCode::Timeout,
            Error::RateLimited { .. } => ErrorCode::RateLimited,
            Error::Provider { reason, .. } => match reason {
                ProviderReason::Unauthorized => ErrorCode::Unauthorized,
                ProviderReason::NotReady => ErrorCode::NotReady,
                ProviderReason::SessionExpired => ErrorCode::SessionExpired,
                ProviderReason::FaceMismatch => ErrorCode::FaceMismatch,
                ProviderReason::UpstreamFailed => ErrorCode::UpstreamFailed,
                ProviderReason::BadRequest | ProviderReason::NotFound | ProviderReason::Other => {
                    ErrorCode::ProviderRefused
                }
            },
            Error::Decode { .. } => ErrorCode::UnexpectedResponse,
            Error::PaymentRefused(_) => ErrorCode::PaymentRefused,
            Error::PaymentRejected { .. } => ErrorCode::PaymentRejected,
            Error::PaymentUnresolved { .. } => ErrorCode::PaymentUnresolved,
            Error::Consent { problem, .. } => match problem {
                ConsentProblem::Revoked => ErrorCode::ConsentRevoked,
                ConsentProblem::Expired => ErrorCode::ConsentExpired,
            },
            Error::PhotoHost(_) => ErrorCode::PhotoHost,
            Error::HostingMissing { .. } => ErrorCode::HostingMissing,
            Error::Keychain(_) => ErrorCode::Keychain,
            Error::Storage(_) => ErrorCode::Storage,
            Error::Database { problem, .. } => match problem {
                DatabaseProblem::Unreachable => ErrorCode::DatabaseUnreachable,
                DatabaseProblem::Login => ErrorCode::DatabaseLogin,
                DatabaseProblem::Newer => ErrorCode::DatabaseNewer,
                DatabaseProblem::Conflict => ErrorCode::DatabaseConflict,
            },
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The form field this error is about, so the UI can put the message next to it.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Error::Invalid { field, .. } => Some(field),
            Error::Provider {
                reason: ProviderReason::FaceMismatch,
                ..
            } => Some("image_url"),
            _ => None,
        }
    }

    /// What a bug report needs beyond the sentence, when there is more than the sentence.
    pub fn detail(&self) -> Option<String> {
        match self {
            Error::Decode { provider, body } => Some(format!("{provider} answered: {body}")),
            // Status 0 marks a refusal the studio words itself (a failed job's state), not an answer.
            Error::Provider {
                provider, status, ..
            } if *status != 0 => Some(format!("{provider} answered HTTP {status}")),
            Error::PaymentRejected { provider, reason } => {
                Some(format!("{provider} refused the payment with {reason:?}"))
            }
            _ => None,
        }
    }

    pub fn database(problem: DatabaseProblem, message: impl Into<String>) -> Self {
        Error::Database {
            problem,
            message: message.into(),
        }
    }

    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Error::Invalid {
            field,
            message: message.into(),
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Storage(e.to_string())
    }
}

impl From<keyring::Error> for Error {
    fn from(e: keyring::Error) -> Self {
        // keyring's Display never includes the secret itself.
        Error::Keychain(format!(
            "The system keychain is unavailable: {e}. Unlock or start the keyring service and \
             try again."
        ))
    }
}

/// The only error shape that crosses IPC or is printed by `likeness --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
    /// With `rate_limited`: how long until the provider takes calls again; with
    /// `payment_unresolved`: until the payment signed can no longer settle. The window shows the
    /// time to wait until.
    #[serde(default)]
    pub retry_after_seconds: Option<u64>,
    /// The technical part, for whoever fixes it (a provider's raw answer, its HTTP status, a
    /// seller's refusal code), kept out of the sentence: the window copies it with "Copy
    /// details", the CLI prints it on its own line.
    #[serde(default)]
    pub detail: Option<String>,
}

impl From<&Error> for CommandError {
    fn from(e: &Error) -> Self {
        CommandError {
            code: e.code(),
            message: e.to_string(),
            field: e.field().map(str::to_string),
            retry_after_seconds: match e {
                Error::RateLimited {
                    retry_after_seconds,
                    ..
                }
                | Error::PaymentUnresolved {
                    retry_after_seconds,
                    ..
                } => *retry_after_seconds,
                _ => None,
            },
            detail: e.detail(),
        }
    }
}

impl From<Error> for CommandError {
    fn from(e: Error) -> Self {
        CommandError::from(&e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_error_is_code_and_message_in_camel_case() {
        let e = Error::invalid("name", "Type the talent's name.");
        let json = serde_json::to_value(CommandError::from(e)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "invalid_input", "message": "Type the talent's name.", "field": "name", "retryAfterSeconds": null, "detail": null})
        );
    }

    #[test]
    fn provider_reasons_map_to_codes_the_ui_branches_on() {
        let refusal = |reason| Error::Provider {
            provider: ProviderKind::Rehearsal,
            status: 0,
            reason,
            message: String::new(),
        };
        assert_eq!(
            refusal(ProviderReason::NotReady).code(),
            ErrorCode::NotReady
        );
        assert_eq!(
            refusal(ProviderReason::FaceMismatch).code(),
            ErrorCode::FaceMismatch
        );
        assert_eq!(
            refusal(ProviderReason::FaceMismatch).field(),
            Some("image_url")
        );
        assert_eq!(
            refusal(ProviderReason::UpstreamFailed).code(),
            ErrorCode::UpstreamFailed
        );
        assert_eq!(
            refusal(ProviderReason::BadRequest).code(),
            ErrorCode::ProviderRefused
        );
    }

    #[test]
    fn rate_limit_message_says_how_long_to_wait() {
        let e = Error::RateLimited {
            provider: ProviderKind::Rehearsal,
            retry_after_seconds: Some(600),
        };
        assert!(e.to_string().contains("about 10 minutes"), "{e}");
        let e = Error::RateLimited {
            provider: ProviderKind::Rehearsal,
            retry_after_seconds: Some(30),
        };
        assert!(e.to_string().contains("30 seconds"), "{e}");
    }
}
