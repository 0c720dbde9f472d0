//! One memory budget for the request bodies being read at once. Each body reserves its bytes
//! before they are kept and gives them back when its request ends, so that many large bodies
//! at once cannot grow the emulator past the budget (issue 24: 200 bodies of 16 MB took 3.5 GB).

use std::sync::atomic::{AtomicUsize, Ordering};

/// The bytes all request bodies being read at once may hold, and how many they hold now.
#[derive(Debug)]
pub struct BodyBudget {
    limit: usize,
    in_use: AtomicUsize,
}

impl BodyBudget {
    pub fn new(limit: usize) -> Self {
        Self {
            limit,
            in_use: AtomicUsize::new(0),
        }
    }

    /// The whole budget: a body larger than this can never be read.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The bytes reserved by bodies now.
    pub fn in_use(&self) -> usize {
        self.in_use.load(Ordering::SeqCst)
    }

    /// Reserves `bytes`, or nothing if they do not fit in what is left.
    pub fn try_reserve(&self, bytes: usize) -> Option<Reservation<'_>> {
        let mut reservation = Reservation {
            budget: self,
            bytes: 0,
        };
        reservation.try_grow(bytes).then_some(reservation)
    }
}

/// Bytes of the budget held by one body; given back when dropped.
#[derive(Debug)]
pub struct Reservation<'a> {
    budget: &'a BodyBudget,
    bytes: usize,
}

impl Reservation<'_> {
    /// Reserves `more` bytes on top of those held; false (and nothing more held) if they do not
    /// fit.
    pub fn try_grow(&mut self, more: usize) -> bool {
        let limit = self.budget.limit;
        let grown = self
            .budget
            .in_use
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |used| {
                used.checked_add(more).filter(|total| *total <= limit)
            })
            .is_ok();
        if grown {
            self.bytes += more;
        }
        grown
    }

    /// The bytes this reservation holds.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        self.budget.in_use.fetch_sub(self.bytes, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_share_the_limit_and_give_it_back() {
        let budget = BodyBudget::new(100);
        let mut first = budget.try_reserve(60).expect("fits");
        assert!(budget.try_reserve(41).is_none(), "60 + 41 is over 100");
        let second = budget.try_reserve(40).expect("60 + 40 fits");
        assert!(!first.try_grow(1), "nothing is left");
        assert_eq!((budget.in_use(), first.bytes()), (100, 60));
        drop(second);
        assert!(first.try_grow(40));
        assert_eq!(budget.in_use(), 100);
        drop(first);
        assert_eq!(budget.in_use(), 0);
        assert!(budget.try_reserve(usize::MAX).is_none(), "no overflow");
        assert_eq!(budget.in_use(), 0);
    }
}
