//! Fair shares of the PACS among readers. Each reader (a clinician, a share session) has at
//! most `per_reader` requests at the PACS at once, and all readers together at most `total`
//! (below the PACS's own worker count: Orthanc has 50 HTTP threads by default). A request over
//! either waits its turn, first come first served, holding nothing meanwhile: a reader
//! fetching a thousand frames cannot starve another's first image.
//!
//! A turn lasts until the PACS's answer has been streamed to the reader. The counts are this
//! copy's: N copies behind a balancer allow N times `total`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Readers remembered at once; beyond, those with nothing at the PACS are forgotten.
const MAX_READERS: usize = 10_000;

pub struct Readers {
    per_reader: usize,
    total_permits: usize,
    total: Arc<Semaphore>,
    each: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// A reader's turn at the PACS: released when dropped.
pub struct Turn {
    _reader: OwnedSemaphorePermit,
    _total: OwnedSemaphorePermit,
}

impl Readers {
    pub fn new(per_reader: usize, total: usize) -> Readers {
        Readers {
            per_reader: per_reader.max(1),
            total_permits: total.max(1),
            total: Arc::new(Semaphore::new(total.max(1))),
            each: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for `reader`'s turn: first within its own share, then within the total.
    pub async fn turn(&self, reader: &str) -> Option<Turn> {
        let own = {
            let mut each = self.each.lock().ok()?;
            if each.len() >= MAX_READERS && !each.contains_key(reader) {
                let idle = self.per_reader;
                each.retain(|_, s| s.available_permits() < idle);
            }
            Arc::clone(
                each.entry(reader.to_string())
                    .or_insert_with(|| Arc::new(Semaphore::new(self.per_reader))),
            )
        };
        let reader = own.acquire_owned().await.ok()?;
        let total = Arc::clone(&self.total).acquire_owned().await.ok()?;
        Some(Turn {
            _reader: reader,
            _total: total,
        })
    }

    /// Requests at the PACS now.
    pub fn in_flight(&self) -> usize {
        self.total_permits
            .saturating_sub(self.total.available_permits())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    async fn pending<F: std::future::Future>(future: F) -> bool {
        tokio::time::timeout(Duration::from_millis(50), future)
            .await
            .is_err()
    }

    #[tokio::test]
    async fn a_reader_over_its_share_waits_and_others_go_on() {
        let readers = Readers::new(2, 3);
        let a1 = readers.turn("a").await.expect("turn");
        let _a2 = readers.turn("a").await.expect("turn");
        assert!(pending(readers.turn("a")).await, "a's third waits");
        let b1 = readers.turn("b").await.expect("b is not held back by a");
        assert!(pending(readers.turn("c")).await, "the total is reached");
        assert_eq!(readers.in_flight(), 3);
        drop(b1);
        let _c1 = readers.turn("c").await.expect("c gets b's place");
        drop(a1);
        let _d1 = readers
            .turn("d")
            .await
            .expect("a's place is in the total again");
        assert!(pending(readers.turn("e")).await);
    }

    #[tokio::test]
    async fn waiting_readers_are_served_in_turn() {
        let readers = Arc::new(Readers::new(1, 1));
        let first = readers.turn("a").await.expect("turn");
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        for name in ["b", "c", "d"] {
            let (readers, tx) = (Arc::clone(&readers), tx.clone());
            tokio::spawn(async move {
                let turn = readers.turn(name).await;
                tx.send(name).ok();
                tokio::time::sleep(Duration::from_millis(10)).await;
                drop(turn);
            });
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        drop(first);
        let mut order = Vec::new();
        for _ in 0..3 {
            order.push(rx.recv().await.expect("served"));
        }
        assert_eq!(order, ["b", "c", "d"]);
    }
}
