//! Hostile PDFs through the isolated rasteriser exactly as `clearance serve` runs it: this
//! binary's hidden `rasterise-pdf` subcommand as the child. No bomb is ever rendered in the
//! test process itself, which has no limits.

#![expect(
    clippy::unwrap_used,
    reason = "a test: a failed unwrap is a failed test"
)]

use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clearance_idv::pdf_isolation::{PdfIsolation, PdfRendering};
use clearance_idv::{DecodeLimits, DocumentImage, IdvError};
use flate2::{Compress, Compression, FlushCompress};

fn isolation() -> PdfIsolation {
    PdfIsolation::new(env!("CARGO_BIN_EXE_clearance"), ["rasterise-pdf"])
}

fn isolated(pdf: &[u8]) -> Result<DocumentImage, IdvError> {
    PdfRendering::Isolated(isolation()).render(pdf, DecodeLimits::default())
}

fn specimen_pdf() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/synthetic_passport_td3_specimen.pdf");
    std::fs::read(path).unwrap()
}

/// A zlib stream of `chunks` copies of `chunk`, about a thousandth of that long. After the first
/// one, every sync-flushed block of a chunk that follows the same chunk compresses to the same
/// bytes, so one is compressed and repeated; the checksum is computed rather than compressed.
fn zlib_repeating(chunk: &[u8], chunks: u64) -> Vec<u8> {
    let mut z = Compress::new(Compression::best(), true);
    let mut block = |input: &[u8], flush| {
        let mut out = Vec::with_capacity(input.len() + 64);
        let before = z.total_in();
        z.compress_vec(input, &mut out, flush).unwrap();
        assert_eq!(
            z.total_in() - before,
            input.len() as u64,
            "whole block taken"
        );
        out
    };
    let first = block(chunk, FlushCompress::Sync);
    let repeated = block(chunk, FlushCompress::Sync);
    assert_eq!(block(chunk, FlushCompress::Sync), repeated, "blocks repeat");
    let mut last = block(&[], FlushCompress::Finish);
    last.truncate(last.len() - 4);
    let mut out = first;
    for _ in 1..chunks {
        out.extend_from_slice(&repeated);
    }
    out.extend_from_slice(&last);
    out.extend_from_slice(&adler32_repeated(chunk, chunks).to_be_bytes());
    out
}

/// Adler-32 of `chunks` copies of `chunk`, a chunk at a time: appending bytes x₀…x₍ₗ₋₁₎ adds
/// Σxᵢ to the first sum and l·a + Σ(l−i)·xᵢ to the second.
fn adler32_repeated(chunk: &[u8], chunks: u64) -> u32 {
    const MOD: u64 = 65_521;
    let len = chunk.len() as u64;
    let sum: u64 = chunk.iter().map(|&x| u64::from(x)).sum::<u64>() % MOD;
    let weighted = (0..len)
        .zip(chunk)
        .map(|(i, &x)| (len - i) * u64::from(x) % MOD)
        .sum::<u64>()
        % MOD;
    let (mut a, mut b) = (1u64, 0u64);
    for _ in 0..chunks {
        b = (b + len % MOD * a + weighted) % MOD;
        a = (a + sum) % MOD;
    }
    u32::try_from((b << 16) | a).unwrap()
}

/// One mebibyte of spaces (blank content, or pixels), about 1 KB compressed.
const MIB: usize = 1 << 20;

/// `mib` mebibytes of spaces, zlib-compressed.
fn zlib_bomb(mib: u64) -> Vec<u8> {
    zlib_repeating(&[b' '; MIB], mib)
}

#[test]
fn the_bomb_builder_makes_valid_streams() {
    for (chunk, chunks) in [(vec![b' '; MIB], 3), (b"0 1 re\n".repeat(1000), 5)] {
        let mut inflated = Vec::new();
        flate2::read::ZlibDecoder::new(zlib_repeating(&chunk, chunks).as_slice())
            .read_to_end(&mut inflated)
            .unwrap();
        assert_eq!(inflated, chunk.repeat(chunks as usize));
    }
    // 4 GiB fits in a few megabytes, under the upload limit.
    let bomb_len = zlib_bomb(4096).len();
    assert!(bomb_len < 6 * 1024 * 1024, "{bomb_len} bytes");
}

/// A PDF of the given objects (object 1 is the catalogue), with a correct xref table.
fn pdf_file(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    let size = objects.len() + 1;
    out.extend_from_slice(format!("xref\n0 {size}\n0000000000 65535 f \n").as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut out = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream");
    out
}

/// An A4 page with the given content stream and an optional image XObject `/Im0`.
fn a4_page(content: Vec<u8>, image: Option<Vec<u8>>) -> Vec<u8> {
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
           /Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>"
            .to_vec(),
        content,
    ];
    objects.extend(image);
    pdf_file(&objects)
}

/// Asserts `pdf` is refused as unreadable, well within the child's wall timeout; returns
/// how long that took.
fn assert_refused_in_time(isolation: PdfIsolation, pdf: &[u8]) -> Duration {
    assert!(
        pdf.len() <= DecodeLimits::default().max_bytes,
        "a valid upload"
    );
    let timeout = isolation.timeout;
    let started = Instant::now();
    let result = PdfRendering::Isolated(isolation).render(pdf, DecodeLimits::default());
    let elapsed = started.elapsed();
    assert!(
        matches!(result, Err(IdvError::ImageUnreadable(_))),
        "{result:?}"
    );
    assert!(elapsed < timeout, "{elapsed:?}");
    eprintln!("refused in {elapsed:?}");
    elapsed
}

#[test]
fn a_content_stream_inflating_to_4_gib_is_refused() {
    let content = stream("/Filter /FlateDecode", &zlib_bomb(4096));
    assert_refused_in_time(isolation(), &a4_page(content, None));
}

#[test]
fn a_page_of_eight_million_clips_is_stopped_by_the_cpu_limit() {
    // 150 MiB of cheap operators: within the memory limit, but tens of seconds of work.
    let clips = b"0 0 595 842 re W n\n".repeat(64 * 1024);
    let content = stream("/Filter /FlateDecode", &zlib_repeating(&clips, 128));
    let isolation = PdfIsolation {
        max_cpu: Duration::from_secs(2),
        timeout: Duration::from_secs(60),
        ..isolation()
    };
    let elapsed = assert_refused_in_time(isolation, &a4_page(content, None));
    assert!(
        elapsed < Duration::from_secs(20),
        "the CPU limit, not the wall timeout: {elapsed:?}"
    );
}

#[test]
fn an_image_of_60000_by_60000_pixels_is_refused() {
    let image = stream(
        "/Type /XObject /Subtype /Image /Width 60000 /Height 60000 /ColorSpace /DeviceGray \
         /BitsPerComponent 8 /Filter /FlateDecode",
        // 3.6 GB of pixels: as many as declared, so only the size is wrong.
        &zlib_bomb(60_000 * 60_000 / MIB as u64 + 1),
    );
    let content = stream("", b"q 595 0 0 842 0 0 cm /Im0 Do Q");
    assert_refused_in_time(isolation(), &a4_page(content, Some(image)));
}

#[test]
fn the_specimen_pdf_renders_in_the_child_as_in_process() {
    let pdf = specimen_pdf();
    let here = PdfRendering::InProcess
        .render(&pdf, DecodeLimits::default())
        .unwrap();
    let there = isolated(&pdf).unwrap();
    assert_eq!(
        (there.width(), there.height()),
        (here.width(), here.height())
    );
    assert!(there.rgb() == here.rgb(), "the same pixels");
}

#[test]
fn decoding_with_isolation_uses_the_child() {
    let rendering = PdfRendering::Isolated(isolation());
    let decode = |pdf: &[u8]| DocumentImage::decode_with(pdf, DecodeLimits::default(), &rendering);
    let page = decode(&specimen_pdf()).unwrap();
    assert!(page.width() > 1000 && page.height() > 600, "{page:?}");
    let bomb = a4_page(stream("/Filter /FlateDecode", &zlib_bomb(4096)), None);
    assert!(matches!(decode(&bomb), Err(IdvError::ImageUnreadable(_))));
}
