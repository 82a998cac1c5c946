#!/bin/sh
# Cold release build of each candidate's tree alone, -j 1, fresh target dir each.
cd "$(dirname "$0")"
for spec in "bench-pdfwriter:" "bench-krilla:" "bench-printpdf:" "bench-printpdf:subset"; do
  pkg=${spec%%:*}; feat=${spec#*:}
  dir="$PWD"/target/cold-$pkg${feat:+-$feat}
  rm -rf "$dir"
  s=$(date +%s.%N)
  CARGO_TARGET_DIR=$dir cargo build --release -j 1 -q -p $pkg ${feat:+-F $feat} || echo "FAILED $spec"
  e=$(date +%s.%N)
  echo "$pkg${feat:+ +$feat}: $(echo "$e - $s" | bc) s  (load: $(cut -d' ' -f1 /proc/loadavg))"
done
