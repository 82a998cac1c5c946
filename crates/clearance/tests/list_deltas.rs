//! What each import changed, and the import's self-check (#25, items 3 and 5), run as an
//! operator would: `clearance lists import` and `clearance lists deltas` against a fresh SQLite
//! data folder.

#![expect(
    clippy::unwrap_used,
    reason = "a test: a failed unwrap is a failed test"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SDN_NAME: &str = "OFAC Specially Designated Nationals (SDN) List";

fn fixture(version: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/screening/list_deltas")
        .join(version)
        .display()
        .to_string()
}

fn run(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clearance"))
        .args(args)
        .env("CLEARANCE_DATA_DIR", data)
        .env_remove("DATABASE_URL")
        .env_remove("CLEARANCE_BLOB_URL")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ok(data: &Path, args: &[&str]) -> (String, String) {
    let out = run(data, args);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    (text(&out.stdout), text(&out.stderr))
}

#[test]
fn imports_record_what_they_changed_and_the_operator_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let (_, first) = ok(data, &["lists", "import", "ofac-csv", &fixture("v1")]);
    assert!(
        first.contains("first import (delta 1): 10 entities added"),
        "{first}"
    );
    assert!(
        first.contains("self-check: 10 sampled names found their entity"),
        "{first}"
    );
    let (_, second) = ok(data, &["lists", "import", "ofac-csv", &fixture("v2")]);
    assert!(
        second.contains("delta 2 against version")
            && second.contains("1 added, 1 changed, 1 removed"),
        "{second}"
    );
    let (_, again) = ok(data, &["lists", "import", "ofac-csv", &fixture("v2")]);
    assert!(
        again.contains("unchanged from the stored version"),
        "{again}"
    );

    let (table, _) = ok(data, &["lists", "deltas"]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines[0], SDN_NAME, "{table}");
    assert_eq!(lines.len(), 4, "the name, a header and two deltas: {table}");
    assert!(lines[2].trim_start().starts_with("2 "), "{table}");
    assert!(
        lines[2].trim_end().ends_with("1        1        1"),
        "{table}"
    );
    assert!(lines[3].contains("(initial import)"), "{table}");
    assert!(
        lines[3].trim_end().ends_with("10        0        0"),
        "{table}"
    );

    let (latest, _) = ok(data, &["lists", "deltas", SDN_NAME, "--entities"]);
    let entities: Vec<&str> = latest.lines().skip(3).collect();
    assert_eq!(entities.len(), 3, "{latest}");
    assert!(
        entities[0].starts_with("changed  us_ofac_sdn:15253")
            && entities[0].contains("Jesus Alfredo SALAZAR RAMIREZ [datesOfBirth]"),
        "{latest}"
    );
    assert!(
        entities[1].starts_with("added    us_ofac_sdn:23343") && entities[1].contains("KADYROV"),
        "{latest}"
    );
    assert!(
        entities[2].starts_with("removed  us_ofac_sdn:36")
            && entities[2].contains("AEROCARIBBEAN AIRLINES"),
        "{latest}"
    );
    let (initial, _) = ok(
        data,
        &["lists", "deltas", SDN_NAME, "--seq", "1", "--entities"],
    );
    let added = initial.lines().filter(|l| l.starts_with("added ")).count();
    assert_eq!(added, 10, "{initial}");

    let unknown = run(data, &["lists", "deltas", "No such list"]);
    assert!(!unknown.status.success());
    assert!(
        text(&unknown.stderr).contains("no delta is kept"),
        "{}",
        text(&unknown.stderr)
    );
    let missing = run(data, &["lists", "deltas", SDN_NAME, "--seq", "7"]);
    assert!(!missing.status.success());
}

#[test]
fn a_version_whose_names_do_not_find_themselves_is_refused_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    ok(data, &["lists", "import", "ofac-csv", &fixture("v1")]);
    let refused = run(data, &["lists", "import", "ofac-csv", &fixture("broken")]);
    assert!(!refused.status.success());
    let why = text(&refused.stderr);
    assert!(why.contains("self-check failed"), "{why}");
    assert!(why.contains("3 of the 10 names"), "{why}");
    assert!(
        why.contains("us_ofac_sdn:480"),
        "names the entities that missed: {why}"
    );
    let (listed, _) = ok(data, &["lists", "list"]);
    assert!(
        listed.contains("passed (10)"),
        "the sound version stays: {listed}"
    );

    let (_, forced) = ok(
        data,
        &["lists", "import", "ofac-csv", &fixture("broken"), "--force"],
    );
    assert!(
        forced.contains("SELF-CHECK FAILED (stored with --force): 3 of 10"),
        "{forced}"
    );
    let (listed, _) = ok(data, &["lists", "list"]);
    assert!(
        listed.contains("FAILED: 3 of 10 missed (forced)"),
        "{listed}"
    );
    let (latest, _) = ok(data, &["lists", "deltas", SDN_NAME, "--entities"]);
    assert_eq!(
        latest.lines().filter(|l| l.starts_with("changed ")).count(),
        3,
        "{latest}"
    );
}
