//! The WebGL2 renderer of one viewport.
//!
//! Contract: `new(canvas)` gets a WebGL2 context or says why not; `upload(frame)` puts a
//! decoded frame in an integer texture (R16UI / R16I / R8UI / R8I, RGB8UI for colour: exact
//! stored values, no normalisation, no float conversion on the CPU); `upload_voi_lut(lut)` puts
//! a VOI LUT in a second integer texture; `draw(params)` applies the rescale, the VOI window or
//! LUT and inversion in the fragment shader (one program per way of drawing, see `shader`): no
//! pass over a frame's samples runs on the page's thread. The drawing buffer is preserved so
//! the page can be read back (export, tests).

mod shader;

use std::collections::HashMap;

use shader::{Curve, Program, Sampler, Variant, LUT_ROW};
use viewer_core::lut::Lut;
use viewer_core::view::ViewState;
use viewer_core::voi::VoiFunction;
use viewer_core::{DecodedFrame, Samples};
use wasm_bindgen::JsCast;
use web_sys::{
    HtmlCanvasElement, WebGl2RenderingContext as Gl, WebGlTexture, WebGlVertexArrayObject,
};

/// How a grey image's modality values become grey levels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Grey {
    /// A VOI window (centre and width in modality units) through its function.
    Window {
        center: f32,
        width: f32,
        function: VoiFunction,
    },
    /// Through the VOI LUT of [`Renderer::upload_voi_lut`].
    Lut,
}

/// What the shader needs to turn stored values into grey levels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrawParams {
    /// Stored values into modality values (Rescale Slope and Intercept).
    pub slope: f32,
    pub intercept: f32,
    pub grey: Grey,
    pub invert: bool,
    /// Bilinear interpolation of modality values (or colours) between texels; nearest
    /// neighbour otherwise, which shows the stored values exactly.
    pub smooth: bool,
}

pub struct Renderer {
    gl: Gl,
    canvas: HtmlCanvasElement,
    /// The programs drawn with so far, each compiled when first needed.
    programs: HashMap<Variant, Program>,
    _vao: WebGlVertexArrayObject,
    texture: Option<(WebGlTexture, Sampler, bool, u32, u32)>,
    voi_lut: Option<LutTexture>,
}

/// A VOI LUT in its texture, with what the shader indexes it by.
struct LutTexture {
    texture: WebGlTexture,
    first_mapped: f32,
    entries: i32,
    max_output: f32,
}

impl Renderer {
    /// The renderer kept in `slot`, made on `canvas` the first time it is needed.
    pub fn in_slot(
        slot: &mut Option<Renderer>,
        canvas: HtmlCanvasElement,
    ) -> Result<&mut Renderer, String> {
        if slot.is_none() {
            *slot = Some(Renderer::new(canvas)?);
        }
        slot.as_mut().ok_or_else(|| "no renderer".to_string())
    }

    pub fn new(canvas: HtmlCanvasElement) -> Result<Self, String> {
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"preserveDrawingBuffer".into(), &true.into());
        let _ = js_sys::Reflect::set(&options, &"antialias".into(), &false.into());
        let gl: Gl = canvas
            .get_context_with_context_options("webgl2", &options)
            .map_err(|_| "getContext failed".to_string())?
            .ok_or_else(|| "no WebGL2 context".to_string())?
            .dyn_into()
            .map_err(|_| "not a WebGL2 context".to_string())?;
        let vao = gl
            .create_vertex_array()
            .ok_or_else(|| "createVertexArray failed".to_string())?;
        gl.bind_vertex_array(Some(&vao));
        gl.pixel_storei(Gl::UNPACK_ALIGNMENT, 1);
        Ok(Renderer {
            gl,
            canvas,
            programs: HashMap::new(),
            _vao: vao,
            texture: None,
            voi_lut: None,
        })
    }

    /// Puts `frame` in the texture drawn by [`Renderer::draw`].
    pub fn upload(&mut self, frame: &DecodedFrame) -> Result<(), String> {
        let gl = &self.gl;
        let (w, h) = (i32::from(frame.columns), i32::from(frame.rows));
        let color = frame.samples_per_pixel == 3;
        let (internal, format, kind, sampler) = match (&frame.samples, color) {
            (Samples::U16(_), false) => (
                Gl::R16UI,
                Gl::RED_INTEGER,
                Gl::UNSIGNED_SHORT,
                Sampler::Unsigned,
            ),
            (Samples::I16(_), false) => (Gl::R16I, Gl::RED_INTEGER, Gl::SHORT, Sampler::Signed),
            (Samples::U8(_), false) => (
                Gl::R8UI,
                Gl::RED_INTEGER,
                Gl::UNSIGNED_BYTE,
                Sampler::Unsigned,
            ),
            (Samples::I8(_), false) => (Gl::R8I, Gl::RED_INTEGER, Gl::BYTE, Sampler::Signed),
            (Samples::U32(_), false) => (
                Gl::R32UI,
                Gl::RED_INTEGER,
                Gl::UNSIGNED_INT,
                Sampler::Unsigned,
            ),
            (Samples::I32(_), false) => (Gl::R32I, Gl::RED_INTEGER, Gl::INT, Sampler::Signed),
            (Samples::U8(_), true) => (
                Gl::RGB8UI,
                Gl::RGB_INTEGER,
                Gl::UNSIGNED_BYTE,
                Sampler::Unsigned,
            ),
            _ => return Err("colour samples wider than 8 bits are not displayed yet".into()),
        };
        let texture = new_texture(gl, Gl::TEXTURE0, internal, w, h)?;
        let view = wasm_view(&frame.samples);
        let result = gl
            .tex_sub_image_2d_with_i32_and_i32_and_u32_and_type_and_opt_array_buffer_view(
                Gl::TEXTURE_2D,
                0,
                0,
                0,
                w,
                h,
                format,
                kind,
                Some(&view),
            );
        result.map_err(|_| "texture upload failed".to_string())?;
        if let Some((old, ..)) = self.texture.take() {
            gl.delete_texture(Some(&old));
        }
        self.texture = Some((texture, sampler, color, w as u32, h as u32));
        Ok(())
    }

    /// Puts `lut` in the texture a [`Grey::Lut`] draw reads: its outputs (at most 16 bits) in
    /// rows of [`LUT_ROW`], the last row padded with the last output.
    pub fn upload_voi_lut(&mut self, lut: &Lut) -> Result<(), String> {
        let entries = lut.values.len();
        if entries == 0 || entries > LUT_ROW * LUT_ROW {
            return Err("a VOI LUT of no entries or more than 65536".into());
        }
        let rows = entries.div_ceil(LUT_ROW);
        let last = lut.values[entries - 1];
        let words: Vec<u16> = (0..rows * LUT_ROW)
            .map(|i| lut.values.get(i).copied().unwrap_or(last).min(0xFFFF) as u16)
            .collect();
        let gl = &self.gl;
        let (w, h) = (LUT_ROW as i32, rows as i32);
        let texture = new_texture(gl, Gl::TEXTURE1, Gl::R16UI, w, h)?;
        let view = js_sys::Uint16Array::from(words.as_slice());
        let uploaded = gl
            .tex_sub_image_2d_with_i32_and_i32_and_u32_and_type_and_opt_array_buffer_view(
                Gl::TEXTURE_2D,
                0,
                0,
                0,
                w,
                h,
                Gl::RED_INTEGER,
                Gl::UNSIGNED_SHORT,
                Some(&view),
            );
        gl.active_texture(Gl::TEXTURE0);
        if uploaded.is_err() {
            gl.delete_texture(Some(&texture));
            return Err("VOI LUT upload failed".into());
        }
        if let Some(old) = self.voi_lut.take() {
            gl.delete_texture(Some(&old.texture));
        }
        self.voi_lut = Some(LutTexture {
            texture,
            first_mapped: lut.first_mapped as f32,
            entries: entries as i32,
            max_output: lut.max_output().max(1) as f32,
        });
        Ok(())
    }

    /// Matches the drawing buffer to the canvas's displayed size.
    pub fn resize(&self) {
        let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
        let width = (f64::from(self.canvas.client_width()) * ratio)
            .round()
            .max(1.0) as u32;
        let height = (f64::from(self.canvas.client_height()) * ratio)
            .round()
            .max(1.0) as u32;
        if self.canvas.width() != width || self.canvas.height() != height {
            self.canvas.set_width(width);
            self.canvas.set_height(height);
        }
    }

    /// Draws the uploaded frame as `view` places it (square pixels; fit when zoom is 1).
    /// Draws the uploaded frame; fails only when its program cannot be compiled.
    pub fn draw(&mut self, params: &DrawParams, view: &ViewState) -> Result<(), String> {
        let gl = &self.gl;
        let (cw, ch) = (self.canvas.width() as f32, self.canvas.height() as f32);
        gl.viewport(0, 0, cw as i32, ch as i32);
        gl.clear_color(0.0, 0.0, 0.0, 1.0);
        gl.clear(Gl::COLOR_BUFFER_BIT);
        let Some((texture, sampler, color, w, h)) = &self.texture else {
            return Ok(());
        };
        let (curve, center, width) = match params.grey {
            Grey::Window {
                center,
                width,
                function,
            } => (
                match function {
                    VoiFunction::Linear => Curve::Linear,
                    VoiFunction::LinearExact => Curve::LinearExact,
                    VoiFunction::Sigmoid => Curve::Sigmoid,
                },
                center,
                width,
            ),
            Grey::Lut => (Curve::Lut, 0.0, 1.0),
        };
        let lut = match (&self.voi_lut, curve) {
            (Some(lut), Curve::Lut) => Some(lut),
            (None, Curve::Lut) if !*color => return Err("a VOI LUT draw without a VOI LUT".into()),
            _ => None,
        };
        let variant = Variant {
            sampler: *sampler,
            color: *color,
            smooth: params.smooth,
            curve,
        };
        let program = match self.programs.entry(variant) {
            std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(Program::new(gl, variant)?)
            }
        };
        gl.use_program(Some(&program.program));
        let (image, canvas) = (
            [f64::from(*w), f64::from(*h)],
            [f64::from(cw), f64::from(ch)],
        );
        let map = view.canvas_from_image(image, canvas);
        // clip = S · (M · (corner ⊙ image) + t) + (-1, 1), with S = diag(2/cw, -2/ch).
        let (sx, sy) = (2.0 / canvas[0], -2.0 / canvas[1]);
        let a = [
            sx * map.m[0] * image[0],
            sx * map.m[1] * image[1],
            sy * map.m[2] * image[0],
            sy * map.m[3] * image[1],
        ];
        let offset = [sx * map.t[0] - 1.0, sy * map.t[1] + 1.0];
        gl.active_texture(Gl::TEXTURE0);
        gl.bind_texture(Gl::TEXTURE_2D, Some(texture));
        let p = &program.program;
        let loc = |name: &str| gl.get_uniform_location(p, name);
        gl.uniform1i(loc("u_image").as_ref(), 0);
        // Column-major for GLSL's mat2.
        gl.uniform_matrix2fv_with_f32_array(
            loc("u_clip_from_corner").as_ref(),
            false,
            &[a[0] as f32, a[2] as f32, a[1] as f32, a[3] as f32],
        );
        gl.uniform2f(
            loc("u_clip_offset").as_ref(),
            offset[0] as f32,
            offset[1] as f32,
        );
        gl.uniform1f(loc("u_slope").as_ref(), params.slope);
        gl.uniform1f(loc("u_intercept").as_ref(), params.intercept);
        gl.uniform1f(loc("u_center").as_ref(), center);
        gl.uniform1f(loc("u_width").as_ref(), width);
        if let (Some(lut), false) = (lut, *color) {
            gl.active_texture(Gl::TEXTURE1);
            gl.bind_texture(Gl::TEXTURE_2D, Some(&lut.texture));
            gl.active_texture(Gl::TEXTURE0);
            gl.uniform1i(loc("u_lut").as_ref(), 1);
            gl.uniform1f(loc("u_lut_first").as_ref(), lut.first_mapped);
            gl.uniform1i(loc("u_lut_count").as_ref(), lut.entries);
            gl.uniform1f(loc("u_lut_max").as_ref(), lut.max_output);
        }
        gl.uniform1i(loc("u_invert").as_ref(), i32::from(params.invert));
        gl.draw_arrays(Gl::TRIANGLE_STRIP, 0, 4);
        Ok(())
    }

    /// Whether the context was lost (the GPU process restarted); the viewport then says so.
    pub fn is_lost(&self) -> bool {
        self.gl.is_context_lost()
    }
}

impl Drop for Renderer {
    fn drop(&mut self) {
        if let Some((texture, ..)) = self.texture.take() {
            self.gl.delete_texture(Some(&texture));
        }
        if let Some(lut) = self.voi_lut.take() {
            self.gl.delete_texture(Some(&lut.texture));
        }
        for program in self.programs.values() {
            self.gl.delete_program(Some(&program.program));
        }
    }
}

/// A texture of one level, `width` x `height` of `internal`, nearest texel, on `unit`.
fn new_texture(
    gl: &Gl,
    unit: u32,
    internal: u32,
    width: i32,
    height: i32,
) -> Result<WebGlTexture, String> {
    let texture = gl
        .create_texture()
        .ok_or_else(|| "createTexture failed".to_string())?;
    gl.active_texture(unit);
    gl.bind_texture(Gl::TEXTURE_2D, Some(&texture));
    for (name, value) in [
        (Gl::TEXTURE_MIN_FILTER, Gl::NEAREST),
        (Gl::TEXTURE_MAG_FILTER, Gl::NEAREST),
        (Gl::TEXTURE_WRAP_S, Gl::CLAMP_TO_EDGE),
        (Gl::TEXTURE_WRAP_T, Gl::CLAMP_TO_EDGE),
    ] {
        gl.tex_parameteri(Gl::TEXTURE_2D, name, value as i32);
    }
    gl.tex_storage_2d(Gl::TEXTURE_2D, 1, internal, width, height);
    Ok(texture)
}

/// A typed array of `samples`' own type over the wasm memory that holds them: the texture
/// upload reads the samples where they are, with no copy on the way. The view is made right
/// before the upload and not kept (memory growth would detach it).
fn wasm_view(samples: &Samples) -> js_sys::Object {
    let buffer = wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer();
    // A slice's address is its byte offset in the wasm32 memory; the length is in elements.
    macro_rules! view {
        ($array:ty, $v:expr) => {
            <$array>::new_with_byte_offset_and_length(&buffer, $v.as_ptr() as u32, $v.len() as u32)
                .into()
        };
    }
    match samples {
        Samples::U8(v) => view!(js_sys::Uint8Array, v),
        Samples::I8(v) => view!(js_sys::Int8Array, v),
        Samples::U16(v) => view!(js_sys::Uint16Array, v),
        Samples::I16(v) => view!(js_sys::Int16Array, v),
        Samples::U32(v) => view!(js_sys::Uint32Array, v),
        Samples::I32(v) => view!(js_sys::Int32Array, v),
    }
}
