// The native image path of runtime/data/decode.ts: libjpeg-turbo (the system's, with its SIMD)
// decodes, then Pillow's bilinear resize (libImaging/Resample.c, as runtime/data/resample.ts
// ports it) crops, resizes, flips and writes planar RGB, in one call per image. Both paths give
// Pillow's bytes (test/data/pillow.test.ts runs every case through each); this one exists for
// speed: decoding is ~2× faster than the WebAssembly build and the resize 2–3× faster than
// JavaScript (docs/performance.md). Built by scripts/build-native.sh; optional at run time.
#define NAPI_VERSION 8
#include <node_api.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>

#define PRECISION_BITS (32 - 8 - 2)

// One per Node environment (the main thread and each decode worker load the addon separately).
typedef struct {
  tjhandle tj;
  unsigned char *rgb, *tmp;
  size_t rgb_cap, tmp_cap;
} State;

static int grow(unsigned char **p, size_t *cap, size_t n) {
  if (n <= *cap) return 1;
  free(*p);
  *p = malloc(n);
  *cap = *p ? n : 0;
  return *p != NULL;
}

static void finalize(napi_env env, void *data, void *hint) {
  State *s = data;
  (void)env, (void)hint;
  if (s->tj) tjDestroy(s->tj);
  free(s->rgb);
  free(s->tmp);
  free(s);
}

typedef struct {
  int *start, *count, *w;
  int ksize;
} Coeffs;

static double bilinear(double x) {
  if (x < 0.0) x = -x;
  return x < 1.0 ? 1.0 - x : 0.0;
}

// precompute_coeffs + normalize_coeffs_8bpc for output indices [from, from + n) of out_size,
// source indices shifted by offset (the crop's edge).
static int coefficients(int in_size, int offset, int out_size, int from, int n, Coeffs *c) {
  double scale = (double)in_size / out_size, filterscale = scale < 1.0 ? 1.0 : scale;
  double support = filterscale, ss = 1.0 / filterscale;
  int ksize = (int)ceil(support) * 2 + 1;
  double *k = malloc(sizeof(double) * ksize);
  c->start = malloc(sizeof(int) * n);
  c->count = malloc(sizeof(int) * n);
  c->w = calloc((size_t)n * ksize, sizeof(int));
  c->ksize = ksize;
  if (!k || !c->start || !c->count || !c->w) {
    free(k);
    return 0;
  }
  for (int i = 0; i < n; i++) {
    double center = (from + i + 0.5) * scale, ww = 0.0;
    int xmin = (int)(center - support + 0.5), xmax = (int)(center + support + 0.5);
    if (xmin < 0) xmin = 0;
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    for (int x = 0; x < xmax; x++) {
      k[x] = bilinear((x + xmin - center + 0.5) * ss);
      ww += k[x];
    }
    for (int x = 0; x < xmax; x++) {
      double v = ww != 0.0 ? k[x] / ww : k[x];
      c->w[i * ksize + x] = v < 0 ? (int)(-0.5 + v * (1 << PRECISION_BITS)) : (int)(0.5 + v * (1 << PRECISION_BITS));
    }
    c->start[i] = xmin + offset;
    c->count[i] = xmax;
  }
  free(k);
  return 1;
}

static void free_coeffs(Coeffs *c) {
  free(c->start);
  free(c->count);
  free(c->w);
}

static inline unsigned char clip8(int in) {
  if (in >= (1 << PRECISION_BITS << 8)) return 255;
  if (in <= 0) return 0;
  return (unsigned char)(in >> PRECISION_BITS);
}

static napi_value str(napi_env env, const char *s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

// A decompressor that failed is replaced: libjpeg keeps tables from the damaged stream, and a
// later good image can trip over them ("Bogus Huffman table definition", seen with libjpeg-turbo 2.1.5).
static napi_value fail(napi_env env, State *s, const char *why) {
  napi_value v = str(env, why);
  tjDestroy(s->tj);
  s->tj = tjInitDecompress();
  return v;
}

static napi_value num(napi_env env, int n) {
  napi_value v;
  napi_create_int32(env, n, &v);
  return v;
}

// transform(bytes, params: Int32Array [width, height, left, top, bw, bh, outW, outH, wl, wt, ww, wh,
// flip], out: Uint8Array) → 0 decoded from colour, 1 from grayscale, 2 CMYK (not decoded: the
// caller uses libvips), or a string naming what is wrong.
static napi_value transform(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  State *s;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_get_instance_data(env, (void **)&s);
  napi_typedarray_type type;
  size_t n_src, n_par, n_out;
  void *src, *par, *outp;
  if (argc < 3 || napi_get_typedarray_info(env, argv[0], &type, &n_src, &src, NULL, NULL) != napi_ok ||
      napi_get_typedarray_info(env, argv[1], &type, &n_par, &par, NULL, NULL) != napi_ok || type != napi_int32_array || n_par < 13 ||
      napi_get_typedarray_info(env, argv[2], &type, &n_out, &outp, NULL, NULL) != napi_ok) {
    napi_throw_type_error(env, NULL, "transform(bytes, Int32Array(13), out)");
    return NULL;
  }
  const int *p = par;
  int width, height, sub, space;
  if (!s->tj) return str(env, "libjpeg-turbo: cannot start a decompressor");
  if (tjDecompressHeader3(s->tj, src, (unsigned long)n_src, &width, &height, &sub, &space) != 0) return fail(env, s, tjGetErrorStr2(s->tj));
  if (width != p[0] || height != p[1]) return str(env, "its JPEG header disagrees with its frame size");
  if (space == TJCS_CMYK || space == TJCS_YCCK) return num(env, 2);
  int left = p[2], top = p[3], bw = p[4], bh = p[5], ow_full = p[6], oh_full = p[7];
  int wl = p[8], wt = p[9], ow = p[10], oh = p[11], flip = p[12];
  if (left < 0 || top < 0 || bw < 1 || bh < 1 || left + bw > width || top + bh > height || ow < 1 || oh < 1 || (size_t)3 * ow * oh > n_out)
    return str(env, "bad transform parameters");
  if (!grow(&s->rgb, &s->rgb_cap, (size_t)width * height * 3)) return str(env, "out of memory");
  if (tjDecompress2(s->tj, src, (unsigned long)n_src, s->rgb, width, width * 3, height, TJPF_RGB, TJFLAG_STOPONWARNING) != 0)
    return fail(env, s, tjGetErrorStr2(s->tj));
  Coeffs H = {0}, V = {0};
  int ok = coefficients(bw, left, ow_full, wl, ow, &H) && coefficients(bh, top, oh_full, wt, oh, &V);
  int first = ok ? V.start[0] : 0, last = ok ? V.start[oh - 1] + V.count[oh - 1] : 0, stride = ow * 3;
  int *restrict acc = ok ? malloc(sizeof(int) * stride) : NULL;
  if (!acc || !grow(&s->tmp, &s->tmp_cap, (size_t)(last - first) * stride)) {
    free(acc);
    free_coeffs(&H);
    free_coeffs(&V);
    return str(env, "out of memory");
  }
  const unsigned char *restrict rgb = s->rgb;
  unsigned char *restrict tmp = s->tmp, *restrict out = outp;
  for (int y = first; y < last; y++) {
    const unsigned char *row = rgb + (size_t)y * width * 3;
    unsigned char *t = tmp + (size_t)(y - first) * stride;
    for (int x = 0; x < ow; x++) {
      const unsigned char *q = row + H.start[x] * 3;
      const int *k = H.w + x * H.ksize;
      int s0 = 1 << (PRECISION_BITS - 1), s1 = s0, s2 = s0;
      // Two and three taps (nearly every pixel of a RandomResizedCrop) with their counts known.
      if (H.count[x] == 2) {
        s0 += q[0] * k[0] + q[3] * k[1];
        s1 += q[1] * k[0] + q[4] * k[1];
        s2 += q[2] * k[0] + q[5] * k[1];
      } else if (H.count[x] == 3) {
        s0 += q[0] * k[0] + q[3] * k[1] + q[6] * k[2];
        s1 += q[1] * k[0] + q[4] * k[1] + q[7] * k[2];
        s2 += q[2] * k[0] + q[5] * k[1] + q[8] * k[2];
      } else {
        for (int i = 0; i < H.count[x]; i++, q += 3) {
          s0 += q[0] * k[i];
          s1 += q[1] * k[i];
          s2 += q[2] * k[i];
        }
      }
      t[3 * x] = clip8(s0);
      t[3 * x + 1] = clip8(s1);
      t[3 * x + 2] = clip8(s2);
    }
  }
  size_t plane = (size_t)ow * oh;
  for (int y = 0; y < oh; y++) {
    const int *k = V.w + y * V.ksize;
    const unsigned char *restrict r0 = tmp + (size_t)(V.start[y] - first) * stride;
    // The first tap initialises the accumulator; each further tap adds a row (vectorised).
    for (int i = 0; i < stride; i++) acc[i] = (1 << (PRECISION_BITS - 1)) + r0[i] * k[0];
    for (int j = 1; j < V.count[y]; j++) {
      const unsigned char *restrict r = r0 + (size_t)j * stride;
      int w = k[j];
      for (int i = 0; i < stride; i++) acc[i] += r[i] * w;
    }
    for (int c = 0; c < 3; c++) {
      unsigned char *restrict o = out + c * plane + (size_t)y * ow;
      if (flip)
        for (int x = 0; x < ow; x++) o[ow - 1 - x] = clip8(acc[3 * x + c]);
      else
        for (int x = 0; x < ow; x++) o[x] = clip8(acc[3 * x + c]);
    }
  }
  free(acc);
  free_coeffs(&H);
  free_coeffs(&V);
  return num(env, space == TJCS_GRAY ? 1 : 0);
}

NAPI_MODULE_INIT() {
  State *s = calloc(1, sizeof(State));
  if (!s || !(s->tj = tjInitDecompress())) {
    napi_throw_error(env, NULL, "libjpeg-turbo: cannot start a decompressor");
    return NULL;
  }
  napi_set_instance_data(env, s, finalize, NULL);
  napi_value fn;
  napi_create_function(env, "transform", NAPI_AUTO_LENGTH, transform, NULL, &fn);
  napi_set_named_property(env, exports, "transform", fn);
  return exports;
}
