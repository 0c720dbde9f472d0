//! Apps and their settings against the emulator, end to end: each change written through the
//! client and read back, pre-live until deployed, live after.

use kintone_api::{Client, DeployStatus, DeployTarget, Error};
use kintone_tests::*;

/// The emulator of [`emulator_and_client`], with a client signed in as the user `sato` (API
/// tokens cannot change app settings).
async fn emulator_and_user() -> (kintone_emulator::Emulator, Client) {
    let (emulator, _) = emulator_and_client().await;
    let client = Client::builder(emulator.base_url())
        .password("sato", "pw")
        .build()
        .unwrap();
    (emulator, client)
}

fn code_of(err: &Error) -> Option<&str> {
    match err {
        Error::Api(e) => Some(e.code.as_str()),
        _ => None,
    }
}

/// Deploys and reads the status until it ends, as a user would.
async fn deploy_and_wait(client: &Client, apps: &[u64]) -> Vec<DeployStatus> {
    client
        .apps()
        .deploy_apps(apps.iter().map(|a| DeployTarget::new(*a)))
        .send()
        .await
        .unwrap();
    let mut reads = 0;
    loop {
        let status = client
            .apps()
            .get_deploy_status(apps.iter().copied())
            .send()
            .await
            .unwrap();
        let statuses: Vec<_> = status.apps.iter().map(|a| a.status).collect();
        if !statuses.contains(&DeployStatus::Processing) {
            return statuses;
        }
        reads += 1;
        assert!(reads < 10, "the deploy never ends");
    }
}

#[tokio::test]
async fn a_seeded_app_is_live() {
    let (_emulator, client) = emulator_and_user().await;
    let app = client.apps().get_app(1u64).send().await.unwrap();
    assert_eq!((app.app_id.get(), app.name.as_str()), (1, "Orders"));
    assert_eq!(app.space_id, None);
    let apps = client.apps().get_apps().send().await.unwrap();
    assert_eq!(apps.apps.len(), 1);
}

#[tokio::test]
async fn an_app_created_through_the_api_is_pre_live_until_deployed() {
    let (emulator, client) = emulator_and_user().await;
    let added = client.apps().add_app("Invoices").send().await.unwrap();
    assert_eq!(added.app.get(), 2);
    let before = client.apps().get_app(added.app).send().await.unwrap_err();
    assert_eq!(code_of(&before), Some("GAIA_AP01"), "{before:?}");
    let none = client
        .apps()
        .get_apps()
        .ids([added.app])
        .send()
        .await
        .unwrap();
    assert!(none.apps.is_empty());

    let statuses = deploy_and_wait(&client, &[added.app.get()]).await;
    assert_eq!(statuses, [DeployStatus::Success]);
    let app = client.apps().get_app(added.app).send().await.unwrap();
    assert_eq!(app.name, "Invoices");
    assert_eq!(app.creator.code, "sato");
    assert_eq!(emulator.record_count(added.app.get()), 0);
}

#[tokio::test]
async fn the_deploy_status_reads_processing_then_success() {
    let (_emulator, client) = emulator_and_user().await;
    client
        .apps()
        .deploy_apps([DeployTarget::new(1u64)])
        .send()
        .await
        .unwrap();
    let read = || async {
        client
            .apps()
            .get_deploy_status([1u64])
            .send()
            .await
            .unwrap()
            .apps[0]
            .status
    };
    assert_eq!(read().await, DeployStatus::Processing);
    assert_eq!(read().await, DeployStatus::Success);
    assert_eq!(read().await, DeployStatus::Success);
}

#[tokio::test]
async fn a_deploy_with_a_stale_revision_is_refused() {
    let (_emulator, client) = emulator_and_user().await;
    let err = client
        .apps()
        .deploy_apps([DeployTarget::new(1u64).revision(7u64)])
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), Some("GAIA_CO02"), "{err:?}");
    client
        .apps()
        .deploy_apps([DeployTarget::new(1u64).revision(1u64)])
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn get_apps_filters_and_pages() {
    let (_emulator, client) = emulator_and_user().await;
    for name in ["Invoices", "Invoice lines", "Customers"] {
        let added = client.apps().add_app(name).send().await.unwrap();
        deploy_and_wait(&client, &[added.app.get()]).await;
    }
    let names = |apps: &kintone_api::GetAppsResponse| -> Vec<String> {
        apps.apps.iter().map(|a| a.name.clone()).collect()
    };
    let invoices = client
        .apps()
        .get_apps()
        .name("invoice")
        .send()
        .await
        .unwrap();
    assert_eq!(names(&invoices), ["Invoices", "Invoice lines"]);
    let by_id = client
        .apps()
        .get_apps()
        .ids([1u64, 4])
        .send()
        .await
        .unwrap();
    assert_eq!(names(&by_id), ["Orders", "Customers"]);
    let page = client
        .apps()
        .get_apps()
        .limit(2)
        .offset(1)
        .send()
        .await
        .unwrap();
    assert_eq!(names(&page), ["Invoices", "Invoice lines"]);
}

#[tokio::test]
async fn moving_an_app_changes_its_space_and_the_space_filter_finds_it() {
    let (_emulator, client) = emulator_and_user().await;
    client
        .apps()
        .move_app(1u64)
        .space(5u64)
        .send()
        .await
        .unwrap();
    let app = client.apps().get_app(1u64).send().await.unwrap();
    assert_eq!(app.space_id, Some(5));
    let in_space = client
        .apps()
        .get_apps()
        .space_ids([5u64])
        .send()
        .await
        .unwrap();
    assert_eq!(in_space.apps.len(), 1);
    client.apps().move_app(1u64).send().await.unwrap();
    let app = client.apps().get_app(1u64).send().await.unwrap();
    assert_eq!(app.space_id, None);
}

#[tokio::test]
async fn api_tokens_read_apps_but_cannot_create_or_deploy_them() {
    let (_emulator, token_client) = emulator_and_client().await;
    token_client.apps().get_app(1u64).send().await.unwrap();
    let err = token_client.apps().add_app("X").send().await.unwrap_err();
    assert_eq!(code_of(&err), Some("GAIA_NO01"), "{err:?}");
    let err = token_client
        .apps()
        .deploy_apps([DeployTarget::new(1u64)])
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), Some("GAIA_NO01"), "{err:?}");
}
