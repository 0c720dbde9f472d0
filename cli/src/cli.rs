//! The command line's shape: every command, option and example, read by clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use kintone_api::Secret;

/// kintone from the command line: records in and out, apps as files, every REST operation.
#[derive(Debug, Parser)]
#[command(
    name = "kintone",
    version,
    propagate_version = true,
    after_help = "Examples:\n  kintone record export --base-url https://example.cybozu.com --api-token $TOKEN --app 12 > orders.csv\n  kintone record import --app 12 --file-path orders.csv --update-key Code\n  kintone record delete --app 12 --condition 'Status = \"Done\"' --yes"
)]
pub struct Cli {
    /// Print nothing but the results and errors (no progress).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Trace every request on standard error (operation, status, time; never a secret).
    #[arg(long, short, global = true, conflicts_with = "quiet")]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Export, import and delete records.
    #[command(
        subcommand,
        after_help = "Example:\n  kintone record export --app 12 --output orders.csv"
    )]
    Record(Box<RecordCommand>),
    /// Keep apps' settings as YAML files: pull, diff, push (one app, or a project of several).
    #[command(
        subcommand,
        after_help = "Example:\n  kintone app pull --app 12 --dir apps/orders"
    )]
    App(AppCommand),
    /// Call any operation of the REST API by its operation id, or list them with --list.
    Api(ApiArgs),
    /// Typed record structs from an app's form.
    #[command(
        subcommand,
        after_help = "Example:\n  kintone form types --app 12 --name Order --out src/order.rs"
    )]
    Form(FormCommand),
    /// Print a shell completion script.
    #[command(after_help = "Example:\n  kintone completion bash > /etc/bash_completion.d/kintone")]
    Completion {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// How to reach kintone and who to be there. Each option can also come from the environment.
#[derive(Debug, Clone, Args)]
pub struct ConnectionArgs {
    /// The domain, such as https://example.cybozu.com.
    #[arg(long, env = "KINTONE_BASE_URL")]
    pub base_url: Option<String>,
    /// An API token; repeat the option (or separate with commas) for several.
    #[arg(long, env = "KINTONE_API_TOKEN", value_delimiter = ',', value_parser = secret, hide_env_values = true)]
    pub api_token: Vec<Secret>,
    /// The login name for password authentication.
    #[arg(long, env = "KINTONE_USERNAME")]
    pub username: Option<String>,
    /// The password; asked for at the terminal when --username is given without it.
    #[arg(long, env = "KINTONE_PASSWORD", value_parser = secret, hide_env_values = true)]
    pub password: Option<Secret>,
    /// Read the password from the first line of standard input.
    #[arg(long, conflicts_with = "password")]
    pub password_stdin: bool,
    /// An OAuth access token.
    #[arg(long, env = "KINTONE_OAUTH_TOKEN", value_parser = secret, hide_env_values = true)]
    pub oauth_token: Option<Secret>,
    /// The user of the domain's front-door Basic authentication.
    #[arg(
        long,
        env = "KINTONE_BASIC_AUTH_USERNAME",
        requires = "basic_auth_password"
    )]
    pub basic_auth_username: Option<String>,
    /// The password of the domain's front-door Basic authentication.
    #[arg(long, env = "KINTONE_BASIC_AUTH_PASSWORD", value_parser = secret, hide_env_values = true, requires = "basic_auth_username")]
    pub basic_auth_password: Option<Secret>,
    /// The guest space the app is in.
    #[arg(long, env = "KINTONE_GUEST_SPACE_ID")]
    pub guest_space_id: Option<u64>,
    /// A client certificate and its private key, in one PEM file.
    #[arg(
        long,
        env = "KINTONE_CLIENT_CERT_PEM",
        conflicts_with = "pfx_file_path"
    )]
    pub client_cert_pem: Option<PathBuf>,
    /// A client certificate and its private key, in a PKCS#12 file (.pfx, .p12).
    #[arg(long, env = "KINTONE_PFX_FILE_PATH", requires = "pfx_file_password")]
    pub pfx_file_path: Option<PathBuf>,
    /// The password of --pfx-file-path.
    #[arg(long, env = "KINTONE_PFX_FILE_PASSWORD", value_parser = secret, hide_env_values = true)]
    pub pfx_file_password: Option<Secret>,
    /// Trust the certificates of this file too (PEM, or one DER certificate), such as a
    /// company's own CA.
    #[arg(long, env = "KINTONE_CA_CERT")]
    pub ca_cert: Option<PathBuf>,
    /// A proxy for every request, such as http://proxy.example:3128.
    #[arg(long, env = "HTTPS_PROXY", value_parser = secret, hide_env_values = true)]
    pub proxy: Option<Secret>,
}

fn secret(value: &str) -> Result<Secret, std::convert::Infallible> {
    Ok(Secret::new(value))
}

#[derive(Debug, Subcommand)]
pub enum RecordCommand {
    /// Write an app's records as CSV (cli-kintone's format) or JSON Lines.
    #[command(
        after_help = "Examples:\n  kintone record export --app 12 --output orders.csv\n  kintone record export --app 12 --format jsonl --condition 'Amount > 100' > big.jsonl\n  kintone record export --app 12 --encoding sjis --attachments-dir files > orders.csv"
    )]
    Export(ExportArgs),
    /// Add or update records from a CSV or JSON Lines file, resumably.
    #[command(
        after_help = "Examples:\n  kintone record import --app 12 --file-path orders.csv\n  kintone record import --app 12 --file-path orders.csv --update-key Code\n  kintone record import --app 12 --file-path orders.csv --resume"
    )]
    Import(ImportArgs),
    /// Delete the records of a query or of a file of record numbers.
    #[command(
        after_help = "Examples:\n  kintone record delete --app 12 --condition 'Status = \"Done\"' --yes\n  kintone record delete --app 12 --file-path ids.csv"
    )]
    Delete(DeleteArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// cli-kintone's CSV.
    Csv,
    /// One record a line, kintone's own JSON.
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Encoding {
    #[default]
    Utf8,
    Sjis,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// The app.
    #[arg(long)]
    pub app: u64,
    /// A query condition, such as 'Amount > 100'.
    #[arg(long)]
    pub condition: Option<String>,
    /// The order, such as 'Due asc'.
    #[arg(long)]
    pub order_by: Option<String>,
    /// The field codes to export, in this order.
    #[arg(long, value_delimiter = ',')]
    pub fields: Option<Vec<String>>,
    /// The output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// The character encoding of CSV output.
    #[arg(long, value_enum, default_value_t = Encoding::Utf8)]
    pub encoding: Encoding,
    /// Download attachments into this folder (DIR/<field>-<record>[-<row>]/<name>).
    #[arg(long)]
    pub attachments_dir: Option<PathBuf>,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// The app.
    #[arg(long)]
    pub app: u64,
    /// The CSV or JSON Lines file.
    #[arg(long)]
    pub file_path: PathBuf,
    /// The input format; from the file's extension unless given (.jsonl, .ndjson: JSON Lines).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// The character encoding of CSV input.
    #[arg(long, value_enum, default_value_t = Encoding::Utf8)]
    pub encoding: Encoding,
    /// Update the records whose key (the record number, or a field that prohibits duplicate
    /// values) matches a row, and add the others.
    #[arg(long)]
    pub update_key: Option<String>,
    /// Upload attachments named in the file from this folder.
    #[arg(long)]
    pub attachments_dir: Option<PathBuf>,
    /// Import only these field codes.
    #[arg(long, value_delimiter = ',')]
    pub fields: Option<Vec<String>>,
    /// Leave out rows that cannot be imported (they are listed) instead of stopping.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Where to record what was committed; beside the input (FILE.checkpoint.json) unless given.
    #[arg(long)]
    pub checkpoint: Option<PathBuf>,
    /// Finish an import that stopped, from its checkpoint.
    #[arg(long)]
    pub resume: bool,
    /// When the stopped run was killed while kintone was adding records: whether it wrote them.
    #[arg(long, value_enum, requires = "resume")]
    pub in_flight: Option<InFlightAnswer>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InFlightAnswer {
    /// kintone wrote them: they are skipped.
    Written,
    /// kintone did not write them: they are sent again.
    NotWritten,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// The app.
    #[arg(long)]
    pub app: u64,
    /// Delete the records of this condition (all records when neither this nor --file-path).
    #[arg(long, conflicts_with = "file_path")]
    pub condition: Option<String>,
    /// A CSV file with a record number column (as export writes it).
    #[arg(long)]
    pub file_path: Option<PathBuf>,
    /// The character encoding of --file-path.
    #[arg(long, value_enum, default_value_t = Encoding::Utf8)]
    pub encoding: Encoding,
    /// Delete without asking.
    #[arg(long, short)]
    pub yes: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  kintone api --list\n  kintone api getRecord --app 12 --id 5\n  kintone api addRecord --body '{\"app\": 12, \"record\": {\"Title\": {\"value\": \"x\"}}}'\n  kintone api getFormFields --help"
)]
pub struct ApiArgs {
    /// List every operation with its summary.
    #[arg(long)]
    pub list: bool,
    /// The operation id and its options (see `kintone api OPERATION --help`).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub call: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum AppCommand {
    /// Write an app's settings as YAML files, one per settings area, and a lock file.
    #[command(after_help = "Example:\n  kintone app pull --app 12 --dir apps/orders")]
    Pull(AppDirArgs),
    /// Show what a push would change, area by area and key by key.
    #[command(after_help = "Example:\n  kintone app diff --app 34 --dir apps/orders")]
    Diff(AppDirArgs),
    /// Apply the folder's settings to an app, deploy them and wait.
    #[command(
        after_help = "Examples:\n  kintone app push --app 34 --dir apps/orders --dry-run\n  kintone app push --app 34 --dir apps/orders --force\n  kintone app push --project kintone.yaml --env prod"
    )]
    Push(PushArgs),
}

#[derive(Debug, Args)]
pub struct AppDirArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// The app.
    #[arg(long, required_unless_present = "project", conflicts_with = "project")]
    pub app: Option<u64>,
    /// The folder of the app's YAML files.
    #[arg(long, required_unless_present = "project", conflicts_with = "project")]
    pub dir: Option<PathBuf>,
    /// A project file (kintone.yaml) naming several apps, their folders and their ids in each
    /// environment: every app is handled, in dependency order.
    #[arg(long)]
    pub project: Option<PathBuf>,
    /// The project's environment to work on; its `source` environment unless given.
    #[arg(long, requires = "project")]
    pub env: Option<String>,
}

#[derive(Debug, Args)]
pub struct PushArgs {
    #[command(flatten)]
    pub target: AppDirArgs,
    /// Show the changes and stop.
    #[arg(long)]
    pub dry_run: bool,
    /// Push even when the app changed since the pull.
    #[arg(long)]
    pub force: bool,
    /// Write the pre-live settings without deploying them.
    #[arg(long)]
    pub no_deploy: bool,
}

#[derive(Debug, Subcommand)]
pub enum FormCommand {
    /// Rust structs for an app's records (what kintone-form generates).
    #[command(
        after_help = "Examples:\n  kintone form types --app 12 --out src/order.rs\n  kintone form types --json form.json --out src/order.rs"
    )]
    Types(FormTypesArgs),
}

#[derive(Debug, Args)]
pub struct FormTypesArgs {
    /// Read the form of this app (needs the connection options).
    #[arg(long, conflicts_with = "json")]
    pub app: Option<u64>,
    /// Read the form from a saved Get Form Fields answer instead.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// The Rust file to write; standard output unless given.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The record struct's name.
    #[arg(long, default_value = "Record")]
    pub name: String,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}
