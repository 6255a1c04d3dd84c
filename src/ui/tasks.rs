//! Background work for the window: each task runs on its own thread, returns a `Result`, and
//! wakes the UI when its value is ready. A panic in a task becomes an error, never a crash of
//! the UI at the next poll.

use std::panic::AssertUnwindSafe;

use poll_promise::Promise;

/// A task's panic, turned into a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskPanicked {
    /// The task's name.
    pub task: &'static str,
}

impl std::fmt::Display for TaskPanicked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "erro interno na tarefa «{}»", self.task)
    }
}

/// Runs `work` on a new named thread. The promise resolves with its value (or
/// [`TaskPanicked`]) and the UI is asked to repaint right after the value is sent.
pub fn spawn<T: Send + 'static>(
    ctx: &egui::Context,
    name: &'static str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Promise<Result<T, TaskPanicked>> {
    let (sender, promise) = Promise::new();
    let ctx = ctx.clone();
    let spawned = std::thread::Builder::new()
        .name(format!("task-{name}"))
        .spawn(move || {
            let value = std::panic::catch_unwind(AssertUnwindSafe(work))
                .map_err(|_| TaskPanicked { task: name });
            sender.send(value);
            ctx.request_repaint();
        });
    match spawned {
        Ok(_) => promise,
        Err(_) => Promise::from_ready(Err(TaskPanicked { task: name })),
    }
}

/// Takes the value out of a finished promise, leaving `None` in the slot; `None` while it runs.
pub fn take_ready<T: Send + 'static>(slot: &mut Option<Promise<T>>) -> Option<T> {
    let promise = slot.take()?;
    match promise.try_take() {
        Ok(value) => Some(value),
        Err(promise) => {
            *slot = Some(promise);
            None
        }
    }
}

/// Drops `value` on a helper thread: freeing a large structure (a summary of 100,000 groups,
/// each with its strings) takes longer than a frame. Dropped in place when no thread can be
/// started.
pub fn drop_off_thread<T: Send + 'static>(value: T) {
    // A failed spawn hands the closure, and so the value, back to be dropped here.
    let _ = std::thread::Builder::new()
        .name("task-drop".to_owned())
        .spawn(move || drop(value));
}
