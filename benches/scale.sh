#!/usr/bin/env bash
# The scale benchmark: wall time and peak memory of `rota plan --format json`, `rota check`
# and `rota export` over one year for generated organisations of 100 and 1,000 teams, on the
# release build. See the README's Scale section.
#
#   benches/scale.sh                 # 100 and 1,000 teams, best of 3 runs each
#   benches/scale.sh --python        # also the same team feed with Python's icalendar (~70 s)
#   benches/scale.sh --teams "100" --runs 5 --out-dir target/bench   # feeds on disk, synced
set -euo pipefail
trap 'echo "benches/scale.sh: failed at line $LINENO" >&2' ERR

usage() {
    cat <<'EOF'
usage: benches/scale.sh [--teams "100 1000"] [--runs 3] [--python] [--out-dir DIR] [--keep]

  --teams "N ..."  organisation sizes to measure (default "100 1000")
  --runs N         runs per measurement; the fastest is reported (default 3)
  --python         also time the team feed written with Python's icalendar at 100 teams
                   (about a minute; installs the package with pip if it is missing)
  --out-dir DIR    where configs, plans and exported feeds go (default /dev/shm/rota-bench,
                   in memory, where /dev/shm is a tmpfs with 8 GB free; else target/bench).
                   On disk, export's time includes syncing 1.6 GB to the device at 1,000 teams
  --keep           keep DIR afterwards
EOF
}

TEAMS="100 1000"
RUNS=3
PYTHON=0
KEEP=0
OUT=""
while [ $# -gt 0 ]; do
    case "$1" in
        --teams) TEAMS="$2"; shift 2 ;;
        --runs) RUNS="$2"; shift 2 ;;
        --python) PYTHON=1; shift ;;
        --out-dir) OUT="$2"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done

cd "$(dirname "$0")/.."
# By default the feeds go to memory: export syncs what it writes, and on disk its time would
# be the device's more than rota's (1.6 GB at 1,000 teams takes seconds to sync on most disks).
if [ -z "$OUT" ]; then
    OUT=target/bench
    if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] &&
        [ "$(df -P -k /dev/shm | awk 'NR == 2 {print $4}')" -gt $((8 * 1024 * 1024)) ]; then
        OUT=/dev/shm/rota-bench
    fi
fi
FROM=2027-01-01
TO=2028-01-01

say() { echo "== $*" >&2; }

# GNU time reports the peak resident memory (%M) of the measured process.
if ! /usr/bin/time -f '%e' true >/dev/null 2>&1; then
    say "GNU time (/usr/bin/time) is missing; installing the Debian package \`time\`"
    if [ "$(id -u)" = 0 ]; then
        apt-get install -y -qq time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
    else
        sudo apt-get install -y -qq time >/dev/null
    fi
fi
command -v cargo >/dev/null || { echo "cargo is needed to build rota" >&2; exit 1; }
if [ "$PYTHON" = 1 ]; then
    command -v python3 >/dev/null || { echo "--python needs python3" >&2; exit 1; }
    if ! python3 -c 'import icalendar' 2>/dev/null; then
        say "Python's icalendar is missing; installing it with pip"
        python3 -m pip install --quiet icalendar
    fi
fi

say "building the release binary and the generator"
cargo build --release --quiet --bin rota --example gen_org
ROTA="$PWD/target/release/rota"
GEN="$PWD/target/release/examples/gen_org"

rm -rf "$OUT"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
[ "$KEEP" = 1 ] || trap 'rm -rf "$OUT"' EXIT

# measure NAME CMD...: runs CMD $RUNS times; sets WALL (fastest run, s), PEAK_MB (largest
# peak RSS over the runs) and STATUS (exit code of the last run). Output goes to $OUT/NAME.out
# and $OUT/NAME.err; `{run}` in an argument is replaced by the run's number.
measure() {
    local name="$1"
    shift
    WALL=""
    PEAK_MB=0
    for run in $(seq "$RUNS"); do
        local args=()
        for a in "$@"; do args+=("${a//\{run\}/$run}"); done
        STATUS=0
        # Each run starts with nothing of the previous one still waiting to reach the disk.
        sync
        /usr/bin/time -f '%e %M' -o "$OUT/$name.time" "${args[@]}" \
            >"$OUT/$name.out" 2>"$OUT/$name.err" || STATUS=$?
        local wall kb
        read -r wall kb < <(tail -n 1 "$OUT/$name.time")
        if [ -z "$WALL" ] || awk "BEGIN{exit !($wall < $WALL)}"; then WALL="$wall"; fi
        local mb=$((kb / 1024))
        if [ "$mb" -gt "$PEAK_MB" ]; then PEAK_MB="$mb"; fi
        # In memory (tmpfs), a later run's feeds go once measured (the first run's stay: later
        # rows read them). Kept, each run would write into memory new to the machine, which in
        # a virtual machine costs the host more kernel time than the writing itself, and grows
        # from run to run: that would measure the host, not rota.
        if [ -n "${DROP:-}" ] && [ "$run" -gt 1 ] && [ "$IN_MEMORY" = 1 ]; then
            rm -rf "${DROP//\{run\}/$run}"
        fi
    done
}

IN_MEMORY=0
[ "$(stat -f -c %T "$OUT")" = tmpfs ] && IN_MEMORY=1

ROWS=()
declare -A TIME_OF MEM_OF
row() { # teams shifts command seconds megabytes verdict
    ROWS+=("$(printf '| %s | %s | %s | %s | %s | %s |' "$1" "$2" "$3" "${4:+$4 s}" "${5:+$5 MB}" "$6")")
}

verdict() { # wall mb teams
    local wall="$1" mb="$2" teams="$3"
    if [ "$teams" = 100 ]; then
        awk "BEGIN{exit !($wall < 0.5 && $mb < 200)}" && echo "ok (< 0.5 s, < 200 MB)" || echo "MISSED (< 0.5 s, < 200 MB)"
    elif [ "$teams" = 1000 ]; then
        awk "BEGIN{exit !($wall < 5)}" && echo "ok (< 5 s)" || echo "MISSED (< 5 s)"
    else
        echo ""
    fi
}

for n in $TEAMS; do
    config="$OUT/org-$n.toml"
    "$GEN" --teams "$n" >"$config"
    "$ROTA" --config "$config" validate >&2
    shifts=$("$ROTA" --config "$config" plan --from $FROM --to $TO --format csv | tail -n +2 | wc -l)
    say "$n teams: $shifts shifts in $FROM..$TO"

    measure "plan-$n" "$ROTA" --config "$config" plan --from $FROM --to $TO --format json
    [ "$STATUS" = 0 ] || { cat "$OUT/plan-$n.err" >&2; exit 1; }
    row "$n" "$shifts" "plan --format json" "$WALL" "$PEAK_MB" "$(verdict "$WALL" "$PEAK_MB" "$n")"
    TIME_OF[plan-$n]=$WALL MEM_OF[plan-$n]=$PEAK_MB

    measure "check-$n" "$ROTA" --config "$config" check --from $FROM --to $TO
    if grep -q "not built yet" "$OUT/check-$n.err"; then
        row "$n" "$shifts" "check" "" "" "not available in this build"
    elif [ "$STATUS" -le 1 ]; then # 1: it found gaps or conflicts, which generated orgs have
        row "$n" "$shifts" "check" "$WALL" "$PEAK_MB" "$(verdict "$WALL" "$PEAK_MB" "$n")"
        TIME_OF[check-$n]=$WALL MEM_OF[check-$n]=$PEAK_MB
    else
        cat "$OUT/check-$n.err" >&2
        exit 1
    fi

    # A fresh folder for every run, and no folder deleted until the end: creating files
    # soon after thousands were deleted is slow on some file systems (ext4 without a journal
    # searches past every recently freed inode), which would measure the file system, not rota.
    DROP="$OUT/feeds-$n-{run}" measure "export-$n" "$ROTA" --config "$config" export --from $FROM --to $TO --out "$OUT/feeds-$n-{run}"
    [ "$STATUS" = 0 ] || { cat "$OUT/export-$n.err" >&2; exit 1; }
    row "$n" "$shifts" "export ($(ls "$OUT/feeds-$n-1" | wc -l) files, $(du -sm "$OUT/feeds-$n-1" | cut -f1) MB)" \
        "$WALL" "$PEAK_MB" "$(verdict "$WALL" "$PEAK_MB" "$n")"
    TIME_OF[export-$n]=$WALL MEM_OF[export-$n]=$PEAK_MB
done

# A published year: `rota publish` of the year into a fresh rotation.lock (one folder per run),
# then plan, check and export planning from config and lock.
published_verdict() { # wall mb teams [publish]
    local wall="$1" mb="$2" teams="$3" limit
    if [ -n "${4:-}" ]; then limit=1; elif [ "$teams" = 100 ]; then limit=0.5; elif [ "$teams" = 1000 ]; then limit=2; else echo ""; return; fi
    awk "BEGIN{exit !($wall < $limit && $mb < 512)}" && echo "ok (< $limit s, < 512 MB)" || echo "MISSED (< $limit s, < 512 MB)"
}
for n in $TEAMS; do
    for run in $(seq "$RUNS"); do
        mkdir -p "$OUT/pub-$n-$run"
        cp "$OUT/org-$n.toml" "$OUT/pub-$n-$run/rotation.toml"
    done
    measure "publish-$n" "$ROTA" --config "$OUT/pub-$n-{run}/rotation.toml" publish --through 2027-12-31
    [ "$STATUS" = 0 ] || { cat "$OUT/publish-$n.err" >&2; exit 1; }
    turns=$(grep -c '^turn ' "$OUT/pub-$n-1/rotation.lock")
    row "$n, published" "$turns turns" "publish --through 2027-12-31" "$WALL" "$PEAK_MB" "$(published_verdict "$WALL" "$PEAK_MB" "$n" publish)"
    locked="$OUT/pub-$n-1/rotation.toml"
    measure "plan-pub-$n" "$ROTA" --config "$locked" plan --from $FROM --to $TO --format json
    [ "$STATUS" = 0 ] || { cat "$OUT/plan-pub-$n.err" >&2; exit 1; }
    row "$n, published" "" "plan --format json" "$WALL" "$PEAK_MB" "$(published_verdict "$WALL" "$PEAK_MB" "$n")"
    measure "check-pub-$n" "$ROTA" --config "$locked" check --from $FROM --to $TO
    [ "$STATUS" -le 1 ] || { cat "$OUT/check-pub-$n.err" >&2; exit 1; }
    row "$n, published" "" "check" "$WALL" "$PEAK_MB" "$(published_verdict "$WALL" "$PEAK_MB" "$n")"
    DROP="$OUT/feeds-pub-$n-{run}" measure "export-pub-$n" "$ROTA" --config "$locked" export --from $FROM --to $TO --out "$OUT/feeds-pub-$n-{run}"
    [ "$STATUS" = 0 ] || { cat "$OUT/export-pub-$n.err" >&2; exit 1; }
    row "$n, published" "" "export" "$WALL" "$PEAK_MB" "$(published_verdict "$WALL" "$PEAK_MB" "$n")"
    if [ "$IN_MEMORY" = 1 ]; then
        # For reference, the same export to the repository's disk: a fresh folder each run,
        # all removed at the end (see the ext4 note above).
        disk="$PWD/target/bench-disk-$n"
        rm -rf "$disk"
        mkdir -p "$disk"
        measure "export-disk-$n" "$ROTA" --config "$locked" export --from $FROM --to $TO --out "$disk/feeds-{run}"
        rm -rf "$disk"
        if [ "$STATUS" = 0 ]; then
            row "$n, published" "" "export to disk, synced" "$WALL" "$PEAK_MB" "for reference: the device's writing and syncing included"
        else # a full disk, say: the row is for reference, the rest of the run stands
            row "$n, published" "" "export to disk, synced" "" "" "not measured: $(head -n 1 "$OUT/export-disk-$n.err")"
        fi
    fi
    # Again into the folder of the first run: every feed is read back, compared and kept,
    # and the previous team feed gives each event its revision.
    measure "reexport-pub-$n" "$ROTA" --config "$locked" export --from $FROM --to $TO --out "$OUT/feeds-pub-$n-1"
    [ "$STATUS" = 0 ] || { cat "$OUT/reexport-pub-$n.err" >&2; exit 1; }
    row "$n, published" "" "export again, nothing changed" "$WALL" "$PEAK_MB" "$(published_verdict "$WALL" "$PEAK_MB" "$n")"
done

# The plan replays turns from team.start: the same organisation started four years earlier.
first=${TEAMS%% *}
"$GEN" --teams "$first" --start 2023-01-01 >"$OUT/org-$first-2023.toml"
shifts=$("$ROTA" --config "$OUT/org-$first-2023.toml" plan --from $FROM --to $TO --format csv | tail -n +2 | wc -l)
measure "replay-$first" "$ROTA" --config "$OUT/org-$first-2023.toml" plan --from $FROM --to $TO --format json
row "$first, start 2023" "$shifts" "plan --format json" "$WALL" "$PEAK_MB" "turns replayed from 2023"

echo
where="on disk ($OUT; export's times include syncing its files)"
[ "$IN_MEMORY" = 1 ] && where="in memory ($OUT, a tmpfs)"
echo "rota $("$ROTA" --version | cut -d' ' -f2), $(nproc) cores, $FROM..$TO, best of $RUNS runs, feeds $where"
echo
echo "| teams | shifts | command | wall time | peak memory | target |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"

if [[ " $TEAMS " == *" 100 "* && " $TEAMS " == *" 1000 "* ]]; then
    echo
    echo "Growth from 100 to 1,000 teams (10x the shifts):"
    for cmd in plan check export; do
        [ -n "${TIME_OF[$cmd-100]:-}" ] && [ -n "${TIME_OF[$cmd-1000]:-}" ] || continue
        awk -v c="$cmd" -v t1="${TIME_OF[$cmd-100]}" -v t2="${TIME_OF[$cmd-1000]}" \
            -v m1="${MEM_OF[$cmd-100]}" -v m2="${MEM_OF[$cmd-1000]}" \
            'BEGIN{printf "- %s: time x%.1f, memory x%.1f\n", c, (t1 > 0 ? t2/t1 : 0), (m1 > 0 ? m2/m1 : 0)}'
    done
fi

if [ "$PYTHON" = 1 ]; then
    say "the team feed of 100 teams with Python's icalendar (about a minute)"
    [ -f "$OUT/org-100.toml" ] || "$GEN" --teams 100 >"$OUT/org-100.toml"
    "$ROTA" --config "$OUT/org-100.toml" plan --from $FROM --to $TO --format json >"$OUT/plan-100.json"
    /usr/bin/time -f '%e %M' -o "$OUT/py.time" \
        python3 benches/py_team_feed.py "$OUT/plan-100.json" "$OUT/py-team.ics" >"$OUT/py.out"
    py_seconds=$(sed -n 's/.*feed_seconds=\([0-9.]*\).*/\1/p' "$OUT/py.out")
    py_mb=$(($(cut -d' ' -f2 "$OUT/py.time") / 1024))
    if [ -z "${TIME_OF[export-100]:-}" ]; then
        measure "export-100" "$ROTA" --config "$OUT/org-100.toml" export --from $FROM --to $TO --out "$OUT/feeds-100-{run}"
        TIME_OF[export-100]=$WALL MEM_OF[export-100]=$PEAK_MB
    fi
    echo
    echo "Python icalendar, the team feed alone at 100 teams: ${py_seconds} s building and writing," \
        "${py_mb} MB peak; rota export (every feed): ${TIME_OF[export-100]} s, ${MEM_OF[export-100]} MB."
    awk -v p="$py_seconds" -v r="${TIME_OF[export-100]}" -v pm="$py_mb" -v rm="${MEM_OF[export-100]}" \
        'BEGIN{printf "rota is %.0fx faster and needs %.0fx less memory.\n", p/r, pm/rm}'
fi
