#![no_main]

use likeness::fuzzing::{provider_answer, Api};

libfuzzer_sys::fuzz_target!(|data: &[u8]| provider_answer(Api::Video, data));
