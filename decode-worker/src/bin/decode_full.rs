//! The full decoder worker: every decoder, JPEG 2000, HTJ2K and JPEG XL included (loaded when
//! a series needs one).

fn main() {
    decode_worker::serve(viewer_core::Decoders::ALL);
}
