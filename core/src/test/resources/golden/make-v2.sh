#!/usr/bin/env bash
# Writes the golden fixtures of format 2 (core/src/test/resources/golden/v2): a dataset and one small trained
# checkpoint of each model kind, as lmpipe writes them today. Run from the repository root, once per format
# change that is meant to be kept readable; then record the checkpoints' predictions with
#   mvn -B -pl core test -Dtest=GoldenFormatTest -Dlmpipe.golden.write=true   (writes expected-*.json, then fails)
# and run the test again without the switch before committing.
set -euo pipefail
root="$(pwd)"
golden="$root/core/src/test/resources/golden/v2"
# A fixed folder, so that the paths the fixtures record (provenance) do not change from one rewrite to the next.
work=/tmp/lmpipe-golden-v2
rm -rf "$work" && mkdir -p "$work"

head -c 12000 data-samples/sample.txt > "$work/text.txt"
rm -rf "$golden" && mkdir -p "$golden"
./lmpipe tokenize "$work/text.txt" -o "$work/dataset" --set blockBytes=512 --set shardTokens=4096 \
  --set validationFraction=0.1 --set testFraction=0.1

common=(-d "$work/dataset" --set epochs=1 --set batchSize=8 --set seqLen=16 --set tbptt=16 --set report=false)
./lmpipe train -c conf/train-lstm.conf -o "$work/lstm" "${common[@]}" \
  --set model.embedding=8 --set model.hidden=16 --set model.layers=2 --set model.dropout=0.1
./lmpipe train -c conf/train-transformer.conf -o "$work/gpt" "${common[@]}" \
  --set model.embedding=16 --set model.heads=2 --set model.layers=2 --set model.block=16 --set model.dropout=0.1
./lmpipe train -c conf/train-mlp.conf -o "$work/mlp" "${common[@]}" \
  --set model.embedding=8 --set model.context=4 --set model.hidden=16 --set model.block=16 --set model.dropout=0.1

cp -r "$work/dataset" "$golden/dataset"
for kind in lstm gpt mlp; do
  cp -r "$work/$kind/checkpoints/$(cat "$work/$kind/latest")" "$golden/$kind"
done
# The fixtures keep no trace of this machine's temporary folder.
find "$golden" -name '*.crc' -delete
ls -R "$golden"
