//! The renderer's shaders: one program per way of drawing ([`Variant`]: sampler, colour,
//! interpolation, VOI function or VOI LUT), each compiled the first time it is needed.
//!
//! A single program branching on uniforms costs every pixel all of its branches on a software
//! rasteriser (SwiftShader, and GPUs without uniform-branch elimination run both sides of a
//! branch they cannot prove uniform): bilinear interpolation's four fetches and the sigmoid's
//! `exp` were paid by every nearest-neighbour LINEAR draw. Each variant holds only its path,
//! written once below and selected by the preprocessor.

use web_sys::{WebGl2RenderingContext as Gl, WebGlProgram, WebGlShader};

/// Integer texture sampler of the stored values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Sampler {
    Unsigned,
    Signed,
}

/// How grey images' modality values become grey levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Curve {
    /// A window through a VOI LUT Function (PS3.3 C.11.2.1.2, C.11.2.1.3).
    Linear,
    LinearExact,
    Sigmoid,
    /// Through the VOI LUT in the second texture (C.11.2.1.1).
    Lut,
}

impl Curve {
    /// The shader's `FUNCTION`.
    fn code(self) -> u8 {
        match self {
            Curve::Linear => 0,
            Curve::LinearExact => 1,
            Curve::Sigmoid => 2,
            Curve::Lut => 3,
        }
    }
}

/// One way of drawing a texture: a program of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Variant {
    pub sampler: Sampler,
    /// RGB samples shown as they are (no VOI).
    pub color: bool,
    /// Bilinear interpolation between texel centres; nearest texel otherwise.
    pub smooth: bool,
    /// Grey images only.
    pub curve: Curve,
}

/// Entries of a VOI LUT per row of its texture (65,536 entries fit in 256 rows, within every
/// WebGL2 texture size limit).
pub(super) const LUT_ROW: usize = 256;
// WebGL2 guarantees textures of 2048 texels a side.
const _: () = assert!(LUT_ROW <= 2048 && 65_536usize.div_ceil(LUT_ROW) <= 2048);

pub(super) struct Program {
    pub program: WebGlProgram,
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

/// The VOI functions of PS3.3 C.11.2.1.2 and C.11.2.1.3, as `viewer_core::voi::WindowLevel::apply`,
/// or a VOI LUT (C.11.2.1.1) as `viewer_core::lut::Lut::lookup`: modality values from
/// `u_lut_first` on index its entries, laid out [`LUT_ROW`] to a row; values outside take the
/// first or last entry. Interpolation mixes the LUT's outputs, not its inputs.
/// `SAMPLER`, `COLOR`, `SMOOTH`, `FUNCTION` and `LUT_ROW` are defined before it by [`Variant`].
const FRAGMENT: &str = r#"
precision highp float;
precision highp int;
precision highp SAMPLER;
uniform SAMPLER u_image;
uniform float u_slope;
uniform float u_intercept;
uniform float u_center;
uniform float u_width;
uniform bool u_invert;
in vec2 v_uv;
out vec4 o_color;
#if FUNCTION == 3
uniform highp usampler2D u_lut;
uniform float u_lut_first;
uniform int u_lut_count;
uniform float u_lut_max;
float through_lut(float x) {
  int i = clamp(int(floor(x - u_lut_first)), 0, u_lut_count - 1);
  return float(texelFetch(u_lut, ivec2(i % LUT_ROW, i / LUT_ROW), 0).r) / u_lut_max;
}
#endif
vec4 value(ivec2 p) {
  vec4 t = vec4(texelFetch(u_image, p, 0));
#if COLOR
  return vec4(t.rgb / 255.0, 1.0);
#elif FUNCTION == 3
  return vec4(through_lut(t.r * u_slope + u_intercept));
#else
  return vec4(t.r * u_slope + u_intercept);
#endif
}
void main() {
  ivec2 size = textureSize(u_image, 0);
  vec2 texel = v_uv * vec2(size);
#if SMOOTH
  // Between the centres of the four nearest texels (edges clamp).
  vec2 t = texel - 0.5;
  vec2 f = t - floor(t);
  ivec2 lo = clamp(ivec2(floor(t)), ivec2(0), size - 1);
  ivec2 hi = clamp(ivec2(floor(t)) + 1, ivec2(0), size - 1);
  vec4 v = mix(mix(value(lo), value(ivec2(hi.x, lo.y)), f.x),
               mix(value(ivec2(lo.x, hi.y)), value(hi), f.x), f.y);
#else
  vec4 v = value(clamp(ivec2(floor(texel)), ivec2(0), size - 1));
#endif
#if COLOR
  o_color = vec4(u_invert ? 1.0 - v.rgb : v.rgb, 1.0);
#else
  float x = v.r;
  float y;
#if FUNCTION == 3
  y = x;
#elif FUNCTION == 1
  y = clamp((x - u_center) / max(u_width, 1e-6) + 0.5, 0.0, 1.0);
#elif FUNCTION == 2
  y = 1.0 / (1.0 + exp(-4.0 * (x - u_center) / max(u_width, 1e-6)));
#else
  float w = max(u_width, 1.0);
  if (x <= u_center - 0.5 - (w - 1.0) / 2.0) {
    y = 0.0;
  } else if (x > u_center - 0.5 + (w - 1.0) / 2.0) {
    y = 1.0;
  } else {
    y = clamp((x - (u_center - 0.5)) / (w - 1.0) + 0.5, 0.0, 1.0);
  }
#endif
  if (u_invert) { y = 1.0 - y; }
  o_color = vec4(y, y, y, 1.0);
#endif
}
"#;

impl Variant {
    /// The fragment shader of this variant: its definitions, then the common source.
    fn fragment_source(&self) -> String {
        let sampler = match self.sampler {
            Sampler::Unsigned => "usampler2D",
            Sampler::Signed => "isampler2D",
        };
        // Colour images take no VOI function.
        let function = if self.color { 0 } else { self.curve.code() };
        format!(
            "#version 300 es\n#define SAMPLER {sampler}\n#define COLOR {}\n#define SMOOTH {}\n#define FUNCTION {function}\n#define LUT_ROW {LUT_ROW}\n{FRAGMENT}",
            u8::from(self.color),
            u8::from(self.smooth),
        )
    }
}

impl Program {
    pub fn new(gl: &Gl, variant: Variant) -> Result<Self, String> {
        let vertex = compile(gl, Gl::VERTEX_SHADER, VERTEX)?;
        let fragment = compile(gl, Gl::FRAGMENT_SHADER, &variant.fragment_source())?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn variant(color: bool, curve: Curve) -> Variant {
        Variant {
            sampler: Sampler::Signed,
            color,
            smooth: false,
            curve,
        }
    }

    #[test]
    fn each_variant_defines_its_own_path() {
        let source = variant(false, Curve::Lut).fragment_source();
        assert!(source.starts_with("#version 300 es\n"));
        for define in [
            "#define SAMPLER isampler2D",
            "#define COLOR 0",
            "#define SMOOTH 0",
            "#define FUNCTION 3",
            "#define LUT_ROW 256",
        ] {
            assert!(source.contains(define), "{define}");
        }
        let sigmoid = variant(false, Curve::Sigmoid).fragment_source();
        assert!(sigmoid.contains("#define FUNCTION 2"));
    }

    #[test]
    fn colour_takes_no_voi_function() {
        let source = variant(true, Curve::Lut).fragment_source();
        assert!(source.contains("#define COLOR 1") && source.contains("#define FUNCTION 0"));
    }
}
