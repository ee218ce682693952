//! The full decoder worker: every decoder, JPEG XL included (loaded when a series needs it).

fn main() {
    decode_worker::serve(viewer_core::Decoders::ALL);
}
