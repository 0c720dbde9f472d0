//! Client certificates from PKCS#12 files (`.pfx`, `.p12`), the form kintone's "secure access"
//! hands out and browsers export.
//!
//! rustls, which the client's TLS is built on, reads PEM and DER but not PKCS#12, so the file is
//! opened here (with `p12-keystore`, pure Rust) and its private key and certificate chain are
//! handed to reqwest as PEM. Both kinds of files in use are read: modern ones (PBES2 with AES,
//! what OpenSSL 3 writes) and legacy ones (PBE with SHA-1 and 3DES or RC2, what older OpenSSL,
//! Windows and macOS write).
//!
//! ```no_run
//! # fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let pfx = std::fs::read("client.pfx")?;
//! let identity = kintone_api::pkcs12::ClientIdentity::from_pkcs12(&pfx, "password")?;
//! let http = reqwest::Client::builder()
//!     .redirect(reqwest::redirect::Policy::none())
//!     .identity(identity.reqwest_identity()?)
//!     .build()?;
//! let client = kintone_api::Client::builder("https://example.s.cybozu.com")
//!     .api_token("TOKEN")
//!     .http_client(http)
//!     .build()?;
//! # Ok(()) }
//! ```

use base64::Engine as _;
use p12_keystore::Pkcs12Archive;

/// Why a PKCS#12 file gave no client certificate. None of them names the password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Pkcs12Error {
    /// The password does not open the file (its integrity check or its decryption failed).
    #[error("the password does not open the PKCS#12 file")]
    WrongPassword,
    /// The bytes are not a PKCS#12 file (or a damaged one).
    #[error("not a PKCS#12 (.pfx, .p12) file: {0}")]
    Malformed(String),
    /// The file is encrypted or signed with an algorithm this reader does not know.
    #[error("the PKCS#12 file uses an encryption or integrity algorithm that is not supported")]
    Unsupported,
    /// The file holds no private key with its certificate: a client certificate needs both.
    #[error("the PKCS#12 file holds no private key with its certificate")]
    NoKeyWithCertificate,
    /// The key and certificates were read but the TLS library refused them.
    #[error("the PKCS#12 file's key and certificate cannot be used for TLS: {0}")]
    Unusable(String),
}

/// A private key and its certificate chain (the leaf first), read from a PKCS#12 file.
///
/// Its `Debug` shows the number of certificates only, never the key.
pub struct ClientIdentity {
    /// The PKCS#8 key, then each certificate, as PEM: what reqwest's rustls backend reads.
    pem: Vec<u8>,
    certificates: usize,
}

impl std::fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("certificates", &self.certificates)
            .finish_non_exhaustive()
    }
}

impl ClientIdentity {
    /// Opens a PKCS#12 file with its password and takes its private key with the key's
    /// certificate (the one bagged with the key's local id, or the first one) and the file's
    /// other certificates after it, as the chain. A file with several keys gives the first.
    pub fn from_pkcs12(der: &[u8], password: &str) -> Result<Self, Pkcs12Error> {
        let archive = Pkcs12Archive::from_pkcs12(der, password).map_err(classify)?;
        let key = archive
            .keys
            .first()
            .ok_or(Pkcs12Error::NoKeyWithCertificate)?;
        let key_id = key.local_key_id.as_ref().map(|id| id.as_ref());
        let leaf = archive
            .certs
            .iter()
            .position(|bag| key_id.is_some() && bag.local_key_id.as_deref() == key_id)
            .or_else(|| (!archive.certs.is_empty()).then_some(0))
            .ok_or(Pkcs12Error::NoKeyWithCertificate)?;
        let leaf_der = archive.certs[leaf].cert.as_der();
        let chain = std::iter::once(leaf_der).chain(
            archive
                .certs
                .iter()
                .map(|bag| bag.cert.as_der())
                .filter(|der| *der != leaf_der),
        );
        let mut pem = Vec::new();
        push_pem(&mut pem, "PRIVATE KEY", key.key.as_der());
        let mut certificates = 0;
        for certificate in chain {
            push_pem(&mut pem, "CERTIFICATE", certificate);
            certificates += 1;
        }
        Ok(Self { pem, certificates })
    }

    /// The key and chain as one PEM text (the key first), as `curl --cert` or
    /// `reqwest::Identity::from_pem` read it. It holds the private key: keep it secret.
    pub fn to_pem(&self) -> &[u8] {
        &self.pem
    }

    /// The number of certificates in the chain, the client's own first.
    pub fn certificates(&self) -> usize {
        self.certificates
    }

    /// The identity for `reqwest::ClientBuilder::identity`.
    pub fn reqwest_identity(&self) -> Result<reqwest::Identity, Pkcs12Error> {
        reqwest::Identity::from_pem(&self.pem).map_err(|e| Pkcs12Error::Unusable(e.to_string()))
    }
}

/// The reader's error as what the user can do about it.
fn classify(error: p12_keystore::error::Error) -> Pkcs12Error {
    use p12_keystore::error::Error;
    match error {
        // The MAC over the contents is keyed by the password; a wrong password also garbles the
        // decrypted contents of a file without MAC, which then fail to unpad or parse.
        Error::MacError(_) | Error::UnpadError => Pkcs12Error::WrongPassword,
        Error::UnsupportedEncryptionScheme | Error::UnsupportedMacAlgorithm => {
            Pkcs12Error::Unsupported
        }
        other => Pkcs12Error::Malformed(other.to_string()),
    }
}

/// Appends one PEM block, its base64 in lines of 64 characters.
fn push_pem(out: &mut Vec<u8>, label: &str, der: &[u8]) {
    let encoded = base64::engine::general_purpose::STANDARD.encode(der);
    out.extend_from_slice(format!("-----BEGIN {label}-----\n").as_bytes());
    for line in encoded.as_bytes().chunks(64) {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out.extend_from_slice(format!("-----END {label}-----\n").as_bytes());
}
