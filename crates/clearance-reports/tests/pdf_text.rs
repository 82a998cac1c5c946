//! Reports read back with poppler's `pdftotext`: names in every script the embedded fonts cover
//! come back exactly as given (a compliance reviewer searches reports by name).

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use std::process::Command;

use clearance_core::report::{Block, Report, Section, Table};
use clearance_reports::{Fonts, render};

const NAMES: [&str; 5] = [
    "José Müller-Łukasiewicz",
    "Владимир Путин",
    "Αλέξης Τσίπρας",
    "محمد بن سلمان",
    "שמעון פרס",
];

fn pdftotext(pdf: &[u8]) -> Option<String> {
    if Command::new("pdftotext").arg("-v").output().is_err() {
        assert!(
            std::env::var_os("CLEARANCE_REQUIRE_POPPLER").is_none(),
            "pdftotext (Debian poppler-utils) is required here"
        );
        eprintln!("pdftotext not installed: skipped (apt-get install poppler-utils)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    // pdftotext marks right-to-left runs with bidi embedding controls (U+202A–U+202E).
    let text = String::from_utf8(out.stdout).unwrap();
    Some(
        text.chars()
            .filter(|c| !('\u{202A}'..='\u{202E}').contains(c))
            .collect(),
    )
}

#[test]
fn names_in_five_scripts_come_back_from_the_pdf_exactly() {
    let fonts = Fonts::load().unwrap();
    let report = Report {
        title: format!("Client report: {}", NAMES[3]),
        subtitle: vec!["Generated for a test".into()],
        sections: vec![Section {
            heading: "Names".into(),
            blocks: vec![
                Block::Fields(
                    NAMES
                        .iter()
                        .map(|n| ("Name".into(), n.to_string()))
                        .collect(),
                ),
                Block::Table(Table {
                    header: vec!["Alias".into(), "List".into()],
                    widths: vec![0.5, 0.5],
                    rows: NAMES
                        .iter()
                        .map(|n| vec![format!("alias {n} (primary)"), "UN".into()])
                        .collect(),
                }),
            ],
        }],
        footer: "footer".into(),
    };
    let pdf = render(&report, &fonts).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let Some(text) = pdftotext(&pdf) else {
        return;
    };
    for name in NAMES {
        assert!(text.contains(name), "{name} missing from:\n{text}");
    }
    assert!(
        text.contains(&format!("Client report: {}", NAMES[3])),
        "{text}"
    );
}
