//! The live `document_check` engine (issue #8 item 3): reads the document's images from blob
//! storage, reads the MRZ offline with `clearance-idv` on a blocking thread, and reports the
//! documented result (checks-and-more.md §2.4) in the sandbox's shape.
//!
//! What is measured: `extractedData` from the MRZ; `mrzAnalysis` (format, check digits);
//! `contentAnalysis` (data integrity, expiry against the server's date, minimum permitted age);
//! `consistencyAnalysis` of the MRZ against the document record (type, issuing country,
//! number); `formatAnalysis` (document code and MRZ format against the declared type);
//! `frontAndBackAnalysis` (evident mismatches only, see `reading.rs`); `clientValidation`
//! (names after ICAO transliteration, date of birth); `forensicAnalysis.imageTampering`
//! attention when an image's metadata named an editor at upload (never `clear`: silence proves
//! nothing).
//!
//! Unusable images (undecodable, failing the quality gate, or no MRZ on a type that must carry
//! one) end the check `not_processed`. PDFs end it `not_processed` too: `clearance-idv` decodes
//! JPEG and PNG only and has no PDF rasteriser.

mod autofill;
mod inspect;
mod reading;
mod request;
mod result;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use clearance_core::autofill::{AutofillReading, DocumentReader};
use clearance_core::blobs::blob_key;
use clearance_core::checks::analyser::{Analyser, Analysis, CheckContext, TransientError};
use clearance_idv::check::{Declared, Verdict};
use clearance_idv::documents::two_sides_expected;
use clearance_idv::pdf_isolation::PdfRendering;
use clearance_idv::{IdvError, MrzReader};
use tokio::sync::Semaphore;

pub use inspect::DocumentQualityInspector;
use reading::Reading;
use request::{ClientFacts, DeclaredDocument, ImageRef, Options};
use result::Expectations;

/// The live document-check engine. Cheap to share: the OCR model is loaded once.
pub struct DocumentCheckEngine {
    reader: Arc<MrzReader>,
    /// How uploaded PDFs are rasterised (a limited child process on servers).
    pdf: Arc<PdfRendering>,
    /// Bounds the analyses running at once (each is CPU-bound and holds decoded images).
    permits: Arc<Semaphore>,
}

impl std::fmt::Debug for DocumentCheckEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocumentCheckEngine")
            .finish_non_exhaustive()
    }
}

impl DocumentCheckEngine {
    /// An engine over an already loaded MRZ reader. At most as many analyses run at once as the
    /// machine has cores; see [`DocumentCheckEngine::with_max_parallel`].
    pub fn new(reader: Arc<MrzReader>) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        DocumentCheckEngine {
            reader,
            pdf: Arc::new(PdfRendering::InProcess),
            permits: Arc::new(Semaphore::new(cores)),
        }
    }

    /// Loads the OCR model from `models_dir` (the repository's `models/ocr`, holding
    /// `PP-OCRv6_rec_small.rten` and `ppocrv6_dict.txt`) and builds the engine.
    ///
    /// # Errors
    /// [`IdvError::Model`] when a model file is missing or not a model.
    pub fn load(models_dir: &Path) -> Result<Self, IdvError> {
        Ok(Self::new(Arc::new(MrzReader::load(models_dir)?)))
    }

    /// Rasterises uploaded PDFs as `pdf` says (default: in this process, for trusted input).
    pub fn with_pdf_rendering(mut self, pdf: PdfRendering) -> Self {
        self.pdf = Arc::new(pdf);
        self
    }

    /// Caps the analyses running at once (at least one).
    /// The OCR model and the PDF rendering, shared with the proof-of-address engine.
    pub fn reader(&self) -> (Arc<MrzReader>, Arc<PdfRendering>) {
        (self.reader.clone(), self.pdf.clone())
    }

    pub fn with_max_parallel(mut self, analyses: usize) -> Self {
        self.permits = Arc::new(Semaphore::new(analyses.max(1)));
        self
    }

    async fn image_bytes(
        &self,
        ctx: &CheckContext,
        image: &ImageRef,
    ) -> Result<Option<Vec<u8>>, TransientError> {
        let Some(document) = &ctx.document else {
            return Ok(None);
        };
        let owner = document.client_id.as_deref().unwrap_or_default();
        let key = blob_key(&document.scope, owner, &document.id, &image.id);
        ctx.blobs
            .get(&key)
            .await
            .map_err(|e| TransientError(e.to_string()))
    }
}

impl DocumentCheckEngine {
    /// Autofill: reads one image's MRZ on a blocking thread, under the same concurrency bound as
    /// document checks.
    pub async fn autofill(
        &self,
        image: Vec<u8>,
        now_ms: i64,
    ) -> Result<AutofillReading, TransientError> {
        let today = request::today(now_ms)
            .ok_or_else(|| TransientError("the server's clock is out of range".into()))?;
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| TransientError(e.to_string()))?;
        let reader = self.reader.clone();
        let pdf = self.pdf.clone();
        tokio::task::spawn_blocking(move || autofill::read(&reader, &image, today, &pdf))
            .await
            .map_err(|e| TransientError(format!("document reading stopped: {e}")))?
            .map_err(|e| TransientError(format!("document reading failed: {e}")))
    }
}

#[async_trait]
impl DocumentReader for DocumentCheckEngine {
    async fn read(&self, image: Vec<u8>, today_ms: i64) -> Result<AutofillReading, TransientError> {
        self.autofill(image, today_ms).await
    }
}

/// A document that has two sides but arrived with its front alone is checked on the front (the
/// hosted service accepts such a check rather than refusing it), and the missing back shows as
/// `frontAndBackAnalysis: attention`: nothing vouches for the side nobody saw.
fn missing_back(verdict: Verdict, declared: &Declared, has_two_sides: bool) -> Verdict {
    let expected = two_sides_expected(declared.document_type, &declared.issuing_country);
    if expected && !has_two_sides {
        Verdict::Attention
    } else {
        verdict
    }
}

fn failed(reason: impl Into<String>) -> Analysis {
    Analysis::Failed {
        reason: reason.into(),
    }
}

#[async_trait]
impl Analyser for DocumentCheckEngine {
    async fn analyse(&self, ctx: &CheckContext) -> Result<Analysis, TransientError> {
        let options = Options::of(&ctx.check.options());
        let Some(document) = &ctx.document else {
            return Ok(failed("The document of this check no longer exists"));
        };
        let document =
            clearance_core::typed::decode(document).map_err(|e| TransientError(e.to_string()))?;
        let record = DeclaredDocument::of(&document);
        let Some(front) = record.front.clone() else {
            return Ok(failed(
                "The document has no usable front image, so the check could not run",
            ));
        };
        let back = record.back.clone();
        let has_two_sides = back.is_some();
        // The one forensic signal computed: an image editor the upload's metadata named.
        let editing_software = [&record.front, &record.back]
            .into_iter()
            .flatten()
            .find_map(|i| i.editing_software.clone());
        let unusable = |code: &str| {
            tracing::info!(check.id = %ctx.check_id, check.reason = code, "document check not processed");
            Ok(Analysis::Complete(Box::new(result::not_processed(
                &options,
                has_two_sides,
                code,
                editing_software.as_deref(),
            ))))
        };
        let Some(document_type) = record.document_type else {
            return unusable("unsupported_document_type");
        };
        let mut files = Vec::new();
        for image in std::iter::once(&front).chain(&back) {
            match self.image_bytes(ctx, image).await? {
                Some(bytes) => files.push(bytes),
                None => {
                    return Ok(failed(format!(
                        "The document's {} image file is missing",
                        image.side
                    )));
                }
            }
        }
        let back_bytes = (files.len() > 1).then(|| files.swap_remove(1));
        let front_bytes = files.swap_remove(0);
        let Some(today) = request::today(ctx.now_ms) else {
            return Ok(failed("The server's clock is out of range"));
        };
        let declared = Declared {
            document_type,
            issuing_country: record.issuing_country.clone(),
            minimum_age: options.minimum_age,
        };

        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| TransientError(e.to_string()))?;
        let started = Instant::now();
        let reader = self.reader.clone();
        let pdf = self.pdf.clone();
        let task_declared = declared.clone();
        let reading = tokio::task::spawn_blocking(move || {
            reading::read(
                &reader,
                &front_bytes,
                back_bytes.as_deref(),
                &task_declared,
                today,
                &pdf,
            )
        })
        .await;
        let reading = match reading {
            Ok(Ok(reading)) => reading,
            Ok(Err(e)) => return Ok(failed(format!("The document analysis failed: {e}"))),
            Err(e) if e.is_cancelled() => {
                return Err(TransientError("document analysis was cancelled".into()));
            }
            Err(_) => return Ok(failed("The document analysis stopped unexpectedly")),
        };
        tracing::debug!(
            check.id = %ctx.check_id,
            check.reading = reading.code(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "document read"
        );
        let (document, front_and_back, visual_zone) = match reading {
            Reading::Mrz {
                document,
                front_and_back,
                visual_zone,
            } => (document, front_and_back, visual_zone),
            other => return unusable(other.code()),
        };
        let front_and_back = missing_back(front_and_back, &declared, has_two_sides);
        let client = if options.client_validation {
            match clearance_core::typed::decode(&ctx.client) {
                Ok(client) => ClientFacts::of(&client),
                Err(e) => return Err(TransientError(e.to_string())),
            }
        } else {
            ClientFacts::default()
        };
        let expectations = Expectations {
            options: &options,
            declared: &declared,
            document_number: record.document_number.as_deref(),
            client: &client,
            has_two_sides,
            today,
            editing_software: editing_software.as_deref(),
        };
        Ok(Analysis::Complete(Box::new(result::from_mrz(
            &expectations,
            &document,
            front_and_back.into(),
            &visual_zone,
        ))))
    }
}
