/* The name hashes of ext4's directory index (the disk layout's "Hash Tree
 * Directories"): legacy, half-MD4 and TEA, each reading the name's bytes
 * as signed or as unsigned chars, as the superblock says.  An index entry
 * sends every name whose hash falls in its range to one leaf block, so
 * these must match Linux's and e2fsprogs' bit for bit: the host test
 * compares them with debugfs's dx_hash. */
#include "fs/ext4_internal.h"

#include "core/errno.h"

#define HTREE_EOF	0x7fffffffu	/* the largest 31-bit hash: reserved for "end" */

static uint32_t rol32(uint32_t x, unsigned s) { return x << s | x >> (32 - s); }

/* A name byte as the variant reads it: sign-extended or not. */
static uint32_t name_byte(const char *p, bool is_unsigned)
{
	return is_unsigned ? (uint32_t)(unsigned char)*p : (uint32_t)(int32_t)(signed char)*p;
}

/* The next at most 4 * words bytes of the name packed into words,
 * padded with a pattern of the remaining length. */
static void pack(const char *p, unsigned len, uint32_t *out, int words, bool is_unsigned)
{
	uint32_t pad = len | len << 8;
	pad |= pad << 16;
	uint32_t val = pad;

	if (len > (unsigned)words * 4)
		len = (unsigned)words * 4;
	for (unsigned i = 0; i < len; i++) {
		val = name_byte(p + i, is_unsigned) + (val << 8);
		if (i % 4 == 3) {
			*out++ = val;
			val = pad;
			words--;
		}
	}
	if (--words >= 0)
		*out++ = val;
	while (--words >= 0)
		*out++ = pad;
}

/* ---- half-MD4: MD4's three rounds over eight words, half the state kept - */

static uint32_t md4_f(uint32_t x, uint32_t y, uint32_t z) { return z ^ (x & (y ^ z)); }
static uint32_t md4_g(uint32_t x, uint32_t y, uint32_t z) { return (x & y) + ((x ^ y) & z); }
static uint32_t md4_h(uint32_t x, uint32_t y, uint32_t z) { return x ^ y ^ z; }

typedef uint32_t md4_fn(uint32_t, uint32_t, uint32_t);

/* One round: eight steps over the words in order, rotating a, b, c, d. */
static void md4_round(uint32_t s[4], md4_fn *f, const uint32_t *in, const uint8_t order[8],
		      const uint8_t shift[4], uint32_t k)
{
	for (int i = 0; i < 8; i++) {
		uint32_t *a = &s[(8 - i) % 4], b = s[(9 - i) % 4], c = s[(10 - i) % 4], d = s[(11 - i) % 4];
		*a = rol32(*a + f(b, c, d) + in[order[i]] + k, shift[i % 4]);
	}
}

static void half_md4(uint32_t buf[4], const uint32_t in[8])
{
	static const uint8_t order1[8] = { 0, 1, 2, 3, 4, 5, 6, 7 }, shift1[4] = { 3, 7, 11, 19 };
	static const uint8_t order2[8] = { 1, 3, 5, 7, 0, 2, 4, 6 }, shift2[4] = { 3, 5, 9, 13 };
	static const uint8_t order3[8] = { 3, 7, 2, 6, 1, 5, 0, 4 }, shift3[4] = { 3, 9, 11, 15 };
	uint32_t s[4] = { buf[0], buf[1], buf[2], buf[3] };

	md4_round(s, md4_f, in, order1, shift1, 0);
	md4_round(s, md4_g, in, order2, shift2, 013240474631u);
	md4_round(s, md4_h, in, order3, shift3, 015666365641u);
	for (int i = 0; i < 4; i++)
		buf[i] += s[i];
}

/* ---- TEA: 16 cycles of the Tiny Encryption Algorithm --------------------- */

static void tea(uint32_t buf[4], const uint32_t in[4])
{
	uint32_t sum = 0, b0 = buf[0], b1 = buf[1];

	for (int n = 0; n < 16; n++) {
		sum += 0x9e3779b9u;
		b0 += ((b1 << 4) + in[0]) ^ (b1 + sum) ^ ((b1 >> 5) + in[1]);
		b1 += ((b0 << 4) + in[2]) ^ (b0 + sum) ^ ((b0 >> 5) + in[3]);
	}
	buf[0] += b0;
	buf[1] += b1;
}

/* ---- legacy: ext3's first hash -------------------------------------------- */

static uint32_t legacy(const char *p, unsigned len, bool is_unsigned)
{
	uint32_t h0 = 0x12a3fe2d, h1 = 0x37abe8f9;

	while (len--) {
		uint32_t h = h1 + (h0 ^ name_byte(p++, is_unsigned) * 7152373u);
		if (h & 0x80000000u)
			h -= 0x7fffffff;
		h1 = h0;
		h0 = h;
	}
	return h0 << 1;
}

/* The name in blocks of 4 * words bytes, each packed and mixed into buf
 * by transform. */
static void by_blocks(const char *name, unsigned len, int words, void (*transform)(uint32_t *, const uint32_t *),
		      uint32_t buf[4], bool is_unsigned)
{
	uint32_t in[8];
	unsigned step = 4 * (unsigned)words;

	for (; (int)len > 0; name += step, len = len > step ? len - step : 0) {
		pack(name, len, in, words, is_unsigned);
		transform(buf, in);
	}
}

int ext4_name_hash(unsigned version, const uint32_t seed[4], const char *name, unsigned len, uint32_t *out)
{
	uint32_t buf[4] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476 }, h;
	bool is_unsigned = version >= EXT4_HASH_UNSIGNED;

	if (version >= 2 * EXT4_HASH_UNSIGNED)
		return -EINVAL;
	if (seed[0] | seed[1] | seed[2] | seed[3])
		for (int i = 0; i < 4; i++)
			buf[i] = seed[i];
	switch (version % EXT4_HASH_UNSIGNED) {
	case EXT4_HASH_LEGACY:
		h = legacy(name, len, is_unsigned);
		break;
	case EXT4_HASH_HALF_MD4:
		by_blocks(name, len, 8, half_md4, buf, is_unsigned);
		h = buf[1];
		break;
	case EXT4_HASH_TEA:
		by_blocks(name, len, 4, tea, buf, is_unsigned);
		h = buf[0];
		break;
	default:
		return -EINVAL;
	}
	h &= ~1u;
	*out = h == HTREE_EOF << 1 ? (HTREE_EOF - 1) << 1 : h;
	return 0;
}
