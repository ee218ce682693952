#!/usr/bin/env python3
"""Seeds for the `codestream` fuzz target: small crops of the shared CT and of a corpus RGB
image encoded as HTJ2K, JPEG 2000 and JPEG XL by the reference encoders (imagecodecs), each
prefixed with the selector byte the target reads (module index | syntax index << 2).

Usage: fuzz_seeds.py SHARED_DIR OUT_DIR
"""

import sys
from pathlib import Path

import imagecodecs
import numpy as np
import pydicom


def main():
    shared, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    ct = pydicom.dcmread(shared / "ct-series/explicit-vr-le/CT0030.dcm").pixel_array
    rgb = pydicom.dcmread(
        shared / "dicom-corpus/pydicom/test_files/examples_rgb_color.dcm").pixel_array
    crops = [
        ct[200:264, 200:264].astype(np.int16),
        (ct[200:264, 200:264].astype(np.int64) & 0xFFF).astype(np.uint16),
        (ct[240:272, 240:272] >> 4).astype(np.uint8),
        np.ascontiguousarray(rgb[100:132, 100:132]),
    ]
    for module, image in enumerate(crops):
        colour = image.ndim == 3
        encoded = {
            0: [imagecodecs.htj2k_encode(image, reversible=True, rgb=False),
                imagecodecs.htj2k_encode(image, level=30, reversible=False, rgb=False)],
            1: [imagecodecs.jpeg2k_encode(image, level=0)],
            2: [] if image.dtype == np.int16 else
               [imagecodecs.jpegxl_encode(image, lossless=True),
                imagecodecs.jpegxl_encode(image, distance=1.0)],
        }
        if module == 1:  # 12 significant bits
            encoded[2] = [imagecodecs.jpegxl_encode(image, lossless=True, bitspersample=12)]
        for syntax, streams in encoded.items():
            for n, stream in enumerate(streams):
                name = f"m{module}_s{syntax}_{n}{'_rgb' if colour else ''}"
                (out / name).write_bytes(bytes([module | syntax << 2]) + stream)


if __name__ == "__main__":
    main()
