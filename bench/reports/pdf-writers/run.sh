#!/bin/sh
# Reproduce the PDF-writer comparison (ADR 0005). Needs poppler-utils (pdftotext, pdftoppm, pdffonts).
set -e
cd "$(dirname "$0")"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
mkdir -p out render assets
cargo build --release -j 1 -p prep && "$CARGO_TARGET_DIR"/release/prep          # makes assets/thumb_*.jpg
cargo build --release -j 1 -p bench-printpdf -F subset
cp "$CARGO_TARGET_DIR"/release/bench-printpdf "$CARGO_TARGET_DIR"/release/bench-printpdf-subset
cargo build --release -j 1 -p bench-krilla -p bench-printpdf -p bench-pdfwriter
for b in krilla printpdf printpdf-subset pdfwriter; do
  taskset -c 1 "$CARGO_TARGET_DIR"/release/bench-$b                               # RUNS=200 by default
done | tee out/bench-results.txt
for n in krilla printpdf printpdf-subset pdf-writer; do
  pdffonts out/$n.pdf
  pdftotext -layout out/$n.pdf out/$n.txt
  pdftoppm -png -r 60 -f 1 -l 1 out/$n.pdf render/$n
done
grep -H "Alias (Arabic)" out/*.txt
