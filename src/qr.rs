//! QR codes for the provider's H5 link: SVG for the window, Unicode blocks for the terminal.
//! (Rehearsal draws its own PNG for JarvisClaw's `qr_code_url`.)
//!
//! The payload is the link exactly as the provider gave it; nothing is re-encoded.

use qrcode::render::{svg, unicode};
use qrcode::{EcLevel, QrCode};

use crate::error::{Error, Result};

fn code(link: &str) -> Result<QrCode> {
    // Low error correction: a screen has no smudges or tears, and fewer, larger modules are
    // what makes a ~200-character link scannable from 1.5 m.
    QrCode::with_error_correction_level(link.as_bytes(), EcLevel::L)
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

    /// Decodes a rendering of the code, as a phone camera would, and returns its text.
    fn decode(link: &str) -> String {
        let img = code(link)
            .unwrap()
            .render::<image::Luma<u8>>()
            .module_dimensions(4, 4)
            .build();
        let (w, h) = img.dimensions();
        let mut prepared =
            rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
                img.get_pixel(x as u32, y as u32)[0]
            });
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1, "exactly one code in the picture");
        grids[0].decode().unwrap().1
    }

    #[test]
    fn the_code_decodes_to_the_link_exactly() {
        assert_eq!(decode(LINK), LINK);
        let byteplus = "https://kyc.byteintl.com/?accessKeyId=AKAP1&sessionToken=eyJhbGciOi.J9&configId=cfg_5f1c2b";
        assert_eq!(decode(byteplus), byteplus, "ampersands and dots survive");
    }
}
