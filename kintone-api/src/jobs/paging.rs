//! Reading every record of a query, past Get Records' 10,000-offset limit, through a cursor.

use crate::limits::MAX_CURSOR_PAGE_SIZE;
use crate::records::page::{decode_cursor_page, Keep};
use crate::runtime::{Operation, Undecoded};
use crate::{Client, CreateCursorResponse, DeleteCursorRequest, GetRecordsByCursorRequest};
use crate::{CreateCursorRequest, CursorId, Error, ProtocolError, Record};

/// An open cursor, read page by page.
///
/// kintone deletes a cursor once it is read to the end; a cursor abandoned earlier stays open
/// (one of the domain's 10) until it expires after 10 minutes, so call [`close`](Self::close)
/// when stopping early.
#[derive(Debug)]
pub struct RecordCursor<'c> {
    client: &'c Client,
    id: CursorId,
    total_count: u64,
    /// Records read so far, checked against `total_count`.
    received: u64,
    /// The most records a page may hold: the `size` asked for.
    page_size: usize,
    finished: bool,
}

impl<'c> RecordCursor<'c> {
    /// Opens a cursor for the request (its `size` is the page size, 100 unless set, at most 500).
    pub async fn open(client: &'c Client, request: CreateCursorRequest) -> Result<Self, Error> {
        // Without a `size`, kintone's own default applies, which is below the largest.
        let page_size = request.size.map_or(MAX_CURSOR_PAGE_SIZE, |size| {
            usize::try_from(size).unwrap_or(usize::MAX)
        });
        let created = create_cursor(client, request).await?;
        Ok(Self {
            client,
            id: created.id,
            total_count: created.total_count,
            received: 0,
            page_size,
            finished: false,
        })
    }

    /// How many records the cursor returns in all.
    pub fn total_count(&self) -> u64 {
        self.total_count
    }

    /// The cursor's id.
    pub fn id(&self) -> &CursorId {
        &self.id
    }

    /// The next page, or `None` once every record was read (kintone has then deleted the cursor).
    ///
    /// A server that promises more records with an empty page, or sends more records than it
    /// announced, would keep a reader going forever, and a page larger than the `size` asked
    /// for is read only up to the first record past it: each is [`ProtocolError`], and the
    /// cursor is left open for [`close`](Self::close). A page kintone marks as partial is
    /// [`Error::FilterAborted`] unless the client
    /// [accepts partial pages](crate::ClientBuilder::accept_partial_pages).
    pub async fn next_page(&mut self) -> Result<Option<Vec<Record>>, Error> {
        if self.finished {
            return Ok(None);
        }
        let answer = self
            .client
            .send(Undecoded(GetRecordsByCursorRequest::new(self.id.clone())))
            .await?;
        self.client
            .check_whole_page(GetRecordsByCursorRequest::ID, answer.headers())?;
        let (records, next) = decode_cursor_page(answer.into_body(), self.page_size, Keep::Every)?;
        check_cursor_page(self.total_count, &mut self.received, records.len(), next)?;
        self.finished = !next;
        Ok(Some(records))
    }

    /// Deletes the cursor if it is still open.
    pub async fn close(mut self) -> Result<(), Error> {
        if !self.finished {
            self.finished = true;
            self.client
                .send(DeleteCursorRequest::new(self.id.clone()))
                .await?;
        }
        Ok(())
    }
}

/// Creates a cursor; one whose answer kintone marks as partial (the query's filtering aborted)
/// is [`Error::FilterAborted`] unless the client accepts partial pages. kintone documents the
/// warning on Get Records; a cursor is checked alike, so that no reader of every record can miss
/// records without a word.
pub(crate) async fn create_cursor(
    client: &Client,
    request: CreateCursorRequest,
) -> Result<CreateCursorResponse, Error> {
    let answer = client.send(request).await?;
    if let Err(partial) = client.check_whole_page(CreateCursorRequest::ID, answer.headers()) {
        // The cursor exists on kintone's side: delete it rather than leave one of the
        // domain's few cursors open; the partial answer is the error the caller needs.
        let _ = client
            .send(DeleteCursorRequest::new(answer.into_body().id))
            .await;
        return Err(partial);
    }
    Ok(answer.into_body())
}

/// Checks a cursor page against what the cursor announced: a page that promises more and holds
/// nothing, or records past the announced count, would keep a reader going without end.
pub(crate) fn check_cursor_page(
    total_count: u64,
    received: &mut u64,
    page_len: usize,
    next: bool,
) -> Result<(), ProtocolError> {
    *received = received.saturating_add(page_len as u64);
    if *received > total_count {
        return Err(ProtocolError::MoreThanAnnounced {
            announced: total_count,
            received: *received,
        });
    }
    if next && page_len == 0 {
        return Err(ProtocolError::EmptyPageWithMore);
    }
    Ok(())
}

impl Client {
    /// Every record the request's query matches, read through a cursor. When a read fails, the
    /// cursor is deleted before the error is returned.
    ///
    /// The records are held together: for large apps, [`record_stream`](Self::record_stream)
    /// holds a bounded number of pages instead. A cursor that announces more records than
    /// [`max_collected_records`](crate::ClientBuilder::max_collected_records) is
    /// [`Error::TooManyRecords`], and deleted, before any page is read; since no more records
    /// than announced are accepted, that maximum bounds what is held whatever the server
    /// sends. The announced `totalCount` is not used to reserve memory; reading stops with
    /// [`ProtocolError`] when the pages contradict it.
    pub async fn all_records(&self, request: CreateCursorRequest) -> Result<Vec<Record>, Error> {
        let mut cursor = RecordCursor::open(self, request).await?;
        let max = self.inner.max_collected_records;
        if cursor.total_count() > max {
            let announced = cursor.total_count();
            // Refused already; a failure to delete the cursor adds nothing the caller can use.
            let _ = cursor.close().await;
            return Err(Error::TooManyRecords { announced, max });
        }
        let mut records = Vec::new();
        loop {
            match cursor.next_page().await {
                Ok(Some(page)) => records.extend(page),
                Ok(None) => return Ok(records),
                Err(e) => {
                    // The read already failed; a failure to clean up adds nothing the caller can use.
                    let _ = cursor.close().await;
                    return Err(e);
                }
            }
        }
    }
}
