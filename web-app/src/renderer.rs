//! The WebGL2 renderer of one viewport.
//!
//! Contract: `new(canvas)` gets a WebGL2 context or says why not; `upload(frame)` puts a
//! decoded frame in an integer texture (R16UI / R16I / R8UI / R8I, RGB8UI for colour: exact
//! stored values, no normalisation, no float conversion on the CPU); `draw(params)` applies the
//! Modality LUT (rescale), the VOI window and inversion in the fragment shader. The
//! drawing buffer is preserved so the page can be read back (export, tests).

use viewer_core::view::ViewState;
use viewer_core::{DecodedFrame, Samples};
use wasm_bindgen::JsCast;
use web_sys::{
    HtmlCanvasElement, WebGl2RenderingContext as Gl, WebGlProgram, WebGlShader, WebGlTexture,
    WebGlVertexArrayObject,
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sampler {
    Unsigned,
    Signed,
}

struct Program {
    program: WebGlProgram,
}

pub struct Renderer {
    gl: Gl,
    canvas: HtmlCanvasElement,
    unsigned: Program,
    signed: Program,
    _vao: WebGlVertexArrayObject,
    texture: Option<(WebGlTexture, Sampler, bool, u32, u32)>,
}

/// The image quad: `corner` is in image units (0..1, y down the rows); `u_clip_from_corner`
/// (from `viewer_core::view`) places it on the canvas with zoom, pan, rotation and flips.
const VERTEX: &str = r#"#version 300 es
uniform mat2 u_clip_from_corner;
uniform vec2 u_clip_offset;
out vec2 v_uv;
void main() {
  vec2 corner = vec2(float(gl_VertexID & 1), float((gl_VertexID >> 1) & 1));
  v_uv = corner;
  gl_Position = vec4(u_clip_from_corner * corner + u_clip_offset, 0.0, 1.0);
}
"#;

/// The VOI functions of PS3.3 C.11.2.1.2 and C.11.2.1.3, as `viewer_core::voi::WindowLevel::apply`.
const FRAGMENT: &str = r#"#version 300 es
precision highp float;
precision highp int;
precision highp SAMPLER;
uniform SAMPLER u_image;
uniform float u_slope;
uniform float u_intercept;
uniform float u_center;
uniform float u_width;
uniform int u_function;
uniform bool u_invert;
uniform bool u_color;
uniform bool u_smooth;
in vec2 v_uv;
out vec4 o_color;
vec4 value(ivec2 p) {
  vec4 t = vec4(texelFetch(u_image, p, 0));
  return u_color ? vec4(t.rgb / 255.0, 1.0) : vec4(t.r * u_slope + u_intercept);
}
void main() {
  ivec2 size = textureSize(u_image, 0);
  vec2 texel = v_uv * vec2(size);
  vec4 v;
  if (u_smooth) {
    // Between the centres of the four nearest texels (edges clamp).
    vec2 t = texel - 0.5;
    vec2 f = t - floor(t);
    ivec2 lo = clamp(ivec2(floor(t)), ivec2(0), size - 1);
    ivec2 hi = clamp(ivec2(floor(t)) + 1, ivec2(0), size - 1);
    v = mix(mix(value(lo), value(ivec2(hi.x, lo.y)), f.x),
            mix(value(ivec2(lo.x, hi.y)), value(hi), f.x), f.y);
  } else {
    v = value(clamp(ivec2(floor(texel)), ivec2(0), size - 1));
  }
  if (u_color) {
    o_color = vec4(u_invert ? 1.0 - v.rgb : v.rgb, 1.0);
    return;
  }
  float x = v.r;
  float y;
  if (u_function == 1) {
    y = clamp((x - u_center) / max(u_width, 1e-6) + 0.5, 0.0, 1.0);
  } else if (u_function == 2) {
    y = 1.0 / (1.0 + exp(-4.0 * (x - u_center) / max(u_width, 1e-6)));
  } else {
    float w = max(u_width, 1.0);
    if (x <= u_center - 0.5 - (w - 1.0) / 2.0) {
      y = 0.0;
    } else if (x > u_center - 0.5 + (w - 1.0) / 2.0) {
      y = 1.0;
    } else {
      y = clamp((x - (u_center - 0.5)) / (w - 1.0) + 0.5, 0.0, 1.0);
    }
  }
  if (u_invert) { y = 1.0 - y; }
  o_color = vec4(y, y, y, 1.0);
}
"#;

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
        let unsigned = Program::new(&gl, "usampler2D")?;
        let signed = Program::new(&gl, "isampler2D")?;
        let vao = gl
            .create_vertex_array()
            .ok_or_else(|| "createVertexArray failed".to_string())?;
        gl.bind_vertex_array(Some(&vao));
        gl.pixel_storei(Gl::UNPACK_ALIGNMENT, 1);
        Ok(Renderer {
            gl,
            canvas,
            unsigned,
            signed,
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
    pub fn draw(&self, params: &DrawParams, view: &ViewState) {
        let gl = &self.gl;
        let (cw, ch) = (self.canvas.width() as f32, self.canvas.height() as f32);
        gl.viewport(0, 0, cw as i32, ch as i32);
        gl.clear_color(0.0, 0.0, 0.0, 1.0);
        gl.clear(Gl::COLOR_BUFFER_BIT);
        let Some((texture, sampler, color, w, h)) = &self.texture else {
            return;
        };
        let program = match sampler {
            Sampler::Unsigned => &self.unsigned,
            Sampler::Signed => &self.signed,
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
        gl.uniform1i(loc("u_function").as_ref(), params.function);
        gl.uniform1i(loc("u_invert").as_ref(), i32::from(params.invert));
        gl.uniform1i(loc("u_color").as_ref(), i32::from(*color));
        gl.uniform1i(loc("u_smooth").as_ref(), i32::from(params.smooth));
        gl.draw_arrays(Gl::TRIANGLE_STRIP, 0, 4);
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
        self.gl.delete_program(Some(&self.unsigned.program));
        self.gl.delete_program(Some(&self.signed.program));
    }
}

impl Program {
    fn new(gl: &Gl, sampler: &str) -> Result<Self, String> {
        let vertex = compile(gl, Gl::VERTEX_SHADER, VERTEX)?;
        let fragment = compile(
            gl,
            Gl::FRAGMENT_SHADER,
            &FRAGMENT.replace("SAMPLER", sampler),
        )?;
        let program = gl
            .create_program()
            .ok_or_else(|| "createProgram failed".to_string())?;
        gl.attach_shader(&program, &vertex);
        gl.attach_shader(&program, &fragment);
        gl.link_program(&program);
        gl.delete_shader(Some(&vertex));
        gl.delete_shader(Some(&fragment));
        if gl
            .get_program_parameter(&program, Gl::LINK_STATUS)
            .as_bool()
            != Some(true)
        {
            return Err(gl.get_program_info_log(&program).unwrap_or_default());
        }
        Ok(Program { program })
    }
}

fn compile(gl: &Gl, kind: u32, source: &str) -> Result<WebGlShader, String> {
    let shader = gl
        .create_shader(kind)
        .ok_or_else(|| "createShader failed".to_string())?;
    gl.shader_source(&shader, source);
    gl.compile_shader(&shader);
    if gl
        .get_shader_parameter(&shader, Gl::COMPILE_STATUS)
        .as_bool()
        != Some(true)
    {
        return Err(gl.get_shader_info_log(&shader).unwrap_or_default());
    }
    Ok(shader)
}
