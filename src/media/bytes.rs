//! Bounds-checked reads: every read of untrusted bytes goes through these, so a short or lying
//! file gives `None` (and from there a [`super::ProbeError`]), never a panic.

pub(super) fn slice(b: &[u8], at: usize, len: usize) -> Option<&[u8]> {
    b.get(at..at.checked_add(len)?)
}

pub(super) fn array<const N: usize>(b: &[u8], at: usize) -> Option<[u8; N]> {
    slice(b, at, N)?.try_into().ok()
}

pub(super) fn u16_be(b: &[u8], at: usize) -> Option<u16> {
    array(b, at).map(u16::from_be_bytes)
}

pub(super) fn u32_be(b: &[u8], at: usize) -> Option<u32> {
    array(b, at).map(u32::from_be_bytes)
}

pub(super) fn i32_be(b: &[u8], at: usize) -> Option<i32> {
    array(b, at).map(i32::from_be_bytes)
}

pub(super) fn u64_be(b: &[u8], at: usize) -> Option<u64> {
    array(b, at).map(u64::from_be_bytes)
}

pub(super) fn u16_le(b: &[u8], at: usize) -> Option<u16> {
    array(b, at).map(u16::from_le_bytes)
}

pub(super) fn u32_le(b: &[u8], at: usize) -> Option<u32> {
    array(b, at).map(u32::from_le_bytes)
}

pub(super) fn u64_le(b: &[u8], at: usize) -> Option<u64> {
    array(b, at).map(u64::from_le_bytes)
}

/// `value × 1000 ÷ per_second`, rounded to the nearest millisecond, without overflow.
pub(super) fn to_ms(value: u64, per_second: u64) -> Option<u64> {
    if per_second == 0 {
        return None;
    }
    let ms = (u128::from(value) * 1000 + u128::from(per_second) / 2) / u128::from(per_second);
    u64::try_from(ms).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_at_the_end_and_never_wrap() {
        let b = [1, 2, 3, 4, 5];
        assert_eq!(u32_be(&b, 0), Some(0x0102_0304));
        assert_eq!(u32_be(&b, 1), Some(0x0203_0405));
        assert_eq!(u32_be(&b, 2), None);
        assert_eq!(u16_le(&b, 3), Some(0x0504));
        assert_eq!(slice(&b, usize::MAX, 2), None);
        assert_eq!(u64_be(&b, 0), None);
        assert_eq!(to_ms(3, 2), Some(1500));
        assert_eq!(to_ms(1, 0), None);
        assert_eq!(to_ms(u64::MAX, 1), None);
        assert_eq!(to_ms(u64::MAX, u64::MAX), Some(1000));
    }
}
