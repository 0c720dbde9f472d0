//! `kintone`: the command line of kintone-rs.

mod api;
mod app_files;
mod checkpoint;
mod cli;
mod connection;
mod csv_export;
mod csv_format;
mod delete;
mod encoding;
mod error;
mod export;
/// Tables the code generator writes from the spec (`cargo xtask regenerate`).
#[rustfmt::skip]
#[allow(clippy::all)]
mod generated {
    pub mod operations;
}
mod import;
/// The record tree the CSV export was written from before, now the oracle of its tests.
#[cfg(test)]
mod json_view;
mod progress;
mod spec;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::cli::{AppCommand, Cli, Command, FormCommand, RecordCommand};
use crate::error::{one_line, redact, CliError, EXIT_FAILURE, EXIT_OK};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version exit 0, usage errors 2, as clap decides.
        Err(e) => e.exit(),
    };
    init_tracing(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: the async runtime could not start: {e}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    let quiet = cli.quiet;
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(e) => {
            let _ = std::io::stdout().flush();
            if !quiet || !matches!(e, CliError::Usage(_)) {
                eprintln!("error: {}", redact(&one_line(&e.to_string())));
            }
            ExitCode::from(e.exit_code())
        }
    }
}

async fn run(cli: Cli) -> Result<(), CliError> {
    let quiet = cli.quiet;
    match cli.command {
        Command::Record(record) => match *record {
            RecordCommand::Export(args) => export::run(args, quiet).await,
            RecordCommand::Import(args) => import::run(args, quiet).await,
            RecordCommand::Delete(args) => delete::run(args, quiet).await,
        },
        Command::App(app) => match app {
            AppCommand::Pull(args) => app_files::pull(args, quiet).await,
            AppCommand::Diff(args) => app_files::diff(args).await,
            AppCommand::Push(args) => app_files::push(args, quiet).await,
        },
        Command::Form(FormCommand::Types(args)) => app_files::form_types(args).await,
        Command::Api(args) => api::run(args).await,
        Command::Completion { shell } => {
            let mut command = Cli::command();
            clap_complete::generate(shell, &mut command, "kintone", &mut std::io::stdout());
            Ok(())
        }
    }
}

/// `--verbose`: the client's request spans and events on standard error, through the same
/// redaction as errors.
fn init_tracing(verbose: bool) {
    if !verbose {
        return;
    }
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(|| RedactingStderr)
        .try_init();
}

/// Standard error with every registered secret scrubbed from each write.
struct RedactingStderr;

impl Write for RedactingStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        std::io::stderr().write_all(redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command and command group shows an example in its help.
    #[test]
    fn every_command_has_an_example() {
        fn check(command: &clap::Command, path: &str) {
            let path = format!("{path} {}", command.get_name());
            if command.get_name() != "help" {
                let help = command
                    .get_after_help()
                    .map(|h| h.to_string())
                    .unwrap_or_default();
                assert!(help.contains("\n  kintone "), "{path} has no example");
            }
            for sub in command.get_subcommands() {
                check(sub, &path);
            }
        }
        let command = Cli::command();
        command.clone().debug_assert();
        check(&command, "");
    }
}
