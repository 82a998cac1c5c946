//! `clearance screen --input customers.csv` (#26, item 4): a customer file screened against the
//! imported lists, with a summary and the alerts as CSV.

#![expect(
    clippy::unwrap_used,
    reason = "a test: a failed unwrap is a failed test"
)]

use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_clearance");

fn run(data: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .env("CLEARANCE_DATA_DIR", data)
        .env("CLEARANCE_LOG", "warn")
        .env_remove("DATABASE_URL")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_customer_file_is_screened_with_a_summary_and_its_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/screening/ofac_sdn_sample");
    run(
        &data,
        &["lists", "import", "ofac-csv", sample.to_str().unwrap()],
    );
    let customers = dir.path().join("customers.csv");
    std::fs::write(
        &customers,
        "Reference,Type,First Name,Last Name,Name,DOB,Country\n\
         C1,person,Ada,Lovelace,,1815-12-10,GB\n\
         C2,person,Jesus Alfredo,Salazar Ramirez,,1974-03-24,MX\n\
         C3,company,,,Banco Nacional de Cuba,,CU\n\
         C4,person,,,,,\n",
    )
    .unwrap();
    let alerts = dir.path().join("alerts.csv");
    let summary = run(
        &data,
        &[
            "screen",
            "--input",
            customers.to_str().unwrap(),
            "--alerts",
            alerts.to_str().unwrap(),
        ],
    );
    assert!(
        summary.contains("screened 3 customers: 2 alerted"),
        "{summary}"
    );
    assert!(summary.contains("watchlistSanctionsLists"), "{summary}");
    assert!(
        summary.contains("1 rows without a name skipped"),
        "{summary}"
    );
    assert!(summary.contains("C2 \"Jesus Alfredo Salazar Ramirez\" ~ us_ofac_sdn:15253"));
    let written = std::fs::read_to_string(&alerts).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(
        lines[0],
        "reference,query,score,entity_id,listed_name,classifications,why"
    );
    assert!(
        lines[1..]
            .iter()
            .any(|l| l.starts_with("C2,") && l.contains("us_ofac_sdn:15253"))
    );
    assert!(
        lines[1..]
            .iter()
            .any(|l| l.starts_with("C3,") && l.contains("us_ofac_sdn:306"))
    );
    assert!(!lines.iter().any(|l| l.starts_with("C1,")), "{written}");
}
