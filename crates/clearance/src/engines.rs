//! The verification engines this binary installs behind the analyser port.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use clearance_core::autofill::{AutofillReading, DocumentReader};
use clearance_core::checks::analyser::{
    Analyser, Analysis, CheckContext, SandboxAnalyser, TransientError,
};
use clearance_core::faces::{FaceInspector, PhotoRefusal};
use clearance_engines::faces::model_files;
use clearance_engines::{DocumentCheckEngine, FaceEngine, FaceSettings, ProofOfAddressEngine};
use clearance_idv::face::FaceAnalyser;
use clearance_idv::pdf_isolation::PdfRendering;
use tokio::sync::OnceCell;

/// The sandbox simulator with an optional processing delay, so integrators can rehearse a
/// check that is still `pending` when they first look.
pub struct SandboxWithLatency {
    pub latency: Duration,
}

#[async_trait]
impl Analyser for SandboxWithLatency {
    async fn analyse(&self, ctx: &CheckContext) -> Result<Analysis, TransientError> {
        if !self.latency.is_zero() {
            tokio::time::sleep(self.latency).await;
        }
        SandboxAnalyser.analyse(ctx).await
    }
}

/// Loads a model-backed engine once, on a blocking thread, the first time it is needed; a
/// failure is kept as the reason every later use reports (and logged once).
async fn load_once<'a, T, E>(
    cell: &'a OnceCell<Result<Arc<T>, String>>,
    what: &'static str,
    dir: PathBuf,
    load: impl FnOnce(&std::path::Path) -> Result<T, E> + Send + 'static,
) -> &'a Result<Arc<T>, String>
where
    T: Send + Sync + 'static,
    E: std::fmt::Display + Send + 'static,
{
    cell.get_or_init(|| async move {
        let shown = dir.display().to_string();
        tokio::task::spawn_blocking(move || load(&dir))
            .await
            .map_err(|e| format!("loading the {what} failed: {e}"))?
            .map(Arc::new)
            .map_err(|e| {
                tracing::error!(error = %e, dir = %shown, "the {what} could not be loaded", what = what);
                format!("The {what} could not be loaded from {shown}")
            })
    })
    .await
}

/// The live `document_check` engine, loaded on first use (the OCR model is 20 MB; servers that
/// never run a live document check never pay for it). A missing model fails those checks with a
/// reason naming the folder.
pub struct LazyDocumentEngine {
    models_dir: PathBuf,
    pdf: PdfRendering,
    engine: OnceCell<Result<Arc<DocumentCheckEngine>, String>>,
}

impl LazyDocumentEngine {
    /// The engine over the models in `models_dir`, rasterising uploaded PDFs as `pdf` says.
    pub fn new(models_dir: PathBuf, pdf: PdfRendering) -> Self {
        LazyDocumentEngine {
            models_dir,
            pdf,
            engine: OnceCell::new(),
        }
    }

    pub(crate) async fn engine(&self) -> &Result<Arc<DocumentCheckEngine>, String> {
        let pdf = self.pdf.clone();
        load_once(
            &self.engine,
            "document OCR model",
            self.models_dir.join("ocr"),
            move |dir| DocumentCheckEngine::load(dir).map(|e| e.with_pdf_rendering(pdf)),
        )
        .await
    }
}

#[async_trait]
impl Analyser for LazyDocumentEngine {
    async fn analyse(&self, ctx: &CheckContext) -> Result<Analysis, TransientError> {
        match self.engine().await {
            Ok(engine) => engine.analyse(ctx).await,
            Err(reason) => Ok(Analysis::Failed {
                reason: reason.clone(),
            }),
        }
    }
}

#[async_trait]
impl DocumentReader for LazyDocumentEngine {
    async fn read(&self, image: Vec<u8>, today_ms: i64) -> Result<AutofillReading, TransientError> {
        match self.engine().await {
            Ok(engine) => engine.autofill(image, today_ms).await,
            Err(reason) => Err(TransientError(reason.clone())),
        }
    }
}

/// The live `proof_of_address_check` engine, on the document engine's OCR model (loaded with
/// it, on first use of either).
pub struct LazyProofOfAddressEngine {
    documents: Arc<LazyDocumentEngine>,
    store: Arc<dyn clearance_core::store::Store>,
    lookups: Arc<dyn clearance_core::lookups::Lookups>,
    max_age_days: u32,
    engine: OnceCell<Arc<ProofOfAddressEngine>>,
}

impl LazyProofOfAddressEngine {
    pub fn new(
        documents: Arc<LazyDocumentEngine>,
        store: Arc<dyn clearance_core::store::Store>,
        lookups: Arc<dyn clearance_core::lookups::Lookups>,
        max_age_days: u32,
    ) -> Self {
        LazyProofOfAddressEngine {
            documents,
            store,
            lookups,
            max_age_days,
            engine: OnceCell::new(),
        }
    }
}

#[async_trait]
impl Analyser for LazyProofOfAddressEngine {
    async fn analyse(&self, ctx: &CheckContext) -> Result<Analysis, TransientError> {
        let documents = match self.documents.engine().await {
            Ok(engine) => engine.clone(),
            Err(reason) => {
                return Ok(Analysis::Failed {
                    reason: reason.clone(),
                });
            }
        };
        let engine = self
            .engine
            .get_or_init(|| async {
                let (reader, pdf) = documents.reader();
                Arc::new(
                    ProofOfAddressEngine::new(reader, pdf, self.store.clone())
                        .with_lookups(self.lookups.clone())
                        .with_max_age_days(self.max_age_days),
                )
            })
            .await;
        engine.analyse(ctx).await
    }
}

/// The live face engine (`identity_check`, `face_authentication_check`), loaded on first use
/// like the document engine. A missing model fails those checks with a reason naming the
/// folder.
pub struct LazyFaceEngine {
    models_dir: PathBuf,
    settings: FaceSettings,
    pdf: PdfRendering,
    engine: OnceCell<Result<Arc<FaceEngine>, String>>,
}

impl LazyFaceEngine {
    /// The engine over the models in `models_dir/face`.
    pub fn new(models_dir: PathBuf, settings: FaceSettings, pdf: PdfRendering) -> Self {
        LazyFaceEngine {
            models_dir,
            settings,
            pdf,
            engine: OnceCell::new(),
        }
    }
}

impl LazyFaceEngine {
    async fn engine(&self) -> &Result<Arc<FaceEngine>, String> {
        let (settings, pdf) = (self.settings.clone(), self.pdf.clone());
        load_once(
            &self.engine,
            "face models",
            self.models_dir.join("face"),
            move |dir| {
                let models = model_files(dir).map_err(|e| e.to_string())?;
                FaceAnalyser::load(dir)
                    .map(|analyser| FaceEngine::new(Arc::new(analyser), models, settings, pdf))
                    .map_err(|e| e.to_string())
            },
        )
        .await
    }
}

#[async_trait]
impl Analyser for LazyFaceEngine {
    async fn analyse(&self, ctx: &CheckContext) -> Result<Analysis, TransientError> {
        match self.engine().await {
            Ok(engine) => engine.analyse(ctx).await,
            Err(reason) => Ok(Analysis::Failed {
                reason: reason.clone(),
            }),
        }
    }
}

#[async_trait]
impl FaceInspector for LazyFaceEngine {
    /// Without its models the engine cannot judge a photo: it is accepted (logged when the
    /// models failed to load), and the face check that uses it fails with the reason.
    async fn inspect(
        &self,
        image: Vec<u8>,
        liveness: bool,
    ) -> Result<Option<PhotoRefusal>, TransientError> {
        match self.engine().await {
            Ok(engine) => engine.inspect(image, liveness).await,
            Err(_) => Ok(None),
        }
    }
}

/// Where the vendored models are: `./models` when run from a checkout, else the folder this
/// binary was built from.
pub fn default_models_dir() -> PathBuf {
    let here = PathBuf::from("models");
    if here.join("ocr").is_dir() {
        return here;
    }
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../models"))
}
