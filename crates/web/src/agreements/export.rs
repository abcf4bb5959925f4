//! Export of the register (product.md B6) as CSV and XLSX. Both take exactly the rows the list
//! shows this person for the same query parameters ([`register_lines`]): the compartments and
//! every filter are applied once, in one place.

use super::list::{Params, register_lines};
use crate::shared::clock::today;
use crate::shared::download::{CSV, XLSX, attachment};
use crate::shared::error::{AppError, AppResult};
use crate::shared::register::Line;
use crate::shared::routes::{Access, RouteDef, get};
use crate::shared::session::User;
use crate::shared::state::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use domain::authz::Capability;
use domain::budget::workbook::csv_field;
use domain::nl;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};
use time::Date;

pub(super) fn routes() -> Vec<RouteDef> {
    vec![
        get(
            "/afspraken/export.csv",
            Access::Needs(Capability::ViewRegister),
            csv,
        ),
        get(
            "/afspraken/export.xlsx",
            Access::Needs(Capability::ViewRegister),
            xlsx,
        ),
    ]
}

const HEADER: [&str; 12] = [
    "Nummer",
    "Titel",
    "Soort",
    "Partijen",
    "Eigenaar",
    "Status",
    "Startdatum",
    "Einddatum",
    "Thema",
    "7S-elementen",
    "Stoplicht",
    "Toelichting stoplicht",
];

/// A cell of an exported row.
enum Value {
    Text(String),
    Number(i64),
    Date(Option<Date>),
}

fn values(line: &Line) -> [Value; 12] {
    [
        Value::Number(line.row.id.get()),
        Value::Text(line.row.title.clone()),
        Value::Text(line.kind_label().into()),
        Value::Text(line.parties()),
        Value::Text(line.owners()),
        Value::Text(line.status_label().into()),
        Value::Date(line.row.start_date),
        Value::Date(line.row.due_date),
        Value::Text(line.theme_label().into()),
        Value::Text(line.seven_s_labels()),
        Value::Text(line.light_label().to_string()),
        Value::Text(line.reason.clone()),
    ]
}

/// The CSV text: UTF-8 with a byte-order mark, `;` between fields, CRLF between records.
fn csv_text(lines: &[Line]) -> String {
    let mut out = String::from("\u{feff}");
    let record = |fields: Vec<String>| fields.join(";") + "\r\n";
    out.push_str(&record(HEADER.iter().map(|h| csv_field(h)).collect()));
    for line in lines {
        out.push_str(&record(
            values(line)
                .iter()
                .map(|v| match v {
                    Value::Text(t) => csv_field(t),
                    Value::Number(n) => n.to_string(),
                    Value::Date(d) => d.map(nl::date).unwrap_or_default(),
                })
                .collect(),
        ));
    }
    out
}

/// `GET /afspraken/export.csv`.
async fn csv(
    State(state): State<AppState>,
    user: User,
    Query(params): Query<Params>,
) -> AppResult<Response> {
    let lines = register_lines(&state, &user, &params, today(), None)
        .await?
        .lines;
    Ok(attachment(
        CSV,
        "afspraken.csv",
        csv_text(&lines).into_bytes(),
    ))
}

/// The cells of one sheet, owned, to move into the blocking task.
type Rows = Vec<[Value; 12]>;

fn workbook(rows: &Rows) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("dd-mm-yyyy");
    let sheet = book.add_worksheet();
    sheet.set_name("Afspraken")?;
    for (col, title) in (0u16..).zip(HEADER) {
        sheet.write_string_with_format(0, col, title, &bold)?;
    }
    for (row, cells) in (1u32..).zip(rows) {
        for (col, cell) in (0u16..).zip(cells) {
            match cell {
                Value::Text(t) => {
                    sheet.write_string(row, col, t)?;
                }
                #[allow(clippy::cast_precision_loss)]
                Value::Number(n) => {
                    sheet.write_number(row, col, *n as f64)?;
                }
                Value::Date(Some(d)) => {
                    let excel = ExcelDateTime::from_ymd(
                        u16::try_from(d.year()).unwrap_or(1900),
                        u8::from(d.month()),
                        d.day(),
                    )?;
                    sheet.write_date_with_format(row, col, &excel, &date)?;
                }
                Value::Date(None) => {}
            }
        }
    }
    let widths = [
        9.0, 45.0, 22.0, 30.0, 28.0, 16.0, 12.0, 12.0, 35.0, 30.0, 12.0, 45.0,
    ];
    for (col, width) in (0u16..).zip(widths) {
        sheet.set_column_width(col, width)?;
    }
    let last_row = u32::try_from(rows.len()).unwrap_or(u32::MAX - 1);
    sheet.autofilter(0, 0, last_row, 11)?;
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}

/// `GET /afspraken/export.xlsx`: one sheet "Afspraken", built off the async runtime.
async fn xlsx(
    State(state): State<AppState>,
    user: User,
    Query(params): Query<Params>,
) -> AppResult<Response> {
    let lines = register_lines(&state, &user, &params, today(), None)
        .await?
        .lines;
    let rows: Rows = lines.iter().map(values).collect();
    let bytes = tokio::task::spawn_blocking(move || workbook(&rows))
        .await
        .map_err(|e| AppError::internal("the xlsx task", e))?
        .map_err(|e| AppError::internal("writing the xlsx", e))?;
    Ok(attachment(XLSX, "afspraken.xlsx", bytes))
}
