#!/bin/sh
# Builds the guest kernel from Debian's linux-source-6.1 package:
#   build.sh SOURCE_DEB FRAGMENT WORKDIR BUILD_VERSION
# WORKDIR/src gets the unpacked source tree and WORKDIR/build the object
# tree (O=): bzImage, and what external modules are built against
# (modules_prepare's headers and scripts, Module.symvers). Called by
# kernel.ts with JOBS; runs alone too. The bytes do not depend on WORKDIR,
# the user, the host or the date: kbuild's timestamp, user, host and
# version come from the arguments and the source package.
set -eu
deb=$(realpath "$1")
fragment=$(realpath "$2")
work=$3
version=$4
jobs=${JOBS:-$(nproc)}
mkdir -p "$work"
work=$(realpath "$work")
src=$work/src
build=$work/build

rm -rf "$src" "$build" "$work/pkg"
mkdir -p "$src" "$build" "$work/pkg"
dpkg-deb -x "$deb" "$work/pkg"
tarball=$(ls "$work"/pkg/usr/src/linux-source-*.tar.xz)
# The timestamp the kernel reports (uname -v): the source tarball's own
# date, fixed by the package, so rebuilds agree.
stamp=$(date -u -d "@$(stat -c %Y "$tarball")" '+%a %b %e %H:%M:%S UTC %Y')
tar -xJf "$tarball" -C "$src" --strip-components=1
rm -rf "$work/pkg"

export ARCH=i386
export KBUILD_BUILD_TIMESTAMP="$stamp"
export KBUILD_BUILD_USER=filemon-sim
export KBUILD_BUILD_HOST=filemon-sim
export KBUILD_BUILD_VERSION="$version"
export KCFLAGS="-ffile-prefix-map=$src/= -ffile-prefix-map=$build/="
mk() { make -s -C "$src" O="$build" "$@"; }

mk tinyconfig
"$src/scripts/kconfig/merge_config.sh" -m -O "$build" "$build/.config" "$fragment" >/dev/null
mk olddefconfig
# Every option the fragment names must have survived olddefconfig.
bad=0
while IFS= read -r line; do
	case $line in CONFIG_*=*) ;; *) continue ;; esac
	name=${line%%=*} value=${line#*=}
	if [ "$value" = n ]; then
		if grep -q "^$name=" "$build/.config"; then echo "kernel config: $name is on, the fragment wants it off" >&2; bad=1; fi
	elif ! grep -qx "$line" "$build/.config"; then
		echo "kernel config: $line did not survive olddefconfig (got: $(grep "^$name=" "$build/.config" || echo unset)); check its dependencies" >&2
		bad=1
	fi
done < "$fragment"
[ $bad = 0 ]

mk -j"$jobs" bzImage modules
mk modules_prepare
echo "kernel: $(cat "$build/include/config/kernel.release") $(ls -l "$build/arch/x86/boot/bzImage" | awk '{print $5}') bytes"
