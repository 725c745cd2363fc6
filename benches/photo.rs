//! The photo checks once the bytes are in: a 6000×4000 JPEG of about 6.5 MB (decode, preview
//! and every face check), a typical 1.4 MP portrait, and the dimensions read from the header
//! without decoding. The 24 MP JPEG is made on first run (the astronaut portrait from the
//! fixtures, scaled up onto a 6000×4000 backdrop with fine grain, JPEG quality 90) and cached in
//! `target/photo-bench/`; it is too big to keep in the repository.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, RgbImage};
use likeness::photo::{self, PhotoLimits};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/photos/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

/// The 6000×4000 JPEG, made once.
fn big_jpeg() -> Vec<u8> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/photo-bench");
    let path = dir.join("portrait_6000x4000.jpg");
    if let Ok(bytes) = std::fs::read(&path) {
        return bytes;
    }
    let face = image::load_from_memory(&fixture("astronaut.jpg")).expect("astronaut");
    let mut up = DynamicImage::new_rgb8(4000, 4000);
    Resizer::new()
        .resize(
            &face,
            &mut up,
            &ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::CatmullRom)),
        )
        .expect("scale up");
    let up = up.to_rgb8();
    // Fine grain, as a camera sensor leaves it; it also brings the file to a camera's size.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut grain = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % 19) as i16 - 9
    };
    let img = RgbImage::from_fn(6000, 4000, |x, y| {
        let base = if (1000..5000).contains(&x) {
            *up.get_pixel(x - 1000, y)
        } else {
            image::Rgb([150, (140 + y / 80) as u8, 160])
        };
        let g = grain();
        image::Rgb(base.0.map(|c| (c as i16 + g).clamp(0, 255) as u8))
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&img)
        .expect("encode");
    std::fs::create_dir_all(&dir).expect("bench dir");
    std::fs::write(&path, &jpeg).expect("write the bench JPEG");
    jpeg
}

fn photo(c: &mut Criterion) {
    let big = big_jpeg();
    let portrait = fixture("good_1200.jpg");
    let limits = PhotoLimits::blockrun();
    let check = photo::examine_bytes("https://x/big.jpg", &big, &limits).expect("check");
    eprintln!(
        "portrait_6000x4000.jpg: {:.2} MB, {} face(s), verdict {:?}",
        big.len() as f64 / 1e6,
        check.faces.len(),
        check.verdict()
    );

    let mut g = c.benchmark_group("photo");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.bench_function("check_6000x4000_jpeg", |b| {
        b.iter(|| photo::examine_bytes("https://x/big.jpg", black_box(&big), &limits).unwrap())
    });
    g.bench_function("decode_only_6000x4000_jpeg", |b| {
        b.iter(|| image::load_from_memory(black_box(&big)).unwrap())
    });
    g.bench_function("check_1200x1200_portrait", |b| {
        b.iter(|| photo::examine_bytes("https://x/p.jpg", black_box(&portrait), &limits).unwrap())
    });
    g.finish();

    c.bench_function("photo_dimensions_only_6000x4000_jpeg", |b| {
        b.iter(|| photo::sniff(black_box(&big)).unwrap())
    });
}

criterion_group!(benches, photo);
criterion_main!(benches);
