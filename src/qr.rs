//! QR codes for the provider's H5 link: SVG for the window, Unicode blocks for the terminal.
//!
//! The payload is the link exactly as the provider gave it; nothing is re-encoded.

use qrcode::render::{svg, unicode};
use qrcode::{EcLevel, QrCode};

use crate::error::{Error, Result};

fn code(link: &str) -> Result<QrCode> {
    // Medium error correction: sturdy against glare on a laptop screen while keeping modules
    // large enough to scan from 1.5 m for links of ~200 characters.
    QrCode::with_error_correction_level(link.as_bytes(), EcLevel::M)
        .map_err(|e| Error::Internal(format!("the link cannot be drawn as a QR code: {e}")))
}

/// Black on white with a four-module quiet zone; scales to its container (no fixed size).
pub fn svg(link: &str) -> Result<String> {
    let svg = code(link)?
        .render::<svg::Color<'_>>()
        .quiet_zone(true)
        .min_dimensions(256, 256)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    // The XML declaration is for standalone files; inline in HTML it is noise.
    Ok(match svg.find("<svg") {
        Some(i) => svg[i..].to_string(),
        None => svg,
    })
}

/// Two rows per character with half blocks, so the code stays square in a terminal.
pub fn terminal(link: &str) -> Result<String> {
    Ok(code(link)?
        .render::<unicode::Dense1x2>()
        .dark_color(unicode::Dense1x2::Light)
        .light_color(unicode::Dense1x2::Dark)
        .quiet_zone(true)
        .build())
}

/// The number of modules per side, for tests and the performance notes.
pub fn width(link: &str) -> Result<usize> {
    Ok(code(link)?.width())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str =
        "http://192.168.1.20:8402/h5/?accessKeyId=rehearsal&sessionToken=abc&configId=legacy_rf_1";

    #[test]
    fn svg_is_a_scalable_black_on_white_code() {
        let s = svg(LINK).unwrap();
        assert!(
            s.starts_with("<svg") && s.trim_end().ends_with("</svg>"),
            "{}",
            &s[..40]
        );
        assert!(s.contains("#000000") && s.contains("#ffffff"));
    }

    #[test]
    fn terminal_rendering_has_one_line_per_two_modules() {
        let t = terminal(LINK).unwrap();
        let modules = width(LINK).unwrap() + 8; // with the quiet zone
        assert_eq!(t.lines().count(), modules.div_ceil(2));
        assert!(t.lines().all(|l| l.chars().count() == modules));
    }
}
