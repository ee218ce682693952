//! The JPEG 2000 decoder worker: the small build's decoders, JPEG 2000 and HTJ2K (loaded when a
//! series needs them; JPEG XL is left to the full build).

fn main() {
    decode_worker::serve(viewer_core::Decoders::JPEG_2000);
}
