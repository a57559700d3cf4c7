//! The worker threads: jobs run one at a time off the main loop, the
//! latest under a key replacing the one waiting.

use super::*;

pub(super) type Job = Box<dyn FnOnce() -> Event + Send>;

#[derive(Default)]
pub(super) struct Queue {
    jobs: BTreeMap<String, Job>,
    stop: bool,
}

/// A thread that runs jobs one at a time, off the main loop. A job given
/// under a key replaces the one waiting under that key (not one that
/// runs): an edit supersedes the analysis of the edit before it.
pub(super) struct Worker {
    queue: Arc<(Mutex<Queue>, Condvar)>,
}

pub(super) fn lock(m: &Mutex<Queue>) -> MutexGuard<'_, Queue> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Worker {
    pub(super) fn spawn(name: &str, tx: Sender<Event>) -> Worker {
        let queue: Arc<(Mutex<Queue>, Condvar)> = Arc::default();
        let q = queue.clone();
        let run = move || {
            loop {
                let job = {
                    let (m, cv) = &*q;
                    let mut g = lock(m);
                    loop {
                        if g.stop {
                            return;
                        }
                        if let Some((_, job)) = g.jobs.pop_first() {
                            break job;
                        }
                        g = cv.wait(g).unwrap_or_else(std::sync::PoisonError::into_inner);
                    }
                };
                // A job that panics (a bug) is lost, not the worker: each
                // job catches what it can answer for itself.
                if let Ok(event) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)) {
                    if tx.send(event).is_err() {
                        return;
                    }
                }
            }
        };
        // Without a thread the jobs never run; the server then answers
        // requests and publishes nothing, rather than stopping.
        let _ = std::thread::Builder::new().name(name.into()).spawn(run);
        Worker { queue }
    }

    pub(super) fn submit(&self, key: String, job: Job) {
        let (m, cv) = &*self.queue;
        lock(m).jobs.insert(key, job);
        cv.notify_one();
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let (m, cv) = &*self.queue;
        lock(m).stop = true;
        cv.notify_all();
    }
}
