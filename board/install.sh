#!/usr/bin/env bash
# Installs AlertBox on a board: the binary, a board profile, the systemd unit and the udev
# rules, and a system user that owns the state directory.
#
#   sudo board/install.sh --profile rpi4-ec25 [--binary PATH] [--start]
#
# Run it from a checkout after `swift build -c release` (or give --binary). It never
# overwrites an existing /etc/alertbox/alertbox.toml, so rerunning it upgrades in place.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROFILE=""
BINARY="$HERE/../.build/release/alertbox"
START=0

fail() {
    echo "install.sh: $*" >&2
    exit 1
}

while [ $# -gt 0 ]; do
    case "$1" in
        --profile) PROFILE="${2:-}"; shift 2 ;;
        --binary) BINARY="${2:-}"; shift 2 ;;
        --start) START=1; shift ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) fail "unknown option $1; see --help" ;;
    esac
done

[ "$(id -u)" -eq 0 ] || fail "run as root (sudo), because it installs a system service"
[ -n "$PROFILE" ] || fail "name a board profile with --profile, one of: $(ls "$HERE/profiles" | sed 's/\.toml$//' | tr '\n' ' ')"
[ -f "$HERE/profiles/$PROFILE.toml" ] || fail "no board profile \"$PROFILE\" in $HERE/profiles; pick one listed there"
[ -x "$BINARY" ] || fail "no alertbox binary at $BINARY; run \`swift build -c release\` first or give --binary"

# The service user: no login, no home, in the groups that own the tty and the GPIO chips.
getent group gpio >/dev/null || groupadd --system gpio
getent passwd alertbox >/dev/null || useradd --system --user-group --no-create-home --shell /usr/sbin/nologin alertbox
usermod -a -G dialout,gpio alertbox

install -m 0755 "$BINARY" /usr/local/bin/alertbox
install -d -m 0755 /usr/local/share/alertbox/board
install -m 0644 "$HERE"/profiles/*.toml /usr/local/share/alertbox/board/
install -d -m 0755 /usr/local/share/doc/alertbox
install -m 0644 "$HERE/../README.md" "$HERE/../README.zh-CN.md" "$HERE/WIRING.md" "$HERE/WIRING.zh-CN.md" /usr/local/share/doc/alertbox/

# Configuration: written by root and readable by the alertbox group only (0640), because it
# names secret files and phone numbers and the service reads it through its group.
install -d -m 0750 -o root -g alertbox /etc/alertbox
if [ ! -e /etc/alertbox/alertbox.toml ]; then
    sed "s|^profile = .*|profile = \"/usr/local/share/alertbox/board/$PROFILE.toml\"|" "$HERE/alertbox.example.toml" \
        | install -m 0640 -o root -g alertbox /dev/stdin /etc/alertbox/alertbox.toml
    echo "wrote /etc/alertbox/alertbox.toml: edit it (box id, contacts, IM robots), then start the service"
else
    echo "kept the existing /etc/alertbox/alertbox.toml"
    # An older or hand-made file may be readable by everyone: warn about it, but leave it as it is.
    mode="$(stat -c %a /etc/alertbox/alertbox.toml)"
    if [ $((8#$mode & 8#027)) -ne 0 ]; then
        echo "install.sh: warning: /etc/alertbox/alertbox.toml has mode $mode; run chmod 0640 and chown root:alertbox on it" >&2
    fi
fi

# GPIO chips are root-only on plain Debian; Raspberry Pi OS already gives them to gpio.
cat >/etc/udev/rules.d/60-alertbox-gpio.rules <<'RULES'
SUBSYSTEM=="gpio", KERNEL=="gpiochip*", GROUP="gpio", MODE="0660"
RULES
install -m 0644 "$HERE/udev/61-alertbox-modem.rules" /etc/udev/rules.d/
udevadm control --reload
udevadm trigger --subsystem-match=tty --subsystem-match=gpio --action=change

install -m 0644 "$HERE/systemd/alertbox.service" /etc/systemd/system/alertbox.service
systemctl daemon-reload
systemctl enable alertbox.service
if [ "$START" -eq 1 ]; then
    systemctl restart alertbox.service
    echo "started; follow it with: journalctl -u alertbox -f"
else
    echo "installed; start it with: systemctl start alertbox (then journalctl -u alertbox -f)"
fi
