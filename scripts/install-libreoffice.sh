#!/usr/bin/env bash
# The report tests that recalculate the DfE workbook and open the Word documents drive Debian's
# LibreOffice (headless, no GUI), never a downloaded office suite.
set -euo pipefail
if command -v soffice >/dev/null 2>&1; then
  exit 0
fi
echo "Installing LibreOffice (Calc and Writer, headless) for the report tests…"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  libreoffice-calc-nogui libreoffice-writer-nogui
