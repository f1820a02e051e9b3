#!/bin/sh
# npm run format: biome over the TS/JS (biome.jsonc says which files), then clang-format over native/.
# Biome 2.6.9 settles a few long call chains only on a second pass (src/config/schema.ts's
# `z.string().regex(...)`), so it runs twice: `npm run lint` then passes on what this wrote.
set -eu
cd "$(dirname "$0")/.."
npx biome format --write
npx biome format --write
sh scripts/format-c.sh
