//! `likeness wallet` as operators and scripts use it, through the real binary.
//!
//! Tests that store a key need a Secret Service, so a plain `cargo test` ignores them;
//! scripts/test-all runs them with `dbus-run-session` and `--ignored`. The rest (keys from
//! `--wallet-key-env`, refusals that happen before the keychain is touched) run everywhere.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_likeness");

/// Hardhat's account #0: a public test key that never holds real funds.
const HARDHAT_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const HARDHAT_ADDRESS: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
/// Hardhat's account #1.
const OTHER_KEY: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

/// The `likeness` binary against a keyring service of its own: tests run in parallel and must
/// not share entries (nor touch the operator's real wallet).
struct Cli {
    service: String,
}

impl Cli {
    fn new(test: &str) -> Cli {
        Cli {
            service: format!("likeness-studio-test-wallet-{test}-{}", std::process::id()),
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.args(args)
            .env("LIKENESS_KEYRING_SERVICE", &self.service)
            .env_remove("STUDIO_WALLET_KEY")
            .stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    fn run_with_env(&self, args: &[&str], var: &str, value: &str) -> Output {
        self.cmd(args).env(var, value).output().unwrap()
    }

    fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }
}

fn text(out: &Output) -> String {
    format!(
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn json(out: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .last()
        .unwrap_or_else(|| panic!("no output; {}", text(out)));
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON: {line:?}: {e}"))
}

fn result(out: &Output) -> Value {
    assert!(out.status.success(), "failed; {}", text(out));
    json(out)["result"].clone()
}

/// The `{"error": {...}}` of a failed `--json` command.
fn error(out: &Output) -> Value {
    assert!(!out.status.success(), "succeeded; {}", text(out));
    json(out)["error"].clone()
}

/// Neither stdout nor stderr carries any part of `key` long enough to matter.
fn assert_no_key(out: &Output, key: &str) {
    let all = text(out);
    let digits = key.trim().trim_start_matches("0x");
    for chunk in digits.as_bytes().chunks(16) {
        let chunk = std::str::from_utf8(chunk).unwrap();
        assert!(
            chunk.len() < 8 || !all.contains(chunk),
            "the output quotes the key: {all}"
        );
    }
}

fn explorer(address: &str) -> String {
    format!("https://basescan.org/address/{address}")
}

// --- no keychain needed ---

#[test]
fn address_from_wallet_key_env_derives_the_checksummed_address() {
    let cli = Cli::new("env-address");
    for key in [HARDHAT_KEY, HARDHAT_KEY.trim_start_matches("0x")] {
        let out = cli.run_with_env(
            &[
                "--json",
                "--wallet-key-env",
                "STUDIO_WALLET_KEY",
                "wallet",
                "address",
            ],
            "STUDIO_WALLET_KEY",
            &format!(" {key}\n"),
        );
        assert_eq!(
            result(&out),
            serde_json::json!({"address": HARDHAT_ADDRESS, "explorerUrl": explorer(HARDHAT_ADDRESS)})
        );
        assert_no_key(&out, key);
    }

    // The flag is global, so it also goes after the subcommand; humans get the same facts.
    let out = cli.run_with_env(
        &["wallet", "address", "--wallet-key-env", "STUDIO_WALLET_KEY"],
        "STUDIO_WALLET_KEY",
        HARDHAT_KEY,
    );
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(HARDHAT_ADDRESS), "{stdout}");
    assert!(stdout.contains(&explorer(HARDHAT_ADDRESS)), "{stdout}");
    assert!(stdout.contains("not stored"), "{stdout}");
    assert_no_key(&out, HARDHAT_KEY);
}

#[test]
fn wallet_key_env_that_is_unset_or_malformed_fails_clearly_without_echoing_the_key() {
    let cli = Cli::new("env-bad");
    let out = cli.run(&[
        "--json",
        "--wallet-key-env",
        "STUDIO_WALLET_KEY",
        "wallet",
        "address",
    ]);
    let e = error(&out);
    assert_eq!(e["code"], "invalid_input");
    assert_eq!(e["field"], "wallet_key_env");
    assert!(
        e["message"].as_str().unwrap().contains("STUDIO_WALLET_KEY"),
        "{e}"
    );

    let truncated = &HARDHAT_KEY[..60];
    let out = cli.run_with_env(
        &[
            "--json",
            "--wallet-key-env",
            "STUDIO_WALLET_KEY",
            "wallet",
            "address",
        ],
        "STUDIO_WALLET_KEY",
        truncated,
    );
    let e = error(&out);
    assert_eq!(e["code"], "invalid_input");
    assert_eq!(e["field"], "wallet_key");
    let message = e["message"].as_str().unwrap();
    assert!(
        message.contains("STUDIO_WALLET_KEY") && message.contains("64 hex characters"),
        "{message}"
    );
    assert_no_key(&out, truncated);

    // Without --json the error goes to stderr, still without the key.
    let out = cli.run_with_env(
        &["--wallet-key-env", "STUDIO_WALLET_KEY", "wallet", "address"],
        "STUDIO_WALLET_KEY",
        &format!("{truncated}zz"),
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not hexadecimal"),
        "{}",
        text(&out)
    );
    assert_no_key(&out, truncated);
}

#[test]
fn keychain_commands_refuse_wallet_key_env_instead_of_ignoring_it() {
    let cli = Cli::new("env-refused");
    for command in ["new", "export", "delete"] {
        let out = cli.run_with_env(
            &[
                "--json",
                "--yes",
                "--wallet-key-env",
                "STUDIO_WALLET_KEY",
                "wallet",
                command,
            ],
            "STUDIO_WALLET_KEY",
            HARDHAT_KEY,
        );
        let e = error(&out);
        assert_eq!(e["field"], "wallet_key_env", "{command}: {e}");
        assert!(
            e["message"].as_str().unwrap().contains(command),
            "{command}: {e}"
        );
        assert_no_key(&out, HARDHAT_KEY);
    }
}

#[test]
fn import_refuses_malformed_or_missing_keys_before_touching_the_keychain() {
    let cli = Cli::new("import-bad");
    for (stdin, why) in [
        ("", "No key was given"),
        ("  \n", "No key was given"),
        (&HARDHAT_KEY[..50], "64 hex characters"),
        (HARDHAT_ADDRESS, "an address"),
        (
            "0xzz74bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
            "not hexadecimal",
        ),
        (
            "test test test test test test test test test test test junk",
            "seed phrases",
        ),
    ] {
        let out = cli.run_with_stdin(&["--json", "wallet", "import"], stdin);
        let e = error(&out);
        assert_eq!(e["code"], "invalid_input", "{stdin:?}: {e}");
        assert_eq!(e["field"], "wallet_key", "{stdin:?}: {e}");
        assert!(
            e["message"].as_str().unwrap().contains(why),
            "{stdin:?}: {e}"
        );
        assert_no_key(&out, stdin);
    }
}

#[test]
fn import_refuses_a_key_passed_as_an_argument_without_echoing_it() {
    let cli = Cli::new("import-argv");
    let out = cli.run(&["--json", "wallet", "import", HARDHAT_KEY]);
    let e = error(&out);
    assert_eq!(e["field"], "wallet_key");
    let message = e["message"].as_str().unwrap();
    assert!(
        message.contains("process list") && message.contains("Nothing was stored"),
        "{message}"
    );
    assert_no_key(&out, HARDHAT_KEY);
}

// --- the OS keychain ---

#[test]
#[ignore = "needs a Secret Service; run by scripts/test-all inside dbus-run-session"]
fn wallet_new_address_export_delete_through_the_keychain() {
    let cli = Cli::new("lifecycle");
    let e = error(&cli.run(&["--json", "wallet", "address"]));
    assert_eq!(e["code"], "not_found", "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("likeness wallet new"),
        "{e}"
    );

    let created = result(&cli.run(&["--json", "wallet", "new"]));
    let address = created["address"].as_str().unwrap().to_string();
    assert!(
        address.starts_with("0x") && address.len() == 42,
        "{created}"
    );
    assert!(
        alloy::primitives::Address::parse_checksummed(&address, None).is_ok(),
        "EIP-55 checksummed: {address}"
    );
    assert_eq!(created["explorerUrl"], explorer(&address));
    assert_eq!(created.as_object().unwrap().len(), 2, "never the key");
    assert_eq!(
        result(&cli.run(&["--json", "wallet", "address"])),
        created,
        "a second process reads the same wallet"
    );

    let e = error(&cli.run(&["--json", "wallet", "new"]));
    assert_eq!(e["code"], "invalid_input");
    assert!(
        e["message"].as_str().unwrap().contains("delete it first"),
        "{e}"
    );
    assert_eq!(
        result(&cli.run(&["--json", "wallet", "address"]))["address"],
        address.as_str(),
        "the refusal kept the wallet"
    );

    // Export needs --yes when there is no terminal to type EXPORT at.
    let out = cli.run(&["--json", "wallet", "export"]);
    let e = error(&out);
    assert_eq!(e["field"], "yes", "{e}");
    assert!(e["message"].as_str().unwrap().contains("--yes"), "{e}");
    assert!(!text(&out).contains("privateKey"));
    let out = cli.run(&["wallet", "export"]);
    assert!(
        !out.status.success() && out.stdout.is_empty(),
        "{}",
        text(&out)
    );

    let exported = result(&cli.run(&["--json", "--yes", "wallet", "export"]));
    assert_eq!(exported["address"], address.as_str());
    let key = exported["privateKey"].as_str().unwrap().to_string();
    assert!(key.starts_with("0x") && key.len() == 66, "{exported}");
    // The exported key is the wallet's: it derives the same address.
    let derived = result(&cli.run_with_env(
        &["--json", "--wallet-key-env", "K", "wallet", "address"],
        "K",
        &key,
    ));
    assert_eq!(derived["address"], address.as_str());

    // Humans get the key alone on stdout, the warning on stderr.
    let out = cli.run(&["wallet", "export", "--yes"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{key}\n"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("spend"));

    let e = error(&cli.run(&["--json", "wallet", "delete"]));
    assert_eq!(e["field"], "yes", "{e}");
    assert!(e["message"].as_str().unwrap().contains(&address), "{e}");
    assert_eq!(
        result(&cli.run(&["--json", "wallet", "address"]))["address"],
        address.as_str(),
        "an unconfirmed delete deletes nothing"
    );

    assert_eq!(
        result(&cli.run(&["--json", "--yes", "wallet", "delete"])),
        serde_json::json!({"deleted": true, "address": address})
    );
    assert_eq!(
        error(&cli.run(&["--json", "wallet", "address"]))["code"],
        "not_found"
    );
    assert_eq!(
        result(&cli.run(&["--json", "--yes", "wallet", "delete"])),
        serde_json::json!({"deleted": false, "address": null}),
        "deleting again is fine"
    );
    let out = cli.run(&["wallet", "delete"]);
    assert!(out.status.success(), "nothing to confirm: {}", text(&out));
}

#[test]
#[ignore = "needs a Secret Service; run by scripts/test-all inside dbus-run-session"]
fn wallet_import_from_stdin_or_env_stores_the_key_under_wallet_key() {
    let cli = Cli::new("import");
    let out = cli.run_with_stdin(
        &["--json", "wallet", "import"],
        &format!("  {}\n", HARDHAT_KEY.to_uppercase().replace("0X", "0x")),
    );
    assert_eq!(
        result(&out),
        serde_json::json!({"address": HARDHAT_ADDRESS, "explorerUrl": explorer(HARDHAT_ADDRESS)})
    );
    assert_no_key(&out, HARDHAT_KEY);

    // The keychain entry: service from LIKENESS_KEYRING_SERVICE, account `wallet-key`, and the
    // key in one canonical form.
    let entry = keyring::Entry::new(&cli.service, "wallet-key").unwrap();
    assert_eq!(entry.get_password().unwrap(), HARDHAT_KEY);

    // The same key again is fine; a different one is refused and the wallet kept.
    let out = cli.run_with_stdin(&["--json", "wallet", "import"], HARDHAT_KEY);
    assert_eq!(result(&out)["address"], HARDHAT_ADDRESS);
    let out = cli.run_with_stdin(&["--json", "wallet", "import"], OTHER_KEY);
    let e = error(&out);
    assert!(
        e["message"].as_str().unwrap().contains("delete it first"),
        "{e}"
    );
    assert_no_key(&out, OTHER_KEY);
    assert_eq!(entry.get_password().unwrap(), HARDHAT_KEY);

    assert!(cli.run(&["--yes", "wallet", "delete"]).status.success());
    assert!(matches!(entry.get_password(), Err(keyring::Error::NoEntry)));

    // `wallet import --wallet-key-env` stores the variable's key.
    let out = cli.run_with_env(
        &["wallet", "import", "--wallet-key-env", "STUDIO_WALLET_KEY"],
        "STUDIO_WALLET_KEY",
        OTHER_KEY,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Imported"));
    assert_no_key(&out, OTHER_KEY);
    assert_eq!(entry.get_password().unwrap(), OTHER_KEY);

    assert!(cli.run(&["--yes", "wallet", "delete"]).status.success());
}

#[test]
#[ignore = "needs a Secret Service; run by scripts/test-all inside dbus-run-session"]
fn wallet_address_with_wallet_key_env_stores_nothing() {
    let cli = Cli::new("env-stores-nothing");
    let out = cli.run_with_env(
        &[
            "--json",
            "--wallet-key-env",
            "STUDIO_WALLET_KEY",
            "wallet",
            "address",
        ],
        "STUDIO_WALLET_KEY",
        HARDHAT_KEY,
    );
    assert_eq!(result(&out)["address"], HARDHAT_ADDRESS);
    assert_eq!(
        error(&cli.run(&["--json", "wallet", "address"]))["code"],
        "not_found",
        "the env key was not stored"
    );

    // With a keychain wallet present, the flag still reports the variable's key and leaves the
    // keychain's alone.
    let stored = result(&cli.run(&["--json", "wallet", "new"]))["address"].clone();
    let out = cli.run_with_env(
        &[
            "--json",
            "--wallet-key-env",
            "STUDIO_WALLET_KEY",
            "wallet",
            "address",
        ],
        "STUDIO_WALLET_KEY",
        HARDHAT_KEY,
    );
    assert_eq!(result(&out)["address"], HARDHAT_ADDRESS);
    assert_eq!(
        result(&cli.run(&["--json", "wallet", "address"]))["address"],
        stored
    );
    assert!(cli.run(&["--yes", "wallet", "delete"]).status.success());
}
