"""What tests/progs/blkio prints on Linux for a read-only disk: taken in a
VM under the same QEMU (Debian's linux-image 6.1.0-57-cloud-amd64, the
bench/ kernel, with its virtio_pci and virtio_blk modules in a busybox
initramfs), on an 8 MiB image that sfdisk partitioned as test_disk.py does
("label: gpt", start=2048 size=4096, start=6144 size=8192), given as
`-drive ...,readonly=on -device virtio-blk-pci`, with the steps in
RO_STEPS.  Linux opens a read-only block device for writing and fails its
writes and discards with EPERM."""

RO_STEPS = ["openrw:/dev/vda", "openrw:/dev/vda2", "info:/dev/vda", "info:/dev/vda2",
            "write:/dev/vda:0:512:1", "write:/dev/vda2:100:10:1", "discard:/dev/vda:0:4096",
            "cat:/proc/partitions"]

RO_LINUX = """openrw /dev/vda ok
openrw /dev/vda2 ok
/dev/vda size 8388608 sectors 16384 ssz 512 pbsz 512 ro 1 end 8388608
/dev/vda2 size 4194304 sectors 8192 ssz 512 pbsz 512 ro 1 end 4194304
FAIL write /dev/vda: EPERM
FAIL write /dev/vda2: EPERM
FAIL discard /dev/vda: EPERM
major minor  #blocks  name

 254        0       8192 vda
 254        1       2048 vda1
 254        2       4096 vda2
"""
