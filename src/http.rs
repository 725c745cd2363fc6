//! The one place HTTP clients are built, so timeouts and trust roots are the same everywhere.

use std::time::Duration;

use crate::error::{Error, Result};

pub const USER_AGENT: &str = concat!("LikenessStudio/", env!("CARGO_PKG_VERSION"));

/// Extra certificate authorities (DER) to trust besides the system's; empty in production.
/// Tests use it for a loopback HTTPS photo host. Processes can also point `SSL_CERT_FILE` at a
/// bundle, which the system roots honour.
#[derive(Debug, Clone, Default)]
pub struct TrustRoots(pub Vec<Vec<u8>>);

pub fn client(roots: &TrustRoots) -> Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .user_agent(USER_AGENT)
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30));
    for der in &roots.0 {
        let cert = reqwest::Certificate::from_der(der)
            .map_err(|e| Error::Internal(format!("bad trusted certificate: {e}")))?;
        builder = builder.add_root_certificate(cert);
    }
    builder
        .build()
        .map_err(|e| Error::Internal(format!("could not build the HTTP client: {e}")))
}
