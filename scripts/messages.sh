#!/usr/bin/env bash
# Refreshes every app's zh_Hans catalogue from the code and compiles it.
# Usage: bash scripts/messages.sh [app ...]   (default: every app with translatable text)
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=supportdesk.config.test_settings
apps=${*:-$(cd supportdesk && ls -d */ | tr -d / | grep -v -E '^(config|__pycache__)$')}
for app in $apps; do
  ( cd "supportdesk/$app" && mkdir -p locale && ../../.venv/bin/django-admin makemessages -l zh_Hans --no-location -v0 )
  ( cd "supportdesk/$app" && ../../.venv/bin/django-admin compilemessages -l zh_Hans -v0 )
done
