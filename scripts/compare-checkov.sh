#!/usr/bin/env bash
# idguard against Checkov (the peer tool, which reads ARM templates with
# its `arm` framework) on the same files:
#
#   1. quickstart: $CORPUS/azure-quickstart-templates (342 files);
#   bicep: every `.bicep` file of the corpus (832), copied into a temp dir
#      with nothing else: idguard reads them natively, Checkov with its
#      `bicep` framework. The table also says how many files each tool
#      could read (idguard: templates without a file error; Checkov: files
#      minus its parsing errors);
#   2. estate: every JSON file of the corpus replicated (hard links, else
#      copies) into at least $ESTATE_FILES (10,000) files in a temp dir.
#      Checkov on the whole estate would take far longer than ~10 minutes,
#      so unless CHECKOV_FULL_ESTATE=1 it runs on an evenly spread slice of
#      $SLICE (1,000) files and its time is extrapolated linearly to the
#      whole estate (the table says so); idguard runs on the whole estate.
#
# Each tool runs several times per set (RUNS_CHECKOV=3, RUNS_IDGUARD=5);
# the table gives the median wall time, the median CPU time (user + system,
# children included: the right figure on a machine shared with other jobs),
# the peak resident set (largest over the runs; for Checkov, of its largest
# process), the files Checkov could not parse, and the ratios.
#
# Checkov is installed into a local venv ($BENCH_VENV, default
# target/bench-venv) at the pinned $CHECKOV_VERSION; it is told not to reach
# the network (no Prisma Cloud download, no update check).
set -euo pipefail
cd "$(dirname "$0")/.."

CHECKOV_VERSION=${CHECKOV_VERSION:-3.3.30}
BENCH_VENV=${BENCH_VENV:-target/bench-venv}
CORPUS=${CORPUS:-../shared/corpus}
RUNS_CHECKOV=${RUNS_CHECKOV:-3}
RUNS_IDGUARD=${RUNS_IDGUARD:-5}
ESTATE_FILES=${ESTATE_FILES:-10000}
SLICE=${SLICE:-1000}
SETS=${SETS:-"quickstart bicep estate"}

if [ ! -d "$CORPUS" ]; then
  echo "compare-checkov.sh: corpus not found at $CORPUS (set CORPUS=DIR); nothing to compare" >&2
  exit 0
fi
CORPUS=$(realpath "$CORPUS")

if [ ! -x /usr/bin/time ] && [ "$(id -u)" = 0 ]; then
  apt-get install -y -qq time >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq time; }
fi
[ -x /usr/bin/time ] || { echo "compare-checkov.sh: needs /usr/bin/time (Debian package 'time')" >&2; exit 1; }

if [ -z "${IDGUARD:-}" ]; then
  cargo build --release --locked -p idguard-cli >&2
  IDGUARD="${CARGO_TARGET_DIR:-target}/release/idguard"
fi
IDGUARD=$(realpath "$IDGUARD")

if [ ! -x "$BENCH_VENV/bin/checkov" ] || ! "$BENCH_VENV/bin/checkov" --version 2>/dev/null | grep -qx "$CHECKOV_VERSION"; then
  echo "compare-checkov.sh: installing checkov==$CHECKOV_VERSION into $BENCH_VENV" >&2
  python3 -m venv "$BENCH_VENV"
  "$BENCH_VENV/bin/pip" install -q "checkov==$CHECKOV_VERSION" >&2
fi
CHECKOV=$(realpath "$BENCH_VENV/bin/checkov")
export BC_SKIP_MAPPING=TRUE CKV_SKIP_PACKAGE_UPDATE_CHECK=TRUE \
  CKV_GITHUB_CONFIG_FETCH_DATA=False CKV_GITLAB_CONFIG_FETCH_DATA=False \
  CKV_BITBUCKET_CONFIG_FETCH_DATA=False

tmp=$(mktemp -d "${TMPDIR:-/tmp}/idguard-compare.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# run LABEL RUNS OUT-PREFIX CMD...: one line per run in $tmp/LABEL.runs:
# wall-seconds cpu-seconds max-rss-kb; the last run's stdout in OUT-PREFIX.out.
run() {
  local label=$1 runs=$2 out=$3
  shift 3
  : >"$tmp/$label.runs"
  local n
  for ((n = 0; n < runs; n++)); do
    /usr/bin/time -v -o "$tmp/$label.time" "$@" >"$out.out" 2>"$out.err" || true
    awk -F': ' '
      /Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = (n == 3) ? p[1] * 3600 + p[2] * 60 + p[3] : p[1] * 60 + p[2] }
      /User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { m = $2 }
      END { printf "%.3f %.3f %d\n", w, u + s, m }' "$tmp/$label.time" >>"$tmp/$label.runs"
    echo "  $label run $((n + 1))/$runs: $(tail -1 "$tmp/$label.runs") (wall s, cpu s, peak KB)" >&2
  done
}

# stats LABEL -> "median-wall median-cpu max-rss-kb"
stats() {
  python3 - "$tmp/$1.runs" <<'EOF'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
print(statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows), int(max(r[2] for r in rows)))
EOF
}

checkov_parse_errors() {
  python3 - "$1" <<'EOF'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    print("?"); sys.exit()
reports = d if isinstance(d, list) else [d]
print(sum(r.get("summary", {}).get("parsing_errors", 0) for r in reports if isinstance(r, dict)))
EOF
}

idguard_summary() {
  python3 - "$1" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
print(s["templates"], s["invalidFiles"], s["errors"] + s["warnings"] + s["infos"])
EOF
}

rows=()
compare() {
  local set=$1 dir=$2 checkov_dir=$3 scale=$4 framework=${5:-arm} ext=${6:-json}
  local files ck_files
  files=$(find "$dir" -type f -name "*.$ext" | wc -l)
  ck_files=$(find "$checkov_dir" -type f -name "*.$ext" | wc -l)
  echo "== $set: $files files (Checkov on $ck_files, framework $framework)" >&2
  run "$set-idguard" "$RUNS_IDGUARD" "$tmp/$set-idguard" "$IDGUARD" check --fail-on never --format json "$dir"
  run "$set-checkov" "$RUNS_CHECKOV" "$tmp/$set-checkov" "$CHECKOV" -d "$checkov_dir" --framework "$framework" --quiet --compact -o json --skip-download
  read -r iw ic ir < <(stats "$set-idguard")
  read -r cw cc cr < <(stats "$set-checkov")
  read -r templates invalid findings < <(idguard_summary "$tmp/$set-idguard.out")
  local perr
  perr=$(checkov_parse_errors "$tmp/$set-checkov.out")
  rows+=("$(python3 - "$set" "$files" "$ck_files" "$scale" "$iw" "$ic" "$ir" "$cw" "$cc" "$cr" "$templates" "$invalid" "$perr" <<'EOF'
import sys
set_, files, ck_files, scale, iw, ic, ir, cw, cc, cr, templates, invalid, perr = sys.argv[1:]
scale = float(scale); iw, ic, cw, cc = map(float, (iw, ic, cw, cc))
cw_all, cc_all = cw * scale, cc * scale
note = "" if scale == 1 else f" (measured on {ck_files} files x {scale:.2f})"
perr_all = perr if scale == 1 or perr == "?" else f"{perr} of {ck_files}"
ck_read = "?" if perr == "?" else f"{int(ck_files) - int(perr)} of {ck_files}"
ig_read = f"{int(templates) - int(invalid)} of {templates} templates"
print(f"| {set_} | {files} | Checkov | {cw_all:.1f} s{note} | {cc_all:.1f} s | {int(cr) / 1024:.0f} MB | {perr_all} | {ck_read} | |")
print(f"| {set_} | {files} | idguard | {iw:.3f} s | {ic:.3f} s | {int(ir) / 1024:.0f} MB | {invalid} ({templates} templates) | {ig_read} | "
      f"{cw_all / iw:.0f}x wall, {cc_all / ic:.0f}x CPU |")
EOF
)")
}

for set in $SETS; do
  case $set in
    quickstart)
      compare quickstart "$CORPUS/azure-quickstart-templates" "$CORPUS/azure-quickstart-templates" 1
      ;;
    bicep)
      bicep_dir="$tmp/bicep"
      mkdir -p "$bicep_dir"
      (cd "$CORPUS" && find . -type f -name '*.bicep' -print0 | xargs -0 -I{} cp --parents {} "$bicep_dir/")
      compare bicep "$bicep_dir" "$bicep_dir" 1 bicep bicep
      ;;
    estate)
      estate="$tmp/estate"
      mkdir -p "$estate"
      mapfile -t src < <(cd "$CORPUS" && find . -type f -name '*.json' | sort)
      copies=$(((ESTATE_FILES + ${#src[@]} - 1) / ${#src[@]}))
      for ((c = 0; c < copies; c++)); do
        mkdir -p "$estate/copy$c"
        (cd "$CORPUS" && cp -al . "$estate/copy$c/" 2>/dev/null) || (cd "$CORPUS" && cp -a . "$estate/copy$c/")
        find "$estate/copy$c" -type f ! -name '*.json' -delete
      done
      total=$(find "$estate" -type f -name '*.json' | wc -l)
      if [ "${CHECKOV_FULL_ESTATE:-0}" = 1 ]; then
        compare estate "$estate" "$estate" 1
      else
        slice="$tmp/slice"
        mkdir -p "$slice"
        step=$((total / SLICE))
        find "$estate" -type f -name '*.json' | sort | awk -v s="$step" -v n="$SLICE" 'NR % s == 0 && c < n { print; c++ }' |
          while read -r f; do
            rel=${f#"$estate"/}
            mkdir -p "$slice/$(dirname "$rel")"
            ln "$f" "$slice/$rel" 2>/dev/null || cp "$f" "$slice/$rel"
          done
        n_slice=$(find "$slice" -type f -name '*.json' | wc -l)
        compare estate "$estate" "$slice" "$(python3 -c "print($total / $n_slice)")"
      fi
      ;;
    *) echo "compare-checkov.sh: unknown set $set" >&2; exit 2 ;;
  esac
done

echo
echo "idguard $($IDGUARD --version | cut -d' ' -f2) vs Checkov $("$CHECKOV" --version)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "runs: Checkov $RUNS_CHECKOV, idguard $RUNS_IDGUARD per set; medians; peak RSS is the largest over the runs"
echo
echo "| set | files | tool | median wall | median CPU | peak RSS | parse failures | files read | idguard faster by |"
echo "|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
