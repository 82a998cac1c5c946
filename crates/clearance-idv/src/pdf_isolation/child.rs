//! The child side: limit this process, read one request from stdin, answer on stdout.

use std::io::{self, Read, Write};
use std::process::ExitCode;

use super::wire::{Request, encode_reply};

/// Runs this process as a PDF rasteriser child (see [`super::PdfIsolation`]): sets its own
/// address-space and CPU limits from the request before reading the PDF, renders the first
/// page in-process and writes it to stdout. Meant to be the whole of a subcommand's work.
///
/// Exits non-zero when anything fails; the parent then reports the upload as unreadable. An
/// allocation refused under `RLIMIT_AS` aborts the process, which is just another failure.
#[must_use]
pub fn run_pdf_child() -> ExitCode {
    match serve(&mut io::stdin().lock(), &mut io::stdout().lock()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

fn serve(input: &mut impl Read, output: &mut impl Write) -> io::Result<()> {
    let request = Request::read(input)?;
    limit_this_process(&request)?;
    let max_bytes = request.limits.max_bytes;
    let mut pdf = Vec::new();
    // One byte past the limit tells an oversized upload from one exactly at it.
    input
        .take(u64::try_from(max_bytes).map_err(io::Error::other)? + 1)
        .read_to_end(&mut pdf)?;
    if pdf.len() > max_bytes {
        return Err(io::Error::other("file too large"));
    }
    let rgb = crate::image::pdf::first_page(&pdf, request.limits).map_err(io::Error::other)?;
    output.write_all(&encode_reply(&rgb))?;
    output.flush()
}

/// Caps memory and CPU before any untrusted byte is parsed. The hard CPU limit is a second
/// later than the soft one: SIGXCPU first, SIGKILL if that is ignored. No core files: a
/// child aborted under the memory limit would otherwise write one per hostile upload.
#[cfg(unix)]
fn limit_this_process(request: &Request) -> io::Result<()> {
    use rlimit::Resource;
    Resource::CORE.set(0, 0)?;
    Resource::AS.set(request.max_address_space, request.max_address_space)?;
    Resource::CPU.set(request.max_cpu_secs, request.max_cpu_secs.saturating_add(1))
}

/// Without OS limits there is no safe way to render: refuse.
#[cfg(not(unix))]
fn limit_this_process(_: &Request) -> io::Result<()> {
    Err(io::Error::other("PDF isolation needs a Unix system"))
}
