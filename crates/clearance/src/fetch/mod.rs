//! Downloading screening lists from their publishers: `clearance lists fetch` and the refresh
//! schedule of `serve` (issue #25). Requests are conditional (ETag, Last-Modified), bounded in
//! time and size, and a download replaces the stored list only after it parsed and passed the
//! guards of `import_list` (entities dropped, self-check), with the delta of what changed.

pub mod download;
pub mod refresh;
pub mod schedule;
pub mod sources;

pub use download::Downloader;
pub use refresh::{FetchSettings, Outcome, fetch_source};
pub use schedule::{refresh_due, run_refresh};
pub use sources::{SOURCES, Source, source};

/// The sources named by `codes`, in order, each once.
///
/// # Errors
/// An unknown code.
pub fn sources_named(codes: &[String]) -> Result<Vec<&'static Source>, String> {
    let mut out: Vec<&'static Source> = Vec::new();
    for code in codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        let found = source(code)?;
        if !out.iter().any(|s| s.code == found.code) {
            out.push(found);
        }
    }
    Ok(out)
}
