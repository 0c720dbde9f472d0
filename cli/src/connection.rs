//! A `kintone_api::Client` from the connection options, with every secret registered for
//! redaction before anything can print it.

use std::io::{BufRead, IsTerminal};

use kintone_api::pkcs12::{ClientIdentity, Pkcs12Error};
use kintone_api::{Client, RetryPolicy, Secret};

use crate::cli::ConnectionArgs;
use crate::error::{register_secret, CliError};

/// The client the options describe. Reads the password from standard input or the terminal
/// when asked to.
pub fn client(args: &ConnectionArgs) -> Result<Client, CliError> {
    client_for(args, false)
}

/// The client; `anonymous`: the call needs no authentication, so none is required.
pub fn client_for(args: &ConnectionArgs, anonymous: bool) -> Result<Client, CliError> {
    for secret in args
        .api_token
        .iter()
        .chain(&args.password)
        .chain(&args.oauth_token)
        .chain(&args.basic_auth_password)
        .chain(&args.proxy)
        .chain(&args.pfx_file_password)
    {
        register_secret(secret.expose());
    }
    let mut builder = Client::builder(base_url(args)?)
        .user_agent(concat!("kintone-cli/", env!("CARGO_PKG_VERSION")))
        .retry(RetryPolicy::new());
    let mut kinds = 0;
    if !args.api_token.is_empty() {
        builder = builder.api_tokens(args.api_token.iter().cloned());
        kinds += 1;
    }
    if let Some(login) = &args.username {
        builder = builder.password(login, password(args)?);
        kinds += 1;
    } else if args.password.is_some() || args.password_stdin {
        return Err(CliError::Usage(
            "a password was given without --username (or KINTONE_USERNAME)".into(),
        ));
    }
    if let Some(token) = &args.oauth_token {
        builder = builder.oauth_token(token.clone());
        kinds += 1;
    }
    if kinds == 0 && !anonymous {
        return Err(CliError::Usage(
            "no authentication: give --api-token, --username with a password, or --oauth-token \
             (or KINTONE_API_TOKEN, KINTONE_USERNAME/KINTONE_PASSWORD, KINTONE_OAUTH_TOKEN)"
                .into(),
        ));
    }
    if let (Some(user), Some(password)) = (&args.basic_auth_username, &args.basic_auth_password) {
        builder = builder.front_door_basic(user, password.clone());
    }
    if let Some(space) = args.guest_space_id {
        builder = builder.guest_space(space);
    }
    if args.proxy.is_some()
        || args.client_cert_pem.is_some()
        || args.pfx_file_path.is_some()
        || args.ca_cert.is_some()
    {
        builder = builder.http_client(http_client(args)?);
    }
    Ok(builder.build()?)
}

/// The password: from the option or environment, from standard input, or asked for.
fn password(args: &ConnectionArgs) -> Result<Secret, CliError> {
    if let Some(password) = &args.password {
        return Ok(password.clone());
    }
    let password = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(CliError::io("reading the password from standard input"))?;
        line.trim_end_matches(['\r', '\n']).to_string()
    } else if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Password: ")
            .map_err(CliError::io("reading the password at the terminal"))?
    } else {
        return Err(CliError::Usage(
            "--username needs a password: --password, KINTONE_PASSWORD or --password-stdin".into(),
        ));
    };
    register_secret(&password);
    Ok(Secret::new(password))
}

/// An HTTP client with the proxy, client certificate and roots asked for. It follows no
/// redirect, so that credentials never leave for another host. Every file is read and checked
/// here, before any request.
fn http_client(args: &ConnectionArgs) -> Result<reqwest::Client, CliError> {
    let mut builder = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
    if let Some(proxy) = &args.proxy {
        let proxy = reqwest::Proxy::all(proxy.expose())
            .map_err(|_| CliError::Usage("--proxy (or HTTPS_PROXY) is not a URL".into()))?
            .no_proxy(reqwest::NoProxy::from_env());
        builder = builder.proxy(proxy);
    }
    if let Some(path) = &args.client_cert_pem {
        let pem = read_file(path, "the client certificate")?;
        let identity = reqwest::Identity::from_pem(&pem).map_err(|_| {
            CliError::Input(format!(
                "{}: not a PEM file with a certificate and its private key",
                path.display()
            ))
        })?;
        builder = builder.identity(identity);
    }
    if let Some(path) = &args.pfx_file_path {
        let der = read_file(path, "the client certificate")?;
        let password = args
            .pfx_file_password
            .as_ref()
            .map(Secret::expose)
            .unwrap_or_default();
        let identity = ClientIdentity::from_pkcs12(&der, password)
            .and_then(|identity| identity.reqwest_identity())
            .map_err(|e| {
                let hint = match e {
                    Pkcs12Error::WrongPassword => {
                        ": check --pfx-file-password (or KINTONE_PFX_FILE_PASSWORD)"
                    }
                    _ => "",
                };
                CliError::Input(format!("{}: {e}{hint}", path.display()))
            })?;
        builder = builder.identity(identity);
    }
    if let Some(path) = &args.ca_cert {
        let pem = read_file(path, "the CA certificates")?;
        // PEM (one or several certificates), or one DER certificate as `.cer` files hold it.
        let roots = match reqwest::Certificate::from_pem_bundle(&pem) {
            Ok(roots) if !roots.is_empty() => roots,
            _ => vec![reqwest::Certificate::from_der(&pem).map_err(|_| {
                CliError::Input(format!("{}: not a PEM or DER certificate", path.display()))
            })?],
        };
        for root in roots {
            builder = builder.add_root_certificate(root);
        }
    }
    builder
        .build()
        .map_err(|e| CliError::Other(format!("the HTTP client could not be built: {e}")))
}

fn read_file(path: &std::path::Path, what: &str) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(CliError::io(format!("reading {what} {}", path.display())))
}

/// The domain's URL, which every command that calls kintone needs.
pub fn base_url(args: &ConnectionArgs) -> Result<&str, CliError> {
    args.base_url
        .as_deref()
        .ok_or_else(|| CliError::Usage("no domain: give --base-url (or KINTONE_BASE_URL)".into()))
}
