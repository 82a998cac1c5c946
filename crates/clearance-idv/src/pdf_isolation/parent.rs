//! The parent side: start the child, feed it, read its reply with a cap, kill it when late.

use std::io::Write;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Condvar, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use image::RgbImage;

use super::PdfIsolation;
use super::wire::{Request, read_reply};
use crate::error::{IdvError, Result};
use crate::image::DecodeLimits;

/// The one answer for every failure of the child: which limit a hostile file hit is of no
/// use to the caller, and the child's own messages are not trusted.
const UNRENDERABLE: IdvError =
    IdvError::ImageUnreadable("the PDF could not be rendered within the limits");

/// Renders the first page of `pdf` in a child process (see [`PdfIsolation`]).
pub(super) fn render(
    isolation: &PdfIsolation,
    pdf: &[u8],
    limits: DecodeLimits,
) -> Result<RgbImage> {
    let request = Request {
        max_address_space: isolation.max_address_space,
        // At least a second: RLIMIT_CPU counts whole seconds, and 0 would mean "none left".
        max_cpu_secs: isolation.max_cpu.as_secs().max(1),
        limits,
    }
    .encode();
    let _slot = ChildSlot::take(isolation.max_children);
    let mut child = Command::new(&isolation.program)
        .args(&isolation.args)
        // The server's environment holds secrets (master key, database URL) that the process
        // parsing hostile input has no use for.
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        // The child's messages could echo document content: none reach the logs.
        .stderr(Stdio::null())
        .spawn()
        .map_err(|_| UNRENDERABLE)?;
    let (Some(mut stdin), Some(mut stdout)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = kill(&mut child);
        return Err(UNRENDERABLE);
    };
    // Writing and reading run beside the wait so that neither a child that stops reading nor
    // one that never answers can outlast the timeout: killing it closes both pipes.
    thread::scope(|scope| {
        scope.spawn(move || {
            // A child that exits early makes this fail (EPIPE); its exit status tells.
            let _ = stdin
                .write_all(&request)
                .and_then(|()| stdin.write_all(pdf));
        });
        let reply = scope.spawn(move || read_reply(&mut stdout, limits));
        let status = wait_until(&mut child, Instant::now() + isolation.timeout);
        let reply = reply.join();
        match (status, reply) {
            (Some(status), Ok(Ok(rgb))) if status.success() => Ok(rgb),
            _ => Err(UNRENDERABLE),
        }
    })
}

/// Waits for the child until `deadline`, then kills it; `None` when it was killed (or could
/// not be waited for). Polls, as std has no wait with a timeout; the pause grows from 1 ms to
/// 25 ms so quick renders return quickly and slow ones cost little.
fn wait_until(child: &mut Child, deadline: Instant) -> Option<ExitStatus> {
    let mut pause = Duration::from_millis(1);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => {
                thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(25));
            }
            _ => {
                let _ = kill(child);
                return None;
            }
        }
    }
}

/// Kills and reaps the child, so that no zombie is left behind.
fn kill(child: &mut Child) -> std::io::Result<ExitStatus> {
    let _ = child.kill();
    child.wait()
}

/// Children of this process running now, and the signal that one has finished.
static RUNNING: Mutex<usize> = Mutex::new(0);
static FINISHED: Condvar = Condvar::new();

/// A place among the children allowed to run at once, given back when dropped. Waiting blocks
/// the thread, which is a blocking-pool thread in the server (document reads run there).
struct ChildSlot;

impl ChildSlot {
    fn take(max_children: usize) -> Self {
        let mut running = RUNNING.lock().unwrap_or_else(PoisonError::into_inner);
        while *running >= max_children.max(1) {
            running = FINISHED
                .wait(running)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *running += 1;
        ChildSlot
    }
}

impl Drop for ChildSlot {
    fn drop(&mut self) {
        let mut running = RUNNING.lock().unwrap_or_else(PoisonError::into_inner);
        *running = running.saturating_sub(1);
        FINISHED.notify_all();
    }
}
