#!/usr/bin/env bash
# Make sure the Debian/Ubuntu packages Desk needs are present.
#   packaging/system-deps.sh app    libraries Qt needs to open a window
#   packaging/system-deps.sh test   the same, plus Xvfb, poppler-utils and gettext (receipt PDFs),
#                                   dovecot (IMAP) for the e-mail tests and a Request Tracker 5
#                                   for the sync tests
# Installs what is missing when run as root (or with password-less sudo); otherwise prints the
# exact command to run and stops.
set -euo pipefail
want=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
      libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0
      libxcb-render-util0 libxcb-image0 fonts-dejavu-core
      fonts-noto-cjk)  # Hangul (and other CJK text) instead of empty boxes
if [ "${1:-app}" = test ]; then
  want+=(xvfb xauth)
  # The receipt test turns the PDF it renders into an image and text to check it (pdftoppm,
  # pdftotext), and compiles the Korean catalog it prints in (msgfmt).
  want+=(poppler-utils gettext)
  # The e-mail tests start their own dovecot on a loopback port (tests/mail/servers.py).
  want+=(dovecot-imapd)
  # The sync tests run against a real RT 5; outside CI they are skipped when it is missing.
  if [ "${CI:-}" = true ] || [ "${DESK_WITH_RT:-}" = 1 ]; then want+=(request-tracker5 rt5-db-sqlite starlet); fi
fi
if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-deps: not a Debian-like system; install Qt 6's runtime libraries (EGL, xkbcommon, fontconfig) yourself." >&2
  exit 0
fi
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" = 0 ]; then
  echo "system-deps: installing ${missing[*]}" >&2
  sh -c "$cmd" >&2
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo sh -c "$cmd" >&2
else
  echo "system-deps: missing Debian packages. Run this once, then repeat your make command:" >&2
  echo "  sudo sh -c '$cmd'" >&2
  exit 1
fi
