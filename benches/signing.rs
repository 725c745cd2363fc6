//! x402 signing and verification: the per-payment cost on each side (app and Rehearsal).
//!
//! Both are dominated by one secp256k1 operation (sign / recover) plus two keccak-256 hashes and
//! a base64 JSON round trip; the numbers show whether either could matter next to a network call.

use criterion::{criterion_group, criterion_main, Criterion};
use likeness::payment::{self, Network, Requirement, X402Version};
use std::hint::black_box;

const KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const NOW: u64 = 1_795_404_613;

fn signing(c: &mut Criterion) {
    let signer: alloy::signers::local::PrivateKeySigner = KEY.parse().unwrap();
    let pay_to = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"
        .parse()
        .unwrap();
    let requirement = Requirement::new(Network::Base, pay_to, 10_000).with_resource(
        "https://blockrun.ai/api/v1/realface/enroll",
        "RealFace enrollment",
    );

    for version in [X402Version::V1, X402Version::V2] {
        let built = requirement.challenge(version, "Payment required");
        let headers: Vec<(String, String)> = built
            .header
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        let quote = payment::quote_challenge(&headers, &built.body).unwrap();
        let signed = payment::sign(&quote, &signer, NOW, [7u8; 32]).unwrap();
        let tag = match version {
            X402Version::V1 => "v1",
            X402Version::V2 => "v2",
        };

        c.bench_function(&format!("x402_{tag}_parse_challenge"), |b| {
            b.iter(|| {
                payment::quote_challenge(black_box(&headers), black_box(&built.body)).unwrap()
            })
        });
        c.bench_function(&format!("x402_{tag}_sign_payment"), |b| {
            b.iter(|| payment::sign(black_box(&quote), &signer, NOW, black_box([7u8; 32])).unwrap())
        });
        c.bench_function(&format!("x402_{tag}_verify_payment"), |b| {
            b.iter(|| {
                payment::verify(black_box(&signed.header_value), version, &requirement, NOW)
                    .unwrap()
            })
        });
    }
}

criterion_group!(benches, signing);
criterion_main!(benches);
