//! Likeness Studio core: everything that does not need a window.
//!
//! The Tauri shell (`src-tauri/`) and the `likeness` CLI are thin layers over this crate:
//! - [`providers`]: one module per provider, wire types private;
//! - [`flow`]: the enrollment state machine, the poll schedule and the [`flow::Studio`] driver;
//! - [`library`]: SQLite for sessions, faces and the provider call log;
//! - [`photo`], [`qr`]: the face photo check and the QR;
//! - [`payment`]: the x402 wire format, its own crate (`crates/x402`) because Rehearsal checks
//!   the same payments the client signs; Rehearsal itself is the `rehearsal/` crate, started by
//!   [`stage`] and the CLI and never imported by the client;
//! - [`secrets`], [`settings`]: the OS keyring and the operator's settings;
//! - [`wallet`]: the studio wallet that signs x402 payments;
//! - [`video`]: Seedance video jobs with a library face, per provider.

pub mod balance;
pub mod clock;
pub mod error;
pub mod flow;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod hosting;
pub mod http;
pub mod library;
pub mod media;
pub mod phone_reach;
pub mod photo;
pub mod providers;
pub mod qr;
pub mod secrets;
pub mod settings;
pub mod spend;
pub mod stage;
pub mod video;
pub mod wallet;

pub use x402 as payment;

pub use error::{CommandError, Error, ErrorCode, Result};
