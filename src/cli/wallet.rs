//! `likeness wallet …`: the studio wallet's key in the OS keychain, and the typed confirmations
//! that guard exporting and deleting it.
#![allow(clippy::print_stdout)]

use clap::Subcommand;

use super::output::Output;
use std::io::{IsTerminal, Write};

use likeness::error::{Error, ErrorCode, Result};
use likeness::secrets::Secret;
use likeness::wallet::{checksummed, Wallet, WalletInfo};

use super::{keyring, Global};

#[derive(Subcommand)]
pub enum WalletCommand {
    /// Make a new key in the system keychain and print its address.
    New,
    /// Store an existing private key: hex from stdin, or from --wallet-key-env VAR.
    Import {
        /// Only caught to refuse it without echoing it: argv shows in the process list.
        #[arg(hide = true)]
        key_argument: Option<String>,
    },
    /// Print the wallet's address and its Basescan link (with --wallet-key-env: that key's).
    Address,
    /// Print the private key for a backup; needs --yes, or EXPORT typed at the prompt.
    Export,
    /// Remove the key from the keychain for good; needs --yes, or DELETE typed at the prompt.
    Delete,
}

/// The wallet commands work on the keychain's wallet by design (`import` stores the key given
/// by --wallet-key-env), so they use the keyring whatever the flags; only `wallet address
/// --wallet-key-env` reads no keyring.
pub fn run(g: &Global, out: &Output, cmd: WalletCommand) -> Result<()> {
    let store = keyring();
    match cmd {
        WalletCommand::New => {
            keychain_only(g, "new")?;
            let address = Wallet::create(&store)?;
            out.wallet(
                &WalletInfo::base(address),
                "Created the studio wallet. Fund it with USDC on Base, and back up its key with \
                 `likeness wallet export`.",
            );
            Ok(())
        }
        WalletCommand::Import { key_argument } => {
            if key_argument.is_some() {
                return Err(Error::invalid(
                    "wallet_key",
                    "Do not pass the key as an argument: other users can read arguments in the \
                     process list. Pipe it into `likeness wallet import`, or pass --wallet-key-env \
                     VAR. If that was a real key with funds, consider it exposed. Nothing was \
                     stored.",
                ));
            }
            let address = match &g.wallet_key_env {
                Some(var) => Wallet::import_signer(&store, &Wallet::from_env(var)?)?,
                None => Wallet::import(&store, read_key_from_stdin()?.expose())?,
            };
            out.wallet(&WalletInfo::base(address), "Imported the studio wallet.");
            Ok(())
        }
        WalletCommand::Address => match &g.wallet_key_env {
            Some(var) => {
                let address = Wallet::from_env(var)?.address();
                out.wallet(
                    &WalletInfo::base(address),
                    &format!("The wallet key in {var} (not stored):"),
                );
                Ok(())
            }
            None => {
                let store =
                    store.or_else_offer("Name the key for this run instead: --wallet-key-env VAR");
                let address = Wallet::address(&store)?.ok_or_else(no_wallet)?;
                out.wallet(&WalletInfo::base(address), "The studio wallet:");
                Ok(())
            }
        },
        WalletCommand::Export => {
            keychain_only(g, "export")?;
            let address = Wallet::address(&store)?.ok_or_else(no_wallet)?;
            let confirmed = typed_confirmation(
                g,
                out,
                "EXPORT",
                &format!(
                    "This prints the private key of the studio wallet {}. Anyone who sees it can \
                     spend the wallet's funds.",
                    checksummed(address)
                ),
                "Not confirmed; the key was not shown.",
            )?;
            let key = Wallet::export(&store, confirmed)?;
            out.wallet_key(&WalletInfo::base(address), &key);
            Ok(())
        }
        WalletCommand::Delete => {
            keychain_only(g, "delete")?;
            let current = match Wallet::address(&store) {
                Ok(Some(address)) => Some(Some(address)),
                Ok(None) => None,
                // The stored key is unreadable: deleting it is the way out.
                Err(e) if e.code() == ErrorCode::InvalidInput => Some(None),
                Err(e) => return Err(e),
            };
            let Some(address) = current else {
                Wallet::delete(&store)?;
                out.wallet_deleted(None, false);
                return Ok(());
            };
            let what = match address {
                Some(a) => format!("the studio wallet {}", checksummed(a)),
                None => "the unreadable studio wallet key".to_string(),
            };
            typed_confirmation(
                g,
                out,
                "DELETE",
                &format!(
                    "This deletes {what} from the keychain. Unless its key was exported \
                     (`likeness wallet export`), the key and any funds on it are lost for good."
                ),
                "Not confirmed; the wallet was not deleted.",
            )?;
            Wallet::delete(&store)?;
            out.wallet_deleted(address.map(WalletInfo::base).as_ref(), true);
            Ok(())
        }
    }
}

/// `--wallet-key-env` names a key for `wallet address` and `wallet import`; the other wallet
/// commands work on the keychain's wallet, so they refuse it rather than silently ignore it.
fn keychain_only(g: &Global, command: &str) -> Result<()> {
    match &g.wallet_key_env {
        Some(_) => Err(Error::invalid(
            "wallet_key_env",
            format!(
                "`likeness wallet {command}` works on the wallet in the system keychain; run it \
                 without --wallet-key-env."
            ),
        )),
        None => Ok(()),
    }
}

fn no_wallet() -> Error {
    Error::NotFound(
        "There is no studio wallet yet. Create one with `likeness wallet new`, or import a key \
         with `likeness wallet import`."
            .into(),
    )
}

/// The key for `wallet import`, from stdin: pasted at a prompt with echo off on a terminal, or
/// piped in. Never from an argument, which other users can read in the process list.
fn read_key_from_stdin() -> Result<Secret> {
    use std::io::Read;
    let stdin = std::io::stdin();
    let mut text = String::new();
    if stdin.is_terminal() {
        eprint!("Paste the wallet's private key (hex), then press Enter: ");
        let _ = std::io::stderr().flush();
        let echo_off = set_terminal_echo(false);
        let read = stdin.read_line(&mut text);
        if echo_off {
            set_terminal_echo(true);
        }
        eprintln!();
        read.map_err(|e| Error::Internal(format!("cannot read the key from the terminal: {e}")))?;
    } else {
        stdin
            .lock()
            .take(64 * 1024)
            .read_to_string(&mut text)
            .map_err(|_| {
                Error::invalid(
                    "wallet_key",
                    "Could not read the key from stdin: it is not text. Pipe in the 64-character \
                     hex private key.",
                )
            })?;
    }
    let key = Secret::new(text);
    if key.expose().trim().is_empty() {
        return Err(Error::invalid(
            "wallet_key",
            "No key was given. Pipe the hex private key into `likeness wallet import`, or pass \
             --wallet-key-env VAR. Never pass it as an argument.",
        ));
    }
    Ok(key)
}

/// Turns the terminal's echo on or off through `stty`; `true` when it worked.
fn set_terminal_echo(on: bool) -> bool {
    if !cfg!(unix) {
        return false;
    }
    std::process::Command::new("stty")
        .arg(if on { "echo" } else { "-echo" })
        .stdin(std::process::Stdio::inherit())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Dangerous wallet steps need more than a "y": `--yes`, or `word` typed at the prompt. The
/// prompt goes to stderr so stdout stays clean for the key or the JSON.
fn typed_confirmation(
    g: &Global,
    out: &Output,
    word: &str,
    warning: &str,
    refused: &str,
) -> Result<bool> {
    if g.yes {
        return Ok(true);
    }
    if out.json || !std::io::stdin().is_terminal() {
        return Err(Error::invalid(
            "yes",
            format!("{warning} Pass --yes to confirm without a prompt."),
        ));
    }
    eprint!("{warning}\nType {word} to confirm: ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    if answer.trim() == word {
        Ok(true)
    } else {
        Err(Error::invalid("yes", refused))
    }
}
