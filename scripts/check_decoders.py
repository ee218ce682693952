#!/usr/bin/env python3
"""Compares viewer-core's decoder (the dicom-decode CLI) with reference decoders on real files.

For every file with pixel data under the given folders, every frame is decoded by
`dicom-decode --raw` and by pydicom 3 (with pylibjpeg-libjpeg, pylibjpeg-openjpeg and pyjpegls
as its JPEG, JPEG 2000/HTJ2K and JPEG-LS plugins) and compared in the canonical layout:
little-endian integers of Bits Allocated width, 1-bit data one byte per pixel, colour
interleaved RGB after YBR conversion.

- lossless syntaxes must be bit-exact;
- lossy syntaxes, and YBR data converted to RGB, must be within TOLERANCE (max abs error);
- a file the reference decodes and we do not is a failure unless it is in KNOWN_GAPS;
- a file neither decodes, or only we decode, is reported.

JPEG XL, which pydicom 3.0 does not decode, is compared with libjxl (the `imagecodecs` wheel)
frame by frame, its unsigned samples read as DICOM says (Bits Stored, Pixel Representation).

Usage: check_decoders.py DICOM_DECODE FOLDER... [--report FILE]
"""

import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import imagecodecs
import numpy as np
import pydicom
from pydicom.encaps import generate_frames

LOSSY = {
    # JPEG baseline/extended: the standard leaves the IDCT's rounding and the chroma
    # upsampling filter to the decoder; jpeg-decoder and libjpeg differ by up to 5 here.
    "1.2.840.10008.1.2.4.50": 6,
    "1.2.840.10008.1.2.4.51": 6,
    "1.2.840.10008.1.2.4.81": 0,  # JPEG-LS near-lossless is deterministic
    "1.2.840.10008.1.2.4.91": 1,  # JPEG 2000 irreversible: float rounding
    "1.2.840.10008.1.2.4.203": 1,
    # JPEG XL recompressed JPEG: we decode the reconstructed JPEG, libjxl renders the DCT
    # coefficients itself: the JPEG tolerance applies.
    "1.2.840.10008.1.2.4.111": 6,
    "1.2.840.10008.1.2.4.112": 1,  # JPEG XL lossy: float rendering
}
JPEG_XL = ("1.2.840.10008.1.2.4.110", "1.2.840.10008.1.2.4.111", "1.2.840.10008.1.2.4.112")
YBR_TOLERANCE = 1  # YBR_FULL -> RGB in floating point, rounded
# Gaps recognised by a phrase of our error message (the reference decodes, we do not yet):
# none at the moment; add "phrase": "reason" when a decoder is missing.
KNOWN_GAPS = {}
# Single files where we differ from the reference, with what was found (each is an open gap).
KNOWN_FILES = {
    "pydicom/test_files/SC_jpeg_no_color_transform.dcm":
        "jpeg-decoder 0.3.2 differs from libjpeg and libjpeg-turbo (which agree within 1) on "
        "238 of 196608 samples, up to 110",
    "pydicom/test_files/SC_rgb_jpeg.dcm":
        "malformed data set that pydicom tolerates; dicom-rs (and Orthanc/DCMTK) refuse it",
}


def canonical(arr, bits_allocated, signed):
    if bits_allocated == 1:
        dtype = np.uint8
    else:
        dtype = {(8, False): "<u1", (8, True): "<i1", (16, False): "<u2", (16, True): "<i2",
                 (32, False): "<u4", (32, True): "<i4"}[(bits_allocated, signed)]
    return np.ascontiguousarray(arr).astype(dtype, copy=False).tobytes()


def as_ints(data, bits_allocated, signed):
    """Canonical bytes back into signed 64-bit integers, for error measurement."""
    width = max(8, bits_allocated) // 8
    kind = "i" if signed and bits_allocated > 1 else "u"
    return np.frombuffer(data, dtype=f"<{kind}{width}").astype(np.int64)


def jpeg_xl_frames(ds):
    """libjxl's decode of each frame, as the DICOM header reads it."""
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    bits, signed = int(ds.BitsStored), int(ds.PixelRepresentation) == 1
    out = []
    for codestream in generate_frames(ds.PixelData, number_of_frames=frames):
        values = imagecodecs.jpegxl_decode(codestream).astype(np.int64) & ((1 << bits) - 1)
        if signed:
            values = np.where(values >= 1 << (bits - 1), values - (1 << bits), values)
        out.append(values)
    return out


def reference_frames(ds):
    if str(ds.file_meta.get("TransferSyntaxUID", "")) in JPEG_XL:
        return jpeg_xl_frames(ds)
    arr = ds.pixel_array
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    return [arr[i] for i in range(frames)] if frames > 1 else [arr]


def gap_reason(message):
    return next((gap for gap in KNOWN_GAPS if gap in message), None)


def check(cli, path, raw_dir):
    """Returns (status, detail) for one file."""
    try:
        ds = pydicom.dcmread(path)
    except Exception as e:  # not DICOM, or unreadable: our parser must refuse it too
        ours = subprocess.run([cli, str(path)], capture_output=True, text=True)
        return ("refused by both" if ours.returncode else "ours only"), type(e).__name__
    if "PixelData" not in ds and "FloatPixelData" not in ds:
        return "no pixel data", ""
    ts = str(ds.file_meta.get("TransferSyntaxUID", ""))
    try:
        ref = reference_frames(ds)
        ref_error = None
    except Exception as e:
        ref, ref_error = None, f"{type(e).__name__}: {str(e)[:100]}"
    ours = subprocess.run([cli, str(path), "--raw", raw_dir], capture_output=True, text=True)
    if ours.returncode != 0:
        reason = ours.stderr.strip().splitlines()[-1] if ours.stderr.strip() else "failed"
        if ref is None:
            return "refused by both", f"ours: {reason[:90]} | reference: {ref_error}"
        gap = gap_reason(reason)
        if gap:
            return f"known gap: {gap}", reason[:120]
        return "FAIL", f"reference decodes, ours does not: {reason[:150]}"
    lines = [json.loads(line) for line in ours.stdout.splitlines()]
    if ref is None:
        return "ours only", f"reference: {ref_error}"
    if len(lines) != len(ref):
        return "FAIL", f"{len(lines)} frames, reference {len(ref)}"
    worst, ybr = 0, str(ds.get("PhotometricInterpretation", "")).startswith("YBR_FULL")
    for line, frame in zip(lines, ref):
        expected = canonical(frame, line["bits_allocated"], line["pixel_representation"] == 1)
        got = (Path(raw_dir) / f"frame_{line['frame']}.raw").read_bytes()
        if hashlib.sha256(expected).hexdigest() == line["sha256"]:
            continue
        if len(got) != len(expected):
            return "FAIL", f"frame {line['frame']}: {len(got)} bytes, reference {len(expected)}"
        signed = line["pixel_representation"] == 1
        a = as_ints(got, line["bits_allocated"], signed)
        b = as_ints(expected, line["bits_allocated"], signed)
        worst = max(worst, int(np.abs(a - b).max()))
    if worst == 0:
        return "exact", ts
    tolerance = LOSSY.get(ts, YBR_TOLERANCE if ybr else None)
    if tolerance is not None and worst <= tolerance:
        return "within tolerance", f"{ts} max abs error {worst} (allowed {tolerance})"
    return "FAIL", f"{ts} max abs error {worst}"


def main():
    args = sys.argv[1:]
    report = None
    if "--report" in args:
        i = args.index("--report")
        report = Path(args[i + 1])
        del args[i:i + 2]
    if len(args) < 2:
        sys.exit(__doc__)
    cli, folders = args[0], args[1:]
    files = sorted(p for f in folders for p in Path(f).rglob("*")
                   if p.is_file() and p.suffix not in (".md", ".tsv", ".py", ".txt", ".json", ".raw")
                   and p.name != "DICOMDIR")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            raw = Path(tmp) / "raw"
            if raw.exists():
                for f in raw.iterdir():
                    f.unlink()
            status, detail = check(cli, path, str(raw))
            known = next((why for name, why in KNOWN_FILES.items() if str(path).endswith(name)), None)
            if status == "FAIL" and known:
                status, detail = "known difference", f"{known} ({detail})"
            results.append((str(path), status, detail))
    counts = {}
    for _, status, _ in results:
        counts[status] = counts.get(status, 0) + 1
    lines = [f"| {status} | {n} |" for status, n in sorted(counts.items())]
    table = "\n".join(["| result | files |", "|---|---|", *lines])
    details = "\n".join(f"- `{p}`: {s} {('- ' + d) if d else ''}" for p, s, d in results
                        if s not in ("exact", "no pixel data"))
    print(table)
    print(details)
    if report:
        report.write_text(f"{table}\n\n{details}\n")
    failed = [r for r in results if r[1] == "FAIL"]
    if failed:
        print(f"\n{len(failed)} file(s) differ from the reference decoders", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
