//! The live process deciding, end to end through the client: an action's condition, who may
//! run it (the current status's assignees, the action's executable users), and who a record
//! entering a status is assigned to.

use std::collections::BTreeMap;

use kintone_api::types::{
    ProcessAction, ProcessActionExecutableUser, ProcessAssignee, ProcessAssigneeType,
    ProcessEntity, ProcessEntityGrant, ProcessEntityType, ProcessState,
};
use kintone_api::{Client, DeployTarget, Error, FieldInput, RecordId};
use kintone_emulator::{Emulator, UserSeed};
use kintone_tests::*;

/// The orders app with the users `sato` (no department, manages the app), `suzuki`
/// (department `sales`) and `tanaka` (department `dev`), each signed in, and the full API
/// token's client.
struct World {
    _emulator: Emulator,
    token: Client,
    sato: Client,
    suzuki: Client,
    tanaka: Client,
}

async fn world() -> World {
    let (emulator, token) = emulator_managed_by("sato", |b| {
        b.organization("sales", "Sales")
            .organization("dev", "Development")
            .user_seed(UserSeed::new("suzuki", "pw").organization("sales"))
            .user_seed(UserSeed::new("tanaka", "pw").organization("dev"))
    })
    .await;
    let signed_in = |login: &str| {
        Client::builder(emulator.base_url())
            .password(login, "pw")
            .build()
            .unwrap()
    };
    World {
        sato: signed_in("sato"),
        suzuki: signed_in("suzuki"),
        tanaka: signed_in("tanaka"),
        token,
        _emulator: emulator,
    }
}

fn grant(kind: ProcessEntityType, code: Option<&str>) -> ProcessEntityGrant {
    ProcessEntityGrant::new(ProcessEntity::new(kind, code.map(str::to_string)))
}

fn state(name: &str, index: u64, assignee: Option<ProcessAssignee>) -> (String, ProcessState) {
    let mut s = ProcessState::new(name, index);
    if let Some(a) = assignee {
        s = s.assignee(a);
    }
    (name.to_string(), s)
}

fn run_by(
    action: ProcessAction,
    entities: impl IntoIterator<Item = ProcessEntityGrant>,
) -> ProcessAction {
    let mut action = action;
    action.executable_user = Some(ProcessActionExecutableUser::new().entities(entities));
    action
}

/// Writes the process (through a user: API tokens may not change settings) and deploys it.
async fn set_process(
    client: &Client,
    states: impl IntoIterator<Item = (String, ProcessState)>,
    actions: impl IntoIterator<Item = ProcessAction>,
) {
    client
        .settings()
        .update_process_management(1u64)
        .enable(true)
        .states(states.into_iter().collect::<BTreeMap<_, _>>())
        .actions(actions)
        .send()
        .await
        .unwrap();
    let outcome = client
        .deploy_and_wait([DeployTarget::new(1u64)])
        .wait_with(|_| std::future::ready(()))
        .send()
        .await
        .unwrap();
    assert!(outcome.succeeded(), "{outcome:?}");
}

/// Draft (no assignee) → Review (assigned to the record's `Owner`) → Done (no assignee);
/// `Approve` only for amounts up to 1000, `Reopen` only for the department `sales`.
async fn review_by_owner(client: &Client) {
    let owner = grant(ProcessEntityType::FieldEntity, Some("Owner"));
    set_process(
        client,
        [
            state("Draft", 0, None),
            state(
                "Review",
                1,
                Some(ProcessAssignee::new(ProcessAssigneeType::Any, [owner])),
            ),
            state("Done", 2, None),
        ],
        [
            ProcessAction::new("Submit", "Draft", "Review"),
            ProcessAction::new("Approve", "Review", "Done").filter_cond("Amount <= 1000"),
            run_by(
                ProcessAction::new("Reopen", "Done", "Draft"),
                [grant(ProcessEntityType::Organization, Some("sales"))],
            ),
        ],
    )
    .await;
}

async fn add(client: &Client, amount: &str, owner: &str) -> RecordId {
    client
        .records()
        .add_record(1u64)
        .record(record(
            "Order",
            &[
                ("Amount", FieldInput::number(Some(amount.parse().unwrap()))),
                (
                    "Owner",
                    FieldInput::user_select([kintone_api::EntityCode::new(owner)]),
                ),
            ],
        ))
        .send()
        .await
        .unwrap()
        .id
}

async fn run(client: &Client, id: RecordId, action: &str) -> Result<(), Error> {
    client
        .process()
        .update_record_status(1u64, id, action)
        .send()
        .await
        .map(|_| ())
}

/// The record's status and its assignees' logins.
async fn where_is(client: &Client, id: RecordId) -> (String, Vec<String>) {
    let got = client.records().get_record(1u64, id).send().await.unwrap();
    let status = got.record["Status"].as_text().unwrap().to_string();
    let assignees = got.record["Assignee"]
        .as_entities()
        .unwrap()
        .iter()
        .map(|e| e.code.to_string())
        .collect();
    (status, assignees)
}

#[tokio::test]
async fn an_action_runs_only_on_records_its_condition_matches() {
    let w = world().await;
    review_by_owner(&w.sato).await;
    let big = add(&w.token, "5000", "sato").await;
    let small = add(&w.token, "10", "sato").await;
    for id in [big, small] {
        run(&w.token, id, "Submit").await.unwrap();
    }
    let refused = run(&w.sato, big, "Approve").await.unwrap_err();
    assert_eq!(
        status_and_code(&refused),
        (Some(400), Some("GAIA_IL03")),
        "{refused:?}"
    );
    assert_eq!(where_is(&w.token, big).await.0, "Review");
    run(&w.sato, small, "Approve").await.unwrap();
    assert_eq!(where_is(&w.token, small).await.0, "Done");
}

#[tokio::test]
async fn entering_a_status_assigns_the_owner_and_only_the_assignee_may_act() {
    let w = world().await;
    review_by_owner(&w.sato).await;
    let id = add(&w.sato, "10", "suzuki").await;
    assert_eq!(
        where_is(&w.token, id).await,
        ("Draft".to_string(), vec![]),
        "a status without assignees assigns no one"
    );
    run(&w.sato, id, "Submit").await.unwrap();
    assert_eq!(
        where_is(&w.token, id).await,
        ("Review".to_string(), vec!["suzuki".to_string()])
    );
    let refused = run(&w.sato, id, "Approve").await.unwrap_err();
    assert_eq!(
        status_and_code(&refused),
        (Some(403), Some("CB_NO02")),
        "{refused:?}"
    );
    assert_eq!(where_is(&w.token, id).await.0, "Review");
    run(&w.suzuki, id, "Approve").await.unwrap();
    assert_eq!(where_is(&w.token, id).await, ("Done".to_string(), vec![]));
}

#[tokio::test]
async fn an_api_token_acts_whoever_is_assigned() {
    let w = world().await;
    review_by_owner(&w.sato).await;
    let id = add(&w.token, "10", "suzuki").await;
    run(&w.token, id, "Submit").await.unwrap();
    run(&w.token, id, "Approve").await.unwrap();
    assert_eq!(where_is(&w.token, id).await.0, "Done");
}

#[tokio::test]
async fn executable_users_naming_a_department_let_its_members_act() {
    let w = world().await;
    review_by_owner(&w.sato).await;
    let id = add(&w.token, "10", "sato").await;
    for action in ["Submit", "Approve"] {
        run(&w.token, id, action).await.unwrap();
    }
    for outsider in [&w.tanaka, &w.sato] {
        let refused = run(outsider, id, "Reopen").await.unwrap_err();
        assert_eq!(
            status_and_code(&refused),
            (Some(403), Some("CB_NO02")),
            "{refused:?}"
        );
    }
    run(&w.suzuki, id, "Reopen").await.unwrap();
    assert_eq!(where_is(&w.token, id).await.0, "Draft");
}

#[tokio::test]
async fn a_pick_one_status_needs_the_assignee_and_a_new_record_gets_the_first_status_list() {
    let w = world().await;
    let people = [
        grant(ProcessEntityType::User, Some("suzuki")),
        grant(ProcessEntityType::User, Some("tanaka")),
    ];
    set_process(
        &w.sato,
        [
            state(
                "Draft",
                0,
                Some(ProcessAssignee::new(
                    ProcessAssigneeType::One,
                    [grant(ProcessEntityType::Creator, None)],
                )),
            ),
            state(
                "Review",
                1,
                Some(ProcessAssignee::new(ProcessAssigneeType::One, people)),
            ),
        ],
        [ProcessAction::new("Submit", "Draft", "Review")],
    )
    .await;
    let id = add(&w.sato, "10", "sato").await;
    assert_eq!(
        where_is(&w.token, id).await,
        ("Draft".to_string(), vec!["sato".to_string()]),
        "the creator is assigned"
    );
    let refused = run(&w.sato, id, "Submit").await.unwrap_err();
    assert_eq!(
        status_and_code(&refused),
        (Some(400), Some("GAIA_SA01")),
        "{refused:?}"
    );
    w.sato
        .process()
        .update_record_status(1u64, id, "Submit")
        .assignee("tanaka")
        .send()
        .await
        .unwrap();
    assert_eq!(
        where_is(&w.token, id).await,
        ("Review".to_string(), vec!["tanaka".to_string()])
    );
}

#[tokio::test]
async fn a_bulk_status_update_with_one_refused_record_changes_none() {
    let w = world().await;
    review_by_owner(&w.sato).await;
    let draft = add(&w.sato, "10", "sato").await;
    let reviewed = add(&w.sato, "10", "suzuki").await;
    run(&w.sato, reviewed, "Submit").await.unwrap();
    let refused = w
        .sato
        .process()
        .update_records_status(
            1u64,
            [
                kintone_api::types::StatusChange::new(draft, "Submit"),
                kintone_api::types::StatusChange::new(reviewed, "Approve"),
            ],
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        status_and_code(&refused),
        (Some(403), Some("CB_NO02")),
        "{refused:?}"
    );
    assert_eq!(
        where_is(&w.token, draft).await,
        ("Draft".to_string(), vec![])
    );
    w.suzuki
        .process()
        .update_records_status(
            1u64,
            [kintone_api::types::StatusChange::new(reviewed, "Approve")],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(where_is(&w.token, reviewed).await.0, "Done");
}
