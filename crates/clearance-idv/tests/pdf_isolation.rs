//! The parent side of PDF isolation against children that misbehave: missing, failing,
//! answering nonsense or never answering. Each must give `ImageUnreadable`, in time. (The
//! real child, and real PDF bombs, are tested through the `clearance` binary.)
#![cfg(all(feature = "ocr", unix))]

use std::time::{Duration, Instant};

use clearance_idv::pdf_isolation::{PdfIsolation, PdfRendering};
use clearance_idv::{DecodeLimits, IdvError};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

fn render_with(isolation: PdfIsolation) -> Result<(), IdvError> {
    PdfRendering::Isolated(isolation)
        .render(PDF, DecodeLimits::default())
        .map(drop)
}

fn shell(script: &str) -> PdfIsolation {
    PdfIsolation::new("/bin/sh", ["-c", script])
}

fn assert_unreadable(result: Result<(), IdvError>) {
    assert!(
        matches!(result, Err(IdvError::ImageUnreadable(_))),
        "{result:?}"
    );
}

#[test]
fn in_process_is_the_default() {
    assert!(matches!(PdfRendering::default(), PdfRendering::InProcess));
}

#[test]
fn a_missing_or_failing_child_makes_the_pdf_unreadable() {
    assert_unreadable(render_with(PdfIsolation::new(
        "/nonexistent/clearance",
        ["rasterise-pdf"],
    )));
    assert_unreadable(render_with(shell("cat >/dev/null; exit 3")));
    // Exiting without reading anything: the parent's write fails, and that is no panic.
    assert_unreadable(render_with(shell("exit 0")));
}

#[test]
fn a_well_formed_reply_is_taken_as_the_page() {
    // A 1 × 1 page, one pixel (255, 0, 127): the control for the refusals below.
    let page = PdfRendering::Isolated(shell(
        r"cat >/dev/null; printf 'CLPDFRP1\001\000\000\000\001\000\000\000\377\000\177'",
    ))
    .render(PDF, DecodeLimits::default())
    .expect("a well-formed reply");
    assert_eq!((page.width(), page.height()), (1, 1));
    assert_eq!(page.rgb().get_pixel(0, 0).0, [255, 0, 127]);
}

#[test]
fn a_child_answering_nonsense_makes_the_pdf_unreadable() {
    assert_unreadable(render_with(shell("cat >/dev/null; echo hello")));
    // A well-formed header announcing a page far over the limits (60000 × 60000).
    assert_unreadable(render_with(shell(
        r"cat >/dev/null; printf 'CLPDFRP1\140\352\000\000\140\352\000\000'",
    )));
}

#[test]
fn a_child_that_never_answers_is_killed_at_the_timeout() {
    let isolation = PdfIsolation {
        timeout: Duration::from_millis(300),
        ..shell("exec sleep 30")
    };
    let started = Instant::now();
    assert_unreadable(render_with(isolation));
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

#[test]
fn children_beyond_the_cap_wait_for_a_slot() {
    // Each child notes how many children are running when it starts (a directory entry per
    // running child), stays a moment, and answers a 1 × 1 page.
    let dir = tempfile::tempdir().expect("temporary directory");
    let script = format!(
        r"cat >/dev/null; d='{}'; touch $d/run.$$; ls $d | grep -c '^run' >> $d/seen; sleep 0.2; rm $d/run.$$; printf 'CLPDFRP1\001\000\000\000\001\000\000\000\377\000\177'",
        dir.path().display()
    );
    let isolation = PdfIsolation {
        max_children: 2,
        ..shell(&script)
    };
    std::thread::scope(|scope| {
        for _ in 0..6 {
            let isolation = isolation.clone();
            scope.spawn(move || {
                PdfRendering::Isolated(isolation)
                    .render(PDF, DecodeLimits::default())
                    .expect("a well-formed reply")
            });
        }
    });
    let seen = std::fs::read_to_string(dir.path().join("seen")).expect("children ran");
    let counts: Vec<usize> = seen
        .lines()
        .map(|l| l.trim().parse().expect("a count"))
        .collect();
    assert_eq!(counts.len(), 6, "{seen}");
    assert!(counts.iter().all(|&n| (1..=2).contains(&n)), "{seen}");
}
