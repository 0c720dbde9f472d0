//! Promoting an app from a test domain to production with `AppDefinition`, against two local
//! emulators standing for the two domains:
//!
//! ```sh
//! cargo run --example promote_app
//! ```
//!
//! The app is changed in the test domain, read into a definition, saved as YAML (as it would be
//! kept in version control and reviewed), created in production from that file, and compared
//! with the original. A later change travels the same way, and the diff says what it is.
//!
//! Against real domains, sign in as an administrator of each and name the apps:
//!
//! ```sh
//! KINTONE_SOURCE_URL=https://test.kintone.com KINTONE_SOURCE_APP=12 \
//! KINTONE_TARGET_URL=https://example.kintone.com KINTONE_TARGET_APP=34 \
//! KINTONE_USERNAME=… KINTONE_PASSWORD=… cargo run --example promote_app
//! ```

use kintone_api::app_definition::AppDefinition;
use kintone_api::types::{FieldProperties, NumberProperties, ViewInput, ViewType};
use kintone_api::{AppId, Client, DeployTarget};
use kintone_emulator::{AppSeed, Emulator, FieldSeed, FieldType};

fn step(n: u32, text: &str) {
    println!("\n{n}. {text}");
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let domains = Domains::connect().await?;
    let (test, test_app) = (&domains.test, domains.test_app);

    step(1, "In the test domain, add a field and a view, and deploy.");
    let fields = [(
        "Discount".to_string(),
        FieldProperties::Number(
            NumberProperties::new("Discount")
                .label("Discount")
                .unit("%"),
        ),
    )];
    test.form()
        .add_form_fields(
            test_app,
            fields
                .into_iter()
                .collect::<std::collections::BTreeMap<_, _>>(),
        )
        .send()
        .await?;
    let views = [(
        "Large orders".to_string(),
        ViewInput::new(ViewType::List, 0u64)
            .fields(["Title", "Amount", "Discount"])
            .filter_cond("Amount >= 1000")
            .sort("Amount desc"),
    )];
    test.settings()
        .update_views(
            test_app,
            views
                .into_iter()
                .collect::<std::collections::BTreeMap<_, _>>(),
        )
        .send()
        .await?;
    let deployed = test
        .deploy_and_wait([DeployTarget::new(test_app)])
        .send()
        .await?;
    println!("   Deployed: {}.", deployed.succeeded());

    step(
        2,
        "Read every setting of the test app into one definition and save it as YAML.",
    );
    let definition = AppDefinition::read(test, test_app).await?;
    let yaml = serde_yaml::to_string(&definition)?;
    let path = std::env::temp_dir().join("kintone-promote-app.yaml");
    std::fs::write(&path, &yaml)?;
    println!(
        "   {} fields, {} views, {} lines of YAML in {}.",
        definition.fields.len(),
        definition.views.len(),
        yaml.lines().count(),
        path.display()
    );

    step(
        3,
        "Apply the saved definition to the production app, then deploy it.",
    );
    let saved: AppDefinition = serde_yaml::from_str(&std::fs::read_to_string(&path)?)?;
    let (production, production_app) = (&domains.production, domains.production_app(&saved).await?);
    let applied = saved.apply_to(production, production_app).send().await?;
    println!(
        "   Wrote {} setting groups to app {production_app}: {}.",
        applied.written.len(),
        applied
            .written
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );

    step(
        4,
        "Read the production app back and compare it with the test app.",
    );
    let promoted = AppDefinition::read(production, production_app).await?;
    let diff = saved.diff(&promoted);
    println!(
        "   {}",
        if diff.is_empty() {
            "The two apps are the same, setting by setting.".to_string()
        } else {
            format!("They differ:\n{diff}")
        }
    );

    step(
        5,
        "Change the test app again: the diff says what will change in production.",
    );
    let mut changed = definition.clone();
    if let Some(FieldProperties::Number(discount)) = changed.fields.get_mut("Discount") {
        discount.label = Some("Discount rate".to_string());
    }
    changed.views.remove("Large orders");
    print!("{}", promoted.diff(&changed));
    let applied = changed.apply_to(production, production_app).send().await?;
    println!(
        "   Applied: only {} written.",
        applied
            .written
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" and ")
    );
    Ok(())
}

/// The two domains: two emulators, or the real ones the environment names.
struct Domains {
    test: Client,
    test_app: AppId,
    production: Client,
    target_app: Option<AppId>,
    _emulators: Vec<Emulator>,
}

impl Domains {
    async fn connect() -> Result<Self, Box<dyn std::error::Error>> {
        let var = |name: &str| std::env::var(name).ok();
        if let (Some(source), Some(source_app), Some(target), Some(login), Some(password)) = (
            var("KINTONE_SOURCE_URL"),
            var("KINTONE_SOURCE_APP"),
            var("KINTONE_TARGET_URL"),
            var("KINTONE_USERNAME"),
            var("KINTONE_PASSWORD"),
        ) {
            let signed_in = |url: &str| {
                Client::builder(url)
                    .password(login.clone(), password.clone())
                    .build()
            };
            return Ok(Self {
                test: signed_in(&source)?,
                test_app: AppId::from(source_app.parse::<u64>()?),
                production: signed_in(&target)?,
                target_app: var("KINTONE_TARGET_APP")
                    .map(|a| a.parse::<u64>().map(AppId::from))
                    .transpose()?,
                _emulators: Vec::new(),
            });
        }
        let orders = AppSeed::new(1, "Orders")
            .field(FieldSeed::new("Title", FieldType::SingleLineText).required())
            .field(FieldSeed::new("Amount", FieldType::Number));
        let test = Emulator::builder()
            .app(orders)
            .user("Administrator", "test-password")
            .start()
            .await?;
        let production = Emulator::builder()
            .user("Administrator", "production-password")
            .start()
            .await?;
        println!(
            "Started two local kintone emulators: a test domain at {} with an app \"Orders\" (app 1),\nand an empty production domain at {}.",
            test.base_url(),
            production.base_url()
        );
        Ok(Self {
            test: Client::builder(test.base_url())
                .password("Administrator", "test-password")
                .build()?,
            test_app: AppId::from(1u64),
            production: Client::builder(production.base_url())
                .password("Administrator", "production-password")
                .build()?,
            target_app: None,
            _emulators: vec![test, production],
        })
    }

    /// The production app to apply to: the one named, or a new one.
    async fn production_app(
        &self,
        definition: &AppDefinition,
    ) -> Result<AppId, Box<dyn std::error::Error>> {
        if let Some(app) = self.target_app {
            return Ok(app);
        }
        let created = self
            .production
            .apps()
            .add_app(definition.general.name.clone())
            .send()
            .await?;
        println!("   Created app {} in production.", created.app);
        Ok(created.app)
    }
}
