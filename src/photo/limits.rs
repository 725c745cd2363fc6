//! The providers' documented photo limits, as data.

use std::time::Duration;

use super::PhotoFormat;

/// What a provider accepts. `None` where the provider documents no limit.
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoLimits {
    /// Whose limits these are, for messages: "BlockRun".
    pub provider: &'static str,
    /// The largest file accepted, in bytes (inclusive).
    pub max_bytes: u64,
    pub formats: &'static [PhotoFormat],
    /// The shortest and longest side accepted, in pixels (inclusive).
    pub min_side_px: Option<u32>,
    pub max_side_px: Option<u32>,
    /// Width ÷ height accepted (inclusive).
    pub min_ratio: Option<f32>,
    pub max_ratio: Option<f32>,
    /// The whole download, connect to last byte.
    pub fetch_timeout: Duration,
}

impl PhotoLimits {
    /// BlockRun's RealFace API (also JarvisClaw, and Rehearsal, which speaks it): a JPG, PNG or
    /// WEBP of at most 10 MB. "≤ 10 MB" is read the strict way, 10,000,000 bytes, not 10 MiB:
    /// a seller that counts in decimal megabytes refuses the 485,760 bytes in between, and the
    /// app's own "10.3 MB" would contradict a cap it calls "10 MB".
    pub fn blockrun() -> Self {
        PhotoLimits {
            provider: "BlockRun",
            max_bytes: 10_000_000,
            formats: &[PhotoFormat::Jpeg, PhotoFormat::Png, PhotoFormat::Webp],
            min_side_px: None,
            max_side_px: None,
            min_ratio: None,
            max_ratio: None,
            fetch_timeout: super::FETCH_TIMEOUT,
        }
    }

    /// BytePlus's face-asset API (behind Anyfast and Crun): JPEG, PNG, WebP, GIF or HEIC,
    /// under 30 MB, sides of 300–6000 px, width ÷ height 0.4–2.5. "Under 30 MB" is read the
    /// strict way (fewer than 30,000,000 bytes) so nothing accepted here is refused there.
    pub fn byteplus() -> Self {
        PhotoLimits {
            provider: "BytePlus",
            max_bytes: 30_000_000 - 1,
            formats: &[
                PhotoFormat::Jpeg,
                PhotoFormat::Png,
                PhotoFormat::Webp,
                PhotoFormat::Gif,
                PhotoFormat::Heic,
            ],
            min_side_px: Some(300),
            max_side_px: Some(6000),
            min_ratio: Some(0.4),
            max_ratio: Some(2.5),
            fetch_timeout: Duration::from_secs(60),
        }
    }

    /// The limits for a provider by its name (any case): rehearsal, blockrun and jarvisclaw
    /// take BlockRun's; anyfast and crun take BytePlus's. `None` for a name not known here.
    pub fn for_provider(name: &str) -> Option<Self> {
        let key: String = name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        match key.as_str() {
            "rehearsal" | "blockrun" | "jarvisclaw" => Some(Self::blockrun()),
            "anyfast" | "crun" | "byteplus" => Some(Self::byteplus()),
            _ => None,
        }
    }

    /// "JPG, PNG or WEBP": the accepted formats in the words people use for files.
    pub fn formats_text(&self) -> String {
        let names: Vec<&str> = self
            .formats
            .iter()
            .map(|f| match f {
                PhotoFormat::Jpeg => "JPG",
                PhotoFormat::Webp => "WEBP",
                other => other.label(),
            })
            .collect();
        match names.split_last() {
            Some((last, [])) => (*last).to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }

    /// "10 MB", "30 MB": the cap as documented.
    pub fn max_size_text(&self) -> String {
        format!("{} MB", ((self.max_bytes + 1) as f64 / 1e6).round())
    }
}

/// A size past a cap, in words that show it is past: "10.4 MB", but "10,000,001 bytes" where
/// one decimal would round it down onto the cap ("10.0 MB" over a "10 MB" cap reads as a lie).
pub(crate) fn size_over_cap(bytes: u64, max_bytes: u64) -> String {
    if bytes < 1_000_000 {
        // Rounded up, so never onto a cap below it.
        return format!("{} KB", bytes.div_ceil(1000));
    }
    let tenths = (bytes as f64 / 1e5).round() as u64;
    if tenths * 100_000 > max_bytes {
        return format!("{:.1} MB", tenths as f64 / 10.0);
    }
    let digits = bytes.to_string();
    let mut grouped = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(d);
    }
    format!("{grouped} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_to_limits_and_texts_read_well() {
        assert_eq!(
            PhotoLimits::for_provider("Rehearsal"),
            Some(PhotoLimits::blockrun())
        );
        assert_eq!(
            PhotoLimits::for_provider("JarvisClaw"),
            Some(PhotoLimits::blockrun())
        );
        assert_eq!(
            PhotoLimits::for_provider("crun"),
            Some(PhotoLimits::byteplus())
        );
        assert_eq!(PhotoLimits::for_provider("nope"), None);
        assert_eq!(PhotoLimits::blockrun().formats_text(), "JPG, PNG or WEBP");
        assert_eq!(
            PhotoLimits::byteplus().formats_text(),
            "JPG, PNG, WEBP, GIF or HEIC"
        );
        assert_eq!(PhotoLimits::blockrun().max_size_text(), "10 MB");
        assert_eq!(PhotoLimits::byteplus().max_size_text(), "30 MB");
        // Both caps in decimal megabytes, the strict reading: "≤ 10 MB" and "< 30 MB".
        assert_eq!(PhotoLimits::blockrun().max_bytes, 10_000_000);
        assert_eq!(PhotoLimits::byteplus().max_bytes, 29_999_999);
    }

    #[test]
    fn a_size_just_past_the_cap_is_not_rounded_onto_it() {
        assert_eq!(size_over_cap(10_000_001, 10_000_000), "10,000,001 bytes");
        assert_eq!(size_over_cap(10_049_999, 10_000_000), "10,049,999 bytes");
        assert_eq!(size_over_cap(10_400_000, 10_000_000), "10.4 MB");
        assert_eq!(size_over_cap(50_000_000, 29_999_999), "50.0 MB");
        assert_eq!(size_over_cap(85_000, 50_000), "85 KB");
    }
}
