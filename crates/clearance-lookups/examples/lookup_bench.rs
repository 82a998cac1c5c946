//! Company search over N synthetic companies (a scale-up of the Companies House sample's
//! vocabulary), one thread: the tantivy index Clearance uses, next to two baselines measured in
//! the same run on the same companies and queries: SQLite FTS5 (the full-text engine the
//! default database already has; exact words only) and a scan of every name with the same
//! ranking (no index). Prints p50/p99 per engine, how often the queried company came first, and
//! the ratios. Run through `bench/lookups.sh`.
//!
//! Usage: lookup_bench SAMPLE.csv [companies] [queries]

use std::collections::BTreeSet;
use std::time::Instant;

use clearance_core::lookups::{Company, company_id};
use clearance_lookups::companies::{CompanyIndexBuilder, name_score};
use clearance_lookups::normalize::company_words;

const LEGAL_FORMS: [&str; 6] = [
    "LIMITED",
    "LTD",
    "PLC",
    "LLP",
    "HOLDINGS LIMITED",
    "SERVICES LTD",
];

/// A small deterministic generator: the same companies and queries on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn vocabulary(sample: &str) -> Vec<String> {
    let text = std::fs::read_to_string(sample).unwrap_or_else(|e| panic!("{sample}: {e}"));
    let mut words = BTreeSet::new();
    for line in text.lines().skip(1) {
        let name = line
            .split("\",\"")
            .next()
            .unwrap_or_default()
            .trim_matches('"');
        for w in name.split_whitespace() {
            let w: String = w.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            if w.len() >= 3 && !LEGAL_FORMS.contains(&w.as_str()) {
                words.insert(w);
            }
        }
    }
    words.into_iter().collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at]
}

struct Figures {
    p50: f64,
    p99: f64,
    first: f64,
}

fn measure(
    queries: &[(String, usize)],
    names: &[String],
    mut search: impl FnMut(&str) -> Vec<String>,
) -> Figures {
    let mut times = Vec::with_capacity(queries.len());
    let mut first = 0;
    for (query, target) in queries {
        let started = Instant::now();
        let found = search(query);
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        // Synthetic names repeat: any company of the queried name counts.
        if found.first().map(|f| company_words(f)) == Some(company_words(&names[*target])) {
            first += 1;
        }
    }
    times.sort_by(f64::total_cmp);
    Figures {
        p50: percentile(&times, 0.5),
        p99: percentile(&times, 0.99),
        first: first as f64 / queries.len().max(1) as f64,
    }
}

/// Ranks candidate names as the index does and answers the best names.
fn rank(
    query: &[String],
    candidates: impl Iterator<Item = usize>,
    names: &[String],
) -> Vec<String> {
    let mut ranked: Vec<(f64, usize, usize)> = candidates
        .filter_map(|i| {
            let words = company_words(&names[i]);
            let refs: Vec<&str> = words.iter().map(String::as_str).collect();
            name_score(query, &refs).map(|s| (s, words.len(), i))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    ranked
        .into_iter()
        .take(10)
        .map(|r| names[r.2].clone())
        .collect()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let sample = args
        .next()
        .unwrap_or_else(|| panic!("usage: lookup_bench SAMPLE.csv [companies] [queries]"));
    let count: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let query_count: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2_000);
    let vocabulary = vocabulary(&sample);
    let mut rng = Lcg(20_261_207);
    let names: Vec<String> = (0..count)
        .map(|_| {
            let words = 1 + rng.below(3);
            let mut name: Vec<&str> = (0..words)
                .map(|_| vocabulary[rng.below(vocabulary.len())].as_str())
                .collect();
            name.push(LEGAL_FORMS[rng.below(LEGAL_FORMS.len())]);
            name.join(" ")
        })
        .collect();
    println!(
        "{count} companies from a vocabulary of {} words of the sample",
        vocabulary.len()
    );

    // The queries: the name without its legal form, with a typo, or with its words reordered.
    let queries: Vec<(String, usize)> = (0..query_count)
        .map(|n| {
            let target = rng.below(count);
            let words = company_words(&names[target]);
            let mut query = words.clone();
            match n % 4 {
                1 => {
                    let w = rng.below(query.len());
                    if query[w].len() >= 5 {
                        let mut chars: Vec<char> = query[w].chars().collect();
                        let at = 1 + rng.below(chars.len() - 2);
                        chars.swap(at, at + 1);
                        query[w] = chars.into_iter().collect();
                    }
                }
                2 => query.reverse(),
                _ => {}
            }
            (query.join(" "), target)
        })
        .collect();

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let mut builder = CompanyIndexBuilder::new(Some(&dir.path().join("companies")))
        .unwrap_or_else(|e| panic!("{e}"));
    for (i, name) in names.iter().enumerate() {
        let number = format!("{i:08}");
        builder
            .add(&Company {
                id: company_id("GB", &number),
                name: name.clone(),
                registration_number: number,
                incorporation_country: "GB".into(),
                active: true,
                ..Company::default()
            })
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let index = builder.finish().unwrap_or_else(|e| panic!("{e}"));
    let build_s = started.elapsed().as_secs_f64();
    println!(
        "tantivy index built in {build_s:.1} s ({:.0} companies/s)",
        count as f64 / build_s
    );

    let tantivy = measure(&queries, &names, |q| {
        index
            .search(q, "GB", 10)
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|c| c.name)
            .collect()
    });

    let started = Instant::now();
    let db =
        rusqlite::Connection::open(dir.path().join("fts.db")).unwrap_or_else(|e| panic!("{e}"));
    db.execute_batch("CREATE VIRTUAL TABLE names USING fts5(words); BEGIN;")
        .unwrap_or_else(|e| panic!("{e}"));
    {
        let mut insert = db
            .prepare("INSERT INTO names (rowid, words) VALUES (?1, ?2)")
            .unwrap_or_else(|e| panic!("{e}"));
        for (i, name) in names.iter().enumerate() {
            insert
                .execute(rusqlite::params![i as i64, company_words(name).join(" ")])
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    db.execute_batch("COMMIT;")
        .unwrap_or_else(|e| panic!("{e}"));
    println!(
        "SQLite FTS5 table built in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mut select = db
        .prepare("SELECT rowid FROM names WHERE names MATCH ?1 ORDER BY bm25(names) LIMIT 400")
        .unwrap_or_else(|e| panic!("{e}"));
    let fts = measure(&queries, &names, |q| {
        let words: Vec<String> = company_words(q);
        let matched = words
            .iter()
            .map(|w| format!("\"{w}\""))
            .collect::<Vec<_>>()
            .join(" OR ");
        let rows: Vec<usize> = select
            .query_map([matched], |r| r.get::<_, i64>(0))
            .map(|rows| rows.filter_map(Result::ok).map(|r| r as usize).collect())
            .unwrap_or_default();
        rank(&words, rows.into_iter(), &names)
    });

    // The scan ranks every name: a handful of queries is enough to know its cost.
    let scan_queries = &queries[..queries.len().min(40)];
    let scan = measure(scan_queries, &names, |q| {
        rank(&company_words(q), 0..names.len(), &names)
    });

    println!();
    println!("engine          p50 ms   p99 ms   queried company first");
    for (label, f) in [
        ("tantivy", &tantivy),
        ("sqlite-fts5", &fts),
        ("scan", &scan),
    ] {
        println!(
            "{label:<14} {:>7.2} {:>8.2}   {:>5.1} %",
            f.p50,
            f.p99,
            f.first * 100.0
        );
    }
    println!();
    println!(
        "ratios: scan/tantivy p50 {:.0}x; fts5/tantivy p50 {:.2}x, p99 {:.2}x",
        scan.p50 / tantivy.p50,
        fts.p50 / tantivy.p50,
        fts.p99 / tantivy.p99
    );
    println!(
        "target p99 <= 20 ms over 1,000,000 companies: tantivy p99 {:.2} ms ({})",
        tantivy.p99,
        if tantivy.p99 <= 20.0 {
            "met"
        } else {
            "NOT met"
        }
    );
}
