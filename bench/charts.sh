#!/usr/bin/env bash
# Renders the charts of bench/README.md from one run of pgrest-bench:
#   bench/latency.png  p50 and p99 translation latency per request class, with the targets
#   bench/catalog.png  catalog load time and memory against schema size (log-log)
#
#   bash bench/charts.sh [build-dir]        (default build-release, as `make bench`)
#
# Installs gnuplot-nox when it is missing (an optional package, only charts need it).
# The JSON Google Benchmark writes is read with Python's json module.
set -euo pipefail

cd "$(dirname "$0")/.."
readonly BUILD=${1:-build-release}
readonly BENCH=$BUILD/bench/pgrest-bench
readonly OUT=bench

command -v gnuplot >/dev/null || bash scripts/install-deps.sh gnuplot-nox
if [[ ! -x "$BENCH" ]]; then
  [[ -f "$BUILD/build.ninja" ]] ||
    meson setup "$BUILD" -Dbuildtype=release -Dbench=true -Dtests=false >/dev/null
  ninja -C "$BUILD" bench/pgrest-bench >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$BENCH" --benchmark_filter='^latency/|^catalog/(load|load-cold|finalize|finalize-cold)/' \
  --benchmark_format=json \
  >"$work/run.json"

python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
with open(f"{work}/run.json") as f:
    runs = json.load(f)["benchmarks"]
targets = {"S": (1000, 2000), "M": (3000, 6000), "C": (8000, 16000)}
latency = {}  # class -> {"engine": (p50, p99), "translator": (p50, p99)}
for run in runs:
    parts = run["name"].split("/")
    if parts[0] != "latency":
        continue
    kind, cls = ("translator", parts[2]) if parts[1] == "translator" else ("engine", parts[1])
    latency.setdefault(cls, {})[kind] = (run["p50_ns"] / 1000, run["p99_ns"] / 1000)
with open(f"{work}/latency.dat", "w") as out:
    out.write("class engine_p50 engine_p99 translator_p50 translator_p99 target_p50 target_p99\n")
    for cls in ("S", "M", "C"):
        e50, e99 = latency[cls]["engine"]
        t50, t99 = latency[cls]["translator"]
        g50, g99 = (t / 1000 for t in targets[cls])
        out.write(f"{cls} {e50:.3f} {e99:.3f} {t50:.3f} {t99:.3f} {g50} {g99}\n")
# tables -> {"load": ms, "load-cold": ms, "finalize": ms, "finalize-cold": ms, "mb": MB}
catalog = {}
for run in runs:
    parts = run["name"].split("/")
    if parts[0] != "catalog":
        continue
    tables = int(parts[2])
    unit = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[run["time_unit"]]
    row = catalog.setdefault(tables, {})
    row[parts[1]] = run["real_time"] * unit
    if parts[1] == "load":
        row["mb"] = run.get("catalog_bytes", 0.0) / 1e6  # MB held by the built catalog
with open(f"{work}/catalog.dat", "w") as out:
    out.write("tables load_ms megabytes load_cold_ms finalize_ms finalize_cold_ms linear_ms\n")
    smallest = min(catalog)
    for tables in sorted(catalog):
        row = catalog[tables]
        # Linear from the smallest cold load: what 10x the tables would cost at 10x.
        linear = catalog[smallest]["load-cold"] * tables / smallest
        out.write(f"{tables} {row['load']:.3f} {row['mb']:.3f} {row['load-cold']:.3f} "
                  f"{row['finalize']:.3f} {row['finalize-cold']:.3f} {linear:.3f}\n")
PY

gnuplot <<GP
set terminal pngcairo size 800,480 font "sans,11" noenhanced
set output "$OUT/latency.png"
set title "pgrest translation latency per request class"
set ylabel "microseconds"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key top left
set grid ytics
set yrange [0:*]
plot "$work/latency.dat" using 2:xtic(1) title "Engine p50", \
     "" using 3 title "Engine p99", \
     "" using 4 title "Translator p50", \
     "" using 5 title "Translator p99", \
     "" using 6 title "p50 target" fillstyle pattern 4, \
     "" using 7 title "p99 target" fillstyle pattern 5
GP

gnuplot <<GP
set terminal pngcairo size 800,480 font "sans,11" noenhanced
set output "$OUT/catalog.png"
set title "catalog build against schema size (log-log)"
set xlabel "tables (10 columns, 1 foreign key each)"
set logscale xy
set ylabel "milliseconds"
set y2label "MB held by the catalog"
set y2tics
set logscale y2
set ytics nomirror
set grid
set key top left
plot "$work/catalog.dat" using 1:2 with linespoints title "load + finalize (ms)", \
     "" using 1:4 with linespoints title "load + finalize, cold: fresh pages, empty caches (ms)", \
     "" using 1:5 with linespoints title "finalize alone (ms)", \
     "" using 1:6 with linespoints title "finalize alone, cold (ms)", \
     "" using 1:7 with lines dashtype 2 title "linear from 1k, cold (ms)", \
     "" using 1:3 axes x1y2 with linespoints title "memory held (MB, right)"
GP

echo "wrote $OUT/latency.png and $OUT/catalog.png"
cat "$work/latency.dat" "$work/catalog.dat"
