//! Exports for controllers (D11) through the router on the demo hospital: the adopted 2026
//! budget as a workbook with formulas and its hash, a concept scenario marked as such, the CSV
//! read back by a CSV parser in both decimal marks, and what each reader may see (§0): the
//! allocation per vakgroep only for the MSB until it is shared, a representative their own
//! vakgroep, the secretary the totals.

use crate::support::*;
use axum::http::{StatusCode, header};
use domain::ids::ScenarioId;
use rust_decimal::Decimal;
use std::io::Read;
use store::PgPool;

const MSB_BESTUURDER: &str = "h.koster@rijnoever.example";
const ALLOCATION: &str = "Toewijzing (hele centen)";

async fn scenario(c: &Client, year: i16, name: &str) -> ScenarioId {
    demo::budget::load(&c.store).await.unwrap();
    store::budget::scenarios(&c.store, Some(year))
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap()
        .id
}

/// A file of the XLSX package, as text.
fn part(xlsx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// The CSV's records, parsed as a spreadsheet program would: `;`, quotes, a byte-order mark.
fn records(bytes: &[u8]) -> Vec<Vec<String>> {
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "UTF-8 with BOM");
    csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .from_reader(&bytes[3..])
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// The overview table: its headings and one row per vakgroep shown.
fn table(records: &[Vec<String>]) -> (Vec<String>, Vec<Vec<String>>) {
    let at = records
        .iter()
        .position(|r| r.first().is_some_and(|f| f == "Code"))
        .expect("a heading row");
    let rows = records[at + 1..]
        .iter()
        .take_while(|r| r.first().is_some_and(|f| !f.is_empty() && f != "Totaal"))
        .cloned()
        .collect();
    (records[at].clone(), rows)
}

async fn csv_of(c: &mut Client, id: ScenarioId, query: &str) -> Vec<Vec<String>> {
    let res = c
        .get(&format!("/begroting/scenarios/{id}/export.csv{query}"))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    records(&res.bytes)
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_adopted_budget_downloads_as_a_workbook_with_formulas_and_its_hash(pool: PgPool) {
    let mut c = app(pool).await;
    let adopted = scenario(&c, 2026, "Begroting").await;
    let hash = store::budget::adoption::for_scenario(&c.store, adopted)
        .await
        .unwrap()
        .adoption
        .unwrap()
        .content_hash;
    c.sign_in_as(CONTROLLER).await;
    let res = c
        .get(&format!("/begroting/scenarios/{adopted}/export.xlsx"))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        res.headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"begroting-2026-Begroting.xlsx\""
    );
    assert_eq!(res.headers[header::CACHE_CONTROL], "private, no-store");
    let book = part(&res.bytes, "xl/workbook.xml");
    for sheet in ["Overzicht", "Invoer", "CAR Cardiologie"] {
        assert!(
            book.contains(&format!("name=\"{sheet}\"")),
            "{sheet}: {book}"
        );
    }
    assert!(part(&res.bytes, "docProps/core.xml").contains(&hash));
    // H is the sum over the vakgroep's sheet, with the application's value cached beside it.
    let overview = part(&res.bytes, "xl/worksheets/sheet1.xml");
    assert!(overview.contains("<f>'CAR Cardiologie'!"), "{overview}");
    assert!(overview.contains("<f>SUM("), "{overview}");
    assert!(!overview.contains("CONCEPT"));
    assert!(overview.contains("<pane "), "frozen header rows");

    // Another scenario of a year is a concept, and says so in its name and on every sheet.
    let concept = scenario(&c, 2027, demo::budget::PROPOSED_2027).await;
    let res = c
        .get(&format!("/begroting/scenarios/{concept}/export.xlsx"))
        .await;
    assert!(
        res.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .ends_with("-concept.xlsx\"")
    );
    // Strings are written inline (the constant-memory writer has no shared string table).
    let sheet = part(&res.bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("<t>CONCEPT"), "{sheet}");
}

/// The value of attribute `name` in the XML element `element` (its text up to `>`).
fn attribute<'a>(element: &'a str, name: &str) -> Option<&'a str> {
    let start = element.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = element[start..].find('"')?;
    Some(&element[start..start + len])
}

/// The elements `<tag …>` of an XML text, each up to its `>`.
fn elements<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag} ");
    xml.match_indices(&open)
        .map(|(at, _)| {
            let end = xml[at..].find('>').map_or(xml.len(), |e| at + e);
            &xml[at..end]
        })
        .collect()
}

/// The number format code a cell shows with: its own style, or else its column's, as a
/// spreadsheet reads it (`styles.xml`'s cell formats and custom number formats).
fn shown_format(xlsx: &[u8], sheet: &str, cell: &str) -> String {
    let styles = part(xlsx, "xl/styles.xml");
    let xml = part(xlsx, sheet);
    let c = elements(&xml, "c")
        .into_iter()
        .find(|c| attribute(c, "r") == Some(cell))
        .unwrap_or_else(|| panic!("{cell} not in {sheet}"));
    let column = u32::from(cell.as_bytes()[0] - b'A') + 1;
    let style = attribute(c, "s").or_else(|| {
        elements(&xml, "col").into_iter().find_map(|col| {
            let min: u32 = attribute(col, "min")?.parse().ok()?;
            let max: u32 = attribute(col, "max")?.parse().ok()?;
            (min..=max)
                .contains(&column)
                .then(|| attribute(col, "style"))?
        })
    });
    let xf: usize = style.unwrap_or("0").parse().unwrap();
    let cell_xfs = &styles[styles.find("<cellXfs").unwrap()..];
    let id = attribute(elements(cell_xfs, "xf")[xf], "numFmtId").unwrap();
    elements(&styles, "numFmt")
        .into_iter()
        .find(|f| attribute(f, "numFmtId") == Some(id))
        .and_then(|f| attribute(f, "formatCode"))
        .map_or_else(
            || format!("built-in {id}"),
            |code| code.replace("&quot;", "\""),
        )
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn every_figure_of_a_vakgroep_sheet_shows_in_its_dutch_number_format(pool: PgPool) {
    let mut c = app(pool).await;
    let adopted = scenario(&c, 2026, "Begroting").await;
    c.sign_in_as(CONTROLLER).await;
    let res = c
        .get(&format!("/begroting/scenarios/{adopted}/export.xlsx"))
        .await;
    assert_eq!(res.status, StatusCode::OK);
    // The first vakgroep's sheet follows the overview and the inputs; its products start on
    // row 5 (title, subtitle, H, headings): B, Vb and the norm hours with two decimals, the norm
    // time as entered. Plain cells take the column's format, the H above the headings its own.
    let sheet = "xl/worksheets/sheet3.xml";
    for (cell, code) in [
        ("C5", "#,##0.00"),
        ("E5", "#,##0.00"),
        ("F5", "#,##0.0###"),
        ("G5", "#,##0.00"),
        ("G6", "#,##0.00"),
        ("G3", "#,##0.00"),
    ] {
        assert_eq!(shown_format(&res.bytes, sheet, cell), code, "{cell}");
    }
    // The overview's allocation in euros.
    let overview = part(&res.bytes, "xl/worksheets/sheet1.xml");
    assert!(overview.contains("<f>"), "{overview}");
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_csv_reads_back_in_either_decimal_mark_and_adds_up_to_the_adopted_allocation(
    pool: PgPool,
) {
    let mut c = app(pool).await;
    let adopted = scenario(&c, 2026, "Begroting").await;
    let stored = store::budget::adoption::for_scenario(&c.store, adopted)
        .await
        .unwrap()
        .adoption
        .unwrap();
    let stored = store::budget::adoption::stored(&c.store, stored.id)
        .await
        .unwrap();
    let fee_budget: Decimal = stored.allocations.iter().map(|a| a.1).sum();
    c.sign_in_as(MSB_BESTUURDER).await;

    let comma = csv_of(&mut c, adopted, "").await;
    let point = csv_of(&mut c, adopted, "?decimaal=punt").await;
    let (headings, rows) = table(&comma);
    let (_, point_rows) = table(&point);
    assert_eq!(rows.len(), stored.allocations.len(), "every vakgroep");
    let col = headings.iter().position(|h| h == ALLOCATION).unwrap();
    let parse = |s: &str| s.parse::<Decimal>().unwrap_or_else(|e| panic!("{s}: {e}"));
    let sum_comma: Decimal = rows.iter().map(|r| parse(&r[col].replace(',', "."))).sum();
    let sum_point: Decimal = point_rows.iter().map(|r| parse(&r[col])).sum();
    assert_eq!(sum_comma, fee_budget, "to the cent");
    assert_eq!(sum_point, fee_budget);
    assert!(
        rows.iter()
            .all(|r| r[col].contains(',') && !r[col].contains('.'))
    );
    // The adoption travels with the file.
    assert!(
        comma
            .iter()
            .flatten()
            .any(|f| f.contains(&stored.content_hash))
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn each_reader_gets_only_what_they_may_see(pool: PgPool) {
    let mut c = app(pool).await;
    let adopted = scenario(&c, 2026, "Begroting").await;
    let vakgroepen = store::budget::adoption::stored(
        &c.store,
        store::budget::adoption::for_scenario(&c.store, adopted)
            .await
            .unwrap()
            .adoption
            .unwrap()
            .id,
    )
    .await
    .unwrap()
    .allocations
    .len();
    let seen = async |c: &mut Client, who: &str| {
        c.sign_in_as(who).await;
        let records = csv_of(c, adopted, "").await;
        let (headings, rows) = table(&records);
        let codes: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
        (headings.iter().any(|h| h == ALLOCATION), codes)
    };

    // Not shared: the RvB and the controller see every vakgroep, not its allocation; the MSB does.
    let (allocation, codes) = seen(&mut c, BESTUURDER).await;
    assert!(!allocation && codes.len() == vakgroepen, "{codes:?}");
    let (allocation, _) = seen(&mut c, CONTROLLER).await;
    assert!(!allocation);
    let (allocation, _) = seen(&mut c, MSB_BESTUURDER).await;
    assert!(allocation);
    // A representative sees their own vakgroep; the secretary the hospital totals.
    let (allocation, codes) = seen(&mut c, VAKGROEP).await;
    assert_eq!(codes, ["CAR"]);
    assert!(!allocation);
    let (_, codes) = seen(&mut c, SECRETARIS).await;
    assert!(codes.is_empty(), "{codes:?}");

    // Shared by the MSB: the RvB and the representative (their own) see the allocation.
    let version = store::budget::distribution_settings(c.store.pool(), adopted)
        .await
        .unwrap()
        .version;
    let mut tx = c.store.begin().await.unwrap();
    store::budget::share_distribution(
        &mut tx,
        &store::audit::Who::system("test"),
        adopted,
        version,
    )
    .await
    .unwrap();
    store::commit(tx).await.unwrap();
    let (allocation, _) = seen(&mut c, BESTUURDER).await;
    assert!(allocation);
    let (allocation, codes) = seen(&mut c, VAKGROEP).await;
    assert!(allocation && codes == ["CAR"]);

    // Roles without the budget, and ids nobody has.
    for (who, status) in [
        (BEHEERDER, StatusCode::FORBIDDEN),
        (TOEHOORDER, StatusCode::FORBIDDEN),
    ] {
        c.sign_in_as(who).await;
        let res = c
            .get(&format!("/begroting/scenarios/{adopted}/export.xlsx"))
            .await;
        assert_eq!(res.status, status, "{who}");
    }
    c.sign_in_as(CONTROLLER).await;
    for path in [
        "/begroting/scenarios/999999/export.xlsx",
        "/begroting/scenarios/999999/export.csv",
        "/begroting/scenarios/0/export.xlsx",
    ] {
        assert_eq!(c.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    // An attacker's bytes are refused as such, never an error of the server.
    for path in [
        "/begroting/scenarios/abc/export.csv",
        "/begroting/scenarios/-1/export.xlsx",
        "/begroting/scenarios/1%00/export.xlsx",
        "/begroting/scenarios/99999999999999999999/export.csv",
    ] {
        assert!(c.get(path).await.status.is_client_error(), "{path}");
    }
    let res = c
        .get(&format!(
            "/begroting/scenarios/{adopted}/export.csv?decimaal=%00%FF"
        ))
        .await;
    assert_eq!(
        res.status,
        StatusCode::BAD_REQUEST,
        "invalid UTF-8 in the query"
    );
}
