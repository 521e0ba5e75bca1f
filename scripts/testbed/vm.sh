#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The gpupart test bed: Debian's kernel in QEMU (TCG) with an emulated IOMMU
# and stand-in GPUs (QEMU's SR-IOV NVMe controller), each behind its own
# PCIe root port.
#
#   vm.sh check          run the selftests; ends "N passed, N failed, N skipped"
#   vm.sh demo           tour gpupartctl
#   vm.sh shell          interactive shell in the guest
#   vm.sh run SCRIPT     run SCRIPT (sh) in the guest, exit with its status
#
# Each stand-in is QEMU device gpuN behind root port rpN at 00:(10+N).0. A
# guest line "GPUPART-HOST device_del gpuN" or "GPUPART-HOST device_add
# gpuN" on the console makes this runner unplug or re-plug that stand-in
# through QEMU's monitor (qmp.py): a real PCIe hot-plug, which the guest
# cannot do to itself. The root ports' native hot-plug (pciehp) handles it,
# as on a server, rather than QEMU's ACPI hot-plug.
#
# Environment:
#   TOPOLOGY    space-separated stand-ins, each MODEL[:VFS][*COUNT] with MODEL
#               one of redhat (1b36:0010), intel (8086:5845), plain (an
#               NVMe without SR-IOV, which gpupart must refuse) or shared
#               (1b36:0010 behind a root port without ACS: the PF, its VFs
#               and the port share one IOMMU group, as on a platform that
#               cannot keep VFs apart).
#               Default: "redhat:8*3 intel:8 plain"
#   KVER        kernel release to boot (default: the one gpupart builds for)
#   VM_TIMEOUT  seconds before the guest is declared hung (default 1800)
#   VM_MEM      guest memory in MiB (default 2048: the initramfs carries
#               QEMU, which runs inside the guest as a VMM)
#   VM_LOG      where to keep the serial log (default build/vm/JOB.log)
#   DEBUG_KERNEL  a debug-kernel.sh cache directory: boot that kernel (KASAN,
#               lockdep, kmemleak) with gpupart built for it, instead of
#               Debian's
#   ALT_KERNEL  any such directory (kernel-6.12.sh's), with GPUPART_KO the
#               module built for it and TAG naming its logs
#   GPUPART_TESTS  the selftests the check job runs (default: all)
#   HOLD        how gpupart holds the stand-ins: driver (default: as their
#               PF driver, ids=) or vendor (beside Linux's nvme as their
#               vendor's PF driver, vendor_ids=; the kernel needs nvme)
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
JOB=${1:-}
case "$JOB" in
check|demo|shell) ;;
run)
	SCRIPT=${2:?usage: vm.sh run SCRIPT}
	[ -f "$SCRIPT" ] || { echo "vm.sh: no such script: $SCRIPT" >&2; exit 2; }
	;;
*) echo "usage: vm.sh check|demo|shell|run SCRIPT" >&2; exit 2 ;;
esac

if [ -n "${DEBUG_KERNEL:-}" ]; then
	ALT_KERNEL=$DEBUG_KERNEL
	GPUPART_KO=$TOP/build/debug-mod/gpupart.ko
	TAG=-debug
fi
if [ -n "${ALT_KERNEL:-}" ]; then
	KVER=$(cat "$ALT_KERNEL/kernelrelease")
	KERNEL=$ALT_KERNEL/bzImage
	export MODROOT=$ALT_KERNEL/modules
	export GPUPART_KO=${GPUPART_KO:?ALT_KERNEL needs GPUPART_KO}
fi
KVER=${KVER:-$("$TOP"/scripts/kdir.sh kver)}
KERNEL=${KERNEL:-/boot/vmlinuz-$KVER}
TAG=${TAG:-}
TOPOLOGY=${TOPOLOGY:-"redhat:8*3 intel:8 plain"}
VM_TIMEOUT=${VM_TIMEOUT:-1800}
VM_MEM=${VM_MEM:-2048}
OUTDIR=$TOP/build/vm
VM_LOG=${VM_LOG:-$OUTDIR/$JOB$TAG.log}
mkdir -p "$OUTDIR"
[ -r "$KERNEL" ] || { echo "vm.sh: cannot read $KERNEL: run 'make deps'" >&2; exit 1; }

INITRD=$OUTDIR/initramfs$TAG.cpio.gz
"$TOP"/scripts/testbed/mkinitramfs.sh "$KVER" "$INITRD"
if [ "$JOB" = run ]; then
	# A second cpio archive appended to the first adds /run/script.
	stage=$(mktemp -d)
	mkdir -p "$stage/run"
	cp "$SCRIPT" "$stage/run/script"
	cp "$INITRD" "$OUTDIR/initramfs-run$TAG.cpio.gz"
	(cd "$stage" && find run | cpio -o -H newc --quiet) |
		gzip -1 >>"$OUTDIR/initramfs-run$TAG.cpio.gz"
	rm -rf "$stage"
	INITRD=$OUTDIR/initramfs-run$TAG.cpio.gz
fi

# Build the device list from TOPOLOGY; remember each for a re-plug.
QMP=$OUTDIR/qmp-$$.sock
DEVICES=$OUTDIR/devices-$$
: >"$DEVICES"
devs=
n=0
for spec in $TOPOLOGY; do
	count=${spec#*\*}
	[ "$count" = "$spec" ] && count=1
	spec=${spec%%\**}
	model=${spec%%:*}
	vfs=${spec#*:}
	[ "$vfs" = "$spec" ] && vfs=8
	port=
	case "$model" in
	redhat) extra= ;;
	intel) extra=,use-intel-id=on ;;
	plain) extra='' vfs=0 ;;
	shared) extra='' port=,disable-acs=on ;;
	*) echo "vm.sh: unknown model '$model' in TOPOLOGY" >&2; exit 2 ;;
	esac
	i=0
	while [ $i -lt "$count" ]; do
		# Port N at 00:(10+N).0 tells the guest which QEMU device is behind it.
		devs="$devs -device pcie-root-port,id=rp$n,chassis=$((n + 1)),slot=$((n + 1))"
		devs="$devs,addr=$(printf 0x%x $((16 + n)))$port"
		if [ "$vfs" -gt 0 ]; then
			# QEMU wants flexible queues and interrupts for every VF and
			# keeps two queue pairs and one vector for the PF itself.
			devs="$devs -device nvme-subsys,id=subsys$n"
			dev="nvme,id=gpu$n,bus=rp$n,serial=gpu$n,subsys=subsys$n$extra"
			dev="$dev,sriov_max_vfs=$vfs,sriov_vq_flexible=$((2 * vfs))"
			dev="$dev,sriov_vi_flexible=$vfs,max_ioqpairs=$((2 * vfs + 2))"
			dev="$dev,msix_qsize=$((2 * vfs + 16))"
		else
			dev="nvme,id=gpu$n,bus=rp$n,serial=plain$n$extra"
		fi
		devs="$devs -device $dev"
		echo "gpu$n $dev" >>"$DEVICES"
		n=$((n + 1))
		i=$((i + 1))
	done
done

# The root ports run at 5 GT/s: QEMU clears Data Link Layer Link Active on
# a secondary bus reset and never sets it again, and above 5 GT/s the
# kernel waits for it after the reset that recovers from a fatal PCIe
# error, so recovery would fail where hardware recovers.
# The guest learns from gpupart_hostctl=1 that GPUPART-HOST lines are heard.
HOSTCTL=" gpupart_hostctl=1"
[ "$JOB" = shell ] && HOSTCTL=
# The guest's init passes it on to run_tests.sh as GPUPART_TESTS.
TESTS=
case "${HOLD:=driver}" in
driver | vendor) ;;
*) echo "vm.sh: HOLD is driver or vendor, not '$HOLD'" >&2; exit 2 ;;
esac
[ -n "${GPUPART_TESTS:-}" ] && TESTS=" gpupart_tests=$(echo "$GPUPART_TESTS" | tr ' ' ,)"
set -- qemu-system-x86_64 -machine q35,kernel-irqchip=split -m "$VM_MEM" -smp 2 \
	-nographic -no-reboot -kernel "$KERNEL" -initrd "$INITRD" \
	-append "console=ttyS0 loglevel=1 panic=-1 intel_iommu=on gpupart_job=$JOB gpupart_hold=$HOLD$HOSTCTL$TESTS" \
	-device intel-iommu,intremap=on $devs \
	-global pcie-root-port.x-speed=5 \
	-global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off

if [ "$JOB" = shell ]; then
	rm -f "$DEVICES"
	exec "$@"
fi
set -- "$@" -qmp "unix:$QMP,server=on,wait=off"

# The host's side of GPUPART-HOST requests, read from the log as the guest
# writes it. Only the two verbs, on known devices: the guest is not trusted.
hostctl() {
	tail -n +1 -F --pid=$$ "$VM_LOG" 2>/dev/null | while read -r tag verb id rest; do
		[ "$tag" = GPUPART-HOST ] && [ -z "$rest" ] || continue
		case "$verb:$id" in
		device_del:gpu*[!0-9]* | device_add:gpu*[!0-9]*) continue ;;
		device_del:gpu[0-9]*) arg=$id ;;
		device_add:gpu[0-9]*) arg=$(awk -v id="$id" '$1 == id { print $2 }' "$DEVICES") ;;
		*) continue ;;
		esac
		# An error (QEMU refuses a re-plug until an unplug is complete) is
		# QEMU's answer, printed; it must not end this loop (set -e).
		[ -z "$arg" ] || "$TOP"/scripts/testbed/qmp.py "$QMP" "$verb $arg" || true
	done
}
: >"$VM_LOG"
hostctl &

echo "vm.sh: booting $KVER with: $TOPOLOGY (log: $VM_LOG)"
start=$(date +%s)
set +e
timeout --foreground -k 10 "$VM_TIMEOUT" "$@" </dev/null 2>&1 |
	sed -u 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\r$//' | tee "$VM_LOG" |
	# Show the guest from its /init on, without firmware noise, markers
	# (but for the check job's) or the kernel log dump.
	awk -v job="$JOB" '
		/GPUPART-BOOTED/ { up = 1; sub(/.*GPUPART-BOOTED/, "GPUPART-BOOTED") }
		/^GPUPART-DMESG-BEGIN/ { dump = 1 }
		!up || dump || /reboot: Power down/ { if (/^GPUPART-DMESG-END/) dump = 0; next }
		/^GPUPART-/ && job != "check" { next }
		{ print; fflush() }'
set -e
echo "vm.sh: guest ran $(($(date +%s) - start)) s"
rm -f "$QMP" "$DEVICES"
exec "$TOP"/scripts/testbed/verdict.sh "$JOB" "$VM_LOG"
