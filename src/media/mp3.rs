//! MP3 (MPEG-1, -2 and -2.5 audio; Layer III, and I or II too): past any ID3v2 tag, the
//! frame headers give the sample rate and samples per frame; a Xing/Info or VBRI header in the
//! first frame gives the frame count, or else every frame is walked and counted.
//!
//! MPEG audio has no magic number, only an 11-bit sync word that turns up in any binary by
//! chance, so a stream counts as MP3 only when three frames in a row chain up (each header
//! valid, of the same version, layer and sample rate, where the one before says it ends).

use super::bytes::{slice, to_ms, u32_be};
use super::ProbeError;

/// How far past the start (or the ID3 tag) the first frame may be: some writers leave junk or
/// zero padding after the tag.
const SEARCH_WINDOW: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    Mpeg1,
    Mpeg2,
    Mpeg25,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Header {
    version: Version,
    layer: u8,
    crc: bool,
    bitrate_kbps: u32,
    sample_rate: u32,
    padding: bool,
    mono: bool,
}

/// kbit/s by index 1..=14 (0 is "free format", which gives no frame length; 15 is invalid).
const BITRATES: [[u16; 14]; 5] = [
    // MPEG-1 Layer I, II, III
    [
        32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
    ],
    [
        32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
    ],
    [
        32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ],
    // MPEG-2 and 2.5: Layer I; Layers II and III
    [
        32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
    ],
    [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
];

impl Header {
    fn parse(h: u32) -> Option<Header> {
        if h >> 21 != 0x7FF {
            return None;
        }
        let version = match (h >> 19) & 3 {
            0 => Version::Mpeg25,
            2 => Version::Mpeg2,
            3 => Version::Mpeg1,
            _ => return None,
        };
        let layer = match (h >> 17) & 3 {
            1 => 3,
            2 => 2,
            3 => 1,
            _ => return None,
        };
        let bitrate_index = ((h >> 12) & 0xF) as usize;
        let rate_index = ((h >> 10) & 3) as usize;
        if bitrate_index == 0 || bitrate_index == 15 || rate_index == 3 || h & 3 == 2 {
            return None;
        }
        let table = match (version, layer) {
            (Version::Mpeg1, l) => l as usize - 1,
            (_, 1) => 3,
            _ => 4,
        };
        let divisor = match version {
            Version::Mpeg1 => 1,
            Version::Mpeg2 => 2,
            Version::Mpeg25 => 4,
        };
        Some(Header {
            version,
            layer,
            crc: (h >> 16) & 1 == 0,
            bitrate_kbps: u32::from(BITRATES[table][bitrate_index - 1]),
            sample_rate: [44_100, 48_000, 32_000][rate_index] / divisor,
            padding: (h >> 9) & 1 == 1,
            mono: (h >> 6) & 3 == 3,
        })
    }

    fn at(bytes: &[u8], pos: usize) -> Option<Header> {
        u32_be(bytes, pos).and_then(Header::parse)
    }

    fn samples(&self) -> u32 {
        match (self.layer, self.version) {
            (1, _) => 384,
            (3, Version::Mpeg2 | Version::Mpeg25) => 576,
            _ => 1152,
        }
    }

    /// The frame's length in bytes, header included (never less than the 4-byte header).
    fn len(&self) -> usize {
        let bits_per_second = self.bitrate_kbps as usize * 1000;
        let rate = self.sample_rate as usize;
        if self.layer == 1 {
            (12 * bits_per_second / rate + usize::from(self.padding)) * 4
        } else {
            self.samples() as usize / 8 * bits_per_second / rate + usize::from(self.padding)
        }
    }

    /// Frames of one stream share these; the bitrate may change (VBR).
    fn same_stream(&self, other: &Header) -> bool {
        (self.version, self.layer, self.sample_rate)
            == (other.version, other.layer, other.sample_rate)
    }

    /// Where a Xing/Info header would start: right after the side information.
    fn xing_offsets(&self) -> [usize; 2] {
        let side = match (self.version, self.mono) {
            (Version::Mpeg1, true) => 17,
            (Version::Mpeg1, false) => 32,
            (_, true) => 9,
            (_, false) => 17,
        };
        // Most writers ignore the 2-byte CRC; the standard puts it before the side information.
        [4 + side, 4 + side + if self.crc { 2 } else { 0 }]
    }
}

/// Where the audio starts: past any ID3v2 tags (there may be more than one).
pub(super) fn skip_id3(bytes: &[u8]) -> Result<usize, ProbeError> {
    let mut pos = 0usize;
    while slice(bytes, pos, 3) == Some(b"ID3") {
        let Some(header) = slice(bytes, pos, 10) else {
            return Err(ProbeError::Truncated);
        };
        // The size is "syncsafe": 7 bits a byte, so a byte with its top bit set is no tag.
        if header[3] == 0xFF || header[4] == 0xFF || header[6..10].iter().any(|&b| b >= 0x80) {
            return Err(ProbeError::Damaged("its ID3 tag is damaged"));
        }
        let size = header[6..10]
            .iter()
            .fold(0usize, |acc, &b| (acc << 7) | usize::from(b));
        let footer = if header[5] & 0x10 != 0 { 10 } else { 0 };
        let end = pos + 10 + size + footer;
        if end > bytes.len() {
            return Err(ProbeError::Truncated);
        }
        pos = end;
    }
    Ok(pos)
}

/// A tag that may follow the last frame: ID3v1, APE, Lyrics3, or an appended ID3v2.
fn is_trailing_tag(rest: &[u8]) -> bool {
    [&b"TAG"[..], b"APETAGEX", b"LYRICSBEGIN", b"ID3"]
        .iter()
        .any(|t| rest.starts_with(t))
}

/// The frame at `pos` is followed by another of the same stream, or by the end, or a tag.
fn followed(bytes: &[u8], pos: usize, h: &Header) -> bool {
    let next = pos + h.len();
    next == bytes.len()
        || bytes.get(next..).is_some_and(is_trailing_tag)
        || Header::at(bytes, next).is_some_and(|n| n.same_stream(h))
}

/// Three frames in a row, or frames that run exactly to the end of the file.
fn confirmed(bytes: &[u8], start: usize, first: &Header) -> bool {
    let mut pos = start;
    for n in 0..3 {
        if n > 0 && (pos == bytes.len() || bytes.get(pos..).is_some_and(is_trailing_tag)) {
            return true;
        }
        match Header::at(bytes, pos) {
            Some(h) if h.same_stream(first) => pos += h.len(),
            _ => return false,
        }
    }
    true
}

fn first_frame(bytes: &[u8], from: usize) -> Option<(usize, Header)> {
    let end = bytes.len().min(from.saturating_add(SEARCH_WINDOW));
    (from..end).filter(|&p| bytes[p] == 0xFF).find_map(|p| {
        Header::at(bytes, p)
            .filter(|h| confirmed(bytes, p, h))
            .map(|h| (p, h))
    })
}

/// The frame count a Xing/Info or VBRI header states, with the stream's byte count if given;
/// `Some((None, _))` is an Info frame without a count (still not audio).
fn stated_frames(frame: &[u8], h: &Header) -> Option<(Option<u32>, Option<u32>)> {
    for at in h.xing_offsets() {
        if matches!(slice(frame, at, 4), Some(b"Xing" | b"Info")) {
            let flags = u32_be(frame, at + 4)?;
            let mut field = at + 8;
            let frames = if flags & 1 != 0 {
                field += 4;
                u32_be(frame, field - 4)
            } else {
                None
            };
            let bytes = if flags & 2 != 0 {
                u32_be(frame, field)
            } else {
                None
            };
            return Some((frames.filter(|&n| n > 0), bytes));
        }
    }
    if slice(frame, 36, 4) == Some(b"VBRI") {
        let bytes = u32_be(frame, 46);
        let frames = u32_be(frame, 50).filter(|&n| n > 0);
        return Some((frames, bytes));
    }
    None
}

/// `None`: no MPEG audio stream starts near `start`. Otherwise its length in milliseconds.
pub(super) fn duration_ms(bytes: &[u8], start: usize) -> Option<Result<u64, ProbeError>> {
    let (first, h) = first_frame(bytes, start)?;
    Some(measure(bytes, first, h))
}

fn measure(bytes: &[u8], first: usize, h: Header) -> Result<u64, ProbeError> {
    let rate = u64::from(h.sample_rate);
    let frame = slice(bytes, first, h.len()).unwrap_or(&bytes[first..]);
    let mut pos = first;
    if let Some((frames, stated_bytes)) = stated_frames(frame, &h) {
        // The stated size counts from this frame; a download that stopped short is shorter.
        if stated_bytes.is_some_and(|n| n as usize > bytes.len() - first) {
            return Err(ProbeError::Truncated);
        }
        if let Some(n) = frames {
            tracing::debug!(frames = n, rate, "MP3 length from its Xing/VBRI header");
            return to_ms(u64::from(n) * u64::from(h.samples()), rate)
                .ok_or(ProbeError::Damaged("its sample rate is zero"));
        }
        pos += h.len();
    }
    let (mut samples, mut frames, mut skipped) = (0u64, 0u64, 0usize);
    while pos + 4 <= bytes.len() {
        if let Some(f) = Header::at(bytes, pos).filter(|f| f.same_stream(&h)) {
            if pos + f.len() > bytes.len() {
                // A last frame cut off: players drop it, and so do we.
                tracing::debug!(pos, "MP3 ends in a partial frame");
                break;
            }
            samples += u64::from(f.samples());
            frames += 1;
            pos += f.len();
            continue;
        }
        if is_trailing_tag(&bytes[pos..]) {
            break;
        }
        // Lost sync: on to the next frame that the one after it confirms.
        let next = (pos + 1..bytes.len()).find(|&p| {
            bytes[p] == 0xFF
                && Header::at(bytes, p).is_some_and(|f| f.same_stream(&h) && followed(bytes, p, &f))
        });
        match next {
            Some(p) => {
                skipped += p - pos;
                pos = p;
            }
            None => break,
        }
    }
    tracing::debug!(frames, skipped, rate, "MP3 length from walking its frames");
    to_ms(samples, rate).ok_or(ProbeError::Damaged("its sample rate is zero"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, stereo, no CRC: 417 bytes (418 padded).
    const HEADER_128K: [u8; 4] = [0xFF, 0xFB, 0x90, 0x00];

    fn frames(n: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for _ in 0..n {
            let mut f = vec![0u8; 417];
            f[..4].copy_from_slice(&HEADER_128K);
            out.extend_from_slice(&f);
        }
        out
    }

    #[test]
    fn header_tables_give_the_textbook_lengths() {
        let h = Header::parse(u32::from_be_bytes(HEADER_128K)).unwrap();
        assert_eq!(
            (h.bitrate_kbps, h.sample_rate, h.len(), h.samples()),
            (128, 44_100, 417, 1152)
        );
        // MPEG-2.5 Layer III, 16 kbit/s, 8 kHz, mono: 144 bytes, 576 samples.
        let h = Header::parse(0xFFE3_28C4).unwrap();
        assert_eq!(
            (
                h.version,
                h.bitrate_kbps,
                h.sample_rate,
                h.len(),
                h.samples(),
                h.mono
            ),
            (Version::Mpeg25, 16, 8000, 144, 576, true)
        );
        // Layer I, 32 kHz, 384 kbit/s: (12 × 384000 / 32000) × 4 = 576 bytes.
        let h = Header::parse(0xFFFF_C800).unwrap();
        assert_eq!(
            (h.layer, h.bitrate_kbps, h.sample_rate, h.len()),
            (1, 384, 32_000, 576)
        );
        for bad in [
            0xFFFB_0000u32,
            0xFFFB_F000,
            0xFFFB_9C00,
            0xFFF9_9000,
            0xFFE9_9000,
            0xFFFB_9002,
        ] {
            assert_eq!(Header::parse(bad), None, "{bad:08x}");
        }
    }

    #[test]
    fn three_frames_in_a_row_make_an_mp3_and_two_stray_headers_do_not() {
        let mp3 = frames(10);
        assert_eq!(duration_ms(&mp3, 0), Some(Ok(261))); // 10 × 1152 / 44100
                                                         // Junk before the first frame is searched past.
        let mut junk = vec![0x42; 1000];
        junk.extend_from_slice(&mp3);
        assert_eq!(duration_ms(&junk, 0), Some(Ok(261)));
        // A header whose successor is not a header is chance, not MP3.
        let mut stray = vec![0u8; 5000];
        stray[100..104].copy_from_slice(&HEADER_128K);
        stray[517..521].copy_from_slice(&HEADER_128K);
        assert_eq!(duration_ms(&stray, 0), None);
    }

    #[test]
    fn lost_sync_is_found_again_and_trailing_tags_end_the_stream() {
        let mut mp3 = frames(5);
        mp3.extend_from_slice(&[0x11; 333]);
        mp3.extend_from_slice(&frames(5));
        mp3.extend_from_slice(b"TAG");
        mp3.extend_from_slice(&[0x20; 125]);
        assert_eq!(duration_ms(&mp3, 0), Some(Ok(261)));
        // A last frame cut in half is dropped.
        let mut cut = frames(10);
        cut.truncate(cut.len() - 200);
        assert_eq!(duration_ms(&cut, 0), Some(Ok(235)));
    }

    #[test]
    fn xing_and_vbri_counts_are_used_and_checked_against_the_bytes() {
        let mut mp3 = frames(4);
        // Stereo MPEG-1: the Xing header starts 4 + 32 bytes into the first frame.
        let xing = 36;
        mp3[xing..xing + 4].copy_from_slice(b"Xing");
        mp3[xing + 4..xing + 8].copy_from_slice(&3u32.to_be_bytes());
        mp3[xing + 8..xing + 12].copy_from_slice(&1000u32.to_be_bytes());
        mp3[xing + 12..xing + 16].copy_from_slice(&(4 * 417u32).to_be_bytes());
        assert_eq!(duration_ms(&mp3, 0), Some(Ok(26_122))); // 1000 × 1152 / 44100
        mp3[xing + 12..xing + 16].copy_from_slice(&(9 * 417u32).to_be_bytes());
        assert_eq!(duration_ms(&mp3, 0), Some(Err(ProbeError::Truncated)));
        // "Info" without a count: the info frame is skipped and the rest walked.
        mp3[xing..xing + 4].copy_from_slice(b"Info");
        mp3[xing + 4..xing + 8].copy_from_slice(&0u32.to_be_bytes());
        assert_eq!(duration_ms(&mp3, 0), Some(Ok(78))); // 3 × 1152 / 44100

        let mut vbri = frames(4);
        vbri[36..40].copy_from_slice(b"VBRI");
        vbri[50..54].copy_from_slice(&441u32.to_be_bytes());
        assert_eq!(duration_ms(&vbri, 0), Some(Ok(11_520)));
    }

    #[test]
    fn id3_tags_are_skipped_by_their_syncsafe_size_and_footer() {
        let mut tagged = b"ID3\x04\x00\x10\x00\x00\x01\x00".to_vec(); // 128 bytes + footer
        tagged.extend_from_slice(&[0; 138]);
        tagged.extend_from_slice(b"ID3\x03\x00\x00\x00\x00\x00\x05");
        tagged.extend_from_slice(&[0; 5]);
        let start = tagged.len();
        tagged.extend_from_slice(&frames(3));
        assert_eq!(skip_id3(&tagged), Ok(start));
        assert_eq!(duration_ms(&tagged, start), Some(Ok(78)));
        assert_eq!(skip_id3(&tagged[..100]), Err(ProbeError::Truncated));
        assert_eq!(skip_id3(b"ID3\x04"), Err(ProbeError::Truncated));
        assert!(matches!(
            skip_id3(b"ID3\x04\x00\x00\x80\x00\x00\x00"),
            Err(ProbeError::Damaged(_))
        ));
    }
}
