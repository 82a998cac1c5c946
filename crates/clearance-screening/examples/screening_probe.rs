//! Screens names given on the command line (or one per line on stdin) against the OFAC SDN 2024
//! and Consolidated 2025 lists and prints the top matches with their scores: a quick look at how
//! a name fares. Usage: `screening_probe [--person|--company] [NAME …]`.

use std::io::BufRead;
use std::path::PathBuf;

use clearance_screening::{Format, IndexBuilder, Query, ScreenOptions, load};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let d = std::env::var_os("CLEARANCE_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
        .join("data/sanctions");
    let mut b = IndexBuilder::new();
    b.add_list(load(Format::OfacCsv, &d.join("ofac_sdn_2024-05"))?);
    b.add_list(load(Format::OfacCsv, &d.join("ofac_cons_2025-12"))?);
    let index = b.build();
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let company = match args.first().map(String::as_str) {
        Some("--company") => {
            args.remove(0);
            Some(true)
        }
        Some("--person") => {
            args.remove(0);
            Some(false)
        }
        _ => None,
    };
    if args.is_empty() {
        args = std::io::stdin()
            .lock()
            .lines()
            .map_while(Result::ok)
            .collect();
    }
    let options = ScreenOptions {
        threshold: 50.0,
        limit: 3,
        ..ScreenOptions::default()
    };
    for name in args.iter().filter(|n| !n.trim().is_empty()) {
        let queries = match company {
            Some(true) => vec![Query::company(name.clone())],
            Some(false) => vec![Query::person(name.clone())],
            None => vec![Query::person(name.clone()), Query::company(name.clone())],
        };
        let mut found: Vec<(f32, String)> = queries
            .iter()
            .flat_map(|q| index.screen(q, &options))
            .map(|m| {
                let listed = index
                    .entity(&m.entity_id)
                    .map(|e| e.primary_name().to_owned())
                    .unwrap_or_default();
                (m.score, format!("{} {listed}", m.entity_id))
            })
            .collect();
        found.sort_by(|a, b| b.0.total_cmp(&a.0));
        found.dedup_by(|a, b| a.1 == b.1);
        let top: Vec<String> = found
            .iter()
            .take(3)
            .map(|(s, e)| format!("{s:.0} {e}"))
            .collect();
        println!(
            "{name}\n    {}",
            if top.is_empty() {
                "-".into()
            } else {
                top.join("\n    ")
            }
        );
    }
    Ok(())
}
