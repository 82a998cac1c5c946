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
use clearance_engines::{DocumentCheckEngine, FaceEngine, FaceSettings};
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

    async fn engine(&self) -> &Result<Arc<DocumentCheckEngine>, String> {
        self.engine
            .get_or_init(|| async {
                let dir = self.models_dir.join("ocr");
                let shown = dir.display().to_string();
                let pdf = self.pdf.clone();
                tokio::task::spawn_blocking(move || DocumentCheckEngine::load(&dir))
                    .await
                    .map_err(|e| format!("loading the OCR model failed: {e}"))?
                    .map(|engine| Arc::new(engine.with_pdf_rendering(pdf)))
                    .map_err(|e| {
                        tracing::error!(error = %e, dir = %shown, "the OCR model could not be loaded");
                        format!("The document OCR model could not be loaded from {shown}")
                    })
            })
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
        self.engine
            .get_or_init(|| async {
                let dir = self.models_dir.join("face");
                let shown = dir.display().to_string();
                let (settings, pdf) = (self.settings.clone(), self.pdf.clone());
                tokio::task::spawn_blocking(move || FaceAnalyser::load(&dir))
                    .await
                    .map_err(|e| format!("loading the face models failed: {e}"))?
                    .map(|analyser| Arc::new(FaceEngine::new(Arc::new(analyser), settings, pdf)))
                    .map_err(|e| {
                        tracing::error!(error = %e, dir = %shown, "the face models could not be loaded");
                        format!("The face models could not be loaded from {shown}")
                    })
            })
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
    async fn inspect(&self, image: Vec<u8>) -> Result<Option<PhotoRefusal>, TransientError> {
        match self.engine().await {
            Ok(engine) => engine.inspect(image).await,
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
