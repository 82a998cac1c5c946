//! The parent side: start the child, feed it, read its reply with a cap, kill it when late.

use std::io::Write;
use std::process::{Child, Command, ExitStatus, Stdio};
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
