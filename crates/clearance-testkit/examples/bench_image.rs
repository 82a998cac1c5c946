//! Writes a noise JPEG of at least the requested size, for `bench/uploads.sh`.
//! Usage: bench_image <min bytes> <output path>

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let min: usize = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let out = args.next().unwrap_or_else(|| "bench-image.jpg".into());
    let mut side = 256u32;
    loop {
        let bytes = clearance_testkit::fixtures::jpeg(side, side * 3 / 4);
        if bytes.len() >= min {
            return std::fs::write(out, bytes);
        }
        side += 64;
    }
}
