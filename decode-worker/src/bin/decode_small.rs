//! The small decoder worker: native, RLE, the JPEG family and JPEG-LS (loaded with the page).

fn main() {
    decode_worker::serve(viewer_core::Decoders::SMALL);
}
