//! `AppDefinition` against the emulator: an app read into one value, written to another app in
//! another domain through its pre-live settings and a deploy, read back and compared.

use kintone_api::app_definition::{AppDefinition, ApplyDefinition, DefinitionError, Setting};
use kintone_api::{AppId, Client};
use kintone_emulator::{AppSeed, Emulator, FieldSeed, FieldType, PluginSeed};
use kintone_tests::*;

const FIXTURE: &str = include_str!("../../fixtures/app-definition.yaml");
const PLUGIN: &str = "djmhffjhfgmokbffllgnnkdfdgbdmiai";
const ADMIN: &str = "Administrator";

/// Applies without sleeping between deploy status reads: the emulator answers `PROCESSING`
/// once, then the outcome.
fn apply<'a>(
    definition: &'a AppDefinition,
    client: &'a Client,
    app: impl Into<AppId>,
) -> ApplyDefinition<'a> {
    definition
        .apply_to(client, app)
        .wait_with(|_| std::future::ready(()))
}

fn fixture() -> AppDefinition {
    serde_yaml::from_str(FIXTURE).expect("the fixture is a definition")
}

/// A domain with the orders app (app 1), a tasks app the fixture's action creates records in
/// (with the ID given), the organization and plug-in the fixture names, and a client signed in
/// as the user who created the apps.
async fn domain(tasks: u64) -> (Emulator, Client) {
    let (emulator, _) = emulator_with(|b| {
        b.user(ADMIN, "admin")
            .organization("support", "Support")
            .plugin(PluginSeed::new(PLUGIN, "Board"))
            .app(
                AppSeed::new(tasks, "Tasks")
                    .field(FieldSeed::new("Subject", FieldType::SingleLineText))
                    .field(FieldSeed::new("Site", FieldType::Link)),
            )
    })
    .await;
    let client = Client::builder(emulator.base_url())
        .password(ADMIN, "admin")
        .build()
        .unwrap();
    (emulator, client)
}

#[tokio::test]
async fn a_definition_copies_an_app_with_all_its_settings_to_another_domain() {
    let (_test, test_client) = domain(2).await;
    let wanted = fixture();
    let outcome = apply(&wanted, &test_client, 1u64).send().await.unwrap();
    assert!(outcome.deploy.as_ref().unwrap().succeeded());
    let source = AppDefinition::read(&test_client, 1u64).await.unwrap();
    let unfaithful = wanted.diff(&source);
    assert!(
        unfaithful.is_empty(),
        "applied, then read back:\n{unfaithful}"
    );

    let (production, production_client) = domain(5).await;
    let target = production_client
        .apps()
        .add_app("Support desk")
        .send()
        .await
        .unwrap()
        .into_body()
        .app;
    assert_ne!(target, AppId::from(1u64), "the copy has an ID of its own");
    let mut promoted = source.clone();
    promoted.map_app_ids([(2u64, 5u64)]);
    let outcome = apply(&promoted, &production_client, target)
        .send()
        .await
        .unwrap();
    assert!(outcome.written.contains(&Setting::Fields));
    assert!(outcome.written.contains(&Setting::Customization));
    // Each settings write names the revision the one before it left, and the deploy the last.
    let revisions: Vec<u64> = production
        .requests()
        .iter()
        .filter(|r| r.method != "GET" && r.path != "/k/v1/file.json")
        .filter_map(|r| {
            let body = r.json()?;
            let revision = match r.path.as_str() {
                "/k/v1/preview/app/deploy.json" => body["apps"][0]["revision"].clone(),
                "/k/v1/preview/app.json" => return None,
                _ => body["revision"].clone(),
            };
            // Revisions go out as JSON numbers, as every id in a body.
            Some(revision.as_u64().unwrap_or(0))
        })
        .collect();
    assert!(revisions.len() > 16, "{revisions:?}");
    assert!(
        revisions.windows(2).all(|w| w[1] == w[0] + 1),
        "each at the revision the write before left: {revisions:?}"
    );
    let copy = AppDefinition::read(&production_client, target)
        .await
        .unwrap();
    assert_eq!(copy, promoted);
    assert_eq!(
        source.diff(&copy).to_string(),
        "~ actions.\"Follow-up\".destApp.app: \"2\" -> \"5\"\n",
    );

    let again = apply(&promoted, &production_client, target)
        .send()
        .await
        .unwrap();
    assert!(again.written.is_empty(), "{:?}", again.written);
}

#[tokio::test]
async fn a_definition_read_round_trips_through_yaml_and_json() {
    let (_emulator, client) = domain(2).await;
    apply(&fixture(), &client, 1u64).send().await.unwrap();
    let read = AppDefinition::read(&client, 1u64).await.unwrap();
    let yaml = serde_yaml::to_string(&read).unwrap();
    assert_eq!(serde_yaml::from_str::<AppDefinition>(&yaml).unwrap(), read);
    let json = serde_json::to_string_pretty(&read).unwrap();
    assert_eq!(serde_json::from_str::<AppDefinition>(&json).unwrap(), read);
    assert!(
        yaml.contains("kintone.events.on('app.record.index.show'"),
        "scripts are kept as text:\n{yaml}"
    );
}

#[tokio::test]
async fn a_file_icon_is_kept_by_its_bytes_and_uploaded_again_where_it_is_applied() {
    use kintone_api::app_definition::{EmbeddedFile, FileContent, IconDefinition};
    let png: Vec<u8> = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0x00];
    let mut wanted = fixture();
    wanted.general.icon = IconDefinition::File {
        file: EmbeddedFile::new("desk.png", png.clone()).content_type("image/png"),
    };
    let (_test, test_client) = domain(2).await;
    apply(&wanted, &test_client, 1u64).send().await.unwrap();
    let source = AppDefinition::read(&test_client, 1u64).await.unwrap();
    let IconDefinition::File { file } = &source.general.icon else {
        panic!(
            "a file icon reads back as a file: {:?}",
            source.general.icon
        );
    };
    assert_eq!(file.content, FileContent::Base64("iVBORw0KGgr/AA==".into()));
    assert_eq!(file.content.to_bytes().unwrap(), png);
    assert!(serde_yaml::to_string(&source)
        .unwrap()
        .contains("base64: iVBORw0KGgr/AA=="));

    let (_production, production_client) = domain(2).await;
    apply(&source, &production_client, 1u64)
        .send()
        .await
        .unwrap();
    let copy = AppDefinition::read(&production_client, 1u64).await.unwrap();
    assert_eq!(copy.general.icon, source.general.icon);
}

#[tokio::test]
async fn a_failed_write_reverts_the_pre_live_settings_so_the_app_is_as_it_was() {
    let (_emulator, client) = domain(2).await;
    let before = AppDefinition::read(&client, 1u64).await.unwrap();
    let mut wanted = fixture();
    let graph = wanted.reports.get_mut("Hours by channel").unwrap();
    graph.groups.as_mut().unwrap()[0].code = "Nowhere".to_string();
    let err = apply(&wanted, &client, 1u64).send().await.unwrap_err();
    match &err {
        DefinitionError::Apply {
            setting: Setting::Reports,
            written,
            reverted: true,
            source: kintone_api::Error::Api(api),
            ..
        } => {
            assert_eq!(api.code, "CB_VA01");
            assert_eq!(
                written,
                &[
                    Setting::Fields,
                    Setting::Layout,
                    Setting::General,
                    Setting::Views
                ]
            );
        }
        other => panic!("expected a refused graph, reverted: {other:?}"),
    }
    let preview = AppDefinition::read_preview(&client, 1u64).await.unwrap();
    assert!(
        before.diff(&preview).is_empty(),
        "the fields, layout, views and all written before the graphs were discarded:\n{}",
        before.diff(&preview)
    );
    assert_eq!(AppDefinition::read(&client, 1u64).await.unwrap(), before);
}

#[tokio::test]
async fn undecodable_file_content_is_refused_before_anything_is_sent() {
    use kintone_api::app_definition::{FileContent, ResourceDefinition};
    let (emulator, client) = domain(2).await;
    let mut wanted = fixture();
    let ResourceDefinition::File { file } = &mut wanted.customization.desktop.js[1] else {
        panic!("the fixture's second script is a file");
    };
    file.content = FileContent::Base64("not base64!".into());
    emulator.clear_requests();
    let err = apply(&wanted, &client, 1u64).send().await.unwrap_err();
    assert!(
        matches!(
            &err,
            DefinitionError::InvalidFile { setting: Setting::Customization, name, .. } if name == "desk.js"
        ),
        "{err:?}"
    );
    assert!(emulator.requests().is_empty(), "nothing was sent");
}

#[test]
fn file_content_reads_as_exactly_one_of_text_and_base64() {
    let both = "name: a.js\ncontent:\n  text: x\n  base64: eA==\n";
    let err = serde_yaml::from_str::<kintone_api::app_definition::EmbeddedFile>(both).unwrap_err();
    assert!(
        err.to_string()
            .contains("exactly one of `text` and `base64`"),
        "{err}"
    );
}

/// Reading is one read per setting (sixteen, pre-live when applying) and one download per kept
/// file; applying an equal definition writes nothing and only deploys.
#[tokio::test]
async fn reading_and_applying_make_exactly_the_requests_needed() {
    let (emulator, client) = domain(2).await;
    apply(&fixture(), &client, 1u64).send().await.unwrap();
    emulator.clear_requests();
    let read = AppDefinition::read(&client, 1u64).await.unwrap();
    let requests = emulator.requests();
    let gets = requests.iter().filter(|r| r.path != "/k/v1/file.json");
    assert_eq!(gets.count(), 16);
    let downloads = requests.iter().filter(|r| r.path == "/k/v1/file.json");
    assert_eq!(downloads.count(), 2, "desk.js and desk.css");
    assert!(requests.iter().all(|r| r.method == "GET"));

    emulator.clear_requests();
    let outcome = apply(&read, &client, 1u64).send().await.unwrap();
    assert!(outcome.written.is_empty());
    let writes: Vec<String> = emulator
        .requests()
        .iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(writes, ["POST /k/v1/preview/app/deploy.json"]);
}

/// Definitions that differ only where a value cannot be written (a kind this version does not
/// know) still diff as different, never as equal.
#[test]
fn a_diff_is_empty_exactly_when_the_definitions_are_equal() {
    let wanted = fixture();
    assert!(wanted.diff(&wanted.clone()).is_empty());
    let mut unknown_theme = wanted.clone();
    unknown_theme.general.theme = kintone_api::types::AppTheme::Unknown;
    let mut unknown_scope = wanted.clone();
    unknown_scope.customization.scope = kintone_api::types::CustomizationScope::Unknown;
    let diff = unknown_theme.diff(&unknown_scope);
    assert!(!diff.is_empty());
    assert!(diff.to_string().contains("cannot be written"), "{diff}");
}
