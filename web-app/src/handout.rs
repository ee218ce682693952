//! The patient's handout for a share, printed by the clinician who made it: who runs the
//! portal and how to reach them, the patient and the study, the link as a QR code and as
//! text, until when it opens, that the images are not for diagnosis; and below a cut line,
//! apart, the access code (or what to type instead). The link's token is known only when the
//! share is made, so the handout is printed then.

use qrcode::{Color, EcLevel, QrCode};
use viewer_core::study::StudySummary;
use web_sys::{Document, Element};

use crate::clock::date;
use crate::i18n::I18n;
use crate::print::{append_text, js_error, print_sheet};
use crate::shares::AccessCode;
use crate::site::site;

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// Modules of white border around a QR code (the standard's quiet zone).
const QUIET_MODULES: usize = 4;

/// What the handout says of a share just made.
#[derive(Debug, Clone, PartialEq)]
pub struct Handout {
    pub study_uid: String,
    /// The full link, with its token.
    pub link: String,
    pub kind: AccessCode,
    /// The six digits, when the share has a code.
    pub code: Option<String>,
    pub expires_at_s: i64,
}

/// The QR code of `text` (error correction M, which survives a crease): its width in modules
/// and an SVG path drawing its dark modules, one unit square each, row by row.
pub fn qr_path(text: &str) -> Option<(usize, String)> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let mut path = String::new();
    for (i, colour) in colors.iter().enumerate() {
        if *colour == Color::Dark {
            let (x, y) = (i % width, i / width);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    Some((width, path))
}

/// An SVG element of the QR code of `text`, `size_mm` wide on paper.
fn qr_svg(doc: &Document, text: &str, size_mm: u32) -> Result<Element, String> {
    let (width, path) = qr_path(text).ok_or_else(|| "the link is too long".to_string())?;
    let side = width + 2 * QUIET_MODULES;
    let svg = doc
        .create_element_ns(Some(SVG_NS), "svg")
        .map_err(js_error)?;
    let q = QUIET_MODULES as i64;
    for (name, value) in [
        ("viewBox", format!("{} {} {side} {side}", -q, -q)),
        ("width", format!("{size_mm}mm")),
        ("height", format!("{size_mm}mm")),
        ("shape-rendering", "crispEdges".to_string()),
        ("data-testid", "handout-qr".to_string()),
        ("role", "img".to_string()),
    ] {
        svg.set_attribute(name, &value).map_err(js_error)?;
    }
    let background = doc
        .create_element_ns(Some(SVG_NS), "rect")
        .map_err(js_error)?;
    for (name, value) in [
        ("x", format!("{}", -q)),
        ("y", format!("{}", -q)),
        ("width", side.to_string()),
        ("height", side.to_string()),
        ("fill", "#fff".to_string()),
    ] {
        background.set_attribute(name, &value).map_err(js_error)?;
    }
    let modules = doc
        .create_element_ns(Some(SVG_NS), "path")
        .map_err(js_error)?;
    modules.set_attribute("d", &path).map_err(js_error)?;
    modules.set_attribute("fill", "#000").map_err(js_error)?;
    svg.append_child(&background).map_err(js_error)?;
    svg.append_child(&modules).map_err(js_error)?;
    Ok(svg)
}

/// Prints the handout: reads who runs the portal and the study (for the patient's name, the
/// study's date and description), then opens the browser's print dialog.
pub async fn print(handout: Handout, i18n: I18n) -> Result<(), String> {
    let site = site().await;
    let study = crate::api::find_study(&handout.study_uid, None)
        .await
        .ok()
        .flatten()
        .and_then(|d| StudySummary::from_qido(&d));
    print_sheet("handout", "handout-sheet", |doc, sheet| {
        let top = doc.create_element("header").map_err(js_error)?;
        for (line, class) in [(site.name, "handout-site"), (site.contact, "")] {
            if let Some(line) = line {
                append_text(doc, &top, "div", class, &line)?;
            }
        }
        sheet.append_child(&top).map_err(js_error)?;
        append_text(doc, sheet, "h1", "", &i18n.t("handout.title"))?;
        if let Some(study) = &study {
            if let Some(name) = &study.patient_name {
                let name = viewer_core::text::person_name_display(name);
                append_text(
                    doc,
                    sheet,
                    "p",
                    "",
                    &i18n.f("handout.for", &[("name", &name)]),
                )?;
            }
            let day = study
                .study_date
                .as_deref()
                .and_then(viewer_core::text::format_da);
            let about = [day, study.description.clone()];
            let about: Vec<String> = about.into_iter().flatten().collect();
            if !about.is_empty() {
                let text = i18n.f("handout.study", &[("study", &about.join(" · "))]);
                append_text(doc, sheet, "p", "", &text)?;
            }
        }
        append_text(doc, sheet, "p", "", &i18n.t("handout.scan"))?;
        let figure = doc.create_element("figure").map_err(js_error)?;
        figure.set_class_name("handout-link");
        let qr = qr_svg(doc, &handout.link, 45)?;
        figure.append_child(&qr).map_err(js_error)?;
        let link = append_text(doc, &figure, "figcaption", "", &handout.link)?;
        let _ = link.set_attribute("data-testid", "handout-link");
        sheet.append_child(&figure).map_err(js_error)?;
        let until = i18n.f("handout.until", &[("date", &date(handout.expires_at_s))]);
        append_text(doc, sheet, "p", "handout-until", &until)?;
        append_text(
            doc,
            sheet,
            "p",
            "handout-warning",
            &i18n.t("handout.not_for_diagnosis"),
        )?;
        // The code apart, below a cut line: whoever has both can open the images.
        let slip = doc.create_element("footer").map_err(js_error)?;
        slip.set_class_name("handout-slip");
        let _ = slip.set_attribute("data-testid", "handout-slip");
        match (handout.kind, &handout.code) {
            (AccessCode::Code, Some(code)) if crate::shares::is_access_code(code) => {
                let spaced = format!("{} {}", &code[..3], &code[3..]);
                append_text(
                    doc,
                    &slip,
                    "p",
                    "handout-code",
                    &i18n.f("handout.code", &[("code", &spaced)]),
                )?;
                append_text(doc, &slip, "p", "", &i18n.t("handout.keep_apart"))?;
            }
            (AccessCode::BirthDate, _) => {
                append_text(doc, &slip, "p", "", &i18n.t("handout.birth_date"))?;
            }
            _ => {
                append_text(doc, &slip, "p", "", &i18n.t("handout.no_code"))?;
            }
        }
        sheet.append_child(&slip).map_err(js_error)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the 7x7 finder pattern (a dark ring, a light ring, a dark 3x3 centre) has its
    /// top-left corner at module (x, y).
    fn finder_at(dark: &dyn Fn(usize, usize) -> bool, x: usize, y: usize) -> bool {
        (0..7).all(|dy| {
            (0..7).all(|dx| {
                let ring = dx.min(dy).min(6 - dx).min(6 - dy);
                dark(x + dx, y + dy) == (ring != 1)
            })
        })
    }

    #[test]
    fn the_path_draws_a_qr_code_with_its_three_finder_patterns() {
        let link = "https://portail.example.fr/share#AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCd";
        let (width, path) = qr_path(link).expect("a code");
        // 17 + 4 × version modules; 77 bytes at level M need version 5.
        assert_eq!(width, 37);
        let squares: std::collections::HashSet<(usize, usize)> = path
            .split('M')
            .filter(|s| !s.is_empty())
            .map(|s| {
                let square = s.strip_suffix("h1v1h-1z").expect("a unit square");
                let (x, y) = square.split_once(' ').expect("x y");
                (x.parse().expect("x"), y.parse().expect("y"))
            })
            .collect();
        let dark = |x: usize, y: usize| squares.contains(&(x, y));
        assert!(finder_at(&dark, 0, 0));
        assert!(finder_at(&dark, width - 7, 0));
        assert!(finder_at(&dark, 0, width - 7));
        assert!(!finder_at(&dark, width - 7, width - 7));
    }

    #[test]
    fn a_text_too_long_for_any_version_gives_no_code() {
        assert!(qr_path(&"x".repeat(3000)).is_none());
    }
}
