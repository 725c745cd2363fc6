#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| likeness::fuzzing::x402_settlement(data));
