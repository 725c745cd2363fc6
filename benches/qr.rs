//! QR rendering for a typical H5 link: the SVG for the window and the Unicode for the terminal.

use criterion::{criterion_group, criterion_main, Criterion};

const LINK: &str = "http://192.168.1.20:8402/h5/?accessKeyId=rehearsal&sessionToken=8d8a06adb7cf193f6406eb1f6587e85d0221745a2e616af6&configId=legacy_rf_2874001";
const BYTEPLUS_LINK: &str = "https://kyc.byteintl.com/?accessKeyId=AKAPZmVmZTQ2ZDc5NjQ2NGUwMjk3OTQ4Y2Q5YjE1YjQ4ZjE&sessionToken=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzZXNzaW9uIjoiMTIzNDU2Nzg5MCIsImV4cCI6MTc3OTYzOTU0MH0.c2lnbmF0dXJl&configId=cfg_5f1c2b";

fn qr(c: &mut Criterion) {
    c.bench_function("qr_svg_rehearsal_link", |b| {
        b.iter(|| likeness::qr::svg(std::hint::black_box(LINK)).unwrap())
    });
    c.bench_function("qr_svg_byteplus_link", |b| {
        b.iter(|| likeness::qr::svg(std::hint::black_box(BYTEPLUS_LINK)).unwrap())
    });
    c.bench_function("qr_terminal_rehearsal_link", |b| {
        b.iter(|| likeness::qr::terminal(std::hint::black_box(LINK)).unwrap())
    });
}

criterion_group!(benches, qr);
criterion_main!(benches);
