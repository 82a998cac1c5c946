//! Client-report generation benchmark (`bench/reports.sh`): a client with 5 completed checks
//! (sandbox results, one screening with matches) and 2 document images, composed and rendered
//! to PDF on one thread. Prints p50 and p99 per report, next to two baselines measured in the
//! same run: the same report without pictures (the layout and font cost alone) and the same
//! snapshot serialised as JSON (what answering it through `GET` costs).
//!
//! Usage: report_bench [--repeat N] [--out sample.pdf]

use std::time::Instant;

use clearance_core::audit::AuditLog;
use clearance_core::checks::sandbox::{Trigger, simulate};
use clearance_core::checks::{Check, CheckStatus};
use clearance_core::report::{ClientSnapshot, DocumentItem, Item, Picture, Stamp, client_report};
use clearance_core::resources::client::Client;
use clearance_core::scope::Mode;
use clearance_reports::{Fonts, render};
use serde_json::json;

const SPECIMEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/synthetic_passport_td3_specimen.jpg"
);
const T0: i64 = 1_796_000_000_000;

fn item<T>(id: &str, body: T) -> Item<T> {
    Item {
        id: id.into(),
        created_ms: T0,
        updated_ms: T0 + 5_000,
        body,
    }
}

fn snapshot() -> Result<ClientSnapshot, Box<dyn std::error::Error>> {
    let client: Client = serde_json::from_value(json!({
        "type": "person", "entityName": "José Müller-Łukasiewicz Attention",
        "email": "jose@example.org",
        "personDetails": {"firstName": "José", "middleName": "Müller-Łukasiewicz",
            "lastName": "Attention", "dob": "1984-02-29", "nationality": "PL", "gender": "male"}
    }))?;
    let specimen = std::fs::read(SPECIMEN)?;
    let mut documents = Vec::new();
    for (i, kind) in ["passport", "driving_license"].iter().enumerate() {
        documents.push(DocumentItem {
            document: item(
                &format!("6571a0c1e2d3f4a5b6c7d8{i:02}"),
                serde_json::from_value(json!({
                    "clientId": "6571a0c1e2d3f4a5b6c7d800", "type": kind,
                    "issuingCountry": "PL", "documentNumber": "ZS0000177"
                }))?,
            ),
            pictures: vec![Picture {
                caption: format!("{kind} · front"),
                bytes: specimen.clone(),
            }],
        });
    }
    let mut checks = Vec::new();
    for (i, (kind, link)) in [
        ("extensive_screening_check", json!({})),
        ("document_check", json!({"documentId": "6571a0c1e2d3f4a5b6c7d800"})),
        ("identity_check", json!({"documentId": "6571a0c1e2d3f4a5b6c7d800", "livePhotoId": "6571a0c1e2d3f4a5b6c7d899"})),
        ("proof_of_address_check", json!({"documentId": "6571a0c1e2d3f4a5b6c7d801"})),
        ("age_estimation_check", json!({"livePhotoId": "6571a0c1e2d3f4a5b6c7d899"})),
    ]
    .into_iter()
    .enumerate()
    {
        // Real ids: the sandbox dates its results from the id's timestamp.
        let id = clearance_core::ids::new_resource_id(T0 + i as i64);
        let mut body = json!({"clientId": "6571a0c1e2d3f4a5b6c7d800", "type": kind,
            "status": "pending", "entityName": client.entity_name});
        if let (Some(b), Some(l)) = (body.as_object_mut(), link.as_object()) {
            b.extend(l.clone());
        }
        let mut check: Check = serde_json::from_value(body)?;
        check.result = Some(simulate(&id, &check, &client, Trigger::Attention));
        check.status = CheckStatus::Complete;
        checks.push(item(&id, check));
    }
    let audit = (0..30)
        .map(|i| {
            item(
                &format!("6571a0c1e2d3f4a5b6c7da{i:02}"),
                AuditLog {
                    member_id: None,
                    key_id: Some("6571a0c1e2d3f4a5b6c7dbff".into()),
                    resource_type: "check".into(),
                    resource_id: format!("6571a0c1e2d3f4a5b6c7d9{:02}", i % 5),
                    client_id: Some("6571a0c1e2d3f4a5b6c7d800".into()),
                    trigger: if i % 2 == 0 {
                        "createCheck"
                    } else {
                        "updateCheck"
                    }
                    .into(),
                    action: "create".into(),
                    diff: None,
                },
            )
        })
        .collect();
    Ok(ClientSnapshot {
        stamp: Stamp {
            account_id: "6571a0c1e2d3f4a5b6c7dcff".into(),
            account_name: Some("Northwind Bank".into()),
            mode: Mode::Live,
            generated_ms: T0 + 60_000,
        },
        client: item("6571a0c1e2d3f4a5b6c7d800", client),
        addresses: vec![item(
            "6571a0c1e2d3f4a5b6c7dd00",
            serde_json::from_value(
                json!({"clientId": "6571a0c1e2d3f4a5b6c7d800", "type": "main",
                "line": "ul. Marszałkowska 1", "city": "Warszawa", "postalCode": "00-001",
                "country": "PL", "fromDate": "2019-01-01"}),
            )?,
        )],
        documents,
        live_photos: Vec::new(),
        checks,
        risk: None,
        audit,
        audit_truncated: false,
    })
}

/// Nearest-rank percentile of sorted milliseconds.
fn pct(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

fn time(repeat: usize, mut run: impl FnMut() -> usize) -> (f64, f64, usize) {
    run();
    let mut ms = Vec::with_capacity(repeat);
    let mut size = 0;
    for _ in 0..repeat {
        let t = Instant::now();
        size = run();
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    (pct(&ms, 50.0), pct(&ms, 99.0), size)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let repeat: usize = flag("--repeat")
        .map(|r| r.parse())
        .transpose()?
        .unwrap_or(100);
    let fonts = Fonts::load()?;
    let snap = snapshot()?;

    let (p50, p99, size) = time(repeat, || {
        let pdf = render(&client_report(&snap), &fonts).unwrap_or_default();
        pdf.len()
    });
    let mut text_only = snap.clone();
    for d in &mut text_only.documents {
        d.pictures.clear();
    }
    let (t50, t99, tsize) = time(repeat, || {
        render(&client_report(&text_only), &fonts)
            .unwrap_or_default()
            .len()
    });
    let (j50, j99, jsize) = time(repeat, || {
        let checks: Vec<_> = snap.checks.iter().map(|c| &c.body).collect();
        serde_json::to_vec(&json!({"client": snap.client.body, "checks": checks}))
            .unwrap_or_default()
            .len()
    });
    if let Some(out) = flag("--out") {
        std::fs::write(&out, render(&client_report(&snap), &fonts)?)?;
        eprintln!("wrote {out}");
    }
    println!("what\tp50_ms\tp99_ms\tbytes\tratio_p50");
    println!("client report, 5 checks + 2 images\t{p50:.1}\t{p99:.1}\t{size}\t1.00");
    println!(
        "baseline: same report without images\t{t50:.1}\t{t99:.1}\t{tsize}\t{:.2}",
        p50 / t50
    );
    println!(
        "baseline: same client and checks as JSON\t{j50:.3}\t{j99:.3}\t{jsize}\t{:.0}",
        p50 / j50
    );
    Ok(())
}
