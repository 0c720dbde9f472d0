//! A TLS front on 127.0.0.1 that requires a client certificate issued by its client CA and
//! passes what it accepts to a plain TCP backend (an emulator), with the certificates it needs
//! made by rcgen and a client's key and chain packed into a `.pfx` by p12-keystore. Shared by
//! the client certificate tests of `kintone-api` and of the command line.

use std::net::SocketAddr;
use std::sync::Arc;

use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain};
pub use p12_keystore::{EncryptionAlgorithm, MacAlgorithm};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
pub use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::rustls::pki_types::PrivatePkcs8KeyDer;
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{self, RootCertStore, ServerConfig};
use tokio_rustls::TlsAcceptor;

/// A CA, and a certificate it issued with the certificate's key.
pub struct Issued {
    pub ca: CertificateDer<'static>,
    pub leaf: CertificateDer<'static>,
    pub leaf_key: KeyPair,
}

/// A new CA and a certificate it issues for `names` (subject alternative names).
pub fn issue(names: &[&str]) -> Issued {
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

/// The client's key and chain (its certificate, then the CA) as a `.pfx` opened by `password`,
/// encrypted and signed as `algorithm` and `mac` say.
pub fn pfx(
    client: &Issued,
    password: &str,
    algorithm: EncryptionAlgorithm,
    mac: MacAlgorithm,
) -> Vec<u8> {
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
        .writer(password)
        .encryption_algorithm(algorithm)
        .mac_algorithm(mac)
        .write()
        .unwrap()
}

/// Serves TLS as `server` for `backend`, requiring a client certificate issued by `client_ca`.
/// Reports each connection: whether its handshake passed.
pub async fn tls_front(
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
