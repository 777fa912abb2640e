#!/usr/bin/env bash
# Measures every method on every synthetic category (and on ../shared/datasets/* or
# $DEFECTSCOPE_REAL_DATASETS when present) with `defectscope-cli evaluate`, and writes the
# table to docs/BENCHMARKS.md (between the generated-table markers).
# Usage: bench/run_benchmarks.sh [extra evaluate options, e.g. --adapt-bn]
# VARIANT=name labels the rows of a run with extra options; METHODS="padim" narrows it.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${DEFECTSCOPE_BUILD_DIR:-$REPO/build}"
CLI="$BUILD/app/defectscope-cli"
OUT="$BUILD/bench"
METHODS="${METHODS:-padim patchcore}"
export OMP_WAIT_POLICY=PASSIVE
[ -x "$CLI" ] || { echo "build first: scripts/test or scripts/run" >&2; exit 1; }
mkdir -p "$OUT/json"

[ -d "$OUT/synthetic/part" ] || "$CLI" make-demo "$OUT/synthetic" >/dev/null
datasets=("$OUT"/synthetic/*)
real_root="${DEFECTSCOPE_REAL_DATASETS:-$REPO/../shared/datasets}"
if [ -d "$real_root" ]; then
  for d in "$real_root"/*; do [ -d "$d/train/good" ] && datasets+=("$d"); done
fi

for dataset in "${datasets[@]}"; do
  for method in $METHODS; do
    name="$(basename "$dataset")-$method${VARIANT:+-$VARIANT}"
    echo "== $name" >&2
    "$CLI" evaluate --dataset "$dataset" --method "$method" --json "$OUT/json/$name.json" "$@" 2>/dev/null | tail -3
  done
done

python3 - "$OUT/json" "$REPO/docs/BENCHMARKS.md" <<'PY'
import json, os, platform, subprocess, sys
folder, target = sys.argv[1], sys.argv[2]
rows = []
for f in sorted(os.listdir(folder)):
    if f.endswith(".json"):
        row = json.load(open(os.path.join(folder, f)))
        row["variant"] = f[:-5].split("-", 2)[2] if f.count("-") >= 2 else "default"
        rows.append(row)
def fmt(v, digits=3):
    return "n/a" if v is None else f"{v:.{digits}f}"
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
mem = int(next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal"))) / 2**20
lines = [f"Machine: {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, no GPU; LibTorch CPU with OpenBLAS (OpenMP).", "",
         "| dataset | method | variant | backbone | size | train | test | image AUROC | pixel AUROC | AUPRO | F1-max | train s | ms/image | peak MB |",
         "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
for r in rows:
    lines.append(f"| {r['dataset']} | {r['method']} | {r['variant']} | {r['backbone']} | {r['image_size']} | {r['n_train']} | {r['n_test']} | "
                 f"{fmt(r['image_auroc'])} | {fmt(r['pixel_auroc'])} | {fmt(r['aupro'])} | {fmt(r['f1_max'])} | "
                 f"{r['train_seconds']:.1f} | {r['infer_ms_per_image']:.1f} | {r['peak_rss_mb']:.0f} |")
table = "\n".join(lines)
begin, end = "<!-- generated-table:begin -->", "<!-- generated-table:end -->"
text = open(target).read() if os.path.exists(target) else f"# Benchmarks\n\n{begin}\n{end}\n"
head, rest = text.split(begin, 1)
tail = rest.split(end, 1)[1]
open(target, "w").write(f"{head}{begin}\n{table}\n{end}{tail}")
print(table)
PY
