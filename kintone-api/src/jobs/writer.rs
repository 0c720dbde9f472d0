//! Writing any number of records: chunks of [`MAX_RECORDS_PER_WRITE`] records, sent
//! [`MAX_BULK_REQUESTS`] chunks to a bulk request, one bulk request after the other; and a
//! report of exactly what was written when a bulk request fails, to resume from.

use std::ops::Range;

use crate::limits::{MAX_BULK_REQUESTS, MAX_RECORDS_PER_WRITE};
use crate::{
    AddRecordsRequest, AddRecordsResponse, AppId, BulkRequest, BulkRequestResponse, Client,
    DeleteRecordsRequest, Error, LimitError, ProtocolError, RecordId, RecordInput, RecordRevision,
    RecordUpdate, RecordUpdateResult, UpdateRecordsRequest, UpdateRecordsResponse,
};

/// The records one bulk request carries at most.
const RECORDS_PER_BULK: usize = MAX_RECORDS_PER_WRITE * MAX_BULK_REQUESTS;

mod sealed {
    pub trait Sealed {}
}

/// What a [`WriteJob`] writes: [`AddAll`], [`UpdateAll`] (updates and upserts) or
/// [`DeleteAll`]. Sealed: the jobs are the crate's.
pub trait WriteKind: sealed::Sealed + Send + Sync + Sized + 'static {
    /// One record of the job's input.
    type Input: Clone + Send + Sync + 'static;
    /// What kintone answers for one written record.
    type Output: Clone + std::fmt::Debug + Send + Sync + 'static;

    /// Checks one input record as the request that carries it would, before anything is sent.
    #[doc(hidden)]
    fn check(&self, input: &Self::Input) -> Result<(), LimitError>;

    /// Adds the operation that writes `chunk` to a bulk request.
    #[doc(hidden)]
    fn push(&self, bulk: BulkRequest, app: AppId, chunk: &[Self::Input]) -> BulkRequest;

    /// Reads the answer to the operation at `index` of a bulk request, which wrote `chunk`.
    #[doc(hidden)]
    fn outputs(
        &self,
        response: &BulkRequestResponse,
        index: usize,
        chunk: &[Self::Input],
    ) -> Result<Vec<Self::Output>, Error>;
}

/// Adding records ([`Client::add_all`]): each written record's new id and revision.
#[derive(Debug, Clone, Copy)]
pub struct AddAll(());

/// Updating records by id or update key ([`Client::update_all`], [`Client::upsert_all`]):
/// each record's id, new revision, and with upsert whether it was added or updated.
#[derive(Debug, Clone, Copy)]
pub struct UpdateAll {
    upsert: bool,
}

/// Deleting records by id ([`Client::delete_all`]).
#[derive(Debug, Clone, Copy)]
pub struct DeleteAll(());

impl sealed::Sealed for AddAll {}
impl sealed::Sealed for UpdateAll {}
impl sealed::Sealed for DeleteAll {}

fn check_count(sent: usize, received: usize) -> Result<(), Error> {
    if sent == received {
        Ok(())
    } else {
        Err(ProtocolError::ResultCountMismatch { sent, received }.into())
    }
}

impl WriteKind for AddAll {
    type Input = RecordInput;
    type Output = RecordRevision;

    fn check(&self, _: &RecordInput) -> Result<(), LimitError> {
        Ok(())
    }

    fn push(&self, bulk: BulkRequest, app: AppId, chunk: &[RecordInput]) -> BulkRequest {
        bulk.push(AddRecordsRequest::new(app, chunk.iter().cloned()))
    }

    fn outputs(
        &self,
        response: &BulkRequestResponse,
        index: usize,
        chunk: &[RecordInput],
    ) -> Result<Vec<RecordRevision>, Error> {
        let added: AddRecordsResponse = response.result(index)?;
        check_count(chunk.len(), added.ids.len())?;
        check_count(chunk.len(), added.revisions.len())?;
        Ok(added
            .ids
            .into_iter()
            .zip(added.revisions)
            .map(|(id, revision)| RecordRevision::new(id, revision))
            .collect())
    }
}

impl WriteKind for UpdateAll {
    type Input = RecordUpdate;
    type Output = RecordUpdateResult;

    fn check(&self, input: &RecordUpdate) -> Result<(), LimitError> {
        input.validate()
    }

    fn push(&self, bulk: BulkRequest, app: AppId, chunk: &[RecordUpdate]) -> BulkRequest {
        let request = UpdateRecordsRequest::new(app, chunk.iter().cloned());
        bulk.push(if self.upsert {
            request.upsert(true)
        } else {
            request
        })
    }

    fn outputs(
        &self,
        response: &BulkRequestResponse,
        index: usize,
        chunk: &[RecordUpdate],
    ) -> Result<Vec<RecordUpdateResult>, Error> {
        let updated: UpdateRecordsResponse = response.result(index)?;
        check_count(chunk.len(), updated.records.len())?;
        Ok(updated.records)
    }
}

impl WriteKind for DeleteAll {
    type Input = RecordId;
    type Output = RecordId;

    fn check(&self, input: &RecordId) -> Result<(), LimitError> {
        LimitError::check_id("ids", input.get())
    }

    fn push(&self, bulk: BulkRequest, app: AppId, chunk: &[RecordId]) -> BulkRequest {
        bulk.push(DeleteRecordsRequest::new(app, chunk.iter().copied()))
    }

    fn outputs(
        &self,
        response: &BulkRequestResponse,
        index: usize,
        chunk: &[RecordId],
    ) -> Result<Vec<RecordId>, Error> {
        // The answer is `{}`: that it exists says the records are gone.
        response.result::<crate::DeleteRecordsResponse>(index)?;
        Ok(chunk.to_vec())
    }
}

impl Client {
    /// Adds any number of records: [`MAX_RECORDS_PER_WRITE`] per operation,
    /// [`MAX_BULK_REQUESTS`] operations per bulk request, so 10,000 records take 5 requests.
    ///
    /// ```no_run
    /// # async fn run(client: kintone_api::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use kintone_api::record;
    ///
    /// let records = (0..10_000).map(|i| record! { "Title" => format!("Item {i}") });
    /// match client.add_all(1, records).send().await {
    ///     Ok(report) => println!("added {} records", report.committed().len()),
    ///     Err(stopped) => {
    ///         // Exactly what was written, what failed, and what was not tried.
    ///         eprintln!("{stopped}");
    ///         // Resuming sends the failed bulk request again, then the rest.
    ///         let report = stopped.resume(&client).send().await?;
    ///         println!("added {} records", report.committed().len());
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn add_all(
        &self,
        app: impl Into<AppId>,
        records: impl IntoIterator<Item = impl Into<RecordInput>>,
    ) -> WriteJob<'_, AddAll> {
        WriteJob::new(self, AddAll(()), app.into(), collect(records))
    }

    /// Updates any number of records, each found by id or update key, chunked as
    /// [`add_all`](Self::add_all) does.
    pub fn update_all(
        &self,
        app: impl Into<AppId>,
        records: impl IntoIterator<Item = impl Into<RecordUpdate>>,
    ) -> WriteJob<'_, UpdateAll> {
        WriteJob::new(
            self,
            UpdateAll { upsert: false },
            app.into(),
            collect(records),
        )
    }

    /// Updates any number of records by update key, adding those whose key matches none;
    /// each result says which happened.
    pub fn upsert_all(
        &self,
        app: impl Into<AppId>,
        records: impl IntoIterator<Item = impl Into<RecordUpdate>>,
    ) -> WriteJob<'_, UpdateAll> {
        WriteJob::new(
            self,
            UpdateAll { upsert: true },
            app.into(),
            collect(records),
        )
    }

    /// Deletes any number of records by id, chunked as [`add_all`](Self::add_all) does.
    pub fn delete_all(
        &self,
        app: impl Into<AppId>,
        ids: impl IntoIterator<Item = impl Into<RecordId>>,
    ) -> WriteJob<'_, DeleteAll> {
        WriteJob::new(self, DeleteAll(()), app.into(), collect(ids))
    }
}

fn collect<T>(items: impl IntoIterator<Item = impl Into<T>>) -> Vec<T> {
    items.into_iter().map(Into::into).collect()
}

/// How far a [`WriteJob`] is: records written so far, of all the job's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct WriteProgress {
    /// Records committed so far, resumed runs included.
    pub done: usize,
    /// Records in the whole job.
    pub total: usize,
}

/// A job writing many records, from [`Client::add_all`], [`Client::update_all`],
/// [`Client::upsert_all`] or [`Client::delete_all`]; [`send`](Self::send) runs it.
///
/// Each bulk request is one transaction: it is written whole or not at all. They are sent one
/// after the other, and the first that fails stops the job.
#[must_use = "a job does nothing until it is sent"]
pub struct WriteJob<'c, K: WriteKind> {
    client: &'c Client,
    kind: K,
    app: AppId,
    /// The records not written yet: the input from `committed.len()` on.
    inputs: Vec<K::Input>,
    /// What earlier runs of the job wrote (when resumed), in input order.
    committed: Vec<K::Output>,
    progress: Option<Box<dyn FnMut(WriteProgress) + Send + 'c>>,
}

impl<'c, K: WriteKind> WriteJob<'c, K> {
    fn new(client: &'c Client, kind: K, app: AppId, inputs: Vec<K::Input>) -> Self {
        Self {
            client,
            kind,
            app,
            inputs,
            committed: Vec::new(),
            progress: None,
        }
    }

    /// Calls `progress` after each committed bulk request.
    pub fn on_progress(mut self, progress: impl FnMut(WriteProgress) + Send + 'c) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    /// Records in the whole job.
    pub fn total(&self) -> usize {
        self.committed.len() + self.inputs.len()
    }

    /// Runs the job. Every record is checked first, so a record the client would refuse stops
    /// the job before anything is written.
    pub async fn send(mut self) -> Result<WriteReport<K>, WriteStopped<K>> {
        let offset = self.committed.len();
        // `committed` grows as bulk requests land while `inputs` stays whole until the end.
        let total = self.total();
        if let Err(e) = LimitError::check_id("app", self.app.get()) {
            let failure = WriteFailure::refused(e.into(), offset, total, None);
            return Err(self.stop(0, failure));
        }
        for (i, input) in self.inputs.iter().enumerate() {
            if let Err(e) = self.kind.check(input) {
                let failure = WriteFailure::refused(e.into(), offset, total, Some(offset + i));
                return Err(self.stop(0, failure));
            }
        }
        let mut start = 0;
        while start < self.inputs.len() {
            let end = (start + RECORDS_PER_BULK).min(self.inputs.len());
            let batch = &self.inputs[start..end];
            let bulk = batch
                .chunks(MAX_RECORDS_PER_WRITE)
                .fold(BulkRequest::new(), |bulk, chunk| {
                    self.kind.push(bulk, self.app, chunk)
                });
            let outputs = match self.client.send_bulk(bulk).await {
                Ok(response) => self.read_outputs(response.body(), batch),
                Err(e) => Err(e),
            };
            match outputs {
                Ok(outputs) => {
                    self.committed.extend(outputs);
                    start = end;
                    let progress = WriteProgress {
                        done: self.committed.len(),
                        total,
                    };
                    if let Some(report) = self.progress.as_mut() {
                        report(progress);
                    }
                }
                Err(error) => {
                    let failure = WriteFailure::new(error, offset + start..offset + end);
                    return Err(self.stop(start, failure));
                }
            }
        }
        Ok(WriteReport {
            committed: self.committed,
        })
    }

    fn read_outputs(
        &self,
        response: &BulkRequestResponse,
        batch: &[K::Input],
    ) -> Result<Vec<K::Output>, Error> {
        let chunks = batch.chunks(MAX_RECORDS_PER_WRITE);
        check_count(chunks.len(), response.results.len())?;
        let mut outputs = Vec::with_capacity(batch.len());
        for (index, chunk) in chunks.enumerate() {
            outputs.extend(self.kind.outputs(response, index, chunk)?);
        }
        Ok(outputs)
    }

    /// The job stopped with the inputs from `start` on (relative to this run) unwritten.
    fn stop(mut self, start: usize, failure: WriteFailure) -> WriteStopped<K> {
        let remaining = self.inputs.split_off(start);
        WriteStopped {
            kind: self.kind,
            app: self.app,
            committed: self.committed,
            remaining,
            failure,
        }
    }
}

impl<K: WriteKind> std::fmt::Debug for WriteJob<'_, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteJob")
            .field("app", &self.app)
            .field("total", &self.total())
            .field("done", &self.committed.len())
            .finish_non_exhaustive()
    }
}

/// A finished job: what kintone answered for every record, in input order.
#[derive(Debug, Clone)]
pub struct WriteReport<K: WriteKind> {
    committed: Vec<K::Output>,
}

impl<K: WriteKind> WriteReport<K> {
    /// kintone's answer for each record, in input order: ids and revisions.
    pub fn committed(&self) -> &[K::Output] {
        &self.committed
    }

    /// The answers, owned.
    pub fn into_committed(self) -> Vec<K::Output> {
        self.committed
    }
}

/// Why a job stopped, and where: the bulk request that failed (and, when kintone says, the
/// operation and the record), as input indices.
#[derive(Debug)]
#[non_exhaustive]
pub struct WriteFailure {
    /// What went wrong: usually kintone's [`ApiError`](crate::ApiError), whose
    /// [`bulk_index`](crate::ApiError::bulk_index) names the failing operation.
    pub error: Error,
    /// The input records of the bulk request that failed. kintone rolled all of them back,
    /// unless [`outcome_unknown`](Self::outcome_unknown).
    pub request: Range<usize>,
    /// The input records of the operation that failed, when kintone named it.
    pub operation: Option<Range<usize>>,
    /// The input record that failed, when kintone's field errors name it
    /// (`records[12].Title.value`), or the record the client refused.
    pub record: Option<usize>,
    /// The request may have been committed: the connection broke after it left, or the
    /// answer could not be read. Resuming sends it again, which for [`AddAll`] may add its
    /// records twice; check first (by a unique field, say).
    pub outcome_unknown: bool,
}

impl WriteFailure {
    /// Refused before sending: nothing of this run was written. `request` is the bulk
    /// request that would have carried the record.
    fn refused(error: Error, offset: usize, total: usize, record: Option<usize>) -> Self {
        let start =
            offset + (record.unwrap_or(offset) - offset) / RECORDS_PER_BULK * RECORDS_PER_BULK;
        Self {
            error,
            request: start..(start + RECORDS_PER_BULK).min(total),
            operation: None,
            record,
            outcome_unknown: false,
        }
    }

    fn new(error: Error, request: Range<usize>) -> Self {
        let api = error.api();
        let operation = api.and_then(|e| e.bulk_index).and_then(|index| {
            let start = request.start + index * MAX_RECORDS_PER_WRITE;
            (start < request.end).then(|| start..(start + MAX_RECORDS_PER_WRITE).min(request.end))
        });
        let record = match (&operation, api) {
            (Some(op), Some(e)) => e
                .errors
                .keys()
                .filter_map(|path| indexed_record(path))
                .min()
                .map(|i| op.start + i)
                .filter(|i| op.contains(i)),
            _ => None,
        };
        Self {
            outcome_unknown: !known_not_written(&error),
            error,
            request,
            operation,
            record,
        }
    }
}

/// Whether a failed request surely wrote nothing: kintone answered with its error (a bulk
/// request is rolled back whole), or the request never left.
fn known_not_written(error: &Error) -> bool {
    match error {
        Error::Api(_) => true,
        Error::Transport(e) => e.is_connect(),
        e => e.is_rejected_before_sending(),
    }
}

/// The record index in an error path such as `records[12].Title.value` or `ids[3]`.
fn indexed_record(path: &str) -> Option<usize> {
    ["records[", "ids["].iter().find_map(|prefix| {
        let at = path.rfind(prefix)? + prefix.len();
        let rest = &path[at..];
        rest[..rest.find(']')?].parse().ok()
    })
}

/// A job that stopped: what was committed, what failed, and the records left, to
/// [`resume`](Self::resume) with.
pub struct WriteStopped<K: WriteKind> {
    kind: K,
    app: AppId,
    committed: Vec<K::Output>,
    /// The input from `committed.len()` on.
    remaining: Vec<K::Input>,
    failure: WriteFailure,
}

impl<K: WriteKind> WriteStopped<K> {
    /// Records in the whole job.
    fn total(&self) -> usize {
        self.committed.len() + self.remaining.len()
    }

    /// kintone's answer for each record committed before the failure, in input order: the
    /// records `0..committed().len()` of the input.
    pub fn committed(&self) -> &[K::Output] {
        &self.committed
    }

    /// What failed, and where.
    pub fn failure(&self) -> &WriteFailure {
        &self.failure
    }

    /// The error that stopped the job.
    pub fn error(&self) -> &Error {
        &self.failure.error
    }

    /// The input records that were never sent: those after the failed bulk request, or all
    /// those left when the client refused a record before sending.
    pub fn not_attempted(&self) -> Range<usize> {
        if self.failure.error.is_rejected_before_sending() {
            self.committed.len()..self.total()
        } else {
            self.failure.request.end..self.total()
        }
    }

    /// The records left to write, input index `committed().len()` first: the failed bulk
    /// request's and those never sent.
    pub fn remaining(&self) -> &[K::Input] {
        &self.remaining
    }

    /// A record left to write, by its index in the whole input, to correct it before resuming.
    pub fn remaining_mut(&mut self, input_index: usize) -> Option<&mut K::Input> {
        let i = input_index.checked_sub(self.committed.len())?;
        self.remaining.get_mut(i)
    }

    /// The job, from the failed bulk request on; its report will cover the whole input.
    pub fn resume(self, client: &Client) -> WriteJob<'_, K> {
        WriteJob {
            client,
            kind: self.kind,
            app: self.app,
            inputs: self.remaining,
            committed: self.committed,
            progress: None,
        }
    }
}

impl<K: WriteKind> std::fmt::Display for WriteStopped<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let failure = &self.failure;
        write!(
            f,
            "{} of {} records written; the bulk request of records {}..{} failed",
            self.committed.len(),
            self.total(),
            failure.request.start,
            failure.request.end,
        )?;
        if let Some(record) = failure.record {
            write!(f, " at record {record}")?;
        }
        if failure.outcome_unknown {
            f.write_str(" (it may have been written)")?;
        }
        // The error itself is the `source()`, for reporters that print the chain.
        Ok(())
    }
}

impl<K: WriteKind> std::fmt::Debug for WriteStopped<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteStopped")
            .field("app", &self.app)
            .field("total", &self.total())
            .field("committed", &self.committed.len())
            .field("remaining", &self.remaining.len())
            .field("failure", &self.failure)
            .finish()
    }
}

impl<K: WriteKind> std::error::Error for WriteStopped<K> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.failure.error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_paths_name_the_record() {
        assert_eq!(indexed_record("records[12].Title.value"), Some(12));
        assert_eq!(indexed_record("requests[2].payload.records[7].A"), Some(7));
        assert_eq!(indexed_record("ids[3]"), Some(3));
        assert_eq!(indexed_record("app"), None);
        assert_eq!(indexed_record("records[x]"), None);
    }

    #[tokio::test]
    async fn a_bad_record_stops_the_job_before_anything_is_sent() {
        // Port 9 (discard): a request that left would fail to connect, not be refused.
        let client = Client::builder("http://127.0.0.1:9")
            .api_token("T")
            .build()
            .unwrap();
        let ids = (1..=2500u64).map(|i| if i == 2345 { 0 } else { i });
        let stopped = client.delete_all(1, ids).send().await.unwrap_err();
        assert!(matches!(
            stopped.error(),
            Error::Limit(LimitError::ZeroId { .. })
        ));
        assert_eq!(stopped.failure().record, Some(2344));
        assert!(!stopped.failure().outcome_unknown);
        assert!(stopped.committed().is_empty());
        assert_eq!(stopped.remaining().len(), 2500);
        assert_eq!(stopped.failure().request, 2000..2500);
        assert_eq!(stopped.not_attempted(), 0..2500);
        // The refusal is the source, not repeated in the job's own message.
        let shown = stopped.to_string();
        assert!(shown.contains("at record 2344"), "{shown}");
        crate::error::display_tests::assert_each_cause_printed_once(&stopped);
    }
}
