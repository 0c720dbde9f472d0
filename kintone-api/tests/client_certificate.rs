//! Client certificates from PKCS#12 files, end to end: a TLS front on 127.0.0.1 that requires a
//! client certificate issued by its CA and passes what it accepts to the emulator, with the
//! certificates and `.pfx` files it takes (the test-support crate `kintone-tls-front`).

use std::net::SocketAddr;

use kintone_api::pkcs12::{ClientIdentity, Pkcs12Error};
use kintone_api::types::GetRecordRequest;
use kintone_api::Client;
use kintone_emulator::{AppSeed, Emulator, FieldSeed, FieldType, Permissions};
use kintone_tls_front::{issue, pfx, tls_front, EncryptionAlgorithm, MacAlgorithm};
use serde_json::json;

const TOKEN: &str = "token-for-app-1";
const PASSWORD: &str = "pfx-pass-71c4";

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
fn client(front: SocketAddr, server_ca: &[u8], identity: Option<&ClientIdentity>) -> Client {
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
        PASSWORD,
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
            PASSWORD,
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
        let legacy = pfx(&client_pki, PASSWORD, algorithm, MacAlgorithm::HmacSha1);
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
        let file = pfx(&client_pki, PASSWORD, algorithm, MacAlgorithm::HmacSha256);
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
            PASSWORD,
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
