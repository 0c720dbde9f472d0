//! Client certificates from PKCS#12 files, end to end: a TLS front on 127.0.0.1 that requires a
//! client certificate issued by its CA (tokio-rustls, ring) and passes what it accepts to the
//! emulator; the certificates are made by rcgen and packed into `.pfx` files by p12-keystore.

use std::net::SocketAddr;
use std::sync::Arc;

use kintone_api::pkcs12::{ClientIdentity, Pkcs12Error};
use kintone_api::types::GetRecordRequest;
use kintone_api::Client;
use kintone_emulator::{AppSeed, Emulator, FieldSeed, FieldType, Permissions};
use p12_keystore::{
    Certificate, EncryptionAlgorithm, KeyStore, KeyStoreEntry, MacAlgorithm, PrivateKey,
    PrivateKeyChain,
};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{self, RootCertStore, ServerConfig};
use tokio_rustls::TlsAcceptor;

const TOKEN: &str = "token-for-app-1";
const PASSWORD: &str = "pfx-pass-71c4";

/// A CA, and a certificate it issued with the certificate's key.
struct Issued {
    ca: CertificateDer<'static>,
    leaf: CertificateDer<'static>,
    leaf_key: KeyPair,
}

fn issue(names: &[&str]) -> Issued {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let leaf = CertificateParams::new(names)
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    Issued {
        ca: ca.der().clone(),
        leaf: leaf.der().clone(),
        leaf_key,
    }
}

/// The client's key and chain as a `.pfx`, encrypted and signed as `algorithm` and `mac` say.
fn pfx(client: &Issued, algorithm: EncryptionAlgorithm, mac: MacAlgorithm) -> Vec<u8> {
    let chain = PrivateKeyChain::new(
        [1u8; 20].to_vec(),
        PrivateKey::from_der(&client.leaf_key.serialize_der()).unwrap(),
        [
            Certificate::from_der(&client.leaf).unwrap(),
            Certificate::from_der(&client.ca).unwrap(),
        ],
    );
    let mut store = KeyStore::new();
    store.add_entry("client", KeyStoreEntry::PrivateKeyChain(chain));
    store
        .writer(PASSWORD)
        .encryption_algorithm(algorithm)
        .mac_algorithm(mac)
        .write()
        .unwrap()
}

/// A TLS front for the emulator that requires a client certificate issued by `client_ca`.
/// Reports each connection: whether its handshake passed.
async fn tls_front(
    server: &Issued,
    client_ca: &CertificateDer<'static>,
    backend: SocketAddr,
) -> (SocketAddr, mpsc::UnboundedReceiver<bool>) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    roots.add(client_ca.clone()).unwrap();
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .unwrap();
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![server.leaf.clone(), server.ca.clone()],
            PrivatePkcs8KeyDer::from(server.leaf_key.serialize_der()).into(),
        )
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (acceptor, tx) = (acceptor.clone(), tx.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    let _ = tx.send(false);
                    return;
                };
                let _ = tx.send(true);
                if let Ok(mut plain) = TcpStream::connect(backend).await {
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                }
            });
        }
    });
    (addr, rx)
}

async fn emulator() -> Emulator {
    let emulator = Emulator::builder()
        .app(AppSeed::new(1, "Orders").field(FieldSeed::new("Title", FieldType::SingleLineText)))
        .api_token(TOKEN, 1, Permissions::ALL)
        .start()
        .await
        .unwrap();
    emulator
        .insert_records(1, vec![json!({"Title": {"value": "behind TLS"}})])
        .unwrap();
    emulator
}

fn backend(emulator: &Emulator) -> SocketAddr {
    let url = url::Url::parse(&emulator.base_url()).unwrap();
    format!("127.0.0.1:{}", url.port().unwrap())
        .parse()
        .unwrap()
}

/// A kintone client for the front, trusting its CA, with this client certificate or none.
fn client(
    front: SocketAddr,
    server_ca: &CertificateDer<'_>,
    identity: Option<&ClientIdentity>,
) -> Client {
    let mut http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .add_root_certificate(reqwest::Certificate::from_der(server_ca).unwrap());
    if let Some(identity) = identity {
        http = http.identity(identity.reqwest_identity().unwrap());
    }
    Client::builder(format!("https://{front}"))
        .api_token(TOKEN)
        .http_client(http.build().unwrap())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pfx_client_certificate_opens_a_server_that_requires_one() {
    let emulator = emulator().await;
    let (server, client_pki) = (issue(&["127.0.0.1"]), issue(&["kintone-rs test client"]));
    let (front, mut handshakes) = tls_front(&server, &client_pki.ca, backend(&emulator)).await;

    let file = pfx(
        &client_pki,
        EncryptionAlgorithm::PbeWithHmacSha256AndAes256,
        MacAlgorithm::HmacSha256,
    );
    let identity = ClientIdentity::from_pkcs12(&file, PASSWORD).unwrap();
    assert_eq!(identity.certificates(), 2, "the leaf and its CA");
    let record = client(front, &server.ca, Some(&identity))
        .send(GetRecordRequest::new(1, 1))
        .await
        .expect("the front accepts the certificate and the emulator answers");
    let title = serde_json::to_value(&record.body().record).unwrap()["Title"]["value"].clone();
    assert_eq!(title, "behind TLS");
    assert_eq!(handshakes.recv().await, Some(true));

    // The control: the same call without the certificate is refused at the handshake.
    let refused = client(front, &server.ca, None)
        .send(GetRecordRequest::new(1, 1))
        .await;
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(handshakes.recv().await, Some(false));
}

#[test]
fn legacy_3des_and_rc2_files_read_as_the_modern_one_does() {
    let client_pki = issue(&["kintone-rs test client"]);
    let modern = ClientIdentity::from_pkcs12(
        &pfx(
            &client_pki,
            EncryptionAlgorithm::PbeWithHmacSha256AndAes256,
            MacAlgorithm::HmacSha256,
        ),
        PASSWORD,
    )
    .unwrap();
    for algorithm in [
        EncryptionAlgorithm::PbeWithShaAnd3KeyTripleDesCbc,
        EncryptionAlgorithm::PbeWithShaAnd40BitRc4Cbc,
    ] {
        let legacy = pfx(&client_pki, algorithm, MacAlgorithm::HmacSha1);
        let identity = ClientIdentity::from_pkcs12(&legacy, PASSWORD)
            .unwrap_or_else(|e| panic!("{algorithm:?}: {e}"));
        assert_eq!(identity.to_pem(), modern.to_pem(), "{algorithm:?}");
        identity.reqwest_identity().unwrap();
    }
    let pem = String::from_utf8(modern.to_pem().to_vec()).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{pem}");
    assert_eq!(pem.matches("-----BEGIN CERTIFICATE-----").count(), 2);
}

#[test]
fn a_wrong_password_or_a_file_that_is_no_pfx_is_a_typed_error() {
    let client_pki = issue(&["kintone-rs test client"]);
    for algorithm in [
        EncryptionAlgorithm::PbeWithHmacSha256AndAes256,
        EncryptionAlgorithm::PbeWithShaAnd3KeyTripleDesCbc,
    ] {
        let file = pfx(&client_pki, algorithm, MacAlgorithm::HmacSha256);
        let error = ClientIdentity::from_pkcs12(&file, "not the password").unwrap_err();
        assert!(matches!(error, Pkcs12Error::WrongPassword), "{error:?}");
        assert!(!error.to_string().contains("not the password"));
    }
    let pem = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    let error = ClientIdentity::from_pkcs12(pem, PASSWORD).unwrap_err();
    assert!(matches!(error, Pkcs12Error::Malformed(_)), "{error:?}");
    // A key's Debug never shows it.
    let identity = ClientIdentity::from_pkcs12(
        &pfx(
            &client_pki,
            EncryptionAlgorithm::PbeWithHmacSha256AndAes256,
            MacAlgorithm::HmacSha256,
        ),
        PASSWORD,
    )
    .unwrap();
    assert_eq!(
        format!("{identity:?}"),
        "ClientIdentity { certificates: 2, .. }"
    );
}
