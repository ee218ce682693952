//! The WebGL2 renderer of one viewport.
//!
//! Contract: `new(canvas)` gets a WebGL2 context or says why not; `upload(frame)` puts a
//! decoded frame in an integer texture (R16UI / R16I / R8UI / R8I, RGB8UI for colour: exact
//! stored values, no normalisation, no float conversion on the CPU); `draw(params)` applies the
//! Modality LUT (rescale), the VOI window and inversion in the fragment shader (one program
//! per way of drawing, see `shader`). The drawing buffer is preserved so the page can be read
//! back (export, tests).

mod shader;

use std::collections::HashMap;

use shader::{Program, Sampler, Variant};
use viewer_core::view::ViewState;
use viewer_core::{DecodedFrame, Samples};
use wasm_bindgen::JsCast;
use web_sys::{
    HtmlCanvasElement, WebGl2RenderingContext as Gl, WebGlTexture, WebGlVertexArrayObject,
};

/// What the shader needs to turn stored values into grey levels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrawParams {
    pub slope: f32,
    pub intercept: f32,
    pub center: f32,
    pub width: f32,
    /// VOI LUT Function: 0 LINEAR, 1 LINEAR_EXACT, 2 SIGMOID.
    pub function: i32,
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
}

impl Renderer {
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
        let texture = gl
            .create_texture()
            .ok_or_else(|| "createTexture failed".to_string())?;
        gl.bind_texture(Gl::TEXTURE_2D, Some(&texture));
        for (name, value) in [
            (Gl::TEXTURE_MIN_FILTER, Gl::NEAREST),
            (Gl::TEXTURE_MAG_FILTER, Gl::NEAREST),
            (Gl::TEXTURE_WRAP_S, Gl::CLAMP_TO_EDGE),
            (Gl::TEXTURE_WRAP_T, Gl::CLAMP_TO_EDGE),
        ] {
            gl.tex_parameteri(Gl::TEXTURE_2D, name, value as i32);
        }
        gl.tex_storage_2d(Gl::TEXTURE_2D, 1, internal, w, h);
        let result = match &frame.samples {
            Samples::U8(v) => gl
                .tex_sub_image_2d_with_i32_and_i32_and_u32_and_type_and_opt_u8_array(
                    Gl::TEXTURE_2D,
                    0,
                    0,
                    0,
                    w,
                    h,
                    format,
                    kind,
                    Some(v),
                ),
            other => {
                let view = decode_worker::wire::samples_to_js(other);
                gl.tex_sub_image_2d_with_i32_and_i32_and_u32_and_type_and_opt_array_buffer_view(
                    Gl::TEXTURE_2D,
                    0,
                    0,
                    0,
                    w,
                    h,
                    format,
                    kind,
                    Some(&view),
                )
            }
        };
        result.map_err(|_| "texture upload failed".to_string())?;
        if let Some((old, ..)) = self.texture.take() {
            gl.delete_texture(Some(&old));
        }
        self.texture = Some((texture, sampler, color, w as u32, h as u32));
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
        let variant = Variant {
            sampler: *sampler,
            color: *color,
            smooth: params.smooth,
            function: params.function,
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
        gl.uniform1f(loc("u_center").as_ref(), params.center);
        gl.uniform1f(loc("u_width").as_ref(), params.width);
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
        for program in self.programs.values() {
            self.gl.delete_program(Some(&program.program));
        }
    }
}
