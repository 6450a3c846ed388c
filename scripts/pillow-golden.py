# Writes test/fixtures/pillow/: a few small images and what Pillow makes of them under
# torchvision's transforms (crop then resize(BILINEAR), a horizontal flip; resize then centre
# crop), for test/data/pillow.test.ts, which requires our decoder and resize to give the same
# bytes. Run with Debian's python3-pil (9.4): /usr/bin/python3 scripts/pillow-golden.py
import base64, io, json, math, os
from PIL import Image

out = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'pillow')
os.makedirs(out, exist_ok=True)

def pattern(w, h):
    px = bytearray()
    for y in range(h):
        for x in range(w):
            # Smooth ramps, a hard diagonal and a checker: up- and down-sampling both show.
            r = (x * 255) // (w - 1)
            g = (y * 255) // (h - 1)
            b = 250 if abs(x - y) < 2 else (30 if (x // 3 + y // 3) % 2 else 140)
            px += bytes((r, g, (b + 7 * x * y) % 256))
    return Image.frombytes('RGB', (w, h), bytes(px))

images = {}
def save(name, img, **kw):
    buf = io.BytesIO()
    img.save(buf, **kw)
    open(os.path.join(out, name), 'wb').write(buf.getvalue())
    images[name] = buf.getvalue()

save('ramp420.jpg', pattern(67, 45), format='JPEG', quality=90)
save('ramp444p.jpg', pattern(50, 61), format='JPEG', quality=85, subsampling=0, progressive=True)
save('gray.jpg', pattern(41, 38).convert('L'), format='JPEG', quality=92)
rgba = pattern(33, 29).convert('RGBA')
rgba.putalpha(Image.linear_gradient('L').resize((33, 29)))
save('alpha.png', rgba, format='PNG')

cases = []
def case(name, kind, box, size, flip, resize=None):
    img = Image.open(io.BytesIO(images[name])).convert('RGB')
    if kind == 'train':
        l, t, w, h = box
        res = img.crop((l, t, l + w, t + h)).resize(size, Image.BILINEAR)
    else:
        res = img.resize(resize, Image.BILINEAR).crop((box[0], box[1], box[0] + box[2], box[1] + box[3]))
    if flip:
        res = res.transpose(Image.FLIP_LEFT_RIGHT)
    cases.append({'image': name, 'kind': kind, 'box': box, 'size': list(size), 'resize': resize, 'flip': flip,
                  'rgb': base64.b64encode(res.tobytes()).decode()})

for name in images:
    w, h = Image.open(io.BytesIO(images[name])).size
    case(name, 'train', [0, 0, w, h], (20, 20), False)               # whole image, down
    case(name, 'train', [3, 5, 9, 7], (24, 20), True)                 # tiny crop, up ~×3
    case(name, 'train', [w - 25, h - 21, 25, 21], (11, 10), False)    # corner crop, down ~×2.3
    case(name, 'train', [1, 2, w - 3, h // 2], (16, 16), True)        # wide strip, mixed
    # Validation: Resize(shorter → 23) then CenterCrop(20), torchvision's arithmetic.
    short, long_ = min(w, h), max(w, h)
    rw, rh = (23, int(23 * h / w)) if w <= h else (int(23 * w / h), 23)
    case(name, 'val', [int(round((rw - 20) / 2.0)), int(round((rh - 20) / 2.0)), 20, 20], (20, 20), False, [rw, rh])

import PIL
json.dump({'pillow': PIL.__version__, 'cases': cases}, open(os.path.join(out, 'cases.json'), 'w'), indent=0)
print(len(cases), 'cases, Pillow', PIL.__version__)
