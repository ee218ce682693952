//! `openjpeg-oracle CODESTREAM OUT`: decodes a JPEG 2000 / HTJ2K codestream (or JP2 file) with
//! OpenJPEG's C library and writes its components interleaved by pixel as little-endian i32 to
//! OUT; prints `width height components precision signed` on stdout.

use std::ffi::c_void;
use std::ptr;

use openjpeg_sys as opj;

struct Source {
    data: Vec<u8>,
    pos: usize,
}

unsafe extern "C" fn read(buffer: *mut c_void, n: usize, user: *mut c_void) -> usize {
    let source = &mut *(user as *mut Source);
    let left = source.data.len() - source.pos;
    if left == 0 {
        return usize::MAX; // (OPJ_SIZE_T)-1: end of stream
    }
    let count = n.min(left);
    ptr::copy_nonoverlapping(
        source.data.as_ptr().add(source.pos),
        buffer as *mut u8,
        count,
    );
    source.pos += count;
    count
}

unsafe extern "C" fn skip(n: i64, user: *mut c_void) -> i64 {
    let source = &mut *(user as *mut Source);
    let target = (source.pos as i64 + n).clamp(0, source.data.len() as i64);
    let skipped = target - source.pos as i64;
    source.pos = target as usize;
    skipped
}

unsafe extern "C" fn seek(to: i64, user: *mut c_void) -> i32 {
    let source = &mut *(user as *mut Source);
    if to < 0 || to as usize > source.data.len() {
        return 0;
    }
    source.pos = to as usize;
    1
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: openjpeg-oracle CODESTREAM OUT");
        std::process::exit(2);
    }
    let data = std::fs::read(&args[1]).expect("readable codestream");
    let format = if data.starts_with(&[0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20]) {
        opj::CODEC_FORMAT::OPJ_CODEC_JP2
    } else {
        opj::CODEC_FORMAT::OPJ_CODEC_J2K
    };
    let length = data.len() as u64;
    let mut source = Box::new(Source { data, pos: 0 });
    // SAFETY: the OpenJPEG API is used as documented: one stream and one codec, both
    // destroyed before returning; the source outlives them.
    unsafe {
        let stream = opj::opj_stream_default_create(1);
        opj::opj_stream_set_read_function(stream, Some(read));
        opj::opj_stream_set_skip_function(stream, Some(skip));
        opj::opj_stream_set_seek_function(stream, Some(seek));
        opj::opj_stream_set_user_data(stream, &mut *source as *mut Source as *mut c_void, None);
        opj::opj_stream_set_user_data_length(stream, length);
        let codec = opj::opj_create_decompress(format);
        let mut params: opj::opj_dparameters_t = std::mem::zeroed();
        opj::opj_set_default_decoder_parameters(&mut params);
        let mut image: *mut opj::opj_image_t = ptr::null_mut();
        let ok = opj::opj_setup_decoder(codec, &mut params) != 0
            && opj::opj_read_header(stream, codec, &mut image) != 0
            && opj::opj_decode(codec, stream, image) != 0
            && opj::opj_end_decompress(codec, stream) != 0;
        if !ok || image.is_null() {
            eprintln!("openjpeg-oracle: OpenJPEG could not decode the codestream");
            std::process::exit(1);
        }
        let img = &*image;
        let comps = std::slice::from_raw_parts(img.comps, img.numcomps as usize);
        let (w, h) = (comps[0].w as usize, comps[0].h as usize);
        if comps.iter().any(|c| c.w as usize != w || c.h as usize != h) {
            eprintln!("openjpeg-oracle: subsampled components are not compared");
            std::process::exit(1);
        }
        let planes: Vec<&[i32]> = comps
            .iter()
            .map(|c| std::slice::from_raw_parts(c.data, w * h))
            .collect();
        let mut out = Vec::with_capacity(w * h * planes.len() * 4);
        for i in 0..w * h {
            for plane in &planes {
                out.extend_from_slice(&plane[i].to_le_bytes());
            }
        }
        std::fs::write(&args[2], out).expect("writable output");
        println!(
            "{w} {h} {} {} {}",
            comps.len(),
            comps[0].prec,
            comps[0].sgnd
        );
        opj::opj_image_destroy(image);
        opj::opj_destroy_codec(codec);
        opj::opj_stream_destroy(stream);
    }
}
