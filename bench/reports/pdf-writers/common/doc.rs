//! Backend-neutral description of the 2-page test report plus the timing harness.
//! Coordinates are in PDF points, origin at the TOP-left, y grows downwards
//! (backends with a bottom-left origin convert with `PAGE_H - y`).
#![allow(dead_code)]

use std::time::Instant;

pub const PAGE_W: f32 = 595.276; // A4
pub const PAGE_H: f32 = 841.89;

pub const REGULAR_TTF: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../../crates/clearance-reports/fonts/DejaVuSans.ttf");
pub const BOLD_TTF: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../../crates/clearance-reports/fonts/DejaVuSans-Bold.ttf");
pub const THUMB1: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/thumb_full.jpg");
pub const THUMB2: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/thumb_mrz.jpg");

pub enum Cmd {
    /// `y` is the text baseline.
    Text { x: f32, y: f32, size: f32, bold: bool, text: String },
    Line { x1: f32, y1: f32, x2: f32, y2: f32, width: f32 },
    /// Image index 0 or 1; (x, y) is the top-left corner of the rect.
    Image { idx: usize, x: f32, y: f32, w: f32, h: f32 },
}

fn t(out: &mut Vec<Cmd>, x: f32, y: f32, size: f32, bold: bool, s: &str) {
    out.push(Cmd::Text { x, y, size, bold, text: s.to_string() });
}
fn hl(out: &mut Vec<Cmd>, y: f32, width: f32) {
    out.push(Cmd::Line { x1: 50.0, y1: y, x2: PAGE_W - 50.0, y2: y, width });
}

pub const NAMES: [&str; 4] = ["José Müller-Łukasiewicz", "Владимир Путин", "Αλέξης Τσίπρας", "محمد بن سلمان"];

/// Two pages of drawing commands; `img_px` = pixel sizes of the two JPEGs (for aspect ratio).
pub fn pages(img_px: [(u32, u32); 2]) -> Vec<Vec<Cmd>> {
    let mut p1 = Vec::new();
    t(&mut p1, 50.0, 60.0, 18.0, true, "KYC Compliance Report — Case CLR-2024-00027");
    t(&mut p1, 50.0, 78.0, 9.0, false, "Generated 2024-05-14 09:12 UTC by Clearance 0.1 · confidential");
    hl(&mut p1, 88.0, 1.0);
    t(&mut p1, 50.0, 110.0, 12.0, true, "Client details");
    let details = [
        ("Full name", NAMES[0]),
        ("Alias (Cyrillic)", NAMES[1]),
        ("Alias (Greek)", NAMES[2]),
        ("Alias (Arabic)", NAMES[3]),
        ("Date of birth", "1975-03-14"),
        ("Nationality", "POL"),
        ("Document", "Passport TD3 X1234567"),
        ("Risk rating", "MEDIUM"),
    ];
    let mut y = 130.0;
    for (k, v) in details {
        t(&mut p1, 50.0, y, 10.0, true, k);
        t(&mut p1, 150.0, y, 10.0, false, v);
        y += 16.0;
    }
    let (w0, h0) = img_px[0];
    let iw = 180.0;
    p1.push(Cmd::Image { idx: 0, x: PAGE_W - 50.0 - iw, y: 100.0, w: iw, h: iw * h0 as f32 / w0 as f32 });

    y += 14.0;
    t(&mut p1, 50.0, y, 12.0, true, "Screening checks");
    y += 10.0;
    hl(&mut p1, y, 0.8);
    y += 14.0;
    let cols = [50.0, 230.0, 360.0, 460.0];
    for (c, h) in cols.iter().zip(["Check", "Provider", "Outcome", "Score"]) {
        t(&mut p1, *c, y, 10.0, true, h);
    }
    y += 6.0;
    hl(&mut p1, y, 0.8);
    let checks = [
        ("Sanctions — OFAC SDN", "opensanctions", "CLEAR", "0.00"),
        ("Sanctions — EU consolidated", "opensanctions", "CLEAR", "0.00"),
        ("Sanctions — UN SC", "opensanctions", "CLEAR", "0.00"),
        ("PEP screening", "internal", "REVIEW", "0.71"),
        ("Adverse media", "internal", "CLEAR", "0.12"),
        ("MRZ check digits", "mrz", "PASS", "1.00"),
        ("MRZ vs VIZ consistency", "ocr", "PASS", "0.97"),
        ("Document expiry", "mrz", "PASS", "1.00"),
        ("Face match (selfie vs doc)", "face", "PASS", "0.93"),
        ("Liveness (passive)", "face", "PASS", "0.88"),
        ("Name transliteration", "icao9303", "PASS", "1.00"),
        ("Address proof", "manual", "PENDING", "—"),
        ("Source of funds", "manual", "PENDING", "—"),
        ("Device fingerprint", "internal", "CLEAR", "0.05"),
        ("IP geolocation", "internal", "CLEAR", "0.02"),
        ("Overall decision", "policy v3", "REVIEW", "0.71"),
    ];
    for (a, b, c, d) in checks {
        y += 15.0;
        t(&mut p1, cols[0], y, 9.5, false, a);
        t(&mut p1, cols[1], y, 9.5, false, b);
        t(&mut p1, cols[2], y, 9.5, c != "CLEAR" && c != "PASS", c);
        t(&mut p1, cols[3], y, 9.5, false, d);
        y += 5.0;
        hl(&mut p1, y, 0.3);
    }
    t(&mut p1, 50.0, PAGE_H - 30.0, 8.0, false, "Page 1 of 2");

    let mut p2 = Vec::new();
    t(&mut p2, 50.0, 60.0, 14.0, true, "Document evidence and audit trail");
    hl(&mut p2, 70.0, 1.0);
    let (w1, h1) = img_px[1];
    let iw2 = 300.0;
    let ih2 = iw2 * h1 as f32 / w1 as f32;
    p2.push(Cmd::Image { idx: 1, x: 50.0, y: 84.0, w: iw2, h: ih2 });
    let mut y = 84.0 + ih2 + 24.0;
    for (c, h) in [50.0, 170.0, 260.0].iter().zip(["Timestamp (UTC)", "Actor", "Event"]) {
        t(&mut p2, *c, y, 10.0, true, h);
    }
    y += 6.0;
    hl(&mut p2, y, 0.8);
    let actors = ["system", "analyst.kowalska", "screening-worker", "face-worker", "system"];
    let events = [
        "case opened from onboarding API",
        "document image received (passport, 1250×880)",
        "MRZ parsed, check digits valid",
        "screened name José Müller-Łukasiewicz",
        "screened alias Владимир Путин",
        "screened alias Αλέξης Τσίπρας",
        "screened alias محمد بن سلمان",
        "PEP candidate match raised (score 0.71)",
        "face match computed (0.93)",
        "liveness passed",
        "note added: alias list provided by client",
    ];
    for i in 0..30 {
        y += 15.0;
        let ts = format!("2024-05-14 09:{:02}:{:02}", i / 3, (i * 17) % 60);
        t(&mut p2, 50.0, y, 9.0, false, &ts);
        t(&mut p2, 170.0, y, 9.0, false, actors[i % actors.len()]);
        t(&mut p2, 260.0, y, 9.0, false, events[i % events.len()]);
    }
    y += 6.0;
    hl(&mut p2, y, 0.8);
    t(&mut p2, 50.0, PAGE_H - 30.0, 8.0, false, "Page 2 of 2");
    vec![p1, p2]
}

/// Reads width/height from a baseline/progressive JPEG's SOF marker.
pub fn jpeg_size(d: &[u8]) -> (u32, u32) {
    let mut i = 2;
    while i + 9 < d.len() {
        let m = d[i + 1];
        let len = u16::from_be_bytes([d[i + 2], d[i + 3]]) as usize;
        if (0xC0..=0xCF).contains(&m) && m != 0xC4 && m != 0xC8 && m != 0xCC {
            let h = u16::from_be_bytes([d[i + 5], d[i + 6]]) as u32;
            let w = u16::from_be_bytes([d[i + 7], d[i + 8]]) as u32;
            return (w, h);
        }
        i += 2 + len;
    }
    panic!("no SOF marker")
}

pub struct Inputs {
    pub regular: Vec<u8>,
    pub bold: Vec<u8>,
    pub jpegs: [Vec<u8>; 2],
    pub img_px: [(u32, u32); 2],
}

pub fn load_inputs() -> Inputs {
    let jpegs = [std::fs::read(THUMB1).expect("run prep first"), std::fs::read(THUMB2).unwrap()];
    let img_px = [jpeg_size(&jpegs[0]), jpeg_size(&jpegs[1])];
    Inputs { regular: std::fs::read(REGULAR_TTF).unwrap(), bold: std::fs::read(BOLD_TTF).unwrap(), jpegs, img_px }
}

/// Warm up, then time `runs` documents; write the last one to out/<name>.pdf and print figures.
pub fn bench(name: &str, mut make: impl FnMut() -> Vec<u8>) {
    let runs: usize = std::env::var("RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(200);
    for _ in 0..20 {
        std::hint::black_box(make());
    }
    let mut times = Vec::with_capacity(runs);
    let mut last = Vec::new();
    for _ in 0..runs {
        let t0 = Instant::now();
        last = std::hint::black_box(make());
        times.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let median = times[runs / 2];
    let p99 = times[((runs as f64 * 0.99).ceil() as usize).saturating_sub(1)];
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../out/").to_string() + name + ".pdf";
    std::fs::write(&path, &last).unwrap();
    println!(
        "{name}: runs={runs} median_ms={median:.3} p99_ms={p99:.3} min_ms={:.3} max_ms={:.3} bytes={} -> {path}",
        times[0], times[runs - 1], last.len()
    );
}
