//! Rule P13: servers with self-signed TLS certificates are refused. Real TLS servers on
//! 127.0.0.1 (rcgen certificates, a CA's from the test-support crate `kintone-tls-front`,
//! tokio-rustls with the ring provider).

use std::net::SocketAddr;
use std::sync::Arc;

use crate::support::{ok_text, read_request, write_all, HANG_GUARD};
use kintone_api::proxy::{ProxyClient, ProxyError};
use kintone_tls_front::issue;
use rcgen::{CertificateParams, KeyPair};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;

const NO_HEADERS: [(&str, &str); 0] = [];

/// What happened to each connection on the server side.
#[derive(Debug, PartialEq)]
enum Outcome {
    HandshakeFailed,
    Served,
}

/// Serves HTTPS on 127.0.0.1 with the given chain and key; reports every connection.
async fn tls_server(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> (
    SocketAddr,
    mpsc::UnboundedReceiver<Outcome>,
    tokio::task::JoinHandle<()>,
) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                match acceptor.accept(stream).await {
                    Ok(mut tls) => {
                        if read_request(&mut tls).await.is_some() {
                            write_all(&mut tls, &ok_text("secure hello")).await;
                            let _ = tx.send(Outcome::Served);
                        }
                    }
                    Err(_) => {
                        let _ = tx.send(Outcome::HandshakeFailed);
                    }
                }
            });
        }
    });
    (addr, rx, task)
}

fn key_der(key: &KeyPair) -> PrivateKeyDer<'static> {
    PrivatePkcs8KeyDer::from(key.serialize_der()).into()
}

#[tokio::test]
async fn p13_self_signed_certificate_is_refused() {
    let key = KeyPair::generate().unwrap();
    let params =
        CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    let cert = params.self_signed(&key).unwrap();
    let (addr, mut outcomes, task) = tls_server(vec![cert.der().clone()], key_der(&key)).await;

    let result = tokio::time::timeout(
        HANG_GUARD,
        ProxyClient::new().unwrap().proxy(
            &format!("https://{addr}/"),
            "GET",
            NO_HEADERS,
            json!({}),
        ),
    )
    .await
    .expect("must not hang");
    let error = result.expect_err("a self-signed server must be refused");
    assert!(matches!(error, ProxyError::TlsRefused { .. }), "{error:?}");
    assert_eq!(error.code(), "PROXY_TLS_REFUSED");
    // The server saw a connection whose handshake failed, and served nothing.
    assert_eq!(outcomes.recv().await, Some(Outcome::HandshakeFailed));
    task.abort();
}

/// The control: the same kind of server, with a certificate issued by a CA the client
/// trusts, is accepted, so the refusal above is about trust, not about the TLS setup.
#[tokio::test]
async fn p13_certificate_from_a_trusted_root_is_accepted() {
    let server = issue(&["127.0.0.1"]);
    let (addr, mut outcomes, task) = tls_server(
        vec![server.leaf.clone(), server.ca.clone()],
        key_der(&server.leaf_key),
    )
    .await;
    let client = ProxyClient::builder()
        .add_root_certificate_der(server.ca.to_vec())
        .build()
        .unwrap();
    let response = tokio::time::timeout(
        HANG_GUARD,
        client.proxy(&format!("https://{addr}/"), "GET", NO_HEADERS, json!({})),
    )
    .await
    .expect("must not hang")
    .expect("a certificate from a trusted CA is accepted");
    assert_eq!(response.status(), 200);
    assert_eq!(response.body(), "secure hello");
    assert_eq!(outcomes.recv().await, Some(Outcome::Served));

    // Without that root, the very same server is refused.
    let error = ProxyClient::new()
        .unwrap()
        .proxy(&format!("https://{addr}/"), "GET", NO_HEADERS, json!({}))
        .await
        .unwrap_err();
    assert!(matches!(error, ProxyError::TlsRefused { .. }), "{error:?}");
    task.abort();
}

#[test]
fn an_unusable_root_certificate_is_a_config_error() {
    let error = ProxyClient::builder()
        .add_root_certificate_der(b"not a certificate".to_vec())
        .build()
        .unwrap_err();
    assert!(matches!(error, ProxyError::Config { .. }), "{error:?}");
}
