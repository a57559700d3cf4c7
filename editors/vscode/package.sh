#!/bin/sh
# Builds the VS Code extension as mtus-rules-VERSION.vsix in this folder:
# its dependencies from package-lock.json (`npm ci`), then `vsce package`
# (@vscode/vsce, pinned in devDependencies), which puts the runtime
# dependencies (vscode-languageclient, minimatch) in the package and leaves
# out what .vscodeignore lists (the tests, this script).
#
#   sh editors/vscode/package.sh          # from anywhere
#   code --install-extension editors/vscode/mtus-rules-0.2.0.vsix
#
# Needs node 20 or later and npm, and the npm registry.
set -eu
cd "$(dirname "$0")"
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "package.sh: \`$tool\` is not on the PATH (node 20 or later and npm are needed)" >&2; exit 1; }
done
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "package.sh: @vscode/vsce needs node 20 or later, found $(node --version)" >&2
  exit 1
fi
npm ci
# The project has no repository URL to give and no LICENSE file (its
# licence is in package.json); the README's links are left as written.
./node_modules/.bin/vsce package --allow-missing-repository --skip-license --no-rewrite-relative-links "$@"
