//! x402 tests: published vectors, pinned signatures, round trips and hostile input.

use alloy::primitives::{address, b256, Address, B256};
use alloy::signers::local::PrivateKeySigner;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};

use super::*;

/// Hardhat/anvil test key #0 (public knowledge; never holds value).
const HARDHAT_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const HARDHAT_ADDRESS: Address = address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
const PAYEE: Address = address!("209693Bc6afc0C5328bA36FaF03C514EF312287C");
const DOC_NONCE: B256 = b256!("f3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480");
const NOW: u64 = 1_795_404_613;

fn signer() -> PrivateKeySigner {
    HARDHAT_KEY.parse().unwrap()
}

fn other_signer() -> PrivateKeySigner {
    // Hardhat test key #1.
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
        .parse()
        .unwrap()
}

fn no_headers(_: &str) -> Option<String> {
    None
}

fn b64(v: &Value) -> String {
    STANDARD.encode(serde_json::to_vec(v).unwrap())
}

fn unb64(s: &str) -> Value {
    serde_json::from_slice(&STANDARD.decode(s).unwrap()).unwrap()
}

fn requirement(network: Network) -> Requirement {
    Requirement::new(network, PAYEE, 10_000)
        .with_resource(
            "https://api.example.com/premium-data",
            "Access to premium market data",
        )
        .with_max_timeout_seconds(60)
}

/// The spec's v1 example offer (§5.1.1), as a server would send it.
fn spec_v1_offer() -> Value {
    json!({
        "scheme": "exact",
        "network": "base-sepolia",
        "maxAmountRequired": "10000",
        "asset": "0x036CbD53842c5426634e7929541eC2318f3dCF7e",
        "payTo": "0x209693Bc6afc0C5328bA36FaF03C514EF312287C",
        "resource": "https://api.example.com/premium-data",
        "description": "Access to premium market data",
        "mimeType": "application/json",
        "outputSchema": null,
        "maxTimeoutSeconds": 60,
        "extra": { "name": "USDC", "version": "2" }
    })
}

fn v1_body(offers: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "x402Version": 1,
        "error": "X-PAYMENT header is required",
        "accepts": offers,
    }))
    .unwrap()
}

fn refusal_for_v1_offer(offer: Value) -> PaymentRefusal {
    quote_challenge(&no_headers, &v1_body(vec![offer])).unwrap_err()
}

fn with(mut offer: Value, key: &str, value: Value) -> Value {
    offer[key] = value;
    offer
}

fn without(mut offer: Value, key: &str) -> Value {
    offer.as_object_mut().unwrap().remove(key);
    offer
}

// --- vectors -------------------------------------------------------------------------------

/// The spec's v1 `PaymentPayload` example is a genuine signature by 0x857b…6b66 (research §2).
fn spec_v1_payload() -> Value {
    json!({
        "x402Version": 1,
        "scheme": "exact",
        "network": "base-sepolia",
        "payload": {
            "signature": "0x2d6a7588d6acca505cbf0d9a4a227e0c52c6c34008c8e8986a1283259764173608a2ce6496642e377d6da8dbbf5836e9bd15092f9ecab05ded3d6293af148b571c",
            "authorization": {
                "from": "0x857b06519E91e3A54538791bDbb0E22373e36b66",
                "to": "0x209693Bc6afc0C5328bA36FaF03C514EF312287C",
                "value": "10000",
                "validAfter": "1740672089",
                "validBefore": "1740672154",
                "nonce": "0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480"
            }
        }
    })
}

#[test]
fn spec_example_signature_recovers_to_documented_address() {
    let header = b64(&spec_v1_payload());
    let expected = Requirement::new(Network::BaseSepolia, PAYEE, 10_000);
    let verified = verify(&header, X402Version::V1, &expected, 1_740_672_100).unwrap();
    assert_eq!(verified.payer, "0x857b06519E91e3A54538791bDbb0E22373e36b66");
    assert_eq!(
        verified.nonce_hex,
        "0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480"
    );
    assert_eq!(verified.nonce(), DOC_NONCE);
}

#[test]
fn spec_example_signing_hash_matches_research() {
    let authorization = Authorization {
        from: address!("857b06519E91e3A54538791bDbb0E22373e36b66"),
        to: PAYEE,
        value: 10_000,
        valid_after: 1_740_672_089,
        valid_before: 1_740_672_154,
        nonce: DOC_NONCE,
    };
    assert_eq!(
        signing_hash(Network::BaseSepolia, &authorization),
        b256!("f256992871671abcb27ff92885a7afa46218724e5fc0bac35d050115aa1d22e6")
    );
}

#[test]
fn fixed_key_vector_matches_eth_account() {
    // research §7: alloy and eth-account produce these bytes for Base mainnet USDC.
    let authorization = Authorization {
        from: HARDHAT_ADDRESS,
        to: PAYEE,
        value: 10_000,
        valid_after: 1_740_672_089,
        valid_before: 1_740_672_154,
        nonce: DOC_NONCE,
    };
    assert_eq!(
        signing_hash(Network::Base, &authorization),
        b256!("7e9613714edd92ad20fa5b252ec168245031911a3438dd20225f083b6a688f8a")
    );
    let signature = sign_authorization(&signer(), Network::Base, &authorization).unwrap();
    assert_eq!(
        format!("0x{}", hex::encode(signature.as_bytes())),
        "0xa70a7d235fd4218a3ed6625525892efed6fd1ac6a193ba612bb9da921620bce74885a8f7f56d2dc2f46005b7d6a089ae3469455a911004b6c4a6ab600677f56c1c"
    );
}

#[test]
fn sign_is_pinned_for_a_fixed_key_nonce_and_time() {
    let challenge =
        requirement(Network::Base).challenge(X402Version::V1, "X-PAYMENT header is required");
    let quote = quote_challenge(&no_headers, &challenge.body).unwrap();
    let signed = sign(&quote, &signer(), 1_740_672_689, DOC_NONCE.0).unwrap();
    assert_eq!(signed.valid_after, 1_740_672_089);
    assert_eq!(signed.valid_before, 1_740_672_749);
    assert_eq!(signed.from, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    assert_eq!(signed.to, "0x209693Bc6afc0C5328bA36FaF03C514EF312287C");
    assert_eq!(signed.value, "10000");
    assert_eq!(signed.header_name, "X-PAYMENT");
    assert_eq!(
        signed.signature_hex,
        "0xa7940e037c7897bcab4ab99ac096341bcea4dd53e66df55f9c6baba2ef95cd616d927f89d421b19b383997ce2dc3882d76718bd9fd7dedceb3a6e584475746d51b"
    );
    let payload = unb64(&signed.header_value);
    assert_eq!(
        payload,
        json!({
            "x402Version": 1,
            "scheme": "exact",
            "network": "base",
            "payload": {
                "signature": signed.signature_hex,
                "authorization": {
                    "from": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
                    "to": "0x209693Bc6afc0C5328bA36FaF03C514EF312287C",
                    "value": "10000",
                    "validAfter": "1740672089",
                    "validBefore": "1740672749",
                    "nonce": "0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480"
                }
            }
        })
    );
    // Field order as the spec shows it, so the bytes are stable too.
    let text = String::from_utf8(STANDARD.decode(&signed.header_value).unwrap()).unwrap();
    assert!(text.starts_with(
        r#"{"x402Version":1,"scheme":"exact","network":"base","payload":{"signature":"#
    ));
}

// --- round trips ---------------------------------------------------------------------------

#[test]
fn v1_round_trip_build_parse_sign_verify() {
    for network in Network::ALL {
        let req = requirement(network);
        let built = req.challenge(X402Version::V1, "X-PAYMENT header is required");
        assert!(built.header.is_none());
        let challenge = parse_challenge(&no_headers, &built.body).unwrap();
        assert_eq!(challenge.version, X402Version::V1);
        assert!(!challenge.from_header);
        assert_eq!(
            challenge.error.as_deref(),
            Some("X-PAYMENT header is required")
        );

        let quote = challenge.quote().unwrap();
        assert_eq!(quote.network(), network);
        assert_eq!(quote.chain_id(), network.chain_id());
        assert_eq!(quote.amount_atomic(), 10_000);
        assert_eq!(quote.amount_usdc(), "0.01");
        assert_eq!(quote.pay_to(), PAYEE);
        assert_eq!(quote.max_timeout_seconds(), 60);
        assert_eq!(
            quote.resource(),
            Some("https://api.example.com/premium-data")
        );
        assert_eq!(quote.description(), Some("Access to premium market data"));

        let signed = sign(&quote, &signer(), NOW, fresh_nonce()).unwrap();
        assert_eq!(signed.header_name, X_PAYMENT_HEADER);
        let verified = verify(&signed.header_value, X402Version::V1, &req, NOW).unwrap();
        assert_eq!(verified.payer_address(), HARDHAT_ADDRESS);
        assert_eq!(verified.nonce_hex, signed.nonce_hex);
        assert_eq!(verified.value, "10000");
        assert_eq!(verified.network, network);
    }
}

#[test]
fn v2_round_trip_build_parse_sign_verify() {
    for network in Network::ALL {
        let req = requirement(network);
        let built = req.challenge(X402Version::V2, "Payment required");
        let (name, value) = built.header.clone().unwrap();
        assert_eq!(name, "PAYMENT-REQUIRED");
        assert_eq!(built.body, b"{}");
        let headers = vec![(name.to_ascii_lowercase(), value)];
        let challenge = parse_challenge(&headers, &built.body).unwrap();
        assert_eq!(challenge.version, X402Version::V2);
        assert!(challenge.from_header);

        let quote = challenge.quote().unwrap();
        assert_eq!(quote.network(), network);
        assert_eq!(
            quote.resource(),
            Some("https://api.example.com/premium-data")
        );
        assert_eq!(quote.offered(), &req.offer(X402Version::V2));

        let signed = sign(&quote, &signer(), NOW, fresh_nonce()).unwrap();
        assert_eq!(signed.header_name, PAYMENT_SIGNATURE_HEADER);
        let verified = verify(&signed.header_value, X402Version::V2, &req, NOW).unwrap();
        assert_eq!(verified.payer, HARDHAT_ADDRESS.to_checksum(None));
        assert_eq!(verified.valid_before, NOW + 60);
        assert_eq!(verified.valid_after, NOW - 600);
    }
}

#[test]
fn v2_echoes_accepted_resource_and_extensions_verbatim() {
    // An offer with fields this crate does not model must come back untouched.
    let offer = json!({
        "scheme": "exact", "network": "eip155:8453", "amount": "10000",
        "asset": "0x833589fcd6edb6e08f4c7c32d4f71b54bda02913",
        "payTo": "0x209693bc6afc0c5328ba36faf03c514ef312287c", "maxTimeoutSeconds": 300,
        "extra": {"name": "USD Coin", "version": "2", "assetTransferMethod": "eip3009", "note": [1, 2.5, null]}
    });
    let resource = json!({"url": "https://blockrun.ai/api/v1/realface/enroll", "description": "", "mimeType": ""});
    let extensions = json!({"bazaar": {"info": {"x": 1}}});
    let required = json!({
        "x402Version": 2, "error": "Payment required", "resource": resource,
        "accepts": [offer], "extensions": extensions
    });
    let encoded = b64(&required);
    let headers = [("Payment-Required", encoded.as_str())];
    let quote = quote_challenge(&headers[..], b"{}").unwrap();
    let signed = sign(&quote, &signer(), NOW, [7u8; 32]).unwrap();
    let payload = unb64(&signed.header_value);
    assert_eq!(payload["x402Version"], 2);
    assert_eq!(payload["accepted"], offer);
    assert_eq!(payload["resource"], resource);
    assert_eq!(payload["extensions"], extensions);
    assert_eq!(
        payload["payload"]["authorization"]["nonce"],
        format!("0x{}", "07".repeat(32))
    );
    // A lowercase offer still verifies against the typed requirement.
    let req = Requirement::new(Network::Base, PAYEE, 10_000).with_max_timeout_seconds(300);
    verify(&signed.header_value, X402Version::V2, &req, NOW).unwrap();
}

#[test]
fn signed_payment_round_trips_through_the_ledger_byte_identical() {
    let quote = quote_challenge(&no_headers, &v1_body(vec![spec_v1_offer()])).unwrap();
    let signed = sign(&quote, &signer(), NOW, [1u8; 32]).unwrap();
    let stored = serde_json::to_string(&signed).unwrap();
    let back: SignedPayment = serde_json::from_str(&stored).unwrap();
    assert_eq!(back, signed);
    assert_eq!(back.header(), ("X-PAYMENT", signed.header_value.as_str()));
    let as_json: Value = serde_json::from_str(&stored).unwrap();
    assert_eq!(as_json["headerName"], "X-PAYMENT");
    assert_eq!(as_json["validBefore"], NOW + 60);
    assert_eq!(as_json["version"], "v1");
    assert_eq!(as_json["network"], "base-sepolia");
}

#[test]
fn quote_serialises_for_the_ui() {
    let quote = quote_challenge(&no_headers, &v1_body(vec![spec_v1_offer()])).unwrap();
    let v = serde_json::to_value(&quote).unwrap();
    assert_eq!(v["x402Version"], "v1");
    assert_eq!(v["network"], "base-sepolia");
    assert_eq!(v["testnet"], true);
    assert_eq!(v["chainId"], 84532);
    assert_eq!(v["amountAtomic"], "10000");
    assert_eq!(v["amountUsdc"], "0.01");
    assert_eq!(v["payTo"], "0x209693Bc6afc0C5328bA36FaF03C514EF312287C");
    assert_eq!(v["asset"], "0x036CbD53842c5426634e7929541eC2318f3dCF7e");
    assert_eq!(v["maxTimeoutSeconds"], 60);
    assert_eq!(v["serverMessage"], "X-PAYMENT header is required");
    assert_eq!(v["offered"], spec_v1_offer());
    assert!(v.get("terms").is_none());
}

// --- choosing ------------------------------------------------------------------------------

#[test]
fn header_wins_over_body() {
    let v2 = requirement(Network::Base).challenge(X402Version::V2, "x");
    let (_, value) = v2.header.unwrap();
    let headers = [("payment-required", value.as_str())];
    let body = v1_body(vec![spec_v1_offer()]);
    let challenge = parse_challenge(&headers[..], &body).unwrap();
    assert_eq!(challenge.version, X402Version::V2);
    assert_eq!(challenge.quote().unwrap().network(), Network::Base);
}

#[test]
fn header_map_is_a_header_source() {
    let built = requirement(Network::Base).challenge(X402Version::V2, "x");
    let (name, value) = built.header.unwrap();
    let mut map = axum::http::HeaderMap::new();
    map.insert(name, value.parse().unwrap());
    let quote = quote_challenge(&map, &built.body).unwrap();
    assert_eq!(quote.x402_version(), X402Version::V2);
    // reqwest hands out the same `http` type.
    let reqwest_headers: &reqwest::header::HeaderMap = &map;
    assert!(quote_challenge(reqwest_headers, &built.body).is_ok());
}

#[test]
fn v2_object_in_the_body_is_accepted() {
    let required = requirement(Network::Base).payment_required(X402Version::V2, "x");
    let body = serde_json::to_vec(&required).unwrap();
    let quote = quote_challenge(&no_headers, &body).unwrap();
    assert_eq!(quote.x402_version(), X402Version::V2);
}

#[test]
fn unpadded_base64_is_read() {
    // Find an error text whose encoding needs padding, then drop the padding.
    let padded = ["x", "xx", "xxx"]
        .iter()
        .map(|e| b64(&requirement(Network::Base).payment_required(X402Version::V2, e)))
        .find(|h| h.ends_with('='))
        .unwrap();
    let headers = [("PAYMENT-REQUIRED", padded.trim_end_matches('='))];
    quote_challenge(&headers[..], b"").unwrap();
}

#[test]
fn first_acceptable_offer_is_chosen() {
    let eth = with(spec_v1_offer(), "network", json!("ethereum"));
    let body = v1_body(vec![eth, spec_v1_offer()]);
    let quote = quote_challenge(&no_headers, &body).unwrap();
    assert_eq!(quote.network(), Network::BaseSepolia);
}

#[test]
fn extra_may_be_absent_and_pinned_domain_is_used() {
    let offer = without(spec_v1_offer(), "extra");
    let req = Requirement::new(Network::BaseSepolia, PAYEE, 10_000).with_max_timeout_seconds(60);
    let quote = quote_challenge(&no_headers, &v1_body(vec![offer])).unwrap();
    let signed = sign(&quote, &signer(), NOW, [2u8; 32]).unwrap();
    verify(&signed.header_value, X402Version::V1, &req, NOW).unwrap();
}

#[test]
fn usdc_amounts_format_exactly() {
    assert_eq!(format_usdc(1), "0.000001");
    assert_eq!(format_usdc(10_000), "0.01");
    assert_eq!(format_usdc(11_000), "0.011");
    assert_eq!(format_usdc(500_000), "0.5");
    assert_eq!(format_usdc(1_000_000), "1");
    assert_eq!(format_usdc(12_345_678), "12.345678");
}

// --- hostile challenges --------------------------------------------------------------------

#[test]
fn html_or_unrelated_json_is_not_x402() {
    assert_eq!(
        quote_challenge(&no_headers, b"<html>Pay here</html>").unwrap_err(),
        PaymentRefusal::NotX402
    );
    assert_eq!(
        quote_challenge(&no_headers, br#"{"error":"payment required"}"#).unwrap_err(),
        PaymentRefusal::NotX402
    );
    assert_eq!(
        quote_challenge(&no_headers, b"").unwrap_err(),
        PaymentRefusal::NotX402
    );
}

#[test]
fn bad_header_is_malformed() {
    for value in ["not base64 at all!", "e30=x", &STANDARD.encode("not json")] {
        let headers = [("PAYMENT-REQUIRED", value)];
        let refusal = quote_challenge(&headers[..], b"").unwrap_err();
        assert!(
            matches!(refusal, PaymentRefusal::MalformedChallenge { .. }),
            "{value}: {refusal:?}"
        );
    }
    let headers = [("PAYMENT-REQUIRED", STANDARD.encode("[1,2]"))];
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    assert!(matches!(
        quote_challenge(&headers, b"").unwrap_err(),
        PaymentRefusal::MalformedChallenge { .. }
    ));
}

#[test]
fn unknown_version_is_refused() {
    for version in [json!(0), json!(3), json!("1"), json!(1.5)] {
        let body =
            serde_json::to_vec(&json!({"x402Version": version, "accepts": [spec_v1_offer()]}))
                .unwrap();
        assert!(matches!(
            quote_challenge(&no_headers, &body).unwrap_err(),
            PaymentRefusal::UnsupportedVersion { .. }
        ));
    }
}

#[test]
fn no_offers_is_refused() {
    assert_eq!(
        quote_challenge(&no_headers, &v1_body(vec![])).unwrap_err(),
        PaymentRefusal::NoOffers
    );
    let body = br#"{"x402Version":1,"error":"x"}"#;
    assert_eq!(
        quote_challenge(&no_headers, body).unwrap_err(),
        PaymentRefusal::NoOffers
    );
    let body = br#"{"x402Version":1,"accepts":{"scheme":"exact"}}"#;
    assert!(matches!(
        quote_challenge(&no_headers, body).unwrap_err(),
        PaymentRefusal::MalformedChallenge { .. }
    ));
}

#[test]
fn other_schemes_are_refused() {
    for scheme in ["upto", "EXACT", ""] {
        assert_eq!(
            refusal_for_v1_offer(with(spec_v1_offer(), "scheme", json!(scheme))),
            PaymentRefusal::UnsupportedScheme {
                scheme: scheme.into()
            }
        );
    }
}

#[test]
fn unknown_networks_are_refused() {
    for network in ["ethereum", "eip155:1", "solana", "Base", "eip155:8453 "] {
        assert_eq!(
            refusal_for_v1_offer(with(spec_v1_offer(), "network", json!(network))),
            PaymentRefusal::UnknownNetwork {
                network: network.into()
            }
        );
    }
}

#[test]
fn unknown_or_mismatched_assets_are_refused() {
    let cases = [
        // A lookalike token on the right chain.
        "0x1111111111111111111111111111111111111111",
        // Mainnet USDC offered on Base Sepolia: right token, wrong chain.
        "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
        "USDC",
        "0x036CbD53842c5426634e7929541eC2318f3dCF7",
    ];
    for asset in cases {
        let refusal = refusal_for_v1_offer(with(spec_v1_offer(), "asset", json!(asset)));
        assert_eq!(
            refusal,
            PaymentRefusal::UnknownAsset {
                asset: asset.into(),
                network: Network::BaseSepolia,
                expected: "0x036CbD53842c5426634e7929541eC2318f3dCF7e".into(),
            }
        );
    }
}

#[test]
fn amounts_that_are_not_positive_integers_are_refused() {
    let cases = [
        (json!("0"), "0"),
        (json!("-5"), "-5"),
        (json!("+5"), "+5"),
        (json!("1.5"), "1.5"),
        (json!("0x10"), "0x10"),
        (json!("1e6"), "1e6"),
        (json!(""), ""),
        (json!("010000"), "010000"),
        (json!(" 10000"), " 10000"),
        (json!(10000), "10000"),
        (
            json!("340282366920938463463374607431768211456"),
            "340282366920938463463374607431768211456",
        ),
    ];
    for (amount, text) in cases {
        assert_eq!(
            refusal_for_v1_offer(with(spec_v1_offer(), "maxAmountRequired", amount)),
            PaymentRefusal::InvalidAmount {
                amount: text.into()
            }
        );
    }
    // v2 reads `amount`, not `maxAmountRequired`.
    let mut offer = requirement(Network::Base).offer(X402Version::V2);
    offer["amount"] = json!("-1");
    let required = json!({"x402Version": 2, "accepts": [offer]});
    let headers = [("PAYMENT-REQUIRED", b64(&required))];
    let headers: Vec<(String, String)> = headers.into_iter().map(|(k, v)| (k.into(), v)).collect();
    assert_eq!(
        quote_challenge(&headers, b"").unwrap_err(),
        PaymentRefusal::InvalidAmount {
            amount: "-1".into()
        }
    );
}

#[test]
fn missing_amount_is_malformed() {
    assert!(matches!(
        refusal_for_v1_offer(without(spec_v1_offer(), "maxAmountRequired")),
        PaymentRefusal::MalformedChallenge { .. }
    ));
}

#[test]
fn missing_or_bad_payee_is_refused() {
    assert_eq!(
        refusal_for_v1_offer(without(spec_v1_offer(), "payTo")),
        PaymentRefusal::MissingPayee
    );
    assert_eq!(
        refusal_for_v1_offer(with(spec_v1_offer(), "payTo", json!(""))),
        PaymentRefusal::MissingPayee
    );
    for pay_to in [
        "0x0000000000000000000000000000000000000000",
        "0x209693Bc6afc0C5328bA36FaF03C514EF312287",
        "vitalik.eth",
    ] {
        assert_eq!(
            refusal_for_v1_offer(with(spec_v1_offer(), "payTo", json!(pay_to))),
            PaymentRefusal::InvalidPayee {
                pay_to: pay_to.into()
            }
        );
    }
}

#[test]
fn unreasonable_timeouts_are_refused() {
    for t in [
        json!(0),
        json!(-1),
        json!(86_400 * 365),
        json!(1.5),
        json!(null),
    ] {
        assert!(
            matches!(
                refusal_for_v1_offer(with(spec_v1_offer(), "maxTimeoutSeconds", t.clone())),
                PaymentRefusal::InvalidTimeout { .. }
            ),
            "{t}"
        );
    }
    assert!(matches!(
        refusal_for_v1_offer(without(spec_v1_offer(), "maxTimeoutSeconds")),
        PaymentRefusal::InvalidTimeout { .. }
    ));
}

#[test]
fn other_transfer_methods_are_refused() {
    let extra = json!({"name": "USDC", "version": "2", "assetTransferMethod": "permit2"});
    assert_eq!(
        refusal_for_v1_offer(with(spec_v1_offer(), "extra", extra)),
        PaymentRefusal::UnsupportedTransferMethod {
            method: "permit2".into()
        }
    );
}

#[test]
fn wrong_token_domain_is_refused() {
    // "USD Coin" is mainnet's name; Base Sepolia's USDC is "USDC".
    let extra = json!({"name": "USD Coin", "version": "2"});
    assert!(matches!(
        refusal_for_v1_offer(with(spec_v1_offer(), "extra", extra)),
        PaymentRefusal::TokenDomainMismatch {
            network: Network::BaseSepolia,
            ..
        }
    ));
    let extra = json!({"name": "USDC", "version": "1"});
    assert!(matches!(
        refusal_for_v1_offer(with(spec_v1_offer(), "extra", extra)),
        PaymentRefusal::TokenDomainMismatch { .. }
    ));
}

#[test]
fn several_bad_offers_are_summarised() {
    let body = v1_body(vec![
        with(spec_v1_offer(), "scheme", json!("upto")),
        with(spec_v1_offer(), "network", json!("solana")),
        json!("not an offer"),
    ]);
    let refusal = quote_challenge(&no_headers, &body).unwrap_err();
    let PaymentRefusal::NoAcceptableOffer { count, reasons } = &refusal else {
        panic!("{refusal:?}");
    };
    assert_eq!(*count, 3);
    assert!(
        reasons.contains("upto") && reasons.contains("solana"),
        "{reasons}"
    );
    let message = refusal.to_string();
    assert!(message.ends_with("Nothing was signed."), "{message}");
    assert_eq!(
        message.matches("Nothing was signed").count(),
        1,
        "{message}"
    );
}

#[test]
fn every_refusal_says_nothing_was_signed() {
    let refusals = [
        PaymentRefusal::NotX402,
        refusal_for_v1_offer(with(spec_v1_offer(), "scheme", json!("upto"))),
        refusal_for_v1_offer(with(spec_v1_offer(), "network", json!("x"))),
        refusal_for_v1_offer(without(spec_v1_offer(), "payTo")),
        refusal_for_v1_offer(with(spec_v1_offer(), "maxTimeoutSeconds", json!(0))),
    ];
    for refusal in refusals {
        assert!(
            refusal.to_string().ends_with("Nothing was signed."),
            "{refusal}"
        );
    }
}

// --- verification --------------------------------------------------------------------------

/// A valid v1 payment to `requirement(Base)` and the requirement itself.
fn paid_v1() -> (Requirement, SignedPayment) {
    let req = requirement(Network::Base);
    let built = req.challenge(X402Version::V1, "x");
    let quote = quote_challenge(&no_headers, &built.body).unwrap();
    let signed = sign(&quote, &signer(), NOW, [9u8; 32]).unwrap();
    (req, signed)
}

fn paid_v2() -> (Requirement, SignedPayment) {
    let req = requirement(Network::Base);
    let (_, value) = req.challenge(X402Version::V2, "x").header.unwrap();
    let quote = quote_challenge(&[("PAYMENT-REQUIRED", value.as_str())][..], b"{}").unwrap();
    let signed = sign(&quote, &signer(), NOW, [9u8; 32]).unwrap();
    (req, signed)
}

/// Decodes a header, lets `edit` change the JSON, encodes it again.
fn tamper(header: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut v = unb64(header);
    edit(&mut v);
    b64(&v)
}

#[test]
fn verify_rejects_wrong_amount() {
    let (req, signed) = paid_v1();
    let asked_more = Requirement {
        amount_atomic: 20_000,
        ..req.clone()
    };
    assert!(matches!(
        verify(&signed.header_value, X402Version::V1, &asked_more, NOW),
        Err(VerifyError::WrongAmount { .. })
    ));
    // Raising the signed value breaks nothing but the amount check comes first.
    let more = tamper(&signed.header_value, |v| {
        v["payload"]["authorization"]["value"] = json!("10001")
    });
    assert!(matches!(
        verify(&more, X402Version::V1, &req, NOW),
        Err(VerifyError::WrongAmount { .. })
    ));
    // v2 checks the echoed offer too.
    let (req, signed) = paid_v2();
    let cheaper = tamper(&signed.header_value, |v| {
        v["accepted"]["amount"] = json!("1")
    });
    assert!(matches!(
        verify(&cheaper, X402Version::V2, &req, NOW),
        Err(VerifyError::WrongAmount { .. })
    ));
}

#[test]
fn verify_rejects_wrong_payee() {
    let (req, signed) = paid_v1();
    let elsewhere = Requirement {
        pay_to: address!("1111111111111111111111111111111111111111"),
        ..req.clone()
    };
    let err = verify(&signed.header_value, X402Version::V1, &elsewhere, NOW).unwrap_err();
    assert!(matches!(err, VerifyError::WrongPayee { .. }), "{err:?}");
    assert_eq!(err.code(), "invalid_exact_evm_payload_recipient_mismatch");

    let (req, signed) = paid_v2();
    let redirected = tamper(&signed.header_value, |v| {
        v["accepted"]["payTo"] = json!("0x1111111111111111111111111111111111111111")
    });
    assert!(matches!(
        verify(&redirected, X402Version::V2, &req, NOW),
        Err(VerifyError::WrongPayee { .. })
    ));
}

#[test]
fn verify_enforces_the_time_window() {
    let (req, signed) = paid_v1();
    // validAfter = NOW - 600, validBefore = NOW + 60.
    assert!(verify(&signed.header_value, X402Version::V1, &req, NOW - 600).is_ok());
    assert!(verify(&signed.header_value, X402Version::V1, &req, NOW + 59).is_ok());
    assert_eq!(
        verify(&signed.header_value, X402Version::V1, &req, NOW + 60).unwrap_err(),
        VerifyError::Expired {
            valid_before: NOW + 60,
            now: NOW + 60
        }
    );
    assert_eq!(
        verify(&signed.header_value, X402Version::V1, &req, NOW - 601).unwrap_err(),
        VerifyError::NotYetValid {
            valid_after: NOW - 600,
            now: NOW - 601
        }
    );
}

#[test]
fn verify_rejects_a_tampered_signature() {
    let (req, signed) = paid_v1();
    // Flip one bit of r.
    let mut sig = hex::decode(&signed.signature_hex[2..]).unwrap();
    sig[5] ^= 0x01;
    let flipped = format!("0x{}", hex::encode(&sig));
    let header = tamper(&signed.header_value, |v| {
        v["payload"]["signature"] = json!(flipped)
    });
    let err = verify(&header, X402Version::V1, &req, NOW).unwrap_err();
    assert!(
        matches!(
            err,
            VerifyError::SignerMismatch { .. } | VerifyError::BadSignature(_)
        ),
        "{err:?}"
    );
    // Truncated, wrong v, not hex.
    for bad in [
        signed.signature_hex[..130].to_owned(),
        format!("{}1d", &signed.signature_hex[..130]),
        "0xzz".to_owned(),
    ] {
        let header = tamper(&signed.header_value, |v| {
            v["payload"]["signature"] = json!(bad)
        });
        assert!(matches!(
            verify(&header, X402Version::V1, &req, NOW),
            Err(VerifyError::BadSignature(_))
        ));
    }
}

#[test]
fn verify_rejects_a_malleated_high_s_signature() {
    use alloy::primitives::Signature;
    let (req, signed) = paid_v1();
    let sig = Signature::from_raw(&hex::decode(&signed.signature_hex[2..]).unwrap()).unwrap();
    // Same signer, s -> n - s, parity flipped: valid for ecrecover, refused by USDC.
    let order = alloy::primitives::U256::from_str_radix(
        "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
        16,
    )
    .unwrap();
    let high = Signature::new(sig.r(), order - sig.s(), !sig.v());
    assert_eq!(
        high.recover_address_from_prehash(&B256::ZERO).ok(),
        sig.recover_address_from_prehash(&B256::ZERO).ok()
    );
    let header = tamper(&signed.header_value, |v| {
        v["payload"]["signature"] = json!(format!("0x{}", hex::encode(high.as_bytes())))
    });
    assert!(matches!(
        verify(&header, X402Version::V1, &req, NOW),
        Err(VerifyError::BadSignature(_))
    ));
}

#[test]
fn verify_rejects_signer_other_than_from() {
    // Key #1 signs an authorization that claims to be from key #0.
    let (req, signed) = paid_v1();
    let claimed = Authorization {
        from: HARDHAT_ADDRESS,
        to: PAYEE,
        value: 10_000,
        valid_after: signed.valid_after,
        valid_before: signed.valid_before,
        nonce: B256::from([9u8; 32]),
    };
    let forged = sign_authorization(&other_signer(), Network::Base, &claimed).unwrap();
    let header = tamper(&signed.header_value, |v| {
        v["payload"]["signature"] = json!(format!("0x{}", hex::encode(forged.as_bytes())))
    });
    assert_eq!(
        verify(&header, X402Version::V1, &req, NOW).unwrap_err(),
        VerifyError::SignerMismatch {
            recovered: other_signer().address().to_checksum(None),
            from: HARDHAT_ADDRESS.to_checksum(None),
        }
    );
    // Claiming another payer, or changing any signed field, changes the recovered address.
    let edits: [(&str, Value); 3] = [
        ("from", json!(other_signer().address().to_checksum(None))),
        ("validBefore", json!((NOW + 59).to_string())),
        ("nonce", json!(format!("0x{}", "0a".repeat(32)))),
    ];
    for (key, value) in edits {
        let header = tamper(&signed.header_value, |v| {
            v["payload"]["authorization"][key] = value
        });
        assert!(
            matches!(
                verify(&header, X402Version::V1, &req, NOW),
                Err(VerifyError::SignerMismatch { .. })
            ),
            "{key}"
        );
    }
}

#[test]
fn verify_rejects_wrong_network() {
    let (req, signed) = paid_v1();
    let sepolia = Requirement {
        network: Network::BaseSepolia,
        ..req.clone()
    };
    assert_eq!(
        verify(&signed.header_value, X402Version::V1, &sepolia, NOW).unwrap_err(),
        VerifyError::WrongNetwork {
            expected: Network::BaseSepolia,
            got: "base".into()
        }
    );
    // Relabelled to the expected network, the signature (over Base's domain) no longer fits.
    let relabelled = tamper(&signed.header_value, |v| {
        v["network"] = json!("base-sepolia")
    });
    assert!(matches!(
        verify(&relabelled, X402Version::V1, &sepolia, NOW),
        Err(VerifyError::SignerMismatch { .. })
    ));
    let (req, signed) = paid_v2();
    let other_chain = tamper(&signed.header_value, |v| {
        v["accepted"]["network"] = json!("eip155:1")
    });
    assert!(matches!(
        verify(&other_chain, X402Version::V2, &req, NOW),
        Err(VerifyError::WrongNetwork { .. })
    ));
}

#[test]
fn verify_rejects_wrong_asset_scheme_and_version() {
    let (req, signed) = paid_v2();
    let lookalike = tamper(&signed.header_value, |v| {
        v["accepted"]["asset"] = json!("0x1111111111111111111111111111111111111111")
    });
    assert!(matches!(
        verify(&lookalike, X402Version::V2, &req, NOW),
        Err(VerifyError::WrongAsset { .. })
    ));
    let upto = tamper(&signed.header_value, |v| {
        v["accepted"]["scheme"] = json!("upto")
    });
    assert_eq!(
        verify(&upto, X402Version::V2, &req, NOW).unwrap_err(),
        VerifyError::WrongScheme("upto".into())
    );
    assert!(matches!(
        verify(&signed.header_value, X402Version::V1, &req, NOW),
        Err(VerifyError::VersionMismatch { expected: 1, .. })
    ));
}

#[test]
fn verify_rejects_malformed_headers() {
    let req = requirement(Network::Base);
    let (_, signed) = paid_v1();
    let cases = [
        "".to_owned(),
        "%%%".to_owned(),
        STANDARD.encode("[]"),
        tamper(&signed.header_value, |v| {
            v["payload"]
                .as_object_mut()
                .unwrap()
                .remove("authorization");
        }),
        tamper(&signed.header_value, |v| {
            v["payload"]["authorization"]["nonce"] = json!("0x1234")
        }),
        tamper(&signed.header_value, |v| {
            v["payload"]["authorization"]["validBefore"] = json!(NOW + 60)
        }),
        tamper(&signed.header_value, |v| {
            v["payload"]["authorization"]["from"] = json!("me")
        }),
    ];
    for header in cases {
        let err = verify(&header, X402Version::V1, &req, NOW).unwrap_err();
        assert!(
            matches!(
                err,
                VerifyError::Malformed(_) | VerifyError::VersionMismatch { .. }
            ),
            "{header}: {err:?}"
        );
    }
}

// --- settlement ----------------------------------------------------------------------------

#[test]
fn settlement_is_optional() {
    assert_eq!(parse_settlement(&no_headers).unwrap(), None);
}

#[test]
fn settlement_prefers_v2_and_tolerates_nulls() {
    let v2 = json!({"success": true, "transaction": "0xabc", "network": "eip155:8453", "payer": "0xf39F"});
    let v1 = json!({"success": false, "transaction": null, "network": "base", "errorReason": null});
    let both = vec![
        ("X-PAYMENT-RESPONSE".to_owned(), b64(&v1)),
        ("payment-response".to_owned(), b64(&v2)),
    ];
    let s = parse_settlement(&both).unwrap().unwrap();
    assert_eq!(s.version, X402Version::V2);
    assert!(s.success);
    assert_eq!(s.transaction.as_deref(), Some("0xabc"));
    assert_eq!(s.payer.as_deref(), Some("0xf39F"));

    let only_v1 = vec![("x-payment-response".to_owned(), b64(&v1))];
    let s = parse_settlement(&only_v1).unwrap().unwrap();
    assert_eq!(s.version, X402Version::V1);
    assert!(!s.success);
    assert_eq!(s.transaction, None);
    assert_eq!(s.error_reason, None);
}

#[test]
fn settlement_failure_and_garbage() {
    let failed = json!({"success": false, "errorReason": "insufficient_funds", "transaction": ""});
    let h = vec![("PAYMENT-RESPONSE".to_owned(), b64(&failed))];
    let s = parse_settlement(&h).unwrap().unwrap();
    assert_eq!(s.error_reason.as_deref(), Some("insufficient_funds"));
    assert_eq!(s.transaction, None);

    for bad in [
        "???".to_owned(),
        b64(&json!({"transaction": "0x1"})),
        b64(&json!([true])),
    ] {
        let h = vec![("PAYMENT-RESPONSE".to_owned(), bad)];
        assert!(matches!(
            parse_settlement(&h),
            Err(SettlementError::Malformed {
                header: "PAYMENT-RESPONSE",
                ..
            })
        ));
    }
}

#[test]
fn settlement_header_round_trips() {
    for version in [X402Version::V1, X402Version::V2] {
        let s = Settlement {
            version,
            success: true,
            transaction: Some("0x".to_owned() + &"ab".repeat(32)),
            network: Some(Network::Base.wire_name(version).to_owned()),
            payer: Some(HARDHAT_ADDRESS.to_checksum(None)),
            error_reason: None,
        };
        let (name, value) = s.to_header();
        assert_eq!(name, version.settlement_header());
        let parsed = parse_settlement(&vec![(name.to_owned(), value)])
            .unwrap()
            .unwrap();
        assert_eq!(parsed, s);
    }
}

// --- wire details --------------------------------------------------------------------------

#[test]
fn built_challenges_match_the_spec_shapes() {
    let req = requirement(Network::BaseSepolia);
    let v1: Value = serde_json::from_slice(
        &req.challenge(X402Version::V1, "X-PAYMENT header is required")
            .body,
    )
    .unwrap();
    assert_eq!(
        v1,
        json!({"x402Version": 1, "error": "X-PAYMENT header is required",
               "accepts": [without(spec_v1_offer(), "outputSchema")]})
    );
    let (_, header) = req
        .challenge(X402Version::V2, "PAYMENT-SIGNATURE header is required")
        .header
        .unwrap();
    assert_eq!(
        unb64(&header),
        json!({
            "x402Version": 2,
            "error": "PAYMENT-SIGNATURE header is required",
            "resource": {"url": "https://api.example.com/premium-data", "description": "Access to premium market data", "mimeType": "application/json"},
            "accepts": [{"scheme": "exact", "network": "eip155:84532", "amount": "10000",
                         "asset": "0x036CbD53842c5426634e7929541eC2318f3dCF7e",
                         "payTo": "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", "maxTimeoutSeconds": 60,
                         "extra": {"name": "USDC", "version": "2"}}]
        })
    );
    // Standard alphabet with padding, never URL-safe.
    assert!(header
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)));
    assert_eq!(header.len() % 4, 0);
}

#[test]
fn network_names() {
    assert_eq!(Network::from_wire("base"), Some(Network::Base));
    assert_eq!(Network::from_wire("eip155:8453"), Some(Network::Base));
    assert_eq!(
        Network::from_wire("base-sepolia"),
        Some(Network::BaseSepolia)
    );
    assert_eq!(
        Network::from_wire("eip155:84532"),
        Some(Network::BaseSepolia)
    );
    assert_eq!(Network::from_wire("eip155:1"), None);
    assert_eq!(Network::Base.wire_name(X402Version::V2), "eip155:8453");
    assert_eq!(
        serde_json::to_value(Network::BaseSepolia).unwrap(),
        json!("base-sepolia")
    );
}

#[test]
fn ui_types_have_specta_definitions() {
    use specta::Type;
    let mut types = specta::Types::default();
    for dt in [
        PaymentQuote::definition(&mut types),
        SignedPayment::definition(&mut types),
        Settlement::definition(&mut types),
        JsonValue::definition(&mut types),
    ] {
        assert!(
            matches!(dt, specta::datatype::DataType::Reference(_)),
            "{dt:?}"
        );
    }
}

// ---------------------------------------------------------------- where a 402 keeps its challenge

/// BlockRun's documented 402 body: words and a price, no challenge in it (the challenge is in the
/// headers next to it).
const BLOCKRUN_WORDS_BODY: &str = r#"{"error":"Payment Required","message":"Enrolling a RealFace asset costs $0.0110 USDC.","price":{"amount":"0.0110","currency":"USD"},"paymentInfo":{"network":"base","asset":"USDC","x402Version":2}}"#;

#[test]
fn every_documented_402_shape_yields_the_same_quote() {
    for version in [X402Version::V1, X402Version::V2] {
        let required = requirement(Network::BaseSepolia).payment_required(version, "pay");
        let expected = parse_challenge(&no_headers, &serde_json::to_vec(&required).unwrap())
            .unwrap()
            .quote()
            .unwrap();
        let encoded = b64(&required);
        let plain = required.to_string();
        let mut bare_accepts = required.clone();
        bare_accepts.as_object_mut().unwrap().remove("x402Version");
        let nested = json!({ "error": "Payment Required", "x402": required });
        type Headers<'a> = Vec<(&'a str, &'a str)>;
        let cases: Vec<(&str, Headers, String)> = vec![
            (
                "PAYMENT-REQUIRED",
                vec![("payment-required", &encoded)],
                "{}".into(),
            ),
            (
                "X-Payment-Required, base64",
                vec![("X-Payment-Required", &encoded)],
                BLOCKRUN_WORDS_BODY.into(),
            ),
            (
                "X-Payment-Required, bare JSON",
                vec![("x-payment-required", &plain)],
                BLOCKRUN_WORDS_BODY.into(),
            ),
            (
                "X-Payment on the 402",
                vec![("X-Payment", &encoded)],
                BLOCKRUN_WORDS_BODY.into(),
            ),
            ("body with x402Version", vec![], plain.clone()),
            ("body with accepts only", vec![], bare_accepts.to_string()),
            ("body with an x402 object", vec![], nested.to_string()),
        ];
        for (what, headers, body) in cases {
            let challenge = parse_challenge(headers.as_slice(), body.as_bytes())
                .unwrap_or_else(|e| panic!("{version:?} {what}: {e}"));
            assert_eq!(challenge.version, version, "{what}");
            assert_eq!(challenge.error.as_deref(), Some("pay"), "{what}");
            assert_eq!(challenge.quote().unwrap(), expected, "{version:?} {what}");
        }
    }
}

#[test]
fn a_402_with_no_challenge_anywhere_is_not_x402() {
    for body in [
        BLOCKRUN_WORDS_BODY,
        "{}",
        "",
        "<html>pay us</html>",
        r#"{"x402":true}"#,
    ] {
        assert_eq!(
            parse_challenge(&no_headers, body.as_bytes()),
            Err(PaymentRefusal::NotX402),
            "{body}"
        );
    }
    // `accepts` without a version, whose offers do not say it either.
    let odd = json!({ "accepts": [{ "scheme": "exact" }] }).to_string();
    assert!(matches!(
        parse_challenge(&no_headers, odd.as_bytes()),
        Err(PaymentRefusal::MalformedChallenge { .. })
    ));
}

#[test]
fn the_first_challenge_header_present_decides() {
    let required = requirement(Network::BaseSepolia).payment_required(X402Version::V2, "pay");
    let good = b64(&required);
    // A broken PAYMENT-REQUIRED is refused, not skipped for a later header.
    let headers = [
        ("PAYMENT-REQUIRED", "%%%"),
        ("X-Payment-Required", good.as_str()),
    ];
    assert!(matches!(
        parse_challenge(&headers[..], b"{}"),
        Err(PaymentRefusal::MalformedChallenge { reason }) if reason.contains("PAYMENT-REQUIRED")
    ));
    // A header wins over the body.
    let other = requirement(Network::Base).payment_required(X402Version::V1, "body");
    let headers = [("X-Payment", good.as_str())];
    let c = parse_challenge(&headers[..], other.to_string().as_bytes()).unwrap();
    assert_eq!((c.version, c.from_header), (X402Version::V2, true));
}
