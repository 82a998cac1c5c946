//! The live `proof_of_address_check`: the document's front read as text (a PDF's own text
//! layer when it has one, otherwise OCR over the page), what it says extracted and compared
//! with the client by the rules in `clearance_core::proof_of_address`, and the postcode placed
//! with the imported address data when there is some.

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use clearance_core::blobs::blob_key;
use clearance_core::checks::analyser::{Analyser, Analysis, CheckContext, TransientError};
use clearance_core::checks::result::{Breakdown, CheckResult};
use clearance_core::lookups::{LookupError, Lookups};
use clearance_core::proof_of_address::{
    self, Extraction, Geocoded, Holder, KnownAddress, Policy, TextCell, TextRow, extract_expecting,
};
use clearance_core::resources::address::Address;
use clearance_core::resources::client::Client;
use clearance_core::resources::document::{Document, Side};
use clearance_core::store::{ListQuery, ResourceKind, Store};
use clearance_core::typed;
use clearance_idv::MrzReader;
use clearance_idv::image::{DecodeLimits, DocumentImage};
use clearance_idv::pdf_isolation::PdfRendering;
use clearance_idv::pdf_text::PageCell;
use tokio::sync::Semaphore;

/// Text regions read at most from a page by OCR.
const MAX_REGIONS: usize = 120;
/// A text layer with fewer letters than this is a scan saved as PDF: OCR reads it instead.
const MIN_TEXT_LAYER_LETTERS: usize = 40;

/// Proof of address over the OCR model of the document engine.
pub struct ProofOfAddressEngine {
    reader: Arc<MrzReader>,
    pdf: Arc<PdfRendering>,
    permits: Arc<Semaphore>,
    store: Arc<dyn Store>,
    lookups: Option<Arc<dyn Lookups>>,
    max_age_days: u32,
}

fn transient(e: impl std::fmt::Display) -> TransientError {
    TransientError(e.to_string())
}

fn failed(reason: impl Into<String>) -> Result<Analysis, TransientError> {
    Ok(Analysis::Failed {
        reason: reason.into(),
    })
}

impl ProofOfAddressEngine {
    pub fn new(reader: Arc<MrzReader>, pdf: Arc<PdfRendering>, store: Arc<dyn Store>) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        ProofOfAddressEngine {
            reader,
            pdf,
            permits: Arc::new(Semaphore::new(cores)),
            store,
            lookups: None,
            max_age_days: proof_of_address::DEFAULT_MAX_AGE_DAYS,
        }
    }

    /// Places extracted postcodes with the imported address data.
    pub fn with_lookups(mut self, lookups: Arc<dyn Lookups>) -> Self {
        self.lookups = Some(lookups);
        self
    }

    /// How many days old a document may be and still be clear.
    pub fn with_max_age_days(mut self, days: u32) -> Self {
        self.max_age_days = days;
        self
    }

    /// The client's addresses to compare with: the check's address when it names one, else
    /// every address of the client.
    async fn addresses(&self, ctx: &CheckContext) -> Result<Vec<Address>, TransientError> {
        if let Some(address) = &ctx.address {
            return Ok(vec![typed::decode(address).map_err(transient)?]);
        }
        let query = ListQuery {
            client_id: Some(ctx.client.id.clone()),
            ..ListQuery::newest(ctx.scope.clone(), ResourceKind::Address, 50)
        };
        self.store
            .list(&query)
            .await
            .map_err(transient)?
            .items
            .iter()
            .map(|r| typed::decode(r).map_err(transient))
            .collect()
    }

    async fn geocode(&self, e: &Extraction) -> Geocoded {
        let (Some(lookups), Some(pc)) = (&self.lookups, &e.postal_code) else {
            return Geocoded::NotCovered;
        };
        match lookups.geocode(pc, &e.country).await {
            Ok(Some(Some((lat, long)))) => Geocoded::At(lat, long),
            Ok(Some(None)) | Err(LookupError::UnsupportedCountry(_)) => Geocoded::NotCovered,
            Ok(None) => Geocoded::Unknown,
            Err(e) => {
                tracing::warn!(error = %e, "geocoding a proof of address failed");
                Geocoded::NotCovered
            }
        }
    }
}

/// How the document's text was read, and the lines.
pub enum Text {
    /// The lines, top to bottom, and `text_layer` or `ocr`.
    Read {
        lines: Vec<TextRow>,
        source: &'static str,
    },
    /// Neither a PDF with text nor a readable image: the code says why.
    Unreadable(&'static str),
}

/// Reads the text of a document file (blocking: OCR takes up to a second): a PDF's text layer
/// when it has one, else OCR of the page, stopping once a holder, a house number, a postcode of
/// `country` and a date are read.
///
/// # Errors
/// When the OCR model fails to run.
pub fn read_text(
    reader: &MrzReader,
    pdf: &PdfRendering,
    bytes: &[u8],
    country: &str,
    today: chrono::NaiveDate,
    expected: &[String],
) -> Result<Text, clearance_idv::IdvError> {
    if bytes.starts_with(b"%PDF")
        && let Some(lines) = clearance_idv::pdf_text::pdf_text_lines(bytes)
    {
        let letters: usize = lines
            .iter()
            .flatten()
            .map(|c| c.text.chars().filter(|c| c.is_alphabetic()).count())
            .sum();
        if letters >= MIN_TEXT_LAYER_LETTERS {
            return Ok(Text::Read {
                lines: rows(&lines),
                source: "text_layer",
            });
        }
    }
    let image = match DocumentImage::decode_with(bytes, DecodeLimits::default(), pdf) {
        Ok(image) => image,
        Err(_) => return Ok(Text::Unreadable("image_unreadable")),
    };
    // Reading stops once the lines hold a holder, a postcode and a date.
    let mut enough = |lines: &[Vec<PageCell>]| {
        let e = extract_expecting(&rows(lines), country, today, expected);
        // A page may hold the sender's address too: read on until the client's is found,
        // or the page ends.
        let holder_is_expected = e.holder.as_deref().is_some_and(|h| {
            let h = h.to_lowercase();
            expected.is_empty() || expected.iter().any(|n| h.contains(n.as_str()))
        });
        e.postal_code.is_some()
            && holder_is_expected
            && e.property_number.is_some()
            && e.issue_date.is_some()
    };
    let lines = reader.read_document_text(&image, MAX_REGIONS, &mut enough)?;
    Ok(Text::Read {
        lines: rows(&lines),
        source: "ocr",
    })
}

/// The client's names as words, lower case: which of several addresses on a page is theirs.
fn expected_names(person: &clearance_core::resources::client::PersonDetails) -> Vec<String> {
    [&person.first_name, &person.last_name]
        .into_iter()
        .flat_map(|n| {
            deunicode::deunicode(n)
                .to_lowercase()
                .split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

fn rows(lines: &[Vec<PageCell>]) -> Vec<TextRow> {
    lines
        .iter()
        .map(|l| {
            l.iter()
                .map(|c| TextCell {
                    x: c.x,
                    text: c.text.clone(),
                })
                .collect()
        })
        .collect()
}

#[async_trait]
impl Analyser for ProofOfAddressEngine {
    async fn analyse(&self, ctx: &CheckContext) -> Result<Analysis, TransientError> {
        let client: Client = typed::decode(&ctx.client).map_err(transient)?;
        let Some(person) = client.person() else {
            return failed("A proof_of_address_check verifies a person; this client is a company");
        };
        let Some(document) = &ctx.document else {
            return failed("The document of this check no longer exists");
        };
        let record: Document = typed::decode(document).map_err(transient)?;
        let Some(front) = record
            .images
            .iter()
            .find(|i| i.document_side == Side::Front && i.redacted.is_none())
        else {
            return failed("The document has no usable front image, so the check could not run");
        };
        let owner = document.client_id.as_deref().unwrap_or_default();
        let key = blob_key(&document.scope, owner, &document.id, &front.id);
        let Some(bytes) = ctx.blobs.get(&key).await.map_err(transient)? else {
            return failed("The document's front image file is missing");
        };
        let addresses = self.addresses(ctx).await?;
        let country = addresses
            .first()
            .map(|a| a.country.to_ascii_uppercase())
            .unwrap_or_else(|| "GB".into());
        let Some(today) =
            chrono::DateTime::from_timestamp_millis(ctx.now_ms).map(|t| t.date_naive())
        else {
            return failed("The server's clock is out of range");
        };
        let _permit = self.permits.acquire().await.map_err(transient)?;
        let started = Instant::now();
        let reader = self.reader.clone();
        let pdf = self.pdf.clone();
        let task_country = country.clone();
        let expected = expected_names(person);
        let task_expected = expected.clone();
        let text = tokio::task::spawn_blocking(move || {
            read_text(&reader, &pdf, &bytes, &task_country, today, &task_expected)
        })
        .await;
        let text = match text {
            Ok(Ok(text)) => text,
            Ok(Err(e)) => return failed(format!("The document could not be read: {e}")),
            Err(e) if e.is_cancelled() => {
                return Err(TransientError("document reading was cancelled".into()));
            }
            Err(_) => return failed("The document reading stopped unexpectedly"),
        };
        let (outcome, breakdown) = match text {
            Text::Unreadable(code) => proof_of_address::not_processed(
                code,
                "The document's file is neither a readable image nor a PDF",
                None,
            ),
            Text::Read { lines, source } => {
                let e = extract_expecting(&lines, &country, today, &expected);
                let holder = Holder {
                    first_name: person.first_name.clone(),
                    middle_name: person.middle_name.clone(),
                    last_name: person.last_name.clone(),
                    addresses: addresses
                        .iter()
                        .map(|a| KnownAddress {
                            property_number: a.property_number.clone(),
                            line: a.line.clone(),
                            postal_code: a.postal_code.clone(),
                            country: a.country.clone(),
                        })
                        .collect(),
                };
                let geocoded = self.geocode(&e).await;
                let policy = Policy {
                    today,
                    max_age_days: self.max_age_days,
                };
                proof_of_address::grade(&e, &holder, geocoded, policy, source)
            }
        };
        tracing::debug!(
            check.id = %ctx.check_id,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "proof of address read"
        );
        Ok(Analysis::Complete(Box::new(CheckResult::new(
            outcome,
            Breakdown::ProofOfAddress(Box::new(breakdown)),
        ))))
    }
}
