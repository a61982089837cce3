#!/usr/bin/env bash
# Whole-process timings of the release `idguard` binary over the corpus
# (../shared/corpus, or $CORPUS): the whole corpus with all cores, with
# --threads 1 and --threads 2, cold start (`idguard --version`, checking one
# small template) and the largest template alone. Prints a table.
#
# Uses hyperfine when it is installed (installs the Debian package when
# missing and running as root); otherwise a loop of timed runs. Each row
# gives the median wall time and the mean CPU time (user + system) of the
# process, which stays meaningful on a machine shared with other jobs.
#
#   scripts/bench.sh            # default: 10 runs per row (3 warm-up)
#   RUNS=20 scripts/bench.sh
#   IDGUARD=path/to/idguard scripts/bench.sh   # skip the build
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-10}
WARMUP=${WARMUP:-3}
CORPUS=${CORPUS:-../shared/corpus}
SMALL_REL=azure-quickstart-templates/100-blank-template__azuredeploy.json
LARGEST_REL=bicep-registry-modules/avm__ptn__aca-lza__hosting-environment__main.json

if [ ! -d "$CORPUS" ]; then
  echo "bench.sh: corpus not found at $CORPUS (set CORPUS=DIR); nothing to measure" >&2
  exit 0
fi

if [ -z "${IDGUARD:-}" ]; then
  cargo build --release --locked -p idguard-cli >&2
  IDGUARD="${CARGO_TARGET_DIR:-target}/release/idguard"
fi
IDGUARD=$(realpath "$IDGUARD")

if ! command -v hyperfine >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "bench.sh: installing hyperfine" >&2
  (apt-get install -y -qq hyperfine >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq hyperfine >/dev/null 2>&1; }) || true
fi

SMALL="$CORPUS/$SMALL_REL"
LARGEST="$CORPUS/$LARGEST_REL"
[ -f "$LARGEST" ] || LARGEST=$(find "$CORPUS" -name '*.json' -type f -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2-)
[ -f "$SMALL" ] || SMALL=$(find "$CORPUS" -name '*.json' -type f -printf '%s %p\n' | sort -n | awk '$1 > 500 {print; exit}' | cut -d' ' -f2-)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A named file brings the JSON files of its directory along (parameter
# files, see docs/cli.md); the corpus keeps hundreds of files in one
# directory, so the single-template rows check a copy alone in a directory.
mkdir -p "$tmp/small" "$tmp/largest"
cp "$SMALL" "$tmp/small/"
cp "$LARGEST" "$tmp/largest/"
SMALL="$tmp/small/$(basename "$SMALL")"
LARGEST="$tmp/largest/$(basename "$LARGEST")"

CHECK="$IDGUARD check --fail-on never"
names=(
  "corpus, all cores"
  "corpus, --threads 1"
  "corpus, --threads 2"
  "cold start: --version"
  "cold start: one small template"
  "largest template (3.3 MB)"
)
cmds=(
  "$CHECK $CORPUS"
  "$CHECK --threads 1 $CORPUS"
  "$CHECK --threads 2 $CORPUS"
  "$IDGUARD --version"
  "$CHECK $SMALL"
  "$CHECK $LARGEST"
)

# One row: median wall, mean wall ± sd, mean user, mean sys (all ms).
measure() {
  local i=$1 cmd=$2
  if command -v hyperfine >/dev/null 2>&1; then
    hyperfine --style none --warmup "$WARMUP" --runs "$RUNS" -N \
      --export-json "$tmp/$i.json" "$cmd" >/dev/null 2>&1 ||
      hyperfine --style none --warmup "$WARMUP" --runs "$RUNS" \
        --export-json "$tmp/$i.json" "$cmd" >/dev/null
    python3 - "$tmp/$i.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
ms = lambda s: s * 1000
print(f"{ms(r['median']):.1f}\t{ms(r['mean']):.1f} ± {ms(r['stddev'] or 0):.1f}\t{ms(r['user']):.1f}\t{ms(r['system']):.1f}\t{len(r['times'])}")
EOF
  else
    local n
    for ((n = 0; n < WARMUP; n++)); do $cmd >/dev/null 2>&1 || true; done
    : >"$tmp/$i.txt"
    for ((n = 0; n < RUNS; n++)); do
      /usr/bin/time -f '%e %U %S' -a -o "$tmp/$i.txt" $cmd >/dev/null 2>&1 || true
    done
    sort -n "$tmp/$i.txt" | awk '
      { wall[NR] = $1 * 1000; w += $1 * 1000; ww += ($1 * 1000) ^ 2; u += $2 * 1000; s += $3 * 1000 }
      END {
        med = (NR % 2) ? wall[(NR + 1) / 2] : (wall[NR / 2] + wall[NR / 2 + 1]) / 2
        mean = w / NR; sd = sqrt((ww / NR - mean ^ 2) > 0 ? ww / NR - mean ^ 2 : 0)
        printf "%.1f\t%.1f ± %.1f\t%.1f\t%.1f\t%d\n", med, mean, sd, u / NR, s / NR, NR
      }'
  fi
}

tool=$(command -v hyperfine >/dev/null 2>&1 && hyperfine --version || echo "/usr/bin/time loop")
templates=$($IDGUARD check --fail-on never --format json "$CORPUS" 2>/dev/null |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["templates"])' 2>/dev/null || echo "?")
bytes=$(find "$CORPUS" -type f \( -name '*.json' -o -name '*.jsonc' \) -printf '%s\n' | awk '{s += $1} END {print s}')

echo
echo "idguard: $($IDGUARD --version)  ($IDGUARD)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "corpus: $CORPUS ($templates templates, $bytes bytes of JSON); timer: $tool; $RUNS runs per row after $WARMUP warm-up"
echo
printf '| %-32s | %12s | %18s | %10s | %9s | %4s |\n' "what" "median wall" "mean wall ± sd" "user CPU" "sys CPU" "runs"
printf '|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..34})" "$(printf -- '-%.0s' {1..14})" "$(printf -- '-%.0s' {1..20})" "$(printf -- '-%.0s' {1..12})" "$(printf -- '-%.0s' {1..11})" "------"
for i in "${!cmds[@]}"; do
  IFS=$'\t' read -r med mean user sys runs < <(measure "$i" "${cmds[$i]}")
  printf '| %-32s | %9s ms | %15s ms | %7s ms | %6s ms | %4s |\n' "${names[$i]}" "$med" "$mean" "$user" "$sys" "$runs"
done
echo
echo "commands:"
for i in "${!cmds[@]}"; do echo "  ${names[$i]}: ${cmds[$i]}"; done
