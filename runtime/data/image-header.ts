// Width, height and channel count from the first bytes of a JPEG or PNG: the native JPEG path
// needs the size for the crop box before it decodes (one call does both), and libvips' images
// are named grayscale or CMYK from it. Other formats (and anything unusual) return undefined.

export interface ImageHeader {
  width: number;
  height: number;
  /** 1 gray, 3 RGB/YCbCr, 4 CMYK/YCCK (JPEG) or gray/RGB + alpha (PNG). */
  channels: number;
  cmyk: boolean;
}

const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };

export function readHeader(b: Uint8Array): ImageHeader | undefined {
  if (b.length > 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) {
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const channels = PNG_CHANNELS[b[25]!];
    if (channels === undefined) return undefined;
    return { width: v.getUint32(16), height: v.getUint32(20), channels, cmyk: false };
  }
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 9 < b.length) {
    if (b[at] !== 0xff) return undefined;
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    }
    const len = (b[at + 2]! << 8) | b[at + 3]!;
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const height = (b[at + 5]! << 8) | b[at + 6]!;
      const width = (b[at + 7]! << 8) | b[at + 8]!;
      const channels = b[at + 9]!;
      if (!width || !height) return undefined;
      return { width, height, channels, cmyk: channels === 4 };
    }
    at += 2 + len;
  }
  return undefined;
}
