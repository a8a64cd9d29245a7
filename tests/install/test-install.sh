#!/usr/bin/env bash
# Install tests: `meson install --destdir` into a temporary root, then one check of what landed there.
#
# Usage: test-install.sh CHECK MESON SOURCE_ROOT BUILD_ROOT PREFIX SYSCONFDIR [ARGS...]
#   files EXPECTED.txt   exactly the files in EXPECTED.txt are installed
#                        (@prefix@ and @sysconfdir@ stand for the configured ones)
#   unit                 gaitmond.service passes systemd-analyze verify with nothing
#                        on stderr, and scores <= 1.5 in systemd-analyze security,
#                        alone and with the remote-iiod example drop-in
#   system               sysusers.d makes user and group gaitmon without a login,
#                        tmpfiles.d makes /var/lib/gaitmon 0750 gaitmon:gaitmon, and
#                        the udev rule's RUN command, on the IMU tree the local:
#                        tests serve gaitmond (tests/iio), opens exactly the
#                        attributes gaitmond writes to group gaitmon
#   man                  every installed program answers --version; every installed
#                        page renders without warnings and names every long
#                        option of its program's --help; gaitmon.conf(5)
#                        names every section and key of the installed gaitmon.conf
#   paths                every file installed by this build and by a fresh one with
#                        --prefix=/usr lies where the system reads it (the bus's
#                        include dirs, systemd's unit paths, sysusers.d and
#                        tmpfiles.d as the tools list them, XDG dirs, PATH,
#                        manpath), and gaitmond, its --help and its man pages name
#                        the one configuration file /etc/gaitmon/gaitmon.conf
#   notify               `systemctl --global preset` on the installed tree enables
#                        gaitmon-notify.service in every user's default.target
#   package EXPECTED.txt `tools/run package DIR` builds the .deb; lintian
#                        reports no error; its files are EXPECTED.txt's (prefix /usr,
#                        unit where systemd.pc says, man pages gzipped, Debian's
#                        changelog and copyright); dpkg installs it into a scratch
#                        root running its maintainer scripts (DPKG_ROOT): user,
#                        state directory, gaitmond enabled, and purges it cleanly;
#                        apt-get installs it on a fresh Debian of this release
#                        (mmdebstrap, this machine's apt sources), where the
#                        user, state directory, enabled units, systemd-analyze
#                        verify, --check-config and every program's --version
#                        are checked, and apt-get purge leaves no file
set -euo pipefail

check=$1 meson=$2 source=$3 build=$4 prefix=$5 sysconfdir=$6
shift 6

# shellcheck source=../lib/gmtest.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/gmtest.sh"

tmp=$(mktemp -d)
created_group=no
cleanup() {
        if [ $created_group = yes ]; then
                groupdel gaitmon 2>/dev/null || true
        fi
        rm -rf "$tmp"
}
gm_on_exit cleanup

root=$tmp/root
[ "$check" = package ] ||
"$meson" install -C "$build" --destdir "$root" --no-rebuild --quiet >"$tmp/install.log" 2>&1 ||
        { cat "$tmp/install.log" >&2; die "meson install failed"; }

case $check in
files)
        expected=$1
        sed -e '/^#/d' -e '/^$/d' -e "s|@prefix@|$prefix|g" -e "s|@sysconfdir@|$sysconfdir|g" \
                "$expected" | sort > "$tmp/expected"
        (cd "$root" && find . \( -type f -o -type l -o -type d -empty \) | sed 's|^\.||' | sort) \
                > "$tmp/installed"
        if diff -u "$tmp/expected" "$tmp/installed"; then
                ok "$(wc -l < "$tmp/installed") files installed, as listed in $(basename "$expected")"
        else
                die "installed files differ from $(basename "$expected") (- expected, + installed)"
        fi
        [ -d "$root$sysconfdir/gaitmon/gaitmon.conf.d" ] || die "gaitmon.conf.d is not a directory"
        ;;

unit)
        unit=$root$prefix/lib/systemd/system/gaitmond.service
        [ -f "$unit" ] || die "gaitmond.service is not installed in $prefix/lib/systemd/system"
        exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
        [ "$exec_start" = "$prefix/sbin/gaitmond" ] && ok "ExecStart=$exec_start" ||
                fail "ExecStart=$exec_start, expected $prefix/sbin/gaitmond"
        [ -x "$root$exec_start" ] || die "$exec_start is not installed"
        # verify wants the binary to exist: point ExecStart at the installed copy.
        mkdir -p "$tmp/units"
        sed "s|^ExecStart=|ExecStart=$root|" "$unit" > "$tmp/units/gaitmond.service"
        dropin=$root$prefix/share/doc/gaitmon/examples/gaitmond.service.d/remote-iiod.conf
        [ -f "$dropin" ] || die "the remote-iiod drop-in example is not installed"

        analyze() { # analyze LABEL: verify and score the unit in $tmp/units as it is now
                local rc=0
                (cd "$tmp" && systemd-analyze verify --man=no "$tmp/units/gaitmond.service") \
                        >"$tmp/verify.out" 2>"$tmp/verify.err" || rc=$?
                if [ $rc -eq 0 ] && [ ! -s "$tmp/verify.err" ]; then
                        ok "$1: systemd-analyze verify --man=no: exit 0, nothing on stderr"
                else
                        fail "$1: systemd-analyze verify exit $rc: $(cat "$tmp/verify.out" "$tmp/verify.err")"
                fi
                rc=0
                systemd-analyze security --offline=true --no-pager "$tmp/units/gaitmond.service" \
                        >"$tmp/security.out" 2>&1 || rc=$?
                local score
                score=$(sed -n 's/.*Overall exposure level for gaitmond\.service: \([0-9.]*\).*/\1/p' \
                        "$tmp/security.out")
                if [ $rc -ne 0 ] || [ -z "$score" ]; then
                        fail "$1: systemd-analyze security exit $rc: $(cat "$tmp/security.out")"
                elif awk -v s="$score" 'BEGIN { exit !(s <= 1.5) }'; then
                        ok "$1: systemd-analyze security --offline=true: exposure $score (<= 1.5)"
                else
                        grep '✗' "$tmp/security.out" >&2 || true
                        fail "$1: exposure $score is above 1.5"
                fi
        }
        analyze "gaitmond.service"
        mkdir -p "$tmp/units/gaitmond.service.d"
        cp "$dropin" "$tmp/units/gaitmond.service.d/"
        analyze "with remote-iiod.conf"
        grep -q 'RestrictAddressFamilies=~AF_(INET|INET6).*✗\|✗ RestrictAddressFamilies=~AF_(INET|INET6)' \
                "$tmp/security.out" && ok "the drop-in opens AF_INET/AF_INET6" ||
                fail "the drop-in did not take effect: $(grep 'AF_(INET' "$tmp/security.out")"
        ;;

system)
        [ "$(id -u)" -eq 0 ] || die "must run as root: chgrp to group gaitmon"
        sysroot=$tmp/sysroot
        mkdir -p "$sysroot/etc"
        systemd-sysusers --root="$sysroot" "$root$prefix/lib/sysusers.d/gaitmon.conf" \
                >"$tmp/sysusers.log" 2>&1 || { cat "$tmp/sysusers.log" >&2; die "systemd-sysusers failed"; }
        IFS=: read -r name _ uid gid _ home shell < <(grep '^gaitmon:' "$sysroot/etc/passwd") ||
                die "sysusers.d made no user gaitmon"
        group_gid=$(awk -F: '$1 == "gaitmon" { print $3 }' "$sysroot/etc/group")
        [ "$gid" = "$group_gid" ] && ok "user gaitmon ($uid) in its own group gaitmon ($gid)" ||
                fail "user gaitmon has gid $gid, group gaitmon is '$group_gid'"
        [ "$uid" -lt 1000 ] && ok "gaitmon is a system user" || fail "uid $uid is not a system uid"
        [ "$shell" = /usr/sbin/nologin ] && ok "no login shell" || fail "shell is $shell"
        [ "$home" = /var/lib/gaitmon ] || fail "home is $home"

        systemd-tmpfiles --root="$sysroot" --create "$root$prefix/lib/tmpfiles.d/gaitmon.conf" \
                >"$tmp/tmpfiles.log" 2>&1 || { cat "$tmp/tmpfiles.log" >&2; die "systemd-tmpfiles failed"; }
        st=$(stat -c '%a %u %g' "$sysroot/var/lib/gaitmon") || die "tmpfiles.d made no /var/lib/gaitmon"
        [ "$st" = "750 $uid $gid" ] && ok "/var/lib/gaitmon is 0750 gaitmon:gaitmon" ||
                fail "/var/lib/gaitmon is '$st', expected '750 $uid $gid'"

        # The udev rule: matches IIO devices by their channels, hands the node to the
        # group, starts the service, and its RUN command opens the written attributes.
        rules=$root$prefix/lib/udev/rules.d/70-gaitmon.rules
        [ -f "$rules" ] || die "70-gaitmon.rules is not installed"
        grep -q '^GROUP="gaitmon", MODE="0660"' "$rules" || fail "the rule does not set GROUP/MODE"
        grep -q 'TAG+="systemd", ENV{SYSTEMD_WANTS}+="gaitmond.service"' "$rules" ||
                fail "the rule does not start gaitmond.service"
        if ! getent group gaitmon >/dev/null; then
                groupadd --system gaitmon || die "cannot create group gaitmon"
                created_group=yes
        fi
        # The device tree of the local: tests (tests/iio, what umockdev serves gaitmond).
        dev=$(/usr/bin/python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import umockdev_imus as u
print(u.write_tree(sys.argv[2], 0))' "$source/tests/iio" "$tmp") || die "cannot write the IMU's sysfs tree"
        [ -f "$dev/scan_elements/in_accel_x_en" ] || die "no IMU tree at $dev"
        # The rule takes it for an IMU by one of its TEST== attributes.
        matched=
        for t in $(sed -n 's/^TEST=="\([^"]*\)", GOTO="gaitmon_imu"$/\1/p' "$rules"); do
                [ -e "$dev/$t" ] && matched="$matched $t"
        done
        [ -n "$matched" ] && ok "the rule's TEST== takes the tree for an IMU:$matched" ||
                fail "none of the rule's TEST== attributes is in the IMU's tree"
        run=$(sed -n 's/^RUN+="\(.*\)"$/\1/p' "$rules")
        [ -n "$run" ] || die "no RUN+= in the rule"
        # udev substitutes %p (the device path under /sys) and $$ (a dollar).
        run=${run//\/sys%p/$dev}
        run=${run//\$\$/\$}
        eval "$run" || fail "the RUN command failed"
        opened=0 kept=0
        while read -r f; do
                st=$(stat -c '%a %G' "$dev/$f")
                case $f in
                # What gaitmond (libiio) writes: rate, buffer, scan element enables, trigger.
                sampling_frequency|in_*_sampling_frequency|buffer/enable|buffer/length|buffer/watermark|\
                scan_elements/*_en|trigger/current_trigger)
                        opened=$((opened + 1))
                        [ "$st" = "664 gaitmon" ] || fail "$f is '$st' after RUN, expected '664 gaitmon'" ;;
                *)
                        kept=$((kept + 1))
                        [ "$st" = "644 root" ] || fail "$f changed to '$st'; RUN must leave it alone" ;;
                esac
        done < <(cd "$dev" && find . -type f | sed 's|^\./||' | sort)
        [ $opened -eq 12 ] || fail "the tree has $opened attributes gaitmond writes, expected 12"
        [ "$GM_FAILURES" -eq 0 ] && ok "RUN opens the $opened written attributes of an LSM6DSx-class IMU to group gaitmon and leaves its $kept others alone"
        ;;

man)
        mandir=$root$prefix/share/man
        command -v man >/dev/null || die "man (man-db) is missing"
        pages=$(cd "$mandir" && find . -type f | sort)
        [ -n "$pages" ] || die "no man pages installed"
        for page in $pages; do
                warn=$(MANWIDTH=80 man --warnings -l "$mandir/$page" 2>&1 >/dev/null) || true
                [ -z "$warn" ] && ok "$page renders without warnings" || fail "$page: $warn"
        done
        # Every program answers --version, and its long options, as its installed
        # --help prints them, are in its page.
        version=$("$meson" introspect --projectinfo "$build" |
                python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')
        for prog in bin/gaitmon-analyze bin/gaitmon-synth bin/gaitmon-sim bin/gaitmonctl \
                    bin/gaitmon-notify sbin/gaitmond; do
                exe=$root$prefix/$prog
                name=${prog#*/}
                page=$(ls "$mandir"/man*/"$name".[0-9] 2>/dev/null | head -n1)
                [ -x "$exe" ] || { fail "$prog is not installed"; continue; }
                [ -n "$page" ] || { fail "$name has no man page"; continue; }
                got=$("$exe" --version 2>&1) || true
                [ "$got" = "$name $version" ] && ok "$name --version: $got" ||
                        fail "$name --version says '$got', expected '$name $version'"
                help_opts=$("$exe" --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
                [ -n "$help_opts" ] || { fail "$name --help lists no options"; continue; }
                page_text=$(MANWIDTH=1000 man -l "$page" 2>/dev/null | col -b)
                missing=
                for o in $help_opts; do
                        grep -q -- "$o\b" <<<"$page_text" || missing="$missing $o"
                done
                [ -z "$missing" ] && ok "$name: $(wc -w <<<"$help_opts") options of --help documented" ||
                        fail "$name: page lacks$missing"
        done
        # gaitmon.conf(5) names every section and key of the installed gaitmon.conf.
        conf_text=$(MANWIDTH=1000 man -l "$mandir/man5/gaitmon.conf.5" 2>/dev/null | col -b)
        missing= n=0
        while read -r word; do
                n=$((n + 1))
                grep -qwF -- "$word" <<<"$conf_text" || missing="$missing $word"
        done < <(sed -n -e 's/^\(\[[a-z]*\]\)$/\1/p' -e 's/^\([a-z_]*\) = .*/\1/p' \
                "$root$sysconfdir/gaitmon/gaitmon.conf")
        [ $n -gt 10 ] || fail "found only $n sections and keys in gaitmon.conf"
        [ -z "$missing" ] && ok "gaitmon.conf(5) documents all $n sections and keys of gaitmon.conf" ||
                fail "gaitmon.conf(5) lacks$missing"
        ;;
paths)
        # Where the system reads each kind of file, asked of what reads it where it can say.
        policy_dirs=$(sed -n 's|.*<includedir>\(.*\)</includedir>.*|\1|p' /usr/share/dbus-1/system.conf |
                sed 's|^\([^/]\)|/usr/share/dbus-1/\1|')
        [ -n "$policy_dirs" ] || die "no <includedir> in /usr/share/dbus-1/system.conf"
        system_units=$(systemd-analyze --system unit-paths)
        user_units=$(systemd-analyze --user unit-paths 2>/dev/null)
        man_dirs=$(manpath -g | tr : '\n')
        listed_by() { # listed_by TOOL FILE: TOOL --cat-config finds FILE in a scratch root
                local r
                r=$(mktemp -d -p "$tmp")
                mkdir -p "$r${2%/*}"
                : > "$r$2"
                "$1" --root="$r" --cat-config 2>/dev/null | grep -qxF "# $r$2"
        }
        is_read() { # is_read FILE: the system reads FILE where it is installed
                local f=$1 d=${1%/*}
                case $f in
                */bin/*|*/sbin/*) [[ :/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin: == *":$d:"* ]] ;;
                */systemd/system/*) grep -qxF "$d" <<<"$system_units" ;;
                */systemd/user/*) grep -qxF "$d" <<<"$user_units" ;;
                # systemd reads presets in its unit directories' *-preset siblings
                */systemd/user-preset/*) grep -qxF "${d%-preset}" <<<"$user_units" ;;
                */sysusers.d/*) listed_by systemd-sysusers "$f" ;;
                */tmpfiles.d/*) listed_by systemd-tmpfiles "$f" ;;
                # udevd (systemd 252 has no `udevadm cat` to ask)
                */udev/rules.d/*) [[ " /etc/udev/rules.d /run/udev/rules.d /usr/local/lib/udev/rules.d /usr/lib/udev/rules.d " == *" $d "* ]] ;;
                */dbus-1/system.d/*) grep -qxF "$d" <<<"$policy_dirs" ;;
                # XDG_CONFIG_DIRS and XDG_DATA_DIRS as sessions default them
                */xdg/autostart/*) [ "$d" = /etc/xdg/autostart ] ;;
                */bash-completion/completions/*) [[ " /usr/local/share /usr/share " == *" ${d%/bash-completion/completions} "* ]] ;;
                */man/man[1-8]/*) grep -qxF "${d%/man[1-8]}" <<<"$man_dirs" ;;
                /etc/gaitmon/*) true ;; # gaitmond's own, checked against it below
                */share/doc/gaitmon/*|*/share/dbus-1/interfaces/*) true ;; # for people and bindings
                *) false ;;
                esac
        }
        check_list() { # check_list LABEL < FILES
                local f n=0 bad=0
                while read -r f; do
                        n=$((n + 1))
                        is_read "$f" || { fail "$1: $f is not where the system reads it"; bad=$((bad + 1)); }
                done
                [ $n -gt 20 ] || fail "$1: only $n files"
                [ $bad -eq 0 ] && ok "$1: all $n installed files are where the system reads them"
        }
        (cd "$root" && find . -type f | sed 's|^\.||' | sort) | check_list "this build (prefix $prefix)"

        # The same sources configured for /usr, as a distribution package does.
        fresh=$tmp/usr-build
        "$meson" setup --prefix=/usr "$fresh" "$source" >"$tmp/setup.log" 2>&1 ||
                { cat "$tmp/setup.log" >&2; die "meson setup --prefix=/usr failed"; }
        "$meson" introspect --installed "$fresh" |
                python3 -c 'import json, sys; print("\n".join(sorted(json.load(sys.stdin).values())))' |
                check_list "--prefix=/usr"

        # One configuration file, named alike by gaitmond, its unit and its pages.
        conf=/etc/gaitmon/gaitmon.conf
        for b in "$build" "$fresh"; do
                "$meson" introspect --targets "$b" | grep -qF 'GAITMON_SYSCONFDIR=\"/etc\"' &&
                        ok "gaitmond is built to read $conf (${b##*/})" ||
                        fail "gaitmond in ${b##*/} is built with another GAITMON_SYSCONFDIR"
        done
        [ -f "$root$conf" ] || fail "$conf is not installed"
        "$root$prefix/sbin/gaitmond" --help | grep -qF "$conf" && ok "gaitmond --help names $conf" ||
                fail "gaitmond --help does not name $conf"
        grep -qx 'ConfigurationDirectory=gaitmon' "$root$prefix/lib/systemd/system/gaitmond.service" &&
                ok "the unit's ConfigurationDirectory= is /etc/gaitmon" || fail "ConfigurationDirectory= changed"
        for page in man8/gaitmond.8 man5/gaitmon.conf.5; do
                text=$(MANWIDTH=1000 man -l "$root$prefix/share/man/$page" 2>/dev/null)
                grep -qF "$conf" <<<"$text" && ok "$page names $conf" || fail "$page does not name $conf"
        done
        if grep -rlF -e "$prefix/etc" -e /usr/local/etc "$root" >"$tmp/stale"; then
                fail "files name PREFIX/etc: $(tr '\n' ' ' <"$tmp/stale")"
        fi
        ;;

notify)
        # The installed tree as a system root: presets are what turns the agent on.
        sysroot=$tmp/sysroot
        cp -a "$root" "$sysroot"
        unit=gaitmon-notify.service
        state=$(systemctl --root="$sysroot" --global is-enabled "$unit" 2>&1) || true
        [ "$state" = disabled ] || fail "before the preset, $unit is '$state', expected disabled"
        systemctl --root="$sysroot" --global preset "$unit" >"$tmp/preset.log" 2>&1 ||
                { cat "$tmp/preset.log" >&2; die "systemctl --global preset $unit failed"; }
        state=$(systemctl --root="$sysroot" --global is-enabled "$unit" 2>&1) || true
        link=$sysroot/etc/systemd/user/default.target.wants/$unit
        if [ "$state" = enabled ] && [ -L "$link" ]; then
                ok "systemctl --global preset enables $unit for every user (default.target.wants)"
        else
                fail "after the preset, $unit is '$state'; link: $(ls -l "$link" 2>&1)"
        fi
        exec_start=$(sed -n 's/^ExecStart=//p' "$sysroot$(readlink "$link" | sed "s|^$sysroot||")" 2>/dev/null ||
                sed -n 's/^ExecStart=//p' "$root$prefix/lib/systemd/user/$unit")
        [ "$exec_start" = "$prefix/bin/gaitmon-notify" ] && [ -x "$root$exec_start" ] &&
                ok "it starts the installed $exec_start" || fail "ExecStart=$exec_start"
        # With the unit on, the XDG autostart entry leaves systemd sessions to it.
        desktop=$root/etc/xdg/autostart/gaitmon-notify.desktop
        grep -qx 'X-systemd-skip=true' "$desktop" && grep -qx "Exec=$prefix/bin/gaitmon-notify" "$desktop" &&
                ok "the autostart entry runs the same program and is skipped under systemd" ||
                fail "gaitmon-notify.desktop: $(grep -e '^Exec' -e '^X-systemd' "$desktop")"
        # gaitmon-notify(1) and the README say how to turn it on for one user.
        page_text=$(MANWIDTH=1000 man -l "$root$prefix/share/man/man1/gaitmon-notify.1" 2>/dev/null)
        grep -qF 'systemctl --user enable --now gaitmon-notify' <<<"$page_text" &&
                ok "gaitmon-notify(1) says systemctl --user enable --now gaitmon-notify" ||
                fail "gaitmon-notify(1) does not say how to turn it on"
        ;;

package)
        expected=$1
        out=$tmp/deb
        "$source/tools/run" package "$out" >"$tmp/package.log" 2>&1 ||
                { cat "$tmp/package.log" >&2; die "tools/run package failed"; }
        deb=$(ls "$out"/gaitmon_*.deb 2>/dev/null | grep -v dbgsym | head -n1)
        [ -f "$deb" ] || die "no gaitmon_*.deb in $out"
        ok "built $(basename "$deb")"

        lintian --tag-display-limit 0 "$out"/gaitmon_*.changes >"$tmp/lintian.log" 2>&1 || true
        grep -v '^running with root privileges' "$tmp/lintian.log" >&2 || true
        errors=$(grep -c '^E: ' "$tmp/lintian.log" || true)
        warnings=$(grep -c '^W: ' "$tmp/lintian.log" || true)
        [ "$errors" -eq 0 ] && ok "lintian: $errors errors, $warnings warnings" ||
                fail "lintian: $errors errors"

        # Its files: the tree install's, for prefix /usr, in Debian's places.
        unitdir=$(pkg-config --variable=systemdsystemunitdir systemd)
        sed -e '/^#/d' -e '/^$/d' -e 's|@prefix@|/usr|g' -e 's|@sysconfdir@|/etc|g' \
            -e "s|^/usr/lib/systemd/system/|$unitdir/|" -e 's|^\(/usr/share/man/.*\)|\1.gz|' \
            -e '\|^/etc/gaitmon/gaitmon.conf.d$|d' "$expected" > "$tmp/expected.unsorted"
        printf '%s\n' /usr/share/doc/gaitmon/changelog.gz /usr/share/doc/gaitmon/copyright \
                >> "$tmp/expected.unsorted"
        sort "$tmp/expected.unsorted" > "$tmp/expected"
        dpkg-deb --fsys-tarfile "$deb" | tar -t | sed -e 's|^\./|/|' | sort > "$tmp/packaged.all"
        grep -v '/$' "$tmp/packaged.all" > "$tmp/packaged" || true
        if diff -u "$tmp/expected" "$tmp/packaged"; then
                ok "the package holds the $(wc -l < "$tmp/packaged") files of the tree install (- expected, + packaged)"
        else
                fail "the package's files differ from $(basename "$expected") for prefix /usr"
        fi
        grep -qx '/etc/gaitmon/gaitmon.conf.d/' "$tmp/packaged.all" ||
                fail "no /etc/gaitmon/gaitmon.conf.d/ in the package"
        conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | sort | tr '\n' ' ')
        [ "$conffiles" = "/etc/gaitmon/gaitmon.conf /etc/xdg/autostart/gaitmon-notify.desktop " ] &&
                ok "conffiles: $conffiles" || fail "conffiles: $conffiles"
        postinst=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./postinst)
        for want in 'systemd-sysusers .* gaitmon.conf' 'systemd-tmpfiles .* --create gaitmon.conf' \
                    "deb-systemd-helper enable 'gaitmond.service'" \
                    "deb-systemd-helper --user enable 'gaitmon-notify.service'" \
                    'org.freedesktop.DBus.ReloadConfig' 'udevadm control --reload-rules' \
                    'udevadm trigger --subsystem-match=iio --action=add'; do
                grep -q -- "$want" <<<"$postinst" || fail "postinst lacks: $want"
        done
        [ "$GM_FAILURES" -eq 0 ] && ok "postinst: sysusers, tmpfiles, units enabled (system and user), bus and udev reloaded"

        # dpkg itself, into a scratch root, maintainer scripts run with DPKG_ROOT.
        sysroot=$tmp/sysroot
        mkdir -p "$sysroot/etc" "$sysroot/var/lib/dpkg/info" "$sysroot/var/lib/dpkg/updates" \
                "$sysroot/var/lib/dpkg/triggers"
        : > "$sysroot/var/lib/dpkg/status"
        : > "$sysroot/var/lib/dpkg/available"
        dpkg_root() { dpkg --root="$sysroot" --force-script-chrootless --force-depends --log=/dev/null "$@"; }
        dpkg_root -i "$deb" >"$tmp/dpkg-i.log" 2>&1 || { cat "$tmp/dpkg-i.log" >&2; die "dpkg -i failed"; }
        IFS=: read -r _ _ uid gid _ home shell < <(grep '^gaitmon:' "$sysroot/etc/passwd") ||
                die "installing made no user gaitmon"
        group_gid=$(awk -F: '$1 == "gaitmon" { print $3 }' "$sysroot/etc/group")
        [ "$gid" = "$group_gid" ] && [ "$shell" = /usr/sbin/nologin ] && [ "$uid" -lt 1000 ] &&
                ok "dpkg -i: system user gaitmon ($uid:$gid), no login" ||
                fail "user gaitmon: uid $uid gid $gid (group $group_gid) shell $shell"
        st=$(stat -c '%a %u %g' "$sysroot/var/lib/gaitmon" 2>&1)
        [ "$st" = "750 $uid $gid" ] && ok "dpkg -i: /var/lib/gaitmon 0750 gaitmon:gaitmon" ||
                fail "/var/lib/gaitmon is '$st'"
        [ -L "$sysroot/etc/systemd/system/multi-user.target.wants/gaitmond.service" ] &&
                ok "dpkg -i: gaitmond.service enabled" || fail "gaitmond.service is not enabled"
        [ "$(dpkg-query --root="$sysroot" -W -f='${Status}' gaitmon)" = "install ok installed" ] ||
                fail "dpkg does not list gaitmon as installed"
        dpkg_root --purge gaitmon >"$tmp/dpkg-purge.log" 2>&1 ||
                { cat "$tmp/dpkg-purge.log" >&2; die "dpkg --purge failed"; }
        left=$(cd "$sysroot" && find usr lib etc/gaitmon etc/xdg etc/systemd \( -type f -o -type l \) \
                2>/dev/null | head || true)
        [ -z "$left" ] && ok "dpkg --purge removes every file, conffile and unit link" ||
                fail "left after purge: $left"

        # apt, as the README says, on a fresh Debian of this machine's release made by
        # mmdebstrap from this machine's apt sources: dependencies from the archive, the
        # maintainer scripts in a real root, the installed programs run.
        . /etc/os-release
        sources=/etc/apt/sources.list.d/debian.sources
        [ -s "$sources" ] || sources=/etc/apt/sources.list
        cp "$deb" "$tmp/gaitmon.deb"
        cat > "$tmp/fresh-check.sh" <<'EOT'
set -u
ok() { echo "ok: fresh $VERSION_CODENAME: $*"; }
fail() { echo "FAIL: fresh $VERSION_CODENAME: $*"; }
. /etc/os-release
if ! apt-get install -y -q /tmp/gaitmon.deb >/tmp/apt.log 2>&1; then
        cat /tmp/apt.log
        fail "apt-get install ./gaitmon.deb failed"
        exit 0
fi
ok "apt-get install ./gaitmon.deb: $(grep -c '^Setting up' /tmp/apt.log) packages set up"
IFS=: read -r _ _ uid gid _ _ shell < <(getent passwd gaitmon) && [ "$shell" = /usr/sbin/nologin ] &&
        [ "$uid" -lt 1000 ] && ok "system user gaitmon ($uid:$gid)" || fail "no system user gaitmon"
[ "$(stat -c '%a %U %G' /var/lib/gaitmon 2>&1)" = "750 gaitmon gaitmon" ] &&
        ok "/var/lib/gaitmon 0750 gaitmon:gaitmon" || fail "/var/lib/gaitmon: $(stat -c '%a %U %G' /var/lib/gaitmon 2>&1)"
[ -L /etc/systemd/system/multi-user.target.wants/gaitmond.service ] && ok "gaitmond.service enabled" ||
        fail "gaitmond.service not enabled"
[ -L /etc/systemd/user/default.target.wants/gaitmon-notify.service ] &&
        ok "gaitmon-notify.service enabled for every user" || fail "gaitmon-notify.service not enabled"
unit=$(systemctl show -P FragmentPath gaitmond.service 2>/dev/null)
[ -n "$unit" ] || unit=$(ls /lib/systemd/system/gaitmond.service /usr/lib/systemd/system/gaitmond.service 2>/dev/null | head -n1)
verify=$(systemd-analyze verify --man=no "$unit" 2>&1)
[ -z "$verify" ] && ok "systemd-analyze verify $unit: nothing to say" || fail "systemd-analyze verify: $verify"
[ -f /usr/share/dbus-1/system.d/org.gaitmon.Monitor1.conf ] && ok "bus policy where the system bus reads it" ||
        fail "no /usr/share/dbus-1/system.d/org.gaitmon.Monitor1.conf"
out=$(gaitmond --check-config 2>&1) && ok "gaitmond --check-config: $out" || fail "gaitmond --check-config: $out"
for p in gaitmond gaitmonctl gaitmon-notify gaitmon-sim gaitmon-analyze gaitmon-synth; do
        v=$($p --version 2>&1) || fail "$p --version: $v"
done
ok "every program starts (--version)"
apt-get purge -y -q gaitmon >/tmp/purge.log 2>&1 || { cat /tmp/purge.log; fail "apt-get purge gaitmon failed"; }
left=$(find /usr /lib /etc/gaitmon /etc/xdg /etc/systemd -name '*gaitmon*' 2>/dev/null | head)
[ -z "$left" ] && ok "apt-get purge gaitmon leaves no file" || fail "left after purge: $left"
EOT
        if mmdebstrap --quiet --variant=apt "$VERSION_CODENAME" /dev/null "$sources" \
                --customize-hook="copy-in $tmp/gaitmon.deb $tmp/fresh-check.sh /tmp" \
                --customize-hook='chroot "$1" bash /tmp/fresh-check.sh' >"$tmp/fresh.log" 2>&1; then
                grep -E '^(ok|FAIL): fresh' "$tmp/fresh.log" || true
                grep -q '^FAIL: fresh' "$tmp/fresh.log" && { cat "$tmp/fresh.log" >&2; fail "on a fresh $VERSION_CODENAME"; }
                [ "$(grep -c '^ok: fresh' "$tmp/fresh.log")" -ge 8 ] || fail "the fresh root's checks did not all run"
        else
                cat "$tmp/fresh.log" >&2
                fail "mmdebstrap could not make a fresh $VERSION_CODENAME with the package"
        fi
        ;;

*)
        die "unknown check $check"
        ;;
esac

gm_verdict
