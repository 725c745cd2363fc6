//! `likeness`: the studio from a terminal. Its commands and flags are a public contract.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
