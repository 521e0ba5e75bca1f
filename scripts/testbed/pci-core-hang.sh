#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The PCI core's own hang, without gpupart: a write to sriov_numvfs racing
# the sysfs removal of the same PF, with pci-pf-stub as the PF's driver.
# Run in the test bed ("make pci-core-hang"), never in the suite: when it
# hangs, nothing but a reset recovers the guest.
#
# sriov_numvfs_store (Debian 6.1) takes the PF's device lock, then the PCI
# rescan/remove lock; remove_store takes the rescan/remove lock, then (to
# unbind the driver) the device lock. Each round writes 0 and 2 to
# sriov_numvfs while another process removes the PF and rescans the bus.
# A write or removal that has not returned after 30 s is the hang: the
# blocked tasks' stacks are printed, and the guest is reset (sysrq). On
# Debian's 6.1.192 the race crashed the kernel first, in ~10 s (a VF left
# enabled by pci-pf-stub found again by the rescan: a duplicate device,
# then a NULL dereference in __device_attach); vm.sh reports the splat.
echo "pci-core-hang: $(uname -r)"
rmmod gpupart 2>/dev/null
modprobe pci-pf-stub || { echo "pci-core-hang: no pci-pf-stub"; exit 1; }
PF=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x1b36 ] && [ -e "$d/sriov_totalvfs" ] && { PF=$(basename "$d"); break; }
done
[ -n "$PF" ] || { echo "pci-core-hang: no SR-IOV stand-in"; exit 1; }
bind() {
	echo pci-pf-stub >"/sys/bus/pci/devices/$PF/driver_override"
	echo "$PF" >/sys/bus/pci/drivers_probe
}
bind
echo "pci-core-hang: $PF on $(basename "$(readlink "/sys/bus/pci/devices/$PF/driver")")"

now() { cut -d. -f1 /proc/uptime; }
beat=/tmp/beat
rounds=${ROUNDS:-2000}
(
	i=0
	while [ $i -lt "$rounds" ]; do
		[ -e "/sys/bus/pci/devices/$PF/sriov_numvfs" ] &&
			{ echo 2 >"/sys/bus/pci/devices/$PF/sriov_numvfs"
			  echo 0 >"/sys/bus/pci/devices/$PF/sriov_numvfs"; } 2>/dev/null
		now >$beat.w
		i=$((i + 1))
	done
) &
W=$!
(
	i=0
	while [ $i -lt "$rounds" ]; do
		[ -e "/sys/bus/pci/devices/$PF/remove" ] &&
			echo 1 >"/sys/bus/pci/devices/$PF/remove" 2>/dev/null
		echo 1 >/sys/bus/pci/rescan
		bind 2>/dev/null
		now >$beat.r
		i=$((i + 1))
	done
) &
R=$!
now >$beat.w
now >$beat.r
while kill -0 $W 2>/dev/null || kill -0 $R 2>/dev/null; do
	sleep 5
	t=$(now)
	for who in w r; do
		[ $((t - $(cat $beat.$who))) -lt 30 ] && continue
		echo "pci-core-hang: REPRODUCED: the ${who} loop has not moved for 30 s"
		for s in /proc/[0-9]*/status; do
			p=${s#/proc/}
			p=${p%/status}
			grep -q 'D (disk sleep)' "$s" 2>/dev/null || continue
			echo "pci-core-hang: blocked: $(tr '\0' ' ' <"/proc/$p/cmdline")"
			sed 's/^/    /' "/proc/$p/stack" 2>/dev/null
		done
		echo "GPUPART-EXIT 3"
		echo 1 >/proc/sys/kernel/sysrq
		echo b >/proc/sysrq-trigger
	done
done
echo "pci-core-hang: not reproduced in $rounds rounds"
