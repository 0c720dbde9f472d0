//! The emulator's sense of time, for expiry (cursors, uploads), record times and the date
//! functions of queries: the system clock, or a manual clock that tests set and advance, so
//! that waiting ten minutes or three days takes no time and `TODAY()` is a date the test knows.

use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// Where the emulator reads the time.
pub trait Clock: Send + Sync + Debug + 'static {
    /// The current moment; it never goes back.
    fn now(&self) -> Instant;

    /// The date and time: for records' creation and update times and for the query functions
    /// that read the date (`TODAY()`, `THIS_MONTH()`, …).
    fn wall(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// The operating system's monotonic clock (the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that stands still until told to move: clones share the same time, so a test keeps
/// one and hands a clone to [`EmulatorBuilder::clock`](crate::EmulatorBuilder::clock).
///
/// ```
/// # use std::time::Duration;
/// # use kintone_emulator::{Emulator, ManualClock};
/// let clock = ManualClock::new();
/// let builder = Emulator::builder().clock(clock.clone());
/// // … open a cursor, then:
/// clock.advance(Duration::from_secs(601)); // the cursor has expired
/// ```
#[derive(Debug, Clone)]
pub struct ManualClock {
    start: Instant,
    wall_start: SystemTime,
    elapsed: Arc<Mutex<Duration>>,
}

impl ManualClock {
    /// A clock that reads the system's date and time at its creation, then stands still.
    pub fn new() -> Self {
        Self::starting_at(SystemTime::now())
    }

    /// A clock whose date and time start at `wall` (for tests of `TODAY()` near midnight…).
    pub fn starting_at(wall: SystemTime) -> Self {
        Self {
            start: Instant::now(),
            wall_start: wall,
            elapsed: Arc::new(Mutex::new(Duration::ZERO)),
        }
    }

    /// Moves the time forward.
    pub fn advance(&self, by: Duration) {
        *self.elapsed.lock().unwrap() += by;
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.start + *self.elapsed.lock().unwrap()
    }

    fn wall(&self) -> SystemTime {
        self.wall_start + *self.elapsed.lock().unwrap()
    }
}
