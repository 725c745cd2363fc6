//! Looking at the decoded photo: one downscale for detection and the preview, SeetaFace's
//! frontal detector (through `rustface`, model shipped in this crate), and the variance of the
//! Laplacian on each face, cropped from the full-resolution image.
//!
//! The EXIF orientation is applied to the small image only: rotating a 24 MP photo costs tens
//! of milliseconds, rotating an 800 px one almost nothing. Face boxes are mapped back to the raw
//! pixels for the sharpness crop (the 4-neighbour Laplacian does not change under 90° turns and
//! flips, so the crop need not be turned).

use std::sync::OnceLock;

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::metadata::Orientation;
use image::{DynamicImage, GenericImageView, GrayImage};

use crate::error::{Error, Result};

/// SeetaFace frontal face detector v1.0, © 2016 VIPL/ICT CAS, BSD-2-Clause (SEETA-LICENSE.txt).
/// sha256 c4619d066ed35e84d9a8e842860b0dff567aba0cbb139881075538761db3ff5d, the file that
/// ships in the `rustface` 0.1.7 crate as `model/seeta_fd_frontal_v1.0.bin`.
static SEETA_MODEL: &[u8] = include_bytes!("seeta_fd_frontal_v1.0.bin");

/// The detector looks at a copy of at most this many pixels (800 × 540): detection time grows
/// with the pixel count, so a square 1.4 MP portrait costs no more than a 24 MP 3:2 photo.
pub const DETECT_PIXELS: u32 = 800 * 540;
/// The smallest face the detector looks for, in detection pixels (rustface's floor is 20).
const MIN_FACE_PX: u32 = 20;
/// …and as a share of the detection image's short side: smaller faces are no use anyway.
const MIN_FACE_SHARE: f32 = 0.05;
/// SeetaFace's score threshold. Its default is 2.0; the one false face in the labelled set
/// (JPEG blocks in a quality-50 copy) scored 2.1, and real faces scored 6.6 and up.
const SCORE_THRESHOLD: f64 = 3.0;
/// Each pyramid level is this much smaller than the last. 0.8 (the research's setting) costs
/// ~40% more time than 0.7 and found the same faces in the labelled set.
const PYRAMID_SCALE: f32 = 0.7;
/// The sliding window's step, in detection pixels.
const WINDOW_STEP: u32 = 4;
/// The face crop for the sharpness measure is scaled down to at most this square.
pub const CROP_EDGE: u32 = 112;

/// A face found, in upright full-resolution pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Face {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    pub score: f64,
    /// Variance of the Laplacian on the face crop (≤ [`CROP_EDGE`] square).
    pub sharpness: f32,
}

pub struct Look {
    /// Largest first.
    pub faces: Vec<Face>,
    /// No face upright, but one when the picture is turned a quarter: it is sideways.
    pub sideways: bool,
    /// The upright size of the full photo.
    pub width: u32,
    pub height: u32,
    /// The upright detection-size copy, for the preview.
    pub small: DynamicImage,
}

fn model() -> Result<rustface::Model> {
    static MODEL: OnceLock<Option<rustface::Model>> = OnceLock::new();
    MODEL
        .get_or_init(|| rustface::read_model(SEETA_MODEL).ok())
        .clone()
        .ok_or_else(|| Error::Internal("the bundled face model could not be read".into()))
}

pub fn swaps_sides(o: Orientation) -> bool {
    matches!(
        o,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

/// Resizes `src` (optionally a crop of it) to `w`×`h`, keeping its pixel type where the resizer
/// knows it.
fn resize(
    resizer: &mut Resizer,
    src: &DynamicImage,
    w: u32,
    h: u32,
    alg: ResizeAlg,
    crop: Option<(f64, f64, f64, f64)>,
) -> Result<DynamicImage> {
    let mut options = ResizeOptions::new().resize_alg(alg);
    if let Some((l, t, cw, ch)) = crop {
        options = options.crop(l, t, cw, ch);
    }
    let mut dst = DynamicImage::new(w, h, src.color());
    match resizer.resize(src, &mut dst, &options) {
        Ok(()) => Ok(dst),
        Err(_) => {
            // Float or other unusual pixel types: go through 8-bit RGB.
            let rgb = DynamicImage::ImageRgb8(src.to_rgb8());
            let mut dst = DynamicImage::new(w, h, rgb.color());
            resizer
                .resize(&rgb, &mut dst, &options)
                .map_err(|e| Error::Internal(format!("could not scale the photo: {e}")))?;
            Ok(dst)
        }
    }
}

fn detect(detector: &mut dyn rustface::Detector, gray: &GrayImage) -> Vec<rustface::FaceInfo> {
    let image = rustface::ImageData::new(gray.as_raw(), gray.width(), gray.height());
    detector.detect(&image)
}

/// Looks at a decoded photo whose pixels are stored as `raw`, shown turned by `orientation`.
pub fn look(raw: &DynamicImage, orientation: Orientation) -> Result<Look> {
    let (rw, rh) = raw.dimensions();
    let (uw, uh) = if swaps_sides(orientation) {
        (rh, rw)
    } else {
        (rw, rh)
    };
    let scale = (DETECT_PIXELS as f32 / (rw as f32 * rh as f32))
        .sqrt()
        .min(1.0);
    let sw = ((rw as f32 * scale).round() as u32).max(1);
    let sh = ((rh as f32 * scale).round() as u32).max(1);
    let mut resizer = Resizer::new();
    let mut small = if scale < 1.0 {
        resize(
            &mut resizer,
            raw,
            sw,
            sh,
            ResizeAlg::SuperSampling(FilterType::Bilinear, 2),
            None,
        )?
    } else {
        raw.clone()
    };
    small.apply_orientation(orientation);
    let gray = small.to_luma8();

    let mut detector = rustface::create_detector_with_model(model()?);
    let short = gray.width().min(gray.height());
    detector.set_min_face_size(MIN_FACE_PX.max((short as f32 * MIN_FACE_SHARE) as u32));
    detector.set_score_thresh(SCORE_THRESHOLD);
    detector.set_pyramid_scale_factor(PYRAMID_SCALE);
    detector.set_slide_window_step(WINDOW_STEP, WINDOW_STEP);

    let found = detect(&mut *detector, &gray);
    let sideways = found.is_empty()
        && [
            image::imageops::rotate90(&gray),
            image::imageops::rotate270(&gray),
        ]
        .iter()
        .any(|turned| !detect(&mut *detector, turned).is_empty());

    // Detection pixels → upright full-resolution pixels.
    let k = uw as f32 / gray.width() as f32;
    let mut faces = Vec::with_capacity(found.len());
    for f in &found {
        let b = f.bbox();
        let x0 = (b.x().max(0) as f32 * k).min(uw as f32);
        let y0 = (b.y().max(0) as f32 * k).min(uh as f32);
        let x1 = ((b.x() + b.width() as i32) as f32 * k).clamp(x0, uw as f32);
        let y1 = ((b.y() + b.height() as i32) as f32 * k).clamp(y0, uh as f32);
        let (l, t, r, bottom) = unorient((x0, y0, x1, y1), rw as f32, rh as f32, orientation);
        let sharpness = crop_sharpness(&mut resizer, raw, (l, t, r - l, bottom - t))?;
        faces.push(Face {
            x: x0,
            y: y0,
            width: x1 - x0,
            height: y1 - y0,
            score: f.score(),
            sharpness,
        });
    }
    faces.sort_by(|a, b| b.width.total_cmp(&a.width));
    Ok(Look {
        faces,
        sideways,
        width: uw,
        height: uh,
        small,
    })
}

/// Maps a rectangle (left, top, right, bottom) in upright pixels back to the raw pixels of an
/// image of raw size `w`×`h` that is shown turned by `o`.
pub fn unorient(
    (u0, v0, u1, v1): (f32, f32, f32, f32),
    w: f32,
    h: f32,
    o: Orientation,
) -> (f32, f32, f32, f32) {
    let point = |u: f32, v: f32| -> (f32, f32) {
        match o {
            Orientation::NoTransforms => (u, v),
            Orientation::Rotate90 => (v, h - u),
            Orientation::Rotate180 => (w - u, h - v),
            Orientation::Rotate270 => (w - v, u),
            Orientation::FlipHorizontal => (w - u, v),
            Orientation::FlipVertical => (u, h - v),
            Orientation::Rotate90FlipH => (v, u),
            Orientation::Rotate270FlipH => (w - v, h - u),
        }
    };
    let (a, b) = (point(u0, v0), point(u1, v1));
    (a.0.min(b.0), a.1.min(b.1), a.0.max(b.0), a.1.max(b.1))
}

/// The variance of the Laplacian on a crop of `raw`, scaled down (never up) to fit
/// [`CROP_EDGE`]: scaling a small face up would make it look blurrier than it is.
fn crop_sharpness(
    resizer: &mut Resizer,
    raw: &DynamicImage,
    (l, t, cw, ch): (f32, f32, f32, f32),
) -> Result<f32> {
    if cw < 3.0 || ch < 3.0 {
        return Ok(0.0);
    }
    let fit = (CROP_EDGE as f32 / cw.max(ch)).min(1.0);
    let dw = ((cw * fit).round() as u32).max(3);
    let dh = ((ch * fit).round() as u32).max(3);
    let crop = resize(
        resizer,
        raw,
        dw,
        dh,
        ResizeAlg::Convolution(FilterType::Bilinear),
        Some((l as f64, t as f64, cw as f64, ch as f64)),
    )?;
    Ok(laplacian_variance(&crop.to_luma8()))
}

/// The variance of the 4-neighbour Laplacian: low when the picture has no fine detail (blur).
pub fn laplacian_variance(g: &GrayImage) -> f32 {
    let (w, h) = (g.width() as usize, g.height() as usize);
    if w < 3 || h < 3 {
        return 0.0;
    }
    let p = g.as_raw();
    let (mut sum, mut sum2) = (0f64, 0f64);
    for y in 1..h - 1 {
        let row = y * w;
        for x in 1..w - 1 {
            let i = row + x;
            let c = 4 * p[i] as i32
                - p[i - 1] as i32
                - p[i + 1] as i32
                - p[i - w] as i32
                - p[i + w] as i32;
            sum += c as f64;
            sum2 += (c * c) as f64;
        }
    }
    let n = ((w - 2) * (h - 2)) as f64;
    let mean = sum / n;
    (sum2 / n - mean * mean) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unorient_inverts_every_exif_orientation() {
        // A 60×40 raw image with a bright block at x 10..20, y 5..15.
        let raw = GrayImage::from_fn(60, 40, |x, y| {
            image::Luma([if (10..20).contains(&x) && (5..15).contains(&y) {
                255
            } else {
                0
            }])
        });
        for o in [
            Orientation::NoTransforms,
            Orientation::Rotate90,
            Orientation::Rotate180,
            Orientation::Rotate270,
            Orientation::FlipHorizontal,
            Orientation::FlipVertical,
            Orientation::Rotate90FlipH,
            Orientation::Rotate270FlipH,
        ] {
            let mut shown = DynamicImage::ImageLuma8(raw.clone());
            shown.apply_orientation(o);
            let g = shown.to_luma8();
            let lit: Vec<(u32, u32)> = g
                .enumerate_pixels()
                .filter(|p| p.2 .0[0] == 255)
                .map(|p| (p.0, p.1))
                .collect();
            let u0 = lit.iter().map(|p| p.0).min().unwrap() as f32;
            let v0 = lit.iter().map(|p| p.1).min().unwrap() as f32;
            let u1 = lit.iter().map(|p| p.0).max().unwrap() as f32 + 1.0;
            let v1 = lit.iter().map(|p| p.1).max().unwrap() as f32 + 1.0;
            assert_eq!(
                unorient((u0, v0, u1, v1), 60.0, 40.0, o),
                (10.0, 5.0, 20.0, 15.0),
                "{o:?}"
            );
            assert_eq!(swaps_sides(o), g.width() == 40, "{o:?}");
        }
    }

    #[test]
    fn laplacian_variance_is_high_on_detail_and_zero_on_flat() {
        let flat = GrayImage::from_pixel(50, 50, image::Luma([120]));
        assert_eq!(laplacian_variance(&flat), 0.0);
        let checker = GrayImage::from_fn(50, 50, |x, y| image::Luma([((x + y) % 2 * 200) as u8]));
        assert!(laplacian_variance(&checker) > 10_000.0);
    }
}
