//! Deploying app settings and waiting for the deploy to end: kintone answers Deploy Settings at
//! once and runs the deploy on, so the status is read until no app is `PROCESSING` any more,
//! within a bound.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::{AppDeployStatus, AppId, Client, DeployStatus, DeployTarget, Error};

/// How long [`DeployAndWait`] waits by default before it gives up: 5 minutes.
pub const DEFAULT_DEPLOY_TIMEOUT: Duration = Duration::from_secs(300);

/// How long [`DeployAndWait`] waits between two status reads by default: 1 second.
pub const DEFAULT_DEPLOY_POLL_INTERVAL: Duration = Duration::from_secs(1);

/// Why a deploy could not be followed to its end.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeployError {
    /// Deploy Settings or Get Deploy Status failed.
    #[error(transparent)]
    Api(#[from] Error),
    /// Some app was still `PROCESSING` when the time allowed ran out. The deploy may still
    /// end later; read its status again to know.
    #[error("the deploy was still running after {waited:?}")]
    TimedOut {
        /// How long was waited.
        waited: Duration,
        /// The statuses read last.
        last: Vec<AppDeployStatus>,
    },
}

/// How a deploy ended, app by app: `SUCCESS`, `FAIL`, or `CANCEL` (another app of the same
/// deploy failed, so this one was rolled back).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DeployOutcome {
    /// Each app's final status, in the order kintone gave them.
    pub apps: Vec<AppDeployStatus>,
}

impl DeployOutcome {
    /// Whether every app's deploy succeeded.
    pub fn succeeded(&self) -> bool {
        self.apps.iter().all(|a| a.status == DeployStatus::Success)
    }

    /// The final status of one app, if it was part of the deploy.
    pub fn status(&self, app: impl Into<AppId>) -> Option<DeployStatus> {
        let app = app.into();
        self.apps.iter().find(|a| a.app == app).map(|a| a.status)
    }
}

/// How [`DeployAndWait`] waits between two status reads.
pub(crate) type Wait =
    Arc<dyn Fn(Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// An app to deploy at whatever revision it has: `deploy_and_wait([1])`.
impl From<u64> for DeployTarget {
    fn from(app: u64) -> Self {
        DeployTarget::new(app)
    }
}

/// An app to deploy at whatever revision it has.
impl From<AppId> for DeployTarget {
    fn from(app: AppId) -> Self {
        DeployTarget::new(app)
    }
}

/// A deploy to send and follow: see [`Client::deploy_and_wait`].
#[must_use = "nothing is sent until `send` is awaited"]
pub struct DeployAndWait<'c> {
    client: &'c Client,
    targets: Vec<DeployTarget>,
    revert: bool,
    timeout: Duration,
    interval: Duration,
    wait: Wait,
}

impl std::fmt::Debug for DeployAndWait<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeployAndWait")
            .field("targets", &self.targets)
            .field("revert", &self.revert)
            .field("timeout", &self.timeout)
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Deploys the pre-live settings of one or more apps (at most 300) and waits until none is
    /// `PROCESSING`, reading the status every [`DEFAULT_DEPLOY_POLL_INTERVAL`] for at most
    /// [`DEFAULT_DEPLOY_TIMEOUT`] (both settable). The time allowed is counted in the waits
    /// between reads, which are slept on tokio's clock unless [`DeployAndWait::wait_with`]
    /// says otherwise.
    ///
    /// Deploying and reading the deploy status need kintone's app management for every app: an
    /// API token generated with the app-management permission, or a user whom the app's
    /// permissions grant it. Without it kintone answers `403 GAIA_NO01` (a token) or `403
    /// CB_NO02` (a user).
    pub fn deploy_and_wait(
        &self,
        apps: impl IntoIterator<Item = impl Into<DeployTarget>>,
    ) -> DeployAndWait<'_> {
        DeployAndWait {
            client: self,
            targets: apps.into_iter().map(Into::into).collect(),
            revert: false,
            timeout: DEFAULT_DEPLOY_TIMEOUT,
            interval: DEFAULT_DEPLOY_POLL_INTERVAL,
            wait: Arc::new(|d| Box::pin(tokio::time::sleep(d))),
        }
    }
}

impl DeployAndWait<'_> {
    /// Discards the pre-live changes instead of deploying them.
    pub fn revert(mut self, revert: bool) -> Self {
        self.revert = revert;
        self
    }

    /// How long to wait in all before giving up with [`DeployError::TimedOut`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long to wait between two status reads.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// How to wait between two status reads, instead of sleeping (for tests, or another
    /// runtime's timer): the function gets each pause and returns a future that ends after it.
    pub fn wait_with<F, Fut>(mut self, wait: F) -> Self
    where
        F: Fn(Duration) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.wait = Arc::new(move |d| Box::pin(wait(d)));
        self
    }

    /// Deploys these apps instead of those given at first (for callers that know them only
    /// when they send).
    pub(crate) fn targets(mut self, targets: Vec<DeployTarget>) -> Self {
        self.targets = targets;
        self
    }

    /// Sends the deploy, then reads the status until it ends or the time runs out.
    pub async fn send(self) -> Result<DeployOutcome, DeployError> {
        let apps: Vec<AppId> = self.targets.iter().map(|t| t.app).collect();
        self.client
            .apps()
            .deploy_apps(self.targets)
            .revert(self.revert)
            .send()
            .await?;
        let mut waited = Duration::ZERO;
        loop {
            let read = self
                .client
                .apps()
                .get_deploy_status(apps.iter().copied())
                .send()
                .await?
                .into_body();
            if !read
                .apps
                .iter()
                .any(|a| a.status == DeployStatus::Processing)
            {
                return Ok(DeployOutcome { apps: read.apps });
            }
            if waited >= self.timeout {
                return Err(DeployError::TimedOut {
                    waited,
                    last: read.apps,
                });
            }
            let pause = self.interval.min(self.timeout - waited);
            (self.wait)(pause).await;
            waited += pause;
        }
    }
}
