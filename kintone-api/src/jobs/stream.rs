//! Every record of a query as a [`Stream`], read page by page with a bounded number of pages in
//! memory, by record id, through a cursor, or by offset.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::Stream;
use tokio::sync::{mpsc, Semaphore};

use crate::jobs::paging::check_cursor_page;
use crate::limits::{MAX_CURSOR_PAGE_SIZE, MAX_RECORDS_PER_PAGE};
use crate::query::has_order_by;
use crate::records::map::ID;
use crate::records::page::{decode_cursor_page, decode_page, Keep};
use crate::runtime::{RawResponse, Undecoded};
use crate::{
    AppId, Client, CreateCursorRequest, CursorId, DeleteCursorRequest, Error, FieldValue,
    GetRecordsByCursorRequest, GetRecordsRequest, LimitError, ProtocolError, RawRecord, Record,
};

/// How a [`RecordStream`] reads its pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ReadStrategy {
    /// [`Seek`](Self::Seek) unless the query has an `order by` of its own, which seeking would
    /// replace; [`Cursor`](Self::Cursor) then.
    #[default]
    Auto,
    /// Pages of `$id > {last id} order by $id asc`: no offset limit, no cursor to hold, and
    /// records added or deleted during the read shift nothing. The records come in id order.
    Seek,
    /// A kintone cursor: the query's own order, no offset limit. A domain has few cursors (see
    /// [`MAX_OPEN_CURSORS`](crate::limits::MAX_OPEN_CURSORS)); the stream deletes its cursor when
    /// it is dropped or fails before the end.
    Cursor,
    /// Pages of `limit … offset …`, in the query's own order. kintone refuses an offset past
    /// [`MAX_QUERY_OFFSET`](crate::limits::MAX_QUERY_OFFSET): reading further is a
    /// [`LimitError`], before anything is sent.
    Offset,
}

impl Client {
    /// Every record of an app (or of a query, with [`query`](RecordStreamBuilder::query)) as a
    /// stream that holds a bounded number of pages, whatever the number of records.
    ///
    /// ```no_run
    /// # async fn run(client: kintone_api::Client) -> Result<(), kintone_api::Error> {
    /// use futures_util::StreamExt;
    ///
    /// let mut records = client
    ///     .record_stream(1)
    ///     .query(r#"Status = "Open""#)
    ///     .fields(["Title", "Amount"])
    ///     .build();
    /// while let Some(record) = records.next().await {
    ///     let record = record?;
    ///     println!("{:?}", record["Title"].as_text());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn record_stream(&self, app: impl Into<AppId>) -> RecordStreamBuilder {
        RecordStreamBuilder {
            client: self.clone(),
            app: app.into(),
            query: String::new(),
            fields: None,
            strategy: ReadStrategy::Auto,
            page_size: None,
            prefetch: 1,
            keep: Keep::Every,
        }
    }
}

/// Settings of a [`RecordStream`]; from [`Client::record_stream`].
#[derive(Debug, Clone)]
#[must_use]
pub struct RecordStreamBuilder {
    client: Client,
    app: AppId,
    query: String,
    fields: Option<Vec<String>>,
    strategy: ReadStrategy,
    page_size: Option<usize>,
    prefetch: usize,
    /// Set by [`typed`](Self::typed): the fields its struct reads, the only ones decoded.
    keep: Keep,
}

impl RecordStreamBuilder {
    /// The condition and, optionally, the order (`Amount > 10 order by Due asc`). A `limit` or
    /// `offset` clause is refused: the stream pages by itself.
    pub fn query(mut self, query: impl Into<String>) -> Self {
        self.query = query.into();
        self
    }

    /// The field codes to read; every field when not set. Reading by id adds `$id` to the list
    /// when it is missing, and takes it out of each record again.
    pub fn fields(mut self, fields: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.fields = Some(fields.into_iter().map(Into::into).collect());
        self
    }

    /// How to read; [`ReadStrategy::Auto`] unless set.
    pub fn strategy(mut self, strategy: ReadStrategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// Records per page, from 1 to [`MAX_RECORDS_PER_PAGE`] (cursors:
    /// [`MAX_CURSOR_PAGE_SIZE`]); the largest unless set.
    pub fn page_size(mut self, records: usize) -> Self {
        self.page_size = Some(records);
        self
    }

    /// How many pages to read ahead while the caller works on the current one (1 unless set; 0
    /// reads a page only when the caller needs it). The stream holds at most `prefetch + 2`
    /// pages: the one being handed out, the one being read and those read ahead.
    pub fn prefetch(mut self, pages: usize) -> Self {
        self.prefetch = pages;
        self
    }

    /// The stream. Nothing is sent until it is first polled, which must be within a Tokio
    /// runtime: the pages are read by a task of their own.
    pub fn build(self) -> RecordStream {
        RecordStream(Pages::new(self))
    }

    /// The stream of [`RawRecord`]s: each record as the JSON text kintone sent, checked but
    /// not decoded. Reading this way costs a fraction of [`build`](Self::build)'s stream when
    /// records are passed on as they are or only some of their fields are read.
    ///
    /// ```no_run
    /// # async fn run(client: kintone_api::Client) -> Result<(), kintone_api::Error> {
    /// use futures_util::StreamExt;
    ///
    /// let mut records = client.record_stream(1).raw();
    /// while let Some(record) = records.next().await {
    ///     let record = record?;
    ///     println!("{}", record.json()); // e.g. one line of a JSON Lines export
    ///     if let Some(title) = record.get("Title")? {
    ///         println!("{:?}", title.as_text());
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn raw(self) -> RawRecordStream {
        RawRecordStream(Pages::new(self))
    }

    /// The stream of `T`s: each record read into the struct (see [`typed`](crate::typed)).
    /// Unless [`fields`](Self::fields) was set, only the struct's fields are asked for. Only
    /// the struct's fields (and `$id`) of each record are decoded: any other field the answer
    /// carries is skipped over unread, unless the struct denies unknown fields. A record
    /// that does not fit the struct ends the stream with [`Error::Record`].
    ///
    /// ```no_run
    /// # #[derive(kintone_api::KintoneRecord)] struct Sale { #[kintone(code = "Title")] title: String }
    /// # async fn run(client: kintone_api::Client) -> Result<(), kintone_api::Error> {
    /// use futures_util::StreamExt;
    ///
    /// let mut sales = client.record_stream(1).typed::<Sale>();
    /// while let Some(sale) = sales.next().await {
    ///     println!("{}", sale?.title);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn typed<T: crate::KintoneRecord>(mut self) -> TypedRecordStream<T> {
        if self.fields.is_none() {
            self.fields = Some(T::FIELD_CODES.iter().map(|c| c.to_string()).collect());
        }
        // A struct that refuses fields it does not declare must see them all.
        if !T::DENIES_UNKNOWN_FIELDS {
            self.keep = Keep::Only(T::FIELD_CODES);
        }
        TypedRecordStream {
            records: self.build(),
            record: std::marker::PhantomData,
        }
    }

    /// Checks the settings and lays out the reading.
    fn into_pager(self) -> Result<Pager, Error> {
        crate::query::forbid_limit_offset("query", &self.query)?;
        let ordered = has_order_by(&self.query);
        let mode = match self.strategy {
            ReadStrategy::Auto if ordered => ReadStrategy::Cursor,
            ReadStrategy::Auto => ReadStrategy::Seek,
            ReadStrategy::Seek if ordered => {
                return Err(LimitError::QueryClauseNotAllowed {
                    field: "query",
                    clause: "order by",
                }
                .into())
            }
            other => other,
        };
        let max = match mode {
            ReadStrategy::Cursor => MAX_CURSOR_PAGE_SIZE,
            _ => MAX_RECORDS_PER_PAGE,
        };
        let page_size = self.page_size.unwrap_or(max);
        LimitError::check_range(
            "page_size",
            i64::try_from(page_size).unwrap_or(i64::MAX),
            Some(1),
            Some(max as i64),
        )?;
        let mut fields = self.fields;
        let mut strip_id = false;
        if mode == ReadStrategy::Seek {
            if let Some(fields) = fields.as_mut().filter(|f| !f.iter().any(|c| c == ID)) {
                fields.push(ID.to_string());
                strip_id = true;
            }
        }
        Ok(Pager {
            client: self.client,
            app: self.app,
            query: self.query,
            fields,
            strip_id,
            page_size,
            keep: self.keep,
            mode: match mode {
                ReadStrategy::Cursor => Mode::Cursor {
                    id: None,
                    total_count: 0,
                    received: 0,
                },
                ReadStrategy::Offset => Mode::Offset { offset: 0 },
                _ => Mode::Seek { last: 0 },
            },
            finished: false,
        })
    }
}

/// Every record of a query, from [`Client::record_stream`]: a [`Stream`] of
/// `Result<Record, Error>` that ends after the last record or after the first error.
///
/// A task reads the pages, at most [`prefetch`](RecordStreamBuilder::prefetch) ahead of the
/// caller. Dropping the stream stops it; a cursor it holds is then deleted by that task, in the
/// background. [`close`](Self::close) does the same and waits for it.
///
/// The server's counts are checked rather than trusted: a cursor that promises more and sends
/// nothing, more records than announced, a page larger than asked for (refused at the first
/// record past those asked for, so that a page costs what was asked for), or ids that do not
/// increase end the stream with [`ProtocolError`]. A reader task that panics or is cancelled
/// ends it with [`Error::StreamInterrupted`]: the stream ends without an error only after its
/// last record.
#[must_use = "a stream does nothing unless polled"]
pub struct RecordStream(Pages<Record>);

/// Every record of a query as the JSON text kintone sent, from
/// [`RecordStreamBuilder::raw`]: a [`Stream`] of `Result<RawRecord, Error>` that reads and
/// checks pages as [`RecordStream`] does, but decodes no value until asked.
#[must_use = "a stream does nothing unless polled"]
pub struct RawRecordStream(Pages<RawRecord>);

macro_rules! record_stream_impls {
    ($stream:ident, $item:ty) => {
        impl $stream {
            /// Stops reading and waits for the reader to clean up: a cursor still open is
            /// deleted, and the deletion's error, if any, is returned; a reader that panicked
            /// is [`Error::StreamInterrupted`].
            pub async fn close(self) -> Result<(), Error> {
                self.0.close().await
            }
        }

        impl Stream for $stream {
            type Item = Result<$item, Error>;

            fn poll_next(
                mut self: Pin<&mut Self>,
                cx: &mut Context<'_>,
            ) -> Poll<Option<Self::Item>> {
                self.0.poll_next(cx)
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                self.0.size_hint()
            }
        }

        impl std::fmt::Debug for $stream {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($stream))
                    .field("state", &self.0.state_name())
                    .field("buffered", &self.0.current.len())
                    .finish()
            }
        }
    };
}

record_stream_impls!(RecordStream, Record);
record_stream_impls!(RawRecordStream, RawRecord);

/// What a page's records are handed out as: typed [`Record`]s, or [`RawRecord`]s.
///
/// A page of more than `max` records is [`ProtocolError::PageTooLarge`], found at the first
/// record past `max`, before anything past it is decoded or outlined: what a page costs in
/// memory follows the page size asked for, not what the server sent.
trait PageItem: Sized + Send + 'static {
    /// The records of a Get Records answer.
    fn records(response: RawResponse, max: usize, keep: Keep) -> Result<Vec<Self>, Error>;
    /// The records of a Get Records by Cursor answer, and its `next`.
    fn cursor_records(
        response: RawResponse,
        max: usize,
        keep: Keep,
    ) -> Result<(Vec<Self>, bool), Error>;
    /// The record's `$id`, when it has one.
    fn id(&self) -> Option<u64>;
    /// Takes `$id` out of each record, where the stream added it to the fields.
    fn strip_ids(page: &mut [Self]);
}

impl PageItem for Record {
    fn records(response: RawResponse, max: usize, keep: Keep) -> Result<Vec<Self>, Error> {
        Ok(decode_page(response, max, keep)?.0)
    }

    fn cursor_records(
        response: RawResponse,
        max: usize,
        keep: Keep,
    ) -> Result<(Vec<Self>, bool), Error> {
        decode_cursor_page(response, max, keep)
    }

    fn id(&self) -> Option<u64> {
        match self.get(ID) {
            Some(FieldValue::Id(id)) => Some(id.value.get()),
            _ => None,
        }
    }

    fn strip_ids(page: &mut [Self]) {
        Record::remove_from_each(page, ID);
    }
}

impl PageItem for RawRecord {
    fn records(response: RawResponse, max: usize, _: Keep) -> Result<Vec<Self>, Error> {
        Ok(RawRecord::page(response, max)?.0)
    }

    fn cursor_records(
        response: RawResponse,
        max: usize,
        _: Keep,
    ) -> Result<(Vec<Self>, bool), Error> {
        let (records, members) = RawRecord::page(response, max)?;
        Ok((records, members.get("next")?))
    }

    fn id(&self) -> Option<u64> {
        RawRecord::id(self).map(|id| id.get())
    }

    fn strip_ids(page: &mut [Self]) {
        RawRecord::strip_ids(page);
    }
}

/// The reading behind a record stream, whatever its records are handed out as.
struct Pages<T> {
    state: State<T>,
    /// The page being handed out.
    current: std::vec::IntoIter<T>,
}

enum State<T> {
    NotStarted(Box<RecordStreamBuilder>),
    Running(Running<T>),
    Done,
}

/// What the reader tells the stream. The reader says [`End`](Delivery::End) itself: a channel
/// that closes without it means the reader stopped without finishing (it panicked or was
/// cancelled), which must never read as the end of the records.
enum Delivery<T> {
    Page(Vec<T>),
    Failed(Error),
    End,
}

struct Running<T> {
    pages: mpsc::UnboundedReceiver<Delivery<T>>,
    /// One permit per page the reader may read: `prefetch` at the start, then one each time the
    /// caller waits for a page. The channel is unbounded because these permits bound it.
    demand: Arc<Semaphore>,
    /// A permit was given for the page awaited now.
    asked: bool,
    task: tokio::task::JoinHandle<Result<(), Error>>,
}

impl<T: PageItem> Pages<T> {
    fn new(builder: RecordStreamBuilder) -> Self {
        Pages {
            state: State::NotStarted(Box::new(builder)),
            current: Vec::new().into_iter(),
        }
    }

    /// A stream that has ended.
    fn done() -> Self {
        Pages {
            state: State::Done,
            current: Vec::new().into_iter(),
        }
    }

    fn state_name(&self) -> &'static str {
        match self.state {
            State::NotStarted(_) => "not started",
            State::Running(_) => "reading",
            State::Done => "done",
        }
    }

    async fn close(mut self) -> Result<(), Error> {
        match std::mem::replace(&mut self.state, State::Done) {
            State::Running(running) => {
                running.demand.close();
                drop(running.pages);
                match running.task.await {
                    Ok(cleanup) => cleanup,
                    // What the stream would have said had it been read on: a panic is an error,
                    // never a clean end (a cursor may have been left open).
                    Err(e) if e.is_panic() => Err(Error::StreamInterrupted {
                        panic: Some(panic_message(e.into_panic())),
                    }),
                    // Cancelled: the runtime is shutting down, and so nothing is left to wait for.
                    Err(_) => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }

    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, Error>>> {
        loop {
            if let Some(record) = self.current.next() {
                return Poll::Ready(Some(Ok(record)));
            }
            match &mut self.state {
                State::NotStarted(_) => {
                    let State::NotStarted(builder) =
                        std::mem::replace(&mut self.state, State::Done)
                    else {
                        unreachable!("matched just above")
                    };
                    let prefetch = builder.prefetch;
                    let pager = match builder.into_pager() {
                        Ok(pager) => pager,
                        Err(e) => return Poll::Ready(Some(Err(e))),
                    };
                    let demand = Arc::new(Semaphore::new(prefetch.min(Semaphore::MAX_PERMITS)));
                    let (sender, pages) = mpsc::unbounded_channel();
                    let task = tokio::spawn(read_pages(pager, demand.clone(), sender));
                    self.state = State::Running(Running {
                        pages,
                        demand,
                        asked: false,
                        task,
                    });
                }
                State::Running(running) => {
                    if !running.asked {
                        running.demand.add_permits(1);
                        running.asked = true;
                    }
                    match running.pages.poll_recv(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(Some(Delivery::Page(page))) => {
                            running.asked = false;
                            self.current = page.into_iter();
                        }
                        Poll::Ready(Some(Delivery::Failed(e))) => {
                            self.state = State::Done;
                            return Poll::Ready(Some(Err(e)));
                        }
                        Poll::Ready(Some(Delivery::End)) => {
                            self.state = State::Done;
                            return Poll::Ready(None);
                        }
                        Poll::Ready(None) => {
                            // The reader is gone without a word: wait for its task to say why.
                            let stopped = std::task::ready!(Pin::new(&mut running.task).poll(cx));
                            self.state = State::Done;
                            let panic = match stopped {
                                Err(e) if e.is_panic() => Some(panic_message(e.into_panic())),
                                // Cancelled, or (never so far) returned without saying `End`.
                                _ => None,
                            };
                            return Poll::Ready(Some(Err(Error::StreamInterrupted { panic })));
                        }
                    }
                }
                State::Done => return Poll::Ready(None),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let upper = matches!(self.state, State::Done).then_some(self.current.len());
        (self.current.len(), upper)
    }
}

/// The message a panic was raised with, when it is text.
fn panic_message(panic: Box<dyn std::any::Any + Send>) -> String {
    match panic.downcast::<String>() {
        Ok(message) => *message,
        Err(panic) => match panic.downcast::<&'static str>() {
            Ok(message) => message.to_string(),
            Err(_) => "a panic without a message".to_string(),
        },
    }
}

impl<T> Drop for Pages<T> {
    fn drop(&mut self) {
        // Wakes the reader if it waits for demand, so that it deletes its cursor and ends.
        if let State::Running(running) = &self.state {
            running.demand.close();
        }
    }
}

/// The reader's task: a page per permit, until the last page, an error, or the caller leaves.
/// Returns the result of cleaning up (deleting a cursor left open).
async fn read_pages<T: PageItem>(
    mut pager: Pager,
    demand: Arc<Semaphore>,
    pages: mpsc::UnboundedSender<Delivery<T>>,
) -> Result<(), Error> {
    loop {
        match demand.acquire().await {
            Ok(permit) => permit.forget(),
            // Closed: the stream was dropped or closed.
            Err(_) => return pager.abandon().await,
        }
        match pager.next_page::<T>().await {
            Ok(page) => {
                let last = pager.finished;
                if !page.is_empty() && pages.send(Delivery::Page(page)).is_err() {
                    return pager.abandon().await;
                }
                if last {
                    let _ = pages.send(Delivery::End);
                    return Ok(());
                }
            }
            Err(e) => {
                // Cleaned up before the caller hears of the error, so that a caller who stops
                // there finds no cursor left open.
                let cleanup = pager.abandon().await;
                let _ = pages.send(Delivery::Failed(e));
                return cleanup;
            }
        }
    }
}

struct Pager {
    client: Client,
    app: AppId,
    /// The caller's query, without `limit` or `offset`.
    query: String,
    fields: Option<Vec<String>>,
    /// `$id` was added to `fields` for seeking: take it out of each record.
    strip_id: bool,
    page_size: usize,
    keep: Keep,
    mode: Mode,
    finished: bool,
}

enum Mode {
    Seek {
        last: u64,
    },
    Offset {
        offset: usize,
    },
    Cursor {
        /// Set while kintone holds the cursor open.
        id: Option<CursorId>,
        total_count: u64,
        received: u64,
    },
}

impl Pager {
    async fn next_page<T: PageItem>(&mut self) -> Result<Vec<T>, Error> {
        match &mut self.mode {
            Mode::Seek { last } => {
                let condition = if self.query.trim().is_empty() {
                    format!("{ID} > {last}")
                } else {
                    format!("{ID} > {last} and ({})", self.query)
                };
                let query = format!("{condition} order by {ID} asc limit {}", self.page_size);
                let mut records: Vec<T> = get_records(
                    &self.client,
                    self.app,
                    query,
                    &self.fields,
                    self.page_size,
                    self.keep,
                )
                .await?;
                for record in &records {
                    let Some(id) = record.id() else {
                        return Err(ProtocolError::MissingId.into());
                    };
                    if id <= *last {
                        return Err(ProtocolError::IdNotIncreasing {
                            previous: *last,
                            received: id,
                        }
                        .into());
                    }
                    *last = id;
                }
                if self.strip_id {
                    T::strip_ids(&mut records);
                }
                self.finished = records.len() < self.page_size;
                Ok(records)
            }
            Mode::Offset { offset } => {
                // The request's own check refuses an offset past kintone's limit.
                let query = format!(
                    "{} limit {} offset {offset}",
                    self.query.trim_end(),
                    self.page_size
                );
                let records: Vec<T> = get_records(
                    &self.client,
                    self.app,
                    query,
                    &self.fields,
                    self.page_size,
                    self.keep,
                )
                .await?;
                *offset += records.len();
                self.finished = records.len() < self.page_size;
                Ok(records)
            }
            Mode::Cursor {
                id,
                total_count,
                received,
            } => {
                let cursor = match id {
                    Some(cursor) => cursor.clone(),
                    None => {
                        let mut create =
                            CreateCursorRequest::new(self.app).size(self.page_size as u64);
                        if !self.query.trim().is_empty() {
                            create = create.query(self.query.clone());
                        }
                        if let Some(fields) = &self.fields {
                            create = create.fields(fields.clone());
                        }
                        let created =
                            crate::jobs::paging::create_cursor(&self.client, create).await?;
                        *total_count = created.total_count;
                        id.insert(created.id).clone()
                    }
                };
                let answer = self
                    .client
                    .send(Undecoded(GetRecordsByCursorRequest::new(cursor)))
                    .await?
                    .into_body();
                self.client
                    .check_whole_page(answer.operation, &answer.headers)?;
                let (records, next) = T::cursor_records(answer, self.page_size, self.keep)?;
                check_cursor_page(*total_count, received, records.len(), next)?;
                if !next {
                    // kintone deletes a cursor read to the end.
                    *id = None;
                    self.finished = true;
                }
                Ok(records)
            }
        }
    }

    /// Deletes the cursor if one is still open.
    async fn abandon(&mut self) -> Result<(), Error> {
        self.finished = true;
        if let Mode::Cursor { id, .. } = &mut self.mode {
            if let Some(cursor) = id.take() {
                self.client.send(DeleteCursorRequest::new(cursor)).await?;
            }
        }
        Ok(())
    }
}

async fn get_records<T: PageItem>(
    client: &Client,
    app: AppId,
    query: String,
    fields: &Option<Vec<String>>,
    page_size: usize,
    keep: Keep,
) -> Result<Vec<T>, Error> {
    let mut request = GetRecordsRequest::new(app).query(query);
    if let Some(fields) = fields {
        request = request.fields(fields.clone());
    }
    let answer = client.send(Undecoded(request)).await?.into_body();
    client.check_whole_page(answer.operation, &answer.headers)?;
    T::records(answer, page_size, keep)
}

/// Every record of a query read into a [`KintoneRecord`](crate::KintoneRecord) struct, from
/// [`RecordStreamBuilder::typed`]: a [`Stream`] of `Result<T, Error>` that ends after the last
/// record or after the first error.
#[must_use = "a stream does nothing unless polled"]
pub struct TypedRecordStream<T> {
    records: RecordStream,
    record: std::marker::PhantomData<fn() -> T>,
}

impl<T> TypedRecordStream<T> {
    /// Stops reading, as [`RecordStream::close`] does.
    pub async fn close(self) -> Result<(), Error> {
        self.records.close().await
    }
}

impl<T: crate::KintoneRecord> Stream for TypedRecordStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let record = match std::task::ready!(Pin::new(&mut this.records).poll_next(cx)) {
            Some(Ok(record)) => record,
            Some(Err(e)) => return Poll::Ready(Some(Err(e))),
            None => return Poll::Ready(None),
        };
        match T::from_record(record) {
            Ok(value) => Poll::Ready(Some(Ok(value))),
            Err(e) => {
                // The rest would not fit either (the form and the struct differ): stop reading,
                // which deletes a cursor left open.
                drop(std::mem::replace(
                    &mut this.records,
                    RecordStream(Pages::done()),
                ));
                Poll::Ready(Some(Err(e.into())))
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.records.size_hint()
    }
}

impl<T> std::fmt::Debug for TypedRecordStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedRecordStream")
            .field("records", &self.records)
            .field("type", &std::any::type_name::<T>())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    mod fast_page {
        use proptest::prelude::*;

        use super::super::*;
        use crate::records::page::{decode_page_by_serde, Page};

        /// A value of `type` written as kintone writes it, or in one of the other shapes JSON
        /// allows: the tag last, an extra key, spaces.
        fn tagged(tag: &str, value: &str, form: u8) -> String {
            match form % 4 {
                0 | 1 => format!(r#"{{"type":"{tag}","value":{value}}}"#),
                2 => format!(r#"{{"value":{value},"type":"{tag}"}}"#),
                _ => format!(r#" {{ "type" : "{tag}" ,"value" :{value} ,"extra":[1]}} "#),
            }
        }

        /// A field value of any type, with values both good and bad for it.
        fn field(rows: bool) -> BoxedStrategy<String> {
            let texts = prop::sample::select(vec![
                r#""plain""#,
                r#""""#,
                r#""line\nbreak \"quoted\" back\\slash \/ \t\r\b\f""#,
                r#""\u00e9t\u00E9 \u65e5""#,
                r#""\ud83d\ude00 pair""#,
                r#""\ud83d lone""#,
                "\"日本語\"",
                r#""bad \x escape""#,
                "\"control \u{1} byte\"",
                "null",
                "12",
                r#"["a"]"#,
            ]);
            let numbers = prop::sample::select(vec![
                r#""1.50""#,
                r#""""#,
                "null",
                r#""-3e2""#,
                r#""abc""#,
                "5",
                r#"".5""#,
            ]);
            let dates = prop::sample::select(vec![
                r#""2024-08-01""#,
                r#""""#,
                "null",
                r#""2024-8""#,
                r#""2024-02-30""#,
            ]);
            let times = prop::sample::select(vec![r#""09:30""#, r#""""#, r#""25:00""#, "null"]);
            let instants = prop::sample::select(vec![
                r#""2024-08-22T15:23:00Z""#,
                r#""2024-08-22T07:23:00-08:00""#,
                r#""""#,
                "null",
                r#""yesterday""#,
            ]);
            let ids = prop::sample::select(vec![r#""12""#, "12", r#""-1""#, r#""+3""#, r#""""#]);
            let lists = prop::sample::select(vec![
                "[]",
                r#"["a","b"]"#,
                r#"[ "a" , "b\n" ]"#,
                r#"["a",1]"#,
                r#""a""#,
                "null",
            ]);
            let entity = r#"{"code":"sato","name":"Sato"}"#;
            let entities = prop::sample::select(vec![
                "[]".to_string(),
                format!("[{entity},{entity}]"),
                r#"[{"name":"Sato","code":"sato"}]"#.to_string(),
                r#"[{"code":"x","name":null}]"#.to_string(),
                r#"[{"code":"x"}]"#.to_string(),
                entity.to_string(),
            ]);
            let creators = prop::sample::select(vec![
                entity,
                r#"{"code":"x"}"#,
                r#"{"code":"x","name":"X","extra":true}"#,
                "[]",
            ]);
            let file = r#"{"contentType":"text/plain","fileKey":"k","name":"a.txt","size":"12"}"#;
            let files = prop::sample::select(vec![
                "[]".to_string(),
                format!("[{file},{file}]"),
                r#"[{"contentType":null,"fileKey":"k","name":"a","size":"1"}]"#.to_string(),
                r#"[{"fileKey":"k","name":"a.txt","size":"12","contentType":"text/plain"}]"#
                    .to_string(),
                r#"[{"contentType":"t","fileKey":"k","name":"a","size":"+1"}]"#.to_string(),
                r#"[{"contentType":"t","fileKey":"k","name":"a","size":"x"}]"#.to_string(),
                r#"[{"contentType":"t","fileKey":"k","name":"a","size":12}]"#.to_string(),
                r#"[{"contentType":"t","fileKey":"k","name":"a","size":"99999999999999999999"}]"#
                    .to_string(),
                r#"[{"contentType":"t","fileKey":"k","name":"a"}]"#.to_string(),
            ]);
            let text_tags = prop::sample::select(vec![
                "SINGLE_LINE_TEXT",
                "MULTI_LINE_TEXT",
                "RICH_TEXT",
                "LINK",
                "RADIO_BUTTON",
                "RECORD_NUMBER",
                "CALC",
                "STATUS",
                "DROP_DOWN",
            ]);
            let list_tags = prop::sample::select(vec!["CHECK_BOX", "MULTI_SELECT", "CATEGORY"]);
            let entity_tags = prop::sample::select(vec![
                "USER_SELECT",
                "ORGANIZATION_SELECT",
                "GROUP_SELECT",
                "STATUS_ASSIGNEE",
            ]);
            let form = any::<u8>();
            let mut options = vec![
                (text_tags, texts, form)
                    .prop_map(|(t, v, f)| tagged(t, v, f))
                    .boxed(),
                (numbers, form)
                    .prop_map(|(v, f)| tagged("NUMBER", v, f))
                    .boxed(),
                (dates, form)
                    .prop_map(|(v, f)| tagged("DATE", v, f))
                    .boxed(),
                (times, form)
                    .prop_map(|(v, f)| tagged("TIME", v, f))
                    .boxed(),
                (instants.clone(), form)
                    .prop_map(|(v, f)| tagged("DATETIME", v, f))
                    .boxed(),
                (instants, any::<bool>(), form)
                    .prop_map(|(v, updated, f)| {
                        tagged(
                            if updated {
                                "UPDATED_TIME"
                            } else {
                                "CREATED_TIME"
                            },
                            v,
                            f,
                        )
                    })
                    .boxed(),
                (ids, any::<bool>(), form)
                    .prop_map(|(v, id, f)| tagged(if id { "__ID__" } else { "__REVISION__" }, v, f))
                    .boxed(),
                (list_tags, lists, form)
                    .prop_map(|(t, v, f)| tagged(t, v, f))
                    .boxed(),
                (entity_tags, entities, form)
                    .prop_map(|(t, v, f)| tagged(t, &v, f))
                    .boxed(),
                (creators, any::<bool>(), form)
                    .prop_map(|(v, creator, f)| {
                        tagged(if creator { "CREATOR" } else { "MODIFIER" }, v, f)
                    })
                    .boxed(),
                (files, form)
                    .prop_map(|(v, f)| tagged("FILE", &v, f))
                    .boxed(),
                prop::sample::select(vec![
                    r#"{"type":"NEW_KIND","value":{"a":[1,2]}}"#,
                    r#"{"type":"NEW_KIND","value":[-0.5e+3,true,null,"é"]}"#,
                    r#"{"value":"x"}"#,
                    r#""not an object""#,
                    r#"{"type":"NUMBER","value":"1""#,
                ])
                .prop_map(str::to_string)
                .boxed(),
            ];
            if rows {
                let row = (
                    record(false),
                    prop::sample::select(vec![r#""1""#, "2", r#""x""#]),
                    any::<u8>(),
                )
                    .prop_map(|(fields, id, form)| match form % 3 {
                        0 | 1 => format!(r#"{{"id":{id},"value":{fields}}}"#),
                        _ => format!(r#"{{"value":{fields},"id":{id}}}"#),
                    });
                options.push(
                    (prop::collection::vec(row, 0..4), form)
                        .prop_map(|(rows, f)| {
                            tagged("SUBTABLE", &format!("[{}]", rows.join(",")), f)
                        })
                        .boxed(),
                );
            }
            prop::strategy::Union::new(options).boxed()
        }

        /// A record's object: a few fields, their codes drawn from a small set so that records
        /// often repeat the last one's codes, or only begin to, or repeat a code.
        fn record(rows: bool) -> BoxedStrategy<String> {
            let code = prop::sample::select(vec!["$id", "A", "B", "Tbl", "日付", r#"C\"d"#]);
            let pinned = prop::sample::select(vec![
                vec!["$id", "A", "B"],
                vec!["$id", "A"],
                vec!["A", "$id", "B"],
            ]);
            (
                pinned,
                prop::collection::vec(code, 0..2),
                prop::collection::vec(field(rows), 4),
                any::<bool>(),
            )
                .prop_map(|(pinned, extra, values, spaced)| {
                    let separator = if spaced { " ,\n " } else { "," };
                    let fields: Vec<String> = pinned
                        .into_iter()
                        .chain(extra)
                        .zip(values)
                        .map(|(code, value)| format!(r#""{code}":{value}"#))
                        .collect();
                    format!("{{{}}}", fields.join(separator))
                })
                .boxed()
        }

        /// A Get Records or cursor page, sometimes with something wrong around its records.
        fn page() -> impl Strategy<Value = String> {
            let other = prop::sample::select(vec![
                "",
                r#","totalCount":"3""#,
                r#","totalCount":null"#,
                r#","next":true"#,
                r#","next":false,"totalCount":12"#,
                r#","next":"yes""#,
                r#","totalCount":1.5"#,
                r#","records":[]"#,
                r#","extra":{"a":1}"#,
            ]);
            let after = prop::sample::select(vec!["", " \n", "x", "}"]);
            // Each record its own, or the last one's text again (as kintone's records repeat
            // their codes, tags and punctuation), or again with other digits in its values.
            let records = prop::collection::vec((record(true), 0u8..4), 0..5).prop_map(|drawn| {
                let mut records: Vec<String> = Vec::new();
                for (own, form) in drawn {
                    let record = match (records.last(), form) {
                        (Some(last), 2) => last.clone(),
                        (Some(last), 3) => last.replace('1', "7"),
                        _ => own,
                    };
                    records.push(record);
                }
                records
            });
            (records, other, after).prop_map(|(records, other, after)| {
                format!(r#"{{"records":[{}]{other}}}{after}"#, records.join(","))
            })
        }

        /// Records compared field by field in order, values included (`Record`'s own equality
        /// ignores order).
        fn exact(page: &Page) -> String {
            format!("{page:?}")
        }

        /// What the client decodes, by the fast reader or through serde, and what serde alone
        /// reads.
        fn both(
            text: &str,
            max: usize,
            keep: Keep,
        ) -> (Result<Page, String>, Result<Page, String>) {
            let response = RawResponse {
                operation: "GET /k/v1/records.json",
                status: http::StatusCode::OK,
                headers: http::HeaderMap::new(),
                body: bytes::Bytes::copy_from_slice(text.as_bytes()),
            };
            let decoded = decode_page(response, max, keep).map_err(|e| e.to_string());
            let (by_serde, _) = decode_page_by_serde(text.as_bytes(), Some(text), max, keep);
            (decoded, by_serde.map_err(|e| e.to_string()))
        }

        /// A struct reading some of the codes the pages use, of any type.
        #[derive(Debug, PartialEq, crate::KintoneRecord)]
        struct Picked {
            #[kintone(code = "A", type = "SINGLE_LINE_TEXT")]
            a: Option<String>,
            #[kintone(code = "Tbl")]
            tbl: Option<crate::Decimal>,
            #[kintone(code = "日付", type = "DATE")]
            date: Option<crate::Date>,
        }

        /// A field value in kintone's own form, good for its type, of a type the page reader
        /// reads; digits `3` may become `4` and it stays good.
        fn kintone_field(rows: bool) -> BoxedStrategy<String> {
            let tagged = |tag: &str, value: &str| format!(r#"{{"type":"{tag}","value":{value}}}"#);
            let mut values = vec![
                r#"{"type":"__REVISION__","value":"3"}"#.to_string(),
                tagged("SINGLE_LINE_TEXT", r#""plain 3""#),
                tagged("SINGLE_LINE_TEXT", r#""line\nbreak \"quoted\" 日本語""#),
                tagged("MULTI_LINE_TEXT", r#""""#),
                tagged("LINK", r#""https://example.com/3""#),
                tagged("RECORD_NUMBER", r#""ORD-3""#),
                tagged("DROP_DOWN", r#""B3""#),
                tagged("DROP_DOWN", "null"),
                tagged("NUMBER", r#""1.53""#),
                tagged("NUMBER", r#""""#),
                tagged("CALC", r#""-3""#),
                tagged("DATE", r#""2024-08-01""#),
                tagged("TIME", r#""09:30""#),
                tagged("DATETIME", r#""2024-08-22T15:23:00Z""#),
                tagged("UPDATED_TIME", r#""2024-08-22T15:23:00Z""#),
                tagged("CHECK_BOX", r#"["a","b3"]"#),
                tagged("MULTI_SELECT", "[]"),
                tagged("USER_SELECT", r#"[{"code":"sato3","name":"Sato"}]"#),
                tagged("CREATOR", r#"{"code":"x3","name":"X"}"#),
                tagged(
                    "FILE",
                    r#"[{"contentType":"text/plain","fileKey":"k3","name":"a.txt","size":"13"}]"#,
                ),
            ];
            if !rows {
                return prop::sample::select(values).boxed();
            }
            values.push(tagged("SUBTABLE", "[]"));
            let row = kintone_record(false)
                .prop_map(|fields| format!(r#"{{"id":"3","value":{}}}"#, join(&fields)));
            prop::strategy::Union::new_weighted(vec![
                (4, prop::sample::select(values).boxed()),
                (
                    1,
                    prop::collection::vec(row, 1..4)
                        .prop_map(move |rows| tagged("SUBTABLE", &format!("[{}]", rows.join(","))))
                        .boxed(),
                ),
            ])
            .boxed()
        }

        /// A record's fields in kintone's form, with distinct codes.
        fn kintone_record(rows: bool) -> BoxedStrategy<Vec<(&'static str, String)>> {
            let codes = ["$id", "A", "B", "Tbl", "日付", r#"C\"d"#, "E"];
            prop::collection::vec(kintone_field(rows), 0..7)
                .prop_map(move |values| codes.into_iter().zip(values).collect())
                .boxed()
        }

        fn join(fields: &[(&str, String)]) -> String {
            let fields: Vec<String> = fields
                .iter()
                .map(|(code, value)| format!(r#""{code}":{value}"#))
                .collect();
            format!("{{{}}}", fields.join(","))
        }

        /// A page of records in kintone's form, each the last one's again or nearly: the same
        /// text, other digits, a field fewer or more, or a field of another value.
        fn kintone_page() -> impl Strategy<Value = String> {
            let step = (
                kintone_record(true),
                kintone_field(true),
                0u8..6,
                any::<prop::sample::Index>(),
            );
            prop::collection::vec(step, 1..6).prop_map(|steps| {
                let mut records: Vec<Vec<(&str, String)>> = Vec::new();
                for (own, value, change, at) in steps {
                    let Some(last) = records.last().cloned() else {
                        records.push(own);
                        continue;
                    };
                    let record = match change {
                        0 => last,
                        1 => last
                            .into_iter()
                            .map(|(c, v)| (c, v.replace('3', "4")))
                            .collect(),
                        2 => last[..last.len().saturating_sub(1)].to_vec(),
                        3 if last.len() < own.len() => {
                            let mut more = last;
                            more.push(own[more.len()].clone());
                            more
                        }
                        4 if !last.is_empty() => {
                            let mut other = last;
                            let at = at.index(other.len());
                            other[at].1 = value;
                            other
                        }
                        _ => own,
                    };
                    records.push(record);
                }
                let records: Vec<String> = records.iter().map(|r| join(r)).collect();
                format!(
                    r#"{{"records":[{}],"totalCount":"{}"}}"#,
                    records.join(","),
                    records.len()
                )
            })
        }

        /// Values in kintone's form with a string's content at each `@`, as a struct's stream
        /// skips them: a text, a list, users, a creator, a file, a table of two rows, and
        /// one with numbers and literals between its strings.
        const SKIPPED_SHAPES: [&str; 7] = [
            r#"{"type":"SINGLE_LINE_TEXT","value":"@"}"#,
            r#"{"type":"CHECK_BOX","value":["@","@"]}"#,
            r#"{"type":"USER_SELECT","value":[{"code":"@","name":"@"}]}"#,
            r#"{"type":"CREATOR","value":{"code":"@","name":"@"}}"#,
            r#"{"type":"FILE","value":[{"contentType":"@","fileKey":"@","name":"@","size":"@"}]}"#,
            r#"{"type":"SUBTABLE","value":[{"id":"@","value":{"Item":{"type":"SINGLE_LINE_TEXT","value":"@"},"Qty":{"type":"NUMBER","value":"@"}}},{"id":"@","value":{"Item":{"type":"SINGLE_LINE_TEXT","value":"@"}}}]}"#,
            r#"{"type":"NEW_KIND","value":[1,"@",-2.5e3,true,{"k":null,"@":"@"}]}"#,
        ];

        /// A string's content, and whether the page reader reads it (serde reads a `\u` escape;
        /// JSON refuses a control byte, an unknown escape and a lone backslash, which also ends
        /// the string elsewhere).
        const SKIPPED_STRINGS: [(&str, bool); 10] = [
            ("plain", true),
            ("", true),
            (r#"quoted \"word\" and \\ \/ \n\t"#, true),
            (
                "日本語 and more than sixteen bytes of text, past one scan",
                true,
            ),
            ("3", true),
            (r#"caf\u00e9"#, false),
            ("control \u{1} byte", false),
            (r#"bad \x escape"#, false),
            (r#"trailing \"#, false),
            (r#"\""#, true),
        ];

        /// A page of records with two skipped fields of the given shapes, each record's
        /// strings drawn from `SKIPPED_STRINGS` in turn, and the strings it holds.
        fn skipped_page(shapes: &[usize], records: &[Vec<usize>]) -> (String, Vec<usize>) {
            let mut used = Vec::new();
            let records: Vec<String> = records
                .iter()
                .enumerate()
                .map(|(n, strings)| {
                    let mut strings = strings.iter().cycle();
                    let mut fill = |shape: usize| {
                        let parts: Vec<&str> = SKIPPED_SHAPES[shape].split('@').collect();
                        let mut value = parts[0].to_string();
                        for part in &parts[1..] {
                            let string = *strings.next().expect("cycled");
                            used.push(string);
                            value.push_str(SKIPPED_STRINGS[string].0);
                            value.push_str(part);
                        }
                        value
                    };
                    format!(
                        r#"{{"$id":{{"type":"__ID__","value":"{}"}},"B":{},"A":{{"type":"SINGLE_LINE_TEXT","value":"a{n}"}},"E":{}}}"#,
                        n + 1,
                        fill(shapes[0]),
                        fill(shapes[1]),
                    )
                })
                .collect();
            (format!(r#"{{"records":[{}]}}"#, records.join(",")), used)
        }

        /// Each record of a page read into `Picked`, as a stream of it does.
        fn picked(page: &Page) -> Vec<Result<Picked, String>> {
            page.0
                .iter()
                .map(|record| {
                    <Picked as crate::KintoneRecord>::from_record(record.clone())
                        .map_err(|e| e.to_string())
                })
                .collect()
        }

        #[test]
        fn kintones_own_pages_are_read_by_the_fast_reader() {
            let text = r#"{"records":[{"$id":{"type":"__ID__","value":"1"},"Title":{"type":"SINGLE_LINE_TEXT","value":"a\nb"},"Due":{"type":"DATE","value":""},"Lines":{"type":"SUBTABLE","value":[{"id":"7","value":{"Qty":{"type":"NUMBER","value":"1.50"}}}]}},{"$id":{"type":"__ID__","value":"2"},"Title":{"type":"SINGLE_LINE_TEXT","value":"c"},"Due":{"type":"DATE","value":"2024-08-01"},"Lines":{"type":"SUBTABLE","value":[]}}],"totalCount":"2"}"#;
            let fast =
                crate::records::page::read(text, 500, Keep::Every).expect("read without serde");
            let (by_serde, _) = decode_page_by_serde(text.as_bytes(), Some(text), 500, Keep::Every);
            let by_serde = by_serde.unwrap();
            assert_eq!(exact(&fast), exact(&by_serde));
            assert_eq!(fast.0[0]["Title"].as_text(), Some("a\nb"));
            // The records of a page share one list of codes, as serde's do.
            assert!(fast.0[0].keys().zip(fast.0[1].keys()).all(|(a, b)| a == b));
            // A page past its maximum, or with a field read by serde that fails, is serde's.
            assert!(crate::records::page::read(text, 1, Keep::Every).is_none());
            let bad = text.replace(r#""1.50""#, r#""x""#);
            assert!(crate::records::page::read(&bad, 500, Keep::Every).is_none());
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            /// Whatever the page, the client's decoding gives exactly what serde gives (the
            /// same records, fields in the same order, or an error where serde has one), and
            /// the fast reader, where it reads a page at all, gives the same.
            #[test]
            fn the_fast_page_reader_agrees_with_serde(text in page(), max in 0usize..6) {
                let (decoded, by_serde) = both(&text, max, Keep::Every);
                match (&decoded, &by_serde) {
                    (Ok(a), Ok(b)) => prop_assert_eq!(exact(a), exact(b)),
                    (Err(_), Err(_)) => {}
                    _ => prop_assert!(false, "{text}: {decoded:?} / {by_serde:?}"),
                }
                if let Some(fast) = crate::records::page::read(&text, max, Keep::Every) {
                    prop_assert_eq!(Ok(exact(&fast)), by_serde.as_ref().map(exact).map_err(Clone::clone));
                }
                // `get_records` reads its answer by the same reader, and gives what serde's
                // derived decoding of the answer gives.
                let client = crate::GetRecordsResponse::from_json(text.as_bytes());
                let serde = serde_json::from_str::<crate::GetRecordsResponse>(&text);
                match (&client, &serde) {
                    (Ok(a), Ok(b)) => prop_assert_eq!(format!("{a:?}"), format!("{b:?}")),
                    (Err(_), Err(_)) => {}
                    _ => prop_assert!(false, "{text}: {client:?} / {serde:?}"),
                }
                let client = crate::GetRecordsByCursorResponse::from_json(text.as_bytes());
                let serde = serde_json::from_str::<crate::GetRecordsByCursorResponse>(&text);
                prop_assert_eq!(client.map(|a| format!("{a:?}")).ok(), serde.map(|b| format!("{b:?}")).ok());
            }

            /// Pages in kintone's own form, whose records repeat the last one's text or nearly
            /// (as kintone's do), are all read by the fast reader, and as serde reads them;
            /// every field decoded, or a struct's only.
            #[test]
            fn records_like_the_last_are_read_as_serde_reads_them(text in kintone_page()) {
                let picked = Keep::Only(<Picked as crate::KintoneRecord>::FIELD_CODES);
                for keep in [Keep::Every, picked] {
                    let fast = crate::records::page::read(&text, 500, keep);
                    let fast = fast.ok_or_else(|| TestCaseError::fail(format!("{text}: not read")))?;
                    let (by_serde, _) = decode_page_by_serde(text.as_bytes(), Some(&text), 500, keep);
                    prop_assert_eq!(exact(&fast), exact(&by_serde.unwrap()), "{}", text);
                }
            }

            /// Differential: where the client decodes a page (by its own reader, or serde's where
            /// that gives up), it gives exactly what serde_json reads the page into
            /// (`serde_json::Value`) and the derived decoding then reads from those values: the
            /// same records with the same values (a `Value`'s object has its own key order, which
            /// a record's equality ignores) and the same `next`.
            #[test]
            fn decoding_agrees_with_serde_json_values_decoded(text in page(), max in 0usize..6) {
                let (decoded, _) = both(&text, max, Keep::Every);
                let Ok((records, next)) = decoded else {
                    return Ok(());
                };
                let page: serde_json::Value = serde_json::from_str(&text)
                    .map_err(|e| TestCaseError::fail(format!("{text}: decoded, but not JSON: {e}")))?;
                let values = page["records"].as_array().cloned().unwrap_or_default();
                let from_values: Vec<Record> = values
                    .into_iter()
                    .map(serde_json::from_value)
                    .collect::<Result<_, _>>()
                    .map_err(|e| TestCaseError::fail(format!("{text}: decoded, but not from values: {e}")))?;
                prop_assert_eq!(&records, &from_values, "{}", text);
                prop_assert_eq!(next, page.get("next").and_then(serde_json::Value::as_bool));
            }

            /// A stream of a struct decodes only the struct's fields (and `$id`), skipping the
            /// others: by the fast reader or through serde, the same records, and the same as
            /// every field decoded and those taken out, wherever that decodes; and the struct
            /// read from them is the same.
            #[test]
            fn a_struct_stream_decodes_its_own_fields_as_serde_does(text in page(), max in 0usize..6) {
                let keep = Keep::Only(<Picked as crate::KintoneRecord>::FIELD_CODES);
                let (decoded, by_serde) = both(&text, max, keep);
                match (&decoded, &by_serde) {
                    (Ok(a), Ok(b)) => prop_assert_eq!(exact(a), exact(b)),
                    (Err(_), Err(_)) => {}
                    _ => prop_assert!(false, "{text}: {decoded:?} / {by_serde:?}"),
                }
                let (_, every) = both(&text, max, Keep::Every);
                if let Ok(every) = every {
                    let wanted = ["$id", "A", "Tbl", "日付"];
                    let trimmed: Page = (
                        every.0.iter()
                            .map(|record| {
                                record.iter()
                                    .filter(|(code, _)| wanted.contains(&code.as_str()))
                                    .map(|(code, value)| (code.clone(), value.clone()))
                                    .collect()
                            })
                            .collect(),
                        every.1,
                    );
                    let decoded = decoded.expect("decodes where every field does");
                    prop_assert_eq!(exact(&decoded), exact(&trimmed));
                    prop_assert_eq!(picked(&decoded), picked(&every));
                }
            }

            /// Records whose skipped values repeat the last one's structure with other strings in
            /// them (as a struct's stream skips a table or a list whose texts differ from record
            /// to record): skipped as serde skips them, strings that are not good JSON refused
            /// with the page, and read by the fast reader whenever every string is one it reads.
            #[test]
            fn skipped_values_of_the_same_shape_are_skipped_as_serde_skips_them(
                shapes in prop::collection::vec(0..SKIPPED_SHAPES.len(), 2),
                records in prop::collection::vec(prop::collection::vec(0..SKIPPED_STRINGS.len(), 12), 1..5),
            ) {
                let (text, used) = skipped_page(&shapes, &records);
                let picked = Keep::Only(<Picked as crate::KintoneRecord>::FIELD_CODES);
                let (decoded, by_serde) = both(&text, 500, picked);
                match (&decoded, &by_serde) {
                    (Ok(a), Ok(b)) => prop_assert_eq!(exact(a), exact(b)),
                    (Err(_), Err(_)) => {}
                    _ => prop_assert!(false, "{text}: {decoded:?} / {by_serde:?}"),
                }
                let fast = crate::records::page::read(&text, 500, picked);
                let all_read = used.iter().all(|&string| SKIPPED_STRINGS[string].1);
                prop_assert_eq!(fast.is_some(), all_read, "{}", text);
            }
        }
    }

    #[test]
    fn order_by_is_found_outside_strings_only() {
        assert!(has_order_by("Amount > 1 order by Amount desc"));
        assert!(has_order_by("ORDER   BY $id"));
        assert!(!has_order_by(r#"Title = "order by me""#));
        assert!(!has_order_by(
            r#"Title = "say \"order by\"" and Memo like "by""#
        ));
        assert!(!has_order_by("Border > 1 and by_field = 2"));
        assert!(!has_order_by(""));
    }

    fn client() -> Client {
        Client::builder("http://127.0.0.1:9")
            .api_token("T")
            .build()
            .unwrap()
    }

    #[test]
    fn the_automatic_choice_follows_the_query() {
        let seek = client().record_stream(1).query("Amount > 1").into_pager();
        assert!(matches!(seek.unwrap().mode, Mode::Seek { .. }));
        let cursor = client()
            .record_stream(1)
            .query("Amount > 1 order by Amount desc")
            .into_pager();
        assert!(matches!(cursor.unwrap().mode, Mode::Cursor { .. }));
        let refused = client()
            .record_stream(1)
            .query("order by Amount desc")
            .strategy(ReadStrategy::Seek)
            .into_pager();
        assert!(matches!(
            refused,
            Err(Error::Limit(LimitError::QueryClauseNotAllowed {
                clause: "order by",
                ..
            }))
        ));
        let limited = client().record_stream(1).query("limit 5").into_pager();
        assert!(matches!(
            limited,
            Err(Error::Limit(LimitError::QueryClauseNotAllowed { .. }))
        ));
        let too_large = client()
            .record_stream(1)
            .page_size(MAX_RECORDS_PER_PAGE + 1)
            .into_pager();
        assert!(matches!(
            too_large,
            Err(Error::Limit(LimitError::OutOfRange { .. }))
        ));
    }

    #[test]
    fn seeking_adds_the_id_to_restricted_fields_and_strips_it() {
        let pager = client()
            .record_stream(1)
            .fields(["Title"])
            .into_pager()
            .unwrap();
        assert_eq!(
            pager.fields.as_deref(),
            Some(&["Title".into(), ID.into()][..])
        );
        assert!(pager.strip_id);
        let asked = client()
            .record_stream(1)
            .fields(["Title", ID])
            .into_pager()
            .unwrap();
        assert!(!asked.strip_id);
        let cursor = client()
            .record_stream(1)
            .fields(["Title"])
            .strategy(ReadStrategy::Cursor)
            .into_pager()
            .unwrap();
        assert_eq!(cursor.fields.as_deref(), Some(&["Title".into()][..]));
    }

    #[test]
    fn the_stream_is_send_and_static() {
        fn check<T: Send + 'static>(_: &T) {}
        check(&client().record_stream(1).build());
    }
}
