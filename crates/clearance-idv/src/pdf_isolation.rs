//! How uploaded PDFs are rasterised: in this process, or in a child process under OS limits.
//!
//! Why a child: `hayro` has no resource limits of its own, so a small hostile PDF (a Flate
//! bomb, a huge image XObject, a slow JBIG2 stream…) can ask for gigabytes or minutes. A child
//! with `RLIMIT_AS` and `RLIMIT_CPU` set, killed after a wall timeout, bounds what one upload
//! can cost; when it fails for any reason the upload is simply unreadable. In-process stays the
//! default so that tests and library users need no extra binary; `clearance serve` hands the
//! document engine a [`PdfRendering::Isolated`] with the `clearance rasterise-pdf` subcommand as
//! the child. The choice travels with the engine that decodes, never through a global.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::Result;
use crate::image::{DecodeLimits, DocumentImage};

mod child;
mod parent;
mod wire;

pub use child::run_pdf_child;

/// A child process that rasterises PDFs, and the limits it runs under.
#[derive(Clone, Debug)]
pub struct PdfIsolation {
    /// The program to start: a binary that calls [`run_pdf_child`].
    pub program: PathBuf,
    /// Its arguments (for `clearance`: `["rasterise-pdf"]`).
    pub args: Vec<OsString>,
    /// The child's address-space limit (`RLIMIT_AS`), bytes.
    pub max_address_space: u64,
    /// The child's CPU-time limit (`RLIMIT_CPU`).
    pub max_cpu: Duration,
    /// Wall-clock time after which the child is killed.
    pub timeout: Duration,
    /// Most children running at once in this process; more renders wait for a slot. Each
    /// child may take `max_address_space`, so this bounds what hostile uploads can take
    /// together (the check workers would otherwise start one child each).
    pub max_children: usize,
}

impl PdfIsolation {
    /// `program args…` with the default limits: 2 GiB of address space, 20 s of CPU and 30 s
    /// of wall time, ample for a genuine scan (well under a second); as many children at once
    /// as the machine has CPUs.
    pub fn new<I, S>(program: impl Into<PathBuf>, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        Self {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
            max_address_space: 2 * 1024 * 1024 * 1024,
            max_cpu: Duration::from_secs(20),
            timeout: Duration::from_secs(30),
            max_children: std::thread::available_parallelism().map_or(2, usize::from),
        }
    }
}

/// Where PDFs are rasterised.
#[derive(Clone, Debug, Default)]
pub enum PdfRendering {
    /// In this process, without limits on what the PDF may ask for: for trusted input.
    #[default]
    InProcess,
    /// In a child process under OS limits: for uploads.
    Isolated(PdfIsolation),
}

impl PdfRendering {
    /// Rasterises the first page of `pdf` here or in the child (white margins trimmed).
    ///
    /// # Errors
    /// [`crate::IdvError::ImageUnreadable`] when the PDF is corrupt, encrypted, empty or over
    /// the limits, or (isolated) when the child fails, runs out of memory or time.
    pub fn render(&self, pdf: &[u8], limits: DecodeLimits) -> Result<DocumentImage> {
        match self {
            Self::InProcess => crate::image::pdf::first_page(pdf, limits),
            Self::Isolated(isolation) => parent::render(isolation, pdf, limits),
        }
        .map(DocumentImage::from_rgb)
    }
}
