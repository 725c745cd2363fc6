//! WAV (RIFF/WAVE): the `fmt ` chunk's byte rate and the `data` chunk's size give the length.

use super::bytes::{slice, to_ms, u16_le, u32_le, u64_le};
use super::ProbeError;

/// A data size that was never filled in: a recorder that streamed the file writes this and
/// means "to the end".
const UNKNOWN_SIZE: u32 = u32::MAX;

/// `RIFF` (or `RF64`, its 64-bit form) then `WAVE`.
pub(super) fn is_wav(bytes: &[u8]) -> bool {
    matches!(slice(bytes, 0, 4), Some(b"RIFF" | b"RF64")) && slice(bytes, 8, 4) == Some(b"WAVE")
}

pub(super) fn duration_ms(bytes: &[u8]) -> Result<u64, ProbeError> {
    const NO_FORMAT: ProbeError = ProbeError::Damaged("its format chunk is missing or too short");
    let mut pos = 12usize;
    let mut format: Option<(u16, u32, u32)> = None; // (format tag, sample rate, byte rate)
    let mut data: Option<u64> = None;
    let mut fact: Option<u32> = None;
    let mut ds64_data: Option<u64> = None;
    while pos < bytes.len() {
        let rest = &bytes[pos..];
        let (Some(id), Some(size)) = (slice(rest, 0, 4), u32_le(rest, 4)) else {
            if rest.iter().all(|&b| b == 0) {
                break;
            }
            return Err(ProbeError::Truncated);
        };
        let body_at = pos + 8;
        let available = (bytes.len() - body_at) as u64;
        if id == b"data" {
            let declared = match (size, ds64_data) {
                (UNKNOWN_SIZE, Some(big)) => big,
                (UNKNOWN_SIZE, None) => available,
                (n, _) => u64::from(n),
            };
            if declared > available {
                return Err(ProbeError::Truncated);
            }
            data.get_or_insert(declared);
        } else if u64::from(size) > available {
            return Err(ProbeError::Truncated);
        }
        let body = slice(bytes, body_at, (size as usize).min(available as usize)).unwrap_or(&[]);
        match id {
            b"fmt " => {
                let tag = u16_le(body, 0).ok_or(NO_FORMAT)?;
                let rate = u32_le(body, 4).ok_or(NO_FORMAT)?;
                let byte_rate = u32_le(body, 8).ok_or(NO_FORMAT)?;
                format.get_or_insert((tag, rate, byte_rate));
            }
            b"fact" => fact = u32_le(body, 0),
            // RF64 keeps the real data size here; its `data` chunk says "unknown".
            b"ds64" => ds64_data = u64_le(body, 8),
            _ => {}
        }
        if id == b"data" && size == UNKNOWN_SIZE {
            break;
        }
        // Chunks are padded to an even length; a missing pad byte at the very end is harmless.
        pos = body_at
            .saturating_add(size as usize)
            .saturating_add(size as usize & 1);
    }
    let (tag, rate, byte_rate) = format.ok_or(NO_FORMAT)?;
    let data = data.ok_or(ProbeError::Damaged("it holds no sound data"))?;
    // PCM (1), float (3), A-law (6), mu-law (7) and their extensible form: the bytes are the
    // time. Compressed WAV states its sample count in `fact` instead.
    let compressed = !matches!(tag, 1 | 3 | 6 | 7 | 0xFFFE);
    if let (true, Some(samples)) = (compressed, fact) {
        if let Some(ms) = to_ms(u64::from(samples), u64::from(rate)) {
            return Ok(ms);
        }
    }
    to_ms(data, u64::from(byte_rate)).ok_or(ProbeError::Damaged("its byte rate is zero"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A WAV of `chunks` (id, body) after the RIFF header, odd bodies padded.
    fn wav(chunks: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
        let mut out = b"RIFF\0\0\0\0WAVE".to_vec();
        for (id, body) in chunks {
            out.extend_from_slice(*id);
            out.extend_from_slice(&(body.len() as u32).to_le_bytes());
            out.extend_from_slice(body);
            if body.len() % 2 == 1 {
                out.push(0);
            }
        }
        let riff = (out.len() - 8) as u32;
        out[4..8].copy_from_slice(&riff.to_le_bytes());
        out
    }

    fn fmt(tag: u16, rate: u32, byte_rate: u32) -> Vec<u8> {
        let mut f = Vec::new();
        f.extend_from_slice(&tag.to_le_bytes());
        f.extend_from_slice(&1u16.to_le_bytes());
        f.extend_from_slice(&rate.to_le_bytes());
        f.extend_from_slice(&byte_rate.to_le_bytes());
        f.extend_from_slice(&1u16.to_le_bytes());
        f.extend_from_slice(&8u16.to_le_bytes());
        f
    }

    #[test]
    fn odd_chunks_are_padded_and_skipped() {
        let w = wav(&[
            (b"fmt ", fmt(1, 8000, 8000)),
            (b"LIST", vec![b'x'; 5]),
            (b"data", vec![128; 16_001]),
        ]);
        assert!(is_wav(&w));
        assert_eq!(duration_ms(&w), Ok(2000));
    }

    #[test]
    fn a_data_size_past_the_end_is_cut_short_and_unknown_means_to_the_end() {
        let mut w = wav(&[(b"fmt ", fmt(1, 8000, 8000)), (b"data", vec![128; 16_000])]);
        w.truncate(w.len() - 100);
        assert_eq!(duration_ms(&w), Err(ProbeError::Truncated));
        // RIFF header (12) + fmt chunk (8 + 16) + "data": the size is at 40.
        w[40..44].copy_from_slice(&UNKNOWN_SIZE.to_le_bytes());
        assert_eq!(duration_ms(&w), Ok(1988));
    }

    #[test]
    fn compressed_wav_uses_its_sample_count() {
        let w = wav(&[
            (b"fmt ", fmt(0x11, 8000, 4055)),
            (b"fact", 24_000u32.to_le_bytes().to_vec()),
            (b"data", vec![0; 12_000]),
        ]);
        assert_eq!(duration_ms(&w), Ok(3000));
    }

    #[test]
    fn missing_or_broken_chunks_are_refused() {
        let no_fmt = wav(&[(b"data", vec![0; 100])]);
        assert!(matches!(duration_ms(&no_fmt), Err(ProbeError::Damaged(_))));
        let no_data = wav(&[(b"fmt ", fmt(1, 8000, 8000))]);
        assert!(matches!(duration_ms(&no_data), Err(ProbeError::Damaged(_))));
        let zero_rate = wav(&[(b"fmt ", fmt(1, 8000, 0)), (b"data", vec![0; 10])]);
        assert!(matches!(
            duration_ms(&zero_rate),
            Err(ProbeError::Damaged(_))
        ));
        let short_fmt = wav(&[(b"fmt ", vec![1, 0, 1]), (b"data", vec![0; 10])]);
        assert!(matches!(
            duration_ms(&short_fmt),
            Err(ProbeError::Damaged(_))
        ));
        let huge_chunk = {
            let mut w = wav(&[(b"fmt ", fmt(1, 8000, 8000)), (b"data", vec![0; 10])]);
            w[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
            w
        };
        assert_eq!(duration_ms(&huge_chunk), Err(ProbeError::Truncated));
    }
}
