/* ext2/ext4 on disk: the structures as the kernel's Documentation/
 * filesystems/ext4 describes them.  Every number is little-endian, as the
 * CPU is; nothing read from here is trusted before ext4_*.c check it. */
#ifndef AMPHI_FS_EXT4_FORMAT_H
#define AMPHI_FS_EXT4_FORMAT_H

#include <stdint.h>

#define EXT4_SUPER_MAGIC	0xef53
#define EXT4_SUPER_OFFSET	1024
#define EXT4_ROOT_INO		2
#define EXT4_GOOD_OLD_INODE_SIZE 128
#define EXT4_GOOD_OLD_FIRST_INO	11

/* Feature flags: what the code knows (ext4_super.c decides what it does). */
#define EXT4_COMPAT_HAS_JOURNAL		0x0004
#define EXT4_COMPAT_DIR_INDEX		0x0020

#define EXT4_INCOMPAT_COMPRESSION	0x0001
#define EXT4_INCOMPAT_FILETYPE		0x0002
#define EXT4_INCOMPAT_RECOVER		0x0004
#define EXT4_INCOMPAT_JOURNAL_DEV	0x0008
#define EXT4_INCOMPAT_META_BG		0x0010
#define EXT4_INCOMPAT_EXTENTS		0x0040
#define EXT4_INCOMPAT_64BIT		0x0080
#define EXT4_INCOMPAT_MMP		0x0100
#define EXT4_INCOMPAT_FLEX_BG		0x0200
#define EXT4_INCOMPAT_EA_INODE		0x0400
#define EXT4_INCOMPAT_DIRDATA		0x1000
#define EXT4_INCOMPAT_CSUM_SEED		0x2000
#define EXT4_INCOMPAT_LARGEDIR		0x4000
#define EXT4_INCOMPAT_INLINE_DATA	0x8000
#define EXT4_INCOMPAT_ENCRYPT		0x10000
#define EXT4_INCOMPAT_CASEFOLD		0x20000

#define EXT4_RO_COMPAT_SPARSE_SUPER	0x0001
#define EXT4_RO_COMPAT_LARGE_FILE	0x0002
#define EXT4_RO_COMPAT_BTREE_DIR	0x0004
#define EXT4_RO_COMPAT_HUGE_FILE	0x0008
#define EXT4_RO_COMPAT_GDT_CSUM		0x0010
#define EXT4_RO_COMPAT_DIR_NLINK	0x0020
#define EXT4_RO_COMPAT_EXTRA_ISIZE	0x0040
#define EXT4_RO_COMPAT_HAS_SNAPSHOT	0x0080
#define EXT4_RO_COMPAT_QUOTA		0x0100
#define EXT4_RO_COMPAT_BIGALLOC		0x0200
#define EXT4_RO_COMPAT_METADATA_CSUM	0x0400
#define EXT4_RO_COMPAT_REPLICA		0x0800
#define EXT4_RO_COMPAT_READONLY		0x1000
#define EXT4_RO_COMPAT_PROJECT		0x2000
#define EXT4_RO_COMPAT_SHARED_BLOCKS	0x4000
#define EXT4_RO_COMPAT_VERITY		0x8000
#define EXT4_RO_COMPAT_ORPHAN_PRESENT	0x10000

#define EXT4_STATE_CLEAN	0x0001

struct ext4_super_disk {
	uint32_t s_inodes_count;
	uint32_t s_blocks_count_lo;
	uint32_t s_r_blocks_count_lo;
	uint32_t s_free_blocks_count_lo;
	uint32_t s_free_inodes_count;		/* 0x10 */
	uint32_t s_first_data_block;
	uint32_t s_log_block_size;
	uint32_t s_log_cluster_size;
	uint32_t s_blocks_per_group;		/* 0x20 */
	uint32_t s_clusters_per_group;
	uint32_t s_inodes_per_group;
	uint32_t s_mtime;
	uint32_t s_wtime;			/* 0x30 */
	uint16_t s_mnt_count;
	int16_t s_max_mnt_count;
	uint16_t s_magic;
	uint16_t s_state;
	uint16_t s_errors;
	uint16_t s_minor_rev_level;
	uint32_t s_lastcheck;			/* 0x40 */
	uint32_t s_checkinterval;
	uint32_t s_creator_os;
	uint32_t s_rev_level;
	uint16_t s_def_resuid;			/* 0x50 */
	uint16_t s_def_resgid;
	uint32_t s_first_ino;
	uint16_t s_inode_size;
	uint16_t s_block_group_nr;
	uint32_t s_feature_compat;
	uint32_t s_feature_incompat;		/* 0x60 */
	uint32_t s_feature_ro_compat;
	uint8_t s_uuid[16];			/* 0x68 */
	char s_volume_name[16];			/* 0x78 */
	char s_last_mounted[64];		/* 0x88 */
	uint32_t s_algorithm_usage_bitmap;	/* 0xc8 */
	uint8_t s_prealloc_blocks;
	uint8_t s_prealloc_dir_blocks;
	uint16_t s_reserved_gdt_blocks;
	uint8_t s_journal_uuid[16];		/* 0xd0 */
	uint32_t s_journal_inum;		/* 0xe0 */
	uint32_t s_journal_dev;
	uint32_t s_last_orphan;
	uint32_t s_hash_seed[4];
	uint8_t s_def_hash_version;		/* 0xfc */
	uint8_t s_jnl_backup_type;
	uint16_t s_desc_size;
	uint32_t s_default_mount_opts;		/* 0x100 */
	uint32_t s_first_meta_bg;
	uint32_t s_mkfs_time;
	uint32_t s_jnl_blocks[17];
	uint32_t s_blocks_count_hi;		/* 0x150 */
	uint32_t s_r_blocks_count_hi;
	uint32_t s_free_blocks_count_hi;
	uint16_t s_min_extra_isize;
	uint16_t s_want_extra_isize;
	uint32_t s_flags;			/* 0x160 */
	uint8_t s_pad1[0x270 - 0x164];
	uint32_t s_checksum_seed;		/* 0x270 */
	uint8_t s_pad2[0x3fc - 0x274];
	uint32_t s_checksum;			/* 0x3fc */
};
_Static_assert(sizeof(struct ext4_super_disk) == 1024, "superblock size");
_Static_assert(__builtin_offsetof(struct ext4_super_disk, s_blocks_count_hi) == 0x150, "sb layout");

/* Group descriptors: the first 32 bytes, then the 64bit feature's high
 * halves (desc_size 64). */
struct ext4_group_disk {
	uint32_t bg_block_bitmap_lo;
	uint32_t bg_inode_bitmap_lo;
	uint32_t bg_inode_table_lo;
	uint16_t bg_free_blocks_count_lo;
	uint16_t bg_free_inodes_count_lo;
	uint16_t bg_used_dirs_count_lo;		/* 0x10 */
	uint16_t bg_flags;
	uint32_t bg_exclude_bitmap_lo;
	uint16_t bg_block_bitmap_csum_lo;
	uint16_t bg_inode_bitmap_csum_lo;
	uint16_t bg_itable_unused_lo;
	uint16_t bg_checksum;
	uint32_t bg_block_bitmap_hi;		/* 0x20 */
	uint32_t bg_inode_bitmap_hi;
	uint32_t bg_inode_table_hi;
	uint16_t bg_free_blocks_count_hi;
	uint16_t bg_free_inodes_count_hi;
	uint16_t bg_used_dirs_count_hi;		/* 0x30 */
	uint16_t bg_itable_unused_hi;
	uint32_t bg_exclude_bitmap_hi;
	uint16_t bg_block_bitmap_csum_hi;
	uint16_t bg_inode_bitmap_csum_hi;
	uint32_t bg_reserved;
};
_Static_assert(sizeof(struct ext4_group_disk) == 64, "group descriptor size");

#define EXT4_BG_INODE_UNINIT	0x0001
#define EXT4_BG_BLOCK_UNINIT	0x0002
#define EXT4_BG_INODE_ZEROED	0x0004

struct ext4_inode_disk {
	uint16_t i_mode;
	uint16_t i_uid;
	uint32_t i_size_lo;
	uint32_t i_atime;
	uint32_t i_ctime;
	uint32_t i_mtime;			/* 0x10 */
	uint32_t i_dtime;
	uint16_t i_gid;
	uint16_t i_links_count;
	uint32_t i_blocks_lo;
	uint32_t i_flags;			/* 0x20 */
	uint32_t i_version;
	uint32_t i_block[15];			/* 0x28 */
	uint32_t i_generation;			/* 0x64 */
	uint32_t i_file_acl_lo;
	uint32_t i_size_high;
	uint32_t i_obso_faddr;			/* 0x70 */
	uint16_t i_blocks_high;
	uint16_t i_file_acl_high;
	uint16_t i_uid_high;
	uint16_t i_gid_high;
	uint16_t i_checksum_lo;			/* 0x7c */
	uint16_t i_reserved;
	/* The large inode's extra fields, present as i_extra_isize says. */
	uint16_t i_extra_isize;			/* 0x80 */
	uint16_t i_checksum_hi;
	uint32_t i_ctime_extra;
	uint32_t i_mtime_extra;
	uint32_t i_atime_extra;
	uint32_t i_crtime;			/* 0x90 */
	uint32_t i_crtime_extra;
	uint32_t i_version_hi;
	uint32_t i_projid;
};
_Static_assert(sizeof(struct ext4_inode_disk) == 0xa0, "inode size");

/* i_flags */
#define EXT4_INDEX_FL		0x00001000	/* hashed-indexed directory */
#define EXT4_HUGE_FILE_FL	0x00040000	/* i_blocks in file system blocks */
#define EXT4_EXTENTS_FL		0x00080000
#define EXT4_EA_INODE_FL	0x00200000
#define EXT4_INLINE_DATA_FL	0x10000000

/* Extent trees: a header, then entries (index entries above depth 0,
 * extents at depth 0).  In the inode's i_block, room for 4. */
#define EXT4_EXT_MAGIC		0xf30a
#define EXT4_EXT_MAX_DEPTH	5
#define EXT4_EXT_INIT_MAX_LEN	32768	/* longer is an unwritten extent */

struct ext4_extent_header {
	uint16_t eh_magic;
	uint16_t eh_entries;
	uint16_t eh_max;
	uint16_t eh_depth;
	uint32_t eh_generation;
};

struct ext4_extent_idx {
	uint32_t ei_block;
	uint32_t ei_leaf_lo;
	uint16_t ei_leaf_hi;
	uint16_t ei_unused;
};

struct ext4_extent {
	uint32_t ee_block;
	uint16_t ee_len;
	uint16_t ee_start_hi;
	uint32_t ee_start_lo;
};

/* Directory entries (with the filetype feature: else name_len is 16 bits
 * and file_type its high byte, always 0 for names under 256 bytes). */
struct ext4_dirent {
	uint32_t inode;
	uint16_t rec_len;
	uint8_t name_len;
	uint8_t file_type;
	char name[];
};

#define EXT4_DIRENT_HEADER	8
#define EXT4_DIR_TAIL_SIZE	12
#define EXT4_DIR_TAIL_FT	0xde

/* metadata_csum's last 12 bytes of a directory leaf block: looks like an
 * empty entry to old readers. */
struct ext4_dir_tail {
	uint32_t det_reserved_zero1;
	uint16_t det_rec_len;		/* 12 */
	uint8_t det_reserved_zero2;
	uint8_t det_reserved_ft;	/* 0xde */
	uint32_t det_checksum;
};

enum {
	EXT4_FT_UNKNOWN, EXT4_FT_REG_FILE, EXT4_FT_DIR, EXT4_FT_CHRDEV,
	EXT4_FT_BLKDEV, EXT4_FT_FIFO, EXT4_FT_SOCK, EXT4_FT_SYMLINK,
};

#endif
