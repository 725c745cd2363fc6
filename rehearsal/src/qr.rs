//! The QR picture behind JarvisClaw's seed-shape `qr_code_url`: the real provider hosts one, so
//! Rehearsal draws its own. The app draws its QR from the link itself (the core's `qr` module).

use qrcode::{EcLevel, QrCode};

/// A PNG, 8 pixels per module with the quiet zone.
pub fn png(link: &str) -> Result<Vec<u8>, String> {
    let code = QrCode::with_error_correction_level(link.as_bytes(), EcLevel::L)
        .map_err(|e| format!("the link cannot be drawn as a QR code: {e}"))?;
    let picture = code
        .render::<image::Luma<u8>>()
        .module_dimensions(8, 8)
        .quiet_zone(true)
        .build();
    let mut out = std::io::Cursor::new(Vec::new());
    picture
        .write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| format!("the QR picture could not be encoded: {e}"))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_picture_is_a_png_of_the_whole_code() {
        let bytes = super::png("http://192.168.1.20:8402/h5/?sessionToken=abc").unwrap();
        let img = image::load_from_memory(&bytes).unwrap().to_luma8();
        // A version-3 code is 29 modules, plus 4 quiet modules each side, at 8 px.
        assert_eq!(img.dimensions(), (37 * 8, 37 * 8));
        assert_eq!(img.get_pixel(0, 0)[0], 255, "the quiet zone is white");
        assert_eq!(
            img.get_pixel(4 * 8, 4 * 8)[0],
            0,
            "a finder pattern's corner is black"
        );
    }
}
