use super::*;
use crate::selfassessment::RoundId;
use rust_decimal::dec;
use time::macros::date;

fn series(label: &str, value: Option<Decimal>) -> Series {
    Series {
        label: label.into(),
        values: PerS::from_fn(|s| if s == SevenS::Stijl { None } else { value }),
    }
}

/// Checks that tags nest and close, attribute values are quoted and every `&` starts an
/// entity: enough to catch the mistakes string building makes.
pub(crate) fn assert_well_formed(svg: &str) {
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = svg;
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        assert!(!text.contains('>'), "stray > in text {text:?}");
        check_entities(text);
        let close = rest[open..].find('>').expect("unclosed tag") + open;
        let tag = &rest[open + 1..close];
        assert!(!tag.contains('<'), "< inside tag {tag:?}");
        assert_eq!(
            tag.matches('"').count() % 2,
            0,
            "unbalanced quotes in {tag:?}"
        );
        check_entities(tag);
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop(), Some(name), "mismatched </{name}>");
        } else if !tag.ends_with('/') {
            stack.push(tag.split_whitespace().next().expect("tag name"));
        }
        rest = &rest[close + 1..];
    }
    assert!(rest.is_empty(), "text after the root: {rest:?}");
    assert!(stack.is_empty(), "unclosed {stack:?}");
}

fn check_entities(text: &str) {
    for (i, _) in text.match_indices('&') {
        let entity = &text[i..];
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                .iter()
                .any(|e| entity.starts_with(e)),
            "bare & in {text:?}"
        );
    }
}

#[test]
fn one_polygon_per_series_with_values() {
    let svg = radar_svg(
        "r1",
        "Ronde 2026",
        &[
            series("RvB", Some(dec!(3.8))),
            series("MSB", Some(dec!(4.2))),
            series("VMSD", None),
        ],
    );
    assert_well_formed(&svg);
    assert_eq!(svg.matches("<polygon").count(), 2);
    assert!(svg.contains("VMSD (geen scores)"));
    // Two styles: the second series is dashed and marked with squares.
    assert!(svg.contains(r#"stroke-dasharray="8 4""#));
    assert_eq!(
        svg.matches("<rect").count(),
        6 + 1,
        "six vertices and the legend"
    );
    // Seven axis labels, hard factors in bold.
    assert_eq!(svg.matches(r#"font-weight="bold""#).count(), 3);
    for s in SevenS::ALL {
        assert!(svg.contains(&format!(">{}</text>", s.label())), "{s}");
    }
}

#[test]
fn title_and_desc_name_the_figures() {
    let svg = radar_svg(
        "r1",
        "Zelfevaluatie 2026",
        &[series("RvB", Some(dec!(3.75)))],
    );
    assert!(svg.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 "#));
    assert!(svg.contains(r#"role="img""#));
    assert!(svg.contains(r#"aria-labelledby="r1-title""#));
    assert!(svg.contains(r#"<title id="r1-title">Zelfevaluatie 2026</title>"#));
    assert!(svg.contains("RvB: Gedeelde waarden 3,8; Strategie 3,8;"));
    assert!(svg.contains("Stijl geen scores."));
    assert!(!svg.contains("xlink"));
    assert_eq!(
        svg,
        radar_svg(
            "r1",
            "Zelfevaluatie 2026",
            &[series("RvB", Some(dec!(3.75)))]
        )
    );
}

#[test]
fn text_is_escaped_and_ids_are_safe() {
    let svg = radar_svg(
        "2 charts\"><script>",
        "A & B <script>alert('x')</script>",
        &[series("<b>\"RvB\" & co</b>", Some(dec!(2)))],
    );
    assert_well_formed(&svg);
    assert!(!svg.contains("<script"));
    assert!(!svg.contains("<b>"));
    assert!(svg.contains("A &amp; B &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(svg.contains("&lt;b&gt;&quot;RvB&quot; &amp; co&lt;/b&gt;"));
    assert!(svg.contains(r#"id="c2-charts---script--title""#));
}

#[test]
fn an_empty_chart_still_has_its_axes_and_says_so() {
    let svg = radar_svg("leeg", "Geen resultaten", &[]);
    assert_well_formed(&svg);
    assert_eq!(svg.matches("<polygon").count(), 0);
    assert!(svg.contains("Er zijn geen resultaten om te tonen."));
}

#[test]
fn geometry_of_the_scale() {
    // A mean of 5 on the top axis lies on the outer ring: (300, 215 − 150).
    let mut values = PerS::from_fn(|_| None);
    *values.get_mut(SevenS::GedeeldeWaarden) = Some(dec!(5));
    *values.get_mut(SevenS::Strategie) = Some(dec!(1));
    let svg = radar_svg(
        "g",
        "t",
        &[Series {
            label: "RvB".into(),
            values,
        }],
    );
    // Strategie at 1: radius 30 → (300 + 30 × 0,781831, 215 − 30 × 0,62349), to a tenth.
    assert!(svg.contains(r#"points="300,65 323.5,196.3""#), "{svg}");
}

fn point(id: i64, score: Option<Decimal>) -> TrendPoint {
    TrendPoint {
        round: RoundId(id),
        title: format!("Ronde {}", 2023 + id),
        date: date!(2026 - 01 - 01),
        score,
    }
}

#[test]
fn sparkline_breaks_at_a_missing_round() {
    let svg = sparkline_svg(
        "trend-strategie",
        "Strategie",
        &[
            point(1, Some(dec!(70))),
            point(2, Some(dec!(75.5))),
            point(3, None),
            point(4, Some(dec!(81))),
        ],
    );
    assert_well_formed(&svg);
    assert!(svg.contains(r#"role="img""#));
    // x: 4, 41.3, 78.7, 116; y: 32 − 4 − 24 × score / 100.
    assert!(svg.contains(r#"d="M4,11.2 L41.3,9.9 M116,8.6""#), "{svg}");
    assert!(svg.contains(r#"<circle cx="116" cy="8.6""#));
    assert!(
        svg.contains(
            "Ronde 2024: 70 %; Ronde 2025: 76 %; Ronde 2026: geen score; Ronde 2027: 81 %."
        )
    );
}

#[test]
fn sparkline_with_one_or_no_round() {
    let one = sparkline_svg("s", "Stijl", &[point(1, Some(dec!(50)))]);
    assert_well_formed(&one);
    assert!(one.contains(r#"<circle cx="60" cy="16""#));
    let none = sparkline_svg("s", "Stijl", &[]);
    assert_well_formed(&none);
    assert!(!none.contains("<path"));
    assert!(none.contains("Nog geen afgesloten rondes."));
}
