#!/bin/sh
# Instala o Recuperador Follow-ups na pasta do usuário (sem root): programas em ~/.local/bin,
# atalho no menu e ícones em ~/.local/share. Para remover: ./instalar.sh --remover
set -eu
cd "$(dirname "$0")"
prefix="${PREFIX:-$HOME/.local}"
app=recuperador-followups

if [ "${1:-}" = "--remover" ]; then
  rm -f "$prefix/bin/$app" "$prefix/bin/$app-cli" "$prefix/share/applications/$app.desktop"
  find "$prefix/share/icons/hicolor" -name "$app.png" -delete 2>/dev/null || true
  echo "Recuperador Follow-ups removido de $prefix."
  exit 0
fi

mkdir -p "$prefix/bin" "$prefix/share/applications"
cp bin/$app bin/$app-cli "$prefix/bin/"
# The menu entry names the program by its full path: ~/.local/bin is not on every PATH.
sed "s|^Exec=$app|Exec=$prefix/bin/$app|" share/applications/$app.desktop \
  >"$prefix/share/applications/$app.desktop"
cp -R share/icons "$prefix/share/"
# Menus pick up the new entry sooner with this, where the desktop has it. No icon cache is
# written: a cache in the user's hicolor folder would hide icons other apps add there later.
if command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database "$prefix/share/applications" 2>/dev/null || true
fi
echo "Recuperador Follow-ups instalado em $prefix. Procure \"Recuperador\" no menu de aplicativos."
