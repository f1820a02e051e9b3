/* SHA-256 (FIPS 180-4): a portable block function, and one with the x86 SHA
 * extensions (SHA-NI), chosen once at run time. CUBICLE_LAYER_SHA256=generic
 * forces the portable one (the tests compare both). */
#include "layer.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_SHA_NI_CODE 1
#endif

static const uint32_t round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t rotr(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

static inline uint32_t load_be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void blocks_generic(uint32_t state[8], const unsigned char *data, size_t n_blocks) {
  for (; n_blocks > 0; n_blocks--, data += 64) {
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
      w[i] = load_be32(data + 4 * i);
    for (int i = 16; i < 64; i++) {
      uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (int i = 0; i < 64; i++) {
      uint32_t s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      uint32_t choose = (e & f) ^ (~e & g);
      uint32_t t1 = h + s1 + choose + round_constants[i] + w[i];
      uint32_t s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      uint32_t majority = (a & b) ^ (a & c) ^ (b & c);
      uint32_t t2 = s0 + majority;
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
  }
}

#ifdef HAVE_SHA_NI_CODE
/* sha256rnds2 works on the state as two halves, ABEF and CDGH, and does two
 * rounds per call; sha256msg1/msg2 extend the message schedule 4 words at a time. */
__attribute__((target("sha,sse4.1,ssse3"))) static void
blocks_sha_ni(uint32_t state[8], const unsigned char *data, size_t n_blocks) {
  const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i dcba = _mm_loadu_si128((const __m128i *)&state[0]);
  __m128i hgfe = _mm_loadu_si128((const __m128i *)&state[4]);
  __m128i badc = _mm_shuffle_epi32(dcba, 0xB1);
  __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
  __m128i abef = _mm_alignr_epi8(badc, efgh, 8);
  __m128i cdgh = _mm_blend_epi16(efgh, badc, 0xF0);

  for (; n_blocks > 0; n_blocks--, data += 64) {
    __m128i abef_saved = abef, cdgh_saved = cdgh;
    __m128i w[4];
    for (int i = 0; i < 4; i++)
      w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * i)), byte_swap);
#pragma GCC unroll 16
    for (int group = 0; group < 16; group++) {
      __m128i words = w[group & 3];
      __m128i scheduled =
          _mm_add_epi32(words, _mm_loadu_si128((const __m128i *)&round_constants[4 * group]));
      cdgh = _mm_sha256rnds2_epu32(cdgh, abef, scheduled);
      abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(scheduled, 0x0E));
      if (group < 12) {
        /* W[t+16..t+19] from W[t..t+15]: sigma0 part, + W[t+9..t+12], sigma1 part. */
        __m128i next = _mm_sha256msg1_epu32(w[group & 3], w[(group + 1) & 3]);
        next = _mm_add_epi32(next, _mm_alignr_epi8(w[(group + 3) & 3], w[(group + 2) & 3], 4));
        w[group & 3] = _mm_sha256msg2_epu32(next, w[(group + 3) & 3]);
      }
    }
    abef = _mm_add_epi32(abef, abef_saved);
    cdgh = _mm_add_epi32(cdgh, cdgh_saved);
  }

  __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
  __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
  _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(feba, dchg, 0xF0));
  _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(dchg, feba, 8));
}

static bool cpu_has_sha_ni(void) {
  unsigned int eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
    return false;
  bool ssse3 = ecx & (1u << 9), sse41 = ecx & (1u << 19);
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
    return false;
  return ssse3 && sse41 && (ebx & (1u << 29));
}
#endif

typedef void (*block_function)(uint32_t state[8], const unsigned char *data, size_t n_blocks);

static block_function chosen_blocks(void) {
  static block_function chosen;
  if (chosen == NULL) {
    chosen = blocks_generic;
#ifdef HAVE_SHA_NI_CODE
    const char *forced = getenv("CUBICLE_LAYER_SHA256");
    if (!(forced != NULL && strcmp(forced, "generic") == 0) && cpu_has_sha_ni())
      chosen = blocks_sha_ni;
#endif
  }
  return chosen;
}

const char *sha256_implementation(void) {
#ifdef HAVE_SHA_NI_CODE
  if (chosen_blocks() == blocks_sha_ni)
    return "sha-ni";
#endif
  return "generic";
}

void sha256_init(struct sha256 *ctx) {
  static const uint32_t initial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  memcpy(ctx->state, initial, sizeof initial);
  ctx->length = 0;
  ctx->used = 0;
}

void sha256_update(struct sha256 *ctx, const void *data, size_t len) {
  const unsigned char *p = data;
  block_function blocks = chosen_blocks();
  if (len == 0)
    return;
  ctx->length += len;
  if (ctx->used > 0) {
    size_t take = 64 - ctx->used < len ? 64 - ctx->used : len;
    memcpy(ctx->block + ctx->used, p, take);
    ctx->used += take;
    p += take;
    len -= take;
    if (ctx->used < 64)
      return;
    blocks(ctx->state, ctx->block, 1);
    ctx->used = 0;
  }
  if (len >= 64) {
    blocks(ctx->state, p, len / 64);
    p += len / 64 * 64;
    len %= 64;
  }
  memcpy(ctx->block, p, len);
  ctx->used = len;
}

void sha256_final(struct sha256 *ctx, unsigned char digest[32]) {
  uint64_t bits = ctx->length * 8;
  unsigned char padding[72] = {0x80};
  /* 0x80, zeros up to 56 mod 64, then the bit length big-endian. */
  size_t pad_len = ctx->used < 56 ? 56 - ctx->used : 120 - ctx->used;
  for (int i = 0; i < 8; i++)
    padding[pad_len + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
  uint64_t length = ctx->length;
  sha256_update(ctx, padding, pad_len + 8);
  ctx->length = length;
  for (int i = 0; i < 8; i++) {
    digest[4 * i] = (unsigned char)(ctx->state[i] >> 24);
    digest[4 * i + 1] = (unsigned char)(ctx->state[i] >> 16);
    digest[4 * i + 2] = (unsigned char)(ctx->state[i] >> 8);
    digest[4 * i + 3] = (unsigned char)ctx->state[i];
  }
}

void sha256_hex(const unsigned char digest[32], char hex[65]) {
  static const char digits[] = "0123456789abcdef";
  for (int i = 0; i < 32; i++) {
    hex[2 * i] = digits[digest[i] >> 4];
    hex[2 * i + 1] = digits[digest[i] & 15];
  }
  hex[64] = '\0';
}
