//! The enrolment QR code as inline SVG. `qrcode` computes the modules; we draw them ourselves
//! because its SVG renderer writes an XML prolog (not allowed inside HTML) and no accessible
//! name. The SVG has no `style` attribute or element, so it passes the site's CSP
//! (`style-src 'self'`), and no scripts or links.

use qrcode::{Color, EcLevel, QrCode};

/// What a screen reader says for the image. The page shows the key as text beside it, which is
/// the accessible alternative for people who cannot scan.
pub const QR_LABEL: &str = "QR-code om Gelijkgericht aan uw authenticator-app toe te voegen";
/// Pixels per module at the default size: about 200 px for an otpauth URI, easy to scan from a
/// screen. CSS may scale it; the `viewBox` keeps it sharp.
const MODULE_PX: usize = 4;
/// The light border the QR standard requires around the code, in modules.
const QUIET_ZONE: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "De QR-code kon niet worden gemaakt. Voer de sleutel hieronder met de hand in uw authenticator-app in."
)]
pub struct QrError;

/// Renders `text` (the otpauth URI) as an SVG element to put straight into an HTML page.
/// Medium error correction: a URI of about 120 characters stays a small, coarse code that
/// phone cameras read at a glance. Fails only for texts far longer than any URI we make.
pub fn qr_svg(text: &str) -> Result<String, QrError> {
    let code =
        QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|_| QrError)?;
    let width = code.width();
    let colors = code.to_colors();
    let size = width + 2 * QUIET_ZONE;
    let px = size * MODULE_PX;
    let mut path = String::new();
    // One rectangle per horizontal run of dark modules keeps the path short.
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] == Color::Dark {
                let start = x;
                while x < width && row[x] == Color::Dark {
                    x += 1;
                }
                let (left, top) = (start + QUIET_ZONE, y + QUIET_ZONE);
                path.push_str(&format!("M{left} {top}h{}v1H{left}z", x - start));
            } else {
                x += 1;
            }
        }
    }
    Ok(format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="qr" role="img" aria-label="{label}""#,
            r#" width="{px}" height="{px}" viewBox="0 0 {size} {size}" shape-rendering="crispEdges">"#,
            r#"<title>{label}</title>"#,
            r##"<rect width="{size}" height="{size}" fill="#fff"/>"##,
            r##"<path fill="#000" d="{path}"/>"##,
            "</svg>"
        ),
        label = QR_LABEL,
        px = px,
        size = size,
        path = path,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const URI: &str = "otpauth://totp/Gelijkgericht:jan.de.vries@rijnoever.nl\
                       ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Gelijkgericht";

    /// Reads the rectangles back out of the path: the set of dark modules drawn.
    fn drawn_modules(svg: &str) -> std::collections::BTreeSet<(usize, usize)> {
        let d = svg
            .split(" d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let mut dark = std::collections::BTreeSet::new();
        for rect in d.split('M').filter(|r| !r.is_empty()) {
            // "{left} {top}h{len}v1H{left}z"
            let (left, rest) = rect.split_once(' ').unwrap();
            let (top, rest) = rest.split_once('h').unwrap();
            let (len, rest) = rest.split_once("v1H").unwrap();
            assert_eq!(rest, format!("{left}z"));
            let (left, top, len): (usize, usize, usize) = (
                left.parse().unwrap(),
                top.parse().unwrap(),
                len.parse().unwrap(),
            );
            for x in left..left + len {
                assert!(dark.insert((x - QUIET_ZONE, top - QUIET_ZONE)), "overlap");
            }
        }
        dark
    }

    #[test]
    fn the_svg_draws_exactly_the_dark_modules() {
        let svg = qr_svg(URI).unwrap();
        let code = QrCode::with_error_correction_level(URI.as_bytes(), EcLevel::M).unwrap();
        let width = code.width();
        let expected: std::collections::BTreeSet<(usize, usize)> = code
            .to_colors()
            .iter()
            .enumerate()
            .filter(|(_, c)| **c == Color::Dark)
            .map(|(i, _)| (i % width, i / width))
            .collect();
        assert_eq!(drawn_modules(&svg), expected);
        let size = width + 2 * QUIET_ZONE;
        assert!(svg.contains(&format!(r#"viewBox="0 0 {size} {size}""#)));
        assert!(svg.contains(&format!(r#"width="{}""#, size * MODULE_PX)));
        // A key URI of this length fits a small code that is comfortable to scan.
        assert!(width <= 57, "version too high: {width} modules");
    }

    #[test]
    fn the_svg_is_inline_html_with_an_accessible_name() {
        let svg = qr_svg(URI).unwrap();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>"));
        assert!(!svg.contains("<?xml"));
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains(&format!(r#"aria-label="{QR_LABEL}""#)));
        assert!(svg.contains(&format!("<title>{QR_LABEL}</title>")));
        // Nothing the CSP would block, and the secret is not written out as text.
        assert!(!svg.contains("style"));
        assert!(!svg.contains("script"));
        assert!(!svg.contains("GEZDGNBV"));
        // svg, title, /title, rect, path, /svg: nothing else.
        assert_eq!(svg.matches('<').count(), 6);
    }

    #[test]
    fn texts_too_long_for_a_qr_code_are_refused() {
        assert_eq!(qr_svg(&"x".repeat(5000)), Err(QrError));
    }
}
