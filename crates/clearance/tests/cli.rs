//! The operator commands for screening lists, run as a user would: `clearance lists …` and
//! `clearance screen` against a fresh SQLite data folder.

#![expect(
    clippy::unwrap_used,
    reason = "a test: a failed unwrap is a failed test"
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const SDN_NAME: &str = "OFAC Specially Designated Nationals (SDN) List";

fn sample() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/screening/ofac_sdn_sample")
        .display()
        .to_string()
}

fn run(data: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_clearance"))
        .args(args)
        .env("CLEARANCE_DATA_DIR", data)
        .env_remove("DATABASE_URL")
        .env_remove("CLEARANCE_BLOB_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn lists_are_imported_listed_screened_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();

    let bad = run(data, &["lists", "import", "ofac-xml", &sample()], "");
    assert!(!bad.status.success());
    assert!(
        text(&bad.stderr).contains("ofac-xml"),
        "{}",
        text(&bad.stderr)
    );

    let imported = run(data, &["lists", "import", "ofac-csv", &sample()], "");
    assert!(imported.status.success(), "{}", text(&imported.stderr));
    assert!(
        text(&imported.stderr).contains("35 entities"),
        "{}",
        text(&imported.stderr)
    );

    let listed = run(data, &["lists", "list"], "");
    assert!(
        text(&listed.stdout).contains(SDN_NAME),
        "{}",
        text(&listed.stdout)
    );

    let query =
        "{\"name\":\"Jesus Alfredo Salazar Ramirez\",\"dob\":\"1974-03-24\"}\n{\"name\":\"\"}\n";
    for args in [
        vec!["screen"],
        vec!["screen", "--lists", &format!("ofac-csv:{}", sample())],
    ] {
        let screened = run(data, &args, query);
        assert!(screened.status.success(), "{}", text(&screened.stderr));
        let out = text(&screened.stdout);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "one answer per query: {out}");
        assert!(
            lines[0].contains("\"entityId\":\"us_ofac_sdn:15253\""),
            "{out}"
        );
        assert!(lines[1].contains("\"error\""), "{out}");
    }

    let removed = run(data, &["lists", "remove", SDN_NAME], "");
    assert!(removed.status.success(), "{}", text(&removed.stderr));
    let again = run(data, &["lists", "remove", SDN_NAME], "");
    assert!(!again.status.success());
    let empty = run(data, &["screen"], "{\"name\":\"x\"}\n");
    assert!(!empty.status.success());
    assert!(
        text(&empty.stderr).contains("no lists are imported"),
        "{}",
        text(&empty.stderr)
    );
}

#[test]
fn custom_lists_are_managed_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let key = run(data, &["keys", "create", "--mode", "live"], "");
    assert!(key.status.success(), "{}", text(&key.stderr));

    let created = run(
        data,
        &["lists", "custom", "create", "--name", "Blocked"],
        "",
    );
    assert!(created.status.success(), "{}", text(&created.stderr));
    let id = text(&created.stdout).trim().to_string();
    assert_eq!(id.len(), 24, "prints the new id: {id}");

    let records = "{\"entityType\":\"person\",\"names\":[{\"firstName\":\"Zebulon\",\"lastName\":\"Quarterfield\"}]}\n\
                   {\"entityType\":\"company\",\"names\":[{\"companyName\":\"Quarterfield Holdings\"}]}\n";
    let added = run(data, &["lists", "custom", "add-records", &id, "-"], records);
    assert!(added.status.success(), "{}", text(&added.stderr));
    let record_ids: Vec<String> = text(&added.stdout).lines().map(str::to_string).collect();
    assert_eq!(record_ids.len(), 2);

    let bad = run(
        data,
        &["lists", "custom", "add-records", &id, "-"],
        "{\"entityType\":\"person\",\"names\":[{\"firstName\":\"A\"}]}\n",
    );
    assert!(!bad.status.success());
    assert!(
        text(&bad.stderr).contains("names[0].lastName"),
        "{}",
        text(&bad.stderr)
    );

    let listed = run(data, &["lists", "custom", "list"], "");
    let out = text(&listed.stdout);
    assert!(out.contains(&id) && out.contains("Blocked"), "{out}");
    let test_mode = run(data, &["lists", "custom", "list", "--mode", "test"], "");
    assert!(!text(&test_mode.stdout).contains(&id), "modes are separate");

    let removed = run(
        data,
        &["lists", "custom", "remove-record", &id, &record_ids[0]],
        "",
    );
    assert!(removed.status.success(), "{}", text(&removed.stderr));
    let deleted = run(data, &["lists", "custom", "delete", &id], "");
    assert!(deleted.status.success(), "{}", text(&deleted.stderr));
    let listed = run(data, &["lists", "custom", "list"], "");
    assert!(!text(&listed.stdout).contains(&id));
}

#[test]
fn help_never_shows_secret_values_from_the_environment() {
    let secrets = [
        (
            "DATABASE_URL",
            "postgres://clearance:hunter2-db@db.internal/clearance",
        ),
        ("CLEARANCE_MASTER_KEY", "hunter2-master"),
        ("CLEARANCE_TOKEN_KEYS", "hunter2-tokens"),
        ("AWS_SECRET_ACCESS_KEY", "hunter2-aws"),
        (
            "CLEARANCE_LISTS_URL_EU_FSF",
            "https://example.eu/fsf?token=hunter2-eu",
        ),
        (
            "CLEARANCE_LISTS_URL_OFAC_SDN",
            "https://user:hunter2-mirror@mirror.example/ofac/",
        ),
    ];
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["lists", "fetch", "--help"],
    ] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_clearance"));
        command.args(args);
        for (key, value) in secrets {
            command.env(key, value);
        }
        let out = command.output().unwrap();
        let help = text(&out.stdout) + &text(&out.stderr);
        assert!(help.contains("DATABASE_URL"), "{args:?}: {help}");
        assert!(!help.contains("hunter2"), "{args:?} shows a secret: {help}");
    }
}
