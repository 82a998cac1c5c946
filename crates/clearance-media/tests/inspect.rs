//! Upload checks on real encoded images: sizes, types, truncation, decompression bombs, base64.

#![expect(
    clippy::unwrap_used,
    reason = "tests: a failed unwrap is a failed test"
)]

use std::io::Cursor;

use clearance_media::{MediaError, MediaKind, Policy, decode_base64, inspect};
use image::{ImageFormat, RgbImage};

/// A noisy JPEG (noise keeps the file large enough for the 34 KB minimum).
fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut seed = 12345u32;
    let img = RgbImage::from_fn(width, height, |_, _| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let v = (seed >> 16) as u8;
        image::Rgb([v, v.wrapping_mul(3), v.wrapping_add(7)])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

#[tokio::test]
async fn a_real_jpeg_is_accepted() {
    let bytes = jpeg(300, 200);
    assert!(bytes.len() > 34_000, "fixture is {} bytes", bytes.len());
    let accepted = inspect(bytes, &Policy::photo()).await.unwrap();
    assert_eq!(accepted.kind, MediaKind::Jpeg);
    assert_eq!(accepted.dimensions, Some((300, 200)));
}

#[tokio::test]
async fn sizes_types_and_truncation_are_refused() {
    let small = jpeg(20, 20);
    assert_eq!(
        inspect(small, &Policy::photo()).await.unwrap_err(),
        MediaError::WrongSize
    );
    let big = vec![0xFF; 5 * 1024 * 1024];
    assert_eq!(
        inspect(big, &Policy::photo()).await.unwrap_err(),
        MediaError::WrongSize
    );

    let mut exe = b"MZ\x90\x00".to_vec();
    exe.resize(40_000, 0);
    assert!(matches!(
        inspect(exe, &Policy::document()).await,
        Err(MediaError::UnsupportedType(true))
    ));
    let mut html = b"<!DOCTYPE html><script>".to_vec();
    html.resize(40_000, b' ');
    assert!(matches!(
        inspect(html, &Policy::photo()).await,
        Err(MediaError::UnsupportedType(false))
    ));

    let mut truncated = jpeg(300, 200);
    truncated.truncate(truncated.len() / 2);
    assert_eq!(
        inspect(truncated, &Policy::photo()).await.unwrap_err(),
        MediaError::Undecodable
    );

    let mut pdf = b"%PDF-1.4\n".to_vec();
    pdf.resize(40_000, b' ');
    pdf.extend_from_slice(b"\n%%EOF\n");
    assert_eq!(
        inspect(pdf.clone(), &Policy::document())
            .await
            .unwrap()
            .kind,
        MediaKind::Pdf
    );
    assert!(matches!(
        inspect(pdf.clone(), &Policy::photo()).await,
        Err(MediaError::UnsupportedType(false))
    ));
    pdf.truncate(30_000);
    pdf.resize(40_000, b' ');
    assert_eq!(
        inspect(pdf, &Policy::document()).await.unwrap_err(),
        MediaError::BrokenPdf
    );
}

#[tokio::test]
async fn a_30000_pixel_png_header_is_refused_before_decoding() {
    // A valid PNG signature and IHDR (with its CRC) claiming 30000×30000, then padding.
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&30_000u32.to_be_bytes());
    ihdr.extend_from_slice(&30_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0d".to_vec();
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    png.resize(40_000, 0);
    assert_eq!(
        inspect(png, &Policy::photo()).await.unwrap_err(),
        MediaError::TooManyPixels(30_000, 30_000, 12_000)
    );
}

#[test]
fn base64_is_strict_but_tolerates_whitespace_and_data_urls() {
    assert_eq!(decode_base64("aGVsbG8=", 100).unwrap(), b"hello");
    assert_eq!(decode_base64("aGVs\nbG8=", 100).unwrap(), b"hello");
    assert_eq!(
        decode_base64("data:image/jpeg;base64,aGVsbG8=", 100).unwrap(),
        b"hello"
    );
    assert_eq!(
        decode_base64("not base64!", 100).unwrap_err(),
        MediaError::NotBase64
    );
    assert_eq!(
        decode_base64(&"A".repeat(4000), 100).unwrap_err(),
        MediaError::WrongSize
    );
}

proptest::proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..4096)) {
        let _ = clearance_media::strip_metadata(MediaKind::Jpeg, &bytes);
        let _ = clearance_media::strip_metadata(MediaKind::Png, &bytes);
        let _ = clearance_media::sniff(&bytes);
    }
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG of `side`×`side` pixels that is mostly blank (small on disk, big once decoded), with
/// a band of noise so that it passes the 34 KB minimum.
fn png_bomb(side: u32) -> Vec<u8> {
    let mut seed = 7u32;
    let img = RgbImage::from_fn(side, side, |_, y| {
        if y < 12 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let v = (seed >> 16) as u8;
            image::Rgb([v, v ^ 0x5a, v.wrapping_add(3)])
        } else {
            image::Rgb([255, 255, 255])
        }
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_bombs_wait_for_the_decode_budget() {
    let bomb = png_bomb(2000);
    assert!(
        bomb.len() > 34_000 && bomb.len() < 1_000_000,
        "{}",
        bomb.len()
    );
    // 2000 × 2000 × 4 bytes = 16 MiB each; the budget holds four at once.
    let budget = clearance_media::DecodeBudget::new(64);
    let policy = Policy::photo();
    let checks = (0..30).map(|_| clearance_media::inspect_within(bomb.clone(), &policy, &budget));
    let results = futures_join_all(checks).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert!(budget.peak_mib() <= 64, "peak {} MiB", budget.peak_mib());
    assert!(budget.peak_mib() >= 16);
}

/// Runs the futures concurrently on this task (no extra crate needed).
async fn futures_join_all<F: std::future::Future>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futures.map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = (0..pinned.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (slot, future) in out.iter_mut().zip(pinned.iter_mut()) {
            if slot.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *slot = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(|o| o.unwrap()).collect()
}
