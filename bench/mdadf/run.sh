#!/bin/sh
# Markdown -> ADF throughput, atlassian-mcp's adf package against the Node
# library marklassian, on the same corpus in the same run.
#
# The corpus is gathered at run time, never committed: the README.md files
# shipped inside the npm packages listed in package.json (under 64 KiB each,
# the first 150 by path). Needs node and npm; uses the npm registry only.
#
#   bench/mdadf/run.sh            # both figures and the ratio
#   KEEP=1 bench/mdadf/run.sh     # keep the temp dir (prints its path)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$work"' EXIT; else echo "work dir: $work"; fi

cp "$here/package.json" "$here/marklassian.js" "$work/"
(cd "$work" && npm install --no-audit --no-fund --silent >/dev/null)

mkdir "$work/corpus"
i=0
(cd "$work" && find node_modules -iname readme.md -size -64k | LC_ALL=C sort | head -150) |
while read -r f; do
	i=$((i + 1))
	cp "$work/$f" "$work/corpus/$(printf %03d "$i").md"
done
echo "corpus: $(ls "$work/corpus" | wc -l) READMEs, $(cat "$work"/corpus/*.md | wc -c) bytes"

node_line=$(cd "$work" && node marklassian.js corpus)
echo "$node_line"
node_mbs=$(echo "$node_line" | sed -n 's/.*median \([0-9.]*\) MB\/s.*/\1/p')
node_cpu=$(echo "$node_line" | sed -n 's/.* \([0-9.]*\) cpu-MB\/s.*/\1/p')

go_out=$(cd "$repo" && MDADF_CORPUS="$work/corpus" go test ./adf -run '^$' \
	-bench '^BenchmarkFromMarkdownCorpus(Goldmark)?$' -benchmem -count 5)
echo "$go_out" | grep '^Benchmark'
# median of a unit's values for one benchmark
med() {
	echo "$go_out" | awk -v name="$1" -v unit="$2" '$1 ~ "^"name"-" {for (i = 1; i < NF; i++) if ($(i+1) == unit) print $i}' |
		sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'
}
go_mbs=$(med BenchmarkFromMarkdownCorpus MB/s)
go_cpu=$(med BenchmarkFromMarkdownCorpus cpu-MB/s)
gm_cpu=$(med BenchmarkFromMarkdownCorpusGoldmark cpu-MB/s)
echo "adf MarkdownToJSON: median $go_mbs MB/s, $go_cpu cpu-MB/s (goldmark path alone: $gm_cpu cpu-MB/s)"
awk -v g="$go_mbs" -v n="$node_mbs" -v gc="$go_cpu" -v nc="$node_cpu" 'BEGIN {
	printf "ratio adf / marklassian: %.2fx wall, %.2fx cpu\n", g / n, gc / nc }'
